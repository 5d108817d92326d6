// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/buddyinfo and /proc/pagetypeinfo: free blocks by order, and by
 * migratetype and order, as mm/vmstat.c prints them (frag_show_print,
 * pagetypeinfo_showfree_print, pagetypeinfo_showblockcount_print).
 */
#include "state/internal.h"

#include <string.h>

/*
 * Parses the whitespace-separated counts in @rest into @counts (at most
 * FS_ORDERS of them).  With @capped, ">100000" is accepted as a lower bound
 * and flagged there.  Returns how many counts there were, or -1 with @bad
 * pointing at the token that is not a count.
 */
static int parse_counts(char *rest, uint64_t *counts, uint32_t *capped, char **bad)
{
	char *save = NULL, *tok;
	int n = 0;

	for (tok = strtok_r(rest, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save), n++) {
		bool lower_bound = capped && tok[0] == '>';
		uint64_t v;

		if (!state_parse_u64(tok + lower_bound, &v)) {
			*bad = tok;
			return -1;
		}
		if (n >= FS_ORDERS)
			continue;
		counts[n] = v;
		if (lower_bound)
			*capped |= 1u << n;
	}
	return n;
}

/* Checks a line's number of orders against the file's (or an earlier file's). */
static int check_orders(struct state_file *sf, struct state *st, int n, char *bad)
{
	if (n < 0)
		return state_file_fail(sf, "'%s' is not a count", bad);
	if (n == 0)
		return state_file_fail(sf, "no counts after the zone name (truncated?)");
	if (n > FS_ORDERS)
		return state_file_fail(sf, "%d orders; fragscope handles at most %d", n, FS_ORDERS);
	if (!st->nr_orders)
		st->nr_orders = n;
	else if ((unsigned int)n != st->nr_orders)
		return state_file_fail(sf, "%d orders where earlier lines had %u (truncated?)", n,
				       st->nr_orders);
	return STATE_OK;
}

static int buddyinfo_line(struct state_file *sf, char *line, void *ctx)
{
	struct state *st = ctx;
	uint64_t counts[FS_ORDERS] = { 0 };
	char name[STATE_NAME_LEN], *rest, *bad = NULL;
	struct state_zone *z;
	int node, n, ret;

	rest = state_parse_zone_prefix(line, &node, name);
	if (!rest)
		return state_file_fail(sf, "expected 'Node N, zone NAME' and free block counts");
	n = parse_counts(rest, counts, NULL, &bad);
	ret = check_orders(sf, st, n, bad);
	if (ret)
		return ret;
	z = state_zone_get(st, node, name);
	if (!z)
		return state_file_fail(sf, "more than %d zones", STATE_MAX_ZONES);
	if (z->populated)
		return state_file_fail(sf, "node %d zone %s is listed twice", node, name);
	z->populated = true;
	z->core.nr_orders = n;
	memcpy(z->core.free_blocks, counts, sizeof(counts));
	return STATE_OK;
}

static int buddyinfo_finish(struct state_file *sf, void *ctx)
{
	const struct state *st = ctx;

	for (unsigned int i = 0; i < st->nr_zones; i++)
		if (st->zones[i].populated)
			return STATE_OK;
	return state_fail(sf->err, STATE_ERR_FORMAT, sf->path, "no zones listed (empty file?)");
}

int state_read_buddyinfo(const char *root, struct state *st, struct state_error *err)
{
	return state_read_lines(root, "proc/buddyinfo", err, buddyinfo_line, buddyinfo_finish, st);
}

int state_migratetype_index(const struct state *st, const char *name)
{
	for (unsigned int i = 0; i < st->nr_migratetypes; i++)
		if (!strcmp(st->migratetype_names[i], name))
			return i;
	return -1;
}

enum pti_section { PTI_HEADER, PTI_FREE, PTI_BLOCKS, PTI_MIXED };

struct pti_parser {
	struct state_file *sf; /* the file being read */
	struct state *st;
	enum pti_section section;
	/* bit t: zone i had a free-count line for migratetype t */
	uint32_t types_seen[STATE_MAX_ZONES];
};

