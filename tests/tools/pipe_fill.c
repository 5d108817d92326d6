// SPDX-License-Identifier: GPL-2.0
/*
 * pipe_fill MB: fills MB one-MiB pipes.  Pipe buffer pages are unmovable
 * kernel allocations (GFP_HIGHUSER without __GFP_MOVABLE), so hundreds of
 * MiB of them exhaust the unmovable pageblocks' free lists and make the
 * page allocator fall back into movable pageblocks: kmem:mm_page_alloc_extfrag.
 * Bounded: refuses more than an eighth of MemAvailable.  Prints pid= first
 * and, with --wait, waits for a line on stdin before filling.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static long mem_available_mb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb / 1024;
}

int main(int argc, char **argv)
{
	static char chunk[65536];
	int wait = argc > 2 && !strcmp(argv[1], "--wait");
	long mb = argc > 1 ? atol(argv[argc - 1]) : 0, filled = 0;
	struct rlimit files = { (rlim_t)mb * 2 + 64, (rlim_t)mb * 2 + 64 };
	char go[8];

	if (mb <= 0 || mb > mem_available_mb() / 8) {
		fprintf(stderr, "usage: pipe_fill [--wait] MB (at most an eighth of MemAvailable)\n");
		return 2;
	}
	if (setrlimit(RLIMIT_NOFILE, &files)) {
		perror("setrlimit");
		return 1;
	}
	printf("pid=%d\n", getpid());
	fflush(stdout);
	if (wait && !fgets(go, sizeof(go), stdin))
		return 1;
	memset(chunk, 'x', sizeof(chunk));
	for (long i = 0; i < mb; i++) {
		int p[2];

		if (pipe2(p, O_NONBLOCK) || fcntl(p[1], F_SETPIPE_SZ, 1 << 20) < 0) {
			perror("pipe");
			return 1;
		}
		while (write(p[1], chunk, sizeof(chunk)) > 0)
			;
		if (errno != EAGAIN) {
			perror("write");
			return 1;
		}
		filled++;
	}
	printf("filled_mb=%ld\nstatus=ok\n", filled);
	return 0;
}
