#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check vmdive against gdb, eu-readelf and eu-stack on real process cores.

    ucore_check.py VMDIVE EXE CORE:KIND[:PLAIN] ...

KIND is abrt or segv (how ucore_prog died); PLAIN names the uncompressed
core a .zst/.lz4 copy must read the same as.  Every value vmdive prints is
compared with what an independent reader says of the same file (gdb for
registers, symbols, memory and the signal; eu-readelf for the notes and the
mappings; eu-stack for the threads' frames), or with what ucore_prog wrote.
Prints one line per failure and "N passed, M failed".
"""
import json
import re
import subprocess
import sys

import gdbregs                        # tests/real/ucore/gdbregs.py

VMDIVE, EXE = sys.argv[1], sys.argv[2]
passed = failed = 0
REGS = ['rip', 'rsp', 'rbp', 'rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'r8',
        'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15', 'eflags', 'cs', 'ss',
        'fs_base', 'gs_base']


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print('FAIL:', what)


def eq(got, want, what):
    check(got == want, f'{what}: vmdive {got!r}, reference {want!r}')


def run(args):
    p = subprocess.run(args, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def vm(*args):
    return run([VMDIVE, *args])


def vmj(*args):
    rc, out, err = vm('--json', *args)
    if rc not in (0, 1):
        print('vmdive', ' '.join(args), 'failed:', err.strip())
    return json.loads(out) if out.strip() else None


def gdb(core, *cmds):
    args = ['gdb', '-batch', '-nx']
    for c in cmds:
        args += ['-ex', c]
    return run(args + [EXE, core])[1]


def gdb_values(core, exprs):
    """'$N = VALUE' for each expression, in order (None when gdb fails)."""
    out = gdb(core, *[f'print {e}' for e in exprs])
    vals = {}
    for m in re.finditer(r'^\$(\d+) = (.*)$', out, re.M):
        vals[int(m.group(1)) - 1] = m.group(2)
    return [vals.get(i) for i in range(len(exprs))]


def vm_read(core, addr, n):
    rc, out, err = vm('rd', core, hex(addr), str(n))
    data = bytearray()
    for line in out.splitlines():
        m = re.match(r'^[0-9a-f]{16}:  ((?:[0-9a-f]{2} +)+)', line)
        if m:
            data += bytes(int(x, 16) for x in m.group(1).split())
    return bytes(data) if rc == 0 else None


def vm_sym(core, what):
    d = vmj('sym', core, what)
    return d[0] if d else None


def check_threads(core, info):
    """Registers of every thread against gdb's `info registers`."""
    out = gdb(core, 'thread apply all info registers ' + ' '.join(REGS))
    gdb_regs = gdbregs.thread_registers(out, REGS)
    vm_threads = {t['pid']: t for t in info['threads']}
    eq(sorted(vm_threads), sorted(gdb_regs), f'{core}: thread ids')
    for pid, regs in gdb_regs.items():
        t = vm_threads.get(pid)
        if not t:
            continue
        got = {r: int(t['registers'][r], 16) for r in REGS if r in t['registers']}
        eq(got, regs, f'{core}: registers of thread {pid}')


def check_notes(core, info, kind):
    """Signal, psinfo, auxv against eu-readelf --notes and gdb."""
    out = run(['eu-readelf', '-n', core])[1]
    m = re.search(r'fname: (.*?), psargs: (.*)$', out, re.M)
    check(m is not None, f'{core}: eu-readelf shows NT_PRPSINFO')
    if m:
        eq((info['psinfo']['fname'], info['psinfo']['psargs']),
           (m.group(1), m.group(2).rstrip()), f'{core}: fname, psargs')
    si = info['siginfo']
    signo, addr = gdb_values(core, ['$_siginfo.si_signo',
                                    '$_siginfo._sifields._sigfault.si_addr'])
    eq(si['signo'] if si else None, int(signo) if signo else None, f'{core}: signal')
    eq(si['signo'] if si else None, {'abrt': 6, 'segv': 11}[kind], f'{core}: signal ucore_prog died of')
    if kind == 'segv':
        want = int(re.search(r'0x[0-9a-f]+', addr).group(0), 16) if addr else None
        eq(int(si.get('fault_address', '0'), 16), want, f'{core}: fault address (gdb)')
        eq(int(si.get('fault_address', '0'), 16), 0xdead0000, f'{core}: fault address ucore_prog used')
    # eu-readelf names the entries it knows and numbers the others.
    want, got = [], []
    sect = out.split('AUXV', 1)[1] if 'AUXV' in out else ''
    for line in sect.splitlines()[1:]:
        m = re.match(r'^\s+([A-Z_0-9]+): (0x[0-9a-f]+|\d+)', line)
        if not m or m.group(1) == 'NULL':
            break
        want.append((m.group(1), int(m.group(2), 0)))
    for (k, v), a in zip(want, info['auxv']):
        got.append((k if ('AT_' + k == a['name'] or k == str(a['type'])) else a['name'],
                    int(a['value'], 16)))
    eq(got, want, f'{core}: auxv')
    eq(info['executable'], EXE, f'{core}: executable (NT_FILE path of AT_ENTRY)')


def check_maps(core):
    """NT_FILE and PT_LOADs against eu-readelf."""
    out = run(['eu-readelf', '-n', '-l', core])[1]
    want = set()
    for m in re.finditer(r'^\s+([0-9a-f]+)-([0-9a-f]+) ([0-9a-f]+) +\d+ +(.*)$', out, re.M):
        want.add((int(m.group(1), 16), int(m.group(2), 16), int(m.group(3), 16),
                  m.group(4)))
    loads = len(re.findall(r'^\s+LOAD\s', out, re.M))
    rows = vmj('maps', core)
    got = {(int(r['start'], 16), int(r['end'], 16), int(r['offset'], 16), r['path'])
           for r in rows if r['path']}
    eq(got, want, f'{core}: file mappings (NT_FILE)')
    eq(sum(r['pt_load'] for r in rows), loads, f'{core}: PT_LOADs')
    check(any(r['in_core'] == 'none' and r['file_check'] == 'match' for r in rows),
          f'{core}: some code mapping is not in the core and its file matches')


def check_memory(core):
    """Symbols' addresses and the values ucore_prog wrote, against gdb."""
    names = ['vd_marker_global', 'vd_marker_string', 'vd_counter', 'vd_heap',
             'main', 'vd_crash_here']
    gv = gdb_values(core, [f'/x &{n}' for n in names] +
                    ['/x vd_marker_global', 'vd_counter', '/x vd_heap'])
    addrs = {}
    for n, v in zip(names, gv):
        s = vm_sym(core, n)
        addrs[n] = int(s['symbol_address'], 16) if s else None
        want = int(re.search(r'0x[0-9a-f]+', v).group(0), 16) if v else None
        eq(addrs[n], want, f'{core}: address of {n}')
    if None in addrs.values():
        return
    g = vm_read(core, addrs['vd_marker_global'], 8)
    eq(int.from_bytes(g or b'', 'little'), 0x5644434f52453031 ^ 0xff, f'{core}: vd_marker_global')
    eq(hex(int.from_bytes(g or b'', 'little')), gv[6], f'{core}: vd_marker_global (gdb)')
    eq(vm_read(core, addrs['vd_marker_string'], 23), b'vmdive-user-core-marker', f'{core}: vd_marker_string')
    c = vm_read(core, addrs['vd_counter'], 4)
    eq(int.from_bytes(c or b'', 'little'), 42, f'{core}: vd_counter')
    eq(str(int.from_bytes(c or b'', 'little')), gv[7], f'{core}: vd_counter (gdb)')
    heap = int.from_bytes(vm_read(core, addrs['vd_heap'], 8) or b'', 'little')
    eq(hex(heap), gv[8], f'{core}: vd_heap pointer (gdb)')
    eq(vm_read(core, heap, 29), b'vmdive heap marker 0123456789', f'{core}: heap marker')
    # Code: not in the core, read from the executable; gdb does the same.
    out = gdb(core, 'x/16xb main')
    want = bytes(int(x, 16) for x in re.findall(r'\b0x([0-9a-f]{2})\b', out))
    eq(vm_read(core, addrs['main'], 16), want[-16:], f'{core}: code bytes at main')
    # Where the core lacks the code (kernel cores; gcore dumps it all),
    # rd says it read the file and checked its build-id.
    rows = vmj('maps', core)
    text = [r for r in rows if int(r['start'], 16) <= addrs['main'] < int(r['end'], 16)]
    d = vmj('rd', '-o', '/dev/null', core, hex(addrs['main']), '16')
    if text and text[0]['in_core'] == 'none':
        check(d and d['from_files'] and d['from_files'][0]['file_check'] == 'match',
              f'{core}: rd says main came from the file, build-id checked')
    else:
        check(d and not d['from_files'], f'{core}: rd read main from the core')


def check_symbols(core, info):
    """Each thread's frames: eu-stack's and gdb's names against vmdive's."""
    out = run(['eu-stack', '--core', core, '-e', EXE])[1]
    frames, tid = [], None
    for line in out.splitlines():
        m = re.match(r'^TID (\d+):', line)
        if m:
            tid = int(m.group(1))
        m = re.match(r'^#(\d+)\s+0x([0-9a-f]+)\s+(\S+)', line)
        if m and tid is not None:
            frames.append((tid, int(m.group(1)), int(m.group(2), 16), m.group(3)))
    check(len(frames) >= 2 * len(info['threads']), f'{core}: eu-stack frames')
    pcs = {t['pid']: int(t['registers']['rip'], 16) for t in info['threads']}
    for tid, n, addr, name in frames:
        if n == 0:
            eq(addr, pcs.get(tid), f'{core}: thread {tid} pc (eu-stack)')
        # eu-stack names a return address by the call before it.
        q = addr - (n > 0)
        s = vm_sym(core, hex(q))
        alias = vm_sym(core, name)
        check(s and alias and s['symbol_address'] == alias['symbol_address'],
              f'{core}: {hex(q)}: vmdive {s and s["name"]}, eu-stack {name}')
        if n > 1 or not s:
            continue
        m = re.search(r'^(\S+)(?: \+ (\d+))? in section',
                      gdb(core, f'info symbol {hex(q)}'), re.M)
        g = vm_sym(core, m.group(1)) if m else None
        check(g and g['symbol_address'] == s['symbol_address'] and
              int(s['offset'], 16) == int(m.group(2) or 0),
              f'{core}: {hex(q)}: vmdive {s["name"]}+{s["offset"]}, gdb {m and m.group(0)}')


def check_compressed(core, plain, info):
    ref = vmj('info', plain)
    eq(info['threads'], ref['threads'], f'{core}: threads as in the uncompressed core')
    eq(info['siginfo'], ref['siginfo'], f'{core}: siginfo as in the uncompressed core')
    eq(info['compression']['method'], core.rsplit('.', 1)[1].replace('zst', 'zstd'),
       f'{core}: compression method')
    s = vm_sym(core, 'vd_marker_string')
    eq(vm_read(core, int(s['symbol_address'], 16), 23) if s else None,
       b'vmdive-user-core-marker', f'{core}: vd_marker_string')


for spec in sys.argv[3:]:
    core, kind, *plain = spec.split(':')
    info = vmj('info', core)
    check(info is not None and info['kind'] == 'user', f'{core}: vmdive info --json')
    if info is None:
        continue
    if plain:
        check_compressed(core, plain[0], info)
        continue
    check_threads(core, info)
    check_notes(core, info, kind)
    check_maps(core)
    check_memory(core)
    check_symbols(core, info)

print(f'ucore_check: {passed} passed, {failed} failed')
sys.exit(1 if failed else 0)
