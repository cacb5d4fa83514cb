// SPDX-License-Identifier: MIT
/*
 * A process inside a kernel dump: vm PID (its VMAs with file paths),
 * files PID (its open files), ps -a (argv and environment from its
 * memory), and -u PID for rd and vtop (its own page tables).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "vmdive/memory.h"
#include "vmdive/walk.h"

#define ARGS_MAX (128u << 10)

static bool
parse_pid(const char *s, int32_t *ret)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v < 0 || v > 0x3fffffff)
		return false;
	*ret = (int32_t)v;
	return true;
}

static int
open_task(struct vd_cli *cli, const char *pidstr, struct vd_kmem **kret, struct vd_utask *t)
{
	struct vd_error *err;
	int32_t pid;

	if (!parse_pid(pidstr, &pid)) {
		vd_cli_error(cli, "'%s' is not a pid", pidstr);
		return VD_EXIT_USAGE;
	}
	if (vd_session_info(cli->session)->kind != VD_DUMP_KERNEL) {
		vd_cli_error(cli, "a process's memory by pid needs a kernel dump");
		return VD_EXIT_USAGE;
	}
	if ((err = vd_kmem_open(cli->session, kret))) {
		vd_cli_report(cli, err);
		return VD_EXIT_FAIL;
	}
	if ((err = vd_kmem_utask(*kret, pid, t))) {
		vd_cli_report(cli, err);
		vd_kmem_close(*kret);
		*kret = NULL;
		return VD_EXIT_FAIL;
	}
	return 0;
}

int
vd_cli_utask_open(struct vd_cli *cli)
{
	struct vd_utask *t = calloc(1, sizeof(*t));
	int r;

	if (!t)
		return VD_EXIT_FAIL;
	if ((r = open_task(cli, cli->upid, &cli->ukmem, t))) {
		free(t);
		return r;
	}
	cli->utask = t;
	return 0;
}

void
vd_cli_utask_close(struct vd_cli *cli)
{
	vd_kmem_close(cli->ukmem);
	free(cli->utask);
	cli->ukmem = NULL;
	cli->utask = NULL;
}

struct vd_error *
vd_cli_uwalk(struct vd_cli *cli, uint64_t va, struct vd_xlat_walk *ret)
{
	return vd_kmem_uwalk(cli->ukmem, cli->utask, va, ret);
}

bool
vd_cli_uswap(struct vd_cli *cli, uint64_t va, struct vd_swap_page *ret)
{
	struct vd_error *err = vd_kmem_uswap(cli->ukmem, cli->utask, va, NULL, ret);

	vd_error_destroy(err);
	return err == NULL;
}

static void
task_head(struct vd_cli *cli, const struct vd_utask *t)
{
	fprintf(cli->out, "PID: %-6d TASK: %016" PRIx64 "  COMMAND: \"%s\"\n", t->pid, t->task,
		t->comm);
}

int
vd_cmd_vm(struct vd_cli *cli)
{
	struct vd_kmem *k;
	struct vd_utask t;
	struct vd_vma *v = NULL;
	struct vd_error *err;
	size_t n = 0;
	uint64_t total = 0;
	int r;

	if ((r = open_task(cli, cli->args[0], &k, &t)))
		return r;
	err = vd_kmem_vmas(k, &t, &v, &n);
	if (err) {
		vd_cli_report(cli, err);
		vd_kmem_close(k);
		return VD_EXIT_FAIL;
	}
	for (size_t i = 0; i < n; i++)
		total += v[i].end - v[i].start;
	if (cli->json) {
		struct vd_json *j = &cli->j;

		vd_json_begin_object(j);
		vd_json_kv_int(j, "pid", t.pid);
		vd_json_kv_int(j, "tgid", t.tgid);
		vd_json_kv_hex(j, "task", t.task);
		vd_json_kv_string(j, "comm", t.comm);
		vd_json_kv_hex(j, "mm", t.mm);
		vd_json_kv_hex(j, "pgd", t.pgd);
		vd_json_kv_hex(j, "pgd_phys", t.pgd_pa);
		vd_json_kv_int(j, "map_count", t.map_count);
		vd_json_kv_uint(j, "total_vm", total);
		vd_json_key(j, "vmas");
		vd_json_begin_array(j);
		for (size_t i = 0; i < n; i++) {
			vd_json_begin_object(j);
			vd_json_kv_hex(j, "vma", v[i].vma);
			vd_json_kv_hex(j, "start", v[i].start);
			vd_json_kv_hex(j, "end", v[i].end);
			vd_json_kv_hex(j, "flags", v[i].flags);
			vd_json_kv_string(j, "perms", v[i].perms);
			vd_json_kv_hex(j, "pgoff", v[i].pgoff);
			vd_json_kv_hex(j, "file", v[i].file);
			vd_json_kv_string(j, "path", v[i].path);
			vd_json_end_object(j);
		}
		vd_json_end_array(j);
		vd_json_end_object(j);
	} else {
		task_head(cli, &t);
		fprintf(cli->out, "       MM               PGD          TOTAL_VM\n");
		fprintf(cli->out, "%016" PRIx64 "  %016" PRIx64 "  %" PRIu64 "k\n", t.mm, t.pgd,
			total >> 10);
		fprintf(cli->out, "      VMA                START              END        FLAGS PERM     PGOFF  FILE\n");
		for (size_t i = 0; i < n; i++)
			fprintf(cli->out, "%016" PRIx64 " %16" PRIx64 " %16" PRIx64 " %8" PRIx64
				" %s %9" PRIx64 "  %s\n", v[i].vma, v[i].start, v[i].end, v[i].flags,
				v[i].perms, v[i].pgoff, v[i].path);
	}
	if ((int64_t)n != t.map_count)
		vd_cli_error(cli, "warning: %zu VMAs found, mm->map_count says %d", n, t.map_count);
	free(v);
	vd_kmem_close(k);
	return (int64_t)n == t.map_count ? VD_EXIT_OK : VD_EXIT_FAIL;
}

struct files_state {
	struct vd_cli *cli;
	struct vd_kmem *k;
	uint64_t n;
};

static bool
file_cb(void *priv, int fd, uint64_t file)
{
	struct files_state *st = priv;
	struct vd_cli *cli = st->cli;
	char path[512];
	struct vd_error *err = vd_kmem_file_path(st->k, file, path, sizeof(path));

	if (err) {
		snprintf(path, sizeof(path), "(path unreadable: %s)", err->msg);
		vd_error_destroy(err);
	}
	st->n++;
	if (cli->json) {
		vd_json_begin_object(&cli->j);
		vd_json_kv_int(&cli->j, "fd", fd);
		vd_json_kv_hex(&cli->j, "file", file);
		vd_json_kv_string(&cli->j, "path", path);
		vd_json_end_object(&cli->j);
	} else {
		fprintf(cli->out, "%3d  %016" PRIx64 "  %s\n", fd, file, path);
	}
	return true;
}

int
vd_cmd_files(struct vd_cli *cli)
{
	struct files_state st = { .cli = cli };
	struct vd_utask t;
	struct vd_error *err;
	int r;

	if ((r = open_task(cli, cli->args[0], &st.k, &t)))
		return r;
	if (cli->json) {
		vd_json_begin_object(&cli->j);
		vd_json_kv_int(&cli->j, "pid", t.pid);
		vd_json_kv_hex(&cli->j, "task", t.task);
		vd_json_kv_string(&cli->j, "comm", t.comm);
		vd_json_key(&cli->j, "files");
		vd_json_begin_array(&cli->j);
	} else {
		task_head(cli, &t);
		fprintf(cli->out, " FD       FILE            PATH\n");
	}
	err = vd_kmem_files(st.k, &t, file_cb, &st);
	if (cli->json) {
		vd_json_end_array(&cli->j);
		vd_json_end_object(&cli->j);
	}
	vd_kmem_close(st.k);
	if (err) {
		vd_cli_report(cli, err);
		return VD_EXIT_FAIL;
	}
	return VD_EXIT_OK;
}

/* NUL-separated strings of [start, end) of the process, as a list. */
static struct vd_error *
read_strings(struct vd_kmem *k, const struct vd_utask *t, uint64_t start, uint64_t end,
	     char **buf_ret, size_t *len_ret)
{
	size_t len, done = 0;
	char *buf;
	struct vd_error *err;

	*buf_ret = NULL;
	*len_ret = 0;
	if (end <= start)
		return NULL;
	len = end - start > ARGS_MAX ? ARGS_MAX : end - start;
	if (!(buf = calloc(1, len + 1)))
		return &vd_enomem;
	err = vd_kmem_uread(k, t, start, buf, len, &done);
	*buf_ret = buf;
	*len_ret = done;
	return err;
}

