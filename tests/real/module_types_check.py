#!/usr/bin/python3
"""Module types and symbols against drgn, pahole and crash (see test_module_types.sh).

    module_types_check.py types DUMP VMLINUX MODDIR BTF_DIR DWARF_DIR TYPE...
    module_types_check.py syms VMDIVE DUMP VMLINUX MODDIR ARCH [--drgn] [--crash] [--n N]

types: BTF_DIR/T.json and DWARF_DIR/T.json are `vmdive struct --json` of struct T without a
vmlinux, from the module's BTF in the dump, and with --module-debug MODDIR, from the module's
.ko DWARF.  Both must name the same module (one whose .ko under MODDIR defines T), say where
they came from, and agree member by member with drgn (python3-drgn 0.0.22: the vmlinux and
every .ko under MODDIR loaded, prog.type("struct T")) and with pahole -C T on that .ko (when
pahole is installed): every named member, through anonymous structs and unions, with its
absolute bit offset, bit-field size and size, and the struct's size.

syms: N addresses picked at random inside the modules' memory regions (`vmdive mod --json`
only says where the regions are) are named by vmdive from the modules' kallsyms in the dump
and, with --module-debug MODDIR, from each .ko's .symtab placed where the kernel laid its
sections out.  With --drgn (6.1 kernels: drgn 0.0.22 predates 6.4's mod->mem[]) drgn names
them too, from the same .ko files relocated to the module addresses it reads from the dump:
every .symtab answer must equal drgn's (name and start, or none; elfutils' .L local labels
and ARM mapping symbols $x/$d count as none), and so must every kallsyms answer where kallsyms has the symbol
(a kernel without CONFIG_KALLSYMS_ALL keeps only text symbols: there a data address may be
named by kallsyms' nearest text symbol or not at all), except that a sizeless label ending
its section may name the gap after it (kallsyms keeps no section sizes; counted).  Without
--drgn, the two vmdive answers must agree under the same rules.  With --crash (x86_64 6.1:
crash 8.0.2 after `mod -S MODDIR`) crash's answers are compared and counted: crash breaks ties
between aliases at one address inconsistently (cleanup_module and its module_exit()
function), and names an address past a symbol's end by that symbol; any other difference
fails.  Every .symtab table must report that kallsyms found each section where the layout put
it.
"""
import argparse
import collections
import glob
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "oracle"))
import drgn                                          # noqa: E402

import vdcheck                                       # noqa: E402

BATCH = 2000


def kos(moddir):
    return sorted(glob.glob(os.path.join(moddir, "**", "*.ko"), recursive=True))


def ko_of(moddir, module):
    for k in kos(moddir):
        if os.path.basename(k)[:-3].replace("-", "_") == module:
            return k
    return None


# --- types ------------------------------------------------------------------------------------

def vd_members(members, out):
    """(name, bit offset, bit-field size, size) of named members, anonymous ones expanded."""
    for m in members:
        if m["name"] is not None:
            out.append((m["name"], m["bit_offset"], m["bit_size"], m["size"]))
        elif "members" in m:
            vd_members(m["members"], out)
    return out


def drgn_members(typ, out, base=0):
    for m in typ.members:
        off = base + m.bit_offset
        if m.name is None:
            t = m.type
            while t.kind == drgn.TypeKind.TYPEDEF:
                t = t.type
            drgn_members(t, out, off)
            continue
        try:
            size = drgn.sizeof(m.type)
        except (TypeError, ValueError):              # flexible array member
            size = 0
        out.append((m.name, off, m.bit_field_size or 0, size))
    return out


DECL = re.compile(r"^\s*(.*?);\s*/\*\s*(\d+)(?::\s*(\d+))?\s+(\d+)\s*\*/")


def member_name(decl):
    decl = re.sub(r"\s+__attribute__\(\(.*\)\)\s*$", "", decl)
    decl = re.sub(r"\s*:\s*\d+\s*$", "", decl)
    m = re.search(r"\(\s*\*+\s*(\w+)\s*\)", decl)          # function pointer
    if m:
        return m.group(1)
    decl = re.sub(r"(\[[^\]]*\])+$", "", decl)
    m = re.search(r"(\w+)\s*$", decl)
    return m.group(1) if m else None


