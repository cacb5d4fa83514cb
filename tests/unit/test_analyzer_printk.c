// SPDX-License-Identifier: MIT
/*
 * The printk walker on hand-built memory images: a lockless ring buffer laid
 * out as Linux 6.1 x86_64 lays it out (the VMCOREINFO numbers are those of
 * a real Debian 6.1 dump), with every kind of descriptor a reader meets --
 * regular, multi-line, data-less, truncated, wrapping around the end of the
 * text ring across the 2^64 lpos overflow, lost, reserved, reused, and
 * damaged ones -- in both byte orders; and the older log_buf records
 * (struct printk_log), for which no real dump is at hand: the records are
 * written here from the kernel's definition, not read from a kernel.
 */
#include <stdlib.h>
#include <string.h>

#include "walkers/printk.h"
#include "common/util.h"
#include "harness.h"

/* A memory image: regions of kernel VA, a hole, and VMCOREINFO keys. */
struct region {
	uint64_t base;
	size_t size;
	unsigned char *bytes;
};

struct img {
	struct region r[8];
	size_t n;
	uint64_t hole_lo, hole_hi;      /* unreadable [lo, hi) */
	bool be;
	struct {
		char key[64];
		uint64_t v;
		bool present;
	} keys[64];
	size_t nkeys;
	uint64_t first_seq_sym;         /* "log_first_seq" for ->symbol */
};

static unsigned char *
img_map(struct img *m, uint64_t base, size_t size)
{
	struct region *r = &m->r[m->n++];

	r->base = base;
	r->size = size;
	r->bytes = calloc(1, size);
	return r->bytes;
}

static void
img_free(struct img *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->r[i].bytes);
}

static unsigned char *
img_ptr(struct img *m, uint64_t addr)
{
	for (size_t i = 0; i < m->n; i++)
		if (addr >= m->r[i].base && addr - m->r[i].base < m->r[i].size)
			return m->r[i].bytes + (addr - m->r[i].base);
	return NULL;
}

static void
img_set(struct img *m, const char *key, uint64_t v)
{
	size_t i;

	for (i = 0; i < m->nkeys && strcmp(m->keys[i].key, key); i++)
		;
	if (i == m->nkeys)
		snprintf(m->keys[m->nkeys++].key, sizeof(m->keys[0].key), "%s", key);
	m->keys[i].v = v;
	m->keys[i].present = true;
}

static void
img_unset(struct img *m, const char *key)
{
	for (size_t i = 0; i < m->nkeys; i++)
		if (!strcmp(m->keys[i].key, key))
			m->keys[i].present = false;
}

static struct vd_error *
img_read(void *priv, uint64_t addr, void *buf, size_t len, size_t *done)
{
	struct img *m = priv;

	for (*done = 0; *done < len; (*done)++) {
		uint64_t a = addr + *done;
		unsigned char *p = img_ptr(m, a);

		if (!p || (a >= m->hole_lo && a < m->hole_hi))
			return vd_error_fault(VD_ERR_FAULT, VD_AS_KVIRT, a,
					      "0x%llx is not in the image",
					      (unsigned long long)a);
		((unsigned char *)buf)[*done] = *p;
	}
	return NULL;
}

static bool
img_number(void *priv, const char *key, uint64_t *ret)
{
	struct img *m = priv;

	for (size_t i = 0; i < m->nkeys; i++) {
		if (m->keys[i].present && !strcmp(m->keys[i].key, key)) {
			*ret = m->keys[i].v;
			return true;
		}
	}
	return false;
}

static bool
img_symbol(void *priv, const char *name, uint64_t *ret)
{
	struct img *m = priv;

	if (strcmp(name, "log_first_seq") || !m->first_seq_sym)
		return false;
	*ret = m->first_seq_sym;
	return true;
}

static struct vd_printk_source
img_source(struct img *m)
{
	return (struct vd_printk_source){ .priv = m, .read = img_read,
					  .number = img_number,
					  .symbol = img_symbol,
					  .big_endian = m->be };
}

