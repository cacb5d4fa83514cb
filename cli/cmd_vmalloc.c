// SPDX-License-Identifier: MIT
/*
 * vmdive vmalloc: the busy vmap areas, like crash's `kmem -v` (VMAP_AREA,
 * VM_STRUCT, ADDRESS RANGE, SIZE) plus what /proc/vmallocinfo adds (caller,
 * pages, flags); -v adds every page's physical address, from vm->pages[]
 * and from the page tables.
 * vmdive dump-vmalloc: one area's bytes (or all areas of a caller) to a file.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "vmdive/walk.h"

static uint64_t
page_size(struct vd_cli *cli)
{
	return vd_session_page_size(cli->session);
}

/* -v: each page of the area, PA from vm->pages[] and from the page tables. */
static void
print_pages(struct vd_cli *cli, const struct vd_vmap_area *a)
{
	struct vd_xlat *xlat = NULL;
	uint64_t psz = page_size(cli), n = vd_vmalloc_data_size(cli->session, a) / psz;
	struct vd_error *err = vd_session_xlat(cli->session, &xlat);
	struct vd_json *j = &cli->j;

	vd_error_destroy(err);
	if (cli->json) {
		vd_json_key(j, "page_list");
		vd_json_begin_array(j);
	}
	for (uint64_t i = 0; i < n && xlat; i++) {
		uint64_t va = a->start + i * psz, page = 0, pa_pages = 0, pa_walk = 0, ps;
		bool have_pages = false, mapped;

		if (i < a->nr_pages) {
			err = vd_vmalloc_page_phys(cli->session, a, (uint32_t)i, &page, &pa_pages);
			have_pages = !err;
			vd_error_destroy(err);
		}
		err = vd_xlat_translate(xlat, va, &pa_walk, &ps);
		mapped = !err;
		vd_error_destroy(err);
		if (cli->json) {
			vd_json_begin_object(j);
			vd_json_kv_hex(j, "va", va);
			if (have_pages) {
				vd_json_kv_hex(j, "page", page);
				vd_json_kv_hex(j, "pa_pages", pa_pages);
			}
			if (mapped)
				vd_json_kv_hex(j, "pa_walk", pa_walk);
			vd_json_kv_bool(j, "agree", !have_pages || !mapped || pa_pages == pa_walk);
			vd_json_end_object(j);
			continue;
		}
		fprintf(cli->out, "      %016" PRIx64 "  ", va);
		if (have_pages)
			fprintf(cli->out, "page %016" PRIx64 "  pa %010" PRIx64 "  ", page, pa_pages);
		if (mapped)
			fprintf(cli->out, "walk %010" PRIx64 "%s\n", pa_walk,
				have_pages && pa_pages != pa_walk ? "  MISMATCH" : "");
		else
			fprintf(cli->out, "not mapped\n");
	}
	if (cli->json)
		vd_json_end_array(j);
}

static void
print_area(struct vd_cli *cli, const struct vd_vmap_area *a)
{
	char caller[256] = "", flags[256];
	struct vd_json *j = &cli->j;

	if (a->caller)
		vd_cli_symbolize(cli, a->caller, caller, sizeof(caller));
	if (!caller[0] && a->caller)
		snprintf(caller, sizeof(caller), "0x%" PRIx64, a->caller);
	vd_vmalloc_flags_format(cli->session, a->flags, flags, sizeof(flags));
	if (!cli->json) {
		fprintf(cli->out, "%016" PRIx64 "  %016" PRIx64 "  %016" PRIx64 " - %016" PRIx64
			" %9" PRIu64 " %6u  %-40s %s\n", a->addr, a->vm, a->start, a->end,
			a->end - a->start, a->nr_pages, a->vm ? caller : "(no vm_struct)",
			a->vm ? flags : "");
		if (cli->verbose)
			print_pages(cli, a);
		return;
	}
	vd_json_begin_object(j);
	vd_json_kv_hex(j, "vmap_area", a->addr);
	vd_json_kv_hex(j, "vm_struct", a->vm);
	vd_json_kv_hex(j, "start", a->start);
	vd_json_kv_hex(j, "end", a->end);
	vd_json_kv_uint(j, "size", a->end - a->start);
	if (a->vm) {
		vd_json_kv_uint(j, "vm_size", a->vm_size);
		vd_json_kv_uint(j, "data_size", vd_vmalloc_data_size(cli->session, a));
		vd_json_kv_hex(j, "caller_address", a->caller);
		vd_json_kv_string(j, "caller", caller);
		vd_json_kv_hex(j, "flags", a->flags);
		vd_json_kv_string(j, "flag_words", flags);
		vd_json_kv_uint(j, "nr_pages", a->nr_pages);
		vd_json_kv_hex(j, "pages", a->pages);
		vd_json_kv_hex(j, "phys_addr", a->phys_addr);
	}
	if (a->node >= 0)
		vd_json_kv_int(j, "node", a->node);
	if (cli->verbose)
		print_pages(cli, a);
	vd_json_end_object(j);
}

