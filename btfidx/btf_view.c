// SPDX-License-Identifier: MIT
/* A BTF blob read in place, with its indexes (btfidx/btf_view.h). */
#include <linux/btf.h>
#include <stdlib.h>
#include <string.h>

#include "btfidx/btf_view.h"
#include "common/cache.h"
#include "common/hashtab.h"
#include "common/util.h"

/* The cache file's kind and format version (bump on any change). */
#define BTFV_CACHE_KIND "btf"
#define BTFV_CACHE_VERSION 4   /* 2: slots by vd_htab_home(); 3: the hash optional;
                                  4: names hashed 8 bytes a step */
enum { SEC_META = 1, SEC_OFFS, SEC_HASH };

struct btfv_cache_meta {
	uint32_t ntypes, hash_size;
	uint64_t types_len, str_len;   /* of the blob it indexes */
};

/* vmlinux BTF is ~5 MiB with ~100k types on 6.x; refuse far more. */
#define BTFV_MAX_TYPES (1u << 22)

struct vd_btfv {
	const uint8_t *types;
	uint32_t types_len;
	const char *strs;
	uint32_t str_len;
	uint32_t ntypes;              /* the base's included */
	/*
	 * Split BTF (a module's): ids below first_id and string offsets
	 * below str_off are the base's; offs[i] is id first_id + i.  For a
	 * whole BTF: no base, first_id 1, str_off 0, offs[id] (offs[0] is
	 * void's placeholder).
	 */
	const struct vd_btfv *base;
	uint32_t first_id, str_off;
	const uint32_t *offs;
	uint32_t *own_offs;
	struct vd_htab names;         /* name index: id - 1 per entry */
	/*
	 * The ids the name index will hold (named types of indexed_kind()),
	 * noted by the pass that builds the offsets so that building the
	 * index is not two more passes over every type; freed once built.
	 */
	uint32_t *named, nnamed;
	bool imported_offs, imported_hash;
	/*
	 * offs (and the names hash, when imported) are the cache file's
	 * sections as mapped, not checked yet: each entry's block is checked
	 * when the entry is first read (vd_cache_check), so a command that
	 * reads a few types hashes and faults in a few blocks, not the file.
	 */
	bool lazy;
	struct vd_cache_file cache;   /* the imported indexes' file */
	unsigned scans;               /* lookups answered by scanning */
	/* Bytes checked when first used (vd_btfv_set_check()); NULL: all good. */
	enum vd_btfv_check (*check)(void *ctx, const void *p, size_t len);
	void *check_ctx;
};

/* Lookups answered by a scan before the name index is built. */
#define BTFV_SCANS_BEFORE_INDEX 2

/*
 * The kinds the name index holds: those looked up by name (types, not
 * the ~half of vmlinux BTF that is functions, prototypes and variables,
 * which lookups of those kinds find by scanning).
 */
static bool
indexed_kind(int kind)
{
	switch (kind) {
	case BTF_KIND_INT:
	case BTF_KIND_FWD:
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_ENUM:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_FLOAT:
	case 19:   /* BTF_KIND_ENUM64 */
		return true;
	default:
		return false;
	}
}

/*
 * Bytes after struct btf_type, per kind: fixed + vlen * per (UAPI
 * linux/btf.h); kinds not listed are unknown.  A table: every record of
 * a ~100,000-type blob goes through it once when the offsets are built.
 */
