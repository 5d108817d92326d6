#!/usr/bin/env bash
# Boot a second kernel (Debian 12's stock 6.1 cloud kernel) under
# qemu-system-x86_64 -accel tcg (software emulation: no KVM needed) with an
# initramfs carrying this tree's ./fragscope, provoke and tests/vm/init, and
# write the serial console to a log.  The guest runs the smoke test itself;
# tests/integration/test_vm_second_kernel.sh judges the log.
#
# Usage: tests/vm/run.sh [CONSOLE_LOG]      (default build/vm/console.log)
# Environment:
#   FRAGSCOPE_VM_KERNEL   a vmlinuz to boot instead of the Debian package's
#   FRAGSCOPE_VM_PACKAGE  the kernel package (default: what the Debian
#                         meta-package linux-image-cloud-amd64 depends on)
#   FRAGSCOPE_VM_TIMEOUT  seconds before qemu is killed (default 240)
#   FRAGSCOPE_VM_MEM      guest memory in MiB (default 1024)
#   FRAGSCOPE_VM_SCENARIOS  the guest scenario (default smoke; fraglab: tests/vm/scenarios/fraglab.sh)
# Exit: 0 the VM ran and powered off, 1 it failed or timed out,
#       77 qemu or the kernel cannot be had here.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
LOG=${1:-$TOP/build/vm/console.log}
CACHE=${FRAGSCOPE_VM_CACHE:-$TOP/build/vm-cache}
WORK=$TOP/build/vm
TIMEOUT=${FRAGSCOPE_VM_TIMEOUT:-240}
MEM=${FRAGSCOPE_VM_MEM:-1024}
SCENARIOS=${FRAGSCOPE_VM_SCENARIOS:-smoke}
QEMU=${QEMU:-qemu-system-x86_64}

unavailable() { echo "vm: unavailable: $*" >&2; exit 77; }
die() { echo "vm: $*" >&2; exit 1; }

command -v "$QEMU" >/dev/null || unavailable "$QEMU not installed (apt-get install qemu-system-x86)"
mkdir -p "$CACHE" "$WORK" "$(dirname "$LOG")"

# --- the kernel: Debian's package, downloaded once into the cache ---------
kernel=${FRAGSCOPE_VM_KERNEL:-}
if [ -z "$kernel" ]; then
	pkg=${FRAGSCOPE_VM_PACKAGE:-$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ {print $2; exit}')}
	[ -n "$pkg" ] || unavailable "apt-cache knows no linux-image-cloud-amd64 (not Debian, or no apt lists: apt-get update)"
	dir=$CACHE/$pkg
	kernel=$(ls "$dir"/boot/vmlinuz-* 2>/dev/null | head -1)
	if [ -z "$kernel" ]; then
		deb=$(ls "$CACHE/${pkg}"_*.deb 2>/dev/null | head -1)
		if [ -z "$deb" ]; then
			echo "vm: downloading $pkg" >&2
			# apt drops privileges to _apt for the download: give it a directory it may write.
			dl=$(mktemp -d "$CACHE/dl.XXXXXX")
			chmod 0777 "$dl"
			(cd "$dl" && timeout 300 apt-get download -q "$pkg") >&2 || { rm -rf "$dl"; unavailable "apt-get download $pkg failed"; }
			mv "$dl"/*.deb "$CACHE"/ && rm -rf "$dl"
			deb=$(ls "$CACHE/${pkg}"_*.deb | head -1)
		fi
		rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
		# Only /boot is needed: the cloud kernel builds in BPF, BTF, memcg and tracefs.
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir.tmp" ./boot || die "cannot extract $deb"
		rm -rf "$dir" && mv "$dir.tmp" "$dir"
		kernel=$(ls "$dir"/boot/vmlinuz-* | head -1)
	fi
	config=$(ls "$dir"/boot/config-* 2>/dev/null | head -1)
	if [ -n "$config" ]; then
		for opt in CONFIG_BPF_SYSCALL CONFIG_DEBUG_INFO_BTF CONFIG_MEMCG CONFIG_BPF_EVENTS CONFIG_SERIAL_8250_CONSOLE CONFIG_BLK_DEV_INITRD; do
			grep -q "^$opt=y" "$config" || die "$pkg: $opt is not built in ($config)"
		done
	fi
fi
[ -r "$kernel" ] || die "kernel $kernel not readable"
echo "vm: kernel $kernel" >&2

# --- the initramfs: the same fragscope binary as the host's ---------------
RUN=$(mktemp -d "$WORK/run.XXXXXX")
qpid=
# qemu is ours to kill, by its pid, only while it runs (qpid is cleared once reaped).
trap '[ -z "$qpid" ] || kill -9 "$qpid" 2>/dev/null; rm -rf "$RUN"' EXIT
trap 'exit 1' INT TERM
initrd=$RUN/initramfs.cpio.gz
"$HERE/build-initramfs.sh" "$initrd" "${FRAGSCOPE:-$TOP/fragscope}" "${TOOLS:-$TOP/build/tests/tools}/provoke" >&2 ||
	die "cannot build the initramfs"

# --- boot, bounded: qemu is killed by its pid after TIMEOUT seconds -------
rm -f "$LOG"
start=$(date +%s)
"$QEMU" -accel tcg -cpu max -smp 2 -m "$MEM" \
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
	echo "vm: qemu killed after ${secs} s (timeout ${TIMEOUT} s)" >&2
	exit 1
fi
echo "vm: qemu exited $rc after ${secs} s; console in $LOG" >&2
[ "$rc" = 0 ] || { cat "$RUN/qemu.out" >&2; exit 1; }
exit 0
