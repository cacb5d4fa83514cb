// SPDX-License-Identifier: MIT
/*
 * Modules' debug files: the session's module_debug directory is listed
 * (recursively, on first use) for NAME.ko and NAME.ko.debug, the way
 * crash's `mod -S DIR` finds them.  Debian's -dbg packages put unstripped
 * modules at /usr/lib/debug/lib/modules/KVER/kernel/.../NAME.ko; Fedora's
 * debuginfo puts NAME.ko.debug beside stripped ones.  A module's name
 * spells '-' as '_' (scripts/Makefile.lib: KBUILD_MODNAME), so file names
 * are compared that way.
 *
 * The directory is the user's, not the dump's, but it is walked with
 * bounds all the same: symbolic links are not followed, the depth and the
 * number of entries are capped.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/elf_why.h"
#include "common/util.h"
#include "modules_priv.h"

#define DEPTH_MAX 16
#define ENTRIES_MAX (1u << 20)    /* directory entries looked at */
#define FILES_MAX (1u << 16)      /* debug files kept */

struct md_file {
	char *name;                   /* module name: '-' as '_', no suffix */
	char *path;
	bool dot_debug;               /* NAME.ko.debug */
};

struct vd_module_debug {
	struct md_file *files;        /* sorted by name */
	size_t n, cap;
	uint64_t seen;                /* entries looked at */
};

void
vd_module_debug_destroy(struct vd_module_debug *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++) {
		free(m->files[i].name);
		free(m->files[i].path);
	}
	free(m->files);
	free(m);
}

/* The module name a file name stands for, or false if it is no module. */
static bool
module_of(const char *base, char *name, size_t size, bool *dot_debug)
{
	static const char *const suffixes[] = { ".ko.debug", ".ko" };
	size_t len = strlen(base);

	for (size_t i = 0; i < VD_ARRAY_SIZE(suffixes); i++) {
		size_t sl = strlen(suffixes[i]);

		if (len <= sl || len - sl >= size || strcmp(base + len - sl, suffixes[i]))
			continue;
		memcpy(name, base, len - sl);
		name[len - sl] = '\0';
		for (char *p = name; *p; p++)
			if (*p == '-')
				*p = '_';
		*dot_debug = i == 0;
		return true;
	}
	return false;
}

static struct vd_error *
add_file(struct vd_module_debug *m, const char *name, const char *path, bool dot_debug)
{
	struct md_file *f;

	if (m->n >= FILES_MAX)
		return NULL;              // enough: the rest are not looked at
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 64;
		void *p = realloc(m->files, cap * sizeof(*m->files));

		if (!p)
			return &vd_enomem;
		m->files = p;
		m->cap = cap;
	}
	f = &m->files[m->n];
	f->name = strdup(name);
	f->path = strdup(path);
	f->dot_debug = dot_debug;
	if (!f->name || !f->path) {
		free(f->name);
		free(f->path);
		return &vd_enomem;
	}
	m->n++;
	return NULL;
}

/* List dir and below (depth-first, symbolic links not followed). */
static struct vd_error *
walk(struct vd_module_debug *m, const char *dir, int depth)
{
	struct vd_error *err = NULL;
	struct dirent *de;
	DIR *d;

	if (depth > DEPTH_MAX)
		return NULL;
	d = opendir(dir);
	if (!d)
		return depth ? NULL :     // an unreadable subdirectory is skipped
		       vd_error_os(errno, "%s: cannot list the module debug directory", dir);
	while (!err && (de = readdir(d)) && m->seen++ < ENTRIES_MAX) {
		char name[256], *path;
		bool dot_debug;
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (asprintf(&path, "%s/%s", dir, de->d_name) < 0) {
			err = &vd_enomem;
			break;
		}
		if (lstat(path, &st) == 0) {
			if (S_ISDIR(st.st_mode))
				err = walk(m, path, depth + 1);
			else if (S_ISREG(st.st_mode) &&
				 module_of(de->d_name, name, sizeof(name), &dot_debug))
				err = add_file(m, name, path, dot_debug);
		}
		free(path);
	}
	closedir(d);
	return err;
}

