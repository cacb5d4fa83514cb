// SPDX-License-Identifier: MIT
/*
 * vmdive/disasm.h over Capstone, loaded (dlopen) when a disassembler is
 * first opened: its tables carry ~77,000 relative relocations, ~5 ms of
 * CPU the dynamic loader would pay at every start of every command
 * (more than `vmdive --version` costs without it), for the few that
 * disassemble.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <capstone/capstone.h>

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
	void *h = dlopen(VD_CAPSTONE_SONAME, RTLD_NOW | RTLD_LOCAL);
	const char *missing = NULL;

	if (!h) {
		const char *e = dlerror();

		snprintf(cs.why, sizeof(cs.why), "capstone: %s", e ? e : VD_CAPSTONE_SONAME);
		return;
	}
#define CS_SYM(field, name)						\
	do {								\
		*(void **)&cs.field = dlsym(h, name);			\
		if (!cs.field && !missing)				\
			missing = name;					\
	} while (0)
	CS_SYM(open, "cs_open");
	CS_SYM(option, "cs_option");
	CS_SYM(malloc, "cs_malloc");
	CS_SYM(free, "cs_free");
	CS_SYM(close, "cs_close");
	CS_SYM(disasm_iter, "cs_disasm_iter");
	CS_SYM(strerror, "cs_strerror");
#undef CS_SYM
	if (missing)
		snprintf(cs.why, sizeof(cs.why), "capstone: %s has no %s", VD_CAPSTONE_SONAME,
			 missing);
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
