// SPDX-License-Identifier: MIT
/*
 * The SLUB cache walk (what `kmem -s` and `kmem -S` print) on a constructed
 * kernel (fake_slub.h): two caches on slab_caches, two CPUs, two nodes of
 * kmem_cache.node[4], CPU slabs with lockless freelists, CPU partial
 * slabs, node partial lists and full slabs on no list, every free pointer
 * hardened.  The statistics and every slab's objects must be the ones
 * constructed.  Then hostile states: lists that loop (the node partial
 * list through one slab, the CPU partial chain, slab_caches), a huge
 * nr_cpu_ids, a cache whose sizes make no sense; each ends with a clear
 * error, and the rest of the walk goes on where it can.
 *
 * The same on the sheaves variant (7.2: no kmem_cache_cpu; CPU sheaves,
 * barns): statistics, slabs (on the node partial lists and, found through
 * the sheaves' objects, on no list) and objects by address, each object's
 * state derived from the construction's tables (fake_sheaves[]); then a
 * sheaf that claims too much, a barn list that loops, a sheaf twice.  And
 * on the 6.18 variant (kmem_cache_cpu and sheaves side by side, the barn
 * in kmem_cache_node): a CPU's slab whose objects another CPU's sheaf
 * holds.
 */
#include <bpf/btf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "vmdive/memory.h"
#include "vmdive/session.h"

#include "fake_slub.h"

static struct vd_kmem *
open_kmem(struct fake *f, struct vd_session **sp)
{
	char path[64];
	struct vd_kmem *k = NULL;
	const char *p = path;
	bool ok;

	snprintf(path, sizeof(path), "fake-slub-%d.elf", (int)getpid());
	ok = fake_write_vmcore(f, path);
	fake_free(f);
	*sp = NULL;
	CHECK(ok);
	if (!ok)
		return NULL;
	CHECK_OK(vd_session_open(&p, 1, NULL, sp));
	unlink(path);
	if (!*sp)
		return NULL;
	CHECK_OK(vd_kmem_open(*sp, &k));
	return k;
}

static void
close_kmem(struct vd_kmem *k, struct vd_session *s)
{
	vd_kmem_close(k);
	vd_session_close(s);
}

/* Errors reported by a walk, kept as text. */
struct errs {
	int n;
	char last[512];
};

static void
on_err(void *priv, struct vd_error *err)
{
	struct errs *e = priv;

	e->n++;
	snprintf(e->last, sizeof(e->last), "%s", err->msg);
	vd_error_destroy(err);
}

static void
check_stats_of(const struct vd_slab_cache *c, int i, const struct fake_slub_cache *x)
{
	CHECK_EQ_U64(c->addr, SLUB_KC(i));
	CHECK_STR(c->name, x->name);
	CHECK_EQ_U64(c->object_size, x->object_size);
	CHECK_EQ_U64(c->size, x->size);
	CHECK_EQ_U64(c->offset, x->offset);
	CHECK_EQ_U64(c->order, x->order);
	CHECK_EQ_U64(c->objects, x->objects);
	CHECK_EQ_U64(c->slab_size, 4096ull << x->order);
	CHECK(c->hardened);
	CHECK_EQ_U64(c->random, SLUB_RANDOM);
	CHECK(c->have_stats);
	CHECK_EQ_U64(c->nr_slabs, x->nr_slabs);
	CHECK_EQ_U64(c->total_objects, x->total);
	CHECK_EQ_U64(c->free_objects, x->free_);
	CHECK_EQ_U64(c->allocated, x->total - x->free_);
	CHECK_EQ_U64(c->cpu_slabs, x->cpu_slabs);
	CHECK_EQ_U64(c->cpu_partial_slabs, x->cpu_partial);
	CHECK_EQ_U64(c->node_partial_slabs, x->node_partial);
}

static void
check_stats(const struct vd_slab_cache *c, int i)
{
	check_stats_of(c, i, &fake_slub_expect[i]);
}

TEST(caches_and_statistics)
{
	struct vd_session *s;
	struct vd_kmem *k = open_kmem(fake_slub_new(), &s);
	struct vd_slab_cache *v = NULL, c;
	struct errs e = { 0 };
	size_t n = 0;

	if (!k)
		return;
	CHECK_OK(vd_kmem_caches(k, &v, &n, on_err, &e));
	CHECK_EQ_U64(n, 2);
	CHECK_EQ_U64(e.n, 0);
	for (size_t i = 0; i < n && i < 2; i++)
		check_stats(&v[i], (int)i);
	free(v);
	CHECK_OK(vd_kmem_cache_find(k, "fuzz-512", &c));
	check_stats(&c, 1);
	CHECK_ERR(vd_kmem_cache_find(k, "fuzz-4096", &c), VD_ERR_LOOKUP);
	close_kmem(k, s);
}

/* The slabs of a walk, in the order found, and its errors (first: one
 * priv serves both callbacks). */
