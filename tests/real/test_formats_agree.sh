#!/bin/bash
# Every other file of the same boot holds the same memory as vmcore.elf: QEMU's kdump-zlib,
# makedumpfile's kdump-{zlib,lzo,none}-d{0,31}, flattened (-F -d 31), the --split set and
# the -E -d 31 ELF must give drgn's vtop PA for every sample, drgn's bytes for 300 samples
# (VD_FORMAT_SAMPLES=all: every one), and drgn's info.  Pages a -d 31 kdump file filtered
# out must be reported as excluded (exit 1, "excluded"); in the -E -d 31 ELF they read as
# zeros.  Which samples are excluded must match crash reading kdump-zlib-d31 ("page
# excluded", from its own parse of the kdump bitmap; cached next to the dump), and every
# -d 31 kdump file (zlib, lzo, none, flattened) must exclude the same samples.
#   bash tests/real/test_formats_agree.sh VMDIVE_BIN
set -u
(($# == 1)) || { echo "usage: $0 VMDIVE_BIN" >&2; exit 2; }
exec /usr/bin/python3 "$(dirname "$0")/vdcheck.py" formats "$1"
