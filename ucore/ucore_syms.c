// SPDX-License-Identifier: MIT
/*
 * Symbols of a process's executable and libraries, read with libelf from
 * the files NT_FILE names: .symtab, else the separate debug file Debian's
 * -dbg/-dbgsym packages install under /usr/lib/debug/.build-id/, else
 * .dynsym.  Addresses in the tables are the files' own; the object's load
 * bias (ucore.c place()) turns them into the process's.
 */
#include <ctype.h>
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "ucore.h"

/* A shared library has ~10k symbols; refuse tables absurdly larger. */
#define SYMS_MAX (1u << 24)
/* An unsized symbol (assembly label) claims at most this much after it. */
#define UNSIZED_SPAN 0x10000

/* nm's letter for a symbol. */
static char
sym_type(Elf *elf, const GElf_Sym *sym)
{
	unsigned bind = GELF_ST_BIND(sym->st_info);
	GElf_Shdr sh;
	Elf_Scn *scn = elf_getscn(elf, sym->st_shndx);
	char c = '?';

	if (scn && gelf_getshdr(scn, &sh)) {
		if (sh.sh_flags & SHF_EXECINSTR)
			c = 't';
		else if (sh.sh_type == SHT_NOBITS)
			c = 'b';
		else if (sh.sh_flags & SHF_WRITE)
			c = 'd';
		else
			c = 'r';
	}
	if (bind == STB_WEAK)
		return GELF_ST_TYPE(sym->st_info) == STT_OBJECT ? 'V' : 'W';
	return bind == STB_GLOBAL || bind == STB_GNU_UNIQUE ?
	       (char)toupper((unsigned char)c) : c;
}

static Elf_Scn *
find_table(Elf *elf, Elf64_Word type, GElf_Shdr *sh)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn)))
		if (gelf_getshdr(scn, sh) && sh->sh_type == type && sh->sh_entsize)
			return scn;
	return NULL;
}

/* Copy the names into one owned buffer; they point into libelf until then. */
static struct vd_error *
own_names(struct vd_symtab *st)
{
	size_t total = 0, pos = 0;

	for (size_t i = 0; i < st->n; i++)
		total += strlen(st->syms[i].name) + 1;
	st->strings = malloc(total ? total : 1);
	if (!st->strings)
		return &vd_enomem;
	for (size_t i = 0; i < st->n; i++) {
		size_t len = strlen(st->syms[i].name) + 1;

		memcpy(st->strings + pos, st->syms[i].name, len);
		st->syms[i].name = st->strings + pos;
		pos += len;
	}
	return NULL;
}

/* The code and data symbols of one table; false when it has none. */
static struct vd_error *
read_table(Elf *elf, Elf64_Word type, struct vd_symtab *st)
{
	Elf_Scn *scn;
	GElf_Shdr sh;
	Elf_Data *data;
	size_t count, cap;

	scn = find_table(elf, type, &sh);
	data = scn ? elf_getdata(scn, NULL) : NULL;
	if (!data)
		return NULL;
	count = VD_MIN(data->d_size / sh.sh_entsize, (size_t)SYMS_MAX);
	cap = count ? count : 1;
	st->syms = malloc(cap * sizeof(*st->syms));
	if (!st->syms)
		return &vd_enomem;
	for (size_t i = 1; i < count; i++) {
		const char *name;
		GElf_Sym s;
		int t;

		if (!gelf_getsym(data, (int)i, &s))
			continue;
		t = GELF_ST_TYPE(s.st_info);
		// TLS values are offsets in the TLS block, not addresses.
		if (t == STT_FILE || t == STT_SECTION || t == STT_TLS ||
		    s.st_shndx == SHN_UNDEF || s.st_shndx >= SHN_LORESERVE)
			continue;
		name = elf_strptr(elf, sh.sh_link, s.st_name);
		if (!name || !*name || vd_sym_is_mapping(name))
			continue;
		st->syms[st->n++] = (struct vd_symbol){
			.name = name, .addr = s.st_value, .size = s.st_size,
			.type = sym_type(elf, &s),
		};
	}
	return own_names(st);
}

/* /usr/lib/debug/.build-id/xx/rest.debug's .symtab, if installed. */
static struct vd_error *
read_debug_file(struct ucore_obj *o, struct vd_symtab *st)
{
	const char *id = o->pub.file_build_id;
	struct vd_error *err;
	char path[160];
	Elf *elf;
	int fd;

	if (strlen(id) < 4)
		return NULL;
	snprintf(path, sizeof(path), "/usr/lib/debug/.build-id/%.2s/%s.debug",
		 id, id + 2);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	err = elf && elf_kind(elf) == ELF_K_ELF ? read_table(elf, SHT_SYMTAB, st) :
	      NULL;
	if (elf)
		elf_end(elf);
	close(fd);
	if (!err && st->n && !(o->table_buf = strdup(path)))
		err = &vd_enomem;
	if (!err && st->n)
		o->table = o->table_buf;
	return err;
}

