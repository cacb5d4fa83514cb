// SPDX-License-Identifier: MIT
/*
 * arm64 address translation: bootstrap from VMCOREINFO, the table walk
 * for the 4K, 16K and 64K granules with 2 to 5 lookup levels, descriptor
 * flags and canonical checks.  The layout is in aarch64_layout.c.
 *
 * References: Arm ARM (DDI 0487) D8.2 (the walk: lookup levels, index bits,
 * the initial lookup level and the size of the top table for a given
 * TCR_ELx.TnSZ), D8.3 (descriptor formats and the FEAT_LPA / FEAT_LPA2
 * output-address encodings), D8.4 (memory attributes and permissions);
 * the kernel's Documentation/arch/arm64/memory.rst and
 * arch/arm64/include/asm/{memory.h,pgtable-hwdef.h}.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/aarch64.h"
#include "common/util.h"
#include "common/words.h"

bool
vd_aarch64_num(const struct aarch64_xlat *x, const char *key, uint64_t *ret)
{
	return x->base.cb.number && x->base.cb.number(x->base.cb.priv, key, ret);
}

bool
vd_aarch64_peek(struct aarch64_xlat *x, uint64_t pa, uint64_t *ret)
{
	struct vd_error *err = x->base.cb.read_phys64(x->base.cb.priv, pa, ret);

	if (!err)
		return true;
	vd_error_destroy(err);
	return false;
}

/*
 * Output address of a table, block or page descriptor (Arm ARM D8.3.1):
 * bits [47:page_shift], plus OA[51:48] from bits [15:12] with FEAT_LPA
 * (64K granule), or with FEAT_LPA2 (4K/16K, TCR_EL1.DS = 1) bits
 * [49:page_shift] and OA[51:50] from bits [9:8].
 */
uint64_t
vd_aarch64_desc_oa(const struct aarch64_xlat *x, uint64_t e)
{
	uint64_t low = ~(x->page_size - 1), oa;

	if (x->lpa2)
		return (e & AARCH64_LPA2_OA_MASK & low) |
		       (((e >> AARCH64_LPA2_HI_SHIFT) & 3) << 50);
	oa = e & AARCH64_OA_HI & low;
	if (x->lpa)
		oa |= ((e >> AARCH64_LPA_SHIFT) & 0xf) << 48;
	return oa;
}

/* ---- the walk ---------------------------------------------------------- */

static enum vd_as
aarch64_fault_as(const struct aarch64_xlat *x, uint64_t va)
{
	return aarch64_is_kernel(x, va) ? VD_AS_KVIRT : VD_AS_UVIRT;
}

/* The cache covers every level above the last: keyed by va >> that shift. */
static uint64_t
aarch64_cache_tag(const struct aarch64_xlat *x, uint64_t va)
{
	return va >> x->lv[x->levels - 2].shift;
}

static void
aarch64_cache_store(struct aarch64_xlat *x, const struct vd_xlat_walk *w,
		    bool leaf, uint64_t next)
{
	vd_walk_cache_store(&x->wcache, aarch64_cache_tag(x, w->va), w, leaf, next);
}

static unsigned
aarch64_cache_lookup(struct aarch64_xlat *x, struct vd_xlat_walk *w,
		     uint64_t *table, bool *leaf)
{
	return vd_walk_cache_lookup(&x->wcache, aarch64_cache_tag(x, w->va), w,
				    table, leaf);
}

static struct vd_error *
aarch64_leaf(struct aarch64_xlat *x, struct vd_xlat_walk *w)
{
	const struct vd_xlat_step *s = &w->steps[w->nsteps - 1];
	uint64_t size = 1ULL << x->lv[w->nsteps - 1].shift;

	// A block's OA is aligned to its size; lower OA bits are RES0
	// (D8.3.1), so they are masked rather than trusted.
	w->page_size = size;
	w->pa = (vd_aarch64_desc_oa(x, s->entry) & ~(size - 1)) | (w->va & (size - 1));
	return NULL;
}

static struct vd_error *
aarch64_bad(struct aarch64_xlat *x, const struct vd_xlat_walk *w,
	    enum vd_error_code code, const char *why)
{
	const struct vd_xlat_step *s = &w->steps[w->nsteps - 1];
	const struct aarch64_level *l = &x->lv[w->nsteps - 1];

