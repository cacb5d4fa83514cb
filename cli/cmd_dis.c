// SPDX-License-Identifier: MIT
/* vmdive dis: disassemble the dumped kernel's code, like crash's dis. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common/util.h"
#include "vmdive/disasm.h"
#include "vmdive/unwind.h"

#define DIS_MAX_BYTES (1u << 20)
#define DIS_MAX_COUNT 100000u

static void
insn_json(struct vd_cli *cli, const struct vd_insn *in, const char *sym, const char *tsym,
	  const char *file, uint32_t line)
{
	static const char digits[] = "0123456789abcdef";
	char hex[2 * sizeof(in->bytes) + 1];

	for (unsigned i = 0; i < in->size && i < sizeof(in->bytes); i++) {
		hex[2 * i] = digits[in->bytes[i] >> 4];
		hex[2 * i + 1] = digits[in->bytes[i] & 15];
	}
	hex[2 * VD_MIN(in->size, sizeof(in->bytes))] = '\0';
	vd_json_begin_object(&cli->j);
	vd_json_kv_hex(&cli->j, "address", in->addr);
	vd_json_kv_string(&cli->j, "symbol", *sym ? sym : NULL);
	vd_json_kv_uint(&cli->j, "size", in->size);
	vd_json_kv_string(&cli->j, "bytes", hex);
	vd_json_kv_string(&cli->j, "mnemonic", in->mnemonic);
	vd_json_kv_string(&cli->j, "operands", in->operands);
	if (in->has_target) {
		vd_json_kv_hex(&cli->j, "target", in->target);
		vd_json_kv_string(&cli->j, "target_symbol", *tsym ? tsym : NULL);
	}
	if (cli->dis_lines) {
		vd_json_kv_string(&cli->j, "file", file);
		vd_json_key(&cli->j, "line");
		if (file)
			vd_json_uint(&cli->j, line);
		else
			vd_json_null(&cli->j);
	}
	vd_json_end_object(&cli->j);
}

int
vd_cmd_dis(struct vd_cli *cli)
{
	const struct vd_dump_info *info = vd_session_info(cli->session);
	struct vd_symbol_info sym;
	struct vd_lines *lines = NULL;
	const char *last_file = NULL;
	uint32_t last_line = 0;
	struct vd_disasm *d;
	struct vd_error *err;
	uint64_t addr, start, end, count = 0;
	unsigned char *buf;
	size_t got = 0, off = 0, n = 0;
	bool whole, have_sym;
	int ret = VD_EXIT_OK;

	if (!vd_cli_addr(cli, cli->args[0], &addr))
		return VD_EXIT_USAGE;
	if (cli->nargs > 1 && (!vd_parse_u64(cli->args[1], 0, &count) || !count ||
			       count > DIS_MAX_COUNT)) {
		vd_cli_error(cli, "'%s' is not a usable count (1..%u)", cli->args[1], DIS_MAX_COUNT);
		return VD_EXIT_USAGE;
	}
	have_sym = vd_session_symbolize(cli->session, addr, &sym) && sym.size;
	// crash: a function by name (its start) is disassembled whole; -r from
	// its start up to ADDR, -f from ADDR to its end; else COUNT (default 1).
	whole = !count && have_sym && (cli->reverse || cli->forward || !sym.offset);
	start = cli->reverse && have_sym ? sym.addr : addr;
	if (whole)
		end = cli->reverse ? addr + 1 : sym.addr + sym.size;
	else
		end = addr + (count ? count : 1) * 16;     // at most 16 bytes an instruction
	if (!count && (cli->reverse || cli->forward) && !have_sym) {
		vd_cli_error(cli, "0x%" PRIx64 " is in no symbol of known size: give a COUNT",
			     addr);
		return VD_EXIT_FAIL;
	}
	if (end <= start || end - start > DIS_MAX_BYTES) {
		vd_cli_error(cli, "%" PRIu64 " bytes to disassemble: too many (at most %u)",
			     end - start, DIS_MAX_BYTES);
		return VD_EXIT_FAIL;
	}
	// Source lines: the vmlinux's line tables (kernel image code only;
	// module code and a process core's have none here).
	if (cli->dis_lines && info->kind == VD_DUMP_USER) {
		vd_cli_error(cli, "dis -l: source lines are read for kernel dumps (--vmlinux)");
		return VD_EXIT_USAGE;
	}
	if (cli->dis_lines && (err = vd_lines_open(cli->session, &lines))) {
		vd_cli_report(cli, vd_error_wrap(err, "dis -l"));
		return VD_EXIT_FAIL;
	}
	err = vd_disasm_open(info->arch, &d);
	if (err) {
		vd_cli_report(cli, err);
		vd_lines_close(lines);
		return VD_EXIT_FAIL;
	}
	buf = malloc(end - start);
	if (!buf) {
		vd_disasm_close(d);
		vd_lines_close(lines);
		return VD_EXIT_FAIL;
	}
	err = vd_session_read(cli->session, info->kind == VD_DUMP_USER ? VD_AS_UVIRT :
			      VD_AS_KVIRT, start, buf, end - start, &got);
	if (err && !got) {
		vd_cli_report(cli, vd_error_wrap(err, "reading code at 0x%" PRIx64, start));
		free(buf);
		vd_disasm_close(d);
		vd_lines_close(lines);
		return VD_EXIT_FAIL;
	}
	if (cli->json)
		vd_json_begin_array(&cli->j);
	while (off < got && (!count || n < count)) {
		struct vd_insn in;
		char s[256], t[256] = "";
		const char *file = NULL;
		uint32_t line = 0;

		// -r ends with the instruction that holds ADDR.
		if (cli->reverse && whole && start + off > addr)
			break;
		vd_disasm_one(d, buf + off, got - off, start + off, &in);
		if (!in.size)
			break;
		vd_cli_symbolize(cli, in.addr, s, sizeof(s));
		if (in.has_target)
			vd_cli_symbolize(cli, in.target, t, sizeof(t));
		if (lines && !vd_lines_find(lines, in.addr, &file, &line))
			file = NULL;
		if (cli->json) {
			insn_json(cli, &in, s, t, file, line);
		} else {
			// crash's dis -l: "FILE: LINE" above the instructions of
			// each line (again when the line changes).
			if (lines && file && (!last_file || line != last_line ||
					      strcmp(file, last_file)))
				printf("%s: %" PRIu32 "\n", file, line);
			last_file = file;
			last_line = line;
			printf("0x%016" PRIx64 " <%s>:\t%-6s %s", in.addr, *s ? s : "?",
			       in.mnemonic, in.operands);
			if (in.has_target && *t)
				printf(" <%s>", t);
			putchar('\n');
		}
		off += in.size;
		n++;
	}
	if (cli->json)
		vd_json_end_array(&cli->j);
	{
		// A damaged line table: its lines were left out; say so once.
		struct vd_error *lerr = vd_lines_take_error(lines);

		if (lerr) {
			vd_cli_report(cli, vd_error_wrap(lerr, "dis -l: source lines"));
			ret = VD_EXIT_FAIL;
		}
	}
	if (err) {
		// Code past an unreadable page: what could be read was shown.
		if (off >= got)
			vd_cli_report(cli, vd_error_wrap(err, "reading code at 0x%" PRIx64,
							 start + got));
		else
			vd_error_destroy(err);
		if (off >= got)
			ret = VD_EXIT_FAIL;
	}
	free(buf);
	vd_disasm_close(d);
	vd_lines_close(lines);
	return ret;
}
