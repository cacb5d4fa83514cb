#!/usr/bin/python3
"""qemu-xlat: QEMU's own translation of kernel virtual addresses, recorded at dump time.

    samples/qemu-xlat.py --qmp SOCK --dir DUMPDIR --system-map MAP [--seed N]
                         [--per-region N] [--quit]

Run by make-dumps.sh while the panicked guest is stopped, after dump-guest-memory wrote
DUMPDIR/vmcore.elf: the memory the dump holds is the memory QEMU still has.  For a few thousand
kernel VAs from every region it asks the HMP command `gva2gpa VA` (over QMP's
human-monitor-command), which translates through the emulated MMU of the vCPU with the CPU's
own registers (arm64: TTBR1_EL1 and TCR_EL1 with its DS/T1SZ bits; x86_64: CR3 and CR4.LA57),
and writes DUMPDIR/qemu-xlat.json.  That is an oracle independent of every dump reader: no
software page-table walker is involved, only QEMU's model of the hardware.  "x /1gx VA" reads
a few kernel variables the same way (x86_64's randomized bases).

Where the VAs come from (none from vmdive):
  - the guest's /init printed, before it panicked, lines "vmdive-xlat: ram|mod|vma|sym ..."
    to the console (console.log): /proc/iomem's System RAM, /proc/modules, /proc/vmallocinfo
    and a few /proc/kallsyms lines (kptr_restrict=1 shows root the real addresses);
  - VMCOREINFO of vmcore.elf (page size, VA_BITS, PHYS_OFFSET, KERNELOFFSET, VMEMMAP_START,
    SIZE(page), ...) and the kernel's System.map (image symbols, relocated by KERNELOFFSET).
Regions (each until --per-region VAs translated, at most 3x that many tried): the linear map
(arm64 "linear", x86_64 "directmap": random RAM, first and last bytes of each RAM range),
kernel text ("ktext"), rodata/data/bss ("kdata"), freed init ("kinit"), module space
("module": modules and BPF programs), other vmalloc areas ("vmalloc"), struct pages
("vmemmap"), page-by-page sweeps of the fixmap/PCI I/O/cpu-entry windows ("fixmap", "pci_io",
"cpu_entry"), and refusals ("unmapped", "noncanonical").  VAs are 64-byte aligned, so
[va, va + 64) never crosses a page.

Output (JSON; addresses as "0x..." strings):
  tool, qemu (version), arch, seed, per_region,
  facts:   page_size, va_bits, kernel_offset, ram [{start, end}], modules [{name, size, base}],
           vmalloc [{start, end, size, caller, kind}], kallsyms {name: va}, bases {...}
  samples: [{va, region, detail, pa (null when QEMU says "Unmapped"), error}]
  checks:  [{name, ok, detail}] -- consistency of what QEMU said with the kernel's own
           numbers; a failed check makes the exit status 1 (make-dumps.sh then fails).
"""
import argparse
import json
import os
import random
import re
import socket
import struct
import sys
import time

U64 = (1 << 64) - 1


def hx(v):
    return None if v is None else "0x%x" % (v & U64)


# --- QMP -------------------------------------------------------------------------------------

class Qmp:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.settimeout(60)
        self.s.connect(path)
        self.f = self.s.makefile("rw")
        self.greeting = json.loads(self.f.readline())
        self.cmd("qmp_capabilities")
        self.calls = 0

    def cmd(self, name, **args):
        self.f.write(json.dumps({"execute": name, "arguments": args}) + "\n")
        self.f.flush()
        while True:
            line = self.f.readline()
            if not line:
                raise OSError("QMP connection closed during %s" % name)
            r = json.loads(line)
            if "return" in r:
                return r["return"]
            if "error" in r:
                raise RuntimeError("QMP %s: %s" % (name, r["error"]))

    def hmp(self, line):
        self.calls += 1
        return self.cmd("human-monitor-command", **{"command-line": line})

    def gva2gpa(self, va):
        """PA of va through the vCPU's MMU, or None where QEMU says it is unmapped."""
        out = self.hmp("gva2gpa 0x%x" % va).strip()
        m = re.fullmatch(r"gpa: (0x[0-9a-f]+)", out)
        if m:
            return int(m.group(1), 16)
        if out == "Unmapped":
            return None
        raise RuntimeError("gva2gpa 0x%x: unexpected answer %r" % (va, out))

    def read_u64(self, va):
        out = self.hmp("x /1gx 0x%x" % va).strip()
        m = re.fullmatch(r"[0-9a-f]+: (0x[0-9a-f]+)", out)
        if not m:
            raise RuntimeError("x /1gx 0x%x: unexpected answer %r" % (va, out))
        return int(m.group(1), 16)


