#!/usr/bin/env bash
# The whole suite: unit tests (arguments: their binaries), then integration
# tests.  Ends with one 'N passed, N failed' line over both.
set -u
cd "$(dirname "$0")/.."
mkdir -p build/artifacts
unit_out=$(tests/run-unit.sh "$@" | tee /dev/stderr | tail -1)
integ_out=$(tests/run-integration.sh | tee /dev/stderr | tail -1)
count() { printf '%s\n' "$1" | sed -n "s/.* \([0-9]*\) $2.*/\1/p"; }
p=$(($(count "$unit_out" passed) + $(count "$integ_out" passed)))
f=$(($(count "$unit_out" failed) + $(count "$integ_out" failed)))
s=$(count "$integ_out" skipped)
echo "total: $p passed, $f failed, ${s:-0} skipped"
[ "$f" = 0 ]
