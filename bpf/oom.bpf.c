// SPDX-License-Identifier: GPL-2.0
/*
 * OOM kills.  The victim is named by the tracepoint; the current task is
 * the one whose allocation invoked the OOM killer, so its stack says why.
 * Older kernels carry only the victim's pid: the other fields are read
 * only where the running kernel's tracepoint has them.
 */
#include "fragscope.bpf.h"

SEC("tracepoint/oom/mark_victim")
int mark_victim_tp(struct trace_event_raw_mark_victim *ctx)
{
	struct fs_event *e;

	count(FS_CTR_PROBE_HITS + FS_PROBE_OOM_VICTIM);
	e = event_start(FS_EV_OOM);
	if (!e)
		return 0;
	__builtin_memset(&e->oom, 0, sizeof(e->oom));
	e->oom.victim_pid = ctx->pid;
	if (bpf_core_field_exists(ctx->__data_loc_comm)) {
		__u32 loc = BPF_CORE_READ(ctx, __data_loc_comm);

		bpf_probe_read_kernel_str(e->oom.victim_comm, sizeof(e->oom.victim_comm),
					  (void *)ctx + (loc & 0xffff));
	}
	if (bpf_core_field_exists(ctx->total_vm)) {
		e->oom.total_vm_kb = BPF_CORE_READ(ctx, total_vm);
		e->oom.anon_rss_kb = BPF_CORE_READ(ctx, anon_rss);
		e->oom.file_rss_kb = BPF_CORE_READ(ctx, file_rss);
		e->oom.shmem_rss_kb = BPF_CORE_READ(ctx, shmem_rss);
		e->oom.uid = BPF_CORE_READ(ctx, uid);
	}
	if (bpf_core_field_exists(ctx->pgtables))
		e->oom.pgtables_kb = BPF_CORE_READ(ctx, pgtables);
	if (bpf_core_field_exists(ctx->oom_score_adj))
		e->oom.oom_score_adj = BPF_CORE_READ(ctx, oom_score_adj);
	event_submit(ctx, e);
	return 0;
}
