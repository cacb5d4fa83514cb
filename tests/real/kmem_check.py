#!/usr/bin/python3
"""kmem_check: vmdive's kmem -i, -s, -S and kmem ADDR on the real dumps.

    /usr/bin/python3 tests/real/kmem_check.py VMDIVE          # test_kmem.sh

For each variant (VARIANTS, those whose dumps exist: Debian's 6.1 and 6.12 kernels, x86_64 and
arm64), on vmcore.elf and vmcore.kdump-zlib, without a vmlinux (types from the kernel's BTF in
the dump) and with --vmlinux:
  - kmem -i --json: every /proc/meminfo line equal to drgn's computation from the kernel's
    counters (tests/real/kmem_oracle.py, one drgn session per dump, cached next to the dump);
    on the x86_64 6.1 samples the crash-style page counts equal crash 8.0.2's `kmem -i`
    (TOTAL MEM, FREE, USED, BUFFERS, CACHED, TOTAL/FREE HUGE, SWAP, COMMIT LIMIT; not
    COMMITTED: crash reads the counter's global count only, the kernel sums every CPU's part;
    crash 8.0.2 prints the number of slabs as SLAB on 6.1, not the kernel's Slab counter);
    on 5.10 (no kallsyms in VMCOREINFO) and arm64 6.1 (no CONFIG_KALLSYMS_ALL) "without a
    vmlinux" means --system-map, and a run with neither must fail with one clear line;
  - kmem -s --json: every cache (address, name, object size) with its allocated and total
    objects and slabs equal to drgn's walk of the whole memory map (slab pages grouped by
    slab_cache, free objects from each slab's freelist and the CPUs' lockless freelists),
    and on the x86_64 6.1 samples each row of crash's `kmem -s`;
  - kmem -S kmalloc-1k: the objects crash's `kmem -S` lists, allocated or free, on 6.1 x86_64;
    on every variant each listed object's state equals drgn's walk of the memory map (7.2:
    with the slabs on no list that hold sheaf objects);
  - kmem ADDR --json for drgn's 200 addresses: slab objects (cache, object, allocated),
    pages (struct page, flags, refcount, mapping), task stacks (pid, task), per-CPU areas,
    modules, kernel text, vmalloc areas; kmem -p of the pages;
  - for init and the sample guest's processes (meta.env PROCS): vm PID (every VMA: address,
    start, end, flags, pgoff, d_path of the file, against drgn's walk of the maple tree or
    mmap list and drgn's d_path), files PID (drgn's for_each_file and d_path), ps -a (drgn's
    cmdline() and environ()), rd -u PID at the first and last page of every VMA (sha256 of
    64 bytes against drgn's access_process_vm: same bytes, or both unreadable);
  - gcore PID: gdb opens the core, one thread per kernel thread of the process, each with
    the registers drgn reads from the pt_regs at the top of its kernel stack (x86_64: also
    fs_base from task->thread); vmdive's info, maps and rd read it back (the VMAs; the
    bytes drgn's access_process_vm reads).
Prints a summary per scope, the run times of vmdive, drgn and crash, and "N passed, M failed".
VMDIVE_VARIANTS limits the variants.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import vdcheck as vc                                 # noqa: E402
import sid_crash                                     # noqa: E402

VARIANTS = ("kaslr", "nokaslr", "la57", "kaslr-6.12", "kaslr-5.10", "arm64-kaslr",
            "arm64-nokaslr", "arm64-6.12", "arm64-16k-6.12", "kaslr-sid", "arm64-sid",
            "arm64-16k-sid")
# The sid variants (Debian's 7.2, x86_64 and arm64 4K/16K): SLUB keeps per-CPU sheaves and no kmem_cache_cpu, meminfo has
# lost NR_BOUNCE/NR_WRITEBACK_TEMP and gained Balloon/GPU lines; the oracle is sid's drgn
# 0.3.0 (vdcheck.oracle_python).  crash 9.0.2 cannot open it (module_init: "invalid structure
# member offset: module_num_gpl_syms"), so no crash comparison there.
# Not arm64-6.12-va48: drgn 0.0.22, the oracle here, cannot translate the 52-bit kernel that
# fell back to 48-bit VAs (it walks with the build's VA_BITS).
CRASH_VARIANTS = ("kaslr", "nokaslr", "la57")        # crash 8.0.2 reads x86_64 6.1 only
# Kernels whose dump names no data symbols: 5.10 does not export kallsyms in VMCOREINFO
# (6.0+ does), Debian's arm64 6.1 has no CONFIG_KALLSYMS_ALL.  Without a vmlinux they are
# read with --system-map (types still from the BTF in the dump), and a run with neither
# must fail with one clear line.
NEEDS_MAP = ("kaslr-5.10", "arm64-kaslr", "arm64-nokaslr")
# Of those, the dumps whose kallsyms really has no data symbols (x86_64 5.10's kallsyms, found
# by scanning the image, has them): without a map, one clear line.
NOSYMS = ("arm64-kaslr", "arm64-nokaslr")
ORACLE = os.path.join(HERE, "kmem_oracle.py")
TIMEOUT = 900
CRASH_CMDS = "kmem -i\nkmem -s\nkmem -S kmalloc-1k\n"
TIMES = {}


def h(x):
    return None if x is None else int(x, 16) if isinstance(x, str) else int(x)


def timed(key, fn):
    t0 = time.time()
    r = fn()
    TIMES.setdefault(key, []).append(time.time() - t0)
    return r


def variants(t):
    return vc.variants(t, VARIANTS, listed_only=False, say_missing=False, make="--all")


def cached(variant, dumpdir, name, blobs, make):
    cdir = vc.cache_dir(dumpdir, variant)
    stem, ext = os.path.splitext(name)
    path = os.path.join(cdir, "%s-%s%s" % (stem, vc.content_key(*blobs), ext))
    if not os.path.exists(path):
        data = make()
        if data is None:
            return None
        kind = name.split("-")[0] + "-"
        for old in os.listdir(cdir):
            if old.startswith(kind) and old != os.path.basename(path):
                try:
                    os.unlink(os.path.join(cdir, old))
                except FileNotFoundError:
                    pass
        vc.atomic_write(path, data)
    with open(path, "rb") as f:
        return f.read()


def drgn_oracle(t, variant, dumpdir, meta):
    elf = meta["VMCORE_ELF"]
    arch = "aarch64" if meta.get("ARCH") == "arm64" else "x86_64"

    def make():
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "o.json")
            t0 = time.time()
            py = vc.oracle_python(meta)
            if py is None:
                return None
            p = subprocess.run([py, ORACLE, "--vmcore", elf, "--vmlinux", meta["VMLINUX"],
                                "--arch", arch, "--json", out], capture_output=True, text=True,
                               timeout=TIMEOUT)
            if p.returncode:
                t.ok(variant, "oracle", False, "kmem_oracle.py failed: %s" % vc.short(p.stderr, 600))
                return None
            print("%s: drgn kmem oracle ran in %.1f s" % (variant, time.time() - t0), flush=True)
            return open(out, "rb").read()
    data = cached(variant, dumpdir, "kmem-%s.json" % vc.dump_key(elf),
                  [ORACLE, os.path.join(vc.ORACLE_DIR, "drgn_oracle.py")], make)
    return json.loads(data) if data else None


def crash_text(t, variant, dumpdir, meta):
    elf = meta["VMCORE_ELF"]

    def make():
        with tempfile.TemporaryDirectory() as tmp:
            cf, out = os.path.join(tmp, "cmds"), os.path.join(tmp, "out")
            with open(cf, "w") as f:
                f.write(CRASH_CMDS)
            t0 = time.time()
            p = subprocess.run([os.path.join(vc.ORACLE_DIR, "crash_oracle.sh"), elf,
                                meta["VMLINUX"], cf, out], capture_output=True, text=True,
                               timeout=TIMEOUT)
            if p.returncode:
                t.ok(variant, "oracle", False, "crash failed: %s" % vc.short(p.stderr))
                return None
            print("%s: crash ran in %.1f s" % (variant, time.time() - t0), flush=True)
            return open(out, "rb").read()
    data = cached(variant, dumpdir, "crashkmem-%s.out" % vc.dump_key(elf), [CRASH_CMDS.encode()],
                  make)
    return data.decode(errors="replace") if data else None


def parse_crash(text):
    """{"info": {NAME: pages}, "caches": {addr: (objsize, alloc, total, slabs, ssize, name)},
    "S": {object: allocated}}"""
    info, caches, objs = {}, {}, {}
    part = 0
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("PAGES") and "PERCENTAGE" in s:
            part = 1
            continue
        if line.startswith("CACHE "):
            part += 1
            continue
        f = s.split()
        if part == 1 and len(f) >= 3:
            name, rest = line[:13].strip(), line[13:].split()
            if name and rest and rest[0].isdigit():
                info[name] = int(rest[0])
        elif part == 2 and len(f) == 7:
            caches[int(f[0], 16)] = (int(f[1]), int(f[2]), int(f[3]), int(f[4]), f[5], f[6])
        elif part == 3 and f:
            if s.startswith("[") and s.endswith("]") and len(s) == 18:
                objs[int(s[1:-1], 16)] = True
            elif len(f) >= 1 and len(f[0]) == 16 and line.startswith("   ") and \
                    all(c in "0123456789abcdef" for c in f[0]):
                objs[int(f[0], 16)] = False
    return {"info": info, "caches": caches, "S": objs}


def sid_crash_kmem(t, variant, meta):
    """kmem -i and kmem -s of sid's crash 9.0.2 (x86_64 6.12 and 7.2) from the session the tests
    share (sid_crash.py), parsed as parse_crash does; no kmem -S asked ("S": None).  7.2's
    SLUB sheaves are beyond crash 9.0.2's kmem -s ("invalid structure member offset:
    kmem_cache_local_node"): its caches are not compared ("caches": None)."""
    txt = sid_crash.transcript(meta)
    if not t.ok(variant, "oracle", txt is not None, "sid's crash failed (see above)"):
        return None
    c = parse_crash(txt[txt.index("PAGES"):] if "PAGES" in txt else "")
    c["S"] = None
    # crash 9.0.2 prints no swap lines on 7.2 (none of TOTAL SWAP, SWAP USED, SWAP FREE):
    # nothing to compare there; meminfo's SwapTotal/SwapFree are held to drgn.
    c["info"]["_no_swap"] = not any(k in c["info"] for k in ("TOTAL SWAP", "SWAP FREE"))
    if "kmem_cache_local_node" in txt or not c["caches"]:
        c["caches"] = None
    return c


