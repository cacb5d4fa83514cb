// SPDX-License-Identifier: MIT
/*
 * x86_64 kernel memory layout: the fixed regions of
 * Documentation/arch/x86/x86_64/mm.rst for 4- and 5-level paging, and the
 * three bases that CONFIG_RANDOMIZE_MEMORY moves at boot (page_offset_base,
 * vmalloc_base, vmemmap_base).  The bases come from VMCOREINFO or from the
 * kernel variables when the caller knows symbols; otherwise (and, cheaply,
 * as a cross-check) they are found by probing the upper levels of the
 * kernel page tables.
 *
 * The rules the probe relies on, from arch/x86/mm/kaslr.c
 * (kernel_randomize_memory(), 5.2+; the vmemmap sizing is commit
 * "x86/mm/KASLR: Compute the size of the vmemmap section properly"):
 *  - the regions keep their order: direct map, vmalloc, vmemmap;
 *  - they are placed in [vaddr_start, vaddr_end) with vaddr_start =
 *    __PAGE_OFFSET_BASE (0xffff888000000000, 5-level 0xff11000000000000)
 *    and vaddr_end = CPU_ENTRY_AREA_BASE (0xfffffe0000000000);
 *  - each base is the previous end plus a random PUD-aligned (1 GiB)
 *    gap; after each region the cursor moves to round_up(end + 1, 1 GiB),
 *    so at least 1 GiB separates the regions;
 *  - the direct map is min(2^MAX_PHYSMEM_BITS, DIV_ROUND_UP(max RAM PA,
 *    1 TiB) + CONFIG_RANDOMIZE_MEMORY_PHYSICAL_PADDING (0..0x40, default
 *    0xa)) TiB: at least 1 TiB and at least the mapped RAM rounded up to a
 *    TiB; vmalloc is VMALLOC_SIZE_TB (32, 5-level 12800) TiB; vmemmap
 *    follows;
 *  - without randomization (nokaslr, or KASAN, which disables it) the
 *    bases are the documented defaults.
 * Before 4.20 the direct map started at 0xffff880000000000
 * (0xff10000000000000), where the LDT remap slot is now; that slot is only
 * populated in process page tables, never in init_top_pgt, so the probe
 * window starts there to cover the older kernels too.
 */
#include <inttypes.h>
#include <string.h>

#include "arch/x86_64.h"
#include "common/util.h"

/* CPU_ENTRY_AREA_BASE = -4 << P4D_SHIFT: vaddr_end of kaslr.c. */
#define X86_64_VADDR_END 0xfffffe0000000000ULL
/* MODULES_END (pgtable_64_types.h): modules end 16 MiB below the top. */
#define X86_64_MODULES_END 0xffffffffff000000ULL
/* VSYSCALL_ADDR, the legacy vsyscall page (uapi/asm/vsyscall.h). */
#define X86_64_VSYSCALL 0xffffffffff600000ULL
/*
 * FIXADDR_TOP = round_up(VSYSCALL_ADDR + PAGE_SIZE, PMD_SIZE) - PAGE_SIZE
 * = 0xffffffffff800000 - 0x1000 (asm/fixmap.h).  Fixmap slot 0 sits at
 * FIXADDR_TOP and slots grow down; FIXADDR_START depends on the config
 * (mm.rst: "~-11 MB, variable size").  The fixmap must fit in
 * FIXMAP_PMD_NUM = 2 PMDs ending at entry FIXMAP_PMD_TOP = 507 of
 * level2_fixmap_pgt, so the window is 0xffffffffff400000..FIXADDR_TOP +
 * PAGE_SIZE - 1; the vsyscall page is slot 511 inside it.
 */
#define X86_64_FIXADDR_TOP 0xffffffffff7ff000ULL
#define X86_64_FIXMAP_START 0xffffffffff400000ULL
/* __START_KERNEL = __START_KERNEL_map + CONFIG_PHYSICAL_START (16 MiB). */
#define X86_64_START_KERNEL 0xffffffff81000000ULL

/*
 * Upper bound on page-table entries the probe reads (~1 MiB of tables);
 * a normal probe reads a few thousand.
 */
#define X86_64_PROBE_BUDGET (1u << 17)

