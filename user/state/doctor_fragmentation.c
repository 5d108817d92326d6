// SPDX-License-Identifier: GPL-2.0
/*
 * The doctor's fragmentation checks: high orders exhausted in a zone with
 * memory free, pageblocks polluted by unmovable allocations, and (trace
 * evidence) fallbacks that took pageblocks over.
 */
#include <math.h>
#include <string.h>

#include "state/doctor_checks.h"

/* PAGE_ALLOC_COSTLY_ORDER: up to it the kernel retries hard: stalls or OOM kills, not failures. */
#define COSTLY_ORDER 3
/* Zones under 1/64 of managed memory (ZONE_DMA's 16 MiB) serve few requests; exhausting is normal */
#define SMALL_ZONE_SHARE 64
/* vm.extfrag_threshold's default: above it the kernel compacts rather than reclaims. */
#define DEFAULT_EXTFRAG_THRESHOLD 500
/*
 * Pageblocks typed unmovable/reclaimable: twice what kernel memory needs is
 * common (partly used blocks), 3 times with the excess over 5% of all
 * pageblocks is pollution, and a warning once the excess is 20%.
 */
#define POLLUTION_FACTOR 3
#define POLLUTION_MIN_EXCESS_PCT 5
#define POLLUTION_WARN_EXCESS_PCT 20
/* Pageblocks taken over by unmovable/reclaimable allocations in a window. */
#define STEALS_WARN 10

static void check_zone_fragmentation(struct doctor_ctx *c, const struct state_zone_free *z,
				     int64_t threshold)
{
	const struct state *st = c->now;
	struct state_zone_indices ix;
	struct doctor_finding *f;
	uint64_t failures = 0;
	int lowest = -1;
	char buf[24];

	state_zone_indices(z, &ix);
	for (unsigned int o = 1; o < z->nr_orders && lowest < 0; o++)
		if (ix.extfrag[o] > threshold)
			lowest = o;
	if (lowest < 0)
		return;
	for (unsigned int o = lowest; c->ev && o < FS_ORDERS; o++)
		failures += c->ev->page_failures_by_order[o];

	f = add_finding(c, lowest <= COSTLY_ORDER || failures ? DOCTOR_CRITICAL : DOCTOR_WARNING,
			"external_fragmentation");
	fmt_into(f->title, sizeof(f->title),
		 "External fragmentation: node %d zone %s has no free block of order %d or more",
		 z->node, z->name, lowest);
	fmt_into(f->evidence, sizeof(f->evidence),
		 "%llu pages (%.1f MiB) are free, above the high watermark (%llu), yet the largest "
		 "free block is of order %d; the fragmentation index at order %d is %.3f, over "
		 "vm.extfrag_threshold (%.3f), so the kernel blames fragmentation, not lack of "
		 "memory, for requests of orders %d-%u%s",
		 (unsigned long long)z->pages_free, state_pages_mib(st, z->pages_free),
		 (unsigned long long)z->wmark_high, ix.largest_order, lowest,
		 ix.extfrag[lowest] / 1000.0, threshold / 1000.0, lowest, z->nr_orders - 1,
		 failures ? "; the tracer saw page allocations of these orders fail" : "");
	fmt_into(f->advice, sizeof(f->advice),
		 "Compact now: echo 1 > /proc/sys/vm/compact_memory (or "
		 "/sys/devices/system/node/node%d/compact). To keep high orders available, raise "
		 "vm.compaction_proactiveness (now %s) so kcompactd compacts in the background, and "
		 "vm.watermark_scale_factor or vm.min_free_kbytes so compaction has free memory to "
		 "work with; find the long-lived unmovable allocations that fragment memory with "
		 "`fragscope record`. Requests up to order %d retry hard and stall; larger ones "
		 "(THP at order 9) fall back or fail.",
		 z->node, sysctl_text(st, STATE_SYSCTL_COMPACTION_PROACTIVENESS, buf), COSTLY_ORDER);
	fact(f, "node", z->node);
	fact(f, "lowest_exhausted_order", lowest);
	fact(f, "largest_free_order", ix.largest_order);
	fact(f, "free_pages", z->pages_free);
	fact(f, "high_watermark", z->wmark_high);
	fact(f, "extfrag_index", ix.extfrag[lowest] / 1000.0);
	fact(f, "extfrag_threshold", threshold / 1000.0);
	if (c->ev)
		fact(f, "page_failures_at_these_orders", failures);
}

/* High orders exhausted in a zone that has plenty of memory free. */
void check_external_fragmentation(struct doctor_ctx *c)
{
	const struct state *st = c->now;
	int64_t threshold = sysctl_or(st, STATE_SYSCTL_EXTFRAG_THRESHOLD, DEFAULT_EXTFRAG_THRESHOLD);
	uint64_t total_managed = 0;

	for (unsigned int i = 0; i < st->nr_zones; i++)
		total_managed += st->zones[i].core.managed;
	for (unsigned int i = 0; i < st->nr_zones; i++) {
		const struct state_zone_free *z = &st->zones[i].core;

		if (!st->zones[i].populated || !z->has_zoneinfo ||
		    z->managed * SMALL_ZONE_SHARE < total_managed)
			continue;
		/* At or below the high watermark, reclaim is the answer, not compaction. */
		if (z->pages_free <= z->wmark_high)
			continue;
		check_zone_fragmentation(c, z, threshold);
	}
}

