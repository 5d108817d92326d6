// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: arbitrary bytes as /proc/pagetypeinfo, read by
 * state_read_pagetypeinfo() from a private root (fake_root.h): it must return
 * STATE_OK or an error with a message, never crash, overread or leak.
 * Every migratetype name it read is looked up again.
 *
 * fuzz-sources: user/state/buddyinfo.c user/state/zoneinfo.c user/state/counters.c user/state/reader.c user/state/read.c user/state/indices.c
 */
#include "fake_root.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const dirs[] = { "proc" };

	(void)argc;
	(void)argv;
	fake_root_create("fuzz_pagetypeinfo", dirs, 1);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct state st;
	struct state_error err;
	int rc;

	fake_root_write("proc/pagetypeinfo", data, size);
	memset(&st, 0, sizeof(st));
	memset(&err, 0, sizeof(err));
	rc = state_read_pagetypeinfo(fake_root, &st, &err);
	check_state_result(rc, &err);
	if (rc == STATE_OK)
		for (unsigned int i = 0; i < st.nr_migratetypes && i < FS_MIGRATETYPES; i++)
			(void)state_migratetype_index(&st, st.migratetype_names[i]);
	return 0;
}
