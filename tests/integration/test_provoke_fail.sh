#!/usr/bin/env bash
# provoke fail, in a memory cgroup at 32 MiB, makes real allocations fail
# in the kernel, each kind on its own path, and never the OOM killer:
#   kmalloc  kmem:kmalloc ptr=0 from __bpf_map_area_alloc (kmalloc-cg-8k)
#   large    kmem:mm_page_alloc order=3 page=0 inside ___kmalloc_large_node
#   vmalloc  kmem:mm_page_alloc order=0 page=0 inside __vmalloc_node_range
#   slab     kmem:kmem_cache_alloc ptr=0 from fanotify_handle_event
# and the portable kinds (pipe, inotify: no BPF map, as on 5.10).
# with the kernel stacks (stacktrace triggers) the tracer tests rely on.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../tracefs.sh"

provoke_require
ROUNDS=3
memcg_create provoke-fail $((32 << 20)) || fail "cannot create a memory cgroup"
cg=$MEMCG
NULLPAGE=0xffffffffffffffff # kmem:mm_page_alloc's pfn when no page was returned
trace_event kmem/kmalloc 'ptr == 0'
trace_event kmem/kmem_cache_alloc 'ptr == 0'
trace_event kmem/mm_page_alloc "pfn == $NULLPAGE"
trace_event oom/mark_victim
trace_stack kmem/kmalloc 'ptr == 0'
trace_stack kmem/kmem_cache_alloc 'ptr == 0'
trace_stack kmem/mm_page_alloc "pfn == $NULLPAGE"
oom_kills() { if [ -f "$cg/memory.oom_control" ]; then sed -n 's/^oom_kill //p' "$cg/memory.oom_control"; else sed -n 's/^oom_kill //p' "$cg/memory.events"; fi; }

out=$TMP/fail.out
start=$(date +%s)
memcg_run "$cg" sh -c "$TRACED" sh "$TI" "$PROVOKE" --marker "$TI/trace_marker" fail all "$ROUNDS" >"$out" ||
	fail "provoke fail: $(cat "$out")"
secs=$(($(date +%s) - start))
trace_save fail
cp "$out" "$ARTIFACTS/provoke-fail.out"
[ "$(val "$out" status)" = ok ] || fail "provoke: $(cat "$out")"
for k in kmalloc large vmalloc; do
	echo "$k: $(val "$out" fail.$k.attempts) BPF_MAP_CREATE, $(val "$out" fail.$k.failed) failed ($(val "$out" fail.$k.errno))"
	[ "$(val "$out" fail.$k.failed)" = "$ROUNDS" ] && [ "$(val "$out" fail.$k.errno)" = ENOMEM ] ||
		fail "$k: $(val "$out" fail.$k.failed) of $ROUNDS BPF_MAP_CREATE failed, errno $(val "$out" fail.$k.errno)"
done
between "$TMP/fail.trace" fail | stacks >"$TMP/stacks"
cp "$TMP/stacks" "$ARTIFACTS/provoke-fail.stacks"

# kmalloc: the slab-sized kmalloc_node() of bpf_map_area_alloc fails its memcg charge.
n=$(count 'kmalloc: call_site=__bpf_map_area_alloc.* bytes_alloc=8192 .*\|\| .*__kmalloc_node(_noprof)? __bpf_map_area_alloc array_map_alloc map_create' <"$TMP/stacks")
echo "kmalloc failures (kmalloc-8k, __bpf_map_area_alloc): $n"
# (an attempt that found memory came free meanwhile may fail only its kmalloc:
# provoke then counts it as succeeded and makes another)
in_range() { [ "$1" -ge "$ROUNDS" ] && [ "$1" -le "$(val "$out" fail."$2".attempts)" ]; }
in_range "$n" kmalloc || fail "$n kmalloc failures from __bpf_map_area_alloc, expected $ROUNDS"

# large: a page-allocator failure (order 3) beneath the kmalloc_large failure.
n=$(count 'mm_page_alloc: .* order=3 .*\|\| .*___kmalloc_large_node __kmalloc_large_node(_noprof)? __kmalloc_node(_noprof)? __bpf_map_area_alloc' <"$TMP/stacks")
k=$(count 'kmalloc: .* bytes_alloc=32768 .*\|\| .*__bpf_map_area_alloc array_map_alloc' <"$TMP/stacks")
echo "order-3 page failures inside ___kmalloc_large_node: $n; their kmalloc failures: $k"
in_range "$n" large || fail "$n order-3 page failures in kmalloc_large, expected $ROUNDS"
[ "$k" -ge "$ROUNDS" ] || fail "$k kmalloc_large failures traced, expected $ROUNDS or more"

# vmalloc: every map creation falls back to vmalloc, whose first page fails.
n=$(count 'mm_page_alloc: .* order=0 .*\|\| .*__vmalloc_node_range(_noprof)? __bpf_map_area_alloc array_map_alloc' <"$TMP/stacks")
echo "order-0 page failures inside __vmalloc_node_range: $n"
[ "$n" -ge $((3 * ROUNDS)) ] || fail "$n vmalloc page failures, expected at least $((3 * ROUNDS))"

