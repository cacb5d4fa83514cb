// SPDX-License-Identifier: MIT
/*
 * The arm64 unwinder on a dump: stacks, starting registers and kernel
 * facts for the core in unwind/aarch64.c.
 *
 * - Sleeping tasks: task->thread.cpu_context, saved by cpu_switch_to():
 *   fp, sp and pc (the return address into __switch_to()).
 * - Running tasks: their CPU's registers (unwind/cpu_regs.c): x29, sp, pc.
 * - Stacks: the task's (task->stack, THREAD_SIZE from init_stack to
 *   __end_init_stack/__end_init_task, else 16 KiB); per CPU the IRQ stack
 *   (per-CPU irq_stack_ptr, IRQ_STACK_SIZE = THREAD_SIZE) and the overflow
 *   stack (per-CPU overflow_stack, OVERFLOW_STACK_SIZE = 4 KiB), and with
 *   SDEI firmware the SDEI normal and critical stacks.  A kernel
 *   without CONFIG_KALLSYMS_ALL (Debian's arm64 6.1) names neither without
 *   a vmlinux: then the THREAD_SIZE-aligned block around a running CPU's
 *   sp, when it is not the task's stack, stands for its IRQ stack (they
 *   are allocated THREAD_ALIGN-aligned), named "irq?".
 * - The final frame record: task_pt_regs(task)->stackframe, at the top of
 *   the task stack minus sizeof(struct pt_regs).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "unwind_impl.h"
#include "vmdive/ctype.h"
#include "walkers/walk_priv.h"

#define OVERFLOW_STACK_SIZE 4096

static struct vd_error *
read_mem(void *priv, uint64_t addr, void *buf, size_t len)
{
	struct vd_unwinder *u = priv;

	return vd_session_read(u->s, VD_AS_KVIRT, addr, buf, len, NULL);
}

struct vd_error *
vd_a64_unwinder_init(struct vd_unwinder *u)
{
	struct vd_qualified_type qt;
	uint64_t a, b;
	struct vd_error *err;

	u->thread_size = 16384;
	if (vd_session_symbol(u->s, "init_stack", &a) &&
	    (vd_session_symbol(u->s, "__end_init_stack", &b) ||
	     vd_session_symbol(u->s, "__end_init_task", &b)) &&
	    b > a && b - a <= (1u << 20) && !((b - a) & (b - a - 1)))
		u->thread_size = b - a;
	if ((err = vd_session_find_type(u->s, "struct task_struct", &qt)))
		return vd_error_wrap(err, "unwinding needs struct task_struct");
	if ((err = vd_type_offsetof(qt.type, "stack", &u->off_stack)) ||
	    (err = vd_type_offsetof(qt.type, "thread.cpu_context.fp", &u->off_ctx_fp)) ||
	    (err = vd_type_offsetof(qt.type, "thread.cpu_context.sp", &u->off_ctx_sp)) ||
	    (err = vd_type_offsetof(qt.type, "thread.cpu_context.pc", &u->off_ctx_pc)))
		return vd_error_wrap(err, "unwinding needs struct task_struct");
	if ((err = vd_session_find_type(u->s, "struct pt_regs", &qt)) ||
	    (err = vd_type_offsetof(qt.type, "stackframe", &u->off_stackframe)))
		return vd_error_wrap(err, "unwinding needs struct pt_regs");
	u->pt_regs_size = vd_type_unqualified(qt.type)->size;
	{
		struct vd_member_info mi;

		// 6.13+: struct frame_record_meta (record + type), 24 bytes.
		if (vd_ok_(vd_type_member(qt.type, "stackframe", &mi)) && mi.type.type &&
		    vd_type_unqualified(mi.type.type)->size == 24)
			u->a64_meta = true;
	}
	if (!vd_session_number(u->s, "NUMBER(KERNELPACMASK)", &u->pac_mask))
		u->pac_mask = 0;
	if (!vd_session_symbol(u->s, "__entry_text_start", &u->entry_start) ||
	    !vd_session_symbol(u->s, "__entry_text_end", &u->entry_end))
		u->entry_start = u->entry_end = 0;
	u->cpu_stacks = calloc(u->ncpus, sizeof(*u->cpu_stacks));
	return u->cpu_stacks ? NULL : &vd_enomem;
}

/*
 * CPU cpu's irq_stack_ptr without its symbol (no CONFIG_KALLSYMS_ALL, no
 * vmlinux): the CPU's per-CPU area from the task running there
 * (vd_percpu_base_from_task()) plus the variable's offset in the per-CPU
 * section (the kernel's BTF, DATASEC ".data..percpu").
 */
