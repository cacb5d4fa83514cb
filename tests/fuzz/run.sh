#!/usr/bin/env bash
# Runs one fuzz campaign:   tests/fuzz/run.sh TARGET SECONDS
#                           tests/fuzz/run.sh --list
#                           tests/fuzz/run.sh --build   (every target and the seeds, once:
#                           then campaigns may run side by side with VMDIVE_FUZZ_NO_BUILD=1)
# TARGET is a tests/fuzz/fuzz_TARGET.c.  Builds the libFuzzer binaries
# first when needed (clang, -DVMDIVE_FUZZ=ON, in ${VMDIVE_FUZZ_BUILD:-
# build/fuzz}), seeds the corpus from the generated seeds, runs at the
# lowest priority (nice 19) on one core, and prints one summary line:
#   TARGET: SECONDS s, N execs (R/s), cov C, ft F, corpus K, findings X
# Findings (crash-*, leak-*, timeout-*, oom-* files) land in
# $BUILD/tests/fuzz/findings/TARGET/; copy each into tests/fuzz/regress/
# TARGET/ once fixed, where CTest replays it on every build.
# Exit status: 0 no finding, 1 findings, 2 usage or build failure.
set -uo pipefail
root=${VMDIVE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${VMDIVE_FUZZ_BUILD:-$root/build/fuzz}
targets() { for f in "$root"/tests/fuzz/fuzz_*.c; do f=${f##*/fuzz_}; echo "${f%.c}"; done; }
if [[ ${1:-} == --list ]]; then targets; exit 0; fi
# build TARGET...: the libFuzzer binaries named and the seeds.
build() {
	cc=${VMDIVE_FUZZ_CC:-$(command -v clang || command -v clang-14)}
	[[ -n $cc ]] || { echo "run.sh: no clang (tests/install-deps.sh --test installs clang-14)" >&2; exit 2; }
	mkdir -p "$build"
	CC=$cc cmake -S "$root" -B "$build" -DVMDIVE_FUZZ=ON \
		-DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS="-O1 -gline-tables-only" >/dev/null &&
		nice -n 19 cmake --build "$build" -j"${VMDIVE_FUZZ_JOBS:-2}" --target "$@" fuzz_seeds \
		>"$build/fuzz-build.log" 2>&1 || {
		echo "run.sh: build failed, see $build/fuzz-build.log" >&2
		exit 2
	}
}
if [[ ${1:-} == --build ]]; then
	# shellcheck disable=SC2046  # one target a word
	build $(targets)
	exit 0
fi
target=${1:-}
secs=${2:-}
if [[ -z $target || ! $secs =~ ^[0-9]+$ || ! -f $root/tests/fuzz/fuzz_$target.c ]]; then
	echo "usage: run.sh TARGET SECONDS (targets: $(targets | tr '\n' ' '))" >&2
	exit 2
fi
bin=$build/tests/fuzz/$target
# VMDIVE_FUZZ_NO_BUILD=1: use the binaries as they are (a campaign that
# must not rebuild while the tree changes under it, or that runs beside
# another one after run.sh --build).
if [[ ! -x $bin || ( -z ${VMDIVE_FUZZ_NO_BUILD:-} && $root/tests/fuzz/fuzz_$target.c -nt $bin ) ]]; then
	build "$target"
fi
case $target in
	dump_*|session_*) dict=dump ;;
	vmcoreinfo|printk|list|xlat_*) dict=vmcoreinfo ;;
	btf) dict=btf ;;
	dwarf) dict=dwarf ;;
	system_map) dict=system_map ;;
	unwind_orc|unwind_arm64|slab_freelist|slab_walk) dict=$target ;;
	*) dict= ;;
esac
corpus=${VMDIVE_FUZZ_CORPUS:-$build/tests/fuzz/corpus}/$target
findings=$build/tests/fuzz/findings/$target
mkdir -p "$corpus" "$findings"
log=$build/tests/fuzz/$target.log
before=$(ls "$findings" | wc -l)
# -timeout: an input that takes 10 s is a hang (libFuzzer counts wall time:
# VMDIVE_FUZZ_TIMEOUT raises it where the machine is shared); -rss_limit_mb: 2 GiB is
# far above any bound in docs/limits.md; -max_len: seeds are < 64 KiB.
# The decompression target writes its temporary files under TMPDIR.
TMPDIR=${TMPDIR:-/tmp} nice -n 19 "$bin" -max_total_time="$secs" -timeout="${VMDIVE_FUZZ_TIMEOUT:-10}" -rss_limit_mb=2048 \
	-malloc_limit_mb=1024 -max_len=65536 -print_final_stats=1 -detect_leaks=1 \
	${dict:+-dict="$root/tests/fuzz/dict/$dict.dict"} \
	-artifact_prefix="$findings/" "$corpus" "$build/tests/fuzz/seeds/$target" \
	>"$log" 2>&1
rc=$?
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" | tail -1)
after=$(ls "$findings" | wc -l)
echo "$target: $secs s, ${execs:-0} execs (${rate:-0}/s), ${cov:-no coverage line}, findings $((after - before)) (log $log)"
if ((after > before || rc != 0)); then
	ls -t "$findings" | head -$((after - before > 0 ? after - before : 1)) | sed "s|^|  $findings/|"
	grep -m3 -E 'ERROR|SUMMARY|runtime error' "$log" | sed 's/^/  /'
	exit 1
fi
exit 0
