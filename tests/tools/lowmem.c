// SPDX-License-Identifier: GPL-2.0
/*
 * lowmem: every zone held at its min watermark, for the VM lab's low-memory
 * case (tests/vm/scenarios/fraglab.sh, lowmem_case).  Root only, and only in
 * a throw-away guest without swap: it takes nearly all of its memory.
 *
 *   lowmem hold APPROACH MARGIN   touch anonymous pages until the zones but
 *                                 DMA have at most APPROACH pages free above
 *                                 their min watermarks; keep it so; from
 *                                 SIGUSR1 on, keep min at MARGIN pages under
 *                                 the free pages; until SIGTERM
 *   lowmem realtime PID on|off    every thread of PID to SCHED_FIFO 1, or
 *                                 back to SCHED_OTHER
 *
 * hold: with no swap, touched anonymous pages cannot be reclaimed; the
 * zones are read again every 20 ms and what kswapd frees is taken back.
 * From SIGUSR1 on, it rewrites vm.min_free_kbytes every 5 ms so that the
 * zone's min watermark stays MARGIN pages under its free pages (for the
 * lab's guest, whose only zone above DMA is DMA32): order-0 allocations
 * still pass (free > min) as others (the tracer) take pages, a costly-order
 * one (free - 2^order + 1 <= min) cannot, and reclaim has nothing to give
 * it.  The caller restores min_free_kbytes (printed) after SIGTERM.
 *
 * realtime: a real-time task's allocations may go a quarter (6.1) or half
 * (6.3 on) of the way below min (ALLOC_HARDER, ALLOC_MIN_RESERVE): the
 * lab's tracer, so made, keeps allocating while the zone is at min.
 *
 * Output: key=value lines (lowmem.<cmd>.<key>=...), then status=ok|error.
 */
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int error(const char *what)
{
	printf("error=%s:_%s\nstatus=error\n", what, strerror(errno));
	return 1;
}

static long sysctl_get(const char *path)
{
	long v = -1;
	FILE *f = fopen(path, "r");

	if (f && fscanf(f, "%ld", &v) != 1)
		v = -1;
	if (f)
		fclose(f);
	return v;
}

static int sysctl_put(const char *path, long v)
{
	FILE *f = fopen(path, "w");
	int ok = f && fprintf(f, "%ld\n", v) > 0;

	return (f && fclose(f)) || !ok ? -1 : 0;
}

/* Pages free above min + margin in the zones other than DMA that have
 * memory (/proc/zoneinfo); the zones' free and min summed into *free, *min. */
static long pages_above_min(long margin, long *free, long *min)
{
	char line[256], zone[32] = "";
	long v, zone_free = 0, zone_min = 0, above = 0;
	FILE *f;

	/* Fold the per-CPU drift of the free counts (up to 125 pages a CPU
	 * under pressure) into them: the window above min is 31 pages. */
	if (sysctl_put("/proc/sys/vm/stat_refresh", 1))
		perror("lowmem: stat_refresh");
	f = fopen("/proc/zoneinfo", "r");
	*free = *min = 0;
	while (f && fgets(line, sizeof(line), f)) {
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
	if (f)
		fclose(f);
	return above;
}

static volatile sig_atomic_t follow_free;

static void on_usr1(int sig)
{
	(void)sig;
	follow_free = 1;
}

static int cmd_hold(long approach, long margin)
{
	static const char min_free[] = "/proc/sys/vm/min_free_kbytes";
	size_t page = (size_t)sysconf(_SC_PAGESIZE), len = (size_t)sysconf(_SC_PHYS_PAGES) * page, touched = 0;
	char *mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	long free, min, above, base_kb = sysctl_get(min_free), base_min = 0, set_kb = 0;
	int ready = 0;

	if (mem == MAP_FAILED)
		return error("mmap");
	if (base_kb <= 0)
		return error("min_free_kbytes");
	signal(SIGUSR1, on_usr1);
	for (;;) {
		if (follow_free) {
			/* The zone's min is floor(min_free_kbytes / 4 * its share):
			 * scale the base by (free - margin) / base min, rounded up. */
			pages_above_min(0, &free, &min);
			if (!base_min)
				base_min = min;
			long kb = (base_kb * (free - margin) + base_min - 1) / base_min;

			if (kb != set_kb && sysctl_put(min_free, kb))
				return error("min_free_kbytes");
			set_kb = kb;
			usleep(5000);
			continue;
		}
		while ((above = pages_above_min(approach, &free, &min)) > 0) {
			for (; above > 0 && touched < len; above--, touched += page)
				mem[touched] = 1;
			if (touched >= len) {
				errno = ENOMEM;
				return error("all_memory_touched");
			}
		}
		if (!ready) {
			printf("lowmem.hold.touched_kb=%zu\n", touched / 1024);
			printf("lowmem.hold.free_pages=%ld\n", free);
			printf("lowmem.hold.min_pages=%ld\n", min);
			printf("lowmem.hold.min_free_kbytes=%ld\n", base_kb);
			printf("status=ok\nready\n");
			fflush(stdout);
			ready = 1;
		}
		usleep(20000);
	}
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
	if (argc == 4 && !strcmp(argv[1], "hold") && atol(argv[2]) > 0 && atol(argv[3]) >= 0)
		return cmd_hold(atol(argv[2]), atol(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "realtime") && (!strcmp(argv[3], "on") || !strcmp(argv[3], "off")))
		return cmd_realtime(argv[2], !strcmp(argv[3], "on"));
	fprintf(stderr, "usage: lowmem hold APPROACH MARGIN | realtime PID on|off\n");
	return 2;
}
