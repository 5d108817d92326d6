#!/bin/bash
# What tracing costs a real server under a traffic spike (docs/performance.md,
# "Traffic"): requests/s and latency of nginx and redis on loopback, untraced
# and under each tracer, conditions interleaved in rounds.
#
# usage: tests/bench/traffic.sh [--quick] [--rounds N] [--duration S] [--conditions "C1 C2..."]
#
# Loads (each about DURATION seconds, default 3), one after the other per condition:
#   nginx-1w   nginx, 1 worker process: wrk -t1 -c64 --latency over static
#              files of 1, 4, 16, 64 and 256 KiB in turn (64 connections
#              keep the one worker busy)
#   nginx-2w   the same against a second nginx with 2 workers (scaling)
#   redis-64   redis-server, redis-benchmark -t set,get -P 16 -c 50, 64-byte values
#   redis-16k  the same with 16 KiB values and -P 4
# Conditions (the order rotates every round):
#   untraced     nothing attached
#   floor        empty BPF programs on fragscope's tracepoints (tests/bench/floor)
#   fs_default   fragscope record --no-file -F json (with request tracking,
#                its raw_tp sys_exit program, where this fragscope has it)
#   fs_stacks    the same with --stack-order 0 (a stack for every page allocation)
#   fs_no_requests  fs_default with the sys_exit probe masked: what request
#                tracking costs (only where this fragscope has it)
#   bpftrace     an order histogram of mm_page_alloc and a kmalloc count
#   bt_stacks    bpftrace @[kstack] = count() on mm_page_alloc
#   perf_record  perf record -e 'kmem:*' -a
#   perf_kmem    perf kmem record
# Printed: per load and condition, medians over the rounds (min-max) of the
# requests/s, p50 and p99 latency ratios to untraced in the same round, the
# servers' CPU per request (µs, /proc/PID/stat of the nginx workers or
# redis), the tracer's CPU seconds and peak RSS, the events/s it saw and the
# events it lost; then the targets, the load average, the same table in
# markdown, and every measurement.  --quick: one round of 1 s loads, untraced, floor and fs_default
# (the CI smoke, no targets).  Needs root, nginx, wrk, redis-server and
# redis-tools; every process it starts is stopped by its pid.

set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
FRAGSCOPE=${FRAGSCOPE:-$TOP/fragscope}
BENCH=$TOP/build/bench
source "$TOP/tests/bench/attach.sh" # wait_for, wait_perf, attached
QUICK=0
ROUNDS=3
DURATION=3
CONDS=(untraced floor fs_default fs_stacks fs_no_requests bpftrace bt_stacks perf_record perf_kmem)

while [ $# -gt 0 ]; do
	case $1 in
	--quick) QUICK=1 ;;
	--rounds) ROUNDS=$2; shift ;;
	--duration) DURATION=$2; shift ;;
	--conditions) read -r -a CONDS <<<"$2"; shift ;;
	-h | --help) sed -n '2,33p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "traffic.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done
if [ "$QUICK" = 1 ]; then
	ROUNDS=1
	DURATION=1
	CONDS=(untraced floor fs_default)
fi
LOADS=(nginx-1w nginx-2w redis-64 redis-16k)

