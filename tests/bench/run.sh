#!/bin/bash
# fragscope's overhead benchmark (docs/performance.md explains every figure).
#
# usage: tests/bench/run.sh [--quick] [--rounds N] [--workload-args "ARGS"]
#
# Runs the same fixed workload (tests/bench/workload.c) under each condition,
# conditions alternating round-robin in every round, and prints per condition
# the median and min-max of the workload's CPU time (user + system, where
# the BPF programs' cost lands) as a ratio to the untraced run of the same
# round, the median wall-time ratio, plus what fragscope itself costs (events/s, lost events, user
# CPU, peak RSS, BPF map memory, start-to-attached, record-file bytes/s).
#
#   untraced     the workload alone
#   floor        empty BPF programs on fragscope's tracepoints (tests/bench/floor.bpf.c)
#   fs_default   fragscope record --no-file -F json
#   fs_stacks    the same with --stack-order 0 --min-order 0 (every stack option on)
#   bpftrace     a bpftrace script with the same order histogram, call-site and stack counts
#   perf_record  perf record -a -g on the same tracepoints
#   perf_kmem    perf kmem --page --slab record
#
# --quick: one short round of untraced, floor and fs_default, no targets
# (the CI smoke test).  Needs root.  Every process it starts is stopped by
# its pid; temporary files live in one directory removed at exit.

set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
FRAGSCOPE=${FRAGSCOPE:-$TOP/fragscope}
BENCH=$TOP/build/bench
source "$TOP/tests/procstat.sh" # map_bytes
source "$TOP/tests/bench/attach.sh" # wait_for, wait_perf, attached
QUICK=0
ROUNDS=5
WL_ARGS="-r 2000"

while [ $# -gt 0 ]; do
	case $1 in
	--quick) QUICK=1 ;;
	--rounds) ROUNDS=$2; shift ;;
	--workload-args) WL_ARGS=$2; shift ;;
	-h | --help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done

if [ "$QUICK" = 1 ]; then
	ROUNDS=1
	WL_ARGS="-r 200"
	CONDS=(untraced floor fs_default)
else
	CONDS=(untraced floor fs_default fs_stacks bpftrace perf_record perf_kmem)
fi

[ "$(id -u)" = 0 ] || { echo "run.sh: needs root (BPF, perf -a)" >&2; exit 1; }
[ -x "$FRAGSCOPE" ] || { echo "run.sh: $FRAGSCOPE not built (run make)" >&2; exit 1; }
make -s -C "$TOP/tests/bench" >/dev/null || { echo "run.sh: building tests/bench failed" >&2; exit 1; }

