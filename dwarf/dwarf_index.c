// SPDX-License-Identifier: MIT
/*
 * The lazy DWARF name index (see dwarf_priv.h for what it promises).
 *
 * libdwarf reads the sections through our own object-access methods over a
 * libelf ELF_C_READ_MMAP handle: section data is the file's mapping, so
 * only the pages of the CUs actually scanned are ever read from disk, and
 * nothing is copied (libdwarf's own reader would read() whole sections:
 * 160 MiB of .debug_info before the first answer).  Names in the index
 * point into that mapping too.
 *
 * Which units to read is decided in dwarf_units.c (only those whose bytes
 * mention the name, when that can be told); each is read once, whatever
 * question it was read for.  Top-level DIEs are walked with dwarf_siblingof_b,
 * which jumps over children with DW_AT_sibling when the producer emitted
 * it (DWARF 5 §2.3; GCC does for every DIE with children), so a CU costs
 * its top-level DIEs, not all of them.
 */
#include <dwarf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/elf_why.h"
#include "dwarf_code.h"
#include "common/arena.h"
#include "common/hashtab.h"
#include "common/util.h"
#include "types/ctype_priv.h"
#include "dwarf_priv.h"

/* Bounds for hostile files: entries in the index, top-level DIEs per CU. */
#define INDEX_MAX (1u << 26)
#define CU_DIES_MAX (1u << 24)

struct entry {
	const char *name;
	Dwarf_Off off;
	uint32_t hash;
	uint8_t ns;
	uint8_t rank;
};

struct vd_dwarf_index {
	int fd;
	Elf *elf;
	size_t shnum, shstrndx;
	bool big_endian, is64;
	Dwarf_Obj_Access_Interface access;
	Dwarf_Debug dbg;
	struct entry *ents;      /* the names indexed, in the order met */
	size_t nents, ents_cap;
	struct vd_htab tab;      /* (ns, name) -> index into ents (common/hashtab.h) */
	struct vd_arena arena;   /* canonical base type names */
	struct vd_dwarf_units units;
	size_t nscanned;         /* units whose names are indexed */
	char *path;
	struct vd_dwarf_relocs relocs;   /* ET_REL: debug sections relocated */
	struct vd_dwarf_sections secs;   /* what the persistent index reads */
	char build_id[65];               /* NT_GNU_BUILD_ID as hex; "" if none */
	struct vd_dwarf_names names;     /* the persistent index, when used */
	char *names_dir;                 /* where it is kept */
	bool have_names;
	bool no_names;                   /* the file cannot have one */
	bool has_debug_types;            /* DWARF 4 type units: refused */
	bool has_alt;                    /* dwz's supplementary file: refused */
	char alt_file[256];              /* its name */
	struct vd_dwarf_reader *reader;  /* single DIEs */
	const uint64_t *bases;           /* ET_REL sections placed (open only) */
	size_t nbases;
};

/* ELF access for libdwarf ---------------------------------------------------- */

static int
obj_section_info(void *obj, Dwarf_Half idx, Dwarf_Obj_Access_Section *ret,
		 int *error)
{
	struct vd_dwarf_index *ix = obj;
	Elf_Scn *scn = elf_getscn(ix->elf, idx);
	const char *name;
	GElf_Shdr sh;

	if (!scn || !gelf_getshdr(scn, &sh))
		return DW_DLV_NO_ENTRY;
	name = elf_strptr(ix->elf, ix->shstrndx, sh.sh_name);
	*ret = (Dwarf_Obj_Access_Section){
		.addr = sh.sh_addr, .type = sh.sh_type, .size = sh.sh_size,
		.name = name ? name : "", .link = sh.sh_link, .info = sh.sh_info,
		.entrysize = sh.sh_entsize,
	};
	// A compressed section (SHF_COMPRESSED, gABI "Compressed Sections")
	// is handed out decompressed by obj_load_section: report that size.
	if (sh.sh_flags & SHF_COMPRESSED) {
		GElf_Chdr ch;

		if (!gelf_getchdr(scn, &ch))
			return DW_DLV_NO_ENTRY;
		ret->size = ch.ch_size;
	}
	return DW_DLV_OK;
}

static Dwarf_Endianness
obj_byte_order(void *obj)
{
	return ((struct vd_dwarf_index *)obj)->big_endian ? DW_OBJECT_MSB : DW_OBJECT_LSB;
}

