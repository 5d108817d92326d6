// SPDX-License-Identifier: GPL-2.0
/*
 * A request in the operator's words: request_line's one line and
 * request_write_json's object, to the character.
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
#include "util/json.h"
#include "request_fixture.h"

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
	char buf[512], advice[1024]; /* explain's sizes */

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
	/*
	 * A nowait kmalloc of the lab's shape (fraglab lpm-update): fragmented,
	 * but it never compacted, so no_reclaim_context with the fragmentation
	 * as its evidence, and advice about keeping blocks ready for it.
	 */
	z->free_pages = 102400;
	r.api = API_KMALLOC;
	r.can_reclaim = false;
	assert_int_equal(request_classify(&r), CAUSE_NO_RECLAIM_CONTEXT);
	assert_string_equal(line_of(&r, buf, sizeof(buf)),
			    "kworker/u4:2[55] kernel thread: kmalloc 64 KiB in xfs_buf_alloc_pages failed (page order 4): "
			    "could not reclaim or compact (atomic/nowait request): Normal had 400 MiB free but no free "
			    "block of order 4 (largest free: order 3)");
	request_advice(&r, &(struct advice_context){ .page_size = 4096, .min_free_kb = 5000 }, advice, sizeof(advice));
	assert_string_equal(advice, "Normal had 400 MiB free, 6400 times the 64 KiB asked, but no free block of order 4: "
				 "memory was fragmented, not exhausted. This caller never compacted (atomic/nowait: no "
				 "__GFP_DIRECT_RECLAIM): it needs blocks kept ready, so compact ahead of it "
				 "(vm.compaction_proactiveness=20 on 5.9+, or `echo 1 > /proc/sys/vm/compact_memory`) and "
				 "raise vm.min_free_kbytes from about 5000 to 10000 so kswapd keeps more free; with "
				 "transparent huge pages, transparent_hugepage/defrag=defer+madvise. The caller could "
				 "allocate before taking its lock, where it may sleep, or use kvmalloc() there to fall "
				 "back to vmalloc.");
	/* Short of memory, the same mode: kept free for it. */
	z->free_pages = 1015;
	assert_int_equal(request_classify(&r), CAUSE_NO_RECLAIM_CONTEXT);
	request_advice(&r, &(struct advice_context){ .page_size = 4096 }, advice, sizeof(advice));
	assert_string_equal(advice, "An atomic/nowait request cannot wait for reclaim: it takes what is free at once. Raise "
				 "vm.min_free_kbytes (or vm.watermark_scale_factor) so kswapd keeps more free for such "
				 "callers; an order-4 atomic allocation is better preallocated by its driver.");
	r.api = API_PAGE;
	r.can_reclaim = true;
	assert_int_equal(request_classify(&r), CAUSE_LOW_MEMORY);
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

/* fcntl(F_SETPIPE_SZ) bound to node 1, fragmented, while node 0 had blocks: the policy, the nodes, their figures. */
static struct request numa_request(void)
{
	struct request r = plain_request(API_KMALLOC, 5, 81920);
	struct zone_evidence *z;

	r.pid = r.tid = 310;
	snprintf(r.comm, sizeof(r.comm), "numabind");
	r.context = CONTEXT_SYSCALL;
	r.syscall = SYS_fcntl;
	r.ret = ENOMEM_RET;
	r.outcome = OUTCOME_FAILED;
	snprintf(r.caller, sizeof(r.caller), "pipe_resize_ring");
	request_add_event(&r, FAIL_PAGE, 5, 128 * KIB);
	request_add_event(&r, FAIL_KMALLOC, 5, 81920);
	z = add_zone(&r, "DMA32", 100000, 1000);
	z->free_blocks[5] = 300;
	z->free_blocks[10] = 12;
	z = add_zone(&r, "DMA32", 50000, 1000);
	z->node = 1;
	z->free_blocks[0] = 40000;
	z->free_blocks[3] = 1250;
	set_nodes(&r, FS_NODES_POLICY | FS_NODES_CPUSET, POLICY_BIND, 0x2, 0x3);
	assert_int_equal(request_classify(&r), CAUSE_CPUSET_OR_MEMPOLICY);
	return r;
}

