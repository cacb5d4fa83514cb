// SPDX-License-Identifier: MIT
/*
 * ORC tables: the kernel's .orc_unwind_ip (s32 offsets, each relative to
 * its own address) and .orc_unwind (6-byte entries) decoded into a sorted
 * table of absolute ips.  The formats are described in unwind_priv.h.
 */
#include <stdlib.h>
#include <string.h>

#include "unwind_priv.h"

static int16_t
le16s(const uint8_t *p)
{
	return (int16_t)(uint16_t)(p[0] | p[1] << 8);
}

void
vd_orc_decode(const uint8_t raw[VD_ORC_ENTRY_SIZE], enum vd_orc_format fmt,
	      struct vd_orc_entry *ret)
{
	uint8_t b = raw[5];

	ret->sp_offset = le16s(raw);
	ret->bp_offset = le16s(raw + 2);
	ret->sp_reg = raw[4] & 0xf;
	ret->bp_reg = raw[4] >> 4;
	if (fmt == VD_ORC_V3) {
		ret->type = (enum vd_orc_type)(b & 7);
		ret->signal = (b >> 3) & 1;
		return;
	}
	// V1/V2: CALL 0, REGS 1, REGS_PARTIAL 2; sp_reg UNDEFINED marks the
	// end (end bit set) or a place the unwinder cannot go on from.
	{
		unsigned type = b & 3;
		bool end = fmt == VD_ORC_V2 ? (b >> 3) & 1 : (b >> 2) & 1;

		if (ret->sp_reg == VD_ORC_REG_UNDEFINED)
			ret->type = end ? VD_ORC_TYPE_END_OF_STACK : VD_ORC_TYPE_UNDEFINED;
		else if (type == 0)
			ret->type = VD_ORC_TYPE_CALL;
		else if (type == 1)
			ret->type = VD_ORC_TYPE_REGS;
		else if (type == 2)
			ret->type = VD_ORC_TYPE_REGS_PARTIAL;
		else
			ret->type = VD_ORC_TYPE_UNDEFINED;
		// V1 has no signal bit: the unwinder treated every pt_regs frame
		// as one (state->signal = true for REGS and REGS_IRET).
		ret->signal = fmt == VD_ORC_V2 ? (b >> 2) & 1 : type == 1 || type == 2;
	}
}

/*
 * One pass over a table's arrays: whether its ips ascend (ipbuf given),
 * and, where the caller does not know them, the format (V1 or V2) and the
 * register numbering.  The two guesses read the same entries, and the
 * order check the ips beside them: a vmlinux table (~200,000 entries,
 * 2 MB) is read once, not three times.
 */
static void
survey(uint64_t ip_addr, const uint8_t *ipbuf, const uint8_t *entbuf, size_t n,
       enum vd_orc_format fmt, enum vd_orc_regs regs, struct vd_orc_survey *ret)
{
	size_t count[16] = { 0 };
	bool v2 = false;
	uint64_t prev = 0;
	unsigned best = 0;

	ret->sorted = true;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *e = entbuf + i * VD_ORC_ENTRY_SIZE;

