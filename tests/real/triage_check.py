#!/usr/bin/python3
"""triage_check: `vmdive sys` and `vmdive triage` on every real dump present, against crash's
`sys` and the kernel's own console log.

    /usr/bin/python3 tests/real/triage_check.py VMDIVE          # test_triage.sh

Variants: every directory under the dumps cache with meta.env and a `done` file: the sample
dumps (all sysrq-c crashes) and the crash-kinds dumps (crash-<mode>: CRASH_KIND=null, bug,
warn, timer, hung, softlockup, oom, gpf, rcu, mce; crash-null-2 is the same bug on a second
boot, other CPU; arm64-crash-*), each with its console.log.  A missing CRASH_KIND means sysrq.
The machine check's panic prints no stack and names no task: there the kernel's MCE record's
"RIP 10:<...> {func}" line is the guilty frame's oracle and the module's "COMM:PID waiting for
a machine check" line the task's; when that function is one the skip table passes over (the
check hit the timer interrupt that interrupted the module's wait), vmdive's trace must pass
through it and name the first frame after it the table does not skip.

- sys (no vmlinux) against crash's `sys` and `sys -t`, one crash session per dump (cached
  in the dump's oracle directory; TZ=UTC): crash 8.0.2 for Debian's 5.10 and 6.1 x86_64
  kernels, sid's crash for sid's x86_64 kernel (crash 8.0.2 cannot start on 6.12 without
  --minimal, which has no `sys`; sid's crash on 7.2 starts only with --no_modules, as in
  walkers_check; no crash reads arm64 here): CPUS and OFFLINE, DATE, UPTIME,
  LOAD AVERAGE, NODENAME, RELEASE, VERSION, MACHINE, MEMORY, PANIC, TAINTED_MASK; TASKS
  only against sid's crash (crash 8.0.2 counts the PID hash only on these kernels: 3).
  crash 8.0.2 picks PANIC in log order (8.0.4 changed to an order of severity, which vmdive
  follows): where it shows an "Oops: " line, that line must be in the log and vmdive's PANIC
  the "Kernel panic - " line.
- triage (no vmlinux) against console.log: the kind the dump was made for; the message is
  the kernel's header line for the kind (the panic line for sysrq and timer); the task's pid
  and comm are the header's or its "CPU: N PID: N Comm: X" line's; the guilty frame (function
  without compiler suffixes, and module) equals the one found in the kernel's own printout
  of the crash -- its "RIP:"/"pc :" line and its "Call Trace:" lines without '?' -- by the
  rules of docs/triage.md with the skip table read from docs/triage.md itself.  arm64's log
  names a return address after a noreturn call (`bl panic` ending a function) by the next
  function: there the log's function+offset must be vmdive's guilty pc.  A panic task whose
  trace bt cannot take through panic() (arm64 sid) must have no guilty frame and say why.
- without data symbols (Debian's arm64 5.10/6.1 kallsyms, no --system-map): sys's MEMORY
  (from the root memory cgroup's nodes) and CMDLINE (from the log) against drgn's node_data[]
  and saved_command_line with the vmlinux (sys_oracle.py, cached); every other field that
  needs a global is there or a problem saying it needs --system-map or --vmlinux, and the text
  shows no empty field; with --system-map everything comes from the globals, complete.
- the kernel's clocks: uptime within 2 s of the last console timestamp (x86_64: on the arm64
  samples printk's clock runs 2 to 12 s ahead of both jiffies and the timekeeper's
  CLOCK_MONOTONIC, which agree); the crash time at
  most 15 min before the dump file was written (sid's crash 9.0.2 shows the epoch as DATE
  and a wrong UPTIME on 7.2, so there these two are held to these checks only).
- signatures: crash-null and crash-null-2 (same bug, other boot and CPU) equal; dumps of
  different kinds all different.
- a batch of every dump with --jobs 2 --json equals the single runs, in argument order; a
  truncated copy of a dump (made in a temporary directory) in the batch yields a partial
  report (complete false, a problem naming the damage) and the batch goes on.
Prints one line per mismatch and "N passed, M failed"; exit 1 on a mismatch.
VMDIVE_VARIANTS limits the variants.
"""
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import vdcheck as vc                                 # noqa: E402

