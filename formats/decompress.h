/* SPDX-License-Identifier: MIT */
/*
 * Whole-file compressed dumps: systemd-coredump stores cores as one zstd
 * frame, LZ4 frame or xz stream (coredump.conf(5) Compress=), and people
 * compress vmcores the same way.  Streams are not seekable, so vd_file_open()
 * decompresses such a file once, at open, into an unlinked temporary file
 * and maps that instead; readers never know.
 *
 * Where: an O_TMPFILE (else mkstemp + unlink) in $TMPDIR, default /tmp --
 * never next to the input, which may be read-only or shared.  When no
 * file can be created there, an anonymous memfd.  Either disappears when
 * the dump is closed (or vmdive dies).
 *
 * How much: the output is bounded so that a small file that decompresses
 * to terabytes cannot fill the disk or memory.  The limit is the smallest
 * of
 *   - the command line's --decompress-limit SIZE (vd_dump_opts), else
 *     VMDIVE_DECOMPRESS_LIMIT from the environment (bytes, with an
 *     optional K, M, G or T suffix), default VD_DECOMPRESS_MAX (64 GiB);
 *   - 7/8 of the space free in the temporary file's filesystem;
 *   - for a memfd, half of the machine's physical memory.
 * A frame that declares a larger content size is refused before any work;
 * otherwise decompression stops with an error when it reaches the limit.
 * And only dumps are decompressed: when the first 16 decompressed bytes
 * start no ELF, kdump or flattened file, it stops there.
 * All-zero blocks are not written (the temporary file is sparse), as the
 * kernel leaves holes for untouched pages in the core itself.
 */
#ifndef VD_FORMATS_DECOMPRESS_H
#define VD_FORMATS_DECOMPRESS_H

#include <stddef.h>
#include <stdint.h>

#include "vmdive/error.h"

#define VD_DECOMPRESS_MAX (64ull << 30)

/*
 * Look at a file's first bytes.  *name_ret = "zstd", "lz4" or "xz" for a
 * stream vmdive decompresses, NULL for anything else.  A compression
 * vmdive does not read (gzip, bzip2, legacy LZ4) is an error that says
 * which and what to run.
 */
struct vd_error *vd_decompress_probe(const char *path, const void *head,
				     size_t len, const char **name_ret);

struct vd_decompress_opts {
	uint64_t limit;          /* 0: VMDIVE_DECOMPRESS_LIMIT or the default */
	bool any_content;        /* decompress what is not a dump too (tests) */
	const char *tmpdir;      /* NULL: $TMPDIR, else /tmp */
};

/*
 * Decompress the in_size bytes of in_fd (a stream of kind name, from
 * vd_decompress_probe(); read with pread, the descriptor's offset is left
 * alone) into a new unlinked temporary file.  Returns its descriptor
 * (O_RDWR, close-on-exec; the caller closes it) and the decompressed
 * size.  Errors name path and, for a damaged stream, the compressed offset.
 */
struct vd_error *vd_decompress(const char *path, const char *name, int in_fd,
			       uint64_t in_size,
			       const struct vd_decompress_opts *opts,
			       int *fd_ret, uint64_t *size_ret);

#endif
