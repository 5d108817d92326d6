// SPDX-License-Identifier: GPL-2.0
/*
 * The doctor's checks.  Each looks for one condition and makes a finding
 * only when numbers show it; the thresholds below say where a number starts
 * to matter and why.
 */
#include "state/doctor.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

/* PAGE_ALLOC_COSTLY_ORDER: up to it the kernel retries hard: stalls or OOM kills, not failures. */
#define COSTLY_ORDER 3
/* Zones under 1/64 of managed memory (ZONE_DMA's 16 MiB) serve few requests; exhausting is normal */
#define SMALL_ZONE_SHARE 64
/* vm.extfrag_threshold's default: above it the kernel compacts rather than reclaims. */
#define DEFAULT_EXTFRAG_THRESHOLD 500
/* Committed_AS as a share of CommitLimit, in percent. */
#define COMMIT_WARN_PCT 90.0
#define COMMIT_CRIT_PCT 98.0
/* Direct compaction or reclaim stalls per second over a window. */
#define STALL_RATE_WARN 1.0
#define STALL_RATE_CRIT 10.0
/* Since boot, stalls worth mentioning (without a window they say nothing about now). */
#define STALLS_SINCE_BOOT_INFO 1000
/* Compaction "mostly fails" from this share of at least this many stalls. */
#define COMPACT_FAIL_SHARE 0.5
#define COMPACT_FAIL_MIN_STALLS 10
/* Direct compaction latency, p99, seen by the tracer. */
#define COMPACT_P99_WARN_NS 100000000ull
#define COMPACT_P99_CRIT_NS 1000000000ull
/* min_free_kbytes under half, or over 4 times, the kernel's own choice. */
#define MIN_FREE_LOW_FACTOR 0.5
#define MIN_FREE_HIGH_FACTOR 4.0
/* ...and over this percentage of low memory it is a warning, not a remark. */
#define MIN_FREE_HIGH_WARN_PCT 10
/*
 * Pageblocks typed unmovable/reclaimable: twice what kernel memory needs is
 * common (partly used blocks), 3 times with the excess over 5% of all
 * pageblocks is pollution, and a warning once the excess is 20%.
 */
#define POLLUTION_FACTOR 3
#define POLLUTION_MIN_EXCESS_PCT 5
#define POLLUTION_WARN_EXCESS_PCT 20
/* Pageblocks taken over by unmovable/reclaimable allocations in a window. */
#define STEALS_WARN 10

struct doctor_ctx {
	const struct state *now;
	const struct state *before;
	double seconds; /* what rates are over: the window, or the uptime; 0 if unknown */
	char span[48];  /* "in the last 10 s" or "since boot" */
	const struct doctor_evidence *ev; /* NULL unless valid */
	struct doctor_report *out;
	struct doctor_finding overflow; /* written to when the report is full */
};

static void __attribute__((format(printf, 3, 4)))
fmt_into(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, size, fmt, ap);
	va_end(ap);
}

static struct doctor_finding *add_finding(struct doctor_ctx *c, enum doctor_severity severity,
					  const char *id)
{
	struct doctor_report *r = c->out;
	struct doctor_finding *f = &c->overflow;

	if (r->count < DOCTOR_MAX_FINDINGS)
		f = &r->findings[r->count++];
	else
		r->dropped++;
	memset(f, 0, sizeof(*f));
	f->severity = severity;
	snprintf(f->id, sizeof(f->id), "%s", id);
	return f;
}

static void fact(struct doctor_finding *f, const char *key, double value)
{
	if (f->nr_facts == DOCTOR_MAX_FACTS)
		return;
	snprintf(f->facts[f->nr_facts].key, sizeof(f->facts[0].key), "%s", key);
	f->facts[f->nr_facts++].value = value;
}

void doctor_note(struct doctor_report *r, const char *text)
{
	if (r->nr_notes < DOCTOR_MAX_NOTES)
		snprintf(r->notes[r->nr_notes++], sizeof(r->notes[0]), "%s", text);
}

