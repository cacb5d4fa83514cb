#!/bin/bash
# Open + `info` of a compressed process core: vmdive against gdb -batch.
# Report only: never fails on numbers.
#
#   bench/ucore_bench.sh VMDIVE_BIN [--mib N] [--runs N]
#
# Builds a program that fills N MiB of heap (default 512; half noise, half
# text, so zstd and lz4 have work) in four threads and aborts; the kernel
# writes its core (as root: core_pattern pointed at a temporary directory
# and put back), which is compressed with the zstd and lz4 CLIs at their
# default levels, as systemd-coredump does.  Rows:
#   vmdive info CORE.zst / CORE.lz4 / CORE    (decompression included)
#   gdb -batch on CORE: load the core, `info threads`, `info registers`
#   unzstd/lz4 -d + gdb: what a gdb user does with a .zst/.lz4
# Times are the median of --runs runs (wall clock); peak RSS is GNU time's
# (package `time`) for one more run.
set -euo pipefail
(($# >= 1)) || { echo "usage: $0 VMDIVE_BIN [--mib N] [--runs N]" >&2; exit 2; }
vmdive=$(readlink -f "$1"); shift
mib=512 runs=5
while (($#)); do
    case $1 in
        --mib) mib=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
T=$(mktemp -d)
PATTERN=/proc/sys/kernel/core_pattern
old=$(cat "$PATTERN")
trap 'printf "%s\n" "$old" >"$PATTERN"; rm -rf "$T"' EXIT
cat >"$T/big.c" <<'EOF'
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
static size_t size;
static unsigned char *mem;
static void *fill(void *arg)
{
	size_t part = (size_t)arg, n = size / 4;
	unsigned long long x = 0x9e3779b97f4a7c15ull * (part + 1);
	for (size_t i = part * n; i < (part + 1) * n; i += 8) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		if ((i >> 12) & 1)
			memcpy(mem + i, &x, 8);
		else
			memcpy(mem + i, "vmdive b", 8);
	}
	return NULL;
}
int main(int argc, char **argv)
{
	pthread_t t[4];
	size = (size_t)atoi(argv[1]) << 20;
	mem = malloc(size);
	for (long i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, fill, (void *)i);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	abort();
}
EOF
gcc -O2 -pthread -o "$T/big" "$T/big.c"
echo "$T/core" >"$PATTERN"
(cd "$T" && ulimit -c unlimited && exec ./big "$mib") 2>/dev/null || true
printf '%s\n' "$old" >"$PATTERN"
[[ -s $T/core ]] || { echo "no core written (core_pattern/ulimit)"; exit 1; }
zstd -q "$T/core" -o "$T/core.zst"
lz4 -q "$T/core" "$T/core.lz4"

median() {   # median CMD...: wall seconds of --runs runs
    local i s e ts=()
    for ((i = 0; i < runs; i++)); do
        s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N)
        ts+=("$(echo "$e - $s" | bc)")
    done
    printf '%s\n' "${ts[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p"
}
peak() {     # peak RSS in MiB of one run
    /usr/bin/time -v "$@" 2>&1 >/dev/null | awk '/Maximum resident/ { printf "%.1f", $6 / 1024 }'
}
# Commands, not functions: GNU time runs them (its peak RSS is the largest
# process of the tree).
gdb_info="gdb -batch -nx -ex 'info threads' -ex 'info registers' $T/big"
gdb_core=(bash -c "$gdb_info $T/core")
unz_gdb=(bash -c "zstd -q -d -f $T/core.zst -o $T/tmp.core && $gdb_info $T/tmp.core")
unlz4_gdb=(bash -c "lz4 -q -d -f $T/core.lz4 $T/tmp.core && $gdb_info $T/tmp.core")

size() { numfmt --to=iec-i --suffix=B "$(stat -c %s "$1")"; }
echo "core: $(size "$T/core") ($mib MiB heap, 5 threads); .zst $(size "$T/core.zst"), .lz4 $(size "$T/core.lz4")"
printf '%-34s %10s %12s\n' "row" "median s" "peak RSS MiB"
row() { local name=$1; shift; printf '%-34s %10.3f %12s\n' "$name" "$(median "$@")" "$(peak "$@")"; }
row "vmdive info core.zst" "$vmdive" info "$T/core.zst"
row "vmdive info core.lz4" "$vmdive" info "$T/core.lz4"
row "vmdive info core" "$vmdive" info "$T/core"
row "gdb -batch core" "${gdb_core[@]}"
row "zstd -d + gdb -batch" "${unz_gdb[@]}"
row "lz4 -d + gdb -batch" "${unlz4_gdb[@]}"
