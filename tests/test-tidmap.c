/* SPDX-License-Identifier: MIT */
/* The tracer's tid table (src/tidmap.c, built into this test directly: its
 * symbols are not exported).  Pure: no tracing. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "test-common.h"
#include "../src/internal.h"

static void *value_of(pid_t key)
{
	return (void *)(uintptr_t)(key * 2 + 1);
}

START_TEST(put_get_del)
{
	struct tidmap map = { 0 };
	pid_t key;

	ck_assert_ptr_null(tidmap_get(&map, 1));
	ck_assert_int_eq(tidmap_put(&map, 0, value_of(0)), -EINVAL);
	ck_assert_int_eq(tidmap_put(&map, -1, value_of(0)), -EINVAL);
	/* Consecutive tids, as the kernel hands them out, and far ones. */
	for (key = 1; key <= 5000; key++)
		ck_assert_int_eq(tidmap_put(&map, key, value_of(key)), 0);
	for (key = 4194304 - 100; key < 4194304; key++)
		ck_assert_int_eq(tidmap_put(&map, key, value_of(key)), 0);
	ck_assert_uint_eq(map.used, 5100);
	for (key = 1; key <= 5000; key++)
		ck_assert_ptr_eq(tidmap_get(&map, key), value_of(key));
	ck_assert_ptr_null(tidmap_get(&map, 5001));
	/* Replacing keeps one entry. */
	ck_assert_int_eq(tidmap_put(&map, 7, value_of(8)), 0);
	ck_assert_ptr_eq(tidmap_get(&map, 7), value_of(8));
	ck_assert_uint_eq(map.used, 5100);
	/* Deleting every other key leaves the rest reachable past the markers. */
	for (key = 1; key <= 5000; key += 2)
		tidmap_del(&map, key);
	for (key = 1; key <= 5000; key++)
		ck_assert_ptr_eq(tidmap_get(&map, key), key % 2 ? NULL : value_of(key == 7 ? 8 : key));
	tidmap_del(&map, 12345678);	/* absent: nothing happens */
	ck_assert_uint_eq(map.used, 2600);
	tidmap_free(&map);
	ck_assert_ptr_null(tidmap_get(&map, 2));
}
END_TEST

START_TEST(churn_keeps_the_table_small)
{
	struct tidmap map = { 0 };
	size_t capacity;
	pid_t key;

	ck_assert_int_eq(tidmap_put(&map, 1, value_of(1)), 0);
	capacity = map.capacity;
	/* Threads that come and go one at a time: the deleted markers must
	 * not make the table grow. */
	for (key = 2; key < 200000; key++) {
		ck_assert_int_eq(tidmap_put(&map, key, value_of(key)), 0);
		tidmap_del(&map, key);
	}
	ck_assert_uint_eq(map.capacity, capacity);
	ck_assert_ptr_eq(tidmap_get(&map, 1), value_of(1));
	tidmap_del(&map, 1);
	/* Empty: the markers are wiped in place. */
	ck_assert_uint_eq(map.used, 0);
	ck_assert_uint_eq(map.tombstones, 0);
	tidmap_free(&map);
}
END_TEST

TEST_SUITE(tidmap, false)
{
	ADD_CASE(s, put_get_del);
	ADD_CASE(s, churn_keeps_the_table_small);
}
