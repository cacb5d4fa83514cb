#!/usr/bin/env bash
# Writes the seed corpora of the fuzz targets, one directory per target,
# from the test generators (tests/gen: mkelf, mkdiskdump) and small text:
#   bash seeds.sh TESTS_BUILD_DIR OUT_DIR
# Run at build time (target fuzz_seeds); nothing binary is committed.
# Inputs stay small (a few KiB) so that libFuzzer mutates them quickly.
set -euo pipefail
BUILD=${1:?usage: seeds.sh TESTS_BUILD_DIR OUT_DIR}
OUT=${2:?usage: seeds.sh TESTS_BUILD_DIR OUT_DIR}
MKELF=$BUILD/mkelf
MKDD=$BUILD/mkdiskdump
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
rm -rf "$OUT.tmp"
mkdir -p "$OUT.tmp"
cd "$OUT.tmp"
mkdir -p dump_elf dump_kdump dump_flat dump_core dump_compressed dump_split \
	session_kernel session_core vmcoreinfo btf printk list xlat_x86_64 \
	xlat_aarch64 dwarf dwarf_names dwarf_lines system_map kallsyms modules_vmap zram \
	unwind_orc unwind_arm64 slab_freelist slab_walk
SEP=$'\n--8<--\n'

elf() {  # NAME DESC-TEXT: dump_elf/NAME from mkelf
	printf '%s\n' "$2" >"$T/$1.desc"
	"$MKELF" "$T/$1.desc" "$3/$1"
}
VMCI='OSRELEASE=6.1.0-fuzz;PAGESIZE=4096;SYMBOL(_stext)=ffffffff81000000;KERNELOFFSET=0;NUMBER(phys_base)=0;SYMBOL(init_top_pgt)=ffffffff81001000;SYMBOL(init_task)=ffffffff81000400;SYMBOL(prb)=ffffffff81000800;SYMBOL(modules)=ffffffff81000900'
elf x86 "arch = x86_64
vmcoreinfo = $VMCI
cpu pid=1 sig=11 rip=0xffffffff81000100 rsp=0xffffc90000003e00
qemu-cpu cr0=0x80050033 cr3=0x1001000 cr4=0x3506f0
load paddr=0x1000000 size=0x3000 vaddr=0xffffffff81000000
load paddr=0x0 size=0x2000 vaddr=0xffff888000000000
pattern 0x0 0x2000 1
u64 0x1001ff8 0x1002063
bytes 0x1000000 \"\\x0f\\x01\\xf8 kernel text\"" dump_elf
elf arm64 "arch = aarch64
vmcoreinfo = OSRELEASE=6.1.0-fuzz;PAGESIZE=65536;NUMBER(VA_BITS)=48;NUMBER(kimage_voffset)=0xffff800008000000;SYMBOL(swapper_pg_dir)=ffff800009000000
cpu pid=1 pc=0xffff800008010000 sp=0xffff80000800ff00
load paddr=0x40000000 size=0x2000
pattern 0x40000000 0x2000 3" dump_elf
elf be32 "arch = 21
class = 32
endian = big
vmcoreinfo = PAGESIZE=4096
cpu pid=1
load paddr=0x0 size=0x1000
fill 0x0 0x1000 0x5a" dump_elf
elf xnum "arch = x86_64
pn-xnum = yes
split-notes = yes
note-align = 8
vmcoreinfo = PAGESIZE=4096
cpu pid=7
cpu pid=8
load paddr=0x0 size=0x1000
load paddr=0x800 size=0x400 share=0" dump_elf
elf qemu72 "arch = x86_64
phoff = 0xc0
ehsize = 8
shdr = yes
vmcoreinfo = PAGESIZE=4096
cpu pid=1
qemu-cpu cr3=0x1000
load paddr=0x0 size=0x1000 filesz=0x800" dump_elf
elf user "arch = x86_64
kind = user
psinfo pid=4242 ppid=1 fname=crashme args=\"./crashme --now\"
siginfo signo=11 code=1 addr=0x10
cpu pid=4242 sig=11 rip=0x401126 rsp=0x7ffd2c3e8f50
cpu pid=4243 rip=0x7f3a1c0a2e5d
auxv 3=0x400040 4=56 5=2 9=0x401000 7=0x7f3a1c000000 33=0x7ffd2c3fe000 15=0x7ffd2c3e9000
file-map start=0x400000 end=0x401000 pgoff=0 path=/nonexistent/crashme
file-map start=0x7f3a1c000000 end=0x7f3a1c001000 pgoff=0 path=/nonexistent/ld.so
load vaddr=0x400000 size=0x2000 filesz=0x1000
load vaddr=0x7ffd2c3e8000 size=0x2000
bytes 0x400000 \"\\x7f\\x45\\x4c\\x46\\x02\\x01\\x01\"
bytes 0x7ffd2c3e9000 \"x86_64\\0/bin/crashme\\0\"
u64 0x7ffd2c3e8f50 0xdeadbeefcafef00d" dump_core
elf user-arm64 "arch = aarch64
kind = user
cpu pid=99 sig=6 pc=0x400800 sp=0xfffffffff000
auxv 3=0x400040 4=56 5=1 9=0x400800
load vaddr=0x400000 size=0x1000
load vaddr=0xffffffffe000 size=0x2000
bytes 0x400000 \"\\x7f\\x45\\x4c\\x46\\x02\\x01\\x01\"" dump_core

