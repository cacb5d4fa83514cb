/* SPDX-License-Identifier: MIT */
/*
 * Source lines: address -> file, line, column from the DWARF line tables
 * (.debug_line) of a vmlinux or a module's debug file, decoding only the
 * line program of the one compilation unit (CU) that holds the address.
 * Design and format facts in docs/dwarf-index.md ("Line tables").
 *
 * Two levels:
 * - vd_dwarf_lines: a file's line tables.  The CU of an address comes
 *   from .debug_aranges (else the CUs' DW_AT_low_pc/DW_AT_high_pc); its
 *   DW_AT_stmt_list and DW_AT_comp_dir from its DIE; its line program is
 *   decoded on first use and kept (a bounded number at once).
 * - vd_dwarf_line_table: one decoded line program (DWARF 2 to 5), a pure
 *   function of bytes, for tests and fuzzing.
 *
 * The row that answers an address is the one objdump -dl (BFD) and
 * libdwarf's users give: inside a sequence, the last row whose address is
 * <= the address, where the next row's is above it (of several rows at
 * one address the last wins; is_stmt does not matter; an end_sequence row
 * covers nothing).  File names are composed as BFD does: an absolute name
 * as is; else its directory (when not the unit's own, index 0) and,
 * unless that directory is absolute, DW_AT_comp_dir before it.
 */
#ifndef VD_DWARF_DWARF_LINES_H
#define VD_DWARF_DWARF_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmdive/error.h"

/* What an address's row says. */
struct vd_dwarf_line {
	const char *file;        /* full path as objdump prints it; valid until close */
	uint32_t line;           /* 0: the compiler gave none */
	uint32_t column;         /* 0: none */
	bool is_stmt;
	uint64_t addr;           /* where the row starts (<= the address asked) */
};

/* One decoded line program ------------------------------------------------- */

struct vd_dwarf_line_row {
	uint64_t addr;
	uint32_t file;           /* index into the table's files */
	uint32_t line;
	uint32_t column;
	uint8_t is_stmt, end_sequence;
	uint8_t zero[2];
};

struct vd_dwarf_line_seq {
	uint64_t start, end;     /* [start, end): its rows' addresses, end_sequence's */
	size_t first, n;         /* its rows, end_sequence row included, sorted by address */
};

struct vd_dwarf_line_table {
	uint16_t version;
	struct vd_dwarf_line_row *rows;
	size_t nrows;
	struct vd_dwarf_line_seq *seqs;
	size_t nseqs;
	char **files;            /* composed paths; NULL: an index the header has not */
	size_t nfiles;
};

/* The bytes a line program is decoded from. */
struct vd_dwarf_line_input {
	const unsigned char *line, *line_str, *str;   /* line_str, str may be NULL */
	uint64_t line_size, line_str_size, str_size;
	bool big_endian;
	unsigned addr_size;      /* the unit's: DWARF < 5 headers do not say */
	const char *comp_dir;    /* the unit's DW_AT_comp_dir, or NULL */
	const char *path;        /* the file, for errors */
};

/*
 * Decode the line program at offset off of in->line: its header, file
 * table and rows.  VD_ERR_CORRUPT naming the file and offset for anything
 * out of bounds or unknown (a version other than 2..5, line_range 0, a
 * form the header may not use); bounded in rows and files.
 */
struct vd_error *vd_dwarf_line_table_decode(const struct vd_dwarf_line_input *in, uint64_t off,
					    struct vd_dwarf_line_table *ret);
/* The row covering addr (see above): false when none does. */
bool vd_dwarf_line_table_find(const struct vd_dwarf_line_table *t, uint64_t addr,
			      struct vd_dwarf_line *ret);
void vd_dwarf_line_table_deinit(struct vd_dwarf_line_table *t);

/* A file's line tables ------------------------------------------------------ */

struct vd_dwarf_lines;

/*
 * The line tables of an ELF file with DWARF (a .ko's debug sections
 * relocated: its addresses are then offsets in their sections).  Reads
 * the section headers and .debug_aranges, no line program yet.
 * VD_ERR_LOOKUP when the file has no .debug_info or no .debug_line.
 */
struct vd_error *vd_dwarf_lines_open(const char *path, struct vd_dwarf_lines **ret);
/*
 * The source line of addr (a link-time address of the file).  false: no
 * line table covers it; *err (may be NULL) is then set when a table that
 * should have was damaged (the caller may print it; the next lookup goes on).
 */
bool vd_dwarf_lines_find(struct vd_dwarf_lines *l, uint64_t addr, struct vd_dwarf_line *ret,
			 struct vd_error **err);
/*
 * The name of file number index of the line table of the unit whose
 * header is at cu in .debug_info (DW_AT_decl_file and DW_AT_call_file
 * number files so: DWARF 5 from 0, older from 1), composed as above; NULL
 * when the unit has no such file (*err, may be NULL, set as for find).
 * Valid until close.
 */
const char *vd_dwarf_lines_file(struct vd_dwarf_lines *l, uint64_t cu, uint64_t index,
				struct vd_error **err);
/* The file's DWARF these tables are read from (its DIE tree too: inline
 * scopes); owned by l. */
struct vd_dwarf_index *vd_dwarf_lines_index(const struct vd_dwarf_lines *l);
/* Statistics for --verbose and benchmarks: CUs known, line programs decoded. */
void vd_dwarf_lines_stats(const struct vd_dwarf_lines *l, size_t *ncus, size_t *ndecoded);
void vd_dwarf_lines_close(struct vd_dwarf_lines *l);

#endif
