#!/usr/bin/python3
"""Every command's --json against the rules of docs/json.md, on one dump.

    json_check.py VMDIVE META_ENV

Each command's output must parse as one JSON document; every key is
snake_case (the contents of info's attrs/utsname and vmcoreinfo's text are
data, not keys); values under address-like keys are "0x..." hex strings;
counts and sizes are numbers; unknown is null, never "".  Errors with --json
are {"error": {"code", "message", "file", "address"}} (p, whatis), and a
failed query in an array keeps its place with an "error" (sym, p).
"""
import json
import os
import re
import shlex
import subprocess
import sys

ADDRESS_KEYS = {"address", "addr", "start", "end", "pa", "va", "target", "symbol_address",
                "base", "vmap_area", "vm_struct", "caller_address", "pages", "table",
                "entry_addr", "panic_task", "kallsyms", "cr3", "root", "phys_addr"}
NUMBER_KEYS = {"count", "size", "length", "nsyms", "ncpus", "pid", "tgid", "ppid", "cpu",
               "width", "members", "page_size", "memory_bytes", "nr_pages",
               "unreadable_ranges", "unreadable_bytes", "index", "seq", "ts_nsec"}
DATA_OBJECTS = {"utsname", "xattrs", "paging", "members", "value"}


def walk(node, path, bad):
    if isinstance(node, dict):
        for k, v in node.items():
            if not re.match(r"^[a-z][a-z0-9_]*$", k) and path.split(".")[-1] not in DATA_OBJECTS:
                bad.append("%s: key %r not snake_case" % (path, k))
            if k in ADDRESS_KEYS and path.split(".")[-1] not in DATA_OBJECTS and \
                    v is not None and not isinstance(v, (dict, list)):
                if not (isinstance(v, str) and re.match(r"^0x[0-9a-f]+$", v)):
                    bad.append("%s.%s = %r: an address must be a 0x hex string" % (path, k, v))
            if k in NUMBER_KEYS and path.split(".")[-1] not in DATA_OBJECTS and \
                    v is not None and not isinstance(v, (dict, list)):
                if not isinstance(v, (int, float)) or isinstance(v, bool):
                    bad.append("%s.%s = %r: a count must be a number" % (path, k, v))
            if v == "" and k not in ("text", "taint_flags", "subsystem", "device", "flag_words",
                                     "operands", "caller", "string"):
                bad.append("%s.%s is \"\" (unknown is null)" % (path, k))
            walk(v, path + "." + k, bad)
    elif isinstance(node, list):
        for i, v in enumerate(node[:200]):
            walk(v, path, bad)


# info's attrs that are counts (numbers), flags/addresses (hex strings), yes/no (booleans)
ATTR_COUNTS = {"e_machine", "e_phnum", "notes", "pt_load", "header_version", "block_size",
               "ram_pages", "pages_in_dump", "excluded_pages", "nr_cpus", "dumping_cpu",
               "dump_level", "timestamp", "note_core_nt_prstatus", "flattened_records"}
ATTR_HEX = {"e_phoff", "status", "max_mapnr", "phys_base_header", "e_flags"}
ATTR_BOOLS = {"split", "flattened", "incomplete", "pn_xnum"}


def attrs_typed(attrs, bad):
    """docs/json.md: one fact per key, typed; no sentence ("4 PT_LOAD", "2 (dumping CPU 0)")."""
    for k, v in attrs.items():
        hexstr = isinstance(v, str) and re.match(r"^0x[0-9a-f]+$", v)
        if k in ATTR_COUNTS:
            if not isinstance(v, int) or isinstance(v, bool):
                bad.append("attrs.%s = %r: a count must be a number" % (k, v))
        elif k in ATTR_HEX:
            if not hexstr:
                bad.append("attrs.%s = %r: must be a hex string" % (k, v))
        elif k in ATTR_BOOLS:
            if not isinstance(v, bool):
                bad.append("attrs.%s = %r: must be true/false" % (k, v))
        elif isinstance(v, str) and not hexstr and (re.match(r"^[0-9]", v) or "(" in v):
            bad.append("attrs.%s = %r: a number or a sentence in a string" % (k, v))


