// SPDX-License-Identifier: GPL-2.0
#include "model/model.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "decode/kernel_info.h"
#include "decode/ksyms.h"

/* A kmalloc failure this soon after a page failure of the same task may sit above it. */
#define NESTING_WINDOW_NS (10 * 1000 * 1000ULL)
/* An open compaction attempt with no zone for this long has ended. */
#define COMPACTION_IDLE_NS (1000 * 1000 * 1000ULL)
/*
 * A task's latest page failure is forgotten once the newest event is this
 * much later: far beyond NESTING_WINDOW_NS, so no later event can still
 * link to it, even one that waited in the ring buffer behind newer ones.
 */
#define PENDING_MAX_AGE_NS (1000 * 1000 * 1000ULL)

enum stall_kind { STALL_COMPACTION, STALL_DIRECT_RECLAIM, STALL_MEMCG_RECLAIM };

struct pending_page_failure {
	uint32_t tid;
	uint32_t group;
	uint32_t stack_id;
	uint64_t ts_ns;
};

static const char *const kind_names[FAIL_KINDS] = {
	[FAIL_PAGE] = "page",       [FAIL_THP] = "thp",         [FAIL_KMALLOC] = "kmalloc",
	[FAIL_SLAB] = "slab",       [FAIL_VMALLOC] = "vmalloc", [FAIL_VMAP_AREA] = "vmap_area",
};

const char *failure_kind_name(enum failure_kind kind)
{
	return kind < FAIL_KINDS ? kind_names[kind] : "?";
}

int failure_kind_parse(const char *name)
{
	for (int k = 0; k < FAIL_KINDS; k++)
		if (!strcmp(name, kind_names[k]))
			return k;
	return -1;
}

void model_init(struct model *m, const struct kernel_info *kinfo, const struct ksyms *ksyms,
		const struct model_filter *filter, uint64_t start_ns)
{
	memset(m, 0, sizeof(*m));
	m->kinfo = kinfo;
	m->ksyms = ksyms;
	if (filter)
		m->filter = *filter;
	else
		m->filter.min_order = -1;
	m->start_ns = start_ns;
	m->end_ns = start_ns;
	stack_table_init(&m->stacks);
	m->stacks.max = MODEL_MAX_STACKS;
	u64map_init(&m->group_index);
	u64map_init(&m->nesting.by_tid);
	u64map_init(&m->stall_stack_index);
	u64map_init(&m->open_by_tid);
	snapshot_init(&m->base);
	snapshot_init(&m->window);
	timeline_init(&m->timeline);
}

void model_free(struct model *m)
{
	stack_table_free(&m->stacks);
	u64map_free(&m->group_index);
	u64map_free(&m->nesting.by_tid);
	u64map_free(&m->stall_stack_index);
	u64map_free(&m->open_by_tid);
	free(m->groups);
	free(m->pending);
	free(m->stall_stacks);
	free(m->open);
	free(m->ooms);
	snapshot_free(&m->base);
	snapshot_free(&m->window);
	timeline_free(&m->timeline);
	memset(m, 0, sizeof(*m));
}

/* Grow an array by one zeroed element; NULL if out of memory. */
static void *grow_one(void **array, size_t *n, size_t size)
{
	void *grown;

	if ((*n & (*n - 1)) == 0) {
		grown = realloc(*array, (*n ? *n * 2 : 1) * size);
		if (!grown)
			return NULL;
		*array = grown;
	}
	grown = (char *)*array + (*n)++ * size;
	memset(grown, 0, size);
	return grown;
}

static bool in_window(const struct model *m, uint64_t ts_ns)
{
	uint64_t rel = ts_ns > m->start_ns ? ts_ns - m->start_ns : 0;

	if (m->filter.since_ns && rel < m->filter.since_ns)
		return false;
	if (m->filter.until_ns && rel > m->filter.until_ns)
		return false;
	return true;
}

static bool task_selected(const struct model_filter *f, uint32_t pid, const char *comm)
{
	if (f->pid && pid != f->pid)
		return false;
	if (f->comm[0] && strncmp(comm, f->comm, FS_COMM_LEN))
		return false;
	return true;
}

/* Intern the event's stack (the decoder already dropped the tracing frames). */
static int64_t intern_stack(struct model *m, const struct fs_event *e)
{
	return stack_table_intern(&m->stacks, e->frames, e->hdr.nr_frames);
}

