// SPDX-License-Identifier: GPL-2.0
/*
 * The report as one self-contained HTML page.  The header facts and the
 * failures table are written here, HTML-escaped; flame graphs and charts
 * are drawn in the browser by the script of html_assets.h from one JSON
 * document embedded in the page.  Nothing is loaded from anywhere else.
 *
 * Flame graphs stay small whatever the input: nodes narrower than
 * FLAME_MIN_PER_MILLE of their graph merge into one "[small]" node per
 * parent, and stacks deeper than FLAME_MAX_FRAMES keep their innermost
 * frames below one "[outer frames]" node.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "format/format.h"
#include "format/html_assets.h"
#include "kernel/kernel_info.h"
#include "model/findings.h"
#include "model/meta.h"
#include "model/model.h"
#include "util/json.h"
#include "util/u64map.h"

#define FLAME_MIN_PER_MILLE 1
#define FLAME_MAX_FRAMES 48

/* A node of a flame graph while it is built; node 0 is the root. */
struct flame_node {
	uint32_t name; /* index into flame.names */
	uint32_t depth;
	uint32_t first_child, next_sibling; /* 0: none (the root is nobody's child) */
	uint64_t value;
};

struct flame {
	const struct report *r;
	struct flame_node *nodes;
	size_t nr_nodes, cap_nodes;
	char **names;
	size_t nr_names, cap_names;
	struct u64map name_index; /* hash of a name -> index + 1 */
	struct u64map child_index; /* parent << 32 | name -> node index */
	uint32_t small, outer;     /* the names "[small]" and "[outer frames]" */
	size_t stacks;
	bool oom;
};

/* A node as written: preorder, its name renumbered among the written names. */
struct flame_out {
	uint32_t name, depth;
	uint64_t value;
};

struct flame_writer {
	const struct flame *f;
	struct flame_out *nodes;
	size_t nr, cap;
	uint32_t *renamed; /* by flame name: written index + 1, 0 if not written yet */
	uint32_t *order;   /* flame names in written order */
	uint32_t nr_written;
	bool oom;
};

static void *grow(void *base, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 64;
	void *p;

	if (need <= *cap)
		return base;
	while (n < need)
		n *= 2;
	p = realloc(base, n * size);
	if (p)
		*cap = n;
	return p;
}

static uint32_t flame_name(struct flame *f, const char *name)
{
	size_t len = strlen(name);

	/* A 64-bit hash per seed; a collision rehashes with the next seed. */
	for (uint64_t seed = 0;; seed++) {
		uint64_t key = hash_bytes(name, len, seed), *slot;
		bool inserted;
		char **names;

		slot = u64map_upsert(&f->name_index, key, &inserted);
		if (!slot)
			break;
		if (!inserted) {
			if (!strcmp(f->names[*slot - 1], name))
				return *slot - 1;
			continue;
		}
		names = grow(f->names, &f->cap_names, f->nr_names + 1, sizeof(*names));
		if (names) {
			f->names = names;
			f->names[f->nr_names] = strdup(name);
		}
		if (!names || !f->names[f->nr_names]) {
			u64map_remove(&f->name_index, key);
			break;
		}
		*slot = ++f->nr_names;
		return *slot - 1;
	}
	f->oom = true;
	return 0;
}

static uint32_t flame_child(struct flame *f, uint32_t parent, uint32_t name, uint64_t weight)
{
	uint64_t key = (uint64_t)parent << 32 | name, *slot;
	struct flame_node *nodes, *n;
	bool inserted;

	slot = u64map_upsert(&f->child_index, key, &inserted);
	if (!slot)
		goto oom;
	if (inserted) {
		nodes = f->nr_nodes < UINT32_MAX ? grow(f->nodes, &f->cap_nodes, f->nr_nodes + 1, sizeof(*nodes)) : NULL;
		if (!nodes) {
			u64map_remove(&f->child_index, key);
			goto oom;
		}
		f->nodes = nodes;
		*slot = f->nr_nodes;
		f->nodes[f->nr_nodes++] = (struct flame_node){
			.name = name,
			.depth = f->nodes[parent].depth + 1,
			.next_sibling = f->nodes[parent].first_child,
		};
		f->nodes[parent].first_child = *slot;
	}
	n = &f->nodes[*slot];
	n->value += weight;
	return *slot;
oom:
	f->oom = true;
	return parent;
}

