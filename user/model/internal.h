/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the model's files share and nothing outside model/ calls: each
 * concern (failures.c, stalls.c, oom.c, window.c) adds its events to the
 * struct model that model.c owns, dispatches to and prunes.
 */
#ifndef FS_MODEL_INTERNAL_H
#define FS_MODEL_INTERNAL_H

#include "model/model.h"

/* model.c */
/* Grows an array by one zeroed element; NULL if out of memory. */
void *model_grow_one(void **array, size_t *n, size_t size);
/* Is ts_ns inside --since/--until? */
bool model_in_window(const struct model *m, uint64_t ts_ns);
/* Does --pid/--comm keep this task? */
bool model_task_selected(const struct model_filter *f, uint32_t pid, const char *comm);
/* The kernel's page size (4096 when unknown). */
uint32_t model_page_size(const struct model *m);
/* The event's stack id in m->stacks (the decoder already dropped the tracing frames), or -ENOMEM. */
int64_t model_intern_stack(struct model *m, const struct fs_event *e);
/*
 * Does an event's memcg_limit_pages hold a limit?  Not 0 (the task has no
 * memory cgroup), nor the kernel's "no limit" (PAGE_COUNTER_MAX pages, near
 * LONG_MAX / PAGE_SIZE).
 */
static inline bool memcg_limit_set(uint64_t limit_pages)
{
	return limit_pages && limit_pages < (1ULL << 48);
}

/* failures.c: FS_EV_{PAGE,KMALLOC,SLAB,VMAP}_FAIL */
int model_add_failure(struct model *m, const struct fs_event *e);
/* True for an event that is no failure; for a failure, does --kind/--min-order keep it? */
bool model_failure_selected(const struct model *m, const struct fs_event *e);
void model_prune_pending(struct model *m);

/* stalls.c: FS_EV_COMPACT, FS_EV_RECLAIM */
int model_add_compaction(struct model *m, const struct fs_event *e);
int model_add_reclaim(struct model *m, const struct fs_event *e);
/* Closes the attempts idle since now_ns - COMPACTION_IDLE_NS, or all of them. */
void model_close_idle_compactions(struct model *m, uint64_t now_ns, bool all);
void model_prune_compactions(struct model *m);

/* oom.c: FS_EV_OOM */
int model_add_oom(struct model *m, const struct fs_event *e);

/* request_stack.c: what a failure's stack says of its request */
/* Does a frame of the stack belong to a function whose name starts with one of prefixes? */
bool model_stack_has_function(const struct model *m, const uint64_t *frames, uint32_t nr,
			      const char *const *prefixes);
const char *request_frame_name(const struct model *m, uint64_t addr);
enum request_context request_stack_context(const struct model *m, const uint64_t *frames, uint32_t nr);
/* The index of the first frame outside the allocators: the caller that asked. */
uint32_t request_caller_frame(const struct model *m, const uint64_t *frames, uint32_t nr);
/* The start of the function addr is in (addr itself when unknown). */
uint64_t request_function_of(const struct model *m, uint64_t addr);
/* The outermost interface the caller used, from the events and the stack. */
enum request_api request_api_of(const struct model *m, const struct request *r);

/* request_evidence.c: the numbers behind a cause */
void request_zone_evidence(const struct model *m, struct request *r);
void request_commit_evidence(const struct model *m, struct request *r);
void request_hugetlb_evidence(const struct model *m, struct request *r);
/* The caller's mm, rlimits and capabilities, from its ENOMEM syscall's end. */
void request_mm_evidence(const struct model *m, struct request *r, const struct fs_event *e);
/* The task's mempolicy and cpuset nodes, from its first page failure that read them. */
void request_nodes_evidence(struct request *r, const struct fs_page_fail *p);
/* What an ENOMEM syscall asked for, from its arguments. */
uint64_t request_syscall_bytes(const struct model *m, const struct fs_syscall_end *s, const char *name);
enum request_api request_bare_enomem_api(const char *name, const struct fs_syscall_end *s);

#endif