def main():
    vmdive, meta_path = sys.argv[1], sys.argv[2]
    meta = {}
    for line in open(meta_path):
        m = re.match(r"^([A-Z_0-9]+)=(.*)$", line.strip())
        if m and m.group(2):
            meta[m.group(1)] = shlex.split(m.group(2))[0]
    d = meta["VMCORE_ELF"]
    cmds = [
        ["info", d], ["vtop", d, "init_task"], ["ptov", d, "1000000"], ["rd", d, "jiffies", "16"],
        ["rd", "-64", d, "init_task", "4"], ["sym", d, "schedule", "nosuch_symbol"],
        ["mod", d], ["vmalloc", d], ["ps", d], ["log", d], ["struct", d, "list_head"],
        ["struct", d, "task_struct.pid,comm,mm", "init_task"], ["struct", d, "task_struct.pid,comm"],
        ["struct", d, "list_head", "modules"], ["struct", d, "pid"],
        ["p", d, "jiffies"], ["p", d, "init_task.comm", "nosuch", "&init_task"], ["p", d, "nosuch"],
        ["whatis", d, "init_task"], ["whatis", d, "pgd_t"], ["whatis", d, "schedule"],
        ["whatis", d, "nosuch_thing"], ["dis", d, "schedule", "3"],
        ["list", "-H", "-o", "module.list", "-s", "module.name", d, "modules"],
        ["search", "-c", d, "VMDIVE-MARKER"], ["vmcoreinfo", d, "OSRELEASE"],
        ["complete-names", d, "task_"],
    ]
    if meta.get("VMCORE_KDUMP_ZLIB") and os.path.exists(meta["VMCORE_KDUMP_ZLIB"]):
        cmds.append(["info", meta["VMCORE_KDUMP_ZLIB"]])
    npass = nfail = 0
    for c in cmds:
        p = subprocess.run([vmdive, c[0], "--json"] + c[1:], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
        bad = []
        try:
            doc = json.loads(p.stdout)
        except ValueError as e:
            bad.append("not one JSON document (%s): %r" % (e, p.stdout[:200]))
            doc = None
        if doc is not None:
            # vmcoreinfo KEY's object is keyed by VMCOREINFO's own keys.
            walk(doc, "value" if c[0] == "vmcoreinfo" else c[0], bad)
            if c[0] == "info" and isinstance(doc, dict):
                attrs_typed(doc.get("attrs", {}), bad)
            if isinstance(doc, dict) and isinstance(doc.get("error"), dict) and len(doc) == 1:
                e = doc["error"]
                if set(e) != {"code", "message", "file", "address"} or p.returncode == 0:
                    bad.append("error shape %r, exit %d" % (sorted(e), p.returncode))
            if isinstance(doc, list):
                for el in doc:
                    if isinstance(el, dict) and isinstance(el.get("error"), dict) and \
                            not ({"code", "message"} <= set(el["error"])):
                        bad.append("array error shape %r" % el["error"])
        if bad:
            nfail += 1
            print("FAIL: %s --json: %s" % (" ".join(c[:1] + c[2:]), "; ".join(bad[:4])))
        else:
            npass += 1
    print("json_check: %d commands' JSON follows docs/json.md, %d do not" % (npass, nfail))
    efail = check_failures(vmdive, d)
    return 1 if nfail or efail else 0


def strings_in(node, key=None):
    """(key, string) of every string value under an "error"/"errors" key."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from strings_in(v, k if k in ("error", "errors", "message", "problems")
                                  else key)
    elif isinstance(node, list):
        for v in node:
            yield from strings_in(v, key)
    elif isinstance(node, str) and key:
        yield key, node


def check_failures(vmdive, d):
    """Every command's failure with --json (docs/json.md, "Errors"): exit
    status 1 or 2, one JSON document on stdout, and the message printed on
    stderr is in it: as {"error": {...}} when the command had nothing else
    to say, or in the document's own "error"/"errors" (a walk, rd, list)."""
    out = "/tmp/vmdive-json-check-%d" % os.getpid()
    cmds = [
        ["info", d, "extra"], ["vtop", d, "nosuch_symbol"], ["ptov", d, "zz"],
        ["rd", d, "nosuch_symbol", "8"], ["rd", d, "0x10", "8"], ["rd", d, "jiffies", "-1"],
        ["sym", d, "nosuch_symbol"], ["mod", d, "extra"], ["dump-module", d, "nosuch", "-o", out],
        ["dump-module", d, "loop"], ["vmalloc", d, "extra"],
        ["dump-vmalloc", d, "0x1", "-o", out], ["ps", d, "extra"], ["bt", d, "99999"],
        ["kmem", d, "-S", "nosuch"], ["kmem", d, "-s", "nosuch"], ["kmem", d, "nosuch_symbol"],
        ["vm", d, "99999"], ["files", d, "99999"], ["gcore", d, "99999", "-o", out],
        ["struct", d, "nosuch_type"], ["struct", d, "task_struct", "0x10"],
        ["struct", d, "task_struct.pid,nosuch", "init_task"], ["union", d, "nosuch_type"],
        ["whatis", d, "nosuch_thing"], ["p", d, "nosuch"], ["dis", d, "0x10"],
        ["dis", d, "nosuch_symbol"], ["list", d, "0x10"], ["search", d, "-m", "zz", "1"],
        ["maps", d], ["vmcoreinfo", d, "NO_SUCH_KEY"], ["log", d, "extra"],
        ["shell", d, "extra"], ["rd", d, "--nosuch-option", "jiffies"],
        ["nosuch-command", d], ["sys", d, "extra"], ["triage", "/nonexistent-dump"],
    ]
    npass = nfail = 0
    for c in cmds:
        p = subprocess.run([vmdive, c[0], "--json"] + c[1:], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
        bad = []
        lines = [l for l in p.stderr.splitlines() if l.startswith("vmdive: ")]
        msgs = [re.sub(r"^vmdive: (%s: )?" % re.escape(c[0]), "", l) for l in lines]
        if p.returncode not in (1, 2):
            bad.append("exit %d" % p.returncode)
        # rd and list carry an unreadable range's error in their document only.
        try:
            doc = json.loads(p.stdout)
        except ValueError as e:
            bad.append("not one JSON document (%s): %r" % (e, p.stdout[:200]))
            doc = None
        if doc is not None and not msgs:
            if not any(v for _, v in strings_in(doc)):
                bad.append("no message on stderr, and no error in the document")
        elif doc is not None:
            if isinstance(doc, dict) and set(doc) == {"error"}:
                e = doc["error"]
                if set(e) != {"code", "message", "file", "address"}:
                    bad.append("error shape %r" % sorted(e))
                elif e["message"] != msgs[-1]:
                    bad.append("message %r, stderr %r" % (e["message"], msgs[-1]))
                # A bad command line may be found before the dump is known.
                elif e["file"] != d and not (p.returncode == 2 and e["file"] is None):
                    bad.append("file %r" % e["file"])
            elif not any(m == v or m.endswith(": " + v) or v in m
                         for _, v in strings_in(doc) for m in msgs[-1:]):
                bad.append("stderr's %r is not in the document's errors" % msgs[-1])
        if bad:
            nfail += 1
            print("FAIL: %s --json (failing): %s" % (" ".join(c[:1] + c[2:]), "; ".join(bad[:4])))
        else:
            npass += 1
    for f in (out,):
        if os.path.exists(f):
            os.unlink(f)
    print("json_check: %d failing commands' errors as JSON, %d not" % (npass, nfail))
    return nfail


if __name__ == "__main__":
    sys.exit(main())