# --- what the dump and the guest told -------------------------------------------------------

def vmcoreinfo(path):
    with open(path, "rb") as f:
        eh = f.read(64)
        if eh[:4] != b"\x7fELF" or eh[4] != 2 or eh[5] != 1:
            sys.exit("qemu-xlat: %s: not a little-endian ELF64 file" % path)
        machine, = struct.unpack_from("<H", eh, 18)
        phoff, = struct.unpack_from("<Q", eh, 32)   # QEMU puts the phdrs at 0xc0
        phentsize, phnum = struct.unpack_from("<HH", eh, 54)
        f.seek(phoff)
        ph = f.read(phentsize * phnum)
        info = {}
        for i in range(phnum):
            typ, _, off, _, _, filesz = struct.unpack_from("<IIQQQQ", ph, i * phentsize)
            if typ != 4:                             # PT_NOTE
                continue
            f.seek(off)
            d, o = f.read(filesz), 0
            while o + 12 <= len(d):
                nsz, dsz, _ = struct.unpack_from("<III", d, o)
                o += 12
                name = d[o:o + nsz].rstrip(b"\0")
                o += (nsz + 3) & ~3
                desc = d[o:o + dsz]
                o += (dsz + 3) & ~3
                if name == b"VMCOREINFO":
                    for line in desc.rstrip(b"\0").decode().splitlines():
                        k, _, v = line.partition("=")
                        info[k] = v
    if not info:
        sys.exit("qemu-xlat: %s has no VMCOREINFO note" % path)
    return {183: "aarch64", 62: "x86_64"}.get(machine), info


def num(vi, key, default=None):
    """A NUMBER(...) (decimal or 0x, maybe negative) as an unsigned 64-bit value."""
    if key not in vi:
        return default
    return int(vi[key], 0) & U64


# Lines /init printed (see make-dumps.sh build_initrd); anything else on the console, or a
# line a kernel message cut, does not match and is skipped.
LINE = re.compile(r"vmdive-xlat: (ram|mod|vma|sym) (.*)")
RAM = re.compile(r"\s*([0-9a-f]+)-([0-9a-f]+) : System RAM")
MOD = re.compile(r"(\w+) (\d+) \d+ \S+ (Live|Loading|Unloading) 0x([0-9a-f]+)( \(.*\))?")
VMA = re.compile(r"0x([0-9a-f]+)-0x([0-9a-f]+)\s+(\d+)( \S+)?(.*)")
SYM = re.compile(r"([0-9a-f]{16}) (\w) (\w+)")


def console_facts(path):
    ram, mods, vmas, syms = [], [], [], {}
    with open(path, errors="replace") as f:
        for line in f:
            m = LINE.fullmatch(line.rstrip("\r\n"))
            if not m:
                continue
            kind, rest = m.groups()
            if kind == "ram" and RAM.fullmatch(rest):
                a, b = RAM.fullmatch(rest).groups()
                ram.append((int(a, 16), int(b, 16)))
            elif kind == "mod" and MOD.fullmatch(rest):
                g = MOD.fullmatch(rest).groups()
                mods.append({"name": g[0], "size": int(g[1]), "base": int(g[3], 16)})
            elif kind == "vma" and VMA.fullmatch(rest):
                g = VMA.fullmatch(rest).groups()
                words = g[4].split()
                caller = (g[3] or "").strip()
                kind_ = next((w for w in words if w in ("vmalloc", "ioremap", "vmap", "user",
                                                        "vpages", "dma-coherent")), "")
                vmas.append({"start": int(g[0], 16), "end": int(g[1], 16), "size": int(g[2]),
                             "caller": caller, "kind": kind_})
            elif kind == "sym" and SYM.fullmatch(rest):
                a, _, n = SYM.fullmatch(rest).groups()
                syms[n] = int(a, 16)
    return sorted(ram), mods, vmas, syms


def system_map(path):
    """[(address, type letter, name)] sorted by address."""
    out = []
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) == 3 and len(p[0]) == 16:
                out.append((int(p[0], 16), p[1], p[2]))
    out.sort()
    return out


