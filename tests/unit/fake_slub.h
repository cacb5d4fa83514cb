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
 * fake_slub_sheaves_new() is the same two caches as 7.2 keeps them (SLUB
 * sheaves: commit 2d517aa09bbc "slab: add opt-in caching layer of percpu
 * sheaves", 32c894c7274b "slab: remove struct kmem_cache_cpu", 5ba6bc27b1f9
 * "slab: decouple pointer to barn from kmem_cache_node"): no
 * kmem_cache_cpu and no CPU partial slabs; kmem_cache.cpu_sheaves (struct
 * slub_percpu_sheaves: main, spare, rcu_free), kmem_cache.per_node[] of
 * struct kmem_cache_per_node_ptrs { barn, node }, struct node_barn (full
 * and empty lists of struct slab_sheaf: barn_list, cache, size, node,
 * objects[]), struct slab's counters in the anonymous struct
 * freelist_counters, member offsets of those four structs as 7.2 has them.
 *
 * The numbers the walker must find are in fake_slub_expect[] and
 * fake_sheaves_expect[] below, from the construction (not from vmdive).
 * Used by test_memory_slub.c, the slab_walk fuzz target and
 * tests/gen/mkfakekernel.c (its seeds).
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
	/* the sheaves variant: kmem_cache has cpu_sheaves where cpu_slab was,
	 * sheaf_capacity, per_node[3] where node[4] was; the rest as 7.2 */
	KS_CPU_SHEAVES = 0, KS_SHEAF_CAP = 44, KS_PER_NODE = 80, KS_SIZE = 128,
	PN_BARN = 0, PN_NODE = 8, PN_SIZE = 16,
	PCS_LOCK = 0, PCS_MAIN = 8, PCS_SPARE = 16, PCS_RCU_FREE = 24, PCS_SIZE = 32,
	SH_BARN_LIST = 0, SH_CACHE = 16, SH_SIZE = 24, SH_NODE = 28, SH_OBJECTS = 32,
	SH_HDR = 32, NB_LOCK = 0, NB_FULL = 8, NB_EMPTY = 24, NB_NR_FULL = 40,
	NB_NR_EMPTY = 44, NB_SIZE = 48,
};
#define SLUB_PER_NODE_LEN 3              /* kmem_cache.per_node[] of the sheaves variant */
/* 6.18 .. 6.19 (fake_slub_cpu_sheaves_new()): kmem_cache_cpu and sheaves
 * side by side; cpu_sheaves after node[4], the barn in kmem_cache_node
 * (where this fake's `full` list was). */
enum { KT_CPU_SHEAVES = 112, KT_SIZE = 120, KN_BARN = 48 };
/* cache i's slub_percpu_sheaves in a CPU's area (6.18 variant), after
 * the two kmem_cache_cpu */
#define SLUB_PCS618(i) (0xc0ULL + 0x20ULL * (i))

/* The fake kernels: kmem_cache_cpu only (5.17 .. 6.17), 7.2's sheaves
 * only, both (6.18 .. 6.19). */
enum fake_slub_variant { FAKE_SLUB_CPU, FAKE_SLUB_SHEAVES, FAKE_SLUB_CPU_SHEAVES };
/* The sheaves variant: node_barn n of cache i (after the names), sheaf s. */
#define SLUB_BARN_PA(i, n) (0xb00240ULL + ((i) * SLUB_NNODES + (n)) * 0x30ULL)
#define SLUB_BARN(i, n) (DMAP + SLUB_BARN_PA(i, n))
#define SLUB_SHEAF_PA(s) (0xb01000ULL + (s) * 0x80ULL)
#define SLUB_SHEAF(s) (DMAP + SLUB_SHEAF_PA(s))

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
 * type added last: every type a member needs is made before its struct).
 * FAKE_SLUB_SHEAVES: 7.2's types (struct slab without next, its counters
 * in struct freelist_counters; kmem_cache with cpu_sheaves and
 * per_node[]; the sheaves, barns and per-node pointers; no
 * kmem_cache_cpu).  FAKE_SLUB_CPU_SHEAVES: the first's types, kmem_cache
 * with cpu_sheaves and sheaf_capacity too, kmem_cache_node with barn, the
 * sheaves and barns. */
