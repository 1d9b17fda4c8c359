#!/bin/bash
# test_report.sh - end-to-end tests of hmmbench-report on synthetic runs.
#
# Builds (if needed) the ASan/UBSan variants of hmmbench-report and of the
# synthetic-run generator, writes run folders with known shifts, and checks
# compare, report and plot: significance markers, geometric mean, system
# differences, 80 columns, plot files (a remote pair's own baselines),
# error messages and exit codes; compare --mail (a known shift is the one
# change listed, an identical pair and a change under the floor give
# none, the 60-line cap, perf-profile lines, mail.txt); the refusal of runs
# whose settings differ; merge and its refusals; the method paragraph; and
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
# one_line FILE: FILE with its lines joined, for phrases that wrap
one_line() { tr '\n' ' ' < "$1"; }

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
check "header names Welch's t-test and Holm's correction" \
	grep -q "Holm's correction (family-wise error rate 0.05; Welch's t-test" \
	<(one_line "$tmp/shift.txt")
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

# --- compare --mail ---------------------------------------------------------
# mail_changes FILE: the change lines of a mail (base, %change, patched, case)
mail_changes() { grep -E '^ +[0-9.e+]+ ( ±  ?[0-9]+%|      ) +[-+][0-9.]+% ' "$1"; }

# The same seed draws the same noise: SHIFT is A with one case 20% slower,
# NOISY2 is A's cases drawn afresh (seed 2): nothing changed but the noise.
SHIFT=$tmp/results/synth/6.1.0-21-amd64/20240504T120000
NOISY2=$tmp/results/synth/6.1.0-21-amd64/20240505T120000
# shellcheck disable=SC2046
$gen --seed 1 --reps 10 --kernel 6.1.0-21-amd64 "$SHIFT" \
	$(cases_for 10000 | sed 's#hmm/read/default/none/2M=[0-9]*#hmm/read/default/none/2M=18000#')
# shellcheck disable=SC2046
$gen --seed 2 --reps 10 --kernel 6.1.0-21-amd64 "$NOISY2" $(cases_for 10000)
run "$report" compare --mail --no-plots "$A" "$SHIFT"
cp "$tmp/out" "$tmp/mail-shift.txt"
if [[ $rc -eq 0 && $(mail_changes "$tmp/mail-shift.txt" | wc -l) -eq 1 ]] &&
   mail_changes "$tmp/mail-shift.txt" | grep -Eq '^ +150[0-9]{2} .* \+20\.[0-9]% +180[0-9]{2} .* hmm/default/2M$' &&
   grep -B1 'hmm/default/2M$' "$tmp/mail-shift.txt" | grep -q '^read none$'; then
	ok "compare --mail: the one 20% shift is the one change, under 'read none'"
else
	not_ok "compare --mail: the one 20% shift is the one change, under 'read none'" "$(cat "$tmp/mail-shift.txt")"
fi
check "compare --mail names base, %change and patched" \
	grep -q '^ *base  *%change  *patched' "$tmp/mail-shift.txt"
if one_line "$tmp/mail-shift.txt" | grep -Eq 'Geometric mean .*: 1\.0[0-9]{3} \(\+[0-9.]+%\), 95% CI [0-9.]+ to [0-9.]+ '; then
	ok "compare --mail has the geometric mean with its 95% CI"
else
	not_ok "compare --mail has the geometric mean with its 95% CI"
fi
check "compare --mail has a method paragraph naming test and correction" \
	grep -q "Method and system: .*Welch's t-test per case, Holm's correction" \
	<(one_line "$tmp/mail-shift.txt")
if fits80 "$tmp/mail-shift.txt" && [[ $(wc -l < "$tmp/mail-shift.txt") -le 60 ]]; then
	ok "compare --mail fits 80 columns and 60 lines"
else
	not_ok "compare --mail fits 80 columns and 60 lines" "$(wc -l < "$tmp/mail-shift.txt") lines"
fi
run "$report" compare --mail --no-plots "$A" "$SAME"
if [[ $rc -eq 0 ]] && grep -q '^No significant change' "$tmp/out" &&
   [[ -z $(mail_changes "$tmp/out") ]]; then
	ok "compare --mail of an identical pair lists nothing"
else
	not_ok "compare --mail of an identical pair lists nothing" "$(head -20 "$tmp/out")"
fi
run "$report" compare --mail --no-plots "$A" "$NOISY2"
if [[ $rc -eq 0 ]] && grep -q '^No significant change' "$tmp/out"; then
	ok "compare --mail of two draws of the same cases lists nothing"
else
	not_ok "compare --mail of two draws of the same cases lists nothing" "$(mail_changes "$tmp/out")"
