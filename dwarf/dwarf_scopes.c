// SPDX-License-Identifier: MIT
/*
 * The scopes of a code address (bt -l's inlined callers).  In a unit's DIE
 * tree the DW_TAG_subprogram whose code holds the address is found among
 * the unit's children; below it, DW_TAG_lexical_block and
 * DW_TAG_inlined_subroutine DIEs whose code holds it are followed down to
 * the innermost one (DWARF 5, 3.3.8 "Concrete Inlined Instances").  Each
 * inlined call names its function through DW_AT_abstract_origin (and that
 * one maybe through DW_AT_specification), and says where the call is in
 * its caller: DW_AT_call_file, an index into the unit's line-table file
 * names (DWARF 5 counts from 0, DWARF 2-4 from 1, 0 meaning none), and
 * DW_AT_call_line.
 *
 * Code is given by DW_AT_low_pc with DW_AT_high_pc (an address, or since
 * DWARF 4 a length: its form's class says) or by DW_AT_ranges: an offset
 * in .debug_ranges (DWARF 2-4; entries relative to the unit's base
 * address, which a base-address entry changes) or, DWARF 5, a .debug_rnglists
 * offset or index (libdwarf hands out the final addresses).
 *
 * The DWARF is the user's file, checked by libdwarf; the walk is bounded
 * all the same (depth, DIEs visited per question).
 */
#include <dwarf.h>
#include <stdlib.h>
#include <string.h>

#include "dwarf_code.h"

#define DIES_MAX (1u << 22)       /* DIEs looked at per question */
#define UNIT_FILES_MAX 64         /* units whose file names are kept */

struct unit_files {
	Dwarf_Off cu;
	char **files;
	Dwarf_Signed n;
	Dwarf_Half version;
};

struct vd_dwarf_code {
	Dwarf_Debug dbg;
	Dwarf_Arange *aranges;
	Dwarf_Signed naranges;
	bool aranges_tried;
	struct unit_files units[UNIT_FILES_MAX];
	size_t nunits, next;
};

struct vd_dwarf_code *
vd_dwarf_code_new(Dwarf_Debug dbg)
{
	struct vd_dwarf_code *c = calloc(1, sizeof(*c));

	if (c)
		c->dbg = dbg;
	return c;
}

static void
drop_files(struct vd_dwarf_code *c, struct unit_files *u)
{
	if (u->files) {
		for (Dwarf_Signed i = 0; i < u->n; i++)
			dwarf_dealloc(c->dbg, u->files[i], DW_DLA_STRING);
		dwarf_dealloc(c->dbg, u->files, DW_DLA_LIST);
	}
	memset(u, 0, sizeof(*u));
}

void
vd_dwarf_code_free(struct vd_dwarf_code *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nunits; i++)
		drop_files(c, &c->units[i]);
	if (c->aranges) {
		for (Dwarf_Signed i = 0; i < c->naranges; i++)
			dwarf_dealloc(c->dbg, c->aranges[i], DW_DLA_ARANGE);
		dwarf_dealloc(c->dbg, c->aranges, DW_DLA_LIST);
	}
	free(c);
}

static void
forget(Dwarf_Debug dbg, Dwarf_Error *derr)
{
	if (*derr)
		dwarf_dealloc_error(dbg, *derr);
	*derr = NULL;
}

/* A unit's base address for .debug_ranges: its DW_AT_low_pc, else 0. */
static Dwarf_Addr
unit_base(Dwarf_Debug dbg, Dwarf_Die cu)
{
	Dwarf_Addr low = 0;
	Dwarf_Error derr = NULL;

	if (dwarf_lowpc(cu, &low, &derr) != DW_DLV_OK)
		low = 0;
	forget(dbg, &derr);
	return low;
}

