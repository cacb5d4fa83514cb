// SPDX-License-Identifier: MIT
/*
 * kdump-compressed files as a set: the ELF notes, VMCOREINFO and
 * eraseinfo of each file, the architecture, split sets (makedumpfile
 * --split: every part a complete KDUMP file with split = 1 and its own
 * [start_pfn, end_pfn)), and the attrs `info` shows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/util.h"
#include "common/vmcoreinfo.h"
#include "diskdump.h"
#include "flat.h"

/* Sizes beyond these are not notes or eraseinfo but a broken header. */
#define DD_MAX_NOTES (64u << 20)
#define DD_MAX_ERASEINFO (16u << 20)
#define DD_MAX_CPUS 65536

#define NOTE_HDR 12
#define NT_PRSTATUS_TYPE 1
/*
 * struct elf_prstatus (include/linux/elfcore.h), the same for x86_64 and
 * arm64: pr_cursig (short) at 12, pr_pid at 32, pr_reg at 112; x86_64
 * user_regs_struct is 27 u64 (note size 336), arm64 user_pt_regs 34 u64
 * (note size 392).  Same constants as elf_notes.c.
 */
#define PRSTATUS_CURSIG 12
#define PRSTATUS_PID 32
#define PRSTATUS_REG 112
#define PRSTATUS_SIZE_X86_64 336
#define PRSTATUS_SIZE_ARM64 392
/* QEMU's x86 QEMUCPUState (target/i386/arch_dump.c): cr[5] at 392. */
#define QEMU_CPU_CR 392
#define QEMU_CPU_MIN_SIZE (QEMU_CPU_CR + 5 * 8)

struct dd_note {
	uint64_t off;                   /* file offset of the header */
	uint32_t namesz, descsz, type;
	const char *name;
	const unsigned char *desc;
};

typedef struct vd_error *(*note_fn)(struct diskdump *dd,
				    const struct dd_note *note, void *arg);

static bool
note_named(const struct dd_note *note, const char *want)
{
	size_t n = strlen(want);

	return (note->namesz == n + 1 && !note->name[n] &&
		!memcmp(note->name, want, n)) ||
	       (note->namesz == n && !memcmp(note->name, want, n));
}

/*
 * Walk the notes blob copied from /proc/vmcore's PT_NOTE: {namesz,
 * descsz, type}, name and desc each padded to 4 bytes; a zero namesz ends
 * it.  A note running past the blob ends the walk with a warning.
 */
static struct vd_error *
walk_notes(struct vd_dump *dump, struct diskdump *dd,
	   const unsigned char *blob, uint64_t size, note_fn fn, void *arg)
{
	uint64_t pos = 0;

	while (size - pos >= NOTE_HDR) {
		struct dd_note n = { .off = dd->off_note + pos };
		uint64_t desc_off, end;
		struct vd_error *err;

		n.namesz = vd_get32(blob + pos, dd->be);
		n.descsz = vd_get32(blob + pos + 4, dd->be);
		n.type = vd_get32(blob + pos + 8, dd->be);
		if (!n.namesz)
			break;
		desc_off = pos + NOTE_HDR + ((n.namesz + 3ull) & ~3ull);
		end = desc_off + n.descsz;
		if (desc_off > size || n.descsz > size - desc_off)
			return dump ? vd_dump_add_warning(dump,
					"%s: ELF note at file offset 0x%llx (%u + %u bytes) runs past the end of the notes (0x%llx bytes at 0x%llx); the rest are ignored",
					dd->file->path,
					(unsigned long long)n.off, n.namesz,
					n.descsz, (unsigned long long)size,
					(unsigned long long)dd->off_note) :
				      NULL;
		n.name = (const char *)blob + pos + NOTE_HDR;
		n.desc = blob + desc_off;
		err = fn(dd, &n, arg);
		if (err)
			return err;
		pos = VD_MIN((end + 3) & ~3ull, size);
	}
	return NULL;
}