static const struct {
	uint8_t known, fixed, per;
} kind_extra[32] = {
	[BTF_KIND_INT] = { 1, 4, 0 },
	[BTF_KIND_PTR] = { 1, 0, 0 },
	[BTF_KIND_ARRAY] = { 1, sizeof(struct btf_array), 0 },
	[BTF_KIND_STRUCT] = { 1, 0, sizeof(struct btf_member) },
	[BTF_KIND_UNION] = { 1, 0, sizeof(struct btf_member) },
	[BTF_KIND_ENUM] = { 1, 0, sizeof(struct btf_enum) },
	[BTF_KIND_FWD] = { 1, 0, 0 },
	[BTF_KIND_TYPEDEF] = { 1, 0, 0 },
	[BTF_KIND_VOLATILE] = { 1, 0, 0 },
	[BTF_KIND_CONST] = { 1, 0, 0 },
	[BTF_KIND_RESTRICT] = { 1, 0, 0 },
	[BTF_KIND_FUNC] = { 1, 0, 0 },
	[BTF_KIND_FUNC_PROTO] = { 1, 0, sizeof(struct btf_param) },
	[BTF_KIND_VAR] = { 1, 4, 0 },
	[BTF_KIND_DATASEC] = { 1, 0, sizeof(struct btf_var_secinfo) },
	[BTF_KIND_FLOAT] = { 1, 0, 0 },
	[BTF_KIND_DECL_TAG] = { 1, 4, 0 },
	[BTF_KIND_TYPE_TAG] = { 1, 0, 0 },
	[19] = { 1, 0, 12 },   /* BTF_KIND_ENUM64: struct btf_enum64 */
};

/* Bytes after struct btf_type for its kind; -1 for an unknown kind. */
static inline int64_t
extra_size(const struct btf_type *t)
{
	unsigned k = BTF_INFO_KIND(t->info);

	if (!kind_extra[k].known)
		return -1;
	return kind_extra[k].fixed + (int64_t)BTF_INFO_VLEN(t->info) * kind_extra[k].per;
}

/* The check of a checked blob's bytes (vd_btfv_set_check()); none: good. */
static inline enum vd_btfv_check
check_bytes(const struct vd_btfv *v, const void *p, size_t len)
{
	return v->check ? v->check(v->check_ctx, p, len) : VD_BTFV_OK;
}

/* The record at off, if all of it lies in the type section. */
static inline const struct btf_type *
record_at(const struct vd_btfv *v, uint64_t off, uint64_t *next_ret)
{
	const struct btf_type *t;
	int64_t extra;

	if (off % 4 || !vd_range_ok(off, sizeof(*t), v->types_len))
		return NULL;
	// A checked blob: the record's head, then its extra bytes; once
	// moved to a good copy (at most once), read again from there.
	for (int pass = 0;; pass++) {
		enum vd_btfv_check r;

		t = (const void *)(v->types + off);
		r = check_bytes(v, t, sizeof(*t));
		if (r == VD_BTFV_OK) {
			extra = extra_size(t);
			if (extra < 0 ||
			    !vd_range_ok(off + sizeof(*t), (uint64_t)extra, v->types_len))
				return NULL;
			r = extra ? check_bytes(v, t + 1, (size_t)extra) : VD_BTFV_OK;
		}
		if (r == VD_BTFV_OK)
			break;
		if (r != VD_BTFV_MOVED || pass)
			return NULL;
	}
	if (next_ret)
		*next_ret = off + sizeof(*t) + (uint64_t)extra;
	return t;
}

