// SPDX-License-Identifier: MIT
/*
 * Swapped-out user pages read back from the dump: the swap cache first,
 * then a zram swap device's memory.
 *
 * A swap entry names swap_info[type] and a page offset in it.  For a swap
 * area on a block device the offset is the device's page (the swap header
 * is page 0; setup_swap_extents() maps a block device with one extent
 * starting at 0), so on a zram disk (swap_info_struct.bdev -> bd_disk, a
 * gendisk whose private_data is the struct zram that points back at it)
 * the offset is the zram slot: zram->table[offset] (drivers/block/zram/
 * zram_drv.h) holds a zsmalloc handle, or the word of a same-filled page
 * (ZRAM_SAME, the union's element), and flags whose bits below
 * ZRAM_FLAG_SHIFT (PAGE_SHIFT + 1) are the stored length; a length of a
 * whole page is the page stored as it was (ZRAM_HUGE: it did not
 * compress).  ZRAM_WB: written back to the zram's backing device, not in
 * memory.  The compressor is zram->compressor (one per device, before
 * commit 001d92735701 "zram: add recompression algorithm sysfs knob", 6.2)
 * or zram->comp_algs[] indexed by the entry's priority bits
 * (ZRAM_COMP_PRIORITY_BIT1, two bits, commit 84b33bf78889 "zram: introduce
 * recompress sysfs knob").  struct zram, its table entry and the flag enum
 * are the zram module's types (its BTF); zsmalloc's are the zsmalloc
 * module's or the kernel's.
 *
 * The swap cache (mm/swap_state.c, until the swap table replaced it in
 * 6.18): swapper_spaces[type] is an array of address spaces, one per
 * 2^SWAP_ADDRESS_SPACE_SHIFT (14) pages, each an xarray indexed by the
 * offset whose entries are struct pages (folios since 5.19: every slot of
 * a large folio holds its head).
 *
 * The swap table (commit "mm, swap: use the swap table for the swap cache
 * and switch API", Kairui Song, 6.18; no swapper_spaces): swap_info_struct
 * .cluster_info[] holds one swap_cluster_info per SWAPFILE_CLUSTER slots
 * (the length of struct swap_table's entries[]), whose .table points to
 * one word per slot: 0 free, bit 0 set a shadow (swapped out, not cached),
 * else the folio in the swap cache -- a pointer (low three bits 0) in
 * 6.18, its PFN shifted left by 2 with the low bits 0b10 since the "swap
 * table phase III: remove swap_map" series (7.1: no swap_info_struct
 * .swap_map, the slot's count in the word's top bits), and with the
 * "mm, swap: merge zeromap into swap table" commit (no
 * swap_info_struct.zeromap, no swap_cluster_info.zero_bitmap on 64-bit)
 * the lowest of the top five flag bits says the page was zero-filled and
 * written nowhere (SWP_TB_ZERO_FLAG).  From 6.12 to then that bit was
 * swap_info_struct.zeromap[offset] (commit 0ca0c24e3211 "mm: store zero
 * pages to be swapped out in a bitmap").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "kmem_priv.h"

#define SWAP_ADDRESS_SPACE_SHIFT 14
#define XA_MAX_HEIGHT 12

static struct vd_error *
zs_read_cb(void *priv, bool phys, uint64_t addr, void *buf, size_t len)
{
	struct vd_kmem *k = priv;

	return vd_session_read(k->s, phys ? VD_AS_PHYS : VD_AS_KVIRT, addr, buf, len, NULL);
}

static void
zs_bits(const struct vd_type *t, const char *name, struct vd_zs_bits *ret)
{
	struct kmem_field f;

	vd_km_field(t, name, &f);
	*ret = (struct vd_zs_bits){ 0 };
	if (!f.present)
		return;
	ret->off = (uint32_t)f.off;
	ret->shift = f.bit_shift;
	ret->bits = f.bits ? f.bits : 8 * f.size;
}

static struct vd_error *
array_len(const struct vd_type *t, const char *tname, const char *member, uint32_t *ret)
{
	struct vd_member_info mi;
	const struct vd_type *at;
	struct vd_error *err = vd_type_member(t, member, &mi);

	if (err)
		return vd_error_wrap(err, "%s", tname);
	at = vd_type_unqualified(mi.type.type);
	if (!at || at->kind != VD_TYPE_ARRAY || !at->length)
		return vd_error_create(VD_ERR_TYPE, "%s.%s is not an array", tname, member);
	*ret = (uint32_t)at->length;
	return NULL;
}

static void
swap_cache_layout(struct vd_kmem *k, struct kmem_zram_layout *z)
{
	const struct vd_type *xnt, *ast;

	if (vd_ok_destroy(vd_km_sym(k, "swapper_spaces", &z->swapper_spaces)) &&
	    vd_ok_destroy(vd_km_sym(k, "nr_swapper_spaces", &z->nr_swapper_spaces)) &&
	    vd_ok_destroy(vd_km_type(k, "struct address_space", &ast)) &&
	    vd_ok_destroy(vd_km_type(k, "struct xa_node", &xnt))) {
		vd_km_field(ast, "i_pages.xa_head", &z->as_xa_head);
		vd_km_field(xnt, "shift", &z->xn_shift);
		vd_km_field(xnt, "slots", &z->xn_slots);
		z->as_size = ast->size;
		z->have_cache = z->as_xa_head.present && z->xn_shift.present && z->xn_slots.present &&
				vd_ok_destroy(array_len(xnt, "struct xa_node", "slots", &z->xn_nslots)) &&
				z->xn_nslots >= 2 && z->xn_nslots <= 256;
	}
}

static void
swap_table_layout(struct vd_kmem *k, struct kmem_zram_layout *z)
{
	const struct vd_type *sit, *cit, *stt, *ft;
	struct kmem_field swap_map;
	uint32_t n = 0;

	// A folio's swap entry: folio.swap (6.6+), page.private before.
	if (vd_ok_destroy(vd_km_type(k, "struct folio", &ft)))
		vd_km_field(ft, "swap", &z->folio_swap);
	if (!z->folio_swap.present && vd_ok_destroy(vd_km_type(k, "struct page", &ft)))
		vd_km_field(ft, "private", &z->folio_swap);
	if (z->folio_swap.present && z->folio_swap.size != 8)
		z->folio_swap.present = false;
	if (!vd_ok_destroy(vd_km_type(k, "struct swap_info_struct", &sit)))
		return;
	vd_km_field(sit, "zeromap", &z->si_zeromap);
	vd_km_field(sit, "max", &z->si_max);
	vd_km_field(sit, "cluster_info", &z->si_cluster_info);
	vd_km_field(sit, "swap_map", &swap_map);
	if (!z->si_max.present || !z->si_cluster_info.present ||
	    !vd_ok_destroy(vd_km_type(k, "struct swap_cluster_info", &cit)))
		return;
	vd_km_field(cit, "table", &z->ci_table);
	vd_km_field(cit, "zero_bitmap", &z->ci_zero_bitmap);
	z->ci_size = cit->size;
	if (!z->ci_table.present || z->ci_table.size != 8 || !z->ci_size || z->ci_size > 4096)
		return;
	// SWAPFILE_CLUSTER: the length of struct swap_table's entries[];
	// without the type, HPAGE_PMD_NR (CONFIG_THP_SWAP, as Debian builds).
	if (!vd_ok_destroy(vd_km_type(k, "struct swap_table", &stt)) ||
	    !vd_ok_destroy(array_len(stt, "struct swap_table", "entries", &n)))
		n = (uint32_t)(k->psz / 8);
	if (n < 1 || n > 65536)
		return;
	z->cluster_nr = n;
	z->tb_pfn = !swap_map.present;
	z->tb_zero_flag = z->tb_pfn && !z->si_zeromap.present && !z->ci_zero_bitmap.present;
	z->have_table = true;
}

static struct vd_error *
zram_layout(struct vd_kmem *k, struct kmem_zram_layout *z)
{
	const struct vd_type *sit, *bdt, *gdt, *zt, *tet, *zct, *zst, *pt, *poolt, *clt;
	struct kmem_field f_priv, f_next;
	struct vd_error *err;
	uint64_t v;

	if ((err = vd_km_pages_init(k)) ||
	    (err = vd_km_type(k, "struct swap_info_struct", &sit)) ||
	    (err = vd_km_need(sit, "struct swap_info_struct", "bdev", &z->si_bdev)) ||
	    (err = vd_km_type(k, "struct block_device", &bdt)) ||
	    (err = vd_km_need(bdt, "struct block_device", "bd_disk", &z->gd_disk)) ||
	    (err = vd_km_type(k, "struct gendisk", &gdt)) ||
	    (err = vd_km_need(gdt, "struct gendisk", "disk_name", &z->gd_name)) ||
	    (err = vd_km_need(gdt, "struct gendisk", "private_data", &z->gd_private)))
		return err;
	// The swap cache: an xarray per 64 MiB of swap, or the swap table.
	swap_cache_layout(k, z);
	if (!z->have_cache)
		swap_table_layout(k, z);
	// No struct zram: zram is not loaded (its types are the module's),
	// so no swap area is a zram disk.
	if (!vd_ok_destroy(vd_km_type(k, "struct zram", &zt))) {
		z->no_zram = true;
		return NULL;
	}
	if ((err = vd_km_need(zt, "struct zram", "table", &z->z_table)) ||
	    (err = vd_km_need(zt, "struct zram", "mem_pool", &z->z_pool)) ||
	    (err = vd_km_need(zt, "struct zram", "disk", &z->z_disk)) ||
	    (err = vd_km_need(zt, "struct zram", "disksize", &z->z_disksize)) ||
	    (err = vd_km_type(k, "struct zram_table_entry", &tet)))
		return err;
	// The flags word: zram_table_entry.flags, or, since commit
	// 2e8ff2f51dde ("zram: use u32 for entry ac_time tracking", in sid's
	// 7.2) put it with ac_time in a struct attr (a union with the slot's
	// lock word), .attr.flags (a u32, the same bits).
	vd_km_field(tet, "flags", &z->te_flags);
	if (!z->te_flags.present &&
	    (err = vd_km_need(tet, "struct zram_table_entry", "attr.flags", &z->te_flags)))
		return err;
	vd_km_field(tet, "handle", &z->te_handle);
	if (!z->te_handle.present)
		return vd_error_create(VD_ERR_LOOKUP, "struct zram_table_entry has no handle");
	z->te_size = tet->size;
	vd_km_field(zt, "comp_algs", &z->z_comp_algs);
	vd_km_field(zt, "compressor", &z->z_compressor);
	vd_km_field(zt, "comp", &z->z_comp);
	if (z->z_comp.present && vd_ok_destroy(vd_km_type(k, "struct zcomp", &zct)))
		vd_km_field(zct, "name", &z->zc_name);
	if (!z->z_comp_algs.present && !z->z_compressor.present && !z->zc_name.present)
		return vd_error_create(VD_ERR_LOOKUP, "struct zram names no compressor (comp_algs, compressor, comp->name)");
	if (!vd_km_enum_value(k, "zram_pageflags", "ZRAM_SAME", &z->f_same))
		return vd_error_create(VD_ERR_LOOKUP, "no ZRAM_SAME in enum zram_pageflags");
	z->have_wb = vd_km_enum_value(k, "zram_pageflags", "ZRAM_WB", &z->f_wb);
	z->have_huge = vd_km_enum_value(k, "zram_pageflags", "ZRAM_HUGE", &z->f_huge);
	z->have_prio = vd_km_enum_value(k, "zram_pageflags", "ZRAM_COMP_PRIORITY_BIT1", &z->f_prio);
	z->flag_shift = k->pshift + 1;
	if (z->f_same < z->flag_shift || z->f_same > 62 || (z->have_prio && (z->f_prio < 0 || z->f_prio > 61)))
		return vd_error_create(VD_ERR_CORRUPT, "zram flag bits (ZRAM_SAME %lld) below ZRAM_FLAG_SHIFT %u",
				       (long long)z->f_same, z->flag_shift);

	// zsmalloc
	if ((err = vd_km_type(k, "struct zspage", &zst)) ||
	    (err = vd_km_type(k, "struct zs_pool", &poolt)) ||
	    (err = vd_km_type(k, "struct size_class", &clt)))
		return vd_error_wrap(err, "zsmalloc's types");
	memset(&z->zs, 0, sizeof(z->zs));
	z->zs.page_size = k->psz;
	z->zs.vmemmap = k->vmemmap;
	z->zs.page_struct_size = k->pl.size_of;
	z->zs.min_pfn = k->min_pfn;
	z->zs.max_pfn = k->max_pfn;
	// struct zpdesc overlays struct page (its zspage is page->private,
	// next page->index); when the kernel has it, its names are used.
	if (vd_ok_destroy(vd_km_type(k, "struct zpdesc", &pt))) {
		vd_km_field(pt, "zspage", &f_priv);
		vd_km_field(pt, "next", &f_next);
	} else if ((err = vd_km_type(k, "struct page", &pt))) {
		return err;
	} else {
		vd_km_field(pt, "private", &f_priv);
		vd_km_field(pt, "index", &f_next);
	}
	if (!f_priv.present || !f_next.present)
		return vd_error_create(VD_ERR_LOOKUP, "%s: no zspage/next (private/index) members",
				       pt->name ? pt->name : "struct page");
	z->zs.page_zspage_off = (uint32_t)f_priv.off;
	z->zs.page_next_off = (uint32_t)f_next.off;
	zs_bits(zst, "huge", &z->zs.huge);
	zs_bits(zst, "class", &z->zs.class_);
	zs_bits(zst, "magic", &z->zs.magic);
	if (!z->zs.class_.bits || !z->zs.magic.bits || z->zs.magic.off + 8 > 16 ||
	    z->zs.class_.off + 8 > 16)
		return vd_error_create(VD_ERR_LOOKUP, "struct zspage: no class/magic bit fields at its start");
	{
		struct kmem_field f;

		vd_km_field(poolt, "size_class", &f);
		if (!f.present)
			return vd_error_create(VD_ERR_LOOKUP, "struct zs_pool has no size_class[]");
		z->zs.pool_class_off = (uint32_t)f.off;
		if ((err = array_len(poolt, "struct zs_pool", "size_class", &z->zs.nclasses)))
			return err;
		if ((err = vd_km_need(clt, "struct size_class", "size", &f)))
			return err;
		z->zs.class_size_off = (uint32_t)f.off;
	}
	// MAX_POSSIBLE_PHYSMEM_BITS: x86_64 52; arm64 its PA size, which
	// VMCOREINFO's MAX_PHYSMEM_BITS states; then the usual widths.
	{
		unsigned cand[] = { 52, 0, 48, 46 };

		if (k->arch == VD_ARCH_AARCH64 &&
		    vd_session_number(k->s, "NUMBER(MAX_PHYSMEM_BITS)", &v) && v > 32 && v <= 56)
			cand[0] = (unsigned)v, cand[1] = 52;
		for (unsigned i = 0; i < 4; i++) {
			bool dup = !cand[i];

			for (unsigned j = 0; j < z->zs.npfn_bits && !dup; j++)
				dup = z->zs.pfn_bits[j] == cand[i];
			if (!dup)
				z->zs.pfn_bits[z->zs.npfn_bits++] = cand[i];
		}
	}
	z->zs.read = zs_read_cb;
	z->zs.priv = k;

	return NULL;
}

static struct vd_error *
zram_init(struct vd_kmem *k)
{
	if (!k->zr.ok && !k->zr.err) {
		k->zr.err = zram_layout(k, &k->zr);
		k->zr.ok = !k->zr.err;
	}
	return k->zr.err ? vd_error_wrap(vd_error_create(k->zr.err->code, "%s", k->zr.err->msg),
					 "reading swapped-out pages") : NULL;
}

/* The swap cache's page for (type, offset): 0 when it has none. */
static struct vd_error *
swap_cache_page(struct vd_kmem *k, uint32_t type, uint64_t offset, uint64_t *page)
{
	struct kmem_zram_layout *z = &k->zr;
	uint64_t spaces, nr, head, entry;
	uint64_t as;
	struct vd_error *err;

	*page = 0;
	if ((err = vd_km_u64(k, z->swapper_spaces + 8ull * type, &spaces)) ||
	    (err = vd_km_uint(k, z->nr_swapper_spaces + 4ull * type, 4, &nr)))
		return vd_error_wrap(err, "swapper_spaces[%u]", type);
	if (!spaces || (offset >> SWAP_ADDRESS_SPACE_SHIFT) >= (uint32_t)nr)
		return NULL;
	as = spaces + (offset >> SWAP_ADDRESS_SPACE_SHIFT) * z->as_size;
	if ((err = vd_km_u64(k, as + z->as_xa_head.off, &head)))
		return vd_error_wrap(err, "the swap cache of area %u", type);
	entry = head;
	for (unsigned depth = 0;; depth++) {
		uint64_t node, shift, slot, span;

		if (!((entry & 3) == 2 && entry > 4096))   // not a node
			break;
		if (depth >= XA_MAX_HEIGHT)
			return vd_error_create(VD_ERR_CORRUPT, "swap cache xarray deeper than %u",
					       XA_MAX_HEIGHT);
		node = entry - 2;
		if ((err = vd_km_uint(k, node + z->xn_shift.off, 1, &shift)))
			return vd_error_wrap(err, "swap cache xa_node 0x%llx", (unsigned long long)node);
		if (shift >= 64)
			return vd_error_create(VD_ERR_CORRUPT, "xa_node 0x%llx: shift %llu",
					       (unsigned long long)node, (unsigned long long)shift);
		span = (uint64_t)z->xn_nslots;
		if (depth == 0 && shift + 8 < 64 && (offset >> shift) >= span)
			return NULL;                     // beyond what the tree holds
		slot = (offset >> shift) % span;
		if ((err = vd_km_u64(k, node + z->xn_slots.off + 8 * slot, &entry)))
			return vd_error_wrap(err, "swap cache xa_node 0x%llx slot %llu",
					     (unsigned long long)node, (unsigned long long)slot);
		if ((entry & 3) == 2 && entry < 4096 && (entry >> 2) < span) {
			// a sibling entry: the canonical slot holds the entry
			if ((err = vd_km_u64(k, node + z->xn_slots.off + 8 * (entry >> 2), &entry)))
				return err;
		}
		if (!shift)
			break;
	}
	if (head == entry && !((head & 3) == 2) && offset != 0)
		return NULL;                             // a single entry holds index 0 only
	if (!entry || (entry & 1) || (entry & 3) == 2)   // empty, a shadow value, internal
		return NULL;
	*page = entry;
	return NULL;
}

