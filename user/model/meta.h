/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Facts about a trace that are not events: where and when it ran and what
 * was attached.  Pointer-free, so a record file stores it as it is.
 */
#ifndef FS_MODEL_META_H
#define FS_MODEL_META_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "fragscope.h"

#define TRACE_META_PROBES 32
_Static_assert(FS_PROBES <= TRACE_META_PROBES, "trace_meta has no room for every probe");
/* What became of a probe at attach time (stored in trace_meta.probe_state). */
enum probe_state { PROBE_ATTACHED, PROBE_MISSING, PROBE_MASKED, PROBE_FAILED };

struct trace_meta {
	char fragscope_version[16];
	char hostname[65];
	char boot_id[40];
	char command[256];        /* the fragscope command line */
	uint64_t start_realtime_ns; /* CLOCK_REALTIME at attach */
	uint64_t start_mono_ns;     /* CLOCK_MONOTONIC at attach: event timestamps' base */
	uint64_t attach_ns;         /* from start to attached */
	uint32_t min_order, stack_order;
	/* Room for probes to come, so that adding one keeps the record layout. */
	uint8_t probe_state[TRACE_META_PROBES]; /* enum probe_state, by enum fs_probe */
	char probe_via[TRACE_META_PROBES][12];
};

/* "kmem:mm_page_alloc" and its parts, for every enum fs_probe. */
const char *fs_probe_name(int probe);
const char *fs_probe_category(int probe);
const char *fs_probe_event(int probe);
const char *fs_event_type_name(int type);
/* A kernel map whose full-map drops are counted (FS_CTR_MAP_FULL), by enum fs_map_id; NULL for one never full. */
const char *fs_map_name(int map);

/*
 * The warning every report's header carries for a probe this kernel could
 * not give (missing or refused; not one masked on request): false if none.
 */
bool meta_probe_warning(const struct trace_meta *m, int probe, char *buf, size_t len);

#endif