	if (code == VD_ERR_NOTPRESENT)
		return vd_error_fault(code, aarch64_fault_as(x, w->va), w->va,
				      "%s not present: %s[%u] = 0x%" PRIx64
				      " (table 0x%" PRIx64 ")", l->name, l->lname,
				      s->index, s->entry, s->table);
	return vd_error_fault(code, VD_AS_PHYS, s->entry_addr,
			      "%s entry %s[%u] = 0x%" PRIx64 " (level %d, table 0x%"
			      PRIx64 ") %s", l->name, l->lname, s->index,
			      s->entry, l->arm_level, s->table, why);
}

/* Read the descriptor of level i for w->va from table into w->steps[i]. */
static struct vd_error *
aarch64_step(struct aarch64_xlat *x, struct vd_xlat_walk *w, unsigned i,
	     uint64_t table)
{
	const struct aarch64_level *l = &x->lv[i];
	struct vd_xlat_step *s = &w->steps[i];
	struct vd_error *err;

	s->level = l->name;
	s->hw_level = l->hw_name;
	s->va_shift = (uint8_t)l->shift;
	s->va_bits = (uint8_t)l->bits;
	s->table = table;
	s->index = (w->va >> l->shift) & ((1ULL << l->bits) - 1);
	s->entry_addr = table + 8ULL * s->index;
	s->entry = 0;
	s->leaf = false;
	w->nsteps = i + 1;
	err = x->base.cb.read_phys64(x->base.cb.priv, s->entry_addr, &s->entry);
	if (err)
		return vd_error_wrap(err, "reading %s entry %s[%u] at 0x%" PRIx64
				     " (table 0x%" PRIx64 ")", l->name, l->lname,
				     s->index, s->entry_addr, table);
	return NULL;
}

/*
 * Classify the descriptor just read at level i (D8.3.1): bit 0 clear is
 * invalid; 0b11 is a table above the last level and a page at it; 0b01 is
 * a block where the granule allows one, and reserved (a translation fault
 * on hardware) everywhere else, level 3 included.  Returns NULL and sets
 * *leaf or *table.
 */
static struct vd_error *
aarch64_classify(struct aarch64_xlat *x, struct vd_xlat_walk *w, unsigned i,
		 bool *leaf, uint64_t *table)
{
	uint64_t e = w->steps[i].entry;
	bool last = i == x->levels - 1;
	char why[128];

	if (!(e & AARCH64_DESC_VALID))
		return aarch64_bad(x, w, VD_ERR_NOTPRESENT, NULL);
	if ((e & AARCH64_DESC_TYPE_MASK) == AARCH64_DESC_BLOCK) {
		if (last)
			return aarch64_bad(x, w, VD_ERR_CORRUPT,
					   "is reserved (bits[1:0] = 01 at the last level)");
		if (!x->lv[i].block) {
			// Say what would allow it, where something would.
			int lvl = x->lv[i].arm_level;
			bool lpa_level = lvl == (x->page_shift == 12 ? 0 : 1);

			snprintf(why, sizeof(why), "is a block descriptor, which level %d does not allow with %" PRIu64 "K pages%s",
				 lvl, x->page_size >> 10, !lpa_level ? "" :
				 x->page_size == 0x10000 ? " and 48-bit PAs" :
				 " without LPA2");
			return aarch64_bad(x, w, VD_ERR_CORRUPT, why);
		}
		*leaf = true;
		return NULL;
	}
	*leaf = last;
	if (last)
		return NULL;
	*table = vd_aarch64_desc_oa(x, e);
	if (*table >= x->table_limit)
		return aarch64_bad(x, w, VD_ERR_CORRUPT,
				   "points beyond physical memory");
	return NULL;
}

/*
 * A TTBR value works as a root: ASID (bits [63:48]) and CnP (bit 0) are
 * dropped; with 52-bit PAs BADDR[51:48] is in bits [5:2] (D19.2, TTBR1_EL1).
 */
