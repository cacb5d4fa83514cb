// SPDX-License-Identifier: MIT
/*
 * vmdive maps: a process core's memory map.  One row per PT_LOAD (a VMA
 * of the process), joined with the file mapping there (NT_FILE's, or for
 * a core without it, one derived from the dynamic linker's link_map):
 * permissions, how much of it the core holds, and for what it does not
 * hold, whether the file on disk can stand in (build-id checked).
 * File mappings without a PT_LOAD get rows of their own.
 */
#include <elf.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "vmdive/core.h"

struct map_row {
	uint64_t start, end;
	uint32_t flags;
	bool has_load;
	uint64_t filesz, avail;         /* from the PT_LOAD */
	long file;                      /* file mapping, or -1 */
	uint64_t offset;                /* in the file, at start */
	const struct vd_core_object *obj;
};

static const char *const check_names[] = {
	[VD_CORE_FILE_MATCH] = "match",
	[VD_CORE_FILE_UNCHECKED] = "unchecked",
	[VD_CORE_FILE_MISMATCH] = "mismatch",
	[VD_CORE_FILE_MISSING] = "missing",
};

static long
file_holding(const struct vd_core_files *fs, uint64_t addr)
{
	for (size_t i = 0; i < fs->n; i++)
		if (fs->files[i].start <= addr && addr < fs->files[i].end)
			return (long)i;
	return -1;
}

/* Does a PT_LOAD overlap [start, end)?  Loads are sorted, disjoint. */
static bool
load_overlaps(const struct vd_core_info *core, uint64_t start, uint64_t end)
{
	size_t lo = 0, hi = core->nloads;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (core->loads[mid].end <= start)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < core->nloads && core->loads[lo].start < end;
}

static void
row_file(struct vd_cli *cli, const struct vd_core_files *fs,
	 struct map_row *r)
{
	if (r->file < 0)
		return;
	r->offset = fs->files[r->file].offset +
		    (r->start - fs->files[r->file].start);
	// The file matters only where the core has no data.
	if (!r->has_load || r->filesz < r->end - r->start)
		r->obj = vd_session_core_object_nth(cli->session, (size_t)r->file);
}

static const char *
in_core(const struct map_row *r)
{
	if (!r->has_load)
		return "none";
	if (r->avail == r->end - r->start)
		return "all";
	return r->avail ? "partial" : "none";
}

static void
perms(uint32_t flags, bool has_load, char out[4])
{
	out[0] = !has_load ? '?' : flags & PF_R ? 'r' : '-';
	out[1] = !has_load ? '?' : flags & PF_W ? 'w' : '-';
	out[2] = !has_load ? '?' : flags & PF_X ? 'x' : '-';
	out[3] = '\0';
}

/* What stands in for the part the core lacks. */
static const char *
source_text(const struct map_row *r, char *buf, size_t len)
{
	if (r->has_load && r->avail == r->end - r->start)
		return "";
	if (r->has_load && r->avail < r->filesz)
		return "core truncated";
	if (!r->obj)
		return r->file < 0 ? "not dumped" : "";
	switch (r->obj->check) {
	case VD_CORE_FILE_MATCH:
		return "read from file (build-id matches)";
	case VD_CORE_FILE_UNCHECKED:
		snprintf(buf, len, "read from file (unverified: %s)", r->obj->why);
		return buf;
	default:
		snprintf(buf, len, "not readable: file %s", r->obj->why);
		return buf;
	}
}

static void
print_text(const struct vd_core_files *fs, const struct map_row *r)
{
	char p[4], size[32], dumped[32], src[512];
	const char *ic = in_core(r), *s;

	perms(r->flags, r->has_load, p);
	vd_cli_format_size(r->end - r->start, size, sizeof(size));
	if (!strcmp(ic, "partial")) {
		vd_cli_format_size(r->avail, dumped, sizeof(dumped));
		ic = dumped;
	}
	printf("%016" PRIx64 " %016" PRIx64 " %s %10s %-9s ", r->start, r->end,
	       p, size, ic);
	if (r->file >= 0)
		printf("%10" PRIx64 " %s", r->offset, fs->files[r->file].path);
	else
		printf("%10s", "");
	s = source_text(r, src, sizeof(src));
	printf("%s%s\n", *s ? "  " : "", s);
}