def pahole_members(text):
    """pahole -C output: named members through anonymous structs/unions; (size, members)."""
    stack, size = [[]], None
    for line in text.splitlines()[1:]:
        s = line.strip()
        if re.match(r"^(struct|union)\s*\{$", s):
            stack.append([])
            continue
        m = re.match(r"/\*\s*size:\s*(\d+)", s)
        if m and len(stack) == 1:
            size = int(m.group(1))
            continue
        d = DECL.match(line)
        if not d:
            continue
        decl, off, bit, sz = d.group(1), int(d.group(2)), d.group(3), int(d.group(4))
        if decl.startswith("}"):                     # closing an inline struct/union
            inner = stack.pop()
            name = member_name(decl[1:]) if decl[1:].strip() else None
            if name:
                stack[-1].append((name, off * 8, 0, sz))
            else:
                stack[-1].extend(inner)
            continue
        bits = re.search(r":\s*(\d+)\s*$", re.sub(r"\s+__attribute__.*$", "", decl))
        stack[-1].append((member_name(decl), off * 8 + int(bit or 0),
                          int(bits.group(1)) if bits else 0, sz))
    return size, stack[0]


def check_types(a):
    prog = drgn.Program()
    prog.set_core_dump(a.dump)
    try:
        prog.load_debug_info([a.vmlinux] + kos(a.moddir), default=False, main=True)
    except drgn.MissingDebugInfoError:
        pass                      # modules it cannot place: their types still load
    pahole = subprocess.run(["sh", "-c", "command -v pahole"], capture_output=True,
                            text=True).stdout.strip()
    failed = 0
    for t in a.types:
        problems = []
        btf = json.load(open(os.path.join(a.btf_dir, t + ".json")))
        dwf = json.load(open(os.path.join(a.dwarf_dir, t + ".json")))
        mod = btf.get("module")
        if btf.get("source") != "BTF" or dwf.get("source") != "DWARF" or not mod or \
           dwf.get("module") != mod:
            problems.append("sources: BTF says %s/%s, DWARF %s/%s" % (
                btf.get("source"), mod, dwf.get("source"), dwf.get("module")))
        want = vd_members(btf["members"], [])
        if vd_members(dwf["members"], []) != want or dwf["size"] != btf["size"]:
            problems.append("BTF and DWARF differ: %s" % first_diff(
                want, vd_members(dwf["members"], [])))
        dt = prog.type("struct " + t)
        dm = drgn_members(dt, [])
        if dm != want or drgn.sizeof(dt) != btf["size"]:
            problems.append("drgn differs (size %d): %s" % (drgn.sizeof(dt),
                                                            first_diff(want, dm)))
        ko = ko_of(a.moddir, mod) if mod else None
        where = "no pahole"
        if pahole and ko:
            out = subprocess.run([pahole, "-C", t, ko], capture_output=True, text=True).stdout
            psize, pm = pahole_members(out)
            where = "pahole on %s" % os.path.basename(ko)
            if not out.strip():
                problems.append("pahole finds no struct %s in %s" % (t, ko))
            elif pm != want or psize != btf["size"]:
                problems.append("pahole differs (size %s): %s" % (psize, first_diff(want, pm)))
        if problems:
            failed += 1
            print("  MISMATCH struct %s (module %s): %s" % (t, mod, "; ".join(problems)))
        else:
            print("  ok struct %s (module %s): BTF, DWARF, drgn, %s agree on %d members, size %d"
                  % (t, mod, where, len(want), btf["size"]))
    return failed


def first_diff(x, y):
    d = [(p, q) for p, q in zip(x, y) if p != q][:3]
    return "%d vs %d members, first differences %s" % (len(x), len(y), d)


# --- symbols ----------------------------------------------------------------------------------

def vmdive_json(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True)
    if not out.stdout.strip():
        sys.exit("no output from %s: %s" % (" ".join(cmd[:5]), out.stderr[:500]))
    return json.loads(out.stdout)