static void
put16(struct img *m, uint64_t a, uint16_t v)
{
	unsigned char *p = img_ptr(m, a);

	p[m->be ? 0 : 1] = (unsigned char)(v >> 8);
	p[m->be ? 1 : 0] = (unsigned char)v;
}

static void
put32(struct img *m, uint64_t a, uint32_t v)
{
	vd_put32(img_ptr(m, a), v, m->be);
}

static void
put64(struct img *m, uint64_t a, uint64_t v)
{
	vd_put64(img_ptr(m, a), v, m->be);
}

/* The lockless ring ------------------------------------------------------------ */

#define PRB      0xffffffff82000000ull   /* struct printk_ringbuffer */
#define PRB_PTR  0xffffffff82001000ull   /* the variable prb */
#define DESCS    0xffffffff82002000ull
#define INFOS    0xffffffff82003000ull
#define TEXT     0xffffffff82004000ull
#define COUNT_BITS 4
#define SIZE_BITS 8                       /* a 256-byte text ring */
#define RING 256u
#define L0 (0 - (uint64_t)RING)           /* BLK0_LPOS(8): overflows on the first wrap */
#define ID_MASK ((1ull << 62) - 1)        /* DESC_ID_MASK, 64-bit */
#define TAIL_ID (ID_MASK - 2)             /* ids wrap at the mask too */
#define INFO_SIZE 88
#define DESC_SIZE 24

/* VMCOREINFO of Debian's 6.1.0-56-cloud-amd64 (vmcoreinfo.txt of a sample). */
static void
prb_keys(struct img *m)
{
	static const struct { const char *k; uint64_t v; } k[] = {
		{ "SIZE(printk_ringbuffer)", 88 },
		{ "OFFSET(printk_ringbuffer.desc_ring)", 0 },
		{ "OFFSET(printk_ringbuffer.text_data_ring)", 48 },
		{ "OFFSET(prb_desc_ring.count_bits)", 0 },
		{ "OFFSET(prb_desc_ring.descs)", 8 },
		{ "OFFSET(prb_desc_ring.infos)", 16 },
		{ "OFFSET(prb_desc_ring.head_id)", 24 },
		{ "OFFSET(prb_desc_ring.tail_id)", 32 },
		{ "SIZE(prb_desc)", DESC_SIZE },
		{ "OFFSET(prb_desc.state_var)", 0 },
		{ "OFFSET(prb_desc.text_blk_lpos)", 8 },
		{ "OFFSET(prb_data_blk_lpos.begin)", 0 },
		{ "OFFSET(prb_data_blk_lpos.next)", 8 },
		{ "SIZE(printk_info)", INFO_SIZE },
		{ "OFFSET(printk_info.seq)", 0 },
		{ "OFFSET(printk_info.ts_nsec)", 8 },
		{ "OFFSET(printk_info.text_len)", 16 },
		{ "OFFSET(printk_info.caller_id)", 20 },
		{ "OFFSET(printk_info.dev_info)", 24 },
		{ "OFFSET(dev_printk_info.subsystem)", 0 },
		{ "LENGTH(printk_info_subsystem)", 16 },
		{ "OFFSET(dev_printk_info.device)", 16 },
		{ "LENGTH(printk_info_device)", 48 },
		{ "OFFSET(prb_data_ring.size_bits)", 0 },
		{ "OFFSET(prb_data_ring.data)", 8 },
		{ "SIZE(atomic_long_t)", 8 },
		{ "OFFSET(atomic_long_t.counter)", 0 },
	};

	for (size_t i = 0; i < VD_ARRAY_SIZE(k); i++)
		img_set(m, k[i].k, k[i].v);
	img_set(m, "SYMBOL(prb)", PRB_PTR);
}

enum { ST_RESERVED = 0, ST_COMMITTED = 1, ST_FINALIZED = 2, ST_REUSABLE = 3 };

struct rec {
	unsigned state;
	uint64_t sv_id_delta;     /* state_var id = id - delta (a stale slot) */
	uint64_t seq, begin, next;
	const char *text;         /* NULL: no data written */
	unsigned text_len;        /* 0: strlen(text) */
	unsigned level, facility;
	uint32_t caller;
	const char *subsys, *device;
};

