// SPDX-License-Identifier: GPL-2.0
/*
 * The perf-style text report: a header of what was traced and lost, then
 * one section per allocator concern, most actionable (failures) last so it
 * is what stays on screen.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "format/format.h"
#include "format/report_requests.h"
#include "kernel/kernel_info.h"
#include "model/findings.h"
#include "model/meta.h"
#include "model/model.h"

#define STAT_BAR_WIDTH 40

/* A sorted copy of a window array: formatters never reorder the model. */
static void *sorted_copy(const void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	void *copy = malloc(n ? n * size : 1);

	/* base is NULL for an empty array: memcpy/qsort on NULL are undefined even for 0. */
	if (copy && n) {
		memcpy(copy, base, n * size);
		qsort(copy, n, size, cmp);
	}
	return copy;
}

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

static void section(FILE *out, const char *title)
{
	fprintf(out, "\n== %s ==\n", title);
}

static void print_stack(const struct report *r, FILE *out, const uint64_t *frames, uint32_t nr,
			const char *indent)
{
	char name[256];

	if (!nr)
		fprintf(out, "%s(no stack)\n", indent);
	for (uint32_t i = 0; i < nr; i++)
		fprintf(out, "%s%s\n", indent, report_frame(r, frames[i], name, sizeof(name)));
}

static void print_header(const struct report *r, FILE *out)
{
	const struct model *m = r->model;
	const struct trace_meta *meta = r->meta;
	uint64_t lost = model_lost_total(m);
	char when[64];

	fprintf(out, "# fragscope %s report\n", meta ? meta->fragscope_version : "");
	fprintf(out, "# kernel %s on %s, page size %u\n", r->kinfo->release, meta ? meta->hostname : "?",
		r->kinfo->page_size);
	fprintf(out, "# started %s, duration %.1f s", report_start_time(r, when, sizeof(when)), model_duration_s(m));
	if (meta && meta->attach_ns)
		fprintf(out, ", attached in %.0f ms", meta->attach_ns / 1e6);
	fprintf(out, "\n#\n# events per tracepoint:\n");
	fprintf(out, "#   %-48s %12" PRIu64 "%s%s\n", fs_probe_name(FS_PROBE_PAGE_ALLOC), model_page_allocs_total(m),
		meta && meta->probe_state[FS_PROBE_PAGE_ALLOC] ? "  (not attached)" : "",
		m->window.flags & SNAP_ORDER0_FROM_VMSTAT ? "  (order 0 from /proc/vmstat pgalloc)" : "");
	for (int p = 0; p < FS_PROBES; p++) {
		if (p == FS_PROBE_PAGE_ALLOC)
			continue; /* counted by its histogram, above */
		fprintf(out, "#   %-48s %12" PRIu64 "%s\n", fs_probe_name(p), m->window.counters[FS_CTR_PROBE_HITS + p],
			meta && meta->probe_state[p] ? "  (not attached)" : "");
	}
	for (int p = 0; p < FS_PROBES; p++) {
		char warning[160];

		if (meta_probe_warning(meta, p, warning, sizeof(warning)))
			fprintf(out, "# warning: %s\n", warning);
	}
	fprintf(out, "#\n# lost events (ring buffer full): ");
	if (!lost) {
		fprintf(out, "none\n");
	} else {
		for (int t = 1; t < FS_EV_TYPES; t++)
			fprintf(out, "%s=%" PRIu64 " ", fs_event_type_name(t), m->window.counters[FS_CTR_LOST + t]);
		fprintf(out, "\n");
	}
	fprintf(out, "# dropped (map full): proc=%" PRIu64 " callsite=%" PRIu64 " extfrag=%" PRIu64
		     " stacks=%" PRIu64 " open_requests=%" PRIu64 "; stacks not taken: collision=%" PRIu64
		     " other=%" PRIu64 "\n",
		m->window.counters[FS_CTR_MAP_FULL + FS_MAP_PROC], m->window.counters[FS_CTR_MAP_FULL + FS_MAP_CALLSITE],
		m->window.counters[FS_CTR_MAP_FULL + FS_MAP_EXTFRAG],
		m->window.counters[FS_CTR_MAP_FULL + FS_MAP_STACK_COUNTS],
		m->window.counters[FS_CTR_MAP_FULL + FS_MAP_OPEN_REQUESTS],
		m->window.counters[FS_CTR_STACK_COLLISION], m->window.counters[FS_CTR_STACK_ERROR]);
	if (m->stacks.not_kept || m->failures_not_grouped)
		fprintf(out, "# model tables full: %" PRIu64 " stacks shown empty (over %d), %" PRIu64
			     " failures in their kind's empty-stack group (over %d groups)\n",
			m->stacks.not_kept, MODEL_MAX_STACKS, m->failures_not_grouped, MODEL_MAX_GROUPS);
}

