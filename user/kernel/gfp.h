/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gfp flag names and bit values of the running kernel.  The bits move between
 * versions (6.1 #defines ___GFP_* hex constants, 6.18 derives them from an
 * enum of ___GFP_*_BIT, and flags come and go), so they are read at run time,
 * never taken from a table frozen in fragscope:
 *
 *  - from the kmem/mm_page_alloc tracepoint's format, whose __print_flags
 *    table is the kernel's own decoding (composites like GFP_KERNEL first,
 *    then single flags), with masks as C expressions fragscope evaluates;
 *  - else from BTF: the ___GFP_*_BIT enum constants of kernels since 6.8,
 *    which give single flags only.
 *
 * struct gfp_names holds no pointers so it can be stored in record files and
 * decode the same way on another machine.
 */
#ifndef FS_KERNEL_GFP_H
#define FS_KERNEL_GFP_H

#include <stddef.h>
#include <stdint.h>

struct btf;

#define GFP_NAMES_MAX 64
#define GFP_NAME_LEN 32

/* Where a gfp_names table was read from. */
enum gfp_names_source {
	GFP_NAMES_NONE = 0,
	GFP_NAMES_FORMAT = 1, /* tracepoint format: composites and single flags */
	GFP_NAMES_BTF = 2,    /* BTF enum: single flags only */
};

struct gfp_name {
	uint64_t mask;
	char name[GFP_NAME_LEN];
};

struct gfp_names {
	uint32_t n;
	uint32_t source; /* enum gfp_names_source */
	struct gfp_name flags[GFP_NAMES_MAX]; /* in the kernel's decoding order */
};

/*
 * Parses the text of events/kmem/mm_page_alloc/format.  btf may be NULL; if
 * given, it resolves ___GFP_*_BIT names that kernels 6.8 to 6.13 left
 * unsubstituted in the format.  0, -ENOENT if the text has no gfp_flags
 * table, -EINVAL if a mask cannot be evaluated, -E2BIG if the table has more
 * than GFP_NAMES_MAX flags.
 */
int gfp_names_from_format(const char *format_text, const struct btf *btf, struct gfp_names *out);

/* Single flags __GFP_* from BTF's ___GFP_*_BIT; 0, or -ENOENT if BTF has none. */
int gfp_names_from_btf(const struct btf *btf, struct gfp_names *out);

/*
 * The format under tracefs_dir (e.g. "/sys/kernel/tracing"), else btf if not
 * NULL.  0, or the format's error when there is no BTF to fall back on.
 */
int gfp_names_load(const char *tracefs_dir, const struct btf *btf, struct gfp_names *out);

/*
 * gfp decoded as the kernel's __print_flags does: "GFP_KERNEL|__GFP_NOWARN",
 * unknown bits as a trailing "0x...", "none" for 0.  Returns the length of
 * the whole text, like snprintf; buf holds as much as fits.
 */
size_t gfp_format(const struct gfp_names *names, uint64_t gfp, char *buf, size_t len);

/* The mask of the flag called name (e.g. "__GFP_DIRECT_RECLAIM"), 0 if unknown. */
uint64_t gfp_mask(const struct gfp_names *names, const char *name);

#endif
