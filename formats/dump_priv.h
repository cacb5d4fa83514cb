/* SPDX-License-Identifier: MIT */
/*
 * Inside the physical-memory layer: the dump's state, shared by dump.c
 * (open, segments, page-by-page reads) and dump_scan.c (parallel scans).
 * Nothing here is public.
 */
#ifndef VD_FORMATS_DUMP_PRIV_H
#define VD_FORMATS_DUMP_PRIV_H

#include <stddef.h>

#include "format.h"

struct vd_page_cache;

struct vd_source {
	const struct vd_format_ops *ops;
	struct vd_file *file;
	void *priv;
};

struct vd_dump {
	struct vd_dump_info info;
	struct vd_dump_opts opts;
	struct vd_source *srcs;
	size_t nsrcs;
	struct vd_segment *segs;     /* sorted by start once open */
	size_t nsegs, segs_cap;
	struct vd_mem_range *ranges;
	struct vd_page_cache *cache;
	unsigned char *page_buf;     /* scratch page when the cache is absent */
};

/* The segment holding addr, or the first one after it (NULL if none). */
const struct vd_segment *vd_dump_find_segment(const struct vd_dump *dump,
					      uint64_t addr);

#endif
