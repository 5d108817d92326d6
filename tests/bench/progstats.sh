#!/bin/bash
# Per-program BPF cost: run the workload under one tracer with
# kernel.bpf_stats_enabled=1 and print run_cnt and run_time_ns / run_cnt
# of every program the tracer holds (the kernel's own accounting, far less
# disturbed by other load on the machine than wall or CPU time).
#
# usage: tests/bench/progstats.sh [-n REPEATS] [-w "WORKLOAD ARGS"] [-o BPF_OBJECT] floor | fragscope [RECORD ARGS...]
# -o: the object the floor loader loads (default build/bench/floor.bpf.o;
# build/bench/ablate-N.bpf.o are fragscope's hot programs step by step).
set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
FRAGSCOPE=${FRAGSCOPE:-$TOP/fragscope}
BENCH=$TOP/build/bench
REPEATS=3
WL="-w pipe,socket -r 1500"
OBJ=$TOP/build/bench/floor.bpf.o
while [ $# -gt 0 ]; do
	case $1 in
	-n) REPEATS=$2; shift 2 ;;
	-w) WL=$2; shift 2 ;;
	-o) OBJ=$2; shift 2 ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
[ "$(id -u)" = 0 ] || { echo "progstats.sh: needs root" >&2; exit 1; }
make -s -C "$TOP/tests/bench" >/dev/null || exit 1
what=$1
shift
OUT=$(mktemp -d /tmp/fragscope-progstats.XXXXXX)
OLD=$(sysctl -n kernel.bpf_stats_enabled)
PID=
cleanup() {
	[ -n "$PID" ] && { kill -INT "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; }
	sysctl -q kernel.bpf_stats_enabled="$OLD"
	rm -rf "$OUT"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
sysctl -q kernel.bpf_stats_enabled=1

for ((i = 1; i <= REPEATS; i++)); do
	if [ "$what" = floor ]; then
		"$BENCH/floor" "$OBJ" >"$OUT/out" 2>"$OUT/err" &
		PID=$!
		pat='^attached'
		file=$OUT/out
	else
		"$FRAGSCOPE" record --no-file -F json "$@" >"$OUT/out" 2>"$OUT/err" &
		PID=$!
		pat='tracing (attached'
		file=$OUT/err
	fi
	for _ in $(seq 300); do
		grep -q "$pat" "$file" && break
		kill -0 "$PID" 2>/dev/null || { cat "$OUT/err" >&2; exit 1; }
		sleep 0.05
	done
	"$BENCH/workload" $WL >/dev/null
	ids=$(for fd in /proc/"$PID"/fdinfo/*; do sed -n 's/^prog_id:[[:space:]]*//p' "$fd" 2>/dev/null; done | sort -u | paste -sd,)
	bpftool prog show -j | jq -r --argjson ids "[$ids]" \
		'.[] | select(.id as $i | $ids | index($i)) | select((.run_cnt // 0) > 0) | "\(.name) \(.run_cnt) \(.run_time_ns)"' \
		>>"$OUT/stats"
	kill -INT "$PID"
	wait "$PID"
	PID=
done
# Per program: the median ns/run over the repeats, and the runs of the last one.
sort "$OUT/stats" | awk '
{ n[$1]++; v[$1, n[$1]] = $3 / $2; cnt[$1] = $2 }
END {
	for (p in n) {
		k = n[p]
		for (i = 2; i <= k; i++) { t = v[p, i]; for (j = i - 1; j >= 1 && v[p, j] > t; j--) v[p, j + 1] = v[p, j]; v[p, j + 1] = t }
		printf "%-26s %10d runs %8.1f ns/run (median of %d, min %.1f, max %.1f)\n", p, cnt[p],
			k % 2 ? v[p, (k + 1) / 2] : (v[p, k / 2] + v[p, k / 2 + 1]) / 2, k, v[p, 1], v[p, k]
	}
}' | sort
