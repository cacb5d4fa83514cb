// SPDX-License-Identifier: MIT
/*
 * Source lines from the DWARF line tables, one compilation unit at a time
 * (see dwarf_lines.h and docs/dwarf-index.md, "Line tables").
 *
 * libdwarf's way (dwarf_srclines_b on a CU DIE found with dwarf_offdie_b)
 * set up every unit before the one asked for and kept every decoded row
 * as an allocated object: 8.8 s and 855 MB for `dis -l schedule` on a
 * 6.1 vmlinux.  Here a lookup reads .debug_aranges once (a few hundred
 * KiB), the one unit's header and DIE, and decodes that unit's line
 * program into 24-byte rows.
 *
 * The line program: DWARF 5 §6.2 (and DWARF 2, 3, 4 §6.2 for the older
 * headers: include_directories and file_names as NUL-terminated lists,
 * no address size in the header, maximum_operations_per_instruction from
 * version 4).
 */
#include <dwarf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "dwarf_cursor.h"
#include "dwarf_lines.h"
#include "dwarf_priv.h"

/* Bounds for hostile files. */
#define ROWS_MAX (1u << 24)          /* rows of one line program */
#define FILES_MAX (1u << 20)         /* entries of one file or directory table */
#define FORMATS_MAX 32               /* DWARF 5 entry format descriptions */
#define PATH_MAX_LEN 4096            /* a composed file name */
#define TABLES_KEPT 64               /* decoded line programs kept at once */
#define ARANGES_MAX (1u << 24)
#define OVERLAP_SCAN 64              /* ranges looked at around an address */

/* Reading bytes, bounded ---------------------------------------------------- */

static const char *
str_in(const unsigned char *sec, uint64_t size, uint64_t off)
{
	if (!sec || off >= size || !memchr(sec + off, 0, (size_t)(size - off)))
		return NULL;
	return (const char *)sec + off;
}

/* The header ---------------------------------------------------------------- */

struct entry {
	const char *path;
	uint64_t dir;
};

struct header {
	uint16_t version;
	unsigned offset_size, addr_size;
	uint8_t min_insn, max_ops, default_stmt, line_range, opcode_base;
	int8_t line_base;
	const unsigned char *std_lengths;     /* opcode_base - 1 of them */
	struct entry *dirs, *files;
	size_t ndirs, nfiles;
	const unsigned char *program, *end;
};

static struct vd_error *
bad(const struct vd_dwarf_line_input *in, uint64_t off, const char *what)
{
	return vd_error_create(VD_ERR_CORRUPT, "%s: .debug_line offset 0x%llx: %s",
			       in->path ? in->path : "DWARF", (unsigned long long)off, what);
}

/* One value of a DWARF 5 entry (§6.2.4.1): a path, an index, or skipped. */
static bool
entry_value(const struct vd_dwarf_line_input *in, struct vd_dwarf_cursor *c, unsigned offset_size,
	    uint64_t form, const char **str, uint64_t *num)
{
	*str = NULL;
	*num = 0;
	switch (form) {
	case DW_FORM_string: *str = vd_dwarf_cstr(c); return c->ok;
	case DW_FORM_line_strp:
		*str = str_in(in->line_str, in->line_str_size, vd_dwarf_fixed(c, offset_size));
		return c->ok && *str;
	case DW_FORM_strp:
		*str = str_in(in->str, in->str_size, vd_dwarf_fixed(c, offset_size));
		return c->ok && *str;
	case DW_FORM_udata: *num = vd_dwarf_uleb(c); return c->ok;
	case DW_FORM_data1: *num = vd_dwarf_fixed(c, 1); return c->ok;
	case DW_FORM_data2: *num = vd_dwarf_fixed(c, 2); return c->ok;
	case DW_FORM_data4: *num = vd_dwarf_fixed(c, 4); return c->ok;
	case DW_FORM_data8: *num = vd_dwarf_fixed(c, 8); return c->ok;
	case DW_FORM_data16: vd_dwarf_skip(c, 16); return c->ok;
	case DW_FORM_block: vd_dwarf_skip(c, vd_dwarf_uleb(c)); return c->ok;
	case DW_FORM_block1: vd_dwarf_skip(c, vd_dwarf_fixed(c, 1)); return c->ok;
	case DW_FORM_block2: vd_dwarf_skip(c, vd_dwarf_fixed(c, 2)); return c->ok;
	case DW_FORM_block4: vd_dwarf_skip(c, vd_dwarf_fixed(c, 4)); return c->ok;
	case DW_FORM_sdata: vd_dwarf_sleb(c); return c->ok;
	default: return false;    // strx needs the unit's str_offsets base: not in line headers
	}
}

