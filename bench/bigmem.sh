#!/bin/bash
# SPDX-License-Identifier: MIT
# Big machines: time and peak memory of vmdive's info, vtop, rd -p (and
# log, mod) against the RAM size of the crashed machine and its CPU count,
# beside crash's `sys` on the same files.  Reports numbers; never fails on
# them; tests never assert times.
#
#   bench/bigmem.sh VMDIVE [--kdump FILE --vmlinux V] [--sizes "64G 1T 4T 16T"]
#                   [--cpus "64 256 1024 4096"] [--crash] [--runs N]
#
# Two kinds of dump, written to a temporary directory as sparse files and
# deleted after:
#   synthetic  tests/gen/mkdiskdump: zstd, dump level 31, 4096 random
#              pages present, max_mapnr = RAM / 4 KiB (the issue's table);
#              `info` and `rd -p` of one page (no kernel in it).
#   real       --kdump FILE (a makedumpfile -d 31 file of a sample guest)
#              widened by tests/gen/kdump_widen to max_mapnr = RAM / 4 KiB:
#              the same kernel and pages, the bitmaps of a bigger machine;
#              info, vtop, rd -p, log, mod, and with --crash crash's `sys`
#              (crash needs the vmlinux of that kernel: --vmlinux).
# CPU count: synthetic 64 GiB dumps with N NT_PRSTATUS notes; `info`.
# Needs GNU time (/usr/bin/time) for the peak RSS.
set -u
VMDIVE=${1:?usage: bigmem.sh VMDIVE [options]}
shift
GEN=${VD_BIN_DIR:-$(dirname "$VMDIVE")/tests}
SIZES="64G 1T 4T 16T"
CPUS="64 256 1024 4096"
KDUMP="" VMLINUX="" CRASH=0 RUNS=3
while [ $# -gt 0 ]; do
    case $1 in
    --kdump) KDUMP=$2; shift ;;
    --vmlinux) VMLINUX=$2; shift ;;
    --sizes) SIZES=$2; shift ;;
    --cpus) CPUS=$2; shift ;;
    --crash) CRASH=1 ;;
    --runs) RUNS=$2; shift ;;
    *) echo "bigmem.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
[ -x /usr/bin/time ] || { echo "bigmem.sh: needs GNU time (/usr/bin/time)" >&2; exit 2; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

pfns() {        # 64G -> PFNs of 4 KiB
    local n=${1%[GT]} u=${1: -1}
    case $u in G) echo $((n << 18)) ;; T) echo $((n << 28)) ;; esac
}

# best of RUNS: "seconds peakKB" of one command (its output discarded)
measure() {
    local best_t="" best_m="" r out t m
    for ((r = 0; r < RUNS; r++)); do
        /usr/bin/time -f "%e %M" -o "$T/time" "$@" >"$T/out" 2>&1
        out=$(tail -1 "$T/time")
        t=${out% *} m=${out#* }
        if [ -z "$best_t" ] || awk "BEGIN{exit !($t < $best_t)}"; then best_t=$t; fi
        if [ -z "$best_m" ] || [ "$m" -lt "$best_m" ]; then best_m=$m; fi
    done
    printf "%6.2fs %6.1fMB" "$best_t" "$(awk -v m="$best_m" 'BEGIN{print m/1024}')"
}

synth_desc() {  # PFNS NCPUS
    echo "version = 6"
    echo "compression = zstd"
    echo "dump_level = 31"
    echo "max_mapnr = $1"
    echo "pages 0-4095 random 7"
    for ((c = 0; c < $2; c++)); do echo "cpu pid=$((c + 1)) rip=$((0x1000 + c))"; done
}

echo "== RAM size: synthetic mkdiskdump (4096 present pages) =="
printf "%-5s %10s  %-16s %-16s\n" RAM "file(disk)" info "rd -p"
for s in $SIZES; do
    synth_desc "$(pfns "$s")" 2 | "$GEN/mkdiskdump" - "$T/s.kdump" || exit 1
    sz=$(du -k --apparent-size "$T/s.kdump" | cut -f1) disk=$(du -k "$T/s.kdump" | cut -f1)
    printf "%-5s %5dM(%dM)  %s  %s\n" "$s" $((sz / 1024)) $((disk / 1024)) \
        "$(measure "$VMDIVE" info "$T/s.kdump")" \
        "$(measure "$VMDIVE" rd "$T/s.kdump" -p 0x1000)"
    rm -f "$T/s.kdump"
done

echo
echo "== CPU count: synthetic 64 GiB mkdiskdump =="
printf "%-6s %-16s\n" CPUs info
for n in $CPUS; do
    synth_desc "$(pfns 64G)" "$n" | "$GEN/mkdiskdump" - "$T/c.kdump" || exit 1
    printf "%-6s %s\n" "$n" "$(measure "$VMDIVE" info "$T/c.kdump")"
    rm -f "$T/c.kdump"
done

[ -n "$KDUMP" ] || exit 0
echo
echo "== RAM size: $KDUMP widened by kdump_widen =="
va=$("$VMDIVE" sym "$KDUMP" init_uts_ns 2>/dev/null | awk '{print $1; exit}')
pa=$("$VMDIVE" vtop "$KDUMP" "$va" 2>/dev/null | awk '/^PHYSICAL/ {print $2; exit}')
printf "%-5s %10s  %-16s %-16s %-16s %-16s %-16s %s\n" RAM "file(disk)" info vtop "rd -p" log mod \
    "$([ $CRASH = 1 ] && echo "crash sys")"
for s in $SIZES; do
    "$GEN/kdump_widen" "$(pfns "$s")" "$KDUMP" "$T/w.kdump" || exit 1
    sz=$(du -k --apparent-size "$T/w.kdump" | cut -f1) disk=$(du -k "$T/w.kdump" | cut -f1)
    line=$(printf "%-5s %5dM(%dM)  %s  %s  %s  %s  %s" "$s" $((sz / 1024)) $((disk / 1024)) \
        "$(measure "$VMDIVE" info "$T/w.kdump")" \
        "$(measure "$VMDIVE" vtop "$T/w.kdump" "$va")" \
        "$(measure "$VMDIVE" rd "$T/w.kdump" -p "0x${pa:-1000}")" \
        "$(measure "$VMDIVE" log "$T/w.kdump")" \
        "$(measure "$VMDIVE" mod "$T/w.kdump")")
    if [ $CRASH = 1 ] && [ -n "$VMLINUX" ]; then
        printf 'sys\nquit\n' >"$T/cmds"
        # One run: crash takes a minute to load the vmlinux's debug info.
        line="$line  $(RUNS=1 measure crash -s -i "$T/cmds" "$VMLINUX" "$T/w.kdump")"
        grep -q "RELEASE: " "$T/out" || line="$line (crash could not open it: $(grep -m1 -i error "$T/out"))"
    fi
    echo "$line"
    rm -f "$T/w.kdump"
done
