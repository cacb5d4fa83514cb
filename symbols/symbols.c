// SPDX-License-Identifier: MIT
/*
 * Symbol lookups for the session, from the best source loaded: a vmlinux
 * or System.map table, else the SYMBOL() lines of VMCOREINFO.
 */
#include <stdio.h>
#include <string.h>

#include "common/util.h"
#include "symbols_priv.h"

/*
 * The table that answers symbol queries: a vmlinux/System.map if given
 * (best_symtab), else the kallsyms in the dump (vd_session_ksyms(), read
 * through translation, which is set up from VMCOREINFO and the vmlinux or
 * System.map only (kernel/read.c), so it never asks for kallsyms).
 */
static const struct vd_symtab *
best_symtab(struct vd_session *s)
{
	return s->have_symtab ? &s->symtab : NULL;
}

static struct vd_ksyms *
kallsyms(struct vd_session *s)
{
	return s->have_symtab ? NULL : vd_session_ksyms(s);
}

static void
ksym_info(const struct vd_ksym *k, struct vd_symbol_info *ret)
{
	*ret = (struct vd_symbol_info){
		.name = k->name, .addr = k->addr, .size = k->size, .type = k->type,
		.size_guessed = true, .source = "kallsyms in the dump",
	};
}

bool
vd_session_symbol(struct vd_session *s, const char *name, uint64_t *ret)
{
	const struct vd_symtab *st = best_symtab(s);
	struct vd_ksyms *ks = kallsyms(s);
	struct vd_ksym k;
	char key[256];

	if (st) {
		const struct vd_symbol *sym = vd_symtab_by_name(st, name);

		if (sym) {
			*ret = sym->addr;
			return true;
		}
	}
	if (ks && vd_ksyms_by_name(ks, name, &k)) {
		*ret = k.addr;
		return true;
	}
	// VMCOREINFO SYMBOL() values are runtime addresses already.
	if (snprintf(key, sizeof(key), "SYMBOL(%s)", name) >= (int)sizeof(key))
		return false;
	if (vd_session_number(s, key, ret))
		return true;
	// Last, a few variables recognizable in the image (no KALLSYMS_ALL).
	if (s->have_symtab)
		return false;
	return vd_scan_symbol(s, name, ret) ||
	       (s->hooks && s->hooks->typed_symbol &&
		s->hooks->typed_symbol(s, name, ret));
}

struct vd_error *
vd_session_lookup_symbol(struct vd_session *s, const char *name,
			 struct vd_symbol_info *ret)
{
	const struct vd_symtab *st = best_symtab(s);
	const struct vd_symbol *sym = st ? vd_symtab_by_name(st, name) : NULL;
	struct vd_ksyms *ks = kallsyms(s);
	struct vd_ksym k;
	uint64_t addr;
	char key[256];

	if (ks && vd_ksyms_by_name(ks, name, &k)) {
		ksym_info(&k, ret);
		return NULL;
	}
	if (sym) {
		*ret = (struct vd_symbol_info){
			.name = sym->name, .addr = sym->addr, .size = sym->size,
			.type = sym->type, .size_guessed = st->sizes_guessed, .source = st->source,
		};
		return NULL;
	}
	snprintf(key, sizeof(key), "SYMBOL(%s)", name);
	if (vd_session_number(s, key, &addr)) {
		*ret = (struct vd_symbol_info){
			.name = name, .addr = addr,
			.type = '?', .source = "VMCOREINFO",
		};
		return NULL;
	}
	// Last, the loaded modules' own symbols ("name" or "module:name").
	if (s->hooks && s->hooks->module_lookup &&
	    s->hooks->module_lookup(s, name, ret))
		return NULL;
	if (!st && s->kallsyms_err)
		return vd_error_create(VD_ERR_LOOKUP,
				       "no symbol '%s' (no vmlinux given, and %s)",
				       name, s->kallsyms_err->msg);
	return vd_error_create(VD_ERR_LOOKUP, "no symbol '%s' in %s", name,
			       st ? st->source : ks ? "kallsyms in the dump" : "VMCOREINFO");
}

/*
 * Whether the kernel's kallsyms is the only symbol table and has no
 * variables: built without CONFIG_KALLSYMS_ALL (Debian's arm64 5.10 and
 * 6.1).  Told by what every kernel has: kallsyms read (it has panic) but
 * neither init_task nor jiffies in it.  A dump whose kallsyms could not be
 * read at all is not this case (its lookups fail for another reason).
 */
