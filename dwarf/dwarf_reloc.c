// SPDX-License-Identifier: MIT
/*
 * The DWARF of a relocatable object (a kernel module's .ko): its debug
 * sections refer to each other through relocations, not final values.  In
 * .debug_info every DW_FORM_strp name is a relocation against .debug_str,
 * each unit header's abbreviation offset one against .debug_abbrev, and
 * so on; with RELA relocations (x86_64, arm64) the section itself holds
 * zeros and the offset is the addend.  So before libdwarf or the name
 * filter read a debug section, a copy gets its relocations applied: each
 * location becomes S + A (ELF gABI "Relocation"), S the symbol's st_value
 * (a section symbol: 0, sections of a relocatable object start at 0) and A
 * the addend (RELA) or the value in place (REL).  For source lines the
 * caller may place the sections (a loaded module's runtime addresses): S
 * then counts from its section's place, so DW_AT_low_pc and the line
 * table's addresses are the running kernel's, and code in .text,
 * .init.text and .exit.text (all at 0 in the file) no longer overlaps.
 *
 * Only the data relocations compilers emit in debug sections are known:
 * absolute 32- and 64-bit values, per machine (each psABI's relocation
 * table).  Anything else is refused by name, never applied wrongly.
 */
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "dwarf_priv.h"

/* A module's debug sections are a few MiB; this bounds a hostile file. */
#define RELOC_BYTES_MAX (1ull << 30)

/*
 * Bytes a relocation type writes in a debug section: 4 or 8, 0 for "none",
 * -1 if vmdive does not know it.
 */
static int
reloc_width(unsigned machine, unsigned type)
{
	switch (machine) {
	case EM_X86_64:      // System V AMD64 psABI, table 4.9
		return type == R_X86_64_NONE ? 0 : type == R_X86_64_64 ? 8 :
		       type == R_X86_64_32 || type == R_X86_64_32S ? 4 : -1;
	case EM_AARCH64:     // ELF for the Arm 64-bit Architecture, 5.7.5
		return type == R_AARCH64_NONE || type == 256 ? 0 :
		       type == R_AARCH64_ABS64 ? 8 : type == R_AARCH64_ABS32 ? 4 : -1;
	case EM_386:
		return type == R_386_NONE ? 0 : type == R_386_32 ? 4 : -1;
	case EM_ARM:
		return type == R_ARM_NONE ? 0 : type == R_ARM_ABS32 ? 4 : -1;
	case EM_PPC64:
		return type == R_PPC64_NONE ? 0 : type == R_PPC64_ADDR64 ? 8 :
		       type == R_PPC64_ADDR32 ? 4 : -1;
	case EM_S390:
		return type == R_390_NONE ? 0 : type == R_390_64 ? 8 : type == R_390_32 ? 4 : -1;
	default:
		return -1;
	}
}

void
vd_dwarf_relocs_deinit(struct vd_dwarf_relocs *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->secs[i].data);
	free(r->secs);
	memset(r, 0, sizeof(*r));
}

const unsigned char *
vd_dwarf_relocated(const struct vd_dwarf_relocs *r, size_t idx, uint64_t *size)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->secs[i].idx == idx) {
			*size = r->secs[i].size;
			return r->secs[i].data;
		}
	return NULL;
}

struct reloc_ctx {
	Elf *elf;
	const char *path;
	unsigned machine;
	bool big_endian;
	Elf_Data *syms;
	size_t nsyms;
	struct vd_dwarf_relocs *out;
	uint64_t total;
	const uint64_t *bases;     /* runtime address per section, or NULL */
	size_t nbases;
};

static const char *
sec_name(Elf *elf, size_t shstrndx, Elf_Scn *scn)
{
	GElf_Shdr sh;
	const char *n = scn && gelf_getshdr(scn, &sh) ? elf_strptr(elf, shstrndx, sh.sh_name) : NULL;

	return n ? n : "";
}

/* The copy of section idx that relocations are applied to, made on first use. */
static struct vd_error *
target_copy(struct reloc_ctx *c, size_t idx, const char *name,
	    unsigned char **data_ret, uint64_t *size_ret)
{
	Elf_Scn *scn = elf_getscn(c->elf, idx);
	struct vd_dwarf_relocs *r = c->out;
	const unsigned char *raw;
	Elf_Data *d;
	GElf_Shdr sh;
	void *p;

	for (size_t i = 0; i < r->n; i++)
		if (r->secs[i].idx == idx) {
			*data_ret = r->secs[i].data;
			*size_ret = r->secs[i].size;
			return NULL;
		}
	if (!scn || !gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS ||
	    ((sh.sh_flags & SHF_COMPRESSED) && elf_compress(scn, 0, 0) < 0) ||
	    !(d = elf_getdata(scn, NULL)) || !(raw = d->d_buf))
		return vd_error_create(VD_ERR_CORRUPT, "%s: section %s cannot be read: %s",
				       c->path, name, elf_errmsg(-1));
	if (d->d_size > RELOC_BYTES_MAX - c->total)
		return vd_error_create(VD_ERR_CORRUPT, "%s: debug sections to relocate exceed %llu bytes",
				       c->path, RELOC_BYTES_MAX);
	p = realloc(r->secs, (r->n + 1) * sizeof(*r->secs));
	if (!p)
		return &vd_enomem;
	r->secs = p;
	r->secs[r->n].data = malloc(d->d_size ? d->d_size : 1);
	if (!r->secs[r->n].data)
		return &vd_enomem;
	memcpy(r->secs[r->n].data, raw, d->d_size);
	r->secs[r->n].idx = idx;
	r->secs[r->n].size = d->d_size;
	c->total += d->d_size;
	*data_ret = r->secs[r->n].data;
	*size_ret = r->secs[r->n++].size;
	return NULL;
}

