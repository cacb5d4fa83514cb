// SPDX-License-Identifier: MIT
/*
 * The complete name index of one DWARF file, built in one pass and kept
 * (dwarf_priv.h, "The persistent name index"; the file format is in
 * docs/formats.md, "DWARF name index").
 *
 * Building reads .debug_info with its own small DIE decoder, not libdwarf:
 * the unit headers are listed, the units split into one contiguous run per
 * thread (as many threads as CPUs, at most NAMES_THREADS_MAX), and each
 * thread reads its units in file order: the top-level DIEs (the unit DIE's
 * children, where C puts every named type, variable and function), and the
 * enumerators inside top-level enums.  Children of other DIEs are jumped
 * over with DW_AT_sibling when the producer gave one (GCC does), else
 * decoded and ignored.  Each thread keeps the best entry per (name space,
 * name), the first found at its rank, as the lazy index does
 * (dwarf_index.c); the threads' tables are merged in file order, so the
 * answer is the same as a single pass would give.
 *
 * Memory stays bounded: names point into the mapped string sections, the
 * tables hold one entry per distinct name, and the pages of .debug_info a
 * thread has finished with are given back (MADV_DONTNEED: the file's
 * pages stay in the page cache, a later read faults them in again) when
 * the section is the file's own mapping.
 *
 * Reading a kept index checks everything before it is used: at open the
 * section sizes against the counts, the unit list, the bucket table's
 * ends and the names' last NUL; at each lookup the bucket's entries (their
 * order, each name inside the names, which end with a NUL, its DIE offset
 * inside .debug_info, its name space and rank known, its hash matching its
 * bucket) and the file blocks under all it reads (common/cache.h).  A miss
 * at open is a rebuild; damage a lookup finds marks the index damaged and
 * the lookup rebuilds it (dwarf_index.c, vd_dwarf_index_peek()).
 */
#include <dwarf.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/arena.h"
#include "common/util.h"
#include "dwarf_cursor.h"
#include "dwarf_priv.h"
#include "types/ctype_priv.h"

#define NAMES_UNITS_MAX (1u << 22)
#define NAMES_ENTRIES_MAX (1u << 26)
#define NAMES_ABBREVS_MAX (1u << 20)     /* per table */
#define NAMES_SPECS_MAX (1u << 24)       /* attribute specs per table */
#define NAMES_DENSE_MAX 65536u           /* codes looked up by index up to here */
#define NAMES_INDIRECT_MAX 4             /* DW_FORM_indirect chains */
#define NAMES_DEPTH_MAX (1u << 20)       /* DIE nesting */

enum {
	SEC_META = 1,
	SEC_BUCKETS = 2,
	SEC_ENTRIES = 3,
	SEC_NAMES = 4,
	SEC_UNITS = 5,
};

uint32_t
vd_dwarf_name_hash(enum vd_dwarf_ns ns, const char *name)
{
	uint32_t h = 2166136261u ^ (uint32_t)ns;   // FNV-1a

	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 16777619u;
	return h;
}

/* The unit headers ---------------------------------------------------------- */

#define unit vd_dwarf_names_unit

static bool
unit_header(const struct vd_dwarf_sections *sec, uint64_t off, struct unit *u)
{
	const unsigned char *p = sec->info + off;
	uint64_t left = sec->info_size - off, len, pos;
	unsigned lsize = 4, type = DW_UT_compile;
	bool be = sec->big_endian;

	if (left < 4)
		return false;
	len = vd_get32(p, be);
	u->offset_size = 4;
	if (len == 0xffffffffu) {            // 64-bit DWARF (DWARF 5 §7.4)
		if (left < 12)
			return false;
		len = vd_get64(p + 4, be);
		lsize = 12;
		u->offset_size = 8;
	} else if (len >= 0xfffffff0u) {
		return false;
	}
	if (len > left - lsize || len < 2 + 2 + u->offset_size)
		return false;
	u->start = off;
	u->end = off + lsize + len;
	pos = lsize;
	if (vd_get16(p + pos, be) < 2 || vd_get16(p + pos, be) > 5)
		return false;
	u->version = (uint8_t)vd_get16(p + pos, be);
	pos += 2;
	if (u->version == 5) {               // §7.5.1.1
		type = p[pos];
		u->addr_size = p[pos + 1];
		pos += 2;
		u->abbrev = u->offset_size == 8 ? vd_get64(p + pos, be) : vd_get32(p + pos, be);
		pos += u->offset_size;
		if (type == DW_UT_skeleton || type == DW_UT_split_compile)
			pos += 8;                // dwo_id
		else if (type == DW_UT_type || type == DW_UT_split_type)
			pos += 8 + u->offset_size;   // type signature, type offset
	} else {
		u->abbrev = u->offset_size == 8 ? vd_get64(p + pos, be) : vd_get32(p + pos, be);
		pos += u->offset_size;
		u->addr_size = p[pos];
		pos += 1;
	}
	if (pos > lsize + len)
		return false;
	u->die = off + pos;
	u->skip = type != DW_UT_compile && type != DW_UT_partial;
	memset(u->zero, 0, sizeof(u->zero));
	return u->addr_size == 4 || u->addr_size == 8 || u->addr_size == 2;
}

bool
vd_dwarf_unit_header(const struct vd_dwarf_sections *sec, uint64_t off, struct unit *u)
{
	return sec->info && off < sec->info_size && unit_header(sec, off, u);
}

static struct vd_error *
list_units(const struct vd_dwarf_sections *sec, const char *path, bool partial,
	   struct unit **ret, size_t *n_ret)
{
	struct unit *u = NULL;
	size_t n = 0, cap = 0;

	for (uint64_t off = 0; off < sec->info_size;) {
		if (n == cap) {
			size_t ncap = cap ? 2 * cap : 1024;
			void *p = ncap > NAMES_UNITS_MAX ? NULL : realloc(u, ncap * sizeof(*u));

			if (!p) {
				free(u);
				return ncap > NAMES_UNITS_MAX ?
				       vd_error_create(VD_ERR_CORRUPT, "%s: more than %u DWARF units",
						       path, NAMES_UNITS_MAX) : &vd_enomem;
			}
			u = p;
			cap = ncap;
		}
		if (!unit_header(sec, off, &u[n])) {
			if (partial)
				break;   // the units before it are still readable
			free(u);
			return vd_error_create(VD_ERR_CORRUPT,
					       "%s: .debug_info offset 0x%llx: not a unit header",
					       path, (unsigned long long)off);
		}
		// A type unit's header: unit_type DW_UT_type or split_type.
		if (u[n].version == 5 && u[n].skip &&
		    (sec->info[off + (u[n].offset_size == 8 ? 12 : 4) + 2] == DW_UT_type ||
		     sec->info[off + (u[n].offset_size == 8 ? 12 : 4) + 2] == DW_UT_split_type)) {
			free(u);
			return vd_dwarf_type_units(path, off);
		}
		off = u[n++].end;
	}
	*ret = u;
	*n_ret = n;
	return NULL;
}

