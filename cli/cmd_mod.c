// SPDX-License-Identifier: MIT
/*
 * vmdive mod: the loaded modules, like crash's `mod` (MODULE NAME BASE
 * SIZE) plus state, refcount, taints and each memory region;
 * vmdive dump-module: a module's memory as an ELF file objdump and gdb
 * disassemble at the real load addresses, or raw.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "vmdive/disasm.h"
#include "vmdive/walk.h"

static const char *
state_word(const struct vd_module *m, char *buf, size_t len)
{
	const char *n = m->state_name;

	if (!n) {
		snprintf(buf, len, "%" PRId64, m->state);
		return buf;
	}
	if (!strncmp(n, "MODULE_STATE_", 13))
		n += 13;
	snprintf(buf, len, "%s", n);
	for (char *p = buf; *p; p++)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
	return buf;
}

static void
perms(const struct vd_module_region *r, char out[4])
{
	out[0] = 'r';
	out[1] = r->write ? 'w' : '-';
	out[2] = r->exec ? 'x' : '-';
	out[3] = '\0';
}

static void
print_text(struct vd_cli *cli, const struct vd_module *m)
{
	char st[32], refs[24], p[4];

	if (m->have_refcnt)
		snprintf(refs, sizeof(refs), "%" PRId64, m->refcnt);
	else
		snprintf(refs, sizeof(refs), "-");
	fprintf(cli->out, "%016" PRIx64 "  %-18s %016" PRIx64 " %8" PRIu64 "  %-8s %6s  %-6s %6" PRIu64 "\n",
		m->addr, m->name, m->base, m->size, state_word(m, st, sizeof(st)), refs,
		m->taint_flags[0] ? m->taint_flags : "-", m->nsyms);
	for (size_t i = 0; i < m->nregions; i++) {
		const struct vd_module_region *r = &m->regions[i];

		perms(r, p);
		fprintf(cli->out, "    %-16s %016" PRIx64 "-%016" PRIx64 " %8" PRIu64 "  %s\n",
			r->name, r->base, r->base + r->size, r->size, p);
	}
}

static void
print_json(struct vd_cli *cli, const struct vd_module *m)
{
	struct vd_json *j = &cli->j;
	char p[4];

	vd_json_begin_object(j);
	vd_json_kv_string(j, "name", m->name);
	vd_json_kv_hex(j, "address", m->addr);
	vd_json_kv_hex(j, "base", m->base);
	vd_json_kv_uint(j, "size", m->size);
	vd_json_kv_int(j, "state_value", m->state);
	vd_json_kv_string(j, "state", m->state_name);
	if (m->have_refcnt)
		vd_json_kv_int(j, "refcnt", m->refcnt);
	vd_json_kv_hex(j, "taints", m->taints);
	vd_json_kv_string(j, "taint_flags", m->taint_flags);
	vd_json_kv_hex(j, "kallsyms", m->kallsyms);
	vd_json_kv_uint(j, "nsyms", m->nsyms);
	vd_json_key(j, "regions");
	vd_json_begin_array(j);
	for (size_t i = 0; i < m->nregions; i++) {
		const struct vd_module_region *r = &m->regions[i];

		perms(r, p);
		vd_json_begin_object(j);
		vd_json_kv_string(j, "name", r->name);
		vd_json_kv_hex(j, "start", r->base);
		vd_json_kv_hex(j, "end", r->base + r->size);
		vd_json_kv_uint(j, "size", r->size);
		vd_json_kv_string(j, "perms", p);
		vd_json_kv_bool(j, "init", r->init);
		vd_json_end_object(j);
	}
	vd_json_end_array(j);
	vd_json_end_object(j);
}

int
vd_cmd_mod(struct vd_cli *cli)
{
	struct vd_walk_errors errs = { .cli = cli };
	struct vd_module_iter it;
	const struct vd_module *m;
	struct vd_error *err;
	uint64_t n = 0;

	err = vd_module_iter_init(&it, cli->session);
	if (err) {
		vd_cli_report(cli, err);
		return VD_EXIT_FAIL;
	}
	if (cli->json) {
		vd_json_begin_object(&cli->j);
		vd_json_kv_string(&cli->j, "layout", it.layout);
		vd_json_key(&cli->j, "modules");
		vd_json_begin_array(&cli->j);
	} else {
		fprintf(cli->out, "%-16s  %-18s %-16s %8s  %-8s %6s  %-6s %6s\n", "MODULE",
			"NAME", "BASE", "SIZE", "STATE", "REFCNT", "TAINTS", "SYMS");
	}
	while ((err = vd_module_iter_next(&it, &m)) != &vd_stop) {
		if (err) {
			if (err->code == VD_ERR_NOMEM)
				break;
			vd_walk_errors_add(&errs, err);
			continue;
		}
		n++;
		if (cli->json)
			print_json(cli, m);
		else
			print_text(cli, m);
	}
	if (err && err != &vd_stop)
		vd_walk_errors_add(&errs, err);
	if (cli->json) {
		vd_json_end_array(&cli->j);
		vd_walk_errors_json(&errs);
		vd_json_end_object(&cli->j);
	} else {
		fprintf(cli->out, "%" PRIu64 " modules (struct module %s)\n", n, it.layout);
	}
	vd_walk_errors_finish(&errs, "modules");
	vd_module_iter_deinit(&it);
	return errs.n ? VD_EXIT_FAIL : VD_EXIT_OK;
}

/* dump-module ------------------------------------------------------------------ */

