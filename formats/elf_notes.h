/* SPDX-License-Identifier: MIT */
/*
 * Inside the ELF core reader (elf.c): the parsed file shared with
 * the note parser (elf_notes.c).  Nothing here is public.
 *
 * Every field is decoded from the file by hand, in the file's byte order,
 * after a bounds check: the ELF structs of <elf.h> are not overlaid on the
 * mapping because the files are hostile and some producers (QEMU 7.2) write
 * slightly malformed headers.  Only <elf.h>'s constants are used.
 */
#ifndef VD_FORMATS_ELF_NOTES_H
#define VD_FORMATS_ELF_NOTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "format.h"

/* The ELF header fields the reader needs, class and byte order undone. */
struct elf_hdr {
	bool is64;
	bool be;
	uint16_t type;
	uint16_t machine;
	uint32_t flags;
	uint64_t phoff;
	uint64_t shoff;
	uint16_t ehsize;
	uint16_t phentsize;
	uint16_t shentsize;
	uint16_t shnum;
	uint32_t phnum;         /* after resolving PN_XNUM */
	bool pn_xnum;
	enum vd_arch arch;
};

/* One program header, widened to 64 bits. */
struct elf_phdr {
	uint32_t type;
	uint32_t flags;
	uint64_t offset;
	uint64_t vaddr;
	uint64_t paddr;
	uint64_t filesz;
	uint64_t memsz;
	uint64_t align;
};

/* Distinct (name, type) pairs the `notes` attr lists; more are lumped. */
#define ELF_NOTE_KINDS 16

struct elf_note_kind {
	char name[24];
	uint32_t type;
	size_t count;
};

/* What the notes said, filled by vd_elf_notes_parse(). */
struct elf_note_summary {
	size_t nnotes;
	size_t nprstatus;
	size_t nqemu;
	size_t nvmcoreinfo;
	bool prpsinfo, nt_file, auxv;
	struct elf_note_kind kinds[ELF_NOTE_KINDS];
	size_t nkinds;
	size_t nother;          /* notes whose kind did not fit in kinds[] */
};

struct elf_ctx {
	struct vd_dump *dump;
	struct vd_source *src;
	const struct vd_file *file;
	struct elf_hdr eh;
	const unsigned char *phtab;     /* phnum entries */
	void *phtab_copy;               /* phtab when copied (flattened) */
	size_t cpu_base;                /* first CPU this file added */
	struct elf_note_summary notes;
};

/* One note, bounds-checked: name and desc lie inside its PT_NOTE. */
struct elf_note {
	size_t index;           /* among all notes of the file */
	uint32_t phidx;         /* the PT_NOTE it came from */
	uint64_t off;           /* file offset of its header */
	uint32_t namesz, descsz, type;
	const char *name;       /* namesz bytes, maybe without a NUL */
	const unsigned char *desc;
};

/*
 * [off, off + len) of the file, which the caller checked is in range: a
 * pointer into the mapping or, in a flattened file where the range spans
 * records, a copy returned in *owned too (the caller frees it).
 */
struct vd_error *vd_elf_file_bytes(const struct vd_file *file, uint64_t off,
				   uint64_t len, const char *what,
				   const unsigned char **ret, void **owned);

/* Decode program header i (i < eh.phnum; the table was bounds-checked). */
void vd_elf_phdr_get(const struct elf_ctx *ctx, uint32_t i,
		     struct elf_phdr *ret);

/*
 * Walk every PT_NOTE segment: publish VMCOREINFO and one CPU per
 * NT_PRSTATUS, attach the QEMU CPU-state notes' control registers to the
 * CPUs, and fill ctx->notes.
 */
struct vd_error *vd_elf_notes_parse(struct elf_ctx *ctx);

/* The note's name is want (with or without the NUL namesz counts). */
bool vd_elf_note_named(const struct elf_note *note, const char *want);

/* Call fn for every note of every PT_NOTE, in file order; stops at an error. */
typedef struct vd_error *elf_note_fn(struct elf_ctx *ctx,
				     const struct elf_note *note, void *arg);
struct vd_error *vd_elf_notes_foreach(struct elf_ctx *ctx, elf_note_fn *fn,
				      void *arg);

/* Publish the `notes` attr: how many notes of each name and type. */
struct vd_error *vd_elf_notes_add_attr(struct elf_ctx *ctx);

/* KEY's value in the published VMCOREINFO text, decoded by the one parser
 * (common/vmcoreinfo.h: the last of repeated keys wins). */
bool vd_elf_vmcoreinfo_get(const struct vd_dump *dump, const char *key,
			   uint64_t *ret);

#endif
