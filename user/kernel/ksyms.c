// SPDX-License-Identifier: GPL-2.0
#include "kernel/ksyms.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/u64map.h"

/*
 * The table is kept compact, because /proc/kallsyms lists 100k-200k text
 * symbols and fragscope holds it for the whole trace: per symbol an address
 * and a name offset (4 bytes) in two arrays, the names in a pool.  struct
 * ksym entries are only made for the symbols callers look up.  Addresses are
 * 8 bytes while a table is built; a loaded table is then packed to their low
 * 4 bytes and runs of entries sharing the high 4 (all of a 64-bit kernel's
 * text is one run).
 *
 * The pool is made of NAME_BLOCK_SIZE blocks that never move, so names stay
 * valid while symbols are added.  An offset is block << NAME_BLOCK_SHIFT |
 * position; a name longer than a block gets consecutive blocks of one
 * allocation.  A name with MODULE_BIT set in its offset is followed, after
 * its NUL, by the index of its module (4 bytes) in the module table.
 */
#define NAME_BLOCK_SHIFT 16
#define NAME_BLOCK_SIZE (1u << NAME_BLOCK_SHIFT)
#define MODULE_BIT 0x80000000u
#define NAME_NONE UINT32_MAX /* an end of text */
#define POOL_LIMIT (MODULE_BIT - 1)
#define NO_MODULE UINT32_MAX

/* Materialised struct ksym, handed out by pointer; index into the arrays. */
struct ksym_slot {
	struct ksym sym;
	size_t index;
};

#define SLOTS_PER_BLOCK 256

struct name_alloc {
	struct name_alloc *next;
	char data[];
};

struct addr_run {
	uint32_t hi;    /* the high half of the addresses of... */
	uint32_t start; /* ...entries from this index up to the next run's */
};

struct ksyms {
	uint64_t *addrs;   /* NULL once packed into: */
	uint32_t *addr_lo; /* the low halves, */
	struct addr_run *runs;
	size_t nr_runs;
	uint32_t *names;
	size_t n;
	size_t cap;
	bool hidden;

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

	struct u64map slot_of; /* index -> struct ksym_slot * */
	struct ksym_slot **slot_blocks;
	size_t nr_slot_blocks;
	size_t nr_slots;
};

static char *pool_ptr(const struct ksyms *k, uint32_t off)
{
	off &= ~MODULE_BIT;
	return k->blocks[off >> NAME_BLOCK_SHIFT] + (off & (NAME_BLOCK_SIZE - 1));
}

struct ksyms *ksyms_new(void)
{
	struct ksyms *k = calloc(1, sizeof(struct ksyms));

	if (k) {
		k->last_name = NAME_NONE;
		k->cur_module = NO_MODULE;
		u64map_init(&k->slot_of);
	}
	return k;
}

static void free_slots(struct ksyms *k)
{
	for (size_t i = 0; i < k->nr_slot_blocks; i++)
		free(k->slot_blocks[i]);
	free(k->slot_blocks);
	k->slot_blocks = NULL;
	k->nr_slot_blocks = 0;
	k->nr_slots = 0;
	u64map_free(&k->slot_of);
}

void ksyms_free(struct ksyms *ksyms)
{
	struct name_alloc *a, *next;

	if (!ksyms)
		return;
	for (a = ksyms->allocs; a; a = next) {
		next = a->next;
		free(a);
	}
	free_slots(ksyms);
	free(ksyms->blocks);
	free(ksyms->modules);
	free(ksyms->addrs);
	free(ksyms->addr_lo);
	free(ksyms->runs);
	free(ksyms->names);
	free(ksyms);
}