static uint64_t
aarch64_root_baddr(const struct aarch64_xlat *x, uint64_t root)
{
	uint64_t r = root & 0x0000fffffffffffeULL;

	if (x->pa_bits == 52)
		r = (r & ~0x3cULL) | (((r >> 2) & 0xf) << 48);
	return r;
}

static struct vd_error *
aarch64_walk(struct vd_xlat *xlat, uint64_t root, uint64_t va,
	     struct vd_xlat_walk *w)
{
	struct aarch64_xlat *x = aarch64_of(xlat);
	uint64_t table = 0;
	bool leaf = false;
	unsigned i;

	w->root = aarch64_root_baddr(x, root);
	w->va = va;
	if (!aarch64_is_kernel(x, va) && (va >> x->va_bits_rt))
		return vd_error_fault(VD_ERR_FAULT, aarch64_fault_as(x, va), va,
				      "non-canonical address 0x%" PRIx64
				      " (%u-bit virtual addresses: bits 63..%u must be all 0 or all 1)",
				      va, x->va_bits_rt, x->va_bits_rt);
	// swapper_pg_dir is TTBR1's table: it holds no user mappings, and
	// its index 0 would alias the linear map (memory.rst).
	if (!aarch64_is_kernel(x, va) && w->root == x->base.root)
		return vd_error_fault(VD_ERR_NOTPRESENT, VD_AS_UVIRT, va,
				      "0x%" PRIx64 " is a user (TTBR0) address; swapper_pg_dir maps only the kernel half",
				      va);
	i = aarch64_cache_lookup(x, w, &table, &leaf);
	if (leaf)
		return aarch64_leaf(x, w);
	if (!i)
		table = w->root;
	// Bounded by the level count: a self-referencing table ends after
	// x->levels reads.
	for (; i < x->levels; i++) {
		struct vd_error *err = aarch64_step(x, w, i, table);

		if (!err)
			err = aarch64_classify(x, w, i, &leaf, &table);
		if (err)
			return err;
		if (leaf) {
			w->steps[i].leaf = true;
			if (i < x->levels - 1)
				aarch64_cache_store(x, w, true, 0);
			return aarch64_leaf(x, w);
		}
		if (i == x->levels - 2)
			aarch64_cache_store(x, w, false, table);
	}
	return NULL; /* not reached: the last level is always a leaf */
}

/* ---- flags ------------------------------------------------------------- */

static const struct aarch64_level *
aarch64_level_of(const struct aarch64_xlat *x, const struct vd_xlat_step *step)
{
	for (unsigned i = 0; i < x->levels; i++)
		if (step->level && !strcmp(step->level, x->lv[i].name))
			return &x->lv[i];
	return NULL;
}

/* Table descriptor attributes (D8.3.1, "next-level attributes"). */
static void
aarch64_table_flags(struct vd_words *sb, uint64_t e)
{
	vd_words_add(sb, "TABLE");
	if (e & (1ULL << 59))
		vd_words_add(sb, "PXNTABLE");
	if (e & (1ULL << 60))
		vd_words_add(sb, "UXNTABLE");
	if ((e >> 61) & 3)
		vd_words_add(sb, "APTABLE=%u", (unsigned)((e >> 61) & 3));
	if (e & (1ULL << 63))
		vd_words_add(sb, "NSTABLE");
}

/*
 * Block and page attributes (D8.4): AttrIndx [4:2], NS 5, AP[2:1] [7:6],
 * SH [9:8] (OA[51:50] under LPA2), AF 10, nG 11, GP 50 (BTI), DBM 51,
 * Contiguous 52, PXN 53, UXN 54, and the kernel's software bits [58:55]
 * (arch/arm64/include/asm/pgtable-prot.h: PTE_DIRTY, PTE_SPECIAL, ...).
 */
