#!/usr/bin/env bash
# Types without a vmlinux: struct layouts vmdive reads from the kernel's own
# BTF in the dump must equal what crash reads from the vmlinux's DWARF
# (`struct -o`): every member's name and byte offset, anonymous members
# expanded, and the size: Debian 12's 6.1 and Debian 11's 5.10 (x86_64); x86_64 6.12
# and 7.2 against sid's crash 9.0.2.  No crash here reads arm64: the arm64 5.10, 6.1,
# 6.12 (also on 48/47-bit VAs) and 7.2 dumps (4K and 16K pages) are held to drgn.
set -euo pipefail
vmdive=$1
here=$(cd "$(dirname "$0")" && pwd)
cache=${VMDIVE_CACHE:-/var/cache/vmdive}
types=(task_struct module mm_struct page vmap_area vm_struct list_head
	module_layout printk_ringbuffer prb_desc_ring pid upid kobject
	mod_kallsyms uts_namespace new_utsname rq)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rc=0 skipped=0
skip() { skipped=$((skipped + 1)); echo "SKIP $*"; }

# VARIANT: the dump's BTF against crash 8.0.2's `struct -o` (x86_64 6.1 and 5.10).
crash_types() {
	local v=$1 m=$cache/dumps/$1/meta.env
	[[ -e $cache/dumps/$v/done ]] || { skip "$v: no sample (samples/make-dumps.sh --variant $v)"; return; }
	echo "-- $v: BTF vs crash"
	(
		# shellcheck source=/dev/null
		. "$m"
		mkdir -p "$tmp/$v"
		for t in "${types[@]}"; do echo "struct -o $t"; done >"$tmp/$v/cmds"
		echo quit >>"$tmp/$v/cmds"
		# crash's answers cached beside the dump (one session, run when missing).
		/usr/bin/python3 "$here/vdcheck.py" crash-out "$VMCORE_ELF" "$VMLINUX" "$tmp/$v/cmds" \
			"$tmp/$v/crash.out"
		for t in "${types[@]}"; do
			"$vmdive" struct --json "$VMCORE_ELF" "$t" >"$tmp/$v/vd-$t.json"
			grep -q '"source":"BTF"' "$tmp/$v/vd-$t.json" || { echo "  $t: not from BTF"; exit 1; }
		done
		/usr/bin/python3 "$here/types_check.py" "$tmp/$v/crash.out" "$tmp/$v" "${types[@]}"
	) || rc=1
}

# VARIANT: the dump's BTF against sid's crash 9.0.2's `struct -o` (x86_64 6.12 and 7.2), read
# from the one crash session per dump the tests share (tests/real/sid_crash.py).
sid_crash_types() {
	local v=$1 m=$cache/dumps/$1/meta.env
	[[ -e $cache/dumps/$v/done ]] || { skip "$v: no sample (samples/make-dumps.sh --variant $v)"; return; }
	[[ -x $cache/sid-oracles/amd64/bin/crash ]] || { skip "$v: no sid crash (samples/make-dumps.sh --variant $v)"; return; }
	echo "-- $v: BTF vs sid's crash"
	(
		# shellcheck source=/dev/null
		. "$m"
		mkdir -p "$tmp/$v"
		/usr/bin/python3 "$here/sid_crash.py" "$m" >"$tmp/$v/crash.out" || exit 1
		for t in "${types612[@]}"; do
			"$vmdive" struct --json "$VMCORE_ELF" "$t" >"$tmp/$v/vd-$t.json"
			grep -q '"source":"BTF"' "$tmp/$v/vd-$t.json" || { echo "  $t: not from BTF"; exit 1; }
		done
		/usr/bin/python3 "$here/types_check.py" "$tmp/$v/crash.out" "$tmp/$v" "${types612[@]}"
	) || rc=1
}

# VARIANT[+SAME...] TYPES...: the dump's BTF against drgn's reading of the vmlinux's DWARF (bit
# offsets and sizes too, tests/real/symbols_check.py drgn-layouts): Debian 12's drgn, or sid's
# for sid's kernel (samples/make-dumps.sh unpacks it).  +SAME: dumps of the same vmlinux
# booted otherwise (another run-time VA size), their BTF held to the same drgn session.
drgn_types() {
	local v=${1%%+*} py=/usr/bin/python3 w more=()
	local m=$cache/dumps/$v/meta.env
	[[ $1 == *+* ]] && IFS=+ read -ra more <<<"${1#*+}"
	shift
	[[ -e $cache/dumps/$v/done ]] || { skip "$v: no sample (samples/make-dumps.sh --variant $v)"; return; }
	if grep -qx 'SUITE=sid' "$m" || [[ $v == arm64-5.10 ]]; then   # vdcheck.NEWER_DRGN
		py=$cache/sid-oracles/amd64/bin/python3
		[[ -x $py ]] || { skip "$v: no sid drgn ($py; samples/make-dumps.sh --variant $v)"; return; }
	fi
	local also=()
	for w in "${more[@]}"; do
		if [[ -e $cache/dumps/$w/done ]]; then also+=("$w"); else
			skip "$w: no sample (samples/make-dumps.sh --variant $w)"; fi
	done
	echo "-- $v${also[*]:+ and ${also[*]}}: BTF vs drgn"
	(
		dirs=
		for w in "$v" "${also[@]}"; do
			# shellcheck source=/dev/null
			. "$cache/dumps/$w/meta.env"
			[[ $VMLINUX == "$(. "$m"; echo "$VMLINUX")" ]] ||
				{ echo "  $w: not $v's vmlinux ($VMLINUX)"; exit 1; }
			mkdir -p "$tmp/$w"
			for t in "$@"; do
				"$vmdive" struct --json "$VMCORE_ELF" "$t" >"$tmp/$w/vd-$t.json"
				grep -q '"source":"BTF"' "$tmp/$w/vd-$t.json" || { echo "  $w $t: not from BTF"; exit 1; }
			done
			dirs+=${dirs:+,}$tmp/$w
		done
		. "$m"
		"$py" "$here/symbols_check.py" drgn-layouts "$VMCORE_ELF" "$VMLINUX" "$dirs" "$@"
	) || rc=1
}

[[ -e $cache/dumps/kaslr/meta.env ]] ||
	{ echo "no sample dumps in $cache/dumps: run samples/make-dumps.sh" >&2; exit 1; }
crash_types kaslr
crash_types kaslr-5.10

# The 6.12 samples: crash 8.0.2's `struct -o` dies there ("segmentation violation in gdb"):
# the x86_64 ones are held to sid's crash 9.0.2 (7.2 with --no_modules), the arm64 ones
# (no crash here reads arm64) to drgn's reading of the vmlinux's DWARF.
# 6.4 replaced module_layout with module_memory (commit ac3b43283923).
types612=("${types[@]/#module_layout/module_memory}")
sid_crash_types kaslr-6.12
sid_crash_types kaslr-sid
# The 6.12 kernels also booted on a CPU without LPA2 (48- and 47-bit VAs at run time): the
# dump's BTF is found and read through those page tables.
for v in arm64-6.12+arm64-6.12-va48 arm64-16k-6.12+arm64-16k-6.12-va47 arm64-sid arm64-16k-sid; do
	drgn_types "$v" "${types612[@]}"
done
drgn_types arm64-5.10 "${types[@]}"
drgn_types arm64-kaslr "${types[@]}"
if ((skipped)); then
	echo "$skipped skipped"
	((rc == 0)) && exit 77
fi
exit $rc