static struct vd_error *
open_view(const void *data, size_t size, const struct vd_btfv *base, struct vd_btfv **ret)
{
	const struct btf_header *h = data;
	struct vd_btfv *v;
	uint64_t toff, soff;

	if (size < sizeof(*h) || h->magic != BTF_MAGIC)
		return vd_error_create(VD_ERR_CORRUPT, "not a BTF blob of this byte order");
	if (h->version != BTF_VERSION || h->hdr_len < sizeof(*h) || h->hdr_len > size)
		return vd_error_create(VD_ERR_CORRUPT, "BTF header: version %u, length %u",
				       h->version, h->hdr_len);
	toff = (uint64_t)h->hdr_len + h->type_off;
	soff = (uint64_t)h->hdr_len + h->str_off;
	// Split BTF may have no strings of its own, and its first one
	// need not be the empty string (that is the base's offset 0).
	if (!vd_range_ok(toff, h->type_len, size) || !vd_range_ok(soff, h->str_len, size) ||
	    toff % 4 || (!base && !h->str_len))
		return vd_error_create(VD_ERR_CORRUPT, "BTF sections lie outside the blob");
	v = calloc(1, sizeof(*v));
	if (!v)
		return &vd_enomem;
	v->types = (const uint8_t *)data + toff;
	v->types_len = h->type_len;
	v->strs = (const char *)data + soff;
	v->str_len = h->str_len;
	v->base = base;
	v->first_id = base ? base->ntypes : 1;
	v->str_off = base ? base->str_off + base->str_len : 0;
	if ((!base && v->strs[0]) || (v->str_len && v->strs[v->str_len - 1])) {
		free(v);
		return vd_error_create(VD_ERR_CORRUPT, "BTF strings do not start and end with NUL");
	}
	if ((uint64_t)v->str_off + v->str_len > UINT32_MAX) {
		free(v);
		return vd_error_create(VD_ERR_CORRUPT, "split BTF strings past 4 GiB");
	}
	*ret = v;
	return NULL;
}

struct vd_error *
vd_btfv_index_types(struct vd_btfv *v)
{
	uint64_t off = 0, len = v->types_len;
	size_t cap, n = v->base ? 0 : 1, id0 = v->base ? v->first_id : 0, nnamed = 0;
	uint32_t *offs, *named;

	if (v->offs)
		return NULL;
	// A checked blob: the pass below reads every record, and what it
	// notes (offsets, named types) is read later without record_at():
	// the whole type section checked first (or moved to a good copy).
	if (check_bytes(v, v->types, v->types_len) == VD_BTFV_DAMAGED)
		return vd_error_create(VD_ERR_CORRUPT, "BTF types: a damaged block");
	// Records are at least 12 bytes: the count is bounded by the size.
	cap = VD_MIN((size_t)v->types_len / sizeof(struct btf_type) + 2, (size_t)BTFV_MAX_TYPES);
	if (id0 >= BTFV_MAX_TYPES)
		return vd_error_create(VD_ERR_CORRUPT, "split BTF over a base of %zu types", id0);
	cap = VD_MIN(cap, BTFV_MAX_TYPES - id0);
	offs = malloc(cap * sizeof(*offs));
	named = malloc(cap * sizeof(*named));
	if (!offs || !named) {
		free(offs);
		free(named);
		return &vd_enomem;
	}
	offs[0] = 0;         // a whole BTF's: void has no record
	// record_at()'s checks, unrolled for the one pass over every record:
	// sizes are multiples of 4 from a 4-aligned start, so every offset
	// is aligned; the record and its kind's extra bytes must fit.
	// (Locals: the stores to offs could alias *v.)
	for (const uint8_t *types = v->types; off < len;) {
		const struct btf_type *t = (const void *)(types + off);
		uint64_t left = len - off, extra;
		unsigned kind;

		if (n == cap || left < sizeof(*t) || !kind_extra[kind = BTF_INFO_KIND(t->info)].known ||
		    (extra = kind_extra[kind].fixed +
			     (uint64_t)BTF_INFO_VLEN(t->info) * kind_extra[kind].per) >
			    left - sizeof(*t)) {
			free(offs);
			free(named);
			return vd_error_create(VD_ERR_CORRUPT,
					       "BTF type %zu: record malformed or past the type section",
					       id0 + n);
		}
		offs[n] = (uint32_t)off;
		if (t->name_off && indexed_kind((int)kind))
			named[nnamed++] = (uint32_t)(id0 + n);
		off += sizeof(*t) + extra;
		n++;
	}
	free(v->named);
	// A tenth of the types, typically: give back the rest.
	v->named = nnamed ? realloc(named, nnamed * sizeof(*named)) : NULL;
	if (!v->named)
		free(named);
	v->nnamed = v->named ? (uint32_t)nnamed : 0;
	v->own_offs = offs;
	v->offs = offs;
	v->ntypes = (uint32_t)(id0 + n);
	return NULL;
}

