// SPDX-License-Identifier: GPL-2.0
/*
 * provoke: workloads that make the kernel's memory allocators do real,
 * countable things, for fragscope's integration tests and benchmarks.
 *
 *   provoke [options] pages N                 N order-0 page faults (no THP)
 *   provoke [options] thp N                   N PMD-sized THP faults
 *   provoke [options] fail [KINDS] [COUNT]    real allocation failures (in a memcg)
 *   provoke [options] compact direct|sysctl|node|proactive [MB] [THPS]
 *   provoke [options] reclaim [FILE_MB] [PASSES]   memcg reclaim (in a memcg)
 *   provoke [options] kmalloc N [pipe|socket|both] slab-heavy syscall churn
 *   provoke [options] oom [MB]                a child OOM-killed in its memcg
 *
 * Everything it did is printed on stdout as key=value lines, one per line,
 * with no spaces in values: "cmd=", "pid=", "memcg_*=", then "<cmd>.*=" keys,
 * then "elapsed_ms=" and last "status=ok" (or "status=error" with "error=").
 * docs/provoking.md says what each command does in the kernel, which
 * tracepoints it fires and what was observed; tests/tools/README.md lists
 * the keys.
 *
 * Options:
 *   --marker FILE  write "provoke: <cmd> begin" / "provoke: <cmd> end" to FILE
 *                  (a tracefs trace_marker) around the measured phase
 *   --wait         after the header (pid=...), wait for a line on stdin
 *   --hold MS      keep the memory allocated MS milliseconds before releasing
 *   --exec-after PROG  when the command succeeded, exec PROG with the same
 *                  command and arguments (same pid, new comm: a copy of
 *                  provoke under another name), its output following this one's
 *
 * Exit status: 0 done, 1 the workload could not run as asked, 2 usage.
 * Memory-pressure commands refuse to run where they would not be bounded
 * (no memcg limit, or sizes beyond 25% of MemAvailable).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/netfilter_ipv4/ip_tables.h>

#define KiB 1024ULL
#define MiB (1024ULL * 1024)
#define TMPFS_MAGIC_ 0x01021994
#define RAMFS_MAGIC_ 0x858458f6

/* ---------------------------------------------------------------- output */

/*
 * All output goes through one static buffer, written with write(2) only at
 * chosen points: while `fail` holds its memory cgroup full, nothing may
 * allocate (a pipe page for stdout would be charged to the full cgroup).
 */
static char outbuf[1 << 16];
static size_t outlen;

static void out_flush(void)
{
	size_t off = 0;

	while (off < outlen) {
		ssize_t n = write(STDOUT_FILENO, outbuf + off, outlen - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += n;
	}
	outlen = 0;
}

__attribute__((format(printf, 2, 3))) static void kv(const char *key, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (outlen + 512 > sizeof(outbuf))
		out_flush();
	n = snprintf(outbuf + outlen, sizeof(outbuf) - outlen, "%s=", key);
	outlen += n;
	va_start(ap, fmt);
	n = vsnprintf(outbuf + outlen, sizeof(outbuf) - outlen - 1, fmt, ap);
	va_end(ap);
	outlen += n;
	outbuf[outlen++] = '\n';
}

static void kvu(const char *key, unsigned long long v)
{
	kv(key, "%llu", v);
}

static void kvi(const char *key, long long v)
{
	kv(key, "%lld", v);
}

static const char *errname(int e)
{
	switch (e) {
	case 0: return "0";
	case ENOMEM: return "ENOMEM";
	case E2BIG: return "E2BIG";
	case EPERM: return "EPERM";
	case EINVAL: return "EINVAL";
	case EACCES: return "EACCES";
	case EBUSY: return "EBUSY";
	case ENOENT: return "ENOENT";
	case EAGAIN: return "EAGAIN";
	case EINTR: return "EINTR";
	case EMFILE: return "EMFILE";
	case ENFILE: return "ENFILE";
	case ENOSPC: return "ENOSPC";
	case ENOSYS: return "ENOSYS";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	default: {
		static char buf[16];

		snprintf(buf, sizeof(buf), "E%d", e);
		return buf;
	}
	}
}

static struct timespec t_start;
static const char *cmd_name = "";

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int finish(int rc, const char *error)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	kvu("elapsed_ms", (t.tv_sec - t_start.tv_sec) * 1000ULL + (t.tv_nsec - t_start.tv_nsec) / 1000000);
	if (error) {
		kv("status", "error");
		kv("error", "%s", error);
	} else {
		kv("status", "ok");
	}
	out_flush();
	if (error)
		fprintf(stderr, "provoke %s: %s\n", cmd_name, error);
	return rc;
}

/* A reason with no spaces, for the error= key. */
static char errbuf[256];
__attribute__((format(printf, 1, 2))) static const char *reason(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errbuf, sizeof(errbuf), fmt, ap);
	va_end(ap);
	for (char *p = errbuf; *p; p++)
		if (isspace((unsigned char)*p))
			*p = '_';
	return errbuf;
}

/* --------------------------------------------------------------- options */

static int marker_fd = -1;
static int opt_wait;
static unsigned opt_hold_ms;
static const char *opt_exec_after;

static void marker(const char *what)
{
	char buf[128];
	int n;

	if (marker_fd < 0)
		return;
	n = snprintf(buf, sizeof(buf), "provoke: %s %s pid=%d\n", cmd_name, what, getpid());
	if (write(marker_fd, buf, n) < 0) {
		/* a marker is a convenience; the workload goes on without it */
	}
}

static void hold(void)
{
	if (opt_hold_ms)
		sleep_ms(opt_hold_ms);
}

/* ----------------------------------------------------------- /proc, /sys */

static ssize_t read_text(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;

	if (fd < 0)
		return -1;
	while (len + 1 < size) {
		ssize_t n = read(fd, buf + len, size - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
	}
	close(fd);
	buf[len] = 0;
	return len;
}

static int write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	n = n < 0 ? -errno : 0;
	close(fd);
	return n;
}

/* The value after "name" (a whole word) in a "name value" table file. */
static long long table_get(const char *path, const char *name)
{
	static char buf[1 << 16];
	size_t len = strlen(name);
	char *p;

	if (read_text(path, buf, sizeof(buf)) < 0)
		return -1;
	for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (!strncmp(p, name, len) && (p[len] == ' ' || p[len] == ':' || p[len] == '\t')) {
			p += len + 1;
			while (*p == ' ' || *p == '\t')
				p++;
			return strtoll(p, NULL, 10);
		}
	}
	return -1;
}

static long long vmstat(const char *name)
{
	return table_get("/proc/vmstat", name);
}

static unsigned long long mem_available(void)
{
	long long kb = table_get("/proc/meminfo", "MemAvailable");

	return kb > 0 ? kb * KiB : 0;
}

/* 25% of MemAvailable: the bound for memory used outside a memcg limit. */
static unsigned long long mem_budget(void)
{
	return mem_available() / 4;
}

/* --------------------------------------------------------------- memcg */

static struct {
	int found;
	int v2;
	char path[512]; /* as in /proc/self/cgroup */
	char dir[1024]; /* its directory */
} memcg;

static void memcg_find(void)
{
	static char buf[1 << 14], mi[1 << 16];
	char *line, *save = NULL, root[512] = "";
	char v2path[512] = "";
	int have_v1 = 0;

	if (read_text("/proc/self/cgroup", buf, sizeof(buf)) < 0)
		return;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

		if (!c2)
			continue;
		*c2 = 0;
		if (c1[1] == 0) {
			snprintf(v2path, sizeof(v2path), "%s", c2 + 1);
			continue;
		}
		for (char *tok = c1 + 1, *end; tok; tok = end ? end + 1 : NULL) {
			end = strchr(tok, ',');
			if (end)
				*end = 0;
			if (!strcmp(tok, "memory")) {
				snprintf(memcg.path, sizeof(memcg.path), "%s", c2 + 1);
				have_v1 = 1;
			}
		}
	}
	/* Find the mount of the memory controller in mountinfo. */
	if (read_text("/proc/self/mountinfo", mi, sizeof(mi)) < 0)
		return;
	save = NULL;
	for (line = strtok_r(mi, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char mnt[512], fstype[64], opts[512];
		char *dash = strstr(line, " - ");

		if (!dash || sscanf(line, "%*s %*s %*s %*s %511s", mnt) != 1 ||
		    sscanf(dash + 3, "%63s %*s %511s", fstype, opts) != 2)
			continue;
		if (have_v1 && !strcmp(fstype, "cgroup")) {
			for (char *tok = opts, *end; tok; tok = end ? end + 1 : NULL) {
				end = strchr(tok, ',');
				if (end)
					*end = 0;
				if (!strcmp(tok, "memory"))
					snprintf(root, sizeof(root), "%s", mnt);
			}
		} else if (!have_v1 && !strcmp(fstype, "cgroup2") && !root[0]) {
			char ctl[600], list[512];

			snprintf(ctl, sizeof(ctl), "%s/cgroup.controllers", mnt);
			if (read_text(ctl, list, sizeof(list)) > 0 && strstr(list, "memory")) {
				snprintf(root, sizeof(root), "%s", mnt);
				snprintf(memcg.path, sizeof(memcg.path), "%s", v2path);
				memcg.v2 = 1;
			}
		}
	}
	if (!root[0] || !memcg.path[0])
		return;
	snprintf(memcg.dir, sizeof(memcg.dir), "%s%s", root, strcmp(memcg.path, "/") ? memcg.path : "");
	memcg.found = 1;
}

