// SPDX-License-Identifier: MIT
/*
 * A triage report of a kernel dump (docs/triage.md): what happened (from
 * the kernel's own log lines), where (the crashing task's backtrace from
 * the dump, its guilty frame), a signature to bucket dumps by, and the
 * context around it.  Never fails as a whole: what could not be read goes
 * into problems and the rest of the report is still filled in.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "triage_priv.h"
#include "vmdive/memory.h"

/* Tasks whose traces name the same functions (offsets aside) are alike. */
static bool
same_functions(const struct vd_trace *a, const struct vd_trace *b)
{
	if (a->nframes != b->nframes)
		return false;
	for (size_t i = 0; i < a->nframes; i++) {
		const char *x = a->frames[i].symbol, *y = b->frames[i].symbol;

		if (a->frames[i].kind != b->frames[i].kind)
			return false;
		if (!x != !y || (x && strcmp(x, y)))
			return false;
	}
	return true;
}

/* Groups of the tasks others[i] for which pick(i) holds. */
static void
group_tasks(struct vd_triage *t, bool dstate, struct vd_triage_group **ret, size_t *nret)
{
	struct vd_triage_group *g = NULL;
	size_t ng = 0;

	for (size_t i = 0; i < t->nothers; i++) {
		const struct vd_triage_task *x = &t->others[i];
		size_t k;

		if ((x->t.state == 'D') != dstate)
			continue;
		for (k = 0; k < ng; k++)
			if (same_functions(&t->others[g[k].first].tr, &x->tr))
				break;
		if (k == ng) {
			if (!vd_grow(&g, ng, sizeof(*g)))
				break;
			memset(&g[ng], 0, sizeof(g[ng]));
			g[ng].first = i;
			ng++;
		}
		{
			size_t *m = realloc(g[k].members, (g[k].count + 1) * sizeof(*m));

			if (!m)
				break;
			g[k].members = m;
			g[k].members[g[k].count++] = i;
		}
	}
	*ret = g;
	*nret = ng;
}

static void
add_other(struct vd_triage *t, const struct vd_task *task)
{
	struct vd_triage_task *x;
	struct vd_error *err;

	/* A damaged task list must not make the report unbounded. */
	if (t->nothers == VD_TRIAGE_MAX_OTHERS && !t->nothers_dropped) {
		vd_problems_add(&t->problems, "more than %d D-state or running tasks: the rest are not traced",
				VD_TRIAGE_MAX_OTHERS);
		t->nothers_dropped = true;
	}
	if (t->nothers >= VD_TRIAGE_MAX_OTHERS)
		return;
	if (!vd_grow(&t->others, t->nothers, sizeof(*t->others)))
		return;
	x = &t->others[t->nothers];
	memset(x, 0, sizeof(*x));
	x->t = *task;
	if ((err = vd_unwind_task(t->u, task, &x->tr))) {
		vd_problems_add_error(&t->problems, "backtrace", err);
		return;
	}
	t->nothers++;
}

static void
read_tasks(struct vd_session *s, struct vd_triage *t)
{
	struct vd_task_iter it;
	const struct vd_task *task;
	struct vd_error *err;
	uint64_t want = 0;
	int32_t want_pid = -1;
	bool by_pid;

	if ((err = vd_unwinder_new(s, &t->u))) {
		vd_problems_add_error(&t->problems, "backtraces", err);
		return;
	}
	if ((err = vd_task_iter_init(&it, s, true))) {
		vd_problems_add_error(&t->problems, "tasks", err);
		return;
	}
	t->panic_task = it.panic_task;
	t->cpu = it.panic_cpu;
	/* A hung task's report is about the task that hung; an oops's header
	 * names its task too, where the dump does not say who panicked. */
	by_pid = t->hdr.pid >= 0 && (!strcmp(t->kind, "hung-task") || !it.panic_task);
	if (by_pid)
		want_pid = t->hdr.pid;
	else
		want = it.panic_task;
	if (!strcmp(t->kind, "hung-task"))
		t->cpu = -1;
	while ((err = vd_task_iter_next(&it, &task)) != &vd_stop) {
		bool target;

		if (err) {
			vd_problems_add_error(&t->problems, "tasks", err);
			continue;
		}
		target = !t->have_task && (by_pid ? task->pid == want_pid && task->pid > 0 &&
					   (!t->hdr.comm[0] || !strncmp(task->comm, t->hdr.comm, 15))
					 : want && task->addr == want);
		if (target) {
			t->task.t = *task;
			if ((err = vd_unwind_task(t->u, task, &t->task.tr))) {
				vd_problems_add_error(&t->problems, "backtrace", err);
				continue;
			}
			t->have_task = true;
			if (t->cpu < 0 && task->active)
				t->cpu = task->cpu;
			continue;
		}
		if (task->state == 'D' || task->active)
			add_other(t, task);
	}
	vd_task_iter_deinit(&it);
	if (!t->have_task) {
		if (by_pid)
			vd_problems_add(&t->problems, "the task the log names (pid %d \"%s\") is not in the task list",
					want_pid, t->hdr.comm);
		else
			vd_problems_add(&t->problems, "the dump does not say which task panicked");
	}
	if (t->have_task && t->task.tr.error)
		vd_problems_add(&t->problems, "crashing task's backtrace ended early: %s",
				t->task.tr.error->msg);
}

