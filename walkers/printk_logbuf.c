// SPDX-License-Identifier: MIT
/*
 * The printk log_buf of v3.5 to v5.9 (commit 7ff9554bb578 "printk: convert
 * byte-buffer to variable-length record buffer"): struct printk_log records
 * one after another in a byte ring, from VMCOREINFO.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "printk_priv.h"

/*
 * struct printk_log (kernel/printk/printk.c, v3.11 to v5.9; "struct log"
 * since v3.5):
 *	u64 ts_nsec; u16 len; u16 text_len; u16 dict_len; u8 facility;
 *	u8 flags:5; u8 level:3; [u32 caller_id;  CONFIG_PRINTK_CALLER, v5.1+]
 * followed by text_len bytes of text, dict_len bytes of "KEY=value\0..."
 * dictionary and padding; len is the whole record.  log_buf_vmcoreinfo_setup()
 * (log_buf_kexec_setup() in older kernels) exports the offsets below.
 */
#define LB(f) offsetof(struct vd_printk_lb_layout, f)

static const struct {
	const char *member;     /* NULL: SIZE() of the struct */
	size_t off;
	enum vd_printk_key_group group;
} log_members[] = {
	{ NULL, LB(hdr), VD_PRINTK_KEY_NEEDED },
	{ "ts_nsec", LB(ts_nsec), VD_PRINTK_KEY_NEEDED },
	{ "len", LB(len), VD_PRINTK_KEY_NEEDED },
	{ "text_len", LB(text_len), VD_PRINTK_KEY_NEEDED },
	{ "dict_len", LB(dict_len), VD_PRINTK_KEY_DICT },
	{ "caller_id", LB(caller_id), VD_PRINTK_KEY_CALLER },
};

/* The struct's VMCOREINFO name: printk_log since v3.11 (commit 62e32ac3505a), log before. */
static struct vd_error *
lb_load_layout(struct vd_printk_walk *w, unsigned *missing)
{
	static const char *const names[] = { "printk_log", "log" };
	struct vd_printk_key keys[VD_ARRAY_SIZE(log_members)];
	char buf[VD_ARRAY_SIZE(log_members)][64];
	struct vd_error *err = NULL;

	for (size_t n = 0; n < VD_ARRAY_SIZE(names); n++) {
		for (size_t i = 0; i < VD_ARRAY_SIZE(keys); i++) {
			const char *m = log_members[i].member;

			if (m)
				snprintf(buf[i], sizeof(buf[i]), "OFFSET(%s.%s)", names[n], m);
			else
				snprintf(buf[i], sizeof(buf[i]), "SIZE(%s)", names[n]);
			keys[i].key = buf[i];
			keys[i].off = log_members[i].off;
			keys[i].group = log_members[i].group;
		}
		vd_error_destroy(err);
		err = vd_printk_load_keys(&w->src, keys, VD_ARRAY_SIZE(keys), &w->lb.l, missing);
		if (!err || err->code != VD_ERR_LOOKUP)
			return err;
	}
	return err;
}

static struct vd_error *
lb_check_layout(struct vd_printk_lb *b, unsigned missing)
{
	const struct vd_printk_lb_layout *l = &b->l;

	b->have_dict = !(missing & (1u << VD_PRINTK_KEY_DICT));
	b->have_caller = !(missing & (1u << VD_PRINTK_KEY_CALLER));
	if (!vd_printk_inside(l->ts_nsec, 8, l->hdr) || !vd_printk_inside(l->len, 2, l->hdr) ||
	    !vd_printk_inside(l->text_len, 2, l->hdr) ||
	    (b->have_dict && !vd_printk_inside(l->dict_len, 2, l->hdr)) ||
	    (b->have_caller && !vd_printk_inside(l->caller_id, 4, l->hdr)))
		return vd_error_create(VD_ERR_CORRUPT,
				       "VMCOREINFO's struct printk_log layout is inconsistent (a member lies outside the struct)");
	// facility and level are the two bytes after dict_len; trust that
	// only when the exported offsets match the definition above.
	b->have_level = b->have_dict && l->text_len == l->len + 2 &&
			l->dict_len == l->text_len + 2 &&
			(b->have_caller ? l->caller_id == l->dict_len + 4 :
					  l->dict_len + 4 <= l->hdr);
	return NULL;
}

