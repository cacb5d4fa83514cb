// SPDX-License-Identifier: MIT
/*
 * /proc/meminfo from the kernel's own counters, line for line as
 * meminfo_proc_show() (fs/proc/meminfo.c) prints them, read the way the
 * kernel reads them: global_zone_page_state()/global_node_page_state()
 * are the global atomics vm_zone_stat[]/vm_node_stat[] (negative read as
 * 0), indexed by enum zone_stat_item/node_stat_item from the types.
 *
 * Lines that depend on a config option are printed when the option's
 * symbol or enumerator exists: ShadowCallStack (NR_KERNEL_SCS_KB), Zswap
 * (zswap_pool_total_size before 6.8, zswap_pools since commit
 * 91cdcd8d6228 "mm: zswap: remove zswap_pool_total_size"...: pages from
 * each pool's zsmalloc pages_allocated), HardwareCorrupted
 * (num_poisoned_pages), the THP lines (transparent_hugepage_flags), CMA
 * (totalcma_pages), EarlyMemtestBad (early_memtest_done, 6.4+),
 * Unaccepted (NR_UNACCEPTED), x86's DirectMap (direct_pages_count).
 * si_mem_available()'s file LRU sum, the swap areas being swapped off
 * (si_swapinfo) and nr_blockdev_pages() are computed as the kernel does.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common/util.h"
#include "kmem_priv.h"

#define BLOCKDEV_INODES_MAX (1u << 20)

struct mi_ctx {
	struct vd_kmem *k;
	struct vd_meminfo *mi;
	uint64_t zone_stat, node_stat;
	unsigned kshift;          /* PAGE_SHIFT - 10 */
};

static void
add_line(struct mi_ctx *c, const char *name, uint64_t value, bool kb)
{
	struct vd_meminfo *mi = c->mi;

	if (mi->nlines < VD_MEMINFO_MAX_LINES)
		mi->lines[mi->nlines++] = (struct vd_meminfo_line){ name, value, kb };
}

static void
add_pages(struct mi_ctx *c, const char *name, uint64_t pages)
{
	add_line(c, name, pages << c->kshift, true);
}

static struct vd_error *
stat_item(struct mi_ctx *c, bool node, const char *item, uint64_t *ret)
{
	int64_t idx, v;
	uint64_t raw;
	struct vd_error *err;

	if (!vd_km_enum_value(c->k, node ? "node_stat_item" : "zone_stat_item", item, &idx))
		return vd_error_create(VD_ERR_LOOKUP, "enum %s has no %s",
				       node ? "node_stat_item" : "zone_stat_item", item);
	if (idx < 0 || idx > 4096)
		return vd_error_create(VD_ERR_CORRUPT, "%s = %lld", item, (long long)idx);
	if ((err = vd_km_u64(c->k, (node ? c->node_stat : c->zone_stat) + 8 * (uint64_t)idx, &raw)))
		return vd_error_wrap(err, "reading %s[%s]", node ? "vm_node_stat" : "vm_zone_stat",
				     item);
	v = (int64_t)raw;
	*ret = v < 0 ? 0 : (uint64_t)v;   // CONFIG_SMP: a negative sum reads as 0
	return NULL;
}

static bool
has_item(struct mi_ctx *c, bool node, const char *item)
{
	int64_t v;

	return vd_km_enum_value(c->k, node ? "node_stat_item" : "zone_stat_item", item, &v);
}

/* An item that moved from the zone counters to the node counters
 * (NR_PAGETABLE: commit f0c0c115fb81 "mm: memcontrol: account pagetables
 * per node", 5.11; NR_KERNEL_STACK_KB: commit 991e7673859e "mm: memcontrol:
 * account kernel stack per node", 5.9): read from wherever its enum is. */
static struct vd_error *
node_or_zone_item(struct mi_ctx *c, const char *item, uint64_t *ret)
{
	return stat_item(c, has_item(c, true, item), item, ret);
}

/* A signed long symbol (atomic_long_t counter at offset 0). */
static struct vd_error *
sym_long(struct vd_kmem *k, const char *name, int64_t *ret)
{
	uint64_t v;
	struct vd_error *err = vd_km_sym_uint(k, name, 8, &v);

	if (!err)
		*ret = (int64_t)v;
	return err;
}