/* Room for len bytes at the pool's end: in the current block, else in new ones. */
static int pool_reserve(struct ksyms *k, size_t len)
{
	size_t pos = k->pool_end & (NAME_BLOCK_SIZE - 1), nblocks;
	struct name_alloc *a;

	if (k->nr_blocks && k->pool_end >> NAME_BLOCK_SHIFT < k->nr_blocks && pos + len <= NAME_BLOCK_SIZE)
		return 0;
	nblocks = (len + NAME_BLOCK_SIZE - 1) / NAME_BLOCK_SIZE;
	if (((uint64_t)k->nr_blocks + nblocks) << NAME_BLOCK_SHIFT > POOL_LIMIT)
		return -ENOMEM;
	if (k->nr_blocks + nblocks > k->cap_blocks) {
		size_t cap = k->cap_blocks ? k->cap_blocks * 2 : 64;
		char **bigger;

		if (cap < k->nr_blocks + nblocks)
			cap = k->nr_blocks + nblocks;
		bigger = realloc(k->blocks, cap * sizeof(*bigger));
		if (!bigger)
			return -ENOMEM;
		k->blocks = bigger;
		k->cap_blocks = cap;
	}
	a = malloc(sizeof(*a) + nblocks * NAME_BLOCK_SIZE);
	if (!a)
		return -ENOMEM;
	a->next = k->allocs;
	k->allocs = a;
	for (size_t i = 0; i < nblocks; i++)
		k->blocks[k->nr_blocks + i] = a->data + i * NAME_BLOCK_SIZE;
	k->pool_end = k->nr_blocks << NAME_BLOCK_SHIFT;
	k->nr_blocks += nblocks;
	return 0;
}

/*
 * Stores name (and its module index, or NO_MODULE) and returns its offset
 * with MODULE_BIT, or NAME_NONE when out of memory.  A name that ends the
 * previous one shares its bytes: each function's "__pfx_<name>" padding
 * symbol comes just before it, which halves the pool.
 */
static uint32_t store_name(struct ksyms *k, const char *name, uint32_t module)
{
	size_t len = strlen(name), need = len + 1 + (module != NO_MODULE ? sizeof(module) : 0);
	uint32_t off;
	char *p;

	if (k->last_name != NAME_NONE && k->last_len >= len && (module == NO_MODULE || module == k->last_module) &&
	    !memcmp(pool_ptr(k, k->last_name) + k->last_len - len, name, len))
		return (k->last_name + (k->last_len - len)) | (module != NO_MODULE ? MODULE_BIT : 0);
	if (need > POOL_LIMIT || pool_reserve(k, need))
		return NAME_NONE;
	off = k->pool_end;
	p = pool_ptr(k, off);
	memcpy(p, name, len + 1);
	if (module != NO_MODULE)
		memcpy(p + len + 1, &module, sizeof(module));
	k->pool_end += need;
	k->last_name = off;
	k->last_len = len;
	k->last_module = module;
	return off | (module != NO_MODULE ? MODULE_BIT : 0);
}

/* The index of a module's name in the module table, adding it if new; NO_MODULE when out of memory. */
static uint32_t intern_module(struct ksyms *k, const char *module)
{
	uint32_t off;

	if (k->cur_module != NO_MODULE && !strcmp(pool_ptr(k, k->modules[k->cur_module]), module))
		return k->cur_module;
	for (uint32_t i = 0; i < k->nr_modules; i++) {
		if (!strcmp(pool_ptr(k, k->modules[i]), module))
			return k->cur_module = i;
	}
	if (k->nr_modules == NO_MODULE - 1)
		return NO_MODULE;
	if (k->nr_modules == k->cap_modules) {
		uint32_t cap = k->cap_modules ? k->cap_modules * 2 : 16;
		uint32_t *bigger = realloc(k->modules, cap * sizeof(*bigger));

		if (!bigger)
			return NO_MODULE;
		k->modules = bigger;
		k->cap_modules = cap;
	}
	off = store_name(k, module, NO_MODULE);
	if (off == NAME_NONE)
		return NO_MODULE;
	k->modules[k->nr_modules] = off;
	return k->cur_module = k->nr_modules++;
}

/* The run holding index i of a packed table. */
static const struct addr_run *run_of(const struct ksyms *k, size_t i)
{
	size_t lo = 0, hi = k->nr_runs;

	/* The last run starting at or below i; the first starts at 0. */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (k->runs[mid].start <= i)
			lo = mid;
		else
			hi = mid;
	}
	return &k->runs[lo];
}

static uint64_t addr_at(const struct ksyms *k, size_t i)
{
	if (k->addrs)
		return k->addrs[i];
	return (uint64_t)run_of(k, i)->hi << 32 | k->addr_lo[i];
}

/*
 * Packs a sorted table's addresses in place: the low halves into the front
 * of the array, which realloc() then shrinks, so no second array is needed.
 */
