// SPDX-License-Identifier: MIT
/* Whole-file readers, seeded with ELF vmcores (notes, PT_LOADs, VMCOREINFO) (seeds.sh); see fuzz_dump.inc. */
#include "fuzz_dump.inc"
