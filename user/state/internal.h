/* SPDX-License-Identifier: GPL-2.0 */
/* What the state parsers share; not for users of user/state. */
#ifndef FS_STATE_INTERNAL_H
#define FS_STATE_INTERNAL_H

#include <stdarg.h>

#include "state/state.h"

/* A /proc or /sys text file read line by line, for error messages with line numbers. */
struct state_file {
	FILE *f;
	int open_errno; /* why state_file_open() failed */
	char path[STATE_PATH_MAX];
	unsigned int line;
	char *buf; /* the line buffer, of reader.c's STATE_LINE_MAX bytes */
	struct state_error *err;
};

/* @root/@rel, whether or not @root ends in a slash. */
void state_join_path(char *out, size_t size, const char *root, const char *rel);

/* Opens @root/@rel; on failure fills @err (STATE_ERR_IO) and returns it. */
int state_file_open(struct state_file *sf, const char *root, const char *rel,
		    struct state_error *err);
/*
 * The next line without its newline in *@line: 1, or 0 at the end of the
 * file (the buffer, and so the line read before, untouched), or
 * STATE_ERR_FORMAT if the file ends inside a line (the kernel ends every
 * line it prints, so that means a truncated copy).
 */
int state_file_next(struct state_file *sf, char **line);
void state_file_close(struct state_file *sf);

/*
 * Opens @root/@rel and calls @line for each line that is not blank, then
 * @finish (if any) while the file is still open for messages.  Stops at the
 * first error and returns it.
 */
int state_read_lines(const char *root, const char *rel, struct state_error *err,
		     int (*line)(struct state_file *sf, char *text, void *ctx),
		     int (*finish)(struct state_file *sf, void *ctx), void *ctx);

/* Fills @err for the current line of @sf; returns STATE_ERR_FORMAT. */
int state_file_fail(struct state_file *sf, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Fills @err for a whole file; returns @status. */
int state_fail(struct state_error *err, int status, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* A whole token of decimal digits. */
bool state_parse_u64(const char *s, uint64_t *out);
bool state_parse_i64(const char *s, int64_t *out);

/*
 * Parses the "Node N, zone NAME" that starts lines of buddyinfo, zoneinfo
 * and pagetypeinfo; returns a pointer past it, or NULL if the line does not
 * start so.
 */
char *state_parse_zone_prefix(char *line, int *node, char name[STATE_NAME_LEN]);

/* proc/uptime's first number; 0 if the file is missing. */
int state_read_uptime(const char *root, double *seconds, struct state_error *err);

/* The zone (@node, @name) of @st, added at the end if new; NULL when full. */
struct state_zone *state_zone_get(struct state *st, int node, const char *name);

#endif
