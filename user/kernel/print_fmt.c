// SPDX-License-Identifier: GPL-2.0
#include "kernel/print_fmt.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#define PRINT_FMT_TAG "print fmt: "

struct span {
	const char *start;
	const char *end;
};

/* The text after "print fmt: ", up to the end of its line. */
static int print_fmt_line(const char *format_text, struct span *line)
{
	const char *s;

	if (!strncmp(format_text, PRINT_FMT_TAG, strlen(PRINT_FMT_TAG)))
		s = format_text;
	else if ((s = strstr(format_text, "\n" PRINT_FMT_TAG)))
		s++;
	else
		return -ENOENT;
	line->start = s + strlen(PRINT_FMT_TAG);
	line->end = strchrnul(line->start, '\n');
	return 0;
}

static struct span trim(const char *start, const char *end)
{
	while (start < end && isspace((unsigned char)*start))
		start++;
	while (end > start && isspace((unsigned char)end[-1]))
		end--;
	return (struct span){ start, end };
}

/* s is at an opening quote; the position after the closing one, or NULL. */
static const char *skip_literal(const char *s, const char *end)
{
	char quote = *s++;

	for (; s < end; s++) {
		if (*s == '\\')
			s++;
		else if (*s == quote)
			return s + 1;
	}
	return NULL;
}

/*
 * From s, the first ',' or unmatched closing bracket outside nested brackets
 * and literals, or end: where the current argument or entry ends.  NULL if
 * brackets do not match or a literal is not closed.
 */
static const char *element_end(const char *s, const char *end)
{
	char open[64];
	int depth = 0;

	while (s < end) {
		switch (*s) {
		case '"':
		case '\'':
			s = skip_literal(s, end);
			if (!s)
				return NULL;
			continue;
		case '(':
		case '[':
		case '{':
			if (depth == (int)sizeof(open))
				return NULL;
			open[depth++] = *s;
			break;
		case ')':
		case ']':
		case '}':
			if (!depth)
				return s;
			if (open[--depth] != (*s == ')' ? '(' : *s == ']' ? '[' : '{'))
				return NULL;
			break;
		case ',':
			if (!depth)
				return s;
			break;
		}
		s++;
	}
	return depth ? NULL : end;
}

static bool span_equals(struct span s, const char *text)
{
	size_t len = strlen(text);

	return (size_t)(s.end - s.start) == len && !memcmp(s.start, text, len);
}

/* After the '(' of the first helper(REC->field, ...) call in line, or NULL. */
static const char *find_call(struct span line, const char *helper, const char *field)
{
	size_t helper_len = strlen(helper);
	const char *s = line.start;

	while (s && s < line.end) {
		const char *args, *first_end;

		if (*s == '"' || *s == '\'') {
			s = skip_literal(s, line.end);
			continue;
		}
		if ((size_t)(line.end - s) <= helper_len || memcmp(s, helper, helper_len) ||
		    (s > line.start && (isalnum((unsigned char)s[-1]) || s[-1] == '_'))) {
			s++;
			continue;
		}
		args = trim(s + helper_len, line.end).start;
		if (args < line.end && *args == '(') {
			struct span first;

			args++;
			first_end = element_end(args, line.end);
			if (!first_end)
				return NULL;
			first = trim(args, first_end);
			if (first.end - first.start > 5 && !memcmp(first.start, "REC->", 5) &&
			    span_equals((struct span){ first.start + 5, first.end }, field))
				return args;
		}
		s += helper_len;
	}
	return NULL;
}

int print_fmt_table(const char *format_text, const char *helper, const char *field,
		    print_fmt_entry_fn fn, void *ctx)
{
	struct span line;
	const char *s;

	if (print_fmt_line(format_text, &line))
		return -ENOENT;
	s = find_call(line, helper, field);
	if (!s)
		return -ENOENT;
	for (;;) {
		const char *end = element_end(s, line.end);
		struct span element;

		if (!end)
			return -EINVAL;
		element = trim(s, end);
		/* Arguments before the table (the field, a delimiter) are not braced. */
		if (element.start < element.end && *element.start == '{') {
			const char *close = element.end - 1, *comma;
			struct span expr, name;

			if (*close != '}')
				return -EINVAL;
			comma = element_end(element.start + 1, close);
			if (!comma || *comma != ',')
				return -EINVAL;
			expr = trim(element.start + 1, comma);
			name = trim(comma + 1, close);
			if (name.start < name.end && *name.start == '"') {
				int err;

				if (skip_literal(name.start, name.end) != name.end)
					return -EINVAL;
				err = fn(expr.start, expr.end - expr.start, name.start + 1,
					 name.end - name.start - 2, ctx);
				if (err)
					return err;
			}
		}
		if (*end == ')')
			return 0;
		if (*end != ',')
			return -EINVAL;
		s = end + 1;
	}
}

/* How many arguments the conversion at fmt (just after its '%') consumes. */
static int conversion_args(const char **fmt, const char *end)
{
	int args = 1;
	const char *s = *fmt;

	for (; s < end; s++) {
		if (*s == '*')
			args++;
		else if (isalpha((unsigned char)*s) && !strchr("hlLqjzt", *s))
			break;
	}
	*fmt = s < end ? s + 1 : end;
	return args;
}

int print_fmt_arg(const char *format_text, const char *label, const char **arg, size_t *arg_len)
{
	struct span line, fmt;
	const char *s, *label_at;
	size_t label_len = strlen(label);
	int index = 0;

	if (print_fmt_line(format_text, &line))
		return -ENOENT;
	fmt.start = trim(line.start, line.end).start;
	if (fmt.start >= line.end || *fmt.start != '"')
		return -EINVAL;
	fmt.end = skip_literal(fmt.start, line.end);
	if (!fmt.end)
		return -EINVAL;
	label_at = memmem(fmt.start, fmt.end - fmt.start, label, label_len);
	if (!label_at)
		return -ENOENT;
	for (s = fmt.start; s < label_at;) {
		if (*s++ != '%')
			continue;
		if (*s == '%')
			s++;
		else
			index += conversion_args(&s, label_at);
	}
	/* The label's own conversion may take '*' arguments before its value. */
	s = label_at + label_len;
	if (*s == '%') {
		s++;
		index += conversion_args(&s, fmt.end) - 1;
	}
	for (s = fmt.end;;) {
		const char *end;

		s = trim(s, line.end).start;
		if (s >= line.end || *s != ',')
			return -ENOENT;
		end = element_end(s + 1, line.end);
		if (!end)
			return -EINVAL;
		if (!index--) {
			struct span found = trim(s + 1, end);

			*arg = found.start;
			*arg_len = found.end - found.start;
			return found.start < found.end ? 0 : -ENOENT;
		}
		s = end;
	}
}
