// SPDX-License-Identifier: MIT
/*
 * vmdive info on a process core: the executable and command line, who
 * died of what signal where, every thread's registers, the auxiliary
 * vector, how the core was stored (compression, systemd-coredump's
 * extended attributes); as text or --json.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "common/util.h"
#include "vmdive/core.h"

#define AT_PLATFORM_ 15
#define AT_ENTRY_ 9
#define AT_BASE_PLATFORM_ 24
#define AT_EXECFN_ 31

struct core_facts {
	const struct vd_dump_info *info;
	const struct vd_core_info *core;
	const char *exe;             /* path of the AT_ENTRY file mapping */
	const struct vd_core_files *files;
	uint64_t dumped, mapped;     /* bytes in the core, bytes mapped */
};

/* Strings the auxv points at, read from the process's memory. */
static bool
auxv_string(struct vd_cli *cli, const struct vd_core_auxv *a, char *buf,
	    size_t len)
{
	struct vd_error *err;

	if (a->type != AT_EXECFN_ && a->type != AT_PLATFORM_ &&
	    a->type != AT_BASE_PLATFORM_)
		return false;
	err = vd_session_core_string(cli->session, a->value, buf, len);
	if (err) {
		vd_error_destroy(err);
		return false;
	}
	for (char *p = buf; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = '?';
	return true;
}

static void
gather(struct vd_cli *cli, struct core_facts *f)
{
	const struct vd_core_info *core;

	f->info = vd_session_info(cli->session);
	f->core = core = f->info->core;
	f->files = vd_session_core_files(cli->session);
	for (size_t i = 0; i < core->nloads; i++) {
		f->dumped += core->loads[i].avail;
		f->mapped += core->loads[i].end - core->loads[i].start;
	}
	for (size_t i = 0; i < core->nauxv; i++) {
		const struct vd_core_object *o;

		if (core->auxv[i].type != AT_ENTRY_)
			continue;
		o = vd_session_core_object(cli->session, core->auxv[i].value);
		f->exe = o ? o->path : NULL;
	}
}

/* "SIGSEGV (SEGV_MAPERR)" */
static void
signal_text(int32_t signo, int32_t code, bool with_code, char *buf, size_t len)
{
	const char *n = vd_core_signal_name(signo);
	const char *c = vd_core_sigcode_name(signo, code);

	if (!with_code || !c)
		snprintf(buf, len, "%d %s", signo, n ? n : "");
	else
		snprintf(buf, len, "%d %s (%s)", signo, n ? n : "", c);
}

static void
symbol_text(struct vd_cli *cli, uint64_t addr, char *buf, size_t len)
{
	struct vd_core_symbol sym;
	struct vd_error *err;

	buf[0] = '\0';
	err = vd_session_core_symbolize(cli->session, addr, &sym);
	if (err) {
		vd_error_destroy(err);
		return;
	}
	snprintf(buf, len, "%s+0x%" PRIx64 " (%s)", sym.name, sym.offset,
		 sym.object->path);
}

static uint64_t
thread_reg(const struct core_facts *f, const struct vd_core_thread *t,
	   const char *name)
{
	int i = vd_core_reg_index(f->info->arch, name);

	return i >= 0 && (uint32_t)i < t->cpu.nregs ? t->cpu.regs[i] : 0;
}

static void
text_thread(struct vd_cli *cli, const struct core_facts *f, size_t k)
{
	const struct vd_core_thread *t = &f->core->threads[k];
	const char *const *names;
	size_t n = vd_core_reg_names(f->info->arch, &names);
	char sig[64], sym[512];

	signal_text(t->cpu.signal, 0, false, sig, sizeof(sig));
	printf("thread %zu%-14s pid %d, signal %s%s\n", k + 1, "", t->cpu.pid,
	       t->cpu.signal ? sig : "0", t->fpvalid ? ", FP state valid" : "");
	if (!t->cpu.have_regs) {
		printf("  (no registers in its NT_PRSTATUS)\n");
		return;
	}
	symbol_text(cli, thread_reg(f, t, "pc"), sym, sizeof(sym));
	printf("  %-22s0x%016" PRIx64 "  %s\n", "pc",
	       thread_reg(f, t, "pc"), sym);
	printf("  %-22s0x%016" PRIx64 "\n", "sp", thread_reg(f, t, "sp"));
	for (size_t i = 0; i < n && i < t->cpu.nregs; i++)
		printf("%s%-9s 0x%016" PRIx64, !i ? "    " : i % 3 ? "  " : "\n    ",
		       names[i], t->cpu.regs[i]);
	printf("\n");
	for (size_t i = 0; i < t->nregsets; i++)
		printf("%s%s (%u bytes)", i ? ", " : "  register notes: ",
		       t->regsets[i].name, t->regsets[i].size);
	if (t->nregsets)
		printf("\n");
}

/* Entries that hold a number, not an address or flags. */
static bool
auxv_is_count(uint64_t type)
{
	static const uint64_t counts[] = { 4, 5, 6, 11, 12, 13, 14, 17, 23, 27,
					   28, 51 };

	for (size_t i = 0; i < VD_ARRAY_SIZE(counts); i++)
		if (counts[i] == type)
			return true;
	return false;
}

static void
text_auxv(struct vd_cli *cli, const struct vd_core_info *core)
{
	char str[4096];

	printf("auxv%-20s%zu entries\n", "", core->nauxv);
	for (size_t i = 0; i < core->nauxv; i++) {
		const struct vd_core_auxv *a = &core->auxv[i];
		const char *n = vd_core_auxv_name(a->type);

		if (n)
			printf("  %-22s", n);
		else
			printf("  %-22" PRIu64, a->type);
		if (auxv_is_count(a->type))
			printf("%" PRIu64, a->value);
		else
			printf("0x%" PRIx64, a->value);
		if (auxv_string(cli, a, str, sizeof(str)))
			printf("  \"%s\"", str);
		printf("\n");
	}
}

static void
text_process(struct vd_cli *cli, const struct core_facts *f)
{
	const struct vd_core_psinfo *ps = &f->core->psinfo;
	const struct vd_core_siginfo *si = &f->core->siginfo;
	char buf[96];

	printf("%-24s%s\n", "executable", f->exe ? f->exe :
	       ps->present ? ps->fname : "?");
	if (ps->present) {
		printf("%-24s%s\n", "command line", ps->psargs);
		printf("%-24s%d (ppid %d, pgrp %d, sid %d), uid %u, gid %u, state %c\n",
		       "pid", ps->pid, ps->ppid, ps->pgrp, ps->sid, ps->uid,
		       ps->gid, ps->sname);
	}
	if (si->present) {
		signal_text(si->signo, si->code, true, buf, sizeof(buf));
		printf("%-24s%s", "signal", buf);
		if (si->has_addr)
			printf(", fault address 0x%" PRIx64, si->addr);
		if (si->has_sender)
			printf(", sent by pid %d uid %u", si->sender_pid,
			       si->sender_uid);
		printf("\n");
	} else if (f->core->nthreads) {
		signal_text(f->core->threads[0].cpu.signal, 0, false, buf,
			    sizeof(buf));
		printf("%-24s%s (from NT_PRSTATUS; no NT_SIGINFO)\n", "signal", buf);
	}
}

static void
text_storage(const struct core_facts *f)
{
	const struct vd_core_info *core = f->core;
	char a[32], b[32];

	vd_cli_format_size(f->dumped, a, sizeof(a));
	vd_cli_format_size(f->mapped, b, sizeof(b));
	printf("%-24s%s of %s mapped, in %zu PT_LOADs; %zu file mappings%s%s (see 'vmdive maps')\n",
	       "memory in core", a, b, core->nloads, f->files ? f->files->n : 0,
	       f->files && f->files->source && strcmp(f->files->source, "NT_FILE") ?
	       " from the dynamic linker's " : "",
	       f->files && f->files->source && strcmp(f->files->source, "NT_FILE") ?
	       f->files->source : "");
	if (f->files && f->files->note)
		printf("  %-22s%s\n", "left out", f->files->note);
	if (core->nxattrs)
		printf("systemd-coredump (user.coredump.* xattrs)\n");
	for (size_t i = 0; i < core->nxattrs; i++) {
		const struct vd_core_xattr *x = &core->xattrs[i];
		uint64_t us;

		printf("  %-22s%s", x->name, x->value);
		if (!strcmp(x->name, "timestamp") && vd_parse_u64(x->value, 10, &us)) {
			time_t t = (time_t)(us / 1000000);
			struct tm tm;
			char when[64];

			if (gmtime_r(&t, &tm) &&
			    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm))
				printf("  (%s)", when);
		}
		printf("\n");
	}
}

