#!/usr/bin/python3
"""drgn side of bench/run.sh: open a vmcore and translate (or read) a list of addresses.

    /usr/bin/python3 bench/drgn_bench.py --vmcore F --vmlinux V [--addrs FILE]
                                         [--mode open|translate|read64]

open       open the dump and load vmlinux's debug info, nothing else (drgn's start-up)
translate  open, then translate every address of FILE (one hex VA per line)
read64     open, then read 64 bytes at every address

ELF vmcores from QEMU are opened with tests/oracle/drgn_oracle.py's trick (the root page table
mapped by hand, physical reads through Python callbacks, see its header); "translate" is the
oracle's vtop: a 1-byte read whose physical reads are logged.  Other files (makedumpfile's
kdump) are opened by drgn's libkdumpfile; drgn 0.0.22 has no vtop API, so "translate" there is
a 1-byte read (page walk + 1 byte).  Prints "N ok, M faulted" on stderr.
"""
import argparse
import os
import sys

import drgn
from drgn import FaultError

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "oracle"))
import drgn_oracle                                   # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vmcore", required=True)
    ap.add_argument("--vmlinux", required=True)
    ap.add_argument("--addrs")
    ap.add_argument("--mode", choices=("open", "translate", "read64"), default="translate")
    a = ap.parse_args()

    with open(a.vmcore, "rb") as f:
        elf = f.read(4) == b"\x7fELF"
    if elf:
        o = drgn_oracle.Oracle(a.vmcore, a.vmlinux)
        prog = o.prog
        translate = o.translate
    else:
        prog = drgn.Program()
        prog.set_core_dump(a.vmcore)
        prog.load_debug_info([a.vmlinux], default=False, main=True)

        def translate(va):
            prog.read(va, 1)
            return va, None
    if a.mode == "open":
        return 0
    with open(a.addrs) as f:
        vas = [int(line, 16) for line in f if line.strip()]
    ok = bad = 0
    for va in vas:
        try:
            if a.mode == "translate":
                pa, err = translate(va)
                if err:
                    raise FaultError(err, va)
            else:
                prog.read(va, 64)
            ok += 1
        except FaultError:
            bad += 1
    print("%d ok, %d faulted" % (ok, bad), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