struct seen {
	struct errs e;
	int n;
	struct {
		struct vd_slab s;
		enum vd_obj_state state[64];
		int obj_cpu[64];
		bool have_obj_cpu;
	} v[16];
};

static bool
on_slab(void *priv, const struct vd_slab *slab)
{
	struct seen *sn = priv;

	if (sn->n == 16)
		return false;
	sn->v[sn->n].s = *slab;
	memcpy(sn->v[sn->n].state, slab->state,
	       (slab->objects < 64 ? slab->objects : 64) * sizeof(slab->state[0]));
	if ((sn->v[sn->n].have_obj_cpu = slab->obj_cpu != NULL))
		memcpy(sn->v[sn->n].obj_cpu, slab->obj_cpu,
		       (slab->objects < 64 ? slab->objects : 64) * sizeof(slab->obj_cpu[0]));
	sn->v[sn->n].s.state = NULL;
	sn->v[sn->n].s.obj_cpu = NULL;
	sn->n++;
	return true;
}

/* Slab j found as expected: where, whose, every object's state. */
static void
check_slab(const struct seen *sn, int at, int j, enum vd_slab_where where, int cpu, int node)
{
	struct fake_slub_slab x = fake_slub_slab(j);
	const struct fake_slub_cache *c = &fake_slub_expect[x.cache];
	const struct vd_slab *s = &sn->v[at].s;
	enum vd_obj_state want[64];
	int bad = -1;

	CHECK(at < sn->n);
	if (at >= sn->n)
		return;
	CHECK_EQ_U64(s->slab, fake_slub_slab_addr(j));
	CHECK_EQ_U64(s->base, DMAP + x.pfn * 4096);
	CHECK_EQ_U64(s->objects, c->objects);
	CHECK_EQ_U64(s->inuse, x.inuse);
	CHECK_EQ_U64(s->where, where);
	CHECK_EQ_U64((uint64_t)(int64_t)s->cpu, (uint64_t)(int64_t)cpu);
	CHECK_EQ_U64((uint64_t)(int64_t)s->node, (uint64_t)(int64_t)node);
	CHECK_EQ_U64(s->nfree, (uint64_t)(x.nfree + x.ncpufree));
	CHECK_EQ_U64(s->frozen, j == 0 || j == 5);
	for (uint32_t i = 0; i < c->objects; i++)
		want[i] = VD_OBJ_ALLOCATED;
	for (int i = 0; i < x.nfree; i++)
		want[x.free[i]] = VD_OBJ_FREE;
	for (int i = 0; i < x.ncpufree; i++)
		want[x.cpufree[i]] = VD_OBJ_FREE_CPU;
	for (uint32_t i = 0; i < c->objects && bad < 0; i++)
		if (sn->v[at].state[i] != want[i])
			bad = (int)i;
	CHECK_EQ_U64((uint64_t)(int64_t)bad, (uint64_t)-1);
}

TEST(slabs_and_objects)
{
	struct vd_session *s;
	struct vd_kmem *k = open_kmem(fake_slub_new(), &s);
	struct vd_slab_cache c;
	struct seen sn = { 0 };

	if (!k)
		return;
	CHECK_OK(vd_kmem_cache_find(k, "fuzz-64", &c));
	CHECK_OK(vd_kmem_cache_slabs(k, &c, on_slab, on_err, &sn));
	CHECK_EQ_U64(sn.e.n, 0);
	CHECK_EQ_U64(sn.n, 5);
	check_slab(&sn, 0, 0, VD_SLAB_CPU, 0, -1);
	check_slab(&sn, 1, 1, VD_SLAB_CPU_PARTIAL, 0, -1);
	check_slab(&sn, 2, 2, VD_SLAB_CPU_PARTIAL, 0, -1);
	check_slab(&sn, 3, 3, VD_SLAB_NODE_PARTIAL, -1, 0);
	check_slab(&sn, 4, 4, VD_SLAB_NODE_PARTIAL, -1, 1);
	memset(&sn, 0, sizeof(sn));
	CHECK_OK(vd_kmem_cache_find(k, "fuzz-512", &c));
	CHECK_OK(vd_kmem_cache_slabs(k, &c, on_slab, on_err, &sn));
	CHECK_EQ_U64(sn.e.n, 0);
	CHECK_EQ_U64(sn.n, 2);
	check_slab(&sn, 0, 5, VD_SLAB_CPU, 1, -1);
	check_slab(&sn, 1, 6, VD_SLAB_NODE_PARTIAL, -1, 0);
	close_kmem(k, s);
}

