// SPDX-License-Identifier: GPL-2.0
/*
 * Requests from the kernel's own allocation-failure reports.  The log gives
 * what the live tracer measures: who asked (comm, pid, the call trace), what
 * (order or bytes, the gfp mode's names), and the state at the time (the
 * Mem-Info dump's zones, the memcg's usage and limit).  This file only
 * translates; request_classify() decides, so a log and a trace of the same
 * incident get the same cause in the same words.
 */
#include "model/log_requests.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/syscall_names.h"
#include "model/internal.h"
#include "model/model.h"

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

uint32_t log_report_page_size(const struct klog_report *rep)
{
	return rep->page_kb ? rep->page_kb * 1024 : 4096;
}

/* Does the '|'-separated list of gfp names hold one of names? */
static bool has_flag(const char *text, const char *const *names)
{
	char buf[96], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", text);
	for (char *tok = strtok_r(buf, "|", &save); tok; tok = strtok_r(NULL, "|", &save))
		for (const char *const *n = names; *n; n++)
			if (!strcmp(tok, *n))
				return true;
	return false;
}

bool log_gfp_can_reclaim(const char *gfp_text, uint64_t gfp)
{
	/* The composites that include __GFP_DIRECT_RECLAIM; GFP_ATOMIC, GFP_NOWAIT, GFP_TRANSHUGE_LIGHT do not. */
	static const char *const reclaiming[] = {
		"GFP_KERNEL", "GFP_KERNEL_ACCOUNT", "GFP_USER", "GFP_HIGHUSER", "GFP_HIGHUSER_MOVABLE", "GFP_NOIO",
		"GFP_NOFS", "GFP_TRANSHUGE", "GFP_TEMPORARY", "__GFP_DIRECT_RECLAIM", "__GFP_RECLAIM", "__GFP_WAIT", NULL,
	};

	if (gfp_text[0])
		return has_flag(gfp_text, reclaiming);
	/*
	 * Kernels before 4.6 print no names.  4.4/4.5 have __GFP_KSWAPD_RECLAIM
	 * at 0x2000000 and __GFP_DIRECT_RECLAIM at 0x400000; before 4.4,
	 * __GFP_WAIT is 0x10.
	 */
	if (gfp & 0x2000000)
		return gfp & 0x400000;
	return gfp & 0x10;
}

/* The zones by their place in the kernel's order (lowmem_reserve[] is indexed by it). */
static const char *const zone_ranks[] = { "DMA", "DMA32", "Normal", "HighMem", "Movable", "Device", NULL };

static int zone_rank(const char *name)
{
	for (int i = 0; zone_ranks[i]; i++)
		if (!strcmp(name, zone_ranks[i]))
			return i;
	return -1;
}

/* The highest zone the mode may use: __GFP_DMA, __GFP_DMA32, highmem, movable, else Normal. */
static int highest_rank(const char *gfp_text)
{
	static const char *const dma[] = { "__GFP_DMA", "GFP_DMA", NULL };
	static const char *const dma32[] = { "__GFP_DMA32", "GFP_DMA32", NULL };
	static const char *const movable[] = { "GFP_HIGHUSER_MOVABLE", "GFP_TRANSHUGE", "GFP_TRANSHUGE_LIGHT",
					       "__GFP_MOVABLE", NULL };
	static const char *const highmem[] = { "GFP_HIGHUSER", "__GFP_HIGHMEM", NULL };

	if (has_flag(gfp_text, dma))
		return 0;
	if (has_flag(gfp_text, dma32))
		return 1;
	if (has_flag(gfp_text, movable))
		return 4;
	if (has_flag(gfp_text, highmem))
		return 3;
	return 2;
}

/*
 * The index of a zone in lowmem_reserve[]: 64-bit kernels have DMA, DMA32,
 * Normal, Movable(, Device); 32-bit ones DMA, Normal, HighMem, Movable.  The
 * dump names only populated zones, so the layout comes from what shows it:
 * a DMA32 or HighMem zone, a fifth reserve entry (ZONE_DEVICE is 64-bit
 * only), the trace's address width; else 64-bit, today's common case.
 */