def vmdive_names(vmdive, dump, addrs, moddir=None):
    """{addr: (name, start, module, source)} for the addresses vmdive names."""
    opt = ["--module-debug", moddir] if moddir else []
    ret = {}
    for i in range(0, len(addrs), BATCH):
        out = subprocess.run([vmdive, "sym", "--json"] + opt + [dump] +
                             [hex(x) for x in addrs[i:i + BATCH]], capture_output=True,
                             text=True).stdout
        for r in json.loads(out) if out.strip() else []:
            if "error" in r:          # {"query", "error"}: an address no symbol holds
                continue
            ret[int(r["address"], 16)] = (r["name"], int(r["symbol_address"], 16),
                                          r["module"], r["source"], r["size"])
    return ret


def drgn_names(dump, vmlinux, moddir, arch, addrs):
    if arch == "arm64":
        import drgn_oracle_arm64 as oracle
        o = oracle.Arm64Oracle(dump, vmlinux)
    else:
        import drgn_oracle as oracle
        o = oracle.Oracle(dump, vmlinux)
    try:
        o.prog.load_debug_info(kos(moddir), default=False)
    except drgn.MissingDebugInfoError as e:
        sys.exit("drgn could not load the module debug files: %s" % e)
    ret, marks = {}, {}
    for x in addrs:
        try:
            s = o.prog.symbol(x)
        except LookupError:
            continue
        # elfutils hands out local labels (.LC0) and ARM mapping symbols ($x, $d: code and
        # data markers), which are no names: the kernel's own lookup skips them
        # (kernel/module/kallsyms.c, is_arm_mapping_symbol()), and so do crash and vmdive.
        if not re.match(r"^(\.L|\$[axtd](\.|$))", s.name):
            ret[x] = (s.name, s.address)
        else:
            marks[x] = (s.name, s.address)
    return ret, marks


def crash_names(dump, vmlinux, moddir, addrs):
    with tempfile.NamedTemporaryFile("w", suffix=".cmd") as f:
        f.write("mod -S %s\n" % moddir + "".join("sym %x\n" % x for x in addrs) + "quit\n")
        f.flush()
        out = subprocess.run(["timeout", "1200", "crash", "-s", "-i", f.name, vmlinux, dump],
                             stdin=subprocess.DEVNULL, capture_output=True, text=True).stdout
    ret = {}
    for line in out.splitlines():
        m = re.match(r"^([0-9a-f]{16}) \(.\) ([^\s+]+)(?:\+(\d+))? \[", line)
        if m:
            x = int(m.group(1), 16)
            ret[x] = (m.group(2), x - int(m.group(3) or 0))
    return ret


