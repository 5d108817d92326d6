// SPDX-License-Identifier: GPL-2.0
/*
 * Requests and their causes: the names, and the one set of rules that
 * decides why the kernel said no.  The rules read only the request and its
 * evidence, so a live trace and a kernel log are judged alike.
 */
#include "model/request.h"

#include <stdio.h>
#include <string.h>

static const char *const kind_names[FAIL_KINDS] = {
	[FAIL_PAGE] = "page",       [FAIL_THP] = "thp",         [FAIL_KMALLOC] = "kmalloc",
	[FAIL_SLAB] = "slab",       [FAIL_VMALLOC] = "vmalloc", [FAIL_VMAP_AREA] = "vmap_area",
};

static const char *const api_names[API_COUNT] = {
	[API_PAGE] = "page",           [API_KMALLOC] = "kmalloc",     [API_KMEM_CACHE] = "kmem_cache",
	[API_VMALLOC] = "vmalloc",     [API_KVMALLOC] = "kvmalloc",   [API_THP_FAULT] = "thp_fault",
	[API_HUGETLB] = "hugetlb",     [API_COMMIT] = "commit",       [API_UNTRACED] = "untraced",
	[API_THP_COLLAPSE] = "thp_collapse",
};

static const char *const outcome_names[OUTCOME_COUNT] = {
	[OUTCOME_FAILED] = "failed",
	[OUTCOME_RECOVERED] = "recovered",
};

static const char *const cause_names[CAUSE_COUNT] = {
	[CAUSE_UNKNOWN] = "unknown",
	[CAUSE_MEMCG_LIMIT] = "memcg_limit",
	[CAUSE_FRAGMENTATION] = "fragmentation",
	[CAUSE_LOW_MEMORY] = "low_memory",
	[CAUSE_NO_RECLAIM_CONTEXT] = "no_reclaim_context",
	[CAUSE_COMMIT_LIMIT] = "commit_limit",
	[CAUSE_OVERCOMMIT_HEURISTIC] = "overcommit_heuristic",
	[CAUSE_RLIMIT] = "rlimit",
	[CAUSE_MAX_MAP_COUNT] = "max_map_count",
	[CAUSE_VMAP_SPACE] = "vmap_space",
	[CAUSE_HUGETLB_POOL] = "hugetlb_pool",
	[CAUSE_CPUSET_OR_MEMPOLICY] = "cpuset_or_mempolicy",
};

static const char *const context_names[CONTEXT_COUNT] = {
	[CONTEXT_SYSCALL] = "syscall", [CONTEXT_FAULT] = "fault",     [CONTEXT_KTHREAD] = "kthread",
	[CONTEXT_IRQ] = "irq",         [CONTEXT_SOFTIRQ] = "softirq", [CONTEXT_TASK] = "task",
};

static const char *name_of(const char *const *names, unsigned int n, unsigned int i)
{
	return i < n && names[i] ? names[i] : "?";
}

static int parse_name(const char *const *names, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (names[i] && !strcmp(name, names[i]))
			return i;
	return -1;
}

const char *failure_kind_name(enum failure_kind kind) { return name_of(kind_names, FAIL_KINDS, kind); }
const char *request_api_name(enum request_api api) { return name_of(api_names, API_COUNT, api); }
const char *request_outcome_name(enum request_outcome o) { return name_of(outcome_names, OUTCOME_COUNT, o); }
const char *request_cause_name(enum request_cause c) { return name_of(cause_names, CAUSE_COUNT, c); }
const char *request_context_name(enum request_context c) { return name_of(context_names, CONTEXT_COUNT, c); }
int failure_kind_parse(const char *name) { return parse_name(kind_names, FAIL_KINDS, name); }
int request_api_parse(const char *name) { return parse_name(api_names, API_COUNT, name); }

void request_init(struct request *r)
{
	memset(r, 0, sizeof(*r));
	r->stack_id = REQUEST_NO_STACK;
	r->syscall = -1;
	r->can_reclaim = true;
}

void request_add_event(struct request *r, enum failure_kind kind, uint32_t order, uint64_t bytes)
{
	struct request_event *last = r->nr_events ? &r->events[r->nr_events - 1] : NULL;

	if (last && last->kind == kind && last->order == order && last->bytes == bytes) {
		last->repeats++;
		return;
	}
	if (r->nr_events == REQUEST_MAX_EVENTS) {
		r->events_not_listed++;
		return;
	}
	r->events[r->nr_events++] = (struct request_event){ .kind = kind, .order = order, .bytes = bytes };
}

/*
 * Failing to charge, the kernel reclaims the cgroup first: a cgroup within
 * a sliver (1/64) of its limit after the request was at its limit.
 */
bool memcg_at_limit(uint64_t usage, uint64_t limit, uint64_t request)
{
	/* The kernel's "no limit" (PAGE_COUNTER_MAX pages) is far above any real memory. */
	if (!limit || limit >= (1ULL << 60))
		return false;
	return usage + (request ? request : 1) + limit / 64 >= limit;
}

