// SPDX-License-Identifier: MIT
/*
 * x86_64 translation against hand-built page tables in a fake physical
 * memory.  Every expected value is worked out from the architecture rules
 * (SDM Vol. 3A 4.5; mm.rst; arch/x86/mm/kaslr.c) in the comments next to
 * it: index = (va >> shift) & 511 with shifts 39/30/21/12 (4-level) or
 * 48/39/30/21/12 (5-level); entry address = table + 8 * index.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "vmdive/xlat.h"

/* ---- fake physical memory ---------------------------------------------- */

#define FAKE_MEM_ARCH VD_ARCH_X86_64
#include "fake_mem.h"

/* ---- entry values ------------------------------------------------------ */

#define T 0x63ULL            /* table: PRESENT RW ACCESSED DIRTY */
#define NX (1ULL << 63)
#define PAGE_K (NX | 0x163)  /* PRESENT RW ACCESSED DIRTY GLOBAL NX */
#define LARGE 0xe3ULL        /* PRESENT RW ACCESSED DIRTY PSE */
#define SME (1ULL << 47)     /* a C-bit position AMD uses */

/* ---- layout A: 4-level, KASLR, negative phys_base ---------------------- */

/*
 * phys_base = -0x1e000000; KERNELOFFSET 0x2e000000 puts _text at
 * 0xffffffff81000000 + 0x2e000000 = 0xffffffffaf000000, PA
 * 0x2f000000 - 0x1e000000 = 0x11000000.  init_top_pgt at
 * 0xffffffffb0a0e000 is at PA 0x30a0e000 - 0x1e000000 = 0x12a0e000.
 */
#define PB 0xffffffffe2000000ULL
#define ROOT 0x12a0e000ULL
#define POB 0xffff9e0000000000ULL      /* pgd 316, pud 0 */
#define VMALLOC 0xffffb40140000000ULL  /* pgd 360, pud 5 */
#define VMEMMAP 0xffffd60000000000ULL  /* pgd 428, pud 0 */
#define KPUD 0x12a10000ULL
#define KPMD 0x12a11000ULL
#define DPUD 0x05001000ULL
#define DPMD 0x05002000ULL
#define DPTE 0x05003000ULL
#define DPTE2 0x05004000ULL
#define DPTE3 0x05005000ULL
#define PROOT 0x05030000ULL
#define SROOT 0x06000000ULL

enum { A_SME = 1, A_NOWINDOW = 2 };

static void
a_kernel(struct fake *f, uint64_t root)
{
	// _text 0xffffffffaf000000: pgd 511, pud 510, pmd 376; 16 MiB of
	// 2 MiB pages from PA 0x11000000.
	set(f, root, 511, KPUD | T);
	set(f, KPUD, 510, KPMD | T);
	for (unsigned i = 0; i < 8; i++)
		set(f, KPMD, 376 + i, (0x11000000 + i * 0x200000ULL) | LARGE |
			0x100);
}

static void
a_window(struct fake *f)
{
	// pgd 300 (below the direct map) has the reserved PS bit and
	// points at a real table: neither a mapping nor a table to scan.
	set(f, ROOT, 300, DPUD | 0x80 | T);
	// Direct map: pud[0] -> 4K/2M, pud[1], pud[2] 1 GiB (RAM to 3 GiB).
	set(f, ROOT, 316, DPUD | T);
	set(f, DPUD, 0, DPMD | T);
	set(f, DPUD, 1, 0x40000000 | LARGE);
	set(f, DPUD, 2, 0x80000000 | LARGE | NX);
	set(f, DPMD, 0, DPTE | T);
	set(f, DPMD, 1, 0x200000 | LARGE | NX);
	set(f, DPMD, 3, DPTE2 | T);
	set(f, DPMD, 5, 0x0dead000 | T);   /* table not in the dump */
	for (unsigned j = 4; j < 512; j++)
		if (j != 5)
			set(f, DPMD, j, (j * 0x200000ULL) | LARGE | NX);
	set(f, DPMD, 67, DPTE3 | T);
	for (unsigned k = 0; k < 512; k++) {
		if (k != 5)
			set(f, DPTE, k, (k * 0x1000ULL) | PAGE_K);
		set(f, DPTE2, k, (0x600000 + k * 0x1000ULL) | PAGE_K);
		set(f, DPTE3, k, (0x8600000 + k * 0x1000ULL) | PAGE_K);
	}
	// vmalloc: first page at VMALLOC maps PA 0x7000 (not linear);
	// pgd 361 is a preallocated, empty PUD table.
	set(f, ROOT, 360, 0x05010000 | T);
	set(f, 0x05010000, 5, 0x05011000 | T);
	set(f, 0x05011000, 0, 0x05012000 | T);
	set(f, 0x05012000, 0, 0x7000 | PAGE_K);
	set(f, ROOT, 361, 0x05013000 | T);
	put(f, 0x05013000, 0);
	// A vmalloc mapping 1 GiB below VMALLOC_END (pgd 424, pud 4):
	// vmemmap must be searched only past VMALLOC + 32 TiB.
	set(f, ROOT, 424, 0x05014000 | T);
	set(f, 0x05014000, 4, 0x05015000 | T);
	set(f, 0x05015000, 0, 0x9000000 | LARGE | NX);
	// vmemmap: 2 MiB page at pgd 428, pud 0, pmd 0.
	set(f, ROOT, 428, 0x05020000 | T);
	set(f, 0x05020000, 0, 0x05021000 | T);
	set(f, 0x05021000, 0, 0x3e00000 | LARGE | NX);
	// cpu_entry_area (pgd 508) is past vaddr_end: never a base.
	set(f, ROOT, 508, 0x05050000 | T);
	set(f, 0x05050000, 0, 0x05051000 | T);
	put(f, 0x05051000, 0);
}

static void
a_extra(struct fake *f, unsigned opts)
{
	// A process PGD sharing the kernel half; user VA 0x7f1234567abc
	// = pgd 254, pud 72, pmd 418, pte 359.
	set(f, PROOT, 511, KPUD | T);
	set(f, PROOT, 254, 0x05031000 | T);
	set(f, 0x05031000, 72, 0x05032000 | T);
	set(f, 0x05032000, 418, 0x05033000 | T);
	set(f, 0x05033000, 359, 0x1234000 | NX | 0x67);
	// A table that maps itself at index 493 of every level; pgd 100
	// has the reserved PS bit, pgd 101 points above 2^46.
	set(f, SROOT, 493, SROOT | T);
	set(f, SROOT, 100, 0x40000000 | 0x83);
	set(f, SROOT, 101, 0x400000000000ULL | T);
	set(f, SROOT, 511, KPUD | T);
	if (opts & A_SME) {
		// Low VA 0x8000003abc = pgd 1, pud 0, pmd 0, pte 3, every
		// entry with the C-bit.
		set(f, ROOT, 1, 0x05040000 | SME | T);
		set(f, 0x05040000, 0, 0x05041000 | SME | T);
		set(f, 0x05041000, 0, 0x05042000 | SME | T);
		set(f, 0x05042000, 3, 0x3000 | SME | NX | 0x63);
	}
}

