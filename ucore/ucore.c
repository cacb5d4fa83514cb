// SPDX-License-Identifier: MIT
/*
 * A process core's memory beyond the core: the files it mapped, and the
 * reads that use them.
 *
 * The kernel leaves read-only file mappings out of a core by default
 * (coredump_filter 0x33: anonymous memory, ELF header pages, private huge
 * pages; Documentation/filesystems/proc.rst "coredump_filter"), so a
 * library's code is a PT_LOAD with p_filesz 0 and an NT_FILE entry naming
 * the file and offset.  Such ranges are read from the file when it is
 * still on disk -- and not when it changed since: the ELF header page the
 * core does hold has the build-id the process saw (NT_GNU_BUILD_ID in a
 * PT_NOTE), compared with the file's.  gdb and elfutils do the same
 * (they find files by build-id; we only check the path NT_FILE gives).
 *
 * Only what the filter left out is read from files: a dumped page, even a
 * page lost to a truncated core, is never replaced by the file's bytes,
 * which may differ (relocations, copy-on-write).
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "ucore.h"

/* Objects searched backwards for a path's latest one (bounds hostile cores). */
#define OBJ_SEARCH 64
/* Program headers and note bytes looked at in a core's ELF header page. */
#define EH_MAX_PHNUM 256
#define EH_MAX_NOTES (64u << 10)

/* Give file mapping i (u->files.files[i]) its object. */
static struct vd_error *
add_object(struct vd_ucore *u, size_t i)
{
	const struct vd_core_file *f = &u->files.files[i];
	struct ucore_obj *o = NULL;

	if (u->nobjs == u->objs_cap) {
		size_t cap = u->objs_cap ? 2 * u->objs_cap : 8;
		struct ucore_obj *p = realloc(u->objs, cap * sizeof(*p));

		if (!p)
			return &vd_enomem;
		u->objs = p;
		u->objs_cap = cap;
	}
	// File offset 0 (the ELF header) starts a new object; other
	// entries join the path's latest object.
	for (size_t k = u->nobjs; f->offset && k > 0 &&
	     u->nobjs - k < OBJ_SEARCH; k--) {
		if (!strcmp(u->objs[k - 1].pub.path, f->path)) {
			o = &u->objs[k - 1];
			break;
		}
	}
	if (!o) {
		o = &u->objs[u->nobjs++];
		memset(o, 0, sizeof(*o));
		o->pub.path = f->path;
		o->pub.file = f->path;
		o->pub.lo = f->start;
		o->pub.hi = f->end;
		o->anchor = i;
		o->fd = -1;
	}
	o->pub.lo = VD_MIN(o->pub.lo, f->start);
	o->pub.hi = VD_MAX(o->pub.hi, f->end);
	u->file_obj[i] = (size_t)(o - u->objs);
	return NULL;
}

static struct vd_error *
make_objects(struct vd_ucore *u)
{
	const struct vd_core_info *core = u->core;
	struct vd_error *err = NULL;

	u->files.files = core->files;
	u->files.n = core->nfiles;
	u->files.source = "NT_FILE";
	u->file_obj = calloc(core->nfiles ? core->nfiles : 1,
			     sizeof(*u->file_obj));
	if (!u->file_obj)
		return &vd_enomem;
	for (size_t i = 0; i < core->nfiles && !err; i++)
		err = add_object(u, i);
	return err;
}

struct vd_error *
vd_ucore_add_file(struct vd_ucore *u, const char *path, uint64_t start,
		  uint64_t end, uint64_t offset)
{
	struct vd_core_file *f;
	size_t n = u->files.n;

	if (n == u->own_cap) {
		size_t cap = u->own_cap ? 2 * u->own_cap : 16;
		struct vd_core_file *p = realloc(u->own_files, cap * sizeof(*p));
		size_t *q;

		if (!p)
			return &vd_enomem;
		u->own_files = p;
		q = realloc(u->file_obj, cap * sizeof(*q));
		if (!q)
			return &vd_enomem;
		u->file_obj = q;
		u->own_cap = cap;
	}
	f = &u->own_files[n];
	*f = (struct vd_core_file){ .start = start, .end = end, .offset = offset,
				    .path = strdup(path) };
	if (!f->path)
		return &vd_enomem;
	// Objects point at the paths: those of earlier entries stay put.
	u->files.files = u->own_files;
	u->files.n = n + 1;
	return add_object(u, n);
}

