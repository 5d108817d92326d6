/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the doctor's checks share, inside state/ only: the context of one
 * run (doctor.c's doctor_findings() makes it and calls each check in turn),
 * the helpers that add findings and read counters, and the checks, one
 * file per area: doctor_fragmentation.c, doctor_stalls.c, doctor_limits.c.
 * A new check is a function in the file of its area, called from
 * doctor_findings().
 */
#ifndef FS_STATE_DOCTOR_CHECKS_H
#define FS_STATE_DOCTOR_CHECKS_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "state/doctor.h"

struct doctor_ctx {
	const struct state *now;
	const struct state *before;
	double seconds; /* what rates are over: the window, or the uptime; 0 if unknown */
	char span[48];  /* "in the last 10 s" or "since boot" */
	const struct doctor_evidence *ev; /* NULL unless valid */
	struct doctor_report *out;
	struct doctor_finding overflow; /* written to when the report is full */
};

static inline void __attribute__((format(printf, 3, 4)))
fmt_into(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, size, fmt, ap);
	va_end(ap);
}

static inline struct doctor_finding *add_finding(struct doctor_ctx *c, enum doctor_severity severity,
					  const char *id)
{
	struct doctor_report *r = c->out;
	struct doctor_finding *f = &c->overflow;

	if (r->count < DOCTOR_MAX_FINDINGS)
		f = &r->findings[r->count++];
	else
		r->dropped++;
	memset(f, 0, sizeof(*f));
	f->severity = severity;
	snprintf(f->id, sizeof(f->id), "%s", id);
	return f;
}

static inline void fact(struct doctor_finding *f, const char *key, double value)
{
	if (f->nr_facts == DOCTOR_MAX_FACTS)
		return;
	snprintf(f->facts[f->nr_facts].key, sizeof(f->facts[0].key), "%s", key);
	f->facts[f->nr_facts++].value = value;
}

/* The counter's change over the window, or its total since boot. */
static inline bool counter_change(const struct doctor_ctx *c, enum state_counter i, uint64_t *out)
{
	uint64_t then;

	if (!state_counter_present(&c->now->counters, i))
		return false;
	*out = c->now->counters.value[i];
	if (c->before) {
		then = c->before->counters.value[i];
		*out = *out >= then ? *out - then : 0;
	}
	return true;
}

static inline double rate(const struct doctor_ctx *c, uint64_t count)
{
	return c->seconds > 0 ? count / c->seconds : 0;
}

static inline int64_t sysctl_or(const struct state *st, enum state_sysctl s, int64_t fallback)
{
	return state_sysctl_present(&st->sysctls, s) ? st->sysctls.value[s] : fallback;
}

/* A sysctl's value for advice text, or "n/a" on kernels without it. */
static inline const char *sysctl_text(const struct state *st, enum state_sysctl s, char buf[24])
{
	if (!state_sysctl_present(&st->sysctls, s))
		return "n/a";
	snprintf(buf, 24, "%lld", (long long)st->sysctls.value[s]);
	return buf;
}

static inline uint64_t meminfo(const struct state *st, enum state_meminfo_key k)
{
	return st->meminfo.value[k];
}

/* doctor_fragmentation.c */
void check_external_fragmentation(struct doctor_ctx *c);
void check_pageblocks(struct doctor_ctx *c);
void check_steals(struct doctor_ctx *c);
/* doctor_stalls.c */
void check_compaction(struct doctor_ctx *c);
void check_reclaim(struct doctor_ctx *c);
void check_thp(struct doctor_ctx *c);
/* doctor_limits.c */
void check_commit_limit(struct doctor_ctx *c);
void check_min_free_kbytes(struct doctor_ctx *c);
void check_allocation_failures(struct doctor_ctx *c);

#endif
