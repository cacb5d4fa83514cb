#!/usr/bin/python3
"""drgn's answers, with the vmlinux's DWARF, for what `vmdive sys` finds without data symbols
on an arm64 dump (triage_check.py): the pages present in all nodes (node_data[] up to
nr_node_ids, as crash's MEMORY) and saved_command_line.

    /usr/bin/python3 tests/real/sys_oracle.py VMCORE VMLINUX      # one JSON object
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "oracle"))
import drgn_oracle_arm64 as arm                      # noqa: E402


def main():
    o = arm.Arm64Oracle(sys.argv[1], sys.argv[2])
    prog = o.prog
    total = nodes = 0
    for i in range(prog["nr_node_ids"].value_()):
        p = prog["node_data"][i]
        if p.value_():
            total += p.node_present_pages.value_()
            nodes += 1
    print(json.dumps({"present_pages": total, "nodes": nodes,
                      "cmdline": prog["saved_command_line"].string_().decode()}))


if __name__ == "__main__":
    main()
