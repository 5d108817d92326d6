// SPDX-License-Identifier: GPL-2.0
/*
 * lowmem: every zone held at its min watermark while a task's allocations
 * are made, for the VM lab's low-memory case (tests/vm/scenarios/fraglab.sh,
 * lowmem_case).  Root only, and only in a throw-away guest without swap: it
 * takes nearly all of its memory.
 *
 *   lowmem run APPROACH MARGIN HOLD_MS PROGRAM [ARG...]
 *                                 start PROGRAM, which must stop itself
 *                                 (SIGSTOP) before and after the allocations
 *                                 to be made under low memory, and print its
 *                                 figures only once continued the second
 *                                 time; print its pid and "ready" at its
 *                                 first stop; at SIGUSR1, take memory and
 *                                 hold it low, continue PROGRAM HOLD_MS
 *                                 later, release memory HOLD_MS after its
 *                                 second stop, then continue it and wait
 *                                 for its exit
 *   lowmem realtime PID on|off    every thread of PID to SCHED_FIFO 1, or
 *                                 back to SCHED_OTHER
 *
 * run, taking memory: anonymous pages are touched (with no swap they cannot
 * be reclaimed) until the zones but DMA have at most APPROACH pages free
 * above their min watermarks.  Holding it low: vm.min_free_kbytes is
 * rewritten every 5 ms so that the zone's min watermark stays MARGIN pages
 * under its free pages (for the lab's guest, whose only zone above DMA is
 * DMA32): order-0 allocations still pass (free > min) as others (the
 * tracer) take pages, a costly-order one (free - 2^order + 1 <= min)
 * cannot, and reclaim has nothing to give it.  Releasing: min_free_kbytes
 * back to its value at the start, the memory unmapped.
 *
 * Nothing but PROGRAM's allocations and the tracer's may meet the held
 * minimum: an order-0 allocation that did would call the OOM killer.  So,
 * while memory is held, this process makes none either: its code, data
 * and stack are faulted in and locked before, /proc/zoneinfo and the
 * sysctls are read and written through descriptors opened before (the
 * seq_file keeps its buffer), its output waits in a static buffer, PROGRAM
 * is driven by SIGCONT and watched with waitpid (a stop is seen without a
 * signal: SIGCHLD is ignored), and the caller's shell only waits for it.
 * While holding it runs real-time (SCHED_FIFO 1), so that the follower
 * keeps up with the others' allocations and may itself dip below min;
 * PROGRAM, forked before, is not.  An OOM kill must find a victim that
 * ends it: this process is at oom_score_adj 1000 and holds the memory.
 *
 * realtime: a real-time task's allocations may go a quarter (6.1) or half
 * (6.3 on) of the way below min (ALLOC_HARDER, ALLOC_MIN_RESERVE): the
 * lab's tracer, so made, keeps allocating while the zone is at min.
 *
 * Output: key=value lines (lowmem.<cmd>.<key>=...), then status=ok|error.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int error(const char *what)
{
	printf("error=%s:_%s\nstatus=error\n", what, strerror(errno));
	fflush(stdout);
	return 1;
}

/* The files read and written while memory is held, opened beforehand. */
static struct {
	int zoneinfo, stat_refresh, min_free_kbytes, vmstat;
} proc = { -1, -1, -1, -1 };
/* Large enough for the guest's /proc/zoneinfo; in .bss, locked with the rest. */
static char zoneinfo_text[64 * 1024];
static char output[8192];

/* What the kernel did during PROGRAM's allocations (/proc/vmstat): whether
 * reclaim got anything (then the allocator drains the per-CPU lists and
 * retries, and a costly order may pass), compaction ran, kswapd worked. */
static const char *const watched[] = { "allocstall_dma32", "allocstall_normal", "pgscan_direct", "pgsteal_direct",
				       "slabs_scanned", "compact_stall", "pgsteal_kswapd", "pageoutrun" };
#define NWATCHED (sizeof(watched) / sizeof(watched[0]))
static char vmstat_text[16 * 1024];

