// SPDX-License-Identifier: GPL-2.0
/*
 * The HTML report's flame graphs, as JSON for the page's script to draw.
 * They stay small whatever the input: nodes narrower than
 * FLAME_MIN_PER_MILLE of their graph merge into one "[small]" node per
 * parent, and stacks deeper than FLAME_MAX_FRAMES keep their innermost
 * frames below one "[outer frames]" node.
 */
#include "format/html_flame.h"

#include <stdlib.h>
#include <string.h>

#include "util/u64map.h"

#define FLAME_MIN_PER_MILLE 1
#define FLAME_MAX_FRAMES 48

/* A node of a flame graph while it is built; node 0 is the root. */
struct flame_node {
	uint32_t name; /* index into flame.names */
	uint32_t depth;
	uint32_t first_child, next_sibling; /* 0: none (the root is nobody's child) */
	uint64_t value;
};

struct flame {
	const struct report *r;
	struct flame_node *nodes;
	size_t nr_nodes, cap_nodes;
	char **names;
	size_t nr_names, cap_names;
	struct u64map name_index; /* hash of a name -> index + 1 */
	struct u64map child_index; /* parent << 32 | name -> node index */
	uint32_t small, outer;     /* the names "[small]" and "[outer frames]" */
	size_t stacks;
	bool oom;
};

/* A node as written: preorder, its name renumbered among the written names. */
struct flame_out {
	uint32_t name, depth;
	uint64_t value;
};

struct flame_writer {
	const struct flame *f;
	struct flame_out *nodes;
	size_t nr, cap;
	uint32_t *renamed; /* by flame name: written index + 1, 0 if not written yet */
	uint32_t *order;   /* flame names in written order */
	uint32_t nr_written;
	bool oom;
};

static void *grow(void *base, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 64;
	void *p;

	if (need <= *cap)
		return base;
	while (n < need)
		n *= 2;
	p = realloc(base, n * size);
	if (p)
		*cap = n;
	return p;
}

static uint32_t flame_name(struct flame *f, const char *name)
{
	size_t len = strlen(name);

	/* A 64-bit hash per seed; a collision rehashes with the next seed. */
	for (uint64_t seed = 0;; seed++) {
		uint64_t key = hash_bytes(name, len, seed), *slot;
		bool inserted;
		char **names;

		slot = u64map_upsert(&f->name_index, key, &inserted);
		if (!slot)
			break;
		if (!inserted) {
			if (!strcmp(f->names[*slot - 1], name))
				return *slot - 1;
			continue;
		}
		names = grow(f->names, &f->cap_names, f->nr_names + 1, sizeof(*names));
		if (names) {
			f->names = names;
			f->names[f->nr_names] = strdup(name);
		}
		if (!names || !f->names[f->nr_names]) {
			u64map_remove(&f->name_index, key);
			break;
		}
		*slot = ++f->nr_names;
		return *slot - 1;
	}
	f->oom = true;
	return 0;
}

static uint32_t flame_child(struct flame *f, uint32_t parent, uint32_t name, uint64_t weight)
{
	uint64_t key = (uint64_t)parent << 32 | name, *slot;
	struct flame_node *nodes, *n;
	bool inserted;

	slot = u64map_upsert(&f->child_index, key, &inserted);
	if (!slot)
		goto oom;
	if (inserted) {
		nodes = f->nr_nodes < UINT32_MAX ? grow(f->nodes, &f->cap_nodes, f->nr_nodes + 1, sizeof(*nodes)) : NULL;
		if (!nodes) {
			u64map_remove(&f->child_index, key);
			goto oom;
		}
		f->nodes = nodes;
		*slot = f->nr_nodes;
		f->nodes[f->nr_nodes++] = (struct flame_node){
			.name = name,
			.depth = f->nodes[parent].depth + 1,
			.next_sibling = f->nodes[parent].first_child,
		};
		f->nodes[parent].first_child = *slot;
	}
	n = &f->nodes[*slot];
	n->value += weight;
	return *slot;
oom:
	f->oom = true;
	return parent;
}

static void flame_add(void *ctx, const struct stack_sample *s)
{
	struct flame *f = ctx;
	uint32_t node = 0, keep = s->nr;
	char name[256];

	if (f->oom)
		return;
	f->stacks++;
	f->nodes[0].value += s->weight;
	node = flame_child(f, node, flame_name(f, s->root), s->weight);
	if (s->nr > FLAME_MAX_FRAMES) {
		keep = FLAME_MAX_FRAMES - 1;
		node = flame_child(f, node, f->outer, s->weight);
	}
	/* Frames come innermost first; the graph grows from the outermost. */
	for (uint32_t i = keep; i-- > 0 && !f->oom;)
		node = flame_child(f, node, flame_name(f, report_function(f->r, s->frames[i], name, sizeof(name))),
				   s->weight);
}

