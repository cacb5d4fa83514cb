// SPDX-License-Identifier: MIT
/*
 * Tasks: every thread-group leader on init_task.tasks, optionally every
 * thread of each group, and each possible CPU's idle task (runqueues[cpu]
 * .idle; only CPU 0's, init_task, is on no list).  The PID hash is not
 * used: crash 8.0.2's walk of it fails on Debian's 6.1 (struct pid's
 * numbers[] became a flexible array), and init_task.tasks holds the same
 * processes.
 *
 * Kernel variants, by which member exists:
 * - task->__state (5.14, commit 2f064a59a11f "sched: Change
 *   task_struct::state"), before that task->state;
 * - task->thread_info.cpu (5.16, commit bcf9033e5449 "sched: move CPU field
 *   back into thread_info if THREAD_INFO_IN_TASK"), before that task->cpu;
 * - threads on signal->thread_head through task->thread_node (3.14, commit
 *   0c740d0afc3b "introduce for_each_thread() to replace the buggy
 *   while_each_thread()"), else the task->thread_group ring (gone in 6.7,
 *   commit 8e1f385104ac "kill task_struct->thread_group").
 *
 * All tasks are collected at init and returned sorted by pid (idle tasks,
 * pid 0, by CPU), like crash's ps.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "walk_priv.h"

/* PF_KTHREAD in include/linux/sched.h, unchanged since 2.6.27. */
#define PF_KTHREAD 0x00200000ull

struct task_fields {
	struct vd_field tasks, pid, tgid, comm, state, exit_state, flags, mm,
			real_parent, signal, cpu, thread_node, thread_group;
	struct vd_field thread_head;      /* in struct signal_struct */
	struct vd_field rq_curr, rq_idle; /* in struct rq */
	struct vd_rq_chase rqc;           /* runqueues without symbols */
};

struct entry {
	struct vd_error *err;             /* an element skipped */
	struct vd_task t;
};

struct vd_task_walk {
	struct vd_session *s;
	struct task_fields f;
	struct vd_percpu pc;
	uint64_t *curr;                   /* runqueues[cpu].curr */
	uint64_t *curr_sorted;            /* the non-zero ones, sorted */
	size_t ncurr_sorted;
	struct vd_walk_buf buf;         /* struct entry */
	struct vd_addr_set seen;          /* task addresses added */
};

static struct entry *
ents(const struct vd_task_walk *w)
{
	return w->buf.e;
}
static int
u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Sort the runqueues' current tasks once, so that "is this task running"
 * is a binary search: tasks x CPUs compares otherwise (a 1024-CPU machine
 * with 100,000 tasks).  false: out of memory.
 */
static bool
sort_curr(struct vd_task_walk *w)
{
	free(w->curr_sorted);
	w->curr_sorted = NULL;
	w->ncurr_sorted = 0;
	if (!w->curr)
		return true;
	w->curr_sorted = malloc((w->pc.ncpus ? w->pc.ncpus : 1) * sizeof(*w->curr_sorted));
	if (!w->curr_sorted)
		return false;
	for (uint32_t c = 0; c < w->pc.ncpus; c++)
		if (w->curr[c])
			w->curr_sorted[w->ncurr_sorted++] = w->curr[c];
	qsort(w->curr_sorted, w->ncurr_sorted, sizeof(*w->curr_sorted), u64_cmp);
	return true;
}

static bool
is_curr(const struct vd_task_walk *w, uint64_t addr)
{
	return addr && w->curr_sorted &&
	       bsearch(&addr, w->curr_sorted, w->ncurr_sorted, sizeof(addr), u64_cmp);
}