struct vd_error *
vd_btfv_open_lazy(const void *data, size_t size, struct vd_btfv **ret)
{
	return open_view(data, size, NULL, ret);
}

/* Both kinds, with the offsets built. */
static struct vd_error *
open_indexed(const void *data, size_t size, const struct vd_btfv *base, struct vd_btfv **ret)
{
	struct vd_error *err = open_view(data, size, base, ret);

	if (!err && (err = vd_btfv_index_types(*ret))) {
		vd_btfv_destroy(*ret);
		*ret = NULL;
	}
	return err;
}

struct vd_error *
vd_btfv_open(const void *data, size_t size, struct vd_btfv **ret)
{
	return open_indexed(data, size, NULL, ret);
}

struct vd_error *
vd_btfv_open_split(const void *data, size_t size, const struct vd_btfv *base,
		   struct vd_btfv **ret)
{
	if (!base || !base->offs)
		return vd_error_create(VD_ERR_INVALID_ARG, "split BTF needs an indexed base");
	return open_indexed(data, size, base, ret);
}

void
vd_btfv_destroy(struct vd_btfv *v)
{
	if (!v)
		return;
	free(v->own_offs);
	free(v->named);
	vd_htab_free(&v->names);
	vd_cache_close(&v->cache);
	free(v);
}

uint32_t
vd_btfv_count(const struct vd_btfv *v)
{
	return v->ntypes;
}

uint32_t
vd_btfv_str_len(const struct vd_btfv *v)
{
	return v->str_off + v->str_len;
}

uint32_t
vd_btfv_first_id(const struct vd_btfv *v)
{
	return v->first_id;
}

/*
 * A lazily imported block did not match its checksum: the offsets are
 * built from the blob instead (the same ids: the blob's record order),
 * and so is the names hash when a lookup needs it.  Saving then rewrites
 * the file.  v is the caller's const view of a calloc()ed object.
 */
static void
drop_lazy(const struct vd_btfv *cv)
{
	struct vd_btfv *v = (struct vd_btfv *)cv;
	struct vd_error *err;

	v->lazy = false;
	v->offs = NULL;
	v->imported_offs = false;
	if (v->imported_hash) {
		vd_htab_free(&v->names);    // borrowed: only forgotten
		v->imported_hash = false;
	}
	if ((err = vd_btfv_index_types(v))) {
		// The blob itself is malformed: no types (as open() says).
		vd_error_destroy(err);
		v->ntypes = 0;
	}
}

/* offs[i], or false when it cannot be read (a damaged cache block). */
static bool
off_at(const struct vd_btfv *v, uint32_t i, uint32_t *ret)
{
	if (v->lazy && !vd_cache_check(&v->cache, &v->offs[i], sizeof(v->offs[i]))) {
		drop_lazy(v);
		if (!v->offs || i >= v->ntypes)
			return false;
	}
	*ret = v->offs[i];
	return true;
}

/* Check every lazily imported entry now (before a pass over all of them). */
static void
settle(struct vd_btfv *v)
{
	size_t size;
	const void *hash;

	if (!v->lazy)
		return;
	if (!vd_cache_check(&v->cache, v->offs, (size_t)v->ntypes * sizeof(*v->offs)) ||
	    (v->imported_hash &&
	     (!(hash = vd_cache_section(&v->cache, SEC_HASH, &size)) ||
	      !vd_cache_check(&v->cache, hash, size)))) {
		drop_lazy(v);
		return;
	}
	v->lazy = false;
}

const struct btf_type *
vd_btfv_type(const struct vd_btfv *v, uint32_t id)
{
	uint32_t off;

	if (!id || id >= v->ntypes || !v->offs)
		return NULL;
	if (id < v->first_id)
		return v->base ? vd_btfv_type(v->base, id) : NULL;
	if (!off_at(v, v->base ? id - v->first_id : id, &off))
		return NULL;
	return record_at(v, off, NULL);
}

