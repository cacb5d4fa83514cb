// SPDX-License-Identifier: MIT
/*
 * vmalloc areas: every busy struct vmap_area and its struct vm_struct.
 *
 * Where the kernel keeps them, told apart by which symbol exists:
 * - vmap_area_list, one address-sorted list through vmap_area.list (also
 *   in VMCOREINFO since 3.x for makedumpfile);
 * - since 6.9 no global list (commit 55c49fee57af "mm/vmalloc: remove
 *   vmap_area_list"): vmap_nodes[nr_vmap_nodes], each node's busy areas on
 *   node->busy.head (commit d093602919ad "mm: vmalloc: remove global
 *   vmap_area_root rb-tree").  Areas of different nodes interleave, so all
 *   are collected and sorted by address.
 *
 * VM_* flag values are #defines (include/linux/vmalloc.h), absent from
 * BTF; the table below says when each meaning held.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "walk_priv.h"

/* /proc/vmallocinfo has a few thousand lines on a big machine. */
#define AREAS_MAX VD_WALK_MAX_ELEMENTS
#define NODES_MAX 4096

struct va_fields {
	struct vd_field start, end, list, vm;
	struct vd_field addr, size, flags, pages, nr_pages, phys_addr, caller;
	struct vd_field node_busy_head;
	uint64_t node_size;
};

struct area_entry {
	struct vd_error *err;      /* first: vd_walk_buf */
	struct vd_vmap_area a;
};

struct vd_vmalloc_walk {
	struct vd_session *s;
	struct va_fields f;
	struct vd_walk_buf buf;         /* struct area_entry */
};

static struct area_entry *
ents(const struct vd_vmalloc_walk *w)
{
	return w->buf.e;
}

static struct vd_error *
setup_fields(struct vd_session *s, struct va_fields *f, bool nodes)
{
	const struct vd_type *va, *vm, *node;
	struct vd_error *err;

	if ((err = vd_walk_type(s, "struct vmap_area", &va)) ||
	    (err = vd_walk_need(va, "struct vmap_area", "va_start", &f->start)) ||
	    (err = vd_walk_need(va, "struct vmap_area", "va_end", &f->end)) ||
	    (err = vd_walk_need(va, "struct vmap_area", "list", &f->list)) ||
	    (err = vd_walk_need(va, "struct vmap_area", "vm", &f->vm)))
		return err;
	if ((err = vd_walk_type(s, "struct vm_struct", &vm)) ||
	    (err = vd_walk_need(vm, "struct vm_struct", "addr", &f->addr)) ||
	    (err = vd_walk_need(vm, "struct vm_struct", "size", &f->size)) ||
	    (err = vd_walk_need(vm, "struct vm_struct", "flags", &f->flags)) ||
	    (err = vd_walk_field(vm, "pages", &f->pages)) ||
	    (err = vd_walk_field(vm, "nr_pages", &f->nr_pages)) ||
	    (err = vd_walk_field(vm, "phys_addr", &f->phys_addr)) ||
	    (err = vd_walk_field(vm, "caller", &f->caller)))
		return err;
	if (!nodes)
		return NULL;
	if ((err = vd_walk_type(s, "struct vmap_node", &node)) ||
	    (err = vd_walk_need(node, "struct vmap_node", "busy.head", &f->node_busy_head)))
		return err;
	f->node_size = node->size;
	return NULL;
}

static struct vd_error *
read_vm(struct vd_vmalloc_walk *w, struct vd_vmap_area *a)
{
	const struct va_fields *f = &w->f;
	struct vd_session *s = w->s;
	uint64_t v;
	struct vd_error *err;

	if ((err = vd_walk_get(s, a->vm, &f->addr, &a->vm_addr)) ||
	    (err = vd_walk_get(s, a->vm, &f->size, &a->vm_size)) ||
	    (err = vd_walk_get(s, a->vm, &f->flags, &a->flags)))
		return vd_error_wrap(err, "vm_struct at 0x%llx", (unsigned long long)a->vm);
	if (f->pages.present && (err = vd_walk_get(s, a->vm, &f->pages, &a->pages)))
		return err;
	if (f->nr_pages.present && !(err = vd_walk_get(s, a->vm, &f->nr_pages, &v)))
		a->nr_pages = (uint32_t)v;
	if (err)
		return err;
	if (f->phys_addr.present && (err = vd_walk_get(s, a->vm, &f->phys_addr, &a->phys_addr)))
		return err;
	if (f->caller.present && (err = vd_walk_get(s, a->vm, &f->caller, &a->caller)))
		return err;
	return NULL;
}

