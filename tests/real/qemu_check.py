#!/usr/bin/python3
"""qemu_check: vmdive against QEMU's own translations of the same boot (qemu-xlat.json).

    /usr/bin/python3 tests/real/qemu_check.py VMDIVE        # test_qemu_xlat.sh: x86_64 variants

samples/make-dumps.sh runs samples/qemu-xlat.py while the panicked guest is stopped, after
dump-guest-memory: QEMU's HMP `gva2gpa` translates ~7000-9000 kernel VAs per dump through the
emulated MMU with the vCPU's own registers (x86_64: CR3, CR4.LA57; arm64: TTBR1_EL1, TCR_EL1),
from every region (direct/linear map, kernel text, data and freed init, modules, vmalloc,
vmemmap, page-by-page sweeps of the fixmap, cpu_entry_area or PCI I/O windows, non-canonical
ones).  No software page-table walker is involved: it is an oracle independent of vmdive,
drgn and crash.  For each variant and each of its files (vmcore.elf, vmcore.kdump-zlib):
  (a) `vmdive vtop` gives QEMU's PA for every VA QEMU translates and refuses every VA QEMU
      calls unmapped (non-canonical ones as such), and names the region the VA came from;
  (b) `vmdive rd -n 64` gives the 64 bytes vmcore.elf holds at QEMU's PA (read here from the
      ELF's PT_LOADs), and fails where the PA is not in the dump (MMIO) or QEMU says unmapped;
  (c) `vmdive info --json`: the root table's PA, levels, and the bases QEMU read (x86_64:
      page_offset_base, vmalloc_base, vmemmap_base; arm64: see vdcheck_arm64.py);
  and every self-check qemu-xlat.py recorded passed.  vdcheck_arm64.py runs the same checks
on the arm64 variants.  Ends with "N passed, M failed"; exit 1 on any mismatch or if no dump
has a qemu-xlat.json.

Environment: VMDIVE_DUMPS as in vdcheck.py; VMDIVE_QEMU_VARIANTS (default "kaslr nokaslr la57"
and vdcheck.X86_KERNELS: kaslr-5.10 kaslr-6.12 kaslr-sid; a missing one is a SKIP); VD_JOBS,
VD_MAX_DETAILS as in vdcheck.py.
"""
import hashlib
import json
import mmap
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import vdcheck as vc                                 # noqa: E402
import drgn_oracle as base                           # noqa: E402  (tests/oracle: ELF reading)

h = vc.h
VARIANTS = os.environ.get("VMDIVE_QEMU_VARIANTS",
                          " ".join(("kaslr", "nokaslr", "la57") + vc.X86_KERNELS)).split()
# qemu-xlat.py's region -> the regions vmdive's layout may name; the sweeps of fixed windows
# are not named here (they straddle regions on purpose: both layouts' windows are swept).
X86_REGION = {"directmap": ("direct map",), "ktext": ("kernel text mapping",),
              "kdata": ("kernel text mapping",), "kinit": ("kernel text mapping",),
              "module": ("modules",), "vmalloc": ("vmalloc/ioremap",),
              "vmemmap": ("vmemmap",), "cpu_entry": ("cpu_entry_area",),
              "noncanonical": ("non-canonical hole",)}


class ElfPhys:
    """Bytes at a physical address of an ELF vmcore, straight from its PT_LOADs."""

    def __init__(self, path):
        self.f = open(path, "rb")
        self.mm = mmap.mmap(self.f.fileno(), 0, access=mmap.ACCESS_READ)
        self.loads, self.vmci = base.elf_loads_and_vmcoreinfo(self.mm)

    def read(self, pa, n):
        for paddr, memsz, off, filesz in self.loads:
            if paddr <= pa and pa + n <= paddr + memsz:
                o = pa - paddr
                data = self.mm[off + o:off + min(o + n, filesz)] if o < filesz else b""
                return data + bytes(n - len(data))
        return None


def load(t, variant, meta, dumpdir):
    """The dump's qemu-xlat.json (its self-checks counted), or None and a failed check."""
    path = meta.get("QEMU_XLAT") or os.path.join(dumpdir, "qemu-xlat.json")
    if meta.get("DUMPS", "full") != "full" and not meta.get("QEMU_XLAT"):
        # samples/make-dumps.sh VARIANTS: ELF only; the full variant named has its kernel's.
        t.skip(variant, "no qemu-xlat.json, by design (meta.env DUMPS=%s)" % meta["DUMPS"])
        return None
    if not t.ok(variant, "setup", os.path.exists(path),
                "%s missing: the dump predates samples/qemu-xlat.py; make it again with "
                "samples/make-dumps.sh --variant %s" % (path, variant)):
        return None
    with open(path) as f:
        q = json.load(f)
    for c in q["checks"]:
        t.ok(variant, "qemu-oracle", c["ok"], lambda: "qemu-xlat.py check failed: %s %s"
             % (c["name"], c["detail"]))
    by = {}
    for s in q["samples"]:
        by[s["region"]] = by.get(s["region"], 0) + 1
    print("%s: %d QEMU samples (%s)" % (variant, len(q["samples"]), ", ".join(
        "%s %d" % kv for kv in sorted(by.items()))), flush=True)
    return q


