// SPDX-License-Identifier: GPL-2.0
/*
 * Failed requests: the cause rules (request_classify) on hand-filled
 * evidence, the grouping of allocator failures into requests on synthetic
 * events fed to the model (a made-up kernel's symbols, x86 syscall
 * numbers of the build), and the request's one line and JSON object.
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

#include "format/request_json.h"
#include "format/request_line.h"
#include "kernel/kernel_info.h"
#include "kernel/ksyms.h"
#include "model/model.h"
#include "model/request.h"
#include "model/requests.h"
#include "state/state.h"
#include "util/json.h"

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
	A_SET_MAX_HUGE = 0x25000, A_SYS_WRITE = 0x26000, A_END = 0x27000,
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

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	static const struct gfp_name names[] = {
		{ G_MOVABLE, "__GFP_MOVABLE" }, { G_DIRECT_RECLAIM, "__GFP_DIRECT_RECLAIM" },
		{ G_NOWARN, "__GFP_NOWARN" },   { G_COMP, "__GFP_COMP" },
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
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	model_free(&f->model);
	ksyms_free(f->ksyms);
	free(f);
	return 0;
}

static struct fs_event event(uint32_t type, uint32_t tid, uint64_t ts, const uint64_t *frames, uint32_t nr)
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

static struct fs_event page_fail(uint32_t tid, uint64_t ts, uint32_t order, uint64_t gfp, const uint64_t *frames,
				 uint32_t nr)
{
	struct fs_event e = event(FS_EV_PAGE_FAIL, tid, ts, frames, nr);

	e.page.order = order;
	e.page.gfp = gfp;
	return e;
}

static struct fs_event kmalloc_fail(uint32_t type, uint32_t tid, uint64_t ts, uint64_t bytes_req,
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
static struct fs_event syscall_end(uint32_t tid, uint64_t ts, int nr, int ret, uint32_t nr_failures)
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

static void add(struct model *m, const struct fs_event *e)
{
	assert_int_equal(model_add_event(m, e), 0);
}

static void set_task(struct fs_event *e, uint32_t pid, const char *comm, uint64_t cgroup_id)
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
static void kvmalloc_failures(struct model *m, uint32_t tid, uint64_t ts, uint64_t kmalloc_gfp, bool with_vmalloc,
			      uint64_t memcg_usage_pages, uint64_t memcg_limit_pages)
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

static void assert_event(const struct request_event *e, enum failure_kind kind, uint32_t order, uint64_t bytes,
			 uint32_t count)
{
	assert_int_equal(e->kind, kind);
	assert_int_equal(e->order, order);
	assert_int_equal(e->bytes, bytes);
	assert_int_equal(1 + e->repeats, count);
}

static const char *line_of(const struct request *r, char *buf, size_t len)
{
	size_t n = request_line(r, 4096, buf, len);

	assert_int_equal(n, strlen(buf));
	return buf;
}

/* ------------------------------------------------------------------ */
/* 1. The cause rules                                                   */

static struct request plain_request(enum request_api api, uint32_t order, uint64_t bytes)
{
	struct request r;

	request_init(&r);
	r.api = api;
	r.order = order;
	r.bytes = bytes;
	return r;
}

static void set_memcg(struct request *r, uint64_t usage, uint64_t limit)
{
	r->evidence.have |= EVIDENCE_MEMCG;
	r->evidence.memcg_usage_bytes = usage;
	r->evidence.memcg_limit_bytes = limit;
}

static struct zone_evidence *add_zone(struct request *r, const char *name, uint64_t free_pages, uint64_t min_pages)
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

static void set_commit(struct request *r, uint32_t mode, uint64_t committed_kb, uint64_t limit_kb, uint64_t ram_swap_kb)
{
	r->evidence.have |= EVIDENCE_COMMIT;
	r->evidence.overcommit_memory = mode;
	r->evidence.committed_as_kb = committed_kb;
	r->evidence.commit_limit_kb = limit_kb;
	r->evidence.ram_swap_kb = ram_swap_kb;
}

static void set_rlimit(struct request *r, enum rlimit_kind kind, uint64_t limit, uint64_t used)
{
	r->evidence.have |= EVIDENCE_RLIMIT;
	r->evidence.rlimit = kind;
	r->evidence.rlimit_bytes = limit;
	r->evidence.rlimit_used_bytes = used;
}

static void assert_unknown(struct request *r, const char *missing)
{
	assert_int_equal(request_classify(r), CAUSE_UNKNOWN);
	assert_int_equal(r->cause, CAUSE_UNKNOWN);
	assert_string_equal(r->evidence.missing, missing);
}

#define NO_ZONE_STATE "no zone state near the request"

