#!/usr/bin/python3
"""Symbols and layouts against drgn and crash (see test_symbols.sh).

    symbols_check.py syms VMDIVE DUMP VMLINUX [--crash] [--crash-opts OPTS] [--n N] [--seed S]
    symbols_check.py layouts DWARF_DIR BTF_DIR TYPE...
    symbols_check.py drgn-layouts DUMP VMLINUX DIR[,DIR...] TYPE...

syms: N random kernel text/data addresses (a random offset inside a random sized symbol of
`vmdive sym -l --vmlinux`) are named by vmdive with the vmlinux and without it (the dump's
kallsyms), by drgn (python3-drgn 0.0.22: prog.symbol(addr), the vmlinux's ELF symbols through
elfutils) and, with --crash, by crash's `sym`.  With the vmlinux every answer must be drgn's or
crash's symbol (name and start address).  Without it, the kallsyms table has no sizes, not the
vmlinux's symbol order, and lacks some symbols, so drgn's answer cannot always be had; then every
answer must be exactly the one vmdive's stated rule gives, computed here from the kallsyms set
and the System.map beside the vmlinux (its order and letters), not from vmdive's ordering:
  the symbol at the nearest start at or below the address (the kernel's own kallsyms_lookup()),
  no further than the next start (at most 1 MiB); of several at that start, not a linker-script
  marker (__start_X, __stop_X, __end_X, __X_start, __X_end) before one, global before weak
  before local, then the first in the kernel's order (scripts/kallsyms.c compare_symbols():
  weak last, markers last, fewer leading underscores first, then System.map's order).
Where that differs from drgn the reason is printed (alias: another name at drgn's start;
nearer-label: a label inside drgn's symbol; not-in-kallsyms) and counted, never excused.

layouts: `vmdive struct --json` of each TYPE from DWARF and from BTF must agree member by
member: name, bit offset, bit-field size and member size, nested anonymous members included.
BTF flattens multi-dimensional arrays (pahole), so type names are not compared.

drgn-layouts: the same member-by-member comparison of DIR/vd-TYPE.json (from DWARF or from BTF;
several DIRs, comma-separated, share one drgn session) against drgn's own reading of the vmlinux's DWARF (prog.type("struct TYPE")), for kernels crash
8.0.2 cannot read types of (6.12: its `struct -o` dies with "segmentation violation in gdb").
--crash-opts: extra crash options, e.g. "--minimal --kaslr 0x..." for 6.12 (see
tests/oracle/crash_oracle.sh).
"""
import argparse
import bisect
import collections
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

import drgn

import vdcheck

BATCH = 2000


def cached_oracle(name, dump, vmlinux, addrs, extra, compute):
    """compute() once per dump, vmlinux, address list, oracle and options: the answers
    are kept beside the dump (vdcheck.cached_json), so a second run of the test asks
    neither drgn nor crash again."""
    key = "%s|%s|%s" % (vdcheck.dump_key(vmlinux), extra, ",".join("%x" % a for a in addrs))
    ret = vdcheck.cached_json("sym" + name, dump, key,
                              lambda: {"%x" % a: list(v) for a, v in compute().items()},
                              os.path.abspath(__file__))
    return {int(a, 16): tuple(v) for a, v in ret.items()}


def vmdive_json(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True)
    if not out.stdout.strip():
        sys.exit("no output from %s: %s" % (" ".join(cmd[:4]), out.stderr[:500]))
    return json.loads(out.stdout)


def vmdive_names(vmdive, dump, addrs, vmlinux=None):
    """{addr: (name, start)} for the addresses vmdive can name."""
    opt = ["--vmlinux", vmlinux] if vmlinux else []
    ret = {}
    for i in range(0, len(addrs), BATCH):
        cmd = [vmdive, "sym", "--json"] + opt + [dump] + [hex(a) for a in addrs[i:i + BATCH]]
        for r in vmdive_json(cmd):
            if "error" in r:          # {"query", "error"}: an address no symbol holds
                continue
            ret[int(r["address"], 16)] = (r["name"], int(r["symbol_address"], 16))
    return ret


def drgn_names(dump, vmlinux, addrs):
    prog = drgn.Program()
    prog.set_core_dump(dump)          # KERNELOFFSET from VMCOREINFO: KASLR applied
    prog.load_debug_info([vmlinux], default=False, main=True)
    ret = {}
    for a in addrs:
        try:
            s = prog.symbol(a)
            ret[a] = (s.name, s.address)
        except LookupError:
            pass
    return ret


def crash_names(dump, vmlinux, addrs, opts=""):
    with tempfile.NamedTemporaryFile("w", suffix=".cmd") as f:
        f.write("".join("sym %x\n" % a for a in addrs) + "quit\n")
        f.flush()
        # CRASH: the crash that reads this kernel (sid's for sid's, see test_symbols.sh).
        out = subprocess.run(["timeout", "1200", os.environ.get("CRASH", "crash"), "-s"] +
                             opts.split() +
                             ["-i", f.name, vmlinux, dump],
                             stdin=subprocess.DEVNULL, capture_output=True, text=True).stdout
    ret = {}
    for line in out.splitlines():
        m = re.match(r"^([0-9a-f]{16}) \(.\) ([^\s+]+)(?:\+(\d+))?(?:\s|$)", line)
        if m:
            a = int(m.group(1), 16)
            ret[a] = (m.group(2), a - int(m.group(3) or 0))
    return ret


