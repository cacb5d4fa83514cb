// SPDX-License-Identifier: MIT
/*
 * Hostile inputs to the formats layer, each one a finding of issue 18 that
 * once hung, exhausted memory or misreported, built here from the file
 * formats' definitions:
 * - 65536 CPU notes (one realloc per note made opening quadratic: under
 *   ASan, 10 k notes took minutes, 100 k never finished; CTest's timeout
 *   fails this test if it comes back);
 * - a kdump with 1 MiB blocks (the page cache kept 4096 blocks: 4 GiB);
 * - a flattened ELF file whose notes span 256 MiB of holes (copied whole);
 * - a FIFO with no writer (opening it blocked), a directory, a device;
 * - a truncated file: its damage is kept for the commands to name.
 */
#define MKDD_NO_MAIN
#include "../gen/mkdiskdump.c"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "formats/file.h"
#include "formats/page_cache.h"
#include "harness.h"
#include "vmdive/dump.h"

#define TMP_FILES_PREFIX "vd-hostile"
#include "tmp_files.h"

static const char *
tmp(const char *name)
{
	static char buf[8][128];
	static unsigned k;

	return tmp_path(name, buf[k++ % 8], sizeof(buf[0]));
}

static bool
write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	bool ok = f && fwrite(data, 1, len, f) == len;

	return f && !fclose(f) && ok;
}

/* An x86_64 ELF vmcore: one PT_NOTE of n NT_PRSTATUS notes, one PT_LOAD. */
static unsigned char *
elf_with_cpus(size_t n, size_t *len_ret)
{
	const size_t desc = 336, note = 12 + 8 + desc;     // "CORE\0" padded to 8
	size_t notes_off = 64 + 2 * 56, load_off = notes_off + n * note;
	size_t len = load_off + 4096;
	unsigned char *f = calloc(1, len);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)f;
	Elf64_Phdr *ph = (Elf64_Phdr *)(f + 64);

	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_CORE;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_phoff = 64;
	eh->e_ehsize = 64;
	eh->e_phentsize = 56;
	eh->e_phnum = 2;
	ph[0] = (Elf64_Phdr){ .p_type = PT_NOTE, .p_offset = notes_off,
			      .p_filesz = n * note };
	ph[1] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_offset = load_off,
			      .p_paddr = 0x100000, .p_vaddr = 0x100000,
			      .p_filesz = 4096, .p_memsz = 4096, .p_flags = 7 };
	for (size_t i = 0; i < n; i++) {
		unsigned char *p = f + notes_off + i * note;
		uint32_t hdr[3] = { 5, (uint32_t)desc, NT_PRSTATUS };

		memcpy(p, hdr, 12);
		memcpy(p + 12, "CORE", 5);
		// pr_pid at 32: the CPU's number, to check the order.
		memcpy(p + 20 + 32, &(uint32_t){ (uint32_t)i + 1 }, 4);
	}
	*len_ret = len;
	return f;
}

TEST(many_cpu_notes_open_in_linear_time)
{
	size_t len;
	unsigned char *img = elf_with_cpus(65536, &len);
	const char *path = tmp("cpus.elf");
	struct vd_dump *d;

	CHECK(write_file(path, img, len));
	CHECK_OK(vd_dump_open(&path, 1, NULL, &d));
	if (d) {
		const struct vd_dump_info *info = vd_dump_info(d);

		CHECK_EQ_U64(info->ncpus, 65536);
		CHECK_EQ_U64(info->cpus[0].pid, 1);
		CHECK_EQ_U64(info->cpus[65535].pid, 65536);
		vd_dump_close(d);
	}
	free(img);
	// One more is refused with the bound named.
	img = elf_with_cpus(65537, &len);
	CHECK(write_file(path, img, len));
	d = NULL;
	{
		struct vd_error *err = vd_dump_open(&path, 1, NULL, &d);

		CHECK(err && strstr(err->msg, "more than 65536 CPU notes"));
		vd_error_destroy(err);
	}
	free(img);
}

TEST(page_cache_is_bounded_in_bytes)
{
	struct vd_page_cache *c = NULL;
	struct vd_error *err;

	CHECK_EQ_U64(vd_page_cache_pages(VD_PAGE_CACHE_BYTES, 4096, 0), 4096);
	CHECK_EQ_U64(vd_page_cache_pages(VD_PAGE_CACHE_BYTES, 1u << 20, 0), 16);
	CHECK_EQ_U64(vd_page_cache_pages(VD_PAGE_CACHE_BYTES, 4096, 100), 100);
	// 4096 pages of 1 MiB (what a kdump's block size used to buy): refused.
	err = vd_page_cache_create(4096, 1u << 20, &c);
	CHECK(err && err->code == VD_ERR_INVALID_ARG);
	vd_error_destroy(err);
}

