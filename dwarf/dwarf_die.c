// SPDX-License-Identifier: MIT
/*
 * Reading one DIE of the DWARF: its tag and the attributes that describe
 * a C type, variable or function, each checked for its form (DWARF 5
 * §7.5.4, §7.5.5): a constant must be a constant, a reference a
 * reference.  A bound written as an expression (a variable-length
 * array) or any other form stays "absent" rather than failing the DIE.
 * Children are walked with the same bounds as top-level DIEs.
 */
#include <dwarf.h>
#include <libdwarf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dwarf_priv.h"

/* Bounds for hostile DWARF. */
#define CHILDREN_MAX (1u << 20)   /* members, enumerators, parameters */
#define EXPR_STACK 8              /* member location expressions */

/* Reading a DIE's attributes ---------------------------------------------- */

/* A constant-class attribute (DWARF 5 §7.5.5): zero- and sign-extended. */
static int
read_const(Dwarf_Attribute a, Dwarf_Half form, uint64_t *u, int64_t *s,
	   bool *is_signed, unsigned *bytes_ret, Dwarf_Error *derr)
{
	unsigned bytes = 0;
	Dwarf_Unsigned uv;
	Dwarf_Signed sv;
	int r;

	switch (form) {
	case DW_FORM_sdata:
	case DW_FORM_implicit_const:
		r = dwarf_formsdata(a, &sv, derr);
		*s = sv;
		*u = (uint64_t)sv;
		*is_signed = true;
		*bytes_ret = 8;
		return r;
	case DW_FORM_data1: bytes = 1; break;
	case DW_FORM_data2: bytes = 2; break;
	case DW_FORM_data4: bytes = 4; break;
	case DW_FORM_data8:
	case DW_FORM_udata: bytes = 8; break;
	default:
		return DW_DLV_NO_ENTRY;   // block, exprloc, reference: not a number
	}
	r = dwarf_formudata(a, &uv, derr);
	*u = uv;
	*s = bytes < 8 && (uv >> (8 * bytes - 1)) & 1 ? (int64_t)(uv | ~0ull << (8 * bytes))
						       : (int64_t)uv;
	*is_signed = false;
	*bytes_ret = bytes;
	return r;
}

static bool
read_uleb(const uint8_t **p, const uint8_t *end, uint64_t *ret)
{
	uint64_t v = 0;

	for (unsigned shift = 0; *p < end && shift < 64; shift += 7) {
		uint8_t b = *(*p)++;

		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*ret = v;
			return true;
		}
	}
	return false;
}

/*
 * DW_AT_data_member_location as an expression (DWARF 2/3 style; DWARF 5
 * §5.7.6): the member's address is computed with the struct's address
 * pushed first.  Only the constant forms producers emit for C are taken.
 */
static bool
eval_location(const uint8_t *p, uint64_t len, bool be, uint64_t *ret)
{
	const uint8_t *end = p + len;
	uint64_t stack[EXPR_STACK] = { 0 }, v;
	unsigned n = 1, k;

	while (p < end) {
		uint8_t op = *p++;

		if (op == DW_OP_plus_uconst || op == DW_OP_constu) {
			if (!read_uleb(&p, end, &v))
				return false;
			if (op == DW_OP_plus_uconst) {
				stack[n - 1] += v;
				continue;
			}
		} else if (op >= DW_OP_lit0 && op <= DW_OP_lit31) {
			v = op - DW_OP_lit0;
		} else if (op == DW_OP_const1u || op == DW_OP_const2u ||
			   op == DW_OP_const4u || op == DW_OP_const8u) {
			k = op == DW_OP_const1u ? 1 : op == DW_OP_const2u ? 2 :
			    op == DW_OP_const4u ? 4 : 8;
			if ((uint64_t)(end - p) < k)
				return false;
			v = 0;
			for (unsigned i = 0; i < k; i++)   // in the target's order
				v |= (uint64_t)p[i] << (8 * (be ? k - 1 - i : i));
			p += k;
		} else if (op == DW_OP_plus && n >= 2) {
			stack[n - 2] += stack[n - 1];
			n--;
			continue;
		} else {
			return false;
		}
		if (n == EXPR_STACK)
			return false;
		stack[n++] = v;
	}
	*ret = stack[n - 1];
	return true;
}

