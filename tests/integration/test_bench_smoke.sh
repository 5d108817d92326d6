#!/usr/bin/env bash
# The overhead benchmarks' smoke test: `tests/bench/run.sh --quick` (one short
# round of untraced, floor and fragscope) and `tests/bench/traffic.sh --quick`
# (nginx and redis under the same three, 1 s loads) run and print their
# tables.  No figure is checked: CI machines are too noisy for overhead targets.
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

for tool in nginx wrk redis-server redis-benchmark; do
	command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || fail "$tool not installed (make deps: nginx-light wrk redis-server redis-tools)"
done
timeout -s INT 120 "$TOP/tests/bench/traffic.sh" --quick >"$TMP/traffic.txt" 2>"$TMP/traffic.err"
rc=$?
cat "$TMP/traffic.txt"
[ $rc = 0 ] || fail "traffic.sh --quick exited $rc: $(tail -5 "$TMP/traffic.err")"
for load in nginx-1w nginx-2w redis-64 redis-16k; do
	for c in untraced floor fs_default; do
		grep -Eq "^$load +$c +1 +[0-9.]+ " "$TMP/traffic.txt" || fail "traffic.sh: no figures for $load under $c"
	done
done
grep -q '^| load | condition |' "$TMP/traffic.txt" || fail "traffic.sh: no markdown table"
pass "run.sh --quick and traffic.sh --quick printed their tables"

# Request tracking's per-syscall cost: that it runs and prints each condition and the program's own figure.
timeout -s INT 120 "$TOP/tests/bench/syscall_cost.sh" -n 1 -c 100000 >"$TMP/syscall.txt" 2>"$TMP/syscall.err" ||
	fail "syscall_cost.sh exited $?: $(tail -5 "$TMP/syscall.err")"
cat "$TMP/syscall.txt"
for c in untraced no-requests default; do
	grep -Eq "^$c +[0-9.]+ " "$TMP/syscall.txt" || fail "syscall_cost.sh: no figure for $c"
done
grep -Eq '^sys_exit program: [0-9]+ runs, [0-9.]+ ns per run' "$TMP/syscall.txt" || fail "syscall_cost.sh: no bpf_stats line"
pass "syscall_cost.sh printed its three conditions and the sys_exit program's bpf_stats"
