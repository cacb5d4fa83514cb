// SPDX-License-Identifier: MIT
/*
 * The x86_64 ORC unwinder core: the steps the kernel's own unwinder takes
 * (arch/x86/kernel/unwind_orc.c, unwind_next_frame()), on a dead stack.
 *
 * From a frame (ip, sp, bp, maybe a register set) the ORC entry for ip
 * (ip - 1 for a return address: it may be a call to a noreturn function at
 * the end of one) says where the caller's stack pointer is (sp_reg +
 * sp_offset, possibly through memory) and what kind of frame it is:
 * - CALL: the return address is just below the caller's sp;
 * - REGS: a full struct pt_regs is at the caller's sp (an interrupt,
 *   exception or syscall entry); its ip/sp are the interrupted context;
 * - REGS_PARTIAL: only the hardware iret frame (ip, cs, flags, sp, ss) is
 *   there, the pt_regs it belongs to starts 16 words before it.
 * and where the caller's frame pointer was saved.  A pt_regs from user
 * mode ends the walk with a user frame.  Where ORC has no entry the kernel
 * assumes a frame-pointer frame (its orc_fp_entry: sp = bp + 16, return
 * address at bp + 8, saved bp at bp); so does this, marking the frame
 * unreliable.
 *
 * Bounds: every read must be inside one of the stacks the caller gave; on
 * one stack sp must grow from frame to frame and a stack once left is not
 * returned to; at most env->max_frames frames.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "unwind_priv.h"

/* offsetof(struct pt_regs, ip): the iret frame's place in a pt_regs. */
#define IRET_FRAME_OFFSET (VD_X86_IP * 8)
#define IRET_FRAME_SIZE (5 * 8)
#define PT_REGS_SIZE (VD_X86_NREGS_PTREGS * 8)

struct walk {
	const struct vd_ux_env *env;
	struct vd_frame **frames;
	size_t *n, cap;
	/* the current frame */
	uint64_t ip, sp, bp;
	bool signal;
	bool have_regs, full_regs;
	uint64_t regs[VD_X86_NREGS];
	uint64_t regs_addr;
	bool reliable;
	const struct vd_stack_range *stack;
	/* stacks left behind (indexes into env->stacks) */
	bool *left;
};

static struct vd_error *
read_stack(struct walk *w, uint64_t addr, void *buf, size_t len)
{
	if (!vd_stack_find(w->env->stacks, w->env->nstacks, addr, len))
		return vd_error_fault(VD_ERR_FAULT, VD_AS_KVIRT, addr,
				      "0x%" PRIx64 " is on no stack of this task", addr);
	return w->env->read(w->env->priv, addr, buf, len);
}

static struct vd_error *
read_word(struct walk *w, uint64_t addr, uint64_t *ret)
{
	uint8_t b[8];
	struct vd_error *err = read_stack(w, addr, b, 8);

	if (err)
		return err;
	*ret = 0;
	for (int i = 7; i >= 0; i--)
		*ret = *ret << 8 | b[i];
	return NULL;
}

static struct vd_error *
read_regs(struct walk *w, uint64_t addr, size_t first, size_t count, uint64_t *regs)
{
	uint8_t b[PT_REGS_SIZE];
	struct vd_error *err = read_stack(w, addr + first * 8, b + first * 8, count * 8);

	if (err)
		return err;
	for (size_t r = first; r < first + count; r++) {
		regs[r] = 0;
		for (int i = 7; i >= 0; i--)
			regs[r] = regs[r] << 8 | b[r * 8 + i];
	}
	return NULL;
}

static struct vd_error *
emit(struct walk *w, enum vd_frame_kind kind)
{
	struct vd_frame *f;
	const struct vd_stack_range *st;

	if (*w->n == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 32;
		struct vd_frame *p = realloc(*w->frames, cap * sizeof(*p));

		if (!p)
			return &vd_enomem;
		*w->frames = p;
		w->cap = cap;
	}
	f = &(*w->frames)[(*w->n)++];
	memset(f, 0, sizeof(*f));
	f->pc = w->ip;
	f->sp = w->sp;
	f->kind = kind;
	f->reliable = w->reliable;
	f->exact_pc = kind != VD_FRAME_FUNCTION || (*w->n == 1 && w->signal);
	st = vd_stack_find(w->env->stacks, w->env->nstacks, w->sp, 1);
	f->stack = kind == VD_FRAME_USER ? "user" : st ? st->name : "unknown";
	if (w->have_regs) {
		f->have_regs = true;
		f->regs_addr = w->regs_addr;
		f->nregs = VD_X86_NREGS_PTREGS;
		memcpy(f->regs, w->regs, sizeof(w->regs));
	}
	return NULL;
}

static bool
user_mode(const uint64_t *regs)
{
	return (regs[VD_X86_CS] & 3) == 3;
}

