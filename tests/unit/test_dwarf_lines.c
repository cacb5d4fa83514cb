// SPDX-License-Identifier: MIT
/*
 * The line-program decoder (dwarf/dwarf_lines.c) on line programs built
 * here byte by byte: the same program under a DWARF 4 header (directory
 * and file lists) and a DWARF 5 one (entry formats, .debug_line_str),
 * with special opcodes, every standard opcode, two sequences and rows at
 * one address; the answers are the rows written.  Then damaged headers
 * and programs, each a clear error, and every truncation of both, which
 * must never read out of bounds (run under ASan in CI).  Last, the
 * fixture programs the build compiles (DWARF 2, 4, 5): main's address
 * must give the fixture's source file and the line of main's opening brace.
 */
#include <dwarf.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dwarf/dwarf_lines.h"
#include "harness.h"

struct buf {
	unsigned char b[1024];
	size_t n;
};

static void
u8(struct buf *b, unsigned v)
{
	if (b->n < sizeof(b->b))
		b->b[b->n++] = (unsigned char)v;
}

static void
uN(struct buf *b, uint64_t v, unsigned size)
{
	for (unsigned i = 0; i < size; i++)
		u8(b, (unsigned)(v >> (8 * i)) & 0xff);
}

static void
uleb(struct buf *b, uint64_t v)
{
	do {
		unsigned c = v & 0x7f;

		v >>= 7;
		u8(b, c | (v ? 0x80 : 0));
	} while (v);
}

static void
sleb(struct buf *b, int64_t v)
{
	for (;;) {
		unsigned c = (unsigned)v & 0x7f;

		v >>= 7;
		if ((v == 0 && !(c & 0x40)) || (v == -1 && (c & 0x40))) {
			u8(b, c);
			return;
		}
		u8(b, c | 0x80);
	}
}

static void
str(struct buf *b, const char *s)
{
	do
		u8(b, (unsigned char)*s);
	while (*s++);
}

/* Special opcode for (address advance, line advance): line_base -5, range 14, base 13. */
static unsigned
special(unsigned adv, int line)
{
	return (unsigned)(line + 5) + 14 * adv + 13;
}

/* The program both headers share; see the expectations in check_rows. */
static void
program(struct buf *b)
{
	u8(b, 0); uleb(b, 9); u8(b, DW_LNE_set_address); uN(b, 0x1000, 8);
	u8(b, DW_LNS_advance_line); sleb(b, 9);            // line 10
	u8(b, DW_LNS_copy);                                  // 0x1000 core.c:10
	u8(b, special(3, 1));                                // 0x1003 core.c:11
	u8(b, DW_LNS_set_file); uleb(b, 2);
	u8(b, DW_LNS_set_column); uleb(b, 7);
	u8(b, DW_LNS_negate_stmt);
	u8(b, special(2, -2));                               // 0x1005 sched.h:9
	u8(b, DW_LNS_advance_line); sleb(b, 5);
	u8(b, 0); uleb(b, 2); u8(b, DW_LNE_set_discriminator); uleb(b, 3);
	u8(b, DW_LNS_copy);                                  // 0x1005 sched.h:14 (wins)
	u8(b, DW_LNS_set_basic_block);
	u8(b, DW_LNS_set_prologue_end);
	u8(b, DW_LNS_set_epilogue_begin);
	u8(b, DW_LNS_set_isa); uleb(b, 1);
	u8(b, DW_LNS_const_add_pc);                          // +17: 0x1016
	u8(b, DW_LNS_fixed_advance_pc); uN(b, 0x0a, 2);      // 0x1020
	u8(b, DW_LNS_set_file); uleb(b, 3);
	u8(b, DW_LNS_copy);                                  // 0x1020 top.c:14
	u8(b, DW_LNS_advance_pc); uleb(b, 0x10);
	u8(b, 0); uleb(b, 1); u8(b, DW_LNE_end_sequence);    // 0x1030 ends it
	u8(b, 0); uleb(b, 9); u8(b, DW_LNE_set_address); uN(b, 0x2000, 8);
	u8(b, DW_LNS_set_file); uleb(b, 4);
	u8(b, special(0, 0));                                // 0x2000 abs.h:1
	u8(b, DW_LNS_advance_pc); uleb(b, 4);
	u8(b, 0); uleb(b, 1); u8(b, DW_LNE_end_sequence);    // 0x2004
	u8(b, DW_LNS_copy);          // a row after the last end_sequence: no sequence
}