/* The paging-mode-dependent part of mm.rst. */
struct x86_64_mode {
	uint64_t user_end;       /* last user-space address */
	uint64_t hole_end;       /* end of the non-canonical hole */
	uint64_t guard_end;      /* end of the hypervisor guard hole */
	uint64_t ldt_start, ldt_end;
	uint64_t window_start;   /* lowest page_offset_base, any version */
	uint64_t dm_base, vmalloc_base, vmemmap_base; /* non-random */
	uint64_t dm_size, vmalloc_size, vmemmap_size; /* documented */
	uint64_t kasan_start, kasan_end;
};

static const struct x86_64_mode x86_64_mode4 = {
	.user_end = 0x00007fffffffffffULL,
	.hole_end = 0xffff7fffffffffffULL,
	.guard_end = 0xffff87ffffffffffULL,
	.ldt_start = 0xffff880000000000ULL,
	.ldt_end = 0xffff887fffffffffULL,
	.window_start = 0xffff880000000000ULL,
	.dm_base = 0xffff888000000000ULL,
	.vmalloc_base = 0xffffc90000000000ULL,
	.vmemmap_base = 0xffffea0000000000ULL,
	.dm_size = 64 * X86_64_TIB,
	.vmalloc_size = 32 * X86_64_TIB,
	.vmemmap_size = 1 * X86_64_TIB,
	.kasan_start = 0xffffec0000000000ULL,
	.kasan_end = 0xfffffbffffffffffULL,
};

static const struct x86_64_mode x86_64_mode5 = {
	.user_end = 0x00ffffffffffffffULL,
	.hole_end = 0xfeffffffffffffffULL,
	.guard_end = 0xff0fffffffffffffULL,
	.ldt_start = 0xff10000000000000ULL,
	.ldt_end = 0xff10ffffffffffffULL,
	.window_start = 0xff10000000000000ULL,
	.dm_base = 0xff11000000000000ULL,
	.vmalloc_base = 0xffa0000000000000ULL,
	.vmemmap_base = 0xffd4000000000000ULL,
	.dm_size = 32768 * X86_64_TIB,       /* 32 PB */
	.vmalloc_size = 12800 * X86_64_TIB,  /* 12.5 PB */
	.vmemmap_size = 512 * X86_64_TIB,    /* 0.5 PB */
	.kasan_start = 0xffdf000000000000ULL,
	.kasan_end = 0xfffffbffffffffffULL,
};

/* One randomized base and where it came from. */
struct x86_64_base {
	uint64_t value;
	const char *source;      /* NULL: not known */
	bool given;              /* by VMCOREINFO or a kernel variable */
	uint64_t probed;         /* what the probe found, if probe_ok */
	bool probe_ok;
};

struct x86_64_probe {
	struct x86_64_xlat *x;
	unsigned budget;
	unsigned reads;
};

/* A leaf mapping found by the probe. */
struct x86_64_map {
	uint64_t va, pa, size;
};

/* ---- bounded upper-level scan ------------------------------------------ */

static bool
probe_read(struct x86_64_probe *p, uint64_t table, unsigned idx, uint64_t *e)
{
	if (!p->budget)
		return false;
	p->budget--;
	p->reads++;
	// An unreadable table is treated as empty: the probe only looks.
	return vd_x86_64_peek(p->x, table, idx, e) && (*e & X86_64_PRESENT);
}

typedef bool (*x86_64_visit_fn)(void *ctx, uint64_t va, uint64_t pud);

/*
 * Call visit for every present PUD-level entry (one per 1 GiB) whose VA is
 * in [first, last], in address order, until it returns true.  Only PGD,
 * P4D and PUD entries are read.  Returns true when visit stopped the scan.
 */