/* Copy [off, off + size) of the file, NUL-terminated. */
static struct vd_error *
read_blob(struct vd_dump *dump, struct diskdump *dd, uint64_t off,
	  uint64_t size, uint64_t max, const char *what, unsigned char **ret)
{
	unsigned char *buf;
	struct vd_error *err;

	*ret = NULL;
	if (!vd_range_ok(off, size, dd->file->size) || size > max ||
	    size > dd->file->map_size)
		return vd_dump_add_warning(dump,
					   "%s: %s (0x%llx bytes at 0x%llx) lies past the end of the file or is absurdly large; ignored",
					   dd->file->path, what,
					   (unsigned long long)size,
					   (unsigned long long)off);
	buf = malloc(size + 1);
	if (!buf)
		return &vd_enomem;
	err = vd_file_read(dd->file, off, buf, size, what);
	if (err) {
		free(buf);
		return err;
	}
	buf[size] = '\0';
	*ret = buf;
	return NULL;
}

static struct vd_error *
set_vmcoreinfo(struct diskdump *dd, const void *text, size_t len)
{
	len = strnlen(text, len);
	dd->vmcoreinfo = malloc(len + 1);
	if (!dd->vmcoreinfo)
		return &vd_enomem;
	memcpy(dd->vmcoreinfo, text, len);
	dd->vmcoreinfo[len] = '\0';
	dd->vmcoreinfo_len = len;
	return NULL;
}

/* Pass 1: count notes, take VMCOREINFO, and the first PRSTATUS size. */
static struct vd_error *
note_scan(struct diskdump *dd, const struct dd_note *note, void *arg)
{
	uint32_t *prstatus_size = arg;

	dd->nnotes++;
	if (note_named(note, "VMCOREINFO") && !note->type && !dd->vmcoreinfo)
		return set_vmcoreinfo(dd, note->desc, note->descsz);
	if (note_named(note, "CORE") && note->type == NT_PRSTATUS_TYPE &&
	    !*prstatus_size)
		*prstatus_size = note->descsz;
	return NULL;
}

static uint32_t
prstatus_nregs(enum vd_arch arch)
{
	return arch == VD_ARCH_X86_64 ? 27 : arch == VD_ARCH_AARCH64 ? 34 : 0;
}

static struct vd_error *
add_cpu(struct diskdump *dd, const struct dd_note *note)
{
	struct vd_cpu_state cpu = { 0 }, *p;
	uint32_t nregs = prstatus_nregs(dd->arch);

	if (dd->ncpus >= DD_MAX_CPUS)
		return NULL;
	if (note->descsz >= PRSTATUS_PID + 4) {
		cpu.signal = (int16_t)vd_get16(note->desc + PRSTATUS_CURSIG,
					       dd->be);
		cpu.pid = (int32_t)vd_get32(note->desc + PRSTATUS_PID, dd->be);
	}
	if (nregs && note->descsz >= PRSTATUS_REG + 8 * nregs) {
		cpu.have_regs = true;
		cpu.nregs = nregs;
		for (uint32_t i = 0; i < nregs; i++)
			cpu.regs[i] = vd_get64(note->desc + PRSTATUS_REG + 8 * i,
					       dd->be);
	}
	if (!vd_grow(&dd->cpus, dd->ncpus, sizeof(*p)))
		return &vd_enomem;
	p = dd->cpus;
	p[dd->ncpus++] = cpu;
	return NULL;
}

/* Pass 2: one CPU per NT_PRSTATUS; the k-th QEMU note adds its CRs. */
static struct vd_error *
note_cpus(struct diskdump *dd, const struct dd_note *note, void *arg)
{
	size_t *nqemu = arg;
	const unsigned char *cr = note->desc + QEMU_CPU_CR;
	struct vd_cpu_state *cpu;

	if (note_named(note, "CORE") && note->type == NT_PRSTATUS_TYPE)
		return add_cpu(dd, note);
	if (!note_named(note, "QEMU") || note->type ||
	    dd->arch != VD_ARCH_X86_64 || note->descsz < QEMU_CPU_MIN_SIZE)
		return NULL;
	if (*nqemu >= dd->ncpus)
		return NULL;
	cpu = &dd->cpus[(*nqemu)++];
	cpu->have_cr = true;
	cpu->cr0 = vd_get64(cr, dd->be);
	cpu->cr2 = vd_get64(cr + 16, dd->be);
	cpu->cr3 = vd_get64(cr + 24, dd->be);
	cpu->cr4 = vd_get64(cr + 32, dd->be);
	return NULL;
}