static void flame_add(void *ctx, const struct stack_sample *s)
{
	struct flame *f = ctx;
	uint32_t node = 0, keep = s->nr;
	char name[256];

	if (f->oom)
		return;
	f->stacks++;
	f->nodes[0].value += s->weight;
	node = flame_child(f, node, flame_name(f, s->root), s->weight);
	if (s->nr > FLAME_MAX_FRAMES) {
		keep = FLAME_MAX_FRAMES - 1;
		node = flame_child(f, node, f->outer, s->weight);
	}
	/* Frames come innermost first; the graph grows from the outermost. */
	for (uint32_t i = keep; i-- > 0 && !f->oom;)
		node = flame_child(f, node, flame_name(f, report_function(f->r, s->frames[i], name, sizeof(name))),
				   s->weight);
}

static void flame_free(struct flame *f)
{
	for (size_t i = 0; i < f->nr_names; i++)
		free(f->names[i]);
	free(f->names);
	free(f->nodes);
	u64map_free(&f->name_index);
	u64map_free(&f->child_index);
}

static int flame_build(struct flame *f, const struct report *r, enum stack_selection sel)
{
	struct report copy = *r;

	memset(f, 0, sizeof(*f));
	copy.opts.stacks = sel;
	f->r = r;
	u64map_init(&f->name_index);
	u64map_init(&f->child_index);
	f->nodes = grow(NULL, &f->cap_nodes, 1, sizeof(*f->nodes));
	if (!f->nodes)
		return -1;
	f->nodes[0] = (struct flame_node){ .name = flame_name(f, "all") };
	f->nr_nodes = 1;
	f->small = flame_name(f, "[small]");
	f->outer = flame_name(f, "[outer frames]");
	report_visit_stacks(&copy, flame_add, f);
	return f->oom ? -1 : 0;
}

static void writer_push(struct flame_writer *w, uint32_t name, uint32_t depth, uint64_t value)
{
	struct flame_out *nodes = grow(w->nodes, &w->cap, w->nr + 1, sizeof(*nodes));

	if (!nodes) {
		w->oom = true;
		return;
	}
	w->nodes = nodes;
	if (!w->renamed[name]) {
		w->order[w->nr_written] = name;
		w->renamed[name] = ++w->nr_written;
	}
	w->nodes[w->nr++] = (struct flame_out){ w->renamed[name] - 1, depth, value };
}

static const struct flame_node *sort_nodes; /* qsort has no context argument */

static int cmp_by_value(const void *pa, const void *pb)
{
	const struct flame_node *a = &sort_nodes[*(const uint32_t *)pa], *b = &sort_nodes[*(const uint32_t *)pb];

	if (a->value != b->value)
		return a->value < b->value ? 1 : -1;
	return a->name < b->name ? -1 : a->name > b->name;
}

/* Preorder: a node, then its children widest first, the narrow ones as one [small]. */
static void writer_walk(struct flame_writer *w, uint32_t idx, uint64_t min_value)
{
	const struct flame_node *nodes = w->f->nodes, *n = &nodes[idx];
	uint64_t small = 0;
	uint32_t *kids, nr = 0;

	writer_push(w, n->name, n->depth, n->value);
	for (uint32_t c = n->first_child; c; c = nodes[c].next_sibling)
		nr++;
	kids = malloc((nr ? nr : 1) * sizeof(*kids));
	if (!kids) {
		w->oom = true;
		return;
	}
	nr = 0;
	for (uint32_t c = n->first_child; c; c = nodes[c].next_sibling) {
		if (nodes[c].value < min_value)
			small += nodes[c].value;
		else
			kids[nr++] = c;
	}
	sort_nodes = nodes;
	qsort(kids, nr, sizeof(*kids), cmp_by_value);
	for (uint32_t i = 0; i < nr && !w->oom; i++)
		writer_walk(w, kids[i], min_value);
	if (small)
		writer_push(w, w->f->small, n->depth + 1, small);
	free(kids);
}

