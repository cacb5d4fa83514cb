/* SPDX-License-Identifier: MIT */
/*
 * A small SLUB state on the fake kernel (fake_kernel.h): BTF for struct
 * page, struct slab (5.17+: slab_cache, slab_list or next in a union,
 * freelist, inuse:16 / objects:15 / frozen:1 in a union with counters),
 * struct kmem_cache (cpu_slab, flags, size, object_size, oo, offset,
 * red_left_pad, random: CONFIG_SLAB_FREELIST_HARDENED, name, list,
 * node[4]), struct kmem_cache_cpu (freelist, tid, slab, partial) and
 * struct kmem_cache_node (nr_partial, partial, nr_slabs, total_objects),
 * and the memory memory/slab.c walks for `kmem -s` / `kmem -S`: two CPUs
 * (__per_cpu_offset[], nr_cpu_ids, __cpu_possible_mask), two nodes of
 * four (nr_node_ids), slab_caches holding two caches, each with a CPU
 * slab and its lockless freelist, CPU partial slabs, node partial slabs
 * and slabs on no list (counted only by nr_slabs/total_objects).  Every
 * free pointer is stored hardened (ptr ^ s->random ^ swab(&ptr)).
 *
 * The numbers the walker must find are in fake_slub_expect[] below, from
 * the construction (not from vmdive).  Used by test_memory_slub.c, the
 * slab_walk fuzz target and tests/gen/mkfakekernel.c (its seeds).
 */
#ifndef VD_TEST_FAKE_SLUB_H
#define VD_TEST_FAKE_SLUB_H

#include "fake_kernel.h"

#define SLUB_VMEMMAP 0xffffea0000000000ULL
#define SLUB_VMEMMAP_PA 0x800000ULL      /* struct pages of pfns 0..0x7fff (2 MiB) */
/* In the kernel image: slab_caches, __per_cpu_offset[2], nr_cpu_ids,
 * nr_node_ids, __cpu_possible_mask. */
#define SLUB_GLOBALS_PA 0x330000ULL
#define SLUB_CACHES_PA (SLUB_GLOBALS_PA + 0x00)
#define SLUB_PCPU_OFF_PA (SLUB_GLOBALS_PA + 0x10)
#define SLUB_NR_CPU_PA (SLUB_GLOBALS_PA + 0x20)
#define SLUB_NR_NODE_PA (SLUB_GLOBALS_PA + 0x24)
#define SLUB_POSSIBLE_PA (SLUB_GLOBALS_PA + 0x28)
/* Per-CPU areas: __per_cpu_offset[c] = DMAP + SLUB_PCPU_PA(c); cache i's
 * cpu_slab is the per-CPU pointer 0x40 * (i + 1). */
#define SLUB_PCPU_PA(c) (0xa00000ULL + (c) * 0x100ULL)
#define SLUB_CPU_SLAB(i) (0x40ULL * ((i) + 1))
/* struct kmem_cache i, kmem_cache_node n of cache i, names. */
#define SLUB_KC_PA(i) (0xb00000ULL + (i) * 0x80ULL)
#define SLUB_KN_PA(i, n) (0xb00100ULL + (i) * 0x80ULL + (n) * 0x40ULL)
#define SLUB_NAME_PA(i) (0xb00200ULL + (i) * 0x20ULL)
/* Slab j: objects from pfn SLUB_PFN(j); its struct slab in the vmemmap. */
#define SLUB_PFN0 0xc00ULL
#define SLUB_KC(i) (DMAP + SLUB_KC_PA(i))
#define SLUB_KN(i, n) (DMAP + SLUB_KN_PA(i, n))
#define SLUB_PAGE(pfn) (SLUB_VMEMMAP + (pfn) * 64ULL)
#define SLUB_PAGE_PA(pfn) (SLUB_VMEMMAP_PA + (pfn) * 64ULL)
#define SLUB_NCPUS 2
#define SLUB_NNODES 2
#define SLUB_NODE_LEN 4                  /* kmem_cache.node[] */
#define SLUB_RANDOM 0x6b1d2c3e4f5a6978ULL