/* A DWARF 5 directory or file name table (§6.2.4, items 14 to 20). */
static struct vd_error *
v5_table(const struct vd_dwarf_line_input *in, uint64_t off, struct vd_dwarf_cursor *c,
	 unsigned offset_size, struct entry **ret, size_t *n_ret)
{
	uint64_t fmt[FORMATS_MAX][2], count;
	unsigned nfmt = (unsigned)vd_dwarf_fixed(c, 1);
	struct entry *e;

	if (!c->ok || nfmt > FORMATS_MAX)
		return bad(in, off, "too many entry formats in its header");
	for (unsigned i = 0; i < nfmt; i++) {
		fmt[i][0] = vd_dwarf_uleb(c);
		fmt[i][1] = vd_dwarf_uleb(c);
	}
	count = vd_dwarf_uleb(c);
	if (!c->ok)
		return bad(in, off, "its header is cut short");
	if (count > FILES_MAX || (count && !nfmt))
		return bad(in, off, "a file or directory table too long or without a format");
	e = calloc(count ? count : 1, sizeof(*e));
	if (!e)
		return &vd_enomem;
	for (uint64_t i = 0; i < count; i++)
		for (unsigned k = 0; k < nfmt; k++) {
			const char *s;
			uint64_t v;

			if (!entry_value(in, c, offset_size, fmt[k][1], &s, &v)) {
				free(e);
				return bad(in, off, "a file or directory entry in a form not known "
					   "or cut short");
			}
			if (fmt[k][0] == DW_LNCT_path)
				e[i].path = s;
			else if (fmt[k][0] == DW_LNCT_directory_index)
				e[i].dir = v;
		}
	*ret = e;
	*n_ret = count;
	return NULL;
}

/* A DWARF 2-4 list: NUL-terminated entries up to an empty one. */
static struct vd_error *
old_table(const struct vd_dwarf_line_input *in, uint64_t off, struct vd_dwarf_cursor *c, bool files,
	  struct entry **ret, size_t *n_ret)
{
	struct entry *e = NULL;
	size_t n = 0, cap = 0;

	for (;;) {
		const char *s = vd_dwarf_cstr(c);

		if (!c->ok) {
			free(e);
			return bad(in, off, "its directory or file list is cut short");
		}
		if (!*s)
			break;
		if (n == cap) {
			size_t ncap = cap ? 2 * cap : 16;
			void *p = ncap > FILES_MAX ? NULL : realloc(e, ncap * sizeof(*e));

			if (!p) {
				free(e);
				return ncap > FILES_MAX ? bad(in, off, "too many files") : &vd_enomem;
			}
			e = p;
			cap = ncap;
		}
		e[n].path = s;
		e[n].dir = 0;
		if (files) {
			e[n].dir = vd_dwarf_uleb(c);
			vd_dwarf_uleb(c);          // modification time
			vd_dwarf_uleb(c);          // length
		}
		n++;
	}
	*ret = e;
	*n_ret = n;
	return NULL;
}

