// SPDX-License-Identifier: GPL-2.0
/*
 * Requests made under a syscall, from synthetic events fed to
 * model_add_event(): allocator failures grouped until the syscall's exit,
 * the outcome from its return and the caller's fallback, ENOMEM that
 * reached no allocator, the evidence taken when a request closes, lost
 * detail, and the bound on listed requests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include <cmocka.h>

#include "state/state.h"
#include "request_fixture.h"

/* kvmalloc's five failures in setsockopt, which returns ENOMEM: one request. */
static void test_kvmalloc_in_syscall_failed(void **state)
{
	struct fixture *f = *state;
	struct model *m = &f->model;
	const struct request_table *t = &m->requests;
	struct fs_event e;
	const struct request *r;

	assert_int_equal(model_set_cgroup_path(m, 77, "/ipt-seed"), 0);
	kvmalloc_failures(m, 4182, T0 + MS, G_KVMALLOC_KMALLOC, true, 0, 0);
	assert_int_equal(t->nr, 0); /* open until the syscall returns */
	e = syscall_end(4182, T0 + 2 * MS, SYS_setsockopt, ENOMEM_RET, 5);
	set_task(&e, 4182, IPT_COMM, 77);
	add(m, &e);

	assert_int_equal(t->nr, 1);
	assert_int_equal(t->total, 1);
	assert_int_equal(t->detail_lost, 0);
	r = &t->list[0];
	assert_int_equal(r->context, CONTEXT_SYSCALL);
	assert_int_equal(r->api, API_KVMALLOC);
	assert_int_equal(r->outcome, OUTCOME_FAILED);
	assert_int_equal(r->nr_events, 3);
	assert_int_equal(r->events_not_listed, 0);
	assert_event(&r->events[0], FAIL_PAGE, 10, 4 * MIB, 1);
	assert_event(&r->events[1], FAIL_KMALLOC, 10, KV_BYTES, 2);
	assert_event(&r->events[2], FAIL_VMALLOC, 0, 4096, 2);
	assert_int_equal(r->bytes, KV_BYTES); /* the kmalloc's bytes_req, not the page failure's 4 MiB */
	assert_int_equal(r->order, 10);
	assert_string_equal(r->caller, "xt_alloc_table_info");
	assert_int_equal(r->syscall, SYS_setsockopt);
	assert_int_equal(r->ret, ENOMEM_RET);
	assert_int_equal(r->pid, 4182);
	assert_int_equal(r->tid, 4182);
	assert_string_equal(r->comm, IPT_COMM);
	assert_int_equal(r->ts_ns, T0 + MS);
	assert_int_equal(r->end_ns, T0 + 2 * MS);
	assert_true(r->can_reclaim);
	assert_int_equal(r->gfp, G_KVMALLOC_KMALLOC);
	/* The cgroup's path from model_set_cgroup_path. */
	assert_int_equal(r->cgroup_id, 77);
	assert_string_equal(r->cgroup, "/ipt-seed");
	/* No memcg figures and no zone sample: unknown, and why. */
	assert_int_equal(r->cause, CAUSE_UNKNOWN);
	assert_string_equal(r->evidence.missing, NO_ZONE_STATE);
	assert_int_equal(t->counts[API_KVMALLOC][CAUSE_UNKNOWN][OUTCOME_FAILED], 1);
	assert_int_equal(requests_count(t, OUTCOME_FAILED), 1);
	assert_int_equal(requests_count(t, OUTCOME_RECOVERED), 0);
	assert_int_equal(t->recent[0].ts_ns, T0 + MS);
}

/* The kmalloc attempt fails, vmalloc serves it, the syscall succeeds: recovered. */
static void test_kvmalloc_recovered_by_vmalloc(void **state)
{
	struct fixture *f = *state;
	struct model *m = &f->model;
	const struct request_table *t = &m->requests;
	struct fs_event e;

	/* Without __GFP_NOWARN, so only the kvmalloc rule can call it recovered. */
	kvmalloc_failures(m, 4182, T0 + MS, G_KERNEL | G_COMP, false, 0, 0);
	e = syscall_end(4182, T0 + 2 * MS, SYS_setsockopt, 0, 3);
	add(m, &e);
	assert_int_equal(t->nr, 1);
	assert_int_equal(t->list[0].api, API_KVMALLOC);
	assert_int_equal(t->list[0].outcome, OUTCOME_RECOVERED);
	assert_int_equal(t->list[0].nr_events, 2);
	assert_event(&t->list[0].events[0], FAIL_PAGE, 10, 4 * MIB, 1);
	assert_event(&t->list[0].events[1], FAIL_KMALLOC, 10, KV_BYTES, 2);
	assert_int_equal(t->list[0].ret, 0);
	assert_int_equal(t->counts[API_KVMALLOC][CAUSE_UNKNOWN][OUTCOME_RECOVERED], 1);

	/* The same whose vmalloc fails too while the syscall still succeeds: the caller got NULL. */
	kvmalloc_failures(m, 4182, T0 + 3 * MS, G_KERNEL | G_COMP, true, 0, 0);
	e = syscall_end(4182, T0 + 4 * MS, SYS_setsockopt, 0, 5);
	add(m, &e);
	assert_int_equal(t->nr, 2);
	assert_int_equal(t->list[1].api, API_KVMALLOC);
	assert_int_equal(t->list[1].outcome, OUTCOME_FAILED);
	assert_int_equal(t->list[1].nr_events, 3);
}

