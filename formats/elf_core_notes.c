// SPDX-License-Identifier: MIT
/*
 * The notes of a Linux process core, decoded into struct vd_core_info.
 *
 * The kernel writes (fs/binfmt_elf.c fill_note_info(), write_note_info()):
 * the first thread's NT_PRSTATUS, then NT_PRPSINFO, NT_SIGINFO, NT_AUXV,
 * NT_FILE, then that thread's register sets (NT_PRFPREG, NT_X86_XSTATE,
 * NT_ARM_*), then each other thread's NT_PRSTATUS and register sets.  gdb's
 * gcore writes the same notes.  So a register-set note belongs to the
 * NT_PRSTATUS before it.  Layouts are those of 64-bit Linux, where x86_64
 * and arm64 agree on every offset below (include/linux/elfcore.h,
 * include/uapi/linux/elfcore.h, include/uapi/asm-generic/siginfo.h).
 *
 * Every size and count comes from the file: each is checked against the
 * note's descriptor before use, and what does not fit is a warning and
 * left out, not an error -- the memory of the core is still readable.
 */
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

#include "common/util.h"
#include "elf_core_notes.h"

/* struct elf_prstatus: pr_info {si_signo, si_code, si_errno} at 0. */
#define PRS_INFO 0
#define PRS_SIGPEND 16
#define PRS_SIGHOLD 24
#define PRS_PPID 36          /* pr_pid at 32 is decoded by elf_notes.c */
#define PRS_PGRP 40
#define PRS_SID 44
#define PRS_UTIME 48         /* struct __kernel_old_timeval {long, long} */
#define PRS_STIME 64
#define PRS_REG 112          /* then pr_reg, then int pr_fpvalid */

/* struct elf_prpsinfo: 136 bytes. */
#define PSI_FLAG 8
#define PSI_UID 16
#define PSI_GID 20
#define PSI_PID 24
#define PSI_FNAME 40
#define PSI_PSARGS 56
#define PSI_SIZE 136

/*
 * siginfo_t as copied out (kernel/signal.c copy_siginfo_to_external()):
 * si_signo, si_errno, si_code -- in that order, unlike pr_info -- then
 * the union at 16: _sigfault.si_addr, or _kill.si_pid and si_uid.
 */
#define SI_ERRNO 4
#define SI_CODE 8
#define SI_FIELDS 16

/* Bounds on what one core may hold; real cores are far below. */
#define CORE_MAX_AUXV 4096
#define CORE_MAX_REGSETS 64
#define CORE_MAX_XATTRS 64
#define CORE_XATTR_LIST_MAX (64u << 10)
#define CORE_XATTR_VALUE_MAX 4096

struct core_build {
	struct elf_ctx *ctx;
	struct vd_core_info *core;
	size_t threads_cap;
	size_t nprstatus;
	bool bad_thread_warned;
};

static struct vd_error *
note_warn(struct core_build *b, const struct elf_note *note, const char *fmt,
	  ...) __attribute__((format(printf, 3, 4)));

/* "PATH: NT_FILE note 4 at offset 0x..: MSG; ignored" */
static struct vd_error *
note_warn(struct core_build *b, const struct elf_note *note, const char *fmt,
	  ...)
{
	char msg[256];
	const char *nt = vd_core_note_name("CORE", note->type);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return vd_dump_add_warning(b->ctx->dump,
				   "%s: %s note %zu at offset 0x%llx: %s; ignored",
				   b->ctx->file->path, nt ? nt : "core",
				   note->index, (unsigned long long)note->off,
				   msg);
}

/* Make room for one more element in *arr (n used, *cap allocated). */
static struct vd_error *
grow(void **arr, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return NULL;
	ncap = *cap ? 2 * *cap : 8;
	p = realloc(*arr, ncap * size);
	if (!p)
		return &vd_enomem;
	*arr = p;
	*cap = ncap;
	return NULL;
}

/* Copy at most n bytes up to a NUL, unprintable bytes as '?'. */
static void
copy_printable(char *dst, const void *src, size_t n)
{
	const unsigned char *s = src;
	size_t i;

	for (i = 0; i < n && s[i]; i++)
		dst[i] = s[i] >= 0x20 && s[i] < 0x7f ? (char)s[i] : '?';
	dst[i] = '\0';
}

