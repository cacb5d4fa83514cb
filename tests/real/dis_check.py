#!/usr/bin/python3
"""dis against objdump -d of the vmlinux at the dump's KASLR offset.

    dis_check.py VMDIVE META_ENV [--lines-only | --few-lines | --no-lines] [--few-funcs]

For 20 functions, vmdive disassembles the code in the dump (no vmlinux
given); objdump disassembles the same function in the vmlinux.  The
kernel patches its code at boot (alternatives, static keys, ftrace's
nops), so an instruction is compared only where the dump's bytes equal the
vmlinux's: there the two must agree on the instruction's address and
length, its mnemonic (AT&T size suffixes aside) and the target of a
direct call or jump, and every call target vmdive names must be objdump's
name.  An instruction whose bytes are the vmlinux's but where objdump sees
no instruction start (a disagreement on boundaries) fails; the ones the
kernel patched are counted and reported, not compared.

dis -l (with --vmlinux) is checked on those and LINE_FUNCS (the ones the
kernel has), every instruction's file and line against objdump -dl's;
--lines-only checks only that (other kernels); arm64 dumps are read with the cross objdump
(no dump-module there), --few-lines checks dis -l on LINE_SAMPLE only, --no-lines not at all
(a kernel whose vmlinux, so whose line tables, another sample already checks).
"""
import json
import os
import re
import shlex
import subprocess
import sys

FUNCS = ["schedule", "__schedule", "panic", "do_exit", "vfs_read", "vfs_write",
         "kmem_cache_free", "kfree", "_printk", "mutex_lock", "mutex_unlock",
         "schedule_timeout", "copy_process", "sysrq_handle_crash", "__handle_sysrq",
         "wake_up_process", "try_to_wake_up", "ksys_read", "msleep", "queue_work_on"]

# --few-funcs: the first of them only (each costs an objdump of the vmlinux, ~0.3 CPU-s).
FEW_FUNCS = 6

# More functions for dis -l, from many compilation units: C and assembly, inlined
# helpers (no __init code: freed after boot); the ones a kernel lacks (renamed, inlined) are left out.
LINE_FUNCS = ["printk", "vfs_open", "do_sys_poll", "__alloc_pages", "get_page_from_freelist",
              "handle_mm_fault", "kthread", "worker_thread", "process_one_work",
              "hrtimer_interrupt", "ktime_get", "memcpy", "strlen", "down_read", "up_read",
              "filemap_read", "submit_bio", "kmem_cache_alloc", "__kmalloc", "dput", "iput",
              "link_path_walk", "do_filp_open", "load_elf_binary", "tcp_sendmsg", "ip_rcv",
              "netif_receive_skb", "kernel_init", "entry_SYSCALL_64",
              "el0_svc", "cpu_startup_entry", "do_idle", "rcu_core", "__do_softirq",
              "handle_softirqs", "show_regs", "dump_stack_lvl", "crash_kexec", "sysrq_handle_loglevel"]


# --few-lines: dis -l on these alone (objdump -dl reads the line tables of the whole vmlinux
# each time: ~0.5 CPU-s a function).  C with inlined helpers, and assembly (arm64's memcpy
# is a weak alias of __memcpy).
LINE_SAMPLE = ["schedule", "vfs_read", "do_idle", "el0_svc", "__memcpy"]

# arm64: objdump writes the preferred alias where capstone writes the instruction (mov for
# movz, movn and orr from the zero register) and the other name of two condition codes.
A64_ALIASES = {("movz", "mov"), ("movn", "mov"), ("orr", "mov"), ("b.lo", "b.cc"),
               ("b.hs", "b.cs")}

PREFIXES = ("lock", "rep", "repz", "repe", "repnz", "repne", "data16", "cs", "ds", "ss",
            "es", "notrack", "bnd")


def norm(text):
    """The mnemonic without prefixes; objdump's 2-byte nop as nop."""
    words = text.split()
    while words and words[0] in PREFIXES:
        words.pop(0)
    if words[:2] == ["xchg", "%ax,%ax"]:
        return "nop"
    return words[0] if words else ""


