// SPDX-License-Identifier: MIT
/*
 * arm64 translation against hand-built translation tables in a fake
 * physical memory, for every granule x VA width the kernel supports.
 * Expected values follow the Arm ARM (DDI 0487) D8.2/D8.3 rules, worked
 * out in the comments: with a page_shift-bit granule each level resolves
 * page_shift - 3 VA bits, the last level at bit page_shift, the top level
 * what is left of the VA width; entry address = table + 8 * index; kernel
 * VAs have bits [63:va_bits] all ones (TTBR1).  Index paths are written as
 * "L1 300" = level 1, index 300; the literal VAs were built from them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "vmdive/xlat.h"

/* ---- fake physical memory ---------------------------------------------- */

#define FAKE_MEM_ARCH VD_ARCH_AARCH64
#include "fake_mem.h"

#define MUST_CREATE(f) must_create((f), __FILE__, __LINE__)

static struct vd_xlat *
must_create(struct fake *f, const char *file, int line)
{
	struct vd_xlat *x = NULL;
	struct vd_error *err = create(f, &x);

	if (err) {
		fprintf(stderr, "%s:%d: create failed: %s\nFAIL (aborting)\n",
			file, line, err->msg);
		exit(1);
	}
	return x;
}

static uint64_t
param(struct vd_xlat *x, const char *name, bool *found)
{
	const struct vd_xlat_param *p;
	size_t n = vd_xlat_params(x, &p);

	if (found)
		*found = false;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(p[i].name, name)) {
			if (found)
				*found = true;
			return p[i].value;
		}
	return 0xbad;
}

static void
check_region(struct vd_xlat *x, uint64_t va, const char *name,
	     uint64_t start, uint64_t end, const char *source)
{
	const struct vd_region *r = vd_xlat_region(x, va);

	CHECK(r != NULL);
	if (!r)
		return;
	CHECK_STR(r->name, name);
	CHECK_EQ_U64(r->start, start);
	CHECK_EQ_U64(r->end, end);
	if (source)
		CHECK_STR(r->source, source);
}

/* ---- descriptors (Arm ARM D8.3) ------------------------------------------ */

#define TBL 0x3ULL                       /* valid table */
#define AF (1ULL << 10)
#define SH_INNER (3ULL << 8)
#define PXN (1ULL << 53)
#define UXN (1ULL << 54)
#define CONT (1ULL << 52)
#define PAGE (0x3ULL | AF | SH_INNER | PXN | UXN)   /* kernel RW data page */
#define BLOCK (0x1ULL | AF | SH_INNER | PXN | UXN)
#define LPA2_PAGE (0x3ULL | AF)         /* LPA2: bits [9:8] are OA[51:50] */
#define LPA2_BLOCK (0x1ULL | AF)

/* kimage_voffset of the fake kernels: swapper_pg_dir VA = root PA + KV. */
#define KV 0xffff7fffc7e00000ULL

/*
 * A fake arm64 kernel: PAGESIZE, VA_BITS, TCR_EL1_T1SZ (t1sz 0: not
 * stated), kimage_voffset, PHYS_OFFSET, swapper_pg_dir at root.
 */
static struct fake *
kernel(uint64_t page, unsigned va_bits, unsigned t1sz, uint64_t root)
{
	struct fake *f = fake_new();

	num(f, "PAGESIZE", page);
	num(f, "NUMBER(VA_BITS)", va_bits);
	if (t1sz)
		num(f, "NUMBER(TCR_EL1_T1SZ)", t1sz);
	num(f, "NUMBER(kimage_voffset)", KV);
	num(f, "NUMBER(PHYS_OFFSET)", 0x40000000);
	num(f, "SYMBOL(swapper_pg_dir)", root + KV);
	fake_page(f, root >> 12, true);
	return f;
}

struct step {
	const char *level;
	uint64_t table;
	unsigned index;
};

/*
 * Step i of the last walk: the Arm ARM lookup level and the VA bits
 * [hi:lo] its index comes from, as worked out by hand in each test.
 */
static void
check_hw(struct vd_xlat *x, uint64_t va, unsigned i, const char *hw,
	 unsigned hi, unsigned lo)
{
	struct vd_xlat_walk w;
	struct vd_error *err = vd_xlat_walk(x, 0, va, &w);

	vd_error_destroy(err);
	CHECK(i < w.nsteps);
	if (i >= w.nsteps)
		return;
	CHECK_STR(w.steps[i].hw_level, hw);
	CHECK_EQ_U64(w.steps[i].va_shift, lo);
	CHECK_EQ_U64(w.steps[i].va_shift + w.steps[i].va_bits - 1, hi);
}

/* Walk va and check the path, the PA and the mapping size. */
static void
check_walk(struct vd_xlat *x, uint64_t root, uint64_t va, const struct step *path,
	   unsigned n, uint64_t pa, uint64_t size)
{
	struct vd_xlat_walk w;

	CHECK_OK(vd_xlat_walk(x, root, va, &w));
	CHECK_EQ_U64(w.nsteps, n);
	for (unsigned i = 0; i < w.nsteps; i++) {
		// The index bits put together give back the VA's walked bits.
		const struct vd_xlat_step *st = &w.steps[i];

		CHECK_EQ_U64(st->index, (va >> st->va_shift) & ((1ULL << st->va_bits) - 1));
		CHECK(i == 0 || st->va_shift + st->va_bits == w.steps[i - 1].va_shift);
	}
	for (unsigned i = 0; i < n && i < w.nsteps; i++) {
		CHECK_STR(w.steps[i].level, path[i].level);
		CHECK_EQ_U64(w.steps[i].table, path[i].table);
		CHECK_EQ_U64(w.steps[i].index, path[i].index);
		CHECK_EQ_U64(w.steps[i].entry_addr, path[i].table + 8ULL * path[i].index);
		CHECK(w.steps[i].leaf == (i == n - 1));
	}
	CHECK_EQ_U64(w.pa, pa);
	CHECK_EQ_U64(w.page_size, size);
}

/* The walk of va must fail with code, its message holding msg. */
static void
check_fail(struct vd_xlat *x, uint64_t va, enum vd_error_code code,
	   unsigned nsteps, const char *msg)
{
	struct vd_xlat_walk w;
	struct vd_error *err = vd_xlat_walk(x, 0, va, &w);

	CHECK(err != NULL);
	if (!err)
		return;
	CHECK(err->code == code);
	CHECK(strstr(err->msg, msg) != NULL);
	if (err->code != code || !strstr(err->msg, msg))
		fprintf(stderr, "  0x%" PRIx64 ": %s (code %d)\n", va, err->msg, err->code);
	CHECK_EQ_U64(w.nsteps, nsteps);
	vd_error_destroy(err);
}

