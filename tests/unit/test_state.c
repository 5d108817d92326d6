// SPDX-License-Identifier: GPL-2.0
/*
 * The state parsers on the fixture trees of tests/fixtures/proc, and the
 * fragmentation indices against values worked out by hand from the
 * kernel's formulas (mm/vmstat.c).  Run from the repository top.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "state/state.h"

#define FIXTURES "tests/fixtures/proc/"

static struct state *st;

static int setup(void **unused)
{
	(void)unused;
	st = malloc(sizeof(*st));
	return st ? 0 : -1;
}

static int teardown(void **unused)
{
	(void)unused;
	free(st);
	return 0;
}

static void read_ok(const char *fixture, unsigned int flags)
{
	struct state_error err;
	int ret = state_read(fixture, flags, st, &err);

	if (ret)
		state_error_print(&err, stderr);
	assert_int_equal(ret, STATE_OK);
}

static const struct state_zone *zone(int node, const char *name)
{
	const struct state_zone *z = state_find_zone(st, node, name);

	assert_non_null(z);
	return z;
}

static void assert_blocks(const uint64_t *got, const uint64_t *want, unsigned int n)
{
	for (unsigned int o = 0; o < n; o++)
		assert_int_equal(got[o], want[o]);
}

static void test_linux_618(void **unused)
{
	static const uint64_t normal[] = { 26900, 1440, 529, 175, 487, 243, 153, 123, 69, 33, 230 };
	static const uint64_t normal_unmovable[] = { 193, 26, 13, 94, 72, 19, 4, 4, 1, 1, 0 };
	const struct state_zone *z;

	(void)unused;
	read_ok(FIXTURES "linux-6.18", STATE_WITH_SYSCTLS | STATE_WITH_PAGETYPEINFO);
	assert_int_equal(st->nr_orders, 11);
	assert_int_equal(st->nr_zones, 5);

	z = zone(0, "Normal");
	assert_true(z->populated);
	assert_blocks(z->core.free_blocks, normal, 11);
	z = zone(0, "DMA32");
	assert_int_equal(z->core.pages_free, 772808);
	assert_int_equal(z->core.wmark_min, 9331);
	assert_int_equal(z->core.wmark_low, 11663);
	assert_int_equal(z->core.wmark_high, 13995);
	assert_int_equal(z->core.managed, 772808);
	assert_int_equal(z->spanned, 1044480);
	assert_int_equal(z->present, 782336);
	assert_int_equal(z->start_pfn, 4096);
	assert_int_equal(z->nr_free_pages, 772808);
	assert_int_equal(z->nr_protection, 5);
	assert_int_equal(z->protection[2], 2432);
	assert_int_equal(z->core.lowmem_reserve, 2432);
	z = zone(0, "Movable");
	assert_false(z->populated);
	assert_true(z->core.has_zoneinfo);
	assert_int_equal(z->present, 0);

	assert_true(st->has_pagetypeinfo);
	assert_false(st->pagetypeinfo_capped);
	assert_int_equal(st->pageblock_order, 9);
	assert_int_equal(st->pages_per_block, 512);
	assert_int_equal(st->nr_migratetypes, 5);
	assert_string_equal(st->migratetype_names[4], "Isolate");
	assert_int_equal(state_migratetype_index(st, "CMA"), -1);
	z = zone(0, "Normal");
	assert_blocks(z->free_by_type[state_migratetype_index(st, "Unmovable")], normal_unmovable, 11);
	assert_int_equal(z->pageblocks[state_migratetype_index(st, "Movable")], 1050);
	assert_int_equal(z->pageblocks[state_migratetype_index(st, "Reclaimable")], 77);
	assert_true(z->core.has_types);
	/* 24750 Movable + 193 Unmovable + 1957 Reclaimable at order 0 */
	assert_int_equal(z->core.free_blocks_pcptypes[0], 26900);

	assert_int_equal(st->vmstat.count, 192);
	assert_true(state_counter_present(&st->counters, STATE_CNT_COMPACT_STALL));
	assert_int_equal(st->counters.value[STATE_CNT_THP_FAULT_ALLOC], 453);
	assert_int_equal(st->counters.value[STATE_CNT_NR_FREE_PAGES], 1121122);
	assert_int_equal(st->meminfo.value[STATE_MEM_TOTAL], 24683620);
	assert_int_equal(st->meminfo.value[STATE_MEM_SLAB], 135408);
	assert_int_equal(st->meminfo.value[STATE_MEM_HUGEPAGESIZE], 2048);
	assert_true(st->has_sysctls);
	assert_int_equal(st->sysctls.value[STATE_SYSCTL_MIN_FREE_KBYTES], 67584);
	assert_int_equal(st->sysctls.value[STATE_SYSCTL_EXTFRAG_THRESHOLD], 500);
	assert_true(state_sysctl_present(&st->sysctls, STATE_SYSCTL_ZONE_RECLAIM_MODE));
	assert_string_equal(st->sysctls.thp_enabled, "madvise");
	assert_string_equal(st->sysctls.thp_defrag, "madvise");
	assert_true(st->uptime_seconds > 3485.2 && st->uptime_seconds < 3485.3);
}

