/* SPDX-License-Identifier: MIT */
/*
 * What the dead kernel's memory was used for (memory/): the kernel's own
 * memory counters as /proc/meminfo prints them, the SLUB slab caches and
 * their objects, struct page, and what a kernel address is.
 *
 * Everything is read through the session's types (the kernel's BTF in the
 * dump, or a vmlinux's DWARF) and symbols (kallsyms, VMCOREINFO, or the
 * vmlinux); layouts are told apart by which members and symbols exist.
 * A struct vd_kmem caches what was looked up once (member offsets, enum
 * values, per-CPU offsets); it belongs to one session.
 */
#ifndef VMDIVE_MEMORY_H
#define VMDIVE_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmdive/error.h"
#include "vmdive/session.h"
#include "vmdive/types.h"
#include "vmdive/xlat.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vd_kmem;

struct vd_error *vd_kmem_open(struct vd_session *s, struct vd_kmem **ret);
void vd_kmem_close(struct vd_kmem *k);

/* Memory summary ------------------------------------------------------------ */

/* One /proc/meminfo line, in the kernel's order. */
struct vd_meminfo_line {
	const char *name;         /* "MemTotal", "HugePages_Total", ... */
	uint64_t value;           /* kB, or a count when !kb */
	bool kb;
};

#define VD_MEMINFO_MAX_LINES 80

struct vd_meminfo {
	uint64_t page_size;
	struct vd_meminfo_line lines[VD_MEMINFO_MAX_LINES];
	size_t nlines;
	/* In pages, for crash's `kmem -i` table. */
	uint64_t totalram, freeram, bufferram, cached, slab;
	uint64_t huge_total, huge_free;   /* small pages in huge pages */
	uint64_t swap_total, swap_free;
	uint64_t commit_limit, committed;
};

/*
 * What meminfo_proc_show() would have printed: vm_zone_stat[],
 * vm_node_stat[] (the global atomics, not folded per-CPU diffs, as the
 * kernel reads them), totalram_pages, totalreserve_pages and the zones'
 * low watermarks, nr_swap_pages/total_swap_pages, vm_committed_as, the
 * block devices' page cache, hstates[], nr_vmalloc_pages, percpu,
 * zswap and the arch's direct-map counters.  Lines the kernel prints
 * only under a config option are present when that option's symbol is.
 */
struct vd_error *vd_kmem_meminfo(struct vd_kmem *k, struct vd_meminfo *ret);
/* The value of a line by name; false when it is not there. */
bool vd_meminfo_get(const struct vd_meminfo *mi, const char *name, uint64_t *ret);

/* SLUB ------------------------------------------------------------------------ */

struct vd_slab_cache {
	uint64_t addr;            /* struct kmem_cache */
	char name[64];
	uint32_t object_size;     /* s->object_size: what callers asked for */
	uint32_t size;            /* s->size: the stride of objects */
	uint32_t offset;          /* s->offset: the free pointer in an object */
	uint32_t red_left_pad;
	uint32_t order, objects;  /* s->oo: slab order, objects per slab */
	uint64_t slab_size;       /* page size << order */
	uint64_t flags;           /* SLAB_* */
	bool hardened;            /* CONFIG_SLAB_FREELIST_HARDENED (s->random) */
	uint64_t random;
	/* Statistics, as crash's `kmem -s` counts them. */
	bool have_stats;
	uint64_t nr_slabs;        /* sum of the nodes' nr_slabs */
	uint64_t total_objects;   /* sum of the nodes' total_objects */
	uint64_t free_objects;    /* free on CPU slabs, CPU freelists, CPU and
				     node partial slabs */
	uint64_t allocated;       /* total_objects - free_objects */
	uint64_t cpu_slabs, cpu_partial_slabs, node_partial_slabs;
};

/* Every cache on slab_caches, in list order, with statistics; a cache
 * whose statistics could not be read has have_stats false and is reported
 * through err_cb (may be NULL; it owns the error). */
struct vd_error *vd_kmem_caches(struct vd_kmem *k, struct vd_slab_cache **ret,
				size_t *n,
				void (*err_cb)(void *priv, struct vd_error *err),
				void *priv);
/* One cache by name (VD_ERR_LOOKUP if none), with statistics. */
struct vd_error *vd_kmem_cache_find(struct vd_kmem *k, const char *name,
				    struct vd_slab_cache *ret);

