// SPDX-License-Identifier: GPL-2.0
/*
 * vmalloc address-space failures.  vmalloc failing for lack of pages shows
 * up as page-allocator failures whose stack runs through vmalloc; user
 * space classifies those from the symbolised stack, and learns the size
 * vmalloc was asked from the area it reserved first (vmalloc_sizes).
 */
#include "fragscope.bpf.h"

/*
 * A vmalloc of more than a page of page pointers (over 512 pages) puts that
 * array in a vmalloc of its own, reserved after its area and before any of
 * its pages: an area just the size of the previous area's page array (both
 * with their guard page) is that array, and the request is still the
 * previous, outer one.
 */
static __always_inline bool page_array_of(__u64 size, __u64 outer)
{
	__u64 pages = outer / page_size - 1;
	__u64 array = (pages * sizeof(void *) + page_size - 1) / page_size * page_size;

	return outer > page_size && size == array + page_size;
}

SEC("tracepoint/vmalloc/alloc_vmap_area")
int alloc_vmap_area_tp(struct trace_event_raw_alloc_vmap_area *ctx)
{
	struct fs_event *e;

	if (task_excluded())
		return 0;
	count(FS_CTR_PROBE_HITS + FS_PROBE_VMAP_AREA);
	if (!ctx->failed) {
		__u32 tid = current_tid();
		__u64 size = ctx->size, *last = bpf_map_lookup_elem(&vmalloc_sizes, &tid);

		if (last && page_array_of(size, *last))
			return 0;
		bpf_map_update_elem(&vmalloc_sizes, &tid, &size, BPF_ANY);
		return 0;
	}
	e = event_start(FS_EV_VMAP_FAIL);
	if (!e)
		return 0;
	e->vmap.size = ctx->size;
	e->vmap.align = ctx->align;
	e->vmap.vstart = ctx->vstart;
	e->vmap.vend = ctx->vend;
	failure_submit(ctx, e);
	return 0;
}
