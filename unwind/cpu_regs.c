// SPDX-License-Identifier: MIT
/*
 * Each CPU's registers at the time of the dump.
 *
 * 1. kexec/kdump kernels: the per-CPU crash_notes buffer (kernel/crash_core.c,
 *    note_buf_t __percpu *crash_notes) holds an ELF note "CORE"/NT_PRSTATUS
 *    that crash_save_cpu() filled for the panicking CPU and for each CPU the
 *    NMI stopped.  /proc/vmcore's PT_NOTE copies them but in the order CPUs
 *    answered (and without offline ones), so the per-CPU buffers are the
 *    authority.  A buffer never filled is all zero.
 * 2. Otherwise the dump's NT_PRSTATUS notes: QEMU's dump-guest-memory
 *    writes one per vCPU with pr_pid = vCPU index + 1; a kdump file whose
 *    notes carry Linux pids is matched to the CPU whose current task has
 *    that pid, and idle CPUs (pid 0) in note order.
 * struct elf_prstatus puts pr_reg at offset 112 on x86_64 and arm64.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "unwind_impl.h"

#define NT_PRSTATUS 1
#define PRSTATUS_REG_OFFSET 112

static uint32_t
arch_nregs(enum vd_arch arch)
{
	return arch == VD_ARCH_AARCH64 ? 34 : VD_X86_NREGS;
}

static uint32_t
le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t
le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

static void
check_usable(struct vd_unwinder *u, struct vd_cpu_regs *r)
{
	bool zero = true;
	unsigned pc = u->arch == VD_ARCH_AARCH64 ? 32 : VD_X86_IP;
	unsigned sp = u->arch == VD_ARCH_AARCH64 ? 31 : VD_X86_SP;

	for (uint32_t i = 0; i < r->nregs; i++)
		zero &= !r->regs[i];
	r->usable = !zero && r->regs[pc] && r->regs[sp];
	if (zero)
		r->why = "all registers are zero (the CPU did not save them)";
	else if (!r->usable)
		r->why = "no pc or sp";
}

static void
set(struct vd_unwinder *u, uint32_t cpu, const char *source, const uint64_t *regs,
    uint32_t nregs)
{
	struct vd_cpu_regs *r = &u->cpu_regs[cpu];

	memset(r, 0, sizeof(*r));
	r->cpu = (int32_t)cpu;
	r->source = source;
	r->nregs = VD_MIN(nregs, arch_nregs(u->arch));
	memcpy(r->regs, regs, r->nregs * sizeof(r->regs[0]));
	check_usable(u, r);
	u->have_cpu_regs[cpu] = true;
}

static void
from_crash_notes(struct vd_unwinder *u)
{
	uint64_t sym, base, a;
	uint8_t buf[20 + PRSTATUS_REG_OFFSET + 34 * 8];
	uint32_t nregs = arch_nregs(u->arch);

	if (!vd_session_symbol(u->s, "crash_notes", &sym) ||
	    vd_session_read_u64(u->s, VD_AS_KVIRT, sym, &base) != NULL || !base)
		return;
	for (uint32_t c = 0; c < u->ncpus; c++) {
		uint64_t regs[34];
		uint32_t namesz, descsz;
		bool zero = true;

		if (!vd_ok_(vd_session_percpu_ptr(u->s, base, c, &a)) ||
		    !vd_ok_(vd_session_read(u->s, VD_AS_KVIRT, a, buf, sizeof(buf), NULL)))
			continue;
		namesz = le32(buf);
		descsz = le32(buf + 4);
		// "CORE\0" padded to 8: the descriptor starts at 12 + 8.
		if (namesz != 5 || le32(buf + 8) != NT_PRSTATUS || memcmp(buf + 12, "CORE", 5) ||
		    descsz < PRSTATUS_REG_OFFSET + nregs * 8)
			continue;
		for (uint32_t i = 0; i < nregs; i++) {
			regs[i] = le64(buf + 20 + PRSTATUS_REG_OFFSET + 8 * i);
			zero &= !regs[i];
		}
		if (!zero)
			set(u, c, "crash_notes", regs, nregs);
	}
}

struct pid_cpu {
	int32_t pid;
	uint32_t cpu;
};

static int
pid_cpu_cmp(const void *a, const void *b)
{
	const struct pid_cpu *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->cpu < y->cpu ? -1 : x->cpu > y->cpu;
}

static void
from_dump_notes(struct vd_unwinder *u)
{
	const struct vd_dump_info *info = vd_session_info(u->s);
	size_t n = info->ncpus;
	bool qemu = n > 0;
	int32_t *curr_pid;
	bool *taken;
	struct pid_cpu *byp = NULL;
	size_t nbyp = 0;

	// QEMU numbers the notes' pids 1..n, each once (a bitmap of the
	// pids seen: linear in the number of CPUs).
	taken = calloc(n + 1, sizeof(*taken));
	if (!taken)
		return;
	for (size_t i = 0; i < n && qemu; i++) {
		int32_t pid = info->cpus[i].pid;

		if (pid < 1 || (size_t)pid > n || taken[pid])
			qemu = false;
		else
			taken[pid] = true;
	}
	memset(taken, 0, (n + 1) * sizeof(*taken));
	if (qemu) {
		for (size_t i = 0; i < n; i++)
			if ((uint32_t)(info->cpus[i].pid - 1) < u->ncpus && info->cpus[i].have_regs &&
			    !u->have_cpu_regs[info->cpus[i].pid - 1])
				set(u, (uint32_t)(info->cpus[i].pid - 1), "CPU note",
				    info->cpus[i].regs, info->cpus[i].nregs);
		free(taken);
		return;
	}
	// Linux pids: the CPU running that pid.
	curr_pid = calloc(u->ncpus, sizeof(*curr_pid));
	byp = calloc(u->ncpus ? u->ncpus : 1, sizeof(*byp));
	if (curr_pid && byp) {
		struct vd_task_iter it;
		const struct vd_task *t;
		struct vd_error *err;

		for (uint32_t c = 0; c < u->ncpus; c++)
			curr_pid[c] = -1;
		if (vd_ok_(vd_task_iter_init(&it, u->s, true))) {
			while ((err = vd_task_iter_next(&it, &t)) != &vd_stop)
				if (!err && t->active && t->cpu >= 0 && (uint32_t)t->cpu < u->ncpus)
					curr_pid[t->cpu] = t->pid;
				else
					vd_error_destroy(err);
			vd_task_iter_deinit(&it);
		}
		// (pid, cpu) sorted: a note finds its CPU by binary search,
		// the first such CPU without registers, as a scan would.
		for (uint32_t c = 0; c < u->ncpus; c++)
			if (curr_pid[c] > 0)
				byp[nbyp++] = (struct pid_cpu){ curr_pid[c], c };
		qsort(byp, nbyp, sizeof(*byp), pid_cpu_cmp);
		for (size_t i = 0; i < n; i++) {
			size_t lo = 0, hi = nbyp;
			int32_t pid = info->cpus[i].pid;

			if (pid <= 0 || !info->cpus[i].have_regs)
				continue;
			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;

				if (byp[mid].pid < pid)
					lo = mid + 1;
				else
					hi = mid;
			}
			for (; lo < nbyp && byp[lo].pid == pid; lo++)
				if (!u->have_cpu_regs[byp[lo].cpu]) {
					set(u, byp[lo].cpu, "CPU note", info->cpus[i].regs,
					    info->cpus[i].nregs);
					taken[i] = true;
					break;
				}
		}
		// The rest (idle CPUs, pid 0) in note order; the CPUs they take
		// are never freed, so one cursor walks them once.
		for (size_t i = 0, c = 0; i < n; i++) {
			if (taken[i] || !info->cpus[i].have_regs || info->cpus[i].pid > 0)
				continue;
			while (c < u->ncpus && (u->have_cpu_regs[c] || curr_pid[c] != 0))
				c++;
			if (c == u->ncpus)
				break;
			set(u, (uint32_t)c, "CPU note", info->cpus[i].regs, info->cpus[i].nregs);
		}
	}
	free(curr_pid);
	free(byp);
	free(taken);
}

struct vd_error *
vd_unwind_cpu_regs(struct vd_unwinder *u, int32_t cpu, struct vd_cpu_regs *ret)
{
	if (!u->regs_done) {
		u->regs_done = true;
		from_crash_notes(u);
		from_dump_notes(u);
	}
	if (cpu < 0 || (uint32_t)cpu >= u->ncpus || !u->have_cpu_regs[cpu])
		return vd_error_create(VD_ERR_LOOKUP,
				       "the dump has no registers for CPU %d (no crash_notes entry,"
				       " no CPU note)", cpu);
	*ret = u->cpu_regs[cpu];
	return NULL;
}
