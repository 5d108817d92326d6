// SPDX-License-Identifier: GPL-2.0
#include "util/output.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

int output_close(FILE *f, const char *cmd, const char *name)
{
	bool earlier_failure = ferror(f);
	int close_err = fclose(f) ? errno : 0;

	if (!earlier_failure && !close_err)
		return 0;
	/* An earlier failed write left no errno behind: the close's, if it failed too, is the reason. */
	fprintf(stderr, "fragscope%s%s: writing %s: %s\n", cmd ? " " : "", cmd ? cmd : "", name,
		close_err ? strerror(close_err) : "write error");
	return -1;
}