/* The flag bits at the top of a PFN-format swap table word: the count
 * (SWP_TB_COUNT_BITS, 4) and, with the zero flag, that bit below it. */
static unsigned
swap_table_flag_bits(const struct kmem_zram_layout *z)
{
	return z->tb_zero_flag ? 5 : 4;
}

#define SWP_TB_BAD (~0ull << 3)   /* a reserved slot (7.1+) */

/* The swap table's word of a swap offset: 0 when the cluster has none. */
static struct vd_error *
swap_table_word(struct vd_kmem *k, uint64_t si, uint32_t type, uint64_t offset, uint64_t *ret)
{
	struct kmem_zram_layout *z = &k->zr;
	uint64_t max, ci, table;
	struct vd_error *err;

	*ret = 0;
	if ((err = vd_km_uint(k, si + z->si_max.off, z->si_max.size, &max)) ||
	    (err = vd_km_u64(k, si + z->si_cluster_info.off, &ci)))
		return vd_error_wrap(err, "swap_info[%u]", type);
	if (offset >= max)
		return vd_error_create(VD_ERR_CORRUPT, "swap offset 0x%llx past swap area %u's %llu pages",
				       (unsigned long long)offset, type, (unsigned long long)max);
	if (!ci)
		return NULL;
	ci += offset / z->cluster_nr * z->ci_size;
	if ((err = vd_km_u64(k, ci + z->ci_table.off, &table)))
		return vd_error_wrap(err, "swap area %u's cluster %llu", type,
				     (unsigned long long)(offset / z->cluster_nr));
	if (!table)
		return NULL;
	if ((err = vd_km_u64(k, table + 8 * (offset % z->cluster_nr), ret)))
		return vd_error_wrap(err, "swap area %u's swap table 0x%llx", type,
				     (unsigned long long)table);
	return NULL;
}