static bool
probe_scan(struct x86_64_probe *p, uint64_t table, unsigned lvl,
	   uint64_t base, uint64_t first, uint64_t last, x86_64_visit_fn visit,
	   void *ctx)
{
	const struct x86_64_level *l = &p->x->lv[lvl];
	unsigned i;

	// The root covers the whole (sign-extended) space; lower tables
	// cover [base, base + 512 entries).
	i = lvl == 0 ? (first >> l->shift) & (X86_64_PTRS - 1) :
		       (unsigned)((first - base) >> l->shift);
	for (; i < X86_64_PTRS && p->budget; i++) {
		uint64_t va = lvl == 0 ?
			x86_64_sext(p->x, (uint64_t)i << l->shift) :
			base + ((uint64_t)i << l->shift);
		uint64_t e;

		if (va > last)
			break;
		if (!probe_read(p, table, i, &e))
			continue;
		if (l->shift == 30) {
			if (visit(ctx, va, e))
				return true;
			continue;
		}
		if (e & X86_64_PS)      /* reserved above the PUD */
			continue;
		if (probe_scan(p, e & p->x->addr_mask, lvl + 1, va,
			       VD_MAX(first, va), last, visit, ctx))
			return true;
	}
	return false;
}

struct x86_64_first {
	uint64_t va, pud;
};

static bool
first_visit(void *ctx, uint64_t va, uint64_t pud)
{
	struct x86_64_first *f = ctx;

	f->va = va;
	f->pud = pud;
	return true;
}

/* The lowest present 1 GiB granule in [first, last]. */
static bool
probe_first(struct x86_64_probe *p, uint64_t first, uint64_t last,
	    struct x86_64_first *ret)
{
	if (first > last)
		return false;
	return probe_scan(p, p->x->base.root, 0, 0, first, last, first_visit,
			  ret);
}

/* Scan one PTE table of the 2 MiB at va for its lowest/highest page. */
static bool
probe_pte(struct x86_64_probe *p, uint64_t table, uint64_t va, unsigned k0,
	  bool up, struct x86_64_map *m)
{
	for (int k = k0; k >= 0 && k < (int)X86_64_PTRS; k += up ? 1 : -1) {
		uint64_t e;

		if (!probe_read(p, table, k, &e))
			continue;
		m->va = va + ((uint64_t)k << 12);
		m->pa = e & p->x->addr_mask;
		m->size = X86_64_PAGE_SIZE;
		return true;
	}
	return false;
}

/*
 * The lowest mapping at or above from (up) or the highest mapping (!up)
 * in the 1 GiB granule g whose PUD entry is pud.  Bounded: at most one
 * PMD table and the PTE tables it points to, within the budget.
 */
static bool
probe_map(struct x86_64_probe *p, uint64_t g, uint64_t pud, uint64_t from,
	  bool up, struct x86_64_map *m)
{
	uint64_t mask = p->x->addr_mask;
	int j0 = up ? (int)((from - g) >> 21) : (int)X86_64_PTRS - 1;

	if (pud & X86_64_PS) {
		*m = (struct x86_64_map){ g, pud & mask & ~(X86_64_PUD_SIZE - 1),
					  X86_64_PUD_SIZE };
		return true;
	}
	for (int j = j0; j >= 0 && j < (int)X86_64_PTRS; j += up ? 1 : -1) {
		uint64_t va = g + ((uint64_t)j << 21), e;
		unsigned k0 = up ? (j == j0 ? (from >> 12) & 511 : 0) : 511;

		if (!probe_read(p, pud & mask, j, &e))
			continue;
		if (e & X86_64_PS) {
			*m = (struct x86_64_map){
				va, e & mask & ~(X86_64_PMD_SIZE - 1),
				X86_64_PMD_SIZE };
			return true;
		}
		if (probe_pte(p, e & mask, va, k0, up, m))
			return true;
	}
	return false;
}

/* ---- the three bases --------------------------------------------------- */

/*
 * Whether granule f looks like the start of the direct map: its lowest
 * page maps PA 0 (the ISA range is always mapped, init_mem_mapping()) or
 * at least the lowest RAM page, so VA - PA is a 1 GiB-aligned base; the
 * next mapping must agree, so that a chance alignment is not taken.
 */
static bool
probe_pob_at(struct x86_64_probe *p, const struct x86_64_mode *md,
	     const struct x86_64_first *f, uint64_t *ret)
{
	struct x86_64_map m, m2;
	uint64_t pob;

	if (!probe_map(p, f->va, f->pud, f->va, true, &m))
		return false;
	pob = m.va - m.pa;
	if (pob & (X86_64_PUD_SIZE - 1) || pob < md->window_start ||
	    pob > f->va)
		return false;
	if (m.va + m.size - f->va < X86_64_PUD_SIZE &&
	    probe_map(p, f->va, f->pud, m.va + m.size, true, &m2) &&
	    m2.va - m2.pa != pob)
		return false;
	*ret = pob;
	return true;
}

