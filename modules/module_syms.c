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
 * it, and a module's symbols on the first address inside that module.  When
 * the session has the module's debug file, its .symtab is used instead,
 * at the addresses the module's sections were given
 * (modules/module_debug.c), kallsyms then serving as the check that the
 * file is the module that was loaded.
 *
 * Several symbols at one address (module_exit()'s cleanup_module and the
 * function it aliases): the address is named by the rule vmlinux
 * addresses are (kernel/symtab.c vd_symtab_by_addr(), elfutils' order,
 * which drgn answers with): the sized symbol containing it, global before
 * weak before local, then the first in the symbol table.  The binding is
 * the Elf_Sym's, which kallsyms keeps.
 */
#include <ctype.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "dwarf/dwarf_code.h"
#include "module_code.h"
#include "modules_priv.h"

/* Bounds for a hostile dump: a module has at most tens of thousands. */
#define MODSYMS_MAX (1u << 20)
#define MODSTR_MAX (16u << 20)
#define ELF64_SYM_SIZE 24      /* Elf64_Sym, ELF gABI */

struct ms_mod {
	struct vd_module mod;
	bool tried;
	struct vd_symtab st;             /* by address and name; source says
					    which table it came from */
	struct vd_module_symbol *list;   /* vd_module_symbols(), made on demand */
	size_t nlist;
	uint64_t *bases;                 /* debug file's sections' runtime addresses */
	size_t nbases;
	const char *debug_path;          /* the debug file the symbols came from */
	bool code_tried;
	struct vd_dwarf_index *code;     /* its DWARF, placed (vd_module_code_dwarf) */
};

struct vd_module_syms {
	struct ms_mod *mods;
	size_t n;
};

void
vd_module_syms_destroy(struct vd_module_syms *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++) {
		vd_symtab_deinit(&m->mods[i].st);
		free(m->mods[i].list);
		free(m->mods[i].bases);
		vd_dwarf_index_close(m->mods[i].code);
	}
	free(m->mods);
	free(m);
}

static struct vd_error *
push_mod(struct vd_module_syms *m, const struct vd_module *mod)
{
	struct ms_mod *p;

	if (m->n >= 65536)
		return vd_error_create(VD_ERR_CORRUPT, "too many modules");
	if (!vd_grow(&m->mods, m->n, sizeof(*p)))
		return &vd_enomem;
	m->mods[m->n++] = (struct ms_mod){ .mod = *mod };
	return NULL;
}

/* The module list, once per session; a failure leaves it empty. */
static struct vd_module_syms *
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
	// The walk asks for kernel symbols and types only (walkers/), never
	// module symbols: nothing here comes back.
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
	return s->modsyms;
}

/* ARM mapping symbols ($x, $d, $a, $t...) and local labels are not names. */
bool
vd_module_sym_skip_name(const char *n)
{
	if (!*n || !strncmp(n, ".L", 2))
		return true;
	return vd_sym_is_mapping(n);
}

/*
 * The nm letter of a module symbol: the kernel's typetab letter (lower
 * case: kernel/module/kallsyms.c elf_type(), weak ones 'w'/'v'), in upper
 * case for a global binding as nm and crash print it.  Lookups by address
 * rank global over weak over local by the letter (kernel/symtab.c).
 */