/* A block no 52-bit format would allow either: the message names none. */
static void
check_no_hint(struct vd_xlat *x, uint64_t va)
{
	struct vd_xlat_walk w;
	struct vd_error *err = vd_xlat_walk(x, 0, va, &w);

	CHECK(err && !strstr(err->msg, "LPA2") && !strstr(err->msg, "PAs"));
	vd_error_destroy(err);
}

/* ---- 4K granule ------------------------------------------------------------ */

/* 4K, 39-bit: 3 levels, PGD = L1 [38:30], PMD = L2 [29:21], PTE = L3 [20:12]. */
TEST(g4k_va39)
{
	uint64_t root = 0x40a00000, pmd = 0x40b00000, pte = 0x40b01000;
	struct fake *f = kernel(0x1000, 39, 25, root);
	struct vd_xlat *x;

	set(f, root, 300, 0x80000000 | BLOCK);   /* L1 block: 1 GiB */
	set(f, root, 256, pmd | TBL);
	set(f, pmd, 5, 0x40e00000 | BLOCK);      /* L2 block: 2 MiB */
	set(f, pmd, 6, pte | TBL);
	set(f, pte, 7, 0x41234000 | PAGE);
	set(f, pte, 9, 0x41235000 | 0x1);        /* 0b01 at L3: reserved */
	x = MUST_CREATE(f);
	CHECK_EQ_U64(param(x, "levels", NULL), 3);
	// L1 300: 0xffffff8000000000 + (300 << 30) + 0x12345678.
	check_walk(x, 0, 0xffffffcb12345678ULL,
		   (struct step[]){ { "PGD", root, 300 } }, 1,
		   0x92345678, 1ULL << 30);
	// L1 256, L2 5, offset 0x1234 in a 2 MiB block at 0x40e00000.
	check_walk(x, 0, 0xffffffc000a01234ULL,
		   (struct step[]){ { "PGD", root, 256 }, { "PMD", pmd, 5 } }, 2,
		   0x40e01234, 1ULL << 21);
	// L1 256, L2 6, L3 7, offset 0xabc.
	check_walk(x, 0, 0xffffffc000c07abcULL,
		   (struct step[]){ { "PGD", root, 256 }, { "PMD", pmd, 6 },
				    { "PTE", pte, 7 } }, 3, 0x41234abc, 0x1000);
	// L3 8 is 0: not present; L3 9 is 0b01: reserved at the last level.
	check_fail(x, 0xffffffc000c08000ULL, VD_ERR_NOTPRESENT, 3,
		   "PTE not present: pte[8] = 0x0 (table 0x40b01000)");
	check_fail(x, 0xffffffc000c09000ULL, VD_ERR_CORRUPT, 3, "reserved");
	// 39 bits: bits [63:39] all ones or all zeros.
	CHECK(vd_xlat_canonical(x, 0xffffff8000000000ULL));
	CHECK(vd_xlat_canonical(x, 0x0000007fffffffffULL));
	CHECK(!vd_xlat_canonical(x, 0xffff000000000000ULL));
	check_fail(x, 0xffff000000000000ULL, VD_ERR_FAULT, 0, "non-canonical");
	vd_xlat_destroy(x);
	fake_free(f);
}

/* 4K, 48-bit: 4 levels, PGD = L0 [47:39], PUD = L1, PMD = L2, PTE = L3. */
TEST(g4k_va48)
{
	uint64_t root = 0x41858000, pud = 0x41900000, pmd = 0x41901000;
	uint64_t pte = 0x41902000;
	struct fake *f = kernel(0x1000, 48, 16, root);
	struct vd_xlat *x;

	set(f, root, 1, 0x40000000 | BLOCK);     /* no L0 blocks without LPA2 */
	set(f, root, 256, pud | TBL);
	set(f, pud, 3, 0xc0000000 | BLOCK);      /* L1 block: 1 GiB */
	set(f, pud, 4, pmd | TBL);
	set(f, pmd, 0, pte | TBL);
	// 16 contiguous pages (CONT): each still translates on its own.
	for (unsigned i = 0; i < 16; i++)
		set(f, pte, 16 + i, (0x50000000 + 0x1000ULL * i) | PAGE | CONT);
	set(f, root, 493, root | TBL);           /* a table that maps itself */
	x = MUST_CREATE(f);
	CHECK_EQ_U64(param(x, "levels", NULL), 4);
	CHECK_EQ_U64(param(x, "root", NULL), root);
	// L0 1: a block descriptor where L0 allows none.
	check_fail(x, 0xffff008000000000ULL, VD_ERR_CORRUPT, 1,
		   "block descriptor, which level 0 does not allow");
	// L0 256, L1 3, offset 0x2345678 in the block at 0xc0000000.
	check_walk(x, 0, 0xffff8000c2345678ULL,
		   (struct step[]){ { "PGD", root, 256 }, { "PUD", pud, 3 } }, 2,
		   0xc2345678, 1ULL << 30);
	// L0 256, L1 4, L2 0, L3 16 (first page of the CONT run) + 0x10.
	check_walk(x, 0, 0xffff800100010010ULL,
		   (struct step[]){ { "PGD", root, 256 }, { "PUD", pud, 4 },
				    { "PMD", pmd, 0 }, { "PTE", pte, 16 } }, 4,
		   0x50000010, 0x1000);
	// L3 21: sixth page of the run, 0x50005000.
	check_walk(x, 0, 0xffff800100015000ULL,
		   (struct step[]){ { "PGD", root, 256 }, { "PUD", pud, 4 },
				    { "PMD", pmd, 0 }, { "PTE", pte, 21 } }, 4,
		   0x50005000, 0x1000);
	// L0 256, L1 5: not present.
	check_fail(x, 0xffff800140000000ULL, VD_ERR_NOTPRESENT, 2,
		   "PUD not present: pud[5] = 0x0");
	// Self map: every index 493, so each level reads root[493] = root,
	// and the "page" is the root table itself: PA = root + 0x5a8.
	check_walk(x, 0, 0xfffff6fb7dbed5a8ULL,
		   (struct step[]){ { "PGD", root, 493 }, { "PUD", root, 493 },
				    { "PMD", root, 493 }, { "PTE", root, 493 } }, 4,
		   root + 0x5a8, 0x1000);
	// A user (TTBR0) address is not looked up in swapper_pg_dir.
	check_fail(x, 0x400000, VD_ERR_NOTPRESENT, 0, "user (TTBR0) address");
	vd_xlat_destroy(x);
	fake_free(f);
}

