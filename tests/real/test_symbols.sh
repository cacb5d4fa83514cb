#!/usr/bin/env bash
# Symbols and types with a vmlinux (ELF symbols, DWARF) and without one (the
# dump's kallsyms and BTF), against crash and drgn on the same dump:
#  (a) struct -o of task_struct, module, vmap_area, mm_struct, page from DWARF
#      (--vmlinux) and from BTF (no vmlinux) equal crash's `struct -o`, and
#      each other member by member (bit offsets and sizes too); `whatis` of
#      variables and functions (DWARF) equals crash's `whatis`;
#  (b) 10,000 random kernel text/data addresses are named as drgn or crash
#      name them, with the vmlinux and with kallsyms only (symbols_check.py
#      says which differences kallsyms is allowed, and prints every one);
#      x86_64 with crash and drgn, arm64 with drgn (crash 8.0.2 is x86-only),
#      and the arm64 layouts from DWARF and BTF agree too;
#  (c) a vmlinux that is not the dumped kernel is refused with a message
#      that says why and names --force-vmlinux, which overrides it;
#  (d) the 6.12 samples (kaslr-6.12, arm64-16k-6.12), Debian 11's 5.10 and sid's
#      newest (x86_64 and arm64; sid's with sid's drgn and crash): the layouts from DWARF
#      and from BTF equal each other and drgn's reading of the DWARF (crash
#      8.0.2's `struct -o` dies on 6.12 with "segmentation violation in
#      gdb"), and 4,000 addresses are named as drgn names them (and on
#      x86_64 as `crash --minimal --kaslr OFFSET` does: the only way crash
#      8.0.2 starts on 6.12, see tests/oracle/crash_oracle.sh).  4,000, not
#      10,000: drgn 0.0.22's prog.symbol() takes ~3 ms an address there.
set -euo pipefail
vmdive=$1
here=$(cd "$(dirname "$0")" && pwd)
cache=${VMDIVE_CACHE:-/var/cache/vmdive}
meta=$cache/dumps/kaslr/meta.env
[[ -e $meta ]] || { echo "no sample dumps in $cache/dumps: run samples/make-dumps.sh" >&2; exit 1; }
# shellcheck source=/dev/null
. "$meta"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

echo "== (a) layouts: DWARF, BTF and crash"
types=(task_struct module vmap_area mm_struct page)
objects=(init_task vmap_area_list runqueues linux_banner jiffies schedule)
{
	for t in "${types[@]}"; do echo "struct -o $t"; done
	for o in "${objects[@]}"; do echo "whatis $o"; done
	echo quit
} >"$tmp/cmds"
# Kept beside the dump (vdcheck.py's oracle cache): a warm run starts no crash here.
/usr/bin/python3 "$here/vdcheck.py" crash-out "$VMCORE_ELF" "$VMLINUX" "$tmp/cmds" "$tmp/crash.out"
mkdir -p "$tmp/dwarf" "$tmp/btf"
for t in "${types[@]}"; do
	"$vmdive" struct --json --vmlinux "$VMLINUX" "$VMCORE_ELF" "$t" >"$tmp/dwarf/vd-$t.json"
	"$vmdive" struct --json "$VMCORE_ELF" "$t" >"$tmp/btf/vd-$t.json"
	# Check the sources are the ones this test means to compare.
	grep -q '"source":"DWARF"' "$tmp/dwarf/vd-$t.json" || { echo "  $t: not from DWARF"; fail=1; }
	grep -q '"source":"BTF"' "$tmp/btf/vd-$t.json" || { echo "  $t: not from BTF"; fail=1; }
done
echo "-- DWARF vs crash"
/usr/bin/python3 "$here/types_check.py" "$tmp/crash.out" "$tmp/dwarf" "${types[@]}" || fail=1
echo "-- BTF vs crash"
/usr/bin/python3 "$here/types_check.py" "$tmp/crash.out" "$tmp/btf" "${types[@]}" || fail=1
echo "-- DWARF vs BTF"
/usr/bin/python3 "$here/symbols_check.py" layouts "$tmp/dwarf" "$tmp/btf" "${types[@]}" || fail=1