/* A slab failure in a syscall that succeeds: failed, unless the caller said it had a fallback. */
static void test_slab_failure_nowarn(void **state)
{
	struct fixture *f = *state;
	struct model *m = &f->model;
	const struct request_table *t = &m->requests;
	struct fs_event e;

	e = kmalloc_fail(FS_EV_SLAB_FAIL, 900, T0 + MS, 192, 192, G_KERNEL, slab_stack, NFRAMES(slab_stack));
	snprintf(e.kmalloc.cache, sizeof(e.kmalloc.cache), "dentry");
	add(m, &e);
	e = syscall_end(900, T0 + 2 * MS, SYS_openat, 0, 1);
	add(m, &e);
	e = kmalloc_fail(FS_EV_SLAB_FAIL, 900, T0 + 3 * MS, 192, 192, G_KERNEL | G_NOWARN, slab_stack,
			 NFRAMES(slab_stack));
	add(m, &e);
	e = syscall_end(900, T0 + 4 * MS, SYS_openat, 0, 1);
	add(m, &e);

	assert_int_equal(t->nr, 2);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(t->list[i].api, API_KMEM_CACHE);
		assert_int_equal(t->list[i].context, CONTEXT_SYSCALL);
		assert_int_equal(t->list[i].syscall, SYS_openat);
		assert_string_equal(t->list[i].caller, "d_alloc");
		assert_int_equal(t->list[i].bytes, 192);
		assert_int_equal(t->list[i].order, 0);
		assert_int_equal(t->list[i].nr_events, 1);
		assert_event(&t->list[i].events[0], FAIL_SLAB, 0, 192, 1);
	}
	assert_int_equal(t->list[0].outcome, OUTCOME_FAILED);
	assert_int_equal(t->list[1].outcome, OUTCOME_RECOVERED);
	assert_int_equal(requests_count(t, OUTCOME_FAILED), 1);
	assert_int_equal(requests_count(t, OUTCOME_RECOVERED), 1);
}

