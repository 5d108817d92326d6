// SPDX-License-Identifier: GPL-2.0
#include "model/findings.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/kernel_info.h"

static const enum doctor_failure_kind doctor_kind[FAIL_KINDS] = {
	[FAIL_PAGE] = DOCTOR_FAIL_PAGE,       [FAIL_THP] = DOCTOR_FAIL_PAGE,
	[FAIL_KMALLOC] = DOCTOR_FAIL_KMALLOC, [FAIL_SLAB] = DOCTOR_FAIL_SLAB,
	[FAIL_VMALLOC] = DOCTOR_FAIL_PAGE,    [FAIL_VMAP_AREA] = DOCTOR_FAIL_VMALLOC,
};

void model_doctor_evidence(const struct model *m, unsigned int window_seconds,
			   struct doctor_evidence *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->window_seconds = window_seconds;
	for (size_t i = 0; i < m->nr_groups; i++) {
		const struct failure_group *g = &m->groups[i];

		ev->failures[doctor_kind[g->kind]] += g->count;
		ev->failures_memcg_at_limit += g->at_memcg_limit;
		ev->failures_memcg_below_limit += g->count - g->at_memcg_limit;
		if (g->kind == FAIL_PAGE || g->kind == FAIL_THP)
			ev->page_failures_by_order[g->order < FS_ORDERS ? g->order : FS_ORDERS - 1] += g->count;
	}
	ev->direct_reclaim_stalls = m->reclaim[FS_RECLAIM_DIRECT].stall.count;
	ev->memcg_reclaim_stalls = m->reclaim[FS_RECLAIM_MEMCG].stall.count;
	ev->compact_stalls = m->compaction.stall.count;
	ev->compact_stall_p99_ns = hist_quantile_ns(&m->compaction.stall, 0.99);
	model_extfrag_totals(m, &ev->extfrag_steals, &ev->extfrag_change_ownership);
	ev->oom_kills = m->nr_ooms;
	ev->valid = 1;
}

static bool filtered(const struct model_filter *f)
{
	return f->pid || f->comm[0] || f->kinds || f->min_order >= 0;
}

int model_doctor(const struct model *m, struct doctor_report *out)
{
	const struct timeline *t = &m->timeline;
	unsigned int page_kb = m->kinfo && m->kinfo->page_size ? m->kinfo->page_size / 1024 : 4;
	struct state *now, *before = NULL;
	struct doctor_evidence ev;
	double window = 0, duration = model_duration_s(m);

	memset(out, 0, sizeof(*out));
	if (!t->nr_samples || !t->first || !t->last)
		return 1;
	now = malloc(sizeof(*now));
	if (!now)
		return -ENOMEM;
	state_from_sample(t->last, t->last_types, page_kb, now);
	if (t->nr_samples > 1 && t->last->ts_ns > t->first->ts_ns) {
		before = malloc(sizeof(*before));
		if (!before) {
			free(now);
			return -ENOMEM;
		}
		state_from_sample(t->first, NULL, page_kb, before);
		window = (t->last->ts_ns - t->first->ts_ns) / 1e9;
	}
	model_doctor_evidence(m, duration < 1 ? 1 : (unsigned int)lround(duration), &ev);
	doctor_findings(now, before, window, &ev, out);
	if (!t->last->has_sysctls)
		doctor_note(out, "the recording holds no sysctls (record format 1): the THP, "
			    "min_free_kbytes and commit limit checks were skipped and "
			    "vm.extfrag_threshold taken as 500");
	if (filtered(&m->filter))
		doctor_note(out, "trace evidence counts only the failures the report's filter selects");
	free(now);
	free(before);
	return 0;
}
