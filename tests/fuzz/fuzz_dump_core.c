// SPDX-License-Identifier: MIT
/* Whole-file readers, seeded with process cores (NT_PRSTATUS, NT_FILE, auxv, siginfo) (seeds.sh); see fuzz_dump.inc. */
#include "fuzz_dump.inc"
