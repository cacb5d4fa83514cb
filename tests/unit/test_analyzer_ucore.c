// SPDX-License-Identifier: MIT
/*
 * A process core's mapped files (ucore/ucore*.c): reads that fall back
 * to the file, the build-id check, load bias and symbols.  The mapped
 * "executable" is this test program itself: mkelf writes a core that maps
 * its PT_LOADs at a chosen base with only the ELF header page dumped, as
 * the kernel does.  Expected bytes come from the file, expected symbol
 * addresses from this process's own (dl_iterate_phdr), not from vmdive.
 */
#define MKELF_NO_MAIN
#include "tests/gen/mkelf.c"

#include <link.h>
#include <unistd.h>

#include "harness.h"
#include "vmdive/core.h"
#include "vmdive/session.h"

#define BASE 0x555500000000ull

static char tmpdir[] = "/tmp/vd-test-ucore-XXXXXX";
static char exe[4096];
static unsigned char ehdr[64];
static uint64_t build_id_off;     /* file offset of the build-id bytes, or 0 */
static char descs[4][16384];   /* one per core the tests make at once */
static int corpse_bss_counter = 7;  /* in .data; a symbol to look up */
static int corpse_zeroed[64];       /* in .bss */

int corpse_function(int x);
int __attribute__((noinline))
corpse_function(int x)
{
	return x * 3 + corpse_bss_counter + corpse_zeroed[x & 63];
}

static int
first_object(struct dl_phdr_info *info, size_t size, void *arg)
{
	*(uint64_t *)arg = info->dlpi_addr;
	return 1;
}

/* This program's load bias: runtime address - file address. */
static uint64_t
own_bias(void)
{
	uint64_t bias = 0;

	dl_iterate_phdr(first_object, &bias);
	return bias;
}

static bool
read_at(FILE *f, uint64_t off, void *buf, size_t len)
{
	return fseek(f, (long)off, SEEK_SET) == 0 && fread(buf, 1, len, f) == len;
}

/* Where the GNU build-id's bytes are in the file, from its PT_NOTEs. */
static void
find_build_id(FILE *f, uint64_t phoff, uint16_t phnum)
{
	for (uint16_t i = 0; i < phnum; i++) {
		unsigned char ph[56], n[64];

		if (!read_at(f, phoff + 56u * i, ph, 56) || vd_get32(ph, false) != PT_NOTE)
			continue;
		for (uint64_t pos = 0, off = vd_get64(ph + 8, false);
		     pos + 16 <= vd_get64(ph + 32, false) && read_at(f, off + pos, n, 16);) {
			uint32_t namesz = vd_get32(n, false), descsz = vd_get32(n + 4, false);

			if (vd_get32(n + 8, false) == 3 && namesz == 4 && !memcmp(n + 12, "GNU", 4)) {
				build_id_off = off + pos + 16;
				return;
			}
			pos += 12 + ((namesz + 3) & ~3u) + ((descsz + 3) & ~3u);
		}
	}
}

/* A core mapping this program's PT_LOADs at BASE; extra goes at the end. */
static const char *
core_desc(int k, const char *path, const char *extra)
{
	uint64_t phoff = vd_get64(ehdr + 32, false), entry = vd_get64(ehdr + 24, false);
	uint16_t phnum = vd_get16(ehdr + 56, false);
	char *d = descs[k];
	size_t n = 0;
	FILE *f = fopen(exe, "rb");

	n += snprintf(d + n, sizeof(descs[0]) - n,
		      "kind = user\ncpu pid=1 rip=0x%llx\nauxv 9=0x%llx\n",
		      (unsigned long long)(BASE + entry), (unsigned long long)(BASE + entry));
	for (uint16_t i = 0; f && i < phnum; i++) {
		unsigned char ph[56];
		uint64_t off, va, fsz, start, end;

		if (!read_at(f, phoff + 56u * i, ph, 56) || vd_get32(ph, false) != PT_LOAD)
			continue;
		off = vd_get64(ph + 8, false);
		va = vd_get64(ph + 16, false);
		fsz = vd_get64(ph + 32, false);
		start = BASE + (va & ~0xfffull);
		end = BASE + ((va + fsz + 0xfff) & ~0xfffull);
		n += snprintf(d + n, sizeof(descs[0]) - n,
			      "file-map start=0x%llx end=0x%llx pgoff=%llu path=%s\n"
			      "load vaddr=0x%llx size=0x%llx filesz=%s\n",
			      (unsigned long long)start, (unsigned long long)end,
			      (unsigned long long)(off >> 12), path,
			      (unsigned long long)start, (unsigned long long)(end - start),
			      (off >> 12) ? "0" : "0x1000");
	}
	if (f)
		fclose(f);
	snprintf(d + n, sizeof(descs[0]) - n, "filedata 0x%llx %s 0 4096\n%s",
		 (unsigned long long)BASE, exe, extra);
	return d;
}

