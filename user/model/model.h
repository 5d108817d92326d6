/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one aggregation model.  Live tracing and replay of a record file feed
 * it the same way: model_add_event() for each ring-buffer event (already
 * validated by the decoder), model_set_snapshot() for each reading of the
 * in-kernel aggregates.  Formatters only read it.
 */
#ifndef FS_MODEL_MODEL_H
#define FS_MODEL_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fragscope.h"
#include "model/histogram.h"
#include "model/request.h"
#include "model/requests.h"
#include "model/snapshot.h"
#include "model/stack_table.h"
#include "model/timeline.h"
#include "util/u64map.h"

struct kernel_info;
struct ksyms;


#define GROUP_MAX_PROCS 8

struct proc_count {
	uint32_t pid;
	char comm[FS_COMM_LEN];
	uint64_t count;
};

/* Failures with the same kind and the same kernel stack. */
struct failure_group {
	enum failure_kind kind;
	uint32_t stack_id; /* in model->stacks */
	uint32_t order;    /* page kinds; for kmalloc, the order backing the size */
	uint64_t bytes;    /* requested bytes of the first failure */
	uint64_t total_bytes; /* of all its failures, as bytes is of the first */
	uint64_t gfp;      /* of the first failure */
	uint64_t call_site;
	uint64_t cgroup_id;
	char cache[FS_CACHE_NAME_LEN];
	uint64_t count;
	uint64_t first_ns, last_ns;
	struct proc_count procs[GROUP_MAX_PROCS];
	uint32_t nr_procs;
	uint64_t other_procs; /* failures of processes beyond GROUP_MAX_PROCS */
	uint64_t at_memcg_limit; /* failures while the task's memory cgroup was at its limit */
	/* How often this failure sat beneath a failure of each kind (a page
	 * failure inside kmalloc_large), and how often one sat beneath it. */
	uint64_t beneath[FAIL_KINDS];
	uint64_t above[FAIL_KINDS];
	/* Free blocks that could serve the first failure's order, per zone of
	 * the state samples, in the samples just before and just after it. */
	uint64_t free_before[TIMELINE_MAX_ZONES];
	uint64_t free_after[TIMELINE_MAX_ZONES];
	bool have_before, have_after;
};

/* A stall's kernel stack with how often and how long it stalled there. */
struct stall_stack {
	uint32_t stack_id;
	uint32_t kind; /* compaction: 0; reclaim: enum fs_reclaim_kind */
	uint64_t count;
	uint64_t total_ns;
};

#define COMPACT_STATUSES 16

struct compaction_summary {
	struct histogram stall; /* one sample per direct-compaction attempt */
	uint64_t stalls_by_order[FS_ORDERS];
	uint64_t outcome[COMPACT_STATUSES]; /* attempts by their best zone result */
	uint64_t zones_compacted;
	/* Stalls whose zones were all deferred: short, nothing compacted (kernels that count them). */
	uint64_t deferred_stalls;
};

struct reclaim_summary {
	struct histogram stall;
	uint64_t stalls_by_order[FS_ORDERS];
	uint64_t pages_reclaimed;
};

struct oom_kill {
	struct fs_event_header killer; /* the task whose allocation invoked the OOM killer */
	struct fs_oom victim;
	uint32_t stack_id;
};

/* Report-time selection; zero means no filter. */
struct model_filter {
	uint32_t pid;
	char comm[FS_COMM_LEN];
	uint32_t kinds;      /* bit per enum failure_kind; 0: all */
	int32_t min_order;   /* -1: none */
	uint64_t since_ns;   /* relative to the trace start */
	uint64_t until_ns;
};

/* A direct-compaction attempt, one per task; closed: tid 0, removed at the next model_prune(). */
struct open_compaction {
	uint32_t tid;
	uint32_t task; /* the key in open_by_tid: the tid, also once closed */
	uint64_t try_ns, end_ns;
	uint32_t order, zones, stack_id; /* zones: compacted, not deferred */
	int32_t best_status;
};

struct recent_failure {
	struct fs_event_header hdr;
	enum failure_kind kind;
	uint32_t order;
	uint64_t bytes;
	uint32_t stack_id;
};

#define MODEL_RECENT 16
/*
 * Bounds of the model's tables, far above any real trace: a stack beyond
 * MODEL_MAX_STACKS is recorded with the empty stack, a failure that would
 * open a group beyond MODEL_MAX_GROUPS joins its kind's group of the empty
 * stack; both are counted (stacks.not_kept, failures_not_grouped) and the
 * reports say so.
 */
#define MODEL_MAX_STACKS 65536 /* 4x the kernel's stack map */
#define MODEL_MAX_GROUPS 65536 /* 616 bytes each: 40 MB at most */

