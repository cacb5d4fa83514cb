#!/usr/bin/python3
"""drgn oracle for swapped-out user pages: each page's PTE, from a page-table walk of the
task's own mm done here (drgn_oracle.py opens the dump and translates mm->pgd; the walk is this script's, x86_64 4- and
5-level paging), and the swap areas in use (swap_info[], nr_swapfiles).

    uswap_oracle.py --vmcore ELF --vmlinux VMLINUX --pid PID --start VA --npages N --json OUT

JSON: {"ptes": {"0x<va>": {"pte": "0x...", "level": "PTE"|"PMD"|..., "present": bool}},
       "swap_areas": [{"type": T, "flags": F, "max": M}], "page_size": 4096}
A walk that stops above the PTE level (an empty upper entry) gives that level's entry.
"""
import argparse
import json
import os
import sys

import drgn
from drgn.helpers.linux.pid import find_task

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import drgn_oracle                                   # noqa: E402  (the QEMU-dump bootstrap)

ap = argparse.ArgumentParser()
ap.add_argument("--vmcore", required=True)
ap.add_argument("--vmlinux", required=True)
ap.add_argument("--pid", type=int, required=True)
ap.add_argument("--start", type=lambda s: int(s, 0), required=True)
ap.add_argument("--npages", type=int, required=True)
ap.add_argument("--json", required=True)
a = ap.parse_args()

o = drgn_oracle.Oracle(a.vmcore, a.vmlinux)
prog = o.prog
if prog.platform.arch != drgn.Architecture.X86_64:
    raise SystemExit("uswap_oracle.py: x86_64 dumps only")
PSZ = 4096
PFN_MASK = 0x000ffffffffff000
try:
    levels = 5 if int(prog["__pgtable_l5_enabled"]) else 4
except (KeyError, LookupError):
    levels = 4
task = find_task(prog, a.pid)
if not task:
    raise SystemExit("uswap_oracle.py: no task %d" % a.pid)
root, why = o.translate(task.mm.pgd.value_())
if root is None:
    raise SystemExit("uswap_oracle.py: mm->pgd: %s" % why)
names = ["PGD", "P4D", "PUD", "PMD", "PTE"][5 - levels:]
ptes = {}
for i in range(a.npages):
    va = a.start + i * PSZ
    table, out = root, None
    for n, name in enumerate(names):
        shift = 12 + 9 * (len(names) - 1 - n)
        e = prog.read_u64(table + 8 * ((va >> shift) & 511), True)
        last = name == "PTE" or (name in ("PUD", "PMD") and e & 0x81 == 0x81)   # PSE
        if not e & 1 or last:
            out = {"pte": hex(e), "level": name, "present": bool(e & 1)}
            break
        table = e & PFN_MASK
    ptes[hex(va)] = out
areas = []
for t in range(int(prog["nr_swapfiles"])):
    si = prog["swap_info"][t]
    if si:
        areas.append({"type": t, "flags": int(si.flags), "max": int(si.max)})
with open(a.json, "w") as f:
    json.dump({"ptes": ptes, "swap_areas": areas, "page_size": PSZ}, f)
