// SPDX-License-Identifier: MIT
/*
 * Memory out of the dump into files: kernel-virtual ranges page by page
 * (vmalloc areas, module regions), and a module as an ELF file.
 *
 * The module ELF is ET_EXEC, not ET_REL: in a relocatable file st_value is
 * an offset into its section and tools place sections at 0, while here
 * every section sits at its load address (sh_addr, and a PT_LOAD each so
 * gdb maps it there too) and every symbol's st_value is its runtime
 * address, so `objdump -d` and gdb show the code exactly where the dead
 * kernel ran it.  Layout (ELF gABI): header, program headers, the regions'
 * bytes (each at a file offset congruent to its address modulo the page
 * size), .symtab, .strtab, .shstrtab, section headers.
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "modules_priv.h"

/* Page-by-page extraction ------------------------------------------------------ */

struct hole_run {
	uint64_t start, len;
	bool mapped;
	enum vd_error_code code;
	char why[256];
};

static void
flush_hole(const struct vd_extract_opts *o, struct hole_run *h,
	   struct vd_extract_stats *st)
{
	if (!h->len)
		return;
	st->nholes++;
	if (o && o->hole)
		o->hole(o->priv, h->start, h->len, h->mapped, h->why);
	h->len = 0;
}

/* Note [va, va + n) unreadable, merging runs of the same kind. */
static void
add_hole(const struct vd_extract_opts *o, struct hole_run *h, uint64_t va,
	 uint64_t n, bool mapped, const struct vd_error *err,
	 struct vd_extract_stats *st)
{
	if (h->len && (h->start + h->len != va || h->mapped != mapped ||
		       h->code != err->code))
		flush_hole(o, h, st);
	if (!h->len) {
		h->start = va;
		h->mapped = mapped;
		h->code = err->code;
		snprintf(h->why, sizeof(h->why), "%s", err->msg);
	}
	h->len += n;
	if (mapped)
		st->missing_bytes += n;
	else
		st->unmapped_bytes += n;
}

static int
write_zeros(FILE *out, uint64_t n)
{
	static const unsigned char zeros[4096];

	while (n) {
		size_t k = (size_t)VD_MIN(n, sizeof(zeros));

		if (fwrite(zeros, 1, k, out) != k)
			return -1;
		n -= k;
	}
	return 0;
}

/*
 * One page: translate, then read the physical bytes.  A translation that
 * finds no mapping is a hole that holds nothing; anything else unreadable
 * (page not in the dump, filtered out, page table missing) lost data.
 */
static struct vd_error *
read_page(struct vd_session *s, struct vd_xlat *xlat, uint64_t va, unsigned char *buf,
	  size_t n, bool *mapped)
{
	uint64_t pa, psize;
	struct vd_error *err = vd_xlat_translate(xlat, va, &pa, &psize);

	*mapped = !err || err->code != VD_ERR_NOTPRESENT;
	if (err)
		return err;
	return vd_session_read(s, VD_AS_PHYS, pa, buf, n, NULL);
}

struct vd_error *
vd_kvirt_extract(struct vd_session *s, uint64_t addr, uint64_t len, FILE *out,
		 const struct vd_extract_opts *opts, struct vd_extract_stats *st)
{
	uint64_t psize = vd_session_page_size(s);
	struct hole_run hole = { 0 };
	unsigned char *buf = malloc(psize);
	struct vd_xlat *xlat;
	struct vd_error *err;

	if (!buf)
		return &vd_enomem;
	if ((err = vd_session_xlat(s, &xlat))) {
		free(buf);
		return err;
	}
	for (uint64_t done = 0; done < len;) {
		uint64_t va = addr + done;
		size_t n = (size_t)VD_MIN(psize - (va & (psize - 1)), len - done);
		bool mapped;

		err = read_page(s, xlat, va, buf, n, &mapped);
		if (err) {
			add_hole(opts, &hole, va, n, mapped, err, st);
			vd_error_destroy(err);
			err = NULL;
			if (write_zeros(out, n))
				break;
		} else {
			flush_hole(opts, &hole, st);
			if (fwrite(buf, 1, n, out) != n)
				break;
			st->read_bytes += n;
		}
		st->bytes += n;
		done += n;
	}
	flush_hole(opts, &hole, st);
	free(buf);
	if (ferror(out))
		return vd_error_os(errno, "writing the output");
	return NULL;
}

