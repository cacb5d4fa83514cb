// SPDX-License-Identifier: MIT
/*
 * The x86_64 unwinder on a dump: ORC tables, stacks and starting registers
 * found in the dead kernel's memory, for the core in unwind/x86_64.c.
 *
 * ORC tables: vmlinux's __start_orc_unwind_ip..__stop_orc_unwind_ip and
 * __start_orc_unwind (kallsyms has them on CONFIG_KALLSYMS_ALL kernels),
 * each module's mod->arch.{num_orcs, orc_unwind_ip, orc_unwind}; the format
 * from __start_orc_header (6.4+, V3) or from the entries (unwind_priv.h).
 *
 * Stacks (arch/x86/kernel/dumpstack_64.c, get_stack_info()):
 * - the task stack, task->stack .. + THREAD_SIZE; THREAD_SIZE from
 *   init_stack to its end symbol (__end_init_task; __end_init_stack on
 *   6.12, where the linker script renamed the init stack's symbols), else
 *   16 KiB;
 * - the IRQ stack: per-CPU hardirq_stack_ptr (in struct pcpu_hot from 6.2,
 *   "x86/percpu: Move irq_stack variables next to current_task"), which points at the top word: the stack is the
 *   IRQ_STACK_SIZE (= THREAD_SIZE) bytes below ptr + 8;
 * - the exception (IST) stacks: per-CPU cea_exception_stacks points at the
 *   CPU's struct cea_exception_stacks in the cpu_entry_area, whose
 *   X_stack members (between guard pages) are the stacks;
 * - the entry (trampoline) stack in the same cpu_entry_area (entry_stack()).
 *
 * Starting registers: a sleeping task's from task->thread.sp, which points
 * at the struct inactive_task_frame __switch_to_asm pushed (its bp and
 * ret_addr; the caller's sp is just above it, as the kernel's
 * __unwind_start() takes it).  A running task's from its CPU's registers
 * (unwind/cpu_regs.c).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/session_priv.h"
#include "unwind_impl.h"
#include "vmdive/ctype.h"

#define MAX_ORC_ENTRIES (8u << 20)
#define MAX_MODULES 4096

/* EXIT_DEAD, EXIT_ZOMBIE in include/linux/sched.h. */
#define EXIT_DEAD 0x10
#define EXIT_ZOMBIE 0x20

static struct vd_error *
read_mem(void *priv, uint64_t addr, void *buf, size_t len)
{
	struct vd_unwinder *u = priv;

	return vd_session_read(u->s, VD_AS_KVIRT, addr, buf, len, NULL);
}

static struct vd_error *
read_u64(struct vd_unwinder *u, uint64_t addr, uint64_t *ret)
{
	return vd_session_read_u64(u->s, VD_AS_KVIRT, addr, ret);
}

static struct vd_error *
read_u32(struct vd_unwinder *u, uint64_t addr, uint32_t *ret)
{
	uint8_t b[4];
	struct vd_error *err = vd_session_read(u->s, VD_AS_KVIRT, addr, b, 4, NULL);

	if (!err)
		*ret = b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
	return err;
}

/*
 * The kernel's two arrays where the dump holds them (the ELF file's own
 * bytes: nothing copied), else read once; the table borrows them.
 */
static struct vd_error *
load_table(struct vd_unwinder *u, uint64_t ip_addr, uint64_t orc_addr, size_t n,
	   struct vd_orc_table *t)
{
	const void *ipbuf = NULL, *entbuf = NULL;
	void *own_ip = NULL, *own_ent = NULL;
	struct vd_error *err;

	if (n > MAX_ORC_ENTRIES)
		return vd_error_create(VD_ERR_CORRUPT, "%zu ORC entries: too many", n);
	if (!n) {
		ipbuf = entbuf = "";           // an empty table
	} else if ((err = vd_session_map_kvirt(u->s, ip_addr, n * 4, &ipbuf, &own_ip))) {
		return err;
	} else if ((err = vd_session_map_kvirt(u->s, orc_addr, n * VD_ORC_ENTRY_SIZE, &entbuf,
					       &own_ent))) {
		free(own_ip);
		return err;
	}
	// The format and the register numbering, unless known (vmlinux's
	// for a module), are guessed in the pass that checks the order.
	err = vd_orc_table_load(t, ip_addr, ipbuf, entbuf, n, u->orc_fmt, u->orc_regs,
				own_ip, own_ent);
	if (!err && n) {
		u->orc_fmt = t->fmt;
		u->orc_regs = t->regs;
	}
	return err;
}

