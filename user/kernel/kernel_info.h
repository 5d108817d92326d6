/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What decoding needs to know about a kernel: its gfp bits, enum names, page
 * and pageblock geometry.  Read once from the running kernel, and written
 * into record files (it is fixed-size and pointer-free) so a report made on
 * another machine decodes events the way the recording kernel meant them.
 */
#ifndef FS_KERNEL_KERNEL_INFO_H
#define FS_KERNEL_KERNEL_INFO_H

#include <stddef.h>
#include <stdint.h>

#include "kernel/gfp.h"
#include "kernel/kernel_names.h"

/* uname's 65 bytes, rounded up so the fields after it need no padding. */
#define KERNEL_RELEASE_LEN 72

struct kernel_info {
	char release[KERNEL_RELEASE_LEN]; /* uname -r */
	uint32_t page_size;
	uint32_t pmd_order;       /* order of a PMD-mapped transparent huge page */
	uint32_t pageblock_order; /* the unit of migratetype ownership and compaction */
	uint32_t max_map_count;   /* vm.max_map_count at the start (0: unknown, format 2 files) */
	struct gfp_names gfp;
	struct name_table migratetypes;    /* "Unmovable", "Movable", ... as /proc/pagetypeinfo */
	struct name_table compact_results; /* "success", "skipped", ... as mm_compaction_end */
	struct name_table zones;           /* "DMA", "DMA32", "Normal", ... */
	uint32_t pad;                      /* the tail padding as a field: zero, as the loader clears the struct */
};

/* Record files hold this struct as is: a change here needs a new record format version. */
_Static_assert(sizeof(struct kernel_info) == 3824, "struct kernel_info layout changed");

/*
 * Fills out from the kernel under sys_root ("/" normally; a directory with
 * proc/, sys/ in tests): BTF from sys/kernel/btf/vmlinux, tracefs from
 * sys/kernel/tracing (or sys/kernel/debug/tracing), sysfs and procfs.
 *
 * errbuf gets what was missing and how to fix it, or "" when nothing was;
 * it can say something even on success (no tracefs: gfp flags come from BTF
 * without composite names).  Returns 0 when gfp flags and BTF names were
 * found, otherwise a negative errno with out filled as far as possible:
 * -ENOENT without BTF, or why no gfp flags could be read.
 */
int kernel_info_load(struct kernel_info *out, const char *sys_root, char *errbuf, size_t errlen);

struct btf;

/*
 * kernel_info_load() that hands the parsed vmlinux BTF to the caller in
 * *btf (NULL when there is none), who frees it with btf__free(): the
 * tracer chooses its programs with it instead of parsing the file again.
 */
int kernel_info_load_btf(struct kernel_info *out, const char *sys_root, char *errbuf, size_t errlen,
			 struct btf **btf);

#endif