static bool
irq_stack_ptr_from_btf(struct vd_unwinder *u, uint32_t cpu, uint64_t task, uint64_t *ret)
{
	uint64_t base, off;

	if (!task || !vd_ok_(vd_percpu_base_from_task(u->s, task, cpu, &base)) ||
	    !vd_ok_(vd_session_percpu_offset(u->s, "irq_stack_ptr", &off)))
		return false;
	*ret = base + off;
	return true;
}

static void
cpu_stacks(struct vd_unwinder *u, uint32_t cpu, uint64_t task, struct vd_cpu_stacks *cs)
{
	uint64_t sym, a, ptr = 0;
	bool have;

	cs->done = true;
	have = vd_session_symbol(u->s, "irq_stack_ptr", &sym) &&
	       vd_ok_(vd_session_percpu_ptr(u->s, sym, cpu, &a));
	if (!have)
		have = irq_stack_ptr_from_btf(u, cpu, task, &a);
	// The IRQ stack is THREAD_ALIGN-aligned (init_irq_stacks():
	// arch_alloc_vmap_stack(IRQ_STACK_SIZE, ...)): a pointer that is not
	// was not read from irq_stack_ptr.
	if (have && vd_ok_(vd_session_read_u64(u->s, VD_AS_KVIRT, a, &ptr)) && ptr >> 63 &&
	    !(ptr & (u->thread_size - 1)))
		cs->s[cs->n++] = (struct vd_stack_range){ ptr, ptr + u->thread_size, "irq" };
	// The SDEI stacks (arch/arm64/kernel/sdei.c: per-CPU pointers to
	// SDEI_STACK_SIZE = IRQ_STACK_SIZE blocks), allocated only when the
	// firmware has SDEI: a pointer of 0 is no stack.
	ptr = 0;
	if (vd_session_symbol(u->s, "sdei_stack_normal_ptr", &sym) &&
	    vd_ok_(vd_session_percpu_ptr(u->s, sym, cpu, &a)) &&
	    vd_ok_(vd_session_read_u64(u->s, VD_AS_KVIRT, a, &ptr)) && ptr >> 63)
		cs->s[cs->n++] = (struct vd_stack_range){ ptr, ptr + u->thread_size, "SDEI" };
	ptr = 0;
	if (vd_session_symbol(u->s, "sdei_stack_critical_ptr", &sym) &&
	    vd_ok_(vd_session_percpu_ptr(u->s, sym, cpu, &a)) &&
	    vd_ok_(vd_session_read_u64(u->s, VD_AS_KVIRT, a, &ptr)) && ptr >> 63)
		cs->s[cs->n++] = (struct vd_stack_range){ ptr, ptr + u->thread_size,
							  "SDEI critical" };
	if (vd_session_symbol(u->s, "overflow_stack", &sym) &&
	    vd_ok_(vd_session_percpu_ptr(u->s, sym, cpu, &a)) && a >> 63)
		cs->s[cs->n++] = (struct vd_stack_range){ a, a + OVERFLOW_STACK_SIZE, "overflow" };
}

static bool
func_bounds(void *priv, uint64_t pc, uint64_t *start, uint64_t *end)
{
	struct vd_unwinder *u = priv;
	struct vd_symbol_info si;

	if (!vd_session_symbolize(u->s, pc, &si) || !si.size)
		return false;
	*start = si.addr;
	*end = si.addr + si.size;
	return true;
}

