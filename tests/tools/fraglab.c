// SPDX-License-Identifier: GPL-2.0
/*
 * fraglab: real external fragmentation for the VM lab (tests/vm/fraglab),
 * and the syscalls that then fail for it.  Root only, and only in a
 * throw-away guest: it pins most of the machine's memory layout.
 *
 *   fraglab fragment [BLOCK_ORDER]   pin one page in every 2^BLOCK_ORDER-page
 *                                    block (default 4) and free the rest; then
 *                                    hold the pins until SIGTERM (SIGUSR1:
 *                                    take the blocks that came free since)
 *   fraglab pipe-resize ORDER COUNT [stop]
 *                                    COUNT F_SETPIPE_SZ whose pipe_buffer array
 *                                    is a kcalloc of 2^ORDER pages (with stop:
 *                                    the pipes made first, it stops itself
 *                                    before the resizes and after them, and
 *                                    prints its figures once continued)
 *   fraglab overcommit MB COUNT      COUNT private writable mmaps of MB MiB
 *   fraglab hugetlb-map PAGES COUNT  COUNT MAP_HUGETLB mmaps of PAGES huge pages
 *   fraglab lpm-update ORDER COUNT   COUNT bpf(BPF_MAP_UPDATE_ELEM) of an LPM trie
 *                                    whose node is a nowait kmalloc of 2^ORDER pages
 *   fraglab collapse COUNT           COUNT MADV_COLLAPSE of one huge page's worth
 *                                    of small pages each
 *
 * fragment: fills free memory (down to the high watermarks plus a margin)
 * with anonymous pages, reads their page frame numbers from
 * /proc/self/pagemap and, for every aligned 2^BLOCK_ORDER-page block, hands
 * the first page it owns there to a pipe with vmsplice(2).  The pipe's
 * reference is one compaction cannot migrate (the page count exceeds its
 * mapcount), so after the rest is unmapped no free block above
 * BLOCK_ORDER - 1 can form, whatever compaction does.  Memory it never got
 * (the reserve, per-CPU lists) may still hold larger free blocks: those are
 * taken, 2^BLOCK_ORDER pages at a time, by pipe_buffer arrays (unmovable
 * kernel memory) until the kernel refuses one.
 * Under an MPOL_BIND policy it fills the bound nodes alone.
 * The zones checked are those over 1/64 of memory (not ZONE_DMA: the lab
 * fences it off with vm.lowmem_reserve_ratio).
 *
 * pipe-resize: pipe_resize_ring() allocates the new ring with
 * kcalloc(slots, sizeof(struct pipe_buffer) = 40, GFP_KERNEL_ACCOUNT |
 * __GFP_NOWARN); above 8 KiB that is kmalloc_large, one page allocation of
 * order get_order(40 * slots).  slots = the largest power of two with
 * 40 * slots <= PAGE_SIZE << ORDER, so the order is exactly ORDER.  A
 * failure is -ENOMEM from fcntl, counted here.  With stop it is the task
 * of lowmem run (tests/tools/lowmem.c), which continues it once memory is
 * held low and again once it is released: between the two stops it makes
 * no allocation but the resizes' (the pipes exist, the figures wait in
 * variables, a stop is a signal and the wait for SIGCONT allocates nothing),
 * and it exits (unmapping memory takes GFP_NOWAIT pages for the TLB
 * gather's batches) only after the second.
 *
 * overcommit: under vm.overcommit_memory=2 a private writable mapping is
 * refused (ENOMEM) by __vm_enough_memory() when Committed_AS would pass
 * CommitLimit, whatever MemFree says.
 *
 * hugetlb-map: an anonymous MAP_HUGETLB mapping reserves its huge pages at
 * mmap (hugetlb_reserve_pages); with fewer free in the pool it is refused
 * with ENOMEM, no page allocated.
 *
 * lpm-update: an LPM trie's update allocates its new node under the trie's
 * spinlock with irqs off, so in a mode that cannot sleep (GFP_ATOMIC on 5.10,
 * GFP_NOWAIT on 6.1 and 6.12: no __GFP_DIRECT_RECLAIM): it never reclaims or
 * compacts, and failing, bpf(2) returns ENOMEM.  The node is 24 or 40
 * bytes, the key's 4 and the value: a value of 2^(ORDER-1) pages makes it a
 * kmalloc_large of order ORDER, while the syscall's own copy of the value
 * (kmalloc or kvmalloc of value_size, reclaiming) is one order below, so it
 * alone finds a block where no order-ORDER block is free.  Kernels whose
 * trie takes its nodes from a bpf_mem_alloc cache (7.3; not 6.12) refill
 * that cache from irq_work instead: there the syscall allocates nothing
 * and the nowait kmalloc fails in the interrupt (docs/fragmentation-lab.md).
 *
 * collapse: MADV_COLLAPSE (6.1+; EINVAL before) of a PMD-aligned range of
 * small pages asks for a huge page to copy them into (GFP_TRANSHUGE, as
 * khugepaged does); the allocation failing, madvise returns ENOMEM and the
 * kernel counts thp_collapse_alloc_failed once.  The lab's THP mode is
 * madvise and the range has no MADV_HUGEPAGE: its faults map small pages.
 *
 * Output: key=value lines (fraglab.<cmd>.<key>=...), then status=ok|error.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#define PAGE 4096UL
#define PIN_PIPE_SLOTS 256 /* 1 MiB pipes: a 10 KiB ring, made before the fill */
#define PIPE_BUFFER_BYTES 40
#define MAX_ORDERS 16
#define MAX_ZONES 16
#define MPOL_BIND 2 /* include/uapi/linux/mempolicy.h */

