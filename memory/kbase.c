// SPDX-License-Identifier: MIT
/*
 * The base of memory/: one struct vd_kmem per session with what was looked
 * up once (member offsets, per-CPU offsets, where struct pages and the
 * direct map are), typed reads into buffers, and struct page decoding.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "kmem_priv.h"

struct vd_error *
vd_km_type(struct vd_kmem *k, const char *tname, const struct vd_type **ret)
{
	struct vd_qualified_type qt;
	struct vd_error *err = vd_session_find_type(k->s, tname, &qt);
	const struct vd_type *t;

	if (err)
		return err;
	t = vd_type_unqualified(qt.type);
	if (!t || (t->kind != VD_TYPE_STRUCT && t->kind != VD_TYPE_UNION) || !t->size)
		return vd_error_create(VD_ERR_TYPE,
				       "'%s' is not a complete struct (types: %s; without the kernel's BTF, give --vmlinux)",
				       tname, vd_session_type_source(k->s));
	*ret = t;
	return NULL;
}

void
vd_km_field(const struct vd_type *t, const char *path, struct kmem_field *ret)
{
	struct vd_member_info m;
	struct vd_error *err = vd_type_member(t, path, &m);
	const struct vd_type *mt;

	*ret = (struct kmem_field){ 0 };
	if (err) {
		vd_error_destroy(err);
		return;
	}
	mt = vd_type_unqualified(m.type.type);
	ret->present = true;
	ret->size = mt ? (uint32_t)mt->size : 0;
	if (m.bit_field_size) {
		ret->off = m.bit_offset / 8;
		ret->bit_shift = (uint32_t)(m.bit_offset % 8);
		ret->bits = m.bit_field_size;
	} else {
		ret->off = m.bit_offset / 8;
	}
}

struct vd_error *
vd_km_need(const struct vd_type *t, const char *tname, const char *path,
	  struct kmem_field *ret)
{
	vd_km_field(t, path, ret);
	if (!ret->present)
		return vd_error_create(VD_ERR_LOOKUP, "%s has no member %s", tname, path);
	return NULL;
}

uint64_t
vd_km_get(const void *buf, size_t len, const struct kmem_field *f)
{
	const unsigned char *b = buf;
	uint64_t v = 0;

	if (!f->present)
		return 0;
	if (f->bits) {
		uint32_t nbytes = (f->bit_shift + f->bits + 7) / 8;

		if (nbytes > 8 || f->off + nbytes > len)
			return 0;
		for (uint32_t i = 0; i < nbytes; i++)
			v |= (uint64_t)b[f->off + i] << (8 * i);
		v >>= f->bit_shift;
		if (f->bits < 64)
			v &= (1ull << f->bits) - 1;
		return v;
	}
	if (f->size > 8 || f->off + f->size > len)
		return 0;
	for (uint32_t i = 0; i < f->size; i++)
		v |= (uint64_t)b[f->off + i] << (8 * i);
	return v;
}

bool
vd_km_enum_value(struct vd_kmem *k, const char *enum_name, const char *name, int64_t *ret)
{
	struct vd_qualified_type qt;
	const struct vd_type *t;
	char full[96];

	snprintf(full, sizeof(full), "enum %s", enum_name);
	if (!vd_ok_destroy(vd_session_find_type(k->s, full, &qt)))
		return false;
	t = vd_type_unqualified(qt.type);
	if (!t || t->kind != VD_TYPE_ENUM)
		return false;
	for (size_t i = 0; i < t->nenumerators; i++)
		if (!strcmp(t->enumerators[i].name, name)) {
			*ret = t->enumerators[i].value;
			return true;
		}
	return false;
}

struct vd_error *
vd_km_read(struct vd_kmem *k, uint64_t addr, void *buf, size_t len)
{
	return vd_session_read(k->s, VD_AS_KVIRT, addr, buf, len, NULL);
}

struct vd_error *
vd_km_u64(struct vd_kmem *k, uint64_t addr, uint64_t *ret)
{
	unsigned char b[8];
	struct vd_error *err = vd_km_read(k, addr, b, 8);

	if (!err)
		*ret = vd_get64(b, false);
	return err;
}

struct vd_error *
vd_km_uint(struct vd_kmem *k, uint64_t addr, uint32_t size, uint64_t *ret)
{
	unsigned char b[8] = { 0 };
	struct vd_error *err;

	if (size == 0 || size > 8)
		return vd_error_create(VD_ERR_TYPE, "cannot read a %u-byte integer", size);
	if ((err = vd_km_read(k, addr, b, size)))
		return err;
	*ret = vd_get64(b, false);
	return NULL;
}

struct vd_error *
vd_km_sym(struct vd_kmem *k, const char *name, uint64_t *ret)
{
	return vd_session_global(k->s, name, ret);
}

struct vd_error *
vd_km_sym_uint(struct vd_kmem *k, const char *name, uint32_t size, uint64_t *ret)
{
	uint64_t a;
	struct vd_error *err;

	if ((err = vd_km_sym(k, name, &a)))
		return err;
	if ((err = vd_km_uint(k, a, size, ret)))
		return vd_error_wrap(err, "reading %s", name);
	return NULL;
}

struct vd_error *
vd_km_string(struct vd_kmem *k, uint64_t addr, char *buf, size_t size)
{
	size_t done = 0;
	struct vd_error *err;

	if (!size)
		return NULL;
	memset(buf, 0, size);
	err = vd_session_read(k->s, VD_AS_KVIRT, addr, buf, size - 1, &done);
	if (err && !memchr(buf, 0, done)) {
		buf[0] = 0;
		return err;
	}
	vd_error_destroy(err);
	buf[size - 1] = 0;
	return NULL;
}

bool
vd_km_xlat_param(struct vd_kmem *k, const char *name, uint64_t *ret)
{
	const struct vd_xlat_param *p;
	size_t n = vd_xlat_params(k->xlat, &p);

	for (size_t i = 0; i < n; i++)
		if (!strcmp(p[i].name, name)) {
			*ret = p[i].value;
			return true;
		}
	return false;
}

static struct vd_error *
percpu_init(struct vd_kmem *k)
{
	uint64_t arr, n = 1, mask_addr = 0;
	struct vd_error *err;

	k->ncpus = 1;
	if (!vd_session_symbol(k->s, "__per_cpu_offset", &arr) &&
	    vd_session_lacks_data_symbols(k->s)) {
		// Not a UP kernel: a kallsyms without data symbols (Debian's
		// arm64) cannot say where the CPUs' areas are.  What needs
		// per-CPU data fails with this; the rest works.
		k->percpu_err = vd_session_global(k->s, "__per_cpu_offset", &arr);
		k->ncpus = 0;
		k->cpu_off = calloc(1, sizeof(uint64_t));
		k->cpu_possible = calloc(1, sizeof(bool));
		return k->cpu_off && k->cpu_possible ? NULL : &vd_enomem;
	}
	if (!vd_session_symbol(k->s, "__per_cpu_offset", &arr)) {
		// UP kernel: per-CPU data at its link address.
		k->cpu_off = calloc(1, sizeof(uint64_t));
		k->cpu_possible = calloc(1, sizeof(bool));
		if (!k->cpu_off || !k->cpu_possible)
			return &vd_enomem;
		k->cpu_possible[0] = true;
		return NULL;
	}
	if (vd_session_symbol(k->s, "nr_cpu_ids", &n) &&
	    (err = vd_km_uint(k, n, 4, &n)))
		return vd_error_wrap(err, "reading nr_cpu_ids");
	if (!n || n > KMEM_MAX_CPUS)
		return vd_error_create(VD_ERR_CORRUPT, "nr_cpu_ids is %llu", (unsigned long long)n);
	k->ncpus = (uint32_t)n;
	k->cpu_off = calloc(n, sizeof(uint64_t));
	k->cpu_possible = calloc(n, sizeof(bool));
	if (!k->cpu_off || !k->cpu_possible)
		return &vd_enomem;
	if ((err = vd_km_read(k, arr, k->cpu_off, n * 8)))
		return vd_error_wrap(err, "reading __per_cpu_offset[]");
	vd_session_symbol(k->s, "__cpu_possible_mask", &mask_addr);
	for (uint32_t c = 0; c < n; c++) {
		uint64_t w;

		k->cpu_possible[c] = true;
		if (mask_addr && vd_ok_destroy(vd_km_u64(k, mask_addr + c / 64 * 8, &w)))
			k->cpu_possible[c] = (w >> (c % 64)) & 1;
	}
	return NULL;
}

struct vd_error *
vd_kmem_open(struct vd_session *s, struct vd_kmem **ret)
{
	struct vd_kmem *k = calloc(1, sizeof(*k));
	struct vd_error *err;

	if (!k)
		return &vd_enomem;
	k->s = s;
	k->arch = vd_session_info(s)->arch;
	if (vd_session_info(s)->kind != VD_DUMP_KERNEL) {
		free(k);
		return vd_error_create(VD_ERR_INVALID_ARG, "not a kernel dump");
	}
	if ((err = vd_session_xlat(s, &k->xlat))) {
		free(k);
		return err;
	}
	k->psz = vd_session_page_size(s);
	if (!k->psz || (k->psz & (k->psz - 1)) || k->psz < 1024) {
		err = vd_error_create(VD_ERR_CORRUPT, "page size %llu", (unsigned long long)k->psz);
		free(k);
		return err;
	}
	k->pshift = (unsigned)__builtin_ctzll(k->psz);
	if ((err = percpu_init(k))) {
		vd_kmem_close(k);
		return err;
	}
	*ret = k;
	return NULL;
}

void
vd_kmem_close(struct vd_kmem *k)
{
	if (!k)
		return;
	free(k->cpu_off);
	free(k->cpu_possible);
	free(k->stacks);
	free(k->areas);
	free(k->modregs);
	vd_error_destroy(k->page_err);
	vd_error_destroy(k->slab_err);
	vd_error_destroy(k->zr.err);
	vd_error_destroy(k->percpu_err);
	free(k);
}

/* Pages ------------------------------------------------------------------------ */

