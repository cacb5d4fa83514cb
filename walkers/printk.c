// SPDX-License-Identifier: MIT
/*
 * The printk log of a dead kernel, from VMCOREINFO alone (no vmlinux).
 *
 * Two formats, told apart by what VMCOREINFO exports:
 *
 * - The lockless ring buffer (v5.10+, commit 896fbe20b4e2 "printk: use the
 *   lockless ringbuffer"): SYMBOL(prb) and the SIZE/OFFSET lines that
 *   log_buf_vmcoreinfo_setup() (kernel/printk/printk.c) writes for struct
 *   printk_ringbuffer, prb_desc_ring, prb_desc, prb_data_blk_lpos,
 *   printk_info, dev_printk_info, prb_data_ring and atomic_long_t.  The
 *   structures are in kernel/printk/printk_ringbuffer.h; how a reader finds
 *   a record's text is get_data() in kernel/printk/printk_ringbuffer.c,
 *   which printk_ring.c follows.
 * - struct printk_log records in log_buf (v3.5 to v5.9, commit 7ff9554bb578
 *   "printk: convert byte-buffer to variable-length record buffer"):
 *   SYMBOL(log_buf), SYMBOL(log_buf_len), SYMBOL(log_first_idx),
 *   SYMBOL(log_next_idx), SIZE(printk_log) and OFFSET(printk_log.*)
 *   (struct log before v3.11): printk_logbuf.c.
 *
 * This file: the iterator over either, and the boot time for -T.
 *
 * Every number read from the dump is checked before it sizes a read or a
 * loop; a bad record is reported once through next() and skipped.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "printk_priv.h"
#include "walk_priv.h"
#include "types/ctype_priv.h"
#include "vmdive/ctype.h"

/* Small readers ------------------------------------------------------------- */

uint64_t
vd_printk_get_ulong(const struct vd_printk_walk *w, const unsigned char *p,
		unsigned size)
{
	return size == 4 ? vd_get32(p, w->src.big_endian) :
			   vd_get64(p, w->src.big_endian);
}

struct vd_error *
vd_printk_read(const struct vd_printk_walk *w, uint64_t addr, void *buf, size_t len,
	   const char *what)
{
	size_t done = 0;
	struct vd_error *err = w->src.read(w->src.priv, addr, buf, len, &done);

	if (err)
		return vd_error_wrap(err, "reading %s (%zu bytes at 0x%" PRIx64 ")",
				     what, len, addr);
	return NULL;
}

struct vd_error *
vd_printk_read_ulong(const struct vd_printk_walk *w, uint64_t addr, unsigned size,
		 uint64_t *ret, const char *what)
{
	unsigned char buf[8];
	struct vd_error *err = vd_printk_read(w, addr, buf, size, what);

	if (!err)
		*ret = vd_printk_get_ulong(w, buf, size);
	return err;
}

/*
 * Load keys into a layout struct; *missing gets the groups that are not
 * complete.  Every value is a struct size or offset: bounded by VD_PRINTK_STRUCT_MAX.
 */
struct vd_error *
vd_printk_load_keys(const struct vd_printk_source *src, const struct vd_printk_key *keys,
		size_t n, void *layout, unsigned *missing)
{
	*missing = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t *v = (uint64_t *)((char *)layout + keys[i].off);

		if (!src->number(src->priv, keys[i].key, v)) {
			if (keys[i].group == VD_PRINTK_KEY_NEEDED)
				return vd_error_create(VD_ERR_LOOKUP,
						       "VMCOREINFO lacks %s", keys[i].key);
			*missing |= 1u << keys[i].group;
			*v = 0;
		} else if (*v > VD_PRINTK_STRUCT_MAX) {
			return vd_error_create(VD_ERR_CORRUPT,
					       "VMCOREINFO %s=%" PRIu64 " is absurd",
					       keys[i].key, *v);
		}
	}
	return NULL;
}

/* The iterator ------------------------------------------------------------------ */

