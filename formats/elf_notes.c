// SPDX-License-Identifier: MIT
/*
 * ELF core notes: VMCOREINFO, NT_PRSTATUS, QEMU's CPU state, and the
 * user-core notes that tell a process core from a vmcore.
 *
 * A note is {u32 namesz, u32 descsz, u32 type, name, desc} in the file's
 * byte order; name and desc are padded to the note alignment.  Linux core
 * files and vmcores use 4-byte alignment even for ELFCLASS64 (the kernel's
 * fs/proc/vmcore.c update_note_header_size_elf64() pads to 4 and stops at
 * the first note with n_namesz == 0, which we copy); only a PT_NOTE with
 * p_align 8 uses 8-byte alignment (the gABI rule, as elfutils reads it).
 */
#include <elf.h>
#include <stdio.h>
#include <string.h>

#include "common/util.h"
#include "common/vmcoreinfo.h"
#include "elf_notes.h"
#include "vmdive/core.h"

#define NOTE_HDR_SIZE 12

/*
 * struct elf_prstatus as the kernel writes it (include/linux/elfcore.h;
 * the same offsets for x86_64 and arm64): struct elf_siginfo (3 ints) at
 * 0, short pr_cursig at 12, pr_sigpend/pr_sighold, pid_t pr_pid at 32,
 * four struct timevals, then pr_reg at 112 -- x86_64 user_regs_struct (27
 * u64, 336 bytes in all), arm64 user_pt_regs (34 u64, 392 bytes).
 */
#define PRSTATUS_CURSIG 12
#define PRSTATUS_PID 32
#define PRSTATUS_REG 112

/*
 * QEMU's x86 QEMUCPUState (target/i386/arch_dump.c, QEMUCPUSTATE_VERSION
 * 1): u32 version, u32 size, 16 u64 GPRs (rax..r15), rip, rflags, then ten
 * 24-byte QEMUCPUSegment (cs ds es fs gs ss ldt tr gdt idt) from offset
 * 152, cr[5] at 392.  kernel_gs_base follows at 432; QEMU adds optional
 * fields at the end without changing the version, so readers go by `size`.
 */
#define QEMU_CPU_VERSION 1
#define QEMU_CPU_CR 392
#define QEMU_CPU_MIN_SIZE (QEMU_CPU_CR + 5 * 8)

struct notes_walk {
	size_t index;
	uint64_t bytes;         /* PT_NOTE bytes walked so far */
	size_t qemu_seen;       /* QEMU notes met so far (second pass) */
	bool second_pass;
	elf_note_fn *fn;        /* vd_elf_notes_foreach(): every note to fn */
	void *arg;
};

bool
vd_elf_note_named(const struct elf_note *note, const char *want)
{
	size_t n = strlen(want);

	// namesz normally counts the NUL; accept a name written without it.
	if (note->namesz == n + 1)
		return !memcmp(note->name, want, n) && note->name[n] == '\0';
	return note->namesz == n && !memcmp(note->name, want, n);
}

static uint32_t
prstatus_nregs(enum vd_arch arch)
{
	switch (arch) {
	case VD_ARCH_X86_64: return 27;
	case VD_ARCH_AARCH64: return 34;
	default: return 0;
	}
}

static struct vd_error *
note_prstatus(struct elf_ctx *ctx, const struct elf_note *note)
{
	struct vd_cpu_state cpu = { 0 };
	uint32_t nregs = prstatus_nregs(ctx->eh.arch);
	bool be = ctx->eh.be;
	struct vd_error *err;

	// Publish a CPU even for a short note: the N-th QEMU note belongs to
	// the N-th NT_PRSTATUS.
	if (note->descsz >= PRSTATUS_PID + 4) {
		cpu.signal = (int16_t)vd_get16(note->desc + PRSTATUS_CURSIG, be);
		cpu.pid = (int32_t)vd_get32(note->desc + PRSTATUS_PID, be);
	}
	if (nregs && note->descsz >= PRSTATUS_REG + 8 * nregs) {
		cpu.have_regs = true;
		cpu.nregs = nregs;
		for (uint32_t i = 0; i < nregs; i++)
			cpu.regs[i] = vd_get64(note->desc + PRSTATUS_REG + 8 * i,
					       be);
	} else if (nregs) {
		err = vd_dump_add_warning(ctx->dump,
					  "%s: NT_PRSTATUS note %zu at offset 0x%llx has %u bytes, too few for %u registers at %u; its registers are ignored",
					  ctx->file->path, note->index,
					  (unsigned long long)note->off,
					  note->descsz, nregs, PRSTATUS_REG);
		if (err)
			return err;
	}
	return vd_dump_add_cpu(ctx->dump, &cpu);
}

