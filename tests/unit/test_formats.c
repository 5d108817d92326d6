// SPDX-License-Identifier: GPL-2.0
/*
 * The formatters' pure parts on a hand-built model: folded lines, the
 * perf-script event shape and its filtering, a pprof profile's contents,
 * and that no format prints an unresolved kernel address unless asked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <cmocka.h>

#include "format/format.h"
#include "format/perf_script.h"
#include "kernel/kernel_info.h"
#include "kernel/ksyms.h"
#include "live/live.h"
#include "model/model.h"

#define T0 1000000000ULL /* the trace start, in ns */

/* Text addresses of a made-up kernel; A_BPF_PROG lies past its end. */
enum { A_ALLOC_PAGES = 0x1000, A_CALLER = 0x2000, A_SYSCALL = 0x3000, A_END = 0x4000 };
#define A_BPF_PROG 0xffffffffc0001234ULL

struct fixture {
	struct kernel_info kinfo;
	struct ksyms *ksyms;
	struct model model;
	struct report report;
	char *text;
	size_t len;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->kinfo.page_size = 4096;
	f->ksyms = ksyms_new();
	ksyms_add(f->ksyms, A_ALLOC_PAGES, "__alloc_frozen_pages_noprof", NULL);
	ksyms_add(f->ksyms, A_CALLER, "array_map_alloc", "some_module");
	ksyms_add(f->ksyms, A_SYSCALL, "__sys_bpf", NULL);
	ksyms_add(f->ksyms, A_END, NULL, NULL);
	ksyms_sort(f->ksyms);
	model_init(&f->model, &f->kinfo, f->ksyms, NULL, T0);
	f->report = (struct report){ .model = &f->model, .kinfo = &f->kinfo, .ksyms = f->ksyms,
				     .opts = { .sort = "count", .top = 10 } };
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	model_free(&f->model);
	ksyms_free(f->ksyms);
	free(f->text);
	free(f);
	return 0;
}

static struct fs_event page_fail(uint32_t pid, uint64_t ts, uint32_t order, const uint64_t *frames, uint32_t nr)
{
	struct fs_event e;

	memset(&e, 0, sizeof(e));
	e.hdr.type = FS_EV_PAGE_FAIL;
	e.hdr.pid = e.hdr.tid = pid;
	e.hdr.cpu = 3;
	e.hdr.ts_ns = ts;
	snprintf(e.hdr.comm, sizeof(e.hdr.comm), "task %u", pid);
	e.hdr.nr_frames = nr;
	memcpy(e.frames, frames, nr * sizeof(*frames));
	e.page.order = order;
	return e;
}

static const uint64_t stack_a[] = { A_ALLOC_PAGES + 4, A_CALLER + 8, A_SYSCALL + 1 };
static const uint64_t stack_unknown[] = { A_BPF_PROG, A_ALLOC_PAGES + 4 };

static void add_failures(struct fixture *f)
{
	struct fs_event e;

	for (int i = 0; i < 3; i++) {
		e = page_fail(10, T0 + i * 1000, 2, stack_a, 3);
		assert_int_equal(model_add_event(&f->model, &e), 0);
	}
	e = page_fail(11, T0 + 5000, 0, stack_unknown, 2);
	assert_int_equal(model_add_event(&f->model, &e), 0);
	model_finish(&f->model);
}

/* Runs a formatter into f->text. */
static int format_to_text(struct fixture *f, const struct formatter *fmt)
{
	FILE *out = open_memstream(&f->text, &f->len);
	int rc;

	assert_non_null(out);
	rc = fmt->write(&f->report, out);
	fclose(out);
	return rc;
}

static void test_folded_lines(void **state)
{
	struct fixture *f = *state;

	add_failures(f);
	assert_int_equal(format_to_text(f, &format_folded), 0);
	assert_string_equal(f->text, "page;__sys_bpf;array_map_alloc [some_module];__alloc_frozen_pages_noprof 3\n"
				     "page;__alloc_frozen_pages_noprof;[unknown] 1\n");
}

static void test_folded_raw_addrs(void **state)
{
	struct fixture *f = *state;

	add_failures(f);
	f->report.opts.raw_addrs = true;
	assert_int_equal(format_to_text(f, &format_folded), 0);
	assert_non_null(strstr(f->text, ";0xffffffffc0001234 1\n"));
}

