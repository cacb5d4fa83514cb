#!/usr/bin/python3
"""bt_ab: `bt -A --json` of two vmdive builds on every sample dump, task by task (a developer's
check that an unwinder change moves only what it means to; not a CTest test).

    /usr/bin/python3 tests/real/bt_ab.py OLD_VMDIVE NEW_VMDIVE [VARIANT...]

Default: every variant under the dumps directory except crash-* (vmcore.elf, no vmlinux).
Prints per variant the tasks whose traces (pc, kind, stack of each frame; error) differ, with
both traces, and a summary line.
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import vdcheck as vc                                 # noqa: E402


def traces(vd, dump):
    p = subprocess.run([vd, "bt", "-A", "--json", dump], capture_output=True, timeout=900)
    try:
        j = json.loads(p.stdout)
    except ValueError:
        return None, p.stderr.decode(errors="replace").strip()
    return {t["task"]: t for t in j["tasks"]}, None


def key(t):
    return ([(f["pc"], f["kind"], f["stack"]) for f in t["frames"]], t["error"])


def show(t):
    return "%s / error %s" % (" ".join("%s+0x%x" % (f["symbol"], f["offset"] or 0)
                                       for f in t["frames"]), t["error"])


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    old, new = sys.argv[1:3]
    names = sys.argv[3:] or sorted(v for v in os.listdir(vc.DUMPS) if not v.startswith("crash-"))
    total = changed = 0
    for v in names:
        d = os.path.join(vc.DUMPS, v)
        if not os.path.exists(os.path.join(d, "done")):
            continue
        meta = vc.load_env(os.path.join(d, "meta.env"))
        a, ea = traces(old, meta["VMCORE_ELF"])
        b, eb = traces(new, meta["VMCORE_ELF"])
        if a is None or b is None:
            print("%s: old %s new %s" % (v, ea or "ok", eb or "ok"))
            continue
        diff = [k for k in sorted(set(a) | set(b)) if k not in a or k not in b or
                key(a[k]) != key(b[k])]
        for k in diff:
            print("%s task %s %s\n  old: %s\n  new: %s" % (
                v, k, (a.get(k) or b.get(k))["comm"], show(a[k]) if k in a else "-",
                show(b[k]) if k in b else "-"))
        total += len(b)
        changed += len(diff)
        print("%s: %d tasks, %d differ" % (v, len(b), len(diff)), flush=True)
    print("all: %d tasks, %d differ" % (total, changed))


if __name__ == "__main__":
    main()
