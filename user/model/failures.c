// SPDX-License-Identifier: GPL-2.0
/*
 * Failed allocations: their kind (page, thp, kmalloc, slab, vmalloc,
 * vmap_area), their size, the groups of failures sharing a kind and a stack,
 * and the nesting of a page failure beneath the kmalloc failure it caused.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/kernel_info.h"
#include "kernel/ksyms.h"
#include "model/internal.h"
#include "model/model.h"

/* A kmalloc failure this soon after a page failure of the same task may sit above it. */
#define NESTING_WINDOW_NS (10 * 1000 * 1000ULL)
/*
 * A task's latest page failure is forgotten once the newest event is this
 * much later: far beyond NESTING_WINDOW_NS, so no later event can still
 * link to it, even one that waited in the ring buffer behind newer ones.
 */
#define PENDING_MAX_AGE_NS (1000 * 1000 * 1000ULL)

struct pending_page_failure {
	uint32_t tid;
	uint32_t group;
	uint32_t stack_id;
	uint64_t ts_ns;
};


/* The vmalloc functions that allocate a vmalloc area's pages (6.1: no _noprof suffix). */
static const char *const vmalloc_page_paths[] = {
	"__vmalloc_area_node", "vm_area_alloc_pages", "__vmalloc_node_range", NULL,
};

enum failure_kind model_failure_kind(const struct model *m, const struct fs_event *e)
{
	uint64_t thp_mask;

	switch (e->hdr.type) {
	case FS_EV_KMALLOC_FAIL:
		return FAIL_KMALLOC;
	case FS_EV_SLAB_FAIL:
		return FAIL_SLAB;
	case FS_EV_VMAP_FAIL:
		return FAIL_VMAP_AREA;
	default:
		break;
	}
	if (model_stack_has_function(m, e->frames, e->hdr.nr_frames, vmalloc_page_paths))
		return FAIL_VMALLOC;
	thp_mask = m->kinfo ? gfp_mask(&m->kinfo->gfp, "GFP_TRANSHUGE_LIGHT") : 0;
	if (!thp_mask && m->kinfo)
		thp_mask = gfp_mask(&m->kinfo->gfp, "__GFP_COMP");
	if (m->kinfo && e->page.order == m->kinfo->pmd_order && thp_mask &&
	    (e->page.gfp & thp_mask) == thp_mask)
		return FAIL_THP;
	return FAIL_PAGE;
}

/* Was the task's memory cgroup at its limit for a request of this many pages? */
static bool event_at_memcg_limit(const struct fs_event_header *h, uint64_t request_pages)
{
	return memcg_limit_set(h->memcg_limit_pages) &&
	       memcg_at_limit(h->memcg_usage_pages, h->memcg_limit_pages, request_pages);
}

static uint32_t order_of_bytes(uint64_t bytes, uint32_t page_size)
{
	uint32_t order = 0;

	while (order < FS_ORDERS - 1 && ((uint64_t)page_size << order) < bytes)
		order++;
	return order;
}

static struct failure_group *find_group(struct model *m, enum failure_kind kind, uint32_t stack_id)
{
	uint64_t key = (uint64_t)kind << 32 | stack_id, *slot;
	bool inserted;
	struct failure_group *g;

	slot = u64map_upsert(&m->group_index, key, &inserted);
	if (!slot)
		return NULL;
	if (!inserted)
		return &m->groups[*slot - 1];
	if (m->nr_groups >= MODEL_MAX_GROUPS) {
		/* Full: the failure joins its kind's group of the empty stack (one per kind beyond the bound). */
		static const uint64_t no_frames[1];
		int64_t empty;

		u64map_remove(&m->group_index, key);
		empty = stack_table_intern(&m->stacks, no_frames, 0);
		if (empty < 0)
			return NULL;
		m->failures_not_grouped++;
		stack_id = (uint32_t)empty;
		key = (uint64_t)kind << 32 | stack_id;
		slot = u64map_upsert(&m->group_index, key, &inserted);
		if (!slot)
			return NULL;
		if (!inserted)
			return &m->groups[*slot - 1];
	}
	g = model_grow_one((void **)&m->groups, &m->nr_groups, sizeof(*g));
	if (!g) {
		u64map_remove(&m->group_index, key);
		return NULL;
	}
	*slot = m->nr_groups;
	g->kind = kind;
	g->stack_id = stack_id;
	return g;
}

