// SPDX-License-Identifier: MIT
/*
 * The kernel's kallsyms tables, decoded in place (ksyms/kallsyms.h).
 *
 * The tables (scripts/kallsyms.c write_src()):
 *   kallsyms_num_syms     u32 count
 *   kallsyms_names        per symbol a length, then that many token bytes;
 *                         since 73bbb94466fd ("kallsyms: support "big"
 *                         kernel symbols") a length with bit 7 set takes a
 *                         second byte: len = (b0 & 0x7f) | b1 << 7.  Older
 *                         kernels never wrote lengths >= 0x80, so one rule
 *                         reads both.
 *   kallsyms_markers      per 256 symbols the offset of the name of symbol
 *                         256k in kallsyms_names (unsigned long, u32 since
 *                         "kallsyms: Make kallsyms_markers u32"... either
 *                         way found and checked below, not assumed)
 *   kallsyms_seqs_of_names  3 bytes per symbol, big-endian: the symbols'
 *                         indexes in name order (60443c88f3a8 "kallsyms:
 *                         Improve the performance of kallsyms_lookup_name()";
 *                         Debian backports it to 6.1)
 *   kallsyms_token_table  256 NUL-terminated strings
 *   kallsyms_token_index  256 u16 offsets into the token table
 *   addresses, one of:
 *     kallsyms_addresses[]  unsigned long per symbol (absolute kallsyms,
 *                           gone with 64e166099b69 "kallsyms: get rid of
 *                           code for absolute kallsyms")
 *     kallsyms_offsets[] + kallsyms_relative_base: base + (u32)off, or with
 *                           --absolute-percpu (x86_64 SMP until its per-CPU
 *                           symbols became ordinary) off >= 0 absolute and
 *                           base - 1 - off otherwise
 *     kallsyms_offsets[] alone: place-relative, &kallsyms_offsets[i] +
 *                           (s32)off ("kallsyms: Get rid of kallsyms
 *                           relative base", which also dropped
 *                           SYMBOL(kallsyms_relative_base) from VMCOREINFO)
 * The order of the tables in memory moved over time (names, markers and
 * the token tables stay in that order), so kallsyms_markers and
 * kallsyms_seqs_of_names, which VMCOREINFO does not export, are looked for
 * where each layout puts them and accepted only when they check out.
 * Expanding a symbol's tokens gives its nm type letter, then its name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "common/hashtab.h"
#include "common/util.h"
#include "ksyms/kallsyms.h"

/* Bounds for a hostile dump: real kernels have ~100-250k symbols. */
#define KS_MAX_SYMS (1u << 22)
#define KS_MAX_NAMES (64u << 20)
#define KS_MAX_TOKENS (64u << 10)
/* A symbol name is at most KSYM_NAME_LEN (512 since 6.1) bytes. */
#define KS_NAME_MAX 1024
/* Aliases looked at for one address. */
#define KS_ALIAS_MAX 64
/* Name lookups answered by scanning before a hash index is built. */
#define KS_SCANS_BEFORE_INDEX 2
#define KS_HASH_MUL 0x100000001b3ull

struct vd_ksyms {
	struct vd_ksyms_mem mem;
	uint32_t num;
	enum vd_ksyms_encoding enc;
	const uint8_t *names;         /* kallsyms_names ... names_len */
	size_t names_len;
	const char *tokens;           /* token table, tokens_len bytes */
	size_t tokens_len;
	uint16_t tok_off[256];
	uint16_t tok_len[256];
	const uint8_t *addrs;         /* kallsyms_offsets or kallsyms_addresses */
	uint64_t addrs_va;            /* its address (place-relative) */
	uint64_t base;                /* kallsyms_relative_base */
	/* Name offset of every 256th symbol: the kernel's or built. */
	const uint8_t *kmarkers;      /* the kernel's, kmarker_size each */
	unsigned kmarker_size;
	uint32_t *markers;            /* built when the kernel's are not found */
	size_t names_end;             /* offset past the last name, when known */
	const uint8_t *seqs;          /* kallsyms_seqs_of_names or NULL */
	/* The token hash of every token, for the name index. */
	uint64_t tok_hash[256], tok_pow[256], tok_hash1[256], tok_pow1[256];
	struct vd_htab index;         /* name index built here */
	unsigned scans;               /* name lookups answered by scanning */
	bool located;                 /* found by scanning the image */
	uint64_t index_rel;           /* then: token index - _stext */
	bool listed;                  /* vd_ksyms_nth() reached the end */
	/* An imported (cached) or exported decoded table. */
	struct vd_ksyms_table table;
	struct vd_htab table_index;   /* table.hash, borrowed */
	bool have_table;
	char *export_names;
	uint32_t *export_off;
	/* Sequential decoding (vd_ksyms_nth). */
	uint32_t cur_i;
	size_t cur_pos;
	struct vd_arena arena;        /* returned names */
	void *owned[16];
	size_t nowned;
};

/* ---- reading ---------------------------------------------------------- */

static struct vd_error *
ks_map(struct vd_ksyms *ks, uint64_t addr, size_t len, const char *what,
       const void **ret)
{
	void *owned = NULL;
	struct vd_error *err;

	if (ks->nowned == VD_ARRAY_SIZE(ks->owned))
		return vd_error_create(VD_ERR_CORRUPT, "too many kallsyms tables");
	err = ks->mem.map(ks->mem.ctx, addr, len, ret, &owned);
	if (err)
		return vd_error_wrap(err, "reading %s (%zu bytes at 0x%llx)", what, len,
				     (unsigned long long)addr);
	if (owned)
		ks->owned[ks->nowned++] = owned;
	return NULL;
}

static bool
ks_symbol(const struct vd_ksyms *ks, const char *name, uint64_t *ret)
{
	return ks->mem.symbol(ks->mem.ctx, name, ret);
}