def pick_addresses(symbols, n, seed):
    rng = random.Random(seed)
    sized = [s for s in symbols if int(s["address"], 16) >> 63 and s["size"] > 0
             and s["type"] in "TtDdRrBbWV"]
    picks = []
    for s in rng.sample(sized, min(n, len(sized))):
        picks.append(int(s["address"], 16) + rng.randrange(s["size"]))
    return sorted(set(picks))


def reason_kallsyms(addr, vd, dr, kallsyms_names):
    """Why the kallsyms rule's answer differs from drgn's (informational)."""
    if dr and dr[0] not in kallsyms_names:
        return "not-in-kallsyms"
    if vd and dr and dr[1] < vd[1] <= addr:
        return "nearer-label"
    if vd and dr and vd[1] == dr[1]:
        return "alias"
    return "other"


def linker_marker(n):
    """scripts/kallsyms.c may_be_linker_script_provide_symbol()."""
    return len(n) >= 8 and n.startswith("__") and (
        n[2:].startswith(("start_", "stop_", "end_")) or n.endswith(("_start", "_end")))


def kallsyms_rule(kallsyms, system_map, offset):
    """addr -> (name, start) by the kallsyms rule (see the top), or None."""
    pos = {}
    for i, line in enumerate(open(system_map)):
        f = line.split()
        if len(f) >= 3:
            a = int(f[0], 16)
            pos.setdefault((f[2], (a + offset) % (1 << 64) if a >> 63 else a), (i, f[1]))
    groups = collections.defaultdict(list)
    for s in kallsyms:
        a = int(s["address"], 16)
        i, t = pos.get((s["name"], a), (1 << 62, s["type"]))
        groups[a].append((s["name"], t, i))
    pick = {}
    for a, g in groups.items():
        # The kernel's order of the aliases, then the rule over it.
        g.sort(key=lambda x: (x[1] in "wW", linker_marker(x[0]),
                              len(x[0]) - len(x[0].lstrip("_")), x[2]))
        bind = lambda t: 1 if t in "wWvV" else 2 if t.isupper() else 0
        best = min(range(len(g)), key=lambda k: (linker_marker(g[k][0]), -bind(g[k][1]), k))
        pick[a] = g[best][0]
    starts = sorted(pick)

    def rule(addr):
        k = bisect.bisect_right(starts, addr) - 1
        if k < 0:
            return None
        a = starts[k]
        size = min(starts[k + 1] - a, 1 << 20) if k + 1 < len(starts) else 4096
        return (pick[a], a) if addr - a < size else None
    return rule


def check_syms(a):
    symbols = vmdive_json([a.vmdive, "sym", "-l", "--json", "--vmlinux", a.vmlinux, a.dump])
    kallsyms = vmdive_json([a.vmdive, "sym", "-l", "--json", a.dump])
    kallsyms_names = {s["name"] for s in kallsyms}
    rule = kallsyms_rule(kallsyms, os.path.join(os.path.dirname(a.vmlinux), "System.map"),
                         kernel_offset(a.dump))
    addrs = pick_addresses(symbols, a.n, a.seed)
    dr = cached_oracle("drgn", a.dump, a.vmlinux, addrs, "drgn %s" % drgn.__version__,
                       lambda: drgn_names(a.dump, a.vmlinux, addrs))
    crash_bin = shutil.which(os.environ.get("CRASH", "crash")) or "crash"
    cr = cached_oracle("crash", a.dump, a.vmlinux, addrs, "%s %s %s" % (
                           crash_bin, vdcheck.dump_key(crash_bin) if os.path.exists(crash_bin)
                           else "", a.crash_opts),
                       lambda: crash_names(a.dump, a.vmlinux, addrs, a.crash_opts)) \
        if a.crash else {}
    if a.crash and not cr:
        print("  MISMATCH crash named none of %d addresses" % len(addrs))
        return 1
    failed = 0
    for mode, vd in (("vmlinux", vmdive_names(a.vmdive, a.dump, addrs, a.vmlinux)),
                     ("kallsyms", vmdive_names(a.vmdive, a.dump, addrs))):
        stats = collections.Counter()
        shown = collections.Counter()
        for addr in addrs:
            v, d, c = vd.get(addr), dr.get(addr), cr.get(addr)
            why = None
            if mode == "kallsyms":
                want = rule(addr)
                if v == want and v and v == d:
                    stats["rule, same as drgn"] += 1
                    continue
                if v == want:
                    why = "rule, not drgn's: " + reason_kallsyms(addr, v, d, kallsyms_names)
                else:
                    why = "MISMATCH: not the rule's %s" % fmt(want)
            elif v and (v == d or v == c):
                stats["same as drgn" if v == d else "same as crash"] += 1
                continue
            elif v and d and v[1] == d[1] and drgn.__version__ != "0.0.22":
                # Two names at one address: vmdive keeps elfutils' (and drgn 0.0.22's) choice
                # among aliases; sid's newer drgn chooses otherwise (seen on arm64 7.2:
                # __kprobes_text_start vs __check_eq, __end_once vs ___done.10).
                why = "alias: newer drgn's choice differs"
            stats[why or "MISMATCH"] += 1
            if not why or why.startswith("MISMATCH"):
                failed += 1
            if shown[why] < 8:
                shown[why] += 1
                print("  %-8s %x: vmdive %s drgn %s crash %s%s" % (
                    mode, addr, fmt(v), fmt(d), fmt(c) if a.crash else "-",
                    " (%s)" % why if why else ""))
        print("  %s: %d addresses: %s" % (mode, len(addrs), dict(stats)))
    return failed


