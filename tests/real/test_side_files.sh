#!/usr/bin/env bash
# Side files against the dump (issue 18): each sample's own System.map and
# vmlinux are accepted and name `panic` where nm puts it plus the dump's
# KERNELOFFSET; another kernel's are refused (exit 2) with both sides named
# (the dump's OSRELEASE, and a symbol where each puts it, or both
# build-ids), and --force-system-map / --force-vmlinux override.
set -uo pipefail
vmdive=$1
cache=${VMDIVE_CACHE:-/var/cache/vmdive}
nfail=0 nok=0
fail() { echo "FAIL: $*"; nfail=$((nfail + 1)); }
ok() { nok=$((nok + 1)); }
variants=()
for m in "$cache"/dumps/*/meta.env; do
	[[ -e ${m%/meta.env}/done ]] && variants+=("$(basename "${m%/meta.env}")")
done
((${#variants[@]})) || { echo "no sample dumps in $cache/dumps" >&2; exit 1; }
kvers=()
for v in "${variants[@]}"; do
	kvers+=("$(sed -n 's/^KVER=//p' "$cache/dumps/$v/meta.env")")
done
for i in "${!variants[@]}"; do
	v=${variants[$i]} k=${kvers[$i]}
	dump=$cache/dumps/$v/vmcore.elf
	[[ -e $dump ]] || continue
	map=$cache/kernel/$k/System.map
	[[ -e $map ]] || continue
	# The truth: nm's address plus KERNELOFFSET (0 without KASLR).
	off=$(sed -n 's/^KERNELOFFSET=//p' "$cache/dumps/$v/vmcoreinfo.txt")
	base=$(awk '$3 == "panic" { print $1; exit }' "$map")
	want=$(printf '%016x' $((0x$base + 0x${off:-0})))
	got=$("$vmdive" sym --system-map "$map" "$dump" panic 2>&1 | awk '{ print $1; exit }')
	[[ $got == "$want" ]] && ok || fail "$v: own System.map: panic at '$got', want $want"
	# Every other kernel's System.map and vmlinux.
	for j in "${!kvers[@]}"; do
		o=${kvers[$j]}
		[[ $o == "$k" || ! -e $cache/kernel/$o/System.map ]] && continue
		"$vmdive" sym --system-map "$cache/kernel/$o/System.map" "$dump" panic >/dev/null 2>"/tmp/side.$$"
		rc=$?
		if ((rc != 2)); then
			fail "$v: System.map of $o: exit $rc, want 2"
		elif ! grep -q "not the dumped kernel's System.map: it puts .* the dump (OSRELEASE $k" "/tmp/side.$$"; then
			fail "$v: System.map of $o: $(cat "/tmp/side.$$")"
		else
			ok
		fi
		"$vmdive" sym --force-system-map --system-map "$cache/kernel/$o/System.map" "$dump" panic \
			>/dev/null 2>&1 && ok || fail "$v: --force-system-map of $o refused"
		if [[ -e $cache/kernel/$o/vmlinux ]]; then
			"$vmdive" sym --vmlinux "$cache/kernel/$o/vmlinux" "$dump" panic >/dev/null 2>"/tmp/side.$$"
			rc=$?
			((rc == 2)) && grep -qE "build-id [0-9a-f]+ does not match the dump's BUILD-ID [0-9a-f]+|not the dumped kernel's vmlinux" "/tmp/side.$$" &&
				ok || fail "$v: vmlinux of $o: exit $rc: $(cat "/tmp/side.$$")"
		fi
	done
done
rm -f "/tmp/side.$$"
echo "side files: $nok checks passed, $nfail failed"
((nfail == 0))