/* Reading bytes ------------------------------------------------------------- */

/* Abbreviations ------------------------------------------------------------- */

struct spec {
	uint32_t at, form;
	int64_t implicit;        /* DW_FORM_implicit_const's value */
};

struct abbrev {
	uint64_t code;
	uint32_t tag;
	uint32_t first, n;       /* its specs */
	bool children;
};

struct abbrevs {
	struct abbrev *a;        /* sorted by code */
	size_t n, cap;
	struct spec *s;
	size_t ns, scap;
	uint32_t *dense;         /* code -> index + 1, codes < ndense */
	size_t ndense;
	uint64_t loaded;         /* offset of the table loaded; UINT64_MAX: none */
};

static int
abbrev_cmp(const void *a, const void *b)
{
	const struct abbrev *x = a, *y = b;

	return x->code < y->code ? -1 : x->code > y->code;
}

static bool
abbrevs_load(const struct vd_dwarf_sections *sec, uint64_t off, struct abbrevs *ab)
{
	struct vd_dwarf_cursor c;
	bool sorted = true;

	if (ab->loaded == off)
		return true;
	ab->n = ab->ns = 0;
	ab->loaded = UINT64_MAX;
	if (off >= sec->abbrev_size)
		return false;
	c = (struct vd_dwarf_cursor){ sec->abbrev + off, sec->abbrev + sec->abbrev_size, true, sec->big_endian };
	for (;;) {
		struct abbrev *a;
		uint64_t code = vd_dwarf_uleb(&c);

		if (!c.ok)
			return false;
		if (!code)
			break;
		if (ab->n == ab->cap) {
			size_t cap = ab->cap ? 2 * ab->cap : 256;
			void *p = cap > NAMES_ABBREVS_MAX ? NULL : realloc(ab->a, cap * sizeof(*ab->a));

			if (!p)
				return false;
			ab->a = p;
			ab->cap = cap;
		}
		a = &ab->a[ab->n];
		if (ab->n && ab->a[ab->n - 1].code >= code)
			sorted = false;
		a->code = code;
		a->tag = (uint32_t)vd_dwarf_uleb(&c);
		a->children = vd_dwarf_fixed(&c, 1) == DW_CHILDREN_yes;
		a->first = (uint32_t)ab->ns;
		for (;;) {
			uint64_t at = vd_dwarf_uleb(&c), form = vd_dwarf_uleb(&c);
			int64_t implicit = form == DW_FORM_implicit_const ? vd_dwarf_sleb(&c) : 0;

			if (!c.ok)
				return false;
			if (!at && !form)
				break;
			if (ab->ns == ab->scap) {
				size_t cap = ab->scap ? 2 * ab->scap : 1024;
				void *p = cap > NAMES_SPECS_MAX ? NULL :
					  realloc(ab->s, cap * sizeof(*ab->s));

				if (!p)
					return false;
				ab->s = p;
				ab->scap = cap;
			}
			ab->s[ab->ns++] = (struct spec){ (uint32_t)at, (uint32_t)form, implicit };
		}
		a->n = (uint32_t)(ab->ns - a->first);
		ab->n++;
	}
	if (!sorted)
		qsort(ab->a, ab->n, sizeof(*ab->a), abbrev_cmp);
	// Codes are small and dense in practice (1..n): a direct table.
	if (ab->dense)
		memset(ab->dense, 0, ab->ndense * sizeof(*ab->dense));
	for (size_t i = 0; i < ab->n; i++) {
		uint64_t code = ab->a[i].code;

		if (code >= NAMES_DENSE_MAX)
			break;
		if (code >= ab->ndense) {
			size_t nd = ab->ndense ? ab->ndense : 256;
			void *p;

			while (nd <= code)
				nd *= 2;
			p = realloc(ab->dense, nd * sizeof(*ab->dense));
			if (!p)
				return false;
			memset((uint32_t *)p + ab->ndense, 0, (nd - ab->ndense) * sizeof(uint32_t));
			ab->dense = p;
			ab->ndense = nd;
		}
		ab->dense[code] = (uint32_t)i + 1;
	}
	ab->loaded = off;
	return true;
}

static const struct abbrev *
abbrev_find(const struct abbrevs *ab, uint64_t code)
{
	size_t lo = 0, hi = ab->n;

	if (code < ab->ndense)
		return ab->dense[code] ? &ab->a[ab->dense[code] - 1] : NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ab->a[mid].code < code)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ab->n && ab->a[lo].code == code ? &ab->a[lo] : NULL;
}

/* One DIE's attributes -------------------------------------------------------- */

struct die {
	uint64_t off;
	uint32_t tag;
	bool children;
	const char *name;
	bool declaration, external, has_type, has_spec, has_sibling;
	uint64_t spec, sibling;          /* .debug_info offsets */
	uint64_t str_offsets_base;
	bool has_str_offsets_base;
};

struct unit_ctx {
	const struct vd_dwarf_sections *sec;
	const struct unit *u;
	uint64_t str_offsets_base;
};

/* A string at off in a section that ends with a NUL, or NULL. */
static const char *
str_at(const unsigned char *s, uint64_t size, uint64_t off)
{
	return s && off < size ? (const char *)s + off : NULL;
}

static const char *
strx(const struct unit_ctx *uc, uint64_t idx)
{
	const struct vd_dwarf_sections *sec = uc->sec;
	unsigned os = uc->u->offset_size;
	uint64_t at;

	if (!sec->str_offsets || idx > sec->str_offsets_size / os ||
	    __builtin_add_overflow(uc->str_offsets_base, idx * os, &at) ||
	    !vd_range_ok(at, os, sec->str_offsets_size))
		return NULL;
	return str_at(sec->str, sec->str_size,
		      os == 8 ? vd_get64(sec->str_offsets + at, sec->big_endian) :
		      vd_get32(sec->str_offsets + at, sec->big_endian));
}

/*
 * Read one attribute value of form into a (see struct vd_dwarf_attr).
 * False on a form it does not know or bytes that run out.
 */