static struct vd_session *
open_core(const char *name, const char *desc)
{
	char path[256], err[512];
	const char *p = path;
	struct vd_session *s = NULL;
	struct vd_error *e;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	if (mkelf_build(desc, tmpdir, path, err, sizeof(err))) {
		fprintf(stderr, "mkelf %s: %s\n", name, err);
		return NULL;
	}
	e = vd_session_open(&p, 1, NULL, &s);
	if (e) {
		fprintf(stderr, "open %s: %s\n", path, e->msg);
		vd_error_destroy(e);
	}
	return s;
}

TEST(reads_fall_back_to_the_matching_file)
{
	struct vd_session *s = open_core("good.core", core_desc(0, exe, ""));
	uint64_t fn = (uint64_t)(uintptr_t)corpse_function - own_bias();
	unsigned char got[64], want[64];
	const struct vd_core_object *o;
	struct vd_core_source src;
	FILE *f = fopen(exe, "rb");
	size_t n;

	CHECK(s && f);
	if (!s || !f)
		goto out;
	o = vd_session_core_object(s, BASE + fn);
	CHECK(o && !strcmp(o->path, exe));
	if (o) {
		CHECK(o->check == (build_id_off ? VD_CORE_FILE_MATCH : VD_CORE_FILE_UNCHECKED));
		CHECK(o->have_bias && o->bias == BASE);
	}
	// The function's code is not in the core: it comes from the file.
	CHECK_OK(vd_session_core_read_step(s, BASE + fn, got, sizeof(got), &n, &src));
	CHECK(src.from_file && n == sizeof(got));
	CHECK(read_at(f, fn, want, sizeof(want)));   /* text: vaddr == offset */
	CHECK(!memcmp(got, want, sizeof(want)));
	// The ELF header page is in the core.
	CHECK_OK(vd_session_core_read_step(s, BASE, got, 4, &n, &src));
	CHECK(!src.from_file && !memcmp(got, "\x7f" "ELF", 4));
out:
	if (f)
		fclose(f);
	vd_session_close(s);
}

TEST(symbols_with_load_bias)
{
	struct vd_session *s = open_core("sym.core", core_desc(1, exe, ""));
	uint64_t bias = own_bias();
	uint64_t fn = (uint64_t)(uintptr_t)corpse_function - bias;
	uint64_t var = (uint64_t)(uintptr_t)&corpse_bss_counter - bias;
	uint64_t bss = (uint64_t)(uintptr_t)&corpse_zeroed[5] - bias;
	struct vd_core_symbol sym;

	CHECK(s);
	if (!s)
		return;
	CHECK_OK(vd_session_core_symbolize(s, BASE + fn + 5, &sym));
	CHECK(sym.name && !strcmp(sym.name, "corpse_function"));
	CHECK_EQ_U64(sym.offset, 5);
	CHECK_EQ_U64(sym.addr, BASE + fn);
	CHECK_STR(sym.table, ".symtab");
	CHECK_OK(vd_session_core_symbolize(s, BASE + var, &sym));
	CHECK(sym.name && !strcmp(sym.name, "corpse_bss_counter"));
	// .bss is anonymous memory past the file mapping: found by span.
	CHECK_OK(vd_session_core_symbolize(s, BASE + bss, &sym));
	CHECK(sym.name && !strcmp(sym.name, "corpse_zeroed"));
	CHECK_EQ_U64(sym.offset, 5 * sizeof(int));
	CHECK_OK(vd_session_core_lookup(s, "corpse_function", &sym));
	CHECK_EQ_U64(sym.addr, BASE + fn);
	CHECK_ERR(vd_session_core_lookup(s, "no_such_symbol_here", &sym), VD_ERR_LOOKUP);
	CHECK_ERR(vd_session_core_symbolize(s, 0x1000, &sym), VD_ERR_LOOKUP);
	vd_session_close(s);
}

