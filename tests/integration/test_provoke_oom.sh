#!/usr/bin/env bash
# provoke oom, in a memory cgroup at 32 MiB, forks a child (oom_score_adj
# 1000) that touches 64 MiB: the memcg OOM killer kills that child and only
# it: tracefs sees one oom:mark_victim naming the child, raised in the
# child's own charge path (mem_cgroup_out_of_memory), and the cgroup counts
# one oom_kill.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../tracefs.sh"

provoke_require
memcg_create provoke-oom $((32 << 20)) || fail "cannot create a memory cgroup"
cg=$MEMCG
trace_event oom/mark_victim
trace_stack oom/mark_victim 'pid > 0'

out=$TMP/oom.out
start=$(date +%s)
memcg_run "$cg" sh -c "$TRACED" sh "$TI" "$PROVOKE" --marker "$TI/trace_marker" oom 64 >"$out" ||
	fail "provoke oom: $(cat "$out")"
secs=$(($(date +%s) - start))
trace_save oom
cp "$out" "$ARTIFACTS/provoke-oom.out"
child=$(val "$out" oom.child_pid)
victims=$(count 'mark_victim: pid=' <"$TMP/oom.trace")
echo "child $child: status $(val "$out" oom.child_status) signal $(val "$out" oom.child_signal)," \
	"touched $(val "$out" oom.child_touched_bytes) bytes; mark_victim events: $victims; memcg oom_kill +$(val "$out" oom.memcg_oom_kill_delta); ${secs}s"
[ "$(val "$out" status)" = ok ] || fail "provoke: $(cat "$out")"
[ "$(val "$out" oom.killed)" = 1 ] && [ "$(val "$out" oom.child_signal)" = 9 ] || fail "the child was not SIGKILLed"
[ "$victims" = 1 ] || fail "$victims mark_victim events"
[ "$(count "mark_victim: pid=$child " <"$TMP/oom.trace")" = 1 ] || fail "the victim is not the child $child"
stacks <"$TMP/oom.trace" | grep -qE "^ *[^ ]+-$child .*mark_victim: .*\|\| .*mark_oom_victim .*mem_cgroup_out_of_memory try_charge_memcg" ||
	fail "mark_victim not raised by the child's memcg charge: $(stacks <"$TMP/oom.trace")"
[ "$(val "$out" oom.memcg_oom_kill_delta)" = 1 ] || fail "memcg oom_kill grew by $(val "$out" oom.memcg_oom_kill_delta)"
[ "$(val "$out" oom.child_touched_bytes)" -le $((32 << 20)) ] || fail "the child got past the limit"
[ "$secs" -le 30 ] || fail "took $secs s"
pass "the child $child was OOM-killed in its memcg, once, with oom:mark_victim from its charge path"
