// SPDX-License-Identifier: MIT
/*
 * The kernel dump under a session: VMCOREINFO look-ups, the page size,
 * translation (arch/) set up on first use, and the one read path for
 * physical, kernel virtual and user virtual addresses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "session_priv.h"

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

/*
 * Translation is set up before kallsyms, which is read through it
 * (docs/design.md §2): it gets the symbols of a vmlinux or System.map and
 * the SYMBOL() lines of VMCOREINFO, nothing else.
 */
static bool
cb_symbol(void *priv, const char *name, uint64_t *ret)
{
	struct vd_session *s = priv;
	const struct vd_symbol *sym;
	char key[256];

	if (s->have_symtab && (sym = vd_symtab_by_name(&s->symtab, name))) {
		*ret = sym->addr;
		return true;
	}
	// VMCOREINFO SYMBOL() values are runtime addresses already.
	if (snprintf(key, sizeof(key), "SYMBOL(%s)", name) >= (int)sizeof(key))
		return false;
	return vd_session_number(s, key, ret);
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
		else
			s->xlat_err = vd_xlat_create(info->arch, &cb, &s->xlat);
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

const char *
vd_session_cache_key(struct vd_session *s)
{
	const char *id = vd_session_vmcoreinfo(s, "BUILD-ID");

	return id && *id ? id : NULL;
}

/*
 * The dump's own bytes of [addr, addr + len): physically contiguous (the
 * kernel image is) and held as is in the file; NULL otherwise.
 */
static const void *
in_place(struct vd_session *s, uint64_t addr, size_t len)
{
	struct vd_xlat *xlat;
	struct vd_error *err;
	uint64_t pa0 = 0, done = 0;
	bool contiguous = true;

	if ((err = vd_session_xlat(s, &xlat))) {
		vd_error_destroy(err);
		return NULL;
	}
	while (contiguous && done < len) {
		uint64_t pa, psize;

		if ((err = vd_xlat_translate(xlat, addr + done, &pa, &psize))) {
			vd_error_destroy(err);
			return NULL;
		}
		if (!done)
			pa0 = pa;
		contiguous = pa == pa0 + done;
		done += psize - ((addr + done) & (psize - 1));
	}
	return contiguous ? vd_dump_ptr(s->dump, pa0, len) : NULL;
}

bool
vd_session_kvirt_in_place(struct vd_session *s, uint64_t addr, size_t len)
{
	return len && addr + len >= addr && in_place(s, addr, len);
}

struct vd_error *
vd_session_map_kvirt(struct vd_session *s, uint64_t addr, size_t len,
		     const void **ret, void **owned_ret)
{
	struct vd_error *err;
	void *buf;

	*owned_ret = NULL;
	if (!len || addr + len < addr)
		return vd_error_create(VD_ERR_INVALID_ARG, "empty or wrapping range");
	if ((*ret = in_place(s, addr, len)))
		return NULL;
	buf = malloc(len);
	if (!buf)
		return &vd_enomem;
	err = vd_session_read(s, VD_AS_KVIRT, addr, buf, len, NULL);
	if (err) {
		free(buf);
		return err;
	}
	*ret = buf;
	*owned_ret = buf;
	return NULL;
}

const char *
vd_session_vmlinux(const struct vd_session *s)
{
	return s->vmlinux_path;
}
