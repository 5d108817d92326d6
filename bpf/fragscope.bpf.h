/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every fragscope BPF program shares: the maps and read-only
 * configuration (defined once in maps.bpf.c, linked into one object by
 * bpftool), the task filter, and the ring-buffer event helpers.
 */
#ifndef FRAGSCOPE_BPF_H
#define FRAGSCOPE_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "fragscope.h"
#include "compat.bpf.h"

#define EEXIST 17
#define E2BIG 7
#define ENOMEM 12
#define PF_KTHREAD 0x00200000 /* include/linux/sched.h, stable since 2.6 */

/* Filters and thresholds, set by user space before load (configure() in user/source/tracer.c). */
extern const volatile __u32 filter_tgid;
extern const volatile __u32 self_tgid; /* fragscope itself: its map reads allocate */
extern const volatile __u64 filter_cgroup_id;
extern const volatile __u32 filter_cgroup_level;
extern const volatile char filter_comm[FS_COMM_LEN];
extern const volatile __u32 min_order;
extern const volatile __u32 stack_order;
extern const volatile bool extfrag_stacks;
extern const volatile __u64 ringbuf_wakeup_bytes;
/* gfp bits of the running kernel, read from its tracepoint format or BTF. */
extern const volatile __u64 gfp_direct_reclaim;
extern const volatile __u64 gfp_high;
extern const volatile __u64 gfp_mayfail;
extern const volatile bool track_requests;
extern const volatile __u64 page_size; /* the kernel's, set before load */
/* Tasks with a request open (entries of open_requests): 0 lets every syscall exit return at once. */
extern __u64 open_request_count;
/*
 * The kernel's interrupt entry text, [start, end) of .irqentry.text and of
 * .softirqentry.text, from kallsyms: a failure whose stack passes through
 * them ran in an interrupt.  Set by user space after the load (0: unknown).
 */
extern __u64 interrupt_text[4];

/*
 * The shared maps are written once: maps.bpf.c defines FS_DEFINE_SHARED_MAPS
 * to own them, every other file sees the same text as extern declarations.
 */
#ifdef FS_DEFINE_SHARED_MAPS
#define FS_SHARED
#else
#define FS_SHARED extern
#endif

FS_SHARED struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} events SEC(".maps");

FS_SHARED struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FS_COUNTERS);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

FS_SHARED struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fs_event);
} event_scratch SEC(".maps");

FS_SHARED struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 16384);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, FS_MAX_FRAMES * sizeof(__u64));
} stacks SEC(".maps");

FS_SHARED struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct fs_stack_key);
	__type(value, __u64);
} stack_counts SEC(".maps");

/*
 * The size of each task's latest vmalloc area, by tid: vmalloc reserves
 * the area before its pages, so a page failure inside vmalloc tells user
 * space what the caller asked.  LRU: tasks come and go.
 */
FS_SHARED struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u64);
} vmalloc_sizes SEC(".maps");

/* A task's allocator failures since its last syscall exit (struct fs_open_request), by tid. */
FS_SHARED struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct fs_open_request);
} open_requests SEC(".maps");

static __always_inline void count(__u32 slot)
{
	__u64 *c = bpf_map_lookup_elem(&counters, &slot);

	if (c)
		(*c)++;
}

static __always_inline void count_map_full(long err, __u32 map)
{
	if (err == -E2BIG)
		count(FS_CTR_MAP_FULL + map);
}

/* Increment a u64 counter in a hash map, inserting it at 1; a full map is counted, never silent. */
static __always_inline void hash_increment(void *map, const void *key, __u32 map_id)
{
	__u64 one = 1, *c = bpf_map_lookup_elem(map, key);

	if (c) {
		__sync_fetch_and_add(c, 1);
		return;
	}
	count_map_full(bpf_map_update_elem(map, key, &one, BPF_NOEXIST), map_id);
}

/* The task's memory-controller state, on cgroup v1 or v2 alike. */
static __always_inline struct cgroup_subsys_state *current_memcg_css(void)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	int memcg_idx = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
	struct cgroup_subsys_state *css = NULL;
	struct css_set *cset = BPF_CORE_READ(task, cgroups);

	bpf_core_read(&css, sizeof(css), &cset->subsys[memcg_idx]);
	return css;
}