/* kmem ADDRESS: an address inside object idx of slab j. */
static void
check_object(struct vd_kmem *k, int j, int idx, uint64_t into, enum vd_obj_state state, int cpu)
{
	struct fake_slub_slab x = fake_slub_slab(j);
	struct vd_kmem_addr a;

	CHECK_OK(vd_kmem_identify(k, fake_slub_obj(j, idx) + into, &a));
	CHECK_EQ_U64(a.kind, VD_ADDR_SLAB);
	CHECK_STR(a.cache.name, fake_slub_expect[x.cache].name);
	CHECK_EQ_U64(a.cache.addr, SLUB_KC(x.cache));
	CHECK_EQ_U64(a.slab, fake_slub_slab_addr(j));
	CHECK_EQ_U64(a.object, fake_slub_obj(j, idx));
	CHECK_EQ_U64(a.object_index, (uint64_t)idx);
	CHECK_EQ_U64(a.obj_state, state);
	CHECK_EQ_U64((uint64_t)(int64_t)a.obj_cpu, (uint64_t)(int64_t)cpu);
}

TEST(objects_by_address)
{
	struct vd_session *s;
	struct vd_kmem *k = open_kmem(fake_slub_new(), &s);

	if (!k)
		return;
	check_object(k, 0, 5, 0, VD_OBJ_FREE_CPU, 0);      // CPU 0's lockless freelist
	check_object(k, 0, 6, 63, VD_OBJ_ALLOCATED, -1);
	check_object(k, 1, 63, 40, VD_OBJ_FREE, -1);       // CPU partial slab's freelist
	check_object(k, 1, 62, 8, VD_OBJ_ALLOCATED, -1);
	check_object(k, 3, 10, 1, VD_OBJ_FREE, -1);        // node partial
	check_object(k, 3, 9, 0, VD_OBJ_ALLOCATED, -1);
	check_object(k, 5, 2, 300, VD_OBJ_FREE_CPU, 1);    // CPU 1's slab of fuzz-512
	check_object(k, 6, 3, 511, VD_OBJ_ALLOCATED, -1);
	check_object(k, 7, 0, 0, VD_OBJ_ALLOCATED, -1);    // a full slab on no list
	close_kmem(k, s);
}

/* A slab's struct slab, by PA. */
static uint64_t
slab_pa(int j)
{
	return SLUB_PAGE_PA(fake_slub_slabs[j].pfn);
}

TEST(hostile_lists)
{
	struct vd_session *s;
	struct vd_kmem *k;
	struct fake *f;
	struct vd_slab_cache *v = NULL, c;
	struct errs e = { 0 };
	struct seen sn = { 0 };
	size_t n = 0;

	// Node 0's partial list of cache 0 loops back to slab 3 from slab 3,
	// never reaching the head again; CPU 0's partial chain of cache 0
	// loops from slab 2 to slab 1.  Cache 1 is intact.
	f = fake_slub_new();
	put64(f, slab_pa(3) + SL_LIST + LH_NEXT, fake_slub_slab_addr(3) + SL_LIST);
	put64(f, slab_pa(2) + SL_NEXT, fake_slub_slab_addr(1));
	if (!(k = open_kmem(f, &s)))
		return;
	CHECK_OK(vd_kmem_caches(k, &v, &n, on_err, &e));
	CHECK_EQ_U64(n, 2);
	CHECK_EQ_U64(e.n, 1);
	CHECK(strstr(e.last, "fuzz-64") && strstr(e.last, "loops"));
	if (n == 2) {
		CHECK(!v[0].have_stats);
		check_stats(&v[1], 1);
	}
	free(v);
	c = (struct vd_slab_cache){ .addr = SLUB_KC(0) };
	CHECK_OK(vd_kmem_cache_slabs(k, &c, on_slab, on_err, &sn));
	// The CPU slab, the two partial slabs once each, slab 3 once; both
	// loops reported; node 1's list walked after them.
	CHECK_EQ_U64(sn.e.n, 2);
	CHECK_EQ_U64(sn.n, 5);
	check_slab(&sn, 0, 0, VD_SLAB_CPU, 0, -1);
	check_slab(&sn, 1, 1, VD_SLAB_CPU_PARTIAL, 0, -1);
	check_slab(&sn, 2, 2, VD_SLAB_CPU_PARTIAL, 0, -1);
	check_slab(&sn, 3, 3, VD_SLAB_NODE_PARTIAL, -1, 0);
	check_slab(&sn, 4, 4, VD_SLAB_NODE_PARTIAL, -1, 1);
	close_kmem(k, s);

	// CPU 1 of cache 0 claims CPU 0's slab and partial chain: each slab
	// is walked once, the second claims reported (the work of a cache is
	// bounded by its slabs, not by CPUs times their chains).
	f = fake_slub_new();
	put64(f, SLUB_PCPU_PA(1) + SLUB_CPU_SLAB(0) + KCC_SLAB, fake_slub_slab_addr(0));
	put64(f, SLUB_PCPU_PA(1) + SLUB_CPU_SLAB(0) + KCC_PARTIAL, fake_slub_slab_addr(1));
	if (!(k = open_kmem(f, &s)))
		return;
	memset(&sn, 0, sizeof(sn));
	CHECK_OK(vd_kmem_cache_slabs(k, &c, on_slab, on_err, &sn));
	CHECK_EQ_U64(sn.e.n, 2);
	CHECK(strstr(sn.e.last, "CPU 1 partial list") && strstr(sn.e.last, "met twice"));
	CHECK_EQ_U64(sn.n, 5);
	check_slab(&sn, 0, 0, VD_SLAB_CPU, 0, -1);
	check_slab(&sn, 4, 4, VD_SLAB_NODE_PARTIAL, -1, 1);
	e.n = 0;
	CHECK_OK(vd_kmem_caches(k, &v, &n, on_err, &e));
	CHECK_EQ_U64(e.n, 1);
	CHECK(strstr(e.last, "CPU 1 slab") && strstr(e.last, "met twice"));
	if (n == 2) {
		CHECK(!v[0].have_stats);
		check_stats(&v[1], 1);
	}
	free(v);
	close_kmem(k, s);

	// slab_caches loops from cache 1 to cache 1.
	f = fake_slub_new();
	put64(f, SLUB_KC_PA(1) + KC_LIST + LH_NEXT, SLUB_KC(1) + KC_LIST);
	if (!(k = open_kmem(f, &s)))
		return;
	CHECK_ERR(vd_kmem_caches(k, &v, &n, NULL, NULL), VD_ERR_CORRUPT);
	CHECK_ERR(vd_kmem_cache_find(k, "fuzz-4096", &c), VD_ERR_CORRUPT);
	close_kmem(k, s);
}