/* The counter's change over the window, or its total since boot. */
static bool counter_change(const struct doctor_ctx *c, enum state_counter i, uint64_t *out)
{
	uint64_t then;

	if (!state_counter_present(&c->now->counters, i))
		return false;
	*out = c->now->counters.value[i];
	if (c->before) {
		then = c->before->counters.value[i];
		*out = *out >= then ? *out - then : 0;
	}
	return true;
}

static double rate(const struct doctor_ctx *c, uint64_t count)
{
	return c->seconds > 0 ? count / c->seconds : 0;
}

static int64_t sysctl_or(const struct state *st, enum state_sysctl s, int64_t fallback)
{
	return state_sysctl_present(&st->sysctls, s) ? st->sysctls.value[s] : fallback;
}

/* A sysctl's value for advice text, or "n/a" on kernels without it. */
static const char *sysctl_text(const struct state *st, enum state_sysctl s, char buf[24])
{
	if (!state_sysctl_present(&st->sysctls, s))
		return "n/a";
	snprintf(buf, 24, "%lld", (long long)st->sysctls.value[s]);
	return buf;
}

static uint64_t meminfo(const struct state *st, enum state_meminfo_key k)
{
	return st->meminfo.value[k];
}

static void check_zone_fragmentation(struct doctor_ctx *c, const struct state_zone_free *z,
				     int64_t threshold)
{
	const struct state *st = c->now;
	struct state_zone_indices ix;
	struct doctor_finding *f;
	uint64_t failures = 0;
	int lowest = -1;
	char buf[24];

	state_zone_indices(z, &ix);
	for (unsigned int o = 1; o < z->nr_orders && lowest < 0; o++)
		if (ix.extfrag[o] > threshold)
			lowest = o;
	if (lowest < 0)
		return;
	for (unsigned int o = lowest; c->ev && o < FS_ORDERS; o++)
		failures += c->ev->page_failures_by_order[o];

	f = add_finding(c, lowest <= COSTLY_ORDER || failures ? DOCTOR_CRITICAL : DOCTOR_WARNING,
			"external_fragmentation");
	fmt_into(f->title, sizeof(f->title),
		 "External fragmentation: node %d zone %s has no free block of order %d or more",
		 z->node, z->name, lowest);
	fmt_into(f->evidence, sizeof(f->evidence),
		 "%llu pages (%.1f MiB) are free, above the high watermark (%llu), yet the largest "
		 "free block is of order %d; the fragmentation index at order %d is %.3f, over "
		 "vm.extfrag_threshold (%.3f), so the kernel blames fragmentation, not lack of "
		 "memory, for requests of orders %d-%u%s",
		 (unsigned long long)z->pages_free, state_pages_mib(st, z->pages_free),
		 (unsigned long long)z->wmark_high, ix.largest_order, lowest,
		 ix.extfrag[lowest] / 1000.0, threshold / 1000.0, lowest, z->nr_orders - 1,
		 failures ? "; the tracer saw page allocations of these orders fail" : "");
	fmt_into(f->advice, sizeof(f->advice),
		 "Compact now: echo 1 > /proc/sys/vm/compact_memory (or "
		 "/sys/devices/system/node/node%d/compact). To keep high orders available, raise "
		 "vm.compaction_proactiveness (now %s) so kcompactd compacts in the background, and "
		 "vm.watermark_scale_factor or vm.min_free_kbytes so compaction has free memory to "
		 "work with; find the long-lived unmovable allocations that fragment memory with "
		 "`fragscope record`. Requests up to order %d retry hard and stall; larger ones "
		 "(THP at order 9) fall back or fail.",
		 z->node, sysctl_text(st, STATE_SYSCTL_COMPACTION_PROACTIVENESS, buf), COSTLY_ORDER);
	fact(f, "node", z->node);
	fact(f, "lowest_exhausted_order", lowest);
	fact(f, "largest_free_order", ix.largest_order);
	fact(f, "free_pages", z->pages_free);
	fact(f, "high_watermark", z->wmark_high);
	fact(f, "extfrag_index", ix.extfrag[lowest] / 1000.0);
	fact(f, "extfrag_threshold", threshold / 1000.0);
	if (c->ev)
		fact(f, "page_failures_at_these_orders", failures);
}

