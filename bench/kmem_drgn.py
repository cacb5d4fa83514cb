#!/usr/bin/python3
"""drgn's side of bench/kmem.sh: seconds for each step, one line each.

    /usr/bin/python3 bench/kmem_drgn.py --vmcore F --vmlinux V --addrs FILE [--arch A]

  start-up        open the dump (tests/oracle bootstrap) and load the vmlinux's DWARF
  slab-stats      allocated/total objects of every cache: drgn 0.0.22 has no per-cache
                  statistics helper, so the memory-map walk of tests/real/kmem_oracle.py
  200 kmem ADDR   drgn.helpers.linux.slab.slab_object_info() (else find_containing_slab_cache)
                  of each address in FILE (one hex address a line)
"""
import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "oracle"))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "real"))

ap = argparse.ArgumentParser()
ap.add_argument("--vmcore", required=True)
ap.add_argument("--vmlinux", required=True)
ap.add_argument("--addrs", required=True)
ap.add_argument("--arch", default="x86_64")
a = ap.parse_args()
t0 = time.time()
import drgn_oracle as base                            # noqa: E402
import kmem_oracle as ko                              # noqa: E402
from drgn.helpers.linux.slab import slab_object_info, for_each_slab_cache  # noqa: E402
if a.arch == "aarch64":
    import drgn_oracle_arm64 as arm
    o = arm.Arm64Oracle(a.vmcore, a.vmlinux)
else:
    o = base.Oracle(a.vmcore, a.vmlinux)
prog = o.prog
prog["slab_caches"]
print("start-up %.3f" % (time.time() - t0))
t0 = time.time()
sl = ko.Slab(prog, 4096)
slabs, _ = ko.scan_pages(prog, sl, prog["max_pfn"].value_())
for pa in slabs:
    try:
        sl.objects(pa)
    except Exception:
        pass
n = sum(1 for _ in for_each_slab_cache(prog))
print("slab-stats %.3f" % (time.time() - t0))
addrs = [int(x, 16) for x in open(a.addrs).read().split()]
t0 = time.time()
for x in addrs:
    try:
        slab_object_info(prog, x)
    except Exception:
        pass
print("kmem-addr %.3f" % (time.time() - t0))
