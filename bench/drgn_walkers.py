#!/usr/bin/python3
"""drgn side of bench/walkers.sh: open an x86_64 QEMU vmcore and walk one kernel list.

    /usr/bin/python3 bench/drgn_walkers.py --vmcore F --vmlinux V --mode open|mod|vmalloc|ps

open     open the dump and load the vmlinux's debug info (drgn's start-up)
mod      + every module: name, address, core_layout base and size (6.4+: each mod->mem[])
vmalloc  + every busy vmap_area (vmap_area_list; 6.9+ vmap_nodes[]): start, end, vm size,
         flags, caller symbol
ps       + every task of init_task.tasks and its threads: pid, comm, state letter
log      + every printk record (get_printk_records())
The dump is opened with tests/oracle/drgn_oracle.py's Oracle (drgn 0.0.22 cannot open QEMU's
ELF by itself); prints the element count on stderr.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "oracle"))
import drgn_oracle as base                           # noqa: E402
from drgn.helpers.linux.printk import get_printk_records  # noqa: E402
from drgn.helpers.linux.sched import task_state_to_char  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vmcore", required=True)
    ap.add_argument("--vmlinux", required=True)
    ap.add_argument("--mode", choices=("open", "mod", "vmalloc", "ps", "log"), default="open")
    a = ap.parse_args()
    prog = base.Oracle(a.vmcore, a.vmlinux).prog
    n = 0
    if a.mode == "mod":
        for m in base.walk(prog["modules"], "struct module", "list"):
            try:
                (m.name.string_(), m.core_layout.base.value_(), m.core_layout.size.value_())
            except AttributeError:
                (m.name.string_(), [(x.base.value_(), x.size.value_()) for x in m.mem])
            n += 1
    elif a.mode == "vmalloc":
        for _, va in base.vmap_area_objects(prog):
            vm = va.vm
            if vm:
                try:
                    prog.symbol(vm.caller.value_())
                except LookupError:
                    pass
                (vm.size.value_(), vm.flags.value_())
            n += 1
    elif a.mode == "ps":
        for leader in base.walk(prog["init_task"].tasks, "struct task_struct", "tasks"):
            for t in base.walk(leader.signal.thread_head, "struct task_struct", "thread_node"):
                (t.pid.value_(), t.comm.string_(), task_state_to_char(t.address_of_()))
                n += 1
    elif a.mode == "log":
        n = len([r.text for r in get_printk_records(prog)])
    print("%s: %d" % (a.mode, n), file=sys.stderr)


if __name__ == "__main__":
    main()
