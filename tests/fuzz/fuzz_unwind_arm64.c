// SPDX-License-Identifier: MIT
/*
 * The arm64 frame-record unwinder core (unwind/aarch64.c) over fake
 * stacks, with the facts unwind/aarch64_task.c gives it on a dump: the PAC
 * mask, the exception entry text, the task's final record and where
 * struct pt_regs holds its frame record (a frame_record_meta or not), and
 * function bounds for a leaf's link register.  The input is little-endian:
 *   0    u8 flags: 1 a full register set at the start, 2 the final
 *        record is a frame_record_meta (6.13+), 4 function bounds known
 *        (each function 0x1000 bytes, aligned)
 *   8    u64 pc, fp, sp, pac_mask, entry_start, entry_end, final_record,
 *        stackframe_off
 *   72   u64 regs[VD_A64_NREGS] (used with flag 1)
 *   344  the stacks' bytes: the first half the task stack at TSTACK, the
 *        second the IRQ stack at ISTACK (each at most 16 KiB).
 */
#include <stdlib.h>

#include "unwind/unwind_priv.h"
#include "fuzz.h"

#define HDR (72 + 8 * VD_A64_NREGS)
#define TSTACK 0xffff800088000000ull
#define ISTACK 0xffff800080010000ull
#define SSIZE 0x4000

struct fz_stacks {
	const uint8_t *mem[2];
	size_t n;
};

static struct vd_error *
read_mem(void *priv, uint64_t addr, void *buf, size_t len)
{
	const struct fz_stacks *s = priv;
	const uint64_t base[2] = { TSTACK, ISTACK };

	for (int i = 0; i < 2; i++)
		if (addr >= base[i] && addr - base[i] <= s->n && len <= s->n - (addr - base[i])) {
			memcpy(buf, s->mem[i] + (addr - base[i]), len);
			return NULL;
		}
	return vd_error_fault(VD_ERR_FAULT, VD_AS_KVIRT, addr, "not in the fake stacks");
}

static bool
func_bounds(void *priv, uint64_t pc, uint64_t *start, uint64_t *end)
{
	*start = pc & ~0xfffull;
	*end = *start + 0x1000;
	return *end > *start;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_stacks s;
	struct vd_stack_range stacks[2];
	struct vd_a64_env env = { .priv = &s, .read = read_mem, .stacks = stacks, .nstacks = 2,
				  .max_frames = 64 };
	struct vd_a64_start st = { 0 };
	struct vd_frame *frames = NULL;
	size_t nframes = 0, rest;
	struct vd_error *err, *why = NULL;
	uint8_t flags;

	if (size < HDR)
		return 0;
	flags = data[0];
	st.pc = fz_u64(data, size, 8);
	st.fp = fz_u64(data, size, 16);
	st.sp = fz_u64(data, size, 24);
	env.pac_mask = fz_u64(data, size, 32);
	env.entry_start = fz_u64(data, size, 40);
	env.entry_end = fz_u64(data, size, 48);
	env.final_record = fz_u64(data, size, 56);
	env.stackframe_off = fz_u64(data, size, 64);
	env.meta = flags & 2;
	env.func_bounds = flags & 4 ? func_bounds : NULL;
	st.have_regs = flags & 1;
	for (int r = 0; r < VD_A64_NREGS; r++)
		st.regs[r] = fz_u64(data, size, 72 + 8 * (size_t)r);
	rest = size - HDR;
	s.n = rest / 2 < SSIZE ? rest / 2 : SSIZE;
	s.mem[0] = data + HDR;
	s.mem[1] = data + HDR + rest / 2;
	stacks[0] = (struct vd_stack_range){ TSTACK, TSTACK + s.n, "task" };
	stacks[1] = (struct vd_stack_range){ ISTACK, ISTACK + s.n, "irq" };
	err = vd_a64_unwind(&env, &st, &frames, &nframes, &why);
	if (!err && nframes > env.max_frames + 1)
		abort();            // the walk must keep to its bound
	fz_drop(err);
	fz_drop(why);
	free(frames);
	return 0;
}