static void pack_addrs(struct ksyms *k)
{
	char *base = (char *)k->addrs;
	size_t runs = 0;
	uint32_t *lo;

	if (!k->n || k->n > UINT32_MAX)
		return;
	for (size_t i = 0; i < k->n; i++)
		runs += !i || k->addrs[i] >> 32 != k->addrs[i - 1] >> 32;
	k->runs = malloc(runs * sizeof(*k->runs));
	if (!k->runs)
		return;
	k->nr_runs = 0;
	for (size_t i = 0; i < k->n; i++) {
		uint64_t addr;
		uint32_t low;

		/* memcpy: the halves are written over the array the addresses are read from. */
		memcpy(&addr, base + i * sizeof(addr), sizeof(addr));
		if (!i || addr >> 32 != k->runs[k->nr_runs - 1].hi)
			k->runs[k->nr_runs++] = (struct addr_run){ addr >> 32, i };
		low = (uint32_t)addr;
		memcpy(base + i * sizeof(low), &low, sizeof(low));
	}
	lo = realloc(base, k->n * sizeof(*lo));
	k->addr_lo = lo ? lo : (uint32_t *)base;
	k->addrs = NULL;
}

/* Back to full addresses, to add to a packed table. */
static int unpack_addrs(struct ksyms *k)
{
	uint64_t *addrs = malloc((k->cap ? k->cap : 1) * sizeof(*addrs));

	if (!addrs)
		return -ENOMEM;
	for (size_t i = 0; i < k->n; i++)
		addrs[i] = addr_at(k, i);
	free(k->addr_lo);
	free(k->runs);
	k->addr_lo = NULL;
	k->runs = NULL;
	k->nr_runs = 0;
	k->addrs = addrs;
	return 0;
}

static int push_entry(struct ksyms *k, uint64_t addr, const char *name, const char *module)
{
	uint32_t off = NAME_NONE, mod = NO_MODULE;

	if (k->addr_lo && unpack_addrs(k))
		return -ENOMEM;
	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 4096;
		uint64_t *addrs = realloc(k->addrs, cap * sizeof(*addrs));
		uint32_t *names;

		if (!addrs)
			return -ENOMEM;
		k->addrs = addrs;
		names = realloc(k->names, cap * sizeof(*names));
		if (!names)
			return -ENOMEM;
		k->names = names;
		k->cap = cap;
	}
	if (name) {
		if (module && (mod = intern_module(k, module)) == NO_MODULE)
			return -ENOMEM;
		off = store_name(k, name, mod);
		if (off == NAME_NONE)
			return -ENOMEM;
	}
	k->addrs[k->n] = addr;
	k->names[k->n] = off;
	k->n++;
	return 0;
}

int ksyms_add(struct ksyms *ksyms, uint64_t addr, const char *name, const char *module)
{
	return push_entry(ksyms, addr, name, module);
}

static const char *entry_name(const struct ksyms *k, size_t i)
{
	return k->names[i] == NAME_NONE ? NULL : pool_ptr(k, k->names[i]);
}

static const char *entry_module(const struct ksyms *k, size_t i)
{
	const char *name;
	uint32_t mod;

	if (k->names[i] == NAME_NONE || !(k->names[i] & MODULE_BIT))
		return NULL;
	name = pool_ptr(k, k->names[i]);
	memcpy(&mod, name + strlen(name) + 1, sizeof(mod));
	return pool_ptr(k, k->modules[mod]);
}

static int leading_underscores(const char *name)
{
	int n = 0;

	while (name[n] == '_')
		n++;
	return n;
}

/*
 * Of two entries at one address: a symbol before an end of text, then the
 * preferred alias: fewest leading underscores, then the name, so the choice
 * does not depend on the order symbols came in.
 */
static int compare_at_address(const char *x, const char *y)
{
	int ux, uy;

	if (!x != !y)
		return x ? -1 : 1;
	if (!x)
		return 0;
	ux = leading_underscores(x);
	uy = leading_underscores(y);
	return ux != uy ? ux - uy : strcmp(x, y);
}

