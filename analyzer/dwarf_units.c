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
 * of "vmap_area\0" in .debug_str.  memmem over the section is ~30x faster
 * than walking DIEs with libdwarf; a false hit only costs reading a unit
 * that turns out not to define the name.  Units that name strings any
 * other way (DW_FORM_strx: .debug_str_offsets; DWZ's alternate file; 64-bit
 * DWARF) turn the filter off: then every unit is read in order.
 */
#include <dwarf.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "dwarf_priv.h"

#define UNITS_MAX (1u << 22)
#define VD_DW_SEARCH_CHUNK (1u << 20)
#define NEEDLE_OCCURRENCES_MAX 32

/* Read the header of the unit at off; false when it is not one. */
static bool
parse_header(const struct vd_dw_units *us, uint64_t off, struct vd_dw_unit *ret,
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
	*ret = (struct vd_dw_unit){
		.start = off, .end = off + lsize + len,
		// The unit's DIE follows the header: version, then unit_type,
		// address_size, debug_abbrev_offset (v5) or debug_abbrev_offset,
		// address_size (v2-4).
		.die = off + lsize + 2 + (version == 5 ? 2 : 1) + *offset_size,
		// Type and skeleton units hold no top-level C names to index.
		.skip = type != DW_UT_compile && type != DW_UT_partial,
	};
	return true;
}

struct vd_error *
vd_dw_units_list_until(struct vd_dw_units *us, const char *path, uint64_t off)
{
	uint64_t at = us->n ? us->u[us->n - 1].end : 0;

	while (!us->listed && at <= off) {
		struct vd_dw_unit unit;
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

struct vd_dw_unit *
vd_dw_units_at(struct vd_dw_units *us, uint64_t off)
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
vd_dw_units_deinit(struct vd_dw_units *us)
{
	free(us->u);
	us->u = NULL;
	us->n = us->cap = 0;
}

/* Add one needle: len bytes at bytes (not copied). */
static bool
needle_add(struct vd_dw_needles *nd, const unsigned char *bytes, size_t len)
{
	if (nd->n == VD_DW_NEEDLES_MAX)
		return false;
	nd->bytes[nd->n] = bytes;
	nd->len[nd->n] = len;
	nd->clear_to[nd->n] = 0;
	nd->found[nd->n++] = false;
	return true;
}

bool
vd_dw_needles_make(const struct vd_dw_units *us, const char *name,
		   struct vd_dw_needles *nd)
{
	size_t len = strlen(name) + 1;   // with the NUL: the string ends there
	const unsigned char *p = us->str;
	unsigned occurrences = 0;

	nd->n = 0;
	if (!us->strp_only || !us->str || len < 2 ||
	    !needle_add(nd, (const unsigned char *)name, len))
		return false;
	while (p && (size_t)(us->str + us->str_size - p) >= len &&
	       (p = memmem(p, us->str_size - (size_t)(p - us->str), name, len))) {
		uint64_t off = (uint64_t)(p - us->str);
		unsigned char *enc = nd->enc[nd->n];

		if (off > 0xffffffffu || ++occurrences > NEEDLE_OCCURRENCES_MAX)
			return false;    // too many to search for: read every unit
		vd_put32(enc, (uint32_t)off, us->big_endian);
		if (!needle_add(nd, enc, 4))
			return false;
		p++;
	}
	return true;
}

/*
 * Search needle k for a start in [from, to): memmem may read len - 1
 * bytes past to.  Remembers the hit, or that there is none before to.
 */
static void
search_one(const struct vd_dw_units *us, struct vd_dw_needles *nd, size_t k,
	   uint64_t from, uint64_t to)
{
	uint64_t end = VD_MIN(us->size, to + nd->len[k] - 1);
	const unsigned char *hit;

	from = VD_MAX(from, nd->clear_to[k]);
	if (from >= to || end - from < nd->len[k])
		return;
	hit = memmem(us->info + from, end - from, nd->bytes[k], nd->len[k]);
	if (hit) {
		nd->next[k] = (uint64_t)(hit - us->info);
		nd->found[k] = true;
	} else {
		nd->clear_to[k] = to;
	}
}

/*
 * The first offset at or after pos where any needle starts.  Needles are
 * searched together a chunk at a time, and each remembers its next hit or
 * how far it has none: the section is read about once, and only as far as
 * the first mention.
 */
uint64_t
vd_dw_needles_next(const struct vd_dw_units *us, struct vd_dw_needles *nd, uint64_t pos)
{
	uint64_t best = us->size;

	for (size_t k = 0; k < nd->n; k++) {
		if (nd->found[k] && nd->next[k] < pos)
			nd->found[k] = false;
		if (nd->found[k])
			best = VD_MIN(best, nd->next[k]);
	}
	for (uint64_t from = pos; from < best; from += VD_DW_SEARCH_CHUNK) {
		uint64_t to = VD_MIN(best, from + VD_DW_SEARCH_CHUNK);

		for (size_t k = 0; k < nd->n; k++) {
			if (nd->found[k])
				continue;
			search_one(us, nd, k, from, to);
			if (nd->found[k])
				best = VD_MIN(best, nd->next[k]);
		}
	}
	return best;
}