static Dwarf_Small
obj_length_size(void *obj)
{
	return 4;   // 32-bit DWARF; each unit header says if it is 64-bit
}

static Dwarf_Small
obj_pointer_size(void *obj)
{
	return ((struct vd_dwarf_index *)obj)->is64 ? 8 : 4;
}

static Dwarf_Unsigned
obj_section_count(void *obj)
{
	return ((struct vd_dwarf_index *)obj)->shnum;
}

/*
 * A section's bytes.  libelf checks the section lies inside the file;
 * with READ_MMAP and byte data (no conversion) they are the mapping itself.
 * A relocatable object's debug sections are our relocated copies.
 */
static const unsigned char *
section_bytes(const struct vd_dwarf_index *ix, Elf_Scn *scn, uint64_t *size)
{
	const unsigned char *p;
	Elf_Data *data;
	GElf_Shdr sh;

	if (scn && (p = vd_dwarf_relocated(&ix->relocs, elf_ndxscn(scn), size)))
		return p;
	if (!scn || !gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS)
		return NULL;
	if ((sh.sh_flags & SHF_COMPRESSED) && elf_compress(scn, 0, 0) < 0)
		return NULL;
	data = elf_getdata(scn, NULL);
	if (!data || !data->d_buf)
		return NULL;
	*size = data->d_size;
	return data->d_buf;
}

static int
obj_load_section(void *obj, Dwarf_Half idx, Dwarf_Small **data_ret, int *error)
{
	struct vd_dwarf_index *ix = obj;
	uint64_t size;
	const unsigned char *p = section_bytes(ix, elf_getscn(ix->elf, idx), &size);

	if (!p)
		return DW_DLV_NO_ENTRY;
	*data_ret = (Dwarf_Small *)p;
	return DW_DLV_OK;
}

static const Dwarf_Obj_Access_Methods obj_methods = {
	.get_section_info = obj_section_info,
	.get_byte_order = obj_byte_order,
	.get_length_size = obj_length_size,
	.get_pointer_size = obj_pointer_size,
	.get_section_count = obj_section_count,
	.load_section = obj_load_section,
	.relocate_a_section = NULL,   // final values, or relocated by us
};

struct vd_error *
vd_dwarf_error(const struct vd_dwarf_index *ix, Dwarf_Error err, Dwarf_Off off,
	       const char *what)
{
	struct vd_error *e;

	if (!err)
		return vd_error_create(VD_ERR_CORRUPT, "%s: DWARF DIE 0x%llx: %s: missing",
				       ix->path, (unsigned long long)off, what);
	e = vd_error_create(VD_ERR_CORRUPT, "%s: DWARF DIE 0x%llx: %s: %s", ix->path,
			    (unsigned long long)off, what, dwarf_errmsg(err));
	dwarf_dealloc_error(ix->dbg, err);
	return e;
}

/* Open --------------------------------------------------------------------- */

/*
 * Note the sections the unit walk and the name filter read, and whether
 * names may live elsewhere than inline or in .debug_str.
 */
