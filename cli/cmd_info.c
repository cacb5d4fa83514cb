// SPDX-License-Identifier: MIT
/* vmdive info: what the dump is. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "vmdive/ctype.h"
#include "common/util.h"

/* struct new_utsname: six 65-byte strings (include/uapi/linux/utsname.h). */
#define UTS_LEN 65
static const char *const uts_fields[] = { "sysname", "nodename", "release",
					  "version", "machine", "domainname" };

struct uts {
	bool ok;
	char field[6][UTS_LEN + 1];
};

/* The kernel's own utsname, read from init_uts_ns in the dump. */
static void
read_uts(struct vd_cli *cli, struct uts *uts)
{
	char buf[6 * UTS_LEN];
	uint64_t addr, off;

	uts->ok = false;
	if (!vd_session_number(cli->session, "SYMBOL(init_uts_ns)", &addr))
		return;
	// VMCOREINFO has OFFSET(uts_namespace.name) since 5.11 (commit
	// 55d9e11398a4 "kdump: append uts_namespace.name offset to
	// VMCOREINFO"); 5.10's struct uts_namespace starts with a kref, so
	// name is at 4 there: the type says where (BTF in the dump, or DWARF).
	if (!vd_session_number(cli->session, "OFFSET(uts_namespace.name)", &off)) {
		struct vd_qualified_type t;
		struct vd_error *err = vd_session_find_type(cli->session,
							    "struct uts_namespace", &t);

		if (!err)
			err = vd_type_offsetof(t.type, "name", &off);
		if (err) {
			vd_error_destroy(err);
			return;
		}
	}
	if (vd_session_read(cli->session, VD_AS_KVIRT, addr + off, buf,
			    sizeof(buf), NULL)) {
		// Not fatal for info: the dump may lack the page.
		return;
	}
	for (int i = 0; i < 6; i++) {
		memcpy(uts->field[i], buf + i * UTS_LEN, UTS_LEN);
		uts->field[i][UTS_LEN] = '\0';
	}
	uts->ok = true;
}

static void
format_time(uint64_t secs, char *buf, size_t len)
{
	time_t t = (time_t)secs;
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(buf, len, "?");
}

static uint64_t
memory_total(struct vd_cli *cli, size_t *nranges)
{
	const struct vd_mem_range *ranges;
	uint64_t total = 0;

	*nranges = vd_dump_ranges(vd_session_dump(cli->session), &ranges);
	for (size_t i = 0; i < *nranges; i++)
		total += ranges[i].end - ranges[i].start;
	return total;
}

/*
 * A reader's fact in JSON (docs/json.md): its snake_case key; a count or a
 * time (seconds since 1970) as a number, an address or flags as a hex
 * string, yes/no as true/false, a word or name as its text.
 */
void
vd_cli_attr_json(struct vd_json *j, const struct vd_attr *a)
{
	vd_json_key(j, a->key);
	switch (a->type) {
	case VD_ATTR_COUNT:
	case VD_ATTR_TIME:
		vd_json_uint(j, a->number);
		break;
	case VD_ATTR_HEX:
		vd_json_hex(j, a->number);
		break;
	case VD_ATTR_BOOL:
		vd_json_bool(j, a->number != 0);
		break;
	default:
		vd_json_string(j, a->value ? a->value : "");
		break;
	}
}

static void
print_param_text(const struct vd_xlat_param *p)
{
	if (p->kind == VD_PARAM_SIGNED && (int64_t)p->value < 0)
		printf("  %-22s -0x%" PRIx64 "\n", p->name, -p->value);
	else if (p->kind == VD_PARAM_COUNT)
		printf("  %-22s %" PRIu64 "\n", p->name, p->value);
	else
		printf("  %-22s 0x%" PRIx64 "\n", p->name, p->value);
}

static void
print_layout_text(struct vd_xlat *xlat)
{
	const struct vd_region *regions;
	size_t n = vd_xlat_layout(xlat, &regions);

	printf("\nkernel virtual memory layout (this dump):\n");
	printf("  %-18s   %-18s %10s  %-28s %s\n", "start", "end", "size",
	       "region", "base from");
	for (size_t i = 0; i < n; i++) {
		char size[32];

		vd_cli_format_size(regions[i].end - regions[i].start + 1, size,
				   sizeof(size));
		printf("  %016" PRIx64 " - %016" PRIx64 " %10s  %-28s %s\n",
		       regions[i].start, regions[i].end, size, regions[i].name,
		       regions[i].source ? regions[i].source : "");
	}
}

