#!/bin/bash
# kdump-compressed files from mkdiskdump through the vmdive CLI: info,
# physical reads, excluded pages, flattened and split files, broken files.
#   bash kdump_synth.sh VMDIVE TESTS_BUILD_DIR
# Expected bytes are written here from the descriptions (fill/bytes pages),
# never recorded from vmdive's output.
set -u
VMDIVE=${1:?usage: kdump_synth.sh VMDIVE TESTS_BUILD_DIR}
BUILD=${2:?usage: kdump_synth.sh VMDIVE TESTS_BUILD_DIR}
MK=$BUILD/mkdiskdump
[[ -x $MK ]] || { echo "kdump_synth: no $MK"; exit 99; }
command -v python3 >/dev/null || { echo "kdump_synth: needs python3"; exit 77; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
nfail=0
fail() { echo "FAIL: $*"; nfail=$((nfail + 1)); }

# gen NAME EXTRA-LINES: the base description plus EXTRA, written to $T/NAME.
gen() {
    { cat <<'EOF'
version = 6
compression = zlib
dump_level = 31
release = 6.1.0-vd
vmcoreinfo = OSRELEASE=6.1.0-vd;PAGESIZE=4096;CRASHTIME=1700000000
cpu pid=1 rip=0xffffffff81000000
max_mapnr = 0x300
pages 0-0x1ff pattern 5
page 0x10 fill 0xa5
page 0x210 bytes "VMDIVE kdump page\n"
pages 0x20-0x2f zero
pages 0x40-0x4f excluded
pages 0x100-0x10f fill 0x3c
EOF
      printf '%b' "$2"; } >"$T/$1.desc"
    "$MK" "$T/$1.desc" "$T/$1" || fail "mkdiskdump $1"
}

# bytes N BYTE: N copies of one byte; text STR: STR then zeros to a page.
bytes() { python3 -c 'import sys; sys.stdout.buffer.write(bytes([int(sys.argv[2], 0)]) * int(sys.argv[1], 0))' "$@"; }
text_page() { python3 -c 'import sys; s = sys.argv[1].encode() + b"\n"; sys.stdout.buffer.write(s + bytes(4096 - len(s)))' "$1"; }

# rd_is DUMPS... -- PADDR LEN EXPECTED WHAT
rd_is() {
    local args=() a
    while [[ $1 != -- ]]; do args+=("$1"); shift; done
    shift
    rm -f "$T/out.bin"
    if ! "$VMDIVE" rd -p -o "$T/out.bin" "${args[@]}" "$1" "$2" >"$T/rd.txt" 2>&1; then
        fail "$4: rd -p $1 $2: $(cat "$T/rd.txt")"
        return
    fi
    cmp -s "$T/out.bin" "$3" || fail "$4: bytes at $1 differ"
}

# err_is EXPECTED-SUBSTRING WHAT CMD...: CMD must fail (not crash) saying it.
err_is() {
    local want=$1 what=$2 rc
    shift 2
    "$@" >"$T/err.txt" 2>&1
    rc=$?
    ((rc != 0 && rc < 128)) || fail "$what: exit status $rc"
    grep -qF -- "$want" "$T/err.txt" || fail "$what: no '$want' in: $(head -c 400 "$T/err.txt")"
}

info_has() {  # DUMP KEY VALUE-PREFIX
    "$VMDIVE" info "$1" >"$T/info.txt" 2>&1 || { fail "info $1: $(cat "$T/info.txt")"; return; }
    grep -qE "^ *$2 +$3" "$T/info.txt" || fail "info $1: no '$2 $3' in: $(grep -E "^ *$2" "$T/info.txt")"
}

bytes 4096 0xa5 >"$T/a5.bin"
bytes 8192 0x3c >"$T/3c.bin"
text_page "VMDIVE kdump page" >"$T/text.bin"
bytes 4096 0 >"$T/zero.bin"

gen plain.kdump ''
info_has "$T/plain.kdump" format kdump
info_has "$T/plain.kdump" compression zlib
info_has "$T/plain.kdump" dump_level 31
info_has "$T/plain.kdump" dump_level_excludes 'zero pages, non-private cache'
info_has "$T/plain.kdump" header_version 6
info_has "$T/plain.kdump" flattened no
info_has "$T/plain.kdump" excluded_pages 16
rd_is "$T/plain.kdump" -- 0x10000 4096 "$T/a5.bin" "fill page"
rd_is "$T/plain.kdump" -- 0x210000 4096 "$T/text.bin" "bytes page"
rd_is "$T/plain.kdump" -- 0x25000 4096 "$T/zero.bin" "zero page"
rd_is "$T/plain.kdump" -- 0x100000 8192 "$T/3c.bin" "two pages"
err_is "dump level 31" "excluded page" "$VMDIVE" rd -p "$T/plain.kdump" 0x41000 16
rd_is --zero-excluded "$T/plain.kdump" -- 0x41000 4096 "$T/zero.bin" "--zero-excluded"
err_is "not in the dump" "hole" "$VMDIVE" rd -p "$T/plain.kdump" 0x250000 16
"$VMDIVE" vmcoreinfo "$T/plain.kdump" 2>&1 | grep -q '^OSRELEASE=6.1.0-vd$' ||
    fail "vmcoreinfo: no OSRELEASE line"

for comp in none lzo snappy zstd; do
    gen "$comp.kdump" "compression = $comp\n"
    info_has "$T/$comp.kdump" compression "$comp"
    rd_is "$T/$comp.kdump" -- 0x100000 8192 "$T/3c.bin" "$comp pages"
done

gen flat.kdump 'flatten = yes shuffle overwrite-header\n'
info_has "$T/flat.kdump" flattened yes
info_has "$T/flat.kdump" flattened_records '[0-9]+'
rd_is "$T/flat.kdump" -- 0x10000 4096 "$T/a5.bin" "flattened fill page"
rd_is "$T/flat.kdump" -- 0x100000 8192 "$T/3c.bin" "flattened pages"
"$VMDIVE" rd -p -o "$T/whole.bin" "$T/plain.kdump" 0 0x200000 >/dev/null 2>&1
"$VMDIVE" rd -p -o "$T/whole-flat.bin" "$T/flat.kdump" 0 0x200000 >/dev/null 2>&1
cmp -s "$T/whole.bin" "$T/whole-flat.bin" || fail "flattened: 2 MiB differ from the normal file"

for k in 1 2 3; do gen "part$k.kdump" "split = $k/3\n"; done
"$VMDIVE" info "$T/part3.kdump" "$T/part1.kdump" "$T/part2.kdump" >"$T/info.txt" 2>&1 ||
    fail "split info: $(cat "$T/info.txt")"
grep -qE '^ *split_parts +3$' "$T/info.txt" || fail "split info: no 'split_parts 3'"
"$VMDIVE" rd -p -o "$T/whole-split.bin" "$T/part1.kdump" "$T/part2.kdump" "$T/part3.kdump" \
    0 0x200000 >/dev/null 2>&1
cmp -s "$T/whole.bin" "$T/whole-split.bin" || fail "split: 2 MiB differ from the whole file"
err_is "PFNs 0x100-0x1ff is missing" "missing part" \
    "$VMDIVE" info "$T/part1.kdump" "$T/part3.kdump"

gen bad-sig.kdump 'corrupt signature\n'
err_is "bad-sig.kdump" "bad signature" "$VMDIVE" info "$T/bad-sig.kdump"
gen bad-bs.kdump 'corrupt block_size=0\n'
err_is "block size 0" "block size 0" "$VMDIVE" info "$T/bad-bs.kdump"
gen bad-bitmap.kdump 'corrupt bitmap-short\n'
err_is "max_mapnr" "short bitmap" "$VMDIVE" info "$T/bad-bitmap.kdump"
gen bad-trunc.kdump 'corrupt truncate=6000\n'
err_is "bad-trunc.kdump" "truncated" "$VMDIVE" info "$T/bad-trunc.kdump"
gen bad-csize.kdump 'corrupt csize-gt-block\n'
err_is "larger than the block size" "compressed size" "$VMDIVE" rd -p "$T/bad-csize.kdump" 0 16
gen bad-len.kdump 'corrupt bad-decompress-length\n'
err_is "decompresses to 0x800 bytes" "decompressed length" "$VMDIVE" rd -p "$T/bad-len.kdump" 0 16

if ((nfail)); then
    echo "kdump_synth: $nfail failure(s)"
    exit 1
fi
echo "kdump_synth: ok"
