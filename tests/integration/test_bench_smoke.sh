#!/usr/bin/env bash
# The overhead benchmark's smoke test: `tests/bench/run.sh --quick` (one short
# round of untraced, floor and fragscope) runs and prints its table.  No
# figure is checked: CI machines are too noisy for overhead targets.
source "$(dirname "$0")/../lib.sh"
require_bpf
command -v jq >/dev/null || skip "needs jq"
command -v bc >/dev/null || skip "needs bc"

timeout -s INT 60 "$TOP/tests/bench/run.sh" --quick >"$TMP/bench.txt" 2>"$TMP/bench.err"
rc=$?
cat "$TMP/bench.txt"
[ $rc = 0 ] || fail "run.sh --quick exited $rc: $(tail -5 "$TMP/bench.err")"
grep -q '^condition .*cpu x' "$TMP/bench.txt" || fail "no table header"
for c in untraced floor fs_default; do
	grep -Eq "^$c +1 +[0-9.]+ " "$TMP/bench.txt" || fail "no figures for $c"
done
grep -Eq '^fs_default +1 .* [0-9]+ +0 ' "$TMP/bench.txt" || echo "note: fs_default row: $(grep '^fs_default' "$TMP/bench.txt")"
pass "run.sh --quick printed its table"
