/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the failed-request tests share: a made-up kernel (symbols, gfp
 * bits, the stacks the decoder hands the model), a model fixture over it,
 * builders of synthetic events and of hand-filled requests.  Included by
 * tests/unit/test_request*.c after <cmocka.h>.
 */
#ifndef FS_TESTS_REQUEST_FIXTURE_H
#define FS_TESTS_REQUEST_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/request_line.h"
#include "kernel/kernel_info.h"
#include "kernel/ksyms.h"
#include "model/model.h"
#include "model/request.h"
#include "model/requests.h"

#define T0 1000000000ULL /* the trace start, in ns */
#define MS (1000 * 1000ULL)
#define KIB 1024ULL
#define MIB (1024 * 1024ULL)
#define GIB (1024 * 1024 * 1024ULL)
#define ENOMEM_RET (-12)
#define NO_RLIMIT (~0ULL)
/* "iptables-restore" as the kernel keeps it: 15 characters and the NUL. */
#define IPT_COMM "iptables-restor"

/* gfp bits as x86 kernels have them; the fixture's kernel names the ones the model reads. */
#define G_MOVABLE (1u << 3)
#define G_IO (1u << 6)
#define G_FS (1u << 7)
#define G_DIRECT_RECLAIM (1u << 10)
#define G_KSWAPD_RECLAIM (1u << 11)
#define G_NOWARN (1u << 13)
#define G_NORETRY (1u << 16)
#define G_COMP (1u << 18)
#define G_KERNEL (G_DIRECT_RECLAIM | G_KSWAPD_RECLAIM | G_IO | G_FS)
/* kvmalloc's kmalloc attempt: it has a fallback, so no warning and no hard retry. */
#define G_KVMALLOC_KMALLOC (G_KERNEL | G_NOWARN | G_NORETRY | G_COMP)
/* GFP_TRANSHUGE_LIGHT: no direct reclaim (THP defrag "madvise" for a plain fault). */
#define G_THP (G_MOVABLE | G_IO | G_FS | G_COMP | G_NOWARN)

/* Text addresses of a made-up kernel. */
enum {
	A_ALLOC_PAGES = 0x1000, A_ALLOC_MPOL = 0x2000, A_KMALLOC_LARGE = 0x3000, A_KMALLOC_NODE = 0x4000,
	A_KVMALLOC = 0x5000, A_VM_AREA_PAGES = 0x6000, A_VMALLOC_AREA = 0x7000, A_VMALLOC_RANGE = 0x8000,
	A_KMEM_CACHE = 0x9000, A_VMA_FOLIO = 0xa000, A_XT_ALLOC = 0xb000, A_IPT_SET = 0xc000,
	A_SYS_SETSOCKOPT = 0xd000, A_DO_SYSCALL = 0xe000, A_D_ALLOC = 0xf000, A_SYS_OPENAT = 0x10000,
	A_THP_FAULT = 0x11000, A_HANDLE_MM_FAULT = 0x12000, A_USER_FAULT = 0x13000, A_EXC_FAULT = 0x14000,
	A_RX_REFILL = 0x15000, A_NET_RX = 0x16000, A_SOFTIRQS = 0x17000, A_IRQ_EXIT = 0x18000,
	A_SYSVEC_TIMER = 0x19000, A_ASM_SYSVEC_TIMER = 0x1a000, A_BPF_REFILL = 0x1b000, A_IRQ_WORK_RUN = 0x1c000,
	A_ASM_SYSVEC_IRQ_WORK = 0x1d000, A_XFS_BUF = 0x1e000, A_WORKER = 0x1f000, A_KTHREAD = 0x20000,
	A_RET_FROM_FORK = 0x21000, A_BUDDY_HUGETLB = 0x22000, A_FRESH_HUGETLB = 0x23000, A_POOL_HUGE = 0x24000,
	A_SET_MAX_HUGE = 0x25000, A_SYS_WRITE = 0x26000, A_FOLIO_ALLOC = 0x27000, A_CHARGE_FOLIO = 0x28000,
	A_COLLAPSE = 0x29000, A_SCAN_PMD = 0x2a000, A_KHUGEPAGED = 0x2b000, A_MADV_COLLAPSE = 0x2c000,
	A_SYS_MADVISE = 0x2d000, A_END = 0x2e000,
};

