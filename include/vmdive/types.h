/* SPDX-License-Identifier: MIT */
/* Small vocabulary shared by every layer. */
#ifndef VMDIVE_TYPES_H
#define VMDIVE_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum vd_arch {
	VD_ARCH_UNKNOWN = 0,
	VD_ARCH_X86_64,
	VD_ARCH_AARCH64,
};

/* "x86_64", "aarch64", "unknown" */
const char *vd_arch_name(enum vd_arch arch);

/*
 * Parse an unsigned number as a user types it.  base 16 accepts an
 * optional "0x" ("ffffffff81000000", "0x1000"); base 0 is strtoull's
 * auto-detection ("4096", "0x1000", "010").  The whole string must be
 * consumed; signs, blanks and overflow are refused (false, *ret unchanged).
 */
bool vd_parse_u64(const char *s, int base, uint64_t *ret);
/* A size: bytes, or a number with K, M, G or T (powers of 1024); not 0
 * (--decompress-limit). */
bool vd_parse_size(const char *s, uint64_t *ret);

#ifdef __cplusplus
}
#endif
#endif
