/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel text symbols, for naming the frames of kernel stacks.
 *
 * A table is loaded from /proc/kallsyms (or any file in its format), or
 * built with ksyms_add() + ksyms_sort() from a record file, and both answer
 * lookups the same way.  A symbol spans from its address to the next entry's;
 * data symbols and the end markers _etext and _einittext end the text before
 * them, so an address past the kernel's code (a BPF program, an unloaded
 * module) is unknown rather than blamed on the last function.
 *
 * The table is compact (an address and a name offset per symbol, names in a
 * pool; the file is read a buffer at a time, never whole): the struct ksym a
 * lookup returns is made on first use and cached in the table, so lookups
 * are not thread-safe.  Its pointer stays valid until the next ksyms_sort()
 * or ksyms_free(); its name and module until ksyms_free().
 */
#ifndef FS_KERNEL_KSYMS_H
#define FS_KERNEL_KSYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ksym {
	uint64_t addr;
	const char *name;   /* NULL only for an end of text, see ksyms_add() */
	const char *module; /* NULL for vmlinux */
};

struct ksyms;

/*
 * Loads the text symbols (types t, T, w, W) of a kallsyms file, including
 * module symbols "addr t name\t[module]".  NULL on failure with *err set to a
 * negative errno (-EINVAL: not kallsyms text).
 */
struct ksyms *ksyms_load(const char *path, int *err);

struct ksyms_load_opts {
	size_t read_size; /* bytes per read(), the longest line; 0: 64 KiB */
};

/* ksyms_load() with options; opts may be NULL. */
struct ksyms *ksyms_load_with(const char *path, const struct ksyms_load_opts *opts, int *err);

struct ksyms *ksyms_new(void);

/*
 * Adds a symbol (name and module are copied; module NULL for vmlinux), or,
 * with name NULL, an end of text: addresses from addr up to the next symbol
 * belong to no function.  Call ksyms_sort() before lookups.  0 or -ENOMEM.
 */
int ksyms_add(struct ksyms *ksyms, uint64_t addr, const char *name, const char *module);

/*
 * Orders the table for lookups.  Of symbols sharing an address (aliases) one
 * is kept: the one with the fewest leading underscores, then the first by
 * name.
 */
void ksyms_sort(struct ksyms *ksyms);

/* The function containing addr, or NULL if addr is in no known function. */
const struct ksym *ksyms_find(const struct ksyms *ksyms, uint64_t addr);

/*
 * "function+0x1a", "function+0x1a [module]", or for a NULL sym
 * "0xffffffff81234567".  Returns the length of the whole text, like
 * snprintf; buf holds as much as fits.
 */
size_t ksym_format(const struct ksym *sym, uint64_t addr, char *buf, size_t len);

/*
 * True when the file listed symbols but every address was 0: kptr_restrict
 * hid them from this user, and no stack can be symbolised.  Callers should
 * say so and how to fix it: run as root, or sysctl kernel.kptr_restrict=0.
 */
bool ksyms_addresses_hidden(const struct ksyms *ksyms);

/*
 * The entries in address order (after ksyms_sort()), ends of text included,
 * so a table can be written out and rebuilt with ksyms_add().  ksyms_next()
 * is the entry after one that ksyms_find() or ksyms_entry() of the same
 * table returned (NULL after the last).
 */
size_t ksyms_count(const struct ksyms *ksyms);
const struct ksym *ksyms_entry(const struct ksyms *ksyms, size_t index);
const struct ksym *ksyms_next(const struct ksyms *ksyms, const struct ksym *sym);

/*
 * Where interrupt entry code lies: [start, end) of .irqentry.text, then of
 * .softirqentry.text, from their kallsyms markers; zeros where a marker was
 * missing.  A stack through them ran in an interrupt.
 */
void ksyms_interrupt_text(const struct ksyms *ksyms, uint64_t range[4]);

void ksyms_free(struct ksyms *ksyms);

/*
 * How many leading frames of a kernel stack belong to the tracing machinery
 * that took it, so reports start at the allocator.  From a tp_btf or raw_tp
 * program the stack starts with the BPF program itself, bpf_trace_run<N>()
 * and __traceiter_<event>(); from a classic tracepoint it starts at
 * __traceiter_<event>() (perf_trace_<event>() takes the caller's registers).
 * Unknown frames (a BPF program loaded after kallsyms was read) count as
 * machinery only if a known tracing frame follows them.
 */
size_t stack_skip_tracing_frames(const struct ksyms *ksyms, const uint64_t *frames, size_t n);

#endif