static const struct {
	uint64_t addr;
	const char *name;
} symbols[] = {
	{ A_ALLOC_PAGES, "__alloc_frozen_pages_noprof" },
	{ A_ALLOC_MPOL, "alloc_pages_mpol" },
	{ A_KMALLOC_LARGE, "__kmalloc_large_node_noprof" },
	{ A_KMALLOC_NODE, "__kmalloc_node_noprof" },
	{ A_KVMALLOC, "__kvmalloc_node_noprof" },
	{ A_VM_AREA_PAGES, "vm_area_alloc_pages" },
	{ A_VMALLOC_AREA, "__vmalloc_area_node" },
	{ A_VMALLOC_RANGE, "__vmalloc_node_range_noprof" },
	{ A_KMEM_CACHE, "kmem_cache_alloc_noprof" },
	{ A_VMA_FOLIO, "vma_alloc_folio_noprof" },
	{ A_XT_ALLOC, "xt_alloc_table_info" },
	{ A_IPT_SET, "do_ipt_set_ctl" },
	{ A_SYS_SETSOCKOPT, "__x64_sys_setsockopt" },
	{ A_DO_SYSCALL, "do_syscall_64" },
	{ A_D_ALLOC, "d_alloc" },
	{ A_SYS_OPENAT, "__x64_sys_openat" },
	{ A_THP_FAULT, "do_huge_pmd_anonymous_page" },
	{ A_HANDLE_MM_FAULT, "handle_mm_fault" },
	{ A_USER_FAULT, "do_user_addr_fault" },
	{ A_EXC_FAULT, "exc_page_fault" },
	{ A_RX_REFILL, "e1000_alloc_rx_buffers" },
	{ A_NET_RX, "net_rx_action" },
	{ A_SOFTIRQS, "handle_softirqs" },
	{ A_IRQ_EXIT, "__irq_exit_rcu" },
	{ A_SYSVEC_TIMER, "sysvec_apic_timer_interrupt" },
	{ A_ASM_SYSVEC_TIMER, "asm_sysvec_apic_timer_interrupt" },
	{ A_BPF_REFILL, "bpf_mem_refill" },
	{ A_IRQ_WORK_RUN, "irq_work_run" },
	{ A_ASM_SYSVEC_IRQ_WORK, "asm_sysvec_irq_work" },
	{ A_XFS_BUF, "xfs_buf_alloc_pages" },
	{ A_WORKER, "worker_thread" },
	{ A_KTHREAD, "kthread" },
	{ A_RET_FROM_FORK, "ret_from_fork" },
	{ A_BUDDY_HUGETLB, "alloc_buddy_hugetlb_folio" },
	{ A_FRESH_HUGETLB, "alloc_fresh_hugetlb_folio" },
	{ A_POOL_HUGE, "alloc_pool_huge_folio" },
	{ A_SET_MAX_HUGE, "set_max_huge_pages" },
	{ A_SYS_WRITE, "__x64_sys_write" },
	{ A_FOLIO_ALLOC, "__folio_alloc_noprof" },
	{ A_CHARGE_FOLIO, "alloc_charge_folio" },
	{ A_COLLAPSE, "collapse_huge_page" },
	{ A_SCAN_PMD, "hpage_collapse_scan_pmd" },
	{ A_KHUGEPAGED, "khugepaged" },
	{ A_MADV_COLLAPSE, "madvise_collapse" },
	{ A_SYS_MADVISE, "__x64_sys_madvise" },
};

/* The stacks, innermost first, as the decoder hands them to the model. */
static const uint64_t kvmalloc_page_stack[] = { A_ALLOC_PAGES + 0x40, A_KMALLOC_LARGE + 0x30, A_KMALLOC_NODE + 0x50,
						A_KVMALLOC + 0x60, A_XT_ALLOC + 0x2e, A_IPT_SET + 0x90,
						A_SYS_SETSOCKOPT + 0x20, A_DO_SYSCALL + 0x80 };
static const uint64_t kvmalloc_kmalloc_stack[] = { A_KMALLOC_NODE + 0x90, A_KVMALLOC + 0x60, A_XT_ALLOC + 0x2e,
						   A_IPT_SET + 0x90, A_SYS_SETSOCKOPT + 0x20, A_DO_SYSCALL + 0x80 };
