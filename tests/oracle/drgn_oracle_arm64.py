#!/usr/bin/python3
"""drgn oracle for arm64 vmcores: what drgn (Debian 12's python3-drgn 0.0.22) says about them.

    /usr/bin/python3 tests/oracle/drgn_oracle_arm64.py --vmcore F --vmlinux V --json OUT
            [--addrs FILE] [--seed N] [--per-region N]

The arm64 sibling of drgn_oracle.py (x86_64), which it imports for everything that does not
depend on the architecture: reading the ELF program headers and VMCOREINFO, the vmlinux symbol
table, bounded list walks, System RAM, modules, tasks, vmap areas, and the way a physical
address is learnt from drgn (every physical read is logged; a 1-byte virtual read ends with a
1-byte read at the translated physical address).  Debian's drgn reads arm64 dumps on an x86_64
host; Debian's crash cannot, so drgn is the only oracle here.

Opening QEMU's arm64 ELF dumps
------------------------------
The same trap as on x86_64: QEMU's PT_LOADs have p_vaddr == p_paddr, so drgn has no virtual
mapping of the kernel image, and its page-table walk starts by reading swapper_pg_dir, a
kernel-image address ("recursive address translation").  The arm64 way out: the kernel image
maps linearly at PA = VA - kimage_voffset (NUMBER(kimage_voffset) in VMCOREINFO, the same
relation the kernel's __kimg_to_phys() uses), so one extra virtual segment maps only the page(s)
of swapper_pg_dir that way.  Every other address is translated by drgn's own walk.

Output (JSON, addresses as "0x..." strings)
-------------------------------------------
  info:    osrelease, machine, va_bits (NUMBER(VA_BITS)), vabits_actual (the variable),
           tcr_el1_t1sz, page_size, kimage_voffset (NUMBER and the variable), phys_offset
           (NUMBER(PHYS_OFFSET) and memstart_addr), kaslr_offset (KERNELOFFSET), page_offset
           (-(1 << va_bits)), modules_vaddr/end, vmalloc_start/end, vmemmap_start/end (the
           NUMBERs), swapper_pg_dir (VA and PA), _text, _stext, _etext, _end, sizeof_struct_page,
           kernelpacmask, ram, vmcoreinfo
  samples: {va, region, detail, pa, error, sha256, read_error} as in drgn_oracle.py; regions
           linear ktext kdata module vmalloc vmemmap (per_region translated and readable ones
           each, default 1000), plus unmapped, image_hole (_text.._stext) and noncanonical ones
  modules, tasks, vmap_areas, log_tail, marker, checks: as in drgn_oracle.py
"""
import argparse
import hashlib
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import drgn                                          # noqa: E402
from drgn import FaultError                          # noqa: E402
from drgn.helpers.linux.printk import get_printk_records  # noqa: E402
import drgn_oracle as base                           # noqa: E402

U64 = base.U64
hx = base.hx


class Arm64Oracle(base.Oracle):
    """base.Oracle with the arm64 bootstrap (PA = VA - kimage_voffset for swapper_pg_dir)."""

    def __init__(self, vmcore, vmlinux):
        import mmap
        self.f = open(vmcore, "rb")
        self.mm = mmap.mmap(self.f.fileno(), 0, access=mmap.ACCESS_READ)
        self.loads, self.vmci = base.elf_loads_and_vmcoreinfo(self.mm)
        self.log = None
        p = self.prog = drgn.Program()
        p.set_core_dump(vmcore)
        p.add_memory_segment(0, 1 << 52, self._phys_miss, True)
        for paddr, memsz, off, filesz in self.loads:
            p.add_memory_segment(paddr, memsz, self._phys_reader(off, filesz), True)
        self.page = int(self.vmci["PAGESIZE"])
        self.kimage_voffset = int(self.vmci["NUMBER(kimage_voffset)"], 0) & U64
        self.root = int(self.vmci["SYMBOL(swapper_pg_dir)"], 16)
        # 64K pages with 52-bit VAs: the top table is 8 KiB; map two pages to be safe.
        p.add_memory_segment(self.root, 2 * self.page, self._root_reader, False)
        for paddr, memsz, _, _ in self.loads:
            p.add_memory_segment(paddr, memsz, self._walk_reader, False)
        p.load_debug_info([vmlinux], default=False, main=True)

    def _root_reader(self, addr, count, offset, physical):
        return self.prog.read((addr - self.kimage_voffset) & U64, count, True)


def num(v, key, default=None):
    return int(v[key], 0) if key in v else default


