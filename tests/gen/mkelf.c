// SPDX-License-Identifier: MIT
/*
 * mkelf: write a synthetic ELF core file from a small text description.
 * Test-only.  Usage: mkelf DESC OUT   (DESC "-" reads standard input)
 *
 * The description is one item per line; '#' starts a comment (outside
 * quotes).  Header lines are `key = value`; the rest are directives with
 * `name=value` options.  Numbers are C literals (0x.., decimal, a leading
 * '-' wraps to 64 bits).
 *
 *   arch = x86_64            x86_64 (default) | aarch64 | none | a number
 *                            (e_machine; "none" writes EM_NONE)
 *   class = 64               64 (default) | 32 (Elf32 header and phdrs;
 *                            notes keep their 64-bit layout)
 *   endian = little          little (default) | big
 *   kind = kernel            kernel: memory addresses below are physical
 *                            (p_paddr); user: virtual (p_vaddr), and an
 *                            NT_PRPSINFO note is added (prpsinfo = no to
 *                            leave it out)
 *   vmcoreinfo = PAGESIZE=4096;OSRELEASE=6.1.0-test
 *                            a VMCOREINFO note; ';' separates lines, each
 *                            line ends with '\n' in the note
 *   vmcoreinfo-file = PATH   the same from a file (relative to DESC)
 *   phoff = 0xc0             program headers there (QEMU 7.2 style)
 *   ehsize = 8               e_ehsize as written (QEMU 7.2 writes 8)
 *   eflags = 0x1             e_flags (makedumpfile's "incomplete" bit)
 *   shdr = yes               one section header at 64 (QEMU writes one)
 *   pn-xnum = yes            e_phnum = PN_XNUM, count in section 0's
 *                            sh_info (implies shdr)
 *   split-notes = yes        one PT_NOTE per note (old kexec-tools style)
 *   note-align = 4           4 (default) | 8 (PT_NOTE p_align 8)
 *
 * Notes, in file order: every `cpu` (NT_PRSTATUS), then every `qemu-cpu`,
 * then VMCOREINFO, NT_PRPSINFO, then `note` directives.
 *   cpu pid=1 sig=11 rip=0xffffffff81000000 rsp=0x... [size=336]
 *       registers by name (x86_64: r15 r14 r13 r12 rbp rbx r11 r10 r9 r8
 *       rax rcx rdx rsi rdi orig_rax rip cs eflags rsp ss fs_base gs_base
 *       ds es fs gs; aarch64: x0..x30 sp pc pstate) or reg.N=; size is
 *       the descriptor size (default 336 x86_64, 392 aarch64)
 *   qemu-cpu cr0=.. cr2=.. cr3=.. cr4=.. [gsbase=..] [version=1]
 *       [size=440] [descsz=440]
 *       QEMUCPUState for the previous cpu (size is the struct's own
 *       field).  QEMU notes are written in cpu order and readers pair the
 *       N-th with the N-th NT_PRSTATUS, so give every cpu one, as QEMU does.
 *   note name=CORE type=6 [size=N] [text="..."] [thread=K]   any other
 *       note; thread=K writes it right after cpu K's NT_PRSTATUS (a
 *       register set of that thread), else after NT_PRPSINFO
 *
 * Process-core notes (kind = user), written after NT_PRPSINFO in this
 * order.  Layouts: include/linux/elfcore.h, fs/binfmt_elf.c.
 *   psinfo pid= ppid= pgrp= sid= uid= gid= state= sname=R nice= flag=
 *          fname=NAME args="ARGS"      the NT_PRPSINFO's fields
 *   siginfo signo=11 [errno=] [code=1] [addr=] [pid=] [uid=]   NT_SIGINFO
 *       (addr is the _sigfault address, pid/uid the _kill sender)
 *   auxv TYPE=VALUE...       NT_AUXV entries (numeric AT_* types); one
 *                            note for every auxv line, AT_NULL appended
 *   file-map start= end= pgoff= path=PATH    one NT_FILE entry; all of
 *                            them form one note (file-page = 4096 header
 *                            sets its page size)
 *   cpu ... ppid= pgrp= sid= si_signo= si_code= si_errno= fpvalid=
 *                            more NT_PRSTATUS fields
 *   load ... flags=N         p_flags (default 7, PF_R|PF_W|PF_X)
 *   filedata ADDR PATH [OFF [LEN]]  bytes of a file (relative to DESC)
 *
 * Memory.  The file is laid out as: ELF header, the section header (if
 * any) at 64, program headers (PT_NOTEs, then one PT_LOAD per `load` in
 * order), notes, then every load's data back to back (8-byte aligned).
 * K below counts `load` lines from 0; data directives must follow the
 * loads they write.
 *   load paddr=0x0 size=0x200000 [filesz=0x100000] [vaddr=..]
 *       kernel: vaddr defaults to paddr (QEMU style); user: give vaddr
 *       (paddr defaults to 0).  filesz defaults to size.
 *       [share=K]   no data of its own: its p_offset points into load K's
 *                   data (an exact alias; must lie inside load K)
 *       [offset=N]  p_offset = N and no data written (for bad offsets)
 *   u64 ADDR V...            words in the file's byte order
 *   u32 ADDR V...
 *   bytes ADDR "text"        C escapes \n \t \0 \\ \" \xNN; no NUL added
 *   fill ADDR LEN BYTE
 *   pattern ADDR LEN [SEED]  byte at address a is
 *                            (a + (a >> 8) + (a >> 16) + SEED) & 0xff
 * Data goes to every load whose file part covers it (aliases stay equal)
 * unless the directive ends with load=K; every byte must be covered.
 *
 * Damage, applied to the finished image:
 *   corrupt magic | type=N | class=N | data=N | phnum=N | phoff=N |
 *           phentsize=N | shoff=N | note-namesz=N | note-descsz=N |
 *           note-segsize=N | truncate=N (bytes to keep; -N: drop N)
 *   phnum=N writes e_phnum, or section 0's sh_info under pn-xnum.
 *   note-* change the first note / the first PT_NOTE.
 *
 * Exit status 0, or 1 with "DESC: line N: message" on a bad description
 * (2 for bad usage).
 * The unit tests include this file with MKELF_NO_MAIN and call
 * mkelf_build() directly.
 */
#include <ctype.h>
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

#define MKELF_MAX_FILE (256ull << 20)
#define MKELF_MAX_ITEMS 4096

int mkelf_build(const char *text, const char *dir, const char *out,
		char *err, size_t errlen);

static const char *const mkelf_x86_regs[] = {
	"r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9",
	"r8", "rax", "rcx", "rdx", "rsi", "rdi", "orig_rax", "rip", "cs",
	"eflags", "rsp", "ss", "fs_base", "gs_base", "ds", "es", "fs", "gs",
};

struct mkelf_cpu {
	uint64_t pid, sig;
	uint64_t ppid, pgrp, sid, si_signo, si_code, si_errno, fpvalid;
	uint64_t regs[34];
	uint64_t size;
	bool qemu;
	uint64_t cr[5], gsbase, qversion, qsize, qdescsz;
};

struct mkelf_note {
	char name[64];
	uint32_t type;
	long thread1;            /* thread=K as K + 1; 0: none */
	unsigned char *desc;
	size_t descsz;
};

struct mkelf_load {
	uint64_t paddr, vaddr, memsz, filesz;
	uint64_t addr;           /* paddr (kernel) or vaddr (user) */
	long share;              /* -1 or the load whose bytes it reuses */
	bool has_offset;
	uint64_t offset;         /* p_offset as finally written */
	bool has_flags;
	uint64_t flags;          /* p_flags */
	unsigned char *data;     /* filesz bytes, NULL for share/offset */
};

