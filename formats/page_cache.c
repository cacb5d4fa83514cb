// SPDX-License-Identifier: MIT
/*
 * LRU page cache.  Slots live in one array; a doubly linked list threads
 * them in recency order (head = most recent) and the common hash table
 * (common/hashtab.h: linear probing, backward-shift deletion) indexes
 * them by (src, pfn).  It has at least twice as many slots as the cache
 * has pages, so probes stay short.
 */
#include <stdlib.h>

#include "common/hashtab.h"
#include "common/util.h"
#include "page_cache.h"

#define NIL UINT32_MAX

struct slot {
	const void *src;
	uint64_t pfn;
	uint32_t prev, next;
	bool indexed;           /* in the hash table */
};

struct vd_page_cache {
	size_t capacity, used;
	uint32_t page_size;
	unsigned char *data;
	struct slot *slots;
	struct vd_htab index;   /* (src, pfn) -> slot */
	uint32_t head, tail;    /* LRU list */
	uint32_t reserved;      /* slot handed out by reserve() */
	struct vd_cache_stats stats;
};

/* vd_htab_home() mixes it further: consecutive pfns spread well. */
static uint64_t
hash(const void *src, uint64_t pfn)
{
	return pfn ^ ((uintptr_t)src >> 4) * 0x9e3779b97f4a7c15ull;
}

static uint64_t
slot_hash(void *priv, uint32_t i)
{
	const struct vd_page_cache *c = priv;

	return hash(c->slots[i].src, c->slots[i].pfn);
}

struct vd_error *
vd_page_cache_create(size_t capacity, uint32_t page_size,
		     struct vd_page_cache **ret)
{
	struct vd_page_cache *c;
	struct vd_error *err;

	if (capacity < 1 || capacity > (1u << 24) || !page_size ||
	    (uint64_t)capacity * page_size > VD_PAGE_CACHE_MAX_BYTES)
		return vd_error_create(VD_ERR_INVALID_ARG,
				       "page cache of %zu pages of %u bytes",
				       capacity, page_size);
	c = calloc(1, sizeof(*c));
	if (!c)
		return &vd_enomem;
	c->data = malloc(capacity * page_size);
	c->slots = calloc(capacity, sizeof(*c->slots));
	if (!c->data || !c->slots) {
		vd_page_cache_destroy(c);
		return &vd_enomem;
	}
	if ((err = vd_htab_init(&c->index, capacity))) {
		vd_page_cache_destroy(c);
		return err;
	}
	c->capacity = capacity;
	c->page_size = page_size;
	c->head = c->tail = c->reserved = NIL;
	c->stats.capacity = capacity;
	*ret = c;
	return NULL;
}

size_t
vd_page_cache_pages(uint64_t bytes, uint32_t page_size, size_t max_pages)
{
	uint64_t n = page_size ? bytes / page_size : 0;

	if (max_pages && n > max_pages)
		n = max_pages;
	if (n < 16)
		n = 16;
	return (size_t)VD_MIN(n, (uint64_t)1 << 24);
}

void
vd_page_cache_destroy(struct vd_page_cache *c)
{
	if (!c)
		return;
	free(c->data);
	free(c->slots);
	vd_htab_free(&c->index);
	free(c);
}

static void
list_unlink(struct vd_page_cache *c, uint32_t i)
{
	struct slot *s = &c->slots[i];

	if (s->prev != NIL)
		c->slots[s->prev].next = s->next;
	else
		c->head = s->next;
	if (s->next != NIL)
		c->slots[s->next].prev = s->prev;
	else
		c->tail = s->prev;
	s->prev = s->next = NIL;
}

static void
list_push_head(struct vd_page_cache *c, uint32_t i)
{
	struct slot *s = &c->slots[i];

	s->prev = NIL;
	s->next = c->head;
	if (c->head != NIL)
		c->slots[c->head].prev = i;
	c->head = i;
	if (c->tail == NIL)
		c->tail = i;
}

/* Remove slot i from the hash table. */
static void
table_remove(struct vd_page_cache *c, uint32_t i)
{
	if (!c->slots[i].indexed)
		return;
	vd_htab_remove(&c->index, hash(c->slots[i].src, c->slots[i].pfn), i, slot_hash, c);
	c->slots[i].indexed = false;
}

const void *
vd_page_cache_get(struct vd_page_cache *c, const void *src, uint64_t pfn)
{
	struct vd_htab_probe p;

	for (uint32_t i = vd_htab_first(&c->index, hash(src, pfn), &p); i != VD_HTAB_END;
	     i = vd_htab_next(&c->index, &p)) {
		if (c->slots[i].pfn == pfn && c->slots[i].src == src) {
			c->stats.hits++;
			if (c->head != i) {
				list_unlink(c, i);
				list_push_head(c, i);
			}
			return c->data + (size_t)i * c->page_size;
		}
	}
	c->stats.misses++;
	return NULL;
}

void *
vd_page_cache_reserve(struct vd_page_cache *c)
{
	uint32_t i;

	if (c->used < c->capacity) {
		i = (uint32_t)c->used++;
		c->slots[i].indexed = false;
		c->slots[i].prev = c->slots[i].next = NIL;
	} else {
		i = c->tail;
		list_unlink(c, i);
		table_remove(c, i);
		c->stats.evictions++;
	}
	c->reserved = i;
	return c->data + (size_t)i * c->page_size;
}

void
vd_page_cache_commit(struct vd_page_cache *c, const void *src, uint64_t pfn)
{
	uint32_t i = c->reserved;
	struct vd_error *err;

	c->reserved = NIL;
	c->slots[i].src = src;
	c->slots[i].pfn = pfn;
	// Never more entries than pages, the table was made for them: no
	// growth, no error.
	err = vd_htab_add(&c->index, hash(src, pfn), i, NULL, NULL);
	c->slots[i].indexed = !err;
	vd_error_destroy(err);
	list_push_head(c, i);
}

void
vd_page_cache_abort(struct vd_page_cache *c)
{
	// The slot stays allocated but unindexed; park it at the LRU tail.
	uint32_t i = c->reserved;

	c->reserved = NIL;
	if (i == NIL)
		return;
	c->slots[i].prev = c->tail;
	c->slots[i].next = NIL;
	if (c->tail != NIL)
		c->slots[c->tail].next = i;
	else
		c->head = i;
	c->tail = i;
}

void
vd_page_cache_stats(const struct vd_page_cache *c, struct vd_cache_stats *ret)
{
	*ret = c->stats;
	ret->used = c->used;
}
