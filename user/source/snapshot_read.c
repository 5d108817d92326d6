// SPDX-License-Identifier: GPL-2.0
/*
 * Reading the in-kernel aggregates (the BPF maps) into a struct snapshot:
 * per-CPU values summed, each stack fetched once.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "fragscope.skel.h"
#include "source/tracer.h"
#include "state/state.h"
#include "util/clock.h"

/* Sum a per-CPU value made of u64 fields over CPUs into out. */
static void sum_percpu(const void *percpu, size_t value_size, int ncpus, void *out)
{
	size_t fields = value_size / sizeof(uint64_t), stride = (value_size + 7) & ~7UL;
	uint64_t *dst = out;

	memset(out, 0, value_size);
	for (int cpu = 0; cpu < ncpus; cpu++) {
		const uint64_t *src = (const uint64_t *)((const char *)percpu + cpu * stride);

		for (size_t f = 0; f < fields; f++)
			dst[f] += src[f];
	}
}

static int read_percpu_array(struct tracer *t, int fd, uint32_t n, uint64_t *out)
{
	for (uint32_t key = 0; key < n; key++) {
		if (bpf_map_lookup_elem(fd, &key, t->percpu_buf))
			return -errno;
		sum_percpu(t->percpu_buf, sizeof(uint64_t), t->ncpus, &out[key]);
	}
	return 0;
}

typedef int (*entry_fn)(struct tracer *t, struct snapshot *s, const void *key, const void *value);

/* Every entry of a hash map; per-CPU values arrive summed. */
static int read_hash(struct tracer *t, struct snapshot *s, int fd, size_t key_size, size_t value_size,
		     bool percpu, entry_fn fn)
{
	char key[64], next[64], value[sizeof(struct fs_proc_value) > sizeof(struct fs_callsite_value)
					     ? sizeof(struct fs_proc_value) : sizeof(struct fs_callsite_value)];
	void *prev = NULL;
	int err;

	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, key_size);
		prev = key;
		if (bpf_map_lookup_elem(fd, key, percpu ? t->percpu_buf : value))
			continue; /* deleted meanwhile */
		if (percpu)
			sum_percpu(t->percpu_buf, value_size, t->ncpus, value);
		err = fn(t, s, key, value);
		if (err)
			return err;
	}
	return 0;
}

static int add_proc(struct tracer *t, struct snapshot *s, const void *key, const void *value)
{
	struct snap_proc p;

	(void)t;
	memcpy(&p.key, key, sizeof(p.key));
	memcpy(&p.value, value, sizeof(p.value));
	return snapshot_add_proc(s, &p);
}

static int add_callsite(struct tracer *t, struct snapshot *s, const void *key, const void *value)
{
	struct snap_callsite c;

	(void)t;
	memcpy(&c.key, key, sizeof(c.key));
	memcpy(&c.value, value, sizeof(c.value));
	return snapshot_add_callsite(s, &c);
}

/*
 * Add the per-CPU call-site caches (fs_callsite_slots) of both probes into
 * the entries read from the callsites hash, one entry per call site, then
 * derive the probes' hit counts from the summed counts: the programs count
 * as hits only the events no map kept.
 */
static int add_callsite_slots(struct tracer *t, struct snapshot *out)
{
	int fds[2] = { bpf_map__fd(t->skel->maps.kmalloc_slots), bpf_map__fd(t->skel->maps.kcache_slots) };
	size_t stride = sizeof(struct fs_callsite_slots);
	struct u64map index[2]; /* per is_cache: call site -> entry index + 1 */
	struct fs_callsite_slots *buf;
	uint32_t zero = 0;
	bool inserted;
	int err = 0;

	buf = malloc(stride * t->ncpus);
	if (!buf)
		return -ENOMEM;
	u64map_init(&index[0]);
	u64map_init(&index[1]);
	for (size_t i = 0; i < out->nr_callsites && !err; i++) {
		const struct fs_callsite_key *k = &out->callsites[i].key;
		uint64_t *at = u64map_upsert(&index[k->is_cache != 0], k->call_site, &inserted);

		if (!at)
			err = -ENOMEM;
		else
			*at = i + 1;
	}
	for (int c = 0; c < 2 && !err; c++) {
		if (bpf_map_lookup_elem(fds[c], &zero, buf)) {
			err = -errno;
			break;
		}
		for (int cpu = 0; cpu < t->ncpus && !err; cpu++) {
			const struct fs_callsite_slots *slots = (const void *)((const char *)buf + cpu * stride);

			for (uint32_t i = 0; i < FS_CALLSITE_SLOTS && !err; i++) {
				const struct fs_callsite_slot *sl = &slots->slot[i];
				struct fs_callsite_value *v;
				uint64_t *at;

				if (!sl->count)
					continue;
				at = u64map_upsert(&index[c], sl->call_site, &inserted);
				if (!at) {
					err = -ENOMEM;
					break;
				}
				if (!*at) {
					struct snap_callsite n = { .key = { .call_site = sl->call_site, .is_cache = c } };

					err = snapshot_add_callsite(out, &n);
					if (err)
						break;
					*at = out->nr_callsites;
				}
				v = &out->callsites[*at - 1].value;
				v->count += sl->count;
				v->bytes_req += sl->bytes_req;
				v->bytes_alloc += sl->bytes_alloc;
			}
		}
	}
	for (size_t i = 0; i < out->nr_callsites && !err; i++) {
		const struct snap_callsite *cs = &out->callsites[i];

		out->counters[FS_CTR_PROBE_HITS + (cs->key.is_cache ? FS_PROBE_KMEM_CACHE_ALLOC : FS_PROBE_KMALLOC)] +=
			cs->value.count;
	}
	u64map_free(&index[0]);
	u64map_free(&index[1]);
	free(buf);
	return err;
}

