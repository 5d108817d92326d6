// SPDX-License-Identifier: GPL-2.0
/* `fragscope state`: the fragmentation state, as a report or as JSON. */
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "commands/commands.h"
#include "commands/state_cli.h"
#include "util/exit_codes.h"
#include "util/json.h"

static void usage(FILE *out)
{
	fputs("usage: fragscope state [-F text|json] [--proc-root DIR]\n"
	      "                       [--pagetypeinfo|--no-pagetypeinfo]\n"
	      "\n"
	      "The kernel's memory fragmentation state: per zone and order the free blocks,\n"
	      "the kernel's unusable-free-space and fragmentation indices and whether a\n"
	      "request could be met above the low watermark; compaction, reclaim and THP\n"
	      "counters; meminfo essentials; vm sysctls.  Needs neither BPF nor root.\n"
	      "\n"
	      "  -F, --format FMT     text (default) or json\n"
	      "      --proc-root DIR  read DIR/proc and DIR/sys instead of /proc and /sys\n"
	      "      --pagetypeinfo   also read /proc/pagetypeinfo (root only, and costly for\n"
	      "                       the kernel on large machines): free blocks and\n"
	      "                       pageblocks by migratetype\n"
	      "      --no-pagetypeinfo  do not (the default)\n"
	      "  -h, --help           this help\n", out);
}

/* Name/value cells printed a few to a line. */
#define CELLS_MAX 64
#define CELLS_PER_LINE 3

struct cells {
	int n;
	char cell[CELLS_MAX][56];
};

