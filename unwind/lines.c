// SPDX-License-Identifier: MIT
/*
 * bt -l, dis -l: source lines of code addresses, and the chain of inlined
 * callers at an address.
 *
 * Kernel-image addresses: the --vmlinux's line tables through
 * dwarf/dwarf_lines.h, which decodes only the line program of the unit
 * that holds an address (the unit from .debug_aranges), looked up at the
 * link-time address (the runtime address minus KERNELOFFSET).  The inline
 * chain comes from the same file's DIE tree (dwarf/dwarf_scopes.c,
 * libdwarf), set up only when a caller asks for frames.
 *
 * Module addresses: the module's debug file (--module-debug), whose debug
 * sections modules/ relocates to where the module's sections are loaded,
 * so its addresses are the dump's; read with libdwarf (small files), the
 * row chosen by the same rule as the vmlinux's: inside a sequence, the last
 * row whose address is <= the address where the next row's is above it.
 *
 * Each enclosing scope's line is the call site (DW_AT_call_file/line) of
 * the inlined call it holds, as drgn and gdb list inline frames.
 */
#include <libdwarf.h>
#include <stdlib.h>
#include <string.h>

#include "dwarf/dwarf_code.h"
#include "dwarf/dwarf_lines.h"
#include "kernel/session_priv.h"
#include "modules/module_code.h"
#include "unwind_impl.h"

#define MAX_CUS 64                 /* module line tables kept at once */
#define MAX_SRCS 64                /* modules whose DWARF was asked for */

struct cu_lines {
	Dwarf_Debug dbg;
	Dwarf_Off off;
	Dwarf_Line_Context ctx;
	Dwarf_Line *lines;
	Dwarf_Signed n;
};

/* One DWARF: the vmlinux's, or a module's (borrowed from modules/). */
struct src {
	Dwarf_Debug dbg;
	uint64_t bias;                 /* runtime address - the file's */
	struct vd_dwarf_code *code;
	const char *module;            /* NULL: the kernel image */
};

struct vd_lines {
	struct vd_session *s;
	struct vd_dwarf_lines *vmlinux_lines;   /* NULL: modules' lines only */
	bool vmlinux_scopes_tried;
	struct src vmlinux;
	struct src mods[MAX_SRCS];
	size_t nmods;
	const char *no_dwarf[MAX_SRCS];   /* modules without usable DWARF */
	size_t nno;
	struct cu_lines cus[MAX_CUS];
	size_t ncus, next;             /* round-robin replacement */
	char **strs;                   /* names handed out */
	size_t nstrs;
	struct vd_error *err;          /* the first damaged table met */
};

struct vd_error *
vd_lines_open(struct vd_session *s, struct vd_lines **ret)
{
	const char *path = vd_session_vmlinux(s);
	struct vd_lines *l;
	struct vd_error *err;

	*ret = NULL;
	if (!path && !s->module_debug)
		return vd_error_create(VD_ERR_LOOKUP,
				       "source lines need --vmlinux (with DWARF) or --module-debug");
	l = calloc(1, sizeof(*l));
	if (!l)
		return &vd_enomem;
	l->s = s;
	if (!path) {
		*ret = l;       // modules' lines only
		return NULL;
	}
	if (!vd_session_number(s, "KERNELOFFSET", &l->vmlinux.bias))
		l->vmlinux.bias = 0;
	if ((err = vd_dwarf_lines_open(path, &l->vmlinux_lines))) {
		free(l);
		return vd_error_wrap(err, "source lines");
	}
	*ret = l;
	return NULL;
}

static void
drop_cu(struct cu_lines *c)
{
	if (c->ctx)
		dwarf_srclines_dealloc_b(c->ctx);
	memset(c, 0, sizeof(*c));
}

void
vd_lines_close(struct vd_lines *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->ncus; i++)
		drop_cu(&l->cus[i]);
	for (size_t i = 0; i < l->nmods; i++)
		vd_dwarf_code_free(l->mods[i].code);
	vd_dwarf_code_free(l->vmlinux.code);
	vd_dwarf_lines_close(l->vmlinux_lines);
	for (size_t i = 0; i < l->nstrs; i++)
		free(l->strs[i]);
	free(l->strs);
	vd_error_destroy(l->err);
	free(l);
}

/* Keep the first damage a lookup met, for vd_lines_take_error(). */
static void
note_error(struct vd_lines *l, struct vd_error *err)
{
	if (err && !l->err)
		l->err = err;
	else
		vd_error_destroy(err);
}