struct mkelf_corrupt {
	bool magic;
	bool has[10];
	uint64_t val[10];
};

enum { MC_TYPE, MC_CLASS, MC_DATA, MC_PHNUM, MC_PHOFF, MC_PHENTSIZE,
	MC_SHOFF, MC_NAMESZ, MC_DESCSZ, MC_SEGSIZE };

static const char *const mkelf_corrupt_keys[] = {
	"type", "class", "data", "phnum", "phoff", "phentsize", "shoff",
	"note-namesz", "note-descsz", "note-segsize",
};

struct mkelf {
	char *err;
	size_t errlen;
	int line;
	const char *dir;
	bool is64, be, user, shdr, pn_xnum, split_notes, prpsinfo;
	uint16_t machine, ehsize;
	bool has_ehsize, has_phoff;
	uint64_t phoff, eflags, note_align;
	char *vmcoreinfo;
	size_t vmcoreinfo_len;
	struct mkelf_cpu *cpus;
	size_t ncpus;
	struct mkelf_note *notes;
	size_t nnotes;
	struct mkelf_load *loads;
	size_t nloads;
	struct mkelf_corrupt bad;
	bool has_truncate;
	uint64_t truncate;       /* as given; negative = drop from the end */
	unsigned char *psinfo;   /* 136 bytes, or NULL for zeros */
	unsigned char *siginfo;  /* 128 bytes, or NULL for none */
	uint64_t *auxv;          /* type, value pairs */
	size_t nauxv;
	struct mkelf_fmap *fmaps;
	size_t nfmaps;
	uint64_t file_page;
};

struct mkelf_fmap {
	uint64_t start, end, pgoff;
	char path[1024];
};

/* Tokens of one line: words, with quoted strings unescaped. */
struct mkelf_toks {
	char *v[64];
	size_t n;
	size_t len[64];          /* byte length (quoted strings may hold NUL) */
};

static int
mkelf_fail(struct mkelf *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int
mkelf_fail(struct mkelf *m, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (m->line)
		snprintf(m->err, m->errlen, "line %d: %s", m->line, msg);
	else
		snprintf(m->err, m->errlen, "%s", msg);
	return -1;
}

static bool
mkelf_num(const char *s, uint64_t *ret)
{
	bool neg = *s == '-';
	uint64_t v;

	if (!vd_parse_u64(s + neg, 0, &v))
		return false;
	*ret = neg ? -v : v;
	return true;
}

static void *
mkelf_grow(struct mkelf *m, void *arr, size_t *n, size_t size)
{
	char *p;

	if (*n >= MKELF_MAX_ITEMS)
		return NULL;
	p = realloc(arr, (*n + 1) * size);
	if (!p)
		return NULL;
	memset(p + *n * size, 0, size);
	(*n)++;
	return p;
}

static void
mkelf_toks_free(struct mkelf_toks *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i]);
	t->n = 0;
}

/* One escape after a backslash inside quotes; returns chars consumed. */
static size_t
mkelf_unescape(const char *s, char *out)
{
	char hex[3] = { 0 };

	switch (s[0]) {
	case 'n': *out = '\n'; return 1;
	case 't': *out = '\t'; return 1;
	case '0': *out = '\0'; return 1;
	case 'x':
		if (isxdigit((unsigned char)s[1]) &&
		    isxdigit((unsigned char)s[2])) {
			memcpy(hex, s + 1, 2);
			*out = (char)strtoul(hex, NULL, 16);
			return 3;
		}
		*out = 'x';
		return 1;
	default: *out = s[0]; return s[0] ? 1 : 0;
	}
}

static int
mkelf_tokenize(struct mkelf *m, const char *s, struct mkelf_toks *t)
{
	while (*s) {
		char *buf;
		size_t n = 0;

		while (*s == ' ' || *s == '\t' || *s == '\r')
			s++;
		if (!*s || *s == '#')
			break;
		if (t->n == VD_ARRAY_SIZE(t->v))
			return mkelf_fail(m, "too many words");
		buf = malloc(strlen(s) + 1);
		if (!buf)
			return mkelf_fail(m, "out of memory");
		while (*s && *s != ' ' && *s != '\t' && *s != '\r') {
			if (*s != '"') {
				buf[n++] = *s++;
				continue;
			}
			for (s++; *s && *s != '"'; n++)
				s += *s == '\\' ? 1 + mkelf_unescape(s + 1, &buf[n]) :
						  (buf[n] = *s, 1);
			if (*s != '"') {
				free(buf);
				return mkelf_fail(m, "unterminated string");
			}
			s++;
		}
		buf[n] = '\0';
		t->len[t->n] = n;
		t->v[t->n++] = buf;
	}
	return 0;
}

static bool
mkelf_yes(const char *v)
{
	return !strcmp(v, "yes") || !strcmp(v, "1") || !strcmp(v, "true");
}

static int
mkelf_set_vmcoreinfo(struct mkelf *m, const char *v, bool from_file)
{
	char *text;
	size_t n = 0;

	if (from_file) {
		char path[4096];
		FILE *f;

		snprintf(path, sizeof(path), "%s%s%s", v[0] == '/' ? "" : m->dir,
			 v[0] == '/' ? "" : "/", v);
		f = fopen(path, "rb");
		if (!f)
			return mkelf_fail(m, "%s: %s", path, strerror(errno));
		text = malloc(1 << 20);
		if (text)
			n = fread(text, 1, (1 << 20) - 1, f);
		fclose(f);
		if (!text)
			return mkelf_fail(m, "out of memory");
	} else {
		// ';' separates lines; each line ends in '\n' like the kernel's.
		text = malloc(strlen(v) + 2);
		if (!text)
			return mkelf_fail(m, "out of memory");
		for (; *v; v++)
			text[n++] = *v == ';' ? '\n' : *v;
		if (n && text[n - 1] != '\n')
			text[n++] = '\n';
	}
	free(m->vmcoreinfo);
	m->vmcoreinfo = text;
	m->vmcoreinfo_len = n;
	return 0;
}

static int
mkelf_set_arch(struct mkelf *m, const char *v)
{
	uint64_t n;

	if (!strcmp(v, "x86_64"))
		m->machine = EM_X86_64;
	else if (!strcmp(v, "aarch64") || !strcmp(v, "arm64"))
		m->machine = EM_AARCH64;
	else if (!strcmp(v, "none"))
		m->machine = EM_NONE;
	else if (mkelf_num(v, &n) && n <= 0xffff)
		m->machine = (uint16_t)n;
	else
		return mkelf_fail(m, "unknown arch '%s'", v);
	return 0;
}

static int
mkelf_header(struct mkelf *m, const char *key, const char *v)
{
	uint64_t n = 0;
	bool num = mkelf_num(v, &n);

	if (!strcmp(key, "arch"))
		return mkelf_set_arch(m, v);
	if (!strcmp(key, "class") && num && (n == 32 || n == 64))
		m->is64 = n == 64;
	else if (!strcmp(key, "endian") && (!strcmp(v, "big") ||
					     !strcmp(v, "little")))
		m->be = !strcmp(v, "big");
	else if (!strcmp(key, "kind") && (!strcmp(v, "user") ||
					   !strcmp(v, "kernel")))
		m->user = !strcmp(v, "user");
	else if (!strcmp(key, "vmcoreinfo"))
		return mkelf_set_vmcoreinfo(m, v, false);
	else if (!strcmp(key, "vmcoreinfo-file"))
		return mkelf_set_vmcoreinfo(m, v, true);
	else if (!strcmp(key, "phoff") && num)
		m->has_phoff = true, m->phoff = n;
	else if (!strcmp(key, "ehsize") && num && n <= 0xffff)
		m->has_ehsize = true, m->ehsize = (uint16_t)n;
	else if (!strcmp(key, "eflags") && num && n <= 0xffffffff)
		m->eflags = n;
	else if (!strcmp(key, "shdr"))
		m->shdr = mkelf_yes(v);
	else if (!strcmp(key, "pn-xnum"))
		m->pn_xnum = mkelf_yes(v);
	else if (!strcmp(key, "split-notes"))
		m->split_notes = mkelf_yes(v);
	else if (!strcmp(key, "prpsinfo"))
		m->prpsinfo = mkelf_yes(v);
	else if (!strcmp(key, "note-align") && num && (n == 4 || n == 8))
		m->note_align = n;
	else if (!strcmp(key, "file-page") && num)
		m->file_page = n;
	else
		return mkelf_fail(m, "bad header line '%s = %s'", key, v);
	return 0;
}

