// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the sysctl readers (/proc/sys/vm/<file> and the THP
 * enabled/defrag files).  The input is split at NUL bytes into the files of
 * a private temporary tree, in the order of names[] below; a part that is
 * missing leaves its file absent, so absent files are fuzzed too.
 * state_read_sysctls() must succeed or fail with a message, never crash.
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
	"proc/sys/vm/min_free_kbytes", "proc/sys/vm/watermark_scale_factor",
	"proc/sys/vm/watermark_boost_factor", "proc/sys/vm/extfrag_threshold",
	"proc/sys/vm/compaction_proactiveness", "proc/sys/vm/overcommit_memory",
	"proc/sys/vm/overcommit_ratio", "proc/sys/vm/overcommit_kbytes",
	"proc/sys/vm/zone_reclaim_mode", "sys/kernel/mm/transparent_hugepage/enabled",
	"sys/kernel/mm/transparent_hugepage/defrag",
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
	static const char *const dirs[] = { "proc", "proc/sys", "proc/sys/vm", "sys", "sys/kernel",
					    "sys/kernel/mm", "sys/kernel/mm/transparent_hugepage" };
	char dir[512];

	(void)argc;
	(void)argv;
	/* /dev/shm: the input is written to a file on every run */
	snprintf(root, sizeof(root), "%s/fuzz_sysctls.XXXXXX", access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm");
	if (!mkdtemp(root))
		__builtin_trap();
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(dir, sizeof(dir), "%s/%s", root, dirs[i]);
		mkdir(dir, 0700);
	}
	atexit(cleanup);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct state_sysctls sc;
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
	memset(&sc, 0, sizeof(sc));
	memset(&err, 0, sizeof(err));
	rc = state_read_sysctls(root, &sc, &err);
	if (rc != STATE_OK && (rc != err.status || !err.message[0]))
		__builtin_trap();
	if (rc == STATE_OK && (!memchr(sc.thp_enabled, 0, sizeof(sc.thp_enabled)) ||
			       !memchr(sc.thp_defrag, 0, sizeof(sc.thp_defrag))))
		__builtin_trap();
	return 0;
}