static void print_orders(const struct report *r, FILE *out)
{
	const struct snapshot *w = &r->model->window;
	uint64_t total = model_page_allocs_total(r->model), by_mt[FS_MIGRATETYPES] = {}, by_class[FS_GFP_CLASSES] = {};
	uint64_t order0_vmstat;
	bool from_vmstat = model_order0_from_vmstat(r->model, &order0_vmstat);
	char name[32];
	int mts = 0;

	for (int o = 0; o < FS_ORDERS; o++)
		for (int mt = 0; mt < FS_MIGRATETYPES; mt++)
			for (int c = 0; c < FS_GFP_CLASSES; c++) {
				uint64_t n = w->page_allocs[fs_page_alloc_index(o, mt, c)];

				by_mt[mt] += n;
				by_class[c] += n;
			}
	for (int mt = 0; mt < FS_MIGRATETYPES; mt++)
		if (by_mt[mt])
			mts = mt + 1;
	section(out, "Page allocations by order and migratetype");
	fprintf(out, "%5s", "order");
	for (int mt = 0; mt < mts; mt++)
		fprintf(out, " %12s", report_migratetype(r, mt, name, sizeof(name)));
	if (from_vmstat)
		fprintf(out, " %12s", "vmstat*");
	fprintf(out, " %12s %7s\n", "total", "%");
	for (int o = 0; o < FS_ORDERS; o++) {
		uint64_t row = 0, cells[FS_MIGRATETYPES] = {};

		for (int mt = 0; mt < FS_MIGRATETYPES; mt++)
			for (int c = 0; c < FS_GFP_CLASSES; c++)
				cells[mt] += w->page_allocs[fs_page_alloc_index(o, mt, c)];
		for (int mt = 0; mt < FS_MIGRATETYPES; mt++)
			row += cells[mt];
		row += o ? 0 : order0_vmstat;
		if (!row && !(from_vmstat && !o))
			continue;
		fprintf(out, "%5d", o);
		for (int mt = 0; mt < mts; mt++)
			fprintf(out, " %12" PRIu64, cells[mt]);
		if (from_vmstat && !o)
			fprintf(out, " %12" PRIu64, order0_vmstat);
		else if (from_vmstat)
			fprintf(out, " %12s", "-");
		fprintf(out, " %12" PRIu64 " %6.2f%%\n", row, pct(row, total));
	}
	fprintf(out, "%5s", "total");
	for (int mt = 0; mt < mts; mt++)
		fprintf(out, " %12" PRIu64, by_mt[mt]);
	if (from_vmstat)
		fprintf(out, " %12" PRIu64, order0_vmstat);
	fprintf(out, " %12" PRIu64 " %6.2f%%\n", total, total ? 100.0 : 0.0);
	fprintf(out, "by gfp class:");
	for (int c = 0; c < FS_GFP_CLASSES; c++)
		fprintf(out, " %s %" PRIu64 " (%.1f%%)", report_gfp_class(c), by_class[c], pct(by_class[c], total));
	if (from_vmstat)
		fprintf(out, " vmstat* %" PRIu64 " (%.1f%%)", order0_vmstat, pct(order0_vmstat, total));
	fprintf(out, "\n");
	if (from_vmstat)
		fprintf(out, "* %s:\n  the successful order-0 allocations (%" PRIu64 " pages counted by the kernel minus those "
			     "of the traced orders >= 1),\n  including alloc_pages_bulk()'s and fragscope's own; order 0's "
			     "migratetype columns hold its failed allocations only\n",
			MODEL_ORDER0_NOTE, w->pgalloc_pages);
}