# --- sampling --------------------------------------------------------------------------------

class Sampler:
    def __init__(self, q, rng, per):
        self.q, self.rng, self.per = q, rng, per
        self.samples = []
        self.seen = set()

    def add(self, va, region, detail=""):
        va &= U64
        pa = self.q.gva2gpa(va)
        self.samples.append({"va": hx(va), "region": region, "detail": detail, "pa": hx(pa),
                             "error": None if pa is not None else "Unmapped"})
        return pa

    def fill(self, region, pick, per=None):
        """pick() -> (va, detail) until per of them translate (at most 3 * per tries)."""
        per = self.per if per is None else per
        good = 0
        for _ in range(3 * per):
            if good >= per:
                break
            va, detail = pick()
            va &= ~63 & U64
            if (va, region) in self.seen:
                continue
            self.seen.add((va, region))
            good += self.add(va, region, detail) is not None
        return good

    def rand_pa(self, ram):
        total = sum(e + 1 - s for s, e in ram)
        off = self.rng.randrange(total)
        for s, e in ram:
            if off <= e - s:
                return s + off
            off -= e + 1 - s
        raise AssertionError


def image_pools(smap, koff, k):
    """Kernel-image symbols by kind, relocated: ktext, kdata, kinit pools of (va, room, name)."""
    text_b, text_e = k.get("_stext"), k.get("_etext")
    init_b, init_e = k.get("__init_begin"), k.get("__init_end")
    end = k.get("_end")
    pools = {"ktext": [], "kdata": [], "kinit": []}
    for i, (a, t, n) in enumerate(smap):
        if i + 1 >= len(smap) or t in "aAUwvWV" or not text_b <= a < end:
            continue
        room = min(smap[i + 1][0] - a, 4096)
        if room <= 0:
            continue
        if init_b is not None and init_b <= a < init_e:
            pools["kinit"].append((a + koff, room, n))
        elif t in "tT" and text_b <= a < text_e:
            pools["ktext"].append((a + koff, room, n))
        elif t in "rRdDbB":
            pools["kdata"].append((a + koff, room, n))
    return pools


def sample_image(s, pools):
    for region in ("ktext", "kdata"):
        pool = pools[region]
        if pool:
            s.fill(region, lambda: pick_sym(s.rng, pool))
    if pools["kinit"]:
        s.fill("kinit", lambda: pick_sym(s.rng, pools["kinit"]), per=50)


def pick_sym(rng, pool):
    va, room, name = rng.choice(pool)
    return va + rng.randrange(room), name


def sample_areas(s, areas, region):
    """Random VAs inside vmalloc areas (guard pages included: QEMU says what is mapped)."""
    if areas:
        def pick():
            a = s.rng.choice(areas)
            return a["start"] + s.rng.randrange(a["end"] - a["start"]), \
                "%s %s" % (a["kind"], a["caller"])
        s.fill(region, pick)


def split_areas(vmas, mods, image):
    """vmallocinfo areas -> (module-space areas, other areas), leaving out the kernel image's.
    Module space holds the modules and what else module_alloc()/execmem_alloc() place there
    (BPF programs: bpf_prog_pack_alloc, bpf_jit_alloc_exec)."""
    mod_areas, other = [], []
    for a in vmas:
        if image[0] <= a["start"] < image[1]:
            continue
        in_mod = any(a["start"] <= m["base"] < a["end"] for m in mods) or \
            re.search(r"module_alloc|execmem|load_module|move_module|bpf_prog_pack|bpf_jit",
                      a["caller"])
        (mod_areas if in_mod else other).append(a)
    return mod_areas, other


def sweep(s, start, end, step, region, detail):
    """Every step-th page of [start, end): mapped and unmapped alike."""
    va = start
    while va < end:
        s.add(va, region, detail)
        va += step


def noncanonical(s, vabits):
    for va in (1 << vabits, (U64 ^ ((1 << vabits) - 1)) & ~(1 << (vabits + 1)),
               0xdead000000000000):
        s.add(va, "noncanonical", "bits 63..%d mixed" % vabits)


# --- per arch --------------------------------------------------------------------------------

