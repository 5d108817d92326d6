// SPDX-License-Identifier: GPL-2.0
#include "format/report_requests.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/kernel_info.h"
#include "format/format.h"
#include "format/request_json.h"
#include "format/request_line.h"
#include "model/model.h"

static bool alike(const struct request *a, const struct request *b)
{
	return a->api == b->api && a->cause == b->cause && a->outcome == b->outcome && a->order == b->order &&
	       a->cgroup_id == b->cgroup_id && a->context == b->context && a->syscall == b->syscall &&
	       a->evidence.rlimit == b->evidence.rlimit &&
	       !strcmp(a->caller, b->caller) && !strncmp(a->comm, b->comm, FS_COMM_LEN);
}

static int cmp_groups(const void *pa, const void *pb)
{
	const struct request_group *a = pa, *b = pb;

	if (a->first->outcome != b->first->outcome)
		return a->first->outcome == OUTCOME_FAILED ? -1 : 1;
	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return a->first_ns < b->first_ns ? -1 : a->first_ns > b->first_ns;
}

struct request_group *report_request_groups(const struct report *r, size_t *n)
{
	const struct request_table *t = &r->model->requests;
	struct request_group *groups = calloc(t->nr ? t->nr : 1, sizeof(*groups));

	*n = 0;
	if (!groups)
		return NULL;
	/* Few distinct groups in practice: a linear search per request is enough. */
	for (size_t i = 0; i < t->nr; i++) {
		const struct request *rq = &t->list[i];
		size_t g = 0;

		while (g < *n && !alike(groups[g].first, rq))
			g++;
		if (g == *n)
			groups[(*n)++] = (struct request_group){ rq, 0, rq->ts_ns, rq->ts_ns };
		groups[g].count += request_count(rq);
		groups[g].last_ns = rq->last_ns > rq->ts_ns ? rq->last_ns : rq->ts_ns;
	}
	if (*n)
		qsort(groups, *n, sizeof(*groups), cmp_groups);
	return groups;
}

/* The kernel's own line for one of the group's requests (joined live from /dev/kmsg), to grep the log for. */
static const char *group_kernel_log(const struct request_table *t, const struct request *first)
{
	for (size_t i = 0; i < t->nr; i++)
		if (t->list[i].kernel_log[0] && alike(first, &t->list[i]))
			return t->list[i].kernel_log;
	return NULL;
}

void report_requests_text(const struct report *r, FILE *out, const char *indent)
{
	const struct request_table *t = &r->model->requests;
	uint64_t failed = requests_count(t, OUTCOME_FAILED), recovered = requests_count(t, OUTCOME_RECOVERED);
	size_t n, shown = 0;
	struct request_group *groups = report_request_groups(r, &n);
	char line[512];

	fprintf(out, "%sFailed requests: %" PRIu64 ", recovered: %" PRIu64, indent, failed, recovered);
	if (requests_detail_lost(r->model))
		fprintf(out, "; %" PRIu64 " more counted by the kernel, their detail lost (ring buffer full)",
			requests_detail_lost(r->model));
	if (t->not_listed)
		fprintf(out, " (%" PRIu64 " counted, not listed)", t->not_listed);
	fputc('\n', out);
	if (r->model->failures[FAIL_THP])
		fprintf(out,
			"%sTHP fallbacks: %" PRIu64 " (faults that mapped small pages); collapses failed: %" PRIu64
			" (khugepaged, MADV_COLLAPSE); %" PRIu64 " failed huge page attempts\n",
			indent, requests_of_api(t, API_THP_FAULT), requests_of_api(t, API_THP_COLLAPSE),
			r->model->failures[FAIL_THP]);
	for (size_t g = 0; groups && g < n && shown < r->opts.top; g++, shown++) {
		request_line(groups[g].first, r->kinfo->page_size, line, sizeof(line));
		if (groups[g].count > 1)
			fprintf(out, "%s%6" PRIu64 "x %s\n", indent, groups[g].count, line);
		else
			fprintf(out, "%s        %s\n", indent, line);
		if (group_kernel_log(t, groups[g].first))
			fprintf(out, "%s          kernel log: %s\n", indent, group_kernel_log(t, groups[g].first));
	}
	if (groups && n > shown)
		fprintf(out, "%s(%zu more kinds of request; --top to see them)\n", indent, n - shown);
	free(groups);
	if (!t->nr_log_unjoined && !t->log_unjoined_over)
		return;
	/* The kernel saw them, the trace did not (a task outside the filter, a gap): explain's verdict from the log. */
	fprintf(out, "%sKernel reports the trace did not see: %" PRIu64 "\n", indent,
		(uint64_t)t->nr_log_unjoined + t->log_unjoined_over);
	for (size_t i = 0; i < t->nr_log_unjoined; i++) {
		request_line(&t->log_unjoined[i], r->kinfo->page_size, line, sizeof(line));
		fprintf(out, "%s        %s\n%s          kernel log: %s\n", indent, line, indent, t->log_unjoined[i].kernel_log);
	}
	if (t->log_unjoined_over)
		fprintf(out, "%s(%" PRIu64 " more not kept)\n", indent, t->log_unjoined_over);
}