static const uint64_t kvmalloc_vmalloc_stack[] = { A_ALLOC_PAGES + 0x40, A_VM_AREA_PAGES + 0x70,
						   A_VMALLOC_AREA + 0x110, A_VMALLOC_RANGE + 0x200,
						   A_KVMALLOC + 0xa0, A_XT_ALLOC + 0x2e, A_IPT_SET + 0x90,
						   A_SYS_SETSOCKOPT + 0x20, A_DO_SYSCALL + 0x80 };
static const uint64_t slab_stack[] = { A_KMEM_CACHE + 0x10, A_D_ALLOC + 0x1c, A_SYS_OPENAT + 0x44,
				       A_DO_SYSCALL + 0x80 };
static const uint64_t thp_fault_stack[] = { A_ALLOC_PAGES + 0x40, A_ALLOC_MPOL + 0x20, A_VMA_FOLIO + 0x30,
					    A_THP_FAULT + 0x50, A_HANDLE_MM_FAULT + 0x300, A_USER_FAULT + 0x1a0,
					    A_EXC_FAULT + 0x70 };
/* khugepaged collapsing a PMD; MADV_COLLAPSE doing the same in madvise(). */
static const uint64_t khugepaged_stack[] = { A_ALLOC_PAGES + 0x40, A_FOLIO_ALLOC + 0x10, A_CHARGE_FOLIO + 0x30,
					     A_COLLAPSE + 0x80, A_SCAN_PMD + 0x400, A_KHUGEPAGED + 0x200,
					     A_KTHREAD + 0xf0, A_RET_FROM_FORK + 0x30 };
static const uint64_t madv_collapse_stack[] = { A_ALLOC_PAGES + 0x40, A_FOLIO_ALLOC + 0x10, A_CHARGE_FOLIO + 0x30,
						A_COLLAPSE + 0x80, A_MADV_COLLAPSE + 0x150, A_SYS_MADVISE + 0x40,
						A_DO_SYSCALL + 0x80 };
/* A network receive softirq run on the way out of a timer interrupt, over a task in setsockopt. */
static const uint64_t softirq_stack[] = { A_ALLOC_PAGES + 0x40, A_RX_REFILL + 0x88, A_NET_RX + 0x120,
					  A_SOFTIRQS + 0xd0, A_IRQ_EXIT + 0x60, A_SYSVEC_TIMER + 0x70,
					  A_ASM_SYSVEC_TIMER + 0x1a, A_IPT_SET + 0x90, A_SYS_SETSOCKOPT + 0x20,
					  A_DO_SYSCALL + 0x80 };
/* An irq_work interrupt over the same task. */
static const uint64_t irq_stack[] = { A_ALLOC_PAGES + 0x40, A_BPF_REFILL + 0x44, A_IRQ_WORK_RUN + 0x30,
				      A_ASM_SYSVEC_IRQ_WORK + 0x1a, A_IPT_SET + 0x90, A_SYS_SETSOCKOPT + 0x20,
				      A_DO_SYSCALL + 0x80 };
static const uint64_t kthread_stack[] = { A_ALLOC_PAGES + 0x40, A_XFS_BUF + 0x64, A_WORKER + 0x1f0,
					  A_KTHREAD + 0xf0, A_RET_FROM_FORK + 0x30 };

#define NFRAMES(a) ((uint32_t)(sizeof(a) / sizeof(*(a))))

struct fixture {
	struct kernel_info kinfo;
	struct ksyms *ksyms;
	struct model model;
};

static inline int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	static const struct gfp_name names[] = {
		{ G_MOVABLE, "__GFP_MOVABLE" }, { G_DIRECT_RECLAIM, "__GFP_DIRECT_RECLAIM" },
		{ G_NOWARN, "__GFP_NOWARN" },   { G_COMP, "__GFP_COMP" },
		{ G_NORETRY, "__GFP_NORETRY" },
	};

	f->kinfo.page_size = 4096;
	f->kinfo.pmd_order = 9;
	f->kinfo.gfp.n = sizeof(names) / sizeof(*names);
	memcpy(f->kinfo.gfp.flags, names, sizeof(names));
	f->ksyms = ksyms_new();
	for (size_t i = 0; i < sizeof(symbols) / sizeof(*symbols); i++)
		ksyms_add(f->ksyms, symbols[i].addr, symbols[i].name, NULL);
	ksyms_add(f->ksyms, A_END, NULL, NULL);
	ksyms_sort(f->ksyms);
	model_init(&f->model, &f->kinfo, f->ksyms, NULL, T0);
	f->model.requests.syscall_ends_traced = true; /* a live trace with the sys_exit probe */
	*state = f;
	return 0;
}

