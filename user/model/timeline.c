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
		for (size_t i = 0; i < TIMELINE_MAX_POINTS / 2; i++)
			t->points[i] = t->points[2 * i];
		t->nr_points = TIMELINE_MAX_POINTS / 2;
		t->stride *= 2;
	}
	p = &t->points[t->nr_points++];
	p->ts_ns = s->ts_ns;
	for (uint32_t z = 0; z < t->nr_zones; z++)
		memcpy(p->free_blocks[z], s->zones[z].free_blocks, sizeof(p->free_blocks[z]));
}

int timeline_add(struct timeline *t, const struct state_sample *s)
{
	if (!t->first) {
		t->first = malloc(sizeof(*s));
		t->last = malloc(sizeof(*s));
		t->points = calloc(TIMELINE_MAX_POINTS, sizeof(*t->points));
		if (!t->first || !t->last || !t->points)
			return -ENOMEM;
		*t->first = *s;
		t->nr_zones = s->nr_zones < TIMELINE_MAX_ZONES ? s->nr_zones : TIMELINE_MAX_ZONES;
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
