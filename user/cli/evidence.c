// SPDX-License-Identifier: GPL-2.0
/*
 * The tracer's evidence for `fragscope doctor -d`: a short live session,
 * summarised into the pointer-free numbers the doctor's rules read.
 */
#include <stdio.h>
#include <string.h>

#include "cli/session.h"
#include "state/doctor.h"

static const enum doctor_failure_kind doctor_kind[FAIL_KINDS] = {
	[FAIL_PAGE] = DOCTOR_FAIL_PAGE,       [FAIL_THP] = DOCTOR_FAIL_PAGE,
	[FAIL_KMALLOC] = DOCTOR_FAIL_KMALLOC, [FAIL_SLAB] = DOCTOR_FAIL_SLAB,
	[FAIL_VMALLOC] = DOCTOR_FAIL_PAGE,    [FAIL_VMAP_AREA] = DOCTOR_FAIL_VMALLOC,
};

static void summarise(const struct model *m, unsigned int seconds, struct doctor_evidence *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->window_seconds = seconds;
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

int trace_collect_evidence(unsigned int seconds, struct doctor_evidence *out)
{
	struct tracer_config cfg;
	struct session *s;
	int rc;

	tracer_config_defaults(&cfg);
	session_install_signal_handlers();
	s = session_open(&cfg, "doctor", "doctor", &rc);
	if (!s)
		return rc;
	fprintf(stderr, "fragscope doctor: tracing for %u s...\n", seconds);
	rc = session_run(s, seconds, 1000, NULL, NULL);
	if (!rc)
		rc = session_finish(s);
	if (!rc)
		summarise(&s->model, seconds, out);
	session_close(s);
	return rc;
}