/* nr_blockdev_pages(): the page cache of every block device inode. */
static struct vd_error *
blockdev_pages(struct vd_kmem *k, uint64_t *ret)
{
	const struct vd_type *sb, *ino, *as;
	struct kmem_field s_inodes, i_sb_list, i_mapping, nrpages;
	uint64_t sbp, head, next, n = 0, total = 0;
	struct vd_error *err;

	if ((err = vd_km_type(k, "struct super_block", &sb)) ||
	    (err = vd_km_need(sb, "struct super_block", "s_inodes", &s_inodes)) ||
	    (err = vd_km_type(k, "struct inode", &ino)) ||
	    (err = vd_km_need(ino, "struct inode", "i_sb_list", &i_sb_list)) ||
	    (err = vd_km_need(ino, "struct inode", "i_mapping", &i_mapping)) ||
	    (err = vd_km_type(k, "struct address_space", &as)) ||
	    (err = vd_km_need(as, "struct address_space", "nrpages", &nrpages)) ||
	    (err = vd_km_sym_uint(k, "blockdev_superblock", 8, &sbp)))
		return err;
	head = sbp + s_inodes.off;
	if ((err = vd_km_u64(k, head, &next)))
		return vd_error_wrap(err, "reading blockdev_superblock->s_inodes");
	while (next != head) {
		uint64_t inode = next - i_sb_list.off, mapping, np;

		if (++n > BLOCKDEV_INODES_MAX)
			return vd_error_create(VD_ERR_CORRUPT, "blockdev inode list longer than %u",
					       BLOCKDEV_INODES_MAX);
		if ((err = vd_km_u64(k, inode + i_mapping.off, &mapping)) ||
		    (err = vd_km_uint(k, mapping + nrpages.off, nrpages.size, &np)) ||
		    (err = vd_km_u64(k, next, &next)))
			return vd_error_wrap(err, "walking the block device inodes at 0x%llx",
					     (unsigned long long)inode);
		total += np;
	}
	*ret = total;
	return NULL;
}

/* si_swapinfo(): pages of swap areas being swapped off count as free and total. */
static struct vd_error *
swap_to_be_unused(struct vd_kmem *k, uint64_t *ret)
{
	const struct vd_type *t;
	struct kmem_field flags, inuse;
	uint64_t nr, arr, si, f, iu;
	struct vd_error *err;

	*ret = 0;
	if ((err = vd_km_sym_uint(k, "nr_swapfiles", 4, &nr)))
		return err;
	if (!nr)
		return NULL;
	if (nr > 64)
		return vd_error_create(VD_ERR_CORRUPT, "nr_swapfiles is %llu", (unsigned long long)nr);
	if ((err = vd_km_type(k, "struct swap_info_struct", &t)) ||
	    (err = vd_km_need(t, "struct swap_info_struct", "flags", &flags)) ||
	    (err = vd_km_need(t, "struct swap_info_struct", "inuse_pages", &inuse)) ||
	    (err = vd_km_sym(k, "swap_info", &arr)))
		return err;
	for (uint64_t i = 0; i < nr; i++) {
		if ((err = vd_km_u64(k, arr + 8 * i, &si)))
			return vd_error_wrap(err, "reading swap_info[%llu]", (unsigned long long)i);
		if (!si)
			continue;
		if ((err = vd_km_uint(k, si + flags.off, flags.size, &f)) ||
		    (err = vd_km_uint(k, si + inuse.off, inuse.size, &iu)))
			return vd_error_wrap(err, "reading swap_info[%llu]", (unsigned long long)i);
		// SWP_USED (1 << 0) and SWP_WRITEOK (1 << 1), include/linux/swap.h
		if ((f & 1) && !(f & 2))
			*ret += iu;
	}
	return NULL;
}

/* total_swapcache_pages() before 5.13: sum of swapper_spaces[type][i].nrpages. */
static struct vd_error *
swapper_spaces_pages(struct vd_kmem *k, uint64_t *ret)
{
	const struct vd_type *as;
	struct kmem_field nrpages;
	uint64_t nr, spaces, counts, sp, cnt, v;
	struct vd_error *err;

	*ret = 0;
	if ((err = vd_km_sym_uint(k, "nr_swapfiles", 4, &nr)))
		return err;
	if (!(uint32_t)nr)
		return NULL;
	if ((uint32_t)nr > 64)
		return vd_error_create(VD_ERR_CORRUPT, "nr_swapfiles is %llu", (unsigned long long)nr);
	if ((err = vd_km_sym(k, "swapper_spaces", &spaces)) ||
	    (err = vd_km_sym(k, "nr_swapper_spaces", &counts)) ||
	    (err = vd_km_type(k, "struct address_space", &as)) ||
	    (err = vd_km_need(as, "struct address_space", "nrpages", &nrpages)))
		return err;
	for (uint32_t i = 0; i < (uint32_t)nr; i++) {
		if ((err = vd_km_u64(k, spaces + 8ull * i, &sp)) ||
		    (err = vd_km_uint(k, counts + 4ull * i, 4, &cnt)))
			return err;
		if (!sp)
			continue;
		if ((uint32_t)cnt > (1u << 20))
			return vd_error_create(VD_ERR_CORRUPT, "nr_swapper_spaces[%u] is %u", i,
					       (uint32_t)cnt);
		for (uint32_t j = 0; j < (uint32_t)cnt; j++) {
			if ((err = vd_km_uint(k, sp + j * as->size + nrpages.off, nrpages.size, &v)))
				return err;
			*ret += v;
		}
	}
	return NULL;
}

struct hstate_sum {
	bool have;
	uint64_t total_pages;    /* small pages in huge pages: hugetlb_total_pages() */
	uint64_t total_bytes;
	uint64_t d_count, d_free, d_resv, d_surp, d_size;
	uint64_t d_free_pages;
};

