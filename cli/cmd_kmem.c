// SPDX-License-Identifier: MIT
/*
 * vmdive kmem: what the kernel's memory was used for, like crash's kmem.
 *   kmem -i          crash's summary table, then /proc/meminfo's lines
 *   kmem -s [NAME]   SLUB caches: objects allocated/total, slabs, slab size
 *   kmem -S NAME     one cache's slabs and objects, allocated and free
 *   kmem ADDR...     what each address is
 *   kmem -p [ADDR]   struct pages: all, or of addresses
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "vmdive/memory.h"

static void
report_cb(void *priv, struct vd_error *err)
{
	vd_walk_errors_add(priv, err);
}

/* crash's pages_to_size(): "469.8 MB", "9 MB", "512 KB", "0". */
static void
pages_size(uint64_t pages, uint64_t psz, char *buf, size_t len)
{
	double total = (double)pages * (double)psz;
	char *p;

	if (!pages) {
		snprintf(buf, len, "0");
		return;
	}
	if (total >= 1073741824.0)
		snprintf(buf, len, "%.1f GB", total / 1073741824.0);
	else if (total >= 1048576.0)
		snprintf(buf, len, "%.1f MB", total / 1048576.0);
	else
		snprintf(buf, len, "%lu KB", (unsigned long)(total / 1024.0));
	if ((p = strstr(buf, ".0 ")))
		memmove(p, p + 2, strlen(p + 2) + 1);
}

static void
row(struct vd_cli *cli, const char *name, uint64_t pages, uint64_t psz, uint64_t of,
    const char *ofname)
{
	char sz[32];

	pages_size(pages, psz, sz, sizeof(sz));
	if (!ofname)
		fprintf(cli->out, "%13s  %7" PRIu64 "  %11s         ----\n", name, pages, sz);
	else
		fprintf(cli->out, "%13s  %7" PRIu64 "  %11s  %3" PRIu64 "%% of %s\n", name, pages,
			sz, of ? pages * 100 / of : 0, ofname);
}

static int
kmem_info(struct vd_cli *cli, struct vd_kmem *k)
{
	struct vd_meminfo mi;
	struct vd_error *err = vd_kmem_meminfo(k, &mi);
	uint64_t psz;

	if (err) {
		vd_cli_report(cli, err);
		return VD_EXIT_FAIL;
	}
	psz = mi.page_size;
	if (cli->json) {
		struct vd_json *j = &cli->j;

		vd_json_begin_object(j);
		vd_json_kv_uint(j, "page_size", psz);
		vd_json_key(j, "pages");
		vd_json_begin_object(j);
		vd_json_kv_uint(j, "total", mi.totalram);
		vd_json_kv_uint(j, "free", mi.freeram);
		vd_json_kv_uint(j, "used", mi.totalram - mi.freeram);
		vd_json_kv_uint(j, "buffers", mi.bufferram);
		vd_json_kv_uint(j, "cached", mi.cached);
		vd_json_kv_uint(j, "slab", mi.slab);
		vd_json_kv_uint(j, "huge_total", mi.huge_total);
		vd_json_kv_uint(j, "huge_free", mi.huge_free);
		vd_json_kv_uint(j, "swap_total", mi.swap_total);
		vd_json_kv_uint(j, "swap_free", mi.swap_free);
		vd_json_kv_uint(j, "commit_limit", mi.commit_limit);
		vd_json_kv_uint(j, "committed", mi.committed);
		vd_json_end_object(j);
		vd_json_key(j, "meminfo");
		vd_json_begin_array(j);
		for (size_t i = 0; i < mi.nlines; i++) {
			vd_json_begin_object(j);
			vd_json_kv_string(j, "name", mi.lines[i].name);
			vd_json_kv_uint(j, "value", mi.lines[i].value);
			vd_json_kv_string(j, "unit", mi.lines[i].kb ? "kB" : "");
			vd_json_end_object(j);
		}
		vd_json_end_array(j);
		vd_json_end_object(j);
		return VD_EXIT_OK;
	}
	fprintf(cli->out, "                 PAGES        TOTAL      PERCENTAGE\n");
	row(cli, "TOTAL MEM", mi.totalram, psz, 0, NULL);
	row(cli, "FREE", mi.freeram, psz, mi.totalram, "TOTAL MEM");
	row(cli, "USED", mi.totalram - mi.freeram, psz, mi.totalram, "TOTAL MEM");
	row(cli, "BUFFERS", mi.bufferram, psz, mi.totalram, "TOTAL MEM");
	row(cli, "CACHED", mi.cached, psz, mi.totalram, "TOTAL MEM");
	row(cli, "SLAB", mi.slab, psz, mi.totalram, "TOTAL MEM");
	fprintf(cli->out, "\n");
	row(cli, "TOTAL HUGE", mi.huge_total, psz, 0, NULL);
	row(cli, "HUGE FREE", mi.huge_free, psz, mi.huge_total, "TOTAL HUGE");
	fprintf(cli->out, "\n");
	row(cli, "TOTAL SWAP", mi.swap_total, psz, 0, NULL);
	row(cli, "SWAP USED", mi.swap_total - mi.swap_free, psz, mi.swap_total, "TOTAL SWAP");
	row(cli, "SWAP FREE", mi.swap_free, psz, mi.swap_total, "TOTAL SWAP");
	fprintf(cli->out, "\n");
	row(cli, "COMMIT LIMIT", mi.commit_limit, psz, 0, NULL);
	row(cli, "COMMITTED", mi.committed, psz, mi.commit_limit, "TOTAL LIMIT");
	fprintf(cli->out, "\n/proc/meminfo:\n");
	for (size_t i = 0; i < mi.nlines; i++) {
		const struct vd_meminfo_line *l = &mi.lines[i];
		char name[40];

		snprintf(name, sizeof(name), "%s:", l->name);
		if (!l->kb)
			fprintf(cli->out, "%-19s%5" PRIu64 "\n", name, l->value);
		else if (strlen(name) > 16)   // HardwareCorrupted, EarlyMemtestBad
			fprintf(cli->out, "%-19s%5" PRIu64 " kB\n", name, l->value);
		else
			fprintf(cli->out, "%-16s%8" PRIu64 " kB\n", name, l->value);
	}
	return VD_EXIT_OK;
}

