// SPDX-License-Identifier: GPL-2.0
#include "kernel/gfp.h"

#include <bpf/btf.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/expr.h"
#include "kernel/print_fmt.h"
#include "kernel/text_file.h"

#define BTF_GFP_PREFIX "___GFP_"
#define BTF_GFP_SUFFIX "_BIT"

static int add_flag(struct gfp_names *out, uint64_t mask, const char *name, size_t name_len)
{
	struct gfp_name *flag;

	if (name_len >= GFP_NAME_LEN)
		return -EINVAL;
	if (out->n >= GFP_NAMES_MAX)
		return -E2BIG;
	flag = &out->flags[out->n++];
	flag->mask = mask;
	memcpy(flag->name, name, name_len);
	flag->name[name_len] = '\0';
	return 0;
}

/*
 * The X of an enum constant ___GFP_X_BIT, or NULL.  ___GFP_LAST_BIT counts
 * the bits and ___GFP_UNUSED_BIT holds a retired flag's place: neither is a
 * flag.
 */
static const char *btf_gfp_flag(const char *name, size_t *flag_len)
{
	size_t len = strlen(name), prefix = strlen(BTF_GFP_PREFIX), suffix = strlen(BTF_GFP_SUFFIX);

	if (len <= prefix + suffix || strncmp(name, BTF_GFP_PREFIX, prefix) ||
	    strcmp(name + len - suffix, BTF_GFP_SUFFIX))
		return NULL;
	*flag_len = len - prefix - suffix;
	if ((*flag_len == 4 && !strncmp(name + prefix, "LAST", 4)) ||
	    (*flag_len == 6 && !strncmp(name + prefix, "UNUSED", 6)))
		return NULL;
	return name + prefix;
}

int gfp_names_from_btf(const struct btf *btf, struct gfp_names *out)
{
	uint32_t nr_types = btf__type_cnt(btf);

	memset(out, 0, sizeof(*out));
	/* All ___GFP_*_BIT live in one anonymous enum; stop after it. */
	for (uint32_t id = 1; id < nr_types && !out->n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const struct btf_enum *e;

		if (!btf_is_enum(t))
			continue;
		e = btf_enum(t);
		for (uint16_t i = 0; i < btf_vlen(t); i++) {
			const char *name = btf__name_by_offset(btf, e[i].name_off), *flag;
			char flag_name[GFP_NAME_LEN];
			size_t flag_len;
			int err;

			flag = name ? btf_gfp_flag(name, &flag_len) : NULL;
			if (!flag || e[i].val < 0 || e[i].val >= 64)
				continue;
			snprintf(flag_name, sizeof(flag_name), "__GFP_%.*s", (int)flag_len, flag);
			err = add_flag(out, UINT64_C(1) << e[i].val, flag_name, strlen(flag_name));
			if (err)
				return err;
		}
	}
	if (!out->n)
		return -ENOENT;
	out->source = GFP_NAMES_BTF;
	return 0;
}

struct format_parse {
	struct gfp_names *out;
	const struct btf *btf;
	struct gfp_names btf_bits; /* read from btf on the first ___GFP_*_BIT met */
	bool btf_read;
};

/* Kernels 6.8 to 6.13 print ___GFP_X_BIT by name: its value is X's bit number. */
static int resolve_gfp_bit(const char *name, size_t len, uint64_t *value, void *ctx)
{
	struct format_parse *parse = ctx;
	char ident[GFP_NAME_LEN + 8], flag_name[GFP_NAME_LEN];
	const char *flag;
	size_t flag_len;
	uint64_t mask;

	if (!parse->btf || len >= sizeof(ident))
		return -ENOENT;
	memcpy(ident, name, len);
	ident[len] = '\0';
	flag = btf_gfp_flag(ident, &flag_len);
	if (!flag)
		return -ENOENT;
	if (!parse->btf_read) {
		gfp_names_from_btf(parse->btf, &parse->btf_bits);
		parse->btf_read = true;
	}
	snprintf(flag_name, sizeof(flag_name), "__GFP_%.*s", (int)flag_len, flag);
	mask = gfp_mask(&parse->btf_bits, flag_name);
	if (!mask)
		return -ENOENT;
	*value = __builtin_ctzll(mask);
	return 0;
}

static int add_format_flag(const char *expr, size_t expr_len, const char *name, size_t name_len,
			   void *ctx)
{
	struct format_parse *parse = ctx;
	uint64_t mask;

	if (expr_eval(expr, expr_len, resolve_gfp_bit, parse, &mask))
		return -EINVAL;
	/*
	 * A flag compiled out of this kernel is 0; __print_flags would print its
	 * name on every value, which says nothing, so it is left out.
	 */
	if (!mask)
		return 0;
	return add_flag(parse->out, mask, name, name_len);
}

int gfp_names_from_format(const char *format_text, const struct btf *btf, struct gfp_names *out)
{
	struct format_parse parse = { .out = out, .btf = btf };
	int err;

	memset(out, 0, sizeof(*out));
	err = print_fmt_table(format_text, "__print_flags", "gfp_flags", add_format_flag, &parse);
	if (!err && !out->n)
		err = -ENOENT;
	if (err) {
		memset(out, 0, sizeof(*out));
		return err;
	}
	out->source = GFP_NAMES_FORMAT;
	return 0;
}

int gfp_names_load(const char *tracefs_dir, const struct btf *btf, struct gfp_names *out)
{
	char path[PATH_MAX];
	char *text;
	int err;

	snprintf(path, sizeof(path), "%s/events/kmem/mm_page_alloc/format", tracefs_dir);
	text = text_file_read(path, NULL);
	if (text) {
		err = gfp_names_from_format(text, btf, out);
		free(text);
		if (!err)
			return 0;
	} else {
		err = -errno;
	}
	if (btf && !gfp_names_from_btf(btf, out))
		return 0;
	return err;
}

/* snprintf at *used in buf, counting what does not fit as snprintf does. */
static void append(char *buf, size_t len, size_t *used, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(*used < len ? buf + *used : NULL, *used < len ? len - *used : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		*used += n;
}

size_t gfp_format(const struct gfp_names *names, uint64_t gfp, char *buf, size_t len)
{
	size_t used = 0;

	if (len)
		buf[0] = '\0';
	if (!gfp) {
		append(buf, len, &used, "none");
		return used;
	}
	for (uint32_t i = 0; i < names->n && i < GFP_NAMES_MAX && gfp; i++) {
		uint64_t mask = names->flags[i].mask;

		if ((gfp & mask) != mask)
			continue;
		gfp &= ~mask;
		append(buf, len, &used, "%s%.*s", used ? "|" : "", GFP_NAME_LEN,
		       names->flags[i].name);
	}
	if (gfp)
		append(buf, len, &used, "%s0x%llx", used ? "|" : "", (unsigned long long)gfp);
	return used;
}

uint64_t gfp_mask(const struct gfp_names *names, const char *name)
{
	for (uint32_t i = 0; i < names->n && i < GFP_NAMES_MAX; i++)
		if (!strncmp(names->flags[i].name, name, GFP_NAME_LEN))
			return names->flags[i].mask;
	return 0;
}
