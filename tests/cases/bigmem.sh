#!/bin/bash
# Big machines (issue "Big machines"): kdump files of 64 GiB, 1 TiB and
# 16 TiB machines, 1024 CPUs, a 16-way split set and an ELF vmcore of 1,000
# PT_LOADs, all written here by tests/gen as sparse files, must answer the
# same questions with the same results as a small dump holding the same
# present pages.  Expected bytes and counts are constructed from the
# descriptions (fill pages, mkelf's pattern formula), never recorded from
# vmdive.  No timing is asserted.
#   bash bigmem.sh VMDIVE TESTS_BUILD_DIR
set -u
VMDIVE=${1:?usage: bigmem.sh VMDIVE TESTS_BUILD_DIR}
BUILD=${2:?usage: bigmem.sh VMDIVE TESTS_BUILD_DIR}
MK=$BUILD/mkdiskdump MKELF=$BUILD/mkelf
[[ -x $MK && -x $MKELF ]] || { echo "bigmem: no $MK or $MKELF"; exit 99; }
command -v python3 >/dev/null || { echo "bigmem: needs python3"; exit 77; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
nfail=0 nok=0
fail() { echo "FAIL: $*"; nfail=$((nfail + 1)); }
ok() { nok=$((nok + 1)); }

# The present pages, the same in every dump: 0x200 pattern pages, fill
# pages in the first bitmap chunk and in the second (PFN 0x40000 on: the
# reader streams the bitmaps in chunks of 2^18 PFNs), excluded RAM on both
# sides of that boundary, and zero pages (dump level 31 shares them).
# 0x40200 pages of RAM in all, 0x40200 - 0x18 - 0x1fe00 excluded.
pages() {
    cat <<'EOF'
version = 6
compression = zstd
dump_level = 31
release = 6.1.0-vd
vmcoreinfo = OSRELEASE=6.1.0-vd;PAGESIZE=4096;CRASHTIME=1700000000
pages 0-0x1ff pattern 5
page 0x10 fill 0xa5
pages 0x20-0x2f zero
pages 0x200-0x1ffff excluded
pages 0x3fff8-0x3ffff fill 0x3c
pages 0x40000-0x40007 fill 0xc3
pages 0x40008-0x400ff excluded
pages 0x40100-0x401ff fill 0x5a
EOF
}
# Constructed answers: RAM 0x40200 pages; in the dump all but the excluded.
RAM_PAGES=$((0x200 + (0x20000 - 0x200) + 8 + 8 + 0xf8 + 0x100))
DUMPED=$((RAM_PAGES - (0x20000 - 0x200) - 0xf8))

# gen NAME MAX_MAPNR [EXTRA...]: the pages above in a file of that size.
gen() {
    local name=$1 max=$2
    shift 2
    { pages; echo "max_mapnr = $max"; printf '%s\n' "$@"; } >"$T/$name.desc"
    "$MK" "$T/$name.desc" "$T/$name" || fail "mkdiskdump $name"
}

bytes() { python3 -c 'import sys; sys.stdout.buffer.write(bytes([int(sys.argv[2], 0)]) * int(sys.argv[1], 0))' "$@"; }

# rd_is WHAT EXPECTED-FILE PADDR LEN DUMPS...
rd_is() {
    local what=$1 want=$2 addr=$3 len=$4
    shift 4
    rm -f "$T/out.bin"
    if ! "$VMDIVE" rd -p -o "$T/out.bin" "$@" "$addr" "$len" >"$T/rd.txt" 2>&1; then
        fail "$what: rd -p $addr: $(head -c 300 "$T/rd.txt")"
    elif ! cmp -s "$T/out.bin" "$want"; then
        fail "$what: bytes at $addr differ from the constructed ones"
    else
        ok
    fi
}

# rd_fails WHAT SUBSTRING PADDR DUMPS...
rd_fails() {
    local what=$1 want=$2 addr=$3
    shift 3
    if "$VMDIVE" rd -p "$@" "$addr" >"$T/rd.txt" 2>&1; then
        fail "$what: rd -p $addr read what is not in the dump"
    elif ! grep -q -- "$want" "$T/rd.txt"; then
        fail "$what: rd -p $addr: want \"$want\", got: $(head -c 300 "$T/rd.txt")"
    else
        ok
    fi
}

# info_is WHAT KEY VALUE DUMPS...: a line of `info` (text).
info_is() {
    local what=$1 key=$2 want=$3 got
    shift 3
    got=$("$VMDIVE" info "$@" 2>&1 | sed -n "s/^ *$key  *//p" | head -1)
    if [[ $got == "$want" ]]; then ok; else fail "$what: info $key: want \"$want\", got \"$got\""; fi
}

bytes 4096 0xa5 >"$T/a5"
bytes 4096 0x3c >"$T/3c"
bytes 4096 0xc3 >"$T/c3"
bytes 4096 0x5a >"$T/5a"
bytes 4096 0 >"$T/zero"

# questions DUMPS...: what every kdump below must answer alike.
questions() {
    local what=$1
    shift
    info_is "$what" ram_pages "$RAM_PAGES" "$@"
    info_is "$what" pages_in_dump "$DUMPED" "$@"
    info_is "$what" excluded_pages "$((RAM_PAGES - DUMPED))" "$@"
    rd_is "$what fill page" "$T/a5" 0x10000 4096 "$@"
    rd_is "$what zero page" "$T/zero" 0x28000 4096 "$@"
    rd_is "$what last page of chunk 0" "$T/3c" 0x3ffff000 4096 "$@"
    rd_is "$what first page of chunk 1" "$T/c3" 0x40000000 4096 "$@"
    rd_is "$what after excluded pages" "$T/5a" 0x401ff000 4096 "$@"
    rd_fails "$what excluded (chunk 0)" "excluded" 0x1ffff000 "$@"
    rd_fails "$what excluded (chunk 1)" "excluded" 0x40008000 "$@"
    rd_fails "$what not RAM" "not" 0x40200000 "$@"
    # Pattern pages: the same bytes as the small dump's (both read now).
    "$VMDIVE" rd -p -o "$T/pat.bin" "$@" 0x0 0x200000 >/dev/null 2>&1 &&
        cmp -s "$T/pat.bin" "$T/pat.small" && ok ||
        fail "$what: pattern pages 0-0x1ff differ from the small dump's"
}

# The small dump: just enough PFNs for the pages.
gen small 0x40200
"$VMDIVE" rd -p -o "$T/pat.small" "$T/small" 0x0 0x200000 >/dev/null 2>&1 ||
    fail "small: rd -p of the pattern pages"
questions small "$T/small"
# rd -o over 64 MiB the dump excluded, ending in the hole: the file keeps the
# offsets as holes (no disk written), the same bytes as the piped output
# (written zeros), and zeros they are.
"$VMDIVE" rd -p -o "$T/holes.bin" "$T/small" 0x0 0x4000000 >/dev/null 2>&1
"$VMDIVE" rd -p -o - "$T/small" 0x0 0x4000000 2>/dev/null >"$T/holes.pipe"
[[ $(stat -c %s "$T/holes.bin") == $((0x4000000)) ]] && ok ||
    fail "rd -o over excluded memory: file size $(stat -c %s "$T/holes.bin")"
(( $(stat -c %b "$T/holes.bin") * $(stat -c %B "$T/holes.bin") < (16 << 20) )) && ok ||
    fail "rd -o over excluded memory: $(du -k "$T/holes.bin") KiB written, not holes"
cmp -s "$T/holes.bin" "$T/holes.pipe" && ok || fail "rd -o: file and piped bytes differ"
cmp -s -n $((0x1000)) "$T/holes.bin" "$T/a5" -i $((0x10000)):0 && ok ||
    fail "rd -o: fill page not at its offset"
cmp -s -i $((0x2000000)) -n $((0x2000000)) "$T/holes.bin" /dev/zero && ok ||
    fail "rd -o: the excluded tail does not read as zeros"
rm -f "$T/holes.bin" "$T/holes.pipe"

for size in 64G:$((64 << 18)) 1T:$((1 << 28)) 16T:$((16 << 28)); do
    name=${size%%:*} max=${size#*:}
    gen "big$name" "$max"
    questions "$name" "$T/big$name"
    info_is "$name" max_mapnr "$(printf '0x%x' "$max")" "$T/big$name"
    rm -f "$T/big$name"
done
# The top PFN of a 16 TiB machine reads (the last chunk, the last byte of
# the bitmaps).
gen top16T $((16 << 28)) "page $(((16 << 28) - 1)) fill 0x3c"
rd_is "16T top page" "$T/3c" "$(printf 0x%x $((((16 << 28) - 1) * 4096)))" 4096 "$T/top16T"
info_is "16T top page" ram_pages "$((RAM_PAGES + 1))" "$T/top16T"
rm -f "$T/top16T"

# A 16-way split set of a 1 TiB machine: every part, in shuffled order.
parts=()
for k in $(seq 1 16); do
    gen "part$k" $((1 << 28)) "split = $k/16"
    parts+=("$T/part$k")
done
shuffled=("${parts[@]:7}" "${parts[@]:0:7}")
questions "16-way split" "${shuffled[@]}"
info_is "16-way split" split_parts 16 "${shuffled[@]}"
rm -f "${parts[@]}"

# Flattened (makedumpfile -F) with records of 64 bytes, shuffled, the
# header rewritten at the end: ~36,000 records remapped under the reader.
gen flat 0x40200 "flatten = yes shuffle overwrite-header" "flat_chunk = 64"
questions "flattened, small records" "$T/flat"
rm -f "$T/flat"

# 1024 CPUs: every NT_PRSTATUS in order, with its own registers.
{ pages; echo "max_mapnr = 0x40200"
  for i in $(seq 0 1023); do echo "cpu pid=$((i + 1)) rip=$((0x1000 + i)) rsp=$((0x100000 + 16 * i))"; done
} >"$T/cpus.desc"
"$MK" "$T/cpus.desc" "$T/cpus" || fail "mkdiskdump cpus"
questions "1024 CPUs" "$T/cpus"
info_is "1024 CPUs" "cpu notes" "1024 (pid 1-1024)" "$T/cpus"
"$VMDIVE" info --json "$T/cpus" >"$T/cpus.json" 2>&1
python3 - "$T/cpus.json" <<'EOF' && ok || fail "1024 CPUs: info --json cpus"
import json, sys
d = json.load(open(sys.argv[1]))
pids = [c["pid"] for c in d["cpus"]]
sys.exit(0 if pids == list(range(1, 1025)) else 1)
EOF

# An ELF vmcore of 1,000 PT_LOADs of 4 KiB, 64 KiB apart: each reads its
# own pattern (mkelf: byte at a = (a + (a >> 8) + (a >> 16) + seed) & 0xff)
# and the gaps between them are not in the dump.
{ echo "arch = x86_64"
  echo "vmcoreinfo = OSRELEASE=6.1.0-vd;PAGESIZE=4096"
  for i in $(seq 0 999); do echo "load paddr=$((i * 0x10000)) size=0x1000"; done
  for i in $(seq 0 999); do echo "pattern $((i * 0x10000)) 0x1000 $((i % 251))"; done
} >"$T/loads.desc"
"$MKELF" "$T/loads.desc" "$T/loads" || fail "mkelf loads"
info_is "1000 PT_LOADs" "memory in dump" "3.9 MiB in 1000 ranges" "$T/loads"
for i in 0 1 499 500 998 999; do
    python3 -c 'import sys
i = int(sys.argv[1]); base = i * 0x10000
sys.stdout.buffer.write(bytes(((a + (a >> 8) + (a >> 16) + i % 251) & 0xff) for a in range(base, base + 0x1000)))' "$i" >"$T/load.want"
    rd_is "PT_LOAD $i" "$T/load.want" "$(printf 0x%x $((i * 0x10000)))" 4096 "$T/loads"
done
rd_fails "between PT_LOADs" "not in the dump" "$(printf 0x%x $((500 * 0x10000 + 0x1000)))" "$T/loads"
rd_fails "past the last PT_LOAD" "not in the dump" "$(printf 0x%x $((1000 * 0x10000)))" "$T/loads"

echo "bigmem: $nok checks passed, $nfail failed"
[[ $nfail -eq 0 ]]
