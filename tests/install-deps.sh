#!/usr/bin/env bash
# Installs what vmdive needs on Debian 12, as root: the build dependencies,
# and with --test also QEMU and the oracles (crash, drgn, makedumpfile) that
# the real-dump tests use.  Installs only what is missing.
set -euo pipefail

build_pkgs=(build-essential cmake pkg-config libelf-dev libdwarf-dev zlib1g-dev
	liblz4-dev liblzo2-dev libsnappy-dev libzstd-dev liblzma-dev libbpf-dev
	libedit-dev libcapstone-dev)
test_pkgs=(qemu-system-x86 busybox-static cpio xz-utils crash python3-drgn
	makedumpfile lz4 zstd elfutils gdb python3 pahole dwz
	binutils-aarch64-linux-gnu   # objdump of arm64 modules (test_walkers.sh)
	gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user gdb-multiarch
	# the last four: arm64 process cores (test_user_cores_arm64.sh); gcc-aarch64-linux-gnu
	# also cross-builds samples/crashmod for the arm64 crash samples (make-dumps.sh installs
	# the kernel's linux-headers-*-common and linux-kbuild-* itself: their version is the
	# kernel's)
	clang-14 libclang-rt-14-dev)
	# the last two: libFuzzer and its sanitizers (tests/fuzz, the smoke run)

want=("${build_pkgs[@]}")
[ "${1:-}" = "--test" ] && want+=("${test_pkgs[@]}")

missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages (run as root): ${missing[*]}" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null || apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
