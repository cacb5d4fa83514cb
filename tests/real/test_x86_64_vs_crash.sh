#!/bin/bash
# vmdive against crash 8.0.2 on the real QEMU dumps (vmcore.elf of every variant): one batch
# crash run per dump (`sys`, `vtop -k` and `rd -8 ... 64` for ~100 drgn samples from every
# region), compared with vmdive's vtop (PA, page size, every page-table entry crash prints,
# the leaf entry and its flags), rd bytes, and info (RELEASE, VERSION, MACHINE, CPUS).
# crash's output is cached next to each dump (tests/real/vdcheck.py explains the key).
#   bash tests/real/test_x86_64_vs_crash.sh VMDIVE_BIN
set -u
(($# == 1)) || { echo "usage: $0 VMDIVE_BIN" >&2; exit 2; }
exec /usr/bin/python3 "$(dirname "$0")/vdcheck.py" vs-crash "$1"
