#!/usr/bin/python3
"""Helpers of tests/real/test_log.sh (run with Debian's /usr/bin/python3, which has drgn).

    log_check.py drgn --vmcore F --vmlinux V [--arm64] --json VMDIVE_JSON
        Compare `vmdive log --json` with drgn's get_printk_records() on the same ELF vmcore,
        record by record: seq, ts_nsec, text, level, facility, caller, subsystem, device.
        With -T output (boot_time in the JSON) also checks it against the timekeeper's
        xtime_sec minus the panic record's seconds.  Prints one line per difference (at most
        20), then "drgn: N records, D differences, Q drgn wrap quirks, W wrapping blocks, ..."
        (W: records whose text block wraps around the end of the ring); exits 1 on any
        difference.

    log_check.py mkwrap --meta META --out DIR
        Boot the kernel of a sample variant (meta.env from samples/make-dumps.sh) again with
        `initcall_debug`, which logs two records per initcall -- far more than the 128 KiB text
        ring holds -- so the ring wraps: the oldest records are gone and some text blocks wrap
        around the end of the ring.  Panics it like the samples do and writes DIR/vmcore.elf
        with QEMU's dump-guest-memory, and DIR/meta.env (VARIANT, MARKER, VMLINUX, VMCORE_ELF).

    log_check.py corrupt --vmdive BIN --dump KDUMP_NONE --seq N --out FILE
        Copy an uncompressed kdump file (makedumpfile -c none: page data stored as is) and in the
        copy damage the prb_desc of record N: its text block's begin := next, a block that
        get_data() rejects as illegal.  The page is found in the file by its bytes, read with
        `vmdive rd -p`; the descriptor's address comes from VMCOREINFO and the dump through
        `vmdive rd` and `vmdive vtop`.

drgn 0.0.22 reads a wrapping text block from index 0 without skipping the block's id
(drgn/helpers/linux/printk.py, _get_printk_records_lockless: it adds the id size before it
resets the begin to 0), so its text for such a record is the 8 id bytes followed by the text
minus its last 8 bytes.  The kernel's get_data() (kernel/printk/printk_ringbuffer.c) skips the
id there too; vmdive follows the kernel, crash agrees.  That pattern is counted apart
("drgn wrap quirk"), not as equal and not as a failure.
"""
import argparse
import json
import os
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "oracle"))


def open_drgn(vmcore, vmlinux, arm64):
    if arm64:
        import drgn_oracle_arm64 as o
        return o.Arm64Oracle(vmcore, vmlinux).prog
    import drgn_oracle as o
    return o.Oracle(vmcore, vmlinux).prog


def drgn_record(r):
    if r.caller_tid is not None:
        caller = "T%d" % r.caller_tid
    elif r.caller_cpu is not None:
        caller = "C%d" % r.caller_cpu
    else:
        caller = None
    return {"seq": r.seq, "ts_nsec": r.timestamp, "text": r.text, "level": r.level,
            "facility": r.facility, "caller": caller,
            "subsystem": r.context.get(b"SUBSYSTEM", b"").decode("latin-1"),
            "device": r.context.get(b"DEVICE", b"").decode("latin-1")}


def vmdive_record(r):
    d = dict(r)
    # cli/json.c writes every byte outside printable ASCII as \\u00XX.
    d["text"] = r["text"].encode("latin-1")
    return d


def wrap_quirk(ours, theirs):
    """drgn's text for a wrapping block: id bytes, then our text short by 8 bytes."""
    n = len(ours)
    return n > 8 and len(theirs) == n and theirs[8:] == ours[:n - 8]


def wrapping_blocks(prog):
    """Committed or finalized records whose text block wraps around the ring's end."""
    prb = prog["prb"]
    ring, dr = prb.desc_ring, prb.text_data_ring
    bits, mask = dr.size_bits.value_(), (1 << ring.count_bits.value_()) - 1
    id_mask = (1 << 62) - 1
    head, cur = ring.head_id.counter.value_(), ring.tail_id.counter.value_()
    n = 0
    for _ in range(mask + 1):
        d = ring.descs[cur & mask]
        sv = d.state_var.counter.value_() & ((1 << 64) - 1)   # atomic_long_t is signed
        b, nx = d.text_blk_lpos.begin.value_(), d.text_blk_lpos.next.value_()
        if (sv & id_mask) == cur and (sv >> 62) in (1, 2) and not (b & 1) and \
                (b >> bits) != (((nx - 1) & ((1 << 64) - 1)) >> bits):
            n += 1
        if cur == head:
            break
        cur = (cur + 1) & id_mask
    return n