echo "-- 100 random structs of the kernel's BTF: DWARF vs BTF"
# pahole lists the structs and unions of the vmlinux's .BTF (the dump's BTF).
if command -v pahole >/dev/null; then
	mkdir -p "$tmp/rdwarf" "$tmp/rbtf"
	pahole --sizes -F btf "$VMLINUX" | awk '{print $1}' | sort -u |
		shuf --random-source=<(yes) -n 100 >"$tmp/names"
	some=()
	while read -r t; do
		# Unions are in the list too: "struct U" fails in both, skip them.
		"$vmdive" struct --json --vmlinux "$VMLINUX" "$VMCORE_ELF" "struct $t" \
			>"$tmp/rdwarf/vd-$t.json" 2>/dev/null || continue
		if ! "$vmdive" struct --json "$VMCORE_ELF" "struct $t" >"$tmp/rbtf/vd-$t.json"; then
			echo "  MISMATCH struct $t: in DWARF, not in BTF"
			fail=1
			continue
		fi
		some+=("$t")
	done <"$tmp/names"
	echo "  ${#some[@]} structs"
	/usr/bin/python3 "$here/symbols_check.py" layouts "$tmp/rdwarf" "$tmp/rbtf" "${some[@]}" |
		grep -v '^  ok' || fail=1
else
	echo "  (no pahole: skipped)"
fi

