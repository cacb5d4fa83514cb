// SPDX-License-Identifier: MIT
/*
 * The DWARF type source: types, and the types of variables and functions,
 * from the DWARF of a vmlinux, through libdwarf.
 *
 * Names are found with the lazy index (dwarf_index.c, dwarf_units.c),
 * which reads only units that mention the name; the DIE found is
 * converted with everything its layout needs (dwarf_conv.c).  Nothing is
 * read before the first question, and what was learnt is kept for the
 * next one.
 */
#include <dwarf.h>
#include <libdwarf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "types/ctype_priv.h"
#include "dwarf_priv.h"
#include "dwarf_source.h"
#include "kernel/session_priv.h"

/* Convert the DIE at off and everything its layout needs. */
static struct vd_error *
type_at(struct vd_dwarf_source *src, Dwarf_Off off, struct vd_qualified_type *ret)
{
	return vd_dwarf_convert(src, true, off, true, ret);
}

static struct vd_error *
not_found(struct vd_dwarf_source *src, const char *what, const char *name)
{
	return vd_error_create(VD_ERR_LOOKUP, "no %s '%s' in the DWARF of %s", what, name,
			       vd_dwarf_index_path(src->ix));
}

static struct vd_error *
dwarf_find(struct vd_type_source *base, enum vd_type_kind kind, const char *name,
	   struct vd_qualified_type *ret)
{
	struct vd_dwarf_source *src = (struct vd_dwarf_source *)base;
	char canon[128];
	enum vd_dwarf_ns ns;
	struct vd_error *err;
	Dwarf_Off off;

	switch (kind) {
	case VD_TYPE_STRUCT: ns = VD_DWARF_STRUCT; break;
	case VD_TYPE_UNION: ns = VD_DWARF_UNION; break;
	case VD_TYPE_ENUM: ns = VD_DWARF_ENUM; break;
	case VD_TYPE_TYPEDEF: ns = VD_DWARF_TYPEDEF; break;
	case VD_TYPE_INT:
	case VD_TYPE_FLOAT:
		ns = VD_DWARF_BASE;
		vd_types_canonical_base_name(name, canon, sizeof(canon));
		name = canon;
		break;
	default:
		return vd_error_create(VD_ERR_LOOKUP, "no such kind of type in DWARF");
	}
	err = vd_dwarf_index_scan(src->ix, 1u << ns, name, VD_DWARF_GOOD);
	if (err)
		return err;
	if (vd_dwarf_index_peek(src->ix, ns, name, &off) == VD_DWARF_NONE)
		return not_found(src, ns == VD_DWARF_BASE ? "base type" : "type", name);
	err = type_at(src, off, ret);
	if (!err && ns == VD_DWARF_BASE && ret->type->kind != kind)
		return not_found(src, kind == VD_TYPE_INT ? "integer type" : "float type", name);
	return err;
}

/*
 * A bare name: struct, union, typedef, enum in that order.  The scan
 * stops at the first CU that defines anything of that name, variables
 * and functions included (so "whatis init_task" does not read every CU
 * to learn that no type is called init_task): a name that CU does not
 * define as a type is taken not to be one.  The kernel defines a struct
 * and a same-named object (mem_section) in the same header.
 */
static struct vd_error *
dwarf_find_bare(struct vd_type_source *base, const char *name,
		struct vd_qualified_type *ret)
{
	static const enum vd_dwarf_ns order[] = { VD_DWARF_STRUCT, VD_DWARF_UNION,
					       VD_DWARF_TYPEDEF, VD_DWARF_ENUM };
	struct vd_dwarf_source *src = (struct vd_dwarf_source *)base;
	unsigned mask = 1u << VD_DWARF_OBJECT;
	struct vd_error *err;
	Dwarf_Off off;

	for (size_t i = 0; i < VD_ARRAY_SIZE(order); i++)
		mask |= 1u << order[i];
	err = vd_dwarf_index_scan(src->ix, mask, name, VD_DWARF_GOOD);
	if (err)
		return err;
	for (enum vd_dwarf_rank want = VD_DWARF_GOOD; want >= VD_DWARF_WEAK; want--)
		for (size_t i = 0; i < VD_ARRAY_SIZE(order); i++)
			if (vd_dwarf_index_peek(src->ix, order[i], name, &off) == want)
				return type_at(src, off, ret);
	return not_found(src, "type", name);
}