static void
info_text(struct vd_cli *cli, const struct uts *uts, struct vd_xlat *xlat,
	  struct vd_error *xlat_err)
{
	const struct vd_dump_info *info = vd_session_info(cli->session);
	const char *v;
	uint64_t n;
	size_t nranges;
	char buf[64];

	printf("%-24s", "dump");
	for (int i = 0; i < cli->ndumps; i++)
		printf("%s%s", i ? " " : "", cli->dumps[i]);
	printf("\n%-24s%s\n", "format", info->format);
	for (size_t i = 0; i < info->nattrs; i++)
		printf("  %-22s%s\n", info->attrs[i].key, info->attrs[i].value);
	printf("%-24s%s, %s-endian, %u-byte pages\n", "arch",
	       vd_arch_name(info->arch), info->big_endian ? "big" : "little",
	       info->page_size);
	if (uts->ok) {
		printf("%-24s%s\n", "kernel release", uts->field[2]);
		printf("%-24s%s\n", "kernel version", uts->field[3]);
		printf("%-24s%s\n", "hostname", uts->field[1]);
		printf("%-24s%s\n", "machine", uts->field[4]);
	} else if ((v = vd_session_vmcoreinfo(cli->session, "OSRELEASE"))) {
		printf("%-24s%s\n", "kernel release", v);
	}
	if ((v = vd_session_vmcoreinfo(cli->session, "BUILD-ID")))
		printf("%-24s%s\n", "build-id", v);
	if (vd_session_number(cli->session, "CRASHTIME", &n)) {
		format_time(n, buf, sizeof(buf));
		printf("%-24s%s (%" PRIu64 ")\n", "crash time", buf, n);
	}
	// Runs of consecutive pids as FIRST-LAST: a 1024-CPU machine's
	// QEMU notes (pid = vCPU + 1) take one short line.
	printf("%-24s%zu", "cpu notes", info->ncpus);
	for (size_t i = 0, j; i < info->ncpus; i = j) {
		for (j = i + 1; j < info->ncpus &&
		     (int64_t)info->cpus[j].pid == (int64_t)info->cpus[j - 1].pid + 1; j++)
			;
		printf("%s%d", i ? "," : " (pid ", info->cpus[i].pid);
		if (j - i > 2)
			printf("-%d", info->cpus[j - 1].pid);
		else if (j - i == 2)
			printf(",%d", info->cpus[j - 1].pid);
	}
	printf("%s\n", info->ncpus ? ")" : "");
	n = memory_total(cli, &nranges);
	vd_cli_format_size(n, buf, sizeof(buf));
	printf("%-24s%s in %zu ranges\n", "memory in dump", buf, nranges);
	printf("%-24s%s\n", "symbols", vd_session_symbol_source(cli->session));
	for (size_t i = 0; i < info->nwarnings; i++)
		printf("%-24s%s\n", "warning", info->warnings[i]);
	if (!xlat) {
		if (xlat_err)
			printf("%-24s%s\n", "translation", xlat_err->msg);
		return;
	}
	printf("%-24s\n", "paging");
	{
		const struct vd_xlat_param *params;
		size_t np = vd_xlat_params(xlat, &params);

		for (size_t i = 0; i < np; i++)
			print_param_text(&params[i]);
	}
	print_layout_text(xlat);
}

static void
info_json_layout(struct vd_cli *cli, struct vd_xlat *xlat)
{
	const struct vd_xlat_param *params;
	const struct vd_region *regions;
	size_t np = vd_xlat_params(xlat, &params);
	size_t nr = vd_xlat_layout(xlat, &regions);

	vd_json_key(&cli->j, "paging");
	vd_json_begin_object(&cli->j);
	for (size_t i = 0; i < np; i++) {
		if (params[i].kind == VD_PARAM_SIGNED) {
			// An offset that may be negative (x86_64's phys_base when
			// the kernel runs below its link address): hex like every
			// address, with its sign.
			char buf[24];

			snprintf(buf, sizeof(buf), "%s0x%" PRIx64,
				 (int64_t)params[i].value < 0 ? "-" : "",
				 (int64_t)params[i].value < 0 ? -params[i].value : params[i].value);
			vd_json_kv_string(&cli->j, params[i].name, buf);
		}
		else if (params[i].kind == VD_PARAM_COUNT)
			vd_json_kv_uint(&cli->j, params[i].name, params[i].value);
		else
			vd_json_kv_hex(&cli->j, params[i].name, params[i].value);
	}
	vd_json_end_object(&cli->j);
	vd_json_key(&cli->j, "layout");
	vd_json_begin_array(&cli->j);
	for (size_t i = 0; i < nr; i++) {
		vd_json_begin_object(&cli->j);
		vd_json_kv_string(&cli->j, "name", regions[i].name);
		vd_json_kv_hex(&cli->j, "start", regions[i].start);
		vd_json_kv_hex(&cli->j, "end", regions[i].end);
		vd_json_kv_string(&cli->j, "source", regions[i].source);
		vd_json_end_object(&cli->j);
	}
	vd_json_end_array(&cli->j);
}