static void test_memcg_at_limit_slack(void **state)
{
	const uint64_t limit = 64 * MIB, slack = limit / 64;

	(void)state;
	/* Within limit/64 of the limit after the request: at the limit. */
	assert_true(memcg_at_limit(limit - slack - 4096, limit, 4096));
	assert_false(memcg_at_limit(limit - slack - 4097, limit, 4096));
	/* A request of unknown size counts as one unit. */
	assert_true(memcg_at_limit(limit - slack - 1, limit, 0));
	assert_false(memcg_at_limit(limit - slack - 2, limit, 0));
	/* No limit: zero, or the kernel's PAGE_COUNTER_MAX far above any memory. */
	assert_false(memcg_at_limit(5, 0, 4096));
	assert_false(memcg_at_limit(1ULL << 60, 1ULL << 60, 4096));
	assert_true(memcg_at_limit((1ULL << 60) - 1, (1ULL << 60) - 1, 4096));
}

static void test_cause_memcg_limit(void **state)
{
	const uint64_t limit = 64 * MIB, slack = limit / 64;
	struct request r = plain_request(API_KMALLOC, 0, 4096);

	(void)state;
	set_memcg(&r, limit - slack - 4096, limit);
	assert_int_equal(request_classify(&r), CAUSE_MEMCG_LIMIT);
	assert_string_equal(r.evidence.missing, "");
	/* One byte more room than the slack: not the cgroup, and nothing else known. */
	set_memcg(&r, limit - slack - 4097, limit);
	assert_unknown(&r, NO_ZONE_STATE);
	/* Known again: the text of what was missing goes. */
	set_memcg(&r, limit, limit);
	assert_int_equal(request_classify(&r), CAUSE_MEMCG_LIMIT);
	assert_string_equal(r.evidence.missing, "");
}

static void test_cause_zones(void **state)
{
	struct request r = plain_request(API_PAGE, 4, 64 * KIB);
	struct zone_evidence *dma32, *normal;

	(void)state;
	/* Normal has room above min + 16 pages but nothing of order >= 4: fragmentation. */
	normal = add_zone(&r, "Normal", 1000 + 16, 1000);
	normal->free_blocks[0] = 500;
	normal->free_blocks[3] = 64;
	assert_int_equal(request_classify(&r), CAUSE_FRAGMENTATION);
	/* A block of the order, or of a higher one, serves the request: not fragmentation. */
	normal->free_blocks[4] = 1;
	assert_unknown(&r, "a zone had free memory and a free block of the order when sampled");
	normal->free_blocks[4] = 0;
	normal->free_blocks[FS_ORDERS - 1] = 1;
	assert_unknown(&r, "a zone had free memory and a free block of the order when sampled");
	normal->free_blocks[FS_ORDERS - 1] = 0;
	/* A zone below min + request does not count, even with the blocks. */
	dma32 = add_zone(&r, "DMA32", 1000 + 15, 1000);
	dma32->free_blocks[10] = 2;
	assert_int_equal(request_classify(&r), CAUSE_FRAGMENTATION);
	/* ...until it is above: the block is in an allowed zone. */
	dma32->free_pages = 1000 + 16;
	assert_unknown(&r, "a zone had free memory and a free block of the order when sampled");
	/* A caller that cannot reclaim, with a block there when sampled: it could not wait for it. */
	r.can_reclaim = false;
	assert_int_equal(request_classify(&r), CAUSE_NO_RECLAIM_CONTEXT);
	/* Every zone under its min watermark + request: low memory, or no reclaim context. */
	normal->free_pages = dma32->free_pages = 1000 + 15;
	assert_int_equal(request_classify(&r), CAUSE_NO_RECLAIM_CONTEXT);
	r.can_reclaim = true;
	assert_int_equal(request_classify(&r), CAUSE_LOW_MEMORY);
	/* Fragmentation is decided before the gfp mode. */
	normal->free_pages = 1000 + 16;
	r.can_reclaim = false;
	assert_int_equal(request_classify(&r), CAUSE_FRAGMENTATION);
}

static void test_cause_no_reclaim_without_zones(void **state)
{
	struct request r = plain_request(API_PAGE, 2, 16 * KIB);

	(void)state;
	assert_unknown(&r, NO_ZONE_STATE);
	r.can_reclaim = false;
	assert_int_equal(request_classify(&r), CAUSE_NO_RECLAIM_CONTEXT);
	assert_string_equal(r.evidence.missing, "");
}