/*
 * 4K, 52-bit with LPA2 (6.9+): 5 levels, PGD = L-1 [51:48] (16 entries),
 * P4D = L0 [47:39], PUD, PMD, PTE.  L0 blocks (512 GiB) are allowed, and
 * OA[51:50] sits in bits [9:8], OA[49:48] in bits [49:48].
 */
TEST(g4k_va52_lpa2)
{
	uint64_t root = 0x42000000, p4d = 0x42001000, pud = 0x42002000;
	uint64_t pmd = 0x42003000, pte = 0x42004000;
	struct fake *f = kernel(0x1000, 52, 12, root);
	struct vd_xlat *x;

	set(f, root, 15, p4d | TBL);
	set(f, root, 14, LPA2_BLOCK);            /* no blocks at level -1 */
	// L0 2: block at PA 2^51: OA[51:50] = 0b10 -> bits [9:8] = 0b10.
	set(f, p4d, 2, (2ULL << 8) | LPA2_BLOCK);
	set(f, p4d, 3, pud | TBL);
	set(f, pud, 1, pmd | TBL);
	set(f, pmd, 2, pte | TBL);
	// PA 0xf123456789000: bits [49:12] 0x3123456789000, OA[51:50] = 0b11.
	set(f, pte, 3, 0x3123456789000ULL | (3ULL << 8) | LPA2_PAGE);
	x = MUST_CREATE(f);
	CHECK_EQ_U64(param(x, "levels", NULL), 5);
	CHECK_EQ_U64(param(x, "pa_bits", NULL), 52);
	// L-1 15, L0 2 + 0x123456789 -> 0x8000000000000 + 0x123456789.
	check_walk(x, 0, 0xffff010123456789ULL,
		   (struct step[]){ { "PGD", root, 15 }, { "P4D", p4d, 2 } }, 2,
		   0x8000123456789ULL, 1ULL << 39);
	// L-1 15, L0 3, L1 1, L2 2, L3 3, offset 0x321.
	check_walk(x, 0, 0xffff018040403321ULL,
		   (struct step[]){ { "PGD", root, 15 }, { "P4D", p4d, 3 },
				    { "PUD", pud, 1 }, { "PMD", pmd, 2 },
				    { "PTE", pte, 3 } }, 5, 0xf123456789321ULL, 0x1000);
	// Lookup levels -1..3: L-1 VA[51:48], L0 [47:39], L1 [38:30],
	// L2 [29:21], L3 [20:12].
	check_hw(x, 0xffff018040403321ULL, 0, "L-1", 51, 48);
	check_hw(x, 0xffff018040403321ULL, 1, "L0", 47, 39);
	check_hw(x, 0xffff018040403321ULL, 2, "L1", 38, 30);
	check_hw(x, 0xffff018040403321ULL, 4, "L3", 20, 12);
	// L-1 14: a block descriptor where no granule allows one.
	check_fail(x, 0xfffe000000000000ULL, VD_ERR_CORRUPT, 1,
		   "block descriptor, which level -1 does not allow with 4K pages");
	check_no_hint(x, 0xfffe000000000000ULL);
	// 52 bits: 0xfff0000000000000 is a kernel address (the linear map).
	CHECK(vd_xlat_canonical(x, 0xfff0000000000000ULL));
	vd_xlat_destroy(x);

	// The same kernel on a CPU without LPA2 runs with 48 bits (T1SZ 16)
	// and 4 levels: swapper_pg_dir is the L0 table, bits [9:8] are SH.
	num(f, "NUMBER(TCR_EL1_T1SZ)", 16);
	set(f, root, 3, pud | TBL);
	x = MUST_CREATE(f);
	CHECK_EQ_U64(param(x, "levels", NULL), 4);
	CHECK_EQ_U64(param(x, "va_bits_runtime", NULL), 48);
	CHECK_EQ_U64(param(x, "pa_bits", NULL), 52);  /* MAX_PHYSMEM_BITS absent */
	// L0 3, L1 1, L2 2, L3 3: without LPA2 the OA is bits [47:12] only.
	check_walk(x, 0, 0xffff018040403321ULL,
		   (struct step[]){ { "PGD", root, 3 }, { "PUD", pud, 1 },
				    { "PMD", pmd, 2 }, { "PTE", pte, 3 } }, 4,
		   0x123456789321ULL, 0x1000);
	CHECK(!vd_xlat_canonical(x, 0xfff0000000000000ULL));
	vd_xlat_destroy(x);
	fake_free(f);
}

/* ---- 16K granule ----------------------------------------------------------- */

/* 16K, 36-bit: 2 levels, PGD = L2 [35:25] (2048 entries), PTE = L3 [24:14]. */
TEST(g16k_va36)
{
	uint64_t root = 0x40a00000, pte = 0x40a04000;
	struct fake *f = kernel(0x4000, 36, 28, root);
	struct vd_xlat *x;

	set(f, root, 1024, 0x42000000 | BLOCK);  /* L2 block: 32 MiB */
	set(f, root, 1025, pte | TBL);
	set(f, pte, 9, 0x43ffc000 | PAGE);
	x = MUST_CREATE(f);
	CHECK_EQ_U64(param(x, "levels", NULL), 2);
	// L2 1024 + 0x1234567 in the 32 MiB block at 0x42000000.
	check_walk(x, 0, 0xfffffff801234567ULL,
		   (struct step[]){ { "PGD", root, 1024 } }, 1,
		   0x43234567, 1ULL << 25);
	// L2 1025, L3 9, offset 0x3ff8 in the 16 KiB page at 0x43ffc000.
	check_walk(x, 0, 0xfffffff802027ff8ULL,
		   (struct step[]){ { "PGD", root, 1025 }, { "PTE", pte, 9 } }, 2,
		   0x43fffff8, 0x4000);
	vd_xlat_destroy(x);
	fake_free(f);
}

