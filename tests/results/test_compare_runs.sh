#!/bin/bash
# Real quick-profile runs from the guests, compared: Google Benchmark's own
# compare.py reads them, and hmmbench-report compares kernels, reports one
# run and plots it. TAP on stdout.
# Usage: test_compare_runs.sh RUN_DIR... (at least two)
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
tap_done
