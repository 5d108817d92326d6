// SPDX-License-Identifier: GPL-2.0
/*
 * A fixed amount of allocator work for the overhead benchmark: every
 * worker runs the same number of rounds, each round
 *
 *   - maps, faults in and unmaps regions of 2^order pages for every order
 *     0..10, with MADV_NOHUGEPAGE (order-0 faults) and, at 2 MiB and up,
 *     with MADV_HUGEPAGE (order-9 THP faults), so mm_page_alloc fires
 *     with many orders;
 *   - creates, writes, reads and closes pipes and unix socketpairs (small
 *     and 32 KiB messages: skb heads from kmalloc, data from high-order
 *     page frags), the kmalloc / kmem_cache_alloc churn.
 *
 * It prints key=value lines: the work done, the wall time from the first
 * worker's start to the last worker's end, the workers' CPU time (user +
 * system: BPF programs run in the allocating task and are charged to it),
 * and the throughput.
 *
 * usage: workload [-j WORKERS] [-r ROUNDS] [-w pages,pipe,socket]
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_ORDER_MAPPED 10
#define HUGE_SIZE (2UL << 20)
#define BIG_MSG (32 * 1024)
#define CHURN_PER_ROUND 8
#define PAGE_EVERY 8

static char msg[BIG_MSG];
static char sink[BIG_MSG];

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Fault in 2^order pages, then unmap them; returns the pages touched or -1. */
static long map_touch_unmap(unsigned int order, int advice)
{
	size_t len = 4096UL << order, map_len = len, off = 0;
	long page = sysconf(_SC_PAGESIZE);
	char *p, *base;

	if (advice == MADV_HUGEPAGE)
		map_len = len + HUGE_SIZE; /* room to align to a huge page */
	base = mmap(NULL, map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return -1;
	p = base;
	if (advice == MADV_HUGEPAGE) {
		off = (HUGE_SIZE - ((uintptr_t)base & (HUGE_SIZE - 1))) & (HUGE_SIZE - 1);
		p = base + off;
	}
	madvise(p, len, advice);
	for (size_t i = 0; i < len; i += page)
		p[i] = 1;
	munmap(base, map_len);
	return len / page;
}

static int pipe_churn(void)
{
	int fds[2];

	if (pipe(fds))
		return -1;
	if (write(fds[1], msg, 4096) != 4096 || read(fds[0], sink, 4096) != 4096) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	close(fds[0]);
	close(fds[1]);
	return 0;
}

static int socket_churn(size_t size)
{
	int fds[2];
	ssize_t got = 0, n;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds))
		return -1;
	if (send(fds[0], msg, size, 0) != (ssize_t)size)
		goto fail;
	while (got < (ssize_t)size) {
		n = recv(fds[1], sink, sizeof(sink), 0);
		if (n <= 0)
			goto fail;
		got += n;
	}
	close(fds[0]);
	close(fds[1]);
	return 0;
fail:
	close(fds[0]);
	close(fds[1]);
	return -1;
}

struct totals {
	uint64_t pages, maps, pipes, sockets, errors;
};

static bool do_pages = true, do_pipes = true, do_sockets = true;

static void worker(long rounds, struct totals *t)
{
	for (long r = 0; r < rounds; r++) {
		unsigned int order = r % (MAX_ORDER_MAPPED + 1);
		long n;

		/* Faulting pages is slow (zeroing): map every PAGE_EVERY-th round. */
		if (!do_pages || r % PAGE_EVERY)
			goto churn;
		order = (r / PAGE_EVERY) % (MAX_ORDER_MAPPED + 1);
		n = map_touch_unmap(order, MADV_NOHUGEPAGE);

		t->maps++;
		if (n < 0)
			t->errors++;
		else
			t->pages += n;
		/* And huge pages one time in four: a THP fault clears 2 MiB. */
		if (order >= 9 && (r / PAGE_EVERY) % 4 == 0) {
			n = map_touch_unmap(order, MADV_HUGEPAGE);
			t->maps++;
			if (n < 0)
				t->errors++;
			else
				t->pages += n;
		}
churn:
		for (int i = 0; i < CHURN_PER_ROUND; i++) {
			if (do_pipes) {
				t->errors += pipe_churn() != 0;
				t->pipes++;
			}
			if (do_sockets) {
				t->errors += socket_churn(i ? 128 : BIG_MSG) != 0;
				t->sockets++;
			}
		}
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: workload [-j WORKERS] [-r ROUNDS] [-w pages,pipe,socket]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	long workers = sysconf(_SC_NPROCESSORS_ONLN), rounds = 2000;
	struct totals *shared, sum = { 0 };
	struct rusage ru;
	uint64_t t0, t1;
	int opt, status, failed = 0;

	while ((opt = getopt(argc, argv, "j:r:w:")) != -1) {
		switch (opt) {
		case 'j':
			workers = strtol(optarg, NULL, 10);
			break;
		case 'r':
			rounds = strtol(optarg, NULL, 10);
			break;
		case 'w':
			do_pages = strstr(optarg, "pages");
			do_pipes = strstr(optarg, "pipe");
			do_sockets = strstr(optarg, "socket");
			break;
		default:
			usage();
		}
	}
	if (workers < 1 || workers > 64 || rounds < 1)
		usage();
	memset(msg, 'x', sizeof(msg));
	shared = mmap(NULL, workers * sizeof(*shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	memset(shared, 0, workers * sizeof(*shared));
	t0 = now_ns();
	for (long w = 0; w < workers; w++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (!pid) {
			worker(rounds, &shared[w]);
			_exit(0);
		}
	}
	while (wait(&status) > 0)
		failed |= !WIFEXITED(status) || WEXITSTATUS(status);
	t1 = now_ns();
	for (long w = 0; w < workers; w++) {
		sum.pages += shared[w].pages;
		sum.maps += shared[w].maps;
		sum.pipes += shared[w].pipes;
		sum.sockets += shared[w].sockets;
		sum.errors += shared[w].errors;
	}
	printf("workers=%ld\nrounds=%ld\n", workers, rounds);
	printf("pages_touched=%llu\nmaps=%llu\npipes=%llu\nsocketpairs=%llu\nerrors=%llu\n",
	       (unsigned long long)sum.pages, (unsigned long long)sum.maps, (unsigned long long)sum.pipes,
	       (unsigned long long)sum.sockets, (unsigned long long)sum.errors);
	printf("elapsed_s=%.6f\n", (t1 - t0) / 1e9);
	/* The workers' CPU time: what tracing adds, less disturbed by other load than wall time. */
	if (!getrusage(RUSAGE_CHILDREN, &ru))
		printf("cpu_s=%.6f\nsys_s=%.6f\n",
		       ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6,
		       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
	printf("ops_per_s=%.0f\n", (sum.maps + sum.pipes + sum.sockets) * 1e9 / (double)(t1 - t0));
	return failed || sum.errors ? 1 : 0;
}
