/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The decoder between a source (ring buffer or record file) and the model:
 * validates a raw event record and drops, from events and snapshots alike, the tracing machinery's own
 * frames from its stack, so both sources hand the model the same events.
 */
#ifndef FS_DECODE_EVENT_H
#define FS_DECODE_EVENT_H

#include <stddef.h>
#include "fragscope.h"

struct ksyms;
struct snapshot;

/* 0, or -EINVAL for a record that is not a well-formed event. */
int decode_event(const void *data, size_t len, const struct ksyms *ksyms, struct fs_event *out);
/* The same frame clean-up for the stacks counted in the kernel. */
void decode_snapshot(struct snapshot *s, const struct ksyms *ksyms);

#endif
