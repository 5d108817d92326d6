// SPDX-License-Identifier: GPL-2.0
/*
 * Requests made outside a syscall, from synthetic events fed to
 * model_add_event(): page faults, interrupts and softirqs keyed apart from
 * the task they interrupted, kernel threads joined by caller and time and
 * closed when idle.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include <cmocka.h>

#include "request_fixture.h"

/*
 * One THP fault that falls back makes two order-9 attempts: __GFP_NORETRY
 * first, then the full mode (mm/mempolicy.c).  One request; a second fault
 * (NORETRY again) is another.
 */
static void test_thp_retry_is_one_request(void **state)
{
	struct fixture *f = *state;
	struct model *m = &f->model;
	const struct request_table *t = &m->requests;
	struct fs_event e;

	for (int fault = 0; fault < 2; fault++) {
		e = page_fail(500, T0 + fault * MS, 9, G_THP | G_NORETRY, thp_fault_stack, NFRAMES(thp_fault_stack));
		add(m, &e);
		e = page_fail(500, T0 + fault * MS + 100, 9, G_THP | G_DIRECT_RECLAIM, thp_fault_stack,
			      NFRAMES(thp_fault_stack));
		add(m, &e);
	}
	model_finish(m);
	assert_int_equal(t->total, 2);
	assert_int_equal(t->counts[API_THP_FAULT][t->list[0].cause][OUTCOME_RECOVERED], 2);
	assert_int_equal(t->list[0].nr_events, 1);
	assert_int_equal(t->list[0].events[0].repeats, 1); /* two attempts of order 9 */
}

/*
 * A collapse's huge page (khugepaged's GFP_TRANSHUGE, the same gfp a THP
 * fault can have) is not a fault: thp_collapse, told apart by the stack;
 * with no stack, khugepaged by its name.  THP fallbacks count faults only.
 */
static void test_thp_collapse_is_not_a_fault(void **state)
{
	struct fixture *f = *state;
	struct model *m = &f->model;
	const struct request_table *t = &m->requests;
	const uint64_t gfp = G_THP | G_DIRECT_RECLAIM;
	struct fs_event e;

	e = page_fail(70, T0 + MS, 9, gfp, khugepaged_stack, NFRAMES(khugepaged_stack));
	set_task(&e, 70, "khugepaged", 1);
	add(m, &e);
	e = page_fail(71, T0 + MS, 9, gfp, madv_collapse_stack, NFRAMES(madv_collapse_stack));
	add(m, &e);
	e = syscall_end(71, T0 + 2 * MS, SYS_madvise, -ENOMEM, 1);
	add(m, &e);
	e = page_fail(72, T0 + MS, 9, gfp, thp_fault_stack, NFRAMES(thp_fault_stack));
	add(m, &e);
	e = page_fail(70, T0 + 70 * MS, 9, gfp, NULL, 0); /* its stack lost */
	set_task(&e, 70, "khugepaged", 1);
	add(m, &e);
	model_finish(m);

	assert_int_equal(requests_of_api(t, API_THP_COLLAPSE), 3);
	assert_int_equal(requests_of_api(t, API_THP_FAULT), 1);
	assert_int_equal(m->failures[FAIL_THP], 4); /* the per-event view: every attempt is a thp failure */
	for (size_t i = 0; i < t->nr; i++)
		if (t->list[i].tid == 71) {
			assert_int_equal(t->list[i].api, API_THP_COLLAPSE);
			assert_int_equal(t->list[i].outcome, OUTCOME_FAILED); /* madvise returned ENOMEM */
		} else if (t->list[i].tid == 70) {
			assert_int_equal(t->list[i].api, API_THP_COLLAPSE);
			assert_int_equal(t->list[i].outcome, OUTCOME_RECOVERED); /* the range stays in small pages */
		}
	assert_string_equal(request_api_name(API_THP_COLLAPSE), "thp_collapse");
	assert_int_equal(request_api_parse("thp_collapse"), API_THP_COLLAPSE);
}