static bool stack_has_function(const struct model *m, const uint64_t *frames, uint32_t nr,
			       const char *const *prefixes)
{
	if (!m->ksyms)
		return false;
	for (uint32_t i = 0; i < nr; i++) {
		const struct ksym *sym = ksyms_find(m->ksyms, frames[i]);

		for (const char *const *p = prefixes; sym && *p; p++)
			if (!strncmp(sym->name, *p, strlen(*p)))
				return true;
	}
	return false;
}

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
	if (stack_has_function(m, e->frames, e->hdr.nr_frames, vmalloc_page_paths))
		return FAIL_VMALLOC;
	thp_mask = m->kinfo ? gfp_mask(&m->kinfo->gfp, "GFP_TRANSHUGE_LIGHT") : 0;
	if (!thp_mask && m->kinfo)
		thp_mask = gfp_mask(&m->kinfo->gfp, "__GFP_COMP");
	if (m->kinfo && e->page.order == m->kinfo->pmd_order && thp_mask &&
	    (e->page.gfp & thp_mask) == thp_mask)
		return FAIL_THP;
	return FAIL_PAGE;
}

/* The kernel's "no limit" (PAGE_COUNTER_MAX) is near LONG_MAX / PAGE_SIZE. */
#define MEMCG_UNLIMITED_PAGES (1ULL << 48)

