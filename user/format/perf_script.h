/* SPDX-License-Identifier: GPL-2.0 */
/*
 * perf-script output needs each event, and the model keeps only
 * aggregates: so `report -F perf-script` streams the events through
 * perf_script_event() while it replays a record file, instead of calling
 * the formatter's write() on the finished model.
 */
#ifndef FS_FORMAT_PERF_SCRIPT_H
#define FS_FORMAT_PERF_SCRIPT_H

#include <stdint.h>
#include <stdio.h>

#include "format/format.h"

struct fs_event;

struct perf_script_stream {
	struct report report; /* the model being fed; its kinfo and ksyms are used */
	FILE *out;
};

void perf_script_stream_init(struct perf_script_stream *s, const struct model *m,
			     const struct report_options *opts, FILE *out);
/* A replay_file() on_event callback: prints e if model_event_selected() keeps it. */
void perf_script_event(void *stream, const struct fs_event *e);

#endif
