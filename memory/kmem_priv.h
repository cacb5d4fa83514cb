/* SPDX-License-Identifier: MIT */
/*
 * Inside memory/: member offsets looked up once per session (struct
 * kmem_field, bit fields included), reads of whole structs into buffers,
 * per-CPU offsets, and the page <-> pfn <-> direct-map arithmetic.
 */
#ifndef VD_MEMORY_KMEM_PRIV_H
#define VD_MEMORY_KMEM_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "vmdive/ctype.h"
#include "vmdive/memory.h"
#include "vmdive/session.h"
#include "vmdive/xlat.h"

#define KMEM_MAX_CPUS 8192
#define KMEM_MAX_NODES 1024
/* No slab holds more objects than objects:15 can count. */
#define KMEM_MAX_OBJECTS 32768
/* Longer partial lists than this are taken as corrupt (a loop is found
 * before: the walks keep the slabs seen). */
#define KMEM_MAX_PARTIAL (1u << 20)
/* No kernel has this many slab caches. */
#define KMEM_MAX_CACHES 1000000u

/* A member: byte offset and size, or a bit field within the struct. */
struct kmem_field {
	uint64_t off;             /* bytes; for a bit field, of its first byte */
	uint32_t size;            /* bytes of the member's type */
	uint32_t bit_shift;       /* bit field: bits past off */
	uint32_t bits;            /* bit field width, 0 for a plain member */
	bool present;
};

struct kmem_slab_layout {
	const char *tname;        /* "struct slab" (5.17+) or "struct page" */
	uint64_t tsize;
	struct kmem_field slab_cache, freelist, inuse, objects, frozen,
			  slab_list, next, counters;
};

struct kmem_cache_layout {
	uint64_t size_of;
	struct kmem_field name, object_size, size, offset, oo, random,
			  red_left_pad, cpu_slab, node, list, flags, objects, order;
	uint32_t node_len;        /* kmem_cache.node[] length */
	/* struct kmem_cache_cpu */
	uint64_t cpu_size_of;
	struct kmem_field c_freelist, c_slab, c_partial;
	/* struct kmem_cache_node */
	uint64_t n_size_of;
	struct kmem_field n_nr_partial, n_partial, n_nr_slabs, n_total_objects;
	/* SLUB's sheaves (6.18+; the only per-CPU layer once kmem_cache_cpu
	 * went, 7.0): kmem_cache.cpu_sheaves, struct slub_percpu_sheaves
	 * main/spare, struct slab_sheaf size/objects[]/barn_list, struct
	 * node_barn sheaves_full; the barn from kmem_cache.per_node[].barn
	 * (7.1+, beside .node) or kmem_cache_node.barn (6.18-7.0). */
	struct kmem_field cpu_sheaves, pcs_main, pcs_spare, sh_size, sh_objects,
			  sh_barn_list, barn_full, per_node, pn_barn, pn_node, n_barn;
	uint64_t pn_size_of;
};

struct kmem_page_layout {
	uint64_t size_of;
	struct kmem_field flags, refcount, mapcount, page_type, mapping, index,
			  private_, compound_head, compound_order, lru;
	bool compound_info;       /* compound_head is 7.x's compound_info */
	/* page->flags: PG_* names by bit; zone/node positions */
	const char *pgname[64];
	uint32_t nr_pageflags;
	int pg_head, pg_slab, pg_buddy_type;
	/* 6.12+ page types: the top byte of page_type (enum pagetype) */
	bool type_byte;
	/* before: PAGE_TYPE_BASE with cleared bits per type */
	uint32_t page_type_base;
	int64_t slab_mapcount, buddy_mapcount, offline_mapcount, table_mapcount,
		guard_mapcount, hugetlb_mapcount;
	bool have_slab_mapcount, have_buddy_mapcount;
	struct {
		const char *name;
		uint32_t value;
	} types[16];
	size_t ntypes;
	int node_shift, node_bits, zone_shift, zone_bits;
};

/* struct file -> path (memory/task.c). */
struct kmem_path_layout {
	bool ok;
	struct kmem_field f_path_mnt, f_path_dentry, d_parent, d_name, d_len, d_hash_pprev;
	struct kmem_field m_mnt, m_parent, m_mountpoint, vfs_root;
};

/* Swapped-out pages (memory/zram.c): looked up on first use. */
struct kmem_zram_layout {
	bool ok;
	struct vd_error *err;
	bool no_zram;                 /* no struct zram: zram is not loaded */
	/* swap_info_struct, block_device, gendisk */
	struct kmem_field si_bdev, gd_disk, gd_name, gd_private;
	/* struct zram (the zram module's types), zram_table_entry, zcomp */
	struct kmem_field z_table, z_pool, z_disk, z_disksize, z_compressor, z_comp_algs, z_comp,
			  zc_name, te_handle, te_flags;
	uint64_t te_size;
	uint32_t flag_shift;          /* ZRAM_FLAG_SHIFT: PAGE_SHIFT + 1 */
	int64_t f_same, f_wb, f_huge, f_prio;
	bool have_wb, have_huge, have_prio;
	struct vd_zs_layout zs;
	/* the swap cache: swapper_spaces[type][offset >> 14].i_pages */
	bool have_cache;
	uint64_t swapper_spaces, nr_swapper_spaces, as_size;
	struct kmem_field as_xa_head, xn_shift, xn_slots;
	uint32_t xn_nslots;
	/* or the swap table (6.18+): swap_info_struct.cluster_info[offset /
	 * cluster_nr].table[offset % cluster_nr]; tb_pfn: its words hold PFNs
	 * and counts (no swap_map), tb_zero_flag: and the zero flag */
	bool have_table, tb_pfn, tb_zero_flag;
	struct kmem_field si_max, si_cluster_info, ci_table;
	uint64_t ci_size;
	uint32_t cluster_nr;
	/* zero-filled pages kept as a bit, never written to the device (6.12+):
	 * swap_info_struct.zeromap or swap_cluster_info.zero_bitmap */
	struct kmem_field si_zeromap, ci_zero_bitmap;
	/* a folio's swap entry (folio.swap, or page.private before it) */
	struct kmem_field folio_swap;
};

