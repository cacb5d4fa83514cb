// SPDX-License-Identifier: MIT
/* aarch64 page-table walks over fake physical memory; see fuzz_xlat.inc. */
#define FUZZ_XLAT_ARCH VD_ARCH_AARCH64
#include "fuzz_xlat.inc"
