#!/bin/sh
# Runs inside the QEMU guest: hmmbench interrupted by SIGINT leaves its
# results in a .partial folder, never one marked COMPLETE, says so, and
# exits non-zero; the next run works. TAP on stdout.
out=$HMMBENCH_OUT/interrupted
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

/work/build/hmmbench --profile quick --out "$out" > "$HMMBENCH_OUT/interrupt.log" 2>&1 &
pid=$!
sleep 5
kill -INT "$pid"
wait "$pid"
rc=$?
tap $([ "$rc" -ne 0 ]; echo $?) "SIGINT stops the run with a non-zero status ($rc)"
complete=$(find "$out" -name COMPLETE | wc -l)
tap $([ "$complete" -eq 0 ]; echo $?) "no result folder is marked complete"
partial=$(find "$out" -maxdepth 3 -name '.*.partial' -type d | wc -l)
tap $([ "$partial" -eq 1 ]; echo $?) "the partial results stay in a .partial folder"
grep -q 'interrupted; partial results stay in' "$HMMBENCH_OUT/interrupt.log"
tap $? "hmmbench says where the partial results are"
/work/build/hmmbench --profile quick --sizes 4K --states present --access read \
	--numa local --out "$out" > "$HMMBENCH_OUT/after.log" 2>&1
tap $? "the next run works"
complete=$(find "$out" -name COMPLETE | wc -l)
tap $([ "$complete" -eq 1 ]; echo $?) "and only that one is complete"
echo "1..$n"
exit "$failed"
