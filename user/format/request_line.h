/* SPDX-License-Identifier: GPL-2.0 */
/* A request in one line of the operator's words (see request_line.c). */
#ifndef FS_FORMAT_REQUEST_LINE_H
#define FS_FORMAT_REQUEST_LINE_H

#include <stddef.h>
#include <stdint.h>

#include "model/request.h"

/*
 * "iptables-restore[4182] /ipt-seed setsockopt → ENOMEM: kvmalloc 3.8 MiB in
 * xt_alloc_table_info failed (kmalloc order 10, then vmalloc): memcg
 * /ipt-seed at its limit (9.8 of 9.8 MiB)".  Returns the length written.
 */
size_t request_line(const struct request *r, uint32_t page_size, char *buf, size_t len);
/* The cause part alone: "memcg /ipt-seed at its limit (9.8 of 9.8 MiB)". */
size_t request_cause_text(const struct request *r, uint32_t page_size, char *buf, size_t len);

#endif
