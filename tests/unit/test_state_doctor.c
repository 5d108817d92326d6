// SPDX-License-Identifier: GPL-2.0
/*
 * The doctor's findings: each condition on the fixture tree made to show it
 * alone, the healthy tree's all-clear, rates over a window, and the
 * findings only trace evidence can support.  Run from the repository top.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "state/doctor.h"

#define FIXTURES "tests/fixtures/proc/"

static struct state *now, *before;
static struct doctor_report *report;

static int setup(void **unused)
{
	(void)unused;
	now = malloc(sizeof(*now));
	before = malloc(sizeof(*before));
	report = malloc(sizeof(*report));
	return now && before && report ? 0 : -1;
}

static int teardown(void **unused)
{
	(void)unused;
	free(now);
	free(before);
	free(report);
	return 0;
}

static void read_tree(const char *fixture, struct state *st)
{
	struct state_error err;
	int ret = state_read(fixture, STATE_WITH_SYSCTLS | STATE_TRY_PAGETYPEINFO, st, &err);

	if (ret)
		state_error_print(&err, stderr);
	assert_int_equal(ret, STATE_OK);
}

/* The findings as "severity:id ..." in report order, to compare whole. */
static const char *summary(void)
{
	static char buf[512];
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < report->count && len < sizeof(buf); i++)
		len += snprintf(buf + len, sizeof(buf) - len, "%s%s:%s", i ? " " : "",
				doctor_severity_name(report->findings[i].severity),
				report->findings[i].id);
	return buf;
}

static double fact(const char *id, const char *key)
{
	for (unsigned int i = 0; i < report->count; i++) {
		const struct doctor_finding *f = &report->findings[i];

		if (strcmp(f->id, id))
			continue;
		for (unsigned int k = 0; k < f->nr_facts; k++)
			if (!strcmp(f->facts[k].key, key))
				return f->facts[k].value;
	}
	fail_msg("no fact %s of finding %s in: %s", key, id, summary());
	return 0;
}

static const struct doctor_finding *finding(const char *id)
{
	for (unsigned int i = 0; i < report->count; i++)
		if (!strcmp(report->findings[i].id, id))
			return &report->findings[i];
	fail_msg("no finding %s in: %s", id, summary());
	return NULL;
}

static void diagnose(const char *fixture, const struct doctor_evidence *ev)
{
	read_tree(fixture, now);
	doctor_findings(now, NULL, 0, ev, report);
}

static void test_healthy_all_clear(void **unused)
{
	(void)unused;
	diagnose(FIXTURES "linux-6.18", NULL);
	assert_string_equal(summary(), "");
	/* what could not be checked is said: no window, no trace evidence */
	assert_int_equal(report->nr_notes, 2);
	assert_non_null(strstr(report->notes[0], "since boot"));
	assert_non_null(strstr(report->notes[1], "no trace evidence"));
	diagnose(FIXTURES "minimal", NULL);
	assert_string_equal(summary(), "");
	assert_non_null(strstr(report->notes[2], "pagetypeinfo not read"));
}

/* Orders 0-2 only, 120000 pages free: order 3 and up are exhausted. */
static void test_external_fragmentation(void **unused)
{
	const struct doctor_finding *f;

	(void)unused;
	diagnose(FIXTURES "doctor-fragmented", NULL);
	assert_string_equal(summary(), "critical:external_fragmentation");
	f = finding("external_fragmentation");
	assert_non_null(strstr(f->title, "node 0 zone Normal"));
	assert_non_null(strstr(f->title, "order 3 or more"));
	assert_non_null(strstr(f->evidence, "orders 3-10"));
	assert_true(fact("external_fragmentation", "lowest_exhausted_order") == 3);
	assert_true(fact("external_fragmentation", "largest_free_order") == 2);
	assert_true(fact("external_fragmentation", "free_pages") == 120000);
	/* 1000 - (1000 + 120000000/8) / 85000 */
	assert_float_equal(fact("external_fragmentation", "extfrag_index"), 0.824, 1e-9);

	/* Only high orders gone (6.1 tree: nothing of order 7 or more) is a warning. */
	diagnose(FIXTURES "linux-6.1", NULL);
	assert_string_equal(summary(), "warning:external_fragmentation info:thp_defrag "
			    "info:pageblock_pollution");
	assert_true(fact("external_fragmentation", "lowest_exhausted_order") == 7);
	/* Node 1's Normal zone is empty, not fragmented: lack of memory is not this finding. */
	diagnose(FIXTURES "numa2", NULL);
	assert_string_equal(summary(), "warning:external_fragmentation");
	assert_true(fact("external_fragmentation", "node") == 0);
}

