// SPDX-License-Identifier: GPL-2.0
#include "util/u64map.h"

#include <stdlib.h>
#include <string.h>

struct u64map_slot {
	uint64_t key;
	uint64_t value;
	bool used;
};

void u64map_init(struct u64map *m)
{
	memset(m, 0, sizeof(*m));
}

void u64map_free(struct u64map *m)
{
	free(m->slots);
	u64map_init(m);
}

static uint64_t hash_u64(uint64_t x)
{
	/* splitmix64 finaliser: cheap and spreads sequential keys. */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

uint64_t hash_bytes(const void *data, size_t len, uint64_t seed)
{
	const unsigned char *p = data;
	uint64_t h = seed ^ 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return hash_u64(h);
}

static size_t find(const struct u64map *m, uint64_t key)
{
	size_t mask = m->cap - 1, i = hash_u64(key) & mask;

	while (m->slots[i].used && m->slots[i].key != key)
		i = (i + 1) & mask;
	return i;
}

uint64_t *u64map_get(const struct u64map *m, uint64_t key)
{
	size_t i;

	if (!m->cap)
		return NULL;
	i = find(m, key);
	return m->slots[i].used ? &m->slots[i].value : NULL;
}

static bool grow(struct u64map *m)
{
	struct u64map old = *m;

	m->cap = old.cap ? old.cap * 2 : 64;
	m->slots = calloc(m->cap, sizeof(*m->slots));
	if (!m->slots) {
		*m = old;
		return false;
	}
	for (size_t i = 0; i < old.cap; i++) {
		if (old.slots[i].used) {
			size_t j = find(m, old.slots[i].key);

			m->slots[j] = old.slots[i];
		}
	}
	free(old.slots);
	return true;
}

uint64_t *u64map_upsert(struct u64map *m, uint64_t key, bool *inserted)
{
	size_t i;

	*inserted = false;
	/* Keep the load factor under 1/2 so probe chains stay short. */
	if ((m->len + 1) * 2 > m->cap && !grow(m))
		return NULL;
	i = find(m, key);
	if (!m->slots[i].used) {
		m->slots[i] = (struct u64map_slot){ .key = key, .value = 0, .used = true };
		m->len++;
		*inserted = true;
	}
	return &m->slots[i].value;
}

bool u64map_remove(struct u64map *m, uint64_t key)
{
	size_t mask, i, j;

	if (!m->cap)
		return false;
	mask = m->cap - 1;
	i = find(m, key);
	if (!m->slots[i].used)
		return false;
	/* Backward-shift deletion keeps lookups correct without tombstones. */
	for (j = (i + 1) & mask; m->slots[j].used; j = (j + 1) & mask) {
		size_t home = hash_u64(m->slots[j].key) & mask;

		if (((j - home) & mask) >= ((j - i) & mask)) {
			m->slots[i] = m->slots[j];
			i = j;
		}
	}
	m->slots[i].used = false;
	m->len--;
	return true;
}