/* The module that holds addr, or NULL (the kernel image or nothing known). */
static const char *
module_of(struct vd_lines *l, uint64_t addr)
{
	struct vd_symbol_info si;

	return vd_session_symbolize(l->s, addr, &si) ? si.module : NULL;
}

/* The vmlinux's DIE tree, for the inline chain: set up on first use. */
static struct src *
vmlinux_scopes(struct vd_lines *l)
{
	if (!l->vmlinux.code && !l->vmlinux_scopes_tried && l->vmlinux_lines) {
		l->vmlinux_scopes_tried = true;
		// The index the line tables were opened through: dwarf/'s ELF
		// access (libdwarf's own reader, dwarf_init_path, beside an
		// object-access one made libdwarf 20210528 crash in
		// dwarf_object_init_b).
		l->vmlinux.dbg = vd_dwarf_index_dbg(vd_dwarf_lines_index(l->vmlinux_lines));
		l->vmlinux.code = l->vmlinux.dbg ? vd_dwarf_code_new(l->vmlinux.dbg) : NULL;
	}
	return l->vmlinux.code ? &l->vmlinux : NULL;
}

/* A module's DWARF (from modules/), or NULL. */
static struct src *
module_src(struct vd_lines *l, uint64_t addr, const char *name)
{
	const char *module = NULL;
	Dwarf_Debug dbg = NULL;
	struct vd_error *err;
	struct src *m;

	for (size_t i = 0; i < l->nmods; i++)
		if (!strcmp(l->mods[i].module, name))
			return &l->mods[i];
	for (size_t i = 0; i < l->nno; i++)
		if (!strcmp(l->no_dwarf[i], name))
			return NULL;
	err = vd_module_code_dwarf(l->s, addr, &dbg, &module);
	vd_error_destroy(err);
	if (!dbg || !module || l->nmods >= MAX_SRCS) {
		if (module && l->nno < MAX_SRCS)
			l->no_dwarf[l->nno++] = module;
		return NULL;
	}
	m = &l->mods[l->nmods];
	*m = (struct src){ .dbg = dbg, .module = module, .code = vd_dwarf_code_new(dbg) };
	if (!m->code)
		return NULL;
	l->nmods++;
	return m;
}

static struct cu_lines *
cu_for(struct vd_lines *l, Dwarf_Debug dbg, Dwarf_Off off)
{
	struct cu_lines *c;
	Dwarf_Die die = NULL;
	Dwarf_Unsigned version;
	Dwarf_Small tables;
	Dwarf_Error derr = NULL;

	for (size_t i = 0; i < l->ncus; i++)
		if (l->cus[i].off == off && l->cus[i].dbg == dbg)
			return &l->cus[i];
	if (l->ncus < MAX_CUS) {
		c = &l->cus[l->ncus++];
	} else {
		c = &l->cus[l->next];
		l->next = (l->next + 1) % MAX_CUS;
		drop_cu(c);
	}
	c->dbg = dbg;
	c->off = off;
	if (dwarf_offdie_b(dbg, off, true, &die, &derr) != DW_DLV_OK)
		goto fail;
	if (dwarf_srclines_b(die, &version, &tables, &c->ctx, &derr) != DW_DLV_OK) {
		dwarf_dealloc_die(die);
		goto fail;
	}
	dwarf_dealloc_die(die);
	if (dwarf_srclines_from_linecontext(c->ctx, &c->lines, &c->n, &derr) != DW_DLV_OK)
		goto fail;
	return c;
fail:
	if (derr)
		dwarf_dealloc_error(dbg, derr);
	c->n = 0;
	c->lines = NULL;
	return c;
}

/* A string kept as long as l. */
static const char *
keep(struct vd_lines *l, const char *str)
{
	char *copy = strdup(str), **p;

	p = copy ? realloc(l->strs, (l->nstrs + 1) * sizeof(*p)) : NULL;
	if (!p) {
		free(copy);
		return NULL;
	}
	l->strs = p;
	l->strs[l->nstrs++] = copy;
	return copy;
}

/* A module's line-table row of a (the file's address) in unit off. */
static bool
module_row(struct vd_lines *l, const struct src *m, Dwarf_Off off, uint64_t a,
	   struct vd_source_line *ret)
{
	Dwarf_Error derr = NULL;
	struct cu_lines *c = cu_for(l, m->dbg, off);
	Dwarf_Addr best = 0;
	Dwarf_Signed besti = -1;
	char *src = NULL;
	Dwarf_Unsigned lineno;

