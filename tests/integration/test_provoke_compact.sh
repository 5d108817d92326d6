#!/usr/bin/env bash
# provoke compact sysctl|node compacts every zone synchronously in the
# writer's own context: tracefs sees kmem compaction:mm_compaction_begin and
# _end (one pair per populated zone) and migrations for provoke's pid, and
# no mm_compaction_try_to_compact_pages (that is direct compaction only).
# provoke compact proactive wakes kcompactd: mm_compaction_wakeup_kcompactd
# from provoke's pid.  (Direct compaction: test_provoke_compact_direct.sh.)
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../tracefs.sh"

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
