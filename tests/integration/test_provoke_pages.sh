#!/usr/bin/env bash
# provoke pages N faults in exactly N order-0 anonymous pages: tracefs sees
# N GFP_HIGHUSER_MOVABLE order-0 kmem:mm_page_alloc events for its pid
# between its markers, plus one PTE page table per 512 pages, and no
# higher order; the whole process adds only its start-up.
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
N=3000
trace_event kmem/mm_page_alloc

run_pages() { # N: trace one run, leave its output in $TMP/pages-N.out and trace
	sh -c "$TRACED" sh "$TI" "$PROVOKE" --marker "$TI/trace_marker" pages "$1" >"$TMP/pages-$1.out" ||
		fail "provoke pages $1: $(cat "$TMP/pages-$1.out")"
	trace_save "pages-$1"
}
run_pages 0
run_pages "$N"
out=$TMP/pages-$N.out tr=$TMP/pages-$N.trace
[ "$(val "$out" status)" = ok ] || fail "provoke: $(cat "$out")"
[ "$(val "$out" pages.touched)" = "$N" ] || fail "touched $(val "$out" pages.touched) pages, not $N"

anon=$(between "$tr" pages | count 'mm_page_alloc: .* order=0 .*gfp_flags=GFP_HIGHUSER_MOVABLE')
all0=$(between "$tr" pages | count 'mm_page_alloc: .* order=0 ')
high=$(between "$tr" pages | count 'mm_page_alloc: .* order=([1-9]|1[0-9]) ')
whole=$(count 'mm_page_alloc: .* order=0 ' <"$tr")
base=$(count 'mm_page_alloc: .* order=0 ' <"$TMP/pages-0.trace")
minflt=$(val "$out" pages.minflt)
echo "pages $N: anon order-0 in the touch loop $anon, all order-0 there $all0 (page tables $((all0 - anon))), higher orders $high"
echo "whole process: $whole order-0 (pages 0: $base); minor faults $minflt"

[ "$anon" = "$N" ] || fail "$anon anonymous order-0 allocations for $N touched pages"
tables=$((all0 - anon))
[ "$tables" -ge $(((N + 511) / 512 - 1)) ] && [ "$tables" -le $(((N + 511) / 512 + 2)) ] ||
	fail "$tables other order-0 allocations, expected about one page table per 512 pages"
[ "$high" = 0 ] || fail "$high allocations above order 0 inside the touch loop"
[ "$minflt" -ge "$N" ] && [ "$minflt" -le $((N + 16)) ] || fail "$minflt minor faults for $N pages"
# The whole process: the pages, their page tables, and start-up (exec, ld.so, libc).
[ "$whole" -ge "$all0" ] && [ "$whole" -le $((all0 + base + 100)) ] ||
	fail "whole process: $whole order-0 allocations, outside [$all0, $((all0 + base + 100))]"
[ "$base" -le 400 ] || fail "pages 0 alone made $base order-0 allocations"
pass "pages $N: exactly $N order-0 page faults, $tables page tables, start-up $((whole - all0)) (pages 0: $base)"
