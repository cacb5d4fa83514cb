#!/usr/bin/env bash
# dis of 20 functions from the dump alone, instruction by instruction against
# objdump -d of the vmlinux at the dump's KASLR offset, and dis -l --vmlinux against
# objdump -dl (tests/real/dis_check.py),
# on the 6.1 and 6.12 x86_64 sample dumps and arm64 5.10, 6.12 and 7.2
# (aarch64-linux-gnu-objdump, dis -l on a sample), arm64 6.12 on 48/47-bit VAs (no dis -l);
# dis -l alone on 5.10 (DWARF 4, line tables version 3), 7.2 and arm64 6.1.
set -uo pipefail
vmdive=$1
here=$(cd "$(dirname "$0")" && pwd)
cache=${VMDIVE_CACHE:-/var/cache/vmdive}
rc=0 n=0
for v in kaslr nokaslr kaslr-6.12; do
	meta=$cache/dumps/$v/meta.env
	[[ -e $meta ]] || { echo "  ($v: no sample dump)"; continue; }
	/usr/bin/python3 "$here/dis_check.py" "$vmdive" "$meta" || rc=1
	n=$((n + 1))
done
# arm64 5.10, 6.12 and 7.2 (4K and 16K pages): dis against aarch64-linux-gnu-objdump
# instruction by instruction, dis -l on a sample (objdump -dl costs ~0.5 CPU-s a function).
for v in arm64-5.10 arm64-6.12 arm64-16k-6.12 arm64-sid arm64-16k-sid; do
	meta=$cache/dumps/$v/meta.env
	[[ -e $meta ]] || { echo "  ($v: no sample dump)"; continue; }
	/usr/bin/python3 "$here/dis_check.py" "$vmdive" "$meta" --few-lines || rc=1
	n=$((n + 1))
done
# The 6.12 arm64 kernels booted on a CPU without LPA2 (48- and 47-bit VAs at run time): the
# same vmlinux as arm64-6.12 and arm64-16k-6.12, another KASLR offset and translation, so the
# code read from the dump (kallsyms and text through those page tables) against objdump at
# their offset, on 6 functions; not dis -l (the vmlinux's line tables, checked above on the
# same vmlinux).
for v in arm64-6.12-va48 arm64-16k-6.12-va47; do
	meta=$cache/dumps/$v/meta.env
	[[ -e $meta ]] || { echo "  ($v: no sample dump)"; continue; }
	/usr/bin/python3 "$here/dis_check.py" "$vmdive" "$meta" --no-lines --few-funcs || rc=1
	n=$((n + 1))
done
for v in kaslr-5.10 kaslr-sid arm64-kaslr; do
	meta=$cache/dumps/$v/meta.env
	[[ -e $meta ]] || { echo "  ($v: no sample dump)"; continue; }
	/usr/bin/python3 "$here/dis_check.py" "$vmdive" "$meta" --lines-only || rc=1
	n=$((n + 1))
done
((n)) || { echo "no sample dumps in $cache/dumps: run samples/make-dumps.sh" >&2; exit 1; }
exit $rc
