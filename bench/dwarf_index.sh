#!/bin/bash
# vmdive with a vmlinux, its persistent DWARF name index warm and cold, against vmdive without
# the vmlinux and drgn 0.0.22 with the same vmlinux, on one dump, in one run (report only:
# never fails on numbers).
#
#   bench/dwarf_index.sh VMDIVE_BIN [--variant kaslr-6.12] [--runs N]
#
# Rows: ps, vmalloc, mod, p jiffies, struct task_struct, whatis init_task, whatis of an
# enumerator (PIDTYPE_PID), sym schedule, bt -A, and an unknown type name (struct list, which no
# unit defines) asked by struct, p (a cast) and whatis: after the vmlinux's types miss it, every
# loaded module's BTF is searched.  Columns, each the median of N runs (3 for drgn):
#   warm     vmdive --vmlinux, the index mapped from the cache directory
#   cold     vmdive --vmlinux, a new empty cache directory per run: the index is built (both
#            CPUs), written and used; the first answer included
#   no-vml   vmdive without --vmlinux (the dump's BTF and kallsyms), its caches warm too
#   drgn     drgn 0.0.22 with the same vmlinux (bench/drgn_walkers.py, bench/drgn_dwarf.py,
#            tests/real/bt_oracle.py): its time includes indexing the vmlinux's DWARF, which
#            it does at every start
# Each cell is wall seconds and, in brackets, CPU seconds (user+sys of the process and its
# threads): on a loaded machine the CPU time is the steadier of the two.  Last columns: peak
# RSS (MB) of one warm run and of one run without --vmlinux (GNU time).  Then: the index
# file's size, the cold build's peak RSS, and drgn's start-up alone (open + index).
set -euo pipefail
(($# >= 1)) || { echo "usage: $0 VMDIVE_BIN [--variant V] [--runs N]" >&2; exit 2; }
vmdive=$(readlink -f "$1"); shift
variant=kaslr-6.12 runs=5
while (($#)); do
	case $1 in
	--variant) variant=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	*) echo "bad argument $1" >&2; exit 2 ;;
	esac
done
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
D=${VMDIVE_DUMPS:-${VMDIVE_CACHE:-/var/cache/vmdive}/dumps}/$variant
[[ -e $D/meta.env ]] || { echo "$0: no $D/meta.env: run samples/make-dumps.sh" >&2; exit 1; }
# shellcheck source=/dev/null
. "$D/meta.env"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
py=/usr/bin/python3

# median wall and CPU seconds of N runs of a command: "WALL CPU"
measure() {
	local n=$1; shift
	"$py" - "$n" "$@" <<'PY'
import os, resource, subprocess, sys, time
n, cmd = int(sys.argv[1]), sys.argv[2:]
walls, cpus = [], []
for i in range(n):
    pre = os.environ.get("BENCH_PRE")
    if pre:
        subprocess.run(pre, shell=True, check=True)
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    walls.append(time.monotonic() - t0)
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpus.append(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
walls.sort(); cpus.sort()
print("%.4f %.4f" % (walls[n // 2], cpus[n // 2]))
PY
}
cell() { printf '%.3f (%.3f)' "$1" "$2"; }
# peak RSS in MB of one run (GNU time; the command's output discarded)
rss() {
	/usr/bin/time -o "$tmp/rss1" -f '%M' "$@" >/dev/null 2>&1 || true
	tail -1 "$tmp/rss1" | awk '{ printf "%.1f", $1 / 1024 }'
}

rows=("ps|ps" "vmalloc|vmalloc" "mod|mod" "p jiffies|p jiffies"
      "struct task_struct|struct task_struct" "whatis init_task|whatis init_task"
      "whatis PIDTYPE_PID (enumerator)|whatis PIDTYPE_PID" "sym schedule|sym schedule"
      "bt -A|bt -A" "struct list (unknown type name)|struct list"
      "p (struct list *)0 (unknown type name)|p;(struct list *)0"
      "whatis struct list (unknown type name)|whatis;struct list")
drgn_cmd() {   # the drgn command of a row
	case $1 in
	*unknown*) echo "$py $here/drgn_dwarf.py --vmcore $VMCORE_ELF --vmlinux $VMLINUX --mode unknown" ;;
	ps|vmalloc|mod) echo "$py $here/drgn_walkers.py --vmcore $VMCORE_ELF --vmlinux $VMLINUX --mode $1" ;;
	struct\ task_struct) echo "$py $here/drgn_dwarf.py --vmcore $VMCORE_ELF --vmlinux $VMLINUX --mode struct" ;;
	*enumerator*) echo "$py $here/drgn_dwarf.py --vmcore $VMCORE_ELF --vmlinux $VMLINUX --mode enum" ;;
	whatis*) echo "$py $here/drgn_dwarf.py --vmcore $VMCORE_ELF --vmlinux $VMLINUX --mode whatis" ;;
	p\ *) echo "$py $here/drgn_dwarf.py --vmcore $VMCORE_ELF --vmlinux $VMLINUX --mode print" ;;
	sym*) echo "$py $here/drgn_dwarf.py --vmcore $VMCORE_ELF --vmlinux $VMLINUX --mode sym" ;;
	bt*) echo "$py $repo/tests/real/bt_oracle.py --vmcore $VMCORE_ELF --vmlinux $VMLINUX --json $tmp/bt.json" ;;
	esac
}

