// SPDX-License-Identifier: GPL-2.0
/*
 * Why the kernel said no: request_classify's rules on hand-filled
 * evidence, each cause at the boundary of its figures, and their order of
 * precedence; what counts as an allocator's own function; a request's
 * bounded list of events.
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

#include "request_fixture.h"

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

/* The highest order with a free block: what explain, the request line and JSON show, and the zone rule reads. */
static void test_zone_largest_free_order(void **state)
{
	struct zone_evidence z = { .free_pages = 0 };

	(void)state;
	assert_int_equal(zone_largest_free_order(&z), -1);
	z.free_blocks[0] = 7;
	assert_int_equal(zone_largest_free_order(&z), 0);
	z.free_blocks[3] = 1;
	assert_int_equal(zone_largest_free_order(&z), 3);
	z.free_blocks[FS_ORDERS - 1] = 2;
	assert_int_equal(zone_largest_free_order(&z), FS_ORDERS - 1);
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
	/*
	 * Fragmented, but the mode could not compact (GFP_NOWAIT, GFP_ATOMIC):
	 * it never tried, so that is the cause; the zones stay its evidence.
	 */
	normal->free_pages = 1000 + 16;
	assert_int_equal(request_zone_finding(&r), ZONES_FRAGMENTED);
	r.can_reclaim = false;
	assert_int_equal(request_classify(&r), CAUSE_NO_RECLAIM_CONTEXT);
	assert_string_equal(r.evidence.missing, "");
	r.can_reclaim = true;
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

/*
 * Two nodes: node 1, the task's, fragmented (free pages, no block of order
 * 5); node 0 with blocks.  The nodes its mempolicy or cpuset allowed decide.
 */
static void test_cause_nodes(void **state)
{
	const uint32_t both = FS_NODES_POLICY | FS_NODES_CPUSET;
	struct request r = plain_request(API_KMALLOC, 5, 80 * KIB);
	struct zone_evidence *node0, *node1;

	(void)state;
	node0 = add_zone(&r, "DMA32", 60000, 1000);
	node0->free_blocks[5] = 300;
	node0->free_blocks[9] = 12;
	node1 = add_zone(&r, "DMA32", 50000, 1000);
	node1->node = 1;
	node1->free_blocks[0] = 40000;
	node1->free_blocks[3] = 1250;
	/* Nodes not read: every node counts, and node 0 had the block. */
	assert_unknown(&r, "a zone had free memory and a free block of the order when sampled");
	/* The default policy, both nodes in the cpuset: the same. */
	set_nodes(&r, both, POLICY_DEFAULT, 0, 0x3);
	assert_unknown(&r, "a zone had free memory and a free block of the order when sampled");
	/* MPOL_BIND to node 1: only node 1, which had no block; node 0 had. */
	set_nodes(&r, both, POLICY_BIND, 0x2, 0x3);
	assert_int_equal(request_classify(&r), CAUSE_CPUSET_OR_MEMPOLICY);
	assert_int_equal(request_allowed_nodes(&r.evidence), 0x2);
	/* A cpuset of node 1 alone, the default policy: the same. */
	set_nodes(&r, both, POLICY_DEFAULT, 0, 0x2);
	assert_int_equal(request_classify(&r), CAUSE_CPUSET_OR_MEMPOLICY);
	/* The cpuset unread (no CONFIG_CPUSETS), the policy binding: the policy decides. */
	set_nodes(&r, FS_NODES_POLICY, POLICY_BIND, 0x2, 0);
	assert_int_equal(request_classify(&r), CAUSE_CPUSET_OR_MEMPOLICY);
	/* Preferred, interleave: they fall back to other nodes, so they keep the task from none. */
	set_nodes(&r, both, POLICY_PREFERRED, 0x2, 0x3);
	assert_unknown(&r, "a zone had free memory and a free block of the order when sampled");
	set_nodes(&r, both, POLICY_INTERLEAVE, 0x2, 0x3);
	assert_unknown(&r, "a zone had free memory and a free block of the order when sampled");
	/* Bound to both nodes: node 0 was allowed. */
	set_nodes(&r, both, POLICY_BIND, 0x3, 0x3);
	assert_unknown(&r, "a zone had free memory and a free block of the order when sampled");
	/* Node 0 below its min watermark by the request: its blocks could not serve, node 1's fragmentation is the cause. */
	set_nodes(&r, both, POLICY_BIND, 0x2, 0x3);
	node0->free_pages = 1000 + 31;
	assert_int_equal(request_classify(&r), CAUSE_FRAGMENTATION);
	/* Node 1 short of memory, node 0 with room and blocks: the nodes again. */
	node0->free_pages = 1000 + 32;
	node1->free_pages = 1000;
	assert_int_equal(request_classify(&r), CAUSE_CPUSET_OR_MEMPOLICY);
	/* A nowait request kept from node 0's blocks: still the nodes, which it could not have left. */
	r.can_reclaim = false;
	assert_int_equal(request_classify(&r), CAUSE_CPUSET_OR_MEMPOLICY);
	/* Node 0 without a block: node 1's low memory; for the nowait request, its mode. */
	node0->free_blocks[5] = node0->free_blocks[9] = 0;
	assert_int_equal(request_classify(&r), CAUSE_NO_RECLAIM_CONTEXT);
	r.can_reclaim = true;
	assert_int_equal(request_classify(&r), CAUSE_LOW_MEMORY);
	/* A memory cgroup at its limit comes first. */
	node0->free_blocks[5] = 300;
	set_memcg(&r, 10 * MIB, 10 * MIB);
	assert_int_equal(request_classify(&r), CAUSE_MEMCG_LIMIT);
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
		"warn_alloc", "obj_cgroup_charge", "alloc_buddy_hugetlb_folio.isra.0", "bpf_map_kmalloc_node",
		"bpf_map_kzalloc", NULL,
	};
	static const char *const callers[] = {
		"xt_alloc_table_info", "do_huge_pmd_anonymous_page", "d_alloc", "xfs_buf_alloc_pages",
		"bpf_map_area_alloc", "lpm_trie_node_alloc", "do_syscall_64", "", NULL,
	};

	(void)state;
	for (const char *const *n = allocators; *n; n++)
		assert_true(allocator_function(*n));
	for (const char *const *n = callers; *n; n++)
		assert_false(allocator_function(*n));
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memcg_at_limit_slack),
		cmocka_unit_test(test_zone_largest_free_order),
		cmocka_unit_test(test_cause_memcg_limit),
		cmocka_unit_test(test_cause_zones),
		cmocka_unit_test(test_cause_no_reclaim_without_zones),
		cmocka_unit_test(test_cause_commit),
		cmocka_unit_test(test_cause_rlimit),
		cmocka_unit_test(test_cause_vmap_hugetlb_untraced),
		cmocka_unit_test(test_cause_nodes),
		cmocka_unit_test(test_cause_precedence),
		cmocka_unit_test(test_allocator_functions),
		cmocka_unit_test(test_request_events_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
