// SPDX-License-Identifier: GPL-2.0
/*
 * Failed requests: allocator failures grouped into requests, closed and
 * given a cause (see requests.h for the grouping rules, request.c for the
 * cause rules).
 */
#include "model/requests.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/kernel_info.h"
#include "kernel/ksyms.h"
#include "kernel/syscall_names.h"
#include "model/internal.h"
#include "model/model.h"

void requests_init(struct request_table *t)
{
	memset(t, 0, sizeof(*t));
	u64map_init(&t->open_by_key);
	u64map_init(&t->failures_by_tid);
	u64map_init(&t->cgroup_index);
	u64map_init(&t->listed_by_key);
}

void requests_free(struct request_table *t)
{
	free(t->list);
	free(t->log_unjoined);
	free(t->open);
	free(t->cgroup_paths);
	u64map_free(&t->open_by_key);
	u64map_free(&t->failures_by_tid);
	u64map_free(&t->cgroup_index);
	u64map_free(&t->listed_by_key);
	memset(t, 0, sizeof(*t));
}

int requests_set_cgroup_path(struct request_table *t, uint64_t id, const char *path)
{
	bool inserted;
	uint64_t *slot = u64map_upsert(&t->cgroup_index, id, &inserted);

	if (!slot)
		return -ENOMEM;
	if (inserted) {
		char (*grown)[REQUEST_CGROUP_LEN] = realloc(t->cgroup_paths, (t->nr_cgroups + 1) * sizeof(*grown));

		if (!grown) {
			u64map_remove(&t->cgroup_index, id);
			return -ENOMEM;
		}
		t->cgroup_paths = grown;
		*slot = ++t->nr_cgroups;
	}
	snprintf(t->cgroup_paths[*slot - 1], REQUEST_CGROUP_LEN, "%s", path);
	return 0;
}

const char *requests_cgroup_path(const struct request_table *t, uint64_t id)
{
	const uint64_t *slot = u64map_get((struct u64map *)&t->cgroup_index, id);

	return slot ? t->cgroup_paths[*slot - 1] : NULL;
}

uint64_t requests_detail_lost(const struct model *m)
{
	const struct request_table *t = &m->requests;
	const uint64_t *c = m->window.counters;
	uint64_t ends = c[FS_CTR_REQUEST_SYSCALL_FAILED] + c[FS_CTR_REQUEST_SYSCALL_OK];
	uint64_t bare = c[FS_CTR_ENOMEM_NO_ALLOC];

	/* The kernel's counts are read once a second: events can be newer than the last reading. */
	return t->detail_lost + (ends > t->syscall_ends_seen ? ends - t->syscall_ends_seen : 0) +
	       (bare > t->bare_enomem_seen ? bare - t->bare_enomem_seen : 0);
}

uint64_t requests_of_api(const struct request_table *t, enum request_api api)
{
	uint64_t n = 0;

	for (int c = 0; c < CAUSE_COUNT; c++)
		for (int o = 0; o < OUTCOME_COUNT; o++)
			n += t->counts[api][c][o];
	return n;
}

uint64_t requests_count(const struct request_table *t, enum request_outcome outcome)
{
	uint64_t n = 0;

	for (int a = 0; a < API_COUNT; a++)
		for (int c = 0; c < CAUSE_COUNT; c++)
			n += t->counts[a][c][outcome];
	return n;
}

static struct open_request *find_open(struct request_table *t, uint64_t key)
{
	uint64_t *slot = u64map_get(&t->open_by_key, key);

	return slot ? &t->open[*slot - 1] : NULL;
}

static struct open_request *new_open(struct request_table *t, uint64_t key)
{
	struct open_request *o = find_open(t, key);
	bool inserted;
	uint64_t *slot;

	if (o)
		return o;
	slot = u64map_upsert(&t->open_by_key, key, &inserted);
	if (!slot)
		return NULL;
	if (!(t->nr_open & (t->nr_open - 1))) {
		struct open_request *grown = realloc(t->open, (t->nr_open ? t->nr_open * 2 : 1) * sizeof(*grown));

		if (!grown) {
			u64map_remove(&t->open_by_key, key);
			return NULL;
		}
		t->open = grown;
	}
	o = &t->open[t->nr_open];
	*slot = ++t->nr_open;
	memset(o, 0, sizeof(*o));
	o->key = key;
	return o;
}

/*
 * What makes two requests the same request again: the process, where and
 * how it asked, and why it failed.  A storm of them is one listed record
 * with a count, so memory stays bounded by the kinds of request.
 */