static inline const void *
fake_slub_btf(struct btf **bp, uint32_t *size, enum fake_slub_variant variant)
{
	bool sheaves = variant == FAKE_SLUB_SHEAVES, has_sheaves = variant != FAKE_SLUB_CPU;
	struct btf *b;
	int u64, u32, i32, chr, lh, vp, sp, kcp, kcnp, knp_arr, oo, cpup, ccp, cbh, pcsp, bnp;

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
	cpup = btf__add_ptr(b, btf__add_fwd(b, sheaves ? "slub_percpu_sheaves" : "kmem_cache_cpu",
					    BTF_FWD_STRUCT));
	pcsp = btf__add_ptr(b, btf__add_fwd(b, "slub_percpu_sheaves", BTF_FWD_STRUCT));
	bnp = btf__add_ptr(b, btf__add_fwd(b, "node_barn", BTF_FWD_STRUCT));
	knp_arr = btf__add_array(b, u32, kcnp, SLUB_NODE_LEN);
	ccp = btf__add_ptr(b, btf__add_const(b, chr));     /* const char * */
	cbh = btf__add_struct(b, "callback_head", 16);
	btf__add_field(b, "next", vp, 0, 0);
	btf__add_field(b, "func", vp, 64, 0);
	btf__add_struct(b, "page", SL_SIZE);
	btf__add_field(b, "flags", u64, SL_FLAGS * 8, 0);
	if (sheaves)      /* 7.x: a tail page's is a mask | 1 (fake_slub_sheaves_new()) */
		btf__add_field(b, "compound_info", u64, 8 * 8, 0);
	if (!sheaves) {
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
	} else {
		/* 7.2: struct freelist_counters, a named struct that struct
		 * slab holds as an anonymous member; no next (no CPU partial
		 * slabs). */
		int bits_s, cnt_u, fl_s, fc_u, fc, l_s, slab_u, u128;

		bits_s = btf__add_struct(b, NULL, 8);
		btf__add_field(b, "inuse", u32, 0, 16);
		btf__add_field(b, "objects", u32, 16, 15);
		btf__add_field(b, "frozen", u32, 31, 1);
		btf__add_field(b, "stride", u32, 32, 0);
		cnt_u = btf__add_union(b, NULL, 8);
		btf__add_field(b, "counters", u64, 0, 0);
		btf__add_field(b, NULL, bits_s, 0, 0);
		fl_s = btf__add_struct(b, NULL, 16);
		btf__add_field(b, "freelist", vp, 0, 0);
		btf__add_field(b, NULL, cnt_u, 64, 0);
		u128 = btf__add_int(b, "__int128 unsigned", 16, 0);
		fc_u = btf__add_union(b, NULL, 16);
		btf__add_field(b, NULL, fl_s, 0, 0);
		btf__add_field(b, "freelist_counters", u128, 0, 0);
		fc = btf__add_struct(b, "freelist_counters", 16);
		btf__add_field(b, NULL, fc_u, 0, 0);
		l_s = btf__add_struct(b, NULL, 32);
		btf__add_field(b, "slab_list", lh, 0, 0);
		btf__add_field(b, NULL, fc, 128, 0);
		slab_u = btf__add_union(b, NULL, 32);
		btf__add_field(b, NULL, l_s, 0, 0);
		btf__add_field(b, "callback_head", cbh, 0, 0);
		btf__add_struct(b, "slab", SL_SIZE);
		btf__add_field(b, "flags", u64, SL_FLAGS * 8, 0);
		btf__add_field(b, "slab_cache", kcp, SL_CACHE * 8, 0);
		btf__add_field(b, NULL, slab_u, SL_LIST * 8, 0);
		btf__add_field(b, "__page_type", u32, 48 * 8, 0);
		btf__add_field(b, "__page_refcount", i32, 52 * 8, 0);
		btf__add_field(b, "obj_exts", u64, 56 * 8, 0);
	}
	oo = btf__add_struct(b, "kmem_cache_order_objects", 4);
	btf__add_field(b, "x", u32, 0, 0);
	if (has_sheaves) {
		int shp, cap_s, sh_u, objs, lock;

		shp = btf__add_ptr(b, btf__add_fwd(b, "slab_sheaf", BTF_FWD_STRUCT));
		lock = btf__add_struct(b, "local_trylock_t", 1);
		btf__add_field(b, "acquired", chr, 0, 0);
		btf__add_struct(b, "slub_percpu_sheaves", PCS_SIZE);
		btf__add_field(b, "lock", lock, PCS_LOCK * 8, 0);
		btf__add_field(b, "main", shp, PCS_MAIN * 8, 0);
		btf__add_field(b, "spare", shp, PCS_SPARE * 8, 0);
		btf__add_field(b, "rcu_free", shp, PCS_RCU_FREE * 8, 0);
		cap_s = btf__add_struct(b, NULL, 8);
		btf__add_field(b, "capacity", u32, 0, 0);
		btf__add_field(b, "pfmemalloc", chr, 32, 0);
		sh_u = btf__add_union(b, NULL, 16);
		btf__add_field(b, "callback_head", cbh, 0, 0);
		btf__add_field(b, "barn_list", lh, 0, 0);
		btf__add_field(b, NULL, cap_s, 0, 0);
		objs = btf__add_array(b, u32, vp, 0);             /* void *objects[] */
		btf__add_struct(b, "slab_sheaf", SH_HDR);
		btf__add_field(b, NULL, sh_u, SH_BARN_LIST * 8, 0);
		btf__add_field(b, "cache", kcp, SH_CACHE * 8, 0);
		btf__add_field(b, "size", u32, SH_SIZE * 8, 0);
		btf__add_field(b, "node", i32, SH_NODE * 8, 0);
		btf__add_field(b, "objects", objs, SH_OBJECTS * 8, 0);
		btf__add_struct(b, "node_barn", NB_SIZE);
		btf__add_field(b, "lock", u32, NB_LOCK * 8, 0);
		btf__add_field(b, "sheaves_full", lh, NB_FULL * 8, 0);
		btf__add_field(b, "sheaves_empty", lh, NB_EMPTY * 8, 0);
		btf__add_field(b, "nr_full", u32, NB_NR_FULL * 8, 0);
		btf__add_field(b, "nr_empty", u32, NB_NR_EMPTY * 8, 0);
	}
	if (sheaves) {
		int pn, pn_arr;

		pn = btf__add_struct(b, "kmem_cache_per_node_ptrs", PN_SIZE);
		btf__add_field(b, "barn", bnp, PN_BARN * 8, 0);
		btf__add_field(b, "node", kcnp, PN_NODE * 8, 0);
		pn_arr = btf__add_array(b, u32, pn, SLUB_PER_NODE_LEN);
		btf__add_struct(b, "kmem_cache", KS_SIZE);
		btf__add_field(b, "cpu_sheaves", cpup, KS_CPU_SHEAVES * 8, 0);
		btf__add_field(b, "flags", u32, KC_FLAGS * 8, 0);
		btf__add_field(b, "min_partial", u64, KC_MIN_PARTIAL * 8, 0);
		btf__add_field(b, "size", u32, KC_SZ * 8, 0);
		btf__add_field(b, "object_size", u32, KC_OBJ_SIZE * 8, 0);
		btf__add_field(b, "oo", oo, KC_OO * 8, 0);
		btf__add_field(b, "offset", u32, KC_OFFSET * 8, 0);
		btf__add_field(b, "red_left_pad", u32, KC_RED_LEFT * 8, 0);
		btf__add_field(b, "sheaf_capacity", u32, KS_SHEAF_CAP * 8, 0);
		btf__add_field(b, "random", u64, KC_RANDOM * 8, 0);
		btf__add_field(b, "name", ccp, KC_NAME * 8, 0);
		btf__add_field(b, "list", lh, KC_LIST * 8, 0);
		btf__add_field(b, "per_node", pn_arr, KS_PER_NODE * 8, 0);
	} else {
		btf__add_struct(b, "kmem_cache", has_sheaves ? KT_SIZE : KC_SIZE);
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
		if (has_sheaves) {
			btf__add_field(b, "sheaf_capacity", u32, KS_SHEAF_CAP * 8, 0);
			btf__add_field(b, "cpu_sheaves", pcsp, KT_CPU_SHEAVES * 8, 0);
		}
		btf__add_struct(b, "kmem_cache_cpu", KCC_SIZE);
		btf__add_field(b, "freelist", vp, KCC_FREELIST * 8, 0);
		btf__add_field(b, "tid", u64, KCC_TID * 8, 0);
		btf__add_field(b, "slab", sp, KCC_SLAB * 8, 0);
		btf__add_field(b, "partial", sp, KCC_PARTIAL * 8, 0);
	}
	btf__add_struct(b, "kmem_cache_node", KN_SIZE);
	btf__add_field(b, "list_lock", u32, KN_LOCK * 8, 0);
	btf__add_field(b, "nr_partial", u64, KN_NR_PARTIAL * 8, 0);
	btf__add_field(b, "partial", lh, KN_PARTIAL * 8, 0);
	btf__add_field(b, "nr_slabs", u64, KN_NR_SLABS * 8, 0);
	btf__add_field(b, "total_objects", u64, KN_TOTAL * 8, 0);
	if (variant == FAKE_SLUB_CPU_SHEAVES)
		btf__add_field(b, "barn", bnp, KN_BARN * 8, 0);
	else
		btf__add_field(b, "full", lh, KN_FULL * 8, 0);
	return btf__raw_data(b, size);
}