static void
aarch64_leaf_flags(const struct aarch64_xlat *x, struct vd_words *sb,
		   uint64_t e, bool block)
{
	static const char *const ap[] = { "RW-EL1", "RW-EL0", "RO-EL1", "RO-EL0" };
	static const char *const sh[] = { "non", "reserved", "outer", "inner" };

	vd_words_add(sb, "%s", block ? "BLOCK" : "PAGE");
	if (e & (1ULL << 10))
		vd_words_add(sb, "AF");
	if (!x->lpa2)
		vd_words_add(sb, "SH=%s", sh[(e >> 8) & 3]);
	vd_words_add(sb, "AP=%s", ap[(e >> 6) & 3]);
	if (e & (1ULL << 53))
		vd_words_add(sb, "PXN");
	if (e & (1ULL << 54))
		vd_words_add(sb, "UXN");
	if (e & (1ULL << 11))
		vd_words_add(sb, "nG");
	if (e & (1ULL << 5))
		vd_words_add(sb, "NS");
	if (e & (1ULL << 51))
		vd_words_add(sb, "DBM");
	if (e & (1ULL << 50))
		vd_words_add(sb, "GP");
	if (e & AARCH64_CONT)
		vd_words_add(sb, "CONT");
	vd_words_add(sb, "ATTRIDX=%u", (unsigned)((e >> 2) & 7));
	if ((e >> 55) & 0xf)
		vd_words_add(sb, "SW=0x%x", (unsigned)((e >> 55) & 0xf));
}

static void
aarch64_entry_flags(const struct vd_xlat *xlat, const struct vd_xlat_step *step,
		    char *buf, size_t size)
{
	const struct aarch64_xlat *x = (const struct aarch64_xlat *)xlat;
	const struct aarch64_level *l = aarch64_level_of(x, step);
	struct vd_words sb;

	vd_words_init(&sb, buf, size);
	uint64_t e = step->entry;
	bool last = l == &x->lv[x->levels - 1];

	if (!size)
		return;
	buf[0] = '\0';
	if (!(e & AARCH64_DESC_VALID)) {
		// The walker ignores the other bits; the kernel keeps swap
		// entries and PROT_NONE state there.
		vd_words_add(&sb, "%s", e ? "INVALID" : "NONE");
		return;
	}
	vd_words_add(&sb, "VALID");
	if ((e & AARCH64_DESC_TYPE_MASK) == AARCH64_DESC_BLOCK &&
	    (last || (l && !l->block)))
		vd_words_add(&sb, "RESERVED");
	else if ((e & AARCH64_DESC_TYPE_MASK) == AARCH64_DESC_TABLE && !last)
		aarch64_table_flags(&sb, e);
	else
		aarch64_leaf_flags(x, &sb, e, !last);
}

static bool
aarch64_canonical(const struct vd_xlat *xlat, uint64_t va)
{
	const struct aarch64_xlat *x = (const struct aarch64_xlat *)xlat;

	return aarch64_is_kernel(x, va) || !(va >> x->va_bits_rt);
}

/* ---- bootstrap --------------------------------------------------------- */

/*
 * Blocks (D8.3.1): 4K granule at levels 1 (1G) and 2 (2M), and level 0
 * (512G) with LPA2; 16K at level 2 (32M), and level 1 (64G) with LPA2;
 * 64K at level 2 (512M), and level 1 (4T) with 52-bit PAs (FEAT_LPA).
 */
static bool
aarch64_block_ok(const struct aarch64_xlat *x, int lvl)
{
	switch (x->page_shift) {
	case 12: return lvl == 1 || lvl == 2 || (lvl == 0 && x->lpa2);
	case 14: return lvl == 2 || (lvl == 1 && x->lpa2);
	default: return lvl == 2 || (lvl == 1 && x->lpa);
	}
}

/*
 * Levels from the walked VA width (D8.2: each level resolves page_shift - 3
 * bits; the top one what is left).  The kernel names the top table PGD and
 * folds the levels it does not need from P4D down (asm/pgtable-types.h):
 * 5 levels PGD P4D PUD PMD PTE, 4 PGD PUD PMD PTE, 3 PGD PMD PTE, 2 PGD PTE.
 */
