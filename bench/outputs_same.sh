#!/bin/bash
# Whether a change kept the bare commands' output: OLD and NEW vmdive binaries
# print the same stdout, stderr and exit status for mod, ps, vmalloc, struct and
# sym on every sample dump (samples/make-dumps.sh), NEW with a cold cache
# directory (emptied first) and then the warm one, OLD with --no-cache.
#
#   bench/outputs_same.sh OLD_VMDIVE NEW_VMDIVE
#
# Prints one line per difference and a count; exits 1 when any differs.
set -uo pipefail
(($# == 2)) || { echo "usage: $0 OLD_VMDIVE NEW_VMDIVE" >&2; exit 2; }
old=$1 new=$2
dumps=${VMDIVE_DUMPS:-${VMDIVE_CACHE:-/var/cache/vmdive}/dumps}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 n=0
for meta in "$dumps"/*/meta.env; do
	v=$(basename "$(dirname "$meta")")
	d=$(sed -n 's/^VMCORE_ELF=//p' "$meta")
	[[ -n $d && -e $d ]] || continue
	for c in mod ps vmalloc "struct list_head" "struct -o task_struct" \
		 "sym linux_banner" "sym init_task" "sym schedule"; do
		read -ra w <<<"$c"
		"$old" "${w[0]}" --no-cache "$d" "${w[@]:1}" >"$tmp/a" 2>&1
		echo "exit $?" >>"$tmp/a"
		rm -rf "$tmp/c"
		for mode in cold warm; do
			"$new" "${w[0]}" --cache-dir "$tmp/c" "$d" "${w[@]:1}" >"$tmp/b" 2>&1
			echo "exit $?" >>"$tmp/b"
			n=$((n + 1))
			if ! cmp -s "$tmp/a" "$tmp/b"; then
				echo "DIFF $v: $c ($mode cache)"
				diff "$tmp/a" "$tmp/b" | head -4
				fail=1
			fi
		done
	done
done
echo "$n outputs compared, $([[ $fail == 0 ]] && echo "all the same" || echo "some differ")"
exit $fail