static struct vd_error *
note_vmcoreinfo(struct elf_ctx *ctx, const struct elf_note *note)
{
	if (ctx->notes.nvmcoreinfo++)
		return vd_dump_add_warning(ctx->dump,
					   "%s: more than one VMCOREINFO note; using the first",
					   ctx->file->path);
	return vd_dump_set_vmcoreinfo(ctx->dump, (const char *)note->desc,
				      note->descsz);
}

static struct vd_error *
note_qemu_warn(struct elf_ctx *ctx, const struct elf_note *note,
	       const char *why)
{
	return vd_dump_add_warning(ctx->dump,
				   "%s: QEMU CPU-state note %zu at offset 0x%llx ignored: %s",
				   ctx->file->path, note->index,
				   (unsigned long long)note->off, why);
}

/* Second pass: the k-th QEMU note gives the k-th CPU its control regs. */
static struct vd_error *
note_qemu(struct elf_ctx *ctx, const struct elf_note *note, size_t k)
{
	struct vd_dump_info *info = vd_dump_info_mut(ctx->dump);
	const unsigned char *cr = note->desc + QEMU_CPU_CR;
	struct vd_cpu_state *cpu;
	bool be = ctx->eh.be;

	// The layout is x86's; other QEMU targets write no "QEMU" note.
	if (ctx->eh.arch != VD_ARCH_X86_64)
		return NULL;
	if (note->descsz < QEMU_CPU_MIN_SIZE ||
	    vd_get32(note->desc + 4, be) < QEMU_CPU_MIN_SIZE)
		return note_qemu_warn(ctx, note, "too short for cr0-cr4");
	if (vd_get32(note->desc, be) != QEMU_CPU_VERSION)
		return note_qemu_warn(ctx, note, "unknown QEMUCPUState version");
	if (ctx->cpu_base + k >= info->ncpus)
		return note_qemu_warn(ctx, note, "no NT_PRSTATUS note for it");
	cpu = &info->cpus[ctx->cpu_base + k];
	cpu->have_cr = true;
	cpu->cr0 = vd_get64(cr, be);
	cpu->cr2 = vd_get64(cr + 16, be);
	cpu->cr3 = vd_get64(cr + 24, be);
	cpu->cr4 = vd_get64(cr + 32, be);
	return NULL;
}

static void
count_kind(struct elf_note_summary *sum, const struct elf_note *note)
{
	struct elf_note_kind *kind;
	size_t n = strnlen(note->name, note->namesz);

	for (size_t i = 0; i < sum->nkinds; i++) {
		kind = &sum->kinds[i];
		if (kind->type == note->type && strlen(kind->name) == n &&
		    !memcmp(kind->name, note->name, n)) {
			kind->count++;
			return;
		}
	}
	if (sum->nkinds == ELF_NOTE_KINDS) {
		sum->nother++;
		return;
	}
	kind = &sum->kinds[sum->nkinds++];
	// Names are shown by `info`: keep printable ASCII only.
	n = VD_MIN(n, sizeof(kind->name) - 1);
	for (size_t i = 0; i < n; i++) {
		char c = note->name[i];

		kind->name[i] = c >= 0x20 && c < 0x7f ? c : '?';
	}
	kind->name[n] = '\0';
	kind->type = note->type;
	kind->count = 1;
}

static struct vd_error *
note_first_pass(struct elf_ctx *ctx, const struct elf_note *note)
{
	struct elf_note_summary *sum = &ctx->notes;

	sum->nnotes++;
	count_kind(sum, note);
	if (vd_elf_note_named(note, "VMCOREINFO") && note->type == 0)
		return note_vmcoreinfo(ctx, note);
	if (vd_elf_note_named(note, "QEMU") && note->type == 0) {
		sum->nqemu++;
		return NULL;
	}
	if (!vd_elf_note_named(note, "CORE"))
		return NULL;
	switch (note->type) {
	case NT_PRSTATUS:
		sum->nprstatus++;
		return note_prstatus(ctx, note);
	case NT_PRPSINFO:
		sum->prpsinfo = true;
		break;
	case NT_AUXV:
		sum->auxv = true;
		break;
	case NT_FILE:
		sum->nt_file = true;
		break;
	}
	return NULL;
}