static uint64_t same_request_key(const struct request *r)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	const uint64_t fields[] = { r->pid, r->api, r->cause, r->outcome, r->context, (uint64_t)r->syscall,
				    r->order, r->bytes, r->cgroup_id, r->evidence.rlimit };

	for (size_t i = 0; i < sizeof(fields) / sizeof(*fields); i++)
		for (int b = 0; b < 8; b++)
			h = (h ^ ((fields[i] >> (8 * b)) & 0xff)) * 1099511628211ULL;
	for (const char *c = r->caller; *c; c++)
		h = (h ^ (unsigned char)*c) * 1099511628211ULL;
	for (int i = 0; i < FS_COMM_LEN && r->comm[i]; i++)
		h = (h ^ (unsigned char)r->comm[i]) * 1099511628211ULL;
	return h;
}

static bool same_request(const struct request *a, const struct request *b)
{
	return a->pid == b->pid && a->api == b->api && a->cause == b->cause && a->outcome == b->outcome &&
	       a->context == b->context && a->syscall == b->syscall && a->order == b->order &&
	       a->bytes == b->bytes && a->cgroup_id == b->cgroup_id && a->evidence.rlimit == b->evidence.rlimit &&
	       !strcmp(a->caller, b->caller) && !strncmp(a->comm, b->comm, FS_COMM_LEN);
}

/* Into the list: as another occurrence of the same request, or as a new one while there is room. */
static void list_request(struct request_table *t, const struct request *r)
{
	uint64_t key = same_request_key(r), *slot = u64map_get(&t->listed_by_key, key);
	bool inserted;

	if (slot && same_request(&t->list[*slot - 1], r)) {
		t->list[*slot - 1].count++;
		t->list[*slot - 1].last_ns = r->ts_ns;
		return;
	}
	if (t->nr == t->cap && t->cap < MODEL_MAX_REQUESTS) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct request *grown = realloc(t->list, cap * sizeof(*grown));

		if (grown) {
			t->list = grown;
			t->cap = cap;
		}
	}
	if (t->nr == t->cap) {
		t->not_listed++;
		return;
	}
	t->list[t->nr] = *r;
	t->list[t->nr].count = 1;
	t->list[t->nr].last_ns = r->ts_ns;
	t->nr++;
	slot = u64map_upsert(&t->listed_by_key, key, &inserted);
	if (slot)
		*slot = t->nr;
}

/* The request is over: evidence, cause, and into the table. */
static void finish(struct model *m, struct open_request *o)
{
	struct request_table *t = &m->requests;
	struct request *r = &o->r;
	const char *path = requests_cgroup_path(t, r->cgroup_id);

	o->open = false;
	if (path)
		snprintf(r->cgroup, sizeof(r->cgroup), "%s", path);
	if (memcg_limit_set(o->memcg_limit_pages)) {
		r->evidence.have |= EVIDENCE_MEMCG;
		r->evidence.memcg_usage_bytes = o->memcg_usage_pages * model_page_size(m);
		r->evidence.memcg_limit_bytes = o->memcg_limit_pages * model_page_size(m);
	}
	/* Refused before any allocation: the accounting's figures; else the zones' free memory. */
	if (!r->nr_events)
		request_commit_evidence(m, r);
	else
		request_zone_evidence(m, r);
	if (r->api == API_HUGETLB && !r->nr_events)
		request_hugetlb_evidence(m, r);
	if (request_has_event(r, FAIL_VMAP_AREA))
		r->evidence.have |= EVIDENCE_VMAP;
	request_classify(r);
	t->counts[r->api][r->cause][r->outcome]++;
	t->recent[t->total % REQUESTS_RECENT] = *r;
	t->total++;
	list_request(t, r);
	if (m->on_request)
		m->on_request(m->on_request_ctx, r);
}

/*
 * Did the caller get its memory after all?  Recovered: a THP fault maps
 * small pages instead; kmalloc failed but vmalloc did not; or the syscall
 * succeeded and every failure was __GFP_NOWARN, the kernel's way of saying
 * "I have a fallback" (network buffers retry at order 0).  Otherwise the
 * caller got NULL: failed, even when its syscall still succeeded (a
 * fanotify event lost).
 */
static enum request_outcome outcome(const struct open_request *o, bool syscall_ok)
{
	const struct request *r = &o->r;

