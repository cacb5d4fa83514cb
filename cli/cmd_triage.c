// SPDX-License-Identifier: MIT
/*
 * vmdive triage DUMP...: one report per dump from triage/ (vd_triage_run),
 * printed as text or JSON; --jobs N runs N dumps at a time in child
 * processes, each writing its report to a temporary file that the parent
 * copies out in argument order; --group prints the buckets instead.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "common/util.h"
#include "vmdive/triage.h"

void vd_cli_sys_json(struct vd_cli *cli, const struct vd_sysinfo *si);

/* What the parent needs for --group: the first line of each report file. */
struct result {
	FILE *f;
	pid_t pid;
	int status;
	char sig[17];
	char kind[32];
	char title[512];
	bool failed;
};

static void
task_head_json(struct vd_json *j, const struct vd_task *t)
{
	vd_json_kv_int(j, "pid", t->pid);
	vd_json_kv_int(j, "tgid", t->tgid);
	vd_json_kv_string(j, "comm", t->comm);
	vd_json_kv_hex(j, "address", t->addr);
	vd_json_kv_int(j, "cpu", t->cpu);
	{
		char st[2] = { t->state, '\0' };

		vd_json_kv_string(j, "state", st);
	}
}

static void
groups_json(struct vd_cli *cli, const struct vd_triage *t, const struct vd_triage_group *g,
	    size_t ng)
{
	struct vd_json *j = &cli->j;

	vd_json_begin_array(j);
	for (size_t k = 0; k < ng; k++) {
		vd_json_begin_object(j);
		vd_json_kv_uint(j, "count", g[k].count);
		vd_json_key(j, "tasks");
		vd_json_begin_array(j);
		for (size_t m = 0; m < g[k].count; m++) {
			vd_json_begin_object(j);
			task_head_json(j, &t->others[g[k].members[m]].t);
			vd_json_end_object(j);
		}
		vd_json_end_array(j);
		vd_cli_bt_frames_json(cli, &t->others[g[k].first].tr);
		vd_json_end_object(j);
	}
	vd_json_end_array(j);
}

