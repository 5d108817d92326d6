#!/usr/bin/env bash
# Boot one kernel of the matrix (Debian's 5.10, 6.1, 6.12 or 7.x cloud
# kernel, fetched by tests/vm/fetch-kernel.sh) under qemu-system-x86_64
# -accel tcg (software emulation: no KVM needed) with an initramfs carrying
# this tree's ./fragscope, the workload tools and the guest scenarios, and
# keep what it printed.  The guest runs the checks itself; tests/vm/judge.sh
# judges the console log.
#
# Usage: tests/vm/run.sh KERNEL [OUTDIR]    (default OUTDIR build/artifacts/vm-KERNEL)
# Writes OUTDIR/console.log (the serial console) and, for every line the
# guest printed as "file:NAME| TEXT", TEXT into OUTDIR/NAME (the guest's
# JSON reports: see `keep` in tests/vm/init).
# Environment:
#   FRAGSCOPE_VM_KERNEL     a vmlinuz to boot instead of the Debian package's
#   FRAGSCOPE_VM_SCENARIOS  comma-separated guest scenarios (tests/vm/scenarios/
#                           NAME.sh) to run, in that order (default: smoke)
#   FRAGSCOPE_VM_TIMEOUT    seconds before qemu is killed (default 300)
#   FRAGSCOPE_VM_MEM        guest memory in MiB (default 1024)
#   FRAGSCOPE_VM_SMP        guest CPUs (default 2)
#   FRAGSCOPE_VM_NODES      NUMA nodes (default 1): the memory split evenly
#                           between them, CPU i on node i
# Exit: 0 the VM ran and powered off, 1 it failed or timed out,
#       77 qemu or the kernel cannot be had here.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
KERNEL=${1:?usage: run.sh KERNEL [OUTDIR]}
OUT=${2:-$TOP/build/artifacts/vm-$KERNEL}
WORK=$TOP/build/vm
TIMEOUT=${FRAGSCOPE_VM_TIMEOUT:-300}
MEM=${FRAGSCOPE_VM_MEM:-1024}
SMP=${FRAGSCOPE_VM_SMP:-2}
SCENARIOS=${FRAGSCOPE_VM_SCENARIOS:-smoke}
NODES=${FRAGSCOPE_VM_NODES:-1}
QEMU=${QEMU:-qemu-system-x86_64}

unavailable() { echo "vm $KERNEL: unavailable: $*" >&2; exit 77; }
die() { echo "vm $KERNEL: $*" >&2; exit 1; }

command -v "$QEMU" >/dev/null || unavailable "$QEMU not installed (apt-get install qemu-system-x86)"
mkdir -p "$WORK" "$OUT"
LOG=$OUT/console.log

# --- the kernel: Debian's package, downloaded once into the cache ---------
kernel=${FRAGSCOPE_VM_KERNEL:-}
if [ -z "$kernel" ]; then
	dir=$("$HERE/fetch-kernel.sh" "$KERNEL")
	rc=$?
	[ $rc = 0 ] || exit $rc
	kernel=$dir/vmlinuz
	# The cloud kernels build in everything used here: no modules needed.
	for opt in CONFIG_BPF_SYSCALL CONFIG_DEBUG_INFO_BTF CONFIG_MEMCG CONFIG_BPF_EVENTS CONFIG_SERIAL_8250_CONSOLE \
		CONFIG_BLK_DEV_INITRD CONFIG_DEVTMPFS CONFIG_DEBUG_FS CONFIG_COMPACTION CONFIG_TRANSPARENT_HUGEPAGE \
		CONFIG_HUGETLBFS; do
		grep -q "^$opt=y" "$dir/config" || die "$(head -1 "$dir/package"): $opt is not built in ($dir/config)"
	done
	echo "vm $KERNEL: $(paste -sd, "$dir/package")" >&2
fi
[ -r "$kernel" ] || die "kernel $kernel not readable"

# --- the initramfs: the same fragscope binary as the host's ---------------
RUN=$(mktemp -d "$WORK/run.XXXXXX")
qpid=
# qemu is ours to kill, by its pid, only while it runs (qpid is cleared once reaped).
trap '[ -z "$qpid" ] || kill -9 "$qpid" 2>/dev/null; rm -rf "$RUN"' EXIT
trap 'exit 1' INT TERM
initrd=$RUN/initramfs.cpio.gz
"$HERE/build-initramfs.sh" "$initrd" "${FRAGSCOPE:-$TOP/fragscope}" "${TOOLS:-$TOP/build/tests/tools}" >&2 ||
	die "cannot build the initramfs"

# --- NUMA: the guest's firmware (ACPI SRAT) describes the nodes -------------
numa=()
if [ "$NODES" -gt 1 ]; then
	for ((n = 0; n < NODES; n++)); do
		numa+=(-object "memory-backend-ram,id=mem$n,size=$((MEM / NODES))M" -numa "node,nodeid=$n,memdev=mem$n")
		[ $n -lt "$SMP" ] && numa[${#numa[@]} - 1]+=",cpus=$n"
	done
	MEM=$((MEM / NODES * NODES))
fi

# --- boot, bounded: qemu is killed by its pid after TIMEOUT seconds -------
rm -rf "$OUT" && mkdir -p "$OUT"
start=$(date +%s)
"$QEMU" -accel "tcg,thread=${FRAGSCOPE_VM_TCG_THREAD:-single}" -cpu max -smp "$SMP" -m "$MEM" "${numa[@]}" \
	-kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0,115200 rdinit=/init panic=-1 loglevel=4 no_timer_check fragscope.scenarios=$SCENARIOS" \
	-nographic -serial "file:$LOG" -monitor none -no-reboot \
	</dev/null >"$RUN/qemu.out" 2>&1 &
qpid=$!
rc=
while [ $(($(date +%s) - start)) -lt "$TIMEOUT" ]; do
	if ! kill -0 $qpid 2>/dev/null; then
		wait $qpid
		rc=$?
		qpid=
		break
	fi
	sleep 1
done
secs=$(($(date +%s) - start))
if [ -z "$rc" ]; then
	kill -TERM $qpid 2>/dev/null
	sleep 2
	kill -9 $qpid 2>/dev/null
	wait $qpid 2>/dev/null
	qpid=
	echo "vm $KERNEL: qemu killed after ${secs} s (timeout ${TIMEOUT} s)" >&2
	exit 1
fi
# The files the guest kept: "file:NAME| " lines, NAME without a slash.
for name in $(tr -d '\r' <"$LOG" | sed -n 's/^file:\([A-Za-z0-9._-]*\)| .*/\1/p' | sort -u); do
	tr -d '\r' <"$LOG" | sed -n "s/^file:$name| //p" >"$OUT/$name"
done
echo "vm $KERNEL: qemu exited $rc after ${secs} s; console in $LOG" >&2
[ "$rc" = 0 ] || { cat "$RUN/qemu.out" >&2; exit 1; }
exit 0
