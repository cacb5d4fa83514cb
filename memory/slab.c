// SPDX-License-Identifier: MIT
/*
 * SLUB: the caches on slab_caches, their statistics and their objects.
 *
 * Where a slab's fields live is told apart by presence:
 * - struct slab (commit d122019bf061 "mm: Split slab into its own type",
 *   5.17) overlays struct page; before, the same members (slab_cache,
 *   freelist, inuse/objects/frozen bit fields, slab_list or lru, next)
 *   are in struct page's unions;
 * - kmem_cache_cpu.slab since commit bb192ed9aa71 "mm/slub: Convert most
 *   struct page to struct slab by spatch" (5.17), .page before;
 * - CONFIG_SLAB_FREELIST_HARDENED: kmem_cache.random exists, and a free
 *   pointer is stored as ptr ^ s->random ^ swab(&ptr) (commit 1ad53d9fa3f6
 *   "slub: improve bit diffusion for freelist ptr obfuscation");
 * - 6.12 keeps slab_cache before the list/freelist union and marks slab
 *   pages with a page type, no PG_slab (commit 46df8e73a4a3 "mm: free up
 *   PG_slab"): handled by the member offsets and vd_km_page_is_slab().
 * - SLUB's per-CPU sheaves: commit 2d517aa09bbc ("slab: add opt-in
 *   caching layer of percpu sheaves", 6.18) adds kmem_cache.cpu_sheaves and
 *   the nodes' barns; commit 32c894c7274b ("slab: remove struct
 *   kmem_cache_cpu", 7.0) leaves them the only per-CPU layer (no cpu_slab);
 *   commit 5ba6bc27b1f9 ("slab: decouple pointer to barn from
 *   kmem_cache_node", 7.1) moves the node and barn pointers to
 *   kmem_cache.per_node[].  An object in a sheaf is free for its cache
 *   (the slab counts it in use).
 * Statistics are counted as crash's `kmem -s` does: objects = the nodes'
 * total_objects, free = free objects of each CPU's slab and lockless
 * freelist, of the CPU partial slabs and of the node partial slabs, and
 * (sheaves) the objects in each CPU's main and spare sheaf and in the
 * barns' full sheaves, as drgn's slab_cache_usage() counts them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "kmem_priv.h"
#include "vmdive/walk.h"

static struct vd_error *
read_ptr_cb(void *priv, uint64_t addr, uint64_t *ret)
{
	return vd_km_u64(priv, addr, ret);
}

/*
 * The lists of SLUB are walked as every kernel list is (vd_list_walk: a
 * set of the nodes seen, exact, so a loop ends the walk at once; a step
 * bound alone let a loop run KMEM_MAX_PARTIAL times, reading a slab and
 * walking its freelist at each step, and a loop in slab_caches read a
 * million caches).  A CPU's partial slabs are a chain through slab->next,
 * with no head to come back to.  struct slab_seen holds every slab of a
 * cache met so far (CPU slabs, CPU partial chains, node partial lists): a
 * slab met twice is a loop or two lists sharing it, never walked again,
 * so the work of a cache is bounded by its distinct slabs, not by CPUs
 * times chain length.
 */
struct slab_seen {
	struct vd_addr_set set;
};

/* An error when slab was met before in this cache's walk. */
static struct vd_error *
slab_once(struct slab_seen *sn, uint64_t slab)
{
	if (vd_addr_set_has(&sn->set, slab))
		return vd_error_create(VD_ERR_CORRUPT,
				       "the slab 0x%llx is met twice: a list loops or joins another",
				       (unsigned long long)slab);
	return vd_addr_set_add(&sn->set, slab);
}

uint64_t
vd_slab_freeptr_decode(bool hardened, uint64_t random, uint64_t stored, uint64_t ptr_addr)
{
	if (!hardened)
		return stored;
	return stored ^ random ^ __builtin_bswap64(ptr_addr);
}

