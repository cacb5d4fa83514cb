// SPDX-License-Identifier: MIT
/*
 * arm64 kernel memory layout: the linear map, modules, vmalloc, the kernel
 * image, fixmap, PCI I/O and vmemmap, with this dump's bases.
 *
 * Where VMCOREINFO exports them (NUMBER(MODULES_VADDR) ... VMEMMAP_END,
 * commit 2369f171d5c5 "arm64: crash_core: Export MODULES, VMALLOC, and
 * VMEMMAP ranges", 5.18) they are taken as stated.  Otherwise they follow
 * arch/arm64/include/asm/memory.h of 5.11..6.8 (5.4..5.10: layout_rules_5_10()):
 *   PAGE_OFFSET   = -(1 << VA_BITS)               linear map start (5.4+,
 *                   "flipped": the lower half of the kernel VA space)
 *   PAGE_END      = -(1 << (VA_BITS_MIN - 1))     linear map end
 *   MODULES_VADDR = PAGE_END, 128 MiB (2 GiB since 6.4)
 *   VMALLOC_START = MODULES_END, VMALLOC_END = VMEMMAP_START - 256 MiB
 *   VMEMMAP_START = -(1 << (VA_BITS - VMEMMAP_SHIFT)), VMEMMAP_SHIFT =
 *                   PAGE_SHIFT - STRUCT_PAGE_MAX_SHIFT (6), size
 *                   (PAGE_END - PAGE_OFFSET) >> VMEMMAP_SHIFT
 *   PCI I/O       = [VMEMMAP_START - 24 MiB, VMEMMAP_START - 8 MiB)
 *   FIXADDR_TOP   = VMEMMAP_START - 32 MiB; memory.rst lists the window
 *                   from VMALLOC_END as "fixed mappings (top down)"
 * and linear PA = (VA & ~PAGE_OFFSET) + PHYS_OFFSET (__lm_to_phys(), 5.11+;
 * 5.4..5.10 used physvirt_offset, which the page-table probe below checks).
 * Before 5.4 the linear map was the upper half: PAGE_OFFSET =
 * -(1 << (VA_BITS - 1)), told apart by where _stext is (as libkdumpfile
 * does).  The kernel image maps PA = VA - kimage_voffset from _stext; the
 * 64 KiB from _text to _stext are not mapped, and with nokaslr vmalloc
 * reuses them (real dumps of 6.1).
 */
#include <inttypes.h>
#include <string.h>

#include "arch/aarch64.h"
#include "common/util.h"

#define SZ_8M (8ULL << 20)
#define SZ_16M (16ULL << 20)
#define SZ_32M (32ULL << 20)
#define SZ_128M (128ULL << 20)
#define SZ_256M (256ULL << 20)
/* Upper bound on table entries the probes read. */
#define AARCH64_PROBE_BUDGET (1u << 16)
/* Upper bound on the image size when _end is unknown (probed page by page). */
#define AARCH64_IMAGE_MAX (1ULL << 30)

struct aarch64_range {
	uint64_t start, end;   /* end exclusive; start == end: unknown */
	const char *source;
};

struct aarch64_layout {
	bool flipped;          /* 5.4+: linear map in the lower half */
	uint64_t page_offset, page_end;
	struct aarch64_range modules, vmalloc, vmemmap, pci_io, fixmap;
	struct aarch64_range bpf_jit;  /* 5.10 and before: below the modules */
	struct aarch64_range image, kaslr_modules;
	struct aarch64_range runs[3];   /* mapped runs of the image */
	unsigned nruns;
	uint64_t lin_va, lin_pa, lin_pa_end;  /* linear map: VA of lin_pa */
	const char *lin_source;
	unsigned reads;
};

/* ---- bounded probe of the linear map ----------------------------------- */

struct aarch64_probe {
	struct aarch64_xlat *x;
	unsigned budget, reads;
};

struct aarch64_found {
	uint64_t va, pa;       /* lowest (up) or highest (!up) mapped byte */
};

/*
 * The lowest (up) or highest mapped byte of [lo, hi] under the table at
 * level i whose entry 0 maps base.  Reads only within the budget.
 */
