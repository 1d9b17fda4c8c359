#!/bin/bash
# test_report.sh - end-to-end tests of hmmbench-report on synthetic runs.
#
# Builds (if needed) the ASan/UBSan variants of hmmbench-report and of the
# synthetic-run generator, writes run folders with known shifts, and checks
# compare, report and plot: significance markers, geometric mean, system
# differences, 80 columns, plot files, error messages and exit codes, and
# that Google Benchmark's own compare.py reads our JSON. TAP on stdout;
# exits non-zero when a test fails.
set -u

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$root/build}
report=${HMMBENCH_REPORT:-$build/san/hmmbench-report}
gen=${MAKE_SYNTHETIC_RUN:-$build/san/make_synthetic_run}
export HMMBENCH_PLOTS=${HMMBENCH_PLOTS:-$root/plots}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}

# Up to date with the sources (a no-op after `make test-bins`).
if [[ -z ${HMMBENCH_REPORT:-} ]]; then
	make -C "$root" -s BUILD="$build" "$build/san/hmmbench-report" "$build/san/make_synthetic_run" >&2 || {
		echo "1..0 # SKIP cannot build hmmbench-report test binaries"
		exit 1
	}
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# shellcheck source=tests/lib.sh
. "$root/tests/lib.sh"

# fits80 FILE: no line of FILE is wider than a mail's 80 columns.
fits80() { ! awk 'length > 80' "$1" | grep -q .; }

