#!/usr/bin/python3
"""drgn oracle: what drgn (Debian 12's python3-drgn 0.0.22) says about an x86_64 vmcore.

    /usr/bin/python3 tests/oracle/drgn_oracle.py --vmcore F --vmlinux V --json OUT
            [--addrs FILE] [--seed N]

Run it with /usr/bin/python3: python3-drgn is built for Debian's python, and
`/usr/bin/env python3` may find another interpreter without drgn.

Opening QEMU's ELF dumps (the trap and the work-around)
-------------------------------------------------------
QEMU's `dump-guest-memory` (paging=false) writes PT_LOADs with p_vaddr == p_paddr, so drgn has
physical memory but no virtual mapping of the kernel image.  drgn translates every kernel
virtual address by walking swapper_pg_dir, but swapper_pg_dir itself is a kernel-image virtual
address, hence "FaultError: recursive address translation" on the first read.  We break the loop
the way the kernel itself does at boot: one extra virtual segment covering only the root page
table page, mapped linearly (PA = VA - __START_KERNEL_map + phys_base, phys_base from
VMCOREINFO).  Every other address, kernel text included, is then translated by drgn's own
page-table walk.  No copy of the (512 MB) dump is written.

How the oracle learns the physical address of a translation
-----------------------------------------------------------
drgn 0.0.22 has no vtop API.  So the dump's physical memory is re-registered through Python
read callbacks that log every physical read, with a catch-all segment underneath that logs and
faults (physical addresses the dump lacks).  A 1-byte virtual read makes drgn walk the page
tables (reads of 8+ bytes, always whole entries) and then read exactly 1 byte at the
translated physical address: that last 1-byte read is the answer, even when the page itself is
not in the dump (then: pa set, read_error "not in dump").

Inputs: any x86_64 ELF vmcore (QEMU's, or makedumpfile -E output; 4- or 5-level paging).
In makedumpfile -E -d 31 output the excluded pages are p_memsz beyond p_filesz, so by ELF
rules they read as zeros, not as "excluded".  Flattened and kdump-compressed files are not
ELF: compare those through crash (crash_parse.py) or against this oracle's answers on the
vmcore.elf of the same boot.

Output (JSON; every address is a "0x..." hex string because JSON numbers lose 64-bit values)
------------------------------------------------------------------------------------------
  tool, drgn_version, vmcore, vmlinux, seed, hash_rule
  info:     osrelease, version, machine, nodename, page_offset_base, vmalloc_base,
            vmemmap_base, phys_base (hex of the 64-bit value), phys_base_signed (int),
            kernel_offset, pgtable_l5_enabled, va_bits, nr_cpu_ids, cpus_online, cpus_possible,
            cpus_present, swapper_pg_dir, _text, _stext, _etext, _end, max_pfn,
            sizeof_struct_page, crashtime (VMCOREINFO CRASHTIME or null: QEMU dumps have none),
            xtime_sec (timekeeper wall clock, what crash's `sys` shows as DATE),
            panic_log_ts_nsec, panic_message, ram (list of {start, end} System RAM, end
            inclusive), vmcoreinfo (all KEY=VALUE pairs of the note, as strings)
  samples:  list of {va, region, detail, pa, error, sha256, read_error}
            region is one of directmap ktext kdata module vmalloc vmemmap unmapped
            noncanonical (or "given" with --addrs).  pa is null when drgn cannot translate
            (error says why); sha256 is of the 64 bytes [va, va+64) read through drgn's
            virtual translation, null when any of them is unreadable (read_error says why).
            noncanonical: pa null and error "non-canonical" by rule (hardware faults them).
  modules:  list of {name, address (struct module), base, size, text_size, state}
  tasks:    list of {pid, tgid, comm, address, cpu, state, idle} (init_task.tasks walk plus
            threads plus each CPU's idle task; not the PID hash, see docs/real-dump-traps.md)
  vmap_areas: list of {start, end, flags, vm_size, caller} from vmap_area_list (6.9+: the
            busy lists of vmap_nodes[])
  log_tail: last 40 printk lines; marker: the VMDIVE-MARKER line, if any
  checks:   list of {name, ok, detail}: the oracle's self-consistency checks; the script
            exits 1 if any fails (after writing the JSON)
"""
import argparse
import hashlib
import json
import mmap
import random
import struct
import sys