static void
std_lengths(struct buf *b)
{
	static const unsigned char len[] = { 0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1 };

	u8(b, 1);                    // minimum_instruction_length
	u8(b, 1);                    // maximum_operations_per_instruction (4+)
	u8(b, 1);                    // default_is_stmt
	u8(b, (unsigned char)-5);    // line_base
	u8(b, 14);                   // line_range
	u8(b, 13);                   // opcode_base
	for (size_t i = 0; i < sizeof(len); i++)
		u8(b, len[i]);
}

/* Patch the unit and header lengths (32-bit DWARF). */
static void
lengths(struct buf *b, size_t hlen_at, size_t prog_at)
{
	uint64_t unit = b->n - 4, hlen = prog_at - (hlen_at + 4);

	for (unsigned i = 0; i < 4; i++) {
		b->b[i] = (unsigned char)(unit >> (8 * i));
		b->b[hlen_at + i] = (unsigned char)(hlen >> (8 * i));
	}
}

static void
v4(struct buf *b)
{
	size_t hlen_at, prog_at;

	memset(b, 0, sizeof(*b));
	uN(b, 0, 4);                 // unit_length, patched
	uN(b, 4, 2);
	hlen_at = b->n;
	uN(b, 0, 4);                 // header_length, patched
	std_lengths(b);
	str(b, "kernel/sched");      // include_directories 1, 2
	str(b, "/abs/inc");
	u8(b, 0);
	str(b, "core.c"); uleb(b, 1); uleb(b, 0); uleb(b, 0);     // file 1
	str(b, "sched.h"); uleb(b, 2); uleb(b, 0); uleb(b, 0);    // file 2
	str(b, "top.c"); uleb(b, 0); uleb(b, 0); uleb(b, 0);      // file 3
	str(b, "/x/abs.h"); uleb(b, 1); uleb(b, 0); uleb(b, 0);   // file 4
	u8(b, 0);
	prog_at = b->n;
	program(b);
	lengths(b, hlen_at, prog_at);
}

static const char line_str[] = "/comp\0kernel/sched\0/abs/inc\0";

static void
v5(struct buf *b)
{
	static const char *const files[] = { "core.c", "core.c", "sched.h", "top.c", "/x/abs.h" };
	static const unsigned dirs[] = { 1, 1, 2, 0, 1 };
	size_t hlen_at, prog_at;

	memset(b, 0, sizeof(*b));
	uN(b, 0, 4);
	uN(b, 5, 2);
	u8(b, 8);                    // address_size
	u8(b, 0);                    // segment_selector_size
	hlen_at = b->n;
	uN(b, 0, 4);
	std_lengths(b);
	u8(b, 1);                    // directory entry formats
	uleb(b, DW_LNCT_path); uleb(b, DW_FORM_line_strp);
	uleb(b, 3);
	uN(b, 0, 4); uN(b, 6, 4); uN(b, 19, 4);   // offsets into line_str
	u8(b, 3);                    // file entry formats
	uleb(b, DW_LNCT_path); uleb(b, DW_FORM_string);
	uleb(b, DW_LNCT_directory_index); uleb(b, DW_FORM_udata);
	uleb(b, DW_LNCT_MD5); uleb(b, DW_FORM_data16);
	uleb(b, 5);
	for (int i = 0; i < 5; i++) {
		str(b, files[i]);
		uleb(b, dirs[i]);
		for (int k = 0; k < 16; k++)
			u8(b, (unsigned)k);
	}
	prog_at = b->n;
	program(b);
	lengths(b, hlen_at, prog_at);
}

