/* SPDX-License-Identifier: MIT */
/*
 * A persistent cache of things decoded from a dump, one file per kind and
 * key (a kernel's build-id): "DIR/KIND-KEY.vdc".
 *
 * The directory is --cache-dir, else $VMDIVE_CACHE_DIR, else
 * $XDG_CACHE_HOME/vmdive, else ~/.cache/vmdive.  A file is written to a
 * temporary name and renamed into place (readers see the old file or the
 * new one, never half of one), and read by mmap.  Opening checks
 * everything before a byte is used: magic, byte order, layout, the kind,
 * the kind's format version, the key, the file size, every section's
 * bounds and alignment, and a checksum of the contents; any mismatch is a
 * miss (the caller rebuilds and rewrites), never an error.  Failing to
 * write (read-only or full directory) is not an error either: the caller
 * goes on without a cache.  Sections are 8-byte aligned in the file.
 *
 * Users: the kallsyms table, the BTF index and a compressed dump's BTF blob
 * (per kernel build-id, types/btf.c), the image scan's findings
 * (symbols/scan_image.c), the DWARF name index (dwarf/dwarf_names.c, per vmlinux or module debug file
 * build-id) and the vmlinux's symbol table (kernel/symtab_cache.c).
 */
#ifndef VD_COMMON_CACHE_H
#define VD_COMMON_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmdive/error.h"

#define VD_CACHE_KEY_MAX 80
#define VD_CACHE_KIND_MAX 16

struct vd_cache_section {
	uint32_t id;
	const void *data;
	size_t size;
};

#define VD_CACHE_BLOCK 4096

struct vd_cache_file {
	void *map;
	size_t size;
	const struct vd_cache_section_entry *secs;
	uint32_t nsecs;
	const uint64_t *blocks;      /* each block's checksum */
	size_t nblocks, data_off;
	unsigned char *checked;      /* per block: 0 not yet, 1 good, 2 damaged */
};

/*
 * The cache directory (malloc()ed): dir if given, else from the
 * environment as above; NULL when there is none (no HOME).
 */
char *vd_cache_dir(const char *dir);

/* The file's path for kind and key (malloc()ed; NULL on a bad key). */
char *vd_cache_path(const char *dir, const char *kind, const char *key);

/*
 * Open and check the file (see above); false on any miss.  why_ret (may
 * be NULL) says why, for tests and --verbose output.
 */
bool vd_cache_open(const char *dir, const char *kind, uint32_t version,
		   const char *key, struct vd_cache_file *ret, const char **why_ret);
/*
 * Section id's bytes, all checked, or NULL if the file has none or a
 * block of it is damaged (a miss: the caller rebuilds).
 */
const void *vd_cache_get(const struct vd_cache_file *f, uint32_t id, size_t *size_ret);
/*
 * Section id's bytes unchecked (NULL if none): for users that read a few
 * entries of a big section, each range checked with vd_cache_check()
 * before it is used.
 */
const void *vd_cache_section(const struct vd_cache_file *f, uint32_t id, size_t *size_ret);
/*
 * Whether [p, p + len) lies in the file's data and every block under it
 * matches its checksum (each block hashed once, the first time).  false:
 * damaged (or outside): nothing read from there may be used.
 */
bool vd_cache_check(const struct vd_cache_file *f, const void *p, size_t len);
void vd_cache_close(struct vd_cache_file *f);

/*
 * Write the sections atomically (temp file + rename), creating the
 * directory.  An error says why it was not written; callers that only
 * wanted speed destroy it and go on.
 */
struct vd_error *vd_cache_write(const char *dir, const char *kind, uint32_t version,
				const char *key, const struct vd_cache_section *secs,
				size_t nsecs);

/* The checksum used for the contents (exposed for tests). */
uint64_t vd_cache_checksum(const void *data, size_t len);

#endif
