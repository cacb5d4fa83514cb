#!/usr/bin/python3
"""walkers_check: vmdive's mod, dump-module, vmalloc, dump-vmalloc and ps on the real dumps.

    /usr/bin/python3 tests/real/walkers_check.py VMDIVE        # test_walkers.sh

For each variant (VARIANTS below, those that exist: Debian's 6.1 kernels and the 6.12 ones,
whose modules have mod->mem[] and whose vmap areas are on per-node vmap_nodes[] lists), on
vmcore.elf and vmcore.kdump-zlib, with and without --vmlinux, vmdive's --json answers are
compared with drgn's (tests/real/walkers_oracle.py on the vmcore.elf of the same boot, cached
next to the dump like vdcheck.py's oracles) and, on the x86_64 6.1 samples, with crash 8.0.2's
`mod`, `kmem -v` and `ps` (crash cannot read arm64 dumps nor walk 6.12; on Debian's 6.1 its ps
lists only the idle and active tasks, which are compared).  dump-module's ELF and --raw output
are checked byte for byte against drgn's reads of the same regions, and `objdump -d` must label
the module's functions at their addresses; dump-vmalloc's bytes against drgn's reads of the
same areas.  Debian's arm64 6.1 kernels have no CONFIG_KALLSYMS_ALL (kallsyms holds text
symbols only): without a vmlinux vmdive finds the BTF, init_task, modules, the runqueues and
the panic CPU in memory, and must still agree.

Prints one line per mismatch (up to VD_MAX_DETAILS), a summary per scope, and "N passed,
M failed"; exits 1 on any mismatch.  VMDIVE_VARIANTS limits the variants.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import vdcheck as vc                                 # noqa: E402  (Tally, caches, env files)

VARIANTS = ("kaslr", "nokaslr", "la57", "arm64-kaslr", "arm64-nokaslr") + \
    tuple(v for v in vc.X86_KERNELS + vc.ARM64_KERNELS if v != "arm64-16k-6.12") + \
    ("arm64-16k-6.12",)
# crash 8.0.2 cannot walk 6.12: it refuses to start ("invalid structure member offset:
# module_core_size": mod->mem[] is crash 8.0.3); with --no_modules, `kmem -v` fails ("invalid
# kernel virtual address: ccccccccccccccd4 type: "vmlist addr"": there is no vmap_area_list),
# `ps` too ("invalid structure member offset: mm_rss_stat_count").  Compared on these only.
# crash 8.0.2 walks 5.10 (module_layout, vmap_area_list); sid's crash 9.0.2 starts on sid's
# 7.2 only with --no_modules ("invalid structure member offset: module_num_gpl_syms"), so
# there its `kmem -v` and `ps` are compared, not `mod`.
CRASH_VARIANTS = ("kaslr", "nokaslr", "la57", "kaslr-5.10", "kaslr-sid")
CRASH_NO_MODULES = ("kaslr-sid",)
ORACLE = os.path.join(HERE, "walkers_oracle.py")
TIMEOUT = 600
CRASH_ST = {"RU": "R", "IN": "S", "UN": "D", "ST": "T", "TR": "t", "ZO": "Z", "DE": "X",
            "PA": "P", "ID": "I", "WA": "R"}


def h(x):
    return None if x is None else int(x, 16) if isinstance(x, str) else int(x)


def variants(t):
    return vc.variants(t, VARIANTS, listed_only=False, make="--all")


def cached(t, variant, dumpdir, name, key_blobs, make):
    """A cached oracle output: DUMPDIR/oracle/<kind>-<dump key>-<content key>.<ext>, name
    being "<kind>-<dump key>.<ext>"; older answers of the same kind are removed."""
    cdir = vc.cache_dir(dumpdir, variant)
    stem, ext = os.path.splitext(name)
    path = os.path.join(cdir, "%s-%s%s" % (stem, vc.content_key(*key_blobs), ext))
    if not os.path.exists(path):
        t0 = time.time()
        data = make()
        if data is None:
            return None
        for old in os.listdir(cdir):
            if old.startswith(name.split("-")[0] + "-") and old != os.path.basename(path):
                try:
                    os.unlink(os.path.join(cdir, old))
                except FileNotFoundError:            # a concurrent run removed it
                    pass
        vc.atomic_write(path, data)
        print("%s: %s ran in %.1f s" % (variant, name.split("-")[0], time.time() - t0), flush=True)
    with open(path, "rb") as f:
        return f.read()


def drgn_oracle(t, variant, dumpdir, meta):
    elf = meta["VMCORE_ELF"]
    arch = "aarch64" if meta.get("ARCH") == "arm64" else "x86_64"

    py = vc.oracle_python(meta)
    if py is None:
        t.skip(variant, "no drgn for this kernel (samples/make-dumps.sh --variant %s fetches "
               "sid's)" % variant)
        return None

    def make():
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "o.json")
            p = subprocess.run([py, ORACLE, "--vmcore", elf, "--vmlinux", meta["VMLINUX"],
                                "--arch", arch, "--json", out], capture_output=True, text=True,
                               timeout=TIMEOUT)
            if p.returncode:
                t.ok(variant, "oracle", False, "walkers_oracle.py failed: %s" % vc.short(p.stderr))
                return None
            return open(out, "rb").read()
    name = "walkers-%s.json" % vc.dump_key(elf)
    data = cached(t, variant, dumpdir, name,
                  [ORACLE, os.path.join(vc.ORACLE_DIR, "drgn_oracle.py")], make)
    return json.loads(data) if data else None


def crash_text(t, variant, dumpdir, meta):
    """crash's `mod`, `kmem -v`, `ps` on vmcore.elf (x86_64 only), cached."""
    cmds = "mod\nkmem -v\nps\nquit\n"
    elf = meta["VMCORE_ELF"]
    crash = vc.oracle_crash(meta)
    if crash is None:
        t.skip(variant, "no crash for this kernel (samples/make-dumps.sh --variant %s fetches "
               "sid's)" % variant)
        return None

    def make():
        with tempfile.TemporaryDirectory() as tmp:
            cf, out = os.path.join(tmp, "cmds"), os.path.join(tmp, "out")
            with open(cf, "w") as f:
                f.write(cmds)
            p = subprocess.run([os.path.join(vc.ORACLE_DIR, "crash_oracle.sh"), elf,
                                meta["VMLINUX"], cf, out], capture_output=True, text=True,
                               timeout=TIMEOUT, env=dict(
                                   os.environ, CRASH=crash, CRASH_OPTS="--no_modules"
                                   if variant in CRASH_NO_MODULES else ""))
            if p.returncode:
                t.ok(variant, "oracle", False, "crash failed: %s" % vc.short(p.stderr))
                return None
            return open(out, "rb").read()
    data = cached(t, variant, dumpdir, "crashwalk-%s.out" % vc.dump_key(elf),
                  [cmds.encode(), crash.encode(), str(variant in CRASH_NO_MODULES).encode()],
                  make)
    return data.decode(errors="replace") if data else None