static struct vd_dwarf_line_input
input(const struct buf *b, const char *comp_dir)
{
	return (struct vd_dwarf_line_input){
		.line = b->b, .line_size = b->n, .line_str = (const unsigned char *)line_str,
		.line_str_size = sizeof(line_str), .addr_size = 8, .comp_dir = comp_dir,
		.path = "test",
	};
}

static bool
at(const struct vd_dwarf_line_table *t, uint64_t addr, const char *file, uint32_t line)
{
	struct vd_dwarf_line l;

	if (!vd_dwarf_line_table_find(t, addr, &l))
		return !file;
	if (!file || !l.file || strcmp(l.file, file) || l.line != line) {
		fprintf(stderr, "0x%llx: %s:%u\n", (unsigned long long)addr,
			l.file ? l.file : "(null)", l.line);
		return false;
	}
	return true;
}

static void
check_rows(const struct vd_dwarf_line_table *t)
{
	struct vd_dwarf_line l;

	CHECK_EQ_U64(t->nseqs, 2);
	CHECK_EQ_U64(t->nrows, 8);      // 5 + end, 1 + end; the row after them dropped
	CHECK(at(t, 0xfff, NULL, 0));
	CHECK(at(t, 0x1000, "/comp/kernel/sched/core.c", 10));
	CHECK(at(t, 0x1002, "/comp/kernel/sched/core.c", 10));
	CHECK(at(t, 0x1003, "/comp/kernel/sched/core.c", 11));
	CHECK(at(t, 0x1005, "/abs/inc/sched.h", 14));
	CHECK(at(t, 0x101f, "/abs/inc/sched.h", 14));
	CHECK(at(t, 0x1020, "/comp/top.c", 14));
	CHECK(at(t, 0x102f, "/comp/top.c", 14));
	CHECK(at(t, 0x1030, NULL, 0));   // end_sequence covers nothing
	CHECK(at(t, 0x1800, NULL, 0));
	CHECK(at(t, 0x2000, "/x/abs.h", 1));
	CHECK(at(t, 0x2003, "/x/abs.h", 1));
	CHECK(at(t, 0x2004, NULL, 0));
	CHECK(vd_dwarf_line_table_find(t, 0x1006, &l) && l.column == 7 && !l.is_stmt &&
	      l.addr == 0x1005);
	CHECK(vd_dwarf_line_table_find(t, 0x1001, &l) && l.column == 0 && l.is_stmt);
}

TEST(dwarf4_program)
{
	struct buf b;
	struct vd_dwarf_line_input in;
	struct vd_dwarf_line_table t;

	v4(&b);
	in = input(&b, "/comp");
	CHECK_OK(vd_dwarf_line_table_decode(&in, 0, &t));
	CHECK_EQ_U64(t.version, 4);
	check_rows(&t);
	vd_dwarf_line_table_deinit(&t);
	// Without DW_AT_comp_dir a relative directory stays relative.
	in.comp_dir = NULL;
	CHECK_OK(vd_dwarf_line_table_decode(&in, 0, &t));
	CHECK(at(&t, 0x1000, "kernel/sched/core.c", 10));
	CHECK(at(&t, 0x1020, "top.c", 14));
	CHECK(at(&t, 0x1005, "/abs/inc/sched.h", 14));
	vd_dwarf_line_table_deinit(&t);
}

TEST(dwarf5_program)
{
	struct buf b;
	struct vd_dwarf_line_input in;
	struct vd_dwarf_line_table t;

	v5(&b);
	// Directory 0 stands for the unit's own when it has no DW_AT_comp_dir.
	in = input(&b, NULL);
	CHECK_OK(vd_dwarf_line_table_decode(&in, 0, &t));
	CHECK_EQ_U64(t.version, 5);
	check_rows(&t);
	vd_dwarf_line_table_deinit(&t);
	in.comp_dir = "/comp";
	CHECK_OK(vd_dwarf_line_table_decode(&in, 0, &t));
	check_rows(&t);
	vd_dwarf_line_table_deinit(&t);
}