static __always_inline struct cgroup *current_memcg(void)
{
	struct cgroup_subsys_state *css = current_memcg_css();

	return css ? BPF_CORE_READ(css, cgroup) : NULL;
}

/* Charge and limit of the task's memory cgroup, in pages (0, 0 without memcg). */
static __always_inline void read_memcg_charge(struct fs_event_header *h)
{
	struct cgroup_subsys_state *css = current_memcg_css();
	struct mem_cgroup *memcg;

	h->memcg_usage_pages = 0;
	h->memcg_limit_pages = 0;
	if (!css || !bpf_core_type_exists(struct mem_cgroup))
		return;
	memcg = (void *)css - bpf_core_field_offset(struct mem_cgroup, css);
	h->memcg_usage_pages = BPF_CORE_READ(memcg, memory.usage.counter);
	h->memcg_limit_pages = BPF_CORE_READ(memcg, memory.max);
}

static __always_inline __u64 cgroup_id(struct cgroup *cgrp)
{
	return cgrp ? BPF_CORE_READ(cgrp, kn, id) : 0;
}

/*
 * cgroup_id(current_memcg()) for hot paths: plain loads through the
 * BTF-typed task pointer (each a fault-safe load) instead of four
 * bpf_probe_read_kernel calls, where the kernel has the helper for it.
 */
static __always_inline __u64 current_memcg_id(void)
{
	int memcg_idx = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
	struct cgroup_subsys_state *css;

	if (!has_current_task_btf)
		return cgroup_id(current_memcg());
	css = bpf_get_current_task_btf()->cgroups->subsys[memcg_idx];
	return css ? css->cgroup->kn->id : 0;
}

static __always_inline bool comm_matches(void)
{
	char comm[FS_COMM_LEN];

	bpf_get_current_comm(comm, sizeof(comm));
	for (int i = 0; i < FS_COMM_LEN; i++) {
		if (comm[i] != filter_comm[i])
			return false;
		if (!comm[i])
			break;
	}
	return true;
}

/* Is cgrp the filter's cgroup or below it? */
static __always_inline bool cgroup_selected(struct cgroup *cgrp)
{
	__u32 level = filter_cgroup_level & 63;
	struct cgroup *ancestor = NULL;
	__u64 id = 0;

	if (!cgrp || BPF_CORE_READ(cgrp, level) < (int)level)
		return false;
	if (bpf_core_field_exists(cgrp->ancestors)) {
		bpf_core_read(&ancestor, sizeof(ancestor), &cgrp->ancestors[level]);
		id = cgroup_id(ancestor);
	} else {
		struct cgroup___ancestor_ids *old = (void *)cgrp;

		bpf_core_read(&id, sizeof(id), &old->ancestor_ids[level]);
	}
	return id == filter_cgroup_id;
}

/* Filters are read-only constants, so an unused one is removed by the verifier. */
static __always_inline bool task_excluded(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (tgid == self_tgid || (filter_tgid && tgid != filter_tgid))
		return true;
	if (filter_comm[0] && !comm_matches())
		return true;
	if (filter_cgroup_id && !cgroup_selected(current_memcg()))
		return true;
	return false;
}

/* The current task's id (the kernel's pid), the key of the per-task maps. */
static __always_inline __u32 current_tid(void)
{
	return (__u32)bpf_get_current_pid_tgid();
}

static __always_inline __u32 clamp_order(__u32 order)
{
	return order < FS_ORDERS ? order : FS_ORDERS - 1;
}

static __always_inline __u32 clamp_migratetype(__s32 mt)
{
	return mt >= 0 && mt < FS_MIGRATETYPES ? mt : FS_MIGRATETYPES - 1;
}

/* The per-CPU scratch event with its header filled; NULL only if the map is missing. */
static __always_inline struct fs_event *event_start(__u32 type)
{
	__u32 zero = 0;
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct fs_event *e = bpf_map_lookup_elem(&event_scratch, &zero);

	if (!e)
		return NULL;
	e->hdr.ts_ns = bpf_ktime_get_ns();
	e->hdr.cgroup_id = cgroup_id(current_memcg());
	read_memcg_charge(&e->hdr);
	e->hdr.type = type;
	e->hdr.flags = 0;
	e->hdr.pid = pid_tgid >> 32;
	e->hdr.tid = (__u32)pid_tgid;
	e->hdr.cpu = bpf_get_smp_processor_id();
	bpf_get_current_comm(e->hdr.comm, sizeof(e->hdr.comm));
	return e;
}