static bool
probe_leaf(struct aarch64_probe *p, uint64_t table, unsigned i, uint64_t base,
	   uint64_t lo, uint64_t hi, bool up, struct aarch64_found *f)
{
	const struct aarch64_xlat *x = p->x;
	const struct aarch64_level *l = &x->lv[i];
	uint64_t n = 1ULL << l->bits, size = 1ULL << l->shift;
	uint64_t first = lo > base ? (lo - base) >> l->shift : 0;
	uint64_t last = VD_MIN((hi - base) >> l->shift, n - 1);

	for (uint64_t k = up ? first : last; k >= first && k <= last && p->budget;
	     k += up ? 1 : -1) {
		uint64_t e, eb = base + k * size, type;

		p->budget--;
		p->reads++;
		if (!vd_aarch64_peek(p->x, table + 8 * k, &e) || !(e & AARCH64_DESC_VALID))
			continue;
		type = e & AARCH64_DESC_TYPE_MASK;
		if ((type == AARCH64_DESC_BLOCK && l->block && i < x->levels - 1) ||
		    (type == AARCH64_DESC_TABLE && i == x->levels - 1)) {
			f->va = up ? VD_MAX(eb, lo) : VD_MIN(eb + size - 1, hi);
			f->pa = (vd_aarch64_desc_oa(x, e) & ~(size - 1)) + (f->va - eb);
			return true;
		}
		if (type != AARCH64_DESC_TABLE || i == x->levels - 1 ||
		    vd_aarch64_desc_oa(x, e) >= x->table_limit)
			continue;
		if (probe_leaf(p, vd_aarch64_desc_oa(x, e), i + 1, eb, VD_MAX(lo, eb),
			       VD_MIN(hi, eb + size - 1), up, f))
			return true;
	}
	return false;
}

/*
 * The linear map's mapped extent and offset, from its lowest and highest
 * mapped bytes; both must agree on VA - PA (5.4..5.10 kernels keep
 * physvirt_offset, which need not equal PAGE_OFFSET - PHYS_OFFSET).
 */
static void
probe_linear(struct aarch64_xlat *x, struct aarch64_layout *lo)
{
	struct aarch64_probe p = { x, AARCH64_PROBE_BUDGET, 0 };
	uint64_t base = UINT64_MAX << x->walk_bits;
	struct aarch64_found a, b;

	if (probe_leaf(&p, x->base.root, 0, base, lo->page_offset,
		       lo->page_end - 1, true, &a) &&
	    probe_leaf(&p, x->base.root, 0, base, lo->page_offset,
		       lo->page_end - 1, false, &b) &&
	    a.va - a.pa == b.va - b.pa && b.pa >= a.pa) {
		lo->lin_va = a.va;
		lo->lin_pa = a.pa;
		lo->lin_pa_end = b.pa + 1;
		lo->lin_source = "page-table probe";
	}
	lo->reads += p.reads;
}

/* ---- regions ------------------------------------------------------------ */

static struct aarch64_range
range_given(struct aarch64_xlat *x, const char *k0, const char *k1)
{
	struct aarch64_range r = { 0, 0, NULL };

	if (vd_aarch64_num(x, k0, &r.start) && vd_aarch64_num(x, k1, &r.end) &&
	    r.end > r.start && aarch64_is_kernel(x, r.start))
		r.source = "vmcoreinfo";
	else
		r.start = r.end = 0;
	return r;
}

/*
 * Whether the kernel predates 5.11's VMEMMAP_START, told by the page
 * tables: up to 5.10 VMEMMAP_START was -VMEMMAP_SIZE - 2M (memory.h;
 * commit f4693c2716b3 "arm64: mm: extend linear region for 52-bit VA
 * configurations" made it -(1 << (VA_BITS - VMEMMAP_SHIFT))), and only the
 * kernel's own rule maps the struct page of the first RAM page, at
 * VMEMMAP_START + (pfn - (PHYS_OFFSET >> PAGE_SHIFT)) * 64 (PHYS_OFFSET is
 * signed: 5.10's KASLR moves memstart_addr below 0, as on Debian 11).
 */
static bool
vmemmap_before_5_11(struct aarch64_xlat *x, const struct aarch64_layout *lo,
		    uint64_t old_start, uint64_t new_start)
{
	struct aarch64_probe p = { x, AARCH64_PROBE_BUDGET / 4, 0 };
	uint64_t base = UINT64_MAX << x->walk_bits, phys;
	struct aarch64_found a;
	bool found[2];
	uint64_t starts[2] = { old_start, new_start };

	if (!vd_aarch64_num(x, "NUMBER(PHYS_OFFSET)", &phys) ||
	    !probe_leaf(&p, x->base.root, 0, base, lo->page_offset, lo->page_end - 1, true,
			&a))
		return false;
	for (unsigned i = 0; i < 2; i++) {
		uint64_t va = starts[i] + ((a.pa >> x->page_shift) -
					   (uint64_t)((int64_t)phys >> x->page_shift)) * 64;
		struct vd_xlat_walk w;
		struct vd_error *err = vd_xlat_walk(&x->base, 0, va, &w);

		found[i] = !err;
		vd_error_destroy(err);
	}
	return found[0] && !found[1];
}

