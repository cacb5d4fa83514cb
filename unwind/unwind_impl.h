/* SPDX-License-Identifier: MIT */
/*
 * The unwinder's session state (struct vd_unwinder), shared by the public
 * entry points (unwind/unwind.c), the CPU registers (unwind/cpu_regs.c)
 * and the arch glue (unwind/x86_64_task.c).
 */
#ifndef VD_UNWIND_IMPL_H
#define VD_UNWIND_IMPL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "common/util.h"
#include "unwind_priv.h"
#include "vmdive/session.h"
#include "vmdive/unwind.h"
#include "vmdive/walk.h"

#define VD_CPU_STACKS_MAX 12

/* true when err is NULL; else destroys it: for reads whose failure is an answer. */
static inline bool
vd_ok_(struct vd_error *err)
{
	vd_error_destroy(err);
	return !err;
}

struct vd_umodule {
	uint64_t addr;                /* struct module */
	char name[64];
	struct vd_stack_range text[4];/* executable regions */
	size_t ntext;
	bool have_orc, orc_tried;
	uint64_t off_num, off_ip, off_orc;
	struct vd_orc_table orc;
};

struct vd_cpu_stacks {
	bool done;
	size_t n;
	struct vd_stack_range s[VD_CPU_STACKS_MAX];
};

struct vd_unwinder {
	struct vd_session *s;
	enum vd_arch arch;
	uint32_t ncpus;
	/* CPU registers, found on first use (cpu_regs.c) */
	bool regs_done;
	struct vd_cpu_regs *cpu_regs; /* [ncpus] */
	bool *have_cpu_regs;
	/* x86_64 */
	enum vd_orc_format orc_fmt;   /* 0 until known */
	enum vd_orc_regs orc_regs;    /* 0 until known */
	struct vd_orc_table vmlinux;
	struct vd_stack_range ktext[2];
	bool modules_loaded;
	struct vd_umodule *mods;
	size_t nmods;
	struct vd_cpu_stacks *cpu_stacks;
	uint64_t thread_size;
	uint64_t off_stack, off_thread_sp;
	uint64_t off_frame_bp, off_frame_ret, frame_size;
	uint64_t ret_from_fork, ret_from_fork_asm;
	/* arm64 */
	uint64_t off_ctx_fp, off_ctx_sp, off_ctx_pc;
	uint64_t off_stackframe, pt_regs_size;
	bool a64_meta;
	uint64_t pac_mask;
	uint64_t entry_start, entry_end;
};

struct vd_error *vd_x86_unwinder_init(struct vd_unwinder *u);
void vd_x86_unwinder_free(struct vd_unwinder *u);
struct vd_error *vd_x86_unwind_task(struct vd_unwinder *u, const struct vd_task *task,
				    struct vd_trace *tr);
struct vd_error *vd_a64_unwinder_init(struct vd_unwinder *u);
struct vd_error *vd_a64_unwind_task(struct vd_unwinder *u, const struct vd_task *task,
				    struct vd_trace *tr);
/* sp is on the task's stack or its CPU's IRQ/exception stacks. */
bool vd_x86_sp_on_stack(struct vd_unwinder *u, uint64_t task_stack, int32_t cpu,
			uint64_t sp);

#endif
