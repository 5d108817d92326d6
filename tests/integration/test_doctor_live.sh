#!/usr/bin/env bash
# `fragscope doctor` on this machine: a real condition, provoked by putting
# transparent_hugepage/defrag to "always" for the length of the test (the
# original setting is put back at exit, whatever happens), must be reported
# with its evidence; with the setting back it must not be.  Then a -d window
# on the live machine, with the tracer's evidence when it can run.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

[ "$(id -u)" = 0 ] || skip "needs root to change transparent_hugepage/defrag"
[ -x "$FRAGSCOPE" ] || fail "$FRAGSCOPE not built"
THP=/sys/kernel/mm/transparent_hugepage
[ -w $THP/defrag ] || skip "kernel without transparent huge pages"
selected() { sed -n 's/.*\[\(.*\)\].*/\1/p' "$1"; }
enabled=$(selected $THP/enabled)
original=$(selected $THP/defrag)
[ "$enabled" != never ] || skip "THP is disabled (enabled=never): defrag does not matter"
[ "$original" != always ] || skip "defrag is already 'always' on this machine"

has_thp_finding() { jq -e '[.findings[] | select(.id == "thp_defrag")] | length > 0' "$1" >/dev/null; }

"$FRAGSCOPE" doctor -F json >"$TMP/before.json" || fail "doctor exited $?"
has_thp_finding "$TMP/before.json" && fail "thp_defrag reported with defrag=$original"

on_exit "echo $original > $THP/defrag"
echo always >$THP/defrag || fail "cannot set $THP/defrag"
[ "$(selected $THP/defrag)" = always ] || fail "defrag did not change"
"$FRAGSCOPE" doctor -F json >"$TMP/always.json" || fail "doctor exited $?"
"$FRAGSCOPE" doctor >"$TMP/always.txt" || fail "doctor exited $?"
echo "$original" >$THP/defrag
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
has_thp_finding "$TMP/after.json" && fail "thp_defrag still reported after restoring defrag=$original"
pass "no finding once defrag=$original is back"

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
