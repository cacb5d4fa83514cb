// SPDX-License-Identifier: MIT
/*
 * Reading one DIE of the DWARF: its tag and the attributes that describe
 * a C type, variable or function, each checked for its form (DWARF 5
 * §7.5.4, §7.5.5): a constant must be a constant, a reference a
 * reference.  A bound written as an expression (a variable-length
 * array) or any other form stays "absent" rather than failing the DIE.
 * Children are walked with the same bounds as top-level DIEs.
 *
 * The bytes are decoded by dwarf_names.c's reader (not libdwarf, which
 * sets up every unit before the one asked for): a DIE costs its own bytes
 * and its unit's abbreviation table.
 */
#include <dwarf.h>
#include <libdwarf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dwarf_cursor.h"
#include "dwarf_priv.h"

/* Bounds for hostile DWARF. */
#define CHILDREN_MAX (1u << 20)   /* members, enumerators, parameters */
#define EXPR_STACK 8              /* member location expressions */

/* Reading a DIE's attributes ---------------------------------------------- */

/*
 * A constant-class attribute (DWARF 5 §7.5.5): zero- and sign-extended;
 * false for any other class (block, exprloc, reference: not a number).
 */
static bool
read_const(const struct vd_dwarf_attr *a, uint64_t *u, int64_t *s, bool *is_signed,
	   unsigned *bytes_ret)
{
	unsigned bytes = 0;

	switch (a->form) {
	case DW_FORM_sdata:
	case DW_FORM_implicit_const:
		*s = (int64_t)a->u;
		*u = a->u;
		*is_signed = true;
		*bytes_ret = 8;
		return true;
	case DW_FORM_data1: bytes = 1; break;
	case DW_FORM_data2: bytes = 2; break;
	case DW_FORM_data4: bytes = 4; break;
	case DW_FORM_data8:
	case DW_FORM_udata: bytes = 8; break;
	default:
		return false;
	}
	*u = a->u;
	*s = bytes < 8 && (a->u >> (8 * bytes - 1)) & 1 ? (int64_t)(a->u | ~0ull << (8 * bytes))
							: (int64_t)a->u;
	*is_signed = false;
	*bytes_ret = bytes;
	return true;
}

/*
 * DW_AT_data_member_location as an expression (DWARF 2/3 style; DWARF 5
 * §5.7.6): the member's address is computed with the struct's address
 * pushed first.  Only the constant forms producers emit for C are taken.
 */