static struct vd_error *
hstates(struct vd_kmem *k, struct hstate_sum *h)
{
	const struct vd_type *t;
	struct kmem_field order, nr, fr, resv, surp;
	uint64_t arr, max, def = 0;
	struct vd_error *err;

	memset(h, 0, sizeof(*h));
	if (!vd_session_symbol(k->s, "hstates", &arr))
		return NULL;   // no CONFIG_HUGETLBFS
	if ((err = vd_km_type(k, "struct hstate", &t)) ||
	    (err = vd_km_need(t, "struct hstate", "order", &order)) ||
	    (err = vd_km_need(t, "struct hstate", "nr_huge_pages", &nr)) ||
	    (err = vd_km_need(t, "struct hstate", "free_huge_pages", &fr)) ||
	    (err = vd_km_need(t, "struct hstate", "resv_huge_pages", &resv)) ||
	    (err = vd_km_need(t, "struct hstate", "surplus_huge_pages", &surp)) ||
	    (err = vd_km_sym_uint(k, "hugetlb_max_hstate", 4, &max)))
		return err;
	if (vd_session_symbol(k->s, "default_hstate_idx", &def) &&
	    (err = vd_km_uint(k, def, 4, &def)))
		return vd_error_wrap(err, "reading default_hstate_idx");
	if (max > 16)
		return vd_error_create(VD_ERR_CORRUPT, "hugetlb_max_hstate is %llu",
				       (unsigned long long)max);
	h->have = true;
	for (uint64_t i = 0; i < max; i++) {
		unsigned char buf[4096];
		uint64_t o, n;
		size_t len = VD_MIN(t->size, sizeof(buf));

		if ((err = vd_km_read(k, arr + i * t->size, buf, len)))
			return vd_error_wrap(err, "reading hstates[%llu]", (unsigned long long)i);
		o = vd_km_get(buf, len, &order);
		n = vd_km_get(buf, len, &nr);
		if (o > 30)
			return vd_error_create(VD_ERR_CORRUPT, "hstates[%llu].order is %llu",
					       (unsigned long long)i, (unsigned long long)o);
		h->total_pages += n << o;
		h->total_bytes += (k->psz << o) * n;
		if (i == def) {
			h->d_count = n;
			h->d_free = vd_km_get(buf, len, &fr);
			h->d_resv = vd_km_get(buf, len, &resv);
			h->d_surp = vd_km_get(buf, len, &surp);
			h->d_size = k->psz << o;
			h->d_free_pages = h->d_free << o;
		}
	}
	return NULL;
}

/* low_wmark_pages() of every zone of every online node (for_each_zone). */
static struct vd_error *
wmark_low_sum(struct vd_kmem *k, uint64_t *ret)
{
	const struct vd_type *zt, *pt;
	struct kmem_field wm, boost, zones;
	uint64_t node_data = 0, online = 0, contig = 0, nzones;
	int64_t wlow, maxz;
	struct vd_error *err;
	uint64_t len = 1;

	*ret = 0;
	if ((err = vd_km_type(k, "struct zone", &zt)) ||
	    (err = vd_km_need(zt, "struct zone", "_watermark", &wm)) ||
	    (err = vd_km_type(k, "struct pglist_data", &pt)) ||
	    (err = vd_km_need(pt, "struct pglist_data", "node_zones", &zones)))
		return err;
	vd_km_field(zt, "watermark_boost", &boost);
	if (!vd_km_enum_value(k, "zone_watermarks", "WMARK_LOW", &wlow))
		wlow = 1;
	if (!vd_km_enum_value(k, "zone_type", "__MAX_NR_ZONES", &maxz))
		return vd_error_create(VD_ERR_LOOKUP, "enum zone_type has no __MAX_NR_ZONES");
	nzones = (uint64_t)maxz;
	if (!vd_session_symbol(k->s, "node_data", &node_data) &&
	    !vd_session_symbol(k->s, "contig_page_data", &contig))
		return vd_error_create(VD_ERR_LOOKUP, "neither node_data nor contig_page_data is known");
	if (node_data) {
		uint64_t n;

		// node_data[MAX_NUMNODES]: VMCOREINFO's LENGTH, else nr_node_ids
		// (the highest possible node + 1), which also bounds the online
		// map's bits.
		len = vd_session_number(k->s, "LENGTH(node_data)", &n) && n && n <= KMEM_MAX_NODES ?
		      n : KMEM_MAX_NODES;
		if (vd_ok_destroy(vd_km_sym_uint(k, "nr_node_ids", 4, &n)) && (uint32_t)n &&
		    (uint32_t)n < len)
			len = (uint32_t)n;
		else if (len == KMEM_MAX_NODES)
			return vd_error_create(VD_ERR_LOOKUP,
					       "neither LENGTH(node_data) nor nr_node_ids is known");
		vd_session_symbol(k->s, "node_online_map", &online);
	}
	for (uint64_t nid = 0; nid < len; nid++) {
		uint64_t pgdat = contig, w;

		if (node_data) {
			if (online && vd_ok_destroy(vd_km_u64(k, online + nid / 64 * 8, &w)) &&
			    !((w >> (nid % 64)) & 1))
				continue;
			if ((err = vd_km_u64(k, node_data + 8 * nid, &pgdat)))
				return vd_error_wrap(err, "reading node_data[%llu]", (unsigned long long)nid);
			if (!pgdat)
				continue;
		}
		for (uint64_t z = 0; z < nzones; z++) {
			uint64_t zone = pgdat + zones.off + z * zt->size, low, b = 0;

			if ((err = vd_km_u64(k, zone + wm.off + 8 * (uint64_t)wlow, &low)) ||
			    (boost.present && (err = vd_km_uint(k, zone + boost.off, boost.size, &b))))
				return vd_error_wrap(err, "reading node %llu zone %llu",
						     (unsigned long long)nid, (unsigned long long)z);
			*ret += low + b;
		}
	}
	return NULL;
}

