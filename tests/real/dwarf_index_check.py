#!/usr/bin/python3
"""The vmlinux's DWARF read through vmdive's persistent name index, against drgn (see
test_dwarf_index.sh).

    dwarf_index_check.py DUMP VMLINUX DIR --types T... --vars V... [--enums E...]

DIR/vd-T.json is `vmdive struct --json` of struct T and DIR/var-V.json `vmdive whatis --json V`,
both with --vmlinux and a warm index.  drgn reads the same vmlinux (its debug info alone: no
translation is asked): every struct's members (name, bit offset, bit-field size, size; anonymous
members expanded) and size must equal drgn's prog.type("struct T"), and every variable's size
drgn.sizeof of prog[V]'s type, and its kind "variable".  DIR/en-E.json and DIR/enbtf-E.json are
`vmdive whatis --json E` of an enumerator with the vmlinux's DWARF and with the dump's BTF
alone: each must name drgn's prog[E]'s enum ("enum pid_type"; an anonymous one "enum {...}")
and value.  drgn's answers are kept beside the dump (vdcheck.cache_dir), keyed by the vmlinux,
the questions and this script; the drgn is the one that reads the dump's kernel
(vdcheck.oracle_python: sid's for sid's kernel).
"""
import argparse
import json
import os
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import vdcheck as vc  # noqa: E402


def oracle(dump, vmlinux, types, variables, enums):
    """drgn's answers (run under the oracle's python): {"types": {T: [size, flat]},
    "vars": {V: [size, type name]}, "enums": {E: [enum, value]}}."""
    import drgn
    from symbols_check import drgn_flatten
    prog = drgn.Program()
    prog.set_core_dump(dump)            # the kernel (drgn 0.3.0 takes the vmlinux for its module)
    prog.load_debug_info([vmlinux], default=False, main=True)
    out = {"types": {}, "vars": {}, "enums": {}}
    for t in types:
        dt = prog.type("struct " + t)
        out["types"][t] = [drgn.sizeof(dt), drgn_flatten(dt, [])]
    for v in variables:
        ty = prog.variable(v).type_
        out["vars"][v] = [drgn.sizeof(ty), ty.type_name()]
    for e in enums:
        o = prog.constant(e)
        tag = o.type_.tag
        out["enums"][e] = ["enum %s" % tag if tag else "enum {...}", o.value_()]
    return out


def answers(dump, vmlinux, a):
    dumpdir = os.path.dirname(os.path.abspath(dump))
    variant = os.path.basename(dumpdir)
    meta = vc.load_env(os.path.join(dumpdir, "meta.env"))
    q = json.dumps([a.types, a.vars, a.enums]).encode()
    cdir = vc.cache_dir(dumpdir, variant)
    path = os.path.join(cdir, "dwarfidx-%s-%s.json" % (vc.dump_key(vmlinux),
                                                        vc.content_key(q, __file__)))
    if not os.path.exists(path):
        py = vc.oracle_python(meta)
        if py is None:
            print("  no drgn for %s (samples/make-dumps.sh --variant %s)" % (variant, variant))
            return None
        p = subprocess.run([py, __file__, "--oracle", dump, vmlinux, "-", "--types", *a.types,
                            "--vars", *a.vars, "--enums", *a.enums],
                           capture_output=True, text=True, timeout=vc.TIMEOUT)
        if p.returncode:
            print("  drgn failed (exit %d): %s" % (p.returncode, vc.short(p.stderr, 600)))
            return None
        vc.atomic_write(path, p.stdout.encode())
        vc.drop_stale(path, "dwarfidx-", ".json")
    with open(path) as f:
        return json.load(f)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dump")
    ap.add_argument("vmlinux")
    ap.add_argument("dir")
    ap.add_argument("--types", nargs="+", required=True)
    ap.add_argument("--vars", nargs="+", required=True)
    ap.add_argument("--enums", nargs="*", default=[])
    ap.add_argument("--oracle", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.oracle:
        json.dump(oracle(a.dump, a.vmlinux, a.types, a.vars, a.enums), sys.stdout)
        return 0
    from symbols_check import flatten
    d = answers(a.dump, a.vmlinux, a)
    if d is None:
        return 1
    failed = checked = 0
    for t in a.types:
        vd = json.load(open("%s/vd-%s.json" % (a.dir, t)))
        size, y = d["types"][t]
        x, y = flatten(vd["members"], []), [tuple(m) for m in y]
        checked += 1
        if vd["size"] == size and x == y and vd.get("source", "").startswith("DWARF"):
            continue
        failed += 1
        diff = [(p, q) for p, q in zip(x, y) if p != q][:5]
        print("  MISMATCH struct %s (%s): size %s vs drgn %s, %d vs %d members, first %s"
              % (t, vd.get("source"), vd["size"], size, len(x), len(y), diff))
    for v in a.vars:
        vd = json.load(open("%s/var-%s.json" % (a.dir, v)))
        size, tname = d["vars"][v]
        checked += 1
        if vd.get("kind") == "variable" and vd.get("size") == size and \
                vd.get("source", "").startswith("DWARF"):
            continue
        failed += 1
        print("  MISMATCH %s: vmdive %s %s bytes (%s), drgn %s bytes (%s)"
              % (v, vd.get("kind"), vd.get("size"), vd.get("type"), size, tname))
    for e in a.enums:
        want = tuple(d["enums"][e])
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