def info(o, ram):
    prog, v = o.prog, o.vmci
    sym = lambda n: prog.symbol(n).address
    uts = prog["init_uts_ns"].name
    va_bits = num(v, "NUMBER(VA_BITS)")
    t1sz = num(v, "NUMBER(TCR_EL1_T1SZ)")
    try:
        vabits_actual = prog["vabits_actual"].value_()
    except KeyError:                                 # before 5.4 (no 52-bit VA support)
        vabits_actual = None
    return {
        "osrelease": uts.release.string_().decode(), "machine": uts.machine.string_().decode(),
        "va_bits": va_bits, "vabits_actual": vabits_actual, "tcr_el1_t1sz": t1sz,
        "va_bits_runtime": 64 - t1sz if t1sz else va_bits,
        "page_size": o.page,
        "kimage_voffset": hx(o.kimage_voffset),
        "kimage_voffset_var": hx(prog["kimage_voffset"].value_() & U64),
        "phys_offset": hx(num(v, "NUMBER(PHYS_OFFSET)") & U64),
        "memstart_addr": hx(prog["memstart_addr"].value_() & U64),
        "kaslr_offset": hx(int(v.get("KERNELOFFSET", "0"), 16)),
        "kernelpacmask": hx(num(v, "NUMBER(KERNELPACMASK)", 0) & U64),
        "page_offset": hx(-(1 << va_bits) & U64),
        "modules_vaddr": hx(num(v, "NUMBER(MODULES_VADDR)")),
        "modules_end": hx(num(v, "NUMBER(MODULES_END)")),
        "vmalloc_start": hx(num(v, "NUMBER(VMALLOC_START)")),
        "vmalloc_end": hx(num(v, "NUMBER(VMALLOC_END)")),
        "vmemmap_start": hx(num(v, "NUMBER(VMEMMAP_START)")),
        "vmemmap_end": hx(num(v, "NUMBER(VMEMMAP_END)")),
        "swapper_pg_dir": hx(o.root), "swapper_pg_dir_pa": hx((o.root - o.kimage_voffset) & U64),
        "_text": hx(sym("_text")), "_stext": hx(sym("_stext")), "_etext": hx(sym("_etext")),
        "_end": hx(sym("_end")),
        "sizeof_struct_page": drgn.sizeof(prog.type("struct page")),
        "nr_cpu_ids": prog["nr_cpu_ids"].value_(),
        "ram": [{"start": hx(s), "end": hx(e)} for s, e in ram],
        "vmcoreinfo": v,
    }


