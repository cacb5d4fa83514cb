// SPDX-License-Identifier: MIT
/*
 * Source lines (dwarf/dwarf_lines.c), two ways:
 *
 * - an ELF file (the seeds are the type fixtures): its line tables are
 *   opened (.debug_aranges, else the units' low_pc/high_pc) and addresses
 *   looked up across the ranges a small program or a kernel would use;
 * - anything else: the bytes are a .debug_line section (the first byte
 *   picks the address size and whether the unit has a DW_AT_comp_dir),
 *   each unit of it decoded in turn; every row a table gives must be found
 *   again at its address, at or below the address asked.
 */
#include <stdlib.h>

#include "dwarf/dwarf_lines.h"
#include "fuzz.h"

#define UNITS_MAX 64
#define LOOKUPS_MAX 4096

static void
from_elf(const uint8_t *data, size_t size)
{
	static const uint64_t bases[] = { 0, 0x400000, 0xffffffff81000000ull };
	struct vd_dwarf_lines *l;
	char path[64];
	int fd = fz_file(data, size, path);

	if (fd < 0)
		return;
	if (fz_vd_ok(vd_dwarf_lines_open(path, &l))) {
		for (size_t b = 0; b < sizeof(bases) / sizeof(bases[0]); b++)
			for (uint64_t a = bases[b]; a < bases[b] + 0x4000; a += 7) {
				struct vd_dwarf_line dl;
				struct vd_error *err;

				if (vd_dwarf_lines_find(l, a, &dl, &err) && dl.addr > a)
					abort();
				fz_drop(err);
			}
		vd_dwarf_lines_close(l);
	}
	close(fd);
}

static void
from_section(const uint8_t *data, size_t size)
{
	static const char line_str[] = "/comp\0dir\0file.c\0";
	struct vd_dwarf_line_input in = {
		.line = data + 1, .line_size = size - 1,
		.line_str = (const unsigned char *)line_str, .line_str_size = sizeof(line_str),
		.str = data + 1, .str_size = size - 1,
		.big_endian = data[0] & 4, .addr_size = data[0] & 1 ? 4 : 8,
		.comp_dir = data[0] & 2 ? "/comp" : NULL, .path = "fuzz",
	};
	uint64_t off = 0;

	for (unsigned u = 0; u < UNITS_MAX && off + 4 <= in.line_size; u++) {
		struct vd_dwarf_line_table t;
		uint64_t len = (uint64_t)in.line[off] | (uint64_t)in.line[off + 1] << 8 |
			       (uint64_t)in.line[off + 2] << 16 | (uint64_t)in.line[off + 3] << 24;

		if (fz_vd_ok(vd_dwarf_line_table_decode(&in, off, &t))) {
			for (size_t i = 0; i < t.nrows && i < LOOKUPS_MAX; i++) {
				struct vd_dwarf_line dl;
				uint64_t a = t.rows[i].addr;

				if (vd_dwarf_line_table_find(&t, a, &dl) &&
				    (dl.addr > a || (dl.file && strlen(dl.file) > 3 * 4096 + 2)))
					abort();
				if (vd_dwarf_line_table_find(&t, a + 1, &dl) && dl.addr > a + 1)
					abort();
			}
			for (size_t i = 0; i < t.nseqs; i++) {
				const struct vd_dwarf_line_seq *q = &t.seqs[i];

				if (!q->n || q->first + q->n > t.nrows || q->start > q->end ||
				    !t.rows[q->first + q->n - 1].end_sequence)
					abort();
			}
			vd_dwarf_line_table_deinit(&t);
		}
		if (len >= 0xfffffff0u)
			break;
		off += 4 + len;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size >= 4 && !memcmp(data, "\177ELF", 4))
		from_elf(data, size);
	else if (size >= 1)
		from_section(data, size);
	return 0;
}
