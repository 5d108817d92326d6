// SPDX-License-Identifier: GPL-2.0
/*
 * Stalls: direct compaction (one attempt per task, its zones merged, closed
 * by the task's next attempt or after COMPACTION_IDLE_NS; an attempt that
 * found its zones deferred is one where the kernel counts it as a stall,
 * the BPF side streams it only there) and direct or
 * memcg reclaim, as latency histograms and the stacks that stalled.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model/internal.h"
#include "model/model.h"

/* An open compaction attempt with no zone for this long has ended. */
#define COMPACTION_IDLE_NS (1000 * 1000 * 1000ULL)

enum stall_kind { STALL_COMPACTION, STALL_DIRECT_RECLAIM, STALL_MEMCG_RECLAIM };

static int add_stall_stack(struct model *m, enum stall_kind kind, uint32_t stack_id, uint64_t ns)
{
	uint64_t key = (uint64_t)kind << 32 | stack_id, *slot;
	struct stall_stack *s;
	bool inserted;

	slot = u64map_upsert(&m->stall_stack_index, key, &inserted);
	if (!slot)
		return -ENOMEM;
	if (inserted) {
		s = model_grow_one((void **)&m->stall_stacks, &m->nr_stall_stacks, sizeof(*s));
		if (!s) {
			u64map_remove(&m->stall_stack_index, key);
			return -ENOMEM;
		}
		*slot = m->nr_stall_stacks;
		s->stack_id = stack_id;
		s->kind = kind;
	}
	s = &m->stall_stacks[*slot - 1];
	s->count++;
	s->total_ns += ns;
	return 0;
}

static void close_compaction(struct model *m, struct open_compaction *o)
{
	uint64_t ns = o->end_ns - o->try_ns;

	hist_add(&m->compaction.stall, ns);
	if (!o->zones)
		m->compaction.deferred_stalls++;
	m->compaction.stalls_by_order[o->order < FS_ORDERS ? o->order : FS_ORDERS - 1]++;
	m->compaction.outcome[(uint32_t)o->best_status < COMPACT_STATUSES ? o->best_status : 0]++;
	add_stall_stack(m, STALL_COMPACTION, o->stack_id, ns);
	o->tid = 0;
}

/* Zone results, best first: any zone that succeeded makes the attempt a success. */
static int32_t better_status(int32_t a, int32_t b)
{
	const int32_t success = 8; /* COMPACT_SUCCESS, stable since 4.x */

	return (a == success || b == success) ? success : b;
}

int model_add_compaction(struct model *m, const struct fs_event *e)
{
	int64_t stack_id;
	struct open_compaction *o;
	uint64_t *slot;
	bool inserted;

	bool zone = e->compact.begin_ts_ns != 0; /* else the attempt found its zones deferred */

	m->compaction.zones_compacted += zone;
	slot = u64map_upsert(&m->open_by_tid, e->hdr.tid, &inserted);
	if (!slot)
		return -ENOMEM;
	if (inserted) {
		o = model_grow_one((void **)&m->open, &m->nr_open, sizeof(*o));
		if (!o) {
			u64map_remove(&m->open_by_tid, e->hdr.tid);
			return -ENOMEM;
		}
		*slot = m->nr_open;
	}
	o = &m->open[*slot - 1];
	if (o->tid && o->try_ns == e->compact.try_ts_ns) {
		o->end_ns = e->hdr.ts_ns;
		/* A zone compacted after the deferred ones: the attempt's result is the zone's. */
		o->best_status = o->zones ? better_status(o->best_status, e->compact.status) : e->compact.status;
		o->zones += zone;
		return 0;
	}
	if (o->tid)
		close_compaction(m, o);
	stack_id = model_intern_stack(m, e);
	if (stack_id < 0)
		return -ENOMEM;
	*o = (struct open_compaction){
		.tid = e->hdr.tid, .task = e->hdr.tid, .try_ns = e->compact.try_ts_ns, .end_ns = e->hdr.ts_ns,
		.order = e->compact.order, .zones = zone, .stack_id = stack_id,
		.best_status = e->compact.status,
	};
	return 0;
}

void model_close_idle_compactions(struct model *m, uint64_t now_ns, bool all)
{
	for (size_t i = 0; i < m->nr_open; i++)
		if (m->open[i].tid && (all || now_ns - m->open[i].end_ns > COMPACTION_IDLE_NS))
			close_compaction(m, &m->open[i]);
}

/*
 * Forget the tasks whose attempt is closed: a closed entry acts as no entry
 * (model_add_compaction starts a new attempt either way), and every task that
 * ever compacted would otherwise keep one.  The open ones keep their order.
 */
void model_prune_compactions(struct model *m)
{
	size_t kept = 0;

	for (size_t i = 0; i < m->nr_open; i++) {
		struct open_compaction *o = &m->open[i];

		if (!o->tid) {
			u64map_remove(&m->open_by_tid, o->task);
			continue;
		}
		m->open[kept] = *o;
		*u64map_get(&m->open_by_tid, o->task) = ++kept;
	}
	m->nr_open = kept;
}

int model_add_reclaim(struct model *m, const struct fs_event *e)
{
	uint32_t kind = e->reclaim.kind == FS_RECLAIM_MEMCG ? FS_RECLAIM_MEMCG : FS_RECLAIM_DIRECT;
	struct reclaim_summary *r = &m->reclaim[kind];
	uint64_t ns = e->hdr.ts_ns > e->reclaim.begin_ts_ns ? e->hdr.ts_ns - e->reclaim.begin_ts_ns : 0;
	int64_t stack_id = model_intern_stack(m, e);
	int32_t order = e->reclaim.order;

	if (stack_id < 0)
		return -ENOMEM;
	hist_add(&r->stall, ns);
	r->stalls_by_order[order >= 0 && order < FS_ORDERS ? order : 0]++;
	r->pages_reclaimed += e->reclaim.nr_reclaimed;
	return add_stall_stack(m, kind == FS_RECLAIM_MEMCG ? STALL_MEMCG_RECLAIM : STALL_DIRECT_RECLAIM,
			       stack_id, ns);
}
