// SPDX-License-Identifier: MIT
/*
 * ELF core files: kernel vmcores and process cores.
 *
 * Producers and what we take from each (docs/formats.md,
 * docs/real-dump-traps.md):
 *  - kexec /proc/vmcore (copied by cp or makedumpfile -E): one PT_LOAD per
 *    RAM range, p_paddr = physical start, p_vaddr = a direct-map address,
 *    plus one PT_LOAD for the kernel text mapping whose physical range lies
 *    inside a RAM PT_LOAD but whose bytes are a second copy elsewhere in
 *    the file (fs/proc/vmcore.c gives every PT_LOAD its own file range).
 *  - makedumpfile -E: the same shape; excluded and zero pages are dropped
 *    by making p_filesz < p_memsz, so the tail reads as zeros (drgn and
 *    crash do the same; the file cannot tell zero from excluded pages).
 *    e_flags bit 0 means it ran out of space: the dump is incomplete.
 *  - QEMU dump-guest-memory: p_vaddr = p_paddr (QEMU >= 4.0 without
 *    paging), per-CPU NT_PRSTATUS + "QEMU" CPU-state notes on x86, and in
 *    QEMU 7.2 e_ehsize = 8 and program headers at e_phoff 0xc0 after a
 *    section header at 64 (PN_XNUM support).  We honour e_phoff and
 *    ignore e_ehsize.
 *  - Linux process cores: memory is user virtual; p_filesz < p_memsz means
 *    "not dumped" (coredump_filter), which reads as VD_ERR_NODATA.
 * For kernel dumps p_paddr is the truth and memory is physical; p_vaddr is
 * only a hint for guessing the producer.
 *
 * A file cut short (cp to a full disk) still opens: the segments whose data
 * lies past the end form a tail of the file in file-offset order, so their
 * lost part reads as VD_ERR_NODATA "truncated" and a warning says so.  A
 * segment past the end that is followed in the file by complete segments
 * is a corrupt offset, and an error.
 */
#include <elf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "elf_core_notes.h"
#include "elf_notes.h"

#define EHDR64_SIZE 64
#define EHDR32_SIZE 52
#define PHDR64_SIZE 56
#define PHDR32_SIZE 32
#define SHDR64_SIZE 64
#define SHDR32_SIZE 40

/* makedumpfile's DUMP_ELF_INCOMPLETE (makedumpfile.h): ENOSPC on write. */
#define ELF_FLAG_INCOMPLETE 0x1

/*
 * How far past the previous segment's data (or past EOF) a lost segment
 * may start and still count as truncation rather than a bogus offset.
 * Producers lay segments out back to back; this allows for alignment.
 */
#define TRUNC_SLACK (1ull << 20)

/*
 * Bytes compared per sample when deciding whether two PT_LOADs alias, and
 * how many aliases may need comparing (/proc/vmcore has one) before the
 * file counts as hostile: each costs a few pages of copying.
 */
#define ALIAS_SAMPLE 4096
#define ALIAS_COMPARE_MAX 1024
/* Bytes a process core's partly overlapping PT_LOADs may share. */
#define SHARED_TAIL_MAX (64u << 10)

/* More PT_LOADs than any real dump has (/proc/kcore: thousands). */
#define ELF_MAX_LOADS (1u << 22)

struct elf_priv {
	char *trunc_why;        /* VD_SEG_ABSENT reason for lost data */
	struct vd_core_info *core;  /* a process core's notes (elf_core_notes.h) */
};

/* A PT_LOAD mapped into the dump's address space. */
struct elf_load {
	uint64_t start, end;    /* memory [start, end) */
	uint64_t filesz;        /* bytes backed by the file, from start */
	uint64_t avail;         /* of those, bytes the file really holds */
	uint64_t off;           /* p_offset */
	uint32_t index;         /* program header index */
	bool drop;              /* an alias of another PT_LOAD */
};

struct elf_layout {
	struct elf_load *loads;
	size_t nloads;
	size_t ndropped;
	size_t nskipped;        /* p_paddr -1 (/proc/kcore) */
	size_t ncompared;       /* aliases checked by comparing bytes */
	bool truncated;
};

static enum vd_arch
machine_arch(uint16_t machine)
{
	switch (machine) {
	case EM_X86_64: return VD_ARCH_X86_64;
	case EM_AARCH64: return VD_ARCH_AARCH64;
	default: return VD_ARCH_UNKNOWN;
	}
}

/* Copies of file ranges for flattened files are bounded by this. */
#define ELF_COPY_MAX (256ull << 20)

