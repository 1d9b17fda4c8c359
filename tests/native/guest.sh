#!/bin/bash
# Runs inside the Debian machine of tests/native (started by systemd from
# the kernel command line, as root): ./run.sh's native path on a real
# booted Debian system, with Debian's kernel and headers installed as on a
# server. Nothing here is faked: the module is built against
# /lib/modules/$(uname -r)/build, loaded with the real insmod and unloaded
# with the real rmmod.
#
#  1. ./run.sh --profile quick (narrowed) as root: builds, loads, measures,
#     writes a complete result folder, unloads.
#  2. the same interrupted with SIGINT: status 130, the module unloaded,
#     the finished part kept.
#  3. a run with failing cases (a hugetlb cgroup limit refuses the faults):
#     status 1, the failures recorded, the module unloaded.
#  4. an ordinary user: refused with its one line.
#
# TAP goes to /mnt/hmmbench-out/native.tap, the programs' output next to
# it; "done" is written last. The host side is tests/native/test_native.sh.
set -u
out=/mnt/hmmbench-out
tree=/root/hmmbench
rel=$(uname -r)
exec > "$out/guest.log" 2>&1

cp -a /mnt/hmmbench-tree "$tree"
cd "$tree" || exit 1
# shellcheck source=tests/lib.sh
. tests/lib.sh
exec 3> "$out/native.tap"

# A narrowed quick sweep: 4K and 2M, two states, both styles and nodes.
sweep=(--profile quick --sizes "4K,2M" --states "none,present" --access "read,write")

module_gone() { ! grep -q '^hmm_bench ' /proc/modules; }

# run_sh NAME ARGS...: ./run.sh ARGS as root, output in $out/NAME.{out,err},
# its status in $status; at most 15 minutes.
run_sh() {
	local name=$1
	shift
	timeout 900 ./run.sh "$@" > "$out/$name.out" 2> "$out/$name.err"
	status=$?
}

{
	check "Debian kernel $rel is running with its headers installed (linux-headers-$rel, /lib/modules/$rel/build)" \
		bash -c "dpkg-query -W -f='\${Status}' linux-headers-$rel | grep -q 'install ok installed' && [[ -d /lib/modules/$rel/build ]]"

	# 1. The README's first command, narrowed.
	run_sh run "${sweep[@]}"
	check "./run.sh --profile quick (narrowed) as root runs to the end (status $status)" test "$status" -eq 0
	check "it builds hmm_bench.ko for $rel, against /lib/modules/$rel/build" \
		bash -c "grep -q '^run.sh: building hmm_bench.ko for $rel\$' '$out/run.err' && modinfo -F vermagic kmod/hmm_bench.ko | grep -q '^$rel '"
	check "it loads it with insmod (the kernel logs the out-of-tree module)" \
		bash -c "grep -q '^run.sh: hmm_bench loaded' '$out/run.err' && dmesg | grep -q 'hmm_bench: loading out-of-tree module taints kernel'"
	run=$(find "results/$(hostname)/$rel" -name COMPLETE -printf '%h\n' 2> /dev/null | head -1)
	check "a complete result folder under results/$(hostname)/$rel/ with summary, JSON and plots" \
		bash -c "[[ -n '$run' && -s '$run/summary.txt' && -s '$run/hmmbench.json' ]] && ls '$run'/plots/*.png > /dev/null"
	check "its JSON says which module measured and that this is no VM of ours" \
		bash -c "grep -q '\"module_version\"' '$run/hmmbench.json' && grep -q '\"vm\": \"none\"' '$run/hmmbench.json'"
	check "the module is unloaded at the end" \
		bash -c "grep -q '^run.sh: hmm_bench unloaded' '$out/run.err' && ! grep -q '^hmm_bench ' /proc/modules"
	check "run.sh prints where the results are" grep -q "^Results: $run\$" "$out/run.out"

	# 2. Ctrl-C while it measures.
	timeout 900 ./run.sh --profile quick --sizes 2M,4M --states none,present,zero \
		> "$out/sigint.out" 2> "$out/sigint.err" &
	pid=$!
	for ((i = 0; i < 3000; i++)); do
		grep -q '^hmm_bench ' /proc/modules &&
			[[ -n $(find results -name '.*.partial' 2> /dev/null) ]] && break
		sleep 0.2
	done
	sleep 5
	kill -INT "$pid"
	wait "$pid"
	status=$?
	partial=$(find results -name '.*.partial' | head -1)
	check "SIGINT while it measures: status 130 (got $status)" test "$status" -eq 130
	check "after SIGINT the module is unloaded" bash -c "grep -q '^run.sh: hmm_bench unloaded' '$out/sigint.err' && ! grep -q '^hmm_bench ' /proc/modules"
	check "after SIGINT the partial folder is kept, not marked complete" \
		bash -c "[[ -n '$partial' && ! -e '$partial/COMPLETE' ]]"

	# 3. Cases that fail: a hugetlb cgroup limit refuses the faults past
	# 4 pages, so the 16M cases fail (MADV_POPULATE_WRITE) while 2M runs.
	echo 16 > /proc/sys/vm/nr_hugepages
	echo +hugetlb > /sys/fs/cgroup/cgroup.subtree_control
	mkdir -p /sys/fs/cgroup/hmmbench-limited
	echo $((4 * 2048 * 1024)) > /sys/fs/cgroup/hmmbench-limited/hugetlb.2MB.max
	(
		echo "$BASHPID" > /sys/fs/cgroup/hmmbench-limited/cgroup.procs
		run_sh failing --profile quick --states none,hugetlb --sizes 2M,16M \
			--access write --styles default --baselines touch --repetitions 2
		exit "$status"
	)
	status=$?
	failed=$(find "results/$(hostname)/$rel" -newer "$out/sigint.err" -name COMPLETE -printf '%h\n' | head -1)
	check "failing cases: the run completes with status 1 (got $status)" \
		bash -c "[[ $status -eq 1 && -n '$failed' ]]"
	check "failing cases: each is recorded with its reason, on the terminal and in the summary" \
		bash -c "grep -q '^FAILED .*/hugetlb/16M/' '$out/failing.err' && grep -qE '/hugetlb/16M/c0m0 +ERROR: ' '$failed/summary.txt'"
	check "failing cases: the module is unloaded" \
		bash -c "grep -q '^run.sh: hmm_bench unloaded' '$out/failing.err' && ! grep -q '^hmm_bench ' /proc/modules"
	echo 0 > /proc/sys/vm/nr_hugepages

	# 4. An ordinary user.
	cp -a "$tree" /home/tester/hmmbench
	chown -R tester: /home/tester/hmmbench
	(cd /home/tester/hmmbench && runuser -u tester -- ./run.sh --no-vm > "$out/user.out" 2> "$out/user.err")
	status=$?
	check "as an ordinary user it refuses with its one line (status $status)" \
		bash -c "[[ $status -eq 1 ]] && head -1 '$out/user.err' | grep -qx 'run.sh: cannot run natively: not root: loading a kernel module needs root; run sudo ./run.sh'"
	check "and loads nothing" module_gone
	tap_done
} >&3
cp -r results "$out/results" 2> /dev/null
dmesg > "$out/dmesg.log"
sync
echo finished > "$out/done"