/* Two THP faults of one task, 1 ms apart at the same caller: two requests, both recovered. */
static void test_thp_faults_are_separate_requests(void **state)
{
	struct fixture *f = *state;
	struct model *m = &f->model;
	const struct request_table *t = &m->requests;
	struct fs_event e;

	for (int i = 0; i < 2; i++) {
		e = page_fail(500, T0 + MS + i * MS, 9, G_THP, thp_fault_stack, NFRAMES(thp_fault_stack));
		add(m, &e);
	}
	assert_int_equal(t->total, 1); /* the second closed the first */
	model_finish(m);
	assert_int_equal(t->total, 2);
	/* The same request of the same process twice: one listed record, counted twice. */
	assert_int_equal(t->nr, 1);
	assert_int_equal(t->list[0].count, 2);
	assert_int_equal(t->list[0].last_ns, T0 + 2 * MS);
	for (int i = 0; i < 1; i++) {
		const struct request *r = &t->list[i];

		assert_int_equal(r->ts_ns, T0 + MS + i * MS);
		assert_int_equal(r->context, CONTEXT_FAULT);
		assert_int_equal(r->api, API_THP_FAULT);
		assert_int_equal(r->outcome, OUTCOME_RECOVERED);
		assert_int_equal(r->syscall, -1);
		assert_string_equal(r->caller, "do_huge_pmd_anonymous_page");
		assert_int_equal(r->bytes, 2 * MIB);
		assert_int_equal(r->order, 9);
		assert_int_equal(r->nr_events, 1);
		assert_event(&r->events[0], FAIL_THP, 9, 2 * MIB, 1);
		/* GFP_TRANSHUGE_LIGHT cannot reclaim: with no zone sample, that is the cause. */
		assert_false(r->can_reclaim);
		assert_int_equal(r->cause, CAUSE_NO_RECLAIM_CONTEXT);
	}
	assert_int_equal(t->counts[API_THP_FAULT][CAUSE_NO_RECLAIM_CONTEXT][OUTCOME_RECOVERED], 2);
}

/* Interrupts over a task in a syscall are requests of their own, not the task's. */
static void test_interrupt_keyed_apart(void **state)
{
	struct fixture *f = *state;
	struct model *m = &f->model;
	const struct request_table *t = &m->requests;
	struct fs_event e;

	e = kmalloc_fail(FS_EV_KMALLOC_FAIL, 4182, T0 + MS, 65536, 65536, G_KERNEL, kvmalloc_kmalloc_stack,
			 NFRAMES(kvmalloc_kmalloc_stack));
	add(m, &e);
	e = page_fail(4182, T0 + MS + 100, 2, G_NOWARN, softirq_stack, NFRAMES(softirq_stack));
	add(m, &e);
	e = page_fail(4182, T0 + MS + 200, 0, G_NOWARN, irq_stack, NFRAMES(irq_stack));
	add(m, &e);
	assert_int_equal(t->nr, 0); /* nothing closed the task's request */
	e = syscall_end(4182, T0 + 2 * MS, SYS_setsockopt, ENOMEM_RET, 3);
	add(m, &e);
	assert_int_equal(t->nr, 1);
	assert_int_equal(t->list[0].context, CONTEXT_SYSCALL);
	assert_int_equal(t->list[0].api, API_KVMALLOC);
	assert_int_equal(t->list[0].nr_events, 1);
	assert_event(&t->list[0].events[0], FAIL_KMALLOC, 4, 65536, 1);
	assert_int_equal(t->list[0].outcome, OUTCOME_FAILED);

	/* The interrupts' requests outlive the syscall's exit; the trace's end closes them. */
	model_finish(m);
	assert_int_equal(t->nr, 3);
	assert_int_equal(t->list[1].context, CONTEXT_SOFTIRQ);
	assert_string_equal(t->list[1].caller, "e1000_alloc_rx_buffers");
	assert_event(&t->list[1].events[0], FAIL_PAGE, 2, 16 * KIB, 1);
	assert_int_equal(t->list[1].syscall, -1);
	assert_int_equal(t->list[2].context, CONTEXT_IRQ);
	assert_string_equal(t->list[2].caller, "bpf_mem_refill");
	assert_event(&t->list[2].events[0], FAIL_PAGE, 0, 4096, 1);
	for (int i = 1; i < 3; i++) {
		assert_int_equal(t->list[i].api, API_PAGE);
		assert_int_equal(t->list[i].nr_events, 1);
		assert_false(t->list[i].can_reclaim);
		assert_int_equal(t->list[i].outcome, OUTCOME_FAILED);
	}
}