import drgn
from _drgn import _linux_helper_read_vm         # access_remote_vm() minus the mm_struct
from drgn import FaultError, Object
from drgn.helpers.linux.cpumask import for_each_online_cpu, for_each_possible_cpu, \
    for_each_present_cpu
from drgn.helpers.linux.printk import get_printk_records
from drgn.helpers.linux.sched import idle_task, task_cpu, task_state_to_char

START_KERNEL_MAP = 0xffffffff80000000
PAGE = 4096
U64 = (1 << 64) - 1
LIST_LIMIT = 1 << 20       # bound on every list walk: a corrupt list must not hang the oracle
PER_REGION = {"directmap": 300, "ktext": 200, "kdata": 200, "module": 150,
              "vmalloc": 250, "vmemmap": 150}


def hx(v):
    return None if v is None else "0x%x" % v


# --- the dump file: program headers and VMCOREINFO, straight from the ELF ------------------

def elf_loads_and_vmcoreinfo(mm):
    if mm[:4] != b"\x7fELF" or mm[4] != 2 or mm[5] != 1:
        sys.exit("not a little-endian ELF64 vmcore")
    phoff, = struct.unpack_from("<Q", mm, 32)       # honour e_phoff: QEMU puts phdrs at 0xc0
    phentsize, phnum = struct.unpack_from("<HH", mm, 54)
    loads, info = [], {}
    for i in range(phnum):
        typ, _, off, _, paddr, filesz, memsz, _ = struct.unpack_from(
            "<IIQQQQQQ", mm, phoff + i * phentsize)
        if typ == 1:
            loads.append((paddr, memsz, off, filesz))
        elif typ == 4:
            o, end = off, off + filesz
            while o + 12 <= end:
                nsz, dsz, _ = struct.unpack_from("<III", mm, o)
                o += 12
                name = mm[o:o + nsz].rstrip(b"\0")
                o += (nsz + 3) & ~3
                desc = mm[o:o + dsz]
                o += (dsz + 3) & ~3
                if name == b"VMCOREINFO":
                    for line in desc.rstrip(b"\0").decode().splitlines():
                        k, _, v = line.partition("=")
                        info[k] = v
    if not info:
        sys.exit("no VMCOREINFO note (guest without qemu_fw_cfg?)")
    return loads, info


# --- vmlinux symbol table (for random text/data addresses) ---------------------------------

def vmlinux_symbols(path):
    """[(name, link-time address, size, type, section name)] of NOTYPE/OBJECT/FUNC symbols."""
    with open(path, "rb") as f:
        m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    shoff, = struct.unpack_from("<Q", m, 40)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", m, 58)
    secs = [struct.unpack_from("<IIQQQQIIQQ", m, shoff + i * shentsize) for i in range(shnum)]
    shstr = secs[shstrndx][4]
    secname = [m[shstr + s[0]:m.find(b"\0", shstr + s[0])].decode() for s in secs]
    out = []
    for s in secs:
        if s[1] != 2:                                # SHT_SYMTAB
            continue
        stroff = secs[s[6]][4]
        for name, info, _, shndx, value, size in struct.iter_unpack("<IBBHQQ",
                                                                    m[s[4]:s[4] + s[5]]):
            typ = info & 15
            if typ > 2 or not 0 < shndx < shnum:     # NOTYPE, OBJECT, FUNC in a real section
                continue
            n = m[stroff + name:m.find(b"\0", stroff + name)].decode()
            out.append((n, value, size, ("notype", "object", "func")[typ], secname[shndx]))
    return out