static struct vd_error *
read_header(const struct vd_dwarf_line_input *in, uint64_t off, struct header *h)
{
	struct vd_dwarf_cursor c = { .be = in->big_endian, .ok = true };
	uint64_t len, hlen;
	struct vd_error *err;

	memset(h, 0, sizeof(*h));
	if (!in->line || off >= in->line_size)
		return bad(in, off, "no line program there (past .debug_line)");
	c.p = in->line + off;
	c.end = in->line + in->line_size;
	len = vd_dwarf_fixed(&c, 4);
	h->offset_size = 4;
	if (len == 0xffffffffu) {              // 64-bit DWARF (§7.4)
		len = vd_dwarf_fixed(&c, 8);
		h->offset_size = 8;
	} else if (len >= 0xfffffff0u) {
		return bad(in, off, "a reserved unit length");
	}
	if (!c.ok || len > (uint64_t)(c.end - c.p))
		return bad(in, off, "its length runs past .debug_line");
	c.end = c.p + len;
	h->end = c.end;
	h->version = (uint16_t)vd_dwarf_fixed(&c, 2);
	if (c.ok && (h->version < 2 || h->version > 5))
		return bad(in, off, "a line table version other than 2 to 5");
	h->addr_size = in->addr_size;
	if (h->version >= 5) {
		h->addr_size = (unsigned)vd_dwarf_fixed(&c, 1);
		if (vd_dwarf_fixed(&c, 1))
			return bad(in, off, "segment selectors (not used by any kernel)");
	}
	if (h->addr_size != 2 && h->addr_size != 4 && h->addr_size != 8)
		return bad(in, off, "an address size other than 2, 4 or 8");
	hlen = vd_dwarf_fixed(&c, h->offset_size);
	if (!c.ok || hlen > (uint64_t)(c.end - c.p))
		return bad(in, off, "its header length runs past the unit");
	h->program = c.p + hlen;
	h->min_insn = (uint8_t)vd_dwarf_fixed(&c, 1);
	h->max_ops = h->version >= 4 ? (uint8_t)vd_dwarf_fixed(&c, 1) : 1;
	h->default_stmt = (uint8_t)vd_dwarf_fixed(&c, 1);
	h->line_base = (int8_t)vd_dwarf_fixed(&c, 1);
	h->line_range = (uint8_t)vd_dwarf_fixed(&c, 1);
	h->opcode_base = (uint8_t)vd_dwarf_fixed(&c, 1);
	if (!c.ok)
		return bad(in, off, "its header is cut short");
	if (!h->line_range)
		return bad(in, off, "line_range 0");
	if (!h->max_ops)
		return bad(in, off, "maximum_operations_per_instruction 0");
	if (!h->opcode_base)
		return bad(in, off, "opcode_base 0");
	h->std_lengths = c.p;
	vd_dwarf_skip(&c, h->opcode_base - 1u);
	if (!c.ok || c.p > h->program)
		return bad(in, off, "its opcode lengths run past the header");
	// Standard opcodes declared with other operands than §6.2.5.2 gives
	// them would be misread: the header must agree with DWARF.
	for (unsigned k = 1; k < h->opcode_base && k <= DW_LNS_set_isa; k++) {
		static const unsigned char want[] = { 0, 0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1 };

		if (h->std_lengths[k - 1] != want[k])
			return bad(in, off, "a standard opcode with other operands than DWARF's");
	}
	// The tables end where the header says; read them inside it only.
	c.end = h->program;
	if (h->version >= 5) {
		err = v5_table(in, off, &c, h->offset_size, &h->dirs, &h->ndirs);
		if (!err)
			err = v5_table(in, off, &c, h->offset_size, &h->files, &h->nfiles);
	} else {
		err = old_table(in, off, &c, false, &h->dirs, &h->ndirs);
		if (!err)
			err = old_table(in, off, &c, true, &h->files, &h->nfiles);
	}
	return err;
}

static bool
absolute(const char *p)
{
	return p && p[0] == '/';
}

/*
 * A file's name as BFD composes it (binutils' concat_filename): an
 * absolute name as is; else its directory's name, when the entry names
 * one other than the unit's own, and in front of that (unless it is
 * absolute) the unit's DW_AT_comp_dir.  DWARF 5 numbers directories and
 * files from 0 (0 the unit's own); 2 to 4 from 1 (0 the unit's own).
 */
static char *
compose(const struct header *h, const struct entry *f, const char *comp_dir)
{
	const char *dir = NULL, *sub = NULL;
	char *s;
	size_t n;

	if (!f->path)
		return NULL;
	if (absolute(f->path))
		return strndup(f->path, PATH_MAX_LEN);
	if (f->dir) {
		uint64_t i = h->version >= 5 ? f->dir : f->dir - 1;

		if (i < h->ndirs)
			sub = h->dirs[i].path;
	}
	if (!absolute(sub))
		dir = comp_dir;
	if (!dir) {
		dir = sub;
		sub = NULL;
	}
	if (!dir)
		return strndup(f->path, PATH_MAX_LEN);
	n = strnlen(dir, PATH_MAX_LEN) + (sub ? strnlen(sub, PATH_MAX_LEN) + 1 : 0) +
	    strnlen(f->path, PATH_MAX_LEN) + 2;
	s = malloc(n);
	if (!s)
		return NULL;
	if (sub)
		snprintf(s, n, "%.*s/%.*s/%.*s", PATH_MAX_LEN, dir, PATH_MAX_LEN, sub, PATH_MAX_LEN,
			 f->path);
	else
		snprintf(s, n, "%.*s/%.*s", PATH_MAX_LEN, dir, PATH_MAX_LEN, f->path);
	return s;
}

/* The program ---------------------------------------------------------------- */

struct state {
	uint64_t addr;
	uint32_t op_index;
	uint32_t file, line, column;
	bool is_stmt;
};