/* ENOMEM from a syscall that reached no allocator: commit, hugetlb, untraced. */
static void test_bare_enomem_syscalls(void **state)
{
	struct fixture *f = *state;
	struct model *m = &f->model;
	const struct request_table *t = &m->requests;
	struct fs_event e;

	/* mmap of 1 GiB, 10 MiB mapped under a 512 MiB RLIMIT_AS. */
	e = syscall_end(600, T0 + MS, SYS_mmap, ENOMEM_RET, 0);
	e.sys.args[1] = 1 * GIB;
	e.sys.args[3] = 0x22; /* MAP_PRIVATE | MAP_ANONYMOUS */
	e.sys.rlimit_as = 512 * MIB;
	e.hdr.memcg_usage_pages = 2560;
	e.hdr.memcg_limit_pages = 25600;
	add(m, &e);
	/* mmap within RLIMIT_AS but past RLIMIT_DATA's 64 MiB with 2 MiB of data. */
	e = syscall_end(600, T0 + 2 * MS, SYS_mmap, ENOMEM_RET, 0);
	e.sys.args[1] = 62 * MIB + 1;
	e.sys.args[3] = 0x22;
	e.sys.rlimit_data = 64 * MIB;
	add(m, &e);
	/* mmap of 4 MiB with MAP_HUGETLB. */
	e = syscall_end(600, T0 + 3 * MS, SYS_mmap, ENOMEM_RET, 0);
	e.sys.args[1] = 4 * MIB;
	e.sys.args[3] = 0x40022;
	add(m, &e);
	/* setsockopt's ENOMEM with no allocator failure: one no tracepoint shows. */
	e = syscall_end(600, T0 + 4 * MS, SYS_setsockopt, ENOMEM_RET, 0);
	add(m, &e);
	/* A number this architecture does not name. */
	e = syscall_end(600, T0 + 5 * MS, 100000, ENOMEM_RET, 0);
	add(m, &e);
	/* mmap with vm.max_map_count mappings already. */
	f->kinfo.max_map_count = 65530;
	e = syscall_end(600, T0 + 5 * MS + 1, SYS_mmap, ENOMEM_RET, 0);
	e.sys.args[1] = 4096;
	e.sys.map_count = 65530;
	add(m, &e);
	f->kinfo.max_map_count = 0;
	/* clone: the child commits the parent's mapped memory again. */
	e = syscall_end(600, T0 + 6 * MS, SYS_clone, ENOMEM_RET, 0);
	add(m, &e);

	assert_int_equal(t->nr, 7);
	for (int i = 0; i < 7; i++) {
		assert_int_equal(t->list[i].context, CONTEXT_SYSCALL);
		assert_int_equal(t->list[i].outcome, OUTCOME_FAILED);
		assert_int_equal(t->list[i].ret, ENOMEM_RET);
		assert_int_equal(t->list[i].nr_events, 0);
		assert_int_equal(t->list[i].gfp, 0);
		assert_int_equal(t->list[i].stack_id, REQUEST_NO_STACK);
		assert_string_equal(t->list[i].caller, "");
	}
	assert_int_equal(t->list[0].api, API_COMMIT);
	assert_int_equal(t->list[0].syscall, SYS_mmap);
	assert_int_equal(t->list[0].bytes, 1 * GIB);
	/* Its cgroup (100 MiB, 10 used) would be "at its limit" by the mapping's size: no matter, mmap charges none. */
	assert_int_equal(t->list[0].evidence.have & EVIDENCE_MEMCG, EVIDENCE_MEMCG);
	assert_int_equal(t->list[0].cause, CAUSE_RLIMIT);
	assert_int_equal(t->list[0].evidence.rlimit, RLIMIT_KIND_AS);
	assert_int_equal(t->list[0].evidence.rlimit_bytes, 512 * MIB);
	assert_int_equal(t->list[0].evidence.rlimit_used_bytes, 10 * MIB);

	assert_int_equal(t->list[1].api, API_COMMIT);
	assert_int_equal(t->list[1].bytes, 62 * MIB + 1);
	assert_int_equal(t->list[1].cause, CAUSE_RLIMIT);
	assert_int_equal(t->list[1].evidence.rlimit, RLIMIT_KIND_DATA);
	assert_int_equal(t->list[1].evidence.rlimit_bytes, 64 * MIB);
	assert_int_equal(t->list[1].evidence.rlimit_used_bytes, 2 * MIB);

	assert_int_equal(t->list[2].api, API_HUGETLB);
	assert_int_equal(t->list[2].bytes, 4 * MIB);
	/* No meminfo sample: unknown, whatever the syscall's arguments were. */
	assert_true(t->list[2].can_reclaim);
	assert_int_equal(t->list[2].cause, CAUSE_UNKNOWN);

	assert_int_equal(t->list[3].api, API_UNTRACED);
	assert_int_equal(t->list[3].syscall, SYS_setsockopt);
	assert_int_equal(t->list[3].bytes, 0);
	assert_int_equal(t->list[3].cause, CAUSE_UNKNOWN);
	assert_string_equal(t->list[3].evidence.missing, "the allocation that failed fires no tracepoint");
	assert_int_equal(t->list[4].api, API_UNTRACED);
	assert_int_equal(t->list[4].syscall, 100000);
	assert_int_equal(t->list[5].api, API_COMMIT);
	assert_int_equal(t->list[5].cause, CAUSE_MAX_MAP_COUNT);
	assert_int_equal(t->list[5].evidence.map_count, 65530);
	assert_int_equal(t->list[5].evidence.max_map_count, 65530);
	assert_int_equal(t->list[6].api, API_COMMIT);
	assert_int_equal(t->list[6].bytes, 10 * MIB);
	assert_int_equal(t->list[6].cause, CAUSE_UNKNOWN);
	assert_string_equal(t->list[6].evidence.missing, "no commit figures (/proc/meminfo, vm.overcommit_memory)");

	assert_int_equal(t->counts[API_COMMIT][CAUSE_RLIMIT][OUTCOME_FAILED], 2);
	assert_int_equal(t->counts[API_HUGETLB][CAUSE_UNKNOWN][OUTCOME_FAILED], 1);
	assert_int_equal(t->counts[API_UNTRACED][CAUSE_UNKNOWN][OUTCOME_FAILED], 2);
	assert_int_equal(t->counts[API_COMMIT][CAUSE_UNKNOWN][OUTCOME_FAILED], 1);
	assert_int_equal(t->counts[API_COMMIT][CAUSE_MAX_MAP_COUNT][OUTCOME_FAILED], 1);
}

/* A vmalloc of its own: its size is the area's less the guard page, never a page failure's. */
static void test_vmalloc_size(void **state)
{
	struct fixture *f = *state;
	struct model *m = &f->model;
	const struct request_table *t = &m->requests;
	const uint64_t vmalloc_stack[] = { A_ALLOC_PAGES + 0x40, A_VM_AREA_PAGES + 0x70, A_VMALLOC_AREA + 0x110,
					   A_VMALLOC_RANGE + 0x200, A_XT_ALLOC + 0x80, A_IPT_SET + 0x90,
					   A_SYS_SETSOCKOPT + 0x20, A_DO_SYSCALL + 0x80 };
	struct fs_event e;

	for (int area_known = 1; area_known >= 0; area_known--) {
		for (int i = 0; i < 2; i++) {
			e = page_fail(610, T0 + (2 - area_known) * 10 * MS + i, 0, G_KERNEL | G_NOWARN, vmalloc_stack,
				      NFRAMES(vmalloc_stack));
			/* Recorded before format 3, the area's size is not known (0). */
			e.page.vmalloc_bytes = area_known ? 1 * MIB + 4096 : 0;
			add(m, &e);
		}
		e = syscall_end(610, T0 + (2 - area_known) * 10 * MS + 5, SYS_setsockopt, ENOMEM_RET, 2);
		add(m, &e);
	}
	assert_int_equal(t->nr, 2);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(t->list[i].api, API_VMALLOC);
		assert_int_equal(t->list[i].outcome, OUTCOME_FAILED);
		assert_int_equal(t->list[i].nr_events, 1);
		assert_event(&t->list[i].events[0], FAIL_VMALLOC, 0, 4096, 2);
	}
	assert_int_equal(t->list[0].bytes, 1 * MIB);
	assert_int_equal(t->list[1].bytes, 0);
}