def make_samples(o, rng, ram, mods, areas, inf, per):
    prog, out = o.prog, []
    page = o.page

    def add(va, region, detail=""):
        out.append(o.sample(va, region, detail))
        return out[-1]["pa"] is not None and out[-1]["sha256"] is not None

    def fill(pick):
        """Call pick(i) until per of its samples translate and read (at most 2 * per)."""
        good = 0
        for i in range(2 * per):
            if good >= per:
                break
            good += bool(pick(i))
    page_offset = int(inf["page_offset"], 16)
    phys_offset = int(inf["memstart_addr"], 16)
    koff = int(inf["kaslr_offset"], 16)
    text, end = int(inf["_text"], 16), int(inf["_end"], 16)

    def mostly_nonzero(i, pick):
        # As in drgn_oracle.py: every other sample retries for non-zero bytes.
        for _ in range(1 if i % 2 else 32):
            va = pick()
            try:
                if any(prog.read(va, 64)):
                    break
            except FaultError:
                pass
        return va

    # Linear map (memory.h: __phys_to_virt(x) = (x - PHYS_OFFSET) | PAGE_OFFSET).
    lin = lambda pa: ((pa - phys_offset) | page_offset) & U64
    fill(lambda i: add(mostly_nonzero(i, lambda: lin(base.rand_pa(rng, ram) & ~7)), "linear"))
    for s, e in ram:
        add(lin(s), "linear", "first byte of RAM range")
        add(lin(e & ~63), "linear", "last 64 bytes of RAM range")
    # Kernel image symbols, relocated by KERNELOFFSET; init sections are freed after boot.
    syms = base.vmlinux_symbols(o.vmlinux)
    allsyms = {n: a for n, a, *_ in syms}
    init_b, init_e = allsyms.get("__init_begin", 0), allsyms.get("__init_end", 0)
    text_b, text_e = allsyms["_stext"], allsyms["_etext"]
    link_text, link_end = allsyms["_text"], allsyms["_end"]
    # drgn 0.3.0 leaves 5.10's absolute _end unrelocated (0xffff8000...): the image's end is
    # _text + its link-time size then.
    if not text < end <= text + (link_end - link_text):
        end = text + (link_end - link_text)
    funcs = [s for s in syms if s[3] == "func" and text_b <= s[1] < text_e]
    data = [s for s in syms if s[3] == "object" and link_text <= s[1] < link_end
            and not init_b <= s[1] < init_e and not s[4].startswith(".init")
            and not text_b <= s[1] < text_e]
    def image(kind, pool):
        n, a, size, _, sec = rng.choice(pool)
        return add(a + koff + (rng.randrange(size) & ~7 if size > 8 else 0), kind,
                   "%s %s" % (sec, n))
    fill(lambda i: image("ktext", funcs))
    fill(lambda i: image("kdata", data))
    mods = [m for m in mods if m["size"]]

    def module(i):
        m = rng.choice(mods)
        return add(mostly_nonzero(i, lambda: int(m["base"], 16) + rng.randrange(m["size"])),
                   "module", m["name"])
    if mods:
        fill(module)
    # vmalloc: areas inside VMALLOC_START..END that are neither the kernel image (it is
    # registered as vm areas too) nor modules; skip guard pages.
    # 5.10 exports no ranges (VMCOREINFO has them since 5.18, 2369f171d5c5): every vmap area
    # is a candidate then.
    vs, ve = (int(inf["vmalloc_start"], 16), int(inf["vmalloc_end"], 16)) \
        if inf["vmalloc_start"] else (0, 1 << 64)
    mod_ranges = [(int(m["base"], 16), int(m["base"], 16) + m["size"]) for m in mods]
    vm_areas = [a for a in areas if vs <= a["start"] < ve and not text <= a["start"] < end
                and not any(b <= a["start"] < e for b, e in mod_ranges)]

    def vmalloc(i):
        a = rng.choice(vm_areas)
        size = a["end"] - a["start"]
        if a["flags"] is not None and not a["flags"] & 0x40:     # VM_NO_GUARD
            size -= page
        va = mostly_nonzero(i, lambda: a["start"] + (rng.randrange(max(size, 1)) & ~7))
        return add(va, "vmalloc", "flags=%s caller=%s" % (hx(a["flags"]), a["caller"]))
    if vm_areas:
        fill(vmalloc)
    # vmemmap: struct page of a RAM PFN.  arm64's vmemmap is VMEMMAP_START - (memstart_addr
    # >> PAGE_SHIFT) struct pages (asm/pgtable.h), so PFN p is at that + p * sizeof(page).
    psize, shift = inf["sizeof_struct_page"], page.bit_length() - 1
    if inf["vmemmap_start"]:
        vmemmap = int(inf["vmemmap_start"], 16) - (phys_offset >> shift) * psize
    else:                                    # 5.10: drgn's own vmemmap object
        vmemmap = prog["vmemmap"].value_()
    fill(lambda i: add((vmemmap + (base.rand_pa(rng, ram) >> shift) * psize) & U64,
                       "vmemmap"))
    # Must not translate.
    for a in vm_areas[:4]:
        if a["flags"] is not None and not a["flags"] & 0x40:
            add(a["end"] - page, "unmapped", "vmalloc guard page")
    add(lin(int(inf["ram"][-1]["end"], 16) + 1 + (1 << 36)), "unmapped",
        "linear map 64 GiB beyond RAM")
    add(0x400000, "unmapped", "user half in init_mm")
    # _text.._stext (64 KiB) is not mapped by the image; with nokaslr vmalloc reuses the hole
    # (docs/real-dump-traps.md), so whatever drgn finds there is compared, not assumed.
    add(text, "image_hole", "_text")
    add(text + 0x8000, "image_hole", "_text + 32 KiB")
    vabits = inf["va_bits_runtime"]
    for va in (1 << vabits, (U64 ^ ((1 << vabits) - 1)) & ~(1 << (vabits + 1)),
               0xdead000000000000):
        r = o.sample(va, "noncanonical", "drgn translated it" if o.translate(va)[0] else "")
        r["pa"], r["error"] = None, "non-canonical"
        out.append(r)
    return out


