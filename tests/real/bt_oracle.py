#!/usr/bin/python3
"""drgn's backtraces for the bt test (test_bt.sh), about one ELF vmcore, in one drgn session.

    /usr/bin/python3 tests/real/bt_oracle.py --vmcore F --vmlinux V --json OUT [--regs A,B,...]
            [--arch x86_64|aarch64] [--module KO]...

Opens the dump the way tests/oracle/drgn_oracle.py does (its Oracle class; arm64:
drgn_oracle_arm64.py's Arm64Oracle), then for every
task (drgn's for_each_task plus each CPU's idle task) writes drgn's own unwind with the
vmlinux's DWARF, prog.stack_trace(task): per frame the function (the DWARF name; for assembly
without one, the ELF symbol containing the pc, pc - 1 for a return address) and the pc,
its inline frames (name and source, innermost first) and its own source (the call site of
its outermost inline frame) kept with it.  --regs: for each address, drgn's unwind from the struct
pt_regs there (prog.stack_trace(Object(prog, "struct pt_regs *", value=A))): how the tests
check the part of a running task's trace below an interrupt or exception entry (drgn 0.0.22
starts a running task from the wrong CPU note of a QEMU dump: QEMU's pids are vCPU + 1).

drgn 0.0.22 takes a task's registers from the NT_PRSTATUS note whose pr_pid is the task's pid,
running or not; QEMU writes vCPU + 1 there, so pids 1 and 2 would get CPU 0's and 1's live
registers.  drgn is therefore given (set_core_dump) a copy of the dump's notes only, their
pr_pid moved out of the way (1000000 + i); memory still comes from the Oracle's readers of
the original file.  Running tasks are checked through --regs instead.

The Oracle's reads of low virtual addresses go through the kernel page tables in Python; an
unmapped one raises inside drgn's unwinder, which then fails the whole trace.  Here such
user-half reads return zeros: drgn's unwind past the user-mode frame is garbage (frames of pc
0), and the trace is cut at the first user pc, which is kept as the user frame's pc.
"""
import argparse
import json
import mmap
import os
import struct
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "oracle"))
import drgn                                          # noqa: E402
import drgn_oracle as base                           # noqa: E402
from drgn.helpers.linux.pid import for_each_task     # noqa: E402
from drgn.helpers.linux.sched import idle_task       # noqa: E402
from drgn.helpers.linux.cpumask import for_each_possible_cpu  # noqa: E402

KERNEL = 1 << 63
MAX_FRAMES = 64


def user_reads_zero(orig):
    def read(self, addr, count, offset, physical):
        if addr < KERNEL:
            return bytes(count)
        return orig(self, addr, count, offset, physical)
    return read


base.Oracle._walk_reader = user_reads_zero(base.Oracle._walk_reader)


def notes_only(vmcore, out):
    """An ELF core holding only vmcore's PT_NOTE, NT_PRSTATUS pr_pid (offset 32) rewritten."""
    with open(vmcore, "rb") as f:
        mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        phoff, = struct.unpack_from("<Q", mm, 32)
        phentsize, phnum = struct.unpack_from("<HH", mm, 54)
        notes = None
        for i in range(phnum):
            typ, _, off, _, _, filesz, _, _ = struct.unpack_from("<IIQQQQQQ", mm,
                                                                 phoff + i * phentsize)
            if typ == 4:
                notes = bytearray(mm[off:off + filesz])
        ehdr = bytearray(mm[:64])
    o, k = 0, 0
    while notes and o + 12 <= len(notes):
        nsz, dsz, typ = struct.unpack_from("<III", notes, o)
        d = o + 12 + ((nsz + 3) & ~3)
        if typ == 1 and notes[o + 12:o + 16] == b"CORE" and dsz >= 36:
            struct.pack_into("<i", notes, d + 32, 1000000 + k)
            k += 1
        o = d + ((dsz + 3) & ~3)
    struct.pack_into("<QQ", ehdr, 32, 64, 0)           # e_phoff, e_shoff
    struct.pack_into("<HHHHHH", ehdr, 52, 64, 56, 1, 64, 0, 0)
    with open(out, "wb") as f:
        f.write(ehdr)
        f.write(struct.pack("<IIQQQQQQ", 4, 0, 120, 0, 0, len(notes), 0, 4))
        f.write(notes)


class NotesProgram:
    """drgn.Program (not subclassable) for the Oracle's set-up: set_core_dump on the notes."""
    notes_file = None

    def __init__(self):
        self.real = drgn.Program()

    def set_core_dump(self, path):
        self.real.set_core_dump(self.notes_file or path)

    def __getattr__(self, name):
        return getattr(self.real, name)


def source_of(f):
    """(file's basename, line) of a frame, or None."""
    try:
        path, line, _ = f.source()
        return [os.path.basename(path), line]
    except (LookupError, ValueError):
        return None


