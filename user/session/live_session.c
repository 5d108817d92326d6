// SPDX-License-Identifier: GPL-2.0
#include "session/live_session.h"

#include <stdio.h>
#include <string.h>

#include "util/exit_codes.h"

struct session *live_session_open(const char *cmd, int argc, char **argv, const struct tracer_config *cfg,
				  int *rc)
{
	char command[256];
	struct session *s;

	join_args(argc, argv, command, sizeof(command));
	session_install_signal_handlers();
	s = session_open(cfg, cmd, command, rc);
	if (s)
		fprintf(stderr, "fragscope: tracing (attached in %.0f ms); Ctrl-C to stop\n",
			s->tracer.attach_ns / 1e6);
	return s;
}

int live_session_close(struct session *s, int run_err)
{
	int err = session_finish(s);

	if (!run_err)
		run_err = err;
	if (run_err)
		fprintf(stderr, "fragscope: tracing failed: %s\n", strerror(run_err < 0 ? -run_err : run_err));
	session_close(s);
	return run_err ? FS_EXIT_RUNTIME : FS_EXIT_OK;
}

void live_totals_now(struct live_totals *t, const struct session *s)
{
	/* The session samples /proc at every snapshot; the model keeps the last sample that read well. */
	live_totals_take(t, &s->model, s->model.timeline.last);
}
