#!/usr/bin/env bash
# Runs the cmocka unit-test binaries given as arguments and prints
# 'N passed, N failed' over all their test cases.
set -u
passed=0 failed=0
for bin in "$@"; do
	out=$("$bin" 2>&1)
	rc=$?
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	if [ $rc != 0 ] && [ -z "$f" ]; then failed=$((failed + 1)); fi
	if [ $rc != 0 ]; then printf '%s\n' "$out"; else echo "PASS $(basename "$bin") (${p:-0} cases)"; fi
done
echo "unit: $passed passed, $failed failed"
[ "$failed" = 0 ]