static int
read_location(Dwarf_Debug dbg, bool be, Dwarf_Attribute a, Dwarf_Half form,
	      struct vd_dwarf_die *d, Dwarf_Error *derr)
{
	Dwarf_Unsigned len = 0;
	Dwarf_Block *block = NULL;
	Dwarf_Ptr ptr = NULL;
	unsigned bytes;
	bool sgn, ok;
	int64_t s;
	int r;

	r = read_const(a, form, &d->location, &s, &sgn, &bytes, derr);
	if (r != DW_DLV_NO_ENTRY) {
		d->has_location = r == DW_DLV_OK && (!sgn || s >= 0);
		return r == DW_DLV_OK && sgn && s < 0 ? DW_DLV_NO_ENTRY : r;
	}
	if (form == DW_FORM_exprloc) {
		r = dwarf_formexprloc(a, &len, &ptr, derr);
	} else {
		r = dwarf_formblock(a, &block, derr);
		if (r == DW_DLV_OK) {
			len = block->bl_len;
			ptr = block->bl_data;
		}
	}
	if (r != DW_DLV_OK)
		return r;
	ok = ptr && eval_location(ptr, len, be, &d->location);
	if (block)
		dwarf_dealloc(dbg, block, DW_DLA_BLOCK);
	d->has_location = ok;
	return ok ? DW_DLV_OK : DW_DLV_NO_ENTRY;
}

/*
 * The constant-valued attributes; a bound written as an expression or a
 * reference (a variable-length array) stays unknown.
 */
static int
read_number_attr(Dwarf_Attribute a, Dwarf_Half at, Dwarf_Half form, struct vd_dwarf_die *d,
		 Dwarf_Error *derr)
{
	unsigned bytes;
	bool sgn, nonneg;
	int64_t s;
	uint64_t u;
	int r = read_const(a, form, &u, &s, &sgn, &bytes, derr);

	if (r != DW_DLV_OK)
		return r;
	nonneg = !sgn || s >= 0;
	switch (at) {
	case DW_AT_byte_size: d->byte_size = u; d->has_byte_size = nonneg; break;
	case DW_AT_bit_size: d->bit_size = u; d->has_bit_size = nonneg; break;
	case DW_AT_data_bit_offset: d->data_bit_offset = u; d->has_data_bit_offset = nonneg; break;
	case DW_AT_bit_offset: d->bit_offset = sgn ? s : (int64_t)u; d->has_bit_offset = true; break;
	case DW_AT_count: d->count = u; d->has_count = nonneg; break;
	// An upper bound of all ones in its form is -1: "no elements" (GCC
	// writes int x[0] that way with DWARF 2-4 and a 32-bit index type).
	case DW_AT_upper_bound:
		d->upper = sgn || s == -1 ? s : (int64_t)u;
		d->has_upper = true;
		break;
	case DW_AT_lower_bound:
		d->lower = sgn || s == -1 ? s : (int64_t)u;
		d->has_lower = true;
		break;
	case DW_AT_encoding: d->encoding = u; d->has_encoding = true; break;
	default: return DW_DLV_NO_ENTRY;
	}
	return DW_DLV_OK;
}

/* One attribute into d; DW_DLV_NO_ENTRY for values we cannot use. */
static int
read_attr(Dwarf_Debug dbg, bool be, Dwarf_Attribute a, struct vd_dwarf_die *d,
	  Dwarf_Error *derr)
{
	Dwarf_Half at, form;
	Dwarf_Bool flag = 0;
	char *str;
	int r;

	if ((r = dwarf_whatattr(a, &at, derr)) != DW_DLV_OK ||
	    (r = dwarf_whatform(a, &form, derr)) != DW_DLV_OK)
		return r;
	switch (at) {
	case DW_AT_name:
		r = dwarf_formstring(a, &str, derr);
		d->name = r == DW_DLV_OK ? str : NULL;
		return r;
	case DW_AT_type:
		r = dwarf_global_formref(a, &d->type, derr);
		d->has_type = r == DW_DLV_OK;
		return r;
	case DW_AT_specification:
		r = dwarf_global_formref(a, &d->spec, derr);
		d->has_spec = r == DW_DLV_OK;
		return r;
	case DW_AT_declaration:
	case DW_AT_external:
		r = dwarf_formflag(a, &flag, derr);
		if (at == DW_AT_declaration)
			d->declaration = r == DW_DLV_OK && flag;
		else
			d->external = r == DW_DLV_OK && flag;
		return r;
	case DW_AT_data_member_location:
		return read_location(dbg, be, a, form, d, derr);
	case DW_AT_const_value:
		r = read_const(a, form, &d->const_u, &d->const_s, &d->const_is_signed,
			       &d->const_bytes, derr);
		d->has_const = r == DW_DLV_OK;
		return r;
	case DW_AT_byte_size:
	case DW_AT_bit_size:
	case DW_AT_data_bit_offset:
	case DW_AT_bit_offset:
	case DW_AT_count:
	case DW_AT_upper_bound:
	case DW_AT_lower_bound:
	case DW_AT_encoding:
		return read_number_attr(a, at, form, d, derr);
	}
	return DW_DLV_NO_ENTRY;   // decl_file, sibling, ...: not needed
}

