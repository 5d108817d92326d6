/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Writes a live session into a record file: the raw events and snapshots
 * exactly as the model received them, plus every kernel symbol they need,
 * so `fragscope report` on another machine decodes them the same way.
 */
#ifndef FS_RECORD_RECORDER_H
#define FS_RECORD_RECORDER_H

#include <stddef.h>
#include <stdint.h>

struct recorder;
struct snapshot;
struct state_sample;
struct trace_meta;
struct kernel_info;
struct ksyms;
struct recfile_stats;

/* NULL with *err (negative errno or RECFILE_E*) on failure. */
struct recorder *recorder_create(const char *path, const struct trace_meta *meta,
				 const struct kernel_info *kinfo, const struct ksyms *ksyms, int *err);
int recorder_write_event(struct recorder *r, const void *raw, size_t len);
int recorder_write_snapshot(struct recorder *r, const struct snapshot *s);
int recorder_write_state(struct recorder *r, const struct state_sample *s);
/* A memory cgroup's path, before the first event that names its id. */
int recorder_write_cgroup(struct recorder *r, uint64_t id, const char *path);
/* One /dev/kmsg record of an allocation-failure report, as read. */
int recorder_write_klog(struct recorder *r, const char *record, size_t len);
/*
 * Completes the pending block, so a crash after this loses nothing before
 * it.  An error sticks: every later write and recorder_close() return it.
 */
int recorder_flush(struct recorder *r);
/* Final flush and rename into place; stats may be NULL. */
int recorder_close(struct recorder *r, struct recfile_stats *stats);

#endif
