/* SPDX-License-Identifier: MIT */
/* The session's insides, shared by the analyzer's files. */
#ifndef VD_ANALYZER_SESSION_PRIV_H
#define VD_ANALYZER_SESSION_PRIV_H

#include "types/ctypes_priv.h"
#include "symtab.h"
#include "vmcoreinfo.h"
#include "vmdive/session.h"

struct vd_modsyms;                 /* module symbols (modules/module_syms.c) */
struct vd_probe;                   /* symbols found in memory (symbols/probe_syms.c) */
struct vd_moddebug;                /* modules' debug files (modules/module_debug.c) */

struct vd_session {
	struct vd_dump *dump;
	struct vd_vmcoreinfo vmcoreinfo;
	struct vd_xlat *xlat;          /* set up on first use */
	struct vd_error *xlat_err;     /* why it could not be, kept */
	struct vd_symtab symtab;       /* vmlinux or System.map */
	bool have_symtab;
	char build_id[65];             /* of the vmlinux */
	char *vmlinux_path;            /* for DWARF types (types/dwarf.c) */
	char *module_debug;            /* opts->module_debug, copied */
	struct vd_moddebug *moddebug;  /* its files, listed on first use */
	struct vd_symtab kallsyms;     /* decoded from the dump on first use */
	bool kallsyms_tried;
	struct vd_error *kallsyms_err; /* why decoding failed, kept */
	char symbol_source[4096 + 32];
	struct vd_types types;         /* set up on first type lookup */
	struct vd_modsyms *modsyms;    /* on first use of a module address */
	struct vd_probe *probe;        /* on first symbol no table has */
	struct vd_ucore *ucore;        /* process cores: ucore.c, on first use */
	char *sysroot, *exe;           /* process cores: opts, copied */
};

/* A process core's mapped files and their symbols (ucore/ucore.c). */
struct vd_ucore;
void vd_ucore_destroy(struct vd_ucore *u);

/* Decode the kernel's kallsyms tables from the dump (symbols/kallsyms.c). */
struct vd_error *vd_kallsyms_load(struct vd_session *s, struct vd_symtab *ret);

/*
 * The debug file of a module (NAME.ko or NAME.ko.debug, '-' and '_' alike)
 * under the session's module_debug directory: borrowed, or NULL
 * (modules/module_debug.c).
 */
const char *vd_moddebug_path(struct vd_session *s, const char *module);
/* Refuse a module_debug option that is not a directory, at open. */
struct vd_error *vd_moddebug_check_dir(const char *dir);
void vd_moddebug_destroy(struct vd_moddebug *m);

/* Free the module symbols (modules/module_syms.c). */
void vd_modsyms_destroy(struct vd_modsyms *m);
/*
 * __start_BTF, __stop_BTF, init_task or modules found by scanning the
 * kernel image, for kernels whose kallsyms lacks data symbols
 * (symbols/probe_syms.c).
 */
bool vd_probe_symbol(struct vd_session *s, const char *name, uint64_t *ret);
void vd_probe_destroy(struct vd_probe *p);

/* Refuse a vmlinux that is not the dumped kernel (symbols/symbols.c). */
struct vd_error *vd_session_check_vmlinux(struct vd_session *s,
					  const struct vd_session_opts *opts);

#endif