/* Apply one SHT_REL(A) section to its debug section's copy. */
static struct vd_error *
apply(struct reloc_ctx *c, Elf_Scn *rscn, const GElf_Shdr *rsh, const char *target)
{
	bool rela = rsh->sh_type == SHT_RELA;
	Elf_Data *rd = elf_getdata(rscn, NULL);
	unsigned char *data;
	uint64_t size;
	struct vd_error *err;
	size_t n;

	if ((rsh->sh_flags & SHF_COMPRESSED) || !rd || !rsh->sh_entsize)
		return vd_error_create(VD_ERR_NOTIMPL, "%s: the relocations of %s cannot be read",
				       c->path, target);
	if ((err = target_copy(c, rsh->sh_info, target, &data, &size)))
		return err;
	n = rsh->sh_size / rsh->sh_entsize;
	for (size_t i = 0; i < n; i++) {
		GElf_Rela ra;
		GElf_Rel rl;
		GElf_Sym sym = { 0 };
		uint64_t off, value;
		unsigned type, symi;
		int width;

		if (rela ? !gelf_getrela(rd, (int)i, &ra) : !gelf_getrel(rd, (int)i, &rl))
			return vd_error_create(VD_ERR_CORRUPT, "%s: relocation %zu of %s is unreadable",
					       c->path, i, target);
		if (!rela)
			ra = (GElf_Rela){ .r_offset = rl.r_offset, .r_info = rl.r_info };
		off = ra.r_offset;
		type = (unsigned)GELF_R_TYPE(ra.r_info);
		symi = (unsigned)GELF_R_SYM(ra.r_info);
		width = reloc_width(c->machine, type);
		if (width < 0)
			return vd_error_create(VD_ERR_NOTIMPL,
					       "%s: relocation type %u (ELF machine %u) in %s is not one vmdive applies",
					       c->path, type, c->machine, target);
		if (!width)
			continue;
		if (!vd_range_ok(off, (uint64_t)width, size) || symi >= c->nsyms ||
		    (symi && !gelf_getsym(c->syms, (int)symi, &sym)))
			return vd_error_create(VD_ERR_CORRUPT,
					       "%s: relocation %zu of %s: offset 0x%llx or symbol %u out of range",
					       c->path, i, target, (unsigned long long)off, symi);
		// S + A; REL keeps A in place.  S of a symbol in a section
		// placed at its runtime address counts from there.
		value = sym.st_value + (uint64_t)ra.r_addend;
		if (symi && sym.st_shndx < c->nbases && sym.st_shndx < SHN_LORESERVE)
			value += c->bases[sym.st_shndx];
		if (!rela)
			value += width == 8 ? vd_get64(data + off, c->big_endian) :
					      vd_get32(data + off, c->big_endian);
		if (width == 8)
			vd_put64(data + off, value, c->big_endian);
		else
			vd_put32(data + off, (uint32_t)value, c->big_endian);
	}
	return NULL;
}

struct vd_error *
vd_dwarf_relocate(Elf *elf, const char *path, size_t shstrndx, bool big_endian,
		  const uint64_t *bases, size_t nbases, struct vd_dwarf_relocs *ret)
{
	struct reloc_ctx c = { .elf = elf, .path = path, .big_endian = big_endian, .out = ret,
			       .bases = bases, .nbases = bases ? nbases : 0 };
	Elf_Scn *scn = NULL;
	struct vd_error *err = NULL;
	size_t symidx = 0, shnum;
	GElf_Ehdr eh;

	memset(ret, 0, sizeof(*ret));
	if (!gelf_getehdr(elf, &eh) || elf_getshdrnum(elf, &shnum))
		return vd_error_create(VD_ERR_CORRUPT, "%s: bad ELF header", path);
	c.machine = eh.e_machine;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;

		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB && sh.sh_entsize) {
			c.syms = elf_getdata(scn, NULL);
			c.nsyms = c.syms ? sh.sh_size / sh.sh_entsize : 0;
			symidx = elf_ndxscn(scn);
			break;
		}
	}
	for (scn = NULL; !err && (scn = elf_nextscn(elf, scn));) {
		const char *target;
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh) || (sh.sh_type != SHT_RELA && sh.sh_type != SHT_REL))
			continue;
		if (sh.sh_info >= shnum)
			continue;
		target = sec_name(elf, shstrndx, elf_getscn(elf, sh.sh_info));
		if (strncmp(target, ".debug_", 7))
			continue;     // code and data: not what types are read from
		if (!c.syms || sh.sh_link != symidx)
			err = vd_error_create(VD_ERR_CORRUPT,
					      "%s: the relocations of %s have no symbol table",
					      path, target);
		else
			err = apply(&c, scn, &sh, target);
	}
	if (err)
		vd_dwarf_relocs_deinit(ret);
	return err;
}
