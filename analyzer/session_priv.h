/* SPDX-License-Identifier: MIT */
/* The session's insides, shared by the analyzer's files. */
#ifndef VD_ANALYZER_SESSION_PRIV_H
#define VD_ANALYZER_SESSION_PRIV_H

#include "common/cache.h"
#include "ctypes_priv.h"
#include "ksyms/kallsyms.h"
#include "symtab.h"
#include "vmcoreinfo.h"
#include "vmdive/session.h"

struct vd_modsyms;                 /* module symbols (analyzer/module_syms.c) */
struct vd_probe;                   /* symbols found in memory (analyzer/probe_syms.c) */
struct vd_moddebug;                /* modules' debug files (analyzer/module_debug.c) */

struct vd_session {
	struct vd_dump *dump;
	struct vd_vmcoreinfo vmcoreinfo;
	struct vd_xlat *xlat;          /* set up on first use */
	struct vd_error *xlat_err;     /* why it could not be, kept */
	bool xlat_busy;                /* being set up: no kallsyms yet */
	struct vd_symtab symtab;       /* vmlinux or System.map */
	bool have_symtab;
	char build_id[65];             /* of the vmlinux */
	char *vmlinux_path;            /* for DWARF types (analyzer/dwarf.c) */
	char *module_debug;            /* opts->module_debug, copied */
	struct vd_moddebug *moddebug;  /* its files, listed on first use */
	struct vd_ksyms *ksyms;        /* the dump's kallsyms, opened on first use */
	bool kallsyms_tried;
	struct vd_error *kallsyms_err; /* why decoding failed, kept */
	struct vd_cache_file ksyms_cache; /* its decoded table, when cached */
	char *cache_dir;               /* NULL: no cache (--no-cache, no HOME) */
	char symbol_source[4096 + 32];
	struct vd_types types;         /* set up on first type lookup */
	struct vd_modsyms *modsyms;    /* on first use of a module address */
	struct vd_probe *probe;        /* on first symbol no table has */
	struct vd_ucore *ucore;        /* process cores: ucore.c, on first use */
	char *sysroot, *exe;           /* process cores: opts, copied */
};

/* A process core's mapped files and their symbols (analyzer/ucore.c). */
struct vd_ucore;
void vd_ucore_destroy(struct vd_ucore *u);

/*
 * The dump's kallsyms tables, opened on first use (analyzer/kallsyms.c):
 * NULL when they cannot be (s->kallsyms_err says why), or while
 * translation is being set up.
 */
struct vd_ksyms *vd_session_ksyms(struct vd_session *s);
/* Write the decoded kallsyms to the cache if this session built it. */
void vd_kallsyms_close(struct vd_session *s);
/*
 * len bytes of kernel virtual memory: the dump's own bytes when its file
 * holds them contiguously (*owned_ret NULL), else one read into a
 * malloc()ed buffer (*owned_ret, the caller frees).
 */
struct vd_error *vd_session_map_kvirt(struct vd_session *s, uint64_t addr, size_t len,
				      const void **ret, void **owned_ret);
/* The kernel's build-id from VMCOREINFO, a cache key; NULL if none. */
const char *vd_session_cache_key(struct vd_session *s);

/*
 * The debug file of a module (NAME.ko or NAME.ko.debug, '-' and '_' alike)
 * under the session's module_debug directory: borrowed, or NULL
 * (analyzer/module_debug.c).
 */
const char *vd_moddebug_path(struct vd_session *s, const char *module);
/* Refuse a module_debug option that is not a directory, at open. */
struct vd_error *vd_moddebug_check_dir(const char *dir);
void vd_moddebug_destroy(struct vd_moddebug *m);

/* Free the module symbols (analyzer/module_syms.c). */
void vd_modsyms_destroy(struct vd_modsyms *m);
/*
 * __start_BTF, __stop_BTF, init_task or modules found by scanning the
 * kernel image, for kernels whose kallsyms lacks data symbols
 * (analyzer/probe_syms.c).
 */
bool vd_probe_symbol(struct vd_session *s, const char *name, uint64_t *ret);
void vd_probe_destroy(struct vd_probe *p);

/* Refuse a vmlinux that is not the dumped kernel (analyzer/symbols.c). */
struct vd_error *vd_session_check_vmlinux(struct vd_session *s,
					  const struct vd_session_opts *opts);

#endif