static bool
vmcoreinfo_has(const struct diskdump *dd, const char *key)
{
	return vd_vmcoreinfo_text_has(dd->vmcoreinfo, dd->vmcoreinfo_len, key);
}

/*
 * utsname.machine first.  QEMU's arm64 kdump files say "Unknown" and the
 * notes blob has no e_machine: fall back to the size of the first
 * NT_PRSTATUS (336 = x86_64, 392 = arm64), then to VMCOREINFO keys only
 * one arch exports (arch/x86/kernel/vmcore_info_64.c: init_top_pgt,
 * pgtable_l5_enabled; arch/arm64/kernel/vmcore_info.c: kimage_voffset).
 */
static void
decide_arch(struct diskdump *dd, uint32_t prstatus_size)
{
	const char *m = dd->uts[4];

	dd->arch_how = "utsname.machine";
	if (!strcmp(m, "x86_64"))
		dd->arch = VD_ARCH_X86_64;
	else if (!strcmp(m, "aarch64") || !strcmp(m, "arm64") ||
		 !strcmp(m, "aarch64_be"))
		dd->arch = VD_ARCH_AARCH64;
	if (dd->arch)
		return;
	dd->arch_how = "NT_PRSTATUS size";
	if (prstatus_size == PRSTATUS_SIZE_X86_64)
		dd->arch = VD_ARCH_X86_64;
	else if (prstatus_size == PRSTATUS_SIZE_ARM64)
		dd->arch = VD_ARCH_AARCH64;
	if (dd->arch)
		return;
	dd->arch_how = "VMCOREINFO keys";
	if (vmcoreinfo_has(dd, "SYMBOL(init_top_pgt)") ||
	    vmcoreinfo_has(dd, "NUMBER(pgtable_l5_enabled)"))
		dd->arch = VD_ARCH_X86_64;
	else if (vmcoreinfo_has(dd, "NUMBER(kimage_voffset)"))
		dd->arch = VD_ARCH_AARCH64;
	else
		dd->arch_how = NULL;
}

/*
 * VMCOREINFO from offset_vmcoreinfo (v3+; inside the notes in v4+), else
 * from the notes' VMCOREINFO note; CPUs from NT_PRSTATUS (v4+).
 */
struct vd_error *
vd_diskdump_parse_notes(struct vd_dump *dump, struct diskdump *dd)
{
	_cleanup_free_ unsigned char *notes = NULL;
	_cleanup_free_ unsigned char *vmci = NULL;
	unsigned char *erase = NULL;
	uint32_t prstatus_size = 0;
	size_t nqemu = 0;
	struct vd_error *err = NULL;

	if (dd->size_vmcoreinfo)
		err = read_blob(dump, dd, dd->off_vmcoreinfo,
				dd->size_vmcoreinfo, DD_MAX_NOTES,
				"VMCOREINFO", &vmci);
	if (!err && vmci)
		err = set_vmcoreinfo(dd, vmci, dd->size_vmcoreinfo);
	if (!err && dd->size_note)
		err = read_blob(dump, dd, dd->off_note, dd->size_note,
				DD_MAX_NOTES, "ELF notes", &notes);
	if (!err && notes)
		err = walk_notes(dump, dd, notes, dd->size_note, note_scan,
				 &prstatus_size);
	if (!err && dd->size_eraseinfo)
		err = read_blob(dump, dd, dd->off_eraseinfo,
				dd->size_eraseinfo, DD_MAX_ERASEINFO,
				"eraseinfo", &erase);
	if (err)
		return err;
	if (erase) {
		dd->eraseinfo = (char *)erase;
		dd->eraseinfo_len = strnlen(dd->eraseinfo, dd->size_eraseinfo);
	}
	decide_arch(dd, prstatus_size);
	if (notes)
		return walk_notes(NULL, dd, notes, dd->size_note, note_cpus,
				  &nqemu);
	return NULL;
}