dd() {  # NAME EXTRA: a kdump from mkdiskdump into dir $3
	{ printf '%s\n' "dump_level = 31" "release = 6.1.0-fuzz" \
		"vmcoreinfo = OSRELEASE=6.1.0-fuzz;PAGESIZE=4096;CRASHTIME=1700000000" \
		"cpu pid=1 rip=0xffffffff81000000 cr3=0x1000" "max_mapnr = 0x40" \
		"pages 0-0x7 pattern 5" "page 0x10 fill 0xa5" "page 0x11 bytes \"VMDIVE\"" \
		"pages 0x12-0x13 zero" "pages 0x14-0x15 excluded" "page 0x16 lost" \
		"page 0x17 raw"; printf '%b\n' "$2"; } >"$T/$1.desc"
	"$MKDD" "$T/$1.desc" "$3/$1"
}
for c in zlib lzo snappy zstd none; do
	dd "v6-$c" "version = 6\ncompression = $c" dump_kdump
done
for v in 1 2 3 4 5; do
	dd "v$v" "version = $v\ncompression = zlib" dump_kdump
done
dd legacy "signature = DISKDUMP\nversion = 1\ncompression = none" dump_kdump
dd be "endian = big\narch = aarch64\nversion = 6\ncompression = zlib" dump_kdump
dd arm64 "arch = aarch64\nmachine = Unknown\nversion = 6\ncompression = zstd\neraseinfo = a;b" dump_kdump
# Two bitmap chunks (formats/diskdump.h DD_CHUNK_PFNS): pages on both
# sides of the boundary, the descriptor ranks carried across it (72 KiB).
dd chunks "version = 6\ncompression = zstd\nmax_mapnr = 0x40040\npages 0x3fff0-0x40010 pattern 9\npage 0x4003f fill 0x3c\npages 0x3fffe-0x3ffff excluded" dump_kdump
dd flat "version = 6\ncompression = zlib\nflatten = yes" dump_flat
dd flat-shuffle "version = 6\ncompression = lzo\nflatten = yes shuffle overwrite-header\nflat_chunk = 700" dump_flat
dd flat-none "version = 6\ncompression = none\nflatten = yes" dump_flat
dd part1 "version = 6\ncompression = zlib\nsplit = 1/2" "$T"
dd part2 "version = 6\ncompression = zlib\nsplit = 2/2" "$T"
{ cat "$T/part1"; printf '%s' "$SEP"; cat "$T/part2"; } >dump_split/split2

