// SPDX-License-Identifier: GPL-2.0
/*
 * The numbers that prove a request's cause, taken when it closes: the
 * zones' free memory and free blocks (the latest /proc sample), the nodes
 * the task's cpuset and mempolicy allowed (read in BPF at its first page
 * failure), the commit accounting and hugetlb pool (/proc/meminfo, vm.overcommit_memory), and
 * the task's mm and rlimits as its syscall saw them (FS_EV_SYSCALL_END).
 */
#include <string.h>

#include "kernel/kernel_info.h"
#include "model/internal.h"
#include "model/model.h"

/* RLIM_INFINITY as the kernel stores it. */
#define RLIMIT_UNLIMITED (~0ULL)
/* mmap's MAP_HUGETLB (include/uapi/asm-generic/mman-common.h, the same on x86 and arm64). */
#define MAP_HUGETLB_FLAG 0x40000

/* Zones a request may take from: DMA is held back by lowmem_reserve, Movable only for movable requests. */
void request_zone_evidence(const struct model *m, struct request *r)
{
	const struct state_sample *s = m->timeline.last;
	uint64_t movable = m->kinfo ? gfp_mask(&m->kinfo->gfp, "__GFP_MOVABLE") : 0;
	struct cause_evidence *ev = &r->evidence;

	if (!s)
		return;
	for (uint32_t i = 0; i < s->nr_zones && ev->nr_zones < EVIDENCE_MAX_ZONES; i++) {
		const struct state_zone_free *z = &s->zones[i];
		struct zone_evidence *out;

		if (!z->nr_orders || !strcmp(z->name, "DMA") ||
		    (!strcmp(z->name, "Movable") && !(movable && (r->gfp & movable))))
			continue;
		out = &ev->zones[ev->nr_zones++];
		snprintf(out->name, sizeof(out->name), "%s", z->name);
		out->node = z->node;
		out->free_pages = z->pages_free;
		out->min_pages = z->wmark_min;
		out->low_pages = z->wmark_low;
		out->high_pages = z->wmark_high;
		memcpy(out->free_blocks, z->free_blocks, sizeof(out->free_blocks));
	}
	if (ev->nr_zones)
		ev->have |= EVIDENCE_ZONES;
}

void request_nodes_evidence(struct request *r, const struct fs_page_fail *p)
{
	struct cause_evidence *ev = &r->evidence;

	if (!p->nodes_read || (ev->have & EVIDENCE_NODES))
		return;
	ev->have |= EVIDENCE_NODES;
	ev->nodes_read = p->nodes_read;
	ev->policy_mode = p->policy_mode;
	ev->policy_nodes = p->policy_nodes;
	ev->cpuset_nodes = p->cpuset_nodes;
}

static uint64_t meminfo_kb(const struct state_sample *s, enum state_meminfo_key k)
{
	return state_meminfo_present(&s->meminfo, k) ? s->meminfo.value[k] : 0;
}

static uint64_t sysctl_kb(const struct state_sample *s, enum state_sysctl k)
{
	return state_sysctl_present(&s->sysctls, k) && s->sysctls.value[k] > 0 ? (uint64_t)s->sysctls.value[k] : 0;
}

/*
 * What __vm_enough_memory() holds back from this caller under mode 2: the
 * admin reserve unless it had CAP_SYS_ADMIN (unknown: assume it had, the
 * smaller figure), and min(its mapped memory / 32, the user reserve).
 */
static uint64_t commit_reserve_kb(const struct state_sample *s, const struct cause_evidence *ev)
{
	uint64_t user = sysctl_kb(s, STATE_SYSCTL_USER_RESERVE_KBYTES);
	uint64_t admin = ev->caps_read && !ev->cap_sys_admin ? sysctl_kb(s, STATE_SYSCTL_ADMIN_RESERVE_KBYTES) : 0;

	return admin + (ev->mm_total_vm_kb / 32 < user ? ev->mm_total_vm_kb / 32 : user);
}

