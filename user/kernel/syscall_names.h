/* SPDX-License-Identifier: GPL-2.0 */
/* System call names of the architecture fragscope was built for. */
#ifndef FS_KERNEL_SYSCALL_NAMES_H
#define FS_KERNEL_SYSCALL_NAMES_H

/* "mmap", or NULL for a number this architecture does not name. */
const char *syscall_name(int nr);

#endif
