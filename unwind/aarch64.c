// SPDX-License-Identifier: MIT
/*
 * The arm64 unwinder core: frame records (AAPCS64: x29 points at
 * {caller's x29, x30}), as the kernel's own unwinder walks them
 * (arch/arm64/kernel/stacktrace.c).
 *
 * - Return addresses carry pointer-authentication bits when the kernel
 *   signs them (CONFIG_ARM64_PTR_AUTH_KERNEL): they are stripped by setting
 *   the PAC bits of a kernel address, the mask VMCOREINFO gives as
 *   NUMBER(KERNELPACMASK) (commit "arm64: crash_core: Export KERNELPACMASK
 *   in vmcoreinfo", 5.7).
 * - Exceptions: kernel_entry stores a frame record inside the pt_regs
 *   (pt_regs->stackframe) and points x29 at it, so the chain runs through
 *   the exception; the function that entry code called returns into entry
 *   text (__entry_text_start..__entry_text_end), which is how the record
 *   after it is known to be a pt_regs's: its lr is the interrupted pc
 *   (ELR), exact, and the pt_regs is decoded.  An entry from user mode
 *   leaves the final frame record, at task_pt_regs(task)->stackframe
 *   (zeros before 6.13; from 6.13 a struct frame_record_meta whose type
 *   says FINAL (1) or PT_REGS (2), commit "arm64: stacktrace: unwind
 *   exception boundaries" series, v6.13): the walk ends there with the user
 *   registers.  From that series on, an exception from EL1 leaves no
 *   {x29, elr} record either: kernel_entry zeroes the record and sets the
 *   type PT_REGS, and the walk takes pc and x29 from the pt_regs; FINAL
 *   anywhere but in task_pt_regs(task), or another type, is an error, as
 *   in the kernel's kunwind_next_frame_record_meta().  Which kernel does
 *   this shows in its types: pt_regs->stackframe is 24 bytes, not 16.
 * - Bounds: records 8-byte aligned on a known stack (the kernel's own
 *   check: a 6.13+ pt_regs's frame_record_meta sits at offset 296, not a
 *   multiple of 16, in Debian's 7.2), growing upward on
 *   one stack, a stack once left never returned to, at most max_frames.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "unwind_priv.h"

#define META_FINAL 1
#define META_PT_REGS 2

struct walk {
	const struct vd_a64_env *env;
	struct vd_frame **frames;
	size_t *n, cap;
	bool *left;
};

static struct vd_error *
rd(struct walk *w, uint64_t addr, void *buf, size_t len)
{
	if (!vd_stack_find(w->env->stacks, w->env->nstacks, addr, len))
		return vd_error_fault(VD_ERR_FAULT, VD_AS_KVIRT, addr,
				      "0x%" PRIx64 " is on no stack of this task", addr);
	return w->env->read(w->env->priv, addr, buf, len);
}

static uint64_t
le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static struct vd_error *
read_regs(struct walk *w, uint64_t addr, uint64_t *regs)
{
	uint8_t b[VD_A64_NREGS * 8];
	struct vd_error *err = rd(w, addr, b, sizeof(b));

	if (err)
		return vd_error_wrap(err, "reading pt_regs at 0x%" PRIx64, addr);
	for (int i = 0; i < VD_A64_NREGS; i++)
		regs[i] = le64(b + 8 * i);
	return NULL;
}

static uint64_t
strip(const struct vd_a64_env *env, uint64_t lr)
{
	// A signed kernel return address: its top bits hold the PAC.
	if (env->pac_mask && (lr >> 55) & 1)
		return lr | env->pac_mask;
	return lr;
}

static struct vd_frame *
emit(struct walk *w, uint64_t pc, uint64_t sp, enum vd_frame_kind kind, bool reliable)
{
	struct vd_frame *f;
	const struct vd_stack_range *st;

	if (*w->n == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 32;
		struct vd_frame *p = realloc(*w->frames, cap * sizeof(*p));

		if (!p)
			return NULL;
		*w->frames = p;
		w->cap = cap;
	}
	f = &(*w->frames)[(*w->n)++];
	memset(f, 0, sizeof(*f));
	f->pc = pc;
	f->sp = sp;
	f->kind = kind;
	f->reliable = reliable;
	f->exact_pc = kind != VD_FRAME_FUNCTION;
	st = vd_stack_find(w->env->stacks, w->env->nstacks, sp, 1);
	f->stack = kind == VD_FRAME_USER ? "user" : st ? st->name : "unknown";
	return f;
}

static bool
in_entry(const struct vd_a64_env *env, uint64_t pc)
{
	return pc >= env->entry_start && pc < env->entry_end;
}

/*
 * The caller of the function interrupted with registers regs, when it is
 * only in the link register: that function has not stored the frame record
 * x29 points to (a leaf that stores none, or one before the end of its
 * prologue or after the start of its epilogue), so the record at x29 is its
 * caller's and the walk would skip the caller.  It has stored it when x30
 * returns into the function itself (it made a call, which only a function
 * with a frame record may) or when the record at x29 holds x30 (its own
 * record, holding the return address it was entered with).  Otherwise x30
 * is the caller, as DWARF CFI (drgn) says for such a pc.
 */
