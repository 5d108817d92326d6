/* SPDX-License-Identifier: GPL-2.0 */
/* Sizes for people ("3.8 MiB", "512 KiB", "12 B"), and as powers of two. */
#ifndef FS_UTIL_UNITS_H
#define FS_UTIL_UNITS_H

#include <stddef.h>
#include <stdint.h>

/* bytes in the largest binary unit that keeps the figure at or above 1; returns buf. */
const char *format_bytes(uint64_t bytes, char *buf, size_t len);
/* n for v == 1 << n (a page size's shift, a block's order); -1 when v is not a power of two. */
int log2_exact(uint64_t v);

#endif