/* The ELF image ------------------------------------------------------------------ */

struct elf_out {
	struct vd_session *s;
	const struct vd_module *mod;
	const struct vd_module_symbol *syms;
	size_t nsyms;
	const struct vd_module_symbol *extra;   /* opts->extra_syms */
	size_t nextra;
	uint64_t align;
	uint64_t data_off[VD_MODULE_REGIONS_MAX];
	char *strtab;              /* .strtab */
	size_t strtab_len;
	Elf64_Sym *symtab;
	size_t nsymtab, nlocal;
};

/* Section names the kernel's own module sections carry. */
static const char *
section_name(const char *region)
{
	static const char *const map[][2] = {
		{ "text", ".text" }, { "rodata", ".rodata" },
		{ "ro_after_init", ".data..ro_after_init" }, { "data", ".data" },
		{ "init_text", ".init.text" }, { "init_rodata", ".init.rodata" },
		{ "init_data", ".init.data" }, { "init_ro_after_init", ".init.ro_after_init" },
	};

	for (size_t i = 0; i < VD_ARRAY_SIZE(map); i++)
		if (!strcmp(map[i][0], region))
			return map[i][1];
	return region;
}

static uint16_t
section_of(const struct vd_module *m, uint64_t addr)
{
	for (size_t i = 0; i < m->nregions; i++)
		if (addr - m->regions[i].base < m->regions[i].size)
			return (uint16_t)(i + 1);
	return SHN_ABS;
}

static unsigned char
sym_info(char type)
{
	int bind = type >= 'A' && type <= 'Z' ? STB_GLOBAL : STB_LOCAL;
	int t = strchr("tTwW", type) ? STT_FUNC :
		strchr("dDbBrRvV", type) ? STT_OBJECT : STT_NOTYPE;

	if (type == 'w' || type == 'W' || type == 'v' || type == 'V')
		bind = STB_WEAK;
	return (unsigned char)ELF64_ST_INFO(bind, t);
}

/* .symtab and .strtab: the null symbol, locals, then the rest (gABI). */
static struct vd_error *
build_symtab(struct elf_out *e)
{
	size_t strcap = 1;

	for (size_t i = 0; i < e->nsyms + e->nextra; i++)
		strcap += strlen(i < e->nsyms ? e->syms[i].name : e->extra[i - e->nsyms].name) + 1;
	e->strtab = calloc(1, strcap);
	e->symtab = calloc(e->nsyms + e->nextra + 1, sizeof(*e->symtab));
	if (!e->strtab || !e->symtab)
		return &vd_enomem;
	e->strtab_len = 1;
	e->nsymtab = 1;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < e->nsyms + e->nextra; i++) {
			const struct vd_module_symbol *sym = i < e->nsyms ? &e->syms[i] :
							     &e->extra[i - e->nsyms];
			unsigned char info = sym_info(sym->type);
			size_t len = strlen(sym->name) + 1;
			Elf64_Sym *out;

			if ((ELF64_ST_BIND(info) == STB_LOCAL) != (pass == 0))
				continue;
			out = &e->symtab[e->nsymtab++];
			out->st_name = (Elf64_Word)e->strtab_len;
			out->st_info = info;
			out->st_shndx = section_of(e->mod, sym->addr);
			out->st_value = sym->addr;
			out->st_size = sym->size;
			memcpy(e->strtab + e->strtab_len, sym->name, len);
			e->strtab_len += len;
		}
		if (pass == 0)
			e->nlocal = e->nsymtab;
	}
	return NULL;
}

static int
pad_to(FILE *f, uint64_t off)
{
	long cur = ftell(f);

	if (cur < 0 || (uint64_t)cur > off)
		return -1;
	return write_zeros(f, off - (uint64_t)cur);
}

