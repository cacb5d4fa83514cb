// SPDX-License-Identifier: MIT
/*
 * zram's pieces on constructed memory: zsmalloc objects found from a
 * handle (the obj word: pfn << OBJ_INDEX_BITS | index, shifted past the tag
 * bit; the page's zspage through page->private, ZSPAGE_MAGIC 0x58, the
 * class's size, the next page through page->index), as the kernel lays
 * them out (mm/zsmalloc.c: obj_to_location(), zs_map_object()); LZO1X
 * streams from liblzo2's compressor and a hand-made lzo-rle stream
 * (Documentation/staging/lzo.rst: version byte, zero runs); lz4 and zstd.
 */
#include <lz4.h>
#include <lzo/lzo1x.h>
#include <stdlib.h>
#include <zstd.h>

#include "harness.h"
#include "vmdive/memory.h"

#define PSZ 4096u
#define NPAGES 16u
#define BASE 0xffff888000000000ull   /* kernel VA of physical 0 */
#define PAGE_STRUCT 64u

static unsigned char mem[NPAGES * PSZ];

static struct vd_error *
rd(void *priv, bool phys, uint64_t addr, void *buf, size_t len)
{
	uint64_t off = phys ? addr : addr - BASE;

	(void)priv;
	if ((!phys && addr < BASE) || off >= sizeof(mem) || len > sizeof(mem) - off)
		return vd_error_fault(VD_ERR_FAULT, phys ? VD_AS_PHYS : VD_AS_KVIRT, addr,
				      "not in the image");
	memcpy(buf, mem + off, len);
	return NULL;
}

static void
put64(uint64_t off, uint64_t v)
{
	memcpy(mem + off, &v, 8);
}

static void
put32(uint64_t off, uint32_t v)
{
	memcpy(mem + off, &v, 4);
}

/* Page 0: struct pages (vmemmap); 0x800 a zspage; page 1: the pool and a size
 * class; 0x1f00 the handles; pages 4.. the objects. */
#define VMEMMAP BASE
#define ZSPAGE 0x800u
#define POOL 0x1000u
#define CLASS 0x1900u
#define HANDLE 0x1f00u
#define CLASS_IDX 7u

static struct vd_zs_layout
layout(void)
{
	struct vd_zs_layout l = {
		.page_size = PSZ, .vmemmap = VMEMMAP, .page_struct_size = PAGE_STRUCT,
		.min_pfn = 1, .max_pfn = NPAGES,
		.page_zspage_off = 40, .page_next_off = 32,   // page->private, page->index (6.1)
		.huge = { 0, 0, 1 }, .class_ = { 0, 3, 9 }, .magic = { 0, 15, 8 },
		.pool_class_off = 8, .nclasses = 255, .class_size_off = 64,
		.pfn_bits = { 46, 52 }, .npfn_bits = 2,  // 46 first: a wrong guess to recover from
		.read = rd,
	};
	return l;
}

/* A zspage of class CLASS_IDX (size bytes), first page pfn, next page pfn + 1. */
static void
setup(uint32_t size, bool huge, unsigned pfn)
{
	memset(mem, 0, sizeof(mem));
	put32(ZSPAGE, (huge ? 1u : 0u) | CLASS_IDX << 3 | 0x58u << 15);
	put64(pfn * PAGE_STRUCT + 40, BASE + ZSPAGE);
	put64((pfn + 1) * PAGE_STRUCT + 40, BASE + ZSPAGE);
	put64(pfn * PAGE_STRUCT + 32, VMEMMAP + (pfn + 1) * PAGE_STRUCT);
	put64(POOL + 8 + 8 * CLASS_IDX, BASE + CLASS);
	put32(CLASS + 64, size);
}

/* The handle word for (pfn, index), with MAX_POSSIBLE_PHYSMEM_BITS 52. */
static uint64_t
obj(uint64_t pfn, uint64_t idx)
{
	return ((pfn << (64 - 40 - 1)) | idx) << 1 | 1;   // OBJ_ALLOCATED_TAG
}

