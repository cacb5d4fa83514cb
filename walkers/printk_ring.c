// SPDX-License-Identifier: MIT
/*
 * The lockless printk ring buffer (v5.10+, commit 896fbe20b4e2 "printk: use
 * the lockless ringbuffer"), from VMCOREINFO: kernel/printk/printk_ringbuffer.h
 * has the structures, get_data() in printk_ringbuffer.c how a reader finds
 * a record's text; this file follows both.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "printk_priv.h"

/* Element i of an array, reading the window that starts there on a miss. */
static struct vd_error *
window_get(const struct vd_printk_walk *w, struct vd_printk_window *win,
	   uint64_t i, const unsigned char **ret)
{
	uint64_t n, addr = win->base + i * win->esize;
	size_t done = 0;
	struct vd_error *err;

	if (i >= win->first && i - win->first < win->n) {
		*ret = win->buf + (i - win->first) * win->esize;
		return NULL;
	}
	n = VD_MIN(win->count - i, VD_PRINTK_WINDOW_BYTES / win->esize);
	win->n = 0;
	err = w->src.read(w->src.priv, addr, win->buf, n * win->esize, &done);
	if (err && done < win->esize) {
		return vd_error_wrap(err, "reading element %" PRIu64
				     " at 0x%" PRIx64, i, addr);
	}
	// A fault further on: keep the elements read before it.
	vd_error_destroy(err);
	win->first = i;
	win->n = err ? done / win->esize : n;
	*ret = win->buf;
	return NULL;
}

#define L(f) offsetof(struct vd_printk_prb_layout, f)

/* log_buf_vmcoreinfo_setup() in kernel/printk/printk.c, v5.10+. */
static const struct vd_printk_key prb_keys[] = {
	{ "SIZE(printk_ringbuffer)", L(rb_size), VD_PRINTK_KEY_NEEDED },
	{ "OFFSET(printk_ringbuffer.desc_ring)", L(desc_ring), VD_PRINTK_KEY_NEEDED },
	{ "OFFSET(printk_ringbuffer.text_data_ring)", L(text_ring), VD_PRINTK_KEY_NEEDED },
	{ "OFFSET(prb_desc_ring.count_bits)", L(count_bits), VD_PRINTK_KEY_NEEDED },
	{ "OFFSET(prb_desc_ring.descs)", L(descs), VD_PRINTK_KEY_NEEDED },
	{ "OFFSET(prb_desc_ring.infos)", L(infos), VD_PRINTK_KEY_NEEDED },
	{ "OFFSET(prb_desc_ring.head_id)", L(head_id), VD_PRINTK_KEY_NEEDED },
	{ "OFFSET(prb_desc_ring.tail_id)", L(tail_id), VD_PRINTK_KEY_NEEDED },
	{ "SIZE(prb_desc)", L(desc_size), VD_PRINTK_KEY_NEEDED },
	{ "OFFSET(prb_desc.state_var)", L(state_var), VD_PRINTK_KEY_NEEDED },
	{ "OFFSET(prb_desc.text_blk_lpos)", L(blk_lpos), VD_PRINTK_KEY_NEEDED },
	{ "OFFSET(prb_data_blk_lpos.begin)", L(begin), VD_PRINTK_KEY_NEEDED },
	{ "OFFSET(prb_data_blk_lpos.next)", L(next), VD_PRINTK_KEY_NEEDED },
	{ "SIZE(printk_info)", L(info_size), VD_PRINTK_KEY_NEEDED },
	{ "OFFSET(printk_info.seq)", L(seq), VD_PRINTK_KEY_NEEDED },
	{ "OFFSET(printk_info.ts_nsec)", L(ts_nsec), VD_PRINTK_KEY_NEEDED },
	{ "OFFSET(printk_info.text_len)", L(text_len), VD_PRINTK_KEY_NEEDED },
	{ "OFFSET(printk_info.caller_id)", L(caller_id), VD_PRINTK_KEY_NEEDED },
	{ "OFFSET(printk_info.dev_info)", L(dev_info), VD_PRINTK_KEY_DEV_INFO },
	{ "OFFSET(dev_printk_info.subsystem)", L(subsys), VD_PRINTK_KEY_DEV_INFO },
	{ "OFFSET(dev_printk_info.device)", L(device), VD_PRINTK_KEY_DEV_INFO },
	{ "LENGTH(printk_info_subsystem)", L(subsys_len), VD_PRINTK_KEY_DEV_INFO },
	{ "LENGTH(printk_info_device)", L(device_len), VD_PRINTK_KEY_DEV_INFO },
	{ "OFFSET(prb_data_ring.size_bits)", L(size_bits), VD_PRINTK_KEY_NEEDED },
	{ "OFFSET(prb_data_ring.data)", L(data), VD_PRINTK_KEY_NEEDED },
	{ "OFFSET(atomic_long_t.counter)", L(counter), VD_PRINTK_KEY_NEEDED },
	{ "SIZE(atomic_long_t)", L(ulong_size), VD_PRINTK_KEY_OPTIONAL },
};