static void __attribute__((format(printf, 3, 4)))
cell_add(struct cells *c, const char *name, const char *fmt, ...)
{
	char value[24];
	va_list ap;

	if (c->n == CELLS_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	snprintf(c->cell[c->n++], sizeof(c->cell[0]), "%-27s %s", name, value);
}

static void cells_print(const char *title, const struct cells *c)
{
	printf("\n%s\n", title);
	for (int i = 0; i < c->n; i++) {
		bool last_in_line = i % CELLS_PER_LINE == CELLS_PER_LINE - 1 || i == c->n - 1;

		printf("  %-*s", last_in_line ? 0 : 38, c->cell[i]);
		if (last_in_line)
			putchar('\n');
	}
}

static void print_pagetypes_text(const struct state *st, const struct state_zone *z)
{
	printf("  pageblocks of %llu pages:", (unsigned long long)st->pages_per_block);
	for (unsigned int t = 0; t < st->nr_migratetypes; t++)
		printf(" %s %llu", st->migratetype_names[t], (unsigned long long)z->pageblocks[t]);
	printf("\n  free blocks by migratetype and order%s:\n", st->pagetypeinfo_capped ?
	       " ('>' marks a lower bound: the kernel stops counting at 100000)" : "");
	for (unsigned int t = 0; t < st->nr_migratetypes; t++) {
		printf("    %-12s", st->migratetype_names[t]);
		for (unsigned int o = 0; o < st->nr_orders; o++)
			printf(" %s%6llu", z->capped_by_type[t] & (1u << o) ? ">" : " ",
			       (unsigned long long)z->free_by_type[t][o]);
		putchar('\n');
	}
}

static void print_zone_text(const struct state *st, const struct state_zone *z)
{
	const struct state_zone_free *c = &z->core;
	struct state_zone_indices ix;

	state_zone_indices(c, &ix);
	printf("\nNode %d, zone %s: %llu pages free (%.1f MiB) of %llu managed\n", c->node, c->name,
	       (unsigned long long)c->pages_free, state_pages_mib(st, c->pages_free),
	       (unsigned long long)c->managed);
	printf("  watermarks min %llu low %llu high %llu (boost %llu), lowmem reserve up to %llu\n",
	       (unsigned long long)c->wmark_min, (unsigned long long)c->wmark_low,
	       (unsigned long long)c->wmark_high, (unsigned long long)z->boost,
	       (unsigned long long)c->lowmem_reserve);
	if (ix.largest_order >= 0)
		printf("  largest free block: order %d (%.1f MiB)\n", ix.largest_order,
		       state_pages_mib(st, 1ull << ix.largest_order));
	else
		printf("  no free block at all\n");
	printf("  %5s %12s %9s %9s %8s  %s\n", "order", "free blocks", "usable", "unusable",
	       "extfrag", "watermark");
	for (unsigned int o = 0; o < c->nr_orders; o++)
		printf("  %5u %12llu %8.1f%% %9.3f %8.3f  %s\n", o,
		       (unsigned long long)c->free_blocks[o],
		       ix.free_pages ? 100.0 * ix.usable_pages[o] / ix.free_pages : 0.0,
		       ix.unusable[o] / 1000.0, ix.extfrag[o] / 1000.0,
		       ix.watermark_ok[o] ? "ok" : "FAIL");
	if (z->has_pageblocks)
		print_pagetypes_text(st, z);
}

static void print_counters_text(const struct state *st)
{
	struct cells c = { 0 };

	for (int i = 0; i < STATE_CNT_COUNT; i++)
		if (state_counter_present(&st->counters, i))
			cell_add(&c, state_counter_name(i), "%llu",
				 (unsigned long long)st->counters.value[i]);
	cells_print("vmstat (since boot):", &c);

	memset(&c, 0, sizeof(c));
	for (int i = 0; i < STATE_MEM_COUNT; i++)
		if (state_meminfo_present(&st->meminfo, i))
			cell_add(&c, state_meminfo_name(i), "%llu",
				 (unsigned long long)st->meminfo.value[i]);
	cells_print("meminfo (kB; HugePages_* in pages):", &c);

	memset(&c, 0, sizeof(c));
	for (int i = 0; i < STATE_SYSCTL_COUNT; i++)
		if (state_sysctl_present(&st->sysctls, i))
			cell_add(&c, state_sysctl_name(i), "%lld", (long long)st->sysctls.value[i]);
	if (*st->sysctls.thp_enabled)
		cell_add(&c, "transparent_hugepage", "%s", st->sysctls.thp_enabled);
	if (*st->sysctls.thp_defrag)
		cell_add(&c, "transparent_hugepage.defrag", "%s", st->sysctls.thp_defrag);
	cells_print("sysctls:", &c);
}

static void print_text(const char *root, const struct state *st)
{
	bool any_unpopulated = false;

	printf("fragscope state of %s: %u orders, page size %u kB", root, st->nr_orders, st->page_kb);
	if (st->has_pagetypeinfo)
		printf(", pageblock order %u\n", st->pageblock_order);
	else
		printf(" (pagetypeinfo not read: --pagetypeinfo as root)\n");
	for (unsigned int i = 0; i < st->nr_zones; i++)
		if (st->zones[i].populated)
			print_zone_text(st, &st->zones[i]);
	for (unsigned int i = 0; i < st->nr_zones; i++) {
		const struct state_zone *z = &st->zones[i];

		if (z->populated)
			continue;
		printf("%s node %d %s", any_unpopulated ? "," : "\nunpopulated zones:", z->core.node,
		       z->core.name);
		any_unpopulated = true;
	}
	if (any_unpopulated)
		putchar('\n');
	print_counters_text(st);
}

static void json_u64_array(struct json *j, const char *key, const uint64_t *v, unsigned int n)
{
	json_key(j, key);
	json_array_begin(j);
	for (unsigned int i = 0; i < n; i++)
		json_u64(j, v[i]);
	json_array_end(j);
}

static void json_orders(struct json *j, const struct state_zone_free *c)
{
	struct state_zone_indices ix;

	state_zone_indices(c, &ix);
	json_kv_u64(j, "free_pages", ix.free_pages);
	json_kv_i64(j, "largest_free_order", ix.largest_order);
	json_key(j, "orders");
	json_array_begin(j);
	for (unsigned int o = 0; o < c->nr_orders; o++) {
		json_object_begin(j);
		json_kv_u64(j, "order", o);
		json_kv_u64(j, "free_blocks", c->free_blocks[o]);
		json_kv_u64(j, "usable_pages", ix.usable_pages[o]);
		json_kv_double(j, "usable_pct",
			       ix.free_pages ? 100.0 * ix.usable_pages[o] / ix.free_pages : 0.0);
		json_kv_double(j, "unusable_index", ix.unusable[o] / 1000.0);
		json_kv_double(j, "extfrag_index", ix.extfrag[o] / 1000.0);
		json_kv_bool(j, "watermark_ok", ix.watermark_ok[o]);
		json_object_end(j);
	}
	json_array_end(j);
}

static void json_pagetypes(struct json *j, const struct state *st, const struct state_zone *z)
{
	json_key(j, "pagetypes");
	json_object_begin(j);
	for (unsigned int t = 0; t < st->nr_migratetypes; t++) {
		json_key(j, st->migratetype_names[t]);
		json_object_begin(j);
		json_kv_u64(j, "pageblocks", z->pageblocks[t]);
		json_u64_array(j, "free_blocks", z->free_by_type[t], st->nr_orders);
		json_key(j, "capped_orders");
		json_array_begin(j);
		for (unsigned int o = 0; o < st->nr_orders; o++)
			if (z->capped_by_type[t] & (1u << o))
				json_u64(j, o);
		json_array_end(j);
		json_object_end(j);
	}
	json_object_end(j);
}

static void json_zone(struct json *j, const struct state *st, const struct state_zone *z)
{
	const struct state_zone_free *c = &z->core;

	json_object_begin(j);
	json_kv_i64(j, "node", c->node);
	json_kv_string(j, "zone", c->name);
	json_kv_bool(j, "populated", z->populated);
	json_kv_u64(j, "pages_free", c->pages_free);
	json_kv_u64(j, "managed", c->managed);
	json_kv_u64(j, "present", z->present);
	json_kv_u64(j, "spanned", z->spanned);
	json_kv_u64(j, "start_pfn", z->start_pfn);
	json_kv_u64(j, "nr_free_pages", z->nr_free_pages);
	json_kv_u64(j, "free_cma", c->free_cma);
	json_key(j, "watermarks");
	json_object_begin(j);
	json_kv_u64(j, "min", c->wmark_min);
	json_kv_u64(j, "low", c->wmark_low);
	json_kv_u64(j, "high", c->wmark_high);
	json_kv_u64(j, "boost", z->boost);
	json_object_end(j);
	json_key(j, "protection");
	json_array_begin(j);
	for (unsigned int i = 0; i < z->nr_protection; i++)
		json_i64(j, z->protection[i]);
	json_array_end(j);
	if (z->populated)
		json_orders(j, c);
	if (z->has_pageblocks)
		json_pagetypes(j, st, z);
	json_object_end(j);
}

static void json_settings(struct json *j, const struct state *st)
{
	json_key(j, "vmstat");
	json_object_begin(j);
	for (int i = 0; i < STATE_CNT_COUNT; i++)
		if (state_counter_present(&st->counters, i))
			json_kv_u64(j, state_counter_name(i), st->counters.value[i]);
	json_object_end(j);
	json_key(j, "meminfo");
	json_object_begin(j);
	for (int i = 0; i < STATE_MEM_COUNT; i++)
		if (state_meminfo_present(&st->meminfo, i))
			json_kv_u64(j, state_meminfo_name(i), st->meminfo.value[i]);
	json_object_end(j);
	json_key(j, "sysctls");
	json_object_begin(j);
	for (int i = 0; i < STATE_SYSCTL_COUNT; i++)
		if (state_sysctl_present(&st->sysctls, i))
			json_kv_i64(j, state_sysctl_name(i), st->sysctls.value[i]);
	if (*st->sysctls.thp_enabled)
		json_kv_string(j, "transparent_hugepage.enabled", st->sysctls.thp_enabled);
	if (*st->sysctls.thp_defrag)
		json_kv_string(j, "transparent_hugepage.defrag", st->sysctls.thp_defrag);
	json_object_end(j);
}

static void print_json(const char *root, const struct state *st)
{
	struct json j;

	json_init(&j, stdout, true);
	json_object_begin(&j);
	json_kv_string(&j, "root", root);
	json_kv_u64(&j, "page_size_kb", st->page_kb);
	json_kv_u64(&j, "nr_orders", st->nr_orders);
	json_kv_double(&j, "uptime_seconds", st->uptime_seconds);
	json_key(&j, "pagetypeinfo");
	json_object_begin(&j);
	json_kv_bool(&j, "read", st->has_pagetypeinfo);
	if (st->has_pagetypeinfo) {
		json_kv_u64(&j, "pageblock_order", st->pageblock_order);
		json_kv_u64(&j, "pages_per_block", st->pages_per_block);
		json_kv_bool(&j, "capped", st->pagetypeinfo_capped);
	}
	json_object_end(&j);
	json_key(&j, "zones");
	json_array_begin(&j);
	for (unsigned int i = 0; i < st->nr_zones; i++)
		json_zone(&j, st, &st->zones[i]);
	json_array_end(&j);
	json_settings(&j, st);
	json_object_end(&j);
	json_finish(&j);
}

int cmd_state(int argc, char **argv)
{
	static const struct option options[] = {
		{ "format", required_argument, NULL, 'F' },
		{ "proc-root", required_argument, NULL, 'r' },
		{ "pagetypeinfo", no_argument, NULL, 'p' },
		{ "no-pagetypeinfo", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum state_format format = STATE_FORMAT_TEXT;
	unsigned int flags = STATE_WITH_SYSCTLS;
	const char *root = "/";
	struct state_error err;
	struct state *st;
	int opt, ret;

	optind = 0; /* glibc: rescan from argv[1], whatever parsed argv before */
	while ((opt = getopt_long(argc, argv, "F:h", options, NULL)) != -1) {
		switch (opt) {
		case 'F':
			if (!state_parse_format(optarg, &format)) {
				fprintf(stderr, "fragscope state: unknown format '%s'\n", optarg);
				usage(stderr);
				return FS_EXIT_USAGE;
			}
			break;
		case 'r':
			root = optarg;
			break;
		case 'p':
			flags |= STATE_WITH_PAGETYPEINFO;
			break;
		case 'P':
			flags &= ~STATE_WITH_PAGETYPEINFO;
			break;
		case 'h':
			usage(stdout);
			return FS_EXIT_OK;
		default:
			usage(stderr);
			return FS_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "fragscope state: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return FS_EXIT_USAGE;
	}

	st = malloc(sizeof(*st));
	if (!st) {
		perror("fragscope state");
		return FS_EXIT_RUNTIME;
	}
	ret = state_read(root, flags, st, &err);
	if (ret) {
		ret = state_fail_exit("state", &err);
	} else {
		if (format == STATE_FORMAT_JSON)
			print_json(root, st);
		else
			print_text(root, st);
		ret = FS_EXIT_OK;
	}
	free(st);
	return ret;
}