/*
 * PG_* names from enum pageflags: the enumerators before NR_PAGEFLAGS
 * (or __NR_PAGEFLAGS) are the flags; aliases (PG_checked = PG_owner_priv_1,
 * ...) come after it and are not used as names.
 */
static void
pageflag_names(struct vd_kmem *k, struct kmem_page_layout *pl)
{
	struct vd_qualified_type qt;
	const struct vd_type *t;
	int64_t v;

	pl->pg_head = pl->pg_slab = -1;
	if (vd_ok_destroy(vd_session_find_type(k->s, "enum pageflags", &qt)) &&
	    (t = vd_type_unqualified(qt.type)) && t->kind == VD_TYPE_ENUM) {
		for (size_t i = 0; i < t->nenumerators; i++) {
			const struct vd_enumerator *e = &t->enumerators[i];

			if (!strcmp(e->name, "NR_PAGEFLAGS") || !strcmp(e->name, "__NR_PAGEFLAGS")) {
				pl->nr_pageflags = (uint32_t)e->value;
				break;
			}
			if (e->value >= 0 && e->value < 64 && !pl->pgname[e->value])
				pl->pgname[e->value] = e->name;
		}
	} else {
		// VMCOREINFO's few PG_* numbers.
		static const char *const vmci[] = { "PG_lru", "PG_private", "PG_swapcache",
						    "PG_swapbacked", "PG_slab", "PG_hwpoison",
						    "PG_head" };
		char key[64];
		uint64_t n;

		for (size_t i = 0; i < VD_ARRAY_SIZE(vmci); i++) {
			snprintf(key, sizeof(key), "NUMBER(%s)", vmci[i]);
			if (vd_session_number(k->s, key, &n) && n < 64)
				pl->pgname[n] = vmci[i];
		}
		if (vd_session_number(k->s, "NUMBER(PG_head_mask)", &n) && n)
			pl->pgname[__builtin_ctzll(n)] = "PG_head";
	}
	for (int i = 0; i < 64; i++) {
		if (!pl->pgname[i])
			continue;
		if (!strcmp(pl->pgname[i], "PG_head"))
			pl->pg_head = i;
		if (!strcmp(pl->pgname[i], "PG_slab"))
			pl->pg_slab = i;
	}
	if (!pl->nr_pageflags)
		for (int i = 0; i < 64; i++)
			if (pl->pgname[i])
				pl->nr_pageflags = (uint32_t)i + 1;
	if (vd_km_enum_value(k, "pageflags", "PG_head", &v))
		pl->pg_head = (int)v;
}

