#!/usr/bin/python3
"""vdcheck: compare vmdive with drgn and crash on the real dumps of samples/make-dumps.sh.

    /usr/bin/python3 tests/real/vdcheck.py translate VMDIVE    # test_x86_64_translate.sh
    /usr/bin/python3 tests/real/vdcheck.py vs-crash  VMDIVE    # test_x86_64_vs_crash.sh
    /usr/bin/python3 tests/real/vdcheck.py formats   VMDIVE    # test_formats_agree.sh
    /usr/bin/python3 tests/real/vdcheck.py drgn-json VARIANT   # path of the cached drgn JSON

Every answer vmdive gives is compared with an oracle's answer about the SAME dump file (dumps
differ at every boot).  The oracles are tests/oracle/drgn_oracle.py (on vmcore.elf: ~1270
kernel VAs over every region with drgn's PA and the sha256 of the 64 bytes there, plus info)
and tests/oracle/crash_oracle.sh (`sys`, `vtop -k`, `rd`).  Their outputs depend only on the
dump (and on the oracle scripts), so they are cached next to the dump:
    $DUMPDIR/oracle/drgn-<size>-<mtime_ns>-<hash of drgn_oracle.py>.json
    $DUMPDIR/oracle/crash-<file>-<size>-<mtime_ns>-<hash of the command file>.out
(or under $XDG_CACHE_HOME/vmdive-oracle/ when the dump directory is not writable).  Nothing
vmdive prints is ever cached.

Each comparison is one check; the output ends with the line "N passed, M failed" and the
exit status is 1 if any check failed (or if no dumps exist: run samples/make-dumps.sh).

Environment:
    VMDIVE_DUMPS       dumps (default $VMDIVE_CACHE/dumps, as in samples/make-dumps.sh, i.e.
                       /var/cache/vmdive/dumps), variants kaslr nokaslr la57, and for
                       `translate` kaslr-6.12 too (crash 8.0.2 starts on 6.12 only with
                       --minimal, which has no vtop; there are no makedumpfile outputs of it)
    VMDIVE_VARIANTS    only these variants (space separated), e.g. "kaslr"
    VD_JOBS            `vmdive rd` processes at a time (default: number of CPUs)
    VD_FORMAT_SAMPLES  samples read per file in `formats` (default 300; "all" for every one)
    VD_MAX_DETAILS     mismatch lines printed (default 20)
"""
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ORACLE_DIR = os.path.join(os.path.dirname(HERE), "oracle")
sys.path.insert(0, ORACLE_DIR)
import crash_parse                                   # noqa: E402  (tests/oracle)

PY = "/usr/bin/python3"                              # Debian's python: it has drgn
DUMPS = os.environ.get("VMDIVE_DUMPS") or os.path.join(
    os.environ.get("VMDIVE_CACHE", "/var/cache/vmdive"), "dumps")
VARIANTS = ("kaslr", "nokaslr", "la57")               # crash and makedumpfile outputs too
# The kernels every real-dump check covers, one variant each besides the 6.1 set above
# (samples/make-dumps.sh's VARIANTS table): Debian 12's 6.12, Debian 11's 5.10 and the newest
# kernel of Debian sid, on x86_64 and arm64.  A missing one is a SKIP (exit 77), never a pass.
X86_KERNELS = ("kaslr-5.10", "kaslr-6.12", "kaslr-sid")
ARM64_KERNELS = ("arm64-5.10", "arm64-6.12", "arm64-16k-6.12", "arm64-sid", "arm64-16k-sid")
TRANSLATE_VARIANTS = VARIANTS + X86_KERNELS
CACHE = os.environ.get("VMDIVE_CACHE", "/var/cache/vmdive")
# sid's drgn and crash, unpacked by samples/make-dumps.sh (sid_oracles): Debian 12's drgn
# 0.0.22 fails on sid's 7.x ("recursive address translation; page table may be missing") and
# crash 8.0.2 predates it.
SID_ORACLES = os.path.join(CACHE, "sid-oracles", "amd64", "bin")
JOBS = max(1, int(os.environ.get("VD_JOBS", os.cpu_count() or 2)))
MAX_DETAILS = int(os.environ.get("VD_MAX_DETAILS", "20"))
TIMEOUT = 600                                        # per vmdive/oracle process: never hang
ZERO64 = bytes(64)
SANITIZER = re.compile(r"Sanitizer|runtime error:")
# drgn_oracle.py's region of a sample -> the region vmdive's layout must put it in.
REGION = {"directmap": "direct map", "ktext": "kernel text mapping",
          "kdata": "kernel text mapping", "module": "modules",
          "vmalloc": "vmalloc/ioremap", "vmemmap": "vmemmap",
          "noncanonical": "non-canonical hole"}


def h(x):
    return None if x is None else int(x, 16) if isinstance(x, str) else int(x)


def sha(b):
    return None if b is None else hashlib.sha256(b).hexdigest()


def short(s, n=160):
    s = " ".join(str(s).split())
    return s if len(s) <= n else s[:n] + "..."


# --- bookkeeping -----------------------------------------------------------------------------