static const char cache_hdr[] =
	"CACHE             OBJSIZE  ALLOCATED     TOTAL  SLABS  SSIZE  NAME\n";

static void
cache_text(struct vd_cli *cli, const struct vd_slab_cache *c)
{
	if (c->have_stats)
		fprintf(cli->out, "%016" PRIx64 " %8u  %9" PRIu64 " %9" PRIu64 " %6" PRIu64
			" %5" PRIu64 "k  %s\n", c->addr, c->object_size, c->allocated,
			c->total_objects, c->nr_slabs, c->slab_size / 1024, c->name);
	else
		fprintf(cli->out, "%016" PRIx64 " %8u  %9s %9s %6s %5" PRIu64 "k  %s\n", c->addr,
			c->object_size, "?", "?", "?", c->slab_size / 1024, c->name);
}

static void
cache_json(struct vd_cli *cli, const struct vd_slab_cache *c)
{
	struct vd_json *j = &cli->j;

	vd_json_kv_hex(j, "address", c->addr);
	vd_json_kv_string(j, "name", c->name);
	vd_json_kv_uint(j, "object_size", c->object_size);
	vd_json_kv_uint(j, "size", c->size);
	vd_json_kv_uint(j, "offset", c->offset);
	vd_json_kv_uint(j, "objects_per_slab", c->objects);
	vd_json_kv_uint(j, "order", c->order);
	vd_json_kv_uint(j, "slab_size", c->slab_size);
	vd_json_kv_hex(j, "flags", c->flags);
	vd_json_kv_bool(j, "freelist_hardened", c->hardened);
	vd_json_kv_bool(j, "have_stats", c->have_stats);
	if (c->have_stats) {
		vd_json_kv_uint(j, "allocated", c->allocated);
		vd_json_kv_uint(j, "total", c->total_objects);
		vd_json_kv_uint(j, "free", c->free_objects);
		vd_json_kv_uint(j, "slabs", c->nr_slabs);
		vd_json_kv_uint(j, "cpu_slabs", c->cpu_slabs);
		vd_json_kv_uint(j, "cpu_partial_slabs", c->cpu_partial_slabs);
		vd_json_kv_uint(j, "node_partial_slabs", c->node_partial_slabs);
	}
}

