#!/usr/bin/python3
"""bt_check: vmdive's `bt` on the real dumps, against drgn, the kernel's own Call Trace and
crash 8.0.2.

    /usr/bin/python3 tests/real/bt_check.py VMDIVE        # test_bt.sh

For each variant (x86_64 6.1: kaslr, nokaslr, la57; 6.12: kaslr-6.12; 5.10: kaslr-5.10 (ORC
v1); Debian 7.2: kaslr-sid; arm64 6.1: arm64-kaslr, arm64-nokaslr; 6.12: arm64-6.12,
arm64-6.12-va48, arm64-16k-6.12; the crash kinds below), on vmcore.elf and
vmcore.kdump-zlib, with and without --vmlinux, `vmdive bt -A --json` (every task) is compared
with drgn's own unwind of the same boot's vmcore.elf (tests/real/bt_oracle.py: one drgn
session per dump, the vmlinux's DWARF, drgn's inline frames left out):
- tasks: the same task_structs;
- every sleeping task: the same frames, frame for frame: pc equal and the function equal (drgn's
  DWARF name; vmdive's kallsyms name with the compiler's .cold/.isra/.constprop/.part suffix
  taken off; for assembly, where drgn has only an ELF symbol, an alias at the same pc is
  counted as "alias"), and the same user pc at the bottom; no error.  drgn 0.0.22 does not
  know the ORC format of 6.4+ kernels and fails every trace that meets a pt_regs there
  (user tasks in a syscall on 6.12): those are counted as "drgn-cannot" and must end in a
  user frame;
- every running task below its first pt_regs: frame for frame equal to drgn's unwind from that
  pt_regs (drgn 0.0.22 cannot start a running task of a QEMU dump itself: it takes the note
  whose pid matches the task's, and QEMU's pids are vCPU + 1);
- the panic task: from the frame after panic() to entry_SYSCALL_64_after_hwframe (arm64:
  el0t_64_sync) every frame's function+offset equals the kernel's own "Call Trace:" in
  console.log (its reliable lines, without '?'; a name that differs must be at the same
  address: a --vmlinux names the sized symbol where kallsyms has an alias label, and arm64's
  log names the return address after a noreturn call by the next function), and on x86_64 the
  user registers at the bottom equal the log's RIP..R15 lines;
- arm64: drgn's unwind stops at el0t_64_sync; the user pc is checked against
  task_pt_regs(task)'s, read by drgn;
- the crash kinds of samples/crashmod (crash-null, -null-2, -bug, -warn, -timer, -hung, -gpf, -rcu,
  -softlockup, -oom; arm64-crash-null, -timer: meta.env CRASH_KIND): drgn is given the test
  module's debug file (CRASH_MODULE) and vmdive --module-debug with --vmlinux.  The panic
  task against the log's last trace (log_traces: an oops's from its faulting "RIP:" line, a
  panic's from the frame after panic()), frame for frame, each "RIP: 0010:" inside it a
  pt_regs frame with the same registers, <IRQ> frames on the IRQ stack, module frames named
  "func+off [vmdive_crash]" with the module's kallsyms size against the log's "/0x..";
  every trace the hung-task detector printed ("task:vd-hung state:D") against that task's
  bt, state included; per kind (check_kind): the timer's panic crosses from the IRQ stack to
  the writer's pt_regs in the module, vd-hung is in D with vmdive_crash_hung_fn over kthread
  and khungtaskd panics, vd-spin is interrupted in vmdive_crash_spin_fn; crash-null and
  crash-null-2 (two boots, CPU 0 and CPU 1) have the same frames below panic().  arm64 leaf
  functions' callers that drgn's DWARF unwind finds in the pt_regs' lr must be vmdive's
  "from_lr" frames (left out of the comparison with the kernel's trace, which has them
  neither); arm64 running frames are on the "irq" stack exactly when their sp is in drgn's
  per_cpu(irq_stack_ptr), with and without a vmlinux.  Counted and printed, not failed: drgn
  0.0.22's unwind from a pt_regs on the IRQ stack ending at the stack's top (compared as far
  as it goes);
- crash 8.0.2 (6.1 only: crash cannot open 6.12 dumps with modules), `bt -a` and
  `foreach bt` on vmcore.elf: for each task crash traces, vmdive's functions from crash's first
  frame on must appear in crash's list in order; crash's extra frames (it scans the stack and
  shows stale return addresses: the log marks them '?') and crash's failures (CPU 0's
  exception stack: "read of stack at fffffe... failed") are counted and printed.
bt -l (with --vmlinux and the test module's --module-debug, on vmcore.elf): every frame whose
pc is drgn's (sleeping tasks; running ones from each pt_regs) has drgn's inline frames at that
pc, innermost first, each with its function, file (basename) and line, and the function's own
file:line (the call site of its outermost inline frame); module frames too.
In a copy of the kaslr vmcore.elf whose CPU 0 crash_notes buffer holds an NT_PRSTATUS (as a
kdump kernel writes it), bt -a starts CPU 0 from it, not from QEMU's note.
And in a copy of the kaslr vmcore.elf with two stacks broken (a garbage return address, a
return address that loops) those two traces end with a reason after their good frames, every
other trace is unchanged, and `ps --unwind` marks exactly those two tasks.
Prints one line per mismatch, a summary per scope, "N passed, M failed"; exit 1 on mismatch.
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
from walkers_check import Vd, cached, elf_offset, member_offset  # noqa: E402

VARIANTS = ("kaslr", "nokaslr", "la57", "kaslr-6.12", "kaslr-5.10", "kaslr-sid",
            "arm64-kaslr", "arm64-nokaslr", "arm64-6.12", "arm64-6.12-va48", "arm64-16k-6.12",
            # samples/crashmod's crashes (meta.env CRASH_KIND): in a module, in IRQ context,
            # a hung task, a soft lockup, OOM
            "crash-null", "crash-null-2", "crash-bug", "crash-warn", "crash-timer", "crash-hung",
            "crash-softlockup", "crash-oom", "arm64-crash-null", "arm64-crash-null-2",
            "arm64-crash-timer",
            # a general protection fault, an RCU stall (self-detected in the tick).  Not
            # crash-mce (6.12): drgn 0.0.22 cannot load 6.12's modules ("'struct module' has
            # no member 'core_size'") and sid's drgn reads no running task of this dump, so
            # its trace is held to the kernel's own MCE record by triage_check only.
            "crash-gpf", "crash-rcu")
CRASH_VARIANTS = ("kaslr", "nokaslr", "la57")
# The same bug booted twice (samples/make-dumps.sh: other KASLR offsets, other CPU).
SAME_BUG = (("crash-null", "crash-null-2"), ("arm64-crash-null", "arm64-crash-null-2"))
# Kernels whose kallsyms vmdive cannot decode from the dump: without --vmlinux there are no
# ORC symbols, and bt must say so in one line (exit 1).  None now: the kallsyms found by
# scanning the image cover 5.10 and Debian's 7.2 too, and both are checked without a vmlinux.
VMLINUX_ONLY = ()
# drgn 0.0.22 reads Debian 7.2's renumbered ORC registers as the old ones: no oracle there;
# every trace must end cleanly and the panic task equal the kernel's Call Trace.
# drgn 0.0.22 cannot read the 48-bit-VA arm64 6.12 dump (FaultError on its first read of
# nr_cpu_ids), the same check there.
NO_DRGN = ("kaslr-sid", "arm64-6.12-va48")
ORACLE = os.path.join(HERE, "bt_oracle.py")
TIMEOUT = 900
SUFFIX = re.compile(r"(\.(cold|isra|constprop|part|lto_priv)(\.\d+)?)+$")
LOG_REGS = ("RAX", "RBX", "RCX", "RDX", "RSI", "RDI", "RBP", "R08", "R09", "R10", "R11", "R12",
            "R13", "R14", "R15")


def h(x):
    return None if x is None else int(x, 16) if isinstance(x, str) else int(x)


def base_name(s):
    return SUFFIX.sub("", s) if s else s


def variants(t):
    return vc.variants(t, VARIANTS, listed_only=False, say_missing=False, make="--all")


def regs_of_running(j):
    """The pt_regs addresses of running tasks' exception frames (for the oracle)."""
    out = set()
    for task in j["tasks"]:
        if task.get("running"):
            for f in task["frames"]:
                if f["kind"] == "exception":
                    out.add("%x" % h(f["pt_regs"]))
    return sorted(out)