static int pti_header_value(struct pti_parser *p, const char *value, uint64_t *field)
{
	uint64_t v;

	while (*value == ' ')
		value++;
	if (!state_parse_u64(value, &v))
		return state_file_fail(p->sf, "'%s' is not a number", value);
	if (*field && *field != v)
		return state_file_fail(p->sf, "%llu where an earlier node said %llu",
				       (unsigned long long)v, (unsigned long long)*field);
	*field = v;
	return STATE_OK;
}

static int pti_free_header(struct pti_parser *p, char *orders)
{
	char *save = NULL, *tok;
	int n = 0;
	uint64_t v;

	for (tok = strtok_r(orders, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save), n++)
		if (!state_parse_u64(tok, &v) || v != (uint64_t)n)
			return state_file_fail(p->sf, "expected order %d in the header, got '%s'", n, tok);
	p->section = PTI_FREE;
	return check_orders(p->sf, p->st, n, NULL);
}

static int pti_add_migratetype(struct pti_parser *p, const char *name)
{
	struct state *st = p->st;
	int t = state_migratetype_index(st, name);

	if (t >= 0)
		return t;
	if (st->nr_migratetypes == FS_MIGRATETYPES)
		return state_file_fail(p->sf, "more than %d migratetypes", FS_MIGRATETYPES);
	snprintf(st->migratetype_names[st->nr_migratetypes], STATE_NAME_LEN, "%s", name);
	return st->nr_migratetypes++;
}

/* "Number of blocks type     Unmovable      Movable ...": the same types as the free counts. */
static int pti_blocks_header(struct pti_parser *p, char *names)
{
	char *save = NULL, *tok;
	unsigned int n = 0;

	for (tok = strtok_r(names, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save), n++)
		if (n >= p->st->nr_migratetypes || strcmp(tok, p->st->migratetype_names[n]))
			return state_file_fail(p->sf, "migratetype '%s' is not in the free counts", tok);
	if (n != p->st->nr_migratetypes)
		return state_file_fail(p->sf, "%u migratetypes where the free counts have %u", n,
				       p->st->nr_migratetypes);
	p->section = PTI_BLOCKS;
	return STATE_OK;
}

static struct state_zone *pti_zone(struct pti_parser *p, char *line, char **rest)
{
	char name[STATE_NAME_LEN];
	struct state_zone *z;
	int node;

	*rest = state_parse_zone_prefix(line, &node, name);
	if (!*rest) {
		state_file_fail(p->sf, "expected 'Node N, zone NAME'");
		return NULL;
	}
	z = state_zone_get(p->st, node, name);
	if (!z)
		state_file_fail(p->sf, "more than %d zones", STATE_MAX_ZONES);
	return z;
}

static int pti_free_line(struct pti_parser *p, char *line)
{
	char type[STATE_NAME_LEN], *rest, *bad = NULL;
	struct state_zone *z = pti_zone(p, line, &rest);
	int end = 0, t, n, ret;

	if (!z)
		return STATE_ERR_FORMAT;
	if (sscanf(rest, ", type %15s%n", type, &end) != 1 || !end)
		return state_file_fail(p->sf, "expected ', type NAME' after the zone");
	t = pti_add_migratetype(p, type);
	if (t < 0)
		return t;
	if (p->types_seen[z - p->st->zones] & (1u << t))
		return state_file_fail(p->sf, "migratetype %s of this zone is listed twice", type);
	p->types_seen[z - p->st->zones] |= 1u << t;
	n = parse_counts(rest + end, z->free_by_type[t], &z->capped_by_type[t], &bad);
	ret = check_orders(p->sf, p->st, n, bad);
	if (ret)
		return ret;
	if (z->capped_by_type[t])
		p->st->pagetypeinfo_capped = true;
	return STATE_OK;
}

static int pti_blocks_line(struct pti_parser *p, char *line)
{
	struct state_zone *z = pti_zone(p, line, &line);
	char *save = NULL, *tok;
	unsigned int n = 0;

	if (!z)
		return STATE_ERR_FORMAT;
	for (tok = strtok_r(line, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save), n++)
		if (n >= p->st->nr_migratetypes || !state_parse_u64(tok, &z->pageblocks[n]))
			return state_file_fail(p->sf, "bad pageblock count '%s'", tok);
	if (n != p->st->nr_migratetypes)
		return state_file_fail(p->sf, "%u pageblock counts for %u migratetypes (truncated?)",
				       n, p->st->nr_migratetypes);
	z->has_pageblocks = true;
	return STATE_OK;
}