/* Split "key=value"; value points into the token. */
static bool
mkelf_opt(const char *tok, char *key, size_t keylen, const char **val)
{
	const char *eq = strchr(tok, '=');

	if (!eq || (size_t)(eq - tok) >= keylen)
		return false;
	memcpy(key, tok, eq - tok);
	key[eq - tok] = '\0';
	*val = eq + 1;
	return true;
}

static int
mkelf_reg_index(const struct mkelf *m, const char *name)
{
	unsigned n;
	char c;

	if (sscanf(name, "reg.%u%c", &n, &c) == 1 && n < 34)
		return (int)n;
	if (m->machine == EM_AARCH64) {
		if (sscanf(name, "x%u%c", &n, &c) == 1 && n <= 30)
			return (int)n;
		if (!strcmp(name, "sp"))
			return 31;
		if (!strcmp(name, "pc"))
			return 32;
		if (!strcmp(name, "pstate"))
			return 33;
		return -1;
	}
	for (size_t i = 0; i < VD_ARRAY_SIZE(mkelf_x86_regs); i++)
		if (!strcmp(name, mkelf_x86_regs[i]))
			return (int)i;
	return -1;
}

/* NT_PRSTATUS fields other than pid, sig and registers. */
static bool
mkelf_cpu_field(struct mkelf_cpu *cpu, const char *key, uint64_t n)
{
	static const char *const keys[] = { "ppid", "pgrp", "sid", "si_signo",
					    "si_code", "si_errno", "fpvalid" };
	uint64_t *fields[] = { &cpu->ppid, &cpu->pgrp, &cpu->sid,
			       &cpu->si_signo, &cpu->si_code, &cpu->si_errno,
			       &cpu->fpvalid };

	for (size_t i = 0; i < VD_ARRAY_SIZE(keys); i++) {
		if (!strcmp(key, keys[i])) {
			*fields[i] = n;
			return true;
		}
	}
	return false;
}

static int
mkelf_cpu(struct mkelf *m, const struct mkelf_toks *t)
{
	struct mkelf_cpu *cpu, *p;

	p = mkelf_grow(m, m->cpus, &m->ncpus, sizeof(*p));
	if (!p)
		return mkelf_fail(m, "too many cpus");
	m->cpus = p;
	cpu = &p[m->ncpus - 1];
	cpu->size = m->machine == EM_AARCH64 ? 392 : 336;
	for (size_t i = 1; i < t->n; i++) {
		char key[32];
		const char *v;
		uint64_t n;
		int r;

		if (!mkelf_opt(t->v[i], key, sizeof(key), &v) || !mkelf_num(v, &n))
			return mkelf_fail(m, "cpu: bad option '%s'", t->v[i]);
		if (!strcmp(key, "pid"))
			cpu->pid = n;
		else if (mkelf_cpu_field(cpu, key, n))
			continue;
		else if (!strcmp(key, "sig"))
			cpu->sig = n;
		else if (!strcmp(key, "size") && n <= 65536)
			cpu->size = n;
		else if ((r = mkelf_reg_index(m, key)) >= 0)
			cpu->regs[r] = n;
		else
			return mkelf_fail(m, "cpu: unknown register '%s'", key);
	}
	return 0;
}

static int
mkelf_qemu_cpu(struct mkelf *m, const struct mkelf_toks *t)
{
	struct mkelf_cpu *cpu;

	if (!m->ncpus)
		return mkelf_fail(m, "qemu-cpu needs a cpu line before it");
	cpu = &m->cpus[m->ncpus - 1];
	cpu->qemu = true;
	cpu->qversion = 1;
	cpu->qsize = cpu->qdescsz = 440;
	for (size_t i = 1; i < t->n; i++) {
		char key[32];
		const char *v;
		uint64_t n;
		unsigned k;
		char c;

		if (!mkelf_opt(t->v[i], key, sizeof(key), &v) || !mkelf_num(v, &n))
			return mkelf_fail(m, "qemu-cpu: bad option '%s'", t->v[i]);
		if (sscanf(key, "cr%u%c", &k, &c) == 1 && k < 5)
			cpu->cr[k] = n;
		else if (!strcmp(key, "gsbase"))
			cpu->gsbase = n;
		else if (!strcmp(key, "version"))
			cpu->qversion = n;
		else if (!strcmp(key, "size"))
			cpu->qsize = n;
		else if (!strcmp(key, "descsz") && n <= 65536)
			cpu->qdescsz = n;
		else
			return mkelf_fail(m, "qemu-cpu: unknown option '%s'", key);
	}
	return 0;
}

static int
mkelf_note(struct mkelf *m, const struct mkelf_toks *t)
{
	struct mkelf_note *note, *p;
	uint64_t size = 0;

	p = mkelf_grow(m, m->notes, &m->nnotes, sizeof(*p));
	if (!p)
		return mkelf_fail(m, "too many notes");
	m->notes = p;
	note = &p[m->nnotes - 1];
	for (size_t i = 1; i < t->n; i++) {
		char key[32];
		const char *v;
		uint64_t n = 0;

		if (!mkelf_opt(t->v[i], key, sizeof(key), &v))
			return mkelf_fail(m, "note: bad option '%s'", t->v[i]);
		if (!strcmp(key, "name") && strlen(v) < sizeof(note->name)) {
			strcpy(note->name, v);
		} else if (!strcmp(key, "type") && mkelf_num(v, &n) &&
			   n <= UINT32_MAX) {
			note->type = (uint32_t)n;
		} else if (!strcmp(key, "size") && mkelf_num(v, &n) &&
			   n <= (1 << 20)) {
			size = n;
		} else if (!strcmp(key, "thread") && mkelf_num(v, &n) &&
			   n < MKELF_MAX_ITEMS) {
			note->thread1 = (long)n + 1;
		} else if (!strcmp(key, "text")) {
			size_t len = t->len[i] - (v - t->v[i]);

			free(note->desc);
			note->desc = malloc(len + 1);
			if (!note->desc)
				return mkelf_fail(m, "out of memory");
			memcpy(note->desc, v, len);
			note->descsz = len;
		} else {
			return mkelf_fail(m, "note: bad option '%s'", t->v[i]);
		}
	}
	if (!note->name[0])
		return mkelf_fail(m, "note: name= is required");
	if (!note->desc) {
		note->desc = calloc(1, size + 1);
		if (!note->desc)
			return mkelf_fail(m, "out of memory");
		note->descsz = size;
	}
	return 0;
}

