// SPDX-License-Identifier: GPL-2.0
/* fragscope report: the live report, from a record file, with windows, filters and formats. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands/commands.h"
#include "commands/options.h"
#include "format/perf_script.h"
#include "record/recfile.h"
#include "source/replay.h"
#include "util/exit_codes.h"
#include "util/output.h"

static const char usage[] =
	"Usage: fragscope report [-i FILE] [-F FORMAT] [filters] [options]\n"
	"Reports a record file exactly as `record` reports live.\n\n"
	"  -i, --input FILE         record file (default fragscope.data)\n"
	"  -o, --output FILE        write the report here instead of standard output\n"
	"      --since SECONDS      only from this many seconds after the start\n"
	"      --until SECONDS      only until this many seconds after the start\n"
	"  -p, --pid PID            only this process\n"
	"      --comm NAME          only tasks with this command name\n"
	"      --kind KIND[,KIND]   only these failure kinds: page, thp, kmalloc, slab, vmalloc, vmap_area\n"
	"      --min-order N        only allocations and failures of order >= N\n"
	REPORT_OPTIONS_HELP
	"  -h, --help               this help\n";

/* Whether both paths name one file (a link, another spelling): -o would empty the recording before it is read. */
static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return !stat(a, &sa) && !stat(b, &sb) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static int parse_kinds(const char *arg, uint32_t *kinds)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", arg);
	for (char *k = strtok_r(buf, ",", &save); k; k = strtok_r(NULL, ",", &save)) {
		int kind = failure_kind_parse(k);

		if (kind < 0)
			return -1;
		*kinds |= 1u << kind;
	}
	return *kinds ? 0 : -1;
}

int cmd_report(int argc, char **argv)
{
	static const struct option longopts[] = {
		REPORT_OPTIONS,
		{ "input", required_argument, NULL, 'i' }, { "output", required_argument, NULL, 'o' },
		{ "since", required_argument, NULL, OPT_SINCE }, { "until", required_argument, NULL, OPT_UNTIL },
		{ "pid", required_argument, NULL, 'p' }, { "comm", required_argument, NULL, OPT_COMM },
		{ "kind", required_argument, NULL, OPT_KIND }, { "min-order", required_argument, NULL, OPT_MIN_ORDER },
		{ "help", no_argument, NULL, 'h' }, {},
	};
	struct model_filter filter = { .min_order = -1 };
	struct report_options ro = { .sort = "count", .top = 10 };
	const struct formatter *format = formatter_find("text");
	const char *input = "fragscope.data", *output = NULL;
	struct replay replay = {};
	struct perf_script_stream stream;
	bool streaming, until_given = false;
	struct model *m;
	struct report r;
	char err[512], partial[4200];
	FILE *out = stdout;
	double secs;
	long v;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "i:o:F:p:h", longopts, NULL)) != -1) {
		int handled = parse_report_option(opt, optarg, &ro, &format);

		if (handled < 0)
			return invalid_value("report", longopts, opt, optarg);
		if (handled)
			continue;
		switch (opt) {
		case 'i':
			input = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case OPT_SINCE:
		case OPT_UNTIL:
			secs = parse_seconds(optarg);
			if (secs < 0)
				return usage_error("report", "invalid time '%s'", optarg);
			*(opt == OPT_SINCE ? &filter.since_ns : &filter.until_ns) = (uint64_t)(secs * 1e9);
			until_given |= opt == OPT_UNTIL;
			break;
		case 'p':
			v = parse_count(optarg, 0x7fffffff);
			if (v <= 0)
				return usage_error("report", "invalid pid '%s'", optarg);
			filter.pid = v;
			break;
		case OPT_COMM:
			if (!*optarg) /* would read as no --comm, as record refuses it */
				return usage_error("report", "--comm takes a command name, not ''");
			if (strlen(optarg) >= FS_COMM_LEN)
				return usage_error("report", "command names have at most %d characters", FS_COMM_LEN - 1);
			snprintf(filter.comm, sizeof(filter.comm), "%s", optarg);
			break;
		case OPT_KIND:
			if (parse_kinds(optarg, &filter.kinds))
				return usage_error("report", "invalid kind list '%s'", optarg);
			break;
		case OPT_MIN_ORDER:
			v = parse_count(optarg, FS_ORDERS);
			if (v < 0)
				return usage_error("report", "invalid order '%s'", optarg);
			filter.min_order = v;
			break;
		case 'h':
			fputs(usage, stdout);
			return FS_EXIT_OK;
		default:
			return usage_error("report", "unknown option");
		}
	}
	if (optind < argc)
		return usage_error("report", "unexpected argument '%s'", argv[optind]);
	/* Checked whenever given: an until of 0 would read as no --until at all. */
	if (until_given && filter.until_ns <= filter.since_ns)
		return usage_error("report", "--until must be later than --since");
	snprintf(partial, sizeof(partial), "%s%s", input, RECFILE_PARTIAL_SUFFIX);
	if (access(input, F_OK) && !access(partial, F_OK)) {
		fprintf(stderr, "fragscope report: %s does not exist, but %s does: a recording that did not finish; "
				"report it with -i %s\n", input, partial, partial);
		return FS_EXIT_RUNTIME;
	}
	if (output && same_file(input, output))
		return usage_error("report", "-o %s is the record file read (-i %s): it would be emptied", output, input);
	m = calloc(1, sizeof(*m));
	if (!m)
		return FS_EXIT_RUNTIME;
	if (output && !(out = fopen(output, "w"))) {
		fprintf(stderr, "fragscope report: cannot create %s: %s\n", output, strerror(errno));
		rc = FS_EXIT_RUNTIME;
		goto out;
	}
	/* perf-script prints each event as it is read: the model keeps none. */
	streaming = format == &format_perf_script;
	perf_script_stream_init(&stream, m, &ro, out);
	rc = replay_file(input, &replay, m, &filter, streaming ? perf_script_event : NULL, &stream, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "fragscope report: %s\n", err);
		goto close;
	}
	if (replay.truncated)
		fprintf(stderr, "fragscope report: warning: %s is truncated (%s); reporting the %llu records before the cut\n",
			input, replay.problem[0] ? replay.problem : "no end marker", (unsigned long long)replay.records);
	r = (struct report){ .model = m, .kinfo = &replay.kinfo, .ksyms = replay.ksyms, .meta = &replay.meta, .opts = ro };
	if (!streaming && format->write(&r, out))
		rc = FS_EXIT_RUNTIME;
close:
	if (out != stdout && output_close(out, "report", output) && !rc)
		rc = FS_EXIT_RUNTIME;
out:
	model_free(m);
	free(m);
	replay_free(&replay);
	return rc;
}
