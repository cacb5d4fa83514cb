#!/bin/bash
# ELF cores through the vmdive CLI.
#   bash elf_read.sh VMDIVE TESTS_BUILD_DIR
# Files come from tests/cases/elf/{qemu72,kexec,mdf-e,user}.desc via mkelf.
# readelf and gdb (independent ELF readers) first check that the generator
# wrote what the descriptions say; then vmdive must read back the bytes,
# notes and facts the descriptions put there.  Expected values are written
# here from the descriptions, never recorded from vmdive's output.
set -u
VMDIVE=${1:?usage: elf_read.sh VMDIVE TESTS_BUILD_DIR}
BUILD=${2:?usage: elf_read.sh VMDIVE TESTS_BUILD_DIR}
DESCS=$(cd "$(dirname "$0")" && pwd)/elf
MKELF=$BUILD/mkelf
[[ -x $MKELF ]] || { echo "elf_read: no $MKELF"; exit 99; }
command -v python3 >/dev/null || { echo "elf_read: needs python3"; exit 77; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
nfail=0

fail() { echo "FAIL: $*"; nfail=$((nfail + 1)); }
eq() { [[ $1 == "$2" ]] || fail "$3: got '$1', want '$2'"; }

gen() {
    "$MKELF" "$DESCS/$1.desc" "$T/$1.elf" || { fail "mkelf $1.desc"; return 1; }
}

# Bytes of mkelf's `pattern ADDR LEN SEED`: (a + (a>>8) + (a>>16) + SEED) & 0xff.
pattern() {
    python3 -c 'import sys
a0, n, s = int(sys.argv[1], 0), int(sys.argv[2], 0), int(sys.argv[3], 0)
sys.stdout.buffer.write(bytes((a + (a >> 8) + (a >> 16) + s) & 255 for a in range(a0, a0 + n)))' "$@"
}

# rd_is DUMP PADDR LEN EXPECTED-FILE WHAT: physical read must succeed and match.
rd_is() {
    rm -f "$T/out.bin"
    if ! "$VMDIVE" rd -p -o "$T/out.bin" "$1" "$2" "$3" >"$T/rd.txt" 2>&1; then
        fail "$5: vmdive rd -p $2 $3 failed: $(cat "$T/rd.txt")"
        return
    fi
    cmp -s "$T/out.bin" "$4" || fail "$5: bytes at $2 differ from what the description wrote"
}

# json_is DUMP PYTHON-EXPR EXPECTED WHAT: a value from `vmdive info --json`.
json_is() {
    local got
    got=$("$VMDIVE" info --json "$1" 2>"$T/err.txt" |
          python3 -c "import json, sys; d = json.load(sys.stdin); print($2)" 2>&1)
    eq "$got" "$3" "$4"
}

check_qemu72() {
    local f=$T/qemu72.elf
    gen qemu72 || return
    # The generator, checked by readelf: QEMU 7.2's odd header.
    readelf -h "$f" | grep -Eq 'Start of program headers: +192 ' ||
        fail "qemu72: readelf does not see e_phoff 0xc0"
    readelf -h "$f" | grep -Eq 'Size of this header: +8 ' ||
        fail "qemu72: readelf does not see e_ehsize 8"
    eq "$(readelf -n "$f" | grep -c 'NT_PRSTATUS')" 2 "qemu72: readelf NT_PRSTATUS notes"
    eq "$(readelf -n "$f" | grep -Ec '^ +QEMU ')" 2 "qemu72: readelf QEMU notes"
    if command -v gdb >/dev/null; then
        eq "$(gdb -batch -c "$f" -ex 'info registers rip' 2>/dev/null | awk '/^rip/ {print $2}')" \
           0xffffffffa9dc3643 "qemu72: gdb rip of CPU 0"
    fi
    # The reader.
    eq "$("$VMDIVE" vmcoreinfo "$f" OSRELEASE 2>&1)" 6.1.0-test "qemu72: VMCOREINFO OSRELEASE"
    eq "$("$VMDIVE" vmcoreinfo "$f" 'NUMBER(phys_base)' 2>&1)" -1048576 "qemu72: VMCOREINFO phys_base"
    printf '\x88\x77\x66\x55\x44\x33\x22\x11' >"$T/exp"
    rd_is "$f" 0xc0000 8 "$T/exp" "qemu72: u64 after the 640K hole"
    printf 'Linux version 6.1.0-test' >"$T/exp"
    rd_is "$f" 0x100000 24 "$T/exp" "qemu72: string"
    pattern 0x1000 0x2000 7 >"$T/exp"
    rd_is "$f" 0x1000 0x2000 "$T/exp" "qemu72: pattern"
    head -c 16 /dev/zero | tr '\0' '\352' >"$T/exp"
    rd_is "$f" 0xfffc0ff0 16 "$T/exp" "qemu72: BIOS ROM PT_LOAD"
    if "$VMDIVE" rd -p "$f" 0x9fff0 0x20 >"$T/rd.txt" 2>&1; then
        fail "qemu72: reading into the 640K-768K hole succeeded"
    fi
    grep -q 'not in the dump' "$T/rd.txt" || fail "qemu72: hole read does not say 'not in the dump'"
    json_is "$f" 'd["attrs"]["producer"]' "QEMU dump-guest-memory" "qemu72: producer"
    json_is "$f" 'd["attrs"]["pt_load"]' 4 "qemu72: PT_LOAD segments (a number)"
    json_is "$f" 'd["attrs"]["e_phoff"]' "$(readelf -h "$f" | awk '/Start of program headers/ { printf "0x%x", $5 }')" \
        "qemu72: e_phoff (a hex string, as readelf says)"
    json_is "$f" 'd["attrs"]["note_core_nt_prstatus"]' 2 "qemu72: NT_PRSTATUS notes"
}

check_kexec() {
    local f=$T/kexec.elf
    gen kexec || return
    eq "$(readelf -l "$f" | grep -c ' LOAD ')" 3 "kexec: readelf PT_LOADs"
    if command -v gdb >/dev/null; then
        eq "$(gdb -batch -c "$f" -ex 'info registers rip' 2>/dev/null | awk '/^rip/ {print $2}')" \
           0xffffffff81000100 "kexec: gdb rip of CPU 0"
    fi
    printf '\x0f\x01\xf8 kernel text' >"$T/exp"
    rd_is "$f" 0x1000000 15 "$T/exp" "kexec: kernel text start"
    pattern 0x1100000 0x1000 2 >"$T/exp"
    rd_is "$f" 0x1100000 0x1000 "$T/exp" "kexec: kernel text"
    pattern 0x1000 0x9e000 1 >"$T/exp"
    rd_is "$f" 0x1000 0x9e000 "$T/exp" "kexec: low RAM"
    head -c 64 /dev/zero >"$T/exp"
    rd_is "$f" 0x200000 64 "$T/exp" "kexec: RAM nothing wrote"
    json_is "$f" '(d["attrs"]["pt_load"], d["attrs"]["pt_load_aliases_dropped"])' "(2, 1)" "kexec: segments"
    json_is "$f" 'd["attrs"]["producer"]' "kexec /proc/vmcore" "kexec: producer"
}

check_mdf_e() {
    local f=$T/mdf-e.elf
    gen mdf-e || return
    { head -c 16 /dev/zero | tr '\0' 'A'; head -c 16 /dev/zero; } >"$T/exp"
    rd_is "$f" 0x2ff0 0x20 "$T/exp" "mdf-e: file part, then the zero tail"
    head -c 256 /dev/zero >"$T/exp"
    rd_is "$f" 0x1f000 0x100 "$T/exp" "mdf-e: end of a zero tail"
    json_is "$f" '(d["attrs"]["incomplete"], d["attrs"]["e_flags"])' "(True, '0x1')" "mdf-e: incomplete attr"
    json_is "$f" 'any("incomplete dump" in w for w in d["warnings"])' True "mdf-e: incomplete warning"
}

check_user() {
    local f=$T/user.elf
    gen user || return
    eq "$(readelf -n "$f" | grep -c 'NT_PRSTATUS')" 2 "user: readelf NT_PRSTATUS notes"
    json_is "$f" 'd["kind"]' user "user: kind"
    json_is "$f" '[(k, v) for k, v in d["attrs"].items() if k.startswith("note")]' \
        "[('notes', 5), ('note_core_nt_prstatus', 2), ('note_core_nt_prpsinfo', 1), ('note_core_nt_auxv', 1), ('note_core_nt_file', 1)]" "user: notes"
}

# rd -n LEN: many addresses in one run (qemu72.elf, made by check_qemu72): the same bytes
# as one rd each, in order, and per address what could not be read.
check_rd_many() {
    local f=$T/qemu72.elf rc got
    [[ -e $f ]] || return
    "$VMDIVE" rd -p --json -n 8 "$f" 0xc0000 0x100000 0xa0000 >"$T/many.json" 2>"$T/err.txt"
    rc=$?
    eq "$rc" 1 "rd -n: exit status with one unreadable address"
    got=$(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(len(d), [(e["addr"], e["complete"], e["hex"]) for e in d],
      "not in the dump" in (d[2]["error"] or ""), d[0]["error"])' "$T/many.json" 2>&1)
    eq "$got" "3 [('0xc0000', True, '8877665544332211'), ('0x100000', True, '4c696e7578207665'), ('0xa0000', False, '0000000000000000')] True None" \
       "rd -n --json: three addresses"
    pattern 0x1000 16 7 >"$T/exp"
    pattern 0x2800 16 7 >>"$T/exp"
    rm -f "$T/out.bin"
    "$VMDIVE" rd -p -n 16 -o "$T/out.bin" "$f" 0x1000 0x2800 >"$T/rd.txt" 2>&1 ||
        fail "rd -n -o: $(cat "$T/rd.txt")"
    cmp -s "$T/out.bin" "$T/exp" || fail "rd -n -o: the bytes are not the two reads back to back"
    got=$("$VMDIVE" rd -p -n 16 "$f" 0x1000 0x2800 2>&1 | awk '{ print $1 }' | tr '\n' ' ')
    eq "$got" "0000000000001000:  0000000000002800: " "rd -n: hex dumps, a blank line between"
    "$VMDIVE" rd -p "$f" 0x1000 16 0x2800 >/dev/null 2>&1
    eq "$?" 2 "rd: a third argument without -n is a usage error"
    "$VMDIVE" rd -p --json -n 65537 "$f" 0x1000 >/dev/null 2>&1
    eq "$?" 2 "rd --json -n: more than 64 KiB per address needs -o"
    "$VMDIVE" rd -p -n 0x10 "$f" 0x1000 zzz >/dev/null 2>&1
    eq "$?" 2 "rd -n: a bad address is a usage error"
}

check_qemu72
check_rd_many
check_kexec
check_mdf_e
check_user
if ((nfail)); then
    echo "elf_read: $nfail failures"
    exit 1
fi
echo "elf_read: ok"