/*
 * The type of the variable or function at off (DWARF 5 §4.1, §3.3); a
 * definition may leave its type to the declaration it completes.
 */
static struct vd_error *
object_type(struct vd_dwarf_source *src, Dwarf_Off off, struct vd_qualified_type *ret)
{
	struct vd_error *err;
	struct vd_dwarf_die d;

	for (int hop = 0; hop < 2; hop++) {
		err = vd_dwarf_read_die(src->ix, off, &d);
		if (err)
			return err;
		if (d.tag == DW_TAG_subprogram)
			return type_at(src, off, ret);
		if (d.tag != DW_TAG_variable)
			return vd_error_create(VD_ERR_CORRUPT, "%s: DWARF DIE 0x%llx: not a variable",
					       vd_dwarf_index_path(src->ix), (unsigned long long)off);
		if (d.has_type || !d.has_spec)
			break;
		off = d.spec;
	}
	// A variable's struct gets its members on first use: `whatis
	// init_task` needs its name and size, not the ~250 member DIEs of
	// task_struct (a third of that command's instructions).
	return vd_dwarf_convert(src, d.has_type, d.type, false, ret);
}

static bool
unknown_length(struct vd_qualified_type qt)
{
	const struct vd_type *t = vd_type_unqualified(qt.type);

	return t && t->kind == VD_TYPE_ARRAY && !t->length;
}

/*
 * A declaration's type is the answer ("extern struct task_struct
 * init_task;" comes early, in every user), unless it is an array of
 * unknown size: then the definition has the size (linux_banner[204]).
 */
static struct vd_error *
dwarf_find_object(struct vd_type_source *base, const char *name,
		  struct vd_qualified_type *ret)
{
	struct vd_dwarf_source *src = (struct vd_dwarf_source *)base;
	enum vd_dwarf_rank rank;
	struct vd_error *err;
	Dwarf_Off off;

	err = vd_dwarf_index_scan(src->ix, 1u << VD_DWARF_OBJECT, name, VD_DWARF_GOOD);
	if (err)
		return err;
	rank = vd_dwarf_index_peek(src->ix, VD_DWARF_OBJECT, name, &off);
	if (rank == VD_DWARF_NONE)
		return not_found(src, "variable or function", name);
	err = object_type(src, off, ret);
	if (err || rank == VD_DWARF_BEST || !unknown_length(*ret))
		return err;
	err = vd_dwarf_index_scan(src->ix, 1u << VD_DWARF_OBJECT, name, VD_DWARF_BEST);
	if (err || vd_dwarf_index_peek(src->ix, VD_DWARF_OBJECT, name, &off) != VD_DWARF_BEST)
		return err;
	return object_type(src, off, ret);
}

/*
 * Where the variable is: the DW_AT_location of the entry the index ranks
 * best (the definition of an external that restates its type; a static
 * otherwise).  A declaration has none, nor has a variable the compiler kept
 * in no fixed place, nor one whose section the link discarded.  The index
 * keeps one entry per name: an external declared in a header and defined
 * without restating its type is found as the declaration, so with no
 * address (such a variable always has its symbol: vmdive asks this only for
 * names no symbol has, which in the kernels checked are statics: the KVM
 * nVHE and EFI stub ones on arm64).
 */
static struct vd_error *
dwarf_find_object_address(struct vd_type_source *base, const char *name, uint64_t *ret)
{
	struct vd_dwarf_source *src = (struct vd_dwarf_source *)base;
	struct vd_error *err;
	struct vd_dwarf_die d;
	Dwarf_Off off;

	err = vd_dwarf_index_scan(src->ix, 1u << VD_DWARF_OBJECT, name, VD_DWARF_BEST);
	if (err)
		return err;
	if (vd_dwarf_index_peek(src->ix, VD_DWARF_OBJECT, name, &off) == VD_DWARF_NONE)
		return not_found(src, "variable", name);
	if ((err = vd_dwarf_read_die(src->ix, off, &d)))
		return err;
	// 0: the linker resolved the relocation against a section it discarded
	// (.exit.data's __exitcall_*, .discard.addressable's __UNIQUE_ID_*: a
	// third of the 6.1 vmlinux's top-level variables), so no storage.
	if (d.tag != DW_TAG_variable || !d.has_addr || !d.addr)
		return vd_error_create(VD_ERR_LOOKUP, "%s: '%s' has no static address (DW_AT_location)",
				       src->desc, name);
	*ret = d.addr;
	return NULL;
}

