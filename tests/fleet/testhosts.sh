#!/bin/bash
# Test hosts for the fleet playbook, on this machine: each one a network
# namespace with a veth pair (link-local addresses, on this machine's own
# virtual link only), its own UTS namespace (its own hostname, NAME-node:
# not its inventory name, so that the two cannot be mixed up), its own
# /run (so its own host-wide hmmbench lock), its own sshd (its own config,
# host key and port), and its own user and key. Root only.
#
# Usage: testhosts.sh up DIR NAME...   make the hosts; DIR/inventory.ini
#                                      lists them for Ansible
#        testhosts.sh cut DIR NAME     NAME goes down, as a shutdown takes a
#                                      host: everything in it stopped (sshd
#                                      too), its link down
#        testhosts.sh revive DIR NAME  NAME back up: link and sshd
#        testhosts.sh ssh DIR NAME CMD run CMD on NAME as its user
#        testhosts.sh down [DIR]       remove every test host, also those a
#                                      killed test left behind (found by
#                                      their fixed names)
#
# Users are members of one group, which owns DIR/cache: the hosts share the
# suite's download cache (HMMBENCH_CACHE) as parallel runs on one machine
# do (kernel.sh locks per file); a default ACL keeps what either creates
# writable by both. Root's own cache, when it holds the kernel, seeds it.
set -euo pipefail

prefix=hmmfleet # namespaces, users, links and the group are named after it
net=169.254.212 # link-local: host i is .4i+2, its peer on this side .4i+1

say() { echo "testhosts.sh: $*" >&2; }
die() { say "$*"; exit 1; }

# Every namespace, link, user and group of ours, also from an earlier test
# that was killed; processes are ended by their ids (ip netns pids).
down() {
	local dir=${1:-} ns pid user
	for ns in $(ip netns list 2> /dev/null | awk -v p="$prefix-" 'index($1, p) == 1 { print $1 }'); do
		for pid in $(ip netns pids "$ns" 2> /dev/null); do
			kill -KILL "$pid" 2> /dev/null || true
		done
		ip netns del "$ns" 2> /dev/null || true
	done
	ip -o link show 2> /dev/null | awk -F': ' -v p="$prefix-" 'index($2, p) == 1 { sub(/@.*/, "", $2); print $2 }' |
		while read -r link; do ip link del "$link" 2> /dev/null || true; done
	for user in $(getent passwd | awk -F: -v p="$prefix-" 'index($1, p) == 1 { print $1 }'); do
		# killed processes need a moment to leave the process table
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			userdel -r "$user" 2> /dev/null && break
			sleep 0.5
		done
		! getent passwd "$user" > /dev/null || say "could not remove user $user"
	done
	! getent group "$prefix" > /dev/null || groupdel "$prefix" 2> /dev/null || true
	[[ -z $dir ]] || rm -rf "$dir"
}

# seed_cache CACHE: the 6.12 kernel root's cache holds, as hard links
# (seconds, no copy of 270 MB). The folders are new and the group's, so the
# hosts can add to them; the files stay root's and read-only to the hosts,
# so nothing they do can change root's cache. Copies of what names its
# place: the memo (rewritten in place) and the headers' Makefile, whose one
# line includes the -common tree by its absolute path in the cache.
seed_cache() {
	local cache=$1 root=${HMMBENCH_CACHE:-$HOME/.cache/hmmbench} rel mk
	rel=$(cat "$root/kernels/.resolve-6.12" 2> /dev/null) || return 0
	[[ -e $root/kernels/$rel/version && -e $root/kernels/$rel/headers/.done ]] || return 0
	mkdir -p "$cache/kernels"
	cp -al "$root/kernels/$rel" "$cache/kernels/"
	cp "$root/kernels/.resolve-6.12" "$cache/kernels/"
	mk=kernels/$rel/headers/usr/src/linux-headers-$rel/Makefile
	sed "s#$root/#$cache/#" "$root/$mk" > "$cache/$mk.new"
	mv "$cache/$mk.new" "$cache/$mk"
}

# start_sshd DIR NAME: the host's own hostname and /run (lock files,
# sshd's privilege separation folder), then sshd in the foreground: its PID
# is the one started.
start_sshd() {
	local ns=$prefix-$2 h=$1/$2
	# shellcheck disable=SC2016 # the inner shell expands its arguments
	ip netns exec "$ns" unshare --uts --mount --propagation private sh -c '
		hostname "$1-node"
		mount -t tmpfs -o mode=755 "$1-run" /run
		mkdir -m 1777 /run/lock
		mkdir -m 755 /run/sshd
		exec /usr/sbin/sshd -D -E "$2/sshd.log" -f "$2/sshd_config"' sh "$2" "$h" &
	echo $! > "$h/sshd.pid"
}

