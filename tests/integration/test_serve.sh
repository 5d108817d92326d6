#!/usr/bin/env bash
# `fragscope serve`: promtool accepts the exposition (Prometheus text and
# OpenMetrics); a real Prometheus server on loopback scrapes it and sees
# the failure counter rise after a provoked vmalloc failure; 50 parallel
# scrapes, idle, trickling, garbage and oversized clients neither stall
# scrapes nor tracing, and each hostile client is cut off as libmicrohttpd
# and live/http_server.c bound it.  Everything on 127.0.0.1, every wait
# bounded.
source "$(dirname "$0")/../lib.sh"
require_bpf
for tool in promtool prometheus curl nc jq; do
	command -v "$tool" >/dev/null || skip "$tool missing (apt-get install prometheus curl netcat-openbsd jq)"
done

# A loopback port nothing listens on (bash connects to probe it).
free_port() {
	local port
	for _ in $(seq 50); do
		port=$((20000 + RANDOM % 20000))
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return 0; }
	done
	return 1
}

fragscope_start serve --listen 127.0.0.1:0 -i 0.5
addr=$(serve_address "$TMP/fs.err") || fail "no listening address on stderr: $(cat "$TMP/fs.err")"
case $addr in 127.0.0.1:*) ;; *) fail "serve is not on loopback: $addr" ;; esac
url=http://$addr/metrics

# Both formats pass promtool; OpenMetrics ends with # EOF.  The first
# snapshot (0.5 s) brings the allocation counters.
for _ in $(seq 20); do
	curl -fsS -m 2 -D "$TMP/headers" -o "$TMP/metrics.txt" "$url" || fail "scrape failed"
	grep -q '^fragscope_page_allocations_total' "$TMP/metrics.txt" && break
	sleep 0.25
done
grep -qi '^content-type: text/plain; version=0.0.4' "$TMP/headers" || fail "wrong content type: $(cat "$TMP/headers")"
promtool check metrics <"$TMP/metrics.txt" || fail "promtool rejects the exposition"
cp "$TMP/metrics.txt" "$ARTIFACTS/metrics.txt"
curl -fsS -m 2 -H 'Accept: application/openmetrics-text; version=1.0.0' -D "$TMP/om.headers" -o "$TMP/om.txt" "$url" ||
	fail "OpenMetrics scrape failed"
grep -qi '^content-type: application/openmetrics-text' "$TMP/om.headers" || fail "no OpenMetrics content type"
[ "$(tail -n1 "$TMP/om.txt")" = "# EOF" ] || fail "OpenMetrics exposition does not end with # EOF"
grep -q '^# TYPE fragscope_allocation_failures counter$' "$TMP/om.txt" || fail "OpenMetrics counter family misnamed"
for m in fragscope_page_allocations_total fragscope_allocation_failures_total fragscope_compaction_stall_seconds_bucket \
	fragscope_reclaim_stall_seconds_count fragscope_oom_kills_total fragscope_lost_events_total fragscope_map_full_drops_total fragscope_free_blocks \
	fragscope_fragmentation_index fragscope_vmstat_compact_stall_total fragscope_build_info; do
	grep -q "^$m" "$TMP/metrics.txt" || fail "$m missing from /metrics"
done
pass "promtool accepts Prometheus text and OpenMetrics"

# A real Prometheus scraping every second.
pport=$(free_port) || fail "no free loopback port for Prometheus"
cat >"$TMP/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: fragscope
    static_configs:
      - targets: ['$addr']
YML
prometheus --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/tsdb" \
	--web.listen-address="127.0.0.1:$pport" >"$TMP/prometheus.log" 2>&1 &
prom_pid=$!
on_exit "kill $prom_pid 2>/dev/null; wait $prom_pid 2>/dev/null"
api=http://127.0.0.1:$pport/api/v1/query

# The value of an instant query, empty while Prometheus has none.
query() { curl -fsS -m 2 "$api" --data-urlencode "query=$1" 2>/dev/null | jq -r '.data.result[0].value[1] // empty' 2>/dev/null; }
# Failures seen by fragscope itself, straight from /metrics.
scraped_failures() { curl -fsS -m 2 "$url" | sed -n 's/^fragscope_allocation_failures_total{kind="vmalloc"} //p'; }
# Waits up to $1 seconds for Prometheus' vmalloc failure count to exceed $2.
wait_prom_failures_above() {
	local deadline=$((SECONDS + $1)) v
	while [ $SECONDS -lt $deadline ]; do
		v=$(query 'fragscope_allocation_failures_total{kind="vmalloc"}')
		[ -n "$v" ] && [ "$v" -gt "$2" ] && { echo "$v"; return 0; }
		sleep 0.5
	done
	return 1
}

deadline=$((SECONDS + 60))
until [ "$(query 'up{job="fragscope"}')" = 1 ]; do
	[ $SECONDS -lt $deadline ] || fail "Prometheus did not scrape fragscope within 60 s: $(tail -5 "$TMP/prometheus.log")"
	kill -0 $prom_pid 2>/dev/null || fail "Prometheus exited: $(tail -5 "$TMP/prometheus.log")"
	sleep 0.5
done
before=$(query 'fragscope_allocation_failures_total{kind="vmalloc"}')
[ -n "$before" ] || fail "Prometheus has no fragscope_allocation_failures_total"

