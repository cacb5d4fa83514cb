#!/bin/bash
# Benchmark vmdive against drgn and crash on a real dump (report only: never fails on numbers).
#
#   bench/run.sh VMDIVE_BIN [--variant kaslr] [--runs N] [--out DIR]
#
# Needs samples/make-dumps.sh output (and --makedumpfile for the kdump rows).  Uses hyperfine
# (Debian package `hyperfine`) when installed, else a bash loop around `date +%s.%N`; peak RSS
# comes from GNU time (`/usr/bin/time`, package `time`), one extra run per command.
# BENCH_NO_HYPERFINE=1 forces the bash loop.
# Rows, for vmcore.elf and for vmcore.kdump-zlib-d31 when vmdive can read it:
#   info            vmdive info (page-table probe, no symbols)
#   info+vmlinux    vmdive info --vmlinux
#   1 vtop          vmdive vtop of one address (start-up cost of vtop)
#   start-up        drgn: open + load vmlinux debug info;  crash -s with only `quit`
#   10k vtop        one vmdive vtop with 10,000 VAs (the translatable drgn oracle samples,
#                   repeated);  drgn: open + translate the same 10,000 (bench/drgn_bench.py);
#                   crash: one batch run of 10,000 `vtop -k`
#   10k read64      drgn only: open + read 64 bytes at each (vmdive rd takes one address)
# Ratios are tool time / vmdive time of the same row (the 10k-vtop vmdive time for drgn's and
# crash's start-up rows too: what it costs to get the first answer out of each tool).
set -euo pipefail
usage() { echo "usage: $0 VMDIVE_BIN [--variant V] [--runs N] [--out DIR]" >&2; exit 2; }
(($# >= 1)) || usage
vmdive=$(readlink -f "$1"); shift
variant=kaslr runs=10 out=
while (($#)); do
    case $1 in
        --variant) variant=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        *) usage ;;
    esac
done
[[ -x $vmdive ]] || { echo "$0: $vmdive is not executable" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
py=/usr/bin/python3
dumps=${VMDIVE_DUMPS:-${VMDIVE_CACHE:-/var/cache/vmdive}/dumps}
D=$dumps/$variant
[[ -e $D/meta.env ]] || { echo "$0: no $D/meta.env: run samples/make-dumps.sh" >&2; exit 1; }
# shellcheck source=/dev/null
. "$D/meta.env"
# shellcheck source=/dev/null
[[ -e $D/mdf.env ]] && . "$D/mdf.env"
out=${out:-$(mktemp -d /tmp/vmdive-bench.XXXXXX)}
mkdir -p "$out"

# --- inputs --------------------------------------------------------------------------------
drgn_json=$("$py" "$repo/tests/real/vdcheck.py" drgn-json "$variant")
"$py" - "$drgn_json" "$out" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
vas = [s["va"] for s in d["samples"] if s["pa"]]            # translatable ones only
vas = [vas[i % len(vas)] for i in range(10000)]
open(sys.argv[2] + "/addrs.txt", "w").write("\n".join(vas) + "\n")
open(sys.argv[2] + "/crash-vtop.cmds", "w").write(
    "".join("vtop -k %s\n" % v[2:] for v in vas) + "quit\n")
open(sys.argv[2] + "/crash-quit.cmds", "w").write("quit\n")
EOF
# vmdive gets the 10,000 addresses as arguments (190 KB: too long for one shell word).
cat >"$out/vtop10k.sh" <<'EOF'
#!/bin/bash
mapfile -t a <"$2"
exec "$1" vtop "${@:3}" "${a[@]}" >/dev/null
EOF
chmod +x "$out/vtop10k.sh"

dumpfiles=("$VMCORE_ELF")
kd=${VMCORE_KDUMP_ZLIB_D31:-}
if [[ -n $kd && -e $kd ]] && "$vmdive" vtop "$kd" "$(head -1 "$out/addrs.txt")" >/dev/null 2>&1
then
    dumpfiles+=("$kd")
else
    echo "note: no readable kdump-zlib-d31 (run make-dumps.sh --makedumpfile): ELF rows only" >&2
fi

# --- measuring -----------------------------------------------------------------------------
have_hf=0; command -v hyperfine >/dev/null && [[ -z ${BENCH_NO_HYPERFINE:-} ]] && have_hf=1
have_time=0; [[ -x /usr/bin/time ]] && have_time=1
results=$out/results.tsv
: >"$results"

# measure NAME RUNS CMD...: mean and stddev of wall time, peak RSS of one more run
measure() {
    local name=$1 n=$2; shift 2
    local mean sd rss=-
    echo "== $name ($n runs)" >&2
    if ((have_hf)); then
        hyperfine -N --style none --warmup 1 --runs "$n" --export-json "$out/hf.json" \
            "$(printf '%q ' "$@")" >/dev/null 2>"$out/hf.err" || {
            cat "$out/hf.err" >&2; echo "$name: failed" >&2; return 0; }
        read -r mean sd < <("$py" -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]
print(r["mean"], r["stddev"] or 0)' "$out/hf.json")
    else
        local i t0 t1 ts=()
        "$@" >/dev/null 2>&1 || true
        for ((i = 0; i < n; i++)); do
            t0=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; t1=$(date +%s.%N)
            ts+=("$(echo "$t1 - $t0" | bc -l)")
        done
        read -r mean sd < <(printf '%s\n' "${ts[@]}" | "$py" -c 'import sys,statistics as s
x=[float(l) for l in sys.stdin]; print(s.mean(x), s.stdev(x) if len(x) > 1 else 0)')
    fi
    if ((have_time)); then
        rss=$(/usr/bin/time -f %M -o "$out/time.txt" "$@" >/dev/null 2>&1; tail -1 "$out/time.txt")
    fi
    printf '%s\t%s\t%s\t%s\n' "$name" "$mean" "$sd" "$rss" >>"$results"
}

slow=$(( runs < 3 ? runs : 3 ))              # drgn and crash runs take seconds each
for f in "${dumpfiles[@]}"; do
    k=$(basename "$f"); k=${k#vmcore.}
    measure "$k|vmdive|info" "$runs" "$vmdive" info "$f"
    measure "$k|vmdive|info+vmlinux" "$runs" "$vmdive" info --vmlinux "$VMLINUX" "$f"
    measure "$k|vmdive|1 vtop" "$runs" "$vmdive" vtop "$f" "$(head -1 "$out/addrs.txt")"
    measure "$k|vmdive|10k vtop" "$runs" "$out/vtop10k.sh" "$vmdive" "$out/addrs.txt" "$f"
    measure "$k|drgn|start-up" "$slow" "$py" "$here/drgn_bench.py" --vmcore "$f" \
        --vmlinux "$VMLINUX" --mode open
    measure "$k|drgn|10k vtop" "$slow" "$py" "$here/drgn_bench.py" --vmcore "$f" \
        --vmlinux "$VMLINUX" --addrs "$out/addrs.txt" --mode translate
    measure "$k|drgn|10k read64" "$slow" "$py" "$here/drgn_bench.py" --vmcore "$f" \
        --vmlinux "$VMLINUX" --addrs "$out/addrs.txt" --mode read64
    measure "$k|crash|start-up" "$slow" crash -s -i "$out/crash-quit.cmds" "$VMLINUX" "$f"
    measure "$k|crash|10k vtop" "$slow" crash -s -i "$out/crash-vtop.cmds" "$VMLINUX" "$f"
done

# --- table ---------------------------------------------------------------------------------
"$py" - "$results" "$(nproc)" "$vmdive" <<'EOF'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
t = {}
for name, mean, sd, rss in rows:
    t[name] = (float(mean), float(sd), rss)
print("\nvmdive %s, %s CPUs; mean ± stddev wall time; peak RSS of one run" % (sys.argv[3],
                                                                          sys.argv[2]))
print("%-16s %-7s %-13s %20s %10s %12s" % ("dump", "tool", "operation", "time", "RSS MiB",
                                         "x vmdive"))
for name, (mean, sd, rss) in t.items():
    dump, tool, op = name.split("|")
    base = t.get("%s|vmdive|%s" % (dump, op if op not in ("start-up", "10k read64")
                                   else "10k vtop"))
    ratio = "%.1f" % (mean / base[0]) if base and tool != "vmdive" else "-"
    ts = "%.1f ± %.1f ms" % (mean * 1e3, sd * 1e3) if mean < 1 else "%.2f ± %.2f s" % (mean, sd)
    print("%-16s %-7s %-13s %20s %10s %12s" % (dump, tool, op, ts,
                                             "%.1f" % (int(rss) / 1024) if rss != "-" else "-",
                                             ratio))
EOF
echo "raw results: $results" >&2