static void
dump_report(struct vd_cli *cli, const struct vd_module *m,
	    const struct vd_extract_stats *st, struct vd_holes *holes, bool ok)
{
	struct vd_json *j = &cli->j;
	uint64_t off = 0;

	if (!cli->json) {
		fprintf(cli->out, "%s: module %s, %zu regions, %" PRIu64 " bytes%s",
			ok ? cli->output : "(no file)", m->name, m->nregions, st->bytes,
			cli->raw ? " (raw)" : "");
		if (!cli->raw)
			fprintf(cli->out, ", %" PRIu64 " symbols", st->nsyms);
		fprintf(cli->out, "\n");
		for (size_t i = 0; i < m->nregions; i++) {
			const struct vd_module_region *r = &m->regions[i];

			fprintf(cli->out, "    %-16s %016" PRIx64 " %8" PRIu64, r->name,
				r->base, r->size);
			if (cli->raw)
				fprintf(cli->out, "  at file offset 0x%" PRIx64, off);
			fprintf(cli->out, "\n");
			off += r->size;
		}
		return;
	}
	vd_json_begin_object(j);
	vd_json_kv_string(j, "module", m->name);
	vd_json_kv_string(j, "output", ok ? cli->output : NULL);
	vd_json_kv_string(j, "format", cli->raw ? "raw" : "elf");
	vd_json_kv_bool(j, "complete", ok && !st->missing_bytes);
	vd_json_kv_uint(j, "bytes", st->bytes);
	vd_json_kv_uint(j, "missing_bytes", st->missing_bytes);
	vd_json_kv_uint(j, "symbols", st->nsyms);
	vd_json_key(j, "regions");
	vd_json_begin_array(j);
	for (size_t i = 0; i < m->nregions; i++) {
		vd_json_begin_object(j);
		vd_json_kv_string(j, "name", m->regions[i].name);
		vd_json_kv_hex(j, "start", m->regions[i].base);
		vd_json_kv_uint(j, "size", m->regions[i].size);
		if (cli->raw)
			vd_json_kv_uint(j, "file_offset", off);
		off += m->regions[i].size;
		vd_json_end_object(j);
	}
	vd_json_end_array(j);
	vd_cli_holes_json(holes);
	vd_json_end_object(j);
}

/*
 * The kernel symbols the module's code calls or jumps to: its executable
 * regions disassembled, each direct target outside the module named by
 * the session (kallsyms, or the vmlinux).  They go into the ELF's .symtab
 * so that objdump names them.  Returns the number found; *ret is malloc'd,
 * the names strdup'd.
 */
