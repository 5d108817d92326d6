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
#include "fake_root.h"

static const char *const names[] = {
	"proc/buddyinfo", "proc/zoneinfo", "proc/pagetypeinfo", "proc/vmstat", "proc/meminfo", "proc/uptime",
};
#define NR_FILES (sizeof(names) / sizeof(names[0]))

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const dirs[] = { "proc" };

	(void)argc;
	(void)argv;
	fake_root_create("fuzz_state", dirs, 1);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct state st;
	static struct state_sample sample;
	struct state_error err;
	int rc;

	fake_root_write_parts(names, NR_FILES, data, size);
	memset(&err, 0, sizeof(err));
	rc = state_read(fake_root, STATE_TRY_PAGETYPEINFO, &st, &err);
	check_state_result(rc, &err);
	if (rc == STATE_OK) {
		for (unsigned int i = 0; i < st.nr_zones; i++) {
			struct state_zone_indices ix;

			state_zone_indices(&st.zones[i].core, &ix);
		}
		(void)state_pages_mib(&st, st.meminfo.value[STATE_MEM_FREE]);
	}
	memset(&err, 0, sizeof(err));
	rc = state_sample(fake_root, true, &sample, &err);
	check_state_result(rc, &err);
	return 0;
}