static void test_linux_618_indices(void **unused)
{
	struct state_zone_indices ix;

	(void)unused;
	read_ok(FIXTURES "linux-6.18", 0);
	state_zone_indices(&zone(0, "Normal")->core, &ix);
	/* 26900 + 1440*2 + 529*4 + ... + 230*1024 */
	assert_int_equal(ix.free_pages, 344480);
	assert_int_equal(ix.largest_order, 10);
	/* order 1: the 26900 single pages are unusable: 26900000 / 344480 */
	assert_int_equal(ix.usable_pages[1], 344480 - 26900);
	assert_int_equal(ix.unusable[1], 78);
	/* order 10: only the 230 blocks of 1024 pages serve: 108960000 / 344480 */
	assert_int_equal(ix.usable_pages[10], 235520);
	assert_int_equal(ix.unusable[10], 316);
	for (int o = 0; o < 11; o++)
		assert_int_equal(ix.extfrag[o], STATE_EXTFRAG_NOT_MEANINGFUL);
	assert_true(ix.watermark_ok[10]);

	/* DMA: 3840 free pages are under its 5450-page lowmem reserve */
	state_zone_indices(&zone(0, "DMA")->core, &ix);
	assert_int_equal(ix.unusable[9], 66);  /* 256000 / 3840 */
	assert_int_equal(ix.unusable[10], 200); /* 768000 / 3840 */
	assert_false(ix.watermark_ok[0]);
}

/* 6.1's layout: other pageset lines ("high:  200" is not the watermark), a CMA type. */
static void test_linux_61(void **unused)
{
	const struct state_zone *z;

	(void)unused;
	read_ok(FIXTURES "linux-6.1", STATE_WITH_SYSCTLS | STATE_WITH_PAGETYPEINFO);
	assert_int_equal(st->nr_orders, 11);
	z = zone(0, "Normal");
	assert_int_equal(z->core.wmark_min, 11000);
	assert_int_equal(z->core.wmark_low, 13700);
	assert_int_equal(z->core.wmark_high, 16500);
	assert_int_equal(z->core.managed, 3300000);
	assert_int_equal(z->start_pfn, 1048576);
	assert_int_equal(st->nr_migratetypes, 6);
	assert_int_equal(state_migratetype_index(st, "CMA"), 4);
	assert_int_equal(z->pageblocks[state_migratetype_index(st, "Movable")], 6200);
	/* allocstall_dma32 2 + allocstall_normal 40 + allocstall_movable 3 */
	assert_int_equal(st->counters.value[STATE_CNT_ALLOCSTALL], 45);
	assert_int_equal(st->counters.value[STATE_CNT_PGSTEAL_KSWAPD], 500000);
	assert_true(state_counter_present(&st->counters, STATE_CNT_PGMIGRATE_SUCCESS));
	assert_string_equal(st->sysctls.thp_enabled, "always");
}