const char *
vd_btfv_name(const struct vd_btfv *v, uint32_t off)
{
	if (off < v->str_off)
		return v->base ? vd_btfv_name(v->base, off) : NULL;
	off -= v->str_off;
	// The section ends with a NUL: any offset inside is a C string.
	if (off >= v->str_len)
		return NULL;
	for (int pass = 0;; pass++) {
		const char *s = v->strs + off;
		enum vd_btfv_check r = check_bytes(v, s, strnlen(s, v->str_len - off) + 1);

		if (r == VD_BTFV_OK)
			return s;
		if (r != VD_BTFV_MOVED || pass)
			return NULL;
	}
}

void
vd_btfv_set_check(struct vd_btfv *v,
		  enum vd_btfv_check (*check)(void *ctx, const void *p, size_t len), void *ctx)
{
	v->check = check;
	v->check_ctx = ctx;
}

bool
vd_btfv_move(struct vd_btfv *v, const void *data, size_t size)
{
	struct vd_btfv *n;
	struct vd_error *err = open_view(data, size, v->base, &n);
	bool same = !err && n->types_len == v->types_len && n->str_len == v->str_len;

	vd_error_destroy(err);
	if (same) {
		v->types = n->types;
		v->strs = n->strs;
		v->check = NULL;
	}
	if (!err)
		free(n);
	return same;
}

/*
 * A name's hash: 8 bytes a step (the first pass hashes ~12,000 names,
 * which a byte at a time cost as much as the pass itself).  The cache
 * keeps slots placed by it: a change is a new BTFV_CACHE_VERSION.
 */
static uint64_t
hash_name(const char *s)
{
	size_t len = strlen(s);
	uint64_t h = 0xcbf29ce484222325ull ^ len, w;

	for (; len >= 8; s += 8, len -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ull;
		h ^= h >> 31;
	}
	if (len) {
		w = 0;
		memcpy(&w, s, len);
		h = (h ^ w) * 0x9e3779b97f4a7c15ull;
		h ^= h >> 31;
	}
	return h;
}

/* Add id to the names hash if it is a named type of an indexed kind. */
static struct vd_error *
hash_add(struct vd_btfv *v, uint32_t id, const struct btf_type *t)
{
	const char *n;

	if (!t || !t->name_off || !indexed_kind(BTF_INFO_KIND(t->info)) ||
	    !(n = vd_btfv_name(v, t->name_off)) || !*n)
		return NULL;
	// In id order: the lowest id of a name first.  Room for all.
	return vd_htab_add(&v->names, hash_name(n), id - 1, NULL, NULL);
}

static struct vd_error *
build_hash(struct vd_btfv *v)
{
	uint32_t named = 0;
	struct vd_error *err = NULL;
	uint64_t off = 0;

	if (v->named) {
		// Noted by the pass that built the offsets.
		if ((err = vd_htab_init(&v->names, v->nnamed)))
			return err;
		// Their records were checked by that pass, offsets our own.
		for (uint32_t k = 0; k < v->nnamed && !err; k++) {
			uint32_t id = v->named[k];

			err = hash_add(v, id, (const void *)(v->types + v->offs[id - v->first_id +
									       !v->base]));
		}
	} else {
		// Offsets imported (unchecked, maybe): walk the records,
		// counting first.
		for (uint64_t o = 0; o < v->types_len;) {
			const struct btf_type *t = record_at(v, o, &o);

			if (!t)
				break;
			named += t->name_off && indexed_kind(BTF_INFO_KIND(t->info));
		}
		if ((err = vd_htab_init(&v->names, named)))
			return err;
		for (uint32_t id = v->first_id; id < v->ntypes && off < v->types_len && !err; id++)
			err = hash_add(v, id, record_at(v, off, &off));
	}
	free(v->named);
	v->named = NULL;
	v->nnamed = 0;
	if (err)
		vd_htab_free(&v->names);
	return err;
}

