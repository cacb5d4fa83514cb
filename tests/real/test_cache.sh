#!/usr/bin/env bash
# The per-build-id cache (common/cache.c) on the real sample dumps: with no
# cache, a cold cache (written), a warm one (read), one damaged or cut short
# (rebuilt: the file is rewritten whole) and one that cannot be written
# (a directory under a regular file), `ps`, `mod`, `vmalloc`, `struct -o
# task_struct` and `sym` print the same, exit 0, and say nothing on stderr;
# and the image scan's kept findings (arm64 6.1, below).
# The answers themselves are checked against crash and drgn by
# test_walkers.sh, test_symbols.sh and test_kallsyms.sh.
set -euo pipefail
vmdive=$1
cache=${VMDIVE_CACHE:-/var/cache/vmdive}
shopt -s nullglob
metas=()
for m in "$cache"/dumps/{kaslr,kaslr-6.12,arm64-16k-6.12,kaslr-5.10,kaslr-sid,arm64-sid}/meta.env; do
	[[ -e $m ]] && metas+=("$m")
done
((${#metas[@]})) || { echo "no sample dumps in $cache/dumps: run samples/make-dumps.sh" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
fail=0
check() {   # check NAME FILE-A FILE-B
	if cmp -s "$2" "$3"; then
		echo "ok   $1"
	else
		echo "FAIL $1"; diff "$2" "$3" | head -5; fail=1
	fi
}
run_all() {   # run_all OUT OPTIONS... DUMP: every command's stdout and stderr
	local out=$1; shift
	local c
	: >"$out"
	for c in "ps" "mod" "vmalloc" "struct|task_struct" "struct|--json|module" "sym|linux_banner|init_task"; do
		local w=(${c//|/ })
		"$vmdive" "${w[0]}" "$@" "${w[@]:1}" >>"$out" 2>&1 || echo "exit $? from $c" >>"$out"
	done
}
for meta in "${metas[@]}"; do
	# shellcheck source=/dev/null
	. "$meta"
	d=$tmp/$VARIANT
	mkdir -p "$d"
	id=$("$vmdive" vmcoreinfo "$VMCORE_ELF" BUILD-ID 2>/dev/null || true)
	run_all "$d/none" --no-cache "$VMCORE_ELF"
	run_all "$d/cold" --cache-dir "$d/c" "$VMCORE_ELF"
	check "$VARIANT: cold cache" "$d/none" "$d/cold"
	f=$d/c/btf-$id.vdc
	if [[ -n $id && -s $f ]]; then
		echo "ok   $VARIANT: BTF index cached ($(stat -c %s "$f") bytes)"
	else
		echo "FAIL $VARIANT: no BTF index cache file $f"; fail=1
	fi
	stat -c '%n %Y %s' "$d"/c/*.vdc >"$d/before"
	sleep 1.1
	run_all "$d/warm" --cache-dir "$d/c" "$VMCORE_ELF"
	check "$VARIANT: warm cache" "$d/none" "$d/warm"
	# Reused, not rebuilt: no file rewritten by the warm runs.
	stat -c '%n %Y %s' "$d"/c/*.vdc >"$d/after"
	check "$VARIANT: warm runs reuse the cache files ($(cd "$d/c" && echo *.vdc | sed 's/-[0-9a-f]*\.vdc//g'))" \
		"$d/before" "$d/after"
	VMDIVE_CACHE_DIR=$d/c run_all "$d/env" "$VMCORE_ELF"
	check "$VARIANT: cache from VMDIVE_CACHE_DIR" "$d/none" "$d/env"
	if [[ -s $f ]]; then
		size=$(stat -c %s "$f")
		truncate -s $((size / 2)) "$f"
		run_all "$d/cut" --cache-dir "$d/c" "$VMCORE_ELF"
		check "$VARIANT: truncated cache" "$d/none" "$d/cut"
		[[ $(stat -c %s "$f") == "$size" ]] && echo "ok   $VARIANT: truncated cache rewritten" ||
			{ echo "FAIL $VARIANT: truncated cache not rewritten"; fail=1; }
		printf '\xff\xff\xff\xff' | dd of="$f" bs=1 seek=$((size / 3)) conv=notrunc status=none
		run_all "$d/bad" --cache-dir "$d/c" "$VMCORE_ELF"
		check "$VARIANT: damaged cache" "$d/none" "$d/bad"
		cp "$f" "$d/c/btf-0000.vdc"    # another kernel's name: ignored
	fi
	: >"$d/file"
	run_all "$d/ro" --cache-dir "$d/file/sub" "$VMCORE_ELF"
	check "$VARIANT: unwritable cache directory" "$d/none" "$d/ro"
	# A compressed kdump file cannot hand out the BTF blob in place: it is
	# kept (btfblob-BUILDID.vdc), reused, rebuilt when damaged or cut short.
	k=${VMCORE_KDUMP_ZLIB:-}
	if [[ -n $k && -e $k ]]; then
		run_all "$d/knone" --no-cache "$k"
		run_all "$d/kcold" --cache-dir "$d/kc" "$k"
		check "$VARIANT: kdump, cold cache" "$d/knone" "$d/kcold"
		b=$(echo "$d"/kc/btfblob-*.vdc)
		if [[ -n $b && -s $b ]]; then
			echo "ok   $VARIANT: kdump's BTF blob kept"
			before=$(stat -c '%Y %i' "$b")
			sleep 1.1
			run_all "$d/kwarm" --cache-dir "$d/kc" "$k"
			check "$VARIANT: kdump, warm cache" "$d/knone" "$d/kwarm"
			[[ $(stat -c '%Y %i' "$b") == "$before" ]] && echo "ok   $VARIANT: kept BTF blob reused" ||
				{ echo "FAIL $VARIANT: kept BTF blob rewritten by a warm run"; fail=1; }
			bsize=$(stat -c %s "$b")
			# Its blocks are checked when first read: a damaged one
			# nothing reads changes nothing; one a command reads (the
			# name "task_struct", which ps looks up) moves the command to
			# the dump's own blob, and the copy is written again.
			printf '\xa5\x5a' | dd of="$b" bs=1 seek=$((bsize / 2)) conv=notrunc status=none
			run_all "$d/kbad" --cache-dir "$d/kc" "$k"
			check "$VARIANT: kdump, damaged BTF blob (a block not read)" "$d/knone" "$d/kbad"
			before=$(stat -c '%Y %i' "$b")
			at=$(python3 -c 'import sys; print(open(sys.argv[1], "rb").read().find(b"\0task_struct\0"))' "$b")
			if ((at > 0)); then
				printf '\xa5' | dd of="$b" bs=1 seek=$((at + 3)) conv=notrunc status=none
				run_all "$d/kbad2" --cache-dir "$d/kc" "$k"
				check "$VARIANT: kdump, damaged BTF blob (a name ps reads)" "$d/knone" "$d/kbad2"
				[[ $(stat -c '%i' "$b") != "${before#* }" ]] && echo "ok   $VARIANT: damaged BTF blob rewritten" ||
					{ echo "FAIL $VARIANT: damaged BTF blob not rewritten"; fail=1; }
				run_all "$d/kbad3" --cache-dir "$d/kc" "$k"
				check "$VARIANT: kdump, rewritten BTF blob" "$d/knone" "$d/kbad3"
			else
				echo "FAIL $VARIANT: no \"task_struct\" in the kept BTF blob"; fail=1
			fi
			truncate -s $((bsize / 3)) "$b"
			run_all "$d/kcut" --cache-dir "$d/kc" "$k"
			check "$VARIANT: kdump, truncated BTF blob" "$d/knone" "$d/kcut"
			[[ $(stat -c %s "$b") == "$bsize" ]] && echo "ok   $VARIANT: truncated BTF blob rewritten" ||
				{ echo "FAIL $VARIANT: truncated BTF blob not rewritten"; fail=1; }
		else
			echo "FAIL $VARIANT: no kept BTF blob for the kdump file"; fail=1
		fi
		# The kallsyms tables VMCOREINFO lists, kept likewise
		# (ksymtab-BUILDID-PLACE-SIZE.vdc): damaged ones are read from
		# the dump again and rewritten.
		ks=("$d"/kc/ksymtab-*.vdc)
		if ((${#ks[@]})); then
			echo "ok   $VARIANT: kdump's kallsyms tables kept (${#ks[@]} files)"
			for x in "${ks[@]}"; do
				printf '\xa5\x5a' | dd of="$x" bs=1 seek=$(($(stat -c %s "$x") / 2)) conv=notrunc status=none
			done
			before=$(stat -c '%i' "${ks[@]}")
			run_all "$d/ksbad" --cache-dir "$d/kc" "$k"
			check "$VARIANT: kdump, damaged kallsyms tables" "$d/knone" "$d/ksbad"
			[[ $(stat -c '%i' "${ks[0]}") != "${before%%$'\n'*}" ]] && echo "ok   $VARIANT: damaged kallsyms tables rewritten" ||
				{ echo "FAIL $VARIANT: damaged kallsyms tables not rewritten"; fail=1; }
		elif "$vmdive" vmcoreinfo "$k" "SYMBOL(kallsyms_names)" >/dev/null 2>&1; then
			echo "FAIL $VARIANT: VMCOREINFO lists kallsyms_names but no table was kept"; fail=1
		fi
	fi
done
# The BTF index file is read lazily (btfidx/btf_view.c): opening checks its head,
# every other 4 KiB block is checked when a lookup first reads it.  Damage each
# block in turn: ps and struct -o print what they print without a cache, the file
# is repaired (rewritten as a cold run writes it) when a block they read was the
# damaged one, and left as it is when they did not read it.
k=$cache/dumps/kaslr/meta.env
if [[ -e $k ]]; then
	# shellcheck source=/dev/null
	. "$k"
	z=$tmp/lazy
	mkdir -p "$z"
	lazy_run() {   # lazy_run OUT OPTIONS...
		{ "$vmdive" ps "${@:2}" "$VMCORE_ELF"; "$vmdive" struct -o "${@:2}" "$VMCORE_ELF" task_struct
		} >"$1" 2>&1 || echo "exit $?" >>"$1"
	}
	lazy_run "$z/none" --no-cache
	lazy_run "$z/cold" --cache-dir "$z/c"
	f=$(echo "$z"/c/btf-*.vdc)
	cp "$f" "$z/good"
	size=$(stat -c %s "$f")
	bad=0 repaired=0 kept=0
	for ((o = 2048; o < size; o += 4096)); do
		cp "$z/good" "$f"
		printf '\xa5\x5a\xa5\x5a' | dd of="$f" bs=1 seek=$o conv=notrunc status=none
		lazy_run "$z/out" --cache-dir "$z/c"
		cmp -s "$z/none" "$z/out" || { bad=$((bad + 1)); echo "FAIL kaslr: BTF index damaged at $o"; diff "$z/none" "$z/out" | head -3 || true; }
		if cmp -s "$z/good" "$f"; then repaired=$((repaired + 1)); else kept=$((kept + 1)); fi
	done
	if ((bad == 0 && repaired > 0 && kept > 0)); then
		echo "ok   kaslr: BTF index damaged block by block: the same output; $repaired repaired (read), $kept left (not read)"
	else
		echo "FAIL kaslr: BTF index damaged block by block: $bad outputs differ, $repaired repaired, $kept left"; fail=1
	fi
fi
# The image scan's findings (arm64 6.1, no CONFIG_KALLSYMS_ALL: the BTF blob, init_task,
# modules found from the code of text symbols, else by reading the whole image) are what
# System.map says (offsets from _stext), kept per build-id: the
# cache one boot wrote serves other boots of the same kernel (other KASLR offsets, other
# modules) and they say what they say without it; a kept address whose check fails
# (init_task's comm changed in a copy of one dump) is not used: the copy says what it says
# without a cache (no init_task: no tasks).
scan_run() {   # scan_run OUT OPTIONS... DUMP
	local out=$1; shift
	run_all "$out" "$@"
	"$vmdive" bt -A "$@" >>"$out" 2>&1 || echo "exit $? from bt -A" >>"$out"
}
a=$cache/dumps/arm64-kaslr/meta.env
if [[ -e $a ]]; then
	# shellcheck source=/dev/null
	. "$a"
	s=$tmp/scan
	mkdir -p "$s"
	scan_run "$s/cold" --cache-dir "$s/c" "$VMCORE_ELF"
	id=$("$vmdive" vmcoreinfo "$VMCORE_ELF" BUILD-ID)
	[[ -s $s/c/imagescan-$id.vdc ]] && echo "ok   $VARIANT: image scan kept" ||
		{ echo "FAIL $VARIANT: no imagescan-$id.vdc"; fail=1; }
	# The kept section (struct scan_cache: __start_BTF, its size, init_task, modules,
	# btf_modules, u64 offsets from _stext; btf_modules 0 when no command asked) is
	# System.map's.
	if /usr/bin/python3 - "$s/c/imagescan-$id.vdc" "$SYSTEM_MAP" <<'PY'; then
import struct, sys
m = {}
for line in open(sys.argv[2]):
    a, _, n = line.split()[:3]
    m.setdefault(n, int(a, 16))
rel = lambda n: m[n] - m["_stext"]
want = [rel("__start_BTF"), m["__stop_BTF"] - m["__start_BTF"], rel("init_task"), rel("modules")]
data = open(sys.argv[1], "rb").read()
ok = any(data[i:i + 40] in (struct.pack("<5Q", *want, 0), struct.pack("<5Q", *want, rel("btf_modules")))
         for i in range(0, len(data) - 39, 8))
sys.exit(0 if ok else 1)
PY
		echo "ok   $VARIANT: the kept BTF blob, init_task and modules are System.map's"
	else
		echo "FAIL $VARIANT: the kept image findings are not System.map's"; fail=1
	fi
	scan_run "$s/none" --no-cache "$VMCORE_ELF"
	check "$VARIANT: image scan, cold cache" "$s/none" "$s/cold"
	stat -c '%n %Y %s' "$s"/c/imagescan-*.vdc >"$s/before"
	sleep 1.1
	scan_run "$s/warm" --cache-dir "$s/c" "$VMCORE_ELF"
	check "$VARIANT: image scan, warm cache" "$s/none" "$s/warm"
	stat -c '%n %Y %s' "$s"/c/imagescan-*.vdc >"$s/after"
	check "$VARIANT: warm runs reuse the kept image findings" "$s/before" "$s/after"
	for v in arm64-nokaslr arm64-crash-null; do
		m=$cache/dumps/$v/meta.env
		[[ -e $m ]] || continue
		# shellcheck source=/dev/null
		. "$m"
		[[ $("$vmdive" vmcoreinfo "$VMCORE_ELF" BUILD-ID) == "$id" ]] || continue
		cp -r "$s/c" "$s/c-$v"
		scan_run "$s/$v-none" --no-cache "$VMCORE_ELF"
		scan_run "$s/$v-kept" --cache-dir "$s/c-$v" "$VMCORE_ELF"
		check "$v: image scan kept by arm64-kaslr's boot" "$s/$v-none" "$s/$v-kept"
	done
	if [[ -n ${v:-} && -e $s/c-arm64-crash-null ]]; then
		task=$("$vmdive" ps --json --no-cache "$VMCORE_ELF" | /usr/bin/python3 -c \
			'import json,sys; print(json.load(sys.stdin)["tasks"][0]["address"])')
		off=$("$vmdive" struct -o --json --no-cache "$VMCORE_ELF" task_struct | /usr/bin/python3 -c \
			'import json,sys; j=json.load(sys.stdin); j=j[0] if isinstance(j,list) else j
print([m["offset"] for m in j["members"] if m.get("name")=="comm"][0])')
		va=$(printf '0x%x' $((task + off)))
		pa=$("$vmdive" vtop --json --no-cache "$VMCORE_ELF" "$va" | /usr/bin/python3 -c \
			'import json,sys; print(json.load(sys.stdin)[0]["pa"])')
		cp --sparse=always "$VMCORE_ELF" "$s/copy.elf"
		fo=$(cd "$(dirname "$0")" && /usr/bin/python3 -c \
			"import walkers_check as w; print(w.elf_offset('$s/copy.elf', $pa))")
		printf 'swapper/9' | dd of="$s/copy.elf" bs=1 seek="$fo" conv=notrunc status=none
		scan_run "$s/copy-none" --no-cache "$s/copy.elf"
		scan_run "$s/copy-kept" --cache-dir "$s/c-arm64-crash-null" "$s/copy.elf"
		check "arm64-crash-null copy: a kept init_task that fails its check is not used" \
			"$s/copy-none" "$s/copy-kept"
		cmp -s "$s/copy-none" "$s/arm64-crash-null-none" &&
			{ echo "FAIL arm64-crash-null copy: the patch changed nothing"; fail=1; } ||
			echo "ok   arm64-crash-null copy: no init_task without swapper/0"
		rm -f "$s/copy.elf"
	fi
fi
exit $fail