char
vd_module_sym_letter(char typetab, unsigned char st_info)
{
	char c = isalpha((unsigned char)typetab) ? typetab : '?';

	if (ELF64_ST_BIND(st_info) == STB_GLOBAL && c != 'w' && c != 'v')
		return (char)toupper((unsigned char)c);
	return c;
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

/* The kallsyms entries of a module into raw records (names in str). */
static struct vd_error *
decode_syms(struct vd_session *s, const unsigned char *tab, uint64_t n,
	    const unsigned char *types, const char *str, size_t strlen_,
	    struct vd_module_sym_raw **ret, size_t *nret)
{
	bool be = vd_session_info(s)->big_endian;
	struct vd_module_sym_raw *raw = calloc(n ? n : 1, sizeof(*raw));
	size_t k = 0;

	if (!raw)
		return &vd_enomem;
	for (uint64_t i = 1; i < n; i++) {        // entry 0 is the null symbol
		const unsigned char *e = tab + i * ELF64_SYM_SIZE;
		uint32_t name = vd_get32(e, be);
		uint16_t shndx = vd_get16(e + 6, be);

		if (!shndx || name >= strlen_ || !memchr(str + name, '\0', strlen_ - name) ||
		    vd_module_sym_skip_name(str + name))
			continue;
		// Before 5.2 the letter was kept in st_info, whose binding was
		// then lost (commit 1c7651f43777).
		raw[k] = (struct vd_module_sym_raw){
			.name = str + name, .value = vd_get64(e + 8, be),
			.size = vd_get64(e + 16, be), .shndx = shndx, .info = e[4],
			.type = types ? vd_module_sym_letter((char)types[i], e[4]) :
				isalpha(e[4]) ? (char)e[4] : '?',
		};
		k++;
	}
	*ret = raw;
	*nret = k;
	return NULL;
}

/* A module's kallsyms, raw: the records and the strings they point into. */
static struct vd_error *
read_kallsyms(struct vd_session *s, struct ms_mod *mm, struct vd_module_sym_raw **raw,
	      size_t *nraw, char **strings_ret, uint64_t *tables_ret)
{
	struct ks_fields f;
	uint64_t symtab, n, strtab, typetab = 0, maxname = 0;
	unsigned char *tab = NULL, *types = NULL;
	char *strings = NULL;
	struct vd_error *err;
	size_t len;
	bool be = vd_session_info(s)->big_endian;

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
	// The loader appends these tables to the module's data, after its
	// sections (kernel/module/kallsyms.c layout_symtab()).
	*tables_ret = VD_MIN(symtab, strtab);
	if (typetab)
		*tables_ret = VD_MIN(*tables_ret, typetab);
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
	strings = calloc(1, len + 1);
	if (!strings) {
		err = &vd_enomem;
		goto out;
	}
	len = read_tolerant(s, strtab, (unsigned char *)strings, len);
	err = decode_syms(s, tab, n, types, strings, len, raw, nraw);
out:
	free(tab);
	free(types);
	if (err)
		free(strings);
	else
		*strings_ret = strings;
	return err;
}

static int
range_cmp(const void *a, const void *b)
{
	const struct vd_symtab_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/*
 * Where a module's sizeless symbols may name addresses: its regions, with
 * the kallsyms tables the loader put after its data cut off (kallsyms
 * keeps no section sizes, so a region stands for its sections).
 */
static struct vd_error *
region_ranges(const struct vd_module *mod, uint64_t tables, struct vd_symtab *st)
{
	st->ranges = calloc(mod->nregions ? mod->nregions : 1, sizeof(*st->ranges));
	if (!st->ranges)
		return &vd_enomem;
	for (size_t i = 0; i < mod->nregions; i++) {
		const struct vd_module_region *r = &mod->regions[i];
		uint64_t end = r->base + r->size;

		if (tables > r->base && tables < end)
			end = tables;
		st->ranges[st->nranges++] = (struct vd_symtab_range){ r->base, end };
	}
	qsort(st->ranges, st->nranges, sizeof(*st->ranges), range_cmp);
	return NULL;
}

/* A symbol table over kallsyms records; takes strings. */
static struct vd_error *
table_of(const struct vd_module_sym_raw *raw, size_t n, char *strings, const char *source,
	 struct vd_symtab *st)
{
	*st = (struct vd_symtab){ .strings = strings, .source = strdup(source) };
	st->syms = calloc(n ? n : 1, sizeof(*st->syms));
	if (!st->syms || !st->source) {
		vd_symtab_deinit(st);
		return &vd_enomem;
	}
	for (size_t i = 0; i < n; i++)
		st->syms[i] = (struct vd_symbol){ .name = raw[i].name, .addr = raw[i].value,
						  .size = raw[i].size, .type = raw[i].type };
	st->n = n;
	return vd_symtab_finish(st);
}

/*
 * A module's symbols: from its debug file's .symtab when the session has
 * one for it (checked against kallsyms), else its kallsyms.  A debug file
 * that does not fit the module is named in the table's source, and
 * kallsyms used.
 */
static struct vd_error *
load_syms(struct vd_session *s, struct ms_mod *mm)
{
	const char *path = vd_module_debug_path(s, mm->mod.name);
	struct vd_module_sym_raw *raw = NULL;
	struct vd_error *err, *ks_err;
	char *strings = NULL, source[512];
	uint64_t tables = 0;
	size_t nraw = 0;

	mm->tried = true;
	ks_err = read_kallsyms(s, mm, &raw, &nraw, &strings, &tables);
	snprintf(source, sizeof(source), "module kallsyms");
	if (path) {
		err = vd_module_debug_symbols(s, path, &mm->mod, raw, nraw, &mm->st, &mm->bases,
					      &mm->nbases);
		if (!err) {
			mm->debug_path = path;
			free(raw);
			free(strings);
			vd_error_destroy(ks_err);
			return NULL;
		}
		snprintf(source, sizeof(source), "module kallsyms (%s not used: %s)", path,
			 err->msg);
		vd_error_destroy(err);
	}
	if (ks_err) {
		free(raw);
		return vd_error_wrap(ks_err, "reading the symbols of module %s", mm->mod.name);
	}
	err = table_of(raw, nraw, strings, source, &mm->st);
	if (!err)
		err = region_ranges(&mm->mod, tables, &mm->st);
	free(raw);
	return err;
}

static struct ms_mod *
find_mod(struct vd_module_syms *m, uint64_t addr)
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
	struct vd_module_syms *m = get_modsyms(s);
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
	if (!mm->list && mm->st.n) {
		mm->list = calloc(mm->st.n, sizeof(*mm->list));
		if (!mm->list)
			return &vd_enomem;
		for (size_t i = 0; i < mm->st.n; i++) {
			const struct vd_symbol *y = &mm->st.syms[i];

			mm->list[i] = (struct vd_module_symbol){ y->name, y->addr, y->size,
								 y->type };
		}
		mm->nlist = mm->st.n;
	}
	*ret = mm->list;
	*n = mm->nlist;
	return NULL;
}

static void
fill_info(const struct ms_mod *mm, const struct vd_symbol *sym, uint64_t addr,
	  struct vd_symbol_info *ret)
{
	*ret = (struct vd_symbol_info){
		.name = sym->name, .addr = sym->addr, .offset = addr - sym->addr,
		.size = sym->size, .type = sym->type, .module = mm->mod.name,
		.source = mm->st.source,
	};
}

/* The module whose memory holds addr, its symbols loaded, and the region. */
static struct ms_mod *
module_at(struct vd_session *s, uint64_t addr, const struct vd_module_region **region)
{
	struct vd_module_syms *m = get_modsyms(s);

	for (size_t i = 0; m && i < m->n; i++) {
		struct ms_mod *mm = &m->mods[i];

		for (size_t r = 0; r < mm->mod.nregions; r++) {
			if (addr - mm->mod.regions[r].base >= mm->mod.regions[r].size)
				continue;
			if (!mm->tried)
				vd_error_destroy(load_syms(s, mm));
			*region = &mm->mod.regions[r];
			return mm;
		}
	}
	return NULL;
}

bool
vd_module_syms_symbolize(struct vd_session *s, uint64_t addr, struct vd_symbol_info *ret)
{
	const struct vd_module_region *rg;
	struct ms_mod *mm = module_at(s, addr, &rg);
	const struct vd_symbol *sym;

	if (!mm)
		return false;
	// The rule that names an address, aliases included, is the vmlinux
	// one (elfutils', as drgn answers); a sizeless symbol may claim to
	// the end of its region, not into the one before.
	sym = mm->st.n ? vd_symtab_by_addr(&mm->st, addr) : NULL;
	if (!sym || sym->addr < rg->base)
		return false;
	fill_info(mm, sym, addr, ret);
	return true;
}

bool
vd_module_syms_lookup(struct vd_session *s, const char *name, struct vd_symbol_info *ret)
{
	const char *colon = strchr(name, ':');
	struct vd_module_syms *m;

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
		// The lowest address of that name (a module's static
		// functions may share one).
		for (size_t k = 0; k < mm->st.n; k++)
			if (!strcmp(mm->st.syms[k].name, sname)) {
				fill_info(mm, &mm->st.syms[k], mm->st.syms[k].addr, ret);
				return true;
			}
	}
	return false;
}

