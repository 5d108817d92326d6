// SPDX-License-Identifier: GPL-2.0
/*
 * The Prometheus exposition of a session: text format 0.0.4, or
 * OpenMetrics 1.0 when the scraper asks for it.  The two differ only in
 * how a counter family is named (OpenMetrics drops the _total suffix from
 * TYPE and HELP), in the info type of build_info and in the "# EOF" end.
 * Labels are bounded: orders, migratetypes, kinds, zones; never pids.
 */
#include "live/live.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "kernel/kernel_info.h"
#include "model/meta.h"

/* Histogram buckets up to 2^25 us (33 s); slower stalls land in +Inf. */
#define METRICS_HIST_BUCKETS 26

enum family_type { FAMILY_COUNTER, FAMILY_GAUGE, FAMILY_HISTOGRAM, FAMILY_INFO };

struct exposition {
	struct live_text *out;
	bool openmetrics;
};

/* # HELP and # TYPE for a family; name is the sample name without _total or _info. */
static void family(struct exposition *x, const char *name, enum family_type type, const char *help)
{
	static const char *const types[] = { "counter", "gauge", "histogram", "info" };
	const char *suffix = "";

	if (!x->openmetrics && type == FAMILY_COUNTER)
		suffix = "_total";
	if (!x->openmetrics && type == FAMILY_INFO)
		suffix = "_info";
	live_text_printf(x->out, "# HELP %s%s %s\n# TYPE %s%s %s\n", name, suffix, help, name, suffix,
			 !x->openmetrics && type == FAMILY_INFO ? "gauge" : types[type]);
}

/* A label value with \, " and newline escaped, as both formats require. */
static const char *label_value(char *buf, size_t len, const char *v)
{
	size_t at = 0;

	for (; *v && at + 2 < len; v++) {
		if (*v == '\\' || *v == '"' || *v == '\n') {
			buf[at++] = '\\';
			buf[at++] = *v == '\n' ? 'n' : *v;
		} else {
			buf[at++] = *v;
		}
	}
	buf[at] = 0;
	return buf;
}

static void histogram(struct exposition *x, const char *name, const char *labels, const struct histogram *h)
{
	const char *sep = labels[0] ? "," : "";
	uint64_t cumulative = 0;

	for (int i = 0; i < METRICS_HIST_BUCKETS; i++) {
		cumulative += h->buckets[i];
		live_text_printf(x->out, "%s_bucket{%s%sle=\"%g\"} %" PRIu64 "\n", name, labels, sep,
				 hist_bucket_upper_us(i) / 1e6, cumulative);
	}
	live_text_printf(x->out, "%s_bucket{%s%sle=\"+Inf\"} %" PRIu64 "\n", name, labels, sep, h->count);
	live_text_printf(x->out, "%s_sum%s%s%s %.9f\n", name, labels[0] ? "{" : "", labels, labels[0] ? "}" : "",
			 h->sum_ns / 1e9);
	live_text_printf(x->out, "%s_count%s%s%s %" PRIu64 "\n", name, labels[0] ? "{" : "", labels,
			 labels[0] ? "}" : "", h->count);
}

