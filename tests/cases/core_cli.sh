#!/bin/bash
# Process cores through the vmdive CLI, on synthetic cores made by mkelf.
#   bash core_cli.sh VMDIVE TESTS_BUILD_DIR
# The "executable" the core maps is the mkelf binary itself, laid out at a
# chosen base from what readelf says of its PT_LOADs, with only its ELF
# header page dumped (as the kernel does).  Expected values come from
# readelf, nm and dd on that file and from the description, never from
# vmdive's own output.  Also: compressed cores (zstd, lz4, xz CLIs),
# truncated streams, a decompression bomb, systemd-coredump xattrs, a file
# that changed since the crash, malformed cores.
set -u
VMDIVE=${1:?usage: core_cli.sh VMDIVE TESTS_BUILD_DIR}
BUILD=${2:?usage: core_cli.sh VMDIVE TESTS_BUILD_DIR}
MKELF=$BUILD/mkelf
[[ -x $MKELF ]] || { echo "core_cli: no $MKELF"; exit 99; }
for t in python3 readelf nm; do
    command -v $t >/dev/null || { echo "core_cli: needs $t"; exit 77; }
done
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
npass=0 nfail=0
fail() { echo "FAIL: $*"; nfail=$((nfail + 1)); }
ok() { npass=$((npass + 1)); }
eq() { if [[ $1 == "$2" ]]; then ok; else fail "$3: got '$1', want '$2'"; fi; }
has() { if grep -qF -- "$2" "$1"; then ok; else fail "$3: no '$2' in: $(head -c 600 "$1")"; fi; }
BASE=0x555500000000
EXE=$T/prog
cp "$MKELF" "$EXE"

# jq-like: a Python expression over the JSON on stdin.
js() { python3 -c "import json, sys; d = json.load(sys.stdin); print(repr(($1)))"; }

# A core description mapping FILE's PT_LOADs at BASE (readelf's view).
core_desc() {
    python3 - "$1" "$BASE" <<'EOF'
import re, subprocess, sys
path, base = sys.argv[1], int(sys.argv[2], 0)
out = subprocess.run(['readelf', '-lW', path], capture_output=True, text=True).stdout
for line in out.splitlines():
    f = line.split()
    if not f or f[0] != 'LOAD':
        continue
    off, va, fsz = int(f[1], 16), int(f[2], 16), int(f[4], 16)
    start, end = base + (va & ~0xfff), base + ((va + fsz + 0xfff) & ~0xfff)
    flags = sum(v for k, v in (('R', 4), ('W', 2), ('E', 1)) if k in ''.join(f[6:-1]))
    print(f'file-map start={start:#x} end={end:#x} pgoff={off >> 12} path={path}')
    print(f'load vaddr={start:#x} size={end - start:#x} filesz={0x1000 if off < 0x1000 else 0} flags={flags}')
EOF
}

entry=$(readelf -hW "$EXE" | awk '/Entry point/ { print $4 }')
sym_off=0x$(nm "$EXE" | awk '$3 == "mkelf_build" { print $1 }')
pc=$(printf '0x%x' $((BASE + sym_off + 0x10)))
{
    echo "kind = user"
    echo "cpu pid=4242 sig=11 rip=$pc rsp=0x7ffd00000f00 rax=0x1122334455667788"
    echo "note name=CORE type=2 size=512 thread=0"
    echo "note name=LINUX type=0x202 size=2696 thread=0"
    echo "cpu pid=4243 rip=$pc"
    echo "psinfo pid=4242 ppid=1 pgrp=4242 sid=4242 uid=1000 gid=100 sname=R fname=prog args=\"./prog --crash \""
    echo "siginfo signo=11 code=1 addr=0xdead0000"
    printf 'auxv 9=0x%x 6=4096 31=0x7ffd00000ff0 15=0x7ffd00000fe0\n' $((BASE + entry))
    core_desc "$EXE"
    echo "load vaddr=0x7ffd00000000 size=0x1000 flags=6"
    echo 'bytes 0x7ffd00000fe0 "x86_64\0"'
    echo 'bytes 0x7ffd00000ff0 "./prog\0"'
    echo "filedata $BASE $EXE 0 4096"
} >"$T/core.desc"
"$MKELF" "$T/core.desc" "$T/core" || { echo "core_cli: mkelf failed"; exit 99; }
C=$T/core

