// SPDX-License-Identifier: GPL-2.0
#include "live/live.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void live_totals_take(struct live_totals *t, const struct model *m, const struct state_sample *st)
{
	memset(t->allocs, 0, sizeof(t->allocs));
	for (unsigned int o = 0; o < FS_ORDERS; o++)
		for (unsigned int mt = 0; mt < FS_MIGRATETYPES; mt++)
			for (unsigned int g = 0; g < FS_GFP_CLASSES; g++)
				t->allocs[o][mt] += m->window.page_allocs[fs_page_alloc_index(o, mt, g)];
	t->order0_from_vmstat = model_order0_from_vmstat(m, &t->order0_vmstat);
	/* Events can be newer than the last snapshot; the later of the two is "now". */
	t->ts_ns = m->end_ns > m->start_ns ? m->end_ns : m->start_ns;
	memcpy(t->failures, m->failures, sizeof(t->failures));
	memcpy(t->requests, m->requests.counts, sizeof(t->requests));
	t->requests_detail_lost = requests_detail_lost(m);
	t->log_reports_untraced = m->requests.nr_log_unjoined + m->requests.log_unjoined_over;
	t->ooms = m->nr_ooms;
	for (int type = 0; type < FS_EV_TYPES; type++)
		t->lost[type] = m->window.counters[FS_CTR_LOST + type];
	for (int map = 0; map < FS_MAPS; map++)
		t->map_full[map] = m->window.counters[FS_CTR_MAP_FULL + map];
	t->compaction = m->compaction.stall;
	t->compaction_deferred = m->compaction.deferred_stalls;
	t->reclaim[0] = m->reclaim[0].stall;
	t->reclaim[1] = m->reclaim[1].stall;
	t->has_state = st != NULL;
	if (st)
		t->state = *st;
}

void live_hist_diff(struct histogram *out, const struct histogram *cur, const struct histogram *prev)
{
	int lowest = -1, highest = -1;

	memset(out, 0, sizeof(*out));
	for (int i = 0; i < HIST_BUCKETS; i++) {
		out->buckets[i] = cur->buckets[i] - prev->buckets[i];
		if (!out->buckets[i])
			continue;
		if (lowest < 0)
			lowest = i;
		highest = i;
		out->count += out->buckets[i];
	}
	if (lowest < 0)
		return;
	out->sum_ns = cur->sum_ns - prev->sum_ns;
	out->min_ns = lowest ? hist_bucket_upper_us(lowest - 1) * 1000 : 0;
	if (out->min_ns < cur->min_ns)
		out->min_ns = cur->min_ns;
	out->max_ns = hist_bucket_upper_us(highest) * 1000;
	if (out->max_ns > cur->max_ns)
		out->max_ns = cur->max_ns;
}

const struct state_zone_free *live_find_zone(const struct state_sample *prev, const struct state_zone_free *z)
{
	for (uint32_t i = 0; i < prev->nr_zones && i < STATE_SAMPLE_MAX_ZONES; i++)
		if (prev->zones[i].node == z->node && !strncmp(prev->zones[i].name, z->name, STATE_NAME_LEN))
			return &prev->zones[i];
	return NULL;
}

void live_text_printf(struct live_text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->oom)
		return;
	for (;;) {
		size_t room = t->cap - t->len;

		va_start(ap, fmt);
		n = vsnprintf(t->buf ? t->buf + t->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0) {
			t->oom = true;
			return;
		}
		if ((size_t)n < room) {
			t->len += n;
			return;
		}
		size_t cap = t->cap ? t->cap * 2 : 4096;
		char *buf;

		while (cap - t->len <= (size_t)n)
			cap *= 2;
		buf = realloc(t->buf, cap);
		if (!buf) {
			t->oom = true;
			return;
		}
		t->buf = buf;
		t->cap = cap;
	}
}

void live_text_free(struct live_text *t)
{
	free(t->buf);
	memset(t, 0, sizeof(*t));
}