/*
 * Write a data block as data_alloc() (printk_ringbuffer.c) does: the id at
 * index(begin); a block that wraps keeps the id and its data at index 0.
 */
static void
put_block(struct img *m, uint64_t id, const struct rec *r)
{
	uint64_t at = r->begin & (RING - 1);

	put64(m, TEXT + at, id);
	if ((r->begin >> SIZE_BITS) != ((r->next - 1) >> SIZE_BITS)) {
		at = 0;
		put64(m, TEXT, id);
	}
	memcpy(img_ptr(m, TEXT + at + 8), r->text, strlen(r->text));
}

static void
put_info(struct img *m, uint64_t slot, const struct rec *r, unsigned caller_off)
{
	uint64_t a = INFOS + slot * INFO_SIZE;
	unsigned char *lv = img_ptr(m, a + 19);

	put64(m, a, r->seq);
	put64(m, a + 8, r->seq * 1000000000ull + 500000000u);
	put16(m, a + 16, (uint16_t)(r->text_len ? r->text_len :
				    r->text ? strlen(r->text) : 0));
	*img_ptr(m, a + 18) = (unsigned char)r->facility;
	// u8 flags:5, level:3 -- GCC's bit order per byte order.
	*lv = (unsigned char)(m->be ? (2 << 3) | r->level : (r->level << 5) | 2);
	put32(m, a + caller_off, r->caller);
	if (r->subsys)
		strcpy((char *)img_ptr(m, a + 24), r->subsys);
	if (r->device)
		strcpy((char *)img_ptr(m, a + 24 + 16), r->device);
}

static void
put_desc(struct img *m, uint64_t id, const struct rec *r, unsigned caller_off)
{
	uint64_t slot = id & ((1u << COUNT_BITS) - 1), a = DESCS + slot * DESC_SIZE;

	put64(m, a, ((uint64_t)r->state << 62) | ((id - r->sv_id_delta) & ID_MASK));
	put64(m, a + 8, r->begin);
	put64(m, a + 16, r->next);
	put_info(m, slot, r, caller_off);
	if (r->text && !(r->begin & 1))
		put_block(m, id, r);
}

/*
 * Twelve descriptors from TAIL_ID; seq = 800 + slot, as prb_reserve()
 * numbers them.  What a reader must make of each is in check_records().
 */
static const struct rec recs[] = {
	{ ST_FINALIZED, 0, 813, L0 + 80, L0 + 96, "first", 0, 6, 0, 1, NULL, NULL },
	{ ST_FINALIZED, 0, 814, L0 + 96, L0 + 120, "two\nlines", 0, 3, 0,
	  0x80000001u, "pci", "+pci:0000:00:01.0" },
	{ ST_FINALIZED, 0, 815, 3, 3, NULL, 0, 4, 0, 7, NULL, NULL },          /* NO_LPOS */
	{ ST_FINALIZED, 0, 816, L0 + 120, L0 + 232, "truncated: the header says 200", 200,
	  6, 0, 8, NULL, NULL },
	{ ST_COMMITTED, 0, 817, L0 + 232, L0 + RING + 40, "wrapped: text at index 0", 0,
	  5, 1, 9, NULL, NULL },
	{ ST_FINALIZED, 0, 818, 1, 1, NULL, 0, 6, 0, 10, NULL, NULL },         /* FAILED_LPOS */
	/* these point at the panic record's block, as stale descriptors can */
	{ ST_RESERVED, 0, 819, L0 + RING + 40, L0 + RING + 80, NULL, 0, 6, 0, 11, NULL, NULL },
	{ ST_REUSABLE, 0, 820, L0 + RING + 40, L0 + RING + 80, NULL, 0, 6, 0, 12, NULL, NULL },
	{ ST_FINALIZED, 16, 821, L0 + RING + 40, L0 + RING + 80, NULL, 0, 6, 0, 13, NULL, NULL },
	{ ST_FINALIZED, 0, 822, L0 + 100, L0 + 90, NULL, 0, 6, 0, 14, NULL, NULL },
	{ ST_FINALIZED, 0, 808, L0 + RING + 40, L0 + RING + 80, NULL, 0, 6, 0, 15, NULL, NULL },
	{ ST_FINALIZED, 0, 824, L0 + RING + 40, L0 + RING + 80,
	  "Kernel panic - not syncing: test", 0, 0, 0, 16, NULL, NULL },
};