static void flame_free(struct flame *f)
{
	for (size_t i = 0; i < f->nr_names; i++)
		free(f->names[i]);
	free(f->names);
	free(f->nodes);
	u64map_free(&f->name_index);
	u64map_free(&f->child_index);
}

static int flame_build(struct flame *f, const struct report *r, enum stack_selection sel)
{
	struct report copy = *r;

	memset(f, 0, sizeof(*f));
	copy.opts.stacks = sel;
	f->r = r;
	u64map_init(&f->name_index);
	u64map_init(&f->child_index);
	f->nodes = grow(NULL, &f->cap_nodes, 1, sizeof(*f->nodes));
	if (!f->nodes)
		return -1;
	f->nodes[0] = (struct flame_node){ .name = flame_name(f, "all") };
	f->nr_nodes = 1;
	f->small = flame_name(f, "[small]");
	f->outer = flame_name(f, "[outer frames]");
	report_visit_stacks(&copy, flame_add, f);
	return f->oom ? -1 : 0;
}

static void writer_push(struct flame_writer *w, uint32_t name, uint32_t depth, uint64_t value)
{
	struct flame_out *nodes = grow(w->nodes, &w->cap, w->nr + 1, sizeof(*nodes));

	if (!nodes) {
		w->oom = true;
		return;
	}
	w->nodes = nodes;
	if (!w->renamed[name]) {
		w->order[w->nr_written] = name;
		w->renamed[name] = ++w->nr_written;
	}
	w->nodes[w->nr++] = (struct flame_out){ w->renamed[name] - 1, depth, value };
}

static const struct flame_node *sort_nodes; /* qsort has no context argument */

static int cmp_by_value(const void *pa, const void *pb)
{
	const struct flame_node *a = &sort_nodes[*(const uint32_t *)pa], *b = &sort_nodes[*(const uint32_t *)pb];

	if (a->value != b->value)
		return a->value < b->value ? 1 : -1;
	return a->name < b->name ? -1 : a->name > b->name;
}

/* Preorder: a node, then its children widest first, the narrow ones as one [small]. */
static void writer_walk(struct flame_writer *w, uint32_t idx, uint64_t min_value)
{
	const struct flame_node *nodes = w->f->nodes, *n = &nodes[idx];
	uint64_t small = 0;
	uint32_t *kids, nr = 0;

	writer_push(w, n->name, n->depth, n->value);
	for (uint32_t c = n->first_child; c; c = nodes[c].next_sibling)
		nr++;
	kids = malloc((nr ? nr : 1) * sizeof(*kids));
	if (!kids) {
		w->oom = true;
		return;
	}
	nr = 0;
	for (uint32_t c = n->first_child; c; c = nodes[c].next_sibling) {
		if (nodes[c].value < min_value)
			small += nodes[c].value;
		else
			kids[nr++] = c;
	}
	sort_nodes = nodes;
	qsort(kids, nr, sizeof(*kids), cmp_by_value);
	for (uint32_t i = 0; i < nr && !w->oom; i++)
		writer_walk(w, kids[i], min_value);
	if (small)
		writer_push(w, w->f->small, n->depth + 1, small);
	free(kids);
}

int html_write_flame(struct json *j, const char *key, const char *title, const char *unit,
			const struct report *r, enum stack_selection sel)
{
	struct flame f;
	struct flame_writer w = {};
	uint64_t min_value;
	int rc = -1;

	if (flame_build(&f, r, sel))
		goto out;
	w.f = &f;
	w.renamed = calloc(f.nr_names, sizeof(*w.renamed));
	w.order = calloc(f.nr_names, sizeof(*w.order));
	if (!w.renamed || !w.order)
		goto out;
	min_value = f.nodes[0].value * FLAME_MIN_PER_MILLE / 1000;
	writer_walk(&w, 0, min_value ? min_value : 1);
	if (w.oom)
		goto out;
	json_object_begin(j);
	json_kv_string(j, "key", key);
	json_kv_string(j, "title", title);
	json_kv_string(j, "unit", unit);
	json_kv_u64(j, "stacks", f.stacks);
	json_key(j, "names");
	json_array_begin(j);
	for (uint32_t i = 0; i < w.nr_written; i++)
		json_string(j, f.names[w.order[i]]);
	json_array_end(j);
	json_key(j, "nodes"); /* name, value, depth of each node in preorder */
	json_array_begin(j);
	for (size_t i = 0; i < w.nr; i++) {
		json_u64(j, w.nodes[i].name);
		json_u64(j, w.nodes[i].value);
		json_u64(j, w.nodes[i].depth);
	}
	json_array_end(j);
	json_object_end(j);
	rc = 0;
out:
	free(w.nodes);
	free(w.renamed);
	free(w.order);
	flame_free(&f);
	return rc;
}