static int memcg_is_root(void)
{
	return !memcg.found || !strcmp(memcg.path, "/");
}

/*
 * cgroup files are opened once and read again with pread(): while `fail`
 * holds the cgroup full, an open() would need a struct file charged to it
 * (and the seq_file buffer is allocated by the first read only).
 */
static struct {
	char file[32];
	int fd;
} memcg_files[8];

static int memcg_fd(const char *file)
{
	char path[1200];
	unsigned i;

	for (i = 0; i < sizeof(memcg_files) / sizeof(memcg_files[0]) && memcg_files[i].file[0]; i++)
		if (!strcmp(memcg_files[i].file, file))
			return memcg_files[i].fd;
	if (i == sizeof(memcg_files) / sizeof(memcg_files[0]) || !memcg.found)
		return -1;
	snprintf(path, sizeof(path), "%s/%s", memcg.dir, file);
	snprintf(memcg_files[i].file, sizeof(memcg_files[i].file), "%s", file);
	memcg_files[i].fd = open(path, O_RDONLY | O_CLOEXEC);
	return memcg_files[i].fd;
}

static ssize_t memcg_text(const char *file, char *buf, size_t size)
{
	int fd = memcg_fd(file);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = pread(fd, buf, size - 1, 0);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return n;
}

static long long memcg_read(const char *file)
{
	char buf[64];

	if (memcg_text(file, buf, sizeof(buf)) <= 0)
		return -1;
	if (!strncmp(buf, "max", 3))
		return LLONG_MAX;
	return strtoll(buf, NULL, 10);
}

static long long memcg_table(const char *file, const char *name)
{
	char buf[16384], *p;
	size_t len = strlen(name);

	if (memcg_text(file, buf, sizeof(buf)) <= 0)
		return -1;
	for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, name, len) && p[len] == ' ')
			return strtoll(p + len + 1, NULL, 10);
	return -1;
}

/* The limit in bytes, or ULLONG_MAX when there is none. */
static unsigned long long memcg_limit(void)
{
	long long v;

	if (memcg_is_root())
		return ULLONG_MAX;
	v = memcg_read(memcg.v2 ? "memory.max" : "memory.limit_in_bytes");
	/* v1 spells "unlimited" as PAGE_COUNTER_MAX pages: about 2^63 bytes. */
	if (v < 0 || v >= (1LL << 62))
		return ULLONG_MAX;
	return v;
}

static long long memcg_usage(void)
{
	return memcg_read(memcg.v2 ? "memory.current" : "memory.usage_in_bytes");
}

/* Charges that hit the limit: v1 memory.failcnt, v2 memory.events "max". */
static long long memcg_failcnt(void)
{
	return memcg.v2 ? memcg_table("memory.events", "max") : memcg_read("memory.failcnt");
}

static long long memcg_oom_kills(void)
{
	return memcg_table(memcg.v2 ? "memory.events" : "memory.oom_control", "oom_kill");
}

static void print_header(void)
{
	unsigned long long limit;

	kv("cmd", "%s", cmd_name);
	kvi("pid", getpid());
	kv("memcg_version", "%s", !memcg.found ? "none" : memcg.v2 ? "2" : "1");
	kv("memcg_path", "%s", memcg.found ? memcg.path : "-");
	limit = memcg_limit();
	if (limit == ULLONG_MAX)
		kv("memcg_limit", "max");
	else
		kvu("memcg_limit", limit);
	kvi("memcg_usage", memcg_usage());
}

/* ------------------------------------------------------------------ bpf */

static int bpf_sys(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static int map_create(unsigned type, unsigned key_size, unsigned value_size, unsigned max_entries,
		      unsigned flags)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = type;
	attr.key_size = key_size;
	attr.value_size = value_size;
	attr.max_entries = max_entries;
	attr.map_flags = flags;
	return bpf_sys(BPF_MAP_CREATE, &attr);
}

/*
 * BPF_MAP_CREATE that can never make a map: map_create() runs the map's
 * allocation (ops->map_alloc) before it checks the name, and frees the map
 * on a bad name.  So this fails with ENOMEM when the allocation failed and
 * with EINVAL when it succeeded; it never gets as far as an fd, whose
 * struct file and dentry are GFP_KERNEL charges that, in a full cgroup,
 * would call the memcg OOM killer.
 */
static int map_alloc_only(unsigned value_size, unsigned max_entries)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_ARRAY;
	attr.key_size = 4;
	attr.value_size = value_size;
	attr.max_entries = max_entries;
	strcpy(attr.map_name, "no!fd"); /* '!' fails bpf_obj_name_cpy() */
	return bpf_sys(BPF_MAP_CREATE, &attr);
}

static int map_update(int fd, const void *key, const void *value)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = fd;
	attr.key = (uintptr_t)key;
	attr.value = (uintptr_t)value;
	attr.flags = BPF_ANY;
	return bpf_sys(BPF_MAP_UPDATE_ELEM, &attr);
}

/* ------------------------------------------------------------- helpers */

static unsigned long page_size;

static unsigned long long parse_size(const char *s, const char *what)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end) {
		fprintf(stderr, "provoke: bad %s '%s'\n", what, s);
		exit(2);
	}
	return v;
}

/* Touch a region of stack now, so no stack page is faulted in later. */
__attribute__((noinline)) static void prefault_stack(void)
{
	volatile char buf[256 * 1024];

	for (size_t i = 0; i < sizeof(buf); i += 1024)
		buf[i] = 0;
}

/* AnonHugePages (bytes) of the mappings that overlap [start, start+len). */
static long long smaps_anon_huge(unsigned long start, unsigned long len)
{
	FILE *f = fopen("/proc/self/smaps", "re");
	char line[512];
	int in = 0;
	long long total = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		long long kb;

		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' ')) {
			in = lo < start + len && hi > start;
			continue;
		}
		if (in && sscanf(line, "AnonHugePages: %lld kB", &kb) == 1)
			total += kb * KiB;
	}
	fclose(f);
	return total;
}

static int thp_mode(char *out, size_t size, const char *file)
{
	char path[256], buf[256], *l, *r;

	snprintf(path, sizeof(path), "/sys/kernel/mm/transparent_hugepage/%s", file);
	if (read_text(path, buf, sizeof(buf)) <= 0)
		return -1;
	l = strchr(buf, '[');
	r = l ? strchr(l, ']') : NULL;
	if (!r)
		return -1;
	*r = 0;
	snprintf(out, size, "%s", l + 1);
	return 0;
}

static unsigned long hpage_size(void)
{
	char buf[64];

	if (read_text("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", buf, sizeof(buf)) <= 0)
		return 0;
	return strtoul(buf, NULL, 10);
}

static int ilog2_ul(unsigned long v)
{
	int r = -1;

	while (v) {
		v >>= 1;
		r++;
	}
	return r;
}