def check_syms(a):
    mods = vmdive_json([a.vmdive, "mod", "--json", a.dump])
    mods = mods["modules"] if isinstance(mods, dict) else mods
    rng = random.Random(1)
    addrs, text = [], set()
    for m in mods:
        for r in m["regions"]:
            if r["name"].startswith("init"):
                continue
            base, size = int(r["start"], 16), r["size"]
            for _ in range(max(2, a.n * size // 200000)):
                x = base + rng.randrange(size)
                addrs.append(x)
                if "x" in r.get("perms", "") or r["name"] == "text":
                    text.add(x)
    addrs = sorted(set(addrs))
    ks = vmdive_names(a.vmdive, a.dump, addrs)
    dbg = vmdive_names(a.vmdive, a.dump, addrs, a.moddir)
    # The oracles' answers are kept beside the dump (vdcheck.cached_json): a warm run starts
    # neither drgn nor crash.
    key = "%s|%s|%s|%s" % (vdcheck.dump_key(a.vmlinux), a.moddir,
                           ",".join(vdcheck.dump_key(k) for k in kos(a.moddir)),
                           ",".join("%x" % x for x in addrs))
    dr, dr_marks = None, {}
    if a.drgn:
        j = vdcheck.cached_json("moddrgn", a.dump, key + "|drgn %s" % drgn.__version__,
                                lambda: [{"%x" % x: list(v) for x, v in d.items()}
                                         for d in drgn_names(a.dump, a.vmlinux, a.moddir,
                                                             a.arch, addrs)],
                                os.path.abspath(__file__))
        dr, dr_marks = [{int(x, 16): tuple(v) for x, v in d.items()} for d in j]
    cr = None
    if a.crash:
        j = vdcheck.cached_json("modcrash", a.dump, key + "|%s" % vdcheck.dump_key(
                                    shutil.which("crash") or "/usr/bin/crash"),
                                lambda: {"%x" % x: list(v) for x, v in crash_names(
                                    a.dump, a.vmlinux, a.moddir, addrs).items()},
                                os.path.abspath(__file__))
        cr = {int(x, 16): tuple(v) for x, v in j.items()}
    failed = 0
    stats = collections.Counter()
    shown = collections.Counter()

    def bad(kind, x, detail):
        nonlocal failed
        failed += 1
        stats[kind] += 1
        if shown[kind] < 8:
            shown[kind] += 1
            print("  MISMATCH %s %x: %s" % (kind, x, detail))

    sources = {v[3] for v in dbg.values()}
    for src in sorted(sources):
        m = re.search(r"kallsyms has symbols in (\d+), (\d+) of them where the layout put them",
                      src)
        if ".symtab" not in src or not m or m.group(1) != m.group(2):
            bad("layout", 0, "table %s" % src)
    for x in addrs:
        k, d = ks.get(x), dbg.get(x)
        k2, d2 = k and k[:2], d and d[:2]
        if dr is not None:
            g = dr.get(x)
            mark = dr_marks.get(x)
            if d2 != g and not g and d and d[4] == 0 and mark and mark[1] == d2[1]:
                # Of two sizeless symbols at one address, drgn picks the ARM mapping
                # symbol ($d), which names nothing: arm64 5.10's __ksymtab_gpl entries
                # (__ksymtab_async_xor_offs, 12 bytes each) start where a $d does.  The
                # name vmdive gives starts there too.
                stats["drgn: a mapping symbol ($d) where the .symtab name starts"] += 1
            elif d2 != g:
                bad(".symtab-vs-drgn", x, "vmdive %s drgn %s" % (d2, g))
            else:
                stats[".symtab == drgn"] += 1
            if k2 == g:
                stats["kallsyms == drgn"] += 1
            elif k and not g and not k[4] and d2 == g:
                # kallsyms keeps no section sizes: a label ending its section names the
                # gap up to the next section (or the kernel's kallsyms tables).
                stats["kallsyms: a label past its section's end"] += 1
            elif x in text or a.all_kallsyms:
                bad("kallsyms-vs-drgn", x, "vmdive %s drgn %s" % (k2, g))
            else:
                stats["kallsyms lacks the data symbol"] += 1
        elif k2 == d2:
            stats["kallsyms == .symtab"] += 1
        elif k and not d and not k[4]:
            stats["kallsyms: a label past its section's end"] += 1
        elif x in text or a.all_kallsyms:
            bad("kallsyms-vs-.symtab", x, "kallsyms %s .symtab %s" % (k2, d2))
        else:
            stats["kallsyms lacks the data symbol"] += 1
        if cr is not None:
            c = cr.get(x)
            if c == d2:
                stats["crash == .symtab"] += 1
            elif c and d2 and c[1] == d2[1]:
                stats["crash names an alias"] += 1
            elif c and not d2 and c[1] <= x:
                # crash names an address by the symbol below it, whatever its size.
                stats["crash: past a symbol's end"] += 1
            else:
                bad("crash", x, "vmdive %s crash %s" % (d2, c))
    print("  %d addresses in %d modules: %s" % (len(addrs), len(mods), dict(stats)))
    return failed


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("types")
    for n in ("dump", "vmlinux", "moddir", "btf_dir", "dwarf_dir"):
        t.add_argument(n)
    t.add_argument("types", nargs="+")
    s = sub.add_parser("syms")
    for n in ("vmdive", "dump", "vmlinux", "moddir", "arch"):
        s.add_argument(n)
    s.add_argument("--drgn", action="store_true")
    s.add_argument("--crash", action="store_true")
    s.add_argument("--all-kallsyms", action="store_true",
                   help="CONFIG_KALLSYMS_ALL: kallsyms has the data symbols too")
    s.add_argument("--n", type=int, default=400)
    a = ap.parse_args()
    failed = check_types(a) if a.cmd == "types" else check_syms(a)
    print("FAILED: %d" % failed if failed else "passed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