/* The first interrupted context after panic()'s own frames, else frame 0. */
static void
find_fault(struct vd_triage *t)
{
	const struct vd_trace *tr = &t->task.tr;
	size_t start = 0;

	for (size_t i = 0; i < tr->nframes; i++) {
		const char *sym = tr->frames[i].symbol;
		char base[256];

		if (!sym)
			continue;
		vd_triage_base_name(sym, base, sizeof(base));
		if (!strcmp(base, "panic") || !strcmp(base, "vpanic") || !strcmp(base, "nmi_panic"))
			start = i + 1;
	}
	for (size_t i = start; i < tr->nframes; i++) {
		const struct vd_frame *f = &tr->frames[i];

		if (f->kind == VD_FRAME_USER)
			break;
		if (f->kind == VD_FRAME_EXCEPTION) {
			t->have_fault = true;
			t->fault_pc = f->pc;
			t->fault_symbol = f->symbol;
			t->fault_offset = f->offset;
			t->fault_module = f->module;
			t->regs_frame = f->have_regs ? f : NULL;
			return;
		}
	}
	if (tr->nframes && tr->frames[0].have_regs)
		t->regs_frame = &tr->frames[0];
}

static void
read_modules(struct vd_session *s, struct vd_triage *t)
{
	struct vd_module_iter it;
	const struct vd_module *m;
	struct vd_error *err;

	if (!t->sys.have_taint || !t->sys.taint)
		return;
	if ((err = vd_module_iter_init(&it, s))) {
		vd_problems_add_error(&t->problems, "modules", err);
		return;
	}
	while ((err = vd_module_iter_next(&it, &m)) != &vd_stop) {
		if (err) {
			vd_problems_add_error(&t->problems, "modules", err);
			continue;
		}
		if (!m->taints || !vd_grow(&t->tmods, t->ntmods, sizeof(*t->tmods)))
			continue;
		snprintf(t->tmods[t->ntmods].name, sizeof(t->tmods[0].name), "%s", m->name);
		snprintf(t->tmods[t->ntmods].taint_flags, sizeof(t->tmods[0].taint_flags), "%s",
			 m->taint_flags);
		t->ntmods++;
	}
	vd_module_iter_deinit(&it);
}

/* The last VD_TRIAGE_LOG_LINES lines of the log, "[secs.micros] text". */
static void
last_lines(struct vd_triage *t)
{
	const struct vd_sysinfo *si = &t->sys;
	size_t nlines = 0, i = si->nlog_records;

	/* Records from the end until they hold enough lines. */
	while (i > 0 && nlines < VD_TRIAGE_LOG_LINES) {
		const char *p = si->log_text[--i];

		nlines++;
		for (; *p; p++)
			if (*p == '\n' && p[1])
				nlines++;
	}
	for (; i < si->nlog_records; i++) {
		const char *p = si->log_text[i];
		uint64_t ts = si->log_ts[i];

		while (*p || p == si->log_text[i]) {
			size_t len = strcspn(p, "\n");
			char *line;

			if (asprintf(&line, "[%5" PRIu64 ".%06" PRIu64 "] %.*s", ts / 1000000000,
				     ts % 1000000000 / 1000, (int)len, p) < 0)
				return;
			if (!vd_grow(&t->log, t->nlog, sizeof(*t->log))) {
				free(line);
				return;
			}
			t->log[t->nlog++] = line;
			p += len;
			if (!*p)
				break;
			p++;
		}
	}
	/* Keep the last ones only. */
	if (t->nlog > VD_TRIAGE_LOG_LINES) {
		size_t drop = t->nlog - VD_TRIAGE_LOG_LINES;

		for (size_t k = 0; k < drop; k++)
			free(t->log[k]);
		memmove(t->log, t->log + drop, VD_TRIAGE_LOG_LINES * sizeof(*t->log));
		t->nlog = VD_TRIAGE_LOG_LINES;
	}
}

