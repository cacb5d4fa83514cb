#!/usr/bin/env bash
# The persistent DWARF name index (dwarf/dwarf_names.c) on the real sample dumps with their
# Debian vmlinux (6.12 x86_64 and arm64, 6.1 x86_64; 5.10 and 7.2 x86_64 and arm64: cold and
# warm index against none, and drgn):
#  - with --no-cache (the lazy index alone), a cold cache (the index built and written), a warm
#    one (mapped), another kernel's index under this build-id's name (stale: rebuilt), the file
#    cut short and with bytes changed (rebuilt) and a directory that cannot be written (used,
#    not kept), `struct`, `whatis`, an unknown type name, `ps`, `mod` and `sym` print the same
#    and exit the same;
#  - the warm runs do not rewrite the file (same inode and mtime), the stale and damaged ones do;
#  - the same for the vmlinux's symbol table kept beside it (kernel/symtab_cache.c);
#  - structs and variables read through the warm index equal drgn's reading of the same vmlinux
#    (tests/real/dwarf_index_check.py; sid's drgn for sid's kernel).
set -euo pipefail
vmdive=$1
here=$(cd "$(dirname "$0")" && pwd)
cache=${VMDIVE_CACHE:-/var/cache/vmdive}
types=(task_struct module mm_struct page vmap_area vm_struct list_head printk_ringbuffer
	prb_desc_ring pid upid kobject mod_kallsyms uts_namespace new_utsname rq)
# Enumerators of named and anonymous enums (whatis; drgn's prog[E]).
enums=(PIDTYPE_PID PIDTYPE_MAX TASK_COMM_LEN MODULE_STATE_LIVE MODULE_STATE_UNFORMED NR_FILE_PAGES
       ZONE_NORMAL MIGRATE_MOVABLE LRU_INACTIVE_ANON CPUHP_ONLINE NR_MM_COUNTERS MM_SWAPENTS)
