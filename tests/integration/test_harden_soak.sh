#!/usr/bin/env bash
# Soak: a system-wide `record -o FILE` and a `serve` scraped every second,
# for SOAK_SECONDS (default 60; 1800 for the long run in docs/hardening.md),
# while a churning workload runs (provoke kmalloc + pages in a loop) and
# failures are provoked in a memory cgroup every 10 s.  Checks, for both
# fragscope processes, that RSS stays flat (the last VmRSS sample <= the
# first after warm-up + 2 MiB) and BPF map memory does not change; that no
# event was lost (record's meta.lost.total, serve's lost-events counters);
# that every scrape answered; and that the file is readable and holds every
# failure the live report printed, at least one per provoking round.
# Samples go to $ARTIFACTS/soak-mem.txt.  Bounded: SOAK_SECONDS + ~30 s.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/procstat.sh"
require_bpf
SOAK_SECONDS=${SOAK_SECONDS:-60}
SAMPLE_EVERY=${SAMPLE_EVERY:-5}
WARMUP=$((SOAK_SECONDS / 4 < 15 ? 15 : SOAK_SECONDS / 4))
[ "$SOAK_SECONDS" -ge 30 ] || fail "SOAK_SECONDS must be at least 30"
SOAK_DIR=${SOAK_DIR:-$TMP}
file=$SOAK_DIR/soak-$$.data
on_exit "rm -f $file $file.partial"

memcg_create soak $((32 << 20)) || fail "cannot create a memory cgroup"
cg=$MEMCG
memcg_id=$(stat -c %i "$cg")

"$FRAGSCOPE" record -d "$SOAK_SECONDS" -o "$file" -F json --top 20 >"$TMP/soak.json" 2>"$TMP/soak.err" &
fs=$!
on_exit "kill -KILL $fs 2>/dev/null; wait $fs 2>/dev/null"
for _ in $(seq 100); do grep -q "tracing (attached" "$TMP/soak.err" 2>/dev/null && break; sleep 0.1; done
grep -q "tracing (attached" "$TMP/soak.err" || fail "record did not attach: $(cat "$TMP/soak.err")"
"$FRAGSCOPE" serve --listen 127.0.0.1:0 -i 1 >"$TMP/serve.out" 2>"$TMP/serve.err" &
srv=$!
on_exit "kill -KILL $srv 2>/dev/null; wait $srv 2>/dev/null"
for _ in $(seq 100); do
	addr=$(sed -n 's|^fragscope: serving metrics at http://\(.*\)/metrics$|\1|p' "$TMP/serve.err")
	[ -n "$addr" ] && break
	sleep 0.1
done
[ -n "$addr" ] || fail "serve did not start listening: $(cat "$TMP/serve.err")"
url=http://$addr/metrics
start=$(date +%s)
stop_at=$((start + SOAK_SECONDS - 3))

# The churn: slab-heavy syscalls and page faults, in a loop, in the background.
(
	while [ "$(date +%s)" -lt "$stop_at" ]; do
		"$TOOLS/provoke" kmalloc 20000 both >/dev/null 2>&1
		"$TOOLS/provoke" pages 20000 >/dev/null 2>&1
	done
) &
churn=$!
on_exit "kill $churn 2>/dev/null; wait $churn 2>/dev/null"

# Failures in the memcg every 10 s, a scrape every second, memory samples.
rounds=0 scrapes=0 scrape_failures=0
next_sample=$start
mem=$ARTIFACTS/soak-mem.txt
echo "# seconds record_rss_kB record_map_bytes serve_rss_kB serve_map_bytes" >"$mem"
while kill -0 "$fs" 2>/dev/null; do
	now=$(date +%s)
	if [ "$now" -ge "$next_sample" ]; then
		rss=$(rss_kb "$fs")
		[ -n "$rss" ] && echo "$((now - start)) $rss $(map_bytes "$fs") $(rss_kb "$srv") $(map_bytes "$srv")" >>"$mem"
		next_sample=$((next_sample + SAMPLE_EVERY))
	fi
	if curl -fsS -m 5 -o "$TMP/metrics.txt" "$url"; then
		scrapes=$((scrapes + 1))
	else
		scrape_failures=$((scrape_failures + 1))
	fi
	if [ "$now" -lt "$stop_at" ] && [ $(((now - start) % 10)) -lt 2 ]; then
		memcg_run "$cg" "$TOOLS/provoke" fail all 1 >/dev/null 2>&1 && rounds=$((rounds + 1))
	fi
	sleep 1