/* The program at an offset, after another unit: a CU's DW_AT_stmt_list. */
TEST(second_unit)
{
	struct buf a, b;
	static unsigned char both[2048];
	struct vd_dwarf_line_input in;
	struct vd_dwarf_line_table t;

	v4(&a);
	v5(&b);
	memcpy(both, a.b, a.n);
	memcpy(both + a.n, b.b, b.n);
	in = input(&a, NULL);
	in.line = both;
	in.line_size = a.n + b.n;
	CHECK_OK(vd_dwarf_line_table_decode(&in, a.n, &t));
	CHECK_EQ_U64(t.version, 5);
	check_rows(&t);
	vd_dwarf_line_table_deinit(&t);
}

static bool
fails(const struct buf *b, const char *comp_dir, const char *want)
{
	struct vd_dwarf_line_input in = input(b, comp_dir);
	struct vd_dwarf_line_table t;
	struct vd_error *err = vd_dwarf_line_table_decode(&in, 0, &t);
	bool ok = err && err->code == VD_ERR_CORRUPT && strstr(err->msg, want) &&
		  strstr(err->msg, "test: .debug_line offset 0x0");

	if (!ok)
		fprintf(stderr, "want '%s', got '%s'\n", want, err ? err->msg : "no error");
	vd_error_destroy(err);
	return ok;
}

TEST(bad_headers)
{
	struct buf b;

	v4(&b);
	b.b[0] += 1;                                 // unit length one past the section
	CHECK(fails(&b, NULL, "runs past .debug_line"));
	v4(&b);
	b.b[0] = b.b[1] = b.b[2] = b.b[3] = 0xff;    // 64-bit DWARF, no 8-byte length
	CHECK(fails(&b, NULL, "runs past .debug_line"));
	v4(&b);
	b.b[4] = 6;                                  // version
	CHECK(fails(&b, NULL, "version other than 2 to 5"));
	v4(&b);
	b.b[4] = 1;
	CHECK(fails(&b, NULL, "version other than 2 to 5"));
	v4(&b);
	b.b[8] = 0xff;                               // header_length past the unit
	CHECK(fails(&b, NULL, "header length runs past"));
	v4(&b);
	b.b[10 + 4] = 0;                             // line_range
	CHECK(fails(&b, NULL, "line_range 0"));
	v4(&b);
	b.b[10 + 6 + 1] = 2;                         // advance_pc declared with 2 operands
	CHECK(fails(&b, NULL, "standard opcode with other operands"));
	v5(&b);
	b.b[6] = 3;                                  // address size
	CHECK(fails(&b, NULL, "address size other than"));
	v5(&b);
	b.b[7] = 8;                                  // segment selectors
	CHECK(fails(&b, NULL, "segment selectors"));
	// A file entry in a form line headers may not use (DW_FORM_strx1).
	v5(&b);
	for (size_t i = 0; i + 1 < b.n; i++)
		if (b.b[i] == DW_LNCT_path && b.b[i + 1] == DW_FORM_string) {
			b.b[i + 1] = DW_FORM_strx1;
			break;
		}
	CHECK(fails(&b, NULL, "form not known"));
}

