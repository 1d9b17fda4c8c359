# shellcheck shell=bash
# shellcheck disable=SC2154,SC2034 # run.sh owns the options and the state these read and set
# Sourced by run.sh: what every path of it shares. Messages, the traps that
# unload the module and remove temporary folders on every way out, running
# a child as a foreground command would, packages, the userspace build, and
# the last words of a run (plots and where everything is).

say() { echo "run.sh: $*" >&2; }
die() { say "$*"; exit 1; }

# Cleanup state. Global: the traps that read it run at the top level, when
# the function that set it has long returned.
cleanup_paths=()	# temporary files and folders, removed on every way out
module_ours=0		# 1 while run.sh has hmm_bench loaded: unload on the way out
child_pid=''		# the program run.sh waits for (hmmbench or vm-run)
vm_pending=''		# a VM run whose results are still to be brought home

# Unload what run.sh loaded, bring home what a VM run left, remove
# temporary files; the exit status stays the one run.sh was leaving with.
on_exit() {
	local rc=$?
	set +eu
	trap '' INT TERM HUP
	if [[ ${module_ours:-0} -eq 1 ]]; then
		unload_module
	fi
	if [[ -n ${vm_pending:-} ]]; then
		vm_collect "$rc" > /dev/null
	fi
	if [[ ${#cleanup_paths[@]} -gt 0 ]]; then
		rm -rf -- "${cleanup_paths[@]}"
	fi
	exit "$rc"
}

# gone PID: the process has ended (exited, or a zombie not yet reaped).
gone() {
	local state
	kill -0 "$1" 2> /dev/null || return 0
	state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2> /dev/null)
	[[ -z $state || $state == Z ]]
}

# on_signal SIG STATUS: stop the child as Ctrl-C would, then exit with
# STATUS (128 + the signal's number). A Ctrl-C from the terminal reaches the
# child too: it gets 3 s to stop by itself before the signal is passed on
# (a kill aimed at run.sh alone reaches only run.sh), then a minute to end
# (hmmbench keeps its partial results, vm-run stops QEMU). No `wait` here:
# inside a trap, bash can lose track of a child it has reaped already.
on_signal() {
	local sig=$1 status=$2 i
	set +eu
	trap '' INT TERM HUP
	if [[ -n ${child_pid:-} ]]; then
		for ((i = 0; i < 30; i++)); do
			gone "$child_pid" && break
			sleep 0.1
		done
		if ! gone "$child_pid"; then
			kill -s "$sig" "$child_pid" 2> /dev/null
			for ((i = 0; i < 600; i++)); do
				gone "$child_pid" && break
				sleep 0.1
			done
			gone "$child_pid" || say "process $child_pid did not stop on SIG$sig; leaving it"
		fi
	fi
	exit "$status"
}

install_traps() {
	trap on_exit EXIT
	trap 'on_signal INT 130' INT
	trap 'on_signal TERM 143' TERM
	trap 'on_signal HUP 129' HUP
}

# run_child CMD...: run CMD with the signal handling of a foreground command
# (Ctrl-C reaches it) while run.sh's own traps stay able to run, and wait
# for it. Returns CMD's status.
run_child() {
	local rc=0
	(
		trap - INT QUIT
		exec "$@"
	) &
	child_pid=$!
	wait "$child_pid" || rc=$?
	child_pid=''
	return "$rc"
}

# One measuring run at a time on a host: two would distort each other's
# numbers. run.sh takes a flock on a file every user can open, in the
# machine's /run/lock (or /tmp; HMMBENCH_LOCK names another), holds it with
# what it starts until the run ends, and writes into it who holds it; a
# second run is refused in one line with status 75, naming the first.
# take_host_lock RUN.SH-ARGS...
take_host_lock() {
	local lock=${HMMBENCH_LOCK:-} dir fd
	if [[ -z $lock ]]; then
		for dir in "$sysroot/run/lock" "$sysroot/tmp" ''; do
			[[ -z $dir || -d $dir ]] && break
		done
		[[ -n $dir ]] || return 0 # a fake machine (tests) without either
		lock=$dir/hmmbench.lock
	fi
	[[ -e $lock ]] || (umask 0 && set -C && : > "$lock") 2> /dev/null || true
	exec {fd}< "$lock" || die "cannot open $lock, the lock that keeps two runs apart"
	if ! flock -n "$fd"; then
		say "busy: another hmmbench run is measuring on this host ($(head -c 300 "$lock")); two at once would distort each other: wait for it to end"
		exit 75
	fi
	# Opened without O_CREAT: a file another user made in a sticky /run/lock.
	if truncate -c -s 0 "$lock" 2> /dev/null; then
		echo "pid $$, $(id -un), since $(date '+%F %T'): ./run.sh $*" |
			dd of="$lock" conv=nocreat,notrunc status=none 2> /dev/null || true
	fi
}

deps() {
	if [[ $no_install -eq 1 ]]; then
		harness/scripts/deps.sh --no-install "$@"
	else
		harness/scripts/deps.sh "$@"
	fi
}

build_userspace() {
	deps build plot
	say "building hmmbench"
	make -s -j"$(nproc)" build/hmmbench build/hmmbench-report >&2
}

# check_args: bad options or profiles fail here (status 2), before any
# module or VM. Only that is checked: what this machine can run is for the
# machine that measures to say (a VM plans with the guest's limits), so
# hmmbench's other words about this host are not shown.
check_args() {
	local err rc=0
	err=$("$hmmbench_bin" "${hm_args[@]}" --list 2>&1 > /dev/null) || rc=$?
	if [[ $rc -eq 2 ]]; then
		echo "$err" >&2
		exit 2
	fi
}

# Natively the plan is this machine's: bad options, or a plan that leaves
# nothing to run here, stop before the module, with hmmbench's reason.
check_native_plan() {
	"$hmmbench_bin" "${hm_args[@]}" --list > /dev/null || exit 2
}

# Plots and the paths a reader wants, for a run folder.
finish_run() {
	local run=$1
	[[ -n $run && -f $run/COMPLETE ]] || { say "no complete result folder"; return 1; }
	"$report_bin" plot "$run" >&2 || say "plotting failed (see $run/plots/data/gnuplot.log)"
	echo
	echo "Results: $run"
	echo "  summary  $run/summary.txt"
	echo "  JSON     $run/hmmbench.json (Google Benchmark)"
	echo "  plots    $run/plots/"
	echo "  report   ./run.sh report $run"
}