/* Growing the hugetlb pool (a write to nr_hugepages) short of pages: api hugetlb, failed though write succeeded. */
static void test_hugetlb_pool_resize(void **state)
{
	struct fixture *f = *state;
	struct model *m = &f->model;
	const struct request_table *t = &m->requests;
	const uint64_t stack[] = { A_ALLOC_PAGES + 0x40, A_BUDDY_HUGETLB + 0x60, A_FRESH_HUGETLB + 0x30,
				   A_POOL_HUGE + 0x50, A_SET_MAX_HUGE + 0x1b0, A_SYS_WRITE + 0x20, A_DO_SYSCALL + 0x80 };
	struct fs_event e;

	for (int i = 0; i < 2; i++) {
		e = page_fail(630, T0 + MS + i, 9, G_KERNEL | G_MOVABLE | G_COMP | G_NOWARN, stack, NFRAMES(stack));
		add(m, &e);
	}
	e = syscall_end(630, T0 + 2 * MS, SYS_write, 0, 2);
	add(m, &e);
	assert_int_equal(t->nr, 1);
	assert_int_equal(t->list[0].api, API_HUGETLB);
	assert_int_equal(t->list[0].outcome, OUTCOME_FAILED);
	assert_string_equal(t->list[0].caller, "set_max_huge_pages");
	assert_int_equal(t->list[0].bytes, 2 * MIB);
	assert_int_equal(t->list[0].order, 9);
	assert_int_equal(t->list[0].nr_events, 1);
	assert_event(&t->list[0].events[0], FAIL_THP, 9, 2 * MIB, 2);
}

/* A /proc sample with meminfo and the overcommit sysctl, the zones given by the caller. */
static struct state_sample *sample(uint64_t ts)
{
	struct state_sample *s = calloc(1, sizeof(*s));

	s->ts_ns = ts;
	s->has_sysctls = 1;
	s->sysctls.value[STATE_SYSCTL_OVERCOMMIT_MEMORY] = 2;
	s->sysctls.present |= 1ull << STATE_SYSCTL_OVERCOMMIT_MEMORY;
	s->sysctls.value[STATE_SYSCTL_ADMIN_RESERVE_KBYTES] = 8192;
	s->sysctls.value[STATE_SYSCTL_USER_RESERVE_KBYTES] = 131072;
	s->sysctls.present |= (1ull << STATE_SYSCTL_ADMIN_RESERVE_KBYTES) | (1ull << STATE_SYSCTL_USER_RESERVE_KBYTES);
	s->meminfo.value[STATE_MEM_TOTAL] = 8 * MIB;  /* kB: 8 GiB */
	s->meminfo.value[STATE_MEM_SWAP_TOTAL] = 0;
	s->meminfo.value[STATE_MEM_COMMITTED_AS] = 3 * MIB; /* kB: 3 GiB */
	s->meminfo.value[STATE_MEM_COMMIT_LIMIT] = 3 * MIB + 512 * KIB; /* kB: 3.5 GiB */
	s->meminfo.value[STATE_MEM_HUGEPAGES_FREE] = 3;
	s->meminfo.value[STATE_MEM_HUGEPAGES_RSVD] = 2;
	s->meminfo.value[STATE_MEM_HUGEPAGESIZE] = 2048;
	s->meminfo.present = (1ull << STATE_MEM_TOTAL) | (1ull << STATE_MEM_SWAP_TOTAL) |
			     (1ull << STATE_MEM_COMMITTED_AS) | (1ull << STATE_MEM_COMMIT_LIMIT) |
			     (1ull << STATE_MEM_HUGEPAGES_FREE) | (1ull << STATE_MEM_HUGEPAGES_RSVD) |
			     (1ull << STATE_MEM_HUGEPAGESIZE);
	return s;
}

static struct state_zone_free *sample_zone(struct state_sample *s, const char *name, uint64_t free_pages,
					   uint64_t min_pages)
{
	struct state_zone_free *z = &s->zones[s->nr_zones++];

	snprintf(z->name, sizeof(z->name), "%s", name);
	z->nr_orders = 11;
	z->pages_free = free_pages;
	z->wmark_min = min_pages;
	z->wmark_low = min_pages + 10;
	z->wmark_high = min_pages + 20;
	return z;
}

/* An order-4 page failure under setsockopt, as the evidence tests make it. */
static const uint64_t page_stack[] = { A_ALLOC_PAGES + 0x40, A_XT_ALLOC + 0x2e, A_IPT_SET + 0x90,
				       A_SYS_SETSOCKOPT + 0x20, A_DO_SYSCALL + 0x80 };