/*
 * 5.4..5.10 (memory.h, pgtable.h; Documentation/arm64/memory.rst of 5.10):
 * a 128 MiB BPF JIT region at PAGE_END, then 128 MiB of modules, vmalloc
 * from MODULES_END to -PUD_SIZE - VMEMMAP_SIZE - 64K, PCI I/O 16 MiB at
 * VMEMMAP_START - 2M - 16M, FIXADDR_TOP 2M below it, vmemmap up to -2M.
 */
static void
layout_rules_5_10(struct aarch64_xlat *x, struct aarch64_layout *lo, uint64_t size)
{
	uint64_t vmemmap = -size - (2ULL << 20);
	unsigned pud_shift = x->page_shift + 2 * (x->page_shift - 3);

	lo->vmemmap = (struct aarch64_range){ vmemmap, vmemmap + size,
		"layout rule (before 5.11)" };
	lo->bpf_jit = (struct aarch64_range){ lo->page_end, lo->page_end + SZ_128M,
		"layout rule (before 5.11)" };
	if (!lo->modules.source)
		lo->modules = (struct aarch64_range){ lo->page_end + SZ_128M,
			lo->page_end + 2 * SZ_128M, "layout rule (before 5.11)" };
	if (!lo->vmalloc.source)
		lo->vmalloc = (struct aarch64_range){ lo->modules.end,
			-(1ULL << pud_shift) - size - (64ULL << 10), "layout rule (before 5.11)" };
	lo->pci_io = (struct aarch64_range){ vmemmap - (2ULL << 20) - SZ_16M,
		vmemmap - (2ULL << 20), "layout rule (before 5.11)" };
	lo->fixmap = (struct aarch64_range){ lo->vmalloc.end,
		lo->pci_io.start - (2ULL << 20), "layout rule (before 5.11)" };
}

static void
layout_rules(struct aarch64_xlat *x, struct aarch64_layout *lo)
{
	unsigned vmemmap_shift = x->page_shift - 6;
	uint64_t vmemmap = -(1ULL << (x->va_bits - vmemmap_shift));
	uint64_t vsize = (lo->page_end - lo->page_offset) >> vmemmap_shift;

	if (!lo->vmemmap.source && x->va_bits == x->va_bits_rt &&
	    vmemmap_before_5_11(x, lo, -vsize - (2ULL << 20), vmemmap)) {
		layout_rules_5_10(x, lo, vsize);
		return;
	}

	if (!lo->modules.source)
		lo->modules = (struct aarch64_range){
			lo->page_end, lo->page_end + SZ_128M, "layout rule" };
	if (!lo->vmemmap.source)
		lo->vmemmap = (struct aarch64_range){ vmemmap,
			vmemmap + ((lo->page_end - lo->page_offset) >> vmemmap_shift),
			"layout rule" };
	// A 52-bit kernel on a CPU without LPA2/LVA (6.9+): VMEMMAP_START
	// is the build's, sized for a 52-bit linear map, but struct pages
	// exist only for the linear map of the running VA size, at the top
	// of the window, and vmalloc reaches up to 8M below them (seen on
	// Debian's 6.12 4K and 16K kernels: VMALLOC_END = VMEMMAP_END -
	// ((1 << (vabits_actual - 1)) >> (PAGE_SHIFT - 6)) - 8M).
	if (x->va_bits_rt < x->va_bits && lo->vmemmap.end) {
		uint64_t used = lo->vmemmap.end -
			((1ULL << (x->va_bits_rt - 1)) >> vmemmap_shift);

		if (used > lo->vmemmap.start && used < lo->vmemmap.end)
			lo->vmemmap.start = used;
	}
	if (!lo->vmalloc.source)
		lo->vmalloc = (struct aarch64_range){ lo->modules.end,
			lo->vmemmap.start - SZ_256M, "layout rule" };
	// PCI I/O and the fixmap sit below vmemmap up to 6.8: PCI_IO_END =
	// VMEMMAP_START - 8M, FIXADDR_TOP = VMEMMAP_START - 32M, the fixmap
	// window from VMALLOC_END (memory.rst).  6.9 moved both above
	// vmemmap (commits 031e011d8b22, b730b0f2b1fc) and VMALLOC_END up to
	// VMEMMAP_START - 8M: PCI_IO_START = VMEMMAP_END + 8M, FIXADDR_TOP =
	// -8M, the fixmap window from PCI_IO_END.
	if (lo->vmemmap.start - SZ_32M >= lo->vmalloc.end) {
		lo->pci_io = (struct aarch64_range){ lo->vmemmap.start - SZ_8M - SZ_16M,
			lo->vmemmap.start - SZ_8M, "layout rule" };
		lo->fixmap = (struct aarch64_range){ lo->vmalloc.end,
			lo->vmemmap.start - SZ_32M, "layout rule" };
	} else if (lo->vmemmap.end && lo->vmemmap.end <= -(SZ_32M + SZ_16M)) {
		lo->pci_io = (struct aarch64_range){ lo->vmemmap.end + SZ_8M,
			lo->vmemmap.end + SZ_8M + SZ_16M, "layout rule" };
		lo->fixmap = (struct aarch64_range){ lo->pci_io.end, -SZ_8M,
			"layout rule" };
	}
}

