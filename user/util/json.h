/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A streaming JSON writer: callers describe the document in order and the
 * writer places commas, quotes and escapes.  Every JSON output of fragscope
 * goes through it, so no formatter hand-writes punctuation.
 */
#ifndef FS_UTIL_JSON_H
#define FS_UTIL_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32

struct json {
	FILE *out;
	int depth;
	bool first[JSON_MAX_DEPTH]; /* nothing written yet at this depth */
	bool after_key;
	bool pretty;
};

void json_init(struct json *j, FILE *out, bool pretty);
void json_object_begin(struct json *j);
void json_object_end(struct json *j);
void json_array_begin(struct json *j);
void json_array_end(struct json *j);
/* The key of the next value inside an object. */
void json_key(struct json *j, const char *key);
void json_string(struct json *j, const char *s);
void json_u64(struct json *j, uint64_t v);
void json_i64(struct json *j, int64_t v);
/* Non-finite doubles are written as null: JSON has no NaN. */
void json_double(struct json *j, double v);
void json_null(struct json *j);

/* key + value in one call, for the common case. */
void json_kv_string(struct json *j, const char *key, const char *s);
void json_kv_u64(struct json *j, const char *key, uint64_t v);
void json_kv_i64(struct json *j, const char *key, int64_t v);
void json_kv_double(struct json *j, const char *key, double v);
void json_kv_bool(struct json *j, const char *key, bool v);

/* Ends the document with a newline. */
void json_finish(struct json *j);

#endif