/* The evidence the model takes from the latest /proc sample when a request closes. */
static void test_evidence_from_sample(void **state)
{
	struct fixture *f = *state;
	struct model *m = &f->model;
	const struct request_table *t = &m->requests;
	struct state_sample *s = sample(T0);
	struct state_zone_free *z;
	struct fs_event e;

	z = sample_zone(s, "DMA", 3000, 10); /* held back by lowmem_reserve: never evidence */
	z->free_blocks[10] = 1;
	z = sample_zone(s, "DMA32", 5000, 1000);
	z->free_blocks[3] = 100;
	z = sample_zone(s, "Normal", 102400, 1000);
	z->free_blocks[0] = 90000;
	z->free_blocks[3] = 1550;
	z = sample_zone(s, "Movable", 200000, 1000); /* only for movable requests */
	z->free_blocks[10] = 190;
	assert_int_equal(model_add_state(m, s), 0);

	/* An order-4 page failure in a syscall: no block of order 4 outside DMA and Movable. */
	e = page_fail(700, T0 + MS, 4, G_KERNEL, page_stack, NFRAMES(page_stack));
	add(m, &e);
	e = syscall_end(700, T0 + 2 * MS, SYS_setsockopt, ENOMEM_RET, 1);
	add(m, &e);
	/* The same movable: Movable has blocks of order 10. */
	e = page_fail(700, T0 + 3 * MS, 4, G_KERNEL | G_MOVABLE, page_stack, NFRAMES(page_stack));
	add(m, &e);
	e = syscall_end(700, T0 + 4 * MS, SYS_setsockopt, ENOMEM_RET, 1);
	add(m, &e);
	/* mmap of 1 GiB under overcommit_memory=2 with 3 of 3.5 GiB committed,
	 * by a task of 1 GiB mapped without CAP_SYS_ADMIN. */
	e = syscall_end(700, T0 + 5 * MS, SYS_mmap, ENOMEM_RET, 0);
	e.sys.args[1] = 1 * GIB;
	e.sys.total_vm = GIB / 4096;
	e.hdr.flags = FS_HDR_CAPS_READ;
	add(m, &e);
	/* MAP_HUGETLB of 4 MiB: two 2 MiB pages asked, one free and unreserved. */
	e = syscall_end(700, T0 + 6 * MS, SYS_mmap, ENOMEM_RET, 0);
	e.sys.args[1] = 4 * MIB;
	e.sys.args[3] = 0x40022;
	add(m, &e);
	/* The 1 GiB mmap again, by root: no admin reserve. */
	e = syscall_end(701, T0 + 7 * MS, SYS_mmap, ENOMEM_RET, 0);
	e.sys.args[1] = 1 * GIB;
	e.sys.total_vm = GIB / 4096;
	e.hdr.flags = FS_HDR_CAPS_READ | FS_HDR_CAP_SYS_ADMIN;
	add(m, &e);

	assert_int_equal(t->nr, 5);
	assert_int_equal(t->list[0].api, API_PAGE);
	assert_int_equal(t->list[0].cause, CAUSE_FRAGMENTATION);
	assert_int_equal(t->list[0].evidence.nr_zones, 2);
	assert_string_equal(t->list[0].evidence.zones[0].name, "DMA32");
	assert_string_equal(t->list[0].evidence.zones[1].name, "Normal");
	assert_int_equal(t->list[0].evidence.zones[1].free_pages, 102400);
	assert_int_equal(t->list[0].evidence.zones[1].min_pages, 1000);
	assert_int_equal(t->list[0].evidence.zones[1].free_blocks[3], 1550);
	assert_int_equal(t->list[1].evidence.nr_zones, 3);
	assert_string_equal(t->list[1].evidence.zones[2].name, "Movable");
	assert_int_equal(t->list[1].cause, CAUSE_UNKNOWN);

	assert_int_equal(t->list[2].api, API_COMMIT);
	assert_int_equal(t->list[2].cause, CAUSE_COMMIT_LIMIT);
	assert_int_equal(t->list[2].evidence.overcommit_memory, 2);
	assert_int_equal(t->list[2].evidence.committed_as_kb, 3 * MIB);
	assert_int_equal(t->list[2].evidence.commit_limit_kb, 3 * MIB + 512 * KIB);
	assert_int_equal(t->list[2].evidence.ram_swap_kb, 8 * MIB);
	/* __vm_enough_memory(): the admin reserve, and min(1 GiB / 32, the user reserve). */
	assert_int_equal(t->list[2].evidence.commit_reserve_kb, 8192 + 32768);
	assert_int_equal(t->list[4].cause, CAUSE_COMMIT_LIMIT);
	assert_int_equal(t->list[4].evidence.commit_reserve_kb, 32768);
	assert_true(t->list[4].evidence.cap_sys_admin);

	assert_int_equal(t->list[3].api, API_HUGETLB);
	assert_int_equal(t->list[3].cause, CAUSE_HUGETLB_POOL);
	assert_int_equal(t->list[3].evidence.hugetlb_asked, 2);
	assert_int_equal(t->list[3].evidence.hugetlb_got, 1);
	free(s);
}

/* slab's opportunistic try: allocate_slab() under openat's d_alloc, before it falls back to its minimum order. */
static const uint64_t slab_page_stack[] = { A_ALLOC_PAGES + 0x40, A_KMEM_CACHE + 0x10, A_D_ALLOC + 0x1c,
					    A_SYS_OPENAT + 0x44, A_DO_SYSCALL + 0x80 };

/*
 * A syscall whose order-5 GFP_KERNEL allocation failed after reclaim,
 * preceded by a failed no-reclaim try (slab's __GFP_NORETRY order with
 * reclaim masked, as 7.x's F_SETPIPE_SZ showed it): the request is judged
 * by its reclaiming failure, low memory, not by the try that came first.
 * In the other order the reclaiming failure still decides.
 */