static int write_flame(struct json *j, const char *key, const char *title, const char *unit,
			const struct report *r, enum stack_selection sel)
{
	struct flame f;
	struct flame_writer w = {};
	uint64_t min_value;
	int rc = -1;

	if (flame_build(&f, r, sel))
		goto out;
	w.f = &f;
	w.renamed = calloc(f.nr_names, sizeof(*w.renamed));
	w.order = calloc(f.nr_names, sizeof(*w.order));
	if (!w.renamed || !w.order)
		goto out;
	min_value = f.nodes[0].value * FLAME_MIN_PER_MILLE / 1000;
	writer_walk(&w, 0, min_value ? min_value : 1);
	if (w.oom)
		goto out;
	json_object_begin(j);
	json_kv_string(j, "key", key);
	json_kv_string(j, "title", title);
	json_kv_string(j, "unit", unit);
	json_kv_u64(j, "stacks", f.stacks);
	json_key(j, "names");
	json_array_begin(j);
	for (uint32_t i = 0; i < w.nr_written; i++)
		json_string(j, f.names[w.order[i]]);
	json_array_end(j);
	json_key(j, "nodes"); /* name, value, depth of each node in preorder */
	json_array_begin(j);
	for (size_t i = 0; i < w.nr; i++) {
		json_u64(j, w.nodes[i].name);
		json_u64(j, w.nodes[i].value);
		json_u64(j, w.nodes[i].depth);
	}
	json_array_end(j);
	json_object_end(j);
	rc = 0;
out:
	free(w.nodes);
	free(w.renamed);
	free(w.order);
	flame_free(&f);
	return rc;
}