# --- drgn set-up -----------------------------------------------------------------------------

class Oracle:
    def __init__(self, vmcore, vmlinux):
        self.f = open(vmcore, "rb")
        self.mm = mmap.mmap(self.f.fileno(), 0, access=mmap.ACCESS_READ)
        self.loads, self.vmci = elf_loads_and_vmcoreinfo(self.mm)
        self.log = None                              # list while recording physical reads
        p = self.prog = drgn.Program()
        p.set_core_dump(vmcore)
        # Lowest layer: any physical address the dump lacks (logged, then a fault).
        p.add_memory_segment(0, 1 << 52, self._phys_miss, True)
        for paddr, memsz, off, filesz in self.loads:
            p.add_memory_segment(paddr, memsz, self._phys_reader(off, filesz), True)
        # The bootstrap: only the root page table page, linearly mapped (see header).
        self.phys_base = int(self.vmci["NUMBER(phys_base)"]) & U64
        self.root = int(self.vmci["SYMBOL(swapper_pg_dir)"], 16)
        p.add_memory_segment(self.root, PAGE, self._root_reader, False)
        # set_core_dump also registered each PT_LOAD as a *virtual* segment at p_vaddr (QEMU:
        # = p_paddr), which would make low user-half addresses read as identity-mapped RAM.
        # Send those through the page-table walk like any other address.
        for paddr, memsz, _, _ in self.loads:
            p.add_memory_segment(paddr, memsz, self._walk_reader, False)
        p.load_debug_info([vmlinux], default=False, main=True)

    def _phys_miss(self, addr, count, offset, physical):
        if self.log is not None:
            self.log.append((addr, count, False))
        raise FaultError("not in dump", addr)

    def _phys_reader(self, off, filesz):
        def read(addr, count, offset, physical):
            if self.log is not None:
                self.log.append((addr, count, True))
            data = self.mm[off + offset:off + min(offset + count, filesz)] if offset < filesz \
                else b""
            return data + bytes(count - len(data))   # p_memsz beyond p_filesz reads as zero
        return read

    def _root_reader(self, addr, count, offset, physical):
        return self.prog.read((addr - START_KERNEL_MAP + self.phys_base) & U64, count, True)

    def _walk_reader(self, addr, count, offset, physical):
        return _linux_helper_read_vm(self.prog, self.root, addr, count)

    def translate(self, va):
        """(pa or None, error or None) from drgn's own page-table walk."""
        self.log = []
        try:
            self.prog.read(va, 1)
            err = None
        except FaultError as e:
            err = str(e).split(":")[0]
        finally:
            log, self.log = self.log, None
        if log and log[-1][1] == 1:                  # the data read: walk succeeded
            return log[-1][0], None
        return None, err or "no data read"

    def sample(self, va, region, detail=""):
        pa, err = self.translate(va)
        h = rerr = None
        try:
            h = hashlib.sha256(self.prog.read(va, 64)).hexdigest()
        except FaultError as e:
            rerr = "%s at 0x%x" % (str(e).split(":")[0], e.address)
        return {"va": hx(va), "region": region, "detail": detail, "pa": hx(pa),
                "error": err, "sha256": h, "read_error": rerr}


def walk(head, typ, member, limit=LIST_LIMIT):
    """Bounded list_for_each_entry that stops on a cycle back to the head."""
    prog = head.prog_
    off = drgn.offsetof(prog.type(typ), member)
    node = head.next
    for _ in range(limit):
        if node.value_() == head.address_of_().value_():
            return
        yield Object(prog, prog.type(typ + " *"), value=node.value_() - off)[0]
        node = node.next
    raise RuntimeError("list at 0x%x longer than %d" % (head.address_of_().value_(), limit))


# --- facts -----------------------------------------------------------------------------------