/*
 * page_offset_base: the direct map is the first region of the window, so
 * its lowest granule is the lowest mapped one.  A few granules that do
 * not look linear (nothing the kernel puts there, but dumps are hostile)
 * are skipped.
 */
static bool
probe_pob(struct x86_64_probe *p, const struct x86_64_mode *md, uint64_t *ret)
{
	uint64_t from = md->window_start;
	struct x86_64_first f;

	for (int tries = 0; tries < 8; tries++) {
		if (!probe_first(p, from, X86_64_VADDR_END - 1, &f))
			return false;
		if (probe_pob_at(p, md, &f, ret))
			return true;
		from = f.va + X86_64_PUD_SIZE;
	}
	return false;
}

struct x86_64_dm {
	struct x86_64_probe *p;
	uint64_t pob;
	uint64_t max_end;        /* pob + the largest possible direct map */
	bool known_end;          /* the range scanned is all direct map */
	uint64_t hi, hi_pud;     /* last direct-map granule (hi = its end) */
	uint64_t next;           /* first granule past it, 0 if none */
};

static bool
dm_visit(void *ctx, uint64_t g, uint64_t pud)
{
	struct x86_64_dm *d = ctx;
	struct x86_64_map m;
	uint64_t min_size;

	if (!d->known_end) {
		// The direct map is at least the mapped RAM rounded up to a
		// TiB (and >= 1 TiB): granules below that are direct map.
		// Past it, only a linear granule (hotplugged RAM beyond a
		// hole) is; the first other one is vmalloc_base.
		if (!vd_align_up(d->hi - d->pob, X86_64_TIB, &min_size) ||
		    min_size < X86_64_TIB)
			min_size = X86_64_TIB;
		if (g - d->pob >= min_size &&
		    (g >= d->max_end ||
		     !probe_map(d->p, g, pud, g, true, &m) ||
		     m.va - m.pa != d->pob)) {
			d->next = g;
			return true;
		}
	}
	d->hi = g + X86_64_PUD_SIZE;
	d->hi_pud = pud;
	return false;
}

/*
 * Scan the direct map from pob up to last: its mapped extent (*pa_end:
 * one past the highest direct-mapped PA) and, unless known_end, the first
 * granule after it (the vmalloc base candidate).
 */
static uint64_t
probe_dm(struct x86_64_probe *p, const struct x86_64_mode *md, uint64_t pob,
	 uint64_t last, bool known_end, uint64_t *pa_end)
{
	struct x86_64_dm d = {
		.p = p, .pob = pob, .known_end = known_end, .hi = pob,
	};
	struct x86_64_map m;

	d.max_end = pob + md->dm_size;
	if (d.max_end < pob)
		d.max_end = UINT64_MAX;
	*pa_end = 0;
	if (pob <= last)
		probe_scan(p, p->x->base.root, 0, 0, pob, last, dm_visit, &d);
	if (d.hi > pob) {
		// Refine to the last mapped page of the last granule.
		*pa_end = d.hi - pob;
		if (probe_map(p, d.hi - X86_64_PUD_SIZE, d.hi_pud, 0, false, &m))
			*pa_end = m.va + m.size - pob;
	}
	return d.next;
}

/* A base must be 1 GiB aligned inside the randomization window. */
static bool
x86_64_base_ok(const struct x86_64_mode *md, uint64_t v)
{
	return !(v & (X86_64_PUD_SIZE - 1)) && v >= md->window_start &&
	       v < X86_64_VADDR_END;
}

/* An unsigned long kernel variable, read through the image mapping. */
static bool
x86_64_read_var(struct x86_64_xlat *x, const char *name, uint64_t *ret)
{
	uint64_t va, pa;

	return x->base.cb.symbol && x->base.cb.symbol(x->base.cb.priv, name, &va) &&
	       x86_64_ktext_pa(x, va, &pa) && vd_x86_64_peek(x, pa, 0, ret);
}