class Tally:
    """Counts checks; prints the first MAX_DETAILS mismatches."""

    def __init__(self):
        self.passed = self.failed = self.shown = 0
        self.cats = {}                               # scope -> {category: [pass, fail]}
        self.skipped = []                            # (scope, why)

    def skip(self, scope, why):
        """A check that could not run here (no such dump, no oracle for it): said, counted,
        and the exit status is 77 (CTest's skip) unless something failed."""
        self.skipped.append((scope, why))
        print("SKIP %s: %s" % (scope, why), flush=True)

    def ok(self, scope, cat, cond, detail=""):
        c = self.cats.setdefault(scope, {}).setdefault(cat, [0, 0])
        if cond:
            self.passed += 1
            c[0] += 1
            return True
        self.failed += 1
        c[1] += 1
        if self.shown < MAX_DETAILS:
            self.shown += 1
            print("MISMATCH %s %s: %s" % (scope, cat, detail() if callable(detail) else detail),
                  flush=True)
        return False

    def summary(self, scope, t0=None):
        """One line for scope and its sub-scopes ("kaslr" includes "kaslr/flat-d31")."""
        cats = {}
        for sc, cs in self.cats.items():
            if sc == scope or sc.startswith(scope + "/"):
                for k, c in cs.items():
                    acc = cats.setdefault(k, [0, 0])
                    acc[0] += c[0]
                    acc[1] += c[1]
        p = sum(c[0] for c in cats.values())
        f = sum(c[1] for c in cats.values())
        parts = ["%s %d/%d" % (k, c[0], c[0] + c[1]) for k, c in cats.items()]
        print("%s: %d passed, %d failed  [%s]%s" % (
            scope, p, f, ", ".join(parts), " (%.1f s)" % (time.time() - t0) if t0 else ""),
            flush=True)

    def finish(self):
        if self.failed > self.shown:
            print("(%d more mismatches not shown; VD_MAX_DETAILS=N shows more)"
                  % (self.failed - self.shown))
        if self.skipped:
            print("%d passed, %d failed, %d skipped (%s)" % (
                self.passed, self.failed, len(self.skipped),
                ", ".join(sorted(set(sc for sc, _ in self.skipped)))), flush=True)
            return 1 if self.failed else 77
        print("%d passed, %d failed" % (self.passed, self.failed), flush=True)
        return 1 if self.failed or not self.passed else 0


# --- the dumps -------------------------------------------------------------------------------

def load_env(path):
    """meta.env / mdf.env (written with printf %q) -> dict."""
    env = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                for tok in shlex.split(line):
                    k, _, v = tok.partition("=")
                    env[k] = v
    return env


def have_dump(t, variant, env=None):
    """meta.env of a finished dump of variant, or None after a SKIP saying how to make it."""
    d = os.path.join(DUMPS, variant)
    if os.path.exists(os.path.join(d, "meta.env")) and os.path.exists(os.path.join(d, "done")):
        meta = load_env(os.path.join(d, "meta.env"))
        if os.path.exists(meta.get("VMCORE_ELF", "")):
            return meta
    t.skip(variant, "no dump in %s (samples/make-dumps.sh --variant %s makes it)" % (d, variant))
    return None


# Debian 12's drgn 0.0.22 cannot translate a single address of Debian 11's arm64 5.10 dump
# ("recursive address translation; page table may be missing from core dump"): its KASLR puts
# memstart_addr (PHYS_OFFSET) below 0 and VMCOREINFO has no VMEMMAP_START.  sid's drgn can.
NEWER_DRGN = ("arm64-5.10",)


def oracle_python(meta):
    """The python whose drgn reads this dump's kernel: Debian 12's (drgn 0.0.22: 5.10 to
    6.12) or, for sid's kernel (and NEWER_DRGN), sid's python and drgn; None when that is not
    there."""
    if meta.get("SUITE") == "sid" or meta.get("VARIANT") in NEWER_DRGN:
        p = os.path.join(SID_ORACLES, "python3")
        return p if os.access(p, os.X_OK) else None
    return PY


def oracle_crash(meta):
    """The crash that reads this dump's kernel: Debian 12's crash 8.0.2, or sid's for sid's
    kernel (x86_64 dumps only: crash reads the architecture it was built for); None if none."""
    if meta.get("SUITE") == "sid":
        p = os.path.join(SID_ORACLES, "crash")
        return p if os.access(p, os.X_OK) and meta.get("ARCH", "x86_64") == "x86_64" else None
    return "crash"


def variants(t, names=VARIANTS, listed_only=True, say_missing=True, make="--makedumpfile"):
    """[(name, dumpdir, meta)] of the variants whose dumps exist; a failed check if none.
    $VMDIVE_VARIANTS picks among names (any variant with listed_only=False); a missing dump
    is a SKIP, or passed over in silence with say_missing=False."""
    want = [v for v in os.environ.get("VMDIVE_VARIANTS", " ".join(names)).split()
            if v in names or not listed_only]
    out = []
    for v in want:
        d = os.path.join(DUMPS, v)
        if say_missing:
            meta = have_dump(t, v)
        elif os.path.exists(os.path.join(d, "meta.env")) and os.path.exists(os.path.join(d, "done")):
            meta = load_env(os.path.join(d, "meta.env"))
        else:
            meta = None
        if meta is not None:
            out.append((v, d, meta))
    if not out:
        t.ok("setup", "dumps", False,
             "no dumps under %s (variants %s): run `samples/make-dumps.sh %s` "
             "first (as root)" % (DUMPS, " ".join(want), make))
    return out


