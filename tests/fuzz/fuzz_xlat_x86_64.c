// SPDX-License-Identifier: MIT
/* x86_64 page-table walks over fake physical memory; see fuzz_xlat.inc. */
#define FUZZ_XLAT_ARCH VD_ARCH_X86_64
#include "fuzz_xlat.inc"
