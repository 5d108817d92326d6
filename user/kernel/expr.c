// SPDX-License-Identifier: GPL-2.0
#include "kernel/expr.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

/* The kernel's gfp masks nest about 12 deep; anything near this is not a mask. */
#define EXPR_MAX_DEPTH 128

struct parser {
	const char *pos;
	const char *end;
	expr_resolve_fn resolve;
	void *ctx;
	int depth;
};

struct binop {
	const char *text;
	int prec; /* higher binds tighter, as in C */
};

/* Two-character operators first, so "<<" is never read as "<". */
static const struct binop binops[] = {
	{ "||", 1 }, { "&&", 2 }, { "==", 6 }, { "!=", 6 }, { "<=", 7 }, { ">=", 7 },
	{ "<<", 8 }, { ">>", 8 }, { "|", 3 }, { "^", 4 }, { "&", 5 }, { "<", 7 },
	{ ">", 7 }, { "+", 9 }, { "-", 9 }, { "*", 10 }, { "/", 10 }, { "%", 10 },
};

enum type_sign { TYPE_UNSIGNED, TYPE_SIGNED, TYPE_DEFAULT_SIGNED, TYPE_NO_SIGN };

/* The words a cast's type name can be made of, and the width each implies. */
struct type_word {
	const char *name;
	int bits; /* 0: says nothing about the width */
	enum type_sign sign;
};

static const struct type_word type_words[] = {
	{ "unsigned", 0, TYPE_UNSIGNED }, { "signed", 0, TYPE_SIGNED },
	{ "char", 8, TYPE_DEFAULT_SIGNED }, { "short", 16, TYPE_DEFAULT_SIGNED },
	{ "int", 32, TYPE_DEFAULT_SIGNED }, { "long", 64, TYPE_DEFAULT_SIGNED },
	{ "gfp_t", 32, TYPE_UNSIGNED }, { "size_t", 64, TYPE_UNSIGNED },
	{ "ssize_t", 64, TYPE_SIGNED }, { "bool", 1, TYPE_UNSIGNED }, { "_Bool", 1, TYPE_UNSIGNED },
	{ "u8", 8, TYPE_UNSIGNED }, { "u16", 16, TYPE_UNSIGNED }, { "u32", 32, TYPE_UNSIGNED },
	{ "u64", 64, TYPE_UNSIGNED }, { "s8", 8, TYPE_SIGNED }, { "s16", 16, TYPE_SIGNED },
	{ "s32", 32, TYPE_SIGNED }, { "s64", 64, TYPE_SIGNED }, { "__u8", 8, TYPE_UNSIGNED },
	{ "__u16", 16, TYPE_UNSIGNED }, { "__u32", 32, TYPE_UNSIGNED }, { "__u64", 64, TYPE_UNSIGNED },
	{ "__s8", 8, TYPE_SIGNED }, { "__s16", 16, TYPE_SIGNED }, { "__s32", 32, TYPE_SIGNED },
	{ "__s64", 64, TYPE_SIGNED }, { "void", 0, TYPE_NO_SIGN }, { "const", 0, TYPE_NO_SIGN },
	{ "volatile", 0, TYPE_NO_SIGN }, { "__force", 0, TYPE_NO_SIGN },
};

static int parse_conditional(struct parser *p, uint64_t *value);

static void skip_space(struct parser *p)
{
	while (p->pos < p->end && isspace((unsigned char)*p->pos))
		p->pos++;
}

static bool is_ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static bool accept(struct parser *p, char c)
{
	skip_space(p);
	if (p->pos < p->end && *p->pos == c) {
		p->pos++;
		return true;
	}
	return false;
}

static size_t ident_length(const struct parser *p)
{
	const char *s = p->pos;

	if (s >= p->end || !(isalpha((unsigned char)*s) || *s == '_'))
		return 0;
	while (s < p->end && is_ident_char(*s))
		s++;
	return s - p->pos;
}

static const struct binop *peek_binop(struct parser *p)
{
	skip_space(p);
	for (size_t i = 0; i < sizeof(binops) / sizeof(binops[0]); i++) {
		size_t n = strlen(binops[i].text);

		if ((size_t)(p->end - p->pos) >= n && !memcmp(p->pos, binops[i].text, n))
			return &binops[i];
	}
	return NULL;
}

static int apply_binop(const struct binop *op, uint64_t a, uint64_t b, uint64_t *out)
{
	switch (op->text[0]) {
	case '|':
		*out = op->text[1] ? (a || b) : (a | b);
		return 0;
	case '&':
		*out = op->text[1] ? (a && b) : (a & b);
		return 0;
	case '^':
		*out = a ^ b;
		return 0;
	case '=':
		*out = a == b;
		return 0;
	case '!':
		*out = a != b;
		return 0;
	case '<':
	case '>':
		if (op->text[1] == op->text[0]) {
			if (b >= 64)
				return -EINVAL;
			*out = op->text[0] == '<' ? a << b : a >> b;
		} else if (op->text[1] == '=') {
			*out = op->text[0] == '<' ? a <= b : a >= b;
		} else {
			*out = op->text[0] == '<' ? a < b : a > b;
		}
		return 0;
	case '+':
		*out = a + b;
		return 0;
	case '-':
		*out = a - b;
		return 0;
	case '*':
		*out = a * b;
		return 0;
	case '/':
	case '%':
		if (!b)
			return -EINVAL;
		*out = op->text[0] == '/' ? a / b : a % b;
		return 0;
	}
	return -EINVAL;
}

