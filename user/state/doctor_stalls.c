// SPDX-License-Identifier: GPL-2.0
/*
 * The doctor's stall checks: allocations waiting for direct compaction or
 * reclaim, compaction that does not help, OOM kills, and THP settings that
 * make page faults wait for compaction.
 */
#include <math.h>
#include <string.h>

#include "state/doctor_checks.h"

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
void check_compaction(struct doctor_ctx *c)
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
void check_reclaim(struct doctor_ctx *c)
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
void check_thp(struct doctor_ctx *c)
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
