#!/bin/bash
# make-dumps.sh — make REAL x86_64 and arm64 vmcores for vmdive's tests.
#
# Boots a Debian kernel under QEMU (TCG) with a busybox initramfs that loads a few
# modules, starts some named processes, writes a marker to the kernel log and panics; then
# dumps guest memory over QMP (ELF and QEMU's flattened kdump-zlib).
#
#   samples/make-dumps.sh [--variant V]... [--arch x86_64|arm64|all] [--all]
#                         [--makedumpfile] [--force]
#
# Everything is cached under ${VMDIVE_CACHE:-/var/cache/vmdive}:
#   debs/                         the kernel .debs (and busybox-static:arm64)
#   kernel/CURRENT                kernel release picked once (e.g. 6.1.0-56-cloud-amd64)
#   kernel/CURRENT-arm64          the arm64 one (6.1.0-NN-arm64, the NN of CURRENT if it exists)
#   kernel/CURRENT-6.12-FLAVOUR   the 6.12 ones (6.12.NN+deb12-FLAVOUR; arm64 takes the x86 NN)
#   kernel/<kver>/                vmlinuz, vmlinux (with DWARF), System.map, modules/,
#                                 modules-dbg/ (the loaded modules' debug .ko, from -dbg),
#                                 initrd-<hash of its recipe>.img, busybox (arm64 only)
#   dumps/<variant>/              vmcore.elf, console.log, vmcoreinfo.txt, meta.env, done
#                                 (written last); the "full" variants (VARIANTS, dumps) also
#                                 vmcore.kdump-zlib and qemu-xlat.json (QEMU's own translations
#                                 of ~7,500-11,000 kernel VAs: samples/qemu-xlat.py); a full
#                                 variant's dump without qemu-xlat.json is made again
#     with --makedumpfile also    "+mdf" variants (kaslr, nokaslr, la57): Debian 12's
#                                 vmcore.kdump-{zlib,lzo,none}-d{0,31}, vmcore.elf-d31,
#                                 vmcore.flat, vmcore.split.{1,2,3}, mdf.env, mdf.done; "+sid"
#                                 variants (kaslr, arm64-kaslr): Debian sid's makedumpfile's
#                                 vmcore.kdump-zstd-d31, vmcore.sid.kdump-zlib-d31 and
#                                 vmcore.kdump-zstd-d0 (x86_64) or vmcore.sid.kdump-lzo-d31
#                                 (arm64), mdf-sid.env, mdf-sid.done
#   sid/<debarch>/                sid's makedumpfile and the sid libraries it links, unpacked
#                                 (root/), its private apt state; done (written last)
# A variant whose stamp exists is skipped; delete the directory (or --force) to redo it.
# meta.env (shell-sourceable) names the kernel, vmlinux, System.map, dump files, the marker
# line written to the kernel log, the loaded modules and the named processes.
# Variants: kaslr (default cmdline), nokaslr, la57 (5-level paging, -cpu qemu64,+la57) — the
# x86_64 6.1 set, made when no variant is named; kaslr-6.12 (Debian 12's 6.12 cloud kernel);
# arm64-kaslr, arm64-nokaslr (Debian's generic arm64 6.1 kernel, 4K pages, 48-bit VAs, on
# qemu-system-aarch64 -M virt -cpu max); arm64-6.12 (Debian 12's 6.12 arm64 kernel: 4K pages,
# 52-bit VAs, 5 levels), arm64-16k-6.12 (the 6.12 arm64-16k flavour: 16K pages, 52-bit VAs),
# and the same two kernels on a CPU without LPA2: arm64-6.12-va48, arm64-16k-6.12-va47;
# Debian 11's 5.10 (kaslr-5.10, arm64-5.10: 4K pages, 48-bit VAs) and the newest kernel of
# Debian sid (kaslr-sid, arm64-sid: cloud-arm64 4K/52-bit, arm64-16k-sid), with sid's drgn and
# crash (sid-oracles/amd64/) for the tests.  And crashes of other kinds than sysrq-c, from the
# test module samples/crashmod (built against Debian's linux-headers-KVER): crash-null,
# crash-null-2 (the same bug on CPU 1), crash-bug, crash-warn, crash-timer, crash-hung,
# crash-softlockup, crash-oom, crash-gpf, crash-rcu (x86_64 6.1), crash-mce (x86_64 6.12:
# Debian's 6.1 cloud kernel is built without CONFIG_X86_MCE; the machine check is injected
# by QEMU's monitor command mce once the module waits for it), arm64-crash-null,
# arm64-crash-null-2, arm64-crash-timer (arm64 6.1);
# their meta.env says CRASH_KIND=<mode>.  And zram (x86_64 6.1), zram-6.12 (zstd), zram-sid (sid's x86_64 kernel,
# lz4: sid builds zram without its lzo backend) and arm64-zram (arm64 6.1): a zram swap device
# and samples/guest/vd-zram, whose known pages are swapped out to it (build_zram; meta.env
# ZRAM_ALG, VDZRAM).  One boot each; named together they share the VMDIVE_BOOT_JOBS places.  The tables KERNELS and VARIANTS below list them.
# Up to VMDIVE_BOOT_JOBS (default 2) guests boot at once.
# Cost, cold (CPU seconds, docs/testing.md "The samples step, cold"): an x86_64 guest dumping
# its ELF only (dumps elf:V) 7-10, an arm64 one ~33 (its boot under TCG); a full guest ~13
# more (QEMU's kdump-zlib and qemu-xlat.py); the -dbg package of a kernel 15-20
# (extract-dbg.py: only the xz blocks that hold what is extracted); makedumpfile: Debian 12's
# set 9.5 a variant, sid's 2.3 (x86_64) or 12.8 (arm64, under qemu-aarch64).
# Only when asked for: --variant V, --arch x86_64|arm64 (that arch's variants), --arch all
# or --all (every variant).
# Needs root (apt-get; arm64 adds the foreign architecture to dpkg) on Debian 12.  The marker and variant reach the guest's /init through
# the kernel command line (vmdive.*= words), so one initramfs serves every variant.
set -euo pipefail

CACHE=${VMDIVE_CACHE:-/var/cache/vmdive}
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3            # Debian's python: the one python3-drgn is built for
# --- the tables -----------------------------------------------------------------------------
# Every kernel the samples boot, one line each: the next kernel is a line here, not code.
#   arch      x86_64 | arm64
#   series    the kernel line (6.1, 6.12, 5.10), or "sid" for the newest kernel Debian sid has
#   flavour   Debian's package flavour (cloud-amd64, arm64, arm64-16k)
#   suite     the Debian release that ships it: "host" is this system's own apt sources;
#             another name (bullseye, sid) is read with a private apt state ($CACHE/apt/SUITE)
#             from the same mirror the system's apt sources name
#   packages  the packages, KVER standing for the release picked: the first names the
#             release (and is searched for), the last is the -dbg package (vmlinux, System.map,
#             the modules' debug files); the others are unpacked with the first (sid splits the
#             image into linux-binary-KVER, the vmlinuz, and linux-modules-KVER)
#   release   ERE of the releases of the series (the KVER of linux-image-KVER-unsigned); the
#             newest with an -unsigned and a -dbg of the same version is picked once and kept
#             in a stamp file (kernel/CURRENT*), so dumps and vmlinux never drift apart
#   modules   the modules /init loads ("-": the default list below)
KERNELS='
# arch  series flavour     suite    packages                                       release (ERE)                   modules
x86_64  6.1    cloud-amd64 host     linux-image-KVER-unsigned,linux-image-KVER-dbg 6\.1\.0-[0-9]+                     -
x86_64  6.12   cloud-amd64 host     linux-image-KVER-unsigned,linux-image-KVER-dbg 6\.12\.[0-9]+\+deb12              -
arm64   6.1    arm64       host     linux-image-KVER-unsigned,linux-image-KVER-dbg 6\.1\.0-[0-9]+                     -
arm64   6.12   arm64       host     linux-image-KVER-unsigned,linux-image-KVER-dbg 6\.12\.[0-9]+\+deb12              -
arm64   6.12   arm64-16k   host     linux-image-KVER-unsigned,linux-image-KVER-dbg 6\.12\.[0-9]+\+deb12              -
x86_64  5.10   cloud-amd64 bullseye linux-image-KVER-unsigned,linux-image-KVER-dbg 5\.10\.0-[0-9]+                    -
arm64   5.10   arm64       bullseye linux-image-KVER-unsigned,linux-image-KVER-dbg 5\.10\.0-[0-9]+                    -
x86_64  sid    cloud-amd64 sid      linux-binary-KVER,linux-modules-KVER,linux-image-KVER-dbg [0-9]+\.[0-9]+(\.[0-9]+)?\+deb[0-9]+ qemu_fw_cfg,dummy,loop,overlay,async_xor
arm64   sid    cloud-arm64 sid      linux-binary-KVER,linux-modules-KVER,linux-image-KVER-dbg [0-9]+\.[0-9]+(\.[0-9]+)?\+deb[0-9]+ qemu_fw_cfg,dummy,loop,overlay,async_xor
arm64   sid    arm64-16k   sid      linux-binary-KVER,linux-modules-KVER,linux-image-KVER-dbg [0-9]+\.[0-9]+(\.[0-9]+)?\+deb[0-9]+ qemu_fw_cfg,dummy,loop,overlay,async_xor
'
# Every variant, one line each: the kernel it boots (arch series flavour, a line of KERNELS),
# QEMU's -cpu, the guest's memory (MiB), how it dies (crash: "sysrq" is /init's
# `echo c >/proc/sysrq-trigger`; any other word is a mode of the test module
# samples/crashmod/vmdive_crash.c, built against Debian's linux-headers-KVER of the kernel and
# loaded by /init with that mode: see build_crashmod; meta.env says CRASH_KIND=<crash>),
# whether it is made when no variant is named, what the guest leaves (dumps, below), and
# extra kernel command-line words ("-": none; words joined by ","; vmdive.cpu=N pins /init's
# trigger, or the module's spinning kthread, to CPU N, default 0).
#   dumps: "full" = vmcore.elf, QEMU's vmcore.kdump-zlib and qemu-xlat.json (QEMU's own MMU
#   translating ~7,500-11,000 kernel VAs of the stopped guest: samples/qemu-xlat.py); with
#   --makedumpfile, "+mdf" adds Debian 12's makedumpfile outputs (make_mdf; x86_64 only) and
#   "+sid" sid's (make_mdf_sid): one variant of each format and architecture, as the tests
#   read them (test_kdump_real page by page, test_formats_agree, test_scan_real, test_log);
#   "elf:V" = vmcore.elf only: the same kernel boots as the full variant V, whose qemu-xlat.json
#   and kdump-zlib already check that kernel's translation and QEMU's kdump writer (the
#   real-dump tests read the crash kinds and zram guests through their ELF; where a test
#   would read kdump-zlib or qemu-xlat.json of such a variant it prints a SKIP naming
#   meta.env's DUMPS).  Under TCG a "full" guest costs ~13 CPU-s more than an "elf:V" one
#   (20.7 against 7.3 for crash-null; docs/testing.md, the cost model).  Boots run under TCG; x86_64 ones under KVM with
# VMDIVE_KVM=1 (see kvm_usable), except a -cpu KVM cannot give (la57: TCG implements it).
#   la57: 5-level paging; arm64 -cpu max: pointer authentication and MTE live, as on current
#   hardware; Debian's 6.12+ arm64 kernels are built for 52-bit VAs (4K: 5 levels, 16K: 4) and
#   fall back at boot to 48 (4K) or 47 (16K) bits on a CPU without FEAT_LPA2 (lpa2=off): the
#   runtime VA size then differs from NUMBER(VA_BITS) and only TCR_EL1_T1SZ tells.
VARIANTS='
# variant           arch   series flavour     qemu -cpu     mem crash      default dumps            cmdline
kaslr               x86_64 6.1    cloud-amd64 qemu64        512 sysrq      yes     full+mdf+sid     -
nokaslr             x86_64 6.1    cloud-amd64 qemu64        512 sysrq      yes     full+mdf         nokaslr
la57                x86_64 6.1    cloud-amd64 qemu64,+la57  512 sysrq      yes     full+mdf         -
kaslr-6.12          x86_64 6.12   cloud-amd64 qemu64        512 sysrq      no      full             -
kaslr-5.10          x86_64 5.10   cloud-amd64 qemu64        512 sysrq      no      full             -
kaslr-sid           x86_64 sid    cloud-amd64 qemu64        512 sysrq      no      full             -
arm64-kaslr         arm64  6.1    arm64       max           512 sysrq      no      full+sid         -
arm64-nokaslr       arm64  6.1    arm64       max           512 sysrq      no      full             nokaslr
arm64-6.12          arm64  6.12   arm64       max           512 sysrq      no      full             -
arm64-6.12-va48     arm64  6.12   arm64       max,lpa2=off  512 sysrq      no      full             -
arm64-16k-6.12      arm64  6.12   arm64-16k   max           512 sysrq      no      full             -
arm64-16k-6.12-va47 arm64  6.12   arm64-16k   max,lpa2=off  512 sysrq      no      full             -
arm64-5.10          arm64  5.10   arm64       max           512 sysrq      no      full             -
arm64-sid           arm64  sid    cloud-arm64 max           512 sysrq      no      full             -
arm64-16k-sid       arm64  sid    arm64-16k   max           512 sysrq      no      full             -
crash-null          x86_64 6.1    cloud-amd64 qemu64        256 null       no      elf:kaslr        vmdive.cpu=0
crash-null-2        x86_64 6.1    cloud-amd64 qemu64        256 null       no      elf:kaslr        vmdive.cpu=1
crash-bug           x86_64 6.1    cloud-amd64 qemu64        256 bug        no      elf:kaslr        -
crash-warn          x86_64 6.1    cloud-amd64 qemu64        256 warn       no      elf:kaslr        panic_on_warn=1
crash-timer         x86_64 6.1    cloud-amd64 qemu64        256 timer      no      elf:kaslr        -
crash-hung          x86_64 6.1    cloud-amd64 qemu64        256 hung       no      elf:kaslr        hung_task_panic=1,sysctl.kernel.hung_task_timeout_secs=2
crash-softlockup    x86_64 6.1    cloud-amd64 qemu64        256 softlockup no      elf:kaslr        softlockup_panic=1,watchdog_thresh=1,vmdive.cpu=1
crash-oom           x86_64 6.1    cloud-amd64 qemu64        256 oom        no      elf:kaslr        sysctl.vm.panic_on_oom=1
crash-gpf           x86_64 6.1    cloud-amd64 qemu64        256 gpf        no      elf:kaslr        -
crash-rcu           x86_64 6.1    cloud-amd64 qemu64        256 rcu        no      elf:kaslr        sysctl.kernel.panic_on_rcu_stall=1,rcupdate.rcu_cpu_stall_timeout=5,vmdive.cpu=1
crash-mce           x86_64 6.12   cloud-amd64 qemu64,+mce,+mca 256 mce    no      elf:kaslr-6.12   vmdive.cpu=0
arm64-crash-null    arm64  6.1    arm64       max           256 null       no      elf:arm64-kaslr  vmdive.cpu=0
arm64-crash-null-2  arm64  6.1    arm64       max           256 null       no      elf:arm64-kaslr  vmdive.cpu=1
arm64-crash-timer   arm64  6.1    arm64       max           256 timer      no      elf:arm64-kaslr  -
zram                x86_64 6.1    cloud-amd64 qemu64        256 sysrq      no      elf:kaslr        vmdive.zram=lzo-rle
zram-sid            x86_64 sid    cloud-amd64 qemu64        256 sysrq      no      elf:kaslr-sid    vmdive.zram=lz4
zram-6.12           x86_64 6.12   cloud-amd64 qemu64        256 sysrq      no      elf:kaslr-6.12   vmdive.zram=zstd
arm64-zram          arm64  6.1    arm64       max           256 sysrq      no      elf:arm64-kaslr  vmdive.zram=lzo-rle
'
table() { sed -e 's/#.*//' -e '/^[[:space:]]*$/d' <<<"$1"; }
# The line of variant $1 (its words); fails for an unknown variant.
variant_row() { table "$VARIANTS" | awk -v v="$1" '$1 == v { print; f = 1 } END { exit !f }'; }
# The line of KERNELS for "ARCH SERIES FLAVOUR".
kernel_row() {
    table "$KERNELS" | awk -v a="$1" -v s="$2" -v f="$3" \
        '$1 == a && $2 == s && $3 == f { print; x = 1 } END { exit !x }'
}
mapfile -t ALL_VARIANTS < <(table "$VARIANTS" | awk '{ print $1 }')
mapfile -t X86_VARIANTS < <(table "$VARIANTS" | awk '$2 == "x86_64" { print $1 }')
mapfile -t ARM64_VARIANTS < <(table "$VARIANTS" | awk '$2 == "arm64" { print $1 }')
mapfile -t DEFAULT_VARIANTS < <(table "$VARIANTS" | awk '$8 == "yes" { print $1 }')
# Every "elf:V" names a "full" variant V of the same kernel, "+mdf" is on an x86_64 variant
# (a mistake in the table stops here).
table "$VARIANTS" | awk '{ k[$1] = $2 " " $3 " " $4; d[$1] = $9; n[NR] = $1 }
    END { for (i = 1; i <= NR; i++) { v = n[i]; c = substr(d[v], 5)
              if (d[v] ~ /^full(\+mdf)?(\+sid)?$/ && (d[v] !~ /mdf/ || k[v] ~ /^x86_64 /)) continue
              if (substr(d[v], 1, 4) != "elf:" || d[c] !~ /^full/ || k[c] != k[v]) {
                  printf "make-dumps: ERROR: VARIANTS: %s: dumps \"%s\": want full[+mdf][+sid] (+mdf: x86_64) or elf:V, V a full variant of its kernel\n", v, d[v] > "/dev/stderr"
                  exit 1 } } }' || exit 1