/* High orders exhausted in a zone that has plenty of memory free. */
static void check_external_fragmentation(struct doctor_ctx *c)
{
	const struct state *st = c->now;
	int64_t threshold = sysctl_or(st, STATE_SYSCTL_EXTFRAG_THRESHOLD, DEFAULT_EXTFRAG_THRESHOLD);
	uint64_t total_managed = 0;

	for (unsigned int i = 0; i < st->nr_zones; i++)
		total_managed += st->zones[i].core.managed;
	for (unsigned int i = 0; i < st->nr_zones; i++) {
		const struct state_zone_free *z = &st->zones[i].core;

		if (!st->zones[i].populated || !z->has_zoneinfo ||
		    z->managed * SMALL_ZONE_SHARE < total_managed)
			continue;
		/* At or below the high watermark, reclaim is the answer, not compaction. */
		if (z->pages_free <= z->wmark_high)
			continue;
		check_zone_fragmentation(c, z, threshold);
	}
}

/* With vm.overcommit_memory=2, the commit charge fails allocations whatever is free. */
static void check_commit_limit(struct doctor_ctx *c)
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

static enum doctor_severity max_severity(enum doctor_severity a, enum doctor_severity b)
{
	return a > b ? a : b;
}

static void compaction_stall_finding(struct doctor_ctx *c, enum doctor_severity severity,
				     uint64_t stalls, uint64_t fails, uint64_t successes)
{
	const struct state *st = c->now;
	struct doctor_finding *f = add_finding(c, severity, "compaction_stalls");
	char traced[96] = "", buf[24], buf2[24];

	if (c->ev)
		fmt_into(traced, sizeof(traced), "; the tracer timed %llu stalls, p99 %.1f ms",
			 (unsigned long long)c->ev->compact_stalls,
			 c->ev->compact_stall_p99_ns / 1e6);
	fmt_into(f->title, sizeof(f->title),
		 "Allocations stall in direct compaction: %llu stalls %s", (unsigned long long)stalls,
		 c->span);
	fmt_into(f->evidence, sizeof(f->evidence),
		 "compact_stall +%llu (%.2f/s), compact_success +%llu, compact_fail +%llu %s%s",
		 (unsigned long long)stalls, rate(c, stalls), (unsigned long long)successes,
		 (unsigned long long)fails, c->span, traced);
	fmt_into(f->advice, sizeof(f->advice),
		 "Direct compaction runs in the allocating task. Set "
		 "/sys/kernel/mm/transparent_hugepage/defrag to defer+madvise or madvise (now %s) so "
		 "page faults do not compact; raise vm.compaction_proactiveness (now %s) and "
		 "vm.watermark_scale_factor (now %s) so kcompactd and kswapd work ahead of demand; "
		 "see which allocations compact with `fragscope record`.",
		 *st->sysctls.thp_defrag ? st->sysctls.thp_defrag : "n/a",
		 sysctl_text(st, STATE_SYSCTL_COMPACTION_PROACTIVENESS, buf),
		 sysctl_text(st, STATE_SYSCTL_WATERMARK_SCALE_FACTOR, buf2));
	fact(f, "compact_stall", stalls);
	fact(f, "stalls_per_second", rate(c, stalls));
	fact(f, "compact_fail", fails);
	fact(f, "compact_success", successes);
	if (c->ev)
		fact(f, "p99_ms", c->ev->compact_stall_p99_ns / 1e6);
}

static void compaction_fail_finding(struct doctor_ctx *c, uint64_t stalls, uint64_t fails,
				    uint64_t successes)
{
	const struct state *st = c->now;
	struct doctor_finding *f;

	f = add_finding(c, c->before ? DOCTOR_WARNING : DOCTOR_INFO, "compaction_failing");
	fmt_into(f->title, sizeof(f->title), "Direct compaction mostly fails: %llu of %llu %s",
		 (unsigned long long)fails, (unsigned long long)stalls, c->span);
	fmt_into(f->evidence, sizeof(f->evidence),
		 "compact_fail %llu of compact_stall %llu (%.0f%%), compact_success %llu %s; a "
		 "failed compaction means reclaim, a retry or a failed allocation; MemAvailable %llu kB",
		 (unsigned long long)fails, (unsigned long long)stalls, 100.0 * fails / stalls,
		 (unsigned long long)successes, c->span,
		 (unsigned long long)meminfo(st, STATE_MEM_AVAILABLE));
	fmt_into(f->advice, sizeof(f->advice), "%s",
		 "Compaction fails when a zone lacks free pages to migrate into or its pageblocks "
		 "hold unmovable pages: check free memory and the pageblock check (doctor as root "
		 "reads pagetypeinfo); reserve huge pages at boot (hugepages=N) rather than at run "
		 "time; code asking for high orders can use kvmalloc() or smaller orders.");
	fact(f, "compact_fail", fails);
	fact(f, "compact_stall", stalls);
	fact(f, "fail_share", (double)fails / stalls);
}