/*
 * Unmovable and reclaimable allocations that fall back into movable
 * pageblocks retype them; pageblocks of those types far beyond what kernel
 * memory needs are spread out, and each one blocks a huge page.
 */
void check_pageblocks(struct doctor_ctx *c)
{
	const struct state *st = c->now;
	int unmovable = state_migratetype_index(st, "Unmovable");
	int reclaimable = state_migratetype_index(st, "Reclaimable");
	uint64_t typed = 0, total = 0, free_pages = 0, kernel_kb = 0, block_kb, needed;
	static const enum state_meminfo_key kernel_memory[] = {
		STATE_MEM_SLAB, STATE_MEM_KERNEL_STACK, STATE_MEM_PAGE_TABLES,
		STATE_MEM_VMALLOC_USED, STATE_MEM_PERCPU,
	};
	struct doctor_finding *f;
	char buf[24];

	if (unmovable < 0 || reclaimable < 0 || !st->pages_per_block)
		return;
	for (unsigned int i = 0; i < st->nr_zones; i++) {
		const struct state_zone *z = &st->zones[i];

		for (unsigned int t = 0; t < st->nr_migratetypes; t++)
			total += z->pageblocks[t];
		typed += z->pageblocks[unmovable] + z->pageblocks[reclaimable];
		for (unsigned int o = 0; o < st->nr_orders; o++)
			free_pages += (z->free_by_type[unmovable][o] +
				       z->free_by_type[reclaimable][o]) << o;
	}
	for (size_t i = 0; i < sizeof(kernel_memory) / sizeof(kernel_memory[0]); i++)
		kernel_kb += meminfo(st, kernel_memory[i]);
	block_kb = st->pages_per_block * st->page_kb;
	needed = (kernel_kb + block_kb - 1) / block_kb;
	if (typed < needed * POLLUTION_FACTOR ||
	    (typed - needed) * 100 < total * POLLUTION_MIN_EXCESS_PCT)
		return;

	f = add_finding(c, (typed - needed) * 100 >= total * POLLUTION_WARN_EXCESS_PCT ?
			DOCTOR_WARNING : DOCTOR_INFO, "pageblock_pollution");
	fmt_into(f->title, sizeof(f->title),
		 "Pageblock pollution: %llu pageblocks are unmovable or reclaimable, %.1f times what "
		 "kernel memory needs", (unsigned long long)typed, (double)typed / (needed ? needed : 1));
	fmt_into(f->evidence, sizeof(f->evidence),
		 "%llu of %llu pageblocks (%.0f MiB) are typed Unmovable or Reclaimable, while slab, "
		 "kernel stacks, page tables, vmalloc and per-cpu memory take %llu kB (%llu "
		 "pageblocks); %s%.0f MiB inside them is free. Each of these pageblocks holding a "
		 "single unmovable page cannot become a huge page",
		 (unsigned long long)typed, (unsigned long long)total,
		 state_pages_mib(st, typed * st->pages_per_block), (unsigned long long)kernel_kb,
		 (unsigned long long)needed, st->pagetypeinfo_capped ? "at least " : "",
		 state_pages_mib(st, free_pages));
	fmt_into(f->advice, sizeof(f->advice),
		 "Give fallbacks free pageblocks to go to instead of movable ones: raise "
		 "vm.min_free_kbytes or vm.watermark_boost_factor (now %s); if SReclaimable (%llu "
		 "kB) dominates, reclaiming slab (echo 2 > /proc/sys/vm/drop_caches, a one-off and "
		 "costly) frees reclaimable blocks; find the unmovable allocators with "
		 "`fragscope record`.",
		 sysctl_text(st, STATE_SYSCTL_WATERMARK_BOOST_FACTOR, buf),
		 (unsigned long long)meminfo(st, STATE_MEM_SRECLAIMABLE));
	fact(f, "typed_pageblocks", typed);
	fact(f, "needed_pageblocks", needed);
	fact(f, "total_pageblocks", total);
	fact(f, "free_pages_in_them", free_pages);
	fact(f, "kernel_memory_kb", kernel_kb);
}

/* Trace evidence: fallbacks that took a pageblock over. */
void check_steals(struct doctor_ctx *c)
{
	const struct doctor_evidence *ev = c->ev;
	struct doctor_finding *f;

	if (!ev || ev->extfrag_change_ownership < STEALS_WARN)
		return;
	f = add_finding(c, DOCTOR_WARNING, "pageblock_steals");
	fmt_into(f->title, sizeof(f->title),
		 "Allocations took over %llu pageblocks of another migratetype in %u s",
		 (unsigned long long)ev->extfrag_change_ownership, ev->window_seconds);
	fmt_into(f->evidence, sizeof(f->evidence),
		 "mm_page_alloc_extfrag: %llu fallbacks to another migratetype's free lists, %llu "
		 "of which changed the pageblock's owner (change_ownership=1)",
		 (unsigned long long)ev->extfrag_steals,
		 (unsigned long long)ev->extfrag_change_ownership);
	fmt_into(f->advice, sizeof(f->advice), "%s",
		 "Each takeover mixes unmovable pages into what was movable memory. Raise "
		 "vm.min_free_kbytes or vm.watermark_boost_factor so fallbacks find free "
		 "pageblocks; `fragscope record` shows the allocations that fall back.");
	fact(f, "extfrag_steals", ev->extfrag_steals);
	fact(f, "change_ownership", ev->extfrag_change_ownership);
}