static int kernel_zone_index(const struct klog_report *rep, const char *name)
{
	bool bits64 = rep->addr_bits != 32;
	int rank = zone_rank(name);

	for (uint32_t i = 0; i < rep->nr_zones; i++) {
		if (!strcmp(rep->zones[i].name, "DMA32") || rep->zones[i].nr_reserve == 5)
			bits64 = true;
		else if (!strcmp(rep->zones[i].name, "HighMem"))
			bits64 = false;
	}
	if (rank < 0)
		return -1;
	if (bits64)
		return rank <= 2 ? rank : rank - 1; /* no HighMem */
	return rank == 0 ? 0 : rank - 1;            /* no DMA32 */
}

static bool zone_allowed(const char *name, int highest)
{
	int rank = zone_rank(name);

	return rank >= 0 && rank <= highest;
}

/*
 * The zones the request could use, with the watermark it is held to: the
 * kernel compares free pages with min + lowmem_reserve[the request's highest
 * zone], so a lower zone keeps its reserve from a Normal-zone request.  A
 * request above order 0 needs the buddy counts of every usable zone, or the
 * zones prove nothing.
 */
static void zone_evidence(const struct klog_report *rep, struct request *r)
{
	const struct klog_zone *usable[KLOG_MAX_ZONES];
	uint32_t n = 0, page_kb = rep->page_kb ? rep->page_kb : 4;
	int highest = highest_rank(r->gfp_text), target = -1, target_index;
	struct cause_evidence *ev = &r->evidence;

	for (uint32_t i = 0; i < rep->nr_zones; i++) {
		const struct klog_zone *z = &rep->zones[i];

		if (!z->have_watermarks || !zone_allowed(z->name, highest))
			continue;
		if (r->order > 0 && !z->have_blocks)
			return;
		usable[n++] = z;
		if (zone_rank(z->name) > target)
			target = zone_rank(z->name);
	}
	if (!n)
		return;
	target_index = kernel_zone_index(rep, zone_ranks[target]);
	/* The roomiest zones, when there are more than the evidence holds. */
	for (uint32_t i = 0; i < n; i++)
		for (uint32_t j = i + 1; j < n; j++)
			if (usable[j]->free_kb > usable[i]->free_kb) {
				const struct klog_zone *t = usable[i];

				usable[i] = usable[j];
				usable[j] = t;
			}
	for (uint32_t i = 0; i < n && ev->nr_zones < EVIDENCE_MAX_ZONES; i++) {
		const struct klog_zone *z = usable[i];
		struct zone_evidence *e = &ev->zones[ev->nr_zones++];
		uint64_t reserve = target_index >= 0 && (uint32_t)target_index < z->nr_reserve
					   ? z->lowmem_reserve[target_index] : 0;

		snprintf(e->name, sizeof(e->name), "%s", z->name);
		e->node = z->node;
		e->free_pages = z->free_kb / page_kb;
		e->min_pages = z->min_kb / page_kb + reserve;
		e->low_pages = z->low_kb / page_kb + reserve;
		e->high_pages = z->high_kb / page_kb + reserve;
		if (z->have_blocks)
			memcpy(e->free_blocks, z->free_blocks, sizeof(e->free_blocks));
		else
			e->free_blocks[0] = e->free_pages; /* order 0: any free page is a block */
	}
	ev->have |= EVIDENCE_ZONES;
}

/*
 * The nodes the report says the allocation could use: warn_alloc's
 * nodemask is the one the allocator was given, a bind policy's (it binds
 * like MPOL_BIND) or, with cpusets in use, the cpuset's own mems_allowed
 * (then it is the cpuset that kept it); mems_allowed is the cpuset's.
 */
static void node_evidence(const struct klog_report *rep, struct request *r)
{
	struct cause_evidence *ev = &r->evidence;

	if (rep->have_nodemask && !(rep->have_mems_allowed && rep->nodemask == rep->mems_allowed)) {
		ev->nodes_read |= FS_NODES_POLICY;
		ev->policy_mode = POLICY_BIND;
		ev->policy_nodes = rep->nodemask;
	}
	if (rep->have_mems_allowed) {
		ev->nodes_read |= FS_NODES_CPUSET;
		ev->cpuset_nodes = rep->mems_allowed;
	}
	if (ev->nodes_read)
		ev->have |= EVIDENCE_NODES;
}

/* Frames that print the report, not part of the request. */
static bool report_machinery(const char *name)
{
	static const char *const prefixes[] = {
		"dump_stack", "__dump_stack", "show_stack", "unwind_backtrace", "dump_backtrace", "dump_header",
		"oom_kill_process", "out_of_memory", "mem_cgroup_out_of_memory", "mem_cgroup_oom",
		"pagefault_out_of_memory", "__alloc_pages_may_oom", NULL,
	};

	for (const char *const *p = prefixes; *p; p++)
		if (starts(name, *p))
			return true;
	return false;
}

