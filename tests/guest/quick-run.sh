#!/bin/sh
# Runs inside the QEMU guest: the quick profile to completion, then a
# narrower second run of it, both into $HMMBENCH_OUT/results for the host
# to check (JSON, placement, skips) and to compare. TAP on stdout.
out=$HMMBENCH_OUT/results
n=0
failed=0

# Swap and huge pages, so the swapped and hugetlb states run too.
echo 16 > /proc/sys/vm/nr_hugepages

run() {
	n=$((n + 1))
	log=$HMMBENCH_OUT/hmmbench-$n.log
	if /work/build/hmmbench "$@" --out "$out" > "$log" 2>&1; then
		echo "ok $n - hmmbench $*"
	else
		echo "not ok $n - hmmbench $* (exit $?)"
		tail -20 "$log" | sed 's/^/# /'
		failed=$((failed + 1))
	fi
}

run --profile quick
sleep 1	# result folders are named by the second
run --profile quick --sizes 4K,2M --states none,present,thp --access read,write
echo "1..$n"
exit "$failed"