/* Every member the walk reads must lie inside its struct. */
static struct vd_error *
check_prb_layout(const struct vd_printk_prb_layout *l, bool have_dev)
{
	uint64_t u = l->ulong_size, ring = l->desc_ring, text = l->text_ring;
	bool ok;

	ok = (u == 4 || u == 8) && l->desc_size && l->info_size &&
	     vd_printk_inside(ring + l->count_bits, 4, l->rb_size) &&
	     vd_printk_inside(ring + l->descs, u, l->rb_size) &&
	     vd_printk_inside(ring + l->infos, u, l->rb_size) &&
	     vd_printk_inside(ring + l->head_id + l->counter, u, l->rb_size) &&
	     vd_printk_inside(ring + l->tail_id + l->counter, u, l->rb_size) &&
	     vd_printk_inside(text + l->size_bits, 4, l->rb_size) &&
	     vd_printk_inside(text + l->data, u, l->rb_size) &&
	     vd_printk_inside(l->state_var + l->counter, u, l->desc_size) &&
	     vd_printk_inside(l->blk_lpos + l->begin, u, l->desc_size) &&
	     vd_printk_inside(l->blk_lpos + l->next, u, l->desc_size) &&
	     vd_printk_inside(l->seq, 8, l->info_size) &&
	     vd_printk_inside(l->ts_nsec, 8, l->info_size) &&
	     vd_printk_inside(l->text_len, 2, l->info_size) &&
	     vd_printk_inside(l->caller_id, 4, l->info_size);
	if (ok && have_dev)
		ok = l->subsys_len <= VD_PRINTK_NAME_MAX_LEN &&
		     l->device_len <= VD_PRINTK_NAME_MAX_LEN &&
		     vd_printk_inside(l->dev_info + l->subsys, l->subsys_len, l->info_size) &&
		     vd_printk_inside(l->dev_info + l->device, l->device_len, l->info_size);
	if (!ok)
		return vd_error_create(VD_ERR_CORRUPT,
				       "VMCOREINFO's printk ring buffer layout is inconsistent (a member lies outside its struct)");
	return NULL;
}

/*
 * struct printk_info (kernel/printk/printk_ringbuffer.h, v5.10+):
 *	u64 seq; u64 ts_nsec; u16 text_len; u8 facility; u8 flags:5;
 *	u8 level:3; u32 caller_id; struct dev_printk_info dev_info;
 * VMCOREINFO exports no offset for facility and level: they are the two
 * bytes after text_len.  Trust that only when caller_id follows 4 bytes
 * after text_len, as in that definition; otherwise give no level at all.
 */
static void
prb_decode_level(const struct vd_printk_walk *w, const unsigned char *info,
		 struct vd_printk_record *r)
{
	const struct vd_printk_prb *p = &w->prb;
	unsigned char b;

	r->level = r->facility = -1;
	if (!p->have_level)
		return;
	r->facility = info[p->l.text_len + 2];
	b = info[p->l.text_len + 3];
	// GCC allocates bit-fields from the low bit on little-endian targets
	// and from the high bit on big-endian ones.
	r->level = w->src.big_endian ? b & 7 : b >> 5;
}