static void write_orders(const struct report *r, struct json *j)
{
	const struct snapshot *w = &r->model->window;
	uint64_t cells[FS_ORDERS][FS_MIGRATETYPES] = {}, by_mt[FS_MIGRATETYPES] = {};
	char name[32];
	int mts = 0;

	for (int o = 0; o < FS_ORDERS; o++)
		for (int mt = 0; mt < FS_MIGRATETYPES; mt++)
			for (int c = 0; c < FS_GFP_CLASSES; c++)
				cells[o][mt] += w->page_allocs[fs_page_alloc_index(o, mt, c)];
	for (int o = 0; o < FS_ORDERS; o++)
		for (int mt = 0; mt < FS_MIGRATETYPES; mt++)
			by_mt[mt] += cells[o][mt];
	for (int mt = 0; mt < FS_MIGRATETYPES; mt++)
		if (by_mt[mt])
			mts = mt + 1;
	json_key(j, "orders");
	json_object_begin(j);
	json_kv_u64(j, "total", model_page_allocs_total(r->model));
	json_key(j, "migratetypes");
	json_array_begin(j);
	for (int mt = 0; mt < mts; mt++)
		json_string(j, report_migratetype(r, mt, name, sizeof(name)));
	json_array_end(j);
	json_key(j, "rows");
	json_array_begin(j);
	for (int o = 0; o < FS_ORDERS; o++) {
		uint64_t row = 0;

		for (int mt = 0; mt < mts; mt++)
			row += cells[o][mt];
		if (!row)
			continue;
		json_object_begin(j);
		json_kv_u64(j, "order", o);
		json_key(j, "counts");
		json_array_begin(j);
		for (int mt = 0; mt < mts; mt++)
			json_u64(j, cells[o][mt]);
		json_array_end(j);
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
}

static void write_latency(struct json *j, const char *title, const struct histogram *h)
{
	json_object_begin(j);
	json_kv_string(j, "title", title);
	json_kv_u64(j, "count", h->count);
	json_kv_double(j, "p50_us", hist_quantile_ns(h, 0.5) / 1e3);
	json_kv_double(j, "p99_us", hist_quantile_ns(h, 0.99) / 1e3);
	json_kv_double(j, "max_us", h->max_ns / 1e3);
	json_kv_double(j, "sum_us", h->sum_ns / 1e3);
	json_key(j, "buckets"); /* [upper bound in µs, count] of each non-empty bucket */
	json_array_begin(j);
	for (int i = 0; i < HIST_BUCKETS; i++) {
		if (!h->buckets[i])
			continue;
		json_array_begin(j);
		json_u64(j, hist_bucket_upper_us(i));
		json_u64(j, h->buckets[i]);
		json_array_end(j);
	}
	json_array_end(j);
	json_object_end(j);
}

/* The /proc samples' free blocks of each zone by order, when the record has them. */
static void write_free_blocks(const struct report *r, struct json *j)
{
	const struct timeline *t = &r->model->timeline;
	char zone[48];

	if (!t->nr_samples)
		return;
	json_key(j, "free_blocks");
	json_object_begin(j);
	json_kv_u64(j, "samples", t->nr_samples);
	json_key(j, "zones");
	json_array_begin(j);
	for (uint32_t z = 0; z < t->nr_zones; z++) {
		uint32_t orders = t->first->zones[z].nr_orders;

		timeline_zone_name(t->first, z, zone, sizeof(zone));
		json_object_begin(j);
		json_kv_string(j, "name", zone);
		json_kv_u64(j, "orders", orders < FS_ORDERS ? orders : FS_ORDERS);
		json_object_end(j);
	}
	json_array_end(j);
	json_key(j, "series"); /* [seconds, [[free blocks by order] of each zone]] */
	json_array_begin(j);
	for (size_t i = 0; i < t->nr_points; i++) {
		const struct timeline_point *p = &t->points[i];

		json_array_begin(j);
		json_double(j, (p->ts_ns - r->model->start_ns) / 1e9);
		json_array_begin(j);
		for (uint32_t z = 0; z < t->nr_zones; z++) {
			json_array_begin(j);
			for (uint32_t o = 0; o < t->first->zones[z].nr_orders && o < FS_ORDERS; o++)
				json_u64(j, p->free_blocks[z][o]);
			json_array_end(j);
		}
		json_array_end(j);
		json_array_end(j);
	}
	json_array_end(j);
	json_object_end(j);
}

static int write_data(const struct report *r, struct json *j)
{
	const struct model *m = r->model;

	json_object_begin(j);
	json_key(j, "flames");
	json_array_begin(j);
	if (write_flame(j, "failures", "Failure stacks", "failures", r, STACKS_FAILURES) ||
	    write_flame(j, "high-order", "High-order allocation stacks", "allocations", r, STACKS_HIGH_ORDER) ||
	    write_flame(j, "extfrag", "Extfrag culprits: stacks that fell back to another migratetype", "fallbacks",
			r, STACKS_EXTFRAG) ||
	    write_flame(j, "compaction", "Direct compaction stalls by stack", "µs stalled", r, STACKS_COMPACTION) ||
	    write_flame(j, "reclaim", "Reclaim stalls by stack", "µs stalled", r, STACKS_RECLAIM))
		return -1;
	json_array_end(j);
	write_orders(r, j);
	json_key(j, "latency");
	json_array_begin(j);
	write_latency(j, "Direct compaction", &m->compaction.stall);
	write_latency(j, "Direct reclaim", &m->reclaim[FS_RECLAIM_DIRECT].stall);
	write_latency(j, "Memory cgroup reclaim", &m->reclaim[FS_RECLAIM_MEMCG].stall);
	json_array_end(j);
	write_free_blocks(r, j);
	json_object_end(j);
	return 0;
}

/* The JSON document with every '<' as \u003c: nothing in it can end the script element. */
static int write_data_script(const struct report *r, FILE *out)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	struct json j;

	if (!mem)
		return -1;
	json_init(&j, mem, false);
	if (write_data(r, &j)) {
		fclose(mem);
		free(buf);
		return -1;
	}
	json_finish(&j);
	if (fclose(mem)) {
		free(buf);
		return -1;
	}
	fputs("<script type=\"application/json\" id=\"fs-data\">", out);
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '<')
			fputs("\\u003c", out);
		else
			fputc(buf[i], out);
	}
	fputs("</script>\n", out);
	free(buf);
	return 0;
}

