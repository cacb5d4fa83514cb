/* SPDX-License-Identifier: MIT */
/*
 * A vmdive session: one opened dump plus everything learned about it
 * (VMCOREINFO, address translation, symbols).  This is the library's main
 * entry point; the CLI is a thin layer over it.
 *
 * The session owns what it returns: pointers stay valid until
 * vd_session_close().  Work is done on first use: opening parses headers
 * only; translation is set up by the first call that needs it.
 */
#ifndef VMDIVE_SESSION_H
#define VMDIVE_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmdive/dump.h"
#include "vmdive/error.h"
#include "vmdive/xlat.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vd_session_opts {
	const char *vmlinux;      /* ELF with symbols (and DWARF), optional */
	const char *system_map;   /* optional */
	const char *module_debug; /* a directory searched (recursively) for
				     modules' debug files, NAME.ko or
				     NAME.ko.debug: their DWARF types and
				     .symtab symbols; optional */
	bool force_vmlinux;       /* use a vmlinux that does not match */
	bool force_system_map;    /* use a System.map that does not match */
	const char *sysroot;      /* process cores: mapped files' paths are
				     tried under this directory first */
	const char *exe;          /* process cores: the executable, where
				     the core does not name it */
	const char *cache_dir;    /* decoded kallsyms, BTF index, DWARF name
				     index and vmlinux symbol table per
				     kernel build-id (common/cache.h);
				     NULL: $VMDIVE_CACHE_DIR, else
				     $XDG_CACHE_HOME/vmdive, else
				     ~/.cache/vmdive */
	bool no_cache;            /* neither read nor write the cache */
	struct vd_dump_opts dump;
};

struct vd_session;

struct vd_error *vd_session_open(const char *const *paths, size_t npaths,
				 const struct vd_session_opts *opts,
				 struct vd_session **ret);
void vd_session_close(struct vd_session *s);

struct vd_dump *vd_session_dump(struct vd_session *s);
const struct vd_dump_info *vd_session_info(const struct vd_session *s);

/* VMCOREINFO value of key, or NULL; decoded numbers (see vmcoreinfo.h). */
const char *vd_session_vmcoreinfo(const struct vd_session *s, const char *key);
bool vd_session_number(const struct vd_session *s, const char *key,
		       uint64_t *ret);

/* The kernel's page size (VMCOREINFO PAGESIZE, else the dump's). */
uint64_t vd_session_page_size(struct vd_session *s);

/* The kernel's address translation, set up on first call. */
struct vd_error *vd_session_xlat(struct vd_session *s, struct vd_xlat **ret);

/*
 * Read memory in an address space: VD_AS_PHYS, VD_AS_KVIRT (through the
 * kernel page tables) or VD_AS_UVIRT (a user core's memory).  On failure
 * *done_ret has the bytes read before it; the error names the address.
 */
struct vd_error *vd_session_read(struct vd_session *s, enum vd_as as,
				 uint64_t addr, void *buf, size_t len,
				 size_t *done_ret);
struct vd_error *vd_session_read_u64(struct vd_session *s, enum vd_as as,
				     uint64_t addr, uint64_t *ret);

/* Symbols ------------------------------------------------------------------ */

struct vd_symbol_info {
	const char *name;
	uint64_t addr;          /* symbol start */
	uint64_t offset;        /* queried address - addr */
	uint64_t size;          /* 0 when unknown */
	bool size_guessed;      /* kallsyms: distance to the next symbol */
	char type;              /* nm-style letter */
	const char *module;     /* NULL for the kernel image */
	const char *source;     /* "vmlinux", "System.map", "vmcoreinfo" */
};

/* Address of a kernel symbol (KASLR applied); false if unknown. */
bool vd_session_symbol(struct vd_session *s, const char *name, uint64_t *ret);
/*
 * Full information on a symbol by name: from the vmlinux/System.map, the
 * dump's kallsyms, or a VMCOREINFO SYMBOL() line (then ret->name is the
 * caller's name string).  VD_ERR_LOOKUP says which sources were searched.
 */
struct vd_error *vd_session_lookup_symbol(struct vd_session *s,
					  const char *name,
					  struct vd_symbol_info *ret);
/*
 * Whether the only symbol table is the dump's kallsyms and it has no
 * variables (a kernel built without CONFIG_KALLSYMS_ALL: Debian's arm64);
 * false when a vmlinux or System.map is given, when kallsyms has data
 * symbols, and when it could not be read at all.
 */
bool vd_session_lacks_data_symbols(struct vd_session *s);
/*
 * The address of a kernel global (a variable): from the symbol tables,
 * VMCOREINFO, the variables recognized in the kernel image when kallsyms
 * lacks data symbols (init_task, modules, btf_modules), or a module's
 * symbols.  When none has it and kallsyms lacks data symbols
 * (vd_session_lacks_data_symbols()), the error
 * says so in one line naming --system-map and --vmlinux: the one message
 * every command gives for a global the dump does not carry.
 */
struct vd_error *vd_session_global(struct vd_session *s, const char *name, uint64_t *ret);
/* The symbol containing addr; false if no symbol claims it. */
bool vd_session_symbolize(struct vd_session *s, uint64_t addr,
			  struct vd_symbol_info *ret);
/* The symbols of the best source, in address order: count, then each. */
size_t vd_session_nsymbols(struct vd_session *s);
void vd_session_symbol_nth(struct vd_session *s, size_t i,
			   struct vd_symbol_info *ret);
/* The --vmlinux file given at open, or NULL. */
const char *vd_session_vmlinux(const struct vd_session *s);
/* Which symbol sources loaded ("vmlinux /path", ...); for info. */
const char *vd_session_symbol_source(const struct vd_session *s);

#ifdef __cplusplus
}
#endif
#endif
