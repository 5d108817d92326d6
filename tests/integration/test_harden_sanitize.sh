#!/usr/bin/env bash
# fragscope built with AddressSanitizer + UBSan (make sanitize, build-asan/)
# on real provoked failures: record (stopped by SIGINT and by -d), report -i
# in every format, trace, probes, state and the bad-invocation table, with
# leak detection on and every sanitizer report fatal; then valgrind on the
# normal build's `report -i` of the same recording.  Bounded: about 2 min.
#
# FRAGSCOPE may name the sanitized binary (make sanitize does); otherwise
# build-asan/fragscope is used, and the test skips if neither is sanitized.
source "$(dirname "$0")/../lib.sh"
require_bpf

ASAN_BIN=$FRAGSCOPE
if ! is_sanitized "$ASAN_BIN"; then
	ASAN_BIN=$TOP/build-asan/fragscope
	is_sanitized "$ASAN_BIN" || skip "no sanitized fragscope: run 'make sanitize' (builds build-asan/fragscope)"
fi
PLAIN_BIN=${FRAGSCOPE_PLAIN:-$TOP/fragscope}
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:halt_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
echo "sanitized binary: $ASAN_BIN"

# Runs the sanitized fragscope: asan NAME ARGS...; output in $TMP/NAME.{out,err}.
asan() {
	local name=$1 rc
	shift
	timeout 60 "$ASAN_BIN" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
	rc=$?
	check_clean "$name"
	[ "$rc" = 0 ] || fail "$name: '$*' exited $rc: $(tail -20 "$TMP/$name.err")"
}
check_clean() {
	if grep -Eq "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:" "$TMP/$1.err"; then
		cp "$TMP/$1.err" "$ARTIFACTS/harden-sanitize-$1.err"
		fail "$1: sanitizer report: $(grep -E -A30 'ERROR:|runtime error' "$TMP/$1.err" | head -40)"
	fi
}

memcg_create sanitize $((32 << 20)) || fail "cannot create a memory cgroup"
cg=$MEMCG
provoke_failures() {
	memcg_run "$cg" "$TOOLS/provoke" fail all 1 >"$TMP/provoke.out" 2>&1 ||
		fail "provoke fail: $(cat "$TMP/provoke.out")"
}

# record stopped by SIGINT, on failures; and a system-wide record with -d.
FRAGSCOPE_BIN=$ASAN_BIN fragscope_bg rec record --cgroup "$cg" -o "$TMP/rec.data" -F json --interval 200 ||
	fail "sanitized record did not attach: $(cat "$TMP/rec.err")"
pid=$BG_PID
provoke_failures
sleep 0.5
kill -INT "$pid"
wait "$pid"
rc=$?
check_clean rec
[ "$rc" = 0 ] || fail "sanitized record exited $rc: $(tail -20 "$TMP/rec.err")"
live=$(jq -er '[.failures[].count] | add // 0' "$TMP/rec.out") || fail "record's JSON"
[ "$live" -ge 1 ] || fail "sanitized record saw no failure"
pass "sanitized record (SIGINT) on $live real failures: clean"

( sleep 1; provoke_failures ) &
asan recd record -d 4 -o "$TMP/sys.data" --top 20
wait
pass "sanitized system-wide record -d 4: clean"

for fmt in text json folded pprof perf-script; do
	asan "report-$fmt" report -i "$TMP/rec.data" -F "$fmt" --top 50
done
asan report-sys report -i "$TMP/sys.data" --top 50 --sort stack
asan report-kind report -i "$TMP/rec.data" --kind slab --since 0.1 -F json
replay=$(jq -er '[.failures[].count] | add // 0' "$TMP/report-json.out") || fail "report's JSON"
[ "$replay" = "$live" ] || fail "sanitized report -i counts $replay failures, record printed $live"
cp "$TMP/rec.data" "$TMP/cut.data"
truncate -s $(($(stat -c %s "$TMP/cut.data") * 2 / 3)) "$TMP/cut.data"
timeout 60 "$ASAN_BIN" report -i "$TMP/cut.data" >"$TMP/cut.out" 2>"$TMP/cut.err"
check_clean cut
pass "sanitized report -i in every format, on whole and cut files: clean"

( sleep 1; provoke_failures ) &
asan trace trace -d 4 --cgroup "$cg"
wait
grep -q . "$TMP/trace.out" || fail "sanitized trace printed no event line"
asan probes probes
asan state state -F json
pass "sanitized trace, probes and state: clean"

FRAGSCOPE=$ASAN_BIN bash "$TOP/tests/integration/test_harden_cli.sh" >"$TMP/cli.log" 2>&1 ||
	fail "bad-invocation table under sanitizers: $(tail -20 "$TMP/cli.log")"
pass "bad-invocation table under sanitizers: clean"

# valgrind on the normal build's report path (valgrind cannot run ASan binaries).
if command -v valgrind >/dev/null && [ -x "$PLAIN_BIN" ]; then
	for f in rec sys; do
		timeout 120 valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite \
			"$PLAIN_BIN" report -i "$TMP/$f.data" --top 50 >"$TMP/vg-$f.out" 2>"$TMP/vg-$f.err"
		rc=$?
		[ "$rc" = 0 ] || fail "valgrind report -i $f.data exited $rc: $(tail -30 "$TMP/vg-$f.err")"
	done
	pass "valgrind --error-exitcode=1 fragscope report -i: clean"
else
	echo "valgrind or $PLAIN_BIN missing: valgrind step not run"
fi