static struct vd_error *
aarch64_setup_levels(struct aarch64_xlat *x)
{
	static const char *const up[] = { "PTE", "PMD", "PUD", "P4D" };
	static const char *const lup[] = { "pte", "pmd", "pud", "p4d" };
	static const char *const hw[] = { "L-1", "L0", "L1", "L2", "L3" };
	unsigned per = x->page_shift - 3, n;

	n = (x->walk_bits - x->page_shift + per - 1) / per;
	if (n < 2 || n > AARCH64_MAX_LEVELS)
		return vd_error_create(VD_ERR_NOTIMPL,
				       "arm64 with %u-bit VAs and %" PRIu64 "K pages needs %u lookup levels",
				       x->walk_bits, x->page_size >> 10, n);
	x->levels = n;
	for (unsigned i = 0; i < n; i++) {
		struct aarch64_level *l = &x->lv[i];

		l->arm_level = 4 - (int)n + (int)i;
		l->hw_name = hw[l->arm_level + 1];
		l->shift = x->page_shift + (3 - l->arm_level) * per;
		l->bits = i ? per : x->walk_bits - l->shift;
		l->name = i ? up[n - 1 - i] : "PGD";
		l->lname = i ? lup[n - 1 - i] : "pgd";
		l->block = aarch64_block_ok(x, l->arm_level);
	}
	return NULL;
}

static struct vd_error *
aarch64_read_widths(struct aarch64_xlat *x)
{
	struct vd_error *err;
	uint64_t v;

	err = vd_xlat_need(&x->base, "PAGESIZE", &v);
	if (err)
		return err;
	if (v != 0x1000 && v != 0x4000 && v != 0x10000)
		return vd_error_create(VD_ERR_CORRUPT,
				       "PAGESIZE=%" PRIu64 " is not an arm64 granule (4K, 16K, 64K)", v);
	x->page_size = v;
	x->page_shift = v == 0x1000 ? 12 : v == 0x4000 ? 14 : 16;
	err = vd_xlat_need(&x->base, "NUMBER(VA_BITS)", &v);
	if (err)
		return err;
	if (v < 36 || v > 52)
		return vd_error_create(VD_ERR_CORRUPT,
				       "NUMBER(VA_BITS)=%" PRIu64 " is not an arm64 VA width (36..52)", v);
	x->va_bits = x->va_bits_rt = v;
	// 5.9+: the running width; a 52-bit kernel falls back to 48 (47
	// for 16K LPA2) on CPUs without LVA/LPA2 (memory.rst "52-bit VA").
	if (vd_aarch64_num(x, "NUMBER(TCR_EL1_T1SZ)", &v) && v >= 12 &&
	    64 - v >= 36 && 64 - v <= x->va_bits)
		x->va_bits_rt = 64 - v;
	// 64K: the fallback keeps the 52-bit swapper_pg_dir and offsets
	// TTBR1 into it (TTBR1_BADDR_4852_OFFSET, commit c812026c54cf), so
	// a walk from its start uses VA_BITS.  4K/16K LPA2 lose a level at
	// runtime instead (6.9+), and swapper_pg_dir is the runtime root.
	x->walk_bits = x->page_shift == 16 ? x->va_bits : x->va_bits_rt;
	x->pa_bits = x->va_bits == 52 ? 52 : 48;
	if (vd_aarch64_num(x, "NUMBER(MAX_PHYSMEM_BITS)", &v) && (v == 48 || v == 52))
		x->pa_bits = v;
	x->lpa2 = x->page_shift != 16 && x->walk_bits == 52;
	if (x->lpa2)
		x->pa_bits = 52;
	x->lpa = x->page_shift == 16 && x->pa_bits == 52;
	x->table_limit = 1ULL << x->pa_bits;
	return aarch64_setup_levels(x);
}

static struct vd_error *
aarch64_read_config(struct aarch64_xlat *x)
{
	struct vd_error *err = aarch64_read_widths(x);

	if (err)
		return err;
	err = vd_xlat_need(&x->base, "NUMBER(kimage_voffset)", &x->kimage_voffset);
	if (err)
		return err;
	x->have_phys_offset = vd_aarch64_num(x, "NUMBER(PHYS_OFFSET)", &x->phys_offset);
	if (!vd_aarch64_num(x, "KERNELOFFSET", &x->kaslr_offset))
		x->kaslr_offset = 0;
	if (!vd_aarch64_num(x, "NUMBER(KERNELPACMASK)", &x->pacmask))
		x->pacmask = 0;
	if (!vd_aarch64_num(x, "SYMBOL(_stext)", &x->stext) &&
	    !(x->base.cb.symbol && x->base.cb.symbol(x->base.cb.priv, "_stext", &x->stext)))
		x->stext = 0;
	return NULL;
}