static void count_process(struct failure_group *g, const struct fs_event_header *h)
{
	for (uint32_t i = 0; i < g->nr_procs; i++) {
		if (g->procs[i].pid == h->pid) {
			g->procs[i].count++;
			return;
		}
	}
	if (g->nr_procs == GROUP_MAX_PROCS) {
		g->other_procs++;
		return;
	}
	g->procs[g->nr_procs].pid = h->pid;
	memcpy(g->procs[g->nr_procs].comm, h->comm, FS_COMM_LEN);
	g->procs[g->nr_procs].count = 1;
	g->nr_procs++;
}

/*
 * A page failure sits beneath a kmalloc/slab failure when the same task
 * fails both, in that order, and the kmalloc failure's stack below its own
 * function is the tail of the page failure's stack.
 */
static bool stack_is_beneath(const struct model *m, uint32_t inner_id, uint32_t outer_id)
{
	const struct interned_stack *in = stack_table_get(&m->stacks, inner_id);
	const struct interned_stack *out = stack_table_get(&m->stacks, outer_id);
	uint32_t tail;

	if (!in || !out || out->nr_frames < 2 || in->nr_frames < out->nr_frames)
		return false;
	tail = out->nr_frames - 1;
	return !memcmp(in->frames + in->nr_frames - tail, out->frames + 1, tail * sizeof(uint64_t));
}

static void remember_page_failure(struct model *m, const struct fs_event *e, uint32_t group, uint32_t stack_id)
{
	struct pending_page_failure *p;
	uint64_t *slot;
	bool inserted;

	slot = u64map_upsert(&m->nesting.by_tid, e->hdr.tid, &inserted);
	if (!slot)
		return;
	if (inserted) {
		p = model_grow_one((void **)&m->pending, &m->nr_pending, sizeof(*p));
		if (!p) {
			u64map_remove(&m->nesting.by_tid, e->hdr.tid);
			return;
		}
		*slot = m->nr_pending;
	}
	p = &m->pending[*slot - 1];
	*p = (struct pending_page_failure){ e->hdr.tid, group, stack_id, e->hdr.ts_ns };
}

static void link_nested(struct model *m, const struct fs_event *e, struct failure_group *outer)
{
	uint64_t *slot = u64map_get(&m->nesting.by_tid, e->hdr.tid);
	struct pending_page_failure *p;
	struct failure_group *inner;

	if (!slot)
		return;
	p = &m->pending[*slot - 1];
	if (!p->ts_ns || e->hdr.ts_ns - p->ts_ns > NESTING_WINDOW_NS ||
	    !stack_is_beneath(m, p->stack_id, outer->stack_id))
		return;
	inner = &m->groups[p->group];
	inner->beneath[outer->kind]++;
	outer->above[inner->kind]++;
	p->ts_ns = 0; /* one outer failure per inner one */
}

/* A failure's order and bytes: pages for page kinds, the request for kmalloc/slab, the size for vmap_area. */
static void failure_size(const struct model *m, const struct fs_event *e, uint32_t *order, uint64_t *bytes)
{
	uint32_t page_size = model_page_size(m);

	*order = 0;
	*bytes = 0;
	switch (e->hdr.type) {
	case FS_EV_PAGE_FAIL:
		*order = e->page.order;
		*bytes = (uint64_t)page_size << *order;
		break;
	case FS_EV_KMALLOC_FAIL:
	case FS_EV_SLAB_FAIL:
		*bytes = e->kmalloc.bytes_req;
		*order = order_of_bytes(e->kmalloc.bytes_alloc, page_size);
		break;
	case FS_EV_VMAP_FAIL:
		*bytes = e->vmap.size;
		*order = order_of_bytes(*bytes, page_size);
		break;
	}
}

