/* SPDX-License-Identifier: MIT */
/*
 * A bounded cache of decompressed pages, keyed by (source, pfn), with LRU
 * eviction and an open-addressing hash index.  Memory is allocated once at
 * creation: capacity * page_size bytes plus the index.
 *
 * The page size comes from the file (a kdump's block size may be anything
 * from 512 bytes to 1 MiB), so callers size the cache in bytes:
 * vd_page_cache_pages() turns a byte budget into a capacity, and
 * vd_page_cache_create() refuses more than VD_PAGE_CACHE_MAX_BYTES.
 */

/* Default budget for a dump's cache: 4096 pages of 4 KiB, 64 of 1 MiB. */
#define VD_PAGE_CACHE_BYTES (16u << 20)
/* No cache is ever bigger than this, whatever the caller asks. */
#define VD_PAGE_CACHE_MAX_BYTES (1ull << 30)
#ifndef VD_FORMATS_PAGE_CACHE_H
#define VD_FORMATS_PAGE_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "vmdive/dump.h"

struct vd_page_cache;

struct vd_error *vd_page_cache_create(size_t capacity, uint32_t page_size,
				      struct vd_page_cache **ret);
void vd_page_cache_destroy(struct vd_page_cache *cache);

/*
 * Pages of page_size that fit in bytes (at least 16, so that a walk that
 * touches a few pages at once does not thrash), at most max_pages when
 * that is not 0.
 */
size_t vd_page_cache_pages(uint64_t bytes, uint32_t page_size, size_t max_pages);

/* The cached page or NULL; a hit makes it most recently used. */
const void *vd_page_cache_get(struct vd_page_cache *cache, const void *src,
			      uint64_t pfn);
/*
 * A slot for (src, pfn), evicting the least recently used page.  The
 * caller fills it and then calls vd_page_cache_commit(); until then the
 * slot is not findable.  Call vd_page_cache_abort() if filling failed.
 */
void *vd_page_cache_reserve(struct vd_page_cache *cache);
void vd_page_cache_commit(struct vd_page_cache *cache, const void *src,
			  uint64_t pfn);
void vd_page_cache_abort(struct vd_page_cache *cache);

void vd_page_cache_stats(const struct vd_page_cache *cache,
			 struct vd_cache_stats *ret);

#endif
