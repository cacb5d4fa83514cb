#!/usr/bin/python3
"""drgn oracle for swapped-out user pages: each page's PTE, from a page-table walk of the
task's own mm done here (drgn_oracle.py, or drgn_oracle_arm64.py, opens the dump and translates
mm->pgd; the walk is this script's: x86_64 4- and 5-level paging, arm64 4K pages with 48-bit
VAs), and the swap areas in use (swap_info[], nr_swapfiles, each one's file path by drgn's
d_path).  On arm64 each not-present PTE's swap type and offset too, decoded here with the
layout of Debian's arm64 6.1 kernel (arch/arm64/include/asm/pgtable.h of 6.1: bits 0-1 zero,
bit 2 the exclusive mark, type in bits 3-7, offset in bits 8-57), since no crash reads arm64
dumps on this host.

    uswap_oracle.py --vmcore ELF --vmlinux VMLINUX --pid PID --start VA --npages N --json OUT

JSON: {"ptes": {"0x<va>": {"pte": "0x...", "level": "PTE"|"PMD"|..., "present": bool
                            [, "swap_type": T, "swap_offset": O (arm64)]}},
       "swap_areas": [{"type": T, "flags": F, "max": M, "path": P}], "page_size": 4096}
A walk that stops above the PTE level (an empty upper entry) gives that level's entry.
"""
import argparse
import json
import os
import sys

import drgn
from drgn.helpers.linux.fs import d_path
from drgn.helpers.linux.pid import find_task

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import drgn_oracle                                   # noqa: E402  (the QEMU-dump bootstrap)
import drgn_oracle_arm64                             # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--vmcore", required=True)
ap.add_argument("--vmlinux", required=True)
ap.add_argument("--pid", type=int, required=True)
ap.add_argument("--start", type=lambda s: int(s, 0), required=True)
ap.add_argument("--npages", type=int, required=True)
ap.add_argument("--json", required=True)
a = ap.parse_args()

with open(a.vmcore, "rb") as f:
    ARM64 = f.read(20)[18] == 183                    # e_machine EM_AARCH64
o = (drgn_oracle_arm64.Arm64Oracle if ARM64 else drgn_oracle.Oracle)(a.vmcore, a.vmlinux)
prog = o.prog
PSZ = 4096
if ARM64:
    if int(o.vmci.get("NUMBER(VA_BITS)", 0)) != 48 or \
            int(o.vmci.get("PAGESIZE", PSZ)) != PSZ:
        raise SystemExit("uswap_oracle.py: arm64 with 4K pages and 48-bit VAs only")
    PFN_MASK = 0x0000fffffffff000
    levels = 4
else:
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
        if ARM64:   # a block descriptor (bits 1:0 = 01) ends the walk above the PTE
            last = name == "PTE" or (name in ("PUD", "PMD") and e & 3 == 1)
        else:
            last = name == "PTE" or (name in ("PUD", "PMD") and e & 0x81 == 0x81)   # PSE
        if not e & 1 or last:
            out = {"pte": hex(e), "level": name, "present": bool(e & 1)}
            if ARM64 and name == "PTE" and e and not e & 3:
                out["swap_type"] = (e >> 3) & 0x1f
                out["swap_offset"] = (e >> 8) & ((1 << 50) - 1)
            break
        table = e & PFN_MASK
    ptes[hex(va)] = out
areas = []
for t in range(int(prog["nr_swapfiles"])):
    si = prog["swap_info"][t]
    if si:
        try:
            path = d_path(si.swap_file.f_path).decode()
        except (drgn.FaultError, LookupError, AttributeError, ValueError):
            path = None
        areas.append({"type": t, "flags": int(si.flags), "max": int(si.max), "path": path})
with open(a.json, "w") as f:
    json.dump({"ptes": ptes, "swap_areas": areas, "page_size": PSZ}, f)