static void
build_prb(struct img *m, bool be, unsigned caller_off)
{
	uint64_t head = (TAIL_ID + VD_ARRAY_SIZE(recs) - 1) & ID_MASK;

	memset(m, 0, sizeof(*m));
	m->be = be;
	img_map(m, PRB, 128);
	img_map(m, PRB_PTR, 8);
	img_map(m, DESCS, DESC_SIZE << COUNT_BITS);
	img_map(m, INFOS, INFO_SIZE << COUNT_BITS);
	img_map(m, TEXT, RING);
	prb_keys(m);
	put64(m, PRB_PTR, PRB);
	put32(m, PRB + 0, COUNT_BITS);
	put64(m, PRB + 8, DESCS);
	put64(m, PRB + 16, INFOS);
	put64(m, PRB + 24, head);
	put64(m, PRB + 32, TAIL_ID);
	put32(m, PRB + 48, SIZE_BITS);
	put64(m, PRB + 48 + 8, TEXT);
	for (size_t i = 0; i < VD_ARRAY_SIZE(recs); i++)
		put_desc(m, (TAIL_ID + i) & ID_MASK, &recs[i], caller_off);
	if (caller_off != 20)
		img_set(m, "OFFSET(printk_info.caller_id)", caller_off);
}

/* Collect: records by seq, the error messages in order. */
struct seen {
	struct vd_printk_record r[16];
	char text[16][256];
	char dev[16][64];
	size_t n;
	char errors[8][512];
	size_t nerr;
};

static void
walk_all(struct vd_printk_iter *it, struct seen *s)
{
	const struct vd_printk_record *r;
	struct vd_error *err;
	size_t guard = 0;

	memset(s, 0, sizeof(*s));
	while ((err = vd_printk_iter_next(it, &r)) != &vd_stop) {
		if (guard++ == 100) {
			vd_error_destroy(err);
			break;
		}
		if (err) {
			if (s->nerr < 8)
				snprintf(s->errors[s->nerr++], 512, "%s", err->msg);
			vd_error_destroy(err);
			continue;
		}
		if (s->n < 16) {
			s->r[s->n] = *r;
			snprintf(s->text[s->n], 256, "%.*s", (int)r->text_len, r->text);
			snprintf(s->dev[s->n], 64, "%s|%s", r->subsystem, r->device);
			s->n++;
		}
	}
	CHECK(guard <= 100);
}

static void
check_records(const struct seen *s, bool have_level)
{
	CHECK_EQ_U64(s->n, 6);
	CHECK_EQ_U64(s->r[0].seq, 813);
	CHECK_STR(s->text[0], "first");
	CHECK_EQ_U64(s->r[0].ts_nsec, 813500000000ull);
	CHECK(s->r[0].have_caller && !s->r[0].caller_is_cpu && s->r[0].caller == 1);
	CHECK_EQ_U64((uint64_t)s->r[0].level, have_level ? 6 : (uint64_t)-1);
	CHECK_STR(s->text[1], "two\nlines");
	CHECK(s->r[1].caller_is_cpu && s->r[1].caller == 1);
	CHECK_STR(s->dev[1], "pci|+pci:0000:00:01.0");
	CHECK_EQ_U64((uint64_t)s->r[1].level, have_level ? 3 : (uint64_t)-1);
	CHECK(s->r[2].seq == 815 && s->r[2].dataless && s->r[2].text_len == 0);
	// The block holds 112 - 8 bytes; the header claims 200.
	CHECK(s->r[3].seq == 816 && s->r[3].truncated && s->r[3].text_len == 104);
	CHECK(!strncmp(s->text[3], "truncated: the header says 200", 30));
	CHECK_EQ_U64(s->r[4].seq, 817);
	CHECK_STR(s->text[4], "wrapped: text at index 0");
	CHECK_EQ_U64((uint64_t)s->r[4].facility, have_level ? 1 : (uint64_t)-1);
	CHECK_EQ_U64(s->r[5].seq, 824);
	CHECK_STR(s->text[5], "Kernel panic - not syncing: test");
	CHECK_EQ_U64(s->nerr, 2);
	CHECK(strstr(s->errors[0], "illegal text block") != NULL);
	CHECK(strstr(s->errors[1], "belongs to another slot") != NULL);
}

