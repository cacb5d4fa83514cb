#!/usr/bin/env bash
# vmdive log on real dumps, with no vmlinux, against crash 8.0.2 and drgn 0.0.22 on the same file.
#
#   bash tests/real/test_log.sh VMDIVE
#
# x86_64 samples (kaslr nokaslr la57): `vmdive log DUMP` equals crash's `log` line for line,
# and so do -t (crash log -t), -l (log -m), -d (log -d) and -T (log -T: vmdive reads the
# timekeeper through the BTF in the dump); the output has the sample's marker line; the
# records equal drgn's get_printk_records() one by one (seq, ts_nsec, text, level, facility,
# caller, subsystem, device); and the makedumpfile -d 31 kdump file gives the same log as the
# ELF.  A descriptor damaged on purpose (in a copy of the kaslr sample's uncompressed kdump
# file) is reported once, on stderr and in --json "errors", and every other line still equals
# crash's.  arm64 samples: drgn and the marker (Debian's crash reads no arm64 dumps), the
# kdump-zlib file equal to the ELF, -T against drgn's timekeeper (with --vmlinux: Debian's arm64
# kallsyms has no data symbols), -T without it failing with exit 1, and -T from CRASHTIME (in
# a copy of the kdump file with one VMCOREINFO line replaced).  Every x86_64 sample: the log
# with --vmlinux equals crash's too, the kdump-zlib file gives the ELF's log, and drgn checks
# the -T boot time (xtime_sec minus the panic record's seconds).
#
# The 6.12 samples (kaslr-6.12, arm64-16k-6.12) have no makedumpfile outputs.  crash 8.0.2
# starts on 6.12 only as `crash --minimal --kaslr OFFSET` (tests/oracle/crash_oracle.sh), and
# its `log -T` there is wrong: it puts the panic of the kaslr-6.12 sample at 04:40:13 while
# the timekeeper (drgn: tk_core.timekeeper.xtime_sec) says 04:43:55, and QEMU only started at
# 04:43:51 (qemu.log's mtime).  So on 6.12, -T is held to drgn alone; on sid's 7.2 too (sid's
# crash 9.0.2 does not find 7.2's timekeeper_data[]: see x86_variant).
#
# The samples' rings never wrapped (a short boot logs ~30 KiB of a 128 KiB ring), so one more
# dump is made here on first use and cached in $VMDIVE_CACHE/logwrap (not in dumps/, which holds
# the samples that other tests walk, samples/make-dumps.sh): the kaslr sample's
# kernel booted with initcall_debug and dyndbg=+p, which logs ~20000 records; its text ring has
# wrapped several times and holds text blocks that wrap around its end (the case get_data() in
# kernel/printk/printk_ringbuffer.c reads from index 0).  It is held to crash and drgn too.
set -uo pipefail
vmdive=$1
here=$(cd "$(dirname "$0")" && pwd)
oracle=$here/../oracle
py=/usr/bin/python3
cache=${VMDIVE_CACHE:-/var/cache/vmdive}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
skipped=0
skip() { skipped=$((skipped + 1)); echo "SKIP $*"; }
# A sid kernel's dump is read by sid's drgn and crash (samples/make-dumps.sh unpacks them):
# sets py and CRASH for it; fails (after a SKIP) when they are not there.
export CRASH=crash
sid_oracles() {
	local SUITE=
	. "$cache/dumps/$1/meta.env"
	# Debian 12's drgn 0.0.22 cannot translate Debian 11's arm64 5.10 dump (vdcheck.NEWER_DRGN).
	[[ $SUITE == sid || $1 == arm64-5.10 ]] || return 0
	local bin=$cache/sid-oracles/amd64/bin
	if ! [[ -x $bin/python3 && -x $bin/crash ]]; then
		skip "$1: no sid drgn/crash in $bin (samples/make-dumps.sh --variant $1 fetches them)"
		return 1
	fi
	py=$bin/python3 CRASH=$bin/crash
}
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

# same WHAT FILE_A FILE_B: equal files, else the first differing lines.
same() {
	if cmp -s "$2" "$3"; then
		ok "$1 ($(wc -l <"$2") lines)"
	else
		bad "$1"
		diff "$2" "$3" | head -n 8 | sed 's/^/    /'
	fi
}

