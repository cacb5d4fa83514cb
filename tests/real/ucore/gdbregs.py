"""The registers of each thread in gdb's `thread apply all info registers R...` output,
shared by ucore_check.py (x86_64) and ucore_check_arm64.py."""
import re


def thread_registers(out, regs):
    """{LWP: {register: value}} for the registers named in regs."""
    by_lwp, lwp = {}, None
    for line in out.splitlines():
        m = re.match(r'^Thread \d+ .*\(LWP (\d+)\)', line)
        if m:
            lwp = int(m.group(1))
            by_lwp[lwp] = {}
            continue
        m = re.match(r'^(\w+)\s+(0x[0-9a-f]+)', line)
        if m and lwp is not None and m.group(1) in regs:
            by_lwp[lwp][m.group(1)] = int(m.group(2), 16)
    return by_lwp