done
wait "$fs"
rc=$?
wait "$churn" 2>/dev/null
[ "$rc" = 0 ] || fail "record exited $rc: $(tail -20 "$TMP/soak.err")"
cat "$TMP/soak.err"
kill -INT "$srv"
wait "$srv" || fail "serve exited $? on SIGINT: $(tail -20 "$TMP/serve.err")"

echo "memory samples:"
cat "$mem"
# Column COL of the first sample after warm-up, of the last sample, and the maximum.
column_figures() {
	awk -v w="$WARMUP" -v c="$1" '!/^#/ { if ($1 >= w && base == "") base = $c; last = $c; if ($c > max) max = $c }
		END { print base, last, max }' "$mem"
}
check_flat() {
	local who=$1 rss_col=$2 map_col=$3 base last max first_map last_map
	read -r base last max < <(column_figures "$rss_col")
	[ -n "$base" ] && [ -n "$last" ] || fail "not enough $who memory samples"
	echo "$who RSS: after warm-up (${WARMUP}s) $base kB, last $last kB, max $max kB"
	[ "$last" -le $((base + 2048)) ] || fail "$who RSS grew from $base kB to $last kB (> 2 MiB) during the soak"
	first_map=$(awk -v c="$map_col" '!/^#/ { print $c; exit }' "$mem")
	last_map=$(awk -v c="$map_col" '!/^#/ { m = $c } END { print m }' "$mem")
	[ "$first_map" -gt 0 ] && [ "$first_map" = "$last_map" ] ||
		fail "$who BPF map memory went from $first_map to $last_map bytes"
	pass "$who: RSS flat over ${SOAK_SECONDS}s ($base kB after warm-up, $last kB at the end), BPF maps $last_map bytes throughout"
}
check_flat record 2 3
check_flat serve 4 5

[ "$scrape_failures" = 0 ] || fail "$scrape_failures of $((scrapes + scrape_failures)) scrapes failed"
serve_lost=$(awk '/^fragscope_lost_events_total/ { s += $NF } END { print s + 0 }' "$TMP/metrics.txt")
serve_failures=$(awk '/^fragscope_allocation_failures_total/ { s += $NF } END { print s + 0 }' "$TMP/metrics.txt")
[ "$serve_lost" = 0 ] || fail "serve counted $serve_lost lost events: $(grep '^fragscope_lost_events_total' "$TMP/metrics.txt")"
[ "$serve_failures" -ge "$rounds" ] || fail "serve's last scrape counts $serve_failures failures for $rounds provoking rounds"
pass "serve answered all $scrapes scrapes; it lost no event and counted $serve_failures failures"

lost=$(json_get "$TMP/soak.json" '.meta.lost.total')
[ "$lost" = 0 ] || fail "$lost events lost during the soak: $(jq -c .meta.lost "$TMP/soak.json")"
live=$(json_get "$TMP/soak.json" "[.failures[] | select(.cgroup_id == $memcg_id) | .count] | add // 0")
all=$(json_get "$TMP/soak.json" '[.failures[] | .count] | add // 0')
"$FRAGSCOPE" report -i "$file" -F json >"$TMP/replay.json" 2>"$TMP/replay.err" ||
	fail "report -i of the soak's file exited $?: $(cat "$TMP/replay.err")"
replay=$(json_get "$TMP/replay.json" '[.failures[] | .count] | add // 0')
echo "soak: $rounds provoking rounds; failures in the memcg $live, in all $all; report -i $replay; file $(stat -c %s "$file") bytes"
[ "$rounds" -ge 1 ] || fail "no provoking round ran"
[ "$live" -ge "$rounds" ] || fail "$live failures in the memcg for $rounds provoking rounds"
[ "$replay" = "$all" ] || fail "report -i counts $replay failures, the live report $all"
pass "no event lost; file readable with all $all failures ($live provoked in $rounds rounds)"