static void test_linux_61_indices(void **unused)
{
	struct state_zone_indices ix;

	(void)unused;
	read_ok(FIXTURES "linux-6.1", 0);
	/* Normal: 4000 2000 1000 500 100 20 4 0 0 0 0 */
	state_zone_indices(&zone(0, "Normal")->core, &ix);
	assert_int_equal(ix.free_pages, 18496);
	assert_int_equal(ix.largest_order, 6);
	assert_int_equal(ix.unusable[0], 0);
	assert_int_equal(ix.extfrag[0], STATE_EXTFRAG_NOT_MEANINGFUL);
	/* order 3: 500 + 100*2 + 20*4 + 4*8 = 812 blocks of 8 pages */
	assert_int_equal(ix.usable_pages[3], 6496);
	assert_int_equal(ix.unusable[3], 648); /* 12000000 / 18496 */
	/* order 6: 4 blocks of 64 pages: 18240000 / 18496 */
	assert_int_equal(ix.unusable[6], 986);
	assert_int_equal(ix.extfrag[6], STATE_EXTFRAG_NOT_MEANINGFUL);
	/* order 7: 1000 - (1000 + 18496000/128) / 7624 = 1000 - 145500/7624 */
	assert_int_equal(ix.unusable[7], 1000);
	assert_int_equal(ix.extfrag[7], 981);
	/* order 10: 1000 - (1000 + 18496000/1024) / 7624 = 1000 - 19062/7624 */
	assert_int_equal(ix.extfrag[10], 998);
	assert_true(ix.watermark_ok[6]);
	assert_false(ix.watermark_ok[7]);
}

/* Two nodes; node 1's Normal zone has no free block at all. */
static void test_numa2(void **unused)
{
	struct state_zone_indices ix;
	const struct state_zone *z;

	(void)unused;
	read_ok(FIXTURES "numa2", STATE_WITH_PAGETYPEINFO);
	assert_int_equal(st->nr_zones, 10);
	assert_false(zone(1, "DMA")->populated);
	assert_true(zone(1, "DMA")->core.has_zoneinfo);
	z = zone(1, "Normal");
	assert_true(z->populated);
	assert_int_equal(z->start_pfn, 3145728);
	assert_int_equal(z->pageblocks[state_migratetype_index(st, "Unmovable")], 150);
	assert_int_equal(zone(0, "Normal")->pageblocks[state_migratetype_index(st, "Unmovable")], 100);

	state_zone_indices(&z->core, &ix);
	assert_int_equal(ix.free_pages, 0);
	assert_int_equal(ix.largest_order, -1);
	for (int o = 0; o < 11; o++) {
		assert_int_equal(ix.unusable[o], 1000); /* nothing free: all "unusable" */
		assert_int_equal(ix.extfrag[o], 0);     /* no free block at all */
		assert_false(ix.watermark_ok[o]);
	}

	/* node 0 Normal: 512 256 ... 2 1 0, i.e. 512 pages at each order 0-9 */
	state_zone_indices(&zone(0, "Normal")->core, &ix);
	assert_int_equal(ix.free_pages, 5120);
	assert_int_equal(ix.unusable[5], 500);
	assert_int_equal(ix.unusable[9], 900);
	assert_int_equal(ix.extfrag[9], STATE_EXTFRAG_NOT_MEANINGFUL);
	/* 1000 - (1000 + 5120000/1024) / 1023 */
	assert_int_equal(ix.extfrag[10], 995);
}