/* 16K, 47-bit: 3 levels, PGD = L1 [46:36], PMD = L2 [35:25], PTE = L3 [24:14]. */
TEST(g16k_va47)
{
	uint64_t root = 0x40a00000, pmd = 0x40a04000, pte = 0x40a08000;
	struct fake *f = kernel(0x4000, 47, 17, root);
	struct vd_xlat *x;
	char flags[256];
	struct vd_xlat_walk w;

	set(f, root, 2047, 0x1000000000ULL | BLOCK);  /* L1: no block w/o LPA2 */
	set(f, root, 1024, pmd | TBL);
	set(f, pmd, 12, 0x46000000 | BLOCK);          /* L2 block: 32 MiB */
	set(f, pmd, 13, pte | TBL);
	set(f, pte, 130, 0x47ff8000 | PAGE | CONT);
	x = MUST_CREATE(f);
	CHECK_EQ_U64(param(x, "levels", NULL), 3);
	check_fail(x, 0xfffffff000000000ULL, VD_ERR_CORRUPT, 1,
		   "level 1 does not allow with 16K pages");
	// L1 1024, L2 12 + 0x1abcdef.
	check_walk(x, 0, 0xffffc00019abcdefULL,
		   (struct step[]){ { "PGD", root, 1024 }, { "PMD", pmd, 12 } }, 2,
		   0x47abcdef, 1ULL << 25);
	// L1 1024, L2 13, L3 130 + 0x40; the CONT bit changes nothing.
	check_walk(x, 0, 0xffffc0001a208040ULL,
		   (struct step[]){ { "PGD", root, 1024 }, { "PMD", pmd, 13 },
				    { "PTE", pte, 130 } }, 3, 0x47ff8040, 0x4000);
	CHECK_OK(vd_xlat_walk(x, 0, 0xffffc0001a208040ULL, &w));
	vd_xlat_entry_flags(x, &w.steps[2], flags, sizeof(flags));
	CHECK_STR(flags, "VALID PAGE AF SH=inner AP=RW-EL1 PXN UXN CONT ATTRIDX=0");
	CHECK_STR(w.steps[2].hw_level, "L3");
	vd_xlat_entry_flags(x, &w.steps[0], flags, sizeof(flags));
	CHECK_STR(flags, "VALID TABLE");
	CHECK_STR(w.steps[0].hw_level, "L1");
	vd_xlat_destroy(x);
	fake_free(f);
}

/* 16K, 48-bit: 4 levels, PGD = L0 [47] (2 entries), PUD [46:36], PMD, PTE. */
TEST(g16k_va48)
{
	uint64_t root = 0x40a00000, pud = 0x40a04000, pmd = 0x40a08000;
	uint64_t pte = 0x40a0c000;
	struct fake *f = kernel(0x4000, 48, 16, root);
	struct vd_xlat *x;

	set(f, root, 1, pud | TBL);
	set(f, pud, 1, pmd | TBL);
	set(f, pmd, 2, pte | TBL);
	set(f, pte, 3, 0x48004000 | PAGE);
	x = MUST_CREATE(f);
	CHECK_EQ_U64(param(x, "levels", NULL), 4);
	// L0 1, L1 1, L2 2, L3 3, offset 0x123.
	check_walk(x, 0, 0xffff80100400c123ULL,
		   (struct step[]){ { "PGD", root, 1 }, { "PUD", pud, 1 },
				    { "PMD", pmd, 2 }, { "PTE", pte, 3 } }, 4,
		   0x48004123, 0x4000);
	vd_xlat_destroy(x);
	fake_free(f);
}

/*
 * 16K, 52-bit with LPA2: 4 levels, PGD = L0 [51:47] (32 entries); L1
 * blocks (64 GiB) are allowed; OA[51:50] in bits [9:8].
 */
TEST(g16k_va52_lpa2)
{
	uint64_t root = 0x40a00000, pud = 0x40a04000, pmd = 0x40a08000;
	uint64_t pte = 0x40a0c000;
	struct fake *f = kernel(0x4000, 52, 12, root);
	struct vd_xlat *x;
	struct vd_xlat_walk w;
	char flags[256];

	set(f, root, 31, pud | TBL);
	set(f, root, 30, LPA2_BLOCK);               /* no L0 blocks with 16K pages */
	set(f, pud, 5, (1ULL << 8) | LPA2_BLOCK);   /* PA 2^50: OA[51:50] = 01 */
	set(f, pud, 6, pmd | TBL);
	set(f, pmd, 7, pte | TBL);
	set(f, pte, 8, 0x3ffffffffc000ULL | LPA2_PAGE);
	// L1 7: a table at PA 0xe000040a10000, NLTA[51:50] = 0b11 in bits
	// [9:8], [49:48] = 0b10 in place; its L2 9 a 32 MiB block at
	// 0x8000142000000 (OA[51:50] = 0b10).
	set(f, pud, 7, 0x2000040a10000ULL | (3ULL << 8) | TBL);
	set(f, 0xe000040a10000ULL, 9, 0x142000000ULL | (2ULL << 8) | LPA2_BLOCK);
	x = MUST_CREATE(f);
	CHECK_EQ_U64(param(x, "levels", NULL), 4);
	CHECK_EQ_U64(param(x, "lpa2", NULL), 1);
	// L0 30 (VA 30 << 47): a block where 16K pages never allow one.
	check_fail(x, 0xffff000000000000ULL, VD_ERR_CORRUPT, 1,
		   "block descriptor, which level 0 does not allow with 16K pages");
	check_no_hint(x, 0xffff000000000000ULL);
	// L0 31, L1 7, L2 9 + 0x1abcdef.
	check_walk(x, 0, 0xffff807013abcdefULL,
		   (struct step[]){ { "PGD", root, 31 }, { "PUD", pud, 7 },
				    { "PMD", 0xe000040a10000ULL, 9 } }, 3,
		   0x8000143abcdefULL, 1ULL << 25);
	CHECK_OK(vd_xlat_walk(x, 0, 0xffff807013abcdefULL, &w));
	// LPA2: bits [9:8] are an address, not shareability (no "SH=").
	vd_xlat_entry_flags(x, &w.steps[2], flags, sizeof(flags));
	CHECK_STR(flags, "VALID BLOCK AF AP=RW-EL1 ATTRIDX=0");
	// L0 VA[51:47] (32 entries), L1 [46:36], L2 [35:25], L3 [24:14].
	check_hw(x, 0xffff80600e020077ULL, 0, "L0", 51, 47);
	check_hw(x, 0xffff80600e020077ULL, 1, "L1", 46, 36);
	check_hw(x, 0xffff80600e020077ULL, 2, "L2", 35, 25);
	check_hw(x, 0xffff80600e020077ULL, 3, "L3", 24, 14);
	// L0 31, L1 5 + 0x987654321 -> 2^50 + 0x987654321.
	check_walk(x, 0, 0xffff805987654321ULL,
		   (struct step[]){ { "PGD", root, 31 }, { "PUD", pud, 5 } }, 2,
		   0x4000987654321ULL, 1ULL << 36);
	// L0 31, L1 6, L2 7, L3 8 + 0x77: PA bits [49:14] all set.
	check_walk(x, 0, 0xffff80600e020077ULL,
		   (struct step[]){ { "PGD", root, 31 }, { "PUD", pud, 6 },
				    { "PMD", pmd, 7 }, { "PTE", pte, 8 } }, 4,
		   0x3ffffffffc077ULL, 0x4000);
	vd_xlat_destroy(x);
	fake_free(f);
}