	if (r->ret < 0 || r->api == API_HUGETLB)
		return OUTCOME_FAILED; /* an error, or a pool left short of what was written */
	if (r->api == API_THP_FAULT || r->api == API_THP_COLLAPSE)
		return OUTCOME_RECOVERED; /* the memory stays (or is) mapped in small pages */
	if (r->api == API_KVMALLOC && !request_has_event(r, FAIL_VMALLOC) && !request_has_event(r, FAIL_VMAP_AREA))
		return OUTCOME_RECOVERED;
	return syscall_ok && o->all_nowarn ? OUTCOME_RECOVERED : OUTCOME_FAILED;
}

static void close_open(struct model *m, struct open_request *o)
{
	if (!o->open)
		return;
	o->r.api = request_api_of(m, &o->r);
	o->r.outcome = outcome(o, false);
	finish(m, o);
}

/* Only page, kmalloc and slab failures carry a gfp; the union holds other things for the rest. */
static uint64_t failure_gfp(const struct fs_event *e)
{
	return e->hdr.type == FS_EV_PAGE_FAIL ? e->page.gfp
	       : e->hdr.type == FS_EV_KMALLOC_FAIL || e->hdr.type == FS_EV_SLAB_FAIL ? e->kmalloc.gfp : 0;
}

/*
 * The gfp mode a request is judged by: its most permissive failure, the
 * first that allowed direct reclaim if any did.  One syscall can hold an
 * opportunistic try before the real one (a larger block asked with
 * __GFP_NORETRY and reclaim masked off, as slab's allocate_slab() does
 * before falling back), so a GFP_KERNEL kmalloc that failed after
 * reclaiming may come after a failed no-reclaim attempt: the kmalloc
 * decides the cause, and its caller is the request's.  Returns whether this failure now decides.
 */
static bool take_mode(const struct model *m, struct request *r, const struct fs_event *e, bool first)
{
	uint64_t reclaim = m->kinfo ? gfp_mask(&m->kinfo->gfp, "__GFP_DIRECT_RECLAIM") : 0;
	uint64_t gfp = failure_gfp(e);
	/*
	 * vmalloc's own gfp is not traced: vmalloc of a syscall reclaims
	 * (GFP_KERNEL) unless told not to.  A syscall's bare ENOMEM has no
	 * allocation, so no gfp to judge.
	 */
	bool can_reclaim = e->hdr.type == FS_EV_VMAP_FAIL || e->hdr.type == FS_EV_SYSCALL_END || !reclaim ||
			   (gfp & reclaim);

	if (!first && (r->can_reclaim || !can_reclaim))
		return false;
	r->can_reclaim = can_reclaim;
	if (first || gfp)
		r->gfp = gfp;
	return true;
}

static void start_request(struct model *m, struct open_request *o, const struct fs_event *e,
			  enum request_context ctx, uint32_t stack_id, uint64_t caller_addr, const char *caller)
{
	struct request *r = &o->r;
	uint64_t key = o->key;

	memset(o, 0, sizeof(*o));
	o->key = key;
	request_init(r);
	o->open = true;
	o->all_nowarn = true;
	o->caller_addr = caller_addr;
	o->caller_fn = request_function_of(m, caller_addr);
	o->memcg_usage_pages = e->hdr.memcg_usage_pages;
	o->memcg_limit_pages = e->hdr.memcg_limit_pages;
	r->ts_ns = r->end_ns = e->hdr.ts_ns;
	r->pid = e->hdr.pid;
	r->tid = e->hdr.tid;
	memcpy(r->comm, e->hdr.comm, FS_COMM_LEN);
	r->cgroup_id = e->hdr.cgroup_id;
	r->context = ctx;
	r->stack_id = stack_id;
	take_mode(m, r, e, true);
	snprintf(r->caller, sizeof(r->caller), "%s", caller ? caller : "");
}

/*
 * The caller's size: what the first kmalloc, vmap area or vmalloc was asked
 * (the caller's own figure), else the pages of the largest order that
 * failed (vmalloc's single pages are its parts, not its size).
 */
static void take_size(const struct model *m, struct open_request *o, const struct fs_event *e,
		      enum failure_kind kind, uint32_t order, uint64_t bytes)
{
	struct request *r = &o->r;

	if (o->sized_by_caller)
		return;
	if (kind == FAIL_VMALLOC && e->page.vmalloc_bytes > model_page_size(m)) {
		/* The area has a guard page the caller did not ask for. */
		o->sized_by_caller = true;
		r->bytes = e->page.vmalloc_bytes - model_page_size(m);
		r->order = order;
	} else if (kind == FAIL_KMALLOC || kind == FAIL_SLAB || kind == FAIL_VMAP_AREA) {
		o->sized_by_caller = true;
		r->bytes = bytes;
		r->order = order;
	} else if (kind != FAIL_VMALLOC && bytes > r->bytes) {
		r->bytes = bytes;
		r->order = order;
	}
}

