#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Type-name completion on the real dumps, against the vmlinux's own BTF.

    complete_check.py VMDIVE BASH_COMPLETION

The oracle is the .BTF section of the dump's vmlinux (the -dbg package's), parsed here
(include/uapi/linux/btf.h): the kernel keeps the same BTF in its memory, which is what vmdive
lists.  For each dump:
- `vmdive complete-names --kind K DUMP` (every name) equals the vmlinux's named structs,
  unions, enums and typedefs, kind by kind, cold (the dump opened, the cache written) and warm;
- bash's own completion, the generated script driven through COMP_WORDS/COMP_CWORD (as bash
  calls it on Tab), offers exactly the oracle's names with the typed prefix after `struct
  DUMP`, `union DUMP`, `whatis DUMP` and `list -s` (with the ADDR before and after it), on the
  ELF and the kdump file; after `struct DUMP TYPE` (the ADDR's place) it offers no type name;
- a warm Tab does not read the dump (strace: only the command line's 32-byte check that the
  file is a dump), a cold one does.
"""
import os
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vdcheck                                       # noqa: E402

VMDIVE, COMPLETION = (os.path.abspath(a) for a in sys.argv[1:3])
VARIANTS = ("kaslr", "kaslr-5.10", "kaslr-6.12", "kaslr-sid", "arm64-kaslr", "arm64-5.10",
            "arm64-sid", "arm64-16k-sid")
# BTF kinds (include/uapi/linux/btf.h) and the extra bytes each type record carries.
STRUCT, UNION, ENUM, TYPEDEF, ENUM64 = 4, 5, 6, 8, 19
KIND_WORD = {STRUCT: "struct", UNION: "union", ENUM: "enum", ENUM64: "enum",
             TYPEDEF: "typedef"}


def elf_section(path, want):
    """The bytes of section `want` of a 64-bit ELF file (either byte order)."""
    with open(path, "rb") as f:
        eh = f.read(64)
        e = "<" if eh[5] == 1 else ">"
        shoff, = struct.unpack_from(e + "Q", eh, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from(e + "HHH", eh, 0x3a)
        f.seek(shoff)
        shdrs = [struct.unpack(e + "IIQQQQIIQQ", f.read(shentsize)[:64]) for _ in range(shnum)]
        f.seek(shdrs[shstrndx][4])
        names = f.read(shdrs[shstrndx][5])
        for sh in shdrs:
            if names[sh[0]:names.index(b"\0", sh[0])].decode() == want:
                f.seek(sh[4])
                return f.read(sh[5])
    return None


def btf_names(blob):
    """{kind word: set of names} of the named structs, unions, enums and typedefs."""
    e = "<" if blob[:2] == b"\x9f\xeb" else ">"
    magic, ver, flags, hdr_len, type_off, type_len, str_off, str_len = \
        struct.unpack_from(e + "HBBIIIII", blob, 0)
    types = blob[hdr_len + type_off:hdr_len + type_off + type_len]
    strs = blob[hdr_len + str_off:hdr_len + str_off + str_len]
    out = {"struct": set(), "union": set(), "enum": set(), "typedef": set()}
    pos = 0
    while pos < len(types):
        name_off, info, _ = struct.unpack_from(e + "III", types, pos)
        kind, vlen = info >> 24 & 0x1f, info & 0xffff
        pos += 12
        # kind-specific data after the 12-byte btf_type
        pos += {1: 4, 3: 12, 4: 12 * vlen, 5: 12 * vlen, 6: 8 * vlen, 13: 8 * vlen,
                14: 4, 15: 12 * vlen, 17: 4, 19: 12 * vlen}.get(kind, 0)
        if kind in KIND_WORD and name_off:
            out[KIND_WORD[kind]].add(strs[name_off:strs.index(b"\0", name_off)].decode())
    return out


def run(args, env):
    r = subprocess.run([VMDIVE] + args, capture_output=True, text=True, env=env)
    return r.returncode, r.stdout.split(), r.stderr


def tab(words, env, cwd, cword=None):
    """COMPREPLY of the completion for `vmdive WORDS...`, word cword (default the last)
    being typed: COMP_WORDS holds the whole line, as bash gives it."""
    cword = len(words) if cword is None else cword + 1
    script = ('source "$1"; shift; COMP_CWORD=$1; shift; COMP_WORDS=("$@"); _vmdive; '
              'printf "%s\\n" "${COMPREPLY[@]}"')
    r = subprocess.run(["bash", "-c", script, "bash", COMPLETION, str(cword), VMDIVE] + words,
                       capture_output=True, text=True, env=env, cwd=cwd)
    return set(filter(None, r.stdout.split("\n"))), r.stderr


def main():
    t = vdcheck.Tally()
    tmp = tempfile.mkdtemp()
    for v, d, meta in vdcheck.variants(t, VARIANTS, say_missing=True):
        btf = elf_section(meta["VMLINUX"], ".BTF")
        if btf is None:
            t.skip(v, "the vmlinux has no .BTF (and the kernel none in memory)")
            continue
        want = btf_names(btf)
        every = set().union(*want.values())
        env = dict(os.environ, XDG_CACHE_HOME=os.path.join(tmp, v), VMDIVE_CACHE_DIR="")
        env.pop("VMDIVE_CACHE_DIR")
        elf = meta["VMCORE_ELF"]
        kdump = meta.get("VMCORE_KDUMP_ZLIB")
        # every name, kind by kind: cold (writes the cache), then warm
        for phase in ("cold", "warm"):
            for k, names in want.items():
                rc, got, err = run(["complete-names", "--kind", k, elf], env)
                t.ok(v, "%s %s names" % (phase, k), rc == 0 and set(got) == names and
                     got == sorted(set(got)),
                     lambda: "rc %d %s; %d names, oracle %d; missing %s, extra %s" % (
                         rc, err.strip()[:200], len(set(got)), len(names),
                         sorted(names - set(got))[:5], sorted(set(got) - names)[:5]))
        files = os.listdir(os.path.join(tmp, v, "vmdive"))
        t.ok(v, "cache files", any(f.startswith("typenames-") for f in files) and
             any(f.startswith("dumpfile-") for f in files), lambda: files)
        # bash's completion
        for dump in [elf] + ([kdump] if kdump and os.path.exists(kdump) else []):
            base = os.path.basename(dump)
            for words, names in (
                    (["struct", dump, "task_"], want["struct"]),
                    (["struct", "-x", dump, "mm_"], want["struct"]),
                    (["union", dump, ""], want["union"]),
                    (["whatis", dump, "pgd"], every),
                    (["list", "-s", "list_h", dump, "init_task"],
                     want["struct"] | want["union"]),
                    (["list", dump, "init_task", "-o", "task_struct.tasks", "-s", "vm_a"],
                     want["struct"] | want["union"])):
                # list: the word being typed is -s's value, the rest of the line
                # (the dump, the ADDR) before or after it
                cword = words.index("-s") + 1 if words[0] == "list" else len(words) - 1
                cur = words[cword]
                expect = {n for n in names if n.startswith(cur)}
                got, err = tab(words, env, tmp, cword)
                t.ok(v, "tab " + words[0], got == expect and expect and not err,
                     lambda: "%s: %d offered, oracle %d; missing %s, extra %s %s" % (
                         " ".join(words[:1] + [base] + words[2:]), len(got), len(expect),
                         sorted(expect - got)[:5], sorted(got - expect)[:5], err[:200]))
            # the ADDR's place: no type names (files, as before)
            got, err = tab(["struct", dump, "task_struct", "task_"], env, tmp)
            t.ok(v, "tab struct ADDR", not (got & want["struct"]), lambda: sorted(got)[:5])
        # a warm Tab does not open the dump: the only access to the file is the command
        # line's check of its first 32 bytes (is it a dump?); a cold one reads it
        for phase, cache in (("cold", os.path.join(tmp, v + "-strace")), ("warm", None)):
            tenv = dict(env, XDG_CACHE_HOME=cache) if cache else env
            out = os.path.join(tmp, "strace.out")
            st = subprocess.run(["strace", "-f", "-y", "-e", "trace=openat,read,pread64,mmap",
                                 "-o", out, "bash", "-c",
                                 'source "$1"; COMP_WORDS=("$2" struct "$3" task_st); '
                                 'COMP_CWORD=3; _vmdive; printf "%s\\n" "${COMPREPLY[@]}"',
                                 "bash", COMPLETION, VMDIVE, elf],
                                capture_output=True, text=True, env=tenv)
            uses = [l for l in open(out).read().split("\n") if elf in l]
            header_only = all(l.split(None, 1)[1].startswith("openat(") or
                              ("pread64(" in l and l.rstrip().endswith(", 32, 0) = 32"))
                              for l in uses)
            t.ok(v, "%s tab reads the dump" % phase, st.returncode == 0 and
                 "task_struct" in st.stdout.split() and
                 header_only == (phase == "warm"),
                 lambda: "%s; %d uses of the dump: %s" % (st.stdout.split()[:3], len(uses),
                                                          uses[:4]))
        t.summary(v)
    sys.exit(t.finish())


if __name__ == "__main__":
    main()