/* Member offsets of the SLUB structs described in BTF. */
enum {
	SL_FLAGS = 0, SL_CACHE = 8, SL_LIST = 16, SL_NEXT = 16, SL_SLABS = 24,
	SL_FREELIST = 32, SL_COUNTERS = 40, SL_SIZE = 64,     /* struct slab = struct page */
	KC_CPU_SLAB = 0, KC_FLAGS = 8, KC_MIN_PARTIAL = 16, KC_SZ = 24, KC_OBJ_SIZE = 28,
	KC_OO = 32, KC_OFFSET = 36, KC_RED_LEFT = 40, KC_RANDOM = 48, KC_NAME = 56,
	KC_LIST = 64, KC_NODE = 80, KC_SIZE = 112,
	KCC_FREELIST = 0, KCC_TID = 8, KCC_SLAB = 16, KCC_PARTIAL = 24, KCC_SIZE = 32,
	KN_LOCK = 0, KN_NR_PARTIAL = 8, KN_PARTIAL = 16, KN_NR_SLABS = 32,
	KN_TOTAL = 40, KN_FULL = 48, KN_SIZE = 64,
};

/* A cache's shape, and what the walker must count for it. */
struct fake_slub_cache {
	const char *name;
	uint32_t object_size, size, offset, order, objects;
	/* expected statistics */
	uint64_t nr_slabs, total, free_, cpu_slabs, cpu_partial, node_partial;
};

static const struct fake_slub_cache fake_slub_expect[2] = {
	/* CPU 0: slab 0 (64 in use) with 2 on its lockless freelist; CPU
	 * partial slabs 1 (60 in use) and 2 (63), all three of node 0; node
	 * 0: slab 3 (10 in use) on the partial list, slabs 7, 8 full on no
	 * list; node 1: slab 4 (32) partial, slab 9 full.
	 * free = 2 + 4 + 1 + 54 + 32. */
	{ "fuzz-64", 56, 64, 32, 0, 64, 8, 8 * 64, 93, 1, 2, 2 },
	/* order 1, 16 objects of 512.  CPU 1: slab 5 (16 in use) with 3 on
	 * its lockless freelist; node 0: slab 6 (4 in use) partial, slab 10
	 * full; node 1: none, its partial list empty.  free = 3 + 12. */
	{ "fuzz-512", 500, 512, 256, 1, 16, 3, 3 * 16, 15, 1, 0, 1 },
};

/* The slabs: cache, first pfn, inuse, free objects on the slab's own
 * freelist (indices, in list order), on a CPU's lockless freelist. */
struct fake_slub_slab {
	int cache;
	uint64_t pfn;
	uint32_t inuse;
	int nfree, free[64];
	int ncpufree, cpufree[4];
};

#define SLUB_NSLABS 11
static const struct fake_slub_slab fake_slub_slabs[SLUB_NSLABS] = {
	{ 0, SLUB_PFN0 + 0, 64, 0, { 0 }, 2, { 5, 7 } },
	{ 0, SLUB_PFN0 + 1, 60, 4, { 3, 0, 63, 9 }, 0, { 0 } },
	{ 0, SLUB_PFN0 + 2, 63, 1, { 17 }, 0, { 0 } },
	{ 0, SLUB_PFN0 + 3, 10, 54, { 0 }, 0, { 0 } },   /* objects 10..63, filled below */
	{ 0, SLUB_PFN0 + 4, 32, 32, { 0 }, 0, { 0 } },   /* objects 63, 61, ..., 1 */
	{ 1, SLUB_PFN0 + 8, 16, 0, { 0 }, 3, { 15, 2, 8 } },
	{ 1, SLUB_PFN0 + 10, 4, 12, { 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 }, 0, { 0 } },
	{ 0, SLUB_PFN0 + 5, 64, 0, { 0 }, 0, { 0 } },
	{ 0, SLUB_PFN0 + 6, 64, 0, { 0 }, 0, { 0 } },
	{ 0, SLUB_PFN0 + 7, 64, 0, { 0 }, 0, { 0 } },
	{ 1, SLUB_PFN0 + 12, 16, 0, { 0 }, 0, { 0 } },
};

/* A slab's free objects, with the long lists of slabs 3 and 4 filled in. */
static inline struct fake_slub_slab
fake_slub_slab(int j)
{
	struct fake_slub_slab s = fake_slub_slabs[j];

	if (j == 3)
		for (int i = 0; i < 54; i++)
			s.free[i] = 10 + i;
	if (j == 4)
		for (int i = 0; i < 32; i++)
			s.free[i] = 63 - 2 * i;
	return s;
}

