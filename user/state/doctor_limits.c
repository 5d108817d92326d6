// SPDX-License-Identifier: GPL-2.0
/*
 * The doctor's checks of limits and reserves: the commit charge under
 * vm.overcommit_memory=2, min_free_kbytes against the kernel's own choice,
 * and (trace evidence) failed allocations and the memory cgroup limits that
 * explain them.
 */
#include <math.h>
#include <string.h>

#include "state/doctor_checks.h"

/* Committed_AS as a share of CommitLimit, in percent. */
#define COMMIT_WARN_PCT 90.0
#define COMMIT_CRIT_PCT 98.0
/* min_free_kbytes under half, or over 4 times, the kernel's own choice. */
#define MIN_FREE_LOW_FACTOR 0.5
#define MIN_FREE_HIGH_FACTOR 4.0
/* ...and over this percentage of low memory it is a warning, not a remark. */
#define MIN_FREE_HIGH_WARN_PCT 10

/* With vm.overcommit_memory=2, the commit charge fails allocations whatever is free. */
void check_commit_limit(struct doctor_ctx *c)
{
	const struct state *st = c->now;
	uint64_t limit = meminfo(st, STATE_MEM_COMMIT_LIMIT);
	uint64_t committed = meminfo(st, STATE_MEM_COMMITTED_AS);
	struct doctor_finding *f;
	double pct;

	if (sysctl_or(st, STATE_SYSCTL_OVERCOMMIT_MEMORY, 0) != 2 || !limit)
		return;
	pct = 100.0 * committed / limit;
	if (pct < COMMIT_WARN_PCT)
		return;
	f = add_finding(c, pct >= COMMIT_CRIT_PCT ? DOCTOR_CRITICAL : DOCTOR_WARNING,
			"commit_limit");
	fmt_into(f->title, sizeof(f->title),
		 "ENOMEM risk: Committed_AS is %.0f%% of CommitLimit with vm.overcommit_memory=2",
		 pct);
	fmt_into(f->evidence, sizeof(f->evidence),
		 "Committed_AS %llu kB of CommitLimit %llu kB (%lld kB left); CommitLimit is swap "
		 "(%llu kB) plus vm.overcommit_kbytes (%lld) or vm.overcommit_ratio (%lld%%) of RAM. "
		 "In this mode mmap, brk and fork fail with ENOMEM once the charge would pass the "
		 "limit, however much memory is free (MemAvailable %llu kB)",
		 (unsigned long long)committed, (unsigned long long)limit,
		 (long long)limit - (long long)committed,
		 (unsigned long long)meminfo(st, STATE_MEM_SWAP_TOTAL),
		 (long long)sysctl_or(st, STATE_SYSCTL_OVERCOMMIT_KBYTES, 0),
		 (long long)sysctl_or(st, STATE_SYSCTL_OVERCOMMIT_RATIO, 0),
		 (unsigned long long)meminfo(st, STATE_MEM_AVAILABLE));
	fmt_into(f->advice, sizeof(f->advice), "%s",
		 "Raise vm.overcommit_ratio or set vm.overcommit_kbytes, or add swap (CommitLimit "
		 "counts it); find the processes that reserve more than they use (every private "
		 "writable mapping counts at full size: large heaps, thread stacks, JVM -Xmx); "
		 "vm.overcommit_memory=0 returns to the heuristic mode.");
	fact(f, "committed_as_kb", committed);
	fact(f, "commit_limit_kb", limit);
	fact(f, "commit_pct", pct);
	fact(f, "overcommit_ratio", sysctl_or(st, STATE_SYSCTL_OVERCOMMIT_RATIO, 0));
	fact(f, "mem_available_kb", meminfo(st, STATE_MEM_AVAILABLE));
}

static bool is_lowmem_zone(const char *name)
{
	return strcmp(name, "HighMem") && strcmp(name, "Movable") && strcmp(name, "Device");
}

struct min_free_expectation {
	uint64_t lowmem_kb;
	uint64_t default_kb; /* calculate_min_free_kbytes() */
	uint64_t thp_kb;     /* set_recommended_min_free_kbytes(), 0 without THP */
	uint64_t expected_kb;
};

