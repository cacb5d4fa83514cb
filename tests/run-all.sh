#!/usr/bin/env bash
# Builds vmdive and runs every test: unit, synthetic dumps, and real dumps of
# QEMU-booted Debian kernels checked against crash and drgn.  Run as root on
# Debian 12: installs what it needs (apt packages, QEMU, the Debian kernels
# the samples boot; all cached under ${VMDIVE_CACHE:-/var/cache/vmdive}).
#
# Two builds: a release build with warnings as errors, and an ASan+UBSan
# build; then a fuzz smoke run (a third build: clang, libFuzzer).  The
# release build runs everything; the ASan+UBSan build runs every
# test but the real-dump checks (label "real"): those compare answers with
# crash and drgn, take most of the time, and exercise the same code the
# synthetic and unit tests already run under the sanitizers.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
start=$(date +%s)
step() { printf '\n=== %s (%ss)\n' "$*" $(( $(date +%s) - start )); }

step "dependencies"
bash tests/install-deps.sh --test

step "sample dumps (cached after the first run)"
bash samples/make-dumps.sh --all --makedumpfile

build_and_test() {
	local dir=$1 ctest_args=$2; shift 2
	step "build $dir"
	cmake -S . -B "$dir" -DVMDIVE_WERROR=ON "$@" >/dev/null
	cmake --build "$dir" -j2
	step "test $dir"
	# shellcheck disable=SC2086
	(cd "$dir" && ctest --output-on-failure -j2 $ctest_args)
}

build_and_test build/release "" -DCMAKE_BUILD_TYPE=RelWithDebInfo
build_and_test build/asan "-LE real" -DCMAKE_BUILD_TYPE=Debug -DVMDIVE_SANITIZE=ON

# Both builds replayed the fuzz regression inputs and seeds (CTest label
# "fuzz").  The smoke run: every libFuzzer target (clang, ASan+UBSan) for a
# fixed short time from its seeds -- every target for 10 s, two at a time (a
# campaign is one process: one core each); long campaigns are
# tests/fuzz/run.sh TARGET SECONDS.
step "fuzz smoke"
export VMDIVE_FUZZ_BUILD=$root/build/fuzz
bash tests/fuzz/run.sh --build
# A smoke run finds crashes, not hangs: on a busy CI machine an input of
# 0.4 CPU-seconds took over 10 s of wall time (libFuzzer's -timeout is
# wall time), so the smoke allows 60 s; long campaigns keep 10 s.
bash tests/fuzz/run.sh --list |
	VMDIVE_FUZZ_TIMEOUT=${VMDIVE_FUZZ_TIMEOUT:-60} VMDIVE_FUZZ_NO_BUILD=1 xargs -P 2 -I{} bash tests/fuzz/run.sh {} "${VMDIVE_FUZZ_SMOKE_SECONDS:-10}"
step "all tests passed"
