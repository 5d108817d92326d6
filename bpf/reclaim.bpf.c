// SPDX-License-Identifier: GPL-2.0
/*
 * Reclaim stalls: a task that allocates and must reclaim first, either
 * because its zone is short (direct reclaim) or its memory cgroup is at
 * its limit (memcg reclaim).  Begin stores the start per task; end streams
 * one event with the duration.
 */
#include "fragscope.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct fs_reclaim_start);
} reclaim_starts SEC(".maps");

static __always_inline int on_reclaim_begin(__u32 probe, __u32 kind, __s32 order, __u64 gfp)
{
	__u32 tid = current_tid();
	struct fs_reclaim_start start = { .ts_ns = bpf_ktime_get_ns(), .gfp = gfp, .order = order, .kind = kind };

	if (task_excluded())
		return 0;
	count(FS_CTR_PROBE_HITS + probe);
	bpf_map_update_elem(&reclaim_starts, &tid, &start, BPF_ANY);
	return 0;
}

static __always_inline int on_reclaim_end(void *ctx, __u32 probe, __u64 nr_reclaimed)
{
	__u32 tid = current_tid();
	struct fs_reclaim_start *start = bpf_map_lookup_elem(&reclaim_starts, &tid);
	struct fs_event *e;

	if (!start)
		return 0;
	count(FS_CTR_PROBE_HITS + probe);
	e = event_start(FS_EV_RECLAIM);
	if (e) {
		e->reclaim.begin_ts_ns = start->ts_ns;
		e->reclaim.gfp = start->gfp;
		e->reclaim.nr_reclaimed = nr_reclaimed;
		e->reclaim.order = start->order;
		e->reclaim.kind = start->kind;
		event_submit(ctx, e);
	}
	bpf_map_delete_elem(&reclaim_starts, &tid);
	return 0;
}

SEC("tracepoint/vmscan/mm_vmscan_direct_reclaim_begin")
int direct_reclaim_begin_tp(struct trace_event_raw_mm_vmscan_direct_reclaim_begin_template *ctx)
{
	return on_reclaim_begin(FS_PROBE_DIRECT_RECLAIM_BEGIN, FS_RECLAIM_DIRECT, ctx->order, ctx->gfp_flags);
}

SEC("tracepoint/vmscan/mm_vmscan_direct_reclaim_end")
int direct_reclaim_end_tp(struct trace_event_raw_mm_vmscan_direct_reclaim_end_template *ctx)
{
	return on_reclaim_end(ctx, FS_PROBE_DIRECT_RECLAIM_END, ctx->nr_reclaimed);
}

SEC("tracepoint/vmscan/mm_vmscan_memcg_reclaim_begin")
int memcg_reclaim_begin_tp(struct trace_event_raw_mm_vmscan_direct_reclaim_begin_template *ctx)
{
	return on_reclaim_begin(FS_PROBE_MEMCG_RECLAIM_BEGIN, FS_RECLAIM_MEMCG, ctx->order, ctx->gfp_flags);
}

SEC("tracepoint/vmscan/mm_vmscan_memcg_reclaim_end")
int memcg_reclaim_end_tp(struct trace_event_raw_mm_vmscan_direct_reclaim_end_template *ctx)
{
	return on_reclaim_end(ctx, FS_PROBE_MEMCG_RECLAIM_END, ctx->nr_reclaimed);
}