class Vd:
    def __init__(self, binary):
        self.bin = binary
        self.sanitizer = []                          # commands ASan/UBSan complained about

    def run(self, args):
        p = subprocess.run([self.bin] + args, capture_output=True, timeout=TIMEOUT)
        err = p.stderr.decode(errors="replace")
        if vc.SANITIZER.search(err):
            self.sanitizer.append("%s: %s" % (" ".join(args[:3]), vc.short(err, 300)))
        return p.returncode, p.stdout, err

    def json(self, args):
        rc, out, err = self.run(args)
        try:
            return json.loads(out), rc, err
        except ValueError:
            return None, rc, err


def caller_name(s):
    return re.sub(r"\+0x[0-9a-f]+", "", s or "").split(" [")[0]


# --- comparisons ---------------------------------------------------------------------------

def check_mod(t, sc, j, o):
    mods = j["modules"]
    t.ok(sc, "mod.names", [m["name"] for m in mods] == [m["name"] for m in o],
         lambda: "vmdive %s drgn %s" % ([m["name"] for m in mods], [m["name"] for m in o]))
    by = {m["name"]: m for m in mods}
    for om in o:
        m = by.get(om["name"])
        if not m:
            continue
        t.ok(sc, "mod.fields",
             (h(m["address"]), h(m["base"]), m["size"], m["state"], m.get("refcnt"),
              h(m["taints"])) ==
             (h(om["address"]), h(om["base"]), om["size"], om["state"], om["refcnt"],
              om["taints"]), lambda: "%s: vmdive %s drgn %s" % (om["name"], m, om))
        regs = {r["name"]: (h(r["start"]), r["size"]) for r in m["regions"]}
        want = {k: (h(r["start"]), r["size"]) for k, r in om["regions"].items()}
        t.ok(sc, "mod.regions", regs == want,
             lambda: "%s: vmdive %s drgn %s" % (om["name"], regs, want))
    t.ok(sc, "mod.errors", not j["errors"], lambda: "errors %s" % j["errors"])


