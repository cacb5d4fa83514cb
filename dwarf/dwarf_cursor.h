/* SPDX-License-Identifier: MIT */
/*
 * Reading DWARF bytes, bounded: one cursor over [p, end) for the name
 * index builder (dwarf_names.c) and the line-table decoder
 * (dwarf_lines.c).  A read past end sets ok false, leaves p at end and
 * returns 0 (or NULL); callers check ok once after a run of reads.
 */
#ifndef VD_DWARF_DWARF_CURSOR_H
#define VD_DWARF_DWARF_CURSOR_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

struct vd_dwarf_cursor {
	const unsigned char *p, *end;
	bool ok;
	bool be;                 /* multi-byte values big-endian */
};

static inline uint64_t
vd_dwarf_uleb(struct vd_dwarf_cursor *c)
{
	uint64_t v = 0;

	// One byte: most attribute codes, forms, tags and sizes (a third
	// of the instructions of loading an abbreviation table).
	if (c->p < c->end && !(*c->p & 0x80))
		return *c->p++;
	for (unsigned shift = 0; c->p < c->end; shift += 7) {
		unsigned char b = *c->p++;

		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
	}
	c->ok = false;
	return 0;
}

static inline int64_t
vd_dwarf_sleb(struct vd_dwarf_cursor *c)
{
	uint64_t v = 0;
	unsigned shift = 0;

	while (c->p < c->end) {
		unsigned char b = *c->p++;

		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
		if (!(b & 0x80)) {
			if (shift < 64 && (b & 0x40))
				v |= ~0ull << shift;
			return (int64_t)v;
		}
	}
	c->ok = false;
	return 0;
}

/* An unsigned value of size bytes (1 to 8) in the cursor's byte order. */
static inline uint64_t
vd_dwarf_fixed(struct vd_dwarf_cursor *c, unsigned size)
{
	uint64_t v = 0;

	if ((size_t)(c->end - c->p) < size || size > 8) {
		c->ok = false;
		c->p = c->end;
		return 0;
	}
	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)c->p[c->be ? size - 1 - i : i] << (8 * i);
	c->p += size;
	return v;
}

static inline void
vd_dwarf_skip(struct vd_dwarf_cursor *c, uint64_t n)
{
	if ((uint64_t)(c->end - c->p) < n) {
		c->ok = false;
		c->p = c->end;
		return;
	}
	c->p += n;
}

/* A NUL-terminated string at the cursor (NULL: none before end). */
static inline const char *
vd_dwarf_cstr(struct vd_dwarf_cursor *c)
{
	const unsigned char *nul = c->p < c->end ? memchr(c->p, 0, (size_t)(c->end - c->p)) : NULL;
	const char *s = (const char *)c->p;

	if (!nul) {
		c->ok = false;
		c->p = c->end;
		return NULL;
	}
	c->p = nul + 1;
	return s;
}

#endif
