// SPDX-License-Identifier: GPL-2.0
/*
 * The HTML report on hand-built models: names are escaped wherever they
 * land, narrow frames merge into [small], deep stacks keep their innermost
 * frames, and 50,000 distinct stacks make a page of bounded size, quickly.
 * With FRAGSCOPE_HTML_LARGE=FILE the large page is also written to FILE, for
 * tests/integration/test_html.sh to time in a browser.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "format/format.h"
#include "kernel/kernel_info.h"
#include "kernel/ksyms.h"
#include "model/model.h"

#define T0 1000000000ULL
#define POOL 2000         /* made-up kernel functions for the large input */
#define LARGE_STACKS 50000
#define LARGE_DEPTH 16
#define LARGE_MAX_BYTES (4 << 20)

enum { A_ALLOC = 0x1000, A_EVIL = 0x2000, A_SYSCALL = 0x3000, A_DEEP = 0x10000, A_POOL = 0x100000 };

struct fixture {
	struct kernel_info kinfo;
	struct ksyms *ksyms;
	struct model model;
	char *html;
	size_t len;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char name[32];

	snprintf(f->kinfo.release, sizeof(f->kinfo.release), "6.18-test");
	f->kinfo.page_size = 4096;
	f->kinfo.migratetypes.n = 3;
	strcpy(f->kinfo.migratetypes.name[0], "Unmovable");
	strcpy(f->kinfo.migratetypes.name[1], "Movable");
	strcpy(f->kinfo.migratetypes.name[2], "Reclaimable");
	f->ksyms = ksyms_new();
	ksyms_add(f->ksyms, A_ALLOC, "__alloc_frozen_pages_noprof", NULL);
	ksyms_add(f->ksyms, A_EVIL, "evil</script><img src=x onerror=alert(1)>", NULL);
	ksyms_add(f->ksyms, A_SYSCALL, "do_syscall_64", NULL);
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "deep_%d", i);
		ksyms_add(f->ksyms, A_DEEP + i * 0x100, name, NULL);
	}
	for (int i = 0; i < POOL; i++) {
		snprintf(name, sizeof(name), "func_%d", i);
		ksyms_add(f->ksyms, A_POOL + i * 0x100, name, NULL);
	}
	ksyms_add(f->ksyms, A_POOL + POOL * 0x100, NULL, NULL);
	ksyms_sort(f->ksyms);
	model_init(&f->model, &f->kinfo, f->ksyms, NULL, T0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	free(f->html);
	model_free(&f->model);
	ksyms_free(f->ksyms);
	free(f);
	return 0;
}

static void page_fail(struct fixture *f, const char *comm, const uint64_t *frames, uint32_t nr)
{
	struct fs_event e;

	memset(&e, 0, sizeof(e));
	e.hdr.type = FS_EV_PAGE_FAIL;
	e.hdr.pid = e.hdr.tid = 7;
	e.hdr.ts_ns = T0 + 1000;
	snprintf(e.hdr.comm, sizeof(e.hdr.comm), "%s", comm);
	e.hdr.nr_frames = nr;
	memcpy(e.frames, frames, nr * sizeof(*frames));
	e.page.order = 3;
	assert_int_equal(model_add_event(&f->model, &e), 0);
}

/* The page of the fixture's model, NUL-terminated in f->html. */
static void render(struct fixture *f)
{
	struct report r = { .model = &f->model, .kinfo = &f->kinfo, .ksyms = f->ksyms, .opts = { .top = 10 } };
	FILE *out = open_memstream(&f->html, &f->len);

	assert_non_null(out);
	model_finish(&f->model);
	assert_int_equal(format_html.write(&r, out), 0);
	assert_int_equal(fclose(out), 0);
}

static size_t count(const char *s, const char *what)
{
	size_t n = 0;

	for (const char *p = strstr(s, what); p; p = strstr(p + 1, what))
		n++;
	return n;
}

/* The JSON document of the page. */
static const char *data_of(const struct fixture *f)
{
	const char *p = strstr(f->html, "<script type=\"application/json\" id=\"fs-data\">");

	assert_non_null(p);
	return p;
}

static void test_names_are_escaped(void **state)
{
	struct fixture *f = *state;
	const uint64_t frames[] = { A_ALLOC + 4, A_EVIL + 8, A_SYSCALL + 1 };

	page_fail(f, "<i>&\"'x", frames, 3);
	render(f);
	assert_int_equal(count(f->html, "<script"), 2);
	assert_int_equal(count(f->html, "</script>"), 2);
	assert_null(strstr(f->html, "<img"));
	assert_null(strstr(f->html, "<i>"));
	assert_non_null(strstr(f->html, "&lt;i&gt;&amp;&quot;&#39;x [7]"));
	assert_non_null(strstr(f->html, "evil&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;+0x8"));
	assert_non_null(strstr(data_of(f), "\"evil\\u003c/script>\\u003cimg src=x onerror=alert(1)>\""));
}