static void
info_core_text(struct vd_cli *cli, const struct core_facts *f)
{
	const struct vd_dump_info *info = f->info;

	printf("%-24s", "core");
	for (int i = 0; i < cli->ndumps; i++)
		printf("%s%s", i ? " " : "", cli->dumps[i]);
	printf("\n%-24s%s\n", "format", info->format);
	for (size_t i = 0; i < info->nattrs; i++)
		printf("  %-22s%s\n", info->attrs[i].key, info->attrs[i].value);
	printf("%-24s%s, %s-endian, %u-byte pages\n", "arch",
	       vd_arch_name(info->arch), info->big_endian ? "big" : "little",
	       info->page_size);
	text_process(cli, f);
	text_storage(f);
	for (size_t i = 0; i < info->nwarnings; i++)
		printf("%-24s%s\n", "warning", info->warnings[i]);
	printf("threads%-17s%zu\n", "", f->core->nthreads);
	for (size_t i = 0; i < f->core->nthreads; i++)
		text_thread(cli, f, i);
	text_auxv(cli, f->core);
}

/* --json: the keys every dump has first (format, attrs, kind, ...), as
 * for a vmcore; then the process.  Values are "0x..." strings. */

static void
json_common(struct vd_cli *cli, const struct vd_dump_info *info)
{
	struct vd_json *j = &cli->j;

	vd_json_key(j, "dump");
	vd_json_begin_array(j);
	for (int i = 0; i < cli->ndumps; i++)
		vd_json_string(j, cli->dumps[i]);
	vd_json_end_array(j);
	vd_json_kv_string(j, "format", info->format);
	vd_json_key(j, "attrs");
	vd_json_begin_object(j);
	for (size_t i = 0; i < info->nattrs; i++)
		vd_cli_attr_json(j, &info->attrs[i]);
	vd_json_end_object(j);
	vd_json_kv_string(j, "kind", "user");
	vd_json_kv_string(j, "arch", vd_arch_name(info->arch));
	vd_json_kv_string(j, "endian", info->big_endian ? "big" : "little");
	vd_json_kv_uint(j, "page_size", info->page_size);
	vd_json_key(j, "warnings");
	vd_json_begin_array(j);
	for (size_t i = 0; i < info->nwarnings; i++)
		vd_json_string(j, info->warnings[i]);
	vd_json_end_array(j);
}