/* A register the ORC entry bases sp on (R10, R13, DI, DX): from full regs. */
static struct vd_error *
base_reg(struct walk *w, unsigned reg, uint64_t *ret)
{
	static const int map[] = { [VD_ORC_REG_DX] = VD_X86_DX, [VD_ORC_REG_DI] = VD_X86_DI,
				   [VD_ORC_REG_R10] = VD_X86_R10, [VD_ORC_REG_R13] = VD_X86_R13 };

	if (!w->full_regs)
		return vd_error_create(VD_ERR_CORRUPT,
				       "ORC bases sp on register %u at 0x%" PRIx64
				       " but no register set is known there", reg, w->ip);
	*ret = w->regs[map[reg]];
	return NULL;
}

/* One step: from the current frame to its caller.  *done at the stack's end. */
static struct vd_error *
step(struct walk *w, bool *done, enum vd_frame_kind *kind)
{
	static const struct vd_orc_entry fp_entry = {
		.sp_reg = VD_ORC_REG_BP, .sp_offset = 16,
		.bp_reg = VD_ORC_REG_PREV_SP, .bp_offset = -16,
		.type = VD_ORC_TYPE_CALL,
	};
	struct vd_orc_entry orc;
	uint64_t lookup = w->signal ? w->ip : w->ip - 1, sp, prev_sp = w->sp;
	const struct vd_stack_range *prev_stack = w->stack, *st;
	struct vd_error *err;
	bool indirect = false;

	*done = false;
	switch (w->env->find_orc(w->env->priv, lookup, &orc)) {
	case VD_ORC_FOUND:
		if (orc.type == VD_ORC_TYPE_END_OF_STACK) {
			*done = true;
			return NULL;
		}
		if (orc.type == VD_ORC_TYPE_UNDEFINED)
			return vd_error_create(VD_ERR_CORRUPT,
					       "no unwind information at 0x%" PRIx64
					       " (ORC: undefined)", w->ip);
		break;
	case VD_ORC_NO_ENTRY:
		orc = fp_entry;
		w->reliable = false;
		break;
	case VD_ORC_NOT_TEXT:
		return vd_error_create(VD_ERR_CORRUPT, "pc 0x%" PRIx64 " is not kernel text",
				       w->ip);
	}

	switch (orc.sp_reg) {
	case VD_ORC_REG_SP:
		sp = w->sp + orc.sp_offset;
		break;
	case VD_ORC_REG_BP:
		sp = w->bp + orc.sp_offset;
		break;
	case VD_ORC_REG_SP_INDIRECT:
		sp = w->sp;
		indirect = true;
		break;
	case VD_ORC_REG_BP_INDIRECT:
		sp = w->bp + orc.sp_offset;
		indirect = true;
		break;
	case VD_ORC_REG_R10:
	case VD_ORC_REG_R13:
	case VD_ORC_REG_DI:
	case VD_ORC_REG_DX:
		if ((err = base_reg(w, orc.sp_reg, &sp)))
			return err;
		break;
	default:
		return vd_error_create(VD_ERR_CORRUPT, "unknown ORC sp register %u at 0x%" PRIx64,
				       orc.sp_reg, w->ip);
	}
	if (indirect) {
		if ((err = read_word(w, sp, &sp)))
			return vd_error_wrap(err, "reading the indirect stack pointer");
		// commit 87ccc826bf1c ("x86/unwind/orc: Change REG_SP_INDIRECT"),
		// 5.12: (%sp) + offset; it was unused before.
		if (orc.sp_reg == VD_ORC_REG_SP_INDIRECT)
			sp += orc.sp_offset;
	}

	switch (orc.type) {
	case VD_ORC_TYPE_CALL:
		if ((err = read_word(w, sp - 8, &w->ip)))
			return vd_error_wrap(err, "reading the return address");
		w->sp = sp;
		w->have_regs = w->full_regs = false;
		w->regs_addr = 0;
		*kind = VD_FRAME_FUNCTION;
		break;
	case VD_ORC_TYPE_REGS:
		if ((err = read_regs(w, sp, 0, VD_X86_NREGS_PTREGS, w->regs)))
			return vd_error_wrap(err, "reading pt_regs");
		memset(w->regs + VD_X86_NREGS_PTREGS, 0,
		       (VD_X86_NREGS - VD_X86_NREGS_PTREGS) * sizeof(w->regs[0]));
		w->ip = w->regs[VD_X86_IP];
		w->sp = w->regs[VD_X86_SP];
		w->regs_addr = sp;
		w->have_regs = w->full_regs = true;
		*kind = VD_FRAME_EXCEPTION;
		break;
	case VD_ORC_TYPE_REGS_PARTIAL:
		// Only the iret frame is valid; the rest of the pt_regs is not
		// this frame's.
		memset(w->regs, 0, sizeof(w->regs));
		if ((err = read_regs(w, sp - IRET_FRAME_OFFSET, VD_X86_IP, 5, w->regs)))
			return vd_error_wrap(err, "reading an iret frame");
		w->ip = w->regs[VD_X86_IP];
		w->sp = w->regs[VD_X86_SP];
		w->regs_addr = sp - IRET_FRAME_OFFSET;
		w->have_regs = true;
		w->full_regs = false;
		*kind = VD_FRAME_EXCEPTION;
		break;
	default:
		return vd_error_create(VD_ERR_CORRUPT, "unknown ORC entry type %u at 0x%" PRIx64,
				       orc.type, w->ip);
	}
	w->signal = orc.signal || orc.type == VD_ORC_TYPE_REGS ||
		    orc.type == VD_ORC_TYPE_REGS_PARTIAL;

	switch (orc.bp_reg) {
	case VD_ORC_REG_UNDEFINED:
		if (w->full_regs)
			w->bp = w->regs[VD_X86_BP];
		break;
	case VD_ORC_REG_PREV_SP:
		if ((err = read_word(w, sp + orc.bp_offset, &w->bp)))
			return vd_error_wrap(err, "reading the saved frame pointer");
		break;
	case VD_ORC_REG_BP:
		if ((err = read_word(w, w->bp + orc.bp_offset, &w->bp)))
			return vd_error_wrap(err, "reading the saved frame pointer");
		break;
	default:
		return vd_error_create(VD_ERR_CORRUPT, "unknown ORC bp register %u at 0x%" PRIx64,
				       orc.bp_reg, w->ip);
	}

	if (*kind == VD_FRAME_EXCEPTION && user_mode(w->regs)) {
		*kind = VD_FRAME_USER;
		return NULL;
	}
	// Bounds: the new sp on a known stack, above the old one on the same
	// stack, and never back on a stack left before.
	st = vd_stack_find(w->env->stacks, w->env->nstacks, w->sp, 1);
	if (!st)
		return vd_error_create(VD_ERR_CORRUPT,
				       "the caller's sp 0x%" PRIx64 " is on no stack of this task",
				       w->sp);
	if (st == prev_stack && w->sp <= prev_sp)
		return vd_error_create(VD_ERR_CORRUPT,
				       "stack goes the wrong way (sp 0x%" PRIx64 " after 0x%" PRIx64
				       "): a loop", w->sp, prev_sp);
	if (st != prev_stack) {
		if (w->left[st - w->env->stacks])
			return vd_error_create(VD_ERR_CORRUPT,
					       "back on the %s stack, left before: a loop", st->name);
		if (prev_stack)
			w->left[prev_stack - w->env->stacks] = true;
	}
	w->stack = st;
	return NULL;
}