static size_t
kernel_targets(struct vd_cli *cli, const struct vd_module *m, struct vd_module_symbol **ret)
{
	struct vd_module_symbol *syms = NULL;
	size_t n = 0, cap = 0;
	struct vd_disasm *d;
	struct vd_error *err;

	*ret = NULL;
	err = vd_disasm_open(vd_session_info(cli->session)->arch, &d);
	if (err) {
		vd_error_destroy(err);
		return 0;
	}
	for (size_t r = 0; r < m->nregions; r++) {
		const struct vd_module_region *reg = &m->regions[r];
		unsigned char *buf;
		size_t got = 0, off = 0;

		if (!reg->exec || !reg->size || reg->size > (64u << 20))
			continue;
		buf = malloc(reg->size);
		if (!buf)
			break;
		vd_error_destroy(vd_session_read(cli->session, VD_AS_KVIRT, reg->base, buf,
						 reg->size, &got));
		while (off < got) {
			struct vd_insn in;
			struct vd_symbol_info sym;
			bool inside = false, dup = false;

			vd_disasm_one(d, buf + off, got - off, reg->base + off, &in);
			off += in.size ? in.size : 1;
			if (!in.has_target || !(in.is_call || in.is_jump))
				continue;
			for (size_t k = 0; k < m->nregions; k++)
				inside |= in.target - m->regions[k].base < m->regions[k].size;
			if (inside || !vd_session_symbolize(cli->session, in.target, &sym) ||
			    sym.module)
				continue;
			for (size_t k = 0; k < n && !dup; k++)
				dup = syms[k].addr == sym.addr;
			if (dup)
				continue;
			if (n == cap) {
				size_t ncap = cap ? 2 * cap : 64;
				void *p = ncap < (1u << 20) ? realloc(syms, ncap * sizeof(*syms)) : NULL;

				if (!p)
					break;
				syms = p;
				cap = ncap;
			}
			syms[n] = (struct vd_module_symbol){ .name = strdup(sym.name), .addr = sym.addr,
							     .size = sym.size_guessed ? 0 : sym.size,
							     .type = sym.type ? sym.type : 'T' };
			if (syms[n].name)
				n++;
		}
		free(buf);
	}
	vd_disasm_close(d);
	*ret = syms;
	return n;
}

int
vd_cmd_dump_module(struct vd_cli *cli)
{
	struct vd_holes holes = { .cli = cli, .json = cli->json };
	struct vd_extract_opts opts = { .zero_fill = cli->zero_fill,
					.hole = vd_cli_hole, .priv = &holes };
	struct vd_extract_stats st = { 0 };
	struct vd_module m;
	struct vd_error *err;
	int ret = VD_EXIT_OK;

	if (!cli->output) {
		vd_cli_error(cli, "-o FILE is required");
		return VD_EXIT_USAGE;
	}
	err = vd_module_find(cli->session, cli->args[0], &m);
	if (err) {
		vd_cli_report(cli, err);
		return VD_EXIT_FAIL;
	}
	if (!m.nregions) {
		vd_cli_error(cli, "module %s has no memory regions", m.name);
		return VD_EXIT_FAIL;
	}
	struct vd_module_symbol *extra = NULL;

	if (!cli->raw)
		opts.nextra_syms = kernel_targets(cli, &m, &extra);
	opts.extra_syms = extra;
	err = vd_module_extract(cli->session, &m, cli->output, cli->raw, &opts, &st);
	for (size_t i = 0; i < opts.nextra_syms; i++)
		free((char *)extra[i].name);
	free(extra);
	dump_report(cli, &m, &st, &holes, !err);
	// Pages the dump lacks fail it (no file left) unless --zero-fill.
	if (err) {
		vd_cli_report(cli, err);
		ret = VD_EXIT_FAIL;
	}
	vd_cli_holes_free(&holes);
	return ret;
}
