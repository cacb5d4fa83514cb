#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A synthetic x86_64 kernel dump for tests/lib/test_example.sh.

  synth_kernel.py make OFFSETS BTF DIR   write DIR/kernel.desc (for
                                         tests/gen/mkelf) and DIR/expected
  synth_kernel.py check EXPECTED OUTPUT  compare dumpinfo's output with it

The dump is built here, so what dumpinfo must answer is known without
running vmdive: a 2 MiB kernel image mapped by a 2 MiB page, module memory
mapped by 4 KiB pages through all four levels, two modules on the
`modules` list described by the BTF blob in the image, and the symbols the
session needs as VMCOREINFO SYMBOL() lines.  OFFSETS is the output of
tests/lib/kernel_types.c, whose DWARF the BTF was made from.
"""
import struct
import sys

KTEXT = 0xffffffff81000000      # __START_KERNEL_map + 16 MiB, no KASLR
KPHYS = 0x1000000               # phys_base 0: image at 16 MiB
KSIZE = 0x200000
MODV = 0xffffffffa0000000       # MODULES_VADDR
MODP = 0x2000000
MODPAGES = 10                   # mapped; page 10 is not
PGD, PUD, PMD, PT = (KTEXT + 0x100000 + i * 0x1000 for i in range(4))
MODULES_HEAD = KTEXT + 0x10000
BTF_AT = KTEXT + 0x20000
P, RW, A, D, PS = 1, 2, 0x20, 0x40, 0x80
RELEASE = "6.6.0-vdsynth"


def kpa(va):
    assert KTEXT <= va < KTEXT + KSIZE
    return va - KTEXT + KPHYS


def mpa(va):
    assert MODV <= va < MODV + MODPAGES * 0x1000
    return va - MODV + MODP


def idx(va, shift):
    return (va >> shift) & 511


def make(offsets_path, btf_path, outdir):
    off = {}
    for line in open(offsets_path):
        k, v = line.strip().split("=")
        off[k] = int(v)
    btf = open(btf_path, "rb").read()
    assert len(btf) < 0x10000
    lines = [
        "arch = x86_64",
        "vmcoreinfo = " + ";".join([
            "OSRELEASE=" + RELEASE, "PAGESIZE=4096", "NUMBER(phys_base)=0",
            "SYMBOL(init_top_pgt)=%x" % PGD, "SYMBOL(modules)=%x" % MODULES_HEAD,
            "SYMBOL(__start_BTF)=%x" % BTF_AT,
            "SYMBOL(__stop_BTF)=%x" % (BTF_AT + len(btf))]),
        "cpu pid=1 rip=0x%x" % (KTEXT + 0x100),
        "load paddr=0x%x size=0x%x vaddr=0x%x" % (KPHYS, KSIZE, KTEXT),
        "load paddr=0x%x size=0x%x" % (MODP, MODPAGES * 0x1000),
        "pattern 0x%x 0x%x 7" % (KPHYS, 0x10000),
    ]
    u64 = lambda pa, v: lines.append("u64 0x%x 0x%x" % (pa, v))
    # Page tables: PGD -> PUD -> PMD: the image by one 2 MiB entry, the
    # module area by a page table of 4 KiB entries.
    u64(kpa(PGD) + 8 * idx(KTEXT, 39), kpa(PUD) | P | RW | A | D)
    assert idx(KTEXT, 39) == idx(MODV, 39) and idx(KTEXT, 30) == idx(MODV, 30)
    u64(kpa(PUD) + 8 * idx(KTEXT, 30), kpa(PMD) | P | RW | A | D)
    u64(kpa(PMD) + 8 * idx(KTEXT, 21), KPHYS | P | RW | A | D | PS)
    u64(kpa(PMD) + 8 * idx(MODV, 21), kpa(PT) | P | RW | A | D)
    for i in range(MODPAGES):
        u64(kpa(PT) + 8 * (idx(MODV, 12) + i), (MODP + i * 0x1000) | P | RW | A | D)
    lines.append("filedata 0x%x btf.bin" % kpa(BTF_AT))
    # Two modules, newest first on the list as list_add_rcu() leaves them.
    # Each struct module lies in its own data region, as the kernel's does.
    mods = [  # name, [(mem type, start, size)], struct module at
        ("vd_beta", [(0, MODV + 0x5000, 0x2000), (2, MODV + 0x7000, 0x1000),
                     (1, MODV + 0x8000, 0x1000)], MODV + 0x8000),
        ("vd_alpha", [(0, MODV, 0x3000), (1, MODV + 0x3000, 0x2000)], MODV + 0x3000),
    ]
    addrs = [m[2] for m in mods]
    lists = [a + off["module_list"] for a in addrs]
    ring = [MODULES_HEAD] + lists
    for i, node in enumerate(ring):
        nxt, prv = ring[(i + 1) % len(ring)], ring[i - 1]
        pa = kpa(node) if node == MODULES_HEAD else mpa(node)
        u64(pa, nxt)
        u64(pa + 8, prv)
    expected = [
        "arch x86_64",
        "release " + RELEASE,
        "vtop 0x%x 0x%x 0x200000" % (KTEXT + 0x1234, KPHYS + 0x1234),
        "vtop 0x%x 0x%x 0x1000" % (MODV + 0x5010, MODP + 0x5010),
        "vtop 0x%x error" % (MODV + MODPAGES * 0x1000),     # PTE not present
        "vtop 0x%x error" % (KTEXT + KSIZE),                # PMD not present
    ]
    for name, mem, at in mods:
        pa = mpa(at)
        lines.append("u64 0x%x 0" % (pa + off["module_state"]))  # LIVE
        lines.append('bytes 0x%x "%s"' % (pa + off["module_name"], name))
        for typ, start, size in mem:
            m = pa + off["module_mem"] + typ * off["module_memory_size"]
            u64(m + off["module_memory_base"], start)
            lines.append("u32 0x%x 0x%x" % (m + off["module_memory_len"], size))
        lines.append("u32 0x%x 1" % (pa + off["module_refcnt"]))
        text = [s for t, s, _ in mem if t == 0][0]
        total = sum(size for _, _, size in mem)
        expected.append("module %s 0x%x 0x%x 0x%x" % (name, at, text, total))
    expected.append("modules %d" % len(mods))
    with open(outdir + "/kernel.desc", "w") as f:
        f.write("# made by tests/lib/synth_kernel.py\n" + "\n".join(lines) + "\n")
    with open(outdir + "/btf.bin", "wb") as f:
        f.write(btf)
    with open(outdir + "/expected", "w") as f:
        f.write("\n".join(expected) + "\n")
    # dumpinfo's arguments after the dump: the vtop lines' addresses.
    print(" ".join(l.split()[1] for l in expected if l.startswith("vtop")))


def check(expected_path, output_path):
    want = open(expected_path).read().splitlines()
    got = [l for l in open(output_path).read().splitlines()
           if not l.startswith("library ")]
    bad = 0
    for i in range(max(len(want), len(got))):
        w = want[i] if i < len(want) else "(nothing)"
        g = got[i] if i < len(got) else "(nothing)"
        ok = g.startswith(w + " ") if w.endswith(" error") else g == w
        if not ok:
            print("line %d: want %r, got %r" % (i + 1, w, g))
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "make":
        make(*sys.argv[2:])
    elif len(sys.argv) == 4 and sys.argv[1] == "check":
        sys.exit(check(*sys.argv[2:]))
    else:
        sys.exit("usage: synth_kernel.py make OFFSETS BTF DIR | check EXPECTED OUTPUT")