static int cmp_proc_desc(const void *a, const void *b)
{
	const struct snap_proc *x = a, *y = b;

	return x->value.count < y->value.count ? 1 : x->value.count > y->value.count ? -1 : 0;
}

static void print_processes(const struct report *r, FILE *out)
{
	const struct snapshot *w = &r->model->window;
	struct snap_proc *procs = sorted_copy(w->procs, w->nr_procs, sizeof(*procs), cmp_proc_desc);
	char title[96];

	snprintf(title, sizeof(title), "Top processes by page allocations of order >= %u",
		 r->meta ? r->meta->min_order : 4);
	section(out, title);
	if (!w->nr_procs || !procs) {
		fprintf(out, "(none)\n");
		free(procs);
		return;
	}
	fprintf(out, "%12s %5s %8s  %-16s %s\n", "count", "order", "pid", "comm", "memcg");
	for (size_t i = 0; i < w->nr_procs && i < r->opts.top; i++) {
		const struct snap_proc *p = &procs[i];
		char cg[REQUEST_CGROUP_LEN + 32];

		fprintf(out, "%12" PRIu64 " %5u %8u  %-16.16s %s\n", p->value.count, p->key.order,
			p->key.pid, p->key.comm, report_cgroup(r, p->key.cgroup_id, cg, sizeof(cg)));
	}
	free(procs);
}

static int cmp_callsite_desc(const void *a, const void *b)
{
	const struct snap_callsite *x = a, *y = b;

	return x->value.count < y->value.count ? 1 : x->value.count > y->value.count ? -1 : 0;
}

static void print_callsites(const struct report *r, FILE *out)
{
	const struct snapshot *w = &r->model->window;
	struct snap_callsite *sites = sorted_copy(w->callsites, w->nr_callsites, sizeof(*sites), cmp_callsite_desc);
	char name[256];

	section(out, "Top kmalloc / kmem_cache_alloc call sites");
	if (!w->nr_callsites || !sites) {
		fprintf(out, "(none)\n");
		free(sites);
		return;
	}
	fprintf(out, "%12s %14s %14s %7s %8s  %-7s %s\n", "count", "bytes req", "bytes alloc", "waste%",
		"failures", "api", "call site");
	for (size_t i = 0; i < w->nr_callsites && i < r->opts.top; i++) {
		const struct snap_callsite *c = &sites[i];

		fprintf(out, "%12" PRIu64 " %14" PRIu64 " %14" PRIu64 " %6.1f%% %8" PRIu64 "  %-5s %s\n",
			c->value.count, c->value.bytes_req, c->value.bytes_alloc,
			pct(c->value.bytes_alloc - c->value.bytes_req, c->value.bytes_alloc), c->value.failures,
			c->key.is_cache ? "cache" : "kmalloc", report_frame(r, c->key.call_site, name, sizeof(name)));
	}
	free(sites);
}

static int cmp_extfrag_desc(const void *a, const void *b)
{
	const struct snap_extfrag *x = a, *y = b;

	return x->count < y->count ? 1 : x->count > y->count ? -1 : 0;
}