static int
mkelf_load_opts(struct mkelf *m, const struct mkelf_toks *t,
		struct mkelf_load *l, bool *has_vaddr, bool *has_filesz)
{
	for (size_t i = 1; i < t->n; i++) {
		char key[32];
		const char *v;
		uint64_t n;

		if (!mkelf_opt(t->v[i], key, sizeof(key), &v) || !mkelf_num(v, &n))
			return mkelf_fail(m, "load: bad option '%s'", t->v[i]);
		if (!strcmp(key, "paddr")) {
			l->paddr = n;
		} else if (!strcmp(key, "vaddr")) {
			l->vaddr = n;
			*has_vaddr = true;
		} else if (!strcmp(key, "size")) {
			l->memsz = n;
		} else if (!strcmp(key, "filesz")) {
			l->filesz = n;
			*has_filesz = true;
		} else if (!strcmp(key, "share") && n < m->nloads - 1) {
			l->share = (long)n;
		} else if (!strcmp(key, "offset")) {
			l->has_offset = true;
			l->offset = n;
		} else if (!strcmp(key, "flags")) {
			l->has_flags = true;
			l->flags = n;
		} else {
			return mkelf_fail(m, "load: bad option '%s'", t->v[i]);
		}
	}
	return 0;
}

static int
mkelf_load(struct mkelf *m, const struct mkelf_toks *t)
{
	bool has_vaddr = false, has_filesz = false;
	struct mkelf_load *l, *p;
	const struct mkelf_load *k;

	p = mkelf_grow(m, m->loads, &m->nloads, sizeof(*p));
	if (!p)
		return mkelf_fail(m, "too many loads");
	m->loads = p;
	l = &p[m->nloads - 1];
	l->share = -1;
	if (mkelf_load_opts(m, t, l, &has_vaddr, &has_filesz))
		return -1;
	if (!has_filesz)
		l->filesz = l->memsz;
	if (!has_vaddr && m->user)
		return mkelf_fail(m, "load: a user core needs vaddr=");
	if (!has_vaddr)
		l->vaddr = l->paddr;
	l->addr = m->user ? l->vaddr : l->paddr;
	if (l->share >= 0) {
		k = &m->loads[l->share];
		if (l->addr < k->addr || l->addr - k->addr > k->filesz ||
		    l->filesz > k->filesz - (l->addr - k->addr) || !k->data)
			return mkelf_fail(m, "load: share=%ld: not inside that load's data",
					  l->share);
		return 0;
	}
	if (l->has_offset)
		return 0;
	if (l->filesz > MKELF_MAX_FILE)
		return mkelf_fail(m, "load: filesz 0x%llx is too big for a test",
				  (unsigned long long)l->filesz);
	l->data = calloc(1, l->filesz ? l->filesz : 1);
	return l->data ? 0 : mkelf_fail(m, "out of memory");
}

/* Copy [addr, addr + len) into every load's data (or only load `only`). */
static int
mkelf_poke(struct mkelf *m, uint64_t addr, const void *src, size_t len,
	   long only)
{
	uint64_t pos = addr, end;

	if (__builtin_add_overflow(addr, len, &end))
		return mkelf_fail(m, "data wraps around the address space");
	for (size_t i = 0; i < m->nloads; i++) {
		const struct mkelf_load *l = &m->loads[i];
		uint64_t a, b;

		if (!l->data || (only >= 0 && (size_t)only != i))
			continue;
		a = VD_MAX(addr, l->addr);
		b = VD_MIN(end, l->addr + l->filesz);
		if (a < b)
			memcpy(l->data + (a - l->addr),
			       (const char *)src + (a - addr), b - a);
	}
	// Every byte must have landed somewhere.
	while (pos < end) {
		uint64_t best = pos;

		for (size_t i = 0; i < m->nloads; i++) {
			const struct mkelf_load *l = &m->loads[i];

			if (l->data && (only < 0 || (size_t)only == i) &&
			    l->addr <= pos && pos < l->addr + l->filesz)
				best = VD_MAX(best, l->addr + l->filesz);
		}
		if (best == pos)
			return mkelf_fail(m, "0x%llx is not in the file part of any load",
					  (unsigned long long)pos);
		pos = VD_MIN(best, end);
	}
	return 0;
}

/* Strip a trailing load=K option; returns K or -1. */
static long
mkelf_only(struct mkelf_toks *t)
{
	uint64_t n;

	if (t->n > 2 && !strncmp(t->v[t->n - 1], "load=", 5) &&
	    mkelf_num(t->v[t->n - 1] + 5, &n) && n < MKELF_MAX_ITEMS) {
		free(t->v[--t->n]);
		return (long)n;
	}
	return -1;
}

static int
mkelf_words(struct mkelf *m, struct mkelf_toks *t, size_t width, long only)
{
	unsigned char buf[8 * 64];
	uint64_t addr, v;
	size_t n = 0;

	if (t->n < 3 || !mkelf_num(t->v[1], &addr))
		return mkelf_fail(m, "%s: need ADDR and values", t->v[0]);
	for (size_t i = 2; i < t->n; i++, n += width) {
		if (!mkelf_num(t->v[i], &v))
			return mkelf_fail(m, "bad number '%s'", t->v[i]);
		if (width == 8)
			vd_put64(buf + n, v, m->be);
		else
			vd_put32(buf + n, (uint32_t)v, m->be);
	}
	return mkelf_poke(m, addr, buf, n, only);
}

static int
mkelf_data(struct mkelf *m, struct mkelf_toks *t)
{
	long only = mkelf_only(t);
	const char *d = t->v[0];
	uint64_t addr, len = 0, val = 0;
	unsigned char *buf;
	int r;

	if (!strcmp(d, "u64") || !strcmp(d, "u32"))
		return mkelf_words(m, t, d[1] == '6' ? 8 : 4, only);
	if (t->n < 3 || !mkelf_num(t->v[1], &addr))
		return mkelf_fail(m, "%s: need ADDR", d);
	if (!strcmp(d, "bytes") && t->n == 3)
		return mkelf_poke(m, addr, t->v[2], t->len[2], only);
	if (!mkelf_num(t->v[2], &len) || len > MKELF_MAX_FILE ||
	    (t->n > 3 && !mkelf_num(t->v[3], &val)))
		return mkelf_fail(m, "%s: bad LEN or value", d);
	if (strcmp(d, "fill") && strcmp(d, "pattern"))
		return mkelf_fail(m, "unknown directive '%s'", d);
	if (!strcmp(d, "fill") && t->n != 4)
		return mkelf_fail(m, "fill: need ADDR LEN BYTE");
	buf = malloc(len ? len : 1);
	if (!buf)
		return mkelf_fail(m, "out of memory");
	for (uint64_t i = 0; i < len; i++) {
		uint64_t a = addr + i;

		buf[i] = d[0] == 'f' ? (unsigned char)val :
			 (unsigned char)(a + (a >> 8) + (a >> 16) + val);
	}
	r = mkelf_poke(m, addr, buf, len, only);
	free(buf);
	return r;
}

/* psinfo: struct elf_prpsinfo (136 bytes, include/linux/elfcore.h). */
static int
mkelf_psinfo(struct mkelf *m, const struct mkelf_toks *t)
{
	static const char *const ints[] = { "uid", "gid", "pid", "ppid",
					    "pgrp", "sid" };
	unsigned char *d;

	if (!m->psinfo && !(m->psinfo = calloc(1, 136)))
		return mkelf_fail(m, "out of memory");
	d = m->psinfo;
	for (size_t i = 1; i < t->n; i++) {
		char key[32];
		const char *v;
		uint64_t n = 0;
		bool num;
		size_t k;

		if (!mkelf_opt(t->v[i], key, sizeof(key), &v))
			return mkelf_fail(m, "psinfo: bad option '%s'", t->v[i]);
		num = mkelf_num(v, &n);
		for (k = 0; k < VD_ARRAY_SIZE(ints); k++)
			if (!strcmp(key, ints[k]))
				break;
		if (k < VD_ARRAY_SIZE(ints) && num)
			vd_put32(d + 16 + 4 * k, (uint32_t)n, m->be);
		else if (!strcmp(key, "state") && num)
			d[0] = (unsigned char)n;
		else if (!strcmp(key, "sname") && strlen(v) == 1)
			d[1] = (unsigned char)v[0];
		else if (!strcmp(key, "nice") && num)
			d[3] = (unsigned char)n;
		else if (!strcmp(key, "flag") && num)
			vd_put64(d + 8, n, m->be);
		else if (!strcmp(key, "fname"))
			strncpy((char *)d + 40, v, 16);
		else if (!strcmp(key, "args"))
			memcpy(d + 56, v, VD_MIN(t->len[i] - (size_t)(v - t->v[i]), (size_t)80));
		else
			return mkelf_fail(m, "psinfo: bad option '%s'", t->v[i]);
	}
	return 0;
}