/* The same with the modules last: vmlinux first, then by name (for input no kernel writes). */
static int compare_entries(const struct ksyms *k, size_t i, size_t j)
{
	int c = compare_at_address(entry_name(k, i), entry_name(k, j));
	const char *mi, *mj;

	if (c)
		return c;
	mi = entry_module(k, i);
	mj = entry_module(k, j);
	if (!mi != !mj)
		return mi ? 1 : -1;
	return mi ? strcmp(mi, mj) : 0;
}

static void swap_entries(struct ksyms *k, size_t i, size_t j)
{
	uint64_t a = k->addrs[i];
	uint32_t n = k->names[i];

	k->addrs[i] = k->addrs[j];
	k->names[i] = k->names[j];
	k->addrs[j] = a;
	k->names[j] = n;
}

static void sift_down(struct ksyms *k, size_t base, size_t root, size_t n)
{
	for (;;) {
		size_t child = 2 * root + 1;

		if (child >= n)
			return;
		if (child + 1 < n && k->addrs[base + child + 1] > k->addrs[base + child])
			child++;
		if (k->addrs[base + root] >= k->addrs[base + child])
			return;
		swap_entries(k, base + root, base + child);
		root = child;
	}
}

/* In place, by address only: the pass in ksyms_sort() picks among entries at one address. */
static void heap_sort(struct ksyms *k, size_t base, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		sift_down(k, base, i, n);
	for (size_t end = n; end-- > 1;) {
		swap_entries(k, base, base + end);
		sift_down(k, base, 0, end);
	}
}

/* The materialised entries would name the wrong symbols once indices change. */
static void forget_slots(struct ksyms *k)
{
	u64map_free(&k->slot_of);
	k->nr_slots = 0;
}

void ksyms_sort(struct ksyms *ksyms)
{
	struct ksyms *k = ksyms;
	size_t kept = 0, sorted = 1;

	forget_slots(k);
	if (k->addr_lo)
		return; /* packed when loaded: sorted already */
	/*
	 * /proc/kallsyms lists vmlinux in address order, then modules and BPF
	 * programs (above it on x86) in their own order: sort what follows the
	 * sorted start, and the whole table only if the two overlap.  Sorting
	 * in place needs no second copy of the table.
	 */
	while (sorted < k->n && k->addrs[sorted - 1] <= k->addrs[sorted])
		sorted++;
	if (sorted < k->n) {
		heap_sort(k, sorted, k->n - sorted);
		if (k->addrs[sorted - 1] > k->addrs[sorted])
			heap_sort(k, 0, k->n);
	}
	/* Keep the best entry per address, and one end of text per gap. */
	for (size_t i = 0; i < k->n; i++) {
		if (kept && k->addrs[kept - 1] == k->addrs[i]) {
			if (compare_entries(k, i, kept - 1) < 0)
				k->names[kept - 1] = k->names[i];
			continue;
		}
		if (kept && k->names[kept - 1] == NAME_NONE && k->names[i] == NAME_NONE)
			continue;
		k->addrs[kept] = k->addrs[i];
		k->names[kept] = k->names[i];
		kept++;
	}
	k->n = kept;
	/* Give back the arrays' spare room (a loaded table is not added to). */
	if (kept && kept < k->cap) {
		uint64_t *addrs = realloc(k->addrs, kept * sizeof(*addrs));
		uint32_t *names = realloc(k->names, kept * sizeof(*names));

		if (addrs)
			k->addrs = addrs;
		if (names)
			k->names = names;
		if (addrs && names)
			k->cap = kept;
	}
}

/* The index of the last entry at or below addr, or n if none. */
static size_t find_index(const struct ksyms *k, uint64_t addr)
{
	size_t lo = 0, hi = k->n, r;

	if (k->addrs) {
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (k->addrs[mid] <= addr)
				lo = mid + 1;
			else
				hi = mid;
		}
		return lo ? lo - 1 : k->n;
	}
	/* Packed: the last run whose high half is at or below addr's, then within it. */
	lo = 0;
	hi = k->nr_runs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (k->runs[mid].hi <= addr >> 32)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return k->n;
	r = lo - 1;
	hi = r + 1 < k->nr_runs ? k->runs[r + 1].start : k->n;
	if (k->runs[r].hi < addr >> 32)
		return hi - 1; /* above every address of the run */
	lo = k->runs[r].start;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (k->addr_lo[mid] <= (uint32_t)addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo > k->runs[r].start)
		return lo - 1;
	return k->runs[r].start ? k->runs[r].start - 1 : k->n;
}

