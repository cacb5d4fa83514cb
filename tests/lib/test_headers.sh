#!/bin/bash
# Each public header compiles on its own (it includes what it uses), twice
# (include guards), as C11 and as C++11 with warnings as errors; and a C++
# program that takes the address of every function and variable the
# headers declare links against libvmdive.so (C linkage: extern "C").
#   bash test_headers.sh SOURCE_DIR GENERATED_INCLUDE_DIR LIBDIR [FLAGS...]
# FLAGS: the build's sanitizer flags, for the program linked with the library.
set -u
SRC=$(realpath "${1:?usage: test_headers.sh SOURCE_DIR GENERATED_INCLUDE_DIR LIBDIR}")
GEN=$(realpath "${2:?}")
LIBDIR=$(realpath "${3:?}")
shift 3
FLAGS=("$@")
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
nfail=0
fail() { echo "FAIL: $*"; nfail=$((nfail + 1)); }
CXX=$(command -v c++ || command -v g++ || command -v clang++) || { echo "SKIP: no C++ compiler"; exit 77; }
inc=(-I"$SRC/include" -I"$GEN")

n=0
for h in "$SRC"/include/vmdive/*.h "$GEN"/vmdive/*.h; do
    name=vmdive/$(basename "$h")
    # (the typedef: a header of macros alone would be an empty unit)
    printf '#include <%s>\n#include <%s>\ntypedef int vd_test_nonempty;\n' "$name" "$name" >"$T/one.c"
    cc -std=c11 -Wall -Wextra -Wpedantic -Werror "${inc[@]}" -fsyntax-only "$T/one.c" \
        >"$T/log" 2>&1 || fail "$name as C: $(head -5 "$T/log")"
    cp "$T/one.c" "$T/one.cc"
    "$CXX" -std=c++11 -Wall -Wextra -Werror "${inc[@]}" -fsyntax-only "$T/one.cc" \
        >"$T/log" 2>&1 || fail "$name as C++: $(head -5 "$T/log")"
    n=$((n + 1))
done

# vmdive.h is the one header: it must include every other one.
for h in "$SRC"/include/vmdive/*.h; do
    b=$(basename "$h")
    [[ $b == vmdive.h ]] && continue
    grep -q "#include \"vmdive/$b\"" "$SRC/include/vmdive/vmdive.h" ||
        fail "vmdive/vmdive.h does not include vmdive/$b"
done

names=$(python3 "$SRC/tests/lib/check_exports.py" declared "$SRC/include/vmdive") ||
    { echo "check_exports.py failed"; exit 1; }
{
    echo '#include <vmdive/vmdive.h>'
    echo 'int main() {'
    echo '  const void *volatile p;'
    for s in $names; do echo "  p = reinterpret_cast<const void *>(&$s);"; done
    echo '  (void)p;'
    echo '  return vd_version()[0] == VMDIVE_VERSION_STRING[0] ? 0 : 1;'
    echo '}'
} >"$T/all.cc"
"$CXX" -std=c++11 -Wall -Werror "${FLAGS[@]}" "${inc[@]}" -o "$T/all" "$T/all.cc" -L"$LIBDIR" -lvmdive \
    -Wl,-rpath,"$LIBDIR" >"$T/log" 2>&1 || fail "C++ program using every name: $(head -8 "$T/log")"
[[ $nfail == 0 ]] && { LD_LIBRARY_PATH=$LIBDIR "$T/all" || fail "C++ program: exit status $?"; }
echo "$n headers, $(echo "$names" | wc -w) names from C++: $nfail failures"
((nfail == 0))
