// SPDX-License-Identifier: MIT
/*
 * DWARF DIEs to struct vd_type (the lookups are in dwarf.c), as btf.c
 * does for BTF: memoized by DIE offset, a struct's members filled from a
 * worklist (so long chains of nested structs cost no stack),
 * pointer/typedef/array chains followed with a depth bound.  Everything read from the file is checked: counts,
 * sizes, offsets; a bad DIE gives an error naming its offset.
 *
 * A struct that a CU only declares ("struct mm_struct;", DWARF 5 §2.13.1)
 * is replaced by a definition the index already knows; otherwise it stays
 * an incomplete type, which vd_object_deref completes by name when a
 * pointer to it is followed, so no lookup scans CUs for types nobody uses.
 */
#include <dwarf.h>
#include <libdwarf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "types/ctype_priv.h"
#include "dwarf_priv.h"
#include "kernel/session_priv.h"

/* Bounds for hostile DWARF. */
#define DEPTH_MAX 256             /* pointer/typedef/array/qualifier nesting */
#define DIMS_MAX 64               /* array dimensions */

static struct vd_error *conv_qt(struct vd_dwarf_source *src, bool has, Dwarf_Off off,
				int depth, struct vd_qualified_type *ret);

static struct vd_error *
bad(const struct vd_dwarf_source *src, Dwarf_Off off, const char *what)
{
	return vd_error_create(VD_ERR_CORRUPT, "%s: DWARF DIE 0x%llx: %s",
			       vd_dwarf_index_path(src->ix), (unsigned long long)off, what);
}

/* Memo ---------------------------------------------------------------------- */

/*
 * DIE offset -> converted type: the offsets and types in two arrays, the
 * common hash table (common/hashtab.h) over them, hashed by the offset.
 */
static uint64_t
memo_hash(void *priv, uint32_t idx)
{
	return ((const struct vd_dwarf_source *)priv)->memo_offs[idx];
}

static uint32_t
memo_find(const struct vd_dwarf_source *src, Dwarf_Off off)
{
	struct vd_htab_probe p;

	for (uint32_t i = vd_htab_first(&src->memo, off, &p); i != VD_HTAB_END;
	     i = vd_htab_next(&src->memo, &p))
		if (src->memo_offs[i] == off)
			return i;
	return VD_HTAB_END;
}

static const struct vd_type *
memo_get(const struct vd_dwarf_source *src, Dwarf_Off off)
{
	uint32_t i = memo_find(src, off);

	return i == VD_HTAB_END ? NULL : src->memo_types[i];
}

/* Remember off's type; a second conversion of off replaces the first. */
static struct vd_error *
memo_put(struct vd_dwarf_source *src, Dwarf_Off off, const struct vd_type *type)
{
	uint32_t i = memo_find(src, off);
	struct vd_error *err;

	if (i != VD_HTAB_END) {
		src->memo_types[i] = type;
		return NULL;
	}
	if (src->memo_n > VD_HTAB_IDX_MAX)
		return vd_error_create(VD_ERR_CORRUPT, "%s: more than %u DWARF types converted",
				       vd_dwarf_index_path(src->ix), (unsigned)VD_HTAB_IDX_MAX);
	if (src->memo_n == src->memo_cap) {
		size_t cap = src->memo_cap ? 2 * src->memo_cap : 512;
		Dwarf_Off *offs = realloc(src->memo_offs, cap * sizeof(*offs));
		const struct vd_type **types;

		if (!offs)
			return &vd_enomem;
		src->memo_offs = offs;
		types = realloc(src->memo_types, cap * sizeof(*types));
		if (!types)
			return &vd_enomem;
		src->memo_types = types;
		src->memo_cap = cap;
	}
	src->memo_offs[src->memo_n] = off;
	src->memo_types[src->memo_n] = type;
	err = vd_htab_add(&src->memo, off, (uint32_t)src->memo_n, memo_hash, src);
	src->memo_n += !err;
	return err;
}

/* A growing array of children, copied into the arena when complete. */
struct child_buf {
	void *items;
	size_t n, cap, item_size;
};