fi
# Without the correction, the old procedure: a 20% shift and nothing else
# is still one change, but at alpha 0.5 the noise of NOISY2 is starred.
run "$report" compare --mail --no-plots --correction none --min-change 0 --alpha 0.5 "$A" "$NOISY2"
if [[ $(mail_changes "$tmp/out" | wc -l) -gt 0 ]]; then
	ok "the uncorrected test without a floor stars noise ($(mail_changes "$tmp/out" | wc -l) of 14)"
else
	not_ok "the uncorrected test without a floor stars noise"
fi

# A 3% shift with 0.1% noise: its p is tiny, but it is under the 5% floor.
SMALL=$tmp/runs/small-shift
$gen --seed 1 --noise 0.001 "$tmp/runs/small-base" hmm/read/default/none/2M=10000 \
	hmm/read/default/zero/2M=10000
$gen --seed 2 --noise 0.001 "$SMALL" hmm/read/default/none/2M=10300 \
	hmm/read/default/zero/2M=10000
run "$report" compare --mail --no-plots "$tmp/runs/small-base" "$SMALL"
if grep -q '^No significant change' "$tmp/out" &&
   grep -q '(1 had p < 0.05 before correction)' <(one_line "$tmp/out"); then
	ok "a 3% change under the 5% floor is not listed, though p is tiny"
else
	not_ok "a 3% change under the 5% floor is not listed" "$(head -8 "$tmp/out")"
fi
run "$report" compare --mail --no-plots --min-change 2 "$tmp/runs/small-base" "$SMALL"
check "with --min-change 2 it is" grep -Eq '\+3\.0% .* hmm/default/2M$' "$tmp/out"

# Many changes: the list is cut to about 60 lines, saying how many more.
many=()
for i in $(seq 1 40); do
	many+=("hmm/read/default/none/$((i * 4))K=$((10000 + i * 100))")
done
$gen --seed 1 "$tmp/runs/many-a" "${many[@]}"
$gen --seed 1 "$tmp/runs/many-b" "${many[@]/%=*/=20000}"
run "$report" compare --mail --no-plots "$tmp/runs/many-a" "$tmp/runs/many-b"
if [[ $rc -eq 0 && $(wc -l < "$tmp/out") -le 60 ]] && fits80 "$tmp/out" &&
   grep -Eq '^\([0-9]+ more significant changes, smaller: see the full table\)' "$tmp/out"; then
	ok "40 changes: the mail keeps to 60 lines and says how many more"
else
	not_ok "40 changes: the mail keeps to 60 lines and says how many more" "$(wc -l < "$tmp/out") lines" "$(tail -25 "$tmp/out")"
fi

# perf-profile lines: the functions whose share moved most, 1 point or more.
mkdir -p "$A/perf" "$SHIFT/perf"
printf '# share symbol\n30.0 hmm_vma_walk_pmd\n20.0 clear_page_erms\n5.0 unmoved_fn\n' \
	> "$A/perf/hmm_read_default_none_2M.txt"
printf '25.0 hmm_vma_walk_pmd\n28.0 clear_page_erms\n5.5 unmoved_fn\n' \
	> "$SHIFT/perf/hmm_read_default_none_2M.txt"
run "$report" compare --mail --no-plots "$A" "$SHIFT"
perf=$(grep 'perf-profile.self' "$tmp/out")
if [[ $(wc -l <<< "$perf") -eq 2 ]] &&
   grep -A2 'hmm/default/2M$' "$tmp/out" | tail -2 | awk '{print $1, $2, $3, $4}' |
	tr '\n' ' ' | grep -qx '20.00 +8.00 28.00 perf-profile.self.clear_page_erms 30.00 -5.00 25.00 perf-profile.self.hmm_vma_walk_pmd '; then
	ok "perf-profile lines under the change: +8 and -5 points; a 0.5-point move left out"
else
	not_ok "perf-profile lines under the change" "$(grep -A4 'hmm/default/2M$' "$tmp/out")"
fi
echo "junk line" > "$SHIFT/perf/hmm_read_default_none_2M.txt"
run "$report" compare --mail --no-plots "$A" "$SHIFT"
if [[ $rc -eq 0 ]] && grep -q 'ignored: .*line 1 is not "PERCENT SYMBOL"' "$tmp/err" &&
   ! grep -q perf-profile "$tmp/out"; then
	ok "a malformed profile is named on stderr and left out"
else
	not_ok "a malformed profile is named on stderr and left out" "$(cat "$tmp/err")"
fi
rm -rf "$A/perf" "$SHIFT/perf"