[ "$(id -u)" = 0 ] || { echo "traffic.sh: needs root (BPF, perf -a)" >&2; exit 1; }
[ -x "$FRAGSCOPE" ] || { echo "traffic.sh: $FRAGSCOPE not built (run make)" >&2; exit 1; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
for tool in "$NGINX" wrk redis-server redis-benchmark jq bc; do
	command -v "$tool" >/dev/null ||
		{ echo "traffic.sh: $tool not installed (Debian packages nginx-light, wrk, redis-server, redis-tools, jq, bc)" >&2; exit 1; }
done
make -s -C "$TOP/tests/bench" >/dev/null || { echo "traffic.sh: building tests/bench failed" >&2; exit 1; }

OUT=$(mktemp -d /tmp/fragscope-traffic.XXXXXX)
SERVER_PIDS=()
BG_PID=
cleanup() {
	[ -n "$BG_PID" ] && { kill -INT "$BG_PID" 2>/dev/null; wait "$BG_PID" 2>/dev/null; }
	for pid in "${SERVER_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	rm -rf "$OUT"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A free loopback TCP port (from the kernel, by binding port 0).
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# until_listening PORT PID: wait (10 s at most) until something accepts on PORT.
until_listening() {
	for _ in $(seq 200); do
		(exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# ---------------------------------------------------------------- servers
mkdir -p "$OUT/www" "$OUT/nginx-tmp"
for kb in 1 4 16 64 256; do head -c $((kb * 1024)) /dev/urandom >"$OUT/www/$kb"; done
cat >"$OUT/paths.lua" <<'EOF'
local paths = { "/1", "/4", "/16", "/64", "/256" }
local i = 0
request = function()
	i = i + 1
	return wrk.format("GET", paths[i % #paths + 1])
end
EOF

# start_nginx WORKERS PORT: sets NGINX_MASTER (stopped by cleanup).
start_nginx() {
	local conf=$OUT/nginx-$1.conf
	cat >"$conf" <<EOF
worker_processes $1;
pid $OUT/nginx-$1.pid;
events { worker_connections 1024; }
http {
	access_log off;
	sendfile on;
	keepalive_requests 100000000;
	client_body_temp_path $OUT/nginx-tmp/body;
	proxy_temp_path $OUT/nginx-tmp/proxy;
	fastcgi_temp_path $OUT/nginx-tmp/fastcgi;
	uwsgi_temp_path $OUT/nginx-tmp/uwsgi;
	scgi_temp_path $OUT/nginx-tmp/scgi;
	server { listen 127.0.0.1:$2; root $OUT/www; }
}
EOF
	"$NGINX" -p "$OUT" -c "$conf" -e "$OUT/nginx-$1.err" -g 'daemon off;' >"$OUT/nginx-$1.out" 2>&1 &
	NGINX_MASTER=$!
	SERVER_PIDS+=("$NGINX_MASTER")
	until_listening "$2" "$NGINX_MASTER" || { echo "traffic.sh: nginx did not start: $(cat "$OUT/nginx-$1.err")" >&2; exit 1; }
}

PORT_N1=$(free_port)
start_nginx 1 "$PORT_N1"
NGINX1=$NGINX_MASTER
PORT_N2=$(free_port)
start_nginx 2 "$PORT_N2"
NGINX2=$NGINX_MASTER
PORT_R=$(free_port)
redis-server --bind 127.0.0.1 --port "$PORT_R" --save '' --appendonly no --dir "$OUT" \
	--logfile "$OUT/redis.log" >/dev/null 2>&1 &
REDIS=$!
SERVER_PIDS+=("$REDIS")
until_listening "$PORT_R" "$REDIS" || { echo "traffic.sh: redis-server did not start: $(cat "$OUT/redis.log")" >&2; exit 1; }

# The CPU ticks (user + system) of a server: nginx's workers or redis (all its threads).
server_ticks() {
	local pid pids=$1
	[ "$1" = "$REDIS" ] || pids=$(pgrep -P "$1")
	for pid in $pids; do awk '{ print $14 + $15 }' /proc/"$pid"/stat 2>/dev/null; done | awk '{ s += $1 } END { print s + 0 }'
}

# A latency like "1.23ms", "870.00us" or "1.02s" in µs.
to_us() {
	awk -v v="$1" 'BEGIN {
		n = v + 0
		if (v ~ /us$/) print n; else if (v ~ /ms$/) print n * 1000; else if (v ~ /s$/) print n * 1000000; else print n
	}'
}

# redis-benchmark request count for about DURATION seconds for SET and GET together, from one untraced calibration run.
declare -A REDIS_N
calibrate_redis() {
	local load=$1 d=$2 p=$3 rps
	rps=$(timeout 60 redis-benchmark -h 127.0.0.1 -p "$PORT_R" -t set,get -n 100000 -P "$p" -d "$d" -c 50 -r 100000 --csv 2>/dev/null |
		awk -F'"' '$2 == "SET" || $2 == "GET" { s += $4; n++ } END { if (n) printf "%.0f", s / n }')
	[ -n "$rps" ] || { echo "traffic.sh: redis-benchmark calibration failed" >&2; exit 1; }
	REDIS_N[$load]=$(awk -v r="$rps" -v t="$DURATION" 'BEGIN { n = r * t / 2; printf "%d", (n > 10000 ? n : 10000) }')
}

# run_load LOAD TAG: one load; prints "rps p50_us p99_us server_us_per_request".
run_load() {
	local load=$1 tag=$2 server port t0 t1 rps p50 p99 n d p
	case $load in
	nginx-1w) server=$NGINX1 port=$PORT_N1 ;;
	nginx-2w) server=$NGINX2 port=$PORT_N2 ;;
	*) server=$REDIS ;;
	esac
	t0=$(server_ticks "$server")
	case $load in
	nginx-*)
		timeout $((DURATION + 30)) wrk -t1 -c64 -d"${DURATION}s" --latency -s "$OUT/paths.lua" "http://127.0.0.1:$port/" >"$OUT/$tag.wrk" 2>&1
		t1=$(server_ticks "$server")
		rps=$(awk '/^Requests\/sec:/ { print $2 }' "$OUT/$tag.wrk")
		p50=$(to_us "$(awk '$1 == "50%" { print $2 }' "$OUT/$tag.wrk")")
		p99=$(to_us "$(awk '$1 == "99%" { print $2 }' "$OUT/$tag.wrk")")
		n=$(awk '/requests in/ { print $1 }' "$OUT/$tag.wrk") ;;
	redis-*)
		if [ "$load" = redis-64 ]; then d=64 p=16; else d=16384 p=4; fi
		timeout $((DURATION * 10 + 30)) redis-benchmark -h 127.0.0.1 -p "$PORT_R" -t set,get -n "${REDIS_N[$load]}" -P "$p" -d "$d" -c 50 \
			-r 100000 --csv --precision 3 >"$OUT/$tag.csv" 2>&1
		t1=$(server_ticks "$server")
		# SET then GET, n requests each: rps over both, the mean of their p50, the larger p99.
		read -r rps p50 p99 < <(awk -F'"' -v n="${REDIS_N[$load]}" '$2 == "SET" || $2 == "GET" {
			t += n / $4; p50 += $10 * 1000; if ($14 * 1000 > p99) p99 = $14 * 1000; k++ }
			END { if (k == 2) printf "%.1f %.1f %.1f\n", 2 * n / t, p50 / 2, p99 }' "$OUT/$tag.csv")
		n=$((2 * REDIS_N[$load])) ;;
	esac
	if [ -z "${rps:-}" ] || [ -z "${p99:-}" ] || [ -z "${n:-}" ] || [ "$n" = 0 ]; then
		echo "warning: $load under $tag measured nothing: $(tail -2 "$OUT/$tag".* 2>/dev/null | tr '\n' ' ')" >&2
		return 1
	fi
	echo "$rps $p50 $p99 $(awk -v a="$t0" -v b="$t1" -v n="$n" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", (b - a) / hz * 1e6 / n }')"
}