def check_vmalloc(t, sc, j, o):
    areas = j["areas"]
    t.ok(sc, "vmalloc.count", len(areas) == len(o), "vmdive %d drgn %d" % (len(areas), len(o)))
    for a, oa in zip(areas, o):
        caller = caller_name(a.get("caller"))
        if (oa.get("caller") or "").startswith("0x") and a.get("caller", "").endswith("]"):
            # drgn has no module symbols without their debuginfo: compare the address.
            caller = a.get("caller_address")
        got = (h(a["vmap_area"]), h(a["vm_struct"]), h(a["start"]), h(a["end"]),
               a.get("vm_size"), h(a.get("flags")), a.get("nr_pages"), caller)
        want = (h(oa["vmap_area"]), h(oa["vm_struct"]), h(oa["start"]), h(oa["end"]),
                oa.get("vm_size"), h(oa.get("flags")), oa.get("nr_pages"), oa.get("caller"))
        t.ok(sc, "vmalloc.area", got == want, lambda: "vmdive %s drgn %s" % (got, want))
        if "page_list" in a and oa.get("page_phys"):
            pas = [h(p.get("pa_pages")) for p in a["page_list"][:len(oa["page_phys"])]]
            t.ok(sc, "vmalloc.page_phys", pas == [h(p) for p in oa["page_phys"]],
                 lambda: "%s: vmdive %s drgn %s" % (oa["start"], pas, oa["page_phys"]))
            t.ok(sc, "vmalloc.pages_vs_walk", all(p["agree"] for p in a["page_list"]),
                 lambda: "%s: vm->pages[] and the page tables disagree" % oa["start"])
    t.ok(sc, "vmalloc.errors", not j["errors"], lambda: "errors %s" % j["errors"])


def check_ps(t, sc, j, o, procs, panic_cpu):
    tasks = {h(x["address"]): x for x in j["tasks"]}
    t.ok(sc, "ps.count", len(tasks) == len(o), "vmdive %d drgn %d" % (len(tasks), len(o)))
    for ot in o:
        x = tasks.get(h(ot["address"]))
        if x is None:
            t.ok(sc, "ps.task", False, "drgn task %s (%s) missing" % (ot["pid"], ot["comm"]))
            continue
        got = (x["pid"], x["tgid"], x["ppid"], x["comm"], x["state"], x["cpu"], x["idle"])
        want = (ot["pid"], ot["tgid"], ot["ppid"], ot["comm"], ot["state"], ot["cpu"], ot["idle"])
        t.ok(sc, "ps.task", got == want, lambda: "vmdive %s drgn %s" % (got, want))
        t.ok(sc, "ps.kthread", x["kthread"] == (ot["kthread"] or ot["pid"] == 0),
             lambda: "%s: kthread %s" % (ot["comm"], x["kthread"]))
    comms = {x["comm"] for x in j["tasks"]}
    t.ok(sc, "ps.procs", all(p in comms for p in procs), "PROCS %s not all in ps" % procs)
    panic = [x for x in j["tasks"] if x["panic"]]
    t.ok(sc, "ps.panic", panic_cpu is None or
         (len(panic) == 1 and panic[0]["cpu"] == panic_cpu and j.get("panic_cpu") == panic_cpu),
         lambda: "panic_cpu drgn %s, vmdive %s %s" % (panic_cpu, j.get("panic_cpu"), panic))
    t.ok(sc, "ps.errors", not j["errors"], lambda: "errors %s" % j["errors"])


