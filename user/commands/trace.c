// SPDX-License-Identifier: GPL-2.0
/* fragscope trace: failed requests, stalls and OOM kills live, one line each, like the bcc *snoop tools. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands/commands.h"
#include "commands/options.h"
#include "format/event_line.h"
#include "session/live_session.h"
#include "session/session.h"
#include "util/exit_codes.h"

static const char usage[] =
	"Usage: fragscope trace [-d SECONDS] [options]\n"
	"Prints failed requests (who asked, what failed, why), compaction and reclaim\n"
	"stalls and OOM kills as they happen, one line each, until SECONDS pass or\n"
	"SIGINT/SIGTERM; and KERNEL-LOG lines for the kernel's allocation-failure\n"
	"reports no traced request matched (explain's verdict).\n\n"
	"  -d, --duration SECONDS   stop after this long (default: until Ctrl-C)\n"
	"      --events             also each allocator failure, one line per event\n"
	TRACE_OPTIONS_HELP
	"      --raw-addrs          also print kernel addresses (hidden otherwise: they reveal KASLR)\n"
	"  -h, --help               this help\n";

static void print_request(void *ctx, const struct request *rq)
{
	struct session *s = ctx;

	event_line_request(&s->report, rq, s->event_lines);
}

static void print_log_request(void *ctx, const struct request *rq)
{
	struct session *s = ctx;

	event_line_log_request(&s->report, rq, s->event_lines);
}

int cmd_trace(int argc, char **argv)
{
	static const struct option longopts[] = {
		TRACE_OPTIONS, { "duration", required_argument, NULL, 'd' },
		{ "raw-addrs", no_argument, NULL, OPT_RAW_ADDRS }, { "events", no_argument, NULL, OPT_EVENTS },
		{ "help", no_argument, NULL, 'h' }, {},
	};
	struct tracer_config cfg;
	double duration = 0;
	bool raw_addrs = false, failure_events = false;
	struct session *s;
	uint64_t lost;
	int opt, rc;

	tracer_config_defaults(&cfg);
	while ((opt = getopt_long(argc, argv, "d:p:h", longopts, NULL)) != -1) {
		int handled = parse_trace_option(opt, optarg, &cfg);

		if (handled < 0)
			return invalid_value("trace", longopts, opt, optarg);
		if (handled)
			continue;
		switch (opt) {
		case 'd':
			duration = parse_seconds(optarg);
			if (duration <= 0)
				return usage_error("trace", "invalid duration '%s'", optarg);
			break;
		case OPT_RAW_ADDRS:
			raw_addrs = true;
			break;
		case OPT_EVENTS:
			failure_events = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return FS_EXIT_OK;
		default:
			return usage_error("trace", "unknown option");
		}
	}
	if (optind < argc)
		return usage_error("trace", "unexpected argument '%s'", argv[optind]);
	s = live_session_open("trace", argc, argv, &cfg, &rc);
	if (!s)
		return rc;
	s->report.opts.raw_addrs = raw_addrs;
	s->event_lines = stdout;
	s->failure_event_lines = failure_events;
	s->model.on_request = print_request;
	s->model.on_log_request = print_log_request;
	s->model.on_request_ctx = s;
	event_line_header(stdout);
	rc = session_run(s, duration, 1000, NULL, NULL);
	if (!rc)
		rc = session_finish(s);
	lost = model_lost_total(&s->model);
	fprintf(stderr, "fragscope: %" PRIu64 " failed requests, %" PRIu64 " recovered; %" PRIu64
			" events traced, %" PRIu64 " lost (ring buffer full)%s\n",
		requests_count(&s->model.requests, OUTCOME_FAILED), requests_count(&s->model.requests, OUTCOME_RECOVERED),
		s->model.events[FS_EV_PAGE_FAIL] + s->model.events[FS_EV_KMALLOC_FAIL] + s->model.events[FS_EV_SLAB_FAIL] +
			s->model.events[FS_EV_VMAP_FAIL] + s->model.events[FS_EV_COMPACT] +
			s->model.events[FS_EV_RECLAIM] + s->model.events[FS_EV_OOM],
		lost, lost ? ": raise --ringbuf-kb" : "");
	session_close(s);
	return rc ? FS_EXIT_RUNTIME : FS_EXIT_OK;
}
