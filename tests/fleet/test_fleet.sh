#!/bin/bash
# The fleet playbook (harness/fleet/fleet.yml) for real, on test hosts in
# network namespaces on this machine (tests/fleet/testhosts.sh), each with
# its own sshd, user, key and hostname. Their kernel is this machine's, which
# cannot take the module in CI, so run.sh on them takes its VM fallback
# under TCG, with a narrowed profile. TAP on stdout.
#
#  1. The two sides alone, in seconds: control.sh never places a fetched
#     folder over one already here; host-run.sh, with a fake ./run.sh,
#     runs, repeats no finished run, resumes a partial one, waits for a
#     run of its key still going, and reports failed and busy runs.
#  2. A tree with uncommitted changes is refused before any host is touched.
#  3. Hosts a, b and c. c is busy (another run holds its hmmbench lock); b
#     goes down (a shutdown: sshd and its run stopped, link down) once its
#     VM has finished a case. a's results arrive under its own names; the
#     summary names b (unreachable, at the run) and c (busy).
#  4. b back up, the playbook again on a and b: a's finished run is neither
#     repeated nor fetched again; b's interrupted run is resumed (--resume of
#     its .partial folder) and arrives; the merged compare (the full table
#     and --mail) runs on both.
#  5. Nothing left: namespaces, users, processes, nothing listening.
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/lib.sh
. tests/lib.sh

if [[ $(id -u) -ne 0 ]]; then
	skip "the fleet playbook on test hosts" "needs root (namespaces, users, sshd)"
	tap_done
	exit
fi
for tool in ansible-playbook /usr/sbin/sshd setfacl; do
	if ! command -v "$tool" > /dev/null; then
		not_ok "$tool is installed (harness/scripts/deps.sh fleet fleet-test)"
		tap_done
		exit
	fi
done

