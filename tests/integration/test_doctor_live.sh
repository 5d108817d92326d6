#!/usr/bin/env bash
# `fragscope doctor` on this machine: a real condition, provoked by putting
# transparent_hugepage/defrag to "always" for a moment (the original THP
# settings are put back at exit, whatever happens), must be reported with
# its evidence; with the setting back it must not be.  Then a -d window
# on the live machine, with the tracer's evidence when it can run.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

[ "$(id -u)" = 0 ] || skip "needs root to change transparent_hugepage/defrag"
[ -x "$FRAGSCOPE" ] || fail "$FRAGSCOPE not built"
THP=/sys/kernel/mm/transparent_hugepage
[ -w $THP/defrag ] || skip "kernel without transparent huge pages"
selected() { sed -n 's/.*\[\(.*\)\].*/\1/p' "$1"; }
original_enabled=$(selected $THP/enabled)
original=$(selected $THP/defrag)
on_exit "echo $original_enabled > $THP/enabled; echo $original > $THP/defrag"
# A baseline without the condition: THP on (defrag does not matter when it
# is off), and no defrag setting the doctor reports.
[ "$original_enabled" != never ] || echo madvise >$THP/enabled || fail "cannot enable THP"
baseline=$original
case "$(selected $THP/enabled):$original" in
*:always | always:madvise | always:defer+madvise) baseline=defer ;;
esac
echo "$baseline" >$THP/defrag || fail "cannot set $THP/defrag"

has_thp_finding() { jq -e '[.findings[] | select(.id == "thp_defrag")] | length > 0' "$1" >/dev/null; }

"$FRAGSCOPE" doctor -F json >"$TMP/before.json" || fail "doctor exited $?"
has_thp_finding "$TMP/before.json" && fail "thp_defrag reported with defrag=$baseline"

echo always >$THP/defrag || fail "cannot set $THP/defrag"
[ "$(selected $THP/defrag)" = always ] || fail "defrag did not change"
"$FRAGSCOPE" doctor -F json >"$TMP/always.json" || fail "doctor exited $?"
"$FRAGSCOPE" doctor >"$TMP/always.txt" || fail "doctor exited $?"
echo "$baseline" >$THP/defrag
cp "$TMP/always.txt" "$ARTIFACTS/doctor_live_thp_always.txt"

has_thp_finding "$TMP/always.json" || fail "no thp_defrag finding with defrag=always: $(cat "$TMP/always.txt")"
json_get "$TMP/always.json" '.all_clear == false' >/dev/null
json_get "$TMP/always.json" '.findings[] | select(.id == "thp_defrag") |
	(.severity == "warning" or .severity == "critical") and
	(.evidence | contains("defrag=[always]")) and (.advice | contains("defer+madvise"))' >/dev/null
grep -q '\[\(WARNING\|CRITICAL\)\] THP page faults compact memory synchronously' "$TMP/always.txt" ||
	fail "text report lacks the finding: $(cat "$TMP/always.txt")"
pass "defrag=always is reported, with evidence and advice"

"$FRAGSCOPE" doctor -F json >"$TMP/after.json" || fail "doctor exited $?"
has_thp_finding "$TMP/after.json" && fail "thp_defrag still reported after restoring defrag=$baseline"
pass "no finding once defrag=$baseline is back"

# A window on the live machine: rates over the window, and trace evidence or a note why not.
timeout 120 "$FRAGSCOPE" doctor -d 2 -F json >"$TMP/window.json" 2>"$TMP/window.err" ||
	fail "doctor -d 2 exited $?: $(cat "$TMP/window.err")"
json_get "$TMP/window.json" '.window_seconds == 2' >/dev/null
json_get "$TMP/window.json" '.notes | all(test("since boot") | not)' >/dev/null
if jq -e '.trace_evidence' "$TMP/window.json" >/dev/null; then
	json_get "$TMP/window.json" '.trace.window_seconds == 2' >/dev/null
	pass "doctor -d 2 used the tracer's evidence"
else
	json_get "$TMP/window.json" '.notes | any(test("trace evidence unavailable"))' >/dev/null
	pass "doctor -d 2 ran without trace evidence and said why"
fi

# SIGINT or SIGTERM ends a window early: the findings of the part watched,
# saying so, at once rather than when the window would have ended.
for sig in INT TERM; do
	"$FRAGSCOPE" doctor -d 60 -F json >"$TMP/cut.json" 2>"$TMP/cut.err" &
	pid=$!
	on_exit "kill -KILL $pid 2>/dev/null" # a regression would wait out the window
	sleep 3
	kill -$sig $pid
	start=$SECONDS
	for _ in $(seq 100); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
	kill -0 $pid 2>/dev/null && fail "doctor -d 60 still ran 10 s after SIG$sig"
	wait $pid || fail "doctor -d 60 exited $? on SIG$sig: $(cat "$TMP/cut.err")"
	window=$(json_get "$TMP/cut.json" '.window_seconds')
	json_get "$TMP/cut.json" '.notes | any(test("^interrupted: the window is the [0-9.]+ s watched of the 60 s asked"))' >/dev/null
	[ "$window" -ge 1 ] && [ "$window" -le 5 ] || fail "SIG$sig after 3 s: window_seconds $window"
	pass "SIG$sig 3 s into doctor -d 60: exit 0 within $((SECONDS - start)) s, window_seconds $window, the note says interrupted"
done