def drgn_oracle(t, variant, dumpdir, meta, regs):
    elf = meta["VMCORE_ELF"]

    def make():
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "o.json")
            arch = "aarch64" if meta.get("ARCH") == "arm64" else "x86_64"
            mod = ["--module", meta["CRASH_MODULE"]] if meta.get("CRASH_MODULE") else []
            p = subprocess.run([vc.PY, ORACLE, "--vmcore", elf, "--vmlinux", meta["VMLINUX"],
                                "--json", out, "--regs", ",".join(regs), "--arch", arch] + mod,
                               capture_output=True, text=True, timeout=TIMEOUT)
            if p.returncode:
                t.ok(variant, "oracle", False, "bt_oracle.py failed: %s" % vc.short(p.stderr))
                return None
            return open(out, "rb").read()
    data = cached(t, variant, dumpdir, "btdrgn-%s.json" % vc.dump_key(elf),
                  [ORACLE, ",".join(regs).encode(), meta.get("CRASH_MODULE", "").encode()], make)
    return json.loads(data) if data else None


def crash_oracle(t, variant, dumpdir, meta):
    cmds = "bt -a\nforeach bt\nquit\n"
    elf = meta["VMCORE_ELF"]

    def make():
        with tempfile.TemporaryDirectory() as tmp:
            cf, out = os.path.join(tmp, "cmds"), os.path.join(tmp, "out")
            with open(cf, "w") as f:
                f.write(cmds)
            p = subprocess.run([os.path.join(vc.ORACLE_DIR, "crash_oracle.sh"), elf,
                                meta["VMLINUX"], cf, out], capture_output=True, text=True,
                               timeout=TIMEOUT)
            if p.returncode:
                t.ok(variant, "oracle", False, "crash failed: %s" % vc.short(p.stderr))
                return None
            return open(out, "rb").read()
    data = cached(t, variant, dumpdir, "crashbt-%s.out" % vc.dump_key(elf), [cmds.encode()],
                  make)
    return data.decode(errors="replace") if data else None


def parse_crash(text):
    """[(task, [functions], error or None)] in crash's order."""
    out, cur = [], None
    for line in text.splitlines():
        m = re.match(r"PID: +\d+ +TASK: ([0-9a-f]+)", line)
        if m:
            cur = [int(m.group(1), 16), [], None]
            out.append(cur)
            continue
        if cur is None:
            continue
        m = re.match(r" ?#\d+ \[[0-9a-f]+\] (\S+) at [0-9a-f]+", line) or \
            re.match(r" +\[exception RIP: ([A-Za-z0-9_.]+)\+(?:0x[0-9a-f]+|\d+)\]$", line)
        if m:   # a frame, or the function an exception interrupted (a frame of vmdive's)
            cur[1].append(m.group(1))
        elif line.startswith("bt: ") and cur[2] is None:
            cur[2] = line[4:].strip()
    return out


FRAME_RE = re.compile(r" +(\? )?([A-Za-z0-9_.]+)\+(0x[0-9a-f]+)/(0x[0-9a-f]+)(?: \[(\w+)\])?$")
KRIP_RE = re.compile(r"RIP: 0010:([A-Za-z0-9_.]+)\+(0x[0-9a-f]+)/(0x[0-9a-f]+)(?: \[(\w+)\])?$")
STACKS = {"<IRQ>": "irq", "</IRQ>": None, "<TASK>": "task", "</TASK>": None, "<NMI>": "nmi",
          "</NMI>": None, "<SOFTIRQ>": "softirq", "</SOFTIRQ>": None}
REG_LINE = ("RIP:", "Code:", "RSP:", "RAX:", "RDX:", "RBP:", "R10:", "R13:", "FS:", "CS:",
            "CR2:", "DR0:", "DR3:", "PKRU:")


def log_regs(line, regs):
    m = re.match(r"RSP: [0-9a-f]{4}:([0-9a-f]+)", line)
    if m:
        regs["RSP"] = int(m.group(1), 16)
    for k, v in re.findall(r"(\w+): ?([0-9a-f]{8,16})\b", line):
        if k in LOG_REGS + ("EFLAGS", "ORIG_RAX"):
            regs[k] = int(v, 16)


