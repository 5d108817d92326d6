/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Whole-file reads for the kernel's text interfaces (/proc/kallsyms, tracefs
 * formats, sysfs values), whose stat() size is 0 so they must be read to EOF.
 */
#ifndef FS_KERNEL_TEXT_FILE_H
#define FS_KERNEL_TEXT_FILE_H

#include <stddef.h>

/*
 * The file's contents, NUL-terminated, in a malloc()ed buffer the caller
 * frees; *len (if not NULL) gets the length without the NUL.  NULL with errno
 * set on failure.
 */
char *text_file_read(const char *path, size_t *len);

#endif