memcg_create serve $((32 << 20)) || fail "cannot create a memory cgroup"
memcg_run "$MEMCG" "$TOOLS/provoke" fail vmalloc 2 >"$TMP/provoke1.out" 2>&1 || true
after=$(wait_prom_failures_above 30 "$before") ||
	fail "Prometheus' vmalloc failure count stayed at $before: $(cat "$TMP/provoke1.out")"
curl -fsS -m 2 "$api" --data-urlencode 'query=fragscope_allocation_failures_total' >"$ARTIFACTS/prometheus-query.json"
pass "Prometheus scraped fragscope_allocation_failures_total{kind=\"vmalloc\"}: $before -> $after"

# Hostile and busy clients at once.
exec {idle1}<>"/dev/tcp/${addr%:*}/${addr##*:}" || fail "cannot connect"
exec {idle2}<>"/dev/tcp/${addr%:*}/${addr##*:}" || fail "cannot connect"
exec {garbage}<>"/dev/tcp/${addr%:*}/${addr##*:}" || fail "cannot connect"
exec {trickle}<>"/dev/tcp/${addr%:*}/${addr##*:}" || fail "cannot connect"
printf 'GET /metr' >&"$idle2" # starts a request and never finishes it
printf '\x16\x03\x01\x02\x00garbage\r\n\r\n' >&"$garbage"
# A byte every 0.5 s for 20 s: never idle, so only the connection's age limit (7 s) ends it.
trickle_start=$SECONDS
(for _ in $(seq 40); do printf G 2>/dev/null >&"$trickle" || exit 0; sleep 0.5; done) &
trickle_pid=$!
head -c 20000 /dev/zero | tr '\0' a >"$TMP/big.in"
# nc ends when the server closes (its input is at end); timeout's 124 means it did not.
timeout 5 nc "${addr%:*}" "${addr##*:}" <"$TMP/big.in" >"$TMP/big.out" 2>&1 &
big_pid=$!
pids=()
for i in $(seq 50); do
	curl -fsS -m 5 -o "$TMP/parallel.$i" "$url" &
	pids+=($!)
done
start_ms=$(date +%s%3N)
curl -fsS -m 2 -o "$TMP/during.txt" "$url" || fail "a scrape did not answer within 2 s among 50 parallel clients"
echo "scrape among hostile clients took $(($(date +%s%3N) - start_ms)) ms"
ok=0
for pid in "${pids[@]}"; do wait "$pid" && ok=$((ok + 1)); done
[ "$ok" = 50 ] || fail "only $ok of 50 parallel scrapes succeeded"
grep -q '^fragscope_build_info' "$TMP/parallel.50" || fail "a parallel scrape got no exposition"
wait "$big_pid"
[ $? != 124 ] || fail "an oversized request kept its connection for 5 s"
# 414, unless the reset of closing on the unread rest of the request overtook it.
[ ! -s "$TMP/big.out" ] || grep -q '^HTTP/1.1 414' "$TMP/big.out" ||
	fail "an oversized request line was not answered 414: $(head -c 200 "$TMP/big.out")"
# libmicrohttpd answers nothing to what is no request line, nor to a client
# silent for 2 s: it closes the connection.  timeout's 124 means it did not.
timeout 5 cat <&"$garbage" >"$TMP/garbage.out" || fail "garbage kept its connection $? (124: for 5 s)"
[ ! -s "$TMP/garbage.out" ] || fail "garbage got an answer: $(head -c 200 "$TMP/garbage.out")"
timeout 5 cat <&"$idle1" >"$TMP/idle1.out" || fail "a silent client kept its connection for 5 s"
timeout 5 cat <&"$idle2" >"$TMP/idle2.out" || fail "a slow client kept its connection for 5 s"
[ ! -s "$TMP/idle1.out" ] && [ ! -s "$TMP/idle2.out" ] || fail "an unfinished request got an answer"
timeout 15 cat <&"$trickle" >/dev/null || fail "a trickling client kept its connection for 15 s"
trickle_s=$((SECONDS - trickle_start))
[ "$trickle_s" -le 9 ] || fail "a trickling client kept its connection for $trickle_s s (limit 7 s)"
kill "$trickle_pid" 2>/dev/null
wait "$trickle_pid" 2>/dev/null
exec {idle1}>&- {idle2}>&- {garbage}>&- {trickle}>&-
pass "50 parallel scrapes, idle, slow, trickling ($trickle_s s), garbage and oversized clients: scrapes answered, hostile clients cut off"

# Tracing went on: another failure still counts, in fragscope and in Prometheus.
direct_before=$(scraped_failures)
memcg_run "$MEMCG" "$TOOLS/provoke" fail vmalloc 2 >"$TMP/provoke2.out" 2>&1 || true
for _ in $(seq 50); do
	[ "$(scraped_failures)" -gt "$direct_before" ] && break
	sleep 0.1
done
[ "$(scraped_failures)" -gt "$direct_before" ] || fail "tracing stalled: vmalloc failures stayed at $direct_before"
wait_prom_failures_above 30 "$after" >/dev/null || fail "Prometheus stopped seeing new failures"
curl -sS -m 2 -o /dev/null -w '%{http_code}' "http://$addr/nope" | grep -q 404 || fail "unknown path is not 404"
kill -INT "$FS_PID"
wait "$FS_PID" || fail "serve exited $? on SIGINT: $(cat "$TMP/fs.err")"
pass "tracing continued under load; serve stops cleanly on SIGINT"
