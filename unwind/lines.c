// SPDX-License-Identifier: MIT
/*
 * bt -l: source lines from the vmlinux's DWARF line tables, with libdwarf.
 * An address (link-time: the runtime address minus KERNELOFFSET) is
 * looked up in .debug_aranges for its compilation unit, whose line table
 * is decoded once and kept (a few CUs per trace; bounded cache); the row
 * with the greatest address <= addr inside a sequence gives file and line.
 */
#include <libdwarf.h>
#include <stdlib.h>
#include <string.h>

#include "unwind_impl.h"

#define MAX_CUS 256                /* line tables kept at once */

struct cu_lines {
	Dwarf_Off off;
	Dwarf_Line_Context ctx;
	Dwarf_Line *lines;
	Dwarf_Signed n;
};

struct vd_lines {
	Dwarf_Debug dbg;
	Dwarf_Arange *aranges;
	Dwarf_Signed naranges;
	uint64_t kaslr;
	struct cu_lines cus[MAX_CUS];
	size_t ncus, next;             /* round-robin replacement */
	char **strs;                   /* file names handed out */
	size_t nstrs;
};

struct vd_error *
vd_lines_open(struct vd_session *s, struct vd_lines **ret)
{
	const char *path = vd_session_vmlinux(s);
	struct vd_lines *l;
	Dwarf_Error derr = NULL;
	struct vd_error *err;

	*ret = NULL;
	if (!path)
		return vd_error_create(VD_ERR_LOOKUP, "source lines need --vmlinux (with DWARF)");
	l = calloc(1, sizeof(*l));
	if (!l)
		return &vd_enomem;
	if (!vd_session_number(s, "KERNELOFFSET", &l->kaslr))
		l->kaslr = 0;
	if (dwarf_init_path(path, NULL, 0, DW_DLC_READ, DW_GROUPNUMBER_ANY, NULL, NULL, &l->dbg,
			    NULL, 0, NULL, &derr) != DW_DLV_OK) {
		free(l);
		return vd_error_create(VD_ERR_LOOKUP, "%s: no DWARF for source lines", path);
	}
	if (dwarf_get_aranges(l->dbg, &l->aranges, &l->naranges, &derr) != DW_DLV_OK) {
		err = vd_error_create(VD_ERR_LOOKUP, "%s: no .debug_aranges: %s", path,
				      derr ? dwarf_errmsg(derr) : "none");
		if (derr)
			dwarf_dealloc_error(l->dbg, derr);
		vd_lines_close(l);
		return err;
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
	if (l->aranges) {
		for (Dwarf_Signed i = 0; i < l->naranges; i++)
			dwarf_dealloc(l->dbg, l->aranges[i], DW_DLA_ARANGE);
		dwarf_dealloc(l->dbg, l->aranges, DW_DLA_LIST);
	}
	if (l->dbg)
		dwarf_finish(l->dbg, NULL);
	for (size_t i = 0; i < l->nstrs; i++)
		free(l->strs[i]);
	free(l->strs);
	free(l);
}

static struct cu_lines *
cu_for(struct vd_lines *l, Dwarf_Off off)
{
	struct cu_lines *c;
	Dwarf_Die die = NULL;
	Dwarf_Unsigned version;
	Dwarf_Small tables;
	Dwarf_Error derr = NULL;

	for (size_t i = 0; i < l->ncus; i++)
		if (l->cus[i].off == off)
			return &l->cus[i];
	if (l->ncus < MAX_CUS) {
		c = &l->cus[l->ncus++];
	} else {
		c = &l->cus[l->next];
		l->next = (l->next + 1) % MAX_CUS;
		drop_cu(c);
	}
	c->off = off;
	if (dwarf_offdie_b(l->dbg, off, true, &die, &derr) != DW_DLV_OK)
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
		dwarf_dealloc_error(l->dbg, derr);
	c->n = 0;
	c->lines = NULL;
	return c;
}

bool
vd_lines_find(struct vd_lines *l, uint64_t addr, const char **file, uint32_t *line)
{
	Dwarf_Arange ar;
	Dwarf_Off off;
	Dwarf_Error derr = NULL;
	struct cu_lines *c;
	Dwarf_Addr best = 0;
	Dwarf_Signed besti = -1;
	uint64_t a = addr - l->kaslr;
	char *src = NULL, *copy, **p;
	Dwarf_Unsigned lineno;

	if (dwarf_get_arange(l->aranges, (Dwarf_Unsigned)l->naranges, a, &ar, &derr) != DW_DLV_OK ||
	    dwarf_get_cu_die_offset(ar, &off, &derr) != DW_DLV_OK) {
		if (derr)
			dwarf_dealloc_error(l->dbg, derr);
		return false;
	}
	c = cu_for(l, off);
	// Rows are in sequences of ascending addresses; an end_sequence row
	// closes one (its address is past the sequence's code).
	for (Dwarf_Signed i = 0; i < c->n; i++) {
		Dwarf_Addr la;
		Dwarf_Bool end = false;

		if (dwarf_lineaddr(c->lines[i], &la, &derr) != DW_DLV_OK ||
		    dwarf_lineendsequence(c->lines[i], &end, &derr) != DW_DLV_OK) {
			if (derr)
				dwarf_dealloc_error(l->dbg, derr);
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
	copy = strdup(src);
	dwarf_dealloc(l->dbg, src, DW_DLA_STRING);
	p = copy ? realloc(l->strs, (l->nstrs + 1) * sizeof(*p)) : NULL;
	if (!p) {
		free(copy);
		return false;
	}
	l->strs = p;
	l->strs[l->nstrs++] = copy;
	*file = copy;
	*line = (uint32_t)lineno;
	return true;
}