static void test_commit_limit(void **unused)
{
	(void)unused;
	diagnose(FIXTURES "doctor-commit-limit", NULL);
	assert_string_equal(summary(), "critical:commit_limit");
	assert_true(fact("commit_limit", "committed_as_kb") == 12218390);
	assert_true(fact("commit_limit", "commit_limit_kb") == 12341808);
	/* Near the limit, under 98%: a warning. */
	now->meminfo.value[STATE_MEM_COMMITTED_AS] = 11500000;
	doctor_findings(now, NULL, 0, NULL, report);
	assert_string_equal(summary(), "warning:commit_limit");
	/* The same charge under the heuristic mode is no risk. */
	now->sysctls.value[STATE_SYSCTL_OVERCOMMIT_MEMORY] = 0;
	doctor_findings(now, NULL, 0, NULL, report);
	assert_string_equal(summary(), "");
}

static void test_thp_defrag(void **unused)
{
	(void)unused;
	diagnose(FIXTURES "doctor-thp-defrag-always", NULL);
	assert_string_equal(summary(), "warning:thp_defrag");
	assert_non_null(strstr(finding("thp_defrag")->advice, "defer+madvise"));
}

static void test_min_free_kbytes(void **unused)
{
	(void)unused;
	/* lowmem 5596960 kB: default 4*sqrt() = 9463 kB; THP: 512 * 3 zones * 11 pages = 67584 kB */
	diagnose(FIXTURES "doctor-min-free-low", NULL);
	assert_string_equal(summary(), "warning:min_free_kbytes_low");
	assert_true(fact("min_free_kbytes_low", "default_kb") == 9463);
	assert_true(fact("min_free_kbytes_low", "expected_kb") == 67584);
	diagnose(FIXTURES "doctor-min-free-high", NULL);
	assert_string_equal(summary(), "warning:min_free_kbytes_high");
	/* Without THP only the default formula counts: 67584 is then over 4 times 9463. */
	diagnose(FIXTURES "linux-6.18", NULL);
	strcpy(now->sysctls.thp_enabled, "never");
	doctor_findings(now, NULL, 0, NULL, report);
	assert_string_equal(summary(), "info:min_free_kbytes_high");
	assert_true(fact("min_free_kbytes_high", "expected_kb") == 9463);
}

static void test_compaction_since_boot(void **unused)
{
	(void)unused;
	diagnose(FIXTURES "doctor-compaction", NULL);
	assert_string_equal(summary(), "info:compaction_stalls info:compaction_failing");
	assert_true(fact("compaction_failing", "compact_fail") == 15000);
	assert_non_null(strstr(finding("compaction_stalls")->title, "since boot"));
}

static void test_pageblock_pollution(void **unused)
{
	(void)unused;
	diagnose(FIXTURES "doctor-pollution", NULL);
	assert_string_equal(summary(), "warning:pageblock_pollution");
	/* 700 + 100 in Normal, 1 in DMA; kernel memory 156 MiB needs 77 pageblocks of 2 MiB */
	assert_true(fact("pageblock_pollution", "typed_pageblocks") == 801);
	assert_true(fact("pageblock_pollution", "total_pageblocks") == 2752);
}