static bool
eval_location(const uint8_t *p, uint64_t len, bool be, uint64_t *ret)
{
	struct vd_dwarf_cursor c = { .p = p, .end = p + len, .ok = true, .be = be };
	uint64_t stack[EXPR_STACK] = { 0 }, v;
	unsigned n = 1;

	while (c.ok && c.p < c.end) {
		uint8_t op = *c.p++;

		if (op == DW_OP_plus_uconst) {
			stack[n - 1] += vd_dwarf_uleb(&c);
			continue;
		} else if (op == DW_OP_constu) {
			v = vd_dwarf_uleb(&c);
		} else if (op >= DW_OP_lit0 && op <= DW_OP_lit31) {
			v = op - DW_OP_lit0;
		} else if (op == DW_OP_const1u || op == DW_OP_const2u ||
			   op == DW_OP_const4u || op == DW_OP_const8u) {
			// in the target's byte order
			v = vd_dwarf_fixed(&c, op == DW_OP_const1u ? 1 : op == DW_OP_const2u ? 2 :
					   op == DW_OP_const4u ? 4 : 8);
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
	if (!c.ok)
		return false;
	*ret = stack[n - 1];
	return true;
}

static void
read_location(bool be, const struct vd_dwarf_attr *a, struct vd_dwarf_die *d)
{
	unsigned bytes;
	bool sgn;
	int64_t s;

	if (read_const(a, &d->location, &s, &sgn, &bytes)) {
		d->has_location = !sgn || s >= 0;
		return;
	}
	d->has_location = a->block && eval_location(a->block, a->len, be, &d->location);
}

/*
 * The constant-valued attributes; a bound written as an expression or a
 * reference (a variable-length array) stays unknown.
 */
static void
read_number_attr(const struct vd_dwarf_attr *a, struct vd_dwarf_die *d)
{
	unsigned bytes;
	bool sgn, nonneg;
	int64_t s;
	uint64_t u;

	if (!read_const(a, &u, &s, &sgn, &bytes))
		return;
	nonneg = !sgn || s >= 0;
	switch (a->at) {
	case DW_AT_byte_size: d->byte_size = u; d->has_byte_size = nonneg; break;
	case DW_AT_bit_size: d->bit_size = u; d->has_bit_size = nonneg; break;
	case DW_AT_data_bit_offset: d->data_bit_offset = u; d->has_data_bit_offset = nonneg; break;
	case DW_AT_bit_offset: d->bit_offset = sgn ? s : (int64_t)u; d->has_bit_offset = true; break;
	case DW_AT_count: d->count = u; d->has_count = nonneg; break;
	// An upper bound of all ones in a 4- or 8-byte form is -1: "no
	// elements" (GCC writes int x[0] that way with DWARF 2-4 and a 32-bit
	// index type).  In a 1- or 2-byte form it is the number: GCC writes
	// unsigned long __per_cpu_offset[256] (arm64 5.10, NR_CPUS 256) with
	// DW_FORM_data1 0xff.
	case DW_AT_upper_bound:
		d->upper = sgn || (s == -1 && bytes >= 4) ? s : (int64_t)u;
		d->has_upper = true;
		break;
	case DW_AT_lower_bound:
		d->lower = sgn || (s == -1 && bytes >= 4) ? s : (int64_t)u;
		d->has_lower = true;
		break;
	case DW_AT_encoding: d->encoding = u; d->has_encoding = true; break;
	}
}

struct attr_ctx {
	struct vd_dwarf_die *d;
	bool be;
	unsigned ptr_size;
};

/*
 * A variable's DW_AT_location when it is static storage: the one operation
 * DW_OP_addr and its address (DWARF 5 §2.5.1.1, the operand as big as an
 * address).  Anything else (a location list, a register, DW_OP_addrx of
 * split DWARF, an address computed from several operations) is not taken.
 */
static void
read_static_location(const struct attr_ctx *ac, const struct vd_dwarf_attr *a)
{
	struct vd_dwarf_cursor c;

	if (!a->block || a->len != 1 + (uint64_t)ac->ptr_size || a->block[0] != DW_OP_addr ||
	    (ac->ptr_size != 4 && ac->ptr_size != 8))
		return;
	c = (struct vd_dwarf_cursor){ .p = a->block + 1, .end = a->block + a->len, .ok = true,
				      .be = ac->be };
	ac->d->addr = vd_dwarf_fixed(&c, ac->ptr_size);
	ac->d->has_addr = c.ok;
}

/* One attribute into d; a form that does not fit its attribute is absent. */
static bool
read_attr(const struct vd_dwarf_attr *a, void *arg)
{
	struct attr_ctx *ac = arg;
	struct vd_dwarf_die *d = ac->d;

	switch (a->at) {
	// A name in another file (DW_FORM_GNU_strp_alt, dwz), a type in a
	// type unit (DW_FORM_ref_sig8) or another file: an error, not a
	// nameless or void answer.
	case DW_AT_name:
		d->name = a->str;
		return a->str != NULL;
	case DW_AT_type:
		d->has_type = a->is_ref;
		d->type = a->u;
		return a->is_ref;
	case DW_AT_specification:
		d->has_spec = a->is_ref;
		d->spec = a->u;
		return a->is_ref;
	case DW_AT_declaration:
		d->declaration = a->is_flag && a->flag;
		break;
	case DW_AT_external:
		d->external = a->is_flag && a->flag;
		break;
	case DW_AT_data_member_location:
		read_location(ac->be, a, d);
		break;
	case DW_AT_location:
		read_static_location(ac, a);
		break;
	case DW_AT_const_value:
		d->has_const = read_const(a, &d->const_u, &d->const_s, &d->const_is_signed,
					  &d->const_bytes);
		break;
	case DW_AT_byte_size:
	case DW_AT_bit_size:
	case DW_AT_data_bit_offset:
	case DW_AT_bit_offset:
	case DW_AT_count:
	case DW_AT_upper_bound:
	case DW_AT_lower_bound:
	case DW_AT_encoding:
		read_number_attr(a, d);
		break;
	}
	return true;
}

static struct vd_error *
read_raw(const struct vd_dwarf_index *ix, Dwarf_Off off, struct vd_dwarf_die *d,
	 struct vd_dwarf_raw_die *raw)
{
	struct attr_ctx ac = { d, vd_dwarf_index_big_endian(ix), vd_dwarf_index_ptr_size(ix) };
	struct vd_error *err;

	*d = (struct vd_dwarf_die){ .off = off };
	err = vd_dwarf_reader_die(vd_dwarf_index_reader(ix), off, raw, read_attr, &ac);
	d->tag = (Dwarf_Half)raw->tag;
	return err;
}

struct vd_error *
vd_dwarf_read_die(const struct vd_dwarf_index *ix, Dwarf_Off off, struct vd_dwarf_die *d)
{
	struct vd_dwarf_raw_die raw;

	return read_raw(ix, off, d, &raw);
}

struct vd_error *
vd_dwarf_for_children(const struct vd_dwarf_index *ix, Dwarf_Off off,
		      struct vd_error *(*fn)(const struct vd_dwarf_die *d, void *arg),
		      void *arg)
{
	struct vd_dwarf_reader *r = vd_dwarf_index_reader(ix);
	const unsigned char *info = vd_dwarf_index_info(ix);
	struct vd_dwarf_raw_die raw;
	struct vd_dwarf_die d;
	struct vd_error *err = read_raw(ix, off, &d, &raw);
	uint64_t pos = raw.next;

	if (err || !raw.children)
		return err;
	for (uint32_t n = 0;; n++) {
		if (pos >= raw.unit_end)
			return vd_dwarf_error(ix, NULL, off, "the end of its children");
		if (!info[pos])                      // the end of the list
			return NULL;
		if (n >= CHILDREN_MAX)
			return vd_dwarf_error(ix, NULL, pos, "not too many children");
		struct vd_dwarf_raw_die craw;

		err = read_raw(ix, pos, &d, &craw);
		if (!err)
			err = fn(&d, arg);
		if (!err)
			err = vd_dwarf_reader_after(r, pos, &craw, &pos);
		if (err)
			return err;
	}
}
