/* SPDX-License-Identifier: MIT */
/*
 * The makedumpfile "flattened" format (makedumpfile -F, QEMU 7.2's
 * kdump-* outputs) as an offset remap under the readers.
 *
 * A flattened file is a 4096-byte header (signature "makedumpfile" padded
 * to 16 bytes, big-endian i64 type = 1 and version = 1) followed by
 * records {be i64 offset, be i64 size, size bytes} that belong at `offset`
 * of the rearranged file, and a terminator record (-1, -1)
 * (docs/formats.md).  Later records overwrite earlier ones:
 * makedumpfile and QEMU rewrite the dump header at the end.
 *
 * vd_flat_open() reads the record headers once and builds a sorted,
 * non-overlapping list of pieces (logical range -> physical offset) in
 * which every byte comes from the last record that wrote it.  Nothing is
 * copied; bytes no record wrote read as zeros, like the holes of the file
 * `makedumpfile -R` would write.
 */
#ifndef VD_FORMATS_FLAT_H
#define VD_FORMATS_FLAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmdive/error.h"

#define VD_FLAT_HEADER_SIZE 4096

struct vd_flat;
struct vd_dump;

/* True when map starts with a flattened header signature. */
bool vd_flat_detect(const unsigned char *map, uint64_t size);

/*
 * Build the remap of the flattened file mapped at map (size bytes).  map
 * is borrowed and must outlive the result; it must be a read-only
 * mapping of a file (the scan gives the pages it walked back to the
 * kernel).  path is used in messages.
 */
struct vd_error *vd_flat_open(const char *path, const unsigned char *map,
			      uint64_t size, struct vd_flat **ret);
void vd_flat_destroy(struct vd_flat *flat);

/* Size of the rearranged file: the end of the highest record. */
uint64_t vd_flat_size(const struct vd_flat *flat);
/* Data records in the file (the terminator not counted). */
size_t vd_flat_nrecords(const struct vd_flat *flat);
/* Pieces of the logical file after overlaps were resolved. */
size_t vd_flat_npieces(const struct vd_flat *flat);
/* Something wrong that did not stop the remap (or NULL). */
const char *vd_flat_warning(const struct vd_flat *flat);

/*
 * A pointer to logical [off, off + len) when those bytes were written by
 * one record (NULL otherwise: crossing pieces, a hole, or past the end).
 */
const void *vd_flat_ptr(const struct vd_flat *flat, uint64_t off, size_t len);

/* The first logical offset >= off that a record wrote (size if none). */
uint64_t vd_flat_next_data(const struct vd_flat *flat, uint64_t off);

/* Copy logical [off, off + len); the caller has checked the range. */
void vd_flat_read(const struct vd_flat *flat, uint64_t off, void *buf,
		  size_t len);

#endif
