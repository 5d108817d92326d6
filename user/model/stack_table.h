/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interned kernel stacks: equal stacks get the same id, so groups compare
 * ids instead of arrays.  Stacks are compared frame by frame, never by
 * hash alone, so two different stacks are never merged.
 */
#ifndef FS_MODEL_STACK_TABLE_H
#define FS_MODEL_STACK_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include "util/u64map.h"

struct interned_stack {
	uint32_t nr_frames;
	uint64_t *frames; /* innermost first */
};

struct stack_table {
	struct interned_stack *stacks;
	size_t len;
	struct u64map index; /* hash (+ probe) -> id + 1 */
	size_t max;          /* at most this many stacks; 0: no bound */
	uint64_t not_kept;   /* stacks asked for once full, given the empty stack's id */
};

void stack_table_init(struct stack_table *t);
void stack_table_free(struct stack_table *t);
/*
 * The id of this stack, interning it if new; -1 if out of memory.  Once
 * the table holds max - 1 stacks, a new stack is not kept: not_kept counts
 * it and it gets the id of the empty stack (nr_frames 0), which the last
 * place is left for.
 */
int64_t stack_table_intern(struct stack_table *t, const uint64_t *frames, uint32_t nr_frames);
const struct interned_stack *stack_table_get(const struct stack_table *t, uint32_t id);

#endif