static bool
attr_read(const struct unit_ctx *uc, struct vd_dwarf_cursor *c, uint32_t at, uint32_t form,
	  int64_t implicit, struct vd_dwarf_attr *a)
{
	const struct unit *u = uc->u;
	uint64_t v = 0;
	const char *str = NULL;
	const unsigned char *block = NULL;
	uint64_t len = 0;
	bool ref = false, abs_ref = false, flag = false, cnst = false;

	for (unsigned n = 0; form == DW_FORM_indirect; n++) {
		if (n >= NAMES_INDIRECT_MAX)
			return false;
		form = (uint32_t)vd_dwarf_uleb(c);
	}
	switch (form) {
	case DW_FORM_addr: v = vd_dwarf_fixed(c, u->addr_size); break;
	case DW_FORM_data1: v = vd_dwarf_fixed(c, 1); cnst = true; break;
	case DW_FORM_data2: v = vd_dwarf_fixed(c, 2); cnst = true; break;
	case DW_FORM_data4: v = vd_dwarf_fixed(c, 4); cnst = true; break;
	case DW_FORM_data8: v = vd_dwarf_fixed(c, 8); cnst = true; break;
	case DW_FORM_data16: vd_dwarf_skip(c, 16); break;
	case DW_FORM_sdata: v = (uint64_t)vd_dwarf_sleb(c); cnst = true; break;
	case DW_FORM_udata: v = vd_dwarf_uleb(c); cnst = true; break;
	case DW_FORM_implicit_const: v = (uint64_t)implicit; cnst = true; break;
	case DW_FORM_flag: v = vd_dwarf_fixed(c, 1); flag = v != 0; break;
	case DW_FORM_flag_present: flag = true; break;
	case DW_FORM_block1: len = vd_dwarf_fixed(c, 1); block = c->p; vd_dwarf_skip(c, len); break;
	case DW_FORM_block2: len = vd_dwarf_fixed(c, 2); block = c->p; vd_dwarf_skip(c, len); break;
	case DW_FORM_block4: len = vd_dwarf_fixed(c, 4); block = c->p; vd_dwarf_skip(c, len); break;
	case DW_FORM_block:
	case DW_FORM_exprloc: len = vd_dwarf_uleb(c); block = c->p; vd_dwarf_skip(c, len); break;
	case DW_FORM_string: {
		const unsigned char *nul = memchr(c->p, 0, (size_t)(c->end - c->p));

		if (!nul) {
			c->ok = false;
			return false;
		}
		str = (const char *)c->p;
		c->p = nul + 1;
		break;
	}
	case DW_FORM_strp:
		str = str_at(uc->sec->str, uc->sec->str_size, vd_dwarf_fixed(c, u->offset_size));
		break;
	case DW_FORM_line_strp:
		str = str_at(uc->sec->line_str, uc->sec->line_str_size,
			     vd_dwarf_fixed(c, u->offset_size));
		break;
	case DW_FORM_strx: str = strx(uc, vd_dwarf_uleb(c)); break;
	case DW_FORM_strx1: str = strx(uc, vd_dwarf_fixed(c, 1)); break;
	case DW_FORM_strx2: str = strx(uc, vd_dwarf_fixed(c, 2)); break;
	case DW_FORM_strx3: str = strx(uc, vd_dwarf_fixed(c, 3)); break;
	case DW_FORM_strx4: str = strx(uc, vd_dwarf_fixed(c, 4)); break;
	case DW_FORM_sec_offset:
	case DW_FORM_strp_sup:
	case DW_FORM_GNU_strp_alt:
	case DW_FORM_GNU_ref_alt:
		v = vd_dwarf_fixed(c, u->offset_size);
		break;
	case DW_FORM_ref_addr:               // §7.5.4: address-sized in DWARF 2
		v = vd_dwarf_fixed(c, u->version == 2 ? u->addr_size : u->offset_size);
		ref = abs_ref = true;
		break;
	case DW_FORM_ref1: v = vd_dwarf_fixed(c, 1); ref = true; break;
	case DW_FORM_ref2: v = vd_dwarf_fixed(c, 2); ref = true; break;
	case DW_FORM_ref4: v = vd_dwarf_fixed(c, 4); ref = true; break;
	case DW_FORM_ref8: v = vd_dwarf_fixed(c, 8); ref = true; break;
	case DW_FORM_ref_udata: v = vd_dwarf_uleb(c); ref = true; break;
	case DW_FORM_ref_sig8: vd_dwarf_skip(c, 8); break;
	case DW_FORM_ref_sup4: vd_dwarf_skip(c, 4); break;
	case DW_FORM_ref_sup8: vd_dwarf_skip(c, 8); break;
	case DW_FORM_addrx:
	case DW_FORM_loclistx:
	case DW_FORM_rnglistx: vd_dwarf_uleb(c); break;
	case DW_FORM_addrx1: vd_dwarf_skip(c, 1); break;
	case DW_FORM_addrx2: vd_dwarf_skip(c, 2); break;
	case DW_FORM_addrx3: vd_dwarf_skip(c, 3); break;
	case DW_FORM_addrx4: vd_dwarf_skip(c, 4); break;
	default:
		return false;
	}
	if (!c->ok)
		return false;
	if (ref && !abs_ref)
		v = v > UINT64_MAX - u->start ? UINT64_MAX : u->start + v;
	*a = (struct vd_dwarf_attr){ .at = at, .form = form, .u = v, .str = str,
				     .block = block, .len = len, .is_ref = ref,
				     .is_flag = form == DW_FORM_flag || form == DW_FORM_flag_present,
				     .flag = flag, .is_const = cnst };
	return true;
}

/* One attribute: remember what the index wants of it. */
static bool
attr_value(const struct unit_ctx *uc, struct vd_dwarf_cursor *c, uint32_t at, uint32_t form,
	   int64_t implicit, struct die *d)
{
	struct vd_dwarf_attr a;
	uint64_t v;
	const char *str;
	bool ref, flag;

	if (!attr_read(uc, c, at, form, implicit, &a))
		return false;
	v = a.u;
	str = a.str;
	ref = a.is_ref;
	flag = a.flag;
	switch (at) {
	case DW_AT_name:
		d->name = str;
		break;
	case DW_AT_declaration:
		d->declaration = flag;
		break;
	case DW_AT_external:
		d->external = flag;
		break;
	case DW_AT_type:
		d->has_type = true;
		break;
	case DW_AT_specification:
		if (ref) {
			d->has_spec = true;
			d->spec = v;
		}
		break;
	case DW_AT_sibling:
		if (ref) {
			d->has_sibling = true;
			d->sibling = v;
		}
		break;
	case DW_AT_str_offsets_base:
		d->has_str_offsets_base = true;
		d->str_offsets_base = v;
		break;
	}
	return true;
}

/* The DIE at c (its offset off); false when it is not a good one. */
static bool
read_die(const struct unit_ctx *uc, const struct abbrevs *ab, struct vd_dwarf_cursor *c,
	 const struct abbrev *a, uint64_t off, struct die *d)
{
	*d = (struct die){ .off = off, .tag = a->tag, .children = a->children };
	for (uint32_t i = 0; i < a->n; i++) {
		const struct spec *s = &ab->s[a->first + i];

		if (!attr_value(uc, c, s->at, s->form, s->implicit, d))
			return false;
	}
	return true;
}

