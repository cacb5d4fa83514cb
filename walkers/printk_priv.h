/* SPDX-License-Identifier: MIT */
/*
 * Inside the printk walker (walkers/printk*.c): the state of a walk, the
 * helpers the two formats share, and each format's init/next.
 */
#ifndef VD_WALKERS_PRINTK_PRIV_H
#define VD_WALKERS_PRINTK_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/util.h"
#include "printk.h"
#include "vmdive/walk.h"

#define VD_PRINTK_TEXT_MAX 65535          /* text_len is a u16 in both formats */
#define VD_PRINTK_NAME_MAX_LEN 256        /* bound on LENGTH(printk_info_subsystem) etc. */
#define VD_PRINTK_WINDOW_BYTES (64 * 1024)
#define VD_PRINTK_STRUCT_MAX 4096         /* bound on the SIZE() of any struct here */
#define VD_PRINTK_FAIL_RUN_MAX 1024       /* errors in a row that end a walk */

/* Elements of a kernel array read a window at a time. */
struct vd_printk_window {
	uint64_t base;          /* kernel VA of element 0 */
	size_t esize;
	uint64_t count;
	uint64_t first, n;      /* elements [first, first + n) are in buf */
	unsigned char *buf;     /* VD_PRINTK_WINDOW_BYTES */
};

/* Offsets from VMCOREINFO; see prb_keys[] for where each comes from. */
struct vd_printk_prb_layout {
	uint64_t rb_size, desc_ring, text_ring;
	uint64_t count_bits, descs, infos, head_id, tail_id;
	uint64_t desc_size, state_var, blk_lpos, begin, next;
	uint64_t info_size, seq, ts_nsec, text_len, caller_id, dev_info;
	uint64_t subsys, device, subsys_len, device_len;
	uint64_t size_bits, data;
	uint64_t counter, ulong_size;
};

struct vd_printk_prb {
	struct vd_printk_prb_layout l;
	bool have_dev_info, have_level;
	uint64_t ulong_mask, id_mask, desc_mask;
	unsigned flags_shift;
	unsigned size_bits;
	uint64_t data_addr;
	uint64_t next_id, left;
	uint64_t fail_run;      /* elements in a row that gave an error */
	struct vd_printk_window descs, infos;
};

/* Offsets from VMCOREINFO; see log_members[]. */
struct vd_printk_lb_layout {
	uint64_t hdr, ts_nsec, len, text_len, dict_len, caller_id;
};

struct vd_printk_lb {
	struct vd_printk_lb_layout l;
	bool have_dict, have_caller, have_level;
	uint64_t buf, size;     /* log_buf and log_buf_len */
	uint64_t idx, next_idx; /* log_first_idx .. log_next_idx */
	bool wrapped, done;
	uint64_t seq, left;
	char *dict;             /* VD_PRINTK_TEXT_MAX + 1 */
};

struct vd_printk_walk {
	struct vd_printk_source src;
	struct vd_printk_record rec;
	struct vd_error *pending;       /* reported by the next next() */
	char *text;                     /* VD_PRINTK_TEXT_MAX + 1 */
	char subsys[VD_PRINTK_NAME_MAX_LEN + 1];
	char device[VD_PRINTK_NAME_MAX_LEN + 1];
	union {
		struct vd_printk_prb prb;
		struct vd_printk_lb lb;
	};
};

enum vd_printk_key_group {
	VD_PRINTK_KEY_NEEDED,             /* the walk cannot go without it */
	VD_PRINTK_KEY_DEV_INFO,           /* dev_printk_info: all or none (v5.10+) */
	VD_PRINTK_KEY_OPTIONAL,
	VD_PRINTK_KEY_DICT,               /* printk_log.dict_len */
	VD_PRINTK_KEY_CALLER,             /* printk_log.caller_id (CONFIG_PRINTK_CALLER) */
};

struct vd_printk_key {
	const char *key;
	size_t off;             /* in the layout struct */
	enum vd_printk_key_group group;
};

/* What one element of a walk gave. */
enum vd_printk_rec {
	VD_PRINTK_REC_OK,                 /* w->rec is a record */
	VD_PRINTK_REC_SKIP,               /* no record here (free or reserved slot) */
	VD_PRINTK_REC_LOST,               /* a record whose text the kernel lost */
};

uint64_t vd_printk_get_ulong(const struct vd_printk_walk *w, const unsigned char *p,
			 unsigned size);
struct vd_error *vd_printk_read(const struct vd_printk_walk *w, uint64_t addr,
			    void *buf, size_t len, const char *what);
struct vd_error *vd_printk_read_ulong(const struct vd_printk_walk *w, uint64_t addr,
				  unsigned size, uint64_t *ret, const char *what);
struct vd_error *vd_printk_load_keys(const struct vd_printk_source *src,
				 const struct vd_printk_key *keys, size_t n, void *layout,
				 unsigned *missing);

/* True when [off, off + width) lies inside a struct of size size. */
static inline bool
vd_printk_inside(uint64_t off, uint64_t width, uint64_t size)
{
	return vd_range_ok(off, width, size);
}

/* The lockless ring buffer (printk_ring.c). */
struct vd_error *vd_printk_prb_init(struct vd_printk_walk *w, uint64_t prb_sym);
struct vd_error *vd_printk_prb_next(struct vd_printk_iter *it);

/* The log_buf records (printk_logbuf.c). */
struct vd_error *vd_printk_lb_init(struct vd_printk_iter *it, uint64_t log_buf_sym);
struct vd_error *vd_printk_lb_next(struct vd_printk_iter *it);

#endif
