/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The replay source: reads a record file and feeds the decoder and model
 * exactly what the live session fed them.
 */
#ifndef FS_SOURCE_REPLAY_H
#define FS_SOURCE_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/kernel_info.h"
#include "model/meta.h"
#include "model/model.h"

struct ksyms;
struct fs_event;

struct replay {
	struct trace_meta meta;
	struct kernel_info kinfo;
	struct ksyms *ksyms; /* the symbols the file carries */
	bool truncated;      /* the file ended before its end marker */
	char problem[256];   /* why reading stopped early, if it did */
	uint64_t records; /* read so far; after a cut, those before it */
	uint32_t format_version;
};

/*
 * Opens path, then feeds the model (initialised here with filter) every
 * record.  on_event, if set, also sees each decoded event (perf-script).
 * Returns an enum fs_exit; a truncated file is FS_EXIT_OK with
 * r->truncated set and a warning printed.
 */
int replay_file(const char *path, struct replay *r, struct model *m, const struct model_filter *filter,
		void (*on_event)(void *ctx, const struct fs_event *e), void *ctx, char *err, size_t errlen);
void replay_free(struct replay *r);

#endif
