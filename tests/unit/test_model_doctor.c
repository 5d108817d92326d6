// SPDX-License-Identifier: GPL-2.0
/*
 * The doctor's findings on a recording: samples of the fixture trees made
 * into states give the same findings as the trees read in full; version 1
 * samples still load; model_doctor() runs the rules on the model's first
 * and last samples and its failures; the text, JSON and HTML reports show
 * the findings, escaped.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "format/format.h"
#include "kernel/kernel_info.h"
#include "model/findings.h"
#include "model/model.h"
#include "state/doctor.h"
#include "state/state.h"

#define FIXTURES "tests/fixtures/proc/"
#define T0 1000000000ULL

static const char *const trees[] = {
	"linux-6.18",         "linux-6.1",          "numa2",
	"capped",             "minimal",            "doctor-commit-limit",
	"doctor-compaction",  "doctor-fragmented",  "doctor-min-free-high",
	"doctor-min-free-low", "doctor-pollution",  "doctor-thp-defrag-always",
};

static void assert_same_findings(const struct doctor_report *a, const struct doctor_report *b)
{
	assert_int_equal(a->count, b->count);
	for (unsigned int i = 0; i < a->count; i++) {
		const struct doctor_finding *x = &a->findings[i], *y = &b->findings[i];

		assert_int_equal(x->severity, y->severity);
		assert_string_equal(x->id, y->id);
		assert_string_equal(x->title, y->title);
		assert_string_equal(x->evidence, y->evidence);
		assert_string_equal(x->advice, y->advice);
		assert_int_equal(x->nr_facts, y->nr_facts);
		for (unsigned int k = 0; k < x->nr_facts; k++) {
			assert_string_equal(x->facts[k].key, y->facts[k].key);
			assert_true(x->facts[k].value == y->facts[k].value);
		}
	}
}

/* A tree read in full and its sample made into a state: every finding is the same. */
static void test_sample_states_give_the_same_findings(void **unused)
{
	struct state *full = malloc(sizeof(*full)), *from = malloc(sizeof(*from));
	struct state *full_before = malloc(sizeof(*full_before)), *from_before = malloc(sizeof(*from_before));
	struct state_sample *s = malloc(sizeof(*s)), *sb = malloc(sizeof(*sb));
	struct doctor_report *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	unsigned int nonempty = 0;

	(void)unused;
	for (size_t i = 0; i < sizeof(trees) / sizeof(*trees); i++) {
		char root[256];

		snprintf(root, sizeof(root), FIXTURES "%s", trees[i]);
		assert_int_equal(state_read(root, STATE_WITH_SYSCTLS | STATE_TRY_PAGETYPEINFO, full, NULL),
				 STATE_OK);
		assert_int_equal(state_sample(root, full->has_pagetypeinfo, s, NULL), STATE_OK);
		state_from_sample(s, NULL, full->page_kb, from);
		assert_int_equal(from->has_pagetypeinfo, full->has_pagetypeinfo);
		assert_int_equal(from->has_sysctls, full->has_sysctls);
		doctor_findings(full, NULL, 0, NULL, a);
		doctor_findings(from, NULL, 0, NULL, b);
		assert_same_findings(a, b);
		if (!strncmp(trees[i], "doctor-", 7))
			nonempty += a->count > 0;
		if (!strcmp(trees[i], "linux-6.18"))
			assert_int_equal(a->count, 0);

		/* Over a window from the healthy tree, rates from the counters' change. */
		assert_int_equal(state_read(FIXTURES "linux-6.18", STATE_WITH_SYSCTLS, full_before, NULL),
				 STATE_OK);
		assert_int_equal(state_sample(FIXTURES "linux-6.18", false, sb, NULL), STATE_OK);
		state_from_sample(sb, NULL, full->page_kb, from_before);
		doctor_findings(full, full_before, 10, NULL, a);
		doctor_findings(from, from_before, 10, NULL, b);
		assert_same_findings(a, b);
	}
	/* Every doctor-* tree shows its condition; linux-6.18 is healthy. */
	assert_int_equal(nonempty, 7);
	free(full);
	free(from);
	free(full_before);
	free(from_before);
	free(s);
	free(sb);
	free(a);
	free(b);
}