static int error(const char *what)
{
	printf("error=%s:_%s\nstatus=error\n", what, strerror(errno));
	return 1;
}

/* A /proc/meminfo field in kB, -1 if absent. */
static long meminfo_kb(const char *name)
{
	char line[256];
	long kb = -1, v;
	size_t n = strlen(name);
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, name, n) && line[n] == ':' && sscanf(line + n + 1, "%ld", &v) == 1)
			kb = v;
	if (f)
		fclose(f);
	return kb;
}

/*
 * The nodes an MPOL_BIND policy keeps this task to (bit n: node n; 0: not
 * bound), as `numabind run NODES fraglab ...` sets it: fragment then fills
 * those nodes alone (tests/vm/scenarios/numa.sh).
 */
static unsigned long bound_nodes(void)
{
	unsigned long mask = 0;
	int mode;

	if (syscall(SYS_get_mempolicy, &mode, &mask, sizeof(mask) * 8 + 1, NULL, 0UL) || mode != MPOL_BIND)
		return 0;
	return mask;
}

static bool node_counts(unsigned long nodes, long node)
{
	return !nodes || (node >= 0 && node < 64 && (nodes >> node & 1));
}

/* MemFree of the nodes (all: /proc/meminfo), in kB. */
static long nodes_free_kb(unsigned long nodes)
{
	char path[64], line[256];
	long kb = 0, node, v;

	if (!nodes)
		return meminfo_kb("MemFree");
	for (node = 0; node < 64; node++) {
		FILE *f;

		snprintf(path, sizeof(path), "/sys/devices/system/node/node%ld/meminfo", node);
		if (!node_counts(nodes, node) || !(f = fopen(path, "r")))
			continue;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "Node %*d MemFree: %ld", &v) == 1)
				kb += v;
		fclose(f);
	}
	return kb;
}

/* Sum of the high watermarks of the nodes' zones (all: every zone), in pages (/proc/zoneinfo). */
static long high_watermarks(unsigned long nodes)
{
	char line[256];
	long sum = 0, v, node = -1;
	FILE *f = fopen("/proc/zoneinfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Node %ld,", &v) == 1)
			node = v;
		else if (sscanf(line, " high %ld", &v) == 1 && node_counts(nodes, node))
			sum += v;
	if (f)
		fclose(f);
	return sum;
}