def system_ram(prog):
    """System RAM ranges from the iomem resource tree (memblock is freed after boot)."""
    out, r = [], prog["iomem_resource"].child
    while r:
        if r.name.string_() == b"System RAM":
            out.append((r.start.value_(), r.end.value_()))
        r = r.sibling
    return out


def modules(prog):
    out = []
    for mod in walk(prog["modules"], "struct module", "list"):
        try:                                         # <= 6.3: core_layout
            base, size = mod.core_layout.base.value_(), mod.core_layout.size.value_()
            text = mod.core_layout.text_size.value_()
        except AttributeError:                       # 6.4+ (commit ac3b43283923): mod->mem[]
            base, size = mod.mem[0].base.value_(), mod.mem[0].size.value_()
            text = size
        out.append({"name": mod.name.string_().decode(), "address": hx(mod.address_of_().value_()),
                    "base": hx(base), "size": size, "text_size": text,
                    "state": mod.state.format_(type_name=False)})
    return out


def tasks(prog):
    out, seen = [], set()

    def add(t, idle=False):
        if t.value_() in seen:
            return
        seen.add(t.value_())
        out.append({"pid": t.pid.value_(), "tgid": t.tgid.value_(),
                    "comm": t.comm.string_().decode(errors="replace"),
                    "address": hx(t.value_()), "cpu": task_cpu(t),
                    "state": task_state_to_char(t), "idle": idle})
    init = prog["init_task"].address_of_()
    add(init, idle=True)
    for leader in walk(prog["init_task"].tasks, "struct task_struct", "tasks"):
        for t in walk(leader.signal.thread_head, "struct task_struct", "thread_node"):
            add(t.address_of_())
    for cpu in for_each_possible_cpu(prog):
        add(idle_task(prog, cpu), idle=True)
    return sorted(out, key=lambda t: (t["pid"], t["address"]))


def vmap_area_objects(prog):
    """[(node, struct vmap_area)] of every busy area, by address.  Before 6.9 they are on the
    address-sorted vmap_area_list (node None); 6.9 removed it (commit 55c49fee57af
    "mm/vmalloc: remove vmap_area_list"): each of nr_vmap_nodes vmap_nodes[] keeps its busy
    areas on busy.head, address-sorted too, which is what /proc/vmallocinfo
    (vmalloc_info_show) walks, node by node (mm/vmalloc.c)."""
    try:
        return [(None, va) for va in walk(prog["vmap_area_list"], "struct vmap_area", "list")]
    except KeyError:
        pass
    nodes, out = prog["vmap_nodes"], []
    for i in range(prog["nr_vmap_nodes"].value_()):
        out += [(i, va) for va in walk(nodes[i].busy.head, "struct vmap_area", "list")]
    return sorted(out, key=lambda x: x[1].va_start.value_())


def vmap_areas(prog):
    out = []
    for _, va in vmap_area_objects(prog):
        vm = va.vm
        caller = ""
        if vm:
            try:
                caller = prog.symbol(vm.caller.value_()).name
            except LookupError:
                caller = hx(vm.caller.value_())
        out.append({"start": va.va_start.value_(), "end": va.va_end.value_(),
                    "flags": vm.flags.value_() if vm else None,
                    "vm_size": vm.size.value_() if vm else None, "caller": caller})
    return out



def timekeeper(prog):
    """The core timekeeper: tk_core.timekeeper, or timekeeper_data[0].timekeeper where tk_core
    became a macro for it (the auxiliary-clock timekeepers, 2025: sid's 7.2 has no tk_core)."""
    try:
        return prog["tk_core"].timekeeper
    except LookupError:
        return prog["timekeeper_data"][0].timekeeper

