// SPDX-License-Identifier: GPL-2.0
/*
 * Order 0 from /proc/vmstat (--order0 vmstat): the pgalloc sum of a vmstat
 * file, the derivation of the successful order-0 allocations from it, the
 * model's window of it, and format 5 snapshots (no such fields; format 6's
 * round trip: test_model.c).  What the outputs say of it: test_formats.c.
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

#include "kernel/kernel_info.h"
#include "kernel/ksyms.h"
#include "model/model.h"
#include "record/snapshot_codec.h"
#include "state/state.h"

#define T0 1000000000ULL

static void add_vmstat(struct state_vmstat *vm, const char *name, uint64_t value)
{
	snprintf(vm->entries[vm->count].name, sizeof(vm->entries[0].name), "%s", name);
	vm->entries[vm->count++].value = value;
}

/* Every zone's pgalloc_<zone>, and nothing that only starts like one. */
static void test_vmstat_pgalloc_sums_zones(void **state)
{
	struct state_vmstat *vm = calloc(1, sizeof(*vm));
	uint64_t pages = 99;

	(void)state;
	add_vmstat(vm, "nr_free_pages", 5);
	assert_false(state_vmstat_pgalloc(vm, &pages));
	assert_int_equal(pages, 0);
	add_vmstat(vm, "pgalloc_dma", 1);
	add_vmstat(vm, "pgalloc_dma32", 10);
	add_vmstat(vm, "pgalloc_normal", 100);
	add_vmstat(vm, "pgalloc_movable", 1000);
	add_vmstat(vm, "pgalloc_device", 10000);
	add_vmstat(vm, "pgalloc_high", 100000);
	add_vmstat(vm, "pgalloc_normalx", 7);
	add_vmstat(vm, "pgallocstall", 7);
	add_vmstat(vm, "pgfree", 7);
	assert_true(state_vmstat_pgalloc(vm, &pages));
	assert_int_equal(pages, 111111);
	free(vm);
}

static void add_allocs(struct snapshot *s, unsigned int order, unsigned int mt, unsigned int gfp_class, uint64_t n)
{
	s->page_allocs[fs_page_alloc_index(order, mt, gfp_class)] += n;
}

/*
 * 2000 pages counted: 10 order-1 allocations of which 2 failed (16 pages),
 * 5 of order 3 in two cells (40), 1 of order 9 (512), and 3 failed order-0
 * ones that are no pages: 2000 - 568 = 1432 order-0 allocations.
 */
static void fill_window(struct snapshot *w, uint64_t pgalloc)
{
	snapshot_init(w);
	w->flags = SNAP_ORDER0_FROM_VMSTAT;
	w->pgalloc_pages = pgalloc;
	add_allocs(w, 0, 0, 3, 3);
	w->counters[FS_CTR_PAGE_FAIL + 0] = 3;
	add_allocs(w, 1, 1, 3, 10);
	w->counters[FS_CTR_PAGE_FAIL + 1] = 2;
	add_allocs(w, 3, 0, 1, 2);
	add_allocs(w, 3, 1, 2, 3);
	add_allocs(w, 9, 1, 2, 1);
}

static void test_order0_derivation(void **state)
{
	struct snapshot w;

	(void)state;
	fill_window(&w, 2000);
	assert_int_equal(snapshot_order_traced(&w, 3), 5);
	assert_int_equal(snapshot_order0_from_vmstat(&w), 1432);
	/* Fewer pages counted than traced (a page captured by compaction): 0, not a wrap. */
	w.pgalloc_pages = 500;
	assert_int_equal(snapshot_order0_from_vmstat(&w), 0);
	/* More failures counted than traced events (never, but no wrap either). */
	w.pgalloc_pages = 2000;
	w.counters[FS_CTR_PAGE_FAIL + 1] = 50;
	assert_int_equal(snapshot_order0_from_vmstat(&w), 2000 - 40 - 512);
	/* Order 0 traced: nothing derived. */
	w.flags = 0;
	assert_int_equal(snapshot_order0_from_vmstat(&w), 0);
}

