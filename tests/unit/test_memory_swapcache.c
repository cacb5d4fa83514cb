// SPDX-License-Identifier: MIT
/*
 * The swap cache path of vd_kmem_swap_read() on a constructed kernel: a
 * swap area whose cluster holds a swap table (6.18+, mm/swap_table.h), a
 * slot whose word names a page in memory (the swap cache: read from
 * memory, before any device), a slot swapped out (a shadow: the area is a
 * disk, so "not in the dump"), a zero-filled slot (the table's zero flag:
 * zeros, stored nowhere), both word formats (7.1's PFN | 0b10 with counts,
 * 6.18's folio pointer, told apart by swap_info_struct.swap_map), and
 * hostile words and pointers.  The kernel is fake_kernel.h's with the swap
 * types added to its BTF.
 */
#include <bpf/btf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "vmdive/memory.h"
#include "vmdive/session.h"

#include "fake_kernel.h"

#define VMEMMAP 0xffffea0000000000ULL
#define VMEMMAP_PA 0x800000ULL        /* struct pages of pfns 0..0x7fff (2 MiB) */
#define SI_PA 0x700000ULL             /* struct swap_info_struct */
#define SWAP_INFO_PA 0x710000ULL      /* swap_info[] (kernel image) */
#define NR_SWAPFILES_PA 0x710100ULL
#define CI_PA 0x720000ULL             /* cluster_info[2] */
#define TABLE_PA 0x730000ULL          /* cluster 0's table */
#define DATA_PFN 0x740ULL             /* the swap cache's page */
#define BDEV_PA 0x750000ULL
#define GD_PA 0x750100ULL
#define CLUSTER 512

enum { PFN_FORMAT, POINTER_FORMAT };

static const void *
swap_btf(struct btf **bp, uint32_t *size, int format)
{
	struct btf *b;
	int u64, u32, chr, vp, a32, a512, page, pp;

	make_btf(bp, size, false);
	b = *bp;
	u64 = btf__find_by_name(b, "long unsigned int");
	u32 = btf__find_by_name(b, "unsigned int");
	chr = btf__find_by_name(b, "char");
	vp = btf__add_ptr(b, 0);
	page = btf__add_struct(b, "page", 64);
	btf__add_field(b, "flags", u64, 0, 0);
	btf__add_field(b, "private", u64, 40 * 8, 0);
	pp = btf__add_ptr(b, page);
	(void)pp;
	btf__add_struct(b, "block_device", 8);
	btf__add_field(b, "bd_disk", vp, 0, 0);
	a32 = btf__add_array(b, u32, chr, 32);
	btf__add_struct(b, "gendisk", 40);
	btf__add_field(b, "disk_name", a32, 0, 0);
	btf__add_field(b, "private_data", vp, 32 * 8, 0);
	btf__add_struct(b, "swap_cluster_info", 48);
	btf__add_field(b, "table", vp, 8 * 8, 0);
	a512 = btf__add_array(b, u32, u64, CLUSTER);
	btf__add_struct(b, "swap_table", CLUSTER * 8);
	btf__add_field(b, "entries", a512, 0, 0);
	btf__add_struct(b, "swap_info_struct", 64);
	btf__add_field(b, "flags", u64, 0, 0);
	btf__add_field(b, "max", u32, 8 * 8, 0);
	btf__add_field(b, "bdev", vp, 16 * 8, 0);
	btf__add_field(b, "cluster_info", vp, 24 * 8, 0);
	btf__add_field(b, "swap_file", vp, 32 * 8, 0);
	if (format == POINTER_FORMAT)   // 6.18: swap_map still there
		btf__add_field(b, "swap_map", vp, 40 * 8, 0);
	return btf__raw_data(b, size);
}

static uint64_t
page_byte(uint64_t i)
{
	return 0x5357415043414348ULL ^ (i * 0x9e3779b97f4a7c15ULL);
}

/* Cluster 0's words by slot; the table pointer of cluster 1 (wild or 0). */
static const char *
build(int format, const uint64_t *words, unsigned nwords, uint64_t cluster1_table,
      uint64_t head_swap)
{
	static char path[64];
	struct fake *f = fake_new();
	struct btf *btf;
	uint32_t bsize;
	const void *raw = swap_btf(&btf, &bsize, format);

	fake_kernel_image(f, raw, bsize);
	fake_map(f, ROOT, 4, VMEMMAP, VMEMMAP_PA, 1 << 21, 0x8000000000000063ULL);
	num(f, "SYMBOL(vmemmap)", VMEMMAP);
	sym(f, "init_task", ITASK);
	sym(f, "swap_info", KIMG + SWAP_INFO_PA);
	sym(f, "nr_swapfiles", KIMG + NR_SWAPFILES_PA);
	btf__free(btf);

	put64(f, SWAP_INFO_PA, DMAP + SI_PA);
	put32(f, NR_SWAPFILES_PA, 1);
	put64(f, SI_PA + 0, 0x3);              // SWP_USED | SWP_WRITEOK
	put32(f, SI_PA + 8, 2 * CLUSTER);      // max
	put64(f, SI_PA + 16, DMAP + BDEV_PA);
	put64(f, SI_PA + 24, DMAP + CI_PA);
	put64(f, BDEV_PA, DMAP + GD_PA);
	put_bytes(f, GD_PA, "vda", 4);
	put64(f, CI_PA + 8, DMAP + TABLE_PA);
	put64(f, CI_PA + 48 + 8, cluster1_table);
	for (unsigned i = 0; i < nwords; i++)
		put64(f, TABLE_PA + 8 * i, words[i]);
	// A folio of four pages from DATA_PFN; its head's page.private is its
	// swap entry (type 0: the offset).
	for (uint64_t p = 0; p < 4; p++) {
		for (uint64_t o = 0; o < 4096; o += 8)
			put64(f, (DATA_PFN + p) * 4096 + o, page_byte(p << 12 | o));
		put64(f, VMEMMAP_PA + (DATA_PFN + p) * 64, 0);
	}
	put64(f, VMEMMAP_PA + DATA_PFN * 64 + 40, head_swap);
	snprintf(path, sizeof(path), "fake-swapcache-%d.elf", (int)getpid());
	if (!fake_write_vmcore(f, path)) {
		fake_free(f);
		return NULL;
	}
	fake_free(f);
	return path;
}