/* Free pointer stored at addr pointing at next, hardened. */
static inline void
fake_slub_freeptr(struct fake *f, uint64_t addr, uint64_t next)
{
	put64(f, addr - DMAP, next ^ SLUB_RANDOM ^ __builtin_bswap64(addr));
}

/* Chain objects idx[0..n) of the slab at pfn of cache c; the head (0 when n is 0). */
static inline uint64_t
fake_slub_chain_at(struct fake *f, uint64_t pfn, const struct fake_slub_cache *c,
		   const int *idx, int n)
{
	uint64_t base = DMAP + pfn * 4096;

	for (int i = 0; i < n; i++)
		fake_slub_freeptr(f, base + (uint64_t)idx[i] * c->size + c->offset,
				  i + 1 < n ? base + (uint64_t)idx[i + 1] * c->size : 0);
	return n ? base + (uint64_t)idx[0] * c->size : 0;
}

/* Chain objects idx[0..n) of slab j; the head (0 when n is 0). */
static inline uint64_t
fake_slub_chain(struct fake *f, int j, const int *idx, int n)
{
	return fake_slub_chain_at(f, fake_slub_slabs[j].pfn,
				  &fake_slub_expect[fake_slub_slabs[j].cache], idx, n);
}

/* Link struct slab a's slab_list (node partial list) between prev and next. */
static inline void
fake_slub_link(struct fake *f, uint64_t at_pa, uint64_t next, uint64_t prev)
{
	put64(f, at_pa + LH_NEXT, next);
	put64(f, at_pa + LH_PREV, prev);
}

/* The list at head (a kernel VA; its PA at head_pa) holding the list_heads
 * at node[0..n) (direct-map or vmemmap VAs, PAs in node_pa[]), in order. */
static inline void
fake_slub_list(struct fake *f, uint64_t head_pa, uint64_t head, const uint64_t *node,
	       const uint64_t *node_pa, int n)
{
	fake_slub_link(f, head_pa, n ? node[0] : head, n ? node[n - 1] : head);
	for (int i = 0; i < n; i++)
		fake_slub_link(f, node_pa[i], i + 1 < n ? node[i + 1] : head,
			       i ? node[i - 1] : head);
}