# --- info
"$VMDIVE" info "$C" >"$T/info.txt" 2>&1; eq $? 0 "info exit status"
has "$T/info.txt" "executable              $EXE" "info executable (NT_FILE of AT_ENTRY)"
has "$T/info.txt" "command line            ./prog --crash" "info command line"
has "$T/info.txt" "11 SIGSEGV (SEGV_MAPERR), fault address 0xdead0000" "info signal"
has "$T/info.txt" "mkelf_build+0x10 ($EXE)" "info pc symbol"
has "$T/info.txt" 'AT_EXECFN             0x7ffd00000ff0  "./prog"' "info AT_EXECFN string"
has "$T/info.txt" 'AT_PLATFORM           0x7ffd00000fe0  "x86_64"' "info AT_PLATFORM string"
has "$T/info.txt" "register notes: NT_FPREGSET (512 bytes), NT_X86_XSTATE (2696 bytes)" "info regsets"
"$VMDIVE" info --json "$C" >"$T/info.json"
eq "$(js 'd["kind"], d["psinfo"]["uid"], d["siginfo"]["fault_address"]' <"$T/info.json")" \
   "('user', 1000, '0xdead0000')" "info --json psinfo/siginfo"
eq "$(js '[t["pid"] for t in d["threads"]], d["threads"][0]["registers"]["rax"]' <"$T/info.json")" \
   "([4242, 4243], '0x1122334455667788')" "info --json threads"
eq "$(js 'd["threads"][0]["pc_symbol"]["name"], d["threads"][0]["pc_symbol"]["offset"]' <"$T/info.json")" \
   "('mkelf_build', '0x10')" "info --json pc symbol"

# --- maps: one row per PT_LOAD; the text is not in the core but the file matches.
"$VMDIVE" maps --json "$C" >"$T/maps.json"; eq $? 0 "maps exit status"
nloads=$(readelf -lW "$EXE" | grep -c ' LOAD ')
eq "$(js 'len(d)' <"$T/maps.json")" $((nloads + 1)) "maps rows"
eq "$(js 'd[0]["in_core"], d[0]["offset"], d[0]["path"]' <"$T/maps.json")" \
   "('partial', '0x0', '$EXE')" "maps ELF header row"
eq "$(js 'sorted(set(r["file_check"] for r in d if r["in_core"] == "none"))' <"$T/maps.json")" \
   "['match']" "maps: not-dumped file rows checked by build-id"
"$VMDIVE" maps "$C" >"$T/maps.txt"
has "$T/maps.txt" "read from file (build-id matches)" "maps text"

# --- rd: bytes of the code come from the file, and rd says so.
foff=$(python3 -c "print($sym_off)")
dd if="$EXE" of="$T/want.bin" bs=1 skip="$foff" count=64 status=none
addr=$(printf '0x%x' $((BASE + sym_off)))
"$VMDIVE" rd -o "$T/got.bin" "$C" "$addr" 64 2>"$T/rd.err"; eq $? 0 "rd exit status"
cmp -s "$T/got.bin" "$T/want.bin" && ok || fail "rd: bytes at mkelf_build differ from the file"
has "$T/rd.err" "is not in the core: read from $EXE at offset $(printf '0x%x' "$foff") (build-id matches)" "rd note"
"$VMDIVE" rd --json -o "$T/got2.bin" "$C" "$addr" 64 >"$T/rd.json" 2>/dev/null
eq "$(js 'd["from_files"][0]["file_check"], d["complete"]' <"$T/rd.json")" "('match', True)" "rd --json from_files"
"$VMDIVE" rd "$C" 0x7ffd00000ff0 7 >"$T/rd2.txt" 2>&1
has "$T/rd2.txt" "2e 2f 70 72 6f 67 00" "rd from the core"
"$VMDIVE" rd "$C" 0x7ffd00001000 16 >"$T/rd3.txt" 2>&1; eq $? 1 "rd of unmapped memory fails"
has "$T/rd3.txt" "not in the dump" "rd unmapped message"

# --- sym
"$VMDIVE" sym "$C" "$pc" mkelf_build >"$T/sym.txt" 2>&1; eq $? 0 "sym exit status"
has "$T/sym.txt" "$(printf '%016x' "$pc") (T) mkelf_build+0x10 ($EXE)" "sym address"
has "$T/sym.txt" "$(printf '%016x' $((BASE + sym_off))) (T) mkelf_build ($EXE)" "sym name"
eq "$("$VMDIVE" sym --json "$C" "$pc" | js 'd[0]["bias"], d[0]["table"], d[0]["file_check"]')" \
   "('$BASE', '.symtab', 'match')" "sym --json"
