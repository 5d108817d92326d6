// SPDX-License-Identifier: GPL-2.0
/*
 * For the /proc and sysfs parser targets: the parsers take a root directory
 * instead of "/", so each input is written into a private temporary tree
 * (in /dev/shm when it can be: a file is written on every run) and the
 * parser reads it from there.  Header-only because each target is one
 * translation unit built by run.sh.
 */
#ifndef FRAGSCOPE_FUZZ_FAKE_ROOT_H
#define FRAGSCOPE_FUZZ_FAKE_ROOT_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state/state.h"

static char fake_root[256];

static inline void fake_root_remove(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fake_root);
	if (system(cmd))
		return;
}

/* Creates the tree for TARGET with DIRS (relative, parents first) in it. */
static inline void fake_root_create(const char *target, const char *const *dirs, size_t nr_dirs)
{
	char dir[512];

	snprintf(fake_root, sizeof(fake_root), "%s/%s.XXXXXX", access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm",
		 target);
	if (!mkdtemp(fake_root))
		__builtin_trap();
	for (size_t i = 0; i < nr_dirs; i++) {
		snprintf(dir, sizeof(dir), "%s/%s", fake_root, dirs[i]);
		mkdir(dir, 0700);
	}
	atexit(fake_root_remove);
}

static inline void fake_root_write(const char *rel, const uint8_t *data, size_t size)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fake_root, rel);
	f = fopen(path, "w");
	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f))
		__builtin_trap();
}

/*
 * Splits the input at NUL bytes into the files NAMES in order; a part the
 * input is too short to have leaves its file absent, so absence is fuzzed too.
 */
static inline void fake_root_write_parts(const char *const *names, size_t nr_names, const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	char path[512];

	for (size_t i = 0; i < nr_names; i++) {
		if (p > end) {
			snprintf(path, sizeof(path), "%s/%s", fake_root, names[i]);
			unlink(path);
			continue;
		}
		const uint8_t *nul = memchr(p, 0, end - p);
		size_t len = (nul ? nul : end) - p;

		fake_root_write(names[i], p, len);
		p += len + 1;
	}
}

/* A parser either succeeds or fails with its status and a message. */
static inline void check_state_result(int rc, const struct state_error *err)
{
	if (rc != STATE_OK && (rc != err->status || !err->message[0]))
		__builtin_trap();
}

#endif