TEST(hostile_numbers)
{
	struct vd_session *s;
	struct vd_kmem *k;
	struct fake *f;
	struct vd_slab_cache *v = NULL;
	struct errs e = { 0 };
	size_t n = 0;

	// A nr_cpu_ids past any machine: refused when the kmem opens.
	f = fake_slub_new();
	put32(f, SLUB_NR_CPU_PA, 0x7fffffff);
	{
		char path[64];
		const char *p = path;

		snprintf(path, sizeof(path), "fake-slub-%d.elf", (int)getpid());
		CHECK(fake_write_vmcore(f, path));
		fake_free(f);
		CHECK_OK(vd_session_open(&p, 1, NULL, &s));
		unlink(path);
		k = NULL;
		CHECK_ERR(vd_kmem_open(s, &k), VD_ERR_CORRUPT);
		vd_session_close(s);
	}
	// Cache 0 of size 0 and cache 1 with 65535 objects a slab: both named
	// in an error, neither counted.
	f = fake_slub_new();
	put32(f, SLUB_KC_PA(0) + KC_SZ, 0);
	put32(f, SLUB_KC_PA(1) + KC_OO, 1 << 16 | 0xffff);
	if (!(k = open_kmem(f, &s)))
		return;
	CHECK_OK(vd_kmem_caches(k, &v, &n, on_err, &e));
	CHECK_EQ_U64(n, 2);
	CHECK_EQ_U64(e.n, 2);
	CHECK(strstr(e.last, "fuzz-512") && strstr(e.last, "65535 objects"));
	if (n == 2)
		CHECK(!v[0].have_stats && !v[1].have_stats);
	free(v);
	close_kmem(k, s);
}

/* The sheaves variant --------------------------------------------------------- */

/* fake_sheaves_state() as an enum vd_obj_state (its 0, 1, 2). */
static enum vd_obj_state
sheaves_want(int j, int idx, int skip, int *cpu)
{
	static const enum vd_obj_state st[3] = { VD_OBJ_ALLOCATED, VD_OBJ_FREE, VD_OBJ_FREE_CPU };

	return st[fake_sheaves_state(j, idx, skip, cpu)];
}

/* Slab j of the sheaves variant found as the construction has it. */
static void
check_sheaves_slab(const struct seen *sn, int at, int j, enum vd_slab_where where, int node,
		   int skip)
{
	struct fake_slub_slab x = fake_sheaves_slab(j);
	const struct fake_slub_cache *c = &fake_sheaves_expect[x.cache];
	const struct vd_slab *s = &sn->v[at].s;
	uint32_t nfree = 0;
	int bad = -1, badcpu = -1;

	CHECK(at < sn->n);
	if (at >= sn->n)
		return;
	CHECK_EQ_U64(s->slab, SLUB_PAGE(x.pfn));
	CHECK_EQ_U64(s->base, DMAP + x.pfn * 4096);
	CHECK_EQ_U64(s->objects, c->objects);
	CHECK_EQ_U64(s->inuse, x.inuse);
	CHECK_EQ_U64(s->where, where);
	CHECK_EQ_U64((uint64_t)(int64_t)s->cpu, (uint64_t)-1);
	CHECK_EQ_U64((uint64_t)(int64_t)s->node, (uint64_t)(int64_t)node);
	CHECK(sn->v[at].have_obj_cpu);
	for (uint32_t i = 0; i < c->objects; i++) {
		int cpu;
		enum vd_obj_state w = sheaves_want(j, (int)i, skip, &cpu);

		nfree += w != VD_OBJ_ALLOCATED;
		if (sn->v[at].state[i] != w && bad < 0)
			bad = (int)i;
		if (w == VD_OBJ_FREE_CPU && sn->v[at].have_obj_cpu && sn->v[at].obj_cpu[i] != cpu &&
		    badcpu < 0)
			badcpu = (int)i;
	}
	CHECK_EQ_U64(s->nfree, nfree);
	CHECK_EQ_U64((uint64_t)(int64_t)bad, (uint64_t)-1);
	CHECK_EQ_U64((uint64_t)(int64_t)badcpu, (uint64_t)-1);
}

