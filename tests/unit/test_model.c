// SPDX-License-Identifier: GPL-2.0
/*
 * The aggregation model and the pure pieces around it, on hand-built
 * events: grouping, nesting, classification, stalls, windows, filters,
 * the snapshot codec and the event decoder.
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

#include "decode/event.h"
#include "record/record_format.h"
#include "kernel/kernel_info.h"
#include "kernel/ksyms.h"
#include "model/histogram.h"
#include "model/model.h"
#include "model/stack_table.h"
#include "model/timeline.h"
#include "record/record_format.h"
#include "record/snapshot_codec.h"
#include "util/json.h"
#include "util/u64map.h"

#define T0 1000000000ULL /* the trace start, in ns */

/* Text addresses of a made-up kernel. */
enum {
	A_ALLOC_PAGES = 0x1000, A_KMALLOC_LARGE = 0x2000, A_KMALLOC_NODE = 0x3000, A_CALLER = 0x4000,
	A_SYSCALL = 0x5000, A_VMALLOC_RANGE = 0x6000, A_BPF_AREA = 0x7000, A_END = 0x8000,
};

struct fixture {
	struct kernel_info kinfo;
	struct ksyms *ksyms;
	struct model model;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->kinfo.page_size = 4096;
	f->kinfo.pmd_order = 9;
	f->kinfo.gfp.n = 2;
	f->kinfo.gfp.flags[0] = (struct gfp_name){ 1u << 18, "__GFP_COMP" };
	f->kinfo.gfp.flags[1] = (struct gfp_name){ 1u << 10, "__GFP_DIRECT_RECLAIM" };
	f->ksyms = ksyms_new();
	ksyms_add(f->ksyms, A_ALLOC_PAGES, "__alloc_frozen_pages_noprof", NULL);
	ksyms_add(f->ksyms, A_KMALLOC_LARGE, "__kmalloc_large_node_noprof", NULL);
	ksyms_add(f->ksyms, A_KMALLOC_NODE, "__kmalloc_node_noprof", NULL);
	ksyms_add(f->ksyms, A_CALLER, "array_map_alloc", NULL);
	ksyms_add(f->ksyms, A_SYSCALL, "__sys_bpf", NULL);
	ksyms_add(f->ksyms, A_VMALLOC_RANGE, "__vmalloc_node_range_noprof", NULL);
	ksyms_add(f->ksyms, A_BPF_AREA, "__bpf_map_area_alloc", NULL);
	ksyms_add(f->ksyms, A_END, NULL, NULL);
	ksyms_sort(f->ksyms);
	model_init(&f->model, &f->kinfo, f->ksyms, NULL, T0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	model_free(&f->model);
	ksyms_free(f->ksyms);
	free(f);
	return 0;
}

static struct fs_event event(uint32_t type, uint32_t pid, uint32_t tid, uint64_t ts, const uint64_t *frames,
			     uint32_t nr)
{
	struct fs_event e;

	memset(&e, 0, sizeof(e));
	e.hdr.type = type;
	e.hdr.pid = pid;
	e.hdr.tid = tid;
	e.hdr.ts_ns = ts;
	snprintf(e.hdr.comm, sizeof(e.hdr.comm), "task%u", pid);
	e.hdr.nr_frames = nr;
	memcpy(e.frames, frames, nr * sizeof(*frames));
	return e;
}

static struct fs_event page_fail(uint32_t pid, uint64_t ts, uint32_t order, uint64_t gfp, const uint64_t *frames,
				 uint32_t nr)
{
	struct fs_event e = event(FS_EV_PAGE_FAIL, pid, pid, ts, frames, nr);

	e.page.order = order;
	e.page.gfp = gfp;
	return e;
}

static void test_groups_by_identical_stack(void **state)
{
	struct fixture *f = *state;
	const uint64_t a[] = { A_ALLOC_PAGES + 4, A_CALLER + 8, A_SYSCALL + 1 };
	const uint64_t b[] = { A_ALLOC_PAGES + 4, A_CALLER + 9, A_SYSCALL + 1 };
	struct fs_event e;

	for (int i = 0; i < 3; i++) {
		e = page_fail(10 + i, T0 + i * 1000, 2, 0, a, 3);
		assert_int_equal(model_add_event(&f->model, &e), 0);
	}
	e = page_fail(10, T0 + 5000, 2, 0, b, 3);
	assert_int_equal(model_add_event(&f->model, &e), 0);

	assert_int_equal(f->model.nr_groups, 2);
	assert_int_equal(f->model.groups[0].count, 3);
	assert_int_equal(f->model.groups[0].nr_procs, 3);
	assert_int_equal(f->model.groups[0].first_ns, T0);
	assert_int_equal(f->model.groups[0].last_ns, T0 + 2000);
	assert_int_equal(f->model.groups[0].bytes, 4096 << 2);
	assert_int_equal(f->model.groups[1].count, 1);
	assert_int_equal(f->model.failures[FAIL_PAGE], 4);
}

static void test_page_failure_beneath_kmalloc(void **state)
{
	struct fixture *f = *state;
	/* The page allocation inside kmalloc_large, then kmalloc's own trace point. */
	const uint64_t inner[] = { A_ALLOC_PAGES + 4, A_KMALLOC_LARGE + 8, A_KMALLOC_NODE + 0x40, A_CALLER + 8,
				   A_SYSCALL + 1 };
	const uint64_t outer[] = { A_KMALLOC_NODE + 0x80, A_CALLER + 8, A_SYSCALL + 1 };
	struct fs_event e = page_fail(7, T0 + 100, 2, 0, inner, 5);

	assert_int_equal(model_add_event(&f->model, &e), 0);
	e = event(FS_EV_KMALLOC_FAIL, 7, 7, T0 + 200, outer, 3);
	e.kmalloc.bytes_req = 16384;
	e.kmalloc.bytes_alloc = 16384;
	e.kmalloc.call_site = A_CALLER + 8;
	assert_int_equal(model_add_event(&f->model, &e), 0);

	assert_int_equal(f->model.nr_groups, 2);
	assert_int_equal(f->model.groups[0].kind, FAIL_PAGE);
	assert_int_equal(f->model.groups[0].beneath[FAIL_KMALLOC], 1);
	assert_int_equal(f->model.groups[1].kind, FAIL_KMALLOC);
	assert_int_equal(f->model.groups[1].above[FAIL_PAGE], 1);
	assert_int_equal(f->model.groups[1].order, 2);
}

static void test_unrelated_failures_not_nested(void **state)
{
	struct fixture *f = *state;
	const uint64_t inner[] = { A_ALLOC_PAGES + 4, A_CALLER + 8, A_SYSCALL + 1 };
	const uint64_t outer[] = { A_KMALLOC_NODE + 0x80, A_CALLER + 0x30, A_SYSCALL + 1 };
	struct fs_event e = page_fail(7, T0 + 100, 0, 0, inner, 3);

	model_add_event(&f->model, &e);
	/* Another task, and then the same task too late: neither is the page failure's caller. */
	e = event(FS_EV_KMALLOC_FAIL, 8, 8, T0 + 200, outer, 3);
	model_add_event(&f->model, &e);
	e = event(FS_EV_KMALLOC_FAIL, 7, 7, T0 + 100 + 20 * 1000 * 1000, outer, 3);
	model_add_event(&f->model, &e);
	assert_int_equal(f->model.groups[0].beneath[FAIL_KMALLOC], 0);
}

static void test_classifies_vmalloc_and_thp(void **state)
{
	struct fixture *f = *state;
	const uint64_t vmalloc_stack[] = { A_ALLOC_PAGES + 4, A_VMALLOC_RANGE + 0x5bb, A_BPF_AREA + 0x7d, A_SYSCALL };
	const uint64_t plain[] = { A_ALLOC_PAGES + 4, A_SYSCALL };
	struct fs_event e = page_fail(1, T0, 0, 0, vmalloc_stack, 4);

	assert_int_equal(model_failure_kind(&f->model, &e), FAIL_VMALLOC);
	e = page_fail(1, T0, 9, 1u << 18, plain, 2);
	assert_int_equal(model_failure_kind(&f->model, &e), FAIL_THP);
	e = page_fail(1, T0, 9, 0, plain, 2);
	assert_int_equal(model_failure_kind(&f->model, &e), FAIL_PAGE);
}

static void test_filters(void **state)
{
	struct fixture *f = *state;
	struct model_filter filter = { .pid = 42, .min_order = 3, .kinds = 1u << FAIL_PAGE };
	const uint64_t s[] = { A_ALLOC_PAGES, A_SYSCALL };
	struct fs_event e;

	model_free(&f->model);
	model_init(&f->model, &f->kinfo, f->ksyms, &filter, T0);
	e = page_fail(41, T0, 4, 0, s, 2); /* other pid */
	model_add_event(&f->model, &e);
	e = page_fail(42, T0, 2, 0, s, 2); /* below min order */
	model_add_event(&f->model, &e);
	e = event(FS_EV_KMALLOC_FAIL, 42, 42, T0, s, 2); /* other kind */
	e.kmalloc.bytes_alloc = 1 << 20;
	model_add_event(&f->model, &e);
	e = page_fail(42, T0, 4, 0, s, 2);
	model_add_event(&f->model, &e);
	assert_int_equal(f->model.nr_groups, 1);
	assert_int_equal(f->model.failures[FAIL_PAGE], 1);
	assert_int_equal(f->model.failures[FAIL_KMALLOC], 0);
	assert_int_equal(f->model.filtered_out, 1);
}

static struct fs_event compact(uint32_t tid, uint64_t try_ts, uint64_t end_ts, int status)
{
	const uint64_t s[] = { A_ALLOC_PAGES, A_SYSCALL };
	struct fs_event e = event(FS_EV_COMPACT, tid, tid, end_ts, s, 2);

