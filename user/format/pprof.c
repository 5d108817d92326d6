// SPDX-License-Identifier: GPL-2.0
/*
 * A pprof profile (gzip-compressed profile.proto) of the stacks --stacks
 * selects, for `go tool pprof`, speedscope and the like.  Frames are
 * function names, so stacks through different offsets merge as in folded
 * output; what a stack is of (folded output's root frame) becomes the
 * label "kind", so pprof can focus on or group by it (-tagfocus, -tags)
 * without a made-up frame hiding the real leaf in -top.
 */
#include <stdint.h>
#include <stdlib.h>

#include "format/format.h"
#include "format/pprof_writer.h"
#include "fragscope.h"
#include "model/meta.h"
#include "model/model.h"

/* One (type, unit) pair per selection: what each selection's weights count. */
static const char *const sample_types[][2] = {
	[STACKS_FAILURES] = { "failures", "count" },
	[STACKS_HIGH_ORDER] = { "allocations", "count" },
	[STACKS_EXTFRAG] = { "fallbacks", "count" },
	[STACKS_COMPACTION] = { "stall", "microseconds" },
	[STACKS_RECLAIM] = { "stall", "microseconds" },
};

struct pprof_ctx {
	const struct report *r;
	struct pprof_builder *builder;
	int err; /* the first error; later stacks are skipped */
	char names[FS_MAX_FRAMES][256];
};

static void add_stack(void *ctx, const uint64_t *frames, uint32_t nr, uint64_t weight, const char *root)
{
	struct pprof_ctx *p = ctx;
	const char *frame_names[FS_MAX_FRAMES];
	const struct pprof_label kind = { .key = "kind", .str = root };
	int64_t value = weight > INT64_MAX ? INT64_MAX : (int64_t)weight;

	if (p->err)
		return;
	if (nr > FS_MAX_FRAMES)
		nr = FS_MAX_FRAMES;
	for (uint32_t i = 0; i < nr; i++)
		frame_names[i] = report_function(p->r, frames[i], p->names[i], sizeof(p->names[i]));
	p->err = pprof_add_labeled_sample(p->builder, frame_names, nr, &value, &kind, 1);
}

static int write_pprof(const struct report *r, FILE *out)
{
	struct pprof_ctx *ctx = calloc(1, sizeof(*ctx)); /* 32 KiB of frame names */
	int err = -1;

	if (!ctx)
		return -1;
	ctx->r = r;
	ctx->builder = pprof_new(sample_types[r->opts.stacks], 1);
	if (ctx->builder) {
		if (r->meta)
			pprof_set_time(ctx->builder, (int64_t)r->meta->start_realtime_ns,
				       (int64_t)(model_duration_s(r->model) * 1e9));
		report_visit_stacks(r, add_stack, ctx);
		err = ctx->err ? ctx->err : pprof_write_gzip(ctx->builder, out);
		pprof_free(ctx->builder);
	}
	free(ctx);
	return err ? -1 : 0;
}

const struct formatter format_pprof = { "pprof", write_pprof };
