/* SPDX-License-Identifier: GPL-2.0 */
/* One line per event, as `fragscope trace` prints them live. */
#ifndef FS_FORMAT_EVENT_LINE_H
#define FS_FORMAT_EVENT_LINE_H

#include <stdbool.h>
#include <stdio.h>

struct report;
struct fs_event;
struct request;

void event_line_header(FILE *out);
/* Stalls and OOM kills; allocator failures one by one only with failure_events. */
void event_line_print(const struct report *r, const struct fs_event *e, bool failure_events, FILE *out);
/* A request as it closes: the operator's line. */
void event_line_request(const struct report *r, const struct request *rq, FILE *out);
/* A kernel log report no traced request matched: explain's verdict, and the kernel's line. */
void event_line_log_request(const struct report *r, const struct request *rq, FILE *out);

#endif
