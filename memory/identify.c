// SPDX-License-Identifier: MIT
/*
 * What a kernel address is, in the order a user asks: a struct page in
 * the vmemmap; an object of a slab cache (the page that holds it is a
 * slab page: its cache, the object's start, allocated or free); a task's
 * kernel stack (task->stack, THREAD_SIZE = sizeof(union thread_union));
 * a CPU's per-CPU area (__per_cpu_offset[cpu] + __per_cpu_start, one
 * pcpu_unit_size each); a module's memory; a vmalloc area; a section of
 * the kernel image; else the page that holds it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "kmem_priv.h"
#include "vmdive/walk.h"

#define STACKS_MAX (1u << 22)

static int
cmp_stack(const void *a, const void *b)
{
	const struct kmem_stack *x = a, *y = b;

	return x->base < y->base ? -1 : x->base > y->base;
}

static struct vd_error *
load_stacks(struct vd_kmem *k)
{
	const struct vd_type *t;
	struct kmem_field stack;
	struct vd_task_iter it;
	const struct vd_task *task;
	struct vd_error *err;
	size_t cap = 0;
	struct vd_qualified_type qt;
	struct vd_symbol_info si;

	// THREAD_SIZE: sizeof(union thread_union) when the types have it;
	// else the size of init_stack[THREAD_SIZE / sizeof(long)] when the
	// symbols know it; else (a vmalloc'ed stack) its vmap area's size
	// without the guard page, found per task below; else 16 KiB, x86_64's
	// and arm64's THREAD_SIZE without KASAN.
	k->stack_size = 0;
	if (vd_ok_destroy(vd_session_find_type(k->s, "union thread_union", &qt)) &&
	    vd_type_unqualified(qt.type) && vd_type_unqualified(qt.type)->size)
		k->stack_size = vd_type_unqualified(qt.type)->size;
	else if (vd_ok_destroy(vd_session_lookup_symbol(k->s, "init_stack", &si)) &&
		 si.size && !si.size_guessed)
		k->stack_size = si.size;
	if ((err = vd_km_type(k, "struct task_struct", &t)) ||
	    (err = vd_km_need(t, "struct task_struct", "stack", &stack)))
		return err;
	if ((err = vd_task_iter_init(&it, k->s, true)))
		return err;
	while ((err = vd_task_iter_next(&it, &task)) != &vd_stop) {
		uint64_t base;

		if (err) {
			vd_error_destroy(err);
			continue;
		}
		if (!vd_ok_destroy(vd_km_u64(k, task->addr + stack.off, &base)) || !base)
			continue;
		if (k->nstacks == cap) {
			struct kmem_stack *p;

			if (cap >= STACKS_MAX)
				break;
			p = realloc(k->stacks, (cap = cap ? 2 * cap : 256) * sizeof(*p));
			if (!p) {
				vd_task_iter_deinit(&it);
				return &vd_enomem;
			}
			k->stacks = p;
		}
		k->stacks[k->nstacks] = (struct kmem_stack){ .base = base, .task = task->addr,
							     .pid = task->pid };
		memcpy(k->stacks[k->nstacks].comm, task->comm, sizeof(task->comm));
		k->nstacks++;
	}
	vd_task_iter_deinit(&it);
	qsort(k->stacks, k->nstacks, sizeof(*k->stacks), cmp_stack);
	return NULL;
}

static struct vd_error *
load_areas(struct vd_kmem *k)
{
	struct vd_vmalloc_iter it;
	const struct vd_vmap_area *a;
	struct vd_error *err;
	size_t cap = 0;

	if ((err = vd_vmalloc_iter_init(&it, k->s)))
		return err;
	while ((err = vd_vmalloc_iter_next(&it, &a)) != &vd_stop) {
		if (err) {
			vd_error_destroy(err);
			continue;
		}
		if (k->nareas == cap) {
			struct kmem_area *p = realloc(k->areas, (cap = cap ? 2 * cap : 256) * sizeof(*p));

			if (!p) {
				vd_vmalloc_iter_deinit(&it);
				return &vd_enomem;
			}
			k->areas = p;
		}
		k->areas[k->nareas] = (struct kmem_area){ .start = a->start, .end = a->end,
							  .caller = a->caller };
		vd_vmalloc_flags_format(k->s, a->flags, k->areas[k->nareas].flags,
					sizeof(k->areas[0].flags));
		k->nareas++;
	}
	vd_vmalloc_iter_deinit(&it);
	return NULL;
}

static struct vd_error *
load_modules(struct vd_kmem *k)
{
	struct vd_module_iter it;
	const struct vd_module *m;
	struct vd_error *err;
	size_t cap = 0;

	if ((err = vd_module_iter_init(&it, k->s)))
		return err;
	while ((err = vd_module_iter_next(&it, &m)) != &vd_stop) {
		if (err) {
			vd_error_destroy(err);
			continue;
		}
		for (size_t i = 0; i < m->nregions; i++) {
			if (!m->regions[i].size)
				continue;
			if (k->nmodregs == cap) {
				struct kmem_modreg *p = realloc(k->modregs,
								(cap = cap ? 2 * cap : 64) * sizeof(*p));

				if (!p) {
					vd_module_iter_deinit(&it);
					return &vd_enomem;
				}
				k->modregs = p;
			}
			k->modregs[k->nmodregs] = (struct kmem_modreg){
				.start = m->regions[i].base,
				.end = m->regions[i].base + m->regions[i].size };
			snprintf(k->modregs[k->nmodregs].module, sizeof(k->modregs[0].module), "%s",
				 m->name);
			snprintf(k->modregs[k->nmodregs].region, sizeof(k->modregs[0].region), "%s",
				 m->regions[i].name);
			k->nmodregs++;
		}
	}
	vd_module_iter_deinit(&it);
	return NULL;
}

static void
load_all(struct vd_kmem *k)
{
	uint64_t end, v;

	if (k->id_ok)
		return;
	k->id_ok = true;
	// Each of these only adds an answer; without it the address is still
	// described by its page and symbol.
	vd_error_destroy(load_stacks(k));
	vd_error_destroy(load_areas(k));
	if (!k->stack_size) {
		// The size most vmalloc'ed stacks have: an area that starts
		// at one stack may be something else (arm64's image segment
		// that starts with init_stack).  Areas are in address order.
		struct {
			uint64_t size, n;
		} tally[8] = { { 0, 0 } };
		size_t nt = 0;

		for (size_t i = 0; i < k->nstacks; i++) {
			size_t lo = 0, hi = k->nareas;
			uint64_t sz;

			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;

				if (k->areas[mid].start < k->stacks[i].base)
					lo = mid + 1;
				else
					hi = mid;
			}
			if (lo == k->nareas || k->areas[lo].start != k->stacks[i].base ||
			    k->areas[lo].end - k->areas[lo].start <= k->psz)
				continue;
			sz = k->areas[lo].end - k->areas[lo].start - k->psz;
			for (size_t t = 0; t <= nt && t < 8; t++) {
				if (t == nt) {
					tally[nt++] = (typeof(tally[0])){ sz, 1 };
					break;
				}
				if (tally[t].size == sz) {
					tally[t].n++;
					break;
				}
			}
		}
		{
			uint64_t best_n = 0;

			for (size_t t = 0; t < nt; t++)
				if (tally[t].n > best_n) {
					best_n = tally[t].n;
					k->stack_size = tally[t].size;
				}
		}
	}
	if (!k->stack_size)
		k->stack_size = 16384;
	vd_error_destroy(load_modules(k));
	if (vd_session_symbol(k->s, "__per_cpu_start", &k->pcpu_start)) {
		if (vd_ok_destroy(vd_km_sym_uint(k, "pcpu_unit_size", 4, &v)) && v)
			k->pcpu_size = (uint32_t)v;
		else if (vd_session_symbol(k->s, "__per_cpu_end", &end) && end > k->pcpu_start)
			k->pcpu_size = end - k->pcpu_start;
		k->have_pcpu = k->pcpu_size && k->cpu_off;
	}
}

uint64_t
vd_km_thread_size(struct vd_kmem *k)
{
	load_all(k);
	return k->stack_size;
}

/* The kernel image's sections, from the linker's symbols. */
static const char *
image_section(struct vd_kmem *k, uint64_t addr)
{
	static const char *const secs[][3] = {
		{ "_stext", "_etext", ".text" },
		{ "__start_rodata", "__end_rodata", ".rodata" },
		{ "__start_ro_after_init", "__end_ro_after_init", ".data..ro_after_init" },
		{ "_sdata", "_edata", ".data" },
		{ "__init_begin", "__init_end", ".init" },
		{ "__bss_start", "__bss_stop", ".bss" },
		{ "_text", "_stext", ".head.text" },
		{ "_edata", "__bss_start", ".data (after _edata)" },
		{ "__bss_stop", "_end", ".brk" },
	};
	uint64_t a, b;

	for (size_t i = 0; i < VD_ARRAY_SIZE(secs); i++)
		if (vd_session_symbol(k->s, secs[i][0], &a) &&
		    vd_session_symbol(k->s, secs[i][1], &b) && addr >= a && addr < b)
			return secs[i][2];
	return NULL;
}

