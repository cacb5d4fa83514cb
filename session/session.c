// SPDX-License-Identifier: MIT
/*
 * The session facade: opens a dump, loads the symbol table of a vmlinux or
 * System.map, and owns (and frees) the state of every layer below it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/util.h"
#include "kernel/session_priv.h"
#include "modules/modules_priv.h"
#include "dwarf/dwarf_source.h"
#include "symbols/symbols_priv.h"
#include "types/ctype_priv.h"
#include "ucore/ucore.h"

/* What lower layers ask of modules/ (kernel/session_priv.h). */
static const struct vd_session_hooks hooks = {
	.module_symbolize = vd_module_syms_symbolize,
	.module_lookup = vd_module_syms_lookup,
	.kernel_dwarf_types = vd_dwarf_source_create,
	.module_types = vd_module_types_source_create,
	.typed_symbol = vd_scan_typed_symbol,
};

/*
 * The dump's identity for messages: "OSRELEASE 6.1.0-57-cloud-amd64,
 * BUILD-ID 1234..." as far as VMCOREINFO tells.
 */
static void
dump_identity(struct vd_session *s, char *buf, size_t size)
{
	const char *rel = vd_session_vmcoreinfo(s, "OSRELEASE");
	const char *id = vd_session_vmcoreinfo(s, "BUILD-ID");

	snprintf(buf, size, "%s%s%s%s%s", rel ? "OSRELEASE " : "", rel ? rel : "",
		 rel && id ? ", " : "", id ? "BUILD-ID " : "", id ? id : "");
	if (!buf[0])
		snprintf(buf, size, "no OSRELEASE or BUILD-ID in VMCOREINFO");
}

/*
 * Every SYMBOL(name) of VMCOREINFO against the side file's table (KASLR
 * shift applied at load): a table of the dumped kernel agrees on all of
 * them.  SYMBOL(mem_section) is the pointer's value with
 * CONFIG_SPARSEMEM_EXTREME (VMCOREINFO_SYMBOL_ARRAY of a pointer), not an
 * address, so it is not compared; nor are names the table lacks:
 * VMCOREINFO names macros too (node_online_map is node_states[N_ONLINE]).
 * Returns NULL, or the refusal naming
 * both sides: the first symbol that differs, where each puts it, how many
 * differ, and the dump's release and build-id.
 */
static struct vd_error *
check_symbol_values(struct vd_session *s, const struct vd_symtab *st,
		    const char *what, const char *path, const char *force,
		    size_t *ncompared)
{
	size_t nsame = 0, ndiff = 0;
	const char *first = NULL;
	uint64_t first_dump = 0, first_file = 0;
	char ident[256];

	for (size_t i = 0; i < s->vmcoreinfo.n; i++) {
		const char *key = s->vmcoreinfo.entries[i].key;
		size_t len = strlen(key);
		char name[128];
		const struct vd_symbol *sym;
		uint64_t want;

		if (strncmp(key, "SYMBOL(", 7) || key[len - 1] != ')' || len - 8 >= sizeof(name))
			continue;
		memcpy(name, key + 7, len - 8);
		name[len - 8] = '\0';
		if (!strcmp(name, "mem_section") || !vd_session_number(s, key, &want))
			continue;
		sym = vd_symtab_by_name(st, name);
		if (!sym)
			continue;
		if (sym->addr == want) {
			nsame++;
			continue;
		}
		// _stext, the start of the kernel's text, names it best.
		if (!ndiff++ || !strcmp(name, "_stext")) {
			first = s->vmcoreinfo.entries[i].key;
			first_dump = want;
			first_file = sym->addr;
		}
	}
	*ncompared = nsame + ndiff;
	if (!ndiff)
		return NULL;
	dump_identity(s, ident, sizeof(ident));
	return vd_error_create(VD_ERR_INVALID_ARG,
			       "%s: not the dumped kernel's %s: it puts %.*s at 0x%llx, the dump (%s) at 0x%llx; %zu of %zu SYMBOL() values of VMCOREINFO differ (use %s to use it anyway)",
			       path, what, (int)strlen(first) - 8, first + 7,
			       (unsigned long long)first_file, ident,
			       (unsigned long long)first_dump, ndiff, nsame + ndiff, force);
}