/* An anonymous mapping of len bytes aligned to align; NULL on failure. */
static char *map_aligned(size_t len, size_t align, char **base, size_t *base_len)
{
	size_t total = len + align;
	char *p = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uintptr_t a;

	if (p == MAP_FAILED)
		return NULL;
	a = ((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1);
	*base = p;
	*base_len = total;
	return (char *)a;
}

/* ---------------------------------------------------------------- pages */

static int cmd_pages(int argc, char **argv)
{
	unsigned long long n, len, budget = mem_budget();
	struct rusage r0, r1;
	char *p;

	if (argc < 1)
		return finish(2, "usage:_pages_N");
	n = parse_size(argv[0], "page count");
	len = n * page_size;
	kvu("pages.requested", n);
	kvu("pages.page_size", page_size);
	kvu("pages.bytes", len);
	if (len > budget)
		return finish(1, reason("%llu bytes is over 25%% of MemAvailable (%llu)", len, budget));
	if (n == 0) {
		marker("begin");
		marker("end");
		kvu("pages.touched", 0);
		kvu("pages.minflt", 0);
		return finish(0, NULL);
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return finish(1, reason("mmap: %s", errname(errno)));
	/* No THP, no mTHP: every fault below allocates one order-0 page. */
	if (madvise(p, len, MADV_NOHUGEPAGE))
		kv("pages.madvise_nohugepage", "%s", errname(errno));
	else
		kv("pages.madvise_nohugepage", "ok");
	out_flush();
	getrusage(RUSAGE_SELF, &r0);
	marker("begin");
	for (unsigned long long i = 0; i < n; i++)
		p[i * page_size] = 1;
	marker("end");
	getrusage(RUSAGE_SELF, &r1);
	kvu("pages.touched", n);
	kvi("pages.minflt", r1.ru_minflt - r0.ru_minflt);
	hold();
	munmap(p, len);
	kvu("pages.unmapped", n);
	return finish(0, NULL);
}

/* ------------------------------------------------------------------ thp */

static int cmd_thp(int argc, char **argv)
{
	unsigned long long n, len, budget = mem_budget();
	unsigned long hp = hpage_size();
	char enabled[32] = "?", defrag[32] = "?";
	long long a0, f0, c0, s0, huge;
	char *base, *p;
	size_t base_len;

	if (argc < 1)
		return finish(2, "usage:_thp_N");
	n = parse_size(argv[0], "THP count");
	thp_mode(enabled, sizeof(enabled), "enabled");
	thp_mode(defrag, sizeof(defrag), "defrag");
	kvu("thp.requested", n);
	kvu("thp.hpage_size", hp);
	kvi("thp.order", hp ? ilog2_ul(hp / page_size) : -1);
	kv("thp.enabled", "%s", enabled);
	kv("thp.defrag", "%s", defrag);
	if (!hp)
		return finish(1, "no_/sys/kernel/mm/transparent_hugepage/hpage_pmd_size:_THP_not_built");
	if (!strcmp(enabled, "never"))
		return finish(1, "THP_enabled=never");
	len = n * hp;
	kvu("thp.bytes", len);
	if (len > budget)
		return finish(1, reason("%llu bytes is over 25%% of MemAvailable (%llu)", len, budget));
	p = map_aligned(len ? len : hp, hp, &base, &base_len);
	if (!p)
		return finish(1, reason("mmap: %s", errname(errno)));
	if (madvise(p, len ? len : hp, MADV_HUGEPAGE))
		return finish(1, reason("madvise(MADV_HUGEPAGE): %s", errname(errno)));
	out_flush();
	a0 = vmstat("thp_fault_alloc");
	f0 = vmstat("thp_fault_fallback");
	c0 = vmstat("thp_fault_fallback_charge");
	s0 = vmstat("compact_stall");
	marker("begin");
	for (unsigned long long i = 0; i < n; i++)
		p[i * hp] = 1;
	marker("end");
	huge = smaps_anon_huge((uintptr_t)p, len);
	kvu("thp.touched", n);
	kvi("thp.anon_huge_bytes", huge);
	kvi("thp.huge", huge >= 0 ? huge / (long long)hp : -1);
	kvi("thp.vmstat_fault_alloc_delta", vmstat("thp_fault_alloc") - a0);
	kvi("thp.vmstat_fault_fallback_delta", vmstat("thp_fault_fallback") - f0);
	kvi("thp.vmstat_fault_fallback_charge_delta", vmstat("thp_fault_fallback_charge") - c0);
	kvi("thp.vmstat_compact_stall_delta", vmstat("compact_stall") - s0);
	hold();
	munmap(base, base_len);
	return finish(0, NULL);
}

/* ----------------------------------------------------------------- fail */

/*
 * Failures are provoked by filling the memory cgroup to its limit with
 * memory that cannot be reclaimed and that is charged without any chance
 * of the OOM killer, then asking for more through allocations that fail
 * cleanly (NORETRY / RETRY_MAYFAIL): see docs/provoking.md.
 */
/* iptables is not in "all": it is the one kind the kernel logs (warn_alloc), for explain's tests.
 * pipe and inotify ("portable", with slab) need no BPF: see the portable filler below. */
enum {
	K_KMALLOC = 1, K_LARGE = 2, K_VMALLOC = 4, K_SLAB = 8, K_ALL = 15, K_IPT = 16,
	K_PIPE = 32, K_INOTIFY = 64, K_PORTABLE = K_PIPE | K_INOTIFY | K_SLAB,
};

static const struct fail_kind {
	unsigned bit;
	const char *name;
	unsigned value_size; /* of a 1-entry BPF array: sizeof(struct bpf_array) is ~312 */
	const char *path;
} fail_kinds[] = {
	/* 4096 + 312 bytes: kmalloc-cg-8k, then vmalloc of 2 pages */
	{ K_KMALLOC, "kmalloc", 4096, "bpf_map_area_alloc>kmalloc_node(slab)>vmalloc" },
	/* 16384 + 312 bytes: kmalloc_large order 3, then vmalloc of 5 pages */
	{ K_LARGE, "large", 16384, "bpf_map_area_alloc>kmalloc_node(large,order3)>vmalloc" },
	/* 1 MiB: above PAGE_SIZE << PAGE_ALLOC_COSTLY_ORDER, vmalloc only */
	{ K_VMALLOC, "vmalloc", 1 << 20, "bpf_map_area_alloc>__vmalloc_node_range" },
	{ K_SLAB, "slab", 0, "fanotify_alloc_event>kmem_cache_alloc" },
	/* 1 MiB table: kvmalloc(GFP_KERNEL_ACCOUNT), whose vmalloc fallback warns when it fails */
	{ K_IPT, "iptables", 1 << 20, "xt_alloc_table_info>kvmalloc>vmalloc" },
	/* an 8 MiB pipe: a ring of 2048 pipe_buffers, 80 KiB: kmalloc_large order 5 (pipe-max-size without CAP_SYS_RESOURCE) */
	{ K_PIPE, "pipe", 8 << 20, "pipe_resize_ring>kcalloc>kmalloc_large" },
	/* one event with a 199-byte name: kmalloc-256, GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL */
	{ K_INOTIFY, "inotify", 0, "inotify_handle_(inode_)event>kmalloc(256)" },
};
#define N_FAIL_KINDS (sizeof(fail_kinds) / sizeof(fail_kinds[0]))

/*
 * IPT_SO_SET_REPLACE with a table of `size` bytes: the kernel allocates the
 * table (xt_alloc_table_info) before it reads a single rule, so an empty one
 * is enough: ENOMEM when the allocation failed, EINVAL after it succeeded.
 * In a network namespace of its own (see cmd_fail), so the host's tables
 * are never touched.
 */
static struct ipt_replace *ipt_table;
static int ipt_fd = -1;

static int ipt_setup(unsigned size)
{
	if (unshare(CLONE_NEWNET))
		return -1;
	ipt_fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	ipt_table = calloc(1, sizeof(*ipt_table) + size);
	if (ipt_fd < 0 || !ipt_table)
		return -1;
	snprintf(ipt_table->name, sizeof(ipt_table->name), "filter");
	ipt_table->num_counters = 1;
	ipt_table->size = size;
	return 0;
}

static int ipt_replace_table(void)
{
	return setsockopt(ipt_fd, SOL_IP, IPT_SO_SET_REPLACE, ipt_table, sizeof(*ipt_table) + ipt_table->size);
}

/* The filler: a BPF hash map without preallocation whose elements are
 * allocated by bpf_mem_alloc's refill with GFP_NOWAIT | __GFP_ACCOUNT:
 * charged to this memcg, never reclaiming, never invoking the OOM killer. */
/* 48 (htab_elem) + 8 (key) + 1984 + 8 (llist node) = 2048: kmalloc-cg-2k,
 * charged 2056 bytes (with the objcg pointer), so the filler can take the
 * last page of the cgroup too, not only all but one. */
#define FILL_VALUE_SIZE 1984
#define FILL_ELEM_BYTES 2048
#define SLAB_STOCK_EVENTS 256 /* more fanotify events than a page of object stock holds */

static struct {
	int fd;
	unsigned next_key;
	unsigned max_entries;
	char value[FILL_VALUE_SIZE];
} filler = { .fd = -1 };

/*
 * The portable filler (kinds pipe and inotify), for kernels that charge BPF
 * maps to RLIMIT_MEMLOCK instead of the memory cgroup (5.10), and cgroup v2
 * which has no oom_kill_disable: every charge it makes in the full cgroup
 * is one that fails instead of calling the memcg OOM killer, on every
 * kernel since 5.8 (pipe_resize_ring):
 * - pipe rings (F_SETPIPE_SZ: kcalloc of pipe_buffers, GFP_KERNEL_ACCOUNT,
 *   above KMALLOC_MAX_CACHE_SIZE so kmalloc_large): charges of more than
 *   PAGE_ALLOC_COSTLY_ORDER, which mem_cgroup_oom() refuses to OOM for;
 *   coarse (16 pages at the least), so
 * - inotify events (kmalloc, GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL,
 *   charged to the group's creator) fill the last pages.  An event merges
 *   with the queue's last one only, so reads take turns between two files;
 *   FIONREAD tells whether a read queued its event (a lost one queues the
 *   16-byte overflow event once, or nothing).
 * The pipes and the files are made before the cgroup fills: creating one
 * charges small GFP_KERNEL objects.
 */
#define PIPE_RING_BIG (16u << 20)   /* 4096 slots: 160 KiB, order 6: 64 pages charged */
#define PIPE_RING_SMALL (4u << 20)  /* 1024 slots: 40 KiB, order 4: the smallest costly charge */
#define PIPE_RING_DRAIN (64u << 20) /* 16384 slots: 640 KiB, order 8 */
#define PIPE_BUFFER_BYTES 40        /* sizeof(struct pipe_buffer) on 64-bit */
#define INOTIFY_NAME_LEN 199
/* what FIONREAD adds per event: struct inotify_event and the name padded to it */
#define INOTIFY_EVENT_BYTES                                                                                  \
	(sizeof(struct inotify_event) +                                                                     \
	 (INOTIFY_NAME_LEN + 1 + sizeof(struct inotify_event) - 1) / sizeof(struct inotify_event) *       \
		 sizeof(struct inotify_event))

static struct {
	int (*pipes)[2];
	unsigned npipes, next; /* filler pipes; then one to ask with, one to drain with */
	unsigned ring_big, ring_small, ring_drain, ring_ask; /* F_SETPIPE_SZ sizes */
	int rings_capped;      /* no CAP_SYS_RESOURCE: every ring of pipe-max-size */
	unsigned enomem;       /* F_SETPIPE_SZ that failed with ENOMEM, all of them */
	int bad_errno;         /* an F_SETPIPE_SZ that failed otherwise */
	int ino_fd, files[2], last_queued, queued; /* last_queued: the file of the queue's last event */
	unsigned events, fill_lost, max_events;
	char dir[64], names[2][INOTIFY_NAME_LEN + 1];
	void *maps[2];
} pfill = { .ino_fd = -1, .files = { -1, -1 } };

static int pipe_resize(int fd, unsigned size)
{
	if (fcntl(fd, F_SETPIPE_SZ, size) >= 0)
		return 0;
	if (errno == ENOMEM)
		pfill.enomem++;
	else if (!pfill.bad_errno)
		pfill.bad_errno = errno;
	return -1;
}

/*
 * One read, one event: 1 if it was queued, 0 if its allocation failed.
 * inotify merges an event with the queue's last one when they are alike,
 * after allocating it, so each read is of the file other than the last
 * queued event's.  Alternating blindly is not enough: after a lost event
 * the queue's last is unchanged (the overflow event is queued once only),
 * and the next read would merge, allocated and counted as lost.
 */
static int inotify_event(void)
{
	int before = pfill.queued, after, file = !pfill.last_queued;
	char c;

	if (pread(pfill.files[file], &c, 1, 0) != 1 || ioctl(pfill.ino_fd, FIONREAD, &after))
		return 0;
	pfill.queued = after;
	if ((size_t)(after - before) != INOTIFY_EVENT_BYTES)
		return 0;
	pfill.last_queued = file;
	pfill.events++;
	return 1;
}

static unsigned portable_fill(void)
{
	unsigned added = 0, misses = 0;

	while (pfill.next < pfill.npipes) {
		int fd = pfill.pipes[pfill.next][1];

		if (pipe_resize(fd, pfill.ring_big) && pipe_resize(fd, pfill.ring_small))
			break;
		pfill.next++;
		added++;
	}
	/* A failed charge drains the other CPUs' stocks, asynchronously. */
	while (misses < 2 && pfill.events + 2 < pfill.max_events) {
		if (inotify_event()) {
			added++;
			misses = 0;
		} else {
			pfill.fill_lost++;
			misses++;
			sched_yield();
		}
	}
	return added;
}

/* A ring larger than what is left: its failing charge drains every CPU's stock. */
static void portable_drain(void)
{
	pipe_resize(pfill.pipes[pfill.npipes + 1][1], pfill.ring_drain);
	sleep_ms(10);
}

/* What a ring of F_SETPIPE_SZ `size` charges: kmalloc_large rounds to a power of two. */
static unsigned long ring_charge(unsigned size)
{
	unsigned long bytes = (unsigned long)size / 4096 * PIPE_BUFFER_BYTES, charge = 4096;

	while (charge < bytes)
		charge <<= 1;
	return charge;
}

/*
 * Ring sizes: a ring above pipe-max-size needs CAP_SYS_RESOURCE.  Without
 * it every ring is of pipe-max-size (1 MiB: 16 KiB charged, not a costly
 * order), safe only with cgroup v1's oom_kill_disable (cmd_fail checks).
 */
static const char *ring_sizes(void)
{
	int probe[2];
	char val[32];

	pfill.ring_big = PIPE_RING_BIG;
	pfill.ring_small = PIPE_RING_SMALL;
	pfill.ring_drain = PIPE_RING_DRAIN;
	pfill.ring_ask = fail_kinds[5].value_size;
	if (pipe2(probe, O_CLOEXEC))
		return reason("pipe2: %s", errname(errno));
	if (fcntl(probe[1], F_SETPIPE_SZ, PIPE_RING_BIG) < 0 && errno == EPERM) {
		if (read_text("/proc/sys/fs/pipe-max-size", val, sizeof(val)) <= 0 || atoi(val) < 65536)
			return "F_SETPIPE_SZ:_EPERM_and_no_usable_/proc/sys/fs/pipe-max-size";
		pfill.ring_big = pfill.ring_small = pfill.ring_drain = pfill.ring_ask = atoi(val);
		pfill.rings_capped = 1;
	}
	close(probe[0]);
	close(probe[1]);
	return NULL;
}

/* Pipes for a cgroup of `limit` bytes, an inotify group watching two files. */
static const char *portable_setup(unsigned long long limit)
{
	char path[INOTIFY_NAME_LEN + 64], val[32];
	const char *err = ring_sizes();
	struct rlimit rl;
	unsigned fds;

	if (err)
		return err;
	pfill.npipes = limit / ring_charge(pfill.ring_big) + 32;
	fds = 2 * (pfill.npipes + 2) + SLAB_STOCK_EVENTS + 1024 + 64;
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < fds) {
		rl.rlim_cur = rl.rlim_max < fds ? rl.rlim_max : fds;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	pfill.pipes = calloc(pfill.npipes + 2, sizeof(*pfill.pipes));
	if (!pfill.pipes)
		return "calloc";
	memset(pfill.pipes, -1, (pfill.npipes + 2) * sizeof(*pfill.pipes));
	for (unsigned i = 0; i < pfill.npipes + 2; i++)
		if (pipe2(pfill.pipes[i], O_CLOEXEC | O_NONBLOCK))
			return reason("pipe2 (%u of %u): %s", i, pfill.npipes + 2, errname(errno));
	pfill.max_events = read_text("/proc/sys/fs/inotify/max_queued_events", val, sizeof(val)) > 0 ? atoi(val) : 0;
	snprintf(pfill.dir, sizeof(pfill.dir), "/tmp/provoke-inotify-XXXXXX");
	if (!mkdtemp(pfill.dir))
		return reason("mkdtemp %s: %s", pfill.dir, errname(errno));
	for (int i = 0; i < 2; i++) {
		memset(pfill.names[i], 'a' + i, INOTIFY_NAME_LEN);
		snprintf(path, sizeof(path), "%s/%s", pfill.dir, pfill.names[i]);
		pfill.files[i] = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOATIME | O_CLOEXEC, 0600);
		if (pfill.files[i] < 0 || write(pfill.files[i], "x", 1) != 1)
			return reason("create %s: %s", path, errname(errno));
		/* its page cache page mapped and locked: pread() never allocates */
		pfill.maps[i] = mmap(NULL, 4096, PROT_READ, MAP_SHARED | MAP_POPULATE, pfill.files[i], 0);
		if (pfill.maps[i] == MAP_FAILED || mlock(pfill.maps[i], 4096))
			return reason("mmap/mlock %s: %s", path, errname(errno));
	}
	pfill.ino_fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (pfill.ino_fd < 0 || inotify_add_watch(pfill.ino_fd, pfill.dir, IN_ACCESS) < 0)
		return reason("inotify_init1/add_watch: %s", errname(errno));
	return NULL;
}

static void portable_release(void)
{
	char path[INOTIFY_NAME_LEN + 64];

	for (unsigned i = 0; pfill.pipes && i < pfill.npipes + 2 && pfill.pipes[i][0] >= 0; i++) {
		close(pfill.pipes[i][0]);
		close(pfill.pipes[i][1]);
	}
	free(pfill.pipes);
	pfill.pipes = NULL;
	if (pfill.ino_fd >= 0)
		close(pfill.ino_fd);
	for (int i = 0; i < 2; i++) {
		if (pfill.maps[i] && pfill.maps[i] != MAP_FAILED)
			munmap(pfill.maps[i], 4096);
		if (pfill.files[i] >= 0)
			close(pfill.files[i]);
		snprintf(path, sizeof(path), "%s/%s", pfill.dir, pfill.names[i]);
		unlink(path);
	}
	rmdir(pfill.dir);
}

/* Insert until ENOMEM persists (the refill irq_work failed to charge). */
static unsigned fill(void)
{
	if (pfill.pipes)
		return portable_fill();
	unsigned added = 0, misses = 0;

	while (misses < 8 && filler.next_key < filler.max_entries) {
		if (map_update(filler.fd, &filler.next_key, filler.value) == 0) {
			filler.next_key++;
			added++;
			misses = 0;
			continue;
		}
		if (errno != ENOMEM)
			break;
		misses++;
		sched_yield();
		if (misses > 4)
			sleep_ms(1);
	}
	return added;
}

/*
 * Full: the page counter at the limit.  Every charge takes from this CPU's
 * stock first, so when even GFP_NOWAIT cannot charge a page here, nothing
 * is left to charge but other CPUs' stocks (see drain()).  Returns the
 * elements added; *full says whether the limit was reached (within 1 s).
 */
static unsigned fill_to_full(unsigned long long limit, int *full)
{
	unsigned added = 0;

	for (int i = 0; i < 500; i++) {
		added += fill();
		if (memcg_usage() + (long long)page_size > (long long)limit) {
			*full = 1;
			return added;
		}
		sleep_ms(2); /* the slab or the refill was short, not the cgroup */
	}
	*full = 0;
	return added;
}

/*
 * A vmalloc'd BPF array larger than the whole limit: it cannot succeed, and
 * its failing charges reclaim what is reclaimable in the cgroup (its
 * dentries and inodes too) and drain every CPU's charge stock back to the
 * counter (drain_all_stock(): asynchronous on other CPUs, hence the pause),
 * for fill_to_full() to take.
 */
static void drain(unsigned long long limit)
{
	if (pfill.pipes) {
		portable_drain();
		return;
	}
	map_alloc_only(1 << 20, limit / (1 << 20) + 2);
	sleep_ms(10);
}

/*
 * Every CPU may hold a stock of pages precharged to this cgroup (up to 64,
 * from whatever ran there), which only that CPU can use and which only
 * drain_all_stock() gives back, and that skips the drain when another
 * cgroup is draining at the same time.  So take them where they are: fill
 * on each CPU in turn (a charge takes from its own CPU's stock first), then
 * come back to the home CPU.
 */
static cpu_set_t cpus_allowed;
static int home_cpu;

static unsigned fill_every_cpu(unsigned long long limit, int *full)
{
	unsigned added = 0;
	cpu_set_t one;

	for (int c = 0; c < CPU_SETSIZE; c++) {
		if (!CPU_ISSET(c, &cpus_allowed) || c == home_cpu)
			continue;
		CPU_ZERO(&one);
		CPU_SET(c, &one);
		if (sched_setaffinity(0, sizeof(one), &one) == 0)
			added += fill();
	}
	CPU_ZERO(&one);
	CPU_SET(home_cpu, &one);
	sched_setaffinity(0, sizeof(one), &one);
	return added + fill_to_full(limit, full);
}

/*
 * One attempt of kind fk in the full cgroup: 1 if its allocation failed.
 * A pipe ring that was allocated after all stays (shrinking it would take a
 * small GFP_KERNEL charge); the next attempt asks for it again.
 */
static int provoke_once(const struct fail_kind *fk)
{
	switch (fk->bit) {
	case K_IPT:
		return ipt_replace_table() < 0 && errno == ENOMEM;
	case K_PIPE:
		return pipe_resize(pfill.pipes[pfill.npipes][1], pfill.ring_ask) < 0 && errno == ENOMEM;
	case K_INOTIFY:
		if (inotify_event())
			return 0;
		errno = ENOMEM; /* what the event's kmalloc() met */
		return 1;
	default:
		return map_alloc_only(fk->value_size, 1) < 0 && errno == ENOMEM;
	}
}

static int cmd_fail(int argc, char **argv)
{
	unsigned kinds = 0, count = 5, fill_rounds = 0, drains = 0, filled;
	int full = 0;
	unsigned long long limit = memcg_limit();
	long long fail0, usage_full;
	int cpu, fan_fd = -1, oom_guard = 0;
	unsigned slab_files = 0;
	static int slab_fds[1024];
	static void *slab_maps[1024];
	char oom_ctl[1200], tmpl[] = "/tmp/provoke-fail-XXXXXX";
	struct {
		unsigned attempts, failed, succeeded;
		int last_errno;
	} res[N_FAIL_KINDS] = { 0 };
	cpu_set_t set;

	if (argc >= 1) {
		char *list = argv[0], *tok, *save = NULL;

		for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			if (!strcmp(tok, "all"))
				kinds |= K_ALL;
			else if (!strcmp(tok, "kmalloc"))
				kinds |= K_KMALLOC;
			else if (!strcmp(tok, "large") || !strcmp(tok, "page"))
				kinds |= K_LARGE;
			else if (!strcmp(tok, "vmalloc"))
				kinds |= K_VMALLOC;
			else if (!strcmp(tok, "slab"))
				kinds |= K_SLAB;
			else if (!strcmp(tok, "iptables"))
				kinds |= K_IPT;
			else if (!strcmp(tok, "pipe"))
				kinds |= K_PIPE;
			else if (!strcmp(tok, "inotify"))
				kinds |= K_INOTIFY;
			else if (!strcmp(tok, "portable"))
				kinds |= K_PORTABLE;
			else
				return finish(2, reason("unknown kind %s (kmalloc,large,page,vmalloc,slab,iptables,all;"
							" pipe,inotify,portable)", tok));
		}
	}
	if (!kinds)
		kinds = K_ALL;
	/* pipe and inotify fill the cgroup with pipe rings, the others with a BPF map */
	if ((kinds & (K_PIPE | K_INOTIFY)) && (kinds & (K_ALL | K_IPT) & ~K_SLAB))
		return finish(2, "pipe,inotify_and_the_BPF_kinds_(kmalloc,large,vmalloc,iptables)_need_different_fillers");
	if (argc >= 2)
		count = parse_size(argv[1], "count");
	{
		char list[64] = "";

		for (unsigned k = 0; k < N_FAIL_KINDS; k++)
			if (kinds & fail_kinds[k].bit)
				snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", list[0] ? "," : "",
					 fail_kinds[k].name);
		kv("fail.kinds", "%s", list);
	}
	kvu("fail.count", count);
	if (memcg_is_root() || limit == ULLONG_MAX)
		return finish(1, "not_in_a_memory_cgroup_with_a_limit:_run_it_inside_one_(e.g._32_MiB)");
	if (limit < 8 * MiB)
		return finish(1, reason("memcg limit %llu is under 8 MiB: too small for the setup (use e.g. 32 MiB)", limit));
	if (limit > 256 * MiB)
		return finish(1, reason("memcg limit %llu is over 256 MiB: use a small one (e.g. 32 MiB)", limit));
	if (limit > mem_budget())
		return finish(1, "memcg_limit_over_25%_of_MemAvailable");

	/* One CPU: every charge and every per-CPU stock is on this one. */
	cpu = home_cpu = sched_getcpu();
	if (sched_getaffinity(0, sizeof(cpus_allowed), &cpus_allowed)) {
		CPU_ZERO(&cpus_allowed);
		CPU_SET(cpu, &cpus_allowed);
	}
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	kvi("fail.cpu", cpu);

	/* Nothing may fault in while the cgroup is full. */
	prefault_stack();
	memset(filler.value, 0x5a, sizeof(filler.value));
	if (mlockall(MCL_CURRENT | MCL_FUTURE))
		kv("fail.mlockall", "%s", errname(errno));
	else
		kv("fail.mlockall", "ok");

	if ((kinds & K_IPT) && ipt_setup(fail_kinds[4].value_size))
		return finish(1, reason("iptables setup (unshare CLONE_NEWNET, raw socket): %s", errname(errno)));
	if (kinds & K_SLAB) {
		/*
		 * A fanotify group charges its events to its creator's memcg with
		 * GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL (its queue is bounded).
		 * Events on one file from one pid merge (and free the new one,
		 * its bytes going back to the per-CPU object stock), so each read
		 * is of another file: `count` files plus SLAB_STOCK_EVENTS, far
		 * more than what may still be charged without failing (the
		 * per-CPU object stock holds up to a page: ~56 events of 72
		 * bytes; observed: 0 to 106 events queued before the first
		 * failure).
		 */
		char path[64];

		slab_files = SLAB_STOCK_EVENTS + count;
		if (slab_files > sizeof(slab_fds) / sizeof(slab_fds[0]))
			return finish(2, "slab_count_too_large");
		if (!mkdtemp(tmpl))
			return finish(1, reason("mkdtemp %s: %s", tmpl, errname(errno)));
		fan_fd = fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK, O_RDONLY);
		if (fan_fd < 0 || fanotify_mark(fan_fd, FAN_MARK_ADD, FAN_ACCESS | FAN_EVENT_ON_CHILD, AT_FDCWD, tmpl)) {
			rmdir(tmpl);
			return finish(1, reason("fanotify_init/mark: %s", errname(errno)));
		}
		for (unsigned i = 0; i < slab_files; i++) {
			int fd;

			snprintf(path, sizeof(path), "%s/%u", tmpl, i);
			fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOATIME | O_CLOEXEC, 0600);
			if (fd >= 0 && write(fd, "x", 1) == 1) {
				/* Its page cache page mapped and locked: reclaim in
				 * the full cgroup cannot drop it, so pread() never
				 * allocates. */
				slab_maps[i] = mmap(NULL, 4096, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, 0);
				if (slab_maps[i] != MAP_FAILED && !mlock(slab_maps[i], 4096)) {
					slab_fds[i] = fd;
					unlink(path);
					continue;
				}
			}
			int err = errno;

			unlink(path);
			rmdir(tmpl);
			return finish(1, reason("create/mmap/mlock %s: %s", path, errname(err)));
		}
		rmdir(tmpl);
	}
	memcg_failcnt(); /* open and read the cgroup files now, not when full */
	memcg_usage();

	if (kinds & (K_PIPE | K_INOTIFY)) {
		const char *err = portable_setup(limit);

		kv("fail.filler", "pipe_rings+inotify_events");
		if (err) {
			portable_release();
			return finish(1, err);
		}
	} else {
		kv("fail.filler", "bpf_hash_no_prealloc");
		filler.max_entries = limit / FILL_ELEM_BYTES + 4096;
		filler.fd = map_create(BPF_MAP_TYPE_HASH, sizeof(unsigned), FILL_VALUE_SIZE, filler.max_entries,
				       BPF_F_NO_PREALLOC);
		if (filler.fd < 0)
			return finish(1, reason("bpf(BPF_MAP_CREATE hash filler): %s", errname(errno)));
	}
	out_flush();

	/* On cgroup v1, memory.oom_control can make a charge that would OOM
	 * fail instead: a guard in case some GFP_KERNEL charge of ours was
	 * overlooked (none is known: the attempts never create an fd, nothing
	 * faults in, no file is opened; the portable kinds are made to run on
	 * cgroup v2, which has no such guard).  Restored before exit. */
	if (!memcg.v2 && !getenv("PROVOKE_NO_OOM_GUARD")) {
		snprintf(oom_ctl, sizeof(oom_ctl), "%s/memory.oom_control", memcg.dir);
		if (memcg_table("memory.oom_control", "oom_kill_disable") == 0 && write_text(oom_ctl, "1") == 0)
			oom_guard = 1;
	}
	kv("fail.oom_guard", "%s", oom_guard ? "v1_oom_kill_disable" : "none");
	if (pfill.rings_capped && !oom_guard) {
		portable_release();
		return finish(1, "pipe_rings_above_pipe-max-size_need_CAP_SYS_RESOURCE:_smaller_ones_could_call_the_"
				 "memcg_OOM_killer_(no_cgroup_v1_oom_kill_disable_here)");
	}

	/* Fill to the limit; then drain every CPU's charge stock back to the
	 * counter, and fill what that gave back; until it gives nothing. */
	filled = fill_every_cpu(limit, &full);
	for (fill_rounds = 1; full && fill_rounds < 8; fill_rounds++) {
		unsigned more;

		drain(limit);
		drains++;
		more = fill_every_cpu(limit, &full);
		filled += more;
		if (!more && fill_rounds >= 2)
			break;
	}
	usage_full = memcg_usage();
	fail0 = memcg_failcnt();

	marker("begin");
	for (unsigned k = 0; k < N_FAIL_KINDS; k++) {
		const struct fail_kind *fk = &fail_kinds[k];

		if (!(kinds & fk->bit) || fk->bit == K_SLAB)
			continue;
		/* Until `count` have failed: an attempt can succeed when memory
		 * came free meanwhile (RCU frees, reclaimed dentries); it is
		 * counted, freed at once, and another is made. */
		while (res[k].failed < count && res[k].attempts < 3 * count) {
			/* whatever was freed since, take it back; and never ask
			 * unless the cgroup is full */
			fill_every_cpu(limit, &full);
			if (!full)
				break;
			res[k].attempts++;
			if (provoke_once(fk)) {
				res[k].failed++;
				res[k].last_errno = errno;
			} else {
				res[k].succeeded++; /* EINVAL: allocated, then freed */
			}
		}
	}
	if (kinds & K_SLAB) {
		/* One FAN_ACCESS event per read, each of another file. */
		fill_every_cpu(limit, &full);
		for (unsigned i = 0; full && i < slab_files; i++) {
			res[3].attempts++;
			if (pread(slab_fds[i], filler.value, 1, 0) != 1)
				res[3].last_errno = errno;
		}
	}
	marker("end");
	long long fail1 = memcg_failcnt();

	/* Release, then wait for the frees (RCU, workqueues) before any output. */
	if (filler.fd >= 0)
		close(filler.fd);
	portable_release();
	for (int i = 0; i < 100 && memcg_usage() > (long long)(limit - 2 * MiB); i++)
		sleep_ms(50);
	if (oom_guard)
		write_text(oom_ctl, "0");
	munlockall();

	kvu("fail.fill_elems", filled);
	if (kinds & (K_PIPE | K_INOTIFY)) {
		kvu("fail.fill_pipe_rings", pfill.next);
		kvu("fail.fill_pipes", pfill.npipes);
		kvu("fail.pipe_ring_sizes_capped", pfill.rings_capped);
		kvu("fail.pipe_ring_fill_bytes", pfill.ring_big);
		kvu("fail.fill_inotify_events", pfill.events);
		/* each fill ends on two lost events: between the attempts too */
		kvu("fail.fill_inotify_lost", pfill.fill_lost);
		kvu("fail.inotify_max_queued_events", pfill.max_events);
		/* every F_SETPIPE_SZ that failed with ENOMEM: the filler's, the drains', the pipe kind's */
		kvu("fail.setpipe_enomem_total", pfill.enomem);
	} else {
		kvu("fail.fill_elem_bytes", FILL_ELEM_BYTES);
	}
	kvu("fail.fill_drains", drains);
	kvi("fail.full", full);
	kvi("fail.memcg_usage_full", usage_full);
	kvi("fail.memcg_failcnt_delta", fail1 - fail0);
	for (unsigned k = 0; k < N_FAIL_KINDS; k++) {
		const struct fail_kind *fk = &fail_kinds[k];
		char key[64];

		if (!(kinds & fk->bit))
			continue;
#define KEY(s) (snprintf(key, sizeof(key), "fail.%s.%s", fk->name, s), key)
		kv(KEY("syscall"), "%s", fk->bit & (K_SLAB | K_INOTIFY) ? "pread"
					 : fk->bit == K_IPT		 ? "setsockopt(IPT_SO_SET_REPLACE)"
					 : fk->bit == K_PIPE		 ? "fcntl(F_SETPIPE_SZ)"
									 : "bpf(BPF_MAP_CREATE,ARRAY,name=no!fd)");
		kv(KEY("path"), "%s", fk->path);
		if (fk->value_size)
			kvu(KEY("value_size"), fk->bit == K_PIPE ? pfill.ring_ask : fk->value_size);
		kvu(KEY("attempts"), res[k].attempts);
		if (fk->bit == K_SLAB) {
			/* The reads succeed; the lost event is the evidence. */
			static char ev[1 << 16];
			unsigned events = 0, overflow = 0;
			ssize_t n;

			while ((n = read(fan_fd, ev, sizeof(ev))) > 0) {
				for (struct fanotify_event_metadata *m = (void *)ev; FAN_EVENT_OK(m, n);
				     m = FAN_EVENT_NEXT(m, n)) {
					if (m->mask & FAN_Q_OVERFLOW)
						overflow = 1;
					else
						events++;
					if (m->fd >= 0)
						close(m->fd);
				}
			}
			kv(KEY("errno"), "%s", errname(res[k].last_errno));
			kvu(KEY("events_queued"), events);
			/* each read either queued an event or lost it */
			res[k].failed = res[k].attempts > events ? res[k].attempts - events : 0;
			kvu(KEY("failed"), res[k].failed);
			kvu(KEY("queue_overflow"), overflow);
			continue;
		}
		kvu(KEY("failed"), res[k].failed);
		kvu(KEY("succeeded"), res[k].succeeded);
		kv(KEY("errno"), "%s", errname(res[k].last_errno));
#undef KEY
	}
	if (fan_fd >= 0)
		close(fan_fd);
	for (unsigned i = 0; i < slab_files; i++) {
		munmap(slab_maps[i], 4096);
		close(slab_fds[i]);
	}
	kvi("fail.memcg_usage_after", memcg_usage());
	if (!full)
		return finish(1, "the_cgroup_never_got_full:_nothing_provoked_safely");
	if (pfill.bad_errno)
		return finish(1, reason("F_SETPIPE_SZ failed with %s", errname(pfill.bad_errno)));
	if (ipt_fd >= 0)
		close(ipt_fd);
	free(ipt_table);
	for (unsigned k = 0; k < N_FAIL_KINDS; k++)
		if ((kinds & fail_kinds[k].bit) && res[k].failed < count)
			return finish(1, reason("only %u of %u %s failures", res[k].failed, count, fail_kinds[k].name));
	return finish(0, NULL);
}