/* The swap table word's folio (struct page address), or 0 when it names
 * none (free, a shadow, a bad slot). */
static struct vd_error *
swap_table_folio(struct vd_kmem *k, uint64_t tb, uint64_t *page)
{
	const struct kmem_zram_layout *z = &k->zr;

	*page = 0;
	if (!tb || tb == SWP_TB_BAD || (tb & 1))
		return NULL;
	if (!z->tb_pfn) {
		// 6.18: the folio pointer itself
		if (!(tb & 7))
			*page = tb;
		return NULL;
	}
	if ((tb & 3) != 2)
		return NULL;
	return vd_kmem_pfn_to_page(k, (tb & (~0ull >> swap_table_flag_bits(z))) >> 2, page);
}

/* Whether the kernel kept the page of (type, offset) as a zero bit. */
static struct vd_error *
swap_zero_bit(struct vd_kmem *k, uint64_t si, uint64_t offset, uint64_t tb, bool *zero)
{
	const struct kmem_zram_layout *z = &k->zr;
	uint64_t map, ci, word;
	struct vd_error *err;

	*zero = false;
	if (z->have_table && z->tb_zero_flag) {
		*zero = tb && tb != SWP_TB_BAD && ((tb & 1) || (tb & 3) == 2) &&
			(tb >> (64 - swap_table_flag_bits(z)) & 1);
		return NULL;
	}
	if (z->si_zeromap.present) {
		if ((err = vd_km_u64(k, si + z->si_zeromap.off, &map)))
			return err;
		if (!map)
			return NULL;
		if ((err = vd_km_u64(k, map + 8 * (offset / 64), &word)))
			return vd_error_wrap(err, "the swap area's zeromap 0x%llx", (unsigned long long)map);
		*zero = word >> (offset % 64) & 1;
		return NULL;
	}
	if (z->have_table && z->ci_zero_bitmap.present) {
		if ((err = vd_km_u64(k, si + z->si_cluster_info.off, &ci)) || !ci)
			return err;
		ci += offset / z->cluster_nr * z->ci_size;
		if ((err = vd_km_u64(k, ci + z->ci_zero_bitmap.off, &map)) || !map)
			return err;
		offset %= z->cluster_nr;
		if ((err = vd_km_u64(k, map + 8 * (offset / 64), &word)))
			return vd_error_wrap(err, "the cluster's zero_bitmap 0x%llx", (unsigned long long)map);
		*zero = word >> (offset % 64) & 1;
	}
	return NULL;
}

