// SPDX-License-Identifier: GPL-2.0
/*
 * Samples read back from a recording, and made into a struct state so that
 * code written for a state (the doctor's rules) runs on them unchanged.
 */
#include "state/state.h"

#include <stddef.h>
#include <string.h>

static void terminate(char *s, size_t size)
{
	s[size - 1] = 0;
}

/* Version 2 ends its sysctls.value[] STATE_SYSCTL_V2_COUNT entries in: the rest moves up. */
static void load_v2(const unsigned char *v2, struct state_sample *out)
{
	size_t head = offsetof(struct state_sample, sysctls.value) + STATE_SYSCTL_V2_COUNT * sizeof(int64_t);
	size_t gap = (STATE_SYSCTL_COUNT - STATE_SYSCTL_V2_COUNT) * sizeof(int64_t);

	memset(out, 0, sizeof(*out));
	memcpy(out, v2, head);
	memcpy((unsigned char *)out + head + gap, v2 + head, STATE_SAMPLE_V2_SIZE - head);
	out->sysctls.present &= (1ull << STATE_SYSCTL_V2_COUNT) - 1;
}

int state_sample_load(const void *bytes, size_t len, struct state_sample *out)
{
	uint32_t version;

	if (len < sizeof(version))
		return -1;
	memcpy(&version, bytes, sizeof(version));
	if (version == STATE_SAMPLE_VERSION && len == sizeof(*out)) {
		memcpy(out, bytes, sizeof(*out));
	} else if (version == 2 && len == STATE_SAMPLE_V2_SIZE) {
		load_v2(bytes, out);
	} else if (version == 1 && len == STATE_SAMPLE_V1_SIZE) {
		memset(out, 0, sizeof(*out));
		memcpy(out, bytes, STATE_SAMPLE_V1_SIZE);
	} else {
		return -1;
	}
	if (out->nr_zones > STATE_SAMPLE_MAX_ZONES || out->nr_orders > FS_ORDERS ||
	    out->nr_migratetypes > FS_MIGRATETYPES)
		return -1;
	for (uint32_t z = 0; z < out->nr_zones; z++) {
		if (out->zones[z].nr_orders > FS_ORDERS)
			return -1;
		terminate(out->zones[z].name, sizeof(out->zones[z].name));
	}
	terminate(out->sysctls.thp_enabled, sizeof(out->sysctls.thp_enabled));
	terminate(out->sysctls.thp_defrag, sizeof(out->sysctls.thp_defrag));
	for (uint32_t t = 0; t < FS_MIGRATETYPES; t++)
		terminate(out->migratetype_names[t], sizeof(out->migratetype_names[t]));
	return 0;
}

/* The zone of @s that is node @node's zone @name, or -1. */
static int sample_zone(const struct state_sample *s, int32_t node, const char *name)
{
	for (uint32_t z = 0; z < s->nr_zones; z++)
		if (s->zones[z].node == node && !strcmp(s->zones[z].name, name))
			return z;
	return -1;
}

static void add_pageblocks(const struct state_sample *pt, struct state *out)
{
	int unmovable, reclaimable;

	out->has_pagetypeinfo = true;
	out->pagetypeinfo_capped = pt->pagetypeinfo_capped;
	out->pageblock_order = pt->pageblock_order;
	out->pages_per_block = pt->pages_per_block;
	out->nr_migratetypes = pt->nr_migratetypes;
	memcpy(out->migratetype_names, pt->migratetype_names, sizeof(out->migratetype_names));
	unmovable = state_migratetype_index(out, "Unmovable");
	reclaimable = state_migratetype_index(out, "Reclaimable");
	for (uint32_t i = 0; i < out->nr_zones; i++) {
		struct state_zone *z = &out->zones[i];
		int from = sample_zone(pt, z->core.node, z->core.name);

		if (from < 0)
			continue;
		z->has_pageblocks = true;
		memcpy(z->pageblocks, pt->pageblocks[from].pageblocks, sizeof(z->pageblocks));
		if (unmovable >= 0)
			memcpy(z->free_by_type[unmovable], pt->pageblocks[from].free_unmovable,
			       sizeof(z->free_by_type[unmovable]));
		if (reclaimable >= 0)
			memcpy(z->free_by_type[reclaimable], pt->pageblocks[from].free_reclaimable,
			       sizeof(z->free_by_type[reclaimable]));
	}
}

void state_from_sample(const struct state_sample *s, const struct state_sample *types,
		       unsigned int page_kb, struct state *out)
{
	memset(out, 0, sizeof(*out));
	out->nr_orders = s->nr_orders;
	out->page_kb = page_kb;
	out->nr_zones = s->nr_zones < STATE_MAX_ZONES ? s->nr_zones : STATE_MAX_ZONES;
	for (uint32_t i = 0; i < out->nr_zones; i++) {
		out->zones[i].core = s->zones[i];
		out->zones[i].populated = true; /* a sample holds populated zones only */
		out->zones[i].nr_free_pages = s->zones[i].pages_free;
	}
	out->counters = s->counters;
	out->meminfo = s->meminfo;
	out->has_sysctls = s->has_sysctls;
	if (s->has_sysctls)
		out->sysctls = s->sysctls;
	out->uptime_seconds = s->uptime_seconds;
	if (types && types->has_pagetypeinfo)
		add_pageblocks(types, out);
	else if (s->has_pagetypeinfo)
		add_pageblocks(s, out);
}
