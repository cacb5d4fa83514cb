// SPDX-License-Identifier: MIT
/*
 * x86_64 address translation: bootstrap from VMCOREINFO, the 4/5-level
 * page-table walk, entry flags and canonical checks.  The layout (the
 * randomized bases and the region table) is in x86_64_layout.c.
 *
 * References: Intel SDM Vol. 3A, 4.5 (4-level and 5-level paging, with
 * the entry formats); AMD APM Vol. 2, 7.10 (SME, the C-bit);
 * the kernel's Documentation/arch/x86/x86_64/mm.rst.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86_64.h"
#include "common/util.h"
#include "common/words.h"

/*
 * The kernel's names for the levels (crash prints the same): with 4-level
 * paging the P4D is folded away, so the root is still called PGD.
 */
static const struct x86_64_level x86_64_levels4[] = {
	{ "PGD", "pgd", 39, false },
	{ "PUD", "pud", 30, true },
	{ "PMD", "pmd", 21, true },
	{ "PTE", "pte", 12, false },
};

static const struct x86_64_level x86_64_levels5[] = {
	{ "PGD", "pgd", 48, false },
	{ "P4D", "p4d", 39, false },
	{ "PUD", "pud", 30, true },
	{ "PMD", "pmd", 21, true },
	{ "PTE", "pte", 12, false },
};

/* CR4.LA57 (SDM Vol. 3A, 2.5): 5-level paging. */
#define X86_64_CR4_LA57 (1ULL << 12)

static bool
x86_64_num(const struct x86_64_xlat *x, const char *key, uint64_t *ret)
{
	return x->base.cb.number && x->base.cb.number(x->base.cb.priv, key, ret);
}

bool
vd_x86_64_peek(struct x86_64_xlat *x, uint64_t table, unsigned idx, uint64_t *ret)
{
	struct vd_error *err;

	err = x->base.cb.read_phys64(x->base.cb.priv, table + 8ULL * idx, ret);
	if (!err)
		return true;
	vd_error_destroy(err);
	return false;
}

/* ---- the walk ---------------------------------------------------------- */

/*
 * Faults name the kernel address space unless a process root walks a
 * lower-half (user) address.
 */
static enum vd_as
x86_64_fault_as(const struct x86_64_xlat *x, uint64_t root, uint64_t va)
{
	return (int64_t)va >= 0 && root != x->base.root ? VD_AS_UVIRT :
							  VD_AS_KVIRT;
}

/*
 * Every level above the PTE depends only on va >> 21 (one PMD entry maps
 * 2 MiB), so that is the walk cache's tag.
 */
static void
x86_64_cache_store(struct x86_64_xlat *x, const struct vd_xlat_walk *w,
		   bool leaf, uint64_t next)
{
	vd_walk_cache_store(&x->wcache, w->va >> 21, w, leaf, next);
}

static unsigned
x86_64_cache_lookup(struct x86_64_xlat *x, struct vd_xlat_walk *w,
		    uint64_t *table, bool *leaf)
{
	return vd_walk_cache_lookup(&x->wcache, w->va >> 21, w, table, leaf);
}

static struct vd_error *
x86_64_leaf(struct x86_64_xlat *x, struct vd_xlat_walk *w)
{
	const struct vd_xlat_step *s = &w->steps[w->nsteps - 1];
	uint64_t size = 1ULL << x->lv[w->nsteps - 1].shift;

	// For 1 GiB / 2 MiB leaves the low address bits hold PAT (bit 12)
	// and reserved bits: the frame is aligned to the page size.
	w->page_size = size;
	w->pa = (s->entry & x->addr_mask & ~(size - 1)) | (w->va & (size - 1));
	return NULL;
}

static struct vd_error *
x86_64_not_present(struct x86_64_xlat *x, const struct vd_xlat_walk *w)
{
	const struct vd_xlat_step *s = &w->steps[w->nsteps - 1];
	const struct x86_64_level *l = &x->lv[w->nsteps - 1];

	return vd_error_fault(VD_ERR_NOTPRESENT,
			      x86_64_fault_as(x, w->root, w->va), w->va,
			      "%s not present: %s[%u] = 0x%" PRIx64
			      " (table 0x%" PRIx64 ")",
			      l->name, l->lname, s->index, s->entry, s->table);
}