static inline uint64_t
fake_slub_obj(int j, int idx)
{
	const struct fake_slub_cache *c = &fake_slub_expect[fake_slub_slabs[j].cache];

	return DMAP + fake_slub_slabs[j].pfn * 4096 + (uint64_t)idx * c->size;
}

static inline uint64_t
fake_slub_slab_addr(int j)
{
	return SLUB_PAGE(fake_slub_slabs[j].pfn);
}

/* The SLUB types, added to make_btf()'s (btf__add_field() adds to the
 * type added last: every type a member needs is made before its struct). */
static inline const void *
fake_slub_btf(struct btf **bp, uint32_t *size)
{
	struct btf *b;
	int u64, u32, i32, chr, lh, vp, sp, kcp, kcnp, knp_arr, oo, cpup, ccp;

	make_btf(bp, size, false);
	b = *bp;
	u64 = btf__find_by_name(b, "long unsigned int");
	u32 = btf__find_by_name(b, "unsigned int");
	i32 = btf__find_by_name(b, "int");
	chr = btf__find_by_name(b, "char");
	lh = btf__find_by_name_kind(b, "list_head", BTF_KIND_STRUCT);
	vp = btf__add_ptr(b, 0);
	sp = btf__add_ptr(b, btf__add_fwd(b, "slab", BTF_FWD_STRUCT));
	kcp = btf__add_ptr(b, btf__add_fwd(b, "kmem_cache", BTF_FWD_STRUCT));
	kcnp = btf__add_ptr(b, btf__add_fwd(b, "kmem_cache_node", BTF_FWD_STRUCT));
	cpup = btf__add_ptr(b, btf__add_fwd(b, "kmem_cache_cpu", BTF_FWD_STRUCT));
	knp_arr = btf__add_array(b, u32, kcnp, SLUB_NODE_LEN);
	ccp = btf__add_ptr(b, btf__add_const(b, chr));     /* const char * */
	btf__add_struct(b, "page", SL_SIZE);
	btf__add_field(b, "flags", u64, SL_FLAGS * 8, 0);
	{
		/* struct slab's unions, as 6.x lays them out */
		int next_s, list_u, bits_s, cnt_u;

		next_s = btf__add_struct(b, NULL, 16);
		btf__add_field(b, "next", sp, 0, 0);
		btf__add_field(b, "slabs", i32, 64, 0);
		list_u = btf__add_union(b, NULL, 16);
		btf__add_field(b, "slab_list", lh, 0, 0);
		btf__add_field(b, NULL, next_s, 0, 0);
		bits_s = btf__add_struct(b, NULL, 4);
		btf__add_field(b, "inuse", u32, 0, 16);
		btf__add_field(b, "objects", u32, 16, 15);
		btf__add_field(b, "frozen", u32, 31, 1);
		cnt_u = btf__add_union(b, NULL, 8);
		btf__add_field(b, "counters", u64, 0, 0);
		btf__add_field(b, NULL, bits_s, 0, 0);
		btf__add_struct(b, "slab", SL_SIZE);
		btf__add_field(b, "__page_flags", u64, SL_FLAGS * 8, 0);
		btf__add_field(b, "slab_cache", kcp, SL_CACHE * 8, 0);
		btf__add_field(b, NULL, list_u, SL_LIST * 8, 0);
		btf__add_field(b, "freelist", vp, SL_FREELIST * 8, 0);
		btf__add_field(b, NULL, cnt_u, SL_COUNTERS * 8, 0);
	}
	oo = btf__add_struct(b, "kmem_cache_order_objects", 4);
	btf__add_field(b, "x", u32, 0, 0);
	btf__add_struct(b, "kmem_cache", KC_SIZE);
	btf__add_field(b, "cpu_slab", cpup, KC_CPU_SLAB * 8, 0);
	btf__add_field(b, "flags", u32, KC_FLAGS * 8, 0);
	btf__add_field(b, "min_partial", u64, KC_MIN_PARTIAL * 8, 0);
	btf__add_field(b, "size", u32, KC_SZ * 8, 0);
	btf__add_field(b, "object_size", u32, KC_OBJ_SIZE * 8, 0);
	btf__add_field(b, "oo", oo, KC_OO * 8, 0);
	btf__add_field(b, "offset", u32, KC_OFFSET * 8, 0);
	btf__add_field(b, "red_left_pad", u32, KC_RED_LEFT * 8, 0);
	btf__add_field(b, "random", u64, KC_RANDOM * 8, 0);
	btf__add_field(b, "name", ccp, KC_NAME * 8, 0);
	btf__add_field(b, "list", lh, KC_LIST * 8, 0);
	btf__add_field(b, "node", knp_arr, KC_NODE * 8, 0);
	btf__add_struct(b, "kmem_cache_cpu", KCC_SIZE);
	btf__add_field(b, "freelist", vp, KCC_FREELIST * 8, 0);
	btf__add_field(b, "tid", u64, KCC_TID * 8, 0);
	btf__add_field(b, "slab", sp, KCC_SLAB * 8, 0);
	btf__add_field(b, "partial", sp, KCC_PARTIAL * 8, 0);
	btf__add_struct(b, "kmem_cache_node", KN_SIZE);
	btf__add_field(b, "list_lock", u32, KN_LOCK * 8, 0);
	btf__add_field(b, "nr_partial", u64, KN_NR_PARTIAL * 8, 0);
	btf__add_field(b, "partial", lh, KN_PARTIAL * 8, 0);
	btf__add_field(b, "nr_slabs", u64, KN_NR_SLABS * 8, 0);
	btf__add_field(b, "total_objects", u64, KN_TOTAL * 8, 0);
	btf__add_field(b, "full", lh, KN_FULL * 8, 0);
	return btf__raw_data(b, size);
}