static struct vd_error *
read_u32_at(const struct vd_printk_walk *w, uint64_t addr, uint64_t *ret,
	    const char *what)
{
	unsigned char buf[4];
	struct vd_error *err = vd_printk_read(w, addr, buf, 4, what);

	if (!err)
		*ret = vd_get32(buf, w->src.big_endian);
	return err;
}

/* log_buf (a pointer), log_buf_len, log_first_idx, log_next_idx: all u32 but the first. */
static struct vd_error *
lb_read_vars(struct vd_printk_walk *w, uint64_t log_buf_sym)
{
	static const char *const keys[] = { "SYMBOL(log_buf_len)",
					    "SYMBOL(log_first_idx)",
					    "SYMBOL(log_next_idx)" };
	struct vd_printk_lb *b = &w->lb;
	uint64_t *vals[] = { &b->size, &b->idx, &b->next_idx };
	struct vd_error *err;

	err = vd_printk_read_ulong(w, log_buf_sym, 8, &b->buf, "log_buf");
	for (size_t i = 0; !err && i < VD_ARRAY_SIZE(keys); i++) {
		uint64_t addr;

		if (!w->src.number(w->src.priv, keys[i], &addr))
			return vd_error_create(VD_ERR_LOOKUP, "VMCOREINFO lacks %s", keys[i]);
		err = read_u32_at(w, addr, vals[i], keys[i]);
	}
	if (err)
		return err;
	// log_buf_len is a power of two, at most 2 GiB (log_buf_len_update()).
	if (b->size < b->l.hdr || b->size > (1ull << 31) || b->idx >= b->size ||
	    b->next_idx >= b->size)
		return vd_error_create(VD_ERR_CORRUPT,
				       "log_buf: length %" PRIu64 ", first index %" PRIu64 ", next index %" PRIu64 " are inconsistent",
				       b->size, b->idx, b->next_idx);
	return NULL;
}

struct vd_error *
vd_printk_lb_init(struct vd_printk_iter *it, uint64_t log_buf_sym)
{
	struct vd_printk_walk *w = it->w;
	struct vd_printk_lb *b = &w->lb;
	uint64_t addr;
	unsigned missing;
	struct vd_error *err;

	err = lb_load_layout(w, &missing);
	if (!err)
		err = lb_check_layout(b, missing);
	if (!err)
		err = lb_read_vars(w, log_buf_sym);
	if (err)
		return vd_error_wrap(err, "printk log_buf");
	// log_first_seq is not in VMCOREINFO: only with other symbols.
	b->seq = 0;
	if (w->src.symbol && w->src.symbol(w->src.priv, "log_first_seq", &addr)) {
		// Unreadable: the sequence numbers stay unknown, as without it.
		err = vd_printk_read_ulong(w, addr, 8, &b->seq, "log_first_seq");
		if (err) {
			vd_error_destroy(err);
			b->seq = 0;
		} else {
			it->seq_known = true;
		}
	}
	// Every record is at least a header long.
	b->left = b->size / b->l.hdr + 2;
	b->dict = malloc(VD_PRINTK_TEXT_MAX + 1);
	return b->dict ? NULL : &vd_enomem;
}

/* dev_printk()'s dictionary: "SUBSYSTEM=pci\0DEVICE=+pci:0000:00:01.0". */
static void
lb_parse_dict(struct vd_printk_walk *w, size_t len)
{
	const char *p = w->lb.dict, *end = p + len;

	w->lb.dict[len] = '\0';
	while (p < end) {
		size_t n = strlen(p);

		if (!strncmp(p, "SUBSYSTEM=", 10))
			snprintf(w->subsys, sizeof(w->subsys), "%s", p + 10);
		else if (!strncmp(p, "DEVICE=", 7))
			snprintf(w->device, sizeof(w->device), "%s", p + 7);
		p += n + 1;
	}
}

