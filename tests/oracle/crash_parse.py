#!/usr/bin/python3
"""Parse crash 8.0.2 batch output (from crash_oracle.sh) into JSON; helpers to drive it.

    crash_parse.py parse CRASH_OUT [--json OUT]     `sys`, `vtop` and `rd` output -> JSON
    crash_parse.py cmds DRGN_JSON                   command file: `sys`, then per sample
                                                    `vtop -k VA` and `rd -8 VA 64`
    crash_parse.py compare DRGN_JSON CRASH_JSON [--zero-is-excluded]
                                                    drgn and crash agree on translations and
                                                    on the sha256 of the 64 bytes at each VA?
    --zero-is-excluded: crash read a filtered ELF (makedumpfile -E -d N), where excluded pages
    are p_memsz beyond p_filesz and so read as zeros: zeros there count as excluded.

JSON of `parse` (addresses are "0x..." strings):
  sys:      every "KEY: value" field of `sys` as a string (KERNEL, DUMPFILE or, for a split
            set, DUMPFILES with only the first part; CPUS, DATE,
            UPTIME, LOAD AVERAGE, TASKS, NODENAME, RELEASE, VERSION, MACHINE, MEMORY, PANIC),
            plus cpus (int), cpus_offline (int), panic (without quotes), dumpfile (path
            only), partial (crash saw a filtered dump; QEMU's kdump-zlib counts as one)
  vtop:     list of {va, pa, mapped, walk_pa, page_size, pte, flags, walk, page_struct, error}
            pa       the PHYSICAL column of the header line, or null;  for direct-map addresses
                     crash computes it (VA - PAGE_OFFSET) even where the page tables map
                     nothing, so trust `mapped`/`walk_pa`, which come from the page walk
            mapped   the walk reached a present leaf ("PAGE:" line)
            walk_pa  leaf page address + offset of va in that page
            page_size 4096, 2097152 or 1073741824 when mapped
            walk     [{level, entry_addr, value}] in walk order (PGD entry has entry_addr null)
            error    crash's words when it gave no translation: "not mapped",
                     "not a kernel virtual address", or a "vtop: ..." message
  rd:       list of {va, sha256, error}: rows of `rd -8` output joined into 64-byte blocks
            (the size `cmds` asks for), or crash's error, e.g. "page excluded" (filtered kdump),
            "read error"/"seek error" (page not in the dump), "invalid kernel virtual address"
  warnings: crash's WARNING lines;  errors: other "cmd: ..." error lines not tied to an address
"""
import hashlib
import argparse
import json
import re
import sys

SYS_KEYS = ("KERNEL", "DUMPFILES", "DUMPFILE", "CPUS", "DATE", "UPTIME", "LOAD AVERAGE", "TASKS",
            "NODENAME", "RELEASE", "VERSION", "MACHINE", "MEMORY", "PANIC")
SYS_RE = re.compile(r"^\s*(%s):\s?(.*)$" % "|".join(SYS_KEYS))
HEX = r"([0-9a-f]+)"
RD_LEN = 64
RD_ROW = re.compile(r"^\s*([0-9a-f]+):  ((?:[0-9a-f]{2} )+)")
RD_ERR = re.compile(r"^rd: (.*?virtual address): ([0-9a-f]+)")
SIZES = {"": 4096, "2MB": 2 << 20, "1GB": 1 << 30}


def hx(v):
    return None if v is None else "0x%x" % v


