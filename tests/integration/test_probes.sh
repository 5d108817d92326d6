#!/usr/bin/env bash
# fragscope probes: every probe attaches on this kernel; a masked probe is
# reported as masked while the rest keep working (the path a kernel without
# that tracepoint takes).
source "$(dirname "$0")/../lib.sh"
require_bpf

"$FRAGSCOPE" probes >"$TMP/probes.txt" 2>"$TMP/probes.err" || fail "probes exited $?: $(cat "$TMP/probes.err")"
cat "$TMP/probes.txt"
for p in kmem:mm_page_alloc kmem:mm_page_alloc_extfrag kmem:kmalloc kmem:kmem_cache_alloc \
	compaction:mm_compaction_begin compaction:mm_compaction_end compaction:mm_compaction_try_to_compact_pages \
	compaction:mm_compaction_deferred compaction:mm_compaction_kcompactd_wake vmalloc:alloc_vmap_area \
	vmscan:mm_vmscan_direct_reclaim_begin vmscan:mm_vmscan_direct_reclaim_end oom:mark_victim; do
	grep -Eq "^$p +attached" "$TMP/probes.txt" || fail "$p is not attached"
done
# The hot probes prefer BTF-typed tracepoints here.
grep -Eq "^kmem:mm_page_alloc +attached +tp_btf" "$TMP/probes.txt" || fail "mm_page_alloc not via tp_btf"
grep -Eq "^kmem:kmalloc +attached +tp_btf" "$TMP/probes.txt" || fail "kmalloc not via tp_btf"
pass "all probes attached"

"$FRAGSCOPE" --list-probes --mask-probes kmalloc,oom:mark_victim >"$TMP/masked.txt" 2>&1 || fail "masked probes exited $?"
grep -Eq "^kmem:kmalloc +masked" "$TMP/masked.txt" || fail "kmalloc not shown as masked"
grep -Eq "^oom:mark_victim +masked" "$TMP/masked.txt" || fail "mark_victim not shown as masked"
grep -Eq "^kmem:mm_page_alloc +attached" "$TMP/masked.txt" || fail "the rest did not keep working"
pass "masked probes are reported and the rest attach"

"$FRAGSCOPE" probes --classic-tracepoints >"$TMP/classic.txt" 2>&1 || fail "classic exited $?"
grep -Eq "^kmem:mm_page_alloc +attached +tracepoint" "$TMP/classic.txt" || fail "classic fallback not used"
pass "classic tracepoint fallback attaches"