static uint64_t
sym_addr(const struct vd_ksyms *ks, uint32_t i)
{
	bool be = ks->mem.big_endian;
	int32_t off;

	if (ks->enc == VD_KSYMS_ABSOLUTE)
		return ks->mem.ptr_size == 4 ? vd_get32(ks->addrs + 4 * (size_t)i, be)
					     : vd_get64(ks->addrs + 8 * (size_t)i, be);
	off = (int32_t)vd_get32(ks->addrs + 4 * (size_t)i, be);
	switch (ks->enc) {
	case VD_KSYMS_RELATIVE:
		return ks->base + (uint32_t)off;
	case VD_KSYMS_ABSOLUTE_PERCPU:
		return off >= 0 ? (uint64_t)off : ks->base - 1 - (int64_t)off;
	default:
		return ks->addrs_va + 4 * (uint64_t)i + (int64_t)off;
	}
}

/* ---- names -------------------------------------------------------------- */

/* The length at pos and where its tokens start; false past the table. */
static bool
name_len(const struct vd_ksyms *ks, size_t pos, size_t *len_ret, size_t *data_ret)
{
	size_t len;

	if (pos >= ks->names_len)
		return false;
	len = ks->names[pos++];
	if (len & 0x80) {
		if (pos >= ks->names_len)
			return false;
		len = (len & 0x7f) | ((size_t)ks->names[pos++] << 7);
	}
	if (len > ks->names_len - pos)
		return false;
	*len_ret = len;
	*data_ret = pos;
	return true;
}

/* The position of the name after the one at pos; 0 when malformed. */
static size_t
name_next(const struct vd_ksyms *ks, size_t pos)
{
	size_t len, data;

	return name_len(ks, pos, &len, &data) ? data + len : 0;
}

static uint32_t
marker(const struct vd_ksyms *ks, uint32_t m)
{
	if (ks->markers)
		return ks->markers[m];
	return ks->kmarker_size == 8 ? (uint32_t)vd_get64(ks->kmarkers + 8 * (size_t)m,
							  ks->mem.big_endian)
				     : vd_get32(ks->kmarkers + 4 * (size_t)m, ks->mem.big_endian);
}

/* Where the name of symbol i starts; false when the table is malformed. */
static bool
seek(const struct vd_ksyms *ks, uint32_t i, size_t *ret)
{
	const uint8_t *names = ks->names;
	size_t pos, end = ks->names_len;

	if (ks->have_table || i >= ks->num)
		return false;        // callers use the table
	pos = marker(ks, i >> 8);
	// name_next() (name_len()'s checks) a name at a time: up to 255
	// names skipped per seek, a dozen seeks per lookup by name.
	for (uint32_t k = 0, n = i & 0xff; k < n; k++) {
		size_t len;

		if (pos >= end)
			return false;
		len = names[pos++];
		if (len & 0x80) {
			if (pos >= end)
				return false;
			len = (len & 0x7f) | ((size_t)names[pos++] << 7);
		}
		if (len > end - pos)
			return false;
		pos += len;
	}
	*ret = pos;
	return true;
}

/*
 * Expand the name at pos into buf ("Tname\0"); returns the length without
 * the NUL, 0 when malformed.  *next_ret is the next name's position.
 */
static size_t
expand(const struct vd_ksyms *ks, size_t pos, char buf[KS_NAME_MAX + 1], size_t *next_ret)
{
	size_t len, data, used = 0;

	if (!name_len(ks, pos, &len, &data))
		return 0;
	for (size_t k = 0; k < len; k++) {
		unsigned char d = ks->names[data + k];
		size_t tl = ks->tok_len[d];

		if (tl > KS_NAME_MAX - used)
			return 0;
		memcpy(buf + used, ks->tokens + ks->tok_off[d], tl);
		used += tl;
	}
	buf[used] = '\0';
	if (next_ret)
		*next_ret = data + len;
	return used >= 2 ? used : 0;    // a type letter and a name
}

/*
 * Compare the name at pos (without its type letter) with want, as strcmp
 * does, decoding only as far as they agree.  *ok is false when malformed.
 */
static int
compare_at(const struct vd_ksyms *ks, size_t pos, const char *want, bool *ok)
{
	const unsigned char *w = (const unsigned char *)want;
	size_t len, data;
	bool first = true;

	*ok = name_len(ks, pos, &len, &data);
	if (!*ok)
		return 1;
	for (size_t k = 0; k < len; k++) {
		unsigned char d = ks->names[data + k];
		const unsigned char *t = (const unsigned char *)ks->tokens + ks->tok_off[d];
		size_t tl = ks->tok_len[d];

		if (first) {         // the type letter
			first = false;
			if (!tl--)
				continue;
			t++;
		}
		for (size_t j = 0; j < tl; j++, w++)
			if (t[j] != *w)
				return !*w ? 1 : t[j] < *w ? -1 : 1;
	}
	return *w ? -1 : 0;
}

/* Name of symbol i with its type letter, in the arena (NULL: malformed). */
static const char *
name_of(struct vd_ksyms *ks, uint32_t i)
{
	char buf[KS_NAME_MAX + 1];
	size_t pos;

	if (i >= ks->num)
		return NULL;
	if (ks->have_table) {
		uint32_t off = ks->table.name_off[i];

		// Checked at import: the names end with a NUL.
		return off < ks->table.names_len ? ks->table.names + off : NULL;
	}
	if (!seek(ks, i, &pos) || !expand(ks, pos, buf, NULL))
		return NULL;
	return vd_arena_strdup(&ks->arena, buf);
}

static int
compare_index(struct vd_ksyms *ks, uint32_t i, const char *want, bool *ok)
{
	size_t pos;

	if (ks->have_table) {
		const char *n = name_of(ks, i);

		*ok = n && n[0];
		return *ok ? strcmp(n + 1, want) : 1;
	}
	*ok = seek(ks, i, &pos);
	return *ok ? compare_at(ks, pos, want, ok) : 1;
}


