#!/bin/bash
# search -p over a kdump file from mkdiskdump, matching on the scan's
# threads (VMDIVE_SCAN_THREADS=3), on the caller's (VMDIVE_SEARCH_INLINE=1)
# and page by page (VMDIVE_NO_SCAN=1), each held against the hits computed
# here from the description: strings and values placed in pages (one
# across a page and 1 MiB chunk boundary, some beside excluded pages), in
# the order search prints them (each 1 MiB chunk of a readable run, term
# by term, overlapping by the longest string less one), and --max.
#   bash search_synth.sh VMDIVE TESTS_BUILD_DIR
set -u
VMDIVE=${1:?usage: search_synth.sh VMDIVE TESTS_BUILD_DIR}
BUILD=${2:?usage: search_synth.sh VMDIVE TESTS_BUILD_DIR}
MK=$BUILD/mkdiskdump
[[ -x $MK ]] || { echo "search_synth: no $MK"; exit 99; }
command -v python3 >/dev/null || { echo "search_synth: needs python3"; exit 77; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
nfail=0
fail() { echo "FAIL: $*"; nfail=$((nfail + 1)); }

# The description and the expected hits, from one python table.
python3 - "$T" <<'EOF'
import struct, sys
T = sys.argv[1]
PAGE, NPAGES, CHUNK = 4096, 0xa00, 1 << 20
mem = bytearray(PAGE * NPAGES)
excluded = set(range(0x300, 0x310)) | {0x5ff, 0x601}
lines = ["version = 6", "compression = %s", "dump_level = 31", "release = 6.1.0-vd",
         "vmcoreinfo = OSRELEASE=6.1.0-vd;PAGESIZE=4096;CRASHTIME=1700000000",
         "max_mapnr = 0x%x" % NPAGES, "pages 0-0x%x zero" % (NPAGES - 1)]
for p in sorted(excluded):
    lines.append("page 0x%x excluded" % p)
def put_bytes(page, s):
    lines.append('page 0x%x bytes "%s"' % (page, s))
    mem[page * PAGE:page * PAGE + len(s)] = s.encode()
def put_u64(page, off, v):
    lines.append("page 0x%x u64 0x%x 0x%x" % (page, off, v))
    mem[page * PAGE + off:page * PAGE + off + 8] = struct.pack("<Q", v)
# Page starts of chunks k (k * (CHUNK - overlap)) are not page aligned:
# strings at page starts, values at 8-byte offsets, one string split over
# the end of page 0xff and the start of page 0x100 (the first chunk's end):
# "xxvmdive" + "-needle", which holds both terms.
for p in (0x1, 0x42, 0x100, 0x2ff, 0x310, 0x600, 0x602, 0x7ff, 0x9ff):
    put_bytes(p, "-needle" if p == 0x100 else "vmdive-needle")
put_u64(0xff, 0xff8, int.from_bytes(b"xxvmdive", "little"))
for p, off in ((0x3, 0x10), (0x44, 0xff8), (0x200, 0x0), (0x5fe, 0xff8), (0x700, 0x808)):
    put_u64(p, off, 0x1122334455667788)
put_u64(0x45, 0x0, 0x1122334455667788)
put_u64(0x46, 0x8, 0x1122334400000000)   # differs: not a hit
for c in ("zlib", "lzo", "zstd"):
    open("%s/%s.desc" % (T, c), "w").write("\n".join(lines).replace("%s", c, 1) + "\n")

# Readable runs (pages not excluded), each cut into chunks as search cuts them.
runs, start = [], None
for p in range(NPAGES + 1):
    ok = p < NPAGES and p not in excluded
    if ok and start is None:
        start = p
    if not ok and start is not None:
        runs.append((start * PAGE, p * PAGE)); start = None
def chunks(overlap):
    for a, b in runs:
        base = a
        while True:
            end = min(base + CHUNK, b)
            yield base, end
            if end >= b:
                break
            base = end - overlap
def strings(terms, limit=None):
    out, overlap = [], max(len(t) for t in terms) - 1
    for a, b in chunks(overlap):
        buf = bytes(mem[a:b])
        for t in terms:
            i = buf.find(t.encode())
            while i >= 0:
                out.append("%x: %s" % (a + i, t))
                i = buf.find(t.encode(), i + 1)
    return out
def values(v):
    out = []
    for a, b in chunks(0):
        for off in range(0, b - a, 8):
            if struct.unpack_from("<Q", mem, a + off)[0] == v:
                out.append("%x: %016x" % (a + off, v))
    return out
two = strings(["vmdive-needle", "xxvmdive-needle"])
open(T + "/two.want", "w").write("\n".join(two) + "\n")
open(T + "/max.want", "w").write("\n".join(two[:5]) + "\n")
open(T + "/value.want", "w").write("\n".join(values(0x1122334455667788)) + "\n")
EOF

for c in zlib lzo zstd; do
    "$MK" "$T/$c.desc" "$T/$c.kdump" || { fail "mkdiskdump $c"; continue; }
    for how in threads inline pages; do
        case $how in
            threads) env=(VMDIVE_SCAN_THREADS=3) ;;
            inline) env=(VMDIVE_SCAN_THREADS=3 VMDIVE_SEARCH_INLINE=1) ;;
            pages) env=(VMDIVE_NO_SCAN=1) ;;
        esac
        env "${env[@]}" "$VMDIVE" search -p "$T/$c.kdump" -c vmdive-needle xxvmdive-needle \
            >"$T/out" 2>"$T/err"
        cmp -s "$T/out" "$T/two.want" || { fail "$c, $how: two strings"; diff "$T/two.want" "$T/out" | head -5; }
        env "${env[@]}" "$VMDIVE" search -p "$T/$c.kdump" -c vmdive-needle xxvmdive-needle --max 5 \
            >"$T/out" 2>"$T/err"
        cmp -s "$T/out" "$T/max.want" || { fail "$c, $how: --max 5"; diff "$T/max.want" "$T/out" | head -5; }
        grep -q "stopped after 5 matches" "$T/err" || fail "$c, $how: --max 5 not said"
        env "${env[@]}" "$VMDIVE" search -p "$T/$c.kdump" 0x1122334455667788 >"$T/out" 2>"$T/err"
        cmp -s "$T/out" "$T/value.want" || { fail "$c, $how: a value"; diff "$T/value.want" "$T/out" | head -5; }
    done
done
[[ $(wc -l <"$T/two.want") -ge 10 ]] || fail "the table placed fewer strings than meant"
grep -q "^ff[0-9a-f]\{3\}: xxvmdive-needle" "$T/two.want" || fail "no string across the first chunk's end"

if ((nfail)); then
    echo "search_synth: $nfail failure(s)"
    exit 1
fi
echo "search_synth: ok ($(wc -l <"$T/two.want") string hits, $(wc -l <"$T/value.want") value hits)"