/* A struct slab (PG_slab of 6.1, slab_cache, freelist, counters) and the
 * memory of its objects. */
static inline void
fake_slub_put_slab(struct fake *f, const struct fake_slub_slab *s,
		   const struct fake_slub_cache *c, bool frozen)
{
	uint64_t pa = SLUB_PAGE_PA(s->pfn);

	/* the objects' memory: every page of the slab present */
	for (uint32_t p = 0; p < 1u << c->order; p++)
		put64(f, (s->pfn + p) * 4096, 0);
	put64(f, pa + SL_FLAGS, 1ULL << 9);                 /* PG_slab of 6.1 */
	put64(f, pa + SL_CACHE, SLUB_KC(s->cache));
	put64(f, pa + SL_FREELIST, fake_slub_chain_at(f, s->pfn, c, s->free, s->nfree));
	put32(f, pa + SL_COUNTERS, s->inuse | c->objects << 16 | (uint32_t)frozen << 31);
	fake_slub_link(f, pa + SL_LIST, 0, 0);
}

/*
 * What both variants share: fake_kernel_image() with fake_slub_btf()'s
 * types, the vmemmap mapped, the symbols and globals, slab_caches and the
 * two caches' sizes, names and kmem_cache_nodes (empty lists); not the
 * caches' per-CPU and node pointers.
 */
static inline struct fake *
fake_slub_base(const struct fake_slub_cache *caches, enum fake_slub_variant variant)
{
	struct fake *f = fake_new();
	struct btf *btf;
	uint32_t bsize;
	const void *raw = fake_slub_btf(&btf, &bsize, variant);
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
		const struct fake_slub_cache *c = &caches[i];
		char name[32] = "";

		strncpy(name, c->name, sizeof(name) - 1);
		put_bytes(f, SLUB_NAME_PA(i), name, sizeof(name));
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

			fake_slub_link(f, kn + KN_PARTIAL, lh, lh);     /* empty until linked */
			fake_slub_link(f, kn + KN_FULL, SLUB_KN(i, n) + KN_FULL,
				       SLUB_KN(i, n) + KN_FULL);
		}
	}
	return f;
}

/* The node partial lists ({ cache, node, slabs... } of slab addresses a
 * slab table gives) and the nodes' counters (nslabs[cache][node]). */
struct fake_slub_partial {
	int cache, node, n, slab[4];
};

static inline void
fake_slub_nodes(struct fake *f, const struct fake_slub_cache *caches,
		const struct fake_slub_slab *slabs, const struct fake_slub_partial *part, int npart,
		const uint64_t nslabs[2][SLUB_NNODES])
{
	for (int p = 0; p < npart; p++) {
		uint64_t kn = SLUB_KN_PA(part[p].cache, part[p].node);
		uint64_t node[4], node_pa[4];

		for (int i = 0; i < part[p].n; i++) {
			node[i] = SLUB_PAGE(slabs[part[p].slab[i]].pfn) + SL_LIST;
			node_pa[i] = SLUB_PAGE_PA(slabs[part[p].slab[i]].pfn) + SL_LIST;
		}
		fake_slub_list(f, kn + KN_PARTIAL, SLUB_KN(part[p].cache, part[p].node) + KN_PARTIAL,
			       node, node_pa, part[p].n);
		put64(f, kn + KN_NR_PARTIAL, (uint64_t)part[p].n);
	}
	for (int i = 0; i < 2; i++)
		for (int n = 0; n < SLUB_NNODES; n++) {
			put64(f, SLUB_KN_PA(i, n) + KN_NR_SLABS, nslabs[i][n]);
			put64(f, SLUB_KN_PA(i, n) + KN_TOTAL, nslabs[i][n] * caches[i].objects);
		}
}

/*
 * The SLUB state of fake_slub_expect[] and fake_slub_slabs[] (kmem_cache_cpu,
 * as 5.17 .. 6.17 keep it), with the BTF of variant (FAKE_SLUB_CPU, or
 * FAKE_SLUB_CPU_SHEAVES: fake_slub_cpu_sheaves_new() adds the sheaves).
 */
static inline struct fake *
fake_slub_cpu_build(enum fake_slub_variant variant)
{
	struct fake *f = fake_slub_base(fake_slub_expect, variant);

	for (int i = 0; i < 2; i++) {
		put64(f, SLUB_KC_PA(i) + KC_CPU_SLAB, SLUB_CPU_SLAB(i));
		for (int n = 0; n < SLUB_NNODES; n++)
			put64(f, SLUB_KC_PA(i) + KC_NODE + 8 * n, SLUB_KN(i, n));
		/* node[2], node[3]: past nr_node_ids, garbage that must not be read */
		put64(f, SLUB_KC_PA(i) + KC_NODE + 16, 0xdead000000000100ULL);
		put64(f, SLUB_KC_PA(i) + KC_NODE + 24, 0xdead000000000200ULL);
	}
	/* Every slab: its struct slab and its freelist. */
	for (int j = 0; j < SLUB_NSLABS; j++) {
		struct fake_slub_slab s = fake_slub_slab(j);

		fake_slub_put_slab(f, &s, &fake_slub_expect[s.cache], j == 0 || j == 5);
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
		static const struct fake_slub_partial part[] = {
			{ 0, 0, 1, { 3 } }, { 0, 1, 1, { 4 } }, { 1, 0, 1, { 6 } },
		};
		static const uint64_t nslabs[2][SLUB_NNODES] = { { 6, 2 }, { 3, 0 } };

		fake_slub_nodes(f, fake_slub_expect, fake_slub_slabs, part, 3, nslabs);
	}
	return f;
}

