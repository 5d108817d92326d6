// SPDX-License-Identifier: GPL-2.0
/*
 * fragscope explain [FILE|-]: the kernel's allocation-failure reports in a
 * saved log, each explained after the fact with the live tracer's words:
 * the operator's line, the figures behind its cause, and what to do.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands/commands.h"
#include "util/exit_codes.h"
#include "commands/options.h"
#include "decode/kernel_log.h"
#include "format/request_json.h"
#include "format/request_line.h"
#include "model/log_requests.h"
#include "util/json.h"
#include "util/line.h"
#include "util/units.h"

static const char usage[] =
	"Usage: fragscope explain [-F text|json] [FILE|-]\n"
	"Reads kernel log text (dmesg, dmesg -T, journalctl -k, /var/log/kern.log, /dev/kmsg records;\n"
	"standard input when FILE is '-' or absent) and explains each allocation-failure report:\n"
	"page allocation failures, vmalloc failures, OOM kills (global and memory cgroup), HugeTLB.\n"
	"  -F, --format FMT   text (default) or json: {\"meta\", \"requests\": [...], \"skipped_lines\"}\n"
	"Exit: 0 (also when no report is found), 1 the file cannot be read, 2 usage, 5 not text.\n";

struct explained {
	struct klog_report rep;
	struct request req;
};

struct explain_run {
	struct explained *items;
	size_t n, cap;
	bool out_of_memory;
};

static void collect(const struct klog_report *rep, void *ctx)
{
	struct explain_run *run = ctx;
	struct explained *e;

	if (run->n == run->cap) {
		size_t cap = run->cap ? 2 * run->cap : 16;
		struct explained *items = realloc(run->items, cap * sizeof(*items));

		if (!items) {
			run->out_of_memory = true;
			return;
		}
		run->items = items;
		run->cap = cap;
	}
	e = &run->items[run->n++];
	e->rep = *rep;
	log_report_request(&e->rep, &e->req);
}

static void advice_of(const struct explained *e, char *buf, size_t len)
{
	struct advice_context c = {
		.page_size = log_report_page_size(&e->rep),
		.addr_bits = e->rep.addr_bits,
		.suppressed = e->rep.suppressed,
		.mem_info = e->rep.mem_info,
		.cpuset = e->rep.cpuset,
	};

	for (uint32_t i = 0; i < e->rep.nr_zones; i++)
		c.min_free_kb += e->rep.zones[i].min_kb;
	request_advice(&e->req, &c, buf, len);
}

static void print_numbers(const struct explained *e)
{
	const struct request *r = &e->req;
	const struct cause_evidence *ev = &r->evidence;
	uint32_t ps = log_report_page_size(&e->rep);
	char a[32], b[32], c[32];

	printf("    kernel: %s  (line %" PRIu64 ")\n", e->rep.text, e->rep.line_no);
	printf("    asked:  %s, %s", r->bytes ? format_bytes(r->bytes, a, sizeof(a)) : "size not in the log",
	       request_api_name(r->api));
	if (r->api != API_HUGETLB)
		printf(", order %u", r->order);
	printf(", mode %s (%s)\n", r->gfp_text[0] ? r->gfp_text : "not in the log",
	       r->can_reclaim ? "may reclaim and compact" : "may not reclaim or compact");
	printf("    caller: %s", r->caller[0] ? r->caller : "not in the log (trace cut short)");
	if (e->rep.nr_frames)
		printf("  [trace: %u frames]", e->rep.nr_frames);
	printf("\n");
	for (uint32_t i = 0; i < ev->nr_zones; i++) {
		const struct zone_evidence *z = &ev->zones[i];

		printf("    zone:   node %u %s free %s, min %s (with lowmem reserve), largest free block order %d\n",
		       z->node, z->name, format_bytes(z->free_pages * ps, a, sizeof(a)),
		       format_bytes(z->min_pages * ps, b, sizeof(b)), zone_largest_free_order(z));
	}
	if (ev->have & EVIDENCE_MEMCG)
		printf("    memcg:  %s usage %s, limit %s\n", r->cgroup[0] ? r->cgroup : "?",
		       format_bytes(ev->memcg_usage_bytes, a, sizeof(a)), format_bytes(ev->memcg_limit_bytes, b, sizeof(b)));
	if (ev->have & EVIDENCE_VMAP)
		printf("    vmap:   no address space for %s\n", format_bytes(ev->vmap_bytes, c, sizeof(c)));
}

static void print_text(const struct explain_run *run, const struct klog_parser *p)
{
	char line[512], advice[1024];

	for (size_t i = 0; i < run->n; i++) {
		const struct explained *e = &run->items[i];

		request_line(&e->req, log_report_page_size(&e->rep), line, sizeof(line));
		printf("%s%s\n", i ? "\n" : "", line);
		print_numbers(e);
		advice_of(e, advice, sizeof(advice));
		printf("    advice: %s\n", advice);
	}
	printf("%s%zu allocation-failure report%s in %" PRIu64 " line%s (%" PRIu64 " line%s inside reports not understood)\n",
	       run->n ? "\n" : "", run->n, run->n == 1 ? "" : "s", p->lines, p->lines == 1 ? "" : "s",
	       p->skipped_lines, p->skipped_lines == 1 ? "" : "s");
}

static void print_json(const struct explain_run *run, const struct klog_parser *p, const char *source)
{
	struct json j;
	char advice[1024];

	json_init(&j, stdout, true);
	json_object_begin(&j);
	json_key(&j, "meta");
	json_object_begin(&j);
	json_kv_string(&j, "source", source);
	json_kv_string(&j, "command", "explain");
	json_kv_u64(&j, "lines", p->lines);
	json_kv_u64(&j, "reports", run->n);
	json_object_end(&j);
	json_key(&j, "requests");
	json_array_begin(&j);
	for (size_t i = 0; i < run->n; i++) {
		const struct explained *e = &run->items[i];
		const char *frames[KLOG_MAX_FRAMES];
		struct request_json_extra x = {
			.time_s = e->rep.time_s,
			.last_s = -1,
			.frames = frames,
			.nr_frames = e->rep.nr_frames,
			.page_size = log_report_page_size(&e->rep),
			.advice = advice,
		};

		for (uint32_t f = 0; f < e->rep.nr_frames; f++)
			frames[f] = e->rep.frames[f].name;
		advice_of(e, advice, sizeof(advice));
		request_write_json(&j, &e->req, &x);
	}
	json_array_end(&j);
	json_kv_u64(&j, "skipped_lines", p->skipped_lines);
	json_object_end(&j);
	json_finish(&j);
}

/*
 * printk's lines are at most 1 KiB and journal's a few: a line's bytes past
 * this are no kernel log and are dropped, so a file without newlines
 * (/dev/zero, a core dump) costs this much memory, not its size.
 */