/* Allocations waiting for direct compaction, and compaction that does not help. */
static void check_compaction(struct doctor_ctx *c)
{
	uint64_t stalls, fails, successes = 0;
	enum doctor_severity severity = DOCTOR_INFO;
	bool found = false;
	double per_second;

	if (!counter_change(c, STATE_CNT_COMPACT_STALL, &stalls) ||
	    !counter_change(c, STATE_CNT_COMPACT_FAIL, &fails))
		return; /* a kernel without CONFIG_COMPACTION */
	counter_change(c, STATE_CNT_COMPACT_SUCCESS, &successes);
	per_second = rate(c, stalls);
	if (c->before && per_second >= STALL_RATE_WARN) {
		severity = per_second >= STALL_RATE_CRIT ? DOCTOR_CRITICAL : DOCTOR_WARNING;
		found = true;
	} else if (!c->before && stalls >= STALLS_SINCE_BOOT_INFO) {
		found = true;
	}
	if (c->ev && c->ev->compact_stalls && c->ev->compact_stall_p99_ns >= COMPACT_P99_WARN_NS) {
		severity = max_severity(severity, c->ev->compact_stall_p99_ns >= COMPACT_P99_CRIT_NS ?
					DOCTOR_CRITICAL : DOCTOR_WARNING);
		found = true;
	}
	if (found)
		compaction_stall_finding(c, severity, stalls, fails, successes);
	if (stalls >= COMPACT_FAIL_MIN_STALLS && fails >= stalls * COMPACT_FAIL_SHARE)
		compaction_fail_finding(c, stalls, fails, successes);
}

/* Direct reclaim and OOM kills over a window: without one, totals since boot say little. */
static void check_reclaim(struct doctor_ctx *c)
{
	uint64_t stalls, scanned = 0, stolen = 0, kills;
	struct doctor_finding *f;
	char traced[96] = "";

	if (!c->before)
		return;
	if (counter_change(c, STATE_CNT_ALLOCSTALL, &stalls) && rate(c, stalls) >= STALL_RATE_WARN) {
		counter_change(c, STATE_CNT_PGSCAN_DIRECT, &scanned);
		counter_change(c, STATE_CNT_PGSTEAL_DIRECT, &stolen);
		if (c->ev)
			fmt_into(traced, sizeof(traced),
				 "; the tracer saw %llu global and %llu memory cgroup reclaim stalls",
				 (unsigned long long)c->ev->direct_reclaim_stalls,
				 (unsigned long long)c->ev->memcg_reclaim_stalls);
		f = add_finding(c, DOCTOR_WARNING, "direct_reclaim");
		fmt_into(f->title, sizeof(f->title), "Allocations stall in direct reclaim: %llu %s",
			 (unsigned long long)stalls, c->span);
		fmt_into(f->evidence, sizeof(f->evidence),
			 "allocstall +%llu (%.2f/s), pgscan_direct +%llu, pgsteal_direct +%llu; "
			 "MemAvailable %llu kB%s",
			 (unsigned long long)stalls, rate(c, stalls), (unsigned long long)scanned,
			 (unsigned long long)stolen,
			 (unsigned long long)meminfo(c->now, STATE_MEM_AVAILABLE), traced);
		fmt_into(f->advice, sizeof(f->advice), "%s",
			 "Allocating tasks reclaim memory themselves because kswapd falls behind: raise "
			 "vm.watermark_scale_factor so kswapd starts earlier, or reduce the working set; "
			 "high-order requests also reclaim when compaction cannot help.");
		fact(f, "allocstall", stalls);
		fact(f, "stalls_per_second", rate(c, stalls));
	}
	if (counter_change(c, STATE_CNT_OOM_KILL, &kills) && kills) {
		f = add_finding(c, DOCTOR_CRITICAL, "oom_kills");
		fmt_into(f->title, sizeof(f->title), "The OOM killer ran %llu times %s",
			 (unsigned long long)kills, c->span);
		fmt_into(f->evidence, sizeof(f->evidence), "oom_kill +%llu; MemAvailable %llu kB",
			 (unsigned long long)kills,
			 (unsigned long long)meminfo(c->now, STATE_MEM_AVAILABLE));
		fmt_into(f->advice, sizeof(f->advice), "%s",
			 "dmesg names the victims and whether a memory cgroup's limit was hit "
			 "(\"Memory cgroup out of memory\"); `fragscope record` captures the allocations "
			 "that led to it.");
		fact(f, "oom_kill", kills);
	}
}

