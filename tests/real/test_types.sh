#!/usr/bin/env bash
# Types without a vmlinux: struct layouts vmdive reads from the kernel's own
# BTF in the dump must equal what crash reads from the vmlinux's DWARF
# (`struct -o`): every member's name and byte offset, anonymous members
# expanded, and the size.  crash 8.0.2 is x86_64-only, so the arm64 6.1 dumps
# are not compared here; the 6.12 ones (x86_64 and arm64) are held to drgn.
set -euo pipefail
vmdive=$1
here=$(cd "$(dirname "$0")" && pwd)
cache=${VMDIVE_CACHE:-/var/cache/vmdive}
meta=$cache/dumps/kaslr/meta.env
[[ -e $meta ]] || { echo "no sample dumps in $cache/dumps: run samples/make-dumps.sh" >&2; exit 1; }
# shellcheck source=/dev/null
. "$meta"
types=(task_struct module mm_struct page vmap_area vm_struct list_head
	module_layout printk_ringbuffer prb_desc_ring pid upid kobject
	mod_kallsyms uts_namespace new_utsname rq)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for t in "${types[@]}"; do echo "struct -o $t"; done >"$tmp/cmds"
echo quit >>"$tmp/cmds"
timeout 300 crash -s -i "$tmp/cmds" "$VMLINUX" "$VMCORE_ELF" </dev/null >"$tmp/crash.out" 2>&1 || true
for t in "${types[@]}"; do
	"$vmdive" struct --json "$VMCORE_ELF" "$t" >"$tmp/vd-$t.json"
done
rc=0
/usr/bin/python3 "$here/types_check.py" "$tmp/crash.out" "$tmp" "${types[@]}" || rc=1

# The 6.12 samples: crash 8.0.2's `struct -o` dies there ("segmentation violation in gdb"), so
# the layouts from the dump's BTF are held to drgn's reading of the vmlinux's DWARF instead
# (bit offsets and sizes too, tests/real/symbols_check.py drgn-layouts).  6.4 replaced
# module_layout with module_memory (commit ac3b43283923).
types612=("${types[@]/#module_layout/module_memory}")
for v in kaslr-6.12 arm64-16k-6.12; do
	m=$cache/dumps/$v/meta.env
	[[ -e $m ]] || { echo "  ($v: no sample)"; continue; }
	echo "-- $v: BTF vs drgn"
	(
		# shellcheck source=/dev/null
		. "$m"
		mkdir -p "$tmp/$v"
		for t in "${types612[@]}"; do
			"$vmdive" struct --json "$VMCORE_ELF" "$t" >"$tmp/$v/vd-$t.json"
			grep -q '"source":"BTF"' "$tmp/$v/vd-$t.json" || { echo "  $t: not from BTF"; exit 1; }
		done
		/usr/bin/python3 "$here/symbols_check.py" drgn-layouts "$VMCORE_ELF" "$VMLINUX" \
			"$tmp/$v" "${types612[@]}"
	) || rc=1
done
exit $rc