/* Feeds events through a perf-script stream as replay_file() does. */
static void stream_events(struct fixture *f, const struct fs_event *events, size_t n)
{
	struct perf_script_stream s;
	FILE *out = open_memstream(&f->text, &f->len);

	assert_non_null(out);
	perf_script_stream_init(&s, &f->model, &f->report.opts, out);
	for (size_t i = 0; i < n; i++) {
		model_add_event(&f->model, &events[i]);
		perf_script_event(&s, &events[i]);
	}
	fclose(out);
}

static void test_perf_script_shape(void **state)
{
	struct fixture *f = *state;
	const struct fs_event e[] = { page_fail(10, 1234567891234ULL, 2, stack_a, 3),
				      page_fail(11, 2000000000ULL, 0, stack_unknown, 2) };

	stream_events(f, e, 2);
	assert_string_equal(f->text,
			    "task 10 10/10 [003] 1234.567891: fragscope:page_fail: kind=page order=2 migratetype=0 gfp=none\n"
			    "\t               0 __alloc_frozen_pages_noprof+0x4 ([kernel.kallsyms])\n"
			    "\t               0 array_map_alloc+0x8 ([some_module])\n"
			    "\t               0 __sys_bpf+0x1 ([kernel.kallsyms])\n"
			    "\n"
			    "task 11 11/11 [003] 2.000000: fragscope:page_fail: kind=page order=0 migratetype=0 gfp=none\n"
			    "\t               0 [unknown] ([kernel.kallsyms])\n"
			    "\t               0 __alloc_frozen_pages_noprof+0x4 ([kernel.kallsyms])\n"
			    "\n");
}

static void test_perf_script_raw_addrs(void **state)
{
	struct fixture *f = *state;
	const struct fs_event e = page_fail(11, T0, 0, stack_unknown, 2);

	f->report.opts.raw_addrs = true;
	stream_events(f, &e, 1);
	assert_non_null(strstr(f->text, "\tffffffffc0001234 [unknown] ([kernel.kallsyms])\n"
					"\t            1004 __alloc_frozen_pages_noprof+0x4 ([kernel.kallsyms])\n"));
}

static void test_perf_script_follows_the_filter(void **state)
{
	struct fixture *f = *state;
	const struct model_filter only_11 = { .pid = 11, .min_order = -1 };
	const struct fs_event e[] = { page_fail(10, T0, 2, stack_a, 3), page_fail(11, T0 + 1, 0, stack_unknown, 2),
				      page_fail(10, T0 + 2, 2, stack_a, 3) };

	model_free(&f->model);
	model_init(&f->model, &f->kinfo, f->ksyms, &only_11, T0);
	stream_events(f, e, 3);
	assert_null(strstr(f->text, "task 10"));
	assert_non_null(strstr(f->text, "task 11 11/11"));
}

/* A request's end is an event like the others: perf-script names its syscall and result, never a bare line. */
static void test_perf_script_syscall_end(void **state)
{
	struct fixture *f = *state;
	struct fs_event e;

	memset(&e, 0, sizeof(e));
	e.hdr.type = FS_EV_SYSCALL_END;
	e.hdr.pid = e.hdr.tid = 12;
	e.hdr.cpu = 1;
	e.hdr.ts_ns = T0;
	snprintf(e.hdr.comm, sizeof(e.hdr.comm), "enomem");
	e.sys.nr = 9; /* mmap on x86-64 */
	e.sys.ret = -12;
	e.sys.nr_failures = 2;
	stream_events(f, &e, 1);
	assert_string_equal(f->text, "enomem 12/12 [001] 1.000000: fragscope:syscall_end: syscall=mmap nr=9 ret=-12 "
				     "failures=2\n\n");
}