def log_traces(path):
    """Every "Call Trace:" (arm64 "Call trace:") of the console log, in order, as
    {"who": (comm, pid) of the header that printed it ("CPU: N [UID: U ]PID: P Comm: C", or
    sched_show_task's "task:C state:S ... pid:P"), "state": S or None, "entries": [...],
    "user": the user registers after its "RIP: 0033:" line}.  Entries are its reliable frames
    (lines without '?') and, x86_64, each "RIP: 0010:" line (an exception entry: the pc it
    interrupted, with its registers); an oops's trace starts with the "RIP: 0010:" line printed
    before "Call Trace:" (the faulting pc).  Each entry: "fn" (func+0xoff), "size", "module",
    "kind" (function | exception), "stack" (irq, task, nmi: the <IRQ>.. markers around it)."""
    blocks, cur, who, state, oops_rip, target = [], None, None, None, None, None

    def entry(m, kind, stack):
        return {"fn": "%s+%s" % (m.group(1), m.group(2)), "size": int(m.group(3), 16),
                "module": m.group(4), "kind": kind, "stack": stack, "regs": {}}
    with open(path, errors="replace") as f:
        for line in f:
            line = re.sub(r"^\[ *[0-9.]+\] ", "", line.rstrip())
            # 6.11+ adds "UID: N " (6.12, 7.2).
            m = re.match(r"CPU: \d+ (?:UID: \d+ )?PID: (\d+) Comm: (\S+)", line) or \
                re.match(r"task:(\S+) +state:(\w).* pid:(\d+)", line)
            if m:
                if line.startswith("CPU:"):
                    who, state = (m.group(2), int(m.group(1))), None
                else:
                    who, state = (m.group(1), int(m.group(3))), m.group(2)
                cur = oops_rip = target = None
                continue
            if cur is None:
                if line.startswith(("Call Trace:", "Call trace:")):
                    cur = {"who": who, "state": state, "entries": [], "user": {},
                           "stack": "task"}
                    if oops_rip:
                        cur["entries"].append(oops_rip)
                    blocks.append(cur)
                    oops_rip = target = None
                    continue
                m = KRIP_RE.match(line)
                if m:
                    oops_rip = entry(m, "exception", "task")
                    target = oops_rip["regs"]
                elif target is not None and line.startswith(REG_LINE):
                    log_regs(line, target)
                continue
            w = line.strip()
            if w in STACKS:
                cur["stack"] = STACKS[w] or "task"
                continue
            m = FRAME_RE.match(line)
            if m:
                if not m.group(1):
                    cur["entries"].append(entry(
                        re.match(r"(\S+)\+(\S+)/(\S+?)(?: \[(\w+)\])?$",
                                 line.strip()), "function", cur["stack"]))
                continue
            if line.startswith(" ?"):                # "? 0xffffffffc02b1000": no symbol
                continue
            m = KRIP_RE.match(line)
            if m:
                cur["entries"].append(entry(m, "exception", cur["stack"]))
                target = cur["entries"][-1]["regs"]
                continue
            m = re.match(r"RIP: 0033:(0x[0-9a-f]+)", line)
            if m:
                target = cur["user"]
                target["RIP"] = int(m.group(1), 16)
                continue
            if line.startswith(REG_LINE):
                if target is not None:
                    log_regs(line, target)
                continue
            cur = target = None                      # the trace has ended
    return blocks


def same_frame(f, o):
    """(ok, alias): vmdive frame f against drgn's o."""
    if h(f["pc"]) != o["pc"]:
        return False, False
    if base_name(f["symbol"]) == o["name"]:
        return True, False
    # Assembly without DWARF: drgn names the ELF symbol (sized), vmdive kallsyms' nearest.
    return True, True


def check_frames(t, sc, cat, vf, of, user_pc, who):
    kern = [f for f in vf if f["kind"] != "user"]
    user = [f for f in vf if f["kind"] == "user"]
    names = lambda: "%s: vmdive %s drgn %s" % (  # noqa: E731
        who, ["%s@%x" % (f["symbol"], h(f["pc"])) for f in kern],
        ["%s@%x" % (o["name"], o["pc"]) for o in of])
    if not t.ok(sc, cat + ".count", len(kern) == len(of), names):
        return
    for f, o in zip(kern, of):
        ok, alias = same_frame(f, o)
        t.ok(sc, cat + ".frame", ok, names)
        if alias:
            t.ok(sc, cat + ".alias", True)
    t.ok(sc, cat + ".user", (h(user[0]["pc"]) if user else None) == user_pc,
         lambda: "%s: user pc vmdive %s drgn %s" % (who, user and user[0]["pc"], user_pc))


def log_frame_ok(vd, dump, extra, f, want):
    """vmdive's frame f is the log's "func+0xoff": by name, or (a --vmlinux names the
    sized ELF symbol where kallsyms has an alias label) by address: sym(func) + off == pc."""
    if "%s+0x%x" % (f["symbol"], f["offset"]) == want:
        return True
    name, off = want.split("+")
    j, rc, _ = vd.json(["sym", "--json"] + extra + [dump, name])
    return bool(j) and h(j[0]["symbol_address"]) + int(off, 16) == h(f["pc"])


def check_clean(t, sc, j):
    """No oracle: every trace without error, ending in user mode or at the end of stack
    (a kernel thread's last frame is ret_from_fork*, an idle task's a startup function)."""
    for task in j["tasks"]:
        fr = task["frames"]
        t.ok(sc, "clean", task["error"] is None and fr and (
            fr[-1]["kind"] == "user" or (fr[-1]["symbol"] or "").startswith(
                ("ret_from_fork", "secondary_startup_64", "common_startup_64", "start_kernel",
                 "x86_64_start", "__primary_switched", "__secondary_switched"))),
             lambda: "%d %s: %s, last %s" % (task["tid"], task["comm"], task["error"],
                                             fr and fr[-1]["symbol"]))