struct vd_error *
vd_kmem_identify(struct vd_kmem *k, uint64_t addr, struct vd_kmem_addr *ret)
{
	const struct vd_region *reg;
	struct vd_symbol_info si;
	struct vd_error *err;

	memset(ret, 0, sizeof(*ret));
	ret->addr = addr;
	ret->cpu = -1;
	ret->obj_cpu = -1;
	if ((err = vd_km_pages_init(k)))
		return err;
	load_all(k);
	reg = vd_xlat_region(k->xlat, addr);
	ret->region = reg ? reg->name : NULL;
	if (vd_session_symbolize(k->s, addr, &si)) {
		ret->have_symbol = true;
		snprintf(ret->symbol, sizeof(ret->symbol), "%s%s%s%s", si.name,
			 si.module ? " [" : "", si.module ? si.module : "", si.module ? "]" : "");
		ret->symbol_offset = si.offset;
	}
	// A struct page?
	if (addr >= k->vmemmap && (addr - k->vmemmap) / k->pl.size_of < k->max_pfn &&
	    (addr - k->vmemmap) / k->pl.size_of >= k->min_pfn &&
	    (!reg || reg->kind == VD_REGION_VMEMMAP)) {
		uint64_t page = addr - (addr - k->vmemmap) % k->pl.size_of;

		if (vd_ok_destroy(vd_kmem_page_info(k, page, &ret->page))) {
			ret->kind = VD_ADDR_PAGE_STRUCT;
			ret->have_page = true;
			return NULL;
		}
	}
	if ((err = vd_km_va_to_pa(k, addr, &ret->pa))) {
		vd_error_destroy(err);
	} else {
		uint64_t page;

		ret->mapped = true;
		if (vd_ok_destroy(vd_kmem_pfn_to_page(k, ret->pa >> k->pshift, &page)) &&
		    vd_ok_destroy(vd_kmem_page_info(k, page, &ret->page))) {
			ret->have_page = true;
			if (ret->page.tail) {
				struct vd_page_info head;

				if (vd_ok_destroy(vd_kmem_page_info(k, ret->page.head_page, &head)))
					ret->page = head;
			}
		}
	}
	if (ret->have_page && vd_km_page_is_slab(k, &ret->page) &&
	    vd_ok_destroy(vd_km_slab_init(k))) {
		// Slab objects are addressed through the direct map; the
		// slab's struct page is the head page.
		err = vd_km_slab_object(k, ret->page.head_page, vd_km_pa_to_dm(k, ret->pa), ret);
		if (err)
			return vd_error_wrap(err, "address 0x%llx is in a slab page",
					     (unsigned long long)addr);
		ret->kind = VD_ADDR_SLAB;
		return NULL;
	}
	for (size_t i = 0; i < k->nstacks; i++) {
		const struct kmem_stack *st = &k->stacks[i];

		if (addr >= st->base && addr - st->base < k->stack_size) {
			ret->kind = VD_ADDR_STACK;
			ret->task = st->task;
			ret->pid = st->pid;
			memcpy(ret->comm, st->comm, sizeof(ret->comm));
			ret->stack_base = st->base;
			ret->stack_size = k->stack_size;
			break;
		}
	}
	for (size_t i = 0; i < k->nareas; i++)
		if (addr >= k->areas[i].start && addr < k->areas[i].end) {
			ret->va_start = k->areas[i].start;
			ret->va_end = k->areas[i].end;
			ret->va_caller = k->areas[i].caller;
			memcpy(ret->va_flags, k->areas[i].flags, sizeof(ret->va_flags));
			if (ret->kind == VD_ADDR_UNKNOWN)
				ret->kind = VD_ADDR_VMALLOC;
			break;
		}
	if (ret->kind == VD_ADDR_STACK)
		return NULL;
	// The kernel image: its own region on x86_64; inside the vmalloc
	// region (and registered as vmap areas) on arm64.
	{
		uint64_t text, stext, end;

		// arm64 registers the image's segments from _stext as vmap
		// areas; [_text, _stext) is not one, and vmalloc may hand it
		// out: a vmap area that is no image segment wins there.
		if (vd_session_symbol(k->s, "_text", &text) && vd_session_symbol(k->s, "_end", &end) &&
		    addr >= text && addr < end &&
		    !(ret->va_start && vd_session_symbol(k->s, "_stext", &stext) &&
		      (ret->va_end <= stext || ret->va_start >= end))) {
			ret->kind = VD_ADDR_KERNEL;
			ret->section = image_section(k, addr);
			ret->va_start = ret->va_end = ret->va_caller = 0;
			ret->va_flags[0] = 0;
			return NULL;
		}
	}
	if (k->have_pcpu)
		for (uint32_t cpu = 0; cpu < k->ncpus; cpu++) {
			uint64_t start = k->pcpu_start + k->cpu_off[cpu];

			if (k->cpu_possible[cpu] && addr >= start && addr - start < k->pcpu_size) {
				ret->kind = VD_ADDR_PERCPU;
				ret->cpu = (int)cpu;
				ret->percpu_offset = addr - start;
				// The per-CPU symbol at that offset.
				if (vd_session_symbolize(k->s, k->pcpu_start + ret->percpu_offset, &si)) {
					ret->have_symbol = true;
					snprintf(ret->symbol, sizeof(ret->symbol), "%s", si.name);
					ret->symbol_offset = si.offset;
				}
				return NULL;
			}
		}
	for (size_t i = 0; i < k->nmodregs; i++)
		if (addr >= k->modregs[i].start && addr < k->modregs[i].end) {
			ret->kind = VD_ADDR_MODULE;
			memcpy(ret->module, k->modregs[i].module, sizeof(ret->module));
			ret->module_region = k->modregs[i].region;
			return NULL;
		}
	if (ret->kind == VD_ADDR_VMALLOC)
		return NULL;
	if (reg && reg->kind == VD_REGION_KTEXT) {
		ret->kind = VD_ADDR_KERNEL;
		ret->section = image_section(k, addr);
		return NULL;
	}
	if (ret->have_page)
		ret->kind = VD_ADDR_PAGE;
	return NULL;
}
