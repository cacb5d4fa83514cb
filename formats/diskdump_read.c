// SPDX-License-Identifier: MIT
/*
 * kdump-compressed pages: PFN -> page descriptor by prefix popcount, then
 * the page data, raw or decompressed to exactly one block.
 *
 * A page is RAM when its bit is set in the first bitmap and in the dump
 * when it is set in the second; descriptors exist for the set bits of the
 * second bitmap from start_pfn on, in PFN order (docs/formats.md), so the descriptor index of a PFN is the number of dumped pages in
 * [start_pfn, pfn).  makedumpfile writes a page raw (flags 0, size =
 * block_size) when compressing does not make it smaller; otherwise one
 * zlib stream (compress2), one LZO1X-1 block, one raw snappy block or one
 * zstd frame per page (makedumpfile.c write_kdump_pages_*).
 */
#include <lzo/lzo1x.h>
#include <pthread.h>
#include <snappy-c.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "common/dl.h"
#include "common/util.h"
#include "diskdump.h"

/* Descriptors sampled at open to name the compression in use. */
#define DD_SAMPLE_DESCS 64

bool
vd_diskdump_bit(const unsigned char *bitmap, uint64_t bit)
{
	return bitmap[bit / 8] >> (bit % 8) & 1;
}

/*
 * Read chunk ci of both bitmaps into slot c and index it.  Bytes past the
 * bitmaps' end (the last chunk) read as zeros.
 */
static struct vd_error *
load_chunk(struct diskdump *dd, struct dd_chunk *c, uint64_t ci)
{
	uint64_t from = ci * DD_CHUNK_BYTES;
	size_t n = from < dd->bitmap_bytes ?
		   (size_t)VD_MIN((uint64_t)DD_CHUNK_BYTES, dd->bitmap_bytes - from) : 0;
	struct vd_error *err;
	uint32_t sum = 0;

	c->index = UINT64_MAX;
	memset(c->ram + n, 0, DD_CHUNK_BYTES - n);
	err = vd_file_pread(dd->file, dd->ram_bm_off + from, c->ram, n, "bitmap");
	if (!err && c->dump != c->ram) {
		memset(c->dump + n, 0, DD_CHUNK_BYTES - n);
		err = vd_file_pread(dd->file, dd->dump_bm_off + from, c->dump, n,
				    "bitmap");
	}
	if (err)
		return err;
	for (size_t i = 0; i < VD_ARRAY_SIZE(c->sub); i++) {
		c->sub[i] = sum;
		for (size_t w = 0; w < DD_RANK_PFNS / 64; w++)
			sum += (uint32_t)__builtin_popcountll(
				vd_get64(c->dump + i * (DD_RANK_PFNS / 8) + w * 8,
					 false));
	}
	c->index = ci;
	return NULL;
}

struct vd_error *
vd_diskdump_chunk(struct diskdump *dd, uint64_t pfn,
		  const struct dd_chunk **ret)
{
	uint64_t ci = pfn >> DD_CHUNK_SHIFT;
	struct dd_chunk *victim = &dd->chunks[0];
	struct vd_error *err;

	for (size_t i = 0; i < DD_CHUNK_CACHE; i++) {
		struct dd_chunk *c = &dd->chunks[i];

		if (c->index == ci) {
			c->used = ++dd->chunk_clock;
			*ret = c;
			return NULL;
		}
		if (c->used < victim->used)
			victim = c;
	}
	err = load_chunk(dd, victim, ci);
	if (err)
		return err;
	victim->used = ++dd->chunk_clock;
	*ret = victim;
	return NULL;
}

/*
 * Chunks with no dumped page (equal counts before and after) are skipped
 * without reading them; at most one chunk is read and scanned per call
 * that finds a page.
 */