/* An unsigned long kernel variable, read through the image mapping. */
static bool
read_var(struct aarch64_xlat *x, const char *name, uint64_t *ret)
{
	uint64_t va;

	return x->base.cb.symbol && x->base.cb.symbol(x->base.cb.priv, name, &va) &&
	       vd_aarch64_peek(x, va - x->kimage_voffset, ret);
}

/*
 * The image maps PA = VA - kimage_voffset from _stext, except where the
 * kernel freed and unmapped it (the init sections: free_initmem()).  The
 * mapped runs are probed page by page (cached walks: ~1 read each), across
 * unmapped gaps, up to _end when a symbol tells it, else up to the first
 * page mapped elsewhere (a vmalloc area right after _end) or a gap longer
 * than AARCH64_IMAGE_GAP.
 */
#define AARCH64_IMAGE_GAP (64ULL << 20)

static void
probe_image(struct aarch64_xlat *x, uint64_t limit, struct aarch64_layout *lo)
{
	uint64_t va = x->stext, end = x->stext, run = x->stext;
	struct vd_xlat_walk w;

	for (unsigned n = 0; n < (1u << 18) && va < limit && va - end < AARCH64_IMAGE_GAP;
	     n++) {
		struct vd_error *err = vd_xlat_walk(&x->base, 0, va, &w);
		uint64_t size = w.page_size;

		if (!err && w.pa != va - x->kimage_voffset)
			break;
		if (err) {
			// Skip what the failing entry covers; close the run.
			size = w.nsteps ? 1ULL << x->lv[w.nsteps - 1].shift : x->page_size;
			// A page not present: so are, likely, the next ones (the
			// freed init sections, ~400 pages on arm64 6.1).  The
			// invalid entries after it in the same last-level table
			// are skipped as one, read directly rather than each
			// walked into a formatted error that is thrown away.
			if (err->code == VD_ERR_NOTPRESENT && w.nsteps == x->levels &&
			    w.nsteps <= VD_ARRAY_SIZE(w.steps)) {
				const struct vd_xlat_step *st = &w.steps[w.nsteps - 1];
				uint64_t per = 1ULL << x->lv[w.nsteps - 1].bits, e, k = st->index + 1;

				while (k < per && vd_aarch64_peek(x, st->table + 8 * k, &e) &&
				       !(e & AARCH64_DESC_VALID))
					k++;
				size = (k - st->index) << x->lv[w.nsteps - 1].shift;
			}
			vd_error_destroy(err);
			if (end > run && lo->nruns < VD_ARRAY_SIZE(lo->runs))
				lo->runs[lo->nruns++] = (struct aarch64_range){ run, end, NULL };
			run = end;
		} else if (end != va) {
			run = va;
		}
		va = (va | (size - 1)) + 1;
		if (!err)
			end = VD_MIN(va, limit);
	}
	if (end > run && lo->nruns < VD_ARRAY_SIZE(lo->runs))
		lo->runs[lo->nruns++] = (struct aarch64_range){ run, end, NULL };
	lo->image.end = end;
}