static int
kmem_caches(struct vd_cli *cli, struct vd_kmem *k)
{
	struct vd_walk_errors errs = { .cli = cli };
	struct vd_slab_cache *v = NULL;
	const char *want = cli->nargs ? cli->args[0] : NULL;
	size_t n = 0, shown = 0;
	struct vd_error *err;

	if ((err = vd_kmem_caches(k, &v, &n, report_cb, &errs))) {
		vd_cli_report(cli, err);
		return VD_EXIT_FAIL;
	}
	if (cli->json) {
		vd_json_begin_object(&cli->j);
		vd_json_key(&cli->j, "caches");
		vd_json_begin_array(&cli->j);
	} else {
		fprintf(cli->out, "%s", cache_hdr);
	}
	for (size_t i = 0; i < n; i++) {
		if (want && strcmp(v[i].name, want))
			continue;
		shown++;
		if (cli->json) {
			vd_json_begin_object(&cli->j);
			cache_json(cli, &v[i]);
			vd_json_end_object(&cli->j);
		} else {
			cache_text(cli, &v[i]);
		}
	}
	if (want && !shown) {
		char msg[300];

		snprintf(msg, sizeof(msg), "no slab cache named %s", want);
		vd_cli_error(cli, "%s", msg);
		vd_walk_errors_keep(&errs, msg);
	}
	if (cli->json) {
		vd_json_end_array(&cli->j);
		vd_walk_errors_json(&errs);
		vd_json_end_object(&cli->j);
	}
	free(v);
	vd_walk_errors_finish(&errs, "slab caches");
	return errs.n ? VD_EXIT_FAIL : VD_EXIT_OK;
}

struct slabs_out {
	struct vd_cli *cli;
	const struct vd_slab_cache *c;
	struct vd_walk_errors *errs;
	int last_where, last_cpu, last_node;
	uint64_t nslabs, nalloc, nfree;
};

static const char *const where_name[] = { "cpu", "cpu_partial", "node_partial", "other" };

static bool
slab_cb(void *priv, const struct vd_slab *s)
{
	struct slabs_out *o = priv;
	struct vd_cli *cli = o->cli;
	const struct vd_slab_cache *c = o->c;

	o->nslabs++;
	o->nfree += s->nfree;
	o->nalloc += s->objects - s->nfree;
	if (cli->json) {
		struct vd_json *j = &cli->j;

		vd_json_begin_object(j);
		vd_json_kv_hex(j, "slab", s->slab);
		vd_json_kv_hex(j, "memory", s->base - c->red_left_pad);
		vd_json_kv_string(j, "where", where_name[s->where]);
		vd_json_kv_int(j, "cpu", s->cpu);
		vd_json_kv_int(j, "node", s->node);
		vd_json_kv_uint(j, "objects", s->objects);
		vd_json_kv_uint(j, "inuse", s->inuse);
		vd_json_kv_uint(j, "free", s->nfree);
		vd_json_key(j, "allocated_objects");
		vd_json_begin_array(j);
		for (uint32_t i = 0; i < s->objects; i++)
			if (s->state[i] == VD_OBJ_ALLOCATED)
				vd_json_hex(j, s->base + (uint64_t)i * c->size);
		vd_json_end_array(j);
		vd_json_key(j, "free_objects");
		vd_json_begin_array(j);
		for (uint32_t i = 0; i < s->objects; i++)
			if (s->state[i] != VD_OBJ_ALLOCATED)
				vd_json_hex(j, s->base + (uint64_t)i * c->size);
		vd_json_end_array(j);
		vd_json_end_object(j);
		return true;
	}
	if ((int)s->where != o->last_where || s->cpu != o->last_cpu || s->node != o->last_node) {
		if (s->where == VD_SLAB_CPU)
			fprintf(cli->out, "CPU %d SLAB:\n", s->cpu);
		else if (s->where == VD_SLAB_CPU_PARTIAL)
			fprintf(cli->out, "CPU %d PARTIAL:\n", s->cpu);
		else if (s->where == VD_SLAB_OTHER)
			fprintf(cli->out, "SLABS ON NO LIST, HOLDING SHEAF OBJECTS:\n");
		else
			fprintf(cli->out, "NODE %d PARTIAL:\n", s->node);
		o->last_where = (int)s->where;
		o->last_cpu = s->cpu;
		o->last_node = s->node;
	}
	fprintf(cli->out, "  SLAB              MEMORY            NODE  TOTAL  ALLOCATED  FREE\n");
	fprintf(cli->out, "  %016" PRIx64 "  %016" PRIx64 "  %4d  %5u  %9u  %4u\n", s->slab,
		s->base - c->red_left_pad, s->node, s->objects, s->objects - s->nfree, s->nfree);
	fprintf(cli->out, "  FREE / [ALLOCATED]\n");
	for (uint32_t i = 0; i < s->objects; i++) {
		uint64_t a = s->base + (uint64_t)i * c->size;

		if (s->state[i] == VD_OBJ_ALLOCATED)
			fprintf(cli->out, "  [%016" PRIx64 "]\n", a);
		else if (s->state[i] == VD_OBJ_FREE_CPU)
			fprintf(cli->out, "   %016" PRIx64 "  (cpu %d cache)\n", a,
				s->obj_cpu && s->obj_cpu[i] >= 0 ? s->obj_cpu[i] : s->cpu);
		else
			fprintf(cli->out, "   %016" PRIx64 "\n", a);
	}
	return true;
}

