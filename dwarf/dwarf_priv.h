/* SPDX-License-Identifier: MIT */
/*
 * DWARF insides: the lazy name index over one ELF file
 * (dwarf/dwarf_index.c), its units and name filter
 * (dwarf/dwarf_units.c), reading one DIE (dwarf/dwarf_die.c), and
 * the type source (dwarf/dwarf.c, converting in dwarf_conv.c).
 *
 * A vmlinux carries ~160 MiB of .debug_info in ~2,000 compilation units
 * (CUs), and most CUs repeat the same headers' types.  Indexing all of it
 * to answer one question costs a second or more, so the index grows on
 * demand: a question reads, in file order, only the units whose bytes
 * mention the name (dwarf_units.c), and of those only the top-level DIEs
 * (the CU DIE's children, where C puts every named type, variable and
 * function), and stops after the unit that answered it.  Every name of a
 * unit read is kept: the next question first asks the index.
 *
 * Only the best entry per (name space, name) is kept, the first found
 * at its rank: the first complete definition of a type, the first
 * external declaration or definition of a variable or function.
 */
#ifndef VD_TYPES_DWARF_PRIV_H
#define VD_TYPES_DWARF_PRIV_H

#include <dwarf.h>
#include <libdwarf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/cache.h"
#include "common/hashtab.h"
#include "types/ctype_priv.h"
#include "vmdive/error.h"

/* Name spaces of the index: C's tag spaces, typedefs, base types, objects. */
enum vd_dwarf_ns {
	VD_DWARF_STRUCT,
	VD_DWARF_UNION,
	VD_DWARF_ENUM,
	VD_DWARF_TYPEDEF,
	VD_DWARF_BASE,              /* by canonical name: "long unsigned int" ==
				    "unsigned long" */
	VD_DWARF_OBJECT,            /* variables and functions */
	VD_DWARF_ENUMERATOR,        /* enumerators of top-level enums (the
				       persistent index only) */
	VD_DWARF_NNS,
};

/*
 * The name space a top-level DIE's tag is indexed in (both indexes: the
 * lazy one and the persistent one); false: not indexed.
 */
static inline bool
vd_dwarf_tag_ns(unsigned tag, enum vd_dwarf_ns *ns)
{
	switch (tag) {
	case DW_TAG_structure_type: *ns = VD_DWARF_STRUCT; return true;
	case DW_TAG_union_type: *ns = VD_DWARF_UNION; return true;
	case DW_TAG_enumeration_type: *ns = VD_DWARF_ENUM; return true;
	case DW_TAG_typedef: *ns = VD_DWARF_TYPEDEF; return true;
	case DW_TAG_base_type: *ns = VD_DWARF_BASE; return true;
	case DW_TAG_variable:
	case DW_TAG_subprogram: *ns = VD_DWARF_OBJECT; return true;
	default: return false;
	}
}

/*
 * How good an entry is.  Types: a declaration ("struct foo;") is WEAK, a
 * definition GOOD.  Objects: a static is WEAK, an external declaration
 * GOOD (its type is the answer, unless it is an array of unknown size),
 * the definition BEST (DWARF 5 §2.13.2: maybe a nameless DIE whose
 * DW_AT_specification names the declaration it completes).
 */
enum vd_dwarf_rank {
	VD_DWARF_NONE,
	VD_DWARF_WEAK,
	VD_DWARF_GOOD,
	VD_DWARF_BEST,
};

struct vd_dwarf_index;
struct vd_dwarf_names;

/*
 * Open path's DWARF.  No CU is read yet.  VD_ERR_LOOKUP when the file has
 * no .debug_info.  A relocatable object (a module's .ko) has its debug
 * sections relocated first (VD_ERR_NOTIMPL for relocations vmdive does
 * not know).
 */
struct vd_error *vd_dwarf_index_open(const char *path,
				     struct vd_dwarf_index **ret);
void vd_dwarf_index_close(struct vd_dwarf_index *ix);

