#!/bin/bash
# The vmdive command is a program of the library: it is linked against
# libvmdive.so (the layers' code is not in the binary) and its sources
# include no private header of the layers, only vmdive/*.h, its own cli/
# headers and common/util.h (inline helpers and macros; its one function,
# vd_parse_u64, is public API).
#   bash test_cli_public.sh SOURCE_DIR VMDIVE
set -u
SRC=${1:?usage: test_cli_public.sh SOURCE_DIR VMDIVE}
VMDIVE=${2:?}
nfail=0
fail() { echo "FAIL: $*"; nfail=$((nfail + 1)); }

readelf -d "$VMDIVE" | grep -q 'NEEDED.*\[libvmdive\.so\.0\]' || fail "vmdive does not link libvmdive.so.0"
# Defined in the binary: the CLI's own vd_cli_*, vd_cmd_*, vd_json_*, ...;
# any function the library exports must come from the library.
exported=$(nm -D --defined-only "$(ldd "$VMDIVE" | awk '$1 == "libvmdive.so.0" { print $3 }')" |
           awk '{ sub(/@.*/, "", $3); print $3 }' | sort -u)
own=$(nm --defined-only "$VMDIVE" | awk '$2 ~ /^[TtDdBbRr]$/ { print $3 }' | sort -u)
dup=$(comm -12 <(echo "$exported") <(echo "$own") | grep -v '^VMDIVE_')
[[ -z $dup ]] || fail "vmdive has its own copy of library functions: $(echo $dup | head -c 300)"
n=0
while IFS=: read -r file line inc; do
    n=$((n + 1))
    h=$(sed -E 's/.*#include "([^"]+)".*/\1/' <<<"$inc")
    case $h in
    vmdive/*.h) [[ -e $SRC/include/$h || $h == vmdive/version.h ]] || fail "$file:$line: $h is not a public header" ;;
    common/util.h) ;;
    */*) fail "$file:$line: includes private header $h" ;;
    *) [[ -e $SRC/cli/$h ]] || fail "$file:$line: includes $h, not a cli/ header" ;;
    esac
done < <(cd "$SRC" && grep -n '#include "' cli/*.c cli/*.h)
echo "$n includes of cli/ checked, $(echo "$own" | wc -l) symbols of vmdive: $nfail failures"
((nfail == 0))
