#!/bin/bash
# Build main's vmdive beside this one and print bench/symfast.py's table (report only).
#
#   bench/symfast.sh AFTER_VMDIVE [BEFORE_VMDIVE] [bench/symfast.py options]
#
# Without BEFORE_VMDIVE, main's tree (git archive main) is built in a temporary directory.
set -euo pipefail
(($# >= 1)) || { echo "usage: $0 AFTER_VMDIVE [BEFORE_VMDIVE] [options]" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
after=$(readlink -f "$1"); shift
if (($#)) && [[ $1 != --* ]]; then
	before=$(readlink -f "$1"); shift
else
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	git -C "$here/.." archive main | tar -x -C "$tmp"
	cmake -S "$tmp" -B "$tmp/build" >/dev/null
	cmake --build "$tmp/build" -j2 --target vmdive >/dev/null
	before=$tmp/build/vmdive
fi
exec /usr/bin/python3 "$here/symfast.py" --before "$before" --after "$after" "$@"