/* By name; of one name, NAME.ko.debug first (beside it NAME.ko is stripped). */
static int
file_cmp(const void *a, const void *b)
{
	const struct md_file *x = a, *y = b;
	int r = strcmp(x->name, y->name);

	if (r)
		return r;
	if (x->dot_debug != y->dot_debug)
		return x->dot_debug ? -1 : 1;
	return strcmp(x->path, y->path);
}

static struct vd_module_debug *
listing(struct vd_session *s)
{
	struct vd_error *err;

	if (s->moddebug || !s->module_debug)
		return s->moddebug;
	s->moddebug = calloc(1, sizeof(*s->moddebug));
	if (!s->moddebug)
		return NULL;
	err = walk(s->moddebug, s->module_debug, 0);
	// A failed listing keeps what it found: an answer for some modules
	// beats none.
	vd_error_destroy(err);
	qsort(s->moddebug->files, s->moddebug->n, sizeof(*s->moddebug->files), file_cmp);
	return s->moddebug;
}

const char *
vd_module_debug_path(struct vd_session *s, const char *module)
{
	struct vd_module_debug *m = listing(s);
	char want[VD_MODULE_NAME_LEN];
	size_t lo = 0, hi;

	if (!m)
		return NULL;
	snprintf(want, sizeof(want), "%s", module);
	for (char *p = want; *p; p++)
		if (*p == '-')
			*p = '_';
	hi = m->n;
	while (lo < hi) {            // the first entry of that name
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(m->files[mid].name, want) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < m->n && !strcmp(m->files[lo].name, want) ? m->files[lo].path : NULL;
}

struct vd_error *
vd_module_debug_check_dir(const char *dir)
{
	struct stat st;

	if (stat(dir, &st) != 0)
		return vd_error_os(errno, "%s: module debug directory", dir);
	if (!S_ISDIR(st.st_mode))
		return vd_error_create(VD_ERR_INVALID_ARG,
				       "%s: the module debug directory is not a directory", dir);
	return NULL;
}

/* A module's symbols from its debug file ------------------------------------ */

/*
 * The loader's section flag for data made read-only after init
 * (SHF_RO_AFTER_INIT, include/uapi/linux/elf.h), set on
 * .data..ro_after_init and __jump_table before the layout.
 */
#define SHF_RO_AFTER_INIT 0x00200000u
#define SECTIONS_MAX 0xff00u      /* below SHN_LORESERVE */
#define KO_SYMS_MAX (1u << 20)

struct md_sec {
	const char *name;
	uint64_t flags, size, align;
	uint32_t type;
	bool placed;                  /* taken by the layout (maybe no region) */
	bool have_addr;
	uint64_t addr;                /* runtime address */
	bool anchored, conflict;      /* kallsyms' word on where it is */
	uint64_t anchor;
	bool moved;                   /* kallsyms put it elsewhere than the layout */
};

struct md_ko {
	const char *path;
	int fd;
	Elf *elf;
	size_t shnum;
	struct md_sec *secs;
	Elf_Data *syms;
	size_t nsyms, strndx;
};

static void
ko_close(struct md_ko *k)
{
	free(k->secs);
	if (k->elf)
		elf_end(k->elf);
	if (k->fd >= 0)
		close(k->fd);
}

/*
 * The sections the loader makes read-only after init.  7.x kernels list
 * them in a table, `ro_after_init[]` of kernel/module/strict_rwx.c, that
 * "module: Make .static_call_sites read-only after init" (Petr Pavlu)
 * extended with .static_call_sites (under CONFIG_HAVE_STATIC_CALL_INLINE,
 * x86_64 only).  The dump's own table is read when kallsyms names it
 * (CONFIG_KALLSYMS_ALL): a few pointers, up to the next symbol, each to a
 * short section name.  Without it, the sections older kernels mark in
 * kernel/module/main.c (module.c before 5.19): .data..ro_after_init and
 * __jump_table.
 */
#define RO_NAMES_MAX 8
#define RO_NAME_LEN 48

struct md_ro {
	size_t n;
	bool from_dump;
	char names[RO_NAMES_MAX][RO_NAME_LEN];
};

static bool
ro_name_ok(const char *name)
{
	if (name[0] != '.' && name[0] != '_')
		return false;
	for (const char *p = name; *p; p++)
		if (*p <= ' ' || *p > '~')
			return false;
	return true;
}

/* The dump's ro_after_init[]; false (ro untouched) if it is not usable. */
static bool
ro_from_dump(struct vd_session *s, struct md_ro *ro)
{
	struct vd_symbol_info si;
	bool data_ro = false;
	uint64_t slots;
	struct vd_error *err = vd_session_lookup_symbol(s, "ro_after_init", &si);

	if (err) {
		vd_error_destroy(err);
		return false;
	}
	if (si.module || (si.type != 'd' && si.type != 'D' && si.type != 'r' && si.type != 'R'))
		return false;
	slots = si.size ? si.size / 8 : RO_NAMES_MAX;
	if (slots > RO_NAMES_MAX)
		slots = RO_NAMES_MAX;
	for (uint64_t i = 0; i < slots; i++) {
		char *name = ro->names[ro->n];
		uint64_t ptr;
		size_t done = 0;

		if ((err = vd_session_read_u64(s, VD_AS_KVIRT, si.addr + 8 * i, &ptr))) {
			vd_error_destroy(err);
			return false;
		}
		if (!ptr)
			break;        // the padding up to the next symbol
		memset(name, 0, RO_NAME_LEN);
		err = vd_session_read(s, VD_AS_KVIRT, ptr, name, RO_NAME_LEN, &done);
		vd_error_destroy(err);
		if (!memchr(name, '\0', done) || !ro_name_ok(name))
			return false;         // not a table of section names
		data_ro |= !strcmp(name, ".data..ro_after_init");
		ro->n++;
	}
	// The kernel's table always lists .data..ro_after_init.
	return ro->n && data_ro;
}

static void
ro_sections(struct vd_session *s, struct md_ro *ro)
{
	static const char *const old[] = { ".data..ro_after_init", "__jump_table" };

	*ro = (struct md_ro){ 0 };
	if (ro_from_dump(s, ro)) {
		ro->from_dump = true;
		return;
	}
	*ro = (struct md_ro){ 0 };
	for (size_t i = 0; i < VD_ARRAY_SIZE(old); i++)
		snprintf(ro->names[ro->n++], RO_NAME_LEN, "%s", old[i]);
}

/* The flags the loader lays a section out by (kernel/module/main.c
 * rewrite_section_headers(), layout_and_allocate()). */
static uint64_t
load_flags(const struct md_ro *ro, const char *name, uint64_t flags)
{
	// .modinfo and __versions are read, not kept; per-CPU data gets a
	// per-CPU allocation of its own.
	if (!strcmp(name, ".modinfo") || !strcmp(name, "__versions") ||
	    !strcmp(name, ".data..percpu"))
		return flags & ~(uint64_t)SHF_ALLOC;
	for (size_t i = 0; (flags & SHF_ALLOC) && i < ro->n; i++)
		if (!strcmp(name, ro->names[i]))
			return flags | SHF_RO_AFTER_INIT;
	return flags;
}

static struct vd_error *
ko_open(struct vd_session *s, const char *path, const struct md_ro *ro, struct md_ko *k)
{
	unsigned want = vd_session_info(s)->arch == VD_ARCH_AARCH64 ? EM_AARCH64 : EM_X86_64;
	size_t shstrndx;
	Elf_Scn *scn = NULL;
	GElf_Ehdr eh;

	*k = (struct md_ko){ .path = path, .fd = -1 };
	elf_version(EV_CURRENT);
	k->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (k->fd < 0)
		return vd_error_os(errno, "%s: cannot open", path);
	k->elf = elf_begin(k->fd, ELF_C_READ_MMAP, NULL);
	if (!k->elf || !gelf_getehdr(k->elf, &eh)) {
		char why[160];
		const char *w = vd_elf_why_not(k->fd, why, sizeof(why));

		return vd_error_create(VD_ERR_INVALID_ARG, "%s: not an ELF file: %s", path,
				       w ? w : elf_errmsg(-1));
	}
	if (eh.e_type != ET_REL || eh.e_machine != want)
		return vd_error_create(VD_ERR_INVALID_ARG,
				       "%s: not a kernel module of the dump's architecture", path);
	if (elf_getshdrnum(k->elf, &k->shnum) || elf_getshdrstrndx(k->elf, &shstrndx) ||
	    k->shnum > SECTIONS_MAX)
		return vd_error_create(VD_ERR_CORRUPT, "%s: bad section headers", path);
	k->secs = calloc(k->shnum ? k->shnum : 1, sizeof(*k->secs));
	if (!k->secs)
		return &vd_enomem;
	while ((scn = elf_nextscn(k->elf, scn))) {
		size_t i = elf_ndxscn(scn);
		struct md_sec *sec = &k->secs[i];
		GElf_Shdr sh;

		if (i >= k->shnum || !gelf_getshdr(scn, &sh))
			return vd_error_create(VD_ERR_CORRUPT, "%s: bad section %zu", path, i);
		sec->name = elf_strptr(k->elf, shstrndx, sh.sh_name);
		if (!sec->name)
			sec->name = "";
		sec->flags = load_flags(ro, sec->name, sh.sh_flags);
		sec->size = sh.sh_size;
		sec->align = sh.sh_addralign ? sh.sh_addralign : 1;
		sec->type = sh.sh_type;
		if ((sec->flags & SHF_ALLOC) && !vd_is_pow2(sec->align))
			return vd_error_create(VD_ERR_CORRUPT, "%s: section %s aligned to %llu",
					       path, sec->name, (unsigned long long)sec->align);
		if (sh.sh_type == SHT_SYMTAB && !k->syms && sh.sh_entsize) {
			k->syms = elf_getdata(scn, NULL);
			k->nsyms = k->syms ? sh.sh_size / sh.sh_entsize : 0;
			k->strndx = sh.sh_link;
		}
	}
	if (!k->syms || k->nsyms > KO_SYMS_MAX)
		return vd_error_create(VD_ERR_INVALID_ARG, "%s: no usable symbol table", path);
	return NULL;
}

/*
 * arm64 sizes its PLT and ftrace trampoline sections at load time
 * (arch/arm64/kernel/module-plts.c module_frob_arch_sections()): the .ko
 * carries them one byte long (arch/arm64/include/asm/module.lds.h), the
 * loader makes them SHT_NOBITS, SHF_EXECINSTR | SHF_ALLOC, .plt and
 * .init.plt aligned to L1_CACHE_BYTES (64) with one 12-byte struct
 * plt_entry per branch needing one plus a spare, which it records as
 * mod->arch.{core,init}.plt_max_entries; the trampoline sections aligned
 * to 4, NR_FTRACE_PLTS entries: 2 (FTRACE_PLT_IDX, FTRACE_REGS_PLT_IDX)
 * while the kernel has ftrace_regs_caller, 1 since "arm64: ftrace: Add
 * DYNAMIC_FTRACE_WITH_ARGS support" merged the two callers (6.2).  7.x
 * also has .init.text.ftrace_trampoline (mod->arch.init_ftrace_trampolines).
 * The counts are read from the dump's struct module (the loader's own
 * answer); without them (no type of struct module) the sections keep the
 * file's sizes, as kallsyms then corrects every section with a symbol.
 */
#define ARM64_PLT_ENTRY 12u
#define ARM64_L1_CACHE_BYTES 64u
#define ARM64_PLTS_MAX (1u << 24)

static void
arm64_plts(struct vd_session *s, struct md_ko *k, const struct vd_module *mod)
{
	static const struct { const char *sec, *member; } plts[] = {
		{ ".plt", "arch.core.plt_max_entries" },
		{ ".init.plt", "arch.init.plt_max_entries" },
	};
	uint64_t tramp_entries, caller;
	struct vd_object m, o;
	struct vd_error *err;

	if (vd_session_info(s)->arch != VD_ARCH_AARCH64)
		return;
	if ((err = vd_object_at(s, "struct module", mod->addr, &m))) {
		vd_error_destroy(err);
		return;
	}
	tramp_entries = vd_session_symbol(s, "ftrace_regs_caller", &caller) ? 2 : 1;
	for (size_t i = 1; i < k->shnum; i++) {
		struct md_sec *sec = &k->secs[i];
		uint64_t size = 0, align = 0;

		for (size_t p = 0; p < VD_ARRAY_SIZE(plts); p++) {
			int64_t n;

			if (strcmp(sec->name, plts[p].sec))
				continue;
			err = vd_object_member(&m, plts[p].member, &o);
			if (!err)
				err = vd_object_read_s64(&o, &n);
			if (err || n < 0 || n > ARM64_PLTS_MAX) {
				vd_error_destroy(err);
				break;
			}
			size = ((uint64_t)n + 1) * ARM64_PLT_ENTRY;
			align = ARM64_L1_CACHE_BYTES;
		}
		if (!strcmp(sec->name, ".text.ftrace_trampoline") ||
		    !strcmp(sec->name, ".init.text.ftrace_trampoline")) {
			size = tramp_entries * ARM64_PLT_ENTRY;
			align = 4;
		}
		if (!align)
			continue;
		sec->type = SHT_NOBITS;
		sec->flags = SHF_EXECINSTR | SHF_ALLOC;
		sec->size = size;
		sec->align = align;
	}
}

static const struct vd_module_region *
region(const struct vd_module *mod, const char *name)
{
	char alt[32];

	// Kernels that keep data apart (CONFIG_ARCH_WANTS_MODULES_DATA_IN_VMALLOC)
	// name those regions data_rodata, data_data... (walk_modules.c).
	snprintf(alt, sizeof(alt), "data_%s", name);
	for (size_t i = 0; i < mod->nregions; i++)
		if (!strcmp(mod->regions[i].name, name) || !strcmp(mod->regions[i].name, alt))
			return &mod->regions[i];
	return NULL;
}

/*
 * Place the SHF_ALLOC sections as the loader does (kernel/module/main.c
 * layout_sections(); 6.4+ __layout_sections()): by kind -- code, read-only
 * data, ro_after_init data, writable data -- each kind in section order,
 * each section at the next multiple of its alignment; ".init" sections
 * (and ".exit" ones without CONFIG_MODULE_UNLOAD) in the init regions.
 * Each kind starts its region, page aligned (CONFIG_STRICT_MODULE_RWX: one
 * allocation per kind in 6.4+, page-aligned parts of one before), so
 * offsets count from the region's start.  Sections an architecture sizes
 * at load time (arm64's .plt) may shift what follows them: kallsyms
 * corrects every section that has a symbol.
 */
static void
layout(struct md_ko *k, const struct vd_module *mod)
{
	static const uint64_t masks[][2] = {
		{ SHF_EXECINSTR | SHF_ALLOC, 0 },
		{ SHF_ALLOC, SHF_WRITE },
		{ SHF_RO_AFTER_INIT | SHF_ALLOC, 0 },
		{ SHF_WRITE | SHF_ALLOC, 0 },
		{ SHF_ALLOC, 0 },   // ARCH_SHF_SMALL (ia64 only) | SHF_ALLOC
	};
	static const char *const core[] = { "text", "rodata", "ro_after_init", "data", "data" };
	static const char *const init[] = { "init_text", "init_rodata", NULL, "init_data",
					     "init_data" };

	for (int is_init = 0; is_init < 2; is_init++) {
		uint64_t pos[VD_ARRAY_SIZE(masks)] = { 0 };

		for (size_t m = 0; m < VD_ARRAY_SIZE(masks); m++) {
			const char *rname = is_init ? init[m] : core[m];
			const struct vd_module_region *rg = rname ? region(mod, rname) : NULL;
			size_t slot = m == 4 ? 3 : m;    // small data goes on with data

			for (size_t i = 1; i < k->shnum; i++) {
				struct md_sec *sec = &k->secs[i];
				bool in_init = !strncmp(sec->name, ".init", 5) ||
					       (!mod->have_refcnt && !strncmp(sec->name, ".exit", 5));
				uint64_t at;

				if ((sec->flags & masks[m][0]) != masks[m][0] ||
				    (sec->flags & masks[m][1]) || sec->placed ||
				    in_init != (bool)is_init)
					continue;
				sec->placed = true;
				// Allocation tags are loaded elsewhere (6.10+,
				// CONFIG_MEM_ALLOC_PROFILING: codetag_needs_module_section();
				// commit 22d407b164ff "lib: add allocation
				// tagging support for memory allocation profiling").
				if (!strcmp(sec->name, "alloc_tags") ||
				    !vd_align_up(pos[slot], sec->align, &at) ||
				    at + sec->size < at)
					continue;
				pos[slot] = at + sec->size;
				if (rg && pos[slot] <= rg->size) {
					sec->have_addr = true;
					sec->addr = rg->base + at;
				}
			}
		}
	}
}

/* .ko symbols by (name, section), for matching kallsyms entries. */
struct md_key {
	const char *name;
	uint16_t shndx;
	bool dup;
	uint64_t value, size;
};

static int
key_cmp(const void *a, const void *b)
{
	const struct md_key *x = a, *y = b;
	int r = strcmp(x->name, y->name);

	return r ? r : (int)x->shndx - (int)y->shndx;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(((const struct md_key *)a)->name, ((const struct md_key *)b)->name);
}

/*
 * The file's only symbol of that name, whatever its section index, or
 * NULL.  Debian sid's 7.2 installs modules with fewer sections than its
 * -dbg package's .ko (the loaded xor.ko has __ksymtab_strings as section
 * 48, the debug file as 63), so kallsyms' st_shndx need not be the file's.
 */
static const struct md_key *
unique_by_name(const struct md_key *keys, size_t n, const char *name)
{
	struct md_key want = { .name = name };
	const struct md_key *hit = bsearch(&want, keys, n, sizeof(*keys), name_cmp);

	if (!hit || (hit > keys && !strcmp(hit[-1].name, name)) ||
	    (hit + 1 < keys + n && !strcmp(hit[1].name, name)))
		return NULL;
	return hit;
}

/* Read the .ko's symbols: raw records, names in the ELF mapping. */
static struct vd_error *
ko_symbols(struct md_ko *k, struct vd_module_sym_raw **ret, size_t *nret)
{
	struct vd_module_sym_raw *raw = calloc(k->nsyms ? k->nsyms : 1, sizeof(*raw));
	size_t n = 0;

	if (!raw)
		return &vd_enomem;
	for (size_t i = 1; i < k->nsyms; i++) {
		const struct md_sec *sec;
		const char *name;
		GElf_Sym sym;
		char c;

		if (!gelf_getsym(k->syms, (int)i, &sym) ||
		    GELF_ST_TYPE(sym.st_info) == STT_SECTION ||
		    GELF_ST_TYPE(sym.st_info) == STT_FILE ||
		    sym.st_shndx == SHN_UNDEF || sym.st_shndx >= k->shnum ||
		    !(name = elf_strptr(k->elf, k->strndx, sym.st_name)) ||
		    vd_module_sym_skip_name(name))
			continue;
		sec = &k->secs[sym.st_shndx];
		// kernel/module/kallsyms.c elf_type(), with the loader's flags.
		c = GELF_ST_BIND(sym.st_info) == STB_WEAK ?
		    (GELF_ST_TYPE(sym.st_info) == STT_OBJECT ? 'v' : 'w') :
		    !strcmp(sec->name, ".data..percpu") ? 'a' :
		    (sec->flags & SHF_EXECINSTR) ? 't' :
		    (sec->flags & SHF_ALLOC) && sec->type != SHT_NOBITS ?
		    ((sec->flags & SHF_WRITE) ? 'd' : 'r') :
		    sec->type == SHT_NOBITS ? 'b' : '?';
		raw[n++] = (struct vd_module_sym_raw){
			.name = name, .value = sym.st_value, .size = sym.st_size,
			.shndx = sym.st_shndx, .info = sym.st_info,
			.type = vd_module_sym_letter(c, sym.st_info),
		};
	}
	*ret = raw;
	*nret = n;
	return NULL;
}

/*
 * Check the file against the module's kallsyms (the same Elf_Syms, at
 * runtime addresses, st_shndx kept: kernel/module/kallsyms.c
 * add_kallsyms()): every kallsyms symbol must be in the file, in the same
 * section (or be the file's only symbol of its name: see unique_by_name()),
 * of the same size, and all of a section's must agree on where the section
 * starts.  That start is then the section's address.
 */
static struct vd_error *
check(struct md_ko *k, const struct vd_module *mod, const struct vd_module_sym_raw *ko,
      size_t nko, const struct vd_module_sym_raw *ks, size_t nks)
{
	struct md_key *keys = calloc(nko ? nko : 1, sizeof(*keys));
	struct vd_error *err = NULL;

	if (!keys)
		return &vd_enomem;
	for (size_t i = 0; i < nko; i++)
		keys[i] = (struct md_key){ ko[i].name, ko[i].shndx, false, ko[i].value,
					   ko[i].size };
	qsort(keys, nko, sizeof(*keys), key_cmp);
	for (size_t i = 1; i < nko; i++)
		if (!key_cmp(&keys[i - 1], &keys[i]))
			keys[i - 1].dup = keys[i].dup = true;
	for (size_t i = 0; !err && i < nks; i++) {
		struct md_key want = { .name = ks[i].name, .shndx = ks[i].shndx };
		const struct md_key *hit = bsearch(&want, keys, nko, sizeof(*keys), key_cmp);
		struct md_sec *sec;
		uint64_t start;

		if (!hit)
			hit = unique_by_name(keys, nko, ks[i].name);
		if (!hit)
			err = vd_error_create(VD_ERR_INVALID_ARG,
					      "%s is not the loaded module %s: its symbol %s (section %u) is not in the file",
					      k->path, mod->name, ks[i].name, ks[i].shndx);
		else if (hit->dup)
			continue;      // two statics of one name in one section
		else if (hit->size != ks[i].size)
			err = vd_error_create(VD_ERR_INVALID_ARG,
					      "%s is not the loaded module %s: %s has %llu bytes in memory, %llu in the file",
					      k->path, mod->name, ks[i].name,
					      (unsigned long long)ks[i].size,
					      (unsigned long long)hit->size);
		if (err || !hit)
			break;
		sec = &k->secs[hit->shndx];
		start = ks[i].value - hit->value;
		if (sec->anchored && sec->anchor != start)
			err = vd_error_create(VD_ERR_INVALID_ARG,
					      "%s is not the loaded module %s: its section %s would start at 0x%llx and 0x%llx",
					      k->path, mod->name, sec->name,
					      (unsigned long long)sec->anchor,
					      (unsigned long long)start);
		sec->anchored = true;
		sec->anchor = start;
	}
	free(keys);
	return err;
}

static int
range_cmp(const void *a, const void *b)
{
	const struct vd_symtab_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

struct vd_error *
vd_module_debug_symbols(struct vd_session *s, const char *path, const struct vd_module *mod,
		    const struct vd_module_sym_raw *ks, size_t nks, struct vd_symtab *st,
		    uint64_t **bases, size_t *nbases)
{
	struct vd_module_sym_raw *ko = NULL;
	size_t nko = 0, nsec = 0, nchecked = 0, nmoved = 0, total = 0, pos = 0;
	struct vd_error *err;
	struct md_ko k;
	struct md_ro ro;
	char source[600];

	*st = (struct vd_symtab){ 0 };
	ro_sections(s, &ro);
	err = ko_open(s, path, &ro, &k);
	if (!err)
		err = ko_symbols(&k, &ko, &nko);
	if (!err) {
		arm64_plts(s, &k, mod);
		layout(&k, mod);
		err = check(&k, mod, ko, nko, ks, nks);
	}
	for (size_t i = 1; !err && i < k.shnum; i++) {
		struct md_sec *sec = &k.secs[i];

		if (sec->anchored) {
			sec->moved = !sec->have_addr || sec->addr != sec->anchor;
			nmoved += sec->moved;
			nchecked++;
			sec->have_addr = true;
			sec->addr = sec->anchor;
		}
		nsec += sec->have_addr;
	}
	// The table: every symbol in a section with an address; names copied.
	for (size_t i = 0; !err && i < nko; i++)
		total += strlen(ko[i].name) + 1;
	if (!err) {
		st->syms = calloc(nko ? nko : 1, sizeof(*st->syms));
		st->strings = malloc(total ? total : 1);
		if (nks)
			snprintf(source, sizeof(source),
				 "%s .symtab (%zu sections placed; kallsyms has symbols in %zu, %zu of them where the layout put them)",
				 path, nsec, nchecked, nchecked - nmoved);
		else
			snprintf(source, sizeof(source),
				 "%s .symtab (%zu sections placed by the layout; no kallsyms to check it)",
				 path, nsec);
		st->source = strdup(source);
		if (!st->syms || !st->strings || !st->source)
			err = &vd_enomem;
	}
	for (size_t i = 0; !err && i < nko; i++) {
		const struct md_sec *sec = &k.secs[ko[i].shndx];
		size_t len = strlen(ko[i].name) + 1;

		if (!sec->have_addr)
			continue;
		memcpy(st->strings + pos, ko[i].name, len);
		st->syms[st->n++] = (struct vd_symbol){
			.name = st->strings + pos, .addr = sec->addr + ko[i].value,
			.size = ko[i].size, .type = ko[i].type,
		};
		pos += len;
	}
	if (!err)
		err = vd_symtab_finish(st);
	// Sizeless symbols name addresses in their own section only.
	if (!err && !(st->ranges = calloc(k.shnum ? k.shnum : 1, sizeof(*st->ranges))))
		err = &vd_enomem;
	for (size_t i = 1; !err && i < k.shnum; i++) {
		const struct md_sec *sec = &k.secs[i];

		if (sec->have_addr && (sec->flags & SHF_ALLOC) && sec->size)
			st->ranges[st->nranges++] = (struct vd_symtab_range){
				sec->addr, sec->addr + sec->size };
	}
	if (!err)
		qsort(st->ranges, st->nranges, sizeof(*st->ranges), range_cmp);
	if (!err && bases) {
		*nbases = k.shnum;
		*bases = calloc(k.shnum ? k.shnum : 1, sizeof(**bases));
		if (!*bases)
			err = &vd_enomem;
		for (size_t i = 1; !err && i < k.shnum; i++)
			if (k.secs[i].have_addr && (k.secs[i].flags & SHF_ALLOC))
				(*bases)[i] = k.secs[i].addr;
	}
	free(ko);
	ko_close(&k);
	if (err)
		vd_symtab_deinit(st);
	return err;
}