bool event_at_memcg_limit(const struct fs_event_header *h, uint64_t request_pages)
{
	uint64_t limit = h->memcg_limit_pages, slack = limit / 64;

	if (!limit || limit >= MEMCG_UNLIMITED_PAGES)
		return false;
	/* Reclaim ran before the charge failed, so within a sliver of the limit counts. */
	return h->memcg_usage_pages + (request_pages ? request_pages : 1) + slack >= limit;
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
	g = grow_one((void **)&m->groups, &m->nr_groups, sizeof(*g));
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
		p = grow_one((void **)&m->pending, &m->nr_pending, sizeof(*p));
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

static uint32_t model_page_size(const struct model *m)
{
	return m->kinfo && m->kinfo->page_size ? m->kinfo->page_size : 4096;
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

static int add_failure(struct model *m, const struct fs_event *e)
{
	int64_t stack_id = intern_stack(m, e);
	enum failure_kind kind;
	struct failure_group *g;
	uint32_t order;
	uint64_t bytes;

	if (stack_id < 0)
		return -ENOMEM;
	kind = model_failure_kind(m, e);
	failure_size(m, e, &order, &bytes);
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

static int add_stall_stack(struct model *m, enum stall_kind kind, uint32_t stack_id, uint64_t ns)
{
	uint64_t key = (uint64_t)kind << 32 | stack_id, *slot;
	struct stall_stack *s;
	bool inserted;

	slot = u64map_upsert(&m->stall_stack_index, key, &inserted);
	if (!slot)
		return -ENOMEM;
	if (inserted) {
		s = grow_one((void **)&m->stall_stacks, &m->nr_stall_stacks, sizeof(*s));
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

static int add_compaction(struct model *m, const struct fs_event *e)
{
	int64_t stack_id;
	struct open_compaction *o;
	uint64_t *slot;
	bool inserted;

	m->compaction.zones_compacted++;
	slot = u64map_upsert(&m->open_by_tid, e->hdr.tid, &inserted);
	if (!slot)
		return -ENOMEM;
	if (inserted) {
		o = grow_one((void **)&m->open, &m->nr_open, sizeof(*o));
		if (!o) {
			u64map_remove(&m->open_by_tid, e->hdr.tid);
			return -ENOMEM;
		}
		*slot = m->nr_open;
	}
	o = &m->open[*slot - 1];
	if (o->tid && o->try_ns == e->compact.try_ts_ns) {
		o->end_ns = e->hdr.ts_ns;
		o->zones++;
		o->best_status = better_status(o->best_status, e->compact.status);
		return 0;
	}
	if (o->tid)
		close_compaction(m, o);
	stack_id = intern_stack(m, e);
	if (stack_id < 0)
		return -ENOMEM;
	*o = (struct open_compaction){
		.tid = e->hdr.tid, .task = e->hdr.tid, .try_ns = e->compact.try_ts_ns, .end_ns = e->hdr.ts_ns,
		.order = e->compact.order, .zones = 1, .stack_id = stack_id,
		.best_status = e->compact.status,
	};
	return 0;
}

static void close_idle_compactions(struct model *m, uint64_t now_ns, bool all)
{
	for (size_t i = 0; i < m->nr_open; i++)
		if (m->open[i].tid && (all || now_ns - m->open[i].end_ns > COMPACTION_IDLE_NS))
			close_compaction(m, &m->open[i]);
}

/*
 * Forget the tasks whose attempt is closed: a closed entry acts as no entry
 * (add_compaction starts a new attempt either way), and every task that
 * ever compacted would otherwise keep one.  The open ones keep their order.
 */
static void prune_closed_compactions(struct model *m)
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

/*
 * Forget the page failures that no kmalloc failure can link to any more:
 * those already linked and those older than PENDING_MAX_AGE_NS before the
 * newest event.  Each task that ever failed a page allocation would
 * otherwise keep an entry for the whole trace.
 */
static void prune_pending(struct model *m)
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

void model_prune(struct model *m)
{
	prune_closed_compactions(m);
	prune_pending(m);
}

static int add_reclaim(struct model *m, const struct fs_event *e)
{
	uint32_t kind = e->reclaim.kind == FS_RECLAIM_MEMCG ? FS_RECLAIM_MEMCG : FS_RECLAIM_DIRECT;
	struct reclaim_summary *r = &m->reclaim[kind];
	uint64_t ns = e->hdr.ts_ns > e->reclaim.begin_ts_ns ? e->hdr.ts_ns - e->reclaim.begin_ts_ns : 0;
	int64_t stack_id = intern_stack(m, e);
	int32_t order = e->reclaim.order;

	if (stack_id < 0)
		return -ENOMEM;
	hist_add(&r->stall, ns);
	r->stalls_by_order[order >= 0 && order < FS_ORDERS ? order : 0]++;
	r->pages_reclaimed += e->reclaim.nr_reclaimed;
	return add_stall_stack(m, kind == FS_RECLAIM_MEMCG ? STALL_MEMCG_RECLAIM : STALL_DIRECT_RECLAIM,
			       stack_id, ns);
}

static int add_oom(struct model *m, const struct fs_event *e)
{
	int64_t stack_id = intern_stack(m, e);
	struct oom_kill *k;

	if (stack_id < 0)
		return -ENOMEM;
	k = grow_one((void **)&m->ooms, &m->nr_ooms, sizeof(*k));
	if (!k)
		return -ENOMEM;
	k->killer = e->hdr;
	k->victim = e->oom;
	k->stack_id = stack_id;
	return 0;
}

static bool window_and_task_selected(const struct model *m, const struct fs_event *e)
{
	return in_window(m, e->hdr.ts_ns) && task_selected(&m->filter, e->hdr.pid, e->hdr.comm);
}

bool model_event_selected(const struct model *m, const struct fs_event *e)
{
	uint32_t order;
	uint64_t bytes;

	if (!window_and_task_selected(m, e))
		return false;
	if (!is_failure_event(e))
		return true;
	failure_size(m, e, &order, &bytes);
	return failure_selected(&m->filter, model_failure_kind(m, e), order);
}

int model_add_event(struct model *m, const struct fs_event *e)
{
	if (e->hdr.ts_ns > m->end_ns)
		m->end_ns = e->hdr.ts_ns;
	if (e->hdr.ts_ns > m->last_event_ns)
		m->last_event_ns = e->hdr.ts_ns;
	if (!window_and_task_selected(m, e)) {
		m->filtered_out++;
		return 0;
	}
	m->events[e->hdr.type < FS_EV_TYPES ? e->hdr.type : 0]++;
	switch (e->hdr.type) {
	case FS_EV_PAGE_FAIL:
	case FS_EV_KMALLOC_FAIL:
	case FS_EV_SLAB_FAIL:
	case FS_EV_VMAP_FAIL:
		return add_failure(m, e);
	case FS_EV_COMPACT:
		return add_compaction(m, e);
	case FS_EV_RECLAIM:
		return add_reclaim(m, e);
	case FS_EV_OOM:
		return add_oom(m, e);
	default:
		return -EINVAL;
	}
}

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
	return task_selected(f, p->key.pid, p->key.comm) &&
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
	close_idle_compactions(m, s->ts_ns, false);
	model_prune(m);
	m->snapshots++;
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

	if (!in_window(m, s->ts_ns))
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

void model_finish(struct model *m)
{
	close_idle_compactions(m, m->end_ns, true);
}

uint64_t model_page_allocs_total(const struct model *m)
{
	uint64_t total = 0;

	for (size_t i = 0; i < FS_PAGE_ALLOC_SLOTS; i++)
		total += m->window.page_allocs[i];
	return total;
}

uint64_t model_lost_total(const struct model *m)
{
	uint64_t lost = 0;

	for (int t = 0; t < FS_EV_TYPES; t++)
		lost += m->window.counters[FS_CTR_LOST + t];
	return lost;
}

void model_extfrag_totals(const struct model *m, uint64_t *fallbacks, uint64_t *type_changes)
{
	*fallbacks = *type_changes = 0;
	for (size_t i = 0; i < m->window.nr_extfrags; i++) {
		*fallbacks += m->window.extfrags[i].count;
		if (m->window.extfrags[i].key.change_ownership)
			*type_changes += m->window.extfrags[i].count;
	}
}

double model_duration_s(const struct model *m)
{
	uint64_t from = m->start_ns + m->filter.since_ns;
	uint64_t to = m->end_ns;

	if (m->filter.until_ns && m->start_ns + m->filter.until_ns < to)
		to = m->start_ns + m->filter.until_ns;
	return to > from ? (double)(to - from) / 1e9 : 0.0;
}
