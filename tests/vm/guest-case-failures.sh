#!/bin/sh
# Runs in a guest (busybox sh) for tests/vm/test_case_failures.sh: hugetlb
# cases that cannot get their pages, two ways, in one hmmbench run each.
#  1. node 1 has too few huge pages: its cases are skipped with the reason.
#  2. every node has enough, but a hugetlb cgroup limit refuses the faults
#     past 4 pages: the 16M builds and the touch baseline fault (SIGBUS, or
#     MADV_POPULATE_WRITE fails), and each such case fails with its reason.
# Both runs must complete. Results under $HMMBENCH_OUT/{pernode,cgroup}.
hp=hugepages/hugepages-2048kB/nr_hugepages
nodes=/sys/devices/system/node
args="--profile quick --states none,hugetlb --sizes 2M,16M --access write --styles default --baselines touch --repetitions 2"

echo 16 > $nodes/node0/$hp
echo 2 > $nodes/node1/$hp
echo "pernode: node0 $(cat $nodes/node0/$hp) node1 $(cat $nodes/node1/$hp)"
# shellcheck disable=SC2086 # the arguments are words
/work/build/hmmbench $args --out "$HMMBENCH_OUT/pernode" > "$HMMBENCH_OUT/pernode.out" 2> "$HMMBENCH_OUT/pernode.err"
echo $? > "$HMMBENCH_OUT/pernode.rc"

echo 16 > $nodes/node1/$hp
mkdir -p /sys/fs/cgroup
mount -t cgroup2 none /sys/fs/cgroup
echo +hugetlb > /sys/fs/cgroup/cgroup.subtree_control
mkdir /sys/fs/cgroup/limited
echo $((4 * 2048 * 1024)) > /sys/fs/cgroup/limited/hugetlb.2MB.max
echo $$ > /sys/fs/cgroup/limited/cgroup.procs
echo "cgroup: limit $(cat /sys/fs/cgroup/limited/hugetlb.2MB.max) node0 $(cat $nodes/node0/$hp) node1 $(cat $nodes/node1/$hp)"
# shellcheck disable=SC2086 # the arguments are words
/work/build/hmmbench $args --out "$HMMBENCH_OUT/cgroup" > "$HMMBENCH_OUT/cgroup.out" 2> "$HMMBENCH_OUT/cgroup.err"
echo $? > "$HMMBENCH_OUT/cgroup.rc"
