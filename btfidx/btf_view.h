/* SPDX-License-Identifier: MIT */
/*
 * A BTF blob read where it lies (the dump's mapped bytes), with the two
 * indexes lookups need: where each type id's record starts, and the named
 * types by name.  libbpf's btf__new() copies the blob, validates and
 * indexes every type, and finds a name by scanning all of them; for the
 * kernel's ~100,000 types that cost more than the rest of a command.
 * Here the blob is not copied, the offsets are built in one pass over the
 * type headers (or taken from the cache), the name index on the first
 * lookup by name (or from the cache), and every record is bounds-checked
 * when it is handed out, so a damaged blob or index gives NULL, never a
 * read out of bounds.
 *
 * The record layouts are the UAPI's (linux/btf.h); the view hands out
 * struct btf_type pointers for libbpf's inline accessors (btf_vlen(),
 * btf_members(), ...).  Native byte order only.
 */
#ifndef VD_BTFIDX_BTF_VIEW_H
#define VD_BTFIDX_BTF_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmdive/error.h"

struct btf_type;
struct vd_btfv;

/* The view's indexes as plain arrays, for the cache. */
struct vd_btfv_index {
	uint32_t ntypes;            /* type ids 0..ntypes-1 (0 is void) */
	const uint32_t *offs;       /* per id, offset in the type section */
	const uint32_t *hash;       /* name index: type id, 0 empty */
	uint32_t hash_size;         /* a power of two; 0: not built */
};

/* data must stay valid until vd_btfv_destroy(). */
struct vd_error *vd_btfv_open(const void *data, size_t size, struct vd_btfv **ret);
/*
 * Split BTF (a module's .BTF): its type ids continue base's count and its
 * string offsets base's string section (kernel/bpf/btf.c
 * btf_parse_module()); ids and offsets below those are looked up in
 * base, which is not copied and must outlive the view.  Lookups by name
 * (vd_btfv_find) see the split BTF's own types only.  No cached indexes:
 * a module's BTF is small enough to index at each use.
 */
struct vd_error *vd_btfv_open_split(const void *data, size_t size, const struct vd_btfv *base,
				    struct vd_btfv **ret);
void vd_btfv_destroy(struct vd_btfv *v);

/* Type ids 0..count-1 (a split view: the base's included). */
uint32_t vd_btfv_count(const struct vd_btfv *v);
/* The lowest id this view's own records hold: 1, or a split's base count. */
uint32_t vd_btfv_first_id(const struct vd_btfv *v);
/* The whole record of id (its members etc. inside the blob), or NULL. */
const struct btf_type *vd_btfv_type(const struct vd_btfv *v, uint32_t id);
/* The string at off, NULL when outside the string section. */
const char *vd_btfv_name(const struct vd_btfv *v, uint32_t off);
/*
 * Where split BTF over this view starts its strings: the end of this
 * view's string section in the offsets its types use (the base's
 * included).
 */
uint32_t vd_btfv_str_len(const struct vd_btfv *v);
/* The lowest id of that name and kind (BTF_KIND_*), or -1. */
int32_t vd_btfv_find(struct vd_btfv *v, const char *name, int kind);

/* The indexes (building the name index if needed); valid until destroy. */
struct vd_error *vd_btfv_export(struct vd_btfv *v, struct vd_btfv_index *ret);
/* Open without building the offsets, to load them from the cache (cheaper). */
struct vd_error *vd_btfv_open_lazy(const void *data, size_t size, struct vd_btfv **ret);
/* Build what import did not give (the offsets, once). */
struct vd_error *vd_btfv_index_types(struct vd_btfv *v);
/* Whether this view built an index the cache does not have yet. */
bool vd_btfv_built(const struct vd_btfv *v);

/*
 * A blob whose bytes are checked when first used (a cache file's, whose
 * blocks carry checksums): every record and string of the view's own blob
 * is given to check before it is handed out.  check says OK, DAMAGED
 * (it is not handed out: no such record or name) or MOVED: check called
 * vd_btfv_move() to a good copy of the same bytes, which is read instead.
 * Set before the offsets are built or imported.
 */
enum vd_btfv_check { VD_BTFV_OK, VD_BTFV_DAMAGED, VD_BTFV_MOVED };
void vd_btfv_set_check(struct vd_btfv *v,
		       enum vd_btfv_check (*check)(void *ctx, const void *p, size_t len),
		       void *ctx);
/*
 * Read v's records and strings from data (size bytes) from now on, not
 * checked: the same blob elsewhere (false, nothing changed, when its
 * header does not lay it out the same way).  What was handed out before
 * still points into the old bytes, which must stay mapped.
 */
bool vd_btfv_move(struct vd_btfv *v, const void *data, size_t size);

/*
 * The indexes in the per-build-id cache (common/cache.h): load them into
 * a view opened with vd_btfv_open_lazy() (false when there are none that
 * fit this blob: build them), and save what a view built (not an error
 * when the directory cannot be written).
 */
bool vd_btfv_cache_load(struct vd_btfv *v, const char *dir, const char *key);
void vd_btfv_cache_save(struct vd_btfv *v, const char *dir, const char *key);

#endif