DOCS = os.path.join(os.path.dirname(os.path.dirname(HERE)), "docs", "triage.md")
KINDS = {"sysrq": "sysrq", "null": "null-deref", "bug": "bug", "warn": "warn", "timer": "panic",
         "hung": "hung-task", "softlockup": "soft-lockup", "oom": "oom", "gpf": "gpf",
         "rcu": "rcu-stall", "mce": "mce"}
# The kernel's header line for each kind (x86_64 and arm64 wording).
HEADER = {"null": r"(BUG: kernel NULL pointer dereference|Unable to handle kernel NULL pointer"
                  r" dereference)",
          "bug": r"kernel BUG at ", "warn": r"WARNING: ", "hung": r"INFO: task .* blocked for",
          "softlockup": r"BUG: soft lockup", "oom": r" invoked oom-killer: ",
          "gpf": r"^general protection fault", "rcu": r"^rcu: INFO: .*stall",
          "mce": r"^mce: \[Hardware Error\]: "}
# The machine check's panic prints no stack (oops_in_progress is 2 by then) and no task: the
# kernel's MCE record names the interrupted instruction ("RIP 10:<...> {func+off/size [mod]}",
# MCG_STATUS.EIPV), and the test module the waiting task ("vmdive_crash: COMM:PID waiting").
MCE_RIP = re.compile(r"^mce: \[Hardware Error\]: RIP 10:<[0-9a-f]+> \{([A-Za-z0-9_.]+)\+"
                     r"(0x[0-9a-f]+)/0x[0-9a-f]+(?: \[(\S+)\])?\}")
MCE_TASK = re.compile(r"vmdive_crash: (\S+):(\d+) waiting for a machine check")
SUFFIX = re.compile(r"(\.(cold|isra|constprop|part|lto_priv|llvm)|\.\d+)+$")
TS = re.compile(r"^\[ *[0-9.]+\] ")
CRASH_CMDS = "sys\nsys -t\n"


def base(s):
    return SUFFIX.sub("", s) if s else s


def skip_table():
    """(names, prefixes) from the table in docs/triage.md."""
    names, prefixes = set(), []
    on = False
    with open(DOCS) as f:
        for line in f:
            if line.startswith("### The skip table"):
                on = True
            elif on and line.startswith("## "):
                break
            elif on and line.startswith("| ") and "`" in line and not line.startswith("| class"):
                for n in re.findall(r"`([^`]+)`", line.split("|")[3]):
                    if n.endswith("*"):
                        prefixes.append(n[:-1])
                    else:
                        names.add(n)
    return names, prefixes


def skipped(fn, table):
    names, prefixes = table
    b = base(fn)
    return b in names or any(b.startswith(p) for p in prefixes)


def all_variants():
    want = os.environ.get("VMDIVE_VARIANTS")
    out = []
    for v in sorted(os.listdir(vc.DUMPS)):
        d = os.path.join(vc.DUMPS, v)
        if want and v not in want.split():
            continue
        if not (os.path.exists(os.path.join(d, "meta.env")) and
                os.path.exists(os.path.join(d, "done"))):
            continue
        meta = vc.load_env(os.path.join(d, "meta.env"))
        if not os.path.exists(meta.get("VMCORE_ELF", "")) or \
                not os.path.exists(meta.get("CONSOLE_LOG", "")):
            continue
        out.append((v, d, meta))
    return out


def console(meta):
    with open(meta["CONSOLE_LOG"], errors="replace") as f:
        return [TS.sub("", line.rstrip("\r\n")) for line in f]


def frame_of(line):
    """(function, module) of a Call Trace or RIP/pc line, None if it is none (or '?')."""
    m = re.match(r"^(?:RIP: [0-9a-f]{4}:|pc : )([A-Za-z0-9_.]+)\+(0x[0-9a-f]+)/0x[0-9a-f]+"
                 r"(?: \[(\S+)\])?", line.strip())
    if m:
        return m.group(1), m.group(3), int(m.group(2), 16)
    m = re.match(r"^ +([A-Za-z0-9_.]+)\+(0x[0-9a-f]+)/0x[0-9a-f]+(?: \[(\S+?)\])?", line)
    if m and not line.lstrip().startswith("?"):
        return m.group(1), m.group(3), int(m.group(2), 16)
    return None


def mce_rip(lines):
    """The function of the machine check record's "RIP 10:<...> {func+off/len}" line, or None."""
    return next((m.group(1) for m in map(MCE_RIP.match, lines) if m), None)


