// SPDX-License-Identifier: GPL-2.0
/*
 * The time window: the in-kernel aggregates (allocations by order and
 * migratetype, per-process and per-call-site counts, extfrag fallbacks,
 * stacks) as the latest snapshot minus the one at --since, and the /proc
 * state samples taken inside it.
 */
#include <stdlib.h>
#include <string.h>

#include "model/internal.h"
#include "model/model.h"

/* Entries are matched by key bytes; sorting makes the subtraction O(n log n). */
#define KEY_COMPARATOR(name, type, field_key)                                                         \
	static int cmp_##name(const void *a, const void *b)                                        \
	{                                                                                          \
		return memcmp(&((const type *)a)->field_key, &((const type *)b)->field_key,        \
			      sizeof(((const type *)a)->field_key));                               \
	}

KEY_COMPARATOR(proc, struct snap_proc, key)
KEY_COMPARATOR(callsite, struct snap_callsite, key)
KEY_COMPARATOR(extfrag, struct snap_extfrag, key)
KEY_COMPARATOR(stack, struct snap_stack, key)

static const void *find_base(const void *base, size_t n, size_t size, const void *key,
			     int (*cmp)(const void *, const void *))
{
	return n ? bsearch(key, base, n, size, cmp) : NULL;
}

static bool proc_selected(const struct model_filter *f, const struct snap_proc *p)
{
	return model_task_selected(f, p->key.pid, p->key.comm) &&
	       (f->min_order < 0 || p->key.order >= (uint32_t)f->min_order);
}

/* window = c - base, keeping what the report filter selects. */
static int compute_window(struct model *m, const struct snapshot *c)
{
	struct snapshot *w = &m->window, *b = &m->base;
	int err = 0;

	snapshot_clear(w);
	w->ts_ns = c->ts_ns;
	for (size_t i = 0; i < FS_PAGE_ALLOC_SLOTS; i++)
		w->page_allocs[i] = c->page_allocs[i] - b->page_allocs[i];
	for (size_t i = 0; i < FS_COUNTERS; i++)
		w->counters[i] = c->counters[i] - b->counters[i];
	w->flags = c->flags;
	w->pgalloc_pages = c->pgalloc_pages - b->pgalloc_pages;

	/* qsort(NULL, 0, ...) is undefined behaviour (UBSan): skip empty arrays. */
	if (b->nr_procs)
		qsort(b->procs, b->nr_procs, sizeof(*b->procs), cmp_proc);
	if (b->nr_callsites)
		qsort(b->callsites, b->nr_callsites, sizeof(*b->callsites), cmp_callsite);
	if (b->nr_extfrags)
		qsort(b->extfrags, b->nr_extfrags, sizeof(*b->extfrags), cmp_extfrag);
	if (b->nr_stacks)
		qsort(b->stacks, b->nr_stacks, sizeof(*b->stacks), cmp_stack);

	for (size_t i = 0; i < c->nr_procs && !err; i++) {
		struct snap_proc p = c->procs[i];
		const struct snap_proc *o = find_base(b->procs, b->nr_procs, sizeof(p), &p, cmp_proc);

		p.value.count -= o ? o->value.count : 0;
		if (p.value.count && proc_selected(&m->filter, &p))
			err = snapshot_add_proc(w, &p);
	}
	for (size_t i = 0; i < c->nr_callsites && !err; i++) {
		struct snap_callsite s = c->callsites[i];
		const struct snap_callsite *o = find_base(b->callsites, b->nr_callsites, sizeof(s), &s, cmp_callsite);

		if (o) {
			s.value.count -= o->value.count;
			s.value.bytes_req -= o->value.bytes_req;
			s.value.bytes_alloc -= o->value.bytes_alloc;
			s.value.failures -= o->value.failures;
		}
		if (s.value.count)
			err = snapshot_add_callsite(w, &s);
	}
	for (size_t i = 0; i < c->nr_extfrags && !err; i++) {
		struct snap_extfrag x = c->extfrags[i];
		const struct snap_extfrag *o = find_base(b->extfrags, b->nr_extfrags, sizeof(x), &x, cmp_extfrag);

		x.count -= o ? o->count : 0;
		if (x.count)
			err = snapshot_add_extfrag(w, &x);
	}
	for (size_t i = 0; i < c->nr_stacks && !err; i++) {
		const struct snap_stack *s = &c->stacks[i];
		const struct snap_stack *o = find_base(b->stacks, b->nr_stacks, sizeof(*s), s, cmp_stack);
		uint64_t n = s->count - (o ? o->count : 0);

		if (n && (m->filter.min_order < 0 || s->key.order >= (uint32_t)m->filter.min_order)) {
			err = snapshot_add_stack(w, s);
			if (!err)
				w->stacks[w->nr_stacks - 1].count = n;
		}
	}
	return err;
}

int model_set_snapshot(struct model *m, const struct snapshot *s)
{
	uint64_t rel = s->ts_ns > m->start_ns ? s->ts_ns - m->start_ns : 0;
	int err;

	if (s->ts_ns > m->end_ns)
		m->end_ns = s->ts_ns;
	model_close_idle_compactions(m, s->ts_ns, false);
	requests_close_idle(m, s->ts_ns, false);
	model_prune(m);
	if (m->filter.since_ns && rel <= m->filter.since_ns) {
		/* Snapshots come in time order: no later one has been taken yet. */
		struct snapshot none;

		snapshot_init(&none);
		err = snapshot_copy(&m->base, s);
		return err ? err : compute_window(m, &none);
	}
	if (m->filter.until_ns && rel > m->filter.until_ns)
		return 0;
	/* The window is all that is kept of s: no copy of its tables. */
	return compute_window(m, s);
}

int model_add_state(struct model *m, const struct state_sample *s)
{
	int err;

	if (!model_in_window(m, s->ts_ns))
		return 0;
	err = timeline_add(&m->timeline, s);
	if (err)
		return err;
	for (size_t i = 0; i < m->nr_groups; i++) {
		struct failure_group *g = &m->groups[i];

		if (g->have_after || s->ts_ns < g->first_ns)
			continue;
		for (uint32_t z = 0; z < m->timeline.nr_zones; z++)
			g->free_after[z] = free_blocks_from(&s->zones[z], g->order);
		g->have_after = true;
	}
	return 0;
}