TEST(changed_file_is_not_used)
{
	char extra[128];
	struct vd_session *s;
	const struct vd_core_object *o;
	uint64_t fn = (uint64_t)(uintptr_t)corpse_function - own_bias();
	struct vd_core_symbol sym;
	unsigned char buf[16];
	struct vd_error *err;

	if (!build_id_off || build_id_off >= 4096) {
		printf("  (no build-id in the first page of %s; skipped)\n", exe);
		return;
	}
	// The process saw another build of the file.
	snprintf(extra, sizeof(extra), "fill 0x%llx 4 0xab\n",
		 (unsigned long long)(BASE + build_id_off));
	s = open_core("changed.core", core_desc(2, exe, extra));
	CHECK(s);
	if (!s)
		return;
	o = vd_session_core_object(s, BASE + fn);
	CHECK(o && o->check == VD_CORE_FILE_MISMATCH && strstr(o->why, "changed since the crash"));
	err = vd_session_core_read(s, BASE + fn, buf, sizeof(buf), NULL);
	CHECK(err && err->code == VD_ERR_NODATA && strstr(err->msg, "changed since the crash"));
	vd_error_destroy(err);
	CHECK_ERR(vd_session_core_symbolize(s, BASE + fn, &sym), VD_ERR_LOOKUP);
	vd_session_close(s);
}

TEST(missing_file_and_kernel_dump)
{
	struct vd_session *s = open_core("missing.core",
					 core_desc(3, "/nonexistent/dir/prog", ""));
	uint64_t fn = (uint64_t)(uintptr_t)corpse_function - own_bias();
	unsigned char buf[16];
	struct vd_error *err;
	char str[32];

	CHECK(s);
	if (!s)
		return;
	err = vd_session_core_read(s, BASE + fn, buf, sizeof(buf), NULL);
	CHECK(err && err->code == VD_ERR_NODATA && strstr(err->msg, "cannot open"));
	vd_error_destroy(err);
	// The ELF header page is in the core whatever became of the file.
	CHECK_OK(vd_session_core_string(s, BASE + 1, str, 4));
	CHECK_STR(str, "ELF");
	vd_session_close(s);
	s = open_core("kernel.elf", "load paddr=0 size=0x1000\n");
	CHECK(s);
	if (s)
		CHECK_ERR(vd_session_core_read(s, 0, buf, 1, NULL), VD_ERR_INVALID_ARG);
	vd_session_close(s);
}

/* Where this program's program headers and .dynamic are, and DT_DEBUG. */
struct exe_layout {
	uint64_t entry, phdr_va, dyn_va, dyn_off, dyn_size;
	uint16_t phnum, nloads;
	int debug_idx;
	uint64_t needed_val;        /* entry 0's value (DT_NEEDED) */
};

static bool
exe_layout(struct exe_layout *l)
{
	uint64_t phoff = vd_get64(ehdr + 32, false);
	FILE *f = fopen(exe, "rb");
	bool ok = f != NULL;

	memset(l, 0, sizeof(*l));
	l->debug_idx = -1;
	l->entry = vd_get64(ehdr + 24, false);
	l->phnum = vd_get16(ehdr + 56, false);
	for (uint16_t i = 0; ok && i < l->phnum; i++) {
		unsigned char ph[56];

		ok = read_at(f, phoff + 56u * i, ph, 56);
		if (ok && vd_get32(ph, false) == PT_PHDR)
			l->phdr_va = vd_get64(ph + 16, false);
		if (ok && vd_get32(ph, false) == PT_LOAD && vd_get64(ph + 32, false))
			l->nloads++;
		if (ok && vd_get32(ph, false) == PT_DYNAMIC) {
			l->dyn_off = vd_get64(ph + 8, false);
			l->dyn_va = vd_get64(ph + 16, false);
			l->dyn_size = vd_get64(ph + 32, false);
		}
	}
	for (uint64_t i = 0; ok && i < l->dyn_size / 16; i++) {
		unsigned char d[16];

		ok = read_at(f, l->dyn_off + 16 * i, d, 16);
		if (ok && i == 0)
			l->needed_val = vd_get64(d + 8, false);
		if (ok && vd_get64(d, false) == DT_DEBUG)
			l->debug_idx = (int)i;
	}
	if (f)
		fclose(f);
	return ok && l->phdr_va && l->dyn_size && l->debug_idx >= 0;
}