/* zswap's pool pages: 6.8+ zswap_total_pages() sums each pool's zpool. */
static struct vd_error *
zswap_pages(struct vd_kmem *k, uint64_t *ret)
{
	const struct vd_type *pt, *zp, *zs;
	struct kmem_field list, zpool, zpool_pool, pages;
	uint64_t head, next, n = 0;
	struct vd_error *err;
	int64_t bytes;

	*ret = 0;
	if (!(err = sym_long(k, "zswap_pool_total_size", &bytes))) {
		*ret = (uint64_t)bytes >> k->pshift;   // printed as bytes >> 10 below
		return NULL;
	}
	vd_error_destroy(err);
	if ((err = vd_km_sym(k, "zswap_pools", &head)) ||
	    (err = vd_km_type(k, "struct zswap_pool", &pt)) ||
	    (err = vd_km_need(pt, "struct zswap_pool", "list", &list)) ||
	    (err = vd_km_type(k, "struct zs_pool", &zs)) ||
	    (err = vd_km_need(zs, "struct zs_pool", "pages_allocated", &pages)))
		return err;
	// zswap_pool.zpool -> zpool.pool (a zs_pool), or since zpool was
	// removed the zs_pool itself (zswap_pool.zs_pool).
	vd_km_field(pt, "zs_pool", &zpool);
	zpool_pool = (struct kmem_field){ 0 };
	if (!zpool.present &&
	    ((err = vd_km_need(pt, "struct zswap_pool", "zpool", &zpool)) ||
	     (err = vd_km_type(k, "struct zpool", &zp)) ||
	     (err = vd_km_need(zp, "struct zpool", "pool", &zpool_pool))))
		return err;
	if ((err = vd_km_u64(k, head, &next)))
		return err;
	while (next != head) {
		uint64_t pool = next - list.off, zpp, zsp, np;

		if (++n > 64)
			return vd_error_create(VD_ERR_CORRUPT, "zswap_pools longer than 64");
		if ((err = vd_km_u64(k, pool + zpool.off, &zpp)) ||
		    (zpool_pool.present ? (err = vd_km_u64(k, zpp + zpool_pool.off, &zsp)) :
					  (zsp = zpp, NULL)) ||
		    (err = vd_km_u64(k, zsp + pages.off, &np)) ||
		    (err = vd_km_u64(k, next, &next)))
			return vd_error_wrap(err, "walking zswap_pools");
		*ret += np;
	}
	return NULL;
}

bool
vd_meminfo_get(const struct vd_meminfo *mi, const char *name, uint64_t *ret)
{
	for (size_t i = 0; i < mi->nlines; i++)
		if (!strcmp(mi->lines[i].name, name)) {
			*ret = mi->lines[i].value;
			return true;
		}
	return false;
}

#define TRY(x)                          \
	do {                            \
		if ((err = (x)))        \
			return err;     \
	} while (0)

/*
 * vm_memory_committed(): percpu_counter_sum_positive(&vm_committed_as) since
 * commit "mm/util.c: make vm_memory_committed() more accurate" (5.9); the
 * global count alone lags every CPU's unfolded delta (up to the batch per
 * CPU: an idle 6.12 guest has count 0 and 2.7 MB committed).  Summed over
 * the possible CPUs, not the online ones the kernel sums: a panic takes the
 * other CPUs offline (stop_this_cpu()) without folding their deltas, and a
 * CPU that never ran, or was unplugged (percpu_counter_cpu_dead() folds it),
 * holds 0.  crash's COMMITTED is the global count only.
 */
static struct vd_error *
percpu_counter_sum(struct vd_kmem *k, uint64_t addr, int64_t *ret)
{
	const struct vd_type *pc;
	struct kmem_field count, counters;
	uint64_t v, base;
	struct vd_error *err;
	int64_t sum;

	TRY(vd_km_type(k, "struct percpu_counter", &pc));
	TRY(vd_km_need(pc, "struct percpu_counter", "count", &count));
	TRY(vd_km_u64(k, addr + count.off, &v));
	sum = (int64_t)v;
	// !CONFIG_SMP: no counters, the count is the sum.
	vd_km_field(pc, "counters", &counters);
	if (!counters.present || !k->ncpus) {
		*ret = sum;
		return NULL;
	}
	TRY(vd_km_u64(k, addr + counters.off, &base));
	for (uint32_t cpu = 0; cpu < k->ncpus; cpu++) {
		if (!k->cpu_possible[cpu])
			continue;
		if ((err = vd_km_uint(k, base + k->cpu_off[cpu], 4, &v)))
			return vd_error_wrap(err, "reading CPU %u's part of the counter at %#llx",
					     cpu, (unsigned long long)addr);
		sum += (int32_t)(uint32_t)v;
	}
	*ret = sum;
	return NULL;
}