# ---------------------------------------------------------------- tracers
cat >"$OUT/hist.bt" <<'EOF'
tracepoint:kmem:mm_page_alloc { @order = lhist(args->order, 0, 11, 1); }
tracepoint:kmem:kmalloc { @kmalloc = count(); }
EOF
cat >"$OUT/stacks.bt" <<'EOF'
tracepoint:kmem:mm_page_alloc { @[kstack] = count(); }
EOF

# fragscope has the failed-request tracker when its BPF object has a raw_tp sys_exit program.
has_requests() { grep -a -q 'raw_tp/sys_exit' "$FRAGSCOPE"; }

# start_tracer COND TAG: start it in the background and wait until attached; sets BG_PID.
# Non-zero, with the reason in $OUT/COND.why, when it cannot run here.
start_tracer() {
	local cond=$1 tag=$2 args=()
	BG_PID=
	case $cond in
	untraced) return 0 ;;
	floor)
		"$BENCH/floor" "$BENCH/floor.bpf.o" >"$OUT/$tag.out" 2>"$OUT/$tag.err" &
		BG_PID=$!
		wait_for "$OUT/$tag.out" '^attached' "$BG_PID" ;;
	fs_*)
		case $cond in
		fs_stacks) args=(--stack-order 0) ;;
		fs_no_requests)
			has_requests || { echo "this build has no request tracking (no raw_tp/sys_exit program in $FRAGSCOPE)" >"$OUT/$cond.why"; return 1; }
			args=(--mask-probes raw_syscalls:sys_exit) ;;
		esac
		"$FRAGSCOPE" record --no-file -F json "${args[@]}" >"$OUT/$tag.json" 2>"$OUT/$tag.err" &
		BG_PID=$!
		wait_for "$OUT/$tag.err" 'tracing (attached' "$BG_PID" ;;
	bpftrace | bt_stacks)
		command -v bpftrace >/dev/null || { echo "bpftrace not installed (Debian package bpftrace)" >"$OUT/$cond.why"; return 1; }
		[ "$cond" = bpftrace ] && args=("$OUT/hist.bt") || args=("$OUT/stacks.bt")
		bpftrace "${args[@]}" >"$OUT/$tag.out" 2>"$OUT/$tag.err" &
		BG_PID=$!
		wait_for "$OUT/$tag.out" '^Attaching' "$BG_PID" && sleep 0.3 ;;
	perf_record | perf_kmem)
		command -v perf >/dev/null || { echo "perf not installed (Debian package linux-perf)" >"$OUT/$cond.why"; return 1; }
		if [ "$cond" = perf_record ]; then
			perf record -e 'kmem:*' -a -o "$OUT/perf.data" >"$OUT/$tag.out" 2>"$OUT/$tag.err" &
		else
			perf kmem record -o "$OUT/perf.data" >"$OUT/$tag.out" 2>"$OUT/$tag.err" &
		fi
		BG_PID=$!
		wait_perf "$BG_PID" ;;
	*) echo "unknown condition" >"$OUT/$cond.why"; return 1 ;;
	esac
	attached $? "$OUT/$cond.why" "$OUT/$tag.err" "$OUT/$tag.out"
}