static int
write_headers(struct elf_out *e, FILE *f, uint64_t shoff, uint16_t shnum)
{
	const struct vd_dump_info *info = vd_session_info(e->s);
	const struct vd_module *m = e->mod;
	Elf64_Ehdr eh = {
		.e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64, ELFDATA2LSB,
			     EV_CURRENT, ELFOSABI_NONE },
		.e_type = ET_EXEC,
		.e_machine = info->arch == VD_ARCH_AARCH64 ? EM_AARCH64 : EM_X86_64,
		.e_version = EV_CURRENT,
		.e_phoff = sizeof(Elf64_Ehdr), .e_shoff = shoff,
		.e_ehsize = sizeof(Elf64_Ehdr), .e_phentsize = sizeof(Elf64_Phdr),
		.e_phnum = (Elf64_Half)m->nregions, .e_shentsize = sizeof(Elf64_Shdr),
		.e_shnum = shnum, .e_shstrndx = (Elf64_Half)(shnum - 1),
	};

	if (fwrite(&eh, sizeof(eh), 1, f) != 1)
		return -1;
	for (size_t i = 0; i < m->nregions; i++) {
		const struct vd_module_region *r = &m->regions[i];
		Elf64_Phdr ph = {
			.p_type = PT_LOAD, .p_offset = e->data_off[i],
			.p_vaddr = r->base, .p_paddr = r->base,
			.p_filesz = r->size, .p_memsz = r->size, .p_align = e->align,
			.p_flags = PF_R | (r->write ? PF_W : 0) | (r->exec ? PF_X : 0),
		};

		if (fwrite(&ph, sizeof(ph), 1, f) != 1)
			return -1;
	}
	return 0;
}

/* Section headers: null, one per region, .symtab, .strtab, .shstrtab. */
static int
write_sections(struct elf_out *e, FILE *f, uint64_t symoff, uint64_t stroff,
	       uint64_t shstroff, const char *shstr, size_t shstr_len)
{
	const struct vd_module *m = e->mod;
	uint32_t name = 1;
	Elf64_Shdr sh = { 0 };
	uint16_t nreg = (uint16_t)m->nregions;

	if (fwrite(&sh, sizeof(sh), 1, f) != 1)
		return -1;
	for (size_t i = 0; i < m->nregions; i++) {
		const struct vd_module_region *r = &m->regions[i];

		sh = (Elf64_Shdr){
			.sh_name = name, .sh_type = SHT_PROGBITS,
			.sh_flags = SHF_ALLOC | (r->write ? SHF_WRITE : 0) |
				    (r->exec ? SHF_EXECINSTR : 0),
			.sh_addr = r->base, .sh_offset = e->data_off[i], .sh_size = r->size,
			.sh_addralign = r->exec ? 16 : 8,
		};
		name += (uint32_t)strlen(shstr + name) + 1;
		if (fwrite(&sh, sizeof(sh), 1, f) != 1)
			return -1;
	}
	sh = (Elf64_Shdr){ .sh_name = name, .sh_type = SHT_SYMTAB, .sh_offset = symoff,
			   .sh_size = e->nsymtab * sizeof(Elf64_Sym), .sh_link = nreg + 2u,
			   .sh_info = (Elf64_Word)e->nlocal, .sh_addralign = 8,
			   .sh_entsize = sizeof(Elf64_Sym) };
	name += (uint32_t)strlen(shstr + name) + 1;
	if (fwrite(&sh, sizeof(sh), 1, f) != 1)
		return -1;
	sh = (Elf64_Shdr){ .sh_name = name, .sh_type = SHT_STRTAB, .sh_offset = stroff,
			   .sh_size = e->strtab_len, .sh_addralign = 1 };
	name += (uint32_t)strlen(shstr + name) + 1;
	if (fwrite(&sh, sizeof(sh), 1, f) != 1)
		return -1;
	sh = (Elf64_Shdr){ .sh_name = name, .sh_type = SHT_STRTAB, .sh_offset = shstroff,
			   .sh_size = shstr_len, .sh_addralign = 1 };
	return fwrite(&sh, sizeof(sh), 1, f) == 1 ? 0 : -1;
}

