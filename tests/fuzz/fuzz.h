/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the fuzz targets (tests/fuzz/fuzz_*.c).  Each target
 * defines LLVMFuzzerTestOneInput(); it is linked either with libFuzzer
 * (-DVMDIVE_FUZZ=ON, clang) or with replay.c, which feeds it the files
 * under tests/fuzz/regress/TARGET/ in the normal CTest suite.
 *
 * Targets never write to the disk: files are memfds opened by their
 * /proc/self/fd path, so the readers see a real path, size and mapping.
 */
#ifndef VD_TESTS_FUZZ_H
#define VD_TESTS_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmdive/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Errors are the expected outcome of most inputs: drop them. */
static inline void
fz_drop(struct vd_error *err)
{
	if (err && err != &vd_stop)
		vd_error_destroy(err);
}

/* True when err is no error; else drop it. */
static inline bool
fz_vd_ok(struct vd_error *err)
{
	fz_drop(err);
	return !err;
}

/* A memfd holding data; path gets "/proc/self/fd/N".  -1 on failure. */
static inline int
fz_file(const uint8_t *data, size_t size, char path[64])
{
	int fd = memfd_create("fuzz", MFD_CLOEXEC);
	size_t done = 0;

	if (fd < 0)
		return -1;
	while (done < size) {
		ssize_t w = write(fd, data + done, size - done);

		if (w <= 0) {
			close(fd);
			return -1;
		}
		done += (size_t)w;
	}
	snprintf(path, 64, "/proc/self/fd/%d", fd);
	return fd;
}

/*
 * Split an input in two at the first "\n--8<--\n" (the separator the
 * seed scripts write); without one, part two is empty.
 */
static inline void
fz_split(const uint8_t *data, size_t size, const uint8_t **a, size_t *na,
	 const uint8_t **b, size_t *nb)
{
	static const char sep[] = "\n--8<--\n";
	const uint8_t *p = size >= sizeof(sep) - 1 ?
			   memmem(data, size, sep, sizeof(sep) - 1) : NULL;

	*a = data;
	*na = p ? (size_t)(p - data) : size;
	*b = p ? p + sizeof(sep) - 1 : data + size;
	*nb = p ? size - *na - (sizeof(sep) - 1) : 0;
}

/* Little-endian words from the input, 0 past its end. */
static inline uint64_t
fz_u64(const uint8_t *data, size_t size, size_t off)
{
	uint64_t v = 0;

	if (off < size)
		memcpy(&v, data + off, size - off < 8 ? size - off : 8);
	return v;
}

#endif