char *
vd_ucore_resolve(const struct vd_ucore *u, const char *path)
{
	const char *root = u->s->sysroot;
	char *p;

	if (root && *root && path[0] == '/') {
		if (asprintf(&p, "%s%s", root, path) < 0)
			return NULL;
		if (!access(p, F_OK))
			return p;
		free(p);
	}
	return strdup(path);
}

unsigned
vd_ucore_machine(const struct vd_ucore *u)
{
	switch (vd_session_info(u->s)->arch) {
	case VD_ARCH_X86_64: return EM_X86_64;
	case VD_ARCH_AARCH64: return EM_AARCH64;
	default: return 0;
	}
}

uint64_t
vd_ucore_page_size(const struct vd_ucore *u)
{
	const struct vd_core_info *core = u->core;
	uint32_t dump_ps = vd_session_info(u->s)->page_size;

	for (size_t i = 0; i < core->nauxv; i++)
		if (core->auxv[i].type == 6 /* AT_PAGESZ */ &&
		    vd_is_pow2(core->auxv[i].value) &&
		    core->auxv[i].value >= 512 && core->auxv[i].value <= (1u << 24))
			return core->auxv[i].value;
	if (core->file_page_size >= 512)
		return core->file_page_size;
	return dump_ps ? dump_ps : 4096;
}

struct vd_error *
vd_ucore_get(struct vd_session *s, struct vd_ucore **ret)
{
	const struct vd_dump_info *info = vd_session_info(s);
	struct vd_ucore *u;
	struct vd_error *err;

	if (s->ucore) {
		*ret = s->ucore;
		return NULL;
	}
	if (info->kind != VD_DUMP_USER || !info->core)
		return vd_error_create(VD_ERR_INVALID_ARG,
				       "%s: a kernel dump, not a process core",
				       info->path);
	u = calloc(1, sizeof(*u));
	if (!u)
		return &vd_enomem;
	u->s = s;
	u->core = info->core;
	// Set first: the link_map walk reads memory through u as it grows.
	s->ucore = u;
	err = u->core->nfiles ? make_objects(u) : vd_ucore_linkmap(u);
	if (err) {
		s->ucore = NULL;
		vd_ucore_destroy(u);
		return err;
	}
	*ret = u;
	return NULL;
}

const struct vd_core_files *
vd_session_core_files(struct vd_session *s)
{
	struct vd_ucore *u;
	struct vd_error *err = vd_ucore_get(s, &u);

	if (err) {
		vd_error_destroy(err);
		return NULL;
	}
	return &u->files;
}

void
vd_ucore_destroy(struct vd_ucore *u)
{
	if (!u)
		return;
	for (size_t i = 0; i < u->nobjs; i++) {
		struct ucore_obj *o = &u->objs[i];

		vd_symtab_deinit(&o->syms);
		if (o->elf)
			elf_end(o->elf);
		if (o->fd >= 0)
			close(o->fd);
		free(o->why_buf);
		free(o->table_buf);
		free(o->file_buf);
	}
	for (size_t i = 0; u->own_files && i < u->files.n; i++)
		free((char *)u->own_files[i].path);
	free(u->own_files);
	free(u->note_buf);
	free(u->objs);
	free(u->file_obj);
	free(u);
}

static void
hex(const unsigned char *p, size_t n, char out[65])
{
	n = VD_MIN(n, (size_t)32);
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
	out[2 * n] = '\0';
}

/* Walk notes for GNU/NT_GNU_BUILD_ID; p[0, len) was bounds-checked. */
static bool
notes_build_id(const unsigned char *p, size_t len, bool be, size_t align,
	       char out[65])
{
	size_t pos = 0;

	while (len - pos >= 12) {
		uint32_t namesz = vd_get32(p + pos, be);
		uint32_t descsz = vd_get32(p + pos + 4, be);
		uint32_t type = vd_get32(p + pos + 8, be);
		uint64_t desc = (pos + 12 + (uint64_t)namesz + align - 1) &
				~(uint64_t)(align - 1);

		if (desc > len || descsz > len - desc)
			return false;
		if (type == NT_GNU_BUILD_ID && namesz == 4 &&
		    !memcmp(p + pos + 12, "GNU", 4) && descsz) {
			hex(p + desc, descsz, out);
			return true;
		}
		pos = (size_t)((desc + descsz + align - 1) & ~(uint64_t)(align - 1));
		if (pos > len)
			return false;
	}
	return false;
}

