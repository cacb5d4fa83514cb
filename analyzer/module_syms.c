// SPDX-License-Identifier: MIT
/*
 * Module symbols: each module keeps its own ELF symbol table in memory
 * (mod->kallsyms -> struct mod_kallsyms { symtab, num_symtab, strtab,
 * typetab }).  Once a module is live, mod->kallsyms points at
 * core_kallsyms: only the symbols of its core memory, st_value already the
 * runtime address (kernel/module/kallsyms.c add_kallsyms()).  The nm type
 * letter is typetab[i] since 5.2 (commit 1c7651f43777 "kallsyms: store type
 * information in its own array"); before that it was stored in st_info.
 *
 * The session loads the module list on the first symbol query that needs
 * it, and a module's symbols on the first address inside that module.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "walk_priv.h"

/* Bounds for a hostile dump: a module has at most tens of thousands. */
#define MODSYMS_MAX (1u << 20)
#define MODSTR_MAX (16u << 20)
#define ELF64_SYM_SIZE 24      /* Elf64_Sym, ELF gABI */

struct ms_mod {
	struct vd_module mod;
	bool tried;
	struct vd_module_symbol *syms;   /* sorted by address */
	size_t nsyms;
	char *strings;
};

struct vd_modsyms {
	struct ms_mod *mods;
	size_t n;
	bool busy;
};

void
vd_modsyms_destroy(struct vd_modsyms *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++) {
		free(m->mods[i].syms);
		free(m->mods[i].strings);
	}
	free(m->mods);
	free(m);
}

static struct vd_error *
push_mod(struct vd_modsyms *m, const struct vd_module *mod)
{
	struct ms_mod *p;

	if (m->n >= 65536)
		return vd_error_create(VD_ERR_CORRUPT, "too many modules");
	p = realloc(m->mods, (m->n + 1) * sizeof(*p));
	if (!p)
		return &vd_enomem;
	m->mods = p;
	m->mods[m->n++] = (struct ms_mod){ .mod = *mod };
	return NULL;
}

/* The module list, once per session; a failure leaves it empty. */
static struct vd_modsyms *
get_modsyms(struct vd_session *s)
{
	struct vd_module_iter it;
	const struct vd_module *mod;
	struct vd_error *err;

	if (s->modsyms)
		return s->modsyms;
	s->modsyms = calloc(1, sizeof(*s->modsyms));
	if (!s->modsyms)
		return NULL;
	s->modsyms->busy = true;
	err = vd_module_iter_init(&it, s);
	while (!err) {
		err = vd_module_iter_next(&it, &mod);
		if (!err)
			err = push_mod(s->modsyms, mod);
		else if (err != &vd_stop && err->code != VD_ERR_NOMEM) {
			vd_error_destroy(err);   // skip a bad element
			err = NULL;
		}
	}
	vd_error_destroy(err);
	vd_module_iter_deinit(&it);
	s->modsyms->busy = false;
	return s->modsyms;
}

