#!/bin/bash
# The command line: per-command options, the dump told apart from the
# arguments by position and content (never by a file of that name existing),
# the helpful failures and the one exit-status rule (2 for a bad command
# line).
#   bash cli_args.sh VMDIVE TESTS_BUILD_DIR
# The dump is tests/cases/elf/kexec.desc through mkelf; the bytes expected
# are the description's pattern, computed here.
set -u
VMDIVE=${1:?usage: cli_args.sh VMDIVE TESTS_BUILD_DIR}
BUILD=${2:?usage: cli_args.sh VMDIVE TESTS_BUILD_DIR}
VMDIVE=$(cd "$(dirname "$VMDIVE")" && pwd)/$(basename "$VMDIVE")
DESCS=$(cd "$(dirname "$0")" && pwd)/elf
BUILD=$(cd "$BUILD" && pwd)
MKELF=$BUILD/mkelf
[[ -x $MKELF ]] || { echo "cli_args: no $MKELF"; exit 99; }
command -v python3 >/dev/null || { echo "cli_args: needs python3"; exit 77; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
nfail=0 npass=0
fail() { echo "FAIL: $*"; nfail=$((nfail + 1)); }
pass() { npass=$((npass + 1)); }

"$MKELF" "$DESCS/kexec.desc" "$T/k.elf" || { echo "cli_args: mkelf failed"; exit 99; }
cd "$T" || exit 99

# Bytes of mkelf's `pattern ADDR LEN SEED` as rd prints them (hex words).
pattern_hex() {
    python3 -c 'import sys
a0, n, s = int(sys.argv[1], 0), int(sys.argv[2], 0), int(sys.argv[3], 0)
print(" ".join("%02x" % ((a + (a >> 8) + (a >> 16) + s) & 255) for a in range(a0, a0 + n)))' "$@"
}

# usage_error WHAT EXPECTED-TEXT CMD...: exit status 2, stderr has the text.
usage_error() {
    local what=$1 want=$2 rc
    shift 2
    "$VMDIVE" "$@" >"$T/out.txt" 2>"$T/err.txt"
    rc=$?
    if ((rc != 2)); then
        fail "$what: exit status $rc, want 2 ($(cat "$T/err.txt"))"
    elif ! grep -qF -- "$want" "$T/err.txt"; then
        fail "$what: stderr lacks '$want': $(cat "$T/err.txt")"
    else
        pass
    fi
}

# rd of 16 bytes at physical 0x1000 (pattern seed 1 there).
want=$(pattern_hex 0x1000 16 1)
rd_bytes() {
    "$VMDIVE" "$@" 2>"$T/err.txt" | sed -n 's/^[0-9a-f]*: *//p' | head -1 | tr -s ' ' | cut -c1-47
}

got=$(rd_bytes rd -p k.elf 1000 16)
[[ $got == "$want" ]] && pass || fail "rd -p k.elf 1000 16: got '$got', want '$want'"

# A file named like an argument is still an argument (issue: `echo hi > 1000`).
echo hi >1000
echo hi >16
got=$(rd_bytes rd -p k.elf 1000 16)
[[ $got == "$want" ]] && pass || fail "with files 1000 and 16 present: got '$got' ($(cat "$T/err.txt"))"
# Options anywhere, before the command too.
got=$(rd_bytes -p rd k.elf 1000 16)
[[ $got == "$want" ]] && pass || fail "rd with -p before the command: '$got' ($(cat "$T/err.txt"))"
got=$(rd_bytes rd k.elf 1000 16 --physical)
[[ $got == "$want" ]] && pass || fail "rd with --physical last: '$got' ($(cat "$T/err.txt"))"
# A second file whose content is a dump is part of the dump (a split set):
# two copies of one ELF core are refused as overlapping, which shows both
# were taken as dump files.
cp k.elf k2.elf
"$VMDIVE" info k.elf k2.elf >/dev/null 2>"$T/err.txt"
grep -qF k2.elf "$T/err.txt" && pass || fail "k2.elf (an ELF core) was not taken as a dump file: $(cat "$T/err.txt")"

# Each command has its own options: -t is ps's threads and log's notime, not rd's.
usage_error "rd -t" "option -t does not apply to this command" rd -t k.elf 1000
usage_error "ps --physical" "option --physical does not apply" ps --physical k.elf
usage_error "log --list" "does not apply" log --list k.elf
usage_error "unknown option" "bad option --frobnicate" rd --frobnicate k.elf 1000
usage_error "unknown short option" "bad option -Z" info -Z k.elf
# Long names only as declared: getopt_long's prefixes ("--phys") are refused,
# and a long name a table does not declare (rd -u has none) is no option.
usage_error "abbreviated long option" "bad option --phys (did you mean --physical?" rd --phys k.elf 1000
usage_error "abbreviated long option with =" "bad option --out (did you mean --output?" rd -p k.elf 1000 --out=x
usage_error "abbreviated common option" "bad option --jso" info --jso k.elf
usage_error "undeclared long name" "bad option --user" rd --user 1 k.elf 1000
got=$(rd_bytes rd k.elf 1000 16 --physical=)
[[ -z $got ]] && pass || fail "--physical= (a flag given a value) was accepted"
usage_error "missing value" "option -o needs a value" rd -p k.elf 1000 -o
usage_error "missing value (long)" "option --vmlinux needs a value" info k.elf --vmlinux

# Helpful failures.
usage_error "typo" "did you mean 'vmalloc'?" vmaloc k.elf
usage_error "typo (swap)" "did you mean 'mod'?" mdo k.elf
usage_error "far from any command" "no command 'frobnicate'" frobnicate k.elf
mkdir adir
usage_error "directory" "adir: is a directory" info adir
usage_error "missing file" "nothere: no such file" info nothere
usage_error "no dump" "no dump file given" info
usage_error "too many args" "unexpected argument" vmcoreinfo k.elf A B
usage_error "too few args" "missing argument" vtop k.elf
# An ELF executable where the dump goes: the --vmlinux hint (crash's order).
cp "$MKELF" vmlinux
usage_error "vmlinux first" "did you mean \`vmdive ps --vmlinux vmlinux k.elf" ps vmlinux k.elf
usage_error "vmlinux alone" "did you mean \`--vmlinux vmlinux\`" info vmlinux
# A file that is no dump at all is named.
usage_error "not a dump" "not a dump file" info 1000

# Help is per command, from the table.
"$VMDIVE" help log | grep -qE '^  -t, --notime +no timestamps$' && pass || fail "help log: -t"
"$VMDIVE" help ps | grep -qE '^  -t, --threads +every thread' && pass || fail "help ps: -t"
"$VMDIVE" rd --help | grep -qE '^  -p, --physical +ADDR is a physical address$' && pass || fail "rd --help"
usage_error "help of no command" "did you mean 'struct'?" help strcut

# --json: a bad command line is a JSON error on stdout too (docs/json.md).
"$VMDIVE" rd --json --frobnicate k.elf 1000 >"$T/out.txt" 2>/dev/null
python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["error"]
assert e["code"] == "invalid argument" and e["message"].startswith("bad option --frobnicate"), e' \
    "$T/out.txt" && pass || fail "rd --json --frobnicate: $(cat "$T/out.txt")"

if ((nfail)); then
    echo "cli_args: $nfail failed, $npass passed"
    exit 1
fi
echo "cli_args: ok ($npass checks)"