/*
 * No SYMBOL() to compare (a dump without VMCOREINFO, or a table that names
 * none of them): the kernel's linux_banner where the table puts it must
 * read "Linux version OSRELEASE" -- the string /proc/version shows.  A
 * table without linux_banner is no Linux kernel's (every kernel defines it,
 * init/version.c); unreadable: no verdict.
 */
static struct vd_error *
check_banner(struct vd_session *s, const struct vd_symtab *st, const char *what,
	     const char *path, const char *force)
{
	const struct vd_symbol *sym = vd_symtab_by_name(st, "linux_banner");
	const char *rel = vd_session_vmcoreinfo(s, "OSRELEASE");
	char banner[160], want[128];
	struct vd_error *err;

	if (!sym)
		return vd_error_create(VD_ERR_INVALID_ARG,
				       "%s: not the dumped kernel's %s: it defines neither linux_banner nor any symbol VMCOREINFO names (use %s to use it anyway)",
				       path, what, force);
	err = vd_session_read(s, VD_AS_KVIRT, sym->addr, banner, sizeof(banner) - 1, NULL);
	if (err) {
		vd_error_destroy(err);
		return NULL;
	}
	banner[sizeof(banner) - 1] = '\0';
	banner[strcspn(banner, "\n")] = '\0';
	snprintf(want, sizeof(want), "Linux version %s", rel ? rel : "");
	if (!strncmp(banner, want, strlen(want)))
		return NULL;
	for (char *c = banner; *c; c++)
		if (*c < 0x20 || *c > 0x7e)
			*c = '.';
	return vd_error_create(VD_ERR_INVALID_ARG,
			       "%s: not the dumped kernel's %s: the dump holds \"%.60s\" where it puts linux_banner (0x%llx), not \"%s\" (use %s to use it anyway)",
			       path, what, banner, (unsigned long long)sym->addr, want, force);
}

/* A System.map of another kernel is refused (--force-system-map overrides). */
static struct vd_error *
check_system_map(struct vd_session *s, const struct vd_session_opts *opts)
{
	size_t n;
	struct vd_error *err;

	if (opts->force_system_map)
		return NULL;
	err = check_symbol_values(s, &s->symtab, "System.map", opts->system_map,
				  "--force-system-map", &n);
	if (err || n)
		return err;
	return check_banner(s, &s->symtab, "System.map", opts->system_map,
			    "--force-system-map");
}

/*
 * A vmlinux matches the dump when the BUILD-ID notes agree; without a
 * build-id on either side, when every VMCOREINFO SYMBOL() lands where the
 * KASLR-shifted vmlinux puts it; without those, when linux_banner reads
 * as the dump's release.
 */
static struct vd_error *
check_vmlinux(struct vd_session *s, const struct vd_session_opts *opts)
{
	const char *dump_id = vd_session_vmcoreinfo(s, "BUILD-ID");
	const char *path = opts->vmlinux;
	struct vd_error *err;
	size_t n;

	if (opts->force_vmlinux)
		return NULL;
	if (dump_id && s->build_id[0]) {
		if (!strncmp(dump_id, s->build_id, strlen(s->build_id)))
			return NULL;
		return vd_error_create(VD_ERR_INVALID_ARG,
				       "%s: vmlinux build-id %s does not match the dump's BUILD-ID %s (use --force-vmlinux to use it anyway)",
				       path, s->build_id, dump_id);
	}
	err = check_symbol_values(s, &s->symtab, "vmlinux", path, "--force-vmlinux", &n);
	if (err || n)
		return err;
	return check_banner(s, &s->symtab, "vmlinux", path, "--force-vmlinux");
}