static void
json_psinfo(struct vd_json *j, const struct vd_core_psinfo *ps)
{
	vd_json_key(j, "psinfo");
	if (!ps->present) {
		vd_json_null(j);
		return;
	}
	vd_json_begin_object(j);
	vd_json_kv_int(j, "pid", ps->pid);
	vd_json_kv_int(j, "ppid", ps->ppid);
	vd_json_kv_int(j, "pgrp", ps->pgrp);
	vd_json_kv_int(j, "sid", ps->sid);
	vd_json_kv_uint(j, "uid", ps->uid);
	vd_json_kv_uint(j, "gid", ps->gid);
	vd_json_kv_int(j, "state", ps->state);
	vd_json_key(j, "sname");
	vd_json_string_len(j, &ps->sname, 1);
	vd_json_kv_int(j, "nice", ps->nice);
	vd_json_kv_hex(j, "flag", ps->flag);
	vd_json_kv_string(j, "fname", ps->fname);
	vd_json_kv_string(j, "psargs", ps->psargs);
	vd_json_end_object(j);
}

static void
json_siginfo(struct vd_json *j, const struct vd_core_siginfo *si)
{
	vd_json_key(j, "siginfo");
	if (!si->present) {
		vd_json_null(j);
		return;
	}
	vd_json_begin_object(j);
	vd_json_kv_int(j, "signo", si->signo);
	vd_json_kv_string(j, "name", vd_core_signal_name(si->signo));
	vd_json_kv_int(j, "code", si->code);
	vd_json_kv_string(j, "code_name", vd_core_sigcode_name(si->signo, si->code));
	vd_json_kv_int(j, "errno", si->errnum);
	if (si->has_addr)
		vd_json_kv_hex(j, "fault_address", si->addr);
	if (si->has_sender) {
		vd_json_kv_int(j, "sender_pid", si->sender_pid);
		vd_json_kv_uint(j, "sender_uid", si->sender_uid);
	}
	vd_json_end_object(j);
}

static void
json_pc_symbol(struct vd_cli *cli, uint64_t pc)
{
	struct vd_core_symbol sym;
	struct vd_error *err = vd_session_core_symbolize(cli->session, pc, &sym);

	if (err) {
		vd_error_destroy(err);
		return;
	}
	vd_json_key(&cli->j, "pc_symbol");
	vd_json_begin_object(&cli->j);
	vd_json_kv_string(&cli->j, "name", sym.name);
	vd_json_kv_hex(&cli->j, "offset", sym.offset);
	vd_json_kv_string(&cli->j, "path", sym.object->path);
	vd_json_end_object(&cli->j);
}

