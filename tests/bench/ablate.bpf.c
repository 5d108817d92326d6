// SPDX-License-Identifier: GPL-2.0
/*
 * fragscope's hot programs built up step by step, to account for their
 * cost per event (tests/bench/progstats.sh -o build/bench/ablate-N.bpf.o
 * floor; docs/performance.md):
 *
 *   STEP 1  the floor plus the self filter: bpf_get_current_pid_tgid()
 *           compared with a read-only tgid (task_excluded() in fragscope)
 *   STEP 2  plus the aggregate every event updates: mm_page_alloc's
 *           per-CPU counter at its order x migratetype x gfp-class slot,
 *           kmalloc's and kmem_cache_alloc's call-site slot (two ways)
 *   STEP 3  STEP 2 with every event on one constant slot (page counter 0,
 *           call-site slot 0): the same instructions minus the index, so
 *           the difference to STEP 2 is what the computed slot's cache
 *           line costs (memory latency), not the increment
 *   STEP 4  STEP 2 for page allocations of order >= 1 only, the order
 *           tested first: an order-0 event takes no filter and no counter
 *   STEP 5  STEP 2 with the order tested first: an order-0 event takes
 *           the counter but not the self filter
 *   STEP 6  STEP 5 with the page counters in a plain array, one row of
 *           FS_PAGE_ALLOC_SLOTS per CPU (kmalloc'd memory, not the
 *           per-CPU allocator's vmalloc'd chunks)
 *   STEP 7  STEP 4 with the slab programs' self filter dropped: what a
 *           kmalloc or kmem_cache_alloc event costs with only its
 *           call-site slot
 *
 * The same program names as the floor's, so progstats.sh prints them side
 * by side.  The logic mirrors bpf/page.bpf.c and bpf/slab.bpf.c; the
 * rest of fragscope's cost is the difference to its own programs.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "fragscope.h"

#ifndef STEP
#define STEP 1
#endif

const volatile __u32 self_tgid = 1; /* no task has tgid 1 here but init */
const volatile __u64 gfp_direct_reclaim = 0x400, gfp_high = 0x20, gfp_mayfail = 0x1000;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FS_PAGE_ALLOC_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} page_allocs SEC(".maps");

#define ABLATE_CPUS 4 /* 4 rows of 4 KiB: small enough to be kmalloc'd */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, ABLATE_CPUS * FS_PAGE_ALLOC_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} page_rows SEC(".maps");

struct slots_map {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fs_callsite_slots);
};
struct slots_map kmalloc_slots SEC(".maps");
struct slots_map kcache_slots SEC(".maps");

static __always_inline bool excluded(void)
{
	return (bpf_get_current_pid_tgid() >> 32) == self_tgid;
}

static __always_inline void slot_add(void *slots, __u64 call_site, __u64 req, __u64 alloc)
{
	__u32 zero = 0, i = fs_callsite_slot_index(call_site) & (FS_CALLSITE_SLOTS - 2);
	struct fs_callsite_slots *all = bpf_map_lookup_elem(slots, &zero);
	struct fs_callsite_slot *s;

	if (!all || !call_site)
		return;
	s = &all->slot[STEP == 3 ? 0 : i];
	if (STEP != 3 && s->call_site != call_site) {
		if (s->call_site) {
			s = &all->slot[i + 1];
			if (s->call_site != call_site) {
				if (s->call_site)
					return;
				s->call_site = call_site;
			}
		} else {
			s->call_site = call_site;
		}
	}
	s->count++;
	s->bytes_req += req;
	s->bytes_alloc += alloc;
}

SEC("tp_btf/mm_page_alloc")
int BPF_PROG(page_alloc, struct page *page, unsigned int order, gfp_t gfp, int mt)
{
	__u32 slot, class;
	__u64 *n;

	if ((STEP == 4 || STEP == 7) && !order)
		return 0;
	if ((STEP < 5 || order) && (excluded() || STEP < 2))
		return 0;
	if (!(gfp & gfp_direct_reclaim))
		class = (gfp & gfp_high) ? FS_GFP_ATOMIC : FS_GFP_NOWAIT;
	else
		class = (gfp & gfp_mayfail) ? FS_GFP_MAYFAIL : FS_GFP_NORMAL;
	slot = fs_page_alloc_index(order < FS_ORDERS ? order : FS_ORDERS - 1,
				   mt >= 0 && mt < FS_MIGRATETYPES ? mt : FS_MIGRATETYPES - 1, class);
	if (STEP == 3)
		slot = 0;
	if (STEP == 6) {
		slot += (bpf_get_smp_processor_id() & (ABLATE_CPUS - 1)) * FS_PAGE_ALLOC_SLOTS;
		n = bpf_map_lookup_elem(&page_rows, &slot);
	} else {
		n = bpf_map_lookup_elem(&page_allocs, &slot);
	}
	if (n)
		(*n)++;
	return 0;
}

SEC("tp_btf/kmalloc")
int BPF_PROG(kmalloc, unsigned long call_site, const void *ptr, size_t bytes_req, size_t bytes_alloc,
	     gfp_t gfp, int node)
{
	if ((STEP != 7 && excluded()) || STEP < 2)
		return 0;
	if (ptr)
		slot_add(&kmalloc_slots, call_site, bytes_req, bytes_alloc);
	return 0;
}

SEC("tp_btf/kmem_cache_alloc")
int BPF_PROG(kmem_cache_alloc, unsigned long call_site, const void *ptr, struct kmem_cache *s, gfp_t gfp,
	     int node)
{
	if ((STEP != 7 && excluded()) || STEP < 2)
		return 0;
	if (ptr)
		slot_add(&kcache_slots, call_site, s->object_size, s->size);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
