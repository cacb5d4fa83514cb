// SPDX-License-Identifier: MIT
/*
 * Process-core notes (formats/elf_core_notes.c, core_names.c) through the
 * public dump API: vd_dump_info()->core.  Cores are built by mkelf from
 * descriptions; one NT_FILE is written byte by byte here so that the
 * generator and the reader cannot share a misreading of the layout.
 * Expected values come from the descriptions.
 */
#define MKELF_NO_MAIN
#include "tests/gen/mkelf.c"

#include <sys/xattr.h>
#include <unistd.h>
#include <zstd.h>

#include "harness.h"
#include "vmdive/core.h"
#include "vmdive/dump.h"

static char tmpdir[] = "/tmp/vd-test-core-XXXXXX";
static char paths[64][128];
static int npaths;

static const char *
mk(const char *name, const char *desc)
{
	char err[512];
	char *path;

	if (npaths == (int)VD_ARRAY_SIZE(paths))
		return NULL;
	path = paths[npaths++];
	snprintf(path, sizeof(paths[0]), "%s/%s", tmpdir, name);
	if (mkelf_build(desc, tmpdir, path, err, sizeof(err))) {
		fprintf(stderr, "mkelf %s: %s\n", name, err);
		return NULL;
	}
	return path;
}

static struct vd_dump *
open_dump(const char *path)
{
	struct vd_dump *dump = NULL;
	struct vd_error *err;

	if (!path)
		return NULL;
	err = vd_dump_open(&path, 1, NULL, &dump);
	if (err) {
		fprintf(stderr, "  open %s: %s\n", path, err->msg);
		vd_error_destroy(err);
		return NULL;
	}
	return dump;
}

static bool
has_warning(const struct vd_dump *dump, const char *needle)
{
	const struct vd_dump_info *info = vd_dump_info(dump);

	for (size_t i = 0; i < info->nwarnings; i++)
		if (strstr(info->warnings[i], needle))
			return true;
	fprintf(stderr, "  no warning with '%s' (%zu warnings)\n", needle,
		info->nwarnings);
	return false;
}

static const char full_core[] =
	"kind = user\n"
	"cpu pid=100 sig=11 ppid=99 pgrp=100 sid=98 si_signo=11 si_code=1 "
	"fpvalid=1 rip=0x401126 rsp=0x7ffd0f00 rax=0x1234\n"
	"note name=CORE type=2 size=512 thread=0\n"
	"note name=LINUX type=0x202 size=832 thread=0\n"
	"cpu pid=101 rip=0x401200\n"
	"note name=CORE type=2 size=512 thread=1\n"
	"note name=LINUX type=0x4ff size=8 thread=1\n"
	"psinfo pid=100 ppid=99 pgrp=100 sid=98 uid=1000 gid=1001 state=0 "
	"sname=R nice=-5 flag=0x400600 fname=crashy args=\"./crashy -x 1 \"\n"
	"siginfo signo=11 code=1 addr=0xdeadbeef\n"
	"auxv 9=0x401000 6=4096 31=0x7ffd0ff0 33=0x7fff1000 0x1234=5\n"
	"file-map start=0x400000 end=0x401000 pgoff=0 path=/bin/true\n"
	"file-map start=0x401000 end=0x403000 pgoff=1 path=\"/a b/lib.so (deleted)\"\n"
	"load vaddr=0x400000 size=0x1000 flags=4\n"
	"load vaddr=0x401000 size=0x2000 filesz=0 flags=5\n"
	"load vaddr=0x7ffd0000 size=0x1000 flags=6\n"
	"bytes 0x7ffd0ff0 \"/bin/true\\0\"\n";

