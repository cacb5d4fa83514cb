// SPDX-License-Identifier: MIT
/*
 * vmdive bt: backtraces, laid out like crash's `bt` (a "PID: TASK: CPU:
 * COMMAND:" header, then "#N [SP] function+off at PC [module]" per frame,
 * "--- <IRQ stack> ---" where the walk changes stacks), from the unwinder
 * in unwind/ (no vmlinux needed).
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common/util.h"
#include "vmdive/unwind.h"
#include "vmdive/walk.h"

#define MAX_WORDS_PER_FRAME 512

/* bt -l: the vmlinux's line tables, for the whole command. */
static struct vd_lines *bt_lines;

/*
 * The source frames of frame i, innermost first (inlined calls, then the
 * function); 0 when no line is known.  A return address is looked up at
 * pc - 1, in the call.
 */
static size_t
frame_sources(const struct vd_trace *tr, size_t i, struct vd_source_frame *out, size_t max)
{
	const struct vd_frame *f = &tr->frames[i];

	if (!bt_lines || f->kind == VD_FRAME_USER)
		return 0;
	return vd_lines_frames(bt_lines, f->exact_pc ? f->pc : f->pc - 1, out, max);
}

#define BT_SOURCES_MAX 32

/* A task and its trace. */
struct bt_item {
	struct vd_task t;
	struct vd_trace tr;
	size_t group;             /* --group: index of the first item alike */
	size_t count;             /* --group: items alike (on the first) */
};

static const char *const x86_names[] = {
	"R15", "R14", "R13", "R12", "RBP", "RBX", "R11", "R10", "R9", "R8", "RAX",
	"RCX", "RDX", "RSI", "RDI", "ORIG_RAX", "RIP", "CS", "RFLAGS", "RSP", "SS",
};

static bool
is_arm64(struct vd_cli *cli)
{
	return vd_session_info(cli->session)->arch == VD_ARCH_AARCH64;
}

/* arm64: x0-x30, sp, pc, pstate, like crash's arm64 exception frames. */
static void
print_regs_text_arm64(struct vd_cli *cli, const struct vd_frame *f)
{
	const uint64_t *r = f->regs;

	fprintf(cli->out, "     PC: %016" PRIx64 "   LR: %016" PRIx64 "   SP: %016" PRIx64 "\n",
		r[32], r[30], r[31]);
	for (int i = 29; i >= 0; i -= 3) {
		fprintf(cli->out, "    ");
		for (int k = i; k > i - 3 && k >= 0; k--)
			fprintf(cli->out, "%sX%d: %016" PRIx64, k == i ? "" : "  ", k, r[k]);
		fprintf(cli->out, "\n");
	}
	fprintf(cli->out, "    PSTATE: %08" PRIx64 "\n", r[33]);
}

void
vd_cli_bt_regs_text(struct vd_cli *cli, const struct vd_frame *f)
{
	const uint64_t *r = f->regs;

	if (is_arm64(cli) && f->nregs >= 34) {
		print_regs_text_arm64(cli, f);
		return;
	}
	if (f->nregs < VD_X86_NREGS_PTREGS)
		return;
	fprintf(cli->out, "    RIP: %016" PRIx64 "  RSP: %016" PRIx64 "  RFLAGS: %08" PRIx64 "\n",
		r[VD_X86_IP], r[VD_X86_SP], r[VD_X86_FLAGS]);
	fprintf(cli->out, "    RAX: %016" PRIx64 "  RBX: %016" PRIx64 "  RCX: %016" PRIx64 "\n",
		r[VD_X86_AX], r[VD_X86_BX], r[VD_X86_CX]);
	fprintf(cli->out, "    RDX: %016" PRIx64 "  RSI: %016" PRIx64 "  RDI: %016" PRIx64 "\n",
		r[VD_X86_DX], r[VD_X86_SI], r[VD_X86_DI]);
	fprintf(cli->out, "    RBP: %016" PRIx64 "   R8: %016" PRIx64 "   R9: %016" PRIx64 "\n",
		r[VD_X86_BP], r[VD_X86_R8], r[VD_X86_R9]);
	fprintf(cli->out, "    R10: %016" PRIx64 "  R11: %016" PRIx64 "  R12: %016" PRIx64 "\n",
		r[VD_X86_R10], r[VD_X86_R11], r[VD_X86_R12]);
	fprintf(cli->out, "    R13: %016" PRIx64 "  R14: %016" PRIx64 "  R15: %016" PRIx64 "\n",
		r[VD_X86_R13], r[VD_X86_R14], r[VD_X86_R15]);
	fprintf(cli->out, "    ORIG_RAX: %016" PRIx64 "  CS: %04" PRIx64 "  SS: %04" PRIx64 "\n",
		r[VD_X86_ORIG_AX], r[VD_X86_CS], r[VD_X86_SS]);
}