struct vd_error *
vd_a64_unwind_task(struct vd_unwinder *u, const struct vd_task *task, struct vd_trace *tr)
{
	struct vd_stack_range st[VD_CPU_STACKS_MAX + 2];
	struct vd_a64_env env = { .priv = u, .read = read_mem, .stacks = st,
				  .pac_mask = u->pac_mask, .entry_start = u->entry_start,
				  .entry_end = u->entry_end, .stackframe_off = u->off_stackframe,
				  .meta = u->a64_meta, .max_frames = VD_UNWIND_MAX_FRAMES,
				  .func_bounds = func_bounds };
	struct vd_a64_start start = { 0 };
	uint64_t stack = 0;
	size_t n = 0;
	struct vd_error *err;

	if ((err = vd_session_read_u64(u->s, VD_AS_KVIRT, task->addr + u->off_stack, &stack))) {
		tr->error = vd_error_wrap(err, "reading task->stack");
		return NULL;
	}
	if (!stack) {
		tr->note = "no stack: the task has exited";
		if (!(task->exit_state & 0x30))
			tr->error = vd_error_create(VD_ERR_CORRUPT, "task->stack is NULL");
		return NULL;
	}
	st[n++] = (struct vd_stack_range){ stack, stack + u->thread_size, "task" };
	env.final_record = stack + u->thread_size - u->pt_regs_size + u->off_stackframe;
	if (task->active && task->cpu >= 0) {
		struct vd_cpu_regs cr;
		const struct vd_cpu_stacks *cs = NULL;

		if ((err = vd_unwind_cpu_regs(u, task->cpu, &cr))) {
			tr->error = vd_error_wrap(err, "CPU %d", task->cpu);
			return NULL;
		}
		tr->cpu = task->cpu;
		tr->running = true;
		tr->start = cr.source;
		if (!cr.usable) {
			tr->error = vd_error_create(VD_ERR_CORRUPT,
						    "the registers of CPU %d are unusable: %s",
						    task->cpu, cr.why);
			return NULL;
		}
		if ((uint32_t)task->cpu < u->ncpus) {
			cs = &u->cpu_stacks[task->cpu];
			if (!cs->done)
				cpu_stacks(u, (uint32_t)task->cpu, task->addr,
					   &u->cpu_stacks[task->cpu]);
		}
		for (size_t i = 0; cs && i < cs->n && n < VD_ARRAY_SIZE(st); i++)
			st[n++] = cs->s[i];
		start.have_regs = true;
		memcpy(start.regs, cr.regs, sizeof(start.regs));
		start.pc = cr.regs[VD_A64_PC];
		start.sp = cr.regs[VD_A64_SP];
		start.fp = cr.regs[VD_A64_FP];
		if (!vd_stack_find(st, n, start.sp, 1) && start.sp >> 63 && (!cs || !cs->n)) {
			uint64_t base = start.sp & ~(u->thread_size - 1);

			st[n++] = (struct vd_stack_range){ base, base + u->thread_size, "irq?" };
		}
	} else {
		tr->start = "thread.cpu_context";
		if ((err = vd_session_read_u64(u->s, VD_AS_KVIRT, task->addr + u->off_ctx_fp,
					       &start.fp)) ||
		    (err = vd_session_read_u64(u->s, VD_AS_KVIRT, task->addr + u->off_ctx_sp,
					       &start.sp)) ||
		    (err = vd_session_read_u64(u->s, VD_AS_KVIRT, task->addr + u->off_ctx_pc,
					       &start.pc))) {
			tr->error = vd_error_wrap(err, "reading task->thread.cpu_context");
			return NULL;
		}
		start.pc = start.pc >> 55 & 1 && u->pac_mask ? start.pc | u->pac_mask : start.pc;
	}
	env.nstacks = n;
	return vd_a64_unwind(&env, &start, &tr->frames, &tr->nframes, &tr->error);
}