/* The entry at index as a struct ksym that stays put until the next ksyms_sort(). */
static const struct ksym *materialise(const struct ksyms *ksyms, size_t index)
{
	struct ksyms *k = (struct ksyms *)ksyms; /* a cache: the table itself does not change */
	struct ksym_slot *slot;
	uint64_t *value = u64map_get(&k->slot_of, index);
	bool inserted;

	if (value)
		return (const struct ksym *)(uintptr_t)*value;
	if (k->nr_slots == k->nr_slot_blocks * SLOTS_PER_BLOCK) {
		struct ksym_slot **blocks = realloc(k->slot_blocks, (k->nr_slot_blocks + 1) * sizeof(*blocks));

		if (!blocks)
			return NULL;
		k->slot_blocks = blocks;
		blocks[k->nr_slot_blocks] = malloc(SLOTS_PER_BLOCK * sizeof(struct ksym_slot));
		if (!blocks[k->nr_slot_blocks])
			return NULL;
		k->nr_slot_blocks++;
	}
	value = u64map_upsert(&k->slot_of, index, &inserted);
	if (!value)
		return NULL;
	slot = &k->slot_blocks[k->nr_slots / SLOTS_PER_BLOCK][k->nr_slots % SLOTS_PER_BLOCK];
	k->nr_slots++;
	*slot = (struct ksym_slot){ { addr_at(k, index), entry_name(k, index), entry_module(k, index) }, index };
	*value = (uintptr_t)slot;
	return &slot->sym;
}

const struct ksym *ksyms_find(const struct ksyms *ksyms, uint64_t addr)
{
	size_t i = find_index(ksyms, addr);

	if (i == ksyms->n || ksyms->names[i] == NAME_NONE)
		return NULL;
	return materialise(ksyms, i);
}

size_t ksym_format(const struct ksym *sym, uint64_t addr, char *buf, size_t len)
{
	int n;

	if (!sym)
		n = snprintf(buf, len, "0x%llx", (unsigned long long)addr);
	else if (sym->module)
		n = snprintf(buf, len, "%s+0x%llx [%s]", sym->name,
			     (unsigned long long)(addr - sym->addr), sym->module);
	else
		n = snprintf(buf, len, "%s+0x%llx", sym->name, (unsigned long long)(addr - sym->addr));
	return n > 0 ? n : 0;
}

bool ksyms_addresses_hidden(const struct ksyms *ksyms)
{
	return ksyms->hidden;
}

size_t ksyms_count(const struct ksyms *ksyms)
{
	return ksyms->n;
}

const struct ksym *ksyms_entry(const struct ksyms *ksyms, size_t index)
{
	return index < ksyms->n ? materialise(ksyms, index) : NULL;
}

