/* SPDX-License-Identifier: MIT */
/*
 * Address translation: the arch layer.
 *
 * Pure: it never opens a file.  Everything it knows about the dump comes
 * through struct vd_xlat_cb: physical reads, numbers (VMCOREINFO keys and a
 * few CPU registers) and, optionally, symbol addresses.  One const ops table
 * per architecture (arch/x86_64.c, arch/aarch64.c) implements it; every arch
 * is built into every binary.
 */
#ifndef VMDIVE_XLAT_H
#define VMDIVE_XLAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmdive/dump.h"
#include "vmdive/error.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vd_xlat_cb {
	void *priv;
	/* Read an 8-byte value (in the dump's byte order) at paddr. */
	struct vd_error *(*read_phys64)(void *priv, uint64_t paddr,
					uint64_t *ret);
	/*
	 * A number the dump states.  Keys are VMCOREINFO keys verbatim
	 * ("NUMBER(phys_base)", "KERNELOFFSET", "SYMBOL(init_top_pgt)",
	 * "PAGESIZE", "NUMBER(VA_BITS)") with values decoded as the kernel
	 * prints them (SYMBOL/KERNELOFFSET hex, NUMBER signed decimal or 0x..,
	 * negatives wrapped to 64 bits), plus registers from the CPU notes:
	 * "cr3", "cr4" (x86_64 QEMU notes), "TTBR1_EL1" when known.
	 */
	bool (*number)(void *priv, const char *key, uint64_t *ret);
	/* Runtime (KASLR-adjusted) address of a kernel symbol; may be NULL. */
	bool (*symbol)(void *priv, const char *name, uint64_t *ret);
};

enum vd_region_kind {
	VD_REGION_USER,
	VD_REGION_HOLE,        /* non-canonical or guard hole */
	VD_REGION_DIRECTMAP,
	VD_REGION_VMALLOC,
	VD_REGION_VMEMMAP,
	VD_REGION_KTEXT,       /* kernel image */
	VD_REGION_MODULES,
	VD_REGION_FIXMAP,
	VD_REGION_OTHER,       /* ldt remap, cpu entry area, EFI, KASAN, ... */
};

/* One line of the memory layout, with this dump's real bases. */
struct vd_region {
	const char *name;      /* "direct map", "vmalloc/ioremap", ... */
	enum vd_region_kind kind;
	uint64_t start, end;   /* inclusive end, as the kernel docs write it */
	const char *source;    /* how the base was found: "vmcoreinfo",
				  "symbol", "page-table probe", "fixed" */
};

/* How a parameter reads best. */
enum vd_param_kind {
	VD_PARAM_ADDR,         /* an address or mask: hex */
	VD_PARAM_COUNT,        /* a count: decimal */
	VD_PARAM_SIGNED,       /* a signed offset: hex with a sign */
};

/* A named number for `info` ("levels" = 4, "phys_base" = ...). */
struct vd_xlat_param {
	const char *name;
	uint64_t value;
	enum vd_param_kind kind;
};

/* One level of a page-table walk. */
struct vd_xlat_step {
	const char *level;     /* the kernel's name: "PGD", "P4D", "PUD", "PMD", "PTE" */
	const char *hw_level;  /* the architecture's, where it has its own: arm64
				  "L-1".."L3" (Arm ARM lookup level); else NULL */
	uint8_t va_shift;      /* index = VA bits [va_shift + va_bits - 1 : va_shift] */
	uint8_t va_bits;
	uint64_t table;        /* physical address of the table */
	uint32_t index;        /* entry index in the table */
	uint64_t entry_addr;   /* physical address of the entry */
	uint64_t entry;        /* raw entry value */
	bool leaf;             /* maps memory (page or block), ends the walk */
};

struct vd_xlat_walk {
	uint64_t va;
	uint64_t root;         /* physical address of the root table */
	unsigned nsteps;
	struct vd_xlat_step steps[6];
	uint64_t pa;           /* valid when the walk succeeded */
	uint64_t page_size;    /* size of the mapping that holds va */
};

struct vd_xlat;

/*
 * Set up translation for a kernel of the given arch from what cb tells.
 * Needs at least the numbers that locate the kernel image and its root
 * page table (x86_64: NUMBER(phys_base), SYMBOL(init_top_pgt); arm64:
 * NUMBER(kimage_voffset), SYMBOL(swapper_pg_dir)).  cb is copied; its priv
 * must outlive the returned object.
 */
struct vd_error *vd_xlat_create(enum vd_arch arch, const struct vd_xlat_cb *cb,
				struct vd_xlat **ret);
void vd_xlat_destroy(struct vd_xlat *xlat);

/* Kernel VA -> PA through the kernel's page tables (fast path). */
struct vd_error *vd_xlat_translate(struct vd_xlat *xlat, uint64_t va,
				   uint64_t *pa_ret, uint64_t *page_size_ret);
/*
 * Walk one address from the given root (0 = the kernel's root table),
 * recording every level.  *ret is filled as far as the walk got, also on
 * failure (a non-present entry gives VD_ERR_NOTPRESENT naming the level).
 */
struct vd_error *vd_xlat_walk(struct vd_xlat *xlat, uint64_t root, uint64_t va,
			      struct vd_xlat_walk *ret);
/* Decoded flags of a step's entry, space-separated ("PRESENT RW NX"). */
void vd_xlat_entry_flags(const struct vd_xlat *xlat,
			 const struct vd_xlat_step *step, char *buf,
			 size_t size);

/* The layout table, in address order. */
size_t vd_xlat_layout(const struct vd_xlat *xlat,
		      const struct vd_region **ret);
/* The region holding va, or NULL. */
const struct vd_region *vd_xlat_region(const struct vd_xlat *xlat,
				       uint64_t va);
/* Parameters for `info`: levels, phys_base, KASLR offset, bases, ... */
size_t vd_xlat_params(const struct vd_xlat *xlat,
		      const struct vd_xlat_param **ret);

/*
 * Kernel VAs that map pa linearly (direct map, kernel image) and that the
 * page tables confirm; returns the count.
 */
size_t vd_xlat_ptov(struct vd_xlat *xlat, uint64_t pa,
		    uint64_t *vas_ret, const struct vd_region **regions_ret,
		    size_t max);

/* Whether va is canonical for this kernel's paging mode. */
bool vd_xlat_canonical(const struct vd_xlat *xlat, uint64_t va);

#ifdef __cplusplus
}
#endif
#endif