struct vd_error *
vd_km_slab_init(struct vd_kmem *k)
{
	struct kmem_slab_layout *sl = &k->sl;
	struct kmem_cache_layout *cl = &k->cl;
	const struct vd_type *t, *ct, *cpu, *node;
	struct vd_member_info mi;
	struct vd_error *err;
	uint64_t v;

	if (k->slab_ok)
		return NULL;
	if (k->slab_err)
		return vd_error_create(k->slab_err->code, "%s", k->slab_err->msg);
	if ((err = vd_km_pages_init(k)))
		goto fail;
	sl->tname = "struct slab";
	if ((err = vd_km_type(k, "struct slab", &t)) || (vd_km_field(t, "slab_cache", &sl->slab_cache),
							 !sl->slab_cache.present)) {
		vd_error_destroy(err);
		sl->tname = "struct page";
		if ((err = vd_km_type(k, "struct page", &t)))
			goto fail;
	}
	sl->tsize = t->size;
	if ((err = vd_km_need(t, sl->tname, "slab_cache", &sl->slab_cache)) ||
	    (err = vd_km_need(t, sl->tname, "freelist", &sl->freelist)) ||
	    (err = vd_km_need(t, sl->tname, "inuse", &sl->inuse)) ||
	    (err = vd_km_need(t, sl->tname, "objects", &sl->objects)))
		goto fail;
	vd_km_field(t, "frozen", &sl->frozen);
	vd_km_field(t, "next", &sl->next);
	vd_km_field(t, "slab_list", &sl->slab_list);
	if (!sl->slab_list.present)
		vd_km_field(t, "lru", &sl->slab_list);
	if (!sl->slab_list.present) {
		err = vd_error_create(VD_ERR_LOOKUP, "%s has neither slab_list nor lru", sl->tname);
		goto fail;
	}
	if ((err = vd_km_type(k, "struct kmem_cache", &ct)))
		goto fail;
	vd_km_field(ct, "offset", &cl->offset);
	vd_km_field(ct, "cpu_slab", &cl->cpu_slab);
	vd_km_field(ct, "cpu_sheaves", &cl->cpu_sheaves);
	if (!cl->offset.present || (!cl->cpu_slab.present && !cl->cpu_sheaves.present)) {
		err = vd_error_create(VD_ERR_NOTIMPL,
				      "struct kmem_cache has no offset/cpu_slab/cpu_sheaves: not SLUB "
				      "(SLAB and SLOB are not read)");
		goto fail;
	}
	if (cl->cpu_sheaves.present) {
		const struct vd_type *pcs, *sheaf, *barn;

		if ((err = vd_km_type(k, "struct slub_percpu_sheaves", &pcs)) ||
		    (err = vd_km_need(pcs, "struct slub_percpu_sheaves", "main", &cl->pcs_main)) ||
		    (err = vd_km_need(pcs, "struct slub_percpu_sheaves", "spare", &cl->pcs_spare)) ||
		    (err = vd_km_type(k, "struct slab_sheaf", &sheaf)) ||
		    (err = vd_km_need(sheaf, "struct slab_sheaf", "size", &cl->sh_size)) ||
		    (err = vd_km_need(sheaf, "struct slab_sheaf", "objects", &cl->sh_objects)) ||
		    (err = vd_km_need(sheaf, "struct slab_sheaf", "barn_list", &cl->sh_barn_list)) ||
		    (err = vd_km_type(k, "struct node_barn", &barn)) ||
		    (err = vd_km_need(barn, "struct node_barn", "sheaves_full", &cl->barn_full)))
			goto fail;
	}
	cl->size_of = ct->size;
	if ((err = vd_km_need(ct, "struct kmem_cache", "name", &cl->name)) ||
	    (err = vd_km_need(ct, "struct kmem_cache", "object_size", &cl->object_size)) ||
	    (err = vd_km_need(ct, "struct kmem_cache", "size", &cl->size)) ||
	    (err = vd_km_need(ct, "struct kmem_cache", "oo", &cl->oo)) ||
	    (err = vd_km_need(ct, "struct kmem_cache", "list", &cl->list)) ||
	    (err = vd_km_need(ct, "struct kmem_cache", "flags", &cl->flags)))
		goto fail;
	vd_km_field(ct, "random", &cl->random);
	vd_km_field(ct, "red_left_pad", &cl->red_left_pad);
	vd_km_field(ct, "per_node", &cl->per_node);
	if (cl->per_node.present) {
		const struct vd_type *pn;

		if ((err = vd_km_type(k, "struct kmem_cache_per_node_ptrs", &pn)) ||
		    (err = vd_km_need(pn, "struct kmem_cache_per_node_ptrs", "node", &cl->pn_node)))
			goto fail;
		vd_km_field(pn, "barn", &cl->pn_barn);
		cl->pn_size_of = pn->size;
		cl->node = cl->per_node;
	} else if ((err = vd_km_need(ct, "struct kmem_cache", "node", &cl->node))) {
		goto fail;
	}
	if ((err = vd_type_member(ct, cl->per_node.present ? "per_node" : "node", &mi)))
		goto fail;
	{
		const struct vd_type *at = vd_type_unqualified(mi.type.type);

		cl->node_len = at && at->kind == VD_TYPE_ARRAY ? (uint32_t)at->length : 1;
		if (!cl->node_len || cl->node_len > KMEM_MAX_NODES)
			cl->node_len = 1;
	}
	if (cl->cpu_slab.present) {
		if ((err = vd_km_type(k, "struct kmem_cache_cpu", &cpu)))
			goto fail;
		cl->cpu_size_of = cpu->size;
		if ((err = vd_km_need(cpu, "struct kmem_cache_cpu", "freelist", &cl->c_freelist)))
			goto fail;
		vd_km_field(cpu, "slab", &cl->c_slab);
		if (!cl->c_slab.present)
			vd_km_field(cpu, "page", &cl->c_slab);
		vd_km_field(cpu, "partial", &cl->c_partial);
		if (!cl->c_slab.present) {
			err = vd_error_create(VD_ERR_LOOKUP,
					      "struct kmem_cache_cpu has neither slab nor page");
			goto fail;
		}
	}
	if ((err = vd_km_type(k, "struct kmem_cache_node", &node)))
		goto fail;
	cl->n_size_of = node->size;
	if ((err = vd_km_need(node, "struct kmem_cache_node", "nr_partial", &cl->n_nr_partial)) ||
	    (err = vd_km_need(node, "struct kmem_cache_node", "partial", &cl->n_partial)))
		goto fail;
	vd_km_field(node, "nr_slabs", &cl->n_nr_slabs);
	vd_km_field(node, "total_objects", &cl->n_total_objects);
	vd_km_field(node, "barn", &cl->n_barn);
	k->nr_node_ids = cl->node_len;
	if (vd_ok_destroy(vd_km_sym_uint(k, "nr_node_ids", 4, &v)) && v && v <= cl->node_len)
		k->nr_node_ids = (uint32_t)v;
	k->slab_ok = true;
	return NULL;
fail:
	k->slab_err = vd_error_create(err->code, "%s", err->msg);
	return err;
}

/* A slab's fields (struct slab or page at addr). */
struct slab_rec {
	uint64_t addr, cache, freelist, next, base;
	uint32_t objects, inuse;
	bool frozen;
};

static struct vd_error *
read_slab(struct vd_kmem *k, uint64_t addr, struct slab_rec *r)
{
	const struct kmem_slab_layout *sl = &k->sl;
	unsigned char buf[256];
	size_t len = VD_MIN(sl->tsize, sizeof(buf));
	uint64_t pfn;
	struct vd_error *err;

	memset(r, 0, sizeof(*r));
	r->addr = addr;
	if ((err = vd_kmem_page_to_pfn(k, addr, &pfn)))
		return err;
	if ((err = vd_km_read(k, addr, buf, len)))
		return vd_error_wrap(err, "reading %s at 0x%llx", sl->tname, (unsigned long long)addr);
	r->cache = vd_km_get(buf, len, &sl->slab_cache);
	r->freelist = vd_km_get(buf, len, &sl->freelist);
	r->next = vd_km_get(buf, len, &sl->next);
	r->objects = (uint32_t)vd_km_get(buf, len, &sl->objects);
	r->inuse = (uint32_t)vd_km_get(buf, len, &sl->inuse);
	r->frozen = vd_km_get(buf, len, &sl->frozen) != 0;
	r->base = vd_km_pa_to_dm(k, pfn << k->pshift);
	return NULL;
}

