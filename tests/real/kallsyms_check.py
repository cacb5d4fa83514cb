#!/usr/bin/python3
"""Compare vmdive's kallsyms decoding with `nm vmlinux` (see test_kallsyms.sh)."""
import bisect
import json
import random
import subprocess
import sys

nm_path, ks_path, off_hex, vmdive, dump, variant = sys.argv[1:7]
off = int(off_hex, 16)
nm = {}
for line in open(nm_path):
    parts = line.split()
    if len(parts) == 3:
        nm.setdefault(parts[2], set()).add(int(parts[0], 16))

passed = failed = 0
bad = []
ks = []
for line in open(ks_path):
    a, t, name = line.split()
    a = int(a, 16)
    ks.append((a, t, name))
    # Kernel-image symbols move by the KASLR offset; per-CPU ones do not.
    if a - off in nm.get(name, ()) or a in nm.get(name, ()):
        passed += 1
    else:
        failed += 1
        bad.append(line.strip())

# Coverage: every global text symbol of the vmlinux is in kallsyms.  A kernel built without
# CONFIG_KALLSYMS_ALL (Debian's arm64 5.10 and 6.1: no data symbols in kallsyms) keeps only
# the symbols scripts/kallsyms.c finds in its text ranges, _stext.._etext and
# _sinittext.._einittext (not _text, .exit.text, the page-table directories the linker script
# names in .rodata), and its kallsyms.c drops the arm64 EFI-stub and nVHE KVM namespaces
# (prefixes __efistub_, __kvm_nvhe_; the 6.12 one keeps __kvm_nvhe_).
ks_names = {n for _, _, n in ks}
nm_T = [line.split() for line in open(nm_path)
        if len(line.split()) == 3 and line.split()[1] == "T"]
text_only = sum(1 for _, t, _ in ks if t in "dDbBrR") < 100
if text_only:
    def at(name):
        return min(nm.get(name, {0}))
    ranges = [(at("_stext"), at("_etext")), (at("_sinittext"), at("_einittext"))]
    nm_T = [w for w in nm_T if any(lo <= int(w[0], 16) < hi for lo, hi in ranges)
            and not w[2].startswith(("__efistub_", "__kvm_nvhe_"))]
missing = [w[2] for w in nm_T if w[2] not in ks_names]
if len(ks) < (40000 if text_only else 50000) or len(nm_T) < 20000 or missing:
    failed += 1
    bad.append(f"coverage: {len(ks)} symbols, {len(missing)} global text symbols missing "
               f"(e.g. {missing[:5]})")
else:
    passed += 1

# sym ADDR on 500 random addresses inside text symbols: between a symbol and the next
# symbol of any type (a weak 'W' function can follow a 't' one) the answer's symbol address
# must be that symbol's.
rng = random.Random(1)
sized = sorted((a, n) for a, t, n in ks if t in "Tt")
starts = sorted({a for a, _, _ in ks})
picks = []
for _ in range(500):
    a, n = sized[rng.randrange(len(sized))]
    j = bisect.bisect_right(starts, a)
    if j < len(starts):
        picks.append((a + rng.randrange(starts[j] - a), a))
out = subprocess.run([vmdive, "sym", "--json", dump] + [hex(p) for p, _ in picks],
                     capture_output=True, text=True)
answers = json.loads(out.stdout) if out.stdout.strip() else []
by_query = {int(r["address"], 16): r for r in answers if "error" not in r}
for addr, start in picks:
    r = by_query.get(addr)
    if r and int(r["symbol_address"], 16) == start and \
       int(r["offset"], 16) == addr - start:
        passed += 1
    else:
        failed += 1
        bad.append(f"sym {addr:#x}: expected symbol at {start:#x}, got {r}")

print(f"kallsyms {variant}: {len(ks)} symbols decoded")
for b in bad[:20]:
    print("  MISMATCH", b)
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