static struct vd_error *
load_symbols(struct vd_session *s, const struct vd_session_opts *opts)
{
	uint64_t offset = 0;
	struct vd_error *err;

	// vmlinux and System.map carry link-time addresses; KERNELOFFSET is
	// the KASLR slide the kernel chose at boot.
	vd_session_number(s, "KERNELOFFSET", &offset);
	if (opts->vmlinux) {
		err = vd_symtab_load_elf(opts->vmlinux, offset, s->cache_dir, s->build_id,
					 &s->symtab);
		if (!err)
			err = check_vmlinux(s, opts);
		if (err)
			return err;
		snprintf(s->symbol_source, sizeof(s->symbol_source),
			 "vmlinux %s", opts->vmlinux);
		s->have_symtab = true;
		s->vmlinux_path = strdup(opts->vmlinux);
		if (!s->vmlinux_path)
			return &vd_enomem;
	} else if (opts->system_map) {
		err = vd_symtab_load_system_map(opts->system_map, offset,
						&s->symtab);
		if (err)
			return err;
		snprintf(s->symbol_source, sizeof(s->symbol_source),
			 "System.map %s", opts->system_map);
		s->have_symtab = true;
		err = check_system_map(s, opts);
		if (err)
			return err;
	} else {
		snprintf(s->symbol_source, sizeof(s->symbol_source), "%s",
			 vd_vmcoreinfo_get(&s->vmcoreinfo, "SYMBOL(kallsyms_names)") ?
			 "kallsyms in the dump (no vmlinux given)" :
			 s->vmcoreinfo.n ?
			 "kallsyms in the kernel image if found there (VMCOREINFO does not list it), else VMCOREINFO SYMBOL() lines" :
			 "none");
	}
	return NULL;
}

struct vd_error *
vd_session_open(const char *const *paths, size_t npaths,
		const struct vd_session_opts *opts, struct vd_session **ret)
{
	static const struct vd_session_opts no_opts;
	const struct vd_dump_info *info;
	struct vd_session *s;
	struct vd_error *err;

	if (!opts)
		opts = &no_opts;
	s = calloc(1, sizeof(*s));
	if (!s)
		return &vd_enomem;
	s->hooks = &hooks;
	err = vd_dump_open(paths, npaths, &opts->dump, &s->dump);
	if (err)
		goto fail;
	info = vd_dump_info(s->dump);
	if (info->vmcoreinfo) {
		err = vd_vmcoreinfo_parse(info->vmcoreinfo, info->vmcoreinfo_len,
					  &s->vmcoreinfo);
		if (err)
			goto fail;
	}
	// The cache directory first: the vmlinux's symbol table is kept there.
	if (!opts->no_cache)
		s->cache_dir = vd_cache_dir(opts->cache_dir);   // NULL: none
	err = load_symbols(s, opts);
	if (err)
		goto fail;
	if (opts->module_debug && (err = vd_module_debug_check_dir(opts->module_debug)))
		goto fail;
	if (opts->module_debug && !(s->module_debug = strdup(opts->module_debug))) {
		err = &vd_enomem;
		goto fail;
	}
	// --sysroot is a directory too: refused at open, not ignored later.
	if (opts->sysroot) {
		struct stat st;

		if (stat(opts->sysroot, &st) != 0)
			err = vd_error_os(errno, "%s: --sysroot", opts->sysroot);
		else if (!S_ISDIR(st.st_mode))
			err = vd_error_create(VD_ERR_INVALID_ARG,
					      "%s: --sysroot is not a directory", opts->sysroot);
		if (err)
			goto fail;
	}
	if ((opts->sysroot && !(s->sysroot = strdup(opts->sysroot))) ||
	    (opts->exe && !(s->exe = strdup(opts->exe)))) {
		err = &vd_enomem;
		goto fail;
	}
	*ret = s;
	return NULL;
fail:
	vd_session_close(s);
	return err;
}

void
vd_session_close(struct vd_session *s)
{
	if (!s)
		return;
	vd_types_destroy(s->types);
	vd_module_syms_destroy(s->modsyms);    // module symbols (modules/module_syms.c)
	vd_scan_close(s);                  // the image scan (symbols/scan_image.c)
	free(s->vmlinux_path);
	free(s->module_debug);
	vd_module_debug_destroy(s->moddebug);
	vd_ucore_destroy(s->ucore);
	free(s->sysroot);
	free(s->exe);
	vd_xlat_destroy(s->xlat);
	vd_error_destroy(s->xlat_err);
	vd_symtab_deinit(&s->symtab);
	vd_kallsyms_close(s);
	vd_error_destroy(s->kallsyms_err);
	free(s->cache_dir);
	vd_vmcoreinfo_deinit(&s->vmcoreinfo);
	vd_dump_close(s->dump);
	free(s);
}