static struct vd_error *
read_area(struct vd_vmalloc_walk *w, uint64_t addr, int node, struct vd_vmap_area *a)
{
	const struct va_fields *f = &w->f;
	struct vd_error *err;

	*a = (struct vd_vmap_area){ .addr = addr, .node = node };
	if ((err = vd_walk_get(w->s, addr, &f->start, &a->start)) ||
	    (err = vd_walk_get(w->s, addr, &f->end, &a->end)) ||
	    (err = vd_walk_get(w->s, addr, &f->vm, &a->vm)))
		return err;
	if (a->end < a->start)
		return vd_error_create(VD_ERR_CORRUPT, "va_start 0x%llx > va_end 0x%llx",
				       (unsigned long long)a->start,
				       (unsigned long long)a->end);
	// vm_map_ram() areas have no vm_struct (vm is NULL, or on 6.1 the
	// union's subtree_max_size of a free area, which is not a pointer).
	if (!vd_walk_kptr_ok(a->vm)) {
		a->vm = 0;
		return NULL;
	}
	return read_vm(w, a);
}

/* All areas of one list; false when out of memory. */
static bool
walk_list(struct vd_vmalloc_walk *w, uint64_t head, int node)
{
	struct vd_list_walk lw;
	struct vd_error *err;
	uint64_t n;
	bool ok = true;

	vd_list_walk_init(&lw, head, AREAS_MAX, vd_walk_read_kptr, w->s);
	while (ok && (err = vd_list_walk_next(&lw, &n)) != &vd_stop) {
		struct area_entry *e = vd_walk_buf_push(&w->buf);

		if (!e) {
			vd_error_destroy(err);
			ok = false;
			break;
		}
		if (err) {
			e->err = err;
			continue;
		}
		err = read_area(w, n - w->f.list.off, node, &e->a);
		if (err)
			e->err = vd_error_wrap(err, "vmap_area at 0x%llx",
					       (unsigned long long)(n - w->f.list.off));
	}
	vd_list_walk_deinit(&lw);
	return ok;
}

static struct vd_error *
walk_nodes(struct vd_vmalloc_iter *it, struct vd_vmalloc_walk *w, uint64_t nodes_sym)
{
	uint64_t nodes, nr = 1, a;
	struct vd_error *err;

	if ((err = vd_walk_read_uint(w->s, nodes_sym, 8, &nodes)))
		return vd_error_wrap(err, "reading vmap_nodes");
	if (vd_session_symbol(w->s, "nr_vmap_nodes", &a) &&
	    (err = vd_walk_read_uint(w->s, a, 4, &nr)))
		return vd_error_wrap(err, "reading nr_vmap_nodes");
	if (!nr || nr > NODES_MAX || !vd_walk_kptr_ok(nodes))
		return vd_error_create(VD_ERR_CORRUPT, "vmap_nodes 0x%llx, nr_vmap_nodes %llu",
				       (unsigned long long)nodes, (unsigned long long)nr);
	it->source = "vmap_nodes";
	for (uint64_t i = 0; i < nr; i++)
		if (!walk_list(w, nodes + i * w->f.node_size + w->f.node_busy_head.off, (int)i))
			return &vd_enomem;
	return NULL;
}

static int
area_cmp(const void *x, const void *y)
{
	const struct area_entry *a = x, *b = y;

	if (!a->err != !b->err)
		return a->err ? -1 : 1;
	if (a->err)
		return 0;
	return a->a.start < b->a.start ? -1 : a->a.start > b->a.start;
}