struct vd_error *
vd_elf_file_bytes(const struct vd_file *file, uint64_t off, uint64_t len,
		  const char *what, const unsigned char **ret, void **owned)
{
	const unsigned char *p = vd_file_ptr(file, off, len);
	struct vd_error *err;
	void *copy;

	*owned = NULL;
	if (p) {
		*ret = p;
		return NULL;
	}
	// A flattened file (file.h) maps only what one record wrote.  The
	// copy is bounded by the bytes the file really holds: a few records
	// can claim a range of any size, the rest of it holes.
	if (len > ELF_COPY_MAX || len > file->map_size)
		return vd_file_corrupt(file, off,
				       "%s: 0x%llx bytes spread over flattened records, more than the file's 0x%llx bytes hold",
				       what, (unsigned long long)len,
				       (unsigned long long)file->map_size);
	copy = malloc(len ? len : 1);
	if (!copy)
		return &vd_enomem;
	err = vd_file_read(file, off, copy, len, what);
	if (err) {
		free(copy);
		return err;
	}
	*ret = copy;
	*owned = copy;
	return NULL;
}

/* "\x7fELF", a known byte order and ET_CORE; anything else is not ours. */
static bool
probe(const struct vd_file *file, bool *be_ret)
{
	unsigned char id[EI_NIDENT + 2];
	struct vd_error *err;

	if (file->size < sizeof(id))
		return false;
	err = vd_file_read(file, 0, id, sizeof(id), "ELF identification");
	if (err) {
		vd_error_destroy(err);
		return false;
	}
	if (memcmp(id, ELFMAG, SELFMAG))
		return false;
	if (id[EI_DATA] != ELFDATA2LSB && id[EI_DATA] != ELFDATA2MSB)
		return false;
	*be_ret = id[EI_DATA] == ELFDATA2MSB;
	return vd_get16(id + EI_NIDENT, *be_ret) == ET_CORE;
}

static void
ehdr_decode(struct elf_hdr *eh, const unsigned char *p)
{
	bool be = eh->be;

	eh->type = vd_get16(p + 16, be);
	eh->machine = vd_get16(p + 18, be);
	if (eh->is64) {
		eh->phoff = vd_get64(p + 32, be);
		eh->shoff = vd_get64(p + 40, be);
		eh->flags = vd_get32(p + 48, be);
		p += 52;
	} else {
		eh->phoff = vd_get32(p + 28, be);
		eh->shoff = vd_get32(p + 32, be);
		eh->flags = vd_get32(p + 36, be);
		p += 40;
	}
	eh->ehsize = vd_get16(p, be);
	eh->phentsize = vd_get16(p + 2, be);
	eh->phnum = vd_get16(p + 4, be);
	eh->shentsize = vd_get16(p + 6, be);
	eh->shnum = vd_get16(p + 8, be);
	eh->arch = machine_arch(eh->machine);
}

/* e_phnum == PN_XNUM: the real count is section 0's sh_info (gABI). */
static struct vd_error *
resolve_pn_xnum(struct elf_ctx *ctx)
{
	struct elf_hdr *eh = &ctx->eh;
	size_t shsize = eh->is64 ? SHDR64_SIZE : SHDR32_SIZE;
	unsigned char sh[SHDR64_SIZE];
	struct vd_error *err;

	eh->pn_xnum = true;
	if (!eh->shoff)
		return vd_file_corrupt(ctx->file, 0,
				       "e_phnum is PN_XNUM (0xffff) but there is no section header to hold the count");
	if (eh->shentsize != shsize)
		return vd_file_corrupt(ctx->file, 0,
				       "e_phnum is PN_XNUM and e_shentsize is %u, not %zu",
				       eh->shentsize, shsize);
	err = vd_file_read(ctx->file, eh->shoff, sh, shsize,
			   "section header 0 (program header count)");
	if (err)
		return err;
	eh->phnum = vd_get32(sh + (eh->is64 ? 44 : 28), eh->be);
	return NULL;
}

