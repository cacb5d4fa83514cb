/* SPDX-License-Identifier: MIT */
/*
 * Read-only access to one input file, bounds-checked.
 *
 * The file is mapped whole (PROT_READ, MAP_PRIVATE); nothing is read until a
 * reader asks.  Every access goes through vd_file_read()/vd_file_ptr(),
 * which check the range against the file's size and name the file, the
 * thing being read and the offset in their errors.
 *
 * A makedumpfile flattened file (flat.h) is remapped at open: size and
 * every offset readers pass are then those of the rearranged file.
 * vd_file_ptr() works only for ranges one record wrote (NULL otherwise);
 * vd_file_read() copies across records.
 *
 * A whole-file zstd, LZ4-frame or xz stream (decompress.h) is decompressed
 * at open into an unlinked temporary file, which is mapped instead: fd,
 * size and map are then the decompressed data's, and compression says so.
 */
#ifndef VD_FORMATS_FILE_H
#define VD_FORMATS_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "vmdive/error.h"

struct vd_flat;

struct vd_file {
	char *path;
	int fd;
	uint64_t size;               /* bytes readers can address */
	const unsigned char *map;    /* whole-file mapping, or NULL if empty */
	uint64_t map_size;
	struct vd_flat *flat;        /* flattened-format remap, or NULL */
	const char *compression;     /* "zstd", "lz4", "xz", or NULL */
	uint64_t compressed_size;    /* the input file's size when compressed */
};

/*
 * Open and map path.  Only regular files and block devices are read: a
 * FIFO, socket, character device or directory is refused before any read
 * (the open does not block on a FIFO without a writer).
 */
struct vd_error *vd_file_open(const char *path, struct vd_file **ret);
/* The same, decompressing at most decompress_limit bytes (0: default). */
struct vd_error *vd_file_open_limited(const char *path, uint64_t decompress_limit,
				      struct vd_file **ret);
/* "a directory", "a FIFO", ... for a st_mode. */
const char *vd_file_type_name(unsigned mode);
void vd_file_close(struct vd_file *file);

/* Copy [off, off + len) or fail with "PATH: truncated WHAT at 0x..". */
struct vd_error *vd_file_read(const struct vd_file *file, uint64_t off,
			      void *buf, size_t len, const char *what);

/*
 * Copy [off, off + len) like vd_file_read(), but with pread() instead of
 * through the mapping: the pages read do not stay in the process (bulk
 * reads such as a kdump's bitmaps keep memory bounded this way).
 */
struct vd_error *vd_file_pread(const struct vd_file *file, uint64_t off,
			       void *buf, size_t len, const char *what);

/*
 * The first offset >= off that may hold a non-zero byte (file->size when
 * none): holes of a sparse file and bytes no flattened record wrote read
 * as zeros and can be skipped.  Conservative: off when the file system
 * cannot say.
 */
uint64_t vd_file_next_data(const struct vd_file *file, uint64_t off);

/* A pointer to [off, off + len) of the file, or NULL when out of range. */
const void *vd_file_ptr(const struct vd_file *file, uint64_t off, size_t len);

/* Error helper: "PATH: WHAT at offset 0x..: MSG" with code VD_ERR_CORRUPT. */
struct vd_error *vd_file_corrupt(const struct vd_file *file, uint64_t off,
				 const char *fmt, ...)
	__attribute__((format(printf, 3, 4), returns_nonnull));

#endif
