// SPDX-License-Identifier: MIT
/* Whole-file readers, seeded with kdump-compressed files of every codec (headers, bitmaps, descriptors) (seeds.sh); see fuzz_dump.inc. */
#include "fuzz_dump.inc"