static uint32_t
clamp32(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static void
reset(struct state *s, const struct header *h)
{
	*s = (struct state){ .file = 1, .line = 1, .is_stmt = h->default_stmt != 0 };
}

static bool
emit(struct vd_dwarf_line_table *t, size_t *cap, const struct state *s, bool end)
{
	struct vd_dwarf_line_row *r;

	if (t->nrows == *cap) {
		size_t ncap = *cap ? 2 * *cap : 256;

		if (ncap > ROWS_MAX || !(r = realloc(t->rows, ncap * sizeof(*r))))
			return false;
		t->rows = r;
		*cap = ncap;
	}
	t->rows[t->nrows++] = (struct vd_dwarf_line_row){
		.addr = s->addr, .file = s->file, .line = s->line, .column = s->column,
		.is_stmt = s->is_stmt, .end_sequence = end,
	};
	return true;
}

/* Advance by operation_advance (§6.2.5.1): VLIW op_index arithmetic. */
static void
advance(struct state *s, const struct header *h, uint64_t adv)
{
	if (h->max_ops == 1) {
		s->addr += h->min_insn * adv;
		return;
	}
	s->addr += h->min_insn * ((s->op_index + adv) / h->max_ops);
	s->op_index = (uint32_t)((s->op_index + adv) % h->max_ops);
}

struct numbered {
	struct vd_dwarf_line_row r;
	size_t i;
};

static int
numbered_cmp(const void *a, const void *b)
{
	const struct numbered *x = a, *y = b;

	// end_sequence last at its address: it closes what is before it.
	if (x->r.addr != y->r.addr)
		return x->r.addr < y->r.addr ? -1 : 1;
	if (x->r.end_sequence != y->r.end_sequence)
		return (int)x->r.end_sequence - (int)y->r.end_sequence;
	return x->i < y->i ? -1 : x->i > y->i;
}

/*
 * Close the sequence of rows [first, nrows), its end_sequence row last:
 * sorted, noted.  The end_sequence row stays last (it closes the
 * sequence); a row past its address lies outside the sequence (hostile)
 * and is dropped, so that start <= end.
 */
static bool
close_seq(struct vd_dwarf_line_table *t, size_t *seq_cap, size_t first)
{
	size_t n = t->nrows - first, k = 0;
	struct vd_dwarf_line_row *r = t->rows + first;
	bool sorted = true;

	for (size_t i = 0; i + 1 < n; i++)
		if (r[i].addr <= r[n - 1].addr)
			r[k++] = r[i];
	r[k++] = r[n - 1];
	t->nrows = first + k;
	n = k;
	for (size_t i = 1; i < n; i++)
		sorted &= r[i - 1].addr <= r[i].addr;
	if (!sorted) {
		// Hostile or odd: order by address, keeping program order among
		// equals (numbered: qsort is not stable).
		struct numbered *tmp = malloc(n * sizeof(*tmp));

		if (!tmp)
			return false;
		for (size_t i = 0; i < n; i++)
			tmp[i] = (struct numbered){ r[i], i };
		qsort(tmp, n, sizeof(*tmp), numbered_cmp);
		for (size_t i = 0; i < n; i++)
			r[i] = tmp[i].r;
		free(tmp);
	}
	if (t->nseqs == *seq_cap) {
		size_t ncap = *seq_cap ? 2 * *seq_cap : 16;
		void *p = realloc(t->seqs, ncap * sizeof(*t->seqs));

		if (!p)
			return false;
		t->seqs = p;
		*seq_cap = ncap;
	}
	t->seqs[t->nseqs++] = (struct vd_dwarf_line_seq){
		.start = r[0].addr, .end = r[n - 1].addr, .first = first, .n = n,
	};
	return true;
}

static struct vd_error *
run_program(const struct vd_dwarf_line_input *in, uint64_t off, const struct header *h,
	    struct vd_dwarf_line_table *t)
{
	struct vd_dwarf_cursor c = { .p = h->program, .end = h->end, .ok = true, .be = in->big_endian };
	size_t cap = 0, seq_cap = 0, first = 0;
	struct state s;

	reset(&s, h);
	while (c.p < c.end) {
		unsigned op = *c.p++;

		if (op >= h->opcode_base) {          // special opcode (§6.2.5.1)
			unsigned adj = op - h->opcode_base;

			advance(&s, h, adj / h->line_range);
			s.line += (uint32_t)(h->line_base + (int)(adj % h->line_range));
			if (!emit(t, &cap, &s, false))
				goto rows;
			continue;
		}
		switch (op) {
		case 0: {                            // extended (§6.2.5.3)
			uint64_t len = vd_dwarf_uleb(&c);
			const unsigned char *next;
			unsigned sub;

			if (!c.ok || !len || len > (uint64_t)(c.end - c.p))
				return bad(in, off, "an extended opcode's length runs past the program");
			next = c.p + len;
			sub = *c.p++;
			switch (sub) {
			case DW_LNE_end_sequence:
				if (!emit(t, &cap, &s, true))
					goto rows;
				if (!close_seq(t, &seq_cap, first))
					return &vd_enomem;
				first = t->nrows;
				reset(&s, h);
				break;
			case DW_LNE_set_address:
				if (len - 1 != h->addr_size)
					return bad(in, off, "DW_LNE_set_address of another size "
						   "than the unit's addresses");
				s.addr = vd_dwarf_fixed(&c, h->addr_size);
				s.op_index = 0;
				break;
			default:     // define_file (DWARF < 5), set_discriminator, vendors'
				break;
			}
			c.p = next;
			break;
		}
		case DW_LNS_copy:
			if (!emit(t, &cap, &s, false))
				goto rows;
			break;
		case DW_LNS_advance_pc: advance(&s, h, vd_dwarf_uleb(&c)); break;
		case DW_LNS_advance_line: s.line += (uint32_t)vd_dwarf_sleb(&c); break;
		case DW_LNS_set_file: s.file = clamp32(vd_dwarf_uleb(&c)); break;
		case DW_LNS_set_column: s.column = clamp32(vd_dwarf_uleb(&c)); break;
		case DW_LNS_negate_stmt: s.is_stmt = !s.is_stmt; break;
		case DW_LNS_set_basic_block: break;
		case DW_LNS_const_add_pc:
			advance(&s, h, (255u - h->opcode_base) / h->line_range);
			break;
		case DW_LNS_fixed_advance_pc:
			s.addr += vd_dwarf_fixed(&c, 2);
			s.op_index = 0;
			break;
		case DW_LNS_set_prologue_end:
		case DW_LNS_set_epilogue_begin:
			break;
		case DW_LNS_set_isa: vd_dwarf_uleb(&c); break;
		default:                             // a standard opcode this reader does not know
			for (unsigned k = 0; k < h->std_lengths[op - 1]; k++)
				vd_dwarf_uleb(&c);
			break;
		}
		if (!c.ok)
			return bad(in, off, "an opcode's operand runs past the program");
	}
	// Rows after the last end_sequence belong to no sequence: dropped
	// (libdwarf and BFD drop them too).
	t->nrows = first;
	return NULL;
rows:
	return t->nrows >= ROWS_MAX / 2 ? bad(in, off, "too many rows") : &vd_enomem;
}

void
vd_dwarf_line_table_deinit(struct vd_dwarf_line_table *t)
{
	for (size_t i = 0; i < t->nfiles; i++)
		free(t->files[i]);
	free(t->files);
	free(t->rows);
	free(t->seqs);
	memset(t, 0, sizeof(*t));
}

struct vd_error *
vd_dwarf_line_table_decode(const struct vd_dwarf_line_input *in, uint64_t off,
			   struct vd_dwarf_line_table *ret)
{
	struct header h;
	struct vd_error *err;
	const char *comp_dir = in->comp_dir;

	memset(ret, 0, sizeof(*ret));
	err = read_header(in, off, &h);
	if (err)
		goto out;
	ret->version = h.version;
	// DWARF 5: directory 0 is the unit's directory; BFD takes DW_AT_comp_dir,
	// which compilers make the same, and entry 0 when the unit has none.
	if (!comp_dir && h.version >= 5 && h.ndirs)
		comp_dir = h.dirs[0].path;
	// Files: DWARF 5 from 0, older from 1 (index 0 stays NULL: no file).
	ret->nfiles = h.nfiles + (h.version >= 5 ? 0 : 1);
	ret->files = calloc(ret->nfiles ? ret->nfiles : 1, sizeof(*ret->files));
	if (!ret->files) {
		err = &vd_enomem;
		goto out;
	}
	for (size_t i = 0; i < h.nfiles; i++) {
		size_t k = h.version >= 5 ? i : i + 1;

		ret->files[k] = compose(&h, &h.files[i], comp_dir);
		if (!ret->files[k] && h.files[i].path) {
			err = &vd_enomem;
			goto out;
		}
	}
	err = run_program(in, off, &h, ret);
out:
	free(h.dirs);
	free(h.files);
	if (err)
		vd_dwarf_line_table_deinit(ret);
	return err;
}

bool
vd_dwarf_line_table_find(const struct vd_dwarf_line_table *t, uint64_t addr,
			 struct vd_dwarf_line *ret)
{
	const struct vd_dwarf_line_row *best = NULL;

	// Of every sequence covering addr the row at the greatest address
	// wins, a later sequence on a tie (sequences of discarded code all
	// start at 0; a kernel's do not overlap otherwise).
	for (size_t i = 0; i < t->nseqs; i++) {
		const struct vd_dwarf_line_seq *q = &t->seqs[i];
		const struct vd_dwarf_line_row *r = t->rows + q->first;
		size_t lo = 0, hi = q->n;

		if (addr < q->start || addr >= q->end)
			continue;
		// The last row with an address <= addr.
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (r[mid].addr <= addr)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (!lo || r[lo - 1].end_sequence)
			continue;
		if (!best || r[lo - 1].addr >= best->addr)
			best = &r[lo - 1];
	}
	if (!best)
		return false;
	*ret = (struct vd_dwarf_line){
		.file = best->file < t->nfiles ? t->files[best->file] : NULL,
		.line = best->line, .column = best->column, .is_stmt = best->is_stmt,
		.addr = best->addr,
	};
	return true;
}

/* A file's line tables -------------------------------------------------------- */

struct arange {
	uint64_t start, end;       /* [start, end) */
	uint64_t cu;               /* the unit's header offset in .debug_info */
};

struct cu_lines {
	uint64_t cu;               /* header offset in .debug_info */
	bool tried;                /* decoded once (or failed: no table) */
	bool have;                 /* t.rows and t.seqs are there */
	struct vd_dwarf_line_table t;
	uint64_t used;             /* for replacement: the tick of its last use */
};

struct vd_dwarf_lines {
	struct vd_dwarf_index *ix;
	const struct vd_dwarf_sections *sec;
	struct vd_dwarf_reader *reader;   /* CU DIEs, one unit at a time */
	char *path;
	struct arange *ar;
	size_t nar;
	struct cu_lines *cus;      /* by cu offset, sorted; grows */
	size_t ncus, cus_cap;
	size_t ndecoded, nkept;
	uint64_t tick;
};

static int
arange_cmp(const void *a, const void *b)
{
	const struct arange *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->cu < y->cu ? -1 : x->cu > y->cu;
}

static bool
add_range(struct vd_dwarf_lines *l, size_t *cap, uint64_t start, uint64_t len, uint64_t cu)
{
	if (!len || start + len < start)
		return true;            // empty or wrapping: covers nothing
	if (l->nar == *cap) {
		size_t ncap = *cap ? 2 * *cap : 1024;
		void *p = ncap > ARANGES_MAX ? NULL : realloc(l->ar, ncap * sizeof(*l->ar));

		if (!p)
			return false;
		l->ar = p;
		*cap = ncap;
	}
	l->ar[l->nar++] = (struct arange){ start, start + len, cu };
	return true;
}

/* .debug_aranges (DWARF 5 §6.1.2): sets of (address, length) per unit. */
static struct vd_error *
read_aranges(struct vd_dwarf_lines *l, size_t *cap)
{
	const struct vd_dwarf_sections *sec = l->sec;
	struct vd_dwarf_cursor c = { sec->aranges, sec->aranges + sec->aranges_size, true, sec->big_endian };

	while (c.ok && c.p < c.end) {
		uint64_t set_off = (uint64_t)(c.p - sec->aranges), len, cu;
		unsigned osize = 4, asize, ssize;
		const unsigned char *end, *start;

		len = vd_dwarf_fixed(&c, 4);
		if (len == 0xffffffffu) {
			len = vd_dwarf_fixed(&c, 8);
			osize = 8;
		}
		if (!c.ok || len > (uint64_t)(c.end - c.p))
			goto bad;
		start = c.p - (osize == 8 ? 12 : 4);
		end = c.p + len;
		if (vd_dwarf_fixed(&c, 2) != 2)
			goto bad;             // every DWARF version's aranges are version 2
		cu = vd_dwarf_fixed(&c, osize);
		asize = (unsigned)vd_dwarf_fixed(&c, 1);
		ssize = (unsigned)vd_dwarf_fixed(&c, 1);
		if (!c.ok || (asize != 4 && asize != 8 && asize != 2) || ssize)
			goto bad;
		// Tuples start at a multiple of twice the address size from the set.
		while ((uint64_t)(c.p - start) % (2 * asize))
			vd_dwarf_skip(&c, 1);
		for (struct vd_dwarf_cursor t = { c.p, end, c.ok, c.be }; t.ok && t.p < t.end;) {
			uint64_t a = vd_dwarf_fixed(&t, asize), n = vd_dwarf_fixed(&t, asize);

			if (!t.ok)
				goto bad;
			if (!a && !n)
				break;
			if (cu >= sec->info_size)
				goto bad;
			if (!add_range(l, cap, a, n, cu))
				return l->nar >= ARANGES_MAX / 2 ?
				       vd_error_create(VD_ERR_CORRUPT, "%s: .debug_aranges: too many "
						       "ranges", l->path) : &vd_enomem;
		}
		c.p = end;
		continue;
bad:
		return vd_error_create(VD_ERR_CORRUPT, "%s: .debug_aranges offset 0x%llx: not an "
				       "address range table", l->path, (unsigned long long)set_off);
	}
	return NULL;
}

/* What a unit's DIE says for its line table. */
struct cu_die {
	bool has_stmt, has_low, has_high, high_is_len;
	uint64_t stmt, low, high;
	const char *comp_dir;
};

static bool
cu_attr(const struct vd_dwarf_attr *a, void *arg)
{
	struct cu_die *d = arg;

	switch (a->at) {
	case DW_AT_stmt_list:
		d->has_stmt = true;
		d->stmt = a->u;
		break;
	case DW_AT_comp_dir:
		d->comp_dir = a->str;
		break;
	case DW_AT_low_pc:
		d->has_low = a->form == DW_FORM_addr;
		d->low = a->u;
		break;
	case DW_AT_high_pc:     // DWARF 4 §2.17.2: a constant is an offset from low_pc
		d->has_high = a->form == DW_FORM_addr || a->is_const;
		d->high_is_len = a->is_const;
		d->high = a->u;
		break;
	default:
		break;
	}
	return true;
}

static struct vd_error *
read_cu_die(struct vd_dwarf_lines *l, uint64_t cu, struct vd_dwarf_names_unit *u,
	    struct cu_die *d)
{
	struct vd_dwarf_raw_die raw;

	memset(d, 0, sizeof(*d));
	if (!vd_dwarf_unit_header(l->sec, cu, u))
		return vd_error_create(VD_ERR_CORRUPT, "%s: .debug_info offset 0x%llx: not a unit "
				       "header", l->path, (unsigned long long)cu);
	if (!vd_dwarf_reader_use_units(l->reader, u, 1))
		return &vd_enomem;
	return vd_dwarf_reader_die(l->reader, u->die, &raw, cu_attr, d);
}

/*
 * Without .debug_aranges: each unit's DW_AT_low_pc and DW_AT_high_pc
 * (a unit whose code is in several places has DW_AT_ranges instead and
 * is not found this way; every kernel seen has .debug_aranges).
 */
static struct vd_error *
ranges_from_units(struct vd_dwarf_lines *l, size_t *cap)
{
	for (uint64_t off = 0; off < l->sec->info_size;) {
		struct vd_dwarf_names_unit u;
		struct cu_die d;
		struct vd_error *err = read_cu_die(l, off, &u, &d);

		if (err)
			return err;
		if (!u.skip && d.has_low && d.has_high &&
		    !add_range(l, cap, d.low, d.high_is_len ? d.high :
			       d.high > d.low ? d.high - d.low : 0, off))
			return &vd_enomem;
		off = u.end;
	}
	return NULL;
}

struct vd_dwarf_index *
vd_dwarf_lines_index(const struct vd_dwarf_lines *l)
{
	return l->ix;
}

struct vd_error *
vd_dwarf_lines_open(const char *path, struct vd_dwarf_lines **ret)
{
	struct vd_dwarf_lines *l = calloc(1, sizeof(*l));
	struct vd_error *err;
	size_t cap = 0;

	*ret = NULL;
	if (!l || !(l->path = strdup(path))) {
		free(l);
		return &vd_enomem;
	}
	err = vd_dwarf_index_open(path, &l->ix);
	if (err)
		goto fail;
	l->sec = vd_dwarf_index_sections(l->ix);
	if (!l->sec->line || !l->sec->line_size) {
		err = vd_error_create(VD_ERR_LOOKUP, "%s: no line tables (.debug_line)", path);
		goto fail;
	}
	l->reader = vd_dwarf_reader_create(l->sec, path);
	if (!l->reader) {
		err = &vd_enomem;
		goto fail;
	}
	err = l->sec->aranges && l->sec->aranges_size ? read_aranges(l, &cap) :
	      ranges_from_units(l, &cap);
	if (err)
		goto fail;
	if (l->nar)             // no ranges: l->ar is NULL, which qsort may not take
		qsort(l->ar, l->nar, sizeof(*l->ar), arange_cmp);
	*ret = l;
	return NULL;
fail:
	vd_dwarf_lines_close(l);
	return err;
}

void
vd_dwarf_lines_close(struct vd_dwarf_lines *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->ncus; i++)
		vd_dwarf_line_table_deinit(&l->cus[i].t);
	free(l->cus);
	free(l->ar);
	vd_dwarf_reader_destroy(l->reader);
	vd_dwarf_index_close(l->ix);
	free(l->path);
	free(l);
}