#define LOG_LINE_MAX (64u << 10)

/* Reads in, feeding the parser; false with errno on a read error.  *binary: a NUL byte was read. */
static bool read_log(FILE *in, struct klog_parser *p, bool *binary)
{
	char *line = malloc(LOG_LINE_MAX);
	size_t n;
	int c;

	if (!line)
		return false;
	while ((n = read_line_bounded(in, line, LOG_LINE_MAX))) {
		*binary |= memchr(line, 0, n) != NULL;
		/* The rest of a longer line is dropped, its bytes still checked. */
		while (n == LOG_LINE_MAX && line[n - 1] != '\n' && (c = getc_unlocked(in)) != EOF && c != '\n')
			*binary |= c == 0;
		klog_line(p, line, n);
	}
	free(line);
	klog_finish(p);
	return !ferror(in);
}

int cmd_explain(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'F' }, { "help", no_argument, NULL, 'h' }, {}
	};
	struct explain_run run = {};
	struct klog_parser parser;
	const char *path = "-";
	bool json = false, binary = false;
	FILE *in = stdin;
	int opt, rc = FS_EXIT_OK;

	while ((opt = getopt_long(argc, argv, "F:h", longopts, NULL)) != -1) {
		if (opt == 'h') {
			fputs(usage, stdout);
			return FS_EXIT_OK;
		}
		if (opt != 'F')
			return usage_error("explain", "unknown option");
		if (strcmp(optarg, "text") && strcmp(optarg, "json"))
			return usage_error("explain", "-F takes text or json, not '%s'", optarg);
		json = !strcmp(optarg, "json");
	}
	if (optind < argc)
		path = argv[optind++];
	if (optind < argc)
		return usage_error("explain", "unexpected argument '%s'", argv[optind]);
	if (strcmp(path, "-") && !(in = fopen(path, "r"))) {
		fprintf(stderr, "fragscope explain: cannot open %s: %s\n", path, strerror(errno));
		return FS_EXIT_RUNTIME; /* as report does for a missing file */
	}
	klog_init(&parser, collect, &run);
	if (!read_log(in, &parser, &binary)) {
		fprintf(stderr, "fragscope explain: cannot read %s: %s\n", path, strerror(errno));
		rc = FS_EXIT_RUNTIME;
	} else if (binary && !run.n) {
		/* a record file or a core dump given by mistake: a log with a damaged stretch still reads */
		fprintf(stderr, "fragscope explain: %s is not text (it holds NUL bytes): explain reads kernel log text "
				"(dmesg, journalctl -k, /var/log/kern.log, /dev/kmsg)\n", path);
		rc = FS_EXIT_BAD_INPUT;
	} else if (run.out_of_memory) {
		fprintf(stderr, "fragscope explain: out of memory after %zu reports\n", run.n);
		rc = FS_EXIT_RUNTIME;
	} else if (json) {
		print_json(&run, &parser, path);
	} else {
		print_text(&run, &parser);
	}
	if (in != stdin)
		fclose(in);
	free(run.items);
	return rc;
}