/* Snapshots carry the kernel's pages since the attach; the window holds those since the attach or --since. */
static void test_window_pages_since_attach_and_since(void **state)
{
	struct kernel_info kinfo = { .page_size = 4096 };
	struct ksyms *ksyms = ksyms_new();
	struct model_filter filter = { .min_order = -1, .since_ns = 1500000000ULL };
	struct model m;
	struct snapshot a, b;
	uint64_t n;

	(void)state;
	fill_window(&a, 0);
	fill_window(&b, 0);
	a.ts_ns = T0 + 1000000000ULL;
	b.ts_ns = T0 + 2000000000ULL;
	a.pgalloc_pages = 2000;
	b.pgalloc_pages = 2000 + 2000;
	add_allocs(&b, 1, 1, 3, 10);
	add_allocs(&b, 3, 0, 1, 2);
	add_allocs(&b, 3, 1, 2, 3);
	add_allocs(&b, 9, 1, 2, 1);
	add_allocs(&b, 0, 0, 3, 3);
	b.counters[FS_CTR_PAGE_FAIL + 0] = 6;
	b.counters[FS_CTR_PAGE_FAIL + 1] = 4;

	/* No --since: the latest snapshot since the attach, 4000 pages. */
	model_init(&m, &kinfo, ksyms, NULL, T0);
	model_set_snapshot(&m, &b);
	assert_true(model_order0_from_vmstat(&m, &n));
	assert_int_equal(n, 4000 - 2 * 568);
	/* Traced: 6 + 20 + 10 + 2 events; order 0 adds its 2864 derived. */
	assert_int_equal(model_page_allocs_total(&m), 2864 + 38);
	model_free(&m);

	/* --since between a and b: b - a, the same as one window of fill_window(2000). */
	model_init(&m, &kinfo, ksyms, &filter, T0);
	model_set_snapshot(&m, &a);
	model_set_snapshot(&m, &b);
	assert_int_equal(m.window.pgalloc_pages, 2000);
	assert_true(model_order0_from_vmstat(&m, &n));
	assert_int_equal(n, 1432);
	model_free(&m);
	ksyms_free(ksyms);
	snapshot_free(&a);
	snapshot_free(&b);
}

/* A snapshot as formats 3-5 wrote it: counters up to FS_CTR_PAGE_FAIL, then the tables, no order-0 block. */
static void test_codec_reads_format_5(void **state)
{
	size_t counts = sizeof(uint64_t) + 4 * sizeof(uint32_t), allocs = sizeof(((struct snapshot *)0)->page_allocs);
	size_t old_counters = FS_CTR_PAGE_FAIL * sizeof(uint64_t), len, old_len;
	size_t cut_at = counts + allocs + old_counters, cut = (FS_COUNTERS - FS_CTR_PAGE_FAIL) * sizeof(uint64_t) + 16;
	struct snapshot s, back;
	char *buf, *old;

	(void)state;
	fill_window(&s, 2000);
	s.counters[FS_CTR_LOST + FS_EV_PAGE_FAIL] = 5;
	buf = snapshot_encode(&s, &len);
	assert_non_null(buf);
	old_len = len - cut;
	old = malloc(old_len);
	memcpy(old, buf, cut_at);
	memcpy(old + cut_at, buf + cut_at + cut, len - cut_at - cut);
	snapshot_init(&back);
	assert_int_equal(snapshot_decode(old, old_len, 5, &back), 0);
	assert_int_equal(back.flags, 0);
	assert_int_equal(back.pgalloc_pages, 0);
	assert_int_equal(back.counters[FS_CTR_LOST + FS_EV_PAGE_FAIL], 5);
	for (int o = 0; o < FS_ORDERS; o++)
		assert_int_equal(back.counters[FS_CTR_PAGE_FAIL + o], 0);
	assert_memory_equal(back.page_allocs, s.page_allocs, sizeof(s.page_allocs));
	/* The current layout is not format 5's. */
	assert_int_equal(snapshot_decode(buf, len, 5, &back), -EINVAL);
	snapshot_free(&back);
	snapshot_free(&s);
	free(old);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vmstat_pgalloc_sums_zones),
		cmocka_unit_test(test_order0_derivation),
		cmocka_unit_test(test_window_pages_since_attach_and_since),
		cmocka_unit_test(test_codec_reads_format_5),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