int
vd_cmd_vmalloc(struct vd_cli *cli)
{
	struct vd_walk_errors errs = { .cli = cli };
	struct vd_vmalloc_iter it;
	const struct vd_vmap_area *a;
	struct vd_error *err;
	uint64_t n = 0, bytes = 0;

	err = vd_vmalloc_iter_init(&it, cli->session);
	if (err) {
		vd_cli_report(cli, err);
		return VD_EXIT_FAIL;
	}
	if (cli->json) {
		vd_json_begin_object(&cli->j);
		vd_json_kv_string(&cli->j, "source", it.source);
		vd_json_key(&cli->j, "areas");
		vd_json_begin_array(&cli->j);
	} else {
		fprintf(cli->out, "%-16s  %-16s  %-35s %9s %6s  %-40s %s\n", "VMAP_AREA",
			"VM_STRUCT", "ADDRESS RANGE", "SIZE", "PAGES", "CALLER", "FLAGS");
	}
	while ((err = vd_vmalloc_iter_next(&it, &a)) != &vd_stop) {
		if (err) {
			vd_walk_errors_add(&errs, err);
			continue;
		}
		n++;
		bytes += a->end - a->start;
		print_area(cli, a);
	}
	if (cli->json) {
		vd_json_end_array(&cli->j);
		vd_walk_errors_json(&errs);
		vd_json_end_object(&cli->j);
	} else {
		char sz[32];

		vd_cli_format_size(bytes, sz, sizeof(sz));
		fprintf(cli->out, "%" PRIu64 " areas, %s (from %s)\n", n, sz, it.source);
	}
	vd_walk_errors_finish(&errs, "areas");
	vd_vmalloc_iter_deinit(&it);
	return errs.n ? VD_EXIT_FAIL : VD_EXIT_OK;
}

/* dump-vmalloc ---------------------------------------------------------------- */

/* ADDR when it starts with 0x or is 8+ hex digits (like `sym`), else CALLER. */
static bool
looks_like_addr(const char *s, uint64_t *ret)
{
	size_t n = strspn(s, "0123456789abcdefABCDEF");

	if (!strncmp(s, "0x", 2) || (n >= 8 && !s[n]))
		return vd_cli_parse_addr(s, ret);
	return false;
}

static bool
area_matches(struct vd_cli *cli, const struct vd_vmap_area *a, bool by_addr,
	     uint64_t addr)
{
	struct vd_symbol_info sym;

	if (by_addr)
		return addr >= a->start && addr < a->end;
	return a->vm && a->caller && vd_session_symbolize(cli->session, a->caller, &sym) &&
	       !strcmp(sym.name, cli->args[0]);
}

static void
report_area(struct vd_cli *cli, const struct vd_vmap_area *a, uint64_t off,
	    uint64_t len)
{
	char caller[256] = "";

	if (a->caller)
		vd_cli_symbolize(cli, a->caller, caller, sizeof(caller));
	if (!cli->json) {
		fprintf(cli->out, "  %016" PRIx64 "-%016" PRIx64 " %9" PRIu64
			" bytes at file offset 0x%" PRIx64 "  %s\n", a->start, a->start + len,
			len, off, caller);
		return;
	}
	vd_json_begin_object(&cli->j);
	vd_json_kv_hex(&cli->j, "start", a->start);
	vd_json_kv_hex(&cli->j, "end", a->end);
	vd_json_kv_uint(&cli->j, "bytes", len);
	vd_json_kv_uint(&cli->j, "file_offset", off);
	vd_json_kv_string(&cli->j, "caller", caller);
	vd_json_end_object(&cli->j);
}

