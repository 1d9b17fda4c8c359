# shellcheck shell=bash
# Sourced: the one way hmmbench installs packages with apt. Waits for apt's
# lock (parallel runs, unattended-upgrades), and when an install fails
# refreshes the lists once and tries again (lists older than the package).
# The caller defines say() and decides whether installing is allowed.
#
#   apt_install WHY PKG...   install PKG... (no recommends), saying why
#   apt_update               refresh the host's package lists

# Seconds to wait for another apt or dpkg to let go of its lock.
apt_lock_timeout=${HMMBENCH_APT_LOCK_TIMEOUT:-600}

apt_update() {
	say "refreshing the apt package lists (apt-get update)"
	apt-get update -q -o DPkg::Lock::Timeout="$apt_lock_timeout" >&2
}

apt_install() {
	local why=$1
	shift
	if [[ $(id -u) -ne 0 ]]; then
		say "missing packages: $*; run as root or: sudo apt-get install $*"
		return 1
	fi
	say "installing $* with apt (to $why)"
	local -a cmd=(apt-get install -y -q --no-install-recommends
		-o DPkg::Lock::Timeout="$apt_lock_timeout" "$@")
	DEBIAN_FRONTEND=noninteractive "${cmd[@]}" >&2 && return 0
	say "apt-get could not install $*: refreshing the lists and trying once more"
	apt_update || true
	DEBIAN_FRONTEND=noninteractive "${cmd[@]}" >&2
}