TEST(zsmalloc_object_spans_two_pages)
{
	struct vd_zs_layout l = layout();
	struct vd_zs_object o;
	unsigned char want[2000], got[2000];

	setup(3072, false, 4);
	put64(HANDLE, obj(4, 1));
	// object 1 starts at 3072 in pfn 4: its handle word, then the data
	for (unsigned i = 0; i < sizeof(want); i++)
		want[i] = (unsigned char)(i * 7 + 3);
	memcpy(mem + 4 * PSZ + 3072 + 8, want, PSZ - 3080);
	memcpy(mem + 5 * PSZ, want + (PSZ - 3080), sizeof(want) - (PSZ - 3080));
	CHECK_OK(vd_zs_read(&l, BASE + POOL, BASE + HANDLE, got, sizeof(got), &o));
	CHECK(!memcmp(got, want, sizeof(want)));
	CHECK_EQ_U64(o.pfn, 4);
	CHECK_EQ_U64(o.obj_idx, 1);
	CHECK_EQ_U64(o.class_idx, CLASS_IDX);
	CHECK_EQ_U64(o.class_size, 3072);
	CHECK_EQ_U64(o.offset, 3080);
	CHECK(o.spans);
	CHECK_EQ_U64(o.pfn2, 5);
}

TEST(zsmalloc_handle_word_ends_the_page)
{
	struct vd_zs_layout l = layout();
	struct vd_zs_object o;
	unsigned char got[100];

	// class 2046, object 2: at 4092, its handle crosses the page end and the
	// data starts 4 bytes into the next page
	setup(2046, false, 6);
	put64(HANDLE, obj(6, 2));
	memcpy(mem + 7 * PSZ + 4, "zram data in the next page", 26);
	CHECK_OK(vd_zs_read(&l, BASE + POOL, BASE + HANDLE, got, 26, &o));
	CHECK(!memcmp(got, "zram data in the next page", 26));
	CHECK(o.pfn2_only);
	CHECK_EQ_U64(o.pfn2, 7);
}

TEST(zsmalloc_huge_object)
{
	struct vd_zs_layout l = layout();
	struct vd_zs_object o;
	static unsigned char got[PSZ];

	setup(PSZ, true, 8);
	put64(HANDLE, obj(8, 0));
	for (unsigned i = 0; i < PSZ; i++)
		mem[8 * PSZ + i] = (unsigned char)(i ^ 0x5a);
	CHECK_OK(vd_zs_read(&l, BASE + POOL, BASE + HANDLE, got, PSZ, &o));
	CHECK(o.huge);
	CHECK(!memcmp(got, mem + 8 * PSZ, PSZ));   // no handle word before the data
}

TEST(zsmalloc_hostile)
{
	struct vd_zs_layout l = layout();
	struct vd_zs_object o;
	unsigned char got[64];
	struct vd_error *err;

	setup(3072, false, 4);
	put64(HANDLE, obj(4, 1));
	put32(ZSPAGE, CLASS_IDX << 3 | 0x57u << 15);   // bad magic
	err = vd_zs_read(&l, BASE + POOL, BASE + HANDLE, got, 64, &o);
	CHECK(err && err->code == VD_ERR_CORRUPT && strstr(err->msg, "magic"));
	vd_error_destroy(err);
	setup(3072, false, 4);
	put64(HANDLE, obj(200, 1));                    // pfn outside the memory
	err = vd_zs_read(&l, BASE + POOL, BASE + HANDLE, got, 64, &o);
	CHECK(err && err->code == VD_ERR_CORRUPT);
	vd_error_destroy(err);
	setup(3072, false, 4);
	put64(HANDLE, obj(4, 1));
	err = vd_zs_read(&l, BASE + POOL, BASE + HANDLE, got, 3072, &o);   // longer than the class
	CHECK(err && err->code == VD_ERR_CORRUPT);
	vd_error_destroy(err);
	put64(4 * PAGE_STRUCT + 32, VMEMMAP + 3);      // next page not a struct page
	err = vd_zs_read(&l, BASE + POOL, BASE + HANDLE, got, 2000 > sizeof(got) ? sizeof(got) : 2000, &o);
	CHECK_OK(err);                                 // 64 bytes fit the first page
	{
		static unsigned char big[2000];

		err = vd_zs_read(&l, BASE + POOL, BASE + HANDLE, big, sizeof(big), &o);
		CHECK(err && err->code == VD_ERR_CORRUPT && strstr(err->msg, "no struct page"));
		vd_error_destroy(err);
	}
	setup(3072, false, 4);
	put64(HANDLE, obj(4, 1));
	put32(ZSPAGE, 300u << 3 | 0x58u << 15);        // class 300 of the pool's 255
	err = vd_zs_read(&l, BASE + POOL, BASE + HANDLE, got, 64, &o);
	CHECK(err != NULL);
	vd_error_destroy(err);
}

static void
sample(unsigned char *p, size_t n, unsigned seed)
{
	uint64_t x = seed + 1;

	for (size_t i = 0; i < n; i++) {
		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		// runs of zeros, repeats and noise
		p[i] = (i / 512) % 3 == 0 ? 0 : (i / 512) % 3 == 1 ? (unsigned char)(i % 13) :
		       (unsigned char)(x * 0x2545f4914f6cdd1dull >> 56);
	}
}