/* ">100000": the kernel stopped counting; the count is a lower bound. */
static void test_capped(void **unused)
{
	const struct state_zone *z;
	int movable;

	(void)unused;
	read_ok(FIXTURES "capped", STATE_WITH_PAGETYPEINFO);
	movable = state_migratetype_index(st, "Movable");
	z = zone(0, "Normal");
	assert_true(st->pagetypeinfo_capped);
	assert_int_equal(z->free_by_type[movable][0], STATE_PAGETYPEINFO_CAP);
	assert_int_equal(z->capped_by_type[movable], 1u << 0);
	assert_int_equal(z->capped_by_type[state_migratetype_index(st, "Unmovable")], 0);
	assert_int_equal(z->core.free_blocks[0], 150000);
}

static void test_minimal(void **unused)
{
	struct state_error err;

	(void)unused;
	read_ok(FIXTURES "minimal", STATE_WITH_SYSCTLS | STATE_TRY_PAGETYPEINFO);
	assert_false(st->has_pagetypeinfo);
	assert_int_equal(st->pagetypeinfo_errno, ENOENT);
	assert_int_equal(st->sysctls.present, 0);
	assert_false(st->sysctls.has_thp);
	assert_true(st->uptime_seconds == 0);
	assert_int_equal(st->nr_orders, 11);

	assert_int_equal(state_read(FIXTURES "minimal", STATE_WITH_PAGETYPEINFO, st, &err),
			 STATE_ERR_IO);
	assert_int_equal(err.sys_errno, ENOENT);
	assert_non_null(strstr(err.path, "minimal/proc/pagetypeinfo"));
	assert_int_equal(state_read(FIXTURES "no-such-tree", 0, st, &err), STATE_ERR_IO);
	assert_non_null(strstr(err.path, "no-such-tree/proc/zoneinfo"));
}

static const struct bad_case {
	const char *fixture;
	const char *file;
	unsigned int line;
	const char *message;
} bad_cases[] = {
	{ "bad-buddyinfo-count", "proc/buddyinfo", 2, "'12x' is not a count" },
	{ "bad-buddyinfo-truncated", "proc/buddyinfo", 3, "truncated" },
	{ "bad-zoneinfo-truncated", "proc/zoneinfo", 0, "zone Normal (line 145) has no 'low' line" },
	{ "bad-zoneinfo-number", "proc/zoneinfo", 102, "'9k' of 'min' is not a number" },
	{ "bad-pagetypeinfo-blocks", "proc/pagetypeinfo", 23, "4 pageblock counts for 5 migratetypes" },
	{ "bad-meminfo", "proc/meminfo", 2, "MemFree" },
	{ "bad-sysctl", "proc/sys/vm/min_free_kbytes", 1, "'sixty-four' is not a number" },
	{ "bad-sysctl-two-lines", "proc/sys/vm/min_free_kbytes", 2, "more than one line" },
	{ "bad-thp", "sys/kernel/mm/transparent_hugepage/enabled", 1, "no [selected] value" },
	{ "bad-vmstat-binary", "proc/vmstat", 139, "NUL byte" },
	{ "bad-mismatched-zones", "proc/buddyinfo", 0, "node 1 zone Normal is not in zoneinfo" },
};

/* A broken file is a format error naming the file, the line and the problem. */
static void test_bad_files(void **unused)
{
	char root[256];

	(void)unused;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct state_error err;
		char want_path[512];

		snprintf(root, sizeof(root), FIXTURES "%s", c->fixture);
		snprintf(want_path, sizeof(want_path), "%s/%s", root, c->file);
		assert_int_equal(state_read(root, STATE_WITH_SYSCTLS | STATE_WITH_PAGETYPEINFO, st,
					    &err), STATE_ERR_FORMAT);
		assert_string_equal(err.path, want_path);
		assert_int_equal(err.line, c->line);
		if (!strstr(err.message, c->message))
			fail_msg("%s: '%s' does not say '%s'", c->fixture, err.message, c->message);
	}
}