static void
slab_err_cb(void *priv, struct vd_error *err)
{
	vd_walk_errors_add(((struct slabs_out *)priv)->errs, err);
}

static int
kmem_objects(struct vd_cli *cli, struct vd_kmem *k)
{
	struct vd_walk_errors errs = { .cli = cli };
	struct vd_slab_cache c;
	struct slabs_out o = { .cli = cli, .c = &c, .errs = &errs, .last_where = -1 };
	struct vd_error *err;

	if (cli->nargs != 1) {
		vd_cli_error(cli, "kmem -S needs one cache name");
		return VD_EXIT_USAGE;
	}
	if ((err = vd_kmem_cache_find(k, cli->args[0], &c))) {
		vd_cli_report(cli, err);
		return VD_EXIT_FAIL;
	}
	if (cli->json) {
		vd_json_begin_object(&cli->j);
		vd_json_key(&cli->j, "cache");
		vd_json_begin_object(&cli->j);
		cache_json(cli, &c);
		vd_json_end_object(&cli->j);
		vd_json_key(&cli->j, "slabs");
		vd_json_begin_array(&cli->j);
	} else {
		fprintf(cli->out, "%s", cache_hdr);
		cache_text(cli, &c);
	}
	err = vd_kmem_cache_slabs(k, &c, slab_cb, slab_err_cb, &o);
	if (err)
		vd_walk_errors_add(&errs, err);
	if (cli->json) {
		vd_json_end_array(&cli->j);
		vd_json_kv_uint(&cli->j, "listed_allocated", o.nalloc);
		vd_json_kv_uint(&cli->j, "listed_free", o.nfree);
		vd_walk_errors_json(&errs);
		vd_json_end_object(&cli->j);
	} else {
		fprintf(cli->out, "%" PRIu64 " slabs listed (CPU, partial and those holding sheaf objects; "
			"SLUB keeps no list of full slabs): "
			"%" PRIu64 " allocated, %" PRIu64 " free objects\n", o.nslabs, o.nalloc, o.nfree);
	}
	vd_walk_errors_finish(&errs, "slabs");
	return errs.n ? VD_EXIT_FAIL : VD_EXIT_OK;
}

static const char page_hdr[] =
	"      PAGE          PHYSICAL           MAPPING      INDEX  CNT  FLAGS\n";

static void
page_text(struct vd_cli *cli, const struct vd_page_info *p)
{
	fprintf(cli->out, "%016" PRIx64 "  %10" PRIx64 "  %16" PRIx64 "  %9" PRIx64 "  %3d  %" PRIx64
		" %s%s%s\n", p->page, p->pa, p->mapping, p->index, p->refcount, p->flags_raw,
		p->flag_names, p->type_name ? (p->flag_names[0] ? ",type:" : "type:") : "",
		p->type_name ? p->type_name : "");
}

