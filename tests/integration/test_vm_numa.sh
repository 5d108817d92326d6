#!/usr/bin/env bash
# The cause cpuset_or_mempolicy, provoked for real (docs/requests.md): a
# 1 GiB qemu TCG guest with two NUMA nodes of 512 MiB (tests/vm/run.sh with
# FRAGSCOPE_VM_NODES=2, scenario tests/vm/scenarios/numa.sh).  Node 1 is
# fragmented (no free block of order 5, most of it free), then order-5
# F_SETPIPE_SZ requests kept to node 1 (a hardwall cpuset of node 1, or
# MPOL_BIND to node 1 on kernels without cgroup v1 cpusets) fail while node
# 0 has a hundred such blocks.  The guest asserts that fragscope's failed
# requests with cause cpuset_or_mempolicy equal the ENOMEMs the provoker
# saw, and their evidence (the policy, the cpuset's and allowed nodes, both
# nodes' free blocks); this test judges its VMTEST: lines and requires the
# same verdict on every kernel.  `make test-vm-numa [KERNELS="5.10 6.1 6.12
# 7"]`; the console and the guest's JSON are kept in
# build/artifacts/vm-numa-<kernel>/.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/vm/matrix.sh"

vm_matrix_prepare fraglab numabind provoke
# Every check of the scenario, by name: a guest that skipped one fails here.
CHECKS=('numa nodes' 'numa fragment' 'numa node 1 blocks' 'numa record' 'numa kept failed' 'numa control succeeded'
	'numa node 1 blocks after' 'numa requests cpuset' 'numa requests mempolicy' 'numa requests all' 'numa requests holder'
	'numa evidence node 1' 'numa evidence node 0')

# numa_judge KERNEL OUTDIR: the guest's lines, then its verdict into OUTDIR/verdict.
numa_judge() {
	local k=$1 out=$2 lines=$2/vmtest release check
	tr -d '\r' <"$out/console.log" | grep -a -o 'VMTEST: .*' | grep -v '^VMTEST: INFO format ' >"$lines"
	sed "s/^/[$k] /" "$lines"
	grep -q '^VMTEST: DONE ' "$lines" || fail "$k: the guest did not finish the scenario (no VMTEST: DONE line)"
	release=$(sed -n 's/^VMTEST: INFO kernel: \([^ ]*\).*/\1/p' "$lines")
	[[ $release == "$k".* ]] || fail "$k: the guest ran kernel '$release'"
	grep -qx "VMTEST: INFO fragscope: sha256 $sum" "$lines" || fail "$k: the guest's fragscope is not $FRAGSCOPE"
	! grep -q '^VMTEST: \(FAIL\|WARN\) ' "$lines" ||
		fail "$k: $(grep -c '^VMTEST: \(FAIL\|WARN\) ' "$lines") checks failed: $(grep '^VMTEST: \(FAIL\|WARN\) ' "$lines" | tr '\n' ';')"
	for check in "${CHECKS[@]}"; do
		grep -q "^VMTEST: PASS $check: " "$lines" || fail "$k: check '$check' did not pass"
	done
	# Where a kept request failed, its evidence names the nodes that kept it.
	grep -q '^VMTEST: PASS numa evidence \(cpuset\|mempolicy\): ' "$lines" || fail "$k: no evidence of the nodes checked"
	sed -n 's/^VMTEST: VERDICT numa: //p' "$lines" >"$out/verdict"
	[ -s "$out/verdict" ] || fail "$k: no VERDICT numa line"
	pass "$k ($release): $(sed -n 's/^VMTEST: PASS numa kept failed: //p' "$lines"); $(sed -n 's/^VMTEST: PASS numa requests all: //p' "$lines")"
}

vm_matrix numa numa 300 numa_judge FRAGSCOPE_VM_NODES=2
