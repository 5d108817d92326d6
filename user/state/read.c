// SPDX-License-Identifier: GPL-2.0
/* All of a machine's fragmentation state at once, and the sample taken from it. */
#include "state/internal.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The files must describe the same zones; a mix of two machines' files would not. */
static int check_zones(const char *root, const struct state *st, struct state_error *err)
{
	char path[STATE_PATH_MAX];

	state_join_path(path, sizeof(path), root, "proc/buddyinfo");
	for (unsigned int i = 0; i < st->nr_zones; i++) {
		const struct state_zone *z = &st->zones[i];

		if (z->populated && !z->core.has_zoneinfo)
			return state_fail(err, STATE_ERR_FORMAT, path,
					  "node %d zone %s is not in zoneinfo", z->core.node,
					  z->core.name);
		if (z->core.has_types && !z->populated)
			return state_fail(err, STATE_ERR_FORMAT, path,
					  "node %d zone %s is in pagetypeinfo but not here",
					  z->core.node, z->core.name);
	}
	return STATE_OK;
}

static int read_pagetypeinfo(const char *root, unsigned int flags, struct state *st,
			     struct state_error *err)
{
	int ret;

	if (!(flags & (STATE_WITH_PAGETYPEINFO | STATE_TRY_PAGETYPEINFO)))
		return STATE_OK;
	ret = state_read_pagetypeinfo(root, st, err);
	if (ret == STATE_ERR_IO && !(flags & STATE_WITH_PAGETYPEINFO)) {
		/* Mode 0400: unprivileged users get EACCES; the caller goes without. */
		st->pagetypeinfo_errno = err->sys_errno;
		return STATE_OK;
	}
	return ret;
}

int state_read(const char *root, unsigned int flags, struct state *st, struct state_error *err)
{
	struct state_error local;
	int ret;

	if (!err)
		err = &local;
	memset(err, 0, sizeof(*err));
	memset(st, 0, sizeof(*st));
	st->page_kb = sysconf(_SC_PAGESIZE) / 1024;

	ret = state_read_zoneinfo(root, st, err);
	if (!ret)
		ret = state_read_buddyinfo(root, st, err);
	if (!ret)
		ret = read_pagetypeinfo(root, flags, st, err);
	if (!ret)
		ret = check_zones(root, st, err);
	if (!ret)
		ret = state_read_vmstat(root, &st->vmstat, err);
	if (!ret) {
		state_counters_from_vmstat(&st->vmstat, &st->counters);
		ret = state_read_meminfo(root, &st->meminfo, err);
	}
	if (!ret && (flags & STATE_WITH_SYSCTLS)) {
		ret = state_read_sysctls(root, &st->sysctls, err);
		st->has_sysctls = !ret;
	}
	if (!ret)
		ret = state_read_uptime(root, &st->uptime_seconds, err);
	return ret;
}

double state_pages_mib(const struct state *st, uint64_t pages)
{
	return pages * (double)st->page_kb / 1024.0;
}

/* The pageblock figures of a zone, for a sample (see struct state_zone_pageblocks). */
static void sample_pageblocks(const struct state *st, const struct state_zone *z,
			      struct state_zone_pageblocks *out)
{
	int unmovable = state_migratetype_index(st, "Unmovable");
	int reclaimable = state_migratetype_index(st, "Reclaimable");

	memcpy(out->pageblocks, z->pageblocks, sizeof(out->pageblocks));
	if (unmovable >= 0)
		memcpy(out->free_unmovable, z->free_by_type[unmovable], sizeof(out->free_unmovable));
	if (reclaimable >= 0)
		memcpy(out->free_reclaimable, z->free_by_type[reclaimable],
		       sizeof(out->free_reclaimable));
}

int state_sample(const char *root, bool with_pagetypeinfo, struct state_sample *out,
		 struct state_error *err)
{
	struct state *st = malloc(sizeof(*st));
	unsigned int flags = STATE_WITH_SYSCTLS | (with_pagetypeinfo ? STATE_WITH_PAGETYPEINFO : 0);
	struct timespec now;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!st)
		return state_fail(err, STATE_ERR_IO, root, "out of memory");
	clock_gettime(CLOCK_MONOTONIC, &now);
	ret = state_read(root, flags, st, err);
	for (unsigned int i = 0; !ret && i < st->nr_zones; i++) {
		if (!st->zones[i].populated)
			continue;
		if (out->nr_zones == STATE_SAMPLE_MAX_ZONES) {
			ret = state_fail(err, STATE_ERR_FORMAT, root,
					 "more than %d populated zones", STATE_SAMPLE_MAX_ZONES);
			break;
		}
		if (st->has_pagetypeinfo)
			sample_pageblocks(st, &st->zones[i], &out->pageblocks[out->nr_zones]);
		out->zones[out->nr_zones++] = st->zones[i].core;
	}
	if (!ret) {
		out->version = STATE_SAMPLE_VERSION;
		out->ts_ns = (uint64_t)now.tv_sec * 1000000000ull + now.tv_nsec;
		out->nr_orders = st->nr_orders;
		out->has_pagetypeinfo = st->has_pagetypeinfo;
		out->counters = st->counters;
		out->meminfo = st->meminfo;
		out->has_sysctls = st->has_sysctls;
		out->sysctls = st->sysctls;
		out->uptime_seconds = st->uptime_seconds;
		if (st->has_pagetypeinfo) {
			out->pagetypeinfo_capped = st->pagetypeinfo_capped;
			out->pageblock_order = st->pageblock_order;
			out->pages_per_block = st->pages_per_block;
			out->nr_migratetypes = st->nr_migratetypes;
			memcpy(out->migratetype_names, st->migratetype_names,
			       sizeof(out->migratetype_names));
		}
	}
	free(st);
	return ret;
}