static size_t count_lines_with(const char *text, const char *needle)
{
	size_t n = 0;

	for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static uint64_t folded_total(const char *text)
{
	uint64_t total = 0;

	for (const char *line = text; *line; line = strchr(line, '\n') + 1) {
		const char *count = strchr(line, '\n');

		while (count > line && count[-1] != ' ')
			count--;
		total += strtoull(count, NULL, 10);
	}
	return total;
}

/*
 * Every report filter, on the same events: perf-script prints exactly the
 * failures the model keeps, which text, json, folded and pprof report.
 */
static void test_every_format_follows_the_filter(void **state)
{
	static const struct {
		const char *name;
		struct model_filter filter;
		size_t failures; /* of the five events */
	} cases[] = {
		{ "none", { .min_order = -1 }, 5 },
		{ "--min-order 2", { .min_order = 2 }, 3 },
		{ "--min-order 3", { .min_order = 3 }, 1 },
		{ "--min-order 4", { .min_order = 4 }, 0 },
		{ "-p 11", { .pid = 11, .min_order = -1 }, 2 },
		{ "--comm 'task 10'", { .comm = "task 10", .min_order = -1 }, 3 },
		{ "--kind page", { .kinds = 1u << FAIL_PAGE, .min_order = -1 }, 5 },
		{ "--kind slab", { .kinds = 1u << FAIL_SLAB, .min_order = -1 }, 0 },
		{ "--since 0.000002", { .since_ns = 2000, .min_order = -1 }, 3 },
		{ "--until 0.000002", { .until_ns = 2000, .min_order = -1 }, 3 },
		{ "-p 10 --min-order 3", { .pid = 10, .min_order = 3 }, 0 },
	};
	struct fixture *f = *state;
	const struct fs_event e[] = { page_fail(10, T0 + 1000, 2, stack_a, 3), page_fail(11, T0 + 1500, 0, stack_unknown, 2),
				      page_fail(10, T0 + 2000, 2, stack_a, 3), page_fail(11, T0 + 2500, 3, stack_unknown, 2),
				      page_fail(10, T0 + 3000, 0, stack_a, 3) };

	for (size_t c = 0; c < sizeof(cases) / sizeof(*cases); c++) {
		uint64_t groups = 0;

		model_free(&f->model);
		model_init(&f->model, &f->kinfo, f->ksyms, &cases[c].filter, T0);
		free(f->text);
		f->text = NULL;
		stream_events(f, e, 5);
		model_finish(&f->model);
		for (size_t i = 0; i < f->model.nr_groups; i++)
			groups += f->model.groups[i].count;
		print_message("%s: %zu perf-script events, %llu failures in the model\n", cases[c].name,
			      count_lines_with(f->text, "fragscope:page_fail:"), (unsigned long long)groups);
		assert_int_equal(count_lines_with(f->text, "fragscope:page_fail:"), cases[c].failures);
		assert_int_equal(groups, cases[c].failures);
		free(f->text);
		f->text = NULL;
		assert_int_equal(format_to_text(f, &format_folded), 0);
		assert_int_equal(folded_total(f->text), cases[c].failures);
	}
}

static void test_perf_script_refuses_a_model(void **state)
{
	struct fixture *f = *state;

	add_failures(f);
	assert_int_not_equal(format_to_text(f, &format_perf_script), 0);
	assert_int_equal(f->len, 0);
}

/* The decompressed profile; its strings are plain bytes in it. */
static unsigned char *gunzip(const char *in, size_t len, size_t *out_len)
{
	size_t cap = 1 << 20;
	unsigned char *out = malloc(cap);
	z_stream z = { .next_in = (unsigned char *)in, .avail_in = len, .next_out = out, .avail_out = cap };

	assert_int_equal(inflateInit2(&z, 16 + MAX_WBITS), Z_OK);
	assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
	*out_len = z.total_out;
	inflateEnd(&z);
	return out;
}

static bool has_string(const unsigned char *buf, size_t len, const char *s)
{
	return memmem(buf, len, s, strlen(s)) != NULL;
}

static void test_pprof_profile(void **state)
{
	struct fixture *f = *state;
	static const char *const expected[] = { "failures", "count", "kind", "page", "__sys_bpf",
						"array_map_alloc [some_module]", "[unknown]" };
	unsigned char *profile;
	size_t len;

	add_failures(f);
	assert_int_equal(format_to_text(f, &format_pprof), 0);
	assert_true(f->len > 2 && (unsigned char)f->text[0] == 0x1f && (unsigned char)f->text[1] == 0x8b);
	profile = gunzip(f->text, f->len, &len);
	for (size_t i = 0; i < sizeof(expected) / sizeof(*expected); i++)
		assert_true(has_string(profile, len, expected[i]));
	assert_false(has_string(profile, len, "0xffffffffc0001234"));
	free(profile);
}

/* Every kernel map's full-map drops are in the text header and JSON's meta.dropped: none is silent. */
static void test_map_full_drops_shown(void **state)
{
	struct fixture *f = *state;
	struct snapshot w;

	snapshot_init(&w);
	w.ts_ns = T0 + 1000000000ULL;
	w.counters[FS_CTR_MAP_FULL + FS_MAP_PROC] = 1;
	w.counters[FS_CTR_MAP_FULL + FS_MAP_CALLSITE] = 2;
	w.counters[FS_CTR_MAP_FULL + FS_MAP_EXTFRAG] = 3;
	w.counters[FS_CTR_MAP_FULL + FS_MAP_STACK_COUNTS] = 4;
	w.counters[FS_CTR_MAP_FULL + FS_MAP_OPEN_REQUESTS] = 5;
	model_set_snapshot(&f->model, &w);
	model_finish(&f->model);

	assert_int_equal(format_to_text(f, formatter_find("text")), 0);
	assert_non_null(strstr(f->text, "# dropped (map full): proc=1 callsite=2 extfrag=3 stacks=4 open_requests=5;"));
	free(f->text);
	assert_int_equal(format_to_text(f, formatter_find("json")), 0);
	assert_non_null(strstr(f->text, "\"stack_counts\": 4,\n      \"open_requests\": 5,"));
	snapshot_free(&w);
}

/*
 * Order 0 from /proc/vmstat: 2000 pages counted, 10 order-1 allocations
 * (20 pages) and 3 failed order-0 ones traced: 1980 successful order-0
 * allocations, in a column of their own with the note, in every output.
 */
static void test_outputs_say_where_order0_came_from(void **state)
{
	struct fixture *f = *state;
	struct live_totals cur = {};
	struct live_text metrics = {};
	struct snapshot w;

	snapshot_init(&w);
	w.ts_ns = T0 + 1000000000ULL;
	w.flags = SNAP_ORDER0_FROM_VMSTAT;
	w.pgalloc_pages = 2000;
	w.page_allocs[fs_page_alloc_index(0, 0, 3)] = 3;
	w.counters[FS_CTR_PAGE_FAIL + 0] = 3;
	w.page_allocs[fs_page_alloc_index(1, 1, 3)] = 10;
	model_set_snapshot(&f->model, &w);
	model_finish(&f->model);

	assert_int_equal(format_to_text(f, formatter_find("text")), 0);
	assert_non_null(strstr(f->text, "(order 0 from /proc/vmstat pgalloc)"));
	assert_non_null(strstr(f->text, "* " MODEL_ORDER0_NOTE));
	/* order 0: 3 failures in a migratetype column, 1980 in vmstat*, 1983 in all. */
	assert_non_null(strstr(f->text, "    0            3            0         1980         1983"));
	free(f->text);
	assert_int_equal(format_to_text(f, formatter_find("json")), 0);
	assert_non_null(strstr(f->text, "\"order0_source\": \"vmstat\""));
	assert_non_null(strstr(f->text, "\"order0_from_vmstat\": {\n      \"count\": 1980,\n      \"pgalloc_pages\": 2000,"));
	free(f->text);
	assert_int_equal(format_to_text(f, formatter_find("html")), 0);
	assert_non_null(strstr(f->text, MODEL_ORDER0_NOTE));
	assert_non_null(strstr(f->text, "\"vmstat*\"]"));

	live_totals_take(&cur, &f->model, NULL);
	assert_true(cur.order0_from_vmstat);
	assert_int_equal(cur.order0_vmstat, 1980);
	metrics_render(&f->report, &cur, false, &metrics);
	assert_non_null(strstr(metrics.buf,
			       "fragscope_page_allocations_total{order=\"0\",migratetype=\"vmstat_pgalloc\"} 1980\n"));
	live_text_free(&metrics);
	snapshot_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_folded_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_full_drops_shown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outputs_say_where_order0_came_from, setup, teardown),
		cmocka_unit_test_setup_teardown(test_folded_raw_addrs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_perf_script_shape, setup, teardown),
		cmocka_unit_test_setup_teardown(test_perf_script_raw_addrs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_perf_script_follows_the_filter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_perf_script_syscall_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_format_follows_the_filter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_perf_script_refuses_a_model, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pprof_profile, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