static void *
child_push(struct child_buf *b)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 16;
		void *p = realloc(b->items, cap * b->item_size);

		if (!p)
			return NULL;
		b->items = p;
		b->cap = cap;
	}
	return memset((char *)b->items + b->n++ * b->item_size, 0, b->item_size);
}

static const void *
child_finish(struct vd_dwarf_source *src, struct child_buf *b)
{
	void *p = vd_arena_alloc(&src->arena, (b->n ? b->n : 1) * b->item_size);

	if (p && b->n)
		memcpy(p, b->items, b->n * b->item_size);
	free(b->items);
	b->items = NULL;
	return p;
}

/* Converting DIEs to types ----------------------------------------------- */

static void
conv_base(struct vd_type *vt, const struct vd_dwarf_die *d)
{
	// DWARF 5 §5.1, Table 5.1: base type encodings.
	switch (d->encoding) {
	case DW_ATE_float:
	case DW_ATE_complex_float:
	case DW_ATE_decimal_float:
		vt->kind = VD_TYPE_FLOAT;
		break;
	default:
		vt->kind = VD_TYPE_INT;
		vt->is_signed = d->encoding == DW_ATE_signed ||
				d->encoding == DW_ATE_signed_char ||
				d->encoding == DW_ATE_signed_fixed;
		vt->is_char = d->encoding == DW_ATE_signed_char ||
			      d->encoding == DW_ATE_unsigned_char;
		vt->is_bool = d->encoding == DW_ATE_boolean;
	}
	vt->size = d->byte_size;
	vt->complete = true;
}

static uint64_t
size_of(const struct vd_type *t)
{
	t = vd_type_unqualified(t);
	return t ? t->size : 0;
}

/* The length of one array dimension (DWARF 5 §5.13); 0 when unknown. */
static uint64_t
subrange_length(const struct vd_dwarf_die *d)
{
	int64_t lower = d->has_lower ? d->lower : 0;   // C's default (§5.13)

	if (d->has_count)
		return d->count;
	if (!d->has_upper || d->upper < lower)
		return 0;     // flexible array, or int x[0] with upper bound -1
	return (uint64_t)(d->upper - lower) + 1;
}

struct dims {
	struct vd_dwarf_source *src;
	uint64_t len[DIMS_MAX];
	unsigned n;
};

static struct vd_error *
array_child(const struct vd_dwarf_die *d, void *arg)
{
	struct dims *dims = arg;

	if (d->tag != DW_TAG_subrange_type && d->tag != DW_TAG_enumeration_type)
		return NULL;
	if (dims->n == DIMS_MAX)
		return bad(dims->src, d->off, "more than 64 array dimensions");
	dims->len[dims->n++] = d->tag == DW_TAG_subrange_type ? subrange_length(d) : 0;
	return NULL;
}

/*
 * DWARF 5 §5.5: one DW_TAG_array_type with a subrange per dimension;
 * int a[2][3] becomes an array of 2 arrays of 3 ints, the outer one vt.
 */
static struct vd_error *
conv_array(struct vd_dwarf_source *src, const struct vd_dwarf_die *d,
	   struct vd_type *vt, int depth)
{
	struct vd_qualified_type elem;
	struct dims dims = { .src = src, .n = 0 };
	struct vd_error *err;

	err = vd_dwarf_for_children(src->ix, d->off, array_child, &dims);
	if (!err)
		err = conv_qt(src, d->has_type, d->type, depth + 1, &elem);
	if (err)
		return err;
	if (!dims.n)
		dims.len[dims.n++] = 0;
	for (unsigned i = dims.n; i-- > 0;) {
		struct vd_type *t = i ? vd_arena_alloc(&src->arena, sizeof(*t)) : vt;
		uint64_t esize = size_of(elem.type);

		if (!t)
			return &vd_enomem;
		if (esize && dims.len[i] > UINT64_MAX / esize)
			return bad(src, d->off, "array size overflows");
		t->kind = VD_TYPE_ARRAY;
		t->length = dims.len[i];
		t->size = esize * dims.len[i];
		t->target = elem;
		t->complete = true;
		t->source = "DWARF";
		t->module = src->module;
		elem = (struct vd_qualified_type){ t, 0 };
	}
	return NULL;
}