struct zone_free {
	long node;
	char name[32];
	long blocks[MAX_ORDERS];
	int orders;
};

/* /proc/buddyinfo's zones; returns how many. */
static int read_buddyinfo(struct zone_free *z, int max)
{
	char line[512];
	int n = 0;
	FILE *f = fopen("/proc/buddyinfo", "r");

	while (f && n < max && fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "zone");
		int used;

		if (!p || sscanf(line, "Node %ld", &z[n].node) != 1 || sscanf(p, "zone %31s%n", z[n].name, &used) != 1)
			continue;
		p += used;
		z[n].orders = 0;
		while (z[n].orders < MAX_ORDERS && sscanf(p, "%ld%n", &z[n].blocks[z[n].orders], &used) == 1) {
			p += used;
			z[n].orders++;
		}
		n++;
	}
	if (f)
		fclose(f);
	return n;
}

/* Free blocks of at least `order`, counted in 2^order-page units, in the
 * zones that matter (not DMA, which the lab fences off) of `nodes` (0: all). */
static long units_at_or_above(int order, unsigned long nodes)
{
	struct zone_free z[MAX_ZONES];
	int n = read_buddyinfo(z, MAX_ZONES);
	long units = 0;

	for (int i = 0; i < n; i++) {
		if (!strcmp(z[i].name, "DMA") || !node_counts(nodes, z[i].node))
			continue;
		for (int o = order; o < z[i].orders; o++)
			units += z[i].blocks[o] << (o - order);
	}
	return units;
}

static int largest_free_order(unsigned long nodes)
{
	struct zone_free z[MAX_ZONES];
	int n = read_buddyinfo(z, MAX_ZONES), largest = -1;

	for (int i = 0; i < n; i++)
		for (int o = 0; o < z[i].orders; o++)
			if (z[i].blocks[o] && strcmp(z[i].name, "DMA") && node_counts(nodes, z[i].node) && o > largest)
				largest = o;
	return largest;
}

/* The pipe size whose ring is a kcalloc of exactly 2^order pages. */
static long ring_pipe_bytes(int order)
{
	long slots = 1;

	while (PIPE_BUFFER_BYTES * slots * 2 <= (long)(PAGE << order))
		slots *= 2;
	return slots * (long)PAGE;
}

static void raise_fd_limit(void)
{
	struct rlimit r = { 65536, 65536 };

	setrlimit(RLIMIT_NOFILE, &r);
}

/* A full synchronous compaction of every zone (vm.compact_memory). */
static void compact_all(void)
{
	int fd = open("/proc/sys/vm/compact_memory", O_WRONLY);

	if (fd >= 0) {
		if (write(fd, "1\n", 2) != 2)
			perror("fraglab: compact_memory");
		close(fd);
	}
}

static void on_term(int sig)
{
	(void)sig;
	_exit(0);
}

static volatile sig_atomic_t resettle_asked;

static void on_resettle(int sig)
{
	(void)sig;
	resettle_asked = 1;
}

/* ------------------------------------------------------------- fragment */

/* Order-`order` pipe_buffer rings until the kernel refuses one (its errno in *refused): how many, -1 if no pipe. */
static long take_rings(int order, int *refused)
{
	long taken = 0;
	int fd[2];

	for (;;) {
		if (pipe(fd))
			return -1;
		if (fcntl(fd[1], F_SETPIPE_SZ, ring_pipe_bytes(order)) < 0) {
			*refused = errno;
			close(fd[0]);
			close(fd[1]);
			return taken;
		}
		taken++;
	}
}