def check(t, vm, scope, dumps, q, elf, regions):
    """(a) and (b) of the module doc for every sample of q."""
    samples = q["samples"]
    vt = vm.vtop(dumps, [h(s["va"]) for s in samples], chunk=2000)
    for s in samples:
        v = vt.get(h(s["va"]))
        va, reg = s["va"], s["region"]
        if v is None:
            t.ok(scope, "vtop(qemu)", False, "%s %s: vmdive gave no answer" % (va, reg))
            continue
        vpa = h(v.get("pa"))
        if s["pa"] is not None:
            t.ok(scope, "vtop(qemu)", vpa == h(s["pa"]), lambda: "%s %s %s: QEMU pa %s, vmdive "
                 "%s" % (va, reg, s["detail"], s["pa"], v.get("pa") or v.get("error")))
        elif reg == "noncanonical":
            t.ok(scope, "vtop(qemu)", vpa is None and "non-canonical" in (v.get("error") or ""),
                 lambda: "%s: QEMU unmapped, vmdive %s" % (va, v.get("pa") or v.get("error")))
        else:
            t.ok(scope, "vtop(qemu)", vpa is None and v.get("error_kind") == "not present",
                 lambda: "%s %s %s: QEMU unmapped, vmdive pa %s error_kind %s (%s)" % (
                     va, reg, s["detail"], v.get("pa"), v.get("error_kind"), v.get("error")))
        if reg in regions:
            t.ok(scope, "region(qemu)", v.get("region") in regions[reg],
                 lambda: "%s %s: vmdive region %r" % (va, reg, v.get("region")))
    rd = vm.rd_many([(i, dumps, h(s["va"])) for i, s in enumerate(samples)])
    for i, s in enumerate(samples):
        rc, data, err = rd[i]
        want = elf.read(h(s["pa"]), 64) if s["pa"] is not None else None
        if want is not None:
            good = rc == 0 and data == want
        else:                                        # unmapped, or a PA the dump lacks
            good = vc.sane_failure(rc, err)
        t.ok(scope, "rd(qemu)", good, lambda: "%s %s: at QEMU's pa %s the ELF has %s; vmdive "
             "rd exit %d sha256 %s %s" % (
                 s["va"], s["region"], s["pa"],
                 hashlib.sha256(want).hexdigest()[:16] if want else "nothing", rc,
                 (vc.sha(data) or "-")[:16], vc.short(err)))


def check_info(t, scope, j, pairs, rc, err):
    """pairs: [(name, vmdive's value, the expected one)]."""
    if not isinstance(j, dict) or rc != 0:
        return t.ok(scope, "info(qemu)", False, "info exit %d, no JSON: %s" % (rc, vc.short(err)))
    for name, got, want in pairs:
        t.ok(scope, "info(qemu)", got == want and want is not None,
             lambda: "%s: vmdive %r, QEMU/VMCOREINFO %r" % (
                 name, hex(got) if isinstance(got, int) else got,
                 hex(want) if isinstance(want, int) else want))


def x86_info(t, vm, scope, dumps, q, elf):
    j, rc, err = vm.json(["info", "--json"] + dumps)
    p, b = (j or {}).get("paging") or {}, q["facts"]["bases"]
    l5 = int(elf.vmci.get("NUMBER(pgtable_l5_enabled)", "0"))
    check_info(t, scope, j, [
        ("root (QEMU's PA of init_top_pgt)", h(p.get("root")), h(b.get("init_top_pgt_pa"))),
        ("levels", p.get("levels"), 5 if l5 else 4),
        ("page_offset_base", h(p.get("page_offset_base")), h(b["page_offset_base"])),
        ("vmalloc_base", h(p.get("vmalloc_base")), h(b["vmalloc_base"])),
        ("vmemmap_base", h(p.get("vmemmap_base")), h(b["vmemmap_base"])),
        ("kaslr_offset", h(p.get("kaslr_offset")), h(q["facts"]["kernel_offset"])),
    ], rc, err)


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    binary = os.path.abspath(sys.argv[1])
    t = vc.Tally()
    if not os.access(binary, os.X_OK):
        t.ok("setup", "vmdive", False, "%s is not an executable vmdive" % binary)
        return t.finish()
    vm = vc.Vmdive(binary)
    t0, found = time.time(), 0
    for variant in VARIANTS:
        d0 = time.time()
        dumpdir = os.path.join(vc.DUMPS, variant)
        meta = vc.have_dump(t, variant)
        if meta is None:
            continue
        found += 1
        q = load(t, variant, meta, dumpdir)
        if q is None:
            continue
        if not t.ok(variant, "setup", q["arch"] == "x86_64",
                    "%s is %s: vdcheck_arm64.py checks arm64 dumps" % (variant, q["arch"])):
            continue
        elf = ElfPhys(meta["VMCORE_ELF"])
        for label, key in (("elf", "VMCORE_ELF"), ("kdump-zlib", "VMCORE_KDUMP_ZLIB")):
            path = meta.get(key, "")
            scope = "%s/%s" % (variant, label)
            if not path and meta.get("DUMPS", "full") != "full":     # ELF-only variant
                print("SKIP %s: not made, by design (meta.env DUMPS=%s)" % (scope, meta["DUMPS"]))
                continue
            if t.ok(scope, "setup", os.path.exists(path), "%s=%r missing" % (key, path)):
                check(t, vm, scope, [path], q, elf, X86_REGION)
                x86_info(t, vm, scope, [path], q, elf)
                t.summary(scope)
        t.summary(variant, d0)
    if not found:
        t.ok("setup", "dumps", False, "no dumps under %s (%s): run samples/make-dumps.sh first"
             % (vc.DUMPS, " ".join(VARIANTS)))
    print("(%d vmdive processes, %.1f s)" % (vm.spawns, time.time() - t0))
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
