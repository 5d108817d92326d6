// SPDX-License-Identifier: GPL-2.0
#include "model/stack_table.h"

#include <stdlib.h>
#include <string.h>

void stack_table_init(struct stack_table *t)
{
	memset(t, 0, sizeof(*t));
	u64map_init(&t->index);
}

void stack_table_free(struct stack_table *t)
{
	size_t max = t->max;

	for (size_t i = 0; i < t->len; i++)
		free(t->stacks[i].frames);
	free(t->stacks);
	u64map_free(&t->index);
	stack_table_init(t);
	t->max = max;
}

static int same(const struct interned_stack *s, const uint64_t *frames, uint32_t n)
{
	return s->nr_frames == n && !memcmp(s->frames, frames, n * sizeof(*frames));
}

int64_t stack_table_intern(struct stack_table *t, const uint64_t *frames, uint32_t nr_frames)
{
	uint64_t hash = hash_bytes(frames, nr_frames * sizeof(*frames), nr_frames);
	struct interned_stack *s;
	uint64_t *slot, key;
	bool inserted;

	/* Different stacks with equal hashes take the next key: probe until found or free. */
	for (key = hash;; key++) {
		slot = u64map_upsert(&t->index, key, &inserted);
		if (!slot)
			return -1;
		if (inserted)
			break;
		if (same(&t->stacks[*slot - 1], frames, nr_frames))
			return (int64_t)*slot - 1;
	}
	if (t->max && nr_frames && t->len + 1 >= t->max) {
		u64map_remove(&t->index, key);
		t->not_kept++;
		return stack_table_intern(t, frames, 0);
	}
	if ((t->len & (t->len - 1)) == 0) {
		struct interned_stack *grown = realloc(t->stacks, (t->len ? t->len * 2 : 1) * sizeof(*grown));

		if (!grown)
			goto undo;
		t->stacks = grown;
	}
	s = &t->stacks[t->len];
	s->nr_frames = nr_frames;
	s->frames = malloc(nr_frames * sizeof(*frames) + 1);
	if (!s->frames)
		goto undo;
	memcpy(s->frames, frames, nr_frames * sizeof(*frames));
	*slot = ++t->len;
	return (int64_t)t->len - 1;
undo:
	u64map_remove(&t->index, key);
	return -1;
}

const struct interned_stack *stack_table_get(const struct stack_table *t, uint32_t id)
{
	return id < t->len ? &t->stacks[id] : NULL;
}