/* The fake kernel with fake_slub_cpu_build()'s state (5.17 .. 6.17). */
static inline struct fake *
fake_slub_new(void)
{
	return fake_slub_cpu_build(FAKE_SLUB_CPU);
}

/*
 * The sheaves variant (7.2).  Objects in a sheaf are allocated from their
 * slab: the slab's inuse counts them and they are on no freelist, as the
 * kernel keeps them.  They are free for their cache: `kmem -s` counts
 * them free and `kmem -S` / kmem ADDR mark them free, as drgn's
 * slab_cache_usage() and slab_object_info() do -- a CPU's main and spare
 * sheaf (free on that CPU), the barns' full sheaves.  Not the rcu_free
 * sheaf (objects waiting for a grace period: still allocated, as drgn
 * counts them) and not past a sheaf's size (an empty sheaf's stale
 * pointers).  The kernel's own /proc/slabinfo counts only the node partial
 * slabs' free objects (90 of fuzz-64's, 6 of fuzz-512's).
 *
 * fuzz-64 (sheaf_capacity 8): slabs A, E, F full on no list, B (60 in
 * use) and C (10) on node 0's partial list, D (32) on node 1's.  CPU 0:
 * main A0..A4, spare A10..A17, rcu_free A40..A42; CPU 1: main B20, B21,
 * A30, no spare.  Node 0's barn: full E0..E7 and E8..E15, empty (size 0,
 * stale E20..E27); node 1's barn: full D0, D2, ..., D14.
 * free = 4 + 54 + 32 (B, C, D) + 5 + 8 + 3 (CPU sheaves) + 24 (barns).
 *
 * fuzz-512 (sheaf_capacity 4): G (10 in use) on node 0's partial list,
 * H full on no list.  CPU 0: main empty (stale G13); CPU 1: main G10..G12.
 * Node 0's barn: full H0..H3; node 1's barn: empty lists.
 * free = 6 + 3 + 4.
 */
static const struct fake_slub_cache fake_sheaves_expect[2] = {
	{ "fuzz-64", 56, 64, 32, 0, 64, 6, 6 * 64, 130, 0, 0, 3 },
	{ "fuzz-512", 500, 512, 256, 1, 16, 2, 2 * 16, 13, 0, 0, 1 },
};
static const uint32_t fake_sheaves_capacity[2] = { 8, 4 };

#define SHEAVES_NSLABS 8
enum { SV_A, SV_B, SV_C, SV_D, SV_E, SV_F, SV_G, SV_H };
static const struct fake_slub_slab fake_sheaves_slabs[SHEAVES_NSLABS] = {
	{ 0, SLUB_PFN0 + 0, 64, 0, { 0 }, 0, { 0 } },
	{ 0, SLUB_PFN0 + 1, 60, 4, { 3, 0, 63, 9 }, 0, { 0 } },
	{ 0, SLUB_PFN0 + 3, 10, 54, { 0 }, 0, { 0 } },   /* objects 10..63, filled below */
	{ 0, SLUB_PFN0 + 4, 32, 32, { 0 }, 0, { 0 } },   /* objects 63, 61, ..., 1 */
	{ 0, SLUB_PFN0 + 5, 64, 0, { 0 }, 0, { 0 } },
	{ 0, SLUB_PFN0 + 6, 64, 0, { 0 }, 0, { 0 } },
	{ 1, SLUB_PFN0 + 8, 10, 6, { 4, 5, 6, 7, 8, 9 }, 0, { 0 } },
	{ 1, SLUB_PFN0 + 10, 16, 0, { 0 }, 0, { 0 } },
};

static inline struct fake_slub_slab
fake_sheaves_slab(int j)
{
	struct fake_slub_slab s = fake_sheaves_slabs[j];

	if (j == SV_C)
		for (int i = 0; i < 54; i++)
			s.free[i] = 10 + i;
	if (j == SV_D)
		for (int i = 0; i < 32; i++)
			s.free[i] = 63 - 2 * i;
	return s;
}

static inline uint64_t
fake_sheaves_obj(int j, int idx)
{
	const struct fake_slub_cache *c = &fake_sheaves_expect[fake_sheaves_slabs[j].cache];

	return DMAP + fake_sheaves_slabs[j].pfn * 4096 + (uint64_t)idx * c->size;
}

/* Where a sheaf hangs: a CPU's main, spare or rcu_free, a barn's full or
 * empty list. */
enum { SHEAF_MAIN, SHEAF_SPARE, SHEAF_RCU_FREE, SHEAF_FULL, SHEAF_EMPTY };

struct fake_slub_sheaf {
	int cache, where, owner;  /* owner: the CPU, or the barn's node */
	uint32_t size;            /* sheaf->size */
	int n;                    /* objects[] written (past size: stale) */
	int obj[8][2];            /* { slab, index } */
};