static void
strings_json(struct vd_json *j, const char *key, const char *buf, size_t len)
{
	vd_json_key(j, key);
	vd_json_begin_array(j);
	for (size_t i = 0; i < len;) {
		size_t l = strnlen(buf + i, len - i);

		vd_json_string_len(j, buf + i, l);
		i += l + 1;
	}
	vd_json_end_array(j);
}

static void
strings_text(FILE *out, const char *tag, const char *buf, size_t len, bool one_line)
{
	bool first = true;

	fprintf(out, "%s: ", tag);
	for (size_t i = 0; i < len;) {
		size_t l = strnlen(buf + i, len - i);

		if (!first)
			fprintf(out, one_line ? " " : "\n     ");
		for (size_t c = 0; c < l; c++) {
			unsigned char ch = (unsigned char)buf[i + c];

			fputc(ch >= 0x20 && ch < 0x7f ? ch : '.', out);
		}
		first = false;
		i += l + 1;
	}
	fputc('\n', out);
}

int
vd_cli_ps_args(struct vd_cli *cli)
{
	struct vd_walk_errors errs = { .cli = cli };
	struct vd_task_iter it;
	const struct vd_task *task;
	struct vd_kmem *k;
	struct vd_error *err;

	if ((err = vd_kmem_open(cli->session, &k))) {
		vd_cli_report(cli, err);
		return VD_EXIT_FAIL;
	}
	if ((err = vd_task_iter_init(&it, cli->session, cli->threads))) {
		vd_cli_report(cli, err);
		vd_kmem_close(k);
		return VD_EXIT_FAIL;
	}
	if (cli->json) {
		vd_json_begin_object(&cli->j);
		vd_json_key(&cli->j, "tasks");
		vd_json_begin_array(&cli->j);
	}
	while ((err = vd_task_iter_next(&it, &task)) != &vd_stop) {
		struct vd_utask t;
		char *args = NULL, *env = NULL;
		size_t alen = 0, elen = 0;

		if (err) {
			vd_walk_errors_add(&errs, err);
			continue;
		}
		if (task->kthread || task->idle || !task->mm)
			continue;
		if ((err = vd_kmem_utask(k, task->pid, &t))) {
			vd_walk_errors_add(&errs, err);
			continue;
		}
		if ((err = read_strings(k, &t, t.arg_start, t.arg_end, &args, &alen)))
			vd_walk_errors_add(&errs, vd_error_wrap(err, "argv of pid %d", t.pid));
		if ((err = read_strings(k, &t, t.env_start, t.env_end, &env, &elen)))
			vd_walk_errors_add(&errs, vd_error_wrap(err, "environment of pid %d", t.pid));
		if (cli->json) {
			vd_json_begin_object(&cli->j);
			vd_json_kv_int(&cli->j, "pid", t.pid);
			vd_json_kv_hex(&cli->j, "task", t.task);
			vd_json_kv_string(&cli->j, "comm", t.comm);
			strings_json(&cli->j, "argv", args ? args : "", alen);
			strings_json(&cli->j, "environ", env ? env : "", elen);
			vd_json_end_object(&cli->j);
		} else {
			fprintf(cli->out, "PID: %-6d TASK: %016" PRIx64 "  COMMAND: \"%s\"\n", t.pid,
				t.task, t.comm);
			strings_text(cli->out, "ARG", args ? args : "", alen, true);
			strings_text(cli->out, "ENV", env ? env : "", elen, false);
		}
		free(args);
		free(env);
	}
	vd_task_iter_deinit(&it);
	if (cli->json) {
		vd_json_end_array(&cli->j);
		vd_walk_errors_json(&errs);
		vd_json_end_object(&cli->j);
	}
	vd_walk_errors_finish(&errs, "processes");
	vd_kmem_close(k);
	return errs.n ? VD_EXIT_FAIL : VD_EXIT_OK;
}

