// SPDX-License-Identifier: GPL-2.0
#include "model/meta.h"

#include <stdio.h>

static const char *const probes[FS_PROBES][3] = {
	[FS_PROBE_PAGE_ALLOC] = { "kmem:mm_page_alloc", "kmem", "mm_page_alloc" },
	[FS_PROBE_EXTFRAG] = { "kmem:mm_page_alloc_extfrag", "kmem", "mm_page_alloc_extfrag" },
	[FS_PROBE_KMALLOC] = { "kmem:kmalloc", "kmem", "kmalloc" },
	[FS_PROBE_KMEM_CACHE_ALLOC] = { "kmem:kmem_cache_alloc", "kmem", "kmem_cache_alloc" },
	[FS_PROBE_COMPACT_TRY] = { "compaction:mm_compaction_try_to_compact_pages", "compaction",
				   "mm_compaction_try_to_compact_pages" },
	[FS_PROBE_COMPACT_BEGIN] = { "compaction:mm_compaction_begin", "compaction", "mm_compaction_begin" },
	[FS_PROBE_COMPACT_END] = { "compaction:mm_compaction_end", "compaction", "mm_compaction_end" },
	[FS_PROBE_COMPACT_DEFERRED] = { "compaction:mm_compaction_deferred", "compaction", "mm_compaction_deferred" },
	[FS_PROBE_KCOMPACTD_WAKE] = { "compaction:mm_compaction_kcompactd_wake", "compaction",
				      "mm_compaction_kcompactd_wake" },
	[FS_PROBE_VMAP_AREA] = { "vmalloc:alloc_vmap_area", "vmalloc", "alloc_vmap_area" },
	[FS_PROBE_DIRECT_RECLAIM_BEGIN] = { "vmscan:mm_vmscan_direct_reclaim_begin", "vmscan",
					    "mm_vmscan_direct_reclaim_begin" },
	[FS_PROBE_DIRECT_RECLAIM_END] = { "vmscan:mm_vmscan_direct_reclaim_end", "vmscan",
					  "mm_vmscan_direct_reclaim_end" },
	[FS_PROBE_MEMCG_RECLAIM_BEGIN] = { "vmscan:mm_vmscan_memcg_reclaim_begin", "vmscan",
					   "mm_vmscan_memcg_reclaim_begin" },
	[FS_PROBE_MEMCG_RECLAIM_END] = { "vmscan:mm_vmscan_memcg_reclaim_end", "vmscan",
					 "mm_vmscan_memcg_reclaim_end" },
	[FS_PROBE_OOM_VICTIM] = { "oom:mark_victim", "oom", "mark_victim" },
	[FS_PROBE_SYSCALL_EXIT] = { "raw_syscalls:sys_exit", "raw_syscalls", "sys_exit" },
	[FS_PROBE_TASK_EXIT] = { "sched:sched_process_exit", "sched", "sched_process_exit" },
};

const char *fs_probe_name(int probe)
{
	return probe >= 0 && probe < FS_PROBES ? probes[probe][0] : "?";
}

const char *fs_probe_category(int probe)
{
	return probe >= 0 && probe < FS_PROBES ? probes[probe][1] : "?";
}

const char *fs_probe_event(int probe)
{
	return probe >= 0 && probe < FS_PROBES ? probes[probe][2] : "?";
}

const char *fs_event_type_name(int type)
{
	static const char *const names[FS_EV_TYPES] = {
		[FS_EV_PAGE_FAIL] = "page_fail", [FS_EV_KMALLOC_FAIL] = "kmalloc_fail",
		[FS_EV_SLAB_FAIL] = "slab_fail", [FS_EV_VMAP_FAIL] = "vmap_fail",
		[FS_EV_COMPACT] = "compaction", [FS_EV_RECLAIM] = "reclaim",
		[FS_EV_OOM] = "oom", [FS_EV_SYSCALL_END] = "syscall_end",
	};

	return type > 0 && type < FS_EV_TYPES ? names[type] : "?";
}

const char *fs_map_name(int map)
{
	static const char *const names[FS_MAPS] = {
		[FS_MAP_PROC] = "proc",
		[FS_MAP_CALLSITE] = "callsite",
		[FS_MAP_EXTFRAG] = "extfrag",
		[FS_MAP_STACK_COUNTS] = "stack_counts",
		[FS_MAP_OPEN_REQUESTS] = "open_requests",
	};

	return map >= 0 && map < FS_MAPS ? names[map] : NULL;
}

bool meta_probe_warning(const struct trace_meta *m, int probe, char *buf, size_t len)
{
	if (!m || probe < 0 || probe >= FS_PROBES)
		return false;
	if (m->probe_state[probe] == PROBE_MISSING)
		snprintf(buf, len, "%s not traced: this kernel has no such tracepoint", fs_probe_name(probe));
	else if (m->probe_state[probe] == PROBE_FAILED)
		snprintf(buf, len, "%s not traced: the kernel refused its program", fs_probe_name(probe));
	else
		return false;
	return true;
}