def info(o, ram):
    prog, v = o.prog, o.vmci
    sym = lambda n: prog.symbol(n).address
    l5 = int(v.get("NUMBER(pgtable_l5_enabled)", "0"))
    phys_base = prog.read_u64(sym("phys_base"))      # no DWARF entry: it is defined in asm
    uts = prog["init_uts_ns"].name
    panic = [r for r in get_printk_records(prog) if b"Kernel panic" in r.text]
    return {
        "osrelease": uts.release.string_().decode(), "version": uts.version.string_().decode(),
        "machine": uts.machine.string_().decode(), "nodename": uts.nodename.string_().decode(),
        "page_offset_base": hx(prog["page_offset_base"].value_()),
        "vmalloc_base": hx(prog["vmalloc_base"].value_()),
        "vmemmap_base": hx(prog["vmemmap_base"].value_()),
        "phys_base": hx(phys_base), "phys_base_signed": phys_base - (1 << 64)
        if phys_base >> 63 else phys_base,
        "kernel_offset": hx(int(v.get("KERNELOFFSET", "0"), 16)),
        "pgtable_l5_enabled": l5, "va_bits": 57 if l5 else 48,
        "nr_cpu_ids": prog["nr_cpu_ids"].value_(),
        "cpus_online": len(list(for_each_online_cpu(prog))),
        "cpus_possible": len(list(for_each_possible_cpu(prog))),
        "cpus_present": len(list(for_each_present_cpu(prog))),
        "swapper_pg_dir": hx(o.root),
        "_text": hx(sym("_text")), "_stext": hx(sym("_stext")), "_etext": hx(sym("_etext")),
        "_end": hx(sym("_end")), "max_pfn": prog["max_pfn"].value_(),
        "sizeof_struct_page": drgn.sizeof(prog.type("struct page")),
        "crashtime": int(v["CRASHTIME"]) if "CRASHTIME" in v else None,
        "xtime_sec": timekeeper(prog).xtime_sec.value_(),
        "panic_log_ts_nsec": panic[0].timestamp if panic else None,
        "panic_message": panic[0].text.decode(errors="replace") if panic else None,
        "ram": [{"start": hx(s), "end": hx(e)} for s, e in ram],
        "vmcoreinfo": v,
    }


# --- samples ---------------------------------------------------------------------------------

def rand_pa(rng, ram):
    total = sum(e + 1 - s for s, e in ram)
    x = rng.randrange(total)
    for s, e in ram:
        if x <= e - s:
            return s + x
        x -= e + 1 - s