static void
page_json(struct vd_cli *cli, const char *key, const struct vd_page_info *p)
{
	struct vd_json *j = &cli->j;

	if (key)
		vd_json_key(j, key);
	vd_json_begin_object(j);
	vd_json_kv_hex(j, "page", p->page);
	vd_json_kv_hex(j, "pfn", p->pfn);
	vd_json_kv_hex(j, "phys", p->pa);
	vd_json_kv_hex(j, "flags", p->flags_raw);
	vd_json_kv_string(j, "flag_names", p->flag_names);
	vd_json_kv_int(j, "refcount", p->refcount);
	vd_json_kv_int(j, "mapcount", p->mapcount);
	vd_json_kv_string(j, "type", p->type_name ? p->type_name : "");
	vd_json_kv_hex(j, "mapping", p->mapping);
	vd_json_kv_hex(j, "index", p->index);
	vd_json_kv_hex(j, "private", p->private_);
	vd_json_kv_bool(j, "compound", p->compound);
	vd_json_kv_bool(j, "head", p->head);
	vd_json_kv_bool(j, "tail", p->tail);
	vd_json_kv_hex(j, "head_page", p->head_page);
	vd_json_kv_uint(j, "order", p->order);
	vd_json_end_object(j);
}

static int
kmem_pages(struct vd_cli *cli, struct vd_kmem *k)
{
	struct vd_walk_errors errs = { .cli = cli };
	struct vd_page_info p;
	struct vd_error *err;
	uint64_t max = vd_kmem_max_pfn(k);

	if (cli->json) {
		vd_json_begin_object(&cli->j);
		vd_json_key(&cli->j, "pages");
		vd_json_begin_array(&cli->j);
	} else {
		fprintf(cli->out, "%s", page_hdr);
	}
	if (!cli->nargs) {
		for (uint64_t pfn = vd_kmem_min_pfn(k); pfn < max; pfn++) {
			uint64_t page;

			if ((err = vd_kmem_pfn_to_page(k, pfn, &page)) ||
			    (err = vd_kmem_page_info(k, page, &p))) {
				// Holes in the memory map are not in the dump.
				if (err->code != VD_ERR_FAULT && err->code != VD_ERR_NODATA &&
				    err->code != VD_ERR_NOTPRESENT)
					vd_walk_errors_add(&errs, err);
				else
					vd_error_destroy(err);
				continue;
			}
			if (cli->json)
				page_json(cli, NULL, &p);
			else
				page_text(cli, &p);
		}
	}
	for (int i = 0; i < cli->nargs; i++) {
		uint64_t a, page, pfn;

		if (!vd_cli_addr(cli, cli->args[i], &a)) {
			vd_walk_errors_keep(&errs, vd_cli_last_error());
			continue;
		}
		// A struct page address, else a physical address.
		if (!(err = vd_kmem_page_to_pfn(k, a, &pfn))) {
			page = a;
		} else {
			vd_error_destroy(err);
			if ((err = vd_kmem_pfn_to_page(k, a / vd_session_page_size(cli->session), &page))) {
				vd_walk_errors_add(&errs, err);
				continue;
			}
		}
		if ((err = vd_kmem_page_info(k, page, &p))) {
			vd_walk_errors_add(&errs, err);
			continue;
		}
		if (cli->json)
			page_json(cli, NULL, &p);
		else
			page_text(cli, &p);
	}
	if (cli->json) {
		vd_json_end_array(&cli->j);
		vd_walk_errors_json(&errs);
		vd_json_end_object(&cli->j);
	}
	vd_walk_errors_finish(&errs, "pages");
	return errs.n ? VD_EXIT_FAIL : VD_EXIT_OK;
}

static const char *const kind_name[] = {
	[VD_ADDR_UNKNOWN] = "unknown", [VD_ADDR_SLAB] = "slab", [VD_ADDR_PAGE] = "page",
	[VD_ADDR_PAGE_STRUCT] = "page_struct", [VD_ADDR_STACK] = "stack",
	[VD_ADDR_VMALLOC] = "vmalloc", [VD_ADDR_MODULE] = "module", [VD_ADDR_KERNEL] = "kernel",
	[VD_ADDR_PERCPU] = "percpu",
};

static const char *const state_name[] = { "allocated", "free", "free (cpu freelist)" };