static void write_request(const struct report *r, struct json *j, const struct request *rq)
{
	const struct interned_stack *st = stack_table_get(&r->model->stacks, rq->stack_id);
	uint32_t nr = st ? st->nr_frames : 0;
	char (*names)[256] = nr ? calloc(nr, sizeof(*names)) : NULL;
	const char **frames = nr ? calloc(nr, sizeof(*frames)) : NULL;
	char gfp[256] = "";
	struct request_json_extra x = {
		.time_s = rq->ts_ns > r->model->start_ns ? (double)(rq->ts_ns - r->model->start_ns) / 1e9 : 0,
		.last_s = rq->last_ns > r->model->start_ns ? (double)(rq->last_ns - r->model->start_ns) / 1e9 : -1,
		.gfp_words = rq->gfp ? report_gfp(r, rq->gfp, gfp, sizeof(gfp)) : "",
		.page_size = r->kinfo->page_size,
	};

	if (names && frames) {
		for (uint32_t i = 0; i < nr; i++)
			frames[i] = report_frame(r, st->frames[i], names[i], sizeof(names[i]));
		x.frames = frames;
		x.nr_frames = nr;
	}
	request_write_json(j, rq, &x);
	free(names);
	free(frames);
}

void report_requests_json(const struct report *r, struct json *j)
{
	const struct model *m = r->model;
	const struct request_table *t = &m->requests;
	const uint64_t *c = m->window.counters;

	json_key(j, "requests");
	json_array_begin(j);
	for (size_t i = 0; i < t->nr; i++)
		write_request(r, j, &t->list[i]);
	json_array_end(j);
	/* Kernel log reports that joined no traced request, as explain reads them (no stack: the log's frames are not kept). */
	json_key(j, "kernel_reports_unjoined");
	json_array_begin(j);
	for (size_t i = 0; i < t->nr_log_unjoined; i++)
		write_request(r, j, &t->log_unjoined[i]);
	json_array_end(j);
	json_key(j, "request_summary");
	json_object_begin(j);
	json_kv_u64(j, "total", t->total);
	json_kv_u64(j, "failed", requests_count(t, OUTCOME_FAILED));
	json_kv_u64(j, "recovered", requests_count(t, OUTCOME_RECOVERED));
	json_kv_u64(j, "detail_lost", requests_detail_lost(m));
	json_kv_u64(j, "not_listed", t->not_listed);
	json_kv_u64(j, "kernel_reports_unjoined_not_kept", t->log_unjoined_over);
	/* The kernel's own counts: exact even when the ring buffer dropped detail. */
	json_key(j, "kernel");
	json_object_begin(j);
	json_kv_u64(j, "opened", c[FS_CTR_REQUEST_OPENED]);
	json_kv_u64(j, "syscall_failed", c[FS_CTR_REQUEST_SYSCALL_FAILED]);
	json_kv_u64(j, "syscall_recovered", c[FS_CTR_REQUEST_SYSCALL_OK]);
	json_kv_u64(j, "enomem_no_allocation", c[FS_CTR_ENOMEM_NO_ALLOC]);
	json_object_end(j);
	/* What of those reached user space; the rest was dropped with the ring buffer full. */
	json_key(j, "seen");
	json_object_begin(j);
	json_kv_u64(j, "syscall_ends", t->syscall_ends_seen);
	json_kv_u64(j, "enomem_no_allocation", t->bare_enomem_seen);
	json_object_end(j);
	json_key(j, "by");
	json_array_begin(j);
	for (int a = 0; a < API_COUNT; a++)
		for (int cause = 0; cause < CAUSE_COUNT; cause++)
			for (int o = 0; o < OUTCOME_COUNT; o++) {
				if (!t->counts[a][cause][o])
					continue;
				json_object_begin(j);
				json_kv_string(j, "api", request_api_name(a));
				json_kv_string(j, "cause", request_cause_name(cause));
				json_kv_string(j, "outcome", request_outcome_name(o));
				json_kv_u64(j, "count", t->counts[a][cause][o]);
				json_object_end(j);
			}
	json_array_end(j);
	json_object_end(j);
	/*
	 * THP by request (the kernel's thp_fault_fallback, thp_collapse_alloc_failed)
	 * and by allocator event: a fault that falls back fails two attempts.
	 */
	json_key(j, "thp");
	json_object_begin(j);
	json_kv_u64(j, "fault_fallbacks", requests_of_api(t, API_THP_FAULT));
	json_kv_u64(j, "collapse_failures", requests_of_api(t, API_THP_COLLAPSE));
	json_kv_u64(j, "failed_attempts", m->failures[FAIL_THP]);
	json_object_end(j);
}
