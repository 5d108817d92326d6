#!/usr/bin/env bash
# External fragmentation provoked for real: hundreds of MiB of pipe buffers
# (unmovable pages) exhaust the unmovable pageblocks, so the allocator falls
# back into movable ones.  The fallbacks are counted exactly, with the
# pageblocks that changed type, and their stacks show who polluted them.
source "$(dirname "$0")/../lib.sh"
require_bpf

# Fill more than the unmovable free lists hold now (earlier runs leave
# pageblocks typed unmovable), so the allocator must fall back.
free_unmovable_mb=$(awk '/type +Unmovable/ { for (i = 7; i <= NF; i++) pages += $i * 2 ^ (i - 7) }
	END { printf "%d", pages * 4 / 1024 }' /proc/pagetypeinfo)
MB=$((free_unmovable_mb + 256))
echo "free unmovable: $free_unmovable_mb MiB; filling $MB MiB of pipes"

provoke_prepare pipes "$TOOLS/pipe_fill" --wait "$MB"
pid=$PROVOKE_PID
fragscope_start record -p "$pid" -o "$TMP/extfrag.data" -F json
provoke_go pipes
fragscope_stop || fail "record exited $?: $(cat "$TMP/fs.err")"
cp "$TMP/fs.out" "$ARTIFACTS/extfrag.json"
fallbacks=$(json_get "$TMP/fs.out" '.extfrag.fallbacks')
events=$(json_get "$TMP/fs.out" '.meta.events["kmem:mm_page_alloc_extfrag"]')
unmovable=$(json_get "$TMP/fs.out" '[.extfrag.by_kind[] | select(.alloc_migratetype == "Unmovable" and .fallback_migratetype != "Unmovable") | .count] | add // 0')
echo "extfrag fallbacks: $fallbacks (tracepoint hits $events), unmovable into other pageblocks: $unmovable"
[ "$fallbacks" -ge 1 ] || fail "no extfrag fallback traced while filling $MB MiB of pipes"
[ "$fallbacks" = "$events" ] || fail "aggregated fallbacks ($fallbacks) differ from the tracepoint's hits ($events)"
[ "$unmovable" -ge 1 ] || fail "no unmovable allocation falling back into another migratetype"
pass "extfrag fallbacks counted exactly, by migratetype"

"$FRAGSCOPE" report -i "$TMP/extfrag.data" -F folded --stacks extfrag >"$TMP/folded" || fail "folded report failed"
grep -Eq '^extfrag_order_0;.*pipe_write.* [0-9]+$' "$TMP/folded" || fail "extfrag culprit stacks lack pipe_write: $(head -3 "$TMP/folded")"
pass "extfrag culprit stacks point at pipe_write"