static void
note_section(struct vd_dwarf_index *ix, Elf_Scn *scn, const char *name)
{
	struct vd_dwarf_units *us = &ix->units;

	struct vd_dwarf_sections *sec = &ix->secs;
	GElf_Shdr sh;

	if (!strcmp(name, ".debug_info")) {
		us->info = section_bytes(ix, scn, &us->size);
		sec->info = us->info;
		sec->info_size = us->size;
		// Pages of the file's own mapping can be given back after
		// reading; a relocated or decompressed copy cannot.
		sec->info_droppable = us->info && gelf_getshdr(scn, &sh) &&
				      !(sh.sh_flags & SHF_COMPRESSED) &&
				      !vd_dwarf_relocated(&ix->relocs, elf_ndxscn(scn),
							  &(uint64_t){ 0 });
	} else if (!strcmp(name, ".debug_str")) {
		us->str = section_bytes(ix, scn, &us->str_size);
		sec->str = us->str;
		sec->str_size = us->str_size;
	} else if (!strcmp(name, ".debug_abbrev")) {
		sec->abbrev = section_bytes(ix, scn, &sec->abbrev_size);
	} else if (!strcmp(name, ".debug_line_str")) {
		sec->line_str = section_bytes(ix, scn, &sec->line_str_size);
	} else if (!strcmp(name, ".debug_line")) {
		sec->line = section_bytes(ix, scn, &sec->line_size);
	} else if (!strcmp(name, ".debug_aranges")) {
		sec->aranges = section_bytes(ix, scn, &sec->aranges_size);
	}
	if (!strcmp(name, ".debug_str_offsets")) {
		sec->str_offsets = section_bytes(ix, scn, &sec->str_offsets_size);
		ix->units.strp_only = false;
	} else if (!strcmp(name, ".debug_types") && gelf_getshdr(scn, &sh) && sh.sh_size) {
		ix->has_debug_types = true;
	}
	if (!strcmp(name, ".gnu_debugaltlink") || !strcmp(name, ".debug_sup")) {
		size_t n = 0;
		const unsigned char *p = section_bytes(ix, scn, &(uint64_t){ 0 });

		// .gnu_debugaltlink: the supplementary file's name, NUL, its
		// build-id; .debug_sup: version, is_supplementary, the name.
		if (p && gelf_getshdr(scn, &sh)) {
			size_t skip = !strcmp(name, ".debug_sup") ? 3 : 0;

			for (n = 0; skip + n < sh.sh_size && n + 1 < sizeof(ix->alt_file) &&
			     p[skip + n] >= ' ' && p[skip + n] < 0x7f; n++)
				ix->alt_file[n] = (char)p[skip + n];
		}
		ix->alt_file[n] = '\0';
		ix->has_alt = true;
		ix->units.strp_only = false;
		ix->secs.info_droppable = false;
		ix->build_id[0] = '\0';
		ix->no_names = true;    // names in another file: not indexed here
	}
}

/* The file's NT_GNU_BUILD_ID as hex, the key of its persistent index. */
static void
note_build_id(struct vd_dwarf_index *ix, Elf_Scn *scn)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t off = 0, name_off, desc_off;
	GElf_Nhdr nh;

	while (data && (off = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
		const unsigned char *d = (const unsigned char *)data->d_buf + desc_off;

		if (nh.n_type != NT_GNU_BUILD_ID || nh.n_namesz != 4 ||
		    memcmp((const char *)data->d_buf + name_off, "GNU", 4) ||
		    !nh.n_descsz || nh.n_descsz > 32)
			continue;
		for (size_t i = 0; i < nh.n_descsz; i++)
			snprintf(ix->build_id + 2 * i, 3, "%02x", d[i]);
		return;
	}
}

/* The ELF checks libdwarf cannot make for us; finds .debug_info. */
static struct vd_error *
check_elf(struct vd_dwarf_index *ix)
{
	const char *ident = elf_getident(ix->elf, NULL);
	Elf_Scn *scn = NULL;
	GElf_Ehdr eh;

	if (elf_kind(ix->elf) != ELF_K_ELF || !ident || !gelf_getehdr(ix->elf, &eh)) {
		char why[160];
		const char *w = vd_elf_why_not(ix->fd, why, sizeof(why));

		return vd_error_create(VD_ERR_INVALID_ARG, "%s: not an ELF file: %s", ix->path,
				       w ? w : elf_errmsg(-1));
	}
	if (elf_getshdrnum(ix->elf, &ix->shnum) || elf_getshdrstrndx(ix->elf, &ix->shstrndx))
		return vd_error_create(VD_ERR_CORRUPT, "%s: bad ELF section headers: %s",
				       ix->path, elf_errmsg(-1));
	if (ix->shnum > 0xffff)   // libdwarf numbers sections with a Dwarf_Half
		return vd_error_create(VD_ERR_NOTIMPL, "%s: %zu sections", ix->path, ix->shnum);
	ix->big_endian = ident[EI_DATA] == ELFDATA2MSB;
	ix->is64 = ident[EI_CLASS] == ELFCLASS64;
	ix->units.big_endian = ix->big_endian;
	ix->units.strp_only = true;
	// A kernel module's .ko: relocate its debug sections first.
	if (eh.e_type == ET_REL) {
		struct vd_error *err = vd_dwarf_relocate(ix->elf, ix->path, ix->shstrndx,
						      ix->big_endian, ix->bases, ix->nbases,
						      &ix->relocs);

		if (err)
			return err;
	}
	while ((scn = elf_nextscn(ix->elf, scn))) {
		GElf_Shdr sh;
		const char *name;

		if (gelf_getshdr(scn, &sh) &&
		    (name = elf_strptr(ix->elf, ix->shstrndx, sh.sh_name)))
			note_section(ix, scn, name);
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_NOTE && !ix->build_id[0] &&
		    !ix->no_names)
			note_build_id(ix, scn);
	}
	ix->secs.big_endian = ix->big_endian;
	if (!ix->units.info || !ix->units.size)
		return vd_error_create(VD_ERR_LOOKUP, "%s: no DWARF (.debug_info): not a debug build",
				       ix->path);
	// What is not read gets a refusal, not answers without it.
	if (ix->has_alt)
		return vd_error_create(VD_ERR_NOTIMPL,
				       "%s: DWARF compressed by dwz: DIEs and names are shared with the supplementary file '%s' (.gnu_debugaltlink/.debug_sup), which is not read; use the debug file before dwz",
				       ix->path, ix->alt_file[0] ? ix->alt_file : "?");
	if (ix->has_debug_types)
		return vd_error_create(VD_ERR_NOTIMPL,
				       "%s: DWARF 4 type units (.debug_types, from gcc -fdebug-types-section) are not supported; use a build without -fdebug-types-section",
				       ix->path);
	return NULL;
}