static void
json_thread(struct vd_cli *cli, enum vd_arch arch, const struct vd_core_thread *t)
{
	struct vd_json *j = &cli->j;
	const char *const *names;
	size_t n = vd_core_reg_names(arch, &names);
	int pc = vd_core_reg_index(arch, "pc");

	vd_json_begin_object(j);
	vd_json_kv_int(j, "pid", t->cpu.pid);
	vd_json_kv_int(j, "ppid", t->ppid);
	vd_json_kv_int(j, "pgrp", t->pgrp);
	vd_json_kv_int(j, "sid", t->sid);
	vd_json_kv_int(j, "signal", t->cpu.signal);
	vd_json_kv_hex(j, "sigpend", t->sigpend);
	vd_json_kv_hex(j, "sighold", t->sighold);
	vd_json_kv_uint(j, "utime_us", t->utime_us);
	vd_json_kv_uint(j, "stime_us", t->stime_us);
	vd_json_kv_bool(j, "fpvalid", t->fpvalid);
	vd_json_key(j, "registers");
	vd_json_begin_object(j);
	for (size_t i = 0; t->cpu.have_regs && i < n && i < t->cpu.nregs; i++)
		vd_json_kv_hex(j, names[i], t->cpu.regs[i]);
	vd_json_end_object(j);
	if (t->cpu.have_regs && pc >= 0)
		json_pc_symbol(cli, t->cpu.regs[pc]);
	vd_json_key(j, "regsets");
	vd_json_begin_array(j);
	for (size_t i = 0; i < t->nregsets; i++) {
		vd_json_begin_object(j);
		vd_json_kv_string(j, "name", t->regsets[i].name);
		vd_json_kv_hex(j, "type", t->regsets[i].type);
		vd_json_kv_uint(j, "size", t->regsets[i].size);
		vd_json_end_object(j);
	}
	vd_json_end_array(j);
	vd_json_end_object(j);
}

static void
json_auxv(struct vd_cli *cli, const struct vd_core_info *core)
{
	struct vd_json *j = &cli->j;
	char str[4096];

	vd_json_key(j, "auxv");
	vd_json_begin_array(j);
	for (size_t i = 0; i < core->nauxv; i++) {
		const struct vd_core_auxv *a = &core->auxv[i];

		vd_json_begin_object(j);
		vd_json_kv_uint(j, "type", a->type);
		vd_json_kv_string(j, "name", vd_core_auxv_name(a->type));
		vd_json_kv_hex(j, "value", a->value);
		if (auxv_string(cli, a, str, sizeof(str)))
			vd_json_kv_string(j, "string", str);
		vd_json_end_object(j);
	}
	vd_json_end_array(j);
}

static void
json_storage(struct vd_json *j, const struct vd_core_info *core)
{
	vd_json_key(j, "compression");
	if (core->compression) {
		vd_json_begin_object(j);
		vd_json_kv_string(j, "method", core->compression);
		vd_json_kv_uint(j, "compressed_size", core->compressed_size);
		vd_json_kv_uint(j, "size", core->size);
		vd_json_end_object(j);
	} else {
		vd_json_null(j);
	}
	vd_json_key(j, "xattrs");
	vd_json_begin_object(j);
	for (size_t i = 0; i < core->nxattrs; i++)
		vd_json_kv_string(j, core->xattrs[i].name, core->xattrs[i].value);
	vd_json_end_object(j);
}

static void
info_core_json(struct vd_cli *cli, const struct core_facts *f)
{
	const struct vd_dump_info *info = vd_session_info(cli->session);
	const struct vd_core_info *core = info->core;
	struct vd_json *j = &cli->j;

	vd_json_begin_object(j);
	json_common(cli, info);
	vd_json_kv_string(j, "executable", f->exe);
	json_psinfo(j, &core->psinfo);
	json_siginfo(j, &core->siginfo);
	vd_json_key(j, "threads");
	vd_json_begin_array(j);
	for (size_t i = 0; i < core->nthreads; i++)
		json_thread(cli, info->arch, &core->threads[i]);
	vd_json_end_array(j);
	json_auxv(cli, core);
	vd_json_kv_uint(j, "memory_dumped", f->dumped);
	vd_json_kv_uint(j, "memory_mapped", f->mapped);
	vd_json_kv_uint(j, "loads", core->nloads);
	vd_json_kv_uint(j, "file_mappings", f->files ? f->files->n : 0);
	vd_json_kv_string(j, "file_mappings_source", f->files ? f->files->source : NULL);
	vd_json_kv_string(j, "file_mappings_note", f->files ? f->files->note : NULL);
	json_storage(j, core);
	vd_json_end_object(j);
}

int
vd_cmd_info_core(struct vd_cli *cli)
{
	struct core_facts f = { 0 };

	gather(cli, &f);
	if (cli->json)
		info_core_json(cli, &f);
	else
		info_core_text(cli, &f);
	return VD_EXIT_OK;
}
