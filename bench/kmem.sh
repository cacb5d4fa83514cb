#!/bin/bash
# kmem -s, kmem ADDR (200 addresses) and gcore: vmdive against crash 8.0.2 and drgn 0.0.22 on
# one real dump (report only: never fails on numbers).
#
#   bench/kmem.sh VMDIVE_BIN [--variant kaslr] [--runs N]
#
# The 200 addresses and the pid come from the kmem oracle's cached answer next to the dump
# (tests/real/test_kmem.sh makes it).  crash runs `kmem -s` / 200 `kmem ADDR` in one batch
# each, and its start-up (`quit` alone) is shown apart; drgn's rows are bench/kmem_drgn.py.
# Neither crash 8.0.2 (no gcore extension in Debian) nor drgn 0.0.22 writes a process core.
set -euo pipefail
usage() { echo "usage: $0 VMDIVE_BIN [--variant V] [--runs N]" >&2; exit 2; }
(($# >= 1)) || usage
vmdive=$(readlink -f "$1"); shift
variant=kaslr runs=3
while (($#)); do
    case $1 in
        --variant) variant=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        *) usage ;;
    esac
done
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
D=${VMDIVE_DUMPS:-/var/cache/vmdive/dumps}/$variant
[[ -e $D/meta.env ]] || { echo "$0: no $D/meta.env" >&2; exit 1; }
eval "$(grep -E '^(VMCORE_ELF|VMLINUX|ARCH)=' "$D/meta.env")"
oracle=$(ls -t "$D"/oracle/kmem-*.json 2>/dev/null | head -1)
[[ -n $oracle ]] || { echo "$0: run tests/real/test_kmem.sh first (no kmem oracle)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 -c "
import json,sys; d=json.load(open(sys.argv[1]))
open(sys.argv[2],'w').write('\n'.join(a['va'] for a in d['addrs'])+'\n')
open(sys.argv[3],'w').write(str(d['processes'][1]['pid'] if len(d['processes'])>1 else 1))
" "$oracle" "$tmp/addrs" "$tmp/pid"
pid=$(cat "$tmp/pid")
best() {  # best of $runs wall-clock seconds of "$@"
    local b= t0 t1 d
    for ((i = 0; i < runs; i++)); do
        t0=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; t1=$(date +%s.%N)
        d=$(echo "$t1 - $t0" | bc)
        if [[ -z $b ]] || (($(echo "$d < $b" | bc))); then b=$d; fi
    done
    printf '%.3f' "$b"
}
printf '%-34s %10s\n' "row ($variant, best of $runs)" "seconds"
printf '%-34s %10s\n' "vmdive kmem -s" "$(best "$vmdive" kmem -s "$VMCORE_ELF")"
printf '%-34s %10s\n' "vmdive kmem ADDR x200" "$(best "$vmdive" kmem "$VMCORE_ELF" $(cat "$tmp/addrs"))"
printf '%-34s %10s\n' "vmdive gcore $pid" "$(best "$vmdive" gcore "$VMCORE_ELF" "$pid" -o "$tmp/core")"
if [[ $ARCH == x86_64 ]]; then
    echo quit >"$tmp/c0"
    printf 'kmem -s\nquit\n' >"$tmp/c1"
    { sed 's/^/kmem /' "$tmp/addrs"; echo quit; } >"$tmp/c2"
    c() { crash -s -i "$1" "$VMLINUX" "$VMCORE_ELF" </dev/null; }
    printf '%-34s %10s\n' "crash start-up (quit)" "$(best c "$tmp/c0")"
    printf '%-34s %10s\n' "crash start-up + kmem -s" "$(best c "$tmp/c1")"
    printf '%-34s %10s\n' "crash start-up + kmem ADDR x200" "$(best c "$tmp/c2")"
fi
arch=x86_64; [[ $ARCH == arm64 ]] && arch=aarch64
/usr/bin/python3 "$here/kmem_drgn.py" --vmcore "$VMCORE_ELF" --vmlinux "$VMLINUX" \
    --addrs "$tmp/addrs" --arch "$arch" | while read -r k v; do
    printf '%-34s %10s\n' "drgn $k" "$v"
done
