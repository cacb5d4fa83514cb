// SPDX-License-Identifier: MIT
/*
 * Swap entries in not-present PTEs, built the way the kernel builds them
 * (include/linux/swapops.h and each arch's __swp_entry()): x86_64 puts the
 * type in bits 63..59 and the offset inverted from bit 9 (the L1TF layout,
 * with the soft-dirty, exclusive and uffd-wp bits below it); arm64 the type
 * at bit 3 and the offset at bit 8, or since 6.10 at bits 6 and 12.
 */
#include "harness.h"
#include "vmdive/memory.h"

/* x86_64 __swp_entry(type, offset), then __swp_entry_to_pte. */
static uint64_t
x86_entry(uint64_t type, uint64_t offset)
{
	return (~offset << 14 >> 5) | (type << 59);
}

static uint64_t
arm64_entry(unsigned layout, uint64_t type, uint64_t offset)
{
	return layout ? (type << 6) | (offset << 12) : (type << 3) | (offset << 8);
}

TEST(x86_64)
{
	static const uint64_t offs[] = { 0, 1, 0x1234, 0x7ffffffff, (1ull << 45) - 1 };
	uint32_t type;
	uint64_t off;

	for (uint64_t t = 0; t < 32; t += 7)
		for (unsigned i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
			// soft-dirty (bit 1), exclusive (bit 2), uffd-wp (bit 3) do not matter
			uint64_t pte = x86_entry(t, offs[i]) | 0xe;

			CHECK(vd_swap_decode(VD_ARCH_X86_64, 0, pte, &type, &off));
			CHECK_EQ_U64(type, t);
			CHECK_EQ_U64(off, offs[i]);
		}
	// A present PTE and an empty one are no swap entries.
	CHECK(!vd_swap_decode(VD_ARCH_X86_64, 0, 0x8000000012345067ull, &type, &off));
	CHECK(!vd_swap_decode(VD_ARCH_X86_64, 0, 0, &type, &off));
	CHECK(!vd_swap_decode(VD_ARCH_X86_64, 1, x86_entry(1, 1), &type, &off));
}

TEST(arm64_both_layouts)
{
	uint32_t type;
	uint64_t off;

	for (unsigned l = 0; l < 2; l++) {
		uint64_t pte = arm64_entry(l, 2, 0xabcde);

		CHECK(vd_swap_decode(VD_ARCH_AARCH64, l, pte, &type, &off));
		CHECK_EQ_U64(type, 2);
		CHECK_EQ_U64(off, 0xabcde);
	}
	// Read with the other layout, the same PTE gives other numbers: the
	// caller picks the layout whose swap area exists.
	CHECK(vd_swap_decode(VD_ARCH_AARCH64, 1, arm64_entry(0, 2, 0xabcde), &type, &off));
	CHECK(type != 2 || off != 0xabcde);
	CHECK(!vd_swap_decode(VD_ARCH_AARCH64, 0, arm64_entry(0, 2, 5) | 1, &type, &off));
}

int
main(void)
{
	return RUN_TESTS();
}