/*
 * The page of a large folio that holds (type, offset): the swap cache
 * names the folio (its head) for every slot of it; the head's swap entry
 * (folio.swap, arch-independent: the type in the top MAX_SWAPFILES_SHIFT
 * (5) bits) is its first slot.
 */
static struct vd_error *
folio_subpage(struct vd_kmem *k, uint64_t head, uint32_t type, uint64_t offset, uint64_t *page)
{
	const struct kmem_zram_layout *z = &k->zr;
	uint64_t val, first;
	struct vd_error *err;

	*page = head;
	if (!z->folio_swap.present)
		return NULL;
	if ((err = vd_km_u64(k, head + z->folio_swap.off, &val)))
		return vd_error_wrap(err, "the swap cache's folio 0x%llx", (unsigned long long)head);
	first = val & ((1ull << 59) - 1);
	// Within a folio: at most a cluster (a PMD's worth of pages); offset 0
	// is the swap header, never a folio's (a zero word: no entry).
	if (val && (uint32_t)(val >> 59) == type && first <= offset && offset - first < 512 * 8)
		*page = head + (offset - first) * k->pl.size_of;
	return NULL;
}

/* The zram device behind swap area si, or 0 (not a zram disk). */
static struct vd_error *
zram_of_area(struct vd_kmem *k, uint64_t si, uint64_t *zram, char *name, size_t name_size)
{
	struct kmem_zram_layout *z = &k->zr;
	uint64_t bdev, disk, priv, back;
	char dn[32];
	struct vd_error *err;

	*zram = 0;
	name[0] = 0;
	if ((err = vd_km_u64(k, si + z->si_bdev.off, &bdev)))
		return err;
	if (!bdev)
		return NULL;
	if ((err = vd_km_u64(k, bdev + z->gd_disk.off, &disk)) || !disk ||
	    (err = vd_km_read(k, disk + z->gd_name.off, dn, VD_MIN(sizeof(dn), z->gd_name.size))) ||
	    (err = vd_km_u64(k, disk + z->gd_private.off, &priv)))
		return err;
	dn[sizeof(dn) - 1] = 0;
	snprintf(name, name_size, "%s", dn);
	if (!priv || strncmp(dn, "zram", 4))
		return NULL;
	// A zram: its struct zram points back at the gendisk.
	if ((err = vd_km_u64(k, priv + z->z_disk.off, &back)))
		return err;
	if (back == disk)
		*zram = priv;
	return NULL;
}

