// SPDX-License-Identifier: MIT
/*
 * common/hashtab: the one hash table.  Keys live in the test's arrays; the
 * expected answers come from a brute-force scan of those arrays.
 */
#include <stdlib.h>

#include "common/hashtab.h"
#include "harness.h"

#define NKEYS 200000

static uint64_t keys[NKEYS];
static bool live[NKEYS];
static uint64_t const_hash = 0;
static bool use_const;

static uint64_t
key_hash(uint64_t k)
{
	return use_const ? const_hash : k * 0xff51afd7ed558ccdull;
}

static uint64_t
rehash(void *priv, uint32_t idx)
{
	return key_hash(((const uint64_t *)priv)[idx]);
}

/* The index of key k through the table, VD_HTAB_END if absent. */
static uint32_t
find(const struct vd_htab *t, uint64_t k)
{
	struct vd_htab_probe p;

	for (uint32_t i = vd_htab_first(t, key_hash(k), &p); i != VD_HTAB_END;
	     i = vd_htab_next(t, &p))
		if (keys[i] == k && live[i])
			return i;
	return VD_HTAB_END;
}

static uint64_t rng = 0x1234567;

static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

TEST(grows_and_finds_every_key)
{
	struct vd_htab t = { 0 };
	uint32_t n = 0;

	use_const = false;
	for (uint32_t i = 0; i < NKEYS; i++) {
		keys[i] = 0x1000 + 8ull * i;   /* addresses: aligned, sequential */
		live[i] = true;
		CHECK_OK(vd_htab_add(&t, key_hash(keys[i]), i, rehash, keys));
		n++;
	}
	CHECK_EQ_U64(t.n, n);
	CHECK(((uint64_t)t.mask + 1) >= 2ull * n);        /* at most half full */
	CHECK_EQ_U64((t.mask + 1) & t.mask, 0);           /* a power of two */
	for (uint32_t i = 0; i < NKEYS; i += 7)
		CHECK_EQ_U64(find(&t, keys[i]), i);
	CHECK_EQ_U64(find(&t, 0x1004), VD_HTAB_END);
	CHECK_EQ_U64(find(&t, 0x1000 + 8ull * NKEYS), VD_HTAB_END);
	vd_htab_free(&t);
	CHECK(!t.slot && !t.n);
}

TEST(equal_keys_come_in_the_order_added)
{
	struct vd_htab t = { 0 };
	struct vd_htab_probe p;
	uint32_t got[3], ngot = 0;

	use_const = false;
	keys[0] = keys[1] = keys[2] = 42;
	keys[3] = 43;
	for (uint32_t i = 0; i < 4; i++)
		CHECK_OK(vd_htab_add(&t, key_hash(keys[i]), i, rehash, keys));
	for (uint32_t i = vd_htab_first(&t, key_hash(42), &p); i != VD_HTAB_END;
	     i = vd_htab_next(&t, &p))
		if (keys[i] == 42 && ngot < 3)
			got[ngot++] = i;
	CHECK_EQ_U64(ngot, 3);
	CHECK_EQ_U64(got[0], 0);
	CHECK_EQ_U64(got[1], 1);
	CHECK_EQ_U64(got[2], 2);
	vd_htab_free(&t);
}

/* Every key in one chain that wraps past the table's end; delete half. */
TEST(collisions_wrap_and_delete)
{
	struct vd_htab t;
	uint32_t n = 60;

	CHECK_OK(vd_htab_init(&t, 64));
	CHECK_EQ_U64(t.mask, 127);
	use_const = true;
	for (const_hash = 0; vd_htab_home(const_hash, t.mask) != 120; const_hash++)
		;
	for (uint32_t i = 0; i < n; i++) {
		keys[i] = 1000 + i;
		live[i] = true;
		CHECK_OK(vd_htab_add(&t, const_hash, i, NULL, NULL));   /* room known */
	}
	CHECK(t.slot[0] != 0);                      /* it wrapped */
	for (uint32_t i = 0; i < n; i++)
		CHECK_EQ_U64(find(&t, keys[i]), i);
	// Remove every other key, from the middle of the chain outwards.
	for (uint32_t i = 0; i < n; i += 2) {
		CHECK(vd_htab_remove(&t, const_hash, i, rehash, keys));
		live[i] = false;
		CHECK(!vd_htab_remove(&t, const_hash, i, rehash, keys));  /* gone */
	}
	CHECK_EQ_U64(t.n, n / 2);
	for (uint32_t i = 0; i < n; i++)
		CHECK_EQ_U64(find(&t, keys[i]), i % 2 ? i : VD_HTAB_END);
	// No tombstones: the chain is as long as what is left.
	{
		uint32_t used = 0;

		for (uint32_t s = 0; s <= t.mask; s++)
			used += t.slot[s] != 0;
		CHECK_EQ_U64(used, n / 2);
	}
	use_const = false;
	vd_htab_free(&t);
}

