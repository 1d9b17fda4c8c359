#!/bin/bash
# The test suite behind `make test`: host unit tests (ASan/UBSan), static
# checks of the module, then every guest test in one boot per Debian kernel.
# Counts TAP results from every program and ends with "N passed, N failed".
#
# Usage: tests/run.sh [--unit-only] [--kernels "5.10 6.1 6.12"]
# Environment: HMMBENCH_TEST_KERNELS overrides the kernel list,
# HMMBENCH_GUEST_TESTS the guest programs (default: all of GUEST_TEST_BINS).
set -uo pipefail

cd "$(dirname "$0")/.." || exit 1
kernels=${HMMBENCH_TEST_KERNELS:-"5.10 6.1 6.12"}
unit_only=0
while [[ $# -gt 0 ]]; do
	case $1 in
	--unit-only) unit_only=1 ;;
	--kernels) kernels=$2; shift ;;
	*) echo "tests/run.sh: unknown option '$1' (use --unit-only or --kernels LIST)" >&2; exit 2 ;;
	esac
	shift
done

out=build/test-out
rm -rf "$out"
mkdir -p "$out"
passed=0
failed=0
start=$SECONDS

# count FILE: add the file's TAP results to the totals and show each
# failure; a program that failed without saying what failed counts as one.
count() {
	local file=$1 rc=$2 name=$3 ok notok
	ok=$(grep -c '^ok ' "$file")
	notok=$(grep -c '^not ok ' "$file")
	if [[ $rc -ne 0 && $notok -eq 0 ]]; then
		notok=1
		echo "not ok - $name exited with status $rc"
	fi
	if [[ $ok -eq 0 && $notok -eq 0 ]]; then
		notok=1
		echo "not ok - $name ran no test"
	fi
	passed=$((passed + ok))
	failed=$((failed + notok))
	# each failure with its diagnostics: the "# " lines just before it
	# (tests/lib.sh's tap) and just after it (cmocka), at most 20 each
	awk -v name="$name" '
	/^not ok/ { for (i = nb > 20 ? nb - 20 : 0; i < nb; i++)
			print buf[i % 20]
		nb = 0; print "  " name ": " $0; after = 20; next }
	/^#/ { line = "  " name ": " $0
		if (after) { print line; after--; next }
		buf[nb++ % 20] = line; next }
	{ nb = 0; after = 0 }' "$file"
	printf '%-44s %4d passed, %d failed  (%ds)\n' "$name" "$ok" "$notok" $((SECONDS - start))
}

# run NAME CMD...: run one test program and count its TAP.
run() {
	local name=$1 log="$out/$1.tap" rc
	shift
	mkdir -p "$(dirname "$log")"
	CMOCKA_MESSAGE_OUTPUT=TAP "$@" > "$log" 2>&1
	rc=$?
	count "$log" "$rc" "$name"
}

echo "== building"
if ! make -s -j2 all test-bins > "$out/build.log" 2>&1; then
	cat "$out/build.log"
	echo "0 passed, 1 failed"
	exit 1
fi

# The Debian image of the native tests is mostly downloads and unpacking:
# make it while the other tests run (tests/native/test_native.sh waits for
# it through image.sh's lock).
if [[ $unit_only -eq 0 && $(id -u) -eq 0 ]]; then
	tests/native/image.sh > "$out/native-image.log" 2>&1 &
fi

echo "== host tests"
for bin in $(make -s print-HOST_TEST_BINS); do
	run "host/$(basename "$bin")" "$bin"
done
for script in $(make -s print-HOST_TEST_SCRIPTS); do
	run "host/$(basename "$script" .sh)" bash "$script"
done

if [[ $unit_only -eq 0 ]]; then
	echo "== module checks"
	# shellcheck disable=SC2086 # the kernel list is words
	run "kmod/checks" bash tests/kmod/check.sh $kernels

	echo "== guest tests: one boot per kernel"
	guest_bins=${HMMBENCH_GUEST_TESTS:-$(make -s print-GUEST_TEST_BINS)}
	quick_runs=()
	for k in $kernels; do
		includes=(--include tests/lib.sh:/work/tests/lib.sh
			  --include tests/guest/run-guest.sh:/work/run-guest.sh
			  --include tests/guest/quick-run.sh:/work/quick-run.sh
			  --include tests/guest/interrupt-run.sh:/work/interrupt-run.sh
			  --include build/hmmbench:/work/build/hmmbench
			  --include bench/profiles:/work/bench/profiles)
		progs=()
		for bin in $guest_bins; do
			includes+=(--include "$bin:/work/$(basename "$bin")")
			progs+=("/work/$(basename "$bin")")
		done
		progs+=(/work/quick-run.sh /work/interrupt-run.sh)
		dir="$out/guest-$k"
		harness/vm/vm-run --kernel "$k" --out "$dir" --timeout 2400 \
			--swap 512 "${includes[@]}" -- /work/run-guest.sh \
			"${progs[@]}" > "$out/guest-$k.log" 2>&1
		for prog in "${progs[@]}"; do
			name=$(basename "$prog")
			tap="$dir/$name.tap"
			[[ -f $tap ]] || : > "$tap"
			count "$tap" "$(cat "$dir/$name.rc" 2>/dev/null || echo 1)" "guest-$k/$name"
		done
		# The kernel itself: no oops, WARN, BUG, lockdep splat or hang.
		result=$(sed -n 's/^HMMBENCH_VM_RESULT=//p' "$dir/vm.env" 2>/dev/null)
		if [[ $result != ok ]]; then
			echo "not ok - guest-$k: the VM run ended '${result:-unknown}' (see $dir/console.log)"
			grep '^vm-run:' "$out/guest-$k.log" | tail -3
			failed=$((failed + 1))
		else
			passed=$((passed + 1))
			printf '%-44s %4d passed, %d failed\n' "guest-$k/kernel log clean" 1 0
		fi
		for run_dir in "$dir"/results/*/*/*/; do
			[[ -f $run_dir/COMPLETE ]] && quick_runs+=("${run_dir%/}")
		done
		# The result folders as the host sees them: JSON, placement, skips.
		runs_k=("$dir"/results/*/*/*/ "$dir"/interrupted/*/*/*/)
		run "guest-$k/check_run" build/unit/check_run "${runs_k[@]%/}"
	done

	echo "== no case can sink a run: hugetlb cases without their pages, in a guest per kernel"
	# shellcheck disable=SC2086 # the kernel list is words
	run "vm/case-failures" bash tests/vm/test_case_failures.sh $kernels

	echo "== comparing the quick runs"
	run "compare/kernels" bash tests/results/test_compare_runs.sh "${quick_runs[@]}"

	echo "== ./run.sh"
	run "run.sh" bash tests/runsh/test_run_sh.sh

	echo "== ./run.sh natively, as root on a booted Debian 12 machine (6.1, 6.12)"
	run "native-debian" bash tests/native/test_native.sh

	echo "== the fleet: the Ansible playbook on test hosts in network namespaces"
	run "fleet" bash tests/fleet/test_fleet.sh
fi

echo
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