static inline int teardown(void **state)
{
	struct fixture *f = *state;

	model_free(&f->model);
	ksyms_free(f->ksyms);
	free(f);
	return 0;
}

static inline struct fs_event event(uint32_t type, uint32_t tid, uint64_t ts, const uint64_t *frames, uint32_t nr)
{
	struct fs_event e;

	memset(&e, 0, sizeof(e));
	e.hdr.type = type;
	e.hdr.pid = tid;
	e.hdr.tid = tid;
	e.hdr.ts_ns = ts;
	snprintf(e.hdr.comm, sizeof(e.hdr.comm), "task%u", tid);
	e.hdr.nr_frames = nr;
	if (nr)
		memcpy(e.frames, frames, nr * sizeof(*frames));
	return e;
}

static inline struct fs_event page_fail(uint32_t tid, uint64_t ts, uint32_t order, uint64_t gfp,
					const uint64_t *frames, uint32_t nr)
{
	struct fs_event e = event(FS_EV_PAGE_FAIL, tid, ts, frames, nr);

	e.page.order = order;
	e.page.gfp = gfp;
	return e;
}

static inline struct fs_event kmalloc_fail(uint32_t type, uint32_t tid, uint64_t ts, uint64_t bytes_req,
					   uint64_t bytes_alloc, uint64_t gfp, const uint64_t *frames, uint32_t nr)
{
	struct fs_event e = event(type, tid, ts, frames, nr);

	e.kmalloc.bytes_req = bytes_req;
	e.kmalloc.bytes_alloc = bytes_alloc;
	e.kmalloc.gfp = gfp;
	e.kmalloc.call_site = frames[1];
	return e;
}

/* A syscall's exit, the task's mm small and its rlimits unlimited. */
static inline struct fs_event syscall_end(uint32_t tid, uint64_t ts, int nr, int ret, uint32_t nr_failures)
{
	struct fs_event e = event(FS_EV_SYSCALL_END, tid, ts, NULL, 0);

	e.sys.nr = nr;
	e.sys.ret = ret;
	e.sys.nr_failures = nr_failures;
	e.sys.map_count = 40;
	e.sys.total_vm = 2560; /* 10 MiB */
	e.sys.data_vm = 512;   /* 2 MiB */
	e.sys.rlimit_as = NO_RLIMIT;
	e.sys.rlimit_data = NO_RLIMIT;
	return e;
}

static inline void add(struct model *m, const struct fs_event *e)
{
	assert_int_equal(model_add_event(m, e), 0);
}

static inline void set_task(struct fs_event *e, uint32_t pid, const char *comm, uint64_t cgroup_id)
{
	e->hdr.pid = pid;
	snprintf(e->hdr.comm, sizeof(e->hdr.comm), "%s", comm);
	e->hdr.cgroup_id = cgroup_id;
}

#define KV_BYTES 4000000ULL /* 3.8 MiB: kmalloc_large order 10 */

/*
 * What the kernel traces for a kvmalloc of KV_BYTES that kmalloc cannot
 * serve: the order-10 page failure inside kmalloc_large, kmalloc's
 * failure twice (kmalloc_large and __do_kmalloc_node both trace it), then,
 * with_vmalloc, two order-0 page failures inside vmalloc.
 */
