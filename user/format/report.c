// SPDX-License-Identifier: GPL-2.0
#include "format/format.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kernel/gfp.h"
#include "kernel/kernel_info.h"
#include "kernel/ksyms.h"
#include "model/meta.h"
#include "model/model.h"
#include "util/u64map.h"

static const struct formatter *const formatters[] = { &format_text, &format_json, &format_folded,
								  &format_pprof, &format_perf_script, &format_html };

const struct formatter *formatter_find(const char *name)
{
	for (size_t i = 0; i < sizeof(formatters) / sizeof(*formatters); i++)
		if (!strcmp(formatters[i]->name, name))
			return formatters[i];
	return NULL;
}

int parse_stack_selection(const char *name, enum stack_selection *out)
{
	static const char *const names[] = { "failures", "high-order", "extfrag", "compaction", "reclaim", "requests" };

	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		if (!strcmp(name, names[i])) {
			*out = (enum stack_selection)i;
			return 0;
		}
	}
	return -1;
}

const char *report_frame(const struct report *r, uint64_t addr, char *buf, size_t len)
{
	const struct ksym *sym = r->ksyms ? ksyms_find(r->ksyms, addr) : NULL;

	if (sym) {
		ksym_format(sym, addr, buf, len);
		if (r->opts.raw_addrs) {
			size_t used = strlen(buf);

			snprintf(buf + used, len - used, " (0x%llx)", (unsigned long long)addr);
		}
	} else if (r->opts.raw_addrs) {
		snprintf(buf, len, "0x%llx", (unsigned long long)addr);
	} else {
		/* Never print a raw kernel address unless asked: it leaks the KASLR offset. */
		snprintf(buf, len, "[unknown]");
	}
	return buf;
}

const char *report_function(const struct report *r, uint64_t addr, char *buf, size_t len)
{
	const struct ksym *sym = r->ksyms ? ksyms_find(r->ksyms, addr) : NULL;

	if (!sym)
		return report_frame(r, addr, buf, len);
	if (sym->module)
		snprintf(buf, len, "%s [%s]", sym->name, sym->module);
	else
		snprintf(buf, len, "%s", sym->name);
	return buf;
}

const char *report_migratetype(const struct report *r, int mt, char *buf, size_t len)
{
	return name_table_get(&r->kinfo->migratetypes, mt, buf, len);
}

const char *report_compact_status(const struct report *r, int status, char *buf, size_t len)
{
	return name_table_get(&r->kinfo->compact_results, status, buf, len);
}

const char *report_gfp(const struct report *r, uint64_t gfp, char *buf, size_t len)
{
	gfp_format(&r->kinfo->gfp, gfp, buf, len);
	return buf;
}

const char *report_start_time(const struct report *r, char *buf, size_t len)
{
	time_t t;
	struct tm tm;

	if (!r->meta || !r->meta->start_realtime_ns || !len)
		return "?";
	t = r->meta->start_realtime_ns / 1000000000ULL;
	strftime(buf, len, "%Y-%m-%d %H:%M:%S %Z", localtime_r(&t, &tm));
	return buf;
}

const char *report_cgroup(const struct report *r, uint64_t id, char *buf, size_t len)
{
	const char *path = requests_cgroup_path(&r->model->requests, id);

	if (path)
		snprintf(buf, len, "%s", path);
	else
		snprintf(buf, len, "cgroup id %" PRIu64, id);
	return buf;
}

const char *report_gfp_class(int gfp_class)
{
	static const char *const names[FS_GFP_CLASSES] = {
		[FS_GFP_ATOMIC] = "atomic", [FS_GFP_NOWAIT] = "nowait",
		[FS_GFP_MAYFAIL] = "mayfail", [FS_GFP_NORMAL] = "normal",
	};

	return gfp_class >= 0 && gfp_class < FS_GFP_CLASSES ? names[gfp_class] : "?";
}

static const struct report *sort_report; /* qsort has no context argument */

static int cmp_groups(const void *pa, const void *pb)
{
	const struct model *m = sort_report->model;
	const struct failure_group *a = &m->groups[*(const size_t *)pa], *b = &m->groups[*(const size_t *)pb];
	const char *key = sort_report->opts.sort ? sort_report->opts.sort : "count";
	int c = 0;

#define CMP_DESC(x, y) ((x) < (y) ? 1 : (x) > (y) ? -1 : 0)
	if (!strcmp(key, "bytes"))
		c = CMP_DESC(a->bytes * a->count, b->bytes * b->count);
	else if (!strcmp(key, "order"))
		c = CMP_DESC(a->order, b->order);
	else if (!strcmp(key, "comm"))
		c = strncmp(a->procs[0].comm, b->procs[0].comm, FS_COMM_LEN);
	else if (!strcmp(key, "pid"))
		c = -CMP_DESC(a->procs[0].pid, b->procs[0].pid);
	else if (!strcmp(key, "kind"))
		c = -CMP_DESC(a->kind, b->kind);
	else if (!strcmp(key, "stack"))
		c = -CMP_DESC(a->stack_id, b->stack_id);
	if (!c)
		c = CMP_DESC(a->count, b->count);
	if (!c)
		c = -CMP_DESC(a->first_ns, b->first_ns);
#undef CMP_DESC
	return c;
}

