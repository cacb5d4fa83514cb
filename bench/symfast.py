#!/usr/bin/python3
"""Bare commands against `info`: before/after, cold/warm cache, beside drgn (report only).

    bench/symfast.py --before OLD_VMDIVE --after NEW_VMDIVE [--variant kaslr ...] [--runs 9]

For each sample dump (samples/make-dumps.sh; default: every variant present) and each of
`info`, `sym DUMP linux_banner`, `mod`, `ps`, `vmalloc`, `struct DUMP list_head`, all without
a vmlinux, it runs:
  before   the OLD binary (main's);
  cold     the NEW binary with an empty cache directory each run (--cache-dir, emptied
           before every run: what the first command on a kernel costs, writing included);
  warm     the NEW binary with the cache the cold runs left;
  drgn     for mod and ps: drgn 0.0.22 with the vmlinux (bench/drgn_walkers.py: open, load
           the debug info, walk), 3 runs.
Times are the median wall time of N runs (posix_spawn + wait4, output to /dev/null) and the
child's own CPU time (rusage); peak RSS from one more run under GNU time.  Ratios are to `info`
of the same binary in the same run (x info), and drgn's time over NEW's (x faster).  Tests
never assert on these numbers; this only prints them (a Markdown table).
"""
import argparse
import glob
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DUMPS = os.environ.get("VMDIVE_DUMPS",
                       os.path.join(os.environ.get("VMDIVE_CACHE", "/var/cache/vmdive"), "dumps"))
ROWS = [("info", []), ("sym", ["linux_banner"]), ("mod", []), ("ps", []), ("vmalloc", []),
        ("struct", ["list_head"])]


def meta(variant):
    env = {}
    for line in open(os.path.join(DUMPS, variant, "meta.env")):
        line = line.strip()
        if "=" in line and not line.startswith("#"):
            k, v = line.split("=", 1)
            env[k] = v.replace("\\ ", " ").strip("'\"")
    return env


def run_once(argv, prepare=None):
    if prepare:
        prepare()
    devnull = os.open(os.devnull, os.O_WRONLY)
    fa = [(os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)]
    t0 = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=fa)
    _, status, ru = os.wait4(pid, 0)
    wall = time.perf_counter() - t0
    os.close(devnull)
    return wall, ru.ru_utime + ru.ru_stime, os.waitstatus_to_exitcode(status)


def measure(argv, runs, prepare=None):
    """Median wall and CPU seconds, and the worst exit status (a failing command is
    timed too: the table marks it)."""
    res = [run_once(argv, prepare) for _ in range(runs)]
    return (statistics.median(r[0] for r in res), statistics.median(r[1] for r in res),
            max(r[2] for r in res))


def cell(m):
    return "%s (%s)%s" % (ms(m[0]), ms(m[1]), " exit %d" % m[2] if m[2] else "")


def peak_rss_mb(argv):
    """Peak RSS of one run, from GNU time (rusage of a spawned child can count the parent)."""
    out = subprocess.run(["/usr/bin/time", "-f", "%M"] + argv, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True)
    try:
        return int(out.stderr.strip().splitlines()[-1]) / 1024
    except (ValueError, IndexError):
        return float("nan")


def ms(x):
    return "%.1f" % (x * 1000)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--before", required=True)
    ap.add_argument("--after", required=True)
    ap.add_argument("--variant", action="append")
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--no-drgn", action="store_true")
    a = ap.parse_args()
    before, after = os.path.abspath(a.before), os.path.abspath(a.after)
    variants = a.variant or sorted(os.path.basename(os.path.dirname(p))
                                   for p in glob.glob(os.path.join(DUMPS, "*", "done")))
    tmp = tempfile.mkdtemp(prefix="vmdive-symfast-")
    print("| dump | command | before ms (cpu) | cold ms (cpu) | warm ms (cpu) "
          "| cold x info (cpu) | warm x info (cpu) | before MB | cold/warm MB "
          "| drgn ms (cpu) | drgn / cold (cpu) | drgn / warm (cpu) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for v in variants:
        m = meta(v)
        dump = m["VMCORE_ELF"]
        cdir = os.path.join(tmp, v)

        def empty():
            shutil.rmtree(cdir, ignore_errors=True)

        base = {}
        for cmd, extra in ROWS:
            b = measure([before, cmd, dump] + extra, a.runs)
            c = measure([after, cmd, "--cache-dir", cdir, dump] + extra, a.runs, empty)
            # The warm runs read what one cold run leaves.
            run_once([after, cmd, "--cache-dir", cdir, dump] + extra, empty)
            w = measure([after, cmd, "--cache-dir", cdir, dump] + extra, a.runs)
            if cmd == "info":
                base = {"cold": c, "warm": w}
            rb = peak_rss_mb([before, cmd, dump] + extra)
            empty()
            rc = peak_rss_mb([after, cmd, "--cache-dir", cdir, dump] + extra)
            rw = peak_rss_mb([after, cmd, "--cache-dir", cdir, dump] + extra)
            dr = "", "", ""
            if cmd in ("mod", "ps") and not a.no_drgn and m.get("ARCH") == "x86_64":
                try:
                    d = measure(["/usr/bin/python3", os.path.join(HERE, "drgn_walkers.py"),
                                 "--vmcore", dump, "--vmlinux", m["VMLINUX"], "--mode", cmd], 3)
                    dr = (cell(d), "%.0fx (%.0fx)" % (d[0] / c[0], d[1] / c[1]),
                          "%.0fx (%.0fx)" % (d[0] / w[0], d[1] / w[1]))
                except OSError as e:
                    dr = "failed", "", ""
                    print("drgn: %s" % e, file=sys.stderr)
            print("| %s | %s | %s | %s | %s | %.2f (%.2f) | %.2f (%.2f) "
                  "| %.1f | %.1f / %.1f | %s | %s | %s |"
                  % (v, cmd, cell(b), cell(c), cell(w),
                     c[0] / base["cold"][0], c[1] / base["cold"][1],
                     w[0] / base["warm"][0], w[1] / base["warm"][1], rb, rc, rw,
                     dr[0], dr[1], dr[2]))
            sys.stdout.flush()
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