static inline void kvmalloc_failures(struct model *m, uint32_t tid, uint64_t ts, uint64_t kmalloc_gfp,
				     bool with_vmalloc, uint64_t memcg_usage_pages, uint64_t memcg_limit_pages)
{
	struct fs_event e[5];
	int n = 0;

	e[n++] = page_fail(tid, ts, 10, kmalloc_gfp, kvmalloc_page_stack, NFRAMES(kvmalloc_page_stack));
	for (int i = 0; i < 2; i++)
		e[n++] = kmalloc_fail(FS_EV_KMALLOC_FAIL, tid, ts + 1000 + i * 100, KV_BYTES, 4 * MIB, kmalloc_gfp,
				      kvmalloc_kmalloc_stack, NFRAMES(kvmalloc_kmalloc_stack));
	for (int i = 0; with_vmalloc && i < 2; i++) {
		e[n] = page_fail(tid, ts + 5000 + i * 100, 0, G_KERNEL | G_NOWARN, kvmalloc_vmalloc_stack,
				 NFRAMES(kvmalloc_vmalloc_stack));
		e[n++].page.vmalloc_bytes = KV_BYTES + 2 * 4096; /* rounded up to pages, and the guard page */
	}
	for (int i = 0; i < n; i++) {
		set_task(&e[i], 4182, IPT_COMM, 77);
		e[i].hdr.memcg_usage_pages = memcg_usage_pages;
		e[i].hdr.memcg_limit_pages = memcg_limit_pages;
		add(m, &e[i]);
	}
}

static inline void assert_event(const struct request_event *e, enum failure_kind kind, uint32_t order,
				uint64_t bytes, uint32_t count)
{
	assert_int_equal(e->kind, kind);
	assert_int_equal(e->order, order);
	assert_int_equal(e->bytes, bytes);
	assert_int_equal(1 + e->repeats, count);
}

static inline const char *line_of(const struct request *r, char *buf, size_t len)
{
	size_t n = request_line(r, 4096, buf, len);

	assert_int_equal(n, strlen(buf));
	return buf;
}


#define NO_ZONE_STATE "no zone state near the request"

static inline struct request plain_request(enum request_api api, uint32_t order, uint64_t bytes)
{
	struct request r;

	request_init(&r);
	r.api = api;
	r.order = order;
	r.bytes = bytes;
	return r;
}

static inline void set_memcg(struct request *r, uint64_t usage, uint64_t limit)
{
	r->evidence.have |= EVIDENCE_MEMCG;
	r->evidence.memcg_usage_bytes = usage;
	r->evidence.memcg_limit_bytes = limit;
}

/* The task's nodes as BPF read them at its page failure. */
static inline void set_nodes(struct request *r, uint32_t read, uint32_t policy_mode, uint64_t policy_nodes,
			     uint64_t cpuset_nodes)
{
	r->evidence.have |= EVIDENCE_NODES;
	r->evidence.nodes_read = read;
	r->evidence.policy_mode = policy_mode;
	r->evidence.policy_nodes = policy_nodes;
	r->evidence.cpuset_nodes = cpuset_nodes;
}

static inline struct zone_evidence *add_zone(struct request *r, const char *name, uint64_t free_pages,
					     uint64_t min_pages)
{
	struct zone_evidence *z = &r->evidence.zones[r->evidence.nr_zones++];

	memset(z, 0, sizeof(*z));
	snprintf(z->name, sizeof(z->name), "%s", name);
	z->free_pages = free_pages;
	z->min_pages = min_pages;
	z->low_pages = min_pages * 5 / 4;
	z->high_pages = min_pages * 3 / 2;
	r->evidence.have |= EVIDENCE_ZONES;
	return z;
}

static inline void set_commit(struct request *r, uint32_t mode, uint64_t committed_kb, uint64_t limit_kb,
			      uint64_t ram_swap_kb)
{
	r->evidence.have |= EVIDENCE_COMMIT;
	r->evidence.overcommit_memory = mode;
	r->evidence.committed_as_kb = committed_kb;
	r->evidence.commit_limit_kb = limit_kb;
	r->evidence.ram_swap_kb = ram_swap_kb;
}

static inline void set_rlimit(struct request *r, enum rlimit_kind kind, uint64_t limit, uint64_t used)
{
	r->evidence.have |= EVIDENCE_RLIMIT;
	r->evidence.rlimit = kind;
	r->evidence.rlimit_bytes = limit;
	r->evidence.rlimit_used_bytes = used;
}

static inline void assert_unknown(struct request *r, const char *missing)
{
	assert_int_equal(request_classify(r), CAUSE_UNKNOWN);
	assert_int_equal(r->cause, CAUSE_UNKNOWN);
	assert_string_equal(r->evidence.missing, missing);
}

#endif
