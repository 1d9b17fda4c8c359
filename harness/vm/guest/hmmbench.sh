#!/bin/sh
# Runs inside the guest for ./run.sh --kernel: hmmbench with its arguments,
# results into $HMMBENCH_OUT/results for vm-run to bring back. Huge pages
# are reserved so the hugetlb state runs (vm-run gives the guest swap).
echo 16 > /proc/sys/vm/nr_hugepages
exec /work/build/hmmbench "$@" --out "$HMMBENCH_OUT/results"
