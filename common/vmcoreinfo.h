/* SPDX-License-Identifier: MIT */
/*
 * VMCOREINFO: the KEY=VALUE text the kernel leaves for dump tools
 * (kernel/vmcore_info.c).  Parsed once into a sorted key index.  The one
 * parser: the format readers' early look-ups (page size, phys_base, arch)
 * and the session use it alike.
 *
 * A key written twice: the last line wins.  The kernel only ever appends
 * to the note (vmcoreinfo_append_str()), so a later line is the later
 * state; drgn and makedumpfile read it the same way (docs/formats.md).
 *
 * Value encodings, as the kernel prints them:
 *   SYMBOL(x), KERNELOFFSET, phys addresses   hex without "0x"
 *   OFFSET/SIZE/LENGTH(x)                     decimal
 *   NUMBER(x)                                 signed decimal ("%ld"), but
 *                                             several arm64 NUMBERs are
 *                                             printed "0x..." → auto base
 */
#ifndef VD_COMMON_VMCOREINFO_H
#define VD_COMMON_VMCOREINFO_H

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
/*
 * One look-up in a text not kept parsed (the format readers): parses it,
 * decodes key's value like vd_vmcoreinfo_number().  false when text is
 * NULL, the key is missing or malformed, or memory runs out.
 */
bool vd_vmcoreinfo_text_number(const char *text, size_t len, const char *key,
			       uint64_t *ret);
/* Whether text has key (any value). */
bool vd_vmcoreinfo_text_has(const char *text, size_t len, const char *key);

#endif