"$VMDIVE" sym "$C" 0x7ffd00000ff0 >"$T/sym2.txt" 2>&1; eq $? 1 "sym of the stack fails"
has "$T/sym2.txt" "no mapped file holds this address" "sym stack message"

# --- a file that changed since the crash is not used.
cp "$EXE" "$T/prog.orig"
python3 - "$EXE" <<'EOF'
import struct, sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
phoff, = struct.unpack_from('<Q', b, 32); phnum, = struct.unpack_from('<H', b, 56)
for i in range(phnum):
    t, _, off, _, _, sz = struct.unpack_from('<IIQQQQ', b, phoff + 56 * i)
    pos = off
    while t == 4 and pos + 12 <= off + sz:
        n, d, ty = struct.unpack_from('<III', b, pos)
        if ty == 3 and b[pos + 12:pos + 16] == b'GNU\0':
            b[pos + 16] ^= 0xff
            open(p, 'wb').write(b)
            sys.exit(0)
        pos += 12 + (n + 3 & ~3) + (d + 3 & ~3)
sys.exit(1)
EOF
eq $? 0 "test setup: flip a byte of the build-id"
"$VMDIVE" rd "$C" "$addr" 16 >"$T/rd4.txt" 2>&1; eq $? 1 "rd refuses a changed file"
has "$T/rd4.txt" "changed since the crash" "rd changed-file message"
"$VMDIVE" maps "$C" >"$T/maps2.txt" 2>&1
has "$T/maps2.txt" "not readable: file changed since the crash" "maps changed file"
"$VMDIVE" sym "$C" "$pc" >"$T/sym3.txt" 2>&1; eq $? 1 "sym refuses a changed file"
cp "$T/prog.orig" "$EXE"

# --- compressed the way systemd-coredump does, then damaged.
"$VMDIVE" info --json "$C" | js 'd["threads"], d["auxv"]' >"$T/plain.txt"
for z in "zstd -q -c" "lz4 -q -c" "xz -c"; do
    tool=${z%% *}
    command -v "$tool" >/dev/null || { echo "core_cli: no $tool; its cases skipped"; continue; }
    $z "$C" >"$T/core.$tool"
    "$VMDIVE" info --json "$T/core.$tool" >"$T/z.json" 2>"$T/z.err"; eq $? 0 "$tool: info exit status"
    js 'd["threads"], d["auxv"]' <"$T/z.json" >"$T/z.txt"
    cmp -s "$T/plain.txt" "$T/z.txt" && ok || fail "$tool: info differs from the uncompressed core's"
    eq "$(js 'd["compression"]["method"], d["compression"]["size"]' <"$T/z.json")" \
       "('$tool', $(stat -c %s "$C"))" "$tool: compression facts"
    "$VMDIVE" rd -o "$T/zgot.bin" "$T/core.$tool" "$addr" 64 2>/dev/null
    cmp -s "$T/zgot.bin" "$T/want.bin" && ok || fail "$tool: rd through the file"
    head -c $(($(stat -c %s "$T/core.$tool") / 2)) "$T/core.$tool" >"$T/cut.$tool"
    "$VMDIVE" info "$T/cut.$tool" >/dev/null 2>"$T/cut.err"; eq $? 2 "$tool: truncated stream exit status"
    has "$T/cut.err" "$T/cut.$tool: truncated $tool stream" "$tool: truncated stream message"
done
if command -v zstd >/dev/null; then
    # A core's first 64 bytes, then 256 MiB of zeros: a core-looking bomb
    # stops at the limit (the environment's, or the option's, which wins).
    { head -c 64 "$C"; head -c $((256 << 20)) /dev/zero; } | zstd -q -c >"$T/bomb.zst"
    VMDIVE_DECOMPRESS_LIMIT=16M "$VMDIVE" info "$T/bomb.zst" >/dev/null 2>"$T/bomb.err"
    eq $? 2 "bomb exit status"
    has "$T/bomb.err" "decompresses to more than 16777216 bytes" "bomb message"
    VMDIVE_DECOMPRESS_LIMIT=1G "$VMDIVE" info --decompress-limit 8M "$T/bomb.zst" \
        >/dev/null 2>"$T/bomb.err"
    eq $? 2 "bomb --decompress-limit exit status"
    has "$T/bomb.err" "more than 8388608 bytes, the most vmdive decompresses here (--decompress-limit 8388608)" \
        "bomb --decompress-limit message"
    "$VMDIVE" info --decompress-limit 8Q "$T/bomb.zst" >/dev/null 2>"$T/bomb.err"
    eq $? 2 "bad --decompress-limit exit status"
    has "$T/bomb.err" "--decompress-limit 8Q: not a size" "bad --decompress-limit message"
    # Zeros alone are no core: refused at the first bytes, whatever the limit.
    head -c $((256 << 20)) /dev/zero | zstd -q -c >"$T/zeros.zst"
    "$VMDIVE" info "$T/zeros.zst" >/dev/null 2>"$T/zeros.err"
    eq $? 2 "zeros.zst exit status"
    has "$T/zeros.err" "the zstd stream does not hold a dump: its decompressed data starts with bytes 00 00" \
        "zeros.zst message"