void
vd_dwarf_lines_stats(const struct vd_dwarf_lines *l, size_t *ncus, size_t *ndecoded)
{
	*ncus = l->ncus;
	*ndecoded = l->ndecoded;
}

/* The unit whose range holds addr, as libdwarf's dwarf_get_arange: the first. */
static bool
cu_of(const struct vd_dwarf_lines *l, uint64_t addr, uint64_t *cu)
{
	size_t lo = 0, hi = l->nar;

	while (lo < hi) {                 // the first range starting after addr
		size_t mid = lo + (hi - lo) / 2;

		if (l->ar[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	// Ranges before it may hold addr; nested or overlapping ones are rare
	// (discarded code at 0): look back a bounded way, take the latest start.
	for (size_t i = lo, k = 0; i > 0 && k < OVERLAP_SCAN; i--, k++)
		if (addr < l->ar[i - 1].end) {
			*cu = l->ar[i - 1].cu;
			return true;
		}
	return false;
}

static struct cu_lines *
cu_slot(struct vd_dwarf_lines *l, uint64_t cu)
{
	size_t lo = 0, hi = l->ncus;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (l->cus[mid].cu < cu)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < l->ncus && l->cus[lo].cu == cu)
		return &l->cus[lo];
	if (l->ncus == l->cus_cap) {
		size_t ncap = l->cus_cap ? 2 * l->cus_cap : 64;
		void *p = realloc(l->cus, ncap * sizeof(*l->cus));

		if (!p)
			return NULL;
		l->cus = p;
		l->cus_cap = ncap;
	}
	memmove(&l->cus[lo + 1], &l->cus[lo], (l->ncus - lo) * sizeof(*l->cus));
	l->ncus++;
	memset(&l->cus[lo], 0, sizeof(l->cus[lo]));
	l->cus[lo].cu = cu;
	return &l->cus[lo];
}

/* Keep at most TABLES_KEPT programs' rows: drop the least recently used. */
static void
evict(struct vd_dwarf_lines *l)
{
	struct cu_lines *old = NULL;

	if (l->nkept < TABLES_KEPT)
		return;
	for (size_t i = 0; i < l->ncus; i++)
		if (l->cus[i].have && (!old || l->cus[i].used < old->used))
			old = &l->cus[i];
	if (!old)
		return;
	free(old->t.rows);
	free(old->t.seqs);
	old->t.rows = NULL;
	old->t.seqs = NULL;
	old->t.nrows = old->t.nseqs = 0;
	old->have = false;
	l->nkept--;
}

static struct vd_error *
load(struct vd_dwarf_lines *l, struct cu_lines *c)
{
	struct vd_dwarf_names_unit u;
	struct vd_dwarf_line_table t;
	struct vd_dwarf_line_input in;
	struct cu_die d;
	struct vd_error *err = read_cu_die(l, c->cu, &u, &d);

	if (err)
		return err;
	if (!d.has_stmt)
		return NULL;                  // a unit without a line table
	in = (struct vd_dwarf_line_input){
		.line = l->sec->line, .line_size = l->sec->line_size,
		.line_str = l->sec->line_str, .line_str_size = l->sec->line_str_size,
		.str = l->sec->str, .str_size = l->sec->str_size,
		.big_endian = l->sec->big_endian, .addr_size = u.addr_size,
		.comp_dir = d.comp_dir, .path = l->path,
	};
	err = vd_dwarf_line_table_decode(&in, d.stmt, &t);
	if (err)
		return err;
	evict(l);
	l->ndecoded++;
	l->nkept++;
	if (c->t.files) {
		// Decoded before and dropped: keep the file names handed out.
		for (size_t i = 0; i < t.nfiles; i++)
			free(t.files[i]);
		free(t.files);
		t.files = c->t.files;
		t.nfiles = c->t.nfiles;
	}
	c->t = t;
	c->have = true;
	return NULL;
}

/* The unit at cu with its table decoded (or tried); NULL: none (*err maybe set). */
static struct cu_lines *
unit_lines(struct vd_dwarf_lines *l, uint64_t cu, struct vd_error **err_ret)
{
	struct cu_lines *c = cu_slot(l, cu);

	if (!c)
		return NULL;
	if (!c->have && (!c->tried || c->t.files)) {
		struct vd_error *err;

		c->tried = true;
		err = load(l, c);
		if (err) {
			if (err_ret)
				*err_ret = err;
			else
				vd_error_destroy(err);
			return NULL;
		}
	}
	if (!c->have)
		return NULL;
	c->used = ++l->tick;
	return c;
}

bool
vd_dwarf_lines_find(struct vd_dwarf_lines *l, uint64_t addr, struct vd_dwarf_line *ret,
		    struct vd_error **err_ret)
{
	struct cu_lines *c;
	uint64_t cu;

	if (err_ret)
		*err_ret = NULL;
	if (!l || !cu_of(l, addr, &cu) || !(c = unit_lines(l, cu, err_ret)))
		return false;
	return vd_dwarf_line_table_find(&c->t, addr, ret);
}

const char *
vd_dwarf_lines_file(struct vd_dwarf_lines *l, uint64_t cu, uint64_t index,
		    struct vd_error **err_ret)
{
	struct cu_lines *c;

	if (err_ret)
		*err_ret = NULL;
	if (!l || cu >= l->sec->info_size || !(c = unit_lines(l, cu, err_ret)))
		return NULL;
	return index < c->t.nfiles ? c->t.files[index] : NULL;
}