/* A kdump with 1 MiB blocks, read end to end: the cache holds 16 MiB. */
TEST(kdump_with_1MiB_blocks)
{
	char err[256];
	struct mkdd *m = mkdd_parse("version = 6\ncompression = zlib\nblock_size = 1048576\n"
				    "vmcoreinfo = PAGESIZE=4096\ncpu pid=1\n"
				    "pages 0-39 pattern 3\n", err, sizeof(err));
	const char *path = tmp("big-blocks.kdump");
	struct vd_dump *d = NULL;
	unsigned char *buf = malloc(1u << 20);

	CHECK(m != NULL);
	if (!m) {
		fprintf(stderr, "%s\n", err);
		free(buf);
		return;
	}
	CHECK(!mkdd_write(m, path, err, sizeof(err)));
	CHECK_OK(vd_dump_open(&path, 1, NULL, &d));
	if (d) {
		struct vd_cache_stats st;

		for (uint64_t pfn = 0; pfn < 40; pfn++)
			CHECK_OK(vd_dump_read(d, pfn << 20, buf, 1u << 20, NULL));
		vd_dump_cache_stats(d, &st);
		CHECK(st.capacity * (1u << 20) <= VD_PAGE_CACHE_BYTES);
		CHECK(st.used <= st.capacity);
		vd_dump_close(d);
	}
	mkdd_free(m);
	free(buf);
}

static void
put_be64(unsigned char *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

/*
 * A flattened file of three small records: the ELF header at 0, its
 * program headers at 0x100, and 16 bytes at 0x10000000.  The PT_NOTE
 * covers [0x200, 0x10000000): 256 MiB of holes that must not be copied.
 */
TEST(flattened_copy_is_bounded_by_the_file)
{
	size_t len = 4096 + 3 * 16 + 64 + 112 + 16 + 16;
	unsigned char *f = calloc(1, len), *p = f + 4096;
	Elf64_Ehdr eh = { 0 };
	Elf64_Phdr ph[2] = { { 0 } };
	const char *path = tmp("notes-span-holes.flat");
	struct vd_dump *d = NULL;
	struct vd_error *e;

	memcpy(f, "makedumpfile", 12);
	put_be64(f + 16, 1);
	put_be64(f + 24, 1);
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_CORE;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = 0x100;
	eh.e_ehsize = 64;
	eh.e_phentsize = 56;
	eh.e_phnum = 2;
	ph[0] = (Elf64_Phdr){ .p_type = PT_NOTE, .p_offset = 0x200,
			      .p_filesz = 0x10000000 - 0x200 };
	ph[1] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_offset = 0x10000000,
			      .p_filesz = 16, .p_memsz = 16 };
	put_be64(p, 0);
	put_be64(p + 8, 64);
	memcpy(p + 16, &eh, 64);
	p += 16 + 64;
	put_be64(p, 0x100);
	put_be64(p + 8, 112);
	memcpy(p + 16, ph, 112);
	p += 16 + 112;
	put_be64(p, 0x10000000);
	put_be64(p + 8, 16);
	p += 16 + 16;
	memset(p, 0xff, 16);
	CHECK(write_file(path, f, len));
	e = vd_dump_open(&path, 1, NULL, &d);
	CHECK(e && e->code == VD_ERR_CORRUPT &&
	      strstr(e->msg, "more than the file's"));
	if (e)
		fprintf(stderr, "  %s\n", e->msg);
	vd_error_destroy(e);
	if (!e)
		vd_dump_close(d);
	free(f);
}

static void
on_alarm(int sig)
{
	static const char msg[] = "vd_file_open blocked on a FIFO\n";

	(void)sig;
	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(1);
	_exit(1);
}

TEST(special_files_refused_without_blocking)
{
	const char *fifo = tmp("fifo");
	struct vd_file *file = NULL;
	struct vd_error *err;

	CHECK(mkfifo(fifo, 0600) == 0);
	signal(SIGALRM, on_alarm);
	alarm(20);
	err = vd_file_open(fifo, &file);
	alarm(0);
	CHECK(err && strstr(err->msg, "is a FIFO, not a regular file"));
	vd_error_destroy(err);
	err = vd_file_open("/dev/null", &file);
	CHECK(err && strstr(err->msg, "/dev/null: is a character device"));
	vd_error_destroy(err);
	err = vd_file_open(tmpdir, &file);
	CHECK(err && err->code == VD_ERR_OS && err->errnum == EISDIR);
	vd_error_destroy(err);
}

/* A truncated ELF vmcore: the damage is a warning and info->damage. */
TEST(truncation_is_kept_as_damage)
{
	size_t len;
	unsigned char *img = elf_with_cpus(2, &len);
	const char *path = tmp("cut.elf");
	struct vd_dump *d = NULL;

	CHECK(write_file(path, img, len - 1000));
	CHECK_OK(vd_dump_open(&path, 1, NULL, &d));
	if (d) {
		const struct vd_dump_info *info = vd_dump_info(d);

		CHECK(info->damage && strstr(info->damage, "truncated file"));
		vd_dump_close(d);
	}
	// A whole file has none.
	CHECK(write_file(path, img, len));
	CHECK_OK(vd_dump_open(&path, 1, NULL, &d));
	if (d) {
		CHECK(vd_dump_info(d)->damage == NULL);
		vd_dump_close(d);
	}
	free(img);
}

int
main(void)
{
	return RUN_TESTS();
}
