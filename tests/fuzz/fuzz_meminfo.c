// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: arbitrary bytes as /proc/meminfo, read by
 * state_read_meminfo() from a private root (fake_root.h): it must return
 * STATE_OK or an error with a message, never crash, overread or leak.
 *
 * fuzz-sources: user/state/buddyinfo.c user/state/zoneinfo.c user/state/counters.c user/state/reader.c user/state/read.c user/state/indices.c
 */
#include "fake_root.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const dirs[] = { "proc" };

	(void)argc;
	(void)argv;
	fake_root_create("fuzz_meminfo", dirs, 1);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct state st;
	struct state_error err;
	int rc;

	fake_root_write("proc/meminfo", data, size);
	memset(&st, 0, sizeof(st));
	memset(&err, 0, sizeof(err));
	rc = state_read_meminfo(fake_root, &st.meminfo, &err);
	check_state_result(rc, &err);
	return 0;
}
