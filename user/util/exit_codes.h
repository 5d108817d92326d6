/* SPDX-License-Identifier: GPL-2.0 */
/* fragscope's exit codes; README.md documents the same table. */
#ifndef FS_UTIL_EXIT_CODES_H
#define FS_UTIL_EXIT_CODES_H

enum fs_exit {
	FS_EXIT_OK = 0,
	FS_EXIT_RUNTIME = 1,     /* something failed while running */
	FS_EXIT_USAGE = 2,       /* bad command line */
	FS_EXIT_PRIVILEGE = 3,   /* not root / missing CAP_BPF, CAP_PERFMON */
	FS_EXIT_UNSUPPORTED = 4, /* the kernel lacks what tracing needs (BTF, BPF) */
	FS_EXIT_BAD_INPUT = 5,   /* an input file is corrupt, foreign, newer or malformed */
};

#endif