def parse(text):
    out = {"sys": {}, "vtop": [], "rd": [], "warnings": [], "errors": []}
    rd = None                                    # the rd block being filled: [va, bytes]
    lines = text.splitlines()
    cur = None                                   # the vtop block being filled
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        m = SYS_RE.match(line)
        if m:
            out["sys"][m.group(1)] = m.group(2).strip()
            cur = None
            continue
        if re.match(r"^VIRTUAL\s+PHYSICAL\s*$", line) and i < len(lines):
            va, rest = (lines[i].split(None, 1) + [""])[:2]
            i += 1
            cur = {"va": hx(int(va, 16)), "pa": None, "mapped": False, "walk_pa": None,
                   "page_size": None, "pte": None, "flags": None, "walk": [],
                   "page_struct": None, "error": None}
            out["vtop"].append(cur)
            rest = rest.strip()
            if rest.startswith("("):
                cur["error"] = rest.strip("()")
            else:
                cur["pa"] = hx(int(rest.split()[0], 16))
            continue
        if line.startswith("WARNING:"):
            out["warnings"].append(line[8:].strip())
            continue
        m = RD_ROW.match(line)
        if m:
            addr, data = int(m.group(1), 16), bytes.fromhex(m.group(2))
            if rd is None or len(rd[1]) >= RD_LEN or rd[0] + len(rd[1]) != addr:
                rd = [addr, b""]
                out["rd"].append(rd)
            rd[1] += data
            cur = None
            continue
        m = RD_ERR.match(line)
        if m:                                    # "page excluded: kernel virtual address"
            err = re.sub(r": (kernel|user) virtual address$", "", m.group(1))
            out["rd"].append({"va": hx(int(m.group(2), 16)), "sha256": None, "error": err})
            cur = rd = None
            continue
        m = re.match(r"^vtop: (.*)$", line)
        if m:                                    # an error: names its address when it can
            a = re.search(r"\b(?:0x)?([0-9a-f]{6,16})\b", m.group(1))
            out["vtop"].append({"va": hx(int(a.group(1), 16)) if a else None, "pa": None,
                                "mapped": False, "walk_pa": None, "page_size": None,
                                "pte": None, "flags": None, "walk": [],
                                "page_struct": None, "error": m.group(1).strip()})
            cur = None
            continue
        if re.match(r"^[a-z_]+: ", line) and not line.startswith(" "):
            out["errors"].append(line.strip())
            continue
        if cur is None:
            continue
        m = re.match(r"^\s*(PGD DIRECTORY|PAGE DIRECTORY):\s+%s\s*$" % HEX, line)
        if m:
            cur["walk"].append({"level": m.group(1), "entry_addr": None,
                                "value": hx(int(m.group(2), 16))})
            continue
        m = re.match(r"^\s*(P4D|PUD|PMD|PTE):\s+%s\s+=>\s+%s\s*$" % (HEX, HEX), line)
        if m:
            cur["walk"].append({"level": m.group(1), "entry_addr": hx(int(m.group(2), 16)),
                                "value": hx(int(m.group(3), 16))})
            continue
        m = re.match(r"^\s*PAGE:\s+%s\s*(?:\((\w+)\))?\s*$" % HEX, line)
        if m:
            size = SIZES.get(m.group(2) or "", None)
            cur["mapped"], cur["page_size"] = True, size
            if size:
                cur["walk_pa"] = hx(int(m.group(1), 16) + (int(cur["va"], 16) & (size - 1)))
            continue
        m = re.match(r"^\s*%s\s+%s\s+\((.*)\)\s*$" % (HEX, HEX), line)
        if m and cur["pte"] is None:             # "PTE PHYSICAL (FLAGS)" line
            cur["pte"], cur["flags"] = hx(int(m.group(1), 16)), m.group(3).split("|")
            continue
        m = re.match(r"^\s*%s\s+%s\s+" % (HEX, HEX), line)
        if m and cur["pte"] is not None and cur["page_struct"] is None:
            cur["page_struct"] = hx(int(m.group(1), 16))
            continue
        if line.strip() == "":
            continue
    out["rd"] = [r if isinstance(r, dict) else
                 {"va": hx(r[0]), "sha256": hashlib.sha256(r[1]).hexdigest(), "error": None}
                 for r in out["rd"]]
    s = out["sys"]
    m = re.match(r"(\d+)(?:\s*\[OFFLINE:\s*(\d+)\])?", s.get("CPUS", ""))
    if m:
        s["cpus"], s["cpus_offline"] = int(m.group(1)), int(m.group(2) or 0)
    if "PANIC" in s:
        s["panic"] = s["PANIC"].strip('"')
    if "DUMPFILE" in s:                          # "path  [PARTIAL DUMP]" for filtered dumps
        s["dumpfile"] = s["DUMPFILE"].split("  [")[0]
        s["partial"] = "[PARTIAL DUMP]" in s["DUMPFILE"]
    for b in out["vtop"]:                        # a header PA with no present leaf
        if b["pa"] and not b["mapped"] and not b["error"]:
            b["error"] = "not mapped (page walk)"
    return out