def frames_of(prog, trace, partial=None):
    """(frames, user pc).  With partial (a dict), a frame whose pc drgn cannot tell ends the
    list there (partial["error"] says why) instead of failing the whole trace: drgn 0.0.22
    unwinds from a pt_regs on the x86_64 IRQ stack up to the stack's top, but not back to the
    task stack."""
    out, user, inner, inline = [], None, None, []
    for i, f in enumerate(trace):
        if i >= MAX_FRAMES:
            break
        if partial is not None:
            try:
                f.pc
            except LookupError as e:
                partial["error"] = str(e)
                break
        if inner is None:
            # The innermost frame at this pc (an inline one, or the function):
            # what the line table says for the pc.
            inner = source_of(f)
        if f.is_inline:
            inline.append({"name": f.name, "src": source_of(f)})
            continue
        if f.pc < KERNEL:
            # A kernel thread's empty pt_regs at the stack's top reads as pc 0: no user frame.
            user = f.pc or None
            break
        name = f.name
        if name is None:
            try:
                name = prog.symbol(f.pc if (i == 0 or f.interrupted) else f.pc - 1).name
            except LookupError:
                name = None
        out.append({"name": name, "pc": f.pc, "interrupted": bool(f.interrupted),
                    "src": inner, "inline": inline, "fsrc": source_of(f)})
        inner, inline = None, []
    return out, user


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vmcore", required=True)
    ap.add_argument("--vmlinux", required=True)
    ap.add_argument("--json", required=True)
    ap.add_argument("--regs", default="")
    ap.add_argument("--arch", default="x86_64")
    ap.add_argument("--module", action="append", default=[],
                    help="a loaded module's .ko with its DWARF (drgn unwinds its frames)")
    a = ap.parse_args()
    tmp = tempfile.NamedTemporaryFile(suffix=".notes")
    notes_only(a.vmcore, tmp.name)
    NotesProgram.notes_file = tmp.name
    shim = type(sys)("drgn_shim")
    shim.Program = NotesProgram
    if a.arch == "aarch64":
        import drgn_oracle_arm64 as arm
        arm.drgn = shim
        o = arm.Arm64Oracle(a.vmcore, a.vmlinux)
    else:
        base.drgn = shim
        o = base.Oracle(a.vmcore, a.vmlinux)
    prog = o.prog = o.prog.real
    if a.module:
        # drgn places a module's debug file by the loaded module of the same name.
        try:
            prog.load_debug_info(a.module)
        except drgn.MissingDebugInfoError as e:
            sys.exit("bt_oracle: %s" % e)
    tasks, seen = [], set()
    pt_size = prog.type("struct pt_regs").size
    try:
        thread_size = prog.type("union thread_union").size
    except LookupError:
        thread_size = 16384
    todo = [idle_task(prog, c) for c in for_each_possible_cpu(prog)] + list(for_each_task(prog))
    for t in todo:
        addr = t.value_()
        if addr in seen:
            continue
        seen.add(addr)
        rec = {"task": addr, "pid": t.pid.value_(), "comm": t.comm.string_().decode()}
        try:
            rec["frames"], rec["user_pc"] = frames_of(prog, prog.stack_trace(t))
        except Exception as e:                       # noqa: BLE001 (drgn's errors vary)
            rec["error"] = str(e)
        if a.arch == "aarch64":
            # On arm64 the user pc is task_pt_regs(task)'s (the pt_regs at the top of the
            # task's stack) when it is a user-mode one, read here from memory: drgn's unwind
            # either stops at el0t_64_sync or, past it, follows a stale frame record into
            # garbage (arm64-crash-null-2's writer on CPU 1: "user pc" 0x120 while its
            # pt_regs hold 0x44a7cc, the pc of arm64-crash-null's same write on CPU 0).
            rec["user_pc"] = None
            try:
                top = t.stack.value_() + thread_size
                pt = drgn.Object(prog, "struct pt_regs", address=top - pt_size)
                if pt.pc.value_() and not pt.pstate.value_() & 0xf:
                    rec["user_pc"] = pt.pc.value_()
            except Exception:                        # noqa: BLE001
                pass
        tasks.append(rec)
    regs = {}
    for s in filter(None, a.regs.split(",")):
        addr = int(s, 16)
        try:
            partial = {}
            fr, user = frames_of(prog, prog.stack_trace(
                drgn.Object(prog, "struct pt_regs *", value=addr)), partial)
            regs[s] = {"frames": fr, "user_pc": user}
            if partial:
                regs[s]["partial"] = partial["error"]
        except Exception as e:                       # noqa: BLE001
            regs[s] = {"error": str(e)}
    irq_stacks = {}
    if a.arch == "aarch64":
        # Each CPU's IRQ stack, per_cpu(irq_stack_ptr, cpu), from the vmlinux's symbol.
        from drgn.helpers.linux.percpu import per_cpu
        for c in for_each_possible_cpu(prog):
            try:
                irq_stacks[str(c)] = per_cpu(prog["irq_stack_ptr"], c).value_()
            except (LookupError, drgn.FaultError):
                pass
    with open(a.json, "w") as f:
        json.dump({"tasks": tasks, "regs": regs, "irq_stacks": irq_stacks}, f)


if __name__ == "__main__":
    main()
