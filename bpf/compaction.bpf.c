// SPDX-License-Identifier: GPL-2.0
/*
 * Compaction stalls.  Direct compaction has no tracepoint of its own that
 * spans it: try_to_compact_pages marks the start of a task's attempt
 * (order, gfp, priority), then each zone it compacts brackets with
 * mm_compaction_begin/end.  We stream one event per zone compacted inside
 * an attempt; user space joins them by (tid, attempt start) into one stall.
 * An attempt whose zones were all deferred (mm_compaction_deferred, no
 * mm_compaction_begin) is a stall too where the kernel counts it in
 * compact_stall (compat.bpf.h): one event for it, with no zone begun.
 * Zone compactions outside any attempt (kcompactd, proactive, sysctl) are
 * background work: counted, not streamed.
 */
#include "fragscope.bpf.h"

/* An attempt older than this is not the one a zone compaction belongs to. */
#define ATTEMPT_MAX_AGE_NS (10ULL * 1000 * 1000 * 1000)

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct fs_compact_try);
} compact_tries SEC(".maps");

SEC("tracepoint/compaction/mm_compaction_try_to_compact_pages")
int compact_try_tp(struct trace_event_raw_mm_compaction_try_to_compact_pages *ctx)
{
	__u32 tid = current_tid();
	struct fs_compact_try attempt = {
		.ts_ns = bpf_ktime_get_ns(),
		.gfp = ctx->gfp_mask,
		.order = ctx->order,
		.priority = ctx->prio,
	};

	if (task_excluded())
		return 0;
	count(FS_CTR_PROBE_HITS + FS_PROBE_COMPACT_TRY);
	bpf_map_update_elem(&compact_tries, &tid, &attempt, BPF_ANY);
	return 0;
}

static __always_inline struct fs_compact_try *current_attempt(__u64 now)
{
	__u32 tid = current_tid();
	struct fs_compact_try *attempt = bpf_map_lookup_elem(&compact_tries, &tid);

	if (attempt && now - attempt->ts_ns > ATTEMPT_MAX_AGE_NS)
		return NULL;
	return attempt;
}

SEC("tracepoint/compaction/mm_compaction_begin")
int compact_begin_tp(struct trace_event_raw_mm_compaction_begin *ctx)
{
	__u64 now = bpf_ktime_get_ns();
	struct fs_compact_try *attempt = current_attempt(now);

	if (task_excluded())
		return 0;
	count(FS_CTR_PROBE_HITS + FS_PROBE_COMPACT_BEGIN);
	if (attempt) {
		attempt->zone_begin_ts_ns = now;
		attempt->zones_compacted++;
	}
	return 0;
}

/* One zone of an attempt, or (begin_ns 0) the attempt found every zone so far deferred. */
static __always_inline void stream_compaction(void *ctx, const struct fs_compact_try *attempt, __u64 begin_ns,
					      __u64 zone_start_pfn, __s32 status, __u32 sync)
{
	struct fs_event *e = event_start(FS_EV_COMPACT);

	if (!e)
		return;
	e->compact.try_ts_ns = attempt->ts_ns;
	e->compact.begin_ts_ns = begin_ns;
	e->compact.gfp = attempt->gfp;
	e->compact.zone_start_pfn = zone_start_pfn;
	e->compact.order = attempt->order;
	e->compact.priority = attempt->priority;
	e->compact.status = status;
	e->compact.sync = sync;
	event_submit(ctx, e);
}

SEC("tracepoint/compaction/mm_compaction_end")
int compact_end_tp(struct trace_event_raw_mm_compaction_end *ctx)
{
	__u64 now = bpf_ktime_get_ns();
	struct fs_compact_try *attempt = current_attempt(now);
	__u64 begin_ns;

	if (task_excluded())
		return 0;
	count(FS_CTR_PROBE_HITS + FS_PROBE_COMPACT_END);
	if (!attempt || !attempt->zone_begin_ts_ns) {
		count(FS_CTR_BG_COMPACT);
		return 0;
	}
	begin_ns = attempt->zone_begin_ts_ns;
	attempt->zone_begin_ts_ns = 0;
	stream_compaction(ctx, attempt, begin_ns, ctx->zone_start, ctx->status, ctx->sync);
	return 0;
}

/*
 * A zone deferred inside a task's attempt (kcompactd defers too, outside
 * any).  Where compact_stall counts an attempt whose zones were all
 * deferred, the attempt's first deferral, before any zone compacted, is
 * streamed: user space counts the attempt once, a zone compacted later in
 * it joins the same stall.
 */
SEC("tracepoint/compaction/mm_compaction_deferred")
int compact_deferred_tp(struct trace_event_raw_mm_compaction_defer_template *ctx)
{
	struct fs_compact_try *attempt;

	if (task_excluded())
		return 0;
	count(FS_CTR_PROBE_HITS + FS_PROBE_COMPACT_DEFERRED);
	count(FS_CTR_DEFERRED + clamp_order(ctx->order));
	if (!deferred_attempts_are_stalls())
		return 0;
	attempt = current_attempt(bpf_ktime_get_ns());
	if (!attempt || attempt->zones_compacted || attempt->deferred_streamed)
		return 0;
	attempt->deferred_streamed = 1;
	stream_compaction(ctx, attempt, 0, 0, bpf_core_enum_value(enum compact_result, COMPACT_DEFERRED), 0);
	return 0;
}

SEC("tracepoint/compaction/mm_compaction_kcompactd_wake")
int kcompactd_wake_tp(struct trace_event_raw_kcompactd_wake_template *ctx)
{
	if (task_excluded())
		return 0;
	count(FS_CTR_PROBE_HITS + FS_PROBE_KCOMPACTD_WAKE);
	count(FS_CTR_KCOMPACTD_WAKE + clamp_order(ctx->order));
	return 0;
}