static void vmstat_read(long *v)
{
	ssize_t n = pread(proc.vmstat, vmstat_text, sizeof(vmstat_text) - 1, 0);
	char *line, *next;
	size_t i, len;

	vmstat_text[n > 0 ? n : 0] = 0;
	for (i = 0; i < NWATCHED; i++)
		v[i] = 0;
	for (line = vmstat_text; *line; line = next) {
		next = strchr(line, '\n');
		next = next ? next + 1 : line + strlen(line);
		for (i = 0; i < NWATCHED; i++) {
			len = strlen(watched[i]);
			if (!strncmp(line, watched[i], len) && line[len] == ' ')
				v[i] = atol(line + len + 1);
		}
	}
}

static int proc_put(int fd, long v)
{
	char text[24];
	int n = snprintf(text, sizeof(text), "%ld\n", v);

	return pwrite(fd, text, n, 0) == n ? 0 : -1;
}

/* Pages free above min + margin in the zones other than DMA that have
 * memory (/proc/zoneinfo); the zones' free and min summed into *free, *min. */
static long pages_above_min(long margin, long *free, long *min)
{
	char zone[32] = "", *line, *next;
	long v, zone_free = 0, zone_min = 0, above = 0;
	ssize_t n;

	/* Fold the per-CPU drift of the free counts (up to 125 pages a CPU
	 * under pressure) into them: the window above min is 31 pages. */
	proc_put(proc.stat_refresh, 1);
	n = pread(proc.zoneinfo, zoneinfo_text, sizeof(zoneinfo_text) - 1, 0);
	zoneinfo_text[n > 0 ? n : 0] = 0;
	*free = *min = 0;
	for (line = zoneinfo_text; *line; line = next) {
		next = strchr(line, '\n');
		next = next ? next + 1 : line + strlen(line);
		if (sscanf(line, "Node %*d, zone %31s", zone) == 1)
			continue;
		if (sscanf(line, " pages free %ld", &v) == 1)
			zone_free = v;
		else if (sscanf(line, " min %ld", &v) == 1)
			zone_min = v;
		else if (sscanf(line, " managed %ld", &v) == 1 && v > 0 && strcmp(zone, "DMA")) {
			*free += zone_free;
			*min += zone_min;
			if (zone_free > zone_min + margin)
				above += zone_free - zone_min - margin;
		}
	}
	return above;
}

static long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static volatile sig_atomic_t go;

static void on_usr1(int sig)
{
	(void)sig;
	go = 1;
}

/* PROGRAM (pid child) started and stopped: 0, else why not. */
static const char *start_program(char **argv, pid_t *child)
{
	int status;

	*child = fork();
	if (*child < 0)
		return "fork";
	if (!*child) {
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(*child, &status, WUNTRACED) != *child || !WIFSTOPPED(status))
		return "program_did_not_stop";
	return NULL;
}