static void
addr_json(struct vd_cli *cli, const struct vd_kmem_addr *a)
{
	struct vd_json *j = &cli->j;

	vd_json_begin_object(j);
	vd_json_kv_hex(j, "address", a->addr);
	vd_json_kv_string(j, "kind", kind_name[a->kind]);
	vd_json_kv_string(j, "region", a->region ? a->region : "");
	vd_json_kv_bool(j, "mapped", a->mapped);
	if (a->mapped)
		vd_json_kv_hex(j, "phys", a->pa);
	if (a->have_symbol) {
		vd_json_kv_string(j, "symbol", a->symbol);
		vd_json_kv_hex(j, "symbol_offset", a->symbol_offset);
	}
	if (a->have_page)
		page_json(cli, "page", &a->page);
	switch (a->kind) {
	case VD_ADDR_SLAB:
		vd_json_key(j, "cache");
		vd_json_begin_object(j);
		vd_json_kv_hex(j, "address", a->cache.addr);
		vd_json_kv_string(j, "name", a->cache.name);
		vd_json_kv_uint(j, "object_size", a->cache.object_size);
		vd_json_kv_uint(j, "size", a->cache.size);
		vd_json_end_object(j);
		vd_json_kv_hex(j, "slab", a->slab);
		if (a->object) {
			vd_json_kv_hex(j, "object", a->object);
			vd_json_kv_uint(j, "object_index", a->object_index);
			vd_json_kv_bool(j, "allocated", a->obj_state == VD_OBJ_ALLOCATED);
			vd_json_kv_string(j, "state", state_name[a->obj_state]);
			if (a->obj_cpu >= 0)
				vd_json_kv_int(j, "freelist_cpu", a->obj_cpu);
		} else {
			vd_json_kv_string(j, "state", "slab padding");
		}
		break;
	case VD_ADDR_STACK:
		vd_json_kv_hex(j, "task", a->task);
		vd_json_kv_int(j, "pid", a->pid);
		vd_json_kv_string(j, "comm", a->comm);
		vd_json_kv_hex(j, "stack_base", a->stack_base);
		vd_json_kv_uint(j, "stack_size", a->stack_size);
		break;
	case VD_ADDR_MODULE:
		vd_json_kv_string(j, "module", a->module);
		vd_json_kv_string(j, "module_region", a->module_region);
		break;
	case VD_ADDR_KERNEL:
		vd_json_kv_string(j, "section", a->section ? a->section : "");
		break;
	case VD_ADDR_PERCPU:
		vd_json_kv_int(j, "cpu", a->cpu);
		vd_json_kv_hex(j, "percpu_offset", a->percpu_offset);
		break;
	default:
		break;
	}
	if (a->va_start) {
		vd_json_key(j, "vmap_area");
		vd_json_begin_object(j);
		vd_json_kv_hex(j, "start", a->va_start);
		vd_json_kv_hex(j, "end", a->va_end);
		vd_json_kv_hex(j, "caller", a->va_caller);
		vd_json_kv_string(j, "flags", a->va_flags);
		vd_json_end_object(j);
	}
	vd_json_end_object(j);
}