static void print_extfrag(const struct report *r, FILE *out)
{
	const struct snapshot *w = &r->model->window;
	struct snap_extfrag *kinds;
	uint64_t total = 0, stolen = 0;
	char from[32], to[32];

	model_extfrag_totals(r->model, &total, &stolen);
	section(out, "External fragmentation: fallbacks into another migratetype's pageblock");
	fprintf(out, "fallbacks %" PRIu64 ", pageblocks changing type %" PRIu64 " (exact counts, aggregated in the kernel)\n",
		total, stolen);
	kinds = total ? sorted_copy(w->extfrags, w->nr_extfrags, sizeof(*kinds), cmp_extfrag_desc) : NULL;
	if (!kinds)
		return;
	fprintf(out, "%12s %11s %14s %-12s -> %-12s %s\n", "count", "alloc order", "fallback order", "wanted", "took from",
		"pageblock");
	for (size_t i = 0; i < w->nr_extfrags && i < r->opts.top; i++) {
		const struct snap_extfrag *x = &kinds[i];

		fprintf(out, "%12" PRIu64 " %11u %14u %-12s -> %-12s %s\n", x->count, x->key.alloc_order,
			x->key.fallback_order,
			report_migratetype(r, x->key.alloc_migratetype, from, sizeof(from)),
			report_migratetype(r, x->key.fallback_migratetype, to, sizeof(to)),
			x->key.change_ownership ? "changed type" : "kept type");
	}
	free(kinds);
}

static void print_histogram(FILE *out, const struct histogram *h)
{
	uint64_t max = 0;
	int last = 0;

	if (!h->count) {
		fprintf(out, "    (no stalls)\n");
		return;
	}
	for (int i = 0; i < HIST_BUCKETS; i++) {
		if (h->buckets[i] > max)
			max = h->buckets[i];
		if (h->buckets[i])
			last = i;
	}
	fprintf(out, "    %-22s : %-8s distribution\n", "usecs", "count");
	for (int i = 0; i <= last; i++) {
		int bar = (int)(h->buckets[i] * STAT_BAR_WIDTH / max);
		char range[32];

		snprintf(range, sizeof(range), "%" PRIu64 " -> %" PRIu64, i ? hist_bucket_upper_us(i - 1) : 0,
			 hist_bucket_upper_us(i) - 1);
		fprintf(out, "    %22s : %-8" PRIu64 " |%-*.*s|\n", range, h->buckets[i], STAT_BAR_WIDTH, bar,
			"****************************************");
	}
	fprintf(out, "    count %" PRIu64 ", p50 %.0f us, p99 %.0f us, max %.0f us, total %.1f ms\n", h->count,
		hist_quantile_ns(h, 0.5) / 1e3, hist_quantile_ns(h, 0.99) / 1e3, h->max_ns / 1e3, h->sum_ns / 1e6);
}

static void print_by_order(FILE *out, const char *what, const uint64_t *by_order)
{
	fprintf(out, "%s by order:", what);
	for (int o = 0; o < FS_ORDERS; o++)
		if (by_order[o])
			fprintf(out, " %d:%" PRIu64, o, by_order[o]);
	fprintf(out, "\n");
}

static void print_compaction(const struct report *r, FILE *out)
{
	const struct model *m = r->model;
	const struct compaction_summary *c = &m->compaction;
	char name[32];

	section(out, "Compaction");
	fprintf(out, "direct compaction stalls %" PRIu64 " (%" PRIu64 " zone runs", c->stall.count, c->zones_compacted);
	/* Short stalls: the kernel counted the attempt, compaction_deferred() skipped every zone. */
	if (c->deferred_stalls)
		fprintf(out, "; %" PRIu64 " found every zone deferred, compacted nothing", c->deferred_stalls);
	fprintf(out, "); background zone compactions %" PRIu64 " (kcompactd, proactive, sysctl)\n",
		m->window.counters[FS_CTR_BG_COMPACT]);
	print_by_order(out, "stalls", c->stalls_by_order);
	print_by_order(out, "deferred", &m->window.counters[FS_CTR_DEFERRED]);
	print_by_order(out, "kcompactd wakeups", &m->window.counters[FS_CTR_KCOMPACTD_WAKE]);
	fprintf(out, "outcomes:");
	for (int s = 0; s < COMPACT_STATUSES; s++)
		if (c->outcome[s])
			fprintf(out, " %s %" PRIu64, report_compact_status(r, s, name, sizeof(name)), c->outcome[s]);
	fprintf(out, "\nstall latency:\n");
	print_histogram(out, &c->stall);
}