struct cache_rec {
	struct vd_slab_cache c;
	uint64_t cpu_slab;        /* __percpu struct kmem_cache_cpu * */
	uint64_t cpu_sheaves;     /* __percpu struct slub_percpu_sheaves * */
	uint64_t node[KMEM_MAX_NODES];
	uint64_t barn[KMEM_MAX_NODES];
	uint32_t nnodes;
};

static struct vd_error *
read_cache(struct vd_kmem *k, uint64_t addr, struct cache_rec *r)
{
	const struct kmem_cache_layout *cl = &k->cl;
	unsigned char *buf;
	uint64_t oo, name;
	struct vd_error *err;

	memset(r, 0, sizeof(*r));
	if (cl->size_of > (1u << 16))
		return vd_error_create(VD_ERR_CORRUPT, "struct kmem_cache of %llu bytes",
				       (unsigned long long)cl->size_of);
	if (!(buf = malloc(cl->size_of)))
		return &vd_enomem;
	if ((err = vd_km_read(k, addr, buf, cl->size_of))) {
		free(buf);
		return vd_error_wrap(err, "reading struct kmem_cache at 0x%llx",
				     (unsigned long long)addr);
	}
	r->c.addr = addr;
	name = vd_km_get(buf, cl->size_of, &cl->name);
	if (!vd_ok_destroy(vd_km_string(k, name, r->c.name, sizeof(r->c.name))))
		snprintf(r->c.name, sizeof(r->c.name), "(unreadable 0x%llx)", (unsigned long long)name);
	r->c.object_size = (uint32_t)vd_km_get(buf, cl->size_of, &cl->object_size);
	r->c.size = (uint32_t)vd_km_get(buf, cl->size_of, &cl->size);
	r->c.offset = (uint32_t)vd_km_get(buf, cl->size_of, &cl->offset);
	r->c.red_left_pad = (uint32_t)vd_km_get(buf, cl->size_of, &cl->red_left_pad);
	r->c.flags = vd_km_get(buf, cl->size_of, &cl->flags);
	oo = vd_km_get(buf, cl->size_of, &cl->oo);
	// struct kmem_cache_order_objects: order << OO_SHIFT (16) | objects
	r->c.order = (uint32_t)(oo >> 16);
	r->c.objects = (uint32_t)(oo & 0xffff);
	r->c.slab_size = r->c.order < 20 ? k->psz << r->c.order : 0;
	r->c.hardened = cl->random.present;
	r->c.random = vd_km_get(buf, cl->size_of, &cl->random);
	r->cpu_slab = vd_km_get(buf, cl->size_of, &cl->cpu_slab);
	r->cpu_sheaves = vd_km_get(buf, cl->size_of, &cl->cpu_sheaves);
	r->nnodes = k->nr_node_ids;
	for (uint32_t i = 0; i < r->nnodes; i++) {
		struct kmem_field f = { .off = cl->node.off + 8ull * i, .size = 8, .present = true };

		if (cl->per_node.present) {
			// struct kmem_cache_per_node_ptrs { barn, node }
			f.off = cl->per_node.off + cl->pn_size_of * i + cl->pn_node.off;
			r->node[i] = vd_km_get(buf, cl->size_of, &f);
			if (cl->pn_barn.present) {
				f.off = cl->per_node.off + cl->pn_size_of * i + cl->pn_barn.off;
				r->barn[i] = vd_km_get(buf, cl->size_of, &f);
			}
			continue;
		}
		r->node[i] = vd_km_get(buf, cl->size_of, &f);
	}
	free(buf);
	// 6.18-7.0: the barn hangs off kmem_cache_node.
	for (uint32_t i = 0; i < r->nnodes && cl->n_barn.present && !cl->per_node.present; i++)
		if (r->node[i] && (err = vd_km_u64(k, r->node[i] + cl->n_barn.off, &r->barn[i])))
			return vd_error_wrap(err, "%s: reading kmem_cache_node %u's barn", r->c.name, i);
	if (!r->c.size || r->c.size > (64u << 20) || r->c.objects > KMEM_MAX_OBJECTS ||
	    r->c.offset >= r->c.size + sizeof(uint64_t) || !r->c.slab_size)
		return vd_error_create(VD_ERR_CORRUPT,
				       "kmem_cache 0x%llx (%s): size %u, %u objects of order %u, offset %u",
				       (unsigned long long)addr, r->c.name, r->c.size, r->c.objects,
				       r->c.order, r->c.offset);
	return NULL;
}

struct vd_error *
vd_slab_freelist(const struct vd_freelist_walk *w, uint64_t first, enum vd_obj_state mark,
		 enum vd_obj_state *state, uint32_t *n)
{
	uint64_t p = first;
	struct vd_error *err;

	*n = 0;
	if (!w->size)
		return vd_error_create(VD_ERR_CORRUPT, "%s: object size 0", w->cache);
	while (p) {
		uint64_t idx, stored;

		if (p < w->base || (p - w->base) % w->size ||
		    (idx = (p - w->base) / w->size) >= w->objects)
			return vd_error_create(VD_ERR_CORRUPT,
					       "%s: free pointer 0x%llx is not an object of the slab at 0x%llx",
					       w->cache, (unsigned long long)p, (unsigned long long)w->base);
		if (state) {
			if (state[idx] != VD_OBJ_ALLOCATED)
				return vd_error_create(VD_ERR_CORRUPT,
						       "%s: freelist of the slab at 0x%llx loops at 0x%llx",
						       w->cache, (unsigned long long)w->base,
						       (unsigned long long)p);
			state[idx] = mark;
		}
		if (++*n > w->objects)
			return vd_error_create(VD_ERR_CORRUPT,
					       "%s: freelist of the slab at 0x%llx is longer than its %u objects",
					       w->cache, (unsigned long long)w->base, w->objects);
		if ((err = w->read_ptr(w->priv, p + w->offset, &stored)))
			return vd_error_wrap(err, "%s: reading the free pointer of 0x%llx", w->cache,
					     (unsigned long long)p);
		p = vd_slab_freeptr_decode(w->hardened, w->random, stored, p + w->offset);
	}
	return NULL;
}

