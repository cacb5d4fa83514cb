#!/bin/bash
# Parallel scans: per codec, the codec's speed on one core on a dump's pages
# (no scan machinery), the scan's throughput over the same pages with 1 and
# with all CPUs, and the ratio to CPUs x one core; then `search` of all
# RAM through the scan and page by page (VMDIVE_NO_SCAN=1), and crash's
# `search -p` when crash reads the file (report only: never fails on numbers).
#
#   bench/scan.sh VMDIVE_BIN [--variant crash-bug]
#
# Files: the sample's makedumpfile -d 0 outputs (zlib, lzo, zstd, none:
# every page of RAM) and a snappy one recompressed from the zlib file by
# tests/gen/kdump_recompress (no packaged tool writes snappy).  lz4 and
# memcpy are measured on the decoded pages of each file (makedumpfile has
# no lz4 pages).  scan_bench and kdump_recompress are looked for next to
# VMDIVE_BIN in tests/ (VD_BIN_DIR overrides).
set -euo pipefail
usage() { echo "usage: $0 VMDIVE_BIN [--variant V]" >&2; exit 2; }
(($# >= 1)) || usage
vmdive=$(readlink -f "$1"); shift
variant=crash-bug
while (($#)); do
    case $1 in
        --variant) variant=$2; shift 2 ;;
        *) usage ;;
    esac
done
bin=${VD_BIN_DIR:-$(dirname "$vmdive")/tests}
D=${VMDIVE_DUMPS:-/var/cache/vmdive/dumps}/$variant
[[ -e $D/meta.env ]] || { echo "$0: no $D/meta.env" >&2; exit 1; }
[[ -x $bin/scan_bench ]] || { echo "$0: no $bin/scan_bench (build the tests)" >&2; exit 1; }
eval "$(grep -E '^(VMLINUX|ARCH)=' "$D/meta.env")"
marker=$(sed -n 's/^MARKER=.*\\ //p' "$D/meta.env")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "# $(nproc) CPUs online, load average $(cut -d' ' -f1-3 /proc/loadavg)"
files=()
for c in zlib-d0 lzo-d0 zstd-d0 none-d0; do
    [[ -f $D/vmcore.kdump-$c ]] && files+=("$D/vmcore.kdump-$c")
done
if [[ -f $D/vmcore.kdump-zlib-d0 && -x $bin/kdump_recompress ]]; then
    "$bin/kdump_recompress" -c snappy "$D/vmcore.kdump-zlib-d0" "$tmp/vmcore.kdump-snappy-d0" >/dev/null
    files+=("$tmp/vmcore.kdump-snappy-d0")
fi
((${#files[@]})) || { echo "$0: no makedumpfile -d 0 files in $D" >&2; exit 1; }
for f in "${files[@]}"; do
    "$bin/scan_bench" "$f"
done

# wall seconds of a command (best of 3), output to $tmp/out
best() {
    local b=
    for _ in 1 2 3; do
        local t0 t1
        t0=$(date +%s.%N)
        "$@" >"$tmp/out" 2>&1 || true
        t1=$(date +%s.%N)
        b=$(python3 -c "import sys; a=float(sys.argv[2])-float(sys.argv[1]); b=sys.argv[3]; print(min(a, float(b)) if b else a)" "$t0" "$t1" "$b")
    done
    printf '%.2f' "$b"
}
# best of 3 of a command: "WALL CPU" seconds (CPU = user + sys of the
# process and its threads; the machine is shared, so CPU is the figure
# that compares), output to $tmp/out
measure() {
    local bw= bc=
    for _ in 1 2 3; do
        /usr/bin/time -f '%e %U %S' -o "$tmp/time" "$@" >"$tmp/out" 2>"$tmp/err" || true
        # (time's first line says so when the command exits non-zero)
        read -r w u s < <(tail -n 1 "$tmp/time") || true
        bw=$(python3 -c "import sys; a=float(sys.argv[1]); b=sys.argv[2]; print(min(a, float(b)) if b else a)" "$w" "$bw")
        bc=$(python3 -c "import sys; a=float(sys.argv[1])+float(sys.argv[2]); b=sys.argv[3]; print(min(a, float(b)) if b else a)" "$u" "$s" "$bc")
    done
    printf '%.2f/%.2f' "$bw" "$bc"
}
[[ -x /usr/bin/time ]] || { echo "$0: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }

kva=$("$vmdive" ptov "${files[0]}" 0 2>/dev/null | awk '/direct map|linear map/ { print $2; exit }') || true
echo
echo "# over all RAM, wall/CPU seconds, best of 3 each: scan (matching on threads),"
echo "# scan with matching on the caller's thread (VMDIVE_SEARCH_INLINE=1), page by page"
echo "# (VMDIVE_NO_SCAN=1); search of two strings, of a value; rd -o of the direct map's"
echo "# first 256 MiB (kernel virtual: translated, then scanned)"
printf '%-24s %-22s %11s %11s %11s\n' file what scan inline page-by-page
for f in "${files[@]}"; do
    name=$(basename "$f")
    for what in strings value rd-kvirt; do
        case $what in
            strings) cmd=(search -p "$f" -c "$marker" "Linux version") ;;
            value) cmd=(search -p "$f" 0x1122334455667788) ;;
            rd-kvirt) [[ -n $kva ]] || continue
                      cmd=(rd -o - "$f" "0x$kva" $((256 << 20))) ;;
        esac
        a=$(measure "$vmdive" "${cmd[@]}")
        cp "$tmp/out" "$tmp/out.a"
        b=-
        [[ $what != rd-kvirt ]] && b=$(measure env VMDIVE_SEARCH_INLINE=1 "$vmdive" "${cmd[@]}")
        c=$(measure env VMDIVE_NO_SCAN=1 "$vmdive" "${cmd[@]}")
        same=same
        cmp -s "$tmp/out" "$tmp/out.a" || same=DIFFERENT
        printf '%-24s %-22s %11s %11s %11s   (%s output)\n' "$name" "$what" "$a" "$b" "$c" "$same"
    done
done

echo
echo "# search -p -c MARKER over all RAM (seconds, best of 3)"
printf '%-28s %10s %12s %10s\n' file scan page-by-page crash
for f in "${files[@]}"; do
    s=$(best "$vmdive" search -p "$f" -c "$marker")
    hits=$(grep -c . "$tmp/out" || true)
    p=$(best env VMDIVE_NO_SCAN=1 "$vmdive" search -p "$f" -c "$marker")
    c=-
    if command -v crash >/dev/null && [[ -f ${VMLINUX:-} && $f != "$tmp"/* ]]; then
        printf 'quit\n' >"$tmp/q"
        printf 'search -p -c %s\nquit\n' "$marker" >"$tmp/s"
        q=$(best crash -s -i "$tmp/q" "$VMLINUX" "$f")
        t=$(best crash -s -i "$tmp/s" "$VMLINUX" "$f")
        c=$(python3 -c "import sys; print('%.2f' % (float(sys.argv[1]) - float(sys.argv[2])))" "$t" "$q")
    fi
    printf '%-28s %10s %12s %10s   (%s hits)\n' "$(basename "$f")" "$s" "$p" "$c" "$hits"
done
echo "(crash: search run minus crash's start-up alone)"