static void
report_json(struct vd_cli *cli, const char *path, const struct vd_triage *t)
{
	struct vd_json *j = &cli->j;
	const struct vd_frame *g = t->guilty < t->task.tr.nframes ?
				   &t->task.tr.frames[t->guilty] : NULL;

	vd_json_begin_object(j);
	vd_json_kv_string(j, "file", path);
	vd_json_kv_uint(j, "signature_version", VD_TRIAGE_SIGNATURE_VERSION);
	vd_json_kv_string(j, "kind", t->kind);
	vd_json_kv_string(j, "message", t->hdr.message[0] ? t->hdr.message : NULL);
	vd_json_kv_string(j, "panic", t->hdr.panic[0] ? t->hdr.panic : NULL);
	vd_json_key(j, "fault_address");
	if (t->hdr.have_fault_addr)
		vd_json_hex(j, t->hdr.fault_addr);
	else
		vd_json_null(j);
	vd_json_key(j, "cpu");
	if (t->cpu >= 0)
		vd_json_int(j, t->cpu);
	else
		vd_json_null(j);
	vd_json_key(j, "task");
	if (t->have_task) {
		vd_json_begin_object(j);
		task_head_json(j, &t->task.t);
		vd_json_end_object(j);
	} else {
		vd_json_null(j);
	}
	vd_json_key(j, "panic_task");
	if (t->panic_task)
		vd_json_hex(j, t->panic_task);
	else
		vd_json_null(j);
	vd_json_key(j, "fault");
	if (t->have_fault) {
		vd_json_begin_object(j);
		vd_json_kv_hex(j, "pc", t->fault_pc);
		vd_json_kv_string(j, "symbol", t->fault_symbol);
		if (t->fault_symbol)
			vd_json_kv_uint(j, "offset", t->fault_offset);
		vd_json_kv_string(j, "module", t->fault_module);
		vd_json_end_object(j);
	} else {
		vd_json_null(j);
	}
	if (t->regs_frame) {
		vd_cli_bt_regs_json(cli, t->regs_frame);
	} else {
		vd_json_key(j, "regs");
		vd_json_null(j);
	}
	if (t->have_task) {
		vd_cli_bt_frames_json(cli, &t->task.tr);
	} else {
		vd_json_key(j, "frames");
		vd_json_begin_array(j);
		vd_json_end_array(j);
	}
	vd_json_key(j, "guilty");
	if (g) {
		vd_json_begin_object(j);
		vd_json_kv_uint(j, "index", t->guilty);
		vd_json_kv_string(j, "symbol", g->symbol);
		vd_json_kv_string(j, "module", g->module);
		vd_json_kv_hex(j, "pc", g->pc);
		vd_json_end_object(j);
	} else {
		vd_json_null(j);
	}
	vd_json_kv_string(j, "signature", t->signature);
	vd_json_kv_string(j, "signature_input", t->signature_text);
	vd_json_kv_string(j, "duphash", t->duphash);
	vd_json_key(j, "taint");
	vd_json_begin_object(j);
	if (t->sys.have_taint) {
		vd_json_kv_hex(j, "mask", t->sys.taint);
		vd_json_kv_string(j, "letters", t->sys.taint_letters);
	}
	vd_json_key(j, "flags");
	vd_json_begin_array(j);
	for (size_t b = 0; b < 64 && t->sys.have_taint; b++)
		if (t->sys.taint & (1ull << b))
			vd_json_string(j, b < vd_ntaint_flags ? vd_taint_flags[b].name : "unknown");
	vd_json_end_array(j);
	vd_json_key(j, "modules");
	vd_json_begin_array(j);
	for (size_t i = 0; i < t->ntmods; i++) {
		vd_json_begin_object(j);
		vd_json_kv_string(j, "name", t->tmods[i].name);
		vd_json_kv_string(j, "flags", t->tmods[i].taint_flags);
		vd_json_end_object(j);
	}
	vd_json_end_array(j);
	vd_json_end_object(j);
	vd_json_key(j, "uptime_s");
	if (t->sys.have_uptime)
		vd_json_uint(j, (uint64_t)t->sys.uptime_s);
	else
		vd_json_null(j);
	vd_json_kv_string(j, "release", t->sys.have_uts ? t->sys.release : t->sys.osrelease);
	vd_json_kv_string(j, "build_id", t->sys.build_id);
	vd_json_key(j, "sys");
	vd_json_begin_object(j);
	vd_cli_sys_json(cli, &t->sys);
	vd_json_end_object(j);
	vd_json_key(j, "log");
	vd_json_begin_array(j);
	for (size_t i = 0; i < t->nlog; i++)
		vd_json_string(j, t->log[i]);
	vd_json_end_array(j);
	vd_json_key(j, "dstate");
	groups_json(cli, t, t->dgroups, t->ndgroups);
	vd_json_key(j, "other_cpus");
	groups_json(cli, t, t->cgroups, t->ncgroups);
	vd_json_key(j, "memory");
	if (t->have_mem) {
		vd_json_begin_object(j);
		vd_json_kv_uint(j, "mem_total_kb", t->mem_total);
		vd_json_kv_uint(j, "mem_free_kb", t->mem_free);
		vd_json_kv_uint(j, "mem_available_kb", t->mem_available);
		vd_json_kv_uint(j, "cached_kb", t->cached);
		vd_json_kv_uint(j, "slab_kb", t->slab);
		vd_json_kv_uint(j, "swap_total_kb", t->swap_total);
		vd_json_kv_uint(j, "swap_free_kb", t->swap_free);
		vd_json_kv_uint(j, "committed_as_kb", t->committed);
		vd_json_kv_uint(j, "commit_limit_kb", t->commit_limit);
		vd_json_end_object(j);
	} else {
		vd_json_null(j);
	}
	vd_json_kv_bool(j, "complete", t->complete);
	vd_json_key(j, "problems");
	vd_json_begin_array(j);
	for (size_t i = 0; i < t->problems.n; i++)
		vd_json_string(j, t->problems.msgs[i]);
	vd_json_end_array(j);
	vd_json_end_object(j);
}