fi
gzip -c "$C" >"$T/core.gz"
"$VMDIVE" info "$T/core.gz" >/dev/null 2>"$T/gz.err"; eq $? 2 "gzip exit status"
has "$T/gz.err" "gzip-compressed file" "gzip message"

# --- systemd-coredump metadata.
if python3 -c "import os, sys; os.setxattr(sys.argv[1], b'user.coredump.pid', b'4242'); \
os.setxattr(sys.argv[1], b'user.coredump.timestamp', b'1700000000123456'); \
os.setxattr(sys.argv[1], b'user.coredump.exe', sys.argv[2].encode())" "$C" "$EXE" 2>/dev/null; then
    "$VMDIVE" info "$C" >"$T/xa.txt"
    has "$T/xa.txt" "systemd-coredump (user.coredump.* xattrs)" "xattrs heading"
    has "$T/xa.txt" "timestamp             1700000000123456  (2023-11-14 22:13:20 UTC)" "xattr timestamp"
    eq "$("$VMDIVE" info --json "$C" | js 'd["xattrs"]["pid"], d["xattrs"]["exe"]')" \
       "('4242', '$EXE')" "xattrs --json"
else
    echo "core_cli: no user xattrs on $T; xattr cases skipped"
fi

# --- malformed cores.
bad() {   # bad NAME EXIT NEEDLE DESC
    printf '%s\n' "$4" >"$T/$1.desc"
    "$MKELF" "$T/$1.desc" "$T/$1" || { fail "mkelf $1"; return; }
    "$VMDIVE" info "$T/$1" >"$T/$1.out" 2>&1
    eq $? "$2" "$1: exit status"
    has "$T/$1.out" "$3" "$1: message"
}
bad nt-file 0 "1000000 entries of 24 bytes do not fit" $'kind = user\ncpu pid=1\nnote name=CORE type=0x46494c45 text="\\x40\\x42\\x0f\\0\\0\\0\\0\\0\\0\\x10\\0\\0\\0\\0\\0\\0"\nload vaddr=0x400000 size=0x1000'
bad past-end 2 "runs past the end of the segment" $'kind = user\ncpu pid=1\nload vaddr=0x400000 size=0x1000\ncorrupt note-descsz=0x7fffffff'
bad overlap 2 "overlap in virtual memory" $'kind = user\ncpu pid=1\nload vaddr=0x400000 size=0x2000\nload vaddr=0x401000 size=0x2000\nfill 0x400000 0x2000 1 load=0\nfill 0x401000 0x2000 2 load=1'
# gdb's gcore through a gdbstub: per-section PT_LOADs, .tbss overlapping
# what follows it with the same bytes.  Accepted; reads span the seam.
bad shared 0 "pt_load               2" $'kind = user\ncpu pid=1\nload vaddr=0x400000 size=0x1800\nload vaddr=0x401000 size=0x2000\npattern 0x400000 0x3000'
"$VMDIVE" rd "$T/shared" 0x4017f8 16 >"$T/shared.rd" 2>&1
want=$(python3 -c 'print(" ".join("%02x" % ((a + (a >> 8) + (a >> 16)) & 0xff) for a in range(0x4017f8, 0x401808)))')
eq "$(sed -n 's/^00000000004017f8:  \(.\{23\}\)  \(.\{23\}\).*/\1 \2/p' "$T/shared.rd")" "$want" "shared: bytes across the seam"
bad cut 0 "truncated file" $'kind = user\ncpu pid=1\nload vaddr=0x400000 size=0x1000\nload vaddr=0x500000 size=0x3000\ncorrupt truncate=-0x2000'
"$MKELF" /dev/stdin "$T/kernel.elf" <<<'load paddr=0 size=0x1000'
"$VMDIVE" maps "$T/kernel.elf" >"$T/km.out" 2>&1; eq $? 2 "maps on a vmcore"
has "$T/km.out" "not a process core" "maps on a vmcore message"

echo "core_cli: $npass passed, $nfail failed"
((nfail == 0))