/* The first id of that name and kind, walking the records (no offsets). */
static int32_t
scan(const struct vd_btfv *v, const char *name, int kind)
{
	uint64_t off = 0;

	for (uint32_t id = v->first_id; id < v->ntypes && off < v->types_len; id++) {
		const struct btf_type *t = record_at(v, off, &off);
		const char *n;

		if (!t)
			break;
		if ((int)BTF_INFO_KIND(t->info) == kind &&
		    (n = vd_btfv_name(v, t->name_off)) && !strcmp(n, name))
			return (int32_t)id;
	}
	return -1;
}

/*
 * scan() over the named types the offsets pass noted (an indexed kind:
 * a tenth of the records, in id order; their records checked by that
 * pass, the offsets our own).
 */
static int32_t
scan_named(const struct vd_btfv *v, const char *name, int kind)
{
	for (uint32_t k = 0; k < v->nnamed; k++) {
		uint32_t id = v->named[k];
		const struct btf_type *t =
			(const void *)(v->types + v->offs[id - v->first_id + !v->base]);
		const char *n;

		if ((int)BTF_INFO_KIND(t->info) == kind && (n = vd_btfv_name(v, t->name_off)) &&
		    !strcmp(n, name))
			return (int32_t)id;
	}
	return -1;
}

/*
 * The lowest id of name and kind through the names hash.  A lazily
 * imported hash: each slot's block checked before it is read, and the
 * probe bounded by the slot count (the file's slots are not known to
 * hold an empty one).  A damaged block: a scan answers.
 */
static int32_t
find_hashed(struct vd_btfv *v, const char *name, int kind)
{
	const struct vd_htab names = v->names;   // v's may be dropped below
	bool lazy = v->lazy && v->imported_hash;
	struct vd_htab_probe p = { vd_htab_home(hash_name(name), names.mask) };

	for (uint64_t step = 0; step <= names.mask; step++) {
		const struct btf_type *t;
		const char *n;
		uint32_t i;

		if (lazy && !vd_cache_check(&v->cache, &names.slot[p.pos], sizeof(*names.slot))) {
			drop_lazy(v);
			return scan(v, name, kind);
		}
		if ((i = vd_htab_next(&names, &p)) == VD_HTAB_END)
			return -1;
		t = vd_btfv_type(v, i + 1);
		if (v->names.slot != names.slot)    // a damaged offsets block
			return scan(v, name, kind);
		n = t ? vd_btfv_name(v, t->name_off) : NULL;
		if (n && (int)BTF_INFO_KIND(t->info) == kind && !strcmp(n, name))
			return (int32_t)(i + 1);
	}
	return -1;
}

int32_t
vd_btfv_find(struct vd_btfv *v, const char *name, int kind)
{
	if (!indexed_kind(kind))
		return scan(v, name, kind);
	if (!v->names.slot) {
		struct vd_error *err;

		// One type or two: a scan is cheaper than the index.
		if (v->scans++ < BTFV_SCANS_BEFORE_INDEX)
			return v->named ? scan_named(v, name, kind) : scan(v, name, kind);
		if ((err = build_hash(v))) {
			vd_error_destroy(err);
			return scan(v, name, kind);
		}
	}
	return find_hashed(v, name, kind);
}

struct vd_error *
vd_btfv_export(struct vd_btfv *v, struct vd_btfv_index *ret)
{
	struct vd_error *err;

	if (v->base)    // a module's: small, and not kept
		return vd_error_create(VD_ERR_INVALID_ARG, "split BTF has no cached indexes");
	settle(v);      // nothing unchecked is written back
	if (!v->offs && (err = vd_btfv_index_types(v)))
		return err;
	*ret = (struct vd_btfv_index){
		.ntypes = v->ntypes, .offs = v->offs, .hash = v->names.slot,
		.hash_size = v->names.slot ? v->names.mask + 1 : 0,
	};
	return NULL;
}

/*
 * The type offsets (every session that reads a type builds them: a pass
 * over the whole type section, a third of a warm `mod`) or the names
 * hash (built after a few lookups), built here and not imported.
 */