/* Read the entry of level i for w->va from table into w->steps[i]. */
static struct vd_error *
x86_64_step(struct x86_64_xlat *x, struct vd_xlat_walk *w, unsigned i,
	    uint64_t table)
{
	const struct x86_64_level *l = &x->lv[i];
	struct vd_xlat_step *s = &w->steps[i];
	struct vd_error *err;

	s->level = l->name;
	s->hw_level = NULL;
	s->va_shift = (uint8_t)l->shift;
	s->va_bits = 9;        /* X86_64_PTRS entries per table */
	s->table = table;
	s->index = (w->va >> l->shift) & (X86_64_PTRS - 1);
	s->entry_addr = table + 8ULL * s->index;
	s->entry = 0;
	s->leaf = false;
	w->nsteps = i + 1;
	err = x->base.cb.read_phys64(x->base.cb.priv, s->entry_addr, &s->entry);
	if (err)
		return vd_error_wrap(err, "reading %s entry %s[%u] at 0x%" PRIx64
				     " (table 0x%" PRIx64 ")", l->name,
				     l->lname, s->index, s->entry_addr, table);
	return NULL;
}

/* The table a non-leaf entry of level i points to, checked. */
static struct vd_error *
x86_64_next_table(struct x86_64_xlat *x, const struct vd_xlat_walk *w,
		  unsigned i, uint64_t *table)
{
	const struct x86_64_level *l = &x->lv[i];
	const struct vd_xlat_step *s = &w->steps[i];
	const char *why = NULL;

	// Bit 7 of a PML5E/PML4E (PGD, P4D) is reserved, must be 0: real
	// hardware faults with RSVD set (SDM Vol. 3A, 4.5 and 4.7).
	if (s->entry & X86_64_PS)
		why = "has the reserved PS bit set";
	else if ((s->entry & x->addr_mask) >= x->table_limit)
		why = "points beyond physical memory";
	if (why)
		return vd_error_fault(VD_ERR_CORRUPT, VD_AS_PHYS, s->entry_addr,
				      "%s entry %s[%u] = 0x%" PRIx64 " %s",
				      l->name, l->lname, s->index, s->entry,
				      why);
	*table = s->entry & x->addr_mask;
	return NULL;
}

static struct vd_error *
x86_64_walk(struct vd_xlat *xlat, uint64_t root, uint64_t va,
	    struct vd_xlat_walk *w)
{
	struct x86_64_xlat *x = x86_64_of(xlat);
	struct vd_error *err;
	uint64_t table = 0;
	bool leaf = false;
	unsigned i;

	// CR3 keeps PCID or PWT/PCD in bits 0-11 (SDM Vol. 3A, 4.5, "Use
	// of CR3"): a CR3 value passed as root works as well.
	w->root = root & x->addr_mask;
	w->va = va;
	if (x86_64_sext(x, va) != va)
		return vd_error_fault(VD_ERR_FAULT,
				      x86_64_fault_as(x, w->root, va),
				      va, "non-canonical address 0x%" PRIx64
				      " (%u-bit virtual addresses)", va,
				      x->va_bits);
	i = x86_64_cache_lookup(x, w, &table, &leaf);
	if (leaf)
		return x86_64_leaf(x, w);
	if (!i)
		table = w->root;
	// Bounded by the level count: a table that points at itself (or
	// any other loop) ends after x->levels reads.
	for (; i < x->levels; i++) {
		const struct x86_64_level *l = &x->lv[i];
		uint64_t e;

		err = x86_64_step(x, w, i, table);
		if (err)
			return err;
		e = w->steps[i].entry;
		if (!(e & X86_64_PRESENT))
			return x86_64_not_present(x, w);
		if (i == x->levels - 1 || (l->huge && (e & X86_64_PS))) {
			w->steps[i].leaf = true;
			if (i < x->levels - 1)
				x86_64_cache_store(x, w, true, 0);
			return x86_64_leaf(x, w);
		}
		err = x86_64_next_table(x, w, i, &table);
		if (err)
			return err;
		if (i == x->levels - 2)
			x86_64_cache_store(x, w, false, table);
	}
	return NULL; /* not reached: the last level is always a leaf */
}