#define LM 0x10000000ull        /* r_debug, link_map entries, names */

/*
 * A core without NT_FILE, as qemu-user writes: the executable's .dynamic
 * (DT_DEBUG set) and ld.so's r_debug and link_map in memory.  The chain:
 * the executable, a library that is not on disk, this program posing as
 * a library at a wrong l_ld, and an entry whose l_next loops back.
 */
static const char *
linkmap_desc(int k, const struct exe_layout *l, uint64_t phdr_delta,
	     uint64_t needed_delta)
{
	uint64_t dyn = BASE + l->dyn_va, page = dyn & ~0xfffull;
	uint64_t end = (dyn + l->dyn_size + 0xfff) & ~0xfffull;

	snprintf(descs[k], sizeof(descs[0]),
		 "kind = user\ncpu pid=1 rip=0x%llx\n"
		 "auxv 9=0x%llx 3=0x%llx 5=%u\n"
		 "load vaddr=0x%llx size=0x%llx flags=6\n"
		 "fill 0x%llx 0x%llx 0\n"
		 "filedata 0x%llx %s %llu %llu\n"
		 "u64 0x%llx 0x%llx\n"
		 "u64 0x%llx 0x%llx\n"
		 "load vaddr=0x%llx size=0x1000 flags=6\n"
		 "fill 0x%llx 0x1000 0\n"
		 "u64 0x%llx 1 0x%llx\n"
		 "u64 0x%llx 0x%llx 0x%llx 0x%llx 0x%llx 0\n"
		 "u64 0x%llx 0x20000000 0x%llx 0x20001000 0x%llx 0x%llx\n"
		 "u64 0x%llx 0x30000000 0x%llx 0x30001000 0x%llx 0x%llx\n"
		 "bytes 0x%llx \"/nonexistent/libvd-test.so\"\n"
		 "bytes 0x%llx \"%s\"\n",
		 (unsigned long long)(BASE + l->entry),
		 (unsigned long long)(BASE + l->entry),
		 (unsigned long long)(BASE + l->phdr_va + phdr_delta), l->phnum,
		 (unsigned long long)page, (unsigned long long)(end - page),
		 (unsigned long long)page, (unsigned long long)(end - page),
		 (unsigned long long)dyn, exe, (unsigned long long)l->dyn_off,
		 (unsigned long long)l->dyn_size,
		 (unsigned long long)(dyn + 8), (unsigned long long)(l->needed_val + needed_delta),
		 (unsigned long long)(dyn + 16 * (uint64_t)l->debug_idx + 8),
		 (unsigned long long)LM,
		 (unsigned long long)LM, (unsigned long long)LM,
		 (unsigned long long)LM, (unsigned long long)(LM + 0x100),
		 // the executable: l_name "" (a zero byte at LM + 0x7ff)
		 (unsigned long long)(LM + 0x100), (unsigned long long)BASE,
		 (unsigned long long)(LM + 0x7ff), (unsigned long long)dyn,
		 (unsigned long long)(LM + 0x200),
		 (unsigned long long)(LM + 0x200), (unsigned long long)(LM + 0x800),
		 (unsigned long long)(LM + 0x300), (unsigned long long)(LM + 0x100),
		 // l_next back to the first entry, whose l_prev is 0
		 (unsigned long long)(LM + 0x300), (unsigned long long)(LM + 0x900),
		 (unsigned long long)(LM + 0x100), (unsigned long long)(LM + 0x200),
		 (unsigned long long)(LM + 0x800), (unsigned long long)(LM + 0x900),
		 exe);
	return descs[k];
}

static struct vd_session *
open_with_exe(const char *name, const char *desc)
{
	struct vd_session_opts opts = { .exe = exe };
	char path[256], err[512];
	const char *p = path;
	struct vd_session *s = NULL;
	struct vd_error *e;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	if (mkelf_build(desc, tmpdir, path, err, sizeof(err))) {
		fprintf(stderr, "mkelf %s: %s\n", name, err);
		return NULL;
	}
	e = vd_session_open(&p, 1, &opts, &s);
	if (e) {
		fprintf(stderr, "open %s: %s\n", path, e->msg);
		vd_error_destroy(e);
	}
	return s;
}

