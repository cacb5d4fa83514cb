// SPDX-License-Identifier: MIT
/* Whole-file readers, seeded with makedumpfile flattened files (the remap) (seeds.sh); see fuzz_dump.inc. */
#include "fuzz_dump.inc"