/* The outermost allocation interface a frame names, or -1. */
static int frame_api(const char *name)
{
	static const struct {
		const char *prefix;
		enum request_api api;
	} apis[] = {
		{ "kvmalloc", API_KVMALLOC }, { "__kvmalloc", API_KVMALLOC }, { "kvzalloc", API_KVMALLOC },
		{ "kvcalloc", API_KVMALLOC }, { "__vmalloc", API_VMALLOC },   { "vmalloc", API_VMALLOC },
		{ "vzalloc", API_VMALLOC },   { "kmalloc", API_KMALLOC },     { "__kmalloc", API_KMALLOC },
		{ "kzalloc", API_KMALLOC },   { "kcalloc", API_KMALLOC },     { "krealloc", API_KMALLOC },
		{ "__do_kmalloc", API_KMALLOC }, { "kmem_cache_alloc", API_KMEM_CACHE },
		{ "__kmem_cache_alloc", API_KMEM_CACHE },
	};

	for (size_t i = 0; i < sizeof(apis) / sizeof(*apis); i++)
		if (starts(name, apis[i].prefix))
			return apis[i].api;
	return -1;
}

/* "SyS_setsockopt", "__x64_sys_ioctl", "ksys_ioctl", "sys_ioctl": the syscall's name, or NULL. */
static const char *syscall_of(const char *frame)
{
	static const char *const prefixes[] = { "__x64_sys_", "__arm64_sys_", "__ia32_sys_", "__se_sys_", "__do_sys_",
						"SyS_", "ksys_", "__sys_", "sys_", NULL };

	for (const char *const *p = prefixes; *p; p++)
		if (starts(frame, *p) && frame[strlen(*p)])
			return frame + strlen(*p);
	return NULL;
}

static int syscall_number(const char *name)
{
	for (int nr = 0; nr < 1024; nr++) {
		const char *s = syscall_name(nr);

		if (s && !strcmp(s, name))
			return nr;
	}
	return -1;
}

static bool frame_is(const struct klog_report *rep, const char *const *prefixes)
{
	for (uint32_t i = 0; i < rep->nr_frames; i++)
		for (const char *const *p = prefixes; *p; p++)
			if (starts(rep->frames[i].name, *p))
				return true;
	return false;
}

/* The caller (first frame outside the report's printing and the allocators), the api and the context. */
static void trace_facts(const struct klog_report *rep, struct request *r)
{
	static const char *const softirq[] = { "__do_softirq", "net_rx_action", "irq_exit", "tasklet_", NULL };
	static const char *const fault[] = { "handle_mm_fault", "do_page_fault", "__do_page_fault", "exc_page_fault",
					     "do_user_addr_fault", "page_fault", NULL };
	static const char *const kthread[] = { "kthread", "worker_thread", NULL };
	for (uint32_t i = 0; i < rep->nr_frames; i++) {
		const struct klog_frame *f = &rep->frames[i];
		int api;

		/* "? " frames are words found on the stack, often stale: no caller is better than a wrong one */
		if (!f->reliable || report_machinery(f->name))
			continue;
		if (allocator_function(f->name)) {
			api = frame_api(f->name);
			if (api >= 0 && !(r->api == API_KVMALLOC && api != API_KVMALLOC))
				r->api = (uint8_t)api;
			continue;
		}
		if (!r->caller[0])
			snprintf(r->caller, sizeof(r->caller), "%s", f->name);
		if (r->syscall < 0 && syscall_of(f->name))
			r->syscall = syscall_number(syscall_of(f->name));
	}
	if (rep->in_irq)
		r->context = frame_is(rep, softirq) ? CONTEXT_SOFTIRQ : CONTEXT_IRQ;
	else if (r->syscall >= 0)
		r->context = CONTEXT_SYSCALL;
	else if (frame_is(rep, fault))
		r->context = CONTEXT_FAULT;
	else if (frame_is(rep, kthread) || starts(r->comm, "kworker/") || starts(r->comm, "kswapd"))
		r->context = CONTEXT_KTHREAD;
	else
		r->context = CONTEXT_TASK;
}

