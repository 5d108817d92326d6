#!/usr/bin/env bash
# Builds and runs every libFuzzer target tests/fuzz/fuzz_<name>.c for the
# given number of seconds each (default 60), starting from and adding to
# tests/fuzz/corpus/<name>/.  Fails if any target crashes; the crashing input
# is left in build/fuzz/ and should be copied into the corpus as a
# regression case once fixed, since the unit tests replay the corpus.
#
# A target names the user/ sources it needs on a line of its own:
#     * fuzz-sources: user/record/recfile_read.c
# so that one file being mid-edit elsewhere in user/ breaks no other target.
#
# Usage: tests/fuzz/run.sh [seconds]
set -u
cd "$(dirname "$0")/../.." || exit 1
seconds=${1:-60}
CLANG=${CLANG:-clang}
out=build/fuzz
mkdir -p "$out"
command -v "$CLANG" >/dev/null || { echo "run.sh: $CLANG not found (apt-get install clang)" >&2; exit 1; }

# FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION: the usual name, e.g. for skipping
# checksums a fuzzer could never forge.
flags=(-g -O1 "-fsanitize=fuzzer,address,undefined" -fno-sanitize-recover=undefined
       -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
       -Wall -Wextra -Wno-missing-field-initializers -Iinclude -Iuser -Ibuild -D_GNU_SOURCE -DFRAGSCOPE_VERSION=\"fuzz\")

failed=()
for src in tests/fuzz/fuzz_*.c; do
	[ -f "$src" ] || continue
	target=$(basename "$src" .c)
	name=${target#fuzz_}
	corpus=tests/fuzz/corpus/$name
	mkdir -p "$corpus" "$out/$name-new"
	sources=$(sed -n 's/^ \* fuzz-sources: //p' "$src")
	echo "== $target: building with $sources"
	# shellcheck disable=SC2086 # sources is a list of paths without spaces
	if ! "$CLANG" "${flags[@]}" "$src" $sources -lz -lm -o "$out/$target"; then
		failed+=("$target (build)")
		continue
	fi
	echo "== $target: fuzzing for ${seconds}s from $corpus"
	# New inputs go to a scratch directory so the committed corpus holds
	# only seeds and regressions.
	if ! "$out/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$out/$target-" -print_final_stats=1 \
		"$out/$name-new" "$corpus"; then
		failed+=("$target")
	fi
done

if [ ${#failed[@]} -gt 0 ]; then
	echo "fuzz: FAILED: ${failed[*]}; crashing inputs are $out/fuzz_*-crash-*" >&2
	exit 1
fi
echo "fuzz: all targets ran ${seconds}s without a crash"
