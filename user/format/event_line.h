/* SPDX-License-Identifier: GPL-2.0 */
/* One line per event, as `fragscope trace` prints them live. */
#ifndef FS_FORMAT_EVENT_LINE_H
#define FS_FORMAT_EVENT_LINE_H

#include <stdio.h>

struct report;
struct fs_event;

void event_line_header(FILE *out);
void event_line_print(const struct report *r, const struct fs_event *e, FILE *out);

#endif
