// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/zoneinfo (mm/vmstat.c zoneinfo_show_print).  Its layout changes
 * between kernels (6.1 has no "promo" watermark, no nr_free_pages_blocks,
 * other pageset lines), so lines are matched by key and unknown keys are
 * skipped; what fragscope needs is then checked to be there, which also
 * catches a truncated file.
 */
#include "state/internal.h"

#include <stddef.h>
#include <string.h>

enum zi_section {
	ZI_NONE,       /* before the first zone */
	ZI_NODE_STATS, /* "per-node stats": the node's counters, not the zone's */
	ZI_ZONE,
	ZI_PAGESETS,   /* per-cpu lists, whose "high:" is not the watermark */
};

enum zi_field {
	ZI_PAGES_FREE,
	ZI_MIN,
	ZI_LOW,
	ZI_HIGH,
	ZI_SPANNED,
	ZI_PRESENT,
	ZI_MANAGED,
	ZI_PROTECTION,
	ZI_REQUIRED, /* the fields above are in every kernel's zoneinfo */
	ZI_BOOST = ZI_REQUIRED,
	ZI_NR_FREE_PAGES,
	ZI_NR_FREE_CMA,
	ZI_START_PFN,
	ZI_NODE_UNRECLAIMABLE,
};

static const struct {
	const char *key;
	enum zi_field field;
	size_t offset; /* of a uint64_t in struct state_zone */
} zone_keys[] = {
	{ "pages free", ZI_PAGES_FREE, offsetof(struct state_zone, core.pages_free) },
	{ "min", ZI_MIN, offsetof(struct state_zone, core.wmark_min) },
	{ "low", ZI_LOW, offsetof(struct state_zone, core.wmark_low) },
	{ "high", ZI_HIGH, offsetof(struct state_zone, core.wmark_high) },
	{ "spanned", ZI_SPANNED, offsetof(struct state_zone, spanned) },
	{ "present", ZI_PRESENT, offsetof(struct state_zone, present) },
	{ "managed", ZI_MANAGED, offsetof(struct state_zone, core.managed) },
	{ "boost", ZI_BOOST, offsetof(struct state_zone, boost) },
	{ "nr_free_pages", ZI_NR_FREE_PAGES, offsetof(struct state_zone, nr_free_pages) },
	{ "nr_free_cma", ZI_NR_FREE_CMA, offsetof(struct state_zone, core.free_cma) },
};

static const char *const required_names[ZI_REQUIRED] = {
	[ZI_PAGES_FREE] = "pages free", [ZI_MIN] = "min", [ZI_LOW] = "low",
	[ZI_HIGH] = "high", [ZI_SPANNED] = "spanned", [ZI_PRESENT] = "present",
	[ZI_MANAGED] = "managed", [ZI_PROTECTION] = "protection",
};

struct zi_parser {
	struct state_file *sf; /* the file being read */
	struct state *st;
	enum zi_section section;
	struct state_zone *zone;
	unsigned int zone_line; /* where the current zone started, for messages */
	uint32_t seen;          /* bit per enum zi_field */
};

/* Checks that the zone just ended had everything; called at the next zone and at the end. */
static int zi_finish_zone(struct zi_parser *p)
{
	struct state_zone *z = p->zone;

	if (!z)
		return STATE_OK;
	for (int f = 0; f < ZI_REQUIRED; f++)
		if (!(p->seen & (1u << f)))
			return state_fail(p->sf->err, STATE_ERR_FORMAT, p->sf->path,
					  "node %d zone %s (line %u) has no '%s' line (truncated?)",
					  z->core.node, z->core.name, p->zone_line, required_names[f]);
	/* Only populated zones go on past the protection line (to start_pfn). */
	if (z->present && !(p->seen & (1u << ZI_START_PFN)))
		return state_fail(p->sf->err, STATE_ERR_FORMAT, p->sf->path,
				  "node %d zone %s (line %u) has no 'start_pfn' line (truncated?)",
				  z->core.node, z->core.name, p->zone_line);
	z->core.has_zoneinfo = 1;
	return STATE_OK;
}

static int zi_zone_header(struct zi_parser *p, char *line)
{
	char name[STATE_NAME_LEN], *rest;
	int node, ret;

	ret = zi_finish_zone(p);
	if (ret)
		return ret;
	rest = state_parse_zone_prefix(line, &node, name);
	if (!rest || rest[strspn(rest, " \t")])
		return state_file_fail(p->sf, "expected 'Node N, zone NAME'");
	p->zone = state_zone_get(p->st, node, name);
	if (!p->zone)
		return state_file_fail(p->sf, "more than %d zones", STATE_MAX_ZONES);
	if (p->zone->core.has_zoneinfo)
		return state_file_fail(p->sf, "node %d zone %s is listed twice", node, name);
	p->zone_line = p->sf->line;
	p->seen = 0;
	p->section = ZI_ZONE;
	return STATE_OK;
}

