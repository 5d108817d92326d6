// SPDX-License-Identifier: GPL-2.0
/* fragscope top's screen as text: pure, so tests render it without a terminal. */
#include "live/live.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/request_line.h"
#include "kernel/kernel_info.h"
#include "model/stack_table.h"

/* Orders from PAGE_ALLOC_COSTLY_ORDER + 1 on are the ones compaction exists for. */
#define COSTLY_ORDER 4
/* Columns of the per-order tables: free blocks and indices of orders 0..10 fit 80 columns. */
#define TABLE_ORDERS 11
/* The allocations table: label, order and total, then a column per migratetype that fits. */
#define ALLOC_LEAD_COLUMNS 29
#define ALLOC_COLUMN_WIDTH 12
/* Failures listed on a 24-line screen, and at most on a tall one. */
#define MIN_RECENT 2
#define MAX_RECENT 10
/* Lines besides the tables' variable rows: header, section titles, stalls, footer. */
#define FIXED_LINES 9

/* Appends lines clipped to the view, so the caller can draw them as they are. */
struct screen {
	struct live_text *out;
	const struct top_view *view;
	unsigned int rows;
};

static void line(struct screen *sc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void line(struct screen *sc, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (sc->rows >= sc->view->height)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (strlen(buf) > sc->view->width)
		buf[sc->view->width] = 0;
	live_text_printf(sc->out, "%s\n", buf);
	sc->rows++;
}

/* A count in at most width (4 or 5) columns: 12345, 1234k, 12M. */
static const char *short_count(char *buf, size_t len, uint64_t v, unsigned int width)
{
	uint64_t limit = width > 4 ? 100000 : 10000;

	if (v < limit)
		snprintf(buf, len, "%" PRIu64, v);
	else if (v / 1000 < limit / 10)
		snprintf(buf, len, "%" PRIu64 "k", v / 1000);
	else
		snprintf(buf, len, "%" PRIu64 "M", v / 1000000);
	return buf;
}

/* A signed change in at most 5 columns, blank when nothing changed. */
static const char *short_change(char *buf, size_t len, uint64_t now, uint64_t before)
{
	char digits[16];

	if (now == before)
		buf[0] = 0;
	else
		snprintf(buf, len, "%c%s", now > before ? '+' : '-',
			 short_count(digits, sizeof(digits), now > before ? now - before : before - now, 4));
	return buf;
}

static const char *duration(char *buf, size_t len, uint64_t ns)
{
	if (ns < 1000000)
		snprintf(buf, len, "%.0fus", ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, len, "%.1fms", ns / 1e6);
	else
		snprintf(buf, len, "%.2fs", ns / 1e9);
	return buf;
}

static const char *top_sort_name(enum top_sort sort)
{
	return sort == TOP_SORT_RATE ? "rate" : "order";
}

static uint64_t order_allocs(const struct live_totals *prev, const struct live_totals *cur, unsigned int o)
{
	uint64_t n = 0;

	for (unsigned int mt = 0; mt < FS_MIGRATETYPES; mt++)
		n += cur->allocs[o][mt] - prev->allocs[o][mt];
	/* Clamped at 0 in each window, so not always increasing. */
	if (!o && cur->order0_vmstat > prev->order0_vmstat)
		n += cur->order0_vmstat - prev->order0_vmstat;
	return n;
}

struct order_row {
	unsigned int order;
	uint64_t allocs;
};

static int cmp_rows_by_rate(const void *a, const void *b)
{
	const struct order_row *x = a, *y = b;

	if (x->allocs != y->allocs)
		return x->allocs < y->allocs ? 1 : -1;
	return (int)x->order - (int)y->order;
}

static void render_allocations(struct screen *sc, const struct report *r, const struct live_totals *prev,
			       const struct live_totals *cur, double secs, unsigned int max_rows)
{
	unsigned int nr_mt = r->kinfo->migratetypes.n, fit, nr_rows = 0;
	struct order_row rows[FS_ORDERS];
	char head[256], cell[32], name[32];
	int at;

	fit = sc->view->width > ALLOC_LEAD_COLUMNS ? (sc->view->width - ALLOC_LEAD_COLUMNS) / ALLOC_COLUMN_WIDTH : 0;
	if (nr_mt > fit)
		nr_mt = fit;
	at = snprintf(head, sizeof(head), "%-14s%5s %9s", "ALLOCATIONS/s", "order", "total");
	for (unsigned int mt = 0; mt < nr_mt && mt < FS_MIGRATETYPES; mt++)
		at += snprintf(head + at, sizeof(head) - at, " %11.11s", report_migratetype(r, mt, name, sizeof(name)));
	line(sc, "%s", head);
	for (unsigned int o = 0; o < FS_ORDERS; o++) {
		uint64_t n = order_allocs(prev, cur, o);

		if (n)
			rows[nr_rows++] = (struct order_row){ o, n };
	}
	if (sc->view->sort == TOP_SORT_RATE)
		qsort(rows, nr_rows, sizeof(*rows), cmp_rows_by_rate);
	if (!nr_rows)
		line(sc, "  (no page allocations this interval)");
	for (unsigned int i = 0; i < nr_rows && i < max_rows; i++) {
		unsigned int o = rows[i].order;

		at = snprintf(head, sizeof(head), "%14s%5u %9.1f", "", o, rows[i].allocs / secs);
		for (unsigned int mt = 0; mt < nr_mt && mt < FS_MIGRATETYPES; mt++) {
			uint64_t n = cur->allocs[o][mt] - prev->allocs[o][mt];

			snprintf(cell, sizeof(cell), "%.1f", n / secs);
			at += snprintf(head + at, sizeof(head) - at, " %11s", n ? cell : "-");
		}
		line(sc, "%s", head);
	}
	if (cur->order0_from_vmstat)
		line(sc, "  %s (in total only)", MODEL_ORDER0_NOTE);
}

/* The latest requests and failures, newest first; failures with the innermost frames that fit. */
static void render_failures(struct screen *sc, const struct report *r, const struct live_totals *prev,
			    const struct live_totals *cur, unsigned int max_rows)
{
	const struct model *m = r->model;
	char head[256], frames[512], name[256], size[16];
	uint64_t shown = m->nr_recent < MODEL_RECENT ? m->nr_recent : MODEL_RECENT;
	const struct request_table *t = &m->requests;
	uint64_t requests_shown = t->total < REQUESTS_RECENT ? t->total : REQUESTS_RECENT;
	uint64_t failed = 0, recovered = 0;
	int at;

	for (int a = 0; a < API_COUNT; a++)
		for (int c = 0; c < CAUSE_COUNT; c++) {
			failed += cur->requests[a][c][OUTCOME_FAILED] - prev->requests[a][c][OUTCOME_FAILED];
			recovered += cur->requests[a][c][OUTCOME_RECOVERED] - prev->requests[a][c][OUTCOME_RECOVERED];
		}
	line(sc, "REQUESTS failed %" PRIu64 " recovered %" PRIu64, failed, recovered);
	if (requests_shown > max_rows / 2)
		requests_shown = max_rows / 2;
	at = snprintf(head, sizeof(head), "FAILURES");
	for (int k = 0; k < FAIL_KINDS; k++)
		at += snprintf(head + at, sizeof(head) - at, " %s %" PRIu64, failure_kind_name(k),
			       cur->failures[k] - prev->failures[k]);
	snprintf(head + at, sizeof(head) - at, " oom_kill %" PRIu64, cur->ooms - prev->ooms);
	line(sc, "%s", head);
	if (!shown)
		line(sc, "  (no failure since the start)");
	/* The requests come first: who asked, what failed, why; then the allocator events. */
	for (uint64_t i = 0; i < requests_shown && i < max_rows; i++) {
		const struct request *rq = &t->recent[(t->total - 1 - i) % REQUESTS_RECENT];

		request_line(rq, r->kinfo->page_size, frames, sizeof(frames));
		line(sc, "%7.1fs %s", (rq->ts_ns - m->start_ns) / 1e9, frames);
	}
	max_rows -= requests_shown < max_rows ? requests_shown : max_rows;
	/* The kernel's own report of a failure the trace did not see (another task, a gap). */
	if (t->nr_log_unjoined && max_rows) {
		request_line(&t->log_unjoined[t->nr_log_unjoined - 1], r->kinfo->page_size, frames, sizeof(frames));
		line(sc, "kernel log, not traced (%zu): %s", t->nr_log_unjoined, frames);
		max_rows--;
	}
	for (uint64_t i = 0; i < shown && i < max_rows; i++) {
		const struct recent_failure *f = &m->recent[(m->nr_recent - 1 - i) % MODEL_RECENT];
		const struct interned_stack *st = stack_table_get(&m->stacks, f->stack_id);
		int used = 0;

		frames[0] = 0;
		for (uint32_t j = 0; st && j < st->nr_frames && used < (int)sizeof(frames) - 1; j++)
			used += snprintf(frames + used, sizeof(frames) - used, "%s%s", j ? " <- " : "",
					 report_function(r, st->frames[j], name, sizeof(name)));
		line(sc, "%7.1fs %-12.12s %7u %-9s o%-2u %5sB %s", (f->hdr.ts_ns - m->start_ns) / 1e9, f->hdr.comm,
		     f->hdr.pid, failure_kind_name(f->kind), f->order, short_count(size, sizeof(size), f->bytes, 5), frames);
	}
}

static void render_stall(struct screen *sc, const char *what, const struct histogram *cur,
			 const struct histogram *prev, double secs)
{
	struct histogram h;
	char p50[16], p99[16], max[16];

	live_hist_diff(&h, cur, prev);
	if (!h.count) {
		line(sc, "  %-16s %9.1f", what, 0.0);
		return;
	}
	line(sc, "  %-16s %9.1f %9s %9s %9s", what, h.count / secs, duration(p50, sizeof(p50), hist_quantile_ns(&h, 0.5)),
	     duration(p99, sizeof(p99), hist_quantile_ns(&h, 0.99)), duration(max, sizeof(max), h.max_ns));
}

/*
 * Per zone: free blocks by order, their change, and the extfrag index of the
 * costly orders.  The first refresh compares with the session's first /proc
 * sample, as nothing was sampled before it.
 */
static void render_zones(struct screen *sc, const struct model *m, const struct live_totals *prev,
			 const struct live_totals *cur)
{
	const struct state_sample *baseline = prev->has_state ? &prev->state : m->timeline.first;
	char row[256], cell[16];
	int at;

	if (!cur->has_state) {
		line(sc, "FREE BLOCKS: /proc/buddyinfo unreadable");
		return;
	}
	at = snprintf(row, sizeof(row), "%-14s", "FREE BLOCKS");
	for (unsigned int o = 0; o < TABLE_ORDERS; o++)
		at += snprintf(row + at, sizeof(row) - at, " %5u", o);
	line(sc, "%s", row);
	for (uint32_t i = 0; i < cur->state.nr_zones && i < STATE_SAMPLE_MAX_ZONES; i++) {
		const struct state_zone_free *z = &cur->state.zones[i];
		const struct state_zone_free *before = baseline ? live_find_zone(baseline, z) : NULL;
		struct state_zone_indices idx;
		char label[32];

		if (!z->nr_orders)
			continue;
		/* Node 0 goes without saying on most machines; the zone name needs the room. */
		if (z->node)
			snprintf(label, sizeof(label), "%d:%.*s", z->node, STATE_NAME_LEN, z->name);
		else
			snprintf(label, sizeof(label), "%.*s", STATE_NAME_LEN, z->name);
		at = snprintf(row, sizeof(row), "%-8.8s%-6s", label, "free");
		for (unsigned int o = 0; o < TABLE_ORDERS && o < z->nr_orders; o++)
			at += snprintf(row + at, sizeof(row) - at, " %5s", short_count(cell, sizeof(cell), z->free_blocks[o], 5));
		line(sc, "%s", row);
		at = snprintf(row, sizeof(row), "%-8s%-6s", "", "chg");
		for (unsigned int o = 0; o < TABLE_ORDERS && o < z->nr_orders; o++)
			at += snprintf(row + at, sizeof(row) - at, " %5s",
				       short_change(cell, sizeof(cell), z->free_blocks[o],
						    before ? before->free_blocks[o] : z->free_blocks[o]));
		line(sc, "%s", row);
		state_zone_indices(z, &idx);
		at = snprintf(row, sizeof(row), "%-8s%-6s", "", "frag");
		for (unsigned int o = 0; o < TABLE_ORDERS && o < z->nr_orders; o++) {
			if (o < COSTLY_ORDER)
				snprintf(cell, sizeof(cell), "%s", "");
			else if (idx.extfrag[o] == STATE_EXTFRAG_NOT_MEANINGFUL)
				snprintf(cell, sizeof(cell), "%s", "-");
			else
				snprintf(cell, sizeof(cell), "%.3f", idx.extfrag[o] / 1000.0);
			at += snprintf(row + at, sizeof(row) - at, " %5s", cell);
		}
		line(sc, "%s", row);
	}
}

static void render_help(struct screen *sc)
{
	line(sc, "fragscope top: keys");
	line(sc, "  q   quit");
	line(sc, "  p   pause or resume the refresh (tracing goes on)");
	line(sc, "  s   cycle the sort of the allocations table (order, rate)");
	line(sc, "  h   show or hide this help");
	line(sc, "%s", "");
	line(sc, "Rates, failure counts and stalls cover the last interval; stall p50/p99 are");
	line(sc, "estimates within log2 buckets.  FREE BLOCKS: free blocks of each order per");
	line(sc, "zone; chg: their change since the previous refresh; frag: the kernel's");
	line(sc, "fragmentation (extfrag) index of costly orders (>= 4): near 1 a failure is");
	line(sc, "fragmentation, near 0 lack of memory, - the request would succeed now.");
}

static unsigned int populated_zones(const struct live_totals *cur)
{
	unsigned int n = 0;

	for (uint32_t i = 0; cur->has_state && i < cur->state.nr_zones && i < STATE_SAMPLE_MAX_ZONES; i++)
		n += cur->state.zones[i].nr_orders > 0;
	return n;
}

void top_render(const struct report *r, const struct live_totals *prev, const struct live_totals *cur,
		const struct top_view *v, struct live_text *out)
{
	struct screen sc = { .out = out, .view = v };
	double secs = cur->ts_ns > prev->ts_ns ? (cur->ts_ns - prev->ts_ns) / 1e9 : 1.0;
	unsigned int spare, recent, alloc_rows;
	uint64_t lost = 0;

	if (v->help) {
		render_help(&sc);
		return;
	}
	for (int t = 0; t < FS_EV_TYPES; t++)
		lost += cur->lost[t] - prev->lost[t];
	/* The tables get what the fixed lines and the zones leave, failures first up to MAX_RECENT. */
	spare = v->height > FIXED_LINES + 3 * populated_zones(cur) ? v->height - FIXED_LINES - 3 * populated_zones(cur) : 0;
	recent = spare / 3 < MIN_RECENT ? MIN_RECENT : (spare / 3 > MAX_RECENT ? MAX_RECENT : spare / 3);
	alloc_rows = spare > recent ? spare - recent : 1;
	line(&sc, "fragscope top  %.1fs interval  %.0fs traced  sort: %s  lost events: %" PRIu64 "%s",
	     secs, (cur->ts_ns - r->model->start_ns) / 1e9, top_sort_name(v->sort), lost, v->paused ? "  [paused]" : "");
	render_allocations(&sc, r, prev, cur, secs, alloc_rows);
	render_failures(&sc, r, prev, cur, recent);
	line(&sc, "STALLS per interval    count/s       p50       p99       max");
	render_stall(&sc, "compaction", &cur->compaction, &prev->compaction, secs);
	render_stall(&sc, "reclaim direct", &cur->reclaim[FS_RECLAIM_DIRECT], &prev->reclaim[FS_RECLAIM_DIRECT], secs);
	render_stall(&sc, "reclaim memcg", &cur->reclaim[FS_RECLAIM_MEMCG], &prev->reclaim[FS_RECLAIM_MEMCG], secs);
	render_zones(&sc, r->model, prev, cur);
	line(&sc, "q quit  p pause  s sort  h help");
}
