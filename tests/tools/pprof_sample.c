// SPDX-License-Identifier: GPL-2.0
/*
 * Writes a small, known profile with the pprof writer, for
 * tests/integration/test_pprof_go.sh to read back with `go tool pprof`.
 * Tools link no fragscope objects, so the writer's sources are included.
 *
 * Usage: pprof_sample OUT.pb.gz
 */
#include <stdio.h>

#include "format/pprof_writer.c"
#include "util/u64map.c"

int main(int argc, char **argv)
{
	static const char *const types[] = { "failures", "count", "bytes", "bytes" };
	static const char *const hot[] = { "fs_test_hot_leaf", "fs_test_middle", "fs_test_root" };
	static const char *const cold[] = { "fs_test_cold_leaf", "fs_test_root" };
	static const int64_t hot_values[] = { 1, 300 }, cold_values[] = { 5, 100 };
	static const int64_t labeled_values[] = { 1, 10 };
	static const struct pprof_label comm = { .key = "comm", .str = "stress-ng" };
	struct pprof_builder *b;
	FILE *out;
	int err = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s OUT.pb.gz\n", argv[0]);
		return 2;
	}
	b = pprof_new(types, 2);
	out = fopen(argv[1], "w");
	if (!b || !out) {
		perror(argv[1]);
		return 1;
	}
	/*
	 * By failures the cold leaf leads (6 to 3), by bytes the hot one
	 * (900 to 110): which one -top shows first checks the value order.
	 */
	for (int i = 0; i < 3 && !err; i++)
		err = pprof_add_sample(b, hot, 3, hot_values);
	if (!err)
		err = pprof_add_sample(b, cold, 2, cold_values);
	if (!err)
		err = pprof_add_labeled_sample(b, cold, 2, labeled_values, &comm, 1);
	pprof_set_time(b, 1700000000000000000LL, 2000000000LL);
	/* Without it pprof would show bytes, the last type, when given no -sample_index. */
	if (!err)
		err = pprof_set_default_type(b, "failures");
	if (!err)
		err = pprof_write_gzip(b, out);
	if (fclose(out) && !err)
		err = -EIO;
	pprof_free(b);
	if (err) {
		fprintf(stderr, "pprof_sample: %s\n", strerror(-err));
		return 1;
	}
	return 0;
}
