#!/usr/bin/env bash
# The output formats on a real recording of provoked failures:
#  - folded: every line of every --stacks selection is "frame;frame... N";
#  - pprof: `go tool pprof -top` reads it, its top function is a frame of the
#    top failure group's stack (--stacks failures) and the leaf carrying the
#    most allocations (--stacks high-order), and its total is the report's;
#  - perf-script: the exact perf-script structure (checked with awk, since
#    Debian packages no FlameGraph; stackcollapse-perf.pl is run as well if
#    it is on PATH), one event per failure, no kernel address printed.
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

# --- perf-script ---
report -F perf-script >"$TMP/perf-script.txt"
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

"$FRAGSCOPE" record --no-file -F perf-script -d 1 >/dev/null 2>"$TMP/nofile.err"
rc=$?
[ "$rc" = 2 ] || fail "record --no-file -F perf-script exited $rc, want 2 (usage)"
grep -q 'no-file' "$TMP/nofile.err" || fail "the refusal does not explain itself: $(cat "$TMP/nofile.err")"
pass "record --no-file -F perf-script is refused with a usage error"