/* Whether DW_AT_ranges of die holds addr (base: the unit's base address). */
static bool
ranges_hold(Dwarf_Debug dbg, Dwarf_Die die, Dwarf_Half version, Dwarf_Addr base,
	    uint64_t addr)
{
	Dwarf_Attribute attr = NULL;
	Dwarf_Error derr = NULL;
	Dwarf_Half form = 0;
	Dwarf_Unsigned value = 0;
	Dwarf_Off off = 0;
	bool hit = false;
	int r;

	if (dwarf_attr(die, DW_AT_ranges, &attr, &derr) != DW_DLV_OK) {
		forget(dbg, &derr);
		return false;
	}
	if (dwarf_whatform(attr, &form, &derr) != DW_DLV_OK)
		goto out;
	if (version >= 5) {
		Dwarf_Rnglists_Head head = NULL;
		Dwarf_Unsigned count = 0, global = 0;

		r = form == DW_FORM_rnglistx ? dwarf_formudata(attr, &value, &derr) :
		    dwarf_global_formref(attr, &off, &derr);
		if (r != DW_DLV_OK)
			goto out;
		if (form != DW_FORM_rnglistx)
			value = off;
		if (dwarf_rnglists_get_rle_head(attr, form, value, &head, &count, &global,
						&derr) != DW_DLV_OK)
			goto out;
		for (Dwarf_Unsigned i = 0; i < count && !hit; i++) {
			unsigned len = 0, code = 0;
			Dwarf_Unsigned raw1, raw2, lo = 0, hi = 0;
			Dwarf_Bool unavailable = false;

			if (dwarf_get_rnglists_entry_fields_a(head, i, &len, &code, &raw1, &raw2,
							      &unavailable, &lo, &hi,
							      &derr) != DW_DLV_OK) {
				forget(dbg, &derr);
				break;
			}
			if (code == DW_RLE_end_of_list)
				break;
			if (code == DW_RLE_base_address || code == DW_RLE_base_addressx ||
			    unavailable)
				continue;
			hit = addr >= lo && addr < hi;
		}
		dwarf_dealloc_rnglists_head(head);
	} else {
		Dwarf_Ranges *rs = NULL;
		Dwarf_Signed n = 0;
		Dwarf_Unsigned bytes = 0;
		Dwarf_Off real = 0;

		if (dwarf_global_formref(attr, &off, &derr) != DW_DLV_OK ||
		    dwarf_get_ranges_b(dbg, off, die, &real, &rs, &n, &bytes, &derr) != DW_DLV_OK)
			goto out;
		for (Dwarf_Signed i = 0; i < n && !hit; i++) {
			if (rs[i].dwr_type == DW_RANGES_END)
				break;
			if (rs[i].dwr_type == DW_RANGES_ADDRESS_SELECTION) {
				base = rs[i].dwr_addr2;
				continue;
			}
			hit = addr >= base + rs[i].dwr_addr1 && addr < base + rs[i].dwr_addr2;
		}
		dwarf_ranges_dealloc(dbg, rs, n);
	}
out:
	forget(dbg, &derr);
	dwarf_dealloc_attribute(attr);
	return hit;
}

/* Whether the code of die (low/high pc or ranges) holds addr. */
static bool
holds(Dwarf_Debug dbg, Dwarf_Die die, Dwarf_Half version, Dwarf_Addr base, uint64_t addr)
{
	Dwarf_Addr low = 0, high = 0;
	Dwarf_Half form = 0;
	enum Dwarf_Form_Class cls = DW_FORM_CLASS_UNKNOWN;
	Dwarf_Error derr = NULL;

	if (dwarf_lowpc(die, &low, &derr) == DW_DLV_OK) {
		if (dwarf_highpc_b(die, &high, &form, &cls, &derr) != DW_DLV_OK) {
			forget(dbg, &derr);
			return false;
		}
		if (cls == DW_FORM_CLASS_CONSTANT)
			high += low;
		return addr >= low && addr < high;
	}
	forget(dbg, &derr);
	return ranges_hold(dbg, die, version, base, addr);
}

/* The DIE a reference attribute of die points to, or NULL. */
static Dwarf_Die
ref_die(Dwarf_Debug dbg, Dwarf_Die die, Dwarf_Half at)
{
	Dwarf_Attribute attr = NULL;
	Dwarf_Error derr = NULL;
	Dwarf_Off off = 0;
	Dwarf_Die ret = NULL;

	if (dwarf_attr(die, at, &attr, &derr) == DW_DLV_OK) {
		if (dwarf_global_formref(attr, &off, &derr) != DW_DLV_OK ||
		    dwarf_offdie_b(dbg, off, true, &ret, &derr) != DW_DLV_OK)
			ret = NULL;
		dwarf_dealloc_attribute(attr);
	}
	forget(dbg, &derr);
	return ret;
}

