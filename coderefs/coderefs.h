/* SPDX-License-Identifier: MIT */
/*
 * The addresses a function's machine code forms: where a kernel built
 * without CONFIG_KALLSYMS_ALL keeps the variables its text symbols use.
 * A pure decoder over bytes the caller read; what it returns are
 * candidates, each to be checked by the caller as the object it wants.
 */
#ifndef VD_CODEREFS_CODEREFS_H
#define VD_CODEREFS_CODEREFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vd_coderef {
	uint64_t addr;         /* an address the code forms or accesses */
	bool load64;           /* the code loads 8 bytes from it (a literal or GOT-like
				  slot holding a pointer: the pointer is a candidate too) */
};

/*
 * arm64 (A64, little-endian): the addresses formed from ADRP by ADD
 * (immediate) and by the immediate-offset forms of loads and stores
 * (single and pair, with base write-back), following the registers
 * through MOV, in one linear pass over
 * len bytes of code at address pc (branches are not followed; a call
 * forgets the caller-saved registers).  At most max are stored in out;
 * returns how many were stored.
 */
size_t vd_coderefs_aarch64(const unsigned char *code, size_t len, uint64_t pc,
			   struct vd_coderef *out, size_t max);

#endif
