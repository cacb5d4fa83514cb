// SPDX-License-Identifier: MIT
/*
 * Writes the fake kernels of tests/unit/fake_kernel.h and fake_slub.h:
 *   mkfakekernel deep OUT      an ELF vmcore whose BTF has struct
 *                              deep0..deep11 (16^12 lines in full: the
 *                              struct/whatis output cap), for the script
 *                              tests that run the vmdive binary on it
 *   mkfakekernel sheaves OUT   fake_slub.h's SLUB state with 7.2's sheaves
 *                              (fake_slub_sheaves_new()), and OUT.expect:
 *                              what the construction says kmem -s, -S
 *                              and ADDR must find there (cache, slab and
 *                              object lines), for tests/cases/kmem_sheaves.sh
 *   mkfakekernel slab-seeds DIR  the seeds of the slab_walk fuzz target:
 *                              a variant byte (0: kmem_cache_cpu, 1: 7.2's
 *                              sheaves, 2: both, as 6.18) and an XOR mask over that
 *                              variant's SLUB memory in fake_slub.h, each
 *                              one hostile state (and "intact")
 */
#include <stdio.h>
#include <string.h>

#include "../unit/fake_slub.h"

/* One seed: the SLUB state changed by one put. */
struct seed {
	const char *name;
	uint64_t pa, v;
	int width;                /* 4 or 8 bytes */
	int variant;              /* enum fake_slub_variant: the fuzz input's first byte */
};

static const struct seed seeds[] = {
	/* slab 3 links to itself: node 0's partial list of cache 0 loops */
	{ "node-partial-loop", SLUB_PAGE_PA(SLUB_PFN0 + 3) + SL_LIST,
	  SLUB_PAGE(SLUB_PFN0 + 3) + SL_LIST, 8, FAKE_SLUB_CPU },
	/* slab 2's next is slab 1: CPU 0's partial chain loops */
	{ "cpu-partial-loop", SLUB_PAGE_PA(SLUB_PFN0 + 2) + SL_NEXT, SLUB_PAGE(SLUB_PFN0 + 1), 8,
	  FAKE_SLUB_CPU },
	/* cache 1's list.next is itself: slab_caches loops off the head */
	{ "caches-loop", SLUB_KC_PA(1) + KC_LIST, SLUB_KC(1) + KC_LIST, 8, FAKE_SLUB_CPU },
	{ "nr-cpu-ids-huge", SLUB_NR_CPU_PA, 8192, 4, FAKE_SLUB_CPU },
	{ "nr-node-ids-huge", SLUB_NR_NODE_PA, 0xffffffff, 4, FAKE_SLUB_CPU },
	{ "pcpu-offset-wild", SLUB_PCPU_OFF_PA + 8, 0xffff888012345678ULL, 8, FAKE_SLUB_CPU },
	/* slab 1 claims 32767 objects of 64 bytes in one page */
	{ "slab-objects-huge", SLUB_PAGE_PA(SLUB_PFN0 + 1) + SL_COUNTERS, 0x7fff0000 | 60, 4,
	  FAKE_SLUB_CPU },
	/* cache 0 of order 19 and 65535 objects */
	{ "cache-order-huge", SLUB_KC_PA(0) + KC_OO, 19u << 16 | 0xffff, 4, FAKE_SLUB_CPU },
	{ "name-unterminated", SLUB_NAME_PA(0), 0x4141414141414141ULL, 8, FAKE_SLUB_CPU },
	/* slab 4's freelist head points between two objects */
	{ "freelist-between", SLUB_PAGE_PA(SLUB_PFN0 + 4) + SL_FREELIST,
	  DMAP + (SLUB_PFN0 + 4) * 4096 + 8, 8, FAKE_SLUB_CPU },
	/* node 1 of cache 0 is a struct slab */
	{ "node-wild", SLUB_KC_PA(0) + KC_NODE + 8, SLUB_PAGE(SLUB_PFN0 + 4), 8, FAKE_SLUB_CPU },
	/* The sheaves variant.  Node 0's barn of fuzz-64: sheaf 5 leads back
	 * to sheaf 4, never to the head */
	{ "sheaves-barn-loop", SLUB_SHEAF_PA(5) + SH_BARN_LIST, SLUB_SHEAF(4) + SH_BARN_LIST, 8,
	  FAKE_SLUB_SHEAVES },
	/* CPU 0's main sheaf of fuzz-64 claims 2^32 - 1 objects */
	{ "sheaves-size-huge", SLUB_SHEAF_PA(0) + SH_SIZE, 0xffffffff, 4, FAKE_SLUB_SHEAVES },
	/* CPU 1's main sheaf of fuzz-64 is CPU 0's */
	{ "sheaves-main-twice", SLUB_PCPU_PA(1) + SLUB_CPU_SLAB(0) + PCS_MAIN, SLUB_SHEAF(0), 8,
	  FAKE_SLUB_SHEAVES },
	/* an object of CPU 1's main sheaf is a wild pointer, one an object
	 * of the other cache */
	{ "sheaves-object-wild", SLUB_SHEAF_PA(3) + SH_OBJECTS, 0xdead4ead00000000ULL, 8, FAKE_SLUB_SHEAVES },
	{ "sheaves-object-other-cache", SLUB_SHEAF_PA(0) + SH_OBJECTS,
	  DMAP + (SLUB_PFN0 + 8) * 4096 + 512, 8, FAKE_SLUB_SHEAVES },
	/* node 0's barn of fuzz-64 is a struct slab; node 1's is gone */
	{ "sheaves-barn-wild", SLUB_KC_PA(0) + KS_PER_NODE + PN_BARN, SLUB_PAGE(SLUB_PFN0 + 4), 8,
	  FAKE_SLUB_SHEAVES },
	{ "sheaves-barn-null", SLUB_KC_PA(0) + KS_PER_NODE + PN_SIZE + PN_BARN, 0, 8, FAKE_SLUB_SHEAVES },
	/* node 0's partial list of fuzz-64 loops at slab C */
	{ "sheaves-node-partial-loop", SLUB_PAGE_PA(SLUB_PFN0 + 3) + SL_LIST,
	  SLUB_PAGE(SLUB_PFN0 + 3) + SL_LIST, 8, FAKE_SLUB_SHEAVES },
	/* The 6.18 variant: node 0's barn (in kmem_cache_node) of fuzz-64 is
	 * the node itself; an object on CPU 0's lockless freelist is in CPU
	 * 1's main sheaf too */
	{ "cpu-sheaves-barn-wild", SLUB_KN_PA(0, 0) + KN_BARN, SLUB_KN(0, 0), 8,
	  FAKE_SLUB_CPU_SHEAVES },
	{ "cpu-sheaves-object-twice", SLUB_SHEAF_PA(1) + SH_OBJECTS, DMAP + SLUB_PFN0 * 4096 + 5 * 64,
	  8, FAKE_SLUB_CPU_SHEAVES },
};

