// SPDX-License-Identifier: GPL-2.0
/*
 * A request in the operator's words, one line: who asked, under which
 * syscall and with what result, what was asked and where, and why the
 * kernel said no with the numbers that prove it.  Every output that shows
 * requests (text, trace, top, HTML, doctor, explain) prints this line, so
 * they all say the same thing.
 */
#include "format/request_line.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kernel/syscall_names.h"
#include "util/units.h"

/* Appends to a bounded buffer; the text is cut, never overrun. */
struct line {
	char *buf;
	size_t len, used;
};

__attribute__((format(printf, 2, 3))) static void put(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->used >= l->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->buf + l->used, l->len - l->used, fmt, ap);
	va_end(ap);
	if (n > 0)
		l->used = l->used + (size_t)n < l->len ? l->used + (size_t)n : l->len - 1;
}

static const char *pages_text(uint64_t pages, uint32_t page_size, char *buf, size_t len)
{
	return format_bytes(pages * page_size, buf, len);
}

/* The zone with the most free pages: the one the verdict is about. */
static const struct zone_evidence *roomiest_zone(const struct cause_evidence *ev)
{
	const struct zone_evidence *best = NULL;

	for (uint32_t i = 0; i < ev->nr_zones; i++)
		if (!best || ev->zones[i].free_pages > best->free_pages)
			best = &ev->zones[i];
	return best;
}

static void put_zone(struct line *l, const struct zone_evidence *z, uint32_t page_size)
{
	char free[32], min[32];

	put(l, "%s %s free, min watermark %s", z->name, pages_text(z->free_pages, page_size, free, sizeof(free)),
	    pages_text(z->min_pages, page_size, min, sizeof(min)));
}

/* Free memory, but no block of the request's order. */
static void put_no_block(struct line *l, const struct request *r, const struct zone_evidence *z, uint32_t page_size)
{
	char free[32];

	put(l, "%s had %s free but no free block of order %u", z ? z->name : "?",
	    z ? pages_text(z->free_pages, page_size, free, sizeof(free)) : "?", r->order);
	if (z && zone_largest_free_order(z) >= 0)
		put(l, " (largest free: order %d)", zone_largest_free_order(z));
}

/* "node 1", "nodes 0,2". */
static void put_nodes(struct line *l, uint64_t mask)
{
	const char *sep = "";

	put(l, "node%s ", mask & (mask - 1) ? "s" : "");
	for (uint32_t n = 0; n < 64; n++)
		if (mask >> n & 1) {
			put(l, "%s%u", sep, n);
			sep = ",";
		}
}

/* One node's zones summed: free pages, min watermarks, free blocks of the order or larger. */
static void node_totals(const struct cause_evidence *ev, uint32_t node, uint32_t order, uint64_t *free,
			uint64_t *min, uint64_t *blocks)
{
	*free = *min = *blocks = 0;
	for (uint32_t i = 0; i < ev->nr_zones; i++) {
		const struct zone_evidence *z = &ev->zones[i];

		if (z->node != node)
			continue;
		*free += z->free_pages;
		*min += z->min_pages;
		for (uint32_t o = order; o < FS_ORDERS; o++)
			*blocks += z->free_blocks[o];
	}
}

/*
 * "mempolicy bind to node 1: node 1 has no free block of order 5 (node 0
 * has 312)": what kept the request to its nodes, what they lacked, and what
 * the nodes it could not use had.
 */
static void put_nodes_cause(struct line *l, const struct request *r, uint32_t page_size)
{
	const struct cause_evidence *ev = &r->evidence;
	uint64_t allowed = request_allowed_nodes(ev), seen = evidence_zone_nodes(ev), free, min, blocks;
	uint32_t order = r->order < FS_ORDERS ? r->order : FS_ORDERS - 1;
	bool by_policy = (ev->nodes_read & FS_NODES_POLICY) && ev->policy_mode == POLICY_BIND &&
			 (seen & ~ev->policy_nodes);
	bool all_without_block = true;
	const char *sep = ": ";
	char a[32], b[32];

	if (by_policy) {
		put(l, "mempolicy bind to ");
		put_nodes(l, ev->policy_nodes);
	}
	if ((ev->nodes_read & FS_NODES_CPUSET) && (seen & ~ev->cpuset_nodes)) {
		put(l, "%scpuset mems_allowed ", by_policy ? ", " : "");
		put_nodes(l, ev->cpuset_nodes);
	}
	for (uint32_t n = 0; n < 64; n++) {
		if (!(seen & allowed & (1ULL << n)))
			continue;
		node_totals(ev, n, order, &free, &min, &blocks);
		if (blocks)
			put(l, "%snode %u has %s free, min watermark %s", sep, n, pages_text(free, page_size, a, sizeof(a)),
			    pages_text(min, page_size, b, sizeof(b)));
		else
			put(l, "%snode %u has no free block of order %u", sep, n, order);
		all_without_block &= !blocks;
		sep = "; ";
	}
	sep = " (";
	for (uint32_t n = 0; n < 64; n++) {
		if (!(seen & ~allowed & (1ULL << n)))
			continue;
		node_totals(ev, n, order, &free, &min, &blocks);
		put(l, "%snode %u has %" PRIu64, sep, n, blocks);
		sep = ", ";
	}
	if (sep[0] == ',' && !all_without_block)
		put(l, " free blocks of order %u or more", order);
	if (sep[0] == ',')
		put(l, ")");
}

