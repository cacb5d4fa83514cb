// SPDX-License-Identifier: MIT
/*
 * The unwinder's public entry points (include/vmdive/unwind.h): setup per
 * architecture, symbols for the frames, and the trace's memory.
 */
#include <stdlib.h>
#include <string.h>

#include "unwind_impl.h"

struct vd_error *
vd_unwinder_new(struct vd_session *s, struct vd_unwinder **ret)
{
	struct vd_unwinder *u;
	struct vd_error *err;

	*ret = NULL;
	u = calloc(1, sizeof(*u));
	if (!u)
		return &vd_enomem;
	u->s = s;
	u->arch = vd_session_info(s)->arch;
	if (vd_session_info(s)->kind != VD_DUMP_KERNEL) {
		free(u);
		return vd_error_create(VD_ERR_INVALID_ARG, "not a kernel dump");
	}
	if ((err = vd_session_ncpus(s, &u->ncpus))) {
		vd_error_destroy(err);
		u->ncpus = 1;
	}
	// Without __per_cpu_offset (no CONFIG_KALLSYMS_ALL, no vmlinux) the
	// CPU notes still say how many CPUs there are.
	if (u->ncpus < vd_session_info(s)->ncpus && vd_session_info(s)->ncpus <= 8192)
		u->ncpus = (uint32_t)vd_session_info(s)->ncpus;
	u->cpu_regs = calloc(u->ncpus, sizeof(*u->cpu_regs));
	u->have_cpu_regs = calloc(u->ncpus, sizeof(*u->have_cpu_regs));
	if (!u->cpu_regs || !u->have_cpu_regs) {
		vd_unwinder_free(u);
		return &vd_enomem;
	}
	switch (u->arch) {
	case VD_ARCH_X86_64:
		err = vd_x86_unwinder_init(u);
		break;
	case VD_ARCH_AARCH64:
		err = vd_a64_unwinder_init(u);
		break;
	default:
		err = vd_error_create(VD_ERR_NOTIMPL, "no unwinder for %s kernels",
				      vd_arch_name(u->arch));
		break;
	}
	if (err) {
		vd_unwinder_free(u);
		return err;
	}
	*ret = u;
	return NULL;
}

void
vd_unwinder_free(struct vd_unwinder *u)
{
	if (!u)
		return;
	if (u->arch == VD_ARCH_X86_64)
		vd_x86_unwinder_free(u);
	else
		free(u->cpu_stacks);
	free(u->cpu_regs);
	free(u->have_cpu_regs);
	free(u);
}

/*
 * Name each frame.  A return address may be just past a call to a
 * noreturn function, the last instruction of its caller: it is looked up
 * at pc - 1 (what it returns to is in the calling function); exact pcs
 * (a CPU's registers, interrupted contexts) as they are.
 */
static void
symbolize(struct vd_unwinder *u, struct vd_trace *tr)
{
	for (size_t i = 0; i < tr->nframes; i++) {
		struct vd_frame *f = &tr->frames[i];
		bool exact = f->exact_pc;
		struct vd_symbol_info si;

		f->symbol = NULL;
		f->module = NULL;
		if (f->kind == VD_FRAME_USER)
			continue;
		if (vd_session_symbolize(u->s, exact ? f->pc : f->pc - 1, &si)) {
			f->symbol = si.name;
			f->offset = f->pc - si.addr;
			f->module = si.module;
		}
	}
}

struct vd_error *
vd_unwind_task(struct vd_unwinder *u, const struct vd_task *task, struct vd_trace *ret)
{
	struct vd_error *err;

	memset(ret, 0, sizeof(*ret));
	ret->task = task->addr;
	ret->cpu = task->active ? task->cpu : -1;
	switch (u->arch) {
	case VD_ARCH_X86_64:
		err = vd_x86_unwind_task(u, task, ret);
		break;
	case VD_ARCH_AARCH64:
		err = vd_a64_unwind_task(u, task, ret);
		break;
	default:
		err = vd_error_create(VD_ERR_NOTIMPL, "no unwinder for %s", vd_arch_name(u->arch));
		break;
	}
	if (err) {
		vd_trace_free(ret);
		return err;
	}
	symbolize(u, ret);
	return NULL;
}

void
vd_trace_free(struct vd_trace *t)
{
	free(t->frames);
	vd_error_destroy(t->error);
	t->frames = NULL;
	t->nframes = 0;
	t->error = NULL;
}

const char *
vd_frame_kind_name(enum vd_frame_kind kind)
{
	switch (kind) {
	case VD_FRAME_FUNCTION:
		return "function";
	case VD_FRAME_EXCEPTION:
		return "exception";
	case VD_FRAME_USER:
		return "user";
	}
	return "?";
}