static int add_extfrag(struct tracer *t, struct snapshot *s, const void *key, const void *value)
{
	struct snap_extfrag x;

	(void)t;
	memcpy(&x.key, key, sizeof(x.key));
	memcpy(&x.count, value, sizeof(x.count));
	return snapshot_add_extfrag(s, &x);
}

/* Stack ids are never reused (no BPF_F_REUSE_STACKID), so each is fetched once. */
static int add_stack(struct tracer *t, struct snapshot *s, const void *key, const void *value)
{
	struct snap_stack st = {};
	uint64_t *slot;
	bool inserted;

	memcpy(&st.key, key, sizeof(st.key));
	memcpy(&st.count, value, sizeof(st.count));
	slot = u64map_upsert(&t->stack_cache, (uint32_t)st.key.stack_id, &inserted);
	if (!slot)
		return -ENOMEM;
	if (inserted) {
		size_t n = t->nr_cached;

		if ((n & (n - 1)) == 0) {
			void *frames = realloc(t->cached_stacks, (n ? n * 2 : 1) * sizeof(*t->cached_stacks));
			void *nrs = frames ? realloc(t->cached_nr, (n ? n * 2 : 1) * sizeof(*t->cached_nr)) : NULL;

			if (frames)
				t->cached_stacks = frames;
			if (!frames || !nrs) {
				u64map_remove(&t->stack_cache, (uint32_t)st.key.stack_id);
				return -ENOMEM;
			}
			t->cached_nr = nrs;
		}
		memset(t->cached_stacks[n], 0, sizeof(t->cached_stacks[n]));
		bpf_map_lookup_elem(bpf_map__fd(t->skel->maps.stacks), &st.key.stack_id, t->cached_stacks[n]);
		t->cached_nr[n] = 0;
		while (t->cached_nr[n] < FS_MAX_FRAMES && t->cached_stacks[n][t->cached_nr[n]])
			t->cached_nr[n]++;
		*slot = ++t->nr_cached;
	}
	st.nr_frames = t->cached_nr[*slot - 1];
	memcpy(st.frames, t->cached_stacks[*slot - 1], st.nr_frames * sizeof(uint64_t));
	return snapshot_add_stack(s, &st);
}

bool tracer_read_pgalloc(struct tracer *t, uint64_t *pages)
{
	struct state_error serr;

	if (!t->vmstat && !(t->vmstat = malloc(sizeof(*t->vmstat))))
		return false;
	return !state_read_vmstat("/", t->vmstat, &serr) && state_vmstat_pgalloc(t->vmstat, pages);
}

int tracer_snapshot(struct tracer *t, struct snapshot *out)
{
	struct fragscope_bpf *s = t->skel;
	int err;

	snapshot_clear(out); /* keeps the arrays: the next snapshot needs as much */
	out->ts_ns = clock_ns(CLOCK_MONOTONIC);
	err = read_percpu_array(t, bpf_map__fd(s->maps.page_allocs), FS_PAGE_ALLOC_SLOTS, out->page_allocs);
	if (!err)
		err = read_percpu_array(t, bpf_map__fd(s->maps.counters), FS_COUNTERS, out->counters);
	if (!err)
		err = read_hash(t, out, bpf_map__fd(s->maps.proc_allocs), sizeof(struct fs_proc_key),
				sizeof(struct fs_proc_value), true, add_proc);
	if (!err)
		err = read_hash(t, out, bpf_map__fd(s->maps.callsites), sizeof(struct fs_callsite_key),
				sizeof(struct fs_callsite_value), true, add_callsite);
	if (!err)
		err = add_callsite_slots(t, out);
	if (!err)
		err = read_hash(t, out, bpf_map__fd(s->maps.extfrag), sizeof(struct fs_extfrag_key),
				sizeof(uint64_t), true, add_extfrag);
	if (!err)
		err = read_hash(t, out, bpf_map__fd(s->maps.stack_counts), sizeof(struct fs_stack_key),
				sizeof(uint64_t), false, add_stack);
	if (t->order0_from_vmstat) {
		uint64_t pages;

		/* Unreadable for once: the last sum stands, no pages counted until it reads again. */
		if (tracer_read_pgalloc(t, &pages))
			t->pgalloc_last = pages;
		out->flags |= SNAP_ORDER0_FROM_VMSTAT;
		out->pgalloc_pages = t->pgalloc_last - t->pgalloc_at_attach;
	}
	return err;
}
