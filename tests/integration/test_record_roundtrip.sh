#!/usr/bin/env bash
# A record file reports exactly what `record` reported live: provoked
# failures in a memory cgroup, recorded with -F json and again with -F text;
# `report -i FILE` with the same format prints the same bytes.
source "$(dirname "$0")/../lib.sh"
require_bpf

memcg_create roundtrip $((32 << 20)) || fail "cannot create a memory cgroup"

# record_provoked NAME FORMAT: records `provoke fail all 2` in the memcg to
# $TMP/NAME.data, the live report in $TMP/NAME.live.
record_provoked() {
	local name=$1 format=$2
	provoke_prepare "$name" memcg_run "$MEMCG" "$TOOLS/provoke" --wait fail all 2
	fragscope_start record -p "$PROVOKE_PID" --cgroup "$MEMCG" -o "$TMP/$name.data" -F "$format" --top 50
	provoke_go "$name"
	fragscope_stop || fail "record -F $format exited $?: $(cat "$TMP/fs.err")"
	cp "$TMP/fs.out" "$TMP/$name.live"
	[ -s "$TMP/$name.data" ] || fail "record wrote no $TMP/$name.data: $(cat "$TMP/fs.err")"
}

for format in json text; do
	record_provoked "rt_$format" "$format"
	"$FRAGSCOPE" report -i "$TMP/rt_$format.data" -F "$format" --top 50 >"$TMP/rt_$format.report" 2>"$TMP/report.err" ||
		fail "report -i -F $format exited $?: $(cat "$TMP/report.err")"
	if ! cmp -s "$TMP/rt_$format.live" "$TMP/rt_$format.report"; then
		cp "$TMP/rt_$format.live" "$TMP/rt_$format.report" "$TMP/rt_$format.data" "$ARTIFACTS/"
		fail "-F $format: the report of the file differs from the live one: $(diff "$TMP/rt_$format.live" "$TMP/rt_$format.report" | head -20)"
	fi
	[ -s "$TMP/report.err" ] && fail "report -i warned on a complete file: $(cat "$TMP/report.err")"
	pass "-F $format: report -i prints the live report byte for byte ($(wc -c <"$TMP/rt_$format.report") bytes)"
done
failures=$(json_get "$TMP/rt_json.report" '[.failures[] | .count] | add // 0')
[ "$failures" -ge 1 ] || fail "the round trip carried no failures"
pass "$failures failures in the json round trip"
