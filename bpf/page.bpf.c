// SPDX-License-Identifier: GPL-2.0
/*
 * The page allocator: every allocation by order x migratetype x gfp class,
 * per-process counts and stacks of the larger orders, failures, and the
 * external-fragmentation fallbacks that pollute pageblocks.
 *
 * mm_page_alloc is the hottest probe: the common case is one filter check
 * and one per-CPU array increment; anything keyed happens only above the
 * configured orders.
 */
#include "fragscope.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FS_PAGE_ALLOC_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} page_allocs SEC(".maps");

/* Per-CPU values: a process allocating on many CPUs shares no counter between them. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct fs_proc_key);
	__type(value, struct fs_proc_value);
} proc_allocs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct fs_extfrag_key);
	__type(value, __u64);
} extfrag SEC(".maps");

static __always_inline __u32 gfp_class(__u64 gfp)
{
	if (!(gfp & gfp_direct_reclaim))
		return (gfp & gfp_high) ? FS_GFP_ATOMIC : FS_GFP_NOWAIT;
	return (gfp & gfp_mayfail) ? FS_GFP_MAYFAIL : FS_GFP_NORMAL;
}

static __always_inline void count_process(__u32 order)
{
	struct fs_proc_key key = {
		.cgroup_id = current_memcg_id(),
		.pid = bpf_get_current_pid_tgid() >> 32,
		.order = order,
	};
	struct fs_proc_value *v, init = { .count = 1 };

	bpf_get_current_comm(key.comm, sizeof(key.comm));
	v = bpf_map_lookup_elem(&proc_allocs, &key);
	if (v) {
		v->count++;
		return;
	}
	count_map_full(bpf_map_update_elem(&proc_allocs, &key, &init, BPF_NOEXIST), FS_MAP_PROC);
}

/*
 * The nodes the failing task could take from: its mempolicy (a task
 * without one follows the default, local-first policy) and its cpuset's
 * mems_allowed, nodes 0-63.  Read at the failure: both change at runtime.
 */
static __always_inline void read_task_nodes(struct fs_page_fail *p)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct mempolicy *pol;

	p->policy_mode = 0;
	p->policy_nodes = 0;
	p->cpuset_nodes = 0;
	p->nodes_read = 0;
	if (bpf_core_field_exists(task->mems_allowed)) {
		p->cpuset_nodes = BPF_CORE_READ(task, mems_allowed.bits[0]);
		p->nodes_read |= FS_NODES_CPUSET;
	}
	if (!bpf_core_field_exists(task->mempolicy))
		return;
	p->nodes_read |= FS_NODES_POLICY;
	pol = BPF_CORE_READ(task, mempolicy);
	if (!pol)
		return;
	p->policy_mode = BPF_CORE_READ(pol, mode);
	if (bpf_core_field_exists(pol->nodes)) {
		p->policy_nodes = BPF_CORE_READ(pol, nodes.bits[0]);
	} else {
		struct mempolicy___v_nodes *old = (void *)pol;

		p->policy_nodes = BPF_CORE_READ(old, v.nodes.bits[0]);
	}
}

static __always_inline int on_page_alloc(void *ctx, bool failed, __u32 order, __u64 gfp, __s32 mt)
{
	__u32 slot;
	__u64 *n;

	if (task_excluded())
		return 0;
	order = clamp_order(order);
	slot = fs_page_alloc_index(order, clamp_migratetype(mt), gfp_class(gfp));
	n = bpf_map_lookup_elem(&page_allocs, &slot);
	if (n)
		(*n)++;
	if (order >= min_order)
		count_process(order);
	if (order >= stack_order) {
		struct fs_stack_key key = { .kind = FS_STACK_HIGH_ORDER, .order = order,
					    .migratetype = clamp_migratetype(mt) };
		count_stack(ctx, &key);
	}
	if (failed) {
		struct fs_event *e;

		count(FS_CTR_PAGE_FAIL + order);
		e = event_start(FS_EV_PAGE_FAIL);

		if (!e)
			return 0;
		__u32 tid = e->hdr.tid;
		__u64 *vmalloc_bytes = bpf_map_lookup_elem(&vmalloc_sizes, &tid);

		e->page.gfp = gfp;
		e->page.order = order;
		e->page.migratetype = mt;
		e->page.vmalloc_bytes = vmalloc_bytes ? *vmalloc_bytes : 0;
		read_task_nodes(&e->page);
		failure_submit(ctx, e);
	}
	return 0;
}

SEC("tp_btf/mm_page_alloc")
int BPF_PROG(page_alloc_btf, struct page *page, unsigned int order, gfp_t gfp, int migratetype)
{
	return on_page_alloc(ctx, !page, order, gfp, migratetype);
}

/*
 * page_alloc_btf without its common case: a successful order-0 allocation
 * (about nine page events in ten) returns after one test of the arguments,
 * before any load of fragscope's memory, whose lines are cold by the time
 * the next page event comes (docs/performance.md, "The page-allocation hot
 * path").  The kernel counts those pages itself (/proc/vmstat pgalloc_*),
 * from which user space derives order 0.  Failed order-0 allocations still
 * take the full path.  A separate program rather than a const volatile
 * switch: the verifier drops a dead branch but not the .rodata loads
 * before it.  The name fits the kernel's 15 characters for bpftool.
 */
SEC("tp_btf/mm_page_alloc")
int BPF_PROG(page_above0_btf, struct page *page, unsigned int order, gfp_t gfp, int migratetype)
{
	if (!order && page)
		return 0;
	return on_page_alloc(ctx, !page, order, gfp, migratetype);
}

SEC("tracepoint/kmem/mm_page_alloc")
int page_alloc_tp(struct trace_event_raw_mm_page_alloc *ctx)
{
	return on_page_alloc(ctx, ctx->pfn == (unsigned long)-1, ctx->order, ctx->gfp_flags,
			     ctx->migratetype);
}

/*
 * Classic tracepoint on purpose: change_ownership is computed by the
 * tracepoint from the pageblock bitmap, which a typed tracepoint lacks.
 */
SEC("tracepoint/kmem/mm_page_alloc_extfrag")
int extfrag_tp(struct trace_event_raw_mm_page_alloc_extfrag *ctx)
{
	struct fs_extfrag_key key = {
		.alloc_order = clamp_order(ctx->alloc_order),
		.fallback_order = clamp_order(ctx->fallback_order),
		.alloc_migratetype = clamp_migratetype(ctx->alloc_migratetype),
		.fallback_migratetype = clamp_migratetype(ctx->fallback_migratetype),
		.change_ownership = ctx->change_ownership != 0,
	};
	__u64 one = 1, *n;

	if (task_excluded())
		return 0;
	count(FS_CTR_PROBE_HITS + FS_PROBE_EXTFRAG);
	n = bpf_map_lookup_elem(&extfrag, &key);
	if (n)
		(*n)++;
	else
		count_map_full(bpf_map_update_elem(&extfrag, &key, &one, BPF_NOEXIST), FS_MAP_EXTFRAG);
	if (extfrag_stacks) {
		struct fs_stack_key skey = { .kind = FS_STACK_EXTFRAG, .order = key.alloc_order,
					     .migratetype = key.alloc_migratetype,
					     .fallback_migratetype = key.fallback_migratetype };
		count_stack(ctx, &skey);
	}
	return 0;
}