static void copy_file(const char *from, const char *to, size_t len)
{
	char buf[8192];
	FILE *in = fopen(from, "r"), *out = fopen(to, "w");
	size_t n;

	assert_non_null(in);
	assert_non_null(out);
	while (len && (n = fread(buf, 1, len < sizeof(buf) ? len : sizeof(buf), in)) > 0) {
		assert_int_equal(fwrite(buf, 1, n, out), n);
		len -= n;
	}
	fclose(in);
	assert_int_equal(fclose(out), 0);
}

/*
 * Every file cut at every few bytes: the result is either a valid prefix
 * (cut at a line end) or a format error, never a crash or an I/O error.
 */
static void test_truncated_everywhere(void **unused)
{
	static const char *const files[] = { "buddyinfo", "zoneinfo", "pagetypeinfo", "vmstat",
					     "meminfo" };
	char tmpl[] = "/tmp/fragscope-test-state.XXXXXX";
	char *root = mkdtemp(tmpl), dir[128], from[256], to[256];

	(void)unused;
	assert_non_null(root);
	snprintf(dir, sizeof(dir), "%s/proc", root);
	assert_int_equal(mkdir(dir, 0755), 0);
	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		snprintf(from, sizeof(from), FIXTURES "linux-6.18/proc/%s", files[f]);
		snprintf(to, sizeof(to), "%s/%s", dir, files[f]);
		copy_file(from, to, SIZE_MAX);
	}
	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		struct stat sb;
		char last;

		snprintf(from, sizeof(from), FIXTURES "linux-6.18/proc/%s", files[f]);
		snprintf(to, sizeof(to), "%s/%s", dir, files[f]);
		assert_int_equal(stat(from, &sb), 0);
		for (off_t cut = 0; cut < sb.st_size; cut += 5) {
			struct state_error err;
			int ret, fd;

			copy_file(from, to, cut);
			fd = open(from, O_RDONLY);
			assert_int_equal(pread(fd, &last, 1, cut - 1 < 0 ? 0 : cut - 1), 1);
			close(fd);
			ret = state_read(root, STATE_WITH_PAGETYPEINFO, st, &err);
			if (cut == 0 || last != '\n')
				assert_int_equal(ret, STATE_ERR_FORMAT);
			else if (ret != STATE_OK)
				assert_int_equal(ret, STATE_ERR_FORMAT);
		}
		copy_file(from, to, SIZE_MAX);
	}
	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		snprintf(to, sizeof(to), "%s/%s", dir, files[f]);
		unlink(to);
	}
	rmdir(dir);
	rmdir(root);
}

/* The kernel's formulas at their edges. */
static void test_index_formulas(void **unused)
{
	struct state_contig_info none = { 0, 0, 0 };
	/* one free page, asked for two: the kernel's formula goes below zero */
	struct state_contig_info one_page = { .free_pages = 1, .free_blocks_total = 1 };
	/* 8 free pages in 4 order-1 blocks, asked for order 2 */
	struct state_contig_info pairs = { .free_pages = 8, .free_blocks_total = 4 };

	(void)unused;
	assert_int_equal(state_unusable_index(&none, 3), 1000);
	assert_int_equal(state_extfrag_index(&none, 3), 0);
	assert_int_equal(state_extfrag_index(&one_page, 1), -500);
	assert_int_equal(state_unusable_index(&pairs, 2), 1000);
	/* 1000 - (1000 + 8000/4) / 4 */
	assert_int_equal(state_extfrag_index(&pairs, 2), 250);
}

/* __zone_watermark_ok(), simplified: see indices.c. */
static void test_watermark_ok(void **unused)
{
	struct state_zone_free z = {
		.nr_orders = 11,
		.pages_free = 1000,
		.wmark_low = 900,
		.lowmem_reserve = 50,
	};

	(void)unused;
	z.free_blocks[3] = 125;
	assert_true(state_watermark_ok(&z, 0));   /* 1000 > 950 */
	assert_true(state_watermark_ok(&z, 3));   /* 1000 - 7 > 950, an order-3 block */
	assert_false(state_watermark_ok(&z, 4));  /* no block of order 4 or more */
	z.free_cma = 50;                          /* free CMA pages do not count */
	assert_false(state_watermark_ok(&z, 0));
	z.free_cma = 0;
	/* With pagetypeinfo: blocks only on HighAtomic lists are out of reach. */
	z.has_types = 1;
	assert_false(state_watermark_ok(&z, 3));
	z.free_blocks_pcptypes[5] = 1;
	assert_true(state_watermark_ok(&z, 3));
	z.reserved_highatomic = 512;
	assert_false(state_watermark_ok(&z, 3));
}

