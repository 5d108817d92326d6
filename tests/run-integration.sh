#!/usr/bin/env bash
# Runs every tests/integration/test_*.sh (or those named) and prints
# 'N passed, N failed, N skipped'.  Exit status is non-zero if any failed.
set -u
cd "$(dirname "$0")/.."
mkdir -p build/artifacts
passed=0 failed=0 skipped=0 failures=()
tests=("$@")
[ ${#tests[@]} -gt 0 ] || tests=(tests/integration/test_*.sh)
for t in "${tests[@]}"; do
	[ -f "$t" ] || continue
	name=$(basename "$t" .sh)
	start=$(date +%s)
	bash "$t" >"build/artifacts/$name.log" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	case $rc in
	0) passed=$((passed + 1)); echo "PASS $name (${secs}s)" ;;
	77) skipped=$((skipped + 1)); echo "SKIP $name: $(grep -m1 SKIP "build/artifacts/$name.log")" ;;
	*) failed=$((failed + 1)); failures+=("$name"); echo "FAIL $name (${secs}s), log:"; sed 's/^/    /' "build/artifacts/$name.log" | tail -40 ;;
	esac
done
echo "integration: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