/* A line of a zone (node false) or node counter, in pages. */
static struct vd_error *
add_item(struct mi_ctx *c, const char *name, bool node, const char *item)
{
	uint64_t v;
	struct vd_error *err = stat_item(c, node, item, &v);

	if (!err)
		add_pages(c, name, v);
	return err;
}

/* The counters meminfo_proc_show() reads before it prints, in pages. */
struct mi_counters {
	uint64_t totalram, freeram, shmem, buffers;       /* si_meminfo() */
	uint64_t swap_free, swap_total;                   /* si_swapinfo() */
	int64_t committed;                                /* vm_committed_as */
	uint64_t file, swapcache, cached, lru[5];         /* the page cache and LRUs */
	uint64_t srecl, sunrecl, misc;                    /* slab, other reclaimable */
	int64_t available;                                /* si_mem_available() */
	struct hstate_sum hs;                             /* hugetlb */
};

/* si_meminfo(): RAM, free, shared and block-device pages. */
static struct vd_error *
si_meminfo(struct mi_ctx *c, struct mi_counters *m)
{
	struct vd_kmem *k = c->k;
	struct vd_error *err;
	int64_t sv;

	TRY(vd_km_sym(k, "vm_zone_stat", &c->zone_stat));
	TRY(vd_km_sym(k, "vm_node_stat", &c->node_stat));
	// totalram_pages(): _totalram_pages since commit ca79b0c211af ("mm:
	// convert totalram_pages and totalhigh_pages variables to atomic"), 5.0
	if ((err = sym_long(k, "_totalram_pages", &sv))) {
		vd_error_destroy(err);
		TRY(sym_long(k, "totalram_pages", &sv));
	}
	m->totalram = (uint64_t)sv;
	TRY(stat_item(c, false, "NR_FREE_PAGES", &m->freeram));
	TRY(stat_item(c, true, "NR_SHMEM", &m->shmem));
	return blockdev_pages(k, &m->buffers);
}

/* si_swapinfo(): the swap areas, those being swapped off counted in. */
static struct vd_error *
si_swapinfo(struct mi_ctx *c, struct mi_counters *m)
{
	uint64_t unused;
	struct vd_error *err;
	int64_t sv;

	TRY(swap_to_be_unused(c->k, &unused));
	TRY(sym_long(c->k, "nr_swap_pages", &sv));
	m->swap_free = (uint64_t)sv + unused;
	TRY(sym_long(c->k, "total_swap_pages", &sv));
	m->swap_total = (uint64_t)sv + unused;
	return NULL;
}

/* vm_memory_committed(): the sum of vm_committed_as, negative read as 0. */
static struct vd_error *
committed_as(struct mi_ctx *c, struct mi_counters *m)
{
	uint64_t addr;
	struct vd_error *err;

	TRY(vd_km_sym(c->k, "vm_committed_as", &addr));
	TRY(percpu_counter_sum(c->k, addr, &m->committed));
	if (m->committed < 0)
		m->committed = 0;
	return NULL;
}

/* The file pages, the swap cache and the five LRU lists (node counters). */
static struct vd_error *
page_cache(struct mi_ctx *c, struct mi_counters *m)
{
	static const char *const lru_names[] = { "NR_INACTIVE_ANON", "NR_ACTIVE_ANON",
						 "NR_INACTIVE_FILE", "NR_ACTIVE_FILE",
						 "NR_UNEVICTABLE" };
	struct vd_error *err;

	TRY(stat_item(c, true, "NR_FILE_PAGES", &m->file));
	// total_swapcache_pages(): NR_SWAPCACHE since commit b6038942480e
	// ("mm: memcg: add swapcache stat for memcg v2", 5.13); before, the
	// swapper_spaces[][] address spaces' nrpages.
	if (has_item(c, true, "NR_SWAPCACHE"))
		TRY(stat_item(c, true, "NR_SWAPCACHE", &m->swapcache));
	else
		TRY(swapper_spaces_pages(c->k, &m->swapcache));
	for (size_t i = 0; i < 5; i++)
		TRY(stat_item(c, true, lru_names[i], &m->lru[i]));
	return NULL;
}

/* The slab's reclaimable and unreclaimable bytes, other reclaimable pages. */
static struct vd_error *
slab_counters(struct mi_ctx *c, struct mi_counters *m)
{
	struct vd_error *err;

	TRY(stat_item(c, true, "NR_SLAB_RECLAIMABLE_B", &m->srecl));
	TRY(stat_item(c, true, "NR_SLAB_UNRECLAIMABLE_B", &m->sunrecl));
	return stat_item(c, true, "NR_KERNEL_MISC_RECLAIMABLE", &m->misc);
}

