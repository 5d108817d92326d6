// SPDX-License-Identifier: GPL-2.0
/*
 * Requests end where the caller learns the result: at the syscall's exit.
 * A task whose allocations failed has an entry in open_requests (see
 * request_note_failure); its syscall exit sends FS_EV_SYSCALL_END with the
 * return value, so user space groups the failures into one request and
 * knows whether the caller got ENOMEM or a fallback rescued it.  A syscall
 * returning ENOMEM without any allocator failure (mmap refused by the
 * commit limit, an rlimit, the map count) sends one too, with the task's
 * mm figures as evidence.
 *
 * raw_tp, not the classic tracepoint: every syscall of the machine passes
 * here, and the raw tracepoint hands over pt_regs and the return value with
 * no record to build.  The common case is two loads and a return.
 */
#include "fragscope.bpf.h"

/* include/uapi/asm-generic/resource.h: the same on every architecture Linux has. */
#define RLIMIT_DATA 2
#define RLIMIT_AS 9

struct pt_regs___arm64 {
	__u64 syscallno;
} __attribute__((preserve_access_index));

static __always_inline __s32 syscall_nr(struct pt_regs *regs)
{
#if defined(__TARGET_ARCH_arm64)
	return BPF_CORE_READ((struct pt_regs___arm64 *)regs, syscallno);
#else
	return BPF_CORE_READ(regs, orig_ax);
#endif
}

/* include/uapi/linux/capability.h */
#define CAP_SYS_ADMIN 21

/*
 * Under vm.overcommit_memory=2 a task without CAP_SYS_ADMIN may not use
 * the admin reserve (__vm_enough_memory()).  kernel_cap_t is two __u32
 * before 6.3 and one __u64 since: 8 bytes, bit 21 in the first word either way.
 */
static __always_inline void read_caps(struct fs_event *e, struct task_struct *task)
{
	const struct cred *cred = BPF_CORE_READ(task, cred);
	__u64 caps;

	if (!cred || bpf_core_read(&caps, sizeof(caps), &cred->cap_effective))
		return;
	e->hdr.flags |= FS_HDR_CAPS_READ;
	if (caps & (1ULL << CAP_SYS_ADMIN))
		e->hdr.flags |= FS_HDR_CAP_SYS_ADMIN;
}

/* What the task's mm says of an ENOMEM: mappings, sizes, the limits on them, and whether it is root. */
static __always_inline void read_mm(struct fs_event *e)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct mm_struct *mm = BPF_CORE_READ(task, mm);
	struct signal_struct *signal = BPF_CORE_READ(task, signal);
	struct fs_syscall_end *sys = &e->sys;

	if (mm) {
		sys->map_count = BPF_CORE_READ(mm, map_count);
		sys->total_vm = BPF_CORE_READ(mm, total_vm);
		sys->data_vm = BPF_CORE_READ(mm, data_vm);
	}
	if (signal) {
		sys->rlimit_as = BPF_CORE_READ(signal, rlim[RLIMIT_AS].rlim_cur);
		sys->rlimit_data = BPF_CORE_READ(signal, rlim[RLIMIT_DATA].rlim_cur);
	}
	read_caps(e, task);
}

/* Ends the task's request, if it has one; true if it did. */
static __always_inline bool close_request(__u32 tid, __u32 *nr_failures)
{
	struct fs_open_request *o = bpf_map_lookup_elem(&open_requests, &tid);

	if (!o)
		return false;
	*nr_failures = o->nr_failures;
	if (!bpf_map_delete_elem(&open_requests, &tid))
		__sync_fetch_and_sub(&open_request_count, 1);
	return true;
}

SEC("raw_tp/sys_exit")
int BPF_PROG(sys_exit, struct pt_regs *regs, long ret)
{
	__u32 tid, nr_failures = 0;
	struct fs_event *e;

	if (ret != -ENOMEM && !open_request_count)
		return 0;
	tid = current_tid();
	if (!(open_request_count && close_request(tid, &nr_failures)) && ret != -ENOMEM)
		return 0;
	/* The failures passed the filter when they happened; a bare ENOMEM is checked here. */
	if (!nr_failures && task_excluded())
		return 0;
	count(FS_CTR_PROBE_HITS + FS_PROBE_SYSCALL_EXIT);
	if (nr_failures)
		count(ret < 0 ? FS_CTR_REQUEST_SYSCALL_FAILED : FS_CTR_REQUEST_SYSCALL_OK);
	else
		count(FS_CTR_ENOMEM_NO_ALLOC);
	e = event_start(FS_EV_SYSCALL_END);
	if (!e)
		return 0;
	__builtin_memset(&e->sys, 0, sizeof(e->sys));
	e->sys.nr = syscall_nr(regs);
	e->sys.ret = ret < 0 ? ret : 0;
	e->sys.nr_failures = nr_failures;
	e->sys.args[0] = PT_REGS_PARM1_CORE_SYSCALL(regs);
	e->sys.args[1] = PT_REGS_PARM2_CORE_SYSCALL(regs);
	e->sys.args[2] = PT_REGS_PARM3_CORE_SYSCALL(regs);
	e->sys.args[3] = PT_REGS_PARM4_CORE_SYSCALL(regs);
	if (ret == -ENOMEM)
		read_mm(e);
	event_submit_stack(ctx, e, false);
	return 0;
}

/* A task killed inside its syscall never returns from it: forget its request. */
SEC("tracepoint/sched/sched_process_exit")
int request_task_exit(void *ctx)
{
	__u32 tid = current_tid(), nr_failures;

	if (open_request_count)
		close_request(tid, &nr_failures);
	return 0;
}