/*
 * The root: swapper_pg_dir is in the kernel image, which maps linearly at
 * PA = VA - kimage_voffset (memory.h, __kimg_to_phys()).  Then _stext
 * must translate to its image PA through it, else kimage_voffset (or the
 * symbol) is wrong.
 */
static struct vd_error *
aarch64_find_root(struct aarch64_xlat *x)
{
	const char *key = "SYMBOL(swapper_pg_dir)";
	uint64_t va, pa, align = 8ULL << x->lv[0].bits;
	struct vd_error *err;

	if (vd_aarch64_num(x, key, &va) ||
	    (x->base.cb.symbol &&
	     x->base.cb.symbol(x->base.cb.priv, key = "swapper_pg_dir", &va))) {
		x->base.root = va - x->kimage_voffset;
	} else if (vd_aarch64_num(x, key = "TTBR1_EL1", &va)) {
		x->base.root = aarch64_root_baddr(x, va);
	} else {
		return vd_error_create(VD_ERR_LOOKUP,
				       "the dump states neither SYMBOL(swapper_pg_dir) nor TTBR1_EL1 (needed for address translation)");
	}
	if (x->base.root & (VD_MAX(align, 64) - 1) || x->base.root >= x->table_limit)
		return vd_error_create(VD_ERR_CORRUPT,
				       "root table at PA 0x%" PRIx64 " (from %s, kimage_voffset 0x%" PRIx64 ") is not an aligned physical address",
				       x->base.root, key, x->kimage_voffset);
	if (!x->stext)
		return vd_aarch64_peek(x, x->base.root, &va) ? NULL :
			vd_error_fault(VD_ERR_FAULT, VD_AS_PHYS, x->base.root,
				       "cannot read the root table at PA 0x%" PRIx64 " (from %s)",
				       x->base.root, key);
	err = vd_xlat_translate(&x->base, x->stext, &pa, NULL);
	if (!err && pa == x->stext - x->kimage_voffset)
		return NULL;
	if (err == &vd_enomem)
		return err;
	if (!err)
		err = vd_error_create(VD_ERR_CORRUPT, "it maps to PA 0x%" PRIx64, pa);
	err = vd_error_wrap(err, "root table at PA 0x%" PRIx64 " (from %s) does not map _stext 0x%" PRIx64 " to PA 0x%" PRIx64 " (wrong kimage_voffset?)",
			    x->base.root, key, x->stext, x->stext - x->kimage_voffset);
	// An unreadable table stays a fault; anything else is a bad dump.
	if (err != &vd_enomem && err->code != VD_ERR_FAULT)
		err->code = VD_ERR_CORRUPT;
	return err;
}

static struct vd_error *
aarch64_create(const struct vd_xlat_cb *cb, struct vd_xlat **ret)
{
	struct aarch64_xlat *x;
	struct vd_error *err;

	if (!cb->read_phys64)
		return vd_error_create(VD_ERR_INVALID_ARG,
				       "address translation needs physical memory");
	x = calloc(1, sizeof(*x));
	if (!x)
		return &vd_enomem;
	x->base.cb = *cb;
	err = aarch64_read_config(x);
	if (!err) {
		// Walks during bootstrap and layout go through the ops.
		x->base.ops = &vd_aarch64_ops;
		err = aarch64_find_root(x);
	}
	if (err) {
		free(x);
		return err;
	}
	vd_aarch64_layout_init(x);
	*ret = &x->base;
	return NULL;
}

static void
aarch64_destroy(struct vd_xlat *xlat)
{
	free(xlat);
}

const struct vd_arch_ops vd_aarch64_ops = {
	.name = "aarch64",
	.arch = VD_ARCH_AARCH64,
	.create = aarch64_create,
	.destroy = aarch64_destroy,
	.walk = aarch64_walk,
	.entry_flags = aarch64_entry_flags,
	.canonical = aarch64_canonical,
};
