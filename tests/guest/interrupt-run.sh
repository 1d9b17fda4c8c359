#!/bin/sh
# Runs inside the QEMU guest: hmmbench interrupted by SIGINT keeps the cases
# it finished in a .partial folder, never one marked COMPLETE, says how to
# resume and exits 130; --resume then finishes the run without measuring
# those cases again, and the result is whole. TAP on stdout.
out=$HMMBENCH_OUT/interrupted
hmmbench=/work/build/hmmbench
set -- --profile quick --sizes 4K,2M --states none,present,thp --out "$out"
n=0
failed=0
tap() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}

total=$("$hmmbench" --list "$@" 2>/dev/null |
	sed -n 's/^\([0-9]*\) cases to run.*/\1/p')
"$hmmbench" "$@" > "$HMMBENCH_OUT/interrupt.log" 2>&1 &
pid=$!
# Interrupt once a few cases are kept, or after 10 minutes. With random
# interleaving, cases finish in a burst near the end of a run, so look
# often: under KVM that burst is a few seconds long.
kept=0
for i in $(seq 6000); do
	kept=$(ls "$out"/*/*/.*.partial/cases/ 2>/dev/null | grep -c '\.json$')
	[ "$kept" -ge 3 ] && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
kill -INT "$pid"
wait "$pid"
rc=$?
tap $([ "$rc" -eq 130 ]; echo $?) "SIGINT stops the run with status 130 ($rc)"
complete=$(find "$out" -name COMPLETE | wc -l)
tap $([ "$complete" -eq 0 ]; echo $?) "no result folder is marked complete"
partial=$(find "$out" -mindepth 3 -maxdepth 3 -name '.*.partial' -type d)
tap $([ "$(echo "$partial" | grep -c .)" -eq 1 ]; echo $?) \
	"the finished cases stay in one .partial folder"
kept=$(ls "$partial/cases/" 2>/dev/null | grep -c '\.json$')
tap $([ "$kept" -ge 3 ]; echo $?) "$kept finished cases were kept"
# --resume takes them all but the calibration, which it measures again
taken=$(ls "$partial/cases/" 2>/dev/null | grep -v '^cal-' | grep -c '\.json$')
grep -q "Resume with: ./run.sh --resume $partial (or hmmbench --resume $partial" \
	"$HMMBENCH_OUT/interrupt.log"
tap $? "hmmbench says how to resume"

"$hmmbench" --resume "$partial" > "$HMMBENCH_OUT/resume.log" 2>&1
tap $? "--resume finishes the run"
final=$(find "$out" -name COMPLETE -exec dirname {} \;)
tap $([ "$(echo "$final" | grep -c .)" -eq 1 ] && [ ! -e "$partial" ]; echo $?) \
	"the resumed run is complete where the first would have ended ($final)"
ran=$(sed -n 's/^\([0-9]*\) cases in .*/\1/p' "$HMMBENCH_OUT/resume.log")
tap $([ "$ran" -eq $((total - taken)) ]; echo $?) \
	"only the $((total - taken)) cases not taken ran again ($ran of $total)"
means=$(grep -c '"aggregate_name": "mean"' "$final/hmmbench.json")
tap $([ "$means" -eq "$total" ]; echo $?) \
	"the result has every case once ($means of $total)"
grep -q "\"resumed\": \"$taken cases from an interrupted attempt\"" \
	"$final/hmmbench.json"
tap $? "its context says it was resumed"
tap $([ ! -e "$final/cases" ]; echo $?) "no per-case files are left behind"

"$hmmbench" --resume "$final" > "$HMMBENCH_OUT/resume-again.log" 2>&1
rc=$?
tap $([ "$rc" -eq 2 ] && grep -q 'complete already' "$HMMBENCH_OUT/resume-again.log"; echo $?) \
	"resuming a complete run is refused ($rc)"
echo "1..$n"
exit "$failed"