def check_boot_time(prog, doc, theirs):
    """vmdive's -T boot time: the timekeeper's wall clock minus the panic record's seconds."""
    try:
        tk = prog["tk_core"].timekeeper
    except LookupError:              # 7.2: tk_core is a macro for timekeeper_data[0]
        tk = prog["timekeeper_data"][0].timekeeper
    xtime = tk.xtime_sec.value_()
    panic = [r for r in theirs if b"Kernel panic - not syncing" in r["text"]]
    ts = (panic[-1] if panic else theirs[-1])["ts_nsec"] // 1000000000
    want = xtime - ts
    if doc["boot_time"] != want:
        return ["boot_time: vmdive %s, drgn xtime_sec %d - %d = %d" % (
            doc["boot_time"], xtime, ts, want)]
    return []


def cmd_drgn(a):
    from drgn.helpers.linux.printk import get_printk_records
    t0 = time.time()
    prog = open_drgn(a.vmcore, a.vmlinux, a.arm64)
    t1 = time.time()
    theirs = [drgn_record(r) for r in get_printk_records(prog)]
    t2 = time.time()
    with open(a.json) as f:
        doc = json.load(f)
    ours = [vmdive_record(r) for r in doc["records"]]
    bad, quirks = [], 0
    if len(ours) != len(theirs):
        bad.append("record count: vmdive %d, drgn %d" % (len(ours), len(theirs)))
    for o, t in zip(ours, theirs):
        for k in ("seq", "ts_nsec", "level", "facility", "caller", "subsystem", "device",
                  "text"):
            if o[k] == t[k]:
                continue
            if k == "text" and wrap_quirk(o[k], t[k]):
                quirks += 1
                continue
            bad.append("seq %s: %s: vmdive %r, drgn %r" % (t["seq"], k, o[k], t[k]))
    if "boot_time" in doc and theirs:
        bad += check_boot_time(prog, doc, theirs)
    for line in bad[:20]:
        print("  drgn mismatch:", line)
    if len(bad) > 20:
        print("  ... %d more" % (len(bad) - 20))
    print("  drgn: %.3f s to open the dump and load the vmlinux, %.3f s for the records" % (
        t1 - t0, t2 - t1))
    print("drgn: %d records, %d differences, %d drgn wrap quirks, %d wrapping blocks, "
          "first seq %s%s" % (len(theirs), len(bad), quirks, wrapping_blocks(prog),
                              theirs[0]["seq"] if theirs else None,
                              ", boot time checked" if "boot_time" in doc else ""))
    return 1 if bad else 0


# --- a dump whose log ring has wrapped -------------------------------------------------------

def read_env(path):
    env = {}
    out = subprocess.run(["bash", "-c", 'set -a; . "$1"; env -0', "-", path], check=True,
                         capture_output=True).stdout
    for item in out.split(b"\0"):
        k, _, v = item.decode().partition("=")
        env[k] = v
    return env


def qmp(sock_path, outfile):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sock_path)
    f = s.makefile("rw")

    def cmd(name, **args):
        f.write(json.dumps({"execute": name, "arguments": args}) + "\n")
        f.flush()
        while True:
            r = json.loads(f.readline())
            if "return" in r:
                return r["return"]
            if "error" in r:
                sys.exit("QMP %s: %s" % (name, r["error"]))
    json.loads(f.readline())
    cmd("qmp_capabilities")
    cmd("stop")
    cmd("dump-guest-memory", paging=False, protocol="file:" + outfile, detach=True,
        format="elf")
    while cmd("query-dump")["status"] != "completed":
        time.sleep(0.1)
    cmd("quit")