static void render_tracing(struct exposition *x, const struct report *r, const struct live_totals *cur)
{
	const struct model *m = r->model;
	const struct snapshot *w = &m->window;
	char mt[64], fb[64], esc[128], fb_esc[128];

	family(x, "fragscope_page_allocations", FAMILY_COUNTER,
	       "Page allocations seen since fragscope started, by order and migratetype; migratetype "
	       "\"vmstat_pgalloc\": successful order-0 allocations, " MODEL_ORDER0_NOTE ".");
	for (unsigned int o = 0; o < FS_ORDERS; o++)
		for (unsigned int t = 0; t < FS_MIGRATETYPES; t++)
			if (cur->allocs[o][t])
				live_text_printf(x->out,
						 "fragscope_page_allocations_total{order=\"%u\",migratetype=\"%s\"} %" PRIu64 "\n",
						 o, label_value(esc, sizeof(esc), report_migratetype(r, t, mt, sizeof(mt))),
						 cur->allocs[o][t]);
	if (cur->order0_from_vmstat)
		live_text_printf(x->out, "fragscope_page_allocations_total{order=\"0\",migratetype=\"vmstat_pgalloc\"} %" PRIu64 "\n",
				 cur->order0_vmstat);

	family(x, "fragscope_failed_requests", FAMILY_COUNTER,
	       "Requests whose allocations failed, by the interface asked, the cause and whether a fallback recovered.");
	for (int a = 0; a < API_COUNT; a++)
		for (int c = 0; c < CAUSE_COUNT; c++)
			for (int o = 0; o < OUTCOME_COUNT; o++)
				if (cur->requests[a][c][o])
					live_text_printf(x->out,
							 "fragscope_failed_requests_total{api=\"%s\",cause=\"%s\",outcome=\"%s\"} %" PRIu64 "\n",
							 request_api_name(a), request_cause_name(c), request_outcome_name(o),
							 cur->requests[a][c][o]);
	family(x, "fragscope_failed_requests_detail_lost", FAMILY_COUNTER,
	       "Failed requests counted by the kernel whose allocator events the ring buffer dropped.");
	live_text_printf(x->out, "fragscope_failed_requests_detail_lost_total %" PRIu64 "\n", cur->requests_detail_lost);

	family(x, "fragscope_kernel_log_reports_untraced", FAMILY_COUNTER,
	       "The kernel's allocation-failure reports (/dev/kmsg) that no traced request matched: another task, a gap.");
	live_text_printf(x->out, "fragscope_kernel_log_reports_untraced_total %" PRIu64 "\n", cur->log_reports_untraced);

	family(x, "fragscope_allocation_failures", FAMILY_COUNTER, "Failed kernel memory allocations, by kind.");
	for (int k = 0; k < FAIL_KINDS; k++)
		live_text_printf(x->out, "fragscope_allocation_failures_total{kind=\"%s\"} %" PRIu64 "\n",
				 failure_kind_name(k), cur->failures[k]);

	/* Summed over orders: migratetype pairs and pageblock stealing keep the label set small. */
	family(x, "fragscope_extfrag_fallbacks", FAMILY_COUNTER,
	       "Page allocations that fell back to another migratetype's pageblock; stolen=\"true\" when the pageblock changed owner.");
	for (unsigned int a = 0; a < FS_MIGRATETYPES; a++)
		for (unsigned int f = 0; f < FS_MIGRATETYPES; f++)
			for (int stolen = 0; stolen < 2; stolen++) {
				uint64_t n = 0;

				for (size_t i = 0; i < w->nr_extfrags; i++)
					if (w->extfrags[i].key.alloc_migratetype == a &&
					    w->extfrags[i].key.fallback_migratetype == f &&
					    !!w->extfrags[i].key.change_ownership == stolen)
						n += w->extfrags[i].count;
				if (!n)
					continue;
				label_value(esc, sizeof(esc), report_migratetype(r, a, mt, sizeof(mt)));
				live_text_printf(x->out,
						 "fragscope_extfrag_fallbacks_total{migratetype=\"%s\",fallback_migratetype=\"%s\",stolen=\"%s\"} %" PRIu64 "\n",
						 esc, label_value(fb_esc, sizeof(fb_esc), report_migratetype(r, f, fb, sizeof(fb))),
						 stolen ? "true" : "false", n);
			}

	family(x, "fragscope_compaction_stall_seconds", FAMILY_HISTOGRAM,
	       "Direct compaction stalls inside allocations, in seconds.");
	histogram(x, "fragscope_compaction_stall_seconds", "", &cur->compaction);
	family(x, "fragscope_compaction_deferred_stalls", FAMILY_COUNTER,
	       "Direct compaction stalls that found every zone deferred and compacted nothing (counted where compact_stall counts them).");
	live_text_printf(x->out, "fragscope_compaction_deferred_stalls_total %" PRIu64 "\n", cur->compaction_deferred);
	family(x, "fragscope_reclaim_stall_seconds", FAMILY_HISTOGRAM,
	       "Direct reclaim (global) and memcg limit reclaim stalls, in seconds.");
	histogram(x, "fragscope_reclaim_stall_seconds", "kind=\"direct\"", &cur->reclaim[FS_RECLAIM_DIRECT]);
	histogram(x, "fragscope_reclaim_stall_seconds", "kind=\"memcg\"", &cur->reclaim[FS_RECLAIM_MEMCG]);

	family(x, "fragscope_oom_kills", FAMILY_COUNTER, "OOM killer victims.");
	live_text_printf(x->out, "fragscope_oom_kills_total %" PRIu64 "\n", cur->ooms);

	family(x, "fragscope_lost_events", FAMILY_COUNTER,
	       "Events dropped because the ring buffer was full, by event type; raise --ringbuf-kb.");
	for (int t = 1; t < FS_EV_TYPES; t++)
		live_text_printf(x->out, "fragscope_lost_events_total{type=\"%s\"} %" PRIu64 "\n", fs_event_type_name(t),
				 cur->lost[t]);

	family(x, "fragscope_map_full_drops", FAMILY_COUNTER,
	       "Updates refused because a kernel map was full, by map: what they would have counted is missing.");
	for (int map = 0; map < FS_MAPS; map++)
		if (fs_map_name(map))
			live_text_printf(x->out, "fragscope_map_full_drops_total{map=\"%s\"} %" PRIu64 "\n",
					 fs_map_name(map), cur->map_full[map]);
}

