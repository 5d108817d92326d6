// SPDX-License-Identifier: GPL-2.0
/*
 * The report as one self-contained HTML page.  The header facts and the
 * failures table are written here, HTML-escaped; flame graphs and charts
 * are drawn in the browser by the script of html_assets.h from one JSON
 * document embedded in the page (its flame graphs by html_flame.c).
 * Nothing is loaded from anywhere else.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "format/format.h"
#include "format/html_assets.h"
#include "format/html_flame.h"
#include "format/report_requests.h"
#include "format/request_line.h"
#include "kernel/kernel_info.h"
#include "model/findings.h"
#include "model/meta.h"
#include "model/model.h"
#include "util/json.h"


/*
 * Successful order-0 allocations counted from /proc/vmstat are a column of
 * their own after the migratetypes: the kernel does not split them.
 */
static void write_orders(const struct report *r, struct json *j)
{
	const struct snapshot *w = &r->model->window;
	uint64_t cells[FS_ORDERS][FS_MIGRATETYPES + 1] = {}, by_mt[FS_MIGRATETYPES] = {}, order0_vmstat;
	bool from_vmstat = model_order0_from_vmstat(r->model, &order0_vmstat);
	char name[32];
	int mts = 0, cols;

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
	cols = mts + from_vmstat;
	if (from_vmstat)
		cells[0][mts] = order0_vmstat;
	json_key(j, "orders");
	json_object_begin(j);
	json_kv_u64(j, "total", model_page_allocs_total(r->model));
	if (from_vmstat)
		json_kv_string(j, "note", "vmstat*: " MODEL_ORDER0_NOTE " (successful allocations, with alloc_pages_bulk()'s "
					  "and fragscope's own); order 0's other columns hold its failed allocations only.");
	json_key(j, "migratetypes");
	json_array_begin(j);
	for (int mt = 0; mt < mts; mt++)
		json_string(j, report_migratetype(r, mt, name, sizeof(name)));
	if (from_vmstat)
		json_string(j, "vmstat*");
	json_array_end(j);
	json_key(j, "rows");
	json_array_begin(j);
	for (int o = 0; o < FS_ORDERS; o++) {
		uint64_t row = 0;

		for (int mt = 0; mt < cols; mt++)
			row += cells[o][mt];
		if (!row)
			continue;
		json_object_begin(j);
		json_kv_u64(j, "order", o);
		json_key(j, "counts");
		json_array_begin(j);
		for (int mt = 0; mt < cols; mt++)
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
	if (html_write_flame(j, "failures", "Failure stacks", "failures", r, STACKS_FAILURES) ||
	    html_write_flame(j, "high-order", "High-order allocation stacks", "allocations", r, STACKS_HIGH_ORDER) ||
	    html_write_flame(j, "extfrag", "Extfrag culprits: stacks that fell back to another migratetype", "fallbacks",
			r, STACKS_EXTFRAG) ||
	    html_write_flame(j, "compaction", "Direct compaction stalls by stack", "µs stalled", r, STACKS_COMPACTION) ||
	    html_write_flame(j, "reclaim", "Reclaim stalls by stack", "µs stalled", r, STACKS_RECLAIM))
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
	char buf[128], when[64];

	for (int k = 0; k < FAIL_KINDS; k++)
		failures += m->failures[k];
	for (int t = 0; t < FS_EV_TYPES; t++)
		events += m->events[t];
	fputs("<header><h1>fragscope report</h1><div class=\"facts\">\n", out);
	fact(out, "kernel", r->kinfo->release);
	fact(out, "host", meta ? meta->hostname : "?");
	fact(out, "started", report_start_time(r, when, sizeof(when)));
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
		"<tr><td>dropped, map full: proc / callsite / extfrag / stacks / open requests</td><td>%" PRIu64
		" / %" PRIu64 " / %" PRIu64 " / %" PRIu64 " / %" PRIu64 "</td></tr>\n",
		m->window.counters[FS_CTR_MAP_FULL + FS_MAP_PROC], m->window.counters[FS_CTR_MAP_FULL + FS_MAP_CALLSITE],
		m->window.counters[FS_CTR_MAP_FULL + FS_MAP_EXTFRAG],
		m->window.counters[FS_CTR_MAP_FULL + FS_MAP_STACK_COUNTS],
		m->window.counters[FS_CTR_MAP_FULL + FS_MAP_OPEN_REQUESTS]);
	fprintf(out, "<tr><td>stacks not taken: collision / other</td><td>%" PRIu64 " / %" PRIu64 "</td></tr>\n",
		m->window.counters[FS_CTR_STACK_COLLISION], m->window.counters[FS_CTR_STACK_ERROR]);
	fprintf(out,
		"<tr><td>model tables full: stacks shown empty / failures in their kind's empty-stack group</td>"
		"<td>%" PRIu64 " / %" PRIu64 "</td></tr>\n",
		m->stacks.not_kept, m->failures_not_grouped);
	fputs("</table></details></header>\n", out);
}

/* The operator's lines first: who asked, what failed, why; alike requests once, with their count. */
static void write_requests(const struct report *r, FILE *out)
{
	const struct request_table *t = &r->model->requests;
	size_t n, rows;
	struct request_group *groups = report_request_groups(r, &n);
	char line[512];

	fprintf(out, "<section id=\"requests\"><h2>Failed requests</h2>\n<p class=\"sub\">%" PRIu64
		" failed, %" PRIu64 " recovered by a fallback",
		requests_count(t, OUTCOME_FAILED), requests_count(t, OUTCOME_RECOVERED));
	if (requests_detail_lost(r->model))
		fprintf(out, ", %" PRIu64 " more counted by the kernel whose detail was lost", requests_detail_lost(r->model));
	fputs(".</p>\n", out);
	if (!n || !groups) {
		fputs("<p class=\"none\">No request failed in this trace.</p></section>\n", out);
		free(groups);
		return;
	}
	rows = r->opts.top && n > r->opts.top ? r->opts.top : n;
	fputs("<table class=\"requests\"><thead><tr><th>count</th><th>outcome</th><th>cause</th><th>request</th>"
	      "</tr></thead><tbody>\n", out);
	for (size_t g = 0; g < rows; g++) {
		const struct request *rq = groups[g].first;

		request_line(rq, r->kinfo->page_size, line, sizeof(line));
		fprintf(out, "<tr><td class=\"n\">%" PRIu64 "</td><td class=\"%s\">%s</td><td>%s</td><td>",
			groups[g].count, rq->outcome == OUTCOME_FAILED ? "limit" : "", request_outcome_name(rq->outcome),
			request_cause_name(rq->cause));
		html_escape(out, line);
		fputs("</td></tr>\n", out);
	}
	fputs("</tbody></table>\n", out);
	if (rows < n)
		fprintf(out, "<p class=\"none\">%zu more kinds of request not shown (--top %u).</p>\n", n - rows,
			r->opts.top);
	fputs("</section>\n", out);
	free(groups);
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
	      "<th>bytes</th><th>gfp</th><th>memcg</th><th>at memcg limit</th><th>stack</th></tr></thead>"
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
		fputs("</td><td>", out);
		html_escape(out, report_cgroup(r, g->cgroup_id, buf, sizeof(buf)));
		fprintf(out, "</td><td class=\"n%s\">%" PRIu64 " of %" PRIu64 "</td><td>",
			g->at_memcg_limit == g->count ? " limit" : "", g->at_memcg_limit, g->count);
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
	write_requests(r, out);
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

