#!/usr/bin/env bash
# The catalogue of malformed inputs (tests/cases/bad/*.cases): every case
# is generated here, at test time, by tests/gen (mkelf, mkdiskdump) or a
# few lines of shell, and vmdive must refuse it with the exit status the
# case gives and one error line containing the case's text -- no crash, no
# hang (20 s), no sanitizer report, nothing but that line (and, for a
# damaged dump, the "damaged dump:" line before it).
#   bash bad_catalogue.sh VMDIVE TESTS_BUILD_DIR
#
# Case syntax (see bad/README):
#   === NAME
#   run: COMMAND ARGS...      FILE is the generated input (default: info FILE)
#   exit: N                   the exit status
#   error: TEXT               a substring of the last error line
#   gen: elf | kdump | core | sh
#   BODY...                   elf/kdump/core: lines appended to the base
#                             description (bad/base.*); sh: a script that
#                             writes "$OUT" (with $MKELF, $MKDD, $GOOD_ELF,
#                             $GOOD_KDUMP, $GOOD_CORE, $T at hand)
set -u
VMDIVE=${1:?usage: bad_catalogue.sh VMDIVE TESTS_BUILD_DIR}
BUILD=${2:?usage: bad_catalogue.sh VMDIVE TESTS_BUILD_DIR}
HERE=$(cd "$(dirname "$0")" && pwd)/bad
export MKELF=$BUILD/mkelf MKDD=$BUILD/mkdiskdump
[[ -x $MKELF && -x $MKDD ]] || { echo "bad_catalogue: no generators in $BUILD"; exit 99; }
export T=$(mktemp -d)
# Decoded symbols and types are cached per build-id: not in the user's cache.
export VMDIVE_CACHE_DIR=$T/cache
trap 'rm -rf "$T"' EXIT
nfail=0 npass=0
fail() { echo "FAIL: $*"; nfail=$((nfail + 1)); }

"$MKELF" "$HERE/base.elf" "$T/good.elf" || exit 99
"$MKDD" "$HERE/base.kdump" "$T/good.kdump" || exit 99
"$MKELF" "$HERE/base.core" "$T/good.core" || exit 99
export GOOD_ELF=$T/good.elf GOOD_KDUMP=$T/good.kdump GOOD_CORE=$T/good.core
# The good files open (so every failure below is the case's own).
for f in "$GOOD_ELF" "$GOOD_KDUMP" "$GOOD_CORE"; do
	"$VMDIVE" info "$f" >/dev/null 2>&1 || fail "base $(basename "$f") does not open"
done

run_case() {  # NAME RUN EXIT ERROR GEN BODY-FILE
	local name=$1 run=$2 want_rc=$3 want=$4 gen=$5 body=$6 out=$T/case-$1 rc args=() w
	rm -f "$out"
	case $gen in
	elf|kdump|core)
		local base=$HERE/base.$gen tool=$MKELF
		[[ $gen == kdump ]] && tool=$MKDD
		cat "$base" "$body" >"$T/$name.desc"
		"$tool" "$T/$name.desc" "$out" 2>"$T/gen.err" ||
			{ fail "$name: generator: $(cat "$T/gen.err")"; return; } ;;
	sh)
		OUT=$out bash -e "$body" 2>"$T/gen.err" ||
			{ fail "$name: generator script: $(cat "$T/gen.err")"; return; } ;;
	*) fail "$name: unknown gen '$gen'"; return ;;
	esac
	for w in ${run:-info FILE}; do
		[[ $w == FILE ]] && w=$out
		[[ $w == FILE2 ]] && w=$out.2
		[[ $w == DIR ]] && w=$T
		args+=("$w")
	done
	timeout 20 "$VMDIVE" "${args[@]}" >"$T/stdout" 2>"$T/stderr" </dev/null
	rc=$?
	if ((rc == 124)); then
		fail "$name: hung (killed after 20 s)"
		return
	fi
	if [[ $want == '?' ]]; then
		fail "DRAFT $name: exit $rc: $(tr '\n' '|' <"$T/stderr" | head -c 400)"
		return
	fi
	if ((rc != want_rc)); then
		fail "$name: exit $rc, want $want_rc: $(head -c 600 "$T/stderr")"
		return
	fi
	if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$T/stderr"; then
		fail "$name: sanitizer report: $(grep -m2 -E 'Sanitizer|runtime error' "$T/stderr")"
		return
	fi
	local last nlines
	nlines=$(grep -vc '^vmdive: [a-z-]*: *damaged dump: ' "$T/stderr")
	last=$(tail -1 "$T/stderr")
	if ((nlines != 1)) || [[ $last != vmdive:* ]]; then
		fail "$name: want one error line, got $nlines: $(head -c 600 "$T/stderr")"
		return
	fi
	if [[ $last != *"$want"* ]]; then
		fail "$name: no '$want' in: $last"
		return
	fi
	npass=$((npass + 1))
}

ncases=0
for cf in "$HERE"/*.cases; do
	name= run= rc= err= gen= body=$T/body
	: >"$body"
	flush() {
		[[ -n $name ]] || return 0
		ncases=$((ncases + 1))
		[[ -n $rc && -n $err && -n $gen ]] || { fail "$name: needs exit:, error: and gen:"; return; }
		run_case "$name" "$run" "$rc" "$err" "$gen" "$body"
	}
	while IFS= read -r line || [[ -n $line ]]; do
		case $line in
		'=== '*) flush; name=${line#=== } run= rc= err= gen=; : >"$body" ;;
		'run: '*) run=${line#run: } ;;
		'exit: '*) rc=${line#exit: } ;;
		'error: '*) err=${line#error: } ;;
		'gen: '*) gen=${line#gen: } ;;
		*) [[ -n $name ]] && printf '%s\n' "$line" >>"$body" ;;
		esac
	done <"$cf"
	flush
done
echo "bad_catalogue: $npass of $ncases cases passed, $nfail failures"
((ncases >= 100)) || fail "only $ncases cases (the catalogue has at least 100)"
((nfail == 0))