class Vd:
    def __init__(self, binary):
        self.bin = binary

    def json(self, args, key="other"):
        t0 = time.time()
        p = subprocess.run([self.bin] + args, capture_output=True, timeout=TIMEOUT)
        TIMES.setdefault(key, []).append(time.time() - t0)
        err = p.stderr.decode(errors="replace")
        try:
            return json.loads(p.stdout), p.returncode, err
        except ValueError:
            return None, p.returncode, err


def check_meminfo(t, sc, j, o):
    got = {m["name"]: m["value"] for m in j["meminfo"]}
    names = [m["name"] for m in j["meminfo"]]
    t.ok(sc, "meminfo.lines", names == [m[0] for m in o],
         lambda: "vmdive %s drgn %s" % (names, [m[0] for m in o]))
    for name, val, _ in o:
        if val is None:
            continue
        t.ok(sc, "meminfo.value", got.get(name) == val,
             lambda: "%s: vmdive %s drgn %s" % (name, got.get(name), val))


def check_crash_info(t, sc, j, ci):
    p = j["pages"]
    want = {"TOTAL MEM": p["total"], "FREE": p["free"], "USED": p["used"],
            "BUFFERS": p["buffers"], "CACHED": p["cached"], "TOTAL HUGE": p["huge_total"],
            "HUGE FREE": p["huge_free"], "TOTAL SWAP": p["swap_total"],
            "SWAP FREE": p["swap_free"], "SWAP USED": p["swap_total"] - p["swap_free"],
            "COMMIT LIMIT": p["commit_limit"]}
    # COMMITTED: crash prints vm_committed_as.count, the kernel (and vmdive)
    # the counter's sum over the CPUs; meminfo's Committed_AS checks it.
    for k, v in want.items():
        if "SWAP" in k and ci.get("_no_swap"):
            continue
        t.ok(sc, "crash.kmem-i", ci.get(k) == v, lambda: "%s: vmdive %s crash %s" % (k, v, ci.get(k)))