/* What the kernel maps and the model's tables could not keep is on the page, not silent. */
static void test_dropped_counts_shown(void **state)
{
	struct fixture *f = *state;

	f->model.window.counters[FS_CTR_MAP_FULL + FS_MAP_PROC] = 11;
	f->model.window.counters[FS_CTR_MAP_FULL + FS_MAP_OPEN_REQUESTS] = 7;
	f->model.window.counters[FS_CTR_STACK_COLLISION] = 3;
	f->model.window.counters[FS_CTR_STACK_ERROR] = 4;
	f->model.stacks.not_kept = 5;
	f->model.failures_not_grouped = 6;
	render(f);
	assert_non_null(strstr(f->html, "<td>dropped, map full: proc / callsite / extfrag / stacks / open requests</td>"
					"<td>11 / 0 / 0 / 0 / 7</td>"));
	assert_non_null(strstr(f->html, "<td>stacks not taken: collision / other</td><td>3 / 4</td>"));
	assert_non_null(strstr(f->html, "empty-stack group</td><td>5 / 6</td>"));
}

static void test_narrow_frames_merge_into_small(void **state)
{
	struct fixture *f = *state;
	const uint64_t wide[] = { A_ALLOC, A_DEEP, A_SYSCALL };
	uint64_t narrow[] = { A_ALLOC, 0, A_SYSCALL };

	for (int i = 0; i < 3000; i++)
		page_fail(f, "wide", wide, 3);
	for (int i = 0; i < POOL; i++) {
		narrow[1] = A_POOL + i * 0x100;
		page_fail(f, "narrow", narrow, 3);
	}
	render(f);
	/* Each func_N is 1 of 5000 failures, under 0.1%: one [small] beside deep_0. */
	assert_null(strstr(data_of(f), "func_"));
	assert_non_null(strstr(data_of(f), "\"deep_0\""));
	assert_non_null(strstr(data_of(f), "\"[small]\""));
	/* The root "all" (name 0) holds 5000, then "page" (name 1) beneath it. */
	assert_non_null(strstr(data_of(f), "\"nodes\":[0,5000,0,1,5000,1,"));
}

static void test_deep_stacks_keep_innermost_frames(void **state)
{
	struct fixture *f = *state;
	uint64_t frames[100];

	for (int i = 0; i < 100; i++)
		frames[i] = A_DEEP + i * 0x100; /* deep_0 innermost */
	page_fail(f, "deep", frames, 100);
	render(f);
	assert_non_null(strstr(data_of(f), "\"[outer frames]\""));
	assert_non_null(strstr(data_of(f), "\"deep_0\""));
	assert_non_null(strstr(data_of(f), "\"deep_46\""));
	assert_null(strstr(data_of(f), "\"deep_47\""));
	assert_null(strstr(data_of(f), "\"deep_99\""));
}

/*
 * The pool function that the caller at pool index parent calls: one of
 * three, the first most often, so stacks share prefixes as real ones do.
 */
static uint32_t callee(uint32_t parent, uint64_t *seed)
{
	uint32_t r;

	*seed = *seed * 6364136223846793005ULL + 1442695040888963407ULL;
	r = (*seed >> 33) % 10;
	return (parent * 3 + 1 + (r < 6 ? 0 : r < 9 ? 1 : 2)) % POOL;
}

static void test_large_input(void **state)
{
	struct fixture *f = *state;
	const char *path = getenv("FRAGSCOPE_HTML_LARGE");
	uint64_t frames[LARGE_DEPTH], seed = 1;
	struct snapshot s;
	uint32_t fn;
	struct timespec t0, t1;
	double secs;

	for (int i = 0; i < LARGE_STACKS; i++) {
		/* A walk down the call tree from the syscall... */
		frames[LARGE_DEPTH - 1] = A_SYSCALL;
		fn = 0;
		for (int d = LARGE_DEPTH - 2; d > 2; d--) {
			fn = callee(fn, &seed);
			frames[d] = A_POOL + fn * 0x100;
		}
		/* ...ending in two frames that number the stack: every stack distinct. */
		frames[2] = A_POOL + (i / POOL) * 0x100;
		frames[1] = A_POOL + (i % POOL) * 0x100;
		frames[0] = A_ALLOC;
		page_fail(f, "large", frames, LARGE_DEPTH);
	}
	assert_int_equal(f->model.nr_groups, LARGE_STACKS);
	snapshot_init(&s);
	s.ts_ns = T0 + 2000000000ULL;
	for (int o = 0; o < 11; o++)
		s.page_allocs[fs_page_alloc_index(o, o % 3, 0)] = 1000000 >> o;
	assert_int_equal(model_set_snapshot(&f->model, &s), 0);
	snapshot_free(&s);

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	render(f);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
	secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	print_message("%d distinct stacks: %zu bytes of HTML in %.3f s of CPU\n", LARGE_STACKS, f->len, secs);
	assert_true(f->len < LARGE_MAX_BYTES);
	assert_true(secs < 10);
	assert_non_null(strstr(data_of(f), "\"[small]\""));
	if (path) {
		FILE *out = fopen(path, "w");

		assert_non_null(out);
		assert_int_equal(fwrite(f->html, 1, f->len, out), f->len);
		assert_int_equal(fclose(out), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_names_are_escaped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dropped_counts_shown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_narrow_frames_merge_into_small, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deep_stacks_keep_innermost_frames, setup, teardown),
		cmocka_unit_test_setup_teardown(test_large_input, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