TEST(threads_and_their_register_notes)
{
	struct vd_dump *d = open_dump(mk("full.core", full_core));
	const struct vd_core_info *c;
	const struct vd_core_thread *t;

	CHECK(d);
	if (!d)
		return;
	c = vd_dump_info(d)->core;
	CHECK(c && c->nthreads == 2);
	if (!c || c->nthreads != 2)
		goto out;
	t = &c->threads[0];
	CHECK_EQ_U64(t->cpu.pid, 100);
	CHECK_EQ_U64(t->cpu.signal, 11);
	CHECK_EQ_U64(t->ppid, 99);
	CHECK_EQ_U64(t->pgrp, 100);
	CHECK_EQ_U64(t->sid, 98);
	CHECK_EQ_U64(t->info_signo, 11);
	CHECK_EQ_U64(t->info_code, 1);
	CHECK(t->fpvalid);
	CHECK_EQ_U64(t->cpu.regs[vd_core_reg_index(VD_ARCH_X86_64, "pc")], 0x401126);
	CHECK_EQ_U64(t->cpu.regs[vd_core_reg_index(VD_ARCH_X86_64, "rax")], 0x1234);
	CHECK_EQ_U64(t->nregsets, 2);
	if (t->nregsets == 2) {
		CHECK_STR(t->regsets[0].name, "NT_FPREGSET");
		CHECK_EQ_U64(t->regsets[0].size, 512);
		CHECK_STR(t->regsets[1].name, "NT_X86_XSTATE");
		CHECK_EQ_U64(t->regsets[1].size, 832);
	}
	t = &c->threads[1];
	CHECK_EQ_U64(t->cpu.pid, 101);
	CHECK(!t->fpvalid);
	CHECK_EQ_U64(t->nregsets, 2);
	if (t->nregsets == 2)
		CHECK_STR(t->regsets[1].name, "LINUX/0x4ff");
out:
	vd_dump_close(d);
}

TEST(process_notes)
{
	struct vd_dump *d = open_dump(mk("full2.core", full_core));
	const struct vd_core_info *c;

	CHECK(d);
	if (!d)
		return;
	c = vd_dump_info(d)->core;
	CHECK(c->psinfo.present);
	CHECK_EQ_U64(c->psinfo.pid, 100);
	CHECK_EQ_U64(c->psinfo.uid, 1000);
	CHECK_EQ_U64(c->psinfo.gid, 1001);
	CHECK_EQ_U64(c->psinfo.nice, (uint64_t)-5);
	CHECK_EQ_U64(c->psinfo.flag, 0x400600);
	CHECK_EQ_U64(c->psinfo.sname, 'R');
	CHECK_STR(c->psinfo.fname, "crashy");
	CHECK_STR(c->psinfo.psargs, "./crashy -x 1");
	CHECK(c->siginfo.present && c->siginfo.has_addr && !c->siginfo.has_sender);
	CHECK_EQ_U64(c->siginfo.addr, 0xdeadbeef);
	CHECK_STR(vd_core_sigcode_name(c->siginfo.signo, c->siginfo.code), "SEGV_MAPERR");
	CHECK_EQ_U64(c->nauxv, 5);
	if (c->nauxv == 5) {
		CHECK_EQ_U64(c->auxv[0].type, 9);
		CHECK_EQ_U64(c->auxv[0].value, 0x401000);
		CHECK_EQ_U64(c->auxv[4].type, 0x1234);
	}
	CHECK_EQ_U64(c->file_page_size, 4096);
	CHECK_EQ_U64(c->nfiles, 2);
	if (c->nfiles == 2) {
		CHECK_STR(c->files[0].path, "/bin/true");
		CHECK_EQ_U64(c->files[1].start, 0x401000);
		CHECK_EQ_U64(c->files[1].end, 0x403000);
		CHECK_EQ_U64(c->files[1].offset, 0x1000);
		CHECK_STR(c->files[1].path, "/a b/lib.so (deleted)");
	}
	CHECK_EQ_U64(c->nloads, 3);
	if (c->nloads == 3) {
		CHECK_EQ_U64(c->loads[1].flags, 5);
		CHECK_EQ_U64(c->loads[1].filesz, 0);
		CHECK_EQ_U64(c->loads[2].avail, 0x1000);
	}
	CHECK(!c->compression);
	vd_dump_close(d);
}

TEST(kill_siginfo_and_arm64)
{
	struct vd_dump *d = open_dump(mk("arm.core",
		"arch = aarch64\n"
		"kind = user\n"
		"cpu pid=7 sig=6 x0=1 x30=0x4000 sp=0xfffff000 pc=0x400100 "
		"pstate=0x60000000 fpvalid=1\n"
		"note name=LINUX type=0x401 size=8 thread=0\n"
		"siginfo signo=6 code=-6 pid=7 uid=1000\n"
		"load vaddr=0x400000 size=0x1000\n"));
	const struct vd_core_info *c;
	const char *const *names;

	CHECK(d);
	if (!d)
		return;
	c = vd_dump_info(d)->core;
	CHECK_EQ_U64(vd_core_reg_names(VD_ARCH_AARCH64, &names), 34);
	CHECK_STR(names[33], "pstate");
	CHECK_EQ_U64(c->nthreads, 1);
	if (c->nthreads) {
		const struct vd_core_thread *t = &c->threads[0];

		CHECK_EQ_U64(t->cpu.nregs, 34);
		CHECK_EQ_U64(t->cpu.regs[vd_core_reg_index(VD_ARCH_AARCH64, "pc")], 0x400100);
		CHECK_EQ_U64(t->cpu.regs[vd_core_reg_index(VD_ARCH_AARCH64, "sp")], 0xfffff000);
		CHECK_EQ_U64(t->cpu.regs[30], 0x4000);
		CHECK(t->fpvalid);   /* pr_fpvalid at 112 + 34 * 8 */
		CHECK(t->nregsets == 1 && !strcmp(t->regsets[0].name, "NT_ARM_TLS"));
	}
	CHECK(c->siginfo.has_sender && !c->siginfo.has_addr);
	CHECK_EQ_U64(c->siginfo.sender_pid, 7);
	CHECK_EQ_U64(c->siginfo.sender_uid, 1000);
	CHECK_STR(vd_core_sigcode_name(6, -6), "SI_TKILL");
	vd_dump_close(d);
}

