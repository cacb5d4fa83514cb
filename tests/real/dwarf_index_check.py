#!/usr/bin/python3
"""The vmlinux's DWARF read through vmdive's persistent name index, against drgn (see
test_dwarf_index.sh).

    dwarf_index_check.py DUMP VMLINUX DIR --types T... --vars V... [--enums E...]

DIR/vd-T.json is `vmdive struct --json` of struct T and DIR/var-V.json `vmdive whatis --json V`,
both with --vmlinux and a warm index.  One drgn 0.0.22 session on the same dump and vmlinux:
every struct's members (name, bit offset, bit-field size, size; anonymous members expanded)
and size must equal drgn's prog.type("struct T"), and every variable's size drgn.sizeof of
prog[V]'s type, and its kind "variable".  DIR/en-E.json and DIR/enbtf-E.json are `vmdive whatis
--json E` of an enumerator with the vmlinux's DWARF and with the dump's BTF alone: each must
name drgn's prog[E]'s enum ("enum pid_type"; an anonymous one "enum {...}") and value.
"""
import argparse
import json
import os
import sys

import drgn

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
sys.path.insert(0, os.path.join(here, "..", "oracle"))
import drgn_oracle  # noqa: E402
from symbols_check import drgn_flatten, flatten  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dump")
    ap.add_argument("vmlinux")
    ap.add_argument("dir")
    ap.add_argument("--types", nargs="+", required=True)
    ap.add_argument("--vars", nargs="+", required=True)
    ap.add_argument("--enums", nargs="*", default=[])
    a = ap.parse_args()
    # tests/oracle/drgn_oracle.py opens QEMU's ELF for drgn 0.0.22 as a kernel dump.
    prog = drgn_oracle.Oracle(a.dump, a.vmlinux).prog
    failed = checked = 0
    for t in a.types:
        vd = json.load(open("%s/vd-%s.json" % (a.dir, t)))
        dt = prog.type("struct " + t)
        x, y = flatten(vd["members"], []), drgn_flatten(dt, [])
        checked += 1
        if vd["size"] == drgn.sizeof(dt) and x == y and vd.get("source", "").startswith("DWARF"):
            continue
        failed += 1
        diff = [(p, q) for p, q in zip(x, y) if p != q][:5]
        print("  MISMATCH struct %s (%s): size %s vs drgn %s, %d vs %d members, first %s"
              % (t, vd.get("source"), vd["size"], drgn.sizeof(dt), len(x), len(y), diff))
    for v in a.vars:
        vd = json.load(open("%s/var-%s.json" % (a.dir, v)))
        size = drgn.sizeof(prog[v].type_)
        checked += 1
        if vd.get("kind") == "variable" and vd.get("size") == size and \
                vd.get("source", "").startswith("DWARF"):
            continue
        failed += 1
        print("  MISMATCH %s: vmdive %s %s bytes (%s), drgn %s bytes (%s)"
              % (v, vd.get("kind"), vd.get("size"), vd.get("type"), size,
                 prog[v].type_.type_name()))
    for e in a.enums:
        o = prog[e]
        tag = o.type_.tag
        want = ("enum %s" % tag if tag else "enum {...}", o.value_())
        for kind, src in (("en", "DWARF"), ("enbtf", "BTF")):
            vd = json.load(open("%s/%s-%s.json" % (a.dir, kind, e)))
            checked += 1
            if vd.get("kind") == "enumerator" and (vd.get("type"), vd.get("value")) == want \
                    and vd.get("source", "").startswith(src):
                continue
            failed += 1
            print("  MISMATCH enumerator %s from %s: vmdive %s %s (%s), drgn %s %s"
                  % (e, src, vd.get("type"), vd.get("value"), vd.get("source"), *want))
    print("  %d structs, variables and enumerators checked against drgn, %d wrong"
          % (checked, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