/* An enumerator as written, before the enum's signedness is known. */
struct raw_enumerator {
	const char *name;
	uint64_t u;
	int64_t s;
	bool is_signed;
	unsigned bytes;
};

struct enum_ctx {
	struct vd_dwarf_source *src;
	struct child_buf buf;
};

static struct vd_error *
enum_child(const struct vd_dwarf_die *d, void *arg)
{
	struct enum_ctx *ec = arg;
	struct raw_enumerator *e;

	if (d->tag != DW_TAG_enumerator)
		return NULL;
	if (!d->has_const)
		return bad(ec->src, d->off, "enumerator without a value");
	e = child_push(&ec->buf);
	if (!e)
		return &vd_enomem;
	*e = (struct raw_enumerator){ d->name ? d->name : "?", d->const_u, d->const_s,
				      d->const_is_signed, d->const_bytes };
	return NULL;
}

/*
 * DWARF 5 §5.9.  Values written with a signed form (sdata) are signed;
 * data1..8 are read as unsigned (as GCC writes non-negative values and
 * gdb reads them) unless the enum is signed and the form is exactly its
 * size, where all bits are the value.
 */
static struct vd_error *
conv_enum(struct vd_dwarf_source *src, const struct vd_dwarf_die *d,
	  struct vd_type *vt, int depth)
{
	struct enum_ctx ec = { src, { .item_size = sizeof(struct raw_enumerator) } };
	struct child_buf *b = &ec.buf;
	struct vd_qualified_type under = { NULL, 0 };
	const struct raw_enumerator *raw;
	struct vd_enumerator *e;
	struct vd_error *err;

	vt->kind = VD_TYPE_ENUM;
	vt->size = d->byte_size;
	vt->complete = true;
	err = vd_dwarf_for_children(src->ix, d->off, enum_child, &ec);
	if (!err && d->has_type)          // the underlying type (DWARF 3+)
		err = conv_qt(src, true, d->type, depth + 1, &under);
	if (err) {
		free(b->items);
		return err;
	}
	raw = b->items;
	if (under.type && vd_type_unqualified(under.type))
		vt->is_signed = vd_type_unqualified(under.type)->is_signed;
	for (size_t i = 0; !under.type && i < b->n; i++)
		vt->is_signed |= raw[i].is_signed && raw[i].s < 0;
	e = vd_arena_alloc(&src->arena, (b->n ? b->n : 1) * sizeof(*e));
	if (!e) {
		free(b->items);
		return &vd_enomem;
	}
	for (size_t i = 0; i < b->n; i++) {
		bool sext = raw[i].is_signed || (vt->is_signed && raw[i].bytes == vt->size);

		e[i] = (struct vd_enumerator){ raw[i].name,
					       sext ? raw[i].s : (int64_t)raw[i].u };
	}
	vt->enumerators = e;
	vt->nenumerators = b->n;
	free(b->items);
	return NULL;
}

struct fn_params {
	struct vd_dwarf_source *src;
	struct child_buf buf;
	bool variadic;
	int depth;
};

static struct vd_error *
param_child(const struct vd_dwarf_die *d, void *arg)
{
	struct fn_params *fp = arg;
	struct vd_member *m;

	if (d->tag == DW_TAG_unspecified_parameters) {
		fp->variadic = true;
		return NULL;
	}
	if (d->tag != DW_TAG_formal_parameter)
		return NULL;   // a function's locals, blocks, labels
	m = child_push(&fp->buf);
	if (!m)
		return &vd_enomem;
	m->name = d->name;
	return conv_qt(fp->src, d->has_type, d->type, fp->depth + 1, &m->type);
}

/* DWARF 5 §5.10 (subroutine types) and §3.3 (a function's own DIE). */
static struct vd_error *
conv_function(struct vd_dwarf_source *src, const struct vd_dwarf_die *d,
	      struct vd_type *vt, int depth)
{
	struct fn_params fp = { .src = src, .buf = { .item_size = sizeof(struct vd_member) },
				.depth = depth };
	struct vd_error *err;