static void
copy_name(char *dst, const unsigned char *src, uint64_t len)
{
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* Fill w->rec from a printk_info element. */
static void
prb_decode_info(struct vd_printk_walk *w, const unsigned char *info)
{
	const struct vd_printk_prb_layout *l = &w->prb.l;
	struct vd_printk_record *r = &w->rec;
	bool be = w->src.big_endian;
	uint32_t caller = vd_get32(info + l->caller_id, be);

	r->seq = vd_get64(info + l->seq, be);
	r->ts_nsec = vd_get64(info + l->ts_nsec, be);
	r->text_len = vd_get16(info + l->text_len, be);
	// caller_id: bit 31 set = CPU number, else thread id
	// (printk_caller_id() in kernel/printk/printk.c).
	r->have_caller = true;
	r->caller_is_cpu = caller & 0x80000000u;
	r->caller = caller & 0x7fffffffu;
	prb_decode_level(w, info, r);
	w->subsys[0] = w->device[0] = '\0';
	if (w->prb.have_dev_info) {
		copy_name(w->subsys, info + l->dev_info + l->subsys, l->subsys_len);
		copy_name(w->device, info + l->dev_info + l->device, l->device_len);
	}
}

enum blk_kind { BLK_DATA, BLK_EMPTY, BLK_LOST, BLK_BAD };

/*
 * Where a text block's data is: get_data() in printk_ringbuffer.c.  lpos
 * values count bytes forever; index = lpos & (size - 1), wrap = lpos >>
 * size_bits.  Both begin and next odd: a data-less block (NO_LPOS 0x3
 * both: an empty line; else the data was lost, FAILED_LPOS 0x1).  A
 * regular block lies within one wrap; a wrapping block keeps its data at
 * index 0 (data_alloc() writes it there) and ends at index(next).  Each
 * block starts with the descriptor id (an unsigned long) before the text.
 * "Within one wrap" compares the wraps of begin and next - 1, which is
 * is_blk_wrapped() of later kernels; on older ones a block never ends
 * exactly at the end of the ring (get_next_lpos() wraps it), so both agree.
 */
static enum blk_kind
prb_block(const struct vd_printk_prb *p, uint64_t begin, uint64_t next,
	  uint64_t *off, uint64_t *size)
{
	uint64_t m = p->ulong_mask, ring = 1ull << p->size_bits;
	uint64_t u = p->l.ulong_size;

	if ((begin & 1) && (next & 1))
		return begin == 3 && next == 3 ? BLK_EMPTY : BLK_LOST;
	if ((begin >> p->size_bits) == (((next - 1) & m) >> p->size_bits) &&
	    ((next - begin) & m) - 1 < ring) {
		*off = begin & (ring - 1);
		*size = (next - begin) & m;
	} else if ((((begin + ring) & m) >> p->size_bits) ==
		   (((next - 1) & m) >> p->size_bits)) {
		*off = 0;
		*size = next & (ring - 1);
	} else {
		return BLK_BAD;
	}
	if ((begin | next) & (u - 1) || *size < u)
		return BLK_BAD;
	*off += u;
	*size -= u;
	return BLK_DATA;
}

/* The text of the record in w->rec from its block. */
static struct vd_error *
prb_text(struct vd_printk_walk *w, uint64_t id, uint64_t begin, uint64_t next,
	 enum vd_printk_rec *res)
{
	struct vd_printk_prb *p = &w->prb;
	struct vd_printk_record *r = &w->rec;
	uint64_t off = 0, size = 0;
	struct vd_error *err;

	switch (prb_block(p, begin, next, &off, &size)) {
	case BLK_LOST:
		// FAILED_LPOS: prb_read() gives -ENOENT and readers skip it.
		*res = VD_PRINTK_REC_LOST;
		return NULL;
	case BLK_EMPTY:
		r->dataless = true;
		size = 0;
		break;
	case BLK_BAD:
		return vd_error_create(VD_ERR_CORRUPT,
				       "printk record seq %" PRIu64 " (id 0x%" PRIx64 "): illegal text block begin 0x%" PRIx64 " next 0x%" PRIx64 "; skipped",
				       r->seq, id, begin, next);
	case BLK_DATA:
		break;
	}
	// The header may claim more than the block holds (a record
	// truncated by the writer): print what the block has.
	r->truncated = r->text_len > size;
	r->text_len = VD_MIN(r->text_len, size);
	w->text[r->text_len] = '\0';
	if (!r->text_len)
		return NULL;
	err = vd_printk_read(w, p->data_addr + off, w->text, r->text_len, "printk text");
	if (err)
		return vd_error_wrap(err, "printk record seq %" PRIu64 "; skipped",
				     r->seq);
	return NULL;
}

/*
 * One descriptor: prb_desc for the state and the text block, printk_info
 * for the rest.  Only committed or finalized descriptors whose state_var
 * carries this id hold a record (desc_read() in printk_ringbuffer.c);
 * others are skipped quietly: reserved by a writer, or already reused.
 */
static struct vd_error *
prb_record(struct vd_printk_walk *w, uint64_t id, enum vd_printk_rec *res)
{
	struct vd_printk_prb *p = &w->prb;
	const struct vd_printk_prb_layout *l = &p->l;
	uint64_t slot = id & p->desc_mask, sv, state, begin, next;
	const unsigned char *desc, *info;
	struct vd_error *err;

	*res = VD_PRINTK_REC_SKIP;
	err = window_get(w, &p->descs, slot, &desc);
	if (err)
		return vd_error_wrap(err, "printk descriptor id 0x%" PRIx64 "; skipped", id);
	sv = vd_printk_get_ulong(w, desc + l->state_var + l->counter, l->ulong_size);
	state = (sv >> p->flags_shift) & 3;
	// desc_committed 0x1, desc_finalized 0x2 (enum desc_state)
	if ((sv & p->id_mask) != id || (state != 1 && state != 2))
		return NULL;
	begin = vd_printk_get_ulong(w, desc + l->blk_lpos + l->begin, l->ulong_size);
	next = vd_printk_get_ulong(w, desc + l->blk_lpos + l->next, l->ulong_size);
	err = window_get(w, &p->infos, slot, &info);
	if (err)
		return vd_error_wrap(err, "printk_info of descriptor id 0x%" PRIx64 "; skipped", id);
	prb_decode_info(w, info);
	w->rec.id = id;
	// A slot's seq is always its index plus a multiple of the ring size
	// (prb_reserve() in printk_ringbuffer.c, and the bootstrap comment
	// in printk_ringbuffer.h).
	if ((w->rec.seq & p->desc_mask) != slot)
		return vd_error_create(VD_ERR_CORRUPT,
				       "printk descriptor id 0x%" PRIx64 " holds seq %" PRIu64 ", which belongs to another slot; skipped",
				       id, w->rec.seq);
	*res = VD_PRINTK_REC_OK;
	return prb_text(w, id, begin, next, res);
}

/* Read the ring's header and set up the walk from tail_id to head_id. */
static struct vd_error *
prb_header(struct vd_printk_walk *w, uint64_t rb_addr)
{
	struct vd_printk_prb *p = &w->prb;
	const struct vd_printk_prb_layout *l = &p->l;
	unsigned char rb[VD_PRINTK_STRUCT_MAX];
	unsigned u = l->ulong_size;
	uint64_t count_bits, head, tail, span;
	struct vd_error *err;

	err = vd_printk_read(w, rb_addr, rb, l->rb_size, "struct printk_ringbuffer");
	if (err)
		return err;
	count_bits = vd_get32(rb + l->desc_ring + l->count_bits, w->src.big_endian);
	p->size_bits = vd_get32(rb + l->text_ring + l->size_bits, w->src.big_endian);
	// The kernel's rings are far smaller (CONFIG_LOG_BUF_SHIFT <= 25,
	// log_buf_len= is limited to 2 GiB); anything larger is garbage.
	if (count_bits > 30 || p->size_bits > 31 || p->size_bits < 3)
		return vd_error_create(VD_ERR_CORRUPT,
				       "printk ring buffer at 0x%" PRIx64 ": count_bits %" PRIu64 ", size_bits %u are absurd",
				       rb_addr, count_bits, p->size_bits);
	p->desc_mask = (1ull << count_bits) - 1;
	p->descs.base = vd_printk_get_ulong(w, rb + l->desc_ring + l->descs, u);
	p->infos.base = vd_printk_get_ulong(w, rb + l->desc_ring + l->infos, u);
	p->data_addr = vd_printk_get_ulong(w, rb + l->text_ring + l->data, u);
	head = vd_printk_get_ulong(w, rb + l->desc_ring + l->head_id + l->counter, u);
	tail = vd_printk_get_ulong(w, rb + l->desc_ring + l->tail_id + l->counter, u);
	head &= p->id_mask;
	tail &= p->id_mask;
	span = ((head - tail) & p->id_mask) + 1;
	if (span > p->desc_mask + 1) {
		w->pending = vd_error_create(VD_ERR_CORRUPT,
					     "printk ring buffer: tail_id 0x%" PRIx64 " .. head_id 0x%" PRIx64 " spans more than its %" PRIu64 " descriptors; reading the newest",
					     tail, head, p->desc_mask + 1);
		span = p->desc_mask + 1;
		tail = (head - span + 1) & p->id_mask;
	}
	p->next_id = tail;
	p->left = span;
	return NULL;
}

/*
 * The first and last element of each array and byte of the text ring must
 * be readable: a wrong pointer or count (a damaged header) fails here
 * rather than as one error per descriptor.
 */
static struct vd_error *
prb_probe(const struct vd_printk_walk *w)
{
	const struct vd_printk_prb *p = &w->prb;
	const struct vd_printk_window *arrays[] = { &p->descs, &p->infos };
	static const char *const what[] = { "the prb_desc array", "the printk_info array" };
	uint64_t ring = 1ull << p->size_bits;
	unsigned char buf[VD_PRINTK_STRUCT_MAX];
	struct vd_error *err = NULL;

	for (size_t i = 0; !err && i < VD_ARRAY_SIZE(arrays); i++) {
		const struct vd_printk_window *a = arrays[i];

		err = vd_printk_read(w, a->base, buf, a->esize, what[i]);
		if (!err)
			err = vd_printk_read(w, a->base + (a->count - 1) * a->esize,
					 buf, a->esize, what[i]);
	}
	if (!err)
		err = vd_printk_read(w, p->data_addr, buf, 1, "the printk text ring");
	if (!err)
		err = vd_printk_read(w, p->data_addr + ring - 1, buf, 1, "the printk text ring");
	if (err)
		return vd_error_wrap(err, "printk ring buffer with %" PRIu64 " descriptors, %" PRIu64 " text bytes",
				     p->desc_mask + 1, ring);
	return NULL;
}

struct vd_error *
vd_printk_prb_init(struct vd_printk_walk *w, uint64_t prb_sym)
{
	struct vd_printk_prb *p = &w->prb;
	struct vd_printk_prb_layout *l = &p->l;
	unsigned missing;
	uint64_t rb_addr;
	struct vd_error *err;

	err = vd_printk_load_keys(&w->src, prb_keys, VD_ARRAY_SIZE(prb_keys), l, &missing);
	if (err)
		return vd_error_wrap(err, "printk ring buffer");
	if (!l->ulong_size)
		l->ulong_size = 8;
	p->have_dev_info = !(missing & (1u << VD_PRINTK_KEY_DEV_INFO));
	err = check_prb_layout(l, p->have_dev_info);
	if (err)
		return err;
	p->have_level = l->caller_id == l->text_len + 4;
	p->ulong_mask = l->ulong_size == 8 ? ~0ull : 0xffffffffull;
	// DESC_FLAGS_SHIFT, DESC_ID_MASK: the state is the top 2 bits of an
	// unsigned long, the id the rest (printk_ringbuffer.h).
	p->flags_shift = (unsigned)l->ulong_size * 8 - 2;
	p->id_mask = p->ulong_mask >> 2;
	// SYMBOL(prb) is the address of the pointer variable prb, which
	// points to printk_rb_static until setup_log_buf() switches it to
	// printk_rb_dynamic.
	err = vd_printk_read_ulong(w, prb_sym, (unsigned)l->ulong_size, &rb_addr, "prb");
	if (!err)
		err = prb_header(w, rb_addr);
	if (err)
		return err;
	p->descs.esize = l->desc_size;
	p->infos.esize = l->info_size;
	p->descs.count = p->infos.count = p->desc_mask + 1;
	p->descs.buf = malloc(VD_PRINTK_WINDOW_BYTES);
	p->infos.buf = malloc(VD_PRINTK_WINDOW_BYTES);
	if (!p->descs.buf || !p->infos.buf)
		return &vd_enomem;
	return prb_probe(w);
}

struct vd_error *
vd_printk_prb_next(struct vd_printk_iter *it)
{
	struct vd_printk_walk *w = it->w;
	struct vd_printk_prb *p = &w->prb;

	while (p->left) {
		enum vd_printk_rec res = VD_PRINTK_REC_SKIP;
		uint64_t id = p->next_id;
		struct vd_error *err;

		p->next_id = (id + 1) & p->id_mask;
		p->left--;
		w->rec.truncated = w->rec.dataless = false;
		err = prb_record(w, id, &res);
		if (err && ++p->fail_run == VD_PRINTK_FAIL_RUN_MAX) {
			p->left = 0;
			return vd_error_wrap(err, "giving up after %d damaged or unreadable descriptors in a row",
					     VD_PRINTK_FAIL_RUN_MAX);
		}
		if (err)
			return err;
		p->fail_run = 0;
		if (res == VD_PRINTK_REC_OK)
			return NULL;
		it->nlost += res == VD_PRINTK_REC_LOST;
	}
	return &vd_stop;
}

