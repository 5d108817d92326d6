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
#include "fake_root.h"

static const char *const names[] = {
	"proc/sys/vm/min_free_kbytes", "proc/sys/vm/watermark_scale_factor",
	"proc/sys/vm/watermark_boost_factor", "proc/sys/vm/extfrag_threshold",
	"proc/sys/vm/compaction_proactiveness", "proc/sys/vm/overcommit_memory",
	"proc/sys/vm/overcommit_ratio", "proc/sys/vm/overcommit_kbytes",
	"proc/sys/vm/zone_reclaim_mode", "sys/kernel/mm/transparent_hugepage/enabled",
	"sys/kernel/mm/transparent_hugepage/defrag",
};
#define NR_FILES (sizeof(names) / sizeof(names[0]))

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const dirs[] = { "proc", "proc/sys", "proc/sys/vm", "sys", "sys/kernel",
					    "sys/kernel/mm", "sys/kernel/mm/transparent_hugepage" };

	(void)argc;
	(void)argv;
	fake_root_create("fuzz_sysctls", dirs, sizeof(dirs) / sizeof(dirs[0]));
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct state_sysctls sc;
	struct state_error err;
	int rc;

	fake_root_write_parts(names, NR_FILES, data, size);
	memset(&sc, 0, sizeof(sc));
	memset(&err, 0, sizeof(err));
	rc = state_read_sysctls(fake_root, &sc, &err);
	check_state_result(rc, &err);
	if (rc == STATE_OK && (!memchr(sc.thp_enabled, 0, sizeof(sc.thp_enabled)) ||
			       !memchr(sc.thp_defrag, 0, sizeof(sc.thp_defrag))))
		__builtin_trap();
	return 0;
}