/* A task's fault, or a stack that shows no context, is over when the task's syscall returns. */
static void test_fault_and_task_close_at_syscall_end(void **state)
{
	struct fixture *f = *state;
	struct model *m = &f->model;
	const struct request_table *t = &m->requests;
	const uint64_t no_context[] = { A_ALLOC_PAGES + 0x40, A_XFS_BUF + 0x64 };
	struct fs_event e;

	e = page_fail(620, T0 + MS, 9, G_THP, thp_fault_stack, NFRAMES(thp_fault_stack));
	add(m, &e);
	e = page_fail(620, T0 + MS + 10, 3, G_KERNEL, no_context, NFRAMES(no_context));
	add(m, &e);
	e = kmalloc_fail(FS_EV_SLAB_FAIL, 620, T0 + MS + 20, 192, 192, G_KERNEL, slab_stack, NFRAMES(slab_stack));
	add(m, &e);
	assert_int_equal(t->nr, 0);
	e = syscall_end(620, T0 + 2 * MS, SYS_openat, ENOMEM_RET, 3);
	add(m, &e);
	assert_int_equal(t->nr, 3);
	assert_int_equal(t->list[0].context, CONTEXT_FAULT);
	assert_int_equal(t->list[0].api, API_THP_FAULT);
	assert_int_equal(t->list[0].syscall, -1);
	assert_int_equal(t->list[1].context, CONTEXT_TASK);
	assert_int_equal(t->list[1].api, API_PAGE);
	assert_string_equal(t->list[1].caller, "xfs_buf_alloc_pages");
	assert_int_equal(t->list[1].outcome, OUTCOME_FAILED);
	assert_int_equal(t->list[2].context, CONTEXT_SYSCALL);
	assert_int_equal(t->list[2].api, API_KMEM_CACHE);
	assert_int_equal(t->list[2].syscall, SYS_openat);
}

/* A page fault taken inside a syscall (copy_from_user) is the syscall's. */
static void test_fault_inside_syscall(void **state)
{
	struct fixture *f = *state;
	struct model *m = &f->model;
	const struct request_table *t = &m->requests;
	const uint64_t stack[] = { A_ALLOC_PAGES + 0x40, A_ALLOC_MPOL + 0x20, A_VMA_FOLIO + 0x30, A_THP_FAULT + 0x50,
				   A_HANDLE_MM_FAULT + 0x300, A_USER_FAULT + 0x1a0, A_EXC_FAULT + 0x70,
				   A_IPT_SET + 0x90, A_SYS_SETSOCKOPT + 0x20, A_DO_SYSCALL + 0x80 };
	struct fs_event e = page_fail(640, T0 + MS, 9, G_THP, stack, NFRAMES(stack));

	add(m, &e);
	e = syscall_end(640, T0 + 2 * MS, SYS_setsockopt, 0, 1);
	add(m, &e);
	assert_int_equal(t->nr, 1);
	assert_int_equal(t->list[0].context, CONTEXT_SYSCALL);
	assert_int_equal(t->list[0].syscall, SYS_setsockopt);
	assert_int_equal(t->list[0].api, API_THP_FAULT);
	assert_int_equal(t->list[0].outcome, OUTCOME_RECOVERED);
}

/* A kernel thread's request closes once idle REQUEST_IDLE_NS; a syscall's waits for its exit. */
static void test_close_idle(void **state)
{
	struct fixture *f = *state;
	struct model *m = &f->model;
	const struct request_table *t = &m->requests;
	struct fs_event e = page_fail(55, T0 + MS, 4, G_KERNEL, kthread_stack, NFRAMES(kthread_stack));

	add(m, &e);
	e = kmalloc_fail(FS_EV_SLAB_FAIL, 56, T0 + MS, 192, 192, G_KERNEL, slab_stack, NFRAMES(slab_stack));
	add(m, &e);
	requests_close_idle(m, T0 + MS + REQUEST_IDLE_NS, false);
	assert_int_equal(t->nr, 0);
	requests_close_idle(m, T0 + MS + REQUEST_IDLE_NS + 1, false);
	assert_int_equal(t->nr, 1);
	assert_int_equal(t->list[0].tid, 55);
	assert_int_equal(t->list[0].context, CONTEXT_KTHREAD);
	assert_string_equal(t->list[0].caller, "xfs_buf_alloc_pages");
	assert_int_equal(t->list[0].api, API_PAGE);
	assert_int_equal(t->list[0].outcome, OUTCOME_FAILED);
	assert_int_equal(t->list[0].end_ns, T0 + MS);
	/* The syscall's request is closed idle only after REQUEST_SYSCALL_IDLE_NS. */
	requests_close_idle(m, T0 + MS + REQUEST_SYSCALL_IDLE_NS, false);
	assert_int_equal(t->nr, 1);
	requests_close_idle(m, T0 + MS + REQUEST_SYSCALL_IDLE_NS + 1, false);
	assert_int_equal(t->nr, 2);
	assert_int_equal(t->list[1].tid, 56);
	assert_int_equal(t->list[1].context, CONTEXT_SYSCALL);
	assert_int_equal(t->list[1].syscall, -1);
	assert_int_equal(t->list[1].outcome, OUTCOME_FAILED);
	/* Closed entries leave the open table at the next prune. */
	requests_prune(m);
	assert_int_equal(t->nr_open, 0);
	assert_int_equal(t->open_by_key.len, 0);
}