/* ---- 64K granule ----------------------------------------------------------- */

/* 64K, 42-bit: 2 levels, PGD = L2 [41:29] (8192 entries), PTE = L3 [28:16]. */
TEST(g64k_va42)
{
	uint64_t root = 0x40a00000, pte = 0x40a10000;
	struct fake *f = kernel(0x10000, 42, 22, root);
	struct vd_xlat *x;

	set(f, root, 4096, 0x60000000 | BLOCK);  /* L2 block: 512 MiB */
	set(f, root, 4097, pte | TBL);
	set(f, pte, 5, 0x4fff0000 | PAGE);
	x = MUST_CREATE(f);
	CHECK_EQ_U64(param(x, "levels", NULL), 2);
	// L2 4096 + 0x1234567.
	check_walk(x, 0, 0xfffffe0001234567ULL,
		   (struct step[]){ { "PGD", root, 4096 } }, 1,
		   0x61234567, 1ULL << 29);
	// L2 4097, L3 5 + 0xfff0.
	check_walk(x, 0, 0xfffffe002005fff0ULL,
		   (struct step[]){ { "PGD", root, 4097 }, { "PTE", pte, 5 } }, 2,
		   0x4ffffff0, 0x10000);
	vd_xlat_destroy(x);
	fake_free(f);
}

/* 64K, 48-bit: 3 levels, PGD = L1 [47:42] (64 entries), PMD = L2, PTE = L3. */
TEST(g64k_va48)
{
	uint64_t root = 0x40a00000, pmd = 0x40a10000, pte = 0x40a20000;
	struct fake *f = kernel(0x10000, 48, 16, root);
	struct vd_xlat *x;

	num(f, "NUMBER(MAX_PHYSMEM_BITS)", 48);
	set(f, root, 40, 0x40000000000ULL | BLOCK);  /* L1 block needs 52-bit PA */
	set(f, root, 32, pmd | TBL);
	set(f, pmd, 1, pte | TBL);
	// Bits [15:12] are RES0 with 48-bit PAs: not an address.
	set(f, pte, 2, 0x7fff0000 | 0xa000 | PAGE);
	x = MUST_CREATE(f);
	CHECK_EQ_U64(param(x, "levels", NULL), 3);
	check_fail(x, 0xffffa00000000000ULL, VD_ERR_CORRUPT, 1,
		   "level 1 does not allow with 64K pages and 48-bit PAs");
	// L1 32, L2 1, L3 2 + 8.
	check_walk(x, 0, 0xffff800020020008ULL,
		   (struct step[]){ { "PGD", root, 32 }, { "PMD", pmd, 1 },
				    { "PTE", pte, 2 } }, 3, 0x7fff0008, 0x10000);
	vd_xlat_destroy(x);
	fake_free(f);
}

/*
 * 64K, 52-bit (LVA + LPA): 3 levels, PGD = L1 [51:42] (1024 entries, 8
 * KiB); OA[51:48] in bits [15:12]; L1 blocks (4 TiB) allowed.
 */
static struct fake *
build_64k_52(uint64_t root, uint64_t pmd, uint64_t pte)
{
	struct fake *f = kernel(0x10000, 52, 12, root);

	num(f, "NUMBER(MAX_PHYSMEM_BITS)", 52);
	// PA 0x5040000000000: bits [47:42] 0x40000000000, OA[51:48] 5.
	set(f, root, 1000, 0x40000000000ULL | (0x5ULL << 12) | BLOCK);
	set(f, root, 1023, pmd | TBL);
	set(f, pmd, 1, pte | TBL);
	// PA 0xa123456780000: bits [47:16] 0x123456780000, OA[51:48] 0xa.
	set(f, pte, 2, 0x123456780000ULL | (0xaULL << 12) | PAGE);
	return f;
}

TEST(g64k_va52_lpa)
{
	uint64_t root = 0x40a00000, pmd = 0x40a10000, pte = 0x40a20000;
	struct fake *f = build_64k_52(root, pmd, pte);
	struct vd_xlat *x = MUST_CREATE(f);

	CHECK_EQ_U64(param(x, "levels", NULL), 3);
	CHECK_EQ_U64(param(x, "lpa", NULL), 1);
	// L1 VA[51:42] (1024 entries), L2 [41:29], L3 [28:16].
	check_hw(x, 0xfffffc0020020008ULL, 0, "L1", 51, 42);
	check_hw(x, 0xfffffc0020020008ULL, 1, "L2", 41, 29);
	check_hw(x, 0xfffffc0020020008ULL, 2, "L3", 28, 16);
	// L1 1000 + 0x123456789a.
	check_walk(x, 0, 0xffffa0123456789aULL,
		   (struct step[]){ { "PGD", root, 1000 } }, 1,
		   0x504123456789aULL, 1ULL << 42);
	// L1 1023, L2 1, L3 2 + 8.
	check_walk(x, 0, 0xfffffc0020020008ULL,
		   (struct step[]){ { "PGD", root, 1023 }, { "PMD", pmd, 1 },
				    { "PTE", pte, 2 } }, 3, 0xa123456780008ULL, 0x10000);
	vd_xlat_destroy(x);

	// On a CPU without LVA the kernel runs with 48 bits (T1SZ 16) but
	// keeps the 52-bit table, offsetting TTBR1 to its last 64 entries:
	// walking it from the start as 52 bits gives the same answers.
	num(f, "NUMBER(TCR_EL1_T1SZ)", 16);
	x = MUST_CREATE(f);
	CHECK_EQ_U64(param(x, "va_bits_runtime", NULL), 48);
	CHECK_EQ_U64(param(x, "va_bits_walk", NULL), 52);
	check_walk(x, 0, 0xfffffc0020020008ULL,
		   (struct step[]){ { "PGD", root, 1023 }, { "PMD", pmd, 1 },
				    { "PTE", pte, 2 } }, 3, 0xa123456780008ULL, 0x10000);
	// L1 1000 is entry 960 + 40 of the offset table (VA[47:42] = 40):
	// still the same 4 TiB block.
	check_walk(x, 0, 0xffffa0123456789aULL,
		   (struct step[]){ { "PGD", root, 1000 } }, 1,
		   0x504123456789aULL, 1ULL << 42);
	// ... but the 52-bit linear map start is not canonical any more.
	check_fail(x, 0xfff0000000000000ULL, VD_ERR_FAULT, 0, "non-canonical");
	CHECK(!vd_xlat_canonical(x, 0xfff0000000000000ULL));
	vd_xlat_destroy(x);
	fake_free(f);
}