/* "protection: (0, 3018, 4042, 4042, 4042)": lowmem_reserve[] by zone index. */
static int zi_protection(struct zi_parser *p, char *list)
{
	struct state_zone *z = p->zone;
	char *save = NULL, *tok;
	int64_t v;

	list += strspn(list, " \t");
	if (*list != '(' || list[strlen(list) - 1] != ')')
		return state_file_fail(p->sf, "expected 'protection: (N, N, ...)'");
	list[strlen(list) - 1] = '\0';
	z->nr_protection = 0;
	z->core.lowmem_reserve = 0;
	for (tok = strtok_r(list + 1, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		if (!state_parse_i64(tok, &v))
			return state_file_fail(p->sf, "'%s' is not a protection value", tok);
		if (z->nr_protection == STATE_MAX_PROTECTION)
			return state_file_fail(p->sf, "more than %d protection values",
					       STATE_MAX_PROTECTION);
		z->protection[z->nr_protection++] = v;
		if (v > 0 && (uint64_t)v > z->core.lowmem_reserve)
			z->core.lowmem_reserve = v;
	}
	if (!z->nr_protection)
		return state_file_fail(p->sf, "empty protection list");
	p->seen |= 1u << ZI_PROTECTION;
	return STATE_OK;
}

static int zi_value(struct zi_parser *p, const char *key, const char *value, uint64_t *out,
		    enum zi_field field)
{
	if (!state_parse_u64(value, out))
		return state_file_fail(p->sf, "'%s' of '%s' is not a number", value, key);
	p->seen |= 1u << field;
	return STATE_OK;
}

/* A "key value" or "key: value" line inside a zone. */
static int zi_key_value(struct zi_parser *p, char *text)
{
	struct state_zone *z = p->zone;
	char *value = strrchr(text, ' ');
	uint64_t v;
	char *key_end;

	if (!value)
		return STATE_OK; /* a lone word, e.g. a future section title */
	*value++ = '\0';
	key_end = text + strlen(text);
	while (key_end > text && (key_end[-1] == ' ' || key_end[-1] == ':'))
		*--key_end = '\0';

	if (!strcmp(text, "start_pfn"))
		return zi_value(p, text, value, &z->start_pfn, ZI_START_PFN);
	if (!strcmp(text, "node_unreclaimable")) {
		int ret = zi_value(p, text, value, &v, ZI_NODE_UNRECLAIMABLE);

		z->node_unreclaimable = v;
		return ret;
	}
	if (p->section != ZI_ZONE)
		return STATE_OK;
	for (size_t i = 0; i < sizeof(zone_keys) / sizeof(zone_keys[0]); i++)
		if (!strcmp(text, zone_keys[i].key))
			return zi_value(p, text, value,
					(uint64_t *)((char *)z + zone_keys[i].offset),
					zone_keys[i].field);
	return STATE_OK;
}

static int zi_line(struct state_file *sf, char *line, void *ctx)
{
	struct zi_parser *p = ctx;
	char *text = line + strspn(line, " \t");

	p->sf = sf;
	if (!strncmp(line, "Node ", 5))
		return zi_zone_header(p, line);
	if (p->section == ZI_NONE)
		return state_file_fail(p->sf, "expected 'Node N, zone NAME'");
	if (!strcmp(text, "per-node stats")) {
		p->section = ZI_NODE_STATS;
		return STATE_OK;
	}
	if (!strcmp(text, "pagesets")) {
		p->section = ZI_PAGESETS;
		return STATE_OK;
	}
	if (!strncmp(text, "pages free", 10))
		p->section = ZI_ZONE;
	if (p->section == ZI_ZONE && !strncmp(text, "protection:", 11))
		return zi_protection(p, text + 11);
	if (p->section == ZI_NODE_STATS)
		return STATE_OK;
	return zi_key_value(p, text);
}

static int zi_finish(struct state_file *sf, void *ctx)
{
	struct zi_parser *p = ctx;

	if (!p->zone)
		return state_fail(sf->err, STATE_ERR_FORMAT, sf->path, "no zones listed (empty file?)");
	return zi_finish_zone(p);
}

int state_read_zoneinfo(const char *root, struct state *st, struct state_error *err)
{
	struct zi_parser p = { .st = st };

	return state_read_lines(root, "proc/zoneinfo", err, zi_line, zi_finish, &p);
}