/*
 * A kernel thread's kmalloc and the page failure beneath it join by their
 * caller's return address; a failure past REQUEST_JOIN_NS, or from another
 * call site, is another request.
 */
static void test_kthread_join_rules(void **state)
{
	struct fixture *f = *state;
	struct model *m = &f->model;
	const struct request_table *t = &m->requests;
	const uint64_t page[] = { A_ALLOC_PAGES + 0x40, A_KMALLOC_LARGE + 0x30, A_KMALLOC_NODE + 0x50,
				  A_XFS_BUF + 0x64, A_WORKER + 0x1f0, A_KTHREAD + 0xf0 };
	const uint64_t kmalloc[] = { A_KMALLOC_NODE + 0x90, A_XFS_BUF + 0x64, A_WORKER + 0x1f0, A_KTHREAD + 0xf0 };
	/* Its own vmalloc fallback, from another return address of the same function. */
	const uint64_t own_vmalloc[] = { A_ALLOC_PAGES + 0x40, A_VM_AREA_PAGES + 0x70, A_VMALLOC_AREA + 0x110,
					 A_VMALLOC_RANGE + 0x200, A_XFS_BUF + 0x80, A_WORKER + 0x1f0, A_KTHREAD + 0xf0 };
	const uint64_t other_function[] = { A_KMALLOC_NODE + 0x90, A_D_ALLOC + 0x1c, A_WORKER + 0x1f0,
					    A_KTHREAD + 0xf0 };
	struct fs_event e;

	e = page_fail(55, T0, 5, G_KERNEL | G_COMP, page, NFRAMES(page));
	add(m, &e);
	for (int i = 0; i < 2; i++) {
		e = kmalloc_fail(FS_EV_KMALLOC_FAIL, 55, T0 + 1000 + i, 100000, 128 * KIB, G_KERNEL, kmalloc,
				 NFRAMES(kmalloc));
		add(m, &e);
	}
	/* A third identical kmalloc failure is a repeat too; one past REQUEST_JOIN_NS is another request. */
	e = kmalloc_fail(FS_EV_KMALLOC_FAIL, 55, T0 + 1002 + REQUEST_JOIN_NS + 1, 100000, 128 * KIB, G_KERNEL,
			 kmalloc, NFRAMES(kmalloc));
	add(m, &e);
	assert_int_equal(t->nr, 1);
	assert_int_equal(t->list[0].context, CONTEXT_KTHREAD);
	assert_int_equal(t->list[0].api, API_KMALLOC);
	assert_int_equal(t->list[0].nr_events, 2);
	assert_event(&t->list[0].events[0], FAIL_PAGE, 5, 128 * KIB, 1);
	assert_event(&t->list[0].events[1], FAIL_KMALLOC, 5, 100000, 2);
	assert_int_equal(t->list[0].bytes, 100000);
	/*
	 * The caller's vmalloc fallback joins the second: one function asked
	 * both (bpf_map_area_alloc's way), and vmalloc's two page failures (bulk,
	 * then single) from its one return address are one event repeated.
	 */
	for (int i = 0; i < 2; i++) {
		e = page_fail(55, T0 + 1003 + REQUEST_JOIN_NS + 1, 0, G_KERNEL, own_vmalloc, NFRAMES(own_vmalloc));
		add(m, &e);
	}
	assert_int_equal(t->nr, 1);
	/* Another function at once: another request. */
	e = kmalloc_fail(FS_EV_KMALLOC_FAIL, 55, T0 + 1004 + REQUEST_JOIN_NS + 1, 100000, 128 * KIB, G_KERNEL,
			 other_function, NFRAMES(other_function));
	add(m, &e);
	assert_int_equal(t->nr, 2);
	assert_int_equal(t->list[1].api, API_KVMALLOC);
	assert_string_equal(t->list[1].caller, "xfs_buf_alloc_pages");
	assert_int_equal(t->list[1].nr_events, 2);
	assert_event(&t->list[1].events[0], FAIL_KMALLOC, 5, 100000, 1);
	assert_event(&t->list[1].events[1], FAIL_VMALLOC, 0, 4096, 2);
	model_finish(m);
	assert_int_equal(t->nr, 3);
	assert_string_equal(t->list[2].caller, "d_alloc");
}