	vt->kind = VD_TYPE_FUNCTION;
	vt->complete = true;
	err = conv_qt(src, d->has_type, d->type, depth + 1, &vt->target);
	if (!err)
		err = vd_dwarf_for_children(src->ix, d->off, param_child, &fp);
	if (err) {
		free(fp.buf.items);
		return err;
	}
	vt->nmembers = fp.buf.n;
	vt->members = child_finish(src, &fp.buf);
	vt->variadic = fp.variadic;
	return vt->members ? NULL : &vd_enomem;
}

static enum vd_dwarf_ns
tag_ns(Dwarf_Half tag)
{
	return tag == DW_TAG_union_type ? VD_DWARF_UNION :
	       tag == DW_TAG_enumeration_type ? VD_DWARF_ENUM : VD_DWARF_STRUCT;
}

/*
 * A declared-only struct/union/enum: the definition if the index has met
 * one by that name (no scanning here), else an incomplete type.
 */
static struct vd_error *
conv_declaration(struct vd_dwarf_source *src, const struct vd_dwarf_die *d, int depth,
		 const struct vd_type **ret)
{
	Dwarf_Off def;
	struct vd_type *vt;
	struct vd_error *err;

	if (d->name && vd_dwarf_index_peek(src->ix, tag_ns(d->tag), d->name, &def) ==
		       VD_DWARF_GOOD && def != d->off) {
		struct vd_qualified_type qt;

		err = conv_qt(src, true, def, depth + 1, &qt);
		if (!err)
			err = memo_put(src, d->off, qt.type);
		if (!err)
			*ret = qt.type;
		return err;
	}
	vt = vd_arena_alloc(&src->arena, sizeof(*vt));
	if (!vt)
		return &vd_enomem;
	*vt = (struct vd_type){ .kind = d->tag == DW_TAG_union_type ? VD_TYPE_UNION :
					d->tag == DW_TAG_enumeration_type ? VD_TYPE_ENUM :
					VD_TYPE_STRUCT,
				.name = d->name, .source = "DWARF", .module = src->module };
	*ret = vt;
	return memo_put(src, d->off, vt);
}

static struct vd_error *
push_work(struct vd_dwarf_source *src, Dwarf_Off off, struct vd_type *vt)
{
	if (src->nwork == src->work_cap) {
		size_t cap = src->work_cap ? 2 * src->work_cap : 256;
		void *p = realloc(src->work, cap * sizeof(*src->work));

		if (!p)
			return &vd_enomem;
		src->work = p;
		src->work_cap = cap;
	}
	src->work[src->nwork++] = (struct vd_dwarf_work){ off, vt };
	return NULL;
}

/* The kinds of type a DIE can be, by tag; the rest are not types. */
static struct vd_error *
conv_by_tag(struct vd_dwarf_source *src, const struct vd_dwarf_die *d,
	    struct vd_type *vt, int depth)
{
	switch (d->tag) {
	case DW_TAG_base_type:
		conv_base(vt, d);
		return NULL;
	case DW_TAG_unspecified_type:             // §5.2
		vt->kind = VD_TYPE_VOID;
		vt->complete = true;
		return NULL;
	case DW_TAG_pointer_type:                 // §5.3
	case DW_TAG_reference_type:
	case DW_TAG_rvalue_reference_type:
	case DW_TAG_ptr_to_member_type:
		vt->kind = VD_TYPE_POINTER;
		vt->size = d->has_byte_size ? d->byte_size : src->ptr_size;
		vt->complete = true;
		return conv_qt(src, d->has_type, d->type, depth + 1, &vt->target);
	case DW_TAG_typedef: {                    // §5.4
		struct vd_error *err;

		vt->kind = VD_TYPE_TYPEDEF;
		vt->complete = true;
		err = conv_qt(src, d->has_type, d->type, depth + 1, &vt->target);
		vt->size = err ? 0 : size_of(vt->target.type);
		return err;
	}
	case DW_TAG_array_type:
		return conv_array(src, d, vt, depth);
	case DW_TAG_structure_type:               // §5.7; members later
	case DW_TAG_class_type:
	case DW_TAG_union_type:
		vt->kind = d->tag == DW_TAG_union_type ? VD_TYPE_UNION : VD_TYPE_STRUCT;
		vt->size = d->byte_size;
		vt->complete = true;
		// Members on first use (vd_type_fill()), as btf.c does: a
		// struct no longer drags in every type its pointers reach
		// (task_struct reached a few thousand).
		if (d->off <= UINT32_MAX) {
			vt->unfilled = &src->base;
			vt->unfilled_id = (uint32_t)d->off;
			return NULL;
		}
		return push_work(src, d->off, vt);
	case DW_TAG_enumeration_type:
		return conv_enum(src, d, vt, depth);
	case DW_TAG_subroutine_type:
	case DW_TAG_subprogram:
		return conv_function(src, d, vt, depth);
	}
	return vd_error_create(VD_ERR_CORRUPT, "%s: DWARF DIE 0x%llx: tag 0x%x is not a type",
			       vd_dwarf_index_path(src->ix), (unsigned long long)d->off,
			       d->tag);
}