def check_crash(t, sc, text, mod, vm, ps, modules=True):
    if modules:
        rows = re.findall(r"^([0-9a-f]{16})\s+(\S+)\s+([0-9a-f]{16})\s+(\d+)\s+\(", text, re.M)
        got = sorted((h(m["address"]), m["name"], h(m["base"]), m["size"])
                     for m in mod["modules"])
        want = sorted((int(a, 16), n, int(b, 16), int(s)) for a, n, b, s in rows)
        t.ok(sc, "crash.mod", got == want and want, lambda: "vmdive %s crash %s" % (got, want))
    rows = re.findall(r"^([0-9a-f]{16})  ([0-9a-f]{16})  ([0-9a-f]{16}) - ([0-9a-f]{16})\s+(\d+)$",
                      text, re.M)
    want = [tuple(int(x, 16) for x in r[:4]) + (int(r[4]),) for r in rows]
    got = [(h(a["vmap_area"]), h(a["vm_struct"]), h(a["start"]), h(a["end"]), a["size"])
           for a in vm["areas"]]
    t.ok(sc, "crash.kmem-v", got == want and want,
         lambda: "%d vs %d areas; first diff %s" % (len(got), len(want),
                                                    next((p for p in zip(got, want)
                                                          if p[0] != p[1]), None)))
    tasks = {h(x["address"]): x for x in ps["tasks"]}
    rows = re.findall(r"^(>?)\s+(\d+)\s+(\d+)\s+(\d+)\s+([0-9a-f]{16})\s+(\S\S)\s+\S+\s+\d+\s+\d+\s+(.+)$",
                      text, re.M)
    t.ok(sc, "crash.ps.rows", rows, "no ps rows in crash's output")
    for act, pid, ppid, cpu, task, st, comm in rows:
        x = tasks.get(int(task, 16))
        want = (int(pid), int(ppid), int(cpu), CRASH_ST.get(st, st), comm.strip("[]"), bool(act))
        got = x and (x["pid"], x["ppid"], x["cpu"], x["state"], x["comm"],
                     x["active"] or x["panic"])
        t.ok(sc, "crash.ps", got == want, lambda: "vmdive %s crash %s" % (got, want))


# --- extraction ----------------------------------------------------------------------------

SECTION_REGION = {".text": "text", ".rodata": "rodata", ".data..ro_after_init": "ro_after_init",
                  ".data": "data"}


def elf_sections(path):
    """{name: (sh_addr, bytes)} of the SHF_ALLOC sections, read by the ELF gABI."""
    import struct
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF":
        return {}
    shoff, = struct.unpack_from("<Q", data, 40)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 58)
    secs = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    stroff = secs[shstrndx][4]
    out = {}
    for name, typ, flags, addr, off, size, *_ in secs:
        n = data[stroff + name:data.index(b"\0", stroff + name)].decode()
        if flags & 2:
            out[n] = (addr, data[off:off + size])
    return out


def check_dump_module(t, sc, vd, dump, extra, om, tmp, objdump):
    import hashlib
    out = os.path.join(tmp, om["name"] + ".elf")
    rc, _, err = vd.run(["dump-module"] + extra + [dump, om["name"], "-o", out])
    if not t.ok(sc, "dump-module.run", rc == 0, lambda: "%s: exit %d %s" % (om["name"], rc, err)):
        return
    secs = elf_sections(out)
    for sname, (addr, data) in secs.items():
        r = om["regions"].get(SECTION_REGION.get(sname, sname))
        t.ok(sc, "dump-module.bytes", r and h(r["start"]) == addr and
             hashlib.sha256(data).hexdigest() == r["sha256"],
             lambda: "%s %s at 0x%x differs from drgn's read" % (om["name"], sname, addr))
    t.ok(sc, "dump-module.sections", len(secs) == len(om["regions"]),
         lambda: "%s: sections %s regions %s" % (om["name"], list(secs), list(om["regions"])))
    # objdump labels an address with one of its aliases (module_exit()'s cleanup_module for
    # xor_exit): the symbol must be in the ELF at its address, and the address a label.
    p = subprocess.run([objdump, "-d", "-t", out], capture_output=True, text=True,
                       timeout=TIMEOUT)
    for s in om["symbols"]:
        a = h(s["value"])
        labelled = re.search(r"^%016x <[^>]+>:$" % a, p.stdout, re.M)
        in_symtab = re.search(r"^%016x .*\s%s$" % (a, re.escape(s["name"])), p.stdout, re.M)
        t.ok(sc, "dump-module.objdump", labelled and in_symtab,
             lambda: "%s: objdump -d -t: label at 0x%x %s, %s in .symtab %s" % (
                 om["name"], a, bool(labelled), s["name"], bool(in_symtab)))
    raw = os.path.join(tmp, om["name"] + ".raw")
    rc, _, err = vd.run(["dump-module", "--raw"] + extra + [dump, om["name"], "-o", raw])
    blob = open(raw, "rb").read() if rc == 0 else b""
    off, ok = 0, rc == 0
    for r in om["regions"].values():                 # --raw: in the oracle's (kernel's) order
        ok &= hashlib.sha256(blob[off:off + r["size"]]).hexdigest() == r["sha256"]
        off += r["size"]
    t.ok(sc, "dump-module.raw", ok and off == len(blob),
         lambda: "%s: --raw bytes differ (exit %d %s)" % (om["name"], rc, err))


