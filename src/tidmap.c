/* SPDX-License-Identifier: MIT */
/* tid -> record, in O(1): open addressing with linear probing over a
 * power-of-two table, grown at half load.  It allocates only when it grows,
 * never per lookup or per event. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define EMPTY 0
#define TOMBSTONE (-1)
#define MIN_CAPACITY 64

static size_t slot_of(pid_t key, size_t mask)
{
	/* Fibonacci hashing spreads consecutive tids across the table. */
	return ((uint32_t)key * 2654435761u) & mask;
}

static int grow(struct tidmap *map, size_t capacity)
{
	struct tidmap_slot *old = map->slots;
	size_t old_capacity = map->capacity, i;

	map->slots = calloc(capacity, sizeof(*map->slots));
	if (!map->slots) {
		map->slots = old;
		return -ENOMEM;
	}
	map->capacity = capacity;
	map->used = 0;
	map->tombstones = 0;
	for (i = 0; i < old_capacity; i++)
		if (old[i].key > 0)
			tidmap_put(map, old[i].key, old[i].value);
	free(old);
	return 0;
}

int tidmap_put(struct tidmap *map, pid_t key, void *value)
{
	size_t mask, i;

	if (key <= 0)
		return -EINVAL;
	if ((map->used + map->tombstones + 1) * 2 > map->capacity) {
		/* Rehash in place when tombstones, not entries, fill it. */
		size_t want = map->capacity ? map->capacity : MIN_CAPACITY;

		while ((map->used + 1) * 2 > want)
			want *= 2;
		if (grow(map, want) < 0)
			return -ENOMEM;
	}
	mask = map->capacity - 1;
	for (i = slot_of(key, mask);; i = (i + 1) & mask) {
		if (map->slots[i].key == key) {
			map->slots[i].value = value;
			return 0;
		}
		if (map->slots[i].key == EMPTY || map->slots[i].key == TOMBSTONE)
			break;
	}
	/* Not present: take the first free slot of the probe. */
	for (i = slot_of(key, mask);; i = (i + 1) & mask) {
		if (map->slots[i].key == EMPTY || map->slots[i].key == TOMBSTONE) {
			if (map->slots[i].key == TOMBSTONE)
				map->tombstones--;
			map->slots[i].key = key;
			map->slots[i].value = value;
			map->used++;
			return 0;
		}
	}
}

static struct tidmap_slot *find_slot(const struct tidmap *map, pid_t key)
{
	size_t mask, i;

	if (!map->capacity || key <= 0)
		return NULL;
	mask = map->capacity - 1;
	for (i = slot_of(key, mask); map->slots[i].key != EMPTY; i = (i + 1) & mask)
		if (map->slots[i].key == key)
			return &map->slots[i];
	return NULL;
}

void *tidmap_get(const struct tidmap *map, pid_t key)
{
	struct tidmap_slot *slot = find_slot(map, key);

	return slot ? slot->value : NULL;
}

void tidmap_del(struct tidmap *map, pid_t key)
{
	struct tidmap_slot *slot = find_slot(map, key);

	if (slot) {
		slot->key = TOMBSTONE;
		slot->value = NULL;
		map->used--;
		map->tombstones++;
		/* Empty again: wipe the deleted markers in place, so the next
		 * tracee neither probes through them nor pays for a rehash. */
		if (map->used == 0) {
			memset(map->slots, 0, map->capacity * sizeof(*map->slots));
			map->tombstones = 0;
		}
	}
}

void tidmap_clear(struct tidmap *map)
{
	if (map->slots)
		memset(map->slots, 0, map->capacity * sizeof(*map->slots));
	map->used = map->tombstones = 0;
}

void tidmap_free(struct tidmap *map)
{
	free(map->slots);
	map->slots = NULL;
	map->capacity = map->used = map->tombstones = 0;
}
