#!/usr/bin/python3
"""drgn side of bench/dwarf_index.sh: open an x86_64 QEMU vmcore with a vmlinux (drgn indexes
the vmlinux's DWARF at every start, in parallel) and answer one question.

    /usr/bin/python3 bench/drgn_dwarf.py --vmcore F --vmlinux V --mode MODE

open     open the dump and load the vmlinux's debug info (drgn's start-up, its indexing)
struct   + prog.type("struct task_struct") and every member's type
whatis   + prog["init_task"].type_
enum     + prog["PIDTYPE_PID"] (an enumerator: its enum type and value)
print    + prog["jiffies"].value_()
sym      + prog.symbol("schedule")
unknown  + prog.type("struct list"), which no unit defines (LookupError)
The dump is opened with tests/oracle/drgn_oracle.py's Oracle (drgn 0.0.22 cannot open QEMU's
ELF by itself).  ps, mod, vmalloc are bench/drgn_walkers.py's; bt -A is
tests/real/bt_oracle.py's (every task's stack trace).
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "oracle"))
import drgn_oracle as base                           # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vmcore", required=True)
    ap.add_argument("--vmlinux", required=True)
    ap.add_argument("--mode", choices=("open", "struct", "whatis", "enum", "print", "sym",
                                           "unknown"),
                    default="open")
    a = ap.parse_args()
    prog = base.Oracle(a.vmcore, a.vmlinux).prog
    if a.mode == "struct":
        t = prog.type("struct task_struct")
        print(len([m.type for m in t.members]), file=sys.stderr)
    elif a.mode == "whatis":
        print(prog["init_task"].type_, file=sys.stderr)
    elif a.mode == "enum":
        o = prog["PIDTYPE_PID"]
        print(o.type_.type_name(), o.value_(), file=sys.stderr)
    elif a.mode == "print":
        print(prog["jiffies"].value_(), file=sys.stderr)
    elif a.mode == "sym":
        print(prog.symbol("schedule"), file=sys.stderr)
    elif a.mode == "unknown":
        try:
            prog.type("struct list")
        except LookupError as e:
            print(e, file=sys.stderr)


if __name__ == "__main__":
    main()
