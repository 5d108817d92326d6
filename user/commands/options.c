// SPDX-License-Identifier: GPL-2.0
#include "commands/options.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/meta.h"
#include "util/exit_codes.h"

long parse_count(const char *arg, long max)
{
	char *end;
	long v;

	if (!arg || !*arg)
		return -1;
	v = strtol(arg, &end, 10);
	return *end || v < 0 || v > max ? -1 : v;
}

double parse_seconds(const char *arg)
{
	char *end;
	double v;

	if (!arg || !*arg)
		return -1;
	v = strtod(arg, &end);
	/* Written so that "nan" fails too: every comparison with NaN is false. */
	return *end || !(v >= 0 && v <= 1e7) ? -1 : v;
}

int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fragscope %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'fragscope %s --help'.\n", cmd);
	return FS_EXIT_USAGE;
}

int parse_trace_option(int opt, const char *arg, struct tracer_config *cfg)
{
	long v;

	switch (opt) {
	case 'p':
		v = parse_count(arg, 0x7fffffff);
		if (v <= 0)
			return -1;
		cfg->pid = v;
		return 1;
	case OPT_COMM:
		if (strlen(arg) >= FS_COMM_LEN || !*arg)
			return -1;
		snprintf(cfg->comm, sizeof(cfg->comm), "%s", arg);
		return 1;
	case OPT_CGROUP:
		cfg->cgroup_path = arg;
		return 1;
	case OPT_MIN_ORDER:
	case OPT_STACK_ORDER:
		v = parse_count(arg, FS_ORDERS);
		if (v < 0)
			return -1;
		*(opt == OPT_MIN_ORDER ? &cfg->min_order : &cfg->stack_order) = v;
		return 1;
	case OPT_ORDER0:
		if (strcmp(arg, "vmstat") && strcmp(arg, "traced"))
			return -1;
		cfg->order0 = !strcmp(arg, "vmstat") ? ORDER0_VMSTAT : ORDER0_TRACED;
		return 1;
	case OPT_NO_EXTFRAG_STACKS:
		cfg->extfrag_stacks = false;
		return 1;
	case OPT_RINGBUF_KB:
		v = parse_count(arg, 1 << 20);
		if (v < 4 || (v & (v - 1)))
			return -1;
		cfg->ringbuf_bytes = v * 1024;
		return 1;
	case OPT_STACK_MAP:
		v = parse_count(arg, 1 << 20);
		if (v < 1)
			return -1;
		cfg->stack_map_entries = v;
		return 1;
	case OPT_MASK_PROBES:
		/* Every name must be a probe: a typo would otherwise mask nothing, silently. */
		for (const char *p = arg; *p;) {
			size_t n = strcspn(p, ",");
			bool known = false;

			for (int i = 0; i < FS_PROBES && !known; i++) {
				char full[96];

				snprintf(full, sizeof(full), "%s:%s", fs_probe_category(i), fs_probe_event(i));
				known = (n == strlen(fs_probe_event(i)) && !strncmp(p, fs_probe_event(i), n)) ||
					(n == strlen(full) && !strncmp(p, full, n));
			}
			if (!known)
				return -1;
			p += n + (p[n] == ',');
		}
		cfg->mask_probes = arg;
		return 1;
	case OPT_CLASSIC:
		cfg->classic_only = true;
		return 1;
	}
	return 0;
}

int parse_report_option(int opt, const char *arg, struct report_options *ro, const struct formatter **format)
{
	static const char *const sort_keys[] = { "count", "bytes", "order", "comm", "pid", "kind", "stack" };
	long v;

	switch (opt) {
	case 'F':
		*format = formatter_find(arg);
		return *format ? 1 : -1;
	case OPT_TOP:
		v = parse_count(arg, 1000000);
		if (v < 1)
			return -1;
		ro->top = v;
		return 1;
	case OPT_SORT:
		for (size_t i = 0; i < sizeof(sort_keys) / sizeof(*sort_keys); i++) {
			if (!strcmp(arg, sort_keys[i])) {
				ro->sort = sort_keys[i];
				return 1;
			}
		}
		return -1;
	case OPT_RAW_ADDRS:
		ro->raw_addrs = true;
		return 1;
	case OPT_STACKS:
		return parse_stack_selection(arg, &ro->stacks) ? -1 : 1;
	}
	return 0;
}

int invalid_value(const char *cmd, const struct option *longopts, int opt, const char *arg)
{
	for (const struct option *o = longopts; o->name; o++)
		if (o->val == opt && !o->flag)
			return usage_error(cmd, "invalid value '%s' for --%s", arg, o->name);
	return usage_error(cmd, "invalid value '%s' for -%c", arg, opt);
}
