/* SPDX-License-Identifier: MIT */
/*
 * The kernel's kallsyms tables read where they lie in the dump, decoding
 * only what a question needs.
 *
 * The decoder knows nothing of sessions: it reaches the dump through
 * struct vd_ksyms_mem (map a range of kernel memory, look up a VMCOREINFO
 * SYMBOL()), so unit tests can hand it tables they built.  Which encoding
 * the tables use is decided by what the dump holds -- which SYMBOL()s
 * VMCOREINFO exports and which address decoding puts _stext where
 * VMCOREINFO says -- never by the kernel's version (ksyms/kallsyms.c).
 *
 * Lookups:
 *   by name     kallsyms_seqs_of_names (the kernel's name order, where it
 *               has one): a binary search decoding ~17 names; without it,
 *               one scan comparing while decoding, and from the third
 *               lookup on a hash index built in one pass (once);
 *   by address  a binary search over the address array, then the names of
 *               the aliases at that address only (kallsyms_markers seek);
 *   in order    sequential decoding.
 * Names returned stay valid until vd_ksyms_destroy().
 */
#ifndef VD_KSYMS_KALLSYMS_H
#define VD_KSYMS_KALLSYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vmdive/error.h"

struct vd_ksyms_mem {
	void *ctx;
	bool big_endian;
	uint32_t ptr_size;          /* 8 (4 accepted for kallsyms_addresses) */
	/*
	 * len bytes of kernel virtual memory at addr, valid until the
	 * decoder is destroyed: *owned_ret is NULL when the bytes are the
	 * dump's own (mapped), else a malloc()ed copy the decoder frees.
	 */
	struct vd_error *(*map)(void *ctx, uint64_t addr, size_t len,
				const void **ret, void **owned_ret);
	/* VMCOREINFO SYMBOL(name), a runtime address. */
	bool (*symbol)(void *ctx, const char *name, uint64_t *ret);
	/*
	 * Optional: the decoder is done with mapped bytes it scanned (not a
	 * copy); the session may drop them from memory (they stay in the
	 * page cache).
	 */
	void (*release)(void *ctx, const void *p, size_t len);
	/*
	 * Optional: where an earlier session found kallsyms_token_index,
	 * relative to _stext, for kernels whose VMCOREINFO does not list
	 * the tables (0: none).  Checked like a found one, scanned for when
	 * it does not check out.
	 */
	uint64_t index_hint;
};

/* How kallsyms_offsets[] / kallsyms_addresses[] give an address. */
enum vd_ksyms_encoding {
	VD_KSYMS_ABSOLUTE,          /* kallsyms_addresses[]: the address */
	VD_KSYMS_RELATIVE,          /* relative_base + (u32)off */
	VD_KSYMS_ABSOLUTE_PERCPU,   /* off >= 0: off; else relative_base - 1 - off */
	VD_KSYMS_PLACE_RELATIVE,    /* &kallsyms_offsets[i] + (s32)off */
};

struct vd_ksym {
	const char *name;           /* valid until vd_ksyms_destroy() */
	uint64_t addr;
	uint64_t size;              /* guessed: distance to the next address */
	char type;                  /* nm letter */
	uint32_t index;             /* position in the kernel's table */
};

struct vd_ksyms;

/* What the decoder found; for info, tests and the cache key. */
struct vd_ksyms_layout {
	uint32_t num;
	enum vd_ksyms_encoding encoding;
	bool kernel_markers;        /* kallsyms_markers found (else built) */
	bool seqs_of_names;         /* kallsyms_seqs_of_names found */
	bool located;               /* VMCOREINFO did not list the tables: found
				       by scanning the image from _stext */
	uint64_t index_rel;         /* then: kallsyms_token_index - _stext */
};

struct vd_error *vd_ksyms_open(const struct vd_ksyms_mem *mem, struct vd_ksyms **ret);
void vd_ksyms_destroy(struct vd_ksyms *ks);
void vd_ksyms_layout(const struct vd_ksyms *ks, struct vd_ksyms_layout *ret);