struct vd_error *
vd_dwarf_index_open(const char *path, struct vd_dwarf_index **ret)
{
	return vd_dwarf_index_open_placed(path, NULL, 0, ret);
}

struct vd_error *
vd_dwarf_index_open_placed(const char *path, const uint64_t *bases, size_t nbases,
			   struct vd_dwarf_index **ret)
{
	struct vd_dwarf_index *ix = calloc(1, sizeof(*ix));
	Dwarf_Error derr = NULL;
	struct vd_error *err;

	if (!ix || !(ix->path = strdup(path))) {
		free(ix);
		return &vd_enomem;
	}
	ix->bases = bases;
	ix->nbases = nbases;
	ix->fd = -1;
	elf_version(EV_CURRENT);
	ix->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (ix->fd < 0) {
		err = vd_error_os(errno, "%s: cannot open", path);
		goto fail;
	}
	ix->elf = elf_begin(ix->fd, ELF_C_READ_MMAP, NULL);
	err = ix->elf ? check_elf(ix) :
	      vd_error_create(VD_ERR_INVALID_ARG, "%s: not an ELF file: %s", path, elf_errmsg(-1));
	if (err)
		goto fail;
	ix->reader = vd_dwarf_reader_create(&ix->secs, path);
	if (!ix->reader) {
		err = &vd_enomem;
		goto fail;
	}
	ix->access = (Dwarf_Obj_Access_Interface){ .object = ix, .methods = &obj_methods };
	if (dwarf_object_init_b(&ix->access, NULL, NULL, DW_GROUPNUMBER_ANY, &ix->dbg,
				&derr) != DW_DLV_OK) {
		err = vd_error_create(VD_ERR_CORRUPT, "%s: libdwarf cannot read it: %s", path,
				      derr ? dwarf_errmsg(derr) : "no DWARF sections");
		// Without a dbg, libdwarf made the error with malloc and
		// releases it so (dwarf_dealloc with a NULL dbg); a fuzzed
		// ELF found it leaking.
		if (derr)
			dwarf_dealloc_error(NULL, derr);
		ix->dbg = NULL;
		goto fail;
	}
	ix->bases = NULL;   // the relocations are made: not kept
	ix->nbases = 0;
	*ret = ix;
	return NULL;
fail:
	vd_dwarf_index_close(ix);
	return err;
}

void
vd_dwarf_index_close(struct vd_dwarf_index *ix)
{
	if (!ix)
		return;
	if (ix->dbg) {
		Dwarf_Error derr = NULL;

		if (dwarf_object_finish(ix->dbg, &derr) == DW_DLV_ERROR)
			dwarf_dealloc_error(ix->dbg, derr);
	}
	if (ix->elf)
		elf_end(ix->elf);
	if (ix->fd >= 0)
		close(ix->fd);
	vd_htab_free(&ix->tab);
	free(ix->ents);
	vd_dwarf_names_deinit(&ix->names);
	free(ix->names_dir);
	vd_dwarf_reader_destroy(ix->reader);
	vd_dwarf_relocs_deinit(&ix->relocs);
	vd_dwarf_units_deinit(&ix->units);
	vd_arena_deinit(&ix->arena);
	free(ix->path);
	free(ix);
}