def vmemmap_window(q, vi, va_bits, shift, psize, sphys, ram, checks):
    """[VMEMMAP_START, VMEMMAP_END): VMCOREINFO's (exported since 5.18, commit 2369f171d5c5
    "arm64: crash_core: Export MODULES, VMALLOC, and VMEMMAP ranges"); else the definition of
    arch/arm64/include/asm/memory.h whose struct page of the first RAM page QEMU maps:
    5.11+ VMEMMAP_START = -(1 << (VA_BITS - VMEMMAP_SHIFT)) (commit f4693c2716b3 "arm64: mm:
    extend linear region for 52-bit VA configurations"), before it -VMEMMAP_SIZE - 2M; both
    with VMEMMAP_SIZE = (PAGE_END - PAGE_OFFSET) >> VMEMMAP_SHIFT, VMEMMAP_SHIFT = PAGE_SHIFT -
    log2(sizeof(struct page))."""
    vs, ve = num(vi, "NUMBER(VMEMMAP_START)"), num(vi, "NUMBER(VMEMMAP_END)")
    if vs is not None and ve is not None:
        return vs, ve
    vshift = shift - (psize.bit_length() - 1)
    size = ((1 << va_bits) - (1 << (min(va_bits, 48) - 1))) >> vshift
    found = []
    for start in (-(1 << (va_bits - vshift)) & U64, (-size - (2 << 20)) & U64):
        first = (start + ((ram[0][0] >> shift) - (sphys >> shift)) * psize) & U64
        if q.gva2gpa(first) is not None:
            found.append(start)
    checks("exactly one VMEMMAP_START rule maps the first struct page (no VMCOREINFO one)",
           len(found) == 1, " ".join(hx(x) for x in found))
    start = found[0] if found else -(1 << (va_bits - vshift)) & U64
    return start, (start + size) & U64


def arm64(q, s, vi, facts, smap, checks):
    page = int(vi["PAGESIZE"])
    shift = page.bit_length() - 1
    va_bits = num(vi, "NUMBER(VA_BITS)")
    t1sz = num(vi, "NUMBER(TCR_EL1_T1SZ)")
    vabits = 64 - t1sz if t1sz else va_bits
    kv = num(vi, "NUMBER(kimage_voffset)")
    phys = num(vi, "NUMBER(PHYS_OFFSET)")
    koff = int(vi.get("KERNELOFFSET", "0"), 16)
    page_offset = -(1 << va_bits) & U64
    ram, syms = facts["ram"], facts["kallsyms"]
    k = {n: a for a, _, n in smap}
    checks("System.map _stext + KERNELOFFSET == kallsyms _stext",
           syms.get("_stext") == (k["_stext"] + koff) & U64,
           "%s vs %s" % (hx(k["_stext"] + koff), hx(syms.get("_stext"))))
    stext = (k["_stext"] + koff) & U64
    pa = q.gva2gpa(stext)
    checks("_stext maps to _stext - kimage_voffset", pa == (stext - kv) & U64,
           "%s vs %s" % (hx(pa), hx(stext - kv)))
    root = int(vi["SYMBOL(swapper_pg_dir)"], 16)
    pa = q.gva2gpa(root)
    checks("swapper_pg_dir maps to its image PA", pa == (root - kv) & U64, hx(pa))
    facts["bases"] = {"page_offset": hx(page_offset), "phys_offset": hx(phys),
                      "kimage_voffset": hx(kv), "swapper_pg_dir_pa": hx(pa),
                      "vabits_actual": vabits}
    # Linear map: memory.h __phys_to_virt(x) = (x - PHYS_OFFSET) | PAGE_OFFSET.
    lin = lambda p: ((p - phys) | page_offset) & U64
    s.fill("linear", lambda: (lin(s.rand_pa(ram)), ""))
    for a, b in ram:
        s.add(lin(a), "linear", "first 64 bytes of RAM range")
        s.add(lin(b & ~63), "linear", "last 64 bytes of RAM range")
    bad = [x["va"] for x in s.samples if x["region"] == "linear" and x["pa"] is not None
           and int(x["pa"], 16) != (int(x["va"], 16) - page_offset + phys) & U64]
    checks("linear map PA = VA - PAGE_OFFSET + PHYS_OFFSET", not bad, " ".join(bad[:4]))
    s.add(lin(ram[-1][1] + 1 + (1 << 36)), "unmapped", "linear map 64 GiB beyond RAM")
    sample_image(s, image_pools(smap, koff, k))
    image = ((k["_text"] + koff) & U64, (k["_end"] + koff) & U64)
    mod_areas, other = split_areas(facts["vmalloc"], facts["modules"], image)
    sample_areas(s, mod_areas, "module")
    sample_areas(s, other, "vmalloc")
    # vmemmap: asm/pgtable.h vmemmap = (struct page *)VMEMMAP_START - (memstart_addr >> PAGE_SHIFT).
    # memstart_addr is signed: a 52-bit kernel on a CPU without LPA2 makes it negative
    # (PHYS_OFFSET 0xfff1000040000000), and the shift is then arithmetic.
    psize = int(vi["SIZE(page)"])
    sphys = phys - (1 << 64) if phys >> 63 else phys
    vs, ve = vmemmap_window(q, vi, va_bits, shift, psize, sphys, ram, checks)
    vmemmap = vs - (sphys >> shift) * psize
    if "SYMBOL(vmemmap)" in vi:
        checks("vmemmap = SYMBOL(vmemmap)", (vmemmap & U64) == int(vi["SYMBOL(vmemmap)"], 16),
               hx(vmemmap & U64))
    s.fill("vmemmap", lambda: ((vmemmap + (s.rand_pa(ram) >> shift) * psize
                                + (s.rng.randrange(psize) & ~7)) & U64, ""))
    # Fixmap and PCI I/O: before 6.9 below VMEMMAP_START (FIXADDR_TOP = VMEMMAP_START - 32M,
    # PCI I/O [VMEMMAP_START - 24M, - 8M)); 6.9+ above VMEMMAP_END (PCI I/O from VMEMMAP_END
    # + 8M, FIXADDR_TOP = -8M).  Both candidate windows are swept; QEMU says what is mapped.
    # 5.10: PCI_IO_END = VMEMMAP_START - 2M, PCI_IO_START 16M below, FIXADDR_TOP = PCI_IO_START
    # - 2M (memory.h before f4693c2716b3); swept as well.
    for top in sorted({(vs - (32 << 20)) & U64, -(8 << 20) & U64, (vs - (20 << 20)) & U64}):
        sweep(s, top - (4 << 20), top, page, "fixmap", "top 4 MiB below %s" % hx(top))
    for base in sorted({(vs - (24 << 20)) & U64, (ve + (8 << 20)) & U64,
                        (vs - (18 << 20)) & U64}):
        sweep(s, base, base + (16 << 20), 64 << 10, "pci_io", "window at %s" % hx(base))
    noncanonical(s, vabits)


