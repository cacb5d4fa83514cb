#!/bin/bash
# Parallel scans (vd_dump_scan_*) on makedumpfile's outputs: one sample per
# architecture that has the most of them (every codec makedumpfile writes:
# zlib, lzo, zstd, none; -d 0 and -d 31), a snappy file made from the
# -d 31 zlib one by tests/gen/kdump_recompress (no packaged tool writes
# snappy), and a copy of a -d 31 file cut at 60% of its size.  For each:
#   - test_formats_scan FILE 2: every piece of a scan of all memory (2
#     threads, page by page and skipping holes) against vd_dump_read() of
#     the same pages: the same bytes, the same error code and message;
#   - rd -p -o of all RAM through the scan against VMDIVE_NO_SCAN=1 (the
#     page-by-page path): the same bytes and the same unreadable ranges;
#   - search of the sample's marker: the same hits both ways.
#   - search of two strings (the marker and "Linux version") and of a
#     masked value: hits matched on the scan's threads, printed in the
#     same order as page by page.
# On one -d 31 file per architecture and on the cut copy (unless its page
# tables are past the cut), kernel virtual
# rd -o (translated into physical runs, read through one scan) against
# the page-by-page path: the direct/linear map over all RAM, the kernel
# image and 64 MiB at the start of vmalloc (mostly unmapped, single pages).
# The bytes themselves are held against the ELF dump the files were made
# from by test_kdump_real.sh, whose rd -p -o now reads through the scan.
#   bash test_scan_real.sh VMDIVE   (VD_BIN_DIR: where test_formats_scan
#                                    and kdump_recompress are)
set -u
VMDIVE=${1:?usage: test_scan_real.sh VMDIVE}
CACHE=${VMDIVE_CACHE:-/var/cache/vmdive}
BIN=${VD_BIN_DIR:-$(dirname "$VMDIVE")/tests}
SCAN=$BIN/test_formats_scan
RECOMP=$BIN/kdump_recompress
[[ -x $SCAN && -x $RECOMP ]] || { echo "scan_real: no $SCAN or $RECOMP (set VD_BIN_DIR)"; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
nfail=0
nchecked=0
fail() { echo "FAIL: $*"; nfail=$((nfail + 1)); }

# The sample of each architecture with the most kdump files.
declare -A best bestn ram     # ram[FILE]: "FIRST LAST" of its memory
for d in "$CACHE"/dumps/*/; do
    [[ -f $d/meta.env ]] || continue
    arch=$(sed -n 's/^ARCH=//p' "$d/meta.env")
    n=$(ls "$d" | grep -c 'kdump-')
    if ((n > ${bestn[$arch]:-0})); then best[$arch]=$d; bestn[$arch]=$n; fi
done
((${#best[@]})) || { echo "scan_real: no kdump files under $CACHE/dumps (samples/make-dumps.sh --makedumpfile)"; exit 77; }

check_file() {
    local f=$1 name=$2 marker=$3 out
    nchecked=$((nchecked + 1))
    if ! out=$("$SCAN" "$f" 2 2>&1); then
        fail "$name: scan and page-by-page reads differ:"; echo "$out" | head -20
    else
        grep -v '^range ' <<<"$out"
    fi
    # All RAM, first to last address the dump holds, both ways.
    local first last
    first=$(awk '$1 == "range" { print $2; exit }' <<<"$out")
    last=$(awk '$1 == "range" { e = $3 } END { print e }' <<<"$out")
    if [[ -z $first || -z $last ]]; then fail "$name: no memory ranges"; return; fi
    first=$((first)); last=$((last))
    ram[$f]="$first $last"
    "$VMDIVE" rd -p -o "$T/scan.bin" "$f" "$first" $((last - first)) 2>"$T/scan.err"
    VMDIVE_NO_SCAN=1 "$VMDIVE" rd -p -o "$T/page.bin" "$f" "$first" $((last - first)) 2>"$T/page.err"
    cmp -s "$T/scan.bin" "$T/page.bin" || fail "$name: rd -p -o bytes differ (scan vs page by page)"
    cmp -s "$T/scan.err" "$T/page.err" || { fail "$name: rd -p -o unreadable ranges differ"; diff "$T/scan.err" "$T/page.err" | head -5; }
    [[ -s $T/scan.bin ]] || fail "$name: rd -p -o wrote nothing"
    echo "$name: rd -p -o of 0x$(printf %x $((last - first))) bytes: $(grep -c unreadable "$T/scan.err") unreadable-range lines, same both ways"
    rm -f "$T/scan.bin" "$T/page.bin"
    if [[ -n $marker ]]; then
        "$VMDIVE" search -p "$f" -c "$marker" >"$T/s1" 2>&1
        VMDIVE_NO_SCAN=1 "$VMDIVE" search -p "$f" -c "$marker" >"$T/s2" 2>&1
        cmp -s "$T/s1" "$T/s2" || fail "$name: search hits differ (scan vs page by page)"
        [[ -s $T/s1 ]] || fail "$name: search found no marker"
        "$VMDIVE" search -p "$f" -c "Linux version" "$marker" >"$T/s1" 2>&1
        VMDIVE_NO_SCAN=1 "$VMDIVE" search -p "$f" -c "Linux version" "$marker" >"$T/s2" 2>&1
        cmp -s "$T/s1" "$T/s2" || fail "$name: search of two strings differs (scan vs page by page)"
        "$VMDIVE" search "$f" -m ffff00000000ffff 0x0000ffffffff0000 --max 300 >"$T/s1" 2>&1
        VMDIVE_NO_SCAN=1 "$VMDIVE" search "$f" -m ffff00000000ffff 0x0000ffffffff0000 --max 300 >"$T/s2" 2>&1
        cmp -s "$T/s1" "$T/s2" || fail "$name: search of a masked value differs (scan vs page by page)"
    fi
}

# Kernel virtual rd -o of [VA, VA + LEN) both ways.
rd_kvirt() {
    local f=$1 name=$2 va=$3 len=$4 what=$5
    "$VMDIVE" rd -o "$T/scan.bin" "$f" "$va" "$len" 2>"$T/scan.err"
    VMDIVE_NO_SCAN=1 "$VMDIVE" rd -o "$T/page.bin" "$f" "$va" "$len" 2>"$T/page.err"
    cmp -s "$T/scan.bin" "$T/page.bin" || fail "$name: rd -o $what: bytes differ (scan vs page by page)"
    cmp -s "$T/scan.err" "$T/page.err" || { fail "$name: rd -o $what: unreadable ranges differ"; diff "$T/scan.err" "$T/page.err" | head -5; }
    [[ -s $T/scan.bin ]] || fail "$name: rd -o $what wrote nothing"
    echo "$name: rd -o $what (0x$(printf %x $((len))) bytes at $va): $(grep -c unreadable "$T/scan.err") unreadable-range lines, same both ways"
    rm -f "$T/scan.bin" "$T/page.bin"
}

check_kvirt() {
    local f=$1 name=$2 cut=${3:-} out first last lin img vm
    [[ -n ${ram[$f]:-} ]] || return
    read -r first last <<<"${ram[$f]}"
    lin=$("$VMDIVE" ptov "$f" "$(printf %x $first)" 2>/dev/null | awk '/direct map|linear map/ { print $2; exit }')
    # A copy cut short may have lost the page tables: nothing translates.
    if [[ -z $lin && -n $cut ]] && ! "$VMDIVE" vtop "$f" linux_banner >/dev/null 2>&1; then
        echo "$name: no translation (the page tables are past the cut): kernel virtual rd -o not checked"
        return
    fi
    [[ -n $lin ]] && rd_kvirt "$f" "$name" "0x$lin" $((last - first)) "direct map of all RAM"
    [[ -n $lin ]] || fail "$name: no direct-map address of 0x$(printf %x $first)"
    out=$("$VMDIVE" info "$f" 2>/dev/null)
    img=$(awk '/kernel text mapping|kernel image/ && $2 == "-" { print $1; exit }' <<<"$out")
    vm=$(awk '/ vmalloc/ && $2 == "-" { print $1; exit }' <<<"$out")
    [[ -n $img ]] && rd_kvirt "$f" "$name" "0x$img" $((64 << 20)) "kernel image"
    [[ -n $vm ]] && rd_kvirt "$f" "$name" "0x$vm" $((64 << 20)) "vmalloc"
    [[ -n $img && -n $vm ]] || fail "$name: no kernel image or vmalloc region in info"
}

for arch in "${!best[@]}"; do
    d=${best[$arch]}
    # The marker's random part, which the guest wrote to its console.
    marker=$(sed -n 's/^MARKER=.*\\ //p' "$d/meta.env")
    for f in "$d"/vmcore*kdump-*; do
        check_file "$f" "$(basename "$d")/$(basename "$f")" "$marker"
    done
    f=$(ls "$d"/vmcore*kdump-zstd-d31 "$d"/vmcore*kdump-*-d31 2>/dev/null | head -1)
    [[ -n $f ]] && check_kvirt "$f" "$(basename "$d")/$(basename "$f")"

    src=$(ls "$d"/vmcore*kdump-zlib-d31 2>/dev/null | head -1)
    if [[ -n $src ]]; then
        "$RECOMP" -c snappy "$src" "$T/snappy.kdump" >/dev/null 2>&1 || fail "kdump_recompress $src"
        [[ -f $T/snappy.kdump ]] && check_file "$T/snappy.kdump" "$(basename "$d")/snappy" "$marker"
        rm -f "$T/snappy.kdump"
        size=$(stat -c %s "$src")
        head -c $((size * 6 / 10)) "$src" >"$T/cut.kdump"
        check_file "$T/cut.kdump" "$(basename "$d")/zlib-d31 cut at 60%" ""
        check_kvirt "$T/cut.kdump" "$(basename "$d")/zlib-d31 cut at 60%" cut
        rm -f "$T/cut.kdump"
    fi
done
echo "scan_real: $nchecked files, $nfail failures"
((nfail == 0))
