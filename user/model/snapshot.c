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

void snapshot_clear(struct snapshot *s)
{
	s->ts_ns = 0;
	memset(s->page_allocs, 0, sizeof(s->page_allocs));
	memset(s->counters, 0, sizeof(s->counters));
	s->flags = 0;
	s->pgalloc_pages = 0;
	s->nr_procs = s->nr_callsites = s->nr_extfrags = s->nr_stacks = 0;
}

uint64_t snapshot_order_traced(const struct snapshot *window, unsigned int order)
{
	uint64_t n = 0;

	for (unsigned int mt = 0; mt < FS_MIGRATETYPES; mt++)
		for (unsigned int c = 0; c < FS_GFP_CLASSES; c++)
			n += window->page_allocs[fs_page_alloc_index(order, mt, c)];
	return n;
}

uint64_t snapshot_order0_from_vmstat(const struct snapshot *window)
{
	uint64_t traced_pages = 0;

	if (!(window->flags & SNAP_ORDER0_FROM_VMSTAT))
		return 0;
	for (unsigned int o = 1; o < FS_ORDERS; o++) {
		uint64_t n = snapshot_order_traced(window, o), failed = window->counters[FS_CTR_PAGE_FAIL + o];

		traced_pages += (n > failed ? n - failed : 0) << o;
	}
	return window->pgalloc_pages > traced_pages ? window->pgalloc_pages - traced_pages : 0;
}

/* Append one element: 16 places first, then twice as many each time they are full. */
static int append(void **array, size_t *n, size_t *cap, const void *elem, size_t size)
{
	if (*n == *cap) {
		size_t grow = *cap ? *cap * 2 : 16;
		void *grown = realloc(*array, grow * size);

		if (!grown)
			return -ENOMEM;
		*array = grown;
		*cap = grow;
	}
	memcpy((char *)*array + *n * size, elem, size);
	(*n)++;
	return 0;
}

int snapshot_add_proc(struct snapshot *s, const struct snap_proc *p)
{
	return append((void **)&s->procs, &s->nr_procs, &s->cap_procs, p, sizeof(*p));
}

int snapshot_add_callsite(struct snapshot *s, const struct snap_callsite *c)
{
	return append((void **)&s->callsites, &s->nr_callsites, &s->cap_callsites, c, sizeof(*c));
}

int snapshot_add_extfrag(struct snapshot *s, const struct snap_extfrag *e)
{
	return append((void **)&s->extfrags, &s->nr_extfrags, &s->cap_extfrags, e, sizeof(*e));
}

int snapshot_add_stack(struct snapshot *s, const struct snap_stack *st)
{
	return append((void **)&s->stacks, &s->nr_stacks, &s->cap_stacks, st, sizeof(*st));
}

/* A copy of n elements in an array of exactly n (NULL if none). */
static int copy_array(void **dst, size_t *cap, const void *src, size_t n, size_t size)
{
	*dst = NULL;
	*cap = 0;
	if (!n)
		return 0;
	*dst = malloc(n * size);
	if (!*dst)
		return -ENOMEM;
	memcpy(*dst, src, n * size);
	*cap = n;
	return 0;
}

int snapshot_copy(struct snapshot *dst, const struct snapshot *src)
{
	snapshot_free(dst);
	*dst = *src;
	/* Not src's arrays, should a copy fail and dst be freed. */
	dst->procs = NULL;
	dst->callsites = NULL;
	dst->extfrags = NULL;
	dst->stacks = NULL;
	if (copy_array((void **)&dst->procs, &dst->cap_procs, src->procs, src->nr_procs, sizeof(*src->procs)) ||
	    copy_array((void **)&dst->callsites, &dst->cap_callsites, src->callsites, src->nr_callsites,
		       sizeof(*src->callsites)) ||
	    copy_array((void **)&dst->extfrags, &dst->cap_extfrags, src->extfrags, src->nr_extfrags,
		       sizeof(*src->extfrags)) ||
	    copy_array((void **)&dst->stacks, &dst->cap_stacks, src->stacks, src->nr_stacks, sizeof(*src->stacks))) {
		snapshot_free(dst);
		return -ENOMEM;
	}
	return 0;
}