start=$SECONDS
tmp=$(mktemp -d /tmp/hmmbench-fleet-test.XXXXXX)
chmod 711 "$tmp" # the test users reach their homes in $tmp/hosts
hosts=$tmp/hosts
res=$tmp/results
logs=build/test-out/fleet
mkdir -p "$logs"
playbook_pid=''
# What the hosts' runs said, kept for a failure's post-mortem.
keep_run_logs() {
	local h
	for h in "$hosts"/home-*; do
		[[ -d $h ]] && cat "$h"/hmmbench-fleet/runs/*/run.log > "$logs/run.log.${h##*/home-}" 2> /dev/null
	done
	return 0
}
cleanup() {
	# The playbook is its process group's leader: its workers go with it.
	[[ -z $playbook_pid ]] || kill -TERM -- -"$playbook_pid" 2> /dev/null
	keep_run_logs
	bash tests/fleet/testhosts.sh down "$hosts"
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# Ansible's own state (control sockets, temporary files) stays in $tmp.
export ANSIBLE_HOME=$tmp/ansible ANSIBLE_LOCAL_TEMP=$tmp/ansible/tmp \
	ANSIBLE_SSH_CONTROL_PATH_DIR=$tmp/ansible/cp ANSIBLE_NOCOLOR=1
listening() { ss -Hltn | awk '{ print $4 }' | sort -u; }
listening > "$tmp/listening.before"
took() { echo "# $1: $((SECONDS - start)) s so far ($(cut -d' ' -f1-3 /proc/loadavg) load)"; }

# --- 1: control.sh places, never over a folder already here ---------------
u=$tmp/unit
run=k1/results/h-vm/6.12.0-1-amd64/20260101-000000
mkdir -p "$u/src/$run" "$u/src/k1/results/h-vm/6.12.0-1-amd64/20260101-000001"
echo first > "$u/src/$run/data"
touch "$u/src/$run/COMPLETE"
tar -czf "$u/a.tgz" -C "$u/src" k1
harness/fleet/control.sh place "$u/a.tgz" "$u/dest" > "$u/out1" 2>&1
check "control.sh place: a new folder arrives under the host's folder" \
	grep -qx "arrived h-vm/6.12.0-1-amd64/20260101-000000" "$u/out1"
echo second > "$u/src/$run/data"
tar -czf "$u/b.tgz" -C "$u/src" k1
harness/fleet/control.sh place "$u/b.tgz" "$u/dest" > "$u/out2" 2>&1
kept() {
	grep -qx "kept h-vm/6.12.0-1-amd64/20260101-000000" "$u/out2" &&
		[[ $(cat "$u/dest/h-vm/6.12.0-1-amd64/20260101-000000/data") == first ]]
}
check "control.sh place: a folder already here is kept, not overwritten" kept
no_leftover() { [[ ! -e $u/b.tgz && -z $(find "$u/dest/.fleet" -name 'incoming.*') ]]; }
check "control.sh place: nothing left of the fetched archive or its unpacking" no_leftover
only_complete() {
	[[ $(harness/fleet/control.sh runs "$u" dest/k1) == "$u/dest/h-vm/6.12.0-1-amd64/20260101-000000" ]]
}
check "control.sh runs: the complete folders of a key, and only those" only_complete

# The summary's template parses (Ansible would fail only at the very end).
check "the summary template parses (Jinja2)" /usr/bin/python3 -c 'import jinja2, sys
jinja2.Environment(trim_blocks=True).parse(open(sys.argv[1]).read())' harness/fleet/summary.txt.j2

# --- 1b: host-run.sh in a tree of its own, with a fake ./run.sh ------------
ft=$u/tree
mkdir -p "$ft/harness/fleet"
cp harness/fleet/host-run.sh "$ft/harness/fleet/"
cp tests/fleet/fake-run.sh "$ft/run.sh"
export FAKE_CALLS=$u/calls
hostrun() {	# hostrun FAKE_RUN KEY=KERNEL: one job; its JSON line in $u/job
	: > "$FAKE_CALLS"
	FAKE_RUN=$1 "$ft/harness/fleet/host-run.sh" --state "$u/state" --job "$2" -- --profile quick \
		> "$u/job" 2> "$u/job.err"
}
field() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$u/job" "$1"; }
ran_once() {
	[[ $(field outcome) == ran && $(field folders) == "['h-vm/r/20260101-000000']" ]] &&
		grep -qx -- '--kernel 6.12 --out .*/runs/k1/results --profile quick' "$FAKE_CALLS"
}
hostrun complete k1=6.12
check "host-run.sh: a new job runs ./run.sh --kernel K --out <its key's folder>, reports its folder" ran_once
not_again() { [[ $(field outcome) == 'done' && ! -s $FAKE_CALLS ]]; }
hostrun complete k1=6.12
check "host-run.sh: a finished job is not run again" not_again
partial_kept() {
	[[ $(field outcome) == partial && $(field reason) == 'run.sh: stopped early' ]] &&
		! grep -q -- --kernel "$FAKE_CALLS"
}
hostrun partial k2=native
check "host-run.sh: a native run that ends early is reported partial, with run.sh's words" partial_kept
resumed() {
	[[ $(field outcome) == resumed ]] &&
		grep -qx -- '--resume .*/runs/k2/results/h-vm/r/.20260101-000000.partial' "$FAKE_CALLS"
}
hostrun complete k2=native
check "host-run.sh: the next time it is resumed (./run.sh --resume of its .partial folder)" resumed
busy() { [[ $(field outcome) == busy && $(field status) == 75 && $(field reason) == *'(pid 1, x)' ]]; }
hostrun busy k3=native
check "host-run.sh: a busy host is reported busy, with who holds it" busy
failed() { [[ $(field outcome) == failed && $(field status) == 1 && $(field reason) == 'run.sh: it broke' ]]; }
hostrun fail k4=native
check "host-run.sh: a failed run is reported failed, with its status and words" failed
# A run of k5 still going (an earlier playbook's), which finishes in 2 s.
mkdir -p "$u/state/runs/k5"
# shellcheck disable=SC2016 # the inner shell expands its arguments
flock "$u/state/runs/k5/lock" sh -c 'sleep 2; mkdir -p "$1/h-vm/r/20260101-000000"; touch "$1/h-vm/r/20260101-000000/COMPLETE"' \
	sh "$u/state/runs/k5/results" &
for _ in $(seq 50); do
	flock -n "$u/state/runs/k5/lock" true || break
	sleep 0.1
done
waited() { [[ $(field outcome) == 'done' && ! -s $FAKE_CALLS ]] && grep -q 'a run of k5 is still going here' "$u/job.err"; }
hostrun complete k5=native
check "host-run.sh: a run of its key still going is waited for, and not run twice" waited
wait

# --- 2: a tree with uncommitted changes is refused -------------------------
git clone -q "$PWD" "$tmp/clone"
echo "an uncommitted change" >> "$tmp/clone/README.md"
ansible-playbook -i 'nohost.invalid,' "$tmp/clone/harness/fleet/fleet.yml" -e fleet_results="$tmp/clone-results" \
	> "$logs/dirty.log" 2>&1
rc=$?
refused() {
	[[ $rc -ne 0 ]] && grep -q 'has changes that are not committed' "$logs/dirty.log" &&
		! sed -n '/^PLAY \[Measure/,$p' "$logs/dirty.log" | grep -q 'nohost.invalid'
}
check "a tree with uncommitted changes is refused, before any host (status $rc)" refused
took "refusals"

# --- 3: three hosts; b goes down mid-run, c is busy -------------------------
if ! bash tests/fleet/testhosts.sh up "$hosts" a b c > "$logs/hosts.log" 2>&1; then
	not_ok "the test hosts come up" "$(tail -5 "$logs/hosts.log")"
	tap_done
	exit
fi
took "hosts up"
inv=$tmp/inventory.ini
# b has an option of its own (the profile's window, so that a and b still
# measure the same).
sed "/^b /s/\$/ hmmbench_args='--window 512'/" "$hosts/inventory.ini" > "$inv"
ssh_to() { bash tests/fleet/testhosts.sh ssh "$hosts" "$@"; }
# c: another run holds its host-wide lock (run.sh's flock), and says who.
ssh_to c 'echo "pid $$, a test holding the lock" > /run/lock/hmmbench.lock &&
	exec flock /run/lock/hmmbench.lock sleep 1800' 2> /dev/null &
for _ in $(seq 50); do
	ssh_to c 'flock -n /run/lock/hmmbench.lock true' || break
	sleep 0.2
done

narrow="--profile quick --sizes 4K --states none,present --access read"
# The hosts run the commit. A tree with uncommitted changes (a developer's)
# ships HEAD, and says so; CI's tree is clean.
dirty=()
if [[ -n $(git status --porcelain) ]]; then
	echo "# this tree has uncommitted changes: the test hosts run HEAD, $(git rev-parse --short HEAD)"
	dirty=(-e fleet_allow_dirty=true)
fi
# playbook LOG ARGS...: the fleet playbook on the test hosts, in the background.
playbook() {
	local log=$1
	shift
	setsid ansible-playbook -i "$inv" harness/fleet/fleet.yml -e fleet_results="$res" \
		-e hmmbench_poll=5 -e "fleet_args='$narrow'" "${dirty[@]}" "$@" > "$log" 2>&1 &
	playbook_pid=$!
}
# finish: wait for the playbook (at most 20 minutes); its status in $rc.
finish() {
	local i
	for ((i = 0; i < 6000; i++)); do
		kill -0 "$playbook_pid" 2> /dev/null || break
		sleep 0.2
	done
	kill -TERM -- -"$playbook_pid" 2> /dev/null
	wait "$playbook_pid"
	rc=$?
	playbook_pid=''
}
# The last fleet run's folder, and its summary in $tmp/summary.
last_out() { local outs=("$res"/fleet-*/); echo "${outs[-1]}"; }
summarize() {
	sed -n '/^hmmbench fleet run/,$p' "$(last_out)summary.txt" > "$tmp/summary"
	shown=0
}
in_summary() { grep -q -- "$1" "$tmp/summary"; }
# A failed check shows the summary and Ansible's errors, once a playbook run.
tap_diag() {
	[[ ${shown:-1} -eq 0 ]] || return 0
	shown=1
	sed 's/^/# summary: /' "$tmp/summary" 2> /dev/null
	grep -E '^fatal' "$log" | tail -5 | cut -c1-400 | sed 's/^/# /'
}
# Every file of a folder with its checksum, as one checksum.
folder_sum() { (cd "$1" && find . -type f ! -name .left-here-by-the-test -exec sha256sum {} + | sort | sha256sum); }
cases() { python3 -c 'import json, sys
print(len({b["run_name"] for b in json.load(open(sys.argv[1]))["benchmarks"]}))' "$1/hmmbench.json" 2> /dev/null; }

log=$logs/run1.log
playbook "$log"
# b goes down once its guest has finished a case.
cut=0
for ((i = 0; i < 6000; i++)); do
	if [[ -n $(find "$hosts/home-b/hmmbench-fleet/runs" -path '*.partial/cases/*' -type f -print -quit 2> /dev/null) ]]; then
		bash tests/fleet/testhosts.sh cut "$hosts" b
		cut=1
		break
	fi
	kill -0 "$playbook_pid" 2> /dev/null || break
	sleep 0.2
done
took "b went down"
finish
took "first playbook run"
summarize
check "b went down while its VM was measuring" test "$cut" -eq 1
check "the playbook says that hosts failed (status $rc)" test "$rc" -ne 0
a_run=$(find "$res/a" -mindepth 3 -maxdepth 3 -type d ! -name '.*' 2> /dev/null | head -1)
a_arrived() { [[ $a_run == "$res"/a/a-node-vm/6.12.*/* && -f $a_run/COMPLETE && -s $a_run/hmmbench.json ]]; }
check "a's result folder arrived as results/a/<its hostname>-vm/<release>/<run>, complete" a_arrived
a_own() {
	grep -qx "HMMBENCH_VM_HOST='a-node'" "$a_run/system/vm.env" &&
		grep -q "HMMBENCH_VM_COMMAND='.* $narrow'" "$a_run/system/vm.env"
}
check "it is a's own run: the VM's host is a-node, the command the narrowed one" a_own
check "the run records the commit it was built from" \
	grep -q "\"suite_revision\": \"$(git rev-parse HEAD)\"" "$a_run/hmmbench.json"
check "the summary: a ok" grep -qx 'a: ok' "$tmp/summary"
check "the summary: a's run arrived" in_summary '^  arrived  results/a/a-node-vm/6\.12\..*/[0-9-]*$'
check "the summary names b, failed at the run, unreachable" in_summary '^b: FAILED at step run: unreachable: '
check "the summary names c, refused as busy" in_summary '^c: FAILED at step run: native: busy'
check "the summary says who holds c" in_summary 'refused: another hmmbench run holds the host.*a test holding the lock'
check "nothing of b's arrived" test -z "$(find "$res/b" -name COMPLETE 2> /dev/null)"
check "b kept its interrupted run (a .partial folder) for the next playbook run" \
	test -n "$(find "$hosts/home-b/hmmbench-fleet/runs" -mindepth 5 -maxdepth 5 -name '.*.partial' -path '*/results/b-node-vm/*')"
a_sum=$(folder_sum "$a_run")
touch "$a_run/.left-here-by-the-test"

# --- 4: b back up; the playbook again on a and b -----------------------------
bash tests/fleet/testhosts.sh revive "$hosts" b >> "$logs/hosts.log" 2>&1
log=$logs/run2.log
playbook "$log" -e fleet_hosts=a,b
finish
took "second playbook run"
summarize
check "the second playbook run succeeds (status $rc)" test "$rc" -eq 0
check "a's finished run is not repeated" in_summary '^  ran      native: finished before, not run again'
check "nor fetched again" in_summary '^  arrived  results/a/.* (here before)$'
a_untouched() { [[ -e $a_run/.left-here-by-the-test && $(folder_sum "$a_run") == "$a_sum" ]]; }
check "a's folder here is untouched (same files, and what the test left in it)" a_untouched
b_run=$(find "$res/b" -mindepth 3 -maxdepth 3 -type d ! -name '.*' 2> /dev/null | head -1)
check "b's interrupted run was resumed and finished" in_summary '^  ran      native: resumed and finished'
check "with ./run.sh --resume of its .partial folder" \
	grep -q '^== .* ./run.sh --resume .*/\.[0-9-]*\.partial' "$hosts"/home-b/hmmbench-fleet/runs/*/run.log
b_arrived() {
	[[ $b_run == "$res"/b/b-node-vm/6.12.*/* && -f $b_run/COMPLETE ]] &&
		grep -qx "HMMBENCH_VM_HOST='b-node'" "$b_run/system/vm.env"
}
check "b's result folder arrived as results/b/b-node-vm/<release>/<run>, complete, b's own" b_arrived
a_cases=$(cases "$a_run")
check "b's resumed run has every case a's has ($a_cases)" test "$(cases "$b_run")" == "${a_cases:-none}"
# hmmbench.args: hmmbench's arguments, each ended by a NUL.
args_of() { tr '\0' ' ' < "$1/hmmbench.args"; }
own_options() { [[ $(args_of "$b_run") == *'--window 512 '* && $(args_of "$a_run") != *'--window 512 '* ]]; }
check "b ran with its own option (--window 512), a with the fleet's alone" own_options
out=$(last_out)
merged() {
	grep -q '^hmmbench compare: 2 runs' "$out/compare.txt" &&
		grep -q '/a/a-node-vm/' "$out/compare.txt" && grep -q '/b/b-node-vm/' "$out/compare.txt"
}
check "the merged compare ran over a's and b's runs" merged
mailed() { grep -A1 '^The full table, every case:' "$out/mail.txt" | grep -q '/fleet-[0-9-]*/compare.txt$'; }
check "and the condensed view for a mail, pointing at the full table beside it" mailed
check "the summary names a's run in the comparison" in_summary '#0 a/a-node-vm/'
check "and b's" in_summary '#1 b/b-node-vm/'
took "checks"

# --- 5: nothing left --------------------------------------------------------
keep_run_logs
bash tests/fleet/testhosts.sh down "$hosts"
nothing_left() { ! ip netns list | grep -q hmmfleet- && ! ip -o link | grep -q hmmfleet- && ! getent passwd | grep -q '^hmmfleet-'; }
check "no test namespace, link or user is left" nothing_left
listening > "$tmp/listening.after"
check "nothing new listens on this machine" cmp -s "$tmp/listening.before" "$tmp/listening.after"
echo "# the fleet test took $((SECONDS - start)) s"
tap_done