def check_dump(t, sc, vd, dump, extra, j, o, blocks, tasks=True):
    ot = {x["task"]: x for x in o["tasks"]}
    vt = {h(x["task"]): x for x in j["tasks"]}
    t.ok(sc, "tasks", not tasks or set(ot) == set(vt),
         lambda: "only vmdive %s, only drgn %s" % (
             [hex(a) for a in set(vt) - set(ot)], [hex(a) for a in set(ot) - set(vt)]))
    for addr, task in vt.items():
        who = "%d %s" % (task["tid"], task["comm"])
        oo = ot.get(addr)
        if not oo:
            continue
        t.ok(sc, "error", task["error"] is None, lambda: "%s: %s" % (who, task["error"]))
        if not task.get("running"):
            if "unknown ORC entry type" in oo.get("error", ""):
                # drgn 0.0.22 knows ORC up to 6.3: 6.4's format (types renumbered, REGS is
                # 3) fails its whole trace at the first pt_regs.  Counted; vmdive's trace
                # must still end in user mode without error.
                t.ok(sc, "drgn-cannot", True)
                t.ok(sc, "sleeping.user-end", task["frames"][-1]["kind"] == "user",
                     lambda: "%s: %s" % (who, task["frames"]))
                continue
            if t.ok(sc, "drgn", "error" not in oo, lambda: "%s: drgn: %s" % (who, oo.get("error"))):
                check_frames(t, sc, "sleeping", task["frames"], oo["frames"], oo["user_pc"], who)
            continue
        fr = task["frames"]
        for i, f in enumerate(fr):
            if f["kind"] != "exception":
                continue
            r = o["regs"].get("%x" % h(f["pt_regs"]))
            if r and r.get("partial") and f["stack"] == "irq":
                # A pt_regs on the IRQ stack (an interrupt nested in a softirq run at the end
                # of an interrupt): drgn 0.0.22 unwinds to the IRQ stack's top and cannot go
                # back to the task stack ("program counter is not known").  vmdive's frames
                # on the IRQ stack are compared with drgn's; the task stack's part with the
                # next pt_regs, on the task stack.
                k = i
                while k < len(fr) and fr[k]["stack"] == "irq":
                    k += 1
                # Some boots' drgn gets one or more frames past the IRQ stack's top (the
                # caller of call_on_irq_stack, on the task stack): vmdive's next frames then.
                k = max(k, min(len(fr), i + len(r["frames"])))
                t.ok(sc, "drgn-partial", True)
                check_frames(t, sc, "running", fr[i:k], r["frames"], None, who)
                continue
            if t.ok(sc, "drgn", r and "error" not in r, lambda: "%s: %s" % (who, r)):
                # drgn's arm64 unwind stops at el0t_64_sync: then the oracle's
                # task_pt_regs() pc of the task.
                upc = r["user_pc"]
                if upc is None and r["frames"] and \
                        (r["frames"][-1]["name"] or "").startswith("el0t_64_"):
                    upc = oo.get("user_pc")
                of, seg = r["frames"], fr[i:]
                if "x30" in (f.get("regs") or {}):
                    # arm64: up to the next pt_regs, which is checked from its own unwind.
                    # drgn 0.0.22's DWARF unwind through an exception entry into a leaf
                    # function can repeat that frame until its limit.
                    # (drgn marks no frame "interrupted" there: its end is the next pt_regs'
                    # pc.)
                    nxt = [k for k in range(i + 1, len(fr)) if fr[k]["kind"] == "exception"]
                    dn = [k for k in range(1, len(of)) if of[k]["interrupted"] or
                          (nxt and of[k]["pc"] == h(fr[nxt[0]]["pc"]))]
                    if nxt:
                        seg, of, upc = fr[i:nxt[0]], of[:dn[0]] if dn else of, None
                # arm64, an exception in a leaf function (no frame record of its own yet):
                # its caller is only in the pt_regs' lr.  drgn's DWARF unwind shows it, and
                # so must vmdive (a "from_lr" frame; the kernel's own trace does not).
                for x in seg:
                    if x.get("from_lr"):
                        t.ok(sc, "running.arm64-leaf-lr", True)
                check_frames(t, sc, "running", seg, of, upc, who)
    panic = [x for x in j["tasks"] if h(x["task"]) == h(j.get("panic_task"))]
    if not t.ok(sc, "panic.task", len(panic) == 1, "no panic task in bt -A"):
        return
    block = blocks[-1] if blocks else None
    if not t.ok(sc, "panic.log", block is not None and block["entries"],
                "no Call Trace in the console log"):
        return
    t.ok(sc, "panic.who", block["who"] == (panic[0]["comm"], panic[0]["tid"]),
         lambda: "log's trace is of %s, bt's panic task %s %d" % (
             block["who"], panic[0]["comm"], panic[0]["tid"]))
    check_trace(t, sc, vd, dump, extra, panic[0], block, panic=True)
    # Every sleeping task whose trace the kernel printed (the hung-task detector's
    # sched_show_task: "task:vd-hung state:D ..."): its state and its whole trace.
    tids = {x["tid"]: x for x in j["tasks"]}
    for b in blocks:
        if b["state"] is None:
            continue
        task = tids.get(b["who"][1])
        if t.ok(sc, "log.task", task is not None and task["comm"] == b["who"][0],
                lambda: "no task %s in bt -A" % (b["who"],)):
            t.ok(sc, "log.state", task["state"] == b["state"],
                 lambda: "%s: bt %s, log %s" % (b["who"], task["state"], b["state"]))
            check_trace(t, sc, vd, dump, extra, task, b, panic=False)


def check_kind(t, sc, j, meta, extra):
    """What each crash kind of samples/crashmod must show, beyond the log's trace: the timer's
    panic crosses from the IRQ stack (the callback) to the task stack (the pt_regs frame of
    the writer waiting in the module); the hung task vd-hung is in D state with
    vmdive_crash_hung_fn [vmdive_crash] over kthread; the soft lockup's panic task is vd-spin,
    interrupted in vmdive_crash_spin_fn, the RCU stall's vd-rcu in vmdive_crash_rcu_fn.  The
    IRQ stack is "irq" with or without a vmlinux (arm64 6.1 has no irq_stack_ptr in kallsyms:
    vmdive finds it from BTF)."""
    kind = meta.get("CRASH_KIND", "sysrq")
    p = panic_of(j)
    if kind == "sysrq" or p is None:
        return
    fr = p["frames"]
    names = [f["symbol"] for f in fr]
    irq = ("irq",)
    if kind == "timer":
        cb = [f for f in fr if f["symbol"] == "vmdive_crash_timer_fn"]
        exc = [f for f in fr if f["kind"] == "exception"]
        t.ok(sc, "kind.timer-irq", cb and cb[0]["stack"] in irq and
             cb[0]["module"] == "vmdive_crash" and exc and exc[-1]["stack"] == "task" and
             exc[-1]["symbol"].startswith("vmdive_crash_timer_wait") and
             fr.index(cb[0]) < fr.index(exc[-1]),
             lambda: [(f["symbol"], f["stack"], f["kind"]) for f in fr])
    elif kind == "hung":
        hung = [x for x in j["tasks"] if x["comm"] == "vd-hung"]
        fn = [f["symbol"] for f in hung[0]["frames"]] if hung else []
        t.ok(sc, "kind.hung", len(hung) == 1 and hung[0]["state"] == "D" and
             "vmdive_crash_hung_fn" in fn and "kthread" in fn and
             fn.index("vmdive_crash_hung_fn") < fn.index("kthread") and
             [f["module"] for f in hung[0]["frames"]
              if f["symbol"] == "vmdive_crash_hung_fn"] == ["vmdive_crash"],
             lambda: hung and (hung[0]["state"], fn))
        t.ok(sc, "kind.hung-panic", p["comm"] == "khungtaskd", lambda: p["comm"])
    elif kind in ("softlockup", "rcu"):
        comm, fn = {"softlockup": ("vd-spin", "vmdive_crash_spin_fn"),
                    "rcu": ("vd-rcu", "vmdive_crash_rcu_fn")}[kind]
        exc = [f for f in fr if f["kind"] == "exception"]
        t.ok(sc, "kind." + kind, p["comm"] == comm and exc and
             exc[-1]["symbol"] == fn and exc[-1]["stack"] == "task" and
             any(f["stack"] in irq for f in fr[:fr.index(exc[-1])]),
             lambda: (p["comm"], [(f["symbol"], f["stack"], f["kind"]) for f in fr]))
    else:
        # null, bug, warn, oom, gpf: in the writer's context, through the module's functions.
        want = {"null": "vmdive_crash_deref", "bug": "vmdive_crash_bug",
                "warn": "vmdive_crash_warn", "oom": "vmdive_crash_oom",
                "gpf": "vmdive_crash_gpf"}.get(kind)
        t.ok(sc, "kind." + kind, p["comm"] == "sh" and want and
             any((n or "").startswith(want) for n in names) and
             "trigger_store" in [SUFFIX.sub("", n or "") for n in names],
             lambda: (p["comm"], names))


