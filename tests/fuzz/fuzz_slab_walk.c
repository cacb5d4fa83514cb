// SPDX-License-Identifier: MIT
/*
 * The SLUB cache walk (memory/slab.c: what `kmem -s` and `kmem -S` walk)
 * through a session, on the fake kernels of tests/unit/fake_slub.h.  The
 * first input byte chooses one (modulo 3): 0, two caches on slab_caches,
 * two CPUs with their kmem_cache_cpu (CPU slab, lockless freelist, partial
 * chain), two nodes with partial lists, hardened freelists; 1, the same
 * caches as 7.2 keeps them (fake_slub_sheaves_new(): no kmem_cache_cpu,
 * each CPU's main, spare and rcu_free sheaf, the nodes' barns with full
 * and empty sheaves, objects of full slabs on no list held in sheaves);
 * 2, both side by side as 6.18 keeps them (fake_slub_cpu_sheaves_new():
 * the barn in kmem_cache_node, CPU slabs holding other CPUs' sheaf
 * objects).  The rest is XORed over that kernel's memory in the order of
 * fake_slub_regions[] or fake_sheaves_regions[] (the globals:
 * slab_caches, __per_cpu_offset[], nr_cpu_ids, nr_node_ids, the possible
 * mask; the kmem_caches, their nodes and names (and barns); the per-CPU
 * areas; the sheaves; the struct slabs; the objects), so an input of one
 * byte is an intact kernel and every mutation a corrupt one: lists that
 * loop or lead nowhere, huge counts, wild per-CPU offsets, sizes and
 * orders that make no sense, names without a NUL, sheaves that hold
 * anything.
 *
 * Per input: a struct vd_kmem is opened (it reads the per-CPU offsets),
 * every cache is listed with its statistics, each of the first caches
 * has its slabs walked with every object's state, one is looked up by
 * name, and three objects by address (kmem ADDRESS).  Each walk must end
 * by itself (a callback past STEPS slabs is a finding) with states inside
 * the slab's objects.
 *
 * As in modules_vmap, each fake kernel is written once as an ELF vmcore in
 * a memfd and one session (no cache) stays open on it; each input is
 * XORed into the file through a shared mapping (and again to undo it).
 * Nothing the session keeps is read from the overlaid pages: translation
 * reads the page tables, the symbols are VMCOREINFO's, the BTF lies
 * elsewhere; what memory/ derives from them lives in the per-input kmem.
 */
#include "fuzz_overlay.h"
#include "vmdive/memory.h"
#include "vmdive/session.h"

#include "../unit/fake_slub.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define STEPS 4096
#define WALKED 4              /* caches whose slabs are walked */

static struct fz_overlay kernels[3];   /* enum fake_slub_variant */

struct walk {
	unsigned nslabs;
};

static bool
on_slab(void *priv, const struct vd_slab *slab)
{
	struct walk *w = priv;
	uint32_t nfree = 0;

	if (++w->nslabs > STEPS)
		abort();             // the walk must end by itself
	for (uint32_t i = 0; i < slab->objects; i++) {
		nfree += slab->state[i] != VD_OBJ_ALLOCATED;
		if (slab->obj_cpu && slab->state[i] == VD_OBJ_FREE_CPU && slab->obj_cpu[i] < -1)
			abort();
	}
	if (nfree != slab->nfree)
		abort();             // the count and the marks disagree
	return true;
}

static void
on_err(void *priv, struct vd_error *err)
{
	(void)priv;
	vd_error_destroy(err);
}

/* Objects looked up by address, { slab, index } of each variant: of a
 * CPU partial slab, a CPU slab and a node partial slab; of a CPU's main
 * sheaf, a barn's full sheaf, a CPU's rcu_free sheaf; of a CPU's slab in
 * another CPU's sheaf, a barn's sheaf, past an empty sheaf's size. */
static const int probe[3][3][2] = {
	{ { 1, 3 }, { 5, 2 }, { 3, 20 } },
	{ { SV_A, 2 }, { SV_E, 9 }, { SV_A, 41 } },
	{ { 0, 20 }, { 8, 3 }, { 7, 5 } },
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vd_kmem *km;
	struct vd_slab_cache *v = NULL, c;
	struct fz_overlay *k;
	size_t n = 0;
	int variant = size ? data[0] % 3 : FAKE_SLUB_CPU;

	if (!kernels[0].s) {
		fz_overlay_open(&kernels[FAKE_SLUB_CPU], fake_slub_new(), fake_slub_regions,
				NELEM(fake_slub_regions));
		fz_overlay_open(&kernels[FAKE_SLUB_SHEAVES], fake_slub_sheaves_new(),
				fake_sheaves_regions, NELEM(fake_sheaves_regions));
		fz_overlay_open(&kernels[FAKE_SLUB_CPU_SHEAVES], fake_slub_cpu_sheaves_new(),
				fake_sheaves_regions, NELEM(fake_sheaves_regions));
	}
	k = &kernels[variant];
	if (size) {             // the variant byte
		data++;
		size--;
	}
	fz_overlay_xor(k, data, size);
	if (fz_vd_ok(vd_kmem_open(k->s, &km))) {
		if (fz_vd_ok(vd_kmem_caches(km, &v, &n, on_err, NULL))) {
			for (size_t i = 0; i < n && i < WALKED; i++) {
				struct walk w = { 0 };

				fz_drop(vd_kmem_cache_slabs(km, &v[i], on_slab, on_err, &w));
			}
			free(v);
		}
		fz_drop(vd_kmem_cache_find(km, "fuzz-512", &c));
		// kmem ADDRESS (the slab found from the page, its cache from
		// the slab, the object's state from every freelist and sheaf).
		for (size_t i = 0; i < NELEM(probe[0]); i++) {
			const int *p = probe[variant][i];
			uint64_t obj = variant == FAKE_SLUB_SHEAVES ? fake_sheaves_obj(p[0], p[1])
								    : fake_slub_obj(p[0], p[1]);
			struct vd_kmem_addr a;

			if (fz_vd_ok(vd_kmem_identify(km, obj + 8, &a)) &&
			    a.kind == VD_ADDR_SLAB && a.obj_state == VD_OBJ_FREE_CPU && a.obj_cpu < 0)
				abort();      // free on a CPU's freelist, but whose?
		}
		vd_kmem_close(km);
	}
	fz_overlay_xor(k, data, size);
	return 0;
}
