/* SPDX-License-Identifier: MIT */
/*
 * x86_64 backend, private to arch/x86_64.c (page-table walk, entry flags,
 * bootstrap) and arch/x86_64_layout.c (randomized bases, layout table).
 *
 * Paging structures: Intel SDM Vol. 3A, 4.5 "4-Level Paging and 5-Level
 * Paging"; kernel layout: Documentation/arch/x86/x86_64/mm.rst.
 */
#ifndef VD_ARCH_X86_64_H
#define VD_ARCH_X86_64_H

#include <stdbool.h>
#include <stdint.h>

#include "arch.h"

/* __START_KERNEL_map: the kernel image maps PA = VA - this + phys_base. */
#define X86_64_START_KERNEL_MAP 0xffffffff80000000ULL

#define X86_64_PTRS 512u
#define X86_64_PAGE_SIZE 0x1000ULL
#define X86_64_PMD_SIZE (1ULL << 21)
#define X86_64_PUD_SIZE (1ULL << 30)
#define X86_64_TIB (1ULL << 40)

/* Entry bits (SDM Vol. 3A, 4.5: the entry-format tables). */
#define X86_64_PRESENT (1ULL << 0)
#define X86_64_PS (1ULL << 7)          /* PS at PUD/PMD, PAT at PTE */
#define X86_64_HUGE_PAT (1ULL << 12)   /* PAT of a 1 GiB / 2 MiB leaf */
/* Bits 12..51 hold the next table / page frame (MAXPHYADDR <= 52). */
#define X86_64_ADDR_MASK 0x000ffffffffff000ULL

/* One paging level, top to bottom. */
struct x86_64_level {
	const char *name;      /* "PMD", as crash and the kernel name it */
	const char *lname;     /* "pmd", for "pmd[3] = 0x0" */
	unsigned shift;        /* VA bits this level's entries cover */
	bool huge;             /* PS may make an entry a leaf here */
};

struct x86_64_xlat {
	struct vd_xlat base;   /* first: the dispatcher casts back to us */
	const struct x86_64_level *lv;
	unsigned levels;       /* 4 or 5 */
	unsigned va_bits;      /* 48 or 57 */
	uint64_t sme_mask;     /* AMD SME C-bit, stripped from entries */
	uint64_t addr_mask;    /* X86_64_ADDR_MASK & ~sme_mask */
	uint64_t table_limit;  /* page tables lie below this PA */
	uint64_t phys_base;    /* wraps: negative under KASLR */
	uint64_t kaslr_offset;
	uint64_t kernel_image_size;
	bool have_kis;         /* KERNEL_IMAGE_SIZE came from VMCOREINFO */
	struct vd_walk_cache wcache;   /* keyed by va >> 21 (2 MiB) */
};

static inline struct x86_64_xlat *
x86_64_of(struct vd_xlat *xlat)
{
	return (struct x86_64_xlat *)xlat;
}

/* Sign-extend from the top implemented VA bit (SDM Vol. 1, 3.3.7.1). */
static inline uint64_t
x86_64_sext(const struct x86_64_xlat *x, uint64_t va)
{
	unsigned s = 64 - x->va_bits;

	return (uint64_t)((int64_t)(va << s) >> s);
}

/* PA of a kernel-image VA (mm.rst: "kernel text mapping"); wraps. */
static inline bool
x86_64_ktext_pa(const struct x86_64_xlat *x, uint64_t va, uint64_t *pa)
{
	if (va < X86_64_START_KERNEL_MAP ||
	    va - X86_64_START_KERNEL_MAP >= x->kernel_image_size)
		return false;
	*pa = va - X86_64_START_KERNEL_MAP + x->phys_base;
	return true;
}

/* Read entry idx of the table at PA table (no error object: probe use). */
bool vd_x86_64_peek(struct x86_64_xlat *x, uint64_t table, unsigned idx,
		    uint64_t *ret);

/* arch/x86_64_layout.c: bases, layout table, params, linear ranges. */
void vd_x86_64_layout_init(struct x86_64_xlat *x);

#endif