Dwarf_Debug vd_dwarf_index_dbg(const struct vd_dwarf_index *ix);
const char *vd_dwarf_index_path(const struct vd_dwarf_index *ix);
/*
 * Use the persistent name index kept in dir: map it, else build it (a
 * thread per CPU) and keep it there.  From then on peek answers every
 * name and scan reads nothing.  Says what happened ("mapped", "built and
 * kept", "built, not kept", or why not); without an index (no dir, no
 * build-id, DWARF the one-pass reader rejects) the lazy index goes on.
 */
const char *vd_dwarf_index_use_names(struct vd_dwarf_index *ix, const char *dir);
/* Build the file's persistent index in memory only (tests, fuzzing). */
struct vd_error *vd_dwarf_index_build_names(struct vd_dwarf_index *ix, unsigned nthreads,
					    struct vd_dwarf_names *ret);
/* The single-DIE reader over the file's sections, and .debug_info itself. */
struct vd_dwarf_reader *vd_dwarf_index_reader(const struct vd_dwarf_index *ix);
const unsigned char *vd_dwarf_index_info(const struct vd_dwarf_index *ix);
/* The debug sections found (relocated or decompressed where needed). */
const struct vd_dwarf_sections *vd_dwarf_index_sections(const struct vd_dwarf_index *ix);
/* Pointer size of the target (from the ELF class). */
unsigned vd_dwarf_index_ptr_size(const struct vd_dwarf_index *ix);
bool vd_dwarf_index_big_endian(const struct vd_dwarf_index *ix);

/*
 * The top-level enum holding the enumerator name (enumerators are only in
 * the one-pass index: the lazy index builds it, in memory, the first
 * time); VD_ERR_LOOKUP when there is none.
 */
struct vd_error *vd_dwarf_index_enumerator(struct vd_dwarf_index *ix, const char *name,
					   Dwarf_Off *enum_ret);
/* The entry known so far for (ns, name), without scanning. */
enum vd_dwarf_rank vd_dwarf_index_peek(const struct vd_dwarf_index *ix,
				    enum vd_dwarf_ns ns, const char *name,
				    Dwarf_Off *off_ret);
/*
 * Scan more CUs until one of the name spaces in ns_mask (1 << VD_DWARF_...)
 * has an entry for name ranked want or better, or every CU has been read.
 * Then peek.
 */
struct vd_error *vd_dwarf_index_scan(struct vd_dwarf_index *ix,
				     unsigned ns_mask, const char *name,
				     enum vd_dwarf_rank want);
/* Units read so far, and whether that was all of them (for statistics). */
void vd_dwarf_index_progress(const struct vd_dwarf_index *ix, uint64_t *ncus,
			     bool *done);

/*
 * A libdwarf error as a vd_error naming the file and the DIE offset, and
 * release it.  err may be NULL (then "no such entry" is meant).
 */
struct vd_error *vd_dwarf_error(const struct vd_dwarf_index *ix,
				Dwarf_Error err, Dwarf_Off off,
				const char *what);

/* The persistent name index (dwarf/dwarf_names.c) --------------------------
 *
 * Every named type, variable, function and enumerator of a file: (name
 * space, name) -> the DIE offset of the best entry, ranked as above.
 * Built in one pass over .debug_info with a thread per CPU, kept in the
 * cache directory per build-id ("dwarf-BUILDID.vdc", common/cache.h) and
 * mapped on later runs.  Layout in docs/formats.md.
 */

#define VD_DWARF_NAMES_KIND "dwarf"
#define VD_DWARF_NAMES_VERSION 1
#define VD_DWARF_NAMES_MAGIC 0x4e4d414e46524144ull   /* "DAWRFNAMN" */
#define VD_DWARF_NAMES_THREADS_MAX 16

/* The sections the builder reads (any but info may be NULL). */
struct vd_dwarf_sections {
	const unsigned char *info, *abbrev, *str, *str_offsets, *line_str;
	uint64_t info_size, abbrev_size, str_size, str_offsets_size, line_str_size;
	const unsigned char *line, *aranges;     /* line tables (dwarf_lines.c) */
	uint64_t line_size, aranges_size;
	bool big_endian;
	bool info_droppable;     /* info is the file's mapping: pages may be dropped */
};