OUT=$(mktemp -d /tmp/fragscope-bench.XXXXXX)
BG_PID=
cleanup() {
	if [ -n "$BG_PID" ]; then
		kill -INT "$BG_PID" 2>/dev/null
		wait "$BG_PID" 2>/dev/null
	fi
	[ -n "${STATS_OLD:-}" ] && sysctl -q kernel.bpf_stats_enabled="$STATS_OLD"
	rm -rf "$OUT"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

TRACEPOINTS=(kmem:mm_page_alloc kmem:mm_page_alloc_extfrag kmem:kmalloc kmem:kmem_cache_alloc
	compaction:mm_compaction_try_to_compact_pages compaction:mm_compaction_begin
	compaction:mm_compaction_end compaction:mm_compaction_deferred
	compaction:mm_compaction_kcompactd_wake vmalloc:alloc_vmap_area
	vmscan:mm_vmscan_direct_reclaim_begin vmscan:mm_vmscan_direct_reclaim_end
	vmscan:mm_vmscan_memcg_reclaim_begin vmscan:mm_vmscan_memcg_reclaim_end oom:mark_victim)

# The bpftrace equivalent of fragscope's default aggregation: pages by
# order x migratetype, per-process counts of order >= 4, stacks of order
# >= 4, kmalloc / kmem_cache_alloc per call site with bytes, failures
# printed with their stack.
cat >"$OUT/equiv.bt" <<'EOF'
tracepoint:kmem:mm_page_alloc
{
	@pages[args->order, args->migratetype] = count();
	if (args->order >= 4) { @proc[pid, comm, args->order] = count(); }
	if (args->order >= 4) { @stacks[kstack, args->order] = count(); }
	if (args->pfn == -1) { printf("page fail %s %d order %d\n%s\n", comm, pid, args->order, kstack); }
}
tracepoint:kmem:kmalloc
{
	@km[args->call_site] = count();
	@km_req[args->call_site] = sum(args->bytes_req);
	@km_alloc[args->call_site] = sum(args->bytes_alloc);
	if (args->ptr == 0) { printf("kmalloc fail %s %d\n%s\n", comm, pid, kstack); }
}
tracepoint:kmem:kmem_cache_alloc
{
	@kc[args->call_site] = count();
	@kc_req[args->call_site] = sum(args->bytes_req);
	@kc_alloc[args->call_site] = sum(args->bytes_alloc);
	if (args->ptr == 0) { printf("slab fail %s %d\n%s\n", comm, pid, kstack); }
}
EOF

# user CPU ms and peak RSS KiB of PID (while it lives).
proc_usage() {
	local pid=$1 tck utime hwm
	tck=$(getconf CLK_TCK)
	utime=$(awk '{ print $14 }' /proc/"$pid"/stat 2>/dev/null) || return 1
	hwm=$(awk '/^VmHWM:/ { print $2 }' /proc/"$pid"/status 2>/dev/null) || return 1
	[ -n "$utime" ] && [ -n "$hwm" ] || return 1
	echo "$((utime * 1000 / tck)) $hwm"
}

# start_tracer COND TAG: start COND's tracer in the background, wait until it has
# attached; sets BG_PID (empty for untraced).  Returns non-zero with the reason in $OUT/TAG.why.
start_tracer() {
	local cond=$1 tag=$2 e args=()
	BG_PID=
	case $cond in
	untraced) return 0 ;;
	floor)
		"$BENCH/floor" "$BENCH/floor.bpf.o" >"$OUT/$tag.out" 2>"$OUT/$tag.err" &
		BG_PID=$!
		wait_for "$OUT/$tag.out" '^attached' "$BG_PID" ;;
	fs_default | fs_stacks | fs_file)
		[ "$cond" = fs_stacks ] && args=(--stack-order 0 --min-order 0)
		if [ "$cond" = fs_file ]; then args+=(-o "$OUT/fs.data"); else args+=(--no-file); fi
		"$FRAGSCOPE" record "${args[@]}" -F json >"$OUT/$tag.json" 2>"$OUT/$tag.err" &
		BG_PID=$!
		wait_for "$OUT/$tag.err" 'tracing (attached' "$BG_PID" ;;
	bpftrace)
		command -v bpftrace >/dev/null || { echo "bpftrace not installed (Debian package bpftrace)" >"$OUT/$tag.why"; return 1; }
		bpftrace "$OUT/equiv.bt" >"$OUT/$tag.out" 2>"$OUT/$tag.err" &
		BG_PID=$!
		wait_for "$OUT/$tag.out" '^Attaching' "$BG_PID" && sleep 0.3 ;;
	perf_record | perf_kmem)
		command -v perf >/dev/null || { echo "perf not installed (Debian package linux-perf)" >"$OUT/$tag.why"; return 1; }
		if [ "$cond" = perf_record ]; then
			for e in "${TRACEPOINTS[@]}"; do args+=(-e "$e"); done
			perf record "${args[@]}" -a -g -o "$OUT/perf.data" >"$OUT/$tag.out" 2>"$OUT/$tag.err" &
		else
			perf kmem --page --slab record -o "$OUT/perf.data" >"$OUT/$tag.out" 2>"$OUT/$tag.err" &
		fi
		BG_PID=$!
		wait_perf "$BG_PID" ;;
	esac
	attached $? "$OUT/$tag.why" "$OUT/$tag.err" "$OUT/$tag.out"
}

# stop_tracer COND TAG: SIGINT the tracer by pid; sample its usage until it exits.
stop_tracer() {
	local cond=$1 tag=$2 usage last="" maps=0
	[ -n "$BG_PID" ] || return 0
	local t_stop
	t_stop=$(date +%s.%N)
	maps=$(map_bytes "$BG_PID")
	kill -INT "$BG_PID"
	while usage=$(proc_usage "$BG_PID"); do
		last=$usage
		kill -0 "$BG_PID" 2>/dev/null || break
		sleep 0.02
	done
	wait "$BG_PID"
	echo "$? $maps ${last:-0 0} $(echo "$t_stop - $T_START" | bc -l)" >"$OUT/$tag.stop"
	BG_PID=
}

