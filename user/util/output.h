/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Closing an output stream and saying when what was written did not
 * arrive: stdio keeps a failed write (a full disk, a closed pipe, a
 * revoked terminal) in the stream's error flag, which only a check at the
 * end turns into a message and an exit code.
 */
#ifndef FS_UTIL_OUTPUT_H
#define FS_UTIL_OUTPUT_H

#include <stdio.h>

/*
 * Flushes and closes f (named name in the message); 0 if everything
 * written reached it, else -1 after "fragscope CMD: writing NAME: REASON"
 * on stderr (cmd may be NULL).
 */
int output_close(FILE *f, const char *cmd, const char *name);

#endif