TEST(sheaves_statistics)
{
	struct vd_session *s;
	struct vd_kmem *k = open_kmem(fake_slub_sheaves_new(), &s);
	struct vd_slab_cache *v = NULL, c;
	struct errs e = { 0 };
	size_t n = 0;

	if (!k)
		return;
	CHECK_OK(vd_kmem_caches(k, &v, &n, on_err, &e));
	CHECK_EQ_U64(n, 2);
	CHECK_EQ_U64(e.n, 0);
	for (size_t i = 0; i < n && i < 2; i++)
		check_stats_of(&v[i], (int)i, &fake_sheaves_expect[i]);
	free(v);
	CHECK_OK(vd_kmem_cache_find(k, "fuzz-512", &c));
	check_stats_of(&c, 1, &fake_sheaves_expect[1]);
	close_kmem(k, s);
}

TEST(sheaves_slabs_and_objects)
{
	struct vd_session *s;
	struct vd_kmem *k = open_kmem(fake_slub_sheaves_new(), &s);
	struct vd_slab_cache c;
	struct seen sn = { 0 };

	if (!k)
		return;
	// fuzz-64: node 0's partial B and C, node 1's D, then the full slabs
	// that hold sheaf objects (A: the CPUs' sheaves; E: node 0's barn);
	// F, full and in no sheaf, is on no list and not found.
	CHECK_OK(vd_kmem_cache_find(k, "fuzz-64", &c));
	CHECK_OK(vd_kmem_cache_slabs(k, &c, on_slab, on_err, &sn));
	CHECK_EQ_U64(sn.e.n, 0);
	CHECK_EQ_U64(sn.n, 5);
	check_sheaves_slab(&sn, 0, SV_B, VD_SLAB_NODE_PARTIAL, 0, -1);
	check_sheaves_slab(&sn, 1, SV_C, VD_SLAB_NODE_PARTIAL, 0, -1);
	check_sheaves_slab(&sn, 2, SV_D, VD_SLAB_NODE_PARTIAL, 1, -1);
	check_sheaves_slab(&sn, 3, SV_A, VD_SLAB_OTHER, -1, -1);
	check_sheaves_slab(&sn, 4, SV_E, VD_SLAB_OTHER, -1, -1);
	memset(&sn, 0, sizeof(sn));
	CHECK_OK(vd_kmem_cache_find(k, "fuzz-512", &c));
	CHECK_OK(vd_kmem_cache_slabs(k, &c, on_slab, on_err, &sn));
	CHECK_EQ_U64(sn.e.n, 0);
	CHECK_EQ_U64(sn.n, 2);
	check_sheaves_slab(&sn, 0, SV_G, VD_SLAB_NODE_PARTIAL, 0, -1);
	check_sheaves_slab(&sn, 1, SV_H, VD_SLAB_OTHER, -1, -1);
	close_kmem(k, s);
}

/* kmem ADDRESS on object idx of slab j of the sheaves variant (into bytes in). */
static void
check_sheaves_object(struct vd_kmem *k, int j, int idx, uint64_t into, enum vd_obj_state state,
		     int cpu)
{
	struct fake_slub_slab x = fake_sheaves_slab(j);
	struct vd_kmem_addr a;
	int want_cpu;

	// the construction's tables say the same as the literal
	CHECK_EQ_U64(sheaves_want(j, idx, -1, &want_cpu), state);
	CHECK_EQ_U64((uint64_t)(int64_t)want_cpu, (uint64_t)(int64_t)cpu);
	CHECK_OK(vd_kmem_identify(k, fake_sheaves_obj(j, idx) + into, &a));
	CHECK_EQ_U64(a.kind, VD_ADDR_SLAB);
	CHECK_STR(a.cache.name, fake_sheaves_expect[x.cache].name);
	CHECK_EQ_U64(a.cache.addr, SLUB_KC(x.cache));
	CHECK_EQ_U64(a.slab, SLUB_PAGE(x.pfn));
	CHECK_EQ_U64(a.object, fake_sheaves_obj(j, idx));
	CHECK_EQ_U64(a.object_index, (uint64_t)idx);
	CHECK_EQ_U64(a.obj_state, state);
	CHECK_EQ_U64((uint64_t)(int64_t)a.obj_cpu, (uint64_t)(int64_t)cpu);
}