def check_trace(t, sc, vd, dump, extra, task, block, panic):
    """vmdive's frames of task against one of the kernel's own Call Traces: frame for frame,
    func+off (a name that differs must be at the same address), function or exception entry
    (x86_64: each "RIP: 0010:" of the log is a pt_regs frame of vmdive, with the same
    registers), the stack (<IRQ> ... </IRQ> frames are on the IRQ stack), the module, and a
    module function's kallsyms size against the log's "/0x.." (the distance to the next
    symbol: the size up to 15 bytes of padding); the user registers
    at the bottom.  The panic's trace is compared from the frame after panic() on (each took
    its own path into panic); an oops's (no panic() in it) from the faulting pc on."""
    cat = "panic" if panic else "log"
    fr = task["frames"]
    # arm64's caller of an interrupted leaf, taken from the pt_regs' lr ("from_lr"): the
    # kernel's frame-record trace does not have it (drgn's does: checked against drgn).
    funcs = [f for f in fr if f["kind"] in ("function", "exception") and not f.get("from_lr")]
    got = ["%s+0x%x" % (f["symbol"], f["offset"]) for f in funcs]
    ents = block["entries"]
    want = [e["fn"] for e in ents]
    lp = [i + 1 for i, s in enumerate(want) if s.startswith("panic+")]
    if panic and lp:
        vp = [i + 1 for i, s in enumerate(got) if s.startswith("panic+")]
        mine, theirs = (funcs[vp[0]:], ents[lp[0]:]) if vp else ([], ents)
    elif panic:
        k = [i for i, f in enumerate(funcs) if log_frame_ok(vd, dump, extra, f, want[0])]
        mine, theirs = (funcs[k[0]:], ents) if k else ([], ents)
    else:
        mine, theirs = funcs, ents
    what = lambda: "%s %d: vmdive %s log %s" % (  # noqa: E731
        task["comm"], task["tid"], got, want)
    if not t.ok(sc, cat + ".calltrace", len(mine) == len(theirs) and
                all(log_frame_ok(vd, dump, extra, f, e["fn"]) for f, e in zip(mine, theirs)),
                what):
        return
    x86 = any(e["kind"] == "exception" or e["stack"] != "task" for e in ents) or \
        bool(block["user"])
    # By the log's name: arm64 names a return address after a noreturn call at a function's
    # end by the next function (%pS), and gives that one's size.
    names = sorted({e["fn"].split("+")[0] for e in theirs if e["module"]})
    sj, _, _ = vd.json(["sym", "--json"] + extra + [dump] + names) if names else ([], 0, "")
    sizes = {x["query"]: (x.get("size"), x.get("module")) for x in sj or []}
    for f, e in zip(mine, theirs):
        if x86:
            t.ok(sc, cat + ".kind", f["kind"] == e["kind"],
                 lambda: "%s: vmdive %s, log %s" % (e["fn"], f["kind"], e["kind"]))
            if e["stack"] in ("irq", "task"):
                t.ok(sc, cat + ".stack", f["stack"] == e["stack"],
                     lambda: "%s: vmdive on the %s stack, log %s" % (e["fn"], f["stack"],
                                                                   e["stack"]))
        t.ok(sc, cat + ".module", f["module"] == e["module"],
             lambda: "%s: vmdive module %s, log %s" % (e["fn"], f["module"], e["module"]))
        if e["module"]:
            # The log's "/0x.." is the distance to the module's next symbol (the kernel
            # keeps no sizes there); kallsyms' st_size is the function's own, up to the
            # padding before the next one.
            sz, mod = sizes.get(e["fn"].split("+")[0], (None, None))
            t.ok(sc, cat + ".module-size", mod == e["module"] and sz is not None and
                 sz <= e["size"] < sz + 16,
                 lambda: "%s: sym %s, log size 0x%x" % (e["fn"], (sz, mod), e["size"]))
        if e["regs"]:
            r = f.get("regs") or {}
            mr = {k: h(r.get(k.lower().replace("r0", "r"))) for k in LOG_REGS}
            mr.update(RSP=h(r.get("rsp")), EFLAGS=h(r.get("rflags")))
            lr = {k: v for k, v in e["regs"].items() if k != "ORIG_RAX"}
            t.ok(sc, cat + ".exception-regs", {k: mr.get(k) for k in lr} == lr,
                 lambda: "%s: vmdive %s log %s" % (e["fn"], mr, lr))
    last = theirs[-1]["fn"] if theirs else ""
    user = [f for f in fr if f["kind"] == "user"]
    if not (block["user"] or last.startswith(("entry_SYSCALL_64", "el0t_64_sync"))):
        t.ok(sc, cat + ".no-user", not user, lambda: "a user frame: %s" % user)
        return
    if t.ok(sc, cat + ".user", len(user) == 1 and "regs" in user[0] and h(user[0]["pc"]),
            "no user frame") and "rip" in user[0]["regs"] and block["user"]:
        r = user[0]["regs"]
        want = {"RIP": r["rip"], "RSP": r["rsp"], "EFLAGS": r["rflags"],
                "ORIG_RAX": r["orig_rax"], "RAX": r["rax"], "RBX": r["rbx"], "RCX": r["rcx"],
                "RDX": r["rdx"], "RSI": r["rsi"], "RDI": r["rdi"], "RBP": r["rbp"],
                "R08": r["r8"], "R09": r["r9"], "R10": r["r10"], "R11": r["r11"],
                "R12": r["r12"], "R13": r["r13"], "R14": r["r14"], "R15": r["r15"]}
        want = {k: h(v) for k, v in want.items()}
        want = {k: v for k, v in want.items() if k in block["user"]}   # ORIG_RAX: syscalls
        t.ok(sc, cat + ".regs", want == block["user"],
             lambda: "vmdive %s log %s" % (want, block["user"]))


def check_crash(t, sc, j, crash):
    vt = {h(x["task"]): x for x in j["tasks"]}
    failed = extra = 0
    for addr, funcs, err in parse_crash(crash):
        task = vt.get(addr)
        if not t.ok(sc, "crash.task", task is not None, "crash task %x not in bt -A" % addr):
            continue
        if err or not funcs:
            failed += 1
            print("%s: crash failed on %d %s: %s (vmdive: %d frames)" % (
                sc, task["tid"], task["comm"], err, len(task["frames"])))
            continue
        mine = [f["symbol"] for f in task["frames"] if f["kind"] != "user"]
        if funcs[0] in mine:
            mine = mine[mine.index(funcs[0]):]
        it = iter(funcs)
        ok = all(any(m == c for c in it) for m in mine)
        t.ok(sc, "crash.frames", ok and mine and mine[0] == funcs[0],
             lambda: "%d %s: vmdive %s crash %s" % (task["tid"], task["comm"], mine, funcs))
        extra += len(funcs) - len(mine)
    print("%s: crash: %d traces failed, %d stale frames in crash's traces not in vmdive's"
          % (sc, failed, extra))


