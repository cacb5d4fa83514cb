// SPDX-License-Identifier: MIT
/*
 * kdump_recompress: copy a kdump-compressed file with every page
 * compressed another way (test-only).
 *
 *   kdump_recompress [-c zlib|lzo|snappy|zstd|none] IN OUT
 *
 * No packaged tool writes snappy kdump files (Debian's makedumpfile has
 * -p compiled out, QEMU does not link snappy), so the real-dump tests make
 * one from a real makedumpfile file: header, sub header, notes, bitmaps and
 * eraseinfo are copied unchanged, each page is decompressed (zlib, lzo,
 * snappy, zstd or raw, by its descriptor's flags) and compressed again the
 * way makedumpfile does it (write_kdump_pages_*: compress2 at
 * Z_BEST_SPEED, LZO1X-1, raw snappy, a zstd frame at level 1; kept raw,
 * flags 0, when that does not make it smaller).  Descriptors that share
 * data keep sharing it, and a page stored raw and all zero (makedumpfile's
 * one shared zero page, dump level bit 1) stays raw, as makedumpfile
 * writes it.  The status field gets the new compression bit.
 * IN must be a normal (not flattened) KDUMP file; split parts work.
 *
 * Layout: docs/formats.md.  The offsets are written out here
 * rather than taken from formats/diskdump.h, so that a reader bug cannot
 * hide in a shared header.  Exit 0 on success, 1 with a one-line error.
 */
#include <errno.h>
#include <fcntl.h>
#include <lzo/lzo1x.h>
#include <snappy-c.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#define H_VERSION 8
#define H_STATUS 424
#define H_BLOCK_SIZE 428
#define H_SUB_HDR_SIZE 432
#define H_BITMAP_BLOCKS 436
#define H_MAX_MAPNR 440
#define S_SPLIT 12
#define S_START_PFN 16
#define S_END_PFN 24
#define S_OFF_ERASE 64
#define S_SIZE_ERASE 72
#define S_START_PFN_64 80
#define S_END_PFN_64 88
#define S_MAX_MAPNR_64 96
#define DESC_SIZE 24

enum { C_ZLIB = 0x1, C_LZO = 0x2, C_SNAPPY = 0x4, C_ZSTD = 0x20,
       C_ALL = C_ZLIB | C_LZO | C_SNAPPY | C_ZSTD };

struct in {
	const char *path;
	const unsigned char *p;
	uint64_t size;
	bool be;
	uint32_t version, bs;
	uint64_t desc_off, ndesc, data_start;
};

/* old data offset -> new descriptor (offset, size, flags) */
struct slot {
	uint64_t old, off;
	uint32_t size, flags;
	bool used;
};

static const char *prog = "kdump_recompress";