/* A base stated by VMCOREINFO (key) or held in a kernel variable. */
static void
x86_64_base_given(struct x86_64_xlat *x, const struct x86_64_mode *md,
		  const char *key, const char *var, struct x86_64_base *b)
{
	uint64_t v;

	if (key && x->base.cb.number &&
	    x->base.cb.number(x->base.cb.priv, key, &v) && x86_64_base_ok(md, v)) {
		b->value = v;
		b->source = "vmcoreinfo";
		b->given = true;
	} else if (x86_64_read_var(x, var, &v) && x86_64_base_ok(md, v)) {
		b->value = v;
		b->source = "symbol";
		b->given = true;
	}
}

/* Take the probe's value unless given; fall back to the default. */
static void
x86_64_base_pick(struct x86_64_base *b, bool found, uint64_t probed,
		 uint64_t dflt)
{
	b->probe_ok = found;
	b->probed = probed;
	if (b->given)
		return;
	b->value = found ? probed : dflt;
	b->source = found ? "page-table probe" : "default";
}

struct x86_64_bases {
	struct x86_64_base pob, vmalloc, vmemmap;
	uint64_t dm_pa_end;      /* mapped extent of the direct map */
	unsigned reads;
};

static void
x86_64_find_bases(struct x86_64_xlat *x, const struct x86_64_mode *md,
		  struct x86_64_bases *b)
{
	struct x86_64_probe p = { x, X86_64_PROBE_BUDGET, 0 };
	struct x86_64_first f;
	uint64_t v = 0, next;
	bool ok;

	x86_64_base_given(x, md, NULL, "page_offset_base", &b->pob);
	x86_64_base_given(x, md, "NUMBER(VMALLOC_START)", "vmalloc_base",
			  &b->vmalloc);
	x86_64_base_given(x, md, "SYMBOL(vmemmap)", "vmemmap_base",
			  &b->vmemmap);

	ok = probe_pob(&p, md, &v);
	x86_64_base_pick(&b->pob, ok, v, md->dm_base);

	next = probe_dm(&p, md, b->pob.value, X86_64_VADDR_END - 1, false,
			&b->dm_pa_end);
	x86_64_base_pick(&b->vmalloc, next != 0, next, md->vmalloc_base);
	// A given vmalloc base that the scan did not stop at: everything
	// below it is the direct map, measure that instead.
	if (b->vmalloc.given && b->vmalloc.value != next &&
	    b->vmalloc.value > b->pob.value)
		probe_dm(&p, md, b->pob.value, b->vmalloc.value - 1, true,
			 &b->dm_pa_end);

	// struct page of PFN 0 is at vmemmap_base, so its granule is the
	// first one mapped after vmalloc (VMALLOC_END + 1 and beyond).
	v = b->vmalloc.value + md->vmalloc_size;
	ok = v > b->vmalloc.value && probe_first(&p, v, X86_64_VADDR_END - 1, &f);
	x86_64_base_pick(&b->vmemmap, ok, ok ? f.va : 0, md->vmemmap_base);
	b->reads = p.reads;
}

/* ---- layout, params, linear ranges ------------------------------------- */

/* start + size - 1, cut before the next region (when it follows start). */
static uint64_t
x86_64_clip(uint64_t start, uint64_t size, uint64_t next)
{
	uint64_t end = start + size - 1;

	if (end < start)
		end = UINT64_MAX;
	if (next > start && next - 1 < end)
		end = next - 1;
	return end;
}

/* VA of the kernel's first byte (_text, = _stext on x86_64). */
static uint64_t
x86_64_kernel_start(struct x86_64_xlat *x)
{
	uint64_t va, pa;

	if (x->base.cb.symbol && x->base.cb.symbol(x->base.cb.priv, "_text", &va) &&
	    x86_64_ktext_pa(x, va, &pa))
		return va;
	if (x->base.cb.number &&
	    x->base.cb.number(x->base.cb.priv, "SYMBOL(_stext)", &va) &&
	    x86_64_ktext_pa(x, va, &pa))
		return va;
	// KERNELOFFSET = _text - __START_KERNEL (kaslr_offset()).
	return X86_64_START_KERNEL + x->kaslr_offset;
}

