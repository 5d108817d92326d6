/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A request as one JSON object, the same for `report -F json` and
 * `explain -F json` (README.md documents the keys: add, never rename).
 */
#ifndef FS_FORMAT_REQUEST_JSON_H
#define FS_FORMAT_REQUEST_JSON_H

#include <stdint.h>

#include "model/request.h"
#include "util/json.h"

struct request_json_extra {
	double time_s;             /* seconds since the trace (or log) start; <0: unknown */
	double last_s;             /* when the same request last closed (written when count > 1); <0: unknown */
	const char *gfp_words;     /* the gfp mode in words, NULL: r->gfp_text */
	const char *const *frames; /* the stack, innermost first, symbolised */
	uint32_t nr_frames;
	uint32_t page_size;
	const char *advice;        /* what to do about it (explain); NULL: no "advice" key */
};

void request_write_json(struct json *j, const struct request *r, const struct request_json_extra *x);

#endif
