# The NUMA case (docs/requests.md, "cpuset_or_mempolicy"), a guest scenario:
# sourced by tests/vm/init when the kernel command line says
# fragscope.scenarios=numa; the guest has two nodes (tests/vm/run.sh with
# FRAGSCOPE_VM_NODES=2), and it is judged by tests/integration/test_vm_numa.sh.
#
# 1. Node 1 loses every free block of order 5 and more, most of it staying
#    free: fraglab fragment 5 (tests/tools/fraglab.c), kept to node 1 by a
#    hardwall cpuset of node 1 (where the kernel has cgroup v1 cpusets) and
#    an MPOL_BIND policy (numabind 1).
# 2. fragscope record starts, its own memory bound to node 0 (numabind 0), so
#    nothing it allocates or frees touches node 1; it follows fraglab only.
# 3. fraglab pipe-resize 5: each F_SETPIPE_SZ's kcalloc is an order-5
#    kmalloc_large, a costly order (no OOM kill), that node 1 cannot serve
#    while node 0 has a hundred such blocks:
#    cpuset     in the hardwall cpuset of node 1: ENOMEM each time, on every
#               kernel that has the v1 hierarchy (the page allocator keeps a
#               task-context allocation to its cpuset's nodes, and a hardwall
#               keeps GFP_KERNEL there too)
#    mempolicy  outside it, under MPOL_BIND to node 1: ENOMEM where
#               kmalloc_large allocates by the task's policy; a kernel whose
#               kmalloc_large calls alloc_pages_node(NUMA_NO_NODE) (6.1)
#               ignores the policy and takes node 0's block: nothing fails
#    control    under MPOL_BIND to node 0: succeeds
#    One of the first two, the cpuset where there is one, must fail every
#    time ("numa kept failed").
# fragscope must count exactly the ENOMEMs fraglab saw, every one a failed
# fcntl request with cause cpuset_or_mempolicy, its evidence the cpuset's or
# the policy's nodes, and the zones of both nodes: none of node 1's with a
# block of order 5, node 0's with some.
NUMABIND=$TOOLDIR/numabind FRAGLAB=$TOOLDIR/fraglab
NUMA_ORDER=5 NUMA_TRIES=3
NUMA_START=$(date +%s)
N1=/sys/devices/system/node/node1

node_free_kb() { awk '$3 == "MemFree:" { print $4 }' /sys/devices/system/node/node$1/meminfo; }
# Free blocks of order ORDER or more on node NODE (every zone but DMA): node_blocks NODE ORDER
node_blocks() {
	awk -v node="$1," -v order=$2 '$2 == node && $4 != "DMA" { for (i = 5 + order; i <= NF; i++) n += $i } END { print n + 0 }' /proc/buddyinfo
}

info numa "$(ls -d /sys/devices/system/node/node* | wc -l) nodes; $(for n in /sys/devices/system/node/node*; do echo "$(basename $n): $(cat $n/cpulist 2>/dev/null) cpus, $(awk '$3 == "MemTotal:" {print $4}' $n/meminfo) kB"; done | paste -sd';')"
if [ ! -d $N1 ]; then
	fail "numa nodes" "the guest has no node 1 (qemu -numa, FRAGSCOPE_VM_NODES=2)"
	return 0
fi
pass "numa nodes" "node 1 has $(node_free_kb 1) kB free"
show buddyinfo-fresh /proc/buddyinfo
# kcompactd's proactive runs would reassemble blocks behind the scenario's
# back; short per-CPU lists leave few pages out of the fill's reach (another
# CPU's list) to merge into a block later (as in the lab).
sysctl_set vm/compaction_proactiveness 0
sysctl_set vm/percpu_pagelist_high_fraction 8192 || sysctl_set vm/percpu_pagelist_fraction 8192

