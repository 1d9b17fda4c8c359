#!/bin/sh
# Runs in the guest (busybox sh) for tests/fidelity/run.sh: the same
# request timed by the independent module, warm and cold, then by hmmbench.
# Usage: guest.sh SIZE_MIB REPETITIONS; results into $HMMBENCH_OUT.
size=$1
reps=$2
out=$HMMBENCH_OUT
insmod /work/hmm_fidelity.ko || exit 1
rc=0
# Warm: a driver mirroring one range again and again.
/work/fidelity --size-mib "$size" --rounds 15 --calls 9 \
	--raw "$out/warm.raw" > "$out/warm.txt" 2>&1 || rc=1
# Cold: each call the first after the range was built, as hmmbench calls.
/work/fidelity --size-mib "$size" --rounds "$reps" --calls 1 --rebuild \
	--raw "$out/cold.raw" > "$out/cold.txt" 2>&1 || rc=1
cd /work || exit 1
/work/build/hmmbench --profile standard --repetitions "$reps" \
	--states thp --sizes "${size}M" --access snap --window 0 \
	--numa local --baselines none --out "$out/results" \
	--result-file "$out/result-path" > "$out/hmmbench.log" 2>&1 || rc=1
rmmod hmm_fidelity || rc=1
exit "$rc"
