// SPDX-License-Identifier: MIT
/*
 * The units of .debug_info, and where a name may be mentioned in them.
 *
 * Unit headers are walked here, from the mapped bytes, only as far as a
 * lookup needs (DWARF 5 §7.5.1; DWARF 2-4 §7.5.1 have no unit_type).
 *
 * Finding a name without reading DIEs: a producer writes DW_AT_name
 * either inline (DW_FORM_string: the bytes "name\0" in .debug_info) or as
 * an offset into .debug_str (DW_FORM_strp, DWARF 5 §7.5.5), where the
 * linker merged all strings, sharing tails ("vmap_area" may be the end of
 * "free_vmap_area").  So the units that can name "vmap_area" are those
 * whose bytes contain "vmap_area\0" or the 4-byte offset of an occurrence
 * of "vmap_area\0" in .debug_str.  Searching the bytes for all of these
 * in one pass (~0.1 s for 200 MiB) is much faster than walking DIEs with
 * libdwarf; a false hit only costs reading a unit that turns out not to
 * define the name.  Units that name strings any other way (DW_FORM_strx:
 * .debug_str_offsets; DWZ's alternate file; 64-bit DWARF) turn the filter
 * off: then every unit is read in order.
 */
#include <dwarf.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "dwarf_priv.h"

#define UNITS_MAX (1u << 22)
#define NEEDLE_CHUNK (1u << 20)          /* searched at a time */
/* Offsets of a name in .debug_str searched for at most ("page" has 700 on
 * 6.12, "node" 1,035); a name in more strings is read for unit by unit. */
#define NEEDLE_OCCURRENCES_MAX 2048
#define NEEDLE_KEYS 65536u               /* the filter: 2 bytes' worth */

/* Read the header of the unit at off; false when it is not one. */
static bool
parse_header(const struct vd_dwarf_units *us, uint64_t off, struct vd_dwarf_unit *ret,
	     unsigned *offset_size)
{
	const unsigned char *p = us->info + off;
	uint64_t left = us->size - off, len;
	unsigned lsize = 4, version, type = DW_UT_compile;

	if (left < 4)
		return false;
	len = vd_get32(p, us->big_endian);
	*offset_size = 4;
	if (len == 0xffffffffu) {            // 64-bit DWARF (§7.4)
		if (left < 12)
			return false;
		len = vd_get64(p + 4, us->big_endian);
		lsize = 12;
		*offset_size = 8;
	} else if (len >= 0xfffffff0u) {     // reserved values
		return false;
	}
	if (len < 4 + *offset_size || len > left - lsize)
		return false;
	version = vd_get16(p + lsize, us->big_endian);
	if (version < 2 || version > 5)
		return false;
	if (version == 5)
		type = p[lsize + 2];
	*ret = (struct vd_dwarf_unit){
		.start = off, .end = off + lsize + len,
		// The unit's DIE follows the header: version, then unit_type,
		// address_size, debug_abbrev_offset (v5) or debug_abbrev_offset,
		// address_size (v2-4).
		.die = off + lsize + 2 + (version == 5 ? 2 : 1) + *offset_size,
		// Type and skeleton units hold no top-level C names to index.
		.skip = type != DW_UT_compile && type != DW_UT_partial,
		.type_unit = type == DW_UT_type || type == DW_UT_split_type,
	};
	return true;
}

