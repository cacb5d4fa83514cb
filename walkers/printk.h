/* SPDX-License-Identifier: MIT */
/*
 * The printk walker's view of a dump, so that it can be tested on a
 * hand-built memory image: kernel-virtual reads, VMCOREINFO numbers, the
 * byte order.  vd_printk_iter_init() fills one from a session.
 */
#ifndef VD_WALKERS_PRINTK_H
#define VD_WALKERS_PRINTK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmdive/walk.h"

struct vd_printk_source {
	void *priv;
	/* Read len bytes at a kernel virtual address; *done = bytes read. */
	struct vd_error *(*read)(void *priv, uint64_t addr, void *buf,
				 size_t len, size_t *done);
	/* A VMCOREINFO value decoded as vd_vmcoreinfo_decode() does. */
	bool (*number)(void *priv, const char *key, uint64_t *ret);
	/* A kernel symbol's address from other sources (optional, may be NULL). */
	bool (*symbol)(void *priv, const char *name, uint64_t *ret);
	bool big_endian;
};

struct vd_error *vd_printk_iter_init_source(struct vd_printk_iter *it,
					    const struct vd_printk_source *src);
/* Boot time from a wall clock read at the crash (see vd_printk_boot_time()). */
struct vd_error *vd_printk_boot_time_source(const struct vd_printk_source *src,
					    uint64_t wall, int64_t *ret);

#endif