static int pti_line(struct state_file *sf, char *line, void *ctx)
{
	struct pti_parser *p = ctx;
	static const char block_order[] = "Page block order:";
	static const char per_block[] = "Pages per block:";
	static const char free_header[] = "Free pages count per migrate type at order";
	static const char blocks_header[] = "Number of blocks type";
	static const char mixed_header[] = "Number of mixed blocks";
	uint64_t order = p->st->pageblock_order;
	int ret;

	p->sf = sf;
	if (!strncmp(line, block_order, sizeof(block_order) - 1)) {
		p->section = PTI_HEADER;
		ret = pti_header_value(p, line + sizeof(block_order) - 1, &order);
		p->st->pageblock_order = order;
		return ret;
	}
	if (!strncmp(line, per_block, sizeof(per_block) - 1))
		return pti_header_value(p, line + sizeof(per_block) - 1, &p->st->pages_per_block);
	if (!strncmp(line, free_header, sizeof(free_header) - 1))
		return pti_free_header(p, line + sizeof(free_header) - 1);
	if (!strncmp(line, blocks_header, sizeof(blocks_header) - 1))
		return pti_blocks_header(p, line + sizeof(blocks_header) - 1);
	if (!strncmp(line, mixed_header, sizeof(mixed_header) - 1)) {
		/* page_owner's mixed-block counts: not used, but they are not pageblock counts. */
		p->section = PTI_MIXED;
		return STATE_OK;
	}
	switch (p->section) {
	case PTI_FREE:
		return pti_free_line(p, line);
	case PTI_BLOCKS:
		return pti_blocks_line(p, line);
	case PTI_MIXED:
		return STATE_OK;
	case PTI_HEADER:
		break;
	}
	return state_file_fail(p->sf, "unexpected line");
}

/* What the watermark check takes from the per-migratetype counts. */
static void pti_derive(struct state *st, struct state_zone *z)
{
	int highatomic = state_migratetype_index(st, "HighAtomic");
	const char *pcptypes[] = { "Unmovable", "Movable", "Reclaimable" };

	memset(z->core.free_blocks_pcptypes, 0, sizeof(z->core.free_blocks_pcptypes));
	for (unsigned int i = 0; i < 3; i++) {
		int t = state_migratetype_index(st, pcptypes[i]);

		for (unsigned int o = 0; t >= 0 && o < st->nr_orders; o++)
			z->core.free_blocks_pcptypes[o] += z->free_by_type[t][o];
	}
	z->core.reserved_highatomic = highatomic < 0 ? 0 :
		z->pageblocks[highatomic] * st->pages_per_block;
	z->core.has_types = 1;
}

static int pti_finish(struct state_file *sf, void *ctx)
{
	struct pti_parser *p = ctx;
	struct state *st = p->st;
	uint32_t all_types = (1u << st->nr_migratetypes) - 1;
	bool any = false;

	for (unsigned int i = 0; i < st->nr_zones; i++) {
		struct state_zone *z = &st->zones[i];

		if (!p->types_seen[i] && !z->has_pageblocks)
			continue;
		any = true;
		if (p->types_seen[i] != all_types || !z->has_pageblocks)
			return state_fail(sf->err, STATE_ERR_FORMAT, sf->path,
					  "node %d zone %s lacks %s (truncated?)", z->core.node,
					  z->core.name,
					  z->has_pageblocks ? "some migratetypes' free counts"
							    : "its pageblock counts");
		pti_derive(st, z);
	}
	if (!any)
		return state_fail(sf->err, STATE_ERR_FORMAT, sf->path,
				  "no zones listed (empty or truncated file?)");
	if (!st->pages_per_block)
		return state_fail(sf->err, STATE_ERR_FORMAT, sf->path, "no 'Pages per block' line");
	st->has_pagetypeinfo = true;
	return STATE_OK;
}

int state_read_pagetypeinfo(const char *root, struct state *st, struct state_error *err)
{
	struct pti_parser p = { .st = st };

	return state_read_lines(root, "proc/pagetypeinfo", err, pti_line, pti_finish, &p);
}