/* An identical kmalloc failure from another call site of the same function is another allocation. */
static void test_kthread_repeat_from_one_call_site(void **state)
{
	struct fixture *f = *state;
	struct model *m = &f->model;
	const struct request_table *t = &m->requests;
	const uint64_t site_a[] = { A_KMALLOC_NODE + 0x90, A_XFS_BUF + 0x64, A_WORKER + 0x1f0, A_KTHREAD + 0xf0 };
	const uint64_t site_b[] = { A_KMALLOC_NODE + 0x90, A_XFS_BUF + 0x80, A_WORKER + 0x1f0, A_KTHREAD + 0xf0 };
	struct fs_event e;

	e = kmalloc_fail(FS_EV_KMALLOC_FAIL, 55, T0, 100000, 128 * KIB, G_KERNEL, site_a, NFRAMES(site_a));
	add(m, &e);
	e = kmalloc_fail(FS_EV_KMALLOC_FAIL, 55, T0 + 1000, 100000, 128 * KIB, G_KERNEL, site_b, NFRAMES(site_b));
	add(m, &e);
	model_finish(m);
	/* Two requests, alike in everything shown: one listed record with a count of 2. */
	assert_int_equal(t->total, 2);
	assert_int_equal(t->nr, 1);
	assert_int_equal(t->list[0].count, 2);
	assert_int_equal(t->list[0].nr_events, 1);
	assert_event(&t->list[0].events[0], FAIL_KMALLOC, 5, 100000, 1);
}

/* A kmalloc failure of another size at the same call site is another allocation, not a repeat. */
static void test_kthread_second_kmalloc_is_another_request(void **state)
{
	struct fixture *f = *state;
	struct model *m = &f->model;
	const struct request_table *t = &m->requests;
	const uint64_t page[] = { A_ALLOC_PAGES + 0x40, A_KMALLOC_LARGE + 0x30, A_KMALLOC_NODE + 0x50,
				  A_XFS_BUF + 0x64, A_WORKER + 0x1f0, A_KTHREAD + 0xf0 };
	const uint64_t kmalloc[] = { A_KMALLOC_NODE + 0x90, A_XFS_BUF + 0x64, A_WORKER + 0x1f0, A_KTHREAD + 0xf0 };
	struct fs_event e;

	e = page_fail(55, T0, 5, G_KERNEL | G_COMP, page, NFRAMES(page));
	add(m, &e);
	e = kmalloc_fail(FS_EV_KMALLOC_FAIL, 55, T0 + 1000, 100000, 128 * KIB, G_KERNEL, kmalloc, NFRAMES(kmalloc));
	add(m, &e);
	e = kmalloc_fail(FS_EV_KMALLOC_FAIL, 55, T0 + 2000, 90000, 128 * KIB, G_KERNEL, kmalloc, NFRAMES(kmalloc));
	add(m, &e);
	assert_int_equal(t->nr, 1);
	assert_int_equal(t->list[0].nr_events, 2);
	assert_int_equal(t->list[0].bytes, 100000);
	model_finish(m);
	assert_int_equal(t->nr, 2);
	assert_int_equal(t->list[1].nr_events, 1);
	assert_int_equal(t->list[1].bytes, 90000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_thp_retry_is_one_request, setup, teardown),
		cmocka_unit_test_setup_teardown(test_thp_faults_are_separate_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_thp_collapse_is_not_a_fault, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interrupt_keyed_apart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_and_task_close_at_syscall_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_inside_syscall, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_idle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kthread_join_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kthread_second_kmalloc_is_another_request, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kthread_repeat_from_one_call_site, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