/* "31 (zero pages, ...)": the page classes dump level N drops. */
const char *
vd_diskdump_level_text(int32_t level, char *buf, size_t len)
{
	// makedumpfile(8) -d: 1 zero, 2 cache without private, 4 cache with
	// private, 8 user process data, 16 free pages.
	static const char *const cls[] = { "zero pages", "non-private cache",
					   "private cache", "user data",
					   "free pages" };
	size_t n = snprintf(buf, len, "%d (", level);

	for (int i = 0, first = 1; i < 5 && n < len; i++) {
		if (!(level & (1 << i)))
			continue;
		n += snprintf(buf + n, len - n, "%s%s", first ? "" : ", ",
			      cls[i]);
		first = 0;
	}
	if ((uint32_t)level >> 5 && n < len)
		n += snprintf(buf + n, len - n, "%sunknown bits 0x%x",
			      level & 31 ? ", " : "", (uint32_t)level & ~31u);
	if (!level && n < len)
		n += snprintf(buf + n, len - n, "nothing excluded");
	if (n < len)
		snprintf(buf + n, len - n, ")");
	return buf;
}

static int
part_cmp(const void *a, const void *b)
{
	const struct diskdump *x = *(void *const *)a, *y = *(void *const *)b;

	return x->start_pfn < y->start_pfn ? -1 : x->start_pfn > y->start_pfn;
}

/* Which fact makes part b foreign to part a, or NULL. */
static const char *
part_mismatch(const struct diskdump *a, const struct diskdump *b)
{
	if (memcmp(a->uts, b->uts, sizeof(a->uts)))
		return "utsname";
	if (a->tv_sec != b->tv_sec || a->tv_usec != b->tv_usec)
		return "timestamp";
	if (a->max_mapnr != b->max_mapnr)
		return "max_mapnr";
	if (a->dump_level != b->dump_level)
		return "dump level";
	if (a->block_size != b->block_size || a->be != b->be)
		return "block size or byte order";
	return NULL;
}

static struct vd_error *
set_missing(struct diskdump **parts, size_t n, uint64_t a, uint64_t b)
{
	return vd_error_create(VD_ERR_INVALID_ARG,
			       "%s: split dump of %zu file%s is incomplete: the part covering PFNs 0x%llx-0x%llx is missing",
			       parts[0]->file->path, n, n > 1 ? "s" : "",
			       (unsigned long long)a,
			       (unsigned long long)(b - 1));
}

/*
 * makedumpfile --split: the parts must come from one dump and their
 * [start_pfn, end_pfn) must tile [0, max_mapnr).  parts is sorted.
 */
static struct vd_error *
check_set(struct diskdump **parts, size_t n)
{
	uint64_t next = 0;

	for (size_t i = 0; i < n; i++) {
		const struct diskdump *p = parts[i];
		const char *what = part_mismatch(parts[0], p);

		if (!p->split)
			return vd_error_create(VD_ERR_INVALID_ARG,
					       "%s: a complete kdump file, not a part of a split dump, cannot be opened with %zu other file%s",
					       p->file->path, n - 1,
					       n > 2 ? "s" : "");
		if (what)
			return vd_error_create(VD_ERR_INVALID_ARG,
					       "%s does not belong with %s: their %s differ",
					       p->file->path,
					       parts[0]->file->path, what);
		if (p->start_pfn > next)
			return set_missing(parts, n, next, p->start_pfn);
		if (p->start_pfn < next)
			return vd_error_create(VD_ERR_INVALID_ARG,
					       "%s and %s overlap: both hold PFNs 0x%llx-0x%llx",
					       parts[i - 1]->file->path,
					       p->file->path,
					       (unsigned long long)p->start_pfn,
					       (unsigned long long)(VD_MIN(next,
							p->end_pfn) - 1));
		next = p->end_pfn;
	}
	if (next < parts[0]->max_mapnr)
		return set_missing(parts, n, next, parts[0]->max_mapnr);
	return NULL;
}