static struct vd_error *
setup_fields(struct vd_session *s, struct task_fields *f)
{
	const struct vd_type *t, *sig, *rq;
	struct vd_error *err;

	if ((err = vd_walk_type(s, "struct task_struct", &t)))
		return err;
	if ((err = vd_walk_need(t, "struct task_struct", "tasks", &f->tasks)) ||
	    (err = vd_walk_need(t, "struct task_struct", "pid", &f->pid)) ||
	    (err = vd_walk_need(t, "struct task_struct", "tgid", &f->tgid)) ||
	    (err = vd_walk_need(t, "struct task_struct", "comm", &f->comm)) ||
	    (err = vd_walk_need(t, "struct task_struct", "flags", &f->flags)) ||
	    (err = vd_walk_field(t, "exit_state", &f->exit_state)) ||
	    (err = vd_walk_field(t, "mm", &f->mm)) ||
	    (err = vd_walk_field(t, "real_parent", &f->real_parent)) ||
	    (err = vd_walk_field(t, "signal", &f->signal)) ||
	    (err = vd_walk_field(t, "__state", &f->state)) ||
	    (err = vd_walk_field(t, "thread_info.cpu", &f->cpu)) ||
	    (err = vd_walk_field(t, "thread_node", &f->thread_node)) ||
	    (err = vd_walk_field(t, "thread_group", &f->thread_group)))
		return err;
	if (!f->state.present && (err = vd_walk_field(t, "state", &f->state)))
		return err;
	if (!f->cpu.present && (err = vd_walk_field(t, "cpu", &f->cpu)))
		return err;
	if (f->thread_node.present && vd_ok(vd_walk_type(s, "struct signal_struct", &sig)) &&
	    (err = vd_walk_field(sig, "thread_head", &f->thread_head)))
		return err;
	if (vd_ok(vd_walk_type(s, "struct rq", &rq)) &&
	    ((err = vd_walk_field(rq, "curr", &f->rq_curr)) ||
	     (err = vd_walk_field(rq, "idle", &f->rq_idle))))
		return err;
	return vd_rq_chase_init(s, &f->rqc);
}

/*
 * The ps letter: task_state_index() of include/linux/sched.h (4.14+) over
 * "RSDTtXZPI" (fs/proc/array.c task_state_array).  TASK_* values are
 * #defines, absent from BTF: TASK_REPORT = 0x7f, TASK_IDLE =
 * TASK_UNINTERRUPTIBLE | TASK_NOLOAD = 0x402, TASK_RTLOCK_WAIT = 0x1000
 * (5.15, commit cc3a57d2ba46 "sched/wakeup: Introduce the TASK_RTLOCK_WAIT
 * state bit") reported as D.
 */
static char
state_letter(uint64_t state, uint64_t exit_state)
{
	static const char letters[] = "RSDTtXZPI";
	uint64_t v = (state | exit_state) & 0x7f;
	unsigned idx = 0;

	if ((state & 0x402) == 0x402)
		v = 0x80;
	if (state == 0x1000)
		v = 0x2;
	while (v) {
		idx++;
		v >>= 1;
	}
	return idx < sizeof(letters) - 1 ? letters[idx] : '?';
}

static struct vd_error *
read_task(struct vd_task_walk *w, uint64_t addr, struct vd_task *t)
{
	const struct task_fields *f = &w->f;
	struct vd_session *s = w->s;
	uint64_t v, parent;
	struct vd_error *err;

	*t = (struct vd_task){ .addr = addr, .cpu = -1 };
	if ((err = vd_walk_get(s, addr, &f->pid, &v)))
		return err;
	t->pid = (int32_t)v;
	if ((err = vd_walk_get(s, addr, &f->tgid, &v)))
		return err;
	t->tgid = (int32_t)v;
	if ((err = vd_session_read(s, VD_AS_KVIRT, addr + f->comm.off, t->comm,
				   VD_MIN(f->comm.size, sizeof(t->comm) - 1), NULL)))
		return err;
	if ((err = vd_walk_get(s, addr, &f->flags, &t->flags)))
		return err;
	if (f->state.present && (err = vd_walk_get(s, addr, &f->state, &t->state_raw)))
		return err;
	if (f->exit_state.present && (err = vd_walk_get(s, addr, &f->exit_state, &t->exit_state)))
		return err;
	t->state = f->state.present ? state_letter(t->state_raw, t->exit_state) : '?';
	if (f->cpu.present && vd_ok(vd_walk_get(s, addr, &f->cpu, &v)))
		t->cpu = (int32_t)v;
	if (f->mm.present)
		vd_ok(vd_walk_get(s, addr, &f->mm, &t->mm));
	// ps's PPID: the tgid of real_parent (fs/proc/array.c); none for pid 0.
	if (t->pid && f->real_parent.present &&
	    vd_ok(vd_walk_get(s, addr, &f->real_parent, &parent)) && vd_walk_kptr_ok(parent) &&
	    vd_ok(vd_walk_get(s, parent, &f->tgid, &v)))
		t->ppid = (int32_t)v;
	t->kthread = (t->flags & PF_KTHREAD) || !t->pid;
	t->thread = t->pid != t->tgid;
	t->active = is_curr(w, addr);
	return NULL;
}