static int
sym_cmp(const void *a, const void *b)
{
	const struct vd_module_symbol *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	// Prefer global, then sized symbols among aliases.
	if (isupper((unsigned char)x->type) != isupper((unsigned char)y->type))
		return isupper((unsigned char)x->type) ? -1 : 1;
	if ((x->size != 0) != (y->size != 0))
		return x->size ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* ARM mapping symbols ($x, $d, $a, $t...) and local labels are not names. */
static bool
skip_name(const char *n)
{
	if (!*n || !strncmp(n, ".L", 2))
		return true;
	return n[0] == '$' && n[1] && strchr("axtd", n[1]) && (!n[2] || n[2] == '.');
}

struct ks_fields {
	struct vd_field symtab, num, strtab, typetab;
};

static struct vd_error *
ks_fields(struct vd_session *s, struct ks_fields *f)
{
	const struct vd_type *t;
	struct vd_error *err = vd_walk_type(s, "struct mod_kallsyms", &t);

	if (!err)
		err = vd_walk_need(t, "struct mod_kallsyms", "symtab", &f->symtab);
	if (!err)
		err = vd_walk_need(t, "struct mod_kallsyms", "num_symtab", &f->num);
	if (!err)
		err = vd_walk_need(t, "struct mod_kallsyms", "strtab", &f->strtab);
	if (!err)
		err = vd_walk_field(t, "typetab", &f->typetab);
	return err;
}

/* Read up to len bytes, stopping quietly at the first unreadable page. */
static size_t
read_tolerant(struct vd_session *s, uint64_t addr, unsigned char *buf, size_t len)
{
	size_t done = 0;
	struct vd_error *err = vd_session_read(s, VD_AS_KVIRT, addr, buf, len, &done);

	vd_error_destroy(err);
	return done;
}

static struct vd_error *
decode_syms(struct vd_session *s, struct ms_mod *mm, const unsigned char *tab,
	    uint64_t n, const unsigned char *types, const char *str, size_t strlen_)
{
	bool be = vd_session_info(s)->big_endian;

	mm->syms = calloc(n ? n : 1, sizeof(*mm->syms));
	if (!mm->syms)
		return &vd_enomem;
	for (uint64_t i = 1; i < n; i++) {        // entry 0 is the null symbol
		const unsigned char *e = tab + i * ELF64_SYM_SIZE;
		uint32_t name = vd_get32(e, be);
		uint16_t shndx = vd_get16(e + 6, be);
		struct vd_module_symbol *sym = &mm->syms[mm->nsyms];

		if (!shndx || name >= strlen_ || !memchr(str + name, '\0', strlen_ - name) ||
		    skip_name(str + name))
			continue;
		sym->name = str + name;
		sym->addr = vd_get64(e + 8, be);
		sym->size = vd_get64(e + 16, be);
		sym->type = types ? (char)types[i] : (char)e[4];
		if (!isalpha((unsigned char)sym->type))
			sym->type = '?';
		mm->nsyms++;
	}
	qsort(mm->syms, mm->nsyms, sizeof(*mm->syms), sym_cmp);
	return NULL;
}

static struct vd_error *
load_syms(struct vd_session *s, struct ms_mod *mm)
{
	struct ks_fields f;
	uint64_t symtab, n, strtab, typetab = 0, maxname = 0;
	unsigned char *tab = NULL, *types = NULL;
	struct vd_error *err;
	size_t len;
	bool be = vd_session_info(s)->big_endian;

	mm->tried = true;
	if (!mm->mod.kallsyms)
		return vd_error_create(VD_ERR_LOOKUP, "module %s has no kallsyms", mm->mod.name);
	if ((err = ks_fields(s, &f)) ||
	    (err = vd_walk_get(s, mm->mod.kallsyms, &f.symtab, &symtab)) ||
	    (err = vd_walk_get(s, mm->mod.kallsyms, &f.num, &n)) ||
	    (err = vd_walk_get(s, mm->mod.kallsyms, &f.strtab, &strtab)))
		return err;
	if (f.typetab.present && (err = vd_walk_get(s, mm->mod.kallsyms, &f.typetab, &typetab)))
		return err;
	if (n > MODSYMS_MAX)
		return vd_error_create(VD_ERR_CORRUPT, "module %s: num_symtab %llu",
				       mm->mod.name, (unsigned long long)n);
	tab = malloc(n * ELF64_SYM_SIZE + 1);
	types = typetab ? malloc(n + 1) : NULL;
	if (!tab || (typetab && !types)) {
		err = &vd_enomem;
		goto out;
	}
	if ((err = vd_session_read(s, VD_AS_KVIRT, symtab, tab, n * ELF64_SYM_SIZE, NULL)) ||
	    (types && (err = vd_session_read(s, VD_AS_KVIRT, typetab, types, n, NULL))))
		goto out;
	for (uint64_t i = 0; i < n; i++)
		maxname = VD_MAX(maxname, vd_get32(tab + i * ELF64_SYM_SIZE, be));
	// The strings end after the last name: read to it plus a name's length.
	len = (size_t)VD_MIN(maxname + 512, (uint64_t)MODSTR_MAX);
	mm->strings = calloc(1, len + 1);
	if (!mm->strings) {
		err = &vd_enomem;
		goto out;
	}
	len = read_tolerant(s, strtab, (unsigned char *)mm->strings, len);
	err = decode_syms(s, mm, tab, n, types, mm->strings, len);
out:
	free(tab);
	free(types);
	if (err)
		err = vd_error_wrap(err, "reading the symbols of module %s", mm->mod.name);
	return err;
}

static struct ms_mod *
find_mod(struct vd_modsyms *m, uint64_t addr)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->mods[i].mod.addr == addr)
			return &m->mods[i];
	return NULL;
}