static void put_cause(struct line *l, const struct request *r, uint32_t page_size)
{
	const struct cause_evidence *ev = &r->evidence;
	const struct zone_evidence *z = roomiest_zone(ev);
	char a[32], b[32], c[32];

	switch ((enum request_cause)r->cause) {
	case CAUSE_MEMCG_LIMIT:
		if (r->cgroup[0])
			put(l, "memcg %s at its limit", r->cgroup);
		else
			put(l, "the task's memcg at its limit");
		if (ev->have & EVIDENCE_MEMCG)
			put(l, " (%s of %s)", format_bytes(ev->memcg_usage_bytes, a, sizeof(a)),
			    format_bytes(ev->memcg_limit_bytes, b, sizeof(b)));
		else /* a kernel log whose report has no usage line */
			put(l, " (the log has no usage figures)");
		return;
	case CAUSE_FRAGMENTATION:
		put(l, "fragmentation: ");
		put_no_block(l, r, z, page_size);
		return;
	case CAUSE_LOW_MEMORY:
		put(l, "low memory: ");
		if (z)
			put_zone(l, z, page_size);
		return;
	case CAUSE_NO_RECLAIM_CONTEXT:
		put(l, "could not reclaim or compact (atomic/nowait request)");
		if (!z)
			return;
		put(l, ": ");
		/* What it met without trying: a fragmented zone, or one short of memory. */
		if ((ev->have & EVIDENCE_ZONES) && request_zone_finding(r) == ZONES_FRAGMENTED)
			put_no_block(l, r, z, page_size);
		else
			put_zone(l, z, page_size);
		return;
	case CAUSE_COMMIT_LIMIT:
		put(l, "commit limit: Committed_AS %s + %s asked", format_bytes(ev->committed_as_kb * 1024, a, sizeof(a)),
		    format_bytes(r->bytes, b, sizeof(b)));
		if (ev->commit_reserve_kb)
			put(l, " + %s reserved", format_bytes(ev->commit_reserve_kb * 1024, a, sizeof(a)));
		put(l, " > CommitLimit %s (overcommit_memory=2)", format_bytes(ev->commit_limit_kb * 1024, c, sizeof(c)));
		return;
	case CAUSE_OVERCOMMIT_HEURISTIC:
		put(l, "overcommit heuristic: %s asked > RAM + swap %s (overcommit_memory=0)",
		    format_bytes(r->bytes, a, sizeof(a)), format_bytes(ev->ram_swap_kb * 1024, b, sizeof(b)));
		return;
	case CAUSE_RLIMIT:
		put(l, "%s %s: %s in use + %s asked", ev->rlimit == RLIMIT_KIND_DATA ? "RLIMIT_DATA" : "RLIMIT_AS",
		    format_bytes(ev->rlimit_bytes, a, sizeof(a)), format_bytes(ev->rlimit_used_bytes, b, sizeof(b)),
		    format_bytes(r->bytes, c, sizeof(c)));
		return;
	case CAUSE_MAX_MAP_COUNT:
		put(l, "vm.max_map_count: %" PRIu64 " of %" PRIu64 " mappings", ev->map_count, ev->max_map_count);
		return;
	case CAUSE_VMAP_SPACE:
		put(l, "no vmalloc address space for %s", format_bytes(ev->vmap_bytes ? ev->vmap_bytes : r->bytes, a, sizeof(a)));
		return;
	case CAUSE_HUGETLB_POOL:
		put(l, "hugetlb pool: asked %" PRIu64 " pages, got %" PRIu64, ev->hugetlb_asked, ev->hugetlb_got);
		return;
	case CAUSE_CPUSET_OR_MEMPOLICY:
		put_nodes_cause(l, r, page_size);
		return;
	case CAUSE_UNKNOWN:
	case CAUSE_COUNT:
		break;
	}
	put(l, "cause unknown: %s", ev->missing[0] ? ev->missing : "no evidence");
}

static void put_event(struct line *l, const struct request_event *e)
{
	switch ((enum failure_kind)e->kind) {
	case FAIL_VMALLOC:
		put(l, "vmalloc");
		return;
	case FAIL_VMAP_AREA:
		put(l, "vmalloc address space");
		return;
	case FAIL_SLAB:
		put(l, "kmem_cache");
		return;
	default:
		put(l, "%s order %u", failure_kind_name(e->kind), e->order);
	}
}

