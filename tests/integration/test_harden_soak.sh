#!/usr/bin/env bash
# Soak: a system-wide `record -o FILE` and a `serve` scraped every second,
# for SOAK_SECONDS (default 60; 1800 for the long run in docs/hardening.md),
# while a churning workload runs (provoke kmalloc + pages in a loop) and
# failures are provoked in a memory cgroup every 10 s.  Checks, for both
# fragscope processes, that RSS and BPF map memory stay flat (the last
# sample <= the first after warm-up + 2 MiB); that no
# event was lost (record's meta.lost.total, serve's lost-events counters);
# that every scrape answered; and that the file is readable and holds every
# failure the live report printed (every row: --top 100000), at least one
# per provoking round.
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

fragscope_bg soak record -d "$SOAK_SECONDS" -o "$file" -F json --top 100000 ||
	fail "record did not attach: $(cat "$TMP/soak.err")"
fs=$BG_PID
fragscope_bg serve serve --listen 127.0.0.1:0 -i 1 || fail "serve did not attach: $(cat "$TMP/serve.err")"
srv=$BG_PID
addr=$(serve_address "$TMP/serve.err") || fail "serve did not start listening: $(cat "$TMP/serve.err")"
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
echo "# seconds record_rss_kB record_map_kB serve_rss_kB serve_map_kB" >"$mem"
while kill -0 "$fs" 2>/dev/null; do
	now=$(date +%s)
	if [ "$now" -ge "$next_sample" ]; then
		rss=$(rss_kb "$fs")
		[ -n "$rss" ] && echo "$((now - start)) $rss $(($(map_bytes "$fs") / 1024)) $(rss_kb "$srv") $(($(map_bytes "$srv") / 1024))" >>"$mem"
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
# Fails unless WHO's MEASURE (column COL, kB) ended at most 2 MiB above its
# value after warm-up.  The kernel reports a map's memory as used (6.4+), so
# BPF map figures may move within their max_entries bounds.
check_flat() {
	local who=$1 measure=$2 col=$3 base last max
	read -r base last max < <(column_figures "$col")
	[ -n "$base" ] && [ -n "$last" ] || fail "not enough $who $measure samples"
	echo "$who $measure: after warm-up (${WARMUP}s) $base kB, last $last kB, max $max kB"
	[ "$last" -le $((base + 2048)) ] || fail "$who $measure grew from $base kB to $last kB (> 2 MiB) during the soak"
	pass "$who $measure flat over ${SOAK_SECONDS}s: $base kB after warm-up, $last kB at the end"
}
# ASan holds freed memory in its quarantine (up to 256 MiB), so a sanitized
# build's RSS grows by design; there the test is for the sanitizer reports.
if is_sanitized "$FRAGSCOPE"; then
	echo "sanitized build: RSS not checked (ASan's quarantine keeps freed memory)"
else
	check_flat record RSS 2
	check_flat serve RSS 4
fi
check_flat record "BPF map memory" 3
check_flat serve "BPF map memory" 5

[ "$scrape_failures" = 0 ] || fail "$scrape_failures of $((scrapes + scrape_failures)) scrapes failed"
serve_lost=$(awk '/^fragscope_lost_events_total/ { s += $NF } END { print s + 0 }' "$TMP/metrics.txt")
serve_failures=$(awk '/^fragscope_allocation_failures_total/ { s += $NF } END { print s + 0 }' "$TMP/metrics.txt")
[ "$serve_lost" = 0 ] || fail "serve counted $serve_lost lost events: $(grep '^fragscope_lost_events_total' "$TMP/metrics.txt")"
[ "$serve_failures" -ge "$rounds" ] || fail "serve's last scrape counts $serve_failures failures for $rounds provoking rounds"
pass "serve answered all $scrapes scrapes; it lost no event and counted $serve_failures failures"

lost=$(json_get "$TMP/soak.out" '.meta.lost.total')
[ "$lost" = 0 ] || fail "$lost events lost during the soak: $(jq -c .meta.lost "$TMP/soak.out")"
all=$(json_get "$TMP/soak.out" '[.failures[] | .count] | add // 0')
"$FRAGSCOPE" report -i "$file" -F json >"$TMP/replay.json" 2>"$TMP/replay.err" ||
	fail "report -i of the soak's file exited $?: $(cat "$TMP/replay.err")"
replay=$(json_get "$TMP/replay.json" '[.failures[] | .count] | add // 0')
echo "soak: $rounds provoking rounds; failures $all; report -i $replay; file $(stat -c %s "$file") bytes"
[ "$rounds" -ge 1 ] || fail "no provoking round ran"
# Failures are grouped by stack, and a group names the cgroup of its first
# failure: on a shared machine another test's provoke may own the group, so
# the check is on the total.
[ "$all" -ge "$rounds" ] || fail "$all failures recorded for $rounds provoking rounds"
[ "$replay" = "$all" ] || fail "report -i counts $replay failures, the live report $all"
pass "no event lost; file readable with all $all failures ($rounds provoking rounds)"
