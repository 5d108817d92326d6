/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One allocation-failure report of the kernel's log, as decode/kernel_log.c
 * reads it: the header's figures, the call trace, the Mem-Info dump's zones
 * and the OOM report's memory cgroup.  model/log_requests.c turns it into a
 * struct request judged by the shared cause rules.
 */
#ifndef FS_MODEL_LOG_REPORT_H
#define FS_MODEL_LOG_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "fragscope.h"

#define KLOG_TEXT_LEN 200
#define KLOG_NAME_LEN 64
#define KLOG_MAX_FRAMES 40
#define KLOG_MAX_ZONES 8
#define KLOG_MAX_RESERVE 6
#define KLOG_CGROUP_LEN 128

enum klog_kind {
	KLOG_PAGE_ALLOC,  /* "page allocation failure: order:N, mode:..." */
	KLOG_VMALLOC,     /* "vmalloc error: ..." / "vmalloc: allocation failure..." */
	KLOG_OOM,         /* "invoked oom-killer: gfp_mask=..., order=N" */
	KLOG_MEMCG_KILL,  /* "Memory cgroup out of memory: Killed process" with no header before it */
	KLOG_HUGETLB,     /* "HugeTLB: allocating N of page size S failed" */
};

struct klog_frame {
	char name[KLOG_NAME_LEN]; /* the function, clone suffixes (.cold, .isra.N) cut */
	bool reliable;            /* not a "? " frame */
};

struct klog_zone {
	char name[12];
	uint32_t node;
	bool have_watermarks, have_blocks;
	uint64_t free_kb, min_kb, low_kb, high_kb;
	uint64_t lowmem_reserve[KLOG_MAX_RESERVE]; /* pages, by the kernel's zone index */
	uint32_t nr_reserve;
	uint64_t free_blocks[FS_ORDERS]; /* free blocks of each order, from the buddy line */
};

struct klog_report {
	enum klog_kind kind;
	uint64_t line_no;              /* the header's line, from 1 */
	double time_s;                 /* <0: the log has no seconds since boot */
	char text[KLOG_TEXT_LEN];      /* the header as the kernel printed it */
	char comm[FS_COMM_LEN];
	uint32_t pid;
	bool have_pid, have_order, have_gfp;
	uint32_t order;
	uint64_t bytes;                /* vmalloc size; hugetlb pages × page size */
	uint64_t gfp;
	char gfp_text[96];             /* the names in mode:0x...(NAMES); "" on kernels that print none */
	char cpuset[KLOG_CGROUP_LEN];
	/* The nodes the allocation was kept to (nodemask=, "(null)": none) and
	 * the task's cpuset's (mems_allowed=): node n is bit n, nodes 0-63. */
	bool have_nodemask, have_mems_allowed;
	uint64_t nodemask, mems_allowed;
	bool vmap_failed;              /* no vmalloc address space (the kernel said so) */
	uint64_t vmap_bytes;
	bool memcg_oom;                /* the kernel called it a memory cgroup OOM */
	char memcg[KLOG_CGROUP_LEN];   /* the cgroup whose limit was hit */
	bool have_memcg_usage;
	uint64_t memcg_usage_kb, memcg_limit_kb;
	uint64_t hugetlb_asked, hugetlb_got;
	uint32_t suppressed;           /* "warn_alloc: N callbacks suppressed" just before */
	bool in_irq;                   /* the trace ran on an interrupt stack */
	uint32_t addr_bits;            /* 32 or 64 from the trace's addresses; 0 unknown */
	struct klog_frame frames[KLOG_MAX_FRAMES]; /* innermost first */
	uint32_t nr_frames;
	bool mem_info;                 /* a Mem-Info dump followed the header */
	struct klog_zone zones[KLOG_MAX_ZONES];
	uint32_t nr_zones;
	uint32_t page_kb;              /* from the buddy lines' first size; 0 unknown */
	bool complete;                 /* ended as the kernel ends it (not cut short) */
};

#endif
