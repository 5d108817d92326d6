// SPDX-License-Identifier: GPL-2.0
/*
 * The doctor: runs its checks (state/doctor_checks.h lists them, one file
 * per area) over a state reading and ranks their findings.  Each check looks
 * for one condition and makes a finding only when numbers show it; the
 * thresholds beside each check say where a number starts to matter and why.
 */
#include "state/doctor.h"

#include <string.h>

#include "state/doctor_checks.h"

void doctor_note(struct doctor_report *r, const char *text)
{
	if (r->nr_notes < DOCTOR_MAX_NOTES)
		snprintf(r->notes[r->nr_notes++], sizeof(r->notes[0]), "%s", text);
}

/* Most severe first; equal severities keep the order the checks made them in. */
static void sort_findings(struct doctor_report *r, struct doctor_finding *tmp)
{
	for (unsigned int i = 1; i < r->count; i++) {
		unsigned int j = i;

		*tmp = r->findings[i];
		while (j > 0 && r->findings[j - 1].severity < tmp->severity) {
			r->findings[j] = r->findings[j - 1];
			j--;
		}
		r->findings[j] = *tmp;
	}
}

static void add_notes(struct doctor_ctx *c, const struct state *st)
{
	char text[160];

	if (!c->before)
		doctor_note(c->out, "rates are averages since boot: no earlier reading to compare with "
			    "(`fragscope doctor -d SECONDS` measures the present)");
	if (!c->ev)
		doctor_note(c->out, "no trace evidence: allocation failures, memory cgroup limits, pageblock "
			"takeovers and compaction latency were not checked");
	if (!st->has_pagetypeinfo) {
		fmt_into(text, sizeof(text), "pageblock check skipped: pagetypeinfo not read (%s)",
			 st->pagetypeinfo_errno ? strerror(st->pagetypeinfo_errno) : "not asked");
		doctor_note(c->out, text);
	}
}

void doctor_findings(const struct state *now, const struct state *before, double window_seconds,
		     const struct doctor_evidence *ev, struct doctor_report *out)
{
	struct doctor_ctx c = {
		.now = now,
		.before = before,
		.seconds = before ? window_seconds : now->uptime_seconds,
		.ev = ev && ev->valid ? ev : NULL,
		.out = out,
	};

	memset(out, 0, sizeof(*out));
	if (before)
		fmt_into(c.span, sizeof(c.span), "in the last %.0f s", window_seconds);
	else
		fmt_into(c.span, sizeof(c.span), "since boot");

	check_external_fragmentation(&c);
	check_commit_limit(&c);
	check_compaction(&c);
	check_reclaim(&c);
	check_thp(&c);
	check_min_free_kbytes(&c);
	if (now->has_pagetypeinfo)
		check_pageblocks(&c);
	check_steals(&c);
	check_allocation_failures(&c);
	add_notes(&c, now);
	sort_findings(out, &c.overflow);
}

const char *doctor_severity_name(enum doctor_severity s)
{
	switch (s) {
	case DOCTOR_CRITICAL:
		return "critical";
	case DOCTOR_WARNING:
		return "warning";
	case DOCTOR_INFO:
		break;
	}
	return "info";
}
