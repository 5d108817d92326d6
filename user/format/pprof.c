// SPDX-License-Identifier: GPL-2.0
/*
 * A pprof profile (gzip-compressed profile.proto) of the stacks --stacks
 * selects, for `go tool pprof`, speedscope and the like.  Frames are
 * function names, so stacks through different offsets merge as in folded
 * output; what a stack is of (folded output's root frame) becomes the
 * label "kind", so pprof can focus on or group by it (-tagfocus, -tags)
 * without a made-up frame hiding the real leaf in -top.  Failures,
 * high-order allocations and extfrag fallbacks also carry their bytes.
 */
#include <stdint.h>
#include <stdlib.h>

#include "format/format.h"
#include "format/pprof_writer.h"
#include "fragscope.h"
#include "model/meta.h"
#include "model/model.h"

/*
 * The (type, unit) pairs of each selection: what its weights count and,
 * where the model knows them, the bytes those are of, named as Go heap
 * profiles name theirs (alloc_objects/count, alloc_space/bytes): a count,
 * then NAME_space in bytes.  The count stays the default sample type, so
 * `go tool pprof` shows it unless given -sample_index=alloc_space etc.
 */
static const char *const sample_types[][4] = {
	[STACKS_FAILURES] = { "failures", "count", "failed_space", "bytes" },
	[STACKS_HIGH_ORDER] = { "allocations", "count", "alloc_space", "bytes" },
	[STACKS_EXTFRAG] = { "fallbacks", "count", "fallback_space", "bytes" },
	[STACKS_COMPACTION] = { "stall", "microseconds" },
	[STACKS_RECLAIM] = { "stall", "microseconds" },
	[STACKS_REQUESTS] = { "failed_requests", "count", "requested_space", "bytes" },
};

struct pprof_ctx {
	const struct report *r;
	struct pprof_builder *builder;
	int err; /* the first error; later stacks are skipped */
	char names[FS_MAX_FRAMES][256];
};

static int64_t clamp_value(uint64_t v)
{
	return v > INT64_MAX ? INT64_MAX : (int64_t)v;
}

static void add_stack(void *ctx, const struct stack_sample *s)
{
	struct pprof_ctx *p = ctx;
	const char *frame_names[FS_MAX_FRAMES];
	const struct pprof_label kind = { .key = "kind", .str = s->root };
	/* A builder of one type reads only the first. */
	int64_t values[2] = { clamp_value(s->weight), clamp_value(s->bytes) };
	uint32_t nr = s->nr > FS_MAX_FRAMES ? FS_MAX_FRAMES : s->nr;

	if (p->err)
		return;
	for (uint32_t i = 0; i < nr; i++)
		frame_names[i] = report_function(p->r, s->frames[i], p->names[i], sizeof(p->names[i]));
	p->err = pprof_add_labeled_sample(p->builder, frame_names, nr, values, &kind, 1);
}

static int write_pprof(const struct report *r, FILE *out)
{
	struct pprof_ctx *ctx = calloc(1, sizeof(*ctx)); /* 32 KiB of frame names */
	const char *const *types = sample_types[r->opts.stacks];
	int err = -1;

	if (!ctx)
		return -1;
	ctx->r = r;
	ctx->builder = pprof_new(types, report_stacks_have_bytes(r->opts.stacks) ? 2 : 1);
	if (ctx->builder) {
		if (r->meta)
			pprof_set_time(ctx->builder, (int64_t)r->meta->start_realtime_ns,
				       (int64_t)(model_duration_s(r->model) * 1e9));
		ctx->err = pprof_set_default_type(ctx->builder, types[0]);
		report_visit_stacks(r, add_stack, ctx);
		err = ctx->err ? ctx->err : pprof_write_gzip(ctx->builder, out);
		pprof_free(ctx->builder);
	}
	free(ctx);
	return err ? -1 : 0;
}

const struct formatter format_pprof = { "pprof", write_pprof };
