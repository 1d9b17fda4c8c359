#!/bin/sh
# Runs inside the QEMU guest: the quick profile to completion, then a
# narrower second run of it, both into $HMMBENCH_OUT/results for the host
# to check (JSON, placement, skips) and to compare. TAP on stdout.
out=$HMMBENCH_OUT/results
# shellcheck source=tests/lib.sh
. /work/tests/lib.sh

# Swap and huge pages, so the swapped and hugetlb states run too.
echo 16 > /proc/sys/vm/nr_hugepages

run() {
	log=$HMMBENCH_OUT/hmmbench-$((tap_n + 1)).log
	/work/build/hmmbench "$@" --out "$out" > "$log" 2>&1
	rc=$?
	tap "$rc" "hmmbench $*"
	[ "$rc" -eq 0 ] || { echo "exit $rc"; tail -20 "$log"; } | sed 's/^/# /'
}

run --profile quick
sleep 1	# result folders are named by the second
run --profile quick --sizes 4K,2M --states none,present,thp --access read,write
tap_done