static struct vd_error *
walk_freelist(struct vd_kmem *k, const struct vd_slab_cache *c, uint64_t base,
	      uint32_t objects, uint64_t first, enum vd_obj_state mark,
	      enum vd_obj_state *state, uint32_t *n)
{
	struct vd_freelist_walk w = { .cache = c->name, .base = base, .objects = objects,
				      .size = c->size, .offset = c->offset,
				      .hardened = c->hardened, .random = c->random,
				      .read_ptr = read_ptr_cb, .priv = k };

	return vd_slab_freelist(&w, first, mark, state, n);
}

/* Objects in one sheaf: sheaf_capacity is a few dozen; far more is damage. */
#define KMEM_MAX_SHEAF 4096u

/*
 * Every sheaf of a cache: each CPU's main and spare sheaf, then each
 * node's barn's full sheaves; cb gets the sheaf, its object count and the
 * CPU (-1: a barn's).  A sheaf met again is passed over: the kernel keeps
 * each in one place, but a CPU stopped in the middle of swapping its main
 * and spare sheaf (swap() in __pcs_replace_empty_main()) leaves both
 * pointing at one; and the work stays bounded by the distinct sheaves,
 * not CPUs times their pointers.
 */
static struct vd_error *
for_each_sheaf(struct vd_kmem *k, const struct cache_rec *r,
	       struct vd_error *(*cb)(void *priv, uint64_t sheaf, uint32_t size, int cpu),
	       void *priv)
{
	const struct kmem_cache_layout *cl = &k->cl;
	const struct kmem_field *which[2] = { &cl->pcs_main, &cl->pcs_spare };
	struct vd_addr_set met = { 0 };
	struct vd_error *err = NULL;
	uint64_t v;

	if (!cl->cpu_sheaves.present)
		return NULL;
	for (uint32_t cpu = 0; r->cpu_sheaves && cpu < k->ncpus && !err; cpu++) {
		if (!k->cpu_possible[cpu])
			continue;
		for (size_t j = 0; j < 2 && !err; j++) {
			uint64_t sheaf;

			if ((err = vd_km_u64(k, r->cpu_sheaves + k->cpu_off[cpu] + which[j]->off,
					     &sheaf))) {
				err = vd_error_wrap(err, "%s: reading CPU %u's sheaves", r->c.name, cpu);
				break;
			}
			if (!sheaf || vd_addr_set_has(&met, sheaf))
				continue;
			if ((err = vd_addr_set_add(&met, sheaf)))
				break;
			if ((err = vd_km_uint(k, sheaf + cl->sh_size.off, cl->sh_size.size, &v)))
				err = vd_error_wrap(err, "%s: CPU %u's sheaf 0x%llx", r->c.name, cpu,
						    (unsigned long long)sheaf);
			else if (v > KMEM_MAX_SHEAF)
				err = vd_error_create(VD_ERR_CORRUPT, "%s: CPU %u's sheaf 0x%llx holds %llu objects",
						      r->c.name, cpu, (unsigned long long)sheaf,
						      (unsigned long long)v);
			else
				err = cb(priv, sheaf, (uint32_t)v, (int)cpu);
		}
	}
	for (uint32_t nid = 0; nid < r->nnodes && !err; nid++) {
		struct vd_list_walk w;
		uint64_t node;

		if (!r->barn[nid])
			continue;
		vd_list_walk_init(&w, r->barn[nid] + cl->barn_full.off, KMEM_MAX_PARTIAL,
				  read_ptr_cb, k);
		while ((err = vd_list_walk_next(&w, &node)) != &vd_stop) {
			uint64_t sheaf = node - cl->sh_barn_list.off;

			if (err) {
				err = vd_error_wrap(err, "%s: node %u's full sheaves", r->c.name, nid);
			} else if (vd_addr_set_has(&met, sheaf)) {
				continue;     // also a CPU's: counted there
			} else if ((err = vd_addr_set_add(&met, sheaf))) {
				;
			} else if ((err = vd_km_uint(k, sheaf + cl->sh_size.off, cl->sh_size.size, &v))) {
				err = vd_error_wrap(err, "%s: node %u's sheaf 0x%llx", r->c.name, nid,
						    (unsigned long long)sheaf);
			} else if (v > KMEM_MAX_SHEAF) {
				err = vd_error_create(VD_ERR_CORRUPT, "%s: node %u's sheaf 0x%llx holds %llu objects",
						      r->c.name, nid, (unsigned long long)sheaf,
						      (unsigned long long)v);
			} else {
				err = cb(priv, sheaf, (uint32_t)v, -1);
			}
			if (err)
				break;
		}
		vd_list_walk_deinit(&w);
		if (err == &vd_stop)
			err = NULL;
	}
	vd_addr_set_free(&met);
	return err;
}

static struct vd_error *
count_sheaf(void *priv, uint64_t sheaf, uint32_t size, int cpu)
{
	(void)sheaf;
	(void)cpu;
	*(uint64_t *)priv += size;
	return NULL;
}

/* The objects in a cache's sheaves: free for the cache, in use for their
 * slab.  Sorted by address (sheaf_objs_sort) before they are looked up. */
struct sheaf_objs {
	struct vd_kmem *k;
	struct sheaf_obj {
		uint64_t addr;
		int cpu;              /* -1: a barn's sheaf */
	} *v;
	size_t n, cap;
};