def expected(mode, lines, table):
    """What the kernel printed: (message, pid, comm, (guilty function, module))."""
    panic = max((i for i, l in enumerate(lines) if l.startswith("Kernel panic - not syncing: ")),
                default=None)
    if panic is None:
        return None
    if mode in HEADER:
        hdr = max((i for i in range(panic) if re.search(HEADER[mode], lines[i])), default=None)
        if hdr is None:
            return None
    else:
        hdr = panic
    msg = lines[hdr]
    pid = comm = None
    m = re.match(r"INFO: task (.*):(\d+) blocked", msg)
    if m:
        comm, pid = m.group(1), int(m.group(2))
    m = re.search(r"\[(\S+):(\d+)\]$", msg)
    if mode == "softlockup" and m:
        comm, pid = m.group(1), int(m.group(2))
    if mode == "mce":
        for l in lines[:hdr]:
            m = MCE_TASK.search(l)
            if m:
                comm, pid = m.group(1), int(m.group(2))
    if pid is None:
        for l in lines[hdr:hdr + 80]:
            m = re.match(r"CPU: \d+ (?:UID: \d+ )?PID: (\d+) Comm: (\S+)", l)
            if m:
                pid, comm = int(m.group(1)), m.group(2)
                break
    # The frames the kernel printed for this crash, in unwinding order: from the header to the
    # panic line, or, when the panic line is the header, from there to the end of its trace.
    end = panic if hdr < panic else len(lines)
    frames = []
    for l in lines[hdr:end]:
        if hdr == panic and l.startswith("---[ end Kernel panic"):
            break
        f = frame_of(l)
        if f:
            frames.append(f)
    if mode == "mce":
        # the record's lines start before the header ("Machine check: ...", the last one)
        first = max((i for i in range(hdr) if not lines[i].startswith("mce: ")), default=-1)
        for l in lines[first + 1:hdr]:
            m = MCE_RIP.match(l)
            if m:
                frames.append((m.group(1), m.group(3), int(m.group(2), 16)))
    start = 0
    for i, (fn, _, _) in enumerate(frames):
        if base(fn) in ("panic", "vpanic", "nmi_panic"):
            start = i + 1
    guilty = next(((base(fn), mod, off, fn) for fn, mod, off in frames[start:]
                   if not skipped(fn, table)), None)
    return msg, pid, comm, guilty


def crash_sys(t, variant, dumpdir, meta):
    """crash's `sys` and `sys -t` output (one session, cached); None when no crash reads it."""
    if meta.get("ARCH", "x86_64") != "x86_64":
        return None
    sid = meta.get("SUITE") == "sid"
    kver = meta.get("KVER", "")
    if not sid and not re.match(r"(5\.10|6\.1)\.", kver):
        return None
    crash = vc.oracle_crash(meta)
    if crash is None:
        return None
    elf = meta["VMCORE_ELF"]
    cdir = vc.cache_dir(dumpdir, variant)
    path = os.path.join(cdir, "crashsys-%s-%s.out" % (vc.dump_key(elf),
                                                       vc.content_key(CRASH_CMDS.encode())))
    if not os.path.exists(path):
        t0 = time.time()
        with tempfile.TemporaryDirectory() as tmp:
            cf, out = os.path.join(tmp, "cmds"), os.path.join(tmp, "out")
            with open(cf, "w") as f:
                f.write(CRASH_CMDS)
            p = subprocess.run([os.path.join(vc.ORACLE_DIR, "crash_oracle.sh"), elf,
                                meta["VMLINUX"], cf, out], capture_output=True, text=True,
                               timeout=900, env=dict(os.environ, CRASH=crash, TZ="UTC",
                                                        CRASH_OPTS="--no_modules" if sid else ""))
            if p.returncode:
                t.ok(variant, "oracle", False, "crash failed: %s" % vc.short(p.stderr))
                return None
            vc.atomic_write(path, open(out, "rb").read())
        print("%s: crash sys ran in %.1f s" % (variant, time.time() - t0), flush=True)
    with open(path, errors="replace") as f:
        text = f.read()
    fields = {}
    for line in text.splitlines():
        m = re.match(r"^\s*([A-Z_ ]+[A-Z]): (.*)$", line)
        if m and m.group(1).strip() not in fields:
            fields[m.group(1).strip()] = m.group(2).strip()
    fields["_sid"] = sid
    return fields