struct vd_error *
vd_printk_iter_init_source(struct vd_printk_iter *it,
			   const struct vd_printk_source *src)
{
	struct vd_printk_walk *w;
	struct vd_error *err;
	uint64_t sym;

	memset(it, 0, sizeof(*it));
	w = calloc(1, sizeof(*w));
	if (!w)
		return &vd_enomem;
	it->w = w;
	w->src = *src;
	w->text = malloc(VD_PRINTK_TEXT_MAX + 1);
	w->rec.text = w->text;
	w->rec.subsystem = w->subsys;
	w->rec.device = w->device;
	if (!w->text) {
		err = &vd_enomem;
	} else if (src->number(src->priv, "SYMBOL(prb)", &sym)) {
		it->format = VD_PRINTK_LOCKLESS;
		it->seq_known = true;
		err = vd_printk_prb_init(w, sym);
	} else if (src->number(src->priv, "SYMBOL(log_buf)", &sym)) {
		it->format = VD_PRINTK_LOG_BUF;
		err = vd_printk_lb_init(it, sym);
	} else {
		err = vd_error_create(VD_ERR_LOOKUP,
				      "VMCOREINFO has neither SYMBOL(prb) nor SYMBOL(log_buf): no way to the printk log");
	}
	if (err)
		vd_printk_iter_deinit(it);
	return err;
}

struct vd_error *
vd_printk_iter_next(struct vd_printk_iter *it,
		    const struct vd_printk_record **ret)
{
	struct vd_printk_walk *w = it->w;
	struct vd_error *err;

	if (!w)
		return &vd_stop;
	if (w->pending) {
		err = vd_steal(&w->pending);
	} else {
		err = it->format == VD_PRINTK_LOCKLESS ? vd_printk_prb_next(it) : vd_printk_lb_next(it);
		if (!err)
			*ret = &w->rec;
	}
	return vd_walk_yield(err, &it->nrecords, &it->ncorrupt);
}

void
vd_printk_iter_deinit(struct vd_printk_iter *it)
{
	struct vd_printk_walk *w = it->w;

	if (!w)
		return;
	if (it->format == VD_PRINTK_LOCKLESS) {
		free(w->prb.descs.buf);
		free(w->prb.infos.buf);
	} else if (it->format == VD_PRINTK_LOG_BUF) {
		free(w->lb.dict);
	}
	vd_error_destroy(w->pending);
	free(w->text);
	free(w);
	it->w = NULL;
}

/* Boot time ---------------------------------------------------------------------- */

struct vd_error *
vd_printk_boot_time_source(const struct vd_printk_source *src, uint64_t wall,
			   int64_t *ret)
{
	const struct vd_printk_record *r;
	struct vd_printk_iter it;
	uint64_t last = 0, panic = 0, ts;
	bool any = false, have_panic = false;
	struct vd_error *err;

	err = vd_printk_iter_init_source(&it, src);
	if (err)
		return err;
	while ((err = vd_printk_iter_next(&it, &r)) != &vd_stop) {
		if (err) {
			vd_error_destroy(err);
			continue;
		}
		any = true;
		last = r->ts_nsec;
		// panic() logs this, then runs __crash_kexec() (where
		// CRASHTIME is taken) and stops the other CPUs.
		if (strstr(r->text, "Kernel panic - not syncing")) {
			have_panic = true;
			panic = r->ts_nsec;
		}
	}
	vd_printk_iter_deinit(&it);
	if (!any)
		return vd_error_create(VD_ERR_LOOKUP,
				       "no printk record to tie the wall clock to the time since boot");
	ts = (have_panic ? panic : last) / 1000000000u;
	if (wall < ts || wall > INT64_MAX)
		return vd_error_create(VD_ERR_CORRUPT,
				       "the wall clock in the dump (%" PRIu64 " s) is before the last record (%" PRIu64 " s after boot)",
				       wall, ts);
	*ret = (int64_t)(wall - ts);
	return NULL;
}

/* From a session ----------------------------------------------------------------- */

static struct vd_error *
session_read(void *priv, uint64_t addr, void *buf, size_t len, size_t *done)
{
	return vd_session_read(priv, VD_AS_KVIRT, addr, buf, len, done);
}

static bool
session_number(void *priv, const char *key, uint64_t *ret)
{
	return vd_session_number(priv, key, ret);
}

static bool
session_symbol(void *priv, const char *name, uint64_t *ret)
{
	return vd_session_symbol(priv, name, ret);
}

static void
source_of(struct vd_session *s, struct vd_printk_source *src)
{
	src->priv = s;
	src->read = session_read;
	src->number = session_number;
	src->symbol = session_symbol;
	src->big_endian = vd_session_info(s)->big_endian;
}

struct vd_error *
vd_printk_iter_init(struct vd_printk_iter *it, struct vd_session *s)
{
	struct vd_printk_source src;

	source_of(s, &src);
	return vd_printk_iter_init_source(it, &src);
}

