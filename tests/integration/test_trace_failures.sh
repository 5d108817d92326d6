#!/usr/bin/env bash
# Real allocation failures, provoked inside a memory cgroup at its limit,
# appear with the right kind and a stack through the expected kernel
# functions: a page-allocator failure beneath a kmalloc failure, a kmalloc
# failure, a vmalloc failure and a kmem_cache_alloc failure.
source "$(dirname "$0")/../lib.sh"
require_bpf
ROUNDS=3

memcg_create failures $((32 << 20)) || fail "cannot create a memory cgroup"
cg=$MEMCG
provoke_prepare fail memcg_run "$cg" "$TOOLS/provoke" --wait fail all "$ROUNDS"
pid=$PROVOKE_PID
fragscope_start record -p "$pid" --cgroup "$cg" --no-file -F json --top 50
provoke_go fail
fragscope_stop || fail "record exited $?: $(cat "$TMP/fs.err")"
cp "$TMP/fs.out" "$ARTIFACTS/failures.json"
cat "$TMP/fail.out" >"$ARTIFACTS/failures-provoke.txt"
report=$TMP/fs.out

count_kind() { json_get "$report" "[.failures[] | select(.kind == \"$1\" and .pid == $pid) | .count] | add // 0"; }
has_frame() { # kind, frame regex: some failure of that kind has the frame in its stack
	json_get "$report" "[.failures[] | select(.kind == \"$1\") | .stack[] | select(test(\"$2\"))] | length" | grep -qv '^0$'
}

for kind in page kmalloc vmalloc slab; do
	n=$(count_kind $kind)
	echo "$kind failures: $n"
	[ "$n" -ge 1 ] || fail "no $kind failure traced for pid $pid"
done
[ "$(count_kind kmalloc)" -ge $((ROUNDS * 2)) ] || fail "fewer kmalloc failures than the $((ROUNDS * 2)) provoked"

has_frame vmalloc '^__vmalloc_node_range(_noprof)?\\+' || fail "vmalloc failure without __vmalloc_node_range in its stack"
has_frame vmalloc '^__bpf_map_area_alloc\\+' || fail "vmalloc failure without its caller __bpf_map_area_alloc"
has_frame kmalloc '^__bpf_map_area_alloc\\+' || fail "kmalloc failure without its caller __bpf_map_area_alloc"
has_frame page '^(__)?alloc_pages|^__alloc_frozen_pages' || fail "page failure without the page allocator in its stack"
has_frame page '^__kmalloc_large_node|^___kmalloc_large_node' || fail "no page failure inside kmalloc_large"
has_frame slab 'fanotify' || fail "slab failure without the fanotify event allocation in its stack"
pass "page, kmalloc, vmalloc and slab failures traced with their kernel stacks"

nested=$(json_get "$report" '[.failures[] | select(.kind == "page") | .beneath.kmalloc // 0] | add // 0')
caused=$(json_get "$report" '[.failures[] | select(.kind == "kmalloc") | .caused_by.page // 0] | add // 0')
echo "page failures beneath kmalloc failures: $nested; kmalloc failures caused by page failures: $caused"
[ "$nested" -ge "$ROUNDS" ] && [ "$caused" = "$nested" ] || fail "kmalloc_large's page failures not linked to their kmalloc failures"
pass "a page failure beneath a kmalloc failure is shown as such"

memcg_id=$(stat -c %i "$cg")
wrong=$(json_get "$report" "[.failures[] | select(.cgroup_id != $memcg_id)] | length")
[ "$wrong" = 0 ] || fail "failures not attributed to the memory cgroup $memcg_id"
lost=$(json_get "$report" '.meta.lost.total')
[ "$lost" = 0 ] || fail "$lost events lost"
pass "failures carry the memory cgroup id; nothing lost"

at_limit=$(json_get "$report" '[.failures[] | .memcg_at_limit] | add')
total=$(json_get "$report" '[.failures[] | .count] | add')
echo "failures at the memory cgroup's limit: $at_limit of $total"
[ "$at_limit" -ge $((total * 9 / 10)) ] || fail "failures in a full memcg not attributed to its limit"
pass "failures are attributed to the memory cgroup's limit"

samples=$(json_get "$report" '.state.samples')
[ "$samples" -ge 1 ] || fail "no fragmentation-state sample kept with the trace"
with_state=$(json_get "$report" '[.failures[] | select(.free_blocks_before and .free_blocks_after)] | length')
[ "$with_state" -ge 1 ] || fail "no failure carries the free blocks of its order before and after it"
normal=$(json_get "$report" '[.failures[] | select(.free_blocks_before) | .free_blocks_before | keys[]] | map(select(test("Normal"))) | length')
[ "$normal" -ge 1 ] || fail "the state around failures names no Normal zone"
pass "failures carry the free blocks of their order in each zone before and after them"