uint64_t
vd_diskdump_next_page(void *priv, uint64_t pfn)
{
	struct diskdump *dd = priv;

	pfn = VD_MAX(pfn, dd->start_pfn);
	while (pfn < dd->end_pfn) {
		uint64_t ci = pfn >> DD_CHUNK_SHIFT, p0 = ci << DD_CHUNK_SHIFT;
		uint64_t lim = VD_MIN(p0 + DD_CHUNK_PFNS, dd->end_pfn);
		const struct dd_chunk *c;
		struct vd_error *err;

		if (dd->chunk_rank[ci + 1] == dd->chunk_rank[ci]) {
			pfn = p0 + DD_CHUNK_PFNS;
			continue;
		}
		err = vd_diskdump_chunk(dd, pfn, &c);
		if (err) {
			// Unreadable bitmap: let the read itself say so.
			vd_error_destroy(err);
			return pfn;
		}
		while (pfn < lim) {
			uint64_t i = pfn - p0;
			uint64_t w = vd_get64(c->dump + i / 64 * 8, false) >> (i & 63);

			if (w)
				return pfn + (uint64_t)__builtin_ctzll(w) < lim ?
				       pfn + (uint64_t)__builtin_ctzll(w) : UINT64_MAX;
			pfn += 64 - (i & 63);
		}
		pfn = lim;
	}
	return UINT64_MAX;
}

/* Dumped pages in [0, pfn): two table entries and at most 8 popcounts. */
uint64_t
vd_diskdump_rank(const struct diskdump *dd, const struct dd_chunk *c,
		 uint64_t pfn)
{
	uint64_t in = pfn & (DD_CHUNK_PFNS - 1);
	uint64_t r = dd->chunk_rank[pfn >> DD_CHUNK_SHIFT] + c->sub[in >> DD_RANK_SHIFT];
	uint64_t w = (in >> DD_RANK_SHIFT) * (DD_RANK_PFNS / 64);

	for (; w < in / 64; w++)
		r += (uint64_t)__builtin_popcountll(vd_get64(c->dump + w * 8, false));
	if (in & 63)
		r += (uint64_t)__builtin_popcountll(vd_get64(c->dump + w * 8, false) &
						    ((1ull << (in & 63)) - 1));
	return r;
}

static const char *
comp_name(uint32_t flags)
{
	switch (flags & DD_COMPRESSED) {
	case DD_ZLIB: return "zlib";
	case DD_LZO: return "lzo";
	case DD_SNAPPY: return "snappy";
	case DD_ZSTD: return "zstd";
	case 0: return "raw";
	default: return "several";
	}
}

static uint64_t
pfn_addr(const struct diskdump *dd, uint64_t pfn)
{
	return pfn * dd->block_size;
}