TEST(no_nt_file_mappings_from_link_map)
{
	uint64_t fn = (uint64_t)(uintptr_t)corpse_function - own_bias();
	const struct vd_core_files *fs;
	const struct vd_core_object *o;
	struct vd_core_symbol sym;
	struct exe_layout l;
	struct vd_session *s;

	if (!exe_layout(&l)) {
		printf("  (%s has no PT_PHDR, .dynamic or DT_DEBUG; skipped)\n", exe);
		return;
	}
	s = open_with_exe("linkmap.core", linkmap_desc(0, &l, 0, 0));
	CHECK(s);
	if (!s)
		return;
	fs = vd_session_core_files(s);
	CHECK(fs && fs->source && !strcmp(fs->source, "link_map"));
	CHECK(fs && fs->n == l.nloads && fs->note);
	if (fs && fs->note) {
		CHECK(strstr(fs->note, "/nonexistent/libvd-test.so: cannot open"));
		CHECK(strstr(fs->note, "is not the file the process mapped: its .dynamic would be at"));
		CHECK(strstr(fs->note, "l_prev is 0x0, not 0x10000300; the list stops there"));
	}
	CHECK_OK(vd_session_core_symbolize(s, BASE + fn + 2, &sym));
	CHECK(sym.name && !strcmp(sym.name, "corpse_function"));
	o = vd_session_core_object(s, BASE + fn);
	CHECK(o && o->check == VD_CORE_FILE_UNCHECKED && o->why &&
	      strstr(o->why, "its .dynamic in the core agrees with the file's"));
	vd_session_close(s);

	// AT_PHDR elsewhere: not this executable, nothing mapped.
	s = open_with_exe("linkmap-phdr.core", linkmap_desc(1, &l, 0x1000, 0));
	CHECK(s);
	fs = s ? vd_session_core_files(s) : NULL;
	CHECK(fs && !fs->source && !fs->n && fs->note && strstr(fs->note, "AT_PHDR says"));
	CHECK(s && vd_session_core_object(s, BASE + fn) == NULL);
	vd_session_close(s);

	// The process's .dynamic says another build: the file is not used.
	s = open_with_exe("linkmap-dyn.core", linkmap_desc(2, &l, 0, 1));
	CHECK(s);
	o = s ? vd_session_core_object(s, BASE + fn) : NULL;
	CHECK(o && o->check == VD_CORE_FILE_MISMATCH &&
	      strstr(o->why, "is not the file the process mapped: .dynamic entry 0"));
	if (s)
		CHECK_ERR(vd_session_core_symbolize(s, BASE + fn, &sym), VD_ERR_LOOKUP);
	vd_session_close(s);
}

static const char *const made[] = { "good.core", "sym.core", "changed.core",
				    "missing.core", "kernel.elf", "linkmap.core",
				    "linkmap-phdr.core", "linkmap-dyn.core" };

int
main(void)
{
	FILE *f;
	int r;

	if (!realpath("/proc/self/exe", exe) || !mkdtemp(tmpdir)) {
		perror("setup");
		return 99;
	}
	f = fopen(exe, "rb");
	if (!f || !read_at(f, 0, ehdr, sizeof(ehdr)) || ehdr[EI_CLASS] != ELFCLASS64 ||
	    ehdr[EI_DATA] != ELFDATA2LSB) {
		printf("not a little-endian ELF64 test program; skipped\n");
		return 77;
	}
	find_build_id(f, vd_get64(ehdr + 32, false), vd_get16(ehdr + 56, false));
	fclose(f);
	r = RUN_TESTS();
	for (int i = 0; i < 64; i++)
		corpse_zeroed[i] = corpse_function(i);   /* keep them alive */
	for (size_t i = 0; i < VD_ARRAY_SIZE(made); i++) {
		char path[256];

		snprintf(path, sizeof(path), "%s/%s", tmpdir, made[i]);
		unlink(path);
	}
	rmdir(tmpdir);
	return r;
}
