#!/bin/bash
# vmdive against drgn on the arm64 QEMU dumps of samples/make-dumps.sh (--arch arm64):
# for arm64-kaslr and arm64-nokaslr, on vmcore.elf and vmcore.kdump-zlib of the same boot,
# (a) vtop PA of >= 1000 translated kernel VAs per region (linear map, kernel text and data,
#     modules, vmalloc, vmemmap) and the same refusals (unmapped, non-canonical);
# (b) sha256 of the 64 bytes `vmdive rd` reads at each VA; (c) `vmdive info --json` params
#     (va_bits, levels, page_size, kimage_voffset, phys_offset, kaslr_offset, ...);
# (d) ptov of linear-map and kernel-image PAs, and back.
# Details: tests/real/vdcheck_arm64.py.
#   bash tests/real/test_aarch64_translate.sh VMDIVE_BIN
set -u
(($# == 1)) || { echo "usage: $0 VMDIVE_BIN" >&2; exit 2; }
exec /usr/bin/python3 "$(dirname "$0")/vdcheck_arm64.py" "$1"
