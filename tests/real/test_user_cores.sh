#!/bin/bash
# Real process cores, made by this run, read by vmdive and by gdb,
# eu-readelf and eu-stack (Debian's gdb and elfutils).
#   bash test_user_cores.sh VMDIVE
# ucore/ucore_prog.c (known globals, a heap marker, two threads) is built
# and killed by SIGABRT and by SIGSEGV.  The kernel writes the cores when
# this run may point /proc/sys/kernel/core_pattern at its temporary
# directory (as root; the old pattern is put back at once), else gdb's
# gcore does; gcore writes one more core either way.  The cores are then
# compressed with the zstd and lz4 CLIs the way systemd-coredump stores
# them.  ucore/ucore_check.py compares.  Prints "N passed, M failed".
set -u
VMDIVE=${1:?usage: test_user_cores.sh VMDIVE}
HERE=$(cd "$(dirname "$0")" && pwd)
for t in gcc gdb eu-readelf eu-stack python3 zstd lz4; do
    command -v "$t" >/dev/null || { echo "user_cores: needs $t (tests/install-deps.sh --test)"; exit 1; }
done
T=$(mktemp -d)
PATTERN=/proc/sys/kernel/core_pattern
old_pattern=
restore() {
    [[ -n $old_pattern ]] && printf '%s\n' "$old_pattern" >"$PATTERN"
    old_pattern=
}
trap 'restore; rm -rf "$T"' EXIT
trap 'exit 1' INT TERM      # so that the EXIT trap puts the pattern back
gcc -g -O1 -pthread -o "$T/ucore_prog" "$HERE/ucore/ucore_prog.c" || exit 1
cd "$T" || exit 1

# Kernel cores: needs a writable core_pattern and RLIMIT_CORE.
kernel_core() {   # kernel_core KIND -> prints the core's path
    local pid
    (ulimit -c unlimited 2>/dev/null && exec ./ucore_prog "$1") 2>/dev/null &
    pid=$!
    wait "$pid"
    [[ -s $T/core.$pid ]] && echo "$T/core.$pid"
}
cores=()
if old_pattern=$(cat "$PATTERN" 2>/dev/null) && echo "$T/core.%p" 2>/dev/null >"$PATTERN"; then
    for kind in abrt segv; do
        c=$(kernel_core $kind) && cores+=("$c:$kind")
    done
    restore
else
    old_pattern=
fi
((${#cores[@]} == 2)) || echo "user_cores: no kernel cores here (core_pattern not settable); gdb gcore only"
for kind in abrt segv; do
    gdb -batch -nx -ex run -ex "gcore $T/gcore.$kind" --args ./ucore_prog $kind >/dev/null 2>&1
    [[ -s $T/gcore.$kind ]] && cores+=("$T/gcore.$kind:$kind") ||
        echo "FAIL: gdb gcore wrote no core for $kind"
done
specs=("${cores[@]}")
for spec in "${cores[@]}"; do
    c=${spec%%:*} kind=${spec#*:}
    zstd -q -c "$c" >"$c.zst" && specs+=("$c.zst:$kind:$c")
    lz4 -q -c "$c" >"$c.lz4" && specs+=("$c.lz4:$kind:$c")
done
((${#cores[@]} >= 2)) || { echo "user_cores: 0 passed, 1 failed (no cores)"; exit 1; }
python3 "$HERE/ucore/ucore_check.py" "$VMDIVE" "$T/ucore_prog" "${specs[@]}"
