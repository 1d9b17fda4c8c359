#!/bin/bash
# A host's side of the fleet playbook (harness/fleet/fleet.yml), run in the
# tree the playbook unpacked there. Runs ./run.sh once per job, one after
# the other (one measuring run at a time on a host). A job is a kernel and
# the key the playbook made of (commit, kernel, options); each key has its
# own folder, so that a run already finished is not repeated, a run left
# interrupted (a .<timestamp>.partial folder) is resumed with
# ./run.sh --resume, and a run of this key still going (the playbook was
# stopped with Ctrl-C: its runs go on on the hosts) is waited for.
#
# Usage: harness/fleet/host-run.sh --state DIR --job KEY=KERNEL... [-- RUN.SH OPTIONS]
#   KERNEL  a Debian series for ./run.sh --kernel, or "native": this
#           host's kernel (or run.sh's own VM fallback where it cannot
#           take the module)
#
# Per key, DIR/runs/KEY/ holds results/ (run.sh --out), run.log (run.sh's
# output, every attempt), command (its command line) and lock. Prints one
# JSON line per job for the playbook: key, kernel, outcome (done: finished
# before, nothing run; ran; resumed; partial: ended early, kept, resumed
# next time; failed; busy: another hmmbench run holds this host), status
# (run.sh's), folders (complete result folders, relative to results/),
# reason (for partial, failed and busy: run.sh's last words).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$here"

say() { echo "host-run.sh: $*" >&2; }
die() { say "$*"; exit 2; }

state='' jobs=() opts=()
while [[ $# -gt 0 ]]; do
	case $1 in
	--state) [[ $# -ge 2 ]] || die "--state needs a folder"; state=$2; shift 2 ;;
	--job)
		[[ $# -ge 2 && $2 =~ ^[A-Za-z0-9._-]+=[A-Za-z0-9._+-]+$ ]] || die "--job needs KEY=KERNEL"
		jobs+=("$2")
		shift 2
		;;
	--) shift; opts=("$@"); break ;;
	*) die "unknown option '$1' (usage: host-run.sh --state DIR --job KEY=KERNEL... [-- RUN.SH OPTIONS])" ;;
	esac
done
[[ -n $state && ${#jobs[@]} -gt 0 ]] || die "usage: host-run.sh --state DIR --job KEY=KERNEL... [-- RUN.SH OPTIONS]"
[[ $state == /* ]] || die "--state needs an absolute path, not $state"

# report KEY KERNEL OUTCOME STATUS REASON FOLDER...: one JSON line.
report() {
	python3 -c 'import json, sys
k, kern, outcome, status, reason = sys.argv[1:6]
print(json.dumps({"key": k, "kernel": kern, "outcome": outcome, "status": int(status),
                  "reason": reason, "folders": sys.argv[6:]}))' "$@"
}

# Result folders under a job's results/: <host>[-vm]/<release>/<name>.
complete_folders() {
	(cd "$1" && find . -mindepth 3 -maxdepth 3 -type d ! -name '.*' -exec test -e '{}/COMPLETE' ';' -print |
		sed 's#^\./##' | sort)
}
partial_folder() {
	(cd "$1" && find . -mindepth 3 -maxdepth 3 -type d -name '.*.partial' | sed 's#^\./##' | sort | tail -1)
}

# The last words of this attempt: run.sh's, vm-run's and hmmbench's own
# lines, the progress line's carriage returns taken off.
last_words() {
	tail -c +"$(($2 + 1))" "$1" | tr '\r' '\n' | grep -E '^(run\.sh|vm-run|hmmbench|build-kmod\.sh|kernel\.sh):' |
		tail -n 2 | tr '\n' ' ' | sed 's/ $//'
}

# run_job KEY KERNEL
run_job() {
	local key=$1 kernel=$2 dir=$state/runs/$1 fd status=0 partial outcome from cmd=(./run.sh)
	local -a done_now
	mkdir -p "$dir/results"
	exec {fd}> "$dir/lock"
	if ! flock -n "$fd"; then
		say "a run of $key is still going here (an earlier playbook's): waiting for it"
		flock "$fd"
	fi
	mapfile -t done_now < <(complete_folders "$dir/results")
	if [[ ${#done_now[@]} -gt 0 ]]; then
		report "$key" "$kernel" 'done' 0 '' "${done_now[@]}"
		exec {fd}>&-
		return
	fi
	partial=$(partial_folder "$dir/results")
	if [[ -n $partial ]]; then
		cmd+=(--resume "$dir/results/$partial")
		outcome=resumed
	else
		[[ $kernel == native ]] || cmd+=(--kernel "$kernel")
		cmd+=(--out "$dir/results" "${opts[@]}")
		outcome=ran
	fi
	printf '%q ' "${cmd[@]}" > "$dir/command"
	echo >> "$dir/command"
	from=$(stat -c %s "$dir/run.log" 2> /dev/null || echo 0)
	echo "== $(date '+%F %T') $(cat "$dir/command")" >> "$dir/run.log"
	"${cmd[@]}" < /dev/null >> "$dir/run.log" 2>&1 || status=$?
	mapfile -t done_now < <(complete_folders "$dir/results")
	if [[ ${#done_now[@]} -gt 0 ]]; then
		# Complete, though some cases may have failed (status 1): they are in it.
		report "$key" "$kernel" "$outcome" "$status" '' "${done_now[@]}"
	elif [[ $status -eq 75 ]]; then
		report "$key" "$kernel" busy "$status" "$(last_words "$dir/run.log" "$from")"
	elif [[ -n $(partial_folder "$dir/results") ]]; then
		report "$key" "$kernel" partial "$status" "$(last_words "$dir/run.log" "$from")"
	else
		report "$key" "$kernel" failed "$status" "$(last_words "$dir/run.log" "$from")"
	fi
	exec {fd}>&-
}

for job in "${jobs[@]}"; do
	run_job "${job%%=*}" "${job#*=}"
done
