#!/usr/bin/python3
"""bt_more_check: vmdive's `bt -A` on the Debian 7.2 (sid) arm64 dumps, against sid's drgn 0.3.0
and the kernel's own "Call trace:" in console.log.

    /usr/bin/python3 tests/real/bt_more_check.py VMDIVE        # test_bt_more.sh

Variants arm64-sid (4 KiB pages) and arm64-16k-sid; vmcore.elf and vmcore.kdump-zlib, with and
without --vmlinux.  7.2's pt_regs->stackframe is a struct frame_record_meta at offset 296 (not
16-byte aligned), and an exception from EL1 leaves a {0, 0, PT_REGS} record there instead of
{x29, elr}: every running task on these dumps goes through one.
- tasks: the same task_structs as drgn's (each CPU's idle task and for_each_task);
- every task, running or sleeping: no error; frame for frame the pc and function of drgn's
  unwind (tests/real/bt_more_oracle.py, inline frames left out; vmdive's kallsyms name with
  the compiler's .cold/.isra/.constprop/.part suffix taken off; at the same pc another name
  is counted as "alias").  Where the interrupted function is a leaf that has not stored a
  frame record, drgn's DWARF CFI finds its caller in the link register and lists it; so must
  vmdive (a "from_lr" frame, counted as "lr-caller"; the kernel's own unwinder cannot);
- the user pc at the bottom equal (drgn: task_pt_regs(task)'s pc);
- bt -l (with --vmlinux): each frame's inline frames and file:line equal drgn's;
- the panic task: from the frame after panic() to el0t_64_sync every function+offset equals
  the kernel's own "Call trace:" in console.log (vmdive's from_lr frames left out).
Prints one line per mismatch, a summary per scope, "N passed, M failed"; exit 1 on mismatch,
77 when no dump or no sid drgn is there.  VMDIVE_VARIANTS limits the variants.
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
from walkers_check import Vd, cached                 # noqa: E402

VARIANTS = ("arm64-sid", "arm64-16k-sid")
ORACLE = os.path.join(HERE, "bt_more_oracle.py")
TIMEOUT = 900
SUFFIX = re.compile(r"(\.(cold|isra|constprop|part|lto_priv)(\.\d+)?)+$")


def h(x):
    return None if x is None else int(x, 16) if isinstance(x, str) else int(x)


def base_name(s):
    return SUFFIX.sub("", s) if s else s


def drgn_oracle(t, variant, dumpdir, meta):
    py = vc.oracle_python(meta)
    if py is None:
        t.skip(variant, "no sid drgn (samples/make-dumps.sh --variant %s fetches it)" % variant)
        return None
    elf = meta["VMCORE_ELF"]

    def make():
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "o.json")
            p = subprocess.run([py, ORACLE, "--vmcore", elf, "--vmlinux", meta["VMLINUX"],
                                "--json", out], capture_output=True, text=True, timeout=TIMEOUT)
            if p.returncode:
                t.ok(variant, "oracle", False, "bt_more_oracle.py failed: %s" % vc.short(p.stderr))
                return None
            return open(out, "rb").read()
    data = cached(t, variant, dumpdir, "btmore-%s.json" % vc.dump_key(elf), [ORACLE.encode()],
                  make)
    return json.loads(data) if data else None


def log_call_trace(path):
    """The last "Call trace:" of the log: its func+off lines."""
    frames, on = [], False
    with open(path, errors="replace") as f:
        for line in f:
            line = re.sub(r"^\[ *[0-9.]+\] ", "", line.rstrip())
            if line.startswith(("Call trace:", "Call Trace:")):
                frames, on = [], True
                continue
            m = re.match(r" +([A-Za-z0-9_.]+)\+(0x[0-9a-f]+)/0x[0-9a-f]+( \(\w\))?$", line)
            if on and m:
                frames.append("%s+%s" % (m.group(1), m.group(2)))
            elif on:
                on = False
    return frames


def check_task(t, sc, who, task, o):
    t.ok(sc, "error", task["error"] is None, lambda: "%s: %s" % (who, task["error"]))
    if not t.ok(sc, "drgn", "error" not in o, lambda: "%s: drgn: %s" % (who, o.get("error"))):
        return
    kern = [f for f in task["frames"] if f["kind"] != "user"]
    user = [f for f in task["frames"] if f["kind"] == "user"]
    theirs = list(o["frames"])
    names = lambda: "%s: vmdive %s drgn %s" % (  # noqa: E731
        who, ["%s@%x" % (f["symbol"], h(f["pc"])) for f in kern],
        ["%s@%x" % (x["name"], x["pc"]) for x in o["frames"]])
    i = k = 0
    ok = True
    while ok and i < len(kern) and k < len(theirs):
        f, x = kern[i], theirs[k]
        if h(f["pc"]) == x["pc"]:
            if base_name(f["symbol"]) != x["name"]:
                t.ok(sc, "alias", True)
            t.ok(sc, "frame", True)
            if f.get("from_lr"):
                t.ok(sc, "lr-caller", True)          # a leaf's caller, from lr, as drgn's
            i, k = i + 1, k + 1
        else:
            ok = t.ok(sc, "frame", False, names)
    if ok:
        t.ok(sc, "count", i == len(kern) and k == len(theirs), names)
    t.ok(sc, "user", (h(user[0]["pc"]) if user else None) == o["user_pc"],
         lambda: "%s: user pc vmdive %s drgn %s" % (who, user and user[0]["pc"], o["user_pc"]))


def check_lines(t, sc, j, ot):
    """bt -l: every frame's source frames equal drgn's at that pc (tasks whose frames all
    match drgn's): each inline frame (function, file's basename, line), innermost first, then
    the function's own file:line (the call site of its outermost inline call)."""
    base = lambda p: os.path.basename(p) if p else None            # noqa: E731
    for task in j["tasks"]:
        o = ot.get(h(task["task"]))
        kern = [f for f in task["frames"] if f["kind"] != "user"]
        if not o or "frames" not in o or [h(f["pc"]) for f in kern] != \
                [x["pc"] for x in o["frames"]]:
            continue
        for f, x in zip(kern, o["frames"]):
            got = [(y["function"], base(y["file"]), y["line"]) for y in f.get("inline", [])]
            got.append((None, base(f.get("file")), f.get("line")))
            want = [(y["name"], *(y["src"] or [None, None])) for y in x["inline"]]
            want.append((None, *(x.get("fsrc") or [None, None])))
            t.ok(sc, "lines.inline" if len(want) > 1 else "lines", got == want,
                 lambda: "%d %s %s: vmdive %s drgn %s" % (task["tid"], task["comm"],
                                                          f["symbol"], got, want))


