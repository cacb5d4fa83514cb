#!/bin/bash
# kmem on the real dumps: -i (/proc/meminfo from the kernel's counters), -s and -S (SLUB caches
# and objects) and kmem ADDR (slab objects, pages, task stacks) against drgn 0.0.22 on every
# sample (x86_64 and arm64, 6.1 and 6.12; vmcore.elf and vmcore.kdump-zlib; with and without
# --vmlinux) and, on x86_64 6.1, crash 8.0.2's kmem -i, -s and -S (tests/real/kmem_check.py).
#   bash tests/real/test_kmem.sh VMDIVE_BIN
set -u
(($# == 1)) || { echo "usage: $0 VMDIVE_BIN" >&2; exit 2; }
exec /usr/bin/python3 "$(dirname "$0")/kmem_check.py" "$1"