/* ---- bootstrap, layout, ptov ------------------------------------------------- */

TEST(bootstrap_errors)
{
	uint64_t root = 0x41858000;
	struct fake *f = kernel(0x1000, 48, 16, root);
	struct vd_xlat *x = NULL;
	struct vd_error *err;

	unnum(f, "NUMBER(kimage_voffset)");
	CHECK_ERR(create(f, &x), VD_ERR_LOOKUP);
	num(f, "NUMBER(kimage_voffset)", KV);
	num(f, "PAGESIZE", 8192);
	CHECK_ERR(create(f, &x), VD_ERR_CORRUPT);
	num(f, "PAGESIZE", 4096);
	num(f, "NUMBER(VA_BITS)", 60);
	CHECK_ERR(create(f, &x), VD_ERR_CORRUPT);
	num(f, "NUMBER(VA_BITS)", 48);
	// Misaligned root; unreadable root.
	num(f, "SYMBOL(swapper_pg_dir)", root + 8 + KV);
	CHECK_ERR(create(f, &x), VD_ERR_CORRUPT);
	num(f, "SYMBOL(swapper_pg_dir)", 0x7000000 + KV);
	CHECK_ERR(create(f, &x), VD_ERR_FAULT);
	num(f, "SYMBOL(swapper_pg_dir)", root + KV);
	// _stext must map to its image PA, 0x40210000.
	num(f, "SYMBOL(_stext)", 0xffff800008010000ULL);
	err = create(f, &x);
	CHECK(err && err->code == VD_ERR_CORRUPT &&
	      strstr(err->msg, "does not map _stext") &&
	      strstr(err->msg, "wrong kimage_voffset"));
	vd_error_destroy(err);
	fake_free(f);
}

/*
 * The 6.1 layout of the real arm64 dumps (4K, 48 bits, nokaslr): stated
 * NUMBERs, the linear map found by the probe, the image probed from
 * _stext across the freed init sections.
 */
static struct fake *
build_61(bool numbers)
{
	uint64_t root = 0x41858000, lpud = 0x5ffff000, lpmd = 0x5fffe000;
	uint64_t kpud = 0x5fffd000, kpmd = 0x5fffc000, kpte = 0x5fffb000;
	struct fake *f = kernel(0x1000, 48, 16, root);

	num(f, "NUMBER(kimage_voffset)", 0xffff7fffc7e00000ULL);
	num(f, "SYMBOL(_stext)", 0xffff800008010000ULL);
	if (numbers) {
		num(f, "NUMBER(MODULES_VADDR)", 0xffff800000000000ULL);
		num(f, "NUMBER(MODULES_END)", 0xffff800008000000ULL);
		num(f, "NUMBER(VMALLOC_START)", 0xffff800008000000ULL);
		num(f, "NUMBER(VMALLOC_END)", 0xfffffbfff0000000ULL);
		num(f, "NUMBER(VMEMMAP_START)", 0xfffffc0000000000ULL);
		num(f, "NUMBER(VMEMMAP_END)", 0xfffffe0000000000ULL);
	}
	// Linear map of RAM 0x40000000..0x5fffffff: L0 0, L1 0, L2 0..255
	// as 2 MiB blocks (VA 0xffff000000000000 = PA 0x40000000).
	set(f, root, 0, lpud | TBL);
	set(f, lpud, 0, lpmd | TBL);
	for (unsigned i = 0; i < 256; i++)
		set(f, lpmd, i, (0x40000000 + 0x200000ULL * i) | BLOCK);
	// Image: _stext 0xffff800008010000 = L0 256, L1 0, L2 64, L3 16,
	// PA 0x40210000; pages L3 16..31 mapped, 32..47 freed, 48..63 mapped;
	// L3 64 maps a vmalloc page elsewhere.
	set(f, root, 256, kpud | TBL);
	set(f, kpud, 0, kpmd | TBL);
	set(f, kpmd, 64, kpte | TBL);
	for (unsigned i = 16; i < 64; i++)
		if (i < 32 || i >= 48)
			set(f, kpte, i, (0x40200000 + 0x1000ULL * i) | PAGE);
	set(f, kpte, 64, 0x5555000 | PAGE);
	return f;
}