static void zone_labels(char *buf, size_t len, const struct state_zone_free *z, unsigned int order)
{
	char esc[2 * STATE_NAME_LEN + 1], name[STATE_NAME_LEN + 1];

	snprintf(name, sizeof(name), "%.*s", STATE_NAME_LEN, z->name);
	snprintf(buf, len, "node=\"%d\",zone=\"%s\",order=\"%u\"", z->node, label_value(esc, sizeof(esc), name), order);
}

static void render_state(struct exposition *x, const struct state_sample *st)
{
	static const struct {
		const char *metric, *help;
	} index_families[] = {
		{ "fragscope_free_blocks", "Free blocks of each order in each zone (/proc/buddyinfo)." },
		{ "fragscope_unusable_free_index",
		  "Share of free memory unusable for an allocation of the order (0..1), as debugfs unusable_index." },
		{ "fragscope_fragmentation_index",
		  "The kernel's extfrag index of the order (0..1, near 1: fragmentation); -1 when the allocation would succeed." },
	};
	char labels[128];

	for (size_t f = 0; f < sizeof(index_families) / sizeof(*index_families); f++) {
		family(x, index_families[f].metric, FAMILY_GAUGE, index_families[f].help);
		for (uint32_t i = 0; i < st->nr_zones && i < STATE_SAMPLE_MAX_ZONES; i++) {
			const struct state_zone_free *z = &st->zones[i];
			struct state_zone_indices idx;

			state_zone_indices(z, &idx);
			for (unsigned int o = 0; o < z->nr_orders && o < FS_ORDERS; o++) {
				zone_labels(labels, sizeof(labels), z, o);
				if (f == 0)
					live_text_printf(x->out, "%s{%s} %" PRIu64 "\n", index_families[f].metric, labels,
							 z->free_blocks[o]);
				else
					live_text_printf(x->out, "%s{%s} %.3f\n", index_families[f].metric, labels,
							 (f == 1 ? idx.unusable[o] : idx.extfrag[o]) / 1000.0);
			}
		}
	}
	for (int c = STATE_CNT_COMPACT_STALL; c <= STATE_CNT_COMPACT_ISOLATED; c++) {
		char name[96], help[128];

		if (!state_counter_present(&st->counters, c))
			continue;
		snprintf(name, sizeof(name), "fragscope_vmstat_%s", state_counter_name(c));
		snprintf(help, sizeof(help), "The kernel's %s counter (/proc/vmstat).", state_counter_name(c));
		family(x, name, FAMILY_COUNTER, help);
		live_text_printf(x->out, "%s_total %" PRIu64 "\n", name, st->counters.value[c]);
	}
}

void metrics_render(const struct report *r, const struct live_totals *cur, bool openmetrics,
		    struct live_text *out)
{
	struct exposition x = { .out = out, .openmetrics = openmetrics };
	char esc[2 * sizeof(r->kinfo->release) + 1];

	render_tracing(&x, r, cur);
	if (cur->has_state)
		render_state(&x, &cur->state);
	family(&x, "fragscope_build", FAMILY_INFO, "fragscope's version and the kernel it traces.");
	live_text_printf(out, "fragscope_build_info{version=\"%s\",kernel=\"%s\"} 1\n", FRAGSCOPE_VERSION,
			 label_value(esc, sizeof(esc), r->kinfo->release));
	if (openmetrics)
		live_text_printf(out, "# EOF\n");
}