void
vd_cli_bt_regs_json(struct vd_cli *cli, const struct vd_frame *f)
{
	struct vd_json *j = &cli->j;
	char name[16];

	vd_json_key(j, "regs");
	vd_json_begin_object(j);
	if (is_arm64(cli)) {
		for (uint32_t i = 0; i < f->nregs && i < 34; i++) {
			snprintf(name, sizeof(name), "%s", i < 31 ? "" : i == 31 ? "sp" :
				 i == 32 ? "pc" : "pstate");
			if (i < 31)
				snprintf(name, sizeof(name), "x%u", i);
			vd_json_kv_hex(j, name, f->regs[i]);
		}
		vd_json_end_object(j);
		return;
	}
	for (uint32_t i = 0; i < f->nregs && i < VD_ARRAY_SIZE(x86_names); i++) {
		size_t k;

		for (k = 0; x86_names[i][k] && k < sizeof(name) - 1; k++)
			name[k] = (char)tolower((unsigned char)x86_names[i][k]);
		name[k] = '\0';
		vd_json_kv_hex(j, name, f->regs[i]);
	}
	vd_json_end_object(j);
}

/* The stack words of frame i: from its sp up to the next frame's (same stack). */
static void
print_words(struct vd_cli *cli, const struct vd_trace *tr, size_t i)
{
	const struct vd_frame *f = &tr->frames[i], *next;
	uint64_t end, a;

	if (i + 1 >= tr->nframes)
		return;
	next = &tr->frames[i + 1];
	if (next->kind == VD_FRAME_USER || strcmp(next->stack, f->stack) || next->sp <= f->sp)
		return;
	end = VD_MIN(next->sp, f->sp + 8ull * MAX_WORDS_PER_FRAME);
	for (a = f->sp; a < end; a += 16) {
		uint64_t w[2] = { 0, 0 };
		size_t nw = end - a >= 16 ? 2 : 1;
		struct vd_error *err = vd_session_read(cli->session, VD_AS_KVIRT, a, w, nw * 8, NULL);

		if (err) {
			fprintf(cli->out, "    %016" PRIx64 ": (%s)\n", a, err->msg);
			vd_error_destroy(err);
			return;
		}
		fprintf(cli->out, "    %016" PRIx64 ":", a);
		for (size_t k = 0; k < nw; k++) {
			char sym[128];

			vd_cli_symbolize(cli, w[k], sym, sizeof(sym));
			fprintf(cli->out, " %016" PRIx64, w[k]);
			if (sym[0])
				fprintf(cli->out, " <%s>", sym);
		}
		fprintf(cli->out, "\n");
	}
}

static const char *
stack_banner(const char *stack)
{
	if (!strcmp(stack, "irq"))
		return "IRQ stack";
	if (!strcmp(stack, "task"))
		return "task stack";
	return NULL;
}

