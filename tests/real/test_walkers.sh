#!/bin/bash
# The walkers on the real dumps: `mod`, `dump-module`, `vmalloc`, `dump-vmalloc` and `ps` (x86_64
# and arm64, 6.1 and 6.12; vmcore.elf and vmcore.kdump-zlib; with and without --vmlinux) against
# drgn on the same boot's vmcore.elf and, on x86_64 6.1, crash 8.0.2's `mod`, `kmem -v` and `ps`;
# plus copies of real dumps (6.1, 6.12) with a module, a task and a vmap_area link broken
# (tests/real/walkers_check.py).
#   bash tests/real/test_walkers.sh VMDIVE_BIN
set -u
(($# == 1)) || { echo "usage: $0 VMDIVE_BIN" >&2; exit 2; }
exec /usr/bin/python3 "$(dirname "$0")/walkers_check.py" "$1"
