#!/bin/bash
# bt on the real x86_64 dumps (6.1 and 6.12; vmcore.elf and vmcore.kdump-zlib; with and
# without --vmlinux): every task's frames against drgn's own unwind, the panic task against the
# kernel's Call Trace in the console log, and crash 8.0.2's bt -a / foreach bt on 6.1
# (tests/real/bt_check.py); and the crash kinds of samples/crashmod (a module's NULL
# dereference, BUG, WARN, a timer's panic, a hung task, a soft lockup, OOM) on x86_64 and arm64.
#   bash tests/real/test_bt.sh VMDIVE_BIN
set -u
(($# == 1)) || { echo "usage: $0 VMDIVE_BIN" >&2; exit 2; }
exec /usr/bin/python3 "$(dirname "$0")/bt_check.py" "$1"