static struct vd_error *
load_vmlinux_orc(struct vd_unwinder *u)
{
	uint64_t ip_start, ip_stop, orc_start, hdr, a, b;
	struct vd_error *err;

	if (!vd_session_symbol(u->s, "__start_orc_unwind_ip", &ip_start) ||
	    !vd_session_symbol(u->s, "__stop_orc_unwind_ip", &ip_stop) ||
	    !vd_session_symbol(u->s, "__start_orc_unwind", &orc_start))
		return vd_error_create(VD_ERR_LOOKUP,
				       "no ORC tables (__start_orc_unwind_ip, __stop_orc_unwind_ip, "
				       "__start_orc_unwind) in %s", vd_session_symbol_source(u->s));
	if (ip_stop < ip_start || (ip_stop - ip_start) % 4)
		return vd_error_create(VD_ERR_CORRUPT, "ORC ip table 0x%" PRIx64 "..0x%" PRIx64
				       " is no array of s32", ip_start, ip_stop);
	if (vd_session_symbol(u->s, "__start_orc_header", &hdr))
		u->orc_fmt = VD_ORC_V3;
	if ((err = load_table(u, ip_start, orc_start, (ip_stop - ip_start) / 4, &u->vmlinux)))
		return vd_error_wrap(err, "reading vmlinux's ORC tables");
	// The kernel's text: the table covers it (and init text while it lives).
	u->ktext[0].start = u->vmlinux.text_start;
	u->ktext[0].end = u->vmlinux.text_end;
	if (vd_session_symbol(u->s, "_stext", &a) && vd_session_symbol(u->s, "_etext", &b) &&
	    a < b) {
		u->ktext[0].start = a;
		u->ktext[0].end = b;
	}
	if (vd_session_symbol(u->s, "_sinittext", &a) &&
	    vd_session_symbol(u->s, "_einittext", &b) && a < b) {
		u->ktext[1].start = a;
		u->ktext[1].end = b;
	}
	return NULL;
}

/* Modules: their text and ORC arrays (loaded on first lookup). */
static void
load_modules(struct vd_unwinder *u)
{
	struct vd_module_iter it;
	const struct vd_module *m;
	struct vd_qualified_type qt;
	uint64_t off_num = 0, off_ip = 0, off_orc = 0;
	bool have_orc;
	struct vd_error *err;

	u->modules_loaded = true;
	have_orc = vd_ok_(vd_session_find_type(u->s, "struct module", &qt)) &&
		   vd_ok_(vd_type_offsetof(qt.type, "arch.num_orcs", &off_num)) &&
		   vd_ok_(vd_type_offsetof(qt.type, "arch.orc_unwind_ip", &off_ip)) &&
		   vd_ok_(vd_type_offsetof(qt.type, "arch.orc_unwind", &off_orc));
	if (vd_module_iter_init(&it, u->s))
		return;
	while ((err = vd_module_iter_next(&it, &m)) != &vd_stop) {
		struct vd_umodule *um;
		struct vd_umodule *p;

		if (err) {
			vd_error_destroy(err);
			continue;
		}
		if (u->nmods >= MAX_MODULES)
			break;
		p = realloc(u->mods, (u->nmods + 1) * sizeof(*p));
		if (!p)
			break;
		u->mods = p;
		um = &u->mods[u->nmods++];
		memset(um, 0, sizeof(*um));
		um->addr = m->addr;
		snprintf(um->name, sizeof(um->name), "%s", m->name);
		for (size_t r = 0; r < m->nregions && um->ntext < VD_ARRAY_SIZE(um->text); r++)
			if (m->regions[r].exec && m->regions[r].size) {
				um->text[um->ntext].start = m->regions[r].base;
				um->text[um->ntext].end = m->regions[r].base + m->regions[r].size;
				um->ntext++;
			}
		um->have_orc = have_orc;
		um->off_num = off_num;
		um->off_ip = off_ip;
		um->off_orc = off_orc;
	}
	vd_module_iter_deinit(&it);
}

