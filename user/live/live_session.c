// SPDX-License-Identifier: GPL-2.0
#include "live/live_session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/exit_codes.h"
#include "cli/options.h"

struct session *live_session_open(const char *cmd, int argc, char **argv, const struct tracer_config *cfg,
				  int *rc)
{
	char command[256], err[512];
	struct session *s = calloc(1, sizeof(*s));

	if (!s) {
		*rc = FS_EXIT_RUNTIME;
		return NULL;
	}
	join_args(argc, argv, command, sizeof(command));
	session_install_signal_handlers();
	*rc = session_start(s, cfg, NULL, command, err, sizeof(err));
	if (*rc) {
		fprintf(stderr, "fragscope %s: %s\n", cmd, err);
		session_free(s);
		free(s);
		return NULL;
	}
	fprintf(stderr, "fragscope: tracing (attached in %.0f ms); Ctrl-C to stop\n", s->tracer.attach_ns / 1e6);
	return s;
}

int live_session_close(struct session *s, int run_err)
{
	int err = session_finish(s);

	if (!run_err)
		run_err = err;
	if (run_err)
		fprintf(stderr, "fragscope: tracing failed: %s\n", strerror(run_err < 0 ? -run_err : run_err));
	session_free(s);
	free(s);
	return run_err ? FS_EXIT_RUNTIME : FS_EXIT_OK;
}

void live_totals_now(struct live_totals *t, const struct model *m)
{
	/* A static sample: it is large, and only the session's thread calls this. */
	static struct state_sample sample;
	bool ok = state_sample("/", false, &sample, NULL) == STATE_OK;

	live_totals_take(t, m, ok ? &sample : NULL);
}
