// SPDX-License-Identifier: GPL-2.0
#include "decode/ksyms.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/text_file.h"

/* Copies made by ksyms_add(); chunks never move, so names stay valid. */
#define NAME_CHUNK_SIZE (64 * 1024)

struct name_chunk {
	struct name_chunk *next;
	size_t used;
	size_t size;
	char text[];
};

struct ksyms {
	struct ksym *entries; /* contiguous, so callers may step from one entry to the next */
	size_t n;
	size_t cap;
	bool hidden;
	char *file_text; /* a loaded file, modified in place: its names point into it */
	struct name_chunk *chunks;
};

struct ksyms *ksyms_new(void)
{
	return calloc(1, sizeof(struct ksyms));
}

void ksyms_free(struct ksyms *ksyms)
{
	struct name_chunk *chunk, *next;

	if (!ksyms)
		return;
	for (chunk = ksyms->chunks; chunk; chunk = next) {
		next = chunk->next;
		free(chunk);
	}
	free(ksyms->file_text);
	free(ksyms->entries);
	free(ksyms);
}

static int reserve_entries(struct ksyms *ksyms, size_t cap)
{
	struct ksym *bigger;

	if (cap <= ksyms->cap)
		return 0;
	bigger = realloc(ksyms->entries, cap * sizeof(*bigger));
	if (!bigger)
		return -ENOMEM;
	ksyms->entries = bigger;
	ksyms->cap = cap;
	return 0;
}

static int push_entry(struct ksyms *ksyms, uint64_t addr, const char *name, const char *module)
{
	if (ksyms->n == ksyms->cap) {
		int err = reserve_entries(ksyms, ksyms->cap ? ksyms->cap * 2 : 4096);

		if (err)
			return err;
	}
	ksyms->entries[ksyms->n++] = (struct ksym){ addr, name, name ? module : NULL };
	return 0;
}

static const char *copy_name(struct ksyms *ksyms, const char *s)
{
	size_t len = strlen(s) + 1;
	struct name_chunk *chunk = ksyms->chunks;
	char *copy;

	if (!chunk || chunk->size - chunk->used < len) {
		size_t size = len > NAME_CHUNK_SIZE ? len : NAME_CHUNK_SIZE;

		chunk = malloc(sizeof(*chunk) + size);
		if (!chunk)
			return NULL;
		chunk->next = ksyms->chunks;
		chunk->used = 0;
		chunk->size = size;
		ksyms->chunks = chunk;
	}
	copy = chunk->text + chunk->used;
	memcpy(copy, s, len);
	chunk->used += len;
	return copy;
}

int ksyms_add(struct ksyms *ksyms, uint64_t addr, const char *name, const char *module)
{
	const char *name_copy = NULL, *module_copy = NULL;

	if (name) {
		name_copy = copy_name(ksyms, name);
		if (!name_copy)
			return -ENOMEM;
		if (module) {
			module_copy = copy_name(ksyms, module);
			if (!module_copy)
				return -ENOMEM;
		}
	}
	return push_entry(ksyms, addr, name_copy, module_copy);
}

static int leading_underscores(const char *name)
{
	int n = 0;

	while (name[n] == '_')
		n++;
	return n;
}

/*
 * Address order; at one address a symbol before an end of text, then the
 * preferred alias: fewest leading underscores, then the name, so the choice
 * does not depend on the order symbols came in.
 */
static int compare_symbols(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;
	int ux, uy;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (!x->name != !y->name)
		return x->name ? -1 : 1;
	if (!x->name)
		return 0;
	ux = leading_underscores(x->name);
	uy = leading_underscores(y->name);
	return ux != uy ? ux - uy : strcmp(x->name, y->name);
}

