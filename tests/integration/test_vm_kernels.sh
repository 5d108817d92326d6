#!/usr/bin/env bash
# Five kernels, one binary: the same ./fragscope on Debian's 5.10, 6.1, 6.12
# and newest 7.x cloud kernels, each booted under qemu-system-x86_64 -accel
# tcg (no KVM needed) with a busybox initramfs, and on this host's kernel.
# Each runs the guest scenarios (tests/vm/scenarios/, default smoke) and
# tests/vm/judge.sh judges every run; the verdicts of the provoked cases
# must be identical on every kernel.  See docs/kernels.md.
#
# FRAGSCOPE_VM_KERNELS picks kernels (default "5.10 6.1 6.12 7"; `make
# test-vm KERNELS=...`), FRAGSCOPE_VM_JOBS how many VMs run at once (default
# 2: the guests wait more than they compute, measured in docs/kernels.md).
# Needs qemu-system-x86, busybox-static, cpio, jq and Debian's archive for
# the kernels (downloaded once into build/vm-cache).  Without them it
# skips, or fails under FRAGSCOPE_REQUIRE_BPF=1.
source "$(dirname "$0")/../lib.sh"

command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed (apt-get install qemu-system-x86)"
command -v cpio >/dev/null || skip "cpio not installed"
command -v jq >/dev/null || skip "jq not installed"
{ command -v busybox >/dev/null || [ -x /bin/busybox ]; } || skip "busybox not installed (apt-get install busybox-static)"
require_bpf
[ -x "$TOOLS/provoke" ] || fail "$TOOLS/provoke not built (make tools)"
KERNELS=${FRAGSCOPE_VM_KERNELS:-5.10 6.1 6.12 7}
JOBS=${FRAGSCOPE_VM_JOBS:-2}

# A snapshot of the binary, so that a rebuild meanwhile cannot confuse the
# comparison of each run's copy with the host's.
cp "$FRAGSCOPE" "$TMP/fragscope"
sum=$(sha256sum "$TMP/fragscope" | cut -d' ' -f1)
export FRAGSCOPE=$TMP/fragscope TOOLS

# The kernels first, one by one (each from the cache, or Debian's archive):
# a download failure is a skip, not a VM failure.
for k in $KERNELS; do
	"$TOP/tests/vm/fetch-kernel.sh" "$k" >/dev/null 2>"$TMP/fetch-$k.err"
	case $? in
	0) ;;
	77) skip "kernel $k: $(grep -m1 unavailable "$TMP/fetch-$k.err")" ;;
	*) fail "kernel $k: $(tail -2 "$TMP/fetch-$k.err")" ;;
	esac
done

# The VMs, JOBS at a time.
run_one() {
	local k=$1 start=$(date +%s)
	"$TOP/tests/vm/run.sh" "$k" "$ARTIFACTS/vm-$k" >"$TMP/run-$k.err" 2>&1
	echo $? >"$TMP/run-$k.rc"
	echo $(($(date +%s) - start)) >"$TMP/run-$k.secs"
}
start=$(date +%s)
running=0
for k in $KERNELS; do
	run_one "$k" &
	running=$((running + 1))
	if [ $running -ge "$JOBS" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait
vm_secs=$(($(date +%s) - start))
start=$(date +%s)
"$TOP/tests/vm/host-run.sh" "$ARTIFACTS/vm-host" smoke
host_secs=$(($(date +%s) - start))

failed=
for k in $KERNELS host; do
	echo "=== $k"
	if [ $k != host ]; then
		cat "$TMP/run-$k.err"
		[ "$(cat "$TMP/run-$k.rc")" = 0 ] || { failed="$failed $k(vm exit $(cat "$TMP/run-$k.rc"))"; continue; }
	fi
	if ! "$TOP/tests/vm/judge.sh" $k "$ARTIFACTS/vm-$k/console.log" "$sum" >"$TMP/judge-$k.out" 2>&1; then
		cat "$TMP/judge-$k.out"
		failed="$failed $k"
		continue
	fi
	grep -E '^VMTEST: (WARN|VERDICT)|^verdict' "$TMP/judge-$k.out"
	secs=$([ $k = host ] && echo $host_secs || cat "$TMP/run-$k.secs")
	pass "kernel $k: the same fragscope ($sum) passed every check (${secs}s)"
done
[ -z "$failed" ] || fail "runs that failed:$failed"

# Identical verdicts for the same provoked case, on every kernel (5.10 included: provoke fail portable).
host_verdict=$(sed -n 's/^verdict: //p' "$TMP/judge-host.out")
[ -n "$host_verdict" ] || fail "no verdict on the host"
for k in $KERNELS; do
	v=$(sed -n 's/^verdict: //p' "$TMP/judge-$k.out")
	[ "$v" = "$host_verdict" ] || fail "kernel $k's verdict '$v' differs from the host's '$host_verdict'"
done
pass "verdict '$host_verdict' on every kernel, $KERNELS and the host; VMs ${vm_secs}s ($JOBS at a time), host ${host_secs}s"
# Case fail-bpf (kvmalloc and vmalloc failures from BPF map creations) runs
# wherever the kernel charges BPF maps to the memory cgroup: every kernel
# but 5.10, which charges them to RLIMIT_MEMLOCK (its WARN says so), the
# host included; the same verdict on all of them.
BPF_MAPS_NOT_IN_MEMCG="5.10"
host_bpf=$(sed -n 's/^bpf verdict: //p' "$TMP/judge-host.out")
[ -n "$host_bpf" ] || fail "no smoke-bpf verdict on the host"
bpf_kernels=
for k in $KERNELS; do
	v=$(sed -n 's/^bpf verdict: //p' "$TMP/judge-$k.out")
	case " $BPF_MAPS_NOT_IN_MEMCG " in
	*" $k "*)
		[ -z "$v" ] && grep -q '^VMTEST: WARN case-fail-bpf: ' "$TMP/judge-$k.out" ||
			fail "kernel $k: case fail-bpf ran ('$v') or gave no WARN, where BPF maps are not charged to the memory cgroup"
		;;
	*)
		[ "$v" = "$host_bpf" ] || fail "kernel $k's smoke-bpf verdict '$v' differs from the host's '$host_bpf'"
		bpf_kernels="$bpf_kernels $k"
		;;
	esac
done
pass "smoke-bpf verdict '$host_bpf' on$bpf_kernels and the host"
# The ENOMEM case runs everywhere, 5.10 included: the same requests verdict on every kernel.
host_requests=$(sed -n 's/^requests verdict: //p' "$TMP/judge-host.out")
[ "$host_requests" = "commit:max_map_count:failed,commit:rlimit:failed" ] || fail "the host's requests verdict is '$host_requests'"
for k in $KERNELS; do
	v=$(sed -n 's/^requests verdict: //p' "$TMP/judge-$k.out")
	[ "$v" = "$host_requests" ] || fail "kernel $k's requests verdict '$v' differs from the host's '$host_requests'"
done
pass "requests verdict '$host_requests' on every kernel, $KERNELS and the host"