/*
 * si_mem_available(): free pages less the reserve, plus the page cache and
 * reclaimable memory each less min(half, the zones' low watermarks).
 */
static struct vd_error *
si_mem_available(struct mi_ctx *c, struct mi_counters *m)
{
	uint64_t reserve, wmark, pagecache, reclaimable;
	struct vd_error *err;

	TRY(vd_km_sym_uint(c->k, "totalreserve_pages", 8, &reserve));
	TRY(wmark_low_sum(c->k, &wmark));
	m->available = (int64_t)m->freeram - (int64_t)reserve;
	pagecache = m->lru[2] + m->lru[3];
	pagecache -= VD_MIN(pagecache / 2, wmark);
	m->available += (int64_t)pagecache;
	reclaimable = m->srecl + m->misc;
	m->available += (int64_t)(reclaimable - VD_MIN(reclaimable / 2, wmark));
	if (m->available < 0)
		m->available = 0;
	return NULL;
}

/* MemTotal to Mlocked. */
static struct vd_error *
show_ram(struct mi_ctx *c, const struct mi_counters *m)
{
	add_pages(c, "MemTotal", m->totalram);
	add_pages(c, "MemFree", m->freeram);
	add_pages(c, "MemAvailable", (uint64_t)m->available);
	add_pages(c, "Buffers", m->buffers);
	add_pages(c, "Cached", m->cached);
	add_pages(c, "SwapCached", m->swapcache);
	add_pages(c, "Active", m->lru[1] + m->lru[3]);
	add_pages(c, "Inactive", m->lru[0] + m->lru[2]);
	add_pages(c, "Active(anon)", m->lru[1]);
	add_pages(c, "Inactive(anon)", m->lru[0]);
	add_pages(c, "Active(file)", m->lru[3]);
	add_pages(c, "Inactive(file)", m->lru[2]);
	add_pages(c, "Unevictable", m->lru[4]);
	return add_item(c, "Mlocked", false, "NR_MLOCK");
}

/* SwapTotal, SwapFree, and with zswap Zswap and Zswapped. */
static struct vd_error *
show_swap(struct mi_ctx *c, const struct mi_counters *m)
{
	struct vd_kmem *k = c->k;
	uint64_t addr, v;
	int64_t sv;
	struct vd_error *err;

	add_pages(c, "SwapTotal", m->swap_total);
	add_pages(c, "SwapFree", m->swap_free);
	// Zswap/Zswapped since commit f6498b776d28 ("mm: zswap: add basic
	// meminfo and vmstat coverage", 5.19), which added the ZSWPOUT event.
	if (vd_session_symbol(k->s, "zswap_stored_pages", &addr) &&
	    vd_km_enum_value(k, "vm_event_item", "ZSWPOUT", &sv)) {
		bool old = vd_session_symbol(k->s, "zswap_pool_total_size", &v);

		TRY(zswap_pages(k, &v));
		if (old) {
			int64_t bytes;

			TRY(sym_long(k, "zswap_pool_total_size", &bytes));
			add_line(c, "Zswap", (uint64_t)bytes >> 10, true);
		} else {
			add_pages(c, "Zswap", v);
		}
		TRY(vd_km_uint(k, addr, 4, &v));
		add_pages(c, "Zswapped", (uint64_t)(int64_t)(int32_t)v);
	}
	return NULL;
}

/* Dirty to WritebackTmp: page states, slab, stacks, page tables. */
static struct vd_error *
show_page_states(struct mi_ctx *c, const struct mi_counters *m)
{
	uint64_t v;
	struct vd_error *err;

	TRY(add_item(c, "Dirty", true, "NR_FILE_DIRTY"));
	TRY(add_item(c, "Writeback", true, "NR_WRITEBACK"));
	TRY(add_item(c, "AnonPages", true, "NR_ANON_MAPPED"));
	TRY(add_item(c, "Mapped", true, "NR_FILE_MAPPED"));
	add_pages(c, "Shmem", m->shmem);
	add_pages(c, "KReclaimable", m->srecl + m->misc);
	add_pages(c, "Slab", m->srecl + m->sunrecl);
	add_pages(c, "SReclaimable", m->srecl);
	add_pages(c, "SUnreclaim", m->sunrecl);
	TRY(node_or_zone_item(c, "NR_KERNEL_STACK_KB", &v));
	add_line(c, "KernelStack", v, true);
	if (has_item(c, true, "NR_KERNEL_SCS_KB") || has_item(c, false, "NR_KERNEL_SCS_KB")) {
		TRY(node_or_zone_item(c, "NR_KERNEL_SCS_KB", &v));
		add_line(c, "ShadowCallStack", v, true);
	}
	TRY(node_or_zone_item(c, "NR_PAGETABLE", &v));
	add_pages(c, "PageTables", v);
	if (has_item(c, true, "NR_SECONDARY_PAGETABLE")) {
		// commit ebc97a52b5d6 "mm: add NR_SECONDARY_PAGETABLE", 6.0
		TRY(add_item(c, "SecPageTables", true, "NR_SECONDARY_PAGETABLE"));
	}
	add_pages(c, "NFS_Unstable", 0);
	// Both lines stay, as 0, after their counters went: commit
	// 194df9f66db8 ("mm: remove NR_BOUNCE zone stat") and the removal of
	// NR_WRITEBACK_TEMP with FUSE's temporary writeback pages (7.x; the
	// 7.2 meminfo_proc_show passes a constant 0 for both).
	if (has_item(c, false, "NR_BOUNCE"))
		TRY(add_item(c, "Bounce", false, "NR_BOUNCE"));
	else
		add_pages(c, "Bounce", 0);
	if (has_item(c, true, "NR_WRITEBACK_TEMP"))
		TRY(add_item(c, "WritebackTmp", true, "NR_WRITEBACK_TEMP"));
	else
		add_pages(c, "WritebackTmp", 0);
	return NULL;
}