static bool
leaf_caller(struct walk *w, const uint64_t *regs, uint64_t *ret)
{
	const struct vd_a64_env *env = w->env;
	uint64_t lr = strip(env, regs[30]), fp = regs[VD_A64_FP], start, end;
	uint8_t rec[16];
	struct vd_error *err = NULL;

	if (!env->func_bounds || !(lr >> 63) || in_entry(env, lr) ||
	    in_entry(env, regs[VD_A64_PC]) ||
	    !env->func_bounds(env->priv, regs[VD_A64_PC], &start, &end) ||
	    (lr >= start && lr <= end) || !env->func_bounds(env->priv, lr - 4, &start, &end))
		return false;
	if (!fp || (fp & 7) || (err = rd(w, fp, rec, sizeof(rec)))) {
		if (fp && !(fp & 7))
			vd_error_destroy(err);
		return false;
	}
	if (strip(env, le64(rec + 8)) == lr)
		return false;
	*ret = lr;
	return true;
}

/* After a frame with registers: the leaf's caller from x30, if it is one. */
static struct vd_error *
maybe_lr_frame(struct walk *w, struct vd_frame **f)
{
	uint64_t regs[VD_A64_NREGS], lr;
	struct vd_frame *g;

	memcpy(regs, (*f)->regs, sizeof(regs));
	if (!leaf_caller(w, regs, &lr))
		return NULL;
	g = emit(w, lr, regs[VD_A64_SP], VD_FRAME_FUNCTION, false);
	if (!g)
		return &vd_enomem;
	g->from_lr = true;
	*f = g;
	return NULL;
}

/* The frame of a pt_regs at regs_addr: user mode ends the walk. */
static struct vd_error *
regs_frame(struct walk *w, uint64_t regs_addr, bool *user, uint64_t *next_fp,
	   struct vd_frame **ret)
{
	uint64_t regs[VD_A64_NREGS];
	struct vd_error *err = read_regs(w, regs_addr, regs);
	struct vd_frame *f;

	if (err)
		return err;
	// PSTATE.M[3:0] == 0: EL0t, user mode; a kernel thread's pt_regs at the
	// stack's top is all zero, and no user frame.
	*user = (regs[VD_A64_PSTATE] & 0xf) == 0 && (regs[VD_A64_PC] || regs[VD_A64_SP]);
	f = emit(w, regs[VD_A64_PC], regs[VD_A64_SP], *user ? VD_FRAME_USER : VD_FRAME_EXCEPTION,
		 true);
	if (!f)
		return &vd_enomem;
	f->have_regs = true;
	f->regs_addr = regs_addr;
	f->nregs = VD_A64_NREGS;
	memcpy(f->regs, regs, sizeof(regs));
	*next_fp = regs[VD_A64_FP];
	*ret = f;
	return NULL;
}