/* A function's name: its own, or its abstract origin's / specification's. */
static const char *
function_name(Dwarf_Debug dbg, Dwarf_Die die)
{
	Dwarf_Die cur = die, next;
	Dwarf_Error derr = NULL;
	char *name = NULL;

	// Origin of an origin, specification of a declaration: a short chain.
	for (int depth = 0; cur && depth < 4; depth++) {
		if (dwarf_diename(cur, &name, &derr) == DW_DLV_OK)
			break;
		forget(dbg, &derr);
		name = NULL;
		next = ref_die(dbg, cur, DW_AT_abstract_origin);
		if (!next)
			next = ref_die(dbg, cur, DW_AT_specification);
		if (cur != die)
			dwarf_dealloc_die(cur);
		cur = next;
	}
	if (cur && cur != die)
		dwarf_dealloc_die(cur);
	return name;
}

static struct unit_files *
files_of(struct vd_dwarf_code *c, Dwarf_Off cu, Dwarf_Die cu_die, Dwarf_Half version)
{
	struct unit_files *u;
	Dwarf_Error derr = NULL;

	for (size_t i = 0; i < c->nunits; i++)
		if (c->units[i].cu == cu)
			return &c->units[i];
	if (c->nunits < UNIT_FILES_MAX) {
		u = &c->units[c->nunits++];
	} else {
		u = &c->units[c->next];
		c->next = (c->next + 1) % UNIT_FILES_MAX;
		drop_files(c, u);
	}
	u->cu = cu;
	u->version = version;
	if (dwarf_srcfiles(cu_die, &u->files, &u->n, &derr) != DW_DLV_OK) {
		forget(c->dbg, &derr);
		u->files = NULL;
		u->n = 0;
	}
	return u;
}

/*
 * An unsigned constant.  GCC's DWARF 5 often puts the call file in the
 * abbreviation (DW_FORM_implicit_const), which libdwarf's formudata
 * refuses and formsdata reads.
 */
static bool
udata(Dwarf_Debug dbg, Dwarf_Attribute attr, Dwarf_Unsigned *v)
{
	Dwarf_Error derr = NULL;
	Dwarf_Half form = 0;
	Dwarf_Signed sv = 0;

	if (dwarf_formudata(attr, v, &derr) == DW_DLV_OK)
		return true;
	forget(dbg, &derr);
	if (dwarf_whatform(attr, &form, &derr) != DW_DLV_OK || form != DW_FORM_implicit_const ||
	    dwarf_formsdata(attr, &sv, &derr) != DW_DLV_OK || sv < 0) {
		forget(dbg, &derr);
		return false;
	}
	*v = (Dwarf_Unsigned)sv;
	return true;
}

/* DW_AT_call_file/DW_AT_call_line of an inlined call. */
static void
call_site(struct vd_dwarf_code *c, Dwarf_Die die, const struct unit_files *u,
	  struct vd_dwarf_scope *s)
{
	Dwarf_Attribute attr = NULL;
	Dwarf_Error derr = NULL;
	Dwarf_Unsigned v = 0;

	if (dwarf_attr(die, DW_AT_call_file, &attr, &derr) == DW_DLV_OK) {
		if (udata(c->dbg, attr, &v)) {
			// dwarf_srcfiles' array: DWARF 5 file numbers index
			// it directly, older ones count from 1.
			Dwarf_Signed idx = u->version >= 5 ? (Dwarf_Signed)v : (Dwarf_Signed)v - 1;

			if (v <= (Dwarf_Unsigned)u->n && idx >= 0 && idx < u->n)
				s->call_file = u->files[idx];
		}
		dwarf_dealloc_attribute(attr);
	}
	forget(c->dbg, &derr);
	if (dwarf_attr(die, DW_AT_call_line, &attr, &derr) == DW_DLV_OK) {
		if (udata(c->dbg, attr, &v) && v <= UINT32_MAX)
			s->call_line = (uint32_t)v;
		dwarf_dealloc_attribute(attr);
	}
	forget(c->dbg, &derr);
}