/* Random adds and removes against a brute-force reference. */
TEST(random_adds_and_removes_match_a_scan)
{
	struct vd_htab t = { 0 };
	uint32_t n = 4096, nlive = 0;

	use_const = false;
	for (uint32_t i = 0; i < n; i++) {
		keys[i] = rnd() % 3000 + 1;   /* repeats on purpose */
		live[i] = false;
	}
	for (int step = 0; step < 100000; step++) {
		uint32_t i = (uint32_t)(rnd() % n);

		if (live[i]) {
			CHECK(vd_htab_remove(&t, key_hash(keys[i]), i, rehash, keys));
			live[i] = false;
			nlive--;
		} else {
			CHECK_OK(vd_htab_add(&t, key_hash(keys[i]), i, rehash, keys));
			live[i] = true;
			nlive++;
		}
	}
	CHECK_EQ_U64(t.n, nlive);
	for (uint32_t i = 0; i < n; i++) {
		struct vd_htab_probe p;
		bool found = false;

		for (uint32_t j = vd_htab_first(&t, key_hash(keys[i]), &p); j != VD_HTAB_END;
		     j = vd_htab_next(&t, &p))
			found |= j == i;
		CHECK(found == live[i]);
	}
	vd_htab_free(&t);
}

TEST(hostile_sizes)
{
	struct vd_htab t;
	struct vd_htab_probe p;
	uint32_t full[16], bad[16] = { 0 }, cands = 0;
	struct vd_error *err;

	CHECK_EQ_U64(vd_htab_slots_for(0), 8);
	CHECK_EQ_U64(vd_htab_slots_for(5), 16);
	CHECK_EQ_U64(vd_htab_slots_for(1u << 30), 1u << 31);
	CHECK_EQ_U64(vd_htab_slots_for((1u << 30) + 1), 0);
	CHECK_EQ_U64(vd_htab_slots_for(UINT64_MAX / 2), 0);
	err = vd_htab_init(&t, 1ull << 40);
	CHECK(err && err->code == VD_ERR_INVALID_ARG && !t.slot);
	vd_error_destroy(err);

	// A cache file's table: size not a power of two, entries out of range.
	CHECK(!vd_htab_borrow(&t, bad, 12, 100));
	CHECK(!vd_htab_borrow(&t, bad, 0, 100));
	CHECK(!vd_htab_borrow(&t, NULL, 16, 100));
	bad[3] = 101;
	CHECK(!vd_htab_borrow(&t, bad, 16, 100));
	CHECK(!t.slot);

	// No empty slot at all: refused (a probe would never end).
	for (int i = 0; i < 16; i++)
		full[i] = 1;
	CHECK(!vd_htab_borrow(&t, full, 16, 1));
	CHECK(!t.slot);
	// One empty slot: accepted, and every probe ends there.
	full[5] = 0;
	CHECK(vd_htab_borrow(&t, full, 16, 1));
	CHECK_EQ_U64(t.n, 15);
	for (uint32_t i = vd_htab_first(&t, 99, &p); i != VD_HTAB_END; i = vd_htab_next(&t, &p))
		cands++;
	CHECK(cands < 16);
	// Borrowed: never written.
	err = vd_htab_add(&t, 1, 0, rehash, keys);
	CHECK(err);
	vd_error_destroy(err);
	CHECK(!vd_htab_remove(&t, 99, 0, rehash, keys));
	vd_htab_clear(&t);
	CHECK_EQ_U64(full[0], 1);
	vd_htab_free(&t);                          /* not ours: not freed */
	CHECK_EQ_U64(full[15], 1);

	// An index that cannot be stored; a full table with no way to rehash.
	CHECK_OK(vd_htab_init(&t, 2));            /* 8 slots: room for 4 */
	err = vd_htab_add(&t, 1, VD_HTAB_IDX_MAX + 1, NULL, NULL);
	CHECK(err);
	vd_error_destroy(err);
	for (uint32_t i = 0; i < 4; i++)
		CHECK_OK(vd_htab_add(&t, i, i, NULL, NULL));
	err = vd_htab_add(&t, 9, 9, NULL, NULL);
	CHECK(err && err->code == VD_ERR_INVALID_ARG);
	vd_error_destroy(err);
	CHECK_EQ_U64(t.n, 4);
	vd_htab_clear(&t);
	CHECK_EQ_U64(t.n, 0);
	CHECK_EQ_U64(vd_htab_first(&t, 1, &p), VD_HTAB_END);
	vd_htab_free(&t);
	// An empty table answers nothing.
	CHECK_EQ_U64(vd_htab_first(&t, 1, &p), VD_HTAB_END);
	CHECK(!vd_htab_remove(&t, 1, 0, rehash, keys));
}

int
main(void)
{
	return RUN_TESTS();
}