static struct vd_error *
read_ehdr(struct elf_ctx *ctx)
{
	const struct vd_file *file = ctx->file;
	struct elf_hdr *eh = &ctx->eh;
	unsigned char buf[EHDR64_SIZE];
	size_t phsize;
	struct vd_error *err;

	// probe() read the identification: EI_CLASS is in the file.
	err = vd_file_read(file, 0, buf, EI_NIDENT, "ELF identification");
	if (err)
		return err;
	switch (buf[EI_CLASS]) {
	case ELFCLASS64: eh->is64 = true; break;
	case ELFCLASS32: eh->is64 = false; break;
	default:
		return vd_file_corrupt(file, EI_CLASS, "unknown ELF class %u",
				       buf[EI_CLASS]);
	}
	// e_ehsize is not checked: QEMU 7.2 writes 8 there.
	err = vd_file_read(file, 0, buf, eh->is64 ? EHDR64_SIZE : EHDR32_SIZE,
			   "ELF header");
	if (err)
		return err;
	ehdr_decode(eh, buf);
	if (eh->phnum == PN_XNUM) {
		err = resolve_pn_xnum(ctx);
		if (err)
			return err;
	}
	phsize = eh->is64 ? PHDR64_SIZE : PHDR32_SIZE;
	if (eh->phentsize != phsize)
		return vd_file_corrupt(file, 0,
				       "e_phentsize is %u, ELFCLASS%u program headers are %zu bytes",
				       eh->phentsize, eh->is64 ? 64 : 32, phsize);
	if (!eh->phnum)
		return vd_file_corrupt(file, 0,
				       "ELF core file without program headers");
	// The table must fit in the file: this bounds every later loop.
	if (!vd_range_ok(eh->phoff, (uint64_t)eh->phnum * phsize, file->size))
		return vd_file_corrupt(file, eh->phoff,
				       "%u program headers of %zu bytes at e_phoff 0x%llx do not fit in the file (size 0x%llx)",
				       eh->phnum, phsize,
				       (unsigned long long)eh->phoff,
				       (unsigned long long)file->size);
	return vd_elf_file_bytes(file, eh->phoff, (uint64_t)eh->phnum * phsize,
				 "program headers", &ctx->phtab, &ctx->phtab_copy);
}

void
vd_elf_phdr_get(const struct elf_ctx *ctx, uint32_t i, struct elf_phdr *ph)
{
	bool be = ctx->eh.be;
	const unsigned char *p;

	if (ctx->eh.is64) {
		p = ctx->phtab + (size_t)i * PHDR64_SIZE;
		ph->type = vd_get32(p, be);
		ph->flags = vd_get32(p + 4, be);
		ph->offset = vd_get64(p + 8, be);
		ph->vaddr = vd_get64(p + 16, be);
		ph->paddr = vd_get64(p + 24, be);
		ph->filesz = vd_get64(p + 32, be);
		ph->memsz = vd_get64(p + 40, be);
		ph->align = vd_get64(p + 48, be);
	} else {
		p = ctx->phtab + (size_t)i * PHDR32_SIZE;
		ph->type = vd_get32(p, be);
		ph->offset = vd_get32(p + 4, be);
		ph->vaddr = vd_get32(p + 8, be);
		ph->paddr = vd_get32(p + 12, be);
		ph->filesz = vd_get32(p + 16, be);
		ph->memsz = vd_get32(p + 20, be);
		ph->flags = vd_get32(p + 24, be);
		ph->align = vd_get32(p + 28, be);
	}
}

/* Facts about the PT_LOADs that tell producers and dump kinds apart. */
struct load_facts {
	size_t nloads;
	bool all_v_eq_p;        /* p_vaddr == p_paddr everywhere (QEMU) */
	bool kernel_vaddr;      /* a kernel-space p_vaddr with a sane p_paddr */
	bool short_file;        /* some p_filesz < p_memsz */
};

static void
scan_loads(const struct elf_ctx *ctx, struct load_facts *f)
{
	*f = (struct load_facts){ .all_v_eq_p = true };
	for (uint32_t i = 0; i < ctx->eh.phnum; i++) {
		struct elf_phdr ph;

		vd_elf_phdr_get(ctx, i, &ph);
		if (ph.type != PT_LOAD || !ph.memsz)
			continue;
		f->nloads++;
		f->all_v_eq_p &= ph.vaddr == ph.paddr;
		f->short_file |= ph.filesz < ph.memsz;
		// Kernel space is the top half on both arches; 52 bits is the
		// most physical address space either supports.
		if (ph.vaddr >> 63 && ph.paddr && ph.paddr < (1ull << 52))
			f->kernel_vaddr = true;
	}
	if (!f->nloads)
		f->all_v_eq_p = false;
}

/*
 * A vmcore has VMCOREINFO or a QEMU note; a process core has NT_PRPSINFO,
 * NT_FILE or NT_AUXV and neither of those.  Anything else is a kernel dump
 * (an arm64 QEMU dump without VMCOREINFO has only NT_PRSTATUS; old
 * /proc/vmcore files have kernel-space p_vaddrs): process cores always
 * carry NT_PRPSINFO.  Kernel-space p_vaddrs alone do not make a vmcore:
 * x86_64 process cores hold the vsyscall page at 0xffffffffff600000.
 */
static enum vd_dump_kind
decide_kind(const struct elf_ctx *ctx)
{
	const struct elf_note_summary *n = &ctx->notes;

	if (n->nvmcoreinfo || n->nqemu)
		return VD_DUMP_KERNEL;
	if (n->prpsinfo || n->nt_file || n->auxv)
		return VD_DUMP_USER;
	return VD_DUMP_KERNEL;
}