# The kernel a variant boots ("ARCH SERIES FLAVOUR") and how it dies (sysrq, or a mode of
# samples/crashmod/vmdive_crash.c), read from the table once: warm runs of many variants stay
# quick.
declare -A KERNEL_OF=() CRASH_OF=() DUMPS_OF=()
while read -r _v _a _s _f _c _m _k _d _x _; do
    KERNEL_OF[$_v]="$_a $_s $_f" CRASH_OF[$_v]=$_k DUMPS_OF[$_v]=$_x
done < <(table "$VARIANTS")
unset _v _a _s _f _c _m _k _d _x
kernel_of() { [[ -n ${KERNEL_OF[$1]:-} ]] && echo "${KERNEL_OF[$1]}"; }
BOOT_TIMEOUT=${VMDIVE_BOOT_TIMEOUT:-300}   # arm64 under TCG on a loaded 2-core machine: 2+ min
# Guests booted at once (VMDIVE_BOOT_JOBS): two on a 2-core machine keep both cores busy
# through the mostly single-threaded boots, dumps and qemu-xlat runs.
BOOT_JOBS=${VMDIVE_BOOT_JOBS:-2}
# qemu_fw_cfg must come first: without it QEMU's -device vmcoreinfo note stays empty.
# The others are small, exist as modules in the cloud kernel and load in a bare VM.
MODULES="qemu_fw_cfg dummy loop overlay crc7 async_xor"   # async_xor pulls in xor, async_tx
PROCS="vd-sleeper-a vd-sleeper-b vd-worker-c"

log() { printf 'make-dumps: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
    exit "${1:-0}"
}

variants=() do_mdf=0 force=0
while (($#)); do
    case $1 in
        --variant) [[ $# -ge 2 ]] || usage 2; variants+=("$2"); shift 2 ;;
        --variant=*) variants+=("${1#*=}"); shift ;;
        --arch|--arch=*)
            if [[ $1 == --arch ]]; then [[ $# -ge 2 ]] || usage 2; a=$2; shift; else a=${1#*=}; fi
            shift
            case $a in
                x86_64|amd64) variants+=("${X86_VARIANTS[@]}") ;;
                arm64|aarch64) variants+=("${ARM64_VARIANTS[@]}") ;;
                all) variants+=("${ALL_VARIANTS[@]}") ;;
                *) log "unknown arch: $a (have: x86_64 arm64 all)"; usage 2 ;;
            esac ;;
        --all) variants+=("${ALL_VARIANTS[@]}"); shift ;;
        --makedumpfile) do_mdf=1; shift ;;
        --force) force=1; shift ;;
        -h|--help) usage 0 ;;
        *) log "unknown argument: $1"; usage 2 ;;
    esac
done
((${#variants[@]})) || variants=("${DEFAULT_VARIANTS[@]}")
# Deduplicate, keeping the order given.
declare -A _seen=(); _v=()
for v in "${variants[@]}"; do
    [[ " ${ALL_VARIANTS[*]} " == *" $v "* ]] ||
        die "unknown variant '$v' (have: ${ALL_VARIANTS[*]})"
    [[ -n ${_seen[$v]:-} ]] || _v+=("$v"); _seen[$v]=1
done
variants=("${_v[@]}"); unset _seen _v
arch_of() { local k; k=$(kernel_of "$1"); echo "${k%% *}"; }
want_arch() { local v; for v in "${variants[@]}"; do [[ $(arch_of "$v") == "$1" ]] && return 0; done; return 1; }
# Whether a variant named, of arch $1 (or of kernel "ARCH SERIES FLAVOUR" $1), needs the module.
want_crash() {
    local v k
    for v in "${variants[@]}"; do
        [[ ${CRASH_OF[$v]} != sysrq ]] || continue
        k=${KERNEL_OF[$v]}
        [[ ${k%% *} == "$1" || $k == "$1" ]] && return 0
    done
    return 1
}
[[ $(id -u) == 0 ]] || die "must run as root (apt-get, QEMU dump files)"
mkdir -p "$CACHE/debs" "$CACHE/kernel" "$CACHE/dumps"
# dumps/ holds the VARIANTS' samples and nothing else: the tests that read every sample
# (test_kdump_real, test_elf_real, test_scan_real, test_side_files) walk it.  A directory no
# row names (a variant since dropped, or the dump test_log made there before it moved to
# $CACHE/logwrap) is removed.
for _d in "$CACHE"/dumps/*/; do
    _d=${_d%/}
    [[ " ${ALL_VARIANTS[*]} " == *" ${_d##*/} "* ]] || { log "removing $_d: no VARIANTS row names it"; rm -rf "$_d"; }
done
# This run's own scratch directory (in the cache: downloads move from it into debs/): the
# background jobs' pid and progress files.  Two runs at once (different variants) do not share
# it; both ended with the run.
RUN=$(mktemp -d "$CACHE/.run-XXXXXX")
chmod 755 "$RUN"                 # apt-get downloads as _apt below it
PREFETCH=$RUN/prefetch PREP=$RUN/prep
trap 'kill ${PREFETCH_PID:-} ${prep_pid:-} 2>/dev/null || true; rm -rf "$RUN"' EXIT

# --- packages -------------------------------------------------------------------------------
# The lock timeout matters: provisioning may still be running an apt-get in the background.
APT=(apt-get -y -q -o DPkg::Lock::Timeout=900)
ensure_packages() {
    local missing=() p pkgs=(busybox-static cpio python3 makedumpfile crash python3-drgn zstd
                             xz-utils)
    want_arch x86_64 && pkgs+=(qemu-system-x86)
    want_arch arm64 && pkgs+=(qemu-system-arm)
    ((do_mdf)) && want_arch arm64 && pkgs+=(qemu-user)   # sid's arm64 makedumpfile
    # The test module (build_crashmod): the kernel's build system and a compiler for it.
    want_crash x86_64 && pkgs+=(make gcc libc6-dev)
    want_crash arm64 && pkgs+=(make gcc-aarch64-linux-gnu)
    # vd-zram (build_zram), built statically for the zram variants' guests.
    local v
    for v in "${variants[@]}"; do
        [[ $(variant_row "$v" | awk '{ print $10 }') == *vmdive.zram=* ]] || continue
        if [[ $(arch_of "$v") == arm64 && $(uname -m) != aarch64 ]]; then
            pkgs+=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross)
        else
            pkgs+=(gcc libc6-dev)
        fi
    done
    for p in "${pkgs[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
    done
    ((${#missing[@]})) || return 0
    local t; t=$(now)
    log "installing ${missing[*]}"
    "${APT[@]}" install --no-install-recommends "${missing[@]}" >&2 ||
        { "${APT[@]}" update >&2 &&
          "${APT[@]}" install --no-install-recommends "${missing[@]}" >&2; }
    log "installed packages in $(since "$t")"
}

# The arm64 kernel and busybox come from Debian's arm64 archive: dpkg must know the foreign
# architecture, and the first `apt-get update` after adding it can fail with "package cache was
# built for different architectures" (docs/real-dump-traps.md); a retry works.
ensure_arm64_arch() {
    dpkg --print-foreign-architectures | grep -qx arm64 && return 0
    local t; t=$(now)
    log "adding the arm64 architecture to dpkg"
    dpkg --add-architecture arm64
    "${APT[@]}" update >&2 || "${APT[@]}" update >&2
    log "apt-get update (arm64) in $(since "$t")"
}

# --- kernel ---------------------------------------------------------------------------------
# Per kernel ("ARCH SERIES FLAVOUR", a line of KERNELS): FLAVOUR (the kernel package flavour),
# SERIES, SUITE, DEBARCH (dpkg's name), STAMP (the file naming the release picked), QEMU,
# PKGS, PKG_IMG/PKG_DBG (package names with KVER for the release), RELEASE_RE, MODULES, SUITE_APT
# (apt options of the suite's private state; empty for the host's own); set by use_kernel,
# with KVER and K once the kernel is picked.
DEFAULT_MODULES=$MODULES
use_kernel() {
    local row pk mods
    row=$(kernel_row "$1" "$2" "$3") || die "no line in KERNELS for kernel '$1 $2 $3'"
    read -r ARCH SERIES FLAVOUR SUITE pk RELEASE_RE mods <<<"$row"
    IFS=, read -r -a PKGS <<<"$pk"
    PKG_IMG=${PKGS[0]} PKG_DBG=${PKGS[-1]}
    MODULES=$DEFAULT_MODULES
    [[ $mods == - ]] || MODULES=${mods//,/ }
    case $ARCH in
        x86_64) DEBARCH=amd64 QEMU=qemu-system-x86_64 ;;
        arm64) DEBARCH=arm64 QEMU=qemu-system-aarch64 ;;
    esac
    STAMP=$(stamp_of "$SERIES" "$FLAVOUR")
    SUITE_APT=()
    [[ $SUITE == host ]] || suite_apt "$SUITE"
    KO=() SEEN=() ORDER=()
}
# The 6.1 stamps keep their first names so existing caches stay valid.
stamp_of() {
    case $1/$2 in
        6.1/cloud-amd64) echo "$CACHE/kernel/CURRENT" ;;
        6.1/arm64) echo "$CACHE/kernel/CURRENT-arm64" ;;
        *) echo "$CACHE/kernel/CURRENT-$1-$2" ;;
    esac
}
pkg_of() { echo "${1//KVER/$2}"; }

