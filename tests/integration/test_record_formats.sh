#!/usr/bin/env bash
# The output formats on a real recording of provoked failures:
#  - folded: every line of every --stacks selection is "frame;frame... N";
#  - pprof: `go tool pprof -top` reads it, its top function is a frame of the
#    top failure group's stack (--stacks failures) and the leaf carrying the
#    most allocations (--stacks high-order), and its total is the report's;
#    its bytes (-sample_index=failed_space, alloc_space) are the failures'
#    bytes as perf-script prints them event by event, and the high-order
#    allocations' PAGE_SIZE << order;
#  - perf-script: the exact perf-script structure (checked with awk, since
#    Debian packages no FlameGraph; stackcollapse-perf.pl is run as well if
#    it is on PATH), one event per failure, no kernel address printed;
#  - filters: under --min-order, --kind, --comm, --since and --until, json,
#    perf-script, folded and pprof count the same failures.
source "$(dirname "$0")/../lib.sh"
require_bpf
command -v go >/dev/null 2>&1 || skip "go not installed (apt-get install golang-go)"
# pprof keeps state under $HOME; keep it out of the real one.
export HOME=$TMP PPROF_TMPDIR=$TMP

memcg_create formats $((32 << 20)) || fail "cannot create a memory cgroup"
provoke_prepare fmt memcg_run "$MEMCG" "$TOOLS/provoke" --wait fail all 2
# --stack-order 2: provoke's order-3 kmalloc_large allocations get stacks.
fragscope_start record -p "$PROVOKE_PID" --cgroup "$MEMCG" --stack-order 2 -o "$TMP/rec.data" -F json --top 1000
provoke_go fmt
fragscope_stop || fail "record exited $?: $(cat "$TMP/fs.err")"
data=$TMP/rec.data
cp "$TMP/fs.out" "$TMP/report.json"
total_failures=$(json_get "$TMP/report.json" '[.failures[] | .count] | add // 0')
[ "$total_failures" -ge 1 ] || fail "no failures recorded"

report() { "$FRAGSCOPE" report -i "$data" "$@" 2>"$TMP/report.err" || fail "report $* exited $?: $(cat "$TMP/report.err")"; }

# --- folded ---
for stacks in failures high-order extfrag compaction reclaim; do
	report -F folded --stacks "$stacks" >"$TMP/folded-$stacks.txt"
	bad=$(grep -Evc '^[^ ;][^;]*(;[^;]+)* [0-9]+$' "$TMP/folded-$stacks.txt")
	[ "$bad" = 0 ] || fail "--stacks $stacks: $bad malformed folded lines: $(grep -Ev '^[^ ;][^;]*(;[^;]+)* [0-9]+$' "$TMP/folded-$stacks.txt" | head -3)"
	echo "--stacks $stacks: $(wc -l <"$TMP/folded-$stacks.txt") folded lines"
done
[ -s "$TMP/folded-failures.txt" ] && [ -s "$TMP/folded-high-order.txt" ] || fail "no failure or high-order stacks to check"
pass "folded lines are well-formed for every --stacks selection"

# --- pprof ---
# pprof_top STACKS: the function of -top's first row (names may hold spaces: "f [module]").
pprof_top() {
	report -F pprof --stacks "$1" >"$TMP/$1.pb.gz"
	go tool pprof -top "$TMP/$1.pb.gz" >"$TMP/top-$1.txt" 2>&1 || fail "go tool pprof rejected --stacks $1: $(cat "$TMP/top-$1.txt")"
	awk '/ flat%/ { getline; print; exit }' "$TMP/top-$1.txt" | sed -E 's/^ *([^ ]+ +){5}//'
}
top=$(pprof_top failures)
# The top failure group's stack as function names (json frames are "f+0x1a" or "f+0x1a [module]").
json_get "$TMP/report.json" '.failures | max_by(.count) | .stack[]' | sed -E 's/\+0x[0-9a-f]+//' >"$TMP/top-group.txt"
grep -qxF "$top" "$TMP/top-group.txt" || fail "pprof's top function '$top' is not in the top failure group's stack: $(cat "$TMP/top-group.txt")"
grep -q "of $total_failures total" "$TMP/top-failures.txt" || fail "pprof total is not $total_failures failures: $(head -5 "$TMP/top-failures.txt")"
grep -q '^Type: failures' "$TMP/top-failures.txt" || fail "sample type is not failures: $(head -3 "$TMP/top-failures.txt")"
pass "pprof --stacks failures: go tool pprof reads it; top function $top is in the top failure group's stack"

