/* SPDX-License-Identifier: MIT */
/*
 * A bounded cache of decompressed pages, keyed by (source, pfn), with LRU
 * eviction and an open-addressing hash index.  Memory is allocated once at
 * creation: capacity * page_size bytes plus the index.
 */
#ifndef VD_FORMATS_PAGE_CACHE_H
#define VD_FORMATS_PAGE_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "vmdive/dump.h"

struct vd_page_cache;

struct vd_error *vd_page_cache_create(size_t capacity, uint32_t page_size,
				      struct vd_page_cache **ret);
void vd_page_cache_destroy(struct vd_page_cache *cache);

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
