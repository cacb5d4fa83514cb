// SPDX-License-Identifier: MIT
/*
 * bt -l, dis -l: source lines of kernel-image addresses, from the
 * vmlinux's DWARF line tables through dwarf/dwarf_lines.h, which decodes
 * only the line program of the unit that holds an address (the unit from
 * .debug_aranges).  An address is looked up at its link-time value: the
 * runtime address minus KERNELOFFSET.
 */
#include <stdlib.h>
#include <string.h>

#include "dwarf/dwarf_lines.h"
#include "unwind_impl.h"

struct vd_lines {
	struct vd_dwarf_lines *dl;
	uint64_t kaslr;
	struct vd_error *err;          /* the first damaged table met */
};

struct vd_error *
vd_lines_open(struct vd_session *s, struct vd_lines **ret)
{
	const char *path = vd_session_vmlinux(s);
	struct vd_lines *l;
	struct vd_error *err;

	*ret = NULL;
	if (!path)
		return vd_error_create(VD_ERR_LOOKUP, "source lines need --vmlinux (with DWARF)");
	l = calloc(1, sizeof(*l));
	if (!l)
		return &vd_enomem;
	if (!vd_session_number(s, "KERNELOFFSET", &l->kaslr))
		l->kaslr = 0;
	err = vd_dwarf_lines_open(path, &l->dl);
	if (err) {
		free(l);
		return err;
	}
	*ret = l;
	return NULL;
}

void
vd_lines_close(struct vd_lines *l)
{
	if (!l)
		return;
	vd_dwarf_lines_close(l->dl);
	vd_error_destroy(l->err);
	free(l);
}

bool
vd_lines_lookup(struct vd_lines *l, uint64_t addr, struct vd_source_line *ret)
{
	struct vd_dwarf_line dl;
	struct vd_error *err = NULL;

	if (!l || !vd_dwarf_lines_find(l->dl, addr - l->kaslr, &dl, &err)) {
		if (err && !l->err)
			l->err = err;
		else
			vd_error_destroy(err);
		return false;
	}
	if (!dl.file)
		return false;              // a row naming a file its table has not
	*ret = (struct vd_source_line){
		.file = dl.file, .line = dl.line, .column = dl.column, .is_stmt = dl.is_stmt,
		.addr = dl.addr + l->kaslr,
	};
	return true;
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