/* vm_commit_limit(): CommitLimit, then Committed_AS. */
static struct vd_error *
show_commit(struct mi_ctx *c, const struct mi_counters *m)
{
	struct vd_kmem *k = c->k;
	uint64_t kbytes = 0, ratio = 50, allowed;
	int64_t sv;
	struct vd_error *err;

	TRY(vd_km_sym_uint(k, "sysctl_overcommit_kbytes", 8, &kbytes));
	TRY(vd_km_sym_uint(k, "sysctl_overcommit_ratio", 4, &ratio));
	if (kbytes)
		allowed = kbytes >> c->kshift;
	else
		allowed = (m->totalram - m->hs.total_pages) * (uint32_t)ratio / 100;
	TRY(sym_long(k, "total_swap_pages", &sv));
	allowed += (uint64_t)sv;
	c->mi->commit_limit = allowed;
	add_pages(c, "CommitLimit", allowed);
	add_pages(c, "Committed_AS", (uint64_t)m->committed);
	return NULL;
}

/* VmallocTotal, VmallocUsed, VmallocChunk and Percpu. */
static struct vd_error *
show_vmalloc_percpu(struct mi_ctx *c)
{
	struct vd_kmem *k = c->k;
	const struct vd_region *r;
	size_t nr = vd_xlat_layout(k->xlat, &r);
	uint64_t total = 0, v, pop, units;
	bool found = false;
	struct vd_error *err;

	for (size_t i = 0; i < nr && !found; i++)
		if (r[i].kind == VD_REGION_VMALLOC) {
			total = r[i].end - r[i].start;   // VMALLOC_END - VMALLOC_START
			found = true;
		}
	if (!found)
		return vd_error_create(VD_ERR_LOOKUP, "the layout has no vmalloc region");
	add_line(c, "VmallocTotal", total >> 10, true);
	// vmalloc_nr_pages(): the node counter NR_VMALLOC where the enum has
	// it (7.x: "mm: memcontrol: switch to native NR_VMALLOC vmstat
	// counter"), before that the nr_vmalloc_pages atomic (5.13+).
	if (has_item(c, true, "NR_VMALLOC"))
		TRY(stat_item(c, true, "NR_VMALLOC", &v));
	else
		TRY(vd_km_sym_uint(k, "nr_vmalloc_pages", 8, &v));
	add_pages(c, "VmallocUsed", v);
	add_pages(c, "VmallocChunk", 0);
	TRY(vd_km_sym_uint(k, "pcpu_nr_populated", 4, &pop));
	TRY(vd_km_sym_uint(k, "pcpu_nr_units", 4, &units));
	add_pages(c, "Percpu", (uint64_t)(uint32_t)pop * (uint32_t)units);
	return NULL;
}

/*
 * The lines of config options, each printed when its symbol or enumerator
 * exists: EarlyMemtestBad to Unaccepted, and the newer node counters.
 */
