// SPDX-License-Identifier: GPL-2.0
/* fragscope probes: what this kernel offers, what attaches, and why anything does not. */
#include <stdio.h>
#include <stdlib.h>

#include "commands/commands.h"
#include "commands/options.h"
#include "session/session.h"
#include "util/exit_codes.h"

static const char usage[] =
	"Usage: fragscope probes [--mask-probes LIST] [--classic-tracepoints] [--order0 SOURCE] [other trace options]\n"
	"Loads and attaches fragscope's programs, prints each probe's state, and detaches.\n";

int cmd_probes(int argc, char **argv)
{
	static const struct option longopts[] = { TRACE_OPTIONS, { "help", no_argument, NULL, 'h' }, {} };
	struct tracer_config cfg;
	struct session *s;
	int opt, rc, attached = 0;

	tracer_config_defaults(&cfg);
	while ((opt = getopt_long(argc, argv, "p:h", longopts, NULL)) != -1) {
		int handled = parse_trace_option(opt, optarg, &cfg);

		if (handled < 0)
			return invalid_value("probes", longopts, opt, optarg);
		if (handled)
			continue;
		if (opt == 'h') {
			fputs(usage, stdout);
			return FS_EXIT_OK;
		}
		return usage_error("probes", "unknown option");
	}
	if (optind < argc)
		return usage_error("probes", "unexpected argument '%s'", argv[optind]);
	s = session_open(&cfg, "probes", "probes", &rc);
	if (!s)
		return rc;
	printf("%-48s %-9s %-11s %-26s %s\n", "PROBE", "STATE", "VIA", "PROGRAM", "NOTE");
	for (int p = 0; p < FS_PROBES; p++) {
		const struct probe_status *ps = &s->tracer.probes[p];

		attached += ps->state == PROBE_ATTACHED;
		printf("%-48s %-9s %-11s %-26s %s\n", ps->name, probe_state_name(ps->state), ps->via,
		       ps->state == PROBE_ATTACHED ? ps->prog : "-", ps->why);
	}
	printf("\n%d of %d probes attached in %.0f ms (kernel %s)\n", attached, FS_PROBES, s->tracer.attach_ns / 1e6,
	       s->kinfo.release);
	session_close(s);
	return FS_EXIT_OK;
}