static int cmd_fragment(int block_order)
{
	long margin_pages = (16L << 20) / PAGE;
	unsigned long nodes = bound_nodes();
	long free_pages = nodes_free_kb(nodes) / (PAGE / 1024);
	long fill = free_pages - high_watermarks(nodes) - margin_pages;
	long max_pipes, npipes = 0, pinned = 0, ring_pipes = 0, settled_rings = 0;
	int ring_errno = 0, rounds = 0;
	uint64_t *pfns;
	uint8_t *seen;
	uint64_t max_pfn = 0;
	int (*pipes)[2];
	char *region;
	int pm;

	raise_fd_limit();
	if (fill < 1024)
		return errno = ENOMEM, error("too_little_free_memory");
	printf("fraglab.fragment.block_order=%d\n", block_order);
	printf("fraglab.fragment.memfree_before_kb=%ld\n", meminfo_kb("MemFree"));
	printf("fraglab.fragment.fill_pages=%ld\n", fill);
	/*
	 * The pinning pipes get their 256-slot rings now, while memory is
	 * whole.  Blocks the kernel shares with us hold fewer than 2^order of
	 * our pages, so there are more blocks than fill >> order: a quarter more
	 * is room enough (about 1% of them are shared in a fresh guest).
	 */
	max_pipes = fill / (1L << block_order) * 5 / 4 / PIN_PIPE_SLOTS + 1;
	pipes = calloc(max_pipes, sizeof(*pipes));
	pfns = calloc(fill, sizeof(*pfns));
	if (!pipes || !pfns)
		return error("calloc");
	for (long i = 0; i < max_pipes; i++)
		if (pipe(pipes[i]) || fcntl(pipes[i][1], F_SETPIPE_SZ, PIN_PIPE_SLOTS * PAGE) < 0)
			return error("pipe");

	region = mmap(NULL, fill * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED)
		return error("mmap");
	madvise(region, fill * PAGE, MADV_NOHUGEPAGE);
	for (long i = 0; i < fill; i++)
		region[i * PAGE] = 1;

	pm = open("/proc/self/pagemap", O_RDONLY);
	if (pm < 0 || pread(pm, pfns, fill * sizeof(*pfns), (uintptr_t)region / PAGE * sizeof(*pfns)) !=
			      (ssize_t)(fill * sizeof(*pfns)))
		return error("pagemap");
	close(pm);
	for (long i = 0; i < fill; i++) {
		pfns[i] = (pfns[i] >> 63) ? pfns[i] & ((1ULL << 55) - 1) : 0;
		if (pfns[i] > max_pfn)
			max_pfn = pfns[i];
	}
	if (!max_pfn)
		return errno = EPERM, error("pagemap_shows_no_page_frame_numbers_(not_root?)");
	seen = calloc((max_pfn >> block_order) + 1, 1);
	if (!seen)
		return error("calloc");

	/* vmsplice the first page of each block into the pipes, a ring at a time. */
	struct iovec iov[PIN_PIPE_SLOTS];
	int nio = 0;
	for (long i = 0; i <= fill; i++) {
		if (i < fill && pfns[i] && !seen[pfns[i] >> block_order]) {
			seen[pfns[i] >> block_order] = 1;
			iov[nio].iov_base = region + i * PAGE;
			iov[nio++].iov_len = PAGE;
		}
		if (nio == PIN_PIPE_SLOTS || (i == fill && nio)) {
			ssize_t n;

			if (npipes == max_pipes)
				return errno = ENOSPC, error("more_blocks_than_pinning_pipes");
			n = vmsplice(pipes[npipes][1], iov, nio, 0);

			if (n != (ssize_t)(nio * PAGE))
				return error("vmsplice");
			pinned += nio;
			npipes++;
			nio = 0;
		}
	}
	munmap(region, fill * PAGE);
	for (long i = npipes; i < max_pipes; i++) {
		close(pipes[i][0]);
		close(pipes[i][1]);
	}
	free(pfns);
	free(seen);
	printf("fraglab.fragment.pinned_pages=%ld\n", pinned);
	printf("fraglab.fragment.pin_pipes=%ld\n", npipes);
	sleep(1);
	printf("fraglab.fragment.units_left_after_unmap=%ld\n", units_at_or_above(block_order, nodes));

	/*
	 * What it never got: take it in 2^block_order-page rings until one is
	 * refused.  A refusal only follows the allocator's quick (asynchronous)
	 * compaction, so blocks full of other tasks' movable pages (the
	 * initramfs's page cache...) could still be emptied later: a full
	 * synchronous compaction moves them into the holes first, and the
	 * rounds go on until one takes no ring.
	 */
	for (int round = 0; round < 10; round++) {
		long taken;

		compact_all();
		if ((taken = take_rings(block_order, &ring_errno)) < 0)
			return error("pipe");
		ring_pipes += taken;
		rounds++;
		if (!taken)
			break;
	}
	/*
	 * Blocks still come free for a few seconds after the big unmap (6.7+
	 * decays per-CPU lists grown by it back into the buddy, a second at a
	 * time; exiting tasks free theirs): take them too, until two seconds
	 * pass with none.  Bound to some nodes, only theirs are counted: the
	 * others' blocks are to stay, and the rings stay off them by the
	 * binding (a hardwall cpuset where kmalloc_large ignores the policy).
	 */
	for (int second = 0, quiet = 0; second < 20 && quiet < 2; second++) {
		long taken;

		sleep(1);
		if (!units_at_or_above(block_order, nodes)) {
			quiet++;
			continue;
		}
		quiet = 0;
		if ((taken = take_rings(block_order, &ring_errno)) < 0)
			return error("pipe");
		ring_pipes += taken;
		settled_rings += taken;
	}
	printf("fraglab.fragment.ring_rounds=%d\n", rounds);
	printf("fraglab.fragment.settled_rings=%ld\n", settled_rings);
	printf("fraglab.fragment.ring_pipes=%ld\n", ring_pipes);
	printf("fraglab.fragment.ring_refused=%s\n", ring_errno == ENOMEM ? "ENOMEM" : strerror(ring_errno));
	printf("fraglab.fragment.units_left=%ld\n", units_at_or_above(block_order, nodes));
	printf("fraglab.fragment.largest_free_order=%d\n", largest_free_order(nodes));
	printf("fraglab.fragment.memfree_after_kb=%ld\n", meminfo_kb("MemFree"));
	printf("status=ok\n");
	printf("ready\n");
	fflush(stdout);
	signal(SIGTERM, on_term);
	/*
	 * Held until SIGTERM.  Tasks that exit later free whole blocks again
	 * (their page tables, stacks, page cache): SIGUSR1 takes every block
	 * of block_order or more that has come free since, and says so with a
	 * "resettled" line.  The signal is blocked outside sigsuspend, so none
	 * is lost between the check and the wait.
	 */
	sigset_t usr1, old;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, &old);
	signal(SIGUSR1, on_resettle);
	for (;;) {
		long taken;

		sigsuspend(&old);
		if (!resettle_asked)
			continue;
		resettle_asked = 0;
		if ((taken = take_rings(block_order, &ring_errno)) < 0)
			return error("pipe");
		printf("fraglab.fragment.resettled_rings=%ld\n", taken);
		printf("fraglab.fragment.units_left=%ld\n", units_at_or_above(block_order, nodes));
		printf("resettled\n");
		fflush(stdout);
	}
}

