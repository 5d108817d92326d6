/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The names of a symbol table (kernel/ksyms.c), kept compact: /proc/kallsyms
 * lists 100k-200k text symbols and fragscope holds them for the whole trace.
 *
 * The pool is made of NAME_BLOCK_SIZE blocks that never move, so names stay
 * valid while symbols are added.  An offset is block << NAME_BLOCK_SHIFT |
 * position; a name longer than a block gets consecutive blocks of one
 * allocation.  A name with NAME_POOL_MODULE_BIT set in its offset is
 * followed, after its NUL, by the index of its module (4 bytes) in the
 * module table.  A name that ends the previous one shares its bytes.
 */
#ifndef FS_KERNEL_NAME_POOL_H
#define FS_KERNEL_NAME_POOL_H

#include <stddef.h>
#include <stdint.h>

#define NAME_POOL_NONE UINT32_MAX /* no name: out of memory, or an end of text in ksyms */
#define NAME_POOL_MODULE_BIT 0x80000000u

struct name_alloc;

struct name_pool {
	char **blocks; /* data of block i; a long name's blocks share one allocation */
	size_t nr_blocks;
	size_t cap_blocks;
	struct name_alloc *allocs;
	uint32_t pool_end;
	uint32_t last_name; /* the last name stored, for sharing its suffixes */
	uint32_t last_len;
	uint32_t last_module;

	uint32_t *modules; /* pool offsets of the module names */
	uint32_t nr_modules;
	uint32_t cap_modules;
	uint32_t cur_module; /* the last module looked up: lines of one module come together */
};

void name_pool_init(struct name_pool *p);
void name_pool_free(struct name_pool *p);
/* Stores name of module (NULL: vmlinux); its offset, or NAME_POOL_NONE when out of memory. */
uint32_t name_pool_add(struct name_pool *p, const char *name, const char *module);
/* The name at off, or NULL for NAME_POOL_NONE. */
const char *name_pool_name(const struct name_pool *p, uint32_t off);
/* The module of the name at off, or NULL for vmlinux (and NAME_POOL_NONE). */
const char *name_pool_module(const struct name_pool *p, uint32_t off);

#endif
