// SPDX-License-Identifier: GPL-2.0
/*
 * The table is generated at build time from the C library's <asm/unistd.h>
 * (see the Makefile), so it is the build architecture's own numbering.
 */
#include "kernel/syscall_names.h"

static const char *const names[] = {
#include "syscall_names.inc"
};

const char *syscall_name(int nr)
{
	if (nr < 0 || (unsigned int)nr >= sizeof(names) / sizeof(*names))
		return 0;
	return names[nr];
}
