// SPDX-License-Identifier: MIT
/*
 * The file mappings of a process core that has no NT_FILE note.
 *
 * qemu-user writes its guests' cores with NT_PRSTATUS, NT_PRPSINFO and
 * NT_AUXV only (linux-user/elfload.c elf_core_dump()), and gdb's gcore
 * through a gdbstub cannot read /proc/PID/maps; neither says which files
 * were mapped where.  The process's memory does, the way gdb's solib-svr4
 * and elfutils' dwfl_core_file_report() read it:
 *
 *  1. the executable: --exe, else the path AT_EXECFN points at (relative
 *     ones from the core's directory, where qemu-user writes the core:
 *     the process's working directory), accepted only when its e_entry
 *     and program headers land where AT_ENTRY, AT_PHDR and AT_PHNUM say;
 *     its load bias is AT_ENTRY - e_entry;
 *  2. its .dynamic in the core: DT_DEBUG, which ld.so set to its struct
 *     r_debug {int r_version; struct link_map *r_map; ...} (glibc
 *     elf/link.h);
 *  3. the chain of struct link_map {l_addr, l_name, l_ld, l_next, l_prev}
 *     from r_map: each object's load bias and path as the process opened
 *     it.  A library is kept when its file's PT_DYNAMIC lands on l_ld.
 *
 * Each file's PT_LOADs, page-rounded, become its mappings, as the kernel
 * would have listed them in NT_FILE.  Paths are tried under --sysroot
 * first: a qemu-user guest's /lib/libc.so.6 is its -L prefix's.  Every
 * pointer comes from the core and is read through bounded reads; the walk
 * is bounded and stops where l_prev does not point back.
 *
 * Also here: the check of a file against the process's copy of its
 * .dynamic, which ucore.c uses for every file whose build-id the core
 * does not hold.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "ucore.h"

#define LM_MAX 4096             /* link_map entries walked */
#define LM_NAME_MAX 4096        /* bytes of a path read from the core */
#define LM_PH_MAX 256           /* program headers looked at */
#define LM_DYN_MAX 1024         /* .dynamic entries looked at */
#define LM_NOTE_MAX 2048        /* bytes of files.note */
#define LM_FILES_MAX 16384      /* file mappings made (a process has ~100) */

#define AT_PHDR_ 3
#define AT_PHNUM_ 5
#define AT_ENTRY_ 9
#define AT_EXECFN_ 31

/*
 * The file's .dynamic against the core's copy of it, which the core holds
 * even where the filter left the ELF header page out (it is writable, or
 * RELRO).  ld.so adds the load bias to the address entries in place
 * (glibc elf/get-dynamic-info.h) and writes DT_DEBUG; everything else is
 * the file's.
 */
enum dyn_verdict
vd_ucore_check_dynamic(struct vd_ucore *u, Elf *elf, uint64_t bias, char *msg,
		       size_t len)
{
	const unsigned char *ident = (const unsigned char *)elf_getident(elf, NULL);
	bool be = vd_session_info(u->s)->big_endian;
	enum dyn_verdict v = DYN_UNKNOWN;
	unsigned char *mem = NULL;
	Elf_Data *d = NULL;
	size_t n = 0, phnum;
	GElf_Phdr ph;

	if (!ident || ident[EI_CLASS] != ELFCLASS64 ||
	    (ident[EI_DATA] == ELFDATA2MSB) != be || elf_getphdrnum(elf, &phnum))
		return DYN_UNKNOWN;
	for (size_t i = 0; i < phnum && i < LM_PH_MAX && !n; i++)
		if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_DYNAMIC)
			n = (size_t)VD_MIN(ph.p_filesz / 16, (uint64_t)LM_DYN_MAX);
	if (n)
		d = elf_getdata_rawchunk(elf, ph.p_offset, n * 16, ELF_T_BYTE);
	if (!d || !d->d_buf || d->d_size < n * 16 || !(mem = malloc(n * 16)))
		return DYN_UNKNOWN;
	if (!vd_ucore_core_read(u, bias + ph.p_vaddr, mem, n * 16))
		goto out;
	for (size_t i = 0; i < n; i++) {
		const unsigned char *f = (const unsigned char *)d->d_buf + 16 * i;
		uint64_t ftag = vd_get64(f, be), fval = vd_get64(f + 8, be);
		uint64_t ctag = vd_get64(mem + 16 * i, be);
		uint64_t cval = vd_get64(mem + 16 * i + 8, be);

		if (ctag != ftag || (ftag != DT_DEBUG && cval != fval &&
				     cval != fval + bias)) {
			snprintf(msg, len, ".dynamic entry %zu is (0x%llx, 0x%llx) in the core, (0x%llx, 0x%llx) in the file",
				 i, (unsigned long long)ctag,
				 (unsigned long long)cval,
				 (unsigned long long)ftag,
				 (unsigned long long)fval);
			v = DYN_DIFFER;
			goto out;
		}
		if (ftag == DT_NULL) {
			n = i + 1;
			break;
		}
	}
	snprintf(msg, len, "its .dynamic in the core agrees with the file's (%zu entries)",
		 n);
	v = DYN_AGREE;