static struct vd_error *
walk(struct walk *w, const struct vd_a64_start *start, struct vd_error **err_ret)
{
	const struct vd_a64_env *env = w->env;
	size_t max = env->max_frames ? env->max_frames : VD_UNWIND_MAX_FRAMES;
	const struct vd_stack_range *stack, *st;
	uint64_t fp = start->fp, pc = start->pc;
	struct vd_frame *f;

	f = emit(w, pc, start->sp, (start->have_regs && (start->regs[VD_A64_PSTATE] & 0xf) == 0) ?
		 VD_FRAME_USER : VD_FRAME_FUNCTION, true);
	if (!f)
		return &vd_enomem;
	if (start->have_regs) {
		f->exact_pc = true;
		f->have_regs = true;
		f->nregs = VD_A64_NREGS;
		memcpy(f->regs, start->regs, sizeof(start->regs));
	}
	if (f->kind == VD_FRAME_USER)
		return NULL;
	if (start->have_regs && maybe_lr_frame(w, &f))
		return &vd_enomem;
	pc = f->pc;
	stack = vd_stack_find(env->stacks, env->nstacks, start->sp, 1);
	if (!stack)
		stack = vd_stack_find(env->stacks, env->nstacks, fp, 16);
	for (;;) {
		uint8_t rec[24];
		uint64_t next_fp, lr;
		bool user = false;
		struct vd_error *err;

		if (!fp)
			return NULL;          // the outermost frame (no caller)
		if (*w->n >= max) {
			*err_ret = vd_error_create(VD_ERR_CORRUPT, "more than %zu frames: cut", max);
			return NULL;
		}
		if (fp & 7) {
			*err_ret = vd_error_create(VD_ERR_CORRUPT,
						   "frame pointer 0x%" PRIx64 " is misaligned", fp);
			return NULL;
		}
		st = vd_stack_find(env->stacks, env->nstacks, fp, 16);
		if (!st) {
			*err_ret = vd_error_create(VD_ERR_CORRUPT,
						   "frame record 0x%" PRIx64 " is on no stack of this task",
						   fp);
			return NULL;
		}
		if (stack && st != stack) {
			if (w->left[st - env->stacks]) {
				*err_ret = vd_error_create(VD_ERR_CORRUPT,
							   "back on the %s stack, left before: a loop",
							   st->name);
				return NULL;
			}
			w->left[stack - env->stacks] = true;
		}
		stack = st;
		if ((err = rd(w, fp, rec, env->meta ? 24 : 16))) {
			*err_ret = vd_error_wrap(err, "reading the frame record");
			return NULL;
		}
		next_fp = le64(rec);
		lr = le64(rec + 8);
		if (env->meta && !next_fp && !lr) {
			// A struct frame_record_meta: {0, 0, type}, the kernel's
			// marker of an exception boundary (6.13+, see the top).
			uint64_t type = le64(rec + 16);

			if (type == META_FINAL && env->final_record && fp != env->final_record) {
				*err_ret = vd_error_create(VD_ERR_CORRUPT,
							   "a final frame record at 0x%" PRIx64
							   ", not in the task's pt_regs", fp);
				return NULL;
			}
			if (type != META_FINAL && type != META_PT_REGS) {
				*err_ret = vd_error_create(VD_ERR_CORRUPT,
							   "frame record at 0x%" PRIx64
							   ": metadata of unknown type %" PRIu64, fp, type);
				return NULL;
			}
			if ((err = regs_frame(w, fp - env->stackframe_off, &user, &next_fp, &f))) {
				if (err == &vd_enomem)
					return err;
				*err_ret = err;
				return NULL;
			}
			if (type == META_FINAL) {
				// A kernel thread's (or the idle task's) pt_regs: zeros.
				if (!user)
					(*w->n)--;
				return NULL;
			}
			if (user)
				return NULL;
			if (maybe_lr_frame(w, &f))
				return &vd_enomem;
			goto next;
		}
		if (fp == env->final_record) {
			// The bottom of a task's stack: the user registers, if it came
			// from user space (a kernel thread's pt_regs are zero).
			if ((err = regs_frame(w, fp - env->stackframe_off, &user, &next_fp, &f))) {
				if (err == &vd_enomem)
					return err;
				*err_ret = err;
				return NULL;
			}
			if (!user)
				(*w->n)--;
			return NULL;
		}
		if (in_entry(env, pc) && !(*w->n == 1 && start->have_regs)) {
			// pc returns into exception entry code: this record is the
			// one kernel_entry built in a pt_regs.
			if ((err = regs_frame(w, fp - env->stackframe_off, &user, &next_fp, &f))) {
				if (err == &vd_enomem)
					return err;
				*err_ret = err;
				return NULL;
			}
			if (user)
				return NULL;
			if (maybe_lr_frame(w, &f))
				return &vd_enomem;
		} else {
			// Its "sp": the record's address (crash's arm64 bt shows it so).
			f = emit(w, strip(env, lr), fp, VD_FRAME_FUNCTION, true);
			if (!f)
				return &vd_enomem;
		}
next:
		pc = f->pc;
		if (next_fp && next_fp <= fp &&
		    vd_stack_find(env->stacks, env->nstacks, next_fp, 16) == stack) {
			*err_ret = vd_error_create(VD_ERR_CORRUPT,
						   "frame pointer goes the wrong way (0x%" PRIx64
						   " after 0x%" PRIx64 "): a loop", next_fp, fp);
			return NULL;
		}
		fp = next_fp;
	}
}

struct vd_error *
vd_a64_unwind(const struct vd_a64_env *env, const struct vd_a64_start *start,
	      struct vd_frame **frames, size_t *n, struct vd_error **err_ret)
{
	struct walk w = { .env = env, .frames = frames, .n = n, .cap = *n };
	struct vd_error *err;

	*err_ret = NULL;
	w.left = calloc(env->nstacks + 1, sizeof(*w.left));
	if (!w.left)
		return &vd_enomem;
	err = walk(&w, start, err_ret);
	free(w.left);
	return err;
}