# host_up DIR NAME INDEX
host_up() {
	local dir=$1 name=$2 i=$3 ns=$prefix-$2 user=$prefix-$2 link=$prefix-$2 h=$1/$2
	local addr=$net.$((4 * i + 2)) peer=$net.$((4 * i + 1)) port=$((2200 + i))
	mkdir -p "$h"
	ip netns add "$ns"
	ip link add "$link" type veth peer name eth0 netns "$ns"
	ip addr add "$peer/30" dev "$link"
	ip link set "$link" up
	ip -n "$ns" addr add "$addr/30" dev eth0
	ip -n "$ns" link set eth0 up
	ip -n "$ns" link set lo up

	useradd --create-home --home-dir "$dir/home-$name" --shell /bin/bash \
		--gid "$prefix" "$user"
	usermod -p '*' "$user" # no password, not locked: sshd without PAM refuses locked accounts
	install -d -m 700 -o "$user" -g "$prefix" "$dir/home-$name/.ssh"
	ssh-keygen -q -t ed25519 -N '' -C "$user" -f "$dir/key-$name"
	install -m 600 -o "$user" -g "$prefix" "$dir/key-$name.pub" "$dir/home-$name/.ssh/authorized_keys"
	ssh-keygen -q -t ed25519 -N '' -C "$name" -f "$h/host_key"
	echo "[$addr]:$port $(cut -d' ' -f1,2 "$h/host_key.pub")" >> "$dir/known_hosts"
	cat > "$h/sshd_config" <<-EOF
		# test host $name: its own port, host key and user
		ListenAddress $addr:$port
		HostKey $h/host_key
		PidFile /run/sshd-test.pid
		AllowUsers $user
		PubkeyAuthentication yes
		PasswordAuthentication no
		KbdInteractiveAuthentication no
		UsePAM no
		StrictModes yes
		Subsystem sftp /usr/lib/openssh/sftp-server
	EOF
	start_sshd "$dir" "$name"
	cat >> "$dir/inventory.ini" <<-EOF
		$name ansible_host=$addr ansible_port=$port ansible_user=$user ansible_ssh_private_key_file=$dir/key-$name
	EOF
}

up() {
	local dir=$1 i=0 name
	shift
	[[ $(id -u) -eq 0 ]] || die "test hosts need root (namespaces, users, sshd)"
	[[ -x /usr/sbin/sshd ]] || die "no /usr/sbin/sshd: harness/scripts/deps.sh fleet-test"
	down
	[[ ! -e $dir || -z $(ls -A "$dir") ]] || die "$dir is not empty: give a new folder"
	mkdir -p "$dir"
	chmod 711 "$dir" # the users reach their homes and the cache, nothing else
	groupadd "$prefix"
	install -d -m 2770 -g "$prefix" "$dir/cache"
	seed_cache "$dir/cache"
	find "$dir/cache" -type d -exec chgrp "$prefix" {} + -exec chmod g+rwxs {} + \
		-exec setfacl -m d:g::rwX {} +
	find "$dir/cache" -type f ! -links 1 -prune -o -type f -exec chgrp "$prefix" {} + -exec chmod g+rw {} +
	: > "$dir/known_hosts"
	cat > "$dir/inventory.ini" <<-EOF
		# made by tests/fleet/testhosts.sh: hosts in network namespaces on this machine
		[hmmbench]
	EOF
	for name in "$@"; do
		host_up "$dir" "$name" "$i"
		i=$((i + 1))
	done
	cat >> "$dir/inventory.ini" <<-EOF

		[hmmbench:vars]
		ansible_ssh_common_args='-o UserKnownHostsFile=$dir/known_hosts -o StrictHostKeyChecking=yes -o ConnectTimeout=5 -o ServerAliveInterval=2 -o ServerAliveCountMax=3'
		ansible_python_interpreter=/usr/bin/python3
		hmmbench_env={"HMMBENCH_CACHE": "$dir/cache"}
	EOF
	# Up when each sshd answers.
	for name in "$@"; do
		wait_ssh "$dir" "$name" || die "the sshd of test host $name does not answer (see $dir/$name/sshd.log)"
	done
}

# ssh_to DIR NAME CMD: run CMD on the host NAME as its user.
ssh_to() {
	local line addr port
	line=$(grep "^$2 " "$1/inventory.ini")
	addr=${line#* ansible_host=}
	port=${line#* ansible_port=}
	ssh -q -o BatchMode=yes -o UserKnownHostsFile="$1/known_hosts" -o StrictHostKeyChecking=yes \
		-o ConnectTimeout=2 -i "$1/key-$2" -p "${port%% *}" "$prefix-$2@${addr%% *}" "$3" < /dev/null
}

# wait_ssh DIR NAME: until the host's sshd lets its user in (10 s at most).
wait_ssh() {
	for _ in $(seq 50); do
		ssh_to "$1" "$2" true && return 0
		sleep 0.2
	done
	return 1
}

# cut_host DIR NAME: the host goes down mid-run, as a shutdown takes it:
# SIGTERM to everything in it (sshd too; run.sh keeps what a VM run had
# finished), SIGKILL to what is left after 60 s, then its link down.
cut_host() {
	local ns=$prefix-$2 pid
	for pid in $(ip netns pids "$ns"); do
		kill -TERM "$pid" 2> /dev/null || true
	done
	for _ in $(seq 600); do
		[[ -n $(ip netns pids "$ns") ]] || break
		sleep 0.1
	done
	for pid in $(ip netns pids "$ns"); do
		kill -KILL "$pid" 2> /dev/null || true
	done
	ip -n "$ns" link set eth0 down
}

# revive DIR NAME: the host back up, its link and sshd.
revive() {
	ip -n "$prefix-$2" link set eth0 up
	start_sshd "$1" "$2"
	wait_ssh "$1" "$2" || die "the sshd of test host $2 does not answer (see $1/$2/sshd.log)"
}

case "${1:-}" in
up) [[ $# -ge 3 ]] || die "usage: testhosts.sh up DIR NAME..."; shift; up "$@" ;;
cut) [[ $# -eq 3 ]] || die "usage: testhosts.sh cut DIR NAME"; cut_host "$2" "$3" ;;
revive) [[ $# -eq 3 ]] || die "usage: testhosts.sh revive DIR NAME"; revive "$2" "$3" ;;
ssh) [[ $# -eq 4 ]] || die "usage: testhosts.sh ssh DIR NAME CMD"; ssh_to "$2" "$3" "$4" ;;
down) down "${2:-}" ;;
*) sed -n '2,/^set -e/{/^set -e/d;s/^# \{0,1\}//;p}' "$0" >&2; exit 2 ;;
esac