/* The declaration a nameless definition completes: its name and linkage. */
static bool
read_decl(const struct unit_ctx *uc, const struct abbrevs *ab, uint64_t off,
	  const char **name, bool *external)
{
	const struct unit *u = uc->u;
	const struct abbrev *a;
	struct vd_dwarf_cursor c;
	struct die d;

	// Only inside the same unit: its abbreviations are the ones loaded.
	if (off <= u->die || off >= u->end)
		return false;
	c = (struct vd_dwarf_cursor){ uc->sec->info + off, uc->sec->info + u->end, true, uc->sec->big_endian };
	a = abbrev_find(ab, vd_dwarf_uleb(&c));
	if (!c.ok || !a || !read_die(uc, ab, &c, a, off, &d) || !d.name)
		return false;
	*name = d.name;
	*external = d.external;
	return true;
}

/* A thread's table of best entries ------------------------------------------- */

struct bentry {
	const char *name;
	uint64_t off;
	uint32_t hash;
	uint8_t ns, rank;
};

/* Entries in the order met, the common hash table (common/hashtab.h) over them. */
struct table {
	struct bentry *e;
	size_t n, cap;
	struct vd_htab tab;
};

static uint64_t
bentry_hash(void *priv, uint32_t idx)
{
	return ((const struct table *)priv)->e[idx].hash;
}

/* The entry of (ns, name), VD_HTAB_END when there is none. */
static uint32_t
table_find(const struct table *t, enum vd_dwarf_ns ns, const char *name, uint32_t h)
{
	struct vd_htab_probe p;

	for (uint32_t i = vd_htab_first(&t->tab, h, &p); i != VD_HTAB_END;
	     i = vd_htab_next(&t->tab, &p)) {
		const struct bentry *e = &t->e[i];

		if (e->hash == h && e->ns == ns && !strcmp(e->name, name))
			return i;
	}
	return VD_HTAB_END;
}

/* Keep (ns, name) -> off unless an entry as good or better is there. */
static bool
table_put(struct table *t, enum vd_dwarf_ns ns, const char *name, uint32_t h,
	  uint64_t off, enum vd_dwarf_rank rank)
{
	uint32_t i = table_find(t, ns, name, h);
	struct vd_error *err;

	if (i != VD_HTAB_END) {
		if (t->e[i].rank < rank)
			t->e[i] = (struct bentry){ name, off, h, (uint8_t)ns, (uint8_t)rank };
		return true;
	}
	if (t->n >= NAMES_ENTRIES_MAX)
		return false;
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 32768;
		struct bentry *p = realloc(t->e, cap * sizeof(*p));

		if (!p)
			return false;
		t->e = p;
		t->cap = cap;
	}
	t->e[t->n] = (struct bentry){ name, off, h, (uint8_t)ns, (uint8_t)rank };
	err = vd_htab_add(&t->tab, h, (uint32_t)t->n, bentry_hash, t);
	if (err) {
		vd_error_destroy(err);
		return false;
	}
	t->n++;
	return true;
}

static void
table_free(struct table *t)
{
	vd_htab_free(&t->tab);
	free(t->e);
	*t = (struct table){ 0 };
}

/* The threads ------------------------------------------------------------------ */

struct worker {
	const struct vd_dwarf_sections *sec;
	const struct unit *units;
	size_t from, to;
	struct table table;
	struct vd_arena arena;   /* canonical base type names */
	struct abbrevs ab;
	uint64_t bad_off;        /* where decoding failed */
	const char *bad_what;    /* NULL: no failure */
	bool nomem;
};

static bool
put(struct worker *w, enum vd_dwarf_ns ns, const char *name, uint64_t off,
    enum vd_dwarf_rank rank)
{
	if (!table_put(&w->table, ns, name, vd_dwarf_name_hash(ns, name), off, rank)) {
		w->nomem = true;
		return false;
	}
	return true;
}

/* Index one top-level DIE (the rules of dwarf_index.c's index_die). */
static bool
index_die(struct worker *w, const struct unit_ctx *uc, const struct die *d)
{
	enum vd_dwarf_rank rank = VD_DWARF_GOOD;
	enum vd_dwarf_ns ns;
	const char *name = d->name;
	char canon[128];

	if (!vd_dwarf_tag_ns(d->tag, &ns))
		return true;
	if (!name) {
		bool external = false;

		// DWARF 5 §2.13.2: a nameless definition completing a declaration.
		if (d->tag != DW_TAG_variable || !d->has_spec ||
		    !read_decl(uc, &w->ab, d->spec, &name, &external))
			return true;
		rank = !external ? VD_DWARF_WEAK :
		       d->has_type ? VD_DWARF_BEST : VD_DWARF_GOOD;
		return put(w, ns, name, d->off, rank);
	}
	if (ns <= VD_DWARF_ENUM && d->declaration)
		rank = VD_DWARF_WEAK;
	if (ns == VD_DWARF_OBJECT)
		rank = !d->external ? VD_DWARF_WEAK :
		       d->declaration ? VD_DWARF_GOOD : VD_DWARF_BEST;
	if (ns == VD_DWARF_BASE) {
		vd_types_canonical_base_name(name, canon, sizeof(canon));
		// Each spelling once per thread: look before copying.
		uint32_t h = vd_dwarf_name_hash(ns, canon);
		uint32_t i = table_find(&w->table, ns, canon, h);

		if (i != VD_HTAB_END) {
			name = w->table.e[i].name;
		} else if (!(name = vd_arena_strdup(&w->arena, canon))) {
			w->nomem = true;
			return false;
		}
	}
	return put(w, ns, name, d->off, rank);
}

static bool
fail(struct worker *w, uint64_t off, const char *what)
{
	w->bad_off = off;
	w->bad_what = what;
	return false;
}