TEST(lzo_against_liblzo2)
{
	static unsigned char in[PSZ], out[PSZ], comp[PSZ + PSZ / 16 + 64 + 3];
	static unsigned char wrk[LZO1X_1_MEM_COMPRESS];
	size_t n;

	CHECK(lzo_init() == LZO_E_OK);
	for (unsigned seed = 0; seed < 8; seed++) {
		lzo_uint clen = sizeof(comp);

		sample(in, sizeof(in), seed);
		CHECK(lzo1x_1_compress(in, sizeof(in), comp, &clen, wrk) == LZO_E_OK);
		CHECK(vd_lzo1x_decompress(comp, clen, out, sizeof(out), &n) == NULL);
		CHECK_EQ_U64(n, sizeof(in));
		CHECK(!memcmp(in, out, sizeof(in)));
		// every truncation fails cleanly
		for (lzo_uint cut = 0; cut < clen; cut += 1 + cut / 8)
			CHECK(vd_lzo1x_decompress(comp, cut, out, sizeof(out), &n) != NULL);
		// a smaller output buffer is an error, not an overflow
		CHECK(vd_lzo1x_decompress(comp, clen, out, sizeof(in) - 1, &n) != NULL);
	}
}

TEST(lzo_rle_stream)
{
	// version 1; 4 literals; a run of 100 zeros (run - 4 = 96: 0x18 | 96 & 7,
	// 0xfc | state 2, 0xff, 96 >> 3) then the 2 literals of its state; a match
	// of 5 bytes at distance 6 (1 L L D D D S S: L 0, D 5, then H 0); end.
	static const unsigned char s[] = { 17, 1, 17 + 4, 'A', 'B', 'C', 'D',
					   0x18, 0xfe, 0xff, 12, 'x', 'y',
					   0x80 | 5 << 2, 0,
					   0x11, 0, 0 };
	unsigned char out[256], want[256];
	size_t n, wn = 0;

	memcpy(want, "ABCD", 4);
	wn = 4;
	memset(want + wn, 0, 100);
	wn += 100;
	want[wn++] = 'x';
	want[wn++] = 'y';
	for (unsigned i = 0; i < 5; i++, wn++)
		want[wn] = want[wn - 6];
	CHECK(vd_lzo1x_decompress(s, sizeof(s), out, sizeof(out), &n) == NULL);
	CHECK_EQ_U64(n, wn);
	CHECK(!memcmp(out, want, wn));
	// As version 0 the same instruction is a match 16 KiB back: refused.
	{
		unsigned char v0[sizeof(s)];

		memcpy(v0, s, sizeof(s));
		v0[1] = 0;
		CHECK(vd_lzo1x_decompress(v0, sizeof(v0), out, sizeof(out), &n) != NULL);
	}
	for (size_t cut = 0; cut < sizeof(s); cut++)
		CHECK(vd_lzo1x_decompress(s, cut, out, sizeof(out), &n) != NULL);
	CHECK(vd_lzo1x_decompress(s, sizeof(s), out, 50, &n) != NULL);
}

TEST(decompress_by_name)
{
	static unsigned char in[PSZ], out[PSZ], comp[PSZ * 2];
	size_t n;
	int c;
	struct vd_error *err;

	sample(in, sizeof(in), 3);
	c = LZ4_compress_default((const char *)in, (char *)comp, (int)sizeof(in), (int)sizeof(comp));
	CHECK(c > 0);
	CHECK_OK(vd_zram_decompress("lz4", comp, (size_t)c, out, sizeof(out), &n));
	CHECK(n == sizeof(in) && !memcmp(in, out, n));
	c = (int)ZSTD_compress(comp, sizeof(comp), in, sizeof(in), 3);
	CHECK(!ZSTD_isError((size_t)c));
	CHECK_OK(vd_zram_decompress("zstd", comp, (size_t)c, out, sizeof(out), &n));
	CHECK(n == sizeof(in) && !memcmp(in, out, n));
	err = vd_zram_decompress("deflate", comp, 10, out, sizeof(out), &n);
	CHECK(err && err->code == VD_ERR_NOTIMPL && strstr(err->msg, "deflate"));
	vd_error_destroy(err);
	err = vd_zram_decompress("lz4", comp, 10, out, sizeof(out), &n);   // zstd bytes
	CHECK(err && err->code == VD_ERR_CORRUPT);
	vd_error_destroy(err);
}

int
main(void)
{
	return RUN_TESTS();
}