	e.compact.try_ts_ns = try_ts;
	e.compact.begin_ts_ns = try_ts;
	e.compact.order = 9;
	e.compact.status = status;
	return e;
}

static void test_compaction_zones_join_into_one_stall(void **state)
{
	struct fixture *f = *state;
	struct fs_event e;

	/* One attempt over two zones (the second succeeds), then another attempt. */
	e = compact(5, T0, T0 + 100000, 3);
	model_add_event(&f->model, &e);
	e = compact(5, T0, T0 + 300000, 8);
	model_add_event(&f->model, &e);
	e = compact(5, T0 + 1000000, T0 + 1500000, 1);
	model_add_event(&f->model, &e);
	model_finish(&f->model);

	assert_int_equal(f->model.compaction.stall.count, 2);
	assert_int_equal(f->model.compaction.zones_compacted, 3);
	assert_int_equal(f->model.compaction.stall.max_ns, 500000);
	assert_int_equal(f->model.compaction.stall.min_ns, 300000);
	assert_int_equal(f->model.compaction.outcome[8], 1);
	assert_int_equal(f->model.compaction.outcome[1], 1);
	assert_int_equal(f->model.compaction.stalls_by_order[9], 2);
}

/*
 * An attempt that found its zones deferred (the BPF side streams it, with no
 * zone begun, where compact_stall counts it): a stall of its own, shown
 * apart; one whose deferred zones are followed by a compacted one is a
 * plain stall with the zone's result.
 */
static void test_compaction_deferred_attempt_is_a_stall(void **state)
{
	struct fixture *f = *state;
	struct fs_event e;

	e = compact(5, T0, T0 + 2000, 2); /* COMPACT_DEFERRED */
	e.compact.begin_ts_ns = 0;
	model_add_event(&f->model, &e);
	e = compact(5, T0 + 1000000, T0 + 1001000, 2);
	e.compact.begin_ts_ns = 0;
	model_add_event(&f->model, &e);
	e = compact(5, T0 + 1000000, T0 + 1400000, 5); /* a later zone of that attempt compacted */
	model_add_event(&f->model, &e);
	model_finish(&f->model);

	assert_int_equal(f->model.compaction.stall.count, 2);
	assert_int_equal(f->model.compaction.deferred_stalls, 1);
	assert_int_equal(f->model.compaction.zones_compacted, 1);
	assert_int_equal(f->model.compaction.outcome[2], 1);
	assert_int_equal(f->model.compaction.outcome[5], 1);
	assert_int_equal(f->model.compaction.stall.min_ns, 2000);
	assert_int_equal(f->model.compaction.stall.max_ns, 400000);
}

/* An empty snapshot at ts: what the session feeds the model every interval. */
static void tick(struct model *m, uint64_t ts)
{
	struct snapshot s;

	snapshot_init(&s);
	s.ts_ns = ts;
	assert_int_equal(model_set_snapshot(m, &s), 0);
}

/*
 * Every task that fails a page allocation gets a pending entry (to link a
 * kmalloc failure above it); ticks drop those linked or too old to link,
 * so thousands of short-lived tasks leave no trace, and a recent one still
 * links after a tick.
 */
static void test_pending_page_failures_pruned(void **state)
{
	struct fixture *f = *state;
	const uint64_t inner[] = { A_ALLOC_PAGES + 4, A_KMALLOC_LARGE + 8, A_KMALLOC_NODE + 0x40, A_CALLER + 8,
				   A_SYSCALL + 1 };
	const uint64_t outer[] = { A_KMALLOC_NODE + 0x80, A_CALLER + 8, A_SYSCALL + 1 };
	struct model *m = &f->model;
	struct fs_event e;

	for (uint32_t tid = 100; tid < 3100; tid++) {
		e = page_fail(tid, T0 + tid * 1000, 2, 0, inner, 5);
		assert_int_equal(model_add_event(m, &e), 0);
	}
	assert_int_equal(m->nr_pending, 3000);
	/* tid 100 links (the pending entry is consumed); the others are all young. */
	e = event(FS_EV_KMALLOC_FAIL, 100, 100, T0 + 200000, outer, 3);
	e.kmalloc.bytes_req = e.kmalloc.bytes_alloc = 16384;
	assert_int_equal(model_add_event(m, &e), 0);
	tick(m, T0 + 500000000ULL);
	assert_int_equal(m->nr_pending, 2999);
	assert_int_equal(m->nesting.by_tid.len, 2999);

	/* Two seconds later one task fails again: only its entry is kept. */
	e = page_fail(7, T0 + 2 * 1000000000ULL, 2, 0, inner, 5);
	assert_int_equal(model_add_event(m, &e), 0);
	tick(m, T0 + 2 * 1000000000ULL + 1000);
	assert_int_equal(m->nr_pending, 1);
	assert_int_equal(m->nesting.by_tid.len, 1);
	assert_non_null(u64map_get(&m->nesting.by_tid, 7));
	assert_null(u64map_get(&m->nesting.by_tid, 200));

	/* The kept entry still links; a pruned task's new failure starts afresh. */
	e = event(FS_EV_KMALLOC_FAIL, 7, 7, T0 + 2 * 1000000000ULL + 5000, outer, 3);
	e.kmalloc.bytes_req = e.kmalloc.bytes_alloc = 16384;
	assert_int_equal(model_add_event(m, &e), 0);
	e = event(FS_EV_KMALLOC_FAIL, 200, 200, T0 + 2 * 1000000000ULL + 6000, outer, 3);
	e.kmalloc.bytes_req = e.kmalloc.bytes_alloc = 16384;
	assert_int_equal(model_add_event(m, &e), 0);
	assert_int_equal(m->groups[0].beneath[FAIL_KMALLOC], 2);
	assert_int_equal(m->groups[1].above[FAIL_PAGE], 2);
	assert_int_equal(m->groups[0].count, 3001);
}

/*
 * Closed compaction attempts leave the per-task table at the next tick;
 * an open one stays, keeps joining its zones, and the stall figures are
 * those of a model that never pruned.
 */
static void test_closed_compactions_pruned(void **state)
{
	struct fixture *f = *state;
	struct model *m = &f->model;
	struct fs_event e;

	for (uint32_t tid = 1; tid <= 1000; tid++) {
		e = compact(tid, T0 + tid * 1000, T0 + tid * 1000 + 500, 1);
		assert_int_equal(model_add_event(m, &e), 0);
	}
	assert_int_equal(m->nr_open, 1000);
	/* One attempt still running when the tick comes: a zone, the tick, its next zone. */
	e = compact(5000, T0 + 1900000000ULL, T0 + 1900000100ULL, 3);
	assert_int_equal(model_add_event(m, &e), 0);
	tick(m, T0 + 2000000000ULL);
	assert_int_equal(m->nr_open, 1);
	assert_int_equal(m->open_by_tid.len, 1);
	assert_int_equal(m->open[0].tid, 5000);
	assert_int_equal(m->compaction.stall.count, 1000);
	e = compact(5000, T0 + 1900000000ULL, T0 + 2000000500ULL, 8);
	assert_int_equal(model_add_event(m, &e), 0);
	/* A task seen before compacts again: a new entry, a new attempt. */
	e = compact(3, T0 + 2100000000ULL, T0 + 2100000700ULL, 1);
	assert_int_equal(model_add_event(m, &e), 0);
	assert_int_equal(m->nr_open, 2);
	model_finish(m);
	assert_int_equal(m->compaction.stall.count, 1002);
	assert_int_equal(m->compaction.zones_compacted, 1003);
	assert_int_equal(m->compaction.outcome[8], 1);
	assert_int_equal(m->compaction.outcome[1], 1001);
	assert_int_equal(m->compaction.stall.max_ns, 100000500);
	tick(m, T0 + 3000000000ULL);
	assert_int_equal(m->nr_open, 0);
	assert_int_equal(m->open_by_tid.len, 0);
}

static void test_reclaim_stalls(void **state)
{
	struct fixture *f = *state;
	const uint64_t s[] = { A_ALLOC_PAGES, A_SYSCALL };
	struct fs_event e = event(FS_EV_RECLAIM, 3, 3, T0 + 50000, s, 2);

	e.reclaim.begin_ts_ns = T0;
	e.reclaim.kind = FS_RECLAIM_MEMCG;
	e.reclaim.nr_reclaimed = 32;
	model_add_event(&f->model, &e);
	assert_int_equal(f->model.reclaim[FS_RECLAIM_MEMCG].stall.count, 1);
	assert_int_equal(f->model.reclaim[FS_RECLAIM_MEMCG].stall.sum_ns, 50000);
	assert_int_equal(f->model.reclaim[FS_RECLAIM_MEMCG].pages_reclaimed, 32);
	assert_int_equal(f->model.reclaim[FS_RECLAIM_DIRECT].stall.count, 0);
}

static void fill_snapshot(struct snapshot *s, uint64_t ts, uint64_t n)
{
	struct snap_proc p = { .key = { .pid = 9, .order = 2, .comm = "worker" }, .value = { .count = n } };
	struct snap_callsite c = { .key = { .call_site = A_CALLER }, .value = { n, 10 * n, 16 * n, 0 } };
	struct snap_stack st = { .key = { .stack_id = 1, .order = 4 }, .count = n, .nr_frames = 2,
				 .frames = { A_ALLOC_PAGES, A_SYSCALL } };

	snapshot_init(s);
	s->ts_ns = ts;
	s->page_allocs[fs_page_alloc_index(0, 1, FS_GFP_NORMAL)] = 100 * n;
	s->counters[FS_CTR_LOST + FS_EV_PAGE_FAIL] = n;
	snapshot_add_proc(s, &p);
	snapshot_add_callsite(s, &c);
	snapshot_add_stack(s, &st);
}

static void test_snapshot_window(void **state)
{
	struct fixture *f = *state;
	struct model_filter filter = { .min_order = -1, .since_ns = 1500000000ULL };
	struct snapshot a, b;

	model_free(&f->model);
	model_init(&f->model, &f->kinfo, f->ksyms, &filter, T0);
	fill_snapshot(&a, T0 + 1000000000ULL, 5);  /* before since: the base */
	fill_snapshot(&b, T0 + 2000000000ULL, 12); /* the end of the window */
	model_set_snapshot(&f->model, &a);
	model_set_snapshot(&f->model, &b);
	assert_int_equal(model_page_allocs_total(&f->model), 700);
	assert_int_equal(model_lost_total(&f->model), 7);
	assert_int_equal(f->model.window.nr_procs, 1);
	assert_int_equal(f->model.window.procs[0].value.count, 7);
	assert_int_equal(f->model.window.callsites[0].value.bytes_alloc, 16 * 7);
	assert_int_equal(f->model.window.stacks[0].count, 7);
	snapshot_free(&a);
	snapshot_free(&b);
}

static void test_snapshot_codec_round_trip_and_truncation(void **state)
{
	struct snapshot s, back;
	size_t len;
	void *buf;

	(void)state;
	fill_snapshot(&s, 77, 3);
	s.flags = SNAP_ORDER0_FROM_VMSTAT; /* format 6: order 0 from /proc/vmstat */
	s.pgalloc_pages = 2000;
	s.counters[FS_CTR_PAGE_FAIL + 3] = 4;
	buf = snapshot_encode(&s, &len);
	assert_non_null(buf);
	snapshot_init(&back);
	assert_int_equal(snapshot_decode(buf, len, FS_RECORD_FORMAT_VERSION, &back), 0);
	assert_int_equal(back.ts_ns, 77);
	assert_int_equal(back.flags, SNAP_ORDER0_FROM_VMSTAT);
	assert_int_equal(back.pgalloc_pages, 2000);
	assert_memory_equal(back.counters, s.counters, sizeof(s.counters));
	assert_string_equal(back.procs[0].key.comm, "worker");
	assert_int_equal(back.nr_stacks, 1);
	assert_int_equal(back.stacks[0].frames[1], A_SYSCALL);
	assert_memory_equal(back.page_allocs, s.page_allocs, sizeof(s.page_allocs));
	for (size_t cut = 0; cut < len; cut++)
		assert_int_equal(snapshot_decode(buf, cut, FS_RECORD_FORMAT_VERSION, &back), -EINVAL);
	snapshot_free(&back);
	snapshot_free(&s);
	free(buf);
}

/* Formats 1-3 wrote a per-process count as key {cgroup, pid, order}, value {count, comm}. */
static void test_snapshot_codec_reads_format_3_procs(void **state)
{
	struct {
		uint64_t cgroup_id;
		uint32_t pid, order;
		uint64_t count;
		char comm[FS_COMM_LEN];
	} old = { 11, 9, 2, 5, "bash" };
	/* Formats 3-5: the counters end before FS_CTR_PAGE_FAIL, no order-0 block (16 bytes) follows. */
	size_t len, procs_at = sizeof(uint64_t) + 4 * sizeof(uint32_t) + sizeof(((struct snapshot *)0)->page_allocs) +
			       FS_CTR_PAGE_FAIL * sizeof(uint64_t);
	size_t newer = (FS_COUNTERS - FS_CTR_PAGE_FAIL) * sizeof(uint64_t) + 16;
	struct snapshot s, back;
	char *buf;

	(void)state;
	fill_snapshot(&s, 77, 3);
	buf = snapshot_encode(&s, &len);
	assert_non_null(buf);
	memmove(buf + procs_at, buf + procs_at + newer, len - procs_at - newer);
	len -= newer;
	assert_int_equal(sizeof(old), sizeof(struct snap_proc));
	memcpy(buf + procs_at, &old, sizeof(old));
	snapshot_init(&back);
	assert_int_equal(snapshot_decode(buf, len, 3, &back), 0);
	assert_int_equal(back.nr_procs, 1);
	assert_int_equal(back.procs[0].key.cgroup_id, 11);
	assert_int_equal(back.procs[0].key.pid, 9);
	assert_int_equal(back.procs[0].key.order, 2);
	assert_string_equal(back.procs[0].key.comm, "bash");
	assert_int_equal(back.procs[0].value.count, 5);
	snapshot_free(&back);
	snapshot_free(&s);
	free(buf);
}

/* A pid that execs has one entry per comm; the window keeps them apart. */
static void test_snapshot_window_keeps_comms_of_one_pid_apart(void **state)
{
	struct fixture *f = *state;
	struct snap_proc shell = { .key = { .pid = 9, .order = 2, .comm = "bash" }, .value = { .count = 1 } };
	struct snap_proc program = { .key = { .pid = 9, .order = 2, .comm = "alloc-pages" }, .value = { .count = 40 } };
	struct snapshot a, b;

	snapshot_init(&a);
	snapshot_init(&b);
	a.ts_ns = T0 + 1000000000ULL;
	b.ts_ns = T0 + 2000000000ULL;
	snapshot_add_proc(&b, &shell);
	snapshot_add_proc(&b, &program);
	model_set_snapshot(&f->model, &a);
	model_set_snapshot(&f->model, &b);
	assert_int_equal(f->model.window.nr_procs, 2);
	for (size_t i = 0; i < 2; i++) {
		const struct snap_proc *p = &f->model.window.procs[i];

		assert_int_equal(p->value.count, strcmp(p->key.comm, "bash") ? 40 : 1);
	}
	snapshot_free(&a);
	snapshot_free(&b);
}

static void test_decode_event_validates(void **state)
{
	struct fixture *f = *state;
	const uint64_t s[] = { A_ALLOC_PAGES, A_SYSCALL, A_END + 5 };
	struct fs_event e = page_fail(1, T0, 0, 0, s, 3), out;

	assert_int_equal(decode_event(&e, fs_event_size(3), f->ksyms, &out), 0);
	assert_int_equal(out.hdr.nr_frames, 3);
	assert_int_equal(decode_event(&e, fs_event_size(3) - 1, f->ksyms, &out), -EINVAL);
	assert_int_equal(decode_event(&e, 10, f->ksyms, &out), -EINVAL);
	e.hdr.nr_frames = FS_MAX_FRAMES + 1;
	assert_int_equal(decode_event(&e, sizeof(e), f->ksyms, &out), -EINVAL);
	e.hdr.nr_frames = 3;
	e.hdr.type = FS_EV_TYPES;
	assert_int_equal(decode_event(&e, sizeof(e), f->ksyms, &out), -EINVAL);
}

static void test_histogram(void **state)
{
	struct histogram h = {};

	(void)state;
	for (int i = 1; i <= 100; i++)
		hist_add(&h, i * 1000ULL); /* 1..100 us */
	assert_int_equal(h.count, 100);
	assert_int_equal(h.min_ns, 1000);
	assert_int_equal(h.max_ns, 100000);
	/* The estimates stay inside the right power-of-two bucket. */
	assert_in_range(hist_quantile_ns(&h, 0.5), 32000, 64000);
	assert_in_range(hist_quantile_ns(&h, 0.99), 64000, 100000);
	assert_int_equal(hist_quantile_ns(&(struct histogram){}, 0.5), 0);
}

static void test_stack_table_never_merges(void **state)
{
	struct stack_table t;
	uint64_t frames[4];

	(void)state;
	stack_table_init(&t);
	for (uint64_t i = 0; i < 5000; i++) {
		frames[0] = i;
		frames[1] = i * 7;
		assert_int_equal(stack_table_intern(&t, frames, 2), (int64_t)i);
	}
	frames[0] = 1234;
	frames[1] = 1234 * 7;
	assert_int_equal(stack_table_intern(&t, frames, 2), 1234);
	assert_int_equal(stack_table_intern(&t, frames, 1), 5000); /* a prefix is another stack */
	stack_table_free(&t);
}

/* A bounded table keeps its stacks and gives every later one the empty stack's id, counted. */
static void test_stack_table_bound(void **state)
{
	struct stack_table t;
	uint64_t frames[2];

	(void)state;
	stack_table_init(&t);
	t.max = 4;
	for (uint64_t i = 0; i < 3; i++) {
		frames[0] = frames[1] = i + 1;
		assert_int_equal(stack_table_intern(&t, frames, 2), (int64_t)i);
	}
	for (uint64_t i = 3; i < 10; i++) {
		frames[0] = frames[1] = i + 1;
		assert_int_equal(stack_table_intern(&t, frames, 2), 3);
	}
	assert_int_equal(t.len, 4);
	assert_int_equal(t.not_kept, 7);
	assert_int_equal(stack_table_get(&t, 3)->nr_frames, 0);
	frames[0] = frames[1] = 2;
	assert_int_equal(stack_table_intern(&t, frames, 2), 1); /* kept ones are still found */
	assert_int_equal(stack_table_intern(&t, frames, 0), 3); /* and so is the empty stack */
	assert_int_equal(t.not_kept, 7);
	stack_table_free(&t);
	assert_int_equal(t.max, 4); /* the bound outlives a reset */
}

/*
 * Beyond MODEL_MAX_GROUPS distinct stacks, failures join their kind's
 * group of the empty stack: totals stay whole, and the overflow is counted.
 */
static void test_groups_bounded(void **state)
{
	struct fixture *f = *state;
	struct model *m = &f->model;
	uint64_t frames[3] = { A_ALLOC_PAGES + 4, 0, A_SYSCALL + 1 }, sum = 0;
	struct fs_event e;

	m->stacks.max = 0; /* the stack table's own bound is test_stack_table_bound's */
	for (uint32_t i = 0; i < MODEL_MAX_GROUPS + 10; i++) {
		frames[1] = A_CALLER + 0x10000 + i;
		e = page_fail(10, T0 + i, 2, 0, frames, 3);
		assert_int_equal(model_add_event(m, &e), 0);
		e = page_fail(10, T0 + i, 2, 0, frames, 3);
		assert_int_equal(model_add_event(m, &e), 0);
	}
	assert_int_equal(m->nr_groups, MODEL_MAX_GROUPS + 1);
	assert_int_equal(m->failures_not_grouped, 20);
	assert_int_equal(m->failures[FAIL_PAGE], 2 * (MODEL_MAX_GROUPS + 10));
	assert_int_equal(m->groups[MODEL_MAX_GROUPS].count, 20);
	assert_int_equal(stack_table_get(&m->stacks, m->groups[MODEL_MAX_GROUPS].stack_id)->nr_frames, 0);
	for (size_t i = 0; i < m->nr_groups; i++)
		sum += m->groups[i].count;
	assert_int_equal(sum, m->failures[FAIL_PAGE]);
	assert_int_equal(m->stacks.not_kept, 0);
}

/*
 * The timeline keeps at most TIMELINE_MAX_POINTS points of the zones of
 * the first sample: when full it keeps every other point and samples half
 * as often, each point keeping its own free-block rows.
 */
static void test_timeline_bounded(void **state)
{
	struct state_sample *s = calloc(1, sizeof(*s));
	struct timeline t;
	const uint32_t samples = 3 * TIMELINE_MAX_POINTS + 5;

	(void)state;
	timeline_init(&t);
	s->nr_zones = 3;
	for (uint32_t z = 0; z < 3; z++)
		s->zones[z].nr_orders = 11;
	for (uint32_t i = 0; i < samples; i++) {
		s->ts_ns = T0 + i;
		for (uint32_t z = 0; z < 3; z++)
			for (uint32_t o = 0; o < 11; o++)
				s->zones[z].free_blocks[o] = (uint64_t)i * 1000 + z * 100 + o;
		assert_int_equal(timeline_add(&t, s), 0);
	}
	assert_int_equal(t.nr_samples, samples);
	assert_int_equal(t.nr_zones, 3);
	assert_true(t.nr_points <= TIMELINE_MAX_POINTS);
	assert_int_equal(t.stride, 4);
	/* 0, 2, 4 ... 1022 after the first halving, then 0, 4, ... 1020, then every 4th sample. */
	for (size_t i = 0; i < t.nr_points; i++) {
		uint64_t sample = t.points[i].ts_ns - T0;

		assert_int_equal(sample, i * 4);
		for (uint32_t z = 0; z < 3; z++)
			assert_int_equal(t.points[i].free_blocks[z][10], sample * 1000 + z * 100 + 10);
		if (i)
			assert_ptr_not_equal(t.points[i].free_blocks, t.points[i - 1].free_blocks);
	}
	assert_int_equal(t.points[t.nr_points - 1].ts_ns - T0, (samples - 1) / 4 * 4);
	assert_int_equal(t.min_free_blocks[2][0], 200);
	timeline_free(&t);
	free(s);
}

static void test_u64map(void **state)
{
	struct u64map m;
	bool inserted;

	(void)state;
	u64map_init(&m);
	for (uint64_t k = 0; k < 10000; k++)
		*u64map_upsert(&m, k * 3, &inserted) = k;
	for (uint64_t k = 0; k < 10000; k += 2)
		assert_true(u64map_remove(&m, k * 3));
	for (uint64_t k = 0; k < 10000; k++) {
		uint64_t *v = u64map_get(&m, k * 3);

		if (k % 2)
			assert_true(v && *v == k);
		else
			assert_null(v);
	}
	assert_int_equal(m.len, 5000);
	u64map_free(&m);
}

static void test_json_writer(void **state)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	struct json j;

