// SPDX-License-Identifier: GPL-2.0
/*
 * The one definition of the maps and constants that the per-concern
 * programs share; bpftool links every bpf object file into one object.
 * Map sizes in fragscope.bpf.h are defaults: user space resizes before load.
 */
#define FS_DEFINE_SHARED_MAPS
#include "fragscope.bpf.h"

const volatile __u32 filter_tgid = 0;
const volatile __u32 self_tgid = 0;
const volatile __u64 filter_cgroup_id = 0;
const volatile __u32 filter_cgroup_level = 0;
const volatile char filter_comm[FS_COMM_LEN] = {};
const volatile __u32 min_order = 1;
const volatile __u32 stack_order = 4;
const volatile bool extfrag_stacks = true;
const volatile __u64 ringbuf_wakeup_bytes = 256 * 1024;
const volatile __u64 gfp_direct_reclaim = 0;
const volatile __u64 gfp_high = 0;
const volatile __u64 gfp_mayfail = 0;
const volatile bool track_requests = true;
const volatile __u64 page_size = 4096;
__u64 open_request_count = 0;
__u64 interrupt_text[4] = {};
const volatile bool has_current_task_btf = true;

char LICENSE[] SEC("license") = "GPL";
