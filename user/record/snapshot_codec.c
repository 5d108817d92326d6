// SPDX-License-Identifier: GPL-2.0
#include "record/snapshot_codec.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct encoded_counts {
	uint64_t ts_ns;
	uint32_t nr_procs, nr_callsites, nr_extfrags, nr_stacks;
};

/* After the counters, from format 6: where order 0 came from (struct snapshot). */
struct encoded_order0 {
	uint32_t flags;
	uint32_t pad;
	uint64_t pgalloc_pages;
};

/* An encoded stack: key, count and frame count, then only the frames used. */
struct encoded_stack {
	struct fs_stack_key key;
	uint64_t count;
	uint32_t nr_frames;
	uint32_t pad;
};

/* Append n bytes; memcpy from NULL is undefined even for 0 bytes, and empty arrays are NULL. */
static void put(char **p, const void *src, size_t n)
{
	if (n) {
		memcpy(*p, src, n);
		*p += n;
	}
}

void *snapshot_encode(const struct snapshot *s, size_t *len)
{
	struct encoded_counts counts = { s->ts_ns, s->nr_procs, s->nr_callsites, s->nr_extfrags, s->nr_stacks };
	struct encoded_order0 order0 = { s->flags, 0, s->pgalloc_pages };
	size_t size = sizeof(counts) + sizeof(s->page_allocs) + sizeof(s->counters) + sizeof(order0) +
		      s->nr_procs * sizeof(*s->procs) + s->nr_callsites * sizeof(*s->callsites) +
		      s->nr_extfrags * sizeof(*s->extfrags);
	char *buf, *p;

	for (size_t i = 0; i < s->nr_stacks; i++)
		size += sizeof(struct encoded_stack) + s->stacks[i].nr_frames * sizeof(uint64_t);
	p = buf = malloc(size);
	if (!buf)
		return NULL;
	put(&p, &counts, sizeof(counts));
	put(&p, s->page_allocs, sizeof(s->page_allocs));
	put(&p, s->counters, sizeof(s->counters));
	put(&p, &order0, sizeof(order0));
	put(&p, s->procs, s->nr_procs * sizeof(*s->procs));
	put(&p, s->callsites, s->nr_callsites * sizeof(*s->callsites));
	put(&p, s->extfrags, s->nr_extfrags * sizeof(*s->extfrags));
	for (size_t i = 0; i < s->nr_stacks; i++) {
		const struct snap_stack *st = &s->stacks[i];
		struct encoded_stack e = { st->key, st->count, st->nr_frames, 0 };

		put(&p, &e, sizeof(e));
		put(&p, st->frames, st->nr_frames * sizeof(uint64_t));
	}
	*len = size;
	return buf;
}

/* Copy n bytes out of the input, failing instead of reading past its end. */
static bool take(const char **p, const char *end, void *dst, size_t n)
{
	if ((size_t)(end - *p) < n)
		return false;
	memcpy(dst, *p, n);
	*p += n;
	return true;
}

/*
 * Formats 1 and 2 had 15 probes, 8 event types and 6 maps, so their
 * counter runs started elsewhere, and no request counters: each run moves
 * to where it starts now.
 */
#define FS_COUNTERS_V2 65
/* Formats 3-5 ended before the failed page allocations by order. */
#define FS_COUNTERS_V5 FS_CTR_PAGE_FAIL
static const struct {
	uint16_t from, to, len;
} counters_v2[] = {
	{ 0, FS_CTR_PROBE_HITS, 15 }, { 15, FS_CTR_LOST, 8 },      { 23, FS_CTR_MAP_FULL, 6 },
	{ 29, FS_CTR_STACK_COLLISION, 1 }, { 30, FS_CTR_STACK_ERROR, 1 }, { 31, FS_CTR_DEFERRED, FS_ORDERS },
	{ 47, FS_CTR_KCOMPACTD_WAKE, FS_ORDERS }, { 63, FS_CTR_BG_COMPACT, 1 }, { 64, FS_CTR_VMAP_AREA, 1 },
};

static bool take_counters(const char **p, const char *end, uint32_t format_version, uint64_t *out)
{
	uint64_t old[FS_COUNTERS_V2];

	if (format_version >= 6)
		return take(p, end, out, FS_COUNTERS * sizeof(uint64_t));
	if (format_version >= 3)
		return take(p, end, out, FS_COUNTERS_V5 * sizeof(uint64_t));
	if (!take(p, end, old, sizeof(old)))
		return false;
	for (size_t i = 0; i < sizeof(counters_v2) / sizeof(*counters_v2); i++)
		memcpy(out + counters_v2[i].to, old + counters_v2[i].from, counters_v2[i].len * sizeof(uint64_t));
	return true;
}

/* A per-process count as formats 1-3 wrote it: the comm of the pid's first allocation, in the value. */
struct snap_proc_v3 {
	uint64_t cgroup_id;
	uint32_t pid;
	uint32_t order;
	uint64_t count;
	char comm[FS_COMM_LEN];
};

static bool take_proc(const char **p, const char *end, uint32_t format_version, struct snap_proc *v)
{
	struct snap_proc_v3 old;

	if (format_version >= 4)
		return take(p, end, v, sizeof(*v));
	if (!take(p, end, &old, sizeof(old)))
		return false;
	v->key.cgroup_id = old.cgroup_id;
	v->key.pid = old.pid;
	v->key.order = old.order;
	memcpy(v->key.comm, old.comm, sizeof(v->key.comm));
	v->value.count = old.count;
	return true;
}

int snapshot_decode(const void *data, size_t len, uint32_t format_version, struct snapshot *out)
{
	const char *p = data, *end = p + len;
	struct encoded_counts counts;
	int err = 0;

	snapshot_clear(out);
	if (!take(&p, end, &counts, sizeof(counts)) || !take(&p, end, out->page_allocs, sizeof(out->page_allocs)) ||
	    !take_counters(&p, end, format_version, out->counters))
		return -EINVAL;
	if (format_version >= 6) {
		struct encoded_order0 order0;

		if (!take(&p, end, &order0, sizeof(order0)))
			return -EINVAL;
		out->flags = order0.flags;
		out->pgalloc_pages = order0.pgalloc_pages;
	}
	out->ts_ns = counts.ts_ns;
	for (uint32_t i = 0; i < counts.nr_procs && !err; i++) {
		struct snap_proc v;

		err = take_proc(&p, end, format_version, &v) ? snapshot_add_proc(out, &v) : -EINVAL;
	}
	for (uint32_t i = 0; i < counts.nr_callsites && !err; i++) {
		struct snap_callsite v;

		err = take(&p, end, &v, sizeof(v)) ? snapshot_add_callsite(out, &v) : -EINVAL;
	}
	for (uint32_t i = 0; i < counts.nr_extfrags && !err; i++) {
		struct snap_extfrag v;

		err = take(&p, end, &v, sizeof(v)) ? snapshot_add_extfrag(out, &v) : -EINVAL;
	}
	for (uint32_t i = 0; i < counts.nr_stacks && !err; i++) {
		struct encoded_stack e;
		struct snap_stack st;

		if (!take(&p, end, &e, sizeof(e)) || e.nr_frames > FS_MAX_FRAMES ||
		    !take(&p, end, st.frames, e.nr_frames * sizeof(uint64_t))) {
			err = -EINVAL;
			break;
		}
		st.key = e.key;
		st.count = e.count;
		st.nr_frames = e.nr_frames;
		err = snapshot_add_stack(out, &st);
	}
	if (!err && p != end)
		err = -EINVAL;
	if (err)
		snapshot_free(out);
	return err;
}
