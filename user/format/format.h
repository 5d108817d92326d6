/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The formatters' one small interface: each output format is one file
 * that turns a finished model into bytes.  Shared naming and symbolising
 * helpers live in report.c so every format says things the same way.
 */
#ifndef FS_FORMAT_FORMAT_H
#define FS_FORMAT_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct model;
struct kernel_info;
struct ksyms;
struct trace_meta;

/* What folded and pprof output are stacks of. */
enum stack_selection { STACKS_FAILURES, STACKS_HIGH_ORDER, STACKS_EXTFRAG, STACKS_COMPACTION, STACKS_RECLAIM,
		       STACKS_REQUESTS };

struct report_options {
	const char *sort; /* count, bytes, order, comm, pid, kind, stack */
	unsigned int top; /* rows per table */
	bool raw_addrs;   /* print unresolved kernel addresses */
	enum stack_selection stacks;
};

struct report {
	const struct model *model;
	const struct kernel_info *kinfo;
	const struct ksyms *ksyms;
	const struct trace_meta *meta;
	struct report_options opts;
};

struct formatter {
	const char *name;
	int (*write)(const struct report *r, FILE *out);
};

/* NULL for an unknown format name. */
const struct formatter *formatter_find(const char *name);
int parse_stack_selection(const char *name, enum stack_selection *out);

extern const struct formatter format_text, format_json, format_folded;
extern const struct formatter format_pprof, format_perf_script, format_html;

/* Shared helpers. */
/* "function+0x1a [module]", or [unknown] unless --raw-addrs. */
const char *report_frame(const struct report *r, uint64_t addr, char *buf, size_t len);
/* The function alone, so stacks through different offsets merge (flame graphs, pprof). */
const char *report_function(const struct report *r, uint64_t addr, char *buf, size_t len);
const char *report_migratetype(const struct report *r, int mt, char *buf, size_t len);
const char *report_compact_status(const struct report *r, int status, char *buf, size_t len);
const char *report_gfp(const struct report *r, uint64_t gfp, char *buf, size_t len);
const char *report_gfp_class(int gfp_class);
/* When the trace started, in local time ("2026-01-02 03:04:05 UTC"), or "?" when the record does not say. */
const char *report_start_time(const struct report *r, char *buf, size_t len);
/* A memory cgroup by its path ("/system.slice/x"), or "cgroup id N" when the trace never learnt it. */
const char *report_cgroup(const struct report *r, uint64_t id, char *buf, size_t len);
/* Indices of model->groups ordered by opts.sort (caller frees). */
size_t *report_sorted_groups(const struct report *r);
/* One stack of the --stacks selection, after the report filter. */
struct stack_sample {
	const uint64_t *frames; /* innermost first */
	uint32_t nr;
	uint64_t weight;  /* failures, allocations, fallbacks, or microseconds stalled */
	uint64_t bytes;   /* what those failures or allocations are of; see report_stacks_have_bytes() */
	const char *root; /* what the stack is of: page, alloc_order_3, direct_reclaim... */
};
/* Does the model know the bytes of this selection's stacks?  Not of stalls. */
bool report_stacks_have_bytes(enum stack_selection sel);
/* Calls fn with each selected stack. */
typedef void (*stack_sample_fn)(void *ctx, const struct stack_sample *s);
void report_visit_stacks(const struct report *r, stack_sample_fn fn, void *ctx);

#endif