static void
layout_image(struct aarch64_xlat *x, struct aarch64_layout *lo)
{
	uint64_t text = 0, end = 0;
	bool have_end;

	if (!x->stext)
		return;
	if (!x->base.cb.symbol || !x->base.cb.symbol(x->base.cb.priv, "_text", &text) ||
	    text > x->stext)
		text = x->stext;
	have_end = x->base.cb.symbol && x->base.cb.symbol(x->base.cb.priv, "_end", &end) &&
		   end > x->stext && end - x->stext <= AARCH64_IMAGE_MAX;
	lo->image = (struct aarch64_range){ text, 0,
		have_end ? "symbol" : "page-table probe" };
	probe_image(x, have_end ? end : x->stext + AARCH64_IMAGE_MAX, lo);
	if (have_end)
		lo->image.end = end;
}

/*
 * 6.1..6.4 keep the KASLR module region base in module_alloc_base (arch/
 * arm64/kernel/module.c); modules may then sit outside MODULES_VADDR..END
 * (docs/real-dump-traps.md).  Shown when the symbol is known.  Commit
 * 3e35d303ab7d ("arm64: module: rework module VA range selection") replaced
 * it with module_direct_base/module_plt_base and a 2 GiB module region.
 */
static void
layout_kaslr_modules(struct aarch64_xlat *x, struct aarch64_layout *lo)
{
	uint64_t base;

	if (!read_var(x, "module_alloc_base", &base) || base == lo->modules.start ||
	    !aarch64_is_kernel(x, base) || base & (x->page_size - 1))
		return;
	lo->kaslr_modules = (struct aarch64_range){ base, base + SZ_128M, "symbol" };
}

static void
add_range(struct vd_xlat *xl, const char *name, enum vd_region_kind kind,
	  const struct aarch64_range *r)
{
	if (r->source && r->end > r->start)
		vd_xlat_add_region(xl, name, kind, r->start, r->end - 1, r->source);
}

static void
layout_regions(struct aarch64_xlat *x, const struct aarch64_layout *lo)
{
	struct vd_xlat *xl = &x->base;
	uint64_t ustart = x->va_bits_rt >= 64 ? 0 : 1ULL << x->va_bits_rt;

	vd_xlat_add_region(xl, "user space (TTBR0)", VD_REGION_USER, 0, ustart - 1,
			   "fixed");
	vd_xlat_add_region(xl, "non-canonical hole", VD_REGION_HOLE, ustart,
			   -ustart - 1, "fixed");
	// A 52-bit kernel on a CPU without LVA/LPA2 keeps PAGE_OFFSET at
	// -(1 << 52) and moves PHYS_OFFSET instead (memory.rst "52-bit VA
	// support"): only the part from -(1 << vabits_actual) is canonical.
	vd_xlat_add_region(xl, "linear map", VD_REGION_DIRECTMAP,
			   VD_MAX(lo->page_offset, -ustart), lo->page_end - 1,
			   lo->flipped ? "layout rule" : "layout rule (pre-5.4)");
	add_range(xl, "BPF JIT", VD_REGION_MODULES, &lo->bpf_jit);
	add_range(xl, "modules", VD_REGION_MODULES, &lo->modules);
	add_range(xl, "modules (module_alloc_base)", VD_REGION_MODULES, &lo->kaslr_modules);
	add_range(xl, "vmalloc", VD_REGION_VMALLOC, &lo->vmalloc);
	add_range(xl, "kernel image", VD_REGION_KTEXT, &lo->image);
	add_range(xl, "fixmap (top down)", VD_REGION_FIXMAP, &lo->fixmap);
	add_range(xl, "PCI I/O", VD_REGION_OTHER, &lo->pci_io);
	add_range(xl, "vmemmap", VD_REGION_VMEMMAP, &lo->vmemmap);
}

