#!/usr/bin/env bash
# Signals during record, with real failures provoked in a memory cgroup:
#  - SIGINT and SIGTERM: exit 0, the report is printed, FILE is complete and
#    `report -i FILE` counts the same failures the live report printed;
#  - SIGKILL: no FILE, FILE.partial is readable up to its last whole block
#    (report -i exits 0 with a truncation warning) and holds every failure
#    flushed before the kill (record flushes every --interval);
#  - two record instances at once both work and see the same failures.
# Bounded: about 60 s.
source "$(dirname "$0")/../lib.sh"
require_bpf

memcg_create signals $((32 << 20)) || fail "cannot create a memory cgroup"
cg=$MEMCG

# Failures in the memcg: provoke fail all 1 (page, kmalloc, vmalloc, slab).
provoke_failures() {
	memcg_run "$cg" "$TOOLS/provoke" fail all 1 >"$TMP/provoke.out" 2>&1 ||
		fail "provoke fail: $(cat "$TMP/provoke.out")"
}
failures_in() { jq -er '[.failures[]? | .count] | add // 0' "$1" || fail "jq on $1"; }


# 1. SIGINT and SIGTERM.
for sig in INT TERM; do
	file=$TMP/$sig.data
	fragscope_bg "$sig" record --cgroup "$cg" -o "$file" -F json --interval 200 ||
		fail "record $sig did not attach: $(cat "$TMP/$sig.err")"
	pid=$BG_PID
	provoke_failures
	sleep 0.5
	kill -"$sig" "$pid"
	wait "$pid"
	rc=$?
	[ "$rc" = 0 ] || fail "record exited $rc on SIG$sig: $(cat "$TMP/$sig.err")"
	[ -s "$file" ] || fail "SIG$sig: $file missing or empty"
	[ ! -e "$file.partial" ] || fail "SIG$sig: $file.partial left behind"
	live=$(failures_in "$TMP/$sig.out")
	[ "$live" -ge 1 ] || fail "SIG$sig: the live report printed no failure"
	"$FRAGSCOPE" report -i "$file" -F json >"$TMP/$sig.replay" 2>"$TMP/$sig.replay.err" ||
		fail "SIG$sig: report -i exited $?: $(cat "$TMP/$sig.replay.err")"
	replay=$(failures_in "$TMP/$sig.replay")
	echo "SIG$sig: live report $live failures, report -i $replay"
	[ "$replay" = "$live" ] || fail "SIG$sig: report -i counts $replay failures, the live report $live"
	pass "SIG$sig during record: exit 0, report printed, complete file with the same $live failures"
done

# 2. SIGKILL, with a reference instance that is stopped normally.
file=$TMP/kill.data
fragscope_bg ref record --cgroup "$cg" --no-file -F json ||
	fail "record ref did not attach: $(cat "$TMP/ref.err")"
ref=$BG_PID
fragscope_bg kill record --cgroup "$cg" -o "$file" -F json --interval 100 ||
	fail "record kill did not attach: $(cat "$TMP/kill.err")"
victim=$BG_PID
provoke_failures
sleep 1 # ten intervals: everything the workload caused has been flushed
kill -KILL "$victim"
wait "$victim" 2>/dev/null
kill -INT "$ref"
wait "$ref" || fail "reference record exited $?: $(cat "$TMP/ref.err")"
want=$(failures_in "$TMP/ref.out")
[ ! -e "$file" ] || fail "SIGKILL: $file exists, though record never finished it"
[ -s "$file.partial" ] || fail "SIGKILL: no $file.partial"
"$FRAGSCOPE" report -i "$file.partial" -F json >"$TMP/kill.replay" 2>"$TMP/kill.replay.err"
rc=$?
cat "$TMP/kill.replay.err"
[ "$rc" = 0 ] || fail "report -i on the .partial of a killed record exited $rc"
grep -qi "truncated" "$TMP/kill.replay.err" || fail "report -i on a .partial gave no truncation warning"
got=$(failures_in "$TMP/kill.replay")
echo "SIGKILL: .partial holds $got failures; the reference instance saw $want"
[ "$want" -ge 1 ] || fail "the reference instance saw no failure"
[ "$got" -ge "$want" ] || fail "the .partial of a killed record holds $got failures, $want were flushed before the kill"
pass "SIGKILL during record: .partial readable with a truncation warning and all $got flushed failures"

# 3. Two instances at once, one writing a file, one not.
fragscope_bg two-a record --cgroup "$cg" -o "$TMP/two.data" -F json ||
	fail "record two-a did not attach: $(cat "$TMP/two-a.err")"
a=$BG_PID
fragscope_bg two-b record --cgroup "$cg" --no-file -F json ||
	fail "record two-b did not attach: $(cat "$TMP/two-b.err")"
b=$BG_PID
provoke_failures
sleep 0.5
kill -INT "$a" "$b"
wait "$a" || fail "first instance exited $?: $(cat "$TMP/two-a.err")"
wait "$b" || fail "second instance exited $?: $(cat "$TMP/two-b.err")"
for k in page kmalloc vmalloc slab; do
	na=$(jq -er "[.failures[] | select(.kind == \"$k\") | .count] | add // 0" "$TMP/two-a.out")
	nb=$(jq -er "[.failures[] | select(.kind == \"$k\") | .count] | add // 0" "$TMP/two-b.out")
	echo "two instances: $k failures $na and $nb"
	[ "$na" = "$nb" ] || fail "two instances disagree on $k failures: $na and $nb"
done
na=$(failures_in "$TMP/two-a.out")
[ "$na" -ge 1 ] || fail "two instances saw no failure"
"$FRAGSCOPE" report -i "$TMP/two.data" -F json >"$TMP/two.replay" || fail "report -i of the first instance's file"
[ "$(failures_in "$TMP/two.replay")" = "$na" ] || fail "the first instance's file disagrees with its report"
pass "two record instances at once both see the same $na failures"