/*
 * Page types (page->page_type, in a union with _mapcount).  6.12+ keeps
 * the type in the top byte (commit 4ffca5a96678 "mm: support only one page
 * type per page": enum pagetype PGTY_buddy = 0xf0 ...).  Before, a type
 * is a cleared bit under PAGE_TYPE_BASE (include/linux/page-flags.h; from
 * 6.10 as enum pagetype PG_buddy ..., before as #defines whose values
 * VMCOREINFO's PAGE_*_MAPCOUNT_VALUE = ~bit give).
 */
static void
page_types(struct vd_kmem *k, struct kmem_page_layout *pl)
{
	static const char *const names[] = { "buddy", "offline", "table", "guard",
					     "hugetlb", "slab", "zsmalloc", "unaccepted",
					     "large_kmalloc" };
	struct vd_qualified_type qt;
	const struct vd_type *t = NULL;
	int64_t v;
	char nm[48];

	if (vd_ok_destroy(vd_session_find_type(k->s, "enum pagetype", &qt)))
		t = vd_type_unqualified(qt.type);
	if (t && t->kind == VD_TYPE_ENUM && vd_km_enum_value(k, "pagetype", "PGTY_buddy", &v)) {
		pl->type_byte = true;
		for (size_t i = 0; i < VD_ARRAY_SIZE(names) && pl->ntypes < 16; i++) {
			snprintf(nm, sizeof(nm), "PGTY_%s", names[i]);
			if (vd_km_enum_value(k, "pagetype", nm, &v))
				pl->types[pl->ntypes++] = (typeof(pl->types[0])){ names[i], (uint32_t)v };
		}
		return;
	}
	pl->page_type_base = 0xf0000000u;
	if (t && t->kind == VD_TYPE_ENUM && vd_km_enum_value(k, "pagetype", "PAGE_TYPE_BASE", &v)) {
		pl->page_type_base = (uint32_t)v;
		for (size_t i = 0; i < VD_ARRAY_SIZE(names) && pl->ntypes < 16; i++) {
			snprintf(nm, sizeof(nm), "PG_%s", names[i]);
			if (vd_km_enum_value(k, "pagetype", nm, &v))
				pl->types[pl->ntypes++] = (typeof(pl->types[0])){ names[i], (uint32_t)v };
		}
		return;
	}
	// 6.1: PG_buddy 0x80, PG_offline 0x100, PG_table 0x200, PG_guard 0x400,
	// checked against VMCOREINFO where it says.
	{
		uint64_t n;
		uint32_t buddy = 0x80, offline = 0x100;

		if (vd_session_number(k->s, "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)", &n))
			buddy = ~(uint32_t)n;
		if (vd_session_number(k->s, "NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)", &n))
			offline = ~(uint32_t)n;
		pl->types[pl->ntypes++] = (typeof(pl->types[0])){ "buddy", buddy };
		pl->types[pl->ntypes++] = (typeof(pl->types[0])){ "offline", offline };
		pl->types[pl->ntypes++] = (typeof(pl->types[0])){ "table", 0x200 };
		pl->types[pl->ntypes++] = (typeof(pl->types[0])){ "guard", 0x400 };
	}
}

