#!/usr/bin/python3
"""Swapped-out pages on the zram samples (samples/make-dumps.sh --variant zram, zram-6.12,
zram-sid, arm64-zram: x86_64 6.1 with lzo-rle, x86_64 6.12 with zstd, sid's x86_64 7.2 with lz4
and the swap table, arm64 6.1 with lzo-rle).

    /usr/bin/python3 tests/real/zram_check.py VMDIVE

$VMDIVE_VARIANTS picks among them; a variant without its dump is a SKIP.
The guest ran samples/guest/vd-zram: NPAGES anonymous pages whose bytes are made from the page's
index and the dump's marker alone (page_bytes() below is vd-zram.c's vdzram_fill()), of which
it paged out the first ones with MADV_PAGEOUT to a zram swap device (meta.env ZRAM_ALG), then
printed its pid, the pages' address and the kernel's VmSwap for it (meta.env VDZRAM).  Checks, on
vmcore.elf and vmcore.kdump-zlib:
  - rd -u PID of the whole region: every page equals the bytes constructed here;
  - vtop -u PID --json of every page: the pages it says are swapped out, counted, equal the
    kernel's own VmSwap (and are more than 0), the others are resident;
  - each swapped page's PTE in vmdive's walk equals the PTE of a page-table walk done by
    tests/oracle/uswap_oracle.py through drgn (sid's drgn for sid's kernel), and its swap type
    and offset equal what crash's `pte` says of that PTE value (crash's own swap-entry
    decoding; its device is the zram vmdive names; crash 8.0.2, sid's 9.0.2 for 7.2); on arm64,
    where no crash reads the dump, what uswap_oracle.py decodes from the PTE with the 6.1 arm64
    layout, the area's path from drgn; every offset is another one;
  - how zram stored each kind: same-filled pages (kind 2) as ZRAM_SAME with the page's word,
    random ones (kind 3) uncompressed (huge), the others compressed with meta.env's ZRAM_ALG
    in fewer bytes than a page;
  - gcore PID: the ELF core's PT_LOAD segments hold the region, every page equal to the bytes
    constructed here (swapped-out ones included).
crash 8.0.2 cannot run `vtop -u` on 6.1 (vm_area_dump: "invalid structure member offset:
mm_struct_mmap", the maple tree), hence `pte` of the PTE value.
arm64-zram runs vmdive with --vmlinux: Debian's arm64 6.1 kallsyms in the dump lack the static
nr_swapfiles (its x86_64 kernels have them).
"""
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import vdcheck as vc                                 # noqa: E402

VARIANTS = ("zram", "zram-6.12", "zram-sid", "arm64-zram")
M64 = (1 << 64) - 1