	// Rows are in sequences of ascending addresses; an end_sequence row
	// closes one (its address is past the sequence's code).
	for (Dwarf_Signed i = 0; i < c->n; i++) {
		Dwarf_Addr la;
		Dwarf_Bool end = false;

		if (dwarf_lineaddr(c->lines[i], &la, &derr) != DW_DLV_OK ||
		    dwarf_lineendsequence(c->lines[i], &end, &derr) != DW_DLV_OK) {
			if (derr)
				dwarf_dealloc_error(m->dbg, derr);
			return false;
		}
		if (end || la > a)
			continue;
		if (i + 1 < c->n) {
			Dwarf_Addr next;

			if (dwarf_lineaddr(c->lines[i + 1], &next, NULL) == DW_DLV_OK && next <= a)
				continue;
		}
		if (besti < 0 || la >= best) {
			best = la;
			besti = i;
		}
	}
	if (besti < 0 || dwarf_lineno(c->lines[besti], &lineno, NULL) != DW_DLV_OK ||
	    dwarf_linesrc(c->lines[besti], &src, NULL) != DW_DLV_OK)
		return false;
	*ret = (struct vd_source_line){ .file = keep(l, src), .line = (uint32_t)lineno,
					.is_stmt = true, .addr = best + m->bias };
	{
		Dwarf_Unsigned col;
		Dwarf_Bool stmt;

		if (dwarf_lineoff_b(c->lines[besti], &col, NULL) == DW_DLV_OK)
			ret->column = (uint32_t)col;
		if (dwarf_linebeginstatement(c->lines[besti], &stmt, NULL) == DW_DLV_OK)
			ret->is_stmt = stmt;
	}
	dwarf_dealloc(m->dbg, src, DW_DLA_STRING);
	return ret->file != NULL;
}

bool
vd_lines_lookup(struct vd_lines *l, uint64_t addr, struct vd_source_line *ret)
{
	const char *module;

	if (!l)
		return false;
	module = module_of(l, addr);
	if (module) {
		struct src *m = module_src(l, addr, module);
		Dwarf_Off off;

		return m && vd_dwarf_code_unit(m->code, addr - m->bias, &off) &&
		       module_row(l, m, off, addr - m->bias, ret);
	}
	if (l->vmlinux_lines) {
		struct vd_dwarf_line dl;
		struct vd_error *err = NULL;

		if (!vd_dwarf_lines_find(l->vmlinux_lines, addr - l->vmlinux.bias, &dl, &err)) {
			note_error(l, err);
			return false;
		}
		if (!dl.file)
			return false;      // a row naming a file its table has not
		*ret = (struct vd_source_line){
			.file = dl.file, .line = dl.line, .column = dl.column,
			.is_stmt = dl.is_stmt, .addr = dl.addr + l->vmlinux.bias,
		};
		return true;
	}
	return false;
}

bool
vd_lines_find(struct vd_lines *l, uint64_t addr, const char **file, uint32_t *line)
{
	struct vd_source_line sl;

	if (!vd_lines_lookup(l, addr, &sl))
		return false;
	*file = sl.file;
	*line = sl.line;
	return true;
}

struct vd_error *
vd_lines_take_error(struct vd_lines *l)
{
	struct vd_error *err = l ? l->err : NULL;

	if (l)
		l->err = NULL;
	return err;
}

size_t
vd_lines_frames(struct vd_lines *l, uint64_t addr, struct vd_source_frame *out, size_t max)
{
	struct vd_dwarf_scope sc[VD_DWARF_SCOPES_MAX];
	struct vd_source_line row;
	const char *module;
	struct src *s;
	Dwarf_Off off;
	size_t n;

	if (!l || !max || !vd_lines_lookup(l, addr, &row))
		return 0;
	out[0] = (struct vd_source_frame){ .file = row.file, .line = row.line };
	module = module_of(l, addr);
	s = module ? module_src(l, addr, module) : vmlinux_scopes(l);
	if (!s || !vd_dwarf_code_unit(s->code, addr - s->bias, &off))
		return 1;
	n = vd_dwarf_code_scopes(s->code, off, addr - s->bias, sc, VD_DWARF_SCOPES_MAX);
	if (!n)
		return 1;              // no subprogram holds it (assembly): the line alone
	// Scope i's line: the row for the innermost, else the call site of
	// the inlined call scope i - 1 is.
	for (size_t i = 0; i < n && i < max; i++) {
		if (i) {
			out[i] = (struct vd_source_frame){ 0 };
			if (sc[i - 1].call_file)
				out[i].file = keep(l, sc[i - 1].call_file);
			out[i].line = sc[i - 1].call_line;
		}
		out[i].function = sc[i].function ? keep(l, sc[i].function) : NULL;
		out[i].inlined = sc[i].inlined;
	}
	return n < max ? n : max;
}