struct vd_error *
vd_vmalloc_iter_init(struct vd_vmalloc_iter *it, struct vd_session *s)
{
	struct vd_vmalloc_walk *w;
	uint64_t list, nodes;
	bool have_list, have_nodes;
	struct vd_error *err;

	*it = (struct vd_vmalloc_iter){ 0 };
	have_list = vd_session_symbol(s, "vmap_area_list", &list);
	have_nodes = !have_list && vd_session_symbol(s, "vmap_nodes", &nodes);
	if (!have_list && !have_nodes)
		return vd_error_wrap(vd_walk_symbol(s, "vmap_area_list", &list),
				     "finding the vmap areas (neither vmap_area_list nor vmap_nodes)");
	w = calloc(1, sizeof(*w));
	if (!w)
		return &vd_enomem;
	w->s = s;
	w->buf.size = sizeof(*ents(w));
	it->w = w;
	err = setup_fields(s, &w->f, have_nodes);
	if (err) {
		err = vd_error_wrap(err, "vmalloc types (%s)", vd_session_type_source(s));
	} else if (have_list) {
		it->source = "vmap_area_list";
		err = walk_list(w, list, -1) ? NULL : &vd_enomem;
	} else {
		err = walk_nodes(it, w, nodes);
	}
	if (err) {
		vd_vmalloc_iter_deinit(it);
		return err;
	}
	qsort(w->buf.e, w->buf.n, w->buf.size, area_cmp);
	return NULL;
}

struct vd_error *
vd_vmalloc_iter_next(struct vd_vmalloc_iter *it, const struct vd_vmap_area **ret)
{
	const struct area_entry *e;
	struct vd_error *err;

	if (!it->w)
		return &vd_stop;
	err = vd_walk_buf_next(&it->w->buf, &it->nrecords, &it->ncorrupt, (const void **)&e);
	if (!err)
		*ret = &e->a;
	return err;
}

void
vd_vmalloc_iter_deinit(struct vd_vmalloc_iter *it)
{
	struct vd_vmalloc_walk *w = it->w;

	if (!w)
		return;
	vd_walk_buf_free(&w->buf);
	free(w);
	it->w = NULL;
}

/* Flags, sizes, pages ------------------------------------------------------------ */

/* The kernel's major.minor from OSRELEASE, for #define values only. */
static unsigned
kernel_version(struct vd_session *s)
{
	const char *rel = vd_session_vmcoreinfo(s, "OSRELEASE");
	unsigned major = 0, minor = 0;

	if (!rel || sscanf(rel, "%u.%u", &major, &minor) != 2)
		return 0;
	return major << 8 | minor;
}

/*
 * VM_* bits of include/linux/vmalloc.h with the /proc/vmallocinfo word.
 * Two bits changed meaning: 0x10 was VM_VPAGES until 4.5 ("mm, vmalloc:
 * remove VM_VPAGES") and is VM_DMA_COHERENT since 5.5 ("dma-mapping:
 * always use VM_DMA_COHERENT for generic DMA remap"); 0x400 was VM_NO_HUGE_VMAP (5.13) and is
 * VM_ALLOW_HUGE_VMAP since 5.18 (commit 559089e0a93d "vmalloc: replace
 * VM_NO_HUGE_VMAP with VM_ALLOW_HUGE_VMAP").  #defines have no presence
 * to test, so OSRELEASE decides for these two.
 */
struct vm_flag {
	uint64_t bit;
	unsigned since, until;      /* major << 8 | minor; 0: always */
	const char *word;
};

static const struct vm_flag vm_flags[] = {
	{ 0x1, 0, 0, "ioremap" },
	{ 0x2, 0, 0, "vmalloc" },
	{ 0x4, 0, 0, "vmap" },
	{ 0x8, 0, 0, "user" },
	{ 0x10, 0, 0x405, "vpages" },
	{ 0x10, 0x505, 0, "dma-coherent" },
	{ 0x20, 0, 0, "uninitialized" },
	{ 0x40, 0, 0, "no-guard" },            /* 4.0, commit 71394fe50146 */
	{ 0x80, 0, 0, "kasan" },
	{ 0x100, 0, 0, "flush-reset-perms" },  /* 5.2, commit 868b104d7379 */
	{ 0x200, 0, 0, "map-put-pages" },      /* 5.10, commit b944afc9d64d */
	{ 0x400, 0x50d, 0x512, "no-huge-vmap" },
	{ 0x400, 0x512, 0, "allow-huge-vmap" },
	{ 0x800, 0, 0, "defer-kmemleak" },
	{ 0x1000, 0, 0, "sparse" },            /* 6.9, commit e6f798225a31 */
};

