#!/bin/bash
# Swapped-out pages read back from zram on the zram sample (samples/make-dumps.sh --variant
# zram): every page of vd-zram's region byte-exact, swapped ones counted against the kernel's
# VmSwap, PTEs against drgn, swap type and offset against crash (tests/real/zram_check.py).
#   bash tests/real/test_zram.sh VMDIVE_BIN
set -u
(($# == 1)) || { echo "usage: $0 VMDIVE_BIN" >&2; exit 2; }
exec /usr/bin/python3 "$(dirname "$0")/zram_check.py" "$1"