static void html_escape(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		case '\'':
			fputs("&#39;", out);
			break;
		default:
			fputc(*s, out);
		}
	}
}

/* One fact of the header: a label and an escaped value. */
static void fact(FILE *out, const char *label, const char *value)
{
	fprintf(out, "<div class=\"fact\"><span>%s</span><b>", label);
	html_escape(out, value);
	fputs("</b></div>\n", out);
}

static void write_header(const struct report *r, FILE *out)
{
	const struct model *m = r->model;
	const struct trace_meta *meta = r->meta;
	uint64_t lost = model_lost_total(m), failures = 0, events = 0;
	char buf[128], when[64] = "?";

	if (meta && meta->start_realtime_ns) {
		time_t t = meta->start_realtime_ns / 1000000000ULL;
		struct tm tm;

		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %Z", localtime_r(&t, &tm));
	}
	for (int k = 0; k < FAIL_KINDS; k++)
		failures += m->failures[k];
	for (int t = 0; t < FS_EV_TYPES; t++)
		events += m->events[t];
	fputs("<header><h1>fragscope report</h1><div class=\"facts\">\n", out);
	fact(out, "kernel", r->kinfo->release);
	fact(out, "host", meta ? meta->hostname : "?");
	fact(out, "started", when);
	snprintf(buf, sizeof(buf), "%.1f s", model_duration_s(m));
	fact(out, "duration", buf);
	snprintf(buf, sizeof(buf), "%" PRIu64, model_page_allocs_total(m));
	fact(out, "page allocations", buf);
	snprintf(buf, sizeof(buf), "%" PRIu64, events);
	fact(out, "events received", buf);
	snprintf(buf, sizeof(buf), "%" PRIu64, lost);
	fact(out, "events lost", lost ? buf : "none");
	snprintf(buf, sizeof(buf), "%" PRIu64, failures);
	fact(out, "allocation failures", buf);
	snprintf(buf, sizeof(buf), "%zu", m->nr_ooms);
	fact(out, "OOM kills", buf);
	fputs("</div>\n<details><summary>events per tracepoint, lost and dropped</summary><table class=\"num\">\n",
	      out);
	fprintf(out, "<tr><td>%s</td><td>%" PRIu64 "</td></tr>\n", fs_probe_name(FS_PROBE_PAGE_ALLOC),
		model_page_allocs_total(m));
	for (int p = 0; p < FS_PROBES; p++)
		if (p != FS_PROBE_PAGE_ALLOC)
			fprintf(out, "<tr><td>%s%s</td><td>%" PRIu64 "</td></tr>\n", fs_probe_name(p),
				meta && meta->probe_state[p] ? " (not attached)" : "",
				m->window.counters[FS_CTR_PROBE_HITS + p]);
	for (int t = 1; t < FS_EV_TYPES; t++)
		fprintf(out, "<tr><td>lost %s</td><td>%" PRIu64 "</td></tr>\n", fs_event_type_name(t),
			m->window.counters[FS_CTR_LOST + t]);
	fprintf(out,
		"<tr><td>dropped, map full: proc / callsite / extfrag / stacks</td><td>%" PRIu64 " / %" PRIu64
		" / %" PRIu64 " / %" PRIu64 "</td></tr>\n",
		m->window.counters[FS_CTR_MAP_FULL + FS_MAP_PROC], m->window.counters[FS_CTR_MAP_FULL + FS_MAP_CALLSITE],
		m->window.counters[FS_CTR_MAP_FULL + FS_MAP_EXTFRAG],
		m->window.counters[FS_CTR_MAP_FULL + FS_MAP_STACK_COUNTS]);
	fprintf(out, "<tr><td>stacks not taken: collision / other</td><td>%" PRIu64 " / %" PRIu64 "</td></tr>\n",
		m->window.counters[FS_CTR_STACK_COLLISION], m->window.counters[FS_CTR_STACK_ERROR]);
	fprintf(out,
		"<tr><td>model tables full: stacks shown empty / failures in their kind's empty-stack group</td>"
		"<td>%" PRIu64 " / %" PRIu64 "</td></tr>\n",
		m->stacks.not_kept, m->failures_not_grouped);
	fputs("</table></details></header>\n", out);
}