def check_caches(t, sc, j, o, crash):
    caches = j["caches"]
    t.ok(sc, "kmem-s.count", len(caches) == len(o), "vmdive %d drgn %d" % (len(caches), len(o)))
    by = {h(c["address"]): c for c in caches}
    for oc in o:
        c = by.get(h(oc["address"]))
        if not c:
            t.ok(sc, "kmem-s.cache", False, "%s missing" % oc["name"])
            continue
        got = (c["name"], c["object_size"], c.get("allocated"), c.get("total"), c.get("slabs"))
        want = (oc["name"], oc["object_size"], oc["allocated"], oc["total"], oc["slabs"])
        t.ok(sc, "kmem-s.cache", got == want, lambda: "vmdive %s drgn %s" % (got, want))
    t.ok(sc, "kmem-s.errors", not j["errors"], lambda: "errors %s" % j["errors"][:3])
    if crash is None:
        return
    for addr, cr in crash.items():
        c = by.get(addr)
        got = c and (c["object_size"], c["allocated"], c["total"], c["slabs"],
                     "%dk" % (c["slab_size"] // 1024), c["name"])
        t.ok(sc, "crash.kmem-s", got == cr, lambda: "vmdive %s crash %s" % (got, cr))


def check_S_drgn(t, sc, j, states):
    """Every object kmem -S lists has the state drgn's walk of the memory map gives it
    (freelists, CPU freelists, sheaves): 7.2's sheaf objects in slabs on no list too."""
    n = bad = 0
    for s in j["slabs"]:
        for key, allocated in (("allocated_objects", True), ("free_objects", False)):
            for a in s[key]:
                n += 1
                want = states.get("0x%x" % h(a))
                ok = t.ok(sc, "kmem-S.drgn", want == allocated,
                          lambda: "%s: vmdive %s, drgn %s" % (
                              a, "allocated" if allocated else "free",
                              {True: "allocated", False: "free", None: "no object"}[want]))
                bad += not ok
    t.ok(sc, "kmem-S.drgn_listed", n > 0, lambda: "kmem -S kmalloc-1k listed no object")


def check_S(t, sc, j, crash_objs):
    got = {}
    for s in j["slabs"]:
        for a in s["allocated_objects"]:
            got[h(a)] = True
        for a in s["free_objects"]:
            got[h(a)] = False
    t.ok(sc, "crash.kmem-S", got == crash_objs,
         lambda: "%d objects vs crash %d; differ at %s" % (
             len(got), len(crash_objs),
             [hex(a) for a in set(got) ^ set(crash_objs)][:4] or
             [hex(a) for a in got if got[a] != crash_objs.get(a)][:4]))


def check_addrs(t, sc, j, o):
    if not isinstance(j, list):
        t.ok(sc, "kmem-addr.run", False, "no JSON")
        return
    by = {h(a["address"]): a for a in j}
    for oa in o:
        a = by.get(h(oa["va"]))
        k = oa["kind"]
        if not a:
            t.ok(sc, "kmem-addr.%s" % k, False, "%s: no answer" % oa["va"])
            continue
        if k == "slab":
            got = (a["kind"], a.get("cache", {}).get("name"), h(a.get("cache", {}).get("address")),
                   h(a.get("object")), a.get("allocated"), h(a.get("slab")))
            want = ("slab", oa["cache"], h(oa["cache_address"]), h(oa["object"]),
                    oa["allocated"], h(oa["slab"]))
            if "drgn_slab_object_info" in oa:
                t.ok(sc, "drgn.slab_object_info", oa["drgn_slab_object_info"],
                     "%s: drgn's slab_object_info disagrees with the oracle" % oa["va"])
        elif k == "page":
            p = a.get("page", {})
            got = (h(p.get("page")), h(p.get("flags")), p.get("refcount"), h(p.get("mapping")))
            want = (h(oa["page"]), h(oa["flags"]), oa["refcount"], h(oa["mapping"]))
        elif k == "stack":
            got = (a["kind"], a.get("pid"), h(a.get("task")), h(a.get("stack_base")))
            want = ("stack", oa["pid"], h(oa["task"]), h(oa["stack"]))
        elif k == "percpu":
            got, want = (a["kind"], a.get("cpu")), ("percpu", oa["cpu"])
        elif k == "module":
            got, want = (a["kind"], a.get("module")), ("module", oa["module"])
        elif k == "kernel":
            got, want = (a["kind"], a.get("section")), ("kernel", oa["section"])
        else:
            va = a.get("vmap_area", {})
            got = (a["kind"], h(va.get("start")), h(va.get("end")))
            want = ("vmalloc", h(oa["start"]), h(oa["end"]))
        t.ok(sc, "kmem-addr.%s" % k, got == want,
             lambda: "%s: vmdive %s drgn %s" % (oa["va"], got, want))


def check_procs(t, sc, vd, extra, dump, procs, key):
    import hashlib
    pa, rc, err = vd.json(["ps", "-a", "--json"] + extra + [dump], "ps -a")
    if not t.ok(sc, "ps-a.run", pa is not None and rc == 0,
                lambda: "exit %d: %s" % (rc, vc.short(err))):
        pa = {"tasks": []}
    by = {x["pid"]: x for x in pa["tasks"]}
    for p in procs:
        pid = str(p["pid"])
        a = by.get(p["pid"], {})
        t.ok(sc, "ps-a.argv", a.get("argv") == p["argv"],
             lambda: "pid %s: vmdive %s drgn %s" % (pid, a.get("argv"), p["argv"]))
        t.ok(sc, "ps-a.environ", a.get("environ") == p["environ"],
             lambda: "pid %s: vmdive %s drgn %s" % (pid, a.get("environ"), p["environ"]))
        j, rc, err = vd.json(["vm", "--json"] + extra + [dump, pid], "vm")
        if t.ok(sc, "vm.run", j is not None and rc == 0, lambda: "exit %d: %s" % (rc, vc.short(err))):
            got = [(h(v["vma"]), h(v["start"]), h(v["end"]), h(v["flags"]), h(v["pgoff"]),
                    v["path"] if h(v["file"]) else "") for v in j["vmas"]]
            want = [(h(v["vma"]), h(v["start"]), h(v["end"]), h(v["flags"]), h(v["pgoff"]),
                     v["path"]) for v in p["vmas"]]
            t.ok(sc, "vm.vmas", got == want, lambda: "pid %s: vmdive %s drgn %s" % (
                pid, [g for g in got if g not in want][:3], [w for w in want if w not in got][:3]))
            t.ok(sc, "vm.map_count", len(got) == p["map_count"],
                 "pid %s: %d VMAs, map_count %d" % (pid, len(got), p["map_count"]))
        j, rc, err = vd.json(["files", "--json"] + extra + [dump, pid], "files")
        if t.ok(sc, "files.run", j is not None and rc == 0, lambda: "exit %d: %s" % (rc, vc.short(err))):
            got = [(f["fd"], h(f["file"]), f["path"]) for f in j["files"]]
            want = [(f["fd"], h(f["file"]), f["path"]) for f in p["files"]]
            t.ok(sc, "files.fds", got == want, lambda: "pid %s: vmdive %s drgn %s" % (pid, got, want))
        vas = [r["va"] for r in p["reads"]]
        j, rc, err = vd.json(["rd", "-u", pid, "--json", "-n", "64"] + extra + [dump] + vas, "rd -u")
        if not t.ok(sc, "rd-u.run", isinstance(j, list), lambda: "exit %d: %s" % (rc, vc.short(err))):
            continue
        for r, g in zip(p["reads"], j):
            gh = hashlib.sha256(bytes.fromhex(g["hex"])).hexdigest() if g.get("complete") else None
            t.ok(sc, "rd-u.bytes", gh == r["sha256"],
                 lambda: "pid %s %s: vmdive %s drgn %s (%s)" % (pid, r["va"], gh, r["sha256"],
                                                                 g.get("error")))


def gdb_regs(core, names, arm):
    """{thread lwp: {reg: value}} from gdb -c CORE (fs_base only when named); arm64 cores
    through gdb-multiarch."""
    p = subprocess.run(["gdb-multiarch" if arm else "gdb", "-nx", "-batch", "-ex", "info threads",
                        "-ex", "thread apply all info registers " + " ".join(names), "-c", core],
                       capture_output=True, text=True, timeout=TIMEOUT)
    out, cur = {}, None
    for line in p.stdout.splitlines():
        m = re.match(r"Thread \d+ \((?:LWP|process) (\d+)\)", line)
        if m:
            cur = out.setdefault(int(m.group(1)), {})
            continue
        f = line.split()
        if cur is not None and len(f) >= 2 and f[1].startswith("0x"):
            cur[f[0]] = int(f[1], 16)
    return out, p.stdout


def check_gcore(t, sc, vd, extra, dump, procs):
    import hashlib
    for p in procs:
        pid = str(p["pid"])
        with tempfile.TemporaryDirectory() as tmp:
            core = os.path.join(tmp, "core.%s" % pid)
            t0 = time.time()
            r = subprocess.run([vd.bin, "gcore"] + extra + [dump, pid, "-o", core],
                               capture_output=True, text=True, timeout=TIMEOUT)
            TIMES.setdefault("gcore", []).append(time.time() - t0)
            if not t.ok(sc, "gcore.run", r.returncode == 0 and os.path.exists(core),
                        lambda: "exit %d: %s" % (r.returncode, vc.short(r.stderr))):
                continue
            regs, txt = gdb_regs(core, sorted(p["threads"][0]["regs"]) if p["threads"] else [],
                                 "x0" in (p["threads"][0]["regs"] if p["threads"] else {}))
            t.ok(sc, "gcore.gdb_threads", sorted(regs) == sorted(x["pid"] for x in p["threads"]),
                 lambda: "pid %s: gdb threads %s, kernel %s: %s" % (
                     pid, sorted(regs), [x["pid"] for x in p["threads"]], vc.short(txt)))
            for th in p["threads"]:
                g = regs.get(th["pid"], {})
                want = {k: h(v) for k, v in th["regs"].items()}
                got = {k: g.get(k) for k in want}
                t.ok(sc, "gcore.gdb_regs", got == want,
                     lambda: "thread %d: gdb %s kernel %s" % (
                         th["pid"], {k: hex(v) if v is not None else None for k, v in got.items()
                                     if v != want[k]},
                         {k: hex(v) for k, v in want.items() if got[k] != v}))
            # vmdive's own core commands read it back.
            j, rc, err = vd.json(["info", "--json", core], "info core")
            t.ok(sc, "gcore.info", j is not None and rc == 0,
                 lambda: "exit %d: %s" % (rc, vc.short(err)))
            j, rc, err = vd.json(["maps", "--json", core], "maps core")
            ok = j is not None and rc == 0
            if t.ok(sc, "gcore.maps", ok, lambda: "exit %d: %s" % (rc, vc.short(err))):
                got = sorted((h(m["start"]), h(m["end"])) for m in (j if isinstance(j, list)
                                                                    else j.get("maps", [])))
                want = sorted((h(v["start"]), h(v["end"])) for v in p["vmas"])
                t.ok(sc, "gcore.maps_vmas", got == want,
                     lambda: "pid %s: maps %s vmas %s" % (pid, got[:4], want[:4]))
            reads = [x for x in p["reads"] if x["sha256"]]
            j, rc, err = vd.json(["rd", "--json", "-n", "64", core] + [x["va"] for x in reads],
                                 "rd core")
            if t.ok(sc, "gcore.rd", isinstance(j, list), lambda: "exit %d: %s" % (rc, vc.short(err))):
                for x, g in zip(reads, j):
                    gh = hashlib.sha256(bytes.fromhex(g["hex"])).hexdigest() \
                        if g.get("hex") else None
                    t.ok(sc, "gcore.rd_bytes", gh == x["sha256"],
                         lambda: "pid %s %s: core %s kernel %s" % (pid, x["va"], gh, x["sha256"]))


def check_corrupt(t, vd, variant, meta, o):
    """A copy of vmcore.elf with slab_caches broken at one cache and one process's maple tree
    root pointing nowhere: kmem -s and vm fail with one clear line, quickly, and ASan-clean."""
    import struct
    sys.path.insert(0, HERE)
    from walkers_check import elf_offset

    def member_offset(vd, dump, typ, member):
        """A member's offset, through anonymous structs and unions (struct --json)."""
        def find(ms, base):
            for m in ms:
                if m["name"] == member:
                    return base + m["offset"]
                if m["name"] is None and m.get("members"):
                    r = find(m["members"], base + m["offset"])
                    if r is not None:
                        return r
            return None
        jj, _, _ = vd.json(["struct", "--json", dump, typ])
        return find((jj or {}).get("members", []), 0)
    sc = variant + "/corrupt"
    src = meta["VMCORE_ELF"]
    j, _, _ = vd.json(["kmem", "-s", "--json", src], "setup")
    v, _, _ = vd.json(["vm", "--json", src, str(o["processes"][1]["pid"])], "setup")
    list_off = member_offset(vd, src, "kmem_cache", "list")
    mt_off = member_offset(vd, src, "mm_struct", "mm_mt")
    if not t.ok(sc, "setup", j and v and None not in (list_off, mt_off), "no offsets"):
        return
    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, "corrupt.elf")
        subprocess.run(["cp", "--sparse=always", src, copy], check=True)
        os.chmod(copy, 0o600)
        patches = [(h(j["caches"][10]["address"]) + list_off, 0xdead000000000100),
                   (h(v["mm"]) + mt_off + 8, 0xdead00000000000a)]   # ma_root: a leaf nowhere
        with open(copy, "r+b") as f:
            for va, value in patches:
                jj, _, _ = vd.json(["vtop", "--json", src, "0x%x" % va], "setup")
                pa = h(jj[0].get("pa")) if jj else None
                off = pa is not None and elf_offset(copy, pa)
                if not t.ok(sc, "setup", off, "cannot place a patch at 0x%x" % va):
                    return
                f.seek(off)
                f.write(struct.pack("<Q", value))
        for args, what in ((["kmem", "-s", copy], "slab_caches"),
                           (["vm", copy, str(o["processes"][1]["pid"])], "maple node")):
            t0 = time.time()
            p = subprocess.run([vd.bin] + args, capture_output=True, text=True, timeout=TIMEOUT)
            lines = p.stderr.strip().splitlines()
            t.ok(sc, args[0], p.returncode == 1 and len(lines) == 1 and what in p.stderr and
                 time.time() - t0 < 60 and not vc.SANITIZER.search(p.stderr),
                 lambda: "%s: exit %d, stderr %s" % (" ".join(args[:2]), p.returncode,
                                                     vc.short(p.stderr)))


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: kmem_check.py VMDIVE")
    vd = Vd(sys.argv[1])
    t = vc.Tally()
    for variant, dumpdir, meta in variants(t):
        t0 = time.time()
        o = drgn_oracle(t, variant, dumpdir, meta)
        if o is None:
            continue
        crash = None
        if variant in CRASH_VARIANTS:
            txt = crash_text(t, variant, dumpdir, meta)
            crash = parse_crash(txt) if txt else None
        elif sid_crash.crash_for(meta):
            crash = sid_crash_kmem(t, variant, meta)
        dumps = [meta["VMCORE_ELF"]]
        if meta.get("VMCORE_KDUMP_ZLIB") and os.path.exists(meta["VMCORE_KDUMP_ZLIB"]):
            dumps.append(meta["VMCORE_KDUMP_ZLIB"])
        if variant in NOSYMS:
            # Every kmem part that needs a global the dump does not carry: one line that says
            # why and names both ways to give it (vd_session_global()).
            for args in (["-i"], ["-s"], ["-S", "kmalloc-1k"]):
                p = subprocess.run([vd.bin, "kmem", dumps[0]] + args, capture_output=True,
                                   text=True, timeout=TIMEOUT)
                t.ok(variant, "nosyms.clean_error",
                     p.returncode == 1 and len(p.stderr.strip().splitlines()) == 1 and
                     "no data symbols" in p.stderr and "--system-map" in p.stderr and
                     "--vmlinux" in p.stderr,
                     lambda p=p, args=args: "kmem %s: exit %d: %s" % (
                         " ".join(args), p.returncode, p.stderr[:300]))
        for dump in dumps:
            for withv in (False, True):
                sc = "%s/%s%s" % (variant, os.path.basename(dump), "+vmlinux" if withv else
                                  "+System.map" if variant in NEEDS_MAP else "")
                extra = ["--vmlinux", meta["VMLINUX"]] if withv else \
                    ["--system-map", meta["SYSTEM_MAP"]] if variant in NEEDS_MAP else []
                j, rc, err = vd.json(["kmem", "-i", "--json"] + extra + [dump], "kmem -i")
                if t.ok(sc, "kmem-i.run", j is not None and rc == 0,
                        lambda: "exit %d: %s" % (rc, vc.short(err))):
                    check_meminfo(t, sc, j, o["meminfo"])
                    if crash:
                        check_crash_info(t, sc, j, crash["info"])
                j, rc, err = vd.json(["kmem", "-s", "--json"] + extra + [dump], "kmem -s")
                if t.ok(sc, "kmem-s.run", j is not None and rc == 0,
                        lambda: "exit %d: %s" % (rc, vc.short(err))):
                    check_caches(t, sc, j, o["caches"], crash and crash["caches"])
                j, rc, err = vd.json(["kmem", "-S", "--json"] + extra + [dump, "kmalloc-1k"],
                                     "kmem -S")
                if t.ok(sc, "kmem-S.run", j is not None and rc == 0,
                        lambda: "exit %d: %s" % (rc, vc.short(err))):
                    if crash and crash["S"] is not None:
                        check_S(t, sc, j, crash["S"])
                    if "objects_kmalloc_1k" in o:
                        check_S_drgn(t, sc, j, o["objects_kmalloc_1k"])
                j, rc, err = vd.json(["kmem", "--json"] + extra + [dump] +
                                     [a["va"] for a in o["addrs"]], "kmem ADDR x%d" % len(o["addrs"]))
                t.ok(sc, "kmem-addr.exit", rc == 0, lambda: "exit %d: %s" % (rc, vc.short(err)))
                check_addrs(t, sc, j, o["addrs"])
                pages = [a for a in o["addrs"] if a["kind"] == "page"]
                j, rc, err = vd.json(["kmem", "-p", "--json"] + extra + [dump] +
                                     [a["page"] for a in pages], "kmem -p")
                if t.ok(sc, "kmem-p.run", j is not None and rc == 0,
                        lambda: "exit %d: %s" % (rc, vc.short(err))):
                    for a, p in zip(pages, j["pages"]):
                        got = (h(p["page"]), h(p["flags"]), p["refcount"], h(p["mapping"]))
                        want = (h(a["page"]), h(a["flags"]), a["refcount"], h(a["mapping"]))
                        t.ok(sc, "kmem-p.page", got == want,
                             lambda: "vmdive %s drgn %s" % (got, want))
                # The processes: on vmcore.elf, with and without a vmlinux (a vmlinux's
                # DWARF takes seconds to load, per command; reading the kdump file is
                # checked by kmem above).
                if dump == dumps[0]:
                    check_procs(t, sc, vd, extra, dump, o["processes"], variant)
                    check_gcore(t, sc, vd, extra, dump, o["processes"])
        if variant == "kaslr":
            check_corrupt(t, vd, variant, meta, o)
        t.summary(variant, t0)
    for k, v in TIMES.items():
        print("time: vmdive %s: %d runs, mean %.2f s, max %.2f s" % (k, len(v), sum(v) / len(v),
                                                                     max(v)))
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
