/* SPDX-License-Identifier: GPL-2.0 */
/* What top and serve do alike around a session: start it, sample it, end it. */
#ifndef FS_SESSION_LIVE_SESSION_H
#define FS_SESSION_LIVE_SESSION_H

#include "live/live.h"
#include "session/session.h"

/*
 * Starts tracing for command cmd and says so on stderr ("tracing (attached
 * ...)", which scripts wait for).  NULL with *rc set to an enum fs_exit.
 */
struct session *live_session_open(const char *cmd, int argc, char **argv, const struct tracer_config *cfg,
				  int *rc);
/* Ends tracing; returns an enum fs_exit for the session's outcome. */
int live_session_close(struct session *s, int run_err);
/* The model's totals now, with the latest /proc sample the session took (if any). */
void live_totals_now(struct live_totals *t, const struct session *s);

#endif