static int
fail(const struct in *in, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int
fail(const struct in *in, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: %s: ", prog, in->path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

static uint64_t
get(const unsigned char *p, int n, bool be)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v |= (uint64_t)p[be ? n - 1 - i : i] << (8 * i);
	return v;
}

static void
put(unsigned char *p, int n, uint64_t v, bool be)
{
	for (int i = 0; i < n; i++)
		p[be ? n - 1 - i : i] = (unsigned char)(v >> (8 * i));
}

/* Header checks; sets bs, version, byte order, descriptor table place. */
static int
parse_in(struct in *in)
{
	const unsigned char *p = in->p, *sub, *bm2;
	uint64_t sub_blocks, bm_blocks, bm_len, max, start = 0, end, blocks;

	if (in->size >= 12 && !memcmp(p, "makedumpfile", 12))
		return fail(in, "a flattened file: run makedumpfile -R on it first");
	if (in->size < 512 || memcmp(p, "KDUMP   ", 8))
		return fail(in, "no KDUMP signature at offset 0");
	for (int be = 0; be < 2; be++) {
		uint32_t bs = (uint32_t)get(p + H_BLOCK_SIZE, 4, be);

		if (bs >= 512 && bs <= (1u << 20) && !(bs & (bs - 1))) {
			in->bs = bs;
			in->be = be;
			break;
		}
	}
	if (!in->bs)
		return fail(in, "block size at offset %d is not a power of two "
			    "in 512..1 MiB", H_BLOCK_SIZE);
	in->version = (uint32_t)get(p + H_VERSION, 4, in->be);
	sub_blocks = get(p + H_SUB_HDR_SIZE, 4, in->be);
	bm_blocks = get(p + H_BITMAP_BLOCKS, 4, in->be);
	blocks = in->size / in->bs;
	if (in->version < 1 || in->version > 6 || !sub_blocks ||
	    !bm_blocks || bm_blocks % 2 || 1 + sub_blocks + bm_blocks > blocks)
		return fail(in, "header version %u, %llu sub-header and %llu "
			    "bitmap blocks do not fit a %llu-byte file",
			    in->version, (unsigned long long)sub_blocks,
			    (unsigned long long)bm_blocks,
			    (unsigned long long)in->size);
	sub = p + in->bs;
	max = get(p + H_MAX_MAPNR, 4, in->be);
	if (in->version >= 6)
		max = get(sub + S_MAX_MAPNR_64, 8, in->be);
	end = max;
	if (in->version >= 2 && get(sub + S_SPLIT, 4, in->be)) {
		int o = in->version >= 6 ? S_START_PFN_64 : S_START_PFN;

		start = get(sub + o, 8, in->be);
		end = get(sub + o + (S_END_PFN - S_START_PFN), 8, in->be);
	}
	bm_len = bm_blocks / 2 * in->bs;
	if (start > end || end > bm_len * 8)
		return fail(in, "PFN range 0x%llx-0x%llx beyond the 0x%llx PFNs "
			    "of the bitmap", (unsigned long long)start,
			    (unsigned long long)end,
			    (unsigned long long)(bm_len * 8));
	bm2 = p + (1 + sub_blocks) * in->bs + bm_len;
	for (uint64_t pfn = start; pfn < end; pfn++)
		in->ndesc += bm2[pfn / 8] >> (pfn % 8) & 1;
	in->desc_off = (1 + sub_blocks + bm_blocks) * in->bs;
	in->data_start = in->desc_off + in->ndesc * DESC_SIZE;
	if (in->data_start > in->size)
		return fail(in, "%llu page descriptors at 0x%llx run past the end "
			    "of the file", (unsigned long long)in->ndesc,
			    (unsigned long long)in->desc_off);
	return 0;
}

static bool
decompress_page(uint32_t comp, const unsigned char *src, uint32_t len,
		unsigned char *dst, uint32_t bs)
{
	static ZSTD_DCtx *dctx;
	uLongf zl = bs;
	lzo_uint ll = bs;
	size_t sl = bs, r;

	switch (comp) {
	case C_ZLIB:
		return uncompress(dst, &zl, src, len) == Z_OK && zl == bs;
	case C_LZO:
		return lzo1x_decompress_safe(src, len, dst, &ll, NULL) == LZO_E_OK &&
		       ll == bs;
	case C_SNAPPY:
		return snappy_uncompress((const char *)src, len, (char *)dst, &sl) ==
		       SNAPPY_OK && sl == bs;
	case C_ZSTD:
		if (!dctx && !(dctx = ZSTD_createDCtx()))
			return false;
		r = ZSTD_decompressDCtx(dctx, dst, bs, src, len);
		return !ZSTD_isError(r) && r == bs;
	default:
		return false;
	}
}

/* Compressed length, or 0 when compressing fails or would not shrink. */
static size_t
compress_page(uint32_t comp, const unsigned char *src, uint32_t bs,
	      unsigned char *dst, size_t cap)
{
	static ZSTD_CCtx *cctx;
	static unsigned char wrk[LZO1X_1_MEM_COMPRESS];
	uLongf zl = cap;
	lzo_uint ll = cap;
	size_t sl = cap, r = 0;

	switch (comp) {
	case C_ZLIB:
		r = compress2(dst, &zl, src, bs, Z_BEST_SPEED) == Z_OK ? zl : 0;
		break;
	case C_LZO:
		r = lzo1x_1_compress(src, bs, dst, &ll, wrk) == LZO_E_OK ? ll : 0;
		break;
	case C_SNAPPY:
		r = snappy_compress((const char *)src, bs, (char *)dst, &sl) ==
		    SNAPPY_OK ? sl : 0;
		break;
	case C_ZSTD:
		if (!cctx && !(cctx = ZSTD_createCCtx()))
			return 0;
		r = ZSTD_compressCCtx(cctx, dst, cap, src, bs, 1);
		r = ZSTD_isError(r) ? 0 : r;
		break;
	}
	return r < bs ? r : 0;
}

static bool
all_zero(const unsigned char *p, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

static struct slot *
lookup(struct slot *tab, uint64_t mask, uint64_t old)
{
	uint64_t i = (old / 8 * 0x9e3779b97f4a7c15ull) & mask;

	while (tab[i].used && tab[i].old != old)
		i = (i + 1) & mask;
	return &tab[i];
}

struct out {
	FILE *f;
	const char *path;
	uint64_t cur;
	unsigned long npages, ncomp, nraw, nshared;
};

static bool
out_write(struct out *o, const void *p, size_t len)
{
	if (fwrite(p, 1, len, o->f) != len)
		return false;
	o->cur += len;
	return true;
}

/* One descriptor: the page data it names, recompressed (or shared). */
static int
one_page(const struct in *in, uint32_t comp, uint64_t i, unsigned char *desc,
	 struct slot *tab, uint64_t mask, struct out *o,
	 unsigned char *page, unsigned char *cbuf, size_t cap)
{
	uint64_t off = get(desc, 8, in->be);
	uint32_t size = (uint32_t)get(desc + 8, 4, in->be);
	uint32_t flags = (uint32_t)get(desc + 12, 4, in->be), c = flags & C_ALL;
	struct slot *s;
	size_t n;

	if (!off && !size)
		return 0;               /* never written (incomplete dump) */
	if (off < in->data_start || off > in->size || size > in->size - off ||
	    size > in->bs || !size || (!c && size != in->bs) || (c & (c - 1)))
		return fail(in, "page descriptor %llu: offset 0x%llx size 0x%x "
			    "flags 0x%x do not name page data",
			    (unsigned long long)i, (unsigned long long)off, size, flags);
	s = lookup(tab, mask, off);
	if (s->used) {
		o->nshared++;
		goto done;
	}
	if (c && !decompress_page(c, in->p + off, size, page, in->bs))
		return fail(in, "page descriptor %llu: data at 0x%llx does not "
			    "decompress to 0x%x bytes", (unsigned long long)i,
			    (unsigned long long)off, in->bs);
	if (!c)
		memcpy(page, in->p + off, in->bs);
	*s = (struct slot){ .old = off, .off = o->cur, .size = in->bs,
			    .used = true };
	n = 0;
	if (comp && (c || !all_zero(page, in->bs)))
		n = compress_page(comp, page, in->bs, cbuf, cap);
	if (n) {
		s->size = (uint32_t)n;
		s->flags = comp;
		o->ncomp++;
	} else {
		o->nraw++;
	}
	if (!out_write(o, n ? cbuf : page, s->size))
		return fail(in, "writing %s: %s", o->path, strerror(errno));
done:
	o->npages++;
	put(desc, 8, s->off, in->be);
	put(desc + 8, 4, s->size, in->be);
	put(desc + 12, 4, (flags & ~(uint32_t)C_ALL) | s->flags, in->be);
	return 0;
}

static int
recompress(const struct in *in, uint32_t comp, struct out *o)
{
	unsigned char *head = malloc(in->data_start), *page = malloc(in->bs);
	size_t cap = 2 * (size_t)in->bs + 1024;
	unsigned char *cbuf = malloc(cap);
	uint64_t mask = 1, erase_size = 0, erase_off = 0;
	struct slot *tab;
	int rc = 1;

	while (mask < 2 * in->ndesc + 2)
		mask <<= 1;
	tab = calloc(mask, sizeof(*tab));
	mask--;
	if (!head || !page || !cbuf || !tab) {
		fail(in, "out of memory");
		goto out;
	}
	memcpy(head, in->p, in->data_start);
	put(head + H_STATUS, 4, (get(head + H_STATUS, 4, in->be) &
				 ~(uint64_t)C_ALL) | comp, in->be);
	if (in->version >= 5) {
		erase_off = get(head + in->bs + S_OFF_ERASE, 8, in->be);
		erase_size = get(head + in->bs + S_SIZE_ERASE, 8, in->be);
		if (erase_size && (erase_off > in->size ||
				   erase_size > in->size - erase_off)) {
			fail(in, "eraseinfo at 0x%llx (0x%llx bytes) is past the end",
			     (unsigned long long)erase_off,
			     (unsigned long long)erase_size);
			goto out;
		}
	}
	if (!out_write(o, head, in->data_start)) {
		fail(in, "writing %s: %s", o->path, strerror(errno));
		goto out;
	}
	for (uint64_t i = 0; i < in->ndesc; i++) {
		unsigned char *d = head + in->desc_off + i * DESC_SIZE;

		if (one_page(in, comp, i, d, tab, mask, o, page, cbuf, cap))
			goto out;
	}
	if (erase_size) {
		put(head + in->bs + S_OFF_ERASE, 8, o->cur, in->be);
		if (!out_write(o, in->p + erase_off, erase_size)) {
			fail(in, "writing %s: %s", o->path, strerror(errno));
			goto out;
		}
	}
	/* The patched header, sub header and descriptors over the copy. */
	if (fseeko(o->f, 0, SEEK_SET) || !out_write(o, head, in->data_start)) {
		fail(in, "writing %s: %s", o->path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	free(head);
	free(page);
	free(cbuf);
	free(tab);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct { const char *name; uint32_t flag; } comps[] = {
		{ "none", 0 }, { "zlib", C_ZLIB }, { "lzo", C_LZO },
		{ "snappy", C_SNAPPY }, { "zstd", C_ZSTD },
	};
	struct in in = { 0 };
	struct out o = { 0 };
	uint32_t comp = C_SNAPPY;
	struct stat st;
	int fd, rc, a = 1;

	if (argc == 5 && !strcmp(argv[1], "-c")) {
		size_t k = 0;

		while (k < sizeof(comps) / sizeof(comps[0]) &&
		       strcmp(argv[2], comps[k].name))
			k++;
		if (k == sizeof(comps) / sizeof(comps[0])) {
			fprintf(stderr, "%s: unknown compression %s\n", prog, argv[2]);
			return 2;
		}
		comp = comps[k].flag;
		a = 3;
	}
	if (argc - a != 2) {
		fprintf(stderr, "usage: %s [-c zlib|lzo|snappy|zstd|none] IN OUT\n",
			prog);
		return 2;
	}
	in.path = argv[a];
	o.path = argv[a + 1];
	if (lzo_init() != LZO_E_OK)
		return fail(&in, "lzo_init failed");
	fd = open(in.path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st))
		return fail(&in, "%s", strerror(errno));
	in.size = (uint64_t)st.st_size;
	in.p = in.size ? mmap(NULL, in.size, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
	close(fd);
	if (in.p == MAP_FAILED || !in.p)
		return fail(&in, "cannot map the file (%llu bytes)",
			    (unsigned long long)in.size);
	rc = parse_in(&in);
	if (!rc) {
		o.f = fopen(o.path, "wb");
		if (!o.f)
			rc = fail(&in, "%s: %s", o.path, strerror(errno));
	}
	if (!rc)
		rc = recompress(&in, comp, &o);
	if (o.f && fclose(o.f) && !rc)
		rc = fail(&in, "writing %s: %s", o.path, strerror(errno));
	if (rc && o.f)
		unlink(o.path);
	else if (!rc)
		printf("%lu pages: %lu compressed, %lu raw, %lu sharing data\n",
		       o.npages, o.ncomp, o.nraw, o.nshared);
	munmap((void *)in.p, in.size);
	return rc;
}
