/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A snapshot is the in-kernel aggregates at one moment, summed over CPUs:
 * cumulative since the trace started.  Live tracing reads it from the BPF
 * maps (source/snapshot_read.c); replay reads it from a record file; the
 * model consumes it the same way in both cases.
 */
#ifndef FS_MODEL_SNAPSHOT_H
#define FS_MODEL_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>
#include "fragscope.h"

struct snap_proc {
	struct fs_proc_key key;
	struct fs_proc_value value;
};

struct snap_callsite {
	struct fs_callsite_key key;
	struct fs_callsite_value value;
};

struct snap_extfrag {
	struct fs_extfrag_key key;
	uint64_t count;
};

struct snap_stack {
	struct fs_stack_key key;
	uint64_t count;
	uint32_t nr_frames;
	uint64_t frames[FS_MAX_FRAMES];
};

/*
 * snapshot.flags: successful order-0 allocations were not traced (the
 * default page program, page_above0_btf) and come from the kernel's
 * counters instead: pgalloc_pages.  page_allocs' order-0 slots then hold
 * the failed order-0 allocations only.
 */
#define SNAP_ORDER0_FROM_VMSTAT 0x1

struct snapshot {
	uint64_t ts_ns;
	uint64_t page_allocs[FS_PAGE_ALLOC_SLOTS];
	uint64_t counters[FS_COUNTERS];
	uint32_t flags; /* SNAP_* */
	/*
	 * With SNAP_ORDER0_FROM_VMSTAT: the pages /proc/vmstat's pgalloc_<zone>
	 * counted (handed out by the buddy allocator, one per page) since the
	 * probes attached, as every traced counter counts; in a model's window,
	 * those of the window.
	 */
	uint64_t pgalloc_pages;
	size_t nr_procs, nr_callsites, nr_extfrags, nr_stacks;
	size_t cap_procs, cap_callsites, cap_extfrags, cap_stacks; /* allocated elements */
	struct snap_proc *procs;
	struct snap_callsite *callsites;
	struct snap_extfrag *extfrags;
	struct snap_stack *stacks;
};

/*
 * The successful order-0 allocations of a window (a difference of
 * snapshots, model/window.c) that carries SNAP_ORDER0_FROM_VMSTAT: the
 * pages the kernel counted (pgalloc_pages) minus 2^order x the successful
 * traced allocations of each order >= 1 (traced minus FS_CTR_PAGE_FAIL),
 * 0 if that is negative (pages the probe saw but pgalloc did not, such as
 * a page captured by compaction); 0 without the flag.  It includes what no
 * tracepoint sees: alloc_pages_bulk()'s pages, and fragscope's own.
 */
uint64_t snapshot_order0_from_vmstat(const struct snapshot *window);
/* Page allocations of this order traced in a window (all migratetypes and gfp classes). */
uint64_t snapshot_order_traced(const struct snapshot *window, unsigned int order);

void snapshot_init(struct snapshot *s);
void snapshot_free(struct snapshot *s);
/*
 * Empties s but keeps its arrays for the next fill: a snapshot refilled
 * every interval then reallocates only when a table outgrows every
 * earlier one, instead of growing each array again from 16 elements.
 */
void snapshot_clear(struct snapshot *s);
/* Deep copy: dst is freed first. */
int snapshot_copy(struct snapshot *dst, const struct snapshot *src);
/* Appenders grow the arrays; -ENOMEM on failure. */
int snapshot_add_proc(struct snapshot *s, const struct snap_proc *p);
int snapshot_add_callsite(struct snapshot *s, const struct snap_callsite *c);
int snapshot_add_extfrag(struct snapshot *s, const struct snap_extfrag *e);
int snapshot_add_stack(struct snapshot *s, const struct snap_stack *st);

#endif