static void
run_prb(bool be, unsigned caller_off)
{
	struct img m;
	struct vd_printk_source src;
	struct vd_printk_iter it;
	struct seen s;

	build_prb(&m, be, caller_off);
	src = img_source(&m);
	CHECK_OK(vd_printk_iter_init_source(&it, &src));
	CHECK(it.format == VD_PRINTK_LOCKLESS && it.seq_known);
	walk_all(&it, &s);
	check_records(&s, caller_off == 20);
	CHECK_EQ_U64(it.nrecords, 6);
	CHECK_EQ_U64(it.nlost, 1);
	CHECK_EQ_U64(it.ncorrupt, 2);
	vd_printk_iter_deinit(&it);
	img_free(&m);
}

TEST(prb_every_kind_of_descriptor)
{
	run_prb(false, 20);
}

TEST(prb_big_endian)
{
	run_prb(true, 20);
}

/* caller_id not 4 bytes after text_len: the level byte is unknown. */
TEST(prb_no_level_when_layout_differs)
{
	run_prb(false, 84);
}

/* An unreadable printk_info: that record is reported, the rest come. */
TEST(prb_unreadable_info_is_skipped)
{
	struct img m;
	struct vd_printk_source src;
	struct vd_printk_iter it;
	struct seen s;

	build_prb(&m, false, 20);
	m.hole_lo = INFOS + 14 * INFO_SIZE;         /* slot 14: seq 814 */
	m.hole_hi = m.hole_lo + INFO_SIZE;
	src = img_source(&m);
	CHECK_OK(vd_printk_iter_init_source(&it, &src));
	walk_all(&it, &s);
	CHECK_EQ_U64(s.n, 5);
	CHECK_STR(s.text[0], "first");
	CHECK_EQ_U64(s.r[1].seq, 815);
	CHECK_EQ_U64(s.nerr, 3);
	CHECK(strstr(s.errors[0], "printk_info") != NULL);
	vd_printk_iter_deinit(&it);
	img_free(&m);
}

/* tail..head spanning more ids than descriptors: the newest are read. */
TEST(prb_span_larger_than_ring)
{
	struct img m;
	struct vd_printk_source src;
	struct vd_printk_iter it;
	struct seen s;

	build_prb(&m, false, 20);
	put64(&m, PRB + 32, (TAIL_ID - 30) & ID_MASK);
	src = img_source(&m);
	CHECK_OK(vd_printk_iter_init_source(&it, &src));
	walk_all(&it, &s);
	CHECK(s.nerr >= 1 && strstr(s.errors[0], "spans more than") != NULL);
	CHECK_EQ_U64(s.r[s.n - 1].seq, 824);
	vd_printk_iter_deinit(&it);
	img_free(&m);
}

