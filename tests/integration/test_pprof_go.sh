#!/usr/bin/env bash
# `go tool pprof` reads what user/format/pprof_writer.c writes: the file
# parses, the sample types and duration are as given, the default sample
# type is the one set (not the last), -top ranks the leaf functions by each
# sample type, and stacks come out leaf first.
source "$(dirname "$0")/../lib.sh"

command -v go >/dev/null 2>&1 || skip "go not installed (apt-get install golang-go)"
[ -x "$TOOLS/pprof_sample" ] || fail "$TOOLS/pprof_sample not built (make tools)"

profile=$TMP/sample.pb.gz
"$TOOLS/pprof_sample" "$profile" || fail "pprof_sample could not write $profile"
# pprof keeps state under $HOME; keep it out of the real one.
export HOME=$TMP PPROF_TMPDIR=$TMP

# Prints the function name of -top's first row for a sample index.
top_function() {
	go tool pprof -top -sample_index="$1" "$profile" >"$TMP/top-$1.txt" 2>&1 ||
		fail "go tool pprof -top -sample_index=$1 rejected the profile: $(cat "$TMP/top-$1.txt")"
	awk '/ flat%/ { getline; print $NF; exit }' "$TMP/top-$1.txt"
}

top=$(top_function bytes)
[ "$top" = fs_test_hot_leaf ] || fail "top by bytes is '$top', want fs_test_hot_leaf: $(cat "$TMP/top-bytes.txt")"
grep -q 'of 1010B total' "$TMP/top-bytes.txt" || fail "bytes total is not 1010B: $(cat "$TMP/top-bytes.txt")"
grep -q 'Duration: 2s' "$TMP/top-bytes.txt" || fail "duration not 2s: $(cat "$TMP/top-bytes.txt")"
top=$(top_function failures)
[ "$top" = fs_test_cold_leaf ] || fail "top by failures is '$top', want fs_test_cold_leaf: $(cat "$TMP/top-failures.txt")"
grep -q 'of 9 total' "$TMP/top-failures.txt" || fail "failures total is not 9: $(cat "$TMP/top-failures.txt")"

# No -sample_index: the profile's default_sample_type, failures, not bytes (the last type).
go tool pprof -top "$profile" >"$TMP/top-default.txt" 2>&1 || fail "go tool pprof -top rejected the profile: $(cat "$TMP/top-default.txt")"
grep -q '^Type: failures' "$TMP/top-default.txt" || fail "default sample type is not failures: $(head -3 "$TMP/top-default.txt")"
grep -q 'of 9 total' "$TMP/top-default.txt" || fail "default total is not 9 failures: $(cat "$TMP/top-default.txt")"

# -traces lists each stack leaf first, with its labels.
go tool pprof -traces -sample_index=bytes "$profile" >"$TMP/traces.txt" 2>&1 || fail "pprof -traces failed"
tr -s ' \n' ' ' <"$TMP/traces.txt" | grep -q '900B fs_test_hot_leaf fs_test_middle fs_test_root' ||
	fail "hot stack not leaf first with 900B: $(cat "$TMP/traces.txt")"
grep -Eq 'comm: +stress-ng' "$TMP/traces.txt" || fail "label comm=stress-ng missing: $(cat "$TMP/traces.txt")"

pass "go tool pprof reads the profile"