/* ---- finding the tables when VMCOREINFO does not list them ------------- */

/* How far past _stext the tables may lie (text, then .rodata). */
#define KS_SCAN_MAX (128u << 20)
#define KS_SCAN_CHUNK (2u << 20)

struct located {
	uint64_t names, num, markers, table, index, offsets, base;
};

/* Whether the 256 u16 at p look like kallsyms_token_index. */
static bool
index_like(const struct vd_ksyms *ks, const uint8_t *p)
{
	bool be = ks->mem.big_endian;
	uint16_t prev = 0;

	if (vd_get16(p, be) != 0)
		return false;
	for (unsigned d = 1; d < 256; d++) {
		uint16_t v = vd_get16(p + 2 * d, be);

		// Tokens are at least one character and a NUL; the table
		// is a few KiB at most.
		if (v < prev + 2 || v > KS_MAX_TOKENS / 8)
			return false;
		prev = v;
	}
	return true;
}

/*
 * The token table ending just before the index at ip (within alignment):
 * every token_index[d] must follow a NUL, and the last token end there.
 */
static bool
table_before(const struct vd_ksyms *ks, const uint8_t *ip, const uint8_t *lo, uint64_t *len_ret)
{
	uint16_t last = vd_get16(ip + 510, ks->mem.big_endian);

	for (size_t pad = 0; pad < 8; pad++) {
		for (size_t tl = 1; tl < 64; tl++) {
			size_t len = (size_t)last + tl + 1 + pad;
			const uint8_t *t = ip - len;
			bool ok = true;

			if (t < lo)
				return false;
			if (t[last + tl] != 0 || memchr(t + last, 0, tl))
				continue;
			for (unsigned d = 1; ok && d < 256; d++)
				ok = t[vd_get16(ip + 2 * d, ks->mem.big_endian) - 1] == 0;
			if (ok) {
				*len_ret = len;
				return true;
			}
		}
	}
	return false;
}

/*
 * Given the token table at T, the markers before it (u32, the first 0),
 * the names before them, kallsyms_num_syms before those and, in the
 * layout of kernels that do not export the tables (before v6.0, order of
 * scripts/kallsyms.c write_src() then), kallsyms_offsets and
 * kallsyms_relative_base before that.
 */
static bool
layout_before(struct vd_ksyms *ks, uint64_t T, uint64_t floor, struct located *ret)
{
	enum { WINDOW = 6u << 20 };     /* names are ~1-3 MiB */
	uint64_t lo = T - floor > WINDOW ? T - WINDOW : floor;
	const uint8_t *w;
	struct vd_error *err;
	bool be = ks->mem.big_endian;

	if (T <= floor || (err = ks_map(ks, lo, T - lo, "the kallsyms region", (const void **)&w))) {
		if (T > floor)
			vd_error_destroy(err);
		return false;
	}
	for (unsigned es = 4; es <= 8; es += 4) {
		for (uint64_t pad = 0; pad < 8; pad += 4) {
			uint64_t end = T - lo - pad, k = end, mstart;
			uint32_t nm, last;

			// Walk back over increasing markers to the 0 of m[0].
			while (k >= es) {
				uint64_t v = es == 8 ? vd_get64(w + k - 8, be) : vd_get32(w + k - 4, be);

				k -= es;
				if (!v)
					break;
			}
			mstart = k;
			nm = (uint32_t)((end - mstart) / es);
			if (nm < 2 || (es == 8 ? vd_get64(w + mstart, be) : vd_get32(w + mstart, be)))
				continue;
			last = es == 8 ? (uint32_t)vd_get64(w + end - 8, be) : vd_get32(w + end - 4, be);
			// Names start where the last marker's block, walked to
			// the markers, begins: try where kallsyms_num_syms
			// before them agrees with the marker count.
			if (last >= mstart)
				continue;
			for (uint64_t n0 = (mstart - last) & ~(uint64_t)3;
			     n0 >= 8 && mstart - last - n0 < 255 * 256; n0 -= 4) {
				uint64_t nstart = n0, num_at;
				uint32_t num;

				for (num_at = nstart - 8; num_at < nstart; num_at += 4) {
					size_t pos;

					num = vd_get32(w + num_at, be);
					if (!num || (num + 255) / 256 != nm)
						continue;
					// Walk the names of the last block.
					ks->names = w + nstart;
					ks->names_len = mstart - nstart;
					ks->num = num;
					pos = last;
					for (uint32_t i = 256 * (nm - 1); pos && i < num; i++)
						pos = name_next(ks, pos);
					if (!pos || pos > mstart - nstart || mstart - nstart - pos >= 8)
						continue;
					*ret = (struct located){
						.names = lo + nstart, .num = lo + num_at,
						.markers = lo + mstart, .table = T,
					};
					// Offsets and the base precede num_syms.
					ret->base = (lo + num_at - 8) & ~(uint64_t)7;
					ret->offsets = (ret->base - 4 * (uint64_t)num) & ~(uint64_t)7;
					ks->names = NULL;
					ks->names_len = 0;
					return true;
				}
			}
		}
	}
	ks->names = NULL;
	ks->names_len = 0;
	return false;
}

/* The tables around a token index at ia (mapped at p, lo its floor). */
static bool
found_at(struct vd_ksyms *ks, uint64_t ia, const uint8_t *p, const uint8_t *lo,
	 uint64_t floor, struct located *ret)
{
	uint64_t tlen;

	if (!index_like(ks, p) || !table_before(ks, p, lo, &tlen) ||
	    !layout_before(ks, ia - tlen, floor, ret))
		return false;
	ret->index = ia;
	return true;
}

/*
 * The kernel image from _stext, scanned for the token index and table
 * (or first where an earlier session found them: hint).
 */
