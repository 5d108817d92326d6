// SPDX-License-Identifier: GPL-2.0
#include "commands/state_cli.h"

#include <errno.h>
#include <string.h>

#include "util/exit_codes.h"

bool state_parse_format(const char *s, enum state_format *out)
{
	if (!strcmp(s, "text"))
		*out = STATE_FORMAT_TEXT;
	else if (!strcmp(s, "json"))
		*out = STATE_FORMAT_JSON;
	else
		return false;
	return true;
}

int state_fail_exit(const char *command, const struct state_error *err)
{
	fprintf(stderr, "fragscope %s: ", command);
	state_error_print(err, stderr);
	if (err->status == STATE_ERR_FORMAT)
		return FS_EXIT_BAD_INPUT;
	if (err->sys_errno == EACCES || err->sys_errno == EPERM) {
		fprintf(stderr, "fragscope %s: run as root to read it\n", command);
		return FS_EXIT_PRIVILEGE;
	}
	return FS_EXIT_RUNTIME;
}