/* Pageblock figures from an earlier sample when the last did not read pagetypeinfo. */
static void test_pageblocks_from_the_types_sample(void **unused)
{
	struct state_sample *with = malloc(sizeof(*with)), *without = malloc(sizeof(*without));
	struct state *st = malloc(sizeof(*st));
	struct doctor_report *r = malloc(sizeof(*r));
	bool found = false;

	(void)unused;
	assert_int_equal(state_sample(FIXTURES "doctor-pollution", true, with, NULL), STATE_OK);
	assert_int_equal(state_sample(FIXTURES "doctor-pollution", false, without, NULL), STATE_OK);
	assert_false(without->has_pagetypeinfo);
	state_from_sample(without, NULL, 4, st);
	assert_false(st->has_pagetypeinfo);
	state_from_sample(without, with, 4, st);
	assert_true(st->has_pagetypeinfo);
	doctor_findings(st, NULL, 0, NULL, r);
	for (unsigned int i = 0; i < r->count; i++)
		found |= !strcmp(r->findings[i].id, "pageblock_pollution");
	assert_true(found);
	free(with);
	free(without);
	free(st);
	free(r);
}

static void test_sample_load(void **unused)
{
	struct state_sample *s = malloc(sizeof(*s)), *out = malloc(sizeof(*out));
	unsigned char *v1 = malloc(sizeof(struct state_sample));

	(void)unused;
	assert_int_equal(state_sample(FIXTURES "linux-6.18", false, s, NULL), STATE_OK);
	assert_int_equal(s->version, 3);
	assert_true(s->has_sysctls);
	assert_true(state_sysctl_present(&s->sysctls, STATE_SYSCTL_USER_RESERVE_KBYTES));
	assert_int_equal(s->sysctls.value[STATE_SYSCTL_USER_RESERVE_KBYTES], 100421);
	assert_true(s->uptime_seconds > 0);
	assert_int_equal(state_sample_load(s, sizeof(*s), out), 0);
	assert_memory_equal(s, out, sizeof(*s));

	/* A version 2 sample: the same without the two reserve sysctls. */
	{
		size_t head = offsetof(struct state_sample, sysctls.value) + STATE_SYSCTL_V2_COUNT * sizeof(int64_t);
		size_t gap = (STATE_SYSCTL_COUNT - STATE_SYSCTL_V2_COUNT) * sizeof(int64_t);
		struct state_sample *want = malloc(sizeof(*want));

		memcpy(v1, s, head);
		memcpy(v1 + head, (unsigned char *)s + head + gap, STATE_SAMPLE_V2_SIZE - head);
		((struct state_sample *)v1)->version = 2;
		assert_int_equal(state_sample_load(v1, STATE_SAMPLE_V2_SIZE, out), 0);
		*want = *s;
		want->version = 2;
		want->sysctls.value[STATE_SYSCTL_ADMIN_RESERVE_KBYTES] = 0;
		want->sysctls.value[STATE_SYSCTL_USER_RESERVE_KBYTES] = 0;
		want->sysctls.present &= ~(3ull << STATE_SYSCTL_V2_COUNT);
		assert_memory_equal(out, want, sizeof(*want));
		assert_int_equal(out->pageblock_order, s->pageblock_order);
		assert_string_equal(out->sysctls.thp_defrag, s->sysctls.thp_defrag);
		assert_int_equal(state_sample_load(v1, STATE_SAMPLE_V2_SIZE - 8, out), -1);
		free(want);
	}

	/* A format 1 file's sample: the bytes up to meminfo, version 1. */
	memcpy(v1, s, STATE_SAMPLE_V1_SIZE);
	((struct state_sample *)v1)->version = 1;
	assert_int_equal(state_sample_load(v1, STATE_SAMPLE_V1_SIZE, out), 0);
	assert_int_equal(out->version, 1);
	assert_int_equal(out->nr_zones, s->nr_zones);
	assert_memory_equal(out->zones, s->zones, sizeof(s->zones));
	assert_memory_equal(&out->meminfo, &s->meminfo, sizeof(s->meminfo));
	assert_false(out->has_sysctls);
	assert_true(out->uptime_seconds == 0);

	/* Wrong sizes for the version, unknown versions, impossible counts. */
	assert_int_equal(state_sample_load(v1, STATE_SAMPLE_V1_SIZE - 8, out), -1);
	assert_int_equal(state_sample_load(s, STATE_SAMPLE_V1_SIZE, out), -1);
	assert_int_equal(state_sample_load(v1, sizeof(*s), out), -1);
	assert_int_equal(state_sample_load(s, 2, out), -1);
	s->version = 4;
	assert_int_equal(state_sample_load(s, sizeof(*s), out), -1);
	s->version = 3;
	s->nr_zones = STATE_SAMPLE_MAX_ZONES + 1;
	assert_int_equal(state_sample_load(s, sizeof(*s), out), -1);
	s->nr_zones = 1;
	s->zones[0].nr_orders = FS_ORDERS + 1;
	assert_int_equal(state_sample_load(s, sizeof(*s), out), -1);
	s->zones[0].nr_orders = 11;
	memset(s->zones[0].name, 'x', sizeof(s->zones[0].name));
	memset(s->sysctls.thp_defrag, 'y', sizeof(s->sysctls.thp_defrag));
	assert_int_equal(state_sample_load(s, sizeof(*s), out), 0);
	assert_int_equal(strlen(out->zones[0].name), sizeof(out->zones[0].name) - 1);
	assert_int_equal(strlen(out->sysctls.thp_defrag), sizeof(out->sysctls.thp_defrag) - 1);
	free(s);
	free(out);
	free(v1);
}

