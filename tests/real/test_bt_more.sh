#!/bin/bash
# bt on Debian 7.2's arm64 dumps (arm64-sid, arm64-16k-sid): every task's frames against sid's
# drgn 0.3.0 and the panic task against the kernel's Call trace (tests/real/bt_more_check.py).
#   bash tests/real/test_bt_more.sh VMDIVE_BIN
set -u
(($# == 1)) || { echo "usage: $0 VMDIVE_BIN" >&2; exit 2; }
exec /usr/bin/python3 "$(dirname "$0")/bt_more_check.py" "$1"