static struct vd_error *
note_thread(struct core_build *b, const struct elf_note *note)
{
	const struct vd_dump_info *info = vd_dump_info(b->ctx->dump);
	struct vd_core_info *core = b->core;
	size_t cpu = b->ctx->cpu_base + b->nprstatus++;
	const unsigned char *d = note->desc;
	bool be = b->ctx->eh.be;
	struct vd_core_thread *t;
	struct vd_error *err;
	uint32_t fpv;

	// elf_notes.c published one CPU per NT_PRSTATUS, in note order.
	if (cpu >= info->ncpus)
		return NULL;
	err = grow((void **)&core->threads, &b->threads_cap, core->nthreads,
		   sizeof(*core->threads));
	if (err)
		return err;
	t = &core->threads[core->nthreads++];
	memset(t, 0, sizeof(*t));
	t->cpu = info->cpus[cpu];
	if (note->descsz < PRS_REG)
		return NULL;
	t->info_signo = (int32_t)vd_get32(d + PRS_INFO, be);
	t->info_code = (int32_t)vd_get32(d + PRS_INFO + 4, be);
	t->info_errno = (int32_t)vd_get32(d + PRS_INFO + 8, be);
	t->sigpend = vd_get64(d + PRS_SIGPEND, be);
	t->sighold = vd_get64(d + PRS_SIGHOLD, be);
	t->ppid = (int32_t)vd_get32(d + PRS_PPID, be);
	t->pgrp = (int32_t)vd_get32(d + PRS_PGRP, be);
	t->sid = (int32_t)vd_get32(d + PRS_SID, be);
	t->utime_us = vd_get64(d + PRS_UTIME, be) * 1000000 +
		      vd_get64(d + PRS_UTIME + 8, be);
	t->stime_us = vd_get64(d + PRS_STIME, be) * 1000000 +
		      vd_get64(d + PRS_STIME + 8, be);
	fpv = PRS_REG + 8 * t->cpu.nregs;
	if (t->cpu.have_regs && note->descsz >= fpv + 4)
		t->fpvalid = vd_get32(d + fpv, be) != 0;
	return NULL;
}

static struct vd_error *
note_regset(struct core_build *b, const struct elf_note *note,
	    const char *owner)
{
	struct vd_core_thread *t;
	struct vd_core_regset *r;
	const char *nt;

	if (!b->core->nthreads) {
		if (b->bad_thread_warned)
			return NULL;
		b->bad_thread_warned = true;
		return note_warn(b, note, "a register note before any NT_PRSTATUS");
	}
	t = &b->core->threads[b->core->nthreads - 1];
	if (t->nregsets >= CORE_MAX_REGSETS)
		return NULL;
	if (!vd_grow(&t->regsets, t->nregsets, sizeof(*t->regsets)))
		return &vd_enomem;
	r = &t->regsets[t->nregsets++];
	nt = vd_core_note_name(owner, note->type);
	// elfutils and gdb call NT_PRFPREG by its older name.
	if (nt && !strcmp(nt, "NT_PRFPREG"))
		nt = "NT_FPREGSET";
	if (nt)
		snprintf(r->name, sizeof(r->name), "%s", nt);
	else
		snprintf(r->name, sizeof(r->name), "%s/0x%x", owner, note->type);
	r->type = note->type;
	r->size = note->descsz;
	return NULL;
}