/* The enum of a top-level enumerator (the one-pass index has them) and its value. */
static struct vd_error *
dwarf_find_enumerator(struct vd_type_source *base, const char *name,
		      struct vd_qualified_type *ret, int64_t *value_ret)
{
	struct vd_dwarf_source *src = (struct vd_dwarf_source *)base;
	struct vd_error *err;
	const struct vd_type *t;
	Dwarf_Off off;

	if ((err = vd_dwarf_index_enumerator(src->ix, name, &off)) || (err = type_at(src, off, ret)))
		return err;
	t = ret->type;
	for (size_t i = 0; t && t->kind == VD_TYPE_ENUM && i < t->nenumerators; i++) {
		if (!strcmp(t->enumerators[i].name, name)) {
			*value_ret = t->enumerators[i].value;
			return NULL;
		}
	}
	return vd_error_create(VD_ERR_CORRUPT, "%s: DWARF DIE 0x%llx: the enum indexed for '%s' does not list it",
			       vd_dwarf_index_path(src->ix), (unsigned long long)off, name);
}

static void
dwarf_destroy(struct vd_type_source *base)
{
	struct vd_dwarf_source *src = (struct vd_dwarf_source *)base;

	vd_dwarf_index_close(src->ix);
	vd_htab_free(&src->memo);
	free(src->memo_offs);
	free(src->memo_types);
	free(src->work);
	vd_arena_deinit(&src->arena);
	free(src->desc);
	free(src->module);
	free(src);
}

struct vd_error *
vd_dwarf_source_from_file(const char *path, struct vd_type_source **ret)
{
	struct vd_dwarf_source *src = calloc(1, sizeof(*src));
	struct vd_error *err;

	if (!src)
		return &vd_enomem;
	err = vd_dwarf_index_open(path, &src->ix);
	if (!err && asprintf(&src->desc, "DWARF %s", path) < 0) {
		src->desc = NULL;
		err = &vd_enomem;
	}
	if (err) {
		dwarf_destroy(&src->base);
		return err;
	}
	src->dbg = vd_dwarf_index_dbg(src->ix);
	src->ptr_size = vd_dwarf_index_ptr_size(src->ix);
	src->big_endian = vd_dwarf_index_big_endian(src->ix);
	src->void_type = (struct vd_type){ .kind = VD_TYPE_VOID, .name = "void",
					   .complete = true, .source = "DWARF" };
	src->base = (struct vd_type_source){
		.name = src->desc, .find = dwarf_find, .find_bare = dwarf_find_bare,
		.find_object = dwarf_find_object, .destroy = dwarf_destroy,
		.find_object_address = dwarf_find_object_address,
		.find_enumerator = dwarf_find_enumerator,
		.fill = vd_dwarf_fill,
	};
	*ret = &src->base;
	return NULL;
}

struct vd_error *
vd_dwarf_source_for_module(const char *path, const char *module,
			   struct vd_type_source **ret)
{
	struct vd_type_source *base;
	struct vd_dwarf_source *src;
	struct vd_error *err = vd_dwarf_source_from_file(path, &base);

	if (err)
		return err;
	src = (struct vd_dwarf_source *)base;
	free(src->desc);
	src->desc = NULL;
	src->module = strdup(module);
	if (!src->module || asprintf(&src->desc, "the DWARF of module %s (%s)", module,
				     path) < 0) {
		src->desc = NULL;
		dwarf_destroy(base);
		return &vd_enomem;
	}
	base->name = src->desc;
	base->find_object_address = NULL;   // a module's addresses are section-relative
	*ret = base;
	return NULL;
}

const char *
vd_dwarf_source_use_cache(struct vd_type_source *base, const char *dir)
{
	struct vd_dwarf_source *src = (struct vd_dwarf_source *)base;

	return vd_dwarf_index_use_names(src->ix, dir);
}

struct vd_error *
vd_dwarf_source_create(struct vd_session *s, struct vd_type_source **ret)
{
	struct vd_error *err;

	if (!s->vmlinux_path)
		return &vd_noprobe;
	err = vd_dwarf_source_from_file(s->vmlinux_path, ret);
	if (!err)
		vd_dwarf_source_use_cache(*ret, s->cache_dir);
	return err;
}
