/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What fragscope puts in a record file (the container is recfile.h): the
 * header payload and the record types.  Payloads are the structs of
 * include/fragscope.h and the model headers as bytes, x86-64/aarch64 layout
 * (little-endian, natural alignment); a reader refuses other layouts by
 * the header's version and sizes rather than misreading them.
 */
#ifndef FS_RECORD_RECORD_FORMAT_H
#define FS_RECORD_RECORD_FORMAT_H

#include <stdint.h>

#include "kernel/kernel_info.h"
#include "model/meta.h"

/*
 * Bump when any struct written below changes layout, and keep reading the
 * older versions (docs/file-format.md lists them):
 *  1: the first.
 *  2: REC_STATE holds a version 2 struct state_sample (sysctls, uptime and
 *     pageblock counts added, for the doctor's findings in reports); a
 *     version 1 sample of a format 1 file is read with those left empty.
 *  3: requests: FS_EV_SYSCALL_END events, the request counters at the end
 *     of a snapshot's counters (FS_COUNTERS, was FS_COUNTERS_V2), REC_CGROUP
 *     records, and room for 32 probes in the header's trace_meta (was 15:
 *     struct trace_meta_v2 below reads the older header).
 *  4: a REC_SNAPSHOT's per-process counts (struct snap_proc) carry the comm
 *     in the key, the task's at the time of the allocation, so one pid has
 *     an entry per name it ran under (exec); formats 1-3 kept the pid's
 *     first comm in the value and are read as one entry under that name.
 *  5: REC_STATE holds a version 3 struct state_sample (two more sysctls,
 *     the commit limit's reserves: everything after sysctls.value[] moves);
 *     an event header's flags (was padding, zero) say whether the task had
 *     CAP_SYS_ADMIN at an ENOMEM syscall's end; a FS_EV_PAGE_FAIL event
 *     carries the task's mempolicy and cpuset nodes (struct fs_page_fail's
 *     policy_* and cpuset_nodes, nodes_read); in formats 1-4 those bytes were
 *     whatever the previous event left there, and are read as not read.
 *  6: a REC_SNAPSHOT's counters end with the failed page allocations by
 *     order (FS_CTR_PAGE_FAIL; formats 3-5 read them as 0), followed by
 *     where order 0 came from: flags (SNAP_ORDER0_FROM_VMSTAT) and the
 *     /proc/vmstat pgalloc sums (struct snapshot); formats 1-5 traced
 *     order 0 and are read with flags 0.
 */
#define FS_RECORD_FORMAT_VERSION 6

struct record_header {
	uint32_t format_version;
	uint32_t meta_size;   /* sizeof(struct trace_meta) of the writer */
	uint32_t kinfo_size;  /* sizeof(struct kernel_info) of the writer */
	uint32_t event_fixed_size; /* FS_EVENT_FIXED_SIZE of the writer */
	uint32_t page_size;
	uint32_t reserved;
	struct trace_meta meta;
	struct kernel_info kinfo;
};

/* The header of formats 1 and 2: trace_meta had room for 15 probes. */
#define TRACE_META_PROBES_V2 15
struct trace_meta_v2 {
	char fragscope_version[16];
	char hostname[65];
	char boot_id[40];
	char command[256];
	uint64_t start_realtime_ns;
	uint64_t start_mono_ns;
	uint64_t attach_ns;
	uint32_t min_order, stack_order;
	uint8_t probe_state[TRACE_META_PROBES_V2];
	char probe_via[TRACE_META_PROBES_V2][12];
};

struct record_header_v2 {
	uint32_t format_version;
	uint32_t meta_size;
	uint32_t kinfo_size;
	uint32_t event_fixed_size;
	uint32_t page_size;
	uint32_t reserved;
	struct trace_meta_v2 meta;
	struct kernel_info kinfo;
};

enum record_type {
	REC_EVENT = 1,    /* one ring-buffer event as the kernel wrote it */
	REC_SNAPSHOT = 2, /* the in-kernel aggregates (snapshot_codec.h) */
	REC_KSYM = 3,     /* a kernel symbol, written before any record that needs it */
	REC_STATE = 4,    /* a struct state_sample (its own version field first; state_sample_load()) */
	REC_CGROUP = 5,   /* a cgroup's path, written before any record that needs it (format 3) */
	/*
	 * A /dev/kmsg record ("prio,seq,usec,flags;text" and its dictionary
	 * lines) of a kernel allocation-failure report, as read, after the
	 * events read before it (format 4, added: older readers skip it).
	 */
	REC_KLOG = 6,
};

/* REC_CGROUP payload: this header, then the path and a NUL. */
struct record_cgroup {
	uint64_t id; /* the cgroup's kernfs id, as in fs_event_header.cgroup_id */
};

/* REC_KSYM payload: this header, then the name, a NUL, the module (maybe empty), a NUL. */
struct record_ksym {
	uint64_t addr;
};

#endif