struct vd_error *
vd_km_pages_init(struct vd_kmem *k)
{
	struct kmem_page_layout *pl = &k->pl;
	const struct vd_type *pt;
	const struct vd_mem_range *r;
	size_t nr;
	uint64_t phys, start;
	struct vd_error *err;

	if (k->page_ok)
		return NULL;
	if (k->page_err)
		return vd_error_wrap(vd_error_create(k->page_err->code, "%s", k->page_err->msg),
				     "struct page");
	if ((err = vd_km_type(k, "struct page", &pt)))
		goto fail;
	pl->size_of = pt->size;
	if ((err = vd_km_need(pt, "struct page", "flags", &pl->flags)))
		goto fail;
	vd_km_field(pt, "_refcount", &pl->refcount);
	vd_km_field(pt, "_mapcount", &pl->mapcount);
	vd_km_field(pt, "page_type", &pl->page_type);
	vd_km_field(pt, "mapping", &pl->mapping);
	vd_km_field(pt, "index", &pl->index);
	// acc53a0b4c15 ("mm: rename page->index to page->__folio_index")
	if (!pl->index.present)
		vd_km_field(pt, "__folio_index", &pl->index);
	vd_km_field(pt, "private", &pl->private_);
	vd_km_field(pt, "compound_head", &pl->compound_head);
	if (!pl->compound_head.present) {
		// 7.x renamed it compound_info: bit 0 still marks a tail page,
		// the rest is the head's address or, where struct pages are
		// laid out so that a head is its tails' address rounded down
		// (a power-of-two struct page in the vmemmap), a mask of it
		// (8c846c879e22 "mm: rework compound_head() for power-of-2
		// sizeof(struct page)", the series that renamed the field).
		vd_km_field(pt, "compound_info", &pl->compound_head);
		pl->compound_info = pl->compound_head.present;
	}
	vd_km_field(pt, "compound_order", &pl->compound_order);
	vd_km_field(pt, "lru", &pl->lru);
	pageflag_names(k, pl);
	page_types(k, pl);
	// Where struct page of pfn 0 would be: x86_64's vmemmap_base; arm64's
	// vmemmap is VMEMMAP_START - (memstart_addr >> PAGE_SHIFT) pages
	// (commit 7bc1a0f9e176 "arm64: mm: use single quantity to represent the
	// PA to VA translation").
	if (vd_km_xlat_param(k, "vmemmap_base", &k->vmemmap)) {
		;
	} else if (vd_km_xlat_param(k, "vmemmap_start", &start) &&
		   vd_km_xlat_param(k, "phys_offset", &phys)) {
		k->vmemmap = start - (phys >> k->pshift) * pl->size_of;
	} else {
		err = vd_error_create(VD_ERR_NOTIMPL, "no vmemmap base for this architecture");
		goto fail;
	}
	if (vd_km_xlat_param(k, "page_offset_base", &k->dm_va)) {
		k->dm_pa = 0;
		k->dm_pa_end = ~0ull;
		vd_km_xlat_param(k, "directmap_pa_end", &k->dm_pa_end);
	} else if (vd_km_xlat_param(k, "linear_va_start", &k->dm_va) &&
		   vd_km_xlat_param(k, "linear_pa_start", &k->dm_pa)) {
		k->dm_pa_end = ~0ull;
		vd_km_xlat_param(k, "linear_pa_end", &k->dm_pa_end);
	} else {
		err = vd_error_create(VD_ERR_NOTIMPL, "no direct-map base for this architecture");
		goto fail;
	}
	nr = vd_dump_ranges(vd_session_dump(k->s), &r);
	k->min_pfn = ~0ull;
	for (size_t i = 0; i < nr; i++) {
		if (r[i].end >> k->pshift > k->max_pfn)
			k->max_pfn = r[i].end >> k->pshift;
		if (r[i].start >> k->pshift < k->min_pfn)
			k->min_pfn = r[i].start >> k->pshift;
	}
	if (k->min_pfn > k->max_pfn)
		k->min_pfn = 0;
	k->page_ok = true;
	return NULL;
fail:
	k->page_err = vd_error_create(err->code, "%s", err->msg);
	return err;
}