/* Add the task at addr (or the error reading it); false when out of memory. */
static bool
add_task(struct vd_task_walk *w, uint64_t addr, bool idle, int cpu)
{
	struct entry *e;
	struct vd_error *err;

	if (vd_addr_set_has(&w->seen, addr))
		return true;
	if (vd_addr_set_add(&w->seen, addr) || !(e = vd_walk_buf_push(&w->buf)))
		return false;
	err = read_task(w, addr, &e->t);
	if (err) {
		e->err = vd_error_wrap(err, "task_struct at 0x%llx", (unsigned long long)addr);
		return true;
	}
	e->t.idle = idle;
	if (idle && cpu >= 0)
		e->t.cpu = cpu;
	return true;
}

static bool
add_error(struct vd_task_walk *w, struct vd_error *err)
{
	struct entry *e = vd_walk_buf_push(&w->buf);

	if (!e) {
		vd_error_destroy(err);
		return false;
	}
	e->err = err;
	return true;
}

/* Each possible CPU's runqueue: what it ran (curr) and its idle task. */
static struct vd_error *
read_runqueues(struct vd_task_walk *w, uint64_t **idle_ret)
{
	struct vd_session *s = w->s;
	uint64_t rqsym, rq, *idle;
	struct vd_error *err;

	*idle_ret = NULL;
	if (!w->f.rq_curr.present || !vd_session_symbol(s, "runqueues", &rqsym))
		return NULL;
	if ((err = vd_percpu_init(s, &w->pc)))
		return err;
	w->curr = calloc(w->pc.ncpus, sizeof(*w->curr));
	idle = calloc(w->pc.ncpus, sizeof(*idle));
	if (!w->curr || !idle) {
		free(idle);
		return &vd_enomem;
	}
	for (uint32_t c = 0; c < w->pc.ncpus; c++) {
		if (!vd_percpu_possible(s, &w->pc, c))
			continue;
		err = vd_percpu_addr(s, &w->pc, rqsym, c, &rq);
		if (!err)
			err = vd_walk_get(s, rq, &w->f.rq_curr, &w->curr[c]);
		if (!err && w->f.rq_idle.present)
			err = vd_walk_get(s, rq, &w->f.rq_idle, &idle[c]);
		if (err && !add_error(w, vd_error_wrap(err, "runqueue of CPU %u", c))) {
			free(idle);
			return &vd_enomem;
		}
	}
	*idle_ret = idle;
	return NULL;
}

/*
 * The CPU that panicked: panic_cpu (kernel/panic.c, set by panic() since
 * 4.5), else x86's crashing_cpu (set by native_machine_crash_shutdown()
 * on kexec).  QEMU dumps have no Linux pid in their NT_PRSTATUS notes, so
 * those are not used.
 */
static void
find_panic(struct vd_task_iter *it, struct vd_task_walk *w)
{
	static const char *const syms[] = { "panic_cpu", "crashing_cpu" };
	uint64_t a, v;

	it->panic_cpu = -1;
	for (size_t i = 0; i < VD_ARRAY_SIZE(syms) && w->curr; i++) {
		if (!vd_session_symbol(w->s, syms[i], &a) ||
		    !vd_ok(vd_walk_read_uint(w->s, a, 4, &v)))
			continue;
		if ((int32_t)v < 0 || v >= w->pc.ncpus || !w->curr[v])
			continue;
		it->panic_cpu = (int32_t)v;
		it->panic_task = w->curr[v];
		it->panic_source = syms[i];
		return;
	}
}

/*
 * No panic_cpu symbol (no CONFIG_KALLSYMS_ALL): the CPU notes still tell.
 * panic() stops the other CPUs, which then sit in the stop handler
 * (arm64 local_cpu_stop()/ipi_cpu_crash_stop(), x86 stop_this_cpu()/
 * crash_nmi_callback()); the one CPU whose saved pc is elsewhere panicked.
 * Notes are in CPU order (QEMU numbers them vCPU + 1).
 */