enum vd_slab_where {
	VD_SLAB_CPU,              /* a CPU's active slab (c->slab / c->page) */
	VD_SLAB_CPU_PARTIAL,      /* on a CPU's partial list (c->partial) */
	VD_SLAB_NODE_PARTIAL,     /* on a node's partial list */
	VD_SLAB_OTHER,            /* on no list: a full slab found through the
				     objects of a sheaf (6.18+) */
};

enum vd_obj_state {
	VD_OBJ_ALLOCATED,
	VD_OBJ_FREE,              /* on the slab's freelist */
	VD_OBJ_FREE_CPU,          /* on a CPU's lockless freelist */
};

struct vd_slab {
	uint64_t slab;            /* struct slab (5.17+) or struct page */
	uint64_t base;            /* address of the first object */
	uint32_t objects, inuse;  /* the slab's counters */
	bool frozen;
	int node;
	enum vd_slab_where where;
	int cpu;                  /* VD_SLAB_CPU*: the CPU; else -1 */
	uint32_t nfree;           /* objects found free */
	/* state[i] of object i (at base + i * size); objects entries */
	const enum vd_obj_state *state;
	/* obj_cpu[i]: for VD_OBJ_FREE_CPU, the CPU whose lockless freelist
	 * or sheaf holds object i; NULL: all are cpu's */
	const int *obj_cpu;
};

/*
 * The slabs SLUB can find for a cache: each CPU's slab and partial list,
 * then each node's partial list, then (sheaves, 6.18+) the slabs on no
 * list that hold objects of the CPUs' sheaves or the barns' full sheaves,
 * with every object's state (an object in a sheaf is free).  cb returning
 * false stops the walk.  Errors about one slab are reported through
 * err_cb and the walk goes on.
 */
struct vd_error *vd_kmem_cache_slabs(struct vd_kmem *k, const struct vd_slab_cache *c,
				     bool (*cb)(void *priv, const struct vd_slab *slab),
				     void (*err_cb)(void *priv, struct vd_error *err),
				     void *priv);

/* Free-pointer decoding: CONFIG_SLAB_FREELIST_HARDENED stores
 * ptr ^ s->random ^ swab(address of the pointer). */
uint64_t vd_slab_freeptr_decode(bool hardened, uint64_t random, uint64_t stored,
				uint64_t ptr_addr);

/* One slab's freelist, read through a callback (also for tests). */
struct vd_freelist_walk {
	const char *cache;        /* for messages */
	uint64_t base;            /* first object */
	uint32_t objects, size, offset;
	bool hardened;
	uint64_t random;
	struct vd_error *(*read_ptr)(void *priv, uint64_t addr, uint64_t *ret);
	void *priv;
};
/*
 * Follow the freelist from first; every pointer must be an object of the
 * slab, none twice, at most objects of them.  Marks state[i] (objects
 * entries, may be NULL) with mark and counts them in *n.  A bad pointer,
 * a loop or an unreadable free pointer is VD_ERR_CORRUPT / the read's
 * error naming the cache and slab.
 */
struct vd_error *vd_slab_freelist(const struct vd_freelist_walk *w, uint64_t first,
				  enum vd_obj_state mark, enum vd_obj_state *state,
				  uint32_t *n);

/* Pages -------------------------------------------------------------------------- */

struct vd_page_info {
	uint64_t page;            /* struct page */
	uint64_t pfn, pa;
	uint64_t flags;           /* page->flags, PG_* bits only */
	uint64_t flags_raw;       /* with the zone/node/section bits */
	char flag_names[320];     /* "locked,referenced,lru,..." */
	int32_t refcount, mapcount;
	uint32_t page_type;       /* 6.12+: the page type byte (0 none) */
	const char *type_name;    /* "buddy", "slab", "offline", "table",
				     "guard", "hugetlb", ... or NULL */
	uint64_t mapping, index, private_;
	bool compound, head, tail;
	uint64_t head_page;       /* the head (itself when not a tail) */
	uint32_t order;           /* compound order, or the buddy order */
	int node, zone;           /* from flags, -1 when not known */
	uint64_t slab_cache;      /* slab pages: their kmem_cache, else 0 */
};

struct vd_error *vd_kmem_page_info(struct vd_kmem *k, uint64_t page,
				   struct vd_page_info *ret);