run "$report" compare --mail --out "$tmp/cmp-mail" "$A" "$SHIFT"
if [[ $rc -eq 0 && -s $tmp/cmp-mail/mail.txt && -s $tmp/cmp-mail/compare.txt ]] &&
   cmp -s "$tmp/out" "$tmp/cmp-mail/mail.txt" &&
   grep -q "^  $tmp/cmp-mail/cmp-ns_page-read-none.png" "$tmp/out" &&
   ! grep -q "cmp-ns_page-read-present.png" "$tmp/out" &&
   grep -q "^  $tmp/cmp-mail/compare.txt" "$tmp/out"; then
	ok "compare --mail --out: mail.txt, compare.txt, and the plot of the changed case to attach"
else
	not_ok "compare --mail --out: mail.txt, compare.txt, and the plot of the changed case to attach" "$(tail -8 "$tmp/out")"
fi

# --- settings ----------------------------------------------------------------
WIN=$tmp/results/synth/6.1.0-21-amd64/20240506T120000
# shellcheck disable=SC2046
$gen --seed 1 --reps 10 --kernel 6.1.0-21-amd64 --window 64 "$WIN" $(cases_for 10000)
expect_error "compare refuses runs of different windows" 1 \
	"--allow-different-settings" "$report" compare --no-plots "$A" "$WIN"
check "the refusal names the setting and its values" \
	grep -q 'Window: #0 0, #1 64' "$tmp/err"
run "$report" compare --no-plots --allow-different-settings "$A" "$WIN"
if [[ $rc -eq 0 ]] && grep -q '^WARNING: the runs differ in 1 setting' "$tmp/out" &&
   grep -Eq '^Window +#0 0$' "$tmp/out"; then
	ok "--allow-different-settings: compared, flagged at the top, listed"
else
	not_ok "--allow-different-settings: compared, flagged at the top, listed" "$(head -12 "$tmp/out")"
fi
ITER=$tmp/runs/iter
# shellcheck disable=SC2046
$gen --seed 1 --reps 10 --kernel 6.1.0-21-amd64 --iterations 3 "$ITER" $(cases_for 10000)
expect_error "compare refuses runs of other iterations per repetition" 1 \
	"iterations per repetition: 14 case(s) differ" "$report" compare --no-plots "$A" "$ITER"
THP=$tmp/runs/thp
# shellcheck disable=SC2046
$gen --seed 1 --reps 10 --kernel 6.1.0-21-amd64 --ctx thp_shmem_enabled=always "$THP" $(cases_for 10000)
# shellcheck disable=SC2046
$gen --seed 1 --reps 10 --kernel 6.1.0-21-amd64 --ctx thp_shmem_enabled=never "$tmp/runs/thp2" $(cases_for 10000)
expect_error "compare refuses runs of other THP knobs" 1 \
	"thp_shmem_enabled: #0 always, #1 never" "$report" compare --no-plots "$THP" "$tmp/runs/thp2"

# --- merge ---------------------------------------------------------------------
BOOT2=$tmp/results/synth/6.1.0-21-amd64/20240507T120000
# shellcheck disable=SC2046
$gen --seed 9 --reps 5 --kernel 6.1.0-21-amd64 "$BOOT2" $(cases_for 10000)
mkdir -p "$A/perf" "$BOOT2/perf"
printf '40.0 a_fn\n10.0 b_fn\n' > "$A/perf/hmm_read_default_none_2M.txt"
printf '20.0 a_fn\n30.0 c_fn\n' > "$BOOT2/perf/hmm_read_default_none_2M.txt"
run "$report" merge --out "$tmp/merged/m1" "$A" "$BOOT2"
reps=$(grep -c '"name": "hmm/read/default/none/2M/manual_time"' "$tmp/merged/m1/hmmbench.json")
if [[ $rc -eq 0 && -f $tmp/merged/m1/COMPLETE && $reps -eq 15 ]] &&
   ! grep -q '"run_type": "aggregate"' "$tmp/merged/m1/hmmbench.json" &&
   grep -q "\"merged_from\": \"$A, $BOOT2\"" "$tmp/merged/m1/hmmbench.json"; then
	ok "merge: 10 + 5 repetitions of each case, sources in the context"
else
	not_ok "merge: 10 + 5 repetitions of each case, sources in the context" "exit $rc, $reps repetitions" "$(cat "$tmp/err")"
fi
if [[ $(cat "$tmp/merged/m1/perf/hmm_read_default_none_2M.txt") == $'# the mean of 2 profiles\n30.0000 a_fn\n15.0000 c_fn\n5.0000 b_fn' ]]; then
	ok "merge: a case's profiles averaged, a missing symbol counting 0"
else
	not_ok "merge: a case's profiles averaged" "$(cat "$tmp/merged/m1/perf/hmm_read_default_none_2M.txt")"
fi
rm -rf "$A/perf" "$BOOT2/perf"
run "$report" compare --no-plots "$A" "$tmp/merged/m1"
check "compare reads the merged folder (15 repetitions)" \
	grep -q 'Repetitions per case: #0 10, #1 15\.' "$tmp/out"