/* One type DIE (not a qualifier), memoized by offset. */
static struct vd_error *
conv_type(struct vd_dwarf_source *src, const struct vd_dwarf_die *d,
	  int depth, const struct vd_type **ret)
{
	struct vd_type *vt;
	struct vd_error *err;

	if ((d->tag == DW_TAG_structure_type || d->tag == DW_TAG_union_type ||
	     d->tag == DW_TAG_class_type || d->tag == DW_TAG_enumeration_type) &&
	    d->declaration)
		return conv_declaration(src, d, depth, ret);
	vt = vd_arena_alloc(&src->arena, sizeof(*vt));
	if (!vt)
		return &vd_enomem;
	vt->name = d->name;
	vt->source = "DWARF";
	vt->module = src->module;
	// Memoized before its parts: a pointer inside may lead back here.
	err = memo_put(src, d->off, vt);
	if (!err)
		err = conv_by_tag(src, d, vt, depth);
	if (err)
		return err;
	*ret = vt;
	return NULL;
}

/*
 * The type a DW_AT_type reference names, through const/volatile/restrict
 * (DWARF 5 §5.3) collected as qualifiers.  No reference means void.
 */
static struct vd_error *
conv_qt(struct vd_dwarf_source *src, bool has, Dwarf_Off off, int depth,
	struct vd_qualified_type *ret)
{
	unsigned q = 0;

	for (; has; depth++) {
		const struct vd_type *known = memo_get(src, off);
		struct vd_error *err;
		struct vd_dwarf_die d;

		if (known) {
			*ret = (struct vd_qualified_type){ known, q };
			return NULL;
		}
		if (depth > DEPTH_MAX)
			return bad(src, off, "types nested too deep (a loop?)");
		err = vd_dwarf_read_die(src->ix, off, &d);
		if (!err && d.tag != DW_TAG_const_type && d.tag != DW_TAG_volatile_type &&
		    d.tag != DW_TAG_restrict_type && d.tag != DW_TAG_atomic_type &&
		    d.tag != DW_TAG_immutable_type) {
			ret->qualifiers = q;
			return conv_type(src, &d, depth, &ret->type);
		}
		if (err)
			return err;
		q |= d.tag == DW_TAG_const_type ? VD_QUAL_CONST :
		     d.tag == DW_TAG_volatile_type ? VD_QUAL_VOLATILE :
		     d.tag == DW_TAG_restrict_type ? VD_QUAL_RESTRICT : 0;
		has = d.has_type;
		off = d.type;
	}
	*ret = (struct vd_qualified_type){ &src->void_type, q };
	return NULL;
}

/* Members -------------------------------------------------------------------- */

/*
 * A data member's offset in bits from the start of its struct (DWARF 5
 * §5.7.6): DW_AT_data_bit_offset (DWARF 4+), or the byte offset
 * DW_AT_data_member_location plus, for a DWARF 2/3 bit field,
 * DW_AT_bit_offset: bits from the most significant bit of a storage unit
 * of DW_AT_byte_size bytes to the field's most significant bit.
 */