static struct vd_error *
note_psinfo(struct core_build *b, const struct elf_note *note)
{
	struct vd_core_psinfo *ps = &b->core->psinfo;
	const unsigned char *d = note->desc;
	bool be = b->ctx->eh.be;

	if (ps->present)
		return note_warn(b, note, "a second NT_PRPSINFO");
	if (note->descsz < PSI_SIZE)
		return note_warn(b, note, "%u bytes, struct elf_prpsinfo has %u",
				 note->descsz, PSI_SIZE);
	ps->present = true;
	ps->state = (int8_t)d[0];
	ps->sname = d[1] >= 0x20 && d[1] < 0x7f ? (char)d[1] : '?';
	ps->zomb = (int8_t)d[2];
	ps->nice = (int8_t)d[3];
	ps->flag = vd_get64(d + PSI_FLAG, be);
	ps->uid = vd_get32(d + PSI_UID, be);
	ps->gid = vd_get32(d + PSI_GID, be);
	ps->pid = (int32_t)vd_get32(d + PSI_PID, be);
	ps->ppid = (int32_t)vd_get32(d + PSI_PID + 4, be);
	ps->pgrp = (int32_t)vd_get32(d + PSI_PID + 8, be);
	ps->sid = (int32_t)vd_get32(d + PSI_PID + 12, be);
	copy_printable(ps->fname, d + PSI_FNAME, 16);
	copy_printable(ps->psargs, d + PSI_PSARGS, 80);
	// The kernel turns every NUL of the arguments, the last one too,
	// into a space (fs/binfmt_elf.c fill_psinfo()).
	for (size_t n = strlen(ps->psargs); n && ps->psargs[n - 1] == ' ';)
		ps->psargs[--n] = '\0';
	return NULL;
}

/* Signals whose si_code > 0 carry a fault address (siginfo.h). */
static bool
is_fault_signal(int32_t signo)
{
	return signo == 4 || signo == 5 || signo == 7 || signo == 8 ||
	       signo == 11;
}

static struct vd_error *
note_siginfo(struct core_build *b, const struct elf_note *note)
{
	struct vd_core_siginfo *si = &b->core->siginfo;
	const unsigned char *d = note->desc;
	bool be = b->ctx->eh.be;

	// gdb's gcore writes one after every thread's NT_PRSTATUS; the
	// first is the signalled thread's.
	if (si->present)
		return NULL;
	if (note->descsz < SI_FIELDS + 8)
		return note_warn(b, note, "%u bytes, too few for siginfo_t",
				 note->descsz);
	si->present = true;
	si->signo = (int32_t)vd_get32(d, be);
	si->errnum = (int32_t)vd_get32(d + SI_ERRNO, be);
	si->code = (int32_t)vd_get32(d + SI_CODE, be);
	if (is_fault_signal(si->signo) && si->code > 0 && si->code != 0x80) {
		si->has_addr = true;
		si->addr = vd_get64(d + SI_FIELDS, be);
	} else if (si->code <= 0) {
		// SI_USER, SI_TKILL, SI_QUEUE...: _kill {si_pid, si_uid}.
		si->has_sender = true;
		si->sender_pid = (int32_t)vd_get32(d + SI_FIELDS, be);
		si->sender_uid = vd_get32(d + SI_FIELDS + 4, be);
	}
	return NULL;
}

static struct vd_error *
note_auxv(struct core_build *b, const struct elf_note *note)
{
	struct vd_core_info *core = b->core;
	size_t n = note->descsz / 16, used = 0;
	bool be = b->ctx->eh.be;
	struct vd_error *err = NULL;

	if (core->auxv)
		return note_warn(b, note, "a second NT_AUXV");
	if (note->descsz % 16) {
		err = note_warn(b, note, "%u bytes, not a whole number of 16-byte entries: the last %u bytes",
				note->descsz, note->descsz % 16);
		if (err)
			return err;
	}
	n = VD_MIN(n, (size_t)CORE_MAX_AUXV);
	core->auxv = calloc(n ? n : 1, sizeof(*core->auxv));
	if (!core->auxv)
		return &vd_enomem;
	for (size_t i = 0; i < n; i++) {
		uint64_t type = vd_get64(note->desc + 16 * i, be);

		if (type == 0)     /* AT_NULL ends the vector */
			break;
		core->auxv[used].type = type;
		core->auxv[used++].value = vd_get64(note->desc + 16 * i + 8, be);
	}
	core->nauxv = used;
	return NULL;
}

/*
 * NT_FILE (fs/binfmt_elf.c fill_files_note()): long count, long
 * page_size, count x {long start, end, pgoff}, then count NUL-terminated
 * paths.  Checked whole before anything is kept.
 */