static struct fake *
build_a(unsigned opts)
{
	struct fake *f = fake_new();

	num(f, "NUMBER(phys_base)", PB);
	num(f, "SYMBOL(init_top_pgt)", 0xffffffffb0a0e000ULL);
	num(f, "KERNELOFFSET", 0x2e000000);
	num(f, "NUMBER(KERNEL_IMAGE_SIZE)", 0x40000000);
	num(f, "NUMBER(pgtable_l5_enabled)", 0);
	num(f, "NUMBER(sme_mask)", opts & A_SME ? SME : 0);
	a_kernel(f, ROOT);
	if (!(opts & A_NOWINDOW))
		a_window(f);
	a_extra(f, opts);
	return f;
}

/* create() that must succeed: the rest of a test needs the object. */
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

static struct vd_xlat *
xlat_a(struct fake **fp, unsigned opts)
{
	*fp = build_a(opts);
	return MUST_CREATE(*fp);
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

static const struct vd_region *
region_at(struct vd_xlat *x, uint64_t va)
{
	return vd_xlat_region(x, va);
}

static void
check_region(struct vd_xlat *x, uint64_t va, const char *name,
	     uint64_t start, uint64_t end, const char *source)
{
	const struct vd_region *r = region_at(x, va);

	CHECK(r != NULL);
	if (!r)
		return;
	CHECK_STR(r->name, name);
	CHECK_EQ_U64(r->start, start);
	CHECK_EQ_U64(r->end, end);
	if (source)
		CHECK_STR(r->source, source);
}

static void
check_step(const struct vd_xlat_step *s, const char *level, uint64_t table,
	   unsigned index, uint64_t entry, bool leaf)
{
	CHECK_STR(s->level, level);
	CHECK_EQ_U64(s->table, table);
	CHECK_EQ_U64(s->index, index);
	CHECK_EQ_U64(s->entry_addr, table + 8ULL * index);
	CHECK_EQ_U64(s->entry, entry);
	CHECK(s->leaf == leaf);
}

/* ---- bootstrap --------------------------------------------------------- */

TEST(bootstrap_negative_phys_base)
{
	struct fake *f;
	struct vd_xlat *x = xlat_a(&f, 0);
	const struct vd_xlat_param *p;
	size_t n = vd_xlat_params(x, &p);
	bool signed_pb = false;

	for (size_t i = 0; i < n; i++)
		if (!strcmp(p[i].name, "phys_base"))
			signed_pb = p[i].kind == VD_PARAM_SIGNED;
	CHECK(signed_pb);
	CHECK_EQ_U64(param(x, "phys_base", NULL), PB);
	// init_top_pgt 0xffffffffb0a0e000 - 0xffffffff80000000 - 0x1e000000
	CHECK_EQ_U64(param(x, "root", NULL), ROOT);
	CHECK_EQ_U64(param(x, "levels", NULL), 4);
	CHECK_EQ_U64(param(x, "va_bits", NULL), 48);
	CHECK_EQ_U64(param(x, "kaslr_offset", NULL), 0x2e000000);
	CHECK_EQ_U64(param(x, "kernel_start", NULL), 0xffffffffaf000000ULL);
	CHECK_EQ_U64(param(x, "kernel_image_size", NULL), 0x40000000);
	// A kernel text address: pgd 511, pud 510, pmd 376 -> 0x11000000.
	uint64_t pa = 0, size = 0;
	CHECK_OK(vd_xlat_translate(x, 0xffffffffaf012345ULL, &pa, &size));
	CHECK_EQ_U64(pa, 0x11012345);
	CHECK_EQ_U64(size, 0x200000);
	vd_xlat_destroy(x);
	fake_free(f);
}

TEST(bootstrap_errors)
{
	struct fake *f = build_a(0);
	struct vd_xlat *x = NULL;

	unnum(f, "NUMBER(phys_base)");
	CHECK_ERR(create(f, &x), VD_ERR_LOOKUP);
	num(f, "NUMBER(phys_base)", PB);

	// Neither init_top_pgt nor CR3.
	unnum(f, "SYMBOL(init_top_pgt)");
	CHECK_ERR(create(f, &x), VD_ERR_LOOKUP);
	// Pre-4.13 name.
	num(f, "SYMBOL(init_level4_pgt)", 0xffffffffb0a0e000ULL);
	x = MUST_CREATE(f);
	CHECK_EQ_U64(param(x, "root", NULL), ROOT);
	vd_xlat_destroy(x);
	unnum(f, "SYMBOL(init_level4_pgt)");
	// CR3 with PCID 5 in bits 0-11: root is its bits 12-51.
	num(f, "cr3", ROOT | 5);
	x = MUST_CREATE(f);
	CHECK_EQ_U64(param(x, "root", NULL), ROOT);
	vd_xlat_destroy(x);
	unnum(f, "cr3");

	// Misaligned, outside the image, unreadable, pgd[511] empty.
	num(f, "SYMBOL(init_top_pgt)", 0xffffffffb0a0e008ULL);
	CHECK_ERR(create(f, &x), VD_ERR_CORRUPT);
	num(f, "SYMBOL(init_top_pgt)", 0xffff888000000000ULL);
	CHECK_ERR(create(f, &x), VD_ERR_CORRUPT);
	num(f, "SYMBOL(init_top_pgt)", 0xffffffffb7000000ULL);
	CHECK_ERR(create(f, &x), VD_ERR_FAULT);
	num(f, "SYMBOL(init_top_pgt)", 0xffffffffb0a0e000ULL);
	set(f, ROOT, 511, 0);
	struct vd_error *err = create(f, &x);
	CHECK(err && err->code == VD_ERR_CORRUPT &&
	      strstr(err->msg, "pgd[511] = 0x0") &&
	      strstr(err->msg, "phys_base"));
	vd_error_destroy(err);
	fake_free(f);
}

TEST(kernel_image_size_default)
{
	struct fake *f = fake_new();
	struct vd_xlat *x = NULL;

	// No KERNEL_IMAGE_SIZE, KERNELOFFSET 0: 512 MiB, modules from
	// 0xffffffffa0000000.  init_top_pgt 0xffffffff82a0e000 with
	// phys_base 0 is at PA 0x2a0e000.
	num(f, "NUMBER(phys_base)", 0);
	num(f, "SYMBOL(init_top_pgt)", 0xffffffff82a0e000ULL);
	set(f, 0x2a0e000, 511, 0x2a10000 | T);
	x = MUST_CREATE(f);
	CHECK_EQ_U64(param(x, "kernel_image_size", NULL), 512ULL << 20);
	check_region(x, 0xffffffffa0001000ULL, "modules", 0xffffffffa0000000ULL,
		     0xfffffffffeffffffULL, "fixed");
	CHECK_EQ_U64(param(x, "kernel_start", NULL), 0xffffffff81000000ULL);
	vd_xlat_destroy(x);
	// A non-zero KERNELOFFSET proves CONFIG_RANDOMIZE_BASE: 1 GiB.
	num(f, "KERNELOFFSET", 0x1000000);
	x = MUST_CREATE(f);
	check_region(x, 0xffffffffc0001000ULL, "modules", 0xffffffffc0000000ULL,
		     0xfffffffffeffffffULL, "fixed");
	vd_xlat_destroy(x);
	fake_free(f);
}

/* ---- walks ------------------------------------------------------------- */

TEST(walk_4k)
{
	struct fake *f;
	struct vd_xlat *x = xlat_a(&f, 0);
	struct vd_xlat_walk w;

	// POB + 0x1234: pgd 316, pud 0, pmd 0, pte 1 (PA 0x1000).
	CHECK_OK(vd_xlat_walk(x, 0, POB + 0x1234, &w));
	CHECK_EQ_U64(w.nsteps, 4);
	CHECK_EQ_U64(w.root, ROOT);
	check_step(&w.steps[0], "PGD", ROOT, 316, DPUD | T, false);
	CHECK_EQ_U64(w.steps[0].entry_addr, 0x12a0e9e0);
	check_step(&w.steps[1], "PUD", DPUD, 0, DPMD | T, false);
	check_step(&w.steps[2], "PMD", DPMD, 0, DPTE | T, false);
	check_step(&w.steps[3], "PTE", DPTE, 1, 0x1000 | PAGE_K, true);
	CHECK_EQ_U64(w.pa, 0x1234);
	CHECK_EQ_U64(w.page_size, 0x1000);
	vd_xlat_destroy(x);
	fake_free(f);
}

TEST(walk_2m_and_1g)
{
	struct fake *f;
	struct vd_xlat *x = xlat_a(&f, 0);
	struct vd_xlat_walk w;

	// POB + 0x205678: pgd 316, pud 0, pmd 1 = 2 MiB page at 0x200000.
	CHECK_OK(vd_xlat_walk(x, 0, POB + 0x205678, &w));
	CHECK_EQ_U64(w.nsteps, 3);
	check_step(&w.steps[2], "PMD", DPMD, 1, 0x200000 | LARGE | NX, true);
	CHECK_EQ_U64(w.pa, 0x205678);
	CHECK_EQ_U64(w.page_size, 0x200000);
	// POB + 0x40123456: pgd 316, pud 1 = 1 GiB page at 0x40000000.
	CHECK_OK(vd_xlat_walk(x, 0, POB + 0x40123456, &w));
	CHECK_EQ_U64(w.nsteps, 2);
	check_step(&w.steps[1], "PUD", DPUD, 1, 0x40000000 | LARGE, true);
	CHECK_EQ_U64(w.pa, 0x40123456);
	CHECK_EQ_U64(w.page_size, 0x40000000);
	// Kernel text, 2 MiB pages with PAT-bit-free frames: pmd 377
	// maps 0x11200000.
	CHECK_OK(vd_xlat_walk(x, 0, 0xffffffffaf2abcdeULL, &w));
	CHECK_EQ_U64(w.pa, 0x112abcde);
	vd_xlat_destroy(x);
	fake_free(f);
}

/* A 2 MiB leaf with bit 12 (PAT) set: the frame is bits 21-51 only. */
TEST(walk_huge_pat_bit)
{
	struct fake *f;
	struct vd_xlat *x = xlat_a(&f, 0);
	uint64_t pa = 0;

	// pmd 6 of the direct map: 0xc00000 | PAT(bit 12).  Offset 0x234
	// has bit 12 clear, so a frame keeping bit 12 would show.
	set(f, DPMD, 6, 0xc00000 | 0x1000 | LARGE);
	CHECK_OK(vd_xlat_translate(x, POB + 0xc00234, &pa, NULL));
	CHECK_EQ_U64(pa, 0xc00234);
	vd_xlat_destroy(x);
	fake_free(f);
}

static void
check_notpresent(struct vd_xlat *x, uint64_t root, uint64_t va,
		 unsigned nsteps, const char *msg, enum vd_as as)
{
	struct vd_xlat_walk w;
	struct vd_error *err = vd_xlat_walk(x, root, va, &w);

	CHECK(err != NULL);
	if (!err)
		return;
	CHECK(err->code == VD_ERR_NOTPRESENT);
	CHECK(strstr(err->msg, msg) != NULL);
	if (!strstr(err->msg, msg))
		fprintf(stderr, "  message: %s\n", err->msg);
	CHECK_EQ_U64(err->addr, va);
	CHECK(err->as == as);
	CHECK_EQ_U64(w.nsteps, nsteps);
	CHECK(!w.steps[nsteps - 1].leaf);
	CHECK_EQ_U64(w.steps[nsteps - 1].entry, 0);
	vd_error_destroy(err);
}

TEST(walk_not_present_each_level)
{
	struct fake *f;
	struct vd_xlat *x = xlat_a(&f, 0);
	struct vd_xlat_walk w;

	// 0xffff800000000000 = pgd 256 (guard hole, empty).
	check_notpresent(x, 0, 0xffff800000000000ULL, 1,
			 "PGD not present: pgd[256] = 0x0 (table 0x12a0e000)",
			 VD_AS_KVIRT);
	// POB + 3 GiB = pgd 316, pud 3.
	check_notpresent(x, 0, POB + 0xc0000000ULL, 2,
			 "PUD not present: pud[3] = 0x0 (table 0x5001000)",
			 VD_AS_KVIRT);
	// POB + 4 MiB = pgd 316, pud 0, pmd 2.
	check_notpresent(x, 0, POB + 0x400000, 3,
			 "PMD not present: pmd[2] = 0x0 (table 0x5002000)",
			 VD_AS_KVIRT);
	// POB + 0x5000 = pgd 316, pud 0, pmd 0, pte 5.
	check_notpresent(x, 0, POB + 0x5000, 4,
			 "PTE not present: pte[5] = 0x0 (table 0x5003000)",
			 VD_AS_KVIRT);
	// The steps before the failing one are filled.
	CHECK_ERR(vd_xlat_walk(x, 0, POB + 0x5000, &w), VD_ERR_NOTPRESENT);
	check_step(&w.steps[2], "PMD", DPMD, 0, DPTE | T, false);
	// A user address under a process root not mapped there: pgd 0.
	check_notpresent(x, PROOT, 0x1000, 1, "pgd[0] = 0x0", VD_AS_UVIRT);
	vd_xlat_destroy(x);
	fake_free(f);
}

TEST(walk_read_fault)
{
	struct fake *f;
	struct vd_xlat *x = xlat_a(&f, 0);
	struct vd_xlat_walk w;
	struct vd_error *err;

	// POB + 10 MiB = pmd 5 -> PTE table 0xdead000, absent from the dump.
	err = vd_xlat_walk(x, 0, POB + 0xa00000, &w);
	CHECK(err && err->code == VD_ERR_FAULT &&
	      strstr(err->msg, "reading PTE entry pte[0] at 0xdead000"));
	CHECK_EQ_U64(w.nsteps, 4);
	check_step(&w.steps[3], "PTE", 0xdead000, 0, 0, false);
	vd_error_destroy(err);
	vd_xlat_destroy(x);
	fake_free(f);
}

TEST(walk_sme_mask)
{
	struct fake *f;
	struct vd_xlat *x = xlat_a(&f, A_SME);
	struct vd_xlat_walk w;

	// 0x8000003abc: pgd 1, pud 0, pmd 0, pte 3; C-bit stripped from
	// every table address and from the frame: PA 0x3abc.
	CHECK_OK(vd_xlat_walk(x, 0, 0x8000003abcULL, &w));
	CHECK_EQ_U64(w.pa, 0x3abc);
	check_step(&w.steps[1], "PUD", 0x05040000, 0, 0x05041000 | SME | T,
		   false);
	CHECK_EQ_U64(param(x, "sme_mask", NULL), SME);
	vd_xlat_destroy(x);
	// Without NUMBER(sme_mask) the C-bit is taken as an address bit:
	// the PUD table would be at 0x800005040000, not in the dump.
	num(f, "NUMBER(sme_mask)", 0);
	x = MUST_CREATE(f);
	CHECK_ERR(vd_xlat_walk(x, 0, 0x8000003abcULL, &w), VD_ERR_FAULT);
	CHECK_EQ_U64(w.steps[1].table, 0x800005040000ULL);
	vd_xlat_destroy(x);
	fake_free(f);
}

TEST(walk_self_loop)
{
	struct fake *f;
	struct vd_xlat *x = xlat_a(&f, 0);
	struct vd_xlat_walk w;

	// All four indices 493: 493<<39|493<<30|493<<21|493<<12|0x5a8,
	// sign-extended = 0xfffff6fb7dbed5a8.  Each level reads SROOT[493]
	// = SROOT; the "page" is SROOT itself.
	CHECK_OK(vd_xlat_walk(x, SROOT, 0xfffff6fb7dbed5a8ULL, &w));
	CHECK_EQ_U64(w.nsteps, 4);
	for (unsigned i = 0; i < 4; i++)
		check_step(&w.steps[i], i == 0 ? "PGD" : i == 1 ? "PUD" :
			   i == 2 ? "PMD" : "PTE", SROOT, 493, SROOT | T,
			   i == 3);
	CHECK_EQ_U64(w.pa, SROOT + 0x5a8);
	vd_xlat_destroy(x);
	fake_free(f);
}

TEST(walk_reserved_and_absurd)
{
	struct fake *f;
	struct vd_xlat *x = xlat_a(&f, 0);
	struct vd_xlat_walk w;
	struct vd_error *err;

	// pgd 100 (VA 0x320000000000) has PS: reserved in a PML4E.
	err = vd_xlat_walk(x, SROOT, 0x320000000000ULL, &w);
	CHECK(err && err->code == VD_ERR_CORRUPT &&
	      strstr(err->msg, "pgd[100]") && strstr(err->msg, "reserved"));
	vd_error_destroy(err);
	vd_xlat_destroy(x);
	// pgd 101 (VA 0x328000000000) points to 2^46 with
	// MAX_PHYSMEM_BITS 46.
	num(f, "NUMBER(MAX_PHYSMEM_BITS)", 46);
	x = MUST_CREATE(f);
	err = vd_xlat_walk(x, SROOT, 0x328000000000ULL, &w);
	CHECK(err && err->code == VD_ERR_CORRUPT &&
	      strstr(err->msg, "beyond physical memory"));
	vd_error_destroy(err);
	vd_xlat_destroy(x);
	fake_free(f);
}

TEST(walk_user_root_and_cache)
{
	struct fake *f;
	struct vd_xlat *x = xlat_a(&f, 0);
	struct vd_xlat_walk w, w2;

	// 0x7f1234567abc: pgd 254, pud 72, pmd 418, pte 359 -> 0x1234000.
	CHECK_OK(vd_xlat_walk(x, PROOT, 0x7f1234567abcULL, &w));
	CHECK_EQ_U64(w.pa, 0x1234abc);
	check_step(&w.steps[2], "PMD", 0x05032000, 418, 0x05033000 | T, false);
	check_step(&w.steps[3], "PTE", 0x05033000, 359, 0x1234000 | NX | 0x67,
		   true);
	// Same VA from the kernel root: not mapped there (pgd 254 empty),
	// whatever the process walk left in any cache.
	CHECK_ERR(vd_xlat_walk(x, 0, 0x7f1234567abcULL, &w), VD_ERR_NOTPRESENT);
	CHECK_EQ_U64(w.nsteps, 1);
	// Repeated and neighbouring walks give the same steps.
	CHECK_OK(vd_xlat_walk(x, 0, POB + 0x1234, &w));
	CHECK_OK(vd_xlat_walk(x, 0, POB + 0x1234, &w2));
	CHECK(memcmp(&w, &w2, sizeof(w)) == 0);
	CHECK_OK(vd_xlat_walk(x, 0, POB + 0x2010, &w2));  /* pte 2 */
	check_step(&w2.steps[3], "PTE", DPTE, 2, 0x2000 | PAGE_K, true);
	CHECK_EQ_U64(w2.pa, 0x2010);
	CHECK_OK(vd_xlat_walk(x, 0, POB + 0x205678, &w2));
	CHECK_OK(vd_xlat_walk(x, 0, POB + 0x2fffff, &w2)); /* same 2M leaf */
	CHECK_EQ_U64(w2.nsteps, 3);
	CHECK_EQ_U64(w2.pa, 0x2fffff);
	// PTE miss under a cached PMD: POB + 0x5000 (pte 5 empty).
	CHECK_ERR(vd_xlat_walk(x, 0, POB + 0x5000, &w2), VD_ERR_NOTPRESENT);
	CHECK_EQ_U64(w2.nsteps, 4);
	vd_xlat_destroy(x);
	fake_free(f);
}

TEST(walk_non_canonical)
{
	struct fake *f;
	struct vd_xlat *x = xlat_a(&f, 0);
	struct vd_xlat_walk w;
	struct vd_error *err;

	err = vd_xlat_walk(x, 0, 0x0000800000000000ULL, &w);
	CHECK(err && err->code == VD_ERR_FAULT &&
	      strstr(err->msg, "non-canonical address"));
	CHECK(err && err->addr == 0x0000800000000000ULL);
	vd_error_destroy(err);
	CHECK_ERR(vd_xlat_walk(x, 0, 0xffff7fffffffffffULL, &w), VD_ERR_FAULT);
	CHECK_EQ_U64(w.nsteps, 0);
	CHECK(vd_xlat_canonical(x, 0x00007fffffffffffULL));
	CHECK(vd_xlat_canonical(x, 0xffff800000000000ULL));
	CHECK(!vd_xlat_canonical(x, 0x0000800000000000ULL));
	CHECK(!vd_xlat_canonical(x, 0xfeff800000000000ULL));
	vd_xlat_destroy(x);
	fake_free(f);
}

/* ---- layout C: 5-level -------------------------------------------------- */

#define POB5 0xff1e000000000000ULL      /* pgd 286 */
#define VMALLOC5 0xff49000000000000ULL  /* pgd 329 */
#define VMEMMAP5 0xffa5000000000000ULL  /* pgd 421 */

static struct fake *
build_c(bool by_cr4)
{
	struct fake *f = fake_new();

	num(f, "NUMBER(phys_base)", PB);
	num(f, "SYMBOL(init_top_pgt)", 0xffffffffb0a0e000ULL);
	num(f, "KERNELOFFSET", 0x2e000000);
	num(f, "NUMBER(KERNEL_IMAGE_SIZE)", 0x40000000);
	if (by_cr4)
		num(f, "cr4", 0x3606f0 | (1 << 12));
	else
		num(f, "NUMBER(pgtable_l5_enabled)", 1);
	// _text: pgd 511, p4d 511, pud 510, pmd 376.
	set(f, ROOT, 511, 0x05131000 | T);
	set(f, 0x05131000, 511, KPUD | T);
	set(f, KPUD, 510, KPMD | T);
	set(f, KPMD, 376, 0x11000000 | LARGE);
	// Direct map: pgd 286 -> p4d 0 -> pud 0 (4K/2M), pud 1 (1 GiB);
	// p4d 1 empty.
	set(f, ROOT, 286, 0x05101000 | T);
	set(f, 0x05101000, 0, 0x05102000 | T);
	set(f, 0x05102000, 0, 0x05103000 | T);
	set(f, 0x05102000, 1, 0x40000000 | LARGE);
	set(f, 0x05103000, 0, 0x05104000 | T);
	set(f, 0x05103000, 1, 0x200000 | LARGE | NX);
	for (unsigned k = 0; k < 4; k++)
		set(f, 0x05104000, k, (k * 0x1000ULL) | PAGE_K);
	// vmalloc: pgd 329 -> 2 MiB page at PA 0x9a00000; pgd 330 is a
	// preallocated empty P4D table.
	set(f, ROOT, 329, 0x05111000 | T);
	set(f, 0x05111000, 0, 0x05112000 | T);
	set(f, 0x05112000, 0, 0x05113000 | T);
	set(f, 0x05113000, 0, 0x9a00000 | LARGE | NX);
	set(f, ROOT, 330, 0x05114000 | T);
	put(f, 0x05114000, 0);
	// vmemmap: pgd 421.
	set(f, ROOT, 421, 0x05121000 | T);
	set(f, 0x05121000, 0, 0x05122000 | T);
	set(f, 0x05122000, 0, 0x05123000 | T);
	set(f, 0x05123000, 0, 0x3e00000 | LARGE | NX);
	return f;
}

TEST(walk_5level)
{
	struct fake *f = build_c(false);
	struct vd_xlat *x = NULL;
	struct vd_xlat_walk w;
	struct vd_error *err;

	x = MUST_CREATE(f);
	CHECK_EQ_U64(param(x, "levels", NULL), 5);
	CHECK_EQ_U64(param(x, "va_bits", NULL), 57);
	// POB5 + 0x1234: pgd 286, p4d 0, pud 0, pmd 0, pte 1.
	CHECK_OK(vd_xlat_walk(x, 0, POB5 + 0x1234, &w));
	CHECK_EQ_U64(w.nsteps, 5);
	check_step(&w.steps[0], "PGD", ROOT, 286, 0x05101000 | T, false);
	check_step(&w.steps[1], "P4D", 0x05101000, 0, 0x05102000 | T, false);
	check_step(&w.steps[2], "PUD", 0x05102000, 0, 0x05103000 | T, false);
	check_step(&w.steps[3], "PMD", 0x05103000, 0, 0x05104000 | T, false);
	check_step(&w.steps[4], "PTE", 0x05104000, 1, 0x1000 | PAGE_K, true);
	CHECK_EQ_U64(w.pa, 0x1234);
	// 1 GiB and 2 MiB leaves at the same levels as 4-level paging.
	CHECK_OK(vd_xlat_walk(x, 0, POB5 + 0x40000010, &w));
	CHECK_EQ_U64(w.nsteps, 3);
	CHECK_EQ_U64(w.pa, 0x40000010);
	CHECK_OK(vd_xlat_walk(x, 0, 0xffffffffaf000008ULL, &w));
	CHECK_EQ_U64(w.nsteps, 4);
	CHECK_EQ_U64(w.pa, 0x11000008);
	// POB5 + 512 GiB: pgd 286, p4d 1 (empty).
	check_notpresent(x, 0, POB5 + (1ULL << 39), 2,
			 "P4D not present: p4d[1] = 0x0 (table 0x5101000)",
			 VD_AS_KVIRT);
	// Canonical in 5-level only: 0x0000800000000000 = pgd 0 (empty).
	check_notpresent(x, 0, 0x0000800000000000ULL, 1, "pgd[0]",
			 VD_AS_KVIRT);
	err = vd_xlat_walk(x, 0, 0x0100000000000000ULL, &w);
	CHECK(err && err->code == VD_ERR_FAULT &&
	      strstr(err->msg, "non-canonical"));
	vd_error_destroy(err);
	CHECK(vd_xlat_canonical(x, 0x00ffffffffffffffULL));
	CHECK(vd_xlat_canonical(x, 0xff00000000000000ULL));
	CHECK(!vd_xlat_canonical(x, 0xfeffffffffffffffULL));
	vd_xlat_destroy(x);
	fake_free(f);
}

TEST(levels_from_cr4)
{
	struct fake *f = build_c(true);
	struct vd_xlat *x = NULL;
	uint64_t pa = 0;

	x = MUST_CREATE(f);
	CHECK_EQ_U64(param(x, "levels", NULL), 5);
	CHECK_OK(vd_xlat_translate(x, POB5 + 0x2345, &pa, NULL));
	CHECK_EQ_U64(pa, 0x2345);
	vd_xlat_destroy(x);
	fake_free(f);
}

/* ---- flags --------------------------------------------------------------- */

static void
check_flags(struct vd_xlat *x, const char *level, uint64_t entry,
	    const char *want)
{
	struct vd_xlat_step s = { .level = level, .entry = entry };
	char buf[128];

	vd_xlat_entry_flags(x, &s, buf, sizeof(buf));
	CHECK_STR(buf, want);
}

TEST(entry_flags)
{
	struct fake *f;
	struct vd_xlat *x = xlat_a(&f, A_SME);
	struct vd_xlat_step s = { .level = "PTE", .entry = 0x8000000000000063ULL };
	char buf[16];

	// Bits 0, 1, 5, 6, 63.
	check_flags(x, "PTE", 0x8000000000000063ULL,
		    "PRESENT RW ACCESSED DIRTY NX");
	// Bits 0-2, 5-8 at the PTE level: bit 7 is PAT.
	check_flags(x, "PTE", 0x1e7, "PRESENT RW USER ACCESSED DIRTY PAT GLOBAL");
	// PMD leaf: bit 7 is PSE, bit 12 is PAT.
	check_flags(x, "PMD", 0x80000000000011e3ULL,
		    "PRESENT RW ACCESSED DIRTY PSE GLOBAL PAT NX");
	check_flags(x, "PUD", 0xe3, "PRESENT RW ACCESSED DIRTY PSE");
	// Bit 12 of a PTE is an address bit, not PAT.
	check_flags(x, "PTE", 0x1001, "PRESENT");
	check_flags(x, "PTE", 0x19, "PRESENT PWT PCD");
	check_flags(x, "PTE", (5ULL << 59) | 1, "PRESENT PKEY=5");
	check_flags(x, "PTE", SME | 0x63, "PRESENT RW ACCESSED DIRTY SME");
	check_flags(x, "PTE", 0, "NONE");
	check_flags(x, "PTE", 0x400, "NOT-PRESENT");
	// Truncation keeps whole words and the terminator in bounds.
	memset(buf, 'Z', sizeof(buf));
	vd_xlat_entry_flags(x, &s, buf, 12);
	CHECK_STR(buf, "PRESENT RW");
	CHECK(buf[12] == 'Z');
	// "PRESENT RW" needs 11 bytes: with 10 only "PRESENT" fits.
	vd_xlat_entry_flags(x, &s, buf, 10);
	CHECK_STR(buf, "PRESENT");
	vd_xlat_entry_flags(x, &s, buf, 1);
	CHECK_STR(buf, "");
	buf[0] = 'Q';
	vd_xlat_entry_flags(x, &s, buf, 0);
	CHECK(buf[0] == 'Q');
	vd_xlat_destroy(x);
	fake_free(f);
}

/* ---- randomized bases ---------------------------------------------------- */

TEST(probe_kaslr_4level)
{
	struct fake *f;
	struct vd_xlat *x = xlat_a(&f, 0);
	bool found;

	CHECK_EQ_U64(param(x, "page_offset_base", NULL), POB);
	CHECK_EQ_U64(param(x, "vmalloc_base", NULL), VMALLOC);
	CHECK_EQ_U64(param(x, "vmemmap_base", NULL), VMEMMAP);
	// RAM ends with pud 2 = 1 GiB page at 2 GiB: 3 GiB mapped.
	CHECK_EQ_U64(param(x, "directmap_pa_end", NULL), 0xc0000000);
	param(x, "page_offset_base_probed", &found);
	CHECK(!found);
	// Direct map cut at vmalloc_base; vmalloc 32 TiB (VMALLOC +
	// 0x200000000000 - 1); vmemmap 1 TiB.
	check_region(x, POB + 5, "direct map", POB, VMALLOC - 1,
		     "page-table probe");
	check_region(x, VMALLOC + 0x1000, "vmalloc/ioremap", VMALLOC,
		     0xffffd4013fffffffULL, "page-table probe");
	check_region(x, VMEMMAP, "vmemmap", VMEMMAP, 0xffffd6ffffffffffULL,
		     "page-table probe");
	// No KASAN window with randomized bases.
	CHECK(region_at(x, 0xffffec0000000000ULL) == NULL);
	vd_xlat_destroy(x);
	fake_free(f);
}

/* nokaslr: the bases are the documented defaults, found by the probe. */
TEST(probe_nokaslr_defaults)
{
	struct fake *f = fake_new();
	struct vd_xlat *x = NULL;
	uint64_t root = 0x2a0e000;

	num(f, "NUMBER(phys_base)", 0);
	num(f, "SYMBOL(init_top_pgt)", 0xffffffff82a0e000ULL);
	num(f, "NUMBER(KERNEL_IMAGE_SIZE)", 0x40000000);
	fake_map(f, root, 4, 0xffffffff81000000ULL, 0x1000000, 1 << 21, 0xe3);
	fake_map(f, root, 4, 0xffff888000000000ULL, 0, 4096, PAGE_K);
	fake_map(f, root, 4, 0xffff888000001000ULL, 0x1000, 4096, PAGE_K);
	fake_map(f, root, 4, 0xffff888040000000ULL, 0x40000000, 1 << 30, 0xe3);
	// The first vmalloc page is not at the base: the granule is.
	fake_map(f, root, 4, 0xffffc90000003000ULL, 0x5555000, 4096, PAGE_K);
	fake_map(f, root, 4, 0xffffea0000000000ULL, 0x3e00000, 1 << 21, 0xe3);
	x = MUST_CREATE(f);
	CHECK_EQ_U64(param(x, "page_offset_base", NULL), 0xffff888000000000ULL);
	CHECK_EQ_U64(param(x, "vmalloc_base", NULL), 0xffffc90000000000ULL);
	CHECK_EQ_U64(param(x, "vmemmap_base", NULL), 0xffffea0000000000ULL);
	CHECK_EQ_U64(param(x, "directmap_pa_end", NULL), 0x80000000);
	// mm.rst's 4-level table, untouched.
	check_region(x, 0xffff888000000000ULL, "direct map",
		     0xffff888000000000ULL, 0xffffc87fffffffffULL, NULL);
	check_region(x, 0xffffc90000000000ULL, "vmalloc/ioremap",
		     0xffffc90000000000ULL, 0xffffe8ffffffffffULL, NULL);
	check_region(x, 0xffffea0000000000ULL, "vmemmap",
		     0xffffea0000000000ULL, 0xffffeaffffffffffULL, NULL);
	check_region(x, 0xffffec0000000000ULL, "KASAN shadow (documented window)",
		     0xffffec0000000000ULL, 0xfffffbffffffffffULL, "fixed");
	check_region(x, 0xffff880000000000ULL, "LDT remap (PTI)",
		     0xffff880000000000ULL, 0xffff887fffffffffULL, "fixed");
	vd_xlat_destroy(x);
	fake_free(f);
}

/* Before 4.20 the direct map started at 0xffff880000000000. */
TEST(probe_pre_4_20_base)
{
	struct fake *f = fake_new();
	struct vd_xlat *x = NULL;
	uint64_t root = 0x2a0e000;

	num(f, "NUMBER(phys_base)", 0);
	num(f, "SYMBOL(init_top_pgt)", 0xffffffff82a0e000ULL);
	fake_map(f, root, 4, 0xffffffff81000000ULL, 0x1000000, 1 << 21, 0xe3);
	fake_map(f, root, 4, 0xffff880000000000ULL, 0, 1 << 21, 0xe3);
	fake_map(f, root, 4, 0xffff880000200000ULL, 0x200000, 1 << 21, 0xe3);
	x = MUST_CREATE(f);
	CHECK_EQ_U64(param(x, "page_offset_base", NULL), 0xffff880000000000ULL);
	CHECK_EQ_U64(param(x, "directmap_pa_end", NULL), 0x400000);
	check_region(x, 0xffff880000001000ULL, "direct map",
		     0xffff880000000000ULL, 0xffffc7ffffffffffULL, NULL);
	// Nothing mapped in vmalloc/vmemmap: their defaults, and with the
	// old default direct map the KASAN window is possible.
	check_region(x, 0xffffc90000000000ULL, "vmalloc/ioremap",
		     0xffffc90000000000ULL, 0xffffe8ffffffffffULL, "default");
	CHECK(region_at(x, 0xffffec0000000000ULL) != NULL);
	vd_xlat_destroy(x);
	fake_free(f);
}

/*
 * A stray granule below the direct map whose first page happens to give a
 * 1 GiB-aligned VA - PA but whose second page does not: skipped.
 */
TEST(probe_skips_stray_granule)
{
	struct fake *f = build_a(0);
	struct vd_xlat *x = NULL;

	// 0xffff980000000000 (pgd 304): page 0 -> PA 0x40000000 (VA - PA
	// = 0xffff97ffc0000000, aligned), page 1 -> PA 0x12345000.
	fake_map(f, ROOT, 4, 0xffff980000000000ULL, 0x40000000, 4096, PAGE_K);
	fake_map(f, ROOT, 4, 0xffff980000001000ULL, 0x12345000, 4096, PAGE_K);
	x = MUST_CREATE(f);
	CHECK_EQ_U64(param(x, "page_offset_base", NULL), POB);
	vd_xlat_destroy(x);
	fake_free(f);
}

/*
 * RAM hot-added at PA 2 TiB maps at POB + 2 TiB: past the 1 TiB minimum,
 * but linear, so still the direct map (and not vmalloc).
 */
TEST(probe_hotplug_linear)
{
	struct fake *f = build_a(0);
	struct vd_xlat *x = NULL;

	fake_map(f, ROOT, 4, POB + (2ULL << 40), 2ULL << 40, 1 << 30, 0xe3);
	x = MUST_CREATE(f);
	CHECK_EQ_U64(param(x, "page_offset_base", NULL), POB);
	CHECK_EQ_U64(param(x, "vmalloc_base", NULL), VMALLOC);
	CHECK_EQ_U64(param(x, "directmap_pa_end", NULL), (2ULL << 40) + (1 << 30));
	vd_xlat_destroy(x);
	fake_free(f);
}

TEST(probe_5level)
{
	struct fake *f = build_c(false);
	struct vd_xlat *x = NULL;

	x = MUST_CREATE(f);
	CHECK_EQ_U64(param(x, "page_offset_base", NULL), POB5);
	CHECK_EQ_U64(param(x, "vmalloc_base", NULL), VMALLOC5);
	CHECK_EQ_U64(param(x, "vmemmap_base", NULL), VMEMMAP5);
	CHECK_EQ_U64(param(x, "directmap_pa_end", NULL), 0x80000000);
	// 32 PB direct map cut at vmalloc; vmalloc 12800 TiB =
	// 0x32000000000000; vmemmap 0.5 PB = 2^49.
	check_region(x, POB5, "direct map", POB5, VMALLOC5 - 1, NULL);
	check_region(x, VMALLOC5, "vmalloc/ioremap", VMALLOC5,
		     0xff7affffffffffffULL, NULL);
	check_region(x, VMEMMAP5, "vmemmap", VMEMMAP5, 0xffa6ffffffffffffULL,
		     NULL);
	check_region(x, 0x00ffffffffffffffULL, "user space", 0,
		     0x00ffffffffffffffULL, "fixed");
	check_region(x, 0x0100000000000000ULL, "non-canonical hole",
		     0x0100000000000000ULL, 0xfeffffffffffffffULL, "fixed");
	check_region(x, 0xff10000000000000ULL, "LDT remap (PTI)",
		     0xff10000000000000ULL, 0xff10ffffffffffffULL, "fixed");
	vd_xlat_destroy(x);
	fake_free(f);
}

TEST(probe_nothing_mapped)
{
	struct fake *f = build_a(A_NOWINDOW);
	struct vd_xlat *x = NULL;
	uint64_t pa = 0;

	x = MUST_CREATE(f);
	check_region(x, 0xffff888000000000ULL, "direct map",
		     0xffff888000000000ULL, 0xffffc87fffffffffULL, "default");
	CHECK_EQ_U64(param(x, "vmalloc_base", NULL), 0xffffc90000000000ULL);
	CHECK(param(x, "probe_reads", NULL) < 4096);
	CHECK_OK(vd_xlat_translate(x, 0xffffffffaf000010ULL, &pa, NULL));
	CHECK_EQ_U64(pa, 0x11000010);
	vd_xlat_destroy(x);
	fake_free(f);
}

/* The kernel variables at 0xffffffffb1a15000.. = PA 0x13a15000.. */
static void
a_symbols(struct fake *f, uint64_t pob, uint64_t vm, uint64_t vmm)
{
	sym(f, "page_offset_base", 0xffffffffb1a15000ULL);
	sym(f, "vmalloc_base", 0xffffffffb1a15008ULL);
	sym(f, "vmemmap_base", 0xffffffffb1a15010ULL);
	put(f, 0x13a15000, pob);
	put(f, 0x13a15008, vm);
	put(f, 0x13a15010, vmm);
}

TEST(symbols_override)
{
	struct fake *f = build_a(0);
	struct vd_xlat *x = NULL;
	bool found;

	a_symbols(f, POB, VMALLOC, VMEMMAP);
	x = MUST_CREATE(f);
	check_region(x, POB, "direct map", POB, VMALLOC - 1, "symbol");
	check_region(x, VMALLOC, "vmalloc/ioremap", VMALLOC,
		     0xffffd4013fffffffULL, "symbol");
	check_region(x, VMEMMAP, "vmemmap", VMEMMAP, 0xffffd6ffffffffffULL,
		     "symbol");
	param(x, "vmemmap_base_probed", &found);
	CHECK(!found);
	vd_xlat_destroy(x);
	fake_free(f);

	// A variable that disagrees wins, and the probe's view is kept.
	f = build_a(0);
	a_symbols(f, POB, VMALLOC, 0xffffd70000000000ULL);
	x = MUST_CREATE(f);
	check_region(x, 0xffffd70000000000ULL, "vmemmap",
		     0xffffd70000000000ULL, 0xffffd7ffffffffffULL, "symbol");
	CHECK_EQ_U64(param(x, "vmemmap_base_probed", &found), VMEMMAP);
	CHECK(found);
	vd_xlat_destroy(x);
	fake_free(f);

	// An unaligned value is not a base: the probe's is used.
	f = build_a(0);
	a_symbols(f, POB + 0x1000, VMALLOC, VMEMMAP);
	x = MUST_CREATE(f);
	check_region(x, POB, "direct map", POB, VMALLOC - 1,
		     "page-table probe");
	vd_xlat_destroy(x);
	fake_free(f);
}

TEST(vmcoreinfo_bases)
{
	struct fake *f = build_a(0);
	struct vd_xlat *x = NULL;

	num(f, "NUMBER(VMALLOC_START)", VMALLOC);
	num(f, "SYMBOL(vmemmap)", VMEMMAP);
	x = MUST_CREATE(f);
	check_region(x, VMALLOC, "vmalloc/ioremap", VMALLOC,
		     0xffffd4013fffffffULL, "vmcoreinfo");
	check_region(x, VMEMMAP, "vmemmap", VMEMMAP, 0xffffd6ffffffffffULL,
		     "vmcoreinfo");
	CHECK_EQ_U64(param(x, "directmap_pa_end", NULL), 0xc0000000);
	vd_xlat_destroy(x);
	fake_free(f);

	// A stated vmalloc base below what the probe saw: the direct map
	// is measured up to it only (pud 0 and 1: 2 GiB).
	f = build_a(0);
	num(f, "NUMBER(VMALLOC_START)", POB + 0x80000000);
	x = MUST_CREATE(f);
	CHECK_EQ_U64(param(x, "vmalloc_base", NULL), POB + 0x80000000);
	CHECK_EQ_U64(param(x, "vmalloc_base_probed", NULL), VMALLOC);
	CHECK_EQ_U64(param(x, "directmap_pa_end", NULL), 0x80000000);
	check_region(x, POB, "direct map", POB, POB + 0x7fffffff, "page-table probe");
	vd_xlat_destroy(x);
	fake_free(f);

	// A randomized direct map with default vmalloc/vmemmap: no KASAN.
	f = build_a(A_NOWINDOW);
	a_symbols(f, POB, 0xffffc90000000000ULL, 0xffffea0000000000ULL);
	x = MUST_CREATE(f);
	CHECK(region_at(x, 0xffffec0000000000ULL) == NULL);
	vd_xlat_destroy(x);
	fake_free(f);
}

/* ---- ptov and regions ---------------------------------------------------- */

TEST(ptov)
{
	struct fake *f;
	struct vd_xlat *x = xlat_a(&f, 0);
	const struct vd_region *r[4];
	uint64_t va[4];
	size_t n;

	n = vd_xlat_ptov(x, 0x1234, va, r, 4);
	CHECK_EQ_U64(n, 1);
	CHECK_EQ_U64(va[0], POB + 0x1234);
	CHECK(r[0] && !strcmp(r[0]->name, "direct map"));
	// The image maps [0x11000000, phys_base + 1 GiB = 0x22000000) at
	// VA = 0xffffffff80000000 + PA + 0x1e000000.
	n = vd_xlat_ptov(x, 0x11005000, va, r, 4);
	CHECK_EQ_U64(n, 2);
	CHECK_EQ_U64(va[0], POB + 0x11005000);
	CHECK_EQ_U64(va[1], 0xffffffffaf005000ULL);
	CHECK(r[1] && !strcmp(r[1]->name, "kernel text mapping"));
	// The linear range reaches 0x22000000, but the page tables map only
	// the first 16 MiB of the image (pmd 376..383): ptov keeps only
	// addresses that walk back to the PA.
	CHECK_EQ_U64(vd_xlat_ptov(x, 0x11fff000, va, r, 4), 2);
	CHECK_EQ_U64(va[1], 0xffffffffaffff000ULL);
	n = vd_xlat_ptov(x, 0x21fff000, va, r, 4);
	CHECK_EQ_U64(n, 1);
	CHECK_EQ_U64(va[0], POB + 0x21fff000);
	CHECK_EQ_U64(vd_xlat_ptov(x, 0x22000000, va, r, 4), 1);
	CHECK_EQ_U64(vd_xlat_ptov(x, 0x10fff000, va, r, 4), 1);
	// The direct map ends at the measured 3 GiB.
	CHECK_EQ_U64(vd_xlat_ptov(x, 0xbffff000, va, r, 4), 1);
	CHECK_EQ_U64(vd_xlat_ptov(x, 0xc0000000, va, r, 4), 0);
	vd_xlat_destroy(x);
	fake_free(f);

	// With _text/_end symbols the image is [_text, _end).
	f = build_a(0);
	sym(f, "_text", 0xffffffffaf000000ULL);
	sym(f, "_end", 0xffffffffb2000000ULL);
	x = MUST_CREATE(f);
	check_region(x, 0xffffffffb1fff000ULL, "kernel image",
		     0xffffffffaf000000ULL, 0xffffffffb1ffffffULL, "symbol");
	// PA of _end: 0x32000000 - 0x1e000000 = 0x14000000; of the image
	// only [0x11000000, 0x12000000) is mapped by the fake tables.
	CHECK_EQ_U64(vd_xlat_ptov(x, 0x11fff000, va, r, 4), 2);
	CHECK(r[1] && !strcmp(r[1]->name, "kernel image"));
	CHECK_EQ_U64(vd_xlat_ptov(x, 0x13fff000, va, r, 4), 1);
	CHECK_EQ_U64(vd_xlat_ptov(x, 0x14000000, va, r, 4), 1);
	vd_xlat_destroy(x);
	fake_free(f);
}

TEST(regions)
{
	struct fake *f;
	struct vd_xlat *x = xlat_a(&f, 0);
	const struct vd_region *all;
	size_t n = vd_xlat_layout(x, &all);

	for (size_t i = 1; i < n; i++)
		CHECK(all[i - 1].start <= all[i].start);
	check_region(x, 0x00007fffffffffffULL, "user space", 0,
		     0x00007fffffffffffULL, "fixed");
	check_region(x, 0x0000800000000000ULL, "non-canonical hole",
		     0x0000800000000000ULL, 0xffff7fffffffffffULL, "fixed");
	check_region(x, 0xffff800000000000ULL, "guard hole (hypervisor)",
		     0xffff800000000000ULL, 0xffff87ffffffffffULL, "fixed");
	check_region(x, 0xffff887fffffffffULL, "LDT remap (PTI)",
		     0xffff880000000000ULL, 0xffff887fffffffffULL, "fixed");
	check_region(x, 0xfffffe0000001000ULL, "cpu_entry_area",
		     0xfffffe0000000000ULL, 0xfffffe7fffffffffULL, "fixed");
	check_region(x, 0xffffff0000000000ULL, "%esp fixup stacks",
		     0xffffff0000000000ULL, 0xffffff7fffffffffULL, "fixed");
	check_region(x, 0xffffffef00000000ULL, "EFI region",
		     0xffffffef00000000ULL, 0xfffffffeffffffffULL, "fixed");
	check_region(x, 0xffffffffbfffffffULL, "kernel text mapping",
		     0xffffffff80000000ULL, 0xffffffffbfffffffULL, "vmcoreinfo");
	check_region(x, 0xffffffffc0000000ULL, "modules",
		     0xffffffffc0000000ULL, 0xfffffffffeffffffULL, "vmcoreinfo");
	// MODULES_END (0xffffffffff000000) .. the fixmap window: no region.
	CHECK(region_at(x, 0xffffffffff000000ULL) == NULL);
	check_region(x, 0xffffffffff500000ULL, "fixmap",
		     0xffffffffff400000ULL, 0xffffffffff7fffffULL, "fixed");
	// The vsyscall page is nested in the fixmap; the innermost wins.
	check_region(x, 0xffffffffff600800ULL, "vsyscall",
		     0xffffffffff600000ULL, 0xffffffffff600fffULL, "fixed");
	CHECK(region_at(x, 0xffffffffffe00000ULL) == NULL);
	CHECK_EQ_U64(param(x, "fixaddr_top", NULL), 0xffffffffff7ff000ULL);
	CHECK_EQ_U64(param(x, "modules_vaddr", NULL), 0xffffffffc0000000ULL);
	vd_xlat_destroy(x);
	fake_free(f);
}

/* ---- microbenchmark (printed, never asserted) ---------------------------- */

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

TEST(microbench_walk)
{
	struct fake *f;
	struct vd_xlat *x = xlat_a(&f, 0);
	const int rounds = 400;
	uint64_t pa, sum = 0;
	unsigned long reads;
	double t0, t1;

	// Sequential 4K pages of one PTE table (pmd 3): a full-area dump.
	reads = f->reads;
	t0 = now_ns();
	for (int r = 0; r < rounds; r++)
		for (uint64_t k = 0; k < 512; k++)
			if (!vd_xlat_translate(x, POB + 0x600000 + k * 4096, &pa,
					       NULL))
				sum += pa;
	t1 = now_ns();
	printf("  bench: sequential 4K walks: %.1f ns/walk, %.2f reads/walk\n",
	       (t1 - t0) / (rounds * 512.0),
	       (double)(f->reads - reads) / (rounds * 512.0));
	// Alternating between pmd 3 and pmd 67, which share a cache slot
	// ((va >> 21) % 64): every walk misses and reads all four levels.
	reads = f->reads;
	t0 = now_ns();
	for (int r = 0; r < rounds; r++)
		for (uint64_t k = 0; k < 512; k++) {
			uint64_t off = (k & 1 ? 0x8600000 : 0x600000) + k * 4096;

			if (!vd_xlat_translate(x, POB + off, &pa, NULL))
				sum += pa;
		}
	t1 = now_ns();
	printf("  bench: cache-missing 4K walks: %.1f ns/walk, %.2f reads/walk\n",
	       (t1 - t0) / (rounds * 512.0),
	       (double)(f->reads - reads) / (rounds * 512.0));
	// 2 MiB pages spread over the first GiB.
	t0 = now_ns();
	for (int r = 0; r < rounds; r++)
		for (uint64_t j = 6; j < 512; j++)
			if (j != 67 && !vd_xlat_translate(x, POB + j * 0x200000 +
							  r * 4096, &pa, NULL))
				sum += pa;
	t1 = now_ns();
	printf("  bench: 2M-leaf walks: %.1f ns/walk\n",
	       (t1 - t0) / (rounds * 505.0));
	t0 = now_ns();
	for (int r = 0; r < 100; r++) {
		struct vd_xlat *y = NULL;

		y = MUST_CREATE(f);
		vd_xlat_destroy(y);
	}
	t1 = now_ns();
	printf("  bench: create with probe: %.1f us, %" PRIu64 " probe reads\n",
	       (t1 - t0) / 100 / 1000, param(x, "probe_reads", NULL));
	CHECK(sum != 0);
	vd_xlat_destroy(x);
	fake_free(f);
}

int
main(void)
{
	return RUN_TESTS();
}