# --- 1. node 1 without a free block of order 5 -------------------------------
# A cpuset of node 1 that is a hardwall: without one, the kernel's own
# allocations (GFP_KERNEL) may still take from the nodes of the nearest
# hardwalled ancestor (the root: all) once the first, fast attempt failed
# (__cpuset_node_allowed).  cgroup v2 has no hardwall, so a v1 cpuset
# hierarchy (cpuset is not enabled in the v2 tree, so it may be mounted).
# Kernels built without cgroup v1 cpusets (CONFIG_CPUSETS_V1, off in
# Debian's from 6.12) keep the task to node 1 by its MPOL_BIND policy alone.
CSROOT=$WD/cpuset CS= in_cpuset=
mkdir -p $CSROOT
if grep -qw cpuset /proc/filesystems && mount -t cgroup -o cpuset cpuset $CSROOT && mkdir $CSROOT/numa-node1 &&
	cat $CSROOT/cpuset.cpus >$CSROOT/numa-node1/cpuset.cpus && echo 1 >$CSROOT/numa-node1/cpuset.mems &&
	echo 1 >$CSROOT/numa-node1/cpuset.mem_hardwall; then
	CS=$CSROOT/numa-node1
	info "numa cpuset" "$CS: mems $(cat $CS/cpuset.mems), mem_hardwall $(cat $CS/cpuset.mem_hardwall)"
	# in_cpuset CMD [ARGS]: CMD in the cpuset of node 1, as the same process (its pid is $! in the background).
	printf '#!/bin/sh\necho $$ >%s/cgroup.procs && exec "$@"\n' "$CS" >$WD/in_cpuset
	chmod +x $WD/in_cpuset
	in_cpuset=$WD/in_cpuset
else
	info "numa cpuset" "no cgroup v1 cpuset hierarchy here (no hardwall): node 1 by MPOL_BIND alone"
fi

$in_cpuset $NUMABIND 1 $FRAGLAB fragment $NUMA_ORDER >$WD/fragment.out 2>&1 &
FRAGPID=$!
i=0
while ! grep -q '^ready' $WD/fragment.out && kill -0 $FRAGPID 2>/dev/null && [ $i -lt 3000 ]; do i=$((i + 1)); sleep 0.1; done
show fragment $WD/fragment.out
grep -q '^ready' $WD/fragment.out && pass "numa fragment" "node 1: $(grep -E '^fraglab.fragment.(fill_pages|pinned_pages|ring_pipes|ring_refused)=' $WD/fragment.out | sed 's/^fraglab.fragment.//' | paste -sd' ')" ||
	fail "numa fragment" "fraglab fragment bound to node 1 did not finish"
info "numa fragment task" "$(grep -E '^(Name|Mems_allowed_list)' /proc/$FRAGPID/status 2>/dev/null | tr '\t\n' '  ')cgroup $(cat /proc/$FRAGPID/cgroup), policy $(head -1 /proc/$FRAGPID/numa_maps | cut -d' ' -f2)"
show buddyinfo-fragmented /proc/buddyinfo
# A kernel whose kmalloc_large follows neither would have taken node 0's blocks instead.
n0_fragmented=$(node_blocks 0 $NUMA_ORDER)
if [ "$n0_fragmented" = 0 ]; then
	fail "numa node 0 blocks" "the rings took node 0's blocks: neither the cpuset nor the policy kept them to node 1"
	kill $FRAGPID
	return 0
fi

# --- 2. fragscope, bound to node 0 -------------------------------------------
timeout 400 $NUMABIND 0 $FS record -d 360 --comm fraglab --no-file -F json >$WD/numa.json 2>$WD/numa.err &
FSPID=$!
if ! wait_attached $WD/numa.err $FSPID; then
	show numa-stderr $WD/numa.err
	dmesg | tail -40 >$WD/numa.dmesg
	show dmesg $WD/numa.dmesg
	fail "numa record" "fragscope record did not attach"
	kill $FRAGPID
	return 0
fi

