// SPDX-License-Identifier: MIT
/* vmdive vtop / ptov: address translation, shown level by level. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "common/util.h"
#include "vmdive/memory.h"

/* "PGD L0" (arm64: the kernel's name and the Arm ARM's lookup level) or "PGD". */
static void
step_label(const struct vd_xlat_step *st, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", st->level ? st->level : "?",
		 st->hw_level ? " " : "", st->hw_level ? st->hw_level : "");
}

/* "51:47": the VA bits the entry index comes from; "" when not stated. */
static void
step_bits(const struct vd_xlat_step *st, char *buf, size_t len)
{
	if (st->va_bits)
		snprintf(buf, len, "%u:%u", st->va_shift + st->va_bits - 1u,
			 (unsigned)st->va_shift);
	else if (len)
		buf[0] = '\0';
}

static void
vtop_text(struct vd_cli *cli, struct vd_xlat *xlat,
	  const struct vd_xlat_walk *walk, const struct vd_error *err,
	  const struct vd_swap_page *swap)
{
	const struct vd_region *region = vd_xlat_region(xlat, walk->va);
	char sym[256], flags[256], size[32], label[32], bits[16];
	int width = 3;

	vd_cli_symbolize(cli, walk->va, sym, sizeof(sym));
	printf("VIRTUAL %016" PRIx64 "  %s%s%s%s\n", walk->va,
	       region ? region->name : "", *sym ? " (" : "", sym, *sym ? ")" : "");
	for (unsigned i = 0; i < walk->nsteps; i++) {
		step_label(&walk->steps[i], label, sizeof(label));
		width = VD_MAX(width, (int)strlen(label));
	}
	for (unsigned i = 0; i < walk->nsteps; i++) {
		const struct vd_xlat_step *st = &walk->steps[i];

		vd_xlat_entry_flags(xlat, st, flags, sizeof(flags));
		step_label(st, label, sizeof(label));
		step_bits(st, bits, sizeof(bits));
		printf("  %-*s  va[%-5s]  table %-12" PRIx64 " [%4u] entry@%-12" PRIx64
		       " = %016" PRIx64 "  %s\n",
		       width, label, bits, st->table, st->index, st->entry_addr,
		       st->entry, flags);
	}
	if (swap) {
		char where[256];

		vd_swap_page_describe(swap, where, sizeof(where));
		printf("  %s\n", where);
	} else if (err) {
		printf("  error: %s\n", err->msg);
	} else {
		vd_cli_format_size(walk->page_size, size, sizeof(size));
		printf("PHYSICAL %" PRIx64 "  (%s page at %" PRIx64 ")\n", walk->pa,
		       size, walk->pa & ~(walk->page_size - 1));
	}
}

static const char *
swap_source_name(enum vd_swap_source s)
{
	switch (s) {
	case VD_SWAP_CACHE: return "swap-cache";
	case VD_SWAP_ZRAM: return "zram";
	case VD_SWAP_ZRAM_HUGE: return "zram-huge";
	case VD_SWAP_ZRAM_SAME: return "zram-same";
	case VD_SWAP_ZERO: return "zero";
	}
	return "?";
}

static void
vtop_json(struct vd_cli *cli, struct vd_xlat *xlat,
	  const struct vd_xlat_walk *walk, const struct vd_error *err,
	  const struct vd_swap_page *swap)
{
	const struct vd_region *region = vd_xlat_region(xlat, walk->va);
	struct vd_json *j = &cli->j;
	char sym[256], flags[256], bits[16];

	vd_json_begin_object(j);
	vd_json_kv_hex(j, "va", walk->va);
	vd_json_kv_string(j, "region", region ? region->name : NULL);
	vd_cli_symbolize(cli, walk->va, sym, sizeof(sym));
	vd_json_kv_string(j, "symbol", *sym ? sym : NULL);
	vd_json_key(j, "steps");
	vd_json_begin_array(j);
	for (unsigned i = 0; i < walk->nsteps; i++) {
		const struct vd_xlat_step *st = &walk->steps[i];

		vd_xlat_entry_flags(xlat, st, flags, sizeof(flags));
		vd_json_begin_object(j);
		vd_json_kv_string(j, "level", st->level);
		if (st->hw_level)
			vd_json_kv_string(j, "hw_level", st->hw_level);
		if (st->va_bits) {
			step_bits(st, bits, sizeof(bits));
			vd_json_kv_string(j, "index_bits", bits);
		}
		vd_json_kv_hex(j, "table", st->table);
		vd_json_kv_uint(j, "index", st->index);
		vd_json_kv_hex(j, "entry_addr", st->entry_addr);
		vd_json_kv_hex(j, "entry", st->entry);
		vd_json_kv_string(j, "flags", flags);
		vd_json_kv_bool(j, "leaf", st->leaf);
		vd_json_end_object(j);
	}
	vd_json_end_array(j);
	if (swap) {
		vd_json_key(j, "swap");
		vd_json_begin_object(j);
		vd_json_kv_uint(j, "type", swap->entry.type);
		vd_json_kv_uint(j, "offset", swap->entry.offset);
		vd_json_kv_string(j, "area", swap->entry.area[0] ? swap->entry.area : NULL);
		vd_json_kv_string(j, "source", swap_source_name(swap->source));
		if (swap->source == VD_SWAP_CACHE) {
			vd_json_kv_hex(j, "page", swap->page);
			vd_json_kv_hex(j, "pa", swap->pa);
		} else if (swap->source == VD_SWAP_ZERO) {
			// nothing stored: the page is zeros
		} else {
			vd_json_kv_string(j, "device", swap->device);
			vd_json_kv_hex(j, "zram", swap->zram);
			vd_json_kv_uint(j, "index", swap->index);
			vd_json_kv_hex(j, "flags", swap->flags);
			vd_json_kv_hex(j, swap->source == VD_SWAP_ZRAM_SAME ? "value" : "handle",
				       swap->handle);
			vd_json_kv_uint(j, "stored_bytes", swap->comp_len);
			vd_json_kv_string(j, "compressor", swap->alg[0] ? swap->alg : NULL);
		}
		vd_json_end_object(j);
		vd_json_key(j, "pa");
		vd_json_null(j);
		vd_json_end_object(j);
		return;
	}
	if (err) {
		vd_json_key(j, "pa");
		vd_json_null(j);
		vd_json_kv_string(j, "error", err->msg);
		vd_json_kv_string(j, "error_kind", vd_error_code_name(err->code));
	} else {
		vd_json_kv_hex(j, "pa", walk->pa);
		vd_json_kv_uint(j, "page_size", walk->page_size);
	}
	vd_json_end_object(j);
}