static bool failure_selected(const struct model_filter *f, enum failure_kind kind, uint32_t order)
{
	if (f->kinds && !(f->kinds & (1u << kind)))
		return false;
	return f->min_order < 0 || order >= (uint32_t)f->min_order;
}

static bool is_failure_event(const struct fs_event *e)
{
	return e->hdr.type >= FS_EV_PAGE_FAIL && e->hdr.type <= FS_EV_VMAP_FAIL;
}

int model_add_failure(struct model *m, const struct fs_event *e)
{
	int64_t stack_id = model_intern_stack(m, e);
	enum failure_kind kind;
	struct failure_group *g;
	uint32_t order;
	uint64_t bytes;
	int err;

	if (stack_id < 0)
		return -ENOMEM;
	kind = model_failure_kind(m, e);
	failure_size(m, e, &order, &bytes);
	/* Requests take every failure: --kind and --min-order select the per-event groups. */
	err = requests_add_failure(m, e, kind, order, bytes, stack_id);
	if (err)
		return err;
	if (!failure_selected(&m->filter, kind, order))
		return 0;
	g = find_group(m, kind, stack_id);
	if (!g)
		return -ENOMEM;
	if (!g->count) {
		const struct state_sample *before = m->timeline.last;

		for (uint32_t z = 0; before && z < m->timeline.nr_zones; z++)
			g->free_before[z] = free_blocks_from(&before->zones[z], order);
		g->have_before = before != NULL;
		g->order = order;
		g->bytes = bytes;
		g->first_ns = e->hdr.ts_ns;
		g->cgroup_id = e->hdr.cgroup_id;
		if (e->hdr.type == FS_EV_PAGE_FAIL) {
			g->gfp = e->page.gfp;
		} else if (e->hdr.type != FS_EV_VMAP_FAIL) {
			g->gfp = e->kmalloc.gfp;
			g->call_site = e->kmalloc.call_site;
			memcpy(g->cache, e->kmalloc.cache, sizeof(g->cache));
			g->cache[sizeof(g->cache) - 1] = 0;
		}
	}
	g->count++;
	g->total_bytes += bytes;
	g->last_ns = e->hdr.ts_ns;
	g->at_memcg_limit += event_at_memcg_limit(&e->hdr, bytes / model_page_size(m));
	count_process(g, &e->hdr);
	m->failures[kind]++;

	if (e->hdr.type == FS_EV_PAGE_FAIL)
		remember_page_failure(m, e, g - m->groups, stack_id);
	else if (e->hdr.type == FS_EV_KMALLOC_FAIL || e->hdr.type == FS_EV_SLAB_FAIL)
		link_nested(m, e, g);

	m->recent[m->nr_recent % MODEL_RECENT] = (struct recent_failure){
		.hdr = e->hdr, .kind = kind, .order = order, .bytes = bytes, .stack_id = stack_id,
	};
	m->nr_recent++;
	return 0;
}

bool model_failure_selected(const struct model *m, const struct fs_event *e)
{
	uint32_t order;
	uint64_t bytes;

	if (!is_failure_event(e))
		return true;
	failure_size(m, e, &order, &bytes);
	return failure_selected(&m->filter, model_failure_kind(m, e), order);
}

/*
 * Forget the page failures that no kmalloc failure can link to any more:
 * those already linked and those older than PENDING_MAX_AGE_NS before the
 * newest event.  Each task that ever failed a page allocation would
 * otherwise keep an entry for the whole trace.
 */
void model_prune_pending(struct model *m)
{
	size_t kept = 0;

	for (size_t i = 0; i < m->nr_pending; i++) {
		struct pending_page_failure *p = &m->pending[i];

		if (!p->ts_ns || p->ts_ns + PENDING_MAX_AGE_NS < m->last_event_ns) {
			u64map_remove(&m->nesting.by_tid, p->tid);
			continue;
		}
		m->pending[kept] = *p;
		*u64map_get(&m->nesting.by_tid, p->tid) = ++kept;
	}
	m->nr_pending = kept;
}
