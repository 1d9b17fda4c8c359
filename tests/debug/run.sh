#!/bin/bash
# The debug kernel lane behind `make test-debug`: builds (or reuses) the
# KASAN + lockdep + DEBUG_VM + kmemleak kernel of tests/debug/build-kernel.sh,
# then runs every guest test program given, in ONE boot of it, and requires
# a clean kernel log: no KASAN, lockdep, kmemleak, WARN, BUG or oops report,
# with each detector shown to be live (KASAN initialised, lockdep still on at
# the end, the final kmemleak scan done and empty).
#
# Usage: tests/debug/run.sh [--out DIR] [--timeout SECS] PROG...
#   PROG      host paths of guest test programs (TAP on stdout, status 0
#             when all passed); each runs in the guest as /work/<name>
#   --out     where the guest's output goes (default build/test-debug)
#   --timeout seconds for the whole guest run (default 5400)
#
# Prints the programs' TAP as it comes (indented), then one TAP line per
# program and per kernel check, and ends with "N passed, N failed" (every
# test of every program, plus the kernel checks). Exit status 0 when none
# failed. Environment: as build-kernel.sh (HMMBENCH_CACHE, HMMBENCH_JOBS).
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 2
out=build/test-debug
timeout=5400
while [[ $# -gt 0 ]]; do
	case $1 in
	--out) out=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	-h | --help) sed -n '2,/^set -u/{/^set -u/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
	--) shift; break ;;
	-*) echo "tests/debug/run.sh: unknown option '$1'" >&2; exit 2 ;;
	*) break ;;
	esac
done
[[ $# -gt 0 ]] || { echo "tests/debug/run.sh: no guest test programs given (see --help)" >&2; exit 2; }
for prog in "$@"; do
	[[ -x $prog ]] || { echo "tests/debug/run.sh: $prog is not an executable (make it first)" >&2; exit 2; }
done

start=$SECONDS
elapsed() { printf '%dm%02ds' $(((SECONDS - start) / 60)) $(((SECONDS - start) % 60)); }
n=0 passed=0 failed=0
ok() { n=$((n + 1)); passed=$((passed + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
finish() {
	echo "1..$n"
	echo "# debug lane: $(elapsed) in all"
	echo
	echo "$passed passed, $failed failed"
	[[ $failed -eq 0 ]]
	exit
}

rm -rf "$out"
mkdir -p "$out"

echo "# == debug kernel ($(elapsed))"
t=$SECONDS
if ! tree=$(tests/debug/build-kernel.sh 2> >(tee "$out/build-kernel.log" >&2) | tail -1) || [[ ! -d $tree ]]; then
	not_ok "the debug kernel builds (see $out/build-kernel.log)"
	finish
fi
release=$(cat "$tree/.hmmbench-built")
ok "debug kernel $release ready in $((SECONDS - t)) s ($tree)"

echo "# == guest tests: one boot of $release ($(elapsed))"
includes=(--include tests/guest/run-guest.sh:/work/run-guest.sh)
progs=()
for bin in "$@"; do
	includes+=(--include "$bin:/work/$(basename "$bin")")
	progs+=("/work/$(basename "$bin")")
done
dir=$out/guest
t=$SECONDS
# The programs' TAP streams back live; indented, it stays apart from ours.
harness/vm/vm-run --kernel-tree "$tree" --out "$dir" --timeout "$timeout" \
	--swap 512 "${includes[@]}" -- /work/run-guest.sh "${progs[@]}" \
	2>"$out/vm-run.log" | sed -u 's/^/    /'
echo "# guest run: $((SECONDS - t)) s; $(grep -o 'done in .*' "$out/vm-run.log" | tail -1)"

for prog in "${progs[@]}"; do
	name=$(basename "$prog")
	tap=$dir/$name.tap
	rc=$(cat "$dir/$name.rc" 2>/dev/null || echo '')
	if [[ ! -f $tap || -z $rc ]]; then
		not_ok "$name: did not run or its output did not come back"
		continue
	fi
	p=$(grep -c '^ok ' "$tap")
	f=$(grep -c '^not ok ' "$tap")
	# A program that failed without saying what, or ran nothing, counts once.
	if [[ $rc -ne 0 && $f -eq 0 ]] || [[ $p -eq 0 && $f -eq 0 ]]; then f=$((f + 1)); fi
	passed=$((passed + p))
	failed=$((failed + f))
	grep '^not ok' "$tap" | sed "s|^|# $name: |"
	if [[ $f -eq 0 ]]; then
		echo "ok $((n + 1)) - $name: $p passed, 0 failed"
	else
		echo "not ok $((n + 1)) - $name: $p passed, $f failed (exit $rc)"
	fi
	n=$((n + 1)) # the program line itself is a summary, counted above
done

if [[ -f $dir/crosscheck.txt ]]; then
	echo "# test_hmm cross-check ($dir/crosscheck.txt):"
	sed 's/^/#   /' "$dir/crosscheck.txt"
fi

# ---- the kernel -----------------------------------------------------------
console=$dir/console.log
result=$(sed -n 's/^HMMBENCH_VM_RESULT=//p' "$dir/vm.env" 2>/dev/null)
if [[ $result == ok ]]; then
	ok "kernel log clean: no KASAN, lockdep, kmemleak, WARN, BUG or oops report"
else
	not_ok "kernel log clean: the VM run ended '${result:-unknown}' ($(sed -n 's/^HMMBENCH_VM_REASON=//p' "$dir/vm.env" 2>/dev/null | tr -d "'"))"
	grep '^vm-run:' "$out/vm-run.log" | tail -3 | sed 's/^/# /'
	# The first report, whole: from its start to the end of its trace.
	if [[ -f $console ]]; then
		tr -d '\r' <"$console" | grep -v '^hmmbench-init: ' | awk '
			!on && /Oops|WARNING:|BUG:|Kernel panic|general protection fault|UBSAN:|KASAN:|possible circular locking|inconsistent lock state|kmemleak: [0-9]+ new suspected memory leak|unreferenced object|Call Trace:/ { on = 1 }
			on { print "#   " $0; if (++k >= 80) exit }'
	fi
fi
clean() { tr -d '\r' <"$console" 2>/dev/null | grep -q "$1"; }
if clean 'KernelAddressSanitizer initialized'; then
	ok "KASAN was live (initialised at boot)"
else
	not_ok "KASAN was live: no 'KernelAddressSanitizer initialized' in $console"
fi
if clean '^hmmbench-init: lockdep at the end: debug_locks: 1'; then
	ok "lockdep was still live at the end (debug_locks: 1)"
else
	not_ok "lockdep was still live at the end: $(tr -d '\r' <"$console" 2>/dev/null | grep -m1 'lockdep at the end' || echo "no report in $console")"
fi
if clean '^hmmbench-init: kmemleak scan done: 0 objects listed'; then
	ok "kmemleak scanned after the tests and the module unload: no leak"
else
	not_ok "kmemleak scanned after the tests: $(tr -d '\r' <"$console" 2>/dev/null | grep -m1 'kmemleak scan done' || echo "no scan in $console")"
fi
finish