# -T: crash dates records from its own boot time, xtime_sec minus the uptime in whole
# seconds of jiffies (kernel.c, task_init: kt->boot_date = kt->date - uptime_jiffies / HZ);
# vmdive from xtime_sec minus the panic record's whole seconds (checked exactly against
# drgn's timekeeper below).  Jiffies and the printk clock do not tick from the same instant,
# so the two boot times may differ by a second.  Everything else must be equal: the same
# lines, texts and order, and one constant offset of at most 1 s between the dates.
same_ctime() {
	if cmp -s "$2" "$3"; then
		ok "$1 ($(wc -l <"$2") lines)"
		return
	fi
	local out
	if out=$("$py" - "$2" "$3" <<'PYEOF' 2>&1
import re, sys, time
pat = re.compile(r"^\[(\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \w+ \d{4})\] (.*)$")
def parse(path):
    out = []
    for line in open(path, errors="replace").read().splitlines():
        m = pat.match(line)
        if not m and out and line.startswith(" "):
            # A record with an embedded newline: crash and vmdive indent its
            # later lines under the text; they belong to that record.
            out[-1] = (out[-1][0], out[-1][1] + "\n" + line.strip())
            continue
        if not m:
            sys.exit("%s: not a -T line: %r" % (path, line[:100]))
        t = time.mktime(time.strptime(m.group(1).replace(" UTC ", " "), "%a %b %d %H:%M:%S %Y"))
        out.append((int(t), m.group(2)))
    return out
a, b = parse(sys.argv[1]), parse(sys.argv[2])
if len(a) != len(b):
    sys.exit("crash %d lines, vmdive %d" % (len(a), len(b)))
offs = set()
for i, ((ta, xa), (tb, xb)) in enumerate(zip(a, b)):
    if xa != xb:
        sys.exit("line %d: text differs: %r vs %r" % (i + 1, xa[:80], xb[:80]))
    offs.add(ta - tb)
if len(offs) != 1 or abs(next(iter(offs))) > 1:
    sys.exit("date offsets crash - vmdive: %s" % sorted(offs)[:5])
print("%d lines, dates offset by %+d s" % (len(a), next(iter(offs))))
PYEOF
	); then
		ok "$1 ($out)"
	else
		bad "$1: $out"
	fi
}

# crash's log in several modes in one run (startup costs ~5 s): crash.1 .. crash.N in
# $tmp/$2/.  Blocks are cut at `echo` lines; what crash prints before the first one
# ("WARNING: active task ... not found in PID hash" and an empty line) is dropped.
crash_modes=("log" "log -t" "log -m" "log -d" "log -T")
vd_modes=("" "-t" "-l" "-d" "-T")
run_crash() {      # DUMP DIR NMODES: the first NMODES of crash_modes
	local dump=$1 dir=$tmp/$2 t0
	mkdir -p "$dir"
	for m in "${crash_modes[@]:0:$3}"; do printf 'echo ==VD-SEP==\n%s\n' "$m"; done >"$dir/cmds"
	t0=$(now)
	"$oracle/crash_oracle.sh" "$dump" "$VMLINUX" "$dir/cmds" "$dir/crash.raw" >/dev/null ||
		return 1
	echo "     crash: $(secs "$t0" "$(now)") s for startup and $3 log commands"
	awk -v d="$dir" '/^==VD-SEP==$/ { n++; next } n { print > (d "/crash." n) }' "$dir/crash.raw"
}

# The marker line as vmdive prints it: "[    2.345678] VMDIVE-MARKER <variant> <hex>".
has_marker() {
	grep -qxF -- "$MARKER" <(sed -n 's/^\[ *[0-9]*\.[0-9]\{6\}\] //p' "$1")
}

drgn_check() {       # WHAT VMCORE JSON [--arm64]
	local out
	if out=$("$py" "$here/log_check.py" drgn --vmcore "$2" --vmlinux "$VMLINUX" --json "$3" \
		${4:+"$4"} 2>&1); then
		grep '^  drgn: ' <<<"$out" | sed 's/^  /     /'
		ok "$1: records equal drgn's: ${out##*$'\n'}"
	else
		bad "$1: records differ from drgn's"
		sed 's/^/    /' <<<"$out"
	fi
	DRGN_OUT=$out
}

