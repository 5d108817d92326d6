// SPDX-License-Identifier: GPL-2.0
/* OOM kills: the killer's allocation, its victim and the stack that invoked the killer. */
#include <errno.h>

#include "model/internal.h"
#include "model/model.h"

int model_add_oom(struct model *m, const struct fs_event *e)
{
	int64_t stack_id = model_intern_stack(m, e);
	struct oom_kill *k;

	if (stack_id < 0)
		return -ENOMEM;
	k = model_grow_one((void **)&m->ooms, &m->nr_ooms, sizeof(*k));
	if (!k)
		return -ENOMEM;
	k->killer = e->hdr;
	k->victim = e->oom;
	k->stack_id = stack_id;
	return 0;
}
