// SPDX-License-Identifier: MIT
/*
 * The session: glues the dump (formats/), translation (arch/) and symbols
 * together, and is the one read path for physical, kernel virtual and
 * user virtual addresses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "session_priv.h"

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
			err = vd_session_check_vmlinux(s, opts);
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
	if (opts->module_debug && (err = vd_moddebug_check_dir(opts->module_debug)))
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
	vd_types_deinit(&s->types);
	vd_modsyms_destroy(s->modsyms);    // module symbols (module_syms.c)
	vd_probe_destroy(s->probe);        // probed symbols (probe_syms.c)
	free(s->vmlinux_path);
	free(s->module_debug);
	vd_moddebug_destroy(s->moddebug);
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

struct vd_dump *
vd_session_dump(struct vd_session *s)
{
	return s->dump;
}

const struct vd_dump_info *
vd_session_info(const struct vd_session *s)
{
	return vd_dump_info(s->dump);
}

const char *
vd_session_vmcoreinfo(const struct vd_session *s, const char *key)
{
	return vd_vmcoreinfo_get(&s->vmcoreinfo, key);
}

bool
vd_session_number(const struct vd_session *s, const char *key, uint64_t *ret)
{
	return vd_vmcoreinfo_number(&s->vmcoreinfo, key, ret);
}

const char *
vd_session_symbol_source(const struct vd_session *s)
{
	return s->symbol_source;
}

/*
 * The kernel's page size: VMCOREINFO PAGESIZE, which is the truth even when
 * the dump's unit differs (QEMU's arm64 kdump files use 64 KiB blocks for
 * a 4 KiB-page kernel), else the dump's page size.
 */
uint64_t
vd_session_page_size(struct vd_session *s)
{
	uint64_t v;

	if (vd_session_number(s, "PAGESIZE", &v) && vd_is_pow2(v) && v >= 4096 &&
	    v <= (1u << 16))
		return v;
	v = vd_session_info(s)->page_size;
	return vd_is_pow2(v) ? v : 4096;
}

/* Translation callbacks ---------------------------------------------------- */

static struct vd_error *
cb_read_phys64(void *priv, uint64_t paddr, uint64_t *ret)
{
	struct vd_session *s = priv;
	unsigned char buf[8];
	struct vd_error *err;

	err = vd_dump_read(s->dump, paddr, buf, sizeof(buf), NULL);
	if (err)
		return err;
	*ret = vd_get64(buf, vd_session_info(s)->big_endian);
	return NULL;
}

/* A control register from the first CPU note that has them (QEMU). */
static bool
cpu_register(const struct vd_session *s, const char *key, uint64_t *ret)
{
	const struct vd_dump_info *info = vd_session_info(s);

	for (size_t i = 0; i < info->ncpus; i++) {
		const struct vd_cpu_state *cpu = &info->cpus[i];

		if (!cpu->have_cr)
			continue;
		if (!strcmp(key, "cr3"))
			*ret = cpu->cr3;
		else if (!strcmp(key, "cr4"))
			*ret = cpu->cr4;
		else
			return false;
		return true;
	}
	return false;
}

static bool
cb_number(void *priv, const char *key, uint64_t *ret)
{
	struct vd_session *s = priv;

	if (!strcmp(key, "cr3") || !strcmp(key, "cr4"))
		return cpu_register(s, key, ret);
	return vd_session_number(s, key, ret);
}

static bool
cb_symbol(void *priv, const char *name, uint64_t *ret)
{
	return vd_session_symbol(priv, name, ret);
}

struct vd_error *
vd_session_xlat(struct vd_session *s, struct vd_xlat **ret)
{
	const struct vd_dump_info *info = vd_session_info(s);
	struct vd_xlat_cb cb = {
		.priv = s,
		.read_phys64 = cb_read_phys64,
		.number = cb_number,
		.symbol = cb_symbol,
	};

	if (!s->xlat && !s->xlat_err) {
		if (info->kind != VD_DUMP_KERNEL)
			s->xlat_err = vd_error_create(VD_ERR_INVALID_ARG,
						      "%s: a process core has no kernel page tables",
						      info->path);
		else {
			s->xlat_busy = true;
			s->xlat_err = vd_xlat_create(info->arch, &cb, &s->xlat);
			s->xlat_busy = false;
		}
		if (s->xlat_err)
			s->xlat_err = vd_error_wrap(s->xlat_err, "%s",
						    info->path);
	}
	if (s->xlat_err) {
		// Hand out a copy: the session keeps its own.
		struct vd_error *copy = vd_error_create(s->xlat_err->code, "%s",
							s->xlat_err->msg);
		return copy;
	}
	*ret = s->xlat;
	return NULL;
}

/* Reads -------------------------------------------------------------------- */

static struct vd_error *
read_kvirt(struct vd_session *s, uint64_t addr, unsigned char *buf,
	   size_t len, size_t *done_ret)
{
	struct vd_xlat *xlat;
	struct vd_error *err;

	*done_ret = 0;
	err = vd_session_xlat(s, &xlat);
	if (err)
		return err;
	while (*done_ret < len) {
		uint64_t va = addr + *done_ret, pa, psize, n;
		size_t got = 0;

		err = vd_xlat_translate(xlat, va, &pa, &psize);
		if (err)
			return err;
		// Stay inside the mapping (a 2 MiB or 1 GiB page reads at once).
		n = psize - (va & (psize - 1));
		n = VD_MIN(n, (uint64_t)(len - *done_ret));
		err = vd_dump_read(s->dump, pa, buf + *done_ret, n, &got);
		*done_ret += got;
		if (err)
			return vd_error_wrap(err, "kernel virtual 0x%llx -> physical 0x%llx",
					     (unsigned long long)(va + got),
					     (unsigned long long)(pa + got));
	}
	return NULL;
}

struct vd_error *
vd_session_read(struct vd_session *s, enum vd_as as, uint64_t addr, void *buf,
		size_t len, size_t *done_ret)
{
	const struct vd_dump_info *info = vd_session_info(s);
	struct vd_error *err;
	size_t done = 0;

	switch (as) {
	case VD_AS_PHYS:
		if (info->kind != VD_DUMP_KERNEL)
			return vd_error_create(VD_ERR_INVALID_ARG,
					       "%s: a process core has no physical memory",
					       info->path);
		err = vd_dump_read(s->dump, addr, buf, len, &done);
		break;
	case VD_AS_UVIRT:
		if (info->kind != VD_DUMP_USER)
			return vd_error_create(VD_ERR_NOTIMPL,
					       "user addresses of a kernel dump need a process context");
		err = vd_dump_read(s->dump, addr, buf, len, &done);
		break;
	case VD_AS_KVIRT:
		err = read_kvirt(s, addr, buf, len, &done);
		break;
	default:
		return vd_error_create(VD_ERR_INVALID_ARG, "no such address space");
	}
	if (done_ret)
		*done_ret = done;
	return err;
}

struct vd_error *
vd_session_read_u64(struct vd_session *s, enum vd_as as, uint64_t addr,
		    uint64_t *ret)
{
	unsigned char buf[8];
	struct vd_error *err = vd_session_read(s, as, addr, buf, 8, NULL);

	if (err)
		return err;
	*ret = vd_get64(buf, vd_session_info(s)->big_endian);
	return NULL;
}
