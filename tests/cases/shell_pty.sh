#!/bin/bash
# The interactive session through a pseudo-terminal (tests/cases/shell_pty.py)
# on a synthetic dump (tests/cases/elf/kexec.desc), and the non-interactive
# forms: -c 'CMD; CMD', -i FILE, commands on stdin, the exit status.
#   bash shell_pty.sh VMDIVE TESTS_BUILD_DIR
set -u
VMDIVE=${1:?usage: shell_pty.sh VMDIVE TESTS_BUILD_DIR}
BUILD=${2:?usage: shell_pty.sh VMDIVE TESTS_BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
MKELF=$BUILD/mkelf
[[ -x $MKELF ]] || { echo "shell_pty: no $MKELF"; exit 99; }
command -v python3 >/dev/null || { echo "shell_pty: needs python3"; exit 77; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
nfail=0
fail() { echo "FAIL: $*"; nfail=$((nfail + 1)); }
"$MKELF" "$here/elf/kexec.desc" "$T/k.elf" || { echo "shell_pty: mkelf failed"; exit 99; }
export VMDIVE_HISTORY=

/usr/bin/python3 "$here/shell_pty.py" "$VMDIVE" "$T/k.elf" || nfail=$((nfail + 1))

# -c: several commands, pipes and files; the exit status is the last failure's.
out=$("$VMDIVE" shell -c "vmcoreinfo OSRELEASE; p 6 * 7; vmcoreinfo | grep -c PAGESIZE; p 1 > $T/f; p 2 >> $T/f" "$T/k.elf" 2>&1)
[[ $out == $'6.1.0-kexec\n6 * 7 = 42\n1' ]] || fail "-c: got '$out'"
[[ $(cat "$T/f") == $'1 = 1\n2 = 2' ]] || fail "-c redirection: $(cat "$T/f")"
"$VMDIVE" shell -c 'p 1; p nosuch; p 2' "$T/k.elf" >/dev/null 2>&1
(($? == 1)) || fail "-c with a failing command: exit status not 1"
"$VMDIVE" shell -c 'p 1; rd -t 0' "$T/k.elf" >/dev/null 2>"$T/err"
(($? == 2)) && grep -q "does not apply" "$T/err" || fail "-c with a bad option: $(cat "$T/err")"
# -i FILE and stdin.
printf 'p 1 + 1\n# a comment\np 0x10 - 1; quit\np 99\n' >"$T/cmds"
out=$("$VMDIVE" shell -i "$T/cmds" "$T/k.elf" 2>&1)
[[ $out == $'1 + 1 = 2\n0x10 - 1 = 15' ]] || fail "-i: got '$out'"
out=$("$VMDIVE" "$T/k.elf" <"$T/cmds" 2>&1)
[[ $out == $'1 + 1 = 2\n0x10 - 1 = 15' ]] || fail "stdin: got '$out'"
# Options that open the dump belong to the session.
"$VMDIVE" shell -c 'p 1 --vmlinux /bin/true' "$T/k.elf" >/dev/null 2>"$T/err"
grep -q "apply when the session starts" "$T/err" || fail "--vmlinux inside: $(cat "$T/err")"

if ((nfail)); then
    echo "shell_pty: $nfail failed"
    exit 1
fi
echo "shell_pty: ok"