top=$(pprof_top high-order)
# The leaves carrying the most allocations, from the folded stacks.
awk '{ n = $NF; sub(/ [0-9]+$/, ""); k = split($0, f, ";"); sum[f[k]] += n }
     END { for (l in sum) if (sum[l] > max) max = sum[l]; for (l in sum) if (sum[l] == max) print l }' \
	"$TMP/folded-high-order.txt" >"$TMP/top-leaves.txt"
grep -qxF "$top" "$TMP/top-leaves.txt" || fail "pprof's top high-order function '$top' is not the heaviest leaf: $(cat "$TMP/top-leaves.txt")"
grep -q '^Type: allocations' "$TMP/top-high-order.txt" || fail "sample type is not allocations: $(head -3 "$TMP/top-high-order.txt")"
pass "pprof --stacks high-order: top function $top is the leaf with the most allocations"

# pprof_bytes FILE INDEX: the profile's total of that sample type, in bytes.
pprof_bytes() {
	go tool pprof -top -sample_index="$2" -unit=B "$1" >"$TMP/bytes-$2.txt" 2>&1 ||
		fail "go tool pprof -sample_index=$2 rejected $1: $(cat "$TMP/bytes-$2.txt")"
	grep -q "^Type: $2\$" "$TMP/bytes-$2.txt" || fail "no sample type $2: $(head -3 "$TMP/bytes-$2.txt")"
	sed -n 's/.* of \([0-9]*\)B total.*/\1/p' "$TMP/bytes-$2.txt" | head -1
}
page_size=$(getconf PAGESIZE)
# Each failure's bytes, from its perf-script event: pages of its order, the kmalloc request, the vmap size.
report -F perf-script >"$TMP/perf-script.txt"
want=$(awk -v ps="$page_size" '
	/: fragscope:page_fail: / { match($0, / order=[0-9]+/); b += ps * 2 ^ substr($0, RSTART + 7, RLENGTH - 7) }
	/: fragscope:(kmalloc|slab)_fail: / { match($0, / bytes_req=[0-9]+/); b += substr($0, RSTART + 11, RLENGTH - 11) }
	/: fragscope:vmap_fail: / { match($0, / size=[0-9]+/); b += substr($0, RSTART + 6, RLENGTH - 6) }
	END { printf "%d\n", b }' "$TMP/perf-script.txt")
got=$(pprof_bytes "$TMP/failures.pb.gz" failed_space)
[ "$got" = "$want" ] || fail "pprof failed_space is ${got}B, the failure events add up to ${want}B"
pass "pprof --stacks failures: -sample_index=failed_space totals ${got}B, the bytes of the failure events"
# The high-order allocations' bytes, from the folded stacks' alloc_order_N roots.
want=$(awk -v ps="$page_size" '{ split($1, f, ";"); sub(/^alloc_order_/, "", f[1]); b += $NF * ps * 2 ^ f[1] }
	END { printf "%d\n", b }' "$TMP/folded-high-order.txt")
got=$(pprof_bytes "$TMP/high-order.pb.gz" alloc_space)
[ "$got" = "$want" ] || fail "pprof alloc_space is ${got}B, the high-order folded stacks add up to ${want}B"
pass "pprof --stacks high-order: -sample_index=alloc_space totals ${got}B = count x PAGE_SIZE << order"

# --- perf-script ---
awk '
	function bad(why) { printf "line %d: %s: %s\n", NR, why, $0; failed = 1; exit 1 }
	state == 0 {  # an event line
		if ($0 !~ /^[^ \t].* [0-9]+\/[0-9]+ \[[0-9][0-9][0-9]\] [0-9]+\.[0-9][0-9][0-9][0-9][0-9][0-9]: fragscope:[a-z_]+: /)
			bad("not an event line")
		events++; state = 1; next
	}
	/^$/ { state = 0; next }
	# a frame, the address right-aligned in 16 columns: 0 unless --raw-addrs
	$0 !~ /^\t               0 [^ ].* \(\[[^ ]+\]\)$/ { bad("not a frame line") }
	END { if (failed) exit 1; if (state) bad("no blank line after the last event"); print events }
' "$TMP/perf-script.txt" >"$TMP/perf-script.check" || fail "perf-script output malformed: $(cat "$TMP/perf-script.check")"
events=$(cat "$TMP/perf-script.check")
fail_events=$(grep -Ec ': fragscope:(page|kmalloc|slab|vmap)_fail: ' "$TMP/perf-script.txt")
[ "$fail_events" = "$total_failures" ] || fail "perf-script has $fail_events failure events, the report $total_failures failures"
pass "perf-script: $events events in perf script's shape, one per failure ($fail_events), addresses hidden"
if command -v stackcollapse-perf.pl >/dev/null 2>&1; then
	stackcollapse-perf.pl "$TMP/perf-script.txt" >"$TMP/collapsed.txt" 2>"$TMP/collapse.err" || fail "stackcollapse-perf.pl failed"
	[ ! -s "$TMP/collapse.err" ] || fail "stackcollapse-perf.pl complained: $(head -3 "$TMP/collapse.err")"
	collapsed=$(awk '{ n += $NF } END { print n }' "$TMP/collapsed.txt")
	[ "$collapsed" = "$events" ] || fail "stackcollapse-perf.pl counted $collapsed events, not $events"
	pass "stackcollapse-perf.pl reads all $events events"
else
	echo "stackcollapse-perf.pl not on PATH (no Debian package): checked with awk only"
fi

# --- filters: every format counts the same failures ---
# failures_by_format ARGS...: "json perf-script folded pprof" failure totals under these filters.
failures_by_format() {
	local j p f g
	j=$(report -F json "$@" | jq '[.failures[] | .count] | add // 0')
	p=$(report -F perf-script "$@" | grep -Ec ': fragscope:(page|kmalloc|slab|vmap)_fail: ')
	f=$(report -F folded --stacks failures "$@" | awk '{ n += $NF } END { print n + 0 }')
	report -F pprof --stacks failures "$@" >"$TMP/filtered.pb.gz"
	g=$(go tool pprof -top "$TMP/filtered.pb.gz" 2>&1 | sed -n 's/.* of \([0-9]*\) total.*/\1/p' | head -1)
	echo "$j $p $f $g"
}
half=$(json_get "$TMP/report.json" '.failures | ((map(.first_s) | min) + (map(.last_s) | max)) / 2')
for filter in "" "--min-order 1" "--min-order 3" "--kind slab" "--kind page,kmalloc" "--comm provoke" \
	"--comm no-such-task" "--since $half" "--until $half" "--min-order 1 --kind kmalloc"; do
	# shellcheck disable=SC2086 # the filter is several words
	read -r j p f g <<<"$(failures_by_format $filter)"
	echo "filter '$filter': json $j, perf-script $p, folded $f, pprof $g"
	[ "$j" = "$p" ] && [ "$j" = "$f" ] && [ "$j" = "$g" ] ||
		fail "filter '$filter': json counts $j failures, perf-script $p, folded $f, pprof $g"
	[ "$filter" = "--min-order 1" ] && min_order_1=$j
done
# provoke's slab failures are order 0: --min-order 1 must drop them from every format.
orders0=$(json_get "$TMP/report.json" '[.failures[] | select(.order == 0) | .count] | add // 0')
[ "$orders0" -gt 0 ] || fail "no order-0 failure recorded: --min-order not exercised"
[ "$min_order_1" -lt "$total_failures" ] || fail "--min-order 1 kept all $total_failures failures, $orders0 of them order 0"
pass "json, perf-script, folded and pprof apply the same filters (--min-order 1: $min_order_1 of $total_failures failures)"

"$FRAGSCOPE" record --no-file -F perf-script -d 1 >/dev/null 2>"$TMP/nofile.err"
rc=$?
[ "$rc" = 2 ] || fail "record --no-file -F perf-script exited $rc, want 2 (usage)"
grep -q 'no-file' "$TMP/nofile.err" || fail "the refusal does not explain itself: $(cat "$TMP/nofile.err")"
pass "record --no-file -F perf-script is refused with a usage error"