struct swap_area_info {
	uint64_t si;
	char path[256];
};

static struct vd_error *
swap_area_of(struct vd_kmem *k, uint32_t type, struct swap_area_info *ret)
{
	uint64_t nr, arr;
	struct vd_error *err;

	memset(ret, 0, sizeof(*ret));
	if ((err = vd_km_sym_uint(k, "nr_swapfiles", 4, &nr)) || (err = vd_km_sym(k, "swap_info", &arr)))
		return err;
	if (type >= (uint32_t)nr)
		return vd_error_create(VD_ERR_CORRUPT, "swap type %u, nr_swapfiles %u", type,
				       (unsigned)(uint32_t)nr);
	if ((err = vd_km_u64(k, arr + 8ull * type, &ret->si)))
		return vd_error_wrap(err, "reading swap_info[%u]", type);
	if (!ret->si)
		return vd_error_create(VD_ERR_CORRUPT, "swap_info[%u] is NULL", type);
	return NULL;
}

static struct vd_error *
zram_alg(struct vd_kmem *k, uint64_t zram, unsigned prio, char *buf, size_t size)
{
	struct kmem_zram_layout *z = &k->zr;
	uint64_t p;
	struct vd_error *err;

	buf[0] = 0;
	if (z->z_comp_algs.present) {
		if (8ull * (prio + 1) > z->z_comp_algs.size)
			return vd_error_create(VD_ERR_CORRUPT, "zram compression priority %u", prio);
		if ((err = vd_km_u64(k, zram + z->z_comp_algs.off + 8ull * prio, &p)))
			return err;
		if (!p)
			return vd_error_create(VD_ERR_CORRUPT, "zram comp_algs[%u] is NULL", prio);
		return vd_km_string(k, p, buf, size);
	}
	if (z->z_compressor.present) {
		size_t n = VD_MIN(size - 1, z->z_compressor.size);

		memset(buf, 0, size);
		return vd_km_read(k, zram + z->z_compressor.off, buf, n);
	}
	if ((err = vd_km_u64(k, zram + z->z_comp.off, &p)) || (err = vd_km_u64(k, p + z->zc_name.off, &p)))
		return err;
	return vd_km_string(k, p, buf, size);
}