/* -------------------------------------------------------------- compact */

/* Fragment len bytes: fault every page in, then free every other one. */
static char *fragment(size_t len, size_t *freed)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	*freed = 0;
	if (p == MAP_FAILED)
		return NULL;
	madvise(p, len, MADV_NOHUGEPAGE);
	for (size_t i = 0; i < len; i += page_size)
		p[i] = 1;
	for (size_t i = 0; i < len; i += 2 * page_size)
		if (!madvise(p + i, page_size, MADV_DONTNEED))
			(*freed)++;
	return p;
}

static const char *const compact_stats[] = {
	"compact_stall", "compact_fail", "compact_success", "compact_migrate_scanned",
	"compact_free_scanned", "compact_isolated", "compact_daemon_wake",
	"compact_daemon_migrate_scanned", "compact_daemon_free_scanned",
	"thp_fault_alloc", "thp_fault_fallback",
};
#define N_COMPACT_STATS (sizeof(compact_stats) / sizeof(compact_stats[0]))

static void compact_snapshot(long long *v)
{
	for (unsigned i = 0; i < N_COMPACT_STATS; i++)
		v[i] = vmstat(compact_stats[i]);
}

static void compact_deltas(const long long *v0)
{
	char key[96];

	for (unsigned i = 0; i < N_COMPACT_STATS; i++) {
		snprintf(key, sizeof(key), "compact.vmstat_%s_delta", compact_stats[i]);
		kvi(key, vmstat(compact_stats[i]) - v0[i]);
	}
}

