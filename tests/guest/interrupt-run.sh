#!/bin/sh
# Runs inside the QEMU guest: hmmbench interrupted by SIGINT keeps the cases
# it finished in a .partial folder, never one marked COMPLETE, says how to
# resume and exits 130; --resume then finishes the run without measuring
# those cases again, and the result is whole. TAP on stdout.
out=$HMMBENCH_OUT/interrupted
hmmbench=/work/build/hmmbench
set -- --profile quick --sizes 4K,2M --states none,present,thp --out "$out"
# shellcheck source=tests/lib.sh
. /work/tests/lib.sh

total=$("$hmmbench" --list "$@" 2>/dev/null |
	sed -n 's/^\([0-9]*\) cases to run.*/\1/p')
"$hmmbench" "$@" > "$HMMBENCH_OUT/interrupt.log" 2>&1 &
pid=$!
# Interrupt once a few cases are kept, or after 10 minutes. With random
# interleaving, cases finish in a burst near the end of a run, so look
# often: under KVM that burst is a few seconds long.
# count_json DIR...: the .json files in DIR...
count_json() {
	find "$@" -maxdepth 1 -name '*.json' 2>/dev/null | grep -c .
}
kept=0
for _ in $(seq 6000); do
	kept=$(count_json "$out"/*/*/.*.partial/cases/)
	[ "$kept" -ge 3 ] && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
kill -INT "$pid"
wait "$pid"
rc=$?
[ "$rc" -eq 130 ]
tap $? "SIGINT stops the run with status 130 ($rc)"
complete=$(find "$out" -name COMPLETE | wc -l)
[ "$complete" -eq 0 ]
tap $? "no result folder is marked complete"
partial=$(find "$out" -mindepth 3 -maxdepth 3 -name '.*.partial' -type d)
[ "$(echo "$partial" | grep -c .)" -eq 1 ]
tap $? "the finished cases stay in one .partial folder"
kept=$(count_json "$partial/cases/")
[ "$kept" -ge 3 ]
tap $? "$kept finished cases were kept"
# --resume takes them all but the calibration, which it measures again
taken=$(find "$partial/cases/" -maxdepth 1 -name '*.json' ! -name 'cal-*' 2>/dev/null | grep -c .)
grep -q "Resume with: ./run.sh --resume $partial (or hmmbench --resume $partial" \
	"$HMMBENCH_OUT/interrupt.log"
tap $? "hmmbench says how to resume"

"$hmmbench" --resume "$partial" > "$HMMBENCH_OUT/resume.log" 2>&1
tap $? "--resume finishes the run"
final=$(find "$out" -name COMPLETE -exec dirname {} \;)
[ "$(echo "$final" | grep -c .)" -eq 1 ] && [ ! -e "$partial" ]
tap $? "the resumed run is complete where the first would have ended ($final)"
ran=$(sed -n 's/^\([0-9]*\) cases in .*/\1/p' "$HMMBENCH_OUT/resume.log")
[ "$ran" -eq $((total - taken)) ]
tap $? "only the $((total - taken)) cases not taken ran again ($ran of $total)"
means=$(grep -c '"aggregate_name": "mean"' "$final/hmmbench.json")
[ "$means" -eq "$total" ]
tap $? "the result has every case once ($means of $total)"
grep -q "\"resumed\": \"$taken cases from an interrupted attempt\"" \
	"$final/hmmbench.json"
tap $? "its context says it was resumed"
[ ! -e "$final/cases" ]
tap $? "no per-case files are left behind"

"$hmmbench" --resume "$final" > "$HMMBENCH_OUT/resume-again.log" 2>&1
rc=$?
[ "$rc" -eq 2 ] && grep -q 'complete already' "$HMMBENCH_OUT/resume-again.log"
tap $? "resuming a complete run is refused ($rc)"
tap_done
