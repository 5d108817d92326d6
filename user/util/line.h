/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading text a line at a time into a buffer of fixed size: getline()
 * grows its buffer to the longest line, so an input without newlines
 * (/dev/zero, a core dump) would cost its whole size in memory.
 */
#ifndef FS_UTIL_LINE_H
#define FS_UTIL_LINE_H

#include <stddef.h>
#include <stdio.h>

/*
 * Reads into buf up to and including the next '\n', or max bytes if the
 * line is longer (the rest stays unread).  Returns the bytes stored: 0 at
 * the end of the input or on a read error (ferror() tells them apart).
 */
static inline size_t read_line_bounded(FILE *f, char *buf, size_t max)
{
	size_t len = 0;
	int c;

	while (len < max && (c = getc_unlocked(f)) != EOF) {
		buf[len++] = (char)c;
		if (c == '\n')
			break;
	}
	return len;
}

#endif