# run_one COND ROUND: one measurement, appended to $OUT/results as
# cond round elapsed events lost lost_failures attach_ms utime_ms hwm_kb map_bytes file_bytes trace_s cpu
run_one() {
	local cond=$1 round=$2 tag="$1.$2" elapsed cpu events=0 lost=0 lostf=0 attach=- utime=- hwm=- maps=- fbytes=- trace_s=- st
	if ! start_tracer "$cond" "$tag"; then
		echo "$cond $round skip" >>"$OUT/results"
		cp "$OUT/$tag.why" "$OUT/$cond.why"
		return
	fi
	"$BENCH/workload" $WL_ARGS >"$OUT/$tag.wl" 2>&1 || echo "warning: workload failed under $cond" >&2
	stop_tracer "$cond" "$tag"
	elapsed=$(sed -n 's/^elapsed_s=//p' "$OUT/$tag.wl")
	cpu=$(sed -n 's/^cpu_s=//p' "$OUT/$tag.wl")
	if [ -f "$OUT/$tag.stop" ]; then
		read -r st maps utime hwm trace_s <"$OUT/$tag.stop"
		# perf exits 130 after SIGINT; the others exit 0.
		[ "$st" = 0 ] || { [ "$st" = 130 ] && [ "${cond#perf}" != "$cond" ]; } ||
			echo "warning: $cond exited with status $st" >&2
	fi
	case $cond in
	fs_*)
		if jq -e .meta "$OUT/$tag.json" >/dev/null 2>&1; then
			events=$(jq '[.meta.events[]] | add' "$OUT/$tag.json")
			lost=$(jq '.meta.lost.total' "$OUT/$tag.json")
			lostf=$(jq '[.meta.lost | to_entries[] | select(.key | endswith("_fail")) | .value] | add' "$OUT/$tag.json")
			attach=$(jq '.meta.attach_ms' "$OUT/$tag.json")
			jq -c .meta.lost "$OUT/$tag.json" >"$OUT/$cond.lost"
		fi
		[ "$cond" = fs_file ] && fbytes=$(stat -c %s "$OUT/fs.data" 2>/dev/null || echo 0) ;;
	perf_*)
		fbytes=$(stat -c %s "$OUT/perf.data" 2>/dev/null || echo 0)
		grep -h -i -E "lost|Captured" "$OUT/$tag.err" "$OUT/$tag.out" 2>/dev/null | tail -2 >"$OUT/$cond.note" ;;
	esac
	rm -f "$OUT/perf.data" "$OUT/perf.data.old" "$OUT/fs.data" "$OUT/$tag.json"
	echo "$cond $round $elapsed $events $lost $lostf $attach $utime $hwm $maps $fbytes $trace_s $cpu" >>"$OUT/results"
	printf '  round %s %-12s wall %8.3f s  cpu %8.3f s\n' "$round" "$cond" "$elapsed" "$cpu" >&2
}