/* Write every matching area; returns the number written, -1 on error. */
static long
dump_areas(struct vd_cli *cli, FILE *f, const struct vd_extract_opts *opts,
	   struct vd_extract_stats *st, struct vd_error **err_ret)
{
	struct vd_vmalloc_iter it;
	const struct vd_vmap_area *a;
	uint64_t addr = 0;
	bool by_addr = looks_like_addr(cli->args[0], &addr);
	struct vd_error *err = vd_vmalloc_iter_init(&it, cli->session);
	long n = 0;

	while (!err && (err = vd_vmalloc_iter_next(&it, &a)) != &vd_stop) {
		uint64_t len, off = st->bytes;

		if (err) {
			vd_error_destroy(err);   // skipped; `vmalloc` lists them
			err = NULL;
			continue;
		}
		if (!area_matches(cli, a, by_addr, addr))
			continue;
		len = vd_vmalloc_data_size(cli->session, a);
		report_area(cli, a, off, len);
		err = vd_kvirt_extract(cli->session, a->start, len, f, opts, st);
		n++;
	}
	vd_vmalloc_iter_deinit(&it);
	if (err == &vd_stop)
		err = NULL;
	*err_ret = err;
	return err ? -1 : n;
}

int
vd_cmd_dump_vmalloc(struct vd_cli *cli)
{
	struct vd_holes holes = { .cli = cli, .json = cli->json };
	struct vd_extract_opts opts = { .zero_fill = cli->zero_fill,
					.hole = vd_cli_hole, .priv = &holes };
	struct vd_extract_stats st = { 0 };
	struct vd_error *err = NULL;
	FILE *f;
	long n;

	if (!cli->output) {
		vd_cli_error(cli, "-o FILE is required");
		return VD_EXIT_USAGE;
	}
	f = fopen(cli->output, "wbe");
	if (!f) {
		vd_cli_error(cli, "%s: cannot create: %s", cli->output, strerror(errno));
		return VD_EXIT_FAIL;
	}
	if (cli->json) {
		vd_json_begin_object(&cli->j);
		vd_json_kv_string(&cli->j, "output", cli->output);
		vd_json_key(&cli->j, "areas");
		vd_json_begin_array(&cli->j);
	} else {
		fprintf(cli->out, "%s:\n", cli->output);
	}
	n = dump_areas(cli, f, &opts, &st, &err);
	if (fclose(f) && !err)
		err = vd_error_os(errno, "%s: write failed", cli->output);
	if (!err && !n)
		err = vd_error_create(VD_ERR_LOOKUP, "no vmalloc area %s %s",
				      strncmp(cli->args[0], "0x", 2) ? "of caller" : "holds",
				      cli->args[0]);
	if (!err && st.missing_bytes && !cli->zero_fill)
		err = vd_error_create(VD_ERR_NODATA,
				      "%" PRIu64 " bytes are not in the dump; no file written (--zero-fill writes them as zeros)",
				      st.missing_bytes);
	if (cli->json) {
		vd_json_end_array(&cli->j);
		vd_json_kv_uint(&cli->j, "bytes", st.bytes);
		vd_json_kv_uint(&cli->j, "unmapped_bytes", st.unmapped_bytes);
		vd_json_kv_uint(&cli->j, "missing_bytes", st.missing_bytes);
		vd_json_kv_bool(&cli->j, "complete", !err);
		vd_json_kv_string(&cli->j, "error", err ? err->msg : NULL);
		vd_cli_holes_json(&holes);
		vd_json_end_object(&cli->j);
	} else {
		fprintf(cli->out, "%ld areas, %" PRIu64 " bytes (%" PRIu64 " not mapped)\n",
			n < 0 ? 0 : n, st.bytes, st.unmapped_bytes);
	}
	vd_cli_holes_free(&holes);
	if (err) {
		unlink(cli->output);
		vd_cli_report(cli, err);
		return VD_EXIT_FAIL;
	}
	return VD_EXIT_OK;
}
