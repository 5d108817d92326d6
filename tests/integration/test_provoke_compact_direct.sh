#!/usr/bin/env bash
# provoke compact direct fragments memory (every other page of 256 MiB
# freed) and then takes THP faults in an MADV_HUGEPAGE region: where that
# forces direct compaction, tracefs sees compaction:mm_compaction_try_to_compact_pages
# (order 9) and mm_compaction_begin/end for provoke's pid, and
# /proc/vmstat compact_stall grows.  Where the kernel satisfies every THP
# fault without compacting (plenty of free pageblocks, or a ZONE_NORMAL
# initialised on demand that grows instead), there is nothing to prove:
# the test says so and skips.
source "$(dirname "$0")/../lib.sh"
# --- tracefs helpers, the same in every test_provoke_*.sh -------------------
# The kernel's own evidence, independent of fragscope: a tracefs instance of
# this test's own, its events following the workload's pid (and children).
PROVOKE=$TOOLS/provoke
T=/sys/kernel/tracing
TI=$T/instances/fragscope-test-$$
TRIGGERS=()
provoke_require() {
	[ "$(id -u)" = 0 ] || skip "needs root (tracefs, memory cgroups)"
	[ -x "$PROVOKE" ] || fail "$PROVOKE not built (make tools)"
	[ -d $T/instances ] || mount -t tracefs nodev $T 2>/dev/null || skip "no tracefs at $T"
	mkdir "$TI" || fail "cannot create $TI"
	on_exit trace_remove
	echo 0 >"$TI/tracing_on"
	echo 8192 >"$TI/buffer_size_kb"
	echo 1 >"$TI/options/event-fork"
}
trace_event() { # SYSTEM/EVENT [FILTER]
	[ -z "${2:-}" ] || echo "$2" >"$TI/events/$1/filter" || fail "filter '$2' on $1"
	echo 1 >"$TI/events/$1/enable" || fail "cannot enable $1"
}
trace_stack() { # SYSTEM/EVENT CONDITION: record the kernel stack of matching events
	echo "stacktrace if $2" >"$TI/events/$1/trigger" || fail "stacktrace trigger on $1"
	TRIGGERS+=("$1:$2")
}
trace_remove() {
	local t
	[ -d "$TI" ] || return 0
	echo 0 >"$TI/tracing_on"
	for t in "${TRIGGERS[@]}"; do echo "!stacktrace if ${t#*:}" >"$TI/events/${t%%:*}/trigger"; done
	echo 0 >"$TI/events/enable"
	rmdir "$TI" || echo "warning: could not remove $TI" >&2
}
# Prefix a command with "sh -c "$TRACED" sh "$TI"": it sets the pid filter to
# its own pid, turns tracing on and execs the command (same pid).
TRACED='echo $$ >"$1/set_event_pid" && echo 1 >"$1/tracing_on" && shift && exec "$@"'
trace_save() { # NAME: stop, keep the trace in $TMP/NAME.trace and the artifacts
	echo 0 >"$TI/tracing_on"
	cat "$TI/trace" >"$TMP/$1.trace"
	cp "$TMP/$1.trace" "$ARTIFACTS/provoke-$1.trace"
	echo >"$TI/trace"
}
val() { sed -n "s/^$2=//p" "$1" | tail -1; } # FILE KEY: a provoke key=value
# The lines between provoke's --marker begin and end lines.
between() { sed -n "/provoke: $2 begin/,/provoke: $2 end/p" "$1"; }
# One line per recorded stack: "<event line> || frame frame ...".
stacks() {
	awk '/<stack trace>/ { st = 1; s = ""; next }
	     st && /^ => / { sub(/^ => /, ""); s = s " " $0; next }
	     st { print ev " ||" s; st = 0 }
	     { ev = $0 }
	     END { if (st) print ev " ||" s }'
}
count() { grep -cE -e "$1" || true; } # REGEX: matching lines of stdin
# ---------------------------------------------------------------------------

provoke_require
enabled=$(sed 's/.*\[\(.*\)\].*/\1/' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)
[ -n "$enabled" ] && [ "$enabled" != never ] || skip "transparent huge pages unavailable"
trace_event compaction/mm_compaction_try_to_compact_pages
trace_event compaction/mm_compaction_begin
trace_event compaction/mm_compaction_end
trace_stack compaction/mm_compaction_try_to_compact_pages 'order > 0'

out=$TMP/compact-direct.out
start=$(date +%s)
sh -c "$TRACED" sh "$TI" "$PROVOKE" --marker "$TI/trace_marker" compact direct 256 64 >"$out" ||
	fail "provoke compact direct: $(cat "$out")"
secs=$(($(date +%s) - start))
trace_save compact-direct
cp "$out" "$ARTIFACTS/provoke-compact-direct.out"
tr=$TMP/compact-direct.trace
pid=$(val "$out" pid)
try=$(count "-$pid .* mm_compaction_try_to_compact_pages: order=9 " <"$tr")
begin=$(count "-$pid .* mm_compaction_begin:" <"$tr")
stall=$(val "$out" compact.vmstat_compact_stall_delta)
echo "compact direct: try_to_compact_pages (order 9) $try, zone compactions $begin, vmstat compact_stall +$stall," \
	"huge pages $(val "$out" compact.thp_huge) of $(val "$out" compact.thp_requested); ${secs}s"
[ "$secs" -le 40 ] || fail "took $secs s"
if [ "$(val "$out" compact.direct_compaction)" != 1 ] && [ "$try" = 0 ]; then
	# Not a missing prerequisite of fragscope's: this kernel/machine just
	# did not need to compact.  Say why, and skip even in CI.
	echo "SKIP: no direct compaction happened: $(val "$out" compact.note)" \
		"(ZONE_NORMAL present $(val "$out" compact.zone_normal_present_pages), managed $(val "$out" compact.zone_normal_managed_pages) pages)" >&2
	exit 77
fi
[ "$try" -ge 1 ] || fail "vmstat compact_stall grew but no try_to_compact_pages from pid $pid"
stacks <"$tr" | grep -qE 'mm_compaction_try_to_compact_pages:.*\|\| .*__alloc_pages_direct_compact' ||
	fail "no try_to_compact_pages stack through __alloc_pages_direct_compact"
pass "direct compaction: $try order-9 attempts, $begin zone compactions for pid $pid"