struct vd_error *
vd_dwarf_units_list_until(struct vd_dwarf_units *us, const char *path, uint64_t off)
{
	uint64_t at = us->n ? us->u[us->n - 1].end : 0;

	while (!us->listed && at <= off) {
		struct vd_dwarf_unit unit;
		unsigned osize;

		if (at >= us->size) {
			us->listed = true;
			break;
		}
		if (!parse_header(us, at, &unit, &osize) || us->n >= UNITS_MAX) {
			us->listed = true;   // nothing past a bad header is reachable
			return vd_error_create(VD_ERR_CORRUPT,
					       "%s: .debug_info offset 0x%llx: not a unit header",
					       path, (unsigned long long)at);
		}
		us->strp_only &= osize == 4;
		if (unit.type_unit) {
			us->listed = true;
			return vd_dwarf_type_units(path, at);
		}
		if (us->n == us->cap) {
			size_t cap = us->cap ? 2 * us->cap : 1024;
			void *p = realloc(us->u, cap * sizeof(*us->u));

			if (!p)
				return &vd_enomem;
			us->u = p;
			us->cap = cap;
		}
		us->u[us->n++] = unit;
		at = unit.end;
	}
	return NULL;
}

/*
 * Type units (DWARF 4's .debug_types, DWARF 5's DW_UT_type units in
 * .debug_info: gcc -fdebug-types-section) hold the structs the compile
 * units refer to by signature (DW_FORM_ref_sig8); they are not read, so
 * a file with them is refused rather than answered without its types.
 */
struct vd_error *
vd_dwarf_type_units(const char *path, uint64_t off)
{
	return vd_error_create(VD_ERR_NOTIMPL,
			       "%s: .debug_info offset 0x%llx: a DWARF 5 type unit (DW_UT_type, from gcc -fdebug-types-section): type units are not supported; use a build without -fdebug-types-section",
			       path, (unsigned long long)off);
}