/* ---------------------------------------------------------- pipe-resize */

static int cmd_pipe_resize(int order, long count, int stop)
{
	long bytes = ring_pipe_bytes(order), failed = 0, succeeded = 0;
	int last_errno = 0, (*fds)[2] = calloc(count, sizeof(*fds));
	char *outcomes = calloc(count + 1, 1);

	if (!fds || !outcomes)
		return error("calloc");
	printf("fraglab.pipe_resize.order=%d\n", order);
	printf("fraglab.pipe_resize.pipe_bytes=%ld\n", bytes);
	printf("fraglab.pipe_resize.ring_bytes=%ld\n", bytes / (long)PAGE * PIPE_BUFFER_BYTES);
	memset(outcomes, '-', count); /* faulted in now, not between the stops */
	for (long i = 0; i < count; i++)
		if (pipe(fds[i]))
			return error("pipe");
	if (stop && (fflush(stdout) || raise(SIGSTOP)))
		return error("stop");
	for (long i = 0; i < count; i++) {
		if (fcntl(fds[i][1], F_SETPIPE_SZ, bytes) < 0) {
			last_errno = errno;
			failed++;
			outcomes[i] = 'F';
		} else {
			succeeded++;
			outcomes[i] = 'p';
		}
	}
	if (stop && raise(SIGSTOP))
		return error("stop");
	printf("fraglab.pipe_resize.attempts=%ld\n", count);
	printf("fraglab.pipe_resize.failed=%ld\n", failed);
	printf("fraglab.pipe_resize.succeeded=%ld\n", succeeded);
	printf("fraglab.pipe_resize.outcomes=%s\n", outcomes);
	printf("fraglab.pipe_resize.errno=%s\n", last_errno == ENOMEM ? "ENOMEM" : last_errno ? strerror(last_errno) : "0");
	printf("status=ok\n");
	return 0;
}