def cache_dir(dumpdir, variant):
    # $VMDIVE_ORACLE_CACHE: a directory of one's own (an oracle being changed must not
    # replace the answers other checkouts share beside the dumps).
    own = os.environ.get("VMDIVE_ORACLE_CACHE")
    if own:
        d = os.path.join(own, variant)
        os.makedirs(d, exist_ok=True)
        return d
    d = os.path.join(dumpdir, "oracle")
    try:
        os.makedirs(d, exist_ok=True)
        if os.access(d, os.W_OK):
            return d
    except OSError:
        pass
    d = os.path.join(os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")),
                     "vmdive-oracle", variant)
    os.makedirs(d, exist_ok=True)
    return d


def dump_key(path):
    st = os.stat(path)
    return "%d-%d" % (st.st_size, st.st_mtime_ns)


def content_key(*blobs):
    x = hashlib.sha256()
    for b in blobs:
        x.update(b if isinstance(b, bytes) else open(b, "rb").read())
    return x.hexdigest()[:12]


def drop_stale(path, prefix, suffix=""):
    """Remove the older answers beside PATH (same PREFIX and SUFFIX, another name): one
    answer set per dump and question list is kept."""
    cdir = os.path.dirname(path)
    for old in os.listdir(cdir):
        if old.startswith(prefix) and old.endswith(suffix) and old != os.path.basename(path):
            try:
                os.unlink(os.path.join(cdir, old))
            except FileNotFoundError:                # a concurrent test removed it
                pass


def atomic_write(path, data):
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def cached_json(name, dump, key, compute, script):
    """compute()'s answer (JSON-able), computed once and kept in the oracle cache beside DUMP
    as NAME-DUMPFILE-KEY.json: keyed by the dump file (size and time), KEY (a string naming
    everything else the answer depends on: the vmlinux, the addresses, the oracle and its
    options) and SCRIPT (the file that asks: a change to how the oracle is asked invalidates
    it).  An empty answer (a failed oracle) is not kept; one answer per NAME and dump is."""
    dumpdir = os.path.dirname(os.path.abspath(dump))
    cdir = cache_dir(dumpdir, os.path.basename(dumpdir))
    prefix = "%s-%s-" % (name, os.path.basename(dump))
    path = os.path.join(cdir, "%s%s.json" % (prefix, content_key(
        ("%s|%s" % (dump_key(dump), key)).encode(), script)))
    if os.path.exists(path):
        with open(path) as f:
            return json.load(f)
    ret = compute()
    if ret:
        atomic_write(path, json.dumps(ret).encode())
        drop_stale(path, prefix, ".json")
    return ret


def drgn_oracle(t, variant, dumpdir, meta):
    """drgn's answers about vmcore.elf (cached); None (and a failed check) if drgn failed."""
    path = drgn_oracle_file(t, variant, dumpdir, meta)
    if path is None:
        return None
    with open(path) as f:
        return json.load(f)


def drgn_oracle_file(t, variant, dumpdir, meta):
    """The cached drgn_oracle.py JSON of vmcore.elf (made if missing), or None."""
    script = os.path.join(ORACLE_DIR, "drgn_oracle.py")
    elf = meta["VMCORE_ELF"]
    cdir = cache_dir(dumpdir, variant)
    path = os.path.join(cdir, "drgn-%s-%s.json" % (dump_key(elf), content_key(script)))
    if not os.path.exists(path):
        t0 = time.time()
        with tempfile.NamedTemporaryFile(suffix=".json", dir=cdir, delete=False) as tmp:
            pass
        py = oracle_python(meta)
        if py is None:
            os.unlink(tmp.name)
            t.skip(variant, "no drgn for this kernel (samples/make-dumps.sh --variant %s "
                   "fetches sid's)" % variant)
            return None
        p = subprocess.run([py, script, "--vmcore", elf, "--vmlinux", meta["VMLINUX"],
                            "--json", tmp.name], capture_output=True, text=True,
                           timeout=TIMEOUT)
        if p.returncode != 0:
            os.unlink(tmp.name)
            t.ok(variant, "oracle", False, "drgn_oracle.py failed (exit %d): %s"
                 % (p.returncode, short(p.stderr, 600)))
            return None
        os.replace(tmp.name, path)
        for old in os.listdir(cdir):                 # one drgn answer per dump is enough
            if old.startswith("drgn-") and old.endswith(".json") and \
                    old != os.path.basename(path):
                try:
                    os.unlink(os.path.join(cdir, old))
                except FileNotFoundError:            # a concurrent test removed it
                    pass
        print("%s: drgn oracle ran in %.1f s -> %s" % (variant, time.time() - t0, path),
              flush=True)
    return path


def crash_oracle(t, variant, dumpdir, dump, vmlinux, cmds, crash="crash"):
    """crash's output for the command file on dump (cached), parsed; None on failure.
    crash: the crash binary (oracle_crash(meta))."""
    cdir = cache_dir(dumpdir, variant)
    prefix = "crash-%s-" % os.path.basename(dump)
    path = os.path.join(cdir, "%s%s-%s.out" % (prefix, dump_key(dump),
                                               content_key(cmds.encode())))
    if not os.path.exists(path):
        t0 = time.time()
        with tempfile.TemporaryDirectory() as tmp:
            cf, out = os.path.join(tmp, "cmds"), os.path.join(tmp, "out")
            with open(cf, "w") as f:
                f.write(cmds)
            p = subprocess.run([os.path.join(ORACLE_DIR, "crash_oracle.sh"), dump,
                                vmlinux, cf, out], capture_output=True, text=True,
                               timeout=TIMEOUT, env=dict(os.environ, CRASH=crash))
            if p.returncode != 0:
                t.ok(variant, "oracle", False, "crash_oracle.sh failed (exit %d): %s" % (
                    p.returncode, short(p.stderr, 600)))
                return None
            atomic_write(path, open(out, "rb").read())
            for old in os.listdir(cdir):
                if old.startswith(prefix) and old.endswith(".out") and \
                        old != os.path.basename(path):
                    try:
                        os.unlink(os.path.join(cdir, old))
                    except FileNotFoundError:
                        pass
        print("%s: crash oracle ran in %.1f s -> %s" % (variant, time.time() - t0, path),
              flush=True)
    with open(path, errors="replace") as f:
        return crash_parse.parse(f.read())