TEST(names)
{
	CHECK_STR(vd_core_auxv_name(31), "AT_EXECFN");
	CHECK_STR(vd_core_auxv_name(33), "AT_SYSINFO_EHDR");
	CHECK(!vd_core_auxv_name(1ull << 40));
	CHECK_STR(vd_core_signal_name(11), "SIGSEGV");
	CHECK(!vd_core_signal_name(0) && !vd_core_signal_name(65));
	CHECK_STR(vd_core_sigcode_name(7, 2), "BUS_ADRERR");
	CHECK_STR(vd_core_sigcode_name(11, 0x80), "SI_KERNEL");
	CHECK(!vd_core_sigcode_name(11, 99));
	CHECK_STR(vd_core_note_name("LINUX", 0x202), "NT_X86_XSTATE");
	CHECK_STR(vd_core_note_name("CORE", 0x46494c45), "NT_FILE");
	CHECK(!vd_core_note_name("GNU", 3));
	CHECK_EQ_U64(vd_core_reg_index(VD_ARCH_X86_64, "sp"), 19);
	CHECK_EQ_U64(vd_core_reg_index(VD_ARCH_X86_64, "gs"), 26);
	CHECK(vd_core_reg_index(VD_ARCH_UNKNOWN, "pc") < 0);
}

/* NT_FILE assembled here: count, page size, entries, paths. */
static void
nt_file_text(char *out, size_t len, uint64_t count, uint64_t psize,
	     const char *strings, size_t slen)
{
	unsigned char d[16 + 24 + 64] = { 0 };
	size_t n = 0, used = 16 + 24;

	vd_put64(d, count, false);
	vd_put64(d + 8, psize, false);
	vd_put64(d + 16, 0x400000, false);
	vd_put64(d + 24, 0x401000, false);
	vd_put64(d + 32, 2, false);
	memcpy(d + used, strings, slen);
	used += slen;
	for (size_t i = 0; i < used && n + 5 < len; i++)
		n += (size_t)snprintf(out + n, len - n, "\\x%02x", d[i]);
}

static struct vd_dump *
core_with_note(const char *name, const char *note)
{
	char desc[4096];

	snprintf(desc, sizeof(desc),
		 "kind = user\ncpu pid=1\n%s\nload vaddr=0x400000 size=0x1000\n",
		 note);
	return open_dump(mk(name, desc));
}

TEST(nt_file_by_hand_and_malformed)
{
	char text[1024], note[1200];
	struct vd_dump *d;

	nt_file_text(text, sizeof(text), 1, 4096, "/x\0", 3);
	snprintf(note, sizeof(note), "note name=CORE type=0x46494c45 text=\"%s\"", text);
	d = core_with_note("nt1.core", note);
	CHECK(d && vd_dump_info(d)->core->nfiles == 1);
	if (d && vd_dump_info(d)->core->nfiles == 1) {
		CHECK_EQ_U64(vd_dump_info(d)->core->files[0].offset, 0x2000);
		CHECK_STR(vd_dump_info(d)->core->files[0].path, "/x");
	}
	vd_dump_close(d);
	// The count says a million entries: more than the note holds.
	nt_file_text(text, sizeof(text), 1000000, 4096, "/x\0", 3);
	snprintf(note, sizeof(note), "note name=CORE type=0x46494c45 text=\"%s\"", text);
	d = core_with_note("nt2.core", note);
	CHECK(d && !vd_dump_info(d)->core->nfiles);
	CHECK(d && has_warning(d, "1000000 entries of 24 bytes do not fit"));
	vd_dump_close(d);
	// The path is not NUL-terminated inside the note.
	nt_file_text(text, sizeof(text), 1, 4096, "/xyz", 4);
	snprintf(note, sizeof(note), "note name=CORE type=0x46494c45 text=\"%s\"", text);
	d = core_with_note("nt3.core", note);
	CHECK(d && !vd_dump_info(d)->core->nfiles);
	CHECK(d && has_warning(d, "only 0 NUL-terminated paths"));
	vd_dump_close(d);
	nt_file_text(text, sizeof(text), 1, 4095, "/x\0", 3);
	snprintf(note, sizeof(note), "note name=CORE type=0x46494c45 text=\"%s\"", text);
	d = core_with_note("nt4.core", note);
	CHECK(d && has_warning(d, "page size 4095"));
	vd_dump_close(d);
}