static void
lb_decode(struct vd_printk_walk *w, const unsigned char *hdr)
{
	const struct vd_printk_lb *b = &w->lb;
	struct vd_printk_record *r = &w->rec;
	bool be = w->src.big_endian;

	r->ts_nsec = vd_get64(hdr + b->l.ts_nsec, be);
	r->level = r->facility = -1;
	if (b->have_level) {
		unsigned char lv = hdr[b->l.dict_len + 3];

		r->facility = hdr[b->l.dict_len + 2];
		r->level = be ? lv & 7 : lv >> 5;
	}
	r->have_caller = b->have_caller;
	r->caller_is_cpu = false;
	r->caller = 0;
	if (b->have_caller) {
		uint32_t c = vd_get32(hdr + b->l.caller_id, be);

		r->caller_is_cpu = c & 0x80000000u;
		r->caller = c & 0x7fffffffu;
	}
}

/* The record at b->idx, or the wrap marker before it. */
static struct vd_error *
lb_record(struct vd_printk_walk *w, enum vd_printk_rec *res)
{
	struct vd_printk_lb *b = &w->lb;
	struct vd_printk_record *r = &w->rec;
	unsigned char hdr[VD_PRINTK_STRUCT_MAX];
	uint64_t len, dict_len = 0, addr = b->buf + b->idx;
	struct vd_error *err;

	if (!vd_range_ok(b->idx, b->l.hdr, b->size))
		return vd_error_create(VD_ERR_CORRUPT,
				       "log_buf: a record header at offset %" PRIu64 " runs past its end (%" PRIu64 " bytes)",
				       b->idx, b->size);
	err = vd_printk_read(w, addr, hdr, b->l.hdr, "struct printk_log");
	if (err)
		return err;
	len = vd_get16(hdr + b->l.len, w->src.big_endian);
	if (!len) {
		// log_next(): a zero length marks the end; go on at offset 0.
		*res = VD_PRINTK_REC_SKIP;
		if (b->wrapped)
			return vd_error_create(VD_ERR_CORRUPT,
					       "log_buf: a second wrap marker at offset %" PRIu64, b->idx);
		b->wrapped = true;
		b->idx = 0;
		return NULL;
	}
	r->text_len = vd_get16(hdr + b->l.text_len, w->src.big_endian);
	if (b->have_dict)
		dict_len = vd_get16(hdr + b->l.dict_len, w->src.big_endian);
	if (len < b->l.hdr + r->text_len + dict_len || !vd_range_ok(b->idx, len, b->size))
		return vd_error_create(VD_ERR_CORRUPT,
				       "log_buf: the record at offset %" PRIu64 " claims %" PRIu64 " bytes (text %zu, dictionary %" PRIu64 ")",
				       b->idx, len, r->text_len, dict_len);
	err = vd_printk_read(w, addr + b->l.hdr, w->text, r->text_len, "printk text");
	if (!err && dict_len)
		err = vd_printk_read(w, addr + b->l.hdr + r->text_len, b->dict, dict_len,
			       "printk dictionary");
	if (err)
		return err;
	w->text[r->text_len] = '\0';
	w->subsys[0] = w->device[0] = '\0';
	lb_parse_dict(w, dict_len);
	lb_decode(w, hdr);
	r->id = b->idx;
	r->seq = b->seq++;
	b->idx += len;
	*res = VD_PRINTK_REC_OK;
	return NULL;
}

/*
 * A record's length chains to the next, so after a bad one there is no way
 * on: report it and end the walk.
 */
struct vd_error *
vd_printk_lb_next(struct vd_printk_iter *it)
{
	struct vd_printk_lb *b = &it->w->lb;

	while (!b->done && b->idx != b->next_idx) {
		enum vd_printk_rec res = VD_PRINTK_REC_SKIP;
		struct vd_error *err;

		if (!b->left--) {
			b->done = true;
			return vd_error_create(VD_ERR_CORRUPT,
					       "log_buf: records do not lead from log_first_idx to log_next_idx");
		}
		err = lb_record(it->w, &res);
		if (err) {
			b->done = true;
			return vd_error_wrap(err, "printk log_buf");
		}
		if (res == VD_PRINTK_REC_OK)
			return NULL;
	}
	b->done = true;
	return &vd_stop;
}