struct vd_error *
vd_ux_unwind(const struct vd_ux_env *env, const struct vd_ux_start *start,
	     struct vd_frame **frames, size_t *n, struct vd_error **err_ret)
{
	struct walk w = { .env = env, .frames = frames, .n = n, .cap = *n };
	struct vd_error *err;
	size_t max = env->max_frames ? env->max_frames : VD_UNWIND_MAX_FRAMES;

	*err_ret = NULL;
	w.left = calloc(env->nstacks + 1, sizeof(*w.left));
	if (!w.left)
		return &vd_enomem;
	w.ip = start->ip;
	w.sp = start->sp;
	w.bp = start->bp;
	w.signal = start->signal;
	w.have_regs = w.full_regs = start->have_regs;
	w.regs_addr = start->regs_addr;
	memcpy(w.regs, start->regs, sizeof(w.regs));
	w.reliable = true;
	w.stack = vd_stack_find(env->stacks, env->nstacks, w.sp, 1);
	if (start->have_regs && user_mode(start->regs)) {
		err = emit(&w, VD_FRAME_USER);
		free(w.left);
		return err;
	}
	if ((err = emit(&w, VD_FRAME_FUNCTION))) {
		free(w.left);
		return err;
	}
	if (!w.stack) {
		*err_ret = vd_error_create(VD_ERR_CORRUPT, "sp 0x%" PRIx64 " is on no stack of this task",
					   w.sp);
		free(w.left);
		return NULL;
	}
	// The starting registers belong to frame 0 only.
	if (!start->have_regs)
		w.have_regs = w.full_regs = false;
	for (;;) {
		enum vd_frame_kind kind = VD_FRAME_FUNCTION;
		bool done;
		struct vd_error *e;

		if (*n >= max) {
			*err_ret = vd_error_create(VD_ERR_CORRUPT, "more than %zu frames: cut", max);
			break;
		}
		// Once a frame is found without ORC, the rest is a guess.
		e = step(&w, &done, &kind);
		if (e) {
			*err_ret = e;
			break;
		}
		if (done)
			break;
		if ((err = emit(&w, kind))) {
			free(w.left);
			return err;
		}
		if (kind == VD_FRAME_USER)
			break;
	}
	free(w.left);
	return NULL;
}
