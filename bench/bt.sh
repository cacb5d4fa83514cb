#!/bin/bash
# Time `vmdive bt -A` (every task's backtrace) against drgn's stack_trace loop and crash's
# `foreach bt` on the same dump (report only; issue 12).
#
#   bench/bt.sh VMDIVE_BIN [--variants "kaslr nokaslr ..."] [--batch N]
#
# Per variant (VMDIVE_DUMPS/VARIANT/meta.env, its vmcore.elf), one row:
# - tasks: the PID lines of `vmdive bt -A` (idle tasks included);
# - vmdive without and with --vmlinux: a warm-up run (page cache, vmdive's cache directory),
#   then 3 batches of N runs (default 10: one run takes tens of ms, below GNU time's 10 ms
#   CPU resolution) under /usr/bin/time; the median batch divided by N;
# - drgn: bench/drgn_bt.py, one run: open the dump with the vmlinux (DWARF indexing
#   included) and str(prog.stack_trace(task)) for each idle task and for_each_task; Debian's
#   drgn 0.0.22, sid's (VMDIVE_SID_ORACLES/python3) for the sid kernels as
#   tests/real/vdcheck.py's oracle_python chooses;
# - crash: `crash -s VMLINUX DUMP` over `foreach bt` + `quit`, one run (start-up included);
#   crash 8.0.2 for x86_64 5.10/6.1, sid's crash 9.0.2 for sid kernels (with --no_modules
#   when it does not start without).  n/a, with the reason, where crash cannot run it.
# Each cell: wall s / CPU s (user + sys) / peak RSS MiB.  Ratios: drgn and crash CPU time over
# vmdive's --vmlinux CPU time (the same input: the dump and its vmlinux).
set -uo pipefail
(($# >= 1)) || { echo "usage: $0 VMDIVE_BIN [--variants \"V ...\"] [--batch N]" >&2; exit 2; }
vmdive=$(readlink -f "$1"); shift
variants="kaslr nokaslr kaslr-5.10 kaslr-6.12 kaslr-sid arm64-kaslr arm64-6.12 arm64-sid crash-null crash-timer"
batch=10
while (($#)); do
	case $1 in
	--variants) variants=$2; shift 2 ;;
	--batch) batch=$2; shift 2 ;;
	*) echo "bad argument $1" >&2; exit 2 ;;
	esac
done
here=$(cd "$(dirname "$0")" && pwd)
cache=${VMDIVE_CACHE:-/var/cache/vmdive}
dumps=${VMDIVE_DUMPS:-$cache/dumps}
sid=${VMDIVE_SID_ORACLES:-$cache/sid-oracles/amd64/bin}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
notes=()
note() { echo "$*" >>"$tmp/notes"; }

# "wall cpu rss_mib" of one run (GNU time; a failing command gives "fail")
one() {
	local to=$1; shift
	if ! timeout "$to" /usr/bin/time -o "$tmp/t" -f "%e %U %S %M" "$@" >"$tmp/out" 2>"$tmp/err"; then
		echo fail; return
	fi
	awk 'END { printf "%.2f %.2f %.0f\n", $1, $2 + $3, $4 / 1024 }' "$tmp/t"
}
# vmdive: median of 3 batches of $batch runs, per run: "wall_ms cpu_ms rss_mib"
vd() {
	"$vmdive" bt -A "$@" >/dev/null 2>&1 || { echo fail; return; }
	local i
	for i in 1 2 3; do
		/usr/bin/time -o "$tmp/t" -f "%e %U %S %M" sh -c \
			'n=$1; shift; while [ "$n" -gt 0 ]; do "$@" >/dev/null 2>&1; n=$((n - 1)); done' \
			sh "$batch" "$vmdive" bt -A "$@"
		awk -v n="$batch" 'END { printf "%.1f %.1f %.0f\n", $1 * 1000 / n, ($2 + $3) * 1000 / n, $4 / 1024 }' "$tmp/t"
	done | sort -n -k2 | sed -n 2p
}
cell() { [[ $1 == fail || $1 == n/a* ]] && { echo "$1"; return; }; set -- $1; echo "$1/$2/$3"; }
ratio() {	# tool CPU s / vmdive CPU ms
	[[ $1 == fail || $1 == n/a* || $2 == fail ]] && { echo -; return; }
	set -- $1 $2
	awk -v a="$2" -v b="$5" 'BEGIN { if (b > 0) printf "%.0f\n", a * 1000 / b; else print "-" }'
}

echo "# bt -A: wall/CPU/RSS; vmdive in ms/ms/MiB (median of 3 x $batch runs), drgn and crash in s/s/MiB (one run)"
printf '| %-11s | %5s | %-14s | %-16s | %-16s | %-16s | %9s | %9s |\n' variant tasks \
	"vmdive" "vmdive --vmlinux" "drgn stack_trace" "crash foreach bt" "drgn/vd" "crash/vd"
printf '|%s|%s|%s|%s|%s|%s|%s|%s|\n' ------------- ------: ---------------- ------------------ \
	------------------ ------------------ ----------: ----------:
for v in $variants; do
	d=$dumps/$v
	if [[ ! -r $d/meta.env ]]; then notes+=("$v: no dump ($d/meta.env)"); continue; fi
	(
		VMLINUX= VMCORE_ELF= ARCH=x86_64 SUITE=
		# shellcheck source=/dev/null
		. "$d/meta.env"
		[[ -r $VMCORE_ELF && -r $VMLINUX ]] || { note "$v: skipped: no vmcore.elf or vmlinux"; exit; }
		tasks=$("$vmdive" bt -A "$VMCORE_ELF" 2>/dev/null | grep -c '^PID:')
		a=$(vd "$VMCORE_ELF")
		b=$(vd --vmlinux "$VMLINUX" "$VMCORE_ELF")
		py=/usr/bin/python3 arch=x86_64
		[[ $SUITE == sid || $v == arm64-5.10 ]] && py=$sid/python3
		[[ $ARCH == arm64 ]] && arch=aarch64
		if [[ -x $py ]]; then
			dr=$(one 900 "$py" "$here/drgn_bt.py" --vmcore "$VMCORE_ELF" --vmlinux "$VMLINUX" --arch "$arch")
			[[ $dr == fail ]] && note "$v: drgn failed: $(tail -1 "$tmp/err")"
			grep -h '^tasks' "$tmp/err" | sed "s/^/$v: drgn /" >>"$tmp/notes"
		else
			dr="n/a"; note "$v: drgn n/a: no $py"
		fi
		printf 'foreach bt\nquit\n' >"$tmp/c"
		printf 'quit\n' >"$tmp/q"
		cr=n/a
		if [[ $ARCH != x86_64 ]]; then
			note "$v: crash n/a: Debian's and sid's crash read x86_64 dumps only"
		else
			c=crash opts=()
			[[ $SUITE == sid ]] && c=$sid/crash
			if ! timeout 300 "$c" -s -i "$tmp/q" "$VMLINUX" "$VMCORE_ELF" </dev/null >/dev/null 2>&1; then
				if [[ $SUITE == sid ]] && timeout 300 "$c" -s --no_modules -i "$tmp/q" "$VMLINUX" "$VMCORE_ELF" </dev/null >/dev/null 2>&1; then
					opts=(--no_modules); note "$v: sid's crash 9.0.2 needs --no_modules"
				else
					note "$v: crash n/a: $("$c" --version 2>&1 | grep -m1 -o 'crash [0-9.]*') does not start on this kernel (--minimal starts but has no foreach)"
					c=
				fi
			fi
			if [[ -n $c ]]; then
				cr=$(one 900 "$c" -s "${opts[@]}" -i "$tmp/c" "$VMLINUX" "$VMCORE_ELF")
				[[ $cr == fail ]] && note "$v: crash failed: $(tail -1 "$tmp/err")"
				[[ $cr == fail ]] || note "$v: crash${opts[*]:+ ${opts[*]}} traced $(grep -c '^PID:' "$tmp/out") tasks"
			fi
		fi
		printf '| %-11s | %5s | %-14s | %-16s | %-16s | %-16s | %9s | %9s |\n' "$v" "$tasks" \
			"$(cell "$a")" "$(cell "$b")" "$(cell "$dr")" "$(cell "$cr")" "$(ratio "$dr" "$b")" "$(ratio "$cr" "$b")"
	)
done
for n in "${notes[@]}"; do echo "- $n"; done
[[ -s $tmp/notes ]] && sed 's/^/- /' "$tmp/notes"
true
