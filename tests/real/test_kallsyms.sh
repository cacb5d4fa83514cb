#!/usr/bin/env bash
# Symbols without a vmlinux: every symbol vmdive decodes from the kernel's
# own kallsyms tables in the dump must be a symbol of the vmlinux (binutils
# nm, an independent reader) at that address plus the dump's KASLR offset
# (per-CPU symbols are absolute and not shifted), and the kallsyms table must
# cover the vmlinux's text symbols.  Also checks `sym ADDR` on a sample.
set -euo pipefail
vmdive=$1
here=$(cd "$(dirname "$0")" && pwd)
cache=${VMDIVE_CACHE:-/var/cache/vmdive}
shopt -s nullglob
# Debian's arm64 5.10 and 6.1 kernels lack CONFIG_KALLSYMS_ALL: their kallsyms holds the text
# symbols only (kallsyms_check.py holds them to the vmlinux's symbols in the text ranges).
metas=()
# kaslr-5.10: VMCOREINFO lists no kallsyms tables, they are found in the image; kaslr-sid:
# place-relative offsets, no kallsyms_relative_base.
for m in "$cache"/dumps/{kaslr,nokaslr,la57,kaslr-6.12,arm64-16k-6.12,kaslr-5.10,kaslr-sid,arm64-sid,arm64-16k-sid,arm64-5.10,arm64-kaslr,arm64-6.12}/meta.env; do
	[[ -e $m ]] && metas+=("$m")   # brace expansion is not filtered by nullglob
done
if ((${#metas[@]} == 0)); then
	echo "no sample dumps in $cache/dumps: run samples/make-dumps.sh" >&2
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
for meta in "${metas[@]}"; do
	# shellcheck source=/dev/null
	. "$meta"
	nm "$VMLINUX" >"$tmp/nm.txt"
	"$vmdive" sym -l "$VMCORE_ELF" >"$tmp/ks.txt"
	off=$("$vmdive" vmcoreinfo "$VMCORE_ELF" KERNELOFFSET)
	/usr/bin/python3 "$here/kallsyms_check.py" "$tmp/nm.txt" "$tmp/ks.txt" "$off" \
		"$vmdive" "$VMCORE_ELF" "$VARIANT" || fail=1
done
exit $fail
