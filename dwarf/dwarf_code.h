/* SPDX-License-Identifier: MIT */
/*
 * Code facts of one DWARF (a vmlinux or a module's relocated debug file),
 * for bt -l: the compilation unit of a code address and the scopes that
 * hold it -- the function and the calls inlined into it
 * (dwarf/dwarf_scopes.c).  Line-table rows are not here: they are the
 * line lookup's (unwind/lines.c); this gives what the line table cannot,
 * the chain of inlined callers and each caller's line.
 *
 * Addresses are the file's own (a vmlinux's link-time addresses; a
 * module's after vd_dwarf_index_open_placed()).
 */
#ifndef VD_DWARF_CODE_H
#define VD_DWARF_CODE_H

#include <libdwarf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmdive/error.h"

struct vd_dwarf_code;
struct vd_dwarf_index;

/* Scopes of an address: at most this many (deeper inlining is cut). */
#define VD_DWARF_SCOPES_MAX 32

struct vd_dwarf_scope {
	const char *function;     /* its name (through abstract origins), or NULL */
	bool inlined;             /* a DW_TAG_inlined_subroutine */
	/* An inlined call: where it is in the enclosing scope's function
	 * (DW_AT_call_file/DW_AT_call_line); NULL/0 when not said. */
	const char *call_file;
	uint32_t call_line;
};

/* Over dbg (borrowed, must outlive it).  NULL when out of memory. */
struct vd_dwarf_code *vd_dwarf_code_new(Dwarf_Debug dbg);
void vd_dwarf_code_free(struct vd_dwarf_code *c);

/*
 * The unit (its DIE's offset in .debug_info) whose code holds addr: by
 * .debug_aranges when the file has them, else by each unit's ranges.
 */
bool vd_dwarf_code_unit(struct vd_dwarf_code *c, uint64_t addr, Dwarf_Off *cu);

/*
 * The scopes of addr in unit cu, innermost first: the inlined calls, then
 * the subprogram (DW_TAG_subprogram) that holds them.  0 when no
 * subprogram of the unit holds addr.  Strings live as long as c.
 */
size_t vd_dwarf_code_scopes(struct vd_dwarf_code *c, Dwarf_Off cu, uint64_t addr,
			    struct vd_dwarf_scope *out, size_t max);

/*
 * A module's .ko opened with each SHF_ALLOC section i placed at bases[i]
 * (0: not placed), so its DWARF's addresses are the runtime ones: every
 * relocation against a symbol of a placed section gets the section's base
 * added.  Otherwise as vd_dwarf_index_open(); close with
 * vd_dwarf_index_close().
 */
struct vd_error *vd_dwarf_index_open(const char *path, struct vd_dwarf_index **ret);
struct vd_error *vd_dwarf_index_open_placed(const char *path, const uint64_t *bases,
					    size_t nbases, struct vd_dwarf_index **ret);
Dwarf_Debug vd_dwarf_index_dbg(const struct vd_dwarf_index *ix);
void vd_dwarf_index_close(struct vd_dwarf_index *ix);

#endif
