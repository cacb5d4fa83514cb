// SPDX-License-Identifier: MIT
/* The LRU page cache: hits, eviction order, index consistency. */
#include <string.h>

#include "formats/page_cache.h"
#include "harness.h"

static struct vd_page_cache *
fill(size_t cap, const void *src, uint64_t first, uint64_t count)
{
	struct vd_page_cache *c = NULL;

	CHECK_OK(vd_page_cache_create(cap, 64, &c));
	for (uint64_t pfn = first; pfn < first + count; pfn++) {
		unsigned char *slot = vd_page_cache_reserve(c);

		memset(slot, (int)(pfn & 0xff), 64);
		vd_page_cache_commit(c, src, pfn);
	}
	return c;
}

TEST(hit_returns_the_stored_page)
{
	static int src;
	struct vd_page_cache *c = fill(8, &src, 100, 8);
	const unsigned char *p = vd_page_cache_get(c, &src, 103);

	CHECK(p && p[0] == 103 && p[63] == 103);
	CHECK(vd_page_cache_get(c, &src, 99) == NULL);
	CHECK(vd_page_cache_get(c, (char *)&src + 1, 103) == NULL);
	vd_page_cache_destroy(c);
}

TEST(evicts_least_recently_used)
{
	static int src;
	struct vd_page_cache *c = fill(4, &src, 0, 4);   // 0 1 2 3
	struct vd_cache_stats st;

	CHECK(vd_page_cache_get(c, &src, 0) != NULL);      // 0 is now recent
	memset(vd_page_cache_reserve(c), 4, 64);            // evicts 1
	vd_page_cache_commit(c, &src, 4);
	CHECK(vd_page_cache_get(c, &src, 1) == NULL);
	CHECK(vd_page_cache_get(c, &src, 0) != NULL);
	CHECK(vd_page_cache_get(c, &src, 2) != NULL);
	CHECK(vd_page_cache_get(c, &src, 4) != NULL);
	vd_page_cache_stats(c, &st);
	CHECK_EQ_U64(st.evictions, 1);
	CHECK_EQ_U64(st.used, 4);
	vd_page_cache_destroy(c);
}

TEST(many_evictions_keep_index_consistent)
{
	static int src;
	struct vd_page_cache *c = fill(16, &src, 0, 16);

	// Stream 10000 pages through: every page must be findable right
	// after insertion and the last 16 must all be present.
	for (uint64_t pfn = 16; pfn < 10016; pfn++) {
		unsigned char *slot = vd_page_cache_reserve(c);
		const unsigned char *p;

		memset(slot, (int)(pfn & 0xff), 64);
		vd_page_cache_commit(c, &src, pfn * 7919);
		p = vd_page_cache_get(c, &src, pfn * 7919);
		CHECK(p && p[5] == (pfn & 0xff));
	}
	for (uint64_t pfn = 10000; pfn < 10016; pfn++)
		CHECK(vd_page_cache_get(c, &src, pfn * 7919) != NULL);
	CHECK(vd_page_cache_get(c, &src, 9999 * 7919) == NULL);
	vd_page_cache_destroy(c);
}

TEST(abort_leaves_nothing_findable)
{
	static int src;
	struct vd_page_cache *c = fill(2, &src, 0, 2);

	vd_page_cache_reserve(c);   // evicts pfn 0
	vd_page_cache_abort(c);
	CHECK(vd_page_cache_get(c, &src, 0) == NULL);
	CHECK(vd_page_cache_get(c, &src, 1) != NULL);
	// The aborted slot is reused first.
	memset(vd_page_cache_reserve(c), 9, 64);
	vd_page_cache_commit(c, &src, 9);
	CHECK(vd_page_cache_get(c, &src, 1) != NULL);
	CHECK(vd_page_cache_get(c, &src, 9) != NULL);
	vd_page_cache_destroy(c);
}

int
main(void)
{
	return RUN_TESTS();
}
