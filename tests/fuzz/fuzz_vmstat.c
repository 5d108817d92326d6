// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: arbitrary bytes as /proc/vmstat, read by
 * state_read_vmstat() from a private root (fake_root.h): it must return
 * STATE_OK or an error with a message, never crash, overread or leak.
 * Every counter it read can be looked up by name.
 *
 * fuzz-sources: user/state/buddyinfo.c user/state/zoneinfo.c user/state/counters.c user/state/reader.c user/state/read.c user/state/indices.c
 */
#include "fake_root.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const dirs[] = { "proc" };

	(void)argc;
	(void)argv;
	fake_root_create("fuzz_vmstat", dirs, 1);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct state st;
	struct state_error err;
	int rc;

	fake_root_write("proc/vmstat", data, size);
	memset(&st, 0, sizeof(st));
	memset(&err, 0, sizeof(err));
	rc = state_read_vmstat(fake_root, &st.vmstat, &err);
	check_state_result(rc, &err);
	if (rc == STATE_OK) {
		uint64_t v;

		state_counters_from_vmstat(&st.vmstat, &st.counters);
		for (unsigned int i = 0; i < st.vmstat.count; i++)
			if (!state_vmstat_get(&st.vmstat, st.vmstat.entries[i].name, &v))
				__builtin_trap();
	}
	return 0;
}
