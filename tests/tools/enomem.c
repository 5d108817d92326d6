// SPDX-License-Identifier: GPL-2.0
/*
 * enomem: mmap calls the kernel refuses with ENOMEM before allocating any
 * memory, each for one known reason, for the failed-request tests.
 *
 *   enomem rlimit-as N      RLIMIT_AS set 64 MiB above the current size, then
 *                           N mmaps of 128 MiB
 *   enomem rlimit-data N    RLIMIT_DATA set 64 MiB above the current data,
 *                           then N private writable mmaps of 128 MiB
 *   enomem heuristic N      N mmaps of RAM + swap + 1 GiB (vm.overcommit_memory=0)
 *   enomem commit N         N mmaps of CommitLimit - Committed_AS + 64 MiB
 *                           (vm.overcommit_memory=2; run it in a VM)
 *   enomem hugetlb N        N MAP_HUGETLB mmaps of one more huge page than
 *                           the pool has free
 *   enomem map-count N      one-page mappings until vm.max_map_count refuses
 *                           one, then N - 1 more refused
 *
 * Nothing is touched, so nothing is allocated.  Output, key=value lines:
 * enomem.mode, enomem.bytes (asked per call), enomem.attempts,
 * enomem.failed (calls that returned ENOMEM), enomem.errno (the last
 * error), status=ok|skip|error.  Exit: 0 done, 77 the mode does not apply
 * to this machine's settings, 1 error, 2 usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#define MiB (1024ULL * 1024)

/* A "Name: value kB" line of /proc/meminfo, in bytes (HugePages_* in pages); 0 if absent. */
static unsigned long long meminfo(const char *name)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];
	unsigned long long v = 0;
	size_t n = strlen(name);

	while (f && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, name, n) && line[n] == ':') {
			v = strtoull(line + n + 1, NULL, 10);
			if (strstr(line, " kB"))
				v *= 1024;
			break;
		}
	}
	if (f)
		fclose(f);
	return v;
}

static long sysctl_vm(const char *name)
{
	char path[128];
	FILE *f;
	long v = -1;

	snprintf(path, sizeof(path), "/proc/sys/vm/%s", name);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* The current size (VmSize) or private data (VmData) of this process, in bytes. */
static unsigned long long self_status(const char *name)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	unsigned long long v = 0;
	size_t n = strlen(name);

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, name, n) && line[n] == ':')
			v = strtoull(line + n + 1, NULL, 10) * 1024;
	if (f)
		fclose(f);
	return v;
}

static int skip(const char *why)
{
	printf("status=skip\nreason=%s\n", why);
	return 77;
}

static int set_limit(int resource, unsigned long long bytes)
{
	struct rlimit rl = { bytes, bytes };

	if (setrlimit(resource, &rl)) {
		printf("status=error\nerror=setrlimit_%s\n", strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	int n = argc > 2 ? atoi(argv[2]) : 0, flags = MAP_PRIVATE | MAP_ANONYMOUS, last = 0;
	int prot = PROT_READ | PROT_WRITE;
	unsigned long long bytes;
	unsigned failed = 0;

	static char outbuf[4096];

	/* A static buffer: printing after map-count must not malloc, which would mmap and fail too. */
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	if (argc != 3 || n <= 0 || n > 10000000) {
		fprintf(stderr, "usage: enomem rlimit-as|rlimit-data|heuristic|commit|hugetlb|map-count N\n");
		return 2;
	}
	if (!strcmp(mode, "rlimit-as")) {
		bytes = 128 * MiB;
		if (set_limit(RLIMIT_AS, self_status("VmSize") + 64 * MiB))
			return 1;
	} else if (!strcmp(mode, "rlimit-data")) {
		bytes = 128 * MiB;
		if (set_limit(RLIMIT_DATA, self_status("VmData") + 64 * MiB))
			return 1;
	} else if (!strcmp(mode, "heuristic")) {
		if (sysctl_vm("overcommit_memory") != 0)
			return skip("vm.overcommit_memory_is_not_0");
		bytes = meminfo("MemTotal") + meminfo("SwapTotal") + 1024 * MiB;
	} else if (!strcmp(mode, "commit")) {
		unsigned long long limit = meminfo("CommitLimit"), committed = meminfo("Committed_AS");

		if (sysctl_vm("overcommit_memory") != 2)
			return skip("vm.overcommit_memory_is_not_2");
		bytes = (limit > committed ? limit - committed : 0) + 64 * MiB;
	} else if (!strcmp(mode, "hugetlb")) {
		unsigned long long huge = meminfo("Hugepagesize");

		if (!huge)
			return skip("no_hugetlb");
		bytes = (meminfo("HugePages_Free") - meminfo("HugePages_Rsvd") + 1) * huge;
		flags |= MAP_HUGETLB;
	} else if (!strcmp(mode, "map-count")) {
		/* Alternate protections so that neighbouring mappings never merge into one. */
		long page = sysconf(_SC_PAGESIZE);

		for (long i = 0;; i++) {
			void *p = mmap(NULL, page, i & 1 ? PROT_READ : PROT_NONE, flags, -1, 0);

			if (p == MAP_FAILED) {
				last = errno;
				failed += errno == ENOMEM;
				break;
			}
		}
		bytes = page;
		prot = PROT_READ;
		n--;
	} else {
		fprintf(stderr, "enomem: unknown mode %s\n", mode);
		return 2;
	}
	for (int i = 0; i < n; i++) {
		void *p = mmap(NULL, bytes, prot, flags, -1, 0);

		if (p != MAP_FAILED) {
			munmap(p, bytes);
			continue;
		}
		last = errno;
		failed += errno == ENOMEM;
	}
	printf("enomem.mode=%s\nenomem.bytes=%llu\nenomem.attempts=%d\nenomem.failed=%u\nenomem.errno=%s\nstatus=ok\n",
	       mode, bytes, n + (!strcmp(mode, "map-count")), failed, last ? strerrorname_np(last) : "0");
	return 0;
}
