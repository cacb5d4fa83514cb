#!/usr/bin/python3
"""drgn's answers for the walker tests (test_walkers.sh), about one ELF vmcore.

    /usr/bin/python3 tests/real/walkers_oracle.py --vmcore F --vmlinux V --arch x86_64|aarch64
            --json OUT

Opens the dump the way tests/oracle/drgn_oracle.py (x86_64) or drgn_oracle_arm64.py does (their
Oracle classes: QEMU's p_vaddr = p_paddr ELF needs a bootstrap mapping of the root page table),
then asks drgn, with the vmlinux's DWARF, what vmdive's `mod`, `dump-module`, `vmalloc` and `ps`
must answer:
  modules:    name, address, base, size, state, refcnt (module_refcount()), taints, regions
              in the kernel's order (core_layout's parts as laid out, or 6.4+ mod->mem[] by
              index: `mod` lists them so, and dump-module --raw writes them so) with
              the sha256 of each read with prog.read, and up to 8 function symbols from
              mod->core_kallsyms (name, value)
  vmap_areas: every busy area (vmap_area_list, or 6.9+ each vmap_nodes[] busy list, sorted):
              node (None, or the vmap_nodes[] index), vmap_area and vm_struct addresses,
              start, end, vm_size, flags, nr_pages, caller
              symbol name, the physical address of up to 4 pages (page_to_phys(pages[i])),
              and for up to 12 small areas the sha256 of their data (guard page excluded)
  tasks:      every task (init_task.tasks, each group's threads, each CPU's idle task):
              pid, tgid, ppid (real_parent's tgid), comm, state letter, address, cpu, idle,
              PF_KTHREAD
Every list walk is bounded (drgn_oracle.walk).
"""
import argparse
import hashlib
import json
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "oracle"))
import drgn                                          # noqa: E402
from drgn import FaultError                          # noqa: E402
from drgn.helpers.linux.mm import page_to_phys       # noqa: E402
from drgn.helpers.linux.sched import idle_task, task_cpu, task_state_to_char  # noqa: E402
from drgn.helpers.linux.cpumask import for_each_possible_cpu  # noqa: E402
import drgn_oracle as base                           # noqa: E402

hx = base.hx


def sha_of(prog, addr, size):
    try:
        return hashlib.sha256(prog.read(addr, size)).hexdigest()
    except FaultError:
        return None


def module_syms(prog, mod, limit=8):
    """Function symbols of the module's own symtab (core_kallsyms), as drgn reads them."""
    ks = mod.core_kallsyms
    n = ks.num_symtab.value_()
    tab = prog.read(ks.symtab.value_(), 24 * n)
    out = []
    for i in range(1, n):
        name_off, info, _, shndx, value, size = struct.unpack_from("<IBBHQQ", tab, 24 * i)
        typ = chr(prog.read_u8(ks.typetab.value_() + i))
        if typ not in "tT" or not shndx or not size:
            continue
        name = prog.read(ks.strtab.value_() + name_off, 128).split(b"\0")[0].decode()
        if name.startswith("$") or name.startswith(".L"):
            continue
        out.append({"name": name, "value": hx(value), "size": size})
        if len(out) >= limit:
            break
    return out


def layout_parts(mod):
    """<= 6.3: core_layout is one allocation cut into text, rodata, ro_after_init and data
    (kernel/module/main.c layout_sections()).  (base, size, {part: (start, size)})."""
    lay = mod.core_layout
    b, size = lay.base.value_(), lay.size.value_()
    text, ro = lay.text_size.value_(), lay.ro_size.value_()
    roai = lay.ro_after_init_size.value_()
    return b, size, {"text": (b, text), "rodata": (b + text, ro - text),
                     "ro_after_init": (b + ro, roai - ro), "data": (b + roai, size - roai)}


def mem_parts(prog, mod):
    """6.4+ (commit ac3b43283923 "module: replace module_layout with module_memory"): one
    allocation per enum mod_mem_type, mod->mem[type].base/.size, named MOD_<NAME>; the init
    ones are zeroed once the module is live (do_init_module()).  base is MOD_TEXT's, size the
    sum of the core (non-init) types, as core_layout.base/.size were."""
    names = {e.value: e.name[4:].lower() for e in prog.type("enum mod_mem_type").enumerators}
    parts, size = {}, 0
    for i in range(len(mod.mem)):
        b, n = mod.mem[i].base.value_(), mod.mem[i].size.value_()
        if b and n:
            parts[names[i]] = (b, n)
            size += 0 if names[i].startswith("init_") else n
    return mod.mem[prog.constant("MOD_TEXT")].base.value_(), size, parts


