#!/bin/bash
# The control machine's side of the fleet playbook (harness/fleet/fleet.yml):
# where fetched result folders go, and which of them a fleet run compares.
#
# Usage: control.sh place TARBALL HOSTDIR
#          unpack a host's fetched result folders (KEY/results/<host>[-vm]/
#          <release>/<name> in the tarball) into HOSTDIR (results/<host>/) as
#          HOSTDIR/<host>[-vm]/<release>/<name>, never over a folder already
#          there; record which key each belongs to in HOSTDIR/.fleet/KEY.
#          Prints "arrived PATH" or "kept PATH" (one was there already: the
#          fetched copy is dropped) per folder; removes TARBALL.
#        control.sh record HOSTDIR KEY/results/PATH...
#          record folders that are in HOSTDIR already under their keys
#        control.sh runs RESULTS HOST/KEY...
#          the complete result folders recorded for each host's key, in that
#          order, one a line (what the fleet run compares)
set -euo pipefail

say() { echo "control.sh: $*" >&2; }
die() { say "$*"; exit 2; }

# lock HOSTDIR: one placement at a time per host folder (two playbooks).
lock() {
	mkdir -p "$1/.fleet"
	exec {lock_fd}> "$1/.fleet/lock"
	flock "$lock_fd"
}

# record_one HOSTDIR KEY PATH: PATH (relative to HOSTDIR) belongs to KEY.
record_one() {
	local file=$1/.fleet/$2
	grep -qxF -- "$3" "$file" 2> /dev/null || echo "$3" >> "$file"
}

place() {
	local tgz=$1 dest=$2 incoming src key rel
	[[ -f $tgz ]] || die "no $tgz to place"
	lock "$dest"
	# What a placement stopped halfway (Ctrl-C) left: never a placed folder.
	rm -rf "$dest"/.fleet/incoming.*
	incoming=$(mktemp -d "$dest/.fleet/incoming.XXXXXX")
	tar -xzf "$tgz" -C "$incoming" --no-same-owner
	while read -r src; do
		key=${src%%/*}
		rel=${src#*/results/}
		if [[ -e $dest/$rel || -L $dest/$rel ]]; then
			echo "kept $rel"
		else
			mkdir -p "$(dirname "$dest/$rel")"
			mv -T "$incoming/$src" "$dest/$rel"
			echo "arrived $rel"
		fi
		record_one "$dest" "$key" "$rel"
	done < <(cd "$incoming" && find . -mindepth 5 -maxdepth 5 -type d -path './*/results/*/*/*' |
		sed 's#^\./##' | sort)
	rm -rf "$incoming" "$tgz"
}

record() {
	local dest=$1 src
	shift
	lock "$dest"
	for src in "$@"; do
		record_one "$dest" "${src%%/*}" "${src#*/results/}"
	done
}

runs() {
	local results=$1 hk rel
	shift
	for hk in "$@"; do
		[[ -f $results/${hk%%/*}/.fleet/${hk#*/} ]] || continue
		while read -r rel; do
			[[ -f $results/${hk%%/*}/$rel/COMPLETE ]] && echo "$results/${hk%%/*}/$rel"
		done < "$results/${hk%%/*}/.fleet/${hk#*/}"
	done
}

case "${1:-}" in
place) [[ $# -eq 3 ]] || die "usage: control.sh place TARBALL HOSTDIR"; place "$2" "$3" ;;
record) [[ $# -ge 2 ]] || die "usage: control.sh record HOSTDIR KEY/results/PATH..."; shift; record "$@" ;;
runs) [[ $# -ge 1 ]] || die "usage: control.sh runs RESULTS HOST/KEY..."; shift; runs "$@" ;;
*) sed -n '2,/^set -e/{/^set -e/d;s/^# \{0,1\}//;p}' "$0" >&2; exit 2 ;;
esac