/* Caches for vd_kmem_identify(), filled on first use. */
struct kmem_stack {
	uint64_t base, task;
	int32_t pid;
	char comm[17];
};
struct kmem_area {
	uint64_t start, end, caller;
	char flags[96];
};
struct kmem_modreg {
	uint64_t start, end;
	char module[64];
	char region[24];
};

struct vd_kmem {
	struct vd_session *s;
	struct vd_xlat *xlat;
	enum vd_arch arch;
	uint64_t psz;
	unsigned pshift;
	/* per-CPU */
	uint32_t ncpus;
	uint64_t *cpu_off;        /* __per_cpu_offset[cpu], ncpus entries */
	struct vd_error *percpu_err;   /* why there are none (ncpus 0), or NULL */
	bool *cpu_possible;
	/* pages */
	bool page_ok;
	struct vd_error *page_err;
	struct kmem_page_layout pl;
	uint64_t vmemmap, min_pfn, max_pfn;   /* pfns of the dump's memory: [min, max) */
	uint64_t dm_va, dm_pa, dm_pa_end;   /* direct map: VA = PA - dm_pa + dm_va */
	/* slab */
	bool slab_ok;
	struct vd_error *slab_err;
	struct kmem_slab_layout sl;
	struct kmem_cache_layout cl;
	uint32_t nr_node_ids;
	/* identify */
	bool id_ok;
	struct kmem_stack *stacks;
	size_t nstacks;
	uint64_t stack_size;
	struct kmem_area *areas;
	size_t nareas;
	struct kmem_modreg *modregs;
	size_t nmodregs;
	uint64_t pcpu_start, pcpu_size;   /* __per_cpu_start, the unit size */
	bool have_pcpu;
	struct kmem_path_layout path;
	struct kmem_zram_layout zr;
};

/* true when err is NULL; else destroys it (a read whose failure is an answer). */
static inline bool
vd_ok_destroy(struct vd_error *err)
{
	vd_error_destroy(err);
	return !err;
}

/* Type and member lookups. */
struct vd_error *vd_km_type(struct vd_kmem *k, const char *tname, const struct vd_type **ret);
void vd_km_field(const struct vd_type *t, const char *path, struct kmem_field *ret);
struct vd_error *vd_km_need(const struct vd_type *t, const char *tname, const char *path,
			   struct kmem_field *ret);
/* An enumerator's value from the types: false if unknown. */
bool vd_km_enum_value(struct vd_kmem *k, const char *enum_name, const char *name,
		     int64_t *ret);
/* A field's value out of a buffer holding the struct. */
uint64_t vd_km_get(const void *buf, size_t len, const struct kmem_field *f);

/* Reads (kernel virtual). */
struct vd_error *vd_km_read(struct vd_kmem *k, uint64_t addr, void *buf, size_t len);
struct vd_error *vd_km_u64(struct vd_kmem *k, uint64_t addr, uint64_t *ret);
struct vd_error *vd_km_uint(struct vd_kmem *k, uint64_t addr, uint32_t size, uint64_t *ret);
/* A symbol's address, or a VD_ERR_LOOKUP naming it. */
struct vd_error *vd_km_sym(struct vd_kmem *k, const char *name, uint64_t *ret);
/* The value of a symbol of size bytes. */
struct vd_error *vd_km_sym_uint(struct vd_kmem *k, const char *name, uint32_t size,
			       uint64_t *ret);
struct vd_error *vd_km_string(struct vd_kmem *k, uint64_t addr, char *buf, size_t size);

/* Pages: sets up on first use. */
struct vd_error *vd_km_pages_init(struct vd_kmem *k);
uint64_t vd_km_pa_to_dm(struct vd_kmem *k, uint64_t pa);
struct vd_error *vd_km_va_to_pa(struct vd_kmem *k, uint64_t va, uint64_t *ret);

/* Slab: sets up on first use. */
struct vd_error *vd_km_slab_init(struct vd_kmem *k);
/* Whether a page (head) is a slab page, from its flags/type. */
bool vd_km_page_is_slab(struct vd_kmem *k, const struct vd_page_info *pi);

/* The object of the slab page slab (a head page) that holds addr:
 * ret's cache, slab, object, object_index, obj_state, obj_cpu. */
struct vd_error *vd_km_slab_object(struct vd_kmem *k, uint64_t slab, uint64_t addr,
				  struct vd_kmem_addr *ret);

/* THREAD_SIZE (memory/identify.c). */
uint64_t vd_km_thread_size(struct vd_kmem *k);

bool vd_km_xlat_param(struct vd_kmem *k, const char *name, uint64_t *ret);

#endif