Dwarf_Debug
vd_dwarf_index_dbg(const struct vd_dwarf_index *ix)
{
	return ix->dbg;
}

const char *
vd_dwarf_index_path(const struct vd_dwarf_index *ix)
{
	return ix->path;
}

struct vd_dwarf_reader *
vd_dwarf_index_reader(const struct vd_dwarf_index *ix)
{
	return ix->reader;
}

const unsigned char *
vd_dwarf_index_info(const struct vd_dwarf_index *ix)
{
	return ix->secs.info;
}

const struct vd_dwarf_sections *
vd_dwarf_index_sections(const struct vd_dwarf_index *ix)
{
	return &ix->secs;
}

unsigned
vd_dwarf_index_ptr_size(const struct vd_dwarf_index *ix)
{
	return ix->is64 ? 8 : 4;
}

bool
vd_dwarf_index_big_endian(const struct vd_dwarf_index *ix)
{
	return ix->big_endian;
}

struct vd_error *
vd_dwarf_index_build_names(struct vd_dwarf_index *ix, unsigned nthreads,
			   struct vd_dwarf_names *ret)
{
	if (ix->no_names || !ix->secs.info)
		return vd_error_create(VD_ERR_NOTIMPL, "%s: no DWARF to index in one pass",
				       ix->path);
	return vd_dwarf_names_build(&ix->secs, ix->path, nthreads, ret);
}

static const char *build_names(struct vd_dwarf_index *ix);

const char *
vd_dwarf_index_use_names(struct vd_dwarf_index *ix, const char *dir)
{
	const char *why = NULL;

	if (ix->have_names)
		return "in use";
	if (!dir)
		return "no cache directory";
	if (ix->no_names || !ix->build_id[0] || !ix->secs.info)
		return "no build-id";
	free(ix->names_dir);
	if (!(ix->names_dir = strdup(dir)))
		return "not used: out of memory";
	if (vd_dwarf_names_load(dir, ix->build_id, ix->secs.info_size, &ix->names, &why)) {
		ix->have_names = true;
		vd_dwarf_reader_use_units(ix->reader, ix->names.units, ix->names.meta.nunits);
		return "mapped";
	}
	return build_names(ix);
}

/* Build the index (every CPU), use it and keep it in ix->names_dir. */
static const char *
build_names(struct vd_dwarf_index *ix)
{
	unsigned ncpu;
	long n;
	struct vd_error *err;

	n = sysconf(_SC_NPROCESSORS_ONLN);
	ncpu = n < 1 ? 1 : n > VD_DWARF_NAMES_THREADS_MAX ? VD_DWARF_NAMES_THREADS_MAX :
	       (unsigned)n;
	err = vd_dwarf_names_build(&ix->secs, ix->path, ncpu, &ix->names);
	if (err) {
		// The lazy index goes on, and reports a damaged DIE when it
		// reads one.
		vd_error_destroy(err);
		return "not built: the DWARF could not be read in one pass";
	}
	ix->have_names = true;
	vd_dwarf_reader_use_units(ix->reader, ix->names.units, ix->names.meta.nunits);
	// A read-only or full directory is no error: the index is used
	// for this run and built again next time.
	err = vd_dwarf_names_write(&ix->names, ix->names_dir, ix->build_id);
	vd_error_destroy(err);
	return err ? "built, not kept" : "built and kept";
}

struct vd_error *
vd_dwarf_index_enumerator(struct vd_dwarf_index *ix, const char *name, Dwarf_Off *enum_ret)
{
	Dwarf_Off off;
	uint64_t top;
	struct vd_error *err;

	if (!ix->have_names && !ix->no_names && ix->secs.info)
		build_names(ix);      // no cache directory (--no-cache): in memory
	if (!ix->have_names)
		return vd_error_create(VD_ERR_LOOKUP, "%s: no enumerators indexed (the DWARF could not be read in one pass)",
				       ix->path);
	if (vd_dwarf_index_peek(ix, VD_DWARF_ENUMERATOR, name, &off) == VD_DWARF_NONE)
		return vd_error_create(VD_ERR_LOOKUP, "no enumerator '%s' in the DWARF of %s", name,
				       ix->path);
	if ((err = vd_dwarf_reader_top_of(ix->reader, off, &top)))
		return err;
	*enum_ret = top;
	return NULL;
}

