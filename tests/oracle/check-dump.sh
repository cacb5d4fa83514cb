#!/bin/bash
# Run both oracles on one dump made by samples/make-dumps.sh and check they agree.
#
#   tests/oracle/check-dump.sh /var/cache/vmdive/dumps/kaslr/meta.env [OUTDIR]
#
# Writes OUTDIR/drgn.json (drgn on vmcore.elf), OUTDIR/crash.cmds, and per dump file
# OUTDIR/crash-<file>.{out,json}; exits 1 if drgn and crash disagree on any translation or
# on the bytes at any address.  The drgn answers come from vmcore.elf; crash reads every
# other format of the same boot, so this also proves those files hold the same memory.
set -euo pipefail
(($# >= 1)) || { echo "usage: $0 META_ENV [OUTDIR]" >&2; exit 2; }
# shellcheck source=/dev/null
. "$1"
out=${2:-$(mktemp -d /tmp/vmdive-oracle.XXXXXX)}
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3                  # the python that has Debian's drgn
mkdir -p "$out"

"$py" "$here/drgn_oracle.py" --vmcore "$VMCORE_ELF" --vmlinux "$VMLINUX" --json "$out/drgn.json"
"$py" "$here/crash_parse.py" cmds "$out/drgn.json" >"$out/crash.cmds"
dumps=("$VMCORE_ELF" "$VMCORE_KDUMP_ZLIB")
mdf_env=$(dirname "$1")/mdf.env
if [[ -e $mdf_env ]]; then
    # shellcheck source=/dev/null
    . "$mdf_env"
    dumps+=("$VMCORE_KDUMP_LZO_D31" "$VMCORE_FLAT" "$VMCORE_ELF_D31" "${VMCORE_SPLIT// /,}")
fi
rc=0
for d in "${dumps[@]}"; do
    b=${d%%,*}; b=${b##*/}
    zero=(); [[ $b == *elf-d* ]] && zero=(--zero-is-excluded)
    "$here/crash_oracle.sh" "$d" "$VMLINUX" "$out/crash.cmds" "$out/crash-$b.out"
    "$py" "$here/crash_parse.py" parse "$out/crash-$b.out" --json "$out/crash-$b.json"
    echo "== $b" >&2
    "$py" "$here/crash_parse.py" compare "$out/drgn.json" "$out/crash-$b.json" "${zero[@]}" || rc=1
done
echo "oracle outputs in $out" >&2
exit "$rc"