TEST(prb_bad_headers)
{
	struct img m;
	struct vd_printk_source src;
	struct vd_printk_iter it;

	build_prb(&m, false, 20);
	src = img_source(&m);
	put32(&m, PRB + 0, 31);                                 /* count_bits */
	CHECK_ERR(vd_printk_iter_init_source(&it, &src), VD_ERR_CORRUPT);
	put32(&m, PRB + 0, COUNT_BITS);
	put32(&m, PRB + 48, 40);                                /* size_bits */
	CHECK_ERR(vd_printk_iter_init_source(&it, &src), VD_ERR_CORRUPT);
	put32(&m, PRB + 48, SIZE_BITS);
	img_set(&m, "OFFSET(printk_info.caller_id)", 86);       /* past the struct */
	CHECK_ERR(vd_printk_iter_init_source(&it, &src), VD_ERR_CORRUPT);
	img_set(&m, "OFFSET(printk_info.caller_id)", 20);
	img_set(&m, "SIZE(prb_desc)", 1u << 20);
	CHECK_ERR(vd_printk_iter_init_source(&it, &src), VD_ERR_CORRUPT);
	img_set(&m, "SIZE(prb_desc)", DESC_SIZE);
	img_unset(&m, "OFFSET(prb_desc_ring.infos)");
	CHECK_ERR(vd_printk_iter_init_source(&it, &src), VD_ERR_LOOKUP);
	img_unset(&m, "SYMBOL(prb)");
	CHECK_ERR(vd_printk_iter_init_source(&it, &src), VD_ERR_LOOKUP);
	put64(&m, PRB_PTR, 0x1234);                            /* prb points nowhere */
	prb_keys(&m);
	CHECK_ERR(vd_printk_iter_init_source(&it, &src), VD_ERR_FAULT);
	img_free(&m);
}

TEST(boot_time_from_the_panic_record)
{
	struct img m;
	struct vd_printk_source src;
	int64_t boot = 0;

	build_prb(&m, false, 20);
	src = img_source(&m);
	// The panic record (seq 824) is at 824.5 s: boot = wall - 824.
	CHECK_OK(vd_printk_boot_time_source(&src, 1795311689, &boot));
	CHECK_EQ_U64((uint64_t)boot, 1795311689ull - 824);
	CHECK_ERR(vd_printk_boot_time_source(&src, 100, &boot), VD_ERR_CORRUPT);
	img_free(&m);
}

/* log_buf: struct printk_log records (v3.5 to v5.9) ------------------------------ */

#define LOG_BUF_PTR 0xffffffff83000000ull  /* char *log_buf */
#define LOG_LEN_SYM 0xffffffff83000008ull  /* u32 log_buf_len */
#define LOG_FIRST   0xffffffff83000010ull  /* u32 log_first_idx */
#define LOG_NEXT    0xffffffff83000018ull  /* u32 log_next_idx */
#define LOG_SEQ     0xffffffff83000020ull  /* u64 log_first_seq */
#define LOG_BUF     0xffffffff83001000ull
#define LOG_BUF_LEN 256u
#define HDR 20u                            /* with caller_id: __packed __aligned(4) */

/*
 * One record at idx: u64 ts_nsec; u16 len; u16 text_len; u16 dict_len;
 * u8 facility; u8 flags:5, level:3; u32 caller_id; text; dict; padding to
 * LOG_ALIGN (4).  Returns the next index.
 */
static uint32_t
put_log(struct img *m, uint32_t idx, uint64_t ts, const char *text,
	const char *dict, size_t dict_len, unsigned level, uint32_t caller)
{
	uint64_t a = LOG_BUF + idx;
	size_t tl = strlen(text);
	uint32_t len = (uint32_t)((HDR + tl + dict_len + 3) & ~3u);

	put64(m, a, ts);
	put16(m, a + 8, (uint16_t)len);
	put16(m, a + 10, (uint16_t)tl);
	put16(m, a + 12, (uint16_t)dict_len);
	*img_ptr(m, a + 14) = 0;
	*img_ptr(m, a + 15) = (unsigned char)(level << 5);
	put32(m, a + 16, caller);
	memcpy(img_ptr(m, a + HDR), text, tl);
	if (dict_len)
		memcpy(img_ptr(m, a + HDR + tl), dict, dict_len);
	return idx + len;
}

/*
 * First record at 120, a second, then the zero header that marks the wrap
 * (log_store() writes it when the next record does not fit), then two
 * records from offset 0; log_next_idx after them.
 */