/*
 * Take the kernel stack and copy only its used part into the ring buffer.
 * Consumers are woken only once enough data waits: user space also drains
 * on a timer, so no event waits long and no event costs a wakeup.
 */
static __always_inline void event_submit_stack(void *ctx, struct fs_event *e, bool with_stack)
{
	long stack_bytes = with_stack ? bpf_get_stack(ctx, e->frames, sizeof(e->frames), 0) : 0;
	__u64 size, flags = BPF_RB_NO_WAKEUP;

	if (stack_bytes < 0)
		stack_bytes = 0;
	e->hdr.nr_frames = stack_bytes / sizeof(__u64);
	size = FS_EVENT_FIXED_SIZE + (__u64)e->hdr.nr_frames * sizeof(__u64);
	if (size > sizeof(*e))
		size = sizeof(*e);
	if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= ringbuf_wakeup_bytes)
		flags = BPF_RB_FORCE_WAKEUP;
	if (bpf_ringbuf_output(&events, e, size, flags))
		count(FS_CTR_LOST + (e->hdr.type < FS_EV_TYPES ? e->hdr.type : 0));
}

static __always_inline void event_submit(void *ctx, struct fs_event *e)
{
	event_submit_stack(ctx, e, true);
}

/* An open request older than this is another request (a kernel thread's, whose syscall never ends). */
#define REQUEST_STALE_NS (1000 * 1000 * 1000ULL)

/*
 * The task's request in flight gains a failure; the first opens it.  The
 * syscall exit program closes it and says how the syscall ended.  Kernel
 * threads and the idle task make no syscalls: user space closes theirs.
 */
static __always_inline void request_note_failure(__u32 tid, __u64 ts_ns)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fs_open_request *o, init = { .first_ts_ns = ts_ns, .nr_failures = 1 };

	if (!track_requests || !tid || (BPF_CORE_READ(task, flags) & PF_KTHREAD))
		return;
	o = bpf_map_lookup_elem(&open_requests, &tid);
	if (o && ts_ns - o->first_ts_ns < REQUEST_STALE_NS) {
		o->nr_failures++;
		return;
	}
	if (o) {
		*o = init;
		count(FS_CTR_REQUEST_OPENED);
		return;
	}
	if (bpf_map_update_elem(&open_requests, &tid, &init, BPF_NOEXIST)) {
		count(FS_CTR_MAP_FULL + FS_MAP_OPEN_REQUESTS);
		return;
	}
	__sync_fetch_and_add(&open_request_count, 1);
	count(FS_CTR_REQUEST_OPENED);
}

/* Does the event's stack pass through interrupt entry?  Failure paths only: it reads every frame. */
static __always_inline bool stack_in_interrupt(const struct fs_event *e)
{
	for (int i = 0; i < FS_MAX_FRAMES && i < e->hdr.nr_frames; i++) {
		__u64 a = e->frames[i];

		if ((a >= interrupt_text[0] && a < interrupt_text[1]) ||
		    (a >= interrupt_text[2] && a < interrupt_text[3]))
			return true;
	}
	return false;
}

/*
 * A failure event: to the ring buffer, and into the task's request, unless
 * it ran in an interrupt: that is no request of the task it interrupted.
 */
static __always_inline void failure_submit(void *ctx, struct fs_event *e)
{
	event_submit(ctx, e);
	if (!stack_in_interrupt(e))
		request_note_failure(e->hdr.tid, e->hdr.ts_ns);
}

/* Count this stack under key; a stack-map collision is counted, never merged. */
static __always_inline void count_stack(void *ctx, struct fs_stack_key *key)
{
	long id = bpf_get_stackid(ctx, &stacks, 0);

	if (id < 0) {
		count(id == -EEXIST ? FS_CTR_STACK_COLLISION : FS_CTR_STACK_ERROR);
		return;
	}
	key->stack_id = id;
	hash_increment(&stack_counts, key, FS_MAP_STACK_COUNTS);
}

#endif /* FRAGSCOPE_BPF_H */