/* Free pointer stored at addr pointing at next, hardened. */
static inline void
fake_slub_freeptr(struct fake *f, uint64_t addr, uint64_t next)
{
	put64(f, addr - DMAP, next ^ SLUB_RANDOM ^ __builtin_bswap64(addr));
}

/* Chain objects idx[0..n) of slab j; the head (0 when n is 0). */
static inline uint64_t
fake_slub_chain(struct fake *f, int j, const int *idx, int n)
{
	const struct fake_slub_cache *c = &fake_slub_expect[fake_slub_slabs[j].cache];

	for (int i = 0; i < n; i++)
		fake_slub_freeptr(f, fake_slub_obj(j, idx[i]) + c->offset,
				  i + 1 < n ? fake_slub_obj(j, idx[i + 1]) : 0);
	return n ? fake_slub_obj(j, idx[0]) : 0;
}

/* Link struct slab a's slab_list (node partial list) between prev and next. */
static inline void
fake_slub_link(struct fake *f, uint64_t at_pa, uint64_t next, uint64_t prev)
{
	put64(f, at_pa + LH_NEXT, next);
	put64(f, at_pa + LH_PREV, prev);
}

/*
 * The fake kernel with the SLUB state: fake_kernel_image() with
 * fake_slub_btf()'s types, the vmemmap mapped, and the symbols.
 */