TEST(layout_61_numbers)
{
	struct fake *f = build_61(true);
	struct vd_xlat *x = MUST_CREATE(f);
	const struct vd_region *r[4];
	uint64_t va[4];

	CHECK_EQ_U64(param(x, "page_offset", NULL), 0xffff000000000000ULL);
	CHECK_EQ_U64(param(x, "linear_pa_start", NULL), 0x40000000);
	CHECK_EQ_U64(param(x, "linear_pa_end", NULL), 0x60000000);
	check_region(x, 0xffff000000001000ULL, "linear map", 0xffff000000000000ULL,
		     0xffff7fffffffffffULL, NULL);
	check_region(x, 0xffff800000001000ULL, "modules", 0xffff800000000000ULL,
		     0xffff800007ffffffULL, "vmcoreinfo");
	check_region(x, 0xffff900000000000ULL, "vmalloc", 0xffff800008000000ULL,
		     0xfffffbffefffffffULL, "vmcoreinfo");
	// Probed image: _stext .. the last mapped page before the vmalloc
	// page at L3 64 (0xffff800008040000).
	check_region(x, 0xffff800008010000ULL, "kernel image", 0xffff800008010000ULL,
		     0xffff80000803ffffULL, "page-table probe");
	check_region(x, 0xfffffbfff0000000ULL, "fixmap (top down)",
		     0xfffffbfff0000000ULL, 0xfffffbfffdffffffULL, "layout rule");
	check_region(x, 0xfffffbfffe800000ULL, "PCI I/O", 0xfffffbfffe800000ULL,
		     0xfffffbffff7fffffULL, "layout rule");
	check_region(x, 0xfffffc0000000000ULL, "vmemmap", 0xfffffc0000000000ULL,
		     0xfffffdffffffffffULL, "vmcoreinfo");
	// ptov: PA 0x40211000 is in the linear map and the first image run;
	// 0x40220000 (freed L3 32) only in the linear map.
	CHECK_EQ_U64(vd_xlat_ptov(x, 0x40211000, va, r, 4), 2);
	CHECK_EQ_U64(va[0], 0xffff000000211000ULL);
	CHECK_EQ_U64(va[1], 0xffff800008011000ULL);
	CHECK(r[1] && !strcmp(r[1]->name, "kernel image"));
	CHECK_EQ_U64(vd_xlat_ptov(x, 0x40220000, va, r, 4), 1);
	CHECK_EQ_U64(vd_xlat_ptov(x, 0x40230000, va, r, 4), 2);
	CHECK_EQ_U64(va[1], 0xffff800008030000ULL);
	CHECK_EQ_U64(vd_xlat_ptov(x, 0x60000000, va, r, 4), 0);
	vd_xlat_destroy(x);
	fake_free(f);
}

/* Without the 5.18+ NUMBERs the regions follow memory.h's rules. */
TEST(layout_61_rules)
{
	struct fake *f = build_61(false);
	struct vd_xlat *x;

	sym(f, "_text", 0xffff800008000000ULL);
	sym(f, "_end", 0xffff80000a010000ULL);
	x = MUST_CREATE(f);
	// MODULES_VADDR = PAGE_END = -(1 << 47), 128 MiB; VMEMMAP_START =
	// -(1 << (48 - 6)), size 2^47 >> 6 = 2 TiB; VMALLOC_END =
	// VMEMMAP_START - 256 MiB.
	check_region(x, 0xffff800000001000ULL, "modules", 0xffff800000000000ULL,
		     0xffff800007ffffffULL, "layout rule");
	check_region(x, 0xffff900000000000ULL, "vmalloc", 0xffff800008000000ULL,
		     0xfffffbffefffffffULL, "layout rule");
	check_region(x, 0xfffffc0000000000ULL, "vmemmap", 0xfffffc0000000000ULL,
		     0xfffffdffffffffffULL, "layout rule");
	check_region(x, 0xffff800008000000ULL, "kernel image", 0xffff800008000000ULL,
		     0xffff80000a00ffffULL, "symbol");
	vd_xlat_destroy(x);
	fake_free(f);
}

/*
 * 6.12's arm64-16k kernel (16K pages, 52-bit VAs with LPA2) as the real
 * dump arm64-16k-6.12 has it: its VMCOREINFO NUMBERs, kimage_voffset and
 * swapper_pg_dir; RAM 0x40000000..0x5fffffff in the linear map as 16 32 MiB
 * L2 blocks (L0 0, L1 0, L2 0..15); _stext 0xffffdf0cd1010000 = L0 31, L1
 * 1520, L2 1640, L3 1028, PA 0x40210000, four 16 KiB pages mapped.
 */
#define KV612 0xffffdf0c90e00000ULL

static struct fake *
build_612_16k(unsigned t1sz, uint64_t phys_offset)
{
	uint64_t root = 0x41f2c000, lpud = 0x5fffc000, lpmd = 0x5fff8000;
	uint64_t kpud = 0x42dbc000, kpmd = 0x42dc0000, kpte = 0x42dc8000;
	struct fake *f = kernel(0x4000, 52, t1sz, root);
	bool lpa2 = t1sz == 12;

	num(f, "NUMBER(kimage_voffset)", KV612);
	num(f, "SYMBOL(swapper_pg_dir)", root + KV612);
	num(f, "SYMBOL(_stext)", 0xffffdf0cd1010000ULL);
	num(f, "NUMBER(PHYS_OFFSET)", phys_offset);
	num(f, "NUMBER(MAX_PHYSMEM_BITS)", 52);
	num(f, "NUMBER(MODULES_VADDR)", 0xffffc00000000000ULL);
	num(f, "NUMBER(MODULES_END)", 0xffffc00080000000ULL);
	num(f, "NUMBER(VMALLOC_START)", 0xffffc00080000000ULL);
	num(f, "NUMBER(VMALLOC_END)", 0xfffff03fbf800000ULL);
	num(f, "NUMBER(VMEMMAP_START)", 0xfffff03fc0000000ULL);
	num(f, "NUMBER(VMEMMAP_END)", 0xffffffffc0000000ULL);
	if (lpa2) {
		set(f, root, 0, lpud | TBL);
		set(f, lpud, 0, lpmd | TBL);
		set(f, root, 31, kpud | TBL);
		set(f, kpud, 1520, kpmd | TBL);
	} else {
		// 47 bits at runtime: swapper_pg_dir is the L1 table (the
		// kernel folds the PGD level, 6.9+); VA 0xffff800000000000
		// is L1 0 and _stext L1 1520 as before.
		set(f, root, 0, lpmd | TBL);
		set(f, root, 1520, kpmd | TBL);
	}
	for (unsigned i = 0; i < 16; i++)
		set(f, lpmd, i, (0x40000000 + (32ULL << 20) * i) |
		    (lpa2 ? LPA2_BLOCK : BLOCK));
	set(f, kpmd, 1640, kpte | TBL);
	for (unsigned i = 0; i < 4; i++)
		set(f, kpte, 1028 + i, (0x40210000 + 0x4000ULL * i) |
		    (lpa2 ? LPA2_PAGE : PAGE));
	return f;
}

