/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An open-addressing hash map from u64 to u64, growing as needed.  The
 * model uses it to find groups by key (stack hash, tid, ...) in O(1).
 */
#ifndef FS_UTIL_U64MAP_H
#define FS_UTIL_U64MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct u64map_slot;

struct u64map {
	struct u64map_slot *slots;
	size_t cap; /* power of two */
	size_t len;
};

void u64map_init(struct u64map *m);
void u64map_free(struct u64map *m);
/* Pointer to the value of key, or NULL. Valid until the next insert. */
uint64_t *u64map_get(const struct u64map *m, uint64_t key);
/* Pointer to the value of key, inserted as 0 if absent; NULL if out of memory. */
uint64_t *u64map_upsert(struct u64map *m, uint64_t key, bool *inserted);
bool u64map_remove(struct u64map *m, uint64_t key);

/* A key for a run of bytes (stacks, names); seed chains several runs into one key. */
uint64_t hash_bytes(const void *data, size_t len, uint64_t seed);

#endif
