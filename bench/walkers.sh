#!/bin/bash
# Time vmdive's walkers against crash and drgn doing the same on the same dump (report only).
#
#   bench/walkers.sh VMDIVE_BIN [--variant kaslr] [--runs N]
#
# Rows: mod, vmalloc, ps, log.  vmdive on vmcore.elf and vmcore.kdump-zlib, without and with
# --vmlinux; crash 8.0.2 (`mod`, `kmem -v`, `ps`, `log` in a batch run: start-up included, and
# its start-up alone on a `quit`-only run); drgn 0.0.22 on vmcore.elf (bench/drgn_walkers.py:
# open + load the vmlinux's DWARF + the walk; and the open alone).  Where crash does not start
# normally (6.12 kernels) it runs as `crash --minimal --kaslr KERNELOFFSET`, which has `log`
# only (tests/oracle/crash_oracle.sh).  hyperfine when installed (mean of
# N runs for vmdive, 3 for crash and drgn), else one `date` timed run each.  Ratios are tool
# time / vmdive time (vmdive without vmlinux on vmcore.elf).
set -euo pipefail
(($# >= 1)) || { echo "usage: $0 VMDIVE_BIN [--variant V] [--runs N]" >&2; exit 2; }
vmdive=$(readlink -f "$1"); shift
variant=kaslr runs=10
while (($#)); do
	case $1 in
	--variant) variant=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	*) echo "bad argument $1" >&2; exit 2 ;;
	esac
done
here=$(cd "$(dirname "$0")" && pwd)
D=${VMDIVE_DUMPS:-${VMDIVE_CACHE:-/var/cache/vmdive}/dumps}/$variant
# shellcheck source=/dev/null
. "$D/meta.env"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# mean seconds of a command: hyperfine, else one timed run
t() {
	local n=$1; shift
	if command -v hyperfine >/dev/null; then
		hyperfine -N -i -w 1 -r "$n" --export-json "$tmp/h.json" -- "$(printf '%q ' "$@")" \
			>/dev/null 2>&1 || true
		/usr/bin/python3 -c 'import json,sys; print("%.3f" % json.load(open(sys.argv[1]))["results"][0]["mean"])' "$tmp/h.json"
	else
		local s e
		s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N)
		echo "$e - $s" | bc
	fi
}
echo quit >"$tmp/q.cmds"
copts=()
if ! timeout 120 crash -s -i "$tmp/q.cmds" "$VMLINUX" "$VMCORE_ELF" </dev/null >/dev/null 2>&1; then
	copts=(--minimal --kaslr "0x$KERNELOFFSET")
fi
crash_t() {
	if ((${#copts[@]})) && [[ $1 != log ]]; then echo "-"; return; fi
	printf '%s\nquit\n' "$1" >"$tmp/c.cmds"
	t 3 crash -s "${copts[@]}" -i "$tmp/c.cmds" "$VMLINUX" "$2"
}
printf '%-8s %-34s %9s %7s\n' row tool seconds ratio
((${#copts[@]})) && echo "(crash 8.0.2 does not start normally here: crash ${copts[*]}, log only)"
declare -A crashcmd=([mod]=mod [vmalloc]="kmem -v" [ps]=ps [log]=log)
base_open=$(t 3 /usr/bin/python3 "$here/drgn_walkers.py" --vmcore "$VMCORE_ELF" --vmlinux "$VMLINUX" --mode open)
base_crash=$(t 3 crash -s "${copts[@]}" -i "$tmp/q.cmds" "$VMLINUX" "$VMCORE_ELF")
for row in mod vmalloc ps log; do
	v=$(t "$runs" "$vmdive" "$row" "$VMCORE_ELF")
	line() {
		local r=-
		[[ $2 == - ]] || r=$(echo "scale=1; $2 / $v" | bc)
		printf '%-8s %-34s %9s %7s\n' "$row" "$1" "$2" "$r"
	}
	line "vmdive elf" "$v"
	line "vmdive kdump-zlib" "$(t "$runs" "$vmdive" "$row" "$VMCORE_KDUMP_ZLIB")"
	line "vmdive elf --vmlinux" "$(t "$runs" "$vmdive" "$row" --vmlinux "$VMLINUX" "$VMCORE_ELF")"
	line "vmdive kdump-zlib --vmlinux" "$(t "$runs" "$vmdive" "$row" --vmlinux "$VMLINUX" "$VMCORE_KDUMP_ZLIB")"
	line "crash elf (${crashcmd[$row]})" "$(crash_t "${crashcmd[$row]}" "$VMCORE_ELF")"
	line "crash kdump-zlib" "$(crash_t "${crashcmd[$row]}" "$VMCORE_KDUMP_ZLIB")"
	line "drgn elf" "$(t 3 /usr/bin/python3 "$here/drgn_walkers.py" --vmcore "$VMCORE_ELF" --vmlinux "$VMLINUX" --mode "$row")"
	line "crash start-up alone" "$base_crash"
	line "drgn start-up alone" "$base_open"
done