struct fixture {
	struct kernel_info kinfo;
	struct model model;
	struct state_sample *sample;
	struct doctor_report *report;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->kinfo.page_size = 4096;
	snprintf(f->kinfo.release, sizeof(f->kinfo.release), "6.18.0-test");
	f->sample = malloc(sizeof(*f->sample));
	f->report = malloc(sizeof(*f->report));
	model_init(&f->model, &f->kinfo, NULL, NULL, T0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	model_free(&f->model);
	free(f->sample);
	free(f->report);
	free(f);
	return 0;
}

static void add_sample(struct fixture *f, const char *tree, uint64_t ts, bool pagetypeinfo)
{
	char root[256];

	snprintf(root, sizeof(root), FIXTURES "%s", tree);
	assert_int_equal(state_sample(root, pagetypeinfo, f->sample, NULL), STATE_OK);
	f->sample->ts_ns = ts;
	assert_int_equal(model_add_state(&f->model, f->sample), 0);
}

/* An order-0 page failure in a task whose memory cgroup is (or is not) at its limit. */
static void add_failure(struct fixture *f, uint64_t ts, bool at_limit)
{
	struct fs_event e;

	memset(&e, 0, sizeof(e));
	e.hdr.type = FS_EV_PAGE_FAIL;
	e.hdr.pid = e.hdr.tid = 42;
	e.hdr.ts_ns = ts;
	snprintf(e.hdr.comm, sizeof(e.hdr.comm), "provoke");
	e.hdr.cgroup_id = 7;
	e.hdr.memcg_limit_pages = 8192;
	e.hdr.memcg_usage_pages = at_limit ? 8192 : 100;
	assert_int_equal(model_add_event(&f->model, &e), 0);
}

static const struct doctor_finding *find(const struct doctor_report *r, const char *id)
{
	for (unsigned int i = 0; i < r->count; i++)
		if (!strcmp(r->findings[i].id, id))
			return &r->findings[i];
	return NULL;
}

static void test_no_samples_no_findings(void **state)
{
	struct fixture *f = *state;

	add_failure(f, T0 + 10, true);
	model_finish(&f->model);
	assert_int_equal(model_doctor(&f->model, f->report), 1);
	assert_int_equal(f->report->count, 0);
}

/* Failures at the cgroup's limit are blamed on the limit, not on fragmentation elsewhere. */
static void test_memcg_failures_blame_the_limit(void **state)
{
	struct fixture *f = *state;
	const struct doctor_finding *memcg;

	add_sample(f, "linux-6.18", T0, true);
	for (int i = 0; i < 8; i++)
		add_failure(f, T0 + 1000 + i, true);
	add_sample(f, "linux-6.18", T0 + 2000000000ULL, false);
	model_finish(&f->model);
	assert_int_equal(model_doctor(&f->model, f->report), 0);
	memcg = find(f->report, "memcg_limit");
	assert_non_null(memcg);
	assert_int_equal(memcg->severity, DOCTOR_WARNING);
	assert_non_null(strstr(memcg->title, "8 of 8"));
	assert_null(find(f->report, "allocation_failures"));
	assert_null(find(f->report, "external_fragmentation"));
	/* A window between the samples: no "since boot" note; pagetypeinfo from the first sample. */
	for (unsigned int i = 0; i < f->report->nr_notes; i++) {
		assert_null(strstr(f->report->notes[i], "since boot"));
		assert_null(strstr(f->report->notes[i], "pagetypeinfo"));
	}
}

/* The last sample is the state "now": a fragmented zone, and failures outside any limit. */
static void test_fragmentation_and_failures(void **state)
{
	struct fixture *f = *state;
	const struct doctor_finding *frag;

	add_sample(f, "linux-6.18", T0, false);
	add_failure(f, T0 + 1000, false);
	add_sample(f, "doctor-fragmented", T0 + 5000000000ULL, false);
	model_finish(&f->model);
	assert_int_equal(model_doctor(&f->model, f->report), 0);
	frag = find(f->report, "external_fragmentation");
	assert_non_null(frag);
	assert_non_null(find(f->report, "allocation_failures"));
	assert_null(find(f->report, "memcg_limit"));
	assert_int_equal(f->report->findings[0].severity, DOCTOR_CRITICAL);
}

/* A format 1 recording: no sysctls in its samples, said in a note. */
static void test_v1_samples_say_what_is_missing(void **state)
{
	struct fixture *f = *state;
	bool noted = false;

	add_sample(f, "doctor-thp-defrag-always", T0, false);
	f->sample->has_sysctls = 0;
	memset(&f->sample->sysctls, 0, sizeof(f->sample->sysctls));
	f->sample->ts_ns = T0 + 1000000000ULL;
	assert_int_equal(model_add_state(&f->model, f->sample), 0);
	model_finish(&f->model);
	assert_int_equal(model_doctor(&f->model, f->report), 0);
	assert_null(find(f->report, "thp_defrag"));
	for (unsigned int i = 0; i < f->report->nr_notes; i++)
		noted |= strstr(f->report->notes[i], "no sysctls") != NULL;
	assert_true(noted);
}

static char *render(struct fixture *f, const struct formatter *fmt)
{
	struct report r = { .model = &f->model, .kinfo = &f->kinfo, .opts = { .sort = "count", .top = 10 } };
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	assert_non_null(out);
	assert_int_equal(fmt->write(&r, out), 0);
	fclose(out);
	return text;
}

/* Each report shows the findings; the page escapes them (the advice says "cgroup's"). */
static void test_reports_show_the_findings(void **state)
{
	struct fixture *f = *state;
	char *text, *json, *html;

	add_sample(f, "linux-6.18", T0, false);
	add_failure(f, T0 + 1000, true);
	add_sample(f, "linux-6.18", T0 + 1000000000ULL, false);
	model_finish(&f->model);

	text = render(f, &format_text);
	assert_non_null(strstr(text, "== Doctor"));
	assert_non_null(strstr(text, "1. [WARNING] Allocation failures come from memory cgroup limits, not "
				     "fragmentation: 1 of 1 (memcg_limit)"));
	json = render(f, &format_json);
	assert_non_null(strstr(json, "\"doctor\": {"));
	assert_non_null(strstr(json, "\"id\": \"memcg_limit\""));
	assert_non_null(strstr(json, "\"failures_at_limit\": 1"));
	html = render(f, &format_html);
	assert_non_null(strstr(html, "<section id=\"doctor\"><h2>Doctor</h2>"));
	assert_non_null(strstr(html, "<div class=\"finding warning\" data-id=\"memcg_limit\">"));
	assert_non_null(strstr(html, "<dt>failures_at_limit</dt><dd>1</dd>"));
	assert_non_null(strstr(html, "the cgroup&#39;s memory.max"));
	assert_null(strstr(html, "cgroup's memory.max"));
	free(text);
	free(json);
	free(html);
}

static void test_reports_without_samples(void **state)
{
	struct fixture *f = *state;
	char *json, *html;

	model_finish(&f->model);
	json = render(f, &format_json);
	assert_non_null(strstr(json, "\"doctor\": null"));
	html = render(f, &format_html);
	assert_null(strstr(html, "id=\"doctor\""));
	free(json);
	free(html);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sample_states_give_the_same_findings),
		cmocka_unit_test(test_pageblocks_from_the_types_sample),
		cmocka_unit_test(test_sample_load),
		cmocka_unit_test_setup_teardown(test_no_samples_no_findings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memcg_failures_blame_the_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fragmentation_and_failures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v1_samples_say_what_is_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reports_show_the_findings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reports_without_samples, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