static void
panic_from_registers(struct vd_task_iter *it, struct vd_task_walk *w)
{
	static const char *const stopped[] = { "local_cpu_stop", "cpu_park_loop",
		"ipi_cpu_crash_stop", "stop_this_cpu", "crash_nmi_callback" };
	const struct vd_dump_info *info = vd_session_info(w->s);
	unsigned pc_index = info->arch == VD_ARCH_AARCH64 ? 32 : 16;
	int found = -1, nrunning = 0;

	for (size_t c = 0; c < info->ncpus && c < w->pc.ncpus && w->curr; c++) {
		const struct vd_cpu_state *cpu = &info->cpus[c];
		struct vd_symbol_info sym;
		bool stop = false;

		if (!cpu->have_regs || cpu->nregs <= pc_index)
			return;
		if (vd_session_symbolize(w->s, cpu->regs[pc_index], &sym))
			for (size_t k = 0; k < VD_ARRAY_SIZE(stopped); k++)
				stop |= !strcmp(sym.name, stopped[k]);
		if (!stop) {
			nrunning++;
			found = (int)c;
		}
	}
	if (nrunning != 1 || !w->curr[found])
		return;
	it->panic_cpu = found;
	it->panic_task = w->curr[found];
	it->panic_source = "CPU registers";
}

/* One leader's other threads. */
static bool
add_threads(struct vd_task_walk *w, const struct vd_task *leader)
{
	const struct task_fields *f = &w->f;
	struct vd_list_walk lw;
	struct vd_field link;
	uint64_t head, node, sig;
	struct vd_error *err;
	bool ok = true;

	if (f->thread_node.present && f->thread_head.present && f->signal.present) {
		if ((err = vd_walk_get(w->s, leader->addr, &f->signal, &sig)))
			return add_error(w, vd_error_wrap(err, "threads of pid %d", leader->pid));
		if (!sig)
			return true;     // exited, signal struct released
		head = sig + f->thread_head.off;
		link = f->thread_node;
	} else if (f->thread_group.present) {
		// The ring has no head of its own: the leader's node stands in.
		head = leader->addr + f->thread_group.off;
		link = f->thread_group;
	} else {
		return true;
	}
	vd_list_walk_init(&lw, head, VD_WALK_MAX_ELEMENTS, vd_walk_read_kptr, w->s);
	while (ok && (err = vd_list_walk_next(&lw, &node)) != &vd_stop) {
		if (err)
			ok = add_error(w, vd_error_wrap(err, "threads of pid %d", leader->pid));
		else
			ok = add_task(w, node - link.off, false, -1);
	}
	vd_list_walk_deinit(&lw);
	return ok;
}

/*
 * Without the runqueues and __per_cpu_offset symbols, each CPU's struct rq
 * from the tasks that ran there (vd_rq_of_task()).
 */
static struct vd_error *
discover_runqueues(struct vd_task_walk *w, uint64_t **idle_ret)
{
	const struct task_fields *f = &w->f;
	uint64_t rq, cpu, *idle;
	uint32_t ncpus = 0;

	*idle_ret = NULL;
	if (!f->rqc.present || !f->rq_curr.present)
		return NULL;
	w->curr = calloc(VD_WALK_MAX_CPUS, sizeof(*w->curr));
	idle = calloc(VD_WALK_MAX_CPUS, sizeof(*idle));
	if (!w->curr || !idle) {
		free(idle);
		return &vd_enomem;
	}
	for (size_t i = 0; i < w->buf.n; i++) {
		if (ents(w)[i].err || !vd_rq_of_task(w->s, &f->rqc, ents(w)[i].t.addr, &rq, &cpu) ||
		    cpu >= VD_WALK_MAX_CPUS || w->curr[cpu])
			continue;
		if (!vd_ok(vd_walk_get(w->s, rq, &f->rq_curr, &w->curr[cpu])) ||
		    (f->rq_idle.present && !vd_ok(vd_walk_get(w->s, rq, &f->rq_idle, &idle[cpu]))))
			w->curr[cpu] = idle[cpu] = 0;
		ncpus = VD_MAX(ncpus, (uint32_t)cpu + 1);
	}
	w->pc.ncpus = ncpus ? ncpus : 1;
	*idle_ret = idle;
	return NULL;
}

/* After a late discovery of the runqueues: who runs where. */
static bool
mark_active(struct vd_task_walk *w)
{
	if (!sort_curr(w))
		return false;
	for (size_t i = 0; w->curr && i < w->buf.n; i++)
		if (!ents(w)[i].err && is_curr(w, ents(w)[i].t.addr))
			ents(w)[i].t.active = true;
	return true;
}

