/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every report says of failed requests, shared by the formats: the
 * requests grouped by what they have in common (the operator's lines), and
 * the JSON of them all.
 */
#ifndef FS_FORMAT_REPORT_REQUESTS_H
#define FS_FORMAT_REPORT_REQUESTS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model/request.h"
#include "util/json.h"

struct report;

/* Requests alike: same api, order, cause, outcome, context, syscall, caller, process name and cgroup. */
struct request_group {
	const struct request *first; /* the example shown */
	uint64_t count;
	uint64_t first_ns, last_ns;
};

/* The groups of the model's listed requests, failed first, then by count (caller frees). */
struct request_group *report_request_groups(const struct report *r, size_t *n);
/*
 * The requests section of a text report: totals, then one line per group
 * (at most opts.top), "indent" before each line.
 */
void report_requests_text(const struct report *r, FILE *out, const char *indent);
/* "requests": [...] and "request_summary": {...}. */
void report_requests_json(const struct report *r, struct json *j);

#endif