def cmd_mkwrap(a):
    env = read_env(a.meta)
    os.makedirs(a.out, exist_ok=True)
    marker = os.urandom(8).hex()
    cmdline = ("console=ttyS0 panic=0 oops=panic initcall_debug dyndbg=+p vmdive.variant=logwrap "
               "vmdive.marker=%s vmdive.procs=%s" % (marker, env["PROCS"].replace(" ", ",")))
    sock, console = os.path.join(a.out, "qmp.sock"), os.path.join(a.out, "console.log")
    for p in (sock, console):
        if os.path.exists(p):
            os.unlink(p)
    qemu = subprocess.Popen(
        ["qemu-system-x86_64", "-accel", "tcg", "-cpu", "qemu64", "-m", "512", "-smp", "2",
         "-display", "none", "-monitor", "none", "-no-reboot", "-kernel", env["VMLINUZ"],
         "-initrd", env["INITRD"], "-append", cmdline, "-device", "vmcoreinfo",
         "-qmp", "unix:%s,server=on,wait=off" % sock, "-serial", "file:" + console],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 180
    while True:
        if os.path.exists(console) and b"---[ end Kernel panic" in open(console, "rb").read():
            break
        if qemu.poll() is not None or time.time() > deadline:
            qemu.kill()
            sys.exit("mkwrap: no panic (see %s)" % console)
        time.sleep(0.5)
    qmp(sock, os.path.join(a.out, "vmcore.elf"))
    qemu.wait()
    with open(os.path.join(a.out, "meta.env"), "w") as f:
        f.write("VARIANT=logwrap\nMARKER='VMDIVE-MARKER logwrap %s'\nVMLINUX=%s\n"
                "VMCORE_ELF=%s\n" % (marker, env["VMLINUX"], os.path.join(a.out, "vmcore.elf")))
    return 0


# --- a damaged descriptor in a real dump ---------------------------------------------------

def vd(a, *args):
    return subprocess.run([a.vmdive] + list(args), check=True, capture_output=True).stdout


def vd_u64(a, addr, size=8):
    out = os.path.join(os.path.dirname(a.out), "u64.bin")
    vd(a, "rd", "-o", out, a.dump, "%x" % addr, str(size))
    return int.from_bytes(open(out, "rb").read(), "little")


def cmd_corrupt(a):
    info = dict(l.split("=", 1) for l in vd(a, "vmcoreinfo", a.dump).decode().splitlines()
                if "=" in l)
    num = lambda k: int(info[k])
    rb = vd_u64(a, int(info["SYMBOL(prb)"], 16))
    ring = rb + num("OFFSET(printk_ringbuffer.desc_ring)")
    count = 1 << vd_u64(a, ring + num("OFFSET(prb_desc_ring.count_bits)"), 4)
    descs = vd_u64(a, ring + num("OFFSET(prb_desc_ring.descs)"))
    desc = descs + (a.seq % count) * num("SIZE(prb_desc)")
    lpos = desc + num("OFFSET(prb_desc.text_blk_lpos)")
    begin_va = lpos + num("OFFSET(prb_data_blk_lpos.begin)")
    nxt = vd_u64(a, lpos + num("OFFSET(prb_data_blk_lpos.next)"))
    pa = int(json.loads(vd(a, "vtop", "--json", a.dump, "%x" % begin_va))[0]["pa"], 16)
    page = os.path.join(os.path.dirname(a.out), "page.bin")
    vd(a, "rd", "-p", "-o", page, a.dump, "%x" % (pa & ~4095), "4096")
    data = bytearray(open(a.dump, "rb").read())
    want = open(page, "rb").read()
    at = data.find(want)
    if at < 0 or data.find(want, at + 1) >= 0:
        sys.exit("corrupt: the descriptor's page is not in the file exactly once")
    at += pa & 4095
    data[at:at + 8] = nxt.to_bytes(8, "little")
    open(a.out, "wb").write(data)
    print("seq %d: prb_desc at 0x%x (pa 0x%x), begin := next = 0x%x" % (a.seq, desc, pa, nxt))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("drgn")
    d.add_argument("--vmcore", required=True)
    d.add_argument("--vmlinux", required=True)
    d.add_argument("--arm64", action="store_true")
    d.add_argument("--json", required=True)
    c = sub.add_parser("corrupt")
    c.add_argument("--vmdive", required=True)
    c.add_argument("--dump", required=True)
    c.add_argument("--seq", type=int, required=True)
    c.add_argument("--out", required=True)
    w = sub.add_parser("mkwrap")
    w.add_argument("--meta", required=True)
    w.add_argument("--out", required=True)
    a = ap.parse_args()
    return {"drgn": cmd_drgn, "corrupt": cmd_corrupt, "mkwrap": cmd_mkwrap}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