static struct vd_error *page_corrupt(const struct diskdump *dd, uint64_t pfn,
				     uint64_t doff, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* "FILE: page PFN (page descriptor at file offset X): what is wrong" */
static struct vd_error *
page_corrupt(const struct diskdump *dd, uint64_t pfn, uint64_t doff,
	     const char *fmt, ...)
{
	struct vd_error *err;
	va_list ap;

	va_start(ap, fmt);
	err = vd_error_vcreate(VD_ERR_CORRUPT, fmt, ap);
	va_end(ap);
	return vd_error_wrap(err, "%s: page 0x%llx (page descriptor at file offset 0x%llx)",
			     dd->file->path, (unsigned long long)pfn,
			     (unsigned long long)doff);
}

static struct vd_error *
page_lost(const struct diskdump *dd, uint64_t pfn)
{
	return vd_error_fault(VD_ERR_NODATA, VD_AS_PHYS, pfn_addr(dd, pfn),
			      "0x%llx (page 0x%llx) is lost: the dump is incomplete (%s)",
			      (unsigned long long)pfn_addr(dd, pfn),
			      (unsigned long long)pfn, dd->file->path);
}

/*
 * RAM the dump filter left out.  The file does not record why one page
 * went, only the dump level: name every class that level drops.
 */
static struct vd_error *
page_excluded(const struct diskdump *dd, uint64_t pfn)
{
	char level[160] = "", why[200];

	if (!dd->has_dump_level)
		snprintf(why, sizeof(why), "by the dump filter");
	else if (!dd->dump_level)
		snprintf(why, sizeof(why), "though dump level 0 excludes nothing");
	else
		snprintf(why, sizeof(why), "by dump level %s",
			 vd_diskdump_level_text(dd->dump_level, level,
						sizeof(level)));
	return vd_error_fault(VD_ERR_NODATA, VD_AS_PHYS, pfn_addr(dd, pfn),
			      "0x%llx (page 0x%llx) was excluded from the dump %s%s",
			      (unsigned long long)pfn_addr(dd, pfn),
			      (unsigned long long)pfn, why,
			      dd->status & DD_EXCLUDED_VMEMMAP ?
			      ", or as unused vmemmap (makedumpfile -e)" : "");
}

static struct vd_error *
read_desc(const struct diskdump *dd, uint64_t pfn, uint64_t idx,
	  struct dd_desc *d, uint64_t *doff_ret)
{
	uint64_t doff = dd->desc_off + idx * DD_DESC_SIZE;
	unsigned char buf[DD_DESC_SIZE];
	const unsigned char *p;

	*doff_ret = doff;
	if (idx >= dd->desc_avail) {
		if (dd->status & DD_INCOMPLETE)
			return page_lost(dd, pfn);
		return page_corrupt(dd, pfn, doff,
				    "the descriptor lies past the end of the file (size 0x%llx)",
				    (unsigned long long)dd->file->size);
	}
	p = vd_file_ptr(dd->file, doff, DD_DESC_SIZE);
	if (!p) {
		struct vd_error *err = vd_file_read(dd->file, doff, buf,
						    DD_DESC_SIZE, "descriptor");

		if (err)
			return err;
		p = buf;
	}
	d->offset = vd_get64(p, dd->be);
	d->size = vd_get32(p + 8, dd->be);
	d->flags = vd_get32(p + 12, dd->be);
	return NULL;
}

static struct vd_error *
inflate_page(const struct diskdump *dd, struct dd_dec *dec,
	     const unsigned char *src, uint32_t len, void *buf, size_t *out)
{
	z_stream *zs = dec->zstream;
	int r;

	if (!zs) {
		zs = calloc(1, sizeof(*zs));
		if (!zs)
			return &vd_enomem;
		if (inflateInit(zs) != Z_OK) {
			free(zs);
			return &vd_enomem;
		}
		dec->zstream = zs;
	} else if (inflateReset(zs) != Z_OK) {
		return &vd_enomem;
	}
	zs->next_in = (unsigned char *)src;
	zs->avail_in = len;
	zs->next_out = buf;
	zs->avail_out = dd->block_size;
	r = inflate(zs, Z_FINISH);
	*out = zs->total_out;
	if (r == Z_STREAM_END)
		return NULL;
	if ((r == Z_OK || r == Z_BUF_ERROR) && !zs->avail_out) {
		*out = (size_t)dd->block_size + 1;      /* more than a page */
		return NULL;
	}
	return vd_error_create(VD_ERR_CORRUPT, "zlib: %s",
			       zs->msg ? zs->msg : "the stream ends early");
}

static struct vd_error *
unzstd_page(const struct diskdump *dd, struct dd_dec *dec,
	    const unsigned char *src, uint32_t len, void *buf, size_t *out)
{
	size_t r;

	if (!dec->zstd) {
		dec->zstd = ZSTD_createDCtx();
		if (!dec->zstd)
			return &vd_enomem;
	}
	r = ZSTD_decompressDCtx(dec->zstd, buf, dd->block_size, src, len);
	if (ZSTD_getErrorCode(r) == ZSTD_error_dstSize_tooSmall) {
		*out = (size_t)dd->block_size + 1;
		return NULL;
	}
	if (ZSTD_isError(r))
		return vd_error_create(VD_ERR_CORRUPT, "zstd: %s",
				       ZSTD_getErrorName(r));
	*out = r;
	return NULL;
}

static struct vd_error *
unlzo_page(const struct diskdump *dd, const unsigned char *src, uint32_t len,
	   void *buf, size_t *out)
{
	lzo_uint n = dd->block_size;
	int r = lzo1x_decompress_safe(src, len, buf, &n, NULL);

	*out = n;
	if (r == LZO_E_OUTPUT_OVERRUN)
		*out = (size_t)dd->block_size + 1;
	else if (r != LZO_E_OK)
		return vd_error_create(VD_ERR_CORRUPT,
				       "lzo1x_decompress_safe: error %d", r);
	return NULL;
}

/*
 * libsnappy is loaded (dlopen) when the first snappy page is decoded: it
 * brings in libstdc++, libm and libgcc_s, whose loading and symbol
 * look-ups every command paid at start for a codec makedumpfile rarely
 * writes.
 */
#ifndef VD_SNAPPY_SONAME
#define VD_SNAPPY_SONAME "libsnappy.so"
#endif

static struct {
	snappy_status (*length)(const char *, size_t, size_t *);
	snappy_status (*uncompress)(const char *, size_t, char *, size_t *);
	char why[256];          /* set: it could not be loaded */
} sn;
static pthread_once_t sn_once = PTHREAD_ONCE_INIT;

static void
sn_load(void)
{
	static const char *const names[] = { "snappy_uncompressed_length", "snappy_uncompress" };
	void **const fns[] = { (void **)&sn.length, (void **)&sn.uncompress };

	vd_dl_load(VD_SNAPPY_SONAME, names, fns, VD_ARRAY_SIZE(names), sn.why, sizeof(sn.why));
}

static struct vd_error *
unsnappy_page(const struct diskdump *dd, const unsigned char *src, uint32_t len,
	      void *buf, size_t *out)
{
	size_t n;
	snappy_status r;

	pthread_once(&sn_once, sn_load);
	if (sn.why[0])
		return vd_error_create(VD_ERR_NOTIMPL, "snappy-compressed page: %s", sn.why);
	r = sn.length((const char *)src, len, &n);
	if (r == SNAPPY_OK && n > dd->block_size) {
		*out = n;
		return NULL;
	}
	n = dd->block_size;
	r = sn.uncompress((const char *)src, len, buf, &n);
	if (r != SNAPPY_OK)
		return vd_error_create(VD_ERR_CORRUPT,
				       "snappy_uncompress: error %d", (int)r);
	*out = n;
	return NULL;
}

static struct vd_error *
decompress(const struct diskdump *dd, struct dd_dec *dec, uint32_t comp,
	   const unsigned char *src, uint32_t len, void *buf, size_t *out)
{
	switch (comp) {
	case DD_ZLIB: return inflate_page(dd, dec, src, len, buf, out);
	case DD_LZO: return unlzo_page(dd, src, len, buf, out);
	case DD_SNAPPY: return unsnappy_page(dd, src, len, buf, out);
	default: return unzstd_page(dd, dec, src, len, buf, out);
	}
}

/*
 * What the descriptor says before any data is read: the checks of a
 * page that cannot be decoded (never written, sizes and flags that make
 * no sense, data past the end of the file).
 */
static struct vd_error *
check_desc(const struct diskdump *dd, uint64_t pfn, uint64_t doff,
	   const struct dd_desc *d)
{
	uint32_t comp = d->flags & DD_COMPRESSED, bs = dd->block_size;

	if (!d->offset && dd->status & DD_INCOMPLETE)
		return page_lost(dd, pfn);      /* never written: zeros */
	if (!comp && d->size != bs)
		return page_corrupt(dd, pfn, doff,
				    "uncompressed page of 0x%x bytes, block size 0x%x",
				    d->size, bs);
	if (comp && (d->size > bs || !d->size))
		return page_corrupt(dd, pfn, doff,
				    "compressed size 0x%x is 0 or larger than the block size 0x%x",
				    d->size, bs);
	if (comp & (comp - 1))
		return page_corrupt(dd, pfn, doff,
				    "flags 0x%x name several compressions",
				    d->flags);
	if (!vd_range_ok(d->offset, d->size, dd->file->size)) {
		if (dd->status & DD_INCOMPLETE)
			return page_lost(dd, pfn);
		return page_corrupt(dd, pfn, doff,
				    "its 0x%x bytes of data at 0x%llx lie past the end of the file (size 0x%llx)",
				    d->size, (unsigned long long)d->offset,
				    (unsigned long long)dd->file->size);
	}
	return NULL;
}

/* The page's stored bytes: mapped, or copied to cbuf across records. */
static struct vd_error *
page_data(struct diskdump *dd, const struct dd_desc *d,
	  const unsigned char **ret)
{
	const unsigned char *p;

	// Read (pread), not touched through the file's mapping: the pages a
	// command reads are scattered over the file, and every fault maps
	// its neighbours too, all counted in the process's memory (a `ps`
	// on a 540 MB uncompressed kdump file kept ~15 MB of it mapped).
	// A flattened file's records come through its own reader.
	if (dd->file->flat || dd->file->fd < 0) {
		p = vd_file_ptr(dd->file, d->offset, d->size);
		if (p) {
			*ret = p;
			return NULL;
		}
	}
	if (!dd->cbuf) {
		dd->cbuf = malloc(dd->block_size);
		if (!dd->cbuf)
			return &vd_enomem;
	}
	{
		struct vd_error *err = vd_file_pread(dd->file, d->offset, dd->cbuf, d->size,
						     "page data");

		if (err)
			return err;
	}
	*ret = dd->cbuf;
	return NULL;
}

/* Decode checked data (d->size bytes at src) into buf, with dec. */
static struct vd_error *
decode_data(const struct diskdump *dd, struct dd_dec *dec, uint64_t pfn,
	    uint64_t doff, const struct dd_desc *d, const unsigned char *src,
	    void *buf)
{
	uint32_t comp = d->flags & DD_COMPRESSED, bs = dd->block_size;
	struct vd_error *err;
	size_t out = 0;

	if (!comp) {
		memcpy(buf, src, bs);
		return NULL;
	}
	err = decompress(dd, dec, comp, src, d->size, buf, &out);
	if (err)
		return vd_error_wrap(err, "%s: page 0x%llx (page descriptor at file offset 0x%llx, %s data at 0x%llx)",
				     dd->file->path, (unsigned long long)pfn,
				     (unsigned long long)doff, comp_name(comp),
				     (unsigned long long)d->offset);
	if (out != bs)
		return page_corrupt(dd, pfn, doff,
				    "%s data at 0x%llx decompresses to %s0x%zx bytes instead of 0x%x",
				    comp_name(comp),
				    (unsigned long long)d->offset,
				    out > bs ? "more than " : "",
				    out > bs ? (size_t)bs : out, bs);
	return NULL;
}

static struct vd_error *
not_ram(const struct diskdump *dd, uint64_t pfn)
{
	return vd_error_fault(VD_ERR_FAULT, VD_AS_PHYS, pfn_addr(dd, pfn),
			      "0x%llx (page 0x%llx) is not RAM in %s",
			      (unsigned long long)pfn_addr(dd, pfn),
			      (unsigned long long)pfn, dd->file->path);
}

/* PFN -> checked descriptor, or the error a read of the page gets. */
static struct vd_error *
locate(struct diskdump *dd, uint64_t pfn, struct dd_desc *d, uint64_t *doff)
{
	struct vd_error *err;
	const struct dd_chunk *c;

	if (pfn < dd->start_pfn || pfn >= dd->end_pfn)
		return not_ram(dd, pfn);
	err = vd_diskdump_chunk(dd, pfn, &c);
	if (err)
		return err;
	if (!vd_diskdump_bit(c->dump, pfn & (DD_CHUNK_PFNS - 1))) {
		if (vd_diskdump_bit(c->ram, pfn & (DD_CHUNK_PFNS - 1)))
			return page_excluded(dd, pfn);
		return not_ram(dd, pfn);
	}
	err = read_desc(dd, pfn, vd_diskdump_rank(dd, c, pfn) - dd->base_rank, d,
			doff);
	if (!err)
		err = check_desc(dd, pfn, *doff, d);
	return err;
}

/* A corrupt page's error carries its physical address. */
static struct vd_error *
at_page(const struct diskdump *dd, uint64_t pfn, struct vd_error *err)
{
	if (err && err->code == VD_ERR_CORRUPT && err != &vd_enomem) {
		err->as = VD_AS_PHYS;
		err->addr = pfn_addr(dd, pfn);
	}
	return err;
}

struct vd_error *
vd_diskdump_read_page(void *priv, uint64_t pfn, void *buf)
{
	struct diskdump *dd = priv;
	struct dd_desc d = { 0 };
	uint64_t doff = 0;
	const unsigned char *src = NULL;
	struct vd_error *err = locate(dd, pfn, &d, &doff);

	if (!err)
		err = page_data(dd, &d, &src);
	if (!err)
		err = decode_data(dd, &dd->dec, pfn, doff, &d, src, buf);
	return at_page(dd, pfn, err);
}

struct vd_error *
vd_diskdump_plan_page(void *priv, uint64_t pfn, struct vd_page_plan *plan)
{
	struct diskdump *dd = priv;
	struct dd_desc d = { 0 };
	uint64_t doff = 0;
	struct vd_error *err = locate(dd, pfn, &d, &doff);

	if (err)
		return at_page(dd, pfn, err);
	*plan = (struct vd_page_plan){ .file_off = d.offset, .size = d.size,
				       .flags = d.flags, .desc_off = doff,
				       .raw = !(d.flags & DD_COMPRESSED) &&
					      d.size == dd->block_size };
	return NULL;
}

struct vd_error *
vd_diskdump_decode_page(void *priv, void *dec, uint64_t pfn,
			const struct vd_page_plan *plan, const void *data,
			void *buf)
{
	const struct diskdump *dd = priv;
	struct dd_desc d = { .offset = plan->file_off, .size = plan->size,
			     .flags = plan->flags };

	return at_page(dd, pfn, decode_data(dd, dec, pfn, plan->desc_off, &d,
					    data, buf));
}

void *
vd_diskdump_dec_new(void *priv)
{
	(void)priv;
	return calloc(1, sizeof(struct dd_dec));
}

void
vd_diskdump_dec_free(void *p)
{
	struct dd_dec *dec = p;

	if (!dec)
		return;
	if (dec->zstream) {
		inflateEnd(dec->zstream);
		free(dec->zstream);
	}
	ZSTD_freeDCtx(dec->zstd);
	free(dec);
}

/* Which compressions the first descriptors use, for `info`. */
void
vd_diskdump_sample_flags(struct diskdump *dd)
{
	uint64_t n = VD_MIN(dd->desc_avail, (uint64_t)DD_SAMPLE_DESCS);

	for (uint64_t i = 0; i < n; i++) {
		unsigned char p[DD_DESC_SIZE];
		struct vd_error *err;
		uint32_t flags;

		err = vd_file_read(dd->file, dd->desc_off + i * DD_DESC_SIZE,
				   p, sizeof(p), "descriptor");
		if (err) {
			vd_error_destroy(err);
			return;
		}
		flags = vd_get32(p + 12, dd->be);
		dd->seen_flags |= flags & DD_COMPRESSED;
		dd->seen_raw |= !(flags & DD_COMPRESSED);
	}
}

void
vd_diskdump_free_decoders(struct diskdump *dd)
{
	if (dd->dec.zstream) {
		inflateEnd(dd->dec.zstream);
		free(dd->dec.zstream);
	}
	ZSTD_freeDCtx(dd->dec.zstd);
	free(dd->cbuf);
}