static bool
index_unit(struct worker *w, const struct unit *u)
{
	const struct vd_dwarf_sections *sec = w->sec;
	struct unit_ctx uc = { sec, u, u->version == 5 ? 8 : 0 };
	struct vd_dwarf_cursor c = { sec->info + u->die, sec->info + u->end, true, sec->big_endian };
	const struct abbrev *a;
	struct die d;
	uint64_t depth, enum_depth = 0;

	if (!abbrevs_load(sec, u->abbrev, &w->ab))
		return fail(w, u->start, "its abbreviation table");
	a = abbrev_find(&w->ab, vd_dwarf_uleb(&c));
	if (!c.ok || !a)
		return fail(w, u->die, "the unit's DIE");
	// The unit DIE first: its DW_AT_str_offsets_base (§3.1.1) applies
	// to the DW_FORM_strx names below.
	if (!read_die(&uc, &w->ab, &c, a, u->die, &d))
		return fail(w, u->die, "the unit's DIE");
	if (d.has_str_offsets_base)
		uc.str_offsets_base = d.str_offsets_base;
	if (!a->children)
		return true;
	for (depth = 1; depth && c.p < c.end;) {
		uint64_t off = (uint64_t)(c.p - sec->info);
		uint64_t code = vd_dwarf_uleb(&c);

		if (!c.ok)
			return fail(w, off, "a DIE's abbreviation code");
		if (!code) {                     // the end of a sibling list
			if (enum_depth == depth)
				enum_depth = 0;
			depth--;
			continue;
		}
		if (!(a = abbrev_find(&w->ab, code)) || !read_die(&uc, &w->ab, &c, a, off, &d))
			return fail(w, off, "a DIE");
		if (depth == 1 && !index_die(w, &uc, &d))
			return fail(w, off, "indexing");
		if (enum_depth && depth == enum_depth && d.tag == DW_TAG_enumerator && d.name &&
		    !put(w, VD_DWARF_ENUMERATOR, d.name, off, VD_DWARF_GOOD))
			return fail(w, off, "indexing");
		if (!d.children)
			continue;
		if (depth == 1 && d.tag == DW_TAG_enumeration_type) {
			enum_depth = ++depth;        // read its enumerators
			continue;
		}
		// Jump over the children when the producer says where they end.
		if (d.has_sibling && d.sibling > (uint64_t)(c.p - sec->info) &&
		    d.sibling <= u->end) {
			c.p = sec->info + d.sibling;
			continue;
		}
		if (++depth > NAMES_DEPTH_MAX)
			return fail(w, off, "DIEs nested too deep");
	}
	return true;
}

static void *
worker_run(void *arg)
{
	struct worker *w = arg;
	const struct vd_dwarf_sections *sec = w->sec;
	long page = sysconf(_SC_PAGESIZE);
	uintptr_t dropped = 0;

	for (size_t i = w->from; i < w->to; i++) {
		if (!w->units[i].skip && !index_unit(w, &w->units[i]))
			break;
		if (w->nomem)
			break;
		// Give back the pages of .debug_info this thread is done with.
		if (sec->info_droppable && page > 0) {
			uintptr_t lo = ((uintptr_t)(sec->info + w->units[w->from].start) +
					(uintptr_t)page - 1) & ~((uintptr_t)page - 1);
			uintptr_t hi = (uintptr_t)(sec->info + w->units[i].end) &
				       ~((uintptr_t)page - 1);

			if (lo < dropped)
				lo = dropped;
			if (hi >= lo + (1u << 22)) {     // 4 MiB at a time
				madvise((void *)lo, hi - lo, MADV_DONTNEED);
				dropped = hi;
			}
		}
	}
	return NULL;
}

/* Building ------------------------------------------------------------------ */

void
vd_dwarf_names_deinit(struct vd_dwarf_names *n)
{
	free(n->own_buckets);
	free(n->own_entries);
	free(n->own_names);
	free(n->own_units);
	vd_cache_close(&n->file);
	memset(n, 0, sizeof(*n));
}

static struct vd_error *
serialize(struct worker *ws, size_t nw, uint64_t info_size, struct unit *units,
	  uint64_t nunits, struct vd_dwarf_names *ret)
{
	struct table *t = &ws[0].table;
	uint64_t nentries, nbuckets = 1, names_size = 0, pos = 0;
	uint32_t *buckets;
	struct vd_dwarf_names_entry *entries;
	char *names;

	// Merge later threads' tables in file order: only a better rank wins.
	for (size_t i = 1; i < nw; i++)
		for (size_t j = 0; j < ws[i].table.n; j++) {
			const struct bentry *e = &ws[i].table.e[j];

			if (!table_put(t, e->ns, e->name, e->hash, e->off, e->rank))
				return &vd_enomem;
		}
	nentries = t->n;
	while (nbuckets < nentries)
		nbuckets *= 2;
	for (size_t j = 0; j < t->n; j++)
		names_size += strlen(t->e[j].name) + 1;
	if (names_size > UINT32_MAX || nentries > NAMES_ENTRIES_MAX)
		return vd_error_create(VD_ERR_NOTIMPL, "more than 4 GiB of DWARF names");
	buckets = calloc(nbuckets + 1, sizeof(*buckets));
	entries = calloc(nentries ? nentries : 1, sizeof(*entries));
	names = malloc(names_size ? names_size : 1);
	if (!buckets || !entries || !names) {
		free(buckets);
		free(entries);
		free(names);
		return &vd_enomem;
	}
	// A counting sort by bucket.
	for (size_t j = 0; j < t->n; j++)
		buckets[(t->e[j].hash & (nbuckets - 1)) + 1]++;
	for (uint64_t b = 0; b < nbuckets; b++)
		buckets[b + 1] += buckets[b];
	for (size_t j = 0; j < t->n; j++) {
		const struct bentry *e = &t->e[j];
		size_t len;
		uint64_t at;

		at = buckets[e->hash & (nbuckets - 1)]++;
		len = strlen(e->name) + 1;
		memcpy(names + pos, e->name, len);
		entries[at] = (struct vd_dwarf_names_entry){
			.off = e->off, .hash = e->hash, .name = (uint32_t)pos, .ns = e->ns,
			.rank = e->rank,
		};
		pos += len;
	}
	// The placing moved each start to the next bucket's: shift back.
	memmove(buckets + 1, buckets, nbuckets * sizeof(*buckets));
	buckets[0] = 0;
	memset(ret, 0, sizeof(*ret));
	ret->meta = (struct vd_dwarf_names_meta){
		.magic = VD_DWARF_NAMES_MAGIC, .info_size = info_size, .nbuckets = nbuckets,
		.nentries = nentries, .names_size = names_size, .nunits = nunits,
	};
	ret->buckets = ret->own_buckets = buckets;
	ret->entries = ret->own_entries = entries;
	ret->names = ret->own_names = names;
	ret->units = ret->own_units = units;
	return NULL;
}