uint64_t
vd_km_pa_to_dm(struct vd_kmem *k, uint64_t pa)
{
	return pa - k->dm_pa + k->dm_va;
}

struct vd_error *
vd_km_va_to_pa(struct vd_kmem *k, uint64_t va, uint64_t *ret)
{
	return vd_xlat_translate(k->xlat, va, ret, NULL);
}

uint64_t
vd_kmem_max_pfn(struct vd_kmem *k)
{
	if (!vd_ok_destroy(vd_km_pages_init(k)))
		return 0;
	return k->max_pfn;
}

uint64_t
vd_kmem_min_pfn(struct vd_kmem *k)
{
	if (!vd_ok_destroy(vd_km_pages_init(k)))
		return 0;
	return k->min_pfn;
}

struct vd_error *
vd_kmem_pfn_to_page(struct vd_kmem *k, uint64_t pfn, uint64_t *ret)
{
	struct vd_error *err;

	if ((err = vd_km_pages_init(k)))
		return err;
	if (pfn >= k->max_pfn || pfn < k->min_pfn)
		return vd_error_create(VD_ERR_INVALID_ARG, "pfn 0x%llx is outside the dump's memory",
				       (unsigned long long)pfn);
	*ret = k->vmemmap + pfn * k->pl.size_of;
	return NULL;
}

struct vd_error *
vd_kmem_page_to_pfn(struct vd_kmem *k, uint64_t page, uint64_t *ret)
{
	struct vd_error *err;

	if ((err = vd_km_pages_init(k)))
		return err;
	if (page < k->vmemmap || (page - k->vmemmap) % k->pl.size_of ||
	    (page - k->vmemmap) / k->pl.size_of >= k->max_pfn ||
	    (page - k->vmemmap) / k->pl.size_of < k->min_pfn)
		return vd_error_create(VD_ERR_INVALID_ARG,
				       "0x%llx is not a struct page in the vmemmap at 0x%llx",
				       (unsigned long long)page, (unsigned long long)k->vmemmap);
	*ret = (page - k->vmemmap) / k->pl.size_of;
	return NULL;
}

