// SPDX-License-Identifier: MIT
/*
 * sym and rd on a process core.
 *
 * sym: address -> symbol+offset (path) from the ELF symbol tables of the
 * executable and libraries the core maps, with their load bias applied;
 * name -> address, executable first.
 * rd: what the core left out is read from the mapped file when it is on
 * disk and not changed (vmdive/core.h), and rd says so -- on stderr, and
 * in --json as "from_files".
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "vmdive/memory.h"
#include "common/util.h"
#include "vmdive/core.h"

static const char *const check_names[] = {
	[VD_CORE_FILE_MATCH] = "match",
	[VD_CORE_FILE_UNCHECKED] = "unchecked",
	[VD_CORE_FILE_MISMATCH] = "mismatch",
	[VD_CORE_FILE_MISSING] = "missing",
};

/* The rule of cmd_sym.c: 0x..., or 8+ hex digits, is an address. */
static bool
is_address(const char *s, uint64_t *ret)
{
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return vd_cli_parse_addr(s, ret);
	return strlen(s) >= 8 && strspn(s, "0123456789abcdefABCDEF") == strlen(s) &&
	       vd_cli_parse_addr(s, ret);
}

static void
print_sym(struct vd_cli *cli, const char *arg, bool is_addr, uint64_t addr,
	  const struct vd_core_symbol *sym)
{
	struct vd_json *j = &cli->j;

	if (!cli->json) {
		printf("%016" PRIx64 " (%c) %s", is_addr ? addr : sym->addr,
		       sym->type, sym->name);
		if (is_addr && sym->offset)
			printf("+0x%" PRIx64, sym->offset);
		printf(" (%s)", sym->object->path);
		if (!is_addr && sym->size)
			printf("  size 0x%" PRIx64, sym->size);
		putchar('\n');
		return;
	}
	vd_json_begin_object(j);
	vd_json_kv_string(j, "query", arg);
	if (is_addr)
		vd_json_kv_hex(j, "address", addr);
	vd_json_kv_string(j, "name", sym->name);
	vd_json_kv_hex(j, "symbol_address", sym->addr);
	vd_json_kv_hex(j, "offset", sym->offset);
	vd_json_kv_uint(j, "size", sym->size);
	vd_json_key(j, "type");
	vd_json_string_len(j, &sym->type, 1);
	vd_json_kv_string(j, "path", sym->object->path);
	vd_json_kv_hex(j, "bias", sym->object->bias);
	vd_json_kv_string(j, "table", sym->table);
	vd_json_kv_string(j, "file_check", check_names[sym->object->check]);
	vd_json_end_object(j);
}

int
vd_cmd_sym_core(struct vd_cli *cli)
{
	int ret = VD_EXIT_OK;

	if (cli->list) {
		vd_cli_error(cli, "-l lists a kernel's symbols; for a process core, run nm on the files 'vmdive maps' shows");
		return VD_EXIT_USAGE;
	}
	if (!cli->nargs) {
		vd_cli_error(cli, "missing ADDR or NAME");
		return VD_EXIT_USAGE;
	}
	if (cli->json)
		vd_json_begin_array(&cli->j);
	for (int i = 0; i < cli->nargs; i++) {
		struct vd_core_symbol sym;
		struct vd_error *err;
		uint64_t addr = 0;
		bool is_addr = is_address(cli->args[i], &addr);

		err = is_addr ? vd_session_core_symbolize(cli->session, addr, &sym) :
		      vd_session_core_lookup(cli->session, cli->args[i], &sym);
		if (err) {
			vd_cli_report(cli, err);
			ret = VD_EXIT_FAIL;
			continue;
		}
		print_sym(cli, cli->args[i], is_addr, addr, &sym);
	}
	if (cli->json)
		vd_json_end_array(&cli->j);
	return ret;
}

/* rd --------------------------------------------------------------------- */

/* Note bytes read from a file, merged with the previous piece if they continue it. */
static void
log_piece(struct vd_core_rd_log *log, uint64_t addr, size_t n,
	  const struct vd_core_source *src)
{
	struct vd_core_rd_piece *last = log->n ? &log->piece[log->n - 1] : NULL;

	log->bytes += n;
	if (last && last->obj == src->object && last->end == addr &&
	    last->file_off + (last->end - last->start) == src->file_off) {
		last->end += n;
		return;
	}
	if (log->n == VD_ARRAY_SIZE(log->piece)) {
		log->more++;
		return;
	}
	log->piece[log->n++] = (struct vd_core_rd_piece){
		.start = addr, .end = addr + n, .file_off = src->file_off,
		.obj = src->object,
	};
}

struct vd_error *
vd_cli_read(struct vd_cli *cli, enum vd_as as, uint64_t addr, void *buf,
	    size_t len, size_t *got_ret)
{
	unsigned char *out = buf;
	struct vd_error *err = NULL;
	size_t done = 0;

	if (as == VD_AS_UVIRT && cli->utask)   // rd -u PID in a kernel dump
		return vd_kmem_uread(cli->ukmem, cli->utask, addr, buf, len, got_ret);
	if (as != VD_AS_UVIRT || !vd_session_info(cli->session)->core)
		return vd_session_read(cli->session, as, addr, buf, len, got_ret);
	while (done < len) {
		struct vd_core_source src;
		size_t got;

		err = vd_session_core_read_step(cli->session, addr + done,
						out + done, len - done, &got,
						&src);
		if (err)
			break;
		if (src.from_file)
			log_piece(&cli->core_rd, addr + done, got, &src);
		done += got;
	}
	*got_ret = done;
	return err;
}

static const char *
verdict(const struct vd_core_object *o)
{
	return o->check == VD_CORE_FILE_MATCH ? "build-id matches" : o->why;
}

void
vd_cli_core_rd_report(struct vd_cli *cli)
{
	const struct vd_core_rd_log *log = &cli->core_rd;

	for (size_t i = 0; i < log->n; i++) {
		const struct vd_core_rd_piece *p = &log->piece[i];

		vd_cli_error(cli, "user virtual 0x%" PRIx64 "-0x%" PRIx64 " is not in the core: read from %s at offset 0x%" PRIx64 " (%s)",
			     p->start, p->end - 1, p->obj->path, p->file_off,
			     verdict(p->obj));
	}
	if (log->more)
		vd_cli_error(cli, "and %zu more ranges read from mapped files (%" PRIu64 " bytes in all)",
			     log->more, log->bytes);
}

void
vd_cli_core_rd_json(struct vd_cli *cli)
{
	const struct vd_core_rd_log *log = &cli->core_rd;
	struct vd_json *j = &cli->j;

	if (!vd_session_info(cli->session)->core)
		return;
	vd_json_key(j, "from_files");
	vd_json_begin_array(j);
	for (size_t i = 0; i < log->n; i++) {
		const struct vd_core_rd_piece *p = &log->piece[i];

		vd_json_begin_object(j);
		vd_json_kv_hex(j, "start", p->start);
		vd_json_kv_hex(j, "end", p->end);
		vd_json_kv_string(j, "path", p->obj->path);
		vd_json_kv_hex(j, "offset", p->file_off);
		vd_json_kv_string(j, "file_check", check_names[p->obj->check]);
		vd_json_kv_string(j, "why", p->obj->check == VD_CORE_FILE_MATCH ?
				  NULL : p->obj->why);
		vd_json_end_object(j);
	}
	vd_json_end_array(j);
	vd_json_kv_uint(j, "from_files_more", log->more);
	vd_json_kv_uint(j, "from_files_bytes", log->bytes);
}