NEEDS = "needs --system-map or --vmlinux (this kernel's kallsyms has no data symbols)"
# sys fields and the globals they need; without data symbols each is there or a problem
# naming it with NEEDS.
NEEDS_FIELDS = {"cpus": "CPU masks", "load_average": "load average", "uptime_s": "uptime",
                "crash_time": "crash time", "taint": "tainted_mask",
                "totalram_pages": "totalram_pages"}


def drgn_sys(t, variant, dumpdir, meta):
    """sys_oracle.py's answers (drgn with the vmlinux), cached; None if drgn failed."""
    script = os.path.join(HERE, "sys_oracle.py")
    elf = meta["VMCORE_ELF"]
    path = os.path.join(vc.cache_dir(dumpdir, variant), "drgnsys-%s-%s.json" % (
        vc.dump_key(elf), vc.content_key(script)))
    if not os.path.exists(path):
        p = subprocess.run([vc.oracle_python(meta) or vc.PY, script, elf, meta["VMLINUX"]],
                           capture_output=True,
                           timeout=900)
        if p.returncode or not p.stdout.strip():
            t.ok(variant, "oracle", False, "drgn failed: %s" % vc.short(p.stderr.decode()))
            return None
        vc.atomic_write(path, p.stdout)
    with open(path) as f:
        return json.load(f)


def check_no_data_symbols(t, variant, dumpdir, meta, js, binary):
    """A kernel whose kallsyms has no data symbols (Debian's arm64 5.10 and 6.1): MEMORY from
    the root memory cgroup's nodes and CMDLINE from the log equal drgn's node_data[] and
    saved_command_line (with the vmlinux); every other field needing a global is there or
    says it needs --system-map; with --system-map all are there and the sources are the
    globals."""
    d = drgn_sys(t, variant, dumpdir, meta)
    if d is None:
        return
    mem = js.get("memory", {})
    t.ok(variant, "nosyms.memory", mem.get("present_pages") == d["present_pages"] and
         mem.get("present_source") == "memcg",
         lambda: "vmdive %s (%s), drgn node_data %s" % (mem.get("present_pages"),
                                                         mem.get("present_source"),
                                                         d["present_pages"]))
    t.ok(variant, "nosyms.cmdline", js.get("cmdline") == d["cmdline"] and
         js.get("cmdline_source") == "log",
         lambda: "vmdive %r (%s), drgn %r" % (js.get("cmdline"), js.get("cmdline_source"),
                                               d["cmdline"]))
    for key, what in NEEDS_FIELDS.items():
        there = js.get(key) is not None if key != "totalram_pages" else \
            mem.get("totalram_pages") is not None
        said = any(p.startswith(what) and p.endswith(NEEDS) for p in js["problems"])
        t.ok(variant, "nosyms.needs", there or said,
             lambda: "%s: neither there nor a problem saying %r: %s" % (key, NEEDS,
                                                                       js["problems"]))
    text = vd_text(binary, ["sys", meta["VMCORE_ELF"]])
    for field in ("CPUS", "UPTIME", "LOAD AVERAGE", "TAINTED_MASK"):
        m = re.search(r"^ *%s: (.*)$" % field, text, re.M)
        t.ok(variant, "nosyms.text", m is not None and m.group(1) != "",
             lambda: "no %s line (an empty field)" % field)
    rc, docs, err, _ = vd_json(binary, ["sys", "--json", "--system-map", meta["SYSTEM_MAP"],
                                        meta["VMCORE_ELF"]])
    if t.ok(variant, "nosyms.system-map-run", rc == 0 and len(docs) == 1, vc.short(err)):
        w = docs[0]
        t.ok(variant, "nosyms.system-map", w["complete"] and not w["no_data_symbols"] and
             w["memory"].get("present_pages") == d["present_pages"] and
             w["memory"].get("present_source") == "node_data" and
             w.get("cmdline") == d["cmdline"] and w.get("cmdline_source") == "saved_command_line",
             lambda: "with --system-map: complete %s, memory %s, cmdline %s, problems %s" % (
                 w["complete"], w["memory"], w.get("cmdline_source"), w["problems"]))


def vd_json(binary, args):
    p = subprocess.run([binary] + args, capture_output=True, timeout=600)
    out = p.stdout.decode(errors="replace")
    docs = [json.loads(l) for l in out.splitlines() if l.strip()]
    return p.returncode, docs, p.stderr.decode(errors="replace"), out