for f in dump_core/*; do
	b=$(basename "$f")
	command -v zstd >/dev/null && zstd -q -c "$f" >"dump_compressed/$b.zst"
	command -v lz4 >/dev/null && lz4 -q -c "$f" >"dump_compressed/$b.lz4"
	command -v xz >/dev/null && xz -q -c "$f" >"dump_compressed/$b.xz"
done
cp dump_elf/* dump_kdump/v6-zlib dump_flat/flat session_kernel/
cp dump_core/* session_core/

printf 'OSRELEASE=6.1.0-57-cloud-amd64\nBUILD-ID=0123456789abcdef0123456789abcdef01234567\nPAGESIZE=4096\nSYMBOL(init_uts_ns)=ffffffff82a16600\nSYMBOL(_stext)=ffffffff81000000\nOFFSET(list_head.next)=0\nSIZE(list_head)=16\nLENGTH(mem_section)=2048\nNUMBER(phys_base)=-2113929216\nNUMBER(VA_BITS)=0x30\nKERNELOFFSET=3c000000\nCRASHTIME=1700000000\n' >vmcoreinfo/debian61

# Printk: the ring's keys as a Debian 6.1 x86_64 kernel prints them, and a
# ring of zeros (the fuzzer fills it); log_buf's keys likewise.
PRB='SYMBOL(prb)=ffffffff82000000
SIZE(printk_ringbuffer)=80
OFFSET(printk_ringbuffer.desc_ring)=0
OFFSET(printk_ringbuffer.text_data_ring)=48
OFFSET(printk_ringbuffer.fail)=72
SIZE(prb_desc_ring)=48
OFFSET(prb_desc_ring.count_bits)=0
OFFSET(prb_desc_ring.descs)=8
OFFSET(prb_desc_ring.infos)=16
OFFSET(prb_desc_ring.head_id)=24
OFFSET(prb_desc_ring.tail_id)=32
SIZE(prb_desc)=24
OFFSET(prb_desc.state_var)=0
OFFSET(prb_desc.text_blk_lpos)=8
SIZE(prb_data_blk_lpos)=16
OFFSET(prb_data_blk_lpos.begin)=0
OFFSET(prb_data_blk_lpos.next)=8
SIZE(printk_info)=88
OFFSET(printk_info.seq)=0
OFFSET(printk_info.ts_nsec)=8
OFFSET(printk_info.text_len)=16
OFFSET(printk_info.caller_id)=20
OFFSET(printk_info.dev_info)=24
SIZE(dev_printk_info)=64
OFFSET(dev_printk_info.subsystem)=0
LENGTH(printk_info_subsystem)=16
OFFSET(dev_printk_info.device)=16
LENGTH(printk_info_device)=48
SIZE(prb_data_ring)=32
OFFSET(prb_data_ring.size_bits)=0
OFFSET(prb_data_ring.data)=8
OFFSET(prb_data_ring.head_lpos)=16
OFFSET(prb_data_ring.tail_lpos)=24
SIZE(atomic_long_t)=8
OFFSET(atomic_long_t.counter)=0'
{ printf '%s' "$PRB"; printf '%s' "$SEP"; head -c 2048 /dev/zero; } >printk/prb
LB='SYMBOL(log_buf)=ffffffff82000000
SYMBOL(log_buf_len)=ffffffff82000008
SYMBOL(log_first_idx)=ffffffff82000010
SYMBOL(log_next_idx)=ffffffff82000018
SIZE(printk_log)=16
OFFSET(printk_log.ts_nsec)=0
OFFSET(printk_log.len)=8
OFFSET(printk_log.text_len)=10
OFFSET(printk_log.dict_len)=12'
{ printf '%s' "$LB"; printf '%s' "$SEP"
  python3 -c 'import struct,sys; b=struct.pack("<QQQQ",0xffffffff82000020,64,0,0)+struct.pack("<QHHHBB",5,24,5,0,0,6)+b"hello"+bytes(3)+bytes(24); sys.stdout.buffer.write(b)'; } >printk/logbuf

# A list of three nodes at 0x..00, 0x..40, 0x..80 back to the head at 0.
{ printf 'LIST_HEAD=0xffff888000000000'; printf '%s' "$SEP"
  python3 -c 'import struct,sys
b=0xffff888000000000
n=[b,b+0x40,b+0x80,b+0xc0]
out=bytearray(0x100)
for i,a in enumerate(n):
    struct.pack_into("<QQ",out,a-b,n[(i+1)%4],n[i-1])
sys.stdout.buffer.write(out)'; } >list/four

# x86_64: 4-level tables at 0x1000 (PGD) mapping the direct map's first
# 2 MiB through a PMD large page; arm64: a 48-bit 4K table at 0x1000.
{ printf 'NUMBER(phys_base)=0\nKERNELOFFSET=0\nSYMBOL(init_top_pgt)=ffffffff81001000\nSYMBOL(_stext)=ffffffff81000000\nVA0=0xffff888000001234\nVA1=0xffffffff81000010'
  printf '%s' "$SEP"
  python3 -c 'import struct,sys
m=bytearray(0x5000)
struct.pack_into("<Q",m,0x1000+8*273,0x2063)      # PGD[273] -> PUD at 0x2000
struct.pack_into("<Q",m,0x1000+8*511,0x3063)      # PGD[511] -> PUD at 0x3000
struct.pack_into("<Q",m,0x2000,0x4063)            # PUD[0] -> PMD at 0x4000
struct.pack_into("<Q",m,0x4000,0x0e3)             # PMD[0]: 2 MiB page at 0
struct.pack_into("<Q",m,0x3000+8*510,0x4063)
sys.stdout.buffer.write(m)'; } >xlat_x86_64/direct
{ printf 'NUMBER(VA_BITS)=48\nNUMBER(kimage_voffset)=0xffff800008000000\nNUMBER(PHYS_OFFSET)=0x40000000\nSYMBOL(swapper_pg_dir)=ffff800009001000\nPAGESIZE=4096\nKERNELOFFSET=0\nBASE=0x1000000\nVA0=0xffff000000001000'
  printf '%s' "$SEP"
  python3 -c 'import struct,sys
m=bytearray(0x4000)
struct.pack_into("<Q",m,0x1000,0x1002003)
struct.pack_into("<Q",m,0x2000,0x1003003)
struct.pack_into("<Q",m,0x3000,0x40000000|0x703)
sys.stdout.buffer.write(m)'; } >xlat_aarch64/tables

# kallsyms: tables laid out as scripts/kallsyms.c writes them (num_syms,
# names with 1- and 2-byte lengths, markers, token table and index,
# offsets from kallsyms_relative_base or absolute kallsyms_addresses),
# listed by SYMBOL() lines or (nolist) only _stext: found by scanning.
for v in relative absolute nolist; do
python3 - "$v" "$SEP" >kallsyms/$v <<'PY'
import struct, sys
v, sep = sys.argv[1], sys.argv[2]
base = 0xffffffff81000000
syms = [("T", "_stext", 0)] + [("tT"[i % 2], ("sym_%d_" % i) + "x" * (i * 3 % 17), 0x100 + 0x40 * i) for i in range(40)]
syms.append(("t", "q" * 140, 0x100 + 0x40 * 41))      # a 2-byte length
syms.sort(key=lambda s: s[2])
toks = [b"sym_", b"_x", b"xx"]
m, where = bytearray(0x40), {}
def place(b, align=8):
    while len(m) % align: m.append(0)
    off = len(m); m.extend(b); return off
if v == "absolute":
    where["kallsyms_addresses"] = place(b"".join(struct.pack("<Q", base + a) for _, _, a in syms))
else:
    where["kallsyms_offsets"] = place(b"".join(struct.pack("<I", a) for _, _, a in syms))
    where["kallsyms_relative_base"] = place(struct.pack("<Q", base))
where["kallsyms_num_syms"] = place(struct.pack("<I", len(syms)))
names, markers = bytearray(), []
for i, (t, n, _) in enumerate(syms):
    if i % 256 == 0: markers.append(len(names))
    s, enc = (t + n).encode(), bytearray()
    while s:
        for k, tok in enumerate(toks):
            if s.startswith(tok): enc.append(k + 1); s = s[len(tok):]; break
        else: enc.append(s[0]); s = s[1:]
    names += bytes([len(enc)]) if len(enc) < 0x80 else bytes([0x80 | len(enc) & 0x7f, len(enc) >> 7])
    names += enc
where["kallsyms_names"] = place(bytes(names))
where["kallsyms_markers"] = place(b"".join(struct.pack("<I", x) for x in markers))
table, index = bytearray(), []
for d in range(256):
    index.append(len(table))
    table += (toks[d - 1] if 1 <= d <= len(toks) else bytes([d if 0x20 <= d < 0x7f else 0x41 + d % 26])) + b"\0"
where["kallsyms_token_table"] = place(bytes(table))
where["kallsyms_token_index"] = place(b"".join(struct.pack("<H", x) for x in index))
text = "SYMBOL(_stext)=%x\n" % base
if v != "nolist":
    text += "".join("SYMBOL(%s)=%x\n" % (k, base + o) for k, o in where.items())
sys.stdout.buffer.write(text.encode() + sep.encode() + bytes(m))
PY
done

# modules_vmap: XOR masks over the fake kernel's modules and vmap areas
# (fuzz_modules_vmap.c): none (intact), a module link moved, a vmap link
# moved and a vm_struct pointer moved.
: >modules_vmap/intact
python3 -c 'import sys; m=bytearray(0x3000); m[9]=0x10; sys.stdout.buffer.write(m[:16])' >modules_vmap/mod-link
python3 -c 'import sys; m=bytearray(0x3000); m[0x2000+0x110]=0x08; sys.stdout.buffer.write(m[:0x2120])' >modules_vmap/vmap-link
python3 -c 'import sys; m=bytearray(0x3000); m[0x2000+0x221]=0x40; sys.stdout.buffer.write(m[:0x2230])' >modules_vmap/vm-pointer

# DWARF and BTF: the type fixtures the unit tests build (when built).
for f in types_fixture-dwarf4 types_fixture-dwarf5 types_fixture-dwarf2 \
	 types_fixture-rel4.o types_module.o types_fixture-types4 types_fixture-types5 \
	 types_fixture-dwz; do
	[[ -f $BUILD/fixtures/$f ]] && cp "$BUILD/fixtures/$f" dwarf/
done
# The name index: built from the fixtures (dwarf_names also reads the parts of a
# kept index; an empty one is the seed for that).
for f in types_fixture-dwarf4 types_fixture-dwarf5 types_fixture-dwarf2 types_fixture-rel4.o \
	 types_fixture-types5; do
	[[ -f $BUILD/fixtures/$f ]] && cp "$BUILD/fixtures/$f" dwarf_names/
done
python3 -c 'import struct,sys; sys.stdout.buffer.write(struct.pack("<6Q",0x4e4d414e46524144,0,1,0,0,0)+bytes(8))' >dwarf_names/empty
# Source lines: the fixtures whole, and their .debug_line sections alone (the
# first byte: 8-byte addresses, a DW_AT_comp_dir, little-endian).
for f in types_fixture-dwarf4 types_fixture-dwarf5 types_fixture-dwarf2; do
	[[ -f $BUILD/fixtures/$f ]] || continue
	cp "$BUILD/fixtures/$f" dwarf_lines/
	if objcopy --dump-section .debug_line="$T/line" "$BUILD/fixtures/$f" "$T/junk" 2>/dev/null; then
		{ printf '\x02'; cat "$T/line"; } >"dwarf_lines/$f.debug_line"
	fi
done
if [[ -f $BUILD/fixtures/types_fixture.btf ]]; then
	cp "$BUILD/fixtures/types_fixture.btf" btf/base
	{ cat "$BUILD/fixtures/types_fixture.btf"; printf '%s' "$SEP"
	  cat "$BUILD/fixtures/types_module.btf"; } >btf/split
fi
printf 'ffffffff81000000 T _text\nffffffff81000000 T _stext\nffffffff81001000 t helper\nffffffff81002000 T panic\nffffffff82000000 D init_task\nffffffff82001000 b bss_thing\n0000000000000000 A fixed_percpu_data\nffffffff81002000 W panic_alias\n' >system_map/small
# zram: a zspage of class 7 (3072-byte objects) whose object 1 spans pfns 4 and 5 (as
# tests/unit/test_memory_zram.c builds it), the data an lzo-rle stream with a zero run; and
# an lz4 block alone.
{ printf 'HANDLE=0xffff888000001f00\nPOOL=0xffff888000001000\nLEN=18\nCOMP_OFF=19464\nCOMP_LEN=18'
  printf '%s' "$SEP"
  python3 -c 'import struct,sys
B=0xffff888000000000
m=bytearray(16*4096)
struct.pack_into("<I",m,0x800,7<<3|0x58<<15)
for pfn in (4,5): struct.pack_into("<Q",m,pfn*64+40,B+0x800)
struct.pack_into("<Q",m,4*64+32,B+5*64)
struct.pack_into("<Q",m,0x1000+8+8*7,B+0x1900)
struct.pack_into("<I",m,0x1900+64,3072)
struct.pack_into("<Q",m,0x1f00,((4<<23|1)<<1)|1)
s=bytes([17,1,21])+b"ABCD"+bytes([0x18,0xfe,0xff,12])+b"xy"+bytes([0x94,0,0x11,0,0])
m[4*4096+3072+8:4*4096+3072+8+len(s)]=s
sys.stdout.buffer.write(bytes(m))'; } >zram/spanning
{ printf 'COMP_OFF=0\nOUT=4096'; printf '%s' "$SEP"
  python3 -c 'import sys; sys.stdout.buffer.write(bytes([0x1f,0x41,0x01,0x00,0xff,0xff,0xff,0xff,0xe0,0x50,0x41,0x41,0x41,0x41,0x41]))'; } >zram/lz4

# unwind_orc (fuzz_unwind_orc.c): the CALL chain of tests/unit/test_unwind_orc.c
# (A -> B with bp saved at CFA-16 -> C -> D, the end of the stack) as V3
# entries under an .orc_header; the same table as V1 entries (the format
# guessed); C as a REGS frame over a pt_regs from user mode.
for v in v3 v1 regs; do
python3 - "$v" >unwind_orc/$v <<'PY'
import struct, sys
v = sys.argv[1]
TEXT, IPTAB = 0xffffffff81000000, 0xffffffff82000000
TSTACK, SSIZE = 0xffffc90000010000, 0x4000
A, B, C, D = TEXT, TEXT + 0x1000, TEXT + 0x2000, TEXT + 0x3000
UNDEF, PREV_SP, SP = 0, 1, 5
specs = [(A, 16, 0, SP, UNDEF, "call"), (B, 32, -16, SP, PREV_SP, "call"),
         (C, 16 if v != "regs" else 0, 0, SP, UNDEF, "call" if v != "regs" else "regs"),
         (D, 0, 0, UNDEF, UNDEF, "end"), (D + 0x100, 0, 0, UNDEF, UNDEF, "undef")]
def entry(sp_off, bp_off, sp_reg, bp_reg, kind):
    if v == "v1":   # type:2 (CALL 0, REGS 1) end:1
        t = {"call": 0, "regs": 1, "end": 4, "undef": 0}[kind]
    else:           # type:3 (UNDEFINED 0, END_OF_STACK 1, CALL 2, REGS 3) signal:1
        t = {"call": 2, "regs": 3 | 8, "end": 1, "undef": 0}[kind]
    return struct.pack("<hhBB", sp_off, bp_off, sp_reg | bp_reg << 4, t)
ips = b"".join(struct.pack("<i", ip - (IPTAB + 4 * i)) for i, (ip, *_) in enumerate(specs))
ents = b"".join(entry(*s[1:]) for s in specs)
hdr = bytearray(256)
struct.pack_into("<IB", hdr, 0, len(specs), (1 if v != "v1" else 0) | 2)
struct.pack_into("<4Q", hdr, 8, A + 0x10, TSTACK + 0x3e00, 0x1111, 0)
st = bytearray(2 * SSIZE)
def put(a, x): struct.pack_into("<Q", st, a - TSTACK, x)
put(TSTACK + 0x3e08, B + 0x20); put(TSTACK + 0x3e20, 0x2222); put(TSTACK + 0x3e28, C + 0x30)
if v == "regs":   # pt_regs at C's sp: ip, cs (user), flags, sp, ss
    r = TSTACK + 0x3e30
    put(r + 8 * 16, 0x401000); put(r + 8 * 17, 0x33); put(r + 8 * 19, 0x7ffe0000); put(r + 8 * 20, 0x2b)
else:
    put(TSTACK + 0x3e38, D + 0x5)
sys.stdout.buffer.write(bytes(hdr) + ips + ents + bytes(st))
PY
done

# unwind_arm64 (fuzz_unwind_arm64.c): tests/unit/test_unwind_arm64.c's chain
# A -> B (PAC-signed return) -> the exception entry -> the final record with
# user registers; and the same from a full register set (a leaf's lr).
for v in chain regs; do
python3 - "$v" >unwind_arm64/$v <<'PY'
import struct, sys
v = sys.argv[1]
TEXT = 0xffff800080000000
A, B, ENTRY, ENTRY_END = TEXT + 0x1000, TEXT + 0x2000, TEXT + 0x8000, TEXT + 0x9000
PAC, MASK = 0x2a97000000000000, 0xffff000000000000
STACK, SSIZE, PT_REGS, SF_OFF = 0xffff800088000000, 0x4000, 336, 304
final = STACK + SSIZE - PT_REGS + SF_OFF
regs = final - SF_OFF
st = bytearray(2 * SSIZE)
def put(a, x): struct.pack_into("<Q", st, a - STACK, x)
put(STACK + 0x3c00, STACK + 0x3c40); put(STACK + 0x3c08, ((B + 0x24) & ~MASK) | PAC)
put(STACK + 0x3c40, final); put(STACK + 0x3c48, ENTRY + 0x18c)
put(regs + 8 * 32, 0x400123); put(regs + 8 * 31, 0xfffff0000000); put(regs + 8 * 33, 0x80001000)
hdr = bytearray(72 + 8 * 34)
hdr[0] = 0 if v == "chain" else 1 | 4
struct.pack_into("<8Q", hdr, 8, A + 0x10, STACK + 0x3c00, STACK + 0x3bf0, MASK, ENTRY, ENTRY_END,
                 final, SF_OFF)
if v == "regs":
    struct.pack_into("<Q", hdr, 72 + 8 * 29, STACK + 0x3c00)
    struct.pack_into("<Q", hdr, 72 + 8 * 30, B + 0x10)
    struct.pack_into("<Q", hdr, 72 + 8 * 31, STACK + 0x3bf0)
    struct.pack_into("<Q", hdr, 72 + 8 * 32, A + 0x10)
    struct.pack_into("<Q", hdr, 72 + 8 * 33, 0x5)
sys.stdout.buffer.write(bytes(hdr) + bytes(st))
PY
done

# slab_freelist (fuzz_slab_freelist.c): tests/unit/test_memory_slab.c's slab
# of 16 64-byte objects, free 3 -> 7 -> 0 -> 15, the pointer at offset 32,
# stored plain and hardened.
for v in plain hardened; do
python3 - "$v" >slab_freelist/$v <<'PY'
import struct, sys
v = sys.argv[1]
BASE, N, SIZE, OFF, RND = 0xffff888004200000, 16, 64, 32, 0x5a17c3e9b0d24f61
m = bytearray(b"\xcc" * (N * SIZE))
def obj(i): return BASE + i * SIZE
for i, nxt in ((3, obj(7)), (7, obj(0)), (0, obj(15)), (15, 0)):
    at = obj(i) + OFF
    if v == "hardened":
        nxt ^= RND ^ int.from_bytes(at.to_bytes(8, "little"), "big")
    struct.pack_into("<Q", m, at - BASE, nxt)
hdr = struct.pack("<HBBIIQQQ", N, 1 if v == "hardened" else 0, 0, SIZE, OFF, RND, obj(3), 0)
sys.stdout.buffer.write(hdr + bytes(m))
PY
done

# slab_walk (fuzz_slab_walk.c): XOR masks over the SLUB state of
# tests/unit/fake_slub.h, written by mkfakekernel: intact, and one hostile
# change each (lists that loop, huge counts, wild pointers).
"$BUILD/mkfakekernel" slab-seeds slab_walk

for d in *; do
	[[ -n $(ls -A "$d") ]] || echo "seeds.sh: no seeds for $d" >&2
done
cd /
rm -rf "$OUT"
mv "$OUT.tmp" "$OUT"
