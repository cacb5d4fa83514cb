#!/bin/bash
# rd-many.sh VMDIVE OUTDIR < TASKS: one `vmdive rd` per task, in one shell loop.
#
# Each stdin line is "ID VA DUMP [DUMP...]" (a split set is several files); for each line this
# runs   VMDIVE rd DUMP... VA 64 -o OUTDIR/ID.bin 2>OUTDIR/ID.err
# and prints "ID EXIT_STATUS".  vdcheck.py starts one of these per core and reads the files.
# A spawn costs ~1.6 ms (~11 ms under ASan), so a shell loop beats Python's subprocess here.
set -u
(($# == 2)) || { echo "usage: $0 VMDIVE OUTDIR < TASKS" >&2; exit 2; }
v=$1 out=$2
while read -r -a f; do
    ((${#f[@]} >= 3)) || continue
    "$v" rd "${f[@]:2}" "${f[1]}" 64 -o "$out/${f[0]}.bin" 2>"$out/${f[0]}.err" </dev/null
    echo "${f[0]} $?"
done
