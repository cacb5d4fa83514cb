#!/bin/bash
# struct/whatis output is bounded for hostile BTF in a dump: the fake
# kernel of tests/gen/mkfakekernel nests struct deep0..deep11, each of 16
# anonymous members of the next (16^12 lines in full).  Each form of
# `struct` must end on its own, print at most SHOW_NODES_MAX (2^20)
# members, and the text layout must say where it stopped.
#   bash struct_line_cap.sh VMDIVE TESTS_BUILD_DIR
set -u
VMDIVE=${1:?usage: struct_line_cap.sh VMDIVE TESTS_BUILD_DIR}
BUILD=${2:?usage: struct_line_cap.sh VMDIVE TESTS_BUILD_DIR}
GEN=$BUILD/mkfakekernel
[[ -x $GEN ]] || { echo "struct_line_cap: no $GEN"; exit 99; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
nfail=0
fail() { echo "FAIL: $*"; nfail=$((nfail + 1)); }
CAP=$((1 << 20))

"$GEN" deep "$T/deep.elf" || { echo "struct_line_cap: mkfakekernel failed"; exit 99; }

# The innermost struct prints in full: the dump's BTF is read.
"$VMDIVE" struct "$T/deep.elf" deep11 >"$T/inner" 2>&1
[[ $(grep -c '\[0\] int m' "$T/inner") == 16 ]] || fail "deep11: $(head -3 "$T/inner")"

# Layout, text: member lines (those with an offset) at most CAP, the
# marker once per level it cut, exit 0.  timeout: a hang fails, not stalls.
timeout 120 "$VMDIVE" struct "$T/deep.elf" deep0 >"$T/text" 2>"$T/err"
rc=$?
[[ $rc == 0 ]] || fail "struct deep0: exit $rc: $(head -2 "$T/err")"
members=$(grep -c '^ *\[[0-9:]*\] ' "$T/text")
opens=$(grep -c '^ *struct {$' "$T/text")
((members + opens <= CAP)) || fail "struct deep0: $members members + $opens nested structs > $CAP"
((members + opens >= CAP - 16)) || fail "struct deep0: only $members + $opens lines: cut too early"
grep -q "\.\.\. (more than $CAP lines)" "$T/text" || fail "struct deep0: no '(more than $CAP lines)' marker"

# Layout, JSON: valid JSON, at most CAP members.
timeout 120 "$VMDIVE" struct --json "$T/deep.elf" deep0 >"$T/json" 2>"$T/err"
rc=$?
[[ $rc == 0 ]] || fail "struct --json deep0: exit $rc: $(head -2 "$T/err")"
n=$(python3 -c 'import json, sys
def count(o):
    return sum(1 + count(m) for m in o.get("members", []))
print(count(json.load(open(sys.argv[1]))))' "$T/json") || fail "struct --json deep0: not JSON"
[[ -n ${n:-} ]] && ((n <= CAP)) || fail "struct --json deep0: ${n:-?} members > $CAP"

# A value at an address (the BTF blob's own bytes): the same bound.
timeout 120 "$VMDIVE" struct "$T/deep.elf" deep0 ffffffff80200000 >"$T/value" 2>"$T/err"
rc=$?
[[ $rc == 0 ]] || fail "struct deep0 ADDR: exit $rc: $(head -2 "$T/err")"
lines=$(wc -l <"$T/value")
((lines <= 2 * CAP + 64)) || fail "struct deep0 ADDR: $lines lines"
grep -q '^ *\.\.\.$' "$T/value" || fail "struct deep0 ADDR: no '...' where it stopped"

((nfail == 0)) && echo "struct_line_cap: all passed"
exit $((nfail ? 1 : 0))
