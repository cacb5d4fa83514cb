/* SPDX-License-Identifier: MIT */
/*
 * The session's insides, shared by the layers (docs/design.md §1).
 *
 * struct vd_session is defined here, at the bottom, so that every layer can
 * keep its state in it; a layer's state is a pointer to a struct that layer
 * defines, so this header names no layer above kernel/.  session/ creates
 * the session, installs the hooks and frees every layer's state.
 */
#ifndef VD_KERNEL_SESSION_PRIV_H
#define VD_KERNEL_SESSION_PRIV_H

#include "common/cache.h"
#include "symtab.h"
#include "common/vmcoreinfo.h"
#include "vmdive/session.h"

struct vd_type_source;             /* a source of types (types/ctype_priv.h) */
struct vd_types;                   /* the type layer's state (types/) */
struct vd_scan;                    /* the kernel image scanned (symbols/) */
struct vd_ksyms;                   /* the dump's kallsyms (ksyms/) */
struct vd_module_syms;             /* module symbols (modules/) */
struct vd_module_debug;            /* modules' debug files (modules/) */
struct vd_ucore;                   /* process cores (ucore/) */

/*
 * What a lower layer may ask of a higher one, through function pointers
 * that session/ installs at open, so that no library links upward: module
 * symbols and module types need the module list, which is walked with the
 * kernel's own symbols and types.  A NULL hook (a lower layer used alone,
 * in unit tests) answers "not found".
 */
struct vd_session_hooks {
	/* The symbol of a module that contains addr (symbols/). */
	bool (*module_symbolize)(struct vd_session *s, uint64_t addr,
				 struct vd_symbol_info *ret);
	/* A module symbol by name, "name" or "module:name" (symbols/). */
	bool (*module_lookup)(struct vd_session *s, const char *name,
			      struct vd_symbol_info *ret);
	/*
	 * init_task, modules or btf_modules recognized in the scanned image
	 * with the kernel's types (symbols/, for kernels whose kallsyms
	 * lacks data symbols).
	 */
	bool (*typed_symbol)(struct vd_session *s, const char *name,
			     uint64_t *ret);
	/* The vmlinux's DWARF types, asked first (types/; dwarf/ sits above). */
	struct vd_error *(*kernel_dwarf_types)(struct vd_session *s,
					       struct vd_type_source **ret);
	/* The loaded modules' types, asked after the kernel's (types/). */
	struct vd_error *(*module_types)(struct vd_session *s,
					 struct vd_type_source **ret);
};

struct vd_session {
	/* kernel/ */
	struct vd_dump *dump;
	struct vd_vmcoreinfo vmcoreinfo;
	struct vd_xlat *xlat;          /* set up on first use */
	struct vd_error *xlat_err;     /* why it could not be, kept */
	struct vd_symtab symtab;       /* vmlinux or System.map */
	bool have_symtab;
	char build_id[65];             /* of the vmlinux */
	char *vmlinux_path;            /* for DWARF types (dwarf/dwarf.c) */
	char *module_debug;            /* opts->module_debug, copied */
	char *sysroot, *exe;           /* process cores: opts, copied */
	char symbol_source[4096 + 32];
	char *cache_dir;               /* per-build-id cache; NULL: none */
	const struct vd_session_hooks *hooks;
	/* symbols/ */
	struct vd_ksyms *ksyms;        /* the dump's kallsyms, opened on first use */
	bool kallsyms_tried;
	struct vd_error *kallsyms_err; /* why decoding failed, kept */
	struct vd_cache_file ksyms_cache; /* its decoded table, when cached */
	struct vd_cache_file ktab[4];  /* kept kallsyms tables, mapped while ksyms uses them */
	unsigned nktab;
	struct vd_scan *scan;          /* on first symbol no table has */
	/* types/ */
	struct vd_types *types;        /* set up on first type lookup */
	/* modules/ */
	struct vd_module_syms *modsyms;    /* on first use of a module address */
	struct vd_module_debug *moddebug;  /* its files, listed on first use */
	/* ucore/ */
	struct vd_ucore *ucore;        /* process cores: on first use */
};

/* true when err is NULL; else destroys it: for reads whose failure is an answer. */
static inline bool
vd_ok(struct vd_error *err)
{
	vd_error_destroy(err);
	return !err;
}

/* Whether vd_session_map_kvirt() would give the dump's own bytes (no read). */
bool vd_session_kvirt_in_place(struct vd_session *s, uint64_t addr, size_t len);
/*
 * len bytes of kernel virtual memory: the dump's own bytes when its file
 * holds them contiguously (*owned_ret NULL), else one read into a
 * malloc()ed buffer (*owned_ret, the caller frees) (kernel/read.c).
 */
struct vd_error *vd_session_map_kvirt(struct vd_session *s, uint64_t addr, size_t len,
				      const void **ret, void **owned_ret);
/* The kernel's build-id from VMCOREINFO, a cache key; NULL if none. */
const char *vd_session_cache_key(struct vd_session *s);

/* A pointer that can be followed: kernel half, aligned (kernel/list_walk.c). */
bool vd_walk_kptr_ok(uint64_t p);

#endif
