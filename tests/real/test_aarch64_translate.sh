#!/bin/bash
# vmdive against drgn and against QEMU's own MMU on the arm64 QEMU dumps of
# samples/make-dumps.sh (--arch arm64): arm64-kaslr, arm64-nokaslr (4K pages, 48-bit VAs) and
# arm64-16k-6.12 (16K pages, 52-bit VAs, LPA2), on vmcore.elf and vmcore.kdump-zlib of each:
# (a) vtop PA of >= 1000 translated kernel VAs per region (linear map, kernel text and data,
#     modules, vmalloc, vmemmap) and the same refusals (unmapped, non-canonical), as drgn
#     says and as QEMU's gva2gpa said at dump time (qemu-xlat.json; also freed init and
#     page-by-page fixmap/PCI I/O sweeps);
# (b) the 64 bytes `vmdive rd -n 64` reads at each VA: drgn's sha256, and the bytes the ELF
#     holds at QEMU's PA; (c) `vmdive info --json` params (va_bits, levels, page_size, root,
#     kimage_voffset, phys_offset, kaslr_offset, lpa2, ...);
# (d) ptov of linear-map and kernel-image PAs, and back.
# Details: tests/real/vdcheck_arm64.py.
#   bash tests/real/test_aarch64_translate.sh VMDIVE_BIN
set -u
(($# == 1)) || { echo "usage: $0 VMDIVE_BIN" >&2; exit 2; }
exec /usr/bin/python3 "$(dirname "$0")/vdcheck_arm64.py" "$1"