static void
frame_text(FILE *o, const char *sym, uint64_t off, const char *mod, uint64_t pc)
{
	if (sym)
		fprintf(o, "%s+0x%" PRIx64, sym, off);
	else
		fprintf(o, "(unknown)");
	if (mod)
		fprintf(o, " [%s]", mod);
	fprintf(o, " at %016" PRIx64 "\n", pc);
}

static void
groups_text(struct vd_cli *cli, const struct vd_triage *t, const struct vd_triage_group *g,
	    size_t ng)
{
	for (size_t k = 0; k < ng; k++) {
		fprintf(cli->out, "  %zu task%s:", g[k].count, g[k].count == 1 ? "" : "s");
		for (size_t m = 0; m < g[k].count && m < 16; m++) {
			const struct vd_task *x = &t->others[g[k].members[m]].t;

			fprintf(cli->out, " %d(%s)", x->pid, x->comm);
			if (x->active)
				fprintf(cli->out, "@CPU%d", x->cpu);
		}
		fprintf(cli->out, "%s\n", g[k].count > 16 ? " ..." : "");
		vd_cli_bt_trace_text(cli, &t->others[g[k].first].tr);
	}
}

static void
report_text(struct vd_cli *cli, const char *path, const struct vd_triage *t)
{
	FILE *o = cli->out;
	const struct vd_frame *g = t->guilty < t->task.tr.nframes ?
				   &t->task.tr.frames[t->guilty] : NULL;

	fprintf(o, "=== %s\n", path);
	fprintf(o, "     KIND: %s\n", t->kind);
	if (t->hdr.message[0])
		fprintf(o, "  MESSAGE: %s\n", t->hdr.message);
	if (t->hdr.panic[0] && strcmp(t->hdr.panic, t->hdr.message))
		fprintf(o, "    PANIC: %s\n", t->hdr.panic);
	if (t->hdr.have_fault_addr)
		fprintf(o, "  ADDRESS: %016" PRIx64 "\n", t->hdr.fault_addr);
	if (t->cpu >= 0)
		fprintf(o, "      CPU: %d\n", t->cpu);
	if (t->have_task)
		fprintf(o, "     TASK: PID %d  COMM \"%s\"  TASK %016" PRIx64 "  STATE %c\n",
			t->task.t.pid, t->task.t.comm, t->task.t.addr, t->task.t.state);
	if (t->have_fault) {
		fprintf(o, "       AT: ");
		frame_text(o, t->fault_symbol, t->fault_offset, t->fault_module, t->fault_pc);
	}
	if (g) {
		fprintf(o, "   GUILTY: #%zu ", t->guilty);
		frame_text(o, g->symbol, g->offset, g->module, g->pc);
	}
	fprintf(o, "SIGNATURE: %s (v%d)\n", t->signature, VD_TRIAGE_SIGNATURE_VERSION);
	fprintf(o, "  DUPHASH: %s\n", t->duphash);
	fprintf(o, "  RELEASE: %s\n", t->sys.have_uts ? t->sys.release :
		t->sys.osrelease ? t->sys.osrelease : "?");
	if (t->sys.build_id)
		fprintf(o, " BUILD-ID: %s\n", t->sys.build_id);
	if (t->sys.have_uptime)
		fprintf(o, "   UPTIME: %.0f s\n", t->sys.uptime_s);
	else if (t->sys.no_data_symbols)
		fprintf(o, "   UPTIME: (needs --system-map or --vmlinux: this kernel's kallsyms has no data symbols)\n");
	if (!t->sys.have_taint && t->sys.no_data_symbols)
		fprintf(o, "  TAINTED: (needs --system-map or --vmlinux: this kernel's kallsyms has no data symbols)\n");
	if (t->sys.have_taint) {
		fprintf(o, "  TAINTED: %s", t->sys.taint ? t->sys.taint_letters : "no");
		for (size_t b = 0; b < 64; b++)
			if (t->sys.taint & (1ull << b))
				fprintf(o, " %s", b < vd_ntaint_flags ? vd_taint_flags[b].name : "unknown");
		for (size_t i = 0; i < t->ntmods; i++)
			fprintf(o, "%s%s(%s)", i ? " " : "  by ", t->tmods[i].name,
				t->tmods[i].taint_flags);
		fprintf(o, "\n");
	}
	if (t->have_mem)
		fprintf(o, "   MEMORY: total %" PRIu64 " kB, free %" PRIu64 " kB, available %" PRIu64
			" kB, slab %" PRIu64 " kB, swap free %" PRIu64 "/%" PRIu64 " kB, committed %"
			PRIu64 "/%" PRIu64 " kB\n", t->mem_total, t->mem_free, t->mem_available,
			t->slab, t->swap_free, t->swap_total, t->committed, t->commit_limit);
	fprintf(o, " COMPLETE: %s\n", t->complete ? "yes" : "no");
	for (size_t i = 0; i < t->problems.n; i++)
		fprintf(o, "  PROBLEM: %s\n", t->problems.msgs[i]);
	if (t->have_task) {
		fprintf(o, "\nPID: %-7d TASK: %016" PRIx64 "  CPU: %-3d COMMAND: \"%s\"\n",
			t->task.t.pid, t->task.t.addr, t->task.t.cpu, t->task.t.comm);
		vd_cli_bt_trace_text(cli, &t->task.tr);
	}
	if (t->regs_frame) {
		fprintf(o, "\nREGISTERS (%s):\n", t->have_fault ? "interrupted context" : "frame #0");
		vd_cli_bt_regs_text(cli, t->regs_frame);
	}
	if (t->ndgroups) {
		fprintf(o, "\nD-STATE TASKS:\n");
		groups_text(cli, t, t->dgroups, t->ndgroups);
	}
	if (t->ncgroups) {
		fprintf(o, "\nOTHER CPUS:\n");
		groups_text(cli, t, t->cgroups, t->ncgroups);
	}
	if (t->nlog) {
		fprintf(o, "\nLOG (last %zu lines):\n", t->nlog);
		for (size_t i = 0; i < t->nlog; i++)
			fprintf(o, "%s\n", t->log[i]);
	}
}

