// SPDX-License-Identifier: MIT
/*
 * ORC tables (unwind/orc.c) and the x86_64 ORC unwinder core
 * (unwind/x86_64.c) over fake stacks, the way unwind/x86_64_task.c drives
 * them on a dump: the table's format told by the __start_orc_header flag
 * or guessed from the entries, the register numbering guessed from them,
 * the kernel's two arrays borrowed (copied and sorted when out of order),
 * then a walk from a start frame through the stacks.  The input is
 * little-endian:
 *   0    u32 n, the number of entries (at most what the input holds)
 *   4    u8 flags: 1 V3 (an .orc_header), 2 the start ip is exact
 *        (registers), 4 a full register set at the start, 8 the kernel's
 *        text is the table's range (else TEXT..TEXT_END, _stext.._etext)
 *   8    u64 ip, sp, bp, regs_addr of the start frame
 *   40   u64 regs[VD_X86_NREGS] (used with flag 4)
 *   256  s32 ip[n] (each relative to its own address, at IPTAB + 4 i),
 *        then n 6-byte entries, then the stacks' bytes: the first half the
 *        task stack at TSTACK, the second the IRQ stack at ISTACK (each at
 *        most 16 KiB); nothing else can be read.
 */
#include <stdlib.h>

#include "unwind/unwind_priv.h"
#include "fuzz.h"

#define HDR 256
#define TEXT 0xffffffff81000000ull
#define TEXT_END 0xffffffff81100000ull
#define IPTAB 0xffffffff82000000ull
#define TSTACK 0xffffc90000010000ull
#define ISTACK 0xffffc90000020000ull
#define SSIZE 0x4000

struct fz_unwind {
	struct vd_orc_table t;
	uint64_t text_start, text_end;
	const uint8_t *stack[2];
	size_t nstack;
};

static struct vd_error *
read_mem(void *priv, uint64_t addr, void *buf, size_t len)
{
	const struct fz_unwind *u = priv;
	const uint64_t base[2] = { TSTACK, ISTACK };

	for (int i = 0; i < 2; i++)
		if (addr >= base[i] && addr - base[i] <= u->nstack &&
		    len <= u->nstack - (addr - base[i])) {
			memcpy(buf, u->stack[i] + (addr - base[i]), len);
			return NULL;
		}
	return vd_error_fault(VD_ERR_FAULT, VD_AS_KVIRT, addr, "not in the fake stacks");
}

static enum vd_orc_lookup
find_orc(void *priv, uint64_t ip, struct vd_orc_entry *ret)
{
	const struct fz_unwind *u = priv;

	if (!(ip >> 63))
		return VD_ORC_NOT_TEXT;
	if (ip >= u->text_start && ip < u->text_end)
		return vd_orc_table_find(&u->t, ip, ret) ? VD_ORC_FOUND : VD_ORC_NO_ENTRY;
	return VD_ORC_NO_ENTRY;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_unwind u = { 0 };
	struct vd_ux_start st = { 0 };
	struct vd_stack_range stacks[2];
	struct vd_ux_env env = { .priv = &u, .read = read_mem, .find_orc = find_orc,
				 .stacks = stacks, .nstacks = 2, .max_frames = 64 };
	struct vd_frame *frames = NULL;
	size_t nframes = 0, n, rest;
	uint8_t flags;
	enum vd_orc_format fmt;
	enum vd_orc_regs regs;
	struct vd_error *err, *why = NULL;
	struct vd_orc_entry e;
	uint8_t *ipbuf, *ent;

	if (size < HDR)
		return 0;
	n = (uint32_t)fz_u64(data, size, 0);
	if (n > (size - HDR) / (4 + VD_ORC_ENTRY_SIZE))
		n = (size - HDR) / (4 + VD_ORC_ENTRY_SIZE);
	flags = data[4];
	st.ip = fz_u64(data, size, 8);
	st.sp = fz_u64(data, size, 16);
	st.bp = fz_u64(data, size, 24);
	st.regs_addr = fz_u64(data, size, 32);
	st.signal = flags & 2;
	st.have_regs = flags & 4;
	for (int r = 0; r < VD_X86_NREGS; r++)
		st.regs[r] = fz_u64(data, size, 40 + 8 * (size_t)r);
	// Copies: the table borrows (and frees) them as it does the dump's.
	ipbuf = malloc(n * 4 + 1);
	ent = malloc(n * VD_ORC_ENTRY_SIZE + 1);
	if (!ipbuf || !ent) {
		free(ipbuf);
		free(ent);
		return 0;
	}
	memcpy(ipbuf, data + HDR, n * 4);
	memcpy(ent, data + HDR + n * 4, n * VD_ORC_ENTRY_SIZE);
	fmt = flags & 1 ? VD_ORC_V3 : vd_orc_guess_format(ent, n);
	regs = vd_orc_guess_regs(ent, n, fmt);

	err = vd_orc_table_borrow(&u.t, IPTAB, ipbuf, ent, n, fmt, ipbuf, ent);
	if (err) {
		fz_drop(err);
		return 0;
	}
	vd_orc_regmap(regs, u.t.regmap);
	u.text_start = flags & 8 ? u.t.text_start : TEXT;
	u.text_end = flags & 8 ? u.t.text_end : TEXT_END;
	rest = size - HDR - n * (4 + VD_ORC_ENTRY_SIZE);
	u.nstack = rest / 2 < SSIZE ? rest / 2 : SSIZE;
	u.stack[0] = data + HDR + n * (4 + VD_ORC_ENTRY_SIZE);
	u.stack[1] = u.stack[0] + rest / 2;
	stacks[0] = (struct vd_stack_range){ TSTACK, TSTACK + u.nstack, "task" };
	stacks[1] = (struct vd_stack_range){ ISTACK, ISTACK + u.nstack, "irq" };
	// Lookups at the table's edges and the start ip, as the unwinder makes.
	(void)vd_orc_table_find(&u.t, st.ip, &e);
	(void)vd_orc_table_find(&u.t, u.t.text_start, &e);
	(void)vd_orc_table_find(&u.t, u.t.text_end - 1, &e);
	err = vd_ux_unwind(&env, &st, &frames, &nframes, &why);
	if (!err && nframes > env.max_frames + 1)
		abort();            // the walk must keep to its bound
	fz_drop(err);
	fz_drop(why);
	free(frames);
	vd_orc_table_free(&u.t);
	return 0;
}