def checks(o, inf, samples, marker, per):
    prog, out = o.prog, []
    ok = lambda name, cond, detail="": out.append({"name": name, "ok": bool(cond),
                                                   "detail": detail})
    banner = prog.read(prog.symbol("linux_banner").address, 14)
    ok("linux_banner reads 'Linux version'", banner == b"Linux version ", repr(banner))
    stext = int(inf["_stext"], 16)
    pa, err = o.translate(stext)
    want = (stext - o.kimage_voffset) & U64
    ok("_stext PA = VA - kimage_voffset", pa == want,
       "walk %s, linear %s %s" % (hx(pa), hx(want), err or ""))
    ok("kimage_voffset variable == VMCOREINFO", inf["kimage_voffset"] == inf["kimage_voffset_var"])
    ok("memstart_addr == NUMBER(PHYS_OFFSET)", inf["memstart_addr"] == inf["phys_offset"])
    ok("vabits_actual == 64 - TCR_EL1_T1SZ", inf["vabits_actual"] in (None, inf["va_bits_runtime"]))
    ok("OSRELEASE matches init_uts_ns", o.vmci.get("OSRELEASE") == inf["osrelease"])
    ok("SYMBOL(_stext) == _stext", int(o.vmci.get("SYMBOL(_stext)", "0"), 16) == stext)
    po, phys = int(inf["page_offset"], 16), int(inf["memstart_addr"], 16)
    bad = [s["va"] for s in samples if s["region"] == "linear"
           and (s["pa"] is None or int(s["pa"], 16) != ((int(s["va"], 16) & ~po) + phys) & U64)]
    ok("linear PA = (VA & ~PAGE_OFFSET) + PHYS_OFFSET", not bad, " ".join(bad[:5]))
    for region in ("linear", "ktext", "kdata", "module", "vmalloc", "vmemmap"):
        n = len([s for s in samples if s["region"] == region and s["sha256"]])
        ok("%s: >= %d samples readable" % (region, per), n >= per, "%d readable" % n)
    leaked = [s["va"] for s in samples if s["region"] == "unmapped" and s["pa"]]
    ok("unmapped samples do not translate", not leaked, " ".join(leaked))
    diff = []
    for s in samples:
        if s["sha256"] and s["pa"] and (int(s["va"], 16) & (o.page - 1)) <= o.page - 64:
            if hashlib.sha256(prog.read(int(s["pa"], 16), 64, True)).hexdigest() != s["sha256"]:
                diff.append(s["va"])
    ok("bytes at PA == bytes at VA", not diff, " ".join(diff[:5]))
    ok("marker in printk log", marker is not None, marker or "")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vmcore", required=True)
    ap.add_argument("--vmlinux", required=True)
    ap.add_argument("--json", required=True, help="output file ('-' for stdout)")
    ap.add_argument("--addrs", help="file with one hex VA per line: answer only these")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--per-region", type=int, default=1000)
    a = ap.parse_args()

    o = Arm64Oracle(a.vmcore, a.vmlinux)
    o.vmlinux = a.vmlinux
    prog = o.prog
    ram = base.system_ram(prog)
    inf = info(o, ram)
    mods, areas = base.modules(prog), base.vmap_areas(prog)
    logs = [r.text.decode(errors="replace") for r in get_printk_records(prog)]
    marker = next((line for line in logs if line.startswith("VMDIVE-MARKER ")), None)
    if a.addrs:
        with open(a.addrs) as f:
            vas = [int(line.split()[0], 16) for line in f
                   if line.strip() and not line.startswith("#")]
        samples, chk = [o.sample(va, "given") for va in vas], []
    else:
        samples = make_samples(o, random.Random(a.seed), ram, mods, areas, inf, a.per_region)
        chk = checks(o, inf, samples, marker, a.per_region)
    doc = {
        "tool": "drgn", "drgn_version": drgn.__version__, "vmcore": a.vmcore,
        "vmlinux": a.vmlinux, "seed": a.seed, "arch": "aarch64",
        "hash_rule": "sha256 of the 64 bytes [va, va+64) read through virtual translation",
        "info": inf, "samples": samples, "modules": mods, "tasks": base.tasks(prog),
        "vmap_areas": [dict(x, start=hx(x["start"]), end=hx(x["end"]), flags=hx(x["flags"]))
                       for x in areas],
        "log_tail": logs[-40:], "marker": marker, "checks": chk,
    }
    out = sys.stdout if a.json == "-" else open(a.json, "w")
    json.dump(doc, out, indent=1)
    out.write("\n")
    failed = [c for c in chk if not c["ok"]]
    for c in failed:
        print("drgn_oracle_arm64: CHECK FAILED: %s %s" % (c["name"], c["detail"]),
              file=sys.stderr)
    by = {}
    for s in samples:
        by.setdefault(s["region"], [0, 0])[0 if s["pa"] else 1] += 1
    print("drgn_oracle_arm64: %d samples (%s), %d modules, %d tasks, %d checks failed" % (
        len(samples), ", ".join("%s %d/%d" % (r, n[0], n[0] + n[1]) for r, n in by.items()),
        len(mods), len(doc["tasks"]), len(failed)), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