static void test_line_nodes(void **state)
{
	struct request r = numa_request();
	char buf[512];

	(void)state;
	assert_string_equal(line_of(&r, buf, sizeof(buf)),
			    "numabind[310] fcntl → ENOMEM: kmalloc 80 KiB in pipe_resize_ring failed (page order 5, then "
			    "kmalloc order 5): mempolicy bind to node 1: node 1 has no free block of order 5 (node 0 has "
			    "312)");
	/* Node 1 short of memory, with a block: its figures, and what node 0's number counts. */
	r.evidence.zones[1].free_pages = 1010;
	r.evidence.zones[1].free_blocks[5] = 1;
	assert_int_equal(request_classify(&r), CAUSE_CPUSET_OR_MEMPOLICY);
	assert_string_equal(line_of(&r, buf, sizeof(buf)),
			    "numabind[310] fcntl → ENOMEM: kmalloc 80 KiB in pipe_resize_ring failed (page order 5, then "
			    "kmalloc order 5): mempolicy bind to node 1: node 1 has 3.9 MiB free, min watermark 3.9 MiB "
			    "(node 0 has 312 free blocks of order 5 or more)");
	/* A cpuset of node 1 with the default policy: the cpuset named. */
	r = numa_request();
	set_nodes(&r, FS_NODES_POLICY | FS_NODES_CPUSET, POLICY_DEFAULT, 0, 0x2);
	assert_int_equal(request_classify(&r), CAUSE_CPUSET_OR_MEMPOLICY);
	assert_string_equal(line_of(&r, buf, sizeof(buf)),
			    "numabind[310] fcntl → ENOMEM: kmalloc 80 KiB in pipe_resize_ring failed (page order 5, then "
			    "kmalloc order 5): cpuset mems_allowed node 1: node 1 has no free block of order 5 (node 0 has "
			    "312)");
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
			    "{\"time_s\":1.5,\"count\":1,\"comm\":\"java\",\"pid\":900,\"tid\":900,\"cgroup\":\"/\",\"cgroup_id\":0,"
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
			    "{\"count\":1,\"comm\":\"iptables-restor\",\"pid\":4182,\"tid\":4182,\"cgroup\":\"\",\"cgroup_id\":0,"
			    "\"context\":\"softirq\",\"api\":\"page\",\"bytes\":16384,\"order\":2,\"gfp\":\"GFP_ATOMIC\","
			    "\"can_reclaim\":false,\"caller\":\"e1000_alloc_rx_buffers\",\"syscall\":null,\"ret\":0,"
			    "\"outcome\":\"failed\",\"cause\":\"no_reclaim_context\",\"why\":\"could not reclaim or compact "
			    "(atomic/nowait request): Normal 3.5 MiB free, min watermark 3.9 MiB\",\"evidence\":{\"zones\":"
			    "[{\"zone\":\"Normal\",\"node\":1,\"free_pages\":900,\"min_pages\":1000,\"low_pages\":1250,"
			    "\"high_pages\":1500,\"free_blocks_by_order\":[700,100]}]},\"events\":[{\"kind\":\"page\","
			    "\"order\":2,\"bytes\":16384,\"count\":2}],\"events_not_listed\":0,\"stack\":["
			    "\"__alloc_frozen_pages_noprof\",\"e1000_alloc_rx_buffers\"],\"kernel_log\":\"page allocation "
			    "failure: order:2\",\"line\":\"iptables-restor[4182] in softirq: page 16 KiB in "
			    "e1000_alloc_rx_buffers failed (page order 2): could not reclaim or compact (atomic/nowait "
			    "request): Normal 3.5 MiB free, min watermark 3.9 MiB\"}\n");
	free(text);
}

/* The nodes in the evidence: the policy, its nodes, the cpuset's, and the nodes the request could use. */
static void test_json_nodes(void **state)
{
	struct request r = numa_request();
	struct request_json_extra x = { .time_s = -1, .page_size = 4096 };
	char *text = json_of(&r, &x), *evidence = strstr(text, "\"evidence\":"), *events = strstr(text, ",\"events\":");

	(void)state;
	assert_non_null(evidence);
	assert_non_null(events);
	*events = 0;
	assert_string_equal(evidence,
			    "\"evidence\":{\"zones\":[{\"zone\":\"DMA32\",\"node\":0,\"free_pages\":100000,\"min_pages\":1000,"
			    "\"low_pages\":1250,\"high_pages\":1500,\"free_blocks_by_order\":[0,0,0,0,0,300,0,0,0,0,12]},"
			    "{\"zone\":\"DMA32\",\"node\":1,\"free_pages\":50000,\"min_pages\":1000,\"low_pages\":1250,"
			    "\"high_pages\":1500,\"free_blocks_by_order\":[40000,0,0,1250]}],\"policy\":\"bind\","
			    "\"policy_nodes\":[1],\"cpuset_nodes\":[0,1],\"allowed_nodes\":[1]}");
	assert_non_null(strstr(text, "\"cause\":\"cpuset_or_mempolicy\""));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line_memcg_kvmalloc),
		cmocka_unit_test(test_line_commit_limit),
		cmocka_unit_test(test_line_fragmentation_and_others),
		cmocka_unit_test(test_line_nodes),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_nodes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
