/* SPDX-License-Identifier: MIT */
/*
 * Inside the analyzer: a process core's mapped files (ucore.c) and their
 * symbols (ucore_syms.c).  Nothing here is public; vmdive/core.h is.
 *
 * An object is one file as the process mapped it: the file mappings
 * (NT_FILE's, or those vd_ucore_linkmap.c derives) of one path, from the one
 * that maps file offset 0 (its ELF header) on.  It is looked at on first
 * use: the file opened, its load bias computed from its program headers,
 * its build-id compared with the one in the ELF header page the core
 * holds, else its .dynamic with the one in the core.
 */
#ifndef VD_UCORE_UCORE_H
#define VD_UCORE_UCORE_H

#include <gelf.h>
#include <libelf.h>

#include "kernel/session_priv.h"
#include "kernel/symtab.h"
#include "vmdive/core.h"

struct ucore_obj {
	struct vd_core_object pub;
	size_t anchor;              /* file mapping it starts with */
	bool looked;                /* vd_ucore_obj_look() ran */
	int fd;
	uint64_t fsize;
	Elf *elf;                   /* when pub.is_elf */
	bool syms_tried;
	struct vd_symtab syms;      /* file addresses, bias not applied */
	const char *table;          /* ".symtab", ".dynsym" or a debug file */
	char *why_buf;              /* owns pub.why when formatted */
	char *table_buf;            /* owns table when it is a path */
	char *file_buf;             /* owns pub.file when not pub.path */
};

struct vd_ucore {
	struct vd_session *s;
	const struct vd_core_info *core;
	struct vd_core_files files; /* NT_FILE's, or own_files */
	struct vd_core_file *own_files;   /* from the link_map chain */
	size_t own_cap;
	char *note_buf;             /* owns files.note */
	struct ucore_obj *objs;     /* may move while own_files grows */
	size_t nobjs, objs_cap;
	size_t *file_obj;           /* file mapping i -> objs[] index */
};

/* The session's user-core state, made on first use; error for a vmcore. */
struct vd_error *vd_ucore_get(struct vd_session *s, struct vd_ucore **ret);
void vd_ucore_destroy(struct vd_ucore *u);

/* Open, check and place the object once (never fails: see pub.check). */
struct ucore_obj *vd_ucore_obj_look(struct vd_ucore *u, size_t i);

/* The object whose mapping (or, failing that, PT_LOAD span) holds addr. */
struct ucore_obj *vd_ucore_obj_at(struct vd_ucore *u, uint64_t addr);

/*
 * The process's page size: AT_PAGESZ, else NT_FILE's unit when it is a
 * page (gdb's gcore says 1), else the dump's, else 4 KiB.
 */
uint64_t vd_ucore_page_size(const struct vd_ucore *u);

/* Hex build-id of an ELF's NT_GNU_BUILD_ID (PT_NOTE); "" when none. */
void vd_ucore_elf_build_id(Elf *elf, char out[65]);

/* The core's own bytes at addr (never a mapped file's); false if absent. */
bool vd_ucore_core_read(struct vd_ucore *u, uint64_t addr, void *buf, size_t len);

/*
 * The file to open for a path from the core: under --sysroot when it is
 * there, else the path itself.  Owned by the caller (free()); NULL when
 * out of memory.
 */
char *vd_ucore_resolve(const struct vd_ucore *u, const char *path);

/*
 * An ELF's .dynamic, placed at bias, against the core's copy; msg says
 * how they agree or where they differ (vd_ucore_linkmap.c).
 */
enum dyn_verdict { DYN_UNKNOWN, DYN_AGREE, DYN_DIFFER };
enum dyn_verdict vd_ucore_check_dynamic(struct vd_ucore *u, Elf *elf,
					uint64_t bias, char *msg, size_t len);

/* EM_* of the core's architecture, 0 when unknown. */
unsigned vd_ucore_machine(const struct vd_ucore *u);

/*
 * Append a file mapping to own_files (and its object); path is copied.
 * Only while vd_ucore_linkmap() runs.
 */
struct vd_error *vd_ucore_add_file(struct vd_ucore *u, const char *path,
				   uint64_t start, uint64_t end, uint64_t offset);

/*
 * For a core without NT_FILE: file mappings from the dynamic linker's
 * link_map chain (vd_ucore_linkmap.c).  What cannot be found goes to
 * files.note; only running out of memory is an error.
 */
struct vd_error *vd_ucore_linkmap(struct vd_ucore *u);

#endif