TEST(sheaves_objects_by_address)
{
	struct vd_session *s;
	struct vd_kmem *k = open_kmem(fake_slub_sheaves_new(), &s);

	if (!k)
		return;
	check_sheaves_object(k, SV_A, 2, 0, VD_OBJ_FREE_CPU, 0);     // CPU 0's main sheaf
	check_sheaves_object(k, SV_A, 12, 63, VD_OBJ_FREE_CPU, 0);   // CPU 0's spare sheaf
	check_sheaves_object(k, SV_A, 30, 8, VD_OBJ_FREE_CPU, 1);    // CPU 1's main sheaf
	check_sheaves_object(k, SV_A, 41, 0, VD_OBJ_ALLOCATED, -1);  // CPU 0's rcu_free sheaf
	check_sheaves_object(k, SV_A, 50, 0, VD_OBJ_ALLOCATED, -1);
	check_sheaves_object(k, SV_B, 20, 1, VD_OBJ_FREE_CPU, 1);    // a partial slab's, in a sheaf
	check_sheaves_object(k, SV_B, 3, 0, VD_OBJ_FREE, -1);        // its freelist
	check_sheaves_object(k, SV_B, 22, 0, VD_OBJ_ALLOCATED, -1);
	check_sheaves_object(k, SV_E, 9, 32, VD_OBJ_FREE, -1);       // node 0's barn, full sheaf
	check_sheaves_object(k, SV_E, 21, 0, VD_OBJ_ALLOCATED, -1);  // past an empty sheaf's size
	check_sheaves_object(k, SV_D, 4, 0, VD_OBJ_FREE, -1);        // node 1's barn
	check_sheaves_object(k, SV_D, 3, 0, VD_OBJ_FREE, -1);
	check_sheaves_object(k, SV_F, 0, 0, VD_OBJ_ALLOCATED, -1);   // full, in no sheaf
	check_sheaves_object(k, SV_G, 11, 300, VD_OBJ_FREE_CPU, 1);  // fuzz-512, CPU 1's main
	check_sheaves_object(k, SV_G, 13, 0, VD_OBJ_ALLOCATED, -1);  // past CPU 0's main's size
	check_sheaves_object(k, SV_G, 5, 0, VD_OBJ_FREE, -1);
	check_sheaves_object(k, SV_H, 2, 0, VD_OBJ_FREE, -1);        // node 0's barn of fuzz-512
	close_kmem(k, s);
}

TEST(sheaves_hostile)
{
	struct vd_session *s;
	struct vd_kmem *k;
	struct fake *f;
	struct vd_slab_cache *v = NULL, c;
	struct vd_kmem_addr a;
	struct errs e = { 0 };
	struct seen sn = { 0 };
	size_t n = 0;

	// CPU 0's main sheaf of fuzz-64 claims 5000 objects: fuzz-64 named in
	// an error, uncounted; fuzz-512 intact; kmem -S and kmem ADDR of
	// fuzz-64 fail with the sheaf named.
	f = fake_slub_sheaves_new();
	put32(f, SLUB_SHEAF_PA(0) + SH_SIZE, 5000);
	if (!(k = open_kmem(f, &s)))
		return;
	CHECK_OK(vd_kmem_caches(k, &v, &n, on_err, &e));
	CHECK_EQ_U64(n, 2);
	CHECK_EQ_U64(e.n, 1);
	CHECK(strstr(e.last, "fuzz-64") && strstr(e.last, "5000 objects"));
	if (n == 2) {
		CHECK(!v[0].have_stats);
		check_stats_of(&v[1], 1, &fake_sheaves_expect[1]);
	}
	free(v);
	c = (struct vd_slab_cache){ .addr = SLUB_KC(0) };
	CHECK_ERR(vd_kmem_cache_slabs(k, &c, on_slab, on_err, &sn), VD_ERR_CORRUPT);
	CHECK_ERR(vd_kmem_identify(k, fake_sheaves_obj(SV_A, 2), &a), VD_ERR_CORRUPT);
	close_kmem(k, s);

	// Node 0's full sheaves of fuzz-64 loop (sheaf 5 leads back to sheaf
	// 4): an error that says so, not a walk that never ends.
	f = fake_slub_sheaves_new();
	put64(f, SLUB_SHEAF_PA(5) + SH_BARN_LIST + LH_NEXT, SLUB_SHEAF(4) + SH_BARN_LIST);
	if (!(k = open_kmem(f, &s)))
		return;
	e.n = 0;
	CHECK_OK(vd_kmem_caches(k, &v, &n, on_err, &e));
	CHECK_EQ_U64(e.n, 1);
	CHECK(strstr(e.last, "fuzz-64") && strstr(e.last, "full sheaves") && strstr(e.last, "loops"));
	if (n == 2) {
		CHECK(!v[0].have_stats);
		check_stats_of(&v[1], 1, &fake_sheaves_expect[1]);
	}
	free(v);
	close_kmem(k, s);

	// CPU 1's main sheaf of fuzz-64 is CPU 0's (as a CPU stopped inside
	// swap(main, spare) would leave its own two): counted once, CPU 0's;
	// CPU 1's sheaf (sheaf 3) holds nothing for the walk.
	f = fake_slub_sheaves_new();
	put64(f, SLUB_PCPU_PA(1) + SLUB_CPU_SLAB(0) + PCS_MAIN, SLUB_SHEAF(0));
	if (!(k = open_kmem(f, &s)))
		return;
	e.n = 0;
	CHECK_OK(vd_kmem_caches(k, &v, &n, on_err, &e));
	CHECK_EQ_U64(e.n, 0);
	if (n == 2) {
		struct fake_slub_cache x = fake_sheaves_expect[0];

		x.free_ -= fake_sheaves[3].size;
		check_stats_of(&v[0], 0, &x);
	}
	free(v);
	c = (struct vd_slab_cache){ .addr = SLUB_KC(0) };
	memset(&sn, 0, sizeof(sn));
	CHECK_OK(vd_kmem_cache_slabs(k, &c, on_slab, on_err, &sn));
	CHECK_EQ_U64(sn.e.n, 0);
	CHECK_EQ_U64(sn.n, 5);
	check_sheaves_slab(&sn, 0, SV_B, VD_SLAB_NODE_PARTIAL, 0, 3);
	check_sheaves_slab(&sn, 3, SV_A, VD_SLAB_OTHER, -1, 3);
	CHECK_OK(vd_kmem_identify(k, fake_sheaves_obj(SV_A, 2), &a));
	CHECK_EQ_U64(a.obj_state, VD_OBJ_FREE_CPU);
	CHECK_EQ_U64((uint64_t)(int64_t)a.obj_cpu, 0);
	close_kmem(k, s);

	// A sheaf of fuzz-64 holds an object of fuzz-512's slab G and a wild
	// pointer: kmem -S reports both and lists the rest.
	f = fake_slub_sheaves_new();
	put64(f, SLUB_SHEAF_PA(4) + SH_OBJECTS, fake_sheaves_obj(SV_G, 15));
	put64(f, SLUB_SHEAF_PA(4) + SH_OBJECTS + 8, 0xdead4ead00000000ULL);
	if (!(k = open_kmem(f, &s)))
		return;
	memset(&sn, 0, sizeof(sn));
	CHECK_OK(vd_kmem_cache_slabs(k, &c, on_slab, on_err, &sn));
	CHECK_EQ_U64(sn.e.n, 2);
	CHECK_EQ_U64(sn.n, 5);
	check_sheaves_slab(&sn, 0, SV_B, VD_SLAB_NODE_PARTIAL, 0, -1);
	check_sheaves_slab(&sn, 3, SV_A, VD_SLAB_OTHER, -1, -1);
	close_kmem(k, s);
}

