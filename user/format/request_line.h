/* SPDX-License-Identifier: GPL-2.0 */
/* A request in one line of the operator's words (see request_line.c). */
#ifndef FS_FORMAT_REQUEST_LINE_H
#define FS_FORMAT_REQUEST_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/request.h"

/*
 * "iptables-restor[4182] /ipt-seed setsockopt → ENOMEM: kvmalloc 3.8 MiB in
 * xt_alloc_table_info failed (kmalloc order 10, then vmalloc): memcg
 * /ipt-seed at its limit (9.8 MiB of 9.8 MiB)".  Returns the length written.
 */
size_t request_line(const struct request *r, uint32_t page_size, char *buf, size_t len);
/* The cause part alone: "memcg /ipt-seed at its limit (9.8 MiB of 9.8 MiB)". */
size_t request_cause_text(const struct request *r, uint32_t page_size, char *buf, size_t len);

/* What the advice can know beyond the request. */
struct advice_context {
	uint32_t page_size;
	uint64_t min_free_kb; /* the zones' min watermarks summed, about vm.min_free_kbytes; 0: unknown */
	uint32_t addr_bits;   /* 32: a 32-bit kernel, whose vmalloc area is small; 0: unknown */
	uint32_t suppressed;  /* similar reports the kernel rate-limited away */
	bool mem_info;        /* the zone state at the time was known */
	const char *cpuset;   /* the task's cpuset ("" or "/" for the root) */
};

/* One or two things to do about the request's failure, following from its numbers. */
size_t request_advice(const struct request *r, const struct advice_context *c, char *buf, size_t len);

#endif