def x86_64(q, s, vi, facts, smap, checks):
    koff = int(vi.get("KERNELOFFSET", "0"), 16)
    k = {n: a for a, _, n in smap}
    syms = facts["kallsyms"]
    checks("System.map _stext + KERNELOFFSET == kallsyms _stext",
           syms.get("_stext") == (k["_stext"] + koff) & U64,
           "%s vs %s" % (hx(k["_stext"] + koff), hx(syms.get("_stext"))))
    bases = {}
    for n in ("page_offset_base", "vmalloc_base", "vmemmap_base"):
        bases[n] = q.read_u64((k[n] + koff) & U64)
    facts["bases"] = {n: hx(v) for n, v in bases.items()}
    # The kernel's root table, where QEMU finds it (its own CR3 may be another mm's).
    facts["bases"]["init_top_pgt_pa"] = hx(q.gva2gpa((k["init_top_pgt"] + koff) & U64))
    l5 = num(vi, "NUMBER(pgtable_l5_enabled)", 0)
    ram = facts["ram"]
    lin = lambda p: (p + bases["page_offset_base"]) & U64
    s.fill("directmap", lambda: (lin(s.rand_pa(ram)), ""))
    for a, b in ram:
        s.add(lin(a), "directmap", "first 64 bytes of RAM range")
        s.add(lin(b & ~63), "directmap", "last 64 bytes of RAM range")
    bad = [x["va"] for x in s.samples if x["region"] == "directmap" and x["pa"] is not None
           and int(x["pa"], 16) != (int(x["va"], 16) - bases["page_offset_base"]) & U64]
    checks("direct map PA = VA - page_offset_base", not bad, " ".join(bad[:4]))
    sample_image(s, image_pools(smap, koff, k))
    image = ((k["_text"] + koff) & U64, (k["_end"] + koff) & U64)
    mod_areas, other = split_areas(facts["vmalloc"], facts["modules"], image)
    sample_areas(s, mod_areas, "module")
    sample_areas(s, other, "vmalloc")
    psize = int(vi["SIZE(page)"])
    s.fill("vmemmap", lambda: ((bases["vmemmap_base"] + (s.rand_pa(ram) >> 12) * psize
                                + (s.rng.randrange(psize) & ~7)) & U64, ""))
    # Fixmap (below the vsyscall page) and the cpu_entry_area (asm/pgtable_areas.h:
    # CPU_ENTRY_AREA_BASE = -4 << P4D_SHIFT (39) in both paging modes; 6.2+ randomizes the
    # per-CPU part inside it).
    sweep(s, 0xffffffffff000000, 0xffffffffff800000, 0x4000, "fixmap", "top 8 MiB")
    cea = 0xfffffe0000000000
    sweep(s, cea, cea + (2 << 20), 0x1000, "cpu_entry", "first 2 MiB of cpu_entry_area")
    noncanonical(s, 57 if l5 else 48)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--qmp", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--system-map", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--per-region", type=int, default=1000)
    ap.add_argument("--quit", action="store_true", help="quit QEMU afterwards")
    a = ap.parse_args()

    t0 = time.time()
    arch, vi = vmcoreinfo(os.path.join(a.dir, "vmcore.elf"))
    ram, mods, vmas, syms = console_facts(os.path.join(a.dir, "console.log"))
    facts = {"page_size": int(vi["PAGESIZE"]), "va_bits": num(vi, "NUMBER(VA_BITS)"),
             "kernel_offset": hx(int(vi.get("KERNELOFFSET", "0"), 16)),
             "ram": ram, "modules": mods, "vmalloc": vmas, "kallsyms": syms}
    checks = []

    def check(name, ok, detail=""):
        checks.append({"name": name, "ok": bool(ok), "detail": detail})
    check("console: System RAM lines", ram, "%d" % len(ram))
    check("console: /proc/modules lines", mods, "%d" % len(mods))
    check("console: /proc/vmallocinfo lines", len(vmas) >= 10, "%d" % len(vmas))
    q = Qmp(a.qmp)
    s = Sampler(q, random.Random(a.seed), a.per_region)
    if ram and mods and vmas:
        {"aarch64": arm64, "x86_64": x86_64}[arch](q, s, vi, facts, system_map(a.system_map),
                                                   check)
    for region in ("linear", "directmap", "ktext", "kdata", "module", "vmalloc", "vmemmap"):
        got = [x for x in s.samples if x["region"] == region]
        if got:
            n = sum(x["pa"] is not None for x in got)
            check("%s: >= %d translated" % (region, a.per_region), n >= a.per_region,
                  "%d of %d" % (n, len(got)))
    version = q.cmd("query-version")
    if a.quit:
        try:
            q.cmd("quit")
        except (OSError, ValueError):              # QEMU may close before replying
            pass
    facts["ram"] = [{"start": hx(x), "end": hx(y)} for x, y in ram]
    facts["modules"] = [dict(m, base=hx(m["base"])) for m in mods]
    facts["vmalloc"] = [dict(v, start=hx(v["start"]), end=hx(v["end"])) for v in vmas]
    facts["kallsyms"] = {n: hx(v) for n, v in syms.items()}
    q_ver = version.get("qemu", {})
    doc = {"tool": "qemu gva2gpa", "arch": arch, "seed": a.seed, "per_region": a.per_region,
           "qemu": "%s.%s.%s" % (q_ver.get("major"), q_ver.get("minor"), q_ver.get("micro")),
           "facts": facts, "samples": s.samples, "checks": checks}
    out = os.path.join(a.dir, "qemu-xlat.json")
    with open(out + ".tmp", "w") as f:
        json.dump(doc, f, indent=0)
        f.write("\n")
    os.replace(out + ".tmp", out)
    by = {}
    for x in s.samples:
        by.setdefault(x["region"], [0, 0])[x["pa"] is None] += 1
    failed = [c for c in checks if not c["ok"]]
    for c in failed:
        print("qemu-xlat: CHECK FAILED: %s %s" % (c["name"], c["detail"]), file=sys.stderr)
    print("make-dumps: qemu-xlat: %d VAs in %.1fs (%s), %d checks failed" % (
        len(s.samples), time.time() - t0,
        ", ".join("%s %d/%d" % (r, n[0], n[0] + n[1]) for r, n in by.items()), len(failed)),
        file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