bool request_has_event(const struct request *r, enum failure_kind kind)
{
	for (uint32_t i = 0; i < r->nr_events; i++)
		if (r->events[i].kind == kind)
			return true;
	return false;
}

static enum request_cause unknown(struct request *r, const char *missing)
{
	snprintf(r->evidence.missing, sizeof(r->evidence.missing), "%s", missing);
	return CAUSE_UNKNOWN;
}

/* Refused before any allocation: mmap, brk, mremap, fork. */
static enum request_cause commit_cause(struct request *r)
{
	const struct cause_evidence *ev = &r->evidence;
	uint64_t kb = (r->bytes + 1023) / 1024;

	if ((ev->have & EVIDENCE_RLIMIT) && ev->rlimit != RLIMIT_KIND_NONE &&
	    ev->rlimit_used_bytes + r->bytes > ev->rlimit_bytes)
		return CAUSE_RLIMIT;
	if ((ev->have & EVIDENCE_MAP_COUNT) && ev->max_map_count && ev->map_count >= ev->max_map_count)
		return CAUSE_MAX_MAP_COUNT;
	if (ev->have & EVIDENCE_COMMIT) {
		if (ev->overcommit_memory == 2 &&
		    ev->committed_as_kb + kb + ev->commit_reserve_kb > ev->commit_limit_kb)
			return CAUSE_COMMIT_LIMIT;
		if (ev->overcommit_memory == 0 && ev->ram_swap_kb && kb > ev->ram_swap_kb)
			return CAUSE_OVERCOMMIT_HEURISTIC;
		return unknown(r, "the size fit the commit limit, the rlimits and the map count");
	}
	return unknown(r, "no commit figures (/proc/meminfo, vm.overcommit_memory)");
}

int zone_largest_free_order(const struct zone_evidence *z)
{
	for (int o = FS_ORDERS - 1; o >= 0; o--)
		if (z->free_blocks[o])
			return o;
	return -1;
}

static const char *const policy_mode_names[] = {
	[POLICY_DEFAULT] = "default",       [POLICY_PREFERRED] = "preferred",
	[POLICY_BIND] = "bind",             [POLICY_INTERLEAVE] = "interleave",
	[POLICY_LOCAL] = "local",           [POLICY_PREFERRED_MANY] = "preferred_many",
	[POLICY_WEIGHTED_INTERLEAVE] = "weighted_interleave",
};

const char *policy_mode_name(uint32_t mode)
{
	return name_of(policy_mode_names, sizeof(policy_mode_names) / sizeof(policy_mode_names[0]), mode);
}

uint64_t request_allowed_nodes(const struct cause_evidence *ev)
{
	uint64_t allowed = ~0ULL;

	if (!(ev->have & EVIDENCE_NODES))
		return allowed;
	if (ev->nodes_read & FS_NODES_CPUSET)
		allowed &= ev->cpuset_nodes;
	if ((ev->nodes_read & FS_NODES_POLICY) && ev->policy_mode == POLICY_BIND)
		allowed &= ev->policy_nodes;
	return allowed;
}

uint64_t evidence_zone_nodes(const struct cause_evidence *ev)
{
	uint64_t nodes = 0;

	for (uint32_t i = 0; i < ev->nr_zones; i++)
		if (ev->zones[i].node < 64)
			nodes |= 1ULL << ev->zones[i].node;
	return nodes;
}

/* Nodes beyond 63 are not tracked: allowed. */
static bool node_allowed(uint64_t allowed, uint32_t node)
{
	return node >= 64 || (allowed >> node & 1);
}

/* What the zones of some nodes offered the request. */
struct zones_offer {
	bool enough_free;      /* a zone above its min watermark by the request */
	bool block_where_free; /* and a free block of the order there */
};

/* The zones on the allowed nodes (inside) or on the others (!inside). */
static struct zones_offer zones_offer(const struct request *r, uint64_t allowed, bool inside)
{
	const struct cause_evidence *ev = &r->evidence;
	uint64_t pages = 1ULL << (r->order < FS_ORDERS ? r->order : FS_ORDERS - 1);
	struct zones_offer offer = { false, false };

	for (uint32_t i = 0; i < ev->nr_zones; i++) {
		const struct zone_evidence *z = &ev->zones[i];

		if (node_allowed(allowed, z->node) != inside || z->free_pages < z->min_pages + pages)
			continue;
		offer.enough_free = true;
		offer.block_where_free |= zone_largest_free_order(z) >= (int64_t)r->order;
	}
	return offer;
}

/*
 * The zones' free memory against the request: above the min watermark by
 * the request's size, does some zone it may use have a block of its order?
 * If none does but a zone of a node its cpuset or mempolicy kept it from
 * has, the nodes allowed were the problem.
 */
enum zone_finding request_zone_finding(const struct request *r)
{
	uint64_t allowed = request_allowed_nodes(&r->evidence);
	struct zones_offer offer = zones_offer(r, allowed, true);