static void write_failures(const struct report *r, FILE *out)
{
	const struct model *m = r->model;
	size_t *order = report_sorted_groups(r), rows = m->nr_groups;
	char buf[256];

	if (r->opts.top && rows > r->opts.top)
		rows = r->opts.top;
	fputs("<section id=\"failures\"><h2>Allocation failures</h2>\n", out);
	if (!m->nr_groups || !order) {
		fputs("<p class=\"none\">No allocation failed in this trace.</p></section>\n", out);
		free(order);
		return;
	}
	fputs("<table class=\"failures\"><thead><tr><th>kind</th><th>count</th><th>process</th><th>order</th>"
	      "<th>bytes</th><th>gfp</th><th>memcg id</th><th>at memcg limit</th><th>stack</th></tr></thead>"
	      "<tbody>\n",
	      out);
	for (size_t i = 0; i < rows; i++) {
		const struct failure_group *g = &m->groups[order[i]];
		const struct interned_stack *s = stack_table_get(&m->stacks, g->stack_id);

		fprintf(out, "<tr><td>%s</td><td class=\"n\">%" PRIu64 "</td><td>", failure_kind_name(g->kind),
			g->count);
		html_escape(out, g->procs[0].comm);
		fprintf(out, " [%u]", g->procs[0].pid);
		if (g->nr_procs > 1 || g->other_procs)
			fprintf(out, " and %u more", g->nr_procs - 1 + (g->other_procs ? 1 : 0));
		fprintf(out, "</td><td class=\"n\">%u</td><td class=\"n\">%" PRIu64 "</td><td class=\"gfp\">", g->order,
			g->bytes);
		html_escape(out, report_gfp(r, g->gfp, buf, sizeof(buf)));
		fprintf(out, "</td><td class=\"n\">%" PRIu64 "</td><td class=\"n%s\">%" PRIu64 " of %" PRIu64 "</td><td>",
			g->cgroup_id, g->at_memcg_limit == g->count ? " limit" : "", g->at_memcg_limit, g->count);
		if (s->nr_frames) {
			fputs("<details><summary>", out);
			html_escape(out, report_function(r, s->frames[0], buf, sizeof(buf)));
			fputs("</summary><ol>", out);
			for (uint32_t f = 0; f < s->nr_frames; f++) {
				fputs("<li>", out);
				html_escape(out, report_frame(r, s->frames[f], buf, sizeof(buf)));
			}
			fputs("</ol></details>", out);
		}
		fputs("</td></tr>\n", out);
	}
	fputs("</tbody></table>\n", out);
	if (rows < m->nr_groups)
		fprintf(out, "<p class=\"none\">%zu more groups not shown (--top %u).</p>\n", m->nr_groups - rows,
			r->opts.top);
	fputs("</section>\n", out);
	free(order);
}

