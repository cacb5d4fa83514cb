// SPDX-License-Identifier: MIT
/*
 * Writes the fake kernels of tests/unit/fake_kernel.h and fake_slub.h:
 *   mkfakekernel deep OUT      an ELF vmcore whose BTF has struct
 *                              deep0..deep11 (16^12 lines in full: the
 *                              struct/whatis output cap), for the script
 *                              tests that run the vmdive binary on it
 *   mkfakekernel slab-seeds DIR  the seeds of the slab_walk fuzz target:
 *                              XOR masks over fake_slub.h's SLUB memory,
 *                              each one hostile state (and "intact")
 */
#include <stdio.h>
#include <string.h>

#include "../unit/fake_slub.h"

/* One seed: the SLUB state changed by one put. */
struct seed {
	const char *name;
	uint64_t pa, v;
	int width;                /* 4 or 8 bytes */
};

static const struct seed seeds[] = {
	/* slab 3 links to itself: node 0's partial list of cache 0 loops */
	{ "node-partial-loop", SLUB_PAGE_PA(SLUB_PFN0 + 3) + SL_LIST,
	  SLUB_PAGE(SLUB_PFN0 + 3) + SL_LIST, 8 },
	/* slab 2's next is slab 1: CPU 0's partial chain loops */
	{ "cpu-partial-loop", SLUB_PAGE_PA(SLUB_PFN0 + 2) + SL_NEXT, SLUB_PAGE(SLUB_PFN0 + 1), 8 },
	/* cache 1's list.next is itself: slab_caches loops off the head */
	{ "caches-loop", SLUB_KC_PA(1) + KC_LIST, SLUB_KC(1) + KC_LIST, 8 },
	{ "nr-cpu-ids-huge", SLUB_NR_CPU_PA, 8192, 4 },
	{ "nr-node-ids-huge", SLUB_NR_NODE_PA, 0xffffffff, 4 },
	{ "pcpu-offset-wild", SLUB_PCPU_OFF_PA + 8, 0xffff888012345678ULL, 8 },
	/* slab 1 claims 32767 objects of 64 bytes in one page */
	{ "slab-objects-huge", SLUB_PAGE_PA(SLUB_PFN0 + 1) + SL_COUNTERS, 0x7fff0000 | 60, 4 },
	/* cache 0 of order 19 and 65535 objects */
	{ "cache-order-huge", SLUB_KC_PA(0) + KC_OO, 19u << 16 | 0xffff, 4 },
	{ "name-unterminated", SLUB_NAME_PA(0), 0x4141414141414141ULL, 8 },
	/* slab 4's freelist head points between two objects */
	{ "freelist-between", SLUB_PAGE_PA(SLUB_PFN0 + 4) + SL_FREELIST,
	  DMAP + (SLUB_PFN0 + 4) * 4096 + 8, 8 },
	/* node 1 of cache 0 is a struct slab */
	{ "node-wild", SLUB_KC_PA(0) + KC_NODE + 8, SLUB_PAGE(SLUB_PFN0 + 4), 8 },
};

static int
slab_seeds(const char *dir)
{
	struct fake *intact = fake_slub_new();
	char path[4096];
	FILE *out;

	snprintf(path, sizeof(path), "%s/intact", dir);
	if (!(out = fopen(path, "wb")) || fclose(out))
		return 1;
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		struct fake *f = fake_slub_new();
		bool ok;

		if (seeds[i].width == 4)
			put32(f, seeds[i].pa, (uint32_t)seeds[i].v);
		else
			put64(f, seeds[i].pa, seeds[i].v);
		snprintf(path, sizeof(path), "%s/%s", dir, seeds[i].name);
		ok = (out = fopen(path, "wb")) && fake_slub_delta(intact, f, out);
		if (out && fclose(out))
			ok = false;
		fake_free(f);
		if (!ok) {
			fprintf(stderr, "mkfakekernel: cannot write %s\n", path);
			fake_free(intact);
			return 1;
		}
	}
	fake_free(intact);
	return 0;
}

int
main(int argc, char **argv)
{
	struct fake *f;
	bool ok;

	if (argc == 3 && !strcmp(argv[1], "slab-seeds"))
		return slab_seeds(argv[2]);
	if (argc != 3 || strcmp(argv[1], "deep")) {
		fprintf(stderr, "usage: mkfakekernel deep OUT | slab-seeds DIR\n");
		return 2;
	}
	f = fake_kernel_new(true);
	ok = fake_write_vmcore(f, argv[2]);
	fake_free(f);
	if (!ok) {
		fprintf(stderr, "mkfakekernel: cannot write %s\n", argv[2]);
		return 1;
	}
	return 0;
}