/* struct page of a pfn, and back; VD_ERR_INVALID_ARG outside the map. */
struct vd_error *vd_kmem_pfn_to_page(struct vd_kmem *k, uint64_t pfn, uint64_t *ret);
struct vd_error *vd_kmem_page_to_pfn(struct vd_kmem *k, uint64_t page, uint64_t *ret);
/* The pfns of the dump's memory: [min, max). */
uint64_t vd_kmem_min_pfn(struct vd_kmem *k);
uint64_t vd_kmem_max_pfn(struct vd_kmem *k);

/* What an address is ------------------------------------------------------------ */

enum vd_addr_kind {
	VD_ADDR_UNKNOWN,
	VD_ADDR_SLAB,             /* an object of a slab cache */
	VD_ADDR_PAGE,             /* memory of a page that is not slab */
	VD_ADDR_PAGE_STRUCT,      /* a struct page in the vmemmap */
	VD_ADDR_STACK,            /* a task's kernel stack */
	VD_ADDR_VMALLOC,          /* a vmalloc/vmap area */
	VD_ADDR_MODULE,           /* a module's memory */
	VD_ADDR_KERNEL,           /* the kernel image */
	VD_ADDR_PERCPU,           /* a CPU's per-CPU area */
};

struct vd_kmem_addr {
	uint64_t addr;
	enum vd_addr_kind kind;
	const char *region;       /* the layout region's name, or NULL */
	bool mapped;
	uint64_t pa;
	bool have_page;
	struct vd_page_info page; /* of the page that holds it (head page) */
	/* VD_ADDR_SLAB */
	struct vd_slab_cache cache;
	uint64_t slab, object;    /* struct slab, the object's start */
	uint32_t object_index;
	enum vd_obj_state obj_state;
	int obj_cpu;              /* VD_OBJ_FREE_CPU: whose freelist */
	/* VD_ADDR_STACK */
	uint64_t task;
	int32_t pid;
	char comm[17];
	uint64_t stack_base, stack_size;
	/* VD_ADDR_VMALLOC (also stacks that are vmalloc'ed) */
	uint64_t va_start, va_end, va_caller;
	char va_flags[96];
	/* VD_ADDR_MODULE */
	char module[64];
	const char *module_region;
	/* VD_ADDR_KERNEL */
	const char *section;      /* ".text", ".rodata", ".data", ".bss",
				     ".init", ".data..percpu", ... */
	/* VD_ADDR_PERCPU */
	int cpu;
	uint64_t percpu_offset;   /* from the CPU's area start */
	/* symbol, when one contains the address */
	bool have_symbol;
	char symbol[128];
	uint64_t symbol_offset;
};

struct vd_error *vd_kmem_identify(struct vd_kmem *k, uint64_t addr,
				  struct vd_kmem_addr *ret);

/* A process's memory ------------------------------------------------------------ */

struct vd_utask {
	uint64_t task, mm;
	int32_t pid, tgid;
	char comm[17];
	uint64_t pgd, pgd_pa;     /* mm->pgd and its physical address: the root */
	uint64_t start_code, end_code, start_data, end_data;
	uint64_t start_brk, brk, start_stack;
	uint64_t arg_start, arg_end, env_start, env_end;
	uint64_t saved_auxv;      /* address of mm->saved_auxv[] */
	uint32_t saved_auxv_len;  /* its entries (longs) */
	int32_t map_count;
};

/* The task with this pid (any thread); VD_ERR_LOOKUP if none,
 * VD_ERR_INVALID_ARG for a kernel thread (no mm). */
struct vd_error *vd_kmem_utask(struct vd_kmem *k, int32_t pid, struct vd_utask *ret);

/*
 * Read the process's memory at a user address through its own page
 * tables (mm->pgd); a swapped-out page is read as vd_kmem_swap_read()
 * does.  *done_ret: bytes read before a failure (a page not present,
 * swapped out to a disk, or not in the dump).
 */
struct vd_error *vd_kmem_uread(struct vd_kmem *k, const struct vd_utask *t, uint64_t uva,
			       void *buf, size_t len, size_t *done_ret);
/* The page-table walk of one user address from the task's root; a PTE
 * that holds a swap entry makes the error say which swap area and offset. */
struct vd_error *vd_kmem_uwalk(struct vd_kmem *k, const struct vd_utask *t, uint64_t uva,
			       struct vd_xlat_walk *ret);

/* A swap entry in a not-present PTE: the swap area (swap_info[type]) and
 * the page's offset in it. */