/* ------------------------------------------------- overcommit, hugetlb-map */

/* COUNT mmaps of BYTES with FLAGS, each unmapped at once if it succeeds. */
static int try_mmaps(const char *cmd, unsigned long bytes, int flags, long count)
{
	long failed = 0, succeeded = 0;
	int last_errno = 0;

	printf("fraglab.%s.memfree_kb=%ld\n", cmd, meminfo_kb("MemFree"));
	printf("fraglab.%s.commit_limit_kb=%ld\n", cmd, meminfo_kb("CommitLimit"));
	printf("fraglab.%s.committed_as_kb=%ld\n", cmd, meminfo_kb("Committed_AS"));
	printf("fraglab.%s.hugepages_free=%ld\n", cmd, meminfo_kb("HugePages_Free"));
	for (long i = 0; i < count; i++) {
		void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);

		if (p == MAP_FAILED) {
			last_errno = errno;
			failed++;
		} else {
			succeeded++;
			munmap(p, bytes);
		}
	}
	printf("fraglab.%s.attempts=%ld\n", cmd, count);
	printf("fraglab.%s.failed=%ld\n", cmd, failed);
	printf("fraglab.%s.succeeded=%ld\n", cmd, succeeded);
	printf("fraglab.%s.errno=%s\n", cmd, last_errno == ENOMEM ? "ENOMEM" : last_errno ? strerror(last_errno) : "0");
	printf("status=ok\n");
	return 0;
}

/* ----------------------------------------------------------- lpm-update */

static long bpf_call(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static int cmd_lpm_update(int order, long count)
{
	/* An IPv4 trie: struct bpf_lpm_trie_key's prefix length, then the address. */
	struct {
		uint32_t prefixlen;
		uint8_t addr[4];
	} key = { 32, { 10, 0, 0, 1 } };
	uint32_t value_size = (uint32_t)PAGE << (order - 1);
	struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };
	long failed = 0, succeeded = 0, other = 0;
	char *value = calloc(1, value_size);
	union bpf_attr attr;
	int map, last_errno = 0;

	if (!value)
		return error("calloc");
	/*
	 * 5.10 charges a map to RLIMIT_MEMLOCK (64 KiB there by default),
	 * later kernels to the memcg, and may not let us raise it: the map's
	 * creation says whether it mattered.
	 */
	setrlimit(RLIMIT_MEMLOCK, &unlimited);
	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_LPM_TRIE;
	attr.key_size = sizeof(key);
	attr.value_size = value_size;
	attr.max_entries = (uint32_t)count;
	attr.map_flags = BPF_F_NO_PREALLOC; /* the trie requires it: nodes come and go with updates */
	map = (int)bpf_call(BPF_MAP_CREATE, &attr);
	if (map < 0)
		return error("bpf_map_create");
	printf("fraglab.lpm_update.order=%d\n", order);
	printf("fraglab.lpm_update.value_size=%u\n", value_size);
	printf("fraglab.lpm_update.pid=%d\n", getpid());
	for (long i = 0; i < count; i++) {
		memset(&attr, 0, sizeof(attr));
		attr.map_fd = (uint32_t)map;
		attr.key = (uint64_t)(uintptr_t)&key;
		attr.value = (uint64_t)(uintptr_t)value;
		attr.flags = BPF_ANY;
		if (bpf_call(BPF_MAP_UPDATE_ELEM, &attr) == 0) {
			succeeded++;
		} else {
			last_errno = errno;
			if (errno == ENOMEM)
				failed++;
			else
				other++;
		}
		/* Apart in time, so that even failures grouped by caller (an interrupt's) stay one request each. */
		usleep(50 * 1000);
	}
	close(map);
	free(value);
	printf("fraglab.lpm_update.attempts=%ld\n", count);
	printf("fraglab.lpm_update.failed=%ld\n", failed);
	printf("fraglab.lpm_update.succeeded=%ld\n", succeeded);
	printf("fraglab.lpm_update.other_errors=%ld\n", other);
	printf("fraglab.lpm_update.errno=%s\n", last_errno == ENOMEM ? "ENOMEM" : last_errno ? strerror(last_errno) : "0");
	printf("status=ok\n");
	return 0;
}