out:
	free(mem);
	return v;
}

/* An ELF file opened to be placed: its header and the facts we use. */
struct lm_elf {
	int fd;
	Elf *elf;
	GElf_Ehdr eh;
	bool have_phdr, have_dyn;
	uint64_t phdr_vaddr;    /* where its program headers are mapped */
	uint64_t dyn_vaddr;     /* PT_DYNAMIC */
};

static void
note(struct vd_ucore *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Append "; "-separated to files.note, bounded (out of memory: dropped). */
static void
note(struct vd_ucore *u, const char *fmt, ...)
{
	size_t have = u->note_buf ? strlen(u->note_buf) : 0;
	char msg[512], *p;
	va_list ap;

	if (have >= LM_NOTE_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p = realloc(u->note_buf, have + strlen(msg) + 3);
	if (!p)
		return;
	snprintf(p + have, strlen(msg) + 3, "%s%s", have ? "; " : "", msg);
	u->note_buf = p;
	u->files.note = p;
}

static bool
auxv(const struct vd_ucore *u, uint64_t type, uint64_t *ret)
{
	for (size_t i = 0; i < u->core->nauxv; i++)
		if (u->core->auxv[i].type == type) {
			*ret = u->core->auxv[i].value;
			return true;
		}
	return false;
}

static void
lm_close(struct lm_elf *e)
{
	if (e->elf)
		elf_end(e->elf);
	if (e->fd >= 0)
		close(e->fd);
	memset(e, 0, sizeof(*e));
	e->fd = -1;
}

/* Where the program headers and .dynamic are, from the program headers. */
static void
lm_layout(struct lm_elf *e)
{
	size_t n;

	if (elf_getphdrnum(e->elf, &n))
		return;
	for (size_t i = 0; i < n && i < LM_PH_MAX; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(e->elf, (int)i, &ph))
			continue;
		if (ph.p_type == PT_PHDR) {
			e->phdr_vaddr = ph.p_vaddr;
			e->have_phdr = true;
		} else if (ph.p_type == PT_DYNAMIC && !e->have_dyn) {
			e->dyn_vaddr = ph.p_vaddr;
			e->have_dyn = true;
		}
	}
	// No PT_PHDR: the PT_LOAD that maps e_phoff.
	for (size_t i = 0; i < n && i < LM_PH_MAX && !e->have_phdr; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(e->elf, (int)i, &ph) && ph.p_type == PT_LOAD &&
		    ph.p_offset <= e->eh.e_phoff &&
		    e->eh.e_phoff - ph.p_offset < ph.p_filesz) {
			e->phdr_vaddr = ph.p_vaddr + (e->eh.e_phoff - ph.p_offset);
			e->have_phdr = true;
		}
	}
}