static void
x86_64_add_fixed(struct vd_xlat *xl, const struct x86_64_mode *md)
{
	vd_xlat_add_region(xl, "user space", VD_REGION_USER, 0, md->user_end,
			   "fixed");
	vd_xlat_add_region(xl, "non-canonical hole", VD_REGION_HOLE,
			   md->user_end + 1, md->hole_end, "fixed");
	vd_xlat_add_region(xl, "guard hole (hypervisor)", VD_REGION_HOLE,
			   md->hole_end + 1, md->guard_end, "fixed");
	vd_xlat_add_region(xl, "cpu_entry_area", VD_REGION_OTHER,
			   0xfffffe0000000000ULL, 0xfffffe7fffffffffULL, "fixed");
	vd_xlat_add_region(xl, "%esp fixup stacks", VD_REGION_OTHER,
			   0xffffff0000000000ULL, 0xffffff7fffffffffULL, "fixed");
	vd_xlat_add_region(xl, "EFI region", VD_REGION_OTHER,
			   0xffffffef00000000ULL, 0xfffffffeffffffffULL, "fixed");
	vd_xlat_add_region(xl, "fixmap", VD_REGION_FIXMAP, X86_64_FIXMAP_START,
			   X86_64_FIXADDR_TOP + X86_64_PAGE_SIZE - 1, "fixed");
	vd_xlat_add_region(xl, "vsyscall", VD_REGION_OTHER, X86_64_VSYSCALL,
			   X86_64_VSYSCALL + X86_64_PAGE_SIZE - 1, "fixed");
}

static void
x86_64_add_bases(struct vd_xlat *xl, const struct x86_64_mode *md,
		 const struct x86_64_bases *b)
{
	uint64_t pob = b->pob.value, vm = b->vmalloc.value;
	uint64_t vmm = b->vmemmap.value;

	// Before 4.20 the direct map itself started in the LDT slot.
	if (pob > md->ldt_end)
		vd_xlat_add_region(xl, "LDT remap (PTI)", VD_REGION_OTHER,
				   md->ldt_start, md->ldt_end, "fixed");
	vd_xlat_add_region(xl, "direct map", VD_REGION_DIRECTMAP, pob,
			   x86_64_clip(pob, md->dm_size, vm), b->pob.source);
	vd_xlat_add_region(xl, "vmalloc/ioremap", VD_REGION_VMALLOC, vm,
			   x86_64_clip(vm, md->vmalloc_size, vmm),
			   b->vmalloc.source);
	vd_xlat_add_region(xl, "vmemmap", VD_REGION_VMEMMAP, vmm,
			   x86_64_clip(vmm, md->vmemmap_size, X86_64_VADDR_END),
			   b->vmemmap.source);
	// KASAN disables memory randomization (kaslr_memory_enabled()), so
	// its shadow can only exist with the default bases (the direct map
	// at the pre-4.20 default counts too).  Listed as mm.rst's window:
	// whether CONFIG_KASAN is set is not known here.
	if ((pob == md->dm_base || pob == md->window_start) &&
	    vm == md->vmalloc_base && vmm == md->vmemmap_base)
		vd_xlat_add_region(xl, "KASAN shadow (documented window)",
				   VD_REGION_OTHER, md->kasan_start,
				   md->kasan_end, "fixed");
}

static void
x86_64_add_kernel(struct x86_64_xlat *x)
{
	struct vd_xlat *xl = &x->base;
	const char *src = x->have_kis ? "vmcoreinfo" : "fixed";
	uint64_t kis = x->kernel_image_size, kstart, kend = 0, pa_end;

	vd_xlat_add_region(xl, "kernel text mapping", VD_REGION_KTEXT,
			   X86_64_START_KERNEL_MAP,
			   X86_64_START_KERNEL_MAP + kis - 1, src);
	// MODULES_VADDR = __START_KERNEL_map + KERNEL_IMAGE_SIZE.
	vd_xlat_add_region(xl, "modules", VD_REGION_MODULES,
			   X86_64_START_KERNEL_MAP + kis,
			   X86_64_MODULES_END - 1, src);
	kstart = x86_64_kernel_start(x);
	vd_xlat_add_param(xl, "kernel_start", kstart, VD_PARAM_ADDR);
	if (xl->cb.symbol && xl->cb.symbol(xl->cb.priv, "_end", &kend) &&
	    kend > kstart && kend - X86_64_START_KERNEL_MAP <= kis)
		vd_xlat_add_region(xl, "kernel image", VD_REGION_KTEXT, kstart,
				   kend - 1, "symbol");
	else
		kend = X86_64_START_KERNEL_MAP + kis;
	// The image maps PA = VA - __START_KERNEL_map + phys_base.
	pa_end = kend - X86_64_START_KERNEL_MAP + x->phys_base;
	if (pa_end > kstart - X86_64_START_KERNEL_MAP + x->phys_base)
		vd_xlat_add_linear(xl, kstart,
				   kstart - X86_64_START_KERNEL_MAP + x->phys_base,
				   pa_end, VD_REGION_KTEXT);
}