/* The SLUB memory of a variant and the regions of its input. */
static struct fake *
variant(int v, const struct fake_region **regions, size_t *n)
{
	*regions = v != FAKE_SLUB_CPU ? fake_sheaves_regions : fake_slub_regions;
	*n = v != FAKE_SLUB_CPU ? sizeof(fake_sheaves_regions) / sizeof(fake_sheaves_regions[0])
				: sizeof(fake_slub_regions) / sizeof(fake_slub_regions[0]);
	return v == FAKE_SLUB_SHEAVES	  ? fake_slub_sheaves_new()
	       : v == FAKE_SLUB_CPU_SHEAVES ? fake_slub_cpu_sheaves_new()
					    : fake_slub_new();
}

static int
slab_seeds(const char *dir)
{
	static const char *intact_name[3] = { "intact", "sheaves-intact", "cpu-sheaves-intact" };
	struct fake *intact[3];
	const struct fake_region *regions;
	char path[4096];
	size_t nreg;
	FILE *out;
	int rc = 0;

	/* intact: the empty input (kmem_cache_cpu), and each variant's byte */
	for (int v = 0; v < 3; v++) {
		snprintf(path, sizeof(path), "%s/%s", dir, intact_name[v]);
		if (!(out = fopen(path, "wb")) || (v && fputc(v, out) == EOF) || fclose(out))
			return 1;
		intact[v] = variant(v, &regions, &nreg);
	}
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]) && !rc; i++) {
		struct fake *f = variant(seeds[i].variant, &regions, &nreg);
		bool ok;

		if (seeds[i].width == 4)
			put32(f, seeds[i].pa, (uint32_t)seeds[i].v);
		else
			put64(f, seeds[i].pa, seeds[i].v);
		snprintf(path, sizeof(path), "%s/%s", dir, seeds[i].name);
		ok = (out = fopen(path, "wb")) && fputc(seeds[i].variant, out) != EOF &&
		     fake_slub_delta(intact[seeds[i].variant], f, regions, nreg, out);
		if (out && fclose(out))
			ok = false;
		fake_free(f);
		if (!ok) {
			fprintf(stderr, "mkfakekernel: cannot write %s\n", path);
			rc = 1;
		}
	}
	for (int v = 0; v < 3; v++)
		fake_free(intact[v]);
	return rc;
}