void
vd_dwarf_index_progress(const struct vd_dwarf_index *ix, uint64_t *nunits, bool *done)
{
	*nunits = ix->nscanned;
	*done = ix->units.listed && ix->nscanned == ix->units.n;
}

/* The hash ------------------------------------------------------------------ */

static uint32_t
name_hash(enum vd_dwarf_ns ns, const char *name)
{
	uint32_t h = 2166136261u ^ (uint32_t)ns;   // FNV-1a

	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 16777619u;
	return h;
}

static uint64_t
ent_hash(void *priv, uint32_t idx)
{
	return ((const struct vd_dwarf_index *)priv)->ents[idx].hash;
}

/* The entry of (ns, name), VD_HTAB_END when there is none. */
static uint32_t
find(const struct vd_dwarf_index *ix, enum vd_dwarf_ns ns, const char *name, uint32_t h)
{
	struct vd_htab_probe p;

	for (uint32_t i = vd_htab_first(&ix->tab, h, &p); i != VD_HTAB_END;
	     i = vd_htab_next(&ix->tab, &p)) {
		const struct entry *e = &ix->ents[i];

		if (e->hash == h && e->ns == ns && !strcmp(e->name, name))
			return i;
	}
	return VD_HTAB_END;
}

/* Record (ns, name) -> off unless a better or equal entry is there. */
static struct vd_error *
index_put(struct vd_dwarf_index *ix, enum vd_dwarf_ns ns, const char *name,
	  Dwarf_Off off, enum vd_dwarf_rank rank)
{
	uint32_t h = name_hash(ns, name), i = find(ix, ns, name, h);
	struct vd_error *err;

	if (i != VD_HTAB_END) {
		if (ix->ents[i].rank < rank) {
			ix->ents[i].off = off;
			ix->ents[i].rank = (uint8_t)rank;
		}
		return NULL;
	}
	if (ix->nents >= INDEX_MAX / 2)
		return vd_error_create(VD_ERR_CORRUPT, "%s: more than %u DWARF names",
				       ix->path, INDEX_MAX / 2);
	if (ix->nents == ix->ents_cap) {
		size_t cap = ix->ents_cap ? 2 * ix->ents_cap : 2048;
		struct entry *p = realloc(ix->ents, cap * sizeof(*p));

		if (!p)
			return &vd_enomem;
		ix->ents = p;
		ix->ents_cap = cap;
	}
	// Base type names are canonical spellings we made: keep a copy.
	if (ns == VD_DWARF_BASE && !(name = vd_arena_strdup(&ix->arena, name)))
		return &vd_enomem;
	ix->ents[ix->nents] = (struct entry){ .name = name, .off = off, .hash = h,
					      .ns = (uint8_t)ns, .rank = (uint8_t)rank };
	err = vd_htab_add(&ix->tab, h, (uint32_t)ix->nents, ent_hash, ix);
	ix->nents += !err;
	return err;
}

enum vd_dwarf_rank
vd_dwarf_index_peek(const struct vd_dwarf_index *ix, enum vd_dwarf_ns ns,
		    const char *name, Dwarf_Off *off_ret)
{
	const struct entry *e;
	uint32_t i;

	if (ix->have_names) {
		uint64_t off = 0;
		enum vd_dwarf_rank r = vd_dwarf_names_find(&ix->names, ns, name, &off);

		if (ix->names.damaged) {
			// A damaged part of the kept index: built again (and
			// kept), then asked again.  Logically the same index.
			struct vd_dwarf_index *w = (struct vd_dwarf_index *)ix;

			vd_dwarf_names_deinit(&w->names);
			w->have_names = false;
			build_names(w);
			return vd_dwarf_index_peek(ix, ns, name, off_ret);
		}
		if (r && off_ret)
			*off_ret = off;
		return r;
	}
	i = find(ix, ns, name, name_hash(ns, name));
	if (i == VD_HTAB_END)
		return VD_DWARF_NONE;
	e = &ix->ents[i];
	if (off_ret)
		*off_ret = e->off;
	return (enum vd_dwarf_rank)e->rank;
}

/* The scan ----------------------------------------------------------------- */

/* Whether die has attribute at; a bad DIE reads as "no" (never NULL for
 * the error: libdwarf aborts then). */