struct vd_swap_entry {
	uint32_t type;
	uint64_t offset;
	bool area_known;          /* swap_info[type] is in use and holds offset */
	char area[256];           /* its file or device ("/dev/zram0") */
};
bool vd_kmem_swap_entry(struct vd_kmem *k, uint64_t pte, struct vd_swap_entry *ret);
/* The decoding alone (also for tests): layout 0 is x86_64's and arm64's
 * before 6.10, layout 1 arm64's since.  False for a present or zero PTE. */
bool vd_swap_decode(enum vd_arch arch, unsigned layout, uint64_t pte, uint32_t *type,
		    uint64_t *offset);

/* Swapped-out pages: zram, zsmalloc ----------------------------------------- */

/* Where a swapped-out page was found. */
enum vd_swap_source {
	VD_SWAP_CACHE,            /* still in the swap cache: a page in memory */
	VD_SWAP_ZRAM,             /* a zsmalloc object, compressed */
	VD_SWAP_ZRAM_HUGE,        /* a zsmalloc object of a whole page, stored as
				     it was (incompressible, ZRAM_HUGE) */
	VD_SWAP_ZRAM_SAME,        /* zram kept only a word that fills the page
				     (ZRAM_SAME, or an empty slot: zeros) */
	VD_SWAP_ZERO,             /* a zero-filled page the kernel kept as one
				     bit (the swap area's zeromap, or the swap
				     table's zero flag) and wrote nowhere */
};

struct vd_swap_page {
	struct vd_swap_entry entry;
	enum vd_swap_source source;
	char device[32];          /* the zram disk's name, "zram0" */
	char alg[32];             /* its compressor, "lzo-rle" */
	uint64_t zram;            /* struct zram */
	uint64_t index;           /* the zram slot (= the swap offset) */
	uint64_t flags;           /* zram_table_entry.flags as stored */
	uint64_t handle;          /* zsmalloc handle, or the ZRAM_SAME word */
	uint32_t comp_len;        /* bytes stored (the page size when huge) */
	uint64_t page;            /* VD_SWAP_CACHE: its struct page */
	uint64_t pa;              /* VD_SWAP_CACHE: its physical address;
				     VD_SWAP_ZRAM*: where the object starts */
};

/*
 * The page of a swap entry: from the swap cache (swapper_spaces[type],
 * an xarray indexed by the offset; since 6.18 the swap table of the
 * offset's cluster) when it is still there, zeros when the kernel kept
 * the page as a zero bit, else, for a zram swap device, decompressed out
 * of the dump's zsmalloc memory.  page
 * gets the kernel's page size of bytes.  A swap area on a real disk or
 * file is VD_ERR_NODATA naming the area and offset; a page zram wrote back
 * to its backing device (ZRAM_WB) likewise.
 */
struct vd_error *vd_kmem_swap_read(struct vd_kmem *k, const struct vd_swap_entry *se,
				   void *page, struct vd_swap_page *ret);
/* Where the user page at uva is when its PTE holds a swap entry: ret as
 * vd_kmem_swap_read() fills it (page may be NULL: only where).  VD_ERR_INVALID_ARG
 * when the PTE is no swap entry. */
struct vd_error *vd_kmem_uswap(struct vd_kmem *k, const struct vd_utask *t, uint64_t uva,
			       void *page, struct vd_swap_page *ret);

/* "swapped: type T offset O (zram0, compressed N bytes, lzo-rle)", or where
 * else the page was (the swap cache, same-filled, stored uncompressed). */
void vd_swap_page_describe(const struct vd_swap_page *sp, char *buf, size_t size);

/* The pieces, pure, for tests and fuzzing. */

/* LZO1X (lzo, and lzo-rle's bitstream version 1): NULL on success with
 * *dst_len bytes out, else why (a constant string; *dst_len says how far). */
const char *vd_lzo1x_decompress(const void *src, size_t src_len, void *dst, size_t dst_cap,
				size_t *dst_len);
/* Decompress a zram page by the name of its algorithm (lzo, lzo-rle, lz4,
 * lz4hc, zstd); others are VD_ERR_NOTIMPL naming the algorithm. */
struct vd_error *vd_zram_decompress(const char *alg, const void *src, size_t len, void *dst,
				    size_t cap, size_t *ret);

