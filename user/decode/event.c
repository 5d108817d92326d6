// SPDX-License-Identifier: GPL-2.0
#include "decode/event.h"

#include <errno.h>
#include <string.h>

#include "kernel/ksyms.h"
#include "model/snapshot.h"

static uint32_t drop_tracing_frames(const struct ksyms *ksyms, uint64_t *frames, uint32_t nr)
{
	size_t skip = ksyms ? stack_skip_tracing_frames(ksyms, frames, nr) : 0;

	if (skip)
		memmove(frames, frames + skip, (nr - skip) * sizeof(*frames));
	return nr - skip;
}

int decode_event(const void *data, size_t len, const struct ksyms *ksyms, struct fs_event *out)
{
	const struct fs_event *raw = data;
	uint32_t nr;

	if (len < FS_EVENT_FIXED_SIZE)
		return -EINVAL;
	nr = raw->hdr.nr_frames;
	if (raw->hdr.type == 0 || raw->hdr.type >= FS_EV_TYPES || nr > FS_MAX_FRAMES ||
	    len < fs_event_size(nr))
		return -EINVAL;
	memcpy(out, raw, fs_event_size(nr));
	out->hdr.comm[FS_COMM_LEN - 1] = 0;
	out->hdr.nr_frames = drop_tracing_frames(ksyms, out->frames, nr);
	return 0;
}

void decode_snapshot(struct snapshot *s, const struct ksyms *ksyms)
{
	for (size_t i = 0; i < s->nr_stacks; i++) {
		struct snap_stack *st = &s->stacks[i];

		if (st->nr_frames > FS_MAX_FRAMES)
			st->nr_frames = FS_MAX_FRAMES;
		st->nr_frames = drop_tracing_frames(ksyms, st->frames, st->nr_frames);
	}
}