static void test_judged_by_reclaiming_failure(void **state)
{
	struct fixture *f = *state;
	struct model *m = &f->model;
	const struct request_table *t = &m->requests;
	struct state_sample *s = sample(T0);
	const uint64_t try_gfp = G_NOWARN | G_NORETRY | G_COMP;
	struct fs_event e;

	sample_zone(s, "DMA32", 12716, 12724)->free_blocks[0] = 12716; /* below min: nothing to take */
	assert_int_equal(model_add_state(m, s), 0);

	e = page_fail(700, T0 + MS, 3, try_gfp, slab_page_stack, NFRAMES(slab_page_stack));
	add(m, &e);
	e = page_fail(700, T0 + MS + 500, 5, G_KERNEL | G_COMP, page_stack, NFRAMES(page_stack));
	add(m, &e);
	e = syscall_end(700, T0 + 2 * MS, SYS_fcntl, ENOMEM_RET, 2);
	add(m, &e);

	e = page_fail(700, T0 + 3 * MS, 5, G_KERNEL | G_COMP, page_stack, NFRAMES(page_stack));
	add(m, &e);
	e = page_fail(700, T0 + 3 * MS + 500, 3, try_gfp, slab_page_stack, NFRAMES(slab_page_stack));
	add(m, &e);
	e = syscall_end(700, T0 + 4 * MS, SYS_fcntl, ENOMEM_RET, 2);
	add(m, &e);

	/* The try alone is what a no-reclaim context is. */
	e = page_fail(700, T0 + 5 * MS, 3, try_gfp, slab_page_stack, NFRAMES(slab_page_stack));
	add(m, &e);
	e = syscall_end(700, T0 + 6 * MS, SYS_openat, ENOMEM_RET, 1);
	add(m, &e);

	/* Both orders make the same request: listed once, twice closed. */
	assert_int_equal(t->nr, 2);
	assert_int_equal(t->list[0].count, 2);
	assert_int_equal(t->list[0].nr_events, 2);
	assert_int_equal(t->list[0].order, 5);
	assert_true(t->list[0].can_reclaim);
	assert_int_equal(t->list[0].gfp, G_KERNEL | G_COMP);
	assert_int_equal(t->list[0].cause, CAUSE_LOW_MEMORY);
	assert_string_equal(t->list[0].caller, "xt_alloc_table_info");
	assert_int_equal(t->list[1].count, 1);
	assert_false(t->list[1].can_reclaim);
	assert_int_equal(t->list[1].gfp, try_gfp);
	assert_int_equal(t->list[1].cause, CAUSE_NO_RECLAIM_CONTEXT);
	assert_string_equal(t->list[1].caller, "d_alloc");
	free(s);
}

/*
 * The task's nodes come with its page failures: the first that read them
 * is the evidence; the zones of both nodes come from the sample.
 */
static void test_nodes_from_events(void **state)
{
	struct fixture *f = *state;
	struct model *m = &f->model;
	const struct request_table *t = &m->requests;
	struct state_sample *s = sample(T0);
	struct state_zone_free *z;
	struct fs_event e;

	z = sample_zone(s, "DMA32", 60000, 1000);
	z->free_blocks[9] = 40;
	z = sample_zone(s, "DMA32", 50000, 1000);
	z->node = 1;
	z->free_blocks[0] = 45000;
	assert_int_equal(model_add_state(m, s), 0);

	/* Bound to node 1 (MPOL_BIND), cpuset nodes 0-1; a second failure with other figures changes nothing. */
	e = page_fail(700, T0 + MS, 5, G_KERNEL, page_stack, NFRAMES(page_stack));
	e.page.nodes_read = FS_NODES_POLICY | FS_NODES_CPUSET;
	e.page.policy_mode = POLICY_BIND;
	e.page.policy_nodes = 0x2;
	e.page.cpuset_nodes = 0x3;
	add(m, &e);
	e.page.policy_nodes = 0x3;
	add(m, &e);
	e = syscall_end(700, T0 + 2 * MS, SYS_setsockopt, ENOMEM_RET, 2);
	add(m, &e);
	/* The same without the nodes read (a file of format 5 or older): node 0's blocks count. */
	e = page_fail(700, T0 + 3 * MS, 5, G_KERNEL, page_stack, NFRAMES(page_stack));
	add(m, &e);
	e = syscall_end(700, T0 + 4 * MS, SYS_setsockopt, ENOMEM_RET, 1);
	add(m, &e);

	assert_int_equal(t->nr, 2);
	assert_int_equal(t->list[0].cause, CAUSE_CPUSET_OR_MEMPOLICY);
	assert_int_equal(t->list[0].evidence.policy_mode, POLICY_BIND);
	assert_int_equal(t->list[0].evidence.policy_nodes, 0x2);
	assert_int_equal(t->list[0].evidence.cpuset_nodes, 0x3);
	assert_int_equal(t->list[0].evidence.nr_zones, 2);
	assert_int_equal(t->list[0].evidence.zones[1].node, 1);
	assert_false(t->list[1].evidence.have & EVIDENCE_NODES);
	assert_int_equal(t->list[1].cause, CAUSE_UNKNOWN);
	free(s);
}