static struct vd_error *
file_check(struct core_build *b, const struct elf_note *note,
	   uint64_t *count_ret, uint64_t *psize_ret)
{
	const unsigned char *d = note->desc;
	bool be = b->ctx->eh.be;
	uint64_t count, psize, strings = 0;

	if (b->core->files || b->core->file_page_size)
		return note_warn(b, note, "a second NT_FILE");
	if (note->descsz < 16)
		return note_warn(b, note, "%u bytes, too few for its header",
				 note->descsz);
	count = vd_get64(d, be);
	psize = vd_get64(d + 8, be);
	if (count > (note->descsz - 16) / 24)
		return note_warn(b, note, "%llu entries of 24 bytes do not fit in %u bytes",
				 (unsigned long long)count, note->descsz);
	// gdb's gcore writes page size 1: offsets in bytes.
	if (count && (!vd_is_pow2(psize) || psize > (1u << 24)))
		return note_warn(b, note, "page size %llu is not a page size",
				 (unsigned long long)psize);
	for (uint64_t pos = 16 + 24 * count; pos < note->descsz; pos++)
		strings += d[pos] == '\0';
	if (strings < count)
		return note_warn(b, note, "%llu entries but only %llu NUL-terminated paths",
				 (unsigned long long)count,
				 (unsigned long long)strings);
	*count_ret = count;
	*psize_ret = psize;
	return NULL;
}

static struct vd_error *
note_file(struct core_build *b, const struct elf_note *note)
{
	struct vd_core_info *core = b->core;
	const unsigned char *d = note->desc;
	uint64_t count = UINT64_MAX, psize = 0, pos;
	bool be = b->ctx->eh.be;
	struct vd_error *err;

	err = file_check(b, note, &count, &psize);
	if (err || count == UINT64_MAX)
		return err;
	core->file_page_size = psize ? psize : 1;
	core->files = calloc(count ? count : 1, sizeof(*core->files));
	if (!core->files)
		return &vd_enomem;
	pos = 16 + 24 * count;
	for (uint64_t i = 0; i < count; i++) {
		struct vd_core_file *f = &core->files[core->nfiles];
		const unsigned char *e = d + 16 + 24 * i;
		size_t len = strlen((const char *)d + pos);
		uint64_t pgoff = vd_get64(e + 16, be);

		f->start = vd_get64(e, be);
		f->end = vd_get64(e + 8, be);
		f->path = strndup((const char *)d + pos, len);
		if (!f->path)
			return &vd_enomem;
		pos += len + 1;
		if (f->end <= f->start || pgoff > UINT64_MAX / psize) {
			err = note_warn(b, note, "entry %llu [0x%llx, 0x%llx) offset page 0x%llx",
					(unsigned long long)i,
					(unsigned long long)f->start,
					(unsigned long long)f->end,
					(unsigned long long)pgoff);
			free((char *)f->path);
			if (err)
				return err;
			continue;
		}
		f->offset = pgoff * psize;
		core->nfiles++;
	}
	return NULL;
}

static struct vd_error *
core_note(struct elf_ctx *ctx, const struct elf_note *note, void *arg)
{
	struct core_build *b = arg;

	if (vd_elf_note_named(note, "LINUX"))
		return note_regset(b, note, "LINUX");
	if (!vd_elf_note_named(note, "CORE"))
		return NULL;
	switch (note->type) {
	case NT_PRSTATUS: return note_thread(b, note);
	case NT_PRPSINFO: return note_psinfo(b, note);
	case NT_AUXV: return note_auxv(b, note);
	case NT_SIGINFO: return note_siginfo(b, note);
	case NT_FILE: return note_file(b, note);
	case NT_TASKSTRUCT: return NULL;
	default: return note_regset(b, note, "CORE");  /* NT_PRFPREG, ... */
	}
}