struct vd_error *
vd_dwarf_names_build(const struct vd_dwarf_sections *sec, const char *path,
		     unsigned nthreads, struct vd_dwarf_names *ret)
{
	struct worker ws[VD_DWARF_NAMES_THREADS_MAX];
	pthread_t th[VD_DWARF_NAMES_THREADS_MAX];
	bool started[VD_DWARF_NAMES_THREADS_MAX] = { false };
	struct vd_error *err = NULL;
	struct unit *units;
	size_t nunits, nw;
	uint64_t per, next = 0;

	if ((sec->str && (!sec->str_size || sec->str[sec->str_size - 1])) ||
	    (sec->line_str && (!sec->line_str_size || sec->line_str[sec->line_str_size - 1])))
		return vd_error_create(VD_ERR_CORRUPT, "%s: a DWARF string section does not "
				       "end with a NUL", path);
	err = list_units(sec, path, false, &units, &nunits);
	if (err)
		return err;
	nw = nthreads < 1 ? 1 : nthreads > VD_DWARF_NAMES_THREADS_MAX ?
	     VD_DWARF_NAMES_THREADS_MAX : nthreads;
	if (nw > nunits)
		nw = nunits ? nunits : 1;
	// Contiguous runs of about equal bytes, in file order.
	per = sec->info_size / nw + 1;
	memset(ws, 0, sizeof(ws));
	for (size_t i = 0; i < nw; i++) {
		size_t to = next;

		while (to < nunits && (i == nw - 1 || units[to].start < per * (i + 1)))
			to++;
		ws[i] = (struct worker){ .sec = sec, .units = units, .from = next, .to = to,
					 .ab = { .loaded = UINT64_MAX } };
		next = to;
	}
	for (size_t i = 1; i < nw; i++)
		started[i] = !pthread_create(&th[i], NULL, worker_run, &ws[i]);
	worker_run(&ws[0]);
	for (size_t i = 1; i < nw; i++) {
		if (started[i])
			pthread_join(th[i], NULL);
		else
			worker_run(&ws[i]);      // no thread: do it here
	}
	for (size_t i = 0; i < nw && !err; i++) {
		if (ws[i].nomem)
			err = &vd_enomem;
		else if (ws[i].bad_what)
			err = vd_error_create(VD_ERR_CORRUPT, "%s: DWARF DIE 0x%llx: %s",
					      path, (unsigned long long)ws[i].bad_off,
					      ws[i].bad_what);
	}
	if (!err && !(err = serialize(ws, nw, sec->info_size, units, nunits, ret)))
		units = NULL;            // ret has them
	for (size_t i = 0; i < nw; i++) {
		table_free(&ws[i].table);
		vd_arena_deinit(&ws[i].arena);
		free(ws[i].ab.a);
		free(ws[i].ab.s);
		free(ws[i].ab.dense);
	}
	free(units);
	return err;
}

/* Keeping and reading ---------------------------------------------------------- */

struct vd_error *
vd_dwarf_names_write(const struct vd_dwarf_names *n, const char *dir, const char *key)
{
	const struct vd_cache_section secs[] = {
		{ SEC_META, &n->meta, sizeof(n->meta) },
		{ SEC_BUCKETS, n->buckets, (n->meta.nbuckets + 1) * sizeof(*n->buckets) },
		{ SEC_ENTRIES, n->entries, n->meta.nentries * sizeof(*n->entries) },
		{ SEC_NAMES, n->names, n->meta.names_size },
		{ SEC_UNITS, n->units, n->meta.nunits * sizeof(*n->units) },
	};

	return vd_cache_write(dir, VD_DWARF_NAMES_KIND, VD_DWARF_NAMES_VERSION, key, secs,
			      VD_ARRAY_SIZE(secs));
}

static bool
no(const char **why_ret, const char *why)
{
	if (why_ret)
		*why_ret = why;
	return false;
}

/* The unit list: contiguous from 0 to the end of .debug_info, each sane. */
static bool
units_ok(const struct unit *us, uint64_t n, uint64_t info_size)
{
	uint64_t at = 0;

	for (uint64_t i = 0; i < n; i++) {
		const struct unit *u = &us[i];

		if (u->start != at || u->end <= u->start || u->end > info_size ||
		    u->die <= u->start || u->die >= u->end || u->version < 2 ||
		    u->version > 5 || (u->offset_size != 4 && u->offset_size != 8) ||
		    (u->addr_size != 2 && u->addr_size != 4 && u->addr_size != 8) ||
		    u->skip > 1)
			return false;
		at = u->end;
	}
	return at == info_size;
}

/*
 * Everything but the entries: the header, the counts against the sizes,
 * the unit list, the names' last NUL, the bucket table's ends.  With
 * file (a kept index), the header and the unit list are read checked
 * (vd_cache_get), the names' last byte and the bucket table's ends checked
 * here, and the rest when a lookup reaches it (entries_ok()).
 */
static bool
check_head(const struct vd_cache_file *file, const void *meta, size_t meta_size,
	   const void *buckets, size_t buckets_size, const void *entries, size_t entries_size,
	   const void *names, size_t names_size, const void *units, size_t units_size,
	   uint64_t info_size, struct vd_dwarf_names *ret, const char **why_ret)
{
	struct vd_dwarf_names_meta m;
	const uint32_t *bk = buckets;
	const struct vd_dwarf_names_entry *es = entries;
	const char *ns = names;

	memset(ret, 0, sizeof(*ret));
	if (!meta || meta_size != sizeof(m))
		return no(why_ret, "no header");
	memcpy(&m, meta, sizeof(m));
	if (m.magic != VD_DWARF_NAMES_MAGIC)
		return no(why_ret, "bad magic");
	if (m.info_size != info_size)
		return no(why_ret, "made for another .debug_info (size)");
	if (!vd_is_pow2(m.nbuckets) || m.nbuckets > 2 * (uint64_t)NAMES_ENTRIES_MAX ||
	    m.nentries > NAMES_ENTRIES_MAX || m.nentries > m.nbuckets ||
	    m.names_size > UINT32_MAX || m.nunits > NAMES_UNITS_MAX)
		return no(why_ret, "counts out of range");
	if (!units || units_size != m.nunits * sizeof(struct unit) || (uintptr_t)units % 8 ||
	    !units_ok(units, m.nunits, info_size))
		return no(why_ret, "bad unit list");
	if (!buckets || buckets_size != (m.nbuckets + 1) * sizeof(uint32_t) ||
	    (m.nentries && !entries) || entries_size != m.nentries * sizeof(*es) ||
	    !names || names_size != m.names_size || (uintptr_t)buckets % 4 ||
	    (uintptr_t)entries % 8)
		return no(why_ret, "section sizes do not match the counts");
	if (file && ((m.names_size && !vd_cache_check(file, ns + m.names_size - 1, 1)) ||
		     !vd_cache_check(file, bk, sizeof(*bk)) ||
		     !vd_cache_check(file, bk + m.nbuckets, sizeof(*bk))))
		return no(why_ret, "checksum mismatch (names or buckets)");
	if (m.names_size && ns[m.names_size - 1])
		return no(why_ret, "names do not end with a NUL");
	if (bk[0] != 0 || bk[m.nbuckets] != m.nentries)
		return no(why_ret, "bucket table incomplete");
	ret->meta = m;
	ret->buckets = bk;
	ret->entries = es;
	ret->names = ns;
	ret->units = units;
	return true;
}

