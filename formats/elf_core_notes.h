/* SPDX-License-Identifier: MIT */
/*
 * Inside the ELF reader: the notes of a process core decoded into a struct
 * vd_core_info (vmdive/core.h) by elf_core_notes.c.  Nothing here is
 * public.
 */
#ifndef VD_FORMATS_ELF_CORE_NOTES_H
#define VD_FORMATS_ELF_CORE_NOTES_H

#include "elf_notes.h"
#include "vmdive/core.h"

/*
 * Decode a process core: its threads (NT_PRSTATUS and the register-set
 * notes after each), NT_PRPSINFO, NT_SIGINFO, NT_AUXV, NT_FILE, its
 * PT_LOADs and the input file's user.coredump.* extended attributes.
 * Runs after vd_elf_notes_parse() (the CPUs exist) and after the memory was
 * published (the PT_LOADs were checked).  A note that is malformed inside
 * is left out with a warning; the core still opens.
 */
struct vd_error *vd_elf_core_build(struct elf_ctx *ctx, struct vd_core_info **ret);
void vd_elf_core_free(struct vd_core_info *core);

#endif