static int parse_number(struct parser *p, uint64_t *value)
{
	unsigned int base = 10, suffixes = 0;
	uint64_t v = 0;
	const char *s = p->pos;
	bool any = false;

	if (p->end - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	} else if (s[0] == '0') {
		base = 8;
	}
	for (; s < p->end && isxdigit((unsigned char)*s); s++) {
		unsigned int digit = isdigit((unsigned char)*s) ? *s - '0' : (tolower(*s) - 'a' + 10);

		if (digit >= base || v > (UINT64_MAX - digit) / base)
			return -EINVAL;
		v = v * base + digit;
		any = true;
	}
	while (s < p->end && strchr("uUlL", *s) && suffixes++ < 3)
		s++;
	if (!any || (s < p->end && is_ident_char(*s)))
		return -EINVAL;
	p->pos = s;
	*value = v;
	return 0;
}

static const struct type_word *find_type_word(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(type_words) / sizeof(type_words[0]); i++)
		if (strlen(type_words[i].name) == len && !memcmp(type_words[i].name, name, len))
			return &type_words[i];
	return NULL;
}

/*
 * After '(': if what follows is a type name and ')', consume it and give the
 * cast's width (64 for pointers) and signedness; otherwise consume nothing
 * and return false, so the parenthesis is read as grouping.
 */
static bool parse_cast(struct parser *p, int *bits, bool *is_signed)
{
	const char *start = p->pos;
	enum type_sign sign = TYPE_NO_SIGN;
	bool any = false, pointer = false;
	int width = 0;

	for (;;) {
		const struct type_word *w;
		size_t len;

		skip_space(p);
		len = ident_length(p);
		if (!len)
			break;
		w = find_type_word(p->pos, len);
		if (!w)
			goto not_a_cast;
		/* "long int", "unsigned long long": the widest word decides. */
		if (w->bits > width)
			width = w->bits;
		if (w->sign != TYPE_NO_SIGN && (sign == TYPE_NO_SIGN || sign == TYPE_DEFAULT_SIGNED))
			sign = w->sign;
		any = true;
		p->pos += len;
	}
	while (accept(p, '*'))
		pointer = true;
	if (!any || !accept(p, ')'))
		goto not_a_cast;
	if (pointer) {
		width = 64;
		sign = TYPE_UNSIGNED;
	} else if (!width) {
		width = 32; /* plain "unsigned" or "signed" is an int */
	}
	*bits = width;
	*is_signed = sign == TYPE_SIGNED || sign == TYPE_DEFAULT_SIGNED;
	return true;
not_a_cast:
	p->pos = start;
	return false;
}

static uint64_t convert(uint64_t v, int bits, bool is_signed)
{
	uint64_t sign_bit;

	if (bits == 1)
		return v != 0;
	if (bits >= 64)
		return v;
	v &= (UINT64_C(1) << bits) - 1;
	sign_bit = UINT64_C(1) << (bits - 1);
	if (is_signed && (v & sign_bit))
		v |= ~((UINT64_C(1) << bits) - 1);
	return v;
}

static int parse_unary(struct parser *p, uint64_t *value)
{
	size_t len;
	int err;

	if (++p->depth > EXPR_MAX_DEPTH)
		return -EINVAL;
	skip_space(p);
	if (p->pos >= p->end)
		return -EINVAL;
	switch (*p->pos) {
	case '~':
	case '!':
	case '-':
	case '+': {
		char op = *p->pos++;

		err = parse_unary(p, value);
		if (!err)
			*value = op == '~' ? ~*value : op == '!' ? !*value : op == '-' ? -*value : *value;
		break;
	}
	case '(': {
		int bits;
		bool is_signed;

		p->pos++;
		if (parse_cast(p, &bits, &is_signed)) {
			err = parse_unary(p, value);
			if (!err)
				*value = convert(*value, bits, is_signed);
			break;
		}
		err = parse_conditional(p, value);
		if (!err && !accept(p, ')'))
			err = -EINVAL;
		break;
	}
	default:
		if (isdigit((unsigned char)*p->pos)) {
			err = parse_number(p, value);
			break;
		}
		len = ident_length(p);
		if (!len || !p->resolve || p->resolve(p->pos, len, value, p->ctx)) {
			err = -EINVAL;
			break;
		}
		p->pos += len;
		err = 0;
	}
	p->depth--;
	return err;
}

static int parse_binary(struct parser *p, int min_prec, uint64_t *value)
{
	int err = parse_unary(p, value);

	while (!err) {
		const struct binop *op = peek_binop(p);
		uint64_t rhs;

		if (!op || op->prec < min_prec)
			break;
		p->pos += strlen(op->text);
		err = parse_binary(p, op->prec + 1, &rhs);
		if (!err)
			err = apply_binop(op, *value, rhs, value);
	}
	return err;
}

static int parse_conditional(struct parser *p, uint64_t *value)
{
	uint64_t if_true, if_false;
	int err;

	if (++p->depth > EXPR_MAX_DEPTH)
		return -EINVAL;
	err = parse_binary(p, 1, value);
	if (!err && accept(p, '?')) {
		err = parse_conditional(p, &if_true);
		if (!err && !accept(p, ':'))
			err = -EINVAL;
		if (!err)
			err = parse_conditional(p, &if_false);
		if (!err)
			*value = *value ? if_true : if_false;
	}
	p->depth--;
	return err;
}

int expr_eval(const char *text, size_t len, expr_resolve_fn resolve, void *ctx, uint64_t *value)
{
	struct parser p = { .pos = text, .end = text + len, .resolve = resolve, .ctx = ctx };
	uint64_t v;

	if (parse_conditional(&p, &v))
		return -EINVAL;
	skip_space(&p);
	if (p.pos != p.end)
		return -EINVAL;
	*value = v;
	return 0;
}