struct vd_dwarf_unit *
vd_dwarf_units_at(struct vd_dwarf_units *us, uint64_t off)
{
	size_t lo = 0, hi = us->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (us->u[mid].end <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < us->n && us->u[lo].start <= off ? &us->u[lo] : NULL;
}

void
vd_dwarf_units_deinit(struct vd_dwarf_units *us)
{
	free(us->u);
	us->u = NULL;
	us->n = us->cap = 0;
}

/*
 * The needles.  At every position of .debug_info, two bytes index a table
 * that says whether some needle has those two bytes there; only then is
 * the position compared with the name and looked up among the offsets.
 * The two are the low-order bytes of a 4-byte offset (the first two
 * little-endian, the last two big-endian), which vary the most: on a
 * vmlinux a false alarm comes every few thousand bytes for a few dozen
 * offsets, every hundred for a thousand.
 */
static uint16_t
key_of(const unsigned char *p, unsigned key_at)
{
	uint16_t key;

	memcpy(&key, p + key_at, sizeof(key));
	return key;
}

bool
vd_dwarf_needles_make(const struct vd_dwarf_units *us, const char *name,
		   struct vd_dwarf_needles *nd)
{
	size_t len = strlen(name) + 1, cap = 0;   // with the NUL: the string ends there
	const unsigned char *p = us->str;

	*nd = (struct vd_dwarf_needles){ .name = (const unsigned char *)name, .len = len,
				      .key_at = us->big_endian ? 2 : 0 };
	if (!us->strp_only || !us->str || len < 2)
		return false;
	while ((size_t)(us->str + us->str_size - p) >= len &&
	       (p = memmem(p, us->str_size - (size_t)(p - us->str), name, len))) {
		uint64_t off = (uint64_t)(p - us->str);

		if (off > 0xffffffffu || nd->noffs == NEEDLE_OCCURRENCES_MAX)
			return false;    // too many to search for: read every unit
		if (nd->noffs == cap) {
			size_t ncap = cap ? 2 * cap : 64;
			void *q = realloc(nd->offs, ncap * sizeof(*nd->offs));

			if (!q)
				return false;
			nd->offs = q;
			cap = ncap;
		}
		nd->offs[nd->noffs++] = (uint32_t)off;
		p++;
	}
	nd->filter = calloc(NEEDLE_KEYS, 1);
	if (!nd->filter)
		return false;
	for (size_t i = 0; i < nd->noffs; i++) {
		unsigned char enc[4];

		vd_put32(enc, nd->offs[i], us->big_endian);
		nd->filter[key_of(enc, nd->key_at)] = 1;
	}
	if (len >= 4)
		nd->filter[key_of(nd->name, nd->key_at)] = 1;
	return true;
}

void
vd_dwarf_needles_deinit(struct vd_dwarf_needles *nd)
{
	free(nd->offs);
	free(nd->filter);
	nd->offs = NULL;
	nd->filter = NULL;
	nd->noffs = 0;
}

/* Whether a needle of "all" starts at off (which has 4 bytes). */
static bool
match_at(const struct vd_dwarf_units *us, const struct vd_dwarf_needles *nd, uint64_t off)
{
	const unsigned char *p = us->info + off;
	uint32_t v = vd_get32(p, us->big_endian);
	size_t lo = 0, hi = nd->noffs;

	if (nd->len >= 4 && us->size - off >= nd->len && !memcmp(p, nd->name, nd->len))
		return true;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (nd->offs[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < nd->noffs && nd->offs[lo] == v;
}

/*
 * Search "all" for a start in [from, to): a needle may end past to.
 * Remembers the hit, or that there is none before to.
 */
static void
search_all(const struct vd_dwarf_units *us, struct vd_dwarf_needles *nd, uint64_t from,
	   uint64_t to)
{
	const unsigned char *info = us->info, *filter = nd->filter;
	uint64_t last = us->size >= 4 ? VD_MIN(to, us->size - 3) : 0;
	unsigned key_at = nd->key_at;

	for (uint64_t off = VD_MAX(from, nd->all.clear_to); off < last; off++) {
		if (filter[key_of(info + off, key_at)] && match_at(us, nd, off)) {
			nd->all.next = off;
			nd->all.found = true;
			return;
		}
	}
	nd->all.clear_to = VD_MAX(nd->all.clear_to, to);
}

/* Search the name alone (shorter than 4 bytes) as search_all does. */
static void
search_inline(const struct vd_dwarf_units *us, struct vd_dwarf_needles *nd, uint64_t from,
	      uint64_t to)
{
	uint64_t end = VD_MIN(us->size, to + nd->len - 1);
	const unsigned char *hit;

	from = VD_MAX(from, nd->inl.clear_to);
	if (from >= to || end - from < nd->len)
		return;
	hit = memmem(us->info + from, end - from, nd->name, nd->len);
	if (hit) {
		nd->inl.next = (uint64_t)(hit - us->info);
		nd->inl.found = true;
	} else {
		nd->inl.clear_to = to;
	}
}

/* Forget a hit before pos; the next hit known, or us->size. */
static uint64_t
known(const struct vd_dwarf_units *us, struct vd_dwarf_search *s, uint64_t pos)
{
	if (s->found && s->next < pos)
		s->found = false;
	return s->found ? s->next : us->size;
}

/*
 * The first offset at or after pos where any needle starts.  The searches
 * go a chunk at a time, and each remembers its next hit or how far it has
 * none: the section is read about once, and only as far as the first
 * mention.
 */
uint64_t
vd_dwarf_needles_next(const struct vd_dwarf_units *us, struct vd_dwarf_needles *nd,
		      uint64_t pos)
{
	bool inl = nd->len < 4, all = nd->noffs || !inl;
	uint64_t best = us->size;

	if (inl)
		best = VD_MIN(best, known(us, &nd->inl, pos));
	if (all)
		best = VD_MIN(best, known(us, &nd->all, pos));
	for (uint64_t from = pos; from < best; from += NEEDLE_CHUNK) {
		uint64_t to = VD_MIN(best, from + NEEDLE_CHUNK);

		if (inl && !nd->inl.found) {
			search_inline(us, nd, from, to);
			if (nd->inl.found)
				best = VD_MIN(best, nd->inl.next);
		}
		if (all && !nd->all.found) {
			search_all(us, nd, from, VD_MIN(to, best));
			if (nd->all.found)
				best = VD_MIN(best, nd->all.next);
		}
	}
	return best;
}