	(void)state;
	json_init(&j, out, false);
	json_object_begin(&j);
	json_kv_string(&j, "s", "a\"b\\c\n\x01");
	json_key(&j, "list");
	json_array_begin(&j);
	json_u64(&j, 1);
	json_double(&j, 1.0 / 0.0);
	json_array_end(&j);
	json_key(&j, "empty");
	json_object_begin(&j);
	json_object_end(&j);
	json_object_end(&j);
	json_finish(&j);
	fclose(out);
	assert_string_equal(text, "{\"s\":\"a\\\"b\\\\c\\n\\u0001\",\"list\":[1,null],\"empty\":{}}\n");
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_groups_by_identical_stack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_page_failure_beneath_kmalloc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unrelated_failures_not_nested, setup, teardown),
		cmocka_unit_test_setup_teardown(test_classifies_vmalloc_and_thp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compaction_zones_join_into_one_stall, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compaction_deferred_attempt_is_a_stall, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reclaim_stalls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pending_page_failures_pruned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_closed_compactions_pruned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_window_keeps_comms_of_one_pid_apart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_decode_event_validates, setup, teardown),
		cmocka_unit_test(test_snapshot_codec_round_trip_and_truncation),
		cmocka_unit_test(test_snapshot_codec_reads_format_3_procs),
		cmocka_unit_test(test_histogram),
		cmocka_unit_test(test_stack_table_never_merges),
		cmocka_unit_test(test_stack_table_bound),
		cmocka_unit_test(test_timeline_bounded),
		cmocka_unit_test_setup_teardown(test_groups_bounded, setup, teardown),
		cmocka_unit_test(test_u64map),
		cmocka_unit_test(test_json_writer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