TEST(layout_612_16k_52)
{
	struct fake *f = build_612_16k(12, 0x40000000);
	struct vd_xlat *x = MUST_CREATE(f);
	const struct vd_region *r[4];
	uint64_t va[4];

	CHECK_EQ_U64(param(x, "levels", NULL), 4);
	CHECK_EQ_U64(param(x, "va_bits_runtime", NULL), 52);
	CHECK_EQ_U64(param(x, "pa_bits", NULL), 52);
	CHECK_EQ_U64(param(x, "lpa2", NULL), 1);
	CHECK_EQ_U64(param(x, "root", NULL), 0x41f2c000);
	CHECK_EQ_U64(param(x, "page_offset", NULL), 0xfff0000000000000ULL);
	CHECK_EQ_U64(param(x, "linear_pa_start", NULL), 0x40000000);
	CHECK_EQ_U64(param(x, "linear_pa_end", NULL), 0x60000000);
	// memory.h (6.9+): PAGE_OFFSET = -(1 << 52), PAGE_END = -(1 << (47 -
	// 1)) (VA_BITS_MIN is 47 with 16K pages).
	check_region(x, 0xfff0000000000000ULL, "linear map", 0xfff0000000000000ULL,
		     0xffffbfffffffffffULL, "layout rule");
	check_region(x, 0xffffc00000004000ULL, "modules", 0xffffc00000000000ULL,
		     0xffffc0007fffffffULL, "vmcoreinfo");
	check_region(x, 0xffffc00080000000ULL, "vmalloc", 0xffffc00080000000ULL,
		     0xfffff03fbf7fffffULL, "vmcoreinfo");
	check_region(x, 0xfffff03fc0000000ULL, "vmemmap", 0xfffff03fc0000000ULL,
		     0xffffffffbfffffffULL, "vmcoreinfo");
	// 6.9+ (memory.rst): PCI I/O = [VMEMMAP_END + 8M, + 16M), the fixmap
	// from there up to FIXADDR_TOP = -8M.
	check_region(x, 0xffffffffc0800000ULL, "PCI I/O", 0xffffffffc0800000ULL,
		     0xffffffffc17fffffULL, "layout rule");
	check_region(x, 0xffffffffff7fffffULL, "fixmap (top down)",
		     0xffffffffc1800000ULL, 0xffffffffff7fffffULL, "layout rule");
	CHECK(vd_xlat_region(x, 0xffffffffc0000000ULL) == NULL);   /* guard */
	CHECK(vd_xlat_region(x, 0xffffffffff800000ULL) == NULL);
	// L0 0, L1 0, L2 0 + 0x1234560 in the block at 0x40000000.
	check_walk(x, 0, 0xfff0000001234560ULL,
		   (struct step[]){ { "PGD", 0x41f2c000, 0 }, { "PUD", 0x5fffc000, 0 },
				    { "PMD", 0x5fff8000, 0 } }, 3, 0x41234560, 32ULL << 20);
	// _stext + 0x7ff8 (its second page): L3 1029.
	check_walk(x, 0, 0xffffdf0cd1017ff8ULL,
		   (struct step[]){ { "PGD", 0x41f2c000, 31 }, { "PUD", 0x42dbc000, 1520 },
				    { "PMD", 0x42dc0000, 1640 }, { "PTE", 0x42dc8000, 1029 } },
		   4, 0x40217ff8, 0x4000);
	check_region(x, 0xffffdf0cd1010000ULL, "kernel image", 0xffffdf0cd1010000ULL,
		     0xffffdf0cd101ffffULL, "page-table probe");
	// ptov: the linear map, and the image for its pages.
	CHECK_EQ_U64(vd_xlat_ptov(x, 0x41234560, va, r, 4), 1);
	CHECK_EQ_U64(va[0], 0xfff0000001234560ULL);
	CHECK_EQ_U64(vd_xlat_ptov(x, 0x40214008, va, r, 4), 2);
	CHECK_EQ_U64(va[0], 0xfff0000000214008ULL);
	CHECK_EQ_U64(va[1], 0xffffdf0cd1014008ULL);
	CHECK(r[1] && !strcmp(r[1]->name, "kernel image"));
	vd_xlat_destroy(x);
	fake_free(f);
}

/*
 * The same kernel on a CPU without LPA2 (6.9+ falls back to 47 bits, T1SZ
 * 17): 3 levels from swapper_pg_dir as the L1 table, descriptors without
 * LPA2 (bits [9:8] are SH again), PAGE_OFFSET still -(1 << 52) but PHYS_OFFSET
 * lowered by _PAGE_OFFSET(47) - _PAGE_OFFSET(52) = 0xf800000000000
 * (arm64_memblock_init()), so RAM starts at VA -(1 << 47).
 */
TEST(layout_612_16k_52_on_47)
{
	struct fake *f = build_612_16k(17, 0x40000000 - 0xf800000000000ULL);
	struct vd_xlat *x = MUST_CREATE(f);
	const struct vd_region *r[4];
	uint64_t va[4];
	bool found;

	CHECK_EQ_U64(param(x, "levels", NULL), 3);
	CHECK_EQ_U64(param(x, "va_bits", NULL), 52);
	CHECK_EQ_U64(param(x, "va_bits_runtime", NULL), 47);
	param(x, "lpa2", &found);
	CHECK(!found);
	CHECK_EQ_U64(param(x, "linear_va_start", NULL), 0xffff800000000000ULL);
	CHECK_EQ_U64(param(x, "linear_pa_start", NULL), 0x40000000);
	check_region(x, 0xffff800000000000ULL, "linear map", 0xffff800000000000ULL,
		     0xffffbfffffffffffULL, "layout rule");
	// L1 0, L2 0 + 0x1234560; L1 VA[46:36], L2 [35:25].
	check_walk(x, 0, 0xffff800001234560ULL,
		   (struct step[]){ { "PGD", 0x41f2c000, 0 }, { "PMD", 0x5fff8000, 0 } },
		   2, 0x41234560, 32ULL << 20);
	check_hw(x, 0xffff800001234560ULL, 0, "L1", 46, 36);
	check_walk(x, 0, 0xffffdf0cd1017ff8ULL,
		   (struct step[]){ { "PGD", 0x41f2c000, 1520 }, { "PMD", 0x42dc0000, 1640 },
				    { "PTE", 0x42dc8000, 1029 } }, 3, 0x40217ff8, 0x4000);
	CHECK(!vd_xlat_canonical(x, 0xfff0000000000000ULL));
	check_fail(x, 0xffff7fffffffffffULL, VD_ERR_FAULT, 0, "non-canonical");
	CHECK_EQ_U64(vd_xlat_ptov(x, 0x41234560, va, r, 4), 1);
	CHECK_EQ_U64(va[0], 0xffff800001234560ULL);
	vd_xlat_destroy(x);
	fake_free(f);
}

int
main(void)
{
	return RUN_TESTS();
}