/* Where a zram slot's page is (and, with page, its bytes). */
static struct vd_error *
zram_slot(struct vd_kmem *k, uint64_t zram, struct vd_swap_page *sp, void *page)
{
	struct kmem_zram_layout *z = &k->zr;
	unsigned char te[64];
	uint64_t table, pool, disksize, handle, flags, size;
	struct vd_error *err;

	if ((err = vd_km_u64(k, zram + z->z_table.off, &table)) ||
	    (err = vd_km_u64(k, zram + z->z_pool.off, &pool)) ||
	    (err = vd_km_u64(k, zram + z->z_disksize.off, &disksize)))
		return vd_error_wrap(err, "reading struct zram 0x%llx", (unsigned long long)zram);
	if (sp->index >= disksize >> k->pshift)
		return vd_error_create(VD_ERR_CORRUPT, "slot %llu past the end of %s (%llu pages)",
				       (unsigned long long)sp->index, sp->device,
				       (unsigned long long)(disksize >> k->pshift));
	if (!table)
		return vd_error_create(VD_ERR_CORRUPT, "%s has no table (not initialized)", sp->device);
	if (z->te_size > sizeof(te))
		return vd_error_create(VD_ERR_TYPE, "zram_table_entry of %llu bytes",
				       (unsigned long long)z->te_size);
	if ((err = vd_km_read(k, table + sp->index * z->te_size, te, z->te_size)))
		return vd_error_wrap(err, "reading %s's table[%llu]", sp->device,
				     (unsigned long long)sp->index);
	handle = vd_km_get(te, z->te_size, &z->te_handle);
	flags = vd_km_get(te, z->te_size, &z->te_flags);
	sp->flags = flags;
	sp->handle = handle;
	size = flags & ((1ull << z->flag_shift) - 1);
	if (z->have_wb && (flags >> z->f_wb & 1))
		return vd_error_create(VD_ERR_NODATA,
				       "%s slot %llu was written back to the zram's backing device (block %llu): not in the dump",
				       sp->device, (unsigned long long)sp->index, (unsigned long long)handle);
	if (!handle || (flags >> z->f_same & 1)) {
		// ZRAM_SAME: the word that fills the page (no handle: zeros)
		sp->source = VD_SWAP_ZRAM_SAME;
		sp->comp_len = 0;
		if (page)
			for (uint64_t o = 0; o < k->psz; o += 8)
				memcpy((unsigned char *)page + o, &handle, 8);
		return NULL;
	}
	if (!size || size > k->psz)
		return vd_error_create(VD_ERR_CORRUPT, "%s slot %llu: stored length %llu",
				       sp->device, (unsigned long long)sp->index, (unsigned long long)size);
	sp->comp_len = (uint32_t)size;
	sp->source = size == k->psz ? VD_SWAP_ZRAM_HUGE : VD_SWAP_ZRAM;
	{
		unsigned prio = z->have_prio ? (unsigned)(flags >> z->f_prio & 3) : 0;

		if ((err = zram_alg(k, zram, prio, sp->alg, sizeof(sp->alg))))
			return vd_error_wrap(err, "the compressor of %s", sp->device);
	}
	if (page) {
		unsigned char *obj = malloc(k->psz);
		struct vd_zs_object o;
		size_t n;

		if (!obj)
			return &vd_enomem;
		err = vd_zs_read(&z->zs, pool, handle, obj, size, &o);
		if (!err) {
			sp->pa = o.pfn2_only ? o.pfn2 * k->psz + o.offset : o.pfn * k->psz + o.offset;
			if (size == k->psz) {
				memcpy(page, obj, size);
			} else if (!(err = vd_zram_decompress(sp->alg, obj, size, page, k->psz, &n)) &&
				   n != k->psz) {
				err = vd_error_create(VD_ERR_CORRUPT, "%s gave %zu bytes, not a page", sp->alg, n);
			}
		}
		free(obj);
		if (err)
			return vd_error_wrap(err, "%s slot %llu (%u bytes %s)", sp->device,
					     (unsigned long long)sp->index, sp->comp_len,
					     sp->source == VD_SWAP_ZRAM ? sp->alg : "stored");
	}
	return NULL;
}