bool
vd_ucore_core_read(struct vd_ucore *u, uint64_t addr, void *buf, size_t len)
{
	struct vd_error *err = vd_session_read(u->s, VD_AS_UVIRT, addr, buf,
					       len, NULL);

	vd_error_destroy(err);
	return !err;
}

/*
 * The build-id in the ELF header page the core holds for a mapping of
 * file offset 0 at base: ELF header, program headers, PT_NOTEs, all read
 * from the core (never the file) and bounded by the mapping's size.
 */
static void
core_build_id(struct vd_ucore *u, uint64_t base, uint64_t maplen,
	      char out[65])
{
	unsigned char eh[64], ph[56], *notes;
	uint64_t phoff;
	uint16_t phnum;
	bool be;

	out[0] = '\0';
	if (!vd_ucore_core_read(u, base, eh, sizeof(eh)) || memcmp(eh, ELFMAG, SELFMAG) ||
	    eh[EI_CLASS] != ELFCLASS64)
		return;
	be = eh[EI_DATA] == ELFDATA2MSB;
	phoff = vd_get64(eh + 32, be);
	phnum = vd_get16(eh + 56, be);
	if (vd_get16(eh + 54, be) != sizeof(ph) || phnum > EH_MAX_PHNUM ||
	    !vd_range_ok(phoff, (uint64_t)phnum * sizeof(ph), maplen))
		return;
	for (uint16_t i = 0; i < phnum && !out[0]; i++) {
		uint64_t off, size;

		if (!vd_ucore_core_read(u, base + phoff + i * sizeof(ph), ph, sizeof(ph)) ||
		    vd_get32(ph, be) != PT_NOTE)
			continue;
		off = vd_get64(ph + 8, be);
		size = vd_get64(ph + 32, be);
		if (!size || size > EH_MAX_NOTES || !vd_range_ok(off, size, maplen))
			continue;
		notes = malloc(size);
		if (notes && vd_ucore_core_read(u, base + off, notes, size))
			notes_build_id(notes, size, be,
				       vd_get64(ph + 48, be) == 8 ? 8 : 4, out);
		free(notes);
	}
}

void
vd_ucore_elf_build_id(Elf *elf, char out[65])
{
	bool be = elf_getident(elf, NULL)[EI_DATA] == ELFDATA2MSB;
	size_t n;

	out[0] = '\0';
	if (elf_getphdrnum(elf, &n) != 0)
		return;
	for (size_t i = 0; i < n && i < EH_MAX_PHNUM && !out[0]; i++) {
		GElf_Phdr ph;
		Elf_Data *d;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_NOTE ||
		    ph.p_filesz > EH_MAX_NOTES)
			continue;
		// libelf checks the range against the file.
		d = elf_getdata_rawchunk(elf, ph.p_offset, ph.p_filesz, ELF_T_BYTE);
		if (d && d->d_buf)
			notes_build_id(d->d_buf, d->d_size, be,
				       ph.p_align == 8 ? 8 : 4, out);
	}
}

