#!/usr/bin/python3
"""drgn's answers to print_check.py's questions, for the dumps no crash here reads (arm64:
Debian builds crash for the host's architecture only).

    PYTHON print_oracle.py VMCORE VMLINUX SPEC.json OUT.json

SPEC holds print_check.py's lists (globals, structs, struct -o, list, rd, where).  One drgn session
answers all of them; each value is written as the leaves print_check.py's parser makes of
gdb's text ({path: "num:N" | "str:TEXT" | "word:NAME"}), so the two compare the same way:
integers and pointers by number, enums by enumerator name, char arrays as gdb's escaped
string without the trailing NULs.  A name the kernel does not have is null.
"""
import json
import sys

import drgn


def escape(b):
    """A char array's bytes as gdb writes them inside "...", trailing NULs dropped."""
    b = b.rstrip(b"\0")
    out = []
    for c in b:
        if c == 0x22 or c == 0x5c:
            out.append("\\" + chr(c))
        elif 0x20 <= c < 0x7f:
            out.append(chr(c))
        else:
            out.append({7: "\\a", 8: "\\b", 9: "\\t", 10: "\\n", 11: "\\v", 12: "\\f",
                        13: "\\r", 27: "\\033"}.get(c, "\\%03o" % c))
    return "".join(out)