void ksyms_sort(struct ksyms *ksyms)
{
	struct ksym *e = ksyms->entries;
	size_t kept = 0;
	bool sorted = true;

	/*
	 * /proc/kallsyms lists vmlinux in address order and, without modules,
	 * nothing else: check before paying for qsort.  Aliases out of order
	 * are no reason to sort, the loop below picks the best of them.
	 */
	for (size_t i = 1; i < ksyms->n && sorted; i++)
		sorted = e[i - 1].addr <= e[i].addr;
	if (!sorted)
		qsort(e, ksyms->n, sizeof(*e), compare_symbols);
	/* Keep the best entry per address, and one end of text per gap. */
	for (size_t i = 0; i < ksyms->n; i++) {
		if (kept && e[kept - 1].addr == e[i].addr) {
			if (compare_symbols(&e[i], &e[kept - 1]) < 0)
				e[kept - 1] = e[i];
			continue;
		}
		if (kept && !e[kept - 1].name && !e[i].name)
			continue;
		e[kept++] = e[i];
	}
	ksyms->n = kept;
}

const struct ksym *ksyms_find(const struct ksyms *ksyms, uint64_t addr)
{
	size_t lo = 0, hi = ksyms->n;

	/* The last entry starting at or below addr. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ksyms->entries[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || !ksyms->entries[lo - 1].name)
		return NULL;
	return &ksyms->entries[lo - 1];
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
	return index < ksyms->n ? &ksyms->entries[index] : NULL;
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

/*
 * Parses one "addr type name[\t[module]]" line of text[0..eol) in place,
 * NUL-terminating name and module inside the buffer.
 */
static int parse_line(struct ksyms *ksyms, char *line, char *eol, bool *nonzero)
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
	if (addr)
		*nonzero = true;
	if (!strchr("tTwW", type) || is_text_end_marker(name))
		name = NULL;
	return push_entry(ksyms, addr, name, module);
}

/* Lines in text, counting an unterminated last one: the entries a file needs. */
static size_t count_lines(const char *text, const char *end)
{
	size_t lines = 0;

	for (const char *nl; text < end && (nl = memchr(text, '\n', end - text)); text = nl + 1)
		lines++;
	return lines + (text < end);
}

struct ksyms *ksyms_load(const char *path, int *err)
{
	struct ksyms *ksyms = ksyms_new();
	bool nonzero = false;
	char *line, *end;
	size_t len;

	if (!ksyms) {
		*err = -ENOMEM;
		return NULL;
	}
	ksyms->file_text = text_file_read(path, &len);
	if (!ksyms->file_text) {
		*err = -errno;
		goto fail;
	}
	end = ksyms->file_text + len;
	*err = reserve_entries(ksyms, count_lines(ksyms->file_text, end));
	if (*err)
		goto fail;
	for (line = ksyms->file_text; line < end;) {
		char *eol = memchr(line, '\n', end - line);

		if (!eol)
			eol = end;
		*err = parse_line(ksyms, line, eol, &nonzero);
		if (*err)
			goto fail;
		line = eol + 1;
	}
	if (!ksyms->n) {
		*err = -EINVAL;
		goto fail;
	}
	if (!nonzero) {
		/* kptr_restrict: names without addresses cannot name any frame. */
		ksyms->hidden = true;
		ksyms->n = 0;
		free(ksyms->file_text);
		ksyms->file_text = NULL;
	}
	ksyms_sort(ksyms);
	*err = 0;
	return ksyms;
fail:
	ksyms_free(ksyms);
	return NULL;
}

static bool is_tracing_symbol(const struct ksym *sym)
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
	if (sym->module && (!strcmp(sym->module, "bpf") || !strcmp(sym->module, "__builtin__ftrace")))
		return true;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(sym->name, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

size_t stack_skip_tracing_frames(const struct ksyms *ksyms, const uint64_t *frames, size_t n)
{
	size_t skip = 0;

	for (size_t i = 0; i < n; i++) {
		const struct ksym *sym = ksyms_find(ksyms, frames[i]);

		if (!sym)
			continue;
		if (!is_tracing_symbol(sym))
			break;
		skip = i + 1;
	}
	return skip;
}
