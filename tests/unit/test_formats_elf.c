// SPDX-License-Identifier: MIT
/*
 * The ELF core reader (formats/elf.c, elf_notes.c) through the
 * public dump API.  Files are built in a temporary directory by the
 * generator tests/gen/mkelf.c (compiled in here) from descriptions, and
 * one is assembled byte by byte so that a misunderstanding shared by the
 * generator and the reader cannot hide.  Expected values come from what
 * the descriptions write, never from the reader's output.
 */
#define MKELF_NO_MAIN
#include "tests/gen/mkelf.c"

#include <stdlib.h>
#include <unistd.h>

#include "harness.h"
#include "vmdive/dump.h"

static char tmpdir[] = "/tmp/vd-test-elf-XXXXXX";
static char paths[64][128];
static int npaths;

/* Build DESC into TMPDIR/NAME; NULL (and a failed check) on error. */
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

static const char *
mk_raw(const char *name, const void *bytes, size_t len)
{
	char *path;
	FILE *f;

	if (npaths == (int)VD_ARRAY_SIZE(paths))
		return NULL;
	path = paths[npaths++];
	snprintf(path, sizeof(paths[0]), "%s/%s", tmpdir, name);
	f = fopen(path, "wb");
	if (!f)
		return NULL;
	if (len && fwrite(bytes, 1, len, f) != len) {
		fclose(f);
		return NULL;
	}
	return fclose(f) ? NULL : path;
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

/* Opening must fail with code, naming the file (and needle if given). */
static bool
open_fails(const char *path, enum vd_error_code code, const char *needle)
{
	struct vd_dump *dump = NULL;
	struct vd_error *err;
	bool ok;

	if (!path)
		return false;
	err = vd_dump_open(&path, 1, NULL, &dump);
	if (!err) {
		fprintf(stderr, "  %s: opened, expected %s\n", path,
			vd_error_code_name(code));
		vd_dump_close(dump);
		return false;
	}
	ok = err->code == code && strstr(err->msg, path) &&
	     (!needle || strstr(err->msg, needle));
	if (!ok)
		fprintf(stderr, "  %s: got %s: %s\n", path,
			vd_error_code_name(err->code), err->msg);
	vd_error_destroy(err);
	return ok;
}

static const char *
attr(const struct vd_dump *dump, const char *key)
{
	const struct vd_dump_info *info = vd_dump_info(dump);

	for (size_t i = 0; i < info->nattrs; i++)
		if (!strcmp(info->attrs[i].key, key))
			return info->attrs[i].value;
	return "";
}

static bool
has_warning(const struct vd_dump *dump, const char *needle)
{
	const struct vd_dump_info *info = vd_dump_info(dump);

	for (size_t i = 0; i < info->nwarnings; i++)
		if (strstr(info->warnings[i], needle))
			return true;
	return false;
}

/* mkelf's `pattern` byte at address a (seed s). */
static unsigned char
pat(uint64_t a, unsigned s)
{
	return (unsigned char)(a + (a >> 8) + (a >> 16) + s);
}

static uint64_t
le64(const unsigned char *p)
{
	return vd_get64(p, false);
}

TEST(reads_across_adjacent_loads)
{
	struct vd_dump *d = open_dump(mk("adjacent.elf",
		"vmcoreinfo = PAGESIZE=4096\n"
		"load paddr=0x0 size=0x2000\n"
		"load paddr=0x2000 size=0x2000\n"
		"pattern 0x0 0x4000 3\n"
		"u64 0x1ff8 0x1122334455667788 0x99aabbccddeeff00\n"));
	unsigned char buf[0x3000];
	const struct vd_mem_range *r;
	size_t done = 0;
	bool same = true;

	CHECK(d);
	if (!d)
		return;
	CHECK_OK(vd_dump_read(d, 0x1ff8, buf, 16, &done));
	CHECK_EQ_U64(done, 16);
	CHECK_EQ_U64(le64(buf), 0x1122334455667788);
	CHECK_EQ_U64(le64(buf + 8), 0x99aabbccddeeff00);
	CHECK_OK(vd_dump_read(d, 0x800, buf, sizeof(buf), NULL));
	for (size_t i = 0; i < sizeof(buf); i++) {
		uint64_t a = 0x800 + i;

		if (a >= 0x1ff8 && a < 0x2008)
			continue;
		same &= buf[i] == pat(a, 3);
	}
	CHECK(same);
	CHECK_EQ_U64(vd_dump_ranges(d, &r), 2);
	CHECK_EQ_U64(r[1].start, 0x2000);
	CHECK_STR(r[1].kind, "file");
	CHECK_STR(vd_dump_info(d)->format, "elf");
	CHECK_STR(attr(d, "pt_load"), "2");
	CHECK(!*attr(d, "pt_load_aliases_dropped"));
	vd_dump_close(d);
}

TEST(hole_between_loads_faults_with_address_and_count)
{
	struct vd_dump *d = open_dump(mk("hole.elf",
		"load paddr=0x0 size=0x1000\n"
		"load paddr=0x3000 size=0x1000\n"
		"fill 0x0 0x1000 0x5a\n"));
	unsigned char buf[0x1000];
	struct vd_error *err;
	size_t done = 12345;

	CHECK(d);
	if (!d)
		return;
	err = vd_dump_read(d, 0x800, buf, sizeof(buf), &done);
	CHECK(err && err->code == VD_ERR_FAULT);
	if (err) {
		CHECK_EQ_U64(err->addr, 0x1000);
		CHECK(err->as == VD_AS_PHYS);
	}
	vd_error_destroy(err);
	CHECK_EQ_U64(done, 0x800);
	CHECK(buf[0] == 0x5a && buf[0x7ff] == 0x5a);
	CHECK_ERR(vd_dump_read(d, 0x4000, buf, 1, NULL), VD_ERR_FAULT);
	vd_dump_close(d);
}

TEST(kernel_tail_beyond_filesz_reads_zeros)
{
	struct vd_dump *d = open_dump(mk("tail.elf",
		"vmcoreinfo = PAGESIZE=4096\n"
		"load paddr=0x10000 size=0x3000 filesz=0x1000\n"
		"fill 0x10000 0x1000 0xee\n"));
	unsigned char buf[0x2000];
	const struct vd_mem_range *r;
	bool ok = true;

	CHECK(d);
	if (!d)
		return;
	memset(buf, 0x11, sizeof(buf));
	CHECK_OK(vd_dump_read(d, 0x10800, buf, sizeof(buf), NULL));
	for (size_t i = 0; i < sizeof(buf); i++)
		ok &= buf[i] == (i < 0x800 ? 0xee : 0);
	CHECK(ok);
	CHECK_EQ_U64(vd_dump_ranges(d, &r), 2);
	CHECK_STR(r[1].kind, "zero");
	CHECK_EQ_U64(r[1].end, 0x13000);
	CHECK_STR(attr(d, "producer"), "makedumpfile -E");
	CHECK_STR(attr(d, "producer_input"), "QEMU dump-guest-memory");
	vd_dump_close(d);
}

TEST(user_core_tail_is_not_dumped)
{
	struct vd_dump *d = open_dump(mk("user.elf",
		"kind = user\n"
		"cpu pid=4242 sig=11 rip=0x401000 rsp=0x7ffc0000\n"
		"note name=CORE type=6 size=64\n"
		"load vaddr=0x400000 size=0x3000 filesz=0x1000\n"
		"bytes 0x400000 \"\\x7f" "ELF\"\n"));
	const struct vd_dump_info *info;
	unsigned char buf[8];
	struct vd_error *err;
	size_t done;

	CHECK(d);
	if (!d)
		return;
	info = vd_dump_info(d);
	CHECK(info->kind == VD_DUMP_USER);
	CHECK_OK(vd_dump_read(d, 0x400000, buf, 4, NULL));
	CHECK(!memcmp(buf, "\x7f" "ELF", 4));
	err = vd_dump_read(d, 0x400ffc, buf, 8, &done);
	CHECK(err && err->code == VD_ERR_NODATA);
	if (err) {
		CHECK_EQ_U64(err->addr, 0x401000);
		CHECK(err->as == VD_AS_UVIRT);
		CHECK(strstr(err->msg, "not dumped in the core"));
	}
	vd_error_destroy(err);
	CHECK_EQ_U64(done, 4);
	CHECK_EQ_U64(info->ncpus, 1);
	if (info->ncpus) {
		CHECK_EQ_U64(info->cpus[0].pid, 4242);
		CHECK_EQ_U64(info->cpus[0].signal, 11);
		CHECK_EQ_U64(info->cpus[0].regs[16], 0x401000);
	}
	CHECK_STR(attr(d, "producer"), "Linux process core");
	vd_dump_close(d);
}

TEST(notes_vmcoreinfo_prstatus_qemu)
{
	struct vd_dump *d = open_dump(mk("notes.elf",
		"vmcoreinfo = OSRELEASE=6.1.0-test;PAGESIZE=4096;NUMBER(phys_base)=-1048576\n"
		"cpu pid=1 sig=6 rip=0xffffffff81000000 rsp=0xffffc90000013bb0 r15=0xf15 gs=0x2b\n"
		"qemu-cpu cr0=0x80050033 cr2=0x7f00 cr3=0x1aa000 cr4=0x6b0\n"
		"cpu pid=2 rip=0xffffffff81000010 rsp=0xffffc900000d0fc0\n"
		"qemu-cpu cr0=0x80050033 cr3=0x2bb000 cr4=0x16b0\n"
		"load paddr=0x0 size=0x1000\n"));
	const struct vd_dump_info *info;
	const struct vd_cpu_state *c;

	CHECK(d);
	if (!d)
		return;
	info = vd_dump_info(d);
	CHECK_STR(info->vmcoreinfo,
		  "OSRELEASE=6.1.0-test\nPAGESIZE=4096\nNUMBER(phys_base)=-1048576\n");
	CHECK(info->kind == VD_DUMP_KERNEL);
	CHECK(info->arch == VD_ARCH_X86_64);
	CHECK_EQ_U64(info->page_size, 4096);
	CHECK_EQ_U64(info->ncpus, 2);
	if (info->ncpus != 2)
		goto out;
	c = &info->cpus[0];
	CHECK_EQ_U64(c->pid, 1);
	CHECK_EQ_U64(c->signal, 6);
	CHECK(c->have_regs);
	CHECK_EQ_U64(c->nregs, 27);
	CHECK_EQ_U64(c->regs[0], 0xf15);                 /* r15 */
	CHECK_EQ_U64(c->regs[16], 0xffffffff81000000);   /* rip */
	CHECK_EQ_U64(c->regs[19], 0xffffc90000013bb0);   /* rsp */
	CHECK_EQ_U64(c->regs[26], 0x2b);                 /* gs */
	CHECK(c->have_cr);
	CHECK_EQ_U64(c->cr0, 0x80050033);
	CHECK_EQ_U64(c->cr2, 0x7f00);
	CHECK_EQ_U64(c->cr3, 0x1aa000);
	CHECK_EQ_U64(c->cr4, 0x6b0);
	c = &info->cpus[1];
	CHECK_EQ_U64(c->pid, 2);
	CHECK_EQ_U64(c->regs[16], 0xffffffff81000010);
	CHECK_EQ_U64(c->cr3, 0x2bb000);
	CHECK_EQ_U64(c->cr4, 0x16b0);
	CHECK_STR(attr(d, "notes"), "5");
	CHECK_STR(attr(d, "note_core_nt_prstatus"), "2");
	CHECK_STR(attr(d, "note_qemu_0x0"), "2");
	CHECK_STR(attr(d, "note_vmcoreinfo_0x0"), "1");
	CHECK_STR(attr(d, "producer"), "QEMU dump-guest-memory");
out:
	vd_dump_close(d);
}

TEST(qemu_72_layout_phoff_c0_ehsize_8)
{
	struct vd_dump *d = open_dump(mk("qemu72.elf",
		"phoff = 0xc0\n"
		"ehsize = 8\n"
		"shdr = yes\n"
		"cpu pid=1\n"
		"qemu-cpu cr3=0x1000\n"
		"load paddr=0x0 size=0xa0000\n"
		"load paddr=0xc0000 size=0x40000\n"
		"bytes 0xc0000 \"rom\"\n"));
	unsigned char buf[3];

	CHECK(d);
	if (!d)
		return;
	CHECK_OK(vd_dump_read(d, 0xc0000, buf, 3, NULL));
	CHECK(!memcmp(buf, "rom", 3));
	CHECK_STR(attr(d, "e_phoff"), "0xc0");
	CHECK_EQ_U64(vd_dump_info(d)->ncpus, 1);
	if (vd_dump_info(d)->ncpus == 1)
		CHECK_EQ_U64(vd_dump_info(d)->cpus[0].cr3, 0x1000);
	vd_dump_close(d);
}

TEST(pn_xnum_count_from_section_zero)
{
	struct vd_dump *d = open_dump(mk("xnum.elf",
		"pn-xnum = yes\n"
		"cpu pid=1\n"
		"load paddr=0x1000 size=0x1000\n"
		"load paddr=0x2000 size=0x1000\n"
		"u32 0x2ffc 0xdeadbeef\n"));
	unsigned char buf[4];

	CHECK(d);
	if (!d)
		return;
	CHECK_OK(vd_dump_read(d, 0x2ffc, buf, 4, NULL));
	CHECK_EQ_U64(vd_get32(buf, false), 0xdeadbeef);
	CHECK_STR(attr(d, "e_phnum"), "3");
	CHECK_STR(attr(d, "pn_xnum"), "yes");
	vd_dump_close(d);
}

/* A key written twice: the last line wins, here as in the session (docs/formats.md). */
TEST(repeated_vmcoreinfo_key_last_wins)
{
	struct vd_dump *d = open_dump(mk("dup.elf",
		"arch = aarch64\n"
		"vmcoreinfo = PAGESIZE=4096;OSRELEASE=6.1;PAGESIZE=65536\n"
		"load paddr=0x40000000 size=0x10000\n"));

	CHECK(d);
	if (!d)
		return;
	CHECK_EQ_U64(vd_dump_info(d)->page_size, 65536);
	vd_dump_close(d);
}

TEST(big_endian_from_generator)
{
	struct vd_dump *d = open_dump(mk("be.elf",
		"arch = aarch64\n"
		"endian = big\n"
		"vmcoreinfo = PAGESIZE=65536\n"
		"cpu pid=7 x0=0x1234 sp=0xffff800010003f00 pc=0xffff800008010000\n"
		"load paddr=0x40000000 size=0x10000\n"
		"u64 0x40000100 0x0102030405060708\n"));
	const struct vd_dump_info *info;
	unsigned char buf[8];

	CHECK(d);
	if (!d)
		return;
	info = vd_dump_info(d);
	CHECK(info->big_endian);
	CHECK(info->arch == VD_ARCH_AARCH64);
	CHECK_EQ_U64(info->page_size, 65536);
	CHECK_OK(vd_dump_read(d, 0x40000100, buf, 8, NULL));
	CHECK(buf[0] == 1 && buf[7] == 8);
	CHECK_EQ_U64(info->ncpus, 1);
	if (info->ncpus) {
		CHECK_EQ_U64(info->cpus[0].pid, 7);
		CHECK_EQ_U64(info->cpus[0].nregs, 34);
		CHECK_EQ_U64(info->cpus[0].regs[0], 0x1234);
		CHECK_EQ_U64(info->cpus[0].regs[31], 0xffff800010003f00);
		CHECK_EQ_U64(info->cpus[0].regs[32], 0xffff800008010000);
	}
	vd_dump_close(d);
}

/*
 * A big-endian arm64 core written field by field from the ELF gABI and
 * struct elf_prstatus offsets: ehdr, PT_NOTE + PT_LOAD phdrs at 64, one
 * CORE/NT_PRSTATUS note at 176, 16 bytes of memory at 592.
 */
TEST(big_endian_hand_assembled)
{
	unsigned char f[608] = { 0x7f, 'E', 'L', 'F', 2, 2, 1 };
	unsigned char *ph = f + 64, *note = f + 176, *desc = note + 20;
	const struct vd_dump_info *info;
	struct vd_dump *d;
	unsigned char buf[4];

	vd_put32(f + 16, 0x000400b7, true);     /* e_type 4, e_machine 183 */
	vd_put32(f + 20, 1, true);
	vd_put64(f + 32, 64, true);             /* e_phoff */
	vd_put32(f + 52, (64u << 16) | 56, true); /* ehsize, phentsize */
	vd_put32(f + 56, 2u << 16, true);       /* phnum 2 */
	vd_put32(ph, 4, true);                  /* PT_NOTE */
	vd_put64(ph + 8, 176, true);
	vd_put64(ph + 32, 412, true);
	vd_put64(ph + 40, 412, true);
	vd_put32(ph + 56, 1, true);             /* PT_LOAD */
	vd_put64(ph + 56 + 8, 592, true);
	vd_put64(ph + 56 + 16, 0xffff000040000000, true);
	vd_put64(ph + 56 + 24, 0x40000000, true);
	vd_put64(ph + 56 + 32, 16, true);
	vd_put64(ph + 56 + 40, 16, true);
	vd_put32(note, 5, true);
	vd_put32(note + 4, 392, true);
	vd_put32(note + 8, 1, true);
	memcpy(note + 12, "CORE", 5);
	vd_put32(desc + 32, 0x1234, true);      /* pr_pid */
	vd_put64(desc + 112 + 32 * 8, 0xffff800008000000, true); /* pc */
	for (int i = 0; i < 16; i++)
		f[592 + i] = 0xa0 + i;
	d = open_dump(mk_raw("be-hand.elf", f, sizeof(f)));
	CHECK(d);
	if (!d)
		return;
	info = vd_dump_info(d);
	CHECK(info->big_endian && info->arch == VD_ARCH_AARCH64);
	CHECK(info->kind == VD_DUMP_KERNEL);
	CHECK_OK(vd_dump_read(d, 0x40000004, buf, 4, NULL));
	CHECK(buf[0] == 0xa4 && buf[3] == 0xa7);
	CHECK_EQ_U64(info->ncpus, 1);
	if (info->ncpus) {
		CHECK_EQ_U64(info->cpus[0].pid, 0x1234);
		CHECK_EQ_U64(info->cpus[0].regs[32], 0xffff800008000000);
	}
	CHECK(has_warning(d, "page size unknown"));
	vd_dump_close(d);
}

/*
 * /proc/vmcore: the kernel-text PT_LOAD (p_vaddr in __START_KERNEL_map)
 * covers physical memory a RAM PT_LOAD covers too, from its own copy of
 * the bytes elsewhere in the file.  It is dropped, not an overlap error.
 */
TEST(kexec_kernel_text_alias_dropped)
{
	struct vd_dump *d = open_dump(mk("kexec.elf",
		"vmcoreinfo = PAGESIZE=4096\n"
		"cpu pid=1\n"
		"load paddr=0x200000 size=0x200000 vaddr=0xffffffff81000000\n"
		"load paddr=0x0 size=0x800000 vaddr=0xffff888000000000\n"
		"load paddr=0x300000 size=0x1000 vaddr=0xffff888000300000 share=1\n"
		"pattern 0x0 0x800000 9\n"));
	const struct vd_mem_range *r;
	unsigned char buf[16];

	CHECK(d);
	if (!d)
		return;
	CHECK_EQ_U64(vd_dump_ranges(d, &r), 1);
	CHECK_EQ_U64(r[0].start, 0);
	CHECK_EQ_U64(r[0].end, 0x800000);
	CHECK_OK(vd_dump_read(d, 0x2ffff8, buf, 16, NULL));
	CHECK(buf[0] == pat(0x2ffff8, 9) && buf[15] == pat(0x300007, 9));
	CHECK_STR(attr(d, "pt_load"), "1");
	CHECK_STR(attr(d, "pt_load_aliases_dropped"), "2");
	CHECK_STR(attr(d, "producer"), "kexec /proc/vmcore");
	vd_dump_close(d);
}

/* An inner PT_LOAD inside the outer's zero-filled tail: the outer wins. */
TEST(alias_inside_zero_tail_warns)
{
	const char *path = mk("zerotail.elf",
		"vmcoreinfo = PAGESIZE=4096\n"
		"load paddr=0x0 size=0x4000 filesz=0x1000\n"
		"load paddr=0x2000 size=0x1000\n"
		"fill 0x2000 0x1000 0x55 load=1\n");
	struct vd_dump *d = open_dump(path);
	unsigned char buf[16];

	CHECK(d);
	if (!d)
		return;
	CHECK(has_warning(d, "program header 2 (PT_LOAD) has data inside the zero-filled part of program header 1"));
	CHECK(has_warning(d, path));
	CHECK_OK(vd_dump_read(d, 0x2000, buf, sizeof(buf), NULL));
	CHECK(buf[0] == 0 && buf[15] == 0);
	vd_dump_close(d);
}

TEST(conflicting_overlaps_are_errors)
{
	CHECK(open_fails(mk("partial.elf",
		"load paddr=0x0 size=0x2000\n"
		"load paddr=0x1000 size=0x2000\n"),
		VD_ERR_CORRUPT, "program headers 0 (PT_LOAD [0x0, 0x2000)) and 1 (PT_LOAD [0x1000, 0x3000)) overlap"));
	CHECK(open_fails(mk("differ.elf",
		"load paddr=0x0 size=0x4000\n"
		"load paddr=0x1000 size=0x1000\n"
		"fill 0x1800 0x10 0x77 load=1\n"),
		VD_ERR_CORRUPT, "different bytes at 0x1800"));
}

TEST(truncated_mid_dump_opens_with_warning)
{
	const char *path = mk("cut.elf",
		"vmcoreinfo = PAGESIZE=4096\n"
		"load paddr=0x0 size=0x2000\n"
		"load paddr=0x100000 size=0x2000\n"
		"fill 0x0 0x2000 0x11\n"
		"fill 0x100000 0x2000 0x22\n"
		"corrupt truncate=-0x1800\n");
	struct vd_dump *d = open_dump(path);
	unsigned char buf[0x1000];
	struct vd_error *err;
	size_t done;

	CHECK(d);
	if (!d)
		return;
	CHECK(has_warning(d, path));
	CHECK(has_warning(d, "truncated file"));
	CHECK_OK(vd_dump_read(d, 0x1ff0, buf, 16, NULL));
	CHECK_OK(vd_dump_read(d, 0x100000, buf, 0x800, NULL));
	CHECK(buf[0] == 0x22 && buf[0x7ff] == 0x22);
	err = vd_dump_read(d, 0x100400, buf, 0x1000, &done);
	CHECK(err && err->code == VD_ERR_NODATA);
	if (err) {
		CHECK_EQ_U64(err->addr, 0x100800);
		CHECK(strstr(err->msg, "truncated"));
	}
	vd_error_destroy(err);
	CHECK_EQ_U64(done, 0x400);
	vd_dump_close(d);
}

TEST(not_a_dump)
{
	static const char text[] = "hello, this is not a core file\n";
	const char *zero = mk_raw("empty.elf", "", 0);

	CHECK(open_fails(zero, VD_ERR_INVALID_ARG, "not a dump file"));
	CHECK(open_fails(mk_raw("text.elf", text, sizeof(text)),
			 VD_ERR_INVALID_ARG, "not a dump file"));
	CHECK(open_fails(mk("magic.elf",
		"load paddr=0 size=0x1000\n"
		"corrupt magic\n"), VD_ERR_INVALID_ARG, "not a dump file"));
	// An ELF executable (vmlinux given by mistake) is not a core either.
	CHECK(open_fails(mk("exec.elf",
		"load paddr=0 size=0x1000\n"
		"corrupt type=2\n"), VD_ERR_INVALID_ARG, NULL));
	CHECK(open_fails(mk("elfonly.elf",
		"load paddr=0 size=0x1000\n"
		"corrupt truncate=6\n"), VD_ERR_INVALID_ARG, NULL));
}

TEST(bad_headers)
{
	CHECK(open_fails(mk("hdrcut.elf",
		"load paddr=0 size=0x1000\n"
		"corrupt truncate=40\n"), VD_ERR_CORRUPT, "ELF header"));
	CHECK(open_fails(mk("phcut.elf",
		"load paddr=0 size=0x1000\n"
		"cpu pid=1\n"
		"corrupt truncate=100\n"), VD_ERR_CORRUPT, "program headers"));
	CHECK(open_fails(mk("phoff.elf",
		"load paddr=0 size=0x1000\n"
		"corrupt phoff=0xfffffffffffffff0\n"),
		VD_ERR_CORRUPT, "e_phoff 0xfffffffffffffff0"));
	CHECK(open_fails(mk("phnum.elf",
		"load paddr=0 size=0x1000\n"
		"corrupt phnum=0xfff0\n"), VD_ERR_CORRUPT, "65520 program headers"));
	CHECK(open_fails(mk("xnumhuge.elf",
		"pn-xnum = yes\n"
		"load paddr=0 size=0x1000\n"
		"corrupt phnum=0xffffffff\n"), VD_ERR_CORRUPT, "4294967295"));
	CHECK(open_fails(mk("xnumnosh.elf",
		"pn-xnum = yes\n"
		"load paddr=0 size=0x1000\n"
		"corrupt shoff=0\n"), VD_ERR_CORRUPT, "PN_XNUM"));
	CHECK(open_fails(mk("phent.elf",
		"load paddr=0 size=0x1000\n"
		"corrupt phentsize=64\n"), VD_ERR_CORRUPT, "e_phentsize"));
	CHECK(open_fails(mk("nophdr.elf",
		"load paddr=0 size=0x1000\n"
		"corrupt phnum=0\n"), VD_ERR_CORRUPT, "without program headers"));
	CHECK(open_fails(mk("class.elf",
		"load paddr=0 size=0x1000\n"
		"corrupt class=9\n"), VD_ERR_CORRUPT, "ELF class 9"));
	CHECK(open_fails(mk("elf32.elf",
		"class = 32\n"
		"arch = 3\n"
		"load paddr=0 size=0x1000\n"), VD_ERR_NOTIMPL, "32-bit"));
}

TEST(bad_load_segments)
{
	CHECK(open_fails(mk("pastend.elf",
		"load paddr=0 size=0x1000\n"
		"load paddr=0x5000 size=0x1000 offset=0x10000000\n"),
		VD_ERR_CORRUPT, "program header 1 (PT_LOAD): file data [0x10000000, +0x1000) lies past the end"));
	CHECK(open_fails(mk("pastmid.elf",
		"load paddr=0 size=0x100000 offset=0x10\n"
		"load paddr=0x200000 size=0x1000\n"),
		VD_ERR_CORRUPT, "while program header 1 after it is complete"));
	CHECK(open_fails(mk("filesz.elf",
		"load paddr=0 size=0x1000 filesz=0x2000\n"),
		VD_ERR_CORRUPT, "program header 0 (PT_LOAD): p_filesz 0x2000 exceeds p_memsz 0x1000"));
	CHECK(open_fails(mk("wrap.elf",
		"load paddr=0xfffffffffffff000 size=0x2000 filesz=0\n"),
		VD_ERR_CORRUPT, "wraps"));
}

TEST(bad_notes)
{
	CHECK(open_fails(mk("descsz.elf",
		"cpu pid=1\n"
		"load paddr=0 size=0x1000\n"
		"corrupt note-descsz=0x10000\n"),
		VD_ERR_CORRUPT, "note 0 of PT_NOTE segment 0: descriptor"));
	CHECK(open_fails(mk("namesz.elf",
		"cpu pid=1\n"
		"load paddr=0 size=0x1000\n"
		"corrupt note-namesz=0xffffffff\n"),
		VD_ERR_CORRUPT, "note 0 of PT_NOTE segment 0: name"));
	CHECK(open_fails(mk("notehdr.elf",
		"cpu pid=1\n"
		"load paddr=0 size=0x1000\n"
		"corrupt note-segsize=8\n"),
		VD_ERR_CORRUPT, "note header"));
	CHECK(open_fails(mk("noteseg.elf",
		"cpu pid=1\n"
		"load paddr=0 size=0x1000\n"
		"corrupt note-segsize=0x7fffffffffffffff\n"),
		VD_ERR_CORRUPT, "PT_NOTE segment 0"));
}

TEST(odd_notes_are_warnings)
{
	struct vd_dump *d = open_dump(mk("oddnotes.elf",
		"vmcoreinfo = PAGESIZE=4096\n"
		"cpu pid=1 size=100\n"
		"qemu-cpu cr3=0x5000 version=2\n"
		"cpu pid=2\n"
		"qemu-cpu cr3=0x6000 descsz=200\n"
		"note name=VMCOREINFO type=0 text=\"PAGESIZE=8192\"\n"
		"load paddr=0 size=0x1000\n"));
	const struct vd_dump_info *info;

	CHECK(d);
	if (!d)
		return;
	info = vd_dump_info(d);
	CHECK_EQ_U64(info->ncpus, 2);
	if (info->ncpus == 2) {
		CHECK(!info->cpus[0].have_regs);
		CHECK_EQ_U64(info->cpus[0].pid, 1);
		CHECK(!info->cpus[0].have_cr);
		CHECK(!info->cpus[1].have_cr);
		CHECK(info->cpus[1].have_regs);
	}
	CHECK(has_warning(d, "NT_PRSTATUS note 0"));
	CHECK(has_warning(d, "unknown QEMUCPUState version"));
	CHECK(has_warning(d, "too short"));
	CHECK(has_warning(d, "more than one VMCOREINFO"));
	CHECK_STR(info->vmcoreinfo, "PAGESIZE=4096\n");
	vd_dump_close(d);
}

TEST(other_producers_and_kinds)
{
	struct vd_dump *d;

	// No notes at all, p_vaddr == p_paddr: an arm64 QEMU dump without
	// VMCOREINFO looks like this; it is a kernel dump.
	d = open_dump(mk("bare.elf",
		"arch = aarch64\n"
		"load paddr=0x40000000 size=0x1000\n"));
	CHECK(d);
	if (d) {
		CHECK(vd_dump_info(d)->kind == VD_DUMP_KERNEL);
		CHECK_STR(attr(d, "notes"), "0");
		CHECK(!*attr(d, "note_core_nt_prstatus"));
		CHECK(has_warning(d, "arm64 kernels use 4K, 16K or 64K pages"));
		vd_dump_close(d);
	}
	d = open_dump(mk("incomplete.elf",
		"eflags = 1\n"
		"vmcoreinfo = PAGESIZE=4096\n"
		"load paddr=0 size=0x1000 vaddr=0xffff888000000000\n"));
	CHECK(d);
	if (d) {
		CHECK(has_warning(d, "incomplete dump"));
		CHECK_STR(attr(d, "incomplete"), "yes");
		CHECK_STR(attr(d, "e_flags"), "0x1");
		CHECK_STR(attr(d, "producer"), "makedumpfile -E");
		vd_dump_close(d);
	}
	d = open_dump(mk("ppc.elf",
		"arch = 21\n"
		"vmcoreinfo = PAGESIZE=65536\n"
		"cpu pid=3\n"
		"load paddr=0 size=0x1000\n"));
	CHECK(d);
	if (d) {
		const struct vd_dump_info *info = vd_dump_info(d);

		CHECK(info->arch == VD_ARCH_UNKNOWN);
		CHECK_EQ_U64(info->page_size, 65536);
		CHECK_STR(attr(d, "e_machine"), "21");
		CHECK_STR(attr(d, "e_machine_arch"), "unsupported");
		CHECK(info->ncpus == 1 && !info->cpus[0].have_regs &&
		      info->cpus[0].pid == 3);
		vd_dump_close(d);
	}
}

TEST(kcore_style_and_split_notes)
{
	// /proc/kcore: vmalloc PT_LOADs have p_paddr -1; notes one per
	// PT_NOTE with 8-byte alignment exercise the other note paths.
	struct vd_dump *d = open_dump(mk("kcore.elf",
		"split-notes = yes\n"
		"note-align = 8\n"
		"vmcoreinfo = PAGESIZE=4096\n"
		"cpu pid=1 rip=0x1234\n"
		"cpu pid=2 rip=0x5678\n"
		"load paddr=0x1000 size=0x1000 vaddr=0xffff888000001000\n"
		"load paddr=-1 size=0x1000 vaddr=0xffffc90000000000\n"));
	const struct vd_mem_range *r;

	CHECK(d);
	if (!d)
		return;
	CHECK_EQ_U64(vd_dump_info(d)->ncpus, 2);
	if (vd_dump_info(d)->ncpus == 2)
		CHECK_EQ_U64(vd_dump_info(d)->cpus[1].regs[16], 0x5678);
	CHECK_EQ_U64(vd_dump_ranges(d, &r), 1);
	CHECK_STR(attr(d, "pt_load_without_paddr"), "1");
	vd_dump_close(d);
}

TEST(user_core_notes_decide_kind)
{
	struct vd_dump *d = open_dump(mk("user2.elf",
		"kind = user\n"
		"prpsinfo = no\n"
		"note name=CORE type=0x46494c45 size=16\n"
		"load vaddr=0x7f0000000000 paddr=0 size=0x1000\n"
		"load vaddr=0xffffffffff600000 size=0x1000\n"));
	const struct vd_mem_range *r;

	CHECK(d);
	if (!d)
		return;
	// The x86_64 vsyscall page is in every process core; it does not
	// make the file a kernel dump.
	CHECK(vd_dump_info(d)->kind == VD_DUMP_USER);
	CHECK_EQ_U64(vd_dump_ranges(d, &r), 2);
	CHECK_EQ_U64(r[1].start, 0xffffffffff600000);
	CHECK_STR(attr(d, "notes"), "1");
	CHECK_STR(attr(d, "note_core_nt_file"), "1");
	vd_dump_close(d);
}

/*
 * Hostile input: overwrite every byte of the headers and notes of a valid
 * file, one at a time, with values that hit sizes and offsets.  Opening
 * must either work or fail with a message naming the file (run under
 * ASan/UBSan to catch what this cannot see).
 */
TEST(every_header_byte_mutated)
{
	static const unsigned char vals[] = { 0x00, 0x01, 0x7f, 0x80, 0xff };
	const char *src = mk("mut-src.elf",
		"phoff = 0xc0\n"
		"shdr = yes\n"
		"vmcoreinfo = PAGESIZE=4096\n"
		"cpu pid=1\n"
		"qemu-cpu cr3=0x1000\n"
		"load paddr=0 size=0x1000\n"
		"load paddr=0x1000 size=0x1000 filesz=0x800\n"
		"load paddr=0x800 size=0x400 share=0\n");
	const char *dst = mk_raw("mut.elf", "", 0);
	unsigned char *img;
	size_t len, bad = 0;
	FILE *f;

	CHECK(src && dst);
	if (!src || !dst)
		return;
	f = fopen(src, "rb");
	img = malloc(1 << 16);
	len = f && img ? fread(img, 1, 1 << 16, f) : 0;
	if (f)
		fclose(f);
	CHECK(len > 0x800);
	for (size_t off = 0; off < VD_MIN(len, (size_t)0x800); off++) {
		unsigned char keep = img[off];

		for (size_t v = 0; v < VD_ARRAY_SIZE(vals); v++) {
			struct vd_dump *d = NULL;
			struct vd_error *err;

			img[off] = vals[v];
			f = fopen(dst, "wb");
			if (!f || fwrite(img, 1, len, f) != len || fclose(f))
				break;
			err = vd_dump_open(&dst, 1, NULL, &d);
			if (err && err != &vd_enomem && !strstr(err->msg, dst)) {
				fprintf(stderr, "  byte 0x%zx = 0x%02x: %s\n", off,
					vals[v], err->msg);
				bad++;
			}
			vd_error_destroy(err);
			vd_dump_close(d);
		}
		img[off] = keep;
	}
	CHECK_EQ_U64(bad, 0);
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
