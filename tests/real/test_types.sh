#!/usr/bin/env bash
# Types without a vmlinux: struct layouts vmdive reads from the kernel's own
# BTF in the dump must equal what crash reads from the vmlinux's DWARF
# (`struct -o`): every member's name and byte offset, anonymous members
# expanded, and the size.  crash 8.0.2 is x86_64-only, so the arm64 dumps
# are not compared here.
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
/usr/bin/python3 "$here/types_check.py" "$tmp/crash.out" "$tmp" "${types[@]}"