/* Bucket b's entries: in order with the table, each in range. */
static bool
bucket_ok(const struct vd_dwarf_names *n, uint64_t b)
{
	const struct vd_dwarf_names_meta *m = &n->meta;
	const uint32_t *bk = n->buckets;

	if (bk[b + 1] < bk[b] || bk[b + 1] > m->nentries)
		return false;
	for (uint64_t i = bk[b]; i < bk[b + 1]; i++) {
		const struct vd_dwarf_names_entry *e = &n->entries[i];

		if ((e->hash & (m->nbuckets - 1)) != b || e->name >= m->names_size ||
		    e->off >= m->info_size || e->ns >= VD_DWARF_NNS ||
		    e->rank < VD_DWARF_WEAK || e->rank > VD_DWARF_BEST)
			return false;
	}
	return true;
}

bool
vd_dwarf_names_check(const void *meta, size_t meta_size, const void *buckets,
		     size_t buckets_size, const void *entries, size_t entries_size,
		     const void *names, size_t names_size, const void *units,
		     size_t units_size, uint64_t info_size,
		     struct vd_dwarf_names *ret, const char **why_ret)
{
	if (!check_head(NULL, meta, meta_size, buckets, buckets_size, entries, entries_size, names,
			names_size, units, units_size, info_size, ret, why_ret))
		return false;
	for (uint64_t b = 0; b < ret->meta.nbuckets; b++) {
		if (ret->buckets[b + 1] < ret->buckets[b]) {
			memset(ret, 0, sizeof(*ret));
			return no(why_ret, "bucket table not in order");
		}
		if (!bucket_ok(ret, b)) {
			memset(ret, 0, sizeof(*ret));
			return no(why_ret, "an entry out of range");
		}
	}
	return true;
}

bool
vd_dwarf_names_load(const char *dir, const char *key, uint64_t info_size,
		    struct vd_dwarf_names *ret, const char **why_ret)
{
	struct vd_cache_file f;
	const void *p[5];
	size_t sz[5] = { 0 };

	memset(ret, 0, sizeof(*ret));
	if (!vd_cache_open(dir, VD_DWARF_NAMES_KIND, VD_DWARF_NAMES_VERSION, key, &f, why_ret))
		return false;
	// The header and the unit list read whole (checked); the buckets,
	// entries and names where a lookup reaches (vd_dwarf_names_find()).
	for (uint32_t i = 0; i < 5; i++)
		p[i] = i == 0 || i == 4 ? vd_cache_get(&f, i + 1, &sz[i]) :
					  vd_cache_section(&f, i + 1, &sz[i]);
	if (!check_head(&f, p[0], sz[0], p[1], sz[1], p[2], sz[2], p[3], sz[3], p[4], sz[4],
			info_size, ret, why_ret)) {
		vd_cache_close(&f);
		return false;
	}
	ret->file = f;
	ret->lazy = true;
	return true;
}

/* A kept index: bucket b and its entries checked (once: their blocks are). */
static bool
lazy_bucket_ok(const struct vd_dwarf_names *n, uint64_t b)
{
	const uint32_t *bk = n->buckets;

	return vd_cache_check(&n->file, bk + b, 2 * sizeof(*bk)) && bk[b + 1] >= bk[b] &&
	       bk[b + 1] <= n->meta.nentries &&
	       vd_cache_check(&n->file, n->entries + bk[b],
			      (bk[b + 1] - bk[b]) * sizeof(*n->entries)) &&
	       bucket_ok(n, b);
}

enum vd_dwarf_rank
vd_dwarf_names_find(const struct vd_dwarf_names *n, enum vd_dwarf_ns ns, const char *name,
		    uint64_t *off_ret)
{
	uint32_t h = vd_dwarf_name_hash(ns, name);
	uint64_t b;

	if (!n->buckets || !n->meta.nbuckets || n->damaged)
		return VD_DWARF_NONE;
	b = h & (n->meta.nbuckets - 1);
	if (n->lazy && !lazy_bucket_ok(n, b))
		goto damaged;
	for (uint64_t i = n->buckets[b]; i < n->buckets[b + 1]; i++) {
		const struct vd_dwarf_names_entry *e = &n->entries[i];
		const char *s = n->names + e->name;

		if (e->hash != h || e->ns != ns)
			continue;
		// The names end with a checked NUL: strnlen stops inside them.
		if (n->lazy &&
		    !vd_cache_check(&n->file, s, strnlen(s, n->meta.names_size - e->name) + 1))
			goto damaged;
		if (!strcmp(s, name)) {
			if (off_ret)
				*off_ret = e->off;
			return (enum vd_dwarf_rank)e->rank;
		}
	}
	return VD_DWARF_NONE;
damaged:
	// Logically the same (const) index: it is not to be used any more.
	((struct vd_dwarf_names *)n)->damaged = true;
	return VD_DWARF_NONE;
}

/* Reading single DIEs -------------------------------------------------------- */

#define READER_TABLES 8                  /* abbreviation tables kept */

struct vd_dwarf_reader {
	const struct vd_dwarf_sections *sec;
	char *path;
	struct unit *units;
	size_t nunits;
	bool listed;
	struct abbrevs tables[READER_TABLES];
	unsigned next;                       /* round-robin replacement */
};

struct vd_dwarf_reader *
vd_dwarf_reader_create(const struct vd_dwarf_sections *sec, const char *path)
{
	struct vd_dwarf_reader *r = calloc(1, sizeof(*r));

	if (!r || !(r->path = strdup(path))) {
		free(r);
		return NULL;
	}
	r->sec = sec;
	for (unsigned i = 0; i < READER_TABLES; i++)
		r->tables[i].loaded = UINT64_MAX;
	return r;
}

bool
vd_dwarf_reader_use_units(struct vd_dwarf_reader *r, const struct vd_dwarf_names_unit *units,
			  size_t n)
{
	struct unit *copy = malloc((n ? n : 1) * sizeof(*copy));

	if (!copy)
		return false;
	if (n)
		memcpy(copy, units, n * sizeof(*copy));
	free(r->units);
	r->units = copy;
	r->nunits = n;
	r->listed = true;
	return true;
}

void
vd_dwarf_reader_destroy(struct vd_dwarf_reader *r)
{
	if (!r)
		return;
	for (unsigned i = 0; i < READER_TABLES; i++) {
		free(r->tables[i].a);
		free(r->tables[i].s);
		free(r->tables[i].dense);
	}
	free(r->units);
	free(r->path);
	free(r);
}

static struct vd_error *
reader_bad(const struct vd_dwarf_reader *r, uint64_t off, const char *what)
{
	return vd_error_create(VD_ERR_CORRUPT, "%s: DWARF DIE 0x%llx: %s", r->path,
			       (unsigned long long)off, what);
}