static bool
has_attr(const struct vd_dwarf_index *ix, Dwarf_Die die, Dwarf_Half at)
{
	Dwarf_Error derr = NULL;
	Dwarf_Bool yes = 0;

	if (dwarf_hasattr(die, at, &yes, &derr) == DW_DLV_ERROR) {
		dwarf_dealloc_error(ix->dbg, derr);
		return false;
	}
	return yes;
}

/*
 * A nameless variable DIE that completes a declaration (DWARF 5 §2.13.2):
 * the declaration's name, and whether it is external.  *name stays NULL
 * for any other nameless DIE.
 */
static struct vd_error *
completed_name(struct vd_dwarf_index *ix, Dwarf_Die die, Dwarf_Off off,
	       char **name, bool *external)
{
	Dwarf_Attribute attr = NULL;
	Dwarf_Error derr = NULL;
	Dwarf_Die decl = NULL;
	Dwarf_Off spec = 0;
	int r;

	*name = NULL;
	r = dwarf_attr(die, DW_AT_specification, &attr, &derr);
	if (r == DW_DLV_OK) {
		r = dwarf_global_formref(attr, &spec, &derr);
		dwarf_dealloc_attribute(attr);
	}
	if (r == DW_DLV_OK)
		r = dwarf_offdie_b(ix->dbg, spec, 1, &decl, &derr);
	if (r == DW_DLV_OK) {
		r = dwarf_diename(decl, name, &derr);
		*external = has_attr(ix, decl, DW_AT_external);
		dwarf_dealloc_die(decl);
	}
	if (r == DW_DLV_ERROR)
		return vd_dwarf_error(ix, derr, off, "following DW_AT_specification");
	return NULL;
}

/* Index one top-level DIE if it is a named type, variable or function. */
static struct vd_error *
index_die(struct vd_dwarf_index *ix, Dwarf_Die die, Dwarf_Off off)
{
	Dwarf_Error derr = NULL;
	enum vd_dwarf_rank rank = VD_DWARF_GOOD;
	struct vd_error *err;
	bool external = false;
	enum vd_dwarf_ns ns;
	Dwarf_Half tag;
	char *name, canon[128];

	if (dwarf_tag(die, &tag, &derr) != DW_DLV_OK)
		return vd_dwarf_error(ix, derr, off, "reading the tag");
	if (!vd_dwarf_tag_ns(tag, &ns))
		return NULL;
	switch (dwarf_diename(die, &name, &derr)) {
	case DW_DLV_NO_ENTRY:
		if (tag != DW_TAG_variable)
			return NULL;      // anonymous
		err = completed_name(ix, die, off, &name, &external);
		if (err || !name)
			return err;
		// Only a definition that restates the type says more than the
		// declaration did (char buf[] declared, char buf[64] defined).
		rank = !external ? VD_DWARF_WEAK :
		       has_attr(ix, die, DW_AT_type) ? VD_DWARF_BEST : VD_DWARF_GOOD;
		return index_put(ix, ns, name, off, rank);
	case DW_DLV_ERROR:
		return vd_dwarf_error(ix, derr, off, "reading the name");
	}
	// DWARF 5 §2.13.1: DW_AT_declaration marks a non-defining declaration.
	if (ns <= VD_DWARF_ENUM && has_attr(ix, die, DW_AT_declaration))
		rank = VD_DWARF_WEAK;
	// §4.1, §3.3.1: an object without DW_AT_external is file-static;
	// another file may use the same name for something else.
	if (ns == VD_DWARF_OBJECT)
		rank = !has_attr(ix, die, DW_AT_external) ? VD_DWARF_WEAK :
		       has_attr(ix, die, DW_AT_declaration) ? VD_DWARF_GOOD : VD_DWARF_BEST;
	if (ns == VD_DWARF_BASE) {
		vd_types_canonical_base_name(name, canon, sizeof(canon));
		name = canon;
	}
	return index_put(ix, ns, name, off, rank);
}