def make_samples(o, rng, ram, mods, areas, inf):
    prog, out = o.prog, []
    add = lambda va, region, detail="": out.append(o.sample(va, region, detail))
    pob = int(inf["page_offset_base"], 16)
    vmemmap = int(inf["vmemmap_base"], 16)
    vmalloc = int(inf["vmalloc_base"], 16)
    koff = int(inf["kernel_offset"], 16)
    def mostly_nonzero(i, pick):
        # Most of a 512 MB guest is zero pages: every other sample retries for non-zero
        # bytes, so content comparisons mean something.
        for _ in range(1 if i % 2 else 32):
            va = pick()
            try:
                if any(prog.read(va, 64)):
                    break
            except FaultError:
                pass
        return va
    for i in range(PER_REGION["directmap"]):
        add(mostly_nonzero(i, lambda: pob + (rand_pa(rng, ram) & ~7)), "directmap")
    for s, e in ram:                                 # edges of each RAM range too
        add(pob + s, "directmap", "first byte of RAM range")
        add(pob + (e & ~63), "directmap", "last 64 bytes of RAM range")
    # Kernel image symbols, relocated by KERNELOFFSET; init sections are freed after boot.
    syms = vmlinux_symbols(o.vmlinux)
    allsyms = {n: a for n, a, *_ in syms}
    init_b = allsyms.get("__init_begin", 0)
    init_e = allsyms.get("__init_end", 0)
    text_b, text_e = allsyms["_stext"], allsyms["_etext"]
    funcs = [s for s in syms if s[3] == "func" and text_b <= s[1] < text_e]
    data = [s for s in syms if s[3] == "object" and s[1] >= START_KERNEL_MAP
            and not init_b <= s[1] < init_e and not s[4].startswith(".init")
            and not text_b <= s[1] < text_e]
    for kind, pool in (("ktext", funcs), ("kdata", data)):
        for n, a, size, _, sec in rng.sample(pool, PER_REGION[kind]):
            add(a + koff + (rng.randrange(size) & ~7 if size > 8 else 0), kind,
                "%s %s" % (sec, n))
    mods = [m for m in mods if m["size"]]
    for i in range(PER_REGION["module"] if mods else 0):
        m = rng.choice(mods)
        add(mostly_nonzero(i, lambda: int(m["base"], 16) + rng.randrange(m["size"])), "module",
            m["name"])
    # vmalloc: areas below the kernel image map (modules live above it); skip guard pages.
    vm_areas = [a for a in areas if vmalloc <= a["start"] < START_KERNEL_MAP]
    for i in range(PER_REGION["vmalloc"] if vm_areas else 0):
        a = rng.choice(vm_areas)
        size = a["end"] - a["start"]
        if a["flags"] is not None and not a["flags"] & 0x40:     # VM_NO_GUARD
            size -= PAGE
        va = mostly_nonzero(i, lambda: a["start"] + (rng.randrange(max(size, 1)) & ~7))
        add(va, "vmalloc", "flags=%s caller=%s" % (hx(a["flags"]), a["caller"]))
    psize = inf["sizeof_struct_page"]
    for _ in range(PER_REGION["vmemmap"]):
        add(vmemmap + (rand_pa(rng, ram) >> 12) * psize, "vmemmap")
    # Must not translate.  Holes between vmap areas, guard pages, far beyond RAM, user half.
    for a, b in zip(vm_areas, vm_areas[1:]):
        if b["start"] - a["end"] >= 2 * PAGE and len([s for s in out
                                                      if s["region"] == "unmapped"]) < 4:
            add(a["end"] + (b["start"] - a["end"]) // 2 & ~(PAGE - 1), "unmapped",
                "hole between vmap areas")
    for a in vm_areas[:4]:
        if a["flags"] is not None and not a["flags"] & 0x40:
            add(a["end"] - PAGE, "unmapped", "vmalloc guard page")
    add(vmalloc + (1 << 44), "unmapped", "vmalloc base + 16 TiB (no areas)")
    add(pob + (1 << 40), "unmapped", "direct map 1 TiB, beyond RAM")
    add(0x400000, "unmapped", "user half in init_mm")
    vabits = inf["va_bits"]
    for va in (1 << (vabits - 1), U64 ^ ((1 << (vabits - 1)) - 1) ^ (1 << 62),
               0xdead000000000000):
        r = o.sample(va, "noncanonical", "drgn translated it" if o.translate(va)[0] else "")
        r["pa"], r["error"] = None, "non-canonical"
        out.append(r)
    return out


# --- self checks -----------------------------------------------------------------------------