static void
print_json(struct vd_json *j, const struct vd_core_files *fs,
	   const struct map_row *r)
{
	char p[4], src[512];

	perms(r->flags, r->has_load, p);
	vd_json_begin_object(j);
	vd_json_kv_hex(j, "start", r->start);
	vd_json_kv_hex(j, "end", r->end);
	vd_json_kv_string(j, "perms", r->has_load ? p : NULL);
	vd_json_kv_uint(j, "size", r->end - r->start);
	vd_json_kv_bool(j, "pt_load", r->has_load);
	vd_json_kv_uint(j, "dumped", r->avail);
	vd_json_kv_string(j, "in_core", in_core(r));
	vd_json_kv_bool(j, "truncated", r->has_load && r->avail < r->filesz);
	vd_json_kv_string(j, "path", r->file >= 0 ? fs->files[r->file].path : NULL);
	if (r->file >= 0)
		vd_json_kv_hex(j, "offset", r->offset);
	vd_json_kv_string(j, "file", r->obj ? r->obj->file : NULL);
	vd_json_kv_string(j, "file_check", r->obj ? check_names[r->obj->check] : NULL);
	vd_json_kv_string(j, "note", source_text(r, src, sizeof(src)));
	vd_json_end_object(j);
}

static void
emit(struct vd_cli *cli, const struct vd_core_files *fs, struct map_row *r)
{
	row_file(cli, fs, r);
	if (cli->json)
		print_json(&cli->j, fs, r);
	else
		print_text(fs, r);
}

int
vd_cmd_maps(struct vd_cli *cli)
{
	const struct vd_dump_info *info = vd_session_info(cli->session);
	const struct vd_core_info *core = info->core;
	const struct vd_core_files *fs;

	if (!core) {
		vd_cli_error(cli, "%s: a kernel dump, not a process core: 'maps' lists a process's mappings",
			     info->path);
		return VD_EXIT_USAGE;
	}
	fs = vd_session_core_files(cli->session);
	if (!fs)
		return VD_EXIT_FAIL;
	if (cli->json)
		vd_json_begin_array(&cli->j);
	else
		printf("%-16s %-16s %s %10s %-9s %10s %s\n", "START", "END",
		       "PRM", "SIZE", "IN CORE", "OFFSET", "FILE");
	for (size_t i = 0; i < core->nloads; i++) {
		const struct vd_core_load *l = &core->loads[i];
		struct map_row r = { .start = l->start, .end = l->end,
				     .flags = l->flags, .has_load = true,
				     .filesz = l->filesz, .avail = l->avail,
				     .file = file_holding(fs, l->start) };

		emit(cli, fs, &r);
	}
	for (size_t i = 0; i < fs->n; i++) {
		const struct vd_core_file *f = &fs->files[i];
		struct map_row r = { .start = f->start, .end = f->end,
				     .file = (long)i };

		if (!load_overlaps(core, f->start, f->end))
			emit(cli, fs, &r);
	}
	if (cli->json) {
		vd_json_end_array(&cli->j);
		return VD_EXIT_OK;
	}
	// 'info --json' has these as file_mappings_source and _note.
	if (fs->source && strcmp(fs->source, "NT_FILE"))
		printf("file mappings: from the dynamic linker's %s chain in memory (the core has no NT_FILE)\n",
		       fs->source);
	else if (!fs->source)
		printf("file mappings: none (the core has no NT_FILE)\n");
	if (fs->note)
		printf("left out: %s\n", fs->note);
	return VD_EXIT_OK;
}