# A Debian release other than the host's (bullseye, sid): its package index, for amd64 and
# arm64, in a private apt state $CACHE/apt/SUITE (sources list naming the mirror of the
# system's own apt sources, lists, cache; the system's dpkg status and locks are not touched).
# Sets SUITE_APT to the options that make apt-get/apt-cache read it.  The index is fetched
# when it is missing, and again when a package it names cannot be downloaded any more.
suite_apt() {
    local suite=$1 S=$CACHE/apt/$1 mirror t
    SUITE_APT=(-o Dir::Etc::SourceList="$S/sources.list" -o Dir::Etc::SourceParts=/dev/null
               -o Dir::State::Lists="$S/lists" -o Dir::Cache="$S/cache"
               -o Dir::State::status=/dev/null -o APT::Architecture=amd64
               -o APT::Architectures::=amd64 -o APT::Architectures::=arm64)
    [[ -e $S/done ]] && return
    suite_update "$suite"
}
suite_update() {
    local suite=$1 S=$CACHE/apt/$1 mirror t
    t=$(now)
    mirror=$(debian_mirror) ||
        die "no Debian archive for this release in /etc/apt/sources.list{,.d/*}: cannot read Debian $suite"
    rm -f "$S/done"
    mkdir -p "$S/lists/partial" "$S/cache/archives/partial"
    echo "deb [arch=amd64,arm64] $mirror $suite main" >"$S/sources.list"
    log "reading Debian $suite's package index (amd64, arm64) from $mirror"
    apt-get "${SUITE_APT[@]}" -q update >"$S/apt.log" 2>&1 || {
        tail -n 5 "$S/apt.log" >&2
        die "cannot read Debian $suite's package index (see $S/apt.log)"; }
    touch "$S/done"
    log "Debian $suite's index read in $(since "$t")"
}

# Whether release $1 has -unsigned and -dbg candidates of the same version (printed).
kernel_ok() {
    local img dbg vi vd
    img=$(pkg_of "$PKG_IMG" "$1"):$DEBARCH dbg=$(pkg_of "$PKG_DBG" "$1"):$DEBARCH
    vi=$(apt-cache "${SUITE_APT[@]}" policy "$img" 2>/dev/null | awk '/Candidate:/ { print $2 }')
    vd=$(apt-cache "${SUITE_APT[@]}" policy "$dbg" 2>/dev/null | awk '/Candidate:/ { print $2 }')
    [[ -n $vi && $vi != "(none)" && $vi == "$vd" ]] && echo "$vi"
}

