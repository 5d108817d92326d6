#!/usr/bin/env bash
# provoke reclaim, in a memory cgroup at 32 MiB, reads a 128 MiB sparse file
# on disk twice: its clean page cache is charged to the cgroup beyond its
# limit, so the reader reclaims: tracefs sees vmscan:mm_vmscan_memcg_reclaim_begin
# and _end for provoke's pid, in pairs, and the OOM killer never runs.
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
dir=${PROVOKE_DIR:-/var/tmp}
[ "$(stat -f -c %T "$dir")" != tmpfs ] || skip "$dir is tmpfs: set PROVOKE_DIR to a directory on disk"
memcg_create provoke-reclaim $((32 << 20)) || fail "cannot create a memory cgroup"
cg=$MEMCG
trace_event vmscan/mm_vmscan_memcg_reclaim_begin
trace_event vmscan/mm_vmscan_memcg_reclaim_end
trace_event oom/mark_victim

out=$TMP/reclaim.out
start=$(date +%s)
memcg_run "$cg" sh -c "$TRACED" sh "$TI" "$PROVOKE" --marker "$TI/trace_marker" reclaim 128 2 >"$out" ||
	fail "provoke reclaim: $(cat "$out")"
secs=$(($(date +%s) - start))
trace_save reclaim
cp "$out" "$ARTIFACTS/provoke-reclaim.out"
[ "$(val "$out" status)" = ok ] || fail "provoke: $(cat "$out")"
pid=$(val "$out" pid)
begin=$(between "$TMP/reclaim.trace" reclaim | count "-$pid .* mm_vmscan_memcg_reclaim_begin:")
end=$(between "$TMP/reclaim.trace" reclaim | count "-$pid .* mm_vmscan_memcg_reclaim_end:")
reclaimed=$(between "$TMP/reclaim.trace" reclaim | sed -n 's/.*mm_vmscan_memcg_reclaim_end: nr_reclaimed=\([0-9]*\).*/\1/p' | awk '{ n += $1 } END { print n + 0 }')
echo "memcg reclaim stalls: $begin begin, $end end, $reclaimed pages reclaimed;" \
	"memcg failcnt +$(val "$out" reclaim.memcg_failcnt_delta); read $(val "$out" reclaim.bytes_read) bytes in ${secs}s"
[ "$(val "$out" reclaim.bytes_read)" = $((2 * 128 << 20)) ] || fail "read $(val "$out" reclaim.bytes_read) bytes"
[ "$begin" -ge 10 ] || fail "only $begin memcg reclaim stalls for pid $pid"
[ "$begin" = "$end" ] || fail "$begin mm_vmscan_memcg_reclaim_begin but $end _end"
# 256 MiB went through a 32 MiB cgroup: most of it was reclaimed on the way.
[ "$reclaimed" -ge $((((256 - 32) << 20 >> 12) / 2)) ] || fail "only $reclaimed pages reclaimed"
[ "$(val "$out" reclaim.memcg_failcnt_delta)" -gt 0 ] || fail "memcg failcnt did not grow"
[ "$(count 'mark_victim:' <"$TMP/reclaim.trace")" = 0 ] || fail "the OOM killer ran"
[ "$secs" -le 30 ] || fail "took $secs s"
pass "memcg reclaim: $begin stalls ($reclaimed pages) for pid $pid, no OOM kill"
