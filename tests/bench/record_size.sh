#!/usr/bin/env bash
# Record-file size: fragscope record against perf kmem --page --slab record,
# each for SECONDS_EACH seconds (default 60) of the same busy allocation
# workload, one after the other.  Prints both sizes and their ratio; the
# figures and how to read them are in docs/record-report.md.
#
# The workload loops `provoke kmalloc 20000 both` (pipe and socketpair
# churn: kmalloc, kmem_cache_alloc, page allocations of several orders) and
# `provoke pages 20000` (order-0 page faults) until the recording ends.
# Both recorders trace the whole system, as their defaults do.
#
# If `perf kmem record` does not work here, perf record -a on the kmem
# tracepoints fragscope also counts stands in, and the output says so.
#
# Usage (root): [SECONDS_EACH=10] [KEEP=1] tests/bench/record_size.sh
set -u
cd "$(dirname "$0")/../.." || exit 1
SECONDS_EACH=${SECONDS_EACH:-60}
FRAGSCOPE=${FRAGSCOPE:-./fragscope}
PROVOKE=${PROVOKE:-build/tests/tools/provoke}
PERF=${PERF:-perf}

[ "$(id -u)" = 0 ] || { echo "record_size.sh: run as root (BPF, perf -a)" >&2; exit 1; }
for tool in "$FRAGSCOPE" "$PROVOKE"; do
	[ -x "$tool" ] || { echo "record_size.sh: $tool not built (make && make tools)" >&2; exit 1; }
done
command -v "$PERF" >/dev/null || { echo "record_size.sh: perf not found (apt-get install linux-perf)" >&2; exit 1; }
dir=$(mktemp -d /tmp/fragscope-size.XXXXXX)
if [ "${KEEP:-0}" = 1 ]; then echo "files kept in $dir"; else trap 'rm -rf "$dir"' EXIT; fi

workload() {
	while [ ! -e "$dir/stop" ]; do
		"$PROVOKE" kmalloc 20000 both >/dev/null
		"$PROVOKE" pages 20000 >/dev/null
	done
}

# measure CMD...: runs CMD while the workload runs, then stops the workload.
measure() {
	local job rc
	rm -f "$dir/stop"
	workload &
	job=$!
	"$@"
	rc=$?
	touch "$dir/stop"
	wait "$job"
	return $rc
}

echo "fragscope record -d $SECONDS_EACH -o $dir/fragscope.data (-F json report discarded) ..."
measure "$FRAGSCOPE" record -d "$SECONDS_EACH" -o "$dir/fragscope.data" -F json >/dev/null 2>"$dir/fragscope.err" ||
	{ echo "fragscope record failed: $(cat "$dir/fragscope.err")" >&2; exit 1; }
grep 'wrote' "$dir/fragscope.err"

perf_what="perf kmem --page --slab record"
echo "$perf_what -o $dir/perf.data -- sleep $SECONDS_EACH ..."
if ! measure "$PERF" kmem --page --slab record -o "$dir/perf.data" -- sleep "$SECONDS_EACH" >"$dir/perf.err" 2>&1; then
	perf_what="perf record -a -e kmem:mm_page_alloc -e kmem:kmalloc -e kmem:kmem_cache_alloc (perf kmem record failed here: $(tail -1 "$dir/perf.err"))"
	echo "$perf_what ..."
	measure "$PERF" record -a -e kmem:mm_page_alloc -e kmem:kmalloc -e kmem:kmem_cache_alloc -o "$dir/perf.data" \
		-- sleep "$SECONDS_EACH" >"$dir/perf.err" 2>&1 || { echo "perf record failed: $(cat "$dir/perf.err")" >&2; exit 1; }
fi
grep -E 'Captured|lost' "$dir/perf.err"

fs_bytes=$(stat -c %s "$dir/fragscope.data")
perf_bytes=$(stat -c %s "$dir/perf.data")
echo
printf '%-12s %14s bytes  (%s s of the workload)\n' fragscope "$fs_bytes" "$SECONDS_EACH" perf "$perf_bytes" "$SECONDS_EACH"
echo "perf: $perf_what"
awk -v f="$fs_bytes" -v p="$perf_bytes" 'BEGIN { printf "ratio perf/fragscope: %.1f\n", p / f }'