TEST(bad_programs)
{
	struct buf b;
	size_t prog;

	// Find the program: the first set_address.
	v4(&b);
	for (prog = 0; prog + 2 < b.n; prog++)
		if (b.b[prog] == 0 && b.b[prog + 1] == 9 && b.b[prog + 2] == DW_LNE_set_address)
			break;
	CHECK(prog + 2 < b.n);
	b.b[prog + 1] = 0x7f;                        // extended opcode longer than the rest
	CHECK(fails(&b, NULL, "extended opcode's length runs past"));
	v4(&b);
	b.b[prog + 1] = 5;                           // set_address of 4 bytes, addresses of 8
	CHECK(fails(&b, NULL, "DW_LNE_set_address of another size"));
	v4(&b);
	b.b[prog + 1] = 0;                           // extended opcode of length 0
	CHECK(fails(&b, NULL, "extended opcode's length"));
	// A uleb operand cut by the unit's end: the last byte is a copy; make it an
	// advance_pc with no operand.
	v4(&b);
	b.b[b.n - 1] = DW_LNS_advance_pc;
	CHECK(fails(&b, NULL, "operand runs past"));
}

/* Every truncation, with the unit's length kept and with it made to fit. */
TEST(truncations)
{
	struct buf full[2];

	v4(&full[0]);
	v5(&full[1]);
	for (int k = 0; k < 2; k++)
		for (size_t n = 0; n < full[k].n; n++) {
			struct buf b = full[k];
			struct vd_dwarf_line_input in;
			struct vd_dwarf_line_table t;
			struct vd_error *err;

			b.n = n;
			in = input(&b, "/comp");
			err = vd_dwarf_line_table_decode(&in, 0, &t);
			CHECK(err != NULL);            // the unit runs past the section
			vd_error_destroy(err);
			if (n < 4)
				continue;
			for (unsigned i = 0; i < 4; i++)
				b.b[i] = (unsigned char)((n - 4) >> (8 * i));
			err = vd_dwarf_line_table_decode(&in, 0, &t);
			if (!err) {                    // cut between opcodes: rows so far
				CHECK(t.nrows <= 8);
				vd_dwarf_line_table_deinit(&t);
			}
			vd_error_destroy(err);
		}
}

/* Addresses out of order inside a sequence are sorted, program order kept among equals. */
TEST(unsorted_sequence)
{
	struct buf b;
	struct vd_dwarf_line_input in;
	struct vd_dwarf_line_table t;
	size_t hlen_at, prog_at;

	memset(&b, 0, sizeof(b));
	uN(&b, 0, 4);
	uN(&b, 3, 2);                // DWARF 3: no maximum_operations_per_instruction
	hlen_at = b.n;
	uN(&b, 0, 4);
	u8(&b, 1); u8(&b, 1); u8(&b, (unsigned char)-5); u8(&b, 14); u8(&b, 10);
	for (unsigned i = 0; i < 9; i++)
		u8(&b, (unsigned char[]){ 0, 1, 1, 1, 1, 0, 0, 0, 1 }[i]);
	u8(&b, 0);
	str(&b, "a.c"); uleb(&b, 0); uleb(&b, 0); uleb(&b, 0);
	u8(&b, 0);
	prog_at = b.n;
	u8(&b, 0); uleb(&b, 5); u8(&b, DW_LNE_set_address); uN(&b, 0x3010, 4);
	u8(&b, DW_LNS_advance_line); sleb(&b, 1);    // line 2
	u8(&b, DW_LNS_copy);                         // 0x3010 a.c:2
	u8(&b, 0); uleb(&b, 5); u8(&b, DW_LNE_set_address); uN(&b, 0x3000, 4);
	u8(&b, DW_LNS_advance_line); sleb(&b, 1);    // line 3
	u8(&b, DW_LNS_copy);                         // 0x3000 a.c:3
	u8(&b, 10 + 5 + 14 * 2);                     // special, opcode_base 10: 0x3002 a.c:3
	u8(&b, DW_LNS_advance_pc); uleb(&b, 0x20);
	u8(&b, 0); uleb(&b, 1); u8(&b, DW_LNE_end_sequence);   // 0x3022
	lengths(&b, hlen_at, prog_at);
	in = input(&b, NULL);
	in.addr_size = 4;
	CHECK_OK(vd_dwarf_line_table_decode(&in, 0, &t));
	CHECK(at(&t, 0x3000, "a.c", 3));
	CHECK(at(&t, 0x3005, "a.c", 3));
	CHECK(at(&t, 0x3010, "a.c", 2));
	CHECK(at(&t, 0x3021, "a.c", 2));
	CHECK(at(&t, 0x3022, NULL, 0));
	vd_dwarf_line_table_deinit(&t);
}