size_t *report_sorted_groups(const struct report *r)
{
	size_t n = r->model->nr_groups, *idx = malloc((n ? n : 1) * sizeof(*idx));

	if (!idx)
		return NULL;
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	sort_report = r;
	qsort(idx, n, sizeof(*idx), cmp_groups);
	return idx;
}

static bool stall_selected(enum stack_selection sel, uint32_t kind)
{
	return sel == STACKS_COMPACTION ? kind == 0 : kind != 0;
}

bool report_stacks_have_bytes(enum stack_selection sel)
{
	return sel == STACKS_FAILURES || sel == STACKS_HIGH_ORDER || sel == STACKS_EXTFRAG || sel == STACKS_REQUESTS;
}

/*
 * Each failed request once, under its api and cause (not its allocator
 * events): requests sharing a stack, an api and a cause are one sample.
 */
static void visit_request_stacks(const struct model *m, stack_sample_fn fn, void *ctx)
{
	const struct request_table *t = &m->requests;
	struct stack_sample *samples = calloc(t->nr ? t->nr : 1, sizeof(*samples));
	char (*roots)[48] = calloc(t->nr ? t->nr : 1, sizeof(*roots));
	struct u64map index;
	size_t n = 0;

	u64map_init(&index);
	for (size_t i = 0; samples && roots && i < t->nr; i++) {
		const struct request *rq = &t->list[i];
		uint64_t key = (uint64_t)rq->stack_id << 16 | (uint64_t)rq->api << 8 | rq->cause, *slot;
		bool inserted;

		if (rq->outcome != OUTCOME_FAILED || !(slot = u64map_upsert(&index, key, &inserted)))
			continue;
		if (inserted) {
			const struct interned_stack *s = stack_table_get(&m->stacks, rq->stack_id);

			snprintf(roots[n], sizeof(roots[n]), "%s_%s", request_api_name(rq->api), request_cause_name(rq->cause));
			samples[n] = (struct stack_sample){ s ? s->frames : NULL, s ? s->nr_frames : 0, 0, 0, roots[n] };
			*slot = n++;
		}
		samples[*slot].weight += request_count(rq);
		samples[*slot].bytes += rq->bytes * request_count(rq);
	}
	for (size_t i = 0; i < n; i++)
		fn(ctx, &samples[i]);
	u64map_free(&index);
	free(samples);
	free(roots);
}

/*
 * The one walk over the model's stacks for folded, pprof and html.  The
 * model has already applied the report filter (--since, --until, -p,
 * --comm, --kind, --min-order) to what it keeps.
 */
void report_visit_stacks(const struct report *r, stack_sample_fn fn, void *ctx)
{
	const struct model *m = r->model;
	uint64_t page_size = r->kinfo && r->kinfo->page_size ? r->kinfo->page_size : 4096;

	switch (r->opts.stacks) {
	case STACKS_FAILURES:
		for (size_t i = 0; i < m->nr_groups; i++) {
			const struct failure_group *g = &m->groups[i];
			const struct interned_stack *s = stack_table_get(&m->stacks, g->stack_id);

			fn(ctx, &(struct stack_sample){ s->frames, s->nr_frames, g->count, g->total_bytes,
							failure_kind_name(g->kind) });
		}
		break;
	case STACKS_HIGH_ORDER:
	case STACKS_EXTFRAG:
		for (size_t i = 0; i < m->window.nr_stacks; i++) {
			const struct snap_stack *s = &m->window.stacks[i];
			bool extfrag = s->key.kind == FS_STACK_EXTFRAG;
			char root[32];

			if (extfrag != (r->opts.stacks == STACKS_EXTFRAG))
				continue;
			snprintf(root, sizeof(root), "%s_order_%u", extfrag ? "extfrag" : "alloc", s->key.order);
			/* An extfrag stack's order is the allocation's, not the fallback block's. */
			fn(ctx, &(struct stack_sample){ s->frames, s->nr_frames, s->count,
							s->count * (page_size << s->key.order), root });
		}
		break;
	case STACKS_REQUESTS:
		visit_request_stacks(m, fn, ctx);
		break;
	case STACKS_COMPACTION:
	case STACKS_RECLAIM:
		for (size_t i = 0; i < m->nr_stall_stacks; i++) {
			const struct stall_stack *st = &m->stall_stacks[i];
			const struct interned_stack *s = stack_table_get(&m->stacks, st->stack_id);
			static const char *const roots[] = { "compaction", "direct_reclaim", "memcg_reclaim" };

			if (!stall_selected(r->opts.stacks, st->kind))
				continue;
			/* Weighted by time stalled, in microseconds: where the waiting was. */
			fn(ctx, &(struct stack_sample){ s->frames, s->nr_frames,
							st->total_ns / 1000 ? st->total_ns / 1000 : 1, 0,
							roots[st->kind < 3 ? st->kind : 0] });
		}
		break;
	}
}
