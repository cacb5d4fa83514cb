#!/bin/bash
# Real arm64 process cores, made by this run on an x86_64 host, read by
# vmdive and by gdb-multiarch and eu-readelf (Debian's packages).
#   bash test_user_cores_arm64.sh VMDIVE
# ucore/ucore_prog.c (known globals, a heap marker, two threads) is built
# with Debian's aarch64 cross compiler and run under qemu-user, killed by
# SIGABRT and by SIGSEGV.  Two producers, with different notes:
#  - qemu-user itself writes the guest's core (qemu_PROG_DATE_PID.core in
#    its working directory): NT_PRSTATUS, NT_PRPSINFO, NT_AUXV only, no
#    NT_FILE, and not the executable's ELF header page.  Debian 12's qemu
#    7.2 then dumps its own host process too: this run points
#    /proc/sys/kernel/core_pattern at its temporary directory meanwhile
#    (as root; the old pattern is put back at once).
#  - gdb-multiarch's gcore through qemu-user's gdbstub: NT_PRSTATUS,
#    NT_ARM_SVE, NT_AUXV and gdb's target description; one PT_LOAD per
#    section of the executable and libraries.
# The qemu cores are compressed with the zstd and lz4 CLIs the way
# systemd-coredump stores them.  ucore/ucore_check_arm64.py compares.
# Prints "N passed, M failed".
set -u
VMDIVE=${1:?usage: test_user_cores_arm64.sh VMDIVE}
HERE=$(cd "$(dirname "$0")" && pwd)
SYSROOT=/usr/aarch64-linux-gnu
for t in aarch64-linux-gnu-gcc qemu-aarch64 gdb-multiarch eu-readelf python3 zstd lz4; do
    command -v "$t" >/dev/null || { echo "user_cores_arm64: needs $t (tests/install-deps.sh --test)"; exit 1; }
done
[[ -e $SYSROOT/lib/libc.so.6 ]] || { echo "user_cores_arm64: needs libc6-dev-arm64-cross (tests/install-deps.sh --test)"; exit 1; }
T=$(mktemp -d)
PATTERN=/proc/sys/kernel/core_pattern
old_pattern=
restore() {
    [[ -n $old_pattern ]] && printf '%s\n' "$old_pattern" >"$PATTERN"
    old_pattern=
}
trap 'restore; rm -rf "$T"' EXIT
trap 'exit 1' INT TERM      # so that the EXIT trap puts the pattern back
cd "$T" || exit 1
src=$HERE/ucore/ucore_prog.c
aarch64-linux-gnu-gcc -g -O1 -pthread -o ucore_prog "$src" || exit 1
# gcore through a gdbstub guesses the heap from the executable's
# unrelocated end of .bss: a PIE gets a bogus 340 GiB PT_LOAD.
aarch64-linux-gnu-gcc -g -O1 -pthread -no-pie -o ucore_prog_nopie "$src" || exit 1

# qemu-user's cores: it writes one when RLIMIT_CORE allows.
qemu_core() {   # qemu_core KIND -> prints the core's path
    local pid c
    (ulimit -c unlimited 2>/dev/null && exec qemu-aarch64 -L "$SYSROOT" ./ucore_prog "$1") 2>/dev/null &
    pid=$!
    wait "$pid"
    rm -f "$T"/host.* "$T/core"
    for c in "$T"/qemu_ucore_prog_*_"$pid".core; do
        [[ -s $c ]] && echo "$c"
    done
}
cores=()
if old_pattern=$(cat "$PATTERN" 2>/dev/null) && echo "$T/host.%p" 2>/dev/null >"$PATTERN"; then
    :
else
    old_pattern=
    echo "user_cores_arm64: core_pattern not settable: qemu's own host core goes where it says"
fi
for kind in abrt segv; do
    c=$(qemu_core $kind) && [[ -n $c ]] && cores+=("$c:$kind:qemu") ||
        echo "FAIL: qemu-user wrote no core for $kind"
done
restore

# gdb's gcore through qemu-user's gdbstub, on a loopback port.
gdbstub_core() {   # gdbstub_core KIND
    local port qpid try
    for try in 1 2 3; do
        port=$((20000 + (RANDOM % 20000)))
        (ulimit -c 0; exec qemu-aarch64 -g "$port" -L "$SYSROOT" ./ucore_prog_nopie "$1") >/dev/null 2>&1 &
        qpid=$!
        timeout 60 gdb-multiarch -batch -nx -ex "set sysroot $SYSROOT" \
            -ex 'set tcp connect-timeout 5' -ex "target remote 127.0.0.1:$port" \
            -ex continue -ex "gcore $T/gcore.$1" -ex kill ./ucore_prog_nopie >/dev/null 2>&1
        kill "$qpid" 2>/dev/null
        wait "$qpid" 2>/dev/null
        [[ -s $T/gcore.$1 ]] && return 0
    done
    return 1
}
for kind in abrt segv; do
    gdbstub_core $kind && cores+=("$T/gcore.$kind:$kind:gdbstub") ||
        echo "FAIL: gdb gcore through qemu's gdbstub wrote no core for $kind"
done
specs=("${cores[@]}")
for spec in "${cores[@]}"; do
    IFS=: read -r c kind producer <<<"$spec"
    [[ $producer == qemu ]] || continue
    zstd -q -c "$c" >"$c.zst" && specs+=("$c.zst:$kind:qemu:$c")
    lz4 -q -c "$c" >"$c.lz4" && specs+=("$c.lz4:$kind:qemu:$c")
done
((${#cores[@]} == 4)) || { echo "user_cores_arm64: 0 passed, 1 failed (cores missing)"; exit 1; }
python3 "$HERE/ucore/ucore_check_arm64.py" "$VMDIVE" "$SYSROOT" "$T/ucore_prog" \
    "$T/ucore_prog_nopie" "${specs[@]}"
