// SPDX-License-Identifier: MIT
/*
 * The module and vmalloc-area walkers through a session, on a fake kernel
 * (tests/unit/fake_kernel.h: page tables, BTF for struct module,
 * vmap_area and vm_struct, the `modules` and `vmap_area_list` heads):
 * two modules and three vmap areas, linked and valid.  The input is XORed
 * over the memory that holds them (bytes 0..0x1fff over the two struct
 * modules, 0x2000..0x2fff over the vmap areas and vm_structs), so an
 * empty input is the intact kernel and every mutation is a corrupt one:
 * links into nowhere, loops, wild vm pointers, names without a NUL, sizes
 * past the end.  The two walks run to their end (bounded here too: a walk
 * that does not end is a finding), and each module's own symbols are
 * asked for.
 *
 * The fake kernel is written once, as an ELF vmcore in a memfd, and one
 * session (no cache) is opened on it for the whole run: opening a session
 * per input (page tables, VMCOREINFO, BTF, the type layer) held a campaign
 * to ~30 inputs a second.  Each input is XORed into the file through a
 * shared mapping of the memfd (the dump reader maps the same pages, so it
 * reads the corrupt bytes), and what the session keeps that depends on
 * those bytes is dropped before and after: the module list of the module
 * symbols (s->modsyms) and the type layer (s->types, whose last source,
 * the modules' types, lists the modules).  Nothing else the session keeps
 * reads the overlaid pages: translation reads the page tables, the
 * symbols are VMCOREINFO's SYMBOL() lines, the BTF lies elsewhere.
 */
#include "fuzz_overlay.h"
#include "kernel/session_priv.h"
#include "modules/modules_priv.h"
#include "vmdive/session.h"
#include "vmdive/walk.h"

#include "../unit/fake_kernel.h"

#define STEPS 4096

static const struct fake_region regions[] = {
	{ 0x501000, 0x2000 },          /* MOD_PA(1), MOD_PA(2) */
	{ 0x600000, 0x1000 },          /* VA_PA(i), VM_PA(i) */
};

static struct fake *
template(void)
{
	struct fake *f = fake_kernel_base();

	put64(f, MODULES_PA + LH_NEXT, MOD(1));
	put64(f, MODULES_PA + LH_PREV, MOD(2));
	fake_module(f, MOD_PA(1), "alpha", MOD(2), MHEAD, 0xffffffffc0001000ULL, 0x3000);
	fake_module(f, MOD_PA(2), "beta", MHEAD, MOD(1), 0xffffffffc0010000ULL, 0x5000);
	put64(f, VMAP_LIST_PA + LH_NEXT, VA(1) + VA_LIST);
	put64(f, VMAP_LIST_PA + LH_PREV, VA(3) + VA_LIST);
	fake_vmap_area(f, 1, 0xffffc90000000000ULL, 0x5000, VA(2) + VA_LIST, VHEAD, VM(1));
	fake_vmap_area(f, 2, 0xffffc90000010000ULL, 0x3000, VA(3) + VA_LIST, VA(1) + VA_LIST,
		       VM(2));
	fake_vmap_area(f, 3, 0xffffc90000008000ULL, 0x2000, VHEAD, VA(2) + VA_LIST, VM(3));
	return f;
}

/* The fake kernel's vmcore, a writable view of it, and the session on it. */
static struct fz_overlay k;

/* Drop what the session derived from the overlaid memory. */
static void
forget(struct vd_session *s)
{
	vd_module_syms_destroy(s->modsyms);
	s->modsyms = NULL;
	vd_types_destroy(s->types);
	s->types = NULL;
}

static void
walk(struct vd_session *s)
{
	struct vd_module_iter mi;
	struct vd_vmalloc_iter vi;
	struct vd_error *err;
	int n;

	if (fz_vd_ok(vd_module_iter_init(&mi, s))) {
		const struct vd_module *m;

		for (n = 0; (err = vd_module_iter_next(&mi, &m)) != &vd_stop; n++) {
			if (n == STEPS)
				abort();          /* the walk must end by itself */
			if (!err) {
				const struct vd_module_symbol *ms;
				size_t nms;

				fz_drop(vd_module_symbols(s, m, &ms, &nms));
			}
			fz_drop(err);
		}
		vd_module_iter_deinit(&mi);
	}
	if (fz_vd_ok(vd_vmalloc_iter_init(&vi, s))) {
		const struct vd_vmap_area *a;

		for (n = 0; (err = vd_vmalloc_iter_next(&vi, &a)) != &vd_stop; n++) {
			if (n == STEPS)
				abort();
			if (!err) {
				char flags[256];
				uint64_t page, pa;

				vd_vmalloc_flags_format(s, a->flags, flags, sizeof(flags));
				vd_vmalloc_data_size(s, a);
				if (a->nr_pages)
					fz_drop(vd_vmalloc_page_phys(s, a, 0, &page, &pa));
			}
			fz_drop(err);
		}
		vd_vmalloc_iter_deinit(&vi);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!k.s)
		fz_overlay_open(&k, template(), regions, sizeof(regions) / sizeof(regions[0]));
	fz_overlay_xor(&k, data, size);
	forget(k.s);
	walk(k.s);
	forget(k.s);
	fz_overlay_xor(&k, data, size);
	return 0;
}
