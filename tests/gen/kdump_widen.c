// SPDX-License-Identifier: MIT
/*
 * kdump_widen: copy a kdump-compressed file as the dump of a machine with
 * more RAM address space (test and benchmark only).
 *
 *   kdump_widen MAX_MAPNR IN OUT
 *
 * The copy holds the same pages with the same content: the kernel, its
 * notes and its present pages are those of IN, but max_mapnr (and so the
 * two bitmaps) covers MAX_MAPNR PFNs, as makedumpfile writes for a machine
 * whose physical address space is that large and whose other pages are no
 * RAM.  The bitmap bytes past IN's are holes of a sparse file, so a
 * "16 TiB" copy of a 512 MiB guest costs a few megabytes of disk.
 *
 * Header, sub header and notes are copied; bitmap_blocks, max_mapnr (32
 * and 64 bits) and offset_eraseinfo are rewritten, and every page
 * descriptor's offset moves by the growth of the bitmaps (a descriptor
 * left zero by an incomplete dump stays zero).  IN must be a whole (not
 * split, not flattened) KDUMP file of version 6 or later.
 *
 * Layout: docs/formats.md; offsets written out here rather than taken from
 * formats/diskdump.h, so that a reader bug cannot hide in a shared header.
 * Exit 0 on success, 1 with a one-line error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define H_VERSION 8
#define H_BLOCK_SIZE 428
#define H_SUB_HDR_SIZE 432
#define H_BITMAP_BLOCKS 436
#define H_MAX_MAPNR 440
#define S_SPLIT 12
#define S_OFF_ERASE 64
#define S_SIZE_ERASE 72
#define S_MAX_MAPNR_64 96
#define DESC_SIZE 24

static const char *in_path;

static int
die(const char *what)
{
	fprintf(stderr, "kdump_widen: %s: %s\n", in_path, what);
	return 1;
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t
get64(const unsigned char *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

static void
put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> 8 * i);
}

static void
put64(unsigned char *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static bool
put_at(int fd, uint64_t off, const void *p, uint64_t len)
{
	const unsigned char *c = p;

	while (len) {
		ssize_t n = pwrite(fd, c, len > (1u << 30) ? 1u << 30 : (size_t)len,
				   (off_t)off);

		if (n <= 0)
			return false;
		c += n;
		off += (uint64_t)n;
		len -= (uint64_t)n;
	}
	return true;
}

int
main(int argc, char **argv)
{
	unsigned char *in, *head;
	struct stat st;
	uint64_t max_new, bs, sub, bb_old, half_old, half_new, desc_old, desc_new;
	uint64_t max_old, ndesc, delta, data_end, off_erase;
	int fd, out;
	bool ok;

	if (argc != 4) {
		fprintf(stderr, "usage: kdump_widen MAX_MAPNR IN OUT\n");
		return 2;
	}
	in_path = argv[2];
	max_new = strtoull(argv[1], NULL, 0);
	fd = open(argv[2], O_RDONLY);
	if (fd < 0 || fstat(fd, &st) || st.st_size < 8192)
		return die(fd < 0 ? strerror(errno) : "too small");
	in = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (in == MAP_FAILED)
		return die(strerror(errno));
	if (memcmp(in, "KDUMP   ", 8) || (int32_t)get32(in + H_VERSION) < 6)
		return die("not a little-endian KDUMP file of version 6 or later");
	bs = get32(in + H_BLOCK_SIZE);
	sub = get32(in + H_SUB_HDR_SIZE);
	bb_old = get32(in + H_BITMAP_BLOCKS);
	if (bs < 512 || bs > (1u << 20) || (bs & (bs - 1)) || !bb_old)
		return die("bad block size or bitmap size");
	if ((1 + sub + bb_old) * bs > (uint64_t)st.st_size)
		return die("bitmaps past the end");
	if (get32(in + bs + S_SPLIT))
		return die("a split part");
	max_old = get64(in + bs + S_MAX_MAPNR_64);
	if (max_new < max_old)
		return die("MAX_MAPNR is below the file's max_mapnr");
	half_old = bb_old / 2 * bs;
	half_new = (max_new + 8 * bs - 1) / (8 * bs) * bs;
	if (half_new < half_old)
		half_new = half_old;
	if (2 * half_new / bs > UINT32_MAX)
		return die("MAX_MAPNR needs more bitmap blocks than the header can say");
	desc_old = (1 + sub) * bs + 2 * half_old;
	desc_new = (1 + sub) * bs + 2 * half_new;
	delta = desc_new - desc_old;
	ndesc = 0;
	for (uint64_t i = 0; i < half_old; i++)
		ndesc += (uint64_t)__builtin_popcount(in[(1 + sub) * bs + half_old + i]);
	if (desc_old + ndesc * DESC_SIZE > (uint64_t)st.st_size)
		return die("descriptor table past the end");
	out = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (out < 0)
		return die(strerror(errno));
	// Header and sub header blocks (with the notes), patched.
	head = malloc((1 + sub) * bs);
	if (!head)
		return die("out of memory");
	memcpy(head, in, (1 + sub) * bs);
	put32(head + H_BITMAP_BLOCKS, (uint32_t)(2 * half_new / bs));
	put32(head + H_MAX_MAPNR, max_new > UINT32_MAX ? UINT32_MAX : (uint32_t)max_new);
	put64(head + bs + S_MAX_MAPNR_64, max_new);
	off_erase = get64(in + bs + S_OFF_ERASE);
	if (off_erase && get64(in + bs + S_SIZE_ERASE))
		put64(head + bs + S_OFF_ERASE, off_erase + delta);
	ok = put_at(out, 0, head, (1 + sub) * bs);
	free(head);
	// The old bitmaps at the start of the new ones; the rest are holes.
	ok = ok && put_at(out, (1 + sub) * bs, in + (1 + sub) * bs, half_old) &&
	     put_at(out, (1 + sub) * bs + half_new, in + (1 + sub) * bs + half_old,
		    half_old);
	// Descriptors, moved.
	for (uint64_t i = 0; ok && i < ndesc; i++) {
		unsigned char d[DESC_SIZE];
		uint64_t off;

		memcpy(d, in + desc_old + i * DESC_SIZE, DESC_SIZE);
		off = get64(d);
		if (off || get32(d + 8))
			put64(d, off + delta);
		ok = put_at(out, desc_new + i * DESC_SIZE, d, DESC_SIZE);
	}
	// Page data and eraseinfo: everything after the descriptors.
	data_end = desc_old + ndesc * DESC_SIZE;
	ok = ok && put_at(out, data_end + delta, in + data_end,
			  (uint64_t)st.st_size - data_end);
	ok = ok && ftruncate(out, (off_t)((uint64_t)st.st_size + delta)) == 0;
	ok = close(out) == 0 && ok;
	if (!ok)
		return die("write failed");
	return 0;
}