static void print_reclaim(const struct report *r, FILE *out)
{
	static const char *const names[2] = { "direct reclaim (zone short of free pages)",
					      "memcg reclaim (cgroup at its limit)" };

	section(out, "Reclaim stalls");
	for (int k = 0; k < 2; k++) {
		const struct reclaim_summary *s = &r->model->reclaim[k];

		fprintf(out, "%s: %" PRIu64 " stalls, %" PRIu64 " pages reclaimed\n", names[k], s->stall.count,
			s->pages_reclaimed);
		if (s->stall.count) {
			print_by_order(out, "  stalls", s->stalls_by_order);
			print_histogram(out, &s->stall);
		}
	}
}

static void print_ooms(const struct report *r, FILE *out)
{
	const struct model *m = r->model;

	section(out, "OOM kills");
	if (!m->nr_ooms) {
		fprintf(out, "(none)\n");
		return;
	}
	for (size_t i = 0; i < m->nr_ooms; i++) {
		const struct oom_kill *k = &m->ooms[i];
		const struct interned_stack *s = stack_table_get(&m->stacks, k->stack_id);
		char cg[REQUEST_CGROUP_LEN + 32];

		fprintf(out, "+%.3fs killed pid %u (%s), anon-rss %" PRIu64 " kB, file-rss %" PRIu64
			     " kB, oom_score_adj %d; invoked by pid %u (%s) memcg %s:\n",
			(k->killer.ts_ns - m->start_ns) / 1e9, k->victim.victim_pid, k->victim.victim_comm,
			k->victim.anon_rss_kb, k->victim.file_rss_kb, k->victim.oom_score_adj, k->killer.pid,
			k->killer.comm, report_cgroup(r, k->killer.cgroup_id, cg, sizeof(cg)));
		print_stack(r, out, s->frames, s->nr_frames, "      ");
	}
}

static void print_relations(FILE *out, const char *verb, const uint64_t *counts)
{
	for (int k = 0; k < FAIL_KINDS; k++)
		if (counts[k])
			fprintf(out, "    %s a %s failure %" PRIu64 " times\n", verb, failure_kind_name(k), counts[k]);
}

static void print_state(const struct report *r, FILE *out)
{
	const struct timeline *t = &r->model->timeline;
	bool changed = false;
	char zone[48];

	section(out, "Fragmentation state over the trace (/proc samples)");
	if (!t->nr_samples) {
		fprintf(out, "(no samples)\n");
		return;
	}
	fprintf(out, "%u samples from +%.1fs to +%.1fs\n", t->nr_samples,
		(t->first->ts_ns - r->model->start_ns) / 1e9, (t->last->ts_ns - r->model->start_ns) / 1e9);
	for (uint32_t z = 0; z < t->nr_zones; z++) {
		struct state_zone_indices first, last;

		state_zone_indices(&t->first->zones[z], &first);
		state_zone_indices(&t->last->zones[z], &last);
		timeline_zone_name(t->first, z, zone, sizeof(zone));
		fprintf(out, "%-16s free blocks by order, start/lowest/end:", zone);
		for (uint32_t o = 0; o < t->first->zones[z].nr_orders && o < FS_ORDERS; o++)
			fprintf(out, " %u:%" PRIu64 "/%" PRIu64 "/%" PRIu64, o, t->first->zones[z].free_blocks[o],
				t->min_free_blocks[z][o], t->last->zones[z].free_blocks[o]);
		fprintf(out, "\n%-16s largest free order %d -> %d; unusable index order 4: %.3f -> %.3f, order 9: %.3f -> %.3f\n",
			"", first.largest_order, last.largest_order, first.unusable[4] / 1000.0, last.unusable[4] / 1000.0,
			first.unusable[9] / 1000.0, last.unusable[9] / 1000.0);
	}
	fprintf(out, "vmstat over the window:");
	for (int c = 0; c < STATE_CNT_COUNT; c++) {
		uint64_t from = t->first->counters.value[c], to = t->last->counters.value[c];

		if (c != STATE_CNT_NR_FREE_PAGES && to != from)
			fprintf(out, " %s +%" PRIu64, state_counter_name(c), to - from);
		changed |= c != STATE_CNT_NR_FREE_PAGES && to != from;
	}
	fprintf(out, "%s\n", changed ? "" : " no change");
}