const struct ksym *ksyms_next(const struct ksyms *ksyms, const struct ksym *sym)
{
	const struct ksym_slot *slot = (const struct ksym_slot *)sym;

	return ksyms_entry(ksyms, slot->index + 1);
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* _etext and _einittext are text symbols that mark where the kernel's code ends. */
static bool is_text_end_marker(const char *name)
{
	return !strcmp(name, "_etext") || !strcmp(name, "_einittext");
}

struct loader {
	struct ksyms *ksyms;
	const struct ksyms_load_opts *opts;
	size_t lines;
	bool nonzero;
};

/*
 * Parses one "addr type name[\t[module]]" line of text[0..eol) in place,
 * NUL-terminating name and module inside the buffer.
 */
static int parse_line(struct loader *l, char *line, char *eol)
{
	char *p = line, *name, *name_end, *module = NULL;
	uint64_t addr = 0;
	int digit, digits = 0;
	char type;

	for (; p < eol && (digit = hex_value(*p)) >= 0; p++) {
		if (++digits > 16)
			return -EINVAL;
		addr = addr << 4 | digit;
	}
	if (!digits || eol - p < 4 || p[0] != ' ' || p[2] != ' ')
		return -EINVAL;
	type = p[1];
	name = p + 3;
	name_end = memchr(name, '\t', eol - name);
	if (name_end) {
		char *open = name_end + 1;

		if (eol - open < 3 || *open != '[' || eol[-1] != ']')
			return -EINVAL;
		module = open + 1;
		eol[-1] = '\0';
	} else {
		name_end = eol;
	}
	if (name_end == name)
		return -EINVAL;
	*name_end = '\0';
	l->lines++;
	if (addr)
		l->nonzero = true;
	if (!strchr("tTwW", type) || is_text_end_marker(name))
		name = NULL;
	return push_entry(l->ksyms, addr, name, module);
}

/* Longer lines than this are not kallsyms (KSYM_NAME_LEN is 512, module names 56). */
#define KSYMS_READ_SIZE (64 * 1024)

/* Reads the file a buffer at a time, never holding its whole text. */
static int load_lines(struct loader *l, int fd, size_t read_size)
{
	char *buf = malloc(read_size);
	size_t used = 0;
	int err = 0;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t got = read(fd, buf + used, read_size - used);
		char *line = buf, *end, *eol;

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			err = -errno;
			break;
		}
		if (got == 0) {
			/* An unterminated last line. */
			if (used)
				err = parse_line(l, buf, buf + used);
			break;
		}
		end = buf + used + got;
		for (; !err && (eol = memchr(line, '\n', end - line)); line = eol + 1)
			err = parse_line(l, line, eol);
		if (err)
			break;
		used = end - line;
		if (used == read_size) {
			err = -EINVAL; /* a line longer than the buffer */
			break;
		}
		memmove(buf, line, used);
	}
	free(buf);
	return err;
}

struct ksyms *ksyms_load_with(const char *path, const struct ksyms_load_opts *opts, int *err)
{
	static const struct ksyms_load_opts defaults;
	struct loader l = { .opts = opts ? opts : &defaults };
	int fd;

	l.ksyms = ksyms_new();
	if (!l.ksyms) {
		*err = -ENOMEM;
		return NULL;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*err = -errno;
		goto fail;
	}
	*err = load_lines(&l, fd, l.opts->read_size ? l.opts->read_size : KSYMS_READ_SIZE);
	close(fd);
	if (*err)
		goto fail;
	if (!l.lines) {
		*err = -EINVAL;
		goto fail;
	}
	if (!l.nonzero) {
		/* kptr_restrict: names without addresses cannot name any frame. */
		struct ksyms *empty = ksyms_new();

		if (!empty) {
			*err = -ENOMEM;
			goto fail;
		}
		ksyms_free(l.ksyms);
		l.ksyms = empty;
		l.ksyms->hidden = true;
	}
	ksyms_sort(l.ksyms);
	pack_addrs(l.ksyms);
	*err = 0;
	return l.ksyms;
fail:
	ksyms_free(l.ksyms);
	return NULL;
}

struct ksyms *ksyms_load(const char *path, int *err)
{
	return ksyms_load_with(path, NULL, err);
}

static bool is_tracing_symbol(const char *name, const char *module)
{
	/* The functions between a tracepoint and the program that took the stack. */
	static const char *const prefixes[] = {
		"bpf_",			/* bpf_trace_run<N>, bpf_get_stack* helpers */
		"__bpf_",		/* __bpf_trace_<event> (before 6.10), __bpf_prog_enter */
		"__traceiter_",		/* the tracepoint's iterator */
		"perf_trace_",		/* a classic tracepoint's perf handler */
		"perf_tp_event",
		"trace_call_bpf",
		"trace_event_raw_event_",
		"__probestub_",
	};

	/* BPF programs, trampolines and dispatchers; ftrace trampolines. */
	if (module && (!strcmp(module, "bpf") || !strcmp(module, "__builtin__ftrace")))
		return true;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(name, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

size_t stack_skip_tracing_frames(const struct ksyms *ksyms, const uint64_t *frames, size_t n)
{
	size_t skip = 0;

	for (size_t i = 0; i < n; i++) {
		size_t index = find_index(ksyms, frames[i]);

		if (index == ksyms->n || ksyms->names[index] == NAME_NONE)
			continue;
		if (!is_tracing_symbol(entry_name(ksyms, index), entry_module(ksyms, index)))
			break;
		skip = i + 1;
	}
	return skip;
}