/*
 * One dump to out.  The first line is for the parent only:
 * "SIG\tKIND\tNORMALISED TITLE\n".  Returns a VD_EXIT_* status.
 */
static int
triage_one(struct vd_cli *parent, const char *path, FILE *out)
{
	struct vd_cli cli = *parent;
	const char *paths[1] = { path };
	struct vd_error *err;
	struct vd_triage *t;
	int ret = VD_EXIT_OK;
	char norm[512];

	cli.out = out;
	cli.dumps = paths;
	cli.ndumps = 1;
	cli.session = NULL;
	vd_json_init(&cli.j, out);
	if ((err = vd_session_open(paths, 1, &parent->session_opts, &cli.session))) {
		fprintf(out, "-\tunreadable\t\n");
		if (cli.json) {
			vd_json_begin_object(&cli.j);
			vd_json_kv_string(&cli.j, "file", path);
			vd_json_kv_uint(&cli.j, "signature_version", VD_TRIAGE_SIGNATURE_VERSION);
			vd_json_kv_string(&cli.j, "kind", "unknown");
			vd_json_key(&cli.j, "signature");
			vd_json_null(&cli.j);
			vd_json_kv_bool(&cli.j, "complete", false);
			vd_json_key(&cli.j, "problems");
			vd_json_begin_array(&cli.j);
			vd_json_string(&cli.j, err->msg);
			vd_json_end_array(&cli.j);
			vd_json_end_object(&cli.j);
		} else {
			fprintf(out, "=== %s\n COMPLETE: no\n  PROBLEM: %s\n", path, err->msg);
		}
		vd_error_destroy(err);
		return VD_EXIT_FAIL;
	}
	if (vd_session_info(cli.session)->kind != VD_DUMP_KERNEL) {
		fprintf(out, "-\tunreadable\t\n");
		if (cli.json) {
			vd_json_begin_object(&cli.j);
			vd_json_kv_string(&cli.j, "file", path);
			vd_json_kv_string(&cli.j, "kind", "unknown");
			vd_json_key(&cli.j, "signature");
			vd_json_null(&cli.j);
			vd_json_kv_bool(&cli.j, "complete", false);
			vd_json_key(&cli.j, "problems");
			vd_json_begin_array(&cli.j);
			vd_json_string(&cli.j, "a process core, not a kernel dump");
			vd_json_end_array(&cli.j);
			vd_json_end_object(&cli.j);
		} else {
			fprintf(out, "=== %s\n  PROBLEM: a process core, not a kernel dump\n", path);
		}
		vd_session_close(cli.session);
		return VD_EXIT_FAIL;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		vd_session_close(cli.session);
		return VD_EXIT_FAIL;
	}
	vd_triage_run(cli.session, t);
	vd_triage_normalize_title(t->hdr.message, norm, sizeof(norm));
	for (char *c = norm; *c; c++)
		if (*c == '\t' || *c == '\n')
			*c = ' ';
	fprintf(out, "%s\t%s\t%s\n", t->signature, t->kind, norm);
	if (cli.json)
		report_json(&cli, path, t);
	else
		report_text(&cli, path, t);
	if (!t->have_task)
		ret = VD_EXIT_FAIL;
	vd_triage_deinit(t);
	free(t);
	vd_session_close(cli.session);
	return ret;
}

