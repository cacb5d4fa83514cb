#!/usr/bin/python3
"""extract-dbg.py OUTDIR KVER [--vmlinux] [MODULE...] < data tar of a linux-image-KVER-dbg

One streaming pass over the tar (`dpkg-deb --fsys-tarfile DEB | extract-dbg.py ...`) that
writes only what the samples use, and stops reading as soon as it has all of it:
  --vmlinux    OUTDIR/vmlinux and OUTDIR/System.map: usr/lib/debug/boot/{vmlinux,System.map}-KVER
               (Debian 11, 12) or usr/lib/debug/lib/modules/KVER/{vmlinux,System.map} (sid,
               where boot/ holds symlinks to them)
  MODULE       the module's debug file (NAME.ko, .ko.xz or .ko.zst; a module name spells '-'
               as '_', the file may not: xor_neon is xor-neon.ko) at its path below
               usr/lib/debug/lib/modules/KVER/, under OUTDIR/modules-dbg/
A -dbg package is 1.2-1.8 GB of module DWARF in one xz stream: the pass costs its
decompression (30 s of CPU for 280 MB of amd64 .deb, ~2 min for an arm64 one), so it is made
once per kernel, and ends where the last wanted member is (dpkg-deb sorts the archive:
boot/ comes before lib/modules/).  Prints one line per wanted thing not found; exits 1 if
the vmlinux or System.map was asked for and is not there.  Every path written is checked to
stay below OUTDIR.
"""
import os
import shutil
import sys
import tarfile


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out, kver = sys.argv[1], sys.argv[2]
    args = sys.argv[3:]
    want_vmlinux = "--vmlinux" in args
    modules = {m.replace("-", "_") for m in args if m != "--vmlinux"}
    prefix = "usr/lib/debug/lib/modules/%s/" % kver
    whole = {}                          # member name -> file in OUTDIR
    if want_vmlinux:
        for f in ("vmlinux", "System.map"):
            whole["usr/lib/debug/boot/%s-%s" % (f, kver)] = f
            whole[prefix + f] = f
    need = {"vmlinux", "System.map"} if want_vmlinux else set()
    need |= {"mod:" + m for m in modules}
    found = set()
    with tarfile.open(fileobj=sys.stdin.buffer, mode="r|") as tar:
        for m in tar:
            if not need - found:
                break                   # the rest is not read: dpkg-deb stops on the pipe
            if not m.isfile():          # sid's boot/vmlinux-KVER is a symlink: skipped
                continue
            name = m.name[2:] if m.name.startswith("./") else m.name
            dest = None
            if name in whole and whole[name] not in found:
                dest, key = os.path.join(out, whole[name]), whole[name]
            elif name.startswith(prefix) and "/" in name[len(prefix):]:
                base = name.rsplit("/", 1)[1]
                stem = base.split(".ko", 1)[0]
                mod = stem.replace("-", "_")
                if base[len(stem):] in (".ko", ".ko.xz", ".ko.zst") and mod in modules and \
                        "mod:" + mod not in found:
                    rel = os.path.normpath(name[len(prefix):])
                    if rel.startswith("..") or os.path.isabs(rel):
                        continue
                    dest, key = os.path.join(out, "modules-dbg", rel), "mod:" + mod
            if dest is None:
                continue
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            src = tar.extractfile(m)
            with open(dest + ".tmp", "wb") as f:
                shutil.copyfileobj(src, f, 1 << 20)
            os.replace(dest + ".tmp", dest)
            found.add(key)
    for k in sorted(need - found):
        print("extract-dbg: %s not in the package" % k.replace("mod:", "debug file of module "),
              file=sys.stderr)
    sys.exit(1 if want_vmlinux and {"vmlinux", "System.map"} - found else 0)


if __name__ == "__main__":
    main()