static void put_who(struct line *l, const struct request *r)
{
	char errname[32];

	put(l, "%s[%u]", r->comm[0] ? r->comm : "?", r->pid);
	if (r->cgroup[0] && strcmp(r->cgroup, "/"))
		put(l, " %s", r->cgroup);
	switch ((enum request_context)r->context) {
	case CONTEXT_SYSCALL: {
		const char *name = syscall_name(r->syscall);

		if (name)
			put(l, " %s", name);
		else if (r->syscall >= 0)
			put(l, " syscall %d", r->syscall);
		/* else its exit was never seen (the task was killed in it): no number to show. */
		if (r->ret < 0) {
			const char *e = strerrorname_np((int)-r->ret);

			snprintf(errname, sizeof(errname), "%s", e ? e : "error");
			put(l, " → %s", errname);
		}
		break;
	}
	case CONTEXT_IRQ:
	case CONTEXT_SOFTIRQ:
		put(l, " in %s", request_context_name(r->context));
		break;
	case CONTEXT_KTHREAD:
		put(l, " kernel thread");
		break;
	case CONTEXT_FAULT:
		put(l, " page fault");
		break;
	default:
		break;
	}
}

size_t request_line(const struct request *r, uint32_t page_size, char *buf, size_t len)
{
	struct line l = { buf, len, 0 };
	char size[32];

	if (!len)
		return 0;
	buf[0] = 0;
	put_who(&l, r);
	put(&l, ": %s", request_api_name(r->api));
	if (r->bytes)
		put(&l, " %s", format_bytes(r->bytes, size, sizeof(size)));
	if (r->caller[0])
		put(&l, " in %s", r->caller);
	put(&l, " %s", request_outcome_name(r->outcome));
	if (r->nr_events) {
		put(&l, " (");
		for (uint32_t i = 0; i < r->nr_events; i++) {
			if (i)
				put(&l, ", then ");
			put_event(&l, &r->events[i]);
		}
		if (r->events_not_listed)
			put(&l, ", +%u more", r->events_not_listed);
		put(&l, ")");
	}
	put(&l, ": ");
	put_cause(&l, r, page_size ? page_size : 4096);
	return l.used;
}

size_t request_cause_text(const struct request *r, uint32_t page_size, char *buf, size_t len)
{
	struct line l = { buf, len, 0 };

	if (!len)
		return 0;
	buf[0] = 0;
	put_cause(&l, r, page_size ? page_size : 4096);
	return l.used;
}

/*
 * What to do about a request's failure, from its numbers: the one place
 * advice is written, so the live views and explain give the same.
 */
static void advise_fragmentation(struct line *l, const struct request *r, const struct advice_context *c)
{
	const struct zone_evidence *z = roomiest_zone(&r->evidence);
	uint32_t ps = c->page_size ? c->page_size : 4096;
	/* An order read from a log can be anything: a shift of 32 or more is undefined. */
	uint32_t shift = r->order < 32 ? r->order : 31;
	char free[32], asked[32];

	put(l, "%s had %s free, %" PRIu64 " times the %s asked, but no free block of order %u: memory was "
	       "fragmented, not exhausted. ", z ? z->name : "?", z ? pages_text(z->free_pages, ps, free, sizeof(free)) : "?",
	    z ? z->free_pages >> shift : 0, format_bytes((uint64_t)ps << shift, asked, sizeof(asked)),
	    r->order);
	if (!r->can_reclaim)
		put(l, "This caller never compacted (atomic/nowait: no __GFP_DIRECT_RECLAIM): it needs blocks kept "
		       "ready, so ");
	put(l, "compact ahead of it (vm.compaction_proactiveness=20 on 5.9+, or `echo 1 > /proc/sys/vm/compact_memory`)");
	if (c->min_free_kb)
		put(l, " and raise vm.min_free_kbytes from about %" PRIu64 " to %" PRIu64 " so kswapd keeps more free",
		    c->min_free_kb, 2 * c->min_free_kb);
	put(l, "; with transparent huge pages, transparent_hugepage/defrag=defer+madvise.");
	if (r->api == API_KMALLOC && r->order >= 3)
		put(l, r->can_reclaim ? " The caller could use kvmalloc() to fall back to vmalloc."
				      : " The caller could allocate before taking its lock, where it may sleep, or "
					"use kvmalloc() there to fall back to vmalloc.");
}

static void advise_low_memory(struct line *l, const struct request *r, const struct advice_context *c)
{
	const struct zone_evidence *z = roomiest_zone(&r->evidence);

	if (z) {
		put_zone(l, z, c->page_size ? c->page_size : 4096);
		put(l, " (with the lowmem reserve): ");
	}
	put(l, "memory was exhausted, not fragmented. Find what holds it (the OOM report's task list, Slab and Shmem "
	       "in /proc/meminfo) or add memory or swap; compaction and vm.min_free_kbytes do not help here.");
}

