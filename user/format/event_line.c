// SPDX-License-Identifier: GPL-2.0
#include "format/event_line.h"

#include <inttypes.h>

#include "fragscope.h"
#include "format/format.h"
#include "format/request_line.h"
#include "kernel/kernel_info.h"
#include "model/model.h"

/* Frames shown per line: enough to see who allocated, short enough for a terminal. */
#define LINE_FRAMES 3

void event_line_header(FILE *out)
{
	fprintf(out, "%-12s %-16s %7s %-10s %s\n", "TIME(s)", "COMM", "PID", "EVENT", "DETAILS");
	fflush(out);
}

static void print_frames(const struct report *r, const struct fs_event *e, FILE *out)
{
	char name[256];

	for (uint32_t i = 0; i < e->hdr.nr_frames && i < LINE_FRAMES; i++)
		fprintf(out, "%s%s", i ? " <- " : "  at ", report_function(r, e->frames[i], name, sizeof(name)));
}

void event_line_request(const struct report *r, const struct request *rq, FILE *out)
{
	char line[512];

	request_line(rq, r->kinfo->page_size, line, sizeof(line));
	fprintf(out, "%-12.6f %-16.16s %7u %-10s %s\n", (rq->ts_ns - r->model->start_ns) / 1e9, rq->comm, rq->pid,
		rq->outcome == OUTCOME_FAILED ? "FAILED" : "recovered", line);
	fflush(out);
}

void event_line_log_request(const struct report *r, const struct request *rq, FILE *out)
{
	char line[512];

	request_line(rq, r->kinfo->page_size, line, sizeof(line));
	fprintf(out, "%-12s %-16.16s %7u %-10s %s\n", "-", rq->comm, rq->pid, "KERNEL-LOG", line);
	if (rq->kernel_log[0])
		fprintf(out, "%-12s %-16s %7s %-10s kernel log: %s\n", "", "", "", "", rq->kernel_log);
	fflush(out);
}

void event_line_print(const struct report *r, const struct fs_event *e, bool failure_events, FILE *out)
{
	const struct model *m = r->model;
	char gfp[256], status[32];

	/* A syscall's end is part of a request; failures are, unless asked for one by one. */
	if (e->hdr.type == FS_EV_SYSCALL_END ||
	    (!failure_events && e->hdr.type >= FS_EV_PAGE_FAIL && e->hdr.type <= FS_EV_VMAP_FAIL))
		return;

	fprintf(out, "%-12.6f %-16.16s %7u ", (e->hdr.ts_ns - m->start_ns) / 1e9, e->hdr.comm, e->hdr.pid);
	switch (e->hdr.type) {
	case FS_EV_PAGE_FAIL:
		fprintf(out, "%-10s order=%u gfp=%s", failure_kind_name(model_failure_kind(m, e)), e->page.order,
			report_gfp(r, e->page.gfp, gfp, sizeof(gfp)));
		break;
	case FS_EV_KMALLOC_FAIL:
	case FS_EV_SLAB_FAIL:
		fprintf(out, "%-10s bytes=%" PRIu64 " gfp=%s%s%s", failure_kind_name(model_failure_kind(m, e)),
			e->kmalloc.bytes_req, report_gfp(r, e->kmalloc.gfp, gfp, sizeof(gfp)),
			e->kmalloc.cache[0] ? " cache=" : "", e->kmalloc.cache);
		break;
	case FS_EV_VMAP_FAIL:
		fprintf(out, "%-10s size=%" PRIu64, "vmap_area", e->vmap.size);
		break;
	case FS_EV_COMPACT:
		fprintf(out, "%-10s order=%u %.0fus status=%s prio=%d", "compact", e->compact.order,
			(e->hdr.ts_ns - e->compact.try_ts_ns) / 1e3,
			report_compact_status(r, e->compact.status, status, sizeof(status)), e->compact.priority);
		break;
	case FS_EV_RECLAIM:
		fprintf(out, "%-10s order=%d %.0fus reclaimed=%" PRIu64, e->reclaim.kind == FS_RECLAIM_MEMCG ? "memcg_rcl" : "direct_rcl",
			e->reclaim.order, (e->hdr.ts_ns - e->reclaim.begin_ts_ns) / 1e3, e->reclaim.nr_reclaimed);
		break;
	case FS_EV_OOM:
		fprintf(out, "%-10s victim=%u(%s) anon_rss=%" PRIu64 "kB", "oom_kill", e->oom.victim_pid,
			e->oom.victim_comm, e->oom.anon_rss_kb);
		break;
	}
	print_frames(r, e, out);
	fputc('\n', out);
	fflush(out);
}
