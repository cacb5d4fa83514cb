// SPDX-License-Identifier: MIT
/* vmdive sym: address -> symbol+offset, name -> address. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

/*
 * An argument is an address when it starts with 0x or is all hex digits
 * and at least 8 long; otherwise a name ("add", "bad" are symbols too).
 */
static bool
looks_like_address(const char *s, uint64_t *ret)
{
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return vd_cli_parse_addr(s, ret);
	return strlen(s) >= 8 && strspn(s, "0123456789abcdefABCDEF") == strlen(s) &&
	       vd_cli_parse_addr(s, ret);
}

/* {"query", "error": {"code", "message"}} for a query that found nothing. */
static void
failed_json(struct vd_cli *cli, const char *arg, const char *code, const char *msg)
{
	vd_json_begin_object(&cli->j);
	vd_json_kv_string(&cli->j, "query", arg);
	vd_json_key(&cli->j, "error");
	vd_json_begin_object(&cli->j);
	vd_json_kv_string(&cli->j, "code", code);
	vd_json_kv_string(&cli->j, "message", msg);
	vd_json_end_object(&cli->j);
	vd_json_end_object(&cli->j);
}

static void
print_one(struct vd_cli *cli, const char *arg, bool is_addr, uint64_t addr,
	  const struct vd_symbol_info *sym)
{
	if (cli->json) {
		vd_json_begin_object(&cli->j);
		vd_json_kv_string(&cli->j, "query", arg);
		if (is_addr)
			vd_json_kv_hex(&cli->j, "address", addr);
		vd_json_kv_string(&cli->j, "name", sym->name);
		vd_json_kv_hex(&cli->j, "symbol_address", sym->addr);
		vd_json_kv_hex(&cli->j, "offset", sym->offset);
		vd_json_kv_uint(&cli->j, "size", sym->size);
		vd_json_kv_bool(&cli->j, "size_guessed", sym->size_guessed);
		vd_json_key(&cli->j, "type");
		vd_json_string_len(&cli->j, &sym->type, 1);
		vd_json_kv_string(&cli->j, "module", sym->module);
		vd_json_kv_string(&cli->j, "source", sym->source);
		vd_json_end_object(&cli->j);
		return;
	}
	printf("%016" PRIx64 " (%c) %s", is_addr ? addr : sym->addr, sym->type,
	       sym->name);
	if (is_addr && sym->offset)
		printf("+0x%" PRIx64, sym->offset);
	if (sym->module)
		printf(" [%s]", sym->module);
	if (!is_addr && sym->size && !sym->size_guessed)
		printf("  size 0x%" PRIx64, sym->size);
	putchar('\n');
}

/* sym -l: every symbol, like /proc/kallsyms ("addr type name"). */
static int
list_all(struct vd_cli *cli)
{
	size_t n = vd_session_nsymbols(cli->session);

	if (!n) {
		vd_cli_error(cli, "%s: no symbol table (give --vmlinux or --system-map)",
			     vd_session_info(cli->session)->path);
		return VD_EXIT_FAIL;
	}
	if (cli->json)
		vd_json_begin_array(&cli->j);
	for (size_t i = 0; i < n; i++) {
		struct vd_symbol_info sym;

		vd_session_symbol_nth(cli->session, i, &sym);
		if (cli->json) {
			vd_json_begin_object(&cli->j);
			vd_json_kv_hex(&cli->j, "address", sym.addr);
			vd_json_key(&cli->j, "type");
			vd_json_string_len(&cli->j, &sym.type, 1);
			vd_json_kv_string(&cli->j, "name", sym.name);
			vd_json_kv_uint(&cli->j, "size", sym.size);
			vd_json_end_object(&cli->j);
		} else {
			printf("%016" PRIx64 " %c %s\n", sym.addr, sym.type, sym.name);
		}
	}
	if (cli->json)
		vd_json_end_array(&cli->j);
	return VD_EXIT_OK;
}

int
vd_cmd_sym(struct vd_cli *cli)
{
	int ret = VD_EXIT_OK;

	if (vd_session_info(cli->session)->core)
		return vd_cmd_sym_core(cli);
	if (cli->list) {
		if (cli->nargs) {
			vd_cli_error(cli, "-l takes no addresses or names");
			return VD_EXIT_USAGE;
		}
		return list_all(cli);
	}
	if (!cli->nargs) {
		vd_cli_error(cli, "missing ADDR or NAME (or -l to list all symbols)");
		return VD_EXIT_USAGE;
	}

	if (cli->json)
		vd_json_begin_array(&cli->j);
	for (int i = 0; i < cli->nargs; i++) {
		struct vd_symbol_info sym;
		const char *arg = cli->args[i];
		bool is_addr;
		uint64_t addr = 0;

		is_addr = looks_like_address(arg, &addr);
		if (is_addr) {
			if (!vd_session_symbolize(cli->session, addr, &sym)) {
				if (cli->json)
					failed_json(cli, arg, "lookup", "no symbol contains this address");
				vd_cli_error(cli, "0x%" PRIx64 ": no symbol contains this address", addr);
				ret = VD_EXIT_FAIL;
				continue;
			}
		} else {
			struct vd_error *err = vd_session_lookup_symbol(cli->session, arg, &sym);

			if (err) {
				// A failed lookup keeps its place in the JSON array.
				if (cli->json)
					failed_json(cli, arg, vd_error_code_name(err->code), err->msg);
				vd_cli_report(cli, err);
				ret = VD_EXIT_FAIL;
				continue;
			}
		}
		print_one(cli, arg, is_addr, addr, &sym);
	}
	if (cli->json)
		vd_json_end_array(&cli->j);
	return ret;
}
