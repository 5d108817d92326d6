// SPDX-License-Identifier: GPL-2.0
/*
 * fragscope: a live, low-overhead tracer of the Linux kernel's memory
 * allocators.  main() only dispatches to the sub-command.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands/commands.h"
#include "util/exit_codes.h"
#include "util/output.h"

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "record", cmd_record, "trace, write a record file, print the report" },
	{ "report", cmd_report, "report a record file (text, json, folded, pprof, perf-script, html)" },
	{ "trace", cmd_trace, "print failures, stalls and OOM kills live, one line each" },
	{ "state", cmd_state, "fragmentation state now: free blocks, indices, watermarks" },
	{ "top", cmd_top, "a full-screen live view: rates, failures, stalls, free blocks" },
	{ "serve", cmd_serve, "serve Prometheus metrics over HTTP (loopback by default)" },
	{ "doctor", cmd_doctor, "findings on why allocations fail, with the numbers behind them" },
	{ "probes", cmd_probes, "which tracepoints this kernel offers and what attaches" },
	{ "explain", cmd_explain, "explain the allocation failures in a kernel log (dmesg, journal, kmsg)" },
};

static void usage(FILE *out)
{
	fprintf(out, "Usage: fragscope COMMAND [options]   (fragscope COMMAND --help for its options)\n\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(*commands); i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\nExit codes: 0 ok, 1 runtime failure, 2 usage error, 3 missing privileges\n"
		     "(root or CAP_BPF+CAP_PERFMON), 4 kernel lacks BTF/BPF support, 5 bad input file.\n");
}

static int run(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return FS_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return FS_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("fragscope %s\n", FRAGSCOPE_VERSION);
		return FS_EXIT_OK;
	}
	if (!strcmp(argv[1], "--list-probes"))
		return cmd_probes(argc - 1, argv + 1);
	for (size_t i = 0; i < sizeof(commands) / sizeof(*commands); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "fragscope: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return FS_EXIT_USAGE;
}

/*
 * A descriptor 0, 1 or 2 closed by the caller (>&-) would be the next file
 * opened, and the record file or report -o would receive the messages or
 * the report meant for it.  /dev/null holds each, opened the wrong way
 * round so that using it still fails as a closed descriptor does.
 */
static void hold_standard_fds(void)
{
	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF)
			open("/dev/null", fd == STDIN_FILENO ? O_WRONLY : O_RDONLY); /* the lowest free: fd */
}

int main(int argc, char **argv)
{
	int rc;

	hold_standard_fds();
	rc = run(argc, argv);

	/* A report that did not reach standard output (a full disk, a closed pipe) is no success. */
	if (output_close(stdout, argc > 1 ? argv[1] : NULL, "standard output") && rc == FS_EXIT_OK)
		rc = FS_EXIT_RUNTIME;
	return rc;
}