/* 6.18 .. 6.19: kmem_cache_cpu and sheaves side by side ------------------------ */

/* Slab j of fake_slub_slabs[] in the 6.18 variant found as constructed. */
static void
check_cpu_sheaves_slab(const struct seen *sn, int at, int j, enum vd_slab_where where, int cpu,
		       int node)
{
	static const enum vd_obj_state st[3] = { VD_OBJ_ALLOCATED, VD_OBJ_FREE, VD_OBJ_FREE_CPU };
	struct fake_slub_slab x = fake_slub_slab(j);
	const struct fake_slub_cache *c = &fake_cpu_sheaves_expect[x.cache];
	const struct vd_slab *s = &sn->v[at].s;
	uint32_t nfree = 0;
	int bad = -1, badcpu = -1;

	CHECK(at < sn->n);
	if (at >= sn->n)
		return;
	CHECK_EQ_U64(s->slab, fake_slub_slab_addr(j));
	CHECK_EQ_U64(s->where, where);
	CHECK_EQ_U64((uint64_t)(int64_t)s->cpu, (uint64_t)(int64_t)cpu);
	CHECK_EQ_U64((uint64_t)(int64_t)s->node, (uint64_t)(int64_t)node);
	for (uint32_t i = 0; i < c->objects; i++) {
		int wcpu;
		enum vd_obj_state w = st[fake_cpu_sheaves_state(j, (int)i, &wcpu)];
		// obj_cpu NULL: every object free on a CPU is the slab's CPU's
		int got = sn->v[at].have_obj_cpu ? sn->v[at].obj_cpu[i] : s->cpu;

		nfree += w != VD_OBJ_ALLOCATED;
		if (sn->v[at].state[i] != w && bad < 0)
			bad = (int)i;
		if (w == VD_OBJ_FREE_CPU && got != wcpu && badcpu < 0)
			badcpu = (int)i;
	}
	CHECK_EQ_U64(s->nfree, nfree);
	CHECK_EQ_U64((uint64_t)(int64_t)bad, (uint64_t)-1);
	CHECK_EQ_U64((uint64_t)(int64_t)badcpu, (uint64_t)-1);
}

