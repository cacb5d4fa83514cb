#!/bin/bash
# SPDX-License-Identifier: MIT
# Twenty everyday commands: in one vmdive session (`vmdive shell -c`), as
# twenty separate vmdive runs, and in one crash session (start-up
# included), on the same dump with its vmlinux.  Reports wall and CPU time
# (GNU time); never fails on them; tests never assert times.
#
#   bench/session.sh VMDIVE_BIN [--variant kaslr]
set -euo pipefail
(($# >= 1)) || { echo "usage: $0 VMDIVE_BIN [--variant V]" >&2; exit 2; }
vmdive=$(readlink -f "$1"); shift
variant=kaslr
[[ ${1:-} == --variant ]] && variant=$2
D=${VMDIVE_DUMPS:-${VMDIVE_CACHE:-/var/cache/vmdive}/dumps}/$variant
# shellcheck source=/dev/null
. "$D/meta.env"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The same twenty in both tools' words (crash's first where they differ).
cmds=(
	"sys" "ps" "bt" "bt -a" "log" "mod" "p jiffies" "p init_task.comm"
	"struct task_struct.pid,comm init_task" "whatis init_task" "sym schedule"
	"dis schedule" "rd -64 jiffies 4" "kmem -i" "kmem -s" "list -H modules"
	"struct -o list_head modules" "p linux_banner" "whatis schedule" "p init_uts_ns"
)
timed() {   # label, command...: "label wall cpu"
	local label=$1; shift
	/usr/bin/time -f "%e %U %S" -o "$tmp/t" "$@" >/dev/null 2>&1 || true
	read -r e u s <"$tmp/t"
	printf '%-34s %8.2f s wall %8.2f s CPU\n' "$label" "$e" "$(echo "$u + $s" | bc)"
}
joined=$(printf '%s; ' "${cmds[@]}")
timed "vmdive: one session" "$vmdive" shell --vmlinux "$VMLINUX" -c "$joined" "$VMCORE_ELF"
{
	for c in "${cmds[@]}"; do
		read -r -a w <<<"$c"
		printf '%q ' "$vmdive" "${w[0]}" --vmlinux "$VMLINUX" "$VMCORE_ELF" "${w[@]:1}"
		echo
	done
} >"$tmp/sep.sh"
timed "vmdive: 20 separate runs" bash "$tmp/sep.sh"
timed "vmdive: one session, no vmlinux" "$vmdive" shell -c "$joined" "$VMCORE_ELF"
{ printf '%s\n' "${cmds[@]}"; echo quit; } >"$tmp/crash.in"
timed "crash: one session" crash -s -i "$tmp/crash.in" "$VMLINUX" "$VMCORE_ELF"