/* siginfo: si_signo @0, si_errno @4, si_code @8, union @16 (128 bytes). */
static int
mkelf_siginfo(struct mkelf *m, const struct mkelf_toks *t)
{
	unsigned char *d;

	if (!m->siginfo && !(m->siginfo = calloc(1, 128)))
		return mkelf_fail(m, "out of memory");
	d = m->siginfo;
	for (size_t i = 1; i < t->n; i++) {
		char key[32];
		const char *v;
		uint64_t n;

		if (!mkelf_opt(t->v[i], key, sizeof(key), &v) || !mkelf_num(v, &n))
			return mkelf_fail(m, "siginfo: bad option '%s'", t->v[i]);
		if (!strcmp(key, "signo"))
			vd_put32(d, (uint32_t)n, m->be);
		else if (!strcmp(key, "errno"))
			vd_put32(d + 4, (uint32_t)n, m->be);
		else if (!strcmp(key, "code"))
			vd_put32(d + 8, (uint32_t)n, m->be);
		else if (!strcmp(key, "addr"))
			vd_put64(d + 16, n, m->be);
		else if (!strcmp(key, "pid"))
			vd_put32(d + 16, (uint32_t)n, m->be);
		else if (!strcmp(key, "uid"))
			vd_put32(d + 20, (uint32_t)n, m->be);
		else
			return mkelf_fail(m, "siginfo: unknown option '%s'", key);
	}
	return 0;
}

static int
mkelf_auxv(struct mkelf *m, const struct mkelf_toks *t)
{
	for (size_t i = 1; i < t->n; i++) {
		uint64_t type, val;
		char *eq = strchr(t->v[i], '=');
		uint64_t *p;

		if (!eq)
			return mkelf_fail(m, "auxv: bad entry '%s'", t->v[i]);
		*eq = '\0';
		if (!mkelf_num(t->v[i], &type) || !mkelf_num(eq + 1, &val))
			return mkelf_fail(m, "auxv: bad entry '%s'", t->v[i]);
		if (m->nauxv >= MKELF_MAX_ITEMS)
			return mkelf_fail(m, "too many auxv entries");
		p = realloc(m->auxv, (m->nauxv + 1) * 2 * sizeof(*p));
		if (!p)
			return mkelf_fail(m, "out of memory");
		m->auxv = p;
		p[2 * m->nauxv] = type;
		p[2 * m->nauxv++ + 1] = val;
	}
	return 0;
}

static int
mkelf_file_map(struct mkelf *m, const struct mkelf_toks *t)
{
	struct mkelf_fmap *f, *p;

	p = mkelf_grow(m, m->fmaps, &m->nfmaps, sizeof(*p));
	if (!p)
		return mkelf_fail(m, "too many file-map lines");
	m->fmaps = p;
	f = &p[m->nfmaps - 1];
	for (size_t i = 1; i < t->n; i++) {
		char key[32];
		const char *v;
		uint64_t n = 0;

		if (!mkelf_opt(t->v[i], key, sizeof(key), &v))
			return mkelf_fail(m, "file-map: bad option '%s'", t->v[i]);
		if (!strcmp(key, "path") && strlen(v) < sizeof(f->path))
			strcpy(f->path, v);
		else if (!mkelf_num(v, &n))
			return mkelf_fail(m, "file-map: bad option '%s'", t->v[i]);
		else if (!strcmp(key, "start"))
			f->start = n;
		else if (!strcmp(key, "end"))
			f->end = n;
		else if (!strcmp(key, "pgoff"))
			f->pgoff = n;
		else
			return mkelf_fail(m, "file-map: bad option '%s'", t->v[i]);
	}
	return 0;
}

/* filedata ADDR PATH [OFF [LEN]]: a file's bytes as memory. */
static int
mkelf_filedata(struct mkelf *m, struct mkelf_toks *t)
{
	long only = mkelf_only(t);
	uint64_t addr, off = 0, len = UINT64_MAX;
	char path[4096];
	unsigned char *buf;
	size_t n;
	FILE *f;
	int r;

	if (t->n < 3 || t->n > 5 || !mkelf_num(t->v[1], &addr) ||
	    (t->n > 3 && !mkelf_num(t->v[3], &off)) ||
	    (t->n > 4 && !mkelf_num(t->v[4], &len)))
		return mkelf_fail(m, "filedata: need ADDR PATH [OFF [LEN]]");
	snprintf(path, sizeof(path), "%s%s%s", t->v[2][0] == '/' ? "" : m->dir,
		 t->v[2][0] == '/' ? "" : "/", t->v[2]);
	f = fopen(path, "rb");
	if (!f)
		return mkelf_fail(m, "%s: %s", path, strerror(errno));
	len = VD_MIN(len, (uint64_t)MKELF_MAX_FILE);
	buf = malloc(len == MKELF_MAX_FILE ? 1 << 20 : len + 1);
	if (len == MKELF_MAX_FILE)
		len = 1 << 20;
	n = buf && fseek(f, (long)off, SEEK_SET) == 0 ? fread(buf, 1, len, f) : 0;
	fclose(f);
	if (!buf)
		return mkelf_fail(m, "out of memory");
	r = mkelf_poke(m, addr, buf, n, only);
	free(buf);
	return r;
}

static int
mkelf_corrupt(struct mkelf *m, const struct mkelf_toks *t)
{
	for (size_t i = 1; i < t->n; i++) {
		char key[32];
		const char *v;
		uint64_t n;
		size_t k;

		if (!strcmp(t->v[i], "magic")) {
			m->bad.magic = true;
			continue;
		}
		if (!mkelf_opt(t->v[i], key, sizeof(key), &v) || !mkelf_num(v, &n))
			return mkelf_fail(m, "corrupt: bad option '%s'", t->v[i]);
		if (!strcmp(key, "truncate")) {
			m->has_truncate = true;
			m->truncate = n;
			continue;
		}
		if (!strcmp(key, "note-size"))
			strcpy(key, "note-descsz");
		for (k = 0; k < VD_ARRAY_SIZE(mkelf_corrupt_keys); k++)
			if (!strcmp(key, mkelf_corrupt_keys[k]))
				break;
		if (k == VD_ARRAY_SIZE(mkelf_corrupt_keys))
			return mkelf_fail(m, "corrupt: unknown '%s'", key);
		m->bad.has[k] = true;
		m->bad.val[k] = n;
	}
	return 0;
}