/* The doctor's findings, as `fragscope doctor` prints them, on the trace's state samples. */
static int print_doctor(const struct report *r, FILE *out)
{
	struct doctor_report *d = malloc(sizeof(*d));
	int rc = d ? model_doctor(r->model, d) : -1;

	section(out, "Doctor (first and last /proc samples, and the trace)");
	if (rc) {
		fprintf(out, "%s\n", rc > 0 ? "(no samples)" : "(out of memory)");
		free(d);
		return rc < 0 ? -1 : 0;
	}
	if (!d->count)
		fprintf(out, "all clear: no fragmentation, compaction, commit limit or allocation problem found\n");
	for (unsigned int i = 0; i < d->count; i++) {
		const struct doctor_finding *f = &d->findings[i];
		char severity[16];
		size_t n;

		for (n = 0; n + 1 < sizeof(severity) && doctor_severity_name(f->severity)[n]; n++)
			severity[n] = toupper((unsigned char)doctor_severity_name(f->severity)[n]);
		severity[n] = 0;
		fprintf(out, "%u. [%s] %s (%s)\n   evidence: %s\n   consider: %s\n", i + 1, severity, f->title,
			f->id, f->evidence, f->advice);
	}
	if (d->dropped)
		fprintf(out, "(%u more findings not shown)\n", d->dropped);
	for (unsigned int i = 0; i < d->nr_notes; i++)
		fprintf(out, "note: %s\n", d->notes[i]);
	free(d);
	return 0;
}

static void print_free_around(const struct report *r, FILE *out, const struct failure_group *g)
{
	const struct timeline *t = &r->model->timeline;
	char zone[48];

	if (!g->have_before && !g->have_after)
		return;
	fprintf(out, "    free blocks of order >= %u (sample before -> after the first failure):", g->order);
	for (uint32_t z = 0; z < t->nr_zones; z++) {
		timeline_zone_name(t->first, z, zone, sizeof(zone));
		fprintf(out, " %s ", zone);
		if (g->have_before)
			fprintf(out, "%" PRIu64, g->free_before[z]);
		else
			fputc('?', out);
		fputs(" -> ", out);
		if (g->have_after)
			fprintf(out, "%" PRIu64, g->free_after[z]);
		else
			fputc('?', out);
	}
	fputc('\n', out);
}