struct model {
	const struct kernel_info *kinfo;
	const struct ksyms *ksyms;
	struct model_filter filter;
	uint64_t start_ns; /* the trace start, CLOCK_MONOTONIC */
	uint64_t end_ns;   /* the latest time seen */

	uint64_t events[FS_EV_TYPES]; /* ring-buffer events received, by type */
	uint64_t filtered_out;
	struct stack_table stacks;

	struct failure_group *groups;
	size_t nr_groups;
	uint64_t failures_not_grouped; /* put in their kind's empty-stack group, the table being full */
	struct u64map group_index; /* (kind, stack_id) -> index + 1 */
	uint64_t failures[FAIL_KINDS];
	struct recent_failure recent[MODEL_RECENT]; /* ring of the latest failures */
	uint64_t nr_recent;
	struct { /* the latest page failure of each task, to link nested failures */
		struct u64map by_tid; /* tid -> index + 1 into pending */
	} nesting;
	struct pending_page_failure *pending; /* pruned by model_prune() */
	size_t nr_pending;
	uint64_t last_event_ns; /* the newest event's time: pending entries age by it */

	struct compaction_summary compaction;
	struct reclaim_summary reclaim[2]; /* by enum fs_reclaim_kind */
	struct stall_stack *stall_stacks;
	size_t nr_stall_stacks;
	struct u64map stall_stack_index;
	struct open_compaction *open; /* closed ones are pruned by model_prune() */
	size_t nr_open;
	struct u64map open_by_tid; /* tid -> index + 1 into open */

	struct oom_kill *ooms;
	size_t nr_ooms;

	struct request_table requests;
	/* Called with each request as it closes (trace prints it); NULL: none. */
	void (*on_request)(void *ctx, const struct request *r);
	/* ... and with each kernel log report no traced request matched (explain's verdict); NULL: none. */
	void (*on_log_request)(void *ctx, const struct request *r);
	void *on_request_ctx;

	struct timeline timeline; /* /proc state samples in the window */

	/* In-kernel aggregates: the window is the latest snapshot minus base. */
	struct snapshot base, window;
};

void model_init(struct model *m, const struct kernel_info *kinfo, const struct ksyms *ksyms,
		const struct model_filter *filter, uint64_t start_ns);
void model_free(struct model *m);

/* A decoded ring-buffer event (fs_event_size(e->hdr.nr_frames) bytes are valid). */
int model_add_event(struct model *m, const struct fs_event *e);
/* The in-kernel aggregates at s->ts_ns, cumulative since the trace start. */
int model_set_snapshot(struct model *m, const struct snapshot *s);
/*
 * Does the report filter keep this event?  --since, --until, --pid and
 * --comm for every event; --kind and --min-order for failures, as the
 * failure groups are filtered.  For formats that print events one by one.
 */
bool model_event_selected(const struct model *m, const struct fs_event *e);
/* The kind of a failure event (page, thp, vmalloc... from its gfp and stack). */
enum failure_kind model_failure_kind(const struct model *m, const struct fs_event *e);
/* A fragmentation-state sample taken beside the trace. */
int model_add_state(struct model *m, const struct state_sample *s);
/* The path of a memory cgroup id, for requests to name it. */
int model_set_cgroup_path(struct model *m, uint64_t id, const char *path);
/* Closes what is still open (compaction attempts, requests); call before reporting. */
void model_finish(struct model *m);
/*
 * Drops per-task state that can no longer change a result: closed
 * compaction attempts and page failures too old to link to a kmalloc
 * failure.  model_set_snapshot() calls it; tables then hold only the tasks
 * active lately, not every task seen.
 */
void model_prune(struct model *m);

/* Derived figures used by several formatters. */
/* Page allocations in the window, traced and (order 0) counted from /proc/vmstat. */
uint64_t model_page_allocs_total(const struct model *m);
/*
 * Successful order-0 allocations the kernel's pgalloc counters gave
 * (snapshot_order0_from_vmstat()): not in any migratetype or gfp-class
 * cell; false when order 0 was traced (every one in the cells).
 */
bool model_order0_from_vmstat(const struct model *m, uint64_t *allocs);
/* What every output says where it shows those. */
#define MODEL_ORDER0_NOTE "order 0: from /proc/vmstat pgalloc, not split by migratetype/gfp class"
uint64_t model_lost_total(const struct model *m);
/* Extfrag fallbacks in the window, and those that changed a pageblock's type. */
void model_extfrag_totals(const struct model *m, uint64_t *fallbacks, uint64_t *type_changes);
double model_duration_s(const struct model *m);

#endif