/* A bit field (or a plain member: shift 0, bits 8 * size). */
struct vd_zs_bits {
	uint32_t off, shift, bits;   /* bits 0: absent */
};
struct vd_zs_layout {
	uint64_t page_size;
	uint64_t vmemmap, page_struct_size;   /* struct page of pfn p at vmemmap + p * size */
	uint64_t min_pfn, max_pfn;            /* the dump's memory: [min, max) */
	uint32_t page_zspage_off;             /* page->private / zpdesc->zspage */
	uint32_t page_next_off;               /* page->index / zpdesc->next */
	struct vd_zs_bits huge, class_, magic;   /* in struct zspage's first 16 bytes */
	uint32_t pool_class_off, nclasses;    /* zs_pool.size_class[] */
	uint32_t class_size_off;              /* size_class.size (an int) */
	unsigned pfn_bits[4], npfn_bits;      /* MAX_POSSIBLE_PHYSMEM_BITS candidates */
	/* Read kernel-virtual (phys false) or physical memory. */
	struct vd_error *(*read)(void *priv, bool phys, uint64_t addr, void *buf, size_t len);
	void *priv;
};
struct vd_zs_object {
	uint64_t handle, obj;
	uint64_t pfn, page, zspage;   /* where the object starts */
	uint32_t obj_idx, class_idx, class_size;
	uint32_t offset;              /* of the data in its (first) page */
	bool huge, spans, pfn2_only;  /* spans: continues (or, pfn2_only, lies
					 wholly) in page pfn2 */
	uint64_t pfn2;
};
/* Copy len bytes of the zsmalloc object behind handle in pool. */
struct vd_error *vd_zs_read(const struct vd_zs_layout *l, uint64_t pool, uint64_t handle,
			    void *buf, size_t len, struct vd_zs_object *ret);

struct vd_vma {
	uint64_t vma;             /* struct vm_area_struct */
	uint64_t start, end;      /* [start, end) */
	uint64_t flags;           /* vm_flags: VM_READ 1, VM_WRITE 2, VM_EXEC 4, VM_SHARED 8 */
	uint64_t pgoff;           /* in pages */
	uint64_t file;            /* struct file *, 0 for anonymous memory */
	char perms[5];            /* "r-xp" as /proc/PID/maps prints it */
	char path[512];           /* the file's path, or [heap], [stack], [vdso]... */
};

/*
 * The VMAs of a process in address order: from the maple tree
 * (mm->mm_mt, 6.1+) or the mm->mmap list before.  *ret is malloc'ed.
 */
struct vd_error *vd_kmem_vmas(struct vd_kmem *k, const struct vd_utask *t,
			      struct vd_vma **ret, size_t *n);

/* The path of a struct file (f_path through the dentries and mounts). */
struct vd_error *vd_kmem_file_path(struct vd_kmem *k, uint64_t file, char *buf, size_t size);

/* Open files: fd and struct file *, in fd order; cb returning false stops. */
struct vd_error *vd_kmem_files(struct vd_kmem *k, const struct vd_utask *t,
			       bool (*cb)(void *priv, int fd, uint64_t file), void *priv);

/* gcore: an ELF core of the process, readable by gdb. */
struct vd_gcore_stats {
	size_t nthreads, nvmas, nfiles, nauxv;
	uint64_t pages;           /* written from the dump */
	uint64_t missing_pages;   /* not present, swapped out to a disk, or not in the
				     dump: zeros (zram-swapped pages are read back) */
	uint64_t vdso_pages;      /* of pages, vDSO pages taken from the kernel's image */
};
struct vd_error *vd_kmem_gcore(struct vd_kmem *k, int32_t pid, const char *path,
			       struct vd_gcore_stats *ret);

/*
 * The maple tree walk (exposed for tests): every entry stored in the tree
 * whose root entry is root, in index order, read through read_node, which
 * copies the 256-byte node at a node address.  Only a node's used slots
 * are read (ma_data_end(): the metadata's end when the last pivot is 0, in
 * an arange_64 node always; the last slot only when the last pivot is
 * below the node's maximum); internal entries are skipped.  Bounded by
 * the tree's height and node count.
 */
struct vd_maple_walk {
	uint32_t slot_off64, nslots64;    /* maple_range_64 slots (range and leaf) */
	uint32_t pivot_off64, meta_end_off64;
	uint32_t slot_offa, nslotsa;      /* maple_arange_64 slots */
	uint32_t pivot_offa, meta_end_offa;
	struct vd_error *(*read_node)(void *priv, uint64_t node, void *buf, size_t len);
	void *priv;
	bool (*entry)(void *priv, uint64_t entry);
	void *entry_priv;
};
struct vd_error *vd_maple_walk(const struct vd_maple_walk *w, uint64_t root);

#ifdef __cplusplus
}
#endif
#endif