/* A memory cgroup at its limit on the events: the request's cause, with the figures in bytes. */
static void test_memcg_from_events(void **state)
{
	struct fixture *f = *state;
	struct model *m = &f->model;
	const struct request_table *t = &m->requests;
	struct fs_event e;

	kvmalloc_failures(m, 4182, T0 + MS, G_KVMALLOC_KMALLOC, true, 2500, 2500);
	e = syscall_end(4182, T0 + 2 * MS, SYS_setsockopt, ENOMEM_RET, 5);
	add(m, &e);
	assert_int_equal(t->nr, 1);
	assert_int_equal(t->list[0].cause, CAUSE_MEMCG_LIMIT);
	assert_int_equal(t->list[0].evidence.memcg_usage_bytes, 2500 * 4096);
	assert_int_equal(t->list[0].evidence.memcg_limit_bytes, 2500 * 4096);
	/* The highest charge any of its events saw: the page failure below the limit, kmalloc at it. */
	e = page_fail(4182, T0 + 5 * MS, 6, G_KERNEL, kvmalloc_page_stack, NFRAMES(kvmalloc_page_stack));
	e.hdr.memcg_usage_pages = 2000;
	e.hdr.memcg_limit_pages = 2500;
	add(m, &e);
	e = kmalloc_fail(FS_EV_KMALLOC_FAIL, 4182, T0 + 5 * MS + 10, 200000, 256 * KIB, G_KERNEL,
			 kvmalloc_kmalloc_stack, NFRAMES(kvmalloc_kmalloc_stack));
	e.hdr.memcg_usage_pages = 2500;
	e.hdr.memcg_limit_pages = 2500;
	add(m, &e);
	e = syscall_end(4182, T0 + 6 * MS, SYS_setsockopt, ENOMEM_RET, 2);
	add(m, &e);
	assert_int_equal(t->nr, 2);
	assert_int_equal(t->list[1].cause, CAUSE_MEMCG_LIMIT);
	assert_int_equal(t->list[1].evidence.memcg_usage_bytes, 2500 * 4096);
	/* The kernel's "no limit" in pages is no memcg evidence. */
	kvmalloc_failures(m, 4182, T0 + 7 * MS, G_KVMALLOC_KMALLOC, true, 2500, (1ULL << 63) / 4096);
	e = syscall_end(4182, T0 + 8 * MS, SYS_setsockopt, ENOMEM_RET, 5);
	add(m, &e);
	assert_int_equal(t->nr, 3);
	assert_int_equal(t->list[2].evidence.have & EVIDENCE_MEMCG, 0);
	assert_int_equal(t->list[2].cause, CAUSE_UNKNOWN);
}

/* The kernel counted failures for a syscall whose events never arrived. */
static void test_detail_lost(void **state)
{
	struct fixture *f = *state;
	struct model *m = &f->model;
	const struct request_table *t = &m->requests;
	struct fs_event e = syscall_end(800, T0 + MS, SYS_setsockopt, ENOMEM_RET, 3);

	add(m, &e);
	assert_int_equal(t->detail_lost, 1);
	assert_int_equal(t->nr, 0);
	assert_int_equal(t->total, 0);
	assert_int_equal(requests_count(t, OUTCOME_FAILED), 0); /* shown apart: "and 1 whose allocator events were lost" */
	/* All three arrived: nothing lost. */
	for (int i = 0; i < 3; i++) {
		e = kmalloc_fail(FS_EV_KMALLOC_FAIL, 800, T0 + 2 * MS + i, 65536 + i, 65536 + i, G_KERNEL,
				 kvmalloc_kmalloc_stack, NFRAMES(kvmalloc_kmalloc_stack));
		add(m, &e);
	}
	e = syscall_end(800, T0 + 3 * MS, SYS_setsockopt, ENOMEM_RET, 3);
	add(m, &e);
	assert_int_equal(t->detail_lost, 1);
	assert_int_equal(t->nr, 1);
	assert_int_equal(t->list[0].nr_events, 3);
	/* A bare ENOMEM seen; then the kernel's counts say 2 syscall ends and 1 bare ENOMEM more than arrived. */
	e = syscall_end(800, T0 + 4 * MS, SYS_setsockopt, ENOMEM_RET, 0);
	add(m, &e);
	assert_int_equal(t->syscall_ends_seen, 2);
	assert_int_equal(t->bare_enomem_seen, 1);
	assert_int_equal(requests_detail_lost(m), 1);
	m->window.counters[FS_CTR_REQUEST_SYSCALL_FAILED] = 3;
	m->window.counters[FS_CTR_REQUEST_SYSCALL_OK] = 1;
	m->window.counters[FS_CTR_ENOMEM_NO_ALLOC] = 2;
	assert_int_equal(requests_detail_lost(m), 1 + 2 + 1);
	/* Counts read before the latest events arrived are not negative losses. */
	m->window.counters[FS_CTR_REQUEST_SYSCALL_FAILED] = 1;
	m->window.counters[FS_CTR_REQUEST_SYSCALL_OK] = 0;
	m->window.counters[FS_CTR_ENOMEM_NO_ALLOC] = 0;
	assert_int_equal(requests_detail_lost(m), 1);
}

