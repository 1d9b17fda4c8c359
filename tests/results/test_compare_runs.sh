#!/bin/bash
# Real quick-profile runs from the guests, compared: Google Benchmark's own
# compare.py reads them, and hmmbench-report compares kernels, reports one
# run and plots it; the A/A check: two runs of one kernel (one boot) have
# no significant change, and the counts say what the uncorrected test of
# old would have starred. TAP on stdout.
# Usage: test_compare_runs.sh RUN_DIR... (at least two; the runs of one
# kernel are the folders under one results/<host>/<kernel-release>/)
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh

report=build/hmmbench-report
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [[ $# -lt 2 ]]; then
	tap 1 "at least two complete quick runs came back from the guests (got $#)"
	tap_done
	exit 1
fi
a=$1
b=${!#}

/usr/bin/python3 /usr/share/benchmark/compare.py benchmarks \
	"$a/hmmbench.json" "$b/hmmbench.json" > "$tmp/gb" 2>&1
tap $? "Google Benchmark's compare.py accepts two runs"
grep -q 'hmm/read/prefill/none/4K/c0m0/manual_time' "$tmp/gb"
tap $? "compare.py pairs cases by their stable names"

$report compare --out "$tmp/cmp" "$@" > "$tmp/compare.txt" 2> "$tmp/compare.err"
tap $? "hmmbench-report compare of $# runs"
grep -q '^Amean' "$tmp/compare.txt" && grep -q '^Gmean' "$tmp/compare.txt"
tap $? "the comparison has Amean rows and a geometric-mean line"
awk 'length > 80 { bad = 1 } END { exit bad }' "$tmp/compare.txt"
tap $? "the comparison fits 80 columns"
png=$(find "$tmp/cmp" -name '*.png' | head -1)
svg=$(find "$tmp/cmp" -name '*.svg' | head -1)
[[ -n $png ]] && head -c 8 "$png" | od -An -tx1 | grep -q '89 50 4e 47 0d 0a 1a 0a'
tap $? "comparison plots are PNG"
[[ -n $svg ]] && grep -q '<svg' "$svg"
tap $? "comparison plots are SVG"

$report report "$a" > "$tmp/report.txt" 2> "$tmp/report.err"
tap $? "hmmbench-report report of a guest run"
grep -q 'prefill' "$tmp/report.txt" && grep -qi 'method' "$tmp/report.txt" &&
	grep -qi 'tcg\|kvm' "$tmp/report.txt"
tap $? "the report sets the styles side by side and names the VM"
ls "$a"/plots/*.png > /dev/null 2>&1
tap $? "the report drew the run's plots"

# A/A: the first two runs of each kernel, compared with the default test,
# correction and floor; the legend's count line says how many survive and
# how many had p < alpha alone (what compare starred before the
# correction). The mail of the pair lists no change either.
declare -A first_of
for run in "$@"; do
	kernel_dir=$(dirname "$run")
	if [[ -z ${first_of[$kernel_dir]:-} ]]; then
		first_of[$kernel_dir]=$run
		continue
	fi
	[[ ${first_of[$kernel_dir]} == compared ]] && continue
	base=${first_of[$kernel_dir]}
	first_of[$kernel_dir]=compared
	kernel=$(basename "$kernel_dir")
	$report compare --no-plots "$base" "$run" > "$tmp/aa.txt" 2> "$tmp/aa.err"
	counts=$(grep -Eo '^[0-9]+ of [0-9]+ comparisons (is|are) significant \([0-9]+ had p' "$tmp/aa.txt")
	read -r survived _ family _ <<< "$counts"
	uncorrected=$(sed -E 's/.*\(([0-9]+) had p$/\1/' <<< "$counts")
	[[ -n $counts && $survived -eq 0 ]]
	tap $? "A/A $kernel: two runs of one kernel, no significant change of $family (uncorrected Welch at 0.05 would star $uncorrected)"
	[[ -n $counts ]] || sed 's/^/# /' "$tmp/aa.err"
	$report compare --mail --no-plots "$base" "$run" > "$tmp/aa-mail.txt" 2>&1
	grep -q '^No significant change' "$tmp/aa-mail.txt" &&
		awk 'length > 80 { bad = 1 } END { exit bad }' "$tmp/aa-mail.txt"
	tap $? "A/A $kernel: its mail says no significant change, in 80 columns"
done
tap_done