static void test_sample(void **unused)
{
	struct state_sample *sample = malloc(sizeof(*sample)), *copy = malloc(sizeof(*copy));
	struct state_zone_indices from_state, from_sample;
	char path[] = "/tmp/fragscope-test-sample.XXXXXX";
	int fd = mkstemp(path);

	(void)unused;
	assert_non_null(sample);
	assert_non_null(copy);
	assert_int_equal(state_sample(FIXTURES "linux-6.18", false, sample, NULL), STATE_OK);
	assert_int_equal(sample->version, STATE_SAMPLE_VERSION);
	assert_int_equal(sample->nr_zones, 3);
	assert_int_equal(sample->nr_orders, 11);
	assert_false(sample->has_pagetypeinfo);
	assert_true(sample->ts_ns > 0);
	assert_string_equal(sample->zones[2].name, "Normal");
	assert_int_equal(sample->counters.value[STATE_CNT_THP_FAULT_ALLOC], 453);
	assert_int_equal(sample->meminfo.value[STATE_MEM_TOTAL], 24683620);

	/* As bytes through a file, and the indices come out the same as from the state. */
	assert_true(fd >= 0);
	assert_int_equal(write(fd, sample, sizeof(*sample)), sizeof(*sample));
	assert_int_equal(pread(fd, copy, sizeof(*copy), 0), sizeof(*copy));
	close(fd);
	unlink(path);
	read_ok(FIXTURES "linux-6.18", 0);
	state_zone_indices(&zone(0, "Normal")->core, &from_state);
	state_zone_indices(&copy->zones[2], &from_sample);
	assert_memory_equal(&from_state, &from_sample, sizeof(from_state));

	assert_int_equal(state_sample(FIXTURES "linux-6.18", true, sample, NULL), STATE_OK);
	assert_true(sample->has_pagetypeinfo);
	assert_true(sample->zones[2].has_types);
	assert_int_equal(state_sample(FIXTURES "bad-buddyinfo-count", false, sample, NULL),
			 STATE_ERR_FORMAT);
	free(sample);
	free(copy);
}

static void test_vmstat_lookup(void **unused)
{
	uint64_t v = 0;

	(void)unused;
	read_ok(FIXTURES "linux-6.18", 0);
	assert_true(state_vmstat_get(&st->vmstat, "nr_free_pages", &v));
	assert_int_equal(v, 1121122);
	assert_false(state_vmstat_get(&st->vmstat, "no_such_counter", &v));
	assert_string_equal(state_counter_name(STATE_CNT_COMPACT_FAIL), "compact_fail");
	assert_string_equal(state_sysctl_name(STATE_SYSCTL_MIN_FREE_KBYTES), "vm.min_free_kbytes");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linux_618),
		cmocka_unit_test(test_linux_618_indices),
		cmocka_unit_test(test_linux_61),
		cmocka_unit_test(test_linux_61_indices),
		cmocka_unit_test(test_numa2),
		cmocka_unit_test(test_capped),
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_truncated_everywhere),
		cmocka_unit_test(test_index_formulas),
		cmocka_unit_test(test_watermark_ok),
		cmocka_unit_test(test_sample),
		cmocka_unit_test(test_vmstat_lookup),
	};

	if (access(FIXTURES, F_OK)) {
		fprintf(stderr, "test_state: no %s: run from the repository top\n", FIXTURES);
		return 1;
	}
	return cmocka_run_group_tests(tests, setup, teardown);
}
