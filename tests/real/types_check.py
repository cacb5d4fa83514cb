#!/usr/bin/python3
"""Compare `crash struct -o` output with `vmdive struct --json` (test_types.sh)."""
import json
import re
import sys

crash_out, vd_dir, types = sys.argv[1], sys.argv[2], sys.argv[3:]

def member_name(decl):
    """The declared name in 'unsigned int x : 1', 'char comm[16]', 'int (*fn)(void)'."""
    decl = re.sub(r"\s*:\s*\d+\s*$", "", decl.strip().rstrip(";"))
    m = re.search(r"\(\s*\*+\s*(\w+)\s*\)", decl)          # function pointer
    if m:
        return m.group(1)
    decl = re.sub(r"(\[[^\]]*\])+$", "", decl)              # array dimensions
    m = re.search(r"(\w+)\s*$", decl)
    return m.group(1) if m else None

def parse_crash(text):
    """{type: (size, [(name, offset)])} from struct -o blocks."""
    out, cur, members = {}, None, []
    for line in text.splitlines():
        m = re.match(r"^(struct|union) (\w+) \{$", line)
        if m:
            cur, members = m.group(2), []
            continue
        if cur is None:
            continue
        m = re.match(r"^SIZE: (\d+)", line)
        if m:
            out[cur] = (int(m.group(1)), members)
            cur = None
            continue
        m = re.match(r"^\s*\[(\d+)\]\s+(.*;)\s*$", line)
        if m:
            members.append((member_name(m.group(2)), int(m.group(1))))
    return out

def flatten(members, out):
    for m in members:
        if m["name"] is not None:
            out.append((m["name"], m["offset"]))
        if "members" in m:
            flatten(m["members"], out)
    return out

crash = parse_crash(open(crash_out).read())
passed = failed = 0
for t in types:
    vd = json.load(open(f"{vd_dir}/vd-{t}.json"))
    if t not in crash:
        print(f"  MISMATCH {t}: crash printed no layout")
        failed += 1
        continue
    size, cm = crash[t]
    vm = flatten(vd["members"], [])
    problems = []
    if vd["size"] != size:
        problems.append(f"size {vd['size']} != crash {size}")
    if vm != cm:
        missing = [x for x in cm if x not in vm][:5]
        extra = [x for x in vm if x not in cm][:5]
        problems.append(f"members differ: crash-only {missing} vmdive-only {extra} "
                        f"({len(cm)} vs {len(vm)})")
    if problems:
        failed += 1
        print(f"  MISMATCH struct {t}: " + "; ".join(problems))
    else:
        passed += 1
        print(f"  ok struct {t}: {len(vm)} members, size {size}")
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