/* What one failure brings to the question "is it part of the open request?" */
struct failure_shape {
	enum request_context ctx;
	enum failure_kind kind;
	uint32_t order;
	uint64_t bytes, gfp;
	uint64_t caller_addr, caller_fn;
	uint64_t ts_ns;
};

/*
 * Is this failure the same allocation tried again with more effort?  The
 * kernel's THP fault first asks __GFP_THISNODE | __GFP_NORETRY, then, that
 * failing, the full mode (mm/mempolicy.c): one fault, two failed attempts.
 */
static bool retried_harder(const struct model *m, uint64_t before, uint64_t now)
{
	uint64_t lighter = m->kinfo ? gfp_mask(&m->kinfo->gfp, "__GFP_NORETRY") |
					      gfp_mask(&m->kinfo->gfp, "__GFP_THISNODE") : 0;

	return (before & lighter) && !(now & lighter & before);
}

static bool joins(const struct model *m, const struct open_request *o, bool syscall_ends_traced,
		  const struct failure_shape *f)
{
	enum failure_kind kind = f->kind;
	const struct request *r = &o->r;
	const struct request_event *last = r->nr_events ? &r->events[r->nr_events - 1] : NULL;

	if (!o->open || r->context != f->ctx)
		return false;
	if (f->ctx == CONTEXT_SYSCALL && syscall_ends_traced)
		return true;
	if (f->caller_fn != o->caller_fn)
		return false;
	/* A harder retry follows reclaim and compaction, which can take long: no tight window. */
	if (f->caller_addr == o->caller_addr && last && last->kind == kind && last->order == f->order &&
	    retried_harder(m, o->last_gfp, f->gfp))
		return f->ts_ns - o->last_ns <= REQUEST_IDLE_NS;
	if (f->ts_ns - o->last_ns > REQUEST_JOIN_NS)
		return false;
	if (r->nr_events && kind != r->events[0].kind && !request_has_event(r, kind))
		return true;
	/*
	 * The kernel traces a failed large kmalloc twice, back to back, from one
	 * call site; a vmalloc fails page after page (the bulk allocation, then
	 * one by one).
	 */
	return f->caller_addr == o->caller_addr && (kind == FAIL_KMALLOC || kind == FAIL_SLAB || kind == FAIL_VMALLOC) &&
	       last && last->kind == kind && last->order == f->order && last->bytes == f->bytes;
}

static uint64_t context_key(uint32_t tid, enum request_context ctx)
{
	/* Syscall, fault and task requests of a task close at its syscall exit: they share a key space. */
	return (uint64_t)tid | (uint64_t)ctx << 32;
}

int requests_add_failure(struct model *m, const struct fs_event *e, enum failure_kind kind, uint32_t order,
			 uint64_t bytes, uint32_t stack_id)
{
	struct request_table *t = &m->requests;
	const struct interned_stack *st = stack_table_get(&m->stacks, stack_id);
	uint32_t nr = st ? st->nr_frames : 0, at = st ? request_caller_frame(m, st->frames, nr) : 0;
	uint64_t caller_addr = at < nr ? st->frames[at] : 0, caller_fn = request_function_of(m, caller_addr), *seen;
	enum request_context ctx = st ? request_stack_context(m, st->frames, nr) : CONTEXT_TASK;
	uint64_t nowarn = m->kinfo ? gfp_mask(&m->kinfo->gfp, "__GFP_NOWARN") : 0;
	uint64_t gfp = failure_gfp(e);
	const struct failure_shape shape = { ctx, kind, order, bytes, gfp, caller_addr, caller_fn, e->hdr.ts_ns };
	struct open_request *o;
	bool inserted;

	seen = u64map_upsert(&t->failures_by_tid, e->hdr.tid, &inserted);
	if (!seen)
		return -ENOMEM;
	(*seen)++;
	o = find_open(t, context_key(e->hdr.tid, ctx));
	if (o && o->open && !joins(m, o, t->syscall_ends_traced, &shape))
		close_open(m, o);
	if (!o || !o->open) {
		o = new_open(t, context_key(e->hdr.tid, ctx));
		if (!o)
			return -ENOMEM;
		start_request(m, o, e, ctx, stack_id, caller_addr, caller_addr ? request_frame_name(m, caller_addr) : NULL);
	} else if (take_mode(m, &o->r, e, false)) {
		o->r.stack_id = stack_id;
		snprintf(o->r.caller, sizeof(o->r.caller), "%s", caller_addr ? request_frame_name(m, caller_addr) : "");
	}
	request_add_event(&o->r, kind, order, bytes);
	if (e->hdr.type == FS_EV_PAGE_FAIL)
		request_nodes_evidence(&o->r, &e->page);
	if (e->hdr.type != FS_EV_VMAP_FAIL)
		o->all_nowarn &= nowarn && (gfp & nowarn);
	o->last_gfp = gfp;
	take_size(m, o, e, kind, order, bytes);
	if (e->hdr.memcg_usage_pages > o->memcg_usage_pages) {
		o->memcg_usage_pages = e->hdr.memcg_usage_pages;
		o->memcg_limit_pages = e->hdr.memcg_limit_pages;
	}
	o->caller_addr = caller_addr;
	o->last_ns = o->r.end_ns = e->hdr.ts_ns;
	return 0;
}