# run CMD... : stdout to $tmp/out, stderr to $tmp/err, status in $rc
run() { "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?; }

# An error is one line on stderr, a given exit status and a given phrase.
expect_error() {	# expect_error "what" status phrase cmd...
	local what=$1 want=$2 phrase=$3; shift 3
	run "$@"
	if [[ $rc -eq $want && $(wc -l <"$tmp/err") -eq 1 ]] &&
	   grep -qF -- "$phrase" "$tmp/err"; then
		ok "$what"
	else
		not_ok "$what" "exit $rc (want $want), stderr:" "$(head -c 600 "$tmp/err")"
	fi
}

cases_for() {	# cases_for MEAN_NS: a small sweep of hmm/ and base/ cases
	local m=$1
	echo "hmm/read/prefill/present/2M=$((m * 13 / 10))" \
	     "hmm/read/default/present/2M=$m" \
	     "hmm/read/prefill/none/64K=$((m / 4))" \
	     "hmm/read/default/none/64K=$((m / 5))" \
	     "hmm/read/prefill/none/2M=$((m * 2))" \
	     "hmm/read/default/none/2M=$((m * 3 / 2))" \
	     "hmm/snap/prefill/none/1G=$((m * 40))" \
	     "hmm/snap/default/none/1G=$m" \
	     "hmm/read/default/present/2M/c0m0=$m" \
	     "hmm/read/default/present/2M/c0m1=$((m * 3 / 2))" \
	     "hmm/read/default/present/2M/c1m0=$((m * 3 / 2))" \
	     "hmm/read/default/present/2M/c1m1=$m" \
	     "base/read/touch/none/2M=$((m * 2))" \
	     "base/read/populate/none/2M=$m"
}

echo "1..44"

# --- synthetic runs ---------------------------------------------------------
A=$tmp/results/synth/6.1.0-21-amd64/20240501T120000
B=$tmp/results/synth/6.12.9-amd64/20240502T120000
SAME=$tmp/results/synth/6.1.0-21-amd64/20240503T120000
FEW=$tmp/runs/few
ERR=$tmp/runs/err
# shellcheck disable=SC2046
$gen --seed 1 --reps 10 --kernel 6.1.0-21-amd64 "$A" $(cases_for 10000) &&
$gen --seed 2 --reps 10 --kernel 6.12.9-amd64 --governor schedutil \
	"$B" $(cases_for 12000) &&
$gen --seed 1 --reps 10 --kernel 6.1.0-21-amd64 "$SAME" $(cases_for 10000) &&
$gen --seed 3 --reps 5 --kernel 6.13.0-1-amd64 "$FEW" $(cases_for 10000) &&
$gen --seed 4 --reps 10 --error hmm/read/prefill/present/2M \
	--skip "hmm/read/default/swapped/2M=no swap: swapon a device" \
	--vm tcg "$ERR" $(cases_for 10000)
check "make_synthetic_run writes run folders" test -f "$A/COMPLETE" -a \
	-f "$B/hmmbench.json" -a -f "$ERR/skipped.tsv"

# --- compare: significance ------------------------------------------------
run "$report" compare --no-plots "$A" "$B"
cp "$tmp/out" "$tmp/shift.txt"
check "compare of a 20% shift exits 0" test "$rc" -eq 0
amean=$(awk '/^hmm\/read\/default\/present\/2M \(/ {f=1} f && /^Amean/ {print; exit}' "$tmp/shift.txt")
if [[ $amean =~ \*[[:space:]]*-(19|20|21)\.[0-9]+%\* ]]; then
	ok "20% slower Amean is starred *-20.xx%*"
else
	not_ok "20% slower Amean is starred *-20.xx%*" "row: $amean"
fi
check "baseline column reads (   0.00%)" grep -q '(   0.00%)' "$tmp/shift.txt"
check "header names Welch's t-test and lower is better" \
	grep -q "Welch's t-test" "$tmp/shift.txt"
check "header says lower is better" grep -qi "lower is better" "$tmp/shift.txt"
if grep -Eq '^Gmean +1\.0000 \(   0\.00%\) +1\.2[0-9]{3} ' "$tmp/shift.txt"; then
	ok "geometric-mean line gives ratio ~1.2"
else
	not_ok "geometric-mean line gives ratio ~1.2" "$(grep -A1 -B1 '^Gmean' "$tmp/shift.txt")"
fi
check "system differences name kernel and governor" \
	grep -Eq '^Governor +#0 performance' "$tmp/shift.txt"
if sed -n '/^System differences/,$p' "$tmp/shift.txt" | grep -Eq '^(THP|Profile|Machine)'; then
	not_ok "system differences omit facts that are equal"
else
	ok "system differences omit facts that are equal"
fi
check "no repetition warning with 10 repetitions" \
	bash -c "! grep -q 'fewer than 9' '$tmp/shift.txt'"

run "$report" compare --no-plots --test mwu "$A" "$B"
if [[ $rc -eq 0 ]] && grep -q "Mann-Whitney U" "$tmp/out" &&
   grep -Eq '^Amean .*\*[[:space:]]*-(19|20|21)\.[0-9]+%\*' "$tmp/out"; then
	ok "--test mwu names the U test and stars the shift"
else
	not_ok "--test mwu names the U test and stars the shift"
fi

run "$report" compare --no-plots "$A" "$SAME"
if [[ $rc -eq 0 ]] && ! grep -Eq '^(Min|Amean|Stddev|CoeffVar|Max) .*\*' "$tmp/out" &&
   grep -Eq '^Gmean +1\.0000 .* 1\.0000 ' "$tmp/out"; then
	ok "identical samples: no marker, geomean 1.0000"
else
	not_ok "identical samples: no marker, geomean 1.0000" "$(grep -E '\*|Gmean' "$tmp/out" | head -5)"
fi
check "identical runs: no system differences" \
	grep -q "none: kernel" "$tmp/out"

run "$report" compare --no-plots "$A" "$FEW"
check "fewer than 9 repetitions gives a warning" \
	grep -q "fewer than 9 repetitions" "$tmp/out"

run "$report" compare --no-plots "$A" "$B" "$SAME" "$FEW" "$ERR"
long=$(awk 'length > 80' "$tmp/out" | head -3)
if [[ $rc -eq 0 && -z $long ]] && grep -q '#4' "$tmp/out"; then
	ok "five runs: every line of compare fits 80 columns"
else
	not_ok "five runs: every line of compare fits 80 columns" "exit $rc" "$long"
fi
check "two runs: compare fits 80 columns" fits80 "$tmp/shift.txt"

run "$report" compare --no-plots "$A" "$ERR"
if grep -Eq '^Amean +[0-9.]+ \(   0\.00%\) +ERROR' "$tmp/out" &&
   grep -q "#1 error: verify" "$tmp/out"; then
	ok "a failed case shows ERROR and its message, not a number"
else
	not_ok "a failed case shows ERROR and its message, not a number"
fi

PART=$tmp/runs/part
$gen --seed 5 "$PART" hmm/read/default/present/2M=10000 hmm/read/default/thp/2M=9000
run "$report" compare --no-plots "$A" "$PART"
if [[ $rc -eq 0 ]] && grep -q "Cases not in every run" "$tmp/out" &&
   grep -A1 "^  hmm/read/default/thp/2M" "$tmp/out" | grep -q "only in #1"; then
	ok "cases not in all runs are listed separately"
else
	not_ok "cases not in all runs are listed separately"
fi

# --- compare: plots -------------------------------------------------------
run "$report" compare --out "$tmp/cmp" "$A" "$B"
pngs=$(find "$tmp/cmp" -name 'cmp-*.png' | wc -l)
if [[ $rc -eq 0 && $pngs -gt 0 && -s $tmp/cmp/compare.txt ]]; then
	ok "compare --out writes compare.txt and $pngs PNG charts"
else
	not_ok "compare --out writes compare.txt and PNG charts" "$(cat "$tmp/err")"
fi
run "$report" compare "$A" "$B"
check "compare without --out writes under results/compare-*" \
	bash -c "ls -d '$tmp'/results/compare-*/compare.txt >/dev/null 2>&1"

# --- report and plot ------------------------------------------------------
run "$report" report "$ERR"
cp "$tmp/out" "$tmp/report.txt"
check "report exits 0" test "$rc" -eq 0
if grep -Eq '^present +2M +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +1\.[23][0-9]*\*' "$tmp/report.txt" ||
   grep -Eq '^none +1G .* [0-9.]+\*$' "$tmp/report.txt"; then
	ok "report rows give prefill, default and a starred ratio"
else
	not_ok "report rows give prefill, default and a starred ratio" "$(sed -n 8,16p "$tmp/report.txt")"
fi
check "report shows the failed case as ERROR" \
	grep -Eq '^present +2M +ERROR ' "$tmp/report.txt"
check "report lists skipped cases with the reason" \
	grep -q "no swap: swapon a device" "$tmp/report.txt"
check "report has a method paragraph naming the VM" \
	grep -q "QEMU VM (tcg" "$tmp/report.txt"
check "report lists the plots to attach" \
	grep -q "plots/ns_page-read-present.png" "$tmp/report.txt"
check "report fits 80 columns" fits80 "$tmp/report.txt"

run "$report" plot "$A"
pngs=$(find "$A/plots" -name '*.png')
svgs=$(find "$A/plots" -name '*.svg')
bad=""
for f in $pngs; do
	[[ $(head -c 8 "$f" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]] || bad+=" $f"
done
if [[ $rc -eq 0 && -n $pngs && -z $bad ]]; then
	ok "plot writes valid PNG files ($(echo "$pngs" | wc -l))"
else
	not_ok "plot writes valid PNG files" "$bad" "$(cat "$tmp/err")"
fi
bad=""
for f in $svgs; do
	if command -v xmllint >/dev/null; then
		xmllint --noout "$f" 2>/dev/null || bad+=" $f"
	else
		head -c 100 "$f" | grep -Eq '<\?xml|<svg' || bad+=" $f"
	fi
done
if [[ -n $svgs && -z $bad ]]; then
	ok "plot writes SVG files that parse as XML"
else
	not_ok "plot writes SVG files that parse as XML" "$bad"
fi
check "plot makes the NUMA matrix and the ratio chart" \
	test -s "$A/plots/numa-read-present-2M.png" -a -s "$A/plots/ratio-read.png"
check "gnuplot read derived TSV" test -s "$A/plots/data/ns_page-read-present.tsv"

# Restarts per call: in the report's table of them, and in the plots' data.
R=$tmp/runs/restarts
$gen --seed 5 --reps 5 "$R" hmm/write/prefill/zero/8M=9000 \
	hmm/write/default/zero/8M=8000 hmm/write/prefill/none/8M=7000 \
	hmm/write/default/none/8M=6000 > /dev/null
run "$report" report --no-plots "$R"
check "report lists the pairs that restarted, with restarts per call" \
	bash -c "grep -A3 '^Restarts per call' '$tmp/out' | grep -Eq '^write +zero +8M +4.00 +4.00\$' && ! grep -Eq '^write +none +8M +[0-9]' '$tmp/out'"
run "$report" plot "$R"
check "the plots' data has restarts per call of each style" \
	bash -c "grep -q 'prefill_retries.default_retries' '$R/plots/data/ns_page-write-zero.tsv' && grep -Eq '^8388608.*\s4\s4\$' '$R/plots/data/ns_page-write-zero.tsv'"

# --- bad input ------------------------------------------------------------
expect_error "unknown option: exit 2, one line" 2 "unknown option" \
	"$report" compare --frobnicate "$A" "$B"
expect_error "missing run folder: exit 1, names it" 1 "no such run folder" \
	"$report" compare "$A" "$tmp/nope"
mkdir -p "$tmp/notrun"
expect_error "folder without hmmbench.json: not a result folder" 1 \
	"not a result folder" "$report" report "$tmp/notrun"
TRUNC=$tmp/runs/trunc
cp -r "$A" "$TRUNC"
head -c 3000 "$A/hmmbench.json" >"$TRUNC/hmmbench.json"
expect_error "truncated JSON: line and column" 1 "invalid JSON at line" \
	"$report" compare "$A" "$TRUNC"
$gen --schema - "$tmp/runs/gb" hmm/read/default/present/2M=1000 >/dev/null
expect_error "JSON without hmmbench_schema: not a hmmbench run" 1 \
	"not a hmmbench run" "$report" compare "$A" "$tmp/runs/gb"
$gen --schema 2 "$tmp/runs/v2" hmm/read/default/present/2M=1000 >/dev/null
expect_error "other schema is refused" 1 'hmmbench_schema "2"' \
	"$report" compare "$A" "$tmp/runs/v2"
$gen --incomplete "$tmp/runs/inc" hmm/read/default/present/2M=1000 >/dev/null
expect_error "run without COMPLETE is refused" 1 "--allow-incomplete" \
	"$report" report --no-plots "$tmp/runs/inc"
run "$report" report --no-plots --allow-incomplete "$tmp/runs/inc"
check "--allow-incomplete accepts it, with a warning" \
	grep -q "incomplete run" "$tmp/out"
$gen "$tmp/runs/other" hmm/write/default/zero/4K=500 >/dev/null
expect_error "no case in common: error, non-zero exit" 1 \
	"no benchmark case is in every run" "$report" compare "$A" "$tmp/runs/other"
expect_error "bad --alpha is a usage error" 2 "--alpha" \
	"$report" compare --alpha 2 "$A" "$B"

# --- Google Benchmark's compare.py reads our JSON -------------------------
if /usr/bin/python3 -c 'import scipy' 2>/dev/null &&
   [[ -f /usr/share/benchmark/compare.py ]]; then
	run /usr/bin/python3 /usr/share/benchmark/compare.py --no-color \
		benchmarks "$A/hmmbench.json" "$B/hmmbench.json"
	if [[ $rc -eq 0 ]] && grep -q OVERALL_GEOMEAN "$tmp/out" &&
	   grep -q "U Test, Repetitions: 10 vs 10" "$tmp/out"; then
		ok "Google Benchmark compare.py accepts two synthetic runs"
	else
		not_ok "Google Benchmark compare.py accepts two synthetic runs" "$(tail -3 "$tmp/err")"
	fi
else
	skip "Google Benchmark compare.py accepts two synthetic runs" \
		"needs libbenchmark-tools and python3-scipy"
fi

tap_done