/* Load bias and memory span from the file's PT_LOADs (ucore.h). */
static void
place(struct vd_ucore *u, struct ucore_obj *o)
{
	const struct vd_core_file *f = &u->files.files[o->anchor];
	uint64_t ps = vd_ucore_page_size(u), lo = UINT64_MAX, hi = 0;
	size_t n;

	if (elf_getphdrnum(o->elf, &n) != 0)
		return;
	for (size_t i = 0; i < n && i < EH_MAX_PHNUM; i++) {
		GElf_Phdr ph;
		uint64_t end;

		if (!gelf_getphdr(o->elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		// The anchor maps file offset f->offset at f->start, so the
		// segment's p_offset is at f->start + (p_offset - f->offset).
		if (!o->pub.have_bias && (ph.p_offset & ~(ps - 1)) <= f->offset &&
		    f->offset < ph.p_offset + ph.p_filesz) {
			o->pub.bias = f->start + ph.p_offset - f->offset - ph.p_vaddr;
			o->pub.have_bias = true;
		}
		if (__builtin_add_overflow(ph.p_vaddr, ph.p_memsz, &end))
			continue;
		lo = VD_MIN(lo, ph.p_vaddr);
		hi = VD_MAX(hi, end);
	}
	if (o->pub.have_bias && lo < hi) {
		o->pub.lo = VD_MIN(o->pub.lo, lo + o->pub.bias);
		o->pub.hi = VD_MAX(o->pub.hi, hi + o->pub.bias);
	}
}

static void
set_why(struct ucore_obj *o, enum vd_core_check check, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
set_why(struct ucore_obj *o, enum vd_core_check check, const char *fmt, ...)
{
	va_list ap;

	o->pub.check = check;
	free(o->why_buf);
	va_start(ap, fmt);
	if (vasprintf(&o->why_buf, fmt, ap) < 0)
		o->why_buf = NULL;
	va_end(ap);
	o->pub.why = o->why_buf ? o->why_buf : "out of memory";
}

/*
 * Compare the build-ids; the object is an open ELF file, placed.  Without
 * a build-id in the core, the .dynamic tells a changed file apart.
 */
static void
check_build_id(struct vd_ucore *u, struct ucore_obj *o)
{
	const struct vd_core_file *f = &u->files.files[o->anchor];
	struct vd_core_object *p = &o->pub;
	char msg[200];

	vd_ucore_elf_build_id(o->elf, p->file_build_id);
	if (f->offset == 0)
		core_build_id(u, f->start, f->end - f->start, p->core_build_id);
	if (p->core_build_id[0] && p->file_build_id[0]) {
		if (!strcmp(p->core_build_id, p->file_build_id)) {
			p->check = VD_CORE_FILE_MATCH;
			return;
		}
		set_why(o, VD_CORE_FILE_MISMATCH,
			"changed since the crash: build-id %s in the core, %s on disk",
			p->core_build_id, p->file_build_id);
		return;
	}
	switch (p->have_bias ? vd_ucore_check_dynamic(u, o->elf, p->bias, msg, sizeof(msg)) :
				  DYN_UNKNOWN) {
	case DYN_DIFFER:
		set_why(o, VD_CORE_FILE_MISMATCH,
			"is not the file the process mapped: %s", msg);
		return;
	case DYN_AGREE:
		set_why(o, VD_CORE_FILE_UNCHECKED, "%s; %s",
			!p->file_build_id[0] ? "the file has no build-id" :
			"the core holds no build-id for it", msg);
		return;
	default:
		break;
	}
	set_why(o, VD_CORE_FILE_UNCHECKED, "%s",
		!p->file_build_id[0] ? "the file has no build-id" :
		"the core holds no build-id for it (its ELF header page was not dumped)");
}

static struct ucore_obj *
look(struct vd_ucore *u, struct ucore_obj *o)
{
	unsigned char magic[SELFMAG];
	unsigned machine = vd_ucore_machine(u);
	GElf_Ehdr eh;
	struct stat st;

	if (o->looked)
		return o;
	o->looked = true;
	o->file_buf = vd_ucore_resolve(u, o->pub.path);
	if (!o->file_buf) {
		set_why(o, VD_CORE_FILE_MISSING, "out of memory");
		return o;
	}
	o->pub.file = o->file_buf;
	// The path comes from the core: never block on a FIFO or take a tty.
	o->fd = open(o->pub.file, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (o->fd < 0) {
		set_why(o, VD_CORE_FILE_MISSING, "cannot open: %s", strerror(errno));
		return o;
	}
	if (fstat(o->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		set_why(o, VD_CORE_FILE_MISSING, "not a regular file");
		return o;
	}
	o->fsize = (uint64_t)st.st_size;
	elf_version(EV_CURRENT);
	if (pread(o->fd, magic, SELFMAG, 0) == SELFMAG &&
	    !memcmp(magic, ELFMAG, SELFMAG))
		o->elf = elf_begin(o->fd, ELF_C_READ_MMAP, NULL);
	if (!o->elf || elf_kind(o->elf) != ELF_K_ELF) {
		set_why(o, VD_CORE_FILE_UNCHECKED, "not an ELF file: no build-id to check");
		return o;
	}
	o->pub.is_elf = true;
	// A host file where the process had its own machine's (no --sysroot).
	if (machine && gelf_getehdr(o->elf, &eh) && eh.e_machine != machine) {
		set_why(o, VD_CORE_FILE_MISMATCH,
			"is for e_machine %u, the core for %u (%s): is --sysroot missing?",
			eh.e_machine, machine,
			vd_arch_name(vd_session_info(u->s)->arch));
		return o;
	}
	place(u, o);
	check_build_id(u, o);
	return o;
}

struct ucore_obj *
vd_ucore_obj_look(struct vd_ucore *u, size_t i)
{
	return look(u, &u->objs[i]);
}

/* The file mapping holding addr, or -1. */
static long
file_at(const struct vd_ucore *u, uint64_t addr)
{
	for (size_t i = 0; i < u->files.n; i++)
		if (u->files.files[i].start <= addr && addr < u->files.files[i].end)
			return (long)i;
	return -1;
}

struct ucore_obj *
vd_ucore_obj_at(struct vd_ucore *u, uint64_t addr)
{
	long i = file_at(u, addr);

	if (i >= 0)
		return look(u, &u->objs[u->file_obj[i]]);
	// .bss and the like: anonymous memory inside an object's span.
	for (size_t k = 0; k < u->nobjs; k++) {
		struct ucore_obj *o = look(u, &u->objs[k]);

		if (o->pub.is_elf && o->pub.have_bias && o->pub.lo <= addr &&
		    addr < o->pub.hi)
			return o;
	}
	return NULL;
}

const struct vd_core_object *
vd_session_core_object(struct vd_session *s, uint64_t addr)
{
	struct vd_ucore *u;
	struct vd_error *err = vd_ucore_get(s, &u);
	struct ucore_obj *o;

	if (err) {
		vd_error_destroy(err);
		return NULL;
	}
	o = vd_ucore_obj_at(u, addr);
	return o ? &o->pub : NULL;
}

const struct vd_core_object *
vd_session_core_object_nth(struct vd_session *s, size_t i)
{
	struct vd_ucore *u;
	struct vd_error *err = vd_ucore_get(s, &u);

	if (err) {
		vd_error_destroy(err);
		return NULL;
	}
	if (i >= u->files.n)
		return NULL;
	return &look(u, &u->objs[u->file_obj[i]])->pub;
}

/* Reads: the core first, then the mapped files --------------------------- */

/*
 * May addr be read from a file?  Only when no PT_LOAD dumped it: it lies
 * past a PT_LOAD's p_filesz, or in no PT_LOAD at all.  *limit_ret is where
 * that stops (the core may hold data again from there on).
 */
static bool
left_out(const struct vd_core_info *core, uint64_t addr, uint64_t *limit_ret)
{
	size_t lo = 0, hi = core->nloads;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (core->loads[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < core->nloads && core->loads[lo].start <= addr) {
		const struct vd_core_load *l = &core->loads[lo];

		*limit_ret = l->end;
		return addr - l->start >= l->filesz;
	}
	*limit_ret = lo < core->nloads ? core->loads[lo].start : UINT64_MAX;
	return true;
}

/* err's message, then "; PATH: WHY" -- the file could not stand in. */
static struct vd_error *
no_file(struct vd_error *err, const struct vd_core_object *o)
{
	struct vd_error *e = vd_error_fault(err->code, err->as, err->addr,
					    "%s; the mapped file %s %s",
					    err->msg, o->path, o->why);

	vd_error_destroy(err);
	return e;
}

/*
 * pread what the file has; a mapping past its end reads zeros to the end
 * of the file's last page (mmap semantics), then faults (SIGBUS).
 */
static struct vd_error *
file_read(struct vd_ucore *u, const struct ucore_obj *o, uint64_t addr,
	  uint64_t off, unsigned char *buf, size_t len, size_t *got)
{
	uint64_t ps = vd_ucore_page_size(u);
	uint64_t page_end = (o->fsize + ps - 1) & ~(ps - 1);
	size_t n = 0;

	while (n < len && off + n < o->fsize) {
		size_t want = (size_t)VD_MIN((uint64_t)(len - n), o->fsize - (off + n));
		ssize_t r = pread(o->fd, buf + n, want, (off_t)(off + n));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return vd_error_os(errno, "%s: reading 0x%llx", o->pub.path,
					   (unsigned long long)(off + n));
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n < len && off + n < page_end) {
		size_t z = (size_t)VD_MIN((uint64_t)(len - n), page_end - (off + n));

		memset(buf + n, 0, z);
		n += z;
	}
	if (!n)
		return vd_error_fault(VD_ERR_FAULT, VD_AS_UVIRT, addr,
				      "0x%llx is not in the core, and its mapping lies past the end of %s (0x%llx bytes)",
				      (unsigned long long)addr, o->pub.path,
				      (unsigned long long)o->fsize);
	*got = n;
	return NULL;
}

static struct vd_error *
from_file(struct vd_ucore *u, struct vd_error *err, uint64_t addr,
	  unsigned char *buf, size_t len, size_t *got,
	  struct vd_core_source *src)
{
	const struct vd_core_info *core = u->core;
	const struct vd_core_file *f = NULL;
	struct ucore_obj *o;
	uint64_t limit, off;
	size_t i;

	if (!left_out(core, addr, &limit))
		return err;
	for (i = 0; i < u->files.n && !f; i++)
		if (u->files.files[i].start <= addr && addr < u->files.files[i].end)
			f = &u->files.files[i];
	if (!f)
		return err;
	o = vd_ucore_obj_look(u, u->file_obj[i - 1]);
	if (o->pub.check == VD_CORE_FILE_MISSING ||
	    o->pub.check == VD_CORE_FILE_MISMATCH)
		return no_file(err, &o->pub);
	len = (size_t)VD_MIN((uint64_t)len, VD_MIN(f->end, limit) - addr);
	off = f->offset + (addr - f->start);
	if (off < f->offset)
		return err;
	vd_error_destroy(err);
	err = file_read(u, o, addr, off, buf, len, got);
	if (err)
		return err;
	src->from_file = true;
	src->object = &o->pub;
	src->file_off = off;
	return NULL;
}

struct vd_error *
vd_session_core_read_step(struct vd_session *s, uint64_t addr, void *buf,
			  size_t len, size_t *got, struct vd_core_source *src)
{
	struct vd_ucore *u;
	struct vd_error *err;
	size_t n = 0;

	*got = 0;
	memset(src, 0, sizeof(*src));
	err = vd_ucore_get(s, &u);
	if (err || !len)
		return err;
	err = vd_session_read(s, VD_AS_UVIRT, addr, buf, len, &n);
	if (n) {
		vd_error_destroy(err);
		*got = n;
		return NULL;
	}
	if (err->code != VD_ERR_NODATA && err->code != VD_ERR_FAULT)
		return err;
	return from_file(u, err, addr, buf, len, got, src);
}

struct vd_error *
vd_session_core_read(struct vd_session *s, uint64_t addr, void *buf,
		     size_t len, size_t *done_ret)
{
	struct vd_core_source src;
	struct vd_error *err = NULL;
	size_t done = 0;

	while (done < len) {
		size_t got;

		err = vd_session_core_read_step(s, addr + done,
						(unsigned char *)buf + done,
						len - done, &got, &src);
		if (err)
			break;
		done += got;
	}
	if (done_ret)
		*done_ret = done;
	return err;
}

struct vd_error *
vd_session_core_string(struct vd_session *s, uint64_t addr, char *buf,
		       size_t max)
{
	size_t n = 0;

	if (!max)
		return vd_error_create(VD_ERR_INVALID_ARG, "no room for a string");
	while (n + 1 < max) {
		// Never read across a page: the next one may be unreadable
		// while the string ends before it.
		size_t want = (size_t)VD_MIN((uint64_t)(max - 1 - n),
					     4096 - ((addr + n) & 4095));
		struct vd_error *err;
		char *nul;
		size_t got;

		err = vd_session_core_read(s, addr + n, buf + n, want, &got);
		nul = memchr(buf + n, '\0', got);
		if (nul) {
			vd_error_destroy(err);
			return NULL;
		}
		n += got;
		if (err) {
			buf[n] = '\0';
			return vd_error_wrap(err, "string at 0x%llx",
					     (unsigned long long)addr);
		}
	}
	buf[n] = '\0';
	return NULL;
}