static void test_cause_commit(void **state)
{
	struct request r = plain_request(API_COMMIT, 0, 1 * GIB); /* 1048576 kB */

	(void)state;
	assert_unknown(&r, "no commit figures (/proc/meminfo, vm.overcommit_memory)");
	/* overcommit_memory=2: Committed_AS + the request past CommitLimit. */
	set_commit(&r, 2, 1000000, 1000000 + 1048576 - 1, 0);
	assert_int_equal(request_classify(&r), CAUSE_COMMIT_LIMIT);
	r.evidence.commit_limit_kb = 1000000 + 1048576;
	assert_unknown(&r, "the size fit the commit limit, the rlimits and the map count");
	/* The reserve held back from non-root callers counts against it. */
	r.evidence.commit_reserve_kb = 1;
	assert_int_equal(request_classify(&r), CAUSE_COMMIT_LIMIT);
	/* overcommit_memory=0: only a request larger than RAM + swap is refused. */
	set_commit(&r, 0, 1000000, 10, 1048575);
	assert_int_equal(request_classify(&r), CAUSE_OVERCOMMIT_HEURISTIC);
	r.evidence.ram_swap_kb = 1048576;
	assert_unknown(&r, "the size fit the commit limit, the rlimits and the map count");
	/* overcommit_memory=1 never refuses. */
	set_commit(&r, 1, 1000000, 10, 10);
	assert_unknown(&r, "the size fit the commit limit, the rlimits and the map count");
	/* The map count, then the rlimits, come before the commit figures. */
	set_commit(&r, 2, 1000000, 10, 0);
	r.evidence.have |= EVIDENCE_MAP_COUNT;
	r.evidence.map_count = 65530;
	r.evidence.max_map_count = 65530;
	assert_int_equal(request_classify(&r), CAUSE_MAX_MAP_COUNT);
	r.evidence.map_count = 65529;
	assert_int_equal(request_classify(&r), CAUSE_COMMIT_LIMIT);
	set_rlimit(&r, RLIMIT_KIND_AS, 2 * GIB, 1 * GIB + 1);
	assert_int_equal(request_classify(&r), CAUSE_RLIMIT);
}

static void test_cause_rlimit(void **state)
{
	struct request r = plain_request(API_COMMIT, 0, 256 * MIB);

	(void)state;
	set_rlimit(&r, RLIMIT_KIND_AS, 1 * GIB, 1 * GIB - 256 * MIB + 1);
	assert_int_equal(request_classify(&r), CAUSE_RLIMIT);
	/* Exactly at the limit after the request: allowed. */
	r.evidence.rlimit_used_bytes = 1 * GIB - 256 * MIB;
	assert_unknown(&r, "no commit figures (/proc/meminfo, vm.overcommit_memory)");
	set_rlimit(&r, RLIMIT_KIND_DATA, 64 * MIB, 2 * MIB);
	assert_int_equal(request_classify(&r), CAUSE_RLIMIT);
	assert_int_equal(r.evidence.rlimit, RLIMIT_KIND_DATA);
	/* A kind of none is no rlimit evidence. */
	r.evidence.rlimit = RLIMIT_KIND_NONE;
	assert_unknown(&r, "no commit figures (/proc/meminfo, vm.overcommit_memory)");
	/* Rlimits are the mapping's: a kmalloc is never refused by one. */
	r = plain_request(API_KMALLOC, 0, 256 * MIB);
	set_rlimit(&r, RLIMIT_KIND_AS, 1, 1);
	assert_unknown(&r, NO_ZONE_STATE);
}

static void test_cause_vmap_hugetlb_untraced(void **state)
{
	struct request r = plain_request(API_VMALLOC, 0, 64 * MIB);

	(void)state;
	/* A vmap area failure, or vmap evidence: no vmalloc address space. */
	request_add_event(&r, FAIL_VMAP_AREA, 14, 64 * MIB);
	assert_int_equal(request_classify(&r), CAUSE_VMAP_SPACE);
	r = plain_request(API_VMALLOC, 0, 64 * MIB);
	r.evidence.have |= EVIDENCE_VMAP;
	assert_int_equal(request_classify(&r), CAUSE_VMAP_SPACE);

	/* The hugetlb pool had fewer pages than asked. */
	r = plain_request(API_HUGETLB, 9, 8 * MIB);
	r.evidence.have |= EVIDENCE_HUGETLB;
	r.evidence.hugetlb_asked = 4;
	r.evidence.hugetlb_got = 3;
	assert_int_equal(request_classify(&r), CAUSE_HUGETLB_POOL);
	r.evidence.hugetlb_got = 4;
	assert_unknown(&r, NO_ZONE_STATE);
	/* The pool figures say nothing of another api. */
	r.evidence.hugetlb_got = 3;
	r.api = API_PAGE;
	assert_unknown(&r, NO_ZONE_STATE);

	/* Untraced: unknown, and why. */
	r = plain_request(API_UNTRACED, 0, 0);
	assert_unknown(&r, "the allocation that failed fires no tracepoint");
	/* Untraced even with zone state: no allocation to judge against it. */
	add_zone(&r, "Normal", 10, 1000);
	assert_unknown(&r, "the allocation that failed fires no tracepoint");
}

