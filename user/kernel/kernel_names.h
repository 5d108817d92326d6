/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Names of the kernel enums fragscope reports (migratetypes, compaction
 * results, zone types), read from the running kernel's BTF so they follow
 * its configuration: a kernel without CONFIG_CMA has no MIGRATE_CMA, and
 * MIGRATE_ISOLATE's value moves with it.
 *
 * struct name_table holds no pointers so it can be stored in record files.
 */
#ifndef FS_KERNEL_KERNEL_NAMES_H
#define FS_KERNEL_KERNEL_NAMES_H

#include <stddef.h>
#include <stdint.h>

struct btf;

#define NAME_TABLE_SIZE 16
#define NAME_TABLE_NAME_LEN 24

/* name[v] names value v; "" where the enum has no such value. */
struct name_table {
	uint32_t n; /* one past the highest value named */
	char name[NAME_TABLE_SIZE][NAME_TABLE_NAME_LEN];
};

/* How an enumerator is shown once strip_prefix is removed. */
enum name_style {
	NAME_STYLE_LOWER, /* COMPACT_PARTIAL_SKIPPED -> "partial_skipped", as tracepoints print */
	NAME_STYLE_PROC,  /* MIGRATE_HIGHATOMIC -> "HighAtomic", ZONE_DMA32 -> "DMA32", as /proc does */
};

/*
 * Fills out from enum enum_name: enumerators that start with strip_prefix,
 * less the counts and range markers ending in "TYPES" (MIGRATE_PCPTYPES,
 * MIGRATE_TYPES); where two share a value the later one, the alias, wins
 * (MIGRATE_HIGHATOMIC = MIGRATE_PCPTYPES).  Values outside the table are
 * left out.  0, or -ENOENT if BTF has no such enum.
 */
int enum_names_from_btf(const struct btf *btf, const char *enum_name, const char *strip_prefix,
			enum name_style style, struct name_table *out);

/*
 * The name of value, or its number written into fallback_buf when the table
 * does not name it.
 */
const char *name_table_get(const struct name_table *table, int64_t value, char *fallback_buf,
			   size_t len);

#endif