static struct vd_error *
collect(struct vd_task_iter *it, struct vd_task_walk *w, uint64_t init_task)
{
	struct vd_list_walk lw;
	struct vd_error *err;
	uint64_t *idle = NULL, node;
	bool ok = true;

	if ((err = read_runqueues(w, &idle)))
		return err;
	if (!sort_curr(w)) {
		free(idle);
		return &vd_enomem;
	}
	find_panic(it, w);
	it->ncpus = (int32_t)w->pc.ncpus;
	ok = add_task(w, init_task, true, 0);
	for (uint32_t c = 0; ok && idle && c < w->pc.ncpus; c++)
		if (idle[c])
			ok = add_task(w, idle[c], true, (int)c);
	free(idle);
	vd_list_walk_init(&lw, init_task + w->f.tasks.off, VD_WALK_MAX_ELEMENTS,
			  vd_walk_read_kptr, w->s);
	while (ok && (err = vd_list_walk_next(&lw, &node)) != &vd_stop) {
		size_t at = w->buf.n;

		if (err) {
			ok = add_error(w, vd_error_wrap(err, "init_task.tasks"));
			continue;
		}
		ok = add_task(w, node - w->f.tasks.off, false, -1);
		if (ok && it->threads && at < w->buf.n && !ents(w)[at].err)
			ok = add_threads(w, &ents(w)[at].t);
	}
	vd_list_walk_deinit(&lw);
	if (ok && !w->curr) {
		if ((err = discover_runqueues(w, &idle)))
			return err;
		it->ncpus = (int32_t)w->pc.ncpus;
		for (uint32_t c = 0; ok && idle && c < w->pc.ncpus; c++)
			if (idle[c])
				ok = add_task(w, idle[c], true, (int)c);
		free(idle);
		if (ok && !mark_active(w))
			return &vd_enomem;
		if (it->panic_cpu < 0)
			panic_from_registers(it, w);
	}
	return ok ? NULL : &vd_enomem;
}

static int
entry_cmp(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	// Errors first (they have no pid), then by pid, then idle by CPU.
	if (!x->err != !y->err)
		return x->err ? -1 : 1;
	if (x->err)
		return 0;
	if (x->t.pid != y->t.pid)
		return x->t.pid < y->t.pid ? -1 : 1;
	if (x->t.cpu != y->t.cpu)
		return x->t.cpu < y->t.cpu ? -1 : 1;
	return x->t.addr < y->t.addr ? -1 : x->t.addr > y->t.addr;
}

struct vd_error *
vd_task_iter_init(struct vd_task_iter *it, struct vd_session *s, bool threads)
{
	struct vd_task_walk *w;
	struct vd_error *err;
	uint64_t init_task;

	*it = (struct vd_task_iter){ .threads = threads, .panic_cpu = -1 };
	if ((err = vd_walk_symbol(s, "init_task", &init_task)))
		return vd_error_wrap(err, "finding the task list");
	w = calloc(1, sizeof(*w));
	if (!w)
		return &vd_enomem;
	w->s = s;
	w->buf.size = sizeof(*ents(w));
	w->pc.ncpus = 1;
	err = setup_fields(s, &w->f);
	if (err)
		err = vd_error_wrap(err, "task types (%s)", vd_session_type_source(s));
	else
		err = collect(it, w, init_task);
	it->w = w;
	if (err) {
		vd_task_iter_deinit(it);
		return err;
	}
	for (size_t i = 0; i < w->buf.n; i++)
		if (!ents(w)[i].err && ents(w)[i].t.addr == it->panic_task)
			ents(w)[i].t.panic = true;
	qsort(w->buf.e, w->buf.n, w->buf.size, entry_cmp);
	return NULL;
}

struct vd_error *
vd_task_iter_next(struct vd_task_iter *it, const struct vd_task **ret)
{
	const struct entry *e;
	struct vd_error *err;

	if (!it->w)
		return &vd_stop;
	err = vd_walk_buf_next(&it->w->buf, &it->nrecords, &it->ncorrupt, (const void **)&e);
	if (!err)
		*ret = &e->t;
	return err;
}

void
vd_task_iter_deinit(struct vd_task_iter *it)
{
	struct vd_task_walk *w = it->w;

	if (!w)
		return;
	vd_walk_buf_free(&w->buf);
	free(w->curr);
	free(w->curr_sorted);
	vd_addr_set_free(&w->seen);
	free(w);
	it->w = NULL;
}