/*
 * What the kernel would choose for min_free_kbytes: mm/page_alloc.c
 * calculate_min_free_kbytes(), 4 * sqrt(lowmem kB) clamped to 128..262144,
 * raised by khugepaged's set_recommended_min_free_kbytes() when THP is on
 * to 2 + MIGRATE_PCPTYPES^2 pageblocks per zone up to Normal (at most 5%
 * of low memory).  Low memory is taken as the zones' managed pages; the
 * kernel's nr_free_buffer_pages() also subtracts high watermarks, which are
 * not yet set when it first runs.
 */
static void expect_min_free_kbytes(const struct state *st, struct min_free_expectation *e)
{
	uint64_t lowmem_pages = 0, per_block = st->pages_per_block;
	unsigned int nr_zones = 0;

	for (unsigned int i = 0; i < st->nr_zones; i++) {
		const struct state_zone *z = &st->zones[i];

		if (!is_lowmem_zone(z->core.name))
			continue;
		lowmem_pages += z->core.managed;
		nr_zones += z->populated;
	}
	e->lowmem_kb = lowmem_pages * st->page_kb;
	e->default_kb = sqrt((double)e->lowmem_kb * 16);
	e->default_kb = e->default_kb < 128 ? 128 : e->default_kb > 262144 ? 262144 : e->default_kb;

	e->thp_kb = 0;
	/* pageblock_order is the huge page order where pagetypeinfo is not at hand */
	if (!per_block && state_meminfo_present(&st->meminfo, STATE_MEM_HUGEPAGESIZE))
		per_block = meminfo(st, STATE_MEM_HUGEPAGESIZE) / st->page_kb;
	if (st->sysctls.has_thp && strcmp(st->sysctls.thp_enabled, "never") && per_block) {
		uint64_t pages = per_block * nr_zones * (2 + 3 * 3);

		if (pages > lowmem_pages / 20)
			pages = lowmem_pages / 20;
		e->thp_kb = pages * st->page_kb;
	}
	e->expected_kb = e->thp_kb > e->default_kb ? e->thp_kb : e->default_kb;
}

void check_min_free_kbytes(struct doctor_ctx *c)
{
	const struct state *st = c->now;
	struct min_free_expectation e;
	enum doctor_severity severity;
	struct doctor_finding *f;
	char thp[96] = "";
	bool low;
	int64_t now;

	if (!state_sysctl_present(&st->sysctls, STATE_SYSCTL_MIN_FREE_KBYTES))
		return;
	now = st->sysctls.value[STATE_SYSCTL_MIN_FREE_KBYTES];
	expect_min_free_kbytes(st, &e);
	if (!e.lowmem_kb)
		return;
	low = now < e.expected_kb * MIN_FREE_LOW_FACTOR;
	if (!low && now <= e.expected_kb * MIN_FREE_HIGH_FACTOR)
		return;
	severity = low || now * 100 > (int64_t)e.lowmem_kb * MIN_FREE_HIGH_WARN_PCT ?
		DOCTOR_WARNING : DOCTOR_INFO;
	if (e.thp_kb)
		fmt_into(thp, sizeof(thp), ", and THP (enabled=%s) recommends %llu kB",
			 st->sysctls.thp_enabled, (unsigned long long)e.thp_kb);

	f = add_finding(c, severity, low ? "min_free_kbytes_low" : "min_free_kbytes_high");
	fmt_into(f->title, sizeof(f->title), "vm.min_free_kbytes is %s: %lld kB where the kernel "
		 "would choose %llu kB", low ? "low" : "high", (long long)now,
		 (unsigned long long)e.expected_kb);
	fmt_into(f->evidence, sizeof(f->evidence),
		 "vm.min_free_kbytes %lld; for %llu kB of low memory the kernel's default is "
		 "4*sqrt(lowmem kB) = %llu kB (clamped to 128..262144)%s",
		 (long long)now, (unsigned long long)e.lowmem_kb,
		 (unsigned long long)e.default_kb, thp);
	if (low)
		fmt_into(f->advice, sizeof(f->advice),
			 "A small reserve lets atomic allocations (interrupts, network receive) fail "
			 "(\"page allocation failure: order:N, mode:GFP_ATOMIC\") and wakes kswapd late; "
			 "set vm.min_free_kbytes back to about %llu.", (unsigned long long)e.expected_kb);
	else
		fmt_into(f->advice, sizeof(f->advice),
			 "Each zone keeps its share of min_free_kbytes free, out of reach of ordinary "
			 "allocations; a large value makes kswapd reclaim early and can OOM-kill with "
			 "memory free. Unless raised on purpose (huge-page or high-rate network "
			 "workloads), set it back to about %llu.", (unsigned long long)e.expected_kb);
	fact(f, "min_free_kbytes", now);
	fact(f, "expected_kb", e.expected_kb);
	fact(f, "default_kb", e.default_kb);
	fact(f, "thp_recommended_kb", e.thp_kb);
	fact(f, "lowmem_kb", e.lowmem_kb);
}