/*
 * Where the timekeeper is (kernel/time/timekeeping.c).  Until v6.13 tk_core
 * is an anonymous struct { seqcount_raw_spinlock_t seq; struct timekeeper
 * timekeeper; ... }; v6.13 named its type struct tk_data (lore
 * 20241009-devel-anna-maria-b4-timers-ptp-timekeeping-v2-10, "Define struct
 * tk_data as explicit struct type for tk_core"); since the PTP-clock
 * timekeepers (2025) tk_core is a macro for timekeeper_data[0].  Without
 * the type name, struct timekeeper (u64s, nothing aligned more) starts at
 * the first multiple of 8 after seq.
 */
static struct vd_error *
timekeeper_offset(struct vd_session *s, const char *member, uint64_t *ret)
{
	struct vd_qualified_type t;
	uint64_t seq, off;
	struct vd_error *err;
	char path[96];

	err = vd_types_find_kernel(s, "struct tk_data", &t);
	if (!err) {
		snprintf(path, sizeof(path), "timekeeper.%s", member);
		return vd_type_offsetof(t.type, path, ret);
	}
	vd_error_destroy(err);
	err = vd_types_find_kernel(s, "seqcount_raw_spinlock_t", &t);
	if (err)
		return err;
	seq = t.type->size;
	err = vd_types_find_kernel(s, "struct timekeeper", &t);
	if (!err)
		err = vd_type_offsetof(t.type, member, &off);
	if (!err && (!seq || seq > 64))
		err = vd_error_create(VD_ERR_TYPE, "seqcount_raw_spinlock_t has size %" PRIu64, seq);
	if (!err)
		*ret = ((seq + 7) & ~7ull) + off;
	return err;
}

/* A u64 member of the timekeeper. */
static struct vd_error *
read_timekeeper(struct vd_session *s, const char *member, uint64_t *ret)
{
	uint64_t tk, off;
	struct vd_error *err;

	if (!vd_session_symbol(s, "tk_core", &tk) &&
	    !vd_session_symbol(s, "timekeeper_data", &tk))
		return vd_error_create(VD_ERR_LOOKUP, "no symbol tk_core");
	err = timekeeper_offset(s, member, &off);
	if (!err)
		err = vd_session_read_u64(s, VD_AS_KVIRT, tk + off, ret);
	return err;
}

struct vd_error *
vd_kernel_monotonic(struct vd_session *s, int64_t *ret)
{
	uint64_t xtime, w2m;
	struct vd_error *err;

	if ((err = read_timekeeper(s, "xtime_sec", &xtime)) ||
	    (err = read_timekeeper(s, "wall_to_monotonic.tv_sec", &w2m)))
		return err;
	*ret = (int64_t)(xtime + w2m);
	return NULL;
}

/* The timekeeper's wall clock: what crash's `sys` shows as DATE. */
static struct vd_error *
read_xtime(struct vd_session *s, uint64_t *ret)
{
	return read_timekeeper(s, "xtime_sec", ret);
}

struct vd_error *
vd_kernel_wall_clock(struct vd_session *s, int64_t *ret, const char **source_ret)
{
	struct vd_error *err;
	uint64_t wall;

	err = read_xtime(s, &wall);
	if (!err) {
		*ret = (int64_t)wall;
		if (source_ret)
			*source_ret = "tk_core.timekeeper.xtime_sec";
		return NULL;
	}
	if (vd_session_number(s, "CRASHTIME", &wall)) {
		vd_error_destroy(err);
		*ret = (int64_t)wall;
		if (source_ret)
			*source_ret = "CRASHTIME";
		return NULL;
	}
	return err;
}

struct vd_error *
vd_printk_boot_time(struct vd_session *s, int64_t *ret, const char **source_ret)
{
	struct vd_printk_source src;
	const char *source = "tk_core.timekeeper.xtime_sec";
	struct vd_error *err;
	uint64_t wall;

	source_of(s, &src);
	err = read_xtime(s, &wall);
	if (err) {
		if (!vd_session_number(s, "CRASHTIME", &wall)) {
			struct vd_error *why = err;

			err = vd_error_create(VD_ERR_LOOKUP,
					      "the dump tells no wall-clock time: VMCOREINFO has no CRASHTIME (only kexec crash kernels write it) and the timekeeper cannot be read (%s; types: %s)",
					      why->msg, vd_session_type_source(s));
			vd_error_destroy(why);
			return err;
		}
		vd_error_destroy(err);
		source = "CRASHTIME";
	}
	err = vd_printk_boot_time_source(&src, wall, ret);
	if (!err && source_ret)
		*source_ret = source;
	return err;
}