/* A zone's "present" or "managed" page count from /proc/zoneinfo, -1 if none. */
static long long zone_pages(const char *zone, const char *field)
{
	FILE *f = fopen("/proc/zoneinfo", "re");
	char line[256], name[32];
	long long v = -1, x;
	int in = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Node %*d, zone %31s", name) == 1) {
			in = !strcmp(name, zone);
			continue;
		}
		if (in && sscanf(line, " %31s %lld", name, &x) == 2 && !strcmp(name, field)) {
			v = v < 0 ? x : v + x;
			in = 0;
		}
	}
	fclose(f);
	return v;
}

static int cmd_compact(int argc, char **argv)
{
	const char *mode = argc >= 1 ? argv[0] : "direct";
	unsigned long long frag_mb, budget = mem_budget(), frag_len, thp_len = 0, nthp = 0;
	unsigned long hp = hpage_size();
	long long v0[N_COMPACT_STATS];
	size_t freed = 0, base_len = 0;
	char *frag = NULL, *base = NULL, *p = NULL;
	unsigned long long t0, t1;
	int rc = 0;

	kv("compact.mode", "%s", mode);
	if (strcmp(mode, "direct") && strcmp(mode, "sysctl") && strcmp(mode, "node") && strcmp(mode, "proactive"))
		return finish(2, "usage:_compact_direct|sysctl|node|proactive_[MB]_[THPS]");
	frag_mb = argc >= 2 ? parse_size(argv[1], "MB") : !strcmp(mode, "direct") ? 256 : 64;
	if (!strcmp(mode, "direct"))
		nthp = argc >= 3 ? parse_size(argv[2], "THP count") : 64;
	frag_len = frag_mb * MiB;
	thp_len = nthp * hp;
	kvu("compact.fragment_bytes", frag_len);
	kvu("compact.thp_requested", nthp);
	if (frag_len > 2048 * MiB)
		return finish(1, "fragmentation_over_2_GiB");
	if (frag_len + thp_len > budget)
		return finish(1, reason("%llu bytes is over 25%% of MemAvailable (%llu)", frag_len + thp_len, budget));
	if (nthp && !hp)
		return finish(1, "THP_not_available");
	if (frag_len) {
		frag = fragment(frag_len, &freed);
		if (!frag)
			return finish(1, reason("mmap: %s", errname(errno)));
	}
	kvu("compact.fragment_pages_freed", freed);
	if (nthp) {
		char defrag[32] = "?";

		thp_mode(defrag, sizeof(defrag), "defrag");
		kv("compact.thp_defrag", "%s", defrag);
		p = map_aligned(thp_len, hp, &base, &base_len);
		if (!p || madvise(p, thp_len, MADV_HUGEPAGE)) {
			rc = errno;
			munmap(frag, frag_len);
			return finish(1, reason("mmap/madvise(MADV_HUGEPAGE): %s", errname(rc)));
		}
	}
	out_flush();
	compact_snapshot(v0);
	t0 = now_ns();
	marker("begin");
	if (!strcmp(mode, "direct")) {
		for (unsigned long long i = 0; i < nthp; i++)
			p[i * hp] = 1;
		kvi("compact.thp_huge", smaps_anon_huge((uintptr_t)p, thp_len) / (long long)hp);
	} else if (!strcmp(mode, "sysctl")) {
		rc = write_text("/proc/sys/vm/compact_memory", "1");
		kv("compact.write", "/proc/sys/vm/compact_memory");
	} else if (!strcmp(mode, "node")) {
		rc = write_text("/sys/devices/system/node/node0/compact", "1");
		kv("compact.write", "/sys/devices/system/node/node0/compact");
	} else {
		/* Writing the current value back changes nothing but wakes
		 * kcompactd for a proactive round (it compacts only if the
		 * node's fragmentation score is above its high mark). */
		char val[32];

		if (read_text("/proc/sys/vm/compaction_proactiveness", val, sizeof(val)) <= 0) {
			rc = -errno;
		} else {
			rc = write_text("/proc/sys/vm/compaction_proactiveness", val);
			kvi("compact.proactiveness", strtol(val, NULL, 10));
		}
		kv("compact.write", "/proc/sys/vm/compaction_proactiveness");
		sleep_ms(1000);
	}
	marker("end");
	t1 = now_ns();
	kv("compact.write_errno", "%s", errname(rc < 0 ? -rc : 0));
	kvu("compact.elapsed_us", (t1 - t0) / 1000);
	compact_deltas(v0);
	if (!strcmp(mode, "direct")) {
		long long present = zone_pages("Normal", "present"), managed = zone_pages("Normal", "managed");
		int stalled = vmstat("compact_stall") > v0[0];

		kvi("compact.zone_normal_present_pages", present);
		kvi("compact.zone_normal_managed_pages", managed);
		kvi("compact.direct_compaction", stalled);
		/* A zone whose struct pages are initialised on demand (present far
		 * above managed) grows rather than compacts when it runs short. */
		if (!stalled)
			kv("compact.note", "%s",
			   managed >= 0 && present > 2 * managed
				   ? "no_direct_compaction:_ZONE_NORMAL_is_initialised_on_demand_(present>>managed)_and_grows_instead"
				   : "no_direct_compaction:_free_memory_still_had_free_pageblocks_for_every_THP");
	}
	hold();
	if (base)
		munmap(base, base_len);
	if (frag)
		munmap(frag, frag_len);
	return finish(rc ? 1 : 0, rc ? reason("write: %s", errname(-rc)) : NULL);
}