bool
vd_dwarf_code_unit(struct vd_dwarf_code *c, uint64_t addr, Dwarf_Off *cu)
{
	Dwarf_Error derr = NULL;
	Dwarf_Arange ar;
	Dwarf_Unsigned next = 0;
	Dwarf_Half version = 0;

	if (!c->aranges_tried) {
		c->aranges_tried = true;
		if (dwarf_get_aranges(c->dbg, &c->aranges, &c->naranges, &derr) != DW_DLV_OK) {
			c->aranges = NULL;
			c->naranges = 0;
		}
		forget(c->dbg, &derr);
	}
	if (c->aranges) {
		if (dwarf_get_arange(c->aranges, (Dwarf_Unsigned)c->naranges, addr, &ar,
				     &derr) == DW_DLV_OK &&
		    dwarf_get_cu_die_offset(ar, cu, &derr) == DW_DLV_OK)
			return true;
		forget(c->dbg, &derr);
	}
	// No aranges (or not for this address): each unit's own ranges.  A
	// module has a few units; a vmlinux has aranges.  libdwarf's unit
	// iterator is stateful: it is run to its end every time.
	for (;;) {
		Dwarf_Unsigned len, abbrev, typeoff;
		Dwarf_Half asize, osize, esize, type;
		Dwarf_Sig8 sig;
		Dwarf_Die die = NULL;
		int r = dwarf_next_cu_header_d(c->dbg, true, &len, &version, &abbrev, &asize,
					       &osize, &esize, &sig, &typeoff, &next, &type,
					       &derr);

		if (r != DW_DLV_OK) {
			forget(c->dbg, &derr);
			return false;
		}
		if (dwarf_siblingof_b(c->dbg, NULL, true, &die, &derr) != DW_DLV_OK) {
			forget(c->dbg, &derr);
			continue;
		}
		if (holds(c->dbg, die, version, 0, addr) &&
		    dwarf_dieoffset(die, cu, &derr) == DW_DLV_OK) {
			dwarf_dealloc_die(die);
			// Finish the iteration so the next question starts anew.
			while (dwarf_next_cu_header_d(c->dbg, true, &len, &version, &abbrev, &asize,
						      &osize, &esize, &sig, &typeoff, &next, &type,
						      &derr) == DW_DLV_OK)
				;
			forget(c->dbg, &derr);
			return true;
		}
		forget(c->dbg, &derr);
		dwarf_dealloc_die(die);
	}
}

size_t
vd_dwarf_code_scopes(struct vd_dwarf_code *c, Dwarf_Off cu, uint64_t addr,
		     struct vd_dwarf_scope *out, size_t max)
{
	struct vd_dwarf_scope chain[VD_DWARF_SCOPES_MAX];
	Dwarf_Die cu_die = NULL, die = NULL, next;
	Dwarf_Error derr = NULL;
	Dwarf_Half version = 0, osize = 0;
	Dwarf_Addr base;
	struct unit_files *u;
	size_t n = 0, seen = 0;
	bool top = true;

	if (dwarf_offdie_b(c->dbg, cu, true, &cu_die, &derr) != DW_DLV_OK) {
		forget(c->dbg, &derr);
		return 0;
	}
	if (dwarf_get_version_of_die(cu_die, &version, &osize) != DW_DLV_OK)
		version = 4;
	base = unit_base(c->dbg, cu_die);
	u = files_of(c, cu, cu_die, version);
	if (dwarf_child(cu_die, &die, &derr) != DW_DLV_OK)
		die = NULL;
	forget(c->dbg, &derr);
	// Down the tree: at each level the one child whose code holds addr.
	while (die && seen++ < DIES_MAX) {
		Dwarf_Half tag = 0;
		bool take = false;

		if (dwarf_tag(die, &tag, &derr) == DW_DLV_OK) {
			if (top)
				take = tag == DW_TAG_subprogram;
			else
				take = tag == DW_TAG_inlined_subroutine ||
				       tag == DW_TAG_lexical_block;
		}
		forget(c->dbg, &derr);
		if (take && holds(c->dbg, die, version, base, addr)) {
			if (tag != DW_TAG_lexical_block && n < VD_DWARF_SCOPES_MAX) {
				struct vd_dwarf_scope *s = &chain[n++];

				*s = (struct vd_dwarf_scope){
					.function = function_name(c->dbg, die),
					.inlined = tag == DW_TAG_inlined_subroutine,
				};
				if (s->inlined)
					call_site(c, die, u, s);
			}
			top = false;
			if (dwarf_child(die, &next, &derr) != DW_DLV_OK)
				next = NULL;
			forget(c->dbg, &derr);
			dwarf_dealloc_die(die);
			die = next;
			continue;
		}
		if (dwarf_siblingof_b(c->dbg, die, true, &next, &derr) != DW_DLV_OK)
			next = NULL;
		forget(c->dbg, &derr);
		dwarf_dealloc_die(die);
		die = next;
	}
	if (die)
		dwarf_dealloc_die(die);
	dwarf_dealloc_die(cu_die);
	// chain is outermost first; hand it out innermost first.
	for (size_t i = 0; i < n && i < max; i++)
		out[i] = chain[n - 1 - i];
	return n < max ? n : max;
}
