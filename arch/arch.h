/* SPDX-License-Identifier: MIT */
/*
 * Inside the arch layer: what one architecture backend provides, and the
 * state every backend shares.  arch/xlat.c dispatches the public
 * vd_xlat_* functions to the backend's ops; each backend keeps its own
 * state after the common part (container_of style: struct x86_64_xlat
 * embeds struct vd_xlat first).
 */
#ifndef VD_ARCH_ARCH_H
#define VD_ARCH_ARCH_H

#include "vmdive/xlat.h"

#define VD_XLAT_MAX_REGIONS 32
#define VD_XLAT_MAX_PARAMS 32

struct vd_arch_ops {
	const char *name;
	enum vd_arch arch;
	/* Allocate and initialize; returns the embedded struct vd_xlat. */
	struct vd_error *(*create)(const struct vd_xlat_cb *cb,
				   struct vd_xlat **ret);
	void (*destroy)(struct vd_xlat *xlat);
	struct vd_error *(*walk)(struct vd_xlat *xlat, uint64_t root,
				 uint64_t va, struct vd_xlat_walk *ret);
	void (*entry_flags)(const struct vd_xlat *xlat,
			    const struct vd_xlat_step *step, char *buf,
			    size_t size);
	bool (*canonical)(const struct vd_xlat *xlat, uint64_t va);
};

struct vd_xlat {
	const struct vd_arch_ops *ops;
	struct vd_xlat_cb cb;
	uint64_t root;                      /* PA of the kernel root table */
	struct vd_region regions[VD_XLAT_MAX_REGIONS];
	size_t nregions;
	struct vd_xlat_param params[VD_XLAT_MAX_PARAMS];
	size_t nparams;
	/*
	 * Linear ranges for ptov: VA = PA - pa_start + va_start for
	 * PA in [pa_start, pa_end).
	 */
	struct {
		uint64_t va_start, pa_start, pa_end;
		enum vd_region_kind kind;
	} linear[4];
	size_t nlinear;
};

/*
 * A direct-mapped cache of walks above the last level, shared by the
 * backends: every level above it depends only on the VA's upper bits (the
 * backend's tag) and the root, and dumped memory never changes, so a later
 * walk through the same region resumes at the last level.
 */
#define VD_WALK_CACHE_SLOTS 64
struct vd_walk_cache_slot {
	uint64_t tag;
	uint64_t root;
	uint64_t next;                 /* last-level table PA, unless leaf */
	bool leaf;                     /* the steps end in a block/huge leaf */
	bool valid;
	unsigned nsteps;
	struct vd_xlat_step steps[5];
};
struct vd_walk_cache {
	struct vd_walk_cache_slot slot[VD_WALK_CACHE_SLOTS];
};

void vd_walk_cache_store(struct vd_walk_cache *c, uint64_t tag,
			 const struct vd_xlat_walk *w, bool leaf, uint64_t next);
/* Copy the cached steps into w: the level to continue at, or 0 on a miss. */
unsigned vd_walk_cache_lookup(const struct vd_walk_cache *c, uint64_t tag,
			      struct vd_xlat_walk *w, uint64_t *next, bool *leaf);

/* Helpers for backends (arch/xlat.c). */
void vd_xlat_add_region(struct vd_xlat *xlat, const char *name,
			enum vd_region_kind kind, uint64_t start, uint64_t end,
			const char *source);
void vd_xlat_add_param(struct vd_xlat *xlat, const char *name, uint64_t value,
		       enum vd_param_kind kind);
void vd_xlat_add_linear(struct vd_xlat *xlat, uint64_t va_start,
			uint64_t pa_start, uint64_t pa_end,
			enum vd_region_kind kind);
/* Sort regions by start (call after adding them all). */
void vd_xlat_sort_regions(struct vd_xlat *xlat);
/* cb->number, with an error naming the key when it is missing. */
struct vd_error *vd_xlat_need(const struct vd_xlat *xlat, const char *key,
			      uint64_t *ret);

extern const struct vd_arch_ops vd_x86_64_ops;
extern const struct vd_arch_ops vd_aarch64_ops;

#endif
