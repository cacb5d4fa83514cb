#!/usr/bin/python3
"""drgn's backtraces for bt_more_check.py, with a drgn that opens the dump itself (sid's drgn
0.3.0 reads Debian 7.2's arm64 dumps and starts running tasks from the right CPU note).

    PYTHON tests/real/bt_more_oracle.py --vmcore F --vmlinux V --json OUT

One drgn session; for every task (each CPU's idle task, then for_each_task) drgn's own unwind
with the vmlinux's DWARF, prog.stack_trace(task): per frame that is not an inline one the pc,
the function (the DWARF name; for assembly the ELF symbol at pc, pc - 1 for a return
address) and whether the pc is exact (the first frame, or an interrupted context), and the
inline frames at that pc (innermost first: name and source), the frame's own source
(its Frame.source(): the call site of its outermost inline call); and the user pc where the trace
reaches user mode (drgn's arm64 unwind stops at el0t_64_sync: then task_pt_regs(task)'s pc
when it is a user-mode one).
"""
import argparse
import json
import os

import drgn
from drgn.helpers.linux.cpumask import for_each_possible_cpu
from drgn.helpers.linux.pid import for_each_task
from drgn.helpers.linux.sched import idle_task

KERNEL = 1 << 63
MAX_FRAMES = 96


def source_of(f):
    """(file's basename, line) of a frame, or None."""
    try:
        path, line, _ = f.source()
        return [os.path.basename(path), line]
    except (LookupError, ValueError):
        return None


def frames_of(prog, trace):
    out, user, inline = [], None, []
    for i, f in enumerate(trace):
        if i >= MAX_FRAMES:
            break
        if f.is_inline:
            inline.append({"name": f.name, "src": source_of(f)})
            continue
        if f.pc < KERNEL:
            user = f.pc or None
            break
        exact = i == 0 or bool(f.interrupted)
        name = f.name
        if name is None:
            try:
                name = prog.symbol(f.pc if exact else f.pc - 1).name
            except LookupError:
                name = None
        out.append({"name": name, "pc": f.pc, "exact": exact, "inline": inline,
                    "fsrc": source_of(f)})
        inline = []
    return out, user


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vmcore", required=True)
    ap.add_argument("--vmlinux", required=True)
    ap.add_argument("--json", required=True)
    a = ap.parse_args()
    prog = drgn.Program()
    prog.set_core_dump(a.vmcore)
    prog.load_debug_info([a.vmlinux])
    pt_size = prog.type("struct pt_regs").size
    try:
        thread_size = prog.type("union thread_union").size
    except LookupError:
        thread_size = 16384
    arm64 = prog.platform.arch == drgn.Architecture.AARCH64
    tasks, seen = [], set()
    for t in [idle_task(prog, c) for c in for_each_possible_cpu(prog)] + list(for_each_task(prog)):
        addr = t.value_()
        if addr in seen:
            continue
        seen.add(addr)
        rec = {"task": addr, "pid": t.pid.value_(), "comm": t.comm.string_().decode()}
        try:
            rec["frames"], rec["user_pc"] = frames_of(prog, prog.stack_trace(t))
        except Exception as e:                       # noqa: BLE001 (drgn's errors vary)
            rec["error"] = str(e)
        if arm64 and "error" not in rec and rec["user_pc"] is None:
            try:
                pt = drgn.Object(prog, "struct pt_regs",
                                 address=t.stack.value_() + thread_size - pt_size)
                if pt.pc.value_() and not pt.pstate.value_() & 0xf:
                    rec["user_pc"] = pt.pc.value_()
            except Exception:                        # noqa: BLE001
                pass
        tasks.append(rec)
    with open(a.json, "w") as f:
        json.dump({"tasks": tasks}, f)


if __name__ == "__main__":
    main()