/* OUT.expect of `mkfakekernel sheaves OUT`, from fake_slub.h's tables:
 *   cache NAME ADDR allocated A total T free F slabs S node_partial P
 *   slab ADDR CACHE where node_partial|other node N inuse I free F
 *   object ADDR CACHE allocated|free|cpu CPU */
static bool
sheaves_expect(const char *path)
{
	static const char *state[3] = { "allocated", "free", "cpu" };
	static const int node_of[SHEAVES_NSLABS] = {
		[SV_B] = 0, [SV_C] = 0, [SV_D] = 1, [SV_G] = 0,
		[SV_A] = -1, [SV_E] = -1, [SV_F] = -1, [SV_H] = -1,
	};
	FILE *out = fopen(path, "w");
	bool ok;

	if (!out)
		return false;
	for (int i = 0; i < 2; i++) {
		const struct fake_slub_cache *c = &fake_sheaves_expect[i];

		fprintf(out, "cache %s 0x%llx allocated %llu total %llu free %llu slabs %llu "
			"node_partial %llu\n", c->name, (unsigned long long)SLUB_KC(i),
			(unsigned long long)(c->total - c->free_), (unsigned long long)c->total,
			(unsigned long long)c->free_, (unsigned long long)c->nr_slabs,
			(unsigned long long)c->node_partial);
	}
	for (int j = 0; j < SHEAVES_NSLABS; j++) {
		struct fake_slub_slab x = fake_sheaves_slab(j);
		const struct fake_slub_cache *c = &fake_sheaves_expect[x.cache];
		int nfree = 0, cpu;

		for (uint32_t o = 0; o < c->objects; o++) {
			int st = fake_sheaves_state(j, (int)o, -1, &cpu);

			nfree += st != 0;
			fprintf(out, "object 0x%llx %s %s %d\n",
				(unsigned long long)fake_sheaves_obj(j, (int)o), c->name, state[st], cpu);
		}
		// kmem -S finds the node partial slabs, and those on no list
		// that hold objects of a CPU's or a barn's sheaf (on no list,
		// full: any free object is a sheaf's).
		if (node_of[j] >= 0 || nfree)
			fprintf(out, "slab 0x%llx %s where %s node %d inuse %u free %d\n",
				(unsigned long long)SLUB_PAGE(x.pfn), c->name,
				node_of[j] >= 0 ? "node_partial" : "other", node_of[j], x.inuse, nfree);
	}
	ok = !ferror(out);
	return fclose(out) == 0 && ok;
}

int
main(int argc, char **argv)
{
	struct fake *f;
	bool ok;

	if (argc == 3 && !strcmp(argv[1], "slab-seeds"))
		return slab_seeds(argv[2]);
	if (argc != 3 || (strcmp(argv[1], "deep") && strcmp(argv[1], "sheaves"))) {
		fprintf(stderr, "usage: mkfakekernel deep OUT | sheaves OUT | slab-seeds DIR\n");
		return 2;
	}
	if (!strcmp(argv[1], "sheaves")) {
		char path[4096];

		snprintf(path, sizeof(path), "%s.expect", argv[2]);
		if (!sheaves_expect(path)) {
			fprintf(stderr, "mkfakekernel: cannot write %s\n", path);
			return 1;
		}
	}
	f = strcmp(argv[1], "deep") ? fake_slub_sheaves_new() : fake_kernel_new(true);
	ok = fake_write_vmcore(f, argv[2]);
	fake_free(f);
	if (!ok) {
		fprintf(stderr, "mkfakekernel: cannot write %s\n", argv[2]);
		return 1;
	}
	return 0;
}