/*
 * Without syscall ends (no sys_exit probe, a record before format 3), a
 * syscall's failures group by caller function like a fault's, and close
 * when another caller fails or when idle REQUEST_IDLE_NS.
 */
static void test_syscall_ends_not_traced(void **state)
{
	struct fixture *f = *state;
	struct model *m = &f->model;
	const struct request_table *t = &m->requests;
	struct fs_event e;

	m->requests.syscall_ends_traced = false;
	kvmalloc_failures(m, 4182, T0 + MS, G_KVMALLOC_KMALLOC, true, 0, 0);
	assert_int_equal(t->nr, 0);
	e = kmalloc_fail(FS_EV_SLAB_FAIL, 4182, T0 + 2 * MS, 192, 192, G_KERNEL, slab_stack, NFRAMES(slab_stack));
	add(m, &e);
	assert_int_equal(t->nr, 1);
	assert_int_equal(t->list[0].api, API_KVMALLOC);
	assert_int_equal(t->list[0].nr_events, 3);
	assert_int_equal(t->list[0].context, CONTEXT_SYSCALL);
	assert_int_equal(t->list[0].syscall, -1);
	assert_int_equal(t->list[0].outcome, OUTCOME_FAILED);
	requests_close_idle(m, T0 + 2 * MS + REQUEST_IDLE_NS, false);
	assert_int_equal(t->nr, 1);
	requests_close_idle(m, T0 + 2 * MS + REQUEST_IDLE_NS + 1, false);
	assert_int_equal(t->nr, 2);
	assert_int_equal(t->list[1].api, API_KMEM_CACHE);
	assert_string_equal(t->list[1].caller, "d_alloc");
}

/* Beyond MODEL_MAX_REQUESTS requests are counted, not listed. */
static void test_requests_bounded(void **state)
{
	struct fixture *f = *state;
	struct model *m = &f->model;
	const struct request_table *t = &m->requests;
	const uint64_t n = MODEL_MAX_REQUESTS + 3;
	struct fs_event e;

	for (uint64_t i = 0; i < n; i++) {
		/* The last three are refused by RLIMIT_AS, the others untraced. */
		/* A process each: the same request of one process would be one record with a count. */
		e = syscall_end(1000 + i, T0 + i * 1000, i < MODEL_MAX_REQUESTS ? SYS_setsockopt : SYS_mmap, ENOMEM_RET, 0);
		if (i >= MODEL_MAX_REQUESTS) {
			e.sys.args[1] = 1 * GIB;
			e.sys.rlimit_as = 1 * GIB;
		}
		add(m, &e);
	}
	assert_int_equal(t->nr, MODEL_MAX_REQUESTS);
	assert_int_equal(t->not_listed, 3);
	assert_int_equal(t->total, n);
	assert_int_equal(t->counts[API_UNTRACED][CAUSE_UNKNOWN][OUTCOME_FAILED], MODEL_MAX_REQUESTS);
	assert_int_equal(t->counts[API_COMMIT][CAUSE_RLIMIT][OUTCOME_FAILED], 3);
	assert_int_equal(requests_count(t, OUTCOME_FAILED), n);
	assert_int_equal(t->list[MODEL_MAX_REQUESTS - 1].ts_ns, T0 + (MODEL_MAX_REQUESTS - 1) * 1000);
	/* The recent ring has the latest, listed or not. */
	assert_int_equal(t->recent[(t->total - 1) % REQUESTS_RECENT].ts_ns, T0 + (n - 1) * 1000);
	assert_int_equal(t->recent[(t->total - 1) % REQUESTS_RECENT].api, API_COMMIT);
}

/* The model's own request for the same: the page failure beneath kmalloc is listed first. */
static void test_line_from_model(void **state)
{
	struct fixture *f = *state;
	struct model *m = &f->model;
	struct fs_event e;
	char buf[512];

	assert_int_equal(model_set_cgroup_path(m, 77, "/ipt-seed"), 0);
	kvmalloc_failures(m, 4182, T0 + MS, G_KVMALLOC_KMALLOC, true, 2500, 2500);
	e = syscall_end(4182, T0 + 2 * MS, SYS_setsockopt, ENOMEM_RET, 5);
	add(m, &e);
	assert_int_equal(m->requests.nr, 1);
	assert_string_equal(line_of(&m->requests.list[0], buf, sizeof(buf)),
			    "iptables-restor[4182] /ipt-seed setsockopt → ENOMEM: kvmalloc 3.8 MiB in "
			    "xt_alloc_table_info failed (page order 10, then kmalloc order 10, then vmalloc): memcg "
			    "/ipt-seed at its limit (9.8 MiB of 9.8 MiB)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_kvmalloc_in_syscall_failed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kvmalloc_recovered_by_vmalloc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slab_failure_nowarn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bare_enomem_syscalls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vmalloc_size, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hugetlb_pool_resize, setup, teardown),
		cmocka_unit_test_setup_teardown(test_evidence_from_sample, setup, teardown),
		cmocka_unit_test_setup_teardown(test_judged_by_reclaiming_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nodes_from_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memcg_from_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_detail_lost, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syscall_ends_not_traced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_requests_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_line_from_model, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
