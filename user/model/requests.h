/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The model's failed requests: allocator failures grouped into the request
 * they were part of, closed by the syscall's exit (FS_EV_SYSCALL_END), by
 * the next unrelated failure, or when idle, then given a cause.
 *
 * Grouping, by the context the failure's stack shows:
 *  - syscall: every failure of the task until its syscall returns is one
 *    request; the return value is the outcome (ENOMEM: failed; success: a
 *    fallback recovered).
 *  - page fault, kernel thread, interrupt, softirq (and syscalls when the
 *    source saw no syscall end): failures of one allocation come from one
 *    caller function; they join while they come within REQUEST_JOIN_NS and
 *    add a new kind of event (a page failure, then the kmalloc above it,
 *    then vmalloc), repeat a kmalloc or vmalloc failure from the same
 *    return address (the kernel traces a failed large kmalloc twice; a
 *    vmalloc fails page after page), or retry the same allocation with more
 *    effort (a THP fault asks __GFP_THISNODE | __GFP_NORETRY first).
 *    Interrupts are keyed apart from the task they interrupted.
 */
#ifndef FS_MODEL_REQUESTS_H
#define FS_MODEL_REQUESTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fragscope.h"
#include "model/request.h"
#include "util/u64map.h"

struct model;

/* A non-syscall request takes no more events this long after its last. */
#define REQUEST_JOIN_NS (10 * 1000 * 1000ULL)
/* A non-syscall request is closed once idle this long (at the next snapshot). */
#define REQUEST_IDLE_NS (2000 * 1000 * 1000ULL)
/* A syscall that has not returned in this long was ended another way (the task was killed). */
#define REQUEST_SYSCALL_IDLE_NS (10 * 1000 * 1000 * 1000ULL)
/* Requests listed with their detail (each with its count); beyond, counted by api, cause and outcome only. */
#define MODEL_MAX_REQUESTS 4096
/* The latest requests, for live views that must keep showing new ones. */
#define REQUESTS_RECENT 16
/* Kernel log reports kept that joined no request: the kernel rate-limits them to one per 10 s anyway. */
#define REQUESTS_LOG_UNJOINED 64

struct open_request {
	uint64_t key;         /* tid | context << 32 */
	uint64_t last_ns;
	/*
	 * The caller: one allocation's events come from one function (kvmalloc's
	 * kmalloc and vmalloc from one return address in it, bpf_map_area_alloc's
	 * own fallback from two); a repeated event, from the return address of
	 * the event it repeats (caller_addr: the latest event's).
	 */
	uint64_t caller_addr, caller_fn;
	uint64_t last_gfp; /* of the latest failure: a retry with more effort is the same request */
	uint64_t memcg_usage_pages, memcg_limit_pages;
	bool open;
	bool sized_by_caller; /* bytes are a kmalloc's or vmap area's request */
	bool all_nowarn;      /* every failure was __GFP_NOWARN: the caller said it had a fallback */
	struct request r;
};

struct request_table {
	/*
	 * Closed requests in the order they first closed, at most
	 * MODEL_MAX_REQUESTS; the same request again (same_request()) counts in
	 * its record's count instead of taking another.
	 */
	struct request *list;
	size_t nr, cap;
	struct u64map listed_by_key; /* same_request_key() -> index + 1 into list */
	uint64_t not_listed;  /* closed beyond MODEL_MAX_REQUESTS kinds of request */
	uint64_t counts[API_COUNT][CAUSE_COUNT][OUTCOME_COUNT];
	struct request recent[REQUESTS_RECENT]; /* a ring: the latest is recent[(total - 1) % REQUESTS_RECENT] */
	uint64_t total;
	/* Syscalls that ended with failures whose events never arrived (lost in the ring buffer). */
	uint64_t detail_lost;
	/*
	 * What user space saw of what the kernel counts (FS_CTR_REQUEST_SYSCALL_*,
	 * FS_CTR_ENOMEM_NO_ALLOC): syscall ends of tasks with failures, and bare
	 * ENOMEM returns.  The kernel's count minus these is what the ring buffer lost.
	 */
	uint64_t syscall_ends_seen, bare_enomem_seen;
	/*
	 * Does the source see syscalls end (the sys_exit probe attached; record
	 * format 3)?  Without, a syscall's failures group by caller like a
	 * fault's, and only the trace's end closes them.
	 */
	bool syscall_ends_traced;
	/*
	 * Kernel log reports that joined no traced request (a task outside the
	 * trace's filter, a gap), each as log_report_request() built it; at
	 * most REQUESTS_LOG_UNJOINED, the rest counted.
	 */
	struct request *log_unjoined;
	size_t nr_log_unjoined;
	uint64_t log_unjoined_over;
	struct open_request *open; /* closed entries are removed by requests_prune() */
	size_t nr_open;
	struct u64map open_by_key;
	struct u64map failures_by_tid; /* failures seen since the task's last syscall exit */
	struct u64map cgroup_index;    /* cgroup id -> index + 1 into cgroup_paths */
	char (*cgroup_paths)[REQUEST_CGROUP_LEN];
	size_t nr_cgroups;
};

void requests_init(struct request_table *t);
void requests_free(struct request_table *t);

/* A failure event, already decoded; kind, order and bytes as the per-event view has them. */
int requests_add_failure(struct model *m, const struct fs_event *e, enum failure_kind kind, uint32_t order,
			 uint64_t bytes, uint32_t stack_id);
/* FS_EV_SYSCALL_END. */
int requests_syscall_end(struct model *m, const struct fs_event *e);
/* Closes what has been idle long enough at now_ns (all, with all). */
void requests_close_idle(struct model *m, uint64_t now_ns, bool all);
/* Forgets closed entries and tasks long gone. */
void requests_prune(struct model *m);

int requests_set_cgroup_path(struct request_table *t, uint64_t id, const char *path);
/* The path, or NULL when unknown. */
const char *requests_cgroup_path(const struct request_table *t, uint64_t id);

/* Requests that failed or recovered, by outcome, of those whose detail arrived. */
uint64_t requests_count(const struct request_table *t, enum request_outcome outcome);
/*
 * Requests of one api, whatever their cause and outcome.  API_THP_FAULT:
 * the THP faults that fell back to small pages (the kernel's
 * thp_fault_fallback, bar memcg charge failures, which allocate nothing);
 * API_THP_COLLAPSE: the collapses whose huge page could not be allocated
 * (thp_collapse_alloc_failed).
 */
uint64_t requests_of_api(const struct request_table *t, enum request_api api);
/*
 * Requests the kernel counted whose detail never arrived: syscall ends and
 * bare ENOMEM returns lost in the ring buffer, and syscall ends whose
 * failure events were lost.  Counted, never listed: their cause is unknown.
 */
uint64_t requests_detail_lost(const struct model *m);

#endif