/* A unit's header, as the index keeps it (the single-DIE reader's list). */
struct vd_dwarf_names_unit {
	uint64_t start, end;     /* [start, end) in .debug_info */
	uint64_t die;            /* the unit's DIE */
	uint64_t abbrev;         /* its abbreviation table in .debug_abbrev */
	uint8_t version, offset_size, addr_size;
	uint8_t skip;            /* type or skeleton unit */
	uint8_t zero[4];
};

struct vd_dwarf_names_meta {
	uint64_t magic;
	uint64_t info_size;      /* of the .debug_info it indexes */
	uint64_t nbuckets;       /* a power of two */
	uint64_t nentries;
	uint64_t names_size;
	uint64_t nunits;
};

struct vd_dwarf_names_entry {
	uint64_t off;            /* the DIE, in .debug_info */
	uint32_t hash;           /* vd_dwarf_name_hash(ns, name) */
	uint32_t name;           /* offset in the names */
	uint8_t ns, rank;
	uint8_t zero[6];
};

struct vd_dwarf_names {
	struct vd_dwarf_names_meta meta;
	const uint32_t *buckets;     /* nbuckets + 1 starts into entries */
	const struct vd_dwarf_names_entry *entries;
	const char *names;
	const struct vd_dwarf_names_unit *units;       /* meta.nunits */
	void *own_buckets, *own_entries, *own_names, *own_units;   /* when built here */
	struct vd_cache_file file;                     /* when mapped */
	bool lazy;                   /* mapped: buckets, entries and names are
					checked as lookups reach them */
	bool damaged;                /* a lookup found a damaged part: rebuild */
};

uint32_t vd_dwarf_name_hash(enum vd_dwarf_ns ns, const char *name);
/* Build the index of the sections with nthreads threads. */
struct vd_error *vd_dwarf_names_build(const struct vd_dwarf_sections *sec, const char *path,
				      unsigned nthreads, struct vd_dwarf_names *ret);
/* Write it to the cache directory under key (a build-id). */
struct vd_error *vd_dwarf_names_write(const struct vd_dwarf_names *n, const char *dir,
				      const char *key);
/*
 * Map a kept index and check its header, tables and unit list (the rest is
 * checked as lookups reach it); false (why_ret says why) on any miss.
 */
bool vd_dwarf_names_load(const char *dir, const char *key, uint64_t info_size,
			 struct vd_dwarf_names *ret, const char **why_ret);
/* Check the five parts of an index (the fuzz target's entry); ret points into them. */
bool vd_dwarf_names_check(const void *meta, size_t meta_size, const void *buckets,
			  size_t buckets_size, const void *entries, size_t entries_size,
			  const void *names, size_t names_size, const void *units,
			  size_t units_size, uint64_t info_size,
			  struct vd_dwarf_names *ret, const char **why_ret);
/*
 * The entry for (ns, name): its rank (NONE: no such name) and DIE offset.
 * A kept index's damaged part found here sets n->damaged (and NONE).
 */
enum vd_dwarf_rank vd_dwarf_names_find(const struct vd_dwarf_names *n, enum vd_dwarf_ns ns,
				       const char *name, uint64_t *off_ret);
void vd_dwarf_names_deinit(struct vd_dwarf_names *n);

/*
 * Single DIEs read with the same decoder (vd_dwarf_read_die and the
 * children walk use it): one DIE costs its bytes and its unit's
 * abbreviation table (a few kept), not every unit header before it.
 */
struct vd_dwarf_attr {
	uint32_t at, form;
	uint64_t u;                  /* constant, flag, reference (.debug_info
				       offset) or section offset */
	const char *str;             /* string forms */
	const unsigned char *block;  /* block and exprloc forms */
	uint64_t len;
	bool is_ref, is_flag, flag, is_const;
};

struct vd_dwarf_raw_die {
	uint32_t tag;
	bool children;
	bool has_sibling;
	uint64_t sibling;
	uint64_t next;               /* the offset after its attributes */
	uint64_t unit_end;
};

/* The header of the unit at off in .debug_info; false: not a unit header. */
bool vd_dwarf_unit_header(const struct vd_dwarf_sections *sec, uint64_t off,
			  struct vd_dwarf_names_unit *u);