static void
addr_text(struct vd_cli *cli, const struct vd_kmem_addr *a)
{
	FILE *f = cli->out;
	char sym[160] = "", caller[160];

	if (a->have_symbol)
		snprintf(sym, sizeof(sym), " (%s+0x%" PRIx64 ")", a->symbol, a->symbol_offset);
	switch (a->kind) {
	case VD_ADDR_SLAB:
		fprintf(f, "%016" PRIx64 ": slab object of cache %s\n", a->addr, a->cache.name);
		fprintf(f, "%s", cache_hdr);
		fprintf(f, "%016" PRIx64 " %8u  %9s %9s %6s %5" PRIu64 "k  %s\n", a->cache.addr,
			a->cache.object_size, "", "", "", a->cache.slab_size / 1024, a->cache.name);
		if (a->object)
			fprintf(f, "  SLAB %016" PRIx64 "  OBJECT %u: %s%016" PRIx64 "%s  +0x%" PRIx64
				" of %u  %s\n", a->slab, a->object_index,
				a->obj_state == VD_OBJ_ALLOCATED ? "[" : " ", a->object,
				a->obj_state == VD_OBJ_ALLOCATED ? "]" : " ", a->addr - a->object,
				a->cache.size, state_name[a->obj_state]);
		else
			fprintf(f, "  SLAB %016" PRIx64 "  past the last object (slab padding)\n",
				a->slab);
		break;
	case VD_ADDR_STACK:
		fprintf(f, "%016" PRIx64 ": kernel stack of pid %d (%s), task %016" PRIx64
			", stack %016" PRIx64 "-%016" PRIx64 " +0x%" PRIx64 "\n", a->addr, a->pid,
			a->comm, a->task, a->stack_base, a->stack_base + a->stack_size,
			a->addr - a->stack_base);
		break;
	case VD_ADDR_PERCPU:
		fprintf(f, "%016" PRIx64 ": per-CPU area of CPU %d, offset 0x%" PRIx64 "%s\n", a->addr,
			a->cpu, a->percpu_offset, sym);
		break;
	case VD_ADDR_MODULE:
		fprintf(f, "%016" PRIx64 ": module %s, %s%s\n", a->addr, a->module, a->module_region,
			sym);
		break;
	case VD_ADDR_VMALLOC:
		vd_cli_symbolize(cli, a->va_caller, caller, sizeof(caller));
		fprintf(f, "%016" PRIx64 ": vmalloc area %016" PRIx64 "-%016" PRIx64 " %s, caller %s\n",
			a->addr, a->va_start, a->va_end, a->va_flags, caller[0] ? caller : "?");
		break;
	case VD_ADDR_KERNEL:
		fprintf(f, "%016" PRIx64 ": kernel image, %s%s\n", a->addr,
			a->section ? a->section : "(no section)", sym);
		break;
	case VD_ADDR_PAGE_STRUCT:
		fprintf(f, "%016" PRIx64 ": struct page +0x%" PRIx64 " of pfn 0x%" PRIx64 "\n", a->addr,
			a->addr - a->page.page, a->page.pfn);
		break;
	case VD_ADDR_PAGE:
		fprintf(f, "%016" PRIx64 ": %s page%s%s\n", a->addr,
			a->page.type_name ? a->page.type_name : "a", a->region ? ", " : "",
			a->region ? a->region : "");
		break;
	default:
		fprintf(f, "%016" PRIx64 ": %s%s%s\n", a->addr,
			a->mapped ? "mapped, but not known memory" : "not mapped",
			a->region ? ", " : "", a->region ? a->region : "");
		break;
	}
	if (a->have_page) {
		fprintf(f, "%s", page_hdr);
		page_text(cli, &a->page);
	}
}

static int
kmem_addrs(struct vd_cli *cli, struct vd_kmem *k)
{
	size_t nfailed = 0;
	struct vd_kmem_addr *a = malloc(sizeof(*a));
	struct vd_error *err;

	if (!a)
		return VD_EXIT_FAIL;
	if (cli->json)
		vd_json_begin_array(&cli->j);
	for (int i = 0; i < cli->nargs; i++) {
		uint64_t addr;

		if (!vd_cli_addr(cli, cli->args[i], &addr)) {
			if (cli->json)
				vd_cli_json_query_error(cli, cli->args[i]);
			nfailed++;
			continue;
		}
		if ((err = vd_kmem_identify(k, addr, a))) {
			vd_cli_report(cli, err);
			if (cli->json)
				vd_cli_json_query_error(cli, cli->args[i]);
			nfailed++;
			continue;
		}
		if (cli->json)
			addr_json(cli, a);
		else {
			if (i)
				fprintf(cli->out, "\n");
			addr_text(cli, a);
		}
	}
	if (cli->json)
		vd_json_end_array(&cli->j);
	free(a);
	return nfailed ? VD_EXIT_FAIL : VD_EXIT_OK;
}

int
vd_cmd_kmem(struct vd_cli *cli)
{
	struct vd_kmem *k;
	struct vd_error *err;
	int rc;

	if (!cli->kmem_mode && !cli->physical && !cli->nargs) {
		vd_cli_error(cli, "kmem needs -i, -s, -S NAME, -p or addresses (see 'vmdive help kmem')");
		return VD_EXIT_USAGE;
	}
	if ((err = vd_kmem_open(cli->session, &k))) {
		vd_cli_report(cli, err);
		return VD_EXIT_FAIL;
	}
	if (cli->kmem_mode == 'i')
		rc = kmem_info(cli, k);
	else if (cli->kmem_mode == 's')
		rc = kmem_caches(cli, k);
	else if (cli->kmem_mode == 'S')
		rc = kmem_objects(cli, k);
	else if (cli->physical)
		rc = kmem_pages(cli, k);
	else
		rc = kmem_addrs(cli, k);
	vd_kmem_close(k);
	return rc;
}
