#!/bin/bash
# Malformed ELF cores must be refused with a clear message naming the file.
#   bash elf_bad.sh VMDIVE TESTS_BUILD_DIR
# Each tests/cases/elf/bad-*.desc says what the message must contain in a
# "# expect: TEXT" line.  Also: mkelf itself must refuse bad descriptions.
set -u
VMDIVE=${1:?usage: elf_bad.sh VMDIVE TESTS_BUILD_DIR}
BUILD=${2:?usage: elf_bad.sh VMDIVE TESTS_BUILD_DIR}
DESCS=$(cd "$(dirname "$0")" && pwd)/elf
MKELF=$BUILD/mkelf
[[ -x $MKELF ]] || { echo "elf_bad: no $MKELF"; exit 99; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
nfail=0
fail() { echo "FAIL: $*"; nfail=$((nfail + 1)); }

# refused FILE EXPECT: vmdive info must exit 1..127 with FILE and EXPECT in stderr.
refused() {
    local rc
    "$VMDIVE" info "$1" >"$T/out.txt" 2>"$T/err.txt"
    rc=$?
    if ((rc == 0 || rc >= 128)); then
        fail "$(basename "$1"): exit status $rc (want a clean failure)"
        return
    fi
    grep -qF -- "$1" "$T/err.txt" || fail "$(basename "$1"): message does not name the file: $(cat "$T/err.txt")"
    grep -qF -- "$2" "$T/err.txt" || fail "$(basename "$1"): message lacks '$2': $(cat "$T/err.txt")"
}

n=0
for desc in "$DESCS"/bad-*.desc; do
    name=$(basename "$desc" .desc)
    expect=$(sed -n 's/^# expect: //p' "$desc")
    [[ -n $expect ]] || { fail "$name.desc has no '# expect:' line"; continue; }
    "$MKELF" "$desc" "$T/$name.elf" || { fail "mkelf $name.desc"; continue; }
    refused "$T/$name.elf" "$expect"
    n=$((n + 1))
done
((n >= 8)) || fail "only $n bad-*.desc cases found"

: >"$T/empty.elf"
refused "$T/empty.elf" "not a dump file"

# The generator refuses what it cannot write, naming the line.
bad_desc() {
    printf '%s\n' "$1" >"$T/bad.desc"
    if "$MKELF" "$T/bad.desc" "$T/bad.elf" 2>"$T/err.txt"; then
        fail "mkelf accepted: $1"
    elif ! grep -q "bad.desc: line $2:" "$T/err.txt"; then
        fail "mkelf message for '$1' lacks 'line $2': $(cat "$T/err.txt")"
    fi
}
bad_desc "arch = vax" 1
bad_desc $'load paddr=0 size=0x1000\nu64 0x2000 1' 2
bad_desc "qemu-cpu cr3=0x1000" 1
bad_desc "load paddr=0 size=0x1000 colour=blue" 1
bad_desc $'kind = user\nload size=0x1000' 2
bad_desc 'bytes 0 "unterminated' 1
bad_desc "frobnicate 0 1 2" 1

if ((nfail)); then
    echo "elf_bad: $nfail failures"
    exit 1
fi
echo "elf_bad: ok ($n malformed files)"
