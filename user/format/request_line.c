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

static int largest_free_order(const struct zone_evidence *z)
{
	for (int o = FS_ORDERS - 1; o >= 0; o--)
		if (z->free_blocks[o])
			return o;
	return -1;
}

static void put_zone(struct line *l, const struct zone_evidence *z, uint32_t page_size)
{
	char free[32], min[32];

	put(l, "%s %s free, min watermark %s", z->name, pages_text(z->free_pages, page_size, free, sizeof(free)),
	    pages_text(z->min_pages, page_size, min, sizeof(min)));
}

static void put_cause(struct line *l, const struct request *r, uint32_t page_size)
{
	const struct cause_evidence *ev = &r->evidence;
	const struct zone_evidence *z = roomiest_zone(ev);
	char a[32], b[32], c[32];

	switch ((enum request_cause)r->cause) {
	case CAUSE_MEMCG_LIMIT:
		put(l, "memcg %s at its limit (%s of %s)", r->cgroup[0] ? r->cgroup : "?",
		    format_bytes(ev->memcg_usage_bytes, a, sizeof(a)), format_bytes(ev->memcg_limit_bytes, b, sizeof(b)));
		return;
	case CAUSE_FRAGMENTATION:
		put(l, "fragmentation: %s had %s free but no free block of order %u", z ? z->name : "?",
		    z ? pages_text(z->free_pages, page_size, a, sizeof(a)) : "?", r->order);
		if (z && largest_free_order(z) >= 0)
			put(l, " (largest free: order %d)", largest_free_order(z));
		return;
	case CAUSE_LOW_MEMORY:
		put(l, "low memory: ");
		if (z)
			put_zone(l, z, page_size);
		return;
	case CAUSE_NO_RECLAIM_CONTEXT:
		put(l, "could not reclaim or compact (atomic/nowait request)");
		if (z) {
			put(l, ": ");
			put_zone(l, z, page_size);
		}
		return;
	case CAUSE_COMMIT_LIMIT:
		put(l, "commit limit: Committed_AS %s + %s asked > CommitLimit %s (overcommit_memory=2)",
		    format_bytes(ev->committed_as_kb * 1024, a, sizeof(a)), format_bytes(r->bytes, b, sizeof(b)),
		    format_bytes(ev->commit_limit_kb * 1024, c, sizeof(c)));
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
		put(l, "the nodes the task may use were short");
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
		else
			put(l, " syscall %d", r->syscall);
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