/*
 * The DWARF of the module that holds addr, from the debug file its symbols
 * came from, relocated to where each section is loaded.  Opened once per
 * module; a module without a debug file (or whose file does not fit it)
 * has none.
 */
struct vd_error *
vd_module_code_dwarf(struct vd_session *s, uint64_t addr, Dwarf_Debug *dbg, const char **module)
{
	const struct vd_module_region *rg;
	struct ms_mod *mm = module_at(s, addr, &rg);
	struct vd_error *err;

	*dbg = NULL;
	*module = NULL;
	if (!mm)
		return vd_error_create(VD_ERR_LOOKUP, "0x%llx is in no module",
				       (unsigned long long)addr);
	*module = mm->mod.name;
	if (!mm->debug_path)
		return vd_error_create(VD_ERR_LOOKUP, "module %s: no debug file (--module-debug)",
				       mm->mod.name);
	if (!mm->code_tried) {
		mm->code_tried = true;
		err = vd_dwarf_index_open_placed(mm->debug_path, mm->bases, mm->nbases, &mm->code);
		if (err)
			return vd_error_wrap(err, "module %s", mm->mod.name);
	}
	if (!mm->code)
		return vd_error_create(VD_ERR_LOOKUP, "module %s: %s has no DWARF", mm->mod.name,
				       mm->debug_path);
	*dbg = vd_dwarf_index_dbg(mm->code);
	return NULL;
}