run "$report" report --no-plots "$tmp/merged/m1"
check "report reads the merged folder" test "$rc" -eq 0
run "$report" plot "$tmp/merged/m1"
check "plot reads the merged folder" test "$rc" -eq 0 -a -s "$tmp/merged/m1/plots/ratio-read.png"
expect_error "merge refuses runs of different kernels" 1 \
	"cannot merge runs of different kernels or machines (kernel_release: #0 6.1.0-21-amd64, #1 6.12.9-amd64" \
	"$report" merge --out "$tmp/merged/m2" "$A" "$B"
check "a refused merge leaves nothing" test ! -e "$tmp/merged/m2" -a ! -e "$tmp/merged/.m2.partial"
expect_error "merge refuses runs of different settings" 1 \
	"cannot merge runs made with different settings (Window: #0 0, #1 64)" \
	"$report" merge --out "$tmp/merged/m3" "$A" "$WIN"
expect_error "merge refuses an output folder that exists" 1 "exists" \
	"$report" merge --out "$tmp/merged/m1" "$A" "$BOOT2"
expect_error "merge refuses a run given twice" 1 "given twice" \
	"$report" merge --out "$tmp/merged/m4" "$A" "$A"
expect_error "merge without --out is a usage error" 2 "--out" \
	"$report" merge "$A" "$BOOT2"

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
METH=$tmp/runs/method
$gen --seed 1 --ctx states_rebuilt_per_call=none,zero,cow \
	--ctx states_rebuilt_per_snapshot= "$METH" \
	hmm/read/prefill/none/2M=2000 hmm/read/default/none/2M=1000 >/dev/null
run "$report" report --no-plots "$METH"
if one_line "$tmp/out" | grep -q 'from before the fill of the chunk.s pfn array .* through mmu_interval_read_begin(), the mmap read lock, hmm_range_fault() and its unlock, to the mmu_interval_read_retry() check' &&
   one_line "$tmp/out" | grep -q 'when its state is one a fault changes: none, zero and cow; snapshots rebuild none\.'; then
	ok "the method says what is timed and which states are rebuilt before each call"
else
	not_ok "the method says what is timed and which states are rebuilt before each call" "$(sed -n '/^Method/,$p' "$tmp/out")"
fi
check "a run that did not record the rebuilt states is said to" \
	grep -q "was not recorded by this run's hmmbench" <(one_line "$tmp/report.txt")
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

# A remote pair's chart draws that pair's own baselines, not the local ones.
REMOTE=$tmp/runs/remote
$gen --seed 1 "$REMOTE" hmm/read/prefill/none/2M/c0m0=2048000 \
	hmm/read/default/none/2M/c0m0=1024000 \
	hmm/read/prefill/none/2M/c0m1=4096000 \
	hmm/read/default/none/2M/c0m1=2048000 \
	base/read/touch/none/2M/c0m0=512000 base/read/touch/none/2M/c0m1=5120000
run "$report" plot "$REMOTE"
# columns: size_bytes size, then amean min max of prefill default touch populate
touch_c0m1=$(awk '!/^#/ {print int($9 + 0.5)}' "$REMOTE/plots/data/ns_page-read-none-c0m1.tsv")
touch_c0m0=$(awk '!/^#/ {print int($9 + 0.5)}' "$REMOTE/plots/data/ns_page-read-none-c0m0.tsv")
if [[ $rc -eq 0 && $touch_c0m1 -ge 9900 && $touch_c0m1 -le 10100 &&
      $touch_c0m0 -ge 990 && $touch_c0m0 -le 1010 ]]; then
	ok "remote pair c0m1 draws its own touch baseline ($touch_c0m1 ns/page; local $touch_c0m0)"
else
	not_ok "remote pair c0m1 draws its own touch baseline" "c0m1 $touch_c0m1, c0m0 $touch_c0m0"
fi

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

# Pairs whose repetitions spread too much to read are marked ?, and counted.
NOISY=$tmp/runs/noisy
$gen --seed 6 --reps 9 --noise 0.6 "$NOISY" hmm/read/prefill/none/2M=9000 \
	hmm/read/default/none/2M=8000 > /dev/null
run "$report" report --no-plots "$NOISY"
check "report marks a pair whose repetitions spread by over 25% with ?, and counts it" \
	bash -c "grep -Eq '^none +2M .*[0-9] ?\?\$' '$tmp/out' && grep -q '1 pairs are marked ?' <(tr '\n' ' ' < '$tmp/out' | tr -s ' ')"
run "$report" report --no-plots "$A"
check "a run that spreads little has no pair marked ?" \
	bash -c "! grep -Eq '[0-9]\?\$' '$tmp/out' && ! grep -q 'marked ?' '$tmp/out'"

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
