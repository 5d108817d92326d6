#!/bin/bash
# What request tracking costs every system call: fragscope attaches a
# raw_tp program to raw_syscalls:sys_exit (bpf/request.bpf.c) that every
# syscall of the machine passes through.  One run, conditions interleaved
# in rounds (order alternating), medians printed side by side:
#
#   untraced          no tracer
#   floor             empty programs on fragscope's tracepoints (build/bench/floor),
#                     sys_exit included: the kernel's cost of a syscall probe
#   no-requests       fragscope record --mask-probes raw_syscalls:sys_exit
#   default           fragscope record (requests tracked)
#
# The workload is a loop of getppid() calls (the cheapest syscall: the
# added cost is all there is to see) on one CPU.  Also prints the kernel's
# own accounting of the sys_exit program (kernel.bpf_stats_enabled).
#
# usage: sudo tests/bench/syscall_cost.sh [-n ROUNDS] [-c CALLS]
set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$TOP/tests/bench/attach.sh"
FRAGSCOPE=${FRAGSCOPE:-$TOP/fragscope}
ROUNDS=5
CALLS=5000000
while getopts n:c: opt; do
	case $opt in
	n) ROUNDS=$OPTARG ;;
	c) CALLS=$OPTARG ;;
	*) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "syscall_cost.sh: needs root" >&2; exit 1; }
[ -x "$FRAGSCOPE" ] || { echo "syscall_cost.sh: build fragscope first (make)" >&2; exit 1; }
make -s -C "$TOP/tests/bench" >/dev/null || exit 1
OUT=$(mktemp -d /tmp/fragscope-syscall-cost.XXXXXX)
OLD=$(sysctl -n kernel.bpf_stats_enabled)
PID=
cleanup() {
	[ -n "$PID" ] && { kill -INT "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; }
	sysctl -q kernel.bpf_stats_enabled="$OLD"
	rm -rf "$OUT"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cat >"$OUT/loop.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
/* ns per getppid() over N calls, measured on CLOCK_MONOTONIC. */
int main(int argc, char **argv)
{
	long n = atol(argv[1]);
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%.2f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n);
	return 0;
}
EOF
cc -O2 -o "$OUT/loop" "$OUT/loop.c" || exit 1

start_tracer() {
	"$FRAGSCOPE" record --no-file -F json "$@" >/dev/null 2>"$OUT/fs.err" &
	PID=$!
	wait_for "$OUT/fs.err" "tracing (attached" "$PID" && return 0
	echo "fragscope did not attach: $(cat "$OUT/fs.err")" >&2
	exit 1
}
start_floor() {
	"$TOP/build/bench/floor" "$TOP/build/bench/floor.bpf.o" >"$OUT/floor.out" 2>&1 &
	PID=$!
	wait_for "$OUT/floor.out" "^attached" "$PID" && return 0
	echo "the floor did not attach: $(cat "$OUT/floor.out")" >&2
	exit 1
}
stop_tracer() { kill -INT "$PID"; wait "$PID" 2>/dev/null; PID=; }

run() { # CONDITION
	case $1 in
	untraced) ;;
	floor) start_floor ;;
	no-requests) start_tracer --mask-probes raw_syscalls:sys_exit ;;
	default) start_tracer ;;
	esac
	taskset -c 0 "$OUT/loop" "$CALLS" >>"$OUT/$1"
	[ -z "$PID" ] || stop_tracer
}

conditions=(untraced floor no-requests default)
for ((r = 0; r < ROUNDS; r++)); do
	if ((r % 2)); then order=(default no-requests floor untraced); else order=("${conditions[@]}"); fi
	for c in "${order[@]}"; do run "$c"; done
done
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
base=$(median "$OUT/untraced")
echo "getppid() loop, $CALLS calls x $ROUNDS rounds on CPU 0, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-12s %10s %10s %10s\n' condition "ns/call" "+ns" "spread"
for c in "${conditions[@]}"; do
	m=$(median "$OUT/$c")
	spread=$(sort -n "$OUT/$c" | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.1f-%.1f", lo, hi }')
	printf '%-12s %10.1f %+10.1f %10s\n' "$c" "$m" "$(echo "$m - $base" | bc -l)" "$spread"
done

# The program's own cost per run, as the kernel accounts it.
sysctl -q kernel.bpf_stats_enabled=1
start_tracer
taskset -c 0 "$OUT/loop" "$CALLS" >/dev/null
bpftool prog show -j 2>/dev/null | jq -r '.[] | select(.name == "sys_exit") |
	"sys_exit program: \(.run_cnt) runs, \((.run_time_ns / (.run_cnt + 0.0001)) * 10 | floor / 10) ns per run (bpf_stats)"'
stop_tracer
