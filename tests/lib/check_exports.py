#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""What include/vmdive/ declares, and whether libvmdive.so exports exactly that.

  check_exports.py declared HEADER_DIR
      print the functions and variables the public headers declare
  check_exports.py check HEADER_DIR LIB MAP [STATIC_LIB...]
      nm -D --defined-only LIB must show only vd_ names, each declared in
      HEADER_DIR, and every declared name (else a program calling it cannot
      link); MAP is the version script, whose version nodes are the only
      other dynamic symbols allowed.  Every global a STATIC_LIB (a layer)
      defines must be vd_-prefixed too: internal names stay hidden from
      the shared library but share the namespace of programs and libraries
      linked with the layers, like libelf's elf_ or libopcodes' aarch64_.

The headers are read as C: comments, preprocessor lines and bodies of
struct/enum/union definitions dropped, then each file-scope declaration
(up to ';') names a function (the identifier before its first '(') or,
with extern, a variable.  static inline functions are not exported.
"""
import glob
import os
import re
import subprocess
import sys

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"


def strip(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    text = re.sub(r"\\\n", " ", text)
    return "\n".join(l for l in text.split("\n") if not l.lstrip().startswith("#"))


def declarations(text):
    """File-scope statements: text up to each ';' at brace depth 0.
    extern "C" { ... } does not count as a brace level."""
    text = re.sub(r'extern\s+"[^"]*"\s*\{', " ", text)
    out, cur, depth = [], [], 0
    for ch in text:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:       # the closing brace of extern "C"
                depth = 0
            continue
        if depth:
            continue
        if ch == ";":
            out.append(" ".join("".join(cur).split()))
            cur = []
        else:
            cur.append(ch)
    return out


def declared(header_dir):
    names = {}
    for path in sorted(glob.glob(os.path.join(header_dir, "*.h"))):
        for decl in declarations(strip(open(path).read())):
            if not decl or decl.startswith(("typedef", "static")):
                continue
            m = re.search(r"(" + IDENT + r")\s*\(", decl)
            if m and not re.search(r"\(\s*\*\s*$", decl[:m.start()]):
                name = m.group(1)
            elif decl.startswith("extern") and "(" not in decl:
                name = re.findall(IDENT, re.sub(r"\[.*?\]", "", decl))[-1]
            else:
                continue    # struct/enum definitions (body dropped)
            names[name] = os.path.basename(path)
    return names


def dynamic_symbols(lib):
    out = subprocess.run(["nm", "-D", "--defined-only", lib], check=True,
                         capture_output=True, text=True).stdout
    syms = []
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 3:
            syms.append((f[1], f[2].split("@")[0]))
    return syms


def version_nodes(map_path):
    text = re.sub(r"/\*.*?\*/", " ", open(map_path).read(), flags=re.S)
    return set(re.findall(r"(" + IDENT + r")\s*\{", text))


def check(header_dir, lib, map_path, static_libs):
    decl = declared(header_dir)
    nodes = version_nodes(map_path)
    bad = []
    exported = set()
    for typ, name in dynamic_symbols(lib):
        if typ == "A" and name in nodes:
            continue
        exported.add(name)
        if not name.startswith("vd_"):
            bad.append("exported, not in the vd_ namespace: %s (%s)" % (name, typ))
        elif name not in decl:
            bad.append("exported, not declared in %s: %s" % (header_dir, name))
    for name in sorted(set(decl) - exported):
        bad.append("declared in %s, not exported: %s" % (decl[name], name))
    nstatic = 0
    for a in static_libs:
        out = subprocess.run(["nm", "-g", "--defined-only", a], check=True,
                             capture_output=True, text=True).stdout
        for line in out.splitlines():
            f = line.split()
            # Names starting with __ are the compiler's (ASan's
            # __odr_asan.NAME indicators), not ours.
            if len(f) == 3 and not f[2].startswith("__"):
                nstatic += 1
                if not f[2].startswith("vd_"):
                    bad.append("%s defines %s: not in the vd_ namespace"
                               % (os.path.basename(a), f[2]))
    for b in bad:
        print(b)
    print("%d names declared in %s, %d exported by %s, %d globals in %d layers: %d problems"
          % (len(decl), header_dir, len(exported), os.path.basename(lib), nstatic,
             len(static_libs), len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "declared":
        for n in sorted(declared(sys.argv[2])):
            print(n)
    elif len(sys.argv) >= 5 and sys.argv[1] == "check":
        sys.exit(check(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]))
    else:
        sys.exit(__doc__)
