/* SPDX-License-Identifier: MIT */
/*
 * The one hash table of the tree: open addressing, linear probing, over a
 * power-of-two array of uint32_t entries; 0 is an empty slot, any other
 * entry is idx + 1 for an index into the caller's own array of keys.
 * The table never holds a key, so one shape serves every key type: names
 * in a string blob (kallsyms, BTF), type ids (converted BTF types),
 * addresses (list walks), (file, pfn) pairs (the page cache).  The caller
 * hashes its key to 64 bits and compares candidates itself; the table
 * spreads the hash over its slots (vd_htab_home), probes, grows, and
 * deletes by backward shift (no tombstones: probe chains stay short).
 *
 * A table may borrow its slots from elsewhere (a cache file, read by
 * mmap): a borrowed table is never written to, and one without an empty
 * slot is refused, so that every probe ends at an empty slot -- as in the
 * tables made here, which are never more than half full.
 *
 * Lookups are inline (two hot paths: symbol names and the page cache):
 *
 *	struct vd_htab_probe p;
 *	for (uint32_t i = vd_htab_first(t, h, &p); i != VD_HTAB_END;
 *	     i = vd_htab_next(t, &p))
 *		if (key_equal(i, want)) return i;
 */
#ifndef VD_COMMON_HASHTAB_H
#define VD_COMMON_HASHTAB_H

#include <stdbool.h>
#include <stdint.h>

#include "vmdive/error.h"

#define VD_HTAB_END UINT32_MAX
/* Largest index a table holds (idx + 1 must fit, and differ from END). */
#define VD_HTAB_IDX_MAX (UINT32_MAX - 2)
/* Largest number of slots: 2^31 (8 GiB of slots is not a table, a bug). */
#define VD_HTAB_SLOTS_MAX (1u << 31)

struct vd_htab {
	uint32_t *slot;           /* mask + 1 entries; NULL when empty */
	uint32_t mask;
	uint32_t n;               /* entries in use */
	bool borrowed;            /* slot is not ours: read-only */
};

struct vd_htab_probe {
	uint32_t pos;
};

/* The hash of a key for the table's callers: rehash on growth/deletion. */
typedef uint64_t (*vd_htab_hash_fn)(void *priv, uint32_t idx);

/* The home slot of hash h (Fibonacci hashing of h folded on itself). */
static inline uint32_t
vd_htab_home(uint64_t h, uint32_t mask)
{
	return (uint32_t)((h ^ h >> 29) * 0x9e3779b97f4a7c15ull >> 32) & mask;
}

/* Next candidate index, VD_HTAB_END after the last. */
static inline uint32_t
vd_htab_next(const struct vd_htab *t, struct vd_htab_probe *p)
{
	uint32_t e = t->slot[p->pos];

	if (!e)
		return VD_HTAB_END;
	p->pos = (p->pos + 1) & t->mask;
	return e - 1;
}

/* First candidate index for hash h, VD_HTAB_END when there is none. */
static inline uint32_t
vd_htab_first(const struct vd_htab *t, uint64_t h, struct vd_htab_probe *p)
{
	if (!t->slot) {
		p->pos = 0;
		return VD_HTAB_END;
	}
	p->pos = vd_htab_home(h, t->mask);
	return vd_htab_next(t, p);
}

/* Slots for n entries at most half full (power of two, >= 8); 0: too many. */
uint32_t vd_htab_slots_for(uint64_t n);

/* An empty table with room for n entries before it grows. */
struct vd_error *vd_htab_init(struct vd_htab *t, uint64_t n);

/*
 * Borrow nslots entries at slot (from a cache file): false, and the table
 * left empty, unless nslots is a power of two within VD_HTAB_SLOTS_MAX,
 * every entry is 0 or at most nidx (an index the caller holds), and at
 * least one slot is empty.
 */
bool vd_htab_borrow(struct vd_htab *t, const uint32_t *slot, uint64_t nslots,
		    uint32_t nidx);
/*
 * Borrow without reading the slots (a cache file whose blocks are checked
 * as they are read): false unless nslots is a power of two within
 * VD_HTAB_SLOTS_MAX.  Nothing is known of the entries: the caller checks
 * each slot before a probe reads it, checks each index it gets, and
 * bounds its probes by the slot count (there may be no empty slot).
 */
bool vd_htab_borrow_unchecked(struct vd_htab *t, const uint32_t *slot, uint64_t nslots);

/*
 * Add idx under hash h (no check for an equal key: the caller looks up
 * first when it wants a set).  Grows the table to keep it at most half
 * full, rehashing every entry through hash(priv, idx); hash may be NULL
 * for a table made by vd_htab_init() for at least as many entries as are
 * ever added.  Later entries of equal keys come later in a probe.
 */
struct vd_error *vd_htab_add(struct vd_htab *t, uint64_t h, uint32_t idx,
			     vd_htab_hash_fn hash, void *priv);

/*
 * Remove idx (added under hash h), shifting later entries of its probe
 * chain back (their hashes from hash()); false when it is not there.
 */
bool vd_htab_remove(struct vd_htab *t, uint64_t h, uint32_t idx,
		    vd_htab_hash_fn hash, void *priv);

/* Remove every entry, keeping the slots. */
void vd_htab_clear(struct vd_htab *t);

/* Free the slots (unless borrowed); the table is empty after. */
void vd_htab_free(struct vd_htab *t);

#endif