static struct vd_error *
load_syms(struct ucore_obj *o)
{
	struct vd_symtab st = { 0 };
	struct vd_error *err;

	o->syms_tried = true;
	err = read_table(o->elf, SHT_SYMTAB, &st);
	if (!err && st.n)
		o->table = ".symtab";
	if (!err && !st.n) {
		vd_symtab_deinit(&st);
		err = read_debug_file(o, &st);
	}
	if (!err && !st.n) {
		vd_symtab_deinit(&st);
		err = read_table(o->elf, SHT_DYNSYM, &st);
		o->table = ".dynsym";
	}
	if (!err && !(st.source = strdup(o->pub.path)))
		err = &vd_enomem;
	if (!err)
		err = vd_symtab_finish(&st);
	if (err) {
		vd_symtab_deinit(&st);
		return err;
	}
	o->syms = st;
	return NULL;
}

/* Why o has no symbols for addr, or NULL when it may have. */
static struct vd_error *
unusable(struct ucore_obj *o, uint64_t addr)
{
	const struct vd_core_object *p = &o->pub;

	if (p->check == VD_CORE_FILE_MISSING || p->check == VD_CORE_FILE_MISMATCH ||
	    !p->is_elf)
		return vd_error_create(VD_ERR_LOOKUP, "0x%llx: in %s, which %s%s",
				       (unsigned long long)addr, p->path,
				       p->check == VD_CORE_FILE_MISSING ? "is unusable: " :
				       p->is_elf ? "" : "is ", p->why);
	if (!p->have_bias)
		return vd_error_create(VD_ERR_LOOKUP,
				       "0x%llx: in %s, but none of its PT_LOADs maps the file offset the core says",
				       (unsigned long long)addr, p->path);
	if (!o->syms_tried) {
		struct vd_error *err = load_syms(o);

		if (err)
			return err;
	}
	if (!o->syms.n)
		return vd_error_create(VD_ERR_LOOKUP,
				       "0x%llx: in %s, which has no symbol table",
				       (unsigned long long)addr, p->path);
	return NULL;
}

static void
fill(struct ucore_obj *o, const struct vd_symbol *sym, uint64_t addr,
     struct vd_core_symbol *ret)
{
	*ret = (struct vd_core_symbol){
		.name = sym->name, .addr = sym->addr + o->pub.bias,
		.offset = addr - (sym->addr + o->pub.bias), .size = sym->size,
		.type = sym->type, .object = &o->pub, .table = o->table,
	};
}

struct vd_error *
vd_session_core_symbolize(struct vd_session *s, uint64_t addr,
			  struct vd_core_symbol *ret)
{
	const struct vd_symbol *sym;
	struct ucore_obj *o;
	struct vd_ucore *u;
	struct vd_error *err;
	uint64_t v;

	err = vd_ucore_get(s, &u);
	if (err)
		return err;
	o = vd_ucore_obj_at(u, addr);
	if (!o)
		return vd_error_create(VD_ERR_LOOKUP,
				       "0x%llx: no mapped file holds this address (anonymous memory, stack, heap or vdso)",
				       (unsigned long long)addr);
	err = unusable(o, addr);
	if (err)
		return err;
	v = addr - o->pub.bias;
	sym = vd_symtab_by_addr(&o->syms, v);
	if (!sym || (sym->size ? v - sym->addr >= sym->size :
			       v - sym->addr >= UNSIZED_SPAN))
		return vd_error_create(VD_ERR_LOOKUP,
				       "0x%llx: in %s (file address 0x%llx), but in no symbol of its %s",
				       (unsigned long long)addr, o->pub.path,
				       (unsigned long long)v, o->table);
	fill(o, sym, addr, ret);
	return NULL;
}

/* The executable: the object that holds AT_ENTRY. */
static struct ucore_obj *
executable(struct vd_ucore *u)
{
	for (size_t i = 0; i < u->core->nauxv; i++)
		if (u->core->auxv[i].type == 9)    /* AT_ENTRY */
			return vd_ucore_obj_at(u, u->core->auxv[i].value);
	return NULL;
}

/*
 * "name@@VERSION", the default version of a versioned symbol as .symtab
 * spells it (glibc's __libc_start_main@@GLIBC_2.34), for a plain "name".
 */
static const struct vd_symbol *
default_version(const struct vd_symtab *st, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < st->n; i++)
		if (!strncmp(st->syms[i].name, name, n) &&
		    !strncmp(st->syms[i].name + n, "@@", 2))
			return &st->syms[i];
	return NULL;
}

static bool
lookup_in(struct ucore_obj *o, const char *name, struct vd_core_symbol *ret)
{
	const struct vd_symbol *sym;
	struct vd_error *err;

	if (!o)
		return false;
	err = unusable(o, 0);
	if (err) {
		vd_error_destroy(err);
		return false;
	}
	sym = vd_symtab_by_name(&o->syms, name);
	if (!sym)
		sym = default_version(&o->syms, name);
	if (!sym)
		return false;
	fill(o, sym, sym->addr + o->pub.bias, ret);
	return true;
}

struct vd_error *
vd_session_core_lookup(struct vd_session *s, const char *name,
		       struct vd_core_symbol *ret)
{
	struct ucore_obj *exe;
	struct vd_ucore *u;
	struct vd_error *err;

	err = vd_ucore_get(s, &u);
	if (err)
		return err;
	exe = executable(u);
	if (lookup_in(exe, name, ret))
		return NULL;
	for (size_t i = 0; i < u->nobjs; i++) {
		struct ucore_obj *o = vd_ucore_obj_look(u, i);

		if (o != exe && lookup_in(o, name, ret))
			return NULL;
	}
	return vd_error_create(VD_ERR_LOOKUP,
			       "no symbol '%s' in the executable or the libraries mapped in the core",
			       name);
}
