/* SPDX-License-Identifier: GPL-2.0 */
/* What `fragscope state` and `fragscope doctor` share on the command line. */
#ifndef FS_COMMANDS_STATE_CLI_H
#define FS_COMMANDS_STATE_CLI_H

#include <stdbool.h>

#include "state/state.h"

enum state_format {
	STATE_FORMAT_TEXT,
	STATE_FORMAT_JSON,
};

/* "text" or "json" */
bool state_parse_format(const char *s, enum state_format *out);

/* Prints why reading failed and returns the command's exit code (enum fs_exit). */
int state_fail_exit(const char *command, const struct state_error *err);

#endif
