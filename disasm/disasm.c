// SPDX-License-Identifier: MIT
/*
 * vmdive/disasm.h over Capstone, loaded (dlopen) when a disassembler is
 * first opened: its tables carry ~77,000 relative relocations, ~5 ms of
 * CPU the dynamic loader would pay at every start of every command
 * (more than `vmdive --version` costs without it), for the few that
 * disassemble.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <capstone/capstone.h>

#include "common/dl.h"
#include "common/util.h"
#include "vmdive/disasm.h"

#ifndef VD_CAPSTONE_SONAME
#define VD_CAPSTONE_SONAME "libcapstone.so"
#endif

/* The Capstone functions used, from the library loaded once. */
static struct {
	cs_err (*open)(cs_arch, cs_mode, csh *);
	cs_err (*option)(csh, cs_opt_type, size_t);
	cs_insn *(*malloc)(csh);
	void (*free)(cs_insn *, size_t);
	cs_err (*close)(csh *);
	bool (*disasm_iter)(csh, const uint8_t **, size_t *, uint64_t *, cs_insn *);
	const char *(*strerror)(cs_err);
	char why[256];          /* set: it could not be loaded */
} cs;
static pthread_once_t cs_once = PTHREAD_ONCE_INIT;

static void
cs_load(void)
{
	static const char *const names[] = {
		"cs_open", "cs_option", "cs_malloc", "cs_free", "cs_close", "cs_disasm_iter",
		"cs_strerror",
	};
	void **const fns[] = {
		(void **)&cs.open, (void **)&cs.option, (void **)&cs.malloc, (void **)&cs.free,
		(void **)&cs.close, (void **)&cs.disasm_iter, (void **)&cs.strerror,
	};
	char why[sizeof(cs.why) - 16];

	_Static_assert(VD_ARRAY_SIZE(names) == VD_ARRAY_SIZE(fns), "one name a function");
	if (!vd_dl_load(VD_CAPSTONE_SONAME, names, fns, VD_ARRAY_SIZE(names), why, sizeof(why)))
		snprintf(cs.why, sizeof(cs.why), "capstone: %s", why);
}

struct vd_disasm {
	csh h;
	enum vd_arch arch;
	cs_insn *insn;
};