def check_gdb(t, sc, elf, sym):
    if not shutil.which("gdb"):
        return
    p = subprocess.run(["gdb", "-nx", "-batch", "-ex", "x/i 0x%x" % h(sym["value"]), elf],
                       capture_output=True, text=True, timeout=TIMEOUT)
    t.ok(sc, "dump-module.gdb", "<%s>" % sym["name"] in p.stdout,
         lambda: "gdb x/i: %s" % vc.short(p.stdout + p.stderr))


def check_dump_vmalloc(t, sc, vd, dump, extra, areas, tmp):
    import hashlib
    for a in [a for a in areas if a.get("sha256")][:6]:
        out = os.path.join(tmp, "area.bin")
        rc, _, err = vd.run(["dump-vmalloc"] + extra + [dump, a["start"], "-o", out])
        got = hashlib.sha256(open(out, "rb").read()).hexdigest() if rc == 0 else None
        t.ok(sc, "dump-vmalloc.bytes", got == a["sha256"],
             lambda: "%s (%s): exit %d %s" % (a["start"], a["caller"], rc, vc.short(err)))


# --- a corrupted copy of a real dump -------------------------------------------------------

def elf_offset(path, pa):
    import struct
    with open(path, "rb") as f:
        eh = f.read(64)
        phoff, = struct.unpack_from("<Q", eh, 32)
        phnum, = struct.unpack_from("<H", eh, 56)
        f.seek(phoff)
        raw = f.read(56 * phnum)
    for i in range(phnum):
        typ, _, off, _, paddr, filesz, _, _ = struct.unpack_from("<IIQQQQQQ", raw, 56 * i)
        if typ == 1 and paddr <= pa < paddr + filesz:
            return off + pa - paddr
    return None


def member_offset(vd, dump, typ, member):
    j, _, _ = vd.json(["struct", "--json", dump, typ])
    for m in (j or {}).get("members", []):
        if m["name"] == member:
            return m["offset"]
    return None


