/* SPDX-License-Identifier: GPL-2.0 */
/* The HTML report's flame graphs (html_flame.c), written into its JSON document by html.c. */
#ifndef FS_FORMAT_HTML_FLAME_H
#define FS_FORMAT_HTML_FLAME_H

#include "format/format.h"
#include "util/json.h"

/*
 * One flame graph of the selection sel, as an object {key, title, unit,
 * stacks, names, nodes}.  0, or -1 when out of memory.
 */
int html_write_flame(struct json *j, const char *key, const char *title, const char *unit,
		     const struct report *r, enum stack_selection sel);

#endif