static inline struct fake *
fake_slub_new(void)
{
	struct fake *f = fake_new();
	struct btf *btf;
	uint32_t bsize;
	const void *raw = fake_slub_btf(&btf, &bsize);
	uint64_t head = KIMG + SLUB_CACHES_PA;

	fake_kernel_image(f, raw, bsize);
	btf__free(btf);
	fake_map(f, ROOT, 4, SLUB_VMEMMAP, SLUB_VMEMMAP_PA, 1 << 21, 0x8000000000000063ULL);
	num(f, "SYMBOL(vmemmap)", SLUB_VMEMMAP);
	num(f, "NUMBER(PG_slab)", 9);     /* 6.1's VMCOREINFO: slab pages by flag */
	sym(f, "init_task", ITASK);
	sym(f, "slab_caches", head);
	sym(f, "__per_cpu_offset", KIMG + SLUB_PCPU_OFF_PA);
	sym(f, "nr_cpu_ids", KIMG + SLUB_NR_CPU_PA);
	sym(f, "nr_node_ids", KIMG + SLUB_NR_NODE_PA);
	sym(f, "__cpu_possible_mask", KIMG + SLUB_POSSIBLE_PA);

	for (int c = 0; c < SLUB_NCPUS; c++)
		put64(f, SLUB_PCPU_OFF_PA + 8 * c, DMAP + SLUB_PCPU_PA(c));
	put32(f, SLUB_NR_CPU_PA, SLUB_NCPUS);
	put32(f, SLUB_NR_NODE_PA, SLUB_NNODES);
	put64(f, SLUB_POSSIBLE_PA, (1u << SLUB_NCPUS) - 1);
	/* slab_caches -> cache 0 -> cache 1 -> head */
	fake_slub_link(f, SLUB_CACHES_PA, SLUB_KC(0) + KC_LIST, SLUB_KC(1) + KC_LIST);
	fake_slub_link(f, SLUB_KC_PA(0) + KC_LIST, SLUB_KC(1) + KC_LIST, head);
	fake_slub_link(f, SLUB_KC_PA(1) + KC_LIST, head, SLUB_KC(0) + KC_LIST);
	for (int i = 0; i < 2; i++) {
		const struct fake_slub_cache *c = &fake_slub_expect[i];
		char name[32] = "";

		strncpy(name, c->name, sizeof(name) - 1);
		put_bytes(f, SLUB_NAME_PA(i), name, sizeof(name));
		put64(f, SLUB_KC_PA(i) + KC_CPU_SLAB, SLUB_CPU_SLAB(i));
		put32(f, SLUB_KC_PA(i) + KC_FLAGS, 0x2000);    /* SLAB_HWCACHE_ALIGN */
		put64(f, SLUB_KC_PA(i) + KC_MIN_PARTIAL, 5);
		put32(f, SLUB_KC_PA(i) + KC_SZ, c->size);
		put32(f, SLUB_KC_PA(i) + KC_OBJ_SIZE, c->object_size);
		put32(f, SLUB_KC_PA(i) + KC_OO, c->order << 16 | c->objects);
		put32(f, SLUB_KC_PA(i) + KC_OFFSET, c->offset);
		put64(f, SLUB_KC_PA(i) + KC_RANDOM, SLUB_RANDOM);
		put64(f, SLUB_KC_PA(i) + KC_NAME, DMAP + SLUB_NAME_PA(i));
		for (int n = 0; n < SLUB_NNODES; n++) {
			uint64_t kn = SLUB_KN_PA(i, n), lh = SLUB_KN(i, n) + KN_PARTIAL;

			put64(f, SLUB_KC_PA(i) + KC_NODE + 8 * n, SLUB_KN(i, n));
			fake_slub_link(f, kn + KN_PARTIAL, lh, lh);     /* empty until linked */
			fake_slub_link(f, kn + KN_FULL, SLUB_KN(i, n) + KN_FULL,
				       SLUB_KN(i, n) + KN_FULL);
		}
		/* node[2], node[3]: past nr_node_ids, garbage that must not be read */
		put64(f, SLUB_KC_PA(i) + KC_NODE + 16, 0xdead000000000100ULL);
		put64(f, SLUB_KC_PA(i) + KC_NODE + 24, 0xdead000000000200ULL);
	}
	/* Every slab: its struct slab and its freelist. */
	for (int j = 0; j < SLUB_NSLABS; j++) {
		struct fake_slub_slab s = fake_slub_slab(j);
		const struct fake_slub_cache *c = &fake_slub_expect[s.cache];
		uint64_t pa = SLUB_PAGE_PA(s.pfn);

		/* the objects' memory: every page of the slab present */
		for (uint32_t p = 0; p < 1u << c->order; p++)
			put64(f, (s.pfn + p) * 4096, 0);
		put64(f, pa + SL_FLAGS, 1ULL << 9);                 /* PG_slab of 6.1 */
		put64(f, pa + SL_CACHE, SLUB_KC(s.cache));
		put64(f, pa + SL_FREELIST, fake_slub_chain(f, j, s.free, s.nfree));
		put32(f, pa + SL_COUNTERS,
		      s.inuse | c->objects << 16 | (uint32_t)(j == 0 || j == 5) << 31);
		fake_slub_link(f, pa + SL_LIST, 0, 0);
	}
	/* CPU 0 of cache 0: slab 0, lockless freelist, partial slabs 1 -> 2 */
	{
		uint64_t cc = SLUB_PCPU_PA(0) + SLUB_CPU_SLAB(0);
		struct fake_slub_slab s = fake_slub_slab(0);

		put64(f, cc + KCC_SLAB, fake_slub_slab_addr(0));
		put64(f, cc + KCC_FREELIST, fake_slub_chain(f, 0, s.cpufree, s.ncpufree));
		put64(f, cc + KCC_TID, 0x100);
		put64(f, cc + KCC_PARTIAL, fake_slub_slab_addr(1));
		put64(f, SLUB_PAGE_PA(fake_slub_slabs[1].pfn) + SL_NEXT, fake_slub_slab_addr(2));
		put32(f, SLUB_PAGE_PA(fake_slub_slabs[1].pfn) + SL_SLABS, 2);
		put32(f, SLUB_PAGE_PA(fake_slub_slabs[2].pfn) + SL_SLABS, 1);
	}
	/* CPU 1 of cache 1: slab 5 and its lockless freelist */
	{
		uint64_t cc = SLUB_PCPU_PA(1) + SLUB_CPU_SLAB(1);
		struct fake_slub_slab s = fake_slub_slab(5);

		put64(f, cc + KCC_SLAB, fake_slub_slab_addr(5));
		put64(f, cc + KCC_FREELIST, fake_slub_chain(f, 5, s.cpufree, s.ncpufree));
		put64(f, cc + KCC_TID, 0x201);
	}
	/* Node partial lists: cache 0 node 0 slab 3, node 1 slab 4; cache 1
	 * node 0 slab 6.  Counters: nr_slabs, total_objects per node. */
	{
		static const struct {
			int cache, node, slab;
		} partial[] = { { 0, 0, 3 }, { 0, 1, 4 }, { 1, 0, 6 } };
		static const uint64_t nslabs[2][2] = { { 6, 2 }, { 3, 0 } };

		for (size_t p = 0; p < sizeof(partial) / sizeof(partial[0]); p++) {
			uint64_t kn = SLUB_KN_PA(partial[p].cache, partial[p].node);
			uint64_t lh = SLUB_KN(partial[p].cache, partial[p].node) + KN_PARTIAL;
			uint64_t sl = fake_slub_slab_addr(partial[p].slab) + SL_LIST;

			fake_slub_link(f, kn + KN_PARTIAL, sl, sl);
			fake_slub_link(f, sl - SLUB_VMEMMAP + SLUB_VMEMMAP_PA, lh, lh);
			put64(f, kn + KN_NR_PARTIAL, 1);
		}
		for (int i = 0; i < 2; i++)
			for (int n = 0; n < SLUB_NNODES; n++) {
				const struct fake_slub_cache *c = &fake_slub_expect[i];

				put64(f, SLUB_KN_PA(i, n) + KN_NR_SLABS, nslabs[i][n]);
				put64(f, SLUB_KN_PA(i, n) + KN_TOTAL, nslabs[i][n] * c->objects);
			}
	}
	return f;
}