		if (ipbuf) {
			const uint8_t *p = ipbuf + 4 * i;
			int32_t off = (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 |
						(uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
			uint64_t ip = ip_addr + 4 * i + (int64_t)off;

			if (i && ip < prev)
				ret->sorted = false;
			prev = ip;
		}
		// V2: bit 2 (signal) on a frame with a base register.
		if (!fmt && (e[4] & 0xf) != VD_ORC_REG_UNDEFINED && (e[5] & 4))
			v2 = true;
		// The commonest sp_reg of CALL frames that leave bp alone is SP
		// (V1 and V2 keep the type in the same bits).
		if (!regs) {
			unsigned type = fmt == VD_ORC_V3 ? e[5] & 7 : (e[5] & 3) + VD_ORC_TYPE_CALL;

			if (type == VD_ORC_TYPE_CALL && !(e[4] >> 4))
				count[e[4] & 0xf]++;
		}
	}
	ret->fmt = fmt ? fmt : v2 ? VD_ORC_V2 : VD_ORC_V1;
	if (regs) {
		ret->regs = regs;
		return;
	}
	for (unsigned r = 1; r < 16; r++)
		if (count[r] > count[best])
			best = r;
	ret->regs = best == 3 ? VD_ORC_REGS_7 : VD_ORC_REGS_CLASSIC;
}

enum vd_orc_format
vd_orc_guess_format(const uint8_t *raw, size_t n)
{
	struct vd_orc_survey sv;

	survey(0, NULL, raw, n, 0, VD_ORC_REGS_CLASSIC, &sv);
	return sv.fmt;
}

enum vd_orc_regs
vd_orc_guess_regs(const uint8_t *raw, size_t n, enum vd_orc_format fmt)
{
	struct vd_orc_survey sv;

	survey(0, NULL, raw, n, fmt ? fmt : VD_ORC_V1, 0, &sv);
	return sv.regs;
}

void
vd_orc_regmap(enum vd_orc_regs regs, uint8_t map[16])
{
	for (unsigned r = 0; r < 16; r++)
		map[r] = (uint8_t)r;
	if (regs != VD_ORC_REGS_7)
		return;
	for (unsigned r = 0; r < 16; r++)
		map[r] = 15;          // unknown: the unwinder refuses it
	map[0] = VD_ORC_REG_UNDEFINED;
	map[2] = VD_ORC_REG_DX;
	map[3] = VD_ORC_REG_SP;
	map[4] = VD_ORC_REG_BP;
	map[6] = VD_ORC_REG_R10;
	map[7] = VD_ORC_REG_R13;
	map[8] = VD_ORC_REG_PREV_SP;
	map[9] = VD_ORC_REG_SP_INDIRECT;
	map[10] = VD_ORC_REG_BP_INDIRECT;
}

struct pair {
	uint64_t ip;
	size_t idx;
};

static int
pair_cmp(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;

	if (x->ip != y->ip)
		return x->ip < y->ip ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

struct vd_error *
vd_orc_table_init(struct vd_orc_table *t, uint64_t ip_addr, const uint8_t *ipbuf,
		  const uint8_t *entbuf, size_t n, enum vd_orc_format fmt)
{
	bool sorted = true;

	memset(t, 0, sizeof(*t));
	t->fmt = fmt;
	vd_orc_regmap(VD_ORC_REGS_CLASSIC, t->regmap);
	if (!n)
		return NULL;
	t->ip = malloc(n * sizeof(*t->ip));
	t->raw = malloc(n * VD_ORC_ENTRY_SIZE);
	if (!t->ip || !t->raw) {
		vd_orc_table_free(t);
		return &vd_enomem;
	}
	for (size_t i = 0; i < n; i++) {
		const uint8_t *p = ipbuf + 4 * i;
		int32_t off = (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 |
					(uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);

		t->ip[i] = ip_addr + 4 * i + (int64_t)off;
		if (i && t->ip[i] < t->ip[i - 1])
			sorted = false;
	}
	memcpy(t->raw, entbuf, n * VD_ORC_ENTRY_SIZE);
	if (!sorted) {
		// The kernel sorts module tables at load time and vmlinux's at
		// build time; a table read before that (or damaged) is sorted
		// here, entries moving with their ips.
		struct pair *p = malloc(n * sizeof(*p));
		uint8_t *raw = malloc(n * VD_ORC_ENTRY_SIZE);

		if (!p || !raw) {
			free(p);
			free(raw);
			vd_orc_table_free(t);
			return &vd_enomem;
		}
		for (size_t i = 0; i < n; i++)
			p[i] = (struct pair){ t->ip[i], i };
		qsort(p, n, sizeof(*p), pair_cmp);
		for (size_t i = 0; i < n; i++) {
			t->ip[i] = p[i].ip;
			memcpy(raw + i * VD_ORC_ENTRY_SIZE, entbuf + p[i].idx * VD_ORC_ENTRY_SIZE,
			       VD_ORC_ENTRY_SIZE);
		}
		free(t->raw);
		t->raw = raw;
		free(p);
	}
	t->n = n;
	t->text_start = t->ip[0];
	t->text_end = t->ip[n - 1] + 1;
	return NULL;
}

/* The ip of entry i of a borrowed table. */
static uint64_t
rel_ip(const struct vd_orc_table *t, size_t i)
{
	const uint8_t *p = t->ip_rel + 4 * i;
	int32_t off = (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
				(uint32_t)p[3] << 24);

	return t->ip_addr + 4 * i + (int64_t)off;
}

struct vd_error *
vd_orc_table_load(struct vd_orc_table *t, uint64_t ip_addr, const uint8_t *ipbuf,
		  const uint8_t *entbuf, size_t n, enum vd_orc_format fmt, enum vd_orc_regs regs,
		  void *owned_ip, void *owned_ent)
{
	struct vd_orc_survey sv;
	struct vd_error *err;

	survey(ip_addr, ipbuf, entbuf, n, fmt, regs, &sv);
	if (!sv.sorted) {
		// Out of order: copied and sorted.
		err = vd_orc_table_init(t, ip_addr, ipbuf, entbuf, n, sv.fmt);
		free(owned_ip);
		free(owned_ent);
	} else {
		memset(t, 0, sizeof(*t));
		t->ip_rel = ipbuf;
		t->ip_addr = ip_addr;
		t->fmt = sv.fmt;
		t->braw = entbuf;
		t->owned[0] = owned_ip;
		t->owned[1] = owned_ent;
		t->n = n;
		if (n) {
			t->text_start = rel_ip(t, 0);
			t->text_end = rel_ip(t, n - 1) + 1;
		}
		err = NULL;
	}
	if (!err) {
		t->regs = sv.regs;
		vd_orc_regmap(sv.regs, t->regmap);
	}
	return err;
}

struct vd_error *
vd_orc_table_borrow(struct vd_orc_table *t, uint64_t ip_addr, const uint8_t *ipbuf,
		    const uint8_t *entbuf, size_t n, enum vd_orc_format fmt, void *owned_ip,
		    void *owned_ent)
{
	return vd_orc_table_load(t, ip_addr, ipbuf, entbuf, n, fmt, VD_ORC_REGS_CLASSIC,
				 owned_ip, owned_ent);
}

void
vd_orc_table_free(struct vd_orc_table *t)
{
	free(t->ip);
	free(t->raw);
	free(t->owned[0]);
	free(t->owned[1]);
	memset(t, 0, sizeof(*t));
}

static uint64_t
ip_at(const struct vd_orc_table *t, size_t i)
{
	return t->ip ? t->ip[i] : rel_ip(t, i);
}

bool
vd_orc_table_find(const struct vd_orc_table *t, uint64_t ip, struct vd_orc_entry *ret)
{
	size_t lo = 0, hi = t->n;

	if (!t->n || ip < ip_at(t, 0))
		return false;
	// The last entry whose ip <= ip.
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (ip_at(t, mid) <= ip)
			lo = mid;
		else
			hi = mid;
	}
	vd_orc_decode((t->raw ? t->raw : t->braw) + lo * VD_ORC_ENTRY_SIZE, t->fmt, ret);
	ret->sp_reg = t->regmap[ret->sp_reg & 0xf];
	ret->bp_reg = t->regmap[ret->bp_reg & 0xf];
	return true;
}

const struct vd_stack_range *
vd_stack_find(const struct vd_stack_range *stacks, size_t n, uint64_t addr, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (addr >= stacks[i].start && addr < stacks[i].end &&
		    len <= stacks[i].end - addr)
			return &stacks[i];
	return NULL;
}