bool
vd_session_lacks_data_symbols(struct vd_session *s)
{
	struct vd_ksyms *ks;
	struct vd_ksym k;

	if (best_symtab(s) || !(ks = kallsyms(s)))
		return false;
	return vd_ksyms_by_name(ks, "panic", &k) && !vd_ksyms_by_name(ks, "init_task", &k) &&
	       !vd_ksyms_by_name(ks, "jiffies", &k);
}

struct vd_error *
vd_session_global(struct vd_session *s, const char *name, uint64_t *ret)
{
	struct vd_symbol_info si;
	struct vd_error *err;

	if (vd_session_symbol(s, name, ret))
		return NULL;
	if ((err = vd_session_lookup_symbol(s, name, &si)) == NULL) {   // a module's
		*ret = si.addr;
		return NULL;
	}
	if (vd_session_lacks_data_symbols(s)) {
		vd_error_destroy(err);
		return vd_error_create(VD_ERR_LOOKUP,
				       "no address for '%s': this kernel's kallsyms has no data symbols (no CONFIG_KALLSYMS_ALL) and the dump names it no other way; give --system-map or --vmlinux",
				       name);
	}
	return err;
}

size_t
vd_session_nsymbols(struct vd_session *s)
{
	const struct vd_symtab *st = best_symtab(s);
	struct vd_ksyms *ks = kallsyms(s);

	return st ? st->n : ks ? vd_ksyms_count(ks) : 0;
}

void
vd_session_symbol_nth(struct vd_session *s, size_t i, struct vd_symbol_info *ret)
{
	const struct vd_symtab *st = best_symtab(s);
	const struct vd_symbol *sym;
	struct vd_ksyms *ks;
	struct vd_ksym k;

	if (!st) {
		struct vd_error *err;

		ks = kallsyms(s);
		err = ks ? vd_ksyms_nth(ks, (uint32_t)i, &k) : &vd_noprobe;
		if (err) {
			// A malformed name: listed as what it is, not skipped.
			vd_error_destroy(err);
			*ret = (struct vd_symbol_info){ .name = "?", .type = '?',
							.source = "kallsyms in the dump" };
			return;
		}
		ksym_info(&k, ret);
		return;
	}
	sym = vd_symtab_nth(st, i);
	*ret = (struct vd_symbol_info){
		.name = sym->name, .addr = sym->addr, .size = sym->size,
		.type = sym->type, .size_guessed = st->sizes_guessed, .source = st->source,
	};
}

/*
 * Where modules may live: the modules region, or vmalloc space (arm64
 * places modules there when the module region is full or randomized).
 */
static bool
in_module_space(struct vd_session *s, uint64_t addr)
{
	const struct vd_region *r;
	struct vd_xlat *xlat;

	if (!s->xlat) {
		vd_error_destroy(vd_session_xlat(s, &xlat));
		if (!s->xlat)
			return false;
	}
	r = vd_xlat_region(s->xlat, addr);
	return r && (r->kind == VD_REGION_MODULES || r->kind == VD_REGION_VMALLOC);
}

bool
vd_session_symbolize(struct vd_session *s, uint64_t addr,
		     struct vd_symbol_info *ret)
{
	const struct vd_symtab *st = best_symtab(s);
	const struct vd_symbol *sym;
	struct vd_ksyms *ks;
	struct vd_ksym k;

	// Kernel symbols live in the upper half; the small absolute values
	// of per-CPU symbols must not name user addresses.
	if (!(addr >> 63))
		return false;
	// Module memory is named by the module's own symbols, loaded on the
	// first address that falls there.
	if (s->hooks && s->hooks->module_symbolize && in_module_space(s, addr) &&
	    s->hooks->module_symbolize(s, addr, ret))
		return true;
	if (!st) {
		ks = kallsyms(s);
		if (!ks || !vd_ksyms_by_addr(ks, addr, &k) || !(k.addr >> 63))
			return false;
		ksym_info(&k, ret);
		ret->offset = addr - k.addr;
		return true;
	}
	sym = vd_symtab_by_addr(st, addr);
	if (!sym || !(sym->addr >> 63))
		return false;
	// A sized symbol claims only its bytes; an unsized one (assembly
	// labels) claims up to 1 MiB past it, not the rest of the address space.
	if (sym->size ? addr - sym->addr >= sym->size
		      : addr - sym->addr >= 0x100000)
		return false;
	*ret = (struct vd_symbol_info){
		.name = sym->name, .addr = sym->addr, .offset = addr - sym->addr,
		.size = sym->size, .type = sym->type, .size_guessed = st->sizes_guessed,
		.source = st->source,
	};
	return true;
}
