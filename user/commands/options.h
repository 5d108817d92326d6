/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Command-line options shared by the commands: what to trace (record,
 * trace, doctor -d) and how to report (record, report).  Each command
 * appends its own options to these tables.
 */
#ifndef FS_COMMANDS_OPTIONS_H
#define FS_COMMANDS_OPTIONS_H

#include <getopt.h>
#include <stdbool.h>

#include "format/format.h"
#include "model/model.h"
#include "source/tracer.h"

/* Long-option values past the ASCII range. */
enum {
	OPT_COMM = 256, OPT_CGROUP, OPT_MIN_ORDER, OPT_STACK_ORDER, OPT_NO_EXTFRAG_STACKS, OPT_RINGBUF_KB,
	OPT_STACK_MAP, OPT_MASK_PROBES, OPT_CLASSIC, OPT_TOP, OPT_SORT, OPT_RAW_ADDRS, OPT_STACKS,
	OPT_SINCE, OPT_UNTIL, OPT_KIND, OPT_NO_FILE, OPT_INTERVAL, OPT_EVENTS, OPT_ORDER0,
};

#define TRACE_OPTIONS                                                                              \
	{ "pid", required_argument, NULL, 'p' }, { "comm", required_argument, NULL, OPT_COMM },   \
	{ "cgroup", required_argument, NULL, OPT_CGROUP },                                         \
	{ "min-order", required_argument, NULL, OPT_MIN_ORDER },                                   \
	{ "stack-order", required_argument, NULL, OPT_STACK_ORDER },                               \
	{ "order0", required_argument, NULL, OPT_ORDER0 },                                         \
	{ "no-extfrag-stacks", no_argument, NULL, OPT_NO_EXTFRAG_STACKS },                         \
	{ "ringbuf-kb", required_argument, NULL, OPT_RINGBUF_KB },                                 \
	{ "stack-map-entries", required_argument, NULL, OPT_STACK_MAP },                           \
	{ "mask-probes", required_argument, NULL, OPT_MASK_PROBES },                               \
	{ "classic-tracepoints", no_argument, NULL, OPT_CLASSIC }

#define REPORT_OPTIONS                                                                             \
	{ "format", required_argument, NULL, 'F' }, { "top", required_argument, NULL, OPT_TOP },  \
	{ "sort", required_argument, NULL, OPT_SORT },                                             \
	{ "raw-addrs", no_argument, NULL, OPT_RAW_ADDRS },                                         \
	{ "stacks", required_argument, NULL, OPT_STACKS }

#define TRACE_OPTIONS_HELP                                                                         \
	"  -p, --pid PID            trace only this process (tgid)\n"                          \
	"      --comm NAME          trace only tasks with this command name\n"                 \
	"      --cgroup PATH        trace only tasks in this memory cgroup or below it\n"      \
	"      --min-order N        count per process the page allocations of order >= N (default 4)\n" \
	"      --stack-order N      count kernel stacks of page allocations of order >= N (default 4)\n" \
	"      --order0 SOURCE      successful order-0 page allocations: vmstat (counted from\n"   \
	"                           /proc/vmstat pgalloc, not split by migratetype or gfp class;\n" \
	"                           the cheapest, default unless --min-order 0, --stack-order 0,\n" \
	"                           -p, --comm or --cgroup) or traced (every event, split)\n" \
	"      --no-extfrag-stacks  do not take stacks of extfrag fallbacks\n"                 \
	"      --ringbuf-kb N       ring buffer size in KiB, a power of two (default 4096)\n"  \
	"      --stack-map-entries N  distinct stacks kept in the kernel (default 16384)\n"    \
	"      --mask-probes LIST   leave these probes detached (comma-separated event names)\n" \
	"      --classic-tracepoints  never use BTF-typed tracepoints\n"

#define REPORT_OPTIONS_HELP                                                                        \
	"  -F, --format FMT         text (default), json, folded, pprof, perf-script, html\n"  \
	"      --top N              rows per table (default 10)\n"                             \
	"      --sort KEY           failures by count (default), bytes, order, comm, pid, kind, stack\n" \
	"      --raw-addrs          also print kernel addresses (hidden otherwise: they reveal KASLR)\n"              \
	"      --stacks WHAT        folded, pprof: failures (default), requests (failed), high-order, extfrag,\n" \
	"                           compaction, reclaim\n"

/* Parses one option of TRACE_OPTIONS; 1 if it was one, 0 if not, -1 if invalid. */
int parse_trace_option(int opt, const char *arg, struct tracer_config *cfg);
/* Likewise for REPORT_OPTIONS; *format receives the formatter. */
int parse_report_option(int opt, const char *arg, struct report_options *ro, const struct formatter **format);
/* A non-negative integer no larger than max, or -1. */
long parse_count(const char *arg, long max);
/* Seconds as a decimal number, or -1. */
double parse_seconds(const char *arg);
/* Prints "fragscope CMD: MESSAGE" and the usage hint; returns FS_EXIT_USAGE. */
int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "invalid value ARG for --NAME" as a usage error (FS_EXIT_USAGE). */
int invalid_value(const char *cmd, const struct option *longopts, int opt, const char *arg);

#endif