/* ------------------------------------------------------------- collapse */

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

static int cmd_collapse(long count)
{
	long huge_kb = meminfo_kb("Hugepagesize"), failed = 0, collapsed = 0;
	unsigned long huge = (unsigned long)huge_kb * 1024;
	int last_errno = 0;

	if (huge_kb <= 0)
		return error("no Hugepagesize in /proc/meminfo");
	for (long i = 0; i < count; i++) {
		char *p = mmap(NULL, 2 * huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		char *range;

		if (p == MAP_FAILED)
			return error("mmap");
		range = (char *)(((uintptr_t)p + huge - 1) & ~(uintptr_t)(huge - 1));
		for (unsigned long off = 0; off < huge; off += PAGE)
			range[off] = 1;
		if (madvise(range, huge, MADV_COLLAPSE)) {
			last_errno = errno;
			failed++;
		} else {
			collapsed++;
		}
		munmap(p, 2 * huge);
	}
	printf("fraglab.collapse.attempts=%ld\n", count);
	printf("fraglab.collapse.failed=%ld\n", failed);
	printf("fraglab.collapse.collapsed=%ld\n", collapsed);
	printf("fraglab.collapse.errno=%s\n", last_errno == ENOMEM ? "ENOMEM" : last_errno == EINVAL ? "EINVAL"
						 : last_errno ? strerror(last_errno) : "0");
	printf("status=ok\n");
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: fraglab fragment [BLOCK_ORDER] | pipe-resize ORDER COUNT [stop] | overcommit MB COUNT | "
			"hugetlb-map PAGES COUNT | lpm-update ORDER COUNT | collapse COUNT\n");
	return 2;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && !strcmp(argv[1], "fragment")) {
		int order = argc > 2 ? atoi(argv[2]) : 4;

		return order >= 1 && order < 10 ? cmd_fragment(order) : usage();
	}
	if ((argc == 4 || (argc == 5 && !strcmp(argv[4], "stop"))) && !strcmp(argv[1], "pipe-resize")) {
		int order = atoi(argv[2]);

		return order >= 3 && order < 11 ? cmd_pipe_resize(order, atol(argv[3]), argc == 5) : usage();
	}
	if (argc == 4 && !strcmp(argv[1], "overcommit"))
		return try_mmaps("overcommit", (unsigned long)atol(argv[2]) << 20, 0, atol(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "hugetlb-map"))
		return try_mmaps("hugetlb_map", (unsigned long)atol(argv[2]) * meminfo_kb("Hugepagesize") * 1024,
				 MAP_HUGETLB, atol(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "lpm-update")) {
		int order = atoi(argv[2]);

		return order >= 4 && order < 11 && atol(argv[3]) > 0 ? cmd_lpm_update(order, atol(argv[3])) : usage();
	}
	if (argc == 3 && !strcmp(argv[1], "collapse"))
		return cmd_collapse(atol(argv[2]));
	return usage();
}
