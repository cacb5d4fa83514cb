#!/bin/bash
# The ELF reader on real QEMU dumps (samples/make-dumps.sh output), checked
# against an independent parse of the same file in Python, and on the
# makedumpfile -E rewrite of one of them (a second real producer).
#   bash test_elf_real.sh VMDIVE
# Fails when no real dump is cached: run samples/make-dumps.sh first.
set -u
VMDIVE=${1:?usage: elf_real.sh VMDIVE TESTS_BUILD_DIR}
CACHE=${VMDIVE_CACHE:-/var/cache/vmdive}
shopt -s nullglob
dumps=("$CACHE"/dumps/*/vmcore.elf)
((${#dumps[@]})) || { echo "elf_real: no dumps in $CACHE/dumps (samples/make-dumps.sh)"; exit 1; }
command -v python3 >/dev/null || { echo "elf_real: needs python3"; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
nfail=0
fail() { echo "FAIL: $*"; nfail=$((nfail + 1)); }

# elfpeek.py FILE vmcoreinfo      -> the VMCOREINFO note's text
# elfpeek.py FILE samples         -> "paddr offset kind" lines: 3 pages per PT_LOAD
#                                    (kind file: bytes at offset; zero: tail)
# elfpeek.py FILE offset PADDR    -> file offset of the page at PADDR
# elfpeek.py FILE move-phdrs OUT  -> copy FILE with phdrs at 64 (for makedumpfile)
# Written from the ELF gABI, not from vmdive's code.
cat >"$T/elfpeek.py" <<'EOF'
import shutil, struct, sys

def parse(path):
    with open(path, 'rb') as f:
        eh = f.read(64)
        assert eh[:4] == b'\x7fELF' and eh[4] == 2 and eh[5] == 1
        phoff, = struct.unpack_from('<Q', eh, 32)
        phnum, = struct.unpack_from('<H', eh, 56)
        f.seek(phoff)
        raw = f.read(56 * phnum)
    return eh, phoff, [struct.unpack_from('<IIQQQQQQ', raw, 56 * i) for i in range(phnum)]

def notes(path):
    _, _, phs = parse(path)
    with open(path, 'rb') as f:
        for t, _, off, _, _, filesz, _, _ in phs:
            if t != 4:
                continue
            f.seek(off)
            blob, pos = f.read(filesz), 0
            while pos + 12 <= len(blob):
                namesz, descsz, ntype = struct.unpack_from('<III', blob, pos)
                name = blob[pos + 12:pos + 12 + namesz].rstrip(b'\0')
                d = pos + 12 + (namesz + 3) // 4 * 4
                yield name, ntype, blob[d:d + descsz]
                pos = d + (descsz + 3) // 4 * 4

path, cmd = sys.argv[1], sys.argv[2]
if cmd == 'vmcoreinfo':
    for name, ntype, desc in notes(path):
        if name == b'VMCOREINFO':
            sys.stdout.write(desc.rstrip(b'\0').decode())
elif cmd == 'samples':
    for t, _, off, vaddr, paddr, filesz, memsz, _ in parse(path)[2]:
        if t != 1 or memsz < 3 * 4096:
            continue
        for a in (paddr, paddr + memsz // 2 // 4096 * 4096, paddr + memsz - 4096):
            rel = a - paddr
            if rel + 4096 <= filesz:
                print(hex(a), off + rel, 'file')
            elif rel >= filesz:
                print(hex(a), 0, 'zero')
elif cmd == 'offset':
    a = int(sys.argv[3], 0)
    for t, _, off, vaddr, paddr, filesz, memsz, _ in parse(path)[2]:
        if t == 1 and paddr <= a and a + 4096 <= paddr + filesz:
            print(off + a - paddr)
            break
elif cmd == 'move-phdrs':
    eh, phoff, phs = parse(path)
    out = sys.argv[3]
    shutil.copyfile(path, out)
    with open(path, 'rb') as f:
        f.seek(phoff)
        raw = f.read(56 * len(phs))
    eh = bytearray(eh)
    struct.pack_into('<QQ', eh, 32, 64, 0)           # e_phoff, e_shoff
    struct.pack_into('<H', eh, 52, 64)               # e_ehsize
    struct.pack_into('<HHH', eh, 58, 0, 0, 0)        # no sections
    assert 64 + len(raw) <= min(p[2] for p in phs)   # room before the data
    with open(out, 'r+b') as f:
        f.write(eh)
        f.write(raw)
EOF

# same_page DUMP PADDR SRC-FILE SRC-OFFSET WHAT: 4 KiB read by vmdive == bytes of SRC at offset.
same_page() {
    rm -f "$T/got.bin"
    if ! "$VMDIVE" rd -p -o "$T/got.bin" "$1" "$2" 4096 >"$T/rd.txt" 2>&1; then
        fail "$5: vmdive rd -p $2: $(head -c 300 "$T/rd.txt")"
        return
    fi
    dd if="$3" of="$T/want.bin" bs=4096 skip="$4" count=1 iflag=skip_bytes status=none
    cmp -s "$T/got.bin" "$T/want.bin" || fail "$5: page at $2 differs from the file"
}

zero_page() {
    rm -f "$T/got.bin"
    "$VMDIVE" rd -p -o "$T/got.bin" "$1" "$2" 4096 >"$T/rd.txt" 2>&1 ||
        { fail "$3: vmdive rd -p $2 (zero tail) failed"; return; }
    cmp -s "$T/got.bin" <(head -c 4096 /dev/zero) || fail "$3: zero tail at $2 is not zeros"
}

producer() {   # the producer, and what it filtered when that is said
    "$VMDIVE" info --json "$1" | python3 -c 'import json, sys; a = json.load(sys.stdin)["attrs"]; print(a["producer"] + (" of " + a["producer_input"] if "producer_input" in a else ""))'
}

checked=0
for f in "${dumps[@]}"; do
    v=$(basename "$(dirname "$f")")
    python3 "$T/elfpeek.py" "$f" vmcoreinfo >"$T/vmci.txt" || { fail "$v: python parse"; continue; }
    "$VMDIVE" vmcoreinfo "$f" >"$T/vmci-got.txt" 2>&1 || fail "$v: vmdive vmcoreinfo failed"
    diff -q <(sed '/^$/d' "$T/vmci.txt") <(sed '/^$/d' "$T/vmci-got.txt") >/dev/null ||
        fail "$v: VMCOREINFO differs from the note's text"
    while read -r a off kind; do
        [[ $kind == file ]] && same_page "$f" "$a" "$f" "$off" "$v"
    done < <(python3 "$T/elfpeek.py" "$f" samples)
    [[ $(producer "$f") == "QEMU dump-guest-memory" ]] || fail "$v: producer is not QEMU"
    checked=$((checked + 1))
done

# makedumpfile -E of the first dump: kept pages equal the original's, dropped
# ones read as zeros.  makedumpfile 1.7.2 needs the program headers at 64.
if command -v makedumpfile >/dev/null; then
    f=${dumps[0]}
    if python3 "$T/elfpeek.py" "$f" move-phdrs "$T/moved.elf" &&
       makedumpfile -E -d 31 "$T/moved.elf" "$T/mdf.elf" >"$T/mdf.log" 2>&1; then
        # The same through makedumpfile's flattened format (-F), which
        # formats/file.c remaps under the reader.
        makedumpfile -F -E -d 31 "$T/moved.elf" >"$T/flat.elf" 2>"$T/mdf.log" ||
            fail "makedumpfile -F -E failed: $(tail -1 "$T/mdf.log")"
        rm -f "$T/moved.elf"
        n=0
        while read -r a off kind; do
            for g in "$T/mdf.elf" "$T/flat.elf"; do
                if [[ $kind == zero ]]; then
                    zero_page "$g" "$a" "makedumpfile -E $(basename "$g")"
                    continue
                fi
                # Where the original QEMU file holds that page.
                off0=$(python3 "$T/elfpeek.py" "$f" offset "$a")
                [[ -n $off0 ]] &&
                    same_page "$g" "$a" "$f" "$off0" "makedumpfile -E $(basename "$g")"
            done
            n=$((n + 1))
        done < <(python3 "$T/elfpeek.py" "$T/mdf.elf" samples)
        ((n > 10)) || fail "makedumpfile -E: only $n sample pages"
        [[ $(producer "$T/mdf.elf") == "makedumpfile -E of QEMU dump-guest-memory" ]] ||
            fail "makedumpfile -E: producer is $(producer "$T/mdf.elf")"
    else
        echo "elf_real: makedumpfile -E did not run; skipping that part"
        cat "$T/mdf.log" 2>/dev/null | tail -3
    fi
fi

if ((nfail)); then
    echo "elf_real: $nfail failures"
    exit 1
fi
echo "elf_real: ok ($checked dumps${n:+, $n makedumpfile -E pages})"
