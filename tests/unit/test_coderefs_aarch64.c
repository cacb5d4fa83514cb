// SPDX-License-Identifier: MIT
/*
 * The addresses an arm64 function forms (coderefs/), from instruction
 * words whose targets are known: words and targets objdump printed for
 * Debian's 6.1.0-57-arm64 vmlinux (btf_parse_vmlinux, print_modules), and
 * words encoded here from the Arm ARM's field layouts (C6.2: ADRP,
 * ADD (immediate), LDR/STR (unsigned offset), LDP (signed offset), ORR as
 * MOV, BL), with the target worked out in the comment.
 */
#include <stdio.h>
#include <string.h>

#include "coderefs/coderefs.h"
#include "harness.h"

struct code {
	unsigned char b[256];
	size_t len;
};

static void
put(struct code *c, uint32_t insn)
{
	for (int i = 0; i < 4; i++)
		c->b[c->len++] = (unsigned char)(insn >> (8 * i));
}

/* ADRP Xd, target: the page distance from pc's page, in immhi:immlo. */
static uint32_t
adrp(unsigned rd, uint64_t pc, uint64_t target)
{
	uint64_t pages = ((target & ~0xfffull) - (pc & ~0xfffull)) >> 12;
	uint32_t imm = (uint32_t)(pages & 0x1fffff);

	return 0x90000000u | (imm & 3) << 29 | (imm >> 2) << 5 | rd;
}

static uint32_t
add_imm(unsigned rd, unsigned rn, unsigned imm12, bool lsl12)
{
	return 0x91000000u | (lsl12 ? 1u << 22 : 0) | imm12 << 10 | rn << 5 | rd;
}

/* LDR/STR (unsigned offset): size 3 = X, 2 = W; opc 1 load, 0 store. */
static uint32_t
ldst(unsigned size, unsigned opc, unsigned rt, unsigned rn, unsigned byte_off)
{
	return size << 30 | 0x39000000u | opc << 22 | (byte_off >> size) << 10 | rn << 5 | rt;
}

static bool
has(const struct vd_coderef *r, size_t n, uint64_t addr, bool load64)
{
	for (size_t i = 0; i < n; i++)
		if (r[i].addr == addr && r[i].load64 == load64)
			return true;
	return false;
}

TEST(objdump_words)
{
	struct vd_coderef r[16];
	struct code c = { .len = 0 };
	size_t n;

	// btf_parse_vmlinux+0x1c: adrp x19, ffff80000911d000; add x19, x19, #0x4b0
	put(&c, 0xd0007553);
	put(&c, 0x9112c273);
	n = vd_coderefs_aarch64(c.b, c.len, 0xffff8000082739bcull, r, 16);
	CHECK_EQ_U64(n, 1);
	CHECK(has(r, n, 0xffff80000911d4b0ull, false));

	// btf_parse_vmlinux+0x5c: adrp x2, ffff800008cfd000; ldr x2, [x2, #2440]
	// (__start_BTF, a weak symbol, loaded from a literal slot)
	c.len = 0;
	put(&c, 0xd0005442);
	put(&c, 0xf944c442);
	n = vd_coderefs_aarch64(c.b, c.len, 0xffff8000082739fcull, r, 16);
	CHECK_EQ_U64(n, 1);
	CHECK(has(r, n, 0xffff800008cfd988ull, true));

	// print_modules+0x4c: adrp x20, ffff800009d5c000; add x20, x20, #0x9c0
	// (a section anchor); ldr x19, [x20, #80]! (pre-index: `modules`,
	// ffff800009d5ca10 in System.map, x20 moved there); ldr w0, [x20]
	c.len = 0;
	put(&c, 0x900084b4);
	put(&c, 0x91270294);
	put(&c, 0xf8450e93);
	put(&c, 0xb9400280);
	n = vd_coderefs_aarch64(c.b, c.len, 0xffff800008cc8e1cull, r, 16);
	CHECK_EQ_U64(n, 3);
	CHECK(has(r, n, 0xffff800009d5c9c0ull, false));
	CHECK(has(r, n, 0xffff800009d5ca10ull, true));
	CHECK_EQ_U64(r[2].addr, 0xffff800009d5ca10ull);
}

TEST(constructed)
{
	const uint64_t pc = 0xffff800008100ff8ull;
	struct vd_coderef r[16];
	struct code c = { .len = 0 };
	size_t n;

	// x1 = page ffff800009000000 (+0xeff pages); x1 + 0x123 + (0x5 << 12)
	put(&c, adrp(1, pc, 0xffff800009000000ull));
	put(&c, add_imm(3, 1, 0x5, true));          // x3 = ffff800009005000
	put(&c, ldst(2, 1, 0, 3, 0x50));            // ldr w0, [x3, #0x50]
	// Post-index: the access at x1's page, then x1 += 0x18; ldur x2, [x1, #-8]
	put(&c, 0xf8418420);                        // ldr x0, [x1], #24
	put(&c, 0xf85f8022);                        // ldur x2, [x1, #-8]
	// a page below pc's (negative immediate): ffff8000080ff000 + 0x10
	put(&c, adrp(4, pc + 4 * 5, 0xffff8000080ff000ull));
	put(&c, ldst(3, 0, 0, 4, 0x10));            // str x0, [x4, #0x10]: a store
	put(&c, 0xaa0403e5);                        // mov x5, x4
	put(&c, 0xa97f0ca0);                        // ldp x0, x3, [x5, #-16]
	put(&c, ldst(3, 1, 6, 3, 8));               // x3 was loaded by the ldp: nothing
	put(&c, 0x94000000);                        // bl .: x4, x5 forgotten
	put(&c, ldst(3, 1, 0, 4, 8));               // nothing
	put(&c, ldst(3, 1, 0, 31, 8));              // ldr x0, [sp, #8]: nothing
	n = vd_coderefs_aarch64(c.b, c.len, pc, r, 16);
	CHECK(has(r, n, 0xffff800009000000ull, true));
	CHECK(has(r, n, 0xffff800009000010ull, true));
	CHECK(has(r, n, 0xffff800009005000ull, false));
	CHECK(has(r, n, 0xffff800009005050ull, false));
	CHECK(has(r, n, 0xffff8000080ff010ull, false));
	CHECK(has(r, n, 0xffff8000080feff0ull, false));
	CHECK_EQ_U64(n, 6);

	// A full output stops the pass; an odd tail is ignored.
	n = vd_coderefs_aarch64(c.b, c.len, pc, r, 2);
	CHECK_EQ_U64(n, 2);
	n = vd_coderefs_aarch64(c.b, 11, pc, r, 16);
	CHECK_EQ_U64(n, 1);
	CHECK(has(r, n, 0xffff800009005000ull, false));
	CHECK_EQ_U64(vd_coderefs_aarch64(c.b, 3, pc, r, 16), 0);
}

int
main(void)
{
	return RUN_TESTS();
}