/* -------------------------------------------------------------- reclaim */

static long long allocstalls(void)
{
	return vmstat("allocstall_dma") + vmstat("allocstall_dma32") + vmstat("allocstall_normal") +
	       vmstat("allocstall_movable");
}

static int cmd_reclaim(int argc, char **argv)
{
	unsigned long long limit = memcg_limit(), file_len, passes = 2, total = 0;
	const char *dir = getenv("PROVOKE_DIR") ? getenv("PROVOKE_DIR") : "/var/tmp";
	/* pages reclaimed from the memcg: v2 counts them, v1 only their uncharge */
	const char *stat_name = memcg.v2 ? "pgsteal" : "pgpgout";
	long long f0, c0, st0;
	char path[512], key[96];
	struct statfs sf;
	static char buf[256 * 1024];
	int fd;

	if (memcg_is_root() || limit == ULLONG_MAX)
		return finish(1, "not_in_a_memory_cgroup_with_a_limit");
	file_len = argc >= 1 ? parse_size(argv[0], "file MB") * MiB : 0;
	if (!file_len)
		file_len = 4 * limit < 64 * MiB ? 64 * MiB : 4 * limit;
	if (argc >= 2)
		passes = parse_size(argv[1], "passes");
	kvu("reclaim.file_bytes", file_len);
	kvu("reclaim.passes", passes);
	kv("reclaim.dir", "%s", dir);
	if (file_len > 4096 * MiB)
		return finish(1, "file_over_4_GiB");
	if (file_len <= limit)
		return finish(1, "file_not_larger_than_the_memcg_limit:_nothing_to_reclaim");
	if (statfs(dir, &sf))
		return finish(1, reason("statfs %s: %s", dir, errname(errno)));
	if ((unsigned long)sf.f_type == TMPFS_MAGIC_ || (unsigned long)sf.f_type == RAMFS_MAGIC_)
		return finish(1, reason("%s is tmpfs/ramfs: its pages are not reclaimable without swap; set PROVOKE_DIR", dir));
	snprintf(path, sizeof(path), "%s/provoke-reclaim-XXXXXX", dir);
	fd = mkstemp(path);
	if (fd < 0)
		return finish(1, reason("mkstemp %s: %s", path, errname(errno)));
	unlink(path); /* its page cache goes with the last close */
	/* A sparse file: reading its holes fills clean page cache, no disk I/O. */
	if (ftruncate(fd, file_len))
		return finish(1, reason("ftruncate: %s", errname(errno)));
	out_flush();
	f0 = memcg_failcnt();
	st0 = memcg_table("memory.stat", stat_name);
	c0 = allocstalls();
	marker("begin");
	for (unsigned long long pass = 0; pass < passes; pass++) {
		off_t off = 0;

		while ((unsigned long long)off < file_len) {
			ssize_t n = pread(fd, buf, sizeof(buf), off);

			if (n <= 0)
				break;
			off += n;
			total += n;
		}
	}
	marker("end");
	kvu("reclaim.bytes_read", total);
	kvi("reclaim.memcg_failcnt_delta", memcg_failcnt() - f0);
	snprintf(key, sizeof(key), "reclaim.memcg_stat_%s_delta", stat_name);
	kvi(key, memcg_table("memory.stat", stat_name) - st0);
	/* global direct reclaim (a zone short of memory): not this workload's */
	kvi("reclaim.vmstat_allocstall_delta", allocstalls() - c0);
	kvi("reclaim.memcg_usage_after", memcg_usage());
	if (!memcg.v2)
		kvi("reclaim.memcg_max_usage", memcg_read("memory.max_usage_in_bytes"));
	hold();
	close(fd);
	return finish(0, NULL);
}

