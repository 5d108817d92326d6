// SPDX-License-Identifier: GPL-2.0
#include "model/timeline.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void timeline_init(struct timeline *t)
{
	memset(t, 0, sizeof(*t));
	t->stride = 1;
}

void timeline_free(struct timeline *t)
{
	free(t->first);
	free(t->last);
	free(t->last_types);
	free(t->points);
	free(t->rows);
	timeline_init(t);
}

void timeline_zone_name(const struct state_sample *s, uint32_t zone, char *buf, size_t len)
{
	snprintf(buf, len, "node%d/%s", s->zones[zone].node, s->zones[zone].name);
}

uint64_t free_blocks_from(const struct state_zone_free *z, uint32_t order)
{
	uint64_t n = 0;

	for (uint32_t o = order; o < z->nr_orders && o < FS_ORDERS; o++)
		n += z->free_blocks[o];
	return n;
}

static void keep_point(struct timeline *t, const struct state_sample *s)
{
	struct timeline_point *p;

	if (t->nr_points == TIMELINE_MAX_POINTS) {
		/* Each point keeps its rows: copy the contents, not the pointers. */
		for (size_t i = 0; i < TIMELINE_MAX_POINTS / 2; i++) {
			t->points[i].ts_ns = t->points[2 * i].ts_ns;
			memcpy(t->points[i].free_blocks, t->points[2 * i].free_blocks,
			       t->nr_zones * sizeof(*t->rows));
		}
		t->nr_points = TIMELINE_MAX_POINTS / 2;
		t->stride *= 2;
	}
	p = &t->points[t->nr_points++];
	p->ts_ns = s->ts_ns;
	for (uint32_t z = 0; z < t->nr_zones; z++)
		memcpy(p->free_blocks[z], s->zones[z].free_blocks, sizeof(p->free_blocks[z]));
}

/*
 * The points and their rows, for the zones of the first sample only (a
 * point used to hold TIMELINE_MAX_ZONES rows: 528 KiB for 512 points where
 * 3 zones need 196 KiB).  Zeroed by memset, not calloc: the pages are
 * touched now, so RSS does not creep up by a point per sample until the
 * series is full.
 */
static int alloc_points(struct timeline *t)
{
	size_t nr_rows = (size_t)TIMELINE_MAX_POINTS * (t->nr_zones ? t->nr_zones : 1);

	t->points = malloc(TIMELINE_MAX_POINTS * sizeof(*t->points));
	t->rows = malloc(nr_rows * sizeof(*t->rows));
	if (!t->points || !t->rows)
		return -ENOMEM;
	memset(t->points, 0, TIMELINE_MAX_POINTS * sizeof(*t->points));
	memset(t->rows, 0, nr_rows * sizeof(*t->rows));
	for (size_t i = 0; i < TIMELINE_MAX_POINTS; i++)
		t->points[i].free_blocks = t->rows + i * t->nr_zones;
	return 0;
}

int timeline_add(struct timeline *t, const struct state_sample *s)
{
	if (!t->first) {
		t->first = malloc(sizeof(*s));
		t->last = malloc(sizeof(*s));
		if (!t->first || !t->last)
			return -ENOMEM;
		t->nr_zones = s->nr_zones < TIMELINE_MAX_ZONES ? s->nr_zones : TIMELINE_MAX_ZONES;
		if (alloc_points(t))
			return -ENOMEM;
		*t->first = *s;
		for (uint32_t z = 0; z < t->nr_zones; z++)
			memcpy(t->min_free_blocks[z], s->zones[z].free_blocks, sizeof(t->min_free_blocks[z]));
	}
	*t->last = *s;
	if (s->has_pagetypeinfo) {
		if (!t->last_types && !(t->last_types = malloc(sizeof(*s))))
			return -ENOMEM;
		*t->last_types = *s;
	}
	for (uint32_t z = 0; z < t->nr_zones && z < s->nr_zones; z++)
		for (int o = 0; o < FS_ORDERS; o++)
			if (s->zones[z].free_blocks[o] < t->min_free_blocks[z][o])
				t->min_free_blocks[z][o] = s->zones[z].free_blocks[o];
	t->nr_samples++;
	if (t->countdown == 0) {
		keep_point(t, s);
		t->countdown = t->stride;
	}
	t->countdown--;
	return 0;
}
