#!/bin/bash
# The kdump reader on real dumps (samples/make-dumps.sh --makedumpfile):
# QEMU 7.2's flattened kdump-zlib and makedumpfile 1.7.2's -c/-l/none with
# -d 0 and -d 31, -F and --split.  Every page of every PT_LOAD of the ELF
# dump the files were made from is read from both (vmdive rd -p -o; the
# ELF reader is checked on its own by elf_real.sh) and compared page by
# page: a page must be identical, or reported excluded (-d 31 only) or not
# in the dump (beyond the kdump file's max_mapnr).
#   bash test_kdump_real.sh VMDIVE
# Fails when no real dump is cached: run samples/make-dumps.sh first.
set -u
VMDIVE=${1:?usage: test_kdump_real.sh VMDIVE}
CACHE=${VMDIVE_CACHE:-/var/cache/vmdive}
shopt -s nullglob
dirs=("$CACHE"/dumps/*/)
((${#dirs[@]})) || { echo "kdump_real: no dumps in $CACHE/dumps (samples/make-dumps.sh)"; exit 1; }
command -v python3 >/dev/null || { echo "kdump_real: needs python3"; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
nfail=0
nchecked=0
fail() { echo "FAIL: $*"; nfail=$((nfail + 1)); }

# loads.py ELF: "paddr filesz" of each PT_LOAD (honours e_phoff: QEMU puts
# the program headers at 0xc0).  compare.py: see below.
cat >"$T/loads.py" <<'EOF'
import struct, sys
with open(sys.argv[1], 'rb') as f:
    eh = f.read(64)
    assert eh[:4] == b'\x7fELF' and eh[4] == 2 and eh[5] == 1
    phoff, = struct.unpack_from('<Q', eh, 32)
    phentsize, phnum = struct.unpack_from('<HH', eh, 54)
    f.seek(phoff)
    raw = f.read(phentsize * phnum)
for i in range(phnum):
    t, _, off, vaddr, paddr, filesz, memsz, _ = struct.unpack_from('<IIQQQQQQ', raw, phentsize * i)
    if t == 1 and filesz and filesz == memsz and filesz % 4096 == 0 and paddr % 4096 == 0:
        print(hex(paddr), hex(filesz))
EOF
# compare.py VMDIVE DIR NRANGES MAX_MAPNR MODE EXCLUDED FILE...: range i has
# start-i, len-i and elf-i.bin; FILE... are read with rd -p -o and compared.
cat >"$T/compare.py" <<'EOF'
import re, subprocess, sys
vmdive, d, n, max_mapnr, mode, want_excl = sys.argv[1:7]
files = sys.argv[7:]
n, max_mapnr = int(n), int(max_mapnr, 0)
line = re.compile(r'physical 0x([0-9a-f]+)-0x([0-9a-f]+) unreadable, written as zeros: (.*)')


def rd(start, length, out, why):
    r = subprocess.run([vmdive, 'rd', '-p', '-o', f'{d}/part.bin'] + files +
                       [hex(start), hex(length)],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    # rd lists only the first unreadable ranges: halve until it lists all.
    if 'are shown' in r.stderr and length > 4096:
        half = length // 2 // 4096 * 4096
        rd(start, half, out, why)
        rd(start + half, length - half, out, why)
        return
    for l in r.stderr.splitlines():
        m = line.search(l)
        if m:
            why3 = m.group(3)
            kind = 'excluded' if 'excluded' in why3 else \
                   'absent' if 'not in the dump' in why3 else why3
            for p in range(int(m.group(1), 16) // 4096, int(m.group(2), 16) // 4096 + 1):
                why[p] = kind
        elif l.strip() and 'unreadable ranges in all' not in l:
            why.setdefault('msgs', []).append(l)
    with open(f'{d}/part.bin', 'rb') as f:
        out.write(f.read())


same = excl = absent = 0
bad = []
for i in range(n):
    start = int(open(f'{d}/start-{i}').read(), 0)
    length = int(open(f'{d}/len-{i}').read(), 0)
    why = {}
    with open(f'{d}/kd.bin', 'wb') as out:
        rd(start, length, out, why)
    bad += why.pop('msgs', [])[:3]
    with open(f'{d}/elf-{i}.bin', 'rb') as fe, open(f'{d}/kd.bin', 'rb') as fk:
        pfn = start // 4096
        while True:
            e, k = fe.read(4096), fk.read(4096)
            if not e:
                break
            w = why.get(pfn)
            if w is None:
                if e == k:
                    same += 1
                else:
                    bad.append(f'page {pfn:#x} differs')
            elif w == 'excluded' and mode == 'filtered' and pfn < max_mapnr:
                excl += 1
            elif w == 'absent' and pfn >= max_mapnr:
                absent += 1
            else:
                bad.append(f'page {pfn:#x}: {w}')
            pfn += 1
if want_excl != '' and excl != int(want_excl):
    bad.append(f'{excl} pages excluded, info says {want_excl}')
print(f'{same} identical, {excl} excluded, {absent} beyond max_mapnr' +
      (f'; {len(bad)} bad: ' + '; '.join(bad[:5]) if bad else ''))
sys.exit(1 if bad or not same else 0)
EOF

# check_kdump VARIANT-DIR MODE FILE...
check_kdump() {
    local D=$1 mode=$2 i out max excl
    shift 2
    out=$("$VMDIVE" info "$@" 2>&1) || { fail "info $*: $out"; return; }
    grep -qE '^format +kdump' <<<"$out" || fail "info $1: format is not kdump"
    max=$(sed -nE 's/^ *max_mapnr +(0x[0-9a-f]+).*/\1/p' <<<"$out")
    excl=$(sed -nE 's/^ *excluded pages +([0-9]+).*/\1/p' <<<"$out")
    [[ -n $max ]] || { fail "info $1: no max_mapnr"; return; }
    out=$(python3 "$T/compare.py" "$VMDIVE" "$T" "$nranges" "$max" "$mode" \
          "$([[ $mode == filtered ]] && echo "$excl")" "$@") ||
        { fail "$1: $out"; return; }
    nchecked=$((nchecked + 1))
    echo "kdump_real: $(basename "$(dirname "$1")")/$(basename "$1")$( (($# > 1)) && echo " (+$(($# - 1)) parts)"): $out"
}

for D in "${dirs[@]}"; do
    D=${D%/}
    [[ -e $D/done && -e $D/vmcore.elf ]] || continue
    starts=() lens=()
    while read -r s l; do starts+=("$s"); lens+=("$l"); done < <(python3 "$T/loads.py" "$D/vmcore.elf")
    nranges=${#starts[@]}
    for ((i = 0; i < nranges; i++)); do
        echo "${starts[i]}" >"$T/start-$i"
        echo "${lens[i]}" >"$T/len-$i"
        "$VMDIVE" rd -p -o "$T/elf-$i.bin" "$D/vmcore.elf" "${starts[i]}" "${lens[i]}" >/dev/null 2>&1 ||
            fail "$D/vmcore.elf: rd of PT_LOAD $i failed"
    done
    [[ -e $D/vmcore.kdump-zlib ]] && check_kdump "$D" full "$D/vmcore.kdump-zlib"
    [[ -e $D/mdf.done ]] || continue
    for c in zlib lzo none; do
        check_kdump "$D" full "$D/vmcore.kdump-$c-d0"
        check_kdump "$D" filtered "$D/vmcore.kdump-$c-d31"
    done
    check_kdump "$D" filtered "$D/vmcore.flat"
    check_kdump "$D" full "$D/vmcore.split.3" "$D/vmcore.split.1" "$D/vmcore.split.2"
done
rm -f "$T"/*.bin

((nchecked)) || { echo "kdump_real: no kdump files found"; exit 1; }
if ((nfail)); then
    echo "kdump_real: $nfail failure(s)"
    exit 1
fi
echo "kdump_real: ok ($nchecked dumps)"