echo "-- whatis (DWARF) vs crash"
# crash (gdb) spells base types "unsigned long" where DWARF says "long
# unsigned int", and leaves parameter names out: compare canonical forms.
canon() { sed -E 's/long unsigned int/unsigned long/g; s/long int/long/g; s/ +/ /g'; }
# char_array_as_symbol NAME WANT GOT: crash said `char NAME[]` and vmdive `char NAME[N]`, and
# N is the size of NAME in the vmlinux's ELF symbol table.  crash's gdb, given the vmlinux's
# .gdb_index (samples/make-dumps.sh adds one), answers from the first unit the index lists for
# a name, which may hold only a declaration (`extern const char linux_banner[];`).
char_array_as_symbol() {
	local o=$1 want=$2 got=$3 n size
	[[ $want == *"char $o[];" && $got == "${want%"[];"}["*"];" ]] || return 1
	n=${got##*"$o["} n=${n%"];"}
	size=$(nm -S "$VMLINUX" | awk -v s="$o" '$4 == s { print $2; exit }')
	[[ -n $size && $n =~ ^[0-9]+$ ]] && ((16#$size == n))
}
for o in "${objects[@]}"; do
	want=$(grep -E "^[^ ].*[ *]$o(\[[0-9]*\])?(\(.*\))?;$" "$tmp/crash.out" | head -1 | canon)
	got=$("$vmdive" whatis --vmlinux "$VMLINUX" "$VMCORE_ELF" "$o" | head -1 | canon)
	if [[ -n $want && $got == "$want" ]]; then
		echo "  ok whatis $o: $got"
	elif char_array_as_symbol "$o" "$want" "$got"; then
		echo "  ok whatis $o: $got (crash: '$want', the ELF symbol's size)"
	else
		echo "  MISMATCH whatis $o: vmdive '$got' crash '$want'"
		fail=1
	fi
done

echo "== (b) 10,000 addresses: x86_64 (kaslr) against drgn and crash"
/usr/bin/python3 "$here/symbols_check.py" syms "$vmdive" "$VMCORE_ELF" "$VMLINUX" --crash || fail=1
arm=$cache/dumps/arm64-kaslr/meta.env
if [[ -e $arm ]]; then
	echo "== (b) 10,000 addresses: arm64 (kaslr) against drgn; arm64 layouts, DWARF vs BTF"
	(
		# shellcheck source=/dev/null
		. "$arm"
		/usr/bin/python3 "$here/symbols_check.py" syms "$vmdive" "$VMCORE_ELF" "$VMLINUX"
		mkdir -p "$tmp/adwarf" "$tmp/abtf"
		for t in "${types[@]}"; do
			"$vmdive" struct --json --vmlinux "$VMLINUX" "$VMCORE_ELF" "$t" \
				>"$tmp/adwarf/vd-$t.json"
			"$vmdive" struct --json "$VMCORE_ELF" "$t" >"$tmp/abtf/vd-$t.json"
		done
		/usr/bin/python3 "$here/symbols_check.py" layouts "$tmp/adwarf" "$tmp/abtf" "${types[@]}"
	) || fail=1
	# shellcheck source=/dev/null
	other=$(. "$arm" && echo "$VMLINUX")
else
	echo "  (no arm64 dumps: skipped)"
	other=
fi

echo "== (c) a vmlinux of another kernel is refused; --force-vmlinux overrides"
# A program with _stext elsewhere and no build-id (the symbol-address check),
# one with neither build-id nor kernel symbols, this very binary (a build-id
# that differs), and the arm64 vmlinux against the x86_64 dump.
printf 'char _stext[16];\nint main(void) { return _stext[0]; }\n' |
	cc -x c - -o "$tmp/stext" -Wl,--build-id=none
printf 'int main(void) { return 0; }\n' | cc -x c - -o "$tmp/plain" -Wl,--build-id=none
bad=("$tmp/stext" "$tmp/plain" "$vmdive")
[[ -n $other ]] && bad+=("$other")
for v in "${bad[@]}"; do
	if "$vmdive" sym --vmlinux "$v" "$VMCORE_ELF" schedule >"$tmp/out" 2>"$tmp/err"; then
		echo "  MISMATCH $v: accepted"
		fail=1
	elif ! grep -q -- "not the dumped kernel\|does not match" "$tmp/err" ||
	     ! grep -q -- "--force-vmlinux" "$tmp/err"; then
		echo "  MISMATCH $v: unclear refusal: $(cat "$tmp/err")"
		fail=1
	else
		echo "  ok refused ${v##*/}: $(cut -c1-150 "$tmp/err")"
	fi
	# Forced, it is used (a symbol lookup answers from it or says it has none).
	if "$vmdive" sym --force-vmlinux --vmlinux "$v" "$VMCORE_ELF" main schedule \
		>"$tmp/out" 2>"$tmp/err" || grep -q "no symbol" "$tmp/err"; then
		echo "  ok --force-vmlinux ${v##*/}: $(head -1 "$tmp/out")"
	else
		echo "  MISMATCH --force-vmlinux $v: $(cat "$tmp/err")"
		fail=1
	fi
done
if "$vmdive" sym --vmlinux "$VMLINUX" "$VMCORE_ELF" schedule >/dev/null; then
	echo "  ok the right vmlinux is accepted"
else
	echo "  MISMATCH the right vmlinux is refused"
	fail=1
fi
skipped=0
for v in kaslr-6.12 arm64-16k-6.12 kaslr-5.10 arm64-5.10 kaslr-sid arm64-sid arm64-16k-sid; do
	m=$cache/dumps/$v/meta.env
	if [[ ! -e $cache/dumps/$v/done ]]; then
		echo "SKIP $v: no sample: samples/make-dumps.sh --variant $v makes it"
		skipped=$((skipped + 1))
		continue
	fi
	# sid's kernel: sid's drgn and crash (samples/make-dumps.sh unpacks them).
	py=/usr/bin/python3 crashbin=crash
	if grep -qx 'SUITE=sid' "$m" || [[ $v == arm64-5.10 ]]; then   # vdcheck.NEWER_DRGN
		py=$cache/sid-oracles/amd64/bin/python3 crashbin=$cache/sid-oracles/amd64/bin/crash
		if [[ ! -x $py ]]; then
			echo "SKIP $v: no sid drgn in $py (samples/make-dumps.sh --variant $v fetches it)"
			skipped=$((skipped + 1))
			continue
		fi
	fi
	echo "== (d) $v: layouts (DWARF, BTF, drgn); 4,000 addresses (drgn; crash on x86_64)"
	(
		# shellcheck source=/dev/null
		. "$m"
		export CRASH=$crashbin
		d=$tmp/$v
		mkdir -p "$d/dwarf" "$d/btf"
		for t in "${types[@]}"; do
			"$vmdive" struct --json --vmlinux "$VMLINUX" "$VMCORE_ELF" "$t" >"$d/dwarf/vd-$t.json"
			"$vmdive" struct --json "$VMCORE_ELF" "$t" >"$d/btf/vd-$t.json"
			grep -q '"source":"DWARF"' "$d/dwarf/vd-$t.json" || { echo "  $t: not from DWARF"; exit 1; }
			grep -q '"source":"BTF"' "$d/btf/vd-$t.json" || { echo "  $t: not from BTF"; exit 1; }
		done
		rc=0
		/usr/bin/python3 "$here/symbols_check.py" layouts "$d/dwarf" "$d/btf" "${types[@]}" || rc=1
		# One drgn session for both (loading the vmlinux's DWARF is most of its cost).
		"$py" "$here/symbols_check.py" drgn-layouts "$VMCORE_ELF" "$VMLINUX" \
			"$d/dwarf,$d/btf" "${types[@]}" || rc=1
		# crash 8.0.2 reads 5.10 whole and starts on 6.12 only as --minimal; sid's 9.0.2
		# starts on sid's 7.2 only with --no_modules ("invalid structure member offset:
		# module_num_gpl_syms").
		crash=()
		case $v in
			kaslr-6.12) crash=(--crash --crash-opts "--minimal --kaslr 0x$KERNELOFFSET") ;;
			kaslr-sid) crash=(--crash "--crash-opts=--no_modules") ;;   # one word: argparse takes "--no_modules" alone for an option
			kaslr-*) crash=(--crash) ;;
		esac
		"$py" "$here/symbols_check.py" syms "$vmdive" "$VMCORE_ELF" "$VMLINUX" \
			--n 4000 "${crash[@]}" || rc=1
		exit $rc
	) || fail=1
done
((fail == 0 && skipped)) && exit 77
exit $fail