/*
 * The memory of the SLUB state, in the order the slab_walk fuzz target
 * XORs its input over it: the globals, the caches with their nodes and
 * names, the per-CPU kmem_cache_cpu, the struct slabs, the objects.
 */
static const struct fake_region fake_slub_regions[] = {
	{ SLUB_GLOBALS_PA, 0x30 },
	{ SLUB_KC_PA(0), 0x240 },
	{ SLUB_PCPU_PA(0), 0x200 },
	{ SLUB_VMEMMAP_PA + SLUB_PFN0 * 64, 14 * 64 },
	{ SLUB_PFN0 * 4096, 14 * 4096 },
};

/*
 * Write to out the input that turns a's SLUB memory into b's (the XOR of
 * the regions, up to the last byte that differs): the seeds of slab_walk.
 */
static inline bool
fake_slub_delta(struct fake *a, struct fake *b, FILE *out)
{
	size_t total = 0, last = 0;
	unsigned char *d;
	bool ok;

	for (size_t r = 0; r < sizeof(fake_slub_regions) / sizeof(fake_slub_regions[0]); r++)
		total += fake_slub_regions[r].len;
	if (!(d = calloc(1, total)))
		return false;
	total = 0;
	for (size_t r = 0; r < sizeof(fake_slub_regions) / sizeof(fake_slub_regions[0]); r++)
		for (uint64_t i = 0; i < fake_slub_regions[r].len; i++, total++) {
			uint64_t pa = fake_slub_regions[r].pa + i;
			const unsigned char *pa_ = (const unsigned char *)fake_page(a, pa >> 12, false);
			const unsigned char *pb = (const unsigned char *)fake_page(b, pa >> 12, false);

			d[total] = (pa_ ? pa_[pa & 0xfff] : 0) ^ (pb ? pb[pa & 0xfff] : 0);
			if (d[total])
				last = total + 1;
		}
	ok = fwrite(d, 1, last, out) == last;
	free(d);
	return ok;
}

#endif
