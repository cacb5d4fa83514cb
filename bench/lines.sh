#!/bin/bash
# Source lines (dis -l, bt -l) with a vmlinux: vmdive's per-unit line tables against an older
# vmdive (--old BIN, e.g. one built before dwarf/dwarf_lines.c, when libdwarf decoded the
# lines) and crash's dis -l (--crash), on each dump, in one run (report only: never fails on
# numbers).
#
#   bench/lines.sh VMDIVE_BIN [--old OLD_BIN] [--crash] [--runs N] [--func F]
#                  [--variants "kaslr kaslr-6.12 ..."]
#
# Per variant, for `dis -l F` (default schedule):
#   first    the vmlinux's pages dropped from the page cache first (posix_fadvise
#            DONTNEED) and a new cache directory: the first use of a vmlinux (vmdive
#            caches its symbols then; `dis` without -l pays the same)
#   cold     the vmlinux's pages dropped, vmdive's cache directory kept: what reading the
#            line tables from the disk costs
#   warm     median of N runs (default 5)
#   rss      peak RSS of a warm run (MB)
#   dis      `dis F` without -l, warm: what the lines add
#   bt -l    `bt -A -l` on vmcore.elf, warm (every task's frames)
#   old      the same dis -l with OLD_BIN, warm, and its peak RSS
#   crash    crash's `dis -l F` minus crash's start-up alone (both timed; crash reads the
#            vmlinux's symbols and DWARF at start): x86_64 dumps crash opens (6.1: crash
#            8.0.2; 7.2: sid's crash 9.0.2)
# drgn has no dis or line printing of its own to compare with.
# Cells are wall seconds; ratios are old/new and crash/new in the same run.
set -euo pipefail
(($# >= 1)) || { echo "usage: $0 VMDIVE_BIN [--old BIN] [--crash] [--runs N] [--func F] [--variants V]" >&2; exit 2; }
vmdive=$(readlink -f "$1"); shift
old="" crash=0 runs=5 func=schedule
variants="kaslr kaslr-6.12 kaslr-sid arm64-kaslr kaslr-5.10"
while (($#)); do
	case $1 in
	--old) old=$(readlink -f "$2"); shift 2 ;;
	--crash) crash=1; shift ;;
	--runs) runs=$2; shift 2 ;;
	--func) func=$2; shift 2 ;;
	--variants) variants=$2; shift 2 ;;
	*) echo "bad argument $1" >&2; exit 2 ;;
	esac
done
cache=${VMDIVE_CACHE:-/var/cache/vmdive}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
py=/usr/bin/python3

# "WALL RSS_MB" of a command: the median wall of N runs, the largest peak RSS.
# DROP=FILE: the file's pages are dropped from the page cache before each run.
measure() {
	local n=$1; shift
	"$py" - "$n" "$@" <<'PY'
import os, subprocess, sys, time
n, cmd = int(sys.argv[1]), sys.argv[2:]
walls, rss = [], 0
for i in range(n):
    drop = os.environ.get("DROP")
    if drop:
        fd = os.open(drop, os.O_RDONLY)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        os.close(fd)
    t0 = time.monotonic()
    p = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    walls.append(time.monotonic() - t0)
    last = p.stderr.strip().splitlines()[-1] if p.stderr.strip() else "0"
    rss = max(rss, int(last) if last.isdigit() else 0)
walls.sort()
print("%.3f %.0f" % (walls[n // 2], rss / 1024))
PY
}

printf '%-12s %-26s %7s %7s %7s %6s %7s %7s %19s %18s\n' variant kernel first cold warm rss dis "bt -l" \
	"old (rss)" "crash dis -l"
for v in $variants; do
	D=$cache/dumps/$v
	[[ -e $D/meta.env ]] || { echo "$v: no sample dump"; continue; }
	(
	# shellcheck source=/dev/null
	. "$D/meta.env"
	vml=(--vmlinux "$VMLINUX")
	read -r first _ < <(DROP=$VMLINUX measure 1 "$vmdive" dis -l --cache-dir "$tmp/c-$v" "${vml[@]}" "$VMCORE_ELF" "$func")
	read -r cold _ < <(DROP=$VMLINUX measure 1 "$vmdive" dis -l --cache-dir "$tmp/c-$v" "${vml[@]}" "$VMCORE_ELF" "$func")
	read -r warm rss < <(measure "$runs" "$vmdive" dis -l "${vml[@]}" "$VMCORE_ELF" "$func")
	read -r dis _ < <(measure "$runs" "$vmdive" dis "${vml[@]}" "$VMCORE_ELF" "$func")
	read -r btl _ < <(measure 3 "$vmdive" bt -A -l "${vml[@]}" "$VMCORE_ELF")
	oldc="-"
	if [[ -n $old ]]; then
		read -r ow orss < <(measure 1 "$old" dis -l "${vml[@]}" "$VMCORE_ELF" "$func")
		oldc=$(printf '%.2f (%.0fM) %.0fx' "$ow" "$orss" "$("$py" -c "print($ow / $warm)")")
	fi
	crc="-"
	if ((crash)) && [[ $ARCH == x86_64 ]]; then
		cbin=crash
		[[ $v == *sid* ]] && cbin=$cache/sid-oracles/amd64/bin/crash
		printf 'dis -l %s\nexit\n' "$func" >"$tmp/dis.in"
		printf 'exit\n' >"$tmp/exit.in"
		read -r c1 _ < <(measure 1 "$cbin" -s "$VMLINUX" "$VMCORE_ELF" -i "$tmp/dis.in")
		read -r c0 _ < <(measure 1 "$cbin" -s "$VMLINUX" "$VMCORE_ELF" -i "$tmp/exit.in")
		crc=$(printf '%.1f-%.1f %.0fx' "$c1" "$c0" "$("$py" -c "print(max($c1 - $c0, 0) / $warm)")")
	fi
	printf '%-12s %-26s %7s %7s %7s %5sM %7s %7s %19s %18s\n' "$v" "$KVER" "$first" "$cold" "$warm" "$rss" \
		"$dis" "$btl" "$oldc" "$crc"
	)
done
