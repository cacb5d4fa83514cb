#!/bin/bash
# vmdive against QEMU's own MMU on the x86_64 dumps of samples/make-dumps.sh (kaslr, nokaslr,
# la57, kaslr-6.12), on vmcore.elf and vmcore.kdump-zlib of each: for the ~7500 kernel VAs of
# the dump's qemu-xlat.json (HMP gva2gpa while the panicked guest was stopped), vtop gives
# QEMU's PA or refuses where QEMU does, rd gives the bytes the ELF holds at that PA, and info
# the root and bases QEMU read.  arm64 dumps: test_aarch64_translate.sh.
# Details: tests/real/qemu_check.py.
#   bash tests/real/test_qemu_xlat.sh VMDIVE_BIN
set -u
(($# == 1)) || { echo "usage: $0 VMDIVE_BIN" >&2; exit 2; }
exec /usr/bin/python3 "$(dirname "$0")/qemu_check.py" "$1"
