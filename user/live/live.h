/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The live views (top, serve) over a running session.  Each tick takes
 * the cumulative figures they follow (struct live_totals); the renderers
 * are pure functions from totals (and the model, for recent failures) to
 * text, so they are unit-tested without a terminal, a socket or BPF.
 */
#ifndef FS_LIVE_LIVE_H
#define FS_LIVE_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fragscope.h"
#include "format/format.h"
#include "model/histogram.h"
#include "model/model.h"
#include "state/state.h"

/* The cumulative figures at one tick; an interval is the difference of two. */
struct live_totals {
	uint64_t ts_ns; /* CLOCK_MONOTONIC */
	uint64_t allocs[FS_ORDERS][FS_MIGRATETYPES]; /* page allocations, summed over gfp classes */
	bool order0_from_vmstat; /* order 0's successful allocations are not in allocs but: */
	uint64_t order0_vmstat;  /* model_order0_from_vmstat() */
	uint64_t failures[FAIL_KINDS];
	uint64_t requests[API_COUNT][CAUSE_COUNT][OUTCOME_COUNT];
	uint64_t requests_detail_lost;
	uint64_t log_reports_untraced; /* kernel log reports no traced request matched */
	uint64_t ooms;
	uint64_t lost[FS_EV_TYPES];
	uint64_t map_full[FS_MAPS]; /* updates a full kernel map refused, by enum fs_map_id */
	struct histogram compaction;
	uint64_t compaction_deferred; /* of those stalls, the ones that found every zone deferred */
	struct histogram reclaim[2]; /* by enum fs_reclaim_kind */
	bool has_state; /* state holds /proc as read at this tick */
	struct state_sample state;
};

/* Copies the model's cumulative figures and, if st is not NULL, the /proc state. */
void live_totals_take(struct live_totals *t, const struct model *m, const struct state_sample *st);

/*
 * The samples cur has beyond prev, bucket by bucket.  The exact minimum and
 * maximum of an interval are unknown, so they become the bounds of its
 * lowest and highest non-empty buckets (clamped by cur's exact extremes).
 */
void live_hist_diff(struct histogram *out, const struct histogram *cur, const struct histogram *prev);

/* The zone of prev with node and name of z, or NULL. */
const struct state_zone_free *live_find_zone(const struct state_sample *prev, const struct state_zone_free *z);

/* A growable text buffer that renderers append to. */
struct live_text {
	char *buf;
	size_t len, cap;
	bool oom; /* an allocation failed: the text is truncated */
};

void live_text_printf(struct live_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void live_text_free(struct live_text *t);

/* ---- fragscope top ---- */

enum top_sort { TOP_SORT_ORDER, TOP_SORT_RATE, TOP_SORTS };

struct top_view {
	unsigned int width, height; /* the screen; the rendering never exceeds it */
	enum top_sort sort;         /* of the allocations table */
	bool paused;
	bool help;
};

/*
 * One screen: at most v->height lines of at most v->width columns, from the
 * interval prev -> cur and the model's latest failures.  Appends to out.
 */
void top_render(const struct report *r, const struct live_totals *prev, const struct live_totals *cur,
		const struct top_view *v, struct live_text *out);

/* ---- fragscope serve ---- */

/* Content types of the two exposition formats. */
#define METRICS_PROMETHEUS_TYPE "text/plain; version=0.0.4; charset=utf-8"
#define METRICS_OPENMETRICS_TYPE "application/openmetrics-text; version=1.0.0; charset=utf-8"

/* The exposition of cur: Prometheus text 0.0.4, or OpenMetrics 1.0 (ending "# EOF"). */
void metrics_render(const struct report *r, const struct live_totals *cur, bool openmetrics,
		    struct live_text *out);

#endif