struct vd_dwarf_reader;
struct vd_dwarf_reader *vd_dwarf_reader_create(const struct vd_dwarf_sections *sec,
					       const char *path);
void vd_dwarf_reader_destroy(struct vd_dwarf_reader *r);
/* Take the unit list from an index instead of walking the headers. */
bool vd_dwarf_reader_use_units(struct vd_dwarf_reader *r,
			       const struct vd_dwarf_names_unit *units, size_t n);
/* The DIE at off; fn(attribute, arg) for each (false: a bad value). */
struct vd_error *vd_dwarf_reader_die(struct vd_dwarf_reader *r, uint64_t off,
				     struct vd_dwarf_raw_die *ret,
				     bool (*fn)(const struct vd_dwarf_attr *a, void *arg),
				     void *arg);
/* Where the DIE at off (read into d) and its children end: its next sibling. */
struct vd_error *vd_dwarf_reader_after(struct vd_dwarf_reader *r, uint64_t off,
				       const struct vd_dwarf_raw_die *d, uint64_t *ret);
/* The child of its unit's DIE that holds the DIE at off (or is it). */
struct vd_error *vd_dwarf_reader_top_of(struct vd_dwarf_reader *r, uint64_t off,
					uint64_t *ret);

/* A relocatable object's debug sections, relocated (dwarf/dwarf_reloc.c) --- */

struct vd_dwarf_relocs {
	struct {
		size_t idx;              /* section index */
		unsigned char *data;     /* its bytes, relocations applied */
		uint64_t size;
	} *secs;
	size_t n;
};

/*
 * Copy each .debug_* section that has relocations and apply them.  Other
 * sections are left alone.  VD_ERR_NOTIMPL for a relocation type it does
 * not know.  bases (NULL: none): the runtime address of section i, added
 * to a symbol defined in it (vd_dwarf_index_open_placed()).
 */
struct vd_error *vd_dwarf_relocate(Elf *elf, const char *path, size_t shstrndx,
				bool big_endian, const uint64_t *bases, size_t nbases,
				struct vd_dwarf_relocs *ret);
/* The relocated bytes of section idx, or NULL: none (read the file's). */
const unsigned char *vd_dwarf_relocated(const struct vd_dwarf_relocs *r, size_t idx,
				     uint64_t *size);
void vd_dwarf_relocs_deinit(struct vd_dwarf_relocs *r);

/* Units, and where a name may be (dwarf/dwarf_units.c) ------------------- */

struct vd_dwarf_unit {
	uint64_t start, end;         /* [start, end) in .debug_info */
	uint64_t die;                /* offset of the unit's own DIE */
	bool skip;                   /* type/skeleton unit: no C names */
	bool type_unit;              /* DW_UT_type: not read (vd_dwarf_type_units()) */
	bool scanned;                /* its top-level DIEs are indexed */
};

struct vd_dwarf_units {
	const unsigned char *info;   /* .debug_info, mapped */
	uint64_t size;
	const unsigned char *str;    /* .debug_str, mapped; NULL if none */
	uint64_t str_size;
	bool big_endian;
	bool strp_only;              /* names are inline or DW_FORM_strp */
	struct vd_dwarf_unit *u;        /* in file order, as far as walked */
	size_t n, cap;
	bool listed;                 /* walked to the end */
};

/* Walk unit headers until the unit holding off is known (or the end). */
struct vd_error *vd_dwarf_units_list_until(struct vd_dwarf_units *us, const char *path,
					uint64_t off);
/* The listed unit holding off, or NULL. */
struct vd_dwarf_unit *vd_dwarf_units_at(struct vd_dwarf_units *us, uint64_t off);
void vd_dwarf_units_deinit(struct vd_dwarf_units *us);

/* How far one search has got: its next hit, or no hit before clear_to. */
struct vd_dwarf_search {
	uint64_t next, clear_to;
	bool found;
};

/*
 * What says a unit may name something: the name inline, or the offset of
 * any of its occurrences in .debug_str.  All are searched for in one pass.
 */
