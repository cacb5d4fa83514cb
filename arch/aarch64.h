/* SPDX-License-Identifier: MIT */
/*
 * arm64 backend, private to arch/aarch64.c (bootstrap, descriptor walk,
 * flags) and arch/aarch64_layout.c (layout table, params, linear ranges).
 *
 * Translation tables: Arm ARM (DDI 0487) D8 "The AArch64 Virtual Memory
 * System Architecture": D8.2 (translation table walk, levels -1..3 and the
 * index bits per granule), D8.3 (descriptor formats: table, block, page;
 * the 52-bit output address encodings of FEAT_LPA and FEAT_LPA2), D8.4
 * (attributes).  Kernel layout: Documentation/arch/arm64/memory.rst and
 * arch/arm64/include/asm/memory.h.
 */
#ifndef VD_ARCH_AARCH64_H
#define VD_ARCH_AARCH64_H

#include <stdbool.h>
#include <stdint.h>

#include "arch.h"

/* Descriptor bits[1:0] (Arm ARM D8.3.1). */
#define AARCH64_DESC_VALID (1ULL << 0)
#define AARCH64_DESC_TYPE_MASK 3ULL
#define AARCH64_DESC_BLOCK 1ULL    /* levels 0..2 where allowed; reserved at 3 */
#define AARCH64_DESC_TABLE 3ULL    /* levels -1..2; a page at level 3 */
/* Output address bits [47:page_shift] (D8.3.1, "OA"). */
#define AARCH64_OA_HI 0x0000ffffffffffffULL
/* FEAT_LPA, 64K granule: OA[51:48] in descriptor bits [15:12] (D8.3.1). */
#define AARCH64_LPA_SHIFT 12
/* FEAT_LPA2 (TCR_ELx.DS = 1): OA[51:50] in bits [9:8], OA[49:48] in [49:48]. */
#define AARCH64_LPA2_OA_MASK 0x0003ffffffffffffULL
#define AARCH64_LPA2_HI_SHIFT 8
/* The contiguous hint, bit 52 (D8.6.1): same translation, a TLB hint. */
#define AARCH64_CONT (1ULL << 52)

#define AARCH64_MAX_LEVELS 5

/* One lookup level, top to bottom. */
struct aarch64_level {
	const char *name;      /* the kernel's: "PGD", "P4D", "PUD", "PMD", "PTE" */
	const char *lname;     /* "pmd", for "pmd[3] = 0x0" */
	const char *hw_name;   /* "L-1".."L3" */
	int arm_level;         /* the Arm ARM's lookup level, -1..3 */
	unsigned shift;        /* VA bits one entry covers */
	unsigned bits;         /* index bits (the top level may have fewer) */
	bool block;            /* a block descriptor is allowed here */
};

struct aarch64_xlat {
	struct vd_xlat base;   /* first: the dispatcher casts back to us */
	struct aarch64_level lv[AARCH64_MAX_LEVELS];
	unsigned levels;
	unsigned page_shift;
	uint64_t page_size;
	unsigned va_bits;      /* NUMBER(VA_BITS): the configured maximum */
	unsigned va_bits_rt;   /* 64 - TCR_EL1_T1SZ: the running kernel's */
	unsigned walk_bits;    /* what swapper_pg_dir is walked as */
	unsigned pa_bits;      /* 48 or 52 */
	bool lpa;              /* 64K: OA[51:48] in bits [15:12] */
	bool lpa2;             /* 4K/16K, 52-bit: OA[51:50] in bits [9:8] */
	uint64_t table_limit;  /* tables and pages lie below this PA */
	uint64_t kimage_voffset;
	uint64_t phys_offset;
	bool have_phys_offset;
	uint64_t kaslr_offset;
	uint64_t pacmask;      /* NUMBER(KERNELPACMASK) */
	uint64_t stext;        /* SYMBOL(_stext), 0 if unknown */
	struct vd_walk_cache wcache;   /* keyed by aarch64_cache_tag() */
};

static inline struct aarch64_xlat *
aarch64_of(struct vd_xlat *xlat)
{
	return (struct aarch64_xlat *)xlat;
}

/* Whether va is in the TTBR1 (kernel) half: bits [63:va_bits] all ones. */
static inline bool
aarch64_is_kernel(const struct aarch64_xlat *x, uint64_t va)
{
	return (va >> x->va_bits_rt) == (UINT64_MAX >> x->va_bits_rt);
}

bool vd_aarch64_num(const struct aarch64_xlat *x, const char *key, uint64_t *ret);
bool vd_aarch64_peek(struct aarch64_xlat *x, uint64_t pa, uint64_t *ret);
/* The output address (or next-table address) held in descriptor e. */
uint64_t vd_aarch64_desc_oa(const struct aarch64_xlat *x, uint64_t e);

/* arch/aarch64_layout.c: layout table, params, linear ranges. */
void vd_aarch64_layout_init(struct aarch64_xlat *x);

#endif
