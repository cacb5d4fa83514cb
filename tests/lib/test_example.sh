#!/bin/bash
# examples/dumpinfo.c built against the INSTALLED library, as a user would:
# `cmake --install` into an empty prefix, then cc with pkg-config's flags.
#   bash test_example.sh synth|real BUILD_DIR SOURCE_DIR MKELF [CFLAGS...]
# synth: on a dump tests/lib/synth_kernel.py lays out (expected answers are
#        its construction); real: on each sample dump in /var/cache/vmdive
#        against what QEMU and the live kernel said (qemu-xlat.json:
#        gva2gpa translations, /proc/modules), exit 77 when there is none.
# CFLAGS: the build's sanitizer flags (an ASan library needs an ASan program).
set -u
MODE=${1:?usage: test_example.sh synth|real BUILD_DIR SOURCE_DIR MKELF [CFLAGS...]}
BUILD=$(realpath "${2:?}")
SRC=$(realpath "${3:?}")
MKELF=$(realpath "${4:?}")
shift 4
CFLAGS=("$@")
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# Install into a fresh prefix; nothing of the build tree may be used.
cmake --install "$BUILD" --prefix "$T/prefix" >"$T/install.log" 2>&1 ||
    fail "cmake --install: $(tail -5 "$T/install.log")"
pc=$(find "$T/prefix" -name vmdive.pc)
[[ -n $pc ]] || fail "no vmdive.pc installed"
export PKG_CONFIG_PATH=$(dirname "$pc")
libdir=$(realpath "$(pkg-config --variable=libdir vmdive)") || fail "pkg-config vmdive"
# shellcheck disable=SC2046
cc -std=c11 -Wall -Wextra -Werror "${CFLAGS[@]}" -o "$T/dumpinfo" "$SRC/examples/dumpinfo.c" \
    $(pkg-config --cflags --libs vmdive) -Wl,-rpath,"$libdir" >"$T/cc.log" 2>&1 ||
    fail "building the example: $(cat "$T/cc.log")"
lib=$(ldd "$T/dumpinfo" | awk '$1 == "libvmdive.so.0" { print $3 }')
[[ $(realpath "$lib") == "$libdir"/* ]] ||
    fail "the example uses $lib, not the installed library in $libdir"
# The rest of the install: the binary runs from there (RUNPATH), man page,
# completion, the SONAME link.
P=$T/prefix
"$P/bin/vmdive" --version >"$T/version" 2>&1 || fail "installed vmdive: $(cat "$T/version")"
grep -qx "vmdive $(pkg-config --modversion vmdive)" "$T/version" || fail "vmdive --version: $(cat "$T/version")"
[[ $(realpath "$(ldd "$P/bin/vmdive" | awk '$1 == "libvmdive.so.0" { print $3 }')") == "$libdir"/* ]] ||
    fail "installed vmdive does not use the installed library"
[[ -L $libdir/libvmdive.so && -L $libdir/libvmdive.so.0 ]] || fail "no libvmdive.so symlinks in $libdir"
[[ -s $(find "$P" -path '*/man1/vmdive.1') ]] || fail "no man page vmdive.1 installed"
[[ -s $(find "$P" -path '*/bash-completion/completions/vmdive') ]] || fail "no bash completion installed"
cd "$T" || exit 99

if [[ $MODE == synth ]]; then
    command -v pahole >/dev/null || { echo "SKIP: no pahole to make BTF"; exit 77; }
    cc -g -O0 -o kernel_types "$SRC/tests/lib/kernel_types.c" || fail "kernel_types.c"
    ./kernel_types >offsets || fail "kernel_types"
    pahole -J --btf_encode_detached=kernel.btf kernel_types || fail "pahole"
    vas=$(python3 "$SRC/tests/lib/synth_kernel.py" make offsets kernel.btf .) || fail "synth_kernel.py"
    "$MKELF" kernel.desc kernel.elf || fail "mkelf"
    # shellcheck disable=SC2086
    ./dumpinfo kernel.elf $vas >out 2>err
    rc=$?
    cat out
    # Two of the addresses are not mapped: exit status 1, and nothing on stderr.
    ((rc == 1)) || fail "exit status $rc, want 1: $(cat err)"
    [[ ! -s err ]] || fail "stderr: $(cat err)"
    v=$(pkg-config --modversion vmdive)
    grep -qx "library $v headers $v" out || fail "want 'library $v headers $v' (vmdive.pc's version)"
    python3 "$SRC/tests/lib/synth_kernel.py" check expected out || fail "answers differ"
    echo "PASS: example on the synthetic dump"
    exit 0
fi

nvariants=0
for dir in /var/cache/vmdive/dumps/*/; do
    [[ -e $dir/done && -s $dir/qemu-xlat.json && -s $dir/meta.env ]] || continue
    dump=$(. "$dir/meta.env"; echo "${VMCORE_ELF:-${VMCORE_KDUMP_ZLIB:-}}")
    [[ -n $dump && -s $dump ]] || continue
    variant=$(basename "$dir")
    # Six QEMU translations, from as many regions as there are.
    python3 - "$dir/qemu-xlat.json" >"$T/want" <<'PY' || fail "$variant: reading qemu-xlat.json"
import json, sys
d = json.load(open(sys.argv[1]))
seen = {}
for s in d["samples"]:
    if s.get("pa") and not s.get("error") and s["region"] not in seen:
        seen[s["region"]] = s
for s in list(seen.values())[:6]:
    print("vtop %s %s" % (s["va"], s["pa"]))
for m in d["facts"]["modules"]:
    print("module %s %s %d" % (m["name"], m["base"], m["size"]))
PY
    # shellcheck disable=SC2046
    "$T/dumpinfo" "$dump" $(awk '$1 == "vtop" { print $2 }' "$T/want") >"$T/out" 2>&1 ||
        fail "$variant: dumpinfo $dump: $(cat "$T/out")"
    python3 - "$T/want" "$T/out" "$variant" <<'PY' || fail "$variant: answers differ"
import sys
want, out, variant = open(sys.argv[1]).read().split("\n"), open(sys.argv[2]).read(), sys.argv[3]
got_vtop = {}
got_mod = {}
for l in out.splitlines():
    f = l.split()
    if f[0] == "vtop" and f[2] != "error":
        got_vtop[int(f[1], 16)] = int(f[2], 16)
    elif f[0] == "module" and f[1] != "error":
        got_mod[f[1]] = (int(f[3], 16), int(f[4], 16))
bad = n = 0
for l in want:
    f = l.split()
    if not f:
        continue
    n += 1
    if f[0] == "vtop":
        va, pa = int(f[1], 16), int(f[2], 16)
        if got_vtop.get(va) != pa:
            print("%s: vtop %#x: QEMU says %#x, dumpinfo %s" % (variant, va, pa, got_vtop.get(va)))
            bad += 1
    else:
        m = (int(f[2], 16), int(f[3]))
        if got_mod.get(f[1]) != m:
            print("%s: module %s: /proc/modules says %s, dumpinfo %s" % (variant, f[1], m, got_mod.get(f[1])))
            bad += 1
if len(got_mod) != sum(1 for l in want if l.startswith("module ")):
    print("%s: %d modules listed, /proc/modules has %d" % (variant, len(got_mod), sum(1 for l in want if l.startswith("module "))))
    bad += 1
print("%s: %d answers checked, %d wrong" % (variant, n, bad))
sys.exit(1 if bad else 0)
PY
    nvariants=$((nvariants + 1))
done
((nvariants)) || { echo "SKIP: no sample dumps in /var/cache/vmdive/dumps"; exit 77; }
echo "PASS: example on $nvariants sample dumps"
