/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `fragscope doctor`: findings about fragmentation and allocation failures,
 * each with its severity, the numbers behind it and what to consider doing,
 * from the state (and its change over a window) and, when the tracer could
 * run, from what it saw.
 */
#ifndef FS_STATE_DOCTOR_H
#define FS_STATE_DOCTOR_H

#include <stdint.h>

#include "state/state.h"

/* Kinds of allocation failure the tracer counts (FS_EV_*_FAIL). */
enum doctor_failure_kind {
	DOCTOR_FAIL_PAGE,    /* page allocator */
	DOCTOR_FAIL_KMALLOC,
	DOCTOR_FAIL_SLAB,    /* kmem_cache_alloc */
	DOCTOR_FAIL_VMALLOC, /* vmalloc address space */
	DOCTOR_FAIL_KINDS
};

/*
 * What the tracer saw during a window, for the findings only trace
 * evidence can support.  Pointer-free, so it can be stored as bytes.
 * Filled by `fragscope doctor -d` (trace_collect_evidence() in
 * commands/doctor.c); every count covers the window.
 */
struct doctor_evidence {
	uint32_t valid;          /* nonzero once filled in */
	uint32_t window_seconds;
	uint64_t failures[DOCTOR_FAIL_KINDS];
	/* Failures of any kind in a task whose memcg was at its limit (model/request.h's memcg_at_limit())... */
	uint64_t failures_memcg_at_limit;
	/* ...and in a task whose memcg was below it or had no limit. */
	uint64_t failures_memcg_below_limit;
	uint64_t page_failures_by_order[FS_ORDERS];
	uint64_t direct_reclaim_stalls; /* FS_RECLAIM_DIRECT */
	uint64_t memcg_reclaim_stalls;  /* FS_RECLAIM_MEMCG */
	uint64_t compact_stalls;        /* allocations that entered direct compaction */
	uint64_t compact_stall_p99_ns;
	uint64_t extfrag_steals;        /* mm_page_alloc_extfrag: fallbacks to another type */
	uint64_t extfrag_change_ownership; /* ...that took the whole pageblock over */
	uint64_t oom_kills;
};

enum doctor_severity {
	DOCTOR_INFO,
	DOCTOR_WARNING,
	DOCTOR_CRITICAL,
};

#define DOCTOR_MAX_FACTS 8
#define DOCTOR_MAX_FINDINGS 64
#define DOCTOR_MAX_NOTES 8

/* One number behind a finding, for machines: "free_pages": 123. */
struct doctor_fact {
	char key[32];
	double value;
};

struct doctor_finding {
	enum doctor_severity severity;
	char id[32];         /* stable: what kind of finding, e.g. "external_fragmentation" */
	char title[160];
	char evidence[512];  /* the numbers, in a sentence */
	char advice[640];
	unsigned int nr_facts;
	struct doctor_fact facts[DOCTOR_MAX_FACTS];
};

struct doctor_report {
	unsigned int count;   /* findings, most severe first */
	unsigned int dropped; /* findings beyond DOCTOR_MAX_FINDINGS */
	struct doctor_finding findings[DOCTOR_MAX_FINDINGS];
	/* Checks that could not be made, and why. */
	unsigned int nr_notes;
	char notes[DOCTOR_MAX_NOTES][160];
};

/*
 * The findings for the state @now.  With @before (the state @window_seconds
 * earlier) rates come from the counters' change over the window, otherwise
 * from their totals since boot.  @ev may be NULL or not valid: the findings
 * that need trace evidence are then not made.
 */
void doctor_findings(const struct state *now, const struct state *before, double window_seconds,
		     const struct doctor_evidence *ev, struct doctor_report *out);

/* Adds to the report's notes on what could not be checked. */
void doctor_note(struct doctor_report *r, const char *text);

const char *doctor_severity_name(enum doctor_severity s);

#endif
