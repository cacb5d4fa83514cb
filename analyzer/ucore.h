/* SPDX-License-Identifier: MIT */
/*
 * Inside the analyzer: a process core's mapped files (ucore.c) and their
 * symbols (ucore_syms.c).  Nothing here is public; vmdive/core.h is.
 *
 * An object is one file as the process mapped it: the NT_FILE entries of
 * one path, from the one that maps file offset 0 (its ELF header) on.  It
 * is looked at on first use: the file opened, its build-id compared with
 * the one in the ELF header page the core holds, its load bias computed
 * from its program headers.
 */
#ifndef VD_ANALYZER_UCORE_H
#define VD_ANALYZER_UCORE_H

#include <gelf.h>
#include <libelf.h>

#include "session_priv.h"
#include "symtab.h"
#include "vmdive/core.h"

struct ucore_obj {
	struct vd_core_object pub;
	size_t anchor;              /* NT_FILE entry it starts with */
	bool looked;                /* ucore_obj_look() ran */
	int fd;
	uint64_t fsize;
	Elf *elf;                   /* when pub.is_elf */
	bool syms_tried;
	struct vd_symtab syms;      /* file addresses, bias not applied */
	const char *table;          /* ".symtab", ".dynsym" or a debug file */
	char *why_buf;              /* owns pub.why when formatted */
	char *table_buf;            /* owns table when it is a path */
};

struct vd_ucore {
	struct vd_session *s;
	const struct vd_core_info *core;
	struct ucore_obj *objs;
	size_t nobjs;
	size_t *file_obj;           /* NT_FILE entry i -> objs[] index */
};

/* The session's user-core state, made on first use; error for a vmcore. */
struct vd_error *vd_ucore_get(struct vd_session *s, struct vd_ucore **ret);

/* Open, check and place the object once (never fails: see pub.check). */
struct ucore_obj *ucore_obj_look(struct vd_ucore *u, size_t i);

/* The object whose mapping (or, failing that, PT_LOAD span) holds addr. */
struct ucore_obj *ucore_obj_at(struct vd_ucore *u, uint64_t addr);

/*
 * The process's page size: AT_PAGESZ, else NT_FILE's unit when it is a
 * page (gdb's gcore says 1), else the dump's, else 4 KiB.
 */
uint64_t ucore_page_size(const struct vd_ucore *u);

/* Hex build-id of an ELF's NT_GNU_BUILD_ID (PT_NOTE); "" when none. */
void ucore_elf_build_id(Elf *elf, char out[65]);

#endif