def modules(prog):
    out = []
    for mod in base.walk(prog["modules"], "struct module", "list"):
        try:
            b, size, parts = layout_parts(mod)
        except AttributeError:
            b, size, parts = mem_parts(prog, mod)
        out.append({
            "name": mod.name.string_().decode(), "address": hx(mod.address_of_().value_()),
            "base": hx(b), "size": size, "state": mod.state.format_(type_name=False),
            "refcnt": mod.refcnt.counter.value_() - 1, "taints": mod.taints.value_(),
            "regions": {k: {"start": hx(a), "size": n, "sha256": sha_of(prog, a, n)}
                        for k, (a, n) in parts.items() if n},
            "symbols": module_syms(prog, mod),
        })
    return out


def vmap_areas(prog, page):
    out, hashed = [], 0
    for node, va in base.vmap_area_objects(prog):
        vm = va.vm
        a = {"vmap_area": hx(va.value_() if va.type_.kind == drgn.TypeKind.POINTER
                             else va.address_of_().value_()), "node": node,
             "start": hx(va.va_start.value_()), "end": hx(va.va_end.value_()),
             "vm_struct": hx(vm.value_())}
        if vm:
            flags, size = vm.flags.value_(), vm.size.value_()
            try:
                caller = prog.symbol(vm.caller.value_()).name
            except LookupError:
                caller = hx(vm.caller.value_())
            nr = vm.nr_pages.value_()
            phys = []
            for i in range(min(nr, 4)):
                phys.append(hx(page_to_phys(vm.pages[i]).value_()))
            data = size - (0 if flags & 0x40 else page)
            a.update({"vm_size": size, "flags": hx(flags), "caller": caller, "nr_pages": nr,
                      "page_phys": phys, "data_size": data})
            if nr and data <= 64 * page and hashed < 12:
                a["sha256"] = sha_of(prog, va.va_start.value_(), data)
                hashed += a["sha256"] is not None
        out.append(a)
    return out


def tasks(prog):
    out, seen = [], set()

    def add(t, idle=False):
        if t.value_() in seen:
            return
        seen.add(t.value_())
        pid = t.pid.value_()
        out.append({"pid": pid, "tgid": t.tgid.value_(),
                    "ppid": t.real_parent.tgid.value_() if pid else 0,
                    "comm": t.comm.string_().decode(errors="replace"),
                    "address": hx(t.value_()), "cpu": task_cpu(t),
                    "state": task_state_to_char(t), "idle": idle,
                    "kthread": bool(t.flags.value_() & 0x00200000)})
    add(prog["init_task"].address_of_(), idle=True)
    for cpu in for_each_possible_cpu(prog):
        add(idle_task(prog, cpu), idle=True)
    for leader in base.walk(prog["init_task"].tasks, "struct task_struct", "tasks"):
        add(leader.address_of_())
        for t in base.walk(leader.signal.thread_head, "struct task_struct", "thread_node"):
            add(t.address_of_())
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vmcore", required=True)
    ap.add_argument("--vmlinux", required=True)
    ap.add_argument("--arch", default="x86_64")
    ap.add_argument("--json", required=True)
    a = ap.parse_args()
    if a.arch == "aarch64":
        import drgn_oracle_arm64 as arm
        o = arm.Arm64Oracle(a.vmcore, a.vmlinux)
        page = o.page
    else:
        o = base.Oracle(a.vmcore, a.vmlinux)
        page = 4096
    prog = o.prog
    try:
        panic_cpu = prog["panic_cpu"].counter.value_()
    except (KeyError, AttributeError):
        panic_cpu = None
    doc = {"tool": "drgn", "drgn_version": drgn.__version__, "vmcore": a.vmcore,
           "arch": a.arch, "panic_cpu": panic_cpu, "modules": modules(prog),
           "vmap_areas": vmap_areas(prog, page), "tasks": tasks(prog)}
    with open(a.json, "w") as f:
        json.dump(doc, f, indent=1)
    print("walkers_oracle: %d modules, %d vmap areas, %d tasks" % (
        len(doc["modules"]), len(doc["vmap_areas"]), len(doc["tasks"])), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