void request_commit_evidence(const struct model *m, struct request *r)
{
	const struct state_sample *s = m->timeline.last;
	struct cause_evidence *ev = &r->evidence;

	if (!s || !s->has_sysctls || !state_sysctl_present(&s->sysctls, STATE_SYSCTL_OVERCOMMIT_MEMORY) ||
	    !state_meminfo_present(&s->meminfo, STATE_MEM_COMMIT_LIMIT))
		return;
	ev->have |= EVIDENCE_COMMIT;
	ev->overcommit_memory = (uint32_t)s->sysctls.value[STATE_SYSCTL_OVERCOMMIT_MEMORY];
	ev->committed_as_kb = meminfo_kb(s, STATE_MEM_COMMITTED_AS);
	ev->commit_limit_kb = meminfo_kb(s, STATE_MEM_COMMIT_LIMIT);
	ev->ram_swap_kb = meminfo_kb(s, STATE_MEM_TOTAL) + meminfo_kb(s, STATE_MEM_SWAP_TOTAL);
	ev->commit_reserve_kb = commit_reserve_kb(s, ev);
}

void request_hugetlb_evidence(const struct model *m, struct request *r)
{
	const struct state_sample *s = m->timeline.last;

	if (s && state_meminfo_present(&s->meminfo, STATE_MEM_HUGEPAGES_FREE) && r->bytes) {
		uint64_t huge_kb = meminfo_kb(s, STATE_MEM_HUGEPAGESIZE);

		r->evidence.have |= EVIDENCE_HUGETLB;
		r->evidence.hugetlb_asked = huge_kb ? (r->bytes / 1024 + huge_kb - 1) / huge_kb : 0;
		r->evidence.hugetlb_got = meminfo_kb(s, STATE_MEM_HUGEPAGES_FREE) -
					  meminfo_kb(s, STATE_MEM_HUGEPAGES_RSVD);
	}
}

/* What an ENOMEM syscall asked for, from its arguments. */
uint64_t request_syscall_bytes(const struct model *m, const struct fs_syscall_end *s, const char *name)
{
	if (!name)
		return 0;
	if (!strcmp(name, "mmap") || !strcmp(name, "mprotect") || !strcmp(name, "shmget") ||
	    !strcmp(name, "mlock") || !strcmp(name, "madvise"))
		return s->args[1];
	if (!strcmp(name, "mremap"))
		return s->args[2];
	if (!strcmp(name, "fork") || !strcmp(name, "vfork") || !strcmp(name, "clone") || !strcmp(name, "clone3"))
		return (uint64_t)s->total_vm * model_page_size(m); /* a fork commits the parent's private memory again */
	return 0;
}

void request_mm_evidence(const struct model *m, struct request *r, const struct fs_event *e)
{
	const struct fs_syscall_end *s = &e->sys;
	struct cause_evidence *ev = &r->evidence;
	uint64_t total = (uint64_t)s->total_vm * model_page_size(m), data = (uint64_t)s->data_vm * model_page_size(m);

	ev->mm_total_vm_kb = total / 1024;
	ev->caps_read = !!(e->hdr.flags & FS_HDR_CAPS_READ);
	ev->cap_sys_admin = !!(e->hdr.flags & FS_HDR_CAP_SYS_ADMIN);

	if (m->kinfo && m->kinfo->max_map_count) {
		ev->have |= EVIDENCE_MAP_COUNT;
		ev->map_count = s->map_count;
		ev->max_map_count = m->kinfo->max_map_count;
	}
	if (s->rlimit_as != RLIMIT_UNLIMITED && total + r->bytes > s->rlimit_as) {
		ev->have |= EVIDENCE_RLIMIT;
		ev->rlimit = RLIMIT_KIND_AS;
		ev->rlimit_bytes = s->rlimit_as;
		ev->rlimit_used_bytes = total;
	} else if (s->rlimit_data != RLIMIT_UNLIMITED && data + r->bytes > s->rlimit_data) {
		ev->have |= EVIDENCE_RLIMIT;
		ev->rlimit = RLIMIT_KIND_DATA;
		ev->rlimit_bytes = s->rlimit_data;
		ev->rlimit_used_bytes = data;
	}
}

/* Syscalls whose ENOMEM without an allocator failure is the address space or commit accounting refusing. */
static const char *const commit_syscalls[] = { "mmap", "mremap", "mprotect", "brk", "fork", "vfork", "clone",
					       "clone3", "execve", "execveat", "shmget", "shmat", "mlock",
					       "mlock2", "mlockall", "madvise", "munmap", NULL };

enum request_api request_bare_enomem_api(const char *name, const struct fs_syscall_end *s)
{
	if (!name)
		return API_UNTRACED;
	if (!strcmp(name, "mmap") && (s->args[3] & MAP_HUGETLB_FLAG))
		return API_HUGETLB;
	for (const char *const *c = commit_syscalls; *c; c++)
		if (!strcmp(name, *c))
			return API_COMMIT;
	return API_UNTRACED;
}