/* -------------------------------------------------------------- kmalloc */

static int cmd_kmalloc(int argc, char **argv)
{
	unsigned long long n, t0, t1, syscalls = 0, errors = 0;
	const char *mode = argc >= 2 ? argv[1] : "both";
	int do_pipe, do_sock;
	char msg[64] = "provoke kmalloc churn", in[64];

	if (argc < 1)
		return finish(2, "usage:_kmalloc_N_[pipe|socket|both]");
	n = parse_size(argv[0], "iterations");
	do_pipe = !strcmp(mode, "pipe") || !strcmp(mode, "both");
	do_sock = !strcmp(mode, "socket") || !strcmp(mode, "both");
	if (!do_pipe && !do_sock)
		return finish(2, "usage:_kmalloc_N_[pipe|socket|both]");
	kvu("kmalloc.iterations", n);
	kv("kmalloc.mode", "%s", mode);
	out_flush();
	marker("begin");
	t0 = now_ns();
	for (unsigned long long i = 0; i < n; i++) {
		int fds[2];

		if (do_pipe) {
			/* pipe_inode_info, pipe_buffer array, 2 files, inode,
			 * dentry, a page for the data */
			if (pipe2(fds, O_CLOEXEC)) {
				errors++;
			} else {
				if (write(fds[1], msg, sizeof(msg)) != sizeof(msg) ||
				    read(fds[0], in, sizeof(in)) != sizeof(in))
					errors++;
				close(fds[0]);
				close(fds[1]);
			}
			syscalls += 5;
		}
		if (do_sock) {
			/* 2 sockets, 2 socks, 2 files, an skb head and data */
			if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds)) {
				errors++;
			} else {
				if (send(fds[0], msg, sizeof(msg), 0) != sizeof(msg) ||
				    recv(fds[1], in, sizeof(in), 0) != sizeof(in))
					errors++;
				close(fds[0]);
				close(fds[1]);
			}
			syscalls += 5;
		}
	}
	t1 = now_ns();
	marker("end");
	kvu("kmalloc.syscalls", syscalls);
	kvu("kmalloc.errors", errors);
	kvu("kmalloc.elapsed_ns", t1 - t0);
	kv("kmalloc.iterations_per_sec", "%.0f", n * 1e9 / (double)(t1 - t0 ? t1 - t0 : 1));
	kv("kmalloc.syscalls_per_sec", "%.0f", syscalls * 1e9 / (double)(t1 - t0 ? t1 - t0 : 1));
	return finish(errors ? 1 : 0, errors ? "some_syscalls_failed" : NULL);
}