# stop_tracer COND TAG: SIGINT by pid; prints "cpu_s hwm_kib events_per_s lost" (- where unknown).
stop_tracer() {
	local cond=$1 tag=$2 t_stop cpu=0 hwm=0 u events=- lost=- secs
	[ -n "$BG_PID" ] || { echo "- - - -"; return; }
	t_stop=$(date +%s.%N)
	kill -INT "$BG_PID"
	# CPU and peak RSS sampled until it exits: perf and bpftrace do their writing at the end.
	while u=$(awk '{ print $14 + $15 }' /proc/"$BG_PID"/stat 2>/dev/null) && [ -n "$u" ]; do
		cpu=$u
		hwm=$(awk '/^VmHWM:/ { print $2 }' /proc/"$BG_PID"/status 2>/dev/null || echo "$hwm")
		kill -0 "$BG_PID" 2>/dev/null || break
		sleep 0.05
	done
	wait "$BG_PID"
	BG_PID=
	secs=$(echo "$t_stop - $T_START" | bc -l)
	case $cond in
	fs_*)
		if jq -e .meta "$OUT/$tag.json" >/dev/null 2>&1; then
			events=$(jq --argjson s "$secs" '([.meta.events[]] | add) / $s | floor' "$OUT/$tag.json")
			lost=$(jq '.meta.lost.total' "$OUT/$tag.json")
		fi ;;
	perf_*)
		# "[ perf record: Captured and wrote 230.363 MB perf.data (966488 samples) ]", and "lost N chunks" if any.
		events=$(grep -h -o '([0-9]* samples)' "$OUT/$tag.err" "$OUT/$tag.out" 2>/dev/null | tr -dc '0-9\n' |
			awk -v s="$secs" '{ printf "%d", $1 / s }')
		lost=$(grep -h -o -E 'lost [0-9]+ chunks|LOST [0-9]+ events' "$OUT/$tag.err" "$OUT/$tag.out" 2>/dev/null |
			awk '{ s += $2 } END { print s + 0 }') ;;
	esac
	rm -f "$OUT/perf.data" "$OUT/perf.data.old" "$OUT/$tag.json"
	echo "$(awk -v c="$cpu" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", c / hz }') $hwm ${events:--} ${lost:--}"
}

