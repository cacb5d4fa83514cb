/* SPDX-License-Identifier: MIT */
/*
 * Kernel symbol tables: name <-> runtime address.
 *
 * Loaded from a vmlinux ELF .symtab (libelf) or a System.map; both give
 * link-time addresses, so every address is shifted by the dump's KASLR
 * offset (KERNELOFFSET) when loaded.  Two sorted indexes serve lookups by
 * address (symbol+offset) and by name.
 */
#ifndef VD_KERNEL_SYMTAB_H
#define VD_KERNEL_SYMTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common/cache.h"
#include "vmdive/error.h"

struct vd_symbol {
	const char *name;
	uint64_t addr;         /* runtime address */
	uint64_t size;         /* 0 if unknown */
	char type;             /* nm-style: T t D d B b R r W V A ... */
	uint32_t order;        /* position in the source (ELF symtab index,
				  kallsyms index): the last tie-break */
};

/*
 * A vmlinux table used where it lies in its kept file (kernel/symtab_cache.c):
 * records read (and their blocks checked) as lookups reach them, a
 * record turned into syms[i] the first time one is handed out.
 */
struct vd_symtab_kept_sym {
	uint64_t addr, size;
	uint32_t name, order;
	uint8_t type, zero[7];
};

struct vd_symtab_kept {
	struct vd_cache_file f;
	const struct vd_symtab_kept_sym *cs;   /* n, sorted by address */
	const char *strings;
	size_t strings_size;                   /* the last byte a NUL (checked) */
	const uint32_t *by_name;               /* n */
	const uint64_t *max_end;               /* n */
	char *cache_dir;
	char build_id[65];
	uint64_t offset;
	bool failed;                           /* a block did not match */
};

/* [start, end): a part of memory symbols belong to (an ELF section). */
struct vd_symtab_range {
	uint64_t start, end;
};

struct vd_symtab {
	char *source;              /* file it came from */
	struct vd_symbol *syms;    /* sorted by address */
	size_t n;
	uint32_t *by_name;         /* indexes into syms, sorted by name */
	char *strings;             /* owned copies of the names */
	bool sizes_guessed;        /* kallsyms: size = distance to the next */
	bool kernel_order;         /* kallsyms: set before vd_symtab_finish();
				      aliases stay in the source's order, and
				      the first of them names their address */
	uint64_t *max_end;         /* max(addr + size) of syms[0..i]: bounds
				      the search for a containing symbol */
	/*
	 * Optional, sorted, disjoint (owned): a sizeless symbol names only
	 * addresses in the range that holds it, as elfutils names them only
	 * in its section.  Without ranges, any address up to the next symbol.
	 */
	struct vd_symtab_range *ranges;
	size_t nranges;
	/*
	 * Non-NULL: the table lies in a kept file (syms[] is calloc()ed and
	 * filled per entry; by_name and max_end are unused).  A damaged block
	 * found by a lookup makes it rebuild the table from the ELF file and
	 * answer from that (vd_symtab_nth() and the lookups do this).
	 */
	struct vd_symtab_kept *kept;
	struct vd_symbol *retired;   /* syms[] of a dropped kept table: handed
					out pointers stay valid until deinit */
};

/* System.map: "ffffffff81000000 T _text" lines. */
struct vd_error *vd_symtab_load_system_map(const char *path, uint64_t offset,
					   struct vd_symtab *ret);
/* A vmlinux has ~190k symbols; tables absurdly larger are refused. */
#define VD_SYMTAB_MAX (1u << 24)

/*
 * vmlinux: the .symtab section; build_id_ret gets the NT_GNU_BUILD_ID as
 * hex, or "" when the file has none.  With a cache directory (NULL: none)
 * the sorted table is kept there per build-id and offset and read back
 * from it (kernel/symtab_cache.c).
 */
struct vd_error *vd_symtab_load_elf(const char *path, uint64_t offset,
				    const char *cache_dir, char build_id_ret[65],
				    struct vd_symtab *ret);
/*
 * The kept table of (build_id, offset), used in place (its blocks checked
 * as they are read); false on a miss found at once.
 */
bool vd_symtab_cache_load(const char *dir, const char *build_id, uint64_t offset,
			  const char *path, struct vd_symtab *ret);
/* Entry i (< st->n) of the table sorted by address. */
const struct vd_symbol *vd_symtab_nth(const struct vd_symtab *st, size_t i);
/* Keep st (with its by-name index) for (build_id, offset); failing is quiet. */
void vd_symtab_cache_store(const char *dir, const char *build_id, uint64_t offset,
			   const struct vd_symtab *st);
/* Sort and index syms[0..n) of a table the caller filled (kallsyms). */
struct vd_error *vd_symtab_finish(struct vd_symtab *st);
/* Recompute the address extents after the caller changed sizes. */
void vd_symtab_update_extents(struct vd_symtab *st);
void vd_symtab_deinit(struct vd_symtab *st);

const struct vd_symbol *vd_symtab_by_name(const struct vd_symtab *st,
					  const char *name);
/*
 * The symbol that names addr, chosen like elfutils' dwfl_module_addrinfo
 * (what drgn and eu-addr2line answer): a sized symbol containing addr,
 * global or weak before local; then the nearest start; at one start the
 * smaller one unless its binding is worse (global > weak > local); then the
 * first in the source.  With none, a sizeless symbol (an assembly label) at
 * the nearest start that no sized symbol reaches past, in the same range
 * (section) as addr when the table has ranges.  NULL if none.
 * A kernel_order table (kallsyms: no sizes, no ELF order) names addr by
 * the symbol at the nearest start, as the kernel's kallsyms_lookup() does;
 * of several there, the one elfutils would take as far as kallsyms tells
 * (kernel/symtab.c kernel_alias()).
 */
const struct vd_symbol *vd_symtab_by_addr(const struct vd_symtab *st,
					  uint64_t addr);

/*
 * ARM/AArch64 mapping symbols ($x, $d, $a, $t, optionally ".suffix") mark
 * code and data runs for disassemblers; they are not names (nm, gdb and
 * the kernel's kallsyms leave them out).
 */
static inline bool
vd_sym_is_mapping(const char *n)
{
	return n[0] == '$' && n[1] && strchr("axtd", n[1]) && (!n[2] || n[2] == '.');
}

#endif