static void advise_no_reclaim(struct line *l, const struct request *r, const struct advice_context *c)
{
	put(l, "An atomic/nowait request cannot wait for reclaim: it takes what is free at once. ");
	if (c->min_free_kb)
		put(l, "Raise vm.min_free_kbytes from about %" PRIu64 " to %" PRIu64
		       " (or vm.watermark_scale_factor) so kswapd keeps more free for such callers",
		    c->min_free_kb, 2 * c->min_free_kb);
	else
		put(l, "Raise vm.min_free_kbytes (or vm.watermark_scale_factor) so kswapd keeps more free for such callers");
	if (r->order > 0)
		put(l, "; an order-%u atomic allocation is better preallocated by its driver", r->order);
	put(l, ".");
}

static void advise_memcg(struct line *l, const struct request *r)
{
	const struct cause_evidence *ev = &r->evidence;
	char a[32], b[32];

	put(l, "The memory cgroup %s", r->cgroup[0] ? r->cgroup : "of the task");
	if (ev->have & EVIDENCE_MEMCG)
		put(l, " used %s of its %s limit", format_bytes(ev->memcg_usage_bytes, a, sizeof(a)),
		    format_bytes(ev->memcg_limit_bytes, b, sizeof(b)));
	else
		put(l, " was at its limit");
	put(l, ": raise the limit (memory.max on cgroup v2, memory.limit_in_bytes on v1, the container's memory "
	       "limit) or find what grew in it (memory.stat); kernel memory charged to it counts too.");
}

static void advise_unknown(struct line *l, const struct request *r, const struct advice_context *c)
{
	if (!c->mem_info) {
		put(l, "The log has no Mem-Info dump for this report");
		if (c->suppressed)
			put(l, " (%u similar reports before it were suppressed by warn_alloc's rate limit)", c->suppressed);
		put(l, ", so the cause cannot be decided from it: `fragscope record` catches the next one with the zone "
		       "state, and `echo m > /proc/sysrq-trigger` prints the dump now.");
	} else {
		put(l, "The dump does not decide it (%s).", r->evidence.missing[0] ? r->evidence.missing : "no zone figures");
	}
	if (c->cpuset && c->cpuset[0] && strcmp(c->cpuset, "/"))
		put(l, " It ran in a container (cpuset %.24s): compare the container's memory usage with its limit, "
		       "since its kernel allocations are charged to it.", c->cpuset);
}

size_t request_advice(const struct request *r, const struct advice_context *c, char *buf, size_t len)
{
	struct line l = { buf, len, 0 };
	char a[32];

	if (!len)
		return 0;
	buf[0] = 0;
	switch ((enum request_cause)r->cause) {
	case CAUSE_FRAGMENTATION:
		advise_fragmentation(&l, r, c);
		break;
	case CAUSE_LOW_MEMORY:
		advise_low_memory(&l, r, c);
		break;
	case CAUSE_NO_RECLAIM_CONTEXT:
		/* Fragmented: blocks must be made ahead of it; short: kept free for it. */
		if ((r->evidence.have & EVIDENCE_ZONES) && request_zone_finding(r) == ZONES_FRAGMENTED)
			advise_fragmentation(&l, r, c);
		else
			advise_no_reclaim(&l, r, c);
		break;
	case CAUSE_MEMCG_LIMIT:
		advise_memcg(&l, r);
		break;
	case CAUSE_VMAP_SPACE:
		put(&l, "The vmalloc address space had no room for %s. ",
		    format_bytes(r->evidence.vmap_bytes ? r->evidence.vmap_bytes : r->bytes, a, sizeof(a)));
		if (c->addr_bits == 32)
			put(&l, "On this 32-bit kernel the area is small (240 MiB by default on ARM, 128 MiB on x86): boot "
				"with a larger vmalloc= (e.g. vmalloc=512M) and see /proc/vmallocinfo for what holds it "
				"(modules, BPF JIT images).");
		else
			put(&l, "See /proc/vmallocinfo for what holds it; on a 64-bit kernel the area is vast, so a "
				"leak of vmap areas is likely.");
		break;
	case CAUSE_HUGETLB_POOL:
		put(&l, "Only %" PRIu64 " of %" PRIu64 " huge pages could be had: reserve them at boot (hugepages= on "
			"the kernel command line) before memory fragments, or compact first "
			"(`echo 1 > /proc/sys/vm/compact_memory`) and retry.",
		    r->evidence.hugetlb_got, r->evidence.hugetlb_asked);
		break;
	default:
		advise_unknown(&l, r, c);
		break;
	}
	return l.used;
}
