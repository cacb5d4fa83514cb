#!/usr/bin/env bash
# The main job on a real sample: builds vmdive, makes a real vmcore (a Debian
# 6.1 kernel booted under QEMU and panicked; cached after the first run) and
# opens it with no vmlinux: what the dump is, kernel addresses translated
# level by level, memory read, the modules and a module's memory dumped as
# an ELF to disassemble, a vmalloc area dumped, the tasks and the log, and
# why it died: the panic task's backtrace and the triage report.
# Run as root on Debian 12.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bash tests/install-deps.sh
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/release -j2 >/dev/null
bash samples/make-dumps.sh --variant kaslr
# shellcheck source=/dev/null
. "${VMDIVE_CACHE:-/var/cache/vmdive}/dumps/kaslr/meta.env"

vd=build/release/vmdive
run() { printf '\n$ %s\n' "$*"; "$@"; }

run $vd info "$VMCORE_ELF"
uts=$($vd vmcoreinfo "$VMCORE_ELF" 'SYMBOL(init_uts_ns)')
run $vd vtop "$VMCORE_ELF" "$uts"
run $vd rd "$VMCORE_ELF" "$uts" 128
run $vd vtop --vmlinux "$VMLINUX" "$VMCORE_ELF" "$uts"
run $vd rd -o /tmp/vmdive-demo-uts.bin "$VMCORE_KDUMP_ZLIB" "$uts" 4096
echo "wrote /tmp/vmdive-demo-uts.bin ($(stat -c %s /tmp/vmdive-demo-uts.bin) bytes)"
run $vd mod "$VMCORE_ELF"
run $vd dump-module "$VMCORE_ELF" loop -o /tmp/vmdive-demo-loop.elf
objdump -d /tmp/vmdive-demo-loop.elf | sed -n '7,12p'
area=$($vd vmalloc --json "$VMCORE_ELF" | /usr/bin/python3 -c \
	'import json,sys; d=json.load(sys.stdin); print(next(a["start"] for a in d["areas"] if "vmalloc" in a["flag_words"]))')
run $vd dump-vmalloc "$VMCORE_ELF" "$area" -o /tmp/vmdive-demo-area.bin
run $vd ps "$VMCORE_ELF"
printf '\n$ %s\n' "$vd log $VMCORE_ELF | tail -4"
$vd log "$VMCORE_ELF" | tail -4
run $vd bt "$VMCORE_ELF"
run $vd triage "$VMCORE_ELF"
