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
/* The event's stack id in m->stacks (the decoder already dropped the tracing frames), or -ENOMEM. */
int64_t model_intern_stack(struct model *m, const struct fs_event *e);

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

#endif