# --- 3. requests kept to node 1 fail; bound to node 0 they do not -------------
# An attempt: the holder first takes what came free on node 1 since it
# settled (its refused ring also drains the per-CPU lists, whose pages the
# first failing request would otherwise drain and merge into a block of
# order 5), then the three cases.  A kept-to-node-1 request that succeeded
# found such a block all the same (seen once on 7.3 in CI: 1 of 3): that
# attempt is reported and made again, up to NUMA_ATTEMPTS; the first one
# where every kept request failed is judged.  fragscope's counts are judged
# over all of them: it traced every one.
NUMA_ATTEMPTS=3 attempt=0 cs_failed=0 mp_failed=0 kept=
# The kept-to-node-1 case of this kernel must fail every time: the
# cpuset's where there is one; else MPOL_BIND's.
kept_case=mempolicy kept_how="under MPOL_BIND to node 1"
[ -z "$CS" ] || kept_case=cpuset kept_how="in the hardwall cpuset of node 1"
got() { sed -n "s/^fraglab.pipe_resize.$2=//p" $WD/$1.out 2>/dev/null; }
while [ $attempt -lt $NUMA_ATTEMPTS ] && [ "$kept" != $NUMA_TRIES ]; do
	attempt=$((attempt + 1))
	[ -z "$kept" ] || info "numa disturbed" "attempt $((attempt - 1)): $kept of $NUMA_TRIES kept to node 1 failed (outcomes $(got $kept_case outcomes)); again"
	resettle_holder numa $FRAGPID $WD/fragment.out
	# fragscope's zone figures are its latest /proc sample (one a second): let it take one now.
	sleep 2
	show buddyinfo-taken /proc/buddyinfo
	n1_before=$(node_blocks 1 $NUMA_ORDER) n0_before=$(node_blocks 0 $NUMA_ORDER)
	expect "numa node 1 blocks" 0 "$n1_before" "free blocks of order $NUMA_ORDER+ on node 1 ($(node_free_kb 1) kB free; node 0: $n0_before blocks)"
	if [ -n "$CS" ]; then
		$in_cpuset timeout 120 $FRAGLAB pipe-resize $NUMA_ORDER $NUMA_TRIES >$WD/cpuset.out 2>&1
		show cpuset $WD/cpuset.out
	fi
	timeout 120 $NUMABIND 1 $FRAGLAB pipe-resize $NUMA_ORDER $NUMA_TRIES >$WD/mempolicy.out 2>&1
	show mempolicy $WD/mempolicy.out
	timeout 120 $NUMABIND 0 $FRAGLAB pipe-resize $NUMA_ORDER $NUMA_TRIES >$WD/control.out 2>&1
	show control $WD/control.out
	n1_after=$(node_blocks 1 $NUMA_ORDER)
	n=$(got cpuset failed); cs_failed=$((cs_failed + ${n:-0}))
	n=$(got mempolicy failed); mp_failed=$((mp_failed + ${n:-0}))
	kept=$(got $kept_case failed)
done
sleep 2
kill -INT $FSPID
wait $FSPID
rc_rec=$?
kill $FRAGPID 2>/dev/null
wait $FRAGPID 2>/dev/null
show numa-stderr $WD/numa.err
dmesg | grep -iE 'oom|killed|page allocation failure' | tail -20 >$WD/numa.dmesg
show dmesg $WD/numa.dmesg
[ $rc_rec = 0 ] && pass "numa record" "fragscope record exited 0" || fail "numa record" "fragscope record exited $rc_rec"

info "numa attempts" "$attempt of at most $NUMA_ATTEMPTS"
expect "numa kept failed" $NUMA_TRIES "$kept" "F_SETPIPE_SZ of order $NUMA_ORDER $kept_how failed, errno $(got $kept_case errno)"
if [ -n "$CS" ]; then
	n=$(got mempolicy failed)
	info "numa mempolicy" "under MPOL_BIND to node 1 alone: $n of $NUMA_TRIES failed: kmalloc_large $([ "$n" = 0 ] && echo "ignored" || echo "followed") the task's policy"
fi
expect "numa control succeeded" $NUMA_TRIES "$(got control succeeded)" "the same bound to node 0 succeeded"
expect "numa node 1 blocks after" 0 "$n1_after" "free blocks of order $NUMA_ORDER+ on node 1 after the requests"

