#!/usr/bin/env bash
# provoke thp N faults in N PMD-sized transparent huge pages: tracefs sees
# one successful order-9 (hpage_pmd_size) kmem:mm_page_alloc per huge page
# mapped (smaps AnonHugePages), never more than /proc/vmstat thp_fault_alloc
# grew, and one order-0 page table deposited with each.
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
N=8
enabled=$(sed 's/.*\[\(.*\)\].*/\1/' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)
[ -n "$enabled" ] || skip "no transparent huge pages in this kernel"
[ "$enabled" != never ] || skip "transparent_hugepage/enabled is never"
trace_event kmem/mm_page_alloc

out=$TMP/thp.out
sh -c "$TRACED" sh "$TI" "$PROVOKE" --marker "$TI/trace_marker" thp "$N" >"$out" || fail "provoke thp: $(cat "$out")"
trace_save thp
[ "$(val "$out" status)" = ok ] || fail "provoke: $(cat "$out")"
order=$(val "$out" thp.order)
huge=$(val "$out" thp.huge)
vmstat=$(val "$out" thp.vmstat_fault_alloc_delta)
ok=$(between "$TMP/thp.trace" thp | grep -v 'page=0000000000000000' | count "mm_page_alloc: .* order=$order ")
failed=$(between "$TMP/thp.trace" thp | count "mm_page_alloc: page=0000000000000000 .* order=$order ")
tables=$(between "$TMP/thp.trace" thp | count 'mm_page_alloc: .* order=0 .*GFP_KERNEL_ACCOUNT')
echo "thp $N (order $order): huge pages mapped $huge, order-$order allocations $ok (+$failed failed), vmstat thp_fault_alloc +$vmstat, page tables $tables"

[ "$huge" -ge 1 ] || fail "no huge page mapped (fragmented memory? defrag=$(val "$out" thp.defrag))"
[ "$ok" = "$huge" ] || fail "$ok order-$order allocations for $huge huge pages mapped"
[ "$vmstat" -ge "$ok" ] || fail "vmstat thp_fault_alloc grew by $vmstat, less than the $ok traced"
[ "$tables" -ge "$huge" ] || fail "$tables deposited page tables for $huge huge pages"
[ "$huge" = "$N" ] || echo "note: only $huge of $N faults got a huge page (fallback: $(val "$out" thp.vmstat_fault_fallback_delta))"
pass "thp $N: $huge order-$order allocations, as mapped and within vmstat thp_fault_alloc (+$vmstat)"
