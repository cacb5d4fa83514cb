/* SPDX-License-Identifier: MIT */
/*
 * Why a file given as an ELF object (--vmlinux, a module's debug file, a
 * process core's mapped file) is not one: which check of its
 * identification failed, in words a user can act on.  libelf only says
 * "no error" or "invalid file descriptor" for most of these.
 */
#ifndef VD_COMMON_ELF_WHY_H
#define VD_COMMON_ELF_WHY_H

#include <stddef.h>

/*
 * Read the first bytes of fd (pread; the offset is left alone) and check
 * the ELF identification in order: size, magic, class, data encoding,
 * version, header size.  Returns NULL when they are all right, else a
 * description in buf ("the first 4 bytes are \"root\" (72 6f 6f 74), not
 * the ELF magic 7f 45 4c 46").
 */
const char *vd_elf_why_not(int fd, char *buf, size_t size);

#endif