R=$WD/numa.json
if ! jq -e .requests $R >/dev/null 2>&1; then
	fail "numa requests" "no JSON report with .requests"
	return 0
fi
jq -c '{request_summary, requests: [.requests[] | select(.comm == "fraglab")]}' $R >$WD/numa.compact.json
keep numa.report.json $WD/numa.compact.json
jq -r '.requests[] | select(.comm == "fraglab") | "\(.count)x \(.line)"' $R >$WD/numa.lines
show line $WD/numa.lines
# The resizers' requests; the holder's, its refused ring at each resettle, apart.
resizers="select(.comm == \"fraglab\" and .pid != $FRAGPID)"
failed_fraglab() { jq "[.requests[] | $resizers | select(.outcome == \"failed\" $1) | .count] | add // 0" $R; }
mine='and .syscall == "fcntl" and .ret == -12 and .cause == "cpuset_or_mempolicy"'
# Exact: the ENOMEMs fraglab saw are the failed requests, all of them this cause.
expect "numa requests cpuset" "$cs_failed" "$(failed_fraglab "$mine and .evidence.policy == \"default\"")" \
	"failed fcntl requests, cause cpuset_or_mempolicy, default policy = fraglab's ENOMEMs in the cpuset"
expect "numa requests mempolicy" "$mp_failed" "$(failed_fraglab "$mine and .evidence.policy == \"bind\"")" \
	"failed fcntl requests, cause cpuset_or_mempolicy, policy bind = fraglab's ENOMEMs under MPOL_BIND"
expect "numa requests all" $((cs_failed + mp_failed)) "$(failed_fraglab '')" "failed requests of fraglab, any cause"
expect "numa requests holder" $attempt "$(jq "[.requests[] | select(.pid == $FRAGPID and .outcome == \"failed\" and .syscall == \"fcntl\") | .count] | add // 0" $R)" \
	"failed fcntl requests of the holder = its refused rings, one per resettle"
# The evidence, of each such request: the policy and the nodes, node 1's
# zones without a block of the order, node 0's with.
ev="[.requests[] | $resizers | select(.cause == \"cpuset_or_mempolicy\") | .evidence]"
nodes_of() { jq -c "$ev | map(select(.policy == \"$1\") | [.policy, .policy_nodes, .cpuset_nodes, .allowed_nodes]) | unique" $R; }
if [ "$cs_failed" != 0 ]; then
	expect "numa evidence cpuset" '[["default",[],[1],[1]]]' "$(nodes_of default)" "[policy, policy_nodes, cpuset_nodes, allowed_nodes]"
fi
if [ "$mp_failed" != 0 ]; then
	expect "numa evidence mempolicy" '[["bind",[1],[0,1],[1]]]' "$(nodes_of bind)" "[policy, policy_nodes, cpuset_nodes, allowed_nodes]"
fi
blocks_of() { jq "$ev | [.[].zones[] | select(.node == $1) | .free_blocks_by_order[$NUMA_ORDER:] | add // 0] | add // 0" $R; }
expect "numa evidence node 1" 0 "$(blocks_of 1)" "free blocks of order $NUMA_ORDER+ in node 1's zones, in the requests' evidence"
n0_ev=$(blocks_of 0)
[ "$n0_ev" -gt 0 ] 2>/dev/null && pass "numa evidence node 0" "$n0_ev free blocks of order $NUMA_ORDER+ in node 0's zones, summed over the requests (buddyinfo before: $n0_before)" ||
	fail "numa evidence node 0" "node 0's zones show no block of order $NUMA_ORDER in the evidence ($n0_ev)"
[ -z "$CS" ] || { rmdir $CS && umount $CSROOT; }
info "numa time" "$(($(date +%s) - NUMA_START)) s"
# What must read the same on every kernel: fraglab's requests.
verdict numa "$(jq -r "[.requests[] | $resizers | \"\\(.syscall):\\(.api):\\(.cause):\\(.outcome)\"] | unique | join(\",\")" $R)"
