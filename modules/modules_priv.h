/* SPDX-License-Identifier: MIT */
/*
 * Inside modules/: what is known per loaded module -- its symbols
 * (module_syms.c), its debug file (module_debug.c), its types
 * (module_types.c) and its memory as an ELF file (module_elf.c).
 * session/ installs the module hooks of kernel/session_priv.h from here.
 */
#ifndef VD_MODULES_MODULES_PRIV_H
#define VD_MODULES_MODULES_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/session_priv.h"
#include "types/ctype_priv.h"
#include "walkers/walk_priv.h"

/* One Elf_Sym of a module's symbol table (kallsyms in memory, or a .ko). */
struct vd_module_sym_raw {
	const char *name;
	uint64_t value;           /* kallsyms: runtime address; .ko: in its section */
	uint64_t size;
	uint16_t shndx;           /* the .ko's section index (kallsyms keeps it) */
	unsigned char info;       /* st_info */
	char type;                /* nm letter (vd_module_sym_letter) */
};
/* Names that are no symbols: empty, .L local labels, ARM mapping symbols. */
bool vd_module_sym_skip_name(const char *n);
/* The nm letter from the kernel's typetab letter and the binding. */
char vd_module_sym_letter(char typetab, unsigned char st_info);
/*
 * The symbols of a module's debug file (path) at their runtime addresses
 * (modules/module_debug.c): each SHF_ALLOC section placed into mod's
 * regions as the kernel lays a module out, checked against the module's
 * own kallsyms (ks, n; n may be 0), which also correct a section placed
 * elsewhere.  VD_ERR_INVALID_ARG when the file is not the loaded module.
 * st->source tells the file and how the check went.  bases (may be NULL):
 * the runtime address of each of the file's sections (0: not placed),
 * *nbases of them, for its DWARF's line tables (vd_module_code_dwarf()).
 */
struct vd_error *vd_module_debug_symbols(struct vd_session *s, const char *path,
				     const struct vd_module *mod,
				     const struct vd_module_sym_raw *ks, size_t n,
				     struct vd_symtab *st, uint64_t **bases,
				     size_t *nbases);
/* The symbol of a module that contains addr; loads the modules on first use. */
bool vd_module_syms_symbolize(struct vd_session *s, uint64_t addr,
			  struct vd_symbol_info *ret);
/* A module symbol by name ("name" or "module:name"). */
bool vd_module_syms_lookup(struct vd_session *s, const char *name,
		       struct vd_symbol_info *ret);

/* Free the module symbols. */
void vd_module_syms_destroy(struct vd_module_syms *m);

/*
 * The debug file of a module (NAME.ko or NAME.ko.debug, '-' and '_' alike)
 * under the session's module_debug directory: borrowed, or NULL.
 */
const char *vd_module_debug_path(struct vd_session *s, const char *module);
/* Refuse a module_debug option that is not a directory, at open. */
struct vd_error *vd_module_debug_check_dir(const char *dir);
void vd_module_debug_destroy(struct vd_module_debug *m);

/*
 * The types of the loaded modules (modules/module_types.c): per module,
 * DWARF from a debug file under the session's module_debug directory,
 * else its BTF in the dump.  Set up on the first name no other source has.
 */
struct vd_error *vd_module_types_source_create(struct vd_session *s,
					       struct vd_type_source **ret);

#endif
