// SPDX-License-Identifier: GPL-2.0
/*
 * Folded stacks, as flamegraph.pl, inferno and speedscope read them: one
 * line per stack, outermost frame first, frames joined by ';', then a
 * space and the count.  The root frame names what the stack is of.
 */
#include "format/format.h"

struct folded_ctx {
	const struct report *r;
	FILE *out;
};

static void print_folded(void *ctx, const struct stack_sample *s)
{
	struct folded_ctx *f = ctx;
	char name[256];

	fputs(s->root, f->out);
	for (uint32_t i = s->nr; i-- > 0;)
		fprintf(f->out, ";%s", report_function(f->r, s->frames[i], name, sizeof(name)));
	fprintf(f->out, " %llu\n", (unsigned long long)s->weight);
}

static int write_folded(const struct report *r, FILE *out)
{
	struct folded_ctx ctx = { r, out };

	report_visit_stacks(r, print_folded, &ctx);
	return 0;
}

const struct formatter format_folded = { "folded", write_folded };
