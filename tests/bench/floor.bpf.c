// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark's floor: empty programs on the tracepoints fragscope uses,
 * of the same program types (tp_btf for the three hot kmem probes, raw_tp
 * for request tracking's syscall exit, classic tracepoints for the rest).
 * What fragscope costs above this is its own: an empty program on a syscall
 * tracepoint already moves every syscall onto the kernel's slow exit path.
 * Not in bpf/: everything there is linked into fragscope.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define FLOOR_BTF(name, tp)				\
	SEC("tp_btf/" tp) int name(void *ctx) { return 0; }
#define FLOOR_TP(name, tp)				\
	SEC("tracepoint/" tp) int name(void *ctx) { return 0; }

FLOOR_BTF(page_alloc, "mm_page_alloc")
FLOOR_BTF(kmalloc, "kmalloc")
FLOOR_BTF(kmem_cache_alloc, "kmem_cache_alloc")
FLOOR_TP(extfrag, "kmem/mm_page_alloc_extfrag")
FLOOR_TP(compact_try, "compaction/mm_compaction_try_to_compact_pages")
FLOOR_TP(compact_begin, "compaction/mm_compaction_begin")
FLOOR_TP(compact_end, "compaction/mm_compaction_end")
FLOOR_TP(compact_deferred, "compaction/mm_compaction_deferred")
FLOOR_TP(kcompactd_wake, "compaction/mm_compaction_kcompactd_wake")
FLOOR_TP(vmap_area, "vmalloc/alloc_vmap_area")
FLOOR_TP(direct_reclaim_begin, "vmscan/mm_vmscan_direct_reclaim_begin")
FLOOR_TP(direct_reclaim_end, "vmscan/mm_vmscan_direct_reclaim_end")
FLOOR_TP(memcg_reclaim_begin, "vmscan/mm_vmscan_memcg_reclaim_begin")
FLOOR_TP(memcg_reclaim_end, "vmscan/mm_vmscan_memcg_reclaim_end")
FLOOR_TP(mark_victim, "oom/mark_victim")
FLOOR_TP(task_exit, "sched/sched_process_exit")
SEC("raw_tp/sys_exit") int sys_exit(void *ctx) { return 0; }

char LICENSE[] SEC("license") = "GPL";