def main():
    vmdive, meta_path = sys.argv[1], sys.argv[2]
    meta = {}
    for line in open(meta_path):
        m = re.match(r"^([A-Z_0-9]+)=(.*)$", line.strip())
        if m and m.group(2):
            meta[m.group(1)] = shlex.split(m.group(2))[0]
    vmlinux, dump = meta["VMLINUX"], meta["VMCORE_ELF"]
    kaslr = int(meta.get("KERNELOFFSET", "0"), 16)
    arm64 = meta.get("ARCH") == "arm64"
    if "--lines-only" in sys.argv[3:]:
        lp, lf = check_lines(vmdive, meta, vmlinux, dump, kaslr)
        print("dis_check %s: dis -l: %d functions agree with objdump -dl, %d do not" %
              (meta_path.split("/")[-2], lp, lf))
        return 1 if lf or not lp else 0
    npass = nfail = 0
    total = [0, 0]
    # The vmlinux's symbols: a target may have several names (memset, __memset).
    addr_of = {}
    for line in subprocess.run(["nm", vmlinux], stdout=subprocess.PIPE, text=True).stdout.splitlines():
        w = line.split()
        if len(w) == 3:
            addr_of.setdefault(w[2], int(w[0], 16))
    text = kernel_text(meta)
    funcs = FUNCS[:FEW_FUNCS] if "--few-funcs" in sys.argv[3:] else FUNCS
    for f in [f for f in funcs if f in text]:    # 5.10 has printk, not _printk
        p = subprocess.run([vmdive, "dis", "--json", dump, f], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
        if p.returncode != 0:
            print("FAIL: dis %s: exit %d: %s" % (f, p.returncode, p.stderr.strip()))
            nfail += 1
            continue
        ours = json.loads(p.stdout)
        start = int(ours[0]["address"], 16) - kaslr
        end = int(ours[-1]["address"], 16) + ours[-1]["size"] - kaslr
        od = subprocess.run(["aarch64-linux-gnu-objdump" if arm64 else "objdump", "-d", "-w",
                             "--start-address=0x%x" % start, "--stop-address=0x%x" % end,
                             vmlinux], stdout=subprocess.PIPE, text=True).stdout
        theirs, vbytes = {}, {}
        for line in od.splitlines():
            if arm64:   # "addr:\tWORD \tmnemonic\toperands", the word as a number
                m = re.match(r"^\s*([0-9a-f]+):\s+([0-9a-f]{8})\s+(\S+)\s*(.*)$", line)
                if m:   # the word's bytes in memory order (little-endian), as vmdive's
                    w = m.group(2)
                    m = (m.group(1), " ".join(w[k:k + 2] for k in (6, 4, 2, 0)),
                         m.group(3), m.group(4))
            else:
                m = re.match(r"^\s*([0-9a-f]+):\s+((?:[0-9a-f]{2} )+)\s*(\S+)\s*(.*)$", line)
                m = m and m.groups()
            if m:
                a0 = int(m[0], 16) + kaslr
                theirs[a0] = (m[1].split(), m[2], m[3])
                for k, b in enumerate(m[1].split()):
                    vbytes[a0 + k] = b
        compared = 0
        bad = []
        for i in ours:
            a = int(i["address"], 16)
            t = theirs.get(a)
            same = all(vbytes.get(a + k) == i["bytes"][2 * k:2 * k + 2]
                       for k in range(i["size"]))
            if same and not t:
                bad.append("%x: vmdive decodes %s here, objdump no instruction start" %
                           (a, i["mnemonic"]))
                continue
            if not t or "".join(t[0]) != i["bytes"]:
                continue                       # patched at boot
            compared += 1
            mine, other = norm(i["mnemonic"] + " " + i["operands"]), norm(t[1] + " " + t[2])
            if arm64:
                if mine != other and (mine, other) not in A64_ALIASES:
                    bad.append("%x: vmdive %s %s, objdump %s %s" % (a, mine, i["operands"],
                                                                     other, t[2]))
                    continue
            elif mine != other and mine.rstrip("qlwb") != other.rstrip("qlwb") and \
                    mine != other + "q" and mine != other + "l" and \
                    mine.rstrip("qlwb") != other:
                bad.append("%x: vmdive %s %s, objdump %s %s" % (a, mine, i["operands"],
                                                                 other, t[2]))
                continue
            if "target" in i:
                m = re.search(r"(?:^|, )([0-9a-f]+) <([^>]*)>", t[2])
                if not m or int(m.group(1), 16) + kaslr != int(i["target"], 16):
                    bad.append("%x: target %s, objdump %s" % (a, i["target"], t[2]))
                    continue
                # objdump names targets by the vmlinux's symbols: the name must agree
                # where vmdive (kallsyms) named one.
                ts = (i.get("target_symbol") or "").split(" ")[0]
                want = m.group(2)

                def where(name):
                    b, _, o = name.partition("+")
                    return addr_of.get(b, -1) + (int(o, 16) if o else 0) if b in addr_of else None
                if ts and ts != want and (where(ts) is None or where(ts) != where(want)):
                    bad.append("%x: target named %s, objdump %s" % (a, ts, want))
        total[0] += len(ours)
        total[1] += compared
        good = not bad and compared
        if good:
            npass += 1
        else:
            nfail += 1
            print("FAIL: dis %s: %d of %d instructions compared; %s" %
                  (f, compared, len(ours), "; ".join(bad[:3])))
    # dump-module: objdump of the module's ELF names every call into the
    # kernel, by the name System.map gives that address (KASLR applied).
    smap = {}
    for line in open(meta["SYSTEM_MAP"]):
        w = line.split()
        if len(w) == 3:
            smap.setdefault(w[2], []).append(int(w[0], 16) + kaslr)
    for mod in () if arm64 else ("loop", "overlay"):
        out = "/tmp/dis_check.%d.%s.elf" % (os.getpid(), mod)
        p = subprocess.run([vmdive, "dump-module", dump, mod, "-o", out],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if p.returncode != 0:
            print("FAIL: dump-module %s: %s" % (mod, p.stderr.strip()))
            nfail += 1
            continue
        od = subprocess.run(["objdump", "-d", "-w", out], stdout=subprocess.PIPE,
                            text=True).stdout
        os.unlink(out)
        calls = re.findall(r"\bcall\s+([0-9a-f]+)(?: <([^>]*)>)?", od)
        kernel = [(int(a, 16), n) for a, n in calls if int(a, 16) < 0xffffffffc0000000]
        bad = [(hex(a), n) for a, n in kernel
               if not n or "+" in n or a not in smap.get(n, [])]
        if len(kernel) < 10 or bad:
            nfail += 1
            print("FAIL: dump-module %s: %d calls into the kernel, %d not named as "
                  "System.map names them: %s" % (mod, len(kernel), len(bad), bad[:4]))
        else:
            npass += 1
            print("  dump-module %s: %d calls into the kernel named as System.map "
                  "names them" % (mod, len(kernel)))
    lp = lf = 0
    if "--no-lines" not in sys.argv[3:]:
        lp, lf = check_lines(vmdive, meta, vmlinux, dump, kaslr,
                             LINE_SAMPLE if "--few-lines" in sys.argv[3:] else None)
    npass += lp
    nfail += lf
    print("dis_check %s: %d checks agree with objdump, %d do not; %d of %d "
          "instructions compared (the rest patched by the kernel at boot)" %
          (meta_path.split("/")[-2], npass, nfail, total[1], total[0]))
    return 1 if nfail else 0


def kernel_text(meta):
    """The names of the kernel's text symbols (System.map)."""
    text = set()
    for line in open(meta["SYSTEM_MAP"]):
        w = line.split()
        if len(w) == 3 and w[1] in "Tt":
            text.add(w[2])
    return text


def check_lines(vmdive, meta, vmlinux, dump, kaslr, only=None):
    """dis -l --vmlinux: each instruction's file and line against objdump -dl
    of the same range of the vmlinux (the line each "FILE:LINE" marker of
    objdump's stands above).  All functions in one vmdive session."""
    text = kernel_text(meta)
    funcs = [f for f in (only or FUNCS + LINE_FUNCS) if f in text]
    objdump = "aarch64-linux-gnu-objdump" if meta.get("ARCH") == "arm64" else "objdump"
    cmds = "; ".join("dis -l --json %s" % f for f in funcs)
    p = subprocess.run([vmdive, "shell", "--vmlinux", vmlinux, "-c", cmds, dump],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    docs = [json.loads(l) for l in p.stdout.splitlines() if l.strip()]
    if p.returncode != 0 or len(docs) != len(funcs):
        print("FAIL: dis -l: exit %d, %d documents: %s" % (p.returncode, len(docs),
                                                          p.stderr.strip()[:300]))
        return 0, 1
    npass = nfail = 0
    nlines = 0
    for f, ours in zip(funcs, docs):
        start = int(ours[0]["address"], 16) - kaslr
        end = int(ours[-1]["address"], 16) + ours[-1]["size"] - kaslr
        od = subprocess.run([objdump, "-dl", "-w", "--start-address=0x%x" % start,
                             "--stop-address=0x%x" % end, vmlinux],
                            stdout=subprocess.PIPE, text=True).stdout
        theirs, cur = {}, None
        for line in od.splitlines():
            m = re.match(r"^(\S[^:]*):(\d+)(?: \(discriminator \d+\))?$", line)
            if m:
                cur = (m.group(1), int(m.group(2)))
                continue
            m = re.match(r"^\s*([0-9a-f]+):\s", line)
            if m and cur:
                theirs[int(m.group(1), 16) + kaslr] = cur
        bad, compared = [], 0
        for i in ours:
            a = int(i["address"], 16)
            if a not in theirs:
                continue                  # patched code decodes on other boundaries
            compared += 1
            if (i.get("file"), i.get("line")) != theirs[a]:
                bad.append("%x: vmdive %s:%s, objdump %s:%d" % (a, i.get("file"), i.get("line"),
                                                                theirs[a][0], theirs[a][1]))
        nlines += compared
        if bad or compared < len(ours) // 2:
            nfail += 1
            print("FAIL: dis -l %s: %d of %d lines compared; %s" % (f, compared, len(ours),
                                                                  "; ".join(bad[:3])))
        else:
            npass += 1
    print("  dis -l: %d functions' source lines equal objdump -dl's, %d not (%d instructions)"
          % (npass, nfail, nlines))
    return npass, nfail


if __name__ == "__main__":
    sys.exit(main())
