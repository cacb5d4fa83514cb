/* SPDX-License-Identifier: MIT */
/*
 * A fake kernel for the targets that fuzz a walk through a session
 * (modules_vmap, slab_walk): written once as an ELF vmcore in a memfd,
 * mapped shared and writable, with one session (no cache) open on it for
 * the whole run.  Each input is XORed over some regions of its physical
 * memory (fz_overlay_xor: the dump reader maps the same pages, so it reads
 * the corrupt bytes) and XORed again to undo it; opening a session per
 * input would hold a campaign to tens of inputs a second.
 */
#ifndef VD_TESTS_FUZZ_OVERLAY_H
#define VD_TESTS_FUZZ_OVERLAY_H

#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "vmdive/session.h"

#include "../unit/fake_kernel.h"

struct fz_overlay {
	int fd;
	unsigned char *map;                  /* the vmcore, shared and writable */
	size_t size;
	const struct fake_region *regions;   /* what inputs are XORed over, in order */
	size_t nregions;
	unsigned char **at;                  /* each region's bytes in map */
	struct vd_session *s;
};

/* Where physical address pa lies in the vmcore (fake_write_vmcore's PT_LOADs). */
static unsigned char *
fz_overlay_file_at(const struct fz_overlay *o, uint64_t pa, uint64_t len)
{
	uint64_t phoff, off, paddr, filesz;
	uint16_t phnum;

	memcpy(&phoff, o->map + 32, 8);
	memcpy(&phnum, o->map + 56, 2);
	for (uint16_t i = 0; i < phnum; i++) {
		const unsigned char *ph = o->map + phoff + 56ull * i;
		uint32_t type;

		memcpy(&type, ph, 4);
		memcpy(&off, ph + 8, 8);
		memcpy(&paddr, ph + 24, 8);
		memcpy(&filesz, ph + 32, 8);
		if (type == 1 && pa >= paddr && pa + len <= paddr + filesz &&
		    off + (pa - paddr) + len <= o->size)
			return o->map + off + (pa - paddr);
	}
	return NULL;
}

/* Write f (freed) as the vmcore, map it and open the session; aborts on failure. */
static void
fz_overlay_open(struct fz_overlay *o, struct fake *f, const struct fake_region *regions,
		size_t nregions)
{
	struct vd_session_opts opts = { .no_cache = true };
	char path[64];
	const char *paths[1] = { path };
	struct stat st;

	o->fd = fz_file(NULL, 0, path);
	if (o->fd < 0 || !fake_write_vmcore(f, path) || fstat(o->fd, &st))
		abort();
	fake_free(f);
	o->size = (size_t)st.st_size;
	o->map = mmap(NULL, o->size, PROT_READ | PROT_WRITE, MAP_SHARED, o->fd, 0);
	o->regions = regions;
	o->nregions = nregions;
	o->at = calloc(nregions, sizeof(*o->at));
	if (o->map == MAP_FAILED || !o->at)
		abort();
	for (size_t r = 0; r < nregions; r++)
		if (!(o->at[r] = fz_overlay_file_at(o, regions[r].pa, regions[r].len)))
			abort();
	if (!fz_vd_ok(vd_session_open(paths, 1, &opts, &o->s)))
		abort();
}

/*
 * XOR data over the regions in order (again to undo it).  Not traced for
 * coverage: its per-byte compares were a third of the run time and tell
 * the fuzzer nothing.
 */
#ifdef __clang__
__attribute__((no_sanitize("coverage")))
#endif
static void
fz_overlay_xor(struct fz_overlay *o, const uint8_t *data, size_t size)
{
	for (size_t r = 0; r < o->nregions && size; r++) {
		size_t n = size < o->regions[r].len ? size : o->regions[r].len;

		for (size_t i = 0; i < n; i++)
			o->at[r][i] ^= data[i];
		data += n;
		size -= n;
	}
}

#endif