/* With a window, rates come from the counters' change, not their totals. */
static void test_window_rates(void **unused)
{
	(void)unused;
	read_tree(FIXTURES "doctor-thp-defrag-always", now);
	*before = *now;
	now->counters.value[STATE_CNT_COMPACT_STALL] += 150; /* 15/s over 10 s */
	now->counters.value[STATE_CNT_COMPACT_FAIL] += 120;
	now->counters.value[STATE_CNT_ALLOCSTALL] += 30;
	now->counters.value[STATE_CNT_OOM_KILL] += 2;
	doctor_findings(now, before, 10, NULL, report);
	assert_string_equal(summary(), "critical:compaction_stalls critical:oom_kills "
			    "critical:thp_defrag warning:compaction_failing warning:direct_reclaim");
	assert_float_equal(fact("compaction_stalls", "stalls_per_second"), 15, 1e-9);
	assert_true(fact("oom_kills", "oom_kill") == 2);
	assert_non_null(strstr(finding("compaction_stalls")->title, "in the last 10 s"));
	/* no trace evidence, no pagetypeinfo; but no "since boot": the window is there */
	assert_int_equal(report->nr_notes, 2);
	for (unsigned int i = 0; i < report->nr_notes; i++)
		assert_null(strstr(report->notes[i], "since boot"));

	/* Totals since boot that did not move in the window make no finding. */
	read_tree(FIXTURES "doctor-compaction", now);
	*before = *now;
	doctor_findings(now, before, 10, NULL, report);
	assert_string_equal(summary(), "");
}

static void test_evidence_memcg(void **unused)
{
	struct doctor_evidence ev = {
		.valid = 1,
		.window_seconds = 10,
		.failures = { [DOCTOR_FAIL_PAGE] = 9, [DOCTOR_FAIL_KMALLOC] = 1 },
		.failures_memcg_at_limit = 10,
		.page_failures_by_order = { [0] = 9 },
		.memcg_reclaim_stalls = 40,
	};

	(void)unused;
	diagnose(FIXTURES "linux-6.18", &ev);
	assert_string_equal(summary(), "warning:memcg_limit");
	assert_true(fact("memcg_limit", "failures_at_limit") == 10);
	assert_int_equal(report->nr_notes, 1); /* only the missing window */

	/* Failures outside cgroup limits are critical, and are listed by order. */
	ev.failures_memcg_at_limit = 2;
	ev.failures_memcg_below_limit = 8;
	diagnose(FIXTURES "linux-6.18", &ev);
	assert_string_equal(summary(), "critical:allocation_failures");
	assert_non_null(strstr(finding("allocation_failures")->evidence, "order 0: 9"));

	/* Evidence not marked valid is not evidence. */
	ev.valid = 0;
	diagnose(FIXTURES "linux-6.18", &ev);
	assert_string_equal(summary(), "");
}

static void test_evidence_fragmentation(void **unused)
{
	struct doctor_evidence ev = {
		.valid = 1,
		.window_seconds = 10,
		.extfrag_steals = 300,
		.extfrag_change_ownership = 25,
		.compact_stalls = 40,
		.compact_stall_p99_ns = 2000000000ull,
	};

	(void)unused;
	diagnose(FIXTURES "linux-6.18", &ev);
	assert_string_equal(summary(), "critical:compaction_stalls warning:pageblock_steals");
	assert_float_equal(fact("compaction_stalls", "p99_ms"), 2000, 1e-9);
	assert_true(fact("pageblock_steals", "change_ownership") == 25);

	/* Page failures at exhausted orders make fragmentation critical even at high orders. */
	memset(&ev, 0, sizeof(ev));
	ev.valid = 1;
	ev.page_failures_by_order[9] = 3;
	ev.failures[DOCTOR_FAIL_PAGE] = 3;
	ev.failures_memcg_below_limit = 3;
	diagnose(FIXTURES "linux-6.1", &ev);
	assert_string_equal(summary(), "critical:external_fragmentation critical:allocation_failures "
			    "info:thp_defrag info:pageblock_pollution");
	assert_true(fact("external_fragmentation", "page_failures_at_these_orders") == 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_healthy_all_clear),
		cmocka_unit_test(test_external_fragmentation),
		cmocka_unit_test(test_commit_limit),
		cmocka_unit_test(test_thp_defrag),
		cmocka_unit_test(test_min_free_kbytes),
		cmocka_unit_test(test_compaction_since_boot),
		cmocka_unit_test(test_pageblock_pollution),
		cmocka_unit_test(test_window_rates),
		cmocka_unit_test(test_evidence_memcg),
		cmocka_unit_test(test_evidence_fragmentation),
	};

	if (access(FIXTURES, F_OK)) {
		fprintf(stderr, "test_state_doctor: no %s: run from the repository top\n", FIXTURES);
		return 1;
	}
	return cmocka_run_group_tests(tests, setup, teardown);
}