static void print_failures(const struct report *r, FILE *out)
{
	const struct model *m = r->model;
	uint64_t total = 0;
	size_t *order = report_sorted_groups(r);
	char title[64], gfp[256], site[256];

	for (int k = 0; k < FAIL_KINDS; k++)
		total += m->failures[k];
	snprintf(title, sizeof(title), "Allocation failures: %" PRIu64, total);
	section(out, title);
	if (!total || !order) {
		fprintf(out, "(none)\n");
		free(order);
		return;
	}
	fprintf(out, "by kind:");
	for (int k = 0; k < FAIL_KINDS; k++)
		if (m->failures[k])
			fprintf(out, " %s %" PRIu64, failure_kind_name(k), m->failures[k]);
	fprintf(out, "\n");
	for (size_t i = 0; i < m->nr_groups && i < r->opts.top; i++) {
		const struct failure_group *g = &m->groups[order[i]];
		const struct interned_stack *s = stack_table_get(&m->stacks, g->stack_id);
		char cg[REQUEST_CGROUP_LEN + 32];

		fprintf(out, "\n[%s] %" PRIu64 " failure%s, order %u (%" PRIu64 " bytes), first +%.3fs, last +%.3fs\n",
			failure_kind_name(g->kind), g->count, g->count == 1 ? "" : "s", g->order, g->bytes,
			(g->first_ns - m->start_ns) / 1e9, (g->last_ns - m->start_ns) / 1e9);
		fprintf(out, "    gfp %s\n", report_gfp(r, g->gfp, gfp, sizeof(gfp)));
		if (g->call_site)
			fprintf(out, "    call site %s%s%s\n", report_frame(r, g->call_site, site, sizeof(site)),
				g->cache[0] ? ", cache " : "", g->cache);
		fprintf(out, "    processes:");
		for (uint32_t p = 0; p < g->nr_procs; p++)
			fprintf(out, " %s[%u] x%" PRIu64, g->procs[p].comm, g->procs[p].pid, g->procs[p].count);
		if (g->other_procs)
			fprintf(out, " and %" PRIu64 " more", g->other_procs);
		fprintf(out, "; memcg %s, at its limit for %" PRIu64 " of %" PRIu64 "%s\n",
			report_cgroup(r, g->cgroup_id, cg, sizeof(cg)),
			g->at_memcg_limit, g->count,
			g->at_memcg_limit == g->count ? " (the cgroup's limit, not fragmentation)" : "");
		print_free_around(r, out, g);
		print_relations(out, "beneath", g->beneath);
		print_relations(out, "caused by", g->above);
		print_stack(r, out, s->frames, s->nr_frames, "      ");
	}
	if (m->nr_groups > r->opts.top)
		fprintf(out, "\n(%zu more stacks; raise --top to see them)\n", m->nr_groups - r->opts.top);
	free(order);
}

static int cmp_stack_desc(const void *a, const void *b)
{
	const struct snap_stack *x = a, *y = b;

	return x->count < y->count ? 1 : x->count > y->count ? -1 : 0;
}

static void print_high_order_stacks(const struct report *r, FILE *out)
{
	const struct snapshot *w = &r->model->window;
	struct snap_stack *stacks = sorted_copy(w->stacks, w->nr_stacks, sizeof(*stacks), cmp_stack_desc);
	char title[96], mt[32];
	size_t shown = 0;

	snprintf(title, sizeof(title), "Top stacks of page allocations of order >= %u", r->meta ? r->meta->stack_order : 4);
	section(out, title);
	for (size_t i = 0; stacks && i < w->nr_stacks && shown < r->opts.top; i++) {
		const struct snap_stack *s = &stacks[i];

		if (s->key.kind != FS_STACK_HIGH_ORDER)
			continue;
		fprintf(out, "%" PRIu64 " allocations of order %u (%s):\n", s->count, s->key.order,
			report_migratetype(r, s->key.migratetype, mt, sizeof(mt)));
		print_stack(r, out, s->frames, s->nr_frames, "      ");
		shown++;
	}
	if (!shown)
		fprintf(out, "(none)\n");
	free(stacks);
}

static int write_text(const struct report *r, FILE *out)
{
	print_header(r, out);
	section(out, "Failed requests: who asked, what failed, why");
	report_requests_text(r, out, "");
	print_orders(r, out);
	print_processes(r, out);
	print_callsites(r, out);
	print_extfrag(r, out);
	print_compaction(r, out);
	print_reclaim(r, out);
	print_ooms(r, out);
	print_high_order_stacks(r, out);
	print_state(r, out);
	if (print_doctor(r, out))
		return -1;
	print_failures(r, out);
	return ferror(out) ? -1 : 0;
}

const struct formatter format_text = { "text", write_text };