void
vd_vmalloc_flags_format(struct vd_session *s, uint64_t flags, char *buf, size_t size)
{
	unsigned ver = kernel_version(s);
	uint64_t known = 0;
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < VD_ARRAY_SIZE(vm_flags) && n < size; i++) {
		const struct vm_flag *f = &vm_flags[i];

		if (!(flags & f->bit) || (known & f->bit) ||
		    (ver && f->since && ver < f->since) || (ver && f->until && ver >= f->until))
			continue;
		known |= f->bit;
		n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? " " : "", f->word);
	}
	if ((flags & ~known) && n < size)
		snprintf(buf + n, size - n, "%s0x%llx", n ? " " : "",
			 (unsigned long long)(flags & ~known));
}

uint64_t
vd_vmalloc_data_size(struct vd_session *s, const struct vd_vmap_area *a)
{
	uint64_t page = vd_session_page_size(s);

	// get_vm_area_size(): the guard page is part of vm->size unless
	// VM_NO_GUARD (0x40).
	if (!a->vm)
		return a->end - a->start;
	if (!(a->flags & 0x40) && a->vm_size >= page)
		return a->vm_size - page;
	return a->vm_size;
}

static bool
xlat_param(struct vd_xlat *xlat, const char *name, uint64_t *ret)
{
	const struct vd_xlat_param *p;
	size_t n = vd_xlat_params(xlat, &p);

	for (size_t i = 0; i < n; i++)
		if (!strcmp(p[i].name, name)) {
			*ret = p[i].value;
			return true;
		}
	return false;
}

/*
 * Where struct page of pfn 0 would be: x86_64's vmemmap_base; arm64's
 * vmemmap is VMEMMAP_START - (memstart_addr >> PAGE_SHIFT) pages (commit
 * 7bc1a0f9e176 "arm64: mm: use single quantity to represent the PA to VA
 * translation", 5.10).
 */
static struct vd_error *
vmemmap_origin(struct vd_session *s, uint64_t page_size, uint64_t *origin,
	       uint64_t *psize)
{
	const struct vd_type *pt;
	struct vd_xlat *xlat;
	uint64_t start, phys;
	struct vd_error *err;

	if ((err = vd_session_xlat(s, &xlat)))
		return err;
	if ((err = vd_walk_type(s, "struct page", &pt)))
		return err;
	*psize = pt->size;
	if (xlat_param(xlat, "vmemmap_base", origin))
		return NULL;
	if (xlat_param(xlat, "vmemmap_start", &start) &&
	    xlat_param(xlat, "phys_offset", &phys)) {
		*origin = start - phys / page_size * pt->size;
		return NULL;
	}
	return vd_error_create(VD_ERR_NOTIMPL, "no vmemmap base for this architecture");
}

struct vd_error *
vd_vmalloc_page_phys(struct vd_session *s, const struct vd_vmap_area *a, uint32_t i,
		     uint64_t *page_ret, uint64_t *pa_ret)
{
	uint64_t psz = vd_session_page_size(s);
	uint64_t page, origin, size;
	struct vd_error *err;

	if (!a->pages || i >= a->nr_pages)
		return vd_error_create(VD_ERR_INVALID_ARG, "area 0x%llx has no page %u",
				       (unsigned long long)a->start, i);
	if ((err = vd_walk_read_uint(s, a->pages + 8ull * i, 8, &page)))
		return vd_error_wrap(err, "reading vm->pages[%u]", i);
	if ((err = vmemmap_origin(s, psz, &origin, &size)))
		return err;
	if (page < origin || (page - origin) % size)
		return vd_error_create(VD_ERR_CORRUPT,
				       "pages[%u] = 0x%llx is not a struct page in the vmemmap at 0x%llx",
				       i, (unsigned long long)page, (unsigned long long)origin);
	*page_ret = page;
	*pa_ret = (page - origin) / size * psz;
	return NULL;
}