static void test_cause_precedence(void **state)
{
	struct request r = plain_request(API_KVMALLOC, 10, KV_BYTES);

	(void)state;
	/* Everything at once: vmap beats the cgroup... */
	request_add_event(&r, FAIL_KMALLOC, 10, KV_BYTES);
	request_add_event(&r, FAIL_VMAP_AREA, 10, KV_BYTES);
	set_memcg(&r, 10 * MIB, 10 * MIB);
	add_zone(&r, "Normal", 1000 + 1024, 1000); /* fragmentation: no block of order 10 */
	assert_int_equal(request_classify(&r), CAUSE_VMAP_SPACE);
	/* ...the cgroup beats the zones... */
	r.nr_events = 1;
	assert_int_equal(request_classify(&r), CAUSE_MEMCG_LIMIT);
	r.evidence.have &= ~EVIDENCE_MEMCG;
	assert_int_equal(request_classify(&r), CAUSE_FRAGMENTATION);
	/* ...and an untraced allocation (percpu and page tables are charged too)... */
	r = plain_request(API_UNTRACED, 0, 0);
	set_memcg(&r, 10 * MIB, 10 * MIB);
	assert_int_equal(request_classify(&r), CAUSE_MEMCG_LIMIT);
	/* ...but neither the hugetlb pool nor a mapping refused up front: no cgroup is charged for them. */
	r.api = API_HUGETLB;
	r.bytes = 4 * MIB;
	r.evidence.have |= EVIDENCE_HUGETLB;
	r.evidence.hugetlb_asked = 2;
	assert_int_equal(request_classify(&r), CAUSE_HUGETLB_POOL);
	r.evidence.hugetlb_got = 2;
	assert_unknown(&r, NO_ZONE_STATE);
	r.api = API_COMMIT;
	set_commit(&r, 2, 100, 10, 0);
	assert_int_equal(request_classify(&r), CAUSE_COMMIT_LIMIT);
	set_commit(&r, 1, 100, 10, 0);
	assert_unknown(&r, "the size fit the commit limit, the rlimits and the map count");
	/* vmap evidence beats the commit rules too. */
	r.api = API_COMMIT;
	r.evidence.have = EVIDENCE_VMAP | EVIDENCE_COMMIT;
	assert_int_equal(request_classify(&r), CAUSE_VMAP_SPACE);
}

static void test_allocator_functions(void **state)
{
	static const char *const allocators[] = {
		"__alloc_frozen_pages_noprof", "alloc_pages_mpol", "__kmalloc_large_node_noprof", "__kmalloc_node_noprof",
		"__kvmalloc_node_noprof", "kvmalloc_node", "__vmalloc_node_range_noprof", "vm_area_alloc_pages",
		"kmem_cache_alloc_noprof", "___slab_alloc.isra.0", "vma_alloc_folio_noprof", "alloc_vmap_area",
		"warn_alloc", "obj_cgroup_charge", "alloc_buddy_hugetlb_folio.isra.0", NULL,
	};
	static const char *const callers[] = {
		"xt_alloc_table_info", "do_huge_pmd_anonymous_page", "d_alloc", "xfs_buf_alloc_pages",
		"bpf_map_area_alloc", "do_syscall_64", "", NULL,
	};

	(void)state;
	for (const char *const *n = allocators; *n; n++)
		assert_true(allocator_function(*n));
	for (const char *const *n = callers; *n; n++)
		assert_false(allocator_function(*n));
}

/* ------------------------------------------------------------------ */
/* 2. Grouping allocator failures into requests                         */

/* (a) kvmalloc's five failures in setsockopt, which returns ENOMEM: one request. */
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
	/* (i) The cgroup's path from model_set_cgroup_path. */
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

/* (b) The kmalloc attempt fails, vmalloc serves it, the syscall succeeds: recovered. */
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

/* (c) A slab failure in a syscall that succeeds: failed, unless the caller said it had a fallback. */
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