/* ---- entry flags ------------------------------------------------------- */

/*
 * Bits in order, with crash's names.  Bit 7 is PS at PUD/PMD, PAT at the
 * PTE level, reserved above; a PS leaf keeps PAT in bit 12 (SDM Vol. 3A,
 * 4.5, the formats of a PDPTE mapping 1 GiB and a PDE mapping 2 MiB).
 * Protection keys are bits 59-62 (SDM Vol. 3A, 4.6.2).
 */
static void
x86_64_entry_flags(const struct vd_xlat *xlat, const struct vd_xlat_step *step,
		   char *buf, size_t size)
{
	const struct x86_64_xlat *x = (const struct x86_64_xlat *)xlat;
	static const char *const low[] = {
		"PRESENT", "RW", "USER", "PWT", "PCD", "ACCESSED", "DIRTY",
	};
	struct vd_words sb;

	vd_words_init(&sb, buf, size);
	uint64_t e = step->entry;
	bool pte = step->level && !strcmp(step->level, "PTE");
	bool mid = step->level && (!strcmp(step->level, "PUD") ||
				   !strcmp(step->level, "PMD"));
	unsigned pkey = (e >> 59) & 0xf;

	if (!size)
		return;
	buf[0] = '\0';
	if (!(e & X86_64_PRESENT)) {
		// The hardware ignores all other bits; the kernel keeps
		// swap entries or PROT_NONE state there.
		vd_words_add(&sb, "%s", e ? "NOT-PRESENT" : "NONE");
		return;
	}
	for (unsigned b = 0; b < VD_ARRAY_SIZE(low); b++)
		if (e & (1ULL << b))
			vd_words_add(&sb, "%s", low[b]);
	if (e & X86_64_PS)
		vd_words_add(&sb, "%s", pte ? "PAT" : mid ? "PSE" : "PS-RESERVED");
	if (e & (1ULL << 8))
		vd_words_add(&sb, "GLOBAL");
	if (mid && (e & X86_64_PS) && (e & X86_64_HUGE_PAT))
		vd_words_add(&sb, "PAT");
	if (e & x->sme_mask)
		vd_words_add(&sb, "SME");
	if (pkey)
		vd_words_add(&sb, "PKEY=%u", pkey);
	if (e & (1ULL << 63))
		vd_words_add(&sb, "NX");
}

static bool
x86_64_canonical(const struct vd_xlat *xlat, uint64_t va)
{
	return x86_64_sext((const struct x86_64_xlat *)xlat, va) == va;
}

/* ---- bootstrap --------------------------------------------------------- */

/*
 * KERNEL_IMAGE_SIZE is 1 GiB when the kernel is built with
 * CONFIG_RANDOMIZE_BASE (the image may land anywhere in the first GiB
 * above __START_KERNEL_map), else 512 MiB (arch/x86/include/asm/
 * page_64_types.h).  VMCOREINFO states it since 4.x; without it a non-zero
 * KERNELOFFSET proves RANDOMIZE_BASE, and zero is taken as a kernel
 * without it (a randomizing kernel booted with nokaslr looks the same).
 */
static void
x86_64_image_size(struct x86_64_xlat *x)
{
	uint64_t v;

	if (x86_64_num(x, "NUMBER(KERNEL_IMAGE_SIZE)", &v) && v &&
	    v <= (1ULL << 31) && !(v % X86_64_PMD_SIZE)) {
		x->kernel_image_size = v;
		x->have_kis = true;
		return;
	}
	x->kernel_image_size = x->kaslr_offset ? 1ULL << 30 : 512ULL << 20;
}