struct vd_dwarf_needles {
	const unsigned char *name;   /* "name\0" (kept: the caller's) */
	size_t len;                  /* with the NUL */
	uint32_t *offs;              /* where "name\0" is in .debug_str, ascending */
	size_t noffs;
	unsigned char *filter;       /* by 2 bytes at key_at: may a needle start here */
	unsigned key_at;
	struct vd_dwarf_search all;     /* offsets, and the name when 4 bytes or more */
	struct vd_dwarf_search inl;     /* the name when shorter */
};

/* The needles for name; false when no filter is possible.  Deinit after either. */
bool vd_dwarf_needles_make(const struct vd_dwarf_units *us, const char *name,
			struct vd_dwarf_needles *nd);
/* The first offset at or after pos where a needle occurs, or us->size. */
uint64_t vd_dwarf_needles_next(const struct vd_dwarf_units *us, struct vd_dwarf_needles *nd,
			    uint64_t pos);
void vd_dwarf_needles_deinit(struct vd_dwarf_needles *nd);

/* One DIE (dwarf/dwarf_die.c) -------------------------------------------- */

/* What the type conversion reads of a DIE; has_X says the attribute was
 * there, in a form that gives a value. */
struct vd_dwarf_die {
	Dwarf_Off off;
	Dwarf_Half tag;
	const char *name;
	bool has_type, has_byte_size, has_bit_size, has_data_bit_offset;
	bool has_bit_offset, has_location, has_count, has_upper, has_lower;
	bool has_encoding, has_const, declaration, external, has_spec, has_addr;
	Dwarf_Off type, spec;        /* DW_AT_type, DW_AT_specification */
	uint64_t addr;            /* DW_AT_location of a variable: DW_OP_addr (link-time) */
	uint64_t byte_size, bit_size, data_bit_offset, location, count, encoding;
	int64_t bit_offset, upper, lower;
	uint64_t const_u;         /* DW_AT_const_value, zero-extended */
	int64_t const_s;          /* and sign-extended from its form's size */
	bool const_is_signed;     /* written as a signed form (sdata) */
	unsigned const_bytes;     /* size of its form (8 for LEB128) */
};

struct vd_error *vd_dwarf_read_die(const struct vd_dwarf_index *ix, Dwarf_Off off,
				   struct vd_dwarf_die *d);
/*
 * fn(child, arg) for each child of die, in order, until fn fails.  Children
 * are bounded in number and must come at increasing offsets.
 */
struct vd_error *vd_dwarf_for_children(const struct vd_dwarf_index *ix, Dwarf_Off off,
				       struct vd_error *(*fn)(const struct vd_dwarf_die *d,
							      void *arg),
				       void *arg);

/* The source (dwarf/dwarf.c) and its conversion (dwarf_conv.c) ---------- */

struct vd_dwarf_work {
	Dwarf_Off off;
	struct vd_type *type;
};

struct vd_dwarf_source {
	struct vd_type_source base;
	struct vd_dwarf_index *ix;
	Dwarf_Debug dbg;
	struct vd_arena arena;
	struct vd_htab memo;              /* DIE offset -> index into: */
	Dwarf_Off *memo_offs;
	const struct vd_type **memo_types;
	size_t memo_n, memo_cap;
	struct vd_dwarf_work *work;       /* structs whose members are pending */
	size_t nwork, work_cap;
	struct vd_type void_type;
	unsigned ptr_size;
	bool big_endian;
	char *desc;
	char *module;                  /* a module's debug file: its name */
};

/* Read the members of a struct vd_dwarf_convert left unfilled (the source's fill). */
struct vd_error *vd_dwarf_fill(struct vd_type_source *src, struct vd_type *vt);
/*
 * The type a reference names (has: there is one; else void), with its
 * members if it is a struct or union and members is true (a type asked
 * for by name: a damaged one is an error of the lookup); the structs they
 * lead to, and with members false the type itself (a variable's), get
 * theirs on first use (vd_type_fill()).  Memoized by DIE offset.
 */
struct vd_error *vd_dwarf_convert(struct vd_dwarf_source *src, bool has,
				  Dwarf_Off off, bool members, struct vd_qualified_type *ret);

/* The error for a file with DWARF 5 type units (first one at off). */
struct vd_error *vd_dwarf_type_units(const char *path, uint64_t off);

#endif