struct vd_error *
vd_dwarf_read_die(const struct vd_dwarf_index *ix, Dwarf_Die die, Dwarf_Off off,
		  struct vd_dwarf_die *d)
{
	Dwarf_Debug dbg = vd_dwarf_index_dbg(ix);
	bool be = vd_dwarf_index_big_endian(ix);
	Dwarf_Attribute *attrs = NULL;
	Dwarf_Error derr = NULL;
	Dwarf_Signed n = 0;
	struct vd_error *err = NULL;
	int r;

	*d = (struct vd_dwarf_die){ .off = off };
	if (dwarf_tag(die, &d->tag, &derr) != DW_DLV_OK)
		return vd_dwarf_error(ix, derr, off, "reading the tag");
	r = dwarf_attrlist(die, &attrs, &n, &derr);
	if (r == DW_DLV_ERROR)
		return vd_dwarf_error(ix, derr, off, "reading the attributes");
	for (Dwarf_Signed i = 0; i < n; i++) {
		if (!err && read_attr(dbg, be, attrs[i], d, &derr) == DW_DLV_ERROR)
			err = vd_dwarf_error(ix, derr, off, "reading an attribute");
		dwarf_dealloc_attribute(attrs[i]);
	}
	if (attrs)
		dwarf_dealloc(dbg, attrs, DW_DLA_LIST);
	return err;
}

struct vd_error *
vd_dwarf_get_die(const struct vd_dwarf_index *ix, Dwarf_Off off, Dwarf_Die *ret)
{
	Dwarf_Error derr = NULL;

	if (dwarf_offdie_b(vd_dwarf_index_dbg(ix), off, 1, ret, &derr) != DW_DLV_OK)
		return vd_dwarf_error(ix, derr, off, "finding the DIE");
	return NULL;
}

struct vd_error *
vd_dwarf_for_children(const struct vd_dwarf_index *ix, Dwarf_Die die, Dwarf_Off off,
		      struct vd_error *(*fn)(const struct vd_dwarf_die *d, void *arg),
		      void *arg)
{
	Dwarf_Die child = NULL;
	Dwarf_Error derr = NULL;
	struct vd_error *err = NULL;
	Dwarf_Off last = off;
	int r = dwarf_child(die, &child, &derr);

	for (uint32_t n = 0; r == DW_DLV_OK && !err; n++) {
		Dwarf_Die next = NULL;
		struct vd_dwarf_die d;
		Dwarf_Off coff = 0;

		if (dwarf_dieoffset(child, &coff, &derr) != DW_DLV_OK)
			err = vd_dwarf_error(ix, derr, last, "a child DIE");
		else if (coff <= last || n >= CHILDREN_MAX)
			err = vd_dwarf_error(ix, NULL, coff, "children in order, and not too many");
		else if (!(err = vd_dwarf_read_die(ix, child, coff, &d)))
			err = fn(&d, arg);
		last = coff;
		r = err ? DW_DLV_NO_ENTRY : dwarf_siblingof_b(vd_dwarf_index_dbg(ix), child, 1, &next, &derr);
		dwarf_dealloc_die(child);
		child = next;
	}
	if (r == DW_DLV_ERROR && !err)
		err = vd_dwarf_error(ix, derr, last, "the next child DIE");
	return err;
}