static void
layout_params(struct aarch64_xlat *x, const struct aarch64_layout *lo)
{
	struct vd_xlat *xl = &x->base;

	vd_xlat_add_param(xl, "levels", x->levels, VD_PARAM_COUNT);
	vd_xlat_add_param(xl, "va_bits", x->va_bits, VD_PARAM_COUNT);
	vd_xlat_add_param(xl, "va_bits_runtime", x->va_bits_rt, VD_PARAM_COUNT);
	if (x->walk_bits != x->va_bits_rt)
		vd_xlat_add_param(xl, "va_bits_walk", x->walk_bits, VD_PARAM_COUNT);
	vd_xlat_add_param(xl, "pa_bits", x->pa_bits, VD_PARAM_COUNT);
	// The descriptor format for 52-bit output addresses, when in use.
	if (x->lpa2)
		vd_xlat_add_param(xl, "lpa2", 1, VD_PARAM_COUNT);
	if (x->lpa)
		vd_xlat_add_param(xl, "lpa", 1, VD_PARAM_COUNT);
	vd_xlat_add_param(xl, "page_size", x->page_size, VD_PARAM_COUNT);
	vd_xlat_add_param(xl, "kimage_voffset", x->kimage_voffset, VD_PARAM_ADDR);
	if (x->have_phys_offset)
		vd_xlat_add_param(xl, "phys_offset", x->phys_offset, VD_PARAM_ADDR);
	vd_xlat_add_param(xl, "kaslr_offset", x->kaslr_offset, VD_PARAM_ADDR);
	vd_xlat_add_param(xl, "kernelpacmask", x->pacmask, VD_PARAM_ADDR);
	vd_xlat_add_param(xl, "root", xl->root, VD_PARAM_ADDR);
	vd_xlat_add_param(xl, "page_offset", lo->page_offset, VD_PARAM_ADDR);
	vd_xlat_add_param(xl, "linear_va_start", lo->lin_va, VD_PARAM_ADDR);
	vd_xlat_add_param(xl, "linear_pa_start", lo->lin_pa, VD_PARAM_ADDR);
	vd_xlat_add_param(xl, "linear_pa_end", lo->lin_pa_end, VD_PARAM_ADDR);
	if (lo->image.source) {
		vd_xlat_add_param(xl, "kernel_start", lo->image.start, VD_PARAM_ADDR);
		vd_xlat_add_param(xl, "kernel_end", lo->image.end, VD_PARAM_ADDR);
	}
	if (x->stext)
		vd_xlat_add_param(xl, "stext", x->stext, VD_PARAM_ADDR);
	vd_xlat_add_param(xl, "modules_vaddr", lo->modules.start, VD_PARAM_ADDR);
	vd_xlat_add_param(xl, "vmalloc_start", lo->vmalloc.start, VD_PARAM_ADDR);
	vd_xlat_add_param(xl, "vmemmap_start", lo->vmemmap.start, VD_PARAM_ADDR);
	vd_xlat_add_param(xl, "probe_reads", lo->reads, VD_PARAM_COUNT);
}

static void
layout_linear(struct aarch64_xlat *x, struct aarch64_layout *lo)
{
	lo->lin_va = lo->page_offset;
	lo->lin_pa = x->phys_offset;
	lo->lin_pa_end = x->phys_offset + (lo->page_end - lo->page_offset);
	lo->lin_source = "vmcoreinfo";
	probe_linear(x, lo);
	if (x->have_phys_offset || strcmp(lo->lin_source, "vmcoreinfo"))
		vd_xlat_add_linear(&x->base, lo->lin_va, lo->lin_pa, lo->lin_pa_end,
				   VD_REGION_DIRECTMAP);
}

void
vd_aarch64_layout_init(struct aarch64_xlat *x)
{
	struct aarch64_layout lo;
	unsigned min_bits = x->va_bits;

	memset(&lo, 0, sizeof(lo));
	// VA_BITS_MIN: the linear map is sized for the narrowest runtime
	// width (memory.h; 47 for 16K LPA2, 6.9+).
	if (x->va_bits > 48)
		min_bits = x->page_shift == 14 ? 47 : 48;
	// Pre-5.4 kernels put the image in the lower half of the kernel VAs.
	lo.flipped = !x->stext || x->stext >= -(1ULL << (x->va_bits - 1));
	if (lo.flipped) {
		lo.page_offset = -(1ULL << x->va_bits);
		lo.page_end = -(1ULL << (min_bits - 1));
		lo.modules = range_given(x, "NUMBER(MODULES_VADDR)", "NUMBER(MODULES_END)");
		lo.vmalloc = range_given(x, "NUMBER(VMALLOC_START)", "NUMBER(VMALLOC_END)");
		lo.vmemmap = range_given(x, "NUMBER(VMEMMAP_START)", "NUMBER(VMEMMAP_END)");
		layout_rules(x, &lo);
		layout_kaslr_modules(x, &lo);
	} else {
		lo.page_offset = -(1ULL << (x->va_bits - 1));
		lo.page_end = 0;
	}
	layout_image(x, &lo);
	layout_linear(x, &lo);
	layout_regions(x, &lo);
	layout_params(x, &lo);
	// The image maps linearly from _stext (not _text: see above), in
	// the runs the probe found mapped.
	for (unsigned i = 0; i < lo.nruns; i++)
		vd_xlat_add_linear(&x->base, lo.runs[i].start,
				   lo.runs[i].start - x->kimage_voffset,
				   lo.runs[i].end - x->kimage_voffset, VD_REGION_KTEXT);
}