static int cmd_run(long approach, long margin, long hold_ms, char **argv)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), len = (size_t)sysconf(_SC_PHYS_PAGES) * page, touched = 0;
	long free, min, above, base_kb, base_min = 0, set_kb = 0, t, continued = 0, stopped = 0;
	long before[NWATCHED], after[NWATCHED], free_before = 0, min_before = 0;
	struct sched_param realtime = { .sched_priority = 1 }, normal = { .sched_priority = 0 };
	const char *why;
	sigset_t usr1, old;
	pid_t child;
	char *mem;
	int status, fd, exited = 0;

	setvbuf(stdout, output, _IOFBF, sizeof(output));
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, &old);
	signal(SIGUSR1, on_usr1);
	fd = open("/proc/self/oom_score_adj", O_WRONLY);
	if (fd < 0 || proc_put(fd, 1000) || close(fd))
		return error("oom_score_adj");
	proc.zoneinfo = open("/proc/zoneinfo", O_RDONLY);
	proc.stat_refresh = open("/proc/sys/vm/stat_refresh", O_WRONLY);
	proc.min_free_kbytes = open("/proc/sys/vm/min_free_kbytes", O_RDWR);
	proc.vmstat = open("/proc/vmstat", O_RDONLY);
	if (proc.zoneinfo < 0 || proc.stat_refresh < 0 || proc.min_free_kbytes < 0 || proc.vmstat < 0)
		return error("open");
	if (pread(proc.min_free_kbytes, zoneinfo_text, 32, 0) <= 0 || (base_kb = atol(zoneinfo_text)) <= 0)
		return error("min_free_kbytes");
	why = start_program(argv, &child);
	if (why)
		return error(why);
	printf("lowmem.run.pid=%d\n", child);
	printf("ready\n");
	fflush(stdout);
	/* Everything it will touch, touched now: the seq_file's buffer sized,
	 * the library calls bound, the pages locked. */
	pages_above_min(approach, &free, &min);
	vmstat_read(before);
	if (mlockall(MCL_CURRENT))
		return error("mlockall");
	while (!go)
		sigsuspend(&old);
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		return error("mmap");
	while ((above = pages_above_min(approach, &free, &min)) > 0) {
		for (; above > 0 && touched < len; above--, touched += page)
			mem[touched] = 1;
		if (touched >= len) {
			errno = ENOMEM;
			return error("all_memory_touched");
		}
	}
	printf("lowmem.run.touched_kb=%zu\n", touched / 1024);
	printf("lowmem.run.free_pages=%ld\n", free);
	printf("lowmem.run.min_pages=%ld\n", min);
	printf("lowmem.run.min_free_kbytes=%ld\n", base_kb);
	if (sched_setscheduler(0, SCHED_FIFO, &realtime))
		return error("sched_setscheduler");
	/* Held: PROGRAM continued after HOLD_MS, memory released HOLD_MS
	 * after its second stop (or its end, or 60 s). */
	for (long start = now_ms();; usleep(5000)) {
		/* The zone's min is floor(min_free_kbytes / 4 * its share):
		 * scale the base by (free - margin) / base min, rounded up. */
		pages_above_min(0, &free, &min);
		if (!base_min)
			base_min = min;
		long kb = (base_kb * (free - margin) + base_min - 1) / base_min;

		if (kb != set_kb && proc_put(proc.min_free_kbytes, kb))
			return error("min_free_kbytes");
		set_kb = kb;
		t = now_ms() - start;
		if (!continued && t >= hold_ms) {
			vmstat_read(before);
			free_before = free;
			min_before = min;
			kill(child, SIGCONT);
			continued = t;
		}
		if (continued && !stopped && waitpid(child, &status, WUNTRACED | WNOHANG) == child) {
			vmstat_read(after);
			stopped = t;
			exited = !WIFSTOPPED(status);
		} else if (continued && !stopped && t > 60000) {
			vmstat_read(after);
			stopped = t;
		}
		if (stopped && t >= stopped + hold_ms)
			break;
	}
	proc_put(proc.min_free_kbytes, base_kb);
	munmap(mem, len);
	sched_setscheduler(0, SCHED_OTHER, &normal);
	printf("lowmem.run.held_ms=%ld\n", t);
	printf("lowmem.run.program_ms=%ld\n", stopped - continued);
	printf("lowmem.run.before_program=free %ld min %ld\n", free_before, min_before);
	printf("lowmem.run.during_program=");
	for (size_t i = 0; i < NWATCHED; i++)
		printf("%s%s %ld", i ? ", " : "", watched[i], after[i] - before[i]);
	printf("\n");
	printf("status=ok\n");
	fflush(stdout);
	if (!exited && (kill(child, SIGCONT) || waitpid(child, &status, 0) != child))
		return error("waitpid");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

static int cmd_realtime(const char *pid, int on)
{
	struct sched_param param = { .sched_priority = on ? 1 : 0 };
	char dir[64];
	struct dirent *d;
	DIR *tasks;
	int n = 0;

	snprintf(dir, sizeof(dir), "/proc/%s/task", pid);
	tasks = opendir(dir);
	if (!tasks)
		return error("task_dir");
	while ((d = readdir(tasks)))
		if (d->d_name[0] != '.') {
			if (sched_setscheduler(atoi(d->d_name), on ? SCHED_FIFO : SCHED_OTHER, &param))
				return error("sched_setscheduler");
			n++;
		}
	closedir(tasks);
	printf("lowmem.realtime.threads=%d\nstatus=ok\n", n);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 6 && !strcmp(argv[1], "run") && atol(argv[2]) > 0 && atol(argv[3]) >= 0 && atol(argv[4]) >= 0)
		return cmd_run(atol(argv[2]), atol(argv[3]), atol(argv[4]), argv + 5);
	if (argc == 4 && !strcmp(argv[1], "realtime") && (!strcmp(argv[3], "on") || !strcmp(argv[3], "off")))
		return cmd_realtime(argv[2], !strcmp(argv[3], "on"));
	fprintf(stderr, "usage: lowmem run APPROACH MARGIN HOLD_MS PROGRAM [ARG...] | realtime PID on|off\n");
	return 2;
}