#define SHEAVES_N 11
static const struct fake_slub_sheaf fake_sheaves[SHEAVES_N] = {
	{ 0, SHEAF_MAIN, 0, 5, 5, { { SV_A, 0 }, { SV_A, 1 }, { SV_A, 2 }, { SV_A, 3 }, { SV_A, 4 } } },
	{ 0, SHEAF_SPARE, 0, 8, 8, { { SV_A, 10 }, { SV_A, 11 }, { SV_A, 12 }, { SV_A, 13 },
				     { SV_A, 14 }, { SV_A, 15 }, { SV_A, 16 }, { SV_A, 17 } } },
	{ 0, SHEAF_RCU_FREE, 0, 3, 3, { { SV_A, 40 }, { SV_A, 41 }, { SV_A, 42 } } },
	{ 0, SHEAF_MAIN, 1, 3, 3, { { SV_B, 20 }, { SV_B, 21 }, { SV_A, 30 } } },
	{ 0, SHEAF_FULL, 0, 8, 8, { { SV_E, 0 }, { SV_E, 1 }, { SV_E, 2 }, { SV_E, 3 },
				    { SV_E, 4 }, { SV_E, 5 }, { SV_E, 6 }, { SV_E, 7 } } },
	{ 0, SHEAF_FULL, 0, 8, 8, { { SV_E, 8 }, { SV_E, 9 }, { SV_E, 10 }, { SV_E, 11 },
				    { SV_E, 12 }, { SV_E, 13 }, { SV_E, 14 }, { SV_E, 15 } } },
	{ 0, SHEAF_EMPTY, 0, 0, 8, { { SV_E, 20 }, { SV_E, 21 }, { SV_E, 22 }, { SV_E, 23 },
				     { SV_E, 24 }, { SV_E, 25 }, { SV_E, 26 }, { SV_E, 27 } } },
	{ 0, SHEAF_FULL, 1, 8, 8, { { SV_D, 0 }, { SV_D, 2 }, { SV_D, 4 }, { SV_D, 6 },
				    { SV_D, 8 }, { SV_D, 10 }, { SV_D, 12 }, { SV_D, 14 } } },
	{ 1, SHEAF_MAIN, 0, 0, 1, { { SV_G, 13 } } },
	{ 1, SHEAF_MAIN, 1, 3, 3, { { SV_G, 10 }, { SV_G, 11 }, { SV_G, 12 } } },
	{ 1, SHEAF_FULL, 0, 4, 4, { { SV_H, 0 }, { SV_H, 1 }, { SV_H, 2 }, { SV_H, 3 } } },
};

/* What the construction says of object idx of sheaves slab j: 0 allocated,
 * 1 free (its slab's freelist or a barn's full sheaf), 2 free in a CPU's
 * main or spare sheaf (*cpu: that CPU; else -1): vmdive's enum
 * vd_obj_state.  Sheaf skip (-1: none) is left out; rcu_free and empty
 * sheaves hold nothing free, a sheaf nothing past its size. */
static inline int
fake_sheaves_state(int j, int idx, int skip, int *cpu)
{
	struct fake_slub_slab x = fake_sheaves_slab(j);

	*cpu = -1;
	for (int i = 0; i < x.nfree; i++)
		if (x.free[i] == idx)
			return 1;
	for (int s = 0; s < SHEAVES_N; s++) {
		const struct fake_slub_sheaf *sh = &fake_sheaves[s];

		if (s == skip || sh->where == SHEAF_RCU_FREE || sh->where == SHEAF_EMPTY)
			continue;
		for (uint32_t o = 0; o < sh->size; o++)
			if (sh->obj[o][0] == j && sh->obj[o][1] == idx) {
				if (sh->where == SHEAF_FULL)
					return 1;
				*cpu = sh->owner;
				return 2;
			}
	}
	return 0;
}

static inline void fake_slub_put_sheaves(struct fake *f, const struct fake_slub_sheaf *t, int n,
					 const struct fake_slub_slab *slabs,
					 const struct fake_slub_cache *caches,
					 const uint32_t *capacity, uint64_t (*pcs)(int cache));

static inline uint64_t
fake_slub_pcs72(int cache)
{
	return SLUB_CPU_SLAB(cache);
}

