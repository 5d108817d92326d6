#!/usr/bin/env bash
# A workload's order-0 page faults and order-9 THP faults appear for its pid
# with the right counts (THP cross-checked with /proc/vmstat thp_fault_alloc),
# and --pid leaves every other process out.
source "$(dirname "$0")/../lib.sh"
require_bpf
PAGES=3000
THPS=8

provoke_prepare work "$TOOLS/provoke" --wait pages "$PAGES"
pages_pid=$PROVOKE_PID
fragscope_start record -p "$pages_pid" --min-order 0 --no-file -F json
provoke_go work
fragscope_stop || fail "record exited $?: $(cat "$TMP/fs.err")"
cp "$TMP/fs.out" "$ARTIFACTS/orders-pages.json"

order0=$(json_get "$TMP/fs.out" "[.page_alloc.by_process[] | select(.pid == $pages_pid and .order == 0) | .count] | add // 0")
touched=$(provoke_value work pages.touched)
echo "order-0 allocations traced for pid $pages_pid: $order0 (pages touched: $touched)"
# Each touched page is one order-0 allocation; page tables and the
# process's own start-up add a few more, never fewer.
[ "$order0" -ge "$touched" ] || fail "traced $order0 order-0 allocations, fewer than the $touched pages touched"
[ "$order0" -le $((touched + touched / 10 + 200)) ] || fail "traced $order0 order-0 allocations, far more than $touched"
others=$(json_get "$TMP/fs.out" "[.page_alloc.by_process[] | select(.pid != $pages_pid)] | length")
[ "$others" = 0 ] || fail "--pid $pages_pid let $others other processes in"
failures_elsewhere=$(json_get "$TMP/fs.out" "[.failures[] | select(.pid != $pages_pid)] | length")
[ "$failures_elsewhere" = 0 ] || fail "--pid let failures of other processes in"
pass "order-0 allocations counted for the pid, and only for it"

provoke_prepare thp "$TOOLS/provoke" --wait thp "$THPS"
thp_pid=$PROVOKE_PID
fragscope_start record -p "$thp_pid" --min-order 0 --no-file -F json
provoke_go thp
fragscope_stop || fail "record exited $?"
cp "$TMP/fs.out" "$ARTIFACTS/orders-thp.json"
order9=$(json_get "$TMP/fs.out" "[.page_alloc.by_process[] | select(.pid == $thp_pid and .order == 9) | .count] | add // 0")
vmstat_delta=$(provoke_value thp thp.vmstat_fault_alloc_delta)
huge=$(provoke_value thp thp.huge)
echo "order-9 allocations traced: $order9; thp_fault_alloc delta: $vmstat_delta; huge pages mapped: $huge"
[ "$huge" -gt 0 ] || fail "the workload got no huge pages (THP disabled?)"
# The vmstat counter is system-wide, so other tasks may add to it; ours can't exceed it.
[ "$order9" -ge "$huge" ] || fail "traced $order9 order-9 allocations, fewer than the $huge huge pages mapped"
[ "$order9" -le "$vmstat_delta" ] || fail "traced $order9 order-9 allocations, more than vmstat's $vmstat_delta"
thp_movable=$(json_get "$TMP/fs.out" "[.page_alloc.by_order[] | select(.order == 9 and .migratetype == \"Movable\") | .count] | add // 0")
[ "$thp_movable" -ge "$huge" ] || fail "order-9 allocations not recorded as Movable in the order table"
pass "order-9 THP allocations match the huge pages mapped and /proc/vmstat"
