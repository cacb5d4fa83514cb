#!/usr/bin/env bash
# The per-build-id cache (common/cache.c) on the real sample dumps: with no
# cache, a cold cache (written), a warm one (read), one damaged or cut short
# (rebuilt: the file is rewritten whole) and one that cannot be written
# (a directory under a regular file), `ps`, `mod`, `vmalloc`, `struct -o
# task_struct` and `sym` print the same, exit 0, and say nothing on stderr.
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
			printf '\xa5\x5a' | dd of="$b" bs=1 seek=$((bsize / 2)) conv=notrunc status=none
			run_all "$d/kbad" --cache-dir "$d/kc" "$k"
			check "$VARIANT: kdump, damaged BTF blob" "$d/knone" "$d/kbad"
			[[ $(stat -c '%i' "$b") != "${before#* }" ]] && echo "ok   $VARIANT: damaged BTF blob rewritten" ||
				{ echo "FAIL $VARIANT: damaged BTF blob not rewritten"; fail=1; }
			truncate -s $((bsize / 3)) "$b"
			run_all "$d/kcut" --cache-dir "$d/kc" "$k"
			check "$VARIANT: kdump, truncated BTF blob" "$d/knone" "$d/kcut"
			[[ $(stat -c %s "$b") == "$bsize" ]] && echo "ok   $VARIANT: truncated BTF blob rewritten" ||
				{ echo "FAIL $VARIANT: truncated BTF blob not rewritten"; fail=1; }
		else
			echo "FAIL $VARIANT: no kept BTF blob for the kdump file"; fail=1
		fi
	fi
done
exit $fail
