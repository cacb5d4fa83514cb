#!/bin/bash
# sys and triage on every real dump present (the sysrq samples and the crash-kinds dumps):
# sys against crash's `sys`, triage's kind, message, task and guilty frame against the
# kernel's own console.log, signatures of the same bug equal and of different bugs not, a
# --jobs 2 batch equal to single runs, a truncated dump partial (tests/real/triage_check.py).
#   bash tests/real/test_triage.sh VMDIVE_BIN
set -u
(($# == 1)) || { echo "usage: $0 VMDIVE_BIN" >&2; exit 2; }
exec /usr/bin/python3 "$(dirname "$0")/triage_check.py" "$1"