int
vd_cmd_vtop(struct vd_cli *cli)
{
	struct vd_xlat *xlat;
	struct vd_error *err;
	int ret = VD_EXIT_OK;

	err = vd_session_xlat(cli->session, &xlat);
	if (err) {
		vd_cli_report(cli, err);
		return VD_EXIT_FAIL;
	}
	if (cli->upid && (ret = vd_cli_utask_open(cli)))   // vtop -u PID
		return ret;
	if (cli->json)
		vd_json_begin_array(&cli->j);
	for (int i = 0; i < cli->nargs; i++) {
		struct vd_xlat_walk walk;
		struct vd_swap_page swap;
		bool have_swap;
		uint64_t va;

		if (!vd_cli_addr(cli, cli->args[i], &va)) {
			if (cli->json)
				vd_cli_json_query_error(cli, cli->args[i]);
			ret = VD_EXIT_FAIL;
			continue;
		}
		err = cli->utask ? vd_cli_uwalk(cli, va, &walk) : vd_xlat_walk(xlat, 0, va, &walk);
		// vtop -u of a swapped-out page: where it is, not an error
		have_swap = cli->utask && err && err->code == VD_ERR_NOTPRESENT &&
			    vd_cli_uswap(cli, va, &swap);
		if (cli->json)
			vtop_json(cli, xlat, &walk, err, have_swap ? &swap : NULL);
		else
			vtop_text(cli, xlat, &walk, err, have_swap ? &swap : NULL);
		if (err && !have_swap)
			ret = VD_EXIT_FAIL;
		vd_error_destroy(err);
		if (!cli->json && i + 1 < cli->nargs)
			putchar('\n');
	}
	if (cli->json)
		vd_json_end_array(&cli->j);
	return ret;
}

int
vd_cmd_ptov(struct vd_cli *cli)
{
	struct vd_xlat *xlat;
	struct vd_error *err;
	int ret = VD_EXIT_OK;

	err = vd_session_xlat(cli->session, &xlat);
	if (err) {
		vd_cli_report(cli, err);
		return VD_EXIT_FAIL;
	}
	if (cli->json)
		vd_json_begin_array(&cli->j);
	else
		printf("%-16s  %-16s  %s\n", "PHYSICAL", "VIRTUAL", "REGION");
	for (int i = 0; i < cli->nargs; i++) {
		const struct vd_region *regions[4];
		uint64_t pa, vas[4];
		size_t n;

		if (!vd_cli_addr(cli, cli->args[i], &pa)) {
			if (cli->json)
				vd_cli_json_query_error(cli, cli->args[i]);
			ret = VD_EXIT_FAIL;
			continue;
		}
		n = vd_xlat_ptov(xlat, pa, vas, regions, 4);
		if (!n)
			ret = VD_EXIT_FAIL;
		if (cli->json) {
			vd_json_begin_object(&cli->j);
			vd_json_kv_hex(&cli->j, "pa", pa);
			vd_json_key(&cli->j, "va");
			vd_json_begin_array(&cli->j);
			for (size_t k = 0; k < n; k++) {
				vd_json_begin_object(&cli->j);
				vd_json_kv_hex(&cli->j, "va", vas[k]);
				vd_json_kv_string(&cli->j, "region",
						  regions[k] ? regions[k]->name : NULL);
				vd_json_end_object(&cli->j);
			}
			vd_json_end_array(&cli->j);
			vd_json_end_object(&cli->j);
			continue;
		}
		if (!n)
			printf("%-16" PRIx64 "  %-16s  %s\n", pa, "-",
			       "not mapped linearly (not RAM the kernel maps)");
		for (size_t k = 0; k < n; k++)
			printf("%-16" PRIx64 "  %016" PRIx64 "  %s\n", pa, vas[k],
			       regions[k] ? regions[k]->name : "");
	}
	if (cli->json)
		vd_json_end_array(&cli->j);
	return ret;
}