def check_corrupt(t, vd, variant, meta, o, tmp):
    """One module link, one task link, one vmap_area link broken in a copy of vmcore.elf:
    each walk says where, lists every element anyway (the tail through the prev links)."""
    import struct
    sc = variant + "/corrupt"
    src, copy = meta["VMCORE_ELF"], os.path.join(tmp, "corrupt.elf")
    subprocess.run(["cp", "--sparse=always", src, copy], check=True)
    os.chmod(copy, 0o600)
    mod_list = member_offset(vd, src, "module", "list")
    task_list = member_offset(vd, src, "task_struct", "tasks")
    va_list = member_offset(vd, src, "vmap_area", "list")
    if not t.ok(sc, "setup", None not in (mod_list, task_list, va_list),
                "struct --json gave no offsets of module.list, task_struct.tasks, vmap_area.list"):
        return
    leaders = [x for x in o["tasks"] if not x["idle"] and x["pid"] == x["tgid"]]
    areas = o["vmap_areas"]
    # The loop goes into one list: vmap_area_list, or (6.9+) the longest vmap_nodes[] busy
    # list, address-sorted like the whole.
    lists = {}
    for a in areas:
        lists.setdefault(a.get("node"), []).append(a)
    chain = max(lists.values(), key=len)
    k = min(30, len(chain) - 1)
    unmapped = h(areas[0]["start"]) + (1 << 40)
    patches = [(h(o["modules"][2]["address"]) + mod_list, 0xdead000000000100),
               (h(leaders[4]["address"]) + task_list, unmapped),
               (h(chain[k]["vmap_area"]) + va_list, h(chain[k // 3]["vmap_area"]) + va_list)]
    with open(copy, "r+b") as f:
        for va, value in patches:
            j, _, _ = vd.json(["vtop", "--json", src, "0x%x" % va])
            pa = h(j[0].get("pa")) if j else None
            off = pa is not None and elf_offset(copy, pa)
            if not t.ok(sc, "setup", off, "cannot place a patch at 0x%x" % va):
                return
            f.seek(off)
            f.write(struct.pack("<Q", value))
    cases = [("mod", "modules", "broken after 3 elements", len(o["modules"])),
             ("ps", "tasks", "broken after", len([x for x in o["tasks"] if x["pid"] == x["tgid"]])),
             ("vmalloc", "areas", "loops after %d elements" % (k + 1), len(areas))]
    for cmd, key, msg, n in cases:
        t0 = time.time()
        j, rc, err = vd.json([cmd, "--json", copy])
        t.ok(sc, cmd, rc == 1 and j and msg in err and len(j[key]) == n and j["errors"] and
             time.time() - t0 < 60,
             lambda: "%s: exit %d, %s of %d listed, stderr %s" % (
                 cmd, rc, len(j[key]) if j else None, n, vc.short(err)))
    os.unlink(copy)


# --- main ----------------------------------------------------------------------------------

def check_variant(t, vd, variant, dumpdir, meta, tmp):
    o = drgn_oracle(t, variant, dumpdir, meta)
    if not o:
        return
    arm = meta.get("ARCH") == "arm64"
    crash = crash_text(t, variant, dumpdir, meta) if variant in CRASH_VARIANTS else None
    procs = meta.get("PROCS", "").split()
    objdump = "aarch64-linux-gnu-objdump" if arm else "objdump"
    for dump in (meta["VMCORE_ELF"], meta.get("VMCORE_KDUMP_ZLIB")):
        if not dump or not os.path.exists(dump):
            continue
        for extra in ([], ["--vmlinux", meta["VMLINUX"]]):
            sc = "%s/%s/%s" % (variant, os.path.basename(dump).split(".")[1],
                               "vmlinux" if extra else "no-vmlinux")
            mod, rc, err = vd.json(["mod", "--json"] + extra + [dump])
            if not t.ok(sc, "mod.run", mod is not None and rc == 0, lambda: "exit %d %s" % (rc, err)):
                continue
            check_mod(t, sc, mod, o["modules"])
            vm, rc, err = vd.json(["vmalloc", "-v", "--json"] + extra + [dump])
            if t.ok(sc, "vmalloc.run", vm is not None and rc == 0, lambda: "exit %d %s" % (rc, err)):
                check_vmalloc(t, sc, vm, o["vmap_areas"])
            ps, rc, err = vd.json(["ps", "-t", "--json"] + extra + [dump])
            if t.ok(sc, "ps.run", ps is not None and rc == 0, lambda: "exit %d %s" % (rc, err)):
                check_ps(t, sc, ps, o["tasks"], procs, o.get("panic_cpu"))
            leaders, _, _ = vd.json(["ps", "--json"] + extra + [dump])
            t.ok(sc, "ps.leaders", leaders and all(x["pid"] == x["tgid"] or x["idle"]
                                                   for x in leaders["tasks"]),
                 "ps without -t lists threads")
            if crash and not extra and dump == meta["VMCORE_ELF"] and vm and ps:
                check_crash(t, sc, crash, mod, vm, ps, variant not in CRASH_NO_MODULES)
            for om in o["modules"]:
                check_dump_module(t, sc, vd, dump, extra, om, tmp, objdump)
            if not arm and o["modules"] and o["modules"][0]["symbols"]:
                check_gdb(t, sc, os.path.join(tmp, o["modules"][0]["name"] + ".elf"),
                          o["modules"][0]["symbols"][0])
            check_dump_vmalloc(t, sc, vd, dump, extra, o["vmap_areas"], tmp)
    if variant in ("kaslr", "kaslr-6.12"):
        check_corrupt(t, vd, variant, meta, o, tmp)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    t, vd = vc.Tally(), Vd(sys.argv[1])
    with tempfile.TemporaryDirectory(prefix="walkers.") as tmp:
        for variant, dumpdir, meta in variants(t):
            t0 = time.time()
            check_variant(t, vd, variant, dumpdir, meta, tmp)
            t.summary(variant, t0)
        t.ok("all", "sanitizer", not vd.sanitizer, lambda: "; ".join(vd.sanitizer[:3]))
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