/* ------------------------------------------------------------------ oom */

static int cmd_oom(int argc, char **argv)
{
	unsigned long long limit = memcg_limit(), len, budget = mem_budget();
	volatile unsigned long long *touched;
	long long k0;
	int status, timed_out = 0;
	pid_t child;

	if (memcg_is_root() || limit == ULLONG_MAX)
		return finish(1, "not_in_a_memory_cgroup_with_a_limit");
	len = argc >= 1 ? parse_size(argv[0], "MB") * MiB : 2 * limit;
	kvu("oom.child_bytes", len);
	if (len <= limit)
		return finish(1, "size_not_above_the_memcg_limit:_nothing_would_be_killed");
	if (len > budget)
		return finish(1, reason("%llu bytes is over 25%% of MemAvailable (%llu)", len, budget));
	if (!memcg.v2 && memcg_table("memory.oom_control", "oom_kill_disable") == 1)
		return finish(1, "memory.oom_control_oom_kill_disable=1:_the_child_would_hang_not_die");
	touched = mmap(NULL, page_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (touched == MAP_FAILED)
		return finish(1, reason("mmap: %s", errname(errno)));
	*touched = 0;
	out_flush();
	k0 = memcg_oom_kills();
	marker("begin");
	child = fork();
	if (child < 0)
		return finish(1, reason("fork: %s", errname(errno)));
	if (child == 0) {
		char *p;

		/* The victim must be this child, never its parent. */
		write_text("/proc/self/oom_score_adj", "1000");
		alarm(30);
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			_exit(3);
		for (size_t i = 0; i < len; i += page_size) {
			p[i] = 1;
			*touched = i + page_size;
		}
		_exit(4); /* not killed: the limit was not enforced */
	}
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	marker("end");
	kvi("oom.child_pid", child);
	kvu("oom.child_touched_bytes", *touched);
	if (WIFSIGNALED(status)) {
		kv("oom.child_status", "signaled");
		kvi("oom.child_signal", WTERMSIG(status));
		timed_out = WTERMSIG(status) == SIGALRM;
	} else {
		kv("oom.child_status", "exited");
		kvi("oom.child_exit", WEXITSTATUS(status));
	}
	kvi("oom.killed", WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	for (int i = 0; i < 20 && memcg_oom_kills() == k0; i++)
		sleep_ms(10);
	kvi("oom.memcg_oom_kill_delta", memcg_oom_kills() - k0);
	munmap((void *)touched, page_size);
	if (timed_out)
		return finish(1, "child_not_killed_within_30_s");
	if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL))
		return finish(1, "child_was_not_OOM-killed");
	return finish(0, NULL);
}

/* ----------------------------------------------------------------- main */

static void usage(void)
{
	fprintf(stderr,
		"usage: provoke [--marker FILE] [--wait] [--hold MS] [--exec-after PROG] COMMAND [ARGS]\n"
		"  pages N                          N order-0 page faults (MADV_NOHUGEPAGE)\n"
		"  thp N                            N PMD-size THP faults (MADV_HUGEPAGE)\n"
		"  fail [KINDS] [COUNT]             allocation failures, inside a memcg with a\n"
		"                                   small limit; KINDS: kmalloc,large|page,vmalloc,slab,all,\n"
		"                                   iptables (logged by the kernel, not in all);\n"
		"                                   or pipe,inotify,slab (portable: no BPF map)\n"
		"  compact direct [MB] [THPS]       fragment MB (256), then THPS (64) THP faults\n"
		"  compact sysctl|node [MB]         fragment MB, then /proc/sys/vm/compact_memory or\n"
		"                                   node0/compact (synchronous, in this task)\n"
		"  compact proactive                wake kcompactd for a proactive round\n"
		"  reclaim [FILE_MB] [PASSES]       read a sparse file on disk through a memcg\n"
		"                                   (PROVOKE_DIR, default /var/tmp)\n"
		"  kmalloc N [pipe|socket|both]     N rounds of pipe / socketpair churn\n"
		"  oom [MB]                         a child touching MB (default 2x limit) is OOM-killed\n"
		"Output: key=value lines on stdout; see tests/tools/README.md.\n");
}

static int run_command(int argc, char **argv)
{
	memcg_find();
	print_header();
	out_flush();
	if (opt_wait) {
		char c;

		while (read(STDIN_FILENO, &c, 1) == 1 && c != '\n')
			;
	}
	if (!strcmp(cmd_name, "pages"))
		return cmd_pages(argc, argv);
	if (!strcmp(cmd_name, "thp"))
		return cmd_thp(argc, argv);
	if (!strcmp(cmd_name, "fail"))
		return cmd_fail(argc, argv);
	if (!strcmp(cmd_name, "compact"))
		return cmd_compact(argc, argv);
	if (!strcmp(cmd_name, "reclaim"))
		return cmd_reclaim(argc, argv);
	if (!strcmp(cmd_name, "kmalloc"))
		return cmd_kmalloc(argc, argv);
	if (!strcmp(cmd_name, "oom"))
		return cmd_oom(argc, argv);
	usage();
	return finish(2, "unknown_command");
}

int main(int argc, char **argv)
{
	int i, rc;

	clock_gettime(CLOCK_MONOTONIC, &t_start);
	page_size = sysconf(_SC_PAGESIZE);
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--marker") && i + 1 < argc) {
			marker_fd = open(argv[++i], O_WRONLY | O_CLOEXEC);
			if (marker_fd < 0) {
				fprintf(stderr, "provoke: open %s: %s\n", argv[i], strerror(errno));
				return 2;
			}
		} else if (!strcmp(argv[i], "--wait")) {
			opt_wait = 1;
		} else if (!strcmp(argv[i], "--hold") && i + 1 < argc) {
			opt_hold_ms = parse_size(argv[++i], "hold ms");
		} else if (!strcmp(argv[i], "--exec-after") && i + 1 < argc) {
			opt_exec_after = argv[++i];
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage();
			return 0;
		} else {
			usage();
			return 2;
		}
	}
	if (i >= argc) {
		usage();
		return 2;
	}
	cmd_name = argv[i];
	rc = run_command(argc - i - 1, argv + i + 1);
	if (rc || !opt_exec_after)
		return rc;
	/* PROG in the slot before the command: its argv is PROG COMMAND ARGS... */
	argv[i - 1] = (char *)opt_exec_after;
	execv(opt_exec_after, argv + i - 1);
	fprintf(stderr, "provoke: exec %s: %s\n", opt_exec_after, strerror(errno));
	return 1;
}