vars=(jiffies_64 init_task modules nr_cpu_ids init_mm panic_cpu __per_cpu_offset)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 ran=0 prev=
check() {   # check NAME FILE-A FILE-B
	if cmp -s "$2" "$3"; then
		echo "ok   $1"
	else
		echo "FAIL $1"; diff "$2" "$3" | head -5; fail=1
	fi
}
run_all() {   # run_all OUT OPTIONS...: every command's stdout, stderr and exit status
	local out=$1; shift
	local c
	: >"$out"
	for c in "struct|task_struct" "struct|--json|module" "whatis|init_task" \
		 "whatis|linux_banner" "struct|vd_no_such_type" "ps" "mod" "sym|schedule"; do
		local w=(${c//|/ })
		"$vmdive" "${w[0]}" "$@" "${w[@]:1}" >>"$out" 2>&1 || echo "exit $? from $c" >>"$out"
	done
}
# vs_drgn DIR --vmlinux VMLINUX DUMP: structs, variables and enumerators through the warm index
# (one vmdive session with the vmlinux, one without: the enumerators from the dump's BTF)
# against drgn's reading of the vmlinux (dwarf_index_check.py).
vs_drgn() {
	local d=$1; shift
	local c names=() cmds=() bcmds=()
	for c in "${types[@]}"; do names+=("vd-$c"); cmds+=("struct --json $c"); done
	for c in "${vars[@]}"; do names+=("var-$c"); cmds+=("whatis --json $c"); done
	for c in "${enums[@]}"; do names+=("en-$c"); cmds+=("whatis --json $c"); bcmds+=("whatis --json $c"); done
	"$vmdive" shell --cache-dir "$d/c" "$@" -c "$(IFS=';'; echo "${cmds[*]}")" >"$d/docs"
	"$vmdive" shell --cache-dir "$d/c" "${@: -1}" -c "$(IFS=';'; echo "${bcmds[*]}")" >"$d/bdocs"
	local i=0 line
	while IFS= read -r line; do
		echo "$line" >"$d/${names[i]}.json"; i=$((i + 1))
	done <"$d/docs"
	for c in "${enums[@]}"; do names+=("enbtf-$c"); done
	while IFS= read -r line; do
		echo "$line" >"$d/${names[i]}.json"; i=$((i + 1))
	done <"$d/bdocs"
	((i == ${#names[@]})) || { echo "FAIL: $i answers to ${#names[@]} questions"; return 1; }
	/usr/bin/python3 "$here/dwarf_index_check.py" "${@: -1}" "$VMLINUX" "$d" \
		--types "${types[@]}" --vars "${vars[@]}" --enums "${enums[@]}"
}
stamp() { stat -c '%i %Y %s' "$1" 2>/dev/null || echo none; }
for v in kaslr-6.12 arm64-16k-6.12 kaslr; do
	m=$cache/dumps/$v/meta.env
	[[ -e $cache/dumps/$v/done ]] || { echo "SKIP $v: no sample"; continue; }
	(
		# shellcheck source=/dev/null
		. "$m"
		d=$tmp/$v
		mkdir -p "$d/c"
		opts=(--vmlinux "$VMLINUX" "$VMCORE_ELF")
		id=$(eu-readelf -n "$VMLINUX" | awk '/Build ID:/ {print $3; exit}')
		f=$d/c/dwarf-$id.vdc
		run_all "$d/none" --no-cache "${opts[@]}"
		grep -q "exit 1 from struct|vd_no_such_type" "$d/none" ||
			{ echo "FAIL $v: an unknown type name was not an error"; exit 1; }
		run_all "$d/cold" --cache-dir "$d/c" "${opts[@]}"
		check "$v: cold index (built) answers as without it" "$d/none" "$d/cold"
		[[ -s $f ]] || { echo "FAIL $v: no index file $f"; exit 1; }
		echo "ok   $v: index kept, $(stat -c %s "$f") bytes"
		before=$(stamp "$f") sbefore=$(stamp "$d"/c/symtab-"$id"-*.vdc)
		sleep 1.1
		run_all "$d/warm" --cache-dir "$d/c" "${opts[@]}"
		check "$v: warm index (mapped) answers as without it" "$d/none" "$d/warm"
		[[ $(stamp "$f") == "$before" ]] && echo "ok   $v: warm runs reuse the index file" ||
			{ echo "FAIL $v: the warm runs rewrote the index file"; exit 1; }
		[[ $sbefore != none && $(stamp "$d"/c/symtab-"$id"-*.vdc) == "$sbefore" ]] &&
			echo "ok   $v: warm runs reuse the symbol table file" ||
			{ echo "FAIL $v: the symbol table was not kept or was rewritten"; exit 1; }
		# Stale: the index of another kernel (the previous variant's) under this name.
		if [[ -n ${PREV_INDEX:-} && -s $PREV_INDEX ]]; then
			cp "$PREV_INDEX" "$f"
			before=$(stamp "$f")
			run_all "$d/stale" --cache-dir "$d/c" "${opts[@]}"
			check "$v: another kernel's index (stale) answers as without it" "$d/none" "$d/stale"
			[[ $(stamp "$f") != "$before" ]] && echo "ok   $v: stale index rebuilt" ||
				{ echo "FAIL $v: stale index not rebuilt"; exit 1; }
		fi
		size=$(stat -c %s "$f")
		truncate -s $((size / 2)) "$f"
		run_all "$d/cut" --cache-dir "$d/c" "${opts[@]}"
		check "$v: truncated index answers as without it" "$d/none" "$d/cut"
		[[ $(stat -c %s "$f") == "$size" ]] && echo "ok   $v: truncated index rebuilt" ||
			{ echo "FAIL $v: truncated index not rebuilt"; exit 1; }
		for at in 0 200 $((size / 3)) $((size - 8)); do
			printf '\xa5\x5a' | dd of="$f" bs=1 seek="$at" conv=notrunc status=none
		done
		before=$(stamp "$f")
		run_all "$d/bad" --cache-dir "$d/c" "${opts[@]}"
		check "$v: damaged index answers as without it" "$d/none" "$d/bad"
		[[ $(stamp "$f") != "$before" ]] && echo "ok   $v: damaged index rebuilt" ||
			{ echo "FAIL $v: damaged index not rebuilt"; exit 1; }
		# The vmlinux's symbol table kept beside the index: damaged, then cut short.
		sf=$(ls "$d"/c/symtab-"$id"-*.vdc)
		ssize=$(stat -c %s "$sf")
		printf '\xa5\x5a' | dd of="$sf" bs=1 seek=$((ssize / 2)) conv=notrunc status=none
		run_all "$d/sbad" --cache-dir "$d/c" "${opts[@]}"
		check "$v: damaged symbol table answers as without it" "$d/none" "$d/sbad"
		truncate -s $((ssize / 3)) "$sf"
		run_all "$d/scut" --cache-dir "$d/c" "${opts[@]}"
		check "$v: truncated symbol table answers as without it" "$d/none" "$d/scut"
		[[ $(stat -c %s "$sf") == "$ssize" ]] && echo "ok   $v: symbol table rebuilt" ||
			{ echo "FAIL $v: truncated symbol table not rebuilt"; exit 1; }
		: >"$d/file"
		run_all "$d/ro" --cache-dir "$d/file/sub" "${opts[@]}"
		check "$v: unwritable cache directory answers as without it" "$d/none" "$d/ro"
		vs_drgn "$d" "${opts[@]}"
		cp "$f" "$tmp/last.vdc"
	) || fail=1
	export PREV_INDEX=$tmp/last.vdc
	ran=$((ran + 1))
done
# 5.10 (DWARF 4) and 7.2, x86_64 and arm64: the index against the lazy reading (cold, warm)
# and against drgn; the damaged-file cases above do not depend on the kernel.
for v in kaslr-5.10 kaslr-sid arm64-5.10 arm64-sid; do
	m=$cache/dumps/$v/meta.env
	[[ -e $cache/dumps/$v/done ]] || { echo "SKIP $v: no sample"; continue; }
	(
		# shellcheck source=/dev/null
		. "$m"
		d=$tmp/$v
		mkdir -p "$d/c"
		opts=(--vmlinux "$VMLINUX" "$VMCORE_ELF")
		run_all "$d/none" --no-cache "${opts[@]}"
		run_all "$d/cold" --cache-dir "$d/c" "${opts[@]}"
		check "$v: cold index (built) answers as without it" "$d/none" "$d/cold"
		run_all "$d/warm" --cache-dir "$d/c" "${opts[@]}"
		check "$v: warm index (mapped) answers as without it" "$d/none" "$d/warm"
		# 5.10's TASK_COMM_LEN is a macro, not in DWARF (an enum since commit 3087c61ed2c4,
		# 5.17).
		[[ $v == *5.10 ]] && enums=("${enums[@]/TASK_COMM_LEN/}") && enums=(${enums[@]})
		vs_drgn "$d" "${opts[@]}"
	) || fail=1
	ran=$((ran + 1))
done
((ran)) || { echo "no sample dumps in $cache/dumps: run samples/make-dumps.sh" >&2; exit 1; }
exit $fail
