#!/usr/bin/env bash
# p of ~48 globals, struct member selection on 23 structures, rd in every
# width, -s and -a, expressions where an address goes, and the table of
# globals' types: vmdive (from the dump alone, then with --vmlinux) against
# crash on the 6.1 sample dumps, one crash session per dump
# (tests/real/print_check.py); and the interactive session on the kaslr
# dump through a pseudo-terminal (tests/cases/shell_pty.py).
set -uo pipefail
vmdive=$1
here=$(cd "$(dirname "$0")" && pwd)
cache=${VMDIVE_CACHE:-/var/cache/vmdive}
rc=0 n=0
for v in kaslr nokaslr; do
	meta=$cache/dumps/$v/meta.env
	[[ -e $meta ]] || { echo "  ($v: no sample dump)"; continue; }
	/usr/bin/python3 "$here/print_check.py" "$vmdive" "$meta" || rc=1
	n=$((n + 1))
done
# Every command's --json against docs/json.md.
meta=$cache/dumps/kaslr/meta.env
[[ -e $meta ]] && { /usr/bin/python3 "$here/json_check.py" "$vmdive" "$meta" || rc=1; }
# The session on a real dump: completion of symbols and members, expressions.
meta=$cache/dumps/kaslr/meta.env
if [[ -e $meta ]]; then
	dump=$(. "$meta"; echo "$VMCORE_ELF")
	VMDIVE_HISTORY= /usr/bin/python3 "$here/../cases/shell_pty.py" "$vmdive" "$dump" real || rc=1
fi
((n)) || { echo "no 6.1 sample dumps in $cache/dumps: run samples/make-dumps.sh" >&2; exit 1; }
exit $rc