/* THP settings that make page faults wait for compaction. */
static void check_thp(struct doctor_ctx *c)
{
	const struct state_sysctls *sc = &c->now->sysctls;
	bool defrag_always = !strcmp(sc->thp_defrag, "always");
	bool defrag_madvise = !strcmp(sc->thp_defrag, "madvise") ||
			      !strcmp(sc->thp_defrag, "defer+madvise");
	uint64_t stalls = 0, fallbacks = 0, allocs = 0;
	enum doctor_severity severity;
	struct doctor_finding *f;

	if (!sc->has_thp || !*sc->thp_enabled || !strcmp(sc->thp_enabled, "never"))
		return;
	if (!defrag_always && !(defrag_madvise && !strcmp(sc->thp_enabled, "always")))
		return;
	counter_change(c, STATE_CNT_COMPACT_STALL, &stalls);
	counter_change(c, STATE_CNT_THP_FAULT_FALLBACK, &fallbacks);
	counter_change(c, STATE_CNT_THP_FAULT_ALLOC, &allocs);
	/* A setting is a risk; stalls measured under it make it a problem. */
	if (c->before && rate(c, stalls) >= STALL_RATE_WARN)
		severity = defrag_always ? DOCTOR_CRITICAL : DOCTOR_WARNING;
	else
		severity = defrag_always ? DOCTOR_WARNING : DOCTOR_INFO;

	f = add_finding(c, severity, "thp_defrag");
	if (defrag_always)
		fmt_into(f->title, sizeof(f->title), "%s",
			 "THP page faults compact memory synchronously (transparent_hugepage/defrag=always)");
	else
		fmt_into(f->title, sizeof(f->title),
			 "THP in every mapping, and MADV_HUGEPAGE regions compact in the page fault "
			 "(enabled=always, defrag=%s)", sc->thp_defrag);
	fmt_into(f->evidence, sizeof(f->evidence),
		 "enabled=[%s] defrag=[%s]; %s: thp_fault_alloc %llu, thp_fault_fallback %llu, "
		 "compact_stall %llu",
		 sc->thp_enabled, sc->thp_defrag, c->span, (unsigned long long)allocs,
		 (unsigned long long)fallbacks, (unsigned long long)stalls);
	if (defrag_always)
		fmt_into(f->advice, sizeof(f->advice), "%s",
			 "echo defer+madvise > /sys/kernel/mm/transparent_hugepage/defrag: faults then "
			 "take a huge page only when one is free, kcompactd makes more in the "
			 "background, and only MADV_HUGEPAGE regions wait for compaction.");
	else
		fmt_into(f->advice, sizeof(f->advice), "%s",
			 "Where fault latency matters more than huge pages: echo defer > "
			 "/sys/kernel/mm/transparent_hugepage/defrag (no fault waits for compaction), or "
			 "enabled=madvise so only applications that ask get THP.");
	fact(f, "compact_stall", stalls);
	fact(f, "thp_fault_alloc", allocs);
	fact(f, "thp_fault_fallback", fallbacks);
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

static void check_min_free_kbytes(struct doctor_ctx *c)
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

/*
 * Unmovable and reclaimable allocations that fall back into movable
 * pageblocks retype them; pageblocks of those types far beyond what kernel
 * memory needs are spread out, and each one blocks a huge page.
 */
static void check_pageblocks(struct doctor_ctx *c)
{
	const struct state *st = c->now;
	int unmovable = state_migratetype_index(st, "Unmovable");
	int reclaimable = state_migratetype_index(st, "Reclaimable");
	uint64_t typed = 0, total = 0, free_pages = 0, kernel_kb = 0, block_kb, needed;
	static const enum state_meminfo_key kernel_memory[] = {
		STATE_MEM_SLAB, STATE_MEM_KERNEL_STACK, STATE_MEM_PAGE_TABLES,
		STATE_MEM_VMALLOC_USED, STATE_MEM_PERCPU,
	};
	struct doctor_finding *f;
	char buf[24];

	if (unmovable < 0 || reclaimable < 0 || !st->pages_per_block)
		return;
	for (unsigned int i = 0; i < st->nr_zones; i++) {
		const struct state_zone *z = &st->zones[i];

		for (unsigned int t = 0; t < st->nr_migratetypes; t++)
			total += z->pageblocks[t];
		typed += z->pageblocks[unmovable] + z->pageblocks[reclaimable];
		for (unsigned int o = 0; o < st->nr_orders; o++)
			free_pages += (z->free_by_type[unmovable][o] +
				       z->free_by_type[reclaimable][o]) << o;
	}
	for (size_t i = 0; i < sizeof(kernel_memory) / sizeof(kernel_memory[0]); i++)
		kernel_kb += meminfo(st, kernel_memory[i]);
	block_kb = st->pages_per_block * st->page_kb;
	needed = (kernel_kb + block_kb - 1) / block_kb;
	if (typed < needed * POLLUTION_FACTOR ||
	    (typed - needed) * 100 < total * POLLUTION_MIN_EXCESS_PCT)
		return;

	f = add_finding(c, (typed - needed) * 100 >= total * POLLUTION_WARN_EXCESS_PCT ?
			DOCTOR_WARNING : DOCTOR_INFO, "pageblock_pollution");
	fmt_into(f->title, sizeof(f->title),
		 "Pageblock pollution: %llu pageblocks are unmovable or reclaimable, %.1f times what "
		 "kernel memory needs", (unsigned long long)typed, (double)typed / (needed ? needed : 1));
	fmt_into(f->evidence, sizeof(f->evidence),
		 "%llu of %llu pageblocks (%.0f MiB) are typed Unmovable or Reclaimable, while slab, "
		 "kernel stacks, page tables, vmalloc and per-cpu memory take %llu kB (%llu "
		 "pageblocks); %s%.0f MiB inside them is free. Each of these pageblocks holding a "
		 "single unmovable page cannot become a huge page",
		 (unsigned long long)typed, (unsigned long long)total,
		 state_pages_mib(st, typed * st->pages_per_block), (unsigned long long)kernel_kb,
		 (unsigned long long)needed, st->pagetypeinfo_capped ? "at least " : "",
		 state_pages_mib(st, free_pages));
	fmt_into(f->advice, sizeof(f->advice),
		 "Give fallbacks free pageblocks to go to instead of movable ones: raise "
		 "vm.min_free_kbytes or vm.watermark_boost_factor (now %s); if SReclaimable (%llu "
		 "kB) dominates, reclaiming slab (echo 2 > /proc/sys/vm/drop_caches, a one-off and "
		 "costly) frees reclaimable blocks; find the unmovable allocators with "
		 "`fragscope record`.",
		 sysctl_text(st, STATE_SYSCTL_WATERMARK_BOOST_FACTOR, buf),
		 (unsigned long long)meminfo(st, STATE_MEM_SRECLAIMABLE));
	fact(f, "typed_pageblocks", typed);
	fact(f, "needed_pageblocks", needed);
	fact(f, "total_pageblocks", total);
	fact(f, "free_pages_in_them", free_pages);
	fact(f, "kernel_memory_kb", kernel_kb);
}

/* Trace evidence: fallbacks that took a pageblock over. */
static void check_steals(struct doctor_ctx *c)
{
	const struct doctor_evidence *ev = c->ev;
	struct doctor_finding *f;

	if (!ev || ev->extfrag_change_ownership < STEALS_WARN)
		return;
	f = add_finding(c, DOCTOR_WARNING, "pageblock_steals");
	fmt_into(f->title, sizeof(f->title),
		 "Allocations took over %llu pageblocks of another migratetype in %u s",
		 (unsigned long long)ev->extfrag_change_ownership, ev->window_seconds);
	fmt_into(f->evidence, sizeof(f->evidence),
		 "mm_page_alloc_extfrag: %llu fallbacks to another migratetype's free lists, %llu "
		 "of which changed the pageblock's owner (change_ownership=1)",
		 (unsigned long long)ev->extfrag_steals,
		 (unsigned long long)ev->extfrag_change_ownership);
	fmt_into(f->advice, sizeof(f->advice), "%s",
		 "Each takeover mixes unmovable pages into what was movable memory. Raise "
		 "vm.min_free_kbytes or vm.watermark_boost_factor so fallbacks find free "
		 "pageblocks; `fragscope record` shows the allocations that fall back.");
	fact(f, "extfrag_steals", ev->extfrag_steals);
	fact(f, "change_ownership", ev->extfrag_change_ownership);
}

/* Trace evidence: failed allocations, and whether a memory cgroup limit explains them. */
static void check_allocation_failures(struct doctor_ctx *c)
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
			 "in %u s: %llu failures in tasks whose memory cgroup was at %d%% or more of its "
			 "limit, %llu elsewhere; memcg reclaim stalls %llu, global direct reclaim stalls "
			 "%llu", ev->window_seconds, (unsigned long long)ev->failures_memcg_at_limit,
			 DOCTOR_MEMCG_NEAR_LIMIT_PCT,
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

/* Most severe first; equal severities keep the order the checks made them in. */
static void sort_findings(struct doctor_report *r, struct doctor_finding *tmp)
{
	for (unsigned int i = 1; i < r->count; i++) {
		unsigned int j = i;

		*tmp = r->findings[i];
		while (j > 0 && r->findings[j - 1].severity < tmp->severity) {
			r->findings[j] = r->findings[j - 1];
			j--;
		}
		r->findings[j] = *tmp;
	}
}

static void add_notes(struct doctor_ctx *c, const struct state *st)
{
	char text[160];

	if (!c->before)
		doctor_note(c->out, "rates are averages since boot: no earlier reading to compare with "
			    "(`fragscope doctor -d SECONDS` measures the present)");
	if (!c->ev)
		doctor_note(c->out, "no trace evidence: allocation failures, memory cgroup limits, pageblock "
			"takeovers and compaction latency were not checked");
	if (!st->has_pagetypeinfo) {
		fmt_into(text, sizeof(text), "pageblock check skipped: pagetypeinfo not read (%s)",
			 st->pagetypeinfo_errno ? strerror(st->pagetypeinfo_errno) : "not asked");
		doctor_note(c->out, text);
	}
}

void doctor_findings(const struct state *now, const struct state *before, double window_seconds,
		     const struct doctor_evidence *ev, struct doctor_report *out)
{
	struct doctor_ctx c = {
		.now = now,
		.before = before,
		.seconds = before ? window_seconds : now->uptime_seconds,
		.ev = ev && ev->valid ? ev : NULL,
		.out = out,
	};

	memset(out, 0, sizeof(*out));
	if (before)
		fmt_into(c.span, sizeof(c.span), "in the last %.0f s", window_seconds);
	else
		fmt_into(c.span, sizeof(c.span), "since boot");

	check_external_fragmentation(&c);
	check_commit_limit(&c);
	check_compaction(&c);
	check_reclaim(&c);
	check_thp(&c);
	check_min_free_kbytes(&c);
	if (now->has_pagetypeinfo)
		check_pageblocks(&c);
	check_steals(&c);
	check_allocation_failures(&c);
	add_notes(&c, now);
	sort_findings(out, &c.overflow);
}

const char *doctor_severity_name(enum doctor_severity s)
{
	switch (s) {
	case DOCTOR_CRITICAL:
		return "critical";
	case DOCTOR_WARNING:
		return "warning";
	case DOCTOR_INFO:
		break;
	}
	return "info";
}