static void
build_logbuf(struct img *m, const char *sname)
{
	static const char dict[] = "SUBSYSTEM=usb\0DEVICE=c189:1";
	char key[64];
	uint32_t idx, next;

	memset(m, 0, sizeof(*m));
	img_map(m, LOG_BUF_PTR, 0x28);
	img_map(m, LOG_BUF, LOG_BUF_LEN);
	put64(m, LOG_BUF_PTR, LOG_BUF);
	put32(m, LOG_LEN_SYM, LOG_BUF_LEN);
	put32(m, LOG_FIRST, 120);
	put64(m, LOG_SEQ, 41);
	idx = put_log(m, 120, 1000, "oldest", NULL, 0, 6, 1);
	idx = put_log(m, idx, 2000, "usb 1-1: new device", dict, sizeof(dict) - 1, 6, 0x80000000u);
	CHECK(idx + HDR <= LOG_BUF_LEN);        /* the zero header fits */
	next = put_log(m, 0, 3000, "after the wrap\nsecond line", NULL, 0, 4, 2);
	next = put_log(m, next, 4000000000ull, "newest", NULL, 0, 0, 3);
	put32(m, LOG_NEXT, next);
	img_set(m, "SYMBOL(log_buf)", LOG_BUF_PTR);
	img_set(m, "SYMBOL(log_buf_len)", LOG_LEN_SYM);
	img_set(m, "SYMBOL(log_first_idx)", LOG_FIRST);
	img_set(m, "SYMBOL(log_next_idx)", LOG_NEXT);
	snprintf(key, sizeof(key), "SIZE(%s)", sname);
	img_set(m, key, HDR);
	for (size_t i = 0; i < 5; i++) {
		static const char *const mem[] = { "ts_nsec", "len", "text_len",
						   "dict_len", "caller_id" };
		static const uint64_t off[] = { 0, 8, 10, 12, 16 };

		snprintf(key, sizeof(key), "OFFSET(%s.%s)", sname, mem[i]);
		img_set(m, key, off[i]);
	}
}

static void
check_logbuf(struct img *m, uint64_t first_seq, bool seq_known)
{
	struct vd_printk_source src = img_source(m);
	struct vd_printk_iter it;
	struct seen s;

	CHECK_OK(vd_printk_iter_init_source(&it, &src));
	CHECK(it.format == VD_PRINTK_LOG_BUF);
	CHECK(it.seq_known == seq_known);
	walk_all(&it, &s);
	CHECK_EQ_U64(s.n, 4);
	CHECK_EQ_U64(s.nerr, 0);
	CHECK_STR(s.text[0], "oldest");
	CHECK_EQ_U64(s.r[0].seq, first_seq);
	CHECK_EQ_U64(s.r[0].ts_nsec, 1000);
	CHECK_EQ_U64((uint64_t)s.r[0].level, 6);
	CHECK_STR(s.text[1], "usb 1-1: new device");
	CHECK_STR(s.dev[1], "usb|c189:1");
	CHECK(s.r[1].caller_is_cpu && s.r[1].caller == 0);
	CHECK_STR(s.text[2], "after the wrap\nsecond line");
	CHECK_EQ_U64(s.r[2].seq, first_seq + 2);
	CHECK_EQ_U64((uint64_t)s.r[2].level, 4);
	CHECK_STR(s.text[3], "newest");
	CHECK_EQ_U64(s.r[3].ts_nsec, 4000000000ull);
	vd_printk_iter_deinit(&it);
}

TEST(logbuf_records_across_the_wrap)
{
	struct img m;

	build_logbuf(&m, "printk_log");
	m.first_seq_sym = LOG_SEQ;
	check_logbuf(&m, 41, true);
	img_free(&m);
}

/*
 * log_first_seq named but unreadable: the records read with sequence
 * numbers unknown, and the read's error is released (LeakSanitizer in the
 * ASan build caught it leaking).
 */
TEST(logbuf_unreadable_first_seq)
{
	struct img m;

	build_logbuf(&m, "printk_log");
	m.first_seq_sym = 0xffffffffdead0000ull;
	check_logbuf(&m, 0, false);
	img_free(&m);
}