struct vd_error *
vd_kmem_swap_read(struct vd_kmem *k, const struct vd_swap_entry *se, void *page,
		  struct vd_swap_page *ret)
{
	struct vd_swap_page sp = { .entry = *se };
	struct swap_area_info a;
	uint64_t zram, cpage;
	struct vd_error *err;

	uint64_t tb = 0;
	bool zero;

	memset(ret, 0, sizeof(*ret));
	if ((err = zram_init(k)))
		return err;
	if ((err = swap_area_of(k, se->type, &a)))
		return vd_error_wrap(err, "swap entry type %u offset 0x%llx", se->type,
				     (unsigned long long)se->offset);
	// The swap cache first: a page there is the newest copy.
	cpage = 0;
	if (k->zr.have_cache)
		err = swap_cache_page(k, se->type, se->offset, &cpage);
	else if (k->zr.have_table && !(err = swap_table_word(k, a.si, se->type, se->offset, &tb)))
		err = swap_table_folio(k, tb, &cpage);
	if (!err && cpage)
		err = folio_subpage(k, cpage, se->type, se->offset, &cpage);
	if (err)
		return vd_error_wrap(err, "swap entry type %u offset 0x%llx", se->type,
				     (unsigned long long)se->offset);
	if (cpage) {
		uint64_t pfn;

		if ((err = vd_kmem_page_to_pfn(k, cpage, &pfn)))
			return vd_error_wrap(err, "the swap cache's page of type %u offset 0x%llx",
					     se->type, (unsigned long long)se->offset);
		sp.source = VD_SWAP_CACHE;
		sp.page = cpage;
		sp.pa = pfn << k->pshift;
		if (page && (err = vd_session_read(k->s, VD_AS_PHYS, sp.pa, page, k->psz, NULL)))
			return vd_error_wrap(err, "the swap cache's page 0x%llx", (unsigned long long)cpage);
		*ret = sp;
		return NULL;
	}
	// A zero-filled page: a bit, nothing on the device.
	if ((err = swap_zero_bit(k, a.si, se->offset, tb, &zero)))
		return vd_error_wrap(err, "swap entry type %u offset 0x%llx", se->type,
				     (unsigned long long)se->offset);
	if (zero) {
		sp.source = VD_SWAP_ZERO;
		if (page)
			memset(page, 0, k->psz);
		*ret = sp;
		return NULL;
	}
	zram = 0;
	if (!k->zr.no_zram && (err = zram_of_area(k, a.si, &zram, sp.device, sizeof(sp.device))))
		return vd_error_wrap(err, "swap entry type %u offset 0x%llx", se->type,
				     (unsigned long long)se->offset);
	if (!zram)
		return vd_error_create(VD_ERR_NODATA,
				       "swapped out to swap area %u (%s) at page offset 0x%llx: a disk swap area, not in the dump",
				       se->type, se->area[0] ? se->area : sp.device[0] ? sp.device : "?",
				       (unsigned long long)se->offset);
	sp.zram = zram;
	sp.index = se->offset;
	if ((err = zram_slot(k, zram, &sp, page)))
		return vd_error_wrap(err, "swap entry type %u offset 0x%llx", se->type,
				     (unsigned long long)se->offset);
	*ret = sp;
	return NULL;
}