uint32_t vd_ksyms_count(const struct vd_ksyms *ks);
/* The first symbol named name (lowest index, as the kernel's lookup). */
bool vd_ksyms_by_name(struct vd_ksyms *ks, const char *name, struct vd_ksym *ret);
/*
 * The symbol naming addr as the kernel's kallsyms_lookup() does (the
 * nearest start at or below), of its aliases the one elfutils would take
 * as far as kallsyms tells (vd_ksyms_alias_better()).  False when addr is
 * below every symbol or further than the guessed size past it.
 */
bool vd_ksyms_by_addr(struct vd_ksyms *ks, uint64_t addr, struct vd_ksym *ret);
/* Symbol i in address order (the table's); sequential calls are O(1). */
struct vd_error *vd_ksyms_nth(struct vd_ksyms *ks, uint32_t i, struct vd_ksym *ret);

/*
 * A decoded table for the cache (vd_ksyms_export) and back (import): the
 * names, "Tname\0" each, and per symbol the offset of its name there,
 * plus the name hash index.  An imported table is checked against the
 * dump's (count, and names at a few indexes) and bounds-checked on use.
 */
struct vd_ksyms_table {
	const char *names;          /* "Tname\0" per symbol */
	size_t names_len;
	const uint32_t *name_off;   /* per symbol */
	const uint32_t *hash;       /* open addressing: index + 1, 0 empty */
	uint32_t hash_size;         /* a power of two */
};
/* Decode every name and build the hash (once); valid until destroy. */
struct vd_error *vd_ksyms_export(struct vd_ksyms *ks, struct vd_ksyms_table *ret);
/* Use a cached table (borrowed: must outlive ks); false if it does not fit. */
bool vd_ksyms_import(struct vd_ksyms *ks, const struct vd_ksyms_table *t);
/*
 * Whether a cached table would help: the kernel has no
 * kallsyms_seqs_of_names, so name lookups need an index of their own.
 */
bool vd_ksyms_cacheable(const struct vd_ksyms *ks);
/* This session decoded every name (an index, a listing): worth keeping. */
bool vd_ksyms_wants_index(const struct vd_ksyms *ks);

/* nm binding rank from the type letter: global 2, weak 1, local 0. */
static inline int
vd_sym_bind_rank(char type)
{
	if (type == 'W' || type == 'V' || type == 'w' || type == 'v')
		return 1;
	return type >= 'A' && type <= 'Z' ? 2 : 0;
}

/*
 * A boundary symbol a linker script provides (__start_SEC, __stop_SEC,
 * __end_X, __X_start, __X_end): sizeless markers, which scripts/kallsyms.c
 * may_be_linker_script_provide_symbol() recognizes the same way.
 */
static inline bool
vd_sym_linker_marker(const char *n)
{
	size_t len = strlen(n);

	if (len < 8 || n[0] != '_' || n[1] != '_')
		return false;
	return !strncmp(n + 2, "start_", 6) || !strncmp(n + 2, "stop_", 5) ||
	       !strncmp(n + 2, "end_", 4) || !strcmp(n + len - 6, "_start") ||
	       !strcmp(n + len - 4, "_end");
}

/*
 * Of two aliases at one address, x listed before best in the kernel's
 * order: whether x names the address better -- a symbol before a linker
 * marker, then global before weak before local, then the first listed
 * (scripts/kallsyms.c compare_symbols(): weak last, markers last, fewer
 * leading underscores, then as `nm -n` listed them).
 */
static inline bool
vd_ksyms_alias_better(const char *xname, char xtype, const char *bname, char btype)
{
	int lx = vd_sym_linker_marker(xname), lb = vd_sym_linker_marker(bname);

	return lx < lb || (lx == lb && vd_sym_bind_rank(xtype) >= vd_sym_bind_rank(btype));
}

#endif
