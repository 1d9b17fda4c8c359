#!/bin/bash
# No case can sink a run, in a real guest per kernel (issue 8.1, 8.8):
# hugetlb cases that cannot get their pages either are skipped with the
# per-node reason (node 1 has too few) or, when the plan could not know
# (a hugetlb cgroup limit refuses the faults), fail with their reason, in
# the summary, the JSON's error_message and on stderr, while the run
# completes and exits 1. On 5.10 (no MADV_POPULATE_*) the guarded touch
# loop takes the SIGBUS; on 6.x MADV_POPULATE_WRITE fails the build.
# Usage: tests/vm/test_case_failures.sh SERIES...   TAP on stdout.
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/lib.sh
. tests/lib.sh

tmp=$(mktemp -d "${TMPDIR:-/tmp}/test_case_failures.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

for k in "$@"; do
	o=$tmp/$k
	harness/vm/vm-run --kernel "$k" --out "$o" --timeout 1200 \
		--include build/hmmbench:/work/build/hmmbench \
		--include bench/profiles:/work/bench/profiles \
		--include tests/vm/guest-case-failures.sh:/work/case-failures.sh \
		-- sh /work/case-failures.sh > "$o.log" 2>&1
	check "$k: the guest ran to its end, kernel log clean" \
		grep -q '^HMMBENCH_VM_RESULT=ok$' "$o/vm.env"
	per=$(find "$o/pernode" -name COMPLETE -printf '%h\n' 2> /dev/null | head -1)
	cg=$(find "$o/cgroup" -name COMPLETE -printf '%h\n' 2> /dev/null | head -1)

	# 1: too few huge pages on node 1.
	check "$k: node 1 short of huge pages: the run completes (status 0)" \
		bash -c "[[ -n '$per' && \$(cat '$o/pernode.rc') == 0 ]]"
	check "$k: node 1 short: its 16M hugetlb case is skipped with the per-node reason" \
		grep -q "^hmm/write/default/hugetlb/16M/c0m1	not enough huge pages on node 1 (2 free there, 8 needed): echo 8 > /sys/devices/system/node/node1/" "$per/skipped.tsv"
	check "$k: node 1 short: the same case on node 0, which has them, ran" \
		grep -q '^hmm/write/default/hugetlb/16M/c0m0 *[0-9]' "$per/summary.txt"

	# 2: the faults themselves refused.
	check "$k: faults refused: the run completes with status 1 (some cases failed)" \
		bash -c "[[ -n '$cg' && \$(cat '$o/cgroup.rc') == 1 ]]"
	check "$k: faults refused: each 16M hugetlb case is an ERROR with its reason in the summary" \
		bash -c "[[ \$(grep -cE '^(hmm|base)/write/[a-z]+/hugetlb/16M/c0m[01] +ERROR: (SIGBUS at byte [0-9]+ of the range|madvise\(MADV_POPULATE_WRITE\): )' '$cg/summary.txt') -eq 4 ]]"
	check "$k: faults refused: the JSON's error_message says the same" \
		bash -c "grep -A10 '\"name\": \"hmm/write/default/hugetlb/16M/c0m1' '$cg/hmmbench.json' | grep -qE '\"error_message\": \"(SIGBUS|madvise)'"
	check "$k: faults refused: the terminal got one FAILED line per failed case" \
		bash -c "[[ \$(grep -c '^FAILED .*/hugetlb/16M/' '$o/cgroup.err') -eq 4 ]]"
	check "$k: faults refused: the 2M hugetlb and the none cases still ran" \
		bash -c "grep -q '^hmm/write/default/hugetlb/2M/c0m1 *[0-9]' '$cg/summary.txt' && grep -q '^hmm/write/default/none/16M/c0m1 *[0-9]' '$cg/summary.txt'"
	if [[ $k == 5.10 ]]; then
		check "$k: without MADV_POPULATE the guarded touch caught the SIGBUS" \
			grep -q 'ERROR: SIGBUS at byte' "$cg/summary.txt"
	fi
	[[ $tap_failed -eq 0 ]] || { tail -n 5 "$o.log"; tail -n 5 "$o"/*.err; } | sed 's/^/# /'
done
tap_done