/* The sheaves variant's fake kernel (above). */
static inline struct fake *
fake_slub_sheaves_new(void)
{
	struct fake *f = fake_slub_base(fake_sheaves_expect, FAKE_SLUB_SHEAVES);

	/* Pages 2 and 7 hold no slab here: present (zero) all the same, so
	 * that the slab pages are one range of the vmcore, as in the first
	 * variant (the fuzz target XORs over them). */
	for (uint64_t pfn = SLUB_PFN0; pfn < SLUB_PFN0 + 14; pfn++)
		put64(f, pfn * 4096, 0);
	for (int i = 0; i < 2; i++) {
		put64(f, SLUB_KC_PA(i) + KS_CPU_SHEAVES, SLUB_CPU_SLAB(i));
		put32(f, SLUB_KC_PA(i) + KS_SHEAF_CAP, fake_sheaves_capacity[i]);
		for (int n = 0; n < SLUB_NNODES; n++) {
			uint64_t pn = SLUB_KC_PA(i) + KS_PER_NODE + PN_SIZE * n;

			put64(f, pn + PN_NODE, SLUB_KN(i, n));
			put64(f, pn + PN_BARN, SLUB_BARN(i, n));
		}
		/* per_node[2]: past nr_node_ids, garbage that must not be read */
		put64(f, SLUB_KC_PA(i) + KS_PER_NODE + 2 * PN_SIZE + PN_BARN, 0xdead000000000100ULL);
		put64(f, SLUB_KC_PA(i) + KS_PER_NODE + 2 * PN_SIZE + PN_NODE, 0xdead000000000200ULL);
	}
	for (int j = 0; j < SHEAVES_NSLABS; j++) {
		struct fake_slub_slab s = fake_sheaves_slab(j);
		uint32_t order = fake_sheaves_expect[s.cache].order;

		fake_slub_put_slab(f, &s, &fake_sheaves_expect[s.cache], false);
		/* tail pages: compound_info as x86_64 7.2 keeps it, the mask of
		 * the head's alignment in the vmemmap | 1 */
		for (uint32_t p = 1; p < 1u << order; p++)
			put64(f, SLUB_PAGE_PA(s.pfn + p) + 8, ~((64ULL << order) - 1) | 1);
	}
	/* The sheaves, each CPU's slub_percpu_sheaves, the barns' lists. */
	fake_slub_put_sheaves(f, fake_sheaves, SHEAVES_N, fake_sheaves_slabs, fake_sheaves_expect,
			      fake_sheaves_capacity, fake_slub_pcs72);
	{
		static const struct fake_slub_partial part[] = {
			{ 0, 0, 2, { SV_B, SV_C } }, { 0, 1, 1, { SV_D } }, { 1, 0, 1, { SV_G } },
		};
		static const uint64_t nslabs[2][SLUB_NNODES] = { { 5, 1 }, { 2, 0 } };

		fake_slub_nodes(f, fake_sheaves_expect, fake_sheaves_slabs, part, 3, nslabs);
	}
	return f;
}

/*
 * 6.18 .. 6.19: kmem_cache_cpu and sheaves side by side (commit
 * 2d517aa09bbc made sheaves opt-in: a cache without sheaf_capacity has no
 * cpu_sheaves; the barn hangs off kmem_cache_node until 5ba6bc27b1f9).
 * fake_slub_cpu_build()'s state with fuzz-64's sheaves (capacity 8):
 * CPU 0's main sheaf holds objects 0..3 of full slab 7; CPU 1's main
 * holds object 20 of CPU 0's slab 0, object 10 of CPU 0's partial slab 1
 * and object 0 of node 0's partial slab 3, its spare is empty (stale: slab
 * 7's 5); node 0's barn has slab 8's objects 0..7 in a full sheaf and an
 * empty sheaf, node 1's barn nothing.  fuzz-512 has no sheaves.  free =
 * 93 + 4 + 3 + 8 for fuzz-64; kmem -S finds slabs 7 and 8 through the
 * sheaves, the others once each where they are.
 */
static const struct fake_slub_cache fake_cpu_sheaves_expect[2] = {
	{ "fuzz-64", 56, 64, 32, 0, 64, 8, 8 * 64, 108, 1, 2, 2 },
	{ "fuzz-512", 500, 512, 256, 1, 16, 3, 3 * 16, 15, 1, 0, 1 },
};

#define CPU_SHEAVES_N 5
static const struct fake_slub_sheaf fake_cpu_sheaves[CPU_SHEAVES_N] = {
	{ 0, SHEAF_MAIN, 0, 4, 4, { { 7, 0 }, { 7, 1 }, { 7, 2 }, { 7, 3 } } },
	{ 0, SHEAF_MAIN, 1, 3, 3, { { 0, 20 }, { 1, 10 }, { 3, 0 } } },
	{ 0, SHEAF_SPARE, 1, 0, 1, { { 7, 5 } } },
	{ 0, SHEAF_FULL, 0, 8, 8, { { 8, 0 }, { 8, 1 }, { 8, 2 }, { 8, 3 },
				    { 8, 4 }, { 8, 5 }, { 8, 6 }, { 8, 7 } } },
	{ 0, SHEAF_EMPTY, 0, 0, 0, { { 0, 0 } } },
};

/* As fake_sheaves_state(), for slab j of fake_slub_slabs[] in this
 * variant: its freelist, its CPU's lockless freelist (slab 0: CPU 0's,
 * slab 5: CPU 1's), the sheaves. */
static inline int
fake_cpu_sheaves_state(int j, int idx, int *cpu)
{
	struct fake_slub_slab x = fake_slub_slab(j);

	*cpu = -1;
	for (int i = 0; i < x.nfree; i++)
		if (x.free[i] == idx)
			return 1;
	for (int i = 0; i < x.ncpufree; i++)
		if (x.cpufree[i] == idx) {
			*cpu = j == 0 ? 0 : 1;
			return 2;
		}
	for (int s = 0; s < CPU_SHEAVES_N; s++) {
		const struct fake_slub_sheaf *sh = &fake_cpu_sheaves[s];

		if (sh->where == SHEAF_RCU_FREE || sh->where == SHEAF_EMPTY)
			continue;
		for (uint32_t o = 0; o < sh->size; o++)
			if (sh->obj[o][0] == j && sh->obj[o][1] == idx) {
				if (sh->where == SHEAF_FULL)
					return 1;
				*cpu = sh->owner;
				return 2;
			}
	}
	return 0;
}

/* The sheaves of fake_slub_sheaf table t (n of them), each at
 * SLUB_SHEAF_PA(its index): the CPUs' pointers at pcs(cache) in each
 * per-CPU area, the barns' lists, objects of slabs at pfn of slabs[]. */
