// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: arbitrary bytes as /proc/zoneinfo.  The parser takes only a
 * root directory, so the input is written to ROOT/proc/zoneinfo in a private
 * temporary tree and state_read_zoneinfo() is run on it: it must return STATE_OK or an
 * error with a message, never crash, overread or leak.
 *
 * fuzz-sources: user/state/buddyinfo.c user/state/zoneinfo.c user/state/counters.c user/state/reader.c user/state/read.c user/state/indices.c
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state/state.h"

static char root[256];

static void write_file(const char *rel, const uint8_t *data, size_t size)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f))
		__builtin_trap();
}

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
	snprintf(root, sizeof(root), "%s/fuzz_zoneinfo.XXXXXX", access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm");
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
	struct state_error err;
	int rc;

	write_file("proc/zoneinfo", data, size);
	memset(&st, 0, sizeof(st));
	memset(&err, 0, sizeof(err));
	rc = state_read_zoneinfo(root, &st, &err);
	if (rc != STATE_OK && (rc != err.status || !err.message[0]))
		__builtin_trap();
	if (rc == STATE_OK)
		for (unsigned int i = 0; i < st.nr_zones; i++)
			for (unsigned int o = 0; o < FS_ORDERS; o++)
				(void)state_watermark_ok(&st.zones[i].core, o);
	return 0;
}