static int
load_cmp(const void *a, const void *b)
{
	const struct vd_core_load *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/*
 * The PT_LOADs as the file has them, which build_memory() checked: no
 * overflow, and overlaps only where they hold the same bytes (gdb's gcore
 * through a gdbstub writes one per section).
 */
static struct vd_error *
collect_loads(struct core_build *b)
{
	const struct elf_ctx *ctx = b->ctx;
	struct vd_core_info *core = b->core;
	uint64_t fsize = ctx->file->size;

	core->loads = calloc(ctx->eh.phnum, sizeof(*core->loads));
	if (!core->loads)
		return &vd_enomem;
	for (uint32_t i = 0; i < ctx->eh.phnum; i++) {
		struct vd_core_load *l = &core->loads[core->nloads];
		struct elf_phdr ph;

		vd_elf_phdr_get(ctx, i, &ph);
		if (ph.type != PT_LOAD || !ph.memsz)
			continue;
		l->start = ph.vaddr;
		l->end = ph.vaddr + ph.memsz;
		l->flags = ph.flags;
		// A truncated file holds less than p_filesz says.
		l->filesz = VD_MIN(ph.filesz, ph.memsz);
		l->avail = l->filesz;
		if (!vd_range_ok(ph.offset, l->filesz, fsize))
			l->avail = ph.offset < fsize ? fsize - ph.offset : 0;
		core->nloads++;
	}
	qsort(core->loads, core->nloads, sizeof(*core->loads), load_cmp);
	return NULL;
}

static struct vd_error *
add_xattr(struct vd_core_info *core, const char *path, const char *name)
{
	char value[CORE_XATTR_VALUE_MAX + 1], shown[CORE_XATTR_VALUE_MAX + 1];
	struct vd_core_xattr *x;
	ssize_t n;

	n = getxattr(path, name, value, CORE_XATTR_VALUE_MAX);
	if (n < 0)
		return NULL;    /* gone, or too long: not worth failing over */
	copy_printable(shown, value, (size_t)n);
	x = &core->xattrs[core->nxattrs];
	x->name = strdup(name + strlen("user.coredump."));
	x->value = strdup(shown);
	if (!x->name || !x->value) {
		free((char *)x->name);
		free((char *)x->value);
		return &vd_enomem;
	}
	core->nxattrs++;
	return NULL;
}

/* systemd-coredump's metadata: user.coredump.* on the input file. */
static struct vd_error *
read_xattrs(struct vd_core_info *core, const char *path)
{
	static const char prefix[] = "user.coredump.";
	struct vd_error *err = NULL;
	char *list;
	ssize_t n;

	n = listxattr(path, NULL, 0);
	if (n <= 0 || n > CORE_XATTR_LIST_MAX)
		return NULL;
	list = malloc((size_t)n + 1);
	core->xattrs = calloc(CORE_MAX_XATTRS, sizeof(*core->xattrs));
	if (!list || !core->xattrs) {
		free(list);
		return &vd_enomem;
	}
	n = listxattr(path, list, (size_t)n);
	if (n > 0)
		list[n] = '\0';
	for (ssize_t pos = 0; !err && n > 0 && pos < n;) {
		const char *name = list + pos;

		pos += (ssize_t)strlen(name) + 1;
		if (!strncmp(name, prefix, sizeof(prefix) - 1) &&
		    name[sizeof(prefix) - 1] && core->nxattrs < CORE_MAX_XATTRS)
			err = add_xattr(core, path, name);
	}
	free(list);
	return err;
}

struct vd_error *
vd_elf_core_build(struct elf_ctx *ctx, struct vd_core_info **ret)
{
	struct core_build b = { .ctx = ctx };
	struct vd_error *err;

	b.core = calloc(1, sizeof(*b.core));
	if (!b.core)
		return &vd_enomem;
	err = vd_elf_notes_foreach(ctx, core_note, &b);
	if (!err)
		err = collect_loads(&b);
	if (!err)
		err = read_xattrs(b.core, ctx->file->path);
	if (err) {
		vd_elf_core_free(b.core);
		return err;
	}
	b.core->compression = ctx->file->compression;
	b.core->compressed_size = ctx->file->compressed_size;
	b.core->size = ctx->file->size;
	*ret = b.core;
	return NULL;
}

void
vd_elf_core_free(struct vd_core_info *core)
{
	if (!core)
		return;
	for (size_t i = 0; i < core->nthreads; i++)
		free(core->threads[i].regsets);
	free(core->threads);
	free(core->auxv);
	for (size_t i = 0; i < core->nfiles; i++)
		free((char *)core->files[i].path);
	free(core->files);
	free(core->loads);
	for (size_t i = 0; i < core->nxattrs; i++) {
		free((char *)core->xattrs[i].name);
		free((char *)core->xattrs[i].value);
	}
	free(core->xattrs);
	free(core);
}
