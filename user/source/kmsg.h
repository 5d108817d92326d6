/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel log, live: /dev/kmsg read as one reader among others from the
 * moment fragscope attached, record by record; the session feeds them to
 * the same parser `explain` uses, so the kernel's own reports join the
 * requests the tracer saw.
 */
#ifndef FS_SOURCE_KMSG_H
#define FS_SOURCE_KMSG_H

#include <stddef.h>
#include <stdint.h>

struct kmsg_reader {
	int fd;         /* -1: not open (no /dev/kmsg, or not allowed) */
	uint64_t lost;  /* records overwritten before they were read */
};

/* Opens /dev/kmsg at its end; 0, or -errno and the session goes on without it. */
int kmsg_open(struct kmsg_reader *k);
/* One record per read; the kernel's records are under 1 KiB of text plus their dictionary. */
#define KMSG_RECORD_MAX 8192
/* The next record there is now into buf (KMSG_RECORD_MAX bytes): its length, 0 if none; never blocks. */
size_t kmsg_next(struct kmsg_reader *k, char *buf);
void kmsg_close(struct kmsg_reader *k);

#endif