void
vd_cli_bt_trace_text(struct vd_cli *cli, const struct vd_trace *tr)
{
	for (size_t i = 0; i < tr->nframes; i++) {
		const struct vd_frame *f = &tr->frames[i];

		if (f->kind == VD_FRAME_USER) {
			fprintf(cli->out, "    --- <user mode: pt_regs at %016" PRIx64 "> ---\n",
				f->regs_addr);
			vd_cli_bt_regs_text(cli, f);
			continue;
		}
		if (i ? strcmp(f->stack, tr->frames[i - 1].stack) != 0 : strcmp(f->stack, "task") != 0) {
			const char *b = stack_banner(f->stack);

			if (b)
				fprintf(cli->out, "--- <%s> ---\n", b);
			else
				fprintf(cli->out, "--- <%s exception stack> ---\n", f->stack);
		}
		if (f->kind == VD_FRAME_EXCEPTION) {
			fprintf(cli->out, "    --- <exception: pt_regs at %016" PRIx64 "> ---\n",
				f->regs_addr);
			if (cli->bt_regs)
				vd_cli_bt_regs_text(cli, f);
		}
		fprintf(cli->out, "%s#%zu [%016" PRIx64 "] ", i < 10 ? " " : "", i, f->sp);
		if (f->symbol)
			fprintf(cli->out, "%s+0x%" PRIx64, f->symbol, f->offset);
		else
			fprintf(cli->out, "(unknown)");
		fprintf(cli->out, " at %016" PRIx64, f->pc);
		if (f->module)
			fprintf(cli->out, " [%s]", f->module);
		if (!f->reliable)
			fprintf(cli->out, " ?");
		fprintf(cli->out, "\n");
		{
			struct vd_source_frame src[BT_SOURCES_MAX];
			size_t n = frame_sources(tr, i, src, BT_SOURCES_MAX);

			// Inlined calls first, innermost first (as drgn and
			// gdb list them), then the function's own line.
			for (size_t k = 0; k < n; k++) {
				if (src[k].inlined)
					fprintf(cli->out, "    inlined %s: ",
						src[k].function ? src[k].function : "(unknown)");
				else
					fprintf(cli->out, "    ");
				if (src[k].file)
					fprintf(cli->out, "%s: %u\n", src[k].file, src[k].line);
				else
					fprintf(cli->out, "(no call site)\n");
			}
		}
		if (i == 0 && f->have_regs && cli->bt_regs)
			vd_cli_bt_regs_text(cli, f);
		if (cli->bt_words)
			print_words(cli, tr, i);
	}
	if (tr->note)
		fprintf(cli->out, "    (%s)\n", tr->note);
	if (tr->error)
		fprintf(cli->out, "    bt: %s\n", tr->error->msg);
}

static void
print_header_text(struct vd_cli *cli, const struct bt_item *it)
{
	fprintf(cli->out, "PID: %-7d TASK: %016" PRIx64 "  CPU: %-3d COMMAND: \"%s\"\n",
		it->t.pid, it->t.addr, it->t.cpu, it->t.comm);
}

