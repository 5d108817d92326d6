// SPDX-License-Identifier: GPL-2.0
#include "model/snapshot.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void snapshot_init(struct snapshot *s)
{
	memset(s, 0, sizeof(*s));
}

void snapshot_free(struct snapshot *s)
{
	free(s->procs);
	free(s->callsites);
	free(s->extfrags);
	free(s->stacks);
	snapshot_init(s);
}

/*
 * Append one element.  Capacity is implicit: 16, then doubling at every
 * power of two from 16 on (copy_array allocates to match).
 */
static int append(void **array, size_t *n, const void *elem, size_t size)
{
	if (*n == 0 || (*n >= 16 && (*n & (*n - 1)) == 0)) {
		size_t cap = *n ? *n * 2 : 16;
		void *grown = realloc(*array, cap * size);

		if (!grown)
			return -ENOMEM;
		*array = grown;
	}
	memcpy((char *)*array + *n * size, elem, size);
	(*n)++;
	return 0;
}

int snapshot_add_proc(struct snapshot *s, const struct snap_proc *p)
{
	return append((void **)&s->procs, &s->nr_procs, p, sizeof(*p));
}

int snapshot_add_callsite(struct snapshot *s, const struct snap_callsite *c)
{
	return append((void **)&s->callsites, &s->nr_callsites, c, sizeof(*c));
}

int snapshot_add_extfrag(struct snapshot *s, const struct snap_extfrag *e)
{
	return append((void **)&s->extfrags, &s->nr_extfrags, e, sizeof(*e));
}

int snapshot_add_stack(struct snapshot *s, const struct snap_stack *st)
{
	return append((void **)&s->stacks, &s->nr_stacks, st, sizeof(*st));
}

static int copy_array(void **dst, const void *src, size_t n, size_t size)
{
	size_t cap = 16;

	*dst = NULL;
	if (!n)
		return 0;
	while (cap < n)
		cap *= 2;
	*dst = malloc(cap * size);
	if (!*dst)
		return -ENOMEM;
	memcpy(*dst, src, n * size);
	return 0;
}

int snapshot_copy(struct snapshot *dst, const struct snapshot *src)
{
	snapshot_free(dst);
	*dst = *src;
	if (copy_array((void **)&dst->procs, src->procs, src->nr_procs, sizeof(*src->procs)) ||
	    copy_array((void **)&dst->callsites, src->callsites, src->nr_callsites, sizeof(*src->callsites)) ||
	    copy_array((void **)&dst->extfrags, src->extfrags, src->nr_extfrags, sizeof(*src->extfrags)) ||
	    copy_array((void **)&dst->stacks, src->stacks, src->nr_stacks, sizeof(*src->stacks))) {
		snapshot_free(dst);
		return -ENOMEM;
	}
	return 0;
}