def checks(o, inf, samples, marker):
    prog, out = o.prog, []
    ok = lambda name, cond, detail="": out.append({"name": name, "ok": bool(cond),
                                                   "detail": detail})
    banner = prog.read(prog.symbol("linux_banner").address, 14)
    ok("linux_banner reads 'Linux version'", banner == b"Linux version ", repr(banner))
    stext = int(inf["_stext"], 16)
    pa, err = o.translate(stext)
    want = (stext - START_KERNEL_MAP + int(inf["phys_base"], 16)) & U64
    ok("_stext PA = VA - __START_KERNEL_map + phys_base", pa == want,
       "walk %s, linear %s %s" % (hx(pa), hx(want), err or ""))
    ok("phys_base variable == VMCOREINFO", int(inf["phys_base"], 16) == o.phys_base)
    ok("OSRELEASE matches init_uts_ns", o.vmci.get("OSRELEASE") == inf["osrelease"])
    link_stext = int(o.vmci.get("SYMBOL(_stext)", "0"), 16)
    ok("SYMBOL(_stext) == _stext", link_stext == stext)
    pob = int(inf["page_offset_base"], 16)
    bad = [s["va"] for s in samples if s["region"] == "directmap"
           and (s["pa"] is None or int(s["pa"], 16) != int(s["va"], 16) - pob)]
    ok("directmap PA = VA - page_offset_base", not bad, " ".join(bad[:5]))
    for region in PER_REGION:
        n = len([s for s in samples if s["region"] == region and s["sha256"]])
        ok("%s: >= 90%% of samples readable" % region,
           n >= 0.9 * PER_REGION[region], "%d readable" % n)
    leaked = [s["va"] for s in samples if s["region"] == "unmapped" and s["pa"]]
    ok("unmapped samples do not translate", not leaked, " ".join(leaked))
    # Physical bytes at the translated PA equal the virtual read (when within one page).
    diff = []
    for s in samples:
        if s["sha256"] and s["pa"] and (int(s["va"], 16) & (PAGE - 1)) <= PAGE - 64:
            if hashlib.sha256(prog.read(int(s["pa"], 16), 64, True)).hexdigest() != s["sha256"]:
                diff.append(s["va"])
    ok("bytes at PA == bytes at VA", not diff, " ".join(diff[:5]))
    ok("marker in printk log", marker is not None, marker or "")
    ok(">= 1200 samples", len(samples) >= 1200, str(len(samples)))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vmcore", required=True)
    ap.add_argument("--vmlinux", required=True)
    ap.add_argument("--json", required=True, help="output file ('-' for stdout)")
    ap.add_argument("--addrs", help="file with one hex VA per line: answer only these")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()

    o = Oracle(a.vmcore, a.vmlinux)
    o.vmlinux = a.vmlinux
    prog = o.prog
    ram = system_ram(prog)
    inf = info(o, ram)
    mods, areas = modules(prog), vmap_areas(prog)
    logs = [r.text.decode(errors="replace") for r in get_printk_records(prog)]
    marker = next((l for l in logs if l.startswith("VMDIVE-MARKER ")), None)
    if a.addrs:
        with open(a.addrs) as f:
            vas = [int(l.split()[0], 16) for l in f if l.strip() and not l.startswith("#")]
        samples = [o.sample(va, "given") for va in vas]
        chk = []
    else:
        samples = make_samples(o, random.Random(a.seed), ram, mods, areas, inf)
        chk = checks(o, inf, samples, marker)
    doc = {
        "tool": "drgn", "drgn_version": drgn.__version__, "vmcore": a.vmcore,
        "vmlinux": a.vmlinux, "seed": a.seed,
        "hash_rule": "sha256 of the 64 bytes [va, va+64) read through virtual translation",
        "info": inf, "samples": samples, "modules": mods, "tasks": tasks(prog),
        "vmap_areas": [dict(x, start=hx(x["start"]), end=hx(x["end"]), flags=hx(x["flags"]))
                       for x in areas],
        "log_tail": logs[-40:], "marker": marker, "checks": chk,
    }
    out = sys.stdout if a.json == "-" else open(a.json, "w")
    json.dump(doc, out, indent=1)
    out.write("\n")
    failed = [c for c in chk if not c["ok"]]
    for c in failed:
        print("drgn_oracle: CHECK FAILED: %s %s" % (c["name"], c["detail"]), file=sys.stderr)
    by = {}
    for s in samples:
        by.setdefault(s["region"], [0, 0])[0 if s["pa"] else 1] += 1
    print("drgn_oracle: %d samples (%s), %d modules, %d tasks, %d checks failed" % (
        len(samples), ", ".join("%s %d/%d" % (r, n[0], n[0] + n[1]) for r, n in by.items()),
        len(mods), len(doc["tasks"]), len(failed)), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