static const char *
comp_names(uint32_t flags, char *buf, size_t len)
{
	static const struct { uint32_t bit; const char *name; } names[] = {
		{ DD_ZLIB, "zlib" }, { DD_LZO, "lzo" },
		{ DD_SNAPPY, "snappy" }, { DD_ZSTD, "zstd" },
	};
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < VD_ARRAY_SIZE(names) && n < len; i++)
		if (flags & names[i].bit)
			n += snprintf(buf + n, len - n, "%s%s", n ? "+" : "",
				      names[i].name);
	return n ? buf : "none";
}

/*
 * From the header's status, checked against sampled page flags: what the
 * pages use, and what the header says when that differs.
 */
static struct vd_error *
attr_compression(struct vd_dump *dump, const struct diskdump *dd)
{
	uint32_t st = dd->status & DD_COMPRESSED;
	uint32_t used = st || !dd->seen_flags ? st | dd->seen_flags : dd->seen_flags;
	char a[64], b[64];
	struct vd_error *err;

	err = vd_dump_add_attr(dump, "compression", "%s", comp_names(used, a, sizeof(a)));
	if (!err && used != st)
		err = vd_dump_add_attr(dump, "compression_header", "%s",
				       comp_names(st, b, sizeof(b)));
	return err;
}

static struct vd_error *
attr_status(struct vd_dump *dump, const struct diskdump *dd)
{
	struct vd_error *err;

	err = vd_dump_add_fact(dump, "status", VD_ATTR_HEX, dd->status);
	if (!err && (dd->status & DD_INCOMPLETE))
		err = vd_dump_add_fact(dump, "incomplete", VD_ATTR_BOOL, 1);
	if (!err && (dd->status & DD_EXCLUDED_VMEMMAP))
		err = vd_dump_add_fact(dump, "unused_vmemmap_excluded", VD_ATTR_BOOL, 1);
	return err;
}

static struct vd_error *
attr_pages(struct vd_dump *dump, struct diskdump **parts, size_t n)
{
	uint64_t ram = 0, dumped = 0;
	struct vd_error *err;

	for (size_t i = 0; i < n; i++) {
		ram += parts[i]->ram_pages;
		dumped += parts[i]->dumped_pages;
	}
	err = vd_dump_add_fact(dump, "max_mapnr", VD_ATTR_HEX, parts[0]->max_mapnr);
	if (!err)
		err = vd_dump_add_fact(dump, "ram_pages", VD_ATTR_COUNT, ram);
	if (!err)
		err = vd_dump_add_fact(dump, "pages_in_dump", VD_ATTR_COUNT, dumped);
	if (!err)
		err = vd_dump_add_fact(dump, "excluded_pages", VD_ATTR_COUNT,
				       ram > dumped ? ram - dumped : 0);
	return err;
}

static struct vd_error *
attr_split(struct vd_dump *dump, struct diskdump **parts, size_t n)
{
	struct vd_error *err;

	err = vd_dump_add_fact(dump, "split", VD_ATTR_BOOL, parts[0]->split);
	if (!err && parts[0]->split)
		err = vd_dump_add_fact(dump, "split_parts", VD_ATTR_COUNT, n);
	for (size_t i = 0; i < n && !err && parts[0]->split; i++) {
		char key[48];

		snprintf(key, sizeof(key), "part%zu_file", i + 1);
		err = vd_dump_add_attr(dump, key, "%s", parts[i]->file->path);
		snprintf(key, sizeof(key), "part%zu_first_pfn", i + 1);
		if (!err)
			err = vd_dump_add_fact(dump, key, VD_ATTR_HEX, parts[i]->start_pfn);
		snprintf(key, sizeof(key), "part%zu_last_pfn", i + 1);
		if (!err)
			err = vd_dump_add_fact(dump, key, VD_ATTR_HEX, parts[i]->end_pfn - 1);
		snprintf(key, sizeof(key), "part%zu_pages_in_dump", i + 1);
		if (!err)
			err = vd_dump_add_fact(dump, key, VD_ATTR_COUNT, parts[i]->dumped_pages);
	}
	return err;
}

