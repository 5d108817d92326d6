#!/usr/bin/env bash
# provoke pages N faults in exactly N order-0 anonymous pages: tracefs sees
# N GFP_HIGHUSER_MOVABLE order-0 kmem:mm_page_alloc events for its pid
# between its markers, plus one PTE page table per 512 pages, and no
# higher order; the whole process adds only its start-up.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../tracefs.sh"

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