void
vd_cli_bt_frames_json(struct vd_cli *cli, const struct vd_trace *tr)
{
	struct vd_json *j = &cli->j;

	vd_json_key(j, "frames");
	vd_json_begin_array(j);
	for (size_t i = 0; i < tr->nframes; i++) {
		const struct vd_frame *f = &tr->frames[i];

		vd_json_begin_object(j);
		vd_json_kv_hex(j, "pc", f->pc);
		vd_json_kv_hex(j, "sp", f->sp);
		vd_json_key(j, "symbol");
		if (f->symbol)
			vd_json_string(j, f->symbol);
		else
			vd_json_null(j);
		vd_json_key(j, "offset");
		if (f->symbol)
			vd_json_uint(j, f->offset);
		else
			vd_json_null(j);
		vd_json_key(j, "module");
		if (f->module)
			vd_json_string(j, f->module);
		else
			vd_json_null(j);
		vd_json_kv_string(j, "stack", f->stack);
		vd_json_kv_string(j, "kind", vd_frame_kind_name(f->kind));
		vd_json_kv_bool(j, "reliable", f->reliable);
		if (f->from_lr)
			vd_json_kv_bool(j, "from_lr", true);
		if (bt_lines) {
			struct vd_source_frame src[BT_SOURCES_MAX];
			size_t n = frame_sources(tr, i, src, BT_SOURCES_MAX);

			// "file"/"line": the function's own (the call site of
			// its outermost inlined call); "inline": the inlined
			// calls, innermost first.
			if (n && src[n - 1].file) {
				vd_json_kv_string(j, "file", src[n - 1].file);
				vd_json_kv_uint(j, "line", src[n - 1].line);
			}
			if (n > 1) {
				vd_json_key(j, "inline");
				vd_json_begin_array(j);
				for (size_t k = 0; k + 1 < n; k++) {
					vd_json_begin_object(j);
					vd_json_key(j, "function");
					if (src[k].function)
						vd_json_string(j, src[k].function);
					else
						vd_json_null(j);
					vd_json_key(j, "file");
					if (src[k].file)
						vd_json_string(j, src[k].file);
					else
						vd_json_null(j);
					vd_json_kv_uint(j, "line", src[k].line);
					vd_json_end_object(j);
				}
				vd_json_end_array(j);
			}
		}
		if (f->kind != VD_FRAME_FUNCTION)
			vd_json_kv_hex(j, "pt_regs", f->regs_addr);
		if (f->have_regs && (cli->bt_regs || f->kind == VD_FRAME_USER))
			vd_cli_bt_regs_json(cli, f);
		vd_json_end_object(j);
	}
	vd_json_end_array(j);
	vd_json_key(j, "error");
	if (tr->error)
		vd_json_string(j, tr->error->msg);
	else
		vd_json_null(j);
	if (tr->note)
		vd_json_kv_string(j, "note", tr->note);
}

static void
print_task_json_head(struct vd_cli *cli, const struct bt_item *it)
{
	struct vd_json *j = &cli->j;
	char st[2] = { it->t.state, '\0' };

	vd_json_kv_int(j, "pid", it->t.tgid);
	vd_json_kv_int(j, "tid", it->t.pid);
	vd_json_kv_string(j, "comm", it->t.comm);
	vd_json_kv_hex(j, "task", it->t.addr);
	vd_json_kv_int(j, "cpu", it->t.cpu);
	vd_json_kv_string(j, "state", st);
	vd_json_kv_bool(j, "running", it->tr.running);
	if (it->tr.start)
		vd_json_kv_string(j, "start", it->tr.start);
}

/* --group: traces alike when every frame has the same pc, kind and stack. */
static bool
same_trace(const struct vd_trace *a, const struct vd_trace *b)
{
	if (a->nframes != b->nframes || !a->error != !b->error || !a->note != !b->note)
		return false;
	for (size_t i = 0; i < a->nframes; i++)
		if (a->frames[i].pc != b->frames[i].pc || a->frames[i].kind != b->frames[i].kind ||
		    strcmp(a->frames[i].stack, b->frames[i].stack))
			return false;
	if (a->error && strcmp(a->error->msg, b->error->msg))
		return false;
	return true;
}

static const struct bt_item *group_cmp_base;

static int
group_cmp(const void *x, const void *y)
{
	const struct bt_item *a = &group_cmp_base[*(const size_t *)x];
	const struct bt_item *b = &group_cmp_base[*(const size_t *)y];

	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return *(const size_t *)x < *(const size_t *)y ? -1 : 1;
}

