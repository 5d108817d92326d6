#!/usr/bin/env bash
# provoke thp N faults in N PMD-sized transparent huge pages: tracefs sees
# one successful order-9 (hpage_pmd_size) kmem:mm_page_alloc per huge page
# mapped (smaps AnonHugePages), never more than /proc/vmstat thp_fault_alloc
# grew, and one order-0 page table deposited with each.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../tracefs.sh"

provoke_require
N=8
enabled=$(sed 's/.*\[\(.*\)\].*/\1/' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)
[ -n "$enabled" ] || skip "no transparent huge pages in this kernel"
[ "$enabled" != never ] || skip "transparent_hugepage/enabled is never"
trace_event kmem/mm_page_alloc

out=$TMP/thp.out
sh -c "$TRACED" sh "$TI" "$PROVOKE" --marker "$TI/trace_marker" thp "$N" >"$out" || fail "provoke thp: $(cat "$out")"
trace_save thp
[ "$(val "$out" status)" = ok ] || fail "provoke: $(cat "$out")"
order=$(val "$out" thp.order)
huge=$(val "$out" thp.huge)
vmstat=$(val "$out" thp.vmstat_fault_alloc_delta)
ok=$(between "$TMP/thp.trace" thp | grep -v 'page=0000000000000000' | count "mm_page_alloc: .* order=$order ")
failed=$(between "$TMP/thp.trace" thp | count "mm_page_alloc: page=0000000000000000 .* order=$order ")
tables=$(between "$TMP/thp.trace" thp | count 'mm_page_alloc: .* order=0 .*GFP_KERNEL_ACCOUNT')
echo "thp $N (order $order): huge pages mapped $huge, order-$order allocations $ok (+$failed failed), vmstat thp_fault_alloc +$vmstat, page tables $tables"

[ "$huge" -ge 1 ] || fail "no huge page mapped (fragmented memory? defrag=$(val "$out" thp.defrag))"
[ "$ok" = "$huge" ] || fail "$ok order-$order allocations for $huge huge pages mapped"
[ "$vmstat" -ge "$ok" ] || fail "vmstat thp_fault_alloc grew by $vmstat, less than the $ok traced"
[ "$tables" -ge "$huge" ] || fail "$tables deposited page tables for $huge huge pages"
[ "$huge" = "$N" ] || echo "note: only $huge of $N faults got a huge page (fallback: $(val "$out" thp.vmstat_fault_fallback_delta))"
pass "thp $N: $huge order-$order allocations, as mapped and within vmstat thp_fault_alloc (+$vmstat)"
