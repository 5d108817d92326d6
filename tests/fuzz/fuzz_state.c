// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the whole of state_read() and state_sample(), so the
 * parsers are fuzzed together (zones seen by one file and not another,
 * pagetypeinfo after buddyinfo...).  The input is split at NUL bytes into
 * proc/{buddyinfo,zoneinfo,pagetypeinfo,vmstat,meminfo,uptime} of a
 * private temporary tree; a missing part leaves its file absent.
 *
 * fuzz-sources: user/state/buddyinfo.c user/state/zoneinfo.c user/state/counters.c user/state/reader.c user/state/read.c user/state/indices.c
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state/state.h"

static const char *const names[] = {
	"proc/buddyinfo", "proc/zoneinfo", "proc/pagetypeinfo", "proc/vmstat", "proc/meminfo", "proc/uptime",
};
#define NR_FILES (sizeof(names) / sizeof(names[0]))

static char root[256];

static void cleanup(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd))
		return;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char dir[512];

	(void)argc;
	(void)argv;
	/* /dev/shm: the input is written to a file on every run */
	snprintf(root, sizeof(root), "%s/fuzz_state.XXXXXX", access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm");
	if (!mkdtemp(root))
		__builtin_trap();
	snprintf(dir, sizeof(dir), "%s/proc", root);
	mkdir(dir, 0700);
	atexit(cleanup);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct state st;
	static struct state_sample sample;
	struct state_error err;
	const uint8_t *p = data, *end = data + size;
	char path[512];
	int rc;

	for (size_t i = 0; i < NR_FILES; i++) {
		snprintf(path, sizeof(path), "%s/%s", root, names[i]);
		if (p > end) {
			unlink(path);
			continue;
		}
		const uint8_t *nul = memchr(p, 0, end - p);
		size_t len = (nul ? nul : end) - p;
		FILE *f = fopen(path, "w");

		if (!f || (len && fwrite(p, 1, len, f) != len) || fclose(f))
			__builtin_trap();
		p += len + 1;
	}
	memset(&err, 0, sizeof(err));
	rc = state_read(root, STATE_TRY_PAGETYPEINFO, &st, &err);
	if (rc != STATE_OK && (rc != err.status || !err.message[0]))
		__builtin_trap();
	if (rc == STATE_OK) {
		for (unsigned int i = 0; i < st.nr_zones; i++) {
			struct state_zone_indices ix;

			state_zone_indices(&st.zones[i].core, &ix);
		}
		(void)state_pages_mib(&st, st.meminfo.value[STATE_MEM_FREE]);
	}
	memset(&err, 0, sizeof(err));
	rc = state_sample(root, true, &sample, &err);
	if (rc != STATE_OK && (rc != err.status || !err.message[0]))
		__builtin_trap();
	return 0;
}