static const char *
page_type_name(const struct kmem_page_layout *pl, uint32_t pt)
{
	for (size_t i = 0; i < pl->ntypes; i++) {
		if (pl->type_byte) {
			if (pt >> 24 == pl->types[i].value)
				return pl->types[i].name;
		} else if ((pt & (pl->page_type_base | pl->types[i].value)) == pl->page_type_base) {
			return pl->types[i].name;
		}
	}
	return NULL;
}

bool
vd_km_page_is_slab(struct vd_kmem *k, const struct vd_page_info *pi)
{
	if (k->pl.pg_slab >= 0)
		return (pi->flags >> k->pl.pg_slab) & 1;
	return pi->type_name && !strcmp(pi->type_name, "slab");
}

struct vd_error *
vd_kmem_page_info(struct vd_kmem *k, uint64_t page, struct vd_page_info *ret)
{
	const struct kmem_page_layout *pl = &k->pl;
	unsigned char buf[256], buf1[256];
	struct vd_error *err;
	uint64_t pfn, ch;
	size_t len;

	if ((err = vd_kmem_page_to_pfn(k, page, &pfn)))
		return err;
	len = VD_MIN(pl->size_of, sizeof(buf));
	memset(ret, 0, sizeof(*ret));
	ret->page = page;
	ret->pfn = pfn;
	ret->pa = pfn << k->pshift;
	ret->node = ret->zone = -1;
	if ((err = vd_km_read(k, page, buf, len)))
		return vd_error_wrap(err, "reading struct page at 0x%llx", (unsigned long long)page);
	ret->flags_raw = vd_km_get(buf, len, &pl->flags);
	ret->flags = pl->nr_pageflags && pl->nr_pageflags < 64 ?
		     ret->flags_raw & ((1ull << pl->nr_pageflags) - 1) : ret->flags_raw;
	ret->refcount = (int32_t)vd_km_get(buf, len, &pl->refcount);
	ret->mapcount = (int32_t)vd_km_get(buf, len, &pl->mapcount);
	ret->mapping = vd_km_get(buf, len, &pl->mapping);
	ret->index = vd_km_get(buf, len, &pl->index);
	ret->private_ = vd_km_get(buf, len, &pl->private_);
	ch = vd_km_get(buf, len, &pl->compound_head);
	ret->head_page = page;
	if (pl->compound_head.present && (ch & 1)) {
		uint64_t m = ch - 1;

		ret->tail = ret->compound = true;
		// A mask is all ones above bit k (~m + 1 a power of two); a
		// head's address never is.
		if (pl->compound_info && m && !((~m + 1) & ~m))
			ret->head_page = page & m;
		else
			ret->head_page = m;
	}
	if (pl->pg_head >= 0 && ((ret->flags >> pl->pg_head) & 1))
		ret->head = ret->compound = true;
	if (pl->page_type.present) {
		uint32_t pt = (uint32_t)vd_km_get(buf, len, &pl->page_type);

		ret->type_name = page_type_name(pl, pt);
		if (ret->type_name)
			ret->page_type = pl->type_byte ? pt >> 24 : pt;
	}
	if (ret->head) {
		// The order of a compound page lives in its first tail page:
		// page[1].compound_order before 6.6, the low byte of
		// folio->_flags_1 (page[1].flags) since commit ebc1baf5c9b4 "mm:
		// free up a word in the first tail page".
		if ((err = vd_km_read(k, page + pl->size_of, buf1, len)))
			vd_error_destroy(err);
		else if (pl->compound_order.present)
			ret->order = (uint32_t)vd_km_get(buf1, len, &pl->compound_order);
		else
			ret->order = (uint32_t)(vd_km_get(buf1, len, &pl->flags) & 0xff);
	} else if (ret->type_name && !strcmp(ret->type_name, "buddy")) {
		ret->order = (uint32_t)ret->private_;
	}
	{
		char *p = ret->flag_names;
		size_t left = sizeof(ret->flag_names);

		for (int i = 0; i < 64 && left > 1; i++) {
			int n;

			if (!((ret->flags >> i) & 1))
				continue;
			if (pl->pgname[i])
				n = snprintf(p, left, "%s%s", p == ret->flag_names ? "" : ",",
					     pl->pgname[i] + (strncmp(pl->pgname[i], "PG_", 3) ? 0 : 3));
			else
				n = snprintf(p, left, "%sbit%d", p == ret->flag_names ? "" : ",", i);
			if (n < 0 || (size_t)n >= left)
				break;
			p += n;
			left -= n;
		}
	}
	return NULL;
}
