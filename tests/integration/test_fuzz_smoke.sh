#!/usr/bin/env bash
# Every libFuzzer target (tests/fuzz/fuzz_*.c) runs 20 seconds from its
# corpus without a crash: a bounded smoke run for CI; `make fuzz SECONDS=N`
# fuzzes for longer.  Needs clang, not root.
source "$(dirname "$0")/../lib.sh"
command -v "${CLANG:-clang}" >/dev/null 2>&1 || skip "clang not installed (apt-get install clang)"

"$TOP/tests/fuzz/run.sh" 20 >"$TMP/fuzz.log" 2>&1
rc=$?
tail -5 "$TMP/fuzz.log"
[ "$rc" = 0 ] || fail "a fuzz target failed (exit $rc): $(grep -E '^(==|fuzz:|SUMMARY)|ERROR' "$TMP/fuzz.log" | tail -20)"
pass "every fuzz target ran 20 s without a crash"
