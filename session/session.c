// SPDX-License-Identifier: MIT
/*
 * The session facade: opens a dump, loads the symbol table of a vmlinux or
 * System.map, and owns (and frees) the state of every layer below it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "kernel/session_priv.h"
#include "modules/modules_priv.h"
#include "symbols/symbols_priv.h"
#include "types/ctype_priv.h"
#include "ucore/ucore.h"

/* What lower layers ask of modules/ (kernel/session_priv.h). */
static const struct vd_session_hooks hooks = {
	.module_symbolize = vd_module_syms_symbolize,
	.module_lookup = vd_module_syms_lookup,
	.module_types = vd_module_types_source_create,
	.typed_symbol = vd_scan_typed_symbol,
};

/*
 * A vmlinux matches the dump when the BUILD-ID notes agree, or (no build
 * id on either side) when the dump's SYMBOL(_stext)/SYMBOL(init_uts_ns)
 * land where the KASLR-shifted vmlinux puts them.
 */
static struct vd_error *
check_vmlinux(struct vd_session *s,
			 const struct vd_session_opts *opts)
{
	static const char *const probes[] = { "_stext", "init_uts_ns",
					      "swapper_pg_dir", "init_top_pgt" };
	const char *dump_id = vd_session_vmcoreinfo(s, "BUILD-ID");
	const char *path = opts->vmlinux;

	if (opts->force_vmlinux)
		return NULL;
	if (dump_id && s->build_id[0]) {
		if (!strncmp(dump_id, s->build_id, strlen(s->build_id)))
			return NULL;
		return vd_error_create(VD_ERR_INVALID_ARG,
				       "%s: vmlinux build-id %s does not match the dump's BUILD-ID %s (use --force-vmlinux to use it anyway)",
				       path, s->build_id, dump_id);
	}
	for (size_t i = 0; i < VD_ARRAY_SIZE(probes); i++) {
		const struct vd_symbol *sym = vd_symtab_by_name(&s->symtab, probes[i]);
		char key[64];
		uint64_t want;

		snprintf(key, sizeof(key), "SYMBOL(%s)", probes[i]);
		if (!vd_session_number(s, key, &want))
			continue;
		// The dumped kernel has it and this file does not: no kernel
		// at all, or another architecture's.
		if (!sym)
			return vd_error_create(VD_ERR_INVALID_ARG,
					       "%s: no build-id to compare and no symbol %s, which the dump has at 0x%llx: not the dumped kernel (use --force-vmlinux to use it anyway)",
					       path, probes[i], (unsigned long long)want);
		if (sym->addr == want)
			return NULL;
		return vd_error_create(VD_ERR_INVALID_ARG,
				       "%s: vmlinux puts %s at 0x%llx but the dump has it at 0x%llx: not the dumped kernel (use --force-vmlinux to use it anyway)",
				       path, probes[i], (unsigned long long)sym->addr,
				       (unsigned long long)want);
	}
	return NULL;
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
		err = vd_symtab_load_elf(opts->vmlinux, offset, s->build_id,
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
	err = load_symbols(s, opts);
	if (err)
		goto fail;
	if (opts->module_debug && (err = vd_module_debug_check_dir(opts->module_debug)))
		goto fail;
	if (opts->module_debug && !(s->module_debug = strdup(opts->module_debug))) {
		err = &vd_enomem;
		goto fail;
	}
	if (!opts->no_cache)
		s->cache_dir = vd_cache_dir(opts->cache_dir);   // NULL: none
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
	vd_scan_destroy(s->scan);          // the image scan (symbols/scan_image.c)
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