TEST(other_malformed_notes_are_warnings)
{
	struct vd_dump *d;

	d = core_with_note("aux.core", "note name=CORE type=6 text=\"\\x09\\0\\0\\0\\0\\0\\0\\0\\x10\\0\\0\\0\\0\\0\\0\\0xyz\"");
	CHECK(d && has_warning(d, "not a whole number of 16-byte entries"));
	CHECK(d && vd_dump_info(d)->core->nauxv == 1);
	vd_dump_close(d);
	d = core_with_note("si.core", "note name=CORE type=0x53494749 size=8");
	CHECK(d && has_warning(d, "too few for siginfo_t"));
	CHECK(d && !vd_dump_info(d)->core->siginfo.present);
	vd_dump_close(d);
	d = core_with_note("ps.core", "note name=CORE type=3 size=100");
	// The kernel-style NT_PRPSINFO mkelf adds comes first; this is a second.
	CHECK(d && has_warning(d, "a second NT_PRPSINFO"));
	vd_dump_close(d);
	d = open_dump(mk("early.core",
		"kind = user\n"
		"note name=LINUX type=0x202 size=16\n"
		"load vaddr=0x400000 size=0x1000\n"));
	CHECK(d && has_warning(d, "before any NT_PRSTATUS"));
	vd_dump_close(d);
}

TEST(bad_cores_are_refused)
{
	const char *p;
	struct vd_dump *d = NULL;
	struct vd_error *err;

	// A note whose descriptor runs past its PT_NOTE.
	p = mk("past.core",
	       "kind = user\ncpu pid=1\n"
	       "load vaddr=0x400000 size=0x1000\n"
	       "corrupt note-descsz=0x10000\n");
	err = vd_dump_open(&p, 1, NULL, &d);
	CHECK(err && err->code == VD_ERR_CORRUPT && strstr(err->msg, p) &&
	      strstr(err->msg, "runs past the end of the segment"));
	vd_error_destroy(err);
	// Two PT_LOADs claiming the same virtual addresses differently.
	p = mk("overlap.core",
	       "kind = user\ncpu pid=1\n"
	       "load vaddr=0x400000 size=0x2000\n"
	       "load vaddr=0x401000 size=0x2000\n"
	       "fill 0x400000 0x2000 1 load=0\n"
	       "fill 0x401000 0x2000 2 load=1\n");
	err = vd_dump_open(&p, 1, NULL, &d);
	CHECK(err && err->code == VD_ERR_CORRUPT &&
	      strstr(err->msg, "overlap in virtual memory"));
	vd_error_destroy(err);
}

TEST(truncated_core_opens_with_less)
{
	struct vd_dump *d = open_dump(mk("cut.core",
		"kind = user\ncpu pid=1\n"
		"load vaddr=0x400000 size=0x1000\n"
		"load vaddr=0x500000 size=0x3000\n"
		"corrupt truncate=-0x2000\n"));
	const struct vd_core_info *c;

	CHECK(d);
	if (!d)
		return;
	c = vd_dump_info(d)->core;
	CHECK(has_warning(d, "truncated file"));
	CHECK_EQ_U64(c->nloads, 2);
	if (c->nloads == 2) {
		CHECK_EQ_U64(c->loads[1].filesz, 0x3000);
		CHECK_EQ_U64(c->loads[1].avail, 0x1000);
	}
	vd_dump_close(d);
}

