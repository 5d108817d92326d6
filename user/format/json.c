// SPDX-License-Identifier: GPL-2.0
/*
 * The report as JSON, with the same content as the text report.  Keys are
 * part of fragscope's interface (README.md documents them): add, never
 * rename.
 */
#include <stdlib.h>

#include "format/format.h"
#include "format/report_requests.h"
#include "kernel/kernel_info.h"
#include "model/findings.h"
#include "model/meta.h"
#include "model/model.h"
#include "util/json.h"

static void write_stack(const struct report *r, struct json *j, const uint64_t *frames, uint32_t nr)
{
	char name[256];

	json_array_begin(j);
	for (uint32_t i = 0; i < nr; i++)
		json_string(j, report_frame(r, frames[i], name, sizeof(name)));
	json_array_end(j);
}

static void write_meta(const struct report *r, struct json *j)
{
	const struct model *m = r->model;
	const struct trace_meta *meta = r->meta;

	json_key(j, "meta");
	json_object_begin(j);
	json_kv_string(j, "fragscope_version", meta ? meta->fragscope_version : "");
	json_kv_string(j, "kernel", r->kinfo->release);
	json_kv_string(j, "hostname", meta ? meta->hostname : "");
	json_kv_u64(j, "page_size", r->kinfo->page_size);
	json_kv_u64(j, "start_unix_ns", meta ? meta->start_realtime_ns : 0);
	json_kv_double(j, "duration_s", model_duration_s(m));
	json_kv_double(j, "attach_ms", meta ? meta->attach_ns / 1e6 : 0);
	json_kv_u64(j, "min_order", meta ? meta->min_order : 0);
	json_kv_u64(j, "stack_order", meta ? meta->stack_order : 0);
	json_key(j, "events");
	json_object_begin(j);
	json_kv_u64(j, fs_probe_name(FS_PROBE_PAGE_ALLOC), model_page_allocs_total(m));
	for (int p = 0; p < FS_PROBES; p++)
		if (p != FS_PROBE_PAGE_ALLOC)
			json_kv_u64(j, fs_probe_name(p), m->window.counters[FS_CTR_PROBE_HITS + p]);
	json_object_end(j);
	json_key(j, "probes");
	json_object_begin(j);
	for (int p = 0; p < FS_PROBES; p++)
		json_kv_bool(j, fs_probe_name(p), meta && meta->probe_state[p] == 0);
	json_object_end(j);
	json_key(j, "warnings");
	json_array_begin(j);
	for (int p = 0; p < FS_PROBES; p++) {
		char warning[160];

		if (meta_probe_warning(meta, p, warning, sizeof(warning)))
			json_string(j, warning);
	}
	json_array_end(j);
	json_key(j, "lost");
	json_object_begin(j);
	json_kv_u64(j, "total", model_lost_total(m));
	for (int t = 1; t < FS_EV_TYPES; t++)
		json_kv_u64(j, fs_event_type_name(t), m->window.counters[FS_CTR_LOST + t]);
	json_object_end(j);
	json_key(j, "dropped");
	json_object_begin(j);
	/* open_requests: failures of a task whose request BPF could not open; their syscall's end is not traced. */
	for (int map = 0; map < FS_MAPS; map++)
		if (fs_map_name(map))
			json_kv_u64(j, fs_map_name(map), m->window.counters[FS_CTR_MAP_FULL + map]);
	json_kv_u64(j, "stack_collisions", m->window.counters[FS_CTR_STACK_COLLISION]);
	json_kv_u64(j, "stack_errors", m->window.counters[FS_CTR_STACK_ERROR]);
	/* The model's own bounds (MODEL_MAX_STACKS, MODEL_MAX_GROUPS). */
	json_kv_u64(j, "stacks_not_kept", m->stacks.not_kept);
	json_kv_u64(j, "failures_not_grouped", m->failures_not_grouped);
	json_object_end(j);
	json_object_end(j);
}

