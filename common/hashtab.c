// SPDX-License-Identifier: MIT
/* The one hash table: see hashtab.h. */
#include <stdlib.h>
#include <string.h>

#include "hashtab.h"

uint32_t
vd_htab_slots_for(uint64_t n)
{
	uint64_t size = 8;

	if (n > VD_HTAB_SLOTS_MAX / 2)
		return 0;
	while (size < 2 * n)
		size <<= 1;
	return (uint32_t)size;
}

struct vd_error *
vd_htab_init(struct vd_htab *t, uint64_t n)
{
	uint32_t size = vd_htab_slots_for(n);

	*t = (struct vd_htab){ 0 };
	if (!size)
		return vd_error_create(VD_ERR_INVALID_ARG,
				       "hash table for %llu entries: too many",
				       (unsigned long long)n);
	if (!(t->slot = calloc(size, sizeof(*t->slot))))
		return &vd_enomem;
	t->mask = size - 1;
	return NULL;
}

bool
vd_htab_borrow(struct vd_htab *t, const uint32_t *slot, uint64_t nslots, uint32_t nidx)
{
	uint32_t n = 0;

	*t = (struct vd_htab){ 0 };
	if (!slot || !nslots || nslots > VD_HTAB_SLOTS_MAX || (nslots & (nslots - 1)))
		return false;
	for (uint64_t i = 0; i < nslots; i++) {
		if (slot[i] > nidx)
			return false;
		n += slot[i] != 0;
	}
	if (n == nslots)
		return false;       // no empty slot: a probe would never end
	*t = (struct vd_htab){
		.slot = (uint32_t *)slot, .mask = (uint32_t)(nslots - 1), .n = n,
		.borrowed = true,
	};
	return true;
}

bool
vd_htab_borrow_unchecked(struct vd_htab *t, const uint32_t *slot, uint64_t nslots)
{
	*t = (struct vd_htab){ 0 };
	if (!slot || !nslots || nslots > VD_HTAB_SLOTS_MAX || (nslots & (nslots - 1)))
		return false;
	*t = (struct vd_htab){
		.slot = (uint32_t *)slot, .mask = (uint32_t)(nslots - 1), .borrowed = true,
	};
	return true;
}

/* Put entry e (idx + 1) at the first empty slot of h's chain (room known). */
static void
place(uint32_t *slot, uint32_t mask, uint64_t h, uint32_t e)
{
	uint32_t s = vd_htab_home(h, mask);

	while (slot[s])
		s = (s + 1) & mask;
	slot[s] = e;
}

static struct vd_error *
grow(struct vd_htab *t, vd_htab_hash_fn hash, void *priv)
{
	uint64_t size = t->slot ? 2 * ((uint64_t)t->mask + 1) : 8;
	uint32_t *slot;

	if (!hash)
		return vd_error_create(VD_ERR_INVALID_ARG,
				       "hash table full and no way to rehash");
	if (size > VD_HTAB_SLOTS_MAX)
		return vd_error_create(VD_ERR_INVALID_ARG,
				       "hash table of %u entries: too many", t->n);
	if (!(slot = calloc(size, sizeof(*slot))))
		return &vd_enomem;
	for (uint64_t i = 0; t->slot && i <= t->mask; i++)
		if (t->slot[i])
			place(slot, (uint32_t)(size - 1), hash(priv, t->slot[i] - 1),
			      t->slot[i]);
	free(t->slot);
	t->slot = slot;
	t->mask = (uint32_t)(size - 1);
	return NULL;
}

struct vd_error *
vd_htab_add(struct vd_htab *t, uint64_t h, uint32_t idx, vd_htab_hash_fn hash, void *priv)
{
	struct vd_error *err;

	if (t->borrowed)
		return vd_error_create(VD_ERR_INVALID_ARG, "adding to a borrowed hash table");
	if (idx > VD_HTAB_IDX_MAX)
		return vd_error_create(VD_ERR_INVALID_ARG, "hash table index %u too large",
				       idx);
	if ((!t->slot || 2 * ((uint64_t)t->n + 1) > (uint64_t)t->mask + 1) &&
	    (err = grow(t, hash, priv)))
		return err;
	place(t->slot, t->mask, h, idx + 1);
	t->n++;
	return NULL;
}

bool
vd_htab_remove(struct vd_htab *t, uint64_t h, uint32_t idx, vd_htab_hash_fn hash,
	       void *priv)
{
	uint32_t hole, j;

	if (!t->slot || t->borrowed)
		return false;
	for (hole = vd_htab_home(h, t->mask); t->slot[hole] != idx + 1;
	     hole = (hole + 1) & t->mask)
		if (!t->slot[hole])
			return false;
	// Backward shift: move each later entry of the chain whose home is not
	// cyclically in (hole, j] into the hole, until an empty slot.
	for (j = (hole + 1) & t->mask; t->slot[j]; j = (j + 1) & t->mask) {
		uint32_t home = vd_htab_home(hash(priv, t->slot[j] - 1), t->mask);

		if (((j - home) & t->mask) >= ((j - hole) & t->mask)) {
			t->slot[hole] = t->slot[j];
			hole = j;
		}
	}
	t->slot[hole] = 0;
	t->n--;
	return true;
}

void
vd_htab_clear(struct vd_htab *t)
{
	if (t->slot && !t->borrowed)
		memset(t->slot, 0, ((size_t)t->mask + 1) * sizeof(*t->slot));
	if (!t->borrowed)
		t->n = 0;
}

void
vd_htab_free(struct vd_htab *t)
{
	if (!t->borrowed)
		free(t->slot);
	*t = (struct vd_htab){ 0 };
}