/* kmem ADDRESS on object idx of slab j in the 6.18 variant. */
static void
check_cpu_sheaves_object(struct vd_kmem *k, int j, int idx, enum vd_obj_state state, int cpu)
{
	static const enum vd_obj_state st[3] = { VD_OBJ_ALLOCATED, VD_OBJ_FREE, VD_OBJ_FREE_CPU };
	struct vd_kmem_addr a;
	int want_cpu;

	CHECK_EQ_U64(st[fake_cpu_sheaves_state(j, idx, &want_cpu)], state);
	CHECK_EQ_U64((uint64_t)(int64_t)want_cpu, (uint64_t)(int64_t)cpu);
	CHECK_OK(vd_kmem_identify(k, fake_slub_obj(j, idx) + 4, &a));
	CHECK_EQ_U64(a.kind, VD_ADDR_SLAB);
	CHECK_EQ_U64(a.slab, fake_slub_slab_addr(j));
	CHECK_EQ_U64(a.object, fake_slub_obj(j, idx));
	CHECK_EQ_U64(a.obj_state, state);
	CHECK_EQ_U64((uint64_t)(int64_t)a.obj_cpu, (uint64_t)(int64_t)cpu);
}

TEST(cpu_slabs_and_sheaves)
{
	struct vd_session *s;
	struct vd_kmem *k = open_kmem(fake_slub_cpu_sheaves_new(), &s);
	struct vd_slab_cache *v = NULL, c;
	struct errs e = { 0 };
	struct seen sn = { 0 };
	size_t n = 0;

	if (!k)
		return;
	CHECK_OK(vd_kmem_caches(k, &v, &n, on_err, &e));
	CHECK_EQ_U64(n, 2);
	CHECK_EQ_U64(e.n, 0);
	for (size_t i = 0; i < n && i < 2; i++)
		check_stats_of(&v[i], (int)i, &fake_cpu_sheaves_expect[i]);
	free(v);
	// Each slab once: CPU 0's slab and partial slabs (their objects in
	// CPU 1's sheaf are CPU 1's), the node partial slabs, then the full
	// slabs 7 and 8 through the sheaves.
	CHECK_OK(vd_kmem_cache_find(k, "fuzz-64", &c));
	CHECK_OK(vd_kmem_cache_slabs(k, &c, on_slab, on_err, &sn));
	CHECK_EQ_U64(sn.e.n, 0);
	CHECK_EQ_U64(sn.n, 7);
	check_cpu_sheaves_slab(&sn, 0, 0, VD_SLAB_CPU, 0, -1);
	check_cpu_sheaves_slab(&sn, 1, 1, VD_SLAB_CPU_PARTIAL, 0, -1);
	check_cpu_sheaves_slab(&sn, 2, 2, VD_SLAB_CPU_PARTIAL, 0, -1);
	check_cpu_sheaves_slab(&sn, 3, 3, VD_SLAB_NODE_PARTIAL, -1, 0);
	check_cpu_sheaves_slab(&sn, 4, 4, VD_SLAB_NODE_PARTIAL, -1, 1);
	check_cpu_sheaves_slab(&sn, 5, 7, VD_SLAB_OTHER, -1, -1);
	check_cpu_sheaves_slab(&sn, 6, 8, VD_SLAB_OTHER, -1, -1);
	memset(&sn, 0, sizeof(sn));
	CHECK_OK(vd_kmem_cache_find(k, "fuzz-512", &c));
	check_stats_of(&c, 1, &fake_cpu_sheaves_expect[1]);
	CHECK_OK(vd_kmem_cache_slabs(k, &c, on_slab, on_err, &sn));
	CHECK_EQ_U64(sn.e.n, 0);
	CHECK_EQ_U64(sn.n, 2);
	check_cpu_sheaves_slab(&sn, 0, 5, VD_SLAB_CPU, 1, -1);
	check_cpu_sheaves_slab(&sn, 1, 6, VD_SLAB_NODE_PARTIAL, -1, 0);
	check_cpu_sheaves_object(k, 0, 20, VD_OBJ_FREE_CPU, 1);   // CPU 0's slab, CPU 1's sheaf
	check_cpu_sheaves_object(k, 0, 5, VD_OBJ_FREE_CPU, 0);    // CPU 0's lockless freelist
	check_cpu_sheaves_object(k, 0, 21, VD_OBJ_ALLOCATED, -1);
	check_cpu_sheaves_object(k, 1, 10, VD_OBJ_FREE_CPU, 1);   // CPU 0's partial slab
	check_cpu_sheaves_object(k, 3, 0, VD_OBJ_FREE_CPU, 1);    // node 0's partial slab
	check_cpu_sheaves_object(k, 7, 2, VD_OBJ_FREE_CPU, 0);
	check_cpu_sheaves_object(k, 7, 5, VD_OBJ_ALLOCATED, -1);  // past an empty spare's size
	check_cpu_sheaves_object(k, 8, 3, VD_OBJ_FREE, -1);       // node 0's barn (kmem_cache_node.barn)
	check_cpu_sheaves_object(k, 9, 0, VD_OBJ_ALLOCATED, -1);
	close_kmem(k, s);
}

int
main(void)
{
	return RUN_TESTS();
}