x86_variant() {      # VARIANT [minimal]: crash in --minimal mode, no -T (see the header)
	local v=$1 dir=$tmp/$1 t0 t1 i n=${#crash_modes[@]} VMCORE_KDUMP_ZLIB=
	if [[ $v == logwrap ]]; then . "$cache/logwrap/meta.env"; else . "$cache/dumps/$v/meta.env"; fi
	local CRASH_OPTS=
	if [[ ${2:-} == minimal ]]; then
		export CRASH_OPTS="--minimal --kaslr 0x$KERNELOFFSET"
		n=4
	elif [[ ${2:-} == no_modules ]]; then
		# sid's crash 9.0.2 on 7.2: "invalid structure member offset: module_num_gpl_syms"
		# unless told to leave the modules alone.  Nor does it find the timekeeper there: 7.2
		# keeps it in the array timekeeper_data[] (tk_core is gone: the auxiliary-clock
		# timekeepers of the "timekeeping: Introduce auxiliary timekeepers" series), so its
		# `sys` says DATE 1970 and its `log -T` dates the records in 1969.  -T is held to
		# drgn's timekeeper alone there (drgn_check below), as on 6.12.
		export CRASH_OPTS="--no_modules"
		n=4
	fi
	echo "== $v: $VMCORE_ELF"
	t0=$(now)
	"$vmdive" log "$VMCORE_ELF" >"$tmp/$v.log" 2>"$tmp/$v.err"
	local rc=$?
	t1=$(now)
	echo "     vmdive: $(secs "$t0" "$t1") s (no vmlinux)"
	if ((rc == 0)) && [[ ! -s $tmp/$v.err ]]; then ok "$v: exit 0, nothing on stderr"
	else bad "$v: exit $rc: $(head -n 3 "$tmp/$v.err")"; fi
	if has_marker "$tmp/$v.log"; then ok "$v: marker line"; else bad "$v: no '$MARKER'"; fi
	if run_crash "$VMCORE_ELF" "$v" "$n"; then
		for ((i = 0; i < n; i++)); do
			"$vmdive" log ${vd_modes[i]} "$VMCORE_ELF" >"$dir/vd.$((i + 1))" 2>&1
			"$( [[ ${vd_modes[i]} == -T ]] && echo same_ctime || echo same)" \
				"$v: vmdive log ${vd_modes[i]:-(plain)} == crash ${crash_modes[i]}" \
				"$dir/crash.$((i + 1))" "$dir/vd.$((i + 1))"
		done
		"$vmdive" log --vmlinux "$VMLINUX" "$VMCORE_ELF" >"$dir/vd.vmlinux" 2>&1
		same "$v: vmdive log --vmlinux == crash log" "$dir/crash.1" "$dir/vd.vmlinux"
	else
		bad "$v: crash failed: $(tail -n 3 "$dir/crash.raw" 2>/dev/null)"
	fi
	if [[ -n $VMCORE_KDUMP_ZLIB ]]; then      # logwrap has only the ELF
		"$vmdive" log "$VMCORE_KDUMP_ZLIB" >"$tmp/$v.kdump" 2>&1
		same "$v: kdump-zlib log == ELF log" "$tmp/$v.log" "$tmp/$v.kdump"
	fi
	"$vmdive" log -T --json "$VMCORE_ELF" >"$tmp/$v.json"
	drgn_check "$v" "$VMCORE_ELF" "$tmp/$v.json"
}

x86_filtered() {
	local v=$1
	. "$cache/dumps/$v/meta.env"
	[[ -r $cache/dumps/$v/mdf.env ]] || { bad "$v: no mdf.env (make-dumps.sh --makedumpfile)"; return; }
	. "$cache/dumps/$v/mdf.env"
	"$vmdive" log "$VMCORE_KDUMP_ZLIB_D31" >"$tmp/$v.d31" 2>&1
	same "$v: makedumpfile -d 31 kdump log == ELF log" "$tmp/$v.log" "$tmp/$v.d31"
}

arm64_variant() {
	local v=$1
	. "$cache/dumps/$v/meta.env"
	echo "== $v: $VMCORE_ELF"
	"$vmdive" log "$VMCORE_ELF" >"$tmp/$v.log" 2>&1 && ok "$v: exit 0" || bad "$v: exit $?"
	if has_marker "$tmp/$v.log"; then ok "$v: marker line"; else bad "$v: no '$MARKER'"; fi
	"$vmdive" log "$VMCORE_KDUMP_ZLIB" >"$tmp/$v.kdump" 2>&1
	same "$v: kdump-zlib log == ELF log" "$tmp/$v.log" "$tmp/$v.kdump"
	# -T needs tk_core; with --vmlinux it is always known.
	"$vmdive" log -T --json --vmlinux "$VMLINUX" "$VMCORE_ELF" >"$tmp/$v.json"
	drgn_check "$v (--vmlinux)" "$VMCORE_ELF" "$tmp/$v.json" --arm64
	"$vmdive" log --json "$VMCORE_ELF" >"$tmp/$v.bare.json"
	drgn_check "$v (no vmlinux)" "$VMCORE_ELF" "$tmp/$v.bare.json" --arm64
}

# -T where the dump cannot tell the time: a clear message and exit status 1.
no_clock() {
	local v=$1 out rc
	. "$cache/dumps/$v/meta.env"
	# 7.2: tk_core is a macro for timekeeper_data[0].
	if "$vmdive" sym "$VMCORE_ELF" tk_core >/dev/null 2>&1 ||
	   "$vmdive" sym "$VMCORE_ELF" timekeeper_data >/dev/null 2>&1; then
		echo "     ($v: the timekeeper is known without a vmlinux: no -T failure case here)"
		return
	fi
	out=$("$vmdive" log -T "$VMCORE_ELF" 2>&1)
	rc=$?
	if ((rc == 1)) && [[ $out == *"no wall-clock time"* && $(wc -l <<<"$out") == 1 ]]; then
		ok "$v: -T without a wall clock: exit 1, '${out:0:60}...'"
	else
		bad "$v: -T without a wall clock: exit $rc, output '${out:0:200}'"
	fi
}

# A damaged descriptor in a real dump: the marker record's text block made illegal in a copy
# of the uncompressed kdump file.  vmdive must say so once on stderr, skip that record, print
# every other line as crash printed them for the intact dump, and exit 1.
damaged() {
	local v=$1 f=$tmp/damaged.kdump seq out err rc
	. "$cache/dumps/$v/meta.env"
	. "$cache/dumps/$v/mdf.env"
	seq=$("$py" -c 'import json, sys
d = json.load(open(sys.argv[1]))
print([r["seq"] for r in d["records"] if r["text"] == sys.argv[2]][0])' "$tmp/$v.json" "$MARKER")
	out=$("$py" "$here/log_check.py" corrupt --vmdive "$vmdive" --dump "$VMCORE_KDUMP_NONE_D31" \
		--seq "$seq" --out "$f" 2>&1) || { bad "$v: cannot damage a descriptor: $out"; return; }
	echo "     $out"
	"$vmdive" log "$f" >"$tmp/damaged.log" 2>"$tmp/damaged.err"
	rc=$?
	err=$(cat "$tmp/damaged.err")
	if ((rc == 1)) && [[ $(wc -l <<<"$err") == 1 && $err == *"seq $seq "*"illegal text block"* ]]
	then
		ok "$v: damaged descriptor reported once, exit 1: ${err:0:90}..."
	else
		bad "$v: damaged descriptor: exit $rc, stderr '$err'"
	fi
	grep -vxF -- "$(grep -F -- "$MARKER" "$tmp/$v/crash.1")" "$tmp/$v/crash.1" >"$tmp/damaged.want"
	same "$v: the rest of the log == crash's without the marker record" \
		"$tmp/damaged.want" "$tmp/damaged.log"
	"$vmdive" log --json "$f" >"$tmp/damaged.json" 2>/dev/null
	if "$py" -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert d["nerrors"] == 1 and "illegal text block" in d["errors"][0], d["errors"]' "$tmp/damaged.json"
	then ok "$v: --json has the damaged descriptor in \"errors\""
	else bad "$v: --json errors"; fi
}

# -T from CRASHTIME, which only kexec crash kernels write: a copy of the arm64 kdump file
# (16 MB) with one VMCOREINFO line that printk does not use replaced by CRASHTIME of the same
# length.  Boot time must be CRASHTIME minus the panic record's seconds.
crashtime() {
	local v=$1 f=$tmp/crashtime.kdump out
	. "$cache/dumps/$v/meta.env"
	# The timekeeper: tk_core, or 7.2's timekeeper_data[] (the auxiliary-clock series).
	if "$vmdive" sym "$VMCORE_ELF" tk_core >/dev/null 2>&1 ||
	   "$vmdive" sym "$VMCORE_ELF" timekeeper_data >/dev/null 2>&1; then
		echo "     ($v: the timekeeper is known without a vmlinux: -T would not use CRASHTIME)"
		return
	fi
	"$py" - "$VMCORE_KDUMP_ZLIB" "$f" <<'EOF_PY' || { bad "$v: cannot patch in CRASHTIME"; return; }
import sys
data = open(sys.argv[1], "rb").read()
i = data.index(b"SYMBOL(clear_seq)=")
old = data[i:data.index(b"\n", i)]
new = b"CRASHTIME=1700000000\nVD_PAD="
new += b"x" * (len(old) - len(new))
assert len(new) == len(old) and data.count(old) == 1
open(sys.argv[2], "wb").write(data.replace(old, new))
EOF_PY
	"$vmdive" log -T --json "$f" >"$tmp/crashtime.json" 2>&1
	if out=$("$py" - "$tmp/crashtime.json" <<'EOF_PY' 2>&1
import json, sys
d = json.load(open(sys.argv[1]))
panic = [r for r in d["records"] if "Kernel panic - not syncing" in r["text"]][-1]
want = 1700000000 - panic["ts_nsec"] // 10**9
assert d["boot_time_from"] == "CRASHTIME", d["boot_time_from"]
assert d["boot_time"] == want, (d["boot_time"], want)
assert all(r["time"] == want + r["ts_nsec"] // 10**9 for r in d["records"])
print("boot time %d = CRASHTIME 1700000000 - %d s" % (want, panic["ts_nsec"] // 10**9))
EOF_PY
	); then
		ok "$v: -T from CRASHTIME: $out"
	else
		bad "$v: -T from CRASHTIME: $out"
	fi
}

# The dump with a wrapped ring (see the header), made once.
logwrap() {
	local d=$cache/logwrap
	# Remade when the kaslr sample is (a new kernel, say).
	if [[ ! $d/done -nt $cache/dumps/kaslr/meta.env ]]; then
		rm -rf "$d"
		echo "== making $d (initcall_debug dyndbg=+p boot, ~10 s)"
		"$py" "$here/log_check.py" mkwrap --meta "$cache/dumps/kaslr/meta.env" --out "$d" &&
			chmod 0644 "$d/vmcore.elf" && touch "$d/done" ||
			{ bad "logwrap: could not make the dump"; return; }
	fi
	x86_variant logwrap
	if [[ $DRGN_OUT =~ ([0-9]+)\ wrapping\ blocks ]] && ((BASH_REMATCH[1] > 0)); then
		ok "logwrap: ${BASH_REMATCH[1]} records with a wrapping text block were compared"
	else
		bad "logwrap: no record with a wrapping text block in the ring"
	fi
}

shopt -s nullglob
for v in kaslr nokaslr la57; do
	if [[ -r $cache/dumps/$v/meta.env ]]; then
		x86_variant "$v"
		x86_filtered "$v"
		[[ $v == kaslr ]] && damaged "$v"
	else
		bad "$v: no sample in $cache/dumps (run samples/make-dumps.sh --makedumpfile)"
	fi
done
# The other kernels: Debian 11's 5.10 (crash 8.0.2 reads it whole), Debian 12's 6.12 (crash
# --minimal, above), sid's newest (sid's crash and drgn, unpacked by make-dumps.sh).
for v in kaslr-5.10 kaslr-6.12 kaslr-sid; do
	if ! [[ -r $cache/dumps/$v/done ]]; then
		skip "$v: no sample (samples/make-dumps.sh --variant $v makes it)"; continue
	fi
	sid_oracles "$v" || continue
	case $v in
		kaslr-6.12) x86_variant "$v" minimal ;;
		kaslr-sid) x86_variant "$v" no_modules ;;
		*) x86_variant "$v" ;;
	esac
	py=/usr/bin/python3 CRASH=crash
done
[[ -r $cache/dumps/kaslr/meta.env ]] && logwrap
for v in arm64-kaslr arm64-nokaslr arm64-16k-6.12 arm64-5.10 arm64-sid arm64-16k-sid; do
	if [[ -r $cache/dumps/$v/done ]]; then
		sid_oracles "$v" || continue
		arm64_variant "$v"
		no_clock "$v"
		crashtime "$v"
		py=/usr/bin/python3 CRASH=crash
	else
		skip "$v: no sample (samples/make-dumps.sh --variant $v makes it)"
	fi
done
if ((skipped)); then
	echo "$pass passed, $fail failed, $skipped skipped"
	((fail == 0)) && exit 77
	exit 1
fi
echo "$pass passed, $fail failed"
((fail == 0))
