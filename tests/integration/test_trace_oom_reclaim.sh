#!/usr/bin/env bash
# memcg reclaim stalls and an OOM kill, provoked inside memory cgroups,
# are traced: stalls with latencies, the kill with its victim and the stack
# of the allocation that invoked the OOM killer.
source "$(dirname "$0")/../lib.sh"
require_bpf

memcg_create reclaim $((64 << 20)) || fail "cannot create a memory cgroup"
provoke_prepare reclaim memcg_run "$MEMCG" "$TOOLS/provoke" --wait reclaim 256 1
pid=$PROVOKE_PID
fragscope_start record -p "$pid" --no-file -F json
provoke_go reclaim
fragscope_stop || fail "record exited $?: $(cat "$TMP/fs.err")"
cp "$TMP/fs.out" "$ARTIFACTS/reclaim.json"
stalls=$(json_get "$TMP/fs.out" '.reclaim.memcg.stalls')
reclaimed=$(json_get "$TMP/fs.out" '.reclaim.memcg.pages_reclaimed')
echo "memcg reclaim stalls: $stalls, pages reclaimed: $reclaimed"
[ "$stalls" -ge 1 ] || fail "no memcg reclaim stall traced"
[ "$reclaimed" -ge 1 ] || fail "memcg reclaim reclaimed nothing"
[ "$(json_get "$TMP/fs.out" '.reclaim.memcg.latency.count')" = "$stalls" ] || fail "histogram misses stalls"
pass "memcg reclaim stalls traced with latency"

memcg_create oom $((32 << 20)) || fail "cannot create a memory cgroup"
provoke_prepare oom memcg_run "$MEMCG" "$TOOLS/provoke" --wait oom
pid=$PROVOKE_PID
fragscope_start record --cgroup "$MEMCG" --no-file -F json
provoke_go oom
fragscope_stop || fail "record exited $?: $(cat "$TMP/fs.err")"
cp "$TMP/fs.out" "$ARTIFACTS/oom.json"
victim=$(provoke_value oom oom.child_pid)
[ "$(provoke_value oom oom.killed)" = 1 ] || fail "the workload's child was not OOM-killed"
kills=$(json_get "$TMP/fs.out" "[.oom[] | select(.victim_pid == $victim)] | length")
[ "$kills" = 1 ] || fail "OOM kill of pid $victim not traced: $(jq -c .oom "$TMP/fs.out")"
json_get "$TMP/fs.out" "[.oom[] | select(.victim_pid == $victim) | .stack[] | select(test(\"out_of_memory|mem_cgroup_out_of_memory\"))] | length" |
	grep -qv '^0$' || fail "the OOM kill's stack lacks the OOM killer"
pass "OOM kill traced with its victim and the invoking stack"