def page_bytes(i, marker, page):
    """vd-zram.c's vdzram_fill(): page i of the region."""
    kind = i % 4
    if kind == 2:
        return struct.pack("<Q", 0x56445a5200000000 | i) * (page // 8)
    b = bytearray(page)
    head = (b"VDZRAM-PAGE %04d %d " % (i, kind) + marker + b"\n")[:63]
    b[:len(head)] = head
    x = i + 1
    for o in range(64, page, 8):
        if kind == 0:
            v = (i << 32) | (o // 8)
        elif kind == 3 or o < page // 2:
            x ^= x >> 12
            x ^= (x << 25) & M64
            x ^= x >> 27
            v = (x * 0x2545f4914f6cdd1d) & M64
        else:
            v = 0
        b[o:o + 8] = struct.pack("<Q", v)
    return bytes(b)


def oracle_file(t, dumpdir, meta, name, key_blobs, make):
    """A cached oracle answer next to the dump (made by make() once per dump file)."""
    cdir = vc.cache_dir(dumpdir, meta["VARIANT"])
    path = os.path.join(cdir, "%s-%s-%s" % (name, vc.dump_key(meta["VMCORE_ELF"]),
                                            vc.content_key(*key_blobs)))
    if not os.path.exists(path):
        data = make()
        if data is None:
            return None
        vc.atomic_write(path, data)
    with open(path, "rb") as f:
        return f.read()


def drgn_ptes(t, dumpdir, meta, pid, start, npages):
    script = os.path.join(vc.ORACLE_DIR, "uswap_oracle.py")
    VARIANT = meta["VARIANT"]
    py = vc.oracle_python(meta)
    if py is None:
        t.skip(VARIANT, "no drgn for this kernel (samples/make-dumps.sh --variant %s fetches "
               "sid's)" % VARIANT)
        return None

    def make():
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "o.json")
            t0 = time.time()
            p = subprocess.run([py, script, "--vmcore", meta["VMCORE_ELF"], "--vmlinux",
                                meta["VMLINUX"], "--pid", str(pid), "--start", hex(start),
                                "--npages", str(npages), "--json", out],
                               capture_output=True, text=True, timeout=vc.TIMEOUT)
            if p.returncode:
                t.ok(VARIANT, "oracle", False, "uswap_oracle.py: %s" % vc.short(p.stderr, 600))
                return None
            print("%s: drgn PTE oracle ran in %.1f s" % (VARIANT, time.time() - t0), flush=True)
            with open(out, "rb") as f:
                return f.read()
    data = oracle_file(t, dumpdir, meta, "uswap.json",
                       [script, os.path.join(vc.ORACLE_DIR, "drgn_oracle.py"),
                        os.path.join(vc.ORACLE_DIR, "drgn_oracle_arm64.py"),
                        b"%d %d %d" % (pid, start, npages)], make)
    return json.loads(data) if data else None


def crash_ptes(t, dumpdir, meta, values, crash):
    """{pte value: (device, offset)} from crash's `pte` (one session, cached)."""
    cmds = "swap\n" + "".join("pte %x\n" % v for v in values)
    VARIANT = meta["VARIANT"]

    def make():
        with tempfile.TemporaryDirectory() as tmp:
            cf, out = os.path.join(tmp, "cmds"), os.path.join(tmp, "out")
            with open(cf, "w") as f:
                f.write(cmds)
            t0 = time.time()
            p = subprocess.run([os.path.join(vc.ORACLE_DIR, "crash_oracle.sh"),
                                meta["VMCORE_ELF"], meta["VMLINUX"], cf, out],
                               capture_output=True, text=True, timeout=vc.TIMEOUT,
                               # sid's crash 9.0.2 stops at 7.2's modules
                               # ("module_num_gpl_syms"); the kernel's swap_info is enough
                               env=dict(os.environ, CRASH=crash,
                                        CRASH_OPTS="--no_modules" if meta.get("SUITE") == "sid"
                                        else ""))
            if p.returncode:
                t.ok(VARIANT, "oracle", False, "crash: %s" % vc.short(p.stderr, 600))
                return None
            print("%s: crash ran in %.1f s" % (VARIANT, time.time() - t0), flush=True)
            with open(out, "rb") as f:
                return f.read()
    data = oracle_file(t, dumpdir, meta, "crash-pte.out", [cmds.encode(), crash.encode()], make)
    if data is None:
        return None
    res = {}
    for m in re.finditer(r"^\s*([0-9a-f]+)\s+(\S+)\s+(\d+)\s*$", data.decode(errors="replace"),
                         re.M):
        res[int(m.group(1), 16)] = (m.group(2), int(m.group(3)))
    return res


def core_bytes(path, start, length):
    """The bytes of [start, start + length) in an ELF core's PT_LOADs (None where none has
    them)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or data[4] != 2:
        return None
    phoff, = struct.unpack_from("<Q", data, 32)
    phentsize, phnum = struct.unpack_from("<HH", data, 54)
    out = bytearray(length)
    got = 0
    for i in range(phnum):
        p_type, _, off, vaddr, _, filesz, _ = struct.unpack_from("<IIQQQQQ", data,
                                                                  phoff + i * phentsize)
        if p_type != 1:
            continue
        lo, hi = max(vaddr, start), min(vaddr + filesz, start + length)
        if lo < hi:
            out[lo - start:hi - start] = data[off + lo - vaddr:off + hi - vaddr]
            got += hi - lo
    return bytes(out) if got == length else None


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    vm = vc.Vmdive(sys.argv[1])
    t = vc.Tally()
    want = os.environ.get("VMDIVE_VARIANTS", " ".join(VARIANTS)).split()
    for v in VARIANTS:
        if v in want:
            meta = vc.have_dump(t, v)
            if meta is not None:
                check(vm, t, v, meta)
    sys.exit(t.finish())


def check(vm, t, VARIANT, meta):
    dumpdir = os.path.join(vc.DUMPS, VARIANT)
    # Debian's arm64 6.1 kallsyms lack the static nr_swapfiles: give vmdive the vmlinux.
    opt = ["--vmlinux", meta["VMLINUX"]] if meta.get("ARCH") == "arm64" else []
    m = re.search(r"pid (\d+) pages (0x[0-9a-f]+) npages (\d+) swapped (\d+) \(madvise (\w+)\)"
                  r".* page_size (\d+) vmswap_kb (-?\d+)", meta.get("VDZRAM", ""))
    if not m:
        t.ok(VARIANT, "meta", False, "meta.env has no vd-zram line: %r" % meta.get("VDZRAM"))
        return
    pid, start, npages = int(m.group(1)), int(m.group(2), 16), int(m.group(3))
    psz, vmswap_kb = int(m.group(6)), int(m.group(7))
    marker = meta["MARKER"].split()[-1].encode()
    alg = meta.get("ZRAM_ALG")
    t.ok(VARIANT, "meta", m.group(5) == "ok", "madvise(MADV_PAGEOUT) said %s" % m.group(5))
    want = [page_bytes(i, marker, psz) for i in range(npages)]

    files = [("elf", meta["VMCORE_ELF"])]
    if meta.get("VMCORE_KDUMP_ZLIB"):
        files.append(("kdump-zlib", meta["VMCORE_KDUMP_ZLIB"]))
    elif meta.get("DUMPS", "full") != "full":
        # samples/make-dumps.sh VARIANTS: ELF only (the full variant named reads its kernel's
        # kdump-zlib page by page: test_kdump_real).
        print("SKIP %s/kdump-zlib: not made, by design (meta.env DUMPS=%s)"
              % (VARIANT, meta["DUMPS"]), flush=True)
    else:
        t.ok(VARIANT, "meta", False, "meta.env names no VMCORE_KDUMP_ZLIB")
    for fname, dump in files:
        scope = "%s/%s" % (VARIANT, fname)
        t0 = time.time()
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "pages.bin")
            rc, _, err = vm.run(["rd"] + opt + ["-u", str(pid), dump, "-o", out, hex(start),
                                 str(npages * psz)])
            data = open(out, "rb").read() if os.path.exists(out) else b""
        t.ok(scope, "rd-u", rc == 0 and len(data) == npages * psz and not vc.SANITIZER.search(err),
             "rd -u exit %d, %d bytes: %s" % (rc, len(data), vc.short(err)))
        for i in range(npages):
            t.ok(scope, "page", data[i * psz:(i + 1) * psz] == want[i],
                 lambda i=i: "page %d at 0x%x differs from the bytes vd-zram wrote"
                 % (i, start + i * psz))
        print("%s: rd -u of %d pages in %.2f s" % (scope, npages, time.time() - t0), flush=True)

    # gcore: the process as an ELF core, its swapped-out pages read back.
    with tempfile.TemporaryDirectory() as tmp:
        core = os.path.join(tmp, "core")
        rc, _, err = vm.run(["gcore"] + opt + [meta["VMCORE_ELF"], str(pid), "-o", core])
        data = core_bytes(core, start, npages * psz) if rc == 0 and os.path.exists(core) \
            else None
    t.ok(VARIANT, "gcore", data is not None and not vc.SANITIZER.search(err),
         "gcore exit %d, region not in its PT_LOADs: %s" % (rc, vc.short(err)))
    for i in range(npages if data else 0):
        t.ok(VARIANT, "gcore-page", data[i * psz:(i + 1) * psz] == want[i],
             lambda i=i: "gcore: page %d at 0x%x differs" % (i, start + i * psz))

    # Where each page is.
    vas = [start + i * psz for i in range(npages)]
    res = vm.vtop([meta["VMCORE_ELF"]], vas, extra=opt + ["-u", str(pid)])
    swapped = {va: e["swap"] for va, e in res.items() if isinstance(e.get("swap"), dict)}
    resident = [va for va, e in res.items() if e.get("pa") is not None]
    print("%s: %d pages swapped out, %d resident (the kernel's VmSwap: %d kB)"
          % (VARIANT, len(swapped), len(resident), vmswap_kb), flush=True)
    t.ok(VARIANT, "count", len(swapped) > 0, "no swapped-out page found")
    t.ok(VARIANT, "count", len(swapped) * psz // 1024 == vmswap_kb,
         "%d pages swapped, the kernel's VmSwap says %d kB" % (len(swapped), vmswap_kb))
    t.ok(VARIANT, "count", len(swapped) + len(resident) == npages,
         "%d swapped + %d resident of %d pages" % (len(swapped), len(resident), npages))
    offsets = [s.get("offset") for s in swapped.values()]
    t.ok(VARIANT, "count", len(set(offsets)) == len(offsets), "a swap offset twice")

    oracle = drgn_ptes(t, dumpdir, meta, pid, start, npages)
    if oracle is None:
        return
    ptes = {int(va, 16): e for va, e in oracle["ptes"].items()}
    swp_ptes = sorted({int(ptes[va]["pte"], 16) for va in swapped if ptes.get(va)})
    crash_bin = vc.oracle_crash(meta) if meta.get("ARCH", "x86_64") == "x86_64" else None
    if VARIANT == "zram-6.12":           # crash 8.0.2 refuses 6.12's modules; sid's reads it
        crash_bin = os.path.join(vc.SID_ORACLES, "crash")
    if crash_bin is not None:
        crash = crash_ptes(t, dumpdir, meta, swp_ptes, crash_bin) if swp_ptes else {}
        if crash is None:
            return
    else:
        # No crash for this architecture: uswap_oracle.py's decoding, drgn's area path.
        paths = {a["type"]: a.get("path") for a in oracle["swap_areas"]}
        crash = {}
        for e in ptes.values():
            if e and "swap_type" in e:
                crash[int(e["pte"], 16)] = (paths.get(e["swap_type"]) or "?", e["swap_offset"])
    for i, va in enumerate(vas):
        o = ptes.get(va)
        e = res.get(va, {})
        if va not in swapped:
            t.ok(VARIANT, "resident", o is not None and o["present"],
                 lambda va=va, o=o: "0x%x: vmdive maps it, drgn's walk: %s" % (va, o))
            continue
        s = swapped[va]
        steps = e.get("steps") or [{}]
        pte = vc.h(steps[-1].get("entry"))
        t.ok(VARIANT, "pte", o is not None and not o["present"] and o["level"] == "PTE" and
             int(o["pte"], 16) == pte,
             lambda va=va, o=o, pte=pte: "0x%x: vmdive's PTE %s, drgn's walk %s" % (va, pte, o))
        cr = crash.get(pte)
        t.ok(VARIANT, "crash-pte", cr is not None and cr[1] == s.get("offset") and
             s.get("type") == 0 and os.path.basename(cr[0]) == s.get("device") and
             cr[0] == s.get("area"),
             lambda va=va, cr=cr, s=s: "0x%x: crash's pte says %s, vmdive type %s offset %s "
             "device %s area %s" % (va, cr, s.get("type"), s.get("offset"), s.get("device"),
                                    s.get("area")))
        kind = i % 4
        if kind == 2:
            ok = s.get("source") == "zram-same" and vc.h(s.get("value")) == (0x56445a5200000000 | i)
        elif kind == 3:
            ok = s.get("source") == "zram-huge" and s.get("stored_bytes") == psz
        else:
            ok = s.get("source") == "zram" and s.get("compressor") == alg and \
                0 < (s.get("stored_bytes") or 0) < psz
        t.ok(VARIANT, "stored-as", ok, lambda i=i, s=s: "page %d (kind %d): %s" % (i, kind, s))
    t.summary(VARIANT)


if __name__ == "__main__":
    main()