/* Flattened (makedumpfile -F): makedumpfile -R would rearrange it. */
static struct vd_error *
attr_flat(struct vd_dump *dump, struct diskdump **parts, size_t n)
{
	size_t nflat = 0, nrec = 0;
	struct vd_error *err;

	for (size_t i = 0; i < n; i++) {
		if (!parts[i]->file->flat)
			continue;
		nflat++;
		nrec += vd_flat_nrecords(parts[i]->file->flat);
	}
	err = vd_dump_add_fact(dump, "flattened", VD_ATTR_BOOL, nflat != 0);
	if (!err && nflat)
		err = vd_dump_add_fact(dump, "flattened_records", VD_ATTR_COUNT, nrec);
	if (!err && nflat && nflat < n)
		err = vd_dump_add_fact(dump, "flattened_parts", VD_ATTR_COUNT, nflat);
	return err;
}

static struct vd_error *
attr_uts(struct vd_dump *dump, const struct diskdump *dd)
{
	static const char *const keys[] = { "sysname", "nodename", "release",
					    "version", "machine",
					    "domainname" };
	struct vd_error *err = NULL;

	for (int i = 0; i < 6 && !err; i++) {
		char key[48];

		if (!dd->uts[i][0] && i != 4)
			continue;
		snprintf(key, sizeof(key), "utsname_%s", keys[i]);
		err = vd_dump_add_attr(dump, key, "%s", dd->uts[i]);
		// Where the arch came from when utsname.machine did not say.
		if (!err && i == 4 && dd->arch_how && strcmp(dd->arch_how, "utsname.machine"))
			err = vd_dump_add_attr(dump, "arch_from", "%s", dd->arch_how);
	}
	return err;
}

static struct vd_error *
attr_time(struct vd_dump *dump, const struct diskdump *dd)
{
	struct vd_error *err = vd_dump_add_fact(dump, "timestamp", VD_ATTR_TIME, dd->tv_sec);

	if (!err && dd->tv_sec)
		err = vd_dump_add_fact(dump, "timestamp_usec", VD_ATTR_COUNT, dd->tv_usec);
	return err;
}

/*
 * QEMU writes the header's phys_base wrong whenever it is not 0: it
 * parses the decimal NUMBER(phys_base) as hex (docs/real-dump-traps.md).  Show both
 * when they differ, and warn; VMCOREINFO is the one to trust.
 */
static struct vd_error *
attr_phys_base(struct vd_dump *dump, const struct diskdump *dd)
{
	struct vd_error *err;
	uint64_t pb;

	if (dd->legacy || dd->version < 1)
		return NULL;
	err = vd_dump_add_fact(dump, "phys_base_header", VD_ATTR_HEX, dd->phys_base);
	if (!err && vd_vmcoreinfo_text_number(dd->vmcoreinfo, dd->vmcoreinfo_len,
					      "NUMBER(phys_base)", &pb) && pb != dd->phys_base) {
		err = vd_dump_add_fact(dump, "phys_base_vmcoreinfo", VD_ATTR_HEX, pb);
		if (!err)
			err = vd_dump_add_warning(dump,
						  "%s: the header's phys_base 0x%llx is not VMCOREINFO's 0x%llx: VMCOREINFO's is used (QEMU writes the header value wrong)",
						  dd->file->path, (unsigned long long)dd->phys_base,
						  (unsigned long long)pb);
	}
	return err;
}

static struct vd_error *
attr_eraseinfo(struct vd_dump *dump, const struct diskdump *dd)
{
	char buf[256];
	size_t n = 0;
	struct vd_error *err;

	if (!dd->eraseinfo)
		return NULL;
	for (size_t i = 0; i < dd->eraseinfo_len && n + 3 < sizeof(buf); i++) {
		char c = dd->eraseinfo[i];

		if (c == '\n') {
			if (i + 1 < dd->eraseinfo_len)
				n += snprintf(buf + n, sizeof(buf) - n, "; ");
			continue;
		}
		buf[n++] = c >= 0x20 && c < 0x7f ? c : '?';
	}
	buf[n] = '\0';
	err = vd_dump_add_fact(dump, "eraseinfo_size", VD_ATTR_COUNT, dd->eraseinfo_len);
	if (!err)
		err = vd_dump_add_attr(dump, "eraseinfo", "%s%s", buf,
				       n + 3 >= sizeof(buf) ? "..." : "");
	return err;
}

