/* SPDX-License-Identifier: MIT */
/*
 * Inside the type layer: type sources (DWARF, BTF, VMCOREINFO) behind one
 * lookup.  A source answers "the type named NAME of kind KIND"; the layer
 * in front of it parses C names, adds pointer types, caches answers and
 * tries the sources in order of preference.
 */
#ifndef VD_ANALYZER_CTYPES_PRIV_H
#define VD_ANALYZER_CTYPES_PRIV_H

#include "common/arena.h"
#include "vmdive/ctype.h"

struct vd_type_source {
	const char *name;            /* "BTF in the dump", "DWARF /path" */
	/*
	 * kind is STRUCT, UNION, ENUM, TYPEDEF, or INT/FLOAT/VOID for base
	 * type names ("unsigned long").  VD_ERR_LOOKUP when absent.
	 */
	struct vd_error *(*find)(struct vd_type_source *src,
				 enum vd_type_kind kind, const char *name,
				 struct vd_qualified_type *ret);
	void (*destroy)(struct vd_type_source *src);
};

/* What the session keeps for the type layer (analyzer/ctypes.c). */
struct vd_types {
	struct vd_arena arena;           /* synthesized types (pointers) */
	struct vd_type_source *sources[3];
	size_t nsources;
	bool tried;                      /* sources set up */
	char desc[512];                  /* for vd_session_type_source() */
	struct {                         /* name -> type cache */
		char *name;
		struct vd_qualified_type type;
	} *cache;
	size_t ncache, cache_cap;
	struct {                         /* pointer types made so far */
		const struct vd_type *target;
		unsigned qualifiers;
		const struct vd_type *ptr;
	} *ptrs;
	size_t nptrs, ptrs_cap;
	struct vd_type void_type;
};

void vd_types_deinit(struct vd_types *types);

/* Sources (each returns &vd_noprobe when it has nothing to offer). */
struct vd_error *vd_btf_source_create(struct vd_session *s,
				      struct vd_type_source **ret);
struct vd_error *vd_vmcoreinfo_source_create(struct vd_session *s,
					     struct vd_type_source **ret);

/* A pointer to (target, qualifiers), made once per session. */
const struct vd_type *vd_types_pointer_to(struct vd_session *s,
					  struct vd_qualified_type target);

#endif