/* v3.5 to v3.10 called the struct "log"; without log_first_seq, seq counts from 0. */
TEST(logbuf_struct_log_no_first_seq)
{
	struct img m;

	build_logbuf(&m, "log");
	check_logbuf(&m, 0, false);
	img_free(&m);
}

/* A record whose length runs past the buffer ends the walk with an error. */
TEST(logbuf_damaged_record)
{
	struct img m;
	struct vd_printk_source src;
	struct vd_printk_iter it;
	struct seen s;

	build_logbuf(&m, "printk_log");
	put16(&m, LOG_BUF + 0 + 8, 0x7ff0);     /* the record after the wrap */
	src = img_source(&m);
	CHECK_OK(vd_printk_iter_init_source(&it, &src));
	walk_all(&it, &s);
	CHECK_EQ_U64(s.n, 2);
	CHECK_EQ_U64(s.nerr, 1);
	CHECK(strstr(s.errors[0], "claims") != NULL);
	vd_printk_iter_deinit(&it);
	// log_first_idx outside the buffer: refused at init.
	put32(&m, LOG_FIRST, 4096);
	CHECK_ERR(vd_printk_iter_init_source(&it, &src), VD_ERR_CORRUPT);
	img_free(&m);
}

/* Two zero headers (a loop): the walk stops instead of going round. */
TEST(logbuf_wrap_loop)
{
	struct img m;
	struct vd_printk_source src;
	struct vd_printk_iter it;
	struct seen s;

	build_logbuf(&m, "printk_log");
	put16(&m, LOG_BUF + 0 + 8, 0);          /* a zero header at 0 as well */
	put32(&m, LOG_NEXT, 100);
	src = img_source(&m);
	CHECK_OK(vd_printk_iter_init_source(&it, &src));
	walk_all(&it, &s);
	CHECK_EQ_U64(s.n, 2);
	CHECK_EQ_U64(s.nerr, 1);
	CHECK(strstr(s.errors[0], "second wrap") != NULL);
	vd_printk_iter_deinit(&it);
	img_free(&m);
}

/* Random damage ------------------------------------------------------------------- */

static uint64_t
xorshift(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/*
 * Flip random bytes of every region, many times: each walk must end (the
 * guard in walk_all) without touching memory it should not (ASan builds).
 */
static void
damage_and_walk(struct img *m, uint64_t seed, unsigned rounds)
{
	unsigned char *saved[8];
	uint64_t x = seed;

	for (size_t i = 0; i < m->n; i++) {
		saved[i] = malloc(m->r[i].size);
		memcpy(saved[i], m->r[i].bytes, m->r[i].size);
	}
	for (unsigned round = 0; round < rounds; round++) {
		struct vd_printk_source src = img_source(m);
		struct vd_printk_iter it;
		struct vd_error *err;
		struct seen s;

		for (size_t i = 0; i < m->n; i++)
			memcpy(m->r[i].bytes, saved[i], m->r[i].size);
		for (unsigned k = 0; k < 1 + round % 8; k++) {
			struct region *r = &m->r[xorshift(&x) % m->n];

			r->bytes[xorshift(&x) % r->size] ^= (unsigned char)(1 + xorshift(&x) % 255);
		}
		err = vd_printk_iter_init_source(&it, &src);
		if (err) {
			vd_error_destroy(err);
			continue;
		}
		walk_all(&it, &s);
		vd_printk_iter_deinit(&it);
	}
	for (size_t i = 0; i < m->n; i++)
		free(saved[i]);
}

TEST(prb_random_damage)
{
	struct img m;

	build_prb(&m, false, 20);
	damage_and_walk(&m, 0x9e3779b97f4a7c15ull, 20000);
	img_free(&m);
}

TEST(logbuf_random_damage)
{
	struct img m;

	build_logbuf(&m, "printk_log");
	m.first_seq_sym = LOG_SEQ;
	damage_and_walk(&m, 0x2545f4914f6cdd1dull, 20000);
	img_free(&m);
}

int
main(void)
{
	return RUN_TESTS();
}