struct vd_error *
vd_module_symbols(struct vd_session *s, const struct vd_module *mod,
		  const struct vd_module_symbol **ret, size_t *n)
{
	struct vd_modsyms *m = get_modsyms(s);
	struct ms_mod *mm;
	struct vd_error *err;

	if (!m)
		return &vd_enomem;
	mm = find_mod(m, mod->addr);
	if (!mm) {
		if ((err = push_mod(m, mod)))
			return err;
		mm = &m->mods[m->n - 1];
	}
	if (!mm->tried && (err = load_syms(s, mm)))
		return err;
	*ret = mm->syms;
	*n = mm->nsyms;
	return NULL;
}

static void
fill_info(const struct ms_mod *mm, const struct vd_module_symbol *sym,
	  uint64_t addr, struct vd_symbol_info *ret)
{
	*ret = (struct vd_symbol_info){
		.name = sym->name, .addr = sym->addr, .offset = addr - sym->addr,
		.size = sym->size, .type = sym->type, .module = mm->mod.name,
		.source = "module kallsyms",
	};
}

/* The last symbol at or below addr in mm that claims it. */
static const struct vd_module_symbol *
lookup_addr(const struct ms_mod *mm, uint64_t addr)
{
	size_t lo = 0, hi = mm->nsyms;
	const struct vd_module_symbol *sym;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (mm->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	sym = &mm->syms[lo - 1];
	while (sym > mm->syms && sym[-1].addr == sym->addr)
		sym--;
	// An unsized symbol claims up to the end of its region (checked by
	// the caller); a sized one only its bytes.
	if (sym->size && addr - sym->addr >= sym->size)
		return NULL;
	return sym;
}

bool
vd_modsyms_symbolize(struct vd_session *s, uint64_t addr, struct vd_symbol_info *ret)
{
	struct vd_modsyms *m;

	if (s->xlat_busy || (s->modsyms && s->modsyms->busy))
		return false;
	m = get_modsyms(s);
	for (size_t i = 0; m && i < m->n; i++) {
		struct ms_mod *mm = &m->mods[i];
		const struct vd_module_symbol *sym;

		for (size_t r = 0; r < mm->mod.nregions; r++) {
			const struct vd_module_region *rg = &mm->mod.regions[r];

			if (addr - rg->base >= rg->size)
				continue;
			if (!mm->tried)
				vd_error_destroy(load_syms(s, mm));
			sym = lookup_addr(mm, addr);
			if (!sym || sym->addr < rg->base)
				return false;
			fill_info(mm, sym, addr, ret);
			return true;
		}
	}
	return false;
}

bool
vd_modsyms_lookup(struct vd_session *s, const char *name, struct vd_symbol_info *ret)
{
	const char *colon = strchr(name, ':');
	struct vd_modsyms *m;

	if (s->xlat_busy || (s->modsyms && s->modsyms->busy))
		return false;
	m = get_modsyms(s);
	for (size_t i = 0; m && i < m->n; i++) {
		struct ms_mod *mm = &m->mods[i];
		const char *sname = name;

		// "module:symbol" names one module's symbol.
		if (colon) {
			if (strncmp(mm->mod.name, name, (size_t)(colon - name)) ||
			    mm->mod.name[colon - name])
				continue;
			sname = colon + 1;
		}
		if (!mm->tried)
			vd_error_destroy(load_syms(s, mm));
		for (size_t k = 0; k < mm->nsyms; k++)
			if (!strcmp(mm->syms[k].name, sname)) {
				fill_info(mm, &mm->syms[k], mm->syms[k].addr, ret);
				return true;
			}
	}
	return false;
}