static void
info_json(struct vd_cli *cli, const struct uts *uts, struct vd_xlat *xlat,
	  struct vd_error *xlat_err)
{
	const struct vd_dump_info *info = vd_session_info(cli->session);
	struct vd_json *j = &cli->j;
	size_t nranges;
	uint64_t n;

	vd_json_begin_object(j);
	vd_json_key(j, "dump");
	vd_json_begin_array(j);
	for (int i = 0; i < cli->ndumps; i++)
		vd_json_string(j, cli->dumps[i]);
	vd_json_end_array(j);
	vd_json_kv_string(j, "format", info->format);
	vd_json_key(j, "attrs");
	vd_json_begin_object(j);
	for (size_t i = 0; i < info->nattrs; i++)
		vd_cli_attr_json(j, &info->attrs[i]);
	vd_json_end_object(j);
	vd_json_kv_string(j, "kind", info->kind == VD_DUMP_KERNEL ? "kernel" : "user");
	vd_json_kv_string(j, "arch", vd_arch_name(info->arch));
	vd_json_kv_string(j, "endian", info->big_endian ? "big" : "little");
	vd_json_kv_uint(j, "page_size", info->page_size);
	vd_json_kv_string(j, "osrelease", vd_session_vmcoreinfo(cli->session, "OSRELEASE"));
	if (uts->ok) {
		vd_json_key(j, "utsname");
		vd_json_begin_object(j);
		for (int i = 0; i < 6; i++)
			vd_json_kv_string(j, uts_fields[i], uts->field[i]);
		vd_json_end_object(j);
	}
	vd_json_kv_string(j, "build_id", vd_session_vmcoreinfo(cli->session, "BUILD-ID"));
	if (vd_session_number(cli->session, "CRASHTIME", &n))
		vd_json_kv_uint(j, "crash_time", n);
	vd_json_key(j, "cpus");
	vd_json_begin_array(j);
	for (size_t i = 0; i < info->ncpus; i++) {
		vd_json_begin_object(j);
		vd_json_kv_int(j, "pid", info->cpus[i].pid);
		if (info->cpus[i].have_cr)
			vd_json_kv_hex(j, "cr3", info->cpus[i].cr3);
		vd_json_end_object(j);
	}
	vd_json_end_array(j);
	n = memory_total(cli, &nranges);
	vd_json_kv_uint(j, "memory_bytes", n);
	vd_json_kv_uint(j, "memory_ranges", nranges);
	vd_json_kv_string(j, "symbols", vd_session_symbol_source(cli->session));
	vd_json_key(j, "warnings");
	vd_json_begin_array(j);
	for (size_t i = 0; i < info->nwarnings; i++)
		vd_json_string(j, info->warnings[i]);
	vd_json_end_array(j);
	if (xlat)
		info_json_layout(cli, xlat);
	else if (xlat_err)
		vd_json_kv_string(j, "translation_error", xlat_err->msg);
	vd_json_end_object(j);
}

int
vd_cmd_info(struct vd_cli *cli)
{
	const struct vd_dump_info *info = vd_session_info(cli->session);
	struct vd_error *xlat_err = NULL;
	struct vd_xlat *xlat = NULL;
	struct uts uts = { 0 };

	if (info->core)
		return vd_cmd_info_core(cli);
	if (info->kind == VD_DUMP_KERNEL) {
		xlat_err = vd_session_xlat(cli->session, &xlat);
		if (!xlat_err)
			read_uts(cli, &uts);
	}
	if (cli->json)
		info_json(cli, &uts, xlat, xlat_err);
	else
		info_text(cli, &uts, xlat, xlat_err);
	vd_error_destroy(xlat_err);
	return VD_EXIT_OK;
}
