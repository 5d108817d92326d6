// SPDX-License-Identifier: GPL-2.0
/*
 * The tracer's evidence for `fragscope doctor -d`: a short live session,
 * summarised into the pointer-free numbers the doctor's rules read.
 */
#include <stdio.h>
#include <string.h>

#include "session/session.h"
#include "model/findings.h"
#include "state/doctor.h"

int trace_collect_evidence(unsigned int seconds, struct doctor_evidence *out)
{
	struct tracer_config cfg;
	struct session *s;
	int rc;

	tracer_config_defaults(&cfg);
	session_install_signal_handlers();
	s = session_open(&cfg, "doctor", "doctor", &rc);
	if (!s)
		return rc;
	fprintf(stderr, "fragscope doctor: tracing for %u s...\n", seconds);
	rc = session_run(s, seconds, 1000, NULL, NULL);
	if (!rc)
		rc = session_finish(s);
	if (!rc)
		model_doctor_evidence(&s->model, seconds, out);
	session_close(s);
	return rc;
}
