// SPDX-License-Identifier: GPL-2.0
#include "kernel/ksyms.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/ksyms_internal.h"
#include "kernel/name_pool.h"
#include "util/u64map.h"

/*
 * The table is kept compact, because /proc/kallsyms lists 100k-200k text
 * symbols and fragscope holds it for the whole trace: per symbol an address
 * and a name offset (4 bytes) in two arrays, the names in a pool
 * (kernel/name_pool.c).  struct ksym entries are only made for the symbols
 * callers look up.  Addresses are 8 bytes while a table is built; a loaded
 * table (kernel/kallsyms.c reads the file) is then packed to their low 4
 * bytes and runs of entries sharing the high 4 (all of a 64-bit kernel's
 * text is one run).
 */
#define NAME_NONE NAME_POOL_NONE /* an end of text */

/* Materialised struct ksym, handed out by pointer; index into the arrays. */
struct ksym_slot {
	struct ksym sym;
	size_t index;
};

#define SLOTS_PER_BLOCK 256

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

	struct name_pool pool;

	struct u64map slot_of; /* index -> struct ksym_slot * */
	struct ksym_slot **slot_blocks;
	size_t nr_slot_blocks;
	size_t nr_slots;
	uint64_t interrupt_text[4];
};

static const char *const interrupt_markers[4] = {
	"__irqentry_text_start", "__irqentry_text_end", "__softirqentry_text_start", "__softirqentry_text_end",
};

void ksyms_note_marker(struct ksyms *k, const char *name, uint64_t addr)
{
	for (int i = 0; i < 4; i++)
		if (!strcmp(name, interrupt_markers[i]))
			k->interrupt_text[i] = addr;
}

void ksyms_interrupt_text(const struct ksyms *ksyms, uint64_t range[4])
{
	memcpy(range, ksyms->interrupt_text, sizeof(ksyms->interrupt_text));
	/* A range needs both ends. */
	for (int i = 0; i < 4; i += 2)
		if (!range[i] || !range[i + 1])
			range[i] = range[i + 1] = 0;
}

struct ksyms *ksyms_new(void)
{
	struct ksyms *k = calloc(1, sizeof(struct ksyms));

	if (k) {
		name_pool_init(&k->pool);
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
	if (!ksyms)
		return;
	free_slots(ksyms);
	name_pool_free(&ksyms->pool);
	free(ksyms->addrs);
	free(ksyms->addr_lo);
	free(ksyms->runs);
	free(ksyms->names);
	free(ksyms);
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
void ksyms_pack(struct ksyms *k)
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
	uint32_t off = NAME_NONE;

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
		off = name_pool_add(&k->pool, name, module);
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
	return name_pool_name(&k->pool, k->names[i]);
}

static const char *entry_module(const struct ksyms *k, size_t i)
{
	return name_pool_module(&k->pool, k->names[i]);
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

void ksyms_set_hidden(struct ksyms *ksyms)
{
	ksyms->hidden = true;
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