static bool
locate(struct vd_ksyms *ks, uint64_t hint, struct located *ret)
{
	bool be = ks->mem.big_endian;
	uint64_t stext, nchunks_first = 0;

	if (!ks_symbol(ks, "_stext", &stext))
		return false;
	if (hint && hint < KS_SCAN_MAX && hint >= 4096 && !(hint % 8)) {
		const uint8_t *p;
		struct vd_error *err = ks_map(ks, stext + hint - 4096, 4096 + 512,
					      "kallsyms_token_index", (const void **)&p);

		if (!err && found_at(ks, stext + hint, p + 4096, p, stext, ret))
			return true;
		vd_error_destroy(err);
	}
	// The tables are read-only data, between the text and the data: when
	// VMCOREINFO names a variable (init_uts_ns, in .data), the chunks
	// from there down to _stext come first (a third of the way on x86_64
	// 5.10), the rest after.
	{
		uint64_t data;

		if (ks_symbol(ks, "init_uts_ns", &data) && data > stext &&
		    data - stext < KS_SCAN_MAX)
			nchunks_first = (data - stext) / KS_SCAN_CHUNK + 1;
	}
	for (uint64_t k = 0; k < KS_SCAN_MAX / KS_SCAN_CHUNK; k++) {
		// Each chunk with the 4 KiB before it: a token table that
		// starts in the previous chunk is whole.
		uint64_t off = (k < nchunks_first ? nchunks_first - 1 - k : k) * KS_SCAN_CHUNK;
		uint64_t back = off ? 4096 : 0;
		size_t len = back + KS_SCAN_CHUNK + 512;
		const uint8_t *p;
		bool copy;
		struct vd_error *err = ks_map(ks, stext + off - back, len, "the kernel image",
					      (const void **)&p);

		if (err) {       // past the image (or a hole): the scan ends there
			vd_error_destroy(err);
			if (k < nchunks_first)
				continue;
			return false;
		}
		copy = ks->nowned && ks->owned[ks->nowned - 1] == p;
		for (size_t i = back; i < back + KS_SCAN_CHUNK; i += 8) {
			// A quick filter on the first three entries (0, then
			// two increasing by 2+): one load, no calls.
			uint16_t e0 = vd_get16(p + i, be), e1 = vd_get16(p + i + 2, be);
			uint16_t e2 = vd_get16(p + i + 4, be);

			if (e0 || e1 < 2 || e1 > 64 || e2 < e1 + 2 || e2 > e1 + 64)
				continue;
			if (found_at(ks, stext + off - back + i, p + i, p, stext, ret))
				return true;
		}
		// Scanned bytes are not kept: a copy freed, the dump's own
		// pages given back.
		if (copy)
			free(ks->owned[--ks->nowned]);
		else if (ks->mem.release)
			ks->mem.release(ks->mem.ctx, p, len);
	}
	return false;
}

/* ---- opening ------------------------------------------------------------ */

static struct vd_error *
missing(const char *sym, const char *why)
{
	return vd_error_create(VD_ERR_LOOKUP, "VMCOREINFO has no SYMBOL(%s)%s", sym, why);
}

/*
 * Where the names region ends: the nearest of the other tables above it
 * (kallsyms_markers and seqs lie inside, before the token table).
 */
static uint64_t
region_end(const uint64_t *addrs, size_t n, uint64_t start)
{
	uint64_t end = UINT64_MAX;

	for (size_t i = 0; i < n; i++)
		if (addrs[i] > start && addrs[i] < end)
			end = addrs[i];
	return end;
}

/*
 * Whether markers of size es at off (in the names region) are the
 * kernel's: the first is 0, they grow, and the names after the last one
 * end just before them (within alignment).
 */
static bool
markers_fit(struct vd_ksyms *ks, size_t off, unsigned es)
{
	uint32_t nm = (ks->num + 255) / 256, prev = 0, left;
	size_t pos;

	if (off % es || !vd_range_ok(off, (uint64_t)nm * es, ks->names_len))
		return false;
	ks->kmarkers = ks->names + off;
	ks->kmarker_size = es;
	for (uint32_t m = 0; m < nm; m++) {
		uint32_t v = marker(ks, m);

		if ((m == 0 && v) || (m && v <= prev) || v >= off)
			return false;
		prev = v;
	}
	pos = prev;
	left = ks->num - 256 * (nm - 1);
	for (uint32_t k = 0; k < left; k++)
		if (!(pos = name_next(ks, pos)))
			return false;
	if (pos > off || off - pos >= 8)
		return false;
	ks->names_end = pos;
	return true;
}

/* The kernel's kallsyms_markers, else markers built in one pass. */
static struct vd_error *
find_markers(struct vd_ksyms *ks)
{
	uint32_t nm = (ks->num + 255) / 256;
	size_t ends[2] = { ks->names_len, 0 };
	size_t pos = 0;

	// Right before the token table; or before kallsyms_seqs_of_names
	// when that sits between them (Debian's 6.1).
	if (ks->names_len > 3 * (size_t)ks->num)
		ends[1] = (ks->names_len - 3 * (size_t)ks->num) & ~(size_t)3;
	for (size_t e = 0; e < VD_ARRAY_SIZE(ends); e++)
		for (unsigned es = 4; es <= 8; es += 4)
			for (size_t pad = 0; pad < 8; pad += 4) {
				size_t need = (size_t)nm * es + pad;

				if (ends[e] >= need && markers_fit(ks, ends[e] - need, es))
					return NULL;
			}
	ks->kmarkers = NULL;
	ks->markers = malloc((size_t)nm * sizeof(*ks->markers));
	if (!ks->markers)
		return &vd_enomem;
	for (uint32_t i = 0; i < ks->num; i++) {
		if (!(i & 0xff))
			ks->markers[i >> 8] = (uint32_t)pos;
		if (!(pos = name_next(ks, pos)))
			return vd_error_create(VD_ERR_CORRUPT,
					       "kallsyms_names ends before its %u symbols", ks->num);
	}
	ks->names_end = pos;
	return NULL;
}