static struct vd_error *
collect_sheaf(void *priv, uint64_t sheaf, uint32_t size, int cpu)
{
	struct sheaf_objs *so = priv;
	struct vd_kmem *k = so->k;
	struct vd_error *err;

	for (uint32_t i = 0; i < size; i++) {
		uint64_t obj;

		if ((err = vd_km_u64(k, sheaf + k->cl.sh_objects.off + 8ull * i, &obj)))
			return vd_error_wrap(err, "reading object %u of the sheaf 0x%llx", i,
					     (unsigned long long)sheaf);
		if (so->n == so->cap) {
			struct sheaf_obj *p;

			if (so->cap >= (1u << 24))
				return vd_error_create(VD_ERR_CORRUPT, "more than %u objects in sheaves",
						       1u << 24);
			p = realloc(so->v, (so->cap = so->cap ? 2 * so->cap : 256) * sizeof(*p));
			if (!p)
				return &vd_enomem;
			so->v = p;
		}
		so->v[so->n++] = (struct sheaf_obj){ obj, cpu };
	}
	return NULL;
}

static int
sheaf_obj_cmp(const void *a, const void *b)
{
	const struct sheaf_obj *x = a, *y = b;

	// An object in two sheaves (damage) takes the lowest CPU's, a
	// barn's (-1, the highest as unsigned) last: the same answer
	// whatever order qsort leaves equal addresses in.
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return (unsigned)x->cpu < (unsigned)y->cpu ? -1 : (unsigned)x->cpu > (unsigned)y->cpu;
}

/* Every sheaf's objects, sorted by address. */
static struct vd_error *
collect_sheaves(struct vd_kmem *k, const struct cache_rec *r, struct sheaf_objs *so)
{
	struct vd_error *err = for_each_sheaf(k, r, collect_sheaf, so);

	if (!err && so->n > 1)
		qsort(so->v, so->n, sizeof(*so->v), sheaf_obj_cmp);
	return err;
}