# ---------------------------------------------------------------- rounds
echo "traffic benchmark: $ROUNDS round(s) of ${CONDS[*]}; loads ${LOADS[*]}, ${DURATION} s each" >&2
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
calibrate_redis redis-64 64 16
calibrate_redis redis-16k 16384 4
: >"$OUT/results"
for ((round = 1; round <= ROUNDS; round++)); do
	n=${#CONDS[@]}
	for ((i = 0; i < n; i++)); do
		# Rotated by one each round, and every other round reversed, so no condition keeps its neighbours.
		if ((round % 2)); then j=$(((i + round - 1) % n)); else j=$(((n - 1 - i + round - 1) % n)); fi
		cond=${CONDS[$j]}
		tag=$cond.$round
		if ! start_tracer "$cond" "$tag"; then
			echo "$cond $round skip" >>"$OUT/results"
			continue
		fi
		lines=()
		for load in "${LOADS[@]}"; do
			m=$(run_load "$load" "$tag.$load") && lines+=("$load $m")
		done
		tracer=$(stop_tracer "$cond" "$tag")
		for l in "${lines[@]}"; do echo "$cond $round $l $tracer" >>"$OUT/results"; done
		printf '  %s round %s %-14s %s\n' "$(date +%T)" "$round" "$cond" "$(printf '%s; ' "${lines[@]}")" >&2
	done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- report
# results: cond round load rps p50 p99 us_per_req tracer_cpu_s hwm_kib events_per_s lost
SUMMARY=$(awk -v conds="${CONDS[*]}" -v loads="${LOADS[*]}" '
function median(a, n,    i, j, t) {
	for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
$3 == "skip" { skip[$1] = 1; next }
{ k = $1 SUBSEP $2 SUBSEP $3; rps[k] = $4; p50[k] = $5; p99[k] = $6; us[k] = $7; cpu[k] = $8; hwm[k] = $9; ev[k] = $10; lo[k] = $11
  rounds[$1, $3] = rounds[$1, $3] " " $2 }
END {
	nl = split(loads, L, " "); nc = split(conds, C, " ")
	for (l = 1; l <= nl; l++) for (c = 1; c <= nc; c++) {
		cond = C[c]; load = L[l]
		if (!((cond, load) in rounds)) { if (skip[cond]) print load, cond, "skip"; continue }
		nr = split(rounds[cond, load], R, " "); n = 0; mn = 1e9; mx = 0; lost = 0; hw = 0; ne = 0
		delete a; delete b; delete d; delete u; delete du; delete tc; delete e
		for (i = 1; i <= nr; i++) {
			k = cond SUBSEP R[i] SUBSEP load; base = "untraced" SUBSEP R[i] SUBSEP load
			if (!(base in rps)) continue
			n++; a[n] = rps[k] / rps[base]; b[n] = p50[k] / p50[base]; d[n] = p99[k] / p99[base]
			u[n] = us[k]; du[n] = us[k] - us[base]; tc[n] = cpu[k] == "-" ? 0 : cpu[k]
			if (a[n] < mn) mn = a[n]; if (a[n] > mx) mx = a[n]
			if (hwm[k] != "-" && hwm[k] + 0 > hw) hw = hwm[k] + 0
			if (ev[k] != "-") e[++ne] = ev[k]
			if (lo[k] != "-") lost += lo[k]; else lost = "-"
		}
		if (!n) continue
		printf "%s %s %d %.4f %.4f %.4f %.4f %.4f %.2f %+.2f %.2f %s %s %s\n", load, cond, n, median(a, n), mn, mx,
			median(b, n), median(d, n), median(u, n), median(du, n), median(tc, n),
			cond == "untraced" ? "-" : hw, ne ? median(e, ne) : "-", cond == "untraced" || cond == "floor" ? "-" : lost
	}
}' "$OUT/results")

why() { tr '\n' ' ' <"$OUT/$1.why" 2>/dev/null; }
echo
echo "== traffic: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), kernel $(uname -r)"
echo "== $ROUNDS round(s), loads of ${DURATION} s; load average before $LOAD_BEFORE, after $LOAD_AFTER"
printf '%-10s %-14s %4s %7s %13s %7s %7s %9s %8s %8s %8s %10s %6s\n' load condition runs "req/s x" "min-max" "p50 x" "p99 x" \
	"µs/req" "added" "cpu s" "RSS KiB" "events/s" lost
echo "$SUMMARY" | while read -r load cond n a mn mx b d u du tc hw ev lost; do
	if [ "$n" = skip ]; then printf '%-10s %-14s  not run: %s\n' "$load" "$cond" "$(why "$cond")"; continue; fi
	printf '%-10s %-14s %4s %7.3f %6.3f-%-6.3f %7.3f %7.3f %9.2f %8s %8s %8s %10s %6s\n' "$load" "$cond" "$n" "$a" "$mn" "$mx" \
		"$b" "$d" "$u" "$du" "$tc" "$hw" "$ev" "$lost"
done
for cond in "${CONDS[@]}"; do
	echo "$SUMMARY" | grep -q " $cond " || printf '%-10s %-14s  not run: %s\n' all "$cond" "$(why "$cond")"
done

# The cost of a condition on a load: 1 - its requests/s ratio.
cost() { echo "$SUMMARY" | awk -v l="$1" -v c="$2" '$1 == l && $2 == c && $3 != "skip" { printf "%.4f", 1 - $4 }'; }
field() { echo "$SUMMARY" | awk -v l="$1" -v c="$2" -v f="$3" '$1 == l && $2 == c && $3 != "skip" { print $f }'; }

if [ "$QUICK" = 0 ]; then
	echo
	echo "== scaling: nginx with 1 and 2 workers (server CPU per request, µs, medians)"
	for cond in "${CONDS[@]}"; do
		u1=$(field nginx-1w "$cond" 9) u2=$(field nginx-2w "$cond" 9) d1=$(field nginx-1w "$cond" 10) d2=$(field nginx-2w "$cond" 10)
		[ -n "$u1" ] && [ -n "$u2" ] && printf '%-12s 1 worker %7s µs/req (%s)   2 workers %7s µs/req (%s)\n' "$cond" "$u1" "$d1" "$u2" "$d2"
	done

	echo
	echo "== targets (fs_default)"
	target() { printf '%-4s %s\n' "$1" "$2"; }
	for load in "${LOADS[@]}"; do
		a=$(field "$load" fs_default 4) d=$(field "$load" fs_default 8)
		[ -n "$a" ] || continue
		ok=$(echo "$a >= 0.98 && $d <= 1.02" | bc -l)
		target "$([ "$ok" = 1 ] && echo PASS || echo FAIL)" "$load: requests/s x $a (>= 0.98), p99 x $d (<= 1.02)"
		fs=$(cost "$load" fs_default) bt=$(cost "$load" bpftrace)
		if [ -n "$bt" ]; then
			ok=$(echo "$fs <= 0.5 * $bt || $fs <= 0" | bc -l)
			target "$([ "$ok" = 1 ] && echo PASS || echo FAIL)" "$load: fs_default costs $(printf '%.1f' "$(echo "$fs * 100" | bc -l)")% of requests/s <= half of bpftrace's $(printf '%.1f' "$(echo "$bt * 100" | bc -l)")%"
		fi
	done
	lost=$(echo "$SUMMARY" | awk '$2 ~ /^fs_/ && $3 != "skip" && $14 != "-" { s += $14 } END { print s + 0 }')
	target "$([ "$lost" = 0 ] && echo PASS || echo FAIL)" "events lost by fragscope over every run: $lost"
fi

echo
echo "== markdown"
echo "| load | condition | req/s x (min-max) | p50 x | p99 x | server µs/req (added) | tracer CPU s | tracer RSS MiB | events/s | lost |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
echo "$SUMMARY" | while read -r load cond n a mn mx b d u du tc hw ev lost; do
	if [ "$n" = skip ]; then echo "| $load | $cond | not run: $(why "$cond") | | | | | | | |"; continue; fi
	rss=-
	[ "$hw" != - ] && [ "$hw" != 0 ] && rss=$(awk -v k="$hw" 'BEGIN { printf "%.1f", k / 1024 }')
	printf '| %s | %s | %.3f (%.3f-%.3f) | %.3f | %.3f | %s (%s) | %s | %s | %s | %s |\n' "$load" "$cond" "$a" "$mn" "$mx" "$b" "$d" \
		"$u" "$du" "$([ "$cond" = untraced ] && echo - || echo "$tc")" "$rss" "$ev" "$lost"
done

echo
echo "== every measurement: condition round load req/s p50_us p99_us server_us/req tracer_cpu_s tracer_hwm_kib events/s lost"
grep -v ' skip$' "$OUT/results"
exit 0
