#!/usr/bin/env bash
# provoke kmalloc N churns pipes and socketpairs: tracefs sees, per round,
# at least 10 kmem:kmem_cache_alloc (files, inodes, dentries, sockets, skbs)
# and 2 kmem:kmalloc (pipe_inode_info, pipe buffers, skb data) for its pid,
# and it reports its rate for benchmarks.
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
N=2000
trace_event kmem/kmalloc
trace_event kmem/kmem_cache_alloc

out=$TMP/kmalloc.out
sh -c "$TRACED" sh "$TI" "$PROVOKE" --marker "$TI/trace_marker" kmalloc "$N" >"$out" || fail "provoke kmalloc: $(cat "$out")"
trace_save kmalloc
[ "$(val "$out" status)" = ok ] && [ "$(val "$out" kmalloc.errors)" = 0 ] || fail "provoke: $(cat "$out")"
pid=$(val "$out" pid)
between "$TMP/kmalloc.trace" kmalloc >"$TMP/loop"
cache=$(count "-$pid .* kmem_cache_alloc: " <"$TMP/loop")
kmalloc=$(count "-$pid .* kmalloc: " <"$TMP/loop")
pipes=$(count "kmalloc: call_site=alloc_pipe_info" <"$TMP/loop")
files=$(count "kmem_cache_alloc: call_site=alloc_empty_file" <"$TMP/loop")
echo "kmalloc $N: kmem_cache_alloc $cache, kmalloc $kmalloc (alloc_pipe_info $pipes), files $files;" \
	"$(val "$out" kmalloc.iterations_per_sec) rounds/s, $(val "$out" kmalloc.syscalls_per_sec) syscalls/s"
[ "$cache" -ge $((10 * N)) ] || fail "$cache kmem_cache_alloc for $N rounds"
[ "$kmalloc" -ge $((2 * N)) ] || fail "$kmalloc kmalloc for $N rounds"
[ "$files" -ge $((4 * N)) ] || fail "$files struct file allocations for $N rounds (2 pipe ends + 2 sockets each)"
[ "$(val "$out" kmalloc.iterations_per_sec)" -gt 0 ] || fail "no rate reported"
pass "kmalloc $N: $cache kmem_cache_alloc and $kmalloc kmalloc for pid $pid"