# slab: fanotify's event allocation (kmem_cache_alloc, __GFP_RETRY_MAYFAIL) fails.
n=$(count 'kmem_cache_alloc: call_site=fanotify_handle_event.*\|\| .*kmem_cache_alloc(_noprof)? fanotify_handle_event' <"$TMP/stacks")
lost=$(val "$out" fail.slab.failed)
echo "kmem_cache_alloc failures in fanotify_handle_event: $n (events lost per provoke: $lost)"
[ "$n" -ge "$ROUNDS" ] && [ "$n" -le "$(val "$out" fail.slab.attempts)" ] || fail "$n fanotify event allocation failures"
[ "$n" = "$lost" ] || fail "$n kmem_cache_alloc failures traced, but $lost events lost"
[ "$(val "$out" fail.slab.queue_overflow)" = 1 ] || fail "fanotify queue did not overflow"

[ "$(count 'mark_victim:' <"$TMP/fail.trace")" = 0 ] || fail "the OOM killer ran"
[ "$(oom_kills)" = 0 ] || fail "memcg oom_kill is $(oom_kills)"
[ "$secs" -le 20 ] || fail "took $secs s"
pass "kmalloc, kmalloc_large (order-3 page), vmalloc and kmem_cache_alloc failures with their stacks, no OOM kill, ${secs}s"

# portable: no BPF map, the VM smoke's case on every kernel (5.10 included).
# Filled by pipe rings and inotify events; pipe: F_SETPIPE_SZ whose ring
# (kmalloc_large) fails its charge; inotify: reads whose event's kmalloc
# fails.  Each failed F_SETPIPE_SZ (the filler's too) is one failed page
# allocation under pipe_resize_ring; each lost inotify event one kmalloc.
out=$TMP/portable.out
memcg_run "$cg" sh -c "$TRACED" sh "$TI" "$PROVOKE" fail portable "$ROUNDS" >"$out" ||
	fail "provoke fail portable: $(cat "$out")"
trace_save portable
cp "$out" "$ARTIFACTS/provoke-fail-portable.out"
stacks <"$TMP/portable.trace" >"$TMP/portable.stacks"
for k in pipe inotify; do
	[ "$(val "$out" fail.$k.failed)" = "$ROUNDS" ] && [ "$(val "$out" fail.$k.errno)" = ENOMEM ] ||
		fail "$k: $(val "$out" fail.$k.failed) of $ROUNDS failed, errno $(val "$out" fail.$k.errno)"
done
n=$(count 'mm_page_alloc: .*\|\| .* pipe_resize_ring' <"$TMP/portable.stacks")
[ "$n" = "$(val "$out" fail.setpipe_enomem_total)" ] ||
	fail "$n page failures under pipe_resize_ring, provoke saw $(val "$out" fail.setpipe_enomem_total) F_SETPIPE_SZ fail"
i=$(count 'kmalloc: .*\|\| .*inotify_handle' <"$TMP/portable.stacks")
[ "$i" = $(($(val "$out" fail.fill_inotify_lost) + ROUNDS)) ] ||
	fail "$i kmalloc failures in inotify, provoke lost $(val "$out" fail.fill_inotify_lost) + $ROUNDS events"
s=$(count 'kmem_cache_alloc: .*\|\| .*fanotify_handle_event' <"$TMP/portable.stacks")
[ "$s" = "$(val "$out" fail.slab.failed)" ] || fail "$s fanotify failures, provoke lost $(val "$out" fail.slab.failed) events"
[ "$(count 'mark_victim:' <"$TMP/portable.trace")" = 0 ] && [ "$(oom_kills)" = 0 ] || fail "the OOM killer ran (portable)"
pass "portable: $n failed F_SETPIPE_SZ (page), $i lost inotify events (kmalloc), $s lost fanotify events (slab), as provoke counted; no OOM kill"

# The same without provoke's cgroup-v1 guard (oom_kill_disable): the
# failing allocations are NORETRY/RETRY_MAYFAIL, so still no OOM kill.
if [ -f "$cg/memory.oom_control" ]; then
	out=$TMP/fail2.out
	memcg_run "$cg" env PROVOKE_NO_OOM_GUARD=1 sh -c "$TRACED" sh "$TI" "$PROVOKE" fail kmalloc,vmalloc,slab "$ROUNDS" >"$out" ||
		fail "provoke fail without guard: $(cat "$out")"
	trace_save fail-noguard
	[ "$(val "$out" fail.oom_guard)" = none ] || fail "the guard was set: $(cat "$out")"
	[ "$(val "$out" fail.kmalloc.failed)" = "$ROUNDS" ] && [ "$(val "$out" fail.vmalloc.failed)" = "$ROUNDS" ] ||
		fail "without the guard: $(cat "$out")"
	[ "$(count 'kmem_cache_alloc: call_site=fanotify_handle_event' <"$TMP/fail-noguard.trace")" -ge "$ROUNDS" ] ||
		fail "no slab failure without the guard"
	[ "$(count 'mark_victim:' <"$TMP/fail-noguard.trace")" = 0 ] && [ "$(oom_kills)" = 0 ] ||
		fail "the OOM killer ran without the guard"
	pass "no OOM kill without the oom_kill_disable guard either"
fi