# --- vmdive ----------------------------------------------------------------------------------

class Vmdive:
    def __init__(self, binary):
        self.bin = binary
        self.spawns = 0

    def run(self, args):
        self.spawns += 1
        p = subprocess.run([self.bin] + args, capture_output=True, timeout=TIMEOUT)
        return p.returncode, p.stdout, p.stderr.decode(errors="replace")

    def json(self, args):
        """(parsed JSON or None, exit status, stderr)."""
        rc, out, err = self.run(args)
        try:
            return json.loads(out), rc, err
        except ValueError:
            return None, rc, err

    def vtop(self, dumps, vas, extra=(), chunk=400):
        """{va: vmdive's answer}; a VA without an answer maps to {"error": why}."""
        res = {}
        for i in range(0, len(vas), chunk):
            part = vas[i:i + chunk]
            j, rc, err = self.json(["vtop", "--json"] + list(extra) + list(dumps) +
                                   ["0x%x" % va for va in part])
            if SANITIZER.search(err):
                j = None
            if not isinstance(j, list):
                why = "vtop exit %d, no JSON: %s" % (rc, short(err))
                res.update((va, {"error": why, "pa": None}) for va in part)
                continue
            for e in j:
                if isinstance(e, dict) and "va" in e:
                    res[h(e["va"])] = e
        return res

    def rd_many(self, tasks, chunk=4000):
        """tasks: [(key, dumps, va)] -> {key: (exit, 64 bytes or None, stderr)}: the answer of
        one `vmdive rd` of 64 bytes at va.  Read with `vmdive rd --json -n 64 DUMPS VA...`
        (one process per chunk of VAs on the same files, up to JOBS at a time): a complete
        read is (0, bytes, ""); an incomplete one (1, bytes with zeros, "vmdive: rd: " + its
        first reason), as a lone `vmdive rd` exits and reports; a process that died or gave
        no JSON fails every VA of its chunk."""
        res, jobs = {}, []
        groups = {}
        for key, dumps, va in tasks:
            groups.setdefault(tuple(dumps), []).append((key, va))
        for dumps, items in groups.items():
            n = max(1, min(chunk, -(-len(items) // JOBS)))
            jobs += [(dumps, items[i:i + n]) for i in range(0, len(items), n)]
        running = []

        def finish(p, dumps, items):
            out, err = p.communicate(timeout=TIMEOUT)
            try:
                j = json.loads(out)
            except ValueError:
                j = None
            if SANITIZER.search(err) or not isinstance(j, list) or len(j) != len(items):
                for key, _ in items:
                    res[key] = (p.returncode if p.returncode else -1, None,
                                "vmdive rd --json -n 64 (%d VAs) exit %d, no usable JSON: %s"
                                % (len(items), p.returncode, short(err, 400)))
                return
            for (key, va), e in zip(items, j):
                data = bytes.fromhex(e.get("hex") or "") if isinstance(e, dict) else b""
                if not isinstance(e, dict) or h(e.get("addr")) != va or len(data) != 64:
                    res[key] = (-1, None, "vmdive rd: answer %r for 0x%x" % (e, va))
                elif e.get("complete"):
                    res[key] = (0, data, "")
                else:
                    res[key] = (1, data, "vmdive: rd: %s" % e.get("error"))
        for dumps, items in jobs:
            if len(running) >= JOBS:
                finish(*running.pop(0))
            self.spawns += 1
            p = subprocess.Popen([self.bin, "rd", "--json", "-n", "64"] + list(dumps) +
                                 ["0x%x" % va for _, va in items], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
            running.append((p, dumps, items))
        while running:
            finish(*running.pop(0))
        return res


# --- checks shared by the tests --------------------------------------------------------------

def check_xlat(t, scope, s, v, cat="vtop"):
    """vmdive's vtop answer v against drgn's sample s."""
    va, reg = s["va"], s["region"]
    if v is None:
        return t.ok(scope, cat, False, "%s %s: vmdive gave no answer" % (va, reg))
    vpa = v.get("pa")
    if s["pa"] is not None:
        return t.ok(scope, cat, vpa is not None and h(vpa) == h(s["pa"]),
                    lambda: "%s %s %s: drgn pa %s, vmdive %s" % (
                        va, reg, s["detail"], s["pa"], vpa or v.get("error")))
    # drgn cannot translate it: vmdive must refuse too, for the same reason.
    if s["error"] == "non-canonical":
        good = vpa is None and "non-canonical" in (v.get("error") or "")
    elif s["error"] == "address is not mapped":
        good = vpa is None and v.get("error_kind") == "not present"
    else:
        good = vpa is None
    return t.ok(scope, cat, good, lambda: "%s %s %s: drgn '%s', vmdive pa %s error_kind %s (%s)"
                % (va, reg, s["detail"], s["error"], vpa, v.get("error_kind"), v.get("error")))


def sane_failure(rc, err):
    """vmdive refused cleanly: exit 1 and its own message, not a sanitizer abort."""
    return rc == 1 and "vmdive" in err and not SANITIZER.search(err)


def check_read(t, scope, s, r, cat="rd"):
    rc, data, err = r
    va, reg = s["va"], s["region"]
    if s["sha256"]:
        good = rc == 0 and data is not None and len(data) == 64 and sha(data) == s["sha256"] \
            and not SANITIZER.search(err)
    else:                                            # drgn could not read all 64 bytes
        good = sane_failure(rc, err)
    return t.ok(scope, cat, good, lambda: "%s %s: drgn %s; vmdive rd exit %d sha256 %s %s" % (
        va, reg, (s["sha256"] or "")[:16] or s["read_error"], rc,
        (sha(data) or "-")[:16], short(err)))


def signed_hex(s):
    """info --json's signed offsets: "-0x..." or "0x..." (docs/json.md); None as is."""
    if not isinstance(s, str) or not re.match(r"^-?0x[0-9a-f]+$", s):
        return None if s is None else ("not a signed hex string: %r" % (s,))
    return -int(s[1:], 16) if s.startswith("-") else int(s, 16)


def check_info(t, scope, j, di, cat, rc=0, err=""):
    """vmdive info --json against drgn's info."""
    if not isinstance(j, dict) or rc != 0:
        return t.ok(scope, cat, False, "info exit %d, no JSON: %s" % (rc, short(err)))
    p, u = j.get("paging") or {}, j.get("utsname") or {}
    pairs = [
        ("page_offset_base", h(p.get("page_offset_base")), h(di["page_offset_base"])),
        ("vmalloc_base", h(p.get("vmalloc_base")), h(di["vmalloc_base"])),
        ("vmemmap_base", h(p.get("vmemmap_base")), h(di["vmemmap_base"])),
        ("phys_base", signed_hex(p.get("phys_base")), di["phys_base_signed"]),
        ("kaslr_offset", h(p.get("kaslr_offset")), h(di["kernel_offset"])),
        ("levels", p.get("levels"), 5 if di["pgtable_l5_enabled"] else 4),
        ("va_bits", p.get("va_bits"), di["va_bits"]),
        ("osrelease", j.get("osrelease"), di["osrelease"]),
        ("utsname.release", u.get("release"), di["osrelease"]),
        ("utsname.machine", u.get("machine"), di["machine"]),
        ("utsname.version", u.get("version"), di["version"]),
        # QEMU writes one NT_PRSTATUS per vCPU the VM has: the present CPUs.  Online is 1
        # (the panicking CPU stopped the others); possible may exceed present (maxcpus).
        ("cpus (PRSTATUS notes) = cpus_present", len(j.get("cpus") or []), di["cpus_present"]),
    ]
    def fmt(name, x):                                # addresses in hex
        return hex(x) if isinstance(x, int) and x >= 0 and name.endswith(("base", "offset")) \
            else repr(x)
    for name, got, want in pairs:
        t.ok(scope, cat, got == want, lambda: "%s: vmdive %s, drgn %s" % (
            name, fmt(name, got), fmt(name, want)))


def spread(lst, n):
    """n elements of lst, evenly spaced (deterministic)."""
    if n >= len(lst):
        return list(lst)
    return [lst[(i * len(lst)) // n] for i in range(n)]


def special(s):
    """Samples on an edge: untranslatable, unreadable, crossing a page, first/last of RAM."""
    return (s["pa"] is None or s["sha256"] is None or (h(s["va"]) & 0xfff) > 0xfc0
            or s["detail"].startswith(("first byte", "last 64")))


# --- test 1: translations, bytes, info, ptov on vmcore.elf -----------------------------------

def cmd_translate(vm):
    t = Tally()
    for variant, dumpdir, meta in variants(t, TRANSLATE_VARIANTS):
        t0 = time.time()
        d = drgn_oracle(t, variant, dumpdir, meta)
        if d is None:
            t.summary(variant, t0)
            continue
        elf, di, samples = meta["VMCORE_ELF"], d["info"], d["samples"]
        vas = [h(s["va"]) for s in samples]
        # (a) translations, and the region vmdive's layout puts each address in
        vt = vm.vtop([elf], vas)
        for s in samples:
            v = vt.get(h(s["va"]))
            check_xlat(t, variant, s, v)
            if s["region"] in REGION and v is not None:
                t.ok(variant, "region", v.get("region") == REGION[s["region"]],
                     lambda: "%s %s: vmdive region %r" % (s["va"], s["region"], v.get("region")))
        # (b) the 64 bytes at each VA
        rd = vm.rd_many([(h(s["va"]), [elf], h(s["va"])) for s in samples])
        for s in samples:
            check_read(t, variant, s, rd[h(s["va"])])
        # (c) info: page-table probe (no symbols) and the vmlinux path
        j, rc, err = vm.json(["info", "--json", elf])
        check_info(t, variant, j, di, "info(probe)", rc, err)
        j, rc, err = vm.json(["info", "--json", "--vmlinux", meta["VMLINUX"], elf])
        check_info(t, variant, j, di, "info(vmlinux)", rc, err)
        # (d) ptov: the PA of a direct-map (kernel-image) sample gives back its VA, and every
        # VA ptov names really maps that PA (checked with vmdive's own vtop).
        dm = spread([s for s in samples if s["region"] == "directmap" and s["pa"]], 40)
        kt = spread([s for s in samples if s["region"] in ("ktext", "kdata") and s["pa"]], 20)
        for label, extra in (("ptov", []), ("ptov(vmlinux)", ["--vmlinux", meta["VMLINUX"]])):
            pas = [h(s["pa"]) for s in dm + kt]
            j, rc, err = vm.json(["ptov", "--json"] + extra + [elf] + ["0x%x" % p for p in pas])
            got = {}
            for e in j if isinstance(j, list) else []:
                got[h(e.get("pa"))] = [(h(x["va"]), x.get("region")) for x in e.get("va", [])]
            for s in dm + kt:
                regions = ("direct map",) if s["region"] == "directmap" else \
                    ("kernel text mapping", "kernel image")
                t.ok(variant, label, any(a == h(s["va"]) and r in regions
                                         for a, r in got.get(h(s["pa"]), [])),
                     lambda: "ptov %s (%s %s): vmdive %s (exit %d %s)" % (
                         s["pa"], s["region"], s["va"],
                         [(hex(a), r) for a, r in got.get(h(s["pa"]), [])], rc, short(err)))
            back = sorted({a for vs in got.values() for a, _ in vs})
            bt = vm.vtop([elf], back, extra)
            for pa, vs in got.items():
                for a, r in vs:
                    b = bt.get(a) or {}
                    t.ok(variant, label + "-roundtrip", h(b.get("pa")) == pa,
                         lambda: "ptov %s names %s (%s), but vtop %s gives %s" % (
                             hex(pa), hex(a), r, hex(a), b.get("pa") or b.get("error")))
        t.summary(variant, t0)
    return t


# --- test 2: crash as a second oracle --------------------------------------------------------

CRASH_QUOTA = {"directmap": 18, "ktext": 12, "kdata": 12, "module": 12, "vmalloc": 20,
               "vmemmap": 12, "unmapped": 11, "noncanonical": 3}
# crash 8.0.2 (x86_64_translate_pte) prints PRESENT RW USER PWT PCD ACCESSED DIRTY, bit 7 as
# PSE at every level, GLOBAL, NX; vmdive says PAT for bit 7 of a 4 KiB PTE (the SDM's name; no
# such PTE in these dumps) and shows a large page's PAT (bit 12), which crash does not print.
FLAG_SYNONYM = {("PTE", "PAT"): "PSE"}
FLAG_NOT_IN_CRASH = {("PUD", "PAT"), ("PMD", "PAT")}


def crash_subset(samples):
    out = []
    for region, q in CRASH_QUOTA.items():
        lst = [s for s in samples if s["region"] == region]
        edge = [s for s in lst if special(s)][:q // 2]
        rest = [s for s in lst if s not in edge]
        out += edge + spread(rest, q - len(edge))
    return out


def norm_flags(level, names):
    out = set()
    for n in names:
        if (level, n) in FLAG_NOT_IN_CRASH or n.startswith("PKEY=") or n == "SME":
            continue
        out.add(FLAG_SYNONYM.get((level, n), n))
    return out


def cmd_vs_crash(vm):
    t = Tally()
    for variant, dumpdir, meta in variants(t):
        t0 = time.time()
        d = drgn_oracle(t, variant, dumpdir, meta)
        if d is None:
            t.summary(variant, t0)
            continue
        elf = meta["VMCORE_ELF"]
        subset = crash_subset(d["samples"])
        with tempfile.NamedTemporaryFile("w", suffix=".json") as f:
            json.dump({"samples": subset}, f)
            f.flush()
            cmds = crash_parse.cmds(f.name)          # `sys`, `vtop -k VA`, `rd -8 VA 64`
        c = crash_oracle(t, variant, dumpdir, elf, meta["VMLINUX"], cmds)
        if c is None:
            t.summary(variant, t0)
            continue
        blocks = {h(b["va"]): b for b in c["vtop"] if b["va"]}
        reads = {h(r["va"]): r for r in c["rd"]}
        vas = [h(s["va"]) for s in subset]
        vt = vm.vtop([elf], vas)
        rd = vm.rd_many([(va, [elf], va) for va in vas if va in reads])
        for s in subset:
            va, tag = h(s["va"]), "%s %s" % (s["va"], s["region"])
            b, v = blocks.get(va), vt.get(va) or {}
            if not t.ok(variant, "crash-answered", b is not None, tag + ": no vtop answer "
                        "from crash (see the cached crash output)"):
                continue
            steps = v.get("steps") or []
            vpa = h(v.get("pa"))
            t.ok(variant, "pa", (vpa is not None) == b["mapped"] and
                 (not b["mapped"] or vpa == h(b["walk_pa"])),
                 lambda: "%s: crash %s, vmdive %s" % (tag, b["walk_pa"] or b["error"],
                                                      v.get("pa") or v.get("error")))
            # every level crash printed: PGD entry ("PAGE DIRECTORY"), then P4D/PUD/PMD/PTE
            # with the entry's physical address
            byl = {st["level"]: st for st in steps}
            for w in b["walk"]:
                if w["level"] == "PGD DIRECTORY":    # the root table's VA, not an entry
                    continue
                lvl = "PGD" if w["level"] == "PAGE DIRECTORY" else w["level"]
                st = byl.get(lvl)
                good = st is not None and h(st["entry"]) == h(w["value"]) and (
                    w["entry_addr"] is None or h(st["entry_addr"]) == h(w["entry_addr"]))
                t.ok(variant, "walk", good, lambda: "%s %s: crash %s => %s, vmdive %s" % (
                    tag, lvl, w["entry_addr"], w["value"],
                    st and "%s => %s" % (st["entry_addr"], st["entry"])))
            if b["mapped"] and vpa is not None:
                leaf = steps[-1] if steps else {}
                t.ok(variant, "page_size", v.get("page_size") == b["page_size"],
                     lambda: "%s: crash %s, vmdive %s" % (tag, b["page_size"],
                                                          v.get("page_size")))
                t.ok(variant, "leaf-entry", h(leaf.get("entry")) == h(b["pte"]),
                     lambda: "%s: crash %s, vmdive %s %s" % (tag, b["pte"], leaf.get("level"),
                                                            leaf.get("entry")))
                vf = norm_flags(leaf.get("level"), (leaf.get("flags") or "").split())
                cf = set(b["flags"] or [])
                t.ok(variant, "leaf-flags", vf == cf, lambda: "%s: crash %s, vmdive %s %r" % (
                    tag, "|".join(b["flags"] or []), leaf.get("level"), leaf.get("flags")))
            r = reads.get(va)
            if r is not None:                        # crash reads upper-half addresses only
                rc, data, err = rd[va]
                good = (rc == 0 and sha(data) == r["sha256"]) if r["sha256"] else \
                    sane_failure(rc, err)
                t.ok(variant, "rd", good, lambda: "%s: crash %s, vmdive exit %d %s %s" % (
                    tag, (r["sha256"] or "")[:16] or r["error"], rc, (sha(data) or "-")[:16],
                    short(err)))
        # `sys` against vmdive info
        j, rc, err = vm.json(["info", "--json", elf])
        j = j if isinstance(j, dict) else {}
        u, cs = j.get("utsname") or {}, c["sys"]
        for name, got, want in (("RELEASE", u.get("release"), cs.get("RELEASE")),
                                ("VERSION", u.get("version"), cs.get("VERSION")),
                                ("MACHINE", u.get("machine"),
                                 (cs.get("MACHINE") or "").split(" ")[0]),
                                ("CPUS", len(j.get("cpus") or []), cs.get("cpus"))):
            t.ok(variant, "sys", got == want and want is not None,
                 lambda: "%s: crash %r, vmdive %r (info exit %d %s)" % (
                     name, want, got, rc, short(err)))
        t.summary(variant, t0)
    return t


# --- test 3: every file of a boot holds the same memory as vmcore.elf ------------------------

# (label, mdf.env/meta.env key, filter): "d0" keeps every page, "d31" kdump files must say
# "excluded" for filtered pages, "elf31" (makedumpfile -E) reads them as zeros (ELF rule:
# p_memsz beyond p_filesz).
FORMAT_FILES = [
    ("kdump-zlib(qemu)", "VMCORE_KDUMP_ZLIB", "d0"),
    ("kdump-zlib-d0", "VMCORE_KDUMP_ZLIB_D0", "d0"),
    ("kdump-lzo-d0", "VMCORE_KDUMP_LZO_D0", "d0"),
    ("kdump-none-d0", "VMCORE_KDUMP_NONE_D0", "d0"),
    ("kdump-zlib-d31", "VMCORE_KDUMP_ZLIB_D31", "d31"),
    ("kdump-lzo-d31", "VMCORE_KDUMP_LZO_D31", "d31"),
    ("kdump-none-d31", "VMCORE_KDUMP_NONE_D31", "d31"),
    ("flat-d31", "VMCORE_FLAT", "d31"),
    ("split-d0", "VMCORE_SPLIT", "d0"),
    ("elf-d31", "VMCORE_ELF_D31", "elf31"),
]


def format_subset(samples):
    n = os.environ.get("VD_FORMAT_SAMPLES", "300")
    if n == "all":
        return list(samples)
    edge = [s for s in samples if special(s)]
    rest = [s for s in samples if not special(s)]
    return edge + spread(rest, max(0, int(n) - len(edge)))


def cmd_formats(vm):
    t = Tally()
    for variant, dumpdir, meta in variants(t):
        t0 = time.time()
        mdf = os.path.join(dumpdir, "mdf.env")
        if not t.ok(variant, "setup", os.path.exists(mdf),
                    "no makedumpfile outputs (%s): run `samples/make-dumps.sh --makedumpfile`"
                    % mdf):
            continue
        env = dict(meta, **load_env(mdf))
        d = drgn_oracle(t, variant, dumpdir, meta)
        if d is None:
            t.summary(variant, t0)
            continue
        di, samples = d["info"], d["samples"]
        subset = format_subset(samples)
        files = []
        for label, key, kind in FORMAT_FILES:
            paths = env.get(key, "").split()
            if t.ok(variant, "setup", paths and all(os.path.exists(p) for p in paths),
                    "%s: %s=%r missing" % (label, key, env.get(key))):
                files.append((label, paths, kind))
        vas = [h(s["va"]) for s in samples]
        tasks = [((label, h(s["va"])), paths, h(s["va"])) for label, paths, _ in files
                 for s in subset]
        rd = vm.rd_many(tasks)
        excluded = {}
        for label, paths, kind in files:
            scope = "%s/%s" % (variant, label)
            j, rc, err = vm.json(["info", "--json"] + paths)
            check_info(t, scope, j, di, "info", rc, err)
            vt = vm.vtop(paths, vas)
            for s in samples:
                check_xlat(t, scope, s, vt.get(h(s["va"])))
            ex = excluded[label] = set()
            for s in subset:
                va = h(s["va"])
                rc, data, err = rd[(label, va)]
                if s["sha256"] and kind == "d31" and sane_failure(rc, err) and \
                        re.search("exclu", err, re.I):
                    ex.add(va)                       # filtered out by -d 31: must say so
                    t.ok(scope, "rd(excluded)", True)
                elif s["sha256"] and kind == "elf31" and rc == 0 and data == ZERO64 and \
                        sha(data) != s["sha256"]:
                    ex.add(va)                       # -E -d 31: filtered pages read as zeros
                    t.ok(scope, "rd(excluded)", True)
                else:
                    check_read(t, scope, s, (rc, data, err))
            if kind != "d0":
                t.ok(scope, "excludes-some", len(ex) > 0, "-d 31 file, but not one of %d "
                     "samples was excluded: is the filter honoured?" % len(subset))
            t.summary(scope)
        # Which pages -d 31 filtered: crash reads the kdump bitmap of kdump-zlib-d31 on its
        # own ("page excluded"); the other -d 31 kdump files come from the same makedumpfile
        # selection, so they must exclude exactly the same samples.
        d31 = [(label, paths, excluded[label]) for label, paths, kind in files if kind == "d31"]
        if d31:
            label0, paths0, ex0 = d31[0]
            with tempfile.NamedTemporaryFile("w", suffix=".json") as f:
                json.dump({"samples": subset}, f)
                f.flush()
                cmds = "\n".join(l for l in crash_parse.cmds(f.name).splitlines()
                                 if not l.startswith("vtop")) + "\n"
            c = crash_oracle(t, variant, dumpdir, ",".join(paths0), meta["VMLINUX"], cmds)
            if c is not None:
                cex = {h(r["va"]) for r in c["rd"] if r["error"] == "page excluded"}
                answered = {h(r["va"]) for r in c["rd"]}
                for s in subset:
                    va = h(s["va"])
                    if va in answered:
                        t.ok(variant + "/" + label0, "excluded=crash", (va in ex0) == (va in cex),
                             lambda: "%s %s: crash %s, vmdive %s" % (
                                 s["va"], s["region"], "excluded" if va in cex else "readable",
                                 "excluded" if va in ex0 else "not excluded"))
            for label, _, ex in d31[1:]:
                t.ok(variant, "same-exclusions", ex == ex0,
                     lambda: "%s and %s exclude different samples: %s" % (
                         label0, label, sorted(hex(x) for x in ex ^ ex0)[:6]))
        t.summary(variant, t0)
    return t


def crash_out(dump, vmlinux, cmdfile, out, crash="crash", timeout=600):
    """crash -s -i CMDFILE VMLINUX DUMP, its output (stdout and stderr) copied to OUT from the
    oracle cache beside the dump (keyed by the dump, the vmlinux, the crash and the commands);
    run when missing.  For the test scripts: `vdcheck.py crash-out DUMP VMLINUX CMDFILE OUT`
    ($CRASH the crash to run).  A failed or timed-out crash's output is used once, not kept."""
    cmds = open(cmdfile, "rb").read()
    dumpdir = os.path.dirname(os.path.abspath(dump))
    cdir = cache_dir(dumpdir, os.path.basename(dumpdir))
    crash_bin = shutil.which(crash) or crash
    prefix = "crashout-%s-" % content_key(cmds)
    path = os.path.join(cdir, "%s%s-%s.out" % (prefix, dump_key(dump), content_key(
        ("%s|%s|%s" % (crash_bin, dump_key(crash_bin) if os.path.exists(crash_bin) else "",
                       dump_key(vmlinux))).encode())))
    if not os.path.exists(path):
        t0 = time.time()
        with open(out, "wb") as o:
            p = subprocess.run(["timeout", str(timeout), crash, "-s", "-i", cmdfile, vmlinux,
                                dump], stdin=subprocess.DEVNULL, stdout=o,
                               stderr=subprocess.STDOUT)
        data = open(out, "rb").read()
        if p.returncode == 0 and data.strip():
            atomic_write(path, data)
            drop_stale(path, prefix, ".out")
        print("crash ran in %.1f s -> %s" % (time.time() - t0, path), file=sys.stderr)
        return 0
    shutil.copyfile(path, out)
    return 0


def main():
    if len(sys.argv) == 6 and sys.argv[1] == "crash-out":     # for the test scripts
        return crash_out(*sys.argv[2:6], crash=os.environ.get("CRASH", "crash"))
    if len(sys.argv) == 3 and sys.argv[1] == "drgn-json":     # for bench/run.sh
        out, sys.stdout = sys.stdout, sys.stderr     # progress to stderr, the path to stdout
        t = Tally()
        v = [x for x in variants(t, TRANSLATE_VARIANTS) if x[0] == sys.argv[2]]
        path = v and drgn_oracle_file(t, *v[0])
        if not path:
            print("vdcheck: no drgn answers for variant %s" % sys.argv[2])
            return 1
        out.write(path + "\n")
        return 0
    if len(sys.argv) != 3 or sys.argv[1] not in ("translate", "vs-crash", "formats"):
        print(__doc__, file=sys.stderr)
        return 2
    binary = os.path.abspath(sys.argv[2])
    if not os.access(binary, os.X_OK):
        print("vdcheck: %s is not an executable vmdive" % binary, file=sys.stderr)
        print("0 passed, 1 failed")
        return 1
    vm = Vmdive(binary)
    t0 = time.time()
    t = {"translate": cmd_translate, "vs-crash": cmd_vs_crash,
         "formats": cmd_formats}[sys.argv[1]](vm)
    print("(%d vmdive processes, %.1f s)" % (vm.spawns, time.time() - t0))
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
