// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: arbitrary bytes as /proc/kallsyms.  ksyms_load() reads a
 * path, so the input goes to a private temporary file.  A table that loads
 * is then used the way fragscope uses it: lookups at and around every
 * address, formatting, the tracing-frame skip, and a rebuild through
 * ksyms_add()/ksyms_sort() as a record file's reader does.
 *
 * fuzz-sources: user/kernel/ksyms.c user/kernel/kallsyms.c user/kernel/name_pool.c user/kernel/text_file.c user/util/u64map.c
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel/ksyms.h"

static char path[256];

static void cleanup(void)
{
	unlink(path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int fd;

	(void)argc;
	(void)argv;
	/* /dev/shm: the input is written to a file on every run */
	snprintf(path, sizeof(path), "%s/fuzz_ksyms.XXXXXX", access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm");
	fd = mkstemp(path);
	if (fd < 0)
		__builtin_trap();
	close(fd);
	atexit(cleanup);
	return 0;
}

static void use(const struct ksyms *k)
{
	uint64_t frames[8];
	size_t n = ksyms_count(k), nf = 0;
	char buf[64];

	for (size_t i = 0; i < n && i < 4096; i++) {
		const struct ksym *e = ksyms_entry(k, i);
		const uint64_t probes[] = { e->addr, e->addr - 1, e->addr + 1, e->addr + 0x1000 };

		for (size_t j = 0; j < 4; j++) {
			const struct ksym *s = ksyms_find(k, probes[j]);

			if (s && (!s->name || s->addr > probes[j]))
				__builtin_trap();
			size_t len = ksym_format(s, probes[j], buf, sizeof(buf));
			if (len < sizeof(buf) && strlen(buf) != len)
				__builtin_trap();
			if (nf < 8)
				frames[nf++] = probes[j];
		}
	}
	(void)stack_skip_tracing_frames(k, frames, nf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ksyms *k, *copy;
	FILE *f = fopen(path, "w");
	int err = 0;

	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f))
		__builtin_trap();
	k = ksyms_load(path, &err);
	if (!k) {
		if (err >= 0)
			__builtin_trap();
		return 0;
	}
	use(k);
	(void)ksyms_addresses_hidden(k);
	copy = ksyms_new();
	if (!copy)
		__builtin_trap();
	for (size_t i = 0; i < ksyms_count(k); i++) {
		const struct ksym *e = ksyms_entry(k, i);

		if (ksyms_add(copy, e->addr, e->name, e->module))
			__builtin_trap();
	}
	ksyms_sort(copy);
	use(copy);
	ksyms_free(copy);
	ksyms_free(k);
	return 0;
}