static int
mkelf_line(struct mkelf *m, char *s)
{
	struct mkelf_toks t = { .n = 0 };
	size_t k = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-");
	size_t sp = k + strspn(s + k, " \t");
	int r;

	if (k && s[sp] == '=') {
		char *v = s + sp + 1, *e;

		s[k] = '\0';
		e = strchr(v, '#');
		if (e)
			*e = '\0';
		v += strspn(v, " \t");
		for (e = v + strlen(v); e > v && isspace((unsigned char)e[-1]);)
			*--e = '\0';
		return mkelf_header(m, s, v);
	}
	if (mkelf_tokenize(m, s, &t)) {
		mkelf_toks_free(&t);
		return -1;
	}
	if (!t.n)
		r = 0;
	else if (!strcmp(t.v[0], "cpu"))
		r = mkelf_cpu(m, &t);
	else if (!strcmp(t.v[0], "qemu-cpu"))
		r = mkelf_qemu_cpu(m, &t);
	else if (!strcmp(t.v[0], "note"))
		r = mkelf_note(m, &t);
	else if (!strcmp(t.v[0], "load"))
		r = mkelf_load(m, &t);
	else if (!strcmp(t.v[0], "corrupt"))
		r = mkelf_corrupt(m, &t);
	else if (!strcmp(t.v[0], "psinfo"))
		r = mkelf_psinfo(m, &t);
	else if (!strcmp(t.v[0], "siginfo"))
		r = mkelf_siginfo(m, &t);
	else if (!strcmp(t.v[0], "auxv"))
		r = mkelf_auxv(m, &t);
	else if (!strcmp(t.v[0], "file-map"))
		r = mkelf_file_map(m, &t);
	else if (!strcmp(t.v[0], "filedata"))
		r = mkelf_filedata(m, &t);
	else
		r = mkelf_data(m, &t);
	mkelf_toks_free(&t);
	return r;
}

/* A note ready to be laid out. */
struct mkelf_nv {
	const char *name;
	uint32_t type;
	unsigned char *desc;     /* owned */
	size_t descsz;
	uint64_t off;            /* where its header went */
};

struct mkelf_img {
	unsigned char *buf;
	uint64_t size;
	uint64_t phoff, shoff, phnum;
	struct mkelf_nv *nv;
	size_t nnv;
	uint64_t note_off, note_size;   /* one blob, or the first note's */
};

