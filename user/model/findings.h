/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The doctor's findings on a trace: the rules of user/state/doctor*.c, run on
 * the model's first and last /proc state samples (made into states) and on
 * what the trace saw.  Used by `fragscope doctor -d` for its evidence and by
 * the report formatters for their Doctor section.
 */
#ifndef FS_MODEL_FINDINGS_H
#define FS_MODEL_FINDINGS_H

#include "model/model.h"
#include "state/doctor.h"

/* The trace's numbers the doctor's rules read, said to cover @window_seconds. */
void model_doctor_evidence(const struct model *m, unsigned int window_seconds,
			   struct doctor_evidence *ev);

/*
 * doctor_findings() with now = the last state sample, before = the first
 * (rates over the time between them), and the trace's evidence over the
 * model's duration; pageblock figures from the latest sample that read
 * pagetypeinfo.  Returns 0; 1 when the model has no state sample (@out is
 * then empty); -ENOMEM.
 */
int model_doctor(const struct model *m, struct doctor_report *out);

#endif