static struct vd_error *
note_dispatch(struct elf_ctx *ctx, struct notes_walk *walk,
	      const struct elf_note *note)
{
	if (walk->fn)
		return walk->fn(ctx, note, walk->arg);
	if (!walk->second_pass)
		return note_first_pass(ctx, note);
	if (vd_elf_note_named(note, "QEMU") && note->type == 0)
		return note_qemu(ctx, note, walk->qemu_seen++);
	return NULL;
}

static struct vd_error *
note_bad(struct elf_ctx *ctx, const struct elf_note *note, const char *what,
	 uint64_t need, uint64_t left)
{
	return vd_file_corrupt(ctx->file, note->off,
			       "note %zu of PT_NOTE segment %u: %s (0x%llx bytes) runs past the end of the segment (0x%llx bytes left)",
			       note->index, note->phidx, what,
			       (unsigned long long)need,
			       (unsigned long long)left);
}

static struct vd_error *
walk_notes(struct elf_ctx *ctx, struct notes_walk *walk, uint32_t phidx,
	   const struct elf_phdr *ph, const unsigned char *seg)
{
	uint64_t align = ph->align == 8 ? 8 : 4, pos = 0;

	while (pos < ph->filesz) {
		struct elf_note note = { .index = walk->index, .phidx = phidx,
					 .off = ph->offset + pos };
		uint64_t left = ph->filesz - pos, desc_off, next;
		struct vd_error *err;

		if (left < NOTE_HDR_SIZE)
			return note_bad(ctx, &note, "note header",
					NOTE_HDR_SIZE, left);
		note.namesz = vd_get32(seg + pos, ctx->eh.be);
		note.descsz = vd_get32(seg + pos + 4, ctx->eh.be);
		note.type = vd_get32(seg + pos + 8, ctx->eh.be);
		if (note.namesz == 0)
			break;
		// Both sizes are u32, so none of this overflows a u64.
		desc_off = (NOTE_HDR_SIZE + (uint64_t)note.namesz + align - 1) &
			   ~(align - 1);
		if (NOTE_HDR_SIZE + (uint64_t)note.namesz > left)
			return note_bad(ctx, &note, "name", note.namesz,
					left - NOTE_HDR_SIZE);
		if (desc_off > left || note.descsz > left - desc_off)
			return note_bad(ctx, &note, "descriptor", note.descsz,
					left - VD_MIN(left, desc_off));
		note.name = (const char *)seg + pos + NOTE_HDR_SIZE;
		note.desc = seg + pos + desc_off;
		err = note_dispatch(ctx, walk, &note);
		if (err)
			return err;
		// The last note's padding may be missing: the loop just ends.
		next = (desc_off + note.descsz + align - 1) & ~(align - 1);
		pos += next;
		walk->index++;
	}
	return NULL;
}

static struct vd_error *
walk_segment(struct elf_ctx *ctx, struct notes_walk *walk, uint32_t phidx,
	     const struct elf_phdr *ph)
{
	const unsigned char *seg;
	struct vd_error *err;
	void *copy;

	if (!vd_range_ok(ph->offset, ph->filesz, ctx->file->size))
		return vd_file_corrupt(ctx->file, ph->offset,
				       "PT_NOTE segment %u (0x%llx bytes) lies past the end of the file (size 0x%llx)",
				       phidx, (unsigned long long)ph->filesz,
				       (unsigned long long)ctx->file->size);
	// Many PT_NOTEs over the same bytes would make the walk quadratic;
	// real files never repeat note bytes.
	walk->bytes += ph->filesz;
	if (walk->bytes > ctx->file->size)
		return vd_file_corrupt(ctx->file, ph->offset,
				       "PT_NOTE segment %u: the PT_NOTE segments add up to more than the file's 0x%llx bytes",
				       phidx,
				       (unsigned long long)ctx->file->size);
	err = vd_elf_file_bytes(ctx->file, ph->offset, ph->filesz, "PT_NOTE",
				&seg, &copy);
	if (err)
		return err;
	err = walk_notes(ctx, walk, phidx, ph, seg);
	free(copy);
	return err;
}