static void
print_groups(struct vd_cli *cli, struct bt_item *items, size_t n)
{
	size_t *firsts = calloc(n + 1, sizeof(*firsts)), nf = 0;
	struct vd_json *j = &cli->j;

	if (!firsts) {
		vd_cli_error(cli, "out of memory");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		items[i].group = i;
		items[i].count = 0;
		for (size_t k = 0; k < nf; k++)
			if (same_trace(&items[firsts[k]].tr, &items[i].tr)) {
				items[i].group = firsts[k];
				break;
			}
		if (items[i].group == i)
			firsts[nf++] = i;
		items[items[i].group].count++;
	}
	group_cmp_base = items;
	qsort(firsts, nf, sizeof(*firsts), group_cmp);
	if (cli->json) {
		vd_json_key(j, "groups");
		vd_json_begin_array(j);
	}
	for (size_t g = 0; g < nf; g++) {
		const struct bt_item *first = &items[firsts[g]];

		if (cli->json) {
			vd_json_begin_object(j);
			vd_json_kv_uint(j, "count", first->count);
			vd_json_key(j, "tasks");
			vd_json_begin_array(j);
			for (size_t i = 0; i < n; i++)
				if (items[i].group == firsts[g]) {
					vd_json_begin_object(j);
					print_task_json_head(cli, &items[i]);
					vd_json_end_object(j);
				}
			vd_json_end_array(j);
			vd_cli_bt_frames_json(cli, &first->tr);
			vd_json_end_object(j);
			continue;
		}
		fprintf(cli->out, "%s%zu task%s:", g ? "\n" : "", first->count,
			first->count == 1 ? "" : "s");
		for (size_t i = 0, shown = 0; i < n; i++)
			if (items[i].group == firsts[g]) {
				if (shown++ == 16) {
					fprintf(cli->out, " ...");
					break;
				}
				fprintf(cli->out, " %d(%s)", items[i].t.pid, items[i].t.comm);
			}
		fprintf(cli->out, "\n");
		vd_cli_bt_trace_text(cli, &first->tr);
	}
	if (cli->json)
		vd_json_end_array(j);
	free(firsts);
}

/* "1234" is a pid, "ffff8880..."/"0x..." a task address. */
static bool
parse_task_arg(const char *s, bool *is_pid, uint64_t *v)
{
	char *end;
	size_t len = strlen(s);

	if (len && len <= 7 && strspn(s, "0123456789") == len) {
		*is_pid = true;
		*v = strtoull(s, &end, 10);
		return true;
	}
	*is_pid = false;
	return vd_cli_parse_addr(s, v);
}

static bool
wanted(struct vd_cli *cli, const struct vd_task_iter *iter, const struct vd_task *t,
       const bool *is_pid, const uint64_t *vals, bool *matched)
{
	if (cli->bt_all)
		return true;
	if (cli->bt_cpus)
		return t->active;
	if (!cli->nargs)
		return t->addr == iter->panic_task;
	for (int i = 0; i < cli->nargs; i++)
		if (is_pid[i] ? (uint64_t)t->pid == vals[i] : t->addr == vals[i]) {
			matched[i] = true;
			return true;
		}
	return false;
}

static int
item_cpu_cmp(const void *x, const void *y)
{
	const struct bt_item *a = x, *b = y;

	return a->t.cpu < b->t.cpu ? -1 : a->t.cpu > b->t.cpu;
}