static void
read_head(struct result *r)
{
	char line[700];

	rewind(r->f);
	if (!fgets(line, sizeof(line), r->f)) {
		r->failed = true;
		snprintf(r->kind, sizeof(r->kind), "unknown");
		return;
	}
	line[strcspn(line, "\n")] = '\0';
	{
		char *k = strchr(line, '\t'), *ti = k ? strchr(k + 1, '\t') : NULL;

		if (k)
			*k++ = '\0';
		if (ti)
			*ti++ = '\0';
		snprintf(r->sig, sizeof(r->sig), "%.16s", line);
		snprintf(r->kind, sizeof(r->kind), "%.31s", k ? k : "unknown");
		snprintf(r->title, sizeof(r->title), "%.511s", ti ? ti : "");
	}
}

static void
copy_rest(FILE *from, FILE *to)
{
	char buf[65536];
	size_t n;

	while ((n = fread(buf, 1, sizeof(buf), from)) > 0) {
		fwrite(buf, 1, n, to);
		// A child's JSON document: no error object after it (cli/main.c).
		if (to == stdout)
			vd_json_wrote_stdout = true;
	}
}

static void
print_groups(struct vd_cli *cli, struct result *r, char **paths, size_t n)
{
	size_t *order = calloc(n + 1, sizeof(*order)), ng = 0;
	size_t *count = calloc(n + 1, sizeof(*count));
	struct vd_json *j = &cli->j;

	if (!order || !count)
		goto out;
	for (size_t i = 0; i < n; i++) {
		size_t k;

		for (k = 0; k < ng; k++)
			if (!strcmp(r[order[k]].sig, r[i].sig) && !strcmp(r[order[k]].kind, r[i].kind))
				break;
		if (k == ng)
			order[ng++] = i;
		count[k]++;
	}
	/* most dumps first, then first seen */
	for (size_t a = 1; a < ng; a++)
		for (size_t b = a; b > 0 && count[b] > count[b - 1]; b--) {
			size_t x = order[b], c = count[b];

			order[b] = order[b - 1], count[b] = count[b - 1];
			order[b - 1] = x, count[b - 1] = c;
		}
	if (cli->json) {
		vd_json_begin_object(j);
		vd_json_kv_uint(j, "signature_version", VD_TRIAGE_SIGNATURE_VERSION);
		vd_json_kv_uint(j, "dumps", n);
		vd_json_key(j, "groups");
		vd_json_begin_array(j);
	} else {
		fprintf(cli->out, "%5s  %-16s  %-12s %s\n", "COUNT", "SIGNATURE", "KIND", "TITLE");
	}
	for (size_t k = 0; k < ng; k++) {
		const struct result *f = &r[order[k]];

		if (cli->json) {
			vd_json_begin_object(j);
			vd_json_kv_string(j, "signature", strcmp(f->sig, "-") ? f->sig : NULL);
			vd_json_kv_uint(j, "count", count[k]);
			vd_json_kv_string(j, "kind", f->kind);
			vd_json_kv_string(j, "title", f->title);
			vd_json_key(j, "dumps");
			vd_json_begin_array(j);
		} else {
			fprintf(cli->out, "%5zu  %-16s  %-12s %s\n", count[k], f->sig, f->kind, f->title);
		}
		for (size_t i = 0; i < n; i++)
			if (!strcmp(r[i].sig, f->sig) && !strcmp(r[i].kind, f->kind)) {
				if (cli->json)
					vd_json_string(j, paths[i]);
				else
					fprintf(cli->out, "       %s\n", paths[i]);
			}
		if (cli->json) {
			vd_json_end_array(j);
			vd_json_end_object(j);
		}
	}
	if (cli->json) {
		vd_json_end_array(j);
		vd_json_end_object(j);
	}
out:
	free(order);
	free(count);
}