def cmds(drgn_json):
    d = json.load(open(drgn_json))
    lines = ["sys"]
    for s in d["samples"]:
        lines.append("vtop -k %s" % s["va"][2:])
        # rd has no -k: a user-half address is read through the panic task's mm, which is
        # not what the oracles compare.
        if int(s["va"], 16) >> 63:
            lines.append("rd -8 %s %d" % (s["va"][2:], RD_LEN))
    return "\n".join(lines) + "\nquit\n"


ZERO64 = hashlib.sha256(bytes(RD_LEN)).hexdigest()


def compare(drgn_json, crash_json, zero_is_excluded=False):
    """Translations must agree: both map va to the same pa, or both refuse it."""
    d, c = json.load(open(drgn_json)), json.load(open(crash_json))
    blocks = {b["va"]: b for b in c["vtop"] if b["va"]}
    reads = {r["va"]: r for r in c.get("rd", [])}
    bad, n, nread, excluded = [], 0, 0, 0
    for s in d["samples"]:
        b = blocks.get(s["va"])
        if b is None:
            bad.append("%s %s: no crash answer" % (s["va"], s["region"]))
            continue
        n += 1
        if s["pa"] is not None:
            if not b["mapped"] or b["walk_pa"] != s["pa"]:
                bad.append("%s %s: drgn %s, crash %s %s" % (s["va"], s["region"], s["pa"],
                                                            b["walk_pa"], b["error"] or ""))
        elif b["mapped"]:
            bad.append("%s %s: drgn '%s', crash %s" % (s["va"], s["region"], s["error"],
                                                       b["walk_pa"]))
        r = reads.get(s["va"])
        if r is None:
            continue
        nread += 1
        if r["error"] == "page excluded" or (zero_is_excluded and r["sha256"] == ZERO64
                                             and s["sha256"] != ZERO64):
            excluded += 1                        # a filtered dump: not a disagreement
        elif r["sha256"] != s["sha256"]:
            bad.append("%s %s: bytes differ: drgn %s, crash %s" % (
                s["va"], s["region"], s["sha256"] or s["read_error"],
                r["sha256"] or r["error"]))
    ci, di = c["sys"], d["info"]
    if ci.get("RELEASE") != di["osrelease"]:
        bad.append("RELEASE: crash %s, drgn %s" % (ci.get("RELEASE"), di["osrelease"]))
    if ci.get("cpus") != di["nr_cpu_ids"]:
        bad.append("CPUS: crash %s, drgn nr_cpu_ids %s" % (ci.get("cpus"), di["nr_cpu_ids"]))
    if ci.get("panic") != di["panic_message"]:
        bad.append("PANIC: crash %r, drgn %r" % (ci.get("panic"), di["panic_message"]))
    for line in bad:
        print("MISMATCH " + line)
    print("compared %d translations, %d reads (%d excluded in crash's dump): %d mismatches"
          % (n, nread, excluded, len(bad)), file=sys.stderr)
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("parse")
    p.add_argument("crash_out")
    p.add_argument("--json", default="-")
    sub.add_parser("cmds").add_argument("drgn_json")
    p = sub.add_parser("compare")
    p.add_argument("drgn_json")
    p.add_argument("crash_json")
    p.add_argument("--zero-is-excluded", action="store_true")
    a = ap.parse_args()
    if a.cmd == "parse":
        with open(a.crash_out, errors="replace") as f:
            doc = parse(f.read())
        out = sys.stdout if a.json == "-" else open(a.json, "w")
        json.dump(doc, out, indent=1)
        out.write("\n")
    elif a.cmd == "cmds":
        sys.stdout.write(cmds(a.drgn_json))
    else:
        return compare(a.drgn_json, a.crash_json, a.zero_is_excluded)
    return 0


if __name__ == "__main__":
    sys.exit(main())
