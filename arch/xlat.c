// SPDX-License-Identifier: MIT
/* Dispatch of the public translation API to the arch backends. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "common/util.h"

static const struct vd_arch_ops *const backends[] = {
	&vd_x86_64_ops,
	&vd_aarch64_ops,
};

struct vd_error *
vd_xlat_create(enum vd_arch arch, const struct vd_xlat_cb *cb,
	       struct vd_xlat **ret)
{
	for (size_t i = 0; i < VD_ARRAY_SIZE(backends); i++) {
		struct vd_xlat *xlat;
		struct vd_error *err;

		if (backends[i]->arch != arch)
			continue;
		err = backends[i]->create(cb, &xlat);
		if (err)
			return err;
		xlat->ops = backends[i];
		vd_xlat_sort_regions(xlat);
		*ret = xlat;
		return NULL;
	}
	return vd_error_create(VD_ERR_NOTIMPL,
			       "no address translation for %s dumps",
			       vd_arch_name(arch));
}

void
vd_xlat_destroy(struct vd_xlat *xlat)
{
	if (xlat)
		xlat->ops->destroy(xlat);
}

struct vd_error *
vd_xlat_walk(struct vd_xlat *xlat, uint64_t root, uint64_t va,
	     struct vd_xlat_walk *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->va = va;
	ret->root = root ? root : xlat->root;
	return xlat->ops->walk(xlat, ret->root, va, ret);
}

struct vd_error *
vd_xlat_translate(struct vd_xlat *xlat, uint64_t va, uint64_t *pa_ret,
		  uint64_t *page_size_ret)
{
	struct vd_xlat_walk walk;
	struct vd_error *err = vd_xlat_walk(xlat, 0, va, &walk);

	if (err)
		return err;
	*pa_ret = walk.pa;
	if (page_size_ret)
		*page_size_ret = walk.page_size;
	return NULL;
}

void
vd_xlat_entry_flags(const struct vd_xlat *xlat, const struct vd_xlat_step *step,
		    char *buf, size_t size)
{
	xlat->ops->entry_flags(xlat, step, buf, size);
}

bool
vd_xlat_canonical(const struct vd_xlat *xlat, uint64_t va)
{
	return xlat->ops->canonical(xlat, va);
}

size_t
vd_xlat_layout(const struct vd_xlat *xlat, const struct vd_region **ret)
{
	*ret = xlat->regions;
	return xlat->nregions;
}

const struct vd_region *
vd_xlat_region(const struct vd_xlat *xlat, uint64_t va)
{
	// Regions may nest (fixmap inside a larger window): the last match
	// in address order is the innermost.
	const struct vd_region *found = NULL;

	for (size_t i = 0; i < xlat->nregions; i++)
		if (xlat->regions[i].start <= va && va <= xlat->regions[i].end)
			found = &xlat->regions[i];
	return found;
}

size_t
vd_xlat_params(const struct vd_xlat *xlat, const struct vd_xlat_param **ret)
{
	*ret = xlat->params;
	return xlat->nparams;
}

/*
 * Candidates come from the linear ranges; each is kept only if the page
 * tables really map it to pa.  The ranges are upper bounds (without an
 * _end symbol the kernel image is taken as KERNEL_IMAGE_SIZE long, and the
 * direct map has holes), the walk is the truth.
 */
size_t
vd_xlat_ptov(struct vd_xlat *xlat, uint64_t pa, uint64_t *vas_ret,
	     const struct vd_region **regions_ret, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < xlat->nlinear && n < max; i++) {
		const struct vd_region *region = NULL;
		struct vd_error *err;
		uint64_t va, back;

		if (pa < xlat->linear[i].pa_start || pa >= xlat->linear[i].pa_end)
			continue;
		va = pa - xlat->linear[i].pa_start + xlat->linear[i].va_start;
		err = vd_xlat_translate(xlat, va, &back, NULL);
		if (err || back != pa) {
			vd_error_destroy(err);
			continue;
		}
		for (size_t r = 0; r < xlat->nregions; r++)
			if (xlat->regions[r].kind == xlat->linear[i].kind &&
			    xlat->regions[r].start <= va &&
			    va <= xlat->regions[r].end)
				region = &xlat->regions[r];
		vas_ret[n] = va;
		if (regions_ret)
			regions_ret[n] = region;
		n++;
	}
	return n;
}

void
vd_xlat_add_region(struct vd_xlat *xlat, const char *name,
		   enum vd_region_kind kind, uint64_t start, uint64_t end,
		   const char *source)
{
	if (xlat->nregions >= VD_XLAT_MAX_REGIONS)
		return;
	xlat->regions[xlat->nregions++] = (struct vd_region){
		.name = name, .kind = kind, .start = start, .end = end,
		.source = source,
	};
}

void
vd_xlat_add_param(struct vd_xlat *xlat, const char *name, uint64_t value,
		  enum vd_param_kind kind)
{
	if (xlat->nparams >= VD_XLAT_MAX_PARAMS)
		return;
	xlat->params[xlat->nparams++] = (struct vd_xlat_param){
		.name = name, .value = value, .kind = kind,
	};
}

void
vd_xlat_add_linear(struct vd_xlat *xlat, uint64_t va_start, uint64_t pa_start,
		   uint64_t pa_end, enum vd_region_kind kind)
{
	if (xlat->nlinear >= VD_ARRAY_SIZE(xlat->linear))
		return;
	xlat->linear[xlat->nlinear].va_start = va_start;
	xlat->linear[xlat->nlinear].pa_start = pa_start;
	xlat->linear[xlat->nlinear].pa_end = pa_end;
	xlat->linear[xlat->nlinear].kind = kind;
	xlat->nlinear++;
}

static int
region_cmp(const void *a, const void *b)
{
	const struct vd_region *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	// Larger (enclosing) regions first, so nested ones follow them.
	return x->end > y->end ? -1 : x->end < y->end;
}

void
vd_xlat_sort_regions(struct vd_xlat *xlat)
{
	qsort(xlat->regions, xlat->nregions, sizeof(xlat->regions[0]),
	      region_cmp);
}

struct vd_error *
vd_xlat_need(const struct vd_xlat *xlat, const char *key, uint64_t *ret)
{
	if (xlat->cb.number && xlat->cb.number(xlat->cb.priv, key, ret))
		return NULL;
	return vd_error_create(VD_ERR_LOOKUP,
			       "the dump does not state %s (needed for address translation)",
			       key);
}

void
vd_walk_cache_store(struct vd_walk_cache *c, uint64_t tag,
		    const struct vd_xlat_walk *w, bool leaf, uint64_t next)
{
	struct vd_walk_cache_slot *e = &c->slot[tag % VD_WALK_CACHE_SLOTS];

	if (w->nsteps > VD_ARRAY_SIZE(e->steps))
		return;
	e->tag = tag;
	e->root = w->root;
	e->next = next;
	e->leaf = leaf;
	e->valid = true;
	e->nsteps = w->nsteps;
	memcpy(e->steps, w->steps, w->nsteps * sizeof(w->steps[0]));
}

unsigned
vd_walk_cache_lookup(const struct vd_walk_cache *c, uint64_t tag,
		     struct vd_xlat_walk *w, uint64_t *next, bool *leaf)
{
	const struct vd_walk_cache_slot *e = &c->slot[tag % VD_WALK_CACHE_SLOTS];

	if (!e->valid || e->tag != tag || e->root != w->root)
		return 0;
	memcpy(w->steps, e->steps, e->nsteps * sizeof(e->steps[0]));
	w->nsteps = e->nsteps;
	*next = e->next;
	*leaf = e->leaf;
	return e->nsteps;
}