static uint32_t
seq_at(const struct vd_ksyms *ks, uint32_t k)
{
	const uint8_t *p = ks->seqs + 3 * (size_t)k;

	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

/*
 * Whether the 3-byte entries at p are kallsyms_seqs_of_names: at 64
 * spread entries (the first and last among them) indexes in range and
 * (name, index) strictly increasing -- scripts/kallsyms.c
 * sort_symbols_by_name() orders equal names by address, then as listed.
 */
static bool
seqs_fit(struct vd_ksyms *ks, const uint8_t *p)
{
	char prev[KS_NAME_MAX + 1], cur[KS_NAME_MAX + 1];
	uint32_t steps = VD_MIN(ks->num, 64u), prev_i = 0;

	ks->seqs = p;
	prev[0] = '\0';
	for (uint32_t s = 0; s < steps; s++) {
		uint32_t k = steps > 1 ? (uint32_t)((uint64_t)s * (ks->num - 1) / (steps - 1)) : 0;
		uint32_t i = seq_at(ks, k);
		size_t pos;
		int r;

		if (i >= ks->num || !seek(ks, i, &pos) || !expand(ks, pos, cur, NULL))
			goto no;
		r = s ? strcmp(prev + 1, cur + 1) : -1;
		if (r > 0 || (r == 0 && prev_i >= i))
			goto no;
		memcpy(prev, cur, strlen(cur) + 1);
		prev_i = i;
	}
	return true;
no:
	ks->seqs = NULL;
	return false;
}

/* kallsyms_seqs_of_names where the layouts of its era put it, if there. */
static void
find_seqs(struct vd_ksyms *ks, const uint64_t *tab, size_t ntab)
{
	size_t len = 3 * (size_t)ks->num;
	uint64_t after[3];
	size_t nafter = 0;

	// Inside the names region: right after the markers (Debian's 6.1).
	if (ks->kmarkers) {
		size_t mend = (size_t)(ks->kmarkers - ks->names) +
			      (size_t)((ks->num + 255) / 256) * ks->kmarker_size;

		for (size_t a = 0; a < 8; a += 4)
			if (vd_range_ok(mend + a, len, ks->names_len) &&
			    seqs_fit(ks, ks->names + mend + a))
				return;
	}
	// After the address tables (6.4 on): kallsyms_offsets, then
	// kallsyms_relative_base if the kernel has one.
	for (size_t i = 0; i < ntab; i++)
		if (tab[i])
			after[nafter++] = tab[i];
	for (size_t i = 0; i < nafter; i++) {
		for (uint64_t a = 0; a < 8; a += 4) {
			const void *p;
			struct vd_error *err;

			if (after[i] + a < after[i])
				continue;
			err = ks_map(ks, after[i] + a, len, "kallsyms_seqs_of_names", &p);
			if (err) {
				vd_error_destroy(err);
				continue;
			}
			if (seqs_fit(ks, p))
				return;
			// A copy that did not fit is not kept.
			if (ks->nowned && ks->owned[ks->nowned - 1] == p)
				free(ks->owned[--ks->nowned]);
		}
	}
}

static void
token_hashes(struct vd_ksyms *ks)
{
	for (unsigned d = 0; d < 256; d++) {
		const unsigned char *t = (const unsigned char *)ks->tokens + ks->tok_off[d];
		uint64_t h = 0, p = 1;

		for (size_t j = ks->tok_len[d]; j-- > 0;) {
			h += t[j] * p;
			p *= KS_HASH_MUL;
			if (j == 1) {
				ks->tok_hash1[d] = h;
				ks->tok_pow1[d] = p;
			}
		}
		if (ks->tok_len[d] <= 1) {
			ks->tok_hash1[d] = 0;
			ks->tok_pow1[d] = 1;
		}
		ks->tok_hash[d] = h;
		ks->tok_pow[d] = p;
	}
}

static struct vd_error *
read_tokens(struct vd_ksyms *ks, uint64_t table, uint64_t index)
{
	const void *p, *ip;
	struct vd_error *err;

	if (index <= table || index - table > KS_MAX_TOKENS)
		return vd_error_create(VD_ERR_CORRUPT,
				       "kallsyms_token_table (0x%llx) does not precede kallsyms_token_index (0x%llx)",
				       (unsigned long long)table, (unsigned long long)index);
	ks->tokens_len = index - table;
	if ((err = ks_map(ks, table, ks->tokens_len, "kallsyms_token_table", &p)) ||
	    (err = ks_map(ks, index, 512, "kallsyms_token_index", &ip)))
		return err;
	ks->tokens = p;
	for (unsigned d = 0; d < 256; d++) {
		uint16_t off = vd_get16((const uint8_t *)ip + 2 * d, ks->mem.big_endian);

		if (off >= ks->tokens_len)
			return vd_error_create(VD_ERR_CORRUPT,
					       "kallsyms_token_index[%u] = %u points past the token table",
					       d, off);
		ks->tok_off[d] = off;
		ks->tok_len[d] = (uint16_t)strnlen(ks->tokens + off, ks->tokens_len - off);
	}
	token_hashes(ks);
	return NULL;
}

/* Scan for the first symbol named want (no index): its index or -1. */
static int64_t
scan_name(struct vd_ksyms *ks, const char *want)
{
	size_t pos = 0;

	for (uint32_t i = 0; i < ks->num; i++) {
		bool ok;

		if (!compare_at(ks, pos, want, &ok))
			return i;
		if (!ok || !(pos = name_next(ks, pos)))
			return -1;
	}
	return -1;
}

/* Which encoding puts _stext where VMCOREINFO says it is. */
static struct vd_error *
pick_encoding(struct vd_ksyms *ks, bool have_base)
{
	static const enum vd_ksyms_encoding rel[] = { VD_KSYMS_ABSOLUTE_PERCPU,
						      VD_KSYMS_RELATIVE };
	uint64_t stext;
	int64_t i;

	if (!ks_symbol(ks, "_stext", &stext))
		return missing("_stext", " to check kallsyms against");
	i = scan_name(ks, "_stext");
	if (i < 0)
		return vd_error_create(VD_ERR_CORRUPT, "kallsyms has no _stext");
	if (ks->enc == VD_KSYMS_ABSOLUTE || ks->enc == VD_KSYMS_PLACE_RELATIVE) {
		if (sym_addr(ks, (uint32_t)i) == stext)
			return NULL;
	} else if (have_base) {
		for (size_t e = 0; e < VD_ARRAY_SIZE(rel); e++) {
			ks->enc = rel[e];
			if (sym_addr(ks, (uint32_t)i) == stext)
				return NULL;
		}
	}
	return vd_error_create(VD_ERR_CORRUPT,
			       "no kallsyms address encoding puts _stext at 0x%llx (%s)",
			       (unsigned long long)stext,
			       ks->enc == VD_KSYMS_ABSOLUTE ? "kallsyms_addresses" :
			       ks->enc == VD_KSYMS_PLACE_RELATIVE ?
			       "place-relative kallsyms_offsets" :
			       "kallsyms_offsets from kallsyms_relative_base");
}

static struct vd_error *
ks_open(struct vd_ksyms *ks)
{
	uint64_t a_num, a_names, a_table, a_index, a_offsets = 0, a_base = 0, a_abs = 0;
	uint64_t tab[5];
	bool be = ks->mem.big_endian, have_base;
	const void *p;
	struct vd_error *err;

	if (!ks_symbol(ks, "kallsyms_names", &a_names)) {
		// Not exported (before 5fd8fea935a1 "vmcoreinfo: include
		// kallsyms symbols"): look for them in the image.
		struct located l;
		uint64_t stext = 0;

		if (!locate(ks, ks->mem.index_hint, &l))
			return missing("kallsyms_names",
				       ": the kernel did not export its kallsyms tables to the dump (VMCOREINFO lists them since 5fd8fea935a1 \"vmcoreinfo: include kallsyms symbols\"), and no kallsyms tables were found in the kernel image after _stext");
		a_names = l.names, a_num = l.num, a_table = l.table, a_index = l.index;
		a_offsets = l.offsets, a_base = l.base;
		have_base = true;
		ks->enc = VD_KSYMS_RELATIVE;
		ks->located = true;
		ks_symbol(ks, "_stext", &stext);
		ks->index_rel = l.index - stext;
	} else {
		if (!ks_symbol(ks, "kallsyms_num_syms", &a_num))
			return missing("kallsyms_num_syms", "");
		if (!ks_symbol(ks, "kallsyms_token_table", &a_table))
			return missing("kallsyms_token_table", "");
		if (!ks_symbol(ks, "kallsyms_token_index", &a_index))
			return missing("kallsyms_token_index", "");
		// Addresses: what VMCOREINFO exports says how they are encoded.
		have_base = ks_symbol(ks, "kallsyms_relative_base", &a_base);
		if (ks_symbol(ks, "kallsyms_offsets", &a_offsets)) {
			ks->enc = have_base ? VD_KSYMS_RELATIVE : VD_KSYMS_PLACE_RELATIVE;
		} else if (ks_symbol(ks, "kallsyms_addresses", &a_abs)) {
			ks->enc = VD_KSYMS_ABSOLUTE;
		} else {
			return vd_error_create(VD_ERR_LOOKUP,
					       "VMCOREINFO has neither SYMBOL(kallsyms_offsets) nor SYMBOL(kallsyms_addresses): kallsyms names without addresses");
		}
	}
	if ((err = ks_map(ks, a_num, 4, "kallsyms_num_syms", &p)))
		return err;
	ks->num = vd_get32(p, be);
	if (!ks->num || ks->num > KS_MAX_SYMS)
		return vd_error_create(VD_ERR_CORRUPT,
				       "kallsyms_num_syms is %u: not a symbol count", ks->num);
	tab[0] = a_num, tab[1] = a_table, tab[2] = a_index, tab[3] = a_offsets ? a_offsets : a_abs;
	tab[4] = a_base;
	// The names run to the next table (the token table in every layout).
	{
		uint64_t end = region_end(tab, VD_ARRAY_SIZE(tab), a_names);

		if (end == UINT64_MAX || end - a_names > KS_MAX_NAMES || end - a_names < ks->num)
			return vd_error_create(VD_ERR_CORRUPT,
					       "kallsyms tables are not laid out as expected (names 0x%llx, token table 0x%llx, token index 0x%llx)",
					       (unsigned long long)a_names, (unsigned long long)a_table,
					       (unsigned long long)a_index);
		ks->names_len = end - a_names;
	}
	if ((err = ks_map(ks, a_names, ks->names_len, "kallsyms_names", &p)))
		return err;
	ks->names = p;
	if ((err = read_tokens(ks, a_table, a_index)))
		return err;
	ks->addrs_va = a_offsets ? a_offsets : a_abs;
	if ((err = ks_map(ks, ks->addrs_va,
			  (size_t)ks->num * (ks->enc == VD_KSYMS_ABSOLUTE ? ks->mem.ptr_size : 4),
			  a_offsets ? "kallsyms_offsets" : "kallsyms_addresses", &p)))
		return err;
	ks->addrs = p;
	if (have_base) {
		if ((err = ks_map(ks, a_base, ks->mem.ptr_size, "kallsyms_relative_base", &p)))
			return err;
		ks->base = ks->mem.ptr_size == 4 ? vd_get32(p, be) : vd_get64(p, be);
	}
	if ((err = pick_encoding(ks, have_base)) || (err = find_markers(ks)))
		return err;
	{
		uint64_t after[2] = { 0, 0 };

		if (a_offsets)
			after[0] = a_offsets + 4 * (uint64_t)ks->num;
		if (have_base)
			after[1] = a_base + ks->mem.ptr_size;
		find_seqs(ks, after, 2);
	}
	return NULL;
}

struct vd_error *
vd_ksyms_open(const struct vd_ksyms_mem *mem, struct vd_ksyms **ret)
{
	struct vd_ksyms *ks = calloc(1, sizeof(*ks));
	struct vd_error *err;

	if (!ks)
		return &vd_enomem;
	ks->mem = *mem;
	if (ks->mem.ptr_size != 4 && ks->mem.ptr_size != 8)
		ks->mem.ptr_size = 8;
	err = ks_open(ks);
	if (err) {
		vd_ksyms_destroy(ks);
		return vd_error_wrap(err, "decoding kallsyms");
	}
	*ret = ks;
	return NULL;
}

void
vd_ksyms_destroy(struct vd_ksyms *ks)
{
	if (!ks)
		return;
	for (size_t i = 0; i < ks->nowned; i++)
		free(ks->owned[i]);
	free(ks->markers);
	vd_htab_free(&ks->index);
	free(ks->export_names);
	free(ks->export_off);
	vd_arena_deinit(&ks->arena);
	free(ks);
}

void
vd_ksyms_layout(const struct vd_ksyms *ks, struct vd_ksyms_layout *ret)
{
	*ret = (struct vd_ksyms_layout){
		.num = ks->num, .encoding = ks->enc, .kernel_markers = ks->kmarkers != NULL,
		.seqs_of_names = ks->seqs != NULL, .located = ks->located,
		.index_rel = ks->index_rel,
	};
}

uint32_t
vd_ksyms_count(const struct vd_ksyms *ks)
{
	return ks->num;
}

/* ---- lookups ------------------------------------------------------------ */

/* Guessed size: to the next higher address, at most 1 MiB; 4096 last. */
static uint64_t
guess_size(const struct vd_ksyms *ks, uint32_t i, uint64_t addr)
{
	for (uint32_t j = i + 1, steps = 0; j < ks->num && steps < 4096; j++, steps++) {
		uint64_t next = sym_addr(ks, j);

		if (next != addr)
			return next > addr ? VD_MIN(next - addr, 1u << 20) : 0;
	}
	return 4096;
}

static bool
fill(struct vd_ksyms *ks, uint32_t i, const char *name, struct vd_ksym *ret)
{
	if (!name)
		name = name_of(ks, i);
	if (!name || !name[0] || !name[1])
		return false;
	ret->name = name + 1;
	ret->type = name[0];
	ret->addr = sym_addr(ks, i);
	ret->size = guess_size(ks, i, ret->addr);
	ret->index = i;
	return true;
}

static uint64_t
hash_string(const char *s)
{
	uint64_t h = 0;

	for (; *s; s++)
		h = h * KS_HASH_MUL + (unsigned char)*s;
	return h;
}

/* The name hash of the symbol at pos (without the type letter). */
static bool
hash_at(const struct vd_ksyms *ks, size_t pos, uint64_t *ret, size_t *next_ret)
{
	size_t len, data;
	uint64_t h = 0;

	if (!name_len(ks, pos, &len, &data) || !len)
		return false;
	h = ks->tok_hash1[ks->names[data]];
	for (size_t k = 1; k < len; k++) {
		unsigned char d = ks->names[data + k];

		h = h * ks->tok_pow[d] + ks->tok_hash[d];
	}
	*ret = h;
	*next_ret = data + len;
	return true;
}

/*
 * Build the name index in one pass (once; kept on failure: scans).  Its
 * slots are the cache file's (symbols/kallsyms.c): vd_htab_home() places
 * them, as it did when the index had its own table.
 */
static bool
build_hash(struct vd_ksyms *ks)
{
	size_t pos = 0;
	struct vd_error *err;

	if ((err = vd_htab_init(&ks->index, ks->num))) {
		vd_error_destroy(err);
		return false;
	}
	for (uint32_t i = 0; i < ks->num; i++) {
		uint64_t h;
		const char *n;

		if (ks->have_table) {
			n = name_of(ks, i);
			if (!n || !n[0])
				goto bad;
			h = hash_string(n + 1);
		} else if (!hash_at(ks, pos, &h, &pos)) {
			goto bad;
		}
		// The first of equal names is met first; room for all.
		if ((err = vd_htab_add(&ks->index, h, i, NULL, NULL))) {
			vd_error_destroy(err);
			goto bad;
		}
	}
	return true;
bad:
	vd_htab_free(&ks->index);
	return false;
}

static int64_t
hash_lookup(struct vd_ksyms *ks, const struct vd_htab *t, const char *want)
{
	struct vd_htab_probe p;

	for (uint32_t i = vd_htab_first(t, hash_string(want), &p); i != VD_HTAB_END;
	     i = vd_htab_next(t, &p)) {
		bool ok;

		if (i < ks->num && !compare_index(ks, i, want, &ok) && ok)
			return i;
	}
	return -1;
}

static int64_t
seqs_lookup(struct vd_ksyms *ks, const char *want)
{
	uint32_t lo = 0, hi = ks->num, best = UINT32_MAX;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2, i = seq_at(ks, mid);
		bool ok;
		int r = i < ks->num ? compare_index(ks, i, want, &ok) : (ok = false, 1);

		if (!ok)
			return -1;
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	// Equal names: the lowest index, as the kernel's lookup answers.
	for (uint32_t k = lo; k < ks->num && k - lo < KS_ALIAS_MAX; k++) {
		uint32_t i = seq_at(ks, k);
		bool ok;

		if (i >= ks->num || compare_index(ks, i, want, &ok) || !ok)
			break;
		best = VD_MIN(best, i);
	}
	return best == UINT32_MAX ? -1 : (int64_t)best;
}

bool
vd_ksyms_cacheable(const struct vd_ksyms *ks)
{
	return !ks->seqs;
}

bool
vd_ksyms_wants_index(const struct vd_ksyms *ks)
{
	return (ks->index.slot || ks->listed || ks->located) && !ks->have_table && !ks->seqs;
}

bool
vd_ksyms_by_name(struct vd_ksyms *ks, const char *want, struct vd_ksym *ret)
{
	int64_t i;

	if (!*want || strlen(want) > KS_NAME_MAX)
		return false;
	if (ks->have_table && ks->table_index.slot)
		i = hash_lookup(ks, &ks->table_index, want);
	else if (ks->seqs)
		i = seqs_lookup(ks, want);
	else if (ks->index.slot)
		i = hash_lookup(ks, &ks->index, want);
	else if (ks->scans++ < KS_SCANS_BEFORE_INDEX || !build_hash(ks))
		i = scan_name(ks, want);
	else
		i = hash_lookup(ks, &ks->index, want);
	return i >= 0 && fill(ks, (uint32_t)i, NULL, ret);
}

bool
vd_ksyms_by_addr(struct vd_ksyms *ks, uint64_t addr, struct vd_ksym *ret)
{
	uint32_t lo = 0, hi = ks->num, best;
	const char *bname;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (sym_addr(ks, mid) <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return false;
	best = lo - 1;
	if (!(bname = name_of(ks, best)))
		return false;
	// Aliases: walking down, each is listed before the best so far.
	for (uint32_t j = best, steps = 0; j-- > 0 && steps < KS_ALIAS_MAX; steps++) {
		const char *x;

		if (sym_addr(ks, j) != sym_addr(ks, best))
			break;
		if (!(x = name_of(ks, j)) || !x[0])
			return false;
		if (vd_ksyms_alias_better(x + 1, x[0], bname + 1, bname[0])) {
			best = j;
			bname = x;
		}
	}
	if (!fill(ks, best, bname, ret))
		return false;
	return ret->size && addr - ret->addr < ret->size;
}

struct vd_error *
vd_ksyms_nth(struct vd_ksyms *ks, uint32_t i, struct vd_ksym *ret)
{
	char buf[KS_NAME_MAX + 1];
	const char *name;
	size_t pos, next;

	if (i >= ks->num)
		return vd_error_create(VD_ERR_INVALID_ARG, "no kallsyms symbol %u", i);
	if (ks->have_table) {
		name = name_of(ks, i);
	} else {
		if (i && i == ks->cur_i + 1 && ks->cur_pos)
			pos = ks->cur_pos;
		else if (!seek(ks, i, &pos))
			goto corrupt;
		if (!expand(ks, pos, buf, &next))
			goto corrupt;
		ks->cur_i = i;
		ks->cur_pos = next;
		ks->listed |= i == ks->num - 1;
		name = vd_arena_strdup(&ks->arena, buf);
		if (!name)
			return &vd_enomem;
	}
	if (fill(ks, i, name, ret))
		return NULL;
corrupt:
	return vd_error_create(VD_ERR_CORRUPT, "kallsyms_names: symbol %u is malformed", i);
}

/* ---- the decoded table, for the cache ---------------------------------- */

struct vd_error *
vd_ksyms_export(struct vd_ksyms *ks, struct vd_ksyms_table *ret)
{
	char buf[KS_NAME_MAX + 1];
	size_t cap, used = 0, pos = 0;

	if (ks->have_table) {
		*ret = ks->table;
		return NULL;
	}
	// One allocation sized from the compressed names (tokens expand
	// ~2-3x); grown at most a few times.
	cap = (ks->names_end ? ks->names_end : ks->names_len) * 3 + KS_NAME_MAX + 1;
	free(ks->export_names);
	free(ks->export_off);
	ks->export_names = malloc(cap);
	ks->export_off = malloc((size_t)ks->num * sizeof(*ks->export_off));
	if (!ks->export_names || !ks->export_off)
		return &vd_enomem;
	for (uint32_t i = 0; i < ks->num; i++) {
		size_t n = expand(ks, pos, buf, &pos);

		if (!n)
			return vd_error_create(VD_ERR_CORRUPT,
					       "kallsyms_names: symbol %u is malformed", i);
		if (cap - used < n + 1) {
			char *p;

			cap = 2 * cap + n + 1;
			if (cap > UINT32_MAX || !(p = realloc(ks->export_names, cap)))
				return &vd_enomem;
			ks->export_names = p;
		}
		ks->export_off[i] = (uint32_t)used;
		memcpy(ks->export_names + used, buf, n + 1);
		used += n + 1;
	}
	if (!ks->index.slot && !build_hash(ks))
		return vd_error_create(VD_ERR_CORRUPT, "kallsyms_names: cannot index the names");
	*ret = (struct vd_ksyms_table){
		.names = ks->export_names, .names_len = used, .name_off = ks->export_off,
		.hash = ks->index.slot, .hash_size = ks->index.mask + 1,
	};
	return NULL;
}

bool
vd_ksyms_import(struct vd_ksyms *ks, const struct vd_ksyms_table *t)
{
	char buf[KS_NAME_MAX + 1];
	uint32_t probe[3] = { 0, ks->num / 2, ks->num - 1 };
	struct vd_htab index;

	// Bounds: every name inside the blob, which ends with a NUL; the
	// hash a power of two holding indexes in range.
	if (!t->names_len || t->names[t->names_len - 1] || t->hash_size < ks->num ||
	    !vd_htab_borrow(&index, t->hash, t->hash_size, ks->num))
		return false;
	for (uint32_t i = 0; i < ks->num; i++)
		if (t->name_off[i] >= t->names_len)
			return false;
	// The same table as the dump's: a few names decoded both ways.
	for (size_t k = 0; k < VD_ARRAY_SIZE(probe); k++) {
		size_t pos;

		if (!seek(ks, probe[k], &pos) || !expand(ks, pos, buf, NULL) ||
		    strcmp(buf, t->names + t->name_off[probe[k]]))
			return false;
	}
	ks->table = *t;
	ks->table_index = index;
	ks->have_table = true;
	return true;
}