static void
load_module_orc(struct vd_unwinder *u, struct vd_umodule *um)
{
	uint32_t num;
	uint64_t ip, orc;
	struct vd_error *err;

	um->orc_tried = true;
	if (!um->have_orc)
		return;
	if ((err = read_u32(u, um->addr + um->off_num, &num)) ||
	    (err = read_u64(u, um->addr + um->off_ip, &ip)) ||
	    (err = read_u64(u, um->addr + um->off_orc, &orc))) {
		vd_error_destroy(err);
		return;
	}
	if (!num || !ip || !orc)
		return;
	err = load_table(u, ip, orc, num, &um->orc);
	vd_error_destroy(err);
}

static bool
in_ranges(const struct vd_stack_range *r, size_t n, uint64_t a)
{
	for (size_t i = 0; i < n; i++)
		if (a >= r[i].start && a < r[i].end)
			return true;
	return false;
}

static enum vd_orc_lookup
find_orc(void *priv, uint64_t ip, struct vd_orc_entry *ret)
{
	struct vd_unwinder *u = priv;

	if (!(ip >> 63))
		return VD_ORC_NOT_TEXT;
	if (in_ranges(u->ktext, VD_ARRAY_SIZE(u->ktext), ip))
		return vd_orc_table_find(&u->vmlinux, ip, ret) ? VD_ORC_FOUND : VD_ORC_NO_ENTRY;
	if (!u->modules_loaded)
		load_modules(u);
	for (size_t i = 0; i < u->nmods; i++) {
		struct vd_umodule *um = &u->mods[i];

		if (!in_ranges(um->text, um->ntext, ip))
			continue;
		if (!um->orc_tried)
			load_module_orc(u, um);
		return vd_orc_table_find(&um->orc, ip, ret) ? VD_ORC_FOUND : VD_ORC_NO_ENTRY;
	}
	// BPF programs, ftrace trampolines: the kernel guesses frame pointers.
	return VD_ORC_NO_ENTRY;
}

/* Per-CPU stacks --------------------------------------------------------------- */

static const char *
ist_name(const char *member)
{
	static const char *const names[][2] = {
		{ "DF_stack", "#DF" }, { "NMI_stack", "NMI" }, { "DB_stack", "#DB" },
		{ "DB1_stack", "#DB1" }, { "MCE_stack", "#MC" }, { "VC_stack", "#VC" },
		{ "VC2_stack", "#VC2" },
	};

	for (size_t i = 0; i < VD_ARRAY_SIZE(names); i++)
		if (!strcmp(member, names[i][0]))
			return names[i][1];
	return NULL;
}

/*
 * The entry (trampoline) stack, the kernel's STACK_TYPE_ENTRY
 * (in_entry_stack(): cpu_entry_stack(cpu), the entry_stack_page of the
 * CPU's struct cpu_entry_area): an interrupt or exception from user mode,
 * and SYSCALL's first instructions, run on it before the switch to the
 * task stack.  The CPU's cpu_entry_area is found from its exception
 * stacks (estacks, inside it), which keeps this right where the per-CPU
 * areas are randomized (6.2+, "x86/mm: Randomize per-cpu entry area").
 */
static void
entry_stack(struct vd_unwinder *u, uint64_t estacks, struct vd_cpu_stacks *cs)
{
	struct vd_qualified_type qt;
	struct vd_member_info mi;
	uint64_t off_estacks, off_entry, size;

	if (cs->n >= VD_ARRAY_SIZE(cs->s) ||
	    !vd_ok_(vd_session_find_type(u->s, "struct cpu_entry_area", &qt)) ||
	    !vd_ok_(vd_type_offsetof(qt.type, "estacks", &off_estacks)) ||
	    !vd_ok_(vd_type_offsetof(qt.type, "entry_stack_page.stack", &off_entry)) ||
	    !vd_ok_(vd_type_member(qt.type, "entry_stack_page.stack", &mi)) || !mi.type.type ||
	    off_estacks > estacks)
		return;
	size = vd_type_unqualified(mi.type.type)->size;
	if (!size || size > 65536)
		return;
	cs->s[cs->n++] = (struct vd_stack_range){ estacks - off_estacks + off_entry,
						  estacks - off_estacks + off_entry + size,
						  "entry" };
}