echo "fragscope overhead benchmark: $ROUNDS round(s) of ${CONDS[*]}; workload $WL_ARGS" >&2
: >"$OUT/results"
for ((round = 1; round <= ROUNDS; round++)); do
	# Round-robin, rotated by one each round so no condition always runs first.
	n=${#CONDS[@]}
	for ((i = 0; i < n; i++)); do
		run_one "${CONDS[$(((i + round - 1) % n))]}" "$round"
	done
done

if [ "$QUICK" = 0 ]; then
	# Record-file size: fragscope writing its file, once (perf's sizes come from its rounds).
	run_one fs_file 1
	# The highest event rate: syscall churn only, no page faulting.
	SAVED_WL=$WL_ARGS
	WL_ARGS="-w pipe,socket -r 3000"
	run_one untraced rate
	run_one floor rate
	run_one fs_default rate
	WL_ARGS=$SAVED_WL
	# Per-program cost from the kernel's BPF statistics, fragscope and floor.
	STATS_OLD=$(sysctl -n kernel.bpf_stats_enabled)
	sysctl -q kernel.bpf_stats_enabled=1
	for cond in floor fs_default; do
		start_tracer "$cond" "$cond.stats" || continue
		"$BENCH/workload" $WL_ARGS >/dev/null 2>&1
		bpftool prog show -j >"$OUT/$cond.progs" 2>/dev/null
		for fd in /proc/"$BG_PID"/fdinfo/*; do sed -n 's/^prog_id:[[:space:]]*//p' "$fd" 2>/dev/null; done |
			sort -u >"$OUT/$cond.progids"
		stop_tracer "$cond" "$cond.stats"
	done
	sysctl -q kernel.bpf_stats_enabled="$STATS_OLD"
	STATS_OLD=
fi

# ---------------------------------------------------------------- report
SUMMARY=$(awk -v conds="${CONDS[*]}" '
function median(a, n,    i, j, t) {
	for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
$3 == "skip" { skip[$1] = 1; next }
{ el[$1, $2] = $3; cp[$1, $2] = $13; rows[$1] = rows[$1] " " $2; row[$1, $2] = $0 }
END {
	nc = split(conds, C, " ")
	for (c = 1; c <= nc; c++) {
		k = C[c]
		if (skip[k] && rows[k] == "") { print k, "skip"; continue }
		nr = split(rows[k], R, " "); n = 0; ne = 0; min = 1e9; max = 0
		delete rt; delete wt; delete es; delete at; delete ut; delete hw; delete mb; delete fb
		lost = 0; lostf = 0; hwmax = 0
		for (i = 1; i <= nr; i++) {
			r = R[i]; if (r !~ /^[0-9]+$/) continue
			if (!(("untraced", r) in el)) continue
			split(row[k, r], f, " ")
			n++; rt[n] = f[13] / cp["untraced", r]; wt[n] = f[3] / el["untraced", r]; if (rt[n] < min) min = rt[n]; if (rt[n] > max) max = rt[n]
			es[n] = f[12] > 0 ? f[4] / f[12] : 0; at[n] = f[7]; ut[n] = f[8]; hw[n] = f[9]; mb[n] = f[10]; fb[n] = f[12] > 0 ? f[11] / f[12] : 0
			lost += f[5]; lostf += f[6]; if (f[9] + 0 > hwmax) hwmax = f[9]
		}
		if (!n) { print k, "skip"; continue }
		printf "%s %d %.4f %.4f %.4f %.0f %d %d %s %s %d %s %.0f %.4f\n", k, n, median(rt, n), min, max, median(es, n), lost, lostf,
			at[1] == "-" ? "-" : median(at, n), ut[1] == "-" ? "-" : median(ut, n), hwmax, mb[1] == "-" ? "-" : median(mb, n), median(fb, n),
			median(wt, n)
	}
}' "$OUT/results")

echo
echo "== fragscope overhead: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), kernel $(uname -r)"
echo "== workload: build/bench/workload $WL_ARGS, untraced median CPU $(awk '$1 == "untraced" && $2 ~ /^[0-9]+$/ { print $13 }' "$OUT/results" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }') s, $ROUNDS round(s)"
printf '%-12s %4s %7s %15s %8s %7s %12s %6s %9s %8s %8s %8s\n' condition runs "cpu x" "min-max" added "wall x" \
	"events/s" lost "attach ms" "user ms" "RSS KiB" "map KiB"
echo "$SUMMARY" | while read -r k n med min max es lost lostf at ut hw mb fb wall; do
	if [ "$n" = skip ]; then
		printf '%-12s  not run: %s\n' "$k" "$(tr '\n' ' ' <"$OUT/$k.why" 2>/dev/null)"
		continue
	fi
	case $k in fs_*) ;; *) es=-; lost=-; hw=-; ;; esac
	[ "$k" = floor ] && hw=-
	printf '%-12s %4s %7.3f %7.3f-%-7.3f %+7.1f%% %7.3f %12s %6s %9s %8s %8s %8s\n' "$k" "$n" "$med" "$min" "$max" \
		"$(echo "($med - 1) * 100" | bc -l)" "$wall" "$es" "$lost" "$at" "$ut" "$hw" \
		"$([ "$mb" = - ] || [ "$mb" = 0 ] && echo - || echo $((mb / 1024)))"
done

added() { echo "$SUMMARY" | awk -v k="$1" '$1 == k && $2 != "skip" { print $3 - 1 }'; }

if [ "$QUICK" = 0 ]; then
	echo
	echo "== record file bytes per second of tracing"
	fs_bps=$(awk '$1 == "fs_file" { if ($12 > 0) printf "%.0f", $11 / $12 }' "$OUT/results")
	for k in perf_record perf_kmem; do
		v=$(awk -v k="$k" '$1 == k && $12 != "-" && $12 > 0 { print $11 / $12 }' "$OUT/results" | sort -n |
			awk '{ a[NR] = $1 } END { if (NR) printf "%.0f", (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }')
		eval "${k}_bps=\${v:-}"
		printf '%-12s %14s B/s   %s\n' "$k" "${v:-n/a}" "$(tr '\n' ' ' <"$OUT/$k.note" 2>/dev/null)"
	done
	printf '%-12s %14s B/s\n' fragscope "${fs_bps:-n/a}"

	echo
	echo "== highest event rate (workload -w pipe,socket -r 3000)"
	awk '$2 == "rate" { el[$1] = $3; ev[$1] = $4; lo[$1] = $5; lf[$1] = $6; cp[$1] = $13; tr[$1] = $12 }
	END {
		if (("fs_default" in el) && ("untraced" in el))
			printf "fs_default: %.0f traced events/s, cpu x %.3f, wall x %.3f, lost %d (failure events %d)\n",
				ev["fs_default"] / tr["fs_default"], cp["fs_default"] / cp["untraced"],
				el["fs_default"] / el["untraced"], lo["fs_default"], lf["fs_default"]
		if (("floor" in cp) && ("untraced" in cp))
			printf "floor:      cpu x %.3f, wall x %.3f\n", cp["floor"] / cp["untraced"], el["floor"] / el["untraced"]
	}' "$OUT/results"
	rate_max=$(awk '$2 == "rate" && $1 == "fs_default" && $12 > 0 { printf "%.0f", $4 / $12 }' "$OUT/results")
	[ -f "$OUT/fs_default.lost" ] && echo "lost per type (last fs_default run): $(cat "$OUT/fs_default.lost")"

	echo
	echo "== BPF run time per event (kernel.bpf_stats_enabled=1, one run each)"
	for cond in floor fs_default; do
		[ -s "$OUT/$cond.progs" ] || continue
		jq -r --argjson ids "[$(paste -sd, "$OUT/$cond.progids")]" '.[] | select(.id as $i | $ids | index($i)) |
			select(.run_cnt // 0 > 0) | "\(.name) \(.run_cnt) \(.run_time_ns)"' "$OUT/$cond.progs" |
			while read -r name cnt ns; do
				printf '%-12s %-24s %10d runs %7.1f ns/run\n' "$cond" "$name" "$cnt" "$(echo "$ns / $cnt" | bc -l)"
			done
	done

	echo
	echo "== targets"
	target() { printf '%-4s %s\n' "$1" "$2"; }
	fs=$(added fs_default) fl=$(added floor) bt=$(added bpftrace)
	if [ -n "$fs" ] && [ -n "$fl" ]; then
		ok=$(echo "$fs <= 1.25 * $fl" | bc -l)
		target "$([ "$ok" = 1 ] && echo PASS || echo FAIL)" "$(printf 'fs_default added %.1f%% <= 1.25 x floor added %.1f%% (= %.1f%%)' \
			"$(echo "$fs * 100" | bc -l)" "$(echo "$fl * 100" | bc -l)" "$(echo "$fl * 125" | bc -l)")"
	fi
	if [ -n "$fs" ] && [ -n "$bt" ]; then
		ok=$(echo "$fs <= 0.5 * $bt" | bc -l)
		target "$([ "$ok" = 1 ] && echo PASS || echo FAIL)" "$(printf 'fs_default added %.1f%% <= half of bpftrace added %.1f%%' \
			"$(echo "$fs * 100" | bc -l)" "$(echo "$bt * 100" | bc -l)")"
	else
		target FAIL "bpftrace did not run: $(tr '\n' ' ' <"$OUT/bpftrace.why" 2>/dev/null)"
	fi
	lostf=$(awk '$1 ~ /^fs_/ && $6 ~ /^[0-9]+$/ { s += $6 } END { print s + 0 }' "$OUT/results")
	if [ "${rate_max:-0}" -ge 1000000 ]; then note="at ${rate_max} events/s"; else
		note="the workload reached ${rate_max:-0} events/s on $(nproc) CPUs, below 1M/s"; fi
	target "$([ "$lostf" = 0 ] && [ "${rate_max:-0}" -ge 1000000 ] && echo PASS || { [ "$lostf" = 0 ] && echo "PASS*" || echo FAIL; })" \
		"lost failure events $lostf over every fragscope run ($note)"
	hw=$(echo "$SUMMARY" | awk '$1 == "fs_default" { print $11 }')
	target "$([ "${hw:-99999999}" -le 16384 ] && echo PASS || echo FAIL)" "fs_default peak RSS ${hw:-?} KiB <= 16384 KiB"
	at=$(echo "$SUMMARY" | awk '$1 == "fs_default" { print $9 }')
	target "$([ "$(echo "${at:-9999} <= 300" | bc -l)" = 1 ] && echo PASS || echo FAIL)" "fs_default start to attached ${at:-?} ms (median) <= 300 ms"
	if [ -n "${fs_bps:-}" ] && [ -n "${perf_kmem_bps:-}" ] && [ "$fs_bps" -gt 0 ]; then
		r=$(echo "$perf_kmem_bps / $fs_bps" | bc -l)
		target "$([ "$(echo "$r >= 20" | bc -l)" = 1 ] && echo PASS || echo FAIL)" \
			"$(printf 'record file %s B/s, %.0fx smaller than perf kmem'"'"'s %s B/s (>= 20x)' "$fs_bps" "$r" "$perf_kmem_bps")"
	else
		target FAIL "record-file comparison not measured"
	fi
fi
exit 0
