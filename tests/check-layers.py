#!/usr/bin/env python3
"""The layering of the library folders, checked three ways (docs/design.md §1).

0. every library vd_layer() makes in CMakeLists.txt has its row in LAYERS;
1. includes: a file may include headers of its own folder and of the folders
   its folder may use (LAYERS below), nothing above;
2. links: every symbol a folder's static library takes from another vmdive
   library is defined in one it may use (nm on the archives in BUILD_DIR);
3. size: no folder of the kernel analyzer holds more than a third of its lines.

usage: check-layers.py SOURCE_DIR BUILD_DIR
"""
import os
import re
import subprocess
import sys

# The one order table: folder -> (CMake library, folders it may use).  A folder
# may use everything its uses may use.
LAYERS = {
    "common":  ("vd_common",   []),
    "formats": ("vd_formats",  ["common"]),
    "arch":    ("vd_arch",     ["common"]),
    "coderefs": ("vd_coderefs", ["common"]),
    "ksyms":   ("vd_ksyms",    ["common"]),
    "btfidx":  ("vd_btfidx",   ["common"]),
    "kernel":  ("vd_kernel",   ["formats", "arch", "ksyms"]),
    "symbols": ("vd_symbols",  ["kernel", "coderefs"]),
    "types":   ("vd_types",    ["symbols", "btfidx"]),
    "dwarf":   ("vd_dwarf",    ["types"]),
    "walkers": ("vd_walkers",  ["types"]),
    "modules": ("vd_modules",  ["walkers", "dwarf"]),
    "ucore":   ("vd_ucore",    ["kernel"]),
    "session": ("vd_analyzer", ["modules", "ucore"]),
    "unwind":  ("vd_unwind",   ["session"]),
    "memory":  ("vd_memory",   ["session"]),
    "expr":    ("vd_expr",     ["session"]),
    "disasm":  ("vd_disasm",   ["common"]),
    "triage":  ("vd_triage",   ["unwind", "memory", "expr"]),
    "cli":     (None,          ["common"]),
}
# The folders of the kernel analyzer (what was analyzer/, and the decoders
# split out of symbols/ and types/): none may hold more than a third of them.
ANALYZER = ["ksyms", "btfidx", "kernel", "symbols", "types", "dwarf", "walkers", "modules", "ucore",
            "session"]


def allowed(folder):
    seen, todo = set(), [folder]
    while todo:
        for d in LAYERS[todo.pop()][1]:
            if d not in seen:
                seen.add(d)
                todo.append(d)
    return seen


def sources(src, folder):
    d = os.path.join(src, folder)
    return sorted(os.path.join(d, f) for f in os.listdir(d) if f.endswith((".c", ".h")))


def check_includes(src):
    bad = []
    inc = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
    for folder in LAYERS:
        ok = allowed(folder)
        for path in sources(src, folder):
            with open(path, encoding="utf-8") as f:
                for n, line in enumerate(f, 1):
                    m = inc.match(line)
                    if not m or "/" not in m.group(1):
                        continue
                    top = m.group(1).split("/")[0]
                    if top in LAYERS and top != folder and top not in ok:
                        bad.append(f"{os.path.relpath(path, src)}:{n}: includes {m.group(1)}: "
                                   f"{folder}/ may not use {top}/")
    return bad


def nm(archive):
    out = subprocess.run(["nm", "-g", archive], capture_output=True, text=True, check=True).stdout
    defined, undefined = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "U":
            undefined.add(parts[1])
        elif len(parts) == 3 and parts[1] not in "Uuvw":
            defined.add(parts[2])
    return defined, undefined - defined


def check_links(build):
    libs = {}
    for folder, (lib, _) in LAYERS.items():
        if not lib:
            continue
        path = os.path.join(build, f"lib{lib}.a")
        if not os.path.exists(path):
            return [f"{path}: not built"]
        libs[folder] = nm(path)
    owner = {}
    for folder, (defined, _) in libs.items():
        for sym in defined:
            owner[sym] = folder
    bad = []
    for folder, (_, undefined) in libs.items():
        ok = allowed(folder)
        for sym in sorted(undefined):
            o = owner.get(sym)
            if o and o != folder and o not in ok:
                bad.append(f"{LAYERS[folder][0]} ({folder}/) calls {sym}, defined in {o}/")
    return bad


def count_lines(src, folder):
    n = 0
    for path in sources(src, folder):
        with open(path, encoding="utf-8") as f:
            n += sum(1 for _ in f)
    return n


def check_table(src):
    """Every library the top CMakeLists.txt makes with vd_layer() has its row here."""
    with open(os.path.join(src, "CMakeLists.txt"), encoding="utf-8") as f:
        made = re.findall(r"^vd_layer\((\w+) (\w+)\)", f.read(), re.M)
    rows = {folder: lib for folder, (lib, _) in LAYERS.items()}
    return [f"CMakeLists.txt: vd_layer({lib} {folder}) has no row in LAYERS "
            f"(tests/check-layers.py)" for lib, folder in made if rows.get(folder) != lib]


def check_sizes(src):
    sizes = {f: count_lines(src, f) for f in ANALYZER}
    total = sum(sizes.values())
    return [f"{f}/ holds {n} of the analyzer's {total} lines, more than a third"
            for f, n in sizes.items() if 3 * n > total], sizes, total


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 99
    src, build = sys.argv[1], sys.argv[2]
    bad = check_table(src) + check_includes(src) + check_links(build)
    size_bad, sizes, total = check_sizes(src)
    bad += size_bad
    for b in bad:
        print("check-layers: " + b)
    print("check-layers: lines per folder: " +
          ", ".join(f"{f} {n}" for f, n in sizes.items()) + f" (of {total})")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