/* ENOMEM that never reached an allocator: the mapping was refused up front. */
static int bare_enomem(struct model *m, const struct fs_event *e)
{
	const struct fs_syscall_end *s = &e->sys;
	const char *name = syscall_name(s->nr);
	struct open_request *o = new_open(&m->requests, context_key(e->hdr.tid, CONTEXT_SYSCALL));

	if (!o)
		return -ENOMEM;
	start_request(m, o, e, CONTEXT_SYSCALL, REQUEST_NO_STACK, 0, NULL);
	o->r.bytes = request_syscall_bytes(m, s, name);
	o->r.api = request_bare_enomem_api(name, s);
	o->r.syscall = s->nr;
	o->r.ret = s->ret;
	o->r.outcome = OUTCOME_FAILED;
	request_mm_evidence(m, &o->r, e);
	finish(m, o);
	return 0;
}

int requests_syscall_end(struct model *m, const struct fs_event *e)
{
	struct request_table *t = &m->requests;
	const struct fs_syscall_end *s = &e->sys;
	uint64_t *seen = u64map_get(&t->failures_by_tid, e->hdr.tid), traced = seen ? *seen : 0;
	struct open_request *o = find_open(t, context_key(e->hdr.tid, CONTEXT_SYSCALL));
	static const enum request_context before[] = { CONTEXT_FAULT, CONTEXT_TASK };

	if (seen)
		u64map_remove(&t->failures_by_tid, e->hdr.tid);
	if (s->nr_failures)
		t->syscall_ends_seen++;
	else
		t->bare_enomem_seen++;
	/* Faults and unrecognised stacks of the task happened before this exit: they are over. */
	for (size_t i = 0; i < sizeof(before) / sizeof(*before); i++) {
		struct open_request *other = find_open(t, context_key(e->hdr.tid, before[i]));

		if (other)
			close_open(m, other);
	}
	if (o && o->open) {
		o->r.syscall = s->nr;
		o->r.ret = s->ret;
		o->r.end_ns = e->hdr.ts_ns;
		o->r.api = request_api_of(m, &o->r);
		o->r.outcome = outcome(o, s->ret >= 0);
		finish(m, o);
		return 0;
	}
	if (!s->nr_failures)
		return bare_enomem(m, e);
	/* Failures the kernel counted for this syscall that never reached us: their detail was lost. */
	if (s->nr_failures > traced)
		t->detail_lost++;
	return 0;
}

void requests_close_idle(struct model *m, uint64_t now_ns, bool all)
{
	struct request_table *t = &m->requests;

	for (size_t i = 0; i < t->nr_open; i++) {
		struct open_request *o = &t->open[i];
		uint64_t idle = o->r.context == CONTEXT_SYSCALL && t->syscall_ends_traced ? REQUEST_SYSCALL_IDLE_NS
											: REQUEST_IDLE_NS;

		if (o->open && (all || now_ns > o->last_ns + idle))
			close_open(m, o);
	}
}

void requests_prune(struct model *m)
{
	struct request_table *t = &m->requests;
	size_t kept = 0;

	for (size_t i = 0; i < t->nr_open; i++) {
		struct open_request *o = &t->open[i];

		if (!o->open) {
			u64map_remove(&t->open_by_key, o->key);
			continue;
		}
		if (kept != i)
			t->open[kept] = *o;
		*u64map_get(&t->open_by_key, o->key) = ++kept;
	}
	t->nr_open = kept;
	/* Kernel threads never reach a syscall exit: their counts would only grow. */
	if (t->failures_by_tid.len > 4096) {
		u64map_free(&t->failures_by_tid);
		u64map_init(&t->failures_by_tid);
	}
}