static size_t
build_shstrtab(const struct vd_module *m, char *buf, size_t size)
{
	size_t n = 1;

	buf[0] = '\0';
	for (size_t i = 0; i < m->nregions; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s", section_name(m->regions[i].name)) + 1;
	n += (size_t)snprintf(buf + n, size - n, ".symtab") + 1;
	n += (size_t)snprintf(buf + n, size - n, ".strtab") + 1;
	n += (size_t)snprintf(buf + n, size - n, ".shstrtab") + 1;
	return n;
}

static struct vd_error *
write_elf(struct elf_out *e, FILE *f, const struct vd_extract_opts *opts,
	  struct vd_extract_stats *st)
{
	const struct vd_module *m = e->mod;
	uint64_t off = sizeof(Elf64_Ehdr) + m->nregions * sizeof(Elf64_Phdr);
	uint64_t symoff, stroff, shstroff, shoff;
	char shstr[1024];
	size_t shstr_len = build_shstrtab(m, shstr, sizeof(shstr));
	struct vd_error *err;

	for (size_t i = 0; i < m->nregions; i++) {
		uint64_t base = m->regions[i].base;

		// p_offset == p_vaddr modulo p_align, as loaders require.
		off = (off + e->align - 1) / e->align * e->align + (base & (e->align - 1));
		e->data_off[i] = off;
		off += m->regions[i].size;
	}
	symoff = (off + 7) & ~7ull;
	stroff = symoff + e->nsymtab * sizeof(Elf64_Sym);
	shstroff = stroff + e->strtab_len;
	shoff = (shstroff + shstr_len + 7) & ~7ull;
	if (write_headers(e, f, shoff, (uint16_t)(m->nregions + 4)))
		return vd_error_os(errno, "writing the ELF header");
	for (size_t i = 0; i < m->nregions; i++) {
		if (pad_to(f, e->data_off[i]))
			return vd_error_os(errno, "writing the ELF file");
		err = vd_kvirt_extract(e->s, m->regions[i].base, m->regions[i].size, f, opts, st);
		if (err)
			return err;
	}
	if (pad_to(f, symoff) ||
	    fwrite(e->symtab, sizeof(Elf64_Sym), e->nsymtab, f) != e->nsymtab ||
	    fwrite(e->strtab, 1, e->strtab_len, f) != e->strtab_len ||
	    fwrite(shstr, 1, shstr_len, f) != shstr_len || pad_to(f, shoff) ||
	    write_sections(e, f, symoff, stroff, shstroff, shstr, shstr_len))
		return vd_error_os(errno, "writing the ELF file");
	st->nsyms = e->nsymtab - 1;
	return NULL;
}

static struct vd_error *
extract_to(struct vd_session *s, const struct vd_module *mod, FILE *f, bool raw,
	   const struct vd_extract_opts *opts, struct vd_extract_stats *st)
{
	struct elf_out e = { .s = s, .mod = mod };
	struct vd_error *err = NULL;

	if (raw) {
		for (size_t i = 0; !err && i < mod->nregions; i++)
			err = vd_kvirt_extract(s, mod->regions[i].base, mod->regions[i].size,
					       f, opts, st);
		return err;
	}
	if (vd_session_info(s)->big_endian)
		return vd_error_create(VD_ERR_NOTIMPL, "ELF output of a big-endian dump (use --raw)");
	e.align = vd_session_page_size(s);
	// Without its symbols the module still disassembles: go on.
	vd_error_destroy(vd_module_symbols(s, mod, &e.syms, &e.nsyms));
	if (opts) {
		e.extra = opts->extra_syms;
		e.nextra = opts->nextra_syms;
	}
	err = build_symtab(&e);
	if (!err)
		err = write_elf(&e, f, opts, st);
	free(e.strtab);
	free(e.symtab);
	return err;
}

struct vd_error *
vd_module_extract(struct vd_session *s, const struct vd_module *mod, const char *path,
		  bool raw, const struct vd_extract_opts *opts,
		  struct vd_extract_stats *ret)
{
	struct vd_extract_stats st = { 0 };
	struct vd_error *err;
	FILE *f = fopen(path, "wbe");

	if (!f)
		return vd_error_os(errno, "%s: cannot create", path);
	err = extract_to(s, mod, f, raw, opts, &st);
	if (fclose(f) && !err)
		err = vd_error_os(errno, "%s: write failed", path);
	if (!err && st.missing_bytes && !(opts && opts->zero_fill))
		err = vd_error_create(VD_ERR_NODATA,
				      "module %s: %llu bytes of its memory are not in the dump; no file written (--zero-fill writes them as zeros)",
				      mod->name, (unsigned long long)st.missing_bytes);
	if (err)
		unlink(path);
	*ret = st;
	return err;
}
