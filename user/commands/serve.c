// SPDX-License-Identifier: GPL-2.0
/*
 * fragscope serve: Prometheus metrics over HTTP.  The tracing thread
 * renders the exposition after every snapshot and hands it to the server
 * thread (live/http_server.c), which answers scrapes from that copy.
 */
#include <stdio.h>
#include <stdlib.h>

#include "commands/commands.h"
#include "commands/options.h"
#include "live/http_server.h"
#include "session/live_session.h"
#include "util/exit_codes.h"

#define DEFAULT_LISTEN "127.0.0.1:9464"

static const char usage[] =
	"Usage: fragscope serve [--listen HOST:PORT] [-i SECONDS] [options]\n"
	"Serves Prometheus metrics at http://HOST:PORT/metrics (text format 0.0.4, or\n"
	"OpenMetrics 1.0 when the scraper asks for it) until SIGINT/SIGTERM.\n\n"
	"  -l, --listen HOST:PORT   where to listen (default " DEFAULT_LISTEN ": loopback only;\n"
	"                           port 0 picks a free port, printed on stderr)\n"
	"  -i, --interval SECONDS   how often the metrics are brought up to date (default 1)\n"
	TRACE_OPTIONS_HELP
	"  -h, --help               this help\n";

struct serve {
	struct http_server *server;
	struct live_totals *totals;
};

static void publish(struct session *s, void *ctx)
{
	struct serve *sv = ctx;
	struct live_text prometheus = {}, openmetrics = {};

	live_totals_now(sv->totals, s);
	metrics_render(&s->report, sv->totals, false, &prometheus);
	metrics_render(&s->report, sv->totals, true, &openmetrics);
	if (prometheus.oom || openmetrics.oom) {
		/* Keep serving the previous exposition rather than a truncated one. */
		live_text_free(&prometheus);
		live_text_free(&openmetrics);
		return;
	}
	http_server_publish(sv->server, prometheus.buf, prometheus.len, openmetrics.buf, openmetrics.len);
}

int cmd_serve(int argc, char **argv)
{
	static const struct option longopts[] = {
		TRACE_OPTIONS, { "listen", required_argument, NULL, 'l' }, { "interval", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' }, {},
	};
	const char *listen_addr = DEFAULT_LISTEN;
	struct serve sv = {};
	struct tracer_config cfg;
	double interval = 1;
	char err[512];
	struct session *s;
	int opt, rc;

	tracer_config_defaults(&cfg);
	while ((opt = getopt_long(argc, argv, "l:i:p:h", longopts, NULL)) != -1) {
		int handled = parse_trace_option(opt, optarg, &cfg);

		if (handled < 0)
			return invalid_value("serve", longopts, opt, optarg);
		if (handled)
			continue;
		switch (opt) {
		case 'l':
			if (!http_listen_address_valid(optarg))
				return usage_error("serve", "invalid listen address '%s': expected HOST:PORT, "
						   "PORT from 0 to 65535", optarg);
			listen_addr = optarg;
			break;
		case 'i':
			interval = parse_seconds(optarg);
			if (interval < 0.1)
				return usage_error("serve", "invalid interval '%s' (at least 0.1 s)", optarg);
			break;
		case 'h':
			fputs(usage, stdout);
			return FS_EXIT_OK;
		default:
			return usage_error("serve", "unknown option");
		}
	}
	if (optind < argc)
		return usage_error("serve", "unexpected argument '%s'", argv[optind]);
	sv.totals = calloc(1, sizeof(*sv.totals));
	if (!sv.totals)
		return FS_EXIT_RUNTIME;
	/* Listen first: a taken port is reported before the slower BPF loading. */
	sv.server = http_server_start(listen_addr, err, sizeof(err));
	if (!sv.server) {
		fprintf(stderr, "fragscope serve: %s\n", err);
		free(sv.totals);
		return FS_EXIT_RUNTIME;
	}
	s = live_session_open("serve", argc, argv, &cfg, &rc);
	if (!s) {
		http_server_stop(sv.server);
		free(sv.totals);
		return rc;
	}
	publish(s, &sv);
	fprintf(stderr, "fragscope: serving metrics at http://%s/metrics\n", http_server_address(sv.server));
	rc = session_run(s, 0, (unsigned int)(interval * 1000), publish, &sv);
	http_server_stop(sv.server);
	rc = live_session_close(s, rc);
	free(sv.totals);
	return rc;
}