static const char *
guess_producer(const struct elf_ctx *ctx, const struct load_facts *f,
	       enum vd_dump_kind kind)
{
	bool qemu = ctx->notes.nqemu || f->all_v_eq_p;

	if (kind == VD_DUMP_USER)
		return "Linux process core";
	// Of a QEMU dump or not: the "producer_input" fact (add_attrs()).
	if ((ctx->eh.flags & ELF_FLAG_INCOMPLETE) || f->short_file)
		return "makedumpfile -E";
	if (qemu)
		return "QEMU dump-guest-memory";
	if (f->kernel_vaddr)
		return "kexec /proc/vmcore";
	return "unknown";
}

static struct vd_error *
load_bad(const struct elf_ctx *ctx, uint32_t i, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "PATH: at offset 0x<phdr>: program header i (PT_LOAD): ..." */
static struct vd_error *
load_bad(const struct elf_ctx *ctx, uint32_t i, const char *fmt, ...)
{
	uint64_t off = ctx->eh.phoff +
		       (uint64_t)i * (ctx->eh.is64 ? PHDR64_SIZE : PHDR32_SIZE);
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return vd_file_corrupt(ctx->file, off, "program header %u (PT_LOAD): %s", i,
			       msg);
}

/* Map every PT_LOAD with memory into the dump's address space. */
static struct vd_error *
collect_loads(const struct elf_ctx *ctx, enum vd_dump_kind kind,
	      size_t count, struct elf_layout *lay)
{
	lay->loads = calloc(count ? count : 1, sizeof(*lay->loads));
	if (!lay->loads)
		return &vd_enomem;
	for (uint32_t i = 0; i < ctx->eh.phnum; i++) {
		struct elf_load *l = &lay->loads[lay->nloads];
		struct elf_phdr ph;

		vd_elf_phdr_get(ctx, i, &ph);
		if (ph.type != PT_LOAD || !ph.memsz)
			continue;
		// /proc/kcore: vmalloc and vmemmap have no physical address.
		if (kind == VD_DUMP_KERNEL && ph.paddr == UINT64_MAX) {
			lay->nskipped++;
			continue;
		}
		if (ph.filesz > ph.memsz)
			return load_bad(ctx, i,
					"p_filesz 0x%llx exceeds p_memsz 0x%llx",
					(unsigned long long)ph.filesz,
					(unsigned long long)ph.memsz);
		l->start = kind == VD_DUMP_KERNEL ? ph.paddr : ph.vaddr;
		if (__builtin_add_overflow(l->start, ph.memsz, &l->end))
			return load_bad(ctx, i,
					"[0x%llx, +0x%llx) wraps past the end of the address space",
					(unsigned long long)l->start,
					(unsigned long long)ph.memsz);
		l->filesz = ph.filesz;
		l->avail = ph.filesz;
		l->off = ph.offset;
		l->index = i;
		lay->nloads++;
	}
	return NULL;
}

static int
load_cmp_off(const void *a, const void *b)
{
	const struct elf_load *x = a, *y = b;

	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	if (x->filesz != y->filesz)
		return x->filesz < y->filesz ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static int
load_cmp_start(const void *a, const void *b)
{
	const struct elf_load *x = a, *y = b;

	// Containers before what they contain: start up, then end down.
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end)
		return x->end > y->end ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static uint64_t
sat_add(uint64_t a, uint64_t b)
{
	uint64_t r;

	return __builtin_add_overflow(a, b, &r) ? UINT64_MAX : r;
}

/*
 * Decide, for PT_LOADs whose data runs past the end of the file, whether
 * the file was cut short (they are the last ones in file order and each
 * starts about where the previous one ends) or an offset is corrupt.
 */
static struct vd_error *
check_file_ranges(const struct elf_ctx *ctx, struct elf_layout *lay)
{
	uint64_t size = ctx->file->size, limit = size;
	const struct elf_load *first = NULL;

	qsort(lay->loads, lay->nloads, sizeof(*lay->loads), load_cmp_off);
	for (size_t i = 0; i < lay->nloads; i++) {
		struct elf_load *l = &lay->loads[i];

		if (!l->filesz)
			continue;
		if (vd_range_ok(l->off, l->filesz, size)) {
			if (first)
				return load_bad(ctx, first->index,
						"file data [0x%llx, +0x%llx) runs past the end of the file (size 0x%llx) while program header %u after it is complete",
						(unsigned long long)first->off,
						(unsigned long long)first->filesz,
						(unsigned long long)size,
						l->index);
			continue;
		}
		if (l->off > limit && l->off - limit > TRUNC_SLACK)
			return load_bad(ctx, l->index,
					"file data [0x%llx, +0x%llx) lies past the end of the file (size 0x%llx)",
					(unsigned long long)l->off,
					(unsigned long long)l->filesz,
					(unsigned long long)size);
		if (!first)
			first = l;
		l->avail = l->off < size ? size - l->off : 0;
		limit = VD_MAX(limit, sat_add(l->off, l->filesz));
	}
	lay->truncated = first != NULL;
	return NULL;
}

static struct vd_error *
warn_truncated(const struct elf_ctx *ctx, const struct elf_layout *lay)
{
	uint64_t lost = 0;
	size_t nlost = 0;

	for (size_t i = 0; i < lay->nloads; i++) {
		const struct elf_load *l = &lay->loads[i];

		if (l->avail < l->filesz) {
			lost += l->filesz - l->avail;
			nlost++;
		}
	}
	return vd_dump_add_damage(ctx->dump,
				   "%s: truncated file: it ends at 0x%llx, 0x%llx bytes of %zu PT_LOAD segments are missing",
				   ctx->file->path,
				   (unsigned long long)ctx->file->size,
				   (unsigned long long)lost, nlost);
}

enum load_view { VIEW_UNKNOWN, VIEW_FILE, VIEW_ZERO };

/* What load l publishes at [a, a + n): file bytes (into buf), zero-fill. */
static enum load_view
load_bytes(const struct elf_ctx *ctx, const struct elf_load *l,
	   enum vd_dump_kind kind, uint64_t a, size_t n, unsigned char *buf)
{
	uint64_t rel = a - l->start;
	struct vd_error *err;

	if (rel <= l->avail && n <= l->avail - rel) {
		err = vd_file_read(ctx->file, l->off + rel, buf, n, "data");
		vd_error_destroy(err);
		return err ? VIEW_UNKNOWN : VIEW_FILE;
	}
	if (rel >= l->filesz && kind == VD_DUMP_KERNEL)
		return VIEW_ZERO;
	return VIEW_UNKNOWN;
}

static bool
all_zero(const unsigned char *p, size_t n)
{
	return !n || (!p[0] && !memcmp(p, p + 1, n - 1));
}

static struct vd_error *
overlap_error(const struct elf_ctx *ctx, enum vd_dump_kind kind,
	      const struct elf_load *a, const struct elf_load *b,
	      const char *detail)
{
	return vd_error_create(VD_ERR_CORRUPT,
			       "%s: program headers %u (PT_LOAD [0x%llx, 0x%llx)) and %u (PT_LOAD [0x%llx, 0x%llx)) overlap in %s memory%s",
			       ctx->file->path, a->index,
			       (unsigned long long)a->start,
			       (unsigned long long)a->end, b->index,
			       (unsigned long long)b->start,
			       (unsigned long long)b->end,
			       kind == VD_DUMP_KERNEL ? "physical" : "virtual",
			       detail);
}

/*
 * inner lies inside outer.  It is an alias when its bytes are outer's:
 * either the same file range (consistent offsets), or a second copy, as
 * /proc/vmcore's kernel-text PT_LOAD is.  Comparing a few samples keeps
 * open cheap; different file bytes mean the file contradicts itself.
 * Where outer reads as zero-fill (a makedumpfile -E tail) its word wins,
 * with a warning if inner had data there.
 */
static struct vd_error *
check_alias(const struct elf_ctx *ctx, enum vd_dump_kind kind,
	    const struct elf_load *outer, const struct elf_load *inner,
	    size_t *ncompared)
{
	uint64_t rel = inner->start - outer->start, avail = inner->avail;
	unsigned char a[ALIAS_SAMPLE], b[ALIAS_SAMPLE];
	size_t n = (size_t)VD_MIN(avail, (uint64_t)ALIAS_SAMPLE);
	uint64_t at[3] = { 0, (avail / 2) & ~(uint64_t)(ALIAS_SAMPLE - 1),
			   avail - n };
	bool hidden = false;

	if (!avail)
		return NULL;
	if (inner->off >= outer->off && inner->off - outer->off == rel &&
	    rel <= outer->avail && avail <= outer->avail - rel)
		return NULL;
	if (++*ncompared > ALIAS_COMPARE_MAX)
		return overlap_error(ctx, kind, outer, inner,
				     " (too many overlapping PT_LOADs to compare)");
	for (size_t i = 0; i < VD_ARRAY_SIZE(at); i++) {
		uint64_t addr = inner->start + at[i];
		size_t len = (size_t)VD_MIN((uint64_t)n, avail - at[i]), k = 0;
		enum load_view view;
		char detail[80];

		if (load_bytes(ctx, inner, kind, addr, len, a) != VIEW_FILE)
			continue;
		view = load_bytes(ctx, outer, kind, addr, len, b);
		hidden |= view == VIEW_ZERO && !all_zero(a, len);
		if (view != VIEW_FILE || !memcmp(a, b, len))
			continue;
		while (a[k] == b[k])
			k++;
		snprintf(detail, sizeof(detail),
			 " and hold different bytes at 0x%llx",
			 (unsigned long long)(addr + k));
		return overlap_error(ctx, kind, outer, inner, detail);
	}
	if (!hidden)
		return NULL;
	return vd_dump_add_warning(ctx->dump,
				   "%s: program header %u (PT_LOAD) has data inside the zero-filled part of program header %u (PT_LOAD); that data is ignored",
				   ctx->file->path, inner->index, outer->index);
}

/*
 * l starts inside cur and ends past it.  gdb's gcore writes one PT_LOAD
 * per section of the executable and libraries when it cannot read
 * /proc/PID/maps (a gdbstub target: qemu-user), and .tbss, which takes no
 * memory, overlaps the sections after it: the same memory read twice.  So
 * in a process core the shared bytes may be equal -- all of them are
 * compared -- and cur then ends where l starts.
 */
static struct vd_error *
share_tail(const struct elf_ctx *ctx, struct elf_load *cur,
	   struct elf_load *l, size_t *ncompared)
{
	unsigned char a[ALIAS_SAMPLE], b[ALIAS_SAMPLE];
	uint64_t len = cur->end - l->start;

	if (len > SHARED_TAIL_MAX || ++*ncompared > ALIAS_COMPARE_MAX)
		return overlap_error(ctx, VD_DUMP_USER, cur, l, "");
	for (uint64_t pos = 0; pos < len; pos += ALIAS_SAMPLE) {
		size_t n = (size_t)VD_MIN(len - pos, (uint64_t)ALIAS_SAMPLE);
		enum load_view va = load_bytes(ctx, l, VD_DUMP_USER,
					       l->start + pos, n, a);
		enum load_view vb = load_bytes(ctx, cur, VD_DUMP_USER,
					       l->start + pos, n, b);

		if (va != vb || (va == VIEW_FILE && memcmp(a, b, n)))
			return overlap_error(ctx, VD_DUMP_USER, cur, l,
					     " and hold different bytes");
	}
	cur->end = l->start;
	cur->filesz = VD_MIN(cur->filesz, cur->end - cur->start);
	cur->avail = VD_MIN(cur->avail, cur->end - cur->start);
	return NULL;
}

/* Drop aliases, refuse real conflicts.  Sorted by start, O(n log n). */
static struct vd_error *
resolve_overlaps(const struct elf_ctx *ctx, enum vd_dump_kind kind,
		 struct elf_layout *lay)
{
	struct elf_load *cur = NULL;

	qsort(lay->loads, lay->nloads, sizeof(*lay->loads), load_cmp_start);
	for (size_t i = 0; i < lay->nloads; i++) {
		struct elf_load *l = &lay->loads[i];
		struct vd_error *err;

		// cur has the highest end so far, so anything overlapping l
		// overlaps cur too and was already dealt with.
		if (!cur || l->start >= cur->end) {
			cur = l;
			continue;
		}
		if (l->end > cur->end && kind != VD_DUMP_USER)
			return overlap_error(ctx, kind, cur, l, "");
		if (l->end > cur->end) {
			err = share_tail(ctx, cur, l, &lay->ncompared);
			if (err)
				return err;
			if (cur->start == cur->end) {
				cur->drop = true;
				lay->ndropped++;
			}
			cur = l;
			continue;
		}
		err = check_alias(ctx, kind, cur, l, &lay->ncompared);
		if (err)
			return err;
		l->drop = true;
		lay->ndropped++;
	}
	return NULL;
}

static struct vd_error *
publish(const struct elf_ctx *ctx, enum vd_dump_kind kind,
	const struct elf_layout *lay, const char *trunc_why)
{
	for (size_t i = 0; i < lay->nloads; i++) {
		const struct elf_load *l = &lay->loads[i];
		uint64_t fend = l->start + l->filesz, aend = l->start + l->avail;
		struct vd_segment segs[3] = {
			{ .start = l->start, .end = aend, .kind = VD_SEG_FILE,
			  .file_off = l->off },
			{ .start = aend, .end = fend, .kind = VD_SEG_ABSENT,
			  .why = trunc_why },
			{ .start = fend, .end = l->end },
		};
		struct vd_error *err;

		if (l->drop)
			continue;
		// makedumpfile -E leaves dropped kernel pages out this way.
		if (kind == VD_DUMP_KERNEL) {
			segs[2].kind = VD_SEG_ZERO;
		} else {
			segs[2].kind = VD_SEG_ABSENT;
			segs[2].why = "not dumped in the core";
		}
		for (size_t j = 0; j < VD_ARRAY_SIZE(segs); j++) {
			err = vd_dump_add_segment(ctx->dump, ctx->src, &segs[j]);
			if (err)
				return err;
		}
	}
	return NULL;
}

static struct vd_error *
segments_attr(const struct elf_ctx *ctx, const struct elf_layout *lay)
{
	struct vd_error *err;

	if (lay->nloads == lay->ndropped) {
		err = vd_dump_add_warning(ctx->dump,
					  "%s: no PT_LOAD segments: the file holds no memory",
					  ctx->file->path);
		if (err)
			return err;
	}
	err = vd_dump_add_fact(ctx->dump, "pt_load", VD_ATTR_COUNT,
			       lay->nloads - lay->ndropped);
	if (!err && lay->ndropped)
		err = vd_dump_add_fact(ctx->dump, "pt_load_aliases_dropped", VD_ATTR_COUNT,
				       lay->ndropped);
	if (!err && lay->nskipped)
		err = vd_dump_add_fact(ctx->dump, "pt_load_without_paddr", VD_ATTR_COUNT,
				       lay->nskipped);
	return err;
}

static struct vd_error *
build_memory(const struct elf_ctx *ctx, enum vd_dump_kind kind,
	     const struct load_facts *f, struct elf_priv *priv)
{
	struct elf_layout lay = { 0 };
	struct vd_error *err;

	if (f->nloads > ELF_MAX_LOADS)
		return vd_file_corrupt(ctx->file, ctx->eh.phoff,
				       "%zu PT_LOAD segments: more than vmdive accepts (%u)",
				       f->nloads, ELF_MAX_LOADS);
	err = collect_loads(ctx, kind, f->nloads, &lay);
	if (!err)
		err = check_file_ranges(ctx, &lay);
	if (!err && lay.truncated) {
		err = warn_truncated(ctx, &lay);
		if (!err && asprintf(&priv->trunc_why,
				     "%s is truncated at 0x%llx",
				     ctx->file->path,
				     (unsigned long long)ctx->file->size) < 0) {
			priv->trunc_why = NULL;
			err = &vd_enomem;
		}
	}
	if (!err)
		err = resolve_overlaps(ctx, kind, &lay);
	if (!err)
		err = publish(ctx, kind, &lay, priv->trunc_why);
	if (!err)
		err = segments_attr(ctx, &lay);
	free(lay.loads);
	return err;
}

/* VMCOREINFO's PAGESIZE, else what the arch implies. */
static struct vd_error *
set_page_size(const struct elf_ctx *ctx, enum vd_dump_kind kind)
{
	struct vd_dump_info *info = vd_dump_info_mut(ctx->dump);
	struct vd_error *err;
	uint64_t v;

	if (vd_elf_vmcoreinfo_get(ctx->dump, "PAGESIZE", &v)) {
		if (vd_is_pow2(v) && v >= 1024 && v <= (1u << 20)) {
			info->page_size = (uint32_t)v;
			return NULL;
		}
		err = vd_dump_add_warning(ctx->dump,
					  "%s: VMCOREINFO PAGESIZE=%llu is not a page size; ignored",
					  ctx->file->path, (unsigned long long)v);
		if (err)
			return err;
	}
	// x86_64 has only 4 KiB base pages.
	if (ctx->eh.arch == VD_ARCH_X86_64) {
		info->page_size = 4096;
		return NULL;
	}
	info->page_size = 0;
	if (kind != VD_DUMP_KERNEL)
		return NULL;
	return vd_dump_add_warning(ctx->dump,
				   "%s: page size unknown: no VMCOREINFO PAGESIZE%s",
				   ctx->file->path,
				   ctx->eh.arch == VD_ARCH_AARCH64 ?
				   " (arm64 kernels use 4K, 16K or 64K pages)" : "");
}

static struct vd_error *
add_attrs(const struct elf_ctx *ctx, const struct load_facts *f,
	  enum vd_dump_kind kind)
{
	const struct elf_hdr *eh = &ctx->eh;
	struct vd_error *err;

	err = vd_dump_add_attr(ctx->dump, "producer", "%s",
			       guess_producer(ctx, f, kind));
	// What makedumpfile -E filtered: a QEMU dump (its notes, p_vaddr = p_paddr).
	if (!err && !strcmp(guess_producer(ctx, f, kind), "makedumpfile -E") &&
	    (ctx->notes.nqemu || f->all_v_eq_p))
		err = vd_dump_add_attr(ctx->dump, "producer_input", "QEMU dump-guest-memory");
	if (!err)
		err = vd_dump_add_attr(ctx->dump, "elf_class", "ELF%u", eh->is64 ? 64 : 32);
	if (!err)
		err = vd_dump_add_attr(ctx->dump, "elf_data", "%s",
				       eh->be ? "big-endian" : "little-endian");
	if (!err)
		err = vd_dump_add_fact(ctx->dump, "e_machine", VD_ATTR_COUNT, eh->machine);
	if (!err)
		// An e_machine vmdive cannot translate for: its memory is read.
		err = vd_dump_add_attr(ctx->dump, "e_machine_arch", "%s",
				       eh->arch ? vd_arch_name(eh->arch) : "unsupported");
	if (!err)
		err = vd_dump_add_fact(ctx->dump, "e_phnum", VD_ATTR_COUNT, eh->phnum);
	if (!err)
		err = vd_dump_add_fact(ctx->dump, "e_phoff", VD_ATTR_HEX, eh->phoff);
	if (!err && eh->pn_xnum)
		err = vd_dump_add_fact(ctx->dump, "pn_xnum", VD_ATTR_BOOL, 1);
	if (!err)
		err = vd_elf_notes_add_attr((struct elf_ctx *)ctx);
	if (!err && ctx->file->compression)
		err = vd_dump_add_attr(ctx->dump, "compression", "%s", ctx->file->compression);
	if (!err && ctx->file->compression)
		err = vd_dump_add_fact(ctx->dump, "compressed_size", VD_ATTR_COUNT,
				       ctx->file->compressed_size);
	if (!err && ctx->file->compression)
		err = vd_dump_add_fact(ctx->dump, "decompressed_size", VD_ATTR_COUNT,
				       ctx->file->size);
	if (err || kind != VD_DUMP_KERNEL || !(eh->flags & ELF_FLAG_INCOMPLETE))
		return err;
	// e_flags bit 0: makedumpfile ran out of space.
	err = vd_dump_add_fact(ctx->dump, "incomplete", VD_ATTR_BOOL, 1);
	if (!err)
		err = vd_dump_add_fact(ctx->dump, "e_flags", VD_ATTR_HEX, eh->flags);
	if (!err)
		err = vd_dump_add_warning(ctx->dump,
					  "%s: incomplete dump: makedumpfile could not write all of it (e_flags 0x%x)",
					  ctx->file->path, eh->flags);
	return err;
}

static struct vd_error *
elf_read(struct elf_ctx *ctx, struct elf_priv *priv)
{
	struct vd_dump_info *info = vd_dump_info_mut(ctx->dump);
	struct load_facts facts;
	enum vd_dump_kind kind;
	struct vd_error *err;

	err = read_ehdr(ctx);
	if (err)
		return err;
	if (!ctx->eh.is64)
		return vd_error_create(VD_ERR_NOTIMPL,
				       "%s: 32-bit ELF core (e_machine %u): only 64-bit architectures are supported",
				       ctx->file->path, ctx->eh.machine);
	info->format = "elf";
	info->arch = ctx->eh.arch;
	info->big_endian = ctx->eh.be;
	info->ptr_size = 8;
	err = vd_elf_notes_parse(ctx);
	if (err)
		return err;
	scan_loads(ctx, &facts);
	kind = decide_kind(ctx);
	info->kind = kind;
	err = add_attrs(ctx, &facts, kind);
	if (!err)
		err = build_memory(ctx, kind, &facts, priv);
	if (!err)
		err = set_page_size(ctx, kind);
	if (!err && kind == VD_DUMP_USER) {
		err = vd_elf_core_build(ctx, &priv->core);
		info->core = priv->core;
	}
	// An arm64 process's page size is the one the kernel told it.
	for (size_t i = 0; !err && !info->page_size && info->core &&
	     i < info->core->nauxv; i++) {
		uint64_t v = info->core->auxv[i].value;

		if (info->core->auxv[i].type == 6 /* AT_PAGESZ */ &&
		    vd_is_pow2(v) && v >= 1024 && v <= (1u << 20))
			info->page_size = (uint32_t)v;
	}
	return err;
}

static void
elf_close(void *priv)
{
	struct elf_priv *p = priv;

	if (!p)
		return;
	free(p->trunc_why);
	vd_elf_core_free(p->core);
	free(p);
}

static struct vd_error *
elf_open(struct vd_dump *dump, struct vd_source *src, struct vd_file *file,
	 void **priv_ret)
{
	struct elf_ctx ctx = { .dump = dump, .src = src, .file = file };
	struct elf_priv *priv;
	struct vd_error *err;

	if (!probe(file, &ctx.eh.be))
		return &vd_noprobe;
	priv = calloc(1, sizeof(*priv));
	if (!priv)
		return &vd_enomem;
	err = elf_read(&ctx, priv);
	free(ctx.phtab_copy);
	if (err) {
		elf_close(priv);
		return err;
	}
	*priv_ret = priv;
	return NULL;
}

const struct vd_format_ops vd_elf_format_ops = {
	.name = "elf",
	.open = elf_open,
	.close = elf_close,
};
