#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check vmdive against gdb-multiarch and eu-readelf on real arm64 cores.

    ucore_check_arm64.py VMDIVE SYSROOT EXE EXE_NOPIE CORE:KIND:PRODUCER[:PLAIN] ...

KIND is abrt or segv (how ucore_prog died); PRODUCER is qemu (qemu-user's
own core of EXE) or gdbstub (gdb's gcore through qemu's gdbstub, of
EXE_NOPIE); PLAIN names the uncompressed core a .zst/.lz4 copy must read
the same as.  Every value vmdive prints is compared with what an
independent reader says of the same file -- gdb for registers, memory and
symbols, eu-readelf for the notes and PT_LOADs, the executable file itself
for code bytes -- or with what ucore_prog wrote.

qemu-user's cores have no NT_FILE and lack the executable's ELF header
page, so gdb cannot place the PIE executable by itself (its phdrs check
reads AT_PHDR from the core): it is given the load bias AT_ENTRY - e_entry
(eu-readelf's numbers) with symbol-file -o, and gdb's Python walks ld.so's
link_map for the libraries' biases, which add-symbol-file -o then uses.
Prints one line per failure and "N passed, M failed".
"""
import json
import os
import re
import struct
import subprocess
import sys
import tempfile

import gdbregs                        # tests/real/ucore/gdbregs.py

VMDIVE, SYSROOT, EXE, EXE_NOPIE = sys.argv[1:5]
passed = failed = 0
REGS = [f'x{i}' for i in range(31)] + ['sp', 'pc', 'cpsr']
SIGNO = {'abrt': 6, 'segv': 11}

# gdb's Python: walk r_debug.r_map from the executable's DT_DEBUG.
LINKMAP_PY = r'''
import gdb, os
inf = gdb.selected_inferior()
def u64(a):
    return int.from_bytes(bytes(inf.read_memory(a, 8)), 'little')
dyn, rdebug = int(os.environ['VD_DYN'], 0), 0
for i in range(1024):
    tag = u64(dyn + 16 * i)
    if tag == 0:
        break
    if tag == 21:
        rdebug = u64(dyn + 16 * i + 8)
m = u64(rdebug + 8) if rdebug else 0
while m:
    l_addr, l_name, l_ld = u64(m), u64(m + 8), u64(m + 16)
    try:
        name = inf.read_memory(l_name, 256).tobytes().split(b'\0')[0].decode()
    except gdb.MemoryError:
        name = '?'
    print('LM %#x %#x %#x %s' % (l_addr, l_name, l_ld, name))
    m = u64(m + 24)
'''


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print('FAIL:', what)


def eq(got, want, what):
    check(got == want, f'{what}: vmdive {got!r}, reference {want!r}')


def run(args, env=None):
    p = subprocess.run(args, capture_output=True, text=True, env=env)
    return p.returncode, p.stdout, p.stderr


class Core:
    """One core and how to ask vmdive and gdb about it."""

    def __init__(self, path, kind, producer):
        self.path, self.kind, self.producer = path, kind, producer
        self.exe = EXE if producer == 'qemu' else EXE_NOPIE
        self.opts = ['--sysroot', SYSROOT]
        # gcore writes no stack above sp: AT_EXECFN's string is not in it.
        if producer == 'gdbstub':
            self.opts += ['--exe', self.exe]
        self.bias = 0
        self.gdb_pre = []

    def vm(self, *args):
        return run([VMDIVE, *self.opts, *args])

    def vmj(self, *args):
        rc, out, err = self.vm('--json', *args)
        if rc not in (0, 1):
            print('vmdive', ' '.join(args), 'failed:', err.strip())
        return json.loads(out) if out.strip() else None

    def sym(self, what):
        d = self.vmj('sym', self.path, what)
        return d[0] if d else None

    def read(self, addr, n):
        rc, out, err = self.vm('rd', self.path, hex(addr), str(n))
        data = bytearray()
        for line in out.splitlines():
            m = re.match(r'^[0-9a-f]{16}:  ((?:[0-9a-f]{2} +)+)', line)
            if m:
                data += bytes(int(x, 16) for x in m.group(1).split())
        return bytes(data) if rc == 0 else None

    def gdb(self, *cmds, env=None):
        args = ['gdb-multiarch', '-batch', '-nx', '-ex', f'set sysroot {SYSROOT}']
        if self.producer == 'qemu':
            args += ['-ex', f'core {self.path}', '-ex',
                     f'symbol-file -o {self.bias:#x} {self.exe}']
        else:
            args += ['-ex', f'file {self.exe}', '-ex', f'core {self.path}']
        for c in self.gdb_pre + list(cmds):
            args += ['-ex', c]
        return run(args, env=env)[1]

    def gdb_values(self, exprs):
        out = self.gdb(*[f'print {e}' for e in exprs])
        vals = {}
        for m in re.finditer(r'^\$(\d+) = (.*)$', out, re.M):
            vals[int(m.group(1)) - 1] = m.group(2)
        return [vals.get(i) for i in range(len(exprs))]


def elf_info(path):
    """e_type, e_entry and PT_LOADs/PT_DYNAMIC of an ELF64 LE file."""
    with open(path, 'rb') as f:
        data = f.read()
    e_type, = struct.unpack_from('<H', data, 16)
    e_entry, e_phoff = struct.unpack_from('<QQ', data, 24)
    e_phentsize, e_phnum = struct.unpack_from('<HH', data, 54)
    phdrs = []
    for i in range(e_phnum):
        p_type, _, p_offset, p_vaddr, _, p_filesz, p_memsz = \
            struct.unpack_from('<IIQQQQQ', data, e_phoff + i * e_phentsize)
        phdrs.append((p_type, p_offset, p_vaddr, p_filesz, p_memsz))
    return data, e_type, e_entry, phdrs


def file_bytes(path, vaddr, n):
    """n bytes of the file at link-time address vaddr (a PT_LOAD's)."""
    data, _, _, phdrs = elf_info(path)
    for p_type, off, va, filesz, _ in phdrs:
        if p_type == 1 and va <= vaddr and vaddr + n <= va + filesz:
            return data[off + vaddr - va:off + vaddr - va + n]
    return None


def readelf_notes(core):
    out = run(['eu-readelf', '-n', core])[1]
    threads = [(int(p), int(s)) for s, p in
               re.findall(r'cursig: (\d+)\n(?:.*\n)*?\s+pid: (\d+)', out)]
    # Owner, size, type of every note, per NT_PRSTATUS.
    notes, cur = [], None
    for m in re.finditer(r'^  (\w+)\s+(\d+)\s+(.*)$', out, re.M):
        owner, size, typ = m.groups()
        if typ == 'PRSTATUS':
            cur = []
            notes.append(cur)
        elif owner == 'LINUX' and cur is not None:
            cur.append((int(size), int(re.search(r'(\d+)$', typ).group(1))
                        if typ.startswith('<unknown>') else typ))
    auxv = {}
    sect = out.split('AUXV', 1)[1] if 'AUXV' in out else ''
    for line in sect.splitlines()[1:]:
        m = re.match(r'^\s+([A-Z_0-9]+): (0x[0-9a-f]+|\d+)', line)
        if not m or m.group(1) == 'NULL':
            break
        auxv[m.group(1)] = int(m.group(2), 0)
    return out, threads, notes, auxv


def check_info(c, info, auxv):
    eq((info['kind'], info['arch'], info['page_size']),
       ('user', 'aarch64', auxv.get('PAGESZ')), f'{c.path}: kind, arch, page size (AT_PAGESZ)')


def check_threads(c, info, threads):
    """Registers against gdb; pid and signal of each thread against eu-readelf."""
    out = c.gdb('thread apply all info registers ' + ' '.join(REGS))
    gdb_regs = gdbregs.thread_registers(out, REGS)
    vm_threads = {t['pid']: t for t in info['threads']}
    eq(sorted(vm_threads), sorted(gdb_regs), f'{c.path}: thread ids (gdb)')
    check(len(gdb_regs) == 2 and all(len(r) == len(REGS) for r in gdb_regs.values()),
          f'{c.path}: gdb shows 2 threads with {len(REGS)} registers')
    for pid, regs in gdb_regs.items():
        t = vm_threads.get(pid)
        if not t:
            continue
        got = {r: int(t['registers'][r if r != 'cpsr' else 'pstate'], 16)
               for r in REGS}
        eq(got, regs, f'{c.path}: registers of thread {pid}')
    eq([(t['pid'], t['signal']) for t in info['threads']], threads,
       f'{c.path}: thread pids and cursig (eu-readelf)')
    check(info['threads'][0]['signal'] == SIGNO[c.kind],
          f'{c.path}: first thread died of {SIGNO[c.kind]}')


def check_notes(c, info, out, notes, auxv):
    m = re.search(r'fname: (.*?), psargs: (.*)$', out, re.M)
    if c.producer == 'qemu':
        check(m is not None, f'{c.path}: eu-readelf shows NT_PRPSINFO')
    if m:
        eq((info['psinfo']['fname'], info['psinfo']['psargs']),
           (m.group(1), m.group(2).rstrip()), f'{c.path}: fname, psargs')
    # Register-set notes (gcore: NT_ARM_SVE), by size and type, per thread.
    got = [[(r['size'], int(r['type'], 16)) for r in t['regsets']] for t in info['threads']]
    eq(got, notes, f'{c.path}: register-set notes per thread (eu-readelf)')
    if c.producer == 'gdbstub':
        check(all(r['name'] == 'NT_ARM_SVE' for t in info['threads'] for r in t['regsets'])
              and any(t['regsets'] for t in info['threads']),
              f'{c.path}: NT_ARM_SVE (0x405) named')
    names = {}
    for a in info['auxv']:
        names[a['name'][3:] if a['name'] else str(a['type'])] = int(a['value'], 16)
    # eu-readelf 0.188 numbers AT_HWCAP2 (26).
    names = {('26' if k == 'HWCAP2' else k): v for k, v in names.items()}
    eq(names, auxv, f'{c.path}: auxv (eu-readelf)')


def check_maps(c, info, auxv):
    """PT_LOADs against eu-readelf; file mappings against ld.so's link_map."""
    out = run(['eu-readelf', '-l', c.path])[1]
    loads = len(re.findall(r'^\s+LOAD\s', out, re.M))
    rows = c.vmj('maps', c.path)
    eq(sum(r['pt_load'] for r in rows), loads, f'{c.path}: PT_LOADs (eu-readelf)')
    eq(info['file_mappings_source'], 'link_map', f'{c.path}: file mappings from link_map')
    phdrs = elf_info(c.exe)[3]
    dyn = [p for p in phdrs if p[0] == 2][0][2] + c.bias
    out = c.gdb('source ' + LM_FILE, env=dict(os.environ, VD_DYN=hex(dyn)))
    lms = [(int(a, 16), int(n, 16), int(d, 16), name) for a, n, d, name in
           re.findall(r'^LM (\S+) (\S+) (\S+) (.*)$', out, re.M)]
    if c.producer == 'gdbstub':
        # gcore dumps sections only: ld.so's link_map entries are not in
        # it.  gdb says so; vmdive must keep the executable alone.
        eq(lms, [], f'{c.path}: gdb reads no link_map')
        eq(sorted({r['path'] for r in rows if r['path']}), [c.exe],
           f'{c.path}: only the executable mapped')
        check('link_map entry 0' in (info['file_mappings_note'] or ''),
              f'{c.path}: vmdive says the link_map is not in the core')
        return []
    libs = []
    for l_addr, l_name, l_ld, name in lms[1:]:
        # ld.so's l_name points into the executable's .interp, which
        # the core lacks: gdb reads zeros or nothing there.
        if name in ('?', ''):
            s = file_bytes(c.exe, l_name - c.bias, 64)
            name = s.split(b'\0')[0].decode() if s else '?'
        libs.append((name, l_addr))
    check(len(libs) == 2 and {n for n, _ in libs} ==
          {'/lib/libc.so.6', '/lib/ld-linux-aarch64.so.1'},
          f'{c.path}: gdb walks link_map to libc and ld.so: {libs}')
    eq(info['executable'], c.exe, f'{c.path}: executable (from AT_EXECFN)')
    # Every library's first mapping: file offset 0 at l_addr + its first
    # PT_LOAD's page.
    for name, l_addr in libs:
        _, _, _, lphdrs = elf_info(SYSROOT + name)
        first = min(p[2] for p in lphdrs if p[0] == 1) & ~0xfff
        got = [(int(r['start'], 16), int(r['offset'], 16), r['file'])
               for r in rows if r['path'] == name][:1]
        eq(got, [(l_addr + first, 0, SYSROOT + name)],
           f'{c.path}: mapping of {name}')
    c.gdb_pre = [f'add-symbol-file {SYSROOT}{n} -o {a:#x}' for n, a in libs]
    return libs


def check_memory(c):
    """Globals' addresses and values, the heap marker, code bytes."""
    names = ['vd_marker_global', 'vd_marker_string', 'vd_counter', 'vd_heap',
             'main', 'vd_crash_here']
    gv = c.gdb_values([f'/x &{n}' for n in names] +
                      ['/x vd_marker_global', 'vd_counter', '/x vd_heap'])
    addrs = {}
    for n, v in zip(names, gv):
        s = c.sym(n)
        addrs[n] = int(s['symbol_address'], 16) if s else None
        want = int(re.search(r'0x[0-9a-f]+', v).group(0), 16) if v else None
        eq(addrs[n], want, f'{c.path}: address of {n} (gdb)')
    if None in addrs.values():
        return
    g = c.read(addrs['vd_marker_global'], 8)
    eq(int.from_bytes(g or b'', 'little'), 0x5644434f52453031 ^ 0xff, f'{c.path}: vd_marker_global')
    eq(hex(int.from_bytes(g or b'', 'little')), gv[6], f'{c.path}: vd_marker_global (gdb)')
    eq(c.read(addrs['vd_marker_string'], 23), b'vmdive-user-core-marker', f'{c.path}: vd_marker_string')
    n = c.read(addrs['vd_counter'], 4)
    eq(int.from_bytes(n or b'', 'little'), 42, f'{c.path}: vd_counter')
    eq(str(int.from_bytes(n or b'', 'little')), gv[7], f'{c.path}: vd_counter (gdb)')
    heap = int.from_bytes(c.read(addrs['vd_heap'], 8) or b'', 'little')
    eq(hex(heap), gv[8], f'{c.path}: vd_heap pointer (gdb)')
    eq(c.read(heap, 29), b'vmdive heap marker 0123456789', f'{c.path}: heap marker')
    # qemu leaves the code out: vmdive reads the file, and says so.
    want = file_bytes(c.exe, addrs['main'] - c.bias, 16)
    eq(c.read(addrs['main'], 16), want, f'{c.path}: code bytes at main (the executable file)')
    d = c.vmj('rd', '-o', '/dev/null', c.path, hex(addrs['main']), '16')
    if c.producer == 'qemu':
        check(d and d['from_files'] and d['from_files'][0]['path'] == c.exe,
              f'{c.path}: rd says main came from the file')
    else:
        check(d and not d['from_files'], f'{c.path}: rd read main from the core')


def check_symbols(c, info, libs):
    """Each thread's pc and lr, and libc's abort, against gdb's info symbol."""
    main = c.sym('main')
    addrs = [int(main['symbol_address'], 16) + 4] if main else []
    for t in info['threads']:
        r = t['registers']
        addrs += [int(r['pc'], 16), int(r['x30'], 16) - 4]
    s = c.sym('abort')
    if libs:
        check(s and s['path'] == '/lib/libc.so.6', f'{c.path}: abort is in libc')
        if s:
            addrs.append(int(s['symbol_address'], 16) + 8)
    out = c.gdb(*[f'info symbol {a:#x}' for a in addrs])
    answers = out.split('\n')
    gdb_syms = [re.match(r'^(\S+)(?: \+ (\d+))? in section', line) for line in answers
                if re.match(r'^(\S+)(?: \+ (\d+))? in section|^No symbol matches', line)]
    eq(len(gdb_syms), len(addrs), f'{c.path}: gdb answered every info symbol')
    named = 0
    for a, m in zip(addrs, gdb_syms):
        s = c.sym(hex(a))
        if not m:
            check(s is None, f'{c.path}: {a:#x}: gdb knows no symbol, vmdive {s and s["name"]}')
            continue
        if m.group(1).endswith('@plt'):
            # gdb synthesizes NAME@plt for PLT stubs from .rela.plt (as objdump does);
            # vmdive names ELF symbols only and has no such names yet: not compared.  A
            # thread's lr lands in a stub when it was inside a libc call made from main.
            print(f'  note: {a:#x}: gdb {m.group(0)} (a PLT stub), vmdive '
                  f'{s and s["name"]}: not compared')
            continue
        named += 1
        g = c.sym(m.group(1))
        check(s and g and g['symbol_address'] == s['symbol_address'] and
              int(s['offset'], 16) == int(m.group(2) or 0),
              f'{c.path}: {a:#x}: vmdive {s and s["name"]}+{s and s["offset"]}, gdb {m.group(0)}')
    # main+4 and abort+8 at least: the threads' pc and lr are often in libc's static
    # functions (no name in Debian's stripped libc), depending on where each thread was
    # when the signal came; every address gdb does name is compared above.
    check(named >= (2 if libs else 1), f'{c.path}: gdb named {named} of {len(addrs)} addresses')


def check_compressed(c, plain, info):
    p = Core(plain, c.kind, c.producer)
    ref = p.vmj('info', plain)
    eq(info['threads'], ref['threads'], f'{c.path}: threads as in the uncompressed core')
    eq(info['auxv'], ref['auxv'], f'{c.path}: auxv as in the uncompressed core')
    eq(info['compression']['method'], c.path.rsplit('.', 1)[1].replace('zst', 'zstd'),
       f'{c.path}: compression method')
    eq(c.vmj('maps', c.path), p.vmj('maps', plain), f'{c.path}: maps as in the uncompressed core')
    s = c.sym('vd_marker_string')
    eq(c.read(int(s['symbol_address'], 16), 23) if s else None,
       b'vmdive-user-core-marker', f'{c.path}: vd_marker_string')
    s = c.sym('abort')
    eq(s and s['path'], '/lib/libc.so.6', f'{c.path}: abort in libc')


with tempfile.NamedTemporaryFile('w', suffix='.py') as lm:
    lm.write(LINKMAP_PY)
    lm.flush()
    LM_FILE = lm.name
    for spec in sys.argv[5:]:
        path, kind, producer, *plain = spec.split(':')
        c = Core(path, kind, producer)
        info = c.vmj('info', path)
        check(info is not None and info.get('kind') == 'user', f'{path}: vmdive info --json')
        if not info:
            continue
        if plain:
            check_compressed(c, plain[0], info)
            continue
        out, threads, notes, auxv = readelf_notes(path)
        _, e_type, e_entry, _ = elf_info(c.exe)
        c.bias = auxv['ENTRY'] - e_entry if e_type == 3 else 0
        check_info(c, info, auxv)
        check_threads(c, info, threads)
        check_notes(c, info, out, notes, auxv)
        libs = check_maps(c, info, auxv)
        check_memory(c)
        check_symbols(c, info, libs)

print(f'ucore_check_arm64: {passed} passed, {failed} failed')
sys.exit(1 if failed else 0)
