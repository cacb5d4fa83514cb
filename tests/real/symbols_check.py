#!/usr/bin/python3
"""Symbols and layouts against drgn and crash (see test_symbols.sh).

    symbols_check.py syms VMDIVE DUMP VMLINUX [--crash] [--n N] [--seed S]
    symbols_check.py layouts DWARF_DIR BTF_DIR TYPE...

syms: N random kernel text/data addresses (a random offset inside a random sized symbol of
`vmdive sym -l --vmlinux`) are named by vmdive with the vmlinux and without it (the dump's
kallsyms), by drgn (python3-drgn 0.0.22: prog.symbol(addr), the vmlinux's ELF symbols through
elfutils) and, with --crash, by crash's `sym`.  With the vmlinux every answer must be drgn's or
crash's symbol (name and start address).  Without it, the kallsyms table has no sizes and lacks
some symbols, so a different answer is accepted only for a stated reason, checked here:
  nearer-label  vmdive names a symbol of the vmlinux that starts inside drgn's symbol, at or
                below the address: kallsyms cannot tell that the label does not end the
                function (no sizes);
  not-in-kallsyms  drgn's symbol is not in the kallsyms table at all;
  alias         vmdive names another symbol of the vmlinux at the same start: drgn (elfutils)
                breaks such ties by the order of the vmlinux's symbol table, which kallsyms
                does not keep (scripts/kallsyms.c orders aliases weak last, then by leading
                underscores, then as `nm -n` listed them, by name).
Every other difference is a failure, and every difference is printed with its reason.

layouts: `vmdive struct --json` of each TYPE from DWARF and from BTF must agree member by
member: name, bit offset, bit-field size and member size, nested anonymous members included.
BTF flattens multi-dimensional arrays (pahole), so type names are not compared.
"""
import argparse
import collections
import json
import random
import re
import subprocess
import sys
import tempfile

import drgn

BATCH = 2000


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


def crash_names(dump, vmlinux, addrs):
    with tempfile.NamedTemporaryFile("w", suffix=".cmd") as f:
        f.write("".join("sym %x\n" % a for a in addrs) + "quit\n")
        f.flush()
        out = subprocess.run(["timeout", "1200", "crash", "-s", "-i", f.name, vmlinux, dump],
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


def reason_kallsyms(addr, vd, dr, by_name, kallsyms_names):
    """Why the kallsyms answer may differ from drgn's, or None."""
    if dr and dr[0] not in kallsyms_names:
        return "not-in-kallsyms"
    if vd and dr and dr[1] < vd[1] <= addr and vd[1] in by_name.get(vd[0], ()):
        return "nearer-label"
    if vd and dr and vd[1] == dr[1] and vd[1] in by_name.get(vd[0], ()):
        return "alias"
    return None


def check_syms(a):
    symbols = vmdive_json([a.vmdive, "sym", "-l", "--json", "--vmlinux", a.vmlinux, a.dump])
    by_name = collections.defaultdict(set)
    for s in symbols:
        by_name[s["name"]].add(int(s["address"], 16))
    kallsyms = vmdive_json([a.vmdive, "sym", "-l", "--json", a.dump])
    kallsyms_names = {s["name"] for s in kallsyms}
    addrs = pick_addresses(symbols, a.n, a.seed)
    dr = drgn_names(a.dump, a.vmlinux, addrs)
    cr = crash_names(a.dump, a.vmlinux, addrs) if a.crash else {}
    failed = 0
    for mode, vd in (("vmlinux", vmdive_names(a.vmdive, a.dump, addrs, a.vmlinux)),
                     ("kallsyms", vmdive_names(a.vmdive, a.dump, addrs))):
        stats = collections.Counter()
        shown = collections.Counter()
        for addr in addrs:
            v, d, c = vd.get(addr), dr.get(addr), cr.get(addr)
            if v and (v == d or v == c):
                stats["same as drgn" if v == d else "same as crash"] += 1
                continue
            why = reason_kallsyms(addr, v, d, by_name, kallsyms_names) \
                if mode == "kallsyms" else None
            stats[why or "MISMATCH"] += 1
            if not why:
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


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("syms")
    s.add_argument("vmdive")
    s.add_argument("dump")
    s.add_argument("vmlinux")
    s.add_argument("--crash", action="store_true")
    s.add_argument("--n", type=int, default=10000)
    s.add_argument("--seed", type=int, default=1)
    lay = sub.add_parser("layouts")
    lay.add_argument("dwarf_dir")
    lay.add_argument("btf_dir")
    lay.add_argument("types", nargs="+")
    a = ap.parse_args()
    failed = check_syms(a) if a.cmd == "syms" else check_layouts(a)
    print("FAILED: %d" % failed if failed else "passed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
