// SPDX-License-Identifier: GPL-2.0
#include "state/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/line.h"

void state_join_path(char *out, size_t size, const char *root, const char *rel)
{
	size_t len = strlen(root);

	snprintf(out, size, "%s%s%s", root, len && root[len - 1] == '/' ? "" : "/", rel);
}

void state_error_print(const struct state_error *err, FILE *out)
{
	if (err->line)
		fprintf(out, "%s:%u: %s\n", err->path, err->line, err->message);
	else
		fprintf(out, "%s: %s\n", err->path, err->message);
}

static void fill_error(struct state_error *err, int status, const char *path, unsigned int line,
		       const char *fmt, va_list ap)
{
	if (!err)
		return;
	err->status = status;
	err->line = line;
	snprintf(err->path, sizeof(err->path), "%s", path);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
}

int state_fail(struct state_error *err, int status, const char *path, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fill_error(err, status, path, 0, fmt, ap);
	va_end(ap);
	return status;
}

int state_file_fail(struct state_file *sf, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fill_error(sf->err, STATE_ERR_FORMAT, sf->path, sf->line, fmt, ap);
	va_end(ap);
	return STATE_ERR_FORMAT;
}

int state_file_open(struct state_file *sf, const char *root, const char *rel,
		    struct state_error *err)
{
	memset(sf, 0, sizeof(*sf));
	sf->err = err;
	state_join_path(sf->path, sizeof(sf->path), root, rel);
	sf->f = fopen(sf->path, "re");
	if (!sf->f) {
		sf->open_errno = errno;
		state_fail(err, STATE_ERR_IO, sf->path, "cannot open: %s", strerror(sf->open_errno));
		if (err)
			err->sys_errno = sf->open_errno;
		return STATE_ERR_IO;
	}
	return STATE_OK;
}

/*
 * The longest line of these files is a few hundred bytes (pagetypeinfo's):
 * a longer one is no such file, and reading stops there, so a --proc-root
 * whose file is /dev/zero or a huge blob costs this much memory, not more.
 */
#define STATE_LINE_MAX (64u << 10)

int state_file_next(struct state_file *sf, char **line)
{
	size_t len;

	if (!sf->buf) {
		sf->buf = malloc(STATE_LINE_MAX);
		if (!sf->buf)
			return state_fail(sf->err, STATE_ERR_IO, sf->path, "out of memory");
	}
	len = read_line_bounded(sf->f, sf->buf, STATE_LINE_MAX);
	if (ferror(sf->f)) {
		int saved = errno;

		state_fail(sf->err, STATE_ERR_IO, sf->path, "read error: %s", strerror(saved));
		if (sf->err)
			sf->err->sys_errno = saved;
		return STATE_ERR_IO;
	}
	if (len == 0)
		return 0;
	sf->line++;
	if (sf->buf[len - 1] != '\n')
		return len == STATE_LINE_MAX ? state_file_fail(sf, "a line longer than %u bytes", STATE_LINE_MAX)
					     : state_file_fail(sf, "truncated: the last line has no newline");
	sf->buf[len - 1] = '\0';
	if (strlen(sf->buf) != (size_t)len - 1)
		return state_file_fail(sf, "binary data (a NUL byte) in a text file");
	*line = sf->buf;
	return 1;
}

int state_read_lines(const char *root, const char *rel, struct state_error *err,
		     int (*line)(struct state_file *sf, char *text, void *ctx),
		     int (*finish)(struct state_file *sf, void *ctx), void *ctx)
{
	struct state_file sf;
	char *text;
	int ret = state_file_open(&sf, root, rel, err);

	if (ret)
		return ret;
	while ((ret = state_file_next(&sf, &text)) > 0) {
		if (!*text)
			continue;
		ret = line(&sf, text, ctx);
		if (ret)
			break;
	}
	if (!ret && finish)
		ret = finish(&sf, ctx);
	state_file_close(&sf);
	return ret;
}

void state_file_close(struct state_file *sf)
{
	if (sf->f)
		fclose(sf->f);
	free(sf->buf);
	sf->f = NULL;
	sf->buf = NULL;
}

bool state_parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return !errno && *end == '\0';
}

bool state_parse_i64(const char *s, int64_t *out)
{
	char *end;

	if (!(*s == '-' || (*s >= '0' && *s <= '9')))
		return false;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return !errno && end != s && *end == '\0';
}

char *state_parse_zone_prefix(char *line, int *node, char name[STATE_NAME_LEN])
{
	int end = 0;

	if (sscanf(line, "Node %d, zone %15[^, \t]%n", node, name, &end) != 2 || !end)
		return NULL;
	/* A name cut at 15 characters would go on with more letters. */
	if (line[end] != '\0' && line[end] != ' ' && line[end] != ',' && line[end] != '\t')
		return NULL;
	return line + end;
}

struct state_zone *state_zone_get(struct state *st, int node, const char *name)
{
	struct state_zone *z = (struct state_zone *)state_find_zone(st, node, name);

	if (z)
		return z;
	if (st->nr_zones == STATE_MAX_ZONES)
		return NULL;
	z = &st->zones[st->nr_zones++];
	memset(z, 0, sizeof(*z));
	z->core.node = node;
	snprintf(z->core.name, sizeof(z->core.name), "%s", name);
	return z;
}

const struct state_zone *state_find_zone(const struct state *st, int node, const char *name)
{
	for (unsigned int i = 0; i < st->nr_zones; i++) {
		const struct state_zone *z = &st->zones[i];

		if (z->core.node == node && !strcmp(z->core.name, name))
			return z;
	}
	return NULL;
}