def leaves(obj, path, out, depth=0):
    if depth > 32:
        raise ValueError("nesting too deep at %s" % path)
    ty = obj.type_
    while ty.kind == drgn.TypeKind.TYPEDEF:
        ty = ty.type
    k = ty.kind
    if k in (drgn.TypeKind.STRUCT, drgn.TypeKind.UNION):
        for m in ty.members:
            sub = obj.member_(m.name) if m.name else drgn.Object(
                obj.prog_, m.type, address=obj.address_ + m.bit_offset // 8) \
                if m.bit_offset % 8 == 0 else None
            if sub is None:
                continue
            leaves(sub, path + "." + m.name if m.name else path, out, depth + 1)
        return
    if k == drgn.TypeKind.ARRAY:
        et = ty.type
        while et.kind == drgn.TypeKind.TYPEDEF:
            et = et.type
        if et.kind == drgn.TypeKind.INT and et.size == 1 and "char" in et.name:
            if ty.length is None:        # char x[]: the string to its NUL
                data = obj.string_()
            else:
                data = obj.prog_.read(obj.address_, ty.length)
            out[path.lstrip(".")] = "str:" + escape(data)
            return
        for i in range(ty.length or 0):
            leaves(obj[i], "%s[%d]" % (path, i), out, depth + 1)
        return
    key = path.lstrip(".")
    if k == drgn.TypeKind.ENUM:
        v = obj.value_()
        for e in ty.enumerators or ():
            if e.value == v:
                out[key] = "word:" + e.name
                return
        out[key] = "num:%d" % v
    elif k == drgn.TypeKind.BOOL:
        out[key] = "word:" + ("true" if obj.value_() else "false")
    elif k in (drgn.TypeKind.INT, drgn.TypeKind.POINTER):
        out[key] = "num:%d" % obj.value_()
    elif k == drgn.TypeKind.FUNCTION:
        out[key] = "num:%d" % obj.address_
    else:
        out[key] = "raw:%s" % k


def flat(obj):
    out = {}
    leaves(obj, "", out)
    return out


def evaluate(prog, expr):
    """NAME.member.member -> Object, or None if NAME is not in this kernel."""
    parts = expr.split(".")
    try:
        obj = prog[parts[0]]
    except KeyError:
        return None
    for p in parts[1:]:
        obj = obj.member_(p)
    return obj


def main():
    vmcore, vmlinux, spec_path, out_path = sys.argv[1:5]
    spec = json.load(open(spec_path))
    prog = drgn.Program()
    prog.set_core_dump(vmcore)
    prog.load_debug_info([vmlinux], default=False, main=True)
    ans = {"p": {}, "struct": {}, "struct_missing": {}, "struct_o": {}, "list": {}, "rd": {}}
    for g in spec["globals"]:
        obj = evaluate(prog, g)
        ans["p"][g] = None if obj is None else flat(obj)
    for ty, mems, sym in spec["structs"]:
        obj = evaluate(prog, sym)
        if obj is None:
            ans["struct"][ty] = None
            continue
        try:
            obj = drgn.Object(prog, prog.type("struct " + ty), address=obj.address_)
        except LookupError:              # cpuinfo_x86 on arm64
            ans["struct"][ty] = None
            continue
        one = {}
        for m in mems.split(","):
            try:
                sub = obj.member_(m)
            except LookupError:          # 7.2's file_system_type has no next
                ans["struct_missing"].setdefault(ty, []).append(m)
                continue
            for k, v in flat(sub).items():
                one[(m + "." + k) if k and not k.startswith("[") else m + k] = v
        ans["struct"][ty] = one
    for ty, sym in spec["offset_structs"]:
        obj = evaluate(prog, sym)
        if obj is None:
            ans["struct_o"][ty + " " + sym] = None
            continue
        ans["struct_o"][ty + " " + sym] = members_at(prog.type("struct " + ty), obj.address_)
    # mode: "head" (a list_head NAME, its entries), "embedded" (the entry NAME and those its
    # list_head LINK leads to), "next" (LINK is a pointer to the next entry, NULL ends).
    for k, (mode, head, ty, link, mems) in enumerate(spec["lists"]):
        obj = evaluate(prog, head)
        if obj is None:
            ans["list"][str(k)] = None
            continue
        t = prog.type("struct " + ty)
        try:
            off = drgn.offsetof(t, link)
        except LookupError:              # no such link member in this kernel
            ans["list"][str(k)] = None
            continue
        if mode == "head":
            entry, stop = obj.next.value_() - off, obj.address_ - off
        else:
            entry, stop = obj.address_, obj.address_
        entries = []
        while entry and len(entries) < 100000:
            e = drgn.Object(prog, t, address=entry)
            if mode != "head" or entry != stop:
                one = {}
                for m in mems.split(","):
                    for kk, v in flat(e.member_(m)).items():
                        one[(m + "." + kk) if kk and not kk.startswith("[") else m + kk] = v
                entries.append([entry, one])
            if mode == "next":
                entry = e.member_(link).value_()
            else:
                entry = e.member_(link).next.value_() - off
            if entry == stop:
                break
        ans["list"][str(k)] = entries
    for width, sym, count in spec["rd"]:
        obj = evaluate(prog, sym)
        if obj is None:
            ans["rd"]["%d %s" % (width, sym)] = None
            continue
        data = prog.read(obj.address_, width * count)
        ans["rd"]["%d %s" % (width, sym)] = [
            [obj.address_ + i, int.from_bytes(data[i:i + width], "little")]
            for i in range(0, len(data), width)]
    # where: a variable's address, the symbol at that address, and whether a symbol has the
    # variable's own name (arm64's vmemmap_base: DWARF places it, its symbol is
    # __kvm_nvhe_vmemmap_base).
    ans["where"] = {}
    for g in spec.get("where", []):
        try:
            addr = prog.variable(g).address_
        except KeyError:
            ans["where"][g] = None
            continue
        try:
            at = prog.symbol(addr).name
        except LookupError:
            at = None
        try:
            named = prog.symbol(g).address == addr
        except LookupError:
            named = False
        ans["where"][g] = [addr, at, named]
    with open(out_path, "w") as f:
        json.dump(ans, f)


def members_at(t, base, depth=0):
    """[[address, name]] of struct -o's lines: every named member in order, the members of an
    anonymous struct or union in its place; function pointers left out (print_check.py's
    parser skips them: their names sit inside the declaration)."""
    out = []
    for m in t.members:
        mt = m.type
        while mt.kind == drgn.TypeKind.TYPEDEF:
            mt = mt.type
        if m.name is None:
            if depth < 16 and mt.kind in (drgn.TypeKind.STRUCT, drgn.TypeKind.UNION):
                out += members_at(mt, base + m.bit_offset // 8, depth + 1)
            continue
        if _funcptr(mt):
            continue
        out.append([base + m.bit_offset // 8, m.name])
    return out


def _funcptr(t):
    while t.kind == drgn.TypeKind.TYPEDEF:
        t = t.type
    return t.kind == drgn.TypeKind.POINTER and t.type.kind == drgn.TypeKind.FUNCTION


if __name__ == "__main__":
    main()
