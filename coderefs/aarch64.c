// SPDX-License-Identifier: MIT
/*
 * Addresses an arm64 function forms.  The kernel is built for the small
 * code model: a variable's address is ADRP (its 4 KiB page, PC-relative,
 * +-4 GiB) then ADD or a load/store with the low 12 bits; a weak or
 * external symbol (__start_BTF) is loaded from a literal slot the same way
 * (ADRP + LDR), and GCC's section anchors make one ADRP+ADD base serve
 * several variables with different load offsets.
 *
 * Encodings: Arm ARM (DDI 0487) C4.1 (A64 instruction set encoding),
 * C6.2 ADRP, ADD (immediate), LDR/STR (immediate, unsigned offset),
 * LDP/STP (signed offset), ORR (shifted register) as MOV, BL, BLR.
 */
#include "coderefs/coderefs.h"

#define NREG 32
#define XZR_SP 31           /* never tracked: SP or the zero register */
#define CALLER_SAVED 19     /* x0..x18 do not survive a call (AAPCS64) */

struct regs {
	uint64_t v[NREG];
	bool known[NREG];
};

static void
set(struct regs *r, unsigned n, bool known, uint64_t v)
{
	if (n == XZR_SP)
		return;
	r->known[n] = known;
	r->v[n] = v;
}

static uint64_t
sext(uint64_t v, unsigned bits)
{
	uint64_t m = 1ull << (bits - 1);

	return (v ^ m) - m;
}

static bool
emit(struct vd_coderef *out, size_t max, size_t *n, uint64_t addr, bool load64)
{
	if (*n >= max)
		return false;
	out[(*n)++] = (struct vd_coderef){ addr, load64 };
	return true;
}

size_t
vd_coderefs_aarch64(const unsigned char *code, size_t len, uint64_t pc,
		    struct vd_coderef *out, size_t max)
{
	struct regs r = { 0 };
	size_t n = 0;

	for (size_t i = 0; i + 4 <= len; i += 4) {
		uint32_t insn = (uint32_t)code[i] | (uint32_t)code[i + 1] << 8 |
				(uint32_t)code[i + 2] << 16 | (uint32_t)code[i + 3] << 24;
		uint64_t at = pc + i;
		unsigned rd = insn & 31, rn = (insn >> 5) & 31;

		if ((insn & 0x9f000000u) == 0x90000000u) {
			// ADRP Xd, label: immhi [23:5], immlo [30:29], pages.
			uint64_t imm = ((uint64_t)((insn >> 5) & 0x7ffff) << 2) | ((insn >> 29) & 3);

			set(&r, rd, true, (at & ~0xfffull) + (sext(imm, 21) << 12));
		} else if ((insn & 0xff800000u) == 0x91000000u) {
			// ADD Xd, Xn, #imm12{, LSL #12} (64-bit, flags untouched).
			uint64_t imm = (insn >> 10) & 0xfff;

			if (insn & (1u << 22))
				imm <<= 12;
			if (rn != XZR_SP && r.known[rn]) {
				uint64_t v = r.v[rn] + imm;

				set(&r, rd, true, v);
				if (!emit(out, max, &n, v, false))
					break;
			} else {
				set(&r, rd, false, 0);
			}
		} else if ((insn & 0x3b000000u) == 0x39000000u) {
			// LDR/STR (immediate, unsigned offset): size [31:30],
			// V [26], opc [23:22], imm12 [21:10] scaled by the size
			// (by 16 for the 128-bit SIMD form, V=1 opc=1x).
			unsigned size = insn >> 30, v = (insn >> 26) & 1, opc = (insn >> 22) & 3;
			unsigned scale = v && (opc & 2) ? 4 : size;
			bool load = opc != 0;

			if (rn != XZR_SP && r.known[rn] &&
			    !emit(out, max, &n, r.v[rn] + (((insn >> 10) & 0xfff) << scale),
				  load && !v && size == 3 && opc == 1))
				break;
			if (load && !v)
				set(&r, rd, false, 0);
		} else if ((insn & 0x3b200000u) == 0x38000000u) {
			// LDR/STR (immediate, unscaled, post- or pre-index):
			// size [31:30], V [26], opc [23:22], imm9 [20:12], mode
			// [11:10]: 00 LDUR/STUR, 01 post-index (the access at the
			// base, then base += imm9), 11 pre-index (base += imm9,
			// then the access: `ldr x19, [x20, #80]!`), 10 the
			// unprivileged forms.
			unsigned size = insn >> 30, v = (insn >> 26) & 1, opc = (insn >> 22) & 3;
			unsigned mode = (insn >> 10) & 3;
			uint64_t off = sext((insn >> 12) & 0x1ff, 9);
			bool load = opc != 0;

			if (rn != XZR_SP && r.known[rn]) {
				uint64_t a = r.v[rn] + (mode == 1 ? 0 : off);

				if (mode & 1)
					r.v[rn] += off;
				if (!emit(out, max, &n, a, load && !v && size == 3 && opc == 1))
					break;
			}
			if (load && !v)
				set(&r, rd, false, 0);
		} else if ((insn & 0x3a000000u) == 0x28000000u) {
			// LDP/STP: opc [31:30], V [26], mode [24:23] (01 post-
			// index, 10 signed offset, 11 pre-index, 00 no-allocate
			// offset), L [22], imm7 [21:15] scaled by the register size.
			unsigned opc = insn >> 30, v = (insn >> 26) & 1, mode = (insn >> 23) & 3;
			unsigned scale = v ? 2 + opc : opc & 2 ? 3 : 2;
			uint64_t off = sext((insn >> 15) & 0x7f, 7) << scale;

			if (rn != XZR_SP && r.known[rn]) {
				uint64_t a = r.v[rn] + (mode == 1 ? 0 : off);

				if (mode == 1 || mode == 3)
					r.v[rn] += off;
				if (!emit(out, max, &n, a, false))
					break;
			}
			if ((insn & (1u << 22)) && !v) {
				set(&r, rd, false, 0);
				set(&r, (insn >> 10) & 31, false, 0);
			}
		} else if ((insn & 0xffe0ffe0u) == 0xaa0003e0u) {
			// MOV Xd, Xm (ORR Xd, XZR, Xm).
			unsigned rm = (insn >> 16) & 31;

			set(&r, rd, rm != XZR_SP && r.known[rm], r.v[rm]);
		} else if ((insn & 0xfc000000u) == 0x94000000u ||
			   (insn & 0xfffffc1fu) == 0xd63f0000u) {
			// BL, BLR: the callee may change x0..x18 and x30.
			for (unsigned k = 0; k < CALLER_SAVED; k++)
				set(&r, k, false, 0);
			set(&r, 30, false, 0);
		}
	}
	return n;
}