static void
cpu_stacks(struct vd_unwinder *u, uint32_t cpu, struct vd_cpu_stacks *cs)
{
	uint64_t sym, a, ptr;
	struct vd_qualified_type qt;

	cs->done = true;
	// The IRQ stack.
	ptr = 0;
	if (vd_session_symbol(u->s, "hardirq_stack_ptr", &sym)) {
		if (vd_ok_(vd_session_percpu_ptr(u->s, sym, cpu, &a)))
			vd_ok_(read_u64(u, a, &ptr));
	} else if (vd_session_symbol(u->s, "pcpu_hot", &sym) &&
		   vd_ok_(vd_session_find_type(u->s, "struct pcpu_hot", &qt)) &&
		   vd_ok_(vd_type_offsetof(qt.type, "hardirq_stack_ptr", &a)) &&
		   vd_ok_(vd_session_percpu_ptr(u->s, sym + a, cpu, &a))) {
		vd_ok_(read_u64(u, a, &ptr));
	}
	if (ptr >> 63 && ptr + 8 > u->thread_size) {
		cs->s[cs->n++] = (struct vd_stack_range){ ptr + 8 - u->thread_size, ptr + 8, "irq" };
	}
	// The exception stacks.
	if (vd_session_symbol(u->s, "cea_exception_stacks", &sym) &&
	    vd_ok_(vd_session_percpu_ptr(u->s, sym, cpu, &a)) && vd_ok_(read_u64(u, a, &ptr)) &&
	    ptr >> 63 && vd_ok_(vd_session_find_type(u->s, "struct cea_exception_stacks", &qt))) {
		const struct vd_type *t = vd_type_unqualified(qt.type);

		for (size_t i = 0; i < t->nmembers && cs->n < VD_ARRAY_SIZE(cs->s); i++) {
			const struct vd_member *m = &t->members[i];
			const char *name = m->name ? ist_name(m->name) : NULL;

			if (!name || !m->type.type || !vd_type_unqualified(m->type.type)->size)
				continue;
			cs->s[cs->n++] = (struct vd_stack_range){
				ptr + m->bit_offset / 8,
				ptr + m->bit_offset / 8 + vd_type_unqualified(m->type.type)->size, name };
		}
		entry_stack(u, ptr, cs);
	}
}

static const struct vd_cpu_stacks *
get_cpu_stacks(struct vd_unwinder *u, int32_t cpu)
{
	if (cpu < 0 || (uint32_t)cpu >= u->ncpus)
		return NULL;
	if (!u->cpu_stacks[cpu].done)
		cpu_stacks(u, (uint32_t)cpu, &u->cpu_stacks[cpu]);
	return &u->cpu_stacks[cpu];
}

/* Setup ---------------------------------------------------------------------- */

struct vd_error *
vd_x86_unwinder_init(struct vd_unwinder *u)
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
	    (err = vd_type_offsetof(qt.type, "thread.sp", &u->off_thread_sp)))
		return vd_error_wrap(err, "unwinding needs struct task_struct");
	// struct inactive_task_frame (arch/x86/include/asm/switch_to.h): the
	// type when the dump has it, else its x86_64 layout since 4.9 (commit
	// "x86: Pass kernel thread parameters in fork_frame" and its series):
	// r15 r14 r13 r12 bx bp ret_addr.
	u->off_frame_bp = 40;
	u->off_frame_ret = 48;
	u->frame_size = 56;
	if (vd_ok_(vd_session_find_type(u->s, "struct inactive_task_frame", &qt)) &&
	    vd_ok_(vd_type_offsetof(qt.type, "bp", &a)) &&
	    vd_ok_(vd_type_offsetof(qt.type, "ret_addr", &b))) {
		u->off_frame_bp = a;
		u->off_frame_ret = b;
		u->frame_size = vd_type_unqualified(qt.type)->size;
	}
	if (!vd_session_symbol(u->s, "ret_from_fork_asm", &u->ret_from_fork_asm))
		u->ret_from_fork_asm = 0;
	if (!vd_session_symbol(u->s, "ret_from_fork", &u->ret_from_fork))
		u->ret_from_fork = 0;
	if ((err = load_vmlinux_orc(u)))
		return err;
	u->cpu_stacks = calloc(u->ncpus, sizeof(*u->cpu_stacks));
	if (!u->cpu_stacks)
		return &vd_enomem;
	return NULL;
}

void
vd_x86_unwinder_free(struct vd_unwinder *u)
{
	vd_orc_table_free(&u->vmlinux);
	for (size_t i = 0; i < u->nmods; i++)
		vd_orc_table_free(&u->mods[i].orc);
	free(u->mods);
	free(u->cpu_stacks);
}

/* The stacks a task may use: its own, and its CPU's when it runs. */
static size_t
task_stacks(struct vd_unwinder *u, uint64_t stack, int32_t cpu,
	    struct vd_stack_range *out, size_t max)
{
	const struct vd_cpu_stacks *cs = get_cpu_stacks(u, cpu);
	size_t n = 0;

