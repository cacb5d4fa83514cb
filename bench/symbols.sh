#!/bin/bash
# Symbols and types: time to the first answer, cold and warm page cache, and
# peak memory, for vmdive (with a vmlinux: ELF symbols + lazy DWARF; without:
# the dump's kallsyms + BTF), crash and drgn on the same files.  Report only:
# never fails on numbers.
#
#   bench/symbols.sh VMDIVE_BIN [--variant kaslr] [--runs N] [--no-cold]
#
# Cold runs drop the page cache first (echo 3 > /proc/sys/vm/drop_caches: needs
# root; --no-cold, or not root, skips them).  Warm: the median of N runs after
# one unmeasured run.  Peak memory: GNU time's maximum resident set size
# (package `time`), of the warm run; file-backed pages of the mapped vmlinux
# count in it.  Rows:
#   sym, vmlinux          vmdive sym --vmlinux: vmlinux .symtab, one address
#   sym, kallsyms         vmdive sym: kallsyms decoded from the dump
#   crash start-up + sym  crash -s: `sym ADDR`, quit
#   drgn start-up + sym   drgn: core dump + vmlinux debug info, prog.symbol(ADDR)
#   struct, DWARF         vmdive struct --vmlinux task_struct (lazy CU scan)
#   struct, BTF           vmdive struct task_struct (BTF in the dump)
#   crash struct          crash -s: `struct task_struct -o`, quit
#   drgn type             drgn: prog.type("struct task_struct") after loading
#   struct (late CU)      vmdive struct --vmlinux vmap_area: defined in few
#                         units, the first 45 MB into .debug_info
#   whatis, DWARF         vmdive whatis --vmlinux init_task (a variable's type)
#   no such type, DWARF   vmdive struct --vmlinux no_such_type: the name is in
#                         no unit, which takes one pass over .debug_info
set -euo pipefail
usage() { echo "usage: $0 VMDIVE_BIN [--variant V] [--runs N] [--no-cold]" >&2; exit 2; }
(($# >= 1)) || usage
vmdive=$(readlink -f "$1"); shift
variant=kaslr runs=5 cold=1
while (($#)); do
	case $1 in
	--variant) variant=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	--no-cold) cold=0; shift ;;
	*) usage ;;
	esac
done
[[ -x /usr/bin/time ]] || { echo "$0: needs GNU time (apt-get install time)" >&2; exit 2; }
[[ $(id -u) == 0 && -w /proc/sys/vm/drop_caches ]] || cold=0
D=${VMDIVE_CACHE:-/var/cache/vmdive}/dumps/$variant
[[ -e $D/meta.env ]] || { echo "$0: no $D/meta.env: run samples/make-dumps.sh" >&2; exit 1; }
# shellcheck source=/dev/null
. "$D/meta.env"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
addr=$("$vmdive" sym "$VMCORE_ELF" schedule | awk '{print $1}')
addr=$(printf '%x' $((0x$addr + 0x10)))
printf 'sym %s\nquit\n' "$addr" >"$tmp/crash-sym"
printf 'struct task_struct -o\nquit\n' >"$tmp/crash-struct"
# (not drgn.py: the script's directory comes first on sys.path)
# Not drgn.py: the script's directory comes first on sys.path.
cat >"$tmp/drgn_first.py" <<'EOF'
import sys, drgn
prog = drgn.Program()
prog.set_core_dump(sys.argv[1])
prog.load_debug_info([sys.argv[2]], default=False, main=True)
if sys.argv[3] == "sym":
    print(prog.symbol(int(sys.argv[4], 16)))
else:
    print(prog.type("struct task_struct").size)
EOF
V=$VMLINUX C=$VMCORE_ELF
rows=(
	"sym, vmlinux|$vmdive sym --vmlinux $V $C $addr"
	"sym, kallsyms|$vmdive sym $C $addr"
	"crash start-up + sym|crash -s -i $tmp/crash-sym $V $C"
	"drgn start-up + sym|/usr/bin/python3 $tmp/drgn_first.py $C $V sym $addr"
	"struct, DWARF|$vmdive struct --vmlinux $V $C task_struct"
	"struct, BTF|$vmdive struct $C task_struct"
	"crash struct|crash -s -i $tmp/crash-struct $V $C"
	"drgn type|/usr/bin/python3 $tmp/drgn_first.py $C $V type"
	"struct (late CU), DWARF|$vmdive struct --vmlinux $V $C vmap_area"
	"whatis, DWARF|$vmdive whatis --vmlinux $V $C init_task"
	"no such type, DWARF|$vmdive struct --vmlinux $V $C no_such_type"
)

# One run: "seconds max_rss_kb" of the command (its output discarded), or
# "failed" when it exits non-zero (crash on an arm64 dump).
measure() {
	if /usr/bin/time -f "%e %M" -o "$tmp/t" bash -c "$1" </dev/null >/dev/null 2>&1; then
		tail -1 "$tmp/t"
	else
		echo "failed 0"
	fi
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

printf '%-26s %9s %9s %9s   %s\n' "row ($variant)" "cold s" "warm s" "peak MB" "command"
for row in "${rows[@]}"; do
	name=${row%%|*} cmd=${row#*|}
	c=-
	if ((cold)); then
		sync
		echo 3 >/proc/sys/vm/drop_caches
		c=$(measure "$cmd" | awk '{print $1}')
	fi
	measure "$cmd" >/dev/null
	for ((i = 0; i < runs; i++)); do measure "$cmd"; done >"$tmp/warm"
	w=$(awk '{print $1}' "$tmp/warm" | median)
	m=$(awk '{print $2}' "$tmp/warm" | median)
	grep -q failed "$tmp/warm" && w=failed
	printf '%-26s %9s %9s %9.1f   %s\n' "$name" "$c" "$w" "$(echo "$m / 1024" | bc -l)" \
		"${cmd//$tmp\//}"
done
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs (timings are noisy when this is high)"
