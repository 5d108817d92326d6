// SPDX-License-Identifier: GPL-2.0
/*
 * Reading a kallsyms file (/proc/kallsyms, or a fixture in its format) into
 * a symbol table: a buffer at a time, never its whole text, then sorted and
 * packed (kernel/ksyms.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel/ksyms.h"
#include "kernel/ksyms_internal.h"

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
	if (name[0] == '_' && name[1] == '_' && strstr(name, "entry_text_"))
		ksyms_note_marker(l->ksyms, name, addr);
	if (!strchr("tTwW", type) || is_text_end_marker(name))
		name = NULL;
	return ksyms_add(l->ksyms, addr, name, module);
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
		ksyms_set_hidden(l.ksyms);
	}
	ksyms_sort(l.ksyms);
	ksyms_pack(l.ksyms);
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