	if (offer.block_where_free)
		return ZONES_BLOCK_FREE;
	if (zones_offer(r, allowed, false).block_where_free)
		return ZONES_ELSEWHERE;
	return offer.enough_free ? ZONES_FRAGMENTED : ZONES_SHORT;
}

static enum request_cause zone_cause(struct request *r)
{
	enum zone_finding finding = request_zone_finding(r);

	if (finding == ZONES_ELSEWHERE)
		return CAUSE_CPUSET_OR_MEMPOLICY;
	/*
	 * A mode without __GFP_DIRECT_RECLAIM takes what is free at once: it
	 * never reclaimed or compacted, whether the zones were short,
	 * fragmented (a GFP_NOWAIT order-4 kmalloc with hundreds of MiB free
	 * in order-3 blocks) or neither when sampled.  That is what the
	 * caller can change; the zones, kept as evidence, say what it met.
	 */
	if (!r->can_reclaim)
		return CAUSE_NO_RECLAIM_CONTEXT;
	switch (finding) {
	case ZONES_SHORT:
		return CAUSE_LOW_MEMORY;
	case ZONES_FRAGMENTED:
		return CAUSE_FRAGMENTATION;
	case ZONES_BLOCK_FREE:
	case ZONES_ELSEWHERE:
		break;
	}
	return unknown(r, "a zone had free memory and a free block of the order when sampled");
}

enum request_cause request_classify(struct request *r)
{
	const struct cause_evidence *ev = &r->evidence;
	/* A mapping refused up front and the hugetlb pool charge no memory cgroup: its limit cannot refuse them. */
	bool charged = r->api != API_COMMIT && r->api != API_HUGETLB;
	enum request_cause cause;

	r->evidence.missing[0] = 0;
	if (request_has_event(r, FAIL_VMAP_AREA) || (ev->have & EVIDENCE_VMAP))
		cause = CAUSE_VMAP_SPACE;
	else if (charged && (ev->have & EVIDENCE_MEMCG) &&
		 memcg_at_limit(ev->memcg_usage_bytes, ev->memcg_limit_bytes, r->bytes))
		cause = CAUSE_MEMCG_LIMIT;
	else if (r->api == API_HUGETLB && (ev->have & EVIDENCE_HUGETLB) && ev->hugetlb_got < ev->hugetlb_asked)
		cause = CAUSE_HUGETLB_POOL;
	else if (r->api == API_COMMIT)
		cause = commit_cause(r);
	else if (r->api == API_UNTRACED)
		cause = unknown(r, "the allocation that failed fires no tracepoint");
	else if (ev->have & EVIDENCE_ZONES)
		cause = zone_cause(r);
	else if (!r->can_reclaim)
		cause = CAUSE_NO_RECLAIM_CONTEXT;
	else
		cause = unknown(r, "no zone state near the request");
	r->cause = cause;
	return cause;
}

/*
 * The allocators' own functions, by name prefix: a stack walked from the
 * innermost frame stops at the first function not here, the caller that
 * asked.  Prefixes cover the kernels' renames (_noprof since 6.10, _node,
 * .isra/.constprop clones).
 */
static const char *const allocator_prefixes[] = {
	"__alloc_pages", "alloc_pages", "__alloc_frozen_pages", "alloc_frozen_pages",
	"get_page_from_freelist", "__get_free_pages", "get_zeroed_page", "__folio_alloc", "folio_alloc",
	"alloc_slab_page", "allocate_slab", "new_slab", "___slab_alloc", "__slab_alloc", "slab_alloc",
	"kmem_cache_alloc", "__kmem_cache_alloc", "kmalloc", "__kmalloc", "___kmalloc", "__do_kmalloc",
	"kvmalloc", "__kvmalloc", "kvzalloc", "kvcalloc", "kcalloc", "kzalloc", "krealloc", "__krealloc",
	"__vmalloc", "vmalloc", "vzalloc", "vm_area_alloc_pages", "alloc_vmap_area", "__get_vm_area",
	"warn_alloc", "__memcg_kmem_charge", "memcg_", "obj_cgroup_charge", "try_charge", "charge_memcg",
	"mem_cgroup_charge", "__mem_cgroup_charge", "vma_alloc_folio", "mempool_alloc",
	"alloc_buddy_hugetlb", "alloc_fresh_hugetlb", "only_alloc_fresh_hugetlb", "alloc_surplus_hugetlb",
	"alloc_pool_huge", "alloc_hugetlb_folio", "__alloc_buddy_huge_page", "alloc_contig", "__alloc_contig",
	/* BPF maps' kmalloc under the map's memcg (5.11+): the map code calling it is the caller */
	"bpf_map_kmalloc_node", "bpf_map_kzalloc", "bpf_map_kvcalloc",
	/* names of older kernels, as their logged call traces show them */
	"mem_cgroup_try_charge", "kmem_getpages", "cache_grow", "cache_alloc_refill", "fallback_alloc",
	"____cache_alloc",
	NULL,
};

bool allocator_function(const char *name)
{
	for (const char *const *p = allocator_prefixes; *p; p++)
		if (!strncmp(name, *p, strlen(*p)))
			return true;
	return false;
}