def check_corrupt(t, vd, variant, meta, j0):
    """Two stacks broken in a copy of vmcore.elf: kthreadd's return address into kthreadd()
    made garbage, and kauditd's return address pointing back at itself.  Those traces end
    with a reason after the good frames; every other task's trace is unchanged; ps --unwind
    marks exactly the two (plain ps unwinds nothing).  In the same copy kdevtmpfs looks
    exited (no stack, EXIT_ZOMBIE): bt says so; oom_reaper's saved frame returns to ret_from_fork: bt says it has not run."""
    import struct
    sc = variant + "/corrupt"
    src = meta["VMCORE_ELF"]
    by_comm = {x["comm"]: x for x in j0["tasks"]}
    victims = [by_comm.get("kthreadd"), by_comm.get("kauditd")]
    # And two tasks made to look exited (task->stack NULL, exit_state EXIT_ZOMBIE) and never
    # run (their saved frame returns to ret_from_fork).
    exited, fresh = by_comm.get("kdevtmpfs"), by_comm.get("oom_reaper")
    if not t.ok(sc, "setup", all(victims) and all(len(v["frames"]) >= 4 for v in victims) and
                exited and fresh, "no kthreadd/kauditd/kdevtmpfs/oom_reaper traces"):
        return
    off_stack = member_offset(vd, src, "task_struct", "stack")
    off_exit = member_offset(vd, src, "task_struct", "exit_state")
    off_tsp = (member_offset(vd, src, "task_struct", "thread") or 0) + \
        (member_offset(vd, src, "thread_struct", "sp") or 0)
    rff, _, _ = vd.json(["sym", "--json", src, "ret_from_fork"])
    tsp, _, _ = vd.json(["rd", "--json", src, "0x%x" % (h(fresh["task"]) + off_tsp), "8"])
    if not t.ok(sc, "setup", None not in (off_stack, off_exit) and rff and tsp,
                "no offsets of task_struct.stack/exit_state/thread.sp or ret_from_fork"):
        return
    frame = struct.unpack("<Q", bytes.fromhex(tsp["hex"]))[0]
    with tempfile.TemporaryDirectory(prefix="bt.") as tmp:
        copy = os.path.join(tmp, "corrupt.elf")
        subprocess.run(["cp", "--sparse=always", src, copy], check=True)
        os.chmod(copy, 0o600)
        # frame i's pc was read at frame i's sp - 8 (a CALL frame's return address).
        slot0 = h(victims[0]["frames"][2]["sp"]) - 8
        slot1 = h(victims[1]["frames"][2]["sp"]) - 8
        patches = [(slot0, 0xdeadbeef), (slot1, h(victims[1]["frames"][1]["pc"])),
                   (h(exited["task"]) + off_stack, 0),
                   (h(exited["task"]) + off_exit, 0x20),
                   (frame + 48, h(rff[0]["symbol_address"]))]   # inactive_task_frame.ret_addr
        with open(copy, "r+b") as f:
            for va, value in patches:
                vt, _, _ = vd.json(["vtop", "--json", src, "0x%x" % va])
                pa = h(vt[0].get("pa")) if vt else None
                off = pa is not None and elf_offset(copy, pa)
                if not t.ok(sc, "setup", off, "cannot place a patch at 0x%x" % va):
                    return
                f.seek(off)
                f.write(struct.pack("<Q", value))
        j, rc, err = vd.json(["bt", "-A", "--json", copy])
        if not t.ok(sc, "run", j is not None and rc == 0, lambda: "exit %d %s" % (rc, err)):
            return
        ps, rc, err = vd.json(["ps", "-t", "--unwind", "--json", copy])
        t.ok(sc, "ps.run", ps is not None and rc == 0, lambda: "exit %d %s" % (rc, err))
        # Plain ps reads no stack: the same tasks, no unwind_error key.
        plain, rc, err = vd.json(["ps", "-t", "--json", copy])
        t.ok(sc, "ps.plain", plain is not None and rc == 0 and ps is not None and
             [p["address"] for p in plain.get("tasks", [])] ==
             [p["address"] for p in ps.get("tasks", [])] and plain.get("tasks") and
             not any("unwind_error" in p for p in plain["tasks"]),
             lambda: "exit %d %s" % (rc, err))
    before = {x["task"]: x for x in j0["tasks"]}
    bad = {victims[0]["task"], victims[1]["task"]}
    for x in j["tasks"]:
        b = before.get(x["task"])
        if x["task"] == exited["task"]:
            t.ok(sc, "exited", x.get("note") == "no stack: the task has exited" and
                 not x["frames"] and x["error"] is None, lambda: "%s" % x)
            continue
        if x["task"] == fresh["task"]:
            t.ok(sc, "never-run", x.get("note") == "the task has not run yet" and
                 x["frames"] and x["frames"][0]["symbol"] == "ret_from_fork", lambda: "%s" % x)
            continue
        if x["task"] in bad:
            t.ok(sc, "broken.error", x["error"] is not None and len(x["frames"]) >= 2 and
                 x["frames"][:2] == b["frames"][:2],
                 lambda: "%s: error %s, %d frames" % (x["comm"], x["error"], len(x["frames"])))
        else:
            t.ok(sc, "others", b is not None and x["frames"] == b["frames"] and
                 x["error"] is None, lambda: "%s changed" % x["comm"])
    marked = {p["address"] for p in (ps or {}).get("tasks", []) if p.get("unwind_error")}
    t.ok(sc, "ps.marks", {h(a) for a in marked} - {h(fresh["task"])} == {h(a) for a in bad},
         lambda: "ps marks %s, broken %s" % (marked, bad))


X86_NAMES = ("r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9", "r8", "rax", "rcx",
             "rdx", "rsi", "rdi", "orig_rax", "rip", "cs", "rflags", "rsp", "ss")