def vd_text(binary, args):
    p = subprocess.run([binary] + args, capture_output=True, timeout=600)
    return p.stdout.decode(errors="replace")


def check_sys(t, variant, text, cs, js, loglines):
    f = {}
    for line in text.splitlines():
        m = re.match(r"^\s*([A-Z_ -]+[A-Z]): (.*)$", line)
        if m and m.group(1).strip() not in f:
            f[m.group(1).strip()] = m.group(2).strip()
    keys = ["CPUS", "DATE", "UPTIME", "LOAD AVERAGE", "NODENAME", "RELEASE", "VERSION", "MACHINE",
            "MEMORY", "PANIC"]
    if cs["_sid"]:
        keys.append("TASKS")
    cp = cs.get("PANIC", "")
    vp = f.get("PANIC", "")
    if not cs["_sid"] and cp != vp:
        # crash 8.0.2 took the first panic-like line in log order (8.0.4 changed it to an
        # order of severity, which vmdive follows): its line must be in the log before
        # vmdive's "Kernel panic - " line.
        keys.remove("PANIC")
        line = re.sub(r' \(check log for details\)$', "", cp)[1:-1]
        ours = re.sub(r' \(check log for details\)$', "", vp)[1:-1]
        t.ok(variant, "sys.PANIC-8.0.2", line in loglines and ours in loglines and
             loglines.index(line) < loglines.index(ours) and ours.startswith("Kernel panic - "),
             lambda: "crash %s, vmdive %s" % (cp, vp))
    if cs["_sid"] and cs.get("DATE", "").startswith("Thu Jan  1 00:00:00"):
        # sid's crash (9.0.2) reads no timekeeper on 7.2 (DATE is the epoch) and gets its
        # UPTIME wrong there (00:03:48 for a 13 s boot): held to the independent checks only
        keys.remove("DATE")
        keys.remove("UPTIME")
    for k in keys:
        t.ok(variant, "sys." + k, f.get(k) == cs.get(k),
             lambda: "%s: vmdive %r crash %r" % (k, f.get(k), cs.get(k)))
    tm = cs.get("TAINTED_MASK")
    if tm is not None:
        t.ok(variant, "sys.TAINTED_MASK", int(tm.split()[0], 16) == int(js["taint"]["mask"], 16),
             lambda: "vmdive %s crash %s" % (js["taint"]["mask"], tm))


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    binary = os.path.abspath(sys.argv[1])
    t = vc.Tally()
    table = skip_table()
    t.ok("setup", "skip table", len(table[0]) > 50, "docs/triage.md has no skip table")
    vs = all_variants()
    if not vs:
        t.ok("setup", "dumps", False, "no dumps under %s" % vc.DUMPS)
        return t.finish()
    # crash sessions, two at a time (one per dump, cached)
    with concurrent.futures.ThreadPoolExecutor(max_workers=vc.JOBS) as ex:
        crash = dict(zip([v for v, _, _ in vs],
                         ex.map(lambda x: crash_sys(t, *x), vs)))
    singles = {}
    sigs = {}
    for variant, dumpdir, meta in vs:
        elf = meta["VMCORE_ELF"]
        mode = meta.get("CRASH_KIND", "sysrq")
        rc, docs, err, raw = vd_json(binary, ["triage", "--json", elf])
        ok = t.ok(variant, "triage.run", rc == 0 and len(docs) == 1 and not vc.SANITIZER.search(err),
                  lambda: "exit %d, %d documents: %s" % (rc, len(docs), vc.short(err)))
        if not ok:
            continue
        j = docs[0]
        singles[elf] = raw
        for k in ("kind", "message", "cpu", "task", "frames", "guilty", "signature", "duphash",
                  "taint", "uptime_s", "release", "build_id", "complete", "signature_version"):
            t.ok(variant, "triage.keys", k in j, "no key %s" % k)
        # what keeps a report partial must be said
        t.ok(variant, "triage.complete", j["complete"] == (not j["problems"]),
             lambda: "complete %s, problems: %s" % (j["complete"], j["problems"]))
        sigs.setdefault(mode, {})[variant] = j["signature"]
        # sys against crash
        cs = crash.get(variant)
        rc, sdocs, err, _ = vd_json(binary, ["sys", "--json", elf])
        t.ok(variant, "sys.run", rc == 0 and len(sdocs) == 1 and
             sdocs[0]["complete"] == (not sdocs[0]["problems"]),
             lambda: "exit %d: %s %s" % (rc, vc.short(err), sdocs and sdocs[0].get("problems")))
        if cs and sdocs:
            check_sys(t, variant, vd_text(binary, ["sys", elf]), cs, sdocs[0],
                      vd_text(binary, ["log", "-t", elf]).splitlines())
        if sdocs and sdocs[0].get("no_data_symbols"):
            check_no_data_symbols(t, variant, dumpdir, meta, sdocs[0], binary)
        # against the kernel's own printout
        exp = expected(mode, console(meta), table)
        if not t.ok(variant, "console", exp is not None, "no crash header in console.log"):
            continue
        msg, pid, comm, guilty = exp
        t.ok(variant, "triage.kind", j["kind"] == KINDS.get(mode),
             lambda: "vmdive %s, made as %s" % (j["kind"], mode))
        t.ok(variant, "triage.message", j["message"] == msg,
             lambda: "vmdive %r log %r" % (j["message"], msg))
        m = re.search(r"(?:address:|virtual address|non-canonical address) +(?:0x)?([0-9a-f]+)",
                      msg or "")
        if m:
            # the fault address the kernel printed in its header (x86_64 "address: ",
            # arm64 "at virtual address ")
            t.ok(variant, "triage.fault-address", j.get("fault_address") is not None and
                 vc.h(j["fault_address"]) == int(m.group(1), 16),
                 lambda: "vmdive %s, log %s" % (j.get("fault_address"), m.group(1)))
        task = j["task"] or {}
        t.ok(variant, "triage.task", task.get("pid") == pid and task.get("comm") == comm,
             lambda: "vmdive %s(%s) log %s(%s)" % (task.get("pid"), task.get("comm"), pid, comm))
        g = j["guilty"] or {}
        got = (base(g.get("symbol")), g.get("module"))
        if j["error"] and not any(base(f["symbol"]) in ("panic", "vpanic")
                                  for f in j["frames"]):
            # bt could not unwind the panic task through panic() (arm64 sid): no guilty
            # frame, and the report must say so rather than name where the unwinder stopped
            t.ok(variant, "triage.guilty-none", j["guilty"] is None and not j["complete"] and
                 any("before reaching panic" in p for p in j["problems"]),
                 lambda: "trace ended early (%s) but guilty %s" % (j["error"], got))
        elif guilty is not None and got != guilty[:2] and meta.get("ARCH") == "arm64":
            # arm64's log names a return address after a noreturn call (bl panic at the end
            # of a function) by the function that follows: the same address, named so
            _, sd, _, _ = vd_json(binary, ["sym", "--json", elf, guilty[3]])
            at = vc.h(sd[0][0].get("address") or sd[0][0].get("symbol_address")) \
                if sd and sd[0] and "error" not in sd[0][0] else None
            t.ok(variant, "triage.guilty-arm64-next", at is not None and
                 at + guilty[2] == vc.h(g["pc"]),
                 lambda: "vmdive %s at %s, log %s+0x%x at %s" % (
                     got, g.get("pc"), guilty[3], guilty[2], at and hex(at)))
        elif mode == "mce" and guilty is None and mce_rip(console(meta)):
            # The machine check hit an interrupt handler the skip table passes over (here the
            # timer's, interrupting the module's wait): the record names no guilty frame.
            # vmdive's trace must pass through the recorded function, and its guilty frame be
            # the first one after it the table does not skip.
            rip = mce_rip(console(meta))
            fr = j["frames"]
            at = next((i for i, f in enumerate(fr) if base(f["symbol"]) == base(rip)), None)
            gi = g.get("index")
            t.ok(variant, "triage.guilty-mce-interrupted",
                 at is not None and gi is not None and gi > at and
                 all(skipped(fr[k]["symbol"], table) for k in range(at, gi)) and
                 not skipped(fr[gi]["symbol"], table),
                 lambda: "log RIP %s at frame %s, vmdive guilty %s at %s" % (rip, at, got, gi))
        else:
            t.ok(variant, "triage.guilty", guilty is not None and got == guilty[:2],
                 lambda: "vmdive %s log %s" % (got, guilty))
        if j["guilty"] is not None:
            t.ok(variant, "triage.guilty-in-frames",
                 j["frames"][g["index"]]["symbol"] == g["symbol"],
                 "guilty index does not point at its frame")
        # the kernel's own clocks: uptime against the last console timestamp, the crash
        # time no later than the dump file and not long before it
        last = [float(x) for x in re.findall(r"^\[ *([0-9]+\.[0-9]+)\]", open(
            meta["CONSOLE_LOG"], errors="replace").read(), re.M)]
        if j["uptime_s"] is not None and last and meta.get("ARCH", "x86_64") == "x86_64":
            t.ok(variant, "triage.uptime-vs-log", abs(j["uptime_s"] - last[-1]) <= 2,
                 lambda: "uptime %s s, last console timestamp %.1f s" % (j["uptime_s"], last[-1]))
        ct = j["sys"].get("crash_time")
        if ct is not None:
            mt = os.path.getmtime(elf)
            t.ok(variant, "sys.date-vs-file", 0 <= mt - ct <= 900,
                 lambda: "crash time %d, dump written %d" % (ct, mt))
    # signatures: the same bug twice matches; different kinds differ
    null = sigs.get("null", {})
    for first in ("crash-null", "arm64-crash-null"):
        second = first + "-2"
        if first in null and second in null:
            t.ok("signature", "same-bug " + first.split("crash")[0] + "x2",
                 null[first] == null[second],
                 lambda: "%s %s %s %s" % (first, null[first], second, null[second]))
        else:
            t.skip("signature", "%s and %s are not both there" % (first, second))
    one = {}
    for mode, d in sigs.items():
        for variant, s in d.items():
            if variant.startswith(("crash-", "arm64-crash-")) or mode == "sysrq":
                one.setdefault((mode, variant.startswith("arm64")), s)
    kinds = sorted(one)
    for i, a in enumerate(kinds):
        for b in kinds[i + 1:]:
            if a[0] != b[0]:
                t.ok("signature", "different-bugs", one[a] != one[b],
                     lambda: "%s and %s share %s" % (a, b, one[a]))
    # batch: --jobs 2 equals the single runs, and a truncated dump gives a partial report
    elfs = [m["VMCORE_ELF"] for _, _, m in vs if m["VMCORE_ELF"] in singles]
    with tempfile.TemporaryDirectory() as tmp:
        src = next((m for v, _, m in vs if v == "kaslr"), vs[0][2])["VMCORE_ELF"]
        trunc = os.path.join(tmp, "truncated.elf")
        size = os.path.getsize(src)
        with open(src, "rb") as fi, open(trunc, "wb") as fo:
            left = size * 2 // 5
            while left > 0:
                b = fi.read(min(left, 1 << 20))
                if not b:
                    break
                fo.write(b)
                left -= len(b)
        batch = elfs[:1] + [trunc] + elfs[1:]
        rc, docs, err, raw = vd_json(binary, ["triage", "--json", "--jobs", "2"] + batch)
        t.ok("batch", "run", len(docs) == len(batch) and not vc.SANITIZER.search(err),
             lambda: "%d documents for %d dumps: %s" % (len(docs), len(batch), vc.short(err)))
        lines = raw.splitlines()
        for i, path in enumerate(batch):
            if i >= len(lines):
                break
            if path == trunc:
                d = json.loads(lines[i])
                t.ok("batch", "truncated-partial", d["complete"] is False and d["problems"] and
                     any("truncat" in p or "damage" in p or "not in the dump" in p
                         for p in d["problems"]),
                     lambda: "truncated dump: complete %s problems %s" % (d["complete"],
                                                                          d["problems"]))
                continue
            t.ok("batch", "equals-single", lines[i] + "\n" == singles[path],
                 lambda: "%s differs from its single run" % path)
        rc, g, err, _ = vd_json(binary, ["triage", "--json", "--group", "--jobs", "2"] + batch)
        if t.ok("batch", "group-run", len(g) == 1, lambda: vc.short(err)):
            total = sum(x["count"] for x in g[0]["groups"])
            t.ok("batch", "group-counts", total == len(batch) and
                 sorted(p for x in g[0]["groups"] for p in x["dumps"]) == sorted(batch),
                 lambda: "groups hold %d of %d dumps" % (total, len(batch)))
    for variant, _, _ in vs:
        t.summary(variant)
    t.summary("signature")
    t.summary("batch")
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
