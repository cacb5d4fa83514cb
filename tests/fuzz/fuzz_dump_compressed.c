// SPDX-License-Identifier: MIT
/* Whole-file readers, seeded with zstd, lz4 and xz streams of cores (seeds.sh); see fuzz_dump.inc. */
#include "fuzz_dump.inc"