static enum request_api kind_api(enum klog_kind kind)
{
	switch (kind) {
	case KLOG_VMALLOC:
		return API_VMALLOC;
	case KLOG_HUGETLB:
		return API_HUGETLB;
	default:
		return API_PAGE;
	}
}

static uint32_t log2_floor(uint64_t v)
{
	uint32_t o = 0;

	while (v > 1) {
		v >>= 1;
		o++;
	}
	return o;
}

void log_report_request(const struct klog_report *rep, struct request *r)
{
	uint32_t page_size = log_report_page_size(rep);
	bool memcg_oom = rep->memcg_oom;
	static const char *const memcg_oom_frames[] = { "mem_cgroup_out_of_memory", "mem_cgroup_oom", NULL };
	static const char *const accounted[] = { "GFP_KERNEL_ACCOUNT", "__GFP_ACCOUNT", NULL };

	request_init(r);
	snprintf(r->comm, sizeof(r->comm), "%s", rep->comm);
	r->pid = r->tid = rep->pid;
	/* seconds since boot; a garbled timestamp past what u64 nanoseconds hold is none */
	r->ts_ns = rep->time_s >= 0 && rep->time_s < 1e10 ? (uint64_t)(rep->time_s * 1e9) : 0;
	r->end_ns = r->ts_ns;
	r->outcome = OUTCOME_FAILED;
	r->api = (uint8_t)kind_api(rep->kind);
	r->order = rep->have_order ? rep->order : 0;
	r->gfp = rep->gfp;
	if (rep->gfp_text[0])
		snprintf(r->gfp_text, sizeof(r->gfp_text), "%s", rep->gfp_text);
	else if (rep->have_gfp)
		snprintf(r->gfp_text, sizeof(r->gfp_text), "%#llx", (unsigned long long)rep->gfp);
	r->can_reclaim = rep->have_gfp ? log_gfp_can_reclaim(rep->gfp_text, rep->gfp) : true;
	snprintf(r->kernel_log, sizeof(r->kernel_log), "%s", rep->text);
	snprintf(r->cgroup, sizeof(r->cgroup), "%s", rep->memcg);
	trace_facts(rep, r);

	switch (rep->kind) {
	case KLOG_VMALLOC:
		r->bytes = rep->bytes;
		request_add_event(r, rep->vmap_failed ? FAIL_VMAP_AREA : FAIL_VMALLOC, r->order, rep->bytes);
		break;
	case KLOG_HUGETLB:
		r->bytes = rep->bytes;
		if (rep->hugetlb_asked && rep->bytes / rep->hugetlb_asked >= page_size)
			r->order = log2_floor(rep->bytes / rep->hugetlb_asked / page_size);
		r->evidence.have |= EVIDENCE_HUGETLB;
		r->evidence.hugetlb_asked = rep->hugetlb_asked;
		r->evidence.hugetlb_got = rep->hugetlb_got;
		break;
	case KLOG_MEMCG_KILL:
		break;
	default:
		r->bytes = (uint64_t)page_size << (r->order < 32 ? r->order : 31);
		request_add_event(r, FAIL_PAGE, r->order, r->bytes);
		break;
	}
	if (rep->vmap_failed) {
		r->evidence.have |= EVIDENCE_VMAP;
		r->evidence.vmap_bytes = rep->vmap_bytes;
	}
	if (rep->have_memcg_usage && rep->memcg_limit_kb) {
		r->evidence.have |= EVIDENCE_MEMCG;
		r->evidence.memcg_usage_bytes = rep->memcg_usage_kb * 1024;
		r->evidence.memcg_limit_bytes = rep->memcg_limit_kb * 1024;
	}
	if (rep->mem_info)
		zone_evidence(rep, r);
	node_evidence(rep, r);
	request_classify(r);
	/*
	 * A memcg OOM is the kernel's own statement that the cgroup was at its
	 * limit (mem_cgroup_out_of_memory runs only then), even when the log
	 * lost the usage line.
	 */
	memcg_oom |= (rep->kind == KLOG_OOM || rep->kind == KLOG_MEMCG_KILL) && frame_is(rep, memcg_oom_frames);
	/*
	 * And an order-0 request charged to a memcg (__GFP_ACCOUNT) that could
	 * reclaim, yet failed while a zone it may use had free pages above its
	 * watermark, failed its charge: the page was there.
	 */
	memcg_oom |= r->cause == CAUSE_UNKNOWN && (r->evidence.have & EVIDENCE_ZONES) && r->order == 0 &&
		     r->can_reclaim && has_flag(r->gfp_text, accounted);
	if (memcg_oom && r->cause != CAUSE_MEMCG_LIMIT && !(r->evidence.have & EVIDENCE_MEMCG)) {
		r->cause = CAUSE_MEMCG_LIMIT;
		r->evidence.missing[0] = 0;
	}
}