int
vd_cmd_gcore(struct vd_cli *cli)
{
	struct vd_gcore_stats st;
	struct vd_kmem *k;
	struct vd_error *err;
	int32_t pid;

	if (!cli->output) {
		vd_cli_error(cli, "gcore needs -o FILE");
		return VD_EXIT_USAGE;
	}
	if (!parse_pid(cli->args[0], &pid)) {
		vd_cli_error(cli, "'%s' is not a pid", cli->args[0]);
		return VD_EXIT_USAGE;
	}
	if ((err = vd_kmem_open(cli->session, &k))) {
		vd_cli_report(cli, err);
		return VD_EXIT_FAIL;
	}
	err = vd_kmem_gcore(k, pid, cli->output, &st);
	vd_kmem_close(k);
	if (err) {
		vd_cli_report(cli, err);
		return VD_EXIT_FAIL;
	}
	if (cli->json) {
		vd_json_begin_object(&cli->j);
		vd_json_kv_int(&cli->j, "pid", pid);
		vd_json_kv_string(&cli->j, "output", cli->output);
		vd_json_kv_uint(&cli->j, "threads", st.nthreads);
		vd_json_kv_uint(&cli->j, "vmas", st.nvmas);
		vd_json_kv_uint(&cli->j, "files", st.nfiles);
		vd_json_kv_uint(&cli->j, "auxv", st.nauxv);
		vd_json_kv_uint(&cli->j, "pages", st.pages);
		vd_json_kv_uint(&cli->j, "missing_pages", st.missing_pages);
		vd_json_end_object(&cli->j);
	} else {
		fprintf(cli->out, "%s: pid %d, %zu threads, %zu VMAs (%zu files), %llu pages written,"
			" %llu not readable (written as zeros)\n", cli->output, pid, st.nthreads,
			st.nvmas, st.nfiles, (unsigned long long)st.pages,
			(unsigned long long)st.missing_pages);
	}
	return VD_EXIT_OK;
}