/* systemd-coredump's xattrs, and a zstd-compressed core. */
TEST(coredump_xattrs_and_compression)
{
	const char *p = mk("xa.core", full_core);
	char zpath[160];
	struct vd_dump *d;
	const struct vd_core_info *c;
	void *in = NULL, *out = NULL;
	size_t n = 0, zn;
	FILE *f;

	if (!p)
		return;
	if (setxattr(p, "user.coredump.pid", "4242", 4, 0) ||
	    setxattr(p, "user.coredump.comm", "cr\nashy", 7, 0) ||
	    setxattr(p, "user.other", "x", 1, 0)) {
		printf("  (no user xattrs on %s: %s; skipped)\n", tmpdir, strerror(errno));
	} else {
		d = open_dump(p);
		c = d ? vd_dump_info(d)->core : NULL;
		CHECK(c && c->nxattrs == 2);
		for (size_t i = 0; c && i < c->nxattrs; i++) {
			if (!strcmp(c->xattrs[i].name, "pid"))
				CHECK_STR(c->xattrs[i].value, "4242");
			else
				CHECK_STR(c->xattrs[i].value, "cr?ashy");
		}
		vd_dump_close(d);
	}
	f = fopen(p, "rb");
	in = malloc(1 << 20);
	if (f && in)
		n = fread(in, 1, 1 << 20, f);
	if (f)
		fclose(f);
	out = malloc(ZSTD_compressBound(n));
	zn = out ? ZSTD_compress(out, ZSTD_compressBound(n), in, n, 3) : 0;
	snprintf(zpath, sizeof(zpath), "%s/xa.core.zst", tmpdir);
	f = fopen(zpath, "wb");
	CHECK(f && fwrite(out, 1, zn, f) == zn);
	if (f)
		fclose(f);
	d = open_dump(zpath);
	c = d ? vd_dump_info(d)->core : NULL;
	CHECK(c && c->compression && !strcmp(c->compression, "zstd"));
	CHECK(c && c->size == n && c->compressed_size == zn && c->nthreads == 2);
	vd_dump_close(d);
	unlink(zpath);
	free(in);
	free(out);
}

/* Touch everything the core info holds (ASan/UBSan see bad pointers). */
static size_t
walk_core(const struct vd_core_info *c)
{
	size_t sum = strlen(c->psinfo.fname) + strlen(c->psinfo.psargs);

	for (size_t i = 0; i < c->nthreads; i++)
		for (size_t k = 0; k < c->threads[i].nregsets; k++)
			sum += strlen(c->threads[i].regsets[k].name);
	for (size_t i = 0; i < c->nfiles; i++)
		sum += strlen(c->files[i].path) + (c->files[i].end > c->files[i].start);
	for (size_t i = 0; i < c->nauxv; i++)
		sum += vd_core_auxv_name(c->auxv[i].type) != NULL;
	return sum;
}

/*
 * Hostile notes: every byte of the headers and notes of a full core set,
 * one at a time, to values that hit sizes and counts.  Opening must work
 * or fail naming the file; what opened must be consistent.
 */
TEST(every_note_byte_mutated)
{
	static const unsigned char vals[] = { 0x00, 0x01, 0x7f, 0x80, 0xff };
	const char *src = mk("mut-src.core", full_core);
	char dst[160];
	unsigned char *img = malloc(1 << 16);
	size_t len = 0, bad = 0, opened = 0;
	FILE *f = src ? fopen(src, "rb") : NULL;

	if (f && img)
		len = fread(img, 1, 1 << 16, f);
	if (f)
		fclose(f);
	// Thousands of rewrites: in memory (tmpfs) when there is one.
	snprintf(dst, sizeof(dst), "%s/vd-test-mut-%d.core",
		 access("/dev/shm", W_OK) ? tmpdir : "/dev/shm", (int)getpid());
	CHECK(len > 0x900);
	for (size_t off = 0; off < VD_MIN(len, (size_t)0xd00); off++) {
		unsigned char keep = img[off];

		for (size_t v = 0; v < VD_ARRAY_SIZE(vals); v++) {
			const char *p = dst;
			struct vd_dump *d = NULL;
			struct vd_error *err;

			img[off] = vals[v];
			f = fopen(dst, "wb");
			if (!f || fwrite(img, 1, len, f) != len || fclose(f))
				break;
			err = vd_dump_open(&p, 1, NULL, &d);
			if (err && err != &vd_enomem && !strstr(err->msg, dst))
				bad++;
			if (d && vd_dump_info(d)->core)
				opened += walk_core(vd_dump_info(d)->core) > 0;
			vd_error_destroy(err);
			vd_dump_close(d);
		}
		img[off] = keep;
	}
	CHECK_EQ_U64(bad, 0);
	CHECK(opened > 0);
	unlink(dst);
	free(img);
}

int
main(void)
{
	int r;

	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 99;
	}
	r = RUN_TESTS();
	for (int i = 0; i < npaths; i++)
		unlink(paths[i]);
	rmdir(tmpdir);
	return r;
}