/* The value of symbol name in the ELF file path; 0 if none. */
static uint64_t
symbol(const char *path, const char *name)
{
	int fd = open(path, O_RDONLY);
	Elf *e;
	Elf_Scn *scn = NULL;
	uint64_t v = 0;

	if (fd < 0)
		return 0;
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ, NULL);
	while (e && (scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || !sh.sh_entsize ||
		    !(d = elf_getdata(scn, NULL)))
			continue;
		for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			const char *n;

			if (gelf_getsym(d, (int)i, &sym) &&
			    (n = elf_strptr(e, sh.sh_link, sym.st_name)) && !strcmp(n, name))
				v = sym.st_value;
		}
	}
	if (e)
		elf_end(e);
	close(fd);
	return v;
}

/*
 * The line of the fixture's source where the body of the function whose
 * declarator starts a line with prefix opens: GCC's first row of a function.
 */
static uint32_t
source_line(const char *prefix)
{
	FILE *f = fopen(VD_FIXTURE_SRC, "r");
	char buf[512];
	uint32_t n = 0;
	bool seen = false;

	while (f && fgets(buf, sizeof(buf), f)) {
		n++;
		seen |= !strncmp(buf, prefix, strlen(prefix));
		if (seen && buf[0] == '{') {
			fclose(f);
			return n;
		}
	}
	if (f)
		fclose(f);
	return 0;
}

TEST(fixture_files)
{
	static const char *const files[] = { "types_fixture-dwarf2", "types_fixture-dwarf4",
					      "types_fixture-dwarf5" };
	uint32_t want = source_line("main(");
	const char *base = strrchr(VD_FIXTURE_SRC, '/') + 1;

	CHECK(want > 0);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[512];
		struct vd_dwarf_lines *l = NULL;
		struct vd_dwarf_line dl = { 0 };
		struct vd_error *err = NULL;
		uint64_t addr;
		size_t ncus, ndecoded;

		snprintf(path, sizeof(path), "%s/%s", VD_FIXTURE_DIR, files[i]);
		addr = symbol(path, "main");
		CHECK(addr != 0);
		CHECK_OK(vd_dwarf_lines_open(path, &l));
		if (!l)
			continue;
		CHECK(vd_dwarf_lines_find(l, addr, &dl, &err));
		CHECK(err == NULL);
		CHECK(dl.file && strlen(dl.file) >= strlen(base) &&
		      !strcmp(dl.file + strlen(dl.file) - strlen(base), base));
		CHECK_EQ_U64(dl.line, want);
		CHECK(dl.addr == addr);
		// The same row again, from the kept table.
		CHECK(vd_dwarf_lines_find(l, addr + 1, &dl, NULL) && dl.line >= want);
		vd_dwarf_lines_stats(l, &ncus, &ndecoded);
		CHECK_EQ_U64(ndecoded, 1);
		CHECK(!vd_dwarf_lines_find(l, 0, &dl, NULL));
		// File 1 of the first unit (DW_AT_decl_file numbering) is the source.
		{
			const char *f1 = vd_dwarf_lines_file(l, 0, 1, &err);

			CHECK(err == NULL);
			CHECK(f1 && strlen(f1) >= strlen(base) &&
			      !strcmp(f1 + strlen(f1) - strlen(base), base));
			CHECK(vd_dwarf_lines_file(l, 0, 100000, NULL) == NULL);
			CHECK(vd_dwarf_lines_file(l, 1u << 30, 1, NULL) == NULL);
		}
		vd_dwarf_lines_close(l);
	}
}

int
main(void)
{
	return RUN_TESTS();
}