/* (d) Two THP faults of one task, 1 ms apart at the same caller: two requests, both recovered. */
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
	assert_int_equal(t->nr, 1); /* the second closed the first */
	model_finish(m);
	assert_int_equal(t->nr, 2);
	for (int i = 0; i < 2; i++) {
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

/* (e) Interrupts over a task in a syscall are requests of their own, not the task's. */
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

/* (f) ENOMEM from a syscall that reached no allocator: commit, hugetlb, untraced. */
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
	/* clone: the child commits the parent's mapped memory again. */
	e = syscall_end(600, T0 + 6 * MS, SYS_clone, ENOMEM_RET, 0);
	add(m, &e);

	assert_int_equal(t->nr, 6);
	for (int i = 0; i < 6; i++) {
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
	assert_int_equal(t->list[5].bytes, 10 * MIB);
	assert_int_equal(t->list[5].cause, CAUSE_UNKNOWN);
	assert_string_equal(t->list[5].evidence.missing, "no commit figures (/proc/meminfo, vm.overcommit_memory)");

	assert_int_equal(t->counts[API_COMMIT][CAUSE_RLIMIT][OUTCOME_FAILED], 2);
	assert_int_equal(t->counts[API_HUGETLB][CAUSE_UNKNOWN][OUTCOME_FAILED], 1);
	assert_int_equal(t->counts[API_UNTRACED][CAUSE_UNKNOWN][OUTCOME_FAILED], 2);
	assert_int_equal(t->counts[API_COMMIT][CAUSE_UNKNOWN][OUTCOME_FAILED], 1);
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

/* A /proc sample with meminfo and the overcommit sysctl, the zones given by the caller. */
static struct state_sample *sample(uint64_t ts)
{
	struct state_sample *s = calloc(1, sizeof(*s));

	s->ts_ns = ts;
	s->has_sysctls = 1;
	s->sysctls.value[STATE_SYSCTL_OVERCOMMIT_MEMORY] = 2;
	s->sysctls.present |= 1ull << STATE_SYSCTL_OVERCOMMIT_MEMORY;
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

/* The evidence the model takes from the latest /proc sample when a request closes. */
static void test_evidence_from_sample(void **state)
{
	struct fixture *f = *state;
	struct model *m = &f->model;
	const struct request_table *t = &m->requests;
	const uint64_t page_stack[] = { A_ALLOC_PAGES + 0x40, A_XT_ALLOC + 0x2e, A_IPT_SET + 0x90,
					A_SYS_SETSOCKOPT + 0x20, A_DO_SYSCALL + 0x80 };
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
	/* mmap of 1 GiB under overcommit_memory=2 with 3 of 3.5 GiB committed. */
	e = syscall_end(700, T0 + 5 * MS, SYS_mmap, ENOMEM_RET, 0);
	e.sys.args[1] = 1 * GIB;
	add(m, &e);
	/* MAP_HUGETLB of 4 MiB: two 2 MiB pages asked, one free and unreserved. */
	e = syscall_end(700, T0 + 6 * MS, SYS_mmap, ENOMEM_RET, 0);
	e.sys.args[1] = 4 * MIB;
	e.sys.args[3] = 0x40022;
	add(m, &e);

	assert_int_equal(t->nr, 4);
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

	assert_int_equal(t->list[3].api, API_HUGETLB);
	assert_int_equal(t->list[3].cause, CAUSE_HUGETLB_POOL);
	assert_int_equal(t->list[3].evidence.hugetlb_asked, 2);
	assert_int_equal(t->list[3].evidence.hugetlb_got, 1);
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

/* (g) The kernel counted failures for a syscall whose events never arrived. */
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
}

/* (h) A kernel thread's request closes once idle REQUEST_IDLE_NS; a syscall's waits for its exit. */
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
	const uint64_t other_caller[] = { A_KMALLOC_NODE + 0x90, A_XFS_BUF + 0x80, A_WORKER + 0x1f0,
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
	/* Another call site at once: another request. */
	e = kmalloc_fail(FS_EV_KMALLOC_FAIL, 55, T0 + 1003 + REQUEST_JOIN_NS + 1, 100000, 128 * KIB, G_KERNEL,
			 other_caller, NFRAMES(other_caller));
	add(m, &e);
	assert_int_equal(t->nr, 2);
	assert_int_equal(t->list[1].nr_events, 1);
	model_finish(m);
	assert_int_equal(t->nr, 3);
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

/* A request lists REQUEST_MAX_EVENTS distinct events and counts the rest; a repeat is no new event. */
static void test_request_events_bounded(void **state)
{
	struct request r;
	char buf[1024];

	(void)state;
	request_init(&r);
	assert_int_equal(r.syscall, -1);
	assert_int_equal(r.stack_id, REQUEST_NO_STACK);
	assert_true(r.can_reclaim);
	for (uint32_t i = 0; i < REQUEST_MAX_EVENTS + 2; i++) {
		request_add_event(&r, FAIL_PAGE, i, 4096ULL << i);
		request_add_event(&r, FAIL_PAGE, i, 4096ULL << i);
	}
	assert_int_equal(r.nr_events, REQUEST_MAX_EVENTS);
	assert_int_equal(r.events_not_listed, 2 * 2);
	assert_event(&r.events[REQUEST_MAX_EVENTS - 1], FAIL_PAGE, REQUEST_MAX_EVENTS - 1,
		     4096ULL << (REQUEST_MAX_EVENTS - 1), 2);
	/* The same kind and order of another size is another event. */
	request_init(&r);
	request_add_event(&r, FAIL_KMALLOC, 3, 30000);
	request_add_event(&r, FAIL_KMALLOC, 3, 31000);
	assert_int_equal(r.nr_events, 2);
	assert_true(request_has_event(&r, FAIL_KMALLOC));
	assert_false(request_has_event(&r, FAIL_PAGE));
	r.api = API_KMALLOC;
	r.bytes = 30000;
	for (uint32_t i = 0; i < REQUEST_MAX_EVENTS; i++)
		request_add_event(&r, i % 2 ? FAIL_SLAB : FAIL_VMAP_AREA, i, 0);
	request_classify(&r);
	assert_string_equal(line_of(&r, buf, sizeof(buf)),
			    "?[0]: kmalloc 29.3 KiB failed (kmalloc order 3, then kmalloc order 3, then vmalloc address "
			    "space, then kmem_cache, then vmalloc address space, then kmem_cache, then vmalloc address "
			    "space, then kmem_cache, +2 more): no vmalloc address space for 29.3 KiB");
}

/* (j) Beyond MODEL_MAX_REQUESTS requests are counted, not listed. */
static void test_requests_bounded(void **state)
{
	struct fixture *f = *state;
	struct model *m = &f->model;
	const struct request_table *t = &m->requests;
	const uint64_t n = MODEL_MAX_REQUESTS + 3;
	struct fs_event e;

	for (uint64_t i = 0; i < n; i++) {
		/* The last three are refused by RLIMIT_AS, the others untraced. */
		e = syscall_end(42, T0 + i * 1000, i < MODEL_MAX_REQUESTS ? SYS_setsockopt : SYS_mmap, ENOMEM_RET, 0);
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

/* ------------------------------------------------------------------ */
/* 3. The line and the JSON object                                      */

static struct request ipt_request(void)
{
	struct request r = plain_request(API_KVMALLOC, 10, KV_BYTES);

	r.pid = r.tid = 4182;
	snprintf(r.comm, sizeof(r.comm), "%s", IPT_COMM);
	snprintf(r.cgroup, sizeof(r.cgroup), "/ipt-seed");
	r.cgroup_id = 77;
	r.context = CONTEXT_SYSCALL;
	r.syscall = SYS_setsockopt;
	r.ret = ENOMEM_RET;
	r.outcome = OUTCOME_FAILED;
	snprintf(r.caller, sizeof(r.caller), "xt_alloc_table_info");
	request_add_event(&r, FAIL_KMALLOC, 10, KV_BYTES);
	request_add_event(&r, FAIL_KMALLOC, 10, KV_BYTES);
	request_add_event(&r, FAIL_VMALLOC, 0, 4096);
	set_memcg(&r, 10240000, 10240000);
	assert_int_equal(request_classify(&r), CAUSE_MEMCG_LIMIT);
	return r;
}

static void test_line_memcg_kvmalloc(void **state)
{
	struct request r = ipt_request();
	char buf[512];
	size_t n;

	(void)state;
	assert_string_equal(line_of(&r, buf, sizeof(buf)),
			    "iptables-restor[4182] /ipt-seed setsockopt → ENOMEM: kvmalloc 3.8 MiB in "
			    "xt_alloc_table_info failed (kmalloc order 10, then vmalloc): memcg /ipt-seed at its "
			    "limit (9.8 MiB of 9.8 MiB)");
	n = request_cause_text(&r, 4096, buf, sizeof(buf));
	assert_int_equal(n, strlen(buf));
	assert_string_equal(buf, "memcg /ipt-seed at its limit (9.8 MiB of 9.8 MiB)");
	/* A short buffer is cut, never overrun. */
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(request_line(&r, 4096, buf, 24), 23);
	assert_string_equal(buf, "iptables-restor[4182] /");
	assert_int_equal(buf[24], 'x');
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

static struct request java_mmap_request(void)
{
	struct request r = plain_request(API_COMMIT, 0, 1 * GIB);

	r.pid = r.tid = 900;
	snprintf(r.comm, sizeof(r.comm), "java");
	snprintf(r.cgroup, sizeof(r.cgroup), "/");
	r.context = CONTEXT_SYSCALL;
	r.syscall = SYS_mmap;
	r.ret = ENOMEM_RET;
	r.outcome = OUTCOME_FAILED;
	set_commit(&r, 2, 3 * MIB, 3 * MIB + 512 * KIB, 8 * MIB);
	assert_int_equal(request_classify(&r), CAUSE_COMMIT_LIMIT);
	return r;
}

static void test_line_commit_limit(void **state)
{
	struct request r = java_mmap_request();
	char buf[512];

	(void)state;
	/* The root cgroup is not named. */
	assert_string_equal(line_of(&r, buf, sizeof(buf)),
			    "java[900] mmap → ENOMEM: commit 1 GiB failed: commit limit: Committed_AS 3 GiB + 1 GiB "
			    "asked > CommitLimit 3.5 GiB (overcommit_memory=2)");
}

static void test_line_fragmentation_and_others(void **state)
{
	struct request r = plain_request(API_PAGE, 4, 64 * KIB);
	struct zone_evidence *z;
	char buf[512];

	(void)state;
	r.pid = r.tid = 55;
	snprintf(r.comm, sizeof(r.comm), "kworker/u4:2");
	r.context = CONTEXT_KTHREAD;
	r.outcome = OUTCOME_FAILED;
	snprintf(r.caller, sizeof(r.caller), "xfs_buf_alloc_pages");
	request_add_event(&r, FAIL_PAGE, 4, 64 * KIB);
	add_zone(&r, "DMA32", 1000, 1000)->free_blocks[9] = 1;
	z = add_zone(&r, "Normal", 102400, 1000);
	z->free_blocks[0] = 90000;
	z->free_blocks[3] = 1550;
	assert_int_equal(request_classify(&r), CAUSE_FRAGMENTATION);
	/* The roomiest zone, and its largest free block. */
	assert_string_equal(line_of(&r, buf, sizeof(buf)),
			    "kworker/u4:2[55] kernel thread: page 64 KiB in xfs_buf_alloc_pages failed (page order 4): "
			    "fragmentation: Normal had 400 MiB free but no free block of order 4 (largest free: "
			    "order 3)");
	/* Low memory. */
	z->free_pages = 1015;
	assert_int_equal(request_classify(&r), CAUSE_LOW_MEMORY);
	assert_string_equal(line_of(&r, buf, sizeof(buf)),
			    "kworker/u4:2[55] kernel thread: page 64 KiB in xfs_buf_alloc_pages failed (page order 4): "
			    "low memory: Normal 4.0 MiB free, min watermark 3.9 MiB");
	/* A syscall this architecture does not name: its number. */
	r.context = CONTEXT_SYSCALL;
	r.syscall = 100000;
	r.ret = ENOMEM_RET;
	assert_string_equal(line_of(&r, buf, sizeof(buf)),
			    "kworker/u4:2[55] syscall 100000 → ENOMEM: page 64 KiB in xfs_buf_alloc_pages failed (page "
			    "order 4): low memory: Normal 4.0 MiB free, min watermark 3.9 MiB");
	/* A syscall whose exit was never seen (closed idle): none named. */
	r.syscall = -1;
	r.ret = 0;
	assert_string_equal(line_of(&r, buf, sizeof(buf)),
			    "kworker/u4:2[55]: page 64 KiB in xfs_buf_alloc_pages failed (page order 4): low memory: "
			    "Normal 4.0 MiB free, min watermark 3.9 MiB");
	/* A softirq's request, recovered, with a cause unknown. */
	r = plain_request(API_PAGE, 2, 16 * KIB);
	r.pid = r.tid = 4182;
	snprintf(r.comm, sizeof(r.comm), "%s", IPT_COMM);
	r.context = CONTEXT_SOFTIRQ;
	r.outcome = OUTCOME_RECOVERED;
	request_add_event(&r, FAIL_PAGE, 2, 16 * KIB);
	request_classify(&r);
	assert_string_equal(line_of(&r, buf, sizeof(buf)),
			    "iptables-restor[4182] in softirq: page 16 KiB recovered (page order 2): cause unknown: "
			    "no zone state near the request");
}

static char *json_of(const struct request *r, const struct request_json_extra *x)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	struct json j;

	json_init(&j, out, false);
	request_write_json(&j, r, x);
	json_finish(&j);
	fclose(out);
	return text;
}

static void test_json(void **state)
{
	struct request r = java_mmap_request();
	struct request_json_extra x = { .time_s = 1.5, .page_size = 4096 };
	static const char *const frames[] = { "__alloc_frozen_pages_noprof", "e1000_alloc_rx_buffers" };
	struct zone_evidence *z;
	char *text, expected[1024];

	(void)state;
	set_rlimit(&r, RLIMIT_KIND_DATA, 4 * GIB, 2 * GIB);
	r.evidence.have &= ~EVIDENCE_RLIMIT; /* known but not filled: not written */
	text = json_of(&r, &x);
	snprintf(expected, sizeof(expected),
			    "{\"time_s\":1.5,\"comm\":\"java\",\"pid\":900,\"tid\":900,\"cgroup\":\"/\",\"cgroup_id\":0,"
			    "\"context\":\"syscall\",\"api\":\"commit\",\"bytes\":1073741824,\"order\":0,\"gfp\":\"\","
			    "\"can_reclaim\":true,\"caller\":\"\",\"syscall\":\"mmap\",\"syscall_nr\":%d,\"ret\":-12,"
			    "\"outcome\":\"failed\",\"cause\":\"commit_limit\",\"why\":\"commit limit: Committed_AS 3 GiB + "
			    "1 GiB asked > CommitLimit 3.5 GiB (overcommit_memory=2)\",\"evidence\":{\"overcommit_memory\":2,"
			    "\"committed_as_kb\":3145728,\"commit_limit_kb\":3670016,\"commit_reserve_kb\":0,"
			    "\"ram_swap_kb\":8388608},\"events\":[],\"events_not_listed\":0,\"stack\":[],\"line\":\"java[900] "
			    "mmap → ENOMEM: commit 1 GiB failed: commit limit: Committed_AS 3 GiB + 1 GiB asked > "
			    "CommitLimit 3.5 GiB (overcommit_memory=2)\"}\n", SYS_mmap);
	assert_string_equal(text, expected);
	free(text);

	/* A softirq's: no syscall (null), its zones with free blocks up to the highest non-zero order. */
	r = plain_request(API_PAGE, 2, 16 * KIB);
	r.pid = r.tid = 4182;
	snprintf(r.comm, sizeof(r.comm), "%s", IPT_COMM);
	r.context = CONTEXT_SOFTIRQ;
	r.can_reclaim = false;
	snprintf(r.caller, sizeof(r.caller), "e1000_alloc_rx_buffers");
	request_add_event(&r, FAIL_PAGE, 2, 16 * KIB);
	request_add_event(&r, FAIL_PAGE, 2, 16 * KIB);
	z = add_zone(&r, "Normal", 900, 1000);
	z->node = 1;
	z->free_blocks[0] = 700;
	z->free_blocks[1] = 100;
	assert_int_equal(request_classify(&r), CAUSE_NO_RECLAIM_CONTEXT);
	snprintf(r.kernel_log, sizeof(r.kernel_log), "page allocation failure: order:2");
	x = (struct request_json_extra){ .time_s = -1, .gfp_words = "GFP_ATOMIC", .frames = frames, .nr_frames = 2,
					 .page_size = 4096 };
	text = json_of(&r, &x);
	assert_string_equal(text,
			    "{\"comm\":\"iptables-restor\",\"pid\":4182,\"tid\":4182,\"cgroup\":\"\",\"cgroup_id\":0,"
			    "\"context\":\"softirq\",\"api\":\"page\",\"bytes\":16384,\"order\":2,\"gfp\":\"GFP_ATOMIC\","
			    "\"can_reclaim\":false,\"caller\":\"e1000_alloc_rx_buffers\",\"syscall\":null,\"ret\":0,"
			    "\"outcome\":\"failed\",\"cause\":\"no_reclaim_context\",\"why\":\"could not reclaim or compact "
			    "(atomic/nowait request): Normal 3.5 MiB free, min watermark 3.9 MiB\",\"evidence\":{\"zones\":"
			    "[{\"zone\":\"Normal\",\"node\":1,\"free_pages\":900,\"min_pages\":1000,\"low_pages\":1250,"
			    "\"high_pages\":1500,\"free_blocks_by_order\":[700,100]}]},\"events\":[{\"kind\":\"page\","
			    "\"order\":2,\"bytes\":16384,\"count\":2}],\"events_not_listed\":0,\"stack\":["
			    "\"__alloc_frozen_pages_noprof\",\"e1000_alloc_rx_buffers\"],\"kernel_log\":\"page allocation "
			    "failure: order:2\",\"line\":\"iptables-restor[4182] in softirq: page 16 KiB in e1000_alloc_rx_buffers failed (page order "
			    "2): could not reclaim or compact (atomic/nowait request): Normal 3.5 MiB free, min watermark "
			    "3.9 MiB\"}\n");
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memcg_at_limit_slack),
		cmocka_unit_test(test_cause_memcg_limit),
		cmocka_unit_test(test_cause_zones),
		cmocka_unit_test(test_cause_no_reclaim_without_zones),
		cmocka_unit_test(test_cause_commit),
		cmocka_unit_test(test_cause_rlimit),
		cmocka_unit_test(test_cause_vmap_hugetlb_untraced),
		cmocka_unit_test(test_cause_precedence),
		cmocka_unit_test(test_allocator_functions),
		cmocka_unit_test_setup_teardown(test_kvmalloc_in_syscall_failed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kvmalloc_recovered_by_vmalloc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slab_failure_nowarn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_thp_faults_are_separate_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interrupt_keyed_apart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bare_enomem_syscalls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vmalloc_size, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_and_task_close_at_syscall_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_evidence_from_sample, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memcg_from_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_detail_lost, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_idle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kthread_join_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kthread_second_kmalloc_is_another_request, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hugetlb_pool_resize, setup, teardown),
		cmocka_unit_test(test_request_events_bounded),
		cmocka_unit_test_setup_teardown(test_requests_bounded, setup, teardown),
		cmocka_unit_test(test_line_memcg_kvmalloc),
		cmocka_unit_test_setup_teardown(test_line_from_model, setup, teardown),
		cmocka_unit_test(test_line_commit_limit),
		cmocka_unit_test(test_line_fragmentation_and_others),
		cmocka_unit_test(test_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
