// SPDX-License-Identifier: GPL-2.0
/*
 * Events one by one in the shape `perf script` prints for a tracepoint
 * with call chains, so FlameGraph's stackcollapse-perf.pl and other
 * perf-script readers take them:
 *
 *     comm pid/tid [cpu] secs.usecs: fragscope:event: key=value...
 *     \t               0 function+0x1a ([kernel.kallsyms])
 *     ...innermost frame first, one line each...
 *     (a blank line)
 *
 * The time is CLOCK_MONOTONIC, as perf's is.  The address column is 0
 * unless --raw-addrs: a kernel address reveals the KASLR offset.
 */
#include "format/perf_script.h"

#include <inttypes.h>

#include "fragscope.h"
#include "kernel/ksyms.h"
#include "kernel/syscall_names.h"
#include "model/meta.h"
#include "model/model.h"

void perf_script_stream_init(struct perf_script_stream *s, const struct model *m,
			     const struct report_options *opts, FILE *out)
{
	*s = (struct perf_script_stream){ .report = { .model = m, .opts = *opts }, .out = out };
}

static void print_frame(const struct report *r, uint64_t addr, FILE *out)
{
	const struct ksym *sym = r->ksyms ? ksyms_find(r->ksyms, addr) : NULL;

	fprintf(out, "\t%16" PRIx64 " ", r->opts.raw_addrs ? addr : 0);
	if (sym)
		fprintf(out, "%s+0x%" PRIx64, sym->name, addr - sym->addr);
	else
		fputs("[unknown]", out);
	if (sym && sym->module)
		fprintf(out, " ([%s])\n", sym->module);
	else
		fputs(" ([kernel.kallsyms])\n", out);
}

static void print_details(const struct report *r, const struct fs_event *e, FILE *out)
{
	const struct model *m = r->model;
	char gfp[256], name[32];

	switch (e->hdr.type) {
	case FS_EV_PAGE_FAIL:
		fprintf(out, "kind=%s order=%u migratetype=%s gfp=%s", failure_kind_name(model_failure_kind(m, e)),
			e->page.order, report_migratetype(r, e->page.migratetype, name, sizeof(name)),
			report_gfp(r, e->page.gfp, gfp, sizeof(gfp)));
		break;
	case FS_EV_KMALLOC_FAIL:
	case FS_EV_SLAB_FAIL:
		fprintf(out, "kind=%s bytes_req=%" PRIu64 " bytes_alloc=%" PRIu64 " gfp=%s cache=%s",
			failure_kind_name(model_failure_kind(m, e)), e->kmalloc.bytes_req, e->kmalloc.bytes_alloc,
			report_gfp(r, e->kmalloc.gfp, gfp, sizeof(gfp)), e->kmalloc.cache[0] ? e->kmalloc.cache : "-");
		break;
	case FS_EV_VMAP_FAIL:
		fprintf(out, "kind=vmap_area size=%" PRIu64 " align=%" PRIu64, e->vmap.size, e->vmap.align);
		break;
	case FS_EV_COMPACT:
		fprintf(out, "order=%u status=%s priority=%d stall_us=%" PRIu64, e->compact.order,
			report_compact_status(r, e->compact.status, name, sizeof(name)), e->compact.priority,
			(e->hdr.ts_ns - e->compact.try_ts_ns) / 1000);
		break;
	case FS_EV_RECLAIM:
		fprintf(out, "kind=%s order=%d nr_reclaimed=%" PRIu64 " stall_us=%" PRIu64,
			e->reclaim.kind == FS_RECLAIM_MEMCG ? "memcg" : "direct", e->reclaim.order,
			e->reclaim.nr_reclaimed, (e->hdr.ts_ns - e->reclaim.begin_ts_ns) / 1000);
		break;
	case FS_EV_OOM:
		fprintf(out, "victim_pid=%u victim_comm=%s anon_rss_kb=%" PRIu64, e->oom.victim_pid,
			e->oom.victim_comm, e->oom.anon_rss_kb);
		break;
	case FS_EV_SYSCALL_END: {
		const char *sys = syscall_name(e->sys.nr);

		fprintf(out, "syscall=%s nr=%d ret=%d failures=%u", sys ? sys : "?", e->sys.nr, e->sys.ret,
			e->sys.nr_failures);
		break;
	}
	}
}

void perf_script_event(void *stream, const struct fs_event *e)
{
	struct perf_script_stream *s = stream;
	struct report *r = &s->report;
	/* perf's comm column must not be empty or start with a space: readers split on the first blank. */
	const char *comm = e->hdr.comm[0] && e->hdr.comm[0] != ' ' ? e->hdr.comm : "[unknown]";

	/* The filter of every format, from the model: --since, --until, -p, --comm, --kind, --min-order. */
	if (!model_event_selected(r->model, e))
		return;
	/* Set while the record file is read: symbols come before the events that use them. */
	r->kinfo = r->model->kinfo;
	r->ksyms = r->model->ksyms;
	fprintf(s->out, "%.*s %u/%u [%03u] %" PRIu64 ".%06" PRIu64 ": fragscope:%s: ", FS_COMM_LEN, comm,
		e->hdr.pid, e->hdr.tid, e->hdr.cpu, e->hdr.ts_ns / 1000000000, e->hdr.ts_ns % 1000000000 / 1000,
		fs_event_type_name(e->hdr.type));
	print_details(r, e, s->out);
	fputc('\n', s->out);
	for (uint32_t i = 0; i < e->hdr.nr_frames; i++)
		print_frame(r, e->frames[i], s->out);
	fputc('\n', s->out);
}

/* Reached only where no record file is replayed (record --no-file is refused earlier). */
static int write_perf_script(const struct report *r, FILE *out)
{
	(void)r;
	(void)out;
	fprintf(stderr, "fragscope: perf-script prints each event, which only a record file keeps; "
			"record to a file and run report -i FILE -F perf-script\n");
	return -1;
}

const struct formatter format_perf_script = { "perf-script", write_perf_script };