static void write_page_alloc(const struct report *r, struct json *j)
{
	const struct snapshot *w = &r->model->window;
	uint64_t order0_vmstat;
	bool from_vmstat = model_order0_from_vmstat(r->model, &order0_vmstat);
	char name[32];

	json_key(j, "page_alloc");
	json_object_begin(j);
	json_kv_u64(j, "total", model_page_allocs_total(r->model));
	/* vmstat: by_order's order-0 entries are its failed allocations; the successful ones are below. */
	json_kv_string(j, "order0_source", from_vmstat ? "vmstat" : "traced");
	if (from_vmstat) {
		json_key(j, "order0_from_vmstat");
		json_object_begin(j);
		json_kv_u64(j, "count", order0_vmstat);
		json_kv_u64(j, "pgalloc_pages", w->pgalloc_pages);
		json_kv_string(j, "note", MODEL_ORDER0_NOTE "; successful allocations only, including alloc_pages_bulk()'s "
					  "and fragscope's own: pgalloc_pages (the window's pages) minus 2^order x the "
					  "successful traced allocations of each order >= 1");
		json_key(j, "failed_by_order");
		json_array_begin(j);
		for (int o = 0; o < FS_ORDERS; o++)
			json_u64(j, w->counters[FS_CTR_PAGE_FAIL + o]);
		json_array_end(j);
		json_object_end(j);
	}
	json_key(j, "by_order");
	json_array_begin(j);
	for (int o = 0; o < FS_ORDERS; o++)
		for (int mt = 0; mt < FS_MIGRATETYPES; mt++)
			for (int c = 0; c < FS_GFP_CLASSES; c++) {
				uint64_t n = w->page_allocs[fs_page_alloc_index(o, mt, c)];

				if (!n)
					continue;
				json_object_begin(j);
				json_kv_u64(j, "order", o);
				json_kv_string(j, "migratetype", report_migratetype(r, mt, name, sizeof(name)));
				json_kv_string(j, "gfp_class", report_gfp_class(c));
				json_kv_u64(j, "count", n);
				json_object_end(j);
			}
	json_array_end(j);
	json_key(j, "by_process");
	json_array_begin(j);
	for (size_t i = 0; i < w->nr_procs; i++) {
		json_object_begin(j);
		json_kv_string(j, "comm", w->procs[i].key.comm);
		json_kv_u64(j, "pid", w->procs[i].key.pid);
		json_kv_u64(j, "cgroup_id", w->procs[i].key.cgroup_id);
		json_kv_u64(j, "order", w->procs[i].key.order);
		json_kv_u64(j, "count", w->procs[i].value.count);
		json_object_end(j);
	}
	json_array_end(j);
	json_key(j, "stacks");
	json_array_begin(j);
	for (size_t i = 0; i < w->nr_stacks; i++) {
		const struct snap_stack *s = &w->stacks[i];

		if (s->key.kind != FS_STACK_HIGH_ORDER)
			continue;
		json_object_begin(j);
		json_kv_u64(j, "order", s->key.order);
		json_kv_string(j, "migratetype", report_migratetype(r, s->key.migratetype, name, sizeof(name)));
		json_kv_u64(j, "count", s->count);
		json_key(j, "stack");
		write_stack(r, j, s->frames, s->nr_frames);
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
}

static void write_per_zone(struct json *j, const char *key, const struct timeline *t, const uint64_t *per_zone)
{
	char zone[48];

	json_key(j, key);
	json_object_begin(j);
	for (uint32_t z = 0; z < t->nr_zones; z++) {
		timeline_zone_name(t->first, z, zone, sizeof(zone));
		json_kv_u64(j, zone, per_zone[z]);
	}
	json_object_end(j);
}

static void write_failures(const struct report *r, struct json *j)
{
	const struct model *m = r->model;
	size_t *order = report_sorted_groups(r);
	char buf[256];

	json_key(j, "failures");
	json_array_begin(j);
	for (size_t i = 0; order && i < m->nr_groups; i++) {
		const struct failure_group *g = &m->groups[order[i]];
		const struct interned_stack *s = stack_table_get(&m->stacks, g->stack_id);

		json_object_begin(j);
		json_kv_string(j, "kind", failure_kind_name(g->kind));
		json_kv_u64(j, "count", g->count);
		json_kv_string(j, "comm", g->procs[0].comm);
		json_kv_u64(j, "pid", g->procs[0].pid);
		json_kv_u64(j, "cgroup_id", g->cgroup_id);
		json_kv_u64(j, "memcg_at_limit", g->at_memcg_limit);
		json_kv_u64(j, "order", g->order);
		json_kv_u64(j, "bytes", g->bytes);
		json_kv_string(j, "gfp", report_gfp(r, g->gfp, buf, sizeof(buf)));
		json_kv_u64(j, "gfp_value", g->gfp);
		if (g->call_site)
			json_kv_string(j, "call_site", report_frame(r, g->call_site, buf, sizeof(buf)));
		if (g->cache[0])
			json_kv_string(j, "cache", g->cache);
		json_kv_double(j, "first_s", (g->first_ns - m->start_ns) / 1e9);
		json_kv_double(j, "last_s", (g->last_ns - m->start_ns) / 1e9);
		json_key(j, "processes");
		json_array_begin(j);
		for (uint32_t p = 0; p < g->nr_procs; p++) {
			json_object_begin(j);
			json_kv_string(j, "comm", g->procs[p].comm);
			json_kv_u64(j, "pid", g->procs[p].pid);
			json_kv_u64(j, "count", g->procs[p].count);
			json_object_end(j);
		}
		json_array_end(j);
		json_key(j, "beneath");
		json_object_begin(j);
		for (int k = 0; k < FAIL_KINDS; k++)
			if (g->beneath[k])
				json_kv_u64(j, failure_kind_name(k), g->beneath[k]);
		json_object_end(j);
		json_key(j, "caused_by");
		json_object_begin(j);
		for (int k = 0; k < FAIL_KINDS; k++)
			if (g->above[k])
				json_kv_u64(j, failure_kind_name(k), g->above[k]);
		json_object_end(j);
		if (g->have_before)
			write_per_zone(j, "free_blocks_before", &m->timeline, g->free_before);
		if (g->have_after)
			write_per_zone(j, "free_blocks_after", &m->timeline, g->free_after);
		json_key(j, "stack");
		write_stack(r, j, s->frames, s->nr_frames);
		json_object_end(j);
	}
	json_array_end(j);
	free(order);
}

static void write_callsites(const struct report *r, struct json *j)
{
	const struct snapshot *w = &r->model->window;
	char name[256];

	json_key(j, "kmalloc");
	json_object_begin(j);
	json_key(j, "callsites");
	json_array_begin(j);
	for (size_t i = 0; i < w->nr_callsites; i++) {
		const struct snap_callsite *c = &w->callsites[i];

		json_object_begin(j);
		json_kv_string(j, "call_site", report_frame(r, c->key.call_site, name, sizeof(name)));
		json_kv_string(j, "api", c->key.is_cache ? "kmem_cache_alloc" : "kmalloc");
		json_kv_u64(j, "count", c->value.count);
		json_kv_u64(j, "bytes_req", c->value.bytes_req);
		json_kv_u64(j, "bytes_alloc", c->value.bytes_alloc);
		json_kv_u64(j, "waste", c->value.bytes_alloc - c->value.bytes_req);
		json_kv_u64(j, "failures", c->value.failures);
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
}

static void write_extfrag(const struct report *r, struct json *j)
{
	const struct snapshot *w = &r->model->window;
	uint64_t total = 0, changed = 0;
	char from[32], to[32];

	model_extfrag_totals(r->model, &total, &changed);
	json_key(j, "extfrag");
	json_object_begin(j);
	json_kv_u64(j, "fallbacks", total);
	json_kv_u64(j, "pageblock_type_changes", changed);
	json_key(j, "by_kind");
	json_array_begin(j);
	for (size_t i = 0; i < w->nr_extfrags; i++) {
		const struct snap_extfrag *x = &w->extfrags[i];

		json_object_begin(j);
		json_kv_u64(j, "alloc_order", x->key.alloc_order);
		json_kv_u64(j, "fallback_order", x->key.fallback_order);
		json_kv_string(j, "alloc_migratetype", report_migratetype(r, x->key.alloc_migratetype, from, sizeof(from)));
		json_kv_string(j, "fallback_migratetype",
			       report_migratetype(r, x->key.fallback_migratetype, to, sizeof(to)));
		json_kv_bool(j, "change_ownership", x->key.change_ownership);
		json_kv_u64(j, "count", x->count);
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
}

static void write_histogram(struct json *j, const char *key, const struct histogram *h)
{
	json_key(j, key);
	json_object_begin(j);
	json_kv_u64(j, "count", h->count);
	json_kv_double(j, "sum_us", h->sum_ns / 1e3);
	json_kv_double(j, "max_us", h->max_ns / 1e3);
	json_kv_double(j, "p50_us", hist_quantile_ns(h, 0.5) / 1e3);
	json_kv_double(j, "p99_us", hist_quantile_ns(h, 0.99) / 1e3);
	json_key(j, "log2_us");
	json_array_begin(j);
	for (int i = 0; i < HIST_BUCKETS; i++) {
		if (!h->buckets[i])
			continue;
		json_object_begin(j);
		json_kv_u64(j, "le_us", hist_bucket_upper_us(i));
		json_kv_u64(j, "count", h->buckets[i]);
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
}

static void write_by_order(struct json *j, const char *key, const uint64_t *by_order)
{
	json_key(j, key);
	json_object_begin(j);
	for (int o = 0; o < FS_ORDERS; o++) {
		char name[8];

		if (!by_order[o])
			continue;
		snprintf(name, sizeof(name), "%d", o);
		json_kv_u64(j, name, by_order[o]);
	}
	json_object_end(j);
}

static void write_stalls(const struct report *r, struct json *j)
{
	const struct model *m = r->model;
	char name[32];

	json_key(j, "compaction");
	json_object_begin(j);
	json_kv_u64(j, "stalls", m->compaction.stall.count);
	json_kv_u64(j, "deferred_stalls", m->compaction.deferred_stalls);
	json_kv_u64(j, "zone_runs", m->compaction.zones_compacted);
	json_kv_u64(j, "background_zone_runs", m->window.counters[FS_CTR_BG_COMPACT]);
	write_by_order(j, "stalls_by_order", m->compaction.stalls_by_order);
	write_by_order(j, "deferred_by_order", &m->window.counters[FS_CTR_DEFERRED]);
	write_by_order(j, "kcompactd_wakes_by_order", &m->window.counters[FS_CTR_KCOMPACTD_WAKE]);
	json_key(j, "outcomes");
	json_object_begin(j);
	for (int s = 0; s < COMPACT_STATUSES; s++)
		if (m->compaction.outcome[s])
			json_kv_u64(j, report_compact_status(r, s, name, sizeof(name)), m->compaction.outcome[s]);
	json_object_end(j);
	write_histogram(j, "latency", &m->compaction.stall);
	json_object_end(j);

	json_key(j, "reclaim");
	json_object_begin(j);
	for (int k = 0; k < 2; k++) {
		const struct reclaim_summary *s = &m->reclaim[k];

		json_key(j, k == FS_RECLAIM_MEMCG ? "memcg" : "direct");
		json_object_begin(j);
		json_kv_u64(j, "stalls", s->stall.count);
		json_kv_u64(j, "pages_reclaimed", s->pages_reclaimed);
		write_by_order(j, "stalls_by_order", s->stalls_by_order);
		write_histogram(j, "latency", &s->stall);
		json_object_end(j);
	}
	json_object_end(j);
}

static void write_ooms(const struct report *r, struct json *j)
{
	const struct model *m = r->model;

	json_key(j, "oom");
	json_array_begin(j);
	for (size_t i = 0; i < m->nr_ooms; i++) {
		const struct oom_kill *k = &m->ooms[i];
		const struct interned_stack *s = stack_table_get(&m->stacks, k->stack_id);

		json_object_begin(j);
		json_kv_double(j, "time_s", (k->killer.ts_ns - m->start_ns) / 1e9);
		json_kv_u64(j, "victim_pid", k->victim.victim_pid);
		json_kv_string(j, "victim_comm", k->victim.victim_comm);
		json_kv_u64(j, "anon_rss_kb", k->victim.anon_rss_kb);
		json_kv_u64(j, "file_rss_kb", k->victim.file_rss_kb);
		json_kv_i64(j, "oom_score_adj", k->victim.oom_score_adj);
		json_kv_u64(j, "pid", k->killer.pid);
		json_kv_string(j, "comm", k->killer.comm);
		json_kv_u64(j, "cgroup_id", k->killer.cgroup_id);
		json_key(j, "stack");
		write_stack(r, j, s->frames, s->nr_frames);
		json_object_end(j);
	}
	json_array_end(j);
}

/* An array of per-order values; key NULL inside an array. */
static void write_orders(struct json *j, const char *key, const uint64_t *values, uint32_t n)
{
	if (key)
		json_key(j, key);
	json_array_begin(j);
	for (uint32_t o = 0; o < n && o < FS_ORDERS; o++)
		json_u64(j, values[o]);
	json_array_end(j);
}

static void write_indices(struct json *j, const char *key, const int32_t *thousandths, uint32_t n)
{
	json_key(j, key);
	json_array_begin(j);
	for (uint32_t o = 0; o < n && o < FS_ORDERS; o++)
		json_double(j, thousandths[o] / 1000.0);
	json_array_end(j);
}

static void write_state(const struct report *r, struct json *j)
{
	const struct timeline *t = &r->model->timeline;
	char zone[48];

	json_key(j, "state");
	json_object_begin(j);
	json_kv_u64(j, "samples", t->nr_samples);
	if (!t->nr_samples) {
		json_object_end(j);
		return;
	}
	json_key(j, "zones");
	json_array_begin(j);
	for (uint32_t z = 0; z < t->nr_zones; z++) {
		const struct state_zone_free *first = &t->first->zones[z], *last = &t->last->zones[z];
		struct state_zone_indices fi, li;

		state_zone_indices(first, &fi);
		state_zone_indices(last, &li);
		timeline_zone_name(t->first, z, zone, sizeof(zone));
		json_object_begin(j);
		json_kv_string(j, "zone", zone);
		write_orders(j, "first_free_blocks", first->free_blocks, first->nr_orders);
		write_orders(j, "lowest_free_blocks", t->min_free_blocks[z], first->nr_orders);
		write_orders(j, "last_free_blocks", last->free_blocks, last->nr_orders);
		write_indices(j, "first_unusable_index", fi.unusable, first->nr_orders);
		write_indices(j, "last_unusable_index", li.unusable, last->nr_orders);
		write_indices(j, "first_extfrag_index", fi.extfrag, first->nr_orders);
		write_indices(j, "last_extfrag_index", li.extfrag, last->nr_orders);
		json_object_end(j);
	}
	json_array_end(j);
	json_key(j, "vmstat_delta");
	json_object_begin(j);
	for (int c = 0; c < STATE_CNT_COUNT; c++)
		if (c != STATE_CNT_NR_FREE_PAGES)
			json_kv_i64(j, state_counter_name(c),
				    (int64_t)(t->last->counters.value[c] - t->first->counters.value[c]));
	json_object_end(j);
	json_key(j, "series");
	json_array_begin(j);
	for (size_t i = 0; i < t->nr_points; i++) {
		const struct timeline_point *p = &t->points[i];

		json_object_begin(j);
		json_kv_double(j, "t", (p->ts_ns - r->model->start_ns) / 1e9);
		json_key(j, "free_blocks");
		json_array_begin(j);
		for (uint32_t z = 0; z < t->nr_zones; z++)
			write_orders(j, NULL, p->free_blocks[z], t->first->zones[z].nr_orders);
		json_array_end(j);
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
}

/*
 * The doctor's findings on the trace's first and last state samples, keys as
 * in `fragscope doctor -F json`; null without samples.
 */
static int write_doctor(const struct report *r, struct json *j)
{
	struct doctor_report *d = malloc(sizeof(*d));
	int rc = d ? model_doctor(r->model, d) : -1;

	json_key(j, "doctor");
	if (rc) {
		json_null(j);
		free(d);
		return rc < 0 ? -1 : 0;
	}
	json_object_begin(j);
	json_kv_bool(j, "all_clear", !d->count);
	json_key(j, "findings");
	json_array_begin(j);
	for (unsigned int i = 0; i < d->count; i++) {
		const struct doctor_finding *f = &d->findings[i];

		json_object_begin(j);
		json_kv_string(j, "severity", doctor_severity_name(f->severity));
		json_kv_string(j, "id", f->id);
		json_kv_string(j, "title", f->title);
		json_kv_string(j, "evidence", f->evidence);
		json_kv_string(j, "advice", f->advice);
		json_key(j, "facts");
		json_object_begin(j);
		for (unsigned int k = 0; k < f->nr_facts; k++)
			json_kv_double(j, f->facts[k].key, f->facts[k].value);
		json_object_end(j);
		json_object_end(j);
	}
	json_array_end(j);
	json_kv_u64(j, "dropped", d->dropped);
	json_key(j, "notes");
	json_array_begin(j);
	for (unsigned int i = 0; i < d->nr_notes; i++)
		json_string(j, d->notes[i]);
	json_array_end(j);
	json_object_end(j);
	free(d);
	return 0;
}

static int write_json(const struct report *r, FILE *out)
{
	struct json j;
	int rc;

	json_init(&j, out, true);
	json_object_begin(&j);
	write_meta(r, &j);
	report_requests_json(r, &j);
	write_page_alloc(r, &j);
	write_failures(r, &j);
	write_callsites(r, &j);
	write_extfrag(r, &j);
	write_stalls(r, &j);
	write_ooms(r, &j);
	write_state(r, &j);
	rc = write_doctor(r, &j);
	json_object_end(&j);
	json_finish(&j);
	return rc || ferror(out) ? -1 : 0;
}

const struct formatter format_json = { "json", write_json };
