/* SPDX-License-Identifier: MIT */
/*
 * dwarf/: C types from the DWARF of a vmlinux or a module's debug file,
 * as type sources of the type layer (types/ctype_priv.h).  It sits above
 * types/: it makes struct vd_type; types/ asks for the vmlinux's through
 * the session's kernel_dwarf_types hook, modules/ for a module's.
 */
#ifndef VD_DWARF_DWARF_SOURCE_H
#define VD_DWARF_DWARF_SOURCE_H

#include "types/ctype_priv.h"

struct vd_session;

/*
 * The vmlinux's DWARF (--vmlinux), with its name index kept in the
 * session's cache directory; &vd_noprobe without a vmlinux.
 */
struct vd_error *vd_dwarf_source_create(struct vd_session *s,
					struct vd_type_source **ret);
/* DWARF of an ELF file without a session (unit tests, tools), lazily indexed. */
struct vd_error *vd_dwarf_source_from_file(const char *path,
					   struct vd_type_source **ret);
/* A module's debug file (a .ko: relocated on reading); types name the module. */
struct vd_error *vd_dwarf_source_for_module(const char *path, const char *module,
					    struct vd_type_source **ret);

/*
 * Use (map, else build and keep) the persistent name index of src's file
 * in the cache directory dir (NULL: none, the lazy index only).  Returns
 * what happened, for --verbose output and tests (dwarf_priv.h).
 */
const char *vd_dwarf_source_use_cache(struct vd_type_source *src, const char *dir);

#endif
