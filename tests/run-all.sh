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

# The builds need no sample dump: they run in the background while the
# samples step (downloads, guest boots, makedumpfile) runs, which leaves cores
# idle while it waits for the network and for guests.  The release build
# first; the sanitizer and fuzz builds after it at the lowest priority (they
# are needed last: they go on while the release tests run).  Their output
# goes to build/logs/ and is printed if a build fails.
configure() {
	local dir=$1; shift
	cmake -S . -B "$dir" -DVMDIVE_WERROR=ON "$@" >/dev/null
}
elapsed() { echo "$1 after $(( $(date +%s) - start ))s"; }
release_build() {
	configure build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo &&
		cmake --build build/release -j2 && elapsed "release built"
}
late_builds() {
	configure build/asan -DCMAKE_BUILD_TYPE=Debug -DVMDIVE_SANITIZE=ON &&
		nice -n 19 cmake --build build/asan -j2 && elapsed "asan built" &&
		VMDIVE_FUZZ_BUILD=$root/build/fuzz bash tests/fuzz/run.sh --build &&
		elapsed "fuzz targets built"
}
# wait_for NAME PID: the build's exit status; its log's tail if it failed.
wait_for() {
	if ! wait "$2"; then
		tail -n 80 "build/logs/$1.log" >&2
		echo "run-all: the $1 build failed (build/logs/$1.log)" >&2
		exit 1
	fi
	grep ' built after ' "build/logs/$1.log"
}
mkdir -p build/logs
step "builds, in the background (logs: build/logs/)"
# Each build in its own process group (set -m), so that a failing step stops it.
set -m
{ release_build && late_builds >build/logs/late.log 2>&1; } >build/logs/release.log 2>&1 &
builds=$!
set +m
trap 'kill -- -"$builds" 2>/dev/null || true' EXIT

step "sample dumps (cached after the first run)"
bash samples/make-dumps.sh --all --makedumpfile

run_tests() {
	local dir=$1; shift
	step "test $dir"
	(cd "$dir" && ctest --output-on-failure -j2 "$@")
}
step "waiting for the release build"
until grep -q ' built after ' build/logs/release.log; do
	kill -0 "$builds" 2>/dev/null || wait_for release "$builds"
	sleep 2
done
grep ' built after ' build/logs/release.log
run_tests build/release
step "waiting for the sanitizer and fuzz builds"
wait_for late "$builds"
trap - EXIT
run_tests build/asan -LE real

# Both builds replayed the fuzz regression inputs and seeds (CTest label
# "fuzz").  The smoke run: every libFuzzer target (clang, ASan+UBSan) for a
# fixed short time from its seeds -- every target for 10 s, two at a time (a
# campaign is one process: one core each); long campaigns are
# tests/fuzz/run.sh TARGET SECONDS.
step "fuzz smoke"
export VMDIVE_FUZZ_BUILD=$root/build/fuzz
# A smoke run finds crashes, not hangs: on a busy CI machine an input of
# 0.4 CPU-seconds took over 10 s of wall time (libFuzzer's -timeout is
# wall time), so the smoke allows 60 s; long campaigns keep 10 s.
bash tests/fuzz/run.sh --list |
	VMDIVE_FUZZ_TIMEOUT=${VMDIVE_FUZZ_TIMEOUT:-60} VMDIVE_FUZZ_NO_BUILD=1 xargs -P 2 -I{} bash tests/fuzz/run.sh {} "${VMDIVE_FUZZ_SMOKE_SECONDS:-10}"
step "all tests passed"