/* The unit holding off and its abbreviations. */
static struct vd_error *
reader_unit(struct vd_dwarf_reader *r, uint64_t off, const struct unit **u_ret,
	    const struct abbrevs **ab_ret)
{
	size_t lo = 0, hi;
	const struct unit *u;
	struct abbrevs *ab = NULL;

	if (!r->listed) {
		struct vd_error *err = list_units(r->sec, r->path, true, &r->units, &r->nunits);

		if (err)
			return err;
		r->listed = true;
	}
	hi = r->nunits;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->units[mid].end <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == r->nunits || off <= r->units[lo].start || off < r->units[lo].die)
		return reader_bad(r, off, "not inside a unit");
	u = &r->units[lo];
	for (unsigned i = 0; i < READER_TABLES; i++)
		if (r->tables[i].loaded == u->abbrev)
			ab = &r->tables[i];
	if (!ab) {
		ab = &r->tables[r->next];
		r->next = (r->next + 1) % READER_TABLES;
		if (!abbrevs_load(r->sec, u->abbrev, ab))
			return reader_bad(r, u->start, "its abbreviation table");
	}
	*u_ret = u;
	*ab_ret = ab;
	return NULL;
}

/*
 * The unit's DW_AT_str_offsets_base, read from its DIE each time: only
 * DIEs with DW_FORM_strx names need it, and C compilers rarely emit them.
 */
static uint64_t
str_offsets_base(const struct vd_dwarf_reader *r, const struct unit *u,
		 const struct abbrevs *ab)
{
	struct unit_ctx uc = { r->sec, u, u->version == 5 ? 8 : 0 };
	struct vd_dwarf_cursor c = { r->sec->info + u->die, r->sec->info + u->end, true, r->sec->big_endian };
	const struct abbrev *a = abbrev_find(ab, vd_dwarf_uleb(&c));
	struct die d;

	if (c.ok && a && read_die(&uc, ab, &c, a, u->die, &d) && d.has_str_offsets_base)
		return d.str_offsets_base;
	return uc.str_offsets_base;
}

struct vd_error *
vd_dwarf_reader_die(struct vd_dwarf_reader *r, uint64_t off, struct vd_dwarf_raw_die *ret,
		    bool (*fn)(const struct vd_dwarf_attr *a, void *arg), void *arg)
{
	const struct unit *u;
	const struct abbrevs *ab;
	const struct abbrev *a;
	struct unit_ctx uc;
	struct vd_dwarf_cursor c;
	bool strx_base = false;
	struct vd_error *err = reader_unit(r, off, &u, &ab);

	if (err)
		return err;
	uc = (struct unit_ctx){ r->sec, u, u->version == 5 ? 8 : 0 };
	c = (struct vd_dwarf_cursor){ r->sec->info + off, r->sec->info + u->end, true, r->sec->big_endian };
	a = abbrev_find(ab, vd_dwarf_uleb(&c));
	if (!c.ok)
		return reader_bad(r, off, "its abbreviation code");
	if (!a)
		return reader_bad(r, off, "no such DIE (abbreviation code 0 or unknown)");
	*ret = (struct vd_dwarf_raw_die){ .tag = a->tag, .children = a->children };
	for (uint32_t i = 0; i < a->n; i++) {
		const struct spec *s = &ab->s[a->first + i];
		struct vd_dwarf_attr at;

		if (!strx_base && s->form >= DW_FORM_strx1 && s->form <= DW_FORM_strx4) {
			uc.str_offsets_base = str_offsets_base(r, u, ab);
			strx_base = true;
		} else if (!strx_base && s->form == DW_FORM_strx) {
			uc.str_offsets_base = str_offsets_base(r, u, ab);
			strx_base = true;
		}
		if (!attr_read(&uc, &c, s->at, s->form, s->implicit, &at))
			return reader_bad(r, off, "an attribute in a form not known or cut short");
		if (at.at == DW_AT_sibling && at.is_ref) {
			ret->has_sibling = true;
			ret->sibling = at.u;
		}
		if (fn && !fn(&at, arg))
			return reader_bad(r, off, "an attribute's value");
	}
	ret->next = (uint64_t)(c.p - r->sec->info);
	ret->unit_end = u->end;
	return NULL;
}

struct vd_error *
vd_dwarf_reader_after(struct vd_dwarf_reader *r, uint64_t off, const struct vd_dwarf_raw_die *d,
		      uint64_t *ret)
{
	uint64_t pos = d->next, depth;

	if (!d->children) {
		*ret = pos;
		return NULL;
	}
	if (d->has_sibling && d->sibling > off && d->sibling <= d->unit_end) {
		*ret = d->sibling;
		return NULL;
	}
	// No DW_AT_sibling: read through the children, bounded by the unit.
	for (depth = 1; depth;) {
		struct vd_dwarf_raw_die c;
		struct vd_error *err;

		if (pos >= d->unit_end)
			return reader_bad(r, off, "children run past the unit");
		if (!r->sec->info[pos]) {        // a one-byte 0: end of a list
			pos++;
			depth--;
			continue;
		}
		err = vd_dwarf_reader_die(r, pos, &c, NULL, NULL);
		if (err)
			return err;
		if (c.children && c.has_sibling && c.sibling > pos && c.sibling <= c.unit_end) {
			pos = c.sibling;
			continue;
		}
		pos = c.next;
		if (c.children && ++depth > NAMES_DEPTH_MAX)
			return reader_bad(r, off, "DIEs nested too deep");
	}
	*ret = pos;
	return NULL;
}

struct vd_error *
vd_dwarf_reader_top_of(struct vd_dwarf_reader *r, uint64_t off, uint64_t *ret)
{
	const struct unit *u;
	const struct abbrevs *ab;
	struct vd_dwarf_raw_die d;
	struct vd_error *err = reader_unit(r, off, &u, &ab);
	uint64_t pos;

	if (err)
		return err;
	if ((err = vd_dwarf_reader_die(r, u->die, &d, NULL, NULL)))
		return err;
	if (!d.children)
		return reader_bad(r, off, "its unit has no children");
	// The unit's children in order, each jumped over (every step moves
	// forward, bounded by the unit's end).
	for (pos = d.next; pos < u->end && r->sec->info[pos];) {
		uint64_t next;

		if ((err = vd_dwarf_reader_die(r, pos, &d, NULL, NULL)) ||
		    (err = vd_dwarf_reader_after(r, pos, &d, &next)))
			return err;
		if (next <= pos)
			return reader_bad(r, pos, "a DIE that does not move on");
		if (off >= pos && off < next) {
			*ret = pos;
			return NULL;
		}
		pos = next;
	}
	return reader_bad(r, off, "not under any of its unit's DIEs");
}