static struct vd_error *
show_config_lines(struct mi_ctx *c)
{
	static const char *const thp[][2] = {
		{ "AnonHugePages", "NR_ANON_THPS" },
		{ "ShmemHugePages", "NR_SHMEM_THPS" },
		{ "ShmemPmdMapped", "NR_SHMEM_PMDMAPPED" },
		{ "FileHugePages", "NR_FILE_THPS" },
		{ "FilePmdMapped", "NR_FILE_PMDMAPPED" },
	};
	// Node counters printed where their enum items exist (the 7.2
	// kernel prints them unconditionally after Unaccepted).
	static const char *const extra[][2] = {
		{ "Balloon", "NR_BALLOON_PAGES" },
		{ "GPUActive", "NR_GPU_ACTIVE" },
		{ "GPUReclaim", "NR_GPU_RECLAIM" },
	};
	struct vd_kmem *k = c->k;
	uint64_t addr, v;
	struct vd_error *err;

	if (vd_session_symbol(k->s, "early_memtest_done", &addr)) {
		uint64_t done, bad;

		TRY(vd_km_uint(k, addr, 1, &done));
		if (done) {
			TRY(vd_km_sym_uint(k, "early_memtest_bad_size", 8, &bad));
			add_line(c, "EarlyMemtestBad", bad && !(bad >> 10) ? 1 : bad >> 10, true);
		}
	}
	if (vd_session_symbol(k->s, "num_poisoned_pages", &addr)) {
		TRY(vd_km_u64(k, addr, &v));
		add_pages(c, "HardwareCorrupted", v);
	}
	if (vd_session_symbol(k->s, "transparent_hugepage_flags", &addr))
		for (size_t i = 0; i < VD_ARRAY_SIZE(thp); i++) {
			TRY(add_item(c, thp[i][0], true, thp[i][1]));
		}
	if (vd_session_symbol(k->s, "totalcma_pages", &addr)) {
		TRY(vd_km_u64(k, addr, &v));
		add_pages(c, "CmaTotal", v);
		TRY(add_item(c, "CmaFree", false, "NR_FREE_CMA_PAGES"));
	}
	if (has_item(c, false, "NR_UNACCEPTED")) {
		TRY(add_item(c, "Unaccepted", false, "NR_UNACCEPTED"));
	}
	for (size_t i = 0; i < VD_ARRAY_SIZE(extra); i++) {
		if (!has_item(c, true, extra[i][1]))
			continue;
		TRY(add_item(c, extra[i][0], true, extra[i][1]));
	}
	return NULL;
}

/* hugetlb_report_meminfo(): the default huge page size's pool. */
static void
show_hugetlb(struct mi_ctx *c, const struct hstate_sum *hs)
{
	if (!hs->have)
		return;
	add_line(c, "HugePages_Total", hs->d_count, false);
	add_line(c, "HugePages_Free", hs->d_free, false);
	add_line(c, "HugePages_Rsvd", hs->d_resv, false);
	add_line(c, "HugePages_Surp", hs->d_surp, false);
	add_line(c, "Hugepagesize", hs->d_size >> 10, true);
	add_line(c, "Hugetlb", hs->total_bytes >> 10, true);
}

/* x86's arch_report_meminfo(): the direct map by page size. */
static struct vd_error *
show_directmap(struct mi_ctx *c)
{
	struct vd_kmem *k = c->k;
	int64_t l4k = 1, l2m = 2, l1g = 3;
	uint64_t addr, gb = 0, v;
	struct vd_error *err;

	if (k->arch != VD_ARCH_X86_64 || !vd_session_symbol(k->s, "direct_pages_count", &addr))
		return NULL;
	vd_km_enum_value(k, "pg_level", "PG_LEVEL_4K", &l4k);
	vd_km_enum_value(k, "pg_level", "PG_LEVEL_2M", &l2m);
	vd_km_enum_value(k, "pg_level", "PG_LEVEL_1G", &l1g);
	TRY(vd_km_u64(k, addr + 8 * (uint64_t)l4k, &v));
	add_line(c, "DirectMap4k", v << 2, true);
	TRY(vd_km_u64(k, addr + 8 * (uint64_t)l2m, &v));
	add_line(c, "DirectMap2M", v << 11, true);
	TRY(vd_km_sym_uint(k, "direct_gbpages", 4, &gb));
	if ((uint32_t)gb) {
		TRY(vd_km_u64(k, addr + 8 * (uint64_t)l1g, &v));
		add_line(c, "DirectMap1G", v << 20, true);
	}
	return NULL;
}

struct vd_error *
vd_kmem_meminfo(struct vd_kmem *k, struct vd_meminfo *mi)
{
	struct mi_ctx c = { .k = k, .mi = mi };
	struct mi_counters m = { 0 };
	int64_t cached;
	struct vd_error *err;

	memset(mi, 0, sizeof(*mi));
	mi->page_size = k->psz;
	c.kshift = k->pshift - 10;
	TRY(si_meminfo(&c, &m));
	TRY(si_swapinfo(&c, &m));
	TRY(committed_as(&c, &m));
	TRY(page_cache(&c, &m));
	TRY(slab_counters(&c, &m));
	TRY(si_mem_available(&c, &m));
	TRY(hstates(k, &m.hs));
	cached = (int64_t)m.file - (int64_t)m.swapcache - (int64_t)m.buffers;
	m.cached = mi->cached = cached < 0 ? 0 : (uint64_t)cached;

	TRY(show_ram(&c, &m));
	TRY(show_swap(&c, &m));
	TRY(show_page_states(&c, &m));
	TRY(show_commit(&c, &m));
	TRY(show_vmalloc_percpu(&c));
	TRY(show_config_lines(&c));
	show_hugetlb(&c, &m.hs);
	TRY(show_directmap(&c));
	mi->totalram = m.totalram;
	mi->freeram = m.freeram;
	mi->bufferram = m.buffers;
	mi->slab = m.srecl + m.sunrecl;
	mi->huge_total = m.hs.d_count * (m.hs.d_size >> k->pshift);
	mi->huge_free = m.hs.d_free_pages;
	mi->swap_total = m.swap_total;
	mi->swap_free = m.swap_free;
	mi->committed = (uint64_t)m.committed;
	return NULL;
}