/* Index the top-level DIEs of one unit. */
static struct vd_error *
index_unit(struct vd_dwarf_index *ix, struct vd_dwarf_unit *unit)
{
	Dwarf_Die cu = NULL, die = NULL;
	Dwarf_Error derr = NULL;
	struct vd_error *err = NULL;
	Dwarf_Off last = 0;
	int r;

	unit->scanned = true;
	ix->nscanned++;
	if (unit->skip)
		return NULL;
	if (dwarf_offdie_b(ix->dbg, unit->die, 1, &cu, &derr) != DW_DLV_OK)
		return vd_dwarf_error(ix, derr, unit->die, "reading the unit's DIE");
	r = dwarf_child(cu, &die, &derr);
	for (uint32_t n = 0; r == DW_DLV_OK && !err; n++) {
		Dwarf_Die next = NULL;
		Dwarf_Off off = 0;

		if (dwarf_dieoffset(die, &off, &derr) != DW_DLV_OK)
			err = vd_dwarf_error(ix, derr, last, "the DIE after this one");
		else if (off <= last || n >= CU_DIES_MAX)
			// A DW_AT_sibling pointing backwards would loop forever.
			err = vd_dwarf_error(ix, NULL, off, "a sibling in order");
		else
			err = index_die(ix, die, off);
		last = off;
		r = err ? DW_DLV_NO_ENTRY : dwarf_siblingof_b(ix->dbg, die, 1, &next, &derr);
		dwarf_dealloc_die(die);
		die = next;
	}
	if (r == DW_DLV_ERROR && !err)
		err = vd_dwarf_error(ix, derr, last, "the DIE after this one");
	dwarf_dealloc_die(cu);
	return err;
}

static bool
answered(const struct vd_dwarf_index *ix, unsigned ns_mask, const char *name,
	 enum vd_dwarf_rank want)
{
	for (unsigned ns = 0; ns < VD_DWARF_NNS; ns++)
		if ((ns_mask & (1u << ns)) &&
		    vd_dwarf_index_peek(ix, (enum vd_dwarf_ns)ns, name, NULL) >= want)
			return true;
	return false;
}

/* Every unit not read yet, in order, until name is answered. */
static struct vd_error *
scan_all(struct vd_dwarf_index *ix, unsigned ns_mask, const char *name,
	 enum vd_dwarf_rank want)
{
	struct vd_dwarf_units *us = &ix->units;

	for (size_t i = 0; !answered(ix, ns_mask, name, want); i++) {
		struct vd_error *err = NULL;

		if (i == us->n)
			err = vd_dwarf_units_list_until(us, ix->path, us->n ? us->u[i - 1].end : 0);
		if (err || i == us->n)
			return err;
		if (!us->u[i].scanned && (err = index_unit(ix, &us->u[i])))
			return err;
	}
	return NULL;
}

/*
 * Only the units whose bytes mention name (dwarf_units.c), in order,
 * until name is answered.  A name no unit mentions costs one pass over
 * .debug_info and no DIE.
 */
static struct vd_error *
scan_mentions(struct vd_dwarf_index *ix, struct vd_dwarf_needles *nd, unsigned ns_mask,
	      const char *name, enum vd_dwarf_rank want)
{
	struct vd_dwarf_units *us = &ix->units;
	uint64_t pos = 0;

	while (!answered(ix, ns_mask, name, want)) {
		uint64_t hit = vd_dwarf_needles_next(us, nd, pos);
		struct vd_dwarf_unit *unit;
		struct vd_error *err;

		if (hit >= us->size)
			return NULL;
		err = vd_dwarf_units_list_until(us, ix->path, hit);
		unit = vd_dwarf_units_at(us, hit);
		if (err || !unit)
			return err;        // past the last good unit header
		if (!unit->scanned && (err = index_unit(ix, unit)))
			return err;
		pos = unit->end;
	}
	return NULL;
}

struct vd_error *
vd_dwarf_index_scan(struct vd_dwarf_index *ix, unsigned ns_mask, const char *name,
		    enum vd_dwarf_rank want)
{
	struct vd_dwarf_needles nd;
	struct vd_error *err;

	if (ix->have_names || (ix->units.listed && ix->nscanned == ix->units.n))
		return NULL;       // all indexed: peek has the answer
	// Base types are indexed by canonical spelling, not the one in the
	// file; but every unit has them, so the first unit answers anyway.
	if (ns_mask & (1u << VD_DWARF_BASE))
		return scan_all(ix, ns_mask, name, want);
	if (vd_dwarf_needles_make(&ix->units, name, &nd))
		err = scan_mentions(ix, &nd, ns_mask, name, want);
	else
		err = scan_all(ix, ns_mask, name, want);
	vd_dwarf_needles_deinit(&nd);
	return err;
}
