// SPDX-License-Identifier: GPL-2.0
#include "kernel/name_pool.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define NAME_BLOCK_SHIFT 16
#define NAME_BLOCK_SIZE (1u << NAME_BLOCK_SHIFT)
#define MODULE_BIT NAME_POOL_MODULE_BIT
#define NAME_NONE NAME_POOL_NONE
#define POOL_LIMIT (MODULE_BIT - 1)
#define NO_MODULE UINT32_MAX

struct name_alloc {
	struct name_alloc *next;
	char data[];
};

static char *pool_ptr(const struct name_pool *p, uint32_t off)
{
	off &= ~MODULE_BIT;
	return p->blocks[off >> NAME_BLOCK_SHIFT] + (off & (NAME_BLOCK_SIZE - 1));
}

void name_pool_init(struct name_pool *p)
{
	memset(p, 0, sizeof(*p));
	p->last_name = NAME_NONE;
	p->cur_module = NO_MODULE;
}

void name_pool_free(struct name_pool *p)
{
	struct name_alloc *a, *next;

	for (a = p->allocs; a; a = next) {
		next = a->next;
		free(a);
	}
	free(p->blocks);
	free(p->modules);
	name_pool_init(p);
}

/* Room for len bytes at the pool's end: in the current block, else in new ones. */
static int pool_reserve(struct name_pool *p, size_t len)
{
	size_t pos = p->pool_end & (NAME_BLOCK_SIZE - 1), nblocks;
	struct name_alloc *a;

	if (p->nr_blocks && p->pool_end >> NAME_BLOCK_SHIFT < p->nr_blocks && pos + len <= NAME_BLOCK_SIZE)
		return 0;
	nblocks = (len + NAME_BLOCK_SIZE - 1) / NAME_BLOCK_SIZE;
	if (((uint64_t)p->nr_blocks + nblocks) << NAME_BLOCK_SHIFT > POOL_LIMIT)
		return -ENOMEM;
	if (p->nr_blocks + nblocks > p->cap_blocks) {
		size_t cap = p->cap_blocks ? p->cap_blocks * 2 : 64;
		char **bigger;

		if (cap < p->nr_blocks + nblocks)
			cap = p->nr_blocks + nblocks;
		bigger = realloc(p->blocks, cap * sizeof(*bigger));
		if (!bigger)
			return -ENOMEM;
		p->blocks = bigger;
		p->cap_blocks = cap;
	}
	a = malloc(sizeof(*a) + nblocks * NAME_BLOCK_SIZE);
	if (!a)
		return -ENOMEM;
	a->next = p->allocs;
	p->allocs = a;
	for (size_t i = 0; i < nblocks; i++)
		p->blocks[p->nr_blocks + i] = a->data + i * NAME_BLOCK_SIZE;
	p->pool_end = p->nr_blocks << NAME_BLOCK_SHIFT;
	p->nr_blocks += nblocks;
	return 0;
}

/*
 * Stores name (and its module index, or NO_MODULE) and returns its offset
 * with MODULE_BIT, or NAME_NONE when out of memory.  A name that ends the
 * previous one shares its bytes: each function's "__pfx_<name>" padding
 * symbol comes just before it, which halves the pool.
 */
static uint32_t store_name(struct name_pool *p, const char *name, uint32_t module)
{
	size_t len = strlen(name), need = len + 1 + (module != NO_MODULE ? sizeof(module) : 0);
	uint32_t off;
	char *dst;

	if (p->last_name != NAME_NONE && p->last_len >= len && (module == NO_MODULE || module == p->last_module) &&
	    !memcmp(pool_ptr(p, p->last_name) + p->last_len - len, name, len))
		return (p->last_name + (p->last_len - len)) | (module != NO_MODULE ? MODULE_BIT : 0);
	if (need > POOL_LIMIT || pool_reserve(p, need))
		return NAME_NONE;
	off = p->pool_end;
	dst = pool_ptr(p, off);
	memcpy(dst, name, len + 1);
	if (module != NO_MODULE)
		memcpy(dst + len + 1, &module, sizeof(module));
	p->pool_end += need;
	p->last_name = off;
	p->last_len = len;
	p->last_module = module;
	return off | (module != NO_MODULE ? MODULE_BIT : 0);
}

/* The index of a module's name in the module table, adding it if new; NO_MODULE when out of memory. */
static uint32_t intern_module(struct name_pool *p, const char *module)
{
	uint32_t off;

	if (p->cur_module != NO_MODULE && !strcmp(pool_ptr(p, p->modules[p->cur_module]), module))
		return p->cur_module;
	for (uint32_t i = 0; i < p->nr_modules; i++) {
		if (!strcmp(pool_ptr(p, p->modules[i]), module))
			return p->cur_module = i;
	}
	if (p->nr_modules == NO_MODULE - 1)
		return NO_MODULE;
	if (p->nr_modules == p->cap_modules) {
		uint32_t cap = p->cap_modules ? p->cap_modules * 2 : 16;
		uint32_t *bigger = realloc(p->modules, cap * sizeof(*bigger));

		if (!bigger)
			return NO_MODULE;
		p->modules = bigger;
		p->cap_modules = cap;
	}
	off = store_name(p, module, NO_MODULE);
	if (off == NAME_NONE)
		return NO_MODULE;
	p->modules[p->nr_modules] = off;
	return p->cur_module = p->nr_modules++;
}

uint32_t name_pool_add(struct name_pool *p, const char *name, const char *module)
{
	uint32_t mod = NO_MODULE;

	if (module && (mod = intern_module(p, module)) == NO_MODULE)
		return NAME_NONE;
	return store_name(p, name, mod);
}

const char *name_pool_name(const struct name_pool *p, uint32_t off)
{
	return off == NAME_NONE ? NULL : pool_ptr(p, off);
}

const char *name_pool_module(const struct name_pool *p, uint32_t off)
{
	const char *name;
	uint32_t mod;

	if (off == NAME_NONE || !(off & MODULE_BIT))
		return NULL;
	name = pool_ptr(p, off);
	memcpy(&mod, name + strlen(name) + 1, sizeof(mod));
	return pool_ptr(p, p->modules[mod]);
}