/* Open file as an ELF of the core's machine; why says what is wrong. */
static bool
lm_open(struct vd_ucore *u, const char *file, struct lm_elf *e, char *why,
	size_t len)
{
	unsigned machine = vd_ucore_machine(u);
	struct stat st;

	memset(e, 0, sizeof(*e));
	e->fd = open(file, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (e->fd < 0) {
		snprintf(why, len, "cannot open %s: %s", file, strerror(errno));
		return false;
	}
	if (fstat(e->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(why, len, "%s is not a regular file", file);
		return false;
	}
	elf_version(EV_CURRENT);
	e->elf = elf_begin(e->fd, ELF_C_READ_MMAP, NULL);
	if (!e->elf || elf_kind(e->elf) != ELF_K_ELF ||
	    !gelf_getehdr(e->elf, &e->eh) ||
	    e->eh.e_ident[EI_CLASS] != ELFCLASS64) {
		snprintf(why, len, "%s is not a 64-bit ELF file", file);
		return false;
	}
	if (machine && e->eh.e_machine != machine) {
		snprintf(why, len, "%s is for e_machine %u, the core for %u",
			 file, e->eh.e_machine, machine);
		return false;
	}
	lm_layout(e);
	return true;
}

/* The file's PT_LOADs at bias, page-rounded, as mappings of path. */
static struct vd_error *
add_mappings(struct vd_ucore *u, const char *path, struct lm_elf *e,
	     uint64_t bias)
{
	uint64_t ps = vd_ucore_page_size(u);
	size_t n;

	if (elf_getphdrnum(e->elf, &n))
		return NULL;
	for (size_t i = 0; i < n && i < LM_PH_MAX; i++) {
		uint64_t va, end, start, lead;
		struct vd_error *err;
		GElf_Phdr ph;

		if (!gelf_getphdr(e->elf, (int)i, &ph) || ph.p_type != PT_LOAD ||
		    !ph.p_filesz)
			continue;
		if (__builtin_add_overflow(ph.p_vaddr, bias, &va) ||
		    __builtin_add_overflow(va, ph.p_filesz, &end) ||
		    end > UINT64_MAX - ps)
			continue;
		start = va & ~(ps - 1);
		lead = va - start;
		// A loadable segment's address and offset agree modulo the page.
		if (ph.p_offset < lead || ((ph.p_offset - lead) & (ps - 1)))
			continue;
		err = vd_ucore_add_file(u, path, start, (end + ps - 1) & ~(ps - 1),
					ph.p_offset - lead);
		if (err)
			return err;
	}
	return NULL;
}

/* Is e the executable auxv describes?  *bias_ret when it is. */
static bool
exe_fits(struct vd_ucore *u, const struct lm_elf *e, uint64_t *bias_ret,
	 char *why, size_t len)
{
	uint64_t entry, phdr, phnum, bias = 0;

	if (!auxv(u, AT_ENTRY_, &entry)) {
		snprintf(why, len, "the core has no AT_ENTRY");
		return false;
	}
	if (e->eh.e_type == ET_DYN)
		bias = entry - e->eh.e_entry;
	else if (e->eh.e_type != ET_EXEC || e->eh.e_entry != entry) {
		snprintf(why, len, "its entry 0x%llx is not AT_ENTRY 0x%llx",
			 (unsigned long long)e->eh.e_entry,
			 (unsigned long long)entry);
		return false;
	}
	if (bias & (vd_ucore_page_size(u) - 1)) {
		snprintf(why, len, "AT_ENTRY 0x%llx - its entry 0x%llx is not page-aligned",
			 (unsigned long long)entry,
			 (unsigned long long)e->eh.e_entry);
		return false;
	}
	if (auxv(u, AT_PHNUM_, &phnum) && phnum != e->eh.e_phnum) {
		snprintf(why, len, "it has %u program headers, AT_PHNUM says %llu",
			 e->eh.e_phnum, (unsigned long long)phnum);
		return false;
	}
	if (auxv(u, AT_PHDR_, &phdr) &&
	    (!e->have_phdr || e->phdr_vaddr + bias != phdr)) {
		snprintf(why, len, "its program headers would be at 0x%llx, AT_PHDR says 0x%llx",
			 (unsigned long long)(e->phdr_vaddr + bias),
			 (unsigned long long)phdr);
		return false;
	}
	*bias_ret = bias;
	return true;
}

/* Try one path for the executable; *path_ret (owned) when it fits. */
static bool
try_exe(struct vd_ucore *u, const char *path, struct lm_elf *e,
	uint64_t *bias_ret, char **path_ret)
{
	char why[PATH_MAX + 128], *file = vd_ucore_resolve(u, path);

	if (!file)
		return false;
	if (lm_open(u, file, e, why, sizeof(why)) &&
	    exe_fits(u, e, bias_ret, why, sizeof(why))) {
		free(file);
		*path_ret = strdup(path);
		return *path_ret != NULL;
	}
	note(u, "executable %s: %s", file, why);
	free(file);
	lm_close(e);
	return false;
}

/* A relative AT_EXECFN from the core's directory, made absolute. */
static char *
beside_core(struct vd_ucore *u, const char *rel)
{
	const char *core = vd_session_info(u->s)->path;
	const char *slash = core ? strrchr(core, '/') : NULL;
	char *joined, *real;

	if (asprintf(&joined, "%.*s%s", slash ? (int)(slash - core + 1) : 0,
		     slash ? core : "", rel) < 0)
		return NULL;
	real = realpath(joined, NULL);
	if (!real)
		return joined;
	free(joined);
	return real;
}

static bool
find_exe(struct vd_ucore *u, struct lm_elf *e, uint64_t *bias_ret,
	 char **path_ret)
{
	char name[LM_NAME_MAX], *p;
	struct vd_error *err;
	uint64_t at;
	bool ok;

	if (u->s->exe)
		return try_exe(u, u->s->exe, e, bias_ret, path_ret);
	if (!auxv(u, AT_EXECFN_, &at)) {
		note(u, "no NT_FILE and no AT_EXECFN: give the executable with --exe");
		return false;
	}
	err = vd_session_core_string(u->s, at, name, sizeof(name));
	if (err || !name[0]) {
		note(u, "no NT_FILE, and AT_EXECFN's string is unreadable%s%s: give the executable with --exe",
		     err ? ": " : "", err ? err->msg : "");
		vd_error_destroy(err);
		return false;
	}
	if (name[0] == '/')
		return try_exe(u, name, e, bias_ret, path_ret);
	p = beside_core(u, name);
	ok = p && try_exe(u, p, e, bias_ret, path_ret);
	free(p);
	return ok || try_exe(u, name, e, bias_ret, path_ret);
}

/* DT_DEBUG of the executable's .dynamic as the core holds it, or 0. */
static uint64_t
dt_debug(struct vd_ucore *u, uint64_t dyn)
{
	bool be = vd_session_info(u->s)->big_endian;
	unsigned char d[16];

	for (size_t i = 0; i < LM_DYN_MAX; i++) {
		uint64_t tag;

		if (!vd_ucore_core_read(u, dyn + 16 * i, d, sizeof(d)))
			return 0;
		tag = vd_get64(d, be);
		if (tag == DT_NULL)
			return 0;
		if (tag == DT_DEBUG)
			return vd_get64(d + 8, be);
	}
	return 0;
}

/* One link_map entry's library, when its file is found and fits. */
static struct vd_error *
add_library(struct vd_ucore *u, const char *name, uint64_t l_addr,
	    uint64_t l_ld)
{
	char why[PATH_MAX + 128], *file = vd_ucore_resolve(u, name);
	struct vd_error *err = NULL;
	struct lm_elf e;

	if (!file)
		return &vd_enomem;
	if (!lm_open(u, file, &e, why, sizeof(why))) {
		note(u, "%s: %s%s", name, why,
		     u->s->sysroot ? "" : " (--sysroot?)");
	} else if (!e.have_dyn || e.dyn_vaddr + l_addr != l_ld) {
		note(u, "%s: %s is not the file the process mapped: its .dynamic would be at 0x%llx, the process had it at 0x%llx",
		     name, file, (unsigned long long)(e.dyn_vaddr + l_addr),
		     (unsigned long long)l_ld);
	} else {
		err = add_mappings(u, name, &e, l_addr);
	}
	lm_close(&e);
	free(file);
	return err;
}

/* The link_map chain from r_debug.r_map (the executable's entry skipped). */
static struct vd_error *
walk(struct vd_ucore *u, uint64_t r_debug, uint64_t exe_dyn)
{
	bool be = vd_session_info(u->s)->big_endian;
	unsigned char rd[16], lm[40];
	uint64_t m, prev = 0;
	size_t i;

	if (!vd_ucore_core_read(u, r_debug, rd, sizeof(rd))) {
		note(u, "struct r_debug at 0x%llx (DT_DEBUG) is not in the core",
		     (unsigned long long)r_debug);
		return NULL;
	}
	m = vd_get64(rd + 8, be);
	if (!vd_get32(rd, be) || !m) {
		note(u, "struct r_debug at 0x%llx has r_version %u, r_map 0x%llx: no libraries listed",
		     (unsigned long long)r_debug, vd_get32(rd, be),
		     (unsigned long long)m);
		return NULL;
	}
	for (i = 0; m && i < LM_MAX; i++) {
		uint64_t l_addr, l_name, l_ld, l_next, l_prev;
		char name[LM_NAME_MAX];
		struct vd_error *err;

		if (!vd_ucore_core_read(u, m, lm, sizeof(lm))) {
			note(u, "link_map entry %zu at 0x%llx is not in the core; the list stops there",
			     i, (unsigned long long)m);
			return NULL;
		}
		l_addr = vd_get64(lm, be);
		l_name = vd_get64(lm + 8, be);
		l_ld = vd_get64(lm + 16, be);
		l_next = vd_get64(lm + 24, be);
		l_prev = vd_get64(lm + 32, be);
		if (l_prev != prev) {
			note(u, "link_map entry %zu at 0x%llx: l_prev is 0x%llx, not 0x%llx; the list stops there",
			     i, (unsigned long long)m,
			     (unsigned long long)l_prev,
			     (unsigned long long)prev);
			return NULL;
		}
		prev = m;
		m = l_next;
		// The path may lie in the executable's .interp, read from
		// its file: the executable's mappings are in place by now.
		err = vd_session_core_string(u->s, l_name, name, sizeof(name));
		if (err) {
			note(u, "link_map entry %zu: l_name unreadable: %s", i,
			     err->msg);
			vd_error_destroy(err);
			continue;
		}
		// The executable (named ""), and the vDSO, which no file holds.
		if (l_ld == exe_dyn || name[0] != '/')
			continue;
		if (u->files.n >= LM_FILES_MAX) {
			note(u, "more than %u file mappings: link_map entries from %zu on left out",
			     LM_FILES_MAX, i);
			return NULL;
		}
		err = add_library(u, name, l_addr, l_ld);
		if (err)
			return err;
	}
	if (m)
		note(u, "more than %u link_map entries: the rest left out", LM_MAX);
	return NULL;
}

struct vd_error *
vd_ucore_linkmap(struct vd_ucore *u)
{
	struct vd_error *err;
	uint64_t bias, r_debug;
	char *path = NULL;
	struct lm_elf e = { .fd = -1 };

	if (!find_exe(u, &e, &bias, &path))
		return NULL;
	// What the candidates that did not fit said no longer matters.
	free(u->note_buf);
	u->note_buf = NULL;
	u->files.note = NULL;
	u->files.source = "link_map";
	err = add_mappings(u, path, &e, bias);
	if (!err && !e.have_dyn)
		note(u, "%s has no PT_DYNAMIC: no libraries", path);
	else if (!err && !(r_debug = dt_debug(u, bias + e.dyn_vaddr)))
		note(u, "the executable's DT_DEBUG is 0 or not in the core: no libraries");
	else if (!err)
		err = walk(u, r_debug, bias + e.dyn_vaddr);
	lm_close(&e);
	free(path);
	return err;
}
