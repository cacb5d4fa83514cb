#!/usr/bin/env bash
# p of ~50 globals, struct member selection on 24 structures, struct -o, list, rd in every
# width, -s and -a, search, expressions where an address goes, and the table of globals'
# types: vmdive (from the dump alone, then with --vmlinux) against one oracle session per
# dump, its answers kept beside the dump (tests/real/print_check.py):
#   x86_64 6.1 (kaslr, nokaslr) and 5.10: Debian 12's crash 8.0.2;
#   x86_64 6.12 and sid's 7.2: sid's crash 9.0.2 (8.0.2 refuses 6.12's modules; 7.2 only
#     with --no_modules);
#   arm64 6.1, 5.10, 6.12 and sid's 7.2: sid's drgn 0.3.0 (no crash here reads arm64 dumps; rd -s/-S/-a
#     and search are crash's, not asked there), from the dump with its System.map (Debian's
#     arm64 kallsyms has no data symbols).
# And the interactive session on the kaslr dump through a pseudo-terminal
# (tests/cases/shell_pty.py).  A missing sample is a SKIP (exit 77), never a pass.
#   test_print.sh VMDIVE            the x86_64 dumps, --json and the session
#   test_print.sh VMDIVE arm64      the arm64 dumps (test_print_arm64.sh: CTest runs the two
#                                   halves side by side)
set -uo pipefail
vmdive=$1
part=${2:-x86_64}
here=$(cd "$(dirname "$0")" && pwd)
cache=${VMDIVE_CACHE:-/var/cache/vmdive}
rc=0 n=0 skipped=0
if [[ $part == arm64 ]]; then
	variants="arm64-kaslr arm64-5.10 arm64-6.12 arm64-sid"
else
	variants="kaslr nokaslr kaslr-5.10 kaslr-6.12 kaslr-sid"
fi
for v in $variants; do
	meta=$cache/dumps/$v/meta.env
	if [[ ! -e $cache/dumps/$v/done ]]; then
		echo "SKIP $v: no sample dump (samples/make-dumps.sh --variant $v makes it)"
		skipped=$((skipped + 1))
		continue
	fi
	/usr/bin/python3 "$here/print_check.py" "$vmdive" "$meta"
	case $? in
		0) n=$((n + 1)) ;;
		77) skipped=$((skipped + 1)) ;;     # its oracle is not there
		*) rc=1 n=$((n + 1)) ;;
	esac
done
# Every command's --json against docs/json.md.
meta=$cache/dumps/kaslr/meta.env
[[ $part == x86_64 && -e $meta ]] && { /usr/bin/python3 "$here/json_check.py" "$vmdive" "$meta" || rc=1; }
# The session on a real dump: completion of symbols and members, expressions.
if [[ $part == x86_64 && -e $meta ]]; then
	dump=$(. "$meta"; echo "$VMCORE_ELF")
	VMDIVE_HISTORY= /usr/bin/python3 "$here/../cases/shell_pty.py" "$vmdive" "$dump" real || rc=1
fi
((n)) || { echo "no sample dumps in $cache/dumps: run samples/make-dumps.sh" >&2; exit 1; }
((rc == 0 && skipped)) && exit 77
exit $rc