static struct vd_error *
member_bit_offset(struct vd_dwarf_source *src, const struct vd_dwarf_die *d,
		  const struct vd_type *type, uint64_t *ret)
{
	uint64_t base, unit;
	int64_t in_unit;

	if (d->has_data_bit_offset) {
		*ret = d->data_bit_offset;
		return NULL;
	}
	base = d->has_location ? d->location : 0;   // a union member: 0
	if (base > UINT64_MAX / 16)
		return bad(src, d->off, "member offset out of range");
	base *= 8;
	if (!d->has_bit_size || !d->has_bit_offset) {
		*ret = base;
		return NULL;
	}
	unit = d->has_byte_size ? d->byte_size : size_of(type);
	if (!unit || unit > 16 || d->bit_size > 8 * unit)
		return bad(src, d->off, "bit field storage unit out of range");
	// Little-endian: count from the unit's least significant bit.
	in_unit = src->big_endian ? d->bit_offset :
		  (int64_t)(8 * unit) - d->bit_offset - (int64_t)d->bit_size;
	if (in_unit < -(int64_t)(8 * unit) || in_unit > (int64_t)(8 * unit) ||
	    (in_unit < 0 && (uint64_t)-in_unit > base))
		return bad(src, d->off, "bit field offset out of range");
	*ret = base + (uint64_t)in_unit;
	return NULL;
}

struct member_ctx {
	struct vd_dwarf_source *src;
	struct child_buf buf;
};

static struct vd_error *
member_child(const struct vd_dwarf_die *d, void *arg)
{
	struct member_ctx *mc = arg;
	struct vd_dwarf_source *src = mc->src;
	struct vd_member *m;
	struct vd_error *err;

	// Nested type definitions (C++), static members, inheritance: not
	// part of the layout C code reads.
	if (d->tag != DW_TAG_member)
		return NULL;
	m = child_push(&mc->buf);
	if (!m)
		return &vd_enomem;
	m->name = d->name;
	err = conv_qt(src, d->has_type, d->type, 0, &m->type);
	if (!err)
		err = member_bit_offset(src, d, m->type.type, &m->bit_offset);
	if (!err && d->has_bit_size) {
		if (!d->bit_size || d->bit_size > 128)
			return bad(src, d->off, "bit field size out of range");
		m->bit_field_size = (uint32_t)d->bit_size;
	}
	return err;
}

static struct vd_error *
fill_members(struct vd_dwarf_source *src, const struct vd_dwarf_work *w)
{
	struct member_ctx mc = { src, { .item_size = sizeof(struct vd_member) } };
	struct child_buf *b = &mc.buf;
	struct vd_error *err;

	err = vd_dwarf_for_children(src->ix, w->off, member_child, &mc);
	if (err) {
		free(b->items);
		return err;
	}
	w->type->nmembers = b->n;
	w->type->members = child_finish(src, b);
	return w->type->members ? NULL : &vd_enomem;
}

/*
 * Fill every struct queued by conv_type (converting members queues more).
 * On an error the structs still queued are left incomplete rather than
 * looking like empty structs.
 */
static struct vd_error *
drain_work(struct vd_dwarf_source *src)
{
	while (src->nwork) {
		struct vd_dwarf_work w = src->work[--src->nwork];
		struct vd_error *err = fill_members(src, &w);

		if (err) {
			w.type->complete = false;
			while (src->nwork)
				src->work[--src->nwork].type->complete = false;
			return err;
		}
	}
	return NULL;
}

struct vd_error *
vd_dwarf_fill(struct vd_type_source *base, struct vd_type *vt)
{
	struct vd_dwarf_source *src = (struct vd_dwarf_source *)base;
	struct vd_dwarf_work w = { vt->unfilled_id, vt };
	struct vd_error *err = fill_members(src, &w);

	if (err) {
		vt->complete = false;
		return err;
	}
	return drain_work(src);
}

struct vd_error *
vd_dwarf_convert(struct vd_dwarf_source *src, bool has, Dwarf_Off off, bool members,
		 struct vd_qualified_type *ret)
{
	struct vd_error *err = conv_qt(src, has, off, 0, ret);
	struct vd_type *vt;

	if (!err)
		err = drain_work(src);
	// The type asked for has its members at once (a damaged one is an
	// error of the lookup); what they lead to waits for vd_type_fill().
	if (!err && members && (vt = (struct vd_type *)ret->type)->unfilled) {
		vt->unfilled = NULL;
		err = vd_dwarf_fill(&src->base, vt);
	}
	return err;
}