def check_crash_notes(t, vd, variant, meta):
    """A kdump kernel's per-CPU crash_notes win over the dump's notes: in a copy of vmcore.elf,
    a CPU's crash_notes buffer (zero in a QEMU dump) gets an NT_PRSTATUS holding the pt_regs
    that CPU's trace meets (its interrupt of the idle loop; the first CPU whose trace meets
    one: which CPU took the sysrq differs from boot to boot).  bt -a must then start that CPU
    there, say "crash_notes", and give the same frames as the original trace from that
    pt_regs on; the other CPUs keep their QEMU notes."""
    import struct
    sc = variant + "/crash_notes"
    src = meta["VMCORE_ELF"]
    j0, _, _ = vd.json(["bt", "-a", "-r", "--json", src])
    cpu0, exc = [], []
    for x in sorted((j0 or {}).get("tasks", []), key=lambda x: x["cpu"] if x.get("running") else 1 << 30):
        if not x.get("running"):
            continue
        e = [i for i, f in enumerate(x["frames"]) if f["kind"] == "exception" and "regs" in f]
        if e:
            cpu0, exc = [x], e
            break
    if not t.ok(sc, "setup", exc, "no running CPU's trace meets a pt_regs"):
        return
    cpu = cpu0[0]["cpu"]
    regs = cpu0[0]["frames"][exc[0]]["regs"]

    def rd64(dump, va):
        j, _, _ = vd.json(["rd", "--json", dump, "0x%x" % va, "8"])
        return struct.unpack("<Q", bytes.fromhex(j["hex"]))[0] if j and j["complete"] else None
    sym, _, _ = vd.json(["sym", "--json", src, "crash_notes"])
    pco, _, _ = vd.json(["sym", "--json", src, "__per_cpu_offset"])
    base = rd64(src, h(sym[0]["symbol_address"])) if sym else None
    off0 = rd64(src, h(pco[0]["symbol_address"]) + 8 * cpu) if pco else None
    if not t.ok(sc, "setup", base and off0 is not None, "no crash_notes or __per_cpu_offset"):
        return
    va = base + off0
    desc = bytearray(336)
    struct.pack_into("<i", desc, 32, 0)                  # pr_pid: the idle task's
    for k, name in enumerate(X86_NAMES):
        struct.pack_into("<Q", desc, 112 + 8 * k, h(regs[name]))
    note = struct.pack("<III", 5, len(desc), 1) + b"CORE\0\0\0\0" + bytes(desc)
    with tempfile.TemporaryDirectory(prefix="bt.") as tmp:
        copy = os.path.join(tmp, "notes.elf")
        subprocess.run(["cp", "--sparse=always", src, copy], check=True)
        os.chmod(copy, 0o600)
        with open(copy, "r+b") as f:
            for o in range(0, len(note), 8):             # page by page (8-byte steps)
                vt, _, _ = vd.json(["vtop", "--json", src, "0x%x" % (va + o)])
                pa = h(vt[0].get("pa")) if vt else None
                off = pa is not None and elf_offset(copy, pa)
                if not t.ok(sc, "setup", off, "cannot place the note at 0x%x" % (va + o)):
                    return
                f.seek(off)
                f.write(note[o:o + 8])
        j, rc, err = vd.json(["bt", "-a", "--json", copy])
    if not t.ok(sc, "run", j is not None and rc == 0, lambda: "exit %d %s" % (rc, err)):
        return
    by_cpu = {x["cpu"]: x for x in j["tasks"] if x.get("running")}
    c0 = by_cpu.get(cpu)
    want = [(f["pc"], f["symbol"]) for f in cpu0[0]["frames"][exc[0]:]]
    got = [(f["pc"], f["symbol"]) for f in c0["frames"]] if c0 else []
    t.ok(sc, "cpu0", c0 and c0["start"] == "crash_notes" and got == want and not c0["error"],
         lambda: "start %s, frames %s, want %s" % (c0 and c0["start"], got, want))
    for x in j0["tasks"]:
        if not x.get("running") or x["cpu"] == cpu:
            continue
        c1 = by_cpu.get(x["cpu"])
        t.ok(sc, "cpu1", c1 and c1["start"] == "CPU note" and
             [f["pc"] for f in c1["frames"]] == [f["pc"] for f in x["frames"]],
             lambda: "CPU %d: %s" % (x["cpu"], c1 and c1["start"]))


def source_chain(f):
    """vmdive's source frames of a JSON frame, innermost first: [(function, file's basename,
    line)] for each inlined call, then (None, file, line) for the function's own line."""
    base = lambda p: os.path.basename(p) if p else None           # noqa: E731
    out = [(x["function"], base(x["file"]), x["line"]) for x in f.get("inline", [])]
    out.append((None, base(f.get("file")), f.get("line")))
    return out


def drgn_chain(of):
    """drgn's source frames of a physical frame, as source_chain() gives vmdive's."""
    out = [(x["name"], *(x["src"] or [None, None])) for x in of.get("inline", [])]
    out.append((None, *(of.get("fsrc") or [None, None])))
    return out


def check_irq_stacks(t, sc, j, o):
    """arm64: each running task's frames whose sp lies in its CPU's IRQ stack (drgn's
    per_cpu(irq_stack_ptr, cpu), THREAD_SIZE long) are labelled "irq", and no frame is labelled
    "irq" or "irq?" outside it: with or without a vmlinux (without one vmdive reads
    irq_stack_ptr's place from BTF, kallsyms having no data symbols on Debian's arm64 6.1)."""
    stacks = o.get("irq_stacks") or {}
    for task in j["tasks"]:
        if not task.get("running") or str(task["cpu"]) not in stacks:
            continue
        lo = stacks[str(task["cpu"])]
        for f in task["frames"]:
            if f["kind"] == "user":
                continue
            inside = lo <= h(f["sp"]) < lo + 16384
            t.ok(sc, "irq-stack", (f["stack"] == "irq") == inside and f["stack"] != "irq?",
                 lambda: "%d %s %s: sp %s on %s, IRQ stack at 0x%x" % (
                     task["tid"], task["comm"], f["symbol"], f["sp"], f["stack"], lo))


def check_lines(t, sc, j, o):
    """bt -l: each task's frames' source frames equal drgn's at that pc, innermost
    first: every inline frame drgn lists (its function, file's basename and line: the line
    table's row for the innermost, the call site of the inline call below it for the others)
    and the function's own file:line (the call site of its outermost inline call).  Module
    frames too: their lines come from the module's --module-debug file."""
    ot = {x["task"]: x for x in o["tasks"]}
    for task in j["tasks"]:
        oo = ot.get(h(task["task"]))
        pairs = []
        if task.get("running"):
            # A running task: from each pt_regs, against drgn's unwind from that pt_regs
            # (the oracle's --regs), frame by frame while the pcs agree.
            fr = task["frames"]
            for i, f in enumerate(fr):
                r = o["regs"].get("%x" % h(f.get("pt_regs"))) if f["kind"] == "exception" \
                    else None
                if r and "frames" in r:
                    # Up to the next pt_regs, which is checked from its own unwind: drgn's
                    # unwind carried on through an exception entry takes the interrupted
                    # frame for a call (its line from pc - 1: a fresh arm64-crash-null-2
                    # boot, the timer interrupting panic's delay, gave :84 for :83).
                    nxt = [k for k in range(i + 1, len(fr)) if fr[k]["kind"] == "exception"]
                    seg = [x for x in fr[i:nxt[0] if nxt else len(fr)] if x["kind"] != "user"]
                    pairs += list(zip(seg, r["frames"]))
        elif oo and "frames" in oo:
            kern = [f for f in task["frames"] if f["kind"] != "user"]
            pairs = list(zip(kern, oo["frames"]))
        for f, of in pairs:
            if of.get("src") is None or h(f["pc"]) != of["pc"]:
                continue
            got, want = source_chain(f), drgn_chain(of)
            cat = "lines.module" if f["module"] else "lines"
            t.ok(sc, cat, got[-1] == want[-1] and got[0][1:] == (want[0][1], want[0][2]),
                 lambda: "%d %s %s: vmdive %s drgn %s" % (task["tid"], task["comm"],
                                                          f["symbol"], got, want))
            if len(want) > 1 or len(got) > 1:
                t.ok(sc, cat + ".inline", got == want,
                     lambda: "%d %s %s: vmdive %s drgn %s" % (task["tid"], task["comm"],
                                                              f["symbol"], got, want))


