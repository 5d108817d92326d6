#!/usr/bin/env bash
# provoke compact sysctl|node compacts every zone synchronously in the
# writer's own context: tracefs sees kmem compaction:mm_compaction_begin and
# _end (one pair per populated zone) and migrations for provoke's pid, and
# no mm_compaction_try_to_compact_pages (that is direct compaction only).
# provoke compact proactive wakes kcompactd: mm_compaction_wakeup_kcompactd
# from provoke's pid.  (Direct compaction: test_provoke_compact_direct.sh.)
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
[ -w /proc/sys/vm/compact_memory ] || skip "no /proc/sys/vm/compact_memory (CONFIG_COMPACTION off)"
for e in mm_compaction_begin mm_compaction_end mm_compaction_try_to_compact_pages \
	mm_compaction_migratepages mm_compaction_wakeup_kcompactd; do
	trace_event compaction/$e
done
zones=$(awk '/^ +present +[1-9]/ { n++ } END { print n }' /proc/zoneinfo)

for mode in sysctl node; do
	out=$TMP/compact-$mode.out
	start=$(date +%s)
	sh -c "$TRACED" sh "$TI" "$PROVOKE" --marker "$TI/trace_marker" compact $mode 64 >"$out" ||
		fail "provoke compact $mode: $(cat "$out")"
	secs=$(($(date +%s) - start))
	trace_save compact-$mode
	tr=$TMP/compact-$mode.trace
	pid=$(val "$out" pid)
	begin=$(between "$tr" compact | count "-$pid .* mm_compaction_begin:")
	end=$(between "$tr" compact | count "-$pid .* mm_compaction_end:")
	migrate=$(between "$tr" compact | count "-$pid .* mm_compaction_migratepages:")
	try=$(count 'mm_compaction_try_to_compact_pages:' <"$tr")
	echo "compact $mode: begin $begin, end $end (populated zones: $zones), migratepages $migrate, try_to_compact_pages $try;" \
		"vmstat compact_migrate_scanned +$(val "$out" compact.vmstat_compact_migrate_scanned_delta); ${secs}s"
	[ "$begin" -ge 1 ] && [ "$begin" = "$end" ] || fail "$mode: $begin mm_compaction_begin, $end end for pid $pid"
	[ "$begin" -le "$zones" ] || fail "$mode: $begin zone compactions, more than the $zones populated zones"
	[ "$try" = 0 ] || fail "$mode: try_to_compact_pages fired: that is direct compaction"
	[ "$(val "$out" compact.vmstat_compact_migrate_scanned_delta)" -gt 0 ] || fail "$mode: nothing scanned"
	[ "$secs" -le 20 ] || fail "$mode took $secs s"
done
pass "compact sysctl and node: mm_compaction_begin/end per zone in provoke's own context"

out=$TMP/compact-proactive.out
sh -c "$TRACED" sh "$TI" "$PROVOKE" compact proactive 0 >"$out" || fail "provoke compact proactive: $(cat "$out")"
trace_save compact-proactive
pid=$(val "$out" pid)
wake=$(count "-$pid .* mm_compaction_wakeup_kcompactd:" <"$TMP/compact-proactive.trace")
echo "compact proactive: mm_compaction_wakeup_kcompactd from pid $pid: $wake;" \
	"kcompactd compacted: migrate_scanned +$(val "$out" compact.vmstat_compact_daemon_migrate_scanned_delta)"
[ "$wake" -ge 1 ] || fail "no mm_compaction_wakeup_kcompactd from provoke"
[ "$(val "$out" compact.proactiveness)" = "$(cat /proc/sys/vm/compaction_proactiveness)" ] ||
	fail "compaction_proactiveness changed"
pass "compact proactive: kcompactd woken by provoke, setting unchanged"
