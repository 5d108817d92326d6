// SPDX-License-Identifier: GPL-2.0
#include "kernel/kernel_names.h"

#include <bpf/btf.h>
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/*
 * /proc spells a few names in camel case that no rule derives from the
 * enumerator; every other name is derived, so new enumerators still show.
 */
static const struct {
	const char *enumerator;
	const char *shown;
} proc_spellings[] = {
	{ "HIGHATOMIC", "HighAtomic" },
	{ "HIGHMEM", "HighMem" },
};

/* Acronyms (DMA, DMA32, CMA) stay in capitals; words are capitalised. */
static void proc_style(const char *s, char *out, size_t len)
{
	size_t letters = 0;

	for (size_t i = 0; i < sizeof(proc_spellings) / sizeof(proc_spellings[0]); i++) {
		if (!strcmp(s, proc_spellings[i].enumerator)) {
			snprintf(out, len, "%s", proc_spellings[i].shown);
			return;
		}
	}
	for (const char *c = s; *c; c++)
		letters += isalpha((unsigned char)*c) != 0;
	for (size_t i = 0; i + 1 < len && s[i]; i++) {
		out[i] = letters <= 3 || !i ? s[i] : tolower((unsigned char)s[i]);
		out[i + 1] = '\0';
	}
}

static void lower_style(const char *s, char *out, size_t len)
{
	for (size_t i = 0; i + 1 < len && s[i]; i++) {
		out[i] = tolower((unsigned char)s[i]);
		out[i + 1] = '\0';
	}
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t len = strlen(s), suffix_len = strlen(suffix);

	return len >= suffix_len && !strcmp(s + len - suffix_len, suffix);
}

int enum_names_from_btf(const struct btf *btf, const char *enum_name, const char *strip_prefix,
			enum name_style style, struct name_table *out)
{
	size_t prefix_len = strlen(strip_prefix);
	const struct btf_type *t;
	int id;

	memset(out, 0, sizeof(*out));
	id = btf__find_by_name_kind(btf, enum_name, BTF_KIND_ENUM);
	if (id < 0)
		id = btf__find_by_name_kind(btf, enum_name, BTF_KIND_ENUM64);
	if (id < 0)
		return -ENOENT;
	t = btf__type_by_id(btf, id);
	for (uint16_t i = 0; i < btf_vlen(t); i++) {
		const char *name;
		int64_t value;

		if (btf_is_enum64(t)) {
			name = btf__name_by_offset(btf, btf_enum64(t)[i].name_off);
			value = (int64_t)btf_enum64_value(&btf_enum64(t)[i]);
		} else {
			name = btf__name_by_offset(btf, btf_enum(t)[i].name_off);
			value = btf_enum(t)[i].val;
		}
		if (!name || strncmp(name, strip_prefix, prefix_len) || ends_with(name, "TYPES") ||
		    value < 0 || value >= NAME_TABLE_SIZE)
			continue;
		name += prefix_len;
		if (style == NAME_STYLE_PROC)
			proc_style(name, out->name[value], NAME_TABLE_NAME_LEN);
		else
			lower_style(name, out->name[value], NAME_TABLE_NAME_LEN);
		if ((uint32_t)value >= out->n)
			out->n = value + 1;
	}
	return 0;
}

const char *name_table_get(const struct name_table *table, int64_t value, char *fallback_buf,
			   size_t len)
{
	/* Tables come from record files too: an unterminated name counts as none. */
	if (value >= 0 && value < table->n && value < NAME_TABLE_SIZE && table->name[value][0] &&
	    memchr(table->name[value], '\0', NAME_TABLE_NAME_LEN))
		return table->name[value];
	snprintf(fallback_buf, len, "%lld", (long long)value);
	return fallback_buf;
}