static uint64_t
mkelf_align(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static uint64_t
mkelf_note_size(const struct mkelf *m, const struct mkelf_nv *nv)
{
	uint64_t a = m->note_align;

	return mkelf_align(mkelf_align(12 + strlen(nv->name) + 1, a) +
			   nv->descsz, a);
}

static int
mkelf_add_nv(struct mkelf *m, struct mkelf_img *img, const char *name,
	     uint32_t type, size_t descsz)
{
	struct mkelf_nv *p = realloc(img->nv, (img->nnv + 1) * sizeof(*p));

	if (!p)
		return mkelf_fail(m, "out of memory");
	img->nv = p;
	p += img->nnv++;
	p->name = name;
	p->type = type;
	p->descsz = descsz;
	p->desc = calloc(1, descsz + 1);
	return p->desc ? 0 : mkelf_fail(m, "out of memory");
}

/* NT_PRSTATUS: pr_cursig @12, pr_pid @32, pr_reg @112 (elf_notes.c). */
static int
mkelf_prstatus(struct mkelf *m, struct mkelf_img *img,
	       const struct mkelf_cpu *cpu)
{
	size_t nregs = m->machine == EM_AARCH64 ? 34 : 27;
	unsigned char *d;

	if (mkelf_add_nv(m, img, "CORE", NT_PRSTATUS, cpu->size))
		return -1;
	d = img->nv[img->nnv - 1].desc;
	if (cpu->size >= 14) {
		uint16_t sig = (uint16_t)cpu->sig;

		if (m->be)
			sig = __builtin_bswap16(sig);
		memcpy(d + 12, &sig, 2);
	}
	if (cpu->size >= 36)
		vd_put32(d + 32, (uint32_t)cpu->pid, m->be);
	if (cpu->size >= 48) {
		vd_put32(d, (uint32_t)cpu->si_signo, m->be);
		vd_put32(d + 4, (uint32_t)cpu->si_code, m->be);
		vd_put32(d + 8, (uint32_t)cpu->si_errno, m->be);
		vd_put32(d + 36, (uint32_t)cpu->ppid, m->be);
		vd_put32(d + 40, (uint32_t)cpu->pgrp, m->be);
		vd_put32(d + 44, (uint32_t)cpu->sid, m->be);
	}
	if (cpu->size >= 112 + 8 * nregs + 4)
		vd_put32(d + 112 + 8 * nregs, (uint32_t)cpu->fpvalid, m->be);
	for (size_t i = 0; i < nregs && 112 + 8 * i + 8 <= cpu->size; i++)
		vd_put64(d + 112 + 8 * i, cpu->regs[i], m->be);
	return 0;
}

/* QEMUCPUState: version @0, size @4, cr[5] @392, kernel_gs_base @432. */
static int
mkelf_qemu_note(struct mkelf *m, struct mkelf_img *img,
		const struct mkelf_cpu *cpu)
{
	unsigned char *d;

	if (mkelf_add_nv(m, img, "QEMU", 0, cpu->qdescsz))
		return -1;
	d = img->nv[img->nnv - 1].desc;
	if (cpu->qdescsz >= 8) {
		vd_put32(d, (uint32_t)cpu->qversion, m->be);
		vd_put32(d + 4, (uint32_t)cpu->qsize, m->be);
	}
	for (size_t k = 0; k < 5 && 392 + 8 * k + 8 <= cpu->qdescsz; k++)
		vd_put64(d + 392 + 8 * k, cpu->cr[k], m->be);
	if (cpu->qdescsz >= 440)
		vd_put64(d + 432, cpu->gsbase, m->be);
	return 0;
}

/* The `note` lines with thread1 == want (0: untagged), in order. */
static int
mkelf_tagged_notes(struct mkelf *m, struct mkelf_img *img, long want)
{
	for (size_t i = 0; i < m->nnotes; i++) {
		const struct mkelf_note *n = &m->notes[i];

		if (n->thread1 != want)
			continue;
		if (mkelf_add_nv(m, img, n->name, n->type, n->descsz))
			return -1;
		memcpy(img->nv[img->nnv - 1].desc, n->desc, n->descsz);
	}
	return 0;
}

/* NT_FILE: count, page size, {start, end, pgoff} x count, paths. */
static int
mkelf_nt_file(struct mkelf *m, struct mkelf_img *img)
{
	size_t size = 16 + 24 * m->nfmaps, pos;
	unsigned char *d;

	for (size_t i = 0; i < m->nfmaps; i++)
		size += strlen(m->fmaps[i].path) + 1;
	if (mkelf_add_nv(m, img, "CORE", NT_FILE, size))
		return -1;
	d = img->nv[img->nnv - 1].desc;
	vd_put64(d, m->nfmaps, m->be);
	vd_put64(d + 8, m->file_page ? m->file_page : 4096, m->be);
	pos = 16 + 24 * m->nfmaps;
	for (size_t i = 0; i < m->nfmaps; i++) {
		const struct mkelf_fmap *f = &m->fmaps[i];

		vd_put64(d + 16 + 24 * i, f->start, m->be);
		vd_put64(d + 24 + 24 * i, f->end, m->be);
		vd_put64(d + 32 + 24 * i, f->pgoff, m->be);
		memcpy(d + pos, f->path, strlen(f->path) + 1);
		pos += strlen(f->path) + 1;
	}
	return 0;
}

/* NT_SIGINFO, NT_AUXV, NT_FILE of a process core, when described. */
static int
mkelf_user_notes(struct mkelf *m, struct mkelf_img *img)
{
	if (m->siginfo) {
		if (mkelf_add_nv(m, img, "CORE", NT_SIGINFO, 128))
			return -1;
		memcpy(img->nv[img->nnv - 1].desc, m->siginfo, 128);
	}
	if (m->auxv) {
		if (mkelf_add_nv(m, img, "CORE", NT_AUXV, 16 * (m->nauxv + 1)))
			return -1;
		for (size_t i = 0; i < 2 * m->nauxv; i++)
			vd_put64(img->nv[img->nnv - 1].desc + 8 * i, m->auxv[i],
				 m->be);
	}
	if (m->nfmaps && mkelf_nt_file(m, img))
		return -1;
	return 0;
}

static int
mkelf_make_notes(struct mkelf *m, struct mkelf_img *img)
{
	for (size_t i = 0; i < m->ncpus; i++)
		if (mkelf_prstatus(m, img, &m->cpus[i]) ||
		    mkelf_tagged_notes(m, img, (long)i + 1))
			return -1;
	for (size_t i = 0; i < m->ncpus; i++)
		if (m->cpus[i].qemu && mkelf_qemu_note(m, img, &m->cpus[i]))
			return -1;
	if (m->vmcoreinfo) {
		if (mkelf_add_nv(m, img, "VMCOREINFO", 0, m->vmcoreinfo_len))
			return -1;
		memcpy(img->nv[img->nnv - 1].desc, m->vmcoreinfo,
		       m->vmcoreinfo_len);
	}
	// struct elf_prpsinfo is 136 bytes on x86_64 and arm64.
	if (m->user && m->prpsinfo &&
	    mkelf_add_nv(m, img, "CORE", NT_PRPSINFO, 136))
		return -1;
	if (m->user && m->prpsinfo && m->psinfo)
		memcpy(img->nv[img->nnv - 1].desc, m->psinfo, 136);
	if (mkelf_user_notes(m, img))
		return -1;
	return mkelf_tagged_notes(m, img, 0);
}

/* File offsets of everything; notes go after the program headers. */
static int
mkelf_layout(struct mkelf *m, struct mkelf_img *img)
{
	uint64_t ehsz = m->is64 ? 64 : 52, phent = m->is64 ? 56 : 32;
	uint64_t cur = ehsz, nseg = 0;

	if (img->nnv)
		nseg = m->split_notes ? img->nnv : 1;
	img->phnum = nseg + m->nloads;
	if (img->phnum >= PN_XNUM && !m->pn_xnum)
		return mkelf_fail(m, "%llu program headers need pn-xnum = yes",
				  (unsigned long long)img->phnum);
	if (m->shdr || m->pn_xnum) {
		img->shoff = mkelf_align(ehsz, 8);
		cur = img->shoff + (m->is64 ? 64 : 40);
	}
	img->phoff = m->has_phoff ? m->phoff : mkelf_align(cur, 8);
	cur = VD_MAX(cur, img->phoff + img->phnum * phent);
	for (size_t i = 0; i < img->nnv; i++) {
		cur = mkelf_align(cur, m->note_align);
		img->nv[i].off = cur;
		cur += mkelf_note_size(m, &img->nv[i]);
	}
	for (size_t i = 0; i < m->nloads; i++) {
		struct mkelf_load *l = &m->loads[i];

		if (!l->data)
			continue;
		l->offset = cur = mkelf_align(cur, 8);
		cur += l->filesz;
		if (cur > MKELF_MAX_FILE)
			return mkelf_fail(m, "the file would exceed %llu MiB",
					  MKELF_MAX_FILE >> 20);
	}
	for (size_t i = 0; i < m->nloads; i++) {
		struct mkelf_load *l = &m->loads[i];

		if (l->share >= 0)
			l->offset = m->loads[l->share].offset +
				    (l->addr - m->loads[l->share].addr);
	}
	img->size = cur;
	return 0;
}

static void
mkelf_put16(unsigned char *p, uint64_t v, bool be)
{
	uint16_t x = (uint16_t)v;

	if (be)
		x = __builtin_bswap16(x);
	memcpy(p, &x, 2);
}

/* A field that is 8 bytes in ELFCLASS64 and 4 in ELFCLASS32. */
static void
mkelf_putw(const struct mkelf *m, unsigned char *p, uint64_t v)
{
	if (m->is64)
		vd_put64(p, v, m->be);
	else
		vd_put32(p, (uint32_t)v, m->be);
}

static void
mkelf_write_ehdr(const struct mkelf *m, const struct mkelf_img *img)
{
	unsigned char *b = img->buf;
	size_t w = m->is64 ? 8 : 4;          /* Elf64_Off vs Elf32_Off */
	unsigned char *p = b + 24;           /* e_entry */

	memcpy(b, ELFMAG, SELFMAG);
	b[EI_CLASS] = m->is64 ? ELFCLASS64 : ELFCLASS32;
	b[EI_DATA] = m->be ? ELFDATA2MSB : ELFDATA2LSB;
	b[EI_VERSION] = EV_CURRENT;
	mkelf_put16(b + 16, ET_CORE, m->be);
	mkelf_put16(b + 18, m->machine, m->be);
	vd_put32(b + 20, EV_CURRENT, m->be);
	mkelf_putw(m, p + w, img->phoff);
	mkelf_putw(m, p + 2 * w, img->shoff);
	p += 3 * w;                          /* e_flags */
	vd_put32(p, (uint32_t)m->eflags, m->be);
	mkelf_put16(p + 4, m->has_ehsize ? m->ehsize : (m->is64 ? 64 : 52),
		    m->be);
	mkelf_put16(p + 6, m->is64 ? 56 : 32, m->be);
	mkelf_put16(p + 8, m->pn_xnum ? PN_XNUM : img->phnum, m->be);
	mkelf_put16(p + 10, img->shoff ? (m->is64 ? 64 : 40) : 0, m->be);
	mkelf_put16(p + 12, img->shoff ? 1 : 0, m->be);
	if (img->shoff && m->pn_xnum)        /* sh_info of section 0 */
		vd_put32(b + img->shoff + (m->is64 ? 44 : 28),
			 (uint32_t)img->phnum, m->be);
}

static void
mkelf_write_phdr(const struct mkelf *m, unsigned char *p, uint32_t type,
		 uint64_t off, uint64_t vaddr, uint64_t paddr,
		 uint64_t filesz, uint64_t memsz, uint64_t align)
{
	bool be = m->be;

	vd_put32(p, type, be);
	if (m->is64) {
		vd_put32(p + 4, type == PT_LOAD ? 7 : 0, be);
		vd_put64(p + 8, off, be);
		vd_put64(p + 16, vaddr, be);
		vd_put64(p + 24, paddr, be);
		vd_put64(p + 32, filesz, be);
		vd_put64(p + 40, memsz, be);
		vd_put64(p + 48, align, be);
	} else {
		vd_put32(p + 4, (uint32_t)off, be);
		vd_put32(p + 8, (uint32_t)vaddr, be);
		vd_put32(p + 12, (uint32_t)paddr, be);
		vd_put32(p + 16, (uint32_t)filesz, be);
		vd_put32(p + 20, (uint32_t)memsz, be);
		vd_put32(p + 24, type == PT_LOAD ? 7 : 0, be);
		vd_put32(p + 28, (uint32_t)align, be);
	}
}

static void
mkelf_write_note(const struct mkelf *m, unsigned char *p,
		 const struct mkelf_nv *nv)
{
	size_t namesz = strlen(nv->name) + 1;

	vd_put32(p, (uint32_t)namesz, m->be);
	vd_put32(p + 4, (uint32_t)nv->descsz, m->be);
	vd_put32(p + 8, nv->type, m->be);
	memcpy(p + 12, nv->name, namesz);
	memcpy(p + mkelf_align(12 + namesz, m->note_align), nv->desc,
	       nv->descsz);
}

static void
mkelf_write_body(const struct mkelf *m, struct mkelf_img *img)
{
	unsigned char *ph = img->buf + img->phoff;
	size_t phent = m->is64 ? 56 : 32;
	uint64_t align = m->note_align == 8 ? 8 : 0;

	for (size_t i = 0; i < img->nnv; i++)
		mkelf_write_note(m, img->buf + img->nv[i].off, &img->nv[i]);
	if (img->nnv && !m->split_notes) {
		const struct mkelf_nv *last = &img->nv[img->nnv - 1];
		uint64_t end = last->off + mkelf_note_size(m, last);

		mkelf_write_phdr(m, ph, PT_NOTE, img->nv[0].off, 0, 0,
				 end - img->nv[0].off, end - img->nv[0].off,
				 align);
		ph += phent;
	}
	for (size_t i = 0; m->split_notes && i < img->nnv; i++, ph += phent) {
		uint64_t sz = mkelf_note_size(m, &img->nv[i]);

		mkelf_write_phdr(m, ph, PT_NOTE, img->nv[i].off, 0, 0, sz, sz,
				 align);
	}
	for (size_t i = 0; i < m->nloads; i++, ph += phent) {
		const struct mkelf_load *l = &m->loads[i];

		mkelf_write_phdr(m, ph, PT_LOAD, l->offset, l->vaddr,
				 l->paddr, l->filesz,
				 l->memsz, 0);
		if (l->has_flags)
			vd_put32(ph + (m->is64 ? 4 : 24), (uint32_t)l->flags,
				 m->be);
		if (l->data)
			memcpy(img->buf + l->offset, l->data, l->filesz);
	}
}

static int
mkelf_damage(struct mkelf *m, struct mkelf_img *img)
{
	const struct mkelf_corrupt *c = &m->bad;
	unsigned char *b = img->buf;
	uint64_t note = img->nnv ? img->nv[0].off : 0;
	bool w8 = m->is64;

	if (c->magic)
		b[1] = 'X';
	if (c->has[MC_TYPE])
		mkelf_put16(b + 16, c->val[MC_TYPE], m->be);
	if (c->has[MC_CLASS])
		b[EI_CLASS] = (unsigned char)c->val[MC_CLASS];
	if (c->has[MC_DATA])
		b[EI_DATA] = (unsigned char)c->val[MC_DATA];
	if (c->has[MC_PHNUM] && m->pn_xnum)
		vd_put32(b + img->shoff + (w8 ? 44 : 28),
			 (uint32_t)c->val[MC_PHNUM], m->be);
	else if (c->has[MC_PHNUM])
		mkelf_put16(b + (w8 ? 56 : 44), c->val[MC_PHNUM], m->be);
	if (c->has[MC_PHOFF])
		mkelf_putw(m, b + (w8 ? 32 : 28), c->val[MC_PHOFF]);
	if (c->has[MC_SHOFF])
		mkelf_putw(m, b + (w8 ? 40 : 32), c->val[MC_SHOFF]);
	if (c->has[MC_PHENTSIZE])
		mkelf_put16(b + (w8 ? 54 : 42), c->val[MC_PHENTSIZE], m->be);
	if ((c->has[MC_NAMESZ] || c->has[MC_DESCSZ] || c->has[MC_SEGSIZE]) &&
	    !img->nnv)
		return mkelf_fail(m, "corrupt note-*: the file has no notes");
	if (c->has[MC_NAMESZ])
		vd_put32(b + note, (uint32_t)c->val[MC_NAMESZ], m->be);
	if (c->has[MC_DESCSZ])
		vd_put32(b + note + 4, (uint32_t)c->val[MC_DESCSZ], m->be);
	if (c->has[MC_SEGSIZE]) {
		mkelf_putw(m, b + img->phoff + (w8 ? 32 : 16),
			   c->val[MC_SEGSIZE]);
		mkelf_putw(m, b + img->phoff + (w8 ? 40 : 20),
			   c->val[MC_SEGSIZE]);
	}
	if (!m->has_truncate)
		return 0;
	if ((int64_t)m->truncate < 0 && -m->truncate <= img->size)
		img->size += m->truncate;
	else if ((int64_t)m->truncate >= 0 && m->truncate <= img->size)
		img->size = m->truncate;
	else
		return mkelf_fail(m, "truncate=%lld: the file has %llu bytes",
				  (long long)m->truncate,
				  (unsigned long long)img->size);
	return 0;
}

static int
mkelf_emit(struct mkelf *m, const char *out)
{
	struct mkelf_img img = { 0 };
	FILE *f = NULL;
	int r = -1;

	if (mkelf_make_notes(m, &img) || mkelf_layout(m, &img))
		goto out;
	img.buf = calloc(1, img.size);
	if (!img.buf) {
		mkelf_fail(m, "out of memory");
		goto out;
	}
	mkelf_write_ehdr(m, &img);
	mkelf_write_body(m, &img);
	if (mkelf_damage(m, &img))
		goto out;
	f = fopen(out, "wb");
	if (!f || fwrite(img.buf, 1, img.size, f) != img.size) {
		mkelf_fail(m, "%s: %s", out, strerror(errno));
		goto out;
	}
	r = 0;
out:
	if (f && fclose(f) && !r)
		r = mkelf_fail(m, "%s: %s", out, strerror(errno));
	for (size_t i = 0; i < img.nnv; i++)
		free(img.nv[i].desc);
	free(img.nv);
	free(img.buf);
	return r;
}

static void
mkelf_free(struct mkelf *m)
{
	free(m->vmcoreinfo);
	free(m->cpus);
	for (size_t i = 0; i < m->nnotes; i++)
		free(m->notes[i].desc);
	free(m->notes);
	for (size_t i = 0; i < m->nloads; i++)
		free(m->loads[i].data);
	free(m->loads);
	free(m->psinfo);
	free(m->siginfo);
	free(m->auxv);
	free(m->fmaps);
}

/*
 * Build the file the description says and write it to out.  dir is where
 * relative paths in the description start.  Returns 0, or -1 with a
 * message ("line N: ...") in err.
 */
int
mkelf_build(const char *text, const char *dir, const char *out, char *err,
	    size_t errlen)
{
	struct mkelf m = {
		.err = err, .errlen = errlen, .dir = dir ? dir : ".",
		.is64 = true, .machine = EM_X86_64, .note_align = 4,
		.prpsinfo = true,
	};
	char *copy = strdup(text), *line, *next;
	int r = 0;

	if (!copy)
		return mkelf_fail(&m, "out of memory");
	for (line = copy; line && !r; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		m.line++;
		r = mkelf_line(&m, line);
	}
	free(copy);
	m.line = 0;
	if (!r)
		r = mkelf_emit(&m, out);
	mkelf_free(&m);
	return r;
}

#ifndef MKELF_NO_MAIN
static char *
mkelf_slurp(const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	size_t n = 0, cap = 1 << 16;
	char *buf = NULL, *p;

	if (!f)
		return NULL;
	for (;;) {
		p = realloc(buf, cap + 1);
		if (!p) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = p;
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap) {
			buf[n] = '\0';
			break;
		}
		cap *= 2;
	}
	if (f != stdin)
		fclose(f);
	return buf;
}

int
main(int argc, char **argv)
{
	char err[512], dir[4096];
	char *text, *slash;

	if (argc != 3) {
		fprintf(stderr, "usage: mkelf DESC OUT  (see the top of tests/gen/mkelf.c)\n");
		return 2;
	}
	text = mkelf_slurp(argv[1]);
	if (!text) {
		fprintf(stderr, "mkelf: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	snprintf(dir, sizeof(dir), "%s", argv[1]);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		strcpy(dir, ".");
	if (mkelf_build(text, dir, argv[2], err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", argv[1], err);
		free(text);
		return 1;
	}
	free(text);
	return 0;
}
#endif