struct vd_error *
vd_kmem_uswap(struct vd_kmem *k, const struct vd_utask *t, uint64_t uva, void *page,
	      struct vd_swap_page *ret)
{
	struct vd_xlat_walk w;
	struct vd_swap_entry se;
	struct vd_error *err = vd_xlat_walk(k->xlat, t->pgd_pa, uva, &w);
	const struct vd_xlat_step *last = w.nsteps ? &w.steps[w.nsteps - 1] : NULL;

	memset(ret, 0, sizeof(*ret));
	if (!err || err->code != VD_ERR_NOTPRESENT || !last || last->leaf ||
	    strcmp(last->level, "PTE") || !vd_kmem_swap_entry(k, last->entry, &se)) {
		vd_error_destroy(err);
		return vd_error_create(VD_ERR_INVALID_ARG, "pid %d: 0x%llx is not swapped out", t->pid,
				       (unsigned long long)uva);
	}
	vd_error_destroy(err);
	return vd_kmem_swap_read(k, &se, page, ret);
}

/* "swapped: type T offset O (zram0, compressed N bytes)" */
void
vd_swap_page_describe(const struct vd_swap_page *sp, char *buf, size_t size)
{
	const char *how;
	char what[96];

	switch (sp->source) {
	case VD_SWAP_CACHE:
		snprintf(buf, size, "swapped: type %u offset %llu (in the swap cache: page 0x%llx, pa 0x%llx)",
			 sp->entry.type, (unsigned long long)sp->entry.offset,
			 (unsigned long long)sp->page, (unsigned long long)sp->pa);
		return;
	case VD_SWAP_ZERO:
		snprintf(buf, size, "swapped: type %u offset %llu (zero-filled: kept as a bit, stored nowhere)",
			 sp->entry.type, (unsigned long long)sp->entry.offset);
		return;
	case VD_SWAP_ZRAM_SAME:
		snprintf(what, sizeof(what), "same-filled 0x%llx", (unsigned long long)sp->handle);
		how = what;
		break;
	case VD_SWAP_ZRAM_HUGE:
		snprintf(what, sizeof(what), "stored uncompressed, %u bytes", sp->comp_len);
		how = what;
		break;
	default:
		snprintf(what, sizeof(what), "compressed %u bytes, %s", sp->comp_len, sp->alg);
		how = what;
		break;
	}
	snprintf(buf, size, "swapped: type %u offset %llu (%s, %s)", sp->entry.type,
		 (unsigned long long)sp->entry.offset, sp->device, how);
}
