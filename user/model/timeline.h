/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fragmentation state over a trace: the /proc samples taken beside the
 * events (state_sample()), kept as the first and last sample (and the
 * latest that read pagetypeinfo, which is taken less often), each zone's
 * low point per order, and a bounded series of free blocks for charts.
 */
#ifndef FS_MODEL_TIMELINE_H
#define FS_MODEL_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fragscope.h"
#include "state/state.h"

#define TIMELINE_MAX_ZONES 8
/* At most this many points: when full, every other one is dropped. */
#define TIMELINE_MAX_POINTS 512

struct timeline_point {
	uint64_t ts_ns;
	uint64_t (*free_blocks)[FS_ORDERS]; /* [zone][order], nr_zones rows of the timeline's rows */
};

struct timeline {
	uint32_t nr_samples;
	uint32_t nr_zones;
	struct state_sample *first, *last;
	struct state_sample *last_types; /* the latest with has_pagetypeinfo; NULL if none */
	uint64_t min_free_blocks[TIMELINE_MAX_ZONES][FS_ORDERS]; /* the low point of each */
	struct timeline_point *points;
	size_t nr_points;
	uint64_t (*rows)[FS_ORDERS]; /* TIMELINE_MAX_POINTS x nr_zones: the points' free blocks */
	uint32_t stride;    /* keep one sample in this many (doubles when full) */
	uint32_t countdown; /* samples left until the next kept one */
};

void timeline_init(struct timeline *t);
void timeline_free(struct timeline *t);
int timeline_add(struct timeline *t, const struct state_sample *s);
/* "node0/Normal" */
void timeline_zone_name(const struct state_sample *s, uint32_t zone, char *buf, size_t len);
/* Free blocks of order >= order in a sample's zone: what could serve such a request. */
uint64_t free_blocks_from(const struct state_zone_free *z, uint32_t order);

#endif
