#!/usr/bin/python3
"""drgn side of bench/bt.sh: open a QEMU vmcore with its vmlinux, then format every task's
backtrace (str(prog.stack_trace(task))), idle tasks included.

    PYTHON bench/drgn_bt.py --vmcore F --vmlinux V [--arch x86_64|aarch64]

The dump is opened the way tests/real/bt_oracle.py does (drgn 0.0.22 cannot open QEMU's ELF
by itself: tests/oracle/drgn_oracle.py's readers, a notes-only core for the registers); the
time measured by the caller includes that open and the vmlinux's DWARF indexing.  Prints the
task count and the failed traces on stderr.
"""
import argparse
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "real"))
import bt_oracle as bo                               # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vmcore", required=True)
    ap.add_argument("--vmlinux", required=True)
    ap.add_argument("--arch", default="x86_64")
    a = ap.parse_args()
    tmp = tempfile.NamedTemporaryFile(suffix=".notes")
    bo.notes_only(a.vmcore, tmp.name)
    bo.NotesProgram.notes_file = tmp.name
    shim = type(sys)("drgn_shim")
    shim.Program = bo.NotesProgram
    if a.arch == "aarch64":
        import drgn_oracle_arm64 as arm
        arm.drgn = shim
        o = arm.Arm64Oracle(a.vmcore, a.vmlinux)
    else:
        bo.base.drgn = shim
        o = bo.base.Oracle(a.vmcore, a.vmlinux)
    prog = o.prog = o.prog.real
    seen, n, failed, chars = set(), 0, 0, 0
    todo = [bo.idle_task(prog, c) for c in bo.for_each_possible_cpu(prog)]
    for t in todo + list(bo.for_each_task(prog)):
        if t.value_() in seen:
            continue
        seen.add(t.value_())
        n += 1
        try:
            chars += len(str(prog.stack_trace(t)))
        except Exception:                            # noqa: BLE001 (drgn's errors vary)
            failed += 1
    print("tasks %d failed %d chars %d" % (n, failed, chars), file=sys.stderr)


if __name__ == "__main__":
    main()