static struct vd_error *
attr_header(struct vd_dump *dump, const struct diskdump *dd)
{
	char buf[192];
	struct vd_error *err;

	// DISKDUMP: the legacy diskdump format.
	err = vd_dump_add_attr(dump, "signature", "%s", dd->legacy ? "DISKDUMP" : "KDUMP");
	if (!err)
		err = dd->version >= 0 ?
		      vd_dump_add_fact(dump, "header_version", VD_ATTR_COUNT,
				       (uint64_t)dd->version) :
		      vd_dump_add_attr(dump, "header_version", "%d", dd->version);
	if (!err)
		err = attr_compression(dump, dd);
	if (!err && dd->has_dump_level) {
		// "17 (zero pages, free pages)": the classes are the part in ().
		const char *t = vd_diskdump_level_text(dd->dump_level, buf, sizeof(buf));
		const char *lp = strchr(t, '('), *rp = strrchr(t, ')');

		err = vd_dump_add_fact(dump, "dump_level", VD_ATTR_COUNT,
				       (uint64_t)(uint32_t)dd->dump_level);
		if (!err && lp && rp > lp)
			err = vd_dump_add_attr(dump, "dump_level_excludes", "%.*s",
					       (int)(rp - lp - 1), lp + 1);
	}
	if (!err)
		err = attr_status(dump, dd);
	if (!err)
		err = vd_dump_add_fact(dump, "block_size", VD_ATTR_COUNT, dd->block_size);
	return err;
}

static struct vd_error *
publish_attrs(struct vd_dump *dump, struct diskdump **parts, size_t n)
{
	const struct diskdump *dd = parts[0];
	struct vd_error *err;

	err = attr_header(dump, dd);
	if (!err)
		err = attr_pages(dump, parts, n);
	if (!err)
		err = attr_split(dump, parts, n);
	if (!err)
		err = attr_flat(dump, parts, n);
	if (!err)
		err = attr_uts(dump, dd);
	if (!err)
		err = attr_time(dump, dd);
	if (!err)
		err = dd->nr_cpus >= 0 ?
		      vd_dump_add_fact(dump, "nr_cpus", VD_ATTR_COUNT, (uint64_t)dd->nr_cpus) :
		      vd_dump_add_attr(dump, "nr_cpus", "%d", dd->nr_cpus);
	if (!err)
		err = vd_dump_add_fact(dump, "dumping_cpu", VD_ATTR_COUNT, dd->current_cpu);
	if (!err)
		err = vd_dump_add_fact(dump, "notes", VD_ATTR_COUNT, dd->nnotes);
	if (!err)
		err = vd_dump_add_fact(dump, "note_core_nt_prstatus", VD_ATTR_COUNT, dd->ncpus);
	if (!err)
		err = attr_phys_base(dump, dd);
	if (!err)
		err = attr_eraseinfo(dump, dd);
	return err;
}

/*
 * After every file was opened: check split sets, then publish `info`
 * attrs, VMCOREINFO and CPUs once (every part of a set carries the same
 * notes), from the part holding the lowest PFNs.
 */
struct vd_error *
vd_diskdump_finish(struct vd_dump *dump, void **privs, size_t nprivs)
{
	_cleanup_free_ struct diskdump **parts = malloc(nprivs *
							sizeof(*parts));
	const struct diskdump *dd;
	struct vd_error *err = NULL;

	if (!parts)
		return &vd_enomem;
	memcpy(parts, privs, nprivs * sizeof(*parts));
	qsort(parts, nprivs, sizeof(*parts), part_cmp);
	dd = parts[0];
	if (nprivs > 1 || dd->split)
		err = check_set(parts, nprivs);
	if (!err)
		err = publish_attrs(dump, parts, nprivs);
	if (!err && dd->vmcoreinfo)
		err = vd_dump_set_vmcoreinfo(dump, dd->vmcoreinfo,
					     dd->vmcoreinfo_len);
	for (size_t i = 0; i < dd->ncpus && !err; i++)
		err = vd_dump_add_cpu(dump, &dd->cpus[i]);
	return err;
}
