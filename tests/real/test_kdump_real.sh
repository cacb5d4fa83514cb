#!/bin/bash
# The kdump reader on real dumps (samples/make-dumps.sh --makedumpfile):
# QEMU 7.2's flattened kdump-zlib, makedumpfile 1.7.2's -c/-l/none with
# -d 0 and -d 31, -F and --split, Debian sid's makedumpfile (1.7.8) -z
# (zstd) with -d 0 and -d 31 and -c -d 31 (arm64 also -l -d 31), and a
# snappy file: no packaged tool writes snappy kdump files, so
# tests/gen/kdump_recompress turns the -d 31 zlib file into one (same
# header, bitmaps and notes; every page recompressed with snappy).  Every
# page of every PT_LOAD of the ELF dump the files were made from is read
# from both (vmdive rd -p -o; the ELF reader is checked on its own by
# elf_real.sh) and compared page by page: a page must be identical, or
# reported excluded (-d 31 only) or not in the dump (beyond the kdump
# file's max_mapnr).  `vmdive info` must name the compression the file
# name says.  On x86_64, crash 8.0.2 (linked with libsnappy) reads 64
# pages of the snappy file chosen from its bitmap: the dumped ones must
# equal the ELF dump's pages, the excluded ones be reported excluded by
# crash and by vmdive (crash's output is cached next to the dump, keyed by
# the snappy file, the questions and crash_oracle.sh).
# The crash-kind samples (CRASH_KIND in meta.env) are left out: the same
# formats from the same writers as the sysrq samples.
#   bash test_kdump_real.sh VMDIVE      (VD_BIN_DIR: where kdump_recompress
#                                        is; default: next to VMDIVE)
# Fails when no real dump is cached: run samples/make-dumps.sh first.
set -u
VMDIVE=${1:?usage: test_kdump_real.sh VMDIVE}
CACHE=${VMDIVE_CACHE:-/var/cache/vmdive}
RECOMP=${VD_BIN_DIR:-$(dirname "$VMDIVE")/tests}/kdump_recompress
ORACLE=$(cd "$(dirname "$0")/../oracle" && pwd)
shopt -s nullglob
dirs=("$CACHE"/dumps/*/)
((${#dirs[@]})) || { echo "kdump_real: no dumps in $CACHE/dumps (samples/make-dumps.sh)"; exit 1; }
command -v python3 >/dev/null || { echo "kdump_real: needs python3"; exit 1; }
[[ -x $RECOMP ]] || { echo "kdump_real: no $RECOMP (set VD_BIN_DIR)"; exit 1; }
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
import os, re, subprocess, sys
vmdive, d, n, max_mapnr, mode, want_excl = sys.argv[1:7]
files = sys.argv[7:]
n, max_mapnr = int(n), int(max_mapnr, 0)
line = re.compile(r'physical 0x([0-9a-f]+)-0x([0-9a-f]+) unreadable, written as zeros: (.*)')


def rd(start, length, fe, base, eq, why):
    """rd -p -o /dev/stdout, compared page by page with the ELF pages in fe
    (starting at physical address base) as it streams, so no kdump file
    costs a 512 MB temporary file: eq[pfn] says whether a page matched,
    why[pfn] what rd said about a page it could not read."""
    with open(f'{d}/rd.err', 'w+') as err:
        p = subprocess.Popen([vmdive, 'rd', '-p', '-o', '/dev/stdout'] + files +
                             [hex(start), hex(length)], stdout=subprocess.PIPE, stderr=err)
        fe.seek(start - base)
        pfn = start // 4096
        while True:
            k = p.stdout.read(4096)
            if not k:
                break
            eq[pfn] = k == fe.read(4096)
            pfn += 1
        p.wait()
        err.seek(0)
        stderr = err.read()
    # rd lists only the first unreadable ranges: halve until it lists all.
    if 'are shown' in stderr and length > 4096:
        half = length // 2 // 4096 * 4096
        rd(start, half, fe, base, eq, why)
        rd(start + half, length - half, fe, base, eq, why)
        return
    for l in stderr.splitlines():
        m = line.search(l)
        if m:
            why3 = m.group(3)
            kind = 'excluded' if 'excluded' in why3 else \
                   'absent' if 'not in the dump' in why3 else why3
            for p in range(int(m.group(1), 16) // 4096, int(m.group(2), 16) // 4096 + 1):
                why[p] = kind
        elif l.strip() and 'unreadable ranges in all' not in l:
            why.setdefault('msgs', []).append(l)


same = excl = absent = 0
bad = []
excluded = []                           # written to $KD_EXCLUDED_OUT if set
for i in range(n):
    start = int(open(f'{d}/start-{i}').read(), 0)
    length = int(open(f'{d}/len-{i}').read(), 0)
    why, eq = {}, {}
    with open(f'{d}/elf-{i}.bin', 'rb') as fe:
        rd(start, length, fe, start, eq, why)
    bad += why.pop('msgs', [])[:3]
    for pfn in range(start // 4096, (start + length) // 4096):
        w = why.get(pfn)
        if w is None:
            if eq.get(pfn):
                same += 1
            else:
                bad.append(f'page {pfn:#x} ' + ('differs' if pfn in eq else 'missing'))
        elif w == 'excluded' and mode == 'filtered' and pfn < max_mapnr:
            excl += 1
            excluded.append(pfn)
        elif w == 'absent' and pfn >= max_mapnr:
            absent += 1
        else:
            bad.append(f'page {pfn:#x}: {w}')
if want_excl != '' and excl != int(want_excl):
    bad.append(f'{excl} pages excluded, info says {want_excl}')
if os.environ.get('KD_EXCLUDED_OUT'):
    with open(os.environ['KD_EXCLUDED_OUT'], 'w') as f:
        f.write(''.join(f'{p:#x}\n' for p in excluded))
print(f'{same} identical, {excl} excluded, {absent} beyond max_mapnr' +
      (f'; {len(bad)} bad: ' + '; '.join(bad[:5]) if bad else ''))
sys.exit(1 if bad or not same else 0)
EOF

# crash_snappy.py DIR NRANGES DUMP VMLINUX CACHEDIR ORACLE_SH VMDIVE_EXCLUDED:
# 64 pages of a (little-endian) kdump file, picked from its own bitmap --
# 48 dumped, 16 excluded, spread over RAM -- read by crash (`rd -p -64`);
# dumped pages must equal the ELF dump's, excluded ones be "page excluded"
# for crash and excluded for vmdive (the PFNs in VMDIVE_EXCLUDED).
cat >"$T/crash_snappy.py" <<'EOF'
import hashlib, os, re, struct, subprocess, sys
d, n, dump, vmlinux, cdir, oracle, vexcl = sys.argv[1:8]
ranges = []
for i in range(int(n)):
    ranges.append((int(open(f'{d}/start-{i}').read(), 0) // 4096,
                   int(open(f'{d}/len-{i}').read(), 0) // 4096, i))
with open(dump, 'rb') as f:
    hdr = f.read(464)
    assert hdr[:8] == b'KDUMP   ', dump
    bs, sub, bmb = struct.unpack_from('<III', hdr, 428)
    assert bs == 4096, bs
    f.seek(bs + 96)
    max_mapnr, = struct.unpack('<Q', f.read(8))
    f.seek((1 + sub) * bs + bmb // 2 * bs)
    bm2 = f.read(bmb // 2 * bs)
dumped, excl = [], []
for start, npages, _ in ranges:
    for pfn in range(start, min(start + npages, max_mapnr)):
        (dumped if bm2[pfn // 8] >> (pfn % 8) & 1 else excl).append(pfn)
spread = lambda l, k: sorted({l[i * (len(l) - 1) // max(1, k - 1)] for i in range(k)}) if l else []
sample = [(p, 'dumped') for p in spread(dumped, 48)] + [(p, 'excluded') for p in spread(excl, 16)]
cmds = ''.join(f'rd -p -64 {p * 4096:#x} 512\n' for p, _ in sample)
key = hashlib.sha256()
for b in (open(dump, 'rb').read(), cmds.encode(), open(oracle, 'rb').read()):
    key.update(hashlib.sha256(b).digest())
out = os.path.join(cdir, f'crash-snappy-{key.hexdigest()[:16]}.out')
if not os.path.exists(out):
    with open(f'{d}/crash.cmds', 'w') as f:
        f.write(cmds)
    p = subprocess.run([oracle, dump, vmlinux, f'{d}/crash.cmds', f'{d}/crash.out'],
                       capture_output=True, text=True)
    if p.returncode:
        sys.exit(f'crash_oracle.sh failed (exit {p.returncode}): {p.stderr.strip()[:300]}')
    for old in os.listdir(cdir):
        if old.startswith('crash-snappy-') and old.endswith('.out'):
            os.unlink(os.path.join(cdir, old))
    os.replace(f'{d}/crash.out', out)
pages, errs = {}, {}
row = re.compile(r'^\s*([0-9a-f]+):  ([0-9a-f]{16}) ([0-9a-f]{16})  ')
err = re.compile(r'^rd: (.*?): physical address: ([0-9a-f]+)')
for line in open(out, errors='replace'):
    m = row.match(line)
    if m:
        a = int(m.group(1), 16)
        pg = pages.setdefault(a // 4096, bytearray(4096))
        pg[a % 4096:a % 4096 + 16] = struct.pack('<QQ', int(m.group(2), 16), int(m.group(3), 16))
        continue
    m = err.match(line)
    if m:
        errs[int(m.group(2), 16) // 4096] = m.group(1)
vex = {int(l, 0) for l in open(vexcl) if l.strip()}
bad, same, nex = [], 0, 0
for pfn, kind in sample:
    start, _, i = next(r for r in ranges if r[0] <= pfn < r[0] + r[1])
    with open(f'{d}/elf-{i}.bin', 'rb') as f:
        f.seek((pfn - start) * 4096)
        elf = f.read(4096)
    if kind == 'dumped':
        if pfn in errs or bytes(pages.get(pfn, b'')) != elf:
            bad.append(f'page {pfn:#x}: crash ' + (errs.get(pfn) or 'read other bytes than the ELF dump holds'))
        elif pfn in vex:
            bad.append(f'page {pfn:#x}: crash reads it, vmdive says excluded')
        else:
            same += 1
    elif errs.get(pfn) != 'page excluded':
        bad.append(f'page {pfn:#x}: not in the bitmap, crash: {errs.get(pfn, "read it")}')
    elif pfn not in vex:
        bad.append(f'page {pfn:#x}: crash says excluded, vmdive does not')
    else:
        nex += 1
print(f'crash: {same} pages equal to the ELF dump, {nex} excluded as vmdive says' +
      (f'; {len(bad)} bad: ' + '; '.join(bad[:5]) if bad else ''))
sys.exit(1 if bad or not same or not nex else 0)
EOF

# check_kdump VARIANT-DIR MODE FILE...: the compression info names must be
# the one in the file name (vmcore.kdump-zlib and the -F/--split files of
# makedumpfile -c are zlib).
check_kdump() {
    local D=$1 mode=$2 i out max excl comp want=zlib
    shift 2
    out=$("$VMDIVE" info "$@" 2>&1) || { fail "info $*: $out"; return; }
    grep -qE '^format +kdump' <<<"$out" || fail "info $1: format is not kdump"
    [[ $1 =~ kdump-(zlib|lzo|none|zstd|snappy) ]] && want=${BASH_REMATCH[1]}
    comp=$(sed -nE 's/^ *compression +([a-z]+).*/\1/p' <<<"$out")
    [[ $comp == "$want" ]] || fail "info $1: compression '$comp', the file is $want"
    max=$(sed -nE 's/^ *max_mapnr +(0x[0-9a-f]+).*/\1/p' <<<"$out")
    excl=$(sed -nE 's/^ *excluded_pages +([0-9]+).*/\1/p' <<<"$out")
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
    # The crash-kind samples (meta.env CRASH_KIND other than sysrq) hold the same formats as
    # the sysrq ones, written by the same QEMU: read page by page once, there.
    kind=$(. "$D/meta.env" && echo "${CRASH_KIND:-sysrq}")
    [[ $kind == sysrq ]] || continue
    # An ELF-only variant (samples/make-dumps.sh VARIANTS, dumps elf:V: the zram guests) has
    # no kdump file: V's boot of the same kernel has them.
    dumps=$(. "$D/meta.env" && echo "${DUMPS:-full}")
    if [[ $dumps != full && ! -e $D/vmcore.kdump-zlib ]]; then
        echo "kdump_real: SKIP $(basename "$D"): no kdump files, by design (meta.env DUMPS=$dumps)"
        continue
    fi
    starts=() lens=()
    while read -r s l; do starts+=("$s"); lens+=("$l"); done < <(python3 "$T/loads.py" "$D/vmcore.elf")
    nranges=${#starts[@]}
    for ((i = 0; i < nranges; i++)); do
        echo "${starts[i]}" >"$T/start-$i"
        echo "${lens[i]}" >"$T/len-$i"
        "$VMDIVE" rd -p -o "$T/elf-$i.bin" "$D/vmcore.elf" "${starts[i]}" "${lens[i]}" >/dev/null 2>&1 ||
            fail "$D/vmcore.elf: rd of PT_LOAD $i failed"
    done
    if [[ -e $D/vmcore.kdump-zlib ]]; then
        check_kdump "$D" full "$D/vmcore.kdump-zlib"
    else
        fail "$D: no vmcore.kdump-zlib"
    fi
    if [[ -e $D/mdf.done ]]; then
        for c in zlib lzo none; do
            check_kdump "$D" full "$D/vmcore.kdump-$c-d0"
            check_kdump "$D" filtered "$D/vmcore.kdump-$c-d31"
        done
        check_kdump "$D" filtered "$D/vmcore.flat"
        check_kdump "$D" full "$D/vmcore.split.3" "$D/vmcore.split.1" "$D/vmcore.split.2"
    fi
    [[ -e $D/mdf-sid.done ]] || continue
    sid_files=$(. "$D/mdf-sid.env" && echo "$MDF_SID_FILES") || { fail "$D/mdf-sid.env"; continue; }
    for f in $sid_files; do
        check_kdump "$D" "$([[ $f == *-d0 ]] && echo full || echo filtered)" "$f"
    done
    src=$D/vmcore.kdump-zlib-d31
    [[ -e $src ]] || src=$D/vmcore.sid.kdump-zlib-d31
    snappy=$T/$(basename "$D")/vmcore.kdump-snappy-d31
    mkdir -p "${snappy%/*}"
    out=$("$RECOMP" -c snappy "$src" "$snappy" 2>&1) || { fail "kdump_recompress $src: $out"; continue; }
    KD_EXCLUDED_OUT=$T/excluded check_kdump "$D" filtered "$snappy"
    # crash 8.0.2 reads x86_64 dumps only (ELF e_machine 62).
    if [[ $(od -An -tu2 -j18 -N2 "$D/vmcore.elf") -eq 62 && -s $T/excluded ]]; then
        cdir=$D/oracle
        mkdir -p "$cdir" 2>/dev/null && [[ -w $cdir ]] || cdir=$T
        out=$(python3 "$T/crash_snappy.py" "$T" "$nranges" "$snappy" \
              "$(. "$D/meta.env" && echo "$VMLINUX")" "$cdir" "$ORACLE/crash_oracle.sh" \
              "$T/excluded") || fail "$snappy: $out"
        echo "kdump_real: $(basename "$D")/vmcore.kdump-snappy-d31: $out"
    fi
    rm -f "$snappy" "$T/excluded"
done
rm -f "$T"/*.bin

((nchecked)) || { echo "kdump_real: no kdump files found"; exit 1; }
if ((nfail)); then
    echo "kdump_real: $nfail failure(s)"
    exit 1
fi
echo "kdump_real: ok ($nchecked dumps)"
