/* SPDX-License-Identifier: MIT */
/*
 * VMCOREINFO: the KEY=VALUE text the kernel leaves for dump tools
 * (kernel/vmcore_info.c).  Parsed once into a sorted key index.
 *
 * Value encodings, as the kernel prints them:
 *   SYMBOL(x), KERNELOFFSET, phys addresses   hex without "0x"
 *   OFFSET/SIZE/LENGTH(x)                     decimal
 *   NUMBER(x)                                 signed decimal ("%ld"), but
 *                                             several arm64 NUMBERs are
 *                                             printed "0x..." → auto base
 */
#ifndef VD_KERNEL_VMCOREINFO_H
#define VD_KERNEL_VMCOREINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmdive/error.h"

struct vd_vmcoreinfo_entry {
	const char *key;
	const char *value;
	size_t line;       /* position in the text: a later duplicate wins */
};

struct vd_vmcoreinfo {
	char *text;                        /* owned copy, split in place */
	struct vd_vmcoreinfo_entry *entries; /* sorted by key */
	size_t n;
};

struct vd_error *vd_vmcoreinfo_parse(const char *text, size_t len,
				     struct vd_vmcoreinfo *ret);
void vd_vmcoreinfo_deinit(struct vd_vmcoreinfo *vi);

/* The raw value string of key, or NULL. */
const char *vd_vmcoreinfo_get(const struct vd_vmcoreinfo *vi, const char *key);
/* The value decoded by the rules above; false if missing or malformed. */
bool vd_vmcoreinfo_number(const struct vd_vmcoreinfo *vi, const char *key,
			  uint64_t *ret);
/* Decode one value as it would be for key (exposed for tests). */
bool vd_vmcoreinfo_decode(const char *key, const char *value, uint64_t *ret);

#endif
