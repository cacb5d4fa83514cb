// SPDX-License-Identifier: MIT
/* vmdive/disasm.h over Capstone. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <capstone/capstone.h>

#include "vmdive/disasm.h"

struct vd_disasm {
	csh h;
	enum vd_arch arch;
	cs_insn *insn;
};

struct vd_error *
vd_disasm_open(enum vd_arch arch, struct vd_disasm **ret)
{
	struct vd_disasm *d = calloc(1, sizeof(*d));
	cs_err e;

	if (!d)
		return &vd_enomem;
	d->arch = arch;
	switch (arch) {
	case VD_ARCH_X86_64:
		e = cs_open(CS_ARCH_X86, CS_MODE_64, &d->h);
		if (e == CS_ERR_OK)
			e = cs_option(d->h, CS_OPT_SYNTAX, CS_OPT_SYNTAX_ATT);
		break;
	case VD_ARCH_AARCH64:
		e = cs_open(CS_ARCH_ARM64, CS_MODE_ARM, &d->h);
		break;
	default:
		free(d);
		return vd_error_create(VD_ERR_NOTIMPL, "no disassembler for %s",
				       vd_arch_name(arch));
	}
	if (e == CS_ERR_OK)
		e = cs_option(d->h, CS_OPT_DETAIL, CS_OPT_ON);
	if (e == CS_ERR_OK) {
		d->insn = cs_malloc(d->h);
		if (!d->insn)
			e = CS_ERR_MEM;
	}
	if (e != CS_ERR_OK) {
		struct vd_error *err = vd_error_create(VD_ERR_NOTIMPL, "capstone: %s",
						       cs_strerror(e));

		if (d->h)
			cs_close(&d->h);
		free(d);
		return err;
	}
	*ret = d;
	return NULL;
}

void
vd_disasm_close(struct vd_disasm *d)
{
	if (!d)
		return;
	cs_free(d->insn, 1);
	cs_close(&d->h);
	free(d);
}

static bool
in_group(const cs_insn *i, unsigned g)
{
	for (unsigned k = 0; i->detail && k < i->detail->groups_count; k++)
		if (i->detail->groups[k] == g)
			return true;
	return false;
}

void
vd_disasm_one(struct vd_disasm *d, const unsigned char *buf, size_t len, uint64_t addr,
	      struct vd_insn *ret)
{
	const uint8_t *code = buf;
	size_t left = len;
	uint64_t a = addr;
	cs_insn *i = d->insn;

	memset(ret, 0, sizeof(*ret));
	ret->addr = addr;
	if (!cs_disasm_iter(d->h, &code, &left, &a, i)) {
		// Undecodable: objdump's "(bad)" for a byte (x86), ".inst" (arm64).
		unsigned n = d->arch == VD_ARCH_AARCH64 ? 4 : 1;

		if (n > len)
			n = (unsigned)len;
		ret->size = n;
		memcpy(ret->bytes, buf, n);
		snprintf(ret->mnemonic, sizeof(ret->mnemonic), "%s",
			 d->arch == VD_ARCH_AARCH64 ? ".inst" : "(bad)");
		if (d->arch == VD_ARCH_AARCH64 && n == 4)
			snprintf(ret->operands, sizeof(ret->operands), "0x%08x",
				 (unsigned)buf[0] | (unsigned)buf[1] << 8 |
				 (unsigned)buf[2] << 16 | (unsigned)buf[3] << 24);
		return;
	}
	ret->size = i->size;
	memcpy(ret->bytes, i->bytes, i->size < sizeof(ret->bytes) ? i->size : sizeof(ret->bytes));
	snprintf(ret->mnemonic, sizeof(ret->mnemonic), "%s", i->mnemonic);
	snprintf(ret->operands, sizeof(ret->operands), "%s", i->op_str);
	ret->is_call = in_group(i, CS_GRP_CALL);
	ret->is_jump = in_group(i, CS_GRP_JUMP);
	ret->is_ret = in_group(i, CS_GRP_RET);
	if (!ret->is_call && !ret->is_jump)
		return;
	// A direct target: the immediate operand of a call or branch.
	if (d->arch == VD_ARCH_X86_64) {
		const cs_x86 *x = &i->detail->x86;

		for (unsigned k = 0; k < x->op_count; k++)
			if (x->operands[k].type == X86_OP_IMM) {
				ret->has_target = true;
				ret->target = (uint64_t)x->operands[k].imm;
			}
	} else {
		const cs_arm64 *x = &i->detail->arm64;

		for (unsigned k = 0; k < x->op_count; k++)
			if (x->operands[k].type == ARM64_OP_IMM) {
				ret->has_target = true;
				ret->target = (uint64_t)x->operands[k].imm;
			}
	}
}
