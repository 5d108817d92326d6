/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel log, live: /dev/kmsg read as one reader among others from the
 * moment fragscope attached, its records fed to the same parser `explain`
 * uses, so the kernel's own reports join the requests the tracer saw.
 */
#ifndef FS_SOURCE_KMSG_H
#define FS_SOURCE_KMSG_H

#include <stdint.h>

#include "decode/kernel_log.h"

struct kmsg_reader {
	int fd;         /* -1: not open (no /dev/kmsg, or not allowed) */
	uint64_t lost;  /* records overwritten before they were read */
};

/* Opens /dev/kmsg at its end; 0, or -errno and the session goes on without it. */
int kmsg_open(struct kmsg_reader *k);
/* Feeds every record there is now to the parser; never blocks. */
void kmsg_read(struct kmsg_reader *k, struct klog_parser *p);
void kmsg_close(struct kmsg_reader *k);

#endif