static void
x86_64_add_params(struct x86_64_xlat *x, const struct x86_64_bases *b)
{
	struct vd_xlat *xl = &x->base;
	const struct x86_64_base *all[] = { &b->pob, &b->vmalloc, &b->vmemmap };
	static const char *const probed[] = {
		"page_offset_base_probed", "vmalloc_base_probed",
		"vmemmap_base_probed",
	};

	vd_xlat_add_param(xl, "levels", x->levels, VD_PARAM_COUNT);
	vd_xlat_add_param(xl, "va_bits", x->va_bits, VD_PARAM_COUNT);
	vd_xlat_add_param(xl, "phys_base", x->phys_base, VD_PARAM_SIGNED);
	vd_xlat_add_param(xl, "kaslr_offset", x->kaslr_offset, VD_PARAM_ADDR);
	vd_xlat_add_param(xl, "kernel_image_size", x->kernel_image_size, VD_PARAM_ADDR);
	vd_xlat_add_param(xl, "root", xl->root, VD_PARAM_ADDR);
	vd_xlat_add_param(xl, "sme_mask", x->sme_mask, VD_PARAM_ADDR);
	vd_xlat_add_param(xl, "page_offset_base", b->pob.value, VD_PARAM_ADDR);
	vd_xlat_add_param(xl, "vmalloc_base", b->vmalloc.value, VD_PARAM_ADDR);
	vd_xlat_add_param(xl, "vmemmap_base", b->vmemmap.value, VD_PARAM_ADDR);
	vd_xlat_add_param(xl, "directmap_pa_end", b->dm_pa_end, VD_PARAM_ADDR);
	vd_xlat_add_param(xl, "modules_vaddr",
			  X86_64_START_KERNEL_MAP + x->kernel_image_size, VD_PARAM_ADDR);
	vd_xlat_add_param(xl, "fixaddr_top", X86_64_FIXADDR_TOP, VD_PARAM_ADDR);
	vd_xlat_add_param(xl, "probe_reads", b->reads, VD_PARAM_COUNT);
	// Given values win; a probe that saw otherwise is worth showing.
	for (size_t i = 0; i < VD_ARRAY_SIZE(all); i++)
		if (all[i]->probe_ok && all[i]->probed != all[i]->value)
			vd_xlat_add_param(xl, probed[i], all[i]->probed, VD_PARAM_ADDR);
}

void
vd_x86_64_layout_init(struct x86_64_xlat *x)
{
	const struct x86_64_mode *md =
		x->levels == 5 ? &x86_64_mode5 : &x86_64_mode4;
	struct x86_64_bases b;
	uint64_t dm_end;

	memset(&b, 0, sizeof(b));
	x86_64_find_bases(x, md, &b);
	x86_64_add_fixed(&x->base, md);
	x86_64_add_bases(&x->base, md, &b);
	// The direct map maps PA 0 at page_offset_base; without a measured
	// extent, use its whole window.  It is the first answer of ptov.
	dm_end = x86_64_clip(b.pob.value, md->dm_size, b.vmalloc.value);
	if (!b.dm_pa_end)
		b.dm_pa_end = dm_end - b.pob.value + 1;
	vd_xlat_add_linear(&x->base, b.pob.value, 0, b.dm_pa_end,
			   VD_REGION_DIRECTMAP);
	x86_64_add_params(x, &b);
	x86_64_add_kernel(x);
}