static struct vd_kmem *
open_kmem(struct vd_session **sp, int format, const uint64_t *words, unsigned n, uint64_t c1,
	  uint64_t head_swap)
{
	const char *path = build(format, words, n, c1, head_swap);
	struct vd_kmem *k = NULL;

	*sp = NULL;
	CHECK(path);
	if (!path)
		return NULL;
	CHECK_OK(vd_session_open(&path, 1, NULL, sp));
	unlink(path);
	if (!*sp)
		return NULL;
	CHECK_OK(vd_kmem_open(*sp, &k));
	return k;
}

static void
check_cached_page(struct vd_kmem *k, uint64_t offset, uint64_t sub)
{
	struct vd_swap_entry se = { .type = 0, .offset = offset };
	struct vd_swap_page sp;
	static unsigned char page[4096];
	bool same = true;

	CHECK_OK(vd_kmem_swap_read(k, &se, page, &sp));
	CHECK(sp.source == VD_SWAP_CACHE);
	CHECK_EQ_U64(sp.pa, (DATA_PFN + sub) * 4096);
	CHECK_EQ_U64(sp.page, VMEMMAP + (DATA_PFN + sub) * 64);
	for (unsigned o = 0; o < 4096; o += 8) {
		uint64_t v;

		memcpy(&v, page + o, 8);
		same &= v == page_byte(sub << 12 | o);
	}
	CHECK(same);
}

/* 7.1+: PFN << 2 | 0b10 with a count of 1 in the top bits (bit 60). */
TEST(pfn_words)
{
	uint64_t w[12] = { 0 };
	struct vd_session *s;
	struct vd_kmem *k;
	struct vd_swap_entry se = { .type = 0 };
	struct vd_swap_page sp;
	static unsigned char page[4096];
	struct vd_error *err;

	// Slots 8..11: a folio of four pages, every word its head's PFN.
	for (unsigned i = 8; i < 12; i++)
		w[i] = DATA_PFN << 2 | 2 | 1ull << 60;
	w[3] = (DATA_PFN + 3) << 2 | 2 | 1ull << 60;     // cached: a page of its own
	w[4] = 0x1234ull << 1 | 1 | 1ull << 60;          // a shadow: swapped out
	w[5] = 1 | 1ull << 60 | 1ull << 59;              // shadow, zero flag
	w[6] = ~0ull << 3;                               // SWP_TB_BAD
	w[7] = 0x0000000fffffff00ULL << 2 | 2;           // a PFN past the dump
	k = open_kmem(&s, PFN_FORMAT, w, 12, DMAP + 0x3fff0000ULL, 8);
	if (!k)
		goto out;
	check_cached_page(k, 3, 3);   // page 3's own private is 0: itself
	for (unsigned i = 0; i < 4; i++)
		check_cached_page(k, 8 + i, i);
	// Not in the cache: the device next, a disk here (no zram) -- so the
	// cache was asked first and said no.
	se.offset = 4;
	CHECK_ERR(vd_kmem_swap_read(k, &se, page, &sp), VD_ERR_NODATA);
	se.offset = 5;
	memset(page, 0xaa, sizeof(page));
	CHECK_OK(vd_kmem_swap_read(k, &se, page, &sp));
	CHECK(sp.source == VD_SWAP_ZERO);
	CHECK(page[0] == 0 && page[4095] == 0);
	se.offset = 6;
	CHECK_ERR(vd_kmem_swap_read(k, &se, page, &sp), VD_ERR_NODATA);
	se.offset = 7;
	err = vd_kmem_swap_read(k, &se, page, &sp);
	CHECK(err != NULL);
	vd_error_destroy(err);
	// Cluster 1's table pointer leads nowhere in the dump; past max.
	se.offset = CLUSTER + 1;
	err = vd_kmem_swap_read(k, &se, page, &sp);
	CHECK(err != NULL);
	vd_error_destroy(err);
	se.offset = 2 * CLUSTER;
	CHECK_ERR(vd_kmem_swap_read(k, &se, page, &sp), VD_ERR_CORRUPT);
	vd_kmem_close(k);
out:
	vd_session_close(s);
}

/* 6.18: the folio pointer itself; no zero flag in the word. */
TEST(pointer_words)
{
	uint64_t w[8] = { 0 };
	struct vd_session *s;
	struct vd_kmem *k;
	struct vd_swap_entry se = { .type = 0, .offset = 5 };
	struct vd_swap_page sp;
	static unsigned char page[4096];

	w[2] = VMEMMAP + DATA_PFN * 64;
	w[5] = 1 | 1ull << 59;   // a shadow; bit 59 is shadow data here, not a flag
	k = open_kmem(&s, POINTER_FORMAT, w, 8, 0, 2);
	if (!k)
		goto out;
	check_cached_page(k, 2, 0);
	CHECK_ERR(vd_kmem_swap_read(k, &se, page, &sp), VD_ERR_NODATA);
	vd_kmem_close(k);
out:
	vd_session_close(s);
}

int
main(void)
{
	return RUN_TESTS();
}