/*
 * The doctor's findings on the trace's first and last state samples and on
 * the trace: severity, the verdict, the evidence sentence, the numbers and
 * what to consider.  Left out when the recording has no state sample.
 */
static int write_doctor(const struct report *r, FILE *out)
{
	struct doctor_report *d = malloc(sizeof(*d));
	int rc = d ? model_doctor(r->model, d) : -1;

	if (rc) {
		free(d);
		return rc < 0 ? -1 : 0;
	}
	fputs("<section id=\"doctor\"><h2>Doctor</h2>\n<p class=\"sub\">The rules of <code>fragscope doctor</code> "
	      "on the first and last <code>/proc</code> state samples of the recording and on the trace.</p>\n",
	      out);
	if (!d->count)
		fputs("<p class=\"finding all-clear\">All clear: no fragmentation, compaction, commit limit or "
		      "allocation problem found.</p>\n",
		      out);
	for (unsigned int i = 0; i < d->count; i++) {
		const struct doctor_finding *f = &d->findings[i];
		const char *sev = doctor_severity_name(f->severity);

		fprintf(out, "<div class=\"finding %s\" data-id=\"", sev);
		html_escape(out, f->id);
		fprintf(out, "\"><p class=\"verdict\"><span class=\"sev\">%s</span> ", sev);
		html_escape(out, f->title);
		fputs(" <code>", out);
		html_escape(out, f->id);
		fputs("</code></p>\n<p>", out);
		html_escape(out, f->evidence);
		fputs("</p>\n", out);
		if (f->nr_facts) {
			fputs("<dl class=\"numbers\">", out);
			for (unsigned int k = 0; k < f->nr_facts; k++) {
				fputs("<dt>", out);
				html_escape(out, f->facts[k].key);
				fprintf(out, "</dt><dd>%.15g</dd>", f->facts[k].value);
			}
			fputs("</dl>\n", out);
		}
		fputs("<p class=\"advice\"><b>consider:</b> ", out);
		html_escape(out, f->advice);
		fputs("</p></div>\n", out);
	}
	if (d->dropped)
		fprintf(out, "<p class=\"none\">%u more findings not shown.</p>\n", d->dropped);
	if (d->nr_notes) {
		fputs("<ul class=\"notes\">", out);
		for (unsigned int i = 0; i < d->nr_notes; i++) {
			fputs("<li>", out);
			html_escape(out, d->notes[i]);
		}
		fputs("</ul>\n", out);
	}
	fputs("</section>\n", out);
	free(d);
	return 0;
}

static int write_html(const struct report *r, FILE *out)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>fragscope report: ", out);
	html_escape(out, r->kinfo->release);
	fprintf(out, "</title>\n<style>%s</style></head>\n<body>\n", html_css);
	write_header(r, out);
	fputs("<main>\n", out);
	if (write_doctor(r, out))
		return -1;
	write_failures(r, out);
	fputs("<div id=\"fs-flames\"></div>\n<section><h2>Page allocations by order and migratetype</h2>"
	      "<div id=\"fs-orders\"></div></section>\n"
	      "<section><h2>Stall latency</h2><div id=\"fs-latency\"></div></section>\n",
	      out);
	if (r->model->timeline.nr_samples)
		fputs("<section><h2>Free blocks by order per zone over time</h2><div id=\"fs-free\"></div></section>\n",
		      out);
	fputs("</main>\n<footer>fragscope ", out);
	html_escape(out, r->meta ? r->meta->fragscope_version : "");
	fputs(" &middot; <span id=\"fs-timing\">the charts need JavaScript</span></footer>\n", out);
	if (write_data_script(r, out))
		return -1;
	fprintf(out, "<script>%s</script>\n</body></html>\n", html_js);
	return ferror(out) ? -1 : 0;
}

const struct formatter format_html = { "html", write_html };