static void
read_memory(struct vd_session *s, struct vd_triage *t)
{
	struct vd_kmem *k = NULL;
	struct vd_meminfo *mi = calloc(1, sizeof(*mi));
	struct vd_error *err;

	if (!mi)
		return;
	if ((err = vd_kmem_open(s, &k)) || (err = vd_kmem_meminfo(k, mi))) {
		vd_problems_add_error(&t->problems, "memory summary", err);
		goto out;
	}
	vd_meminfo_get(mi, "MemTotal", &t->mem_total);
	vd_meminfo_get(mi, "MemFree", &t->mem_free);
	vd_meminfo_get(mi, "MemAvailable", &t->mem_available);
	vd_meminfo_get(mi, "Cached", &t->cached);
	vd_meminfo_get(mi, "Slab", &t->slab);
	vd_meminfo_get(mi, "SwapTotal", &t->swap_total);
	vd_meminfo_get(mi, "SwapFree", &t->swap_free);
	vd_meminfo_get(mi, "Committed_AS", &t->committed);
	vd_meminfo_get(mi, "CommitLimit", &t->commit_limit);
	t->have_mem = true;
out:
	vd_kmem_close(k);
	free(mi);
}

void
vd_triage_run(struct vd_session *s, struct vd_triage *t)
{
	const struct vd_trace *tr;
	bool early = false;

	memset(t, 0, sizeof(*t));
	t->cpu = -1;
	vd_sysinfo_read(s, &t->sys);
	/* Damage first: it is why most of what follows could not be read. */
	if (t->sys.damage)
		vd_problems_add(&t->problems, "dump damaged: %s", t->sys.damage);
	for (size_t i = 0; i < t->sys.problems.n; i++)
		vd_problems_add(&t->problems, "%s", t->sys.problems.msgs[i]);
	vd_triage_classify((const char *const *)t->sys.log_text, t->sys.nlog_records, &t->hdr);
	t->kind = t->hdr.kind;
	if (!t->sys.nlog_records)
		vd_problems_add(&t->problems, "no log records: the kind and message are unknown");
	read_tasks(s, t);
	if (t->cpu < 0 && t->hdr.cpu >= 0 && strcmp(t->kind, "hung-task"))
		t->cpu = t->hdr.cpu;
	tr = &t->task.tr;
	t->guilty = vd_triage_guilty(tr->frames, tr->nframes);
	/*
	 * A panicking task's trace that ended early without passing
	 * through panic() shows where the unwinder stopped, not who
	 * called panic(): no guilty frame then (rule 0 of docs/triage.md).
	 */
	if (t->have_task && tr->error && t->task.t.addr == t->panic_task &&
	    strcmp(t->kind, "hung-task")) {
		bool through_panic = false;

		for (size_t i = 0; i < tr->nframes; i++) {
			char base[256];

			vd_triage_base_name(tr->frames[i].symbol, base, sizeof(base));
			if (!strcmp(base, "panic") || !strcmp(base, "vpanic") ||
			    !strcmp(base, "nmi_panic"))
				through_panic = true;
		}
		if (!through_panic) {
			t->guilty = tr->nframes;
			early = true;
			vd_problems_add(&t->problems, "no guilty frame: the backtrace ended before reaching panic()");
		}
	}
	if (t->have_task && t->guilty == tr->nframes && !early)
		vd_problems_add(&t->problems, "no guilty frame: every frame of the crashing task is panic, oops or helper machinery");
	find_fault(t);
	vd_triage_signature(t->kind, t->hdr.message, tr->frames, tr->nframes, t->guilty,
			    t->signature_text, sizeof(t->signature_text), t->signature);
	vd_triage_duphash(tr->frames, tr->nframes, t->guilty, t->duphash);
	read_modules(s, t);
	last_lines(t);
	group_tasks(t, true, &t->dgroups, &t->ndgroups);
	group_tasks(t, false, &t->cgroups, &t->ncgroups);
	read_memory(s, t);
	t->complete = !t->sys.damage && t->sys.dump_level <= 0 && !t->problems.n;
	if (t->sys.dump_level > 0)
		vd_problems_add(&t->problems, "makedumpfile dump level %d excluded %s",
				t->sys.dump_level, t->sys.excluded);
}

void
vd_triage_deinit(struct vd_triage *t)
{
	vd_trace_free(&t->task.tr);
	for (size_t i = 0; i < t->nothers; i++)
		vd_trace_free(&t->others[i].tr);
	free(t->others);
	for (size_t i = 0; i < t->ndgroups; i++)
		free(t->dgroups[i].members);
	for (size_t i = 0; i < t->ncgroups; i++)
		free(t->cgroups[i].members);
	free(t->dgroups);
	free(t->cgroups);
	for (size_t i = 0; i < t->nlog; i++)
		free(t->log[i]);
	free(t->log);
	free(t->tmods);
	vd_problems_free(&t->problems);
	vd_unwinder_free(t->u);
	vd_sysinfo_deinit(&t->sys);
	memset(t, 0, sizeof(*t));
}