/* The first sheaf object at or above addr. */
static size_t
sheaf_objs_from(const struct sheaf_objs *so, uint64_t addr)
{
	size_t lo = 0, hi = so->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (so->v[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Mark the sheaves' objects that lie in this slab free; count them.  The
 * objects are sorted: only those between base and the slab's end are
 * looked at. */
static void
mark_sheaf_objects(const struct sheaf_objs *so, const struct vd_slab_cache *c, uint64_t base,
		   uint32_t nobj, enum vd_obj_state *state, int *cpu_of, uint32_t *nfree)
{
	uint64_t end = base + (uint64_t)nobj * c->size;

	if (!so || !so->n || end < base)
		return;
	for (size_t i = sheaf_objs_from(so, base); i < so->n && so->v[i].addr < end; i++) {
		uint64_t a = so->v[i].addr, idx;

		if ((a - base) % c->size || state[idx = (a - base) / c->size] != VD_OBJ_ALLOCATED)
			continue;
		state[idx] = so->v[i].cpu >= 0 ? VD_OBJ_FREE_CPU : VD_OBJ_FREE;
		if (cpu_of)
			cpu_of[idx] = so->v[i].cpu;
		(*nfree)++;
	}
}

struct cpu_state {
	uint64_t slab, freelist, partial;
};

static struct vd_error *
read_cpu(struct vd_kmem *k, const struct cache_rec *r, uint32_t cpu, struct cpu_state *cs)
{
	const struct kmem_cache_layout *cl = &k->cl;
	unsigned char buf[256];
	size_t len = VD_MIN(cl->cpu_size_of, sizeof(buf));
	struct vd_error *err;

	memset(cs, 0, sizeof(*cs));
	if ((err = vd_km_read(k, r->cpu_slab + k->cpu_off[cpu], buf, len)))
		return vd_error_wrap(err, "%s: reading kmem_cache_cpu of CPU %u", r->c.name, cpu);
	cs->slab = vd_km_get(buf, len, &cl->c_slab);
	cs->freelist = vd_km_get(buf, len, &cl->c_freelist);
	cs->partial = vd_km_get(buf, len, &cl->c_partial);
	return NULL;
}

static uint32_t
slab_objects(const struct vd_slab_cache *c, const struct slab_rec *s)
{
	uint32_t n = s->objects;

	if (!n || n > KMEM_MAX_OBJECTS || (uint64_t)n * c->size > c->slab_size * 64)
		n = c->objects;
	return n;
}

/* Statistics as crash counts them. */
static struct vd_error *
cache_stats_walk(struct vd_kmem *k, struct cache_rec *r, struct slab_seen *seen)
{
	struct vd_slab_cache *c = &r->c;
	const struct kmem_cache_layout *cl = &k->cl;
	const struct kmem_slab_layout *sl = &k->sl;
	struct vd_error *err;
	uint64_t free_ = 0, total = 0, slabs = 0;

	if ((err = for_each_sheaf(k, r, count_sheaf, &free_)))
		return err;
	for (uint32_t cpu = 0; cl->cpu_slab.present && cpu < k->ncpus; cpu++) {
		struct cpu_state cs;
		struct slab_rec s;
		uint32_t n;

		if (!k->cpu_possible[cpu])
			continue;
		if ((err = read_cpu(k, r, cpu, &cs)))
			return err;
		if (cs.slab) {
			if ((err = slab_once(seen, cs.slab)) || (err = read_slab(k, cs.slab, &s)))
				return vd_error_wrap(err, "%s: CPU %u slab", c->name, cpu);
			c->cpu_slabs++;
			free_ += s.objects - VD_MIN(s.inuse, s.objects);
			if ((err = walk_freelist(k, c, s.base + c->red_left_pad, slab_objects(c, &s),
						 cs.freelist, VD_OBJ_FREE_CPU, NULL, &n)))
				return err;
			free_ += n;
		}
		for (uint64_t p = cs.partial, i = 0; p; p = s.next) {
			err = ++i > KMEM_MAX_PARTIAL ?
			      vd_error_create(VD_ERR_CORRUPT, "longer than %u slabs", KMEM_MAX_PARTIAL) :
			      NULL;
			if (err || (err = slab_once(seen, p)) || (err = read_slab(k, p, &s)))
				return vd_error_wrap(err, "%s: CPU %u partial list", c->name, cpu);
			c->cpu_partial_slabs++;
			free_ += s.objects - VD_MIN(s.inuse, s.objects);
		}
	}
	for (uint32_t nid = 0; nid < r->nnodes; nid++) {
		uint64_t n = r->node[nid], nr_partial, node, v;
		struct vd_list_walk w;

		if (!n)
			continue;
		if ((err = vd_km_uint(k, n + cl->n_nr_partial.off, cl->n_nr_partial.size, &nr_partial)))
			return vd_error_wrap(err, "%s: reading kmem_cache_node %u", c->name, nid);
		if (cl->n_nr_slabs.present) {
			if ((err = vd_km_u64(k, n + cl->n_nr_slabs.off, &v)))
				return err;
			slabs += v;
		}
		if (cl->n_total_objects.present) {
			if ((err = vd_km_u64(k, n + cl->n_total_objects.off, &v)))
				return err;
			total += v;
		}
		vd_list_walk_init(&w, n + cl->n_partial.off, KMEM_MAX_PARTIAL, read_ptr_cb, k);
		while ((err = vd_list_walk_next(&w, &node)) != &vd_stop) {
			struct slab_rec s;

			if (err || (err = slab_once(seen, node - sl->slab_list.off)) ||
			    (err = read_slab(k, node - sl->slab_list.off, &s))) {
				vd_list_walk_deinit(&w);
				return vd_error_wrap(err, "%s: node %u partial list", c->name, nid);
			}
			c->node_partial_slabs++;
			free_ += s.objects - VD_MIN(s.inuse, s.objects);
		}
		vd_list_walk_deinit(&w);
	}
	if (!cl->n_total_objects.present || !cl->n_nr_slabs.present)
		return vd_error_create(VD_ERR_NOTIMPL,
				       "kmem_cache_node has no nr_slabs/total_objects (kernel without CONFIG_SLUB_DEBUG)");
	c->nr_slabs = slabs;
	c->total_objects = total;
	c->free_objects = free_;
	c->allocated = total >= free_ ? total - free_ : 0;
	c->have_stats = true;
	return NULL;
}

static struct vd_error *
cache_stats(struct vd_kmem *k, struct cache_rec *r)
{
	struct slab_seen seen = { 0 };
	struct vd_error *err = cache_stats_walk(k, r, &seen);

	vd_addr_set_free(&seen.set);
	return err;
}

struct vd_error *
vd_kmem_caches(struct vd_kmem *k, struct vd_slab_cache **ret, size_t *nret,
	       void (*err_cb)(void *priv, struct vd_error *err), void *priv)
{
	struct vd_slab_cache *v = NULL;
	struct cache_rec *r;
	size_t n = 0, cap = 0;
	uint64_t head, node;
	struct vd_list_walk w;
	struct vd_error *err;

	if ((err = vd_km_slab_init(k)))
		return err;
	if ((err = vd_km_sym(k, "slab_caches", &head)))
		return err;
	if (k->percpu_err)   // the CPUs' slabs and freelists count
		return vd_error_create(k->percpu_err->code, "%s", k->percpu_err->msg);
	if (!(r = malloc(sizeof(*r))))
		return &vd_enomem;
	vd_list_walk_init(&w, head, KMEM_MAX_CACHES, read_ptr_cb, k);
	while ((err = vd_list_walk_next(&w, &node)) != &vd_stop) {
		uint64_t addr = node - k->cl.list.off;

		if (err) {
			err = vd_error_wrap(err, "slab_caches broken after %zu caches (%s)", n,
					    n ? v[n - 1].name : "the list head");
			goto out;
		}
		if (n == cap) {
			struct vd_slab_cache *p = realloc(v, (cap = cap ? 2 * cap : 256) * sizeof(*p));

			if (!p) {
				err = &vd_enomem;
				goto out;
			}
			v = p;
		}
		if ((err = read_cache(k, addr, r))) {
			if (err->code != VD_ERR_CORRUPT) {
				err = vd_error_wrap(err, "slab_caches broken after %zu caches (%s)", n,
						    n ? v[n - 1].name : "the list head");
				goto out;
			}
			if (err_cb)
				err_cb(priv, err);
			else
				vd_error_destroy(err);
			err = NULL;
		} else if ((err = cache_stats(k, r))) {
			if (err_cb)
				err_cb(priv, err);
			else
				vd_error_destroy(err);
			err = NULL;
		}
		v[n++] = r->c;
	}
	err = NULL;
out:
	vd_list_walk_deinit(&w);
	free(r);
	if (err) {
		free(v);
		return err;
	}
	*ret = v;
	*nret = n;
	return NULL;
}

/* Find a cache by name or address. */
static struct vd_error *
find_cache(struct vd_kmem *k, const char *name, uint64_t addr, struct cache_rec *r)
{
	uint64_t head, node;
	struct vd_list_walk w;
	struct vd_error *err;
	char buf[64];

	if ((err = vd_km_slab_init(k)))
		return err;
	if (!name)
		return read_cache(k, addr, r);
	if ((err = vd_km_sym(k, "slab_caches", &head)))
		return err;
	vd_list_walk_init(&w, head, KMEM_MAX_CACHES, read_ptr_cb, k);
	while ((err = vd_list_walk_next(&w, &node)) != &vd_stop) {
		uint64_t a = node - k->cl.list.off, np;

		if (err || (err = vd_km_u64(k, a + k->cl.name.off, &np))) {
			vd_list_walk_deinit(&w);
			return vd_error_wrap(err, "looking for the slab cache %s on slab_caches", name);
		}
		if (vd_ok_destroy(vd_km_string(k, np, buf, sizeof(buf))) && !strcmp(buf, name)) {
			vd_list_walk_deinit(&w);
			return read_cache(k, a, r);
		}
	}
	vd_list_walk_deinit(&w);
	return vd_error_create(VD_ERR_LOOKUP, "no slab cache named %s", name);
}

struct vd_error *
vd_kmem_cache_find(struct vd_kmem *k, const char *name, struct vd_slab_cache *ret)
{
	struct cache_rec *r = malloc(sizeof(*r));
	struct vd_error *err;

	if (!r)
		return &vd_enomem;
	if (!(err = find_cache(k, name, 0, r)) && k->percpu_err)
		err = vd_error_create(k->percpu_err->code, "%s", k->percpu_err->msg);
	if (!err)
		err = cache_stats(k, r);
	if (err && err->code == VD_ERR_NOTIMPL) {
		vd_error_destroy(err);
		err = NULL;
	}
	*ret = r->c;
	free(r);
	return err;
}

/* One slab's objects: state of each, from its freelist and (if it is a
 * CPU's slab) that CPU's lockless freelist. */
static struct vd_error *
slab_states(struct vd_kmem *k, const struct vd_slab_cache *c, const struct slab_rec *s,
	    uint64_t cpu_freelist, const struct sheaf_objs *so, enum vd_obj_state *state,
	    int *cpu_of, uint32_t nobj, uint32_t *nfree)
{
	uint32_t a = 0, b = 0;
	struct vd_error *err;

	for (uint32_t i = 0; i < nobj; i++)
		state[i] = VD_OBJ_ALLOCATED;
	if ((err = walk_freelist(k, c, s->base + c->red_left_pad, nobj, s->freelist, VD_OBJ_FREE,
				 state, &a)))
		return err;
	if (cpu_freelist &&
	    (err = walk_freelist(k, c, s->base + c->red_left_pad, nobj, cpu_freelist,
				 VD_OBJ_FREE_CPU, state, &b)))
		return err;
	*nfree = a + b;
	mark_sheaf_objects(so, c, s->base + c->red_left_pad, nobj, state, cpu_of, nfree);
	return NULL;
}

static void
report(void (*err_cb)(void *, struct vd_error *), void *priv, struct vd_error *err)
{
	if (err_cb)
		err_cb(priv, err);
	else
		vd_error_destroy(err);
}

struct vd_error *
vd_kmem_cache_slabs(struct vd_kmem *k, const struct vd_slab_cache *cache,
		    bool (*cb)(void *priv, const struct vd_slab *slab),
		    void (*err_cb)(void *priv, struct vd_error *err), void *priv)
{
	struct cache_rec *r = malloc(sizeof(*r));
	enum vd_obj_state *state = malloc(KMEM_MAX_OBJECTS * sizeof(*state));
	int *cpu_of = malloc(KMEM_MAX_OBJECTS * sizeof(*cpu_of));
	struct sheaf_objs so = { .k = k };
	struct slab_seen met = { 0 };
	const struct vd_slab_cache *c;
	struct vd_error *err;
	bool go = true;

	if (!r || !state || !cpu_of) {
		free(r);
		free(state);
		free(cpu_of);
		return &vd_enomem;
	}
	if ((err = find_cache(k, NULL, cache->addr, r)))
		goto out;
	c = &r->c;
	if ((err = collect_sheaves(k, r, &so)))
		goto out;
	for (uint32_t cpu = 0; go && k->cl.cpu_slab.present && cpu < k->ncpus; cpu++) {
		struct cpu_state cs;
		struct slab_rec s;
		struct vd_slab vs;

		if (!k->cpu_possible[cpu])
			continue;
		if ((err = read_cpu(k, r, cpu, &cs))) {
			report(err_cb, priv, err);
			continue;
		}
		if (cs.slab) {
			if ((err = slab_once(&met, cs.slab)) || (err = read_slab(k, cs.slab, &s))) {
				report(err_cb, priv, vd_error_wrap(err, "%s: CPU %u slab", c->name, cpu));
			} else {
				// 6.18, 6.19: another CPU's sheaf may hold an object
				// of this CPU's slab (freed there): obj_cpu says whose.
				vs = (struct vd_slab){ .slab = s.addr, .base = s.base + c->red_left_pad,
						       .objects = slab_objects(c, &s), .inuse = s.inuse,
						       .frozen = s.frozen, .node = -1,
						       .where = VD_SLAB_CPU, .cpu = (int)cpu,
						       .state = state, .obj_cpu = cpu_of };
				for (uint32_t i = 0; i < vs.objects; i++)
					cpu_of[i] = (int)cpu;
				if ((err = slab_states(k, c, &s, cs.freelist, &so, state, cpu_of,
						       vs.objects, &vs.nfree)))
					report(err_cb, priv, err);
				else
					go = cb(priv, &vs);
			}
		}
		for (uint64_t p = cs.partial, i = 0; go && p; p = s.next) {
			err = ++i > KMEM_MAX_PARTIAL ?
			      vd_error_create(VD_ERR_CORRUPT, "longer than %u slabs", KMEM_MAX_PARTIAL) :
			      NULL;
			if (err || (err = slab_once(&met, p)) || (err = read_slab(k, p, &s))) {
				report(err_cb, priv, vd_error_wrap(err, "%s: CPU %u partial list",
								   c->name, cpu));
				break;
			}
			vs = (struct vd_slab){ .slab = s.addr, .base = s.base + c->red_left_pad,
					       .objects = slab_objects(c, &s), .inuse = s.inuse,
					       .frozen = s.frozen, .node = -1,
					       .where = VD_SLAB_CPU_PARTIAL, .cpu = (int)cpu,
					       .state = state, .obj_cpu = cpu_of };
			for (uint32_t j = 0; j < vs.objects; j++)
				cpu_of[j] = -1;
			if ((err = slab_states(k, c, &s, 0, &so, state, cpu_of, vs.objects, &vs.nfree)))
				report(err_cb, priv, err);
			else
				go = cb(priv, &vs);
		}
	}
	for (uint32_t nid = 0; go && nid < r->nnodes; nid++) {
		struct vd_list_walk w;
		uint64_t node;

		if (!r->node[nid])
			continue;
		// After a broken link the walk recovers the slabs behind it
		// through the prev pointers; it never returns one twice.
		vd_list_walk_init(&w, r->node[nid] + k->cl.n_partial.off, KMEM_MAX_PARTIAL,
				  read_ptr_cb, k);
		while (go && (err = vd_list_walk_next(&w, &node)) != &vd_stop) {
			struct slab_rec s;
			struct vd_slab vs;

			if (err) {
				report(err_cb, priv, vd_error_wrap(err, "%s: node %u partial list",
								   c->name, nid));
				continue;
			}
			if ((err = slab_once(&met, node - k->sl.slab_list.off))) {
				// on a CPU's list too: reported, the list goes on
				report(err_cb, priv, vd_error_wrap(err, "%s: node %u partial list",
								   c->name, nid));
				continue;
			}
			if ((err = read_slab(k, node - k->sl.slab_list.off, &s))) {
				report(err_cb, priv, err);
				break;
			}
			vs = (struct vd_slab){ .slab = s.addr, .base = s.base + c->red_left_pad,
					       .objects = slab_objects(c, &s), .inuse = s.inuse,
					       .frozen = s.frozen, .node = (int)nid,
					       .where = VD_SLAB_NODE_PARTIAL, .cpu = -1,
					       .state = state, .obj_cpu = cpu_of };
			for (uint32_t i = 0; i < vs.objects; i++)
				cpu_of[i] = -1;
			if ((err = slab_states(k, c, &s, 0, &so, state, cpu_of, vs.objects, &vs.nfree)))
				report(err_cb, priv, err);
			else
				go = cb(priv, &vs);
		}
		vd_list_walk_deinit(&w);
	}
	// Sheaves: the slabs that hold their objects and were met on no list
	// (met holds every slab walked above, and each of these once).
	for (size_t i = 0; go && i < so.n; i++) {
		uint64_t pa, page, slab;
		struct vd_page_info pi;
		struct slab_rec s;
		struct vd_slab vs;

		if ((err = vd_km_va_to_pa(k, so.v[i].addr, &pa)) ||
		    (err = vd_kmem_pfn_to_page(k, pa >> k->pshift, &page)) ||
		    (err = vd_kmem_page_info(k, page, &pi))) {
			report(err_cb, priv, vd_error_wrap(err, "%s: the object 0x%llx of a sheaf",
							   c->name,
							   (unsigned long long)so.v[i].addr));
			continue;
		}
		slab = pi.head_page;
		if (vd_addr_set_has(&met.set, slab))
			continue;
		if ((err = vd_addr_set_add(&met.set, slab)))
			goto out;
		if ((err = read_slab(k, slab, &s))) {
			report(err_cb, priv, err);
			continue;
		}
		if (s.cache != c->addr) {
			report(err_cb, priv, vd_error_create(VD_ERR_CORRUPT,
				"%s: a sheaf holds 0x%llx, an object of the slab 0x%llx of another cache",
				c->name, (unsigned long long)so.v[i].addr, (unsigned long long)slab));
			continue;
		}
		vs = (struct vd_slab){ .slab = s.addr, .base = s.base + c->red_left_pad,
				       .objects = slab_objects(c, &s), .inuse = s.inuse,
				       .frozen = s.frozen, .node = pi.node, .where = VD_SLAB_OTHER,
				       .cpu = -1, .state = state, .obj_cpu = cpu_of };
		for (uint32_t j = 0; j < vs.objects; j++)
			cpu_of[j] = -1;
		if ((err = slab_states(k, c, &s, 0, &so, state, cpu_of, vs.objects, &vs.nfree)))
			report(err_cb, priv, err);
		else
			go = cb(priv, &vs);
	}
	err = NULL;
out:
	vd_addr_set_free(&met.set);
	free(so.v);
	free(cpu_of);
	free(r);
	free(state);
	return err;
}

struct vd_error *
vd_km_slab_object(struct vd_kmem *k, uint64_t slab, uint64_t addr, struct vd_kmem_addr *ret)
{
	struct cache_rec *r;
	struct slab_rec s;
	enum vd_obj_state *state;
	struct vd_error *err;
	uint64_t base, idx;
	uint32_t nobj, nfree;
	uint64_t cpu_freelist = 0;
	struct sheaf_objs so = { .k = k };
	int owner = -1, *cpu_of;

	if ((err = vd_km_slab_init(k)))
		return err;
	if ((err = read_slab(k, slab, &s)))
		return err;
	if (!(r = malloc(sizeof(*r))))
		return &vd_enomem;
	if ((err = read_cache(k, s.cache, r))) {
		free(r);
		return vd_error_wrap(err, "the slab at 0x%llx", (unsigned long long)slab);
	}
	ret->cache = r->c;
	ret->slab = slab;
	nobj = slab_objects(&r->c, &s);
	base = s.base + r->c.red_left_pad;
	if (addr < base) {
		// In the left red zone of the first object: it belongs to it.
		idx = 0;
	} else {
		idx = (addr - base) / r->c.size;
	}
	if (idx >= nobj) {
		free(r);
		ret->object_index = (uint32_t)idx;
		ret->object = 0;
		return NULL;   // past the last object: slab padding
	}
	ret->object_index = (uint32_t)idx;
	ret->object = base + idx * r->c.size;
	// Is this slab a CPU's slab?  Then its free objects are on that CPU's
	// lockless freelist.
	for (uint32_t cpu = 0; k->cl.cpu_slab.present && cpu < k->ncpus; cpu++) {
		struct cpu_state cs;

		if (!k->cpu_possible[cpu] || !vd_ok_destroy(read_cpu(k, r, cpu, &cs)))
			continue;
		if (cs.slab == slab) {
			cpu_freelist = cs.freelist;
			owner = (int)cpu;
			break;
		}
	}
	if (!(state = malloc(KMEM_MAX_OBJECTS * sizeof(*state))) ||
	    !(cpu_of = malloc(KMEM_MAX_OBJECTS * sizeof(*cpu_of)))) {
		free(state);
		free(r);
		return &vd_enomem;
	}
	for (uint32_t i = 0; i < nobj; i++)
		cpu_of[i] = owner;
	err = collect_sheaves(k, r, &so);
	if (!err)
		err = slab_states(k, &r->c, &s, cpu_freelist, &so, state, cpu_of, nobj, &nfree);
	if (!err) {
		ret->obj_state = state[idx];
		ret->obj_cpu = state[idx] == VD_OBJ_FREE_CPU ? cpu_of[idx] : -1;
	}
	free(so.v);
	free(cpu_of);
	free(state);
	free(r);
	return err;
}