warmdir=$tmp/warm
"$vmdive" struct --cache-dir "$warmdir" --vmlinux "$VMLINUX" "$VMCORE_ELF" task_struct >/dev/null
idx=$(ls "$warmdir"/dwarf-*.vdc)
echo "$("$vmdive" --version 2>/dev/null | head -1), $variant ($KVER, $ARCH), $(nproc) CPUs," \
     "load average $(cut -d' ' -f1-3 /proc/loadavg); $runs runs (drgn 3), medians"
printf '| command | vmdive --vmlinux warm | cold (index built) | without --vmlinux | drgn 0.0.22 (vmlinux) | warm / without | drgn / warm | RSS MB warm / without |\n'
printf '|---|---:|---:|---:|---:|---:|---:|---:|\n'
for r in "${rows[@]}"; do
	label=${r%%|*} spec=${r#*|}
	# words, or ';'-separated when an argument has spaces
	if [[ $spec == *';'* ]]; then IFS=';' read -r -a args <<<"$spec"; else read -r -a args <<<"$spec"; fi
	read -r ww wc < <(measure "$runs" "$vmdive" "${args[0]}" --cache-dir "$warmdir" \
		--vmlinux "$VMLINUX" "$VMCORE_ELF" "${args[@]:1}")
	read -r cw cc < <(BENCH_PRE="rm -rf $tmp/cold" measure "$runs" "$vmdive" "${args[0]}" \
		--cache-dir "$tmp/cold" --vmlinux "$VMLINUX" "$VMCORE_ELF" "${args[@]:1}")
	"$vmdive" "${args[0]}" --cache-dir "$warmdir" "$VMCORE_ELF" "${args[@]:1}" >/dev/null 2>&1 || :
	read -r nw nc < <(measure "$runs" "$vmdive" "${args[0]}" --cache-dir "$warmdir" "$VMCORE_ELF" \
		"${args[@]:1}")
	read -r -a dc <<<"$(drgn_cmd "$label")"
	read -r dw dcpu < <(measure 3 "${dc[@]}")
	rw=$(rss "$vmdive" "${args[0]}" --cache-dir "$warmdir" --vmlinux "$VMLINUX" "$VMCORE_ELF" \
		"${args[@]:1}")
	rn=$(rss "$vmdive" "${args[0]}" --cache-dir "$warmdir" "$VMCORE_ELF" "${args[@]:1}")
	printf '| `%s` | %s | %s | %s | %s | %.2fx (CPU %.2fx) | %.1fx (CPU %.1fx) | %s / %s |\n' "$label" \
		"$(cell "$ww" "$wc")" "$(cell "$cw" "$cc")" "$(cell "$nw" "$nc")" "$(cell "$dw" "$dcpu")" \
		"$("$py" -c "print($ww/$nw)")" "$("$py" -c "print($wc/max($nc,0.001))")" \
		"$("$py" -c "print($dw/$ww)")" "$("$py" -c "print($dcpu/max($wc,0.001))")" "$rw" "$rn"
done
read -r ow oc < <(measure 3 "$py" "$here/drgn_walkers.py" --vmcore "$VMCORE_ELF" --vmlinux "$VMLINUX" --mode open)
rm -rf "$tmp/cold"
/usr/bin/time -o "$tmp/rss" -f '%M' "$vmdive" struct --cache-dir "$tmp/cold" --vmlinux "$VMLINUX" \
	"$VMCORE_ELF" vd_no_such_type >/dev/null 2>&1 || true
rss=$(tail -1 "$tmp/rss")
printf '\nindex file: %s bytes (%s)\n' "$(stat -c %s "$idx")" "$(basename "$idx")"
printf 'cold build (an unknown name: the index alone): peak RSS %s KiB\n' "$rss"
printf 'drgn start-up alone (open + its DWARF index): %s\n' "$(cell "$ow" "$oc")"