# Newest release of the series and flavour whose -unsigned and -dbg candidates have the same
# version; for arm64 the release of the x86_64 kernel of the series when it has one, so both
# arches run the same kernel source. Picked once: later runs reuse the stamp so dumps and
# vmlinux never drift apart.
pick_kernel() {
    if [[ -s $STAMP ]]; then KVER=$(<"$STAMP"); K=$CACHE/kernel/$KVER; return; fi
    local list kv vi x86 re kvs pre=${PKG_IMG%%KVER*} post=${PKG_IMG#*KVER}
    re="^$pre$RELEASE_RE-$FLAVOUR$post\$"      # (the package templates hold no ERE characters)
    list=$(apt-cache "${SUITE_APT[@]}" search --names-only "$re")
    if [[ -z $list ]]; then
        if ((${#SUITE_APT[@]})); then suite_update "$SUITE"; else "${APT[@]}" update >&2; fi
        list=$(apt-cache "${SUITE_APT[@]}" search --names-only "$re")
    fi
    kvs=$(sed -nE "s/^${pre}(.*)-$FLAVOUR${post} .*/\1-$FLAVOUR/p" <<<"$list" | sort -rVu)
    x86=$(stamp_of "$SERIES" cloud-amd64)
    if [[ $ARCH == arm64 && -s $x86 ]]; then
        kvs="$(sed "s/-cloud-amd64\$/-$FLAVOUR/" "$x86") $kvs"
    fi
    for kv in $kvs; do
        if vi=$(kernel_ok "$kv"); then
            KVER=$kv K=$CACHE/kernel/$kv
            echo "$KVER" >"$STAMP"
            log "picked kernel $KVER ($vi, Debian ${SUITE/#host/$(. /etc/os-release && echo "$VERSION_CODENAME")})"
            return
        fi
    done
    die "no $(pkg_of "$PKG_IMG" "<$SERIES release>-$FLAVOUR") with a matching $(pkg_of "$PKG_DBG" "…") in Debian $SUITE"
}

deb_of() { compgen -G "$CACHE/debs/${1}_*_$DEBARCH.deb" | sort -V | tail -n1 || true; }

# The kernels' .debs (6.8 GB for --all, ~6 min at 18 MB/s) are downloaded by one background
# job, one kernel after the other in the order they are used, while the first kernels are
# extracted and booted: the wait for the network overlaps the CPU work instead of adding to
# it.  The job works in $RUN/prefetch/KVER/ and moves a kernel's .debs into $CACHE/debs when
# all of them are there, then writes prefetch/KVER.done; fetch_kernel waits for that
# (or for the job to end) and downloads whatever is still missing itself, as it did before
# (refreshing a private index whose .debs were superseded).  Started after every kernel was
# picked (pick_kernel, in the foreground), as a grandchild: the boot loop's `wait -n` must not
# see it.
PREFETCH_PID="" prep_pid=""
prefetch_debs() {
    local k p missing d
    mkdir -p "$PREFETCH"
    chown _apt "$PREFETCH" 2>/dev/null || true
    ( (
        for k in "$@"; do
            # shellcheck disable=SC2086  # "ARCH SERIES FLAVOUR" splits on purpose
            use_kernel $k
            KVER=$(<"$STAMP")
            missing=()
            for p in "${PKGS[@]}"; do
                p=$(pkg_of "$p" "$KVER"); [[ -n $(deb_of "$p") ]] || missing+=("$p:$DEBARCH")
            done
            if ((${#missing[@]})); then
                d=$PREFETCH/$KVER
                mkdir -p "$d"; chown _apt "$d" 2>/dev/null || true
                (cd "$d" && apt-get "${SUITE_APT[@]}" -qq download "${missing[@]}" \
                     >"$PREFETCH/$KVER.log" 2>&1) && mv "$d"/*.deb "$CACHE/debs/"
            fi
            touch "$PREFETCH/$KVER.done"
        done
        # Then the sid tools the run needs (sid_makedumpfile, sid_oracles: downloads too).
        local v debarchs=" "
        for v in "${variants[@]}"; do
            if ((do_mdf)) && [[ ${DUMPS_OF[$v]} == *+sid* ]]; then
                case $(arch_of "$v") in x86_64) debarchs+="amd64 " ;; arm64) debarchs+="arm64 " ;; esac
            fi
        done
        [[ $debarchs != *" amd64 "* ]] || sid_makedumpfile amd64
        [[ $debarchs != *" arm64 "* ]] || sid_makedumpfile arm64
        for v in "${variants[@]}"; do
            if [[ $(kernel_of "$v") == *" sid "* ]]; then sid_oracles; break; fi
        done
        touch "$PREFETCH/sid-tools.done"
    ) </dev/null >&2 & echo $! >"$PREFETCH/pid" )
    PREFETCH_PID=$(<"$PREFETCH/pid")
}
# Waits until the background job is done with kernel $1 (or is gone).
prefetch_wait() {
    [[ -n $PREFETCH_PID ]] || return 0
    local t; t=$(now)
    while [[ ! -e $PREFETCH/$1.done ]] && kill -0 "$PREFETCH_PID" 2>/dev/null; do sleep 0.1; done
    [[ $(since "$t") == 0.* ]] || log "waited $(since "$t") for the download of $1's packages"
}

fetch_kernel() {
    local p t pkgs=() debs=() missing=()
    prefetch_wait "$KVER"
    for p in "${PKGS[@]}"; do pkgs+=("$(pkg_of "$p" "$KVER")"); done
    for p in "${pkgs[@]}"; do [[ -n $(deb_of "$p") ]] || missing+=("$p:$DEBARCH"); done
    if ((${#missing[@]})); then
        t=$(now)
        log "downloading ${missing[*]} (~300 MB amd64 / ~860 MB arm64)"
        # _apt must be able to write here, else apt-get warns and downloads unsandboxed.
        chown _apt "$CACHE/debs" 2>/dev/null || true
        (cd "$CACHE/debs" && apt-get "${SUITE_APT[@]}" -qq download "${missing[@]}" >&2) || {
            # A private index may be older than the archive (a superseded .deb is gone).
            ((${#SUITE_APT[@]})) || die "downloading ${missing[*]} failed"
            suite_update "$SUITE"
            (cd "$CACHE/debs" && apt-get "${SUITE_APT[@]}" -qq download "${missing[@]}" >&2) ||
                die "downloading ${missing[*]} from Debian $SUITE failed"; }
        log "downloaded in $(since "$t")"
    fi
    if [[ $ARCH == arm64 ]]; then fetch_busybox_arm64; fi
    [[ -s $K/vmlinuz && -d $K/modules ]] && return
    t=$(now)
    log "extracting the kernel image and its modules into $K"
    local tmp=$K.tmp f
    rm -rf "$tmp"; mkdir -p "$tmp/img"
    for p in "${pkgs[@]::${#pkgs[@]}-1}"; do dpkg-deb -x "$(deb_of "$p")" "$tmp/img"; done
    mkdir -p "$K"
    # The image and the modules: boot/ and lib/modules/ (Debian 12, 11), or all under
    # usr/lib/modules/KVER/ (sid's linux-binary-KVER and linux-modules-KVER).
    # (The image package's own System.map is an 83-byte placeholder: the -dbg one is used,
    # fetch_debug.)
    first_file() { for f; do [[ -f $f && ! -L $f ]] && { echo "$f"; return; }; done; return 1; }
    f=$(first_file "$tmp/img/boot/vmlinuz-$KVER" "$tmp/img/usr/lib/modules/$KVER/vmlinuz") ||
        die "no vmlinuz in ${pkgs[*]::${#pkgs[@]}-1}"
    mv "$f" "$K/vmlinuz"
    # arm64: QEMU's -kernel takes the raw Image; decompress it should a vmlinuz be gzip'd.
    if [[ $ARCH == arm64 ]] && gzip -t "$K/vmlinuz" 2>/dev/null; then
        gzip -dc "$K/vmlinuz" >"$K/vmlinuz.raw" && mv "$K/vmlinuz.raw" "$K/vmlinuz"
    fi
    if [[ $ARCH == arm64 ]]; then unzboot "$K/vmlinuz"; fi
    rm -rf "$K/modules"
    if [[ -d $tmp/img/lib/modules/$KVER/kernel ]]; then mv "$tmp/img/lib/modules/$KVER" "$K/modules"
    else mv "$tmp/img/usr/lib/modules/$KVER" "$K/modules" || die "no modules in ${pkgs[*]}"; fi
    rm -rf "$tmp"
    log "extracted in $(since "$t")"
}

# An arm64 kernel built with CONFIG_EFI_ZBOOT is a PE/EFI application around the compressed
# Image ("zimg" at offset 4; payload offset and size at 8 and 12, the compression's name at
# 24, drivers/firmware/efi/libstub/zboot-header.S): QEMU 7.2's -kernel cannot boot that, so
# the payload is decompressed in place.  A raw Image (or anything else) is left alone.
unzboot() {
    local f=$1 off size comp
    [[ $(dd if="$f" bs=1 skip=4 count=4 2>/dev/null) == zimg ]] || return 0
    read -r off size < <(od -An -j8 -N8 -tu4 "$f")
    comp=$(dd if="$f" bs=1 skip=24 count=8 2>/dev/null | tr -d '\0')
    log "vmlinuz is an EFI zboot image ($comp payload of $size bytes): decompressing"
    case $comp in
        gzip) tail -c +$((off + 1)) "$f" | head -c "$size" | gzip -dc ;;
        zstd|zstd22) tail -c +$((off + 1)) "$f" | head -c "$size" | zstd -qdc ;;
        xz) tail -c +$((off + 1)) "$f" | head -c "$size" | xz -dc ;;
        *) die "zboot payload compressed with '$comp': not handled" ;;
    esac >"$f.raw" && mv "$f.raw" "$f"
}

# What the samples use of the -dbg package (samples/extract-dbg.py): the vmlinux and System.map
# ($K/vmlinux, $K/System.map) and the debug files of the modules the initramfs loads (vmdive
# --module-debug, the oracles' module debuginfo; test_module_types reads every one of them)
# into $K/modules-dbg/ (the package's tree below lib/modules/KVER).  The rest of the package is
# 1.2-5 GB of other modules' DWARF.  extract-dbg.py decompresses only the package's xz blocks
# (24 MiB of tar each) that hold these files, found by their paths (the image package's, in
# $K/modules): 0.7-1.0 GB of tar a kernel instead of reading up to the last wanted member
# (1.4 GB for amd64 6.1, 4-5 GB for arm64, all of sid's, whose vmlinux comes last);
# 14-19 CPU-s a kernel instead of 30-200 (docs/testing.md).  Only what is missing is
# extracted: the stamp $K/modules-dbg/.modules lists the modules, so a changed module list
# gets them without downloading anything.
fetch_debug() {
    local dir=$K/modules-dbg tmp=$K/dbg.tmp f t args=() mods=0 m
    if [[ ! -s $K/vmlinux || ! -s $K/System.map ]]; then args+=(--vmlinux); fi
    if [[ ! -s $dir/.modules || $(<"$dir/.modules") != "$INITRD_MODULES" ]]; then
        # Each module by its path in the image package (kernel/fs/overlayfs/overlay.ko), else
        # by name (extract-dbg.py then reads the package in order).
        ((${#KO[@]})) || index_modules
        for m in $INITRD_MODULES; do
            f=${KO[$m]:-}
            if [[ -n $f ]]; then f=${f#"$K/modules/"} f=${f%.xz} f=${f%.zst}; args+=("$f")
            else args+=("$m"); fi
        done
        mods=1
    fi
    ((${#args[@]})) || return 0
    t=$(now)
    local what=""
    [[ ${args[0]} == --vmlinux ]] && what="vmlinux, System.map and "
    ((mods)) && what+="the debug files of $INITRD_MODULES "
    log "extracting ${what}from $(pkg_of "$PKG_DBG" "$KVER")"
    rm -rf "$tmp"; mkdir -p "$tmp"
    "$PY" "$HERE/extract-dbg.py" "$(deb_of "$(pkg_of "$PKG_DBG" "$KVER")")" "$tmp" "$KVER" \
        "${args[@]}" 2>"$tmp.log" || {
        cat "$tmp.log" >&2; die "vmlinux-$KVER or System.map-$KVER not found in $PKG_DBG"; }
    # Debug files of modules a name the package spells otherwise, or a package read in order:
    # said, not fatal (as before).
    sed 's/^extract-dbg: /WARNING: /' "$tmp.log" | while read -r f; do log "$f"; done
    rm -f "$tmp.log"
    if [[ -s $tmp/vmlinux ]]; then
        # crash's gdb reads the whole DWARF of a vmlinux without an index at every start (16
        # CPU-s for 6.1's): a .gdb_index (gdb-add-index, ~11 CPU-s once) makes that 7, and the
        # tests start crash about 40 times on the x86_64 kernels (no crash here reads arm64
        # dumps).  The build-id and the DWARF are unchanged: vmdive and drgn read it the same.
        if [[ $ARCH == x86_64 ]] && command -v gdb-add-index >/dev/null; then
            gdb-add-index "$tmp/vmlinux" >"$tmp.gdb.log" 2>&1 ||
                { cat "$tmp.gdb.log" >&2; log "WARNING: gdb-add-index failed: crash starts slower"; }
            rm -f "$tmp.gdb.log"
        fi
        mv "$tmp/vmlinux" "$K/vmlinux"; mv "$tmp/System.map" "$K/System.map"
    fi
    if ((mods)); then
        find "$tmp" -name '*.ko.xz' -exec xz -d {} + 2>/dev/null || true
        find "$tmp" -name '*.ko.zst' -exec zstd -q -d --rm {} + 2>/dev/null || true
        rm -rf "$dir"
        if [[ -d $tmp/modules-dbg ]]; then mv "$tmp/modules-dbg" "$dir"; else mkdir -p "$dir"; fi
        echo "$INITRD_MODULES" >"$dir/.modules"
    fi
    rm -rf "$tmp"
    log "debug files extracted in $(since "$t")"
}

# The arm64 initramfs needs an arm64 busybox: busybox-static:arm64's binary, kept in $K.
fetch_busybox_arm64() {
    [[ -s $K/busybox ]] && return
    local deb tmp=$CACHE/kernel/busybox.tmp
    deb=$(compgen -G "$CACHE/debs/busybox-static_*_arm64.deb" | sort -V | tail -n1 || true)
    if [[ -z $deb ]]; then
        (cd "$CACHE/debs" && apt-get -qq download busybox-static:arm64 >&2)
        deb=$(compgen -G "$CACHE/debs/busybox-static_*_arm64.deb" | sort -V | tail -n1)
    fi
    rm -rf "$tmp"; mkdir -p "$tmp" "$K"
    dpkg-deb -x "$deb" "$tmp"
    mv "$tmp/bin/busybox" "$K/busybox"
    rm -rf "$tmp"
}

# --- initramfs ------------------------------------------------------------------------------
# Prints module names in load order (dependencies first), from each .ko's .modinfo depends=.
declare -A KO=()
index_modules() {
    local f n
    while IFS= read -r f; do
        n=${f##*/}; n=${n%%.ko*}; KO[${n//-/_}]=$f
    done < <(find "$K/modules/kernel" -name '*.ko*')
}
modinfo_depends() {
    local f=${KO[$1]:?module $1 not found in $KVER}
    case $f in
        *.ko.xz) xz -dc "$f" ;; *.ko.zst) zstd -qdc "$f" ;; *) cat "$f" ;;
    esac | tr '\0' '\n' | sed -n 's/^depends=//p' | head -n1 | tr ',' ' '
}
declare -A SEEN=()
ORDER=()
add_module() {
    local d m=${1//-/_}         # depends= may spell a name with '-' (arm64: xor-neon)
    [[ -n ${SEEN[$m]:-} ]] && return; SEEN[$m]=1
    for d in $(modinfo_depends "$m"); do add_module "$d"; done
    ORDER+=("$m")
}

build_initrd() {
    # The cache key covers this function's text and the lists, so editing either rebuilds.
    local key; key=$({ declare -f build_initrd; echo "$MODULES|$PROCS|$ARCH"; } | md5sum |
                     cut -c1-8)
    INITRD=$K/initrd-$key.img
    [[ -s $INITRD ]] && { INITRD_MODULES=$(<"$INITRD.modules"); return; }
    local t root=$K/initrd.tmp m f; t=$(now)
    log "building initramfs"
    rm -rf "$root"; mkdir -p "$root"/{bin,dev,proc,sys,tmp,lib/modules}
    if [[ $ARCH == arm64 ]]; then cp "$K/busybox" "$root/bin/busybox"
    else cp /bin/busybox "$root/bin/busybox"; fi
    index_modules
    for m in $MODULES; do add_module "$m"; done
    for m in "${ORDER[@]}"; do
        f=${KO[$m]}
        case $f in
            *.ko.xz) xz -dc "$f" ;; *.ko.zst) zstd -qdc "$f" ;; *) cat "$f" ;;
        esac >"$root/lib/modules/$m.ko"
    done
    printf '%s\n' "${ORDER[@]}" >"$root/lib/modules/order"
    # Each named process is a tiny script: exec of a script sets comm to the script's name,
    # while busybox itself would refuse an unknown applet name in argv[0].
    for m in $PROCS; do
        printf '#!/bin/sh\nwhile :; do sleep 1000; done\n' >"$root/bin/$m"
        chmod 755 "$root/bin/$m"
    done
    cat >"$root/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in $(cat /lib/modules/order); do
    insmod /lib/modules/$m.ko || echo "vmdive-init: insmod $m FAILED"
done
for w in $(cat /proc/cmdline); do
    case $w in
        vmdive.variant=*) VARIANT=${w#*=} ;;
        vmdive.marker=*) MARKER=${w#*=} ;;
        vmdive.procs=*) PROCS=$(echo "${w#*=}" | tr , ' ') ;;
        vmdive.crash=*) CRASH=${w#*=} ;;
        vmdive.cpu=*) CPU=${w#*=} ;;
        vmdive.zram=*) ZRAM=${w#*=} ;;
    esac
done
# The test module (the second cpio archive of a crash variant's initramfs, build_crashmod):
# loaded with the others, so /proc/modules below lists it; nothing dies before its trigger.
if [ -n "$CRASH" ] && [ "$CRASH" != sysrq ]; then
    insmod /lib/modules/vmdive_crash.ko mode=$CRASH cpu=${CPU:-0} ||
        echo "vmdive-init: insmod vmdive_crash FAILED"
fi
for p in $PROCS; do /bin/$p & done
# The zram variants (vmdive.zram=ALGORITHM; build_zram adds the modules and /bin/vd-zram as a
# second cpio archive): a zram swap device compressing with ALGORITHM, and vd-zram, which
# pages most of its known pages out to it; the crash waits for its line.
if [ -n "$ZRAM" ]; then
    for m in $(cat /lib/modules/zram-order); do
        insmod /lib/modules/$m.ko || echo "vmdive-init: insmod $m FAILED"
    done
    { echo "$ZRAM" >/sys/block/zram0/comp_algorithm && echo 16M >/sys/block/zram0/disksize &&
      mkswap /dev/zram0 >/dev/null && swapon /dev/zram0; } || echo "vmdive-init: zram swap FAILED"
    echo "vmdive-init: zram0 $(cat /sys/block/zram0/comp_algorithm)"
    VDZRAM_ENV=$MARKER /bin/vd-zram $MARKER >/tmp/vd-zram.out 2>&1 &
    n=0
    until grep -q '^vd-zram: pid' /tmp/vd-zram.out || [ $n -ge 120 ]; do sleep 1; n=$((n + 1)); done
    grep -q '^vd-zram: pid' /tmp/vd-zram.out || echo "vmdive-init: vd-zram FAILED"
    echo "vmdive-init: zram0 mm_stat $(cat /sys/block/zram0/mm_stat)"
fi
sleep 1
echo "vmdive-init: modules: $(cut -d' ' -f1 /proc/modules | tr '\n' ' ')"
# Where samples/qemu-xlat.py picks kernel VAs for QEMU to translate: RAM, modules, vmalloc
# areas, a few symbols.  kptr_restrict=1 shows root (CAP_SYSLOG) the real addresses behind
# %pK (/proc/vmallocinfo).
echo 1 >/proc/sys/kernel/kptr_restrict
{
    grep ' : System RAM$' /proc/iomem | sed 's/^/ram /'
    sed 's/^/mod /' /proc/modules
    sed 's/^/vma /' /proc/vmallocinfo
    grep -m 2 -E ' (_text|_stext)$' /proc/kallsyms | sed 's/^/sym /'   # near its start
} | sed 's/^/vmdive-xlat: /'
echo "VMDIVE-MARKER $VARIANT $MARKER" >/dev/kmsg
# How it dies: sysrq-c, or the test module's mode, started by a write to its trigger from a
# shell pinned to CPU $CPU.
case ${CRASH:-sysrq} in
    sysrq) echo c >/proc/sysrq-trigger ;;
    *)
        taskset -c ${CPU:-0} sh -c 'echo 1 >/sys/kernel/vmdive_crash/trigger' ||
            echo "vmdive-init: trigger FAILED" ;;
esac
# init must not exit (that panics too): wait for the crash.
while :; do sleep 60; done
EOF
    chmod 755 "$root/init"
    (cd "$root" && find . | sort | cpio -o -H newc --quiet | gzip -9) >"$INITRD.tmp"
    echo "${ORDER[*]}" >"$INITRD.modules"
    mv "$INITRD.tmp" "$INITRD"
    rm -rf "$root"
    INITRD_MODULES=${ORDER[*]}
    log "initramfs built in $(since "$t") (modules: $INITRD_MODULES)"
}

# --- the test module ------------------------------------------------------------------------
# samples/crashmod/vmdive_crash.c, built out of tree against Debian's linux-headers-KVER of the
# booted kernel, for the variants whose crash is one of its modes.  The headers package is
# unpacked (not installed: the arm64 one is a foreign-architecture package) into $K/headers,
# its scripts/ and tools/ pointed at the host's linux-kbuild-X.Y (build tools of the host's
# architecture, the same version by the package's Depends), which is installed with the
# arch-independent linux-headers-...-common its Makefile includes.  A cross build for arm64
# (ARCH=arm64, CROSS_COMPILE=aarch64-linux-gnu-: the headers' Makefile calls
# $(CROSS_COMPILE)gcc-12).  Sets CRASHMOD (the .ko, with its DWARF: --module-debug) and
# INITRD_CRASH: the initramfs with the .ko added as a second cpio archive (the kernel unpacks
# concatenated archives in turn), so the initramfs of the sysrq variants does not change.
build_crashmod() {
    CRASHMOD="" INITRD_CRASH=""
    want_crash "$ARCH $SERIES $FLAVOUR" || return 0
    local src=$HERE/crashmod key dir t hdr=linux-headers-$KVER deb deps=() d H root
    key=$({ declare -f build_crashmod; cat "$src/vmdive_crash.c" "$src/Makefile"; } | md5sum |
          cut -c1-8)
    dir=$K/crashmod-$key
    CRASHMOD=$dir/vmdive_crash.ko INITRD_CRASH=${INITRD%.img}-crash-$key.img
    [[ -s $CRASHMOD && -s $INITRD_CRASH ]] && return
    [[ $SUITE == host ]] ||
        die "the test module needs $hdr from this system's Debian release (suite '$SUITE')"
    t=$(now)
    deb=$(deb_of "$hdr")
    if [[ -z $deb ]]; then
        chown _apt "$CACHE/debs" 2>/dev/null || true
        (cd "$CACHE/debs" && apt-get -qq download "$hdr:$DEBARCH" >&2) ||
            die "downloading $hdr:$DEBARCH failed"
        deb=$(deb_of "$hdr")
    fi
    # Depends: linux-headers-X-common (= V), linux-kbuild-X.Y (>= V), gcc-12; 6.12's also
    # linux-base and linux-image-KVER, which a build needs not (and which would install a
    # kernel on this system): only the build system is taken.
    for d in $(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed -E 's/^ *([^ (]+).*/\1/'); do
        [[ $d == linux-headers-* || $d == linux-kbuild-* || $d == linux-compiler-* ]] &&
            deps+=("$d")
    done
    ((${#deps[@]})) || die "$hdr: no linux-headers-*-common / linux-kbuild-* in its Depends"
    for d in "${deps[@]}"; do
        dpkg-query -W -f='${Status}' "$d" 2>/dev/null | grep -q 'ok installed' && continue
        log "installing ${deps[*]} (the kernel's build system, for the test module)"
        "${APT[@]}" install --no-install-recommends "${deps[@]}" >&2 ||
            { "${APT[@]}" update >&2 &&
              "${APT[@]}" install --no-install-recommends "${deps[@]}" >&2; } ||
            die "installing ${deps[*]} failed"
        break
    done
    rm -rf "$K/headers"; mkdir -p "$K/headers"
    dpkg-deb -x "$deb" "$K/headers"
    H=$K/headers/usr/src/$hdr
    [[ -f $H/Makefile ]] || die "$hdr: no usr/src/$hdr/Makefile"
    for d in scripts tools; do
        # ../../lib/linux-kbuild-X.Y/scripts, relative to /usr/src/$hdr: made absolute.
        [[ -L $H/$d ]] && ln -sfn "$(realpath -m "/usr/src/$hdr/$(readlink "$H/$d")")" "$H/$d"
        [[ -e $H/$d/ ]] || die "$hdr: $d/ -> $(readlink "$H/$d") does not exist"
    done
    local cross=()
    case $ARCH/$(uname -m) in
        arm64/aarch64|x86_64/x86_64) ;;
        arm64/*) cross=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-) ;;
        x86_64/*) cross=(ARCH=x86 CROSS_COMPILE=x86_64-linux-gnu-) ;;
    esac
    rm -rf "$dir" "$dir.tmp"; mkdir -p "$dir.tmp"
    cp "$src/vmdive_crash.c" "$src/Makefile" "$dir.tmp/"
    make -C "$dir.tmp" KDIR="$H" "${cross[@]}" >"$dir.tmp/build.log" 2>&1 || {
        tail -n 20 "$dir.tmp/build.log" >&2; die "building the test module against $hdr failed"; }
    mv "$dir.tmp" "$dir"
    root=$K/crashmod.tmp
    rm -rf "$root"; mkdir -p "$root/lib/modules"
    cp "$CRASHMOD" "$root/lib/modules/vmdive_crash.ko"
    { cat "$INITRD"; (cd "$root" && find . | sort | cpio -o -H newc --quiet | gzip -9); } \
        >"$INITRD_CRASH.tmp"
    mv "$INITRD_CRASH.tmp" "$INITRD_CRASH"
    rm -rf "$root"
    log "test module built against $hdr in $(since "$t") ($CRASHMOD)"
}

# --- the zram variants ----------------------------------------------------------------------
# A variant whose command line has vmdive.zram=ALGORITHM boots with a zram swap device and
# samples/guest/vd-zram (its known pages paged out to the device).  build_zram adds, as a second
# cpio archive after the kernel's initramfs (like build_crashmod), the modules zram needs
# (zsmalloc, zram, and the compressors lzo, lzo-rle, lz4, zstd with their dependencies: the
# algorithm is picked at boot) with /lib/modules/zram-order, and /bin/vd-zram built statically
# by the host's compiler (arm64: aarch64-linux-gnu-gcc).  Sets INITRD_ZRAM.
want_zram() {
    local v
    for v in "${variants[@]}"; do
        [[ ${KERNEL_OF[$v]} == "$1" ]] || continue
        [[ $(variant_row "$v" | awk '{ print $10 }') == *vmdive.zram=* ]] && return 0
    done
    return 1
}
build_zram() {
    INITRD_ZRAM=""
    want_zram "$ARCH $SERIES $FLAVOUR" || return 0
    local src=$HERE/guest/vd-zram.c key root t m f cc=gcc mods=(zram lzo lzo_rle lz4 zstd)
    key=$({ declare -f build_zram; cat "$src"; echo "$INITRD"; } | md5sum | cut -c1-8)
    INITRD_ZRAM=${INITRD%.img}-zram-$key.img
    [[ -s $INITRD_ZRAM ]] && return
    t=$(now)
    [[ $ARCH == arm64 && $(uname -m) != aarch64 ]] && cc=aarch64-linux-gnu-gcc
    root=$K/zram.tmp
    rm -rf "$root"; mkdir -p "$root/lib/modules" "$root/bin"
    "$cc" -static -O2 -o "$root/bin/vd-zram" "$src" || die "building vd-zram with $cc failed"
    # add_module resolves dependencies; SEEN is reset so the base modules are listed again only
    # when a zram module needs them (insmod of a loaded module fails: they are left out).
    local -A base=(); for m in $INITRD_MODULES; do base[$m]=1; done
    ((${#KO[@]})) || index_modules
    # A compressor with no module is built in (sid's 7.2: zram's backends call lib/lzo and
    # lib/lz4, built in; zsmalloc too); zram itself must be a module.
    [[ -n ${KO[zram]:-} ]] || die "no zram module in $KVER"
    SEEN=() ORDER=()
    for m in "${mods[@]}"; do [[ -n ${KO[$m]:-} ]] && add_module "$m"; done
    local order=()
    for m in "${ORDER[@]}"; do
        [[ -n ${base[$m]:-} ]] && continue
        f=${KO[$m]}
        case $f in
            *.ko.xz) xz -dc "$f" ;; *.ko.zst) zstd -qdc "$f" ;; *) cat "$f" ;;
        esac >"$root/lib/modules/$m.ko"
        order+=("$m")
    done
    printf '%s\n' "${order[@]}" >"$root/lib/modules/zram-order"
    { cat "$INITRD"; (cd "$root" && find . | sort | cpio -o -H newc --quiet | gzip -9); } \
        >"$INITRD_ZRAM.tmp"
    mv "$INITRD_ZRAM.tmp" "$INITRD_ZRAM"
    rm -rf "$root"
    log "zram initramfs built in $(since "$t") (modules: ${order[*]})"
}

# --- QMP ------------------------------------------------------------------------------------
# Tiny QMP client: stop the (panicked) guest, write the dumps named (elf, kdump-zlib: files
# vmcore.FORMAT); the guest stays stopped for qemu-xlat.py, which quits QEMU, unless the last
# word is "quit".  dump-guest-memory runs detached and is polled with query-dump, so a slow
# dump never trips a socket timeout.
qmp_dump() {
    "$PY" - "$@" <<'EOF'
import json, socket, sys, time
sock_path, outdir, fmts = sys.argv[1], sys.argv[2], sys.argv[3:]
quit = fmts[-1:] == ["quit"]
fmts = fmts[:-1] if quit else fmts
s = socket.socket(socket.AF_UNIX); s.connect(sock_path); f = s.makefile("rw")
def cmd(name, **args):
    f.write(json.dumps({"execute": name, "arguments": args}) + "\n"); f.flush()
    while True:
        r = json.loads(f.readline())
        if "return" in r: return r["return"]
        if "error" in r: sys.exit("QMP %s: %s" % (name, r["error"]))
json.loads(f.readline())                                # greeting
cmd("qmp_capabilities"); cmd("stop")
for fmt in fmts:
    name = "vmcore." + fmt
    t = time.time()
    cmd("dump-guest-memory", paging=False, protocol="file:%s/%s" % (outdir, name),
        detach=True, format=fmt)
    while True:
        st = cmd("query-dump")
        if st["status"] == "completed": break
        if st["status"] == "failed": sys.exit("dump %s failed" % fmt)
        time.sleep(0.1)
    print("make-dumps: dump %s: %.1fs" % (fmt, time.time() - t), file=sys.stderr)
if quit:
    try:
        cmd("quit")
    except (ValueError, OSError):                       # QEMU may close the socket first
        pass
EOF
}

# One HMP command over QMP (human-monitor-command); prints what the monitor answered.
qmp_hmp() {
    "$PY" - "$@" <<'EOF'
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); f = s.makefile("rw")
def cmd(name, **args):
    f.write(json.dumps({"execute": name, "arguments": args}) + "\n"); f.flush()
    while True:
        r = json.loads(f.readline())
        if "return" in r: return r["return"]
        if "error" in r: sys.exit("QMP %s: %s" % (name, r["error"]))
json.loads(f.readline())                                # greeting
cmd("qmp_capabilities")
sys.stdout.write(cmd("human-monitor-command", **{"command-line": sys.argv[2]}))
EOF
}

# The machine check of the mce crash kind: uncorrected (MCi_STATUS VAL|UC|EN|PCC, bank 1)
# with MCG_STATUS MCIP|EIPV (no RIPV: not restartable), on the vCPU the module waits on;
# the kernel's severity rules call a processor-context-corrupt error fatal.  EIPV makes the
# kernel print the interrupted instruction ("RIP 10:<...> {function+off/size [module]}"):
# its panic prints no stack trace (oops_in_progress is 2 by then), so that line is the
# log's only word on where the CPU was.
MCE_STATUS=0xb200000000000000 MCE_MCG_STATUS=0x6

# --- VMCOREINFO -----------------------------------------------------------------------------
# Prints the VMCOREINFO note text of an ELF vmcore (honours e_phoff: QEMU puts phdrs at 0xc0).
vmcoreinfo_of() {
    "$PY" - "$1" <<'EOF'
import struct, sys
with open(sys.argv[1], "rb") as f:
    eh = f.read(64)
    phoff, = struct.unpack_from("<Q", eh, 32); phentsize, phnum = struct.unpack_from("<HH", eh, 54)
    f.seek(phoff); ph = f.read(phentsize * phnum)
    for i in range(phnum):
        p_type, _, off, _, _, filesz = struct.unpack_from("<IIQQQQ", ph, i * phentsize)
        if p_type != 4: continue                          # PT_NOTE
        f.seek(off); d = f.read(filesz); o = 0
        while o + 12 <= len(d):
            nsz, dsz, typ = struct.unpack_from("<III", d, o); o += 12
            name = d[o:o + nsz].rstrip(b"\0"); o += (nsz + 3) & ~3
            desc = d[o:o + dsz]; o += (dsz + 3) & ~3
            if name == b"VMCOREINFO": sys.stdout.write(desc.rstrip(b"\0").decode())
EOF
}

# Whether to boot under KVM: only when asked (VMDIVE_KVM=1) and /dev/kvm opens read-write
# (x86_64 guests on an x86_64 host).  Not by default: on the nested KVM of the build machine
# (AMD EPYC) a guest of -cpu qemu64 hangs after "Probing EDD" with no kernel output, and
# -cpu host makes QEMU 7.2 abort ("failed to set MSR 0x10a"); TCG boots these kernels in 6-7 s.
kvm_usable() {
    [[ ${VMDIVE_KVM:-0} == 1 && -c /dev/kvm ]] && (: <>/dev/kvm) 2>/dev/null
}

# --- one variant ----------------------------------------------------------------------------
make_variant() {
    local v=$1 D=$CACHE/dumps/$1 extra="" cpu t marker pid rc console=ttyS0 machine=() accel=tcg
    local dumps=${DUMPS_OF[$1]%%+*}          # full or elf:V (+mdf, +sid: mdf_of)
    # A "full" variant's dump made before qemu-xlat.py existed lacks its oracle: made again,
    # once.  An "elf:V" variant has none by design; one made before the mark (with
    # qemu-xlat.json and kdump-zlib) is kept as it is.
    if [[ -e $D/done && $force == 0 && ($dumps != full || -e $D/qemu-xlat.json) ]]; then
        log "$v: cached in $D"; return
    fi
    [[ -e $D/done && $force == 0 ]] && log "$v: no qemu-xlat.json in $D: making it again"
    local row mem crash initrd=$INITRD; row=$(variant_row "$v")
    read -r _ _ _ _ cpu mem crash _ _ extra <<<"$row"
    [[ $extra == - ]] && extra=""
    extra=${extra//,/ }
    if [[ $crash != sysrq ]]; then
        [[ -s $INITRD_CRASH ]] || die "$v: no test module built for $KVER"
        initrd=$INITRD_CRASH extra+="${extra:+ }vmdive.crash=$crash"
    fi
    local procs=$PROCS
    if [[ $extra == *vmdive.zram=* ]]; then
        [[ $crash == sysrq ]] || die "$v: a zram variant dies by sysrq only"
        [[ -s $INITRD_ZRAM ]] || die "$v: no zram initramfs built for $KVER"
        initrd=$INITRD_ZRAM procs+=" vd-zram"
    fi
    if [[ $ARCH == arm64 ]]; then
        console=ttyAMA0 machine=(-M virt)
    elif [[ $cpu != *la57* ]] && kvm_usable; then
        accel=kvm
    fi
    # x86_64 under TCG on a loaded host: the kernel's check that the timer interrupt ticks
    # within a delay loop (check_timer) can give up at boot ("IO-APIC + timer doesn't work!",
    # a panic before /init; seen on crash-timer at load 20).  no_timer_check skips the check;
    # the timer works, it is only slow.
    [[ $ARCH == x86_64 ]] && extra="no_timer_check${extra:+ $extra}"
    rm -rf "$D"; mkdir -p "$D"
    marker=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
    local cmdline="console=$console panic=0 oops=panic${extra:+ $extra} vmdive.variant=$v"
    cmdline+=" vmdive.marker=$marker vmdive.procs=${PROCS// /,}"
    local sock=$D/qmp.sock mce_sent="" mce_cpu
    t=$(now)
    log "$v: booting under $accel ($cmdline)"
    # panic=0 keeps the panicked guest stopped in place instead of rebooting.
    "$QEMU" "${machine[@]}" -accel "$accel" -cpu "$cpu" -m "$mem" -smp 2 -display none -monitor none \
        -no-reboot -kernel "$K/vmlinuz" -initrd "$initrd" -append "$cmdline" \
        -device vmcoreinfo -qmp "unix:$sock,server=on,wait=off" \
        -serial "file:$D/console.log" </dev/null >"$D/qemu.log" 2>&1 &
    pid=$!
    local deadline=$((SECONDS + BOOT_TIMEOUT))
    until grep -q -- '---\[ end Kernel panic' "$D/console.log" 2>/dev/null; do
        if ! kill -0 "$pid" 2>/dev/null; then
            tail -n 30 "$D/console.log" "$D/qemu.log" >&2 || true
            die "$v: QEMU exited before the panic"
        fi
        if grep -q '^vmdive-init: .* FAILED' "$D/console.log" 2>/dev/null; then
            kill "$pid"; tail -n 30 "$D/console.log" >&2 || true
            die "$v: /init failed (console.log)"
        fi
        if ((SECONDS > deadline)); then
            kill "$pid"; tail -n 30 "$D/console.log" >&2 || true
            die "$v: no panic within ${BOOT_TIMEOUT}s"
        fi
        # mce: the module says it waits (and on which CPU); the host injects the #MC once.
        if [[ $crash == mce && -z $mce_sent ]] &&
            mce_cpu=$(sed -n 's/.*vmdive_crash: .* waiting for a machine check on CPU \([0-9]*\).*/\1/p' \
                "$D/console.log" 2>/dev/null | head -n1) && [[ -n $mce_cpu ]]; then
            mce_sent=$(qmp_hmp "$sock" "mce $mce_cpu 1 $MCE_STATUS $MCE_MCG_STATUS 0 0") ||
                { kill "$pid"; die "$v: QMP mce failed"; }
            [[ -z ${mce_sent//[[:space:]]/} ]] ||
                { kill "$pid"; die "$v: QEMU did not inject the machine check: $mce_sent"; }
            mce_sent=yes
            log "$v: machine check injected on CPU $mce_cpu"
        fi
        sleep 0.5
    done
    log "$v: boot to panic $(since "$t")"
    grep -q 'insmod .* FAILED' "$D/console.log" && die "$v: a module failed to load (console.log)"
    t=$(now)
    if [[ $dumps == full ]]; then
        qmp_dump "$sock" "$D" elf kdump-zlib || { kill "$pid" 2>/dev/null; die "$v: QMP dump failed"; }
        log "$v: dumps written in $(since "$t")"
        # System.map for qemu-xlat.py (the guest stays stopped meanwhile).
        wait_debug || { kill "$pid" 2>/dev/null; die "$v: $NO_DEBUG"; }
        # The real-dump tests' independent oracle: QEMU's MMU translates kernel VAs of the
        # still-stopped guest (qemu-xlat.json); then QEMU quits.
        "$PY" "$HERE/qemu-xlat.py" --qmp "$sock" --dir "$D" --system-map "$K/System.map" --quit ||
            { kill "$pid" 2>/dev/null; die "$v: qemu-xlat.py failed (see above)"; }
    else
        # dumps elf:V: V's boot of this kernel has the kdump-zlib and QEMU's translations.
        qmp_dump "$sock" "$D" elf quit || { kill "$pid" 2>/dev/null; die "$v: QMP dump failed"; }
        log "$v: dump written in $(since "$t") (vmcore.elf only: dumps $dumps)"
        wait_debug || die "$v: $NO_DEBUG"   # the vmlinux and System.map meta.env names
    fi
    rc=0; wait "$pid" || rc=$?
    ((rc == 0)) || die "$v: QEMU exited with $rc (see $D/qemu.log)"
    rm -f "$sock"
    chmod 0644 "$D"/vmcore.*      # QEMU creates them 0400

    vmcoreinfo_of "$D/vmcore.elf" >"$D/vmcoreinfo.txt"
    grep -q "^OSRELEASE=$KVER\$" "$D/vmcoreinfo.txt" ||
        die "$v: VMCOREINFO empty or wrong (qemu_fw_cfg not loaded?)"
    local l5 vabits
    l5=$(sed -n 's/^NUMBER(pgtable_l5_enabled)=//p' "$D/vmcoreinfo.txt")
    vabits=$(sed -n 's/^NUMBER(VA_BITS)=//p' "$D/vmcoreinfo.txt")
    if [[ $ARCH == arm64 ]]; then
        # The bootstrap of every arm64 reader (swapper_pg_dir PA = VA - kimage_voffset).
        [[ -n $vabits ]] && grep -q '^NUMBER(kimage_voffset)=' "$D/vmcoreinfo.txt" ||
            die "$v: VMCOREINFO lacks NUMBER(VA_BITS) or NUMBER(kimage_voffset)"
    elif [[ $cpu == *+la57* ]]; then
        [[ $l5 == 1 ]] ||
            die "$v: NUMBER(pgtable_l5_enabled)=$l5, want 1 (does -cpu $cpu offer LA57?)"
    else
        [[ $l5 == 0 ]] || die "$v: NUMBER(pgtable_l5_enabled)=$l5, want 0"
    fi
    local koff; koff=$(sed -n 's/^KERNELOFFSET=//p' "$D/vmcoreinfo.txt")
    if [[ $v == *nokaslr ]]; then
        [[ $koff == 0 ]] || die "$v: KERNELOFFSET=$koff despite nokaslr"
    elif [[ $koff == 0 ]]; then
        log "$v: WARNING: KERNELOFFSET=0 (KASLR picked no offset)"
    fi
    # The marker must be in the dumped printk ring, not just on the serial console.
    grep -aqF "VMDIVE-MARKER $v $marker" "$D/vmcore.elf" || die "$v: marker not found in vmcore.elf"

    {
        printf '# written by samples/make-dumps.sh on %s\n' "$(date -u +%FT%TZ)"
        printf '%s=%q\n' VARIANT "$v" ARCH "$ARCH" KVER "$KVER" VMLINUX "$K/vmlinux" \
            SYSTEM_MAP "$K/System.map" VMLINUZ "$K/vmlinuz" INITRD "$initrd" \
            MARKER "VMDIVE-MARKER $v $marker" MODULES "$INITRD_MODULES" PROCS "$procs" \
            CMDLINE "$cmdline" QEMU_CPU "$cpu" KERNELOFFSET "$koff" PGTABLE_L5 "$l5" \
            VA_BITS "$vabits" QEMU_ACCEL "$accel" SUITE "$SUITE" SERIES "$SERIES" \
            VMCORE_ELF "$D/vmcore.elf" VMCOREINFO_TXT "$D/vmcoreinfo.txt" \
            CONSOLE_LOG "$D/console.log" QEMU_MEM "$mem" CRASH_KIND "$crash" DUMPS "$dumps"
        # QEMU's kdump-zlib and translations: the full variants only (VARIANTS, dumps).
        [[ $dumps != full ]] ||
            printf '%s=%q\n' VMCORE_KDUMP_ZLIB "$D/vmcore.kdump-zlib" QEMU_XLAT "$D/qemu-xlat.json"
        # The test module with its DWARF (--module-debug), for the variants that load it.
        [[ $crash == sysrq ]] || printf '%s=%q\n' CRASH_MODULE "$CRASHMOD"
        # The zram variants: the algorithm, and vd-zram's line (pid, address of its pages).
        if [[ $extra == *vmdive.zram=* ]]; then
            printf '%s=%q\n' ZRAM_ALG "$(sed -n 's/.*vmdive\.zram=\([^ ]*\).*/\1/p' <<<"$extra")" \
                VDZRAM "$(grep -m1 -o 'vd-zram: pid .*' "$D/console.log" | tr -d '\r')"
        fi
    } >"$D/meta.env"
    touch "$D/done"
    log "$v: done -> $D"
}

# --- makedumpfile outputs (optional) --------------------------------------------------------
# makedumpfile 1.7.2 rejects QEMU's ELF ("get_elf_info: Can't get the number of PT_LOAD"): it
# assumes the program headers follow the ELF header at offset 64, while QEMU writes a section
# header there and the phdrs at e_phoff 0xc0.  fix-qemu-elf.py writes a copy with the phdrs at
# 64, which makedumpfile reads.  Note Debian's build has no snappy/zstd (-p/-z silently write
# an uncompressed file), and the kdump lzo format is makedumpfile's, not QEMU's.
make_mdf() {
    local v=$1 D=$CACHE/dumps/$1 t fixed
    [[ -e $D/done ]] || die "$v: no dump to feed makedumpfile"
    [[ -e $D/mdf.done && $force == 0 ]] && { log "$v: makedumpfile outputs cached"; return; }
    t=$(now)
    fixed=$D/vmcore.elf-fixed
    "$PY" "$HERE/fix-qemu-elf.py" "$D/vmcore.elf" "$fixed"
    mdf() {  # makedumpfile always warns "kernel version is not supported" on 6.1: keep quiet
        local out=${*: -1}
        rm -f "$out"
        makedumpfile "$@" >>"$D/makedumpfile.log" 2>&1 || {
            tail -n 5 "$D/makedumpfile.log" >&2; die "$v: makedumpfile $* failed"; }
    }
    : >"$D/makedumpfile.log"
    local c d
    for c in zlib:-c lzo:-l none:; do
        for d in 0 31; do
            mdf ${c#*:} -d "$d" "$fixed" "$D/vmcore.kdump-${c%%:*}-d$d"
        done
    done
    mdf -E -d 31 "$fixed" "$D/vmcore.elf-d31"
    rm -f "$D/vmcore.flat"
    makedumpfile -F -c -d 31 "$fixed" >"$D/vmcore.flat" 2>>"$D/makedumpfile.log" ||
        die "$v: makedumpfile -F failed"
    rm -f "$D"/vmcore.split.*
    # Without --splitblock-size the split goes by PFN range, and max_mapnr reaches QEMU's BIOS
    # ROM at 4 GiB, so all RAM lands in part 1 and parts 2-3 are bare headers.
    mdf --split -c -d 0 --splitblock-size 1024 "$fixed" \
        "$D/vmcore.split.1" "$D/vmcore.split.2" "$D/vmcore.split.3"
    rm -f "$fixed"                # 0.5 s to remake; not worth 550 MB per variant
    chmod 0644 "$D"/vmcore.*
    {
        printf '%s=%q\n' VMCORE_ELF_D31 "$D/vmcore.elf-d31" \
            VMCORE_FLAT "$D/vmcore.flat" \
            VMCORE_SPLIT "$D/vmcore.split.1 $D/vmcore.split.2 $D/vmcore.split.3"
        for c in zlib lzo none; do for d in 0 31; do
            printf 'VMCORE_KDUMP_%s_D%s=%q\n' "${c^^}" "$d" "$D/vmcore.kdump-$c-d$d"
        done; done
    } >"$D/mdf.env"
    touch "$D/mdf.done"
    log "$v: makedumpfile outputs in $(since "$t")"
}

# --- makedumpfile from Debian sid (optional, with --makedumpfile) --------------------------
# Debian 12's makedumpfile 1.7.2 has zstd (-z) and snappy (-p) compiled out; sid's (1.7.8 when
# this was written) has zstd, not snappy.  Nothing is installed: the sid .debs of makedumpfile
# and of the libraries it links are unpacked under $CACHE/sid/<debarch>/root and run with sid's
# own dynamic loader, so the host's libc never meets them.  makedumpfile reads the dumped page
# tables with the code of the architecture it was built for, so arm64 dumps take sid's arm64
# build, run by qemu-aarch64 (qemu-user).  apt runs with a private sources list, lists and
# cache, on the mirror the system's own apt sources name; the done stamp keeps later runs off
# the network.

# The URI of the Debian archive this system's apt uses for its own release (deb822 .sources
# or one-line .list files); nothing if there is none.
debian_mirror() {
    local codename
    codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
    [[ -n $codename ]] || return 1
    "$PY" - "$codename" /etc/apt/sources.list.d/*.sources /etc/apt/sources.list \
        /etc/apt/sources.list.d/*.list <<'PYEOF'
import sys
code = sys.argv[1]
for path in sys.argv[2:]:
    try:
        text = open(path).read()
    except OSError:
        continue
    if path.endswith(".sources"):
        for para in text.split("\n\n"):
            f = {}
            for line in para.splitlines():
                if line[:1] not in ("", "#", " ", "\t") and ":" in line:
                    k, v = line.split(":", 1)
                    f[k.strip().lower()] = v.split()
            if "deb" in f.get("types", []) and code in f.get("suites", []) and \
                    f.get("uris") and f.get("enabled", ["yes"])[0] != "no":
                sys.exit(print(f["uris"][0]))
    else:
        for line in text.splitlines():
            w = line.split("#", 1)[0].split()
            if w[:1] != ["deb"]:
                continue
            w = w[1:]
            if w and w[0].startswith("["):               # [options]
                while w and not w[0].endswith("]"):
                    w = w[1:]
                w = w[1:]
            if len(w) >= 2 and w[1] == code:
                sys.exit(print(w[0]))
sys.exit(1)
PYEOF
}

# Sets SID_MDF to the command that runs sid's makedumpfile for dumps of Debian arch $1
# (amd64, arm64), fetching it first when it is not cached; dies if that cannot be done.
SID_MDF=()
sid_makedumpfile() {
    local debarch=$1 S=$CACHE/sid/$1 triplet ld mirror t p d mdf
    case $debarch in
        amd64) triplet=x86_64-linux-gnu ld=ld-linux-x86-64.so.2 ;;
        arm64) triplet=aarch64-linux-gnu ld=ld-linux-aarch64.so.1 ;;
    esac
    if [[ ! -e $S/done ]]; then
        t=$(now)
        mirror=$(debian_mirror) ||
            die "no Debian archive for this release in /etc/apt/sources.list{,.d/*}: cannot fetch sid's makedumpfile"
        rm -rf "$S"
        mkdir -p "$S/apt/lists/partial" "$S/apt/cache/archives/partial" "$S/debs" "$S/root"
        echo "deb [arch=$debarch] $mirror sid main" >"$S/apt/sources.list"
        local apt=(-o Dir::Etc::SourceList="$S/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
                   -o Dir::State::Lists="$S/apt/lists" -o Dir::Cache="$S/apt/cache"
                   -o Dir::State::status=/dev/null -o APT::Architecture="$debarch"
                   -o APT::Architectures::="$debarch")
        log "fetching makedumpfile and its libraries from Debian sid ($debarch)"
        apt-get "${apt[@]}" -q update >"$S/apt.log" 2>&1 &&
            p=$(apt-cache "${apt[@]}" policy makedumpfile 2>>"$S/apt.log") &&
            [[ $p == *"Candidate: "[0-9]* ]] || {
            tail -n 5 "$S/apt.log" >&2
            die "cannot read Debian sid's package index (from the mirror of /etc/apt/sources*; see $S/apt.log)"; }
        # makedumpfile and, transitively, the libraries among the Depends (not perl, which
        # only makedumpfile-R.pl needs).
        local todo=(makedumpfile) pkgs=() seen=" "
        while ((${#todo[@]})); do
            p=${todo[0]} todo=("${todo[@]:1}")
            [[ $seen == *" $p "* ]] && continue
            seen+="$p " pkgs+=("$p")
            for d in $(apt-cache "${apt[@]}" depends --no-recommends --no-suggests \
                           --no-conflicts --no-breaks --no-replaces --no-enhances "$p" |
                       sed -nE 's/^  \|?(Pre)?Depends: ([^ <]+).*/\2/p'); do
                d=${d%%:*}
                [[ $d == lib* || $d == zlib* ]] && todo+=("$d")
            done
        done
        chown _apt "$S/debs" 2>/dev/null || true
        (cd "$S/debs" && apt-get "${apt[@]}" -q download "${pkgs[@]}" >>"$S/apt.log" 2>&1) || {
            tail -n 5 "$S/apt.log" >&2; die "downloading ${pkgs[*]} from Debian sid failed"; }
        for p in "$S"/debs/*.deb; do dpkg-deb -x "$p" "$S/root"; done
        rm -rf "$S/apt/lists" "$S/apt/cache"
    fi
    mdf=$S/root/usr/bin/makedumpfile
    [[ -x $mdf ]] || mdf=$S/root/usr/sbin/makedumpfile
    SID_MDF=("$S/root/usr/lib/$triplet/$ld" --library-path "$S/root/usr/lib/$triplet" "$mdf")
    [[ $debarch == arm64 ]] && SID_MDF=(qemu-aarch64 -L "$S/root" "${SID_MDF[@]}")
    if [[ ! -e $S/done ]]; then
        # The build must have zstd: a makedumpfile without it writes uncompressed files for -z
        # and still exits 0.
        "${SID_MDF[@]}" -v >"$S/version" 2>&1 && grep -qP '^zstd\tenabled' "$S/version" || {
            cat "$S/version" >&2; die "sid's makedumpfile ($debarch) does not run or has no zstd"; }
        touch "$S/done"
        log "sid's $(head -n1 "$S/version" | cut -d' ' -f2-) ($debarch) ready in $(since "$t")"
    fi
}

# sid's drgn and crash, the oracles of the sid kernels' dumps (Debian 12's drgn 0.0.22 and
# crash 8.0.2 predate them): python3-drgn, crash, sid's python3.X and, transitively, the
# libraries among their Depends, from the private sid index (suite_apt), unpacked under
# $CACHE/sid-oracles/amd64/root and run with sid's own loader through two wrappers, bin/python3
# (PYTHONHOME and PYTHONPATH set; `bin/python3 -c "import drgn"`) and bin/crash.  amd64 builds
# only: drgn reads arm64 dumps as well; crash reads only dumps of the architecture it was built
# for, so arm64 dumps get no crash.  done (written last) keeps later runs off the network.
sid_oracles() {
    local S=$CACHE/sid-oracles/amd64 t p d py todo pkgs=() seen=" " lib
    [[ -e $S/done ]] && return
    t=$(now)
    suite_apt sid
    # The python it is built for: "Depends: python3 (<< 3.15), python3 (>= 3.14~), ...".
    py=$(apt-cache "${SUITE_APT[@]}" show python3-drgn:amd64 2>/dev/null |
         sed -n 's/^Depends: //p' | head -n1 | grep -oE 'python3 \(>= 3\.[0-9]+' |
         grep -oE '3\.[0-9]+$' | head -n1)
    [[ -n $py ]] || die "cannot tell the python of sid's python3-drgn (see apt-cache show python3-drgn)"
    log "fetching drgn, crash and python$py from Debian sid (amd64)"
    rm -rf "$S"; mkdir -p "$S/debs" "$S/root" "$S/bin"
    # One apt-cache call per level of the dependency tree (each call loads sid's whole index).
    todo=(python3-drgn crash "python$py-minimal" "libpython$py-minimal" "libpython$py-stdlib")
    local level
    while ((${#todo[@]})); do
        level=()
        for p in "${todo[@]}"; do
            [[ $seen == *" $p "* ]] && continue
            seen+="$p " pkgs+=("$p:amd64") level+=("$p:amd64")
        done
        todo=()
        ((${#level[@]})) || break
        for d in $(apt-cache "${SUITE_APT[@]}" depends --no-recommends --no-suggests \
                       --no-conflicts --no-breaks --no-replaces --no-enhances "${level[@]}" |
                   sed -nE 's/^  \|?(Pre)?Depends: ([^ <]+).*/\2/p' | sort -u); do
            d=${d%%:*}
            [[ $d == lib* || $d == zlib* ]] && todo+=("$d")
        done
    done
    chown _apt "$S/debs" 2>/dev/null || true
    (cd "$S/debs" && apt-get "${SUITE_APT[@]}" -q download "${pkgs[@]}" >"$S/apt.log" 2>&1) || {
        tail -n 5 "$S/apt.log" >&2; die "downloading ${pkgs[*]} from Debian sid failed"; }
    for p in "$S"/debs/*.deb; do dpkg-deb -x "$p" "$S/root"; done
    rm -rf "$S/debs"
    lib=$S/root/usr/lib/x86_64-linux-gnu
    {
        echo '#!/bin/sh'
        echo "# sid's python$py with sid's drgn, run by sid's loader (samples/make-dumps.sh)"
        printf 'PYTHONHOME=%q PYTHONPATH=%q PYTHONNOUSERSITE=1 exec %q --library-path %q %q "$@"\n' \
            "$S/root/usr" "$S/root/usr/lib/python3/dist-packages" "$lib/ld-linux-x86-64.so.2" \
            "$lib" "$S/root/usr/bin/python$py"
    } >"$S/bin/python3"
    {
        echo '#!/bin/sh'
        echo "# sid's crash, run by sid's loader (samples/make-dumps.sh)"
        printf 'exec %q --library-path %q %q "$@"\n' "$lib/ld-linux-x86-64.so.2" "$lib" \
            "$S/root/usr/bin/crash"
    } >"$S/bin/crash"
    chmod 755 "$S/bin/python3" "$S/bin/crash"
    "$S/bin/python3" -c 'import drgn; print("drgn", drgn.__version__)' >"$S/version" 2>&1 &&
        "$S/bin/crash" --version 2>&1 | grep -m1 '^crash' >>"$S/version" || {
        cat "$S/version" >&2; die "sid's drgn or crash does not run (see $S/version)"; }
    touch "$S/done"
    log "sid's $(paste -sd' ' "$S/version" | tr -s ' ') ready in $(since "$t")"
}

# Outputs of sid's makedumpfile for a variant: zstd at -d 31, and -c -d 31 as a second
# makedumpfile version beside Debian 12's; on x86_64 zstd at -d 0 too, on arm64 -l -d 31 (it
# has no other lzo).  arm64's runs under qemu-aarch64, 28 CPU-s for the four outputs, 15 of them
# zstd -d 0, which reads with the same decoder as x86_64's zstd -d 0 and as -d 31 (measured on
# arm64-kaslr's 512 MiB dump; x86_64's three native ones: 2.3 CPU-s).
make_mdf_sid() {
    local v=$1 D=$CACHE/dumps/$1 t fixed debarch=amd64 out spec files=() ver
    [[ -e $D/done ]] || die "$v: no dump to feed makedumpfile"
    [[ -e $D/mdf-sid.done && $force == 0 ]] && { log "$v: sid makedumpfile outputs cached"; return; }
    [[ $(arch_of "$v") == arm64 ]] && debarch=arm64
    sid_makedumpfile "$debarch"
    t=$(now)
    fixed=$D/vmcore.elf-fixed
    "$PY" "$HERE/fix-qemu-elf.py" "$D/vmcore.elf" "$fixed"
    : >"$D/makedumpfile-sid.log"
    local specs=("kdump-zstd-d31:-z -d 31" "sid.kdump-zlib-d31:-c -d 31")
    if [[ $debarch == arm64 ]]; then specs+=("sid.kdump-lzo-d31:-l -d 31")
    else specs=("kdump-zstd-d0:-z -d 0" "${specs[@]}"); fi
    for spec in "${specs[@]}"; do
        out=$D/vmcore.${spec%%:*}
        rm -f "$out"
        # shellcheck disable=SC2086  # the options split on purpose
        "${SID_MDF[@]}" ${spec#*:} "$fixed" "$out" >>"$D/makedumpfile-sid.log" 2>&1 || {
            tail -n 5 "$D/makedumpfile-sid.log" >&2; die "$v: sid makedumpfile ${spec#*:} failed"; }
        chmod 0644 "$out"
        files+=("$out")
    done
    rm -f "$fixed"
    ver=$(head -n1 "$CACHE/sid/$debarch/version" | awk '{ print $3 }')
    {
        printf '%s=%q\n' MDF_SID_VERSION "$ver" MDF_SID_FILES "${files[*]}" \
            VMCORE_KDUMP_ZSTD_D31 "$D/vmcore.kdump-zstd-d31" \
            VMCORE_SID_KDUMP_ZLIB_D31 "$D/vmcore.sid.kdump-zlib-d31"
        if [[ $debarch == arm64 ]]; then printf '%s=%q\n' VMCORE_SID_KDUMP_LZO_D31 "$D/vmcore.sid.kdump-lzo-d31"
        else printf '%s=%q\n' VMCORE_KDUMP_ZSTD_D0 "$D/vmcore.kdump-zstd-d0"; fi
    } >"$D/mdf-sid.env"
    touch "$D/mdf-sid.done"
    log "$v: sid makedumpfile $ver outputs in $(since "$t")"
}

ensure_packages
# One pass per kernel, in the order the variants were named.
kernels=()
declare -A _seen=()
for v in "${variants[@]}"; do
    k=$(kernel_of "$v")
    [[ -n ${_seen[$k]:-} ]] || kernels+=("$k"); _seen[$k]=1
done
unset _seen
# Every kernel is picked first (apt indexes, stamps), so that their downloads can run in the
# background from the start (prefetch_debs).
for k in "${kernels[@]}"; do
    # shellcheck disable=SC2086  # "ARCH SERIES FLAVOUR" splits on purpose
    use_kernel $k
    if [[ $ARCH == arm64 ]]; then ensure_arm64_arch; fi
    pick_kernel
done
prefetch_debs "${kernels[@]}"
# Each kernel made ready for its boots: its packages unpacked, the initramfs, the test module,
# the debug files.  Sets the globals make_variant reads (use_kernel's, KVER, K, INITRD, ...).
# $2: the kernel's number in the preparation chain, which marks $PREP/N.boot once the guests
# can boot (the debug files come after: only qemu-xlat.py and meta.env need them); $2 "-":
# everything but the debug files (the chain is making them: make_variant waits, wait_debug).
prepare_kernel() {
    # shellcheck disable=SC2086  # "ARCH SERIES FLAVOUR" splits on purpose
    use_kernel $1
    pick_kernel
    fetch_kernel
    build_initrd
    build_crashmod
    build_zram
    case ${2:-} in
        -) return ;;
        ?*) touch "$PREP/$2.boot" ;;
    esac
    fetch_debug
}
# Waits until the chain has the debug files of kernel DEBUG_WAIT (the main shell prepared it
# without them, to boot its guests meanwhile); fails if they are not there then.
DEBUG_WAIT=""
wait_debug() {
    if [[ -n $DEBUG_WAIT ]]; then
        while [[ ! -e $PREP/$DEBUG_WAIT.done && ! -e $PREP/$DEBUG_WAIT.failed ]] &&
            kill -0 "$prep_pid" 2>/dev/null; do sleep 0.2; done
    fi
    [[ -s $K/vmlinux && -s $K/System.map ]]
}
NO_DEBUG="no vmlinux or System.map (extracting the debug files failed: see above)"
# The kernels are prepared by one background chain, one after the other in the order they are
# used, while the guests of the kernels before them boot: unpacking a -dbg package is one
# core's work for 0.5-2 min, and a kernel with one variant boots one guest; one after the
# other, each left a core idle.  The chain runs each preparation in a subshell (its own
# `set -e`) and marks it boot (all but the debug files), done or failed in $PREP; the main
# shell then prepares the kernel itself, which finds everything made (or fails with the
# chain's error again) and sets its globals; from "boot" on, its guests start while the chain
# extracts the debug files (wait_debug).  A grandchild, like the download job: the boot loop's `wait -n` sees only guests.
mkdir -p "$PREP"
( (
    i=0
    for k in "${kernels[@]}"; do
        i=$((i + 1))
        # A kernel unpacked already (a warm cache) is left to the main shell: what is left
        # to check there is quick.
        # shellcheck disable=SC2086
        use_kernel $k
        K=$CACHE/kernel/$(<"$STAMP")
        if [[ -s $K/vmlinuz && -s $K/vmlinux && -s $K/System.map && -s $K/modules-dbg/.modules ]]
        then touch "$PREP/$i.done"; continue; fi
        ( prepare_kernel "$k" "$i" ) &
        if wait $!; then touch "$PREP/$i.done"; else touch "$PREP/$i.failed"; break; fi
    done
) </dev/null & echo $! >"$PREP/pid" )
prep_pid=$(<"$PREP/pid")

# The makedumpfile outputs of a variant (with --makedumpfile): its dumps column in VARIANTS,
# "+mdf" Debian 12's (make_mdf: x86_64 only, Debian 12's makedumpfile is built for x86_64
# dumps only), "+sid" sid's (make_mdf_sid).  One variant per architecture and writer has them:
# the readers are format code, the same for every kernel and boot, and the tests read the
# files of these variants (test_kdump_real page by page against the ELF, test_formats_agree,
# test_scan_real, test_log); nokaslr and la57 keep Debian 12's set for test_formats_agree's
# and test_log's translations through every file.  The crash-kind and zram variants are there
# for the crash, not the format (they are ELF only: dumps elf:V).
mdf_of() {
    local v=$1 d=${DUMPS_OF[$1]}
    ((do_mdf)) || return 0
    [[ $d == *+mdf* || $d == *+sid* ]] ||
        { log "$v: no makedumpfile outputs (VARIANTS: dumps $d)"; return; }
    [[ $d != *+mdf* ]] || make_mdf "$v"
    [[ $d == *+sid* ]] || return 0
    # sid's makedumpfile comes from the download job: waited for only when it is needed.
    [[ -e $CACHE/dumps/$v/mdf-sid.done && $force == 0 ]] || prefetch_wait sid-tools
    make_mdf_sid "$v"
}

# Up to BOOT_JOBS jobs at once, each a guest (its own QEMU, directory and QMP socket) and then
# its makedumpfile outputs; the guests of the next kernel take the places the last ones leave.
running=0 failed=() i=0
declare -A job_of=()
for k in "${kernels[@]}"; do
    i=$((i + 1))
    while [[ ! -e $PREP/$i.done && ! -e $PREP/$i.boot && ! -e $PREP/$i.failed ]] &&
        kill -0 "$prep_pid" 2>/dev/null; do
        sleep 0.1
    done
    # The guests boot while the chain still extracts this kernel's debug files (both cores
    # busy from the first kernel on); the main shell checks them itself once they are done.
    if [[ -e $PREP/$i.boot && ! -e $PREP/$i.done && ! -e $PREP/$i.failed ]]; then
        prepare_kernel "$k" -; DEBUG_WAIT=$i
    else
        prepare_kernel "$k"; DEBUG_WAIT=""
    fi
    for v in "${variants[@]}"; do
        [[ $(kernel_of "$v") == "$k" ]] || continue
        if ((BOOT_JOBS <= 1)); then make_variant "$v"; mdf_of "$v"; continue; fi
        while ((running >= BOOT_JOBS)); do
            rc=0; wait -n -p done_pid || rc=$?
            ((rc == 0)) || failed+=("${job_of[$done_pid]}")
            running=$((running - 1))
        done
        { make_variant "$v"; mdf_of "$v"; } &
        job_of[$!]=$v running=$((running + 1))
    done
done
while ((running > 0)); do
    rc=0; wait -n -p done_pid || rc=$?
    ((rc == 0)) || failed+=("${job_of[$done_pid]}")
    running=$((running - 1))
done
unset job_of
((${#failed[@]} == 0)) || die "failed: ${failed[*]} (see above)"
# The sid kernels' oracles (tests/real): sid's drgn and crash (fetched by the download job).
for v in "${variants[@]}"; do
    if [[ $(kernel_of "$v") == *" sid "* ]]; then
        [[ -e $CACHE/sid-oracles/amd64/done ]] || prefetch_wait sid-tools
        sid_oracles; break
    fi
done
log "all done: $(printf "$CACHE/dumps/%s/meta.env " "${variants[@]}")"
