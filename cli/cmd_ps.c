// SPDX-License-Identifier: MIT
/*
 * vmdive ps: the dead kernel's tasks, laid out like crash's `ps` (PID PPID
 * CPU TASK ST COMM, '>' before the task running on each CPU) with ps's own
 * state letters, kernel threads in [brackets], and '*' for the task that
 * panicked.  With --unwind, '!' after the state marks a task whose stack
 * cannot be unwound: that unwinds every task (bt -A's work), so plain ps,
 * like crash's, reads no stack and prints no mark.
 */
#include <inttypes.h>
#include <stdio.h>

#include "cli.h"
#include "vmdive/unwind.h"
#include "vmdive/walk.h"

/*
 * Why the task's stack cannot be unwound (a static buffer), or NULL: ps
 * marks such tasks with '!' after the state letter.
 */
static const char *
unwind_problem(struct vd_unwinder *u, const struct vd_task *t)
{
	static char why[256];
	struct vd_trace tr;
	struct vd_error *err;
	const char *ret = NULL;

	if (!u)
		return NULL;
	if ((err = vd_unwind_task(u, t, &tr))) {
		snprintf(why, sizeof(why), "%s", err->msg);
		vd_error_destroy(err);
		return why;
	}
	if (tr.error) {
		snprintf(why, sizeof(why), "%s", tr.error->msg);
		ret = why;
	}
	vd_trace_free(&tr);
	return ret;
}

static void
print_text(struct vd_cli *cli, const struct vd_task *t, const char *why)
{
	char comm[32];

	if (t->kthread)
		snprintf(comm, sizeof(comm), "[%s]", t->comm);
	else
		snprintf(comm, sizeof(comm), "%s", t->comm);
	fprintf(cli->out, "%c%8d %7d %4d  %016" PRIx64 "  %c%c %s\n",
		t->panic ? '*' : t->active ? '>' : ' ', t->pid, t->ppid, t->cpu,
		t->addr, t->state, why ? '!' : ' ', comm);
}

static void
print_json(struct vd_cli *cli, const struct vd_task *t, bool unwound, const char *why)
{
	struct vd_json *j = &cli->j;
	char st[2] = { t->state, '\0' };

	vd_json_begin_object(j);
	vd_json_kv_int(j, "pid", t->pid);
	vd_json_kv_int(j, "tgid", t->tgid);
	vd_json_kv_int(j, "ppid", t->ppid);
	vd_json_kv_int(j, "cpu", t->cpu);
	vd_json_kv_hex(j, "address", t->addr);
	vd_json_kv_string(j, "state", st);
	vd_json_kv_hex(j, "state_raw", t->state_raw);
	vd_json_kv_hex(j, "exit_state", t->exit_state);
	vd_json_kv_hex(j, "flags", t->flags);
	vd_json_kv_hex(j, "mm", t->mm);
	vd_json_kv_string(j, "comm", t->comm);
	vd_json_kv_bool(j, "kthread", t->kthread);
	vd_json_kv_bool(j, "idle", t->idle);
	vd_json_kv_bool(j, "thread", t->thread);
	vd_json_kv_bool(j, "active", t->active);
	vd_json_kv_bool(j, "panic", t->panic);
	// Only when ps --unwind looked: null is "unwound to the end".
	if (unwound) {
		vd_json_key(j, "unwind_error");
		if (why)
			vd_json_string(j, why);
		else
			vd_json_null(j);
	}
	vd_json_end_object(j);
}

static void
print_head(struct vd_cli *cli, const struct vd_task_iter *it)
{
	struct vd_json *j = &cli->j;

	if (!cli->json) {
		fprintf(cli->out, "%9s %7s %4s  %-16s  %s  %s\n", "PID", "PPID", "CPU",
			"TASK", "ST", "COMM");
		return;
	}
	vd_json_begin_object(j);
	vd_json_kv_bool(j, "threads", it->threads);
	vd_json_kv_int(j, "ncpus", it->ncpus);
	if (it->panic_cpu >= 0) {
		vd_json_kv_int(j, "panic_cpu", it->panic_cpu);
		vd_json_kv_hex(j, "panic_task", it->panic_task);
		vd_json_kv_string(j, "panic_source", it->panic_source);
	}
	vd_json_key(j, "tasks");
	vd_json_begin_array(j);
}

int
vd_cmd_ps(struct vd_cli *cli)
{
	struct vd_walk_errors errs = { .cli = cli };
	struct vd_task_iter it;
	const struct vd_task *t;
	struct vd_error *err;
	uint64_t n = 0, nbad = 0;
	struct vd_unwinder *u = NULL;

	if (cli->ps_args && cli->ps_unwind) {
		vd_cli_error(cli, "-a and --unwind do not go together (bt PID unwinds one task)");
		return VD_EXIT_USAGE;
	}
	if (cli->ps_args)
		return vd_cli_ps_args(cli);
	// Architectures without an unwinder: no marks.
	if (cli->ps_unwind)
		vd_error_destroy(vd_unwinder_new(cli->session, &u));
	err = vd_task_iter_init(&it, cli->session, cli->threads);
	if (err) {
		vd_cli_report(cli, err);
		vd_unwinder_free(u);
		return VD_EXIT_FAIL;
	}
	print_head(cli, &it);
	while ((err = vd_task_iter_next(&it, &t)) != &vd_stop) {
		if (err) {
			vd_walk_errors_add(&errs, err);
			continue;
		}
		const char *why = unwind_problem(u, t);

		n++;
		nbad += why != NULL;
		if (cli->json)
			print_json(cli, t, u != NULL, why);
		else
			print_text(cli, t, why);
	}
	if (cli->json) {
		vd_json_end_array(&cli->j);
		vd_walk_errors_json(&errs);
		vd_json_end_object(&cli->j);
	} else {
		fprintf(cli->out, "%" PRIu64 " tasks", n);
		if (it.panic_cpu >= 0)
			fprintf(cli->out, "; panic on CPU %d, task %016" PRIx64 " (%s)",
				it.panic_cpu, it.panic_task, it.panic_source);
		if (nbad)
			fprintf(cli->out, "; %" PRIu64 " marked '!': stack cannot be unwound"
				" (bt PID says why)", nbad);
		fprintf(cli->out, "\n");
	}
	vd_walk_errors_finish(&errs, "tasks");
	vd_task_iter_deinit(&it);
	vd_unwinder_free(u);
	return errs.n ? VD_EXIT_FAIL : VD_EXIT_OK;
}
