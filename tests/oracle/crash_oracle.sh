#!/bin/bash
# crash oracle: run crash 8.0.2 (Debian 12) once, in batch mode, over a command file.
#
#   tests/oracle/crash_oracle.sh DUMP VMLINUX CMDFILE OUT
#
# CMDFILE holds one crash command per line; a trailing `quit` is added if missing.  Parse OUT
# with tests/oracle/crash_parse.py.  DUMP may be a makedumpfile --split set written as
# "part1,part2,part3" (crash takes them all at once).  Traps (crash 8.0.2 on Debian's 6.1 kernels):
# - Write `vtop -k ADDR`, not `vtop ADDR`: without -k a user-half address is looked up in the
#   panic task's mm and dies on "invalid structure member offset: mm_struct_mmap" (6.1's maple
#   tree), and a non-canonical one is "ambiguous address (requires -u or -k)".
# - crash writes results to a buffered stdout and errors to unbuffered stderr, so in a file the
#   two interleave mid-line; stdbuf -o0 keeps them in order.
# - It does not echo commands in -i mode: blocks are told apart by their own headers.
# - `ps` lists only idle and panic tasks on 6.1 ("not found in PID hash"); `sys` TASKS is
#   wrong for the same reason.  In -i mode a second `| shell` pipe fails.
# - Startup costs ~5 s (it reads the 590 MB vmlinux); run it once per dump, not per command.
# - 6.12 kernels: crash 8.0.2 does not find the KASLR offset and refuses to start ("invalid
#   structure member offset: module_core_size": mod->mem[] is crash 8.0.3), and with
#   --no_modules it aborts at random ("malloc(): unsorted double linked list corrupted").
#   CRASH_OPTS="--minimal --kaslr 0xKERNELOFFSET" starts it reliably; `log` and `sym` work.
# CRASH_OPTS holds extra crash options (split at blanks); VD_CRASH_TIMEOUT the seconds crash may
# take (default 600: on the 2-core build machine under load crash 8.0.2 took 2.5 min for
# 5.10's `sys` and `mod`); CRASH the crash to run (default: crash on PATH; the sid kernels'
# dumps take sid's, samples/make-dumps.sh's sid-oracles/amd64/bin/crash).
set -euo pipefail
(($# == 4)) || { echo "usage: $0 DUMP VMLINUX CMDFILE OUT" >&2; exit 2; }
IFS=, read -r -a dumps <<<"$1"
vmlinux=$2 cmdfile=$3 out=$4
for f in "${dumps[@]}" "$vmlinux" "$cmdfile"; do
    [[ -r $f ]] || { echo "$0: cannot read $f" >&2; exit 2; }
done

cmds=$(mktemp)
trap 'rm -f "$cmds"' EXIT
cat "$cmdfile" >"$cmds"
grep -qxE '[[:space:]]*(q|quit|exit)[[:space:]]*' "$cmds" || echo quit >>"$cmds"

read -r -a opts <<<"${CRASH_OPTS:-}"

rc=0
# stdin from /dev/null: crash must never wait for a terminal.
timeout "${VD_CRASH_TIMEOUT:-600}" stdbuf -o0 -e0 "${CRASH:-crash}" -s "${opts[@]}" -i "$cmds" \
    "$vmlinux" "${dumps[@]}" </dev/null \
    >"$out" 2>&1 || rc=$?
if ((rc == 124)); then echo "$0: crash timed out after ${VD_CRASH_TIMEOUT:-600} s" >&2; fi
if ((rc != 0)); then echo "$0: crash exited with $rc; see $out" >&2; fi
exit "$rc"