def fmt(x):
    return "%s@%x" % x if x else "none"


def kernel_offset(dump):
    """KERNELOFFSET (hex) from the VMCOREINFO text make-dumps.sh keeps beside the dump."""
    for line in open(os.path.join(os.path.dirname(dump), "vmcoreinfo.txt")):
        if line.startswith("KERNELOFFSET="):
            return int(line.split("=", 1)[1], 16)
    return 0


def flatten(members, out, path=""):
    """[(path, bit offset, bit-field size, size)], anonymous members expanded."""
    for m in members:
        name = path + (m["name"] or "<anon>")
        out.append((name, m["bit_offset"], m["bit_size"], m["size"]))
        if "members" in m:
            flatten(m["members"], out, name + ".")
    return out


def check_layouts(a):
    failed = 0
    for t in a.types:
        dw = json.load(open("%s/vd-%s.json" % (a.dwarf_dir, t)))
        bt = json.load(open("%s/vd-%s.json" % (a.btf_dir, t)))
        x, y = flatten(dw["members"], []), flatten(bt["members"], [])
        if dw["size"] == bt["size"] and x == y:
            print("  ok %s: DWARF and BTF agree on %d members (bit offsets, sizes), size %d"
                  % (t, len(x), dw["size"]))
            continue
        failed += 1
        diff = [(p, q) for p, q in zip(x, y) if p != q][:5]
        print("  MISMATCH %s: size %s vs %s, %d vs %d members, first differences %s"
              % (t, dw["size"], bt["size"], len(x), len(y), diff))
    return failed


def drgn_flatten(typ, out, base=0, path=""):
    """flatten() of drgn's type: (path, bit offset, bit-field size, size), anonymous members
    expanded, offsets from the start of the outermost type."""
    for m in typ.members:
        name = path + (m.name or "<anon>")
        off = base + m.bit_offset
        try:
            size = drgn.sizeof(m.type)
        except (TypeError, ValueError):              # flexible array member
            size = 0
        out.append((name, off, m.bit_field_size or 0, size))
        if m.name is None:
            t = m.type
            while t.kind == drgn.TypeKind.TYPEDEF:
                t = t.type
            drgn_flatten(t, out, off, name + ".")
    return out


def check_drgn_layouts(a):
    prog = drgn.Program()
    prog.set_core_dump(a.dump)
    prog.load_debug_info([a.vmlinux], default=False, main=True)
    failed = 0
    for d, t in [(d, t) for d in a.dir.split(",") for t in a.types]:
        vd = json.load(open("%s/vd-%s.json" % (d, t)))
        dt = prog.type("struct " + t)
        x, y = flatten(vd["members"], []), drgn_flatten(dt, [])
        if vd["size"] == drgn.sizeof(dt) and x == y:
            print("  ok %s (%s): equals drgn's on %d members, size %d"
                  % (t, vd.get("source"), len(x), vd["size"]))
            continue
        failed += 1
        diff = [(p, q) for p, q in zip(x, y) if p != q][:5]
        print("  MISMATCH %s (%s): size %s vs drgn %s, %d vs %d members, first differences %s"
              % (t, vd.get("source"), vd["size"], drgn.sizeof(dt), len(x), len(y), diff))
    return failed


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("syms")
    s.add_argument("vmdive")
    s.add_argument("dump")
    s.add_argument("vmlinux")
    s.add_argument("--crash", action="store_true")
    s.add_argument("--crash-opts", default="")
    s.add_argument("--n", type=int, default=10000)
    s.add_argument("--seed", type=int, default=1)
    lay = sub.add_parser("layouts")
    lay.add_argument("dwarf_dir")
    lay.add_argument("btf_dir")
    lay.add_argument("types", nargs="+")
    dl = sub.add_parser("drgn-layouts")
    dl.add_argument("dump")
    dl.add_argument("vmlinux")
    dl.add_argument("dir")
    dl.add_argument("types", nargs="+")
    a = ap.parse_args()
    failed = {"syms": check_syms, "layouts": check_layouts,
              "drgn-layouts": check_drgn_layouts}[a.cmd](a)
    print("FAILED: %d" % failed if failed else "passed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