static struct vd_error *
x86_64_read_config(struct x86_64_xlat *x)
{
	struct vd_error *err;
	uint64_t v;

	err = vd_xlat_need(&x->base, "NUMBER(phys_base)", &x->phys_base);
	if (err)
		return err;
	if (!x86_64_num(x, "KERNELOFFSET", &x->kaslr_offset))
		x->kaslr_offset = 0;
	x86_64_image_size(x);
	x->levels = 4;
	if (x86_64_num(x, "NUMBER(pgtable_l5_enabled)", &v)) {
		if (v)
			x->levels = 5;
	} else if (x86_64_num(x, "cr4", &v) && (v & X86_64_CR4_LA57)) {
		x->levels = 5;
	}
	x->lv = x->levels == 5 ? x86_64_levels5 : x86_64_levels4;
	x->va_bits = x->levels == 5 ? 57 : 48;
	if (!x86_64_num(x, "NUMBER(sme_mask)", &x->sme_mask))
		x->sme_mask = 0;
	x->addr_mask = X86_64_ADDR_MASK & ~x->sme_mask;
	// Page tables sit in RAM, below 2^MAX_PHYSMEM_BITS (46 or 52);
	// an entry pointing higher is garbage.
	x->table_limit = 1ULL << 52;
	if (x86_64_num(x, "NUMBER(MAX_PHYSMEM_BITS)", &v) && v >= 32 && v < 52)
		x->table_limit = 1ULL << v;
	return NULL;
}

/*
 * The root: init_top_pgt (init_level4_pgt before 4.13) is in the kernel
 * image, so its PA follows from phys_base without any walk.  A CPU's CR3
 * works too: every process PGD shares the kernel half.
 */
static struct vd_error *
x86_64_find_root(struct x86_64_xlat *x)
{
	const char *key = "SYMBOL(init_top_pgt)";
	uint64_t va, e;

	if (x86_64_num(x, key, &va) ||
	    x86_64_num(x, key = "SYMBOL(init_level4_pgt)", &va)) {
		if (!x86_64_ktext_pa(x, va, &x->base.root))
			return vd_error_create(VD_ERR_CORRUPT,
					       "%s = 0x%" PRIx64 " is outside the kernel image mapping",
					       key, va);
	} else if (x86_64_num(x, key = "cr3", &va)) {
		x->base.root = va & x->addr_mask;
	} else {
		return vd_error_create(VD_ERR_LOOKUP,
				       "the dump states neither SYMBOL(init_top_pgt) nor CR3 (needed for address translation)");
	}
	if (x->base.root & (X86_64_PAGE_SIZE - 1) ||
	    x->base.root >= x->table_limit)
		return vd_error_create(VD_ERR_CORRUPT,
				       "root page table at PA 0x%" PRIx64 " (from %s) is not a page-aligned physical address",
				       x->base.root, key);
	// The top entry maps the kernel image in every paging mode; if it
	// is absent or unreadable, phys_base or the symbol is wrong.
	if (!vd_x86_64_peek(x, x->base.root, X86_64_PTRS - 1, &e))
		return vd_error_fault(VD_ERR_FAULT, VD_AS_PHYS, x->base.root,
				      "cannot read the root page table at PA 0x%" PRIx64 " (from %s, phys_base 0x%" PRIx64 ")",
				      x->base.root, key, x->phys_base);
	if (!(e & X86_64_PRESENT))
		return vd_error_create(VD_ERR_CORRUPT,
				       "root page table at PA 0x%" PRIx64 " (from %s) does not map the kernel: pgd[511] = 0x%" PRIx64 " (wrong phys_base?)",
				       x->base.root, key, e);
	return NULL;
}

static struct vd_error *
x86_64_create(const struct vd_xlat_cb *cb, struct vd_xlat **ret)
{
	struct x86_64_xlat *x;
	struct vd_error *err;

	if (!cb->read_phys64)
		return vd_error_create(VD_ERR_INVALID_ARG,
				       "address translation needs physical memory");
	x = calloc(1, sizeof(*x));
	if (!x)
		return &vd_enomem;
	x->base.cb = *cb;
	err = x86_64_read_config(x);
	if (!err)
		err = x86_64_find_root(x);
	if (err) {
		free(x);
		return err;
	}
	vd_x86_64_layout_init(x);
	*ret = &x->base;
	return NULL;
}

static void
x86_64_destroy(struct vd_xlat *xlat)
{
	free(xlat);
}

const struct vd_arch_ops vd_x86_64_ops = {
	.name = "x86_64",
	.arch = VD_ARCH_X86_64,
	.create = x86_64_create,
	.destroy = x86_64_destroy,
	.walk = x86_64_walk,
	.entry_flags = x86_64_entry_flags,
	.canonical = x86_64_canonical,
};
