// SPDX-License-Identifier: GPL-2.0
/* fragscope record: trace until a duration or a signal, write a record file, print the report. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands/commands.h"
#include "commands/options.h"
#include "record/recfile.h"
#include "record/recorder.h"
#include "session/session.h"
#include "util/exit_codes.h"

static const char usage[] =
	"Usage: fragscope record [-d SECONDS] [-o FILE | --no-file] [-F FORMAT] [options]\n"
	"Traces the kernel's allocators until SECONDS pass or SIGINT/SIGTERM, writes a\n"
	"record file and prints the report.\n\n"
	"  -d, --duration SECONDS   stop after this long (default: until Ctrl-C)\n"
	"  -o, --output FILE        record file (default fragscope.data; written as FILE.partial,\n"
	"                           renamed when complete)\n"
	"      --no-file            do not write a record file\n"
	"      --interval MS        read the in-kernel aggregates every MS milliseconds (default 1000)\n"
	TRACE_OPTIONS_HELP REPORT_OPTIONS_HELP
	"  -h, --help               this help\n";

/*
 * The model keeps no events, so -F perf-script prints them by reading back
 * the file just written, exactly as `report -i FILE -F perf-script` would.
 */
static int report_events(const char *path, bool raw_addrs)
{
	char *args[] = { "report", "-i", (char *)path, "-F", "perf-script", raw_addrs ? "--raw-addrs" : NULL, NULL };

	optind = 0; /* a fresh getopt scan for report's options */
	return cmd_report(raw_addrs ? 6 : 5, args);
}

int cmd_record(int argc, char **argv)
{
	static const struct option longopts[] = {
		TRACE_OPTIONS, REPORT_OPTIONS,
		{ "duration", required_argument, NULL, 'd' }, { "output", required_argument, NULL, 'o' },
		{ "no-file", no_argument, NULL, OPT_NO_FILE }, { "interval", required_argument, NULL, OPT_INTERVAL },
		{ "help", no_argument, NULL, 'h' }, {},
	};
	struct tracer_config cfg;
	struct report_options ro = { .sort = "count", .top = 10 };
	const struct formatter *format = formatter_find("text");
	const char *output = "fragscope.data";
	double duration = 0;
	long interval_ms = 1000;
	char command[256];
	struct session *s;
	struct recfile_stats stats = {};
	int opt, rc, run_err;

	tracer_config_defaults(&cfg);
	join_args(argc, argv, command, sizeof(command));
	while ((opt = getopt_long(argc, argv, "d:o:F:p:h", longopts, NULL)) != -1) {
		int handled = parse_trace_option(opt, optarg, &cfg);

		if (!handled)
			handled = parse_report_option(opt, optarg, &ro, &format);
		if (handled < 0)
			return invalid_value("record", longopts, opt, optarg);
		if (handled)
			continue;
		switch (opt) {
		case 'd':
			duration = parse_seconds(optarg);
			if (duration <= 0)
				return usage_error("record", "invalid duration '%s'", optarg);
			break;
		case 'o':
			/* "" would record into ".partial" and then fail to rename it. */
			if (!*optarg)
				return usage_error("record", "-o takes a file name, not ''");
			output = optarg;
			break;
		case OPT_NO_FILE:
			output = NULL;
			break;
		case OPT_INTERVAL:
			interval_ms = parse_count(optarg, 3600 * 1000);
			if (interval_ms < 10)
				return usage_error("record", "invalid interval '%s' (at least 10 ms)", optarg);
			break;
		case 'h':
			fputs(usage, stdout);
			return FS_EXIT_OK;
		default:
			return usage_error("record", "unknown option");
		}
	}
	if (optind < argc)
		return usage_error("record", "unexpected argument '%s'", argv[optind]);
	if (format == &format_perf_script && !output)
		return usage_error("record", "-F perf-script prints each event, which only the record file keeps: "
				   "it cannot be used with --no-file");

	session_install_signal_handlers();
	s = session_open(&cfg, "record", command, &rc);
	if (!s)
		return rc;
	s->report.opts = ro;
	if (output) {
		int ferr = 0;

		s->recorder = recorder_create(output, &s->meta, &s->kinfo, s->ksyms, &ferr);
		if (!s->recorder) {
			fprintf(stderr, "fragscope record: cannot create %s: %s\n", output,
				ferr > -4096 ? strerror(-ferr) : recfile_strerror(ferr));
			session_close(s);
			return FS_EXIT_RUNTIME;
		}
	}
	fprintf(stderr, "fragscope: tracing (attached in %.0f ms)%s; Ctrl-C to stop\n", s->tracer.attach_ns / 1e6,
		duration > 0 ? " for the given duration" : "");
	run_err = session_run(s, duration, interval_ms, NULL, NULL);
	if (!run_err)
		run_err = session_finish(s);
	else
		session_finish(s);
	rc = FS_EXIT_OK;
	if (run_err) {
		fprintf(stderr, "fragscope record: %s; reporting what was read\n",
			run_err > -4096 ? strerror(-run_err) : recfile_strerror(run_err));
		rc = FS_EXIT_RUNTIME;
	}
	if (s->recorder) {
		int cerr = recorder_close(s->recorder, &stats);

		if (cerr) {
			fprintf(stderr, "fragscope record: %s not completed: %s; %s%s holds a readable prefix\n", output,
				cerr > -4096 ? strerror(-cerr) : recfile_strerror(cerr), output, RECFILE_PARTIAL_SUFFIX);
			rc = FS_EXIT_RUNTIME;
		} else {
			fprintf(stderr, "fragscope: wrote %s (%llu bytes, %llu records)\n", output,
				(unsigned long long)stats.bytes, (unsigned long long)stats.records);
		}
	}
	if (format == &format_perf_script) {
		session_close(s);
		return rc ? rc : report_events(output, ro.raw_addrs);
	}
	if (format->write(&s->report, stdout))
		rc = FS_EXIT_RUNTIME;
	fflush(stdout);
	session_close(s);
	return rc;
}