/* How many of the latest closed requests a log report may join: the kernel prints its report before the syscall returns. */
#define LOG_JOIN_RECENT 256

/* Did the request fail the way the report says: a vmalloc, a page of the order, the caller? */
static bool same_failure(const struct request *r, const struct klog_report *rep, const struct request *from_log)
{
	if (from_log->caller[0] && r->caller[0] && strcmp(from_log->caller, r->caller))
		return false;
	switch (rep->kind) {
	case KLOG_VMALLOC:
		return request_has_event(r, FAIL_VMALLOC) || request_has_event(r, FAIL_VMAP_AREA);
	case KLOG_PAGE_ALLOC:
		for (uint32_t i = 0; i < r->nr_events; i++)
			if ((r->events[i].kind == FAIL_PAGE || r->events[i].kind == FAIL_THP) && r->events[i].order == rep->order)
				return true;
		return false;
	default:
		return true; /* an OOM kill or a pool: the task and the time say it */
	}
}

static bool joinable(const struct request *r, const struct klog_report *rep, const struct request *from_log,
		     uint64_t log_ns)
{
	uint64_t last = r->end_ns > r->ts_ns ? r->end_ns : r->ts_ns;

	return r->tid == rep->pid && !r->kernel_log[0] && log_ns + LOG_JOIN_NS >= r->ts_ns &&
	       log_ns <= last + LOG_JOIN_NS && same_failure(r, rep, from_log);
}

static uint64_t distance(const struct request *r, uint64_t log_ns)
{
	return r->ts_ns > log_ns ? r->ts_ns - log_ns : log_ns - r->ts_ns;
}

bool requests_join_log(struct request_table *t, const struct klog_report *rep)
{
	struct request *best = NULL, *r;
	struct request from_log;
	uint64_t log_ns;

	if (!rep->have_pid || rep->time_s < 0 || rep->time_s >= 1e10)
		return false;
	log_ns = (uint64_t)(rep->time_s * 1e9);
	log_report_request(rep, &from_log);
	for (size_t i = t->nr; i-- > 0 && t->nr - i <= LOG_JOIN_RECENT;) {
		r = &t->list[i];
		if (joinable(r, rep, &from_log, log_ns) && (!best || distance(r, log_ns) < distance(best, log_ns)))
			best = r;
	}
	for (size_t i = 0; i < t->nr_open; i++) {
		r = &t->open[i].r;
		if (t->open[i].open && joinable(r, rep, &from_log, log_ns) &&
		    (!best || distance(r, log_ns) < distance(best, log_ns)))
			best = r;
	}
	if (!best)
		return false;
	snprintf(best->kernel_log, sizeof(best->kernel_log), "%s", from_log.kernel_log);
	if (!(best->evidence.have & EVIDENCE_ZONES) && (from_log.evidence.have & EVIDENCE_ZONES)) {
		memcpy(best->evidence.zones, from_log.evidence.zones, sizeof(best->evidence.zones));
		best->evidence.nr_zones = from_log.evidence.nr_zones;
		best->evidence.have |= EVIDENCE_ZONES;
	}
	return true;
}

void model_add_log_report(struct model *m, const struct klog_report *rep)
{
	struct request_table *t = &m->requests;
	struct request *kept;

	if (requests_join_log(t, rep))
		return;
	if ((rep->have_pid && m->filter.pid && rep->pid != m->filter.pid) ||
	    (rep->comm[0] && m->filter.comm[0] && strncmp(rep->comm, m->filter.comm, FS_COMM_LEN)))
		return;
	if (t->nr_log_unjoined == REQUESTS_LOG_UNJOINED) {
		t->log_unjoined_over++;
		return;
	}
	if (!t->log_unjoined && !(t->log_unjoined = calloc(REQUESTS_LOG_UNJOINED, sizeof(*t->log_unjoined)))) {
		t->log_unjoined_over++;
		return;
	}
	kept = &t->log_unjoined[t->nr_log_unjoined++];
	log_report_request(rep, kept);
	if (m->on_log_request)
		m->on_log_request(m->on_request_ctx, kept);
}