static inline void
fake_slub_put_sheaves(struct fake *f, const struct fake_slub_sheaf *t, int n,
		      const struct fake_slub_slab *slabs, const struct fake_slub_cache *caches,
		      const uint32_t *capacity, uint64_t (*pcs)(int cache))
{
	for (int i = 0; i < 2; i++)
		for (int nd = 0; nd < SLUB_NNODES; nd++) {
			uint64_t full[8], full_pa[8], empty[8], empty_pa[8];
			uint64_t b = SLUB_BARN_PA(i, nd);
			int nf = 0, ne = 0;

			for (int s = 0; s < n; s++) {
				const struct fake_slub_sheaf *x = &t[s];

				if (x->cache != i || x->owner != nd || x->where < SHEAF_FULL ||
				    nf == 8 || ne == 8)
					continue;
				if (x->where == SHEAF_FULL) {
					full[nf] = SLUB_SHEAF(s) + SH_BARN_LIST;
					full_pa[nf++] = SLUB_SHEAF_PA(s) + SH_BARN_LIST;
				} else {
					empty[ne] = SLUB_SHEAF(s) + SH_BARN_LIST;
					empty_pa[ne++] = SLUB_SHEAF_PA(s) + SH_BARN_LIST;
				}
			}
			fake_slub_list(f, b + NB_FULL, SLUB_BARN(i, nd) + NB_FULL, full, full_pa, nf);
			fake_slub_list(f, b + NB_EMPTY, SLUB_BARN(i, nd) + NB_EMPTY, empty, empty_pa,
				       ne);
			put32(f, b + NB_NR_FULL, (uint32_t)nf);
			put32(f, b + NB_NR_EMPTY, (uint32_t)ne);
		}
	for (int s = 0; s < n; s++) {
		const struct fake_slub_sheaf *x = &t[s];
		uint64_t pa = SLUB_SHEAF_PA(s);

		if (x->where < SHEAF_FULL) {
			static const int at[] = { PCS_MAIN, PCS_SPARE, PCS_RCU_FREE };

			put64(f, SLUB_PCPU_PA(x->owner) + pcs(x->cache) + at[x->where], SLUB_SHEAF(s));
			put32(f, pa, capacity[x->cache]);   /* capacity */
		}
		put64(f, pa + SH_CACHE, SLUB_KC(x->cache));
		put32(f, pa + SH_SIZE, x->size);
		put32(f, pa + SH_NODE, x->where < SHEAF_FULL ? 0xffffffffu : (uint32_t)x->owner);
		for (int o = 0; o < x->n; o++)
			put64(f, pa + SH_OBJECTS + 8 * o,
			      DMAP + slabs[x->obj[o][0]].pfn * 4096 +
			      (uint64_t)x->obj[o][1] * caches[slabs[x->obj[o][0]].cache].size);
	}
}

static inline uint64_t
fake_slub_pcs618(int cache)
{
	return SLUB_PCS618(cache);
}

/* The 6.18 variant's fake kernel (above). */
static inline struct fake *
fake_slub_cpu_sheaves_new(void)
{
	static const uint32_t capacity[2] = { 8, 0 };
	struct fake *f = fake_slub_cpu_build(FAKE_SLUB_CPU_SHEAVES);

	put64(f, SLUB_KC_PA(0) + KT_CPU_SHEAVES, SLUB_PCS618(0));
	put32(f, SLUB_KC_PA(0) + KS_SHEAF_CAP, capacity[0]);
	for (int i = 0; i < 2; i++)
		for (int n = 0; n < SLUB_NNODES; n++)     /* over the first's `full` */
			put64(f, SLUB_KN_PA(i, n) + KN_BARN, i ? 0 : SLUB_BARN(i, n));
	fake_slub_put_sheaves(f, fake_cpu_sheaves, CPU_SHEAVES_N, fake_slub_slabs,
			      fake_slub_expect, capacity, fake_slub_pcs618);
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

/* The same for the sheaves variants (7.2's and 6.18's): the barns after
 * the names, the slub_percpu_sheaves in the per-CPU areas, the sheaves. */
static const struct fake_region fake_sheaves_regions[] = {
	{ SLUB_GLOBALS_PA, 0x30 },
	{ SLUB_KC_PA(0), 0x300 },
	{ SLUB_PCPU_PA(0), 0x200 },
	{ SLUB_SHEAF_PA(0), SHEAVES_N * 0x80 },
	{ SLUB_VMEMMAP_PA + SLUB_PFN0 * 64, 14 * 64 },
	{ SLUB_PFN0 * 4096, 14 * 4096 },
};

/*
 * Write to out the input that turns a's SLUB memory into b's (the XOR of
 * regions[0..n), up to the last byte that differs): the seeds of
 * slab_walk (after their variant byte).
 */
static inline bool
fake_slub_delta(struct fake *a, struct fake *b, const struct fake_region *regions, size_t n,
		FILE *out)
{
	size_t total = 0, last = 0;
	unsigned char *d;
	bool ok;

	for (size_t r = 0; r < n; r++)
		total += regions[r].len;
	if (!(d = calloc(1, total)))
		return false;
	total = 0;
	for (size_t r = 0; r < n; r++)
		for (uint64_t i = 0; i < regions[r].len; i++, total++) {
			uint64_t pa = regions[r].pa + i;
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