	if (stack >> 63 && stack + u->thread_size > stack)
		out[n++] = (struct vd_stack_range){ stack, stack + u->thread_size, "task" };
	for (size_t i = 0; cs && i < cs->n && n < max; i++)
		out[n++] = cs->s[i];
	return n;
}

bool
vd_x86_sp_on_stack(struct vd_unwinder *u, uint64_t task_stack, int32_t cpu, uint64_t sp)
{
	struct vd_stack_range st[VD_CPU_STACKS_MAX + 1];
	size_t n = task_stacks(u, task_stack, cpu, st, VD_ARRAY_SIZE(st));

	return vd_stack_find(st, n, sp, 8) != NULL;
}

struct vd_error *
vd_x86_unwind_task(struct vd_unwinder *u, const struct vd_task *task, struct vd_trace *tr)
{
	struct vd_stack_range st[VD_CPU_STACKS_MAX + 1];
	struct vd_ux_env env = { .priv = u, .read = read_mem, .find_orc = find_orc,
				 .stacks = st, .max_frames = VD_UNWIND_MAX_FRAMES };
	struct vd_ux_start start = { 0 };
	uint64_t stack = 0, tsp;
	struct vd_error *err;
	int32_t cpu = -1;

	if ((err = read_u64(u, task->addr + u->off_stack, &stack))) {
		tr->error = vd_error_wrap(err, "reading task->stack");
		return NULL;
	}
	if (!stack) {
		tr->note = "no stack: the task has exited";
		if (!(task->exit_state & (EXIT_DEAD | EXIT_ZOMBIE)))
			tr->error = vd_error_create(VD_ERR_CORRUPT, "task->stack is NULL");
		return NULL;
	}
	if (task->active && task->cpu >= 0) {
		struct vd_cpu_regs cr;

		cpu = task->cpu;
		err = vd_unwind_cpu_regs(u, cpu, &cr);
		if (err) {
			tr->error = vd_error_wrap(err, "CPU %d", cpu);
			return NULL;
		}
		tr->cpu = cpu;
		tr->running = true;
		tr->start = cr.source;
		if (!cr.usable) {
			tr->error = vd_error_create(VD_ERR_CORRUPT,
						    "the registers of CPU %d are unusable: %s", cpu,
						    cr.why);
			return NULL;
		}
		start.have_regs = true;
		start.signal = true;
		memcpy(start.regs, cr.regs, sizeof(start.regs));
		start.ip = cr.regs[VD_X86_IP];
		start.sp = cr.regs[VD_X86_SP];
		start.bp = cr.regs[VD_X86_BP];
	} else {
		uint8_t fr[128];
		size_t fsz = VD_MIN(u->frame_size, sizeof(fr));

		tr->start = "thread.sp";
		if ((err = read_u64(u, task->addr + u->off_thread_sp, &tsp))) {
			tr->error = vd_error_wrap(err, "reading task->thread.sp");
			return NULL;
		}
		if (tsp < stack || tsp + fsz > stack + u->thread_size) {
			tr->error = vd_error_create(VD_ERR_CORRUPT,
						    "thread.sp 0x%" PRIx64 " is not on the task's stack"
						    " 0x%" PRIx64 "-0x%" PRIx64, tsp, stack,
						    stack + u->thread_size);
			return NULL;
		}
		if ((err = vd_session_read(u->s, VD_AS_KVIRT, tsp, fr, fsz, NULL))) {
			tr->error = vd_error_wrap(err, "reading the inactive task frame");
			return NULL;
		}
		memcpy(&start.bp, fr + u->off_frame_bp, 8);
		memcpy(&start.ip, fr + u->off_frame_ret, 8);
		start.sp = tsp + u->frame_size;
		// A task that never ran returns to ret_from_fork (6.4+:
		// ret_from_fork_asm), whose pt_regs hint is exact.
		if ((u->ret_from_fork && start.ip == u->ret_from_fork) ||
		    (u->ret_from_fork_asm && start.ip == u->ret_from_fork_asm)) {
			start.signal = true;
			tr->note = "the task has not run yet";
		}
	}
	env.nstacks = task_stacks(u, stack, cpu, st, VD_ARRAY_SIZE(st));
	return vd_ux_unwind(&env, &start, &tr->frames, &tr->nframes, &tr->error);
}