int
vd_cmd_bt(struct vd_cli *cli)
{
	struct vd_walk_errors errs = { .cli = cli };
	struct vd_unwinder *u = NULL;
	struct vd_task_iter iter;
	const struct vd_task *t;
	struct vd_error *err;
	struct bt_item *items = NULL;
	size_t n = 0, cap = 0, nfailed = 0;
	bool *is_pid = calloc((size_t)cli->nargs + 1, sizeof(bool));
	bool *matched = calloc((size_t)cli->nargs + 1, sizeof(bool));
	uint64_t *vals = calloc((size_t)cli->nargs + 1, sizeof(uint64_t));
	int ret = VD_EXIT_OK;

	if (!is_pid || !matched || !vals) {
		vd_cli_error(cli, "out of memory");
		ret = VD_EXIT_FAIL;
		goto out_args;
	}
	if ((cli->bt_all || cli->bt_cpus) && cli->nargs) {
		vd_cli_error(cli, "-a and -A take no task arguments");
		ret = VD_EXIT_USAGE;
		goto out_args;
	}
	if (cli->group && !cli->bt_all && !cli->bt_cpus) {
		vd_cli_error(cli, "--group goes with -A or -a");
		ret = VD_EXIT_USAGE;
		goto out_args;
	}
	for (int i = 0; i < cli->nargs; i++)
		if (!parse_task_arg(cli->args[i], &is_pid[i], &vals[i])) {
			vd_cli_error(cli, "'%s' is neither a pid nor a task address", cli->args[i]);
			ret = VD_EXIT_USAGE;
			goto out_args;
		}
	if ((err = vd_unwinder_new(cli->session, &u))) {
		vd_cli_report(cli, err);
		ret = VD_EXIT_FAIL;
		goto out_args;
	}
	if (cli->list && (err = vd_lines_open(cli->session, &bt_lines))) {
		vd_cli_report(cli, err);
		ret = VD_EXIT_FAIL;
		goto out_unwinder;
	}
	if ((err = vd_task_iter_init(&iter, cli->session, true))) {
		vd_cli_report(cli, err);
		ret = VD_EXIT_FAIL;
		goto out_unwinder;
	}
	if (!cli->nargs && !cli->bt_all && !cli->bt_cpus && !iter.panic_task) {
		vd_cli_error(cli, "the dump does not say which task panicked; try bt -a");
		ret = VD_EXIT_FAIL;
		goto out_iter;
	}
	while ((err = vd_task_iter_next(&iter, &t)) != &vd_stop) {
		struct bt_item *it;

		if (err) {
			vd_walk_errors_add(&errs, err);
			continue;
		}
		if (!wanted(cli, &iter, t, is_pid, vals, matched))
			continue;
		if (n == cap) {
			size_t nc = cap ? 2 * cap : 64;
			struct bt_item *p = realloc(items, nc * sizeof(*p));

			if (!p) {
				vd_cli_error(cli, "out of memory");
				ret = VD_EXIT_FAIL;
				goto out_items;
			}
			items = p;
			cap = nc;
		}
		it = &items[n];
		memset(it, 0, sizeof(*it));
		it->t = *t;
		if ((err = vd_unwind_task(u, t, &it->tr))) {
			vd_cli_report(cli, err);
			ret = VD_EXIT_FAIL;
			goto out_items;
		}
		n++;
		if (it->tr.error)
			nfailed++;
	}
	for (int i = 0; i < cli->nargs; i++)
		if (!matched[i]) {
			char msg[300];

			snprintf(msg, sizeof(msg), "no task %s", cli->args[i]);
			vd_cli_error(cli, "%s", msg);
			vd_walk_errors_keep(&errs, msg);
			ret = VD_EXIT_FAIL;
		}
	if (cli->bt_cpus)
		qsort(items, n, sizeof(*items), item_cpu_cmp);

	if (cli->json) {
		vd_json_begin_object(&cli->j);
		if (iter.panic_cpu >= 0) {
			vd_json_kv_int(&cli->j, "panic_cpu", iter.panic_cpu);
			vd_json_kv_hex(&cli->j, "panic_task", iter.panic_task);
		}
	}
	if (cli->group) {
		print_groups(cli, items, n);
	} else {
		if (cli->json) {
			vd_json_key(&cli->j, "tasks");
			vd_json_begin_array(&cli->j);
		}
		for (size_t i = 0; i < n; i++) {
			if (cli->json) {
				vd_json_begin_object(&cli->j);
				print_task_json_head(cli, &items[i]);
				vd_cli_bt_frames_json(cli, &items[i].tr);
				vd_json_end_object(&cli->j);
				continue;
			}
			if (i)
				fprintf(cli->out, "\n");
			print_header_text(cli, &items[i]);
			vd_cli_bt_trace_text(cli, &items[i].tr);
		}
		if (cli->json)
			vd_json_end_array(&cli->j);
	}
	if (cli->json) {
		vd_walk_errors_json(&errs);
		vd_json_end_object(&cli->j);
	} else if (n > 1) {
		fprintf(cli->out, "\n%zu tasks, %zu traces ended early\n", n, nfailed);
	}
	vd_walk_errors_finish(&errs, "tasks");
	if (errs.n)
		ret = VD_EXIT_FAIL;
out_items:
	for (size_t i = 0; i < n; i++)
		vd_trace_free(&items[i].tr);
	free(items);
out_iter:
	vd_task_iter_deinit(&iter);
out_unwinder:
	vd_lines_close(bt_lines);
	bt_lines = NULL;
	vd_unwinder_free(u);
out_args:
	free(is_pid);
	free(matched);
	free(vals);
	return ret;
}
