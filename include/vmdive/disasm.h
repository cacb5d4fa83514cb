/* SPDX-License-Identifier: MIT */
/*
 * Disassembly of the dumped kernel's code (x86_64 in AT&T syntax as objdump
 * prints it, AArch64), with Capstone.  The caller reads the bytes; this
 * layer decodes them and says where a call or branch goes.
 */
#ifndef VMDIVE_DISASM_H
#define VMDIVE_DISASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmdive/error.h"
#include "vmdive/types.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vd_disasm;

struct vd_insn {
	uint64_t addr;
	unsigned size;            /* bytes; 0: could not be decoded */
	unsigned char bytes[16];
	char mnemonic[32];
	char operands[160];
	bool is_call, is_jump, is_ret;
	bool has_target;          /* a call or branch to a known address */
	uint64_t target;
};

struct vd_error *vd_disasm_open(enum vd_arch arch, struct vd_disasm **ret);
void vd_disasm_close(struct vd_disasm *d);
/*
 * Decode one instruction from buf[0..len) at addr.  An undecodable byte
 * sequence gives size 0 (the caller shows one byte and goes on: x86) or
 * the architecture's instruction size (AArch64: 4, ".inst").
 */
void vd_disasm_one(struct vd_disasm *d, const unsigned char *buf, size_t len,
		   uint64_t addr, struct vd_insn *ret);

#ifdef __cplusplus
}
#endif
#endif
