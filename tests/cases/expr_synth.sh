#!/bin/bash
# The expression parser (expr/) on a synthetic dump: numbers in both
# radixes, C's precedence and operators, symbols from VMCOREINFO SYMBOL()
# lines, symbol+offset where an address goes, and the errors: syntax,
# division by zero, unknown names and variables, unknown types, nesting.
# Expected values are computed here (python), never recorded from vmdive.
#   bash expr_synth.sh VMDIVE TESTS_BUILD_DIR
set -u
VMDIVE=${1:?usage: expr_synth.sh VMDIVE TESTS_BUILD_DIR}
BUILD=${2:?usage: expr_synth.sh VMDIVE TESTS_BUILD_DIR}
DESCS=$(cd "$(dirname "$0")" && pwd)/elf
MKELF=$BUILD/mkelf
[[ -x $MKELF ]] || { echo "expr_synth: no $MKELF"; exit 99; }
command -v python3 >/dev/null || { echo "expr_synth: needs python3"; exit 77; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
nfail=0 npass=0
fail() { echo "FAIL: $*"; nfail=$((nfail + 1)); }
"$MKELF" "$DESCS/kexec.desc" "$T/k.elf" || { echo "expr_synth: mkelf failed"; exit 99; }
K=$T/k.elf

# value EXPR PYEXPR: `p -x EXPR` must print "EXPR = <hex of PYEXPR mod 2^64>".
value() {
    local got want
    got=$("$VMDIVE" p -x "$K" -- "$1" 2>&1)
    want="$1 = 0x$(python3 -c "print('%x' % (($2) % (1 << 64)))")"
    [[ $got == "$want" ]] && npass=$((npass + 1)) || fail "p -x '$1': got '$got', want '$want'"
}
# decimal EXPR PYEXPR: `p EXPR` in decimal (unsigned, 64 bits).
decimal() {
    local got want
    got=$("$VMDIVE" p "$K" "$1" 2>&1)
    want="$1 = $(python3 -c "print(($2) % (1 << 64))")"
    [[ $got == "$want" ]] && npass=$((npass + 1)) || fail "p '$1': got '$got', want '$want'"
}
# refused EXPR TEXT: exit status 1, TEXT on stderr, nothing on stdout.
refused() {
    local rc
    "$VMDIVE" p "$K" "$1" >"$T/out" 2>"$T/err"
    rc=$?
    if ((rc != 1)) || [[ -s $T/out ]] || ! grep -qF -- "$2" "$T/err"; then
        fail "p '$1': rc $rc, out '$(cat "$T/out")', err '$(cat "$T/err")' (want '$2')"
    else
        npass=$((npass + 1))
    fi
}

decimal '1 + 2 * 3' '1 + 2 * 3'
decimal '(1 + 2) * 3' '(1 + 2) * 3'
decimal '100 / 7' '100 // 7'
decimal '100 % 7' '100 % 7'
decimal '10' '10'
value '10' '10'
value '0x10' '0x10'
value '1 << 12 | 0xff' '(1 << 12) | 0xff'
value '0xf0 & 0x3c ^ 0x1' '(0xf0 & 0x3c) ^ 0x1'
value '~0' '~0'
value '-1' '-1'
value '!0' '1'
value '!5' '0'
value '0xffffffffffffffff + 2' '0xffffffffffffffff + 2'
value '1 - 2 - 3' '(1 - 2) - 3'
value '2 * 3 + 4 * 5' '2 * 3 + 4 * 5'
value '0x100 >> 4 << 1' '(0x100 >> 4) << 1'
value '((((((((((1))))))))))' '1'
# A symbol of unknown type in arithmetic is its address (VMCOREINFO SYMBOL()).
value '_stext + 0x10' '0xffffffff81000000 + 0x10'
value '_stext - 0x1000' '0xffffffff81000000 - 0x1000'

refused '1 +' 'unexpected end'
refused '1 2' 'unexpected text'
refused '(1 + 2' "')' expected"
refused '1 / 0' 'division by zero'
refused '99999999999999999999999' 'number too large'
refused '0x' 'number'
refused '12ab' 'not a number'
refused 'nosuch_symbol' "no symbol 'nosuch_symbol'"
refused '$nosuch' 'no variable $nosuch'
refused '_stext' "type of '_stext' is unknown"
refused '_stext.member' 'unknown'
refused '*_stext' 'its type is unknown'
refused "$(printf '(%.0s' {1..200})1$(printf ')%.0s' {1..200})" 'nested too deeply'
refused '1 @ 2' 'unexpected'
refused '(unsigned long)_stext' "no type 'unsigned long'"

# Where an address goes numbers are hex (crash's rd); symbol+offset works.
hexdump() { "$VMDIVE" rd -p "$K" "$@" 2>&1 | head -1 | sed 's/^[0-9a-f]*: *//' | tr -s ' ' | cut -c1-23; }
want=$(python3 -c "print(' '.join('%02x' % ((a + (a >> 8) + (a >> 16) + 1) & 255) for a in range(0x1010, 0x1018)))")
for e in '1010' '0x1010' '1000+10' '0x1000 + 0x10' '(1000 + 8) + 8' '0x2020 / 2'; do
    got=$(hexdump "$e" 8)
    [[ $got == "$want" ]] && npass=$((npass + 1)) || fail "rd -p '$e' 8: got '$got', want '$want'"
done
"$VMDIVE" rd -p "$K" '1000 +' 8 >"$T/out" 2>"$T/err"
(($? == 2)) && grep -q "is not an address" "$T/err" && npass=$((npass + 1)) ||
    fail "rd of a bad expression: $(cat "$T/err")"

if ((nfail)); then
    echo "expr_synth: $nfail failed, $npass passed"
    exit 1
fi
echo "expr_synth: ok ($npass checks)"
