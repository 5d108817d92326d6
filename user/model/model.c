// SPDX-License-Identifier: GPL-2.0
/*
 * The model's lifecycle, its report filter and the dispatch of each event
 * to the file of its concern: failures.c (failed allocations and their
 * nesting), stalls.c (direct compaction and reclaim), oom.c (OOM kills);
 * window.c keeps the in-kernel aggregates and /proc samples of the window.
 */
#include "model/model.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/kernel_info.h"
#include "model/internal.h"

void model_init(struct model *m, const struct kernel_info *kinfo, const struct ksyms *ksyms,
		const struct model_filter *filter, uint64_t start_ns)
{
	memset(m, 0, sizeof(*m));
	m->kinfo = kinfo;
	m->ksyms = ksyms;
	if (filter)
		m->filter = *filter;
	else
		m->filter.min_order = -1;
	m->start_ns = start_ns;
	m->end_ns = start_ns;
	stack_table_init(&m->stacks);
	m->stacks.max = MODEL_MAX_STACKS;
	u64map_init(&m->group_index);
	u64map_init(&m->nesting.by_tid);
	u64map_init(&m->stall_stack_index);
	u64map_init(&m->open_by_tid);
	requests_init(&m->requests);
	snapshot_init(&m->base);
	snapshot_init(&m->window);
	timeline_init(&m->timeline);
}

void model_free(struct model *m)
{
	stack_table_free(&m->stacks);
	u64map_free(&m->group_index);
	u64map_free(&m->nesting.by_tid);
	u64map_free(&m->stall_stack_index);
	u64map_free(&m->open_by_tid);
	free(m->groups);
	free(m->pending);
	free(m->stall_stacks);
	free(m->open);
	free(m->ooms);
	requests_free(&m->requests);
	snapshot_free(&m->base);
	snapshot_free(&m->window);
	timeline_free(&m->timeline);
	memset(m, 0, sizeof(*m));
}

uint32_t model_page_size(const struct model *m)
{
	return m->kinfo && m->kinfo->page_size ? m->kinfo->page_size : 4096;
}

void *model_grow_one(void **array, size_t *n, size_t size)
{
	void *grown;

	if ((*n & (*n - 1)) == 0) {
		grown = realloc(*array, (*n ? *n * 2 : 1) * size);
		if (!grown)
			return NULL;
		*array = grown;
	}
	grown = (char *)*array + (*n)++ * size;
	memset(grown, 0, size);
	return grown;
}

bool model_in_window(const struct model *m, uint64_t ts_ns)
{
	uint64_t rel = ts_ns > m->start_ns ? ts_ns - m->start_ns : 0;

	if (m->filter.since_ns && rel < m->filter.since_ns)
		return false;
	if (m->filter.until_ns && rel > m->filter.until_ns)
		return false;
	return true;
}

bool model_task_selected(const struct model_filter *f, uint32_t pid, const char *comm)
{
	if (f->pid && pid != f->pid)
		return false;
	if (f->comm[0] && strncmp(comm, f->comm, FS_COMM_LEN))
		return false;
	return true;
}

int64_t model_intern_stack(struct model *m, const struct fs_event *e)
{
	return stack_table_intern(&m->stacks, e->frames, e->hdr.nr_frames);
}

static bool window_and_task_selected(const struct model *m, const struct fs_event *e)
{
	return model_in_window(m, e->hdr.ts_ns) && model_task_selected(&m->filter, e->hdr.pid, e->hdr.comm);
}

bool model_event_selected(const struct model *m, const struct fs_event *e)
{
	return window_and_task_selected(m, e) && model_failure_selected(m, e);
}

int model_add_event(struct model *m, const struct fs_event *e)
{
	if (e->hdr.ts_ns > m->end_ns)
		m->end_ns = e->hdr.ts_ns;
	if (e->hdr.ts_ns > m->last_event_ns)
		m->last_event_ns = e->hdr.ts_ns;
	if (!window_and_task_selected(m, e)) {
		m->filtered_out++;
		return 0;
	}
	m->events[e->hdr.type < FS_EV_TYPES ? e->hdr.type : 0]++;
	switch (e->hdr.type) {
	case FS_EV_PAGE_FAIL:
	case FS_EV_KMALLOC_FAIL:
	case FS_EV_SLAB_FAIL:
	case FS_EV_VMAP_FAIL:
		return model_add_failure(m, e);
	case FS_EV_COMPACT:
		return model_add_compaction(m, e);
	case FS_EV_RECLAIM:
		return model_add_reclaim(m, e);
	case FS_EV_OOM:
		return model_add_oom(m, e);
	case FS_EV_SYSCALL_END:
		return requests_syscall_end(m, e);
	default:
		return -EINVAL;
	}
}

void model_prune(struct model *m)
{
	model_prune_compactions(m);
	model_prune_pending(m);
	requests_prune(m);
}

void model_finish(struct model *m)
{
	model_close_idle_compactions(m, m->end_ns, true);
	requests_close_idle(m, m->end_ns, true);
}

int model_set_cgroup_path(struct model *m, uint64_t id, const char *path)
{
	return requests_set_cgroup_path(&m->requests, id, path);
}

bool model_order0_from_vmstat(const struct model *m, uint64_t *allocs)
{
	*allocs = snapshot_order0_from_vmstat(&m->window);
	return m->window.flags & SNAP_ORDER0_FROM_VMSTAT;
}

uint64_t model_page_allocs_total(const struct model *m)
{
	uint64_t total;

	model_order0_from_vmstat(m, &total);
	for (size_t i = 0; i < FS_PAGE_ALLOC_SLOTS; i++)
		total += m->window.page_allocs[i];
	return total;
}

uint64_t model_lost_total(const struct model *m)
{
	uint64_t lost = 0;

	for (int t = 0; t < FS_EV_TYPES; t++)
		lost += m->window.counters[FS_CTR_LOST + t];
	return lost;
}

void model_extfrag_totals(const struct model *m, uint64_t *fallbacks, uint64_t *type_changes)
{
	*fallbacks = *type_changes = 0;
	for (size_t i = 0; i < m->window.nr_extfrags; i++) {
		*fallbacks += m->window.extfrags[i].count;
		if (m->window.extfrags[i].key.change_ownership)
			*type_changes += m->window.extfrags[i].count;
	}
}

double model_duration_s(const struct model *m)
{
	uint64_t from = m->start_ns + m->filter.since_ns;
	uint64_t to = m->end_ns;

	if (m->filter.until_ns && m->start_ns + m->filter.until_ns < to)
		to = m->start_ns + m->filter.until_ns;
	return to > from ? (double)(to - from) / 1e9 : 0.0;
}