int
vd_cmd_triage(struct vd_cli *cli)
{
	size_t n = (size_t)cli->nargs, next = 0, running = 0;
	struct result *r = calloc(n + 1, sizeof(*r));
	long jobs = 1;
	int ret = VD_EXIT_OK;

	if (!r) {
		vd_cli_error(cli, "out of memory");
		return VD_EXIT_FAIL;
	}
	if (cli->jobs) {
		char *end;

		jobs = strtol(cli->jobs, &end, 10);
		if (*end || jobs < 1 || jobs > 256) {
			vd_cli_error(cli, "--jobs %s: not a number from 1 to 256", cli->jobs);
			free(r);
			return VD_EXIT_USAGE;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (!(r[i].f = tmpfile())) {
			vd_cli_error(cli, "cannot make a temporary file: %s", strerror(errno));
			ret = VD_EXIT_FAIL;
			n = i;
			break;
		}
	}
	fflush(NULL);
	if (jobs == 1) {
		for (size_t i = 0; i < n; i++) {
			r[i].status = triage_one(cli, cli->args[i], r[i].f);
			fflush(r[i].f);
		}
	}
	/* Up to jobs children at a time, each writing to its own file. */
	while (jobs > 1 && (next < n || running)) {
		int st;
		pid_t pid;

		while (next < n && running < (size_t)jobs) {
			pid = fork();
			if (pid == 0) {
				int s = triage_one(cli, cli->args[next], r[next].f);

				fflush(r[next].f);
				_exit(s);
			}
			if (pid < 0) {
				/* no more processes: this one in-process */
				r[next].status = triage_one(cli, cli->args[next], r[next].f);
				fflush(r[next].f);
				next++;
				continue;
			}
			r[next].pid = pid;
			next++;
			running++;
		}
		if (!running)
			continue;
		if ((pid = wait(&st)) < 0)
			break;
		for (size_t i = 0; i < n; i++)
			if (r[i].pid == pid) {
				r[i].status = WIFEXITED(st) ? WEXITSTATUS(st) : VD_EXIT_FAIL;
				r[i].failed = !WIFEXITED(st);
				r[i].pid = 0;
			}
		running--;
	}
	for (size_t i = 0; i < n; i++) {
		read_head(&r[i]);
		if (r[i].status)
			ret = VD_EXIT_FAIL;
	}
	if (cli->group) {
		print_groups(cli, r, cli->args, n);
	} else {
		for (size_t i = 0; i < n; i++) {
			if (!cli->json && i)
				fprintf(cli->out, "\n");
			if (r[i].failed) {
				if (cli->json) {
					vd_json_begin_object(&cli->j);
					vd_json_kv_string(&cli->j, "file", cli->args[i]);
					vd_json_kv_string(&cli->j, "kind", "unknown");
					vd_json_key(&cli->j, "signature");
					vd_json_null(&cli->j);
					vd_json_kv_bool(&cli->j, "complete", false);
					vd_json_key(&cli->j, "problems");
					vd_json_begin_array(&cli->j);
					vd_json_string(&cli->j, "the triage process died");
					vd_json_end_array(&cli->j);
					vd_json_end_object(&cli->j);
				} else
					fprintf(cli->out, "=== %s\n  PROBLEM: the triage process died\n",
						cli->args[i]);
				continue;
			}
			copy_rest(r[i].f, cli->out);
		}
	}
	for (size_t i = 0; i < n; i++)
		fclose(r[i].f);
	free(r);
	return ret;
}
