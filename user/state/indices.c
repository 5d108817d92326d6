// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's fragmentation indices (mm/vmstat.c), computed from buddyinfo
 * with the kernel's integer arithmetic so that the results equal what
 * /sys/kernel/debug/extfrag/{unusable_index,extfrag_index} print.
 */
#include "state/state.h"

#include <string.h>

void state_contig_info(const struct state_zone_free *z, unsigned int order,
		       struct state_contig_info *info)
{
	memset(info, 0, sizeof(*info));
	for (unsigned int o = 0; o < z->nr_orders; o++) {
		uint64_t blocks = z->free_blocks[o];

		info->free_blocks_total += blocks;
		info->free_pages += blocks << o;
		/* A larger block splits into 2^(o - order) blocks of the requested order. */
		if (o >= order)
			info->free_blocks_suitable += blocks << (o - order);
	}
}

/*
 * How much of the free memory cannot serve a request of @order: 0 none,
 * 1000 all of it (also when nothing is free).
 */
int state_unusable_index(const struct state_contig_info *info, unsigned int order)
{
	if (!info->free_pages)
		return 1000;
	return (info->free_pages - (info->free_blocks_suitable << order)) * 1000 /
	       info->free_pages;
}

/*
 * Only meaningful when a request of @order would fail: towards 0 it fails
 * for lack of memory (reclaim helps), towards 1000 for fragmentation
 * (compaction helps).  The kernel's formula can dip below 0 for tiny free
 * counts (1000 - 1500 for one free page and an order-1 request); it is kept
 * as is, since it is what the kernel compares with vm.extfrag_threshold.
 */
int state_extfrag_index(const struct state_contig_info *info, unsigned int order)
{
	uint64_t requested = 1ull << order;

	if (!info->free_blocks_total)
		return 0;
	if (info->free_blocks_suitable)
		return STATE_EXTFRAG_NOT_MEANINGFUL;
	return 1000 - (int)((1000 + info->free_pages * 1000 / requested) /
			    info->free_blocks_total);
}

/*
 * The kernel's __zone_watermark_ok() (mm/page_alloc.c) for an ordinary
 * request (GFP_KERNEL-like: no access to reserves, no CMA) against the low
 * watermark, which is what the allocator's fast path checks.  Simplified:
 *  - lowmem_reserve is the largest protection[] entry, i.e. a request from
 *    the highest zone falling back into this one, the usual way lower
 *    zones are used;
 *  - the pages reserved for high-order atomic allocations and the free-list
 *    check by migratetype are only known with pagetypeinfo (has_types);
 *    without it every free block counts, so "ok" may be optimistic;
 *  - the per-cpu vmstat drift the kernel corrects with
 *    zone_page_state_snapshot() is not visible from user space.
 */
bool state_watermark_ok(const struct state_zone_free *z, unsigned int order)
{
	int64_t free_pages = z->pages_free;

	free_pages -= (1ll << order) - 1;
	free_pages -= z->reserved_highatomic;
	free_pages -= z->free_cma;
	if (free_pages <= (int64_t)(z->wmark_low + z->lowmem_reserve))
		return false;
	if (!order)
		return true;
	for (unsigned int o = order; o < z->nr_orders; o++)
		if (z->has_types ? z->free_blocks_pcptypes[o] : z->free_blocks[o])
			return true;
	return false;
}

void state_zone_indices(const struct state_zone_free *z, struct state_zone_indices *out)
{
	struct state_contig_info info;

	memset(out, 0, sizeof(*out));
	out->largest_order = -1;
	for (unsigned int o = 0; o < z->nr_orders; o++) {
		if (z->free_blocks[o])
			out->largest_order = o;
		state_contig_info(z, o, &info);
		out->free_pages = info.free_pages;
		out->usable_pages[o] = info.free_blocks_suitable << o;
		out->unusable[o] = state_unusable_index(&info, o);
		out->extfrag[o] = state_extfrag_index(&info, o);
		out->watermark_ok[o] = state_watermark_ok(z, o);
	}
}
