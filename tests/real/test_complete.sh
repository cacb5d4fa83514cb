#!/usr/bin/env bash
# Type-name completion (`vmdive complete-names` and the bash completion made
# from the command table) on the real dumps, against the vmlinux's own .BTF:
# tests/real/complete_check.py says what is checked.
set -euo pipefail
vmdive=$1
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$vmdive" help --bash-completion >"$tmp/vmdive.bash-completion"
/usr/bin/python3 "$here/complete_check.py" "$vmdive" "$tmp/vmdive.bash-completion"