/* Trace evidence: failed allocations, and whether a memory cgroup limit explains them. */
void check_allocation_failures(struct doctor_ctx *c)
{
	const struct doctor_evidence *ev = c->ev;
	uint64_t total = 0;
	struct doctor_finding *f;
	char orders[160] = "";
	size_t len = 0;

	if (!ev)
		return;
	for (int k = 0; k < DOCTOR_FAIL_KINDS; k++)
		total += ev->failures[k];
	if (!total)
		return;
	for (unsigned int o = 0; o < FS_ORDERS && len < sizeof(orders); o++)
		if (ev->page_failures_by_order[o])
			len += snprintf(orders + len, sizeof(orders) - len, "%sorder %u: %llu",
					len ? ", " : "", o,
					(unsigned long long)ev->page_failures_by_order[o]);

	if (ev->failures_memcg_at_limit && ev->failures_memcg_at_limit * 2 >= total) {
		f = add_finding(c, DOCTOR_WARNING, "memcg_limit");
		fmt_into(f->title, sizeof(f->title),
			 "Allocation failures come from memory cgroup limits, not fragmentation: %llu "
			 "of %llu", (unsigned long long)ev->failures_memcg_at_limit,
			 (unsigned long long)total);
		fmt_into(f->evidence, sizeof(f->evidence),
			 "in %u s: %llu failures in tasks whose memory cgroup was at its limit (within "
			 "1/64 of it after the request), %llu elsewhere; memcg reclaim stalls %llu, global "
			 "direct reclaim stalls %llu", ev->window_seconds,
			 (unsigned long long)ev->failures_memcg_at_limit,
			 (unsigned long long)ev->failures_memcg_below_limit,
			 (unsigned long long)ev->memcg_reclaim_stalls,
			 (unsigned long long)ev->direct_reclaim_stalls);
		fmt_into(f->advice, sizeof(f->advice), "%s",
			 "Raise the cgroup's memory.max (v2) or memory.limit_in_bytes (v1), or shrink "
			 "what it keeps (its page cache counts too); compaction and watermark tuning "
			 "do not help these.");
		fact(f, "failures_at_limit", ev->failures_memcg_at_limit);
		fact(f, "failures_total", total);
		fact(f, "memcg_reclaim_stalls", ev->memcg_reclaim_stalls);
	}
	if (!ev->failures_memcg_below_limit)
		return;
	f = add_finding(c, DOCTOR_CRITICAL, "allocation_failures");
	fmt_into(f->title, sizeof(f->title), "%llu allocations failed outside memory cgroup limits "
		 "in %u s", (unsigned long long)ev->failures_memcg_below_limit, ev->window_seconds);
	fmt_into(f->evidence, sizeof(f->evidence),
		 "page %llu, kmalloc %llu, slab %llu, vmalloc %llu; page failures by order: %s",
		 (unsigned long long)ev->failures[DOCTOR_FAIL_PAGE],
		 (unsigned long long)ev->failures[DOCTOR_FAIL_KMALLOC],
		 (unsigned long long)ev->failures[DOCTOR_FAIL_SLAB],
		 (unsigned long long)ev->failures[DOCTOR_FAIL_VMALLOC], *orders ? orders : "none");
	fmt_into(f->advice, sizeof(f->advice), "%s",
		 "Failures above order 0 while memory is free point at fragmentation (see the "
		 "fragmentation findings), order-0 failures at lack of memory, vmalloc failures at "
		 "exhausted vmalloc space; `fragscope record` and `fragscope report` show who failed "
		 "and from where.");
	for (int k = 0; k < DOCTOR_FAIL_KINDS; k++) {
		static const char *const keys[DOCTOR_FAIL_KINDS] = {
			"page_failures", "kmalloc_failures", "slab_failures", "vmalloc_failures",
		};
		fact(f, keys[k], ev->failures[k]);
	}
	fact(f, "failures_below_limit", ev->failures_memcg_below_limit);
}