bool
vd_btfv_built(const struct vd_btfv *v)
{
	return (v->offs && !v->imported_offs) || (v->names.slot && !v->imported_hash);
}

/*
 * Import the file's indexes without reading them (they are checked block
 * by block when used, off_at() and find_hashed()): what is checked here
 * is the meta section, the sizes, the first offset and that the last
 * record ends where the type section does.  (Format 3's loader read it
 * all at open: ~0.5 MB hashed and faulted in, every offset and slot
 * compared, for a command that reads a few dozen types.)
 */
bool
vd_btfv_cache_load(struct vd_btfv *v, const char *dir, const char *key)
{
	const struct btfv_cache_meta *meta;
	size_t msize, osize, hsize;
	const uint32_t *offs;
	const void *hash;
	struct vd_htab names;
	uint64_t end;

	if (v->cache.map || v->base ||
	    !vd_cache_open(dir, BTFV_CACHE_KIND, BTFV_CACHE_VERSION, key, &v->cache, NULL))
		return false;
	meta = vd_cache_get(&v->cache, SEC_META, &msize);
	offs = vd_cache_section(&v->cache, SEC_OFFS, &osize);
	hash = vd_cache_section(&v->cache, SEC_HASH, &hsize);
	memset(&names, 0, sizeof(names));
	if (!meta || msize != sizeof(*meta) || !offs || (!hash && meta->hash_size) ||
	    meta->types_len != v->types_len || meta->str_len != v->str_len ||
	    meta->ntypes < 2 || meta->ntypes > BTFV_MAX_TYPES ||
	    osize != (size_t)meta->ntypes * sizeof(uint32_t) ||
	    (meta->hash_size && (hsize != (size_t)meta->hash_size * sizeof(uint32_t) ||
				 !vd_htab_borrow_unchecked(&names, hash, meta->hash_size))) ||
	    !vd_cache_check(&v->cache, offs, 2 * sizeof(*offs)) || offs[1] != 0 ||
	    !vd_cache_check(&v->cache, offs + meta->ntypes - 1, sizeof(*offs)) ||
	    !record_at(v, offs[meta->ntypes - 1], &end) || end != v->types_len) {
		vd_cache_close(&v->cache);
		return false;
	}
	free(v->own_offs);
	v->own_offs = NULL;
	free(v->named);           // noted with those offsets
	v->named = NULL;
	v->nnamed = 0;
	vd_htab_free(&v->names);
	v->offs = offs;
	v->ntypes = meta->ntypes;
	v->names = names;
	v->imported_offs = true;
	v->imported_hash = meta->hash_size != 0;
	v->lazy = true;
	return true;
}

void
vd_btfv_cache_save(struct vd_btfv *v, const char *dir, const char *key)
{
	struct vd_btfv_index idx;
	struct btfv_cache_meta meta;
	struct vd_error *err;

	// What this session built: the offsets, and the names hash if a
	// command needed it (a later session that builds it rewrites the
	// file with both; the imported file stays mapped, renamed over).
	if (!vd_btfv_built(v))
		return;
	err = vd_btfv_export(v, &idx);
	if (!err) {
		struct vd_cache_section secs[] = {
			{ SEC_META, &meta, sizeof(meta) },
			{ SEC_OFFS, idx.offs, (size_t)idx.ntypes * sizeof(uint32_t) },
			{ SEC_HASH, idx.hash, (size_t)idx.hash_size * sizeof(uint32_t) },
		};

		meta = (struct btfv_cache_meta){ idx.ntypes, idx.hash_size, v->types_len,
						 v->str_len };
		err = vd_cache_write(dir, BTFV_CACHE_KIND, BTFV_CACHE_VERSION, key, secs,
				     idx.hash_size ? VD_ARRAY_SIZE(secs) : 2);
	}
	vd_error_destroy(err);   // a read-only or full directory only costs speed
}
