/* SPDX-License-Identifier: GPL-2.0 */
/* Small text helpers shared by the kernel log parser's files (decode/ only). */
#ifndef FS_DECODE_KERNEL_LOG_TEXT_H
#define FS_DECODE_KERNEL_LOG_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

static inline bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static inline const char *skip_spaces(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* Copies n bytes of src as a string into dst, cut to fit. */
static inline void copy_text(char *dst, size_t len, const char *src, size_t n)
{
	if (n >= len)
		n = len - 1;
	memcpy(dst, src, n);
	dst[n] = 0;
}

#endif