def check_variant(t, vd, variant, dumpdir, meta):
    elf = meta["VMCORE_ELF"]
    vml = ["--vmlinux", meta["VMLINUX"]]
    if meta.get("CRASH_MODULE"):
        # The test module's debug file (bt -l of its frames, as drgn has it).
        vml += ["--module-debug", os.path.dirname(meta["CRASH_MODULE"])]
    j0, rc, err = vd.json(["bt", "-A", "--json"] + (vml if variant in VMLINUX_ONLY else []) +
                          [elf])
    if not t.ok(variant, "run", j0 is not None and rc == 0, lambda: "exit %d %s" % (rc, err)):
        return None
    o = None
    if variant not in NO_DRGN:
        o = drgn_oracle(t, variant, dumpdir, meta, regs_of_running(j0))
        if not o:
            return None
    blocks = log_traces(meta["CONSOLE_LOG"])
    if variant == "kaslr":
        check_corrupt(t, vd, variant, meta, j0)
        check_crash_notes(t, vd, variant, meta)
    for dump in (elf, meta.get("VMCORE_KDUMP_ZLIB")):
        if not dump and meta.get("DUMPS", "full") != "full":
            # samples/make-dumps.sh VARIANTS: an ELF-only variant (its kernel's kdump-zlib is
            # read on the full variant named).
            print("SKIP %s/kdump-zlib: not made, by design (meta.env DUMPS=%s)"
                  % (variant, meta["DUMPS"]), flush=True)
            continue
        if not dump or not os.path.exists(dump):
            continue
        for extra in ([], vml):
            sc = "%s/%s/%s" % (variant, os.path.basename(dump).split(".")[1],
                               "vmlinux" if extra else "no-vmlinux")
            if variant in VMLINUX_ONLY and not extra:
                rc, out, err = vd.run(["bt", "-A", dump])
                t.ok(sc, "no-symbols", rc == 1 and not out and err.count("\n") == 1 and
                     "no ORC tables" in err, lambda: "exit %d: %s" % (rc, vc.short(err)))
                continue
            j, rc, err = vd.json(["bt", "-A", "-r", "--json"] + extra + [dump])
            if not t.ok(sc, "run", j is not None and rc == 0, lambda: "exit %d %s" % (rc, err)):
                continue
            if o is None:
                check_clean(t, sc, j)
                if dump == elf and not extra:
                    check_sid_crash(t, variant, sc, j, meta)
                o_empty = {"tasks": [], "regs": {}}
                check_dump(t, sc, vd, dump, extra, j, o_empty, blocks, tasks=False)
                check_kind(t, sc, j, meta, extra)
                continue
            check_dump(t, sc, vd, dump, extra, j, o, blocks)
            check_kind(t, sc, j, meta, extra)
            check_irq_stacks(t, sc, j, o)
            if extra and dump == elf:
                jl, rc, err = vd.json(["bt", "-A", "-l", "--json"] + extra + [dump])
                if t.ok(sc, "lines.run", jl is not None and rc == 0,
                        lambda: "exit %d %s" % (rc, err)):
                    check_lines(t, sc, jl, o)
            if variant in CRASH_VARIANTS and dump == elf and not extra:
                crash = crash_oracle(t, variant, dumpdir, meta)
                if crash:
                    check_crash(t, sc, j, crash)
            elif dump == elf and not extra:
                check_sid_crash(t, variant, sc, j, meta)
    return j0


def check_sid_crash(t, variant, sc, j, meta):
    """x86_64 6.12: sid's crash 9.0.2's `bt -a`, from the session test_types and kmem_check
    share (sid_crash.py: no `foreach bt`).  Not 7.2: crash 9.0.2 reads its renumbered ORC
    registers no better than drgn 0.0.22 (NO_DRGN): its traces there are stack scans (the
    panic task's lacks write_sysrq_trigger, which the kernel's own Call Trace has)."""
    if not sid_crash.crash_for(meta) or meta.get("SUITE") == "sid":
        return
    crash = sid_crash.transcript(meta)
    if t.ok(variant, "oracle", crash is not None, "sid's crash failed"):
        check_crash(t, sc, j, crash)


def panic_of(j):
    p = [x for x in j["tasks"] if h(x["task"]) == h(j.get("panic_task"))]
    return p[0] if p else None


def check_same_bug(t, a, b):
    """crash-null and crash-null-2: the same bug on two boots (other KASLR offsets), the
    writer pinned to CPU 0 and CPU 1: the panic tasks' frames name the same functions and
    offsets, on different CPUs, at different addresses when KASLR moved the kernel."""
    (va, ja, ma), (vb, jb, mb) = a, b
    sc = "%s+%s" % (va, vb)
    pa, pb = panic_of(ja), panic_of(jb)
    if not t.ok(sc, "panic", pa and pb, "no panic task"):
        return
    # From panic() on: above it, where the dump caught panic's wait loop (delay_tsc+0x33 or
    # +0x46) is the moment's, not the bug's.
    def below_panic(p):
        fr = [(f["symbol"], f["offset"], f["module"], f["kind"]) for f in p["frames"]
              if f["kind"] != "user"]
        k = [i for i, f in enumerate(fr) if f[0] == "panic"]
        return fr[k[0]:] if k else fr
    fa, fb = below_panic(pa), below_panic(pb)
    t.ok(sc, "same-frames", fa == fb, lambda: "%s: %s\n%s: %s" % (va, fa, vb, fb))
    t.ok(sc, "other-cpu", pa["cpu"] != pb["cpu"], lambda: "both on CPU %s" % pa["cpu"])
    if ma.get("KERNELOFFSET") != mb.get("KERNELOFFSET"):
        t.ok(sc, "other-addresses", [f["pc"] for f in pa["frames"]] !=
             [f["pc"] for f in pb["frames"]], "the same pcs despite other KASLR offsets")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    t, vd = vc.Tally(), Vd(sys.argv[1])
    done = {}
    for variant, dumpdir, meta in variants(t):
        t0 = time.time()
        j0 = check_variant(t, vd, variant, dumpdir, meta)
        if j0:
            done[variant] = (variant, j0, meta)
        t.summary(variant, t0)
    for a, b in SAME_BUG:
        if a in done and b in done:
            t0 = time.time()
            check_same_bug(t, done[a], done[b])
            t.summary("%s+%s" % (a, b), t0)
    t.ok("all", "sanitizer", not vd.sanitizer, lambda: "; ".join(vd.sanitizer[:3]))
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
