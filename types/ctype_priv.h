/* SPDX-License-Identifier: MIT */
/*
 * Inside the type layer: type sources (DWARF, BTF, VMCOREINFO) behind one
 * lookup.  A source answers "the type named NAME of kind KIND"; the layer
 * in front of it parses C names, adds pointer types, caches answers and
 * tries the sources in order of preference.
 */
#ifndef VD_TYPES_CTYPE_PRIV_H
#define VD_TYPES_CTYPE_PRIV_H

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
	/*
	 * Optional: a bare name ("task_struct", "pgd_t") as struct, union,
	 * typedef or enum, in that order, in one go.  For sources whose
	 * "not found" is costly (DWARF: a miss reads every CU).
	 */
	struct vd_error *(*find_bare)(struct vd_type_source *src,
				      const char *name,
				      struct vd_qualified_type *ret);
	/* Optional: the type of a global variable or function. */
	struct vd_error *(*find_object)(struct vd_type_source *src,
					const char *name,
					struct vd_qualified_type *ret);
	/*
	 * Optional: the link-time address of a variable's static storage, as
	 * the source declares it (DWARF's DW_AT_location).  VD_ERR_LOOKUP
	 * when no variable of the name has one.
	 */
	struct vd_error *(*find_object_address)(struct vd_type_source *src,
						const char *name, uint64_t *ret);
	void (*destroy)(struct vd_type_source *src);
	/* Optional: read the members of a type it left unfilled. */
	struct vd_error *(*fill)(struct vd_type_source *src, struct vd_type *type);
	/*
	 * Optional: the names of its structs, unions, enums and typedefs that
	 * start with prefix, each to cb until it returns false (completion).
	 */
	void (*names)(struct vd_type_source *src, const char *prefix,
		      bool (*cb)(void *priv, enum vd_type_kind kind, const char *name),
		      void *priv);
	/*
	 * Optional: the enum an enumerator ("PIDTYPE_PID") belongs to and its
	 * value.  VD_ERR_LOOKUP when it has none.
	 */
	struct vd_error *(*find_enumerator)(struct vd_type_source *src, const char *name,
					    struct vd_qualified_type *ret, int64_t *value_ret);
};

/* What the session keeps for the type layer (types/ctype.c). */
struct vd_types {
	struct vd_arena arena;           /* synthesized types (pointers) */
	struct vd_type_source *sources[4];
	size_t nsources;
	size_t nkernel;                  /* sources[0..nkernel): the kernel's */
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

/*
 * A struct, union, typedef, enum or base type by C name from the kernel's
 * own sources only (no pointers, no module types): for walkers.
 */
struct vd_error *vd_types_find_kernel(struct vd_session *s, const char *name,
				      struct vd_qualified_type *ret);
/* Frees the type layer's state (NULL is fine). */
void vd_types_destroy(struct vd_types *types);

/*
 * Sources (each returns &vd_noprobe when it has nothing to offer).  The
 * DWARF of a vmlinux or module debug file is dwarf/'s (dwarf/dwarf.h),
 * reached through the session's kernel_dwarf_types hook.
 */
struct vd_error *vd_btf_source_create(struct vd_session *s,
				      struct vd_type_source **ret);
struct vd_error *vd_vmcoreinfo_source_create(struct vd_session *s,
					     struct vd_type_source **ret);

/* The same source without a session (unit tests, tools): a BTF blob (copied). */
struct vd_error *vd_btf_source_from_blob(const void *data, size_t size,
					 uint32_t ptr_size,
					 struct vd_type_source **ret);
/* Whether src is a BTF source (types/btf.c). */
bool vd_btf_source_is(const struct vd_type_source *src);
/* The offset of per-CPU variable name in the per-CPU section (its BTF
 * DATASEC ".data..percpu"); VD_ERR_LOOKUP when the BTF does not say. */
struct vd_error *vd_btf_percpu_offset(const struct vd_type_source *src, const char *name,
				      uint64_t *off);
/* The same from the kernel's BTF type source, if the session uses one. */
struct vd_error *vd_session_percpu_offset(struct vd_session *s, const char *name,
					  uint64_t *off);
/*
 * The session's BTF source of the kernel among its sources, made now if it
 * waited behind DWARF (types/ctype.c); NULL if it has none.
 */
struct vd_type_source *vd_types_kernel_btf(struct vd_session *s);
/*
 * A module's split BTF blob (copied) over the vmlinux BTF source, which
 * must outlive it.  start_id and start_str_off are where the kernel says
 * the module's types and strings start (0: unknown); they must continue
 * the vmlinux BTF's.  Types it describes carry the module's name.
 */
struct vd_error *vd_btf_source_split(struct vd_type_source *vmlinux,
				     const char *module, const void *data,
				     size_t size, uint32_t start_id,
				     uint32_t start_str_off,
				     struct vd_type_source **ret);
/*
 * C base type names in one spelling: "unsigned long" and GCC's "long
 * unsigned int" both become "unsigned long" (types/btf.c).
 */
void vd_types_canonical_base_name(const char *in, char *out, size_t size);

/* A pointer to (target, qualifiers), made once per session. */
const struct vd_type *vd_types_pointer_to(struct vd_session *s,
					  struct vd_qualified_type target);

#endif