static struct vd_error *
walk_all(struct elf_ctx *ctx, struct notes_walk *walk)
{
	for (uint32_t i = 0; i < ctx->eh.phnum; i++) {
		struct elf_phdr ph;
		struct vd_error *err;

		vd_elf_phdr_get(ctx, i, &ph);
		if (ph.type != PT_NOTE || !ph.filesz)
			continue;
		err = walk_segment(ctx, walk, i, &ph);
		if (err)
			return err;
	}
	return NULL;
}

struct vd_error *
vd_elf_notes_parse(struct elf_ctx *ctx)
{
	struct notes_walk walk = { 0 };
	struct vd_error *err;

	ctx->cpu_base = vd_dump_info(ctx->dump)->ncpus;
	err = walk_all(ctx, &walk);
	if (err || !ctx->notes.nqemu)
		return err;
	// QEMU writes every NT_PRSTATUS before the QEMU notes, but nothing
	// requires it: attach control registers once all CPUs exist.
	walk = (struct notes_walk){ .second_pass = true };
	err = walk_all(ctx, &walk);
	if (err || ctx->notes.nqemu <= ctx->notes.nprstatus)
		return err;
	return vd_dump_add_warning(ctx->dump,
				   "%s: %zu QEMU CPU-state notes but %zu NT_PRSTATUS notes",
				   ctx->file->path, ctx->notes.nqemu,
				   ctx->notes.nprstatus);
}

struct vd_error *
vd_elf_notes_foreach(struct elf_ctx *ctx, elf_note_fn *fn, void *arg)
{
	struct notes_walk walk = { .fn = fn, .arg = arg };

	return walk_all(ctx, &walk);
}

bool
vd_elf_vmcoreinfo_get(const struct vd_dump *dump, const char *key, uint64_t *ret)
{
	const struct vd_dump_info *info = vd_dump_info(dump);

	return vd_vmcoreinfo_text_number(info->vmcoreinfo, info->vmcoreinfo_len,
					 key, ret);
}

static const char *
core_type_name(uint32_t type)
{
	switch (type) {
	case NT_PRSTATUS: return "NT_PRSTATUS";
	case NT_PRFPREG: return "NT_PRFPREG";
	case NT_PRPSINFO: return "NT_PRPSINFO";
	case NT_TASKSTRUCT: return "NT_TASKSTRUCT";
	case NT_AUXV: return "NT_AUXV";
	case NT_SIGINFO: return "NT_SIGINFO";
	case NT_FILE: return "NT_FILE";
	default: return NULL;
	}
}

/*
 * The notes as facts: "notes" (how many), then one count per kind,
 * "note_core_nt_prstatus", "note_qemu_0x0", "note_vmcoreinfo_0x0", and
 * "note_others" for those past the kinds counted.
 */
struct vd_error *
vd_elf_notes_add_attr(struct elf_ctx *ctx)
{
	const struct elf_note_summary *sum = &ctx->notes;
	struct vd_error *err;

	err = vd_dump_add_fact(ctx->dump, "notes", VD_ATTR_COUNT, sum->nnotes);
	for (size_t i = 0; i < sum->nkinds && !err; i++) {
		const struct elf_note_kind *k = &sum->kinds[i];
		const char *tname = strcmp(k->name, "CORE") ?
				    vd_core_note_name(k->name, k->type) :
				    core_type_name(k->type);
		char key[96], type[16];
		size_t n = 0;

		if (!tname) {
			snprintf(type, sizeof(type), "0x%x", k->type);
			tname = type;
		}
		snprintf(key, sizeof(key), "note_%s_%s", k->name, tname);
		// snake_case: letters lowered, anything else an underscore
		for (char *p = key; *p; p++) {
			char c = *p >= 'A' && *p <= 'Z' ? (char)(*p - 'A' + 'a') : *p;

			if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
				c = '_';
			if (c != '_' || (n && key[n - 1] != '_'))
				key[n++] = c;
		}
		key[n] = '\0';
		err = vd_dump_add_fact(ctx->dump, key, VD_ATTR_COUNT, k->count);
	}
	if (!err && sum->nother)
		err = vd_dump_add_fact(ctx->dump, "note_others", VD_ATTR_COUNT, sum->nother);
	return err;
}
