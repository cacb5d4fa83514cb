/* SPDX-License-Identifier: MIT */
/*
 * C types of the dumped kernel, and typed access to its memory.
 *
 * Types come from the best source the session has: DWARF of a given
 * vmlinux, else the BTF the kernel keeps in its own memory
 * (__start_BTF..__stop_BTF), else the OFFSET()/SIZE() lines of VMCOREINFO
 * (member offsets only).  A name none of them knows is looked for in the
 * loaded modules: their DWARF (debug files given with the session's
 * module_debug directory) or their BTF in the dump.  Callers never care
 * which: they look types and members up by name.
 *
 * Types are owned by the session and never change once returned; pointers
 * to them stay valid until the session closes.  A struct vd_object is a
 * small value (type + address) the caller keeps on its stack.
 */
#ifndef VMDIVE_CTYPE_H
#define VMDIVE_CTYPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmdive/error.h"
#include "vmdive/session.h"

#ifdef __cplusplus
extern "C" {
#endif

enum vd_type_kind {
	VD_TYPE_VOID,
	VD_TYPE_INT,        /* also char and bool (see is_bool, is_char) */
	VD_TYPE_FLOAT,
	VD_TYPE_POINTER,
	VD_TYPE_ARRAY,
	VD_TYPE_STRUCT,
	VD_TYPE_UNION,
	VD_TYPE_ENUM,
	VD_TYPE_TYPEDEF,
	VD_TYPE_FUNCTION,
};

enum vd_qualifiers {
	VD_QUAL_CONST = 1 << 0,
	VD_QUAL_VOLATILE = 1 << 1,
	VD_QUAL_RESTRICT = 1 << 2,
};

struct vd_type;

struct vd_qualified_type {
	const struct vd_type *type;
	unsigned qualifiers;
};

struct vd_member {
	const char *name;                /* NULL for an anonymous member */
	struct vd_qualified_type type;
	uint64_t bit_offset;             /* from the start of the parent */
	uint32_t bit_field_size;         /* 0 when not a bit field */
};

struct vd_enumerator {
	const char *name;
	int64_t value;
};

struct vd_type {
	enum vd_type_kind kind;
	const char *name;                /* tag or typedef name; NULL if none */
	uint64_t size;                   /* sizeof; 0 for void, functions and
					    incomplete types */
	bool is_signed;                  /* INT, ENUM */
	bool is_bool, is_char;           /* INT */
	bool complete;                   /* has a definition (STRUCT/UNION/ENUM) */
	struct vd_qualified_type target; /* POINTER, ARRAY element, TYPEDEF,
					    FUNCTION return */
	uint64_t length;                 /* ARRAY element count (0: unknown) */
	size_t nmembers;                 /* STRUCT/UNION members, FUNCTION params */
	const struct vd_member *members;
	size_t nenumerators;
	const struct vd_enumerator *enumerators;
	bool variadic;                   /* FUNCTION */
	const char *source;              /* "DWARF", "BTF", "VMCOREINFO" */
	const char *module;              /* the module whose BTF or DWARF
					    described it; NULL: the kernel's */
	/*
	 * Members not read yet (BTF reads a struct's members on first use,
	 * not the whole graph of types reachable from it): read them with
	 * vd_type_fill() before looking at nmembers/members.
	 */
	struct vd_type_source *unfilled;
	uint32_t unfilled_id;
};

struct vd_type_source;
/*
 * Read a STRUCT/UNION's members if its source left them for later (a
 * no-op otherwise); false when they cannot be read (a damaged type:
 * it then has none).
 */
bool vd_type_fill(const struct vd_type *type);

/*
 * Look a type up by C name: "struct task_struct", "union thread_union",
 * "enum pid_type", a typedef or base type ("pgd_t", "unsigned long"), with
 * pointer suffixes ("struct page *").  A bare tag ("task_struct") is
 * tried as struct, union, typedef, then enum.
 */
struct vd_error *vd_session_find_type(struct vd_session *s, const char *name,
				      struct vd_qualified_type *ret);
/*
 * The type of a global variable ("init_task": struct task_struct) or a
 * function (a VD_TYPE_FUNCTION).  Needs DWARF: BTF has no variables.
 */
struct vd_error *vd_session_find_object_type(struct vd_session *s,
					     const char *name,
					     struct vd_qualified_type *ret);
/*
 * The address of a global variable from the vmlinux's DWARF alone (its
 * DW_AT_location DW_OP_addr, moved by the KASLR offset): for a variable
 * no symbol names, such as a static the build renamed in the symbol table
 * (arm64's KVM nVHE vmemmap_base is __kvm_nvhe_vmemmap_base there).
 * VD_ERR_LOOKUP when no variable of the name has a static address.
 */
struct vd_error *vd_session_find_object_address(struct vd_session *s, const char *name,
						uint64_t *ret);
/*
 * An enumerator ("PIDTYPE_PID"): the enum type it belongs to (named or
 * anonymous) and its value, from the vmlinux's DWARF, else the BTF in the
 * dump, then the modules'.  VD_ERR_LOOKUP when no enum has it.
 */
struct vd_error *vd_session_find_enumerator(struct vd_session *s, const char *name,
					    struct vd_qualified_type *ret, int64_t *value_ret);
/* "T *" for a type T, made by the session if no source has it; NULL: no memory. */
const struct vd_type *vd_session_pointer_type(struct vd_session *s,
					      struct vd_qualified_type target);
/* "T [length]"; NULL: no memory or a size past 2^64. */
const struct vd_type *vd_session_array_type(struct vd_session *s,
					    struct vd_qualified_type elem,
					    uint64_t length);
/* Which type source the session uses ("DWARF /path", "BTF in the dump", ...). */
const char *vd_session_type_source(struct vd_session *s);
/*
 * The kernel's named structs, unions, enums and typedefs whose names start
 * with prefix, from the sources that can list theirs (the BTF in the dump;
 * a vmlinux's DWARF is indexed by name only on lookup), each to cb (kind:
 * VD_TYPE_STRUCT, _UNION, _ENUM or _TYPEDEF) until cb returns false; a
 * name may come more than once.  For completion.
 */
void vd_session_type_names(struct vd_session *s, const char *prefix,
			   bool (*cb)(void *priv, enum vd_type_kind kind, const char *name),
			   void *priv);
/*
 * The same names for a shell's completion, without opening the dump when
 * it can: from a cache of each kernel's names (per build-id, written on
 * the first call for that kernel) found through the files' identity
 * (device, inode, size, modification time).  A miss opens the dump with
 * opts (or uses session when not NULL) and writes the cache (unless
 * opts->no_cache).  kinds: a mask of 1u << VD_TYPE_STRUCT, _UNION, _ENUM,
 * _TYPEDEF; names sorted, each once per kind.
 */
struct vd_error *vd_type_names_complete(const char *const *paths, size_t npaths,
					const struct vd_session_opts *opts,
					struct vd_session *session, unsigned kinds,
					const char *prefix,
					bool (*cb)(void *priv, enum vd_type_kind kind,
						   const char *name),
					void *priv);

/* Strip typedefs and qualifiers. */
const struct vd_type *vd_type_unqualified(const struct vd_type *type);

/* A member found by path: total offset from the outer struct, and type. */
struct vd_member_info {
	struct vd_qualified_type type;
	uint64_t bit_offset;
	uint32_t bit_field_size;
};
/*
 * Find a member by path through nested structs, anonymous members and
 * arrays: "se.vruntime", "thread.sp", "comm[3]".  No "->": that needs
 * memory (see vd_object_member).
 */
struct vd_error *vd_type_member(const struct vd_type *type, const char *path,
				struct vd_member_info *ret);
/* Byte offset of a member path; fails on bit fields. */
struct vd_error *vd_type_offsetof(const struct vd_type *type, const char *path,
				  uint64_t *ret);

/* "struct task_struct *", "char [16]", "int (*)(void)" */
void vd_type_format(struct vd_qualified_type type, char *buf, size_t size);
/* A declaration: "char comm[16]", "struct list_head *next", "void (*fn)(int)". */
void vd_type_format_decl(struct vd_qualified_type type, const char *name,
			 char *buf, size_t size);

/* Typed memory --------------------------------------------------------------*/

struct vd_object {
	struct vd_session *session;
	struct vd_qualified_type type;
	enum vd_as as;                   /* VD_AS_KVIRT usually */
	uint64_t addr;
	uint32_t bit_offset;             /* bit fields: bits past addr */
	uint32_t bit_field_size;         /* 0 when not a bit field */
};

/* An object of the named type at addr. */
struct vd_error *vd_object_at(struct vd_session *s, const char *type_name,
			      uint64_t addr, struct vd_object *ret);
/*
 * A member: "se.vruntime", "mm->pgd", "pid_links[0].next"; "->" and a
 * leading "*" read pointers from the dump.
 */
struct vd_error *vd_object_member(const struct vd_object *obj,
				  const char *path, struct vd_object *ret);
/* Follow a pointer object to its target. */
struct vd_error *vd_object_deref(const struct vd_object *obj,
				 struct vd_object *ret);
/* The value of an integer, enum, bool, pointer or bit field object. */
struct vd_error *vd_object_read_u64(const struct vd_object *obj, uint64_t *ret);
struct vd_error *vd_object_read_s64(const struct vd_object *obj, int64_t *ret);
/* A char array or char pointer as a NUL-terminated string (truncated). */
struct vd_error *vd_object_read_string(const struct vd_object *obj, char *buf,
				       size_t size);
/*
 * container_of: the object of type_name whose member (path) is at
 * member_addr.
 */
struct vd_error *vd_object_container_of(struct vd_session *s,
					const char *type_name,
					const char *member_path,
					uint64_t member_addr,
					struct vd_object *ret);

#ifdef __cplusplus
}
#endif
#endif
