#!/bin/bash
# vmdive against drgn on the real QEMU dumps of samples/make-dumps.sh (every variant there):
# (a) vtop PA of ~1270 kernel VAs per dump, and the same refusals (non-canonical, not present);
# (b) sha256 of the 64 bytes `vmdive rd` reads at each VA, and the same unreadable ones;
# (c) `vmdive info --json` with and without --vmlinux: bases, phys_base, KASLR offset, levels,
#     utsname, CPU notes;  (d) ptov of direct-map and kernel-image PAs gives their VAs back,
#     and every VA ptov names maps that PA.
# The drgn answers are cached next to each dump (tests/real/vdcheck.py explains the key).
#   bash tests/real/test_x86_64_translate.sh VMDIVE_BIN
set -u
(($# == 1)) || { echo "usage: $0 VMDIVE_BIN" >&2; exit 2; }
exec /usr/bin/python3 "$(dirname "$0")/vdcheck.py" translate "$1"