struct vd_error *
vd_disasm_open(enum vd_arch arch, struct vd_disasm **ret)
{
	struct vd_disasm *d;
	cs_err e;

	pthread_once(&cs_once, cs_load);
	if (cs.why[0])
		return vd_error_create(VD_ERR_NOTIMPL, "%s", cs.why);
	d = calloc(1, sizeof(*d));
	if (!d)
		return &vd_enomem;
	d->arch = arch;
	switch (arch) {
	case VD_ARCH_X86_64:
		e = cs.open(CS_ARCH_X86, CS_MODE_64, &d->h);
		if (e == CS_ERR_OK)
			e = cs.option(d->h, CS_OPT_SYNTAX, CS_OPT_SYNTAX_ATT);
		break;
	case VD_ARCH_AARCH64:
		e = cs.open(CS_ARCH_ARM64, CS_MODE_ARM, &d->h);
		break;
	default:
		free(d);
		return vd_error_create(VD_ERR_NOTIMPL, "no disassembler for %s",
				       vd_arch_name(arch));
	}
	if (e == CS_ERR_OK)
		e = cs.option(d->h, CS_OPT_DETAIL, CS_OPT_ON);
	if (e == CS_ERR_OK) {
		d->insn = cs.malloc(d->h);
		if (!d->insn)
			e = CS_ERR_MEM;
	}
	if (e != CS_ERR_OK) {
		struct vd_error *err = vd_error_create(VD_ERR_NOTIMPL, "capstone: %s",
						       cs.strerror(e));

		if (d->h)
			cs.close(&d->h);
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
	cs.free(d->insn, 1);
	cs.close(&d->h);
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

// Capstone 4 (Debian 12's) predates the Armv8.1 atomics (FEAT_LSE) and the Armv8.3 pointer
// authentication hints that arm64 kernels are full of (atomic_add is `stadd`, every
// non-leaf function starts with `paciasp`); both are decoded here, written as objdump
// writes them.  An instruction word is little-endian.

static const char *
a64_reg(unsigned r, bool x, bool sp)
{
	static const char xn[32][4] = {
		"x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12",
		"x13", "x14", "x15", "x16", "x17", "x18", "x19", "x20", "x21", "x22", "x23",
		"x24", "x25", "x26", "x27", "x28", "x29", "x30", "xzr"};
	static const char wn[32][4] = {
		"w0", "w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "w9", "w10", "w11", "w12",
		"w13", "w14", "w15", "w16", "w17", "w18", "w19", "w20", "w21", "w22", "w23",
		"w24", "w25", "w26", "w27", "w28", "w29", "w30", "wzr"};

	r &= 31;
	if (r == 31 && sp)
		return "sp";
	return x ? xn[r] : wn[r];
}

// The atomic memory operations (LDADD .. UMIN, SWP, LDAPR) and compare-and-swap (CAS,
// CASP) of FEAT_LSE / FEAT_LRCPC; false if W is none of them.
static bool
a64_lse(uint32_t w, struct vd_insn *ret)
{
	static const char *const op[8] = {"add", "clr", "eor", "set", "smax", "smin", "umax",
					  "umin"};
	static const char *const sfx[4] = {"b", "h", "", ""};
	unsigned size = w >> 30, rs = (w >> 16) & 31, rn = (w >> 5) & 31, rt = w & 31;
	bool x = size == 3;
	char acq_rel[3] = "";

	if ((w & 0x3f200c00) == 0x38200000) {
		// size 111 V=0 00 A R 1 Rs o3 opc 00 Rn Rt
		bool a = w >> 23 & 1, r = w >> 22 & 1, o3 = w >> 15 & 1;
		unsigned opc = (w >> 12) & 7;

		snprintf(acq_rel, sizeof(acq_rel), "%s%s", a ? "a" : "", r ? "l" : "");
		if (o3 && opc == 4 && a && !r && rs == 31) {
			snprintf(ret->mnemonic, sizeof(ret->mnemonic), "ldapr%s", sfx[size]);
			snprintf(ret->operands, sizeof(ret->operands), "%s, [%s]",
				 a64_reg(rt, x, false), a64_reg(rn, true, true));
			return true;
		}
		if (o3 && opc != 0)
			return false;
		if (!o3 && !a && rt == 31) {   // ST<op>: the load's alias that discards the value
			snprintf(ret->mnemonic, sizeof(ret->mnemonic), "st%s%s%s", op[opc],
				 acq_rel, sfx[size]);
			snprintf(ret->operands, sizeof(ret->operands), "%s, [%s]",
				 a64_reg(rs, x, false), a64_reg(rn, true, true));
			return true;
		}
		// The ordering letters go between the operation and the size: ldaddalb, swpal.
		snprintf(ret->mnemonic, sizeof(ret->mnemonic), "%s%s%s%s", o3 ? "swp" : "ld",
			 o3 ? "" : op[opc], acq_rel, sfx[size]);
		snprintf(ret->operands, sizeof(ret->operands), "%s, %s, [%s]",
			 a64_reg(rs, x, false), a64_reg(rt, x, false), a64_reg(rn, true, true));
		return true;
	}
	if ((w & 0x3fa07c00) == 0x08a07c00) {
		// CAS: size 001000 1 L 1 Rs o0 11111 Rn Rt (L acquire, o0 release)
		snprintf(ret->mnemonic, sizeof(ret->mnemonic), "cas%s%s%s", w >> 22 & 1 ? "a" : "",
			 w >> 15 & 1 ? "l" : "", sfx[size]);
		snprintf(ret->operands, sizeof(ret->operands), "%s, %s, [%s]",
			 a64_reg(rs, x, false), a64_reg(rt, x, false), a64_reg(rn, true, true));
		return true;
	}
	if ((w & 0xbfa07c00) == 0x08207c00 && !(rs & 1) && !(rt & 1)) {
		// CASP: 0 sz 001000 0 L 1 Rs o0 11111 Rn Rt, register pairs
		x = w >> 30 & 1;
		snprintf(ret->mnemonic, sizeof(ret->mnemonic), "casp%s%s", w >> 22 & 1 ? "a" : "",
			 w >> 15 & 1 ? "l" : "");
		snprintf(ret->operands, sizeof(ret->operands), "%s, %s, %s, %s, [%s]",
			 a64_reg(rs, x, false), a64_reg(rs + 1, x, false), a64_reg(rt, x, false),
			 a64_reg(rt + 1, x, false), a64_reg(rn, true, true));
		return true;
	}
	return false;
}

// HINT #imm: the pointer-authentication and branch-target hints by their names.
static void
a64_hint(struct vd_insn *ret, uint32_t w)
{
	static const struct {
		unsigned imm;
		const char *name;
	} names[] = {
		{0x07, "xpaclri"}, {0x08, "pacia1716"}, {0x0a, "pacib1716"}, {0x0c, "autia1716"},
		{0x0e, "autib1716"}, {0x18, "paciaz"}, {0x19, "paciasp"}, {0x1a, "pacibz"},
		{0x1b, "pacibsp"}, {0x1c, "autiaz"}, {0x1d, "autiasp"}, {0x1e, "autibz"},
		{0x1f, "autibsp"}, {0x10, "esb"}, {0x14, "csdb"}, {0x20, "bti"}, {0x22, "bti\tc"}, {0x24, "bti\tj"},
		{0x26, "bti\tjc"},
	};
	unsigned imm = (w >> 5) & 0x7f;

	if ((w & 0xfffff01f) != 0xd503201f)
		return;
	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
		if (names[k].imm == imm) {
			const char *tab = strchr(names[k].name, '\t');
			size_t n = tab ? (size_t)(tab - names[k].name) : strlen(names[k].name);

			snprintf(ret->mnemonic, sizeof(ret->mnemonic), "%.*s", (int)n, names[k].name);
			snprintf(ret->operands, sizeof(ret->operands), "%s", tab ? tab + 1 : "");
			return;
		}
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
	if (d->arch == VD_ARCH_AARCH64 && len >= 4 &&
	    a64_lse((uint32_t)buf[0] | (uint32_t)buf[1] << 8 | (uint32_t)buf[2] << 16 |
		    (uint32_t)buf[3] << 24, ret)) {
		ret->size = 4;
		memcpy(ret->bytes, buf, 4);
		return;
	}
	if (!cs.disasm_iter(d->h, &code, &left, &a, i)) {
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
	if (d->arch == VD_ARCH_AARCH64 && i->size == 4 && !strcmp(i->mnemonic, "hint"))
		a64_hint(ret, (uint32_t)buf[0] | (uint32_t)buf[1] << 8 | (uint32_t)buf[2] << 16 |
				      (uint32_t)buf[3] << 24);
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