def check_variant(t, vd, variant, dumpdir, meta):
    o = drgn_oracle(t, variant, dumpdir, meta)
    if not o:
        return
    ot = {x["task"]: x for x in o["tasks"]}
    log = log_call_trace(meta["CONSOLE_LOG"])
    for dump in (meta["VMCORE_ELF"], meta.get("VMCORE_KDUMP_ZLIB")):
        if not dump or not os.path.exists(dump):
            continue
        for extra in ([], ["--vmlinux", meta["VMLINUX"]]):
            sc = "%s/%s/%s" % (variant, os.path.basename(dump).split(".")[1],
                               "vmlinux" if extra else "no-vmlinux")
            j, rc, err = vd.json(["bt", "-A", "--json"] + extra + [dump])
            if not t.ok(sc, "run", j is not None and rc == 0, lambda: "exit %d %s" % (rc, err)):
                continue
            vt = {h(x["task"]): x for x in j["tasks"]}
            t.ok(sc, "tasks", set(vt) == set(ot), lambda: "only vmdive %s, only drgn %s" % (
                [hex(a) for a in set(vt) - set(ot)], [hex(a) for a in set(ot) - set(vt)]))
            for addr, task in vt.items():
                if addr in ot:
                    check_task(t, sc, "%d %s" % (task["tid"], task["comm"]), task, ot[addr])
            if extra and dump == meta["VMCORE_ELF"]:
                jl, rc, err = vd.json(["bt", "-A", "-l", "--json"] + extra + [dump])
                if t.ok(sc, "lines.run", jl is not None and rc == 0,
                        lambda: "exit %d %s" % (rc, err)):
                    check_lines(t, sc, jl, ot)
            panic = [x for x in j["tasks"] if h(x["task"]) == h(j.get("panic_task"))]
            if not t.ok(sc, "panic.task", len(panic) == 1, "no panic task"):
                continue
            got = ["%s+0x%x" % (f["symbol"], f["offset"]) for f in panic[0]["frames"]
                   if f["kind"] == "function" and not f.get("from_lr")]
            mine = [i + 1 for i, s in enumerate(got) if s.startswith("panic+")]
            theirs = [i + 1 for i, s in enumerate(log) if s.startswith("panic+")]
            t.ok(sc, "panic.calltrace", mine and theirs and got[mine[-1]:] == log[theirs[-1]:]
                 and log[-1].startswith("el0t_64_sync"),
                 lambda: "vmdive %s log %s" % (got, log))


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    t, vd = vc.Tally(), Vd(sys.argv[1])
    want = os.environ.get("VMDIVE_VARIANTS", " ".join(VARIANTS)).split()
    for v in want:
        if v not in VARIANTS:
            continue
        d = os.path.join(vc.DUMPS, v)
        if not (os.path.exists(os.path.join(d, "meta.env")) and
                os.path.exists(os.path.join(d, "done"))):
            t.skip(v, "no dump (samples/make-dumps.sh --variant %s)" % v)
            continue
        t0 = time.time()
        check_variant(t, vd, v, d, vc.load_env(os.path.join(d, "meta.env")))
        t.summary(v, t0)
    t.ok("all", "sanitizer", not vd.sanitizer, lambda: "; ".join(vd.sanitizer[:3]))
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
