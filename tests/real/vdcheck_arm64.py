#!/usr/bin/python3
"""vdcheck_arm64: vmdive against drgn and QEMU on the arm64 dumps of samples/make-dumps.sh.

    /usr/bin/python3 tests/real/vdcheck_arm64.py VMDIVE     # test_aarch64_translate.sh

For each arm64 variant (arm64-kaslr, arm64-nokaslr: 4K pages, 48-bit VAs; arm64-6.12: 4K pages,
52-bit VAs, 5 levels; arm64-16k-6.12: 16K pages, 52-bit VAs, LPA2 descriptors; arm64-6.12-va48
and arm64-16k-6.12-va47: those kernels on a CPU without LPA2, QEMU only) and each of its files (vmcore.elf and QEMU's
flattened vmcore.kdump-zlib, the same boot), against drgn:
  (a) `vmdive vtop --json` gives drgn's PA for every sample of tests/oracle/drgn_oracle_arm64.py
      (>= 1000 translated ones per region: linear map, kernel text, kernel data, modules,
      vmalloc, vmemmap; plus unmapped, _text.._stext and non-canonical ones, which must be
      refused alike), and puts each in the right region of its layout;
  (b) `vmdive rd -n 64` gives the bytes drgn read at each VA (sha256), or fails where drgn
      failed;
  (c) `vmdive info --json` (with and without --vmlinux): va_bits, levels, page_size,
      kimage_voffset, phys_offset, kaslr_offset, kernelpacmask equal the dump's and drgn's;
  (d) ptov of linear-map and kernel-image PAs gives their VAs back, and every VA it names
      translates back to that PA.
drgn only reads ELF, so the kdump-zlib file is checked against drgn's answers about the
vmcore.elf of the same boot.  The oracle's output is cached next to the dump like vdcheck.py's
(tests/real/vdcheck.py, whose Tally, Vmdive and checks this reuses).

And against QEMU itself: qemu-xlat.json, which make-dumps.sh recorded while the panicked guest
was stopped (samples/qemu-xlat.py: HMP `gva2gpa` through the emulated MMU, with the vCPU's own
TTBR1_EL1/TCR_EL1, for ~9000 VAs: linear map, kernel text, data and freed init, modules,
vmalloc, vmemmap, page-by-page sweeps of the fixmap and PCI I/O windows, non-canonical ones).
drgn 0.0.22 walks 16K/52-bit tables as if they had no LPA2 bits, which only agrees because
this RAM lies below 2^48; QEMU implements FEAT_LPA2, so it is the oracle that can tell:
  (e) `vmdive vtop` gives QEMU's PA for every VA QEMU translates (>= 1000 per region) and
      refuses every VA QEMU calls unmapped, and names the region the VA was picked from;
  (f) `vmdive rd -n 64` gives the 64 bytes vmcore.elf holds at QEMU's PA (read here from the
      ELF's PT_LOADs), and fails where the PA is not in the dump (MMIO) or QEMU says unmapped;
  (g) info: root = QEMU's PA of swapper_pg_dir, va_bits_runtime, levels, page size,
      kimage_voffset, PHYS_OFFSET, KASLR offset; ptov of QEMU's linear and image samples;
  and every self-check qemu-xlat.py recorded passed.
Ends with "N passed, M failed"; exit 1 on any mismatch or when no arm64 dump exists.

Environment: VMDIVE_DUMPS (default /var/cache/vmdive/dumps), VMDIVE_ARM64_VARIANTS (default
the 6.1 pair, the two no-LPA2 ones and vdcheck.ARM64_KERNELS: 5.10, 6.12 4K/16K, sid 4K/16K; a
missing one is a SKIP), VD_JOBS, VD_MAX_DETAILS as in vdcheck.py.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import vdcheck as vc                                 # noqa: E402
import qemu_check as qc                              # noqa: E402

ORACLE = os.path.join(vc.ORACLE_DIR, "drgn_oracle_arm64.py")
VARIANTS = os.environ.get("VMDIVE_ARM64_VARIANTS", " ".join(
    ("arm64-kaslr", "arm64-nokaslr", "arm64-6.12-va48", "arm64-16k-6.12-va47") +
    vc.ARM64_KERNELS)).split()
# 52-bit kernels on a CPU without LPA2: drgn 0.0.22 takes the build's VA_BITS for the walk and
# answers "address is not mapped" for every VA; QEMU is their only oracle.
NO_DRGN = {"arm64-6.12-va48", "arm64-16k-6.12-va47"}
h = vc.h
# drgn_oracle_arm64.py's region -> the regions vmdive's layout may name.  Under KASLR the
# modules live in vmalloc space, outside MODULES_VADDR..END (docs/real-dump-traps.md); with symbols
# vmdive shows module_alloc_base's window.
REGION = {"linear": ("linear map",), "ktext": ("kernel image",), "kdata": ("kernel image",),
          "module": ("modules", "modules (module_alloc_base)", "vmalloc",
                     "BPF JIT"),          # 5.10: BPF programs in their own 128 MiB below
          "vmalloc": ("vmalloc", "BPF JIT"), "vmemmap": ("vmemmap",),
          "noncanonical": ("non-canonical hole",)}


def oracle(t, variant, dumpdir, meta):
    elf = meta["VMCORE_ELF"]
    cdir = vc.cache_dir(dumpdir, variant)
    key = vc.content_key(ORACLE, os.path.join(vc.ORACLE_DIR, "drgn_oracle.py"))
    path = os.path.join(cdir, "drgn-arm64-%s-%s.json" % (vc.dump_key(elf), key))
    if not os.path.exists(path):
        py = vc.oracle_python(meta)
        if py is None:
            t.skip(variant, "no drgn for this kernel (samples/make-dumps.sh --variant %s "
                   "fetches sid's)" % variant)
            return None
        t0 = time.time()
        with tempfile.NamedTemporaryFile(suffix=".json", dir=cdir, delete=False) as tmp:
            pass
        p = subprocess.run([py, ORACLE, "--vmcore", elf, "--vmlinux", meta["VMLINUX"],
                            "--json", tmp.name], capture_output=True, text=True,
                           timeout=vc.TIMEOUT)
        if p.returncode != 0:
            os.unlink(tmp.name)
            t.ok(variant, "oracle", False, "drgn_oracle_arm64.py failed (exit %d): %s"
                 % (p.returncode, vc.short(p.stderr, 600)))
            return None
        for old in os.listdir(cdir):
            if old.startswith("drgn-arm64-") and old.endswith(".json"):
                os.unlink(os.path.join(cdir, old))
        os.replace(tmp.name, path)
        print("%s: drgn oracle ran in %.1f s -> %s" % (variant, time.time() - t0, path),
              flush=True)
    with open(path) as f:
        return json.load(f)


def expected_levels(di):
    """Lookup levels from the runtime VA width and granule (Arm ARM D8.2)."""
    shift = di["page_size"].bit_length() - 1
    bits = di["va_bits"] if shift == 16 else di["va_bits_runtime"]
    return -(-(bits - shift) // (shift - 3))


def check_info(t, scope, j, di, cat, rc, err):
    if not isinstance(j, dict) or rc != 0:
        return t.ok(scope, cat, False, "info exit %d, no JSON: %s" % (rc, vc.short(err)))
    p = j.get("paging") or {}
    pairs = [
        ("va_bits", p.get("va_bits"), di["va_bits"]),
        ("va_bits_runtime", p.get("va_bits_runtime"), di["va_bits_runtime"]),
        ("levels", p.get("levels"), expected_levels(di)),
        ("page_size", p.get("page_size"), di["page_size"]),
        ("kimage_voffset", h(p.get("kimage_voffset")), h(di["kimage_voffset_var"])),
        ("phys_offset", h(p.get("phys_offset")), h(di["memstart_addr"])),
        ("kaslr_offset", h(p.get("kaslr_offset")), h(di["kaslr_offset"])),
        ("kernelpacmask", h(p.get("kernelpacmask")), h(di["kernelpacmask"])),
        ("root", h(p.get("root")), h(di["swapper_pg_dir_pa"])),
        ("page_offset", h(p.get("page_offset")), h(di["page_offset"])),
        ("osrelease", j.get("osrelease"), di["osrelease"]),
    ]
    for name, got, want in pairs:
        t.ok(scope, cat, got == want and want is not None,
             lambda: "%s: vmdive %r, drgn %r" % (
                 name, hex(got) if isinstance(got, int) else got,
                 hex(want) if isinstance(want, int) else want))


def check_ptov(t, vm, scope, dumps, samples, extra, label):
    lin = vc.spread([s for s in samples if s["region"] == "linear" and s["pa"]], 40)
    img = vc.spread([s for s in samples if s["region"] in ("ktext", "kdata") and s["pa"]], 20)
    pas = [h(s["pa"]) for s in lin + img]
    j, rc, err = vm.json(["ptov", "--json"] + extra + dumps + ["0x%x" % p for p in pas])
    got = {}
    for e in j if isinstance(j, list) else []:
        got[h(e.get("pa"))] = [(h(x["va"]), x.get("region")) for x in e.get("va", [])]
    for s in lin + img:
        region = "linear map" if s["region"] == "linear" else "kernel image"
        t.ok(scope, label, any(a == h(s["va"]) and r == region
                               for a, r in got.get(h(s["pa"]), [])),
             lambda: "ptov %s (%s %s): vmdive %s (exit %d %s)" % (
                 s["pa"], s["region"], s["va"],
                 [(hex(a), r) for a, r in got.get(h(s["pa"]), [])], rc, vc.short(err)))
    back = sorted({a for vs in got.values() for a, _ in vs})
    bt = vm.vtop(dumps, back, extra)
    for pa, vs in got.items():
        for a, r in vs:
            b = bt.get(a) or {}
            t.ok(scope, label + "-roundtrip", h(b.get("pa")) == pa,
                 lambda: "ptov %s names %s (%s), but vtop gives %s" % (
                     hex(pa), hex(a), r, b.get("pa") or b.get("error")))


def check_file(t, vm, scope, dumps, d, meta):
    samples, di = d["samples"], d["info"]
    vt = vm.vtop(dumps, [h(s["va"]) for s in samples])
    for s in samples:
        v = vt.get(h(s["va"]))
        vc.check_xlat(t, scope, s, v)
        if s["region"] in REGION and v is not None:
            t.ok(scope, "region", v.get("region") in REGION[s["region"]],
                 lambda: "%s %s: vmdive region %r" % (s["va"], s["region"], v.get("region")))
    rd = vm.rd_many([(h(s["va"]), dumps, h(s["va"])) for s in samples])
    for s in samples:
        vc.check_read(t, scope, s, rd[h(s["va"])])
    for cat, extra in (("info", []), ("info(vmlinux)", ["--vmlinux", meta["VMLINUX"]])):
        j, rc, err = vm.json(["info", "--json"] + extra + dumps)
        check_info(t, scope, j, di, cat, rc, err)
    check_ptov(t, vm, scope, dumps, samples, [], "ptov")
    check_ptov(t, vm, scope, dumps, samples, ["--vmlinux", meta["VMLINUX"]], "ptov(vmlinux)")


# --- against QEMU's own translations (qemu-xlat.json: tests/real/qemu_check.py) ------------

# qemu-xlat.py's region -> the regions vmdive's layout may name (the fixmap and PCI I/O
# sweeps cover the windows of both layouts, before and after 6.9: not named).
QREGION = dict(REGION, kinit=("kernel image",))


def check_qemu(t, vm, scope, dumps, q, elf):
    qc.check(t, vm, scope, dumps, q, elf, QREGION)
    j, rc, err = vm.json(["info", "--json"] + dumps)
    p, f = (j or {}).get("paging") or {}, q["facts"]
    b = f["bases"]
    shift = f["page_size"].bit_length() - 1
    rt = b["vabits_actual"]
    walk = f["va_bits"] if shift == 16 else rt          # as expected_levels()
    qc.check_info(t, scope, j, [
        ("root (QEMU's PA of swapper_pg_dir)", h(p.get("root")), h(b["swapper_pg_dir_pa"])),
        ("va_bits", p.get("va_bits"), f["va_bits"]),
        ("va_bits_runtime (64 - TCR_EL1.T1SZ)", p.get("va_bits_runtime"), rt),
        ("levels", p.get("levels"), -(-(walk - shift) // (shift - 3))),
        ("page_size", p.get("page_size"), f["page_size"]),
        ("kimage_voffset", h(p.get("kimage_voffset")), h(b["kimage_voffset"])),
        ("phys_offset", h(p.get("phys_offset")), h(b["phys_offset"])),
        ("page_offset", h(p.get("page_offset")), h(b["page_offset"])),
        ("kaslr_offset", h(p.get("kaslr_offset")), h(f["kernel_offset"])),
        ("lpa2 (4K/16K pages, 52-bit VAs)", p.get("lpa2", 0), int(shift != 16 and walk == 52)),
    ], rc, err)
    # ptov of QEMU's linear-map and image samples (regions named as drgn's are)
    check_ptov(t, vm, scope, dumps, [s for s in q["samples"] if s["region"] != "kinit"], [],
               "ptov(qemu)")


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
    t0 = time.time()
    found = 0
    for variant in VARIANTS:
        d0 = time.time()
        dumpdir = os.path.join(vc.DUMPS, variant)
        meta = vc.have_dump(t, variant)
        if meta is None:
            continue
        found += 1
        d = None if variant in NO_DRGN else oracle(t, variant, dumpdir, meta)
        if d is not None:
            by = {}
            for s in d["samples"]:
                by[s["region"]] = by.get(s["region"], 0) + 1
            print("%s: %d drgn samples (%s)" % (variant, len(d["samples"]), ", ".join(
                "%s %d" % kv for kv in sorted(by.items()))), flush=True)
        q = qc.load(t, variant, meta, dumpdir)
        elf = qc.ElfPhys(meta["VMCORE_ELF"]) if q else None
        for label, key in (("elf", "VMCORE_ELF"), ("kdump-zlib", "VMCORE_KDUMP_ZLIB")):
            path = meta.get(key, "")
            scope = "%s/%s" % (variant, label)
            if not path and meta.get("DUMPS", "full") != "full":     # ELF-only variant
                print("SKIP %s: not made, by design (meta.env DUMPS=%s)" % (scope, meta["DUMPS"]))
                continue
            if t.ok(scope, "setup", os.path.exists(path), "%s=%r missing" % (key, path)):
                if d is not None:
                    check_file(t, vm, scope, [path], d, meta)
                if q is not None:
                    check_qemu(t, vm, scope, [path], q, elf)
                t.summary(scope)
        t.summary(variant, d0)
    if not found:
        t.ok("setup", "dumps", False,
             "no arm64 dumps under %s (%s): run `samples/make-dumps.sh --arch arm64` first "
             "(as root; ~2 min from an empty cache)" % (vc.DUMPS, " ".join(VARIANTS)))
    print("(%d vmdive processes, %.1f s)" % (vm.spawns, time.time() - t0))
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
