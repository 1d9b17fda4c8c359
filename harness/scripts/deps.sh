#!/bin/bash
# Install, with apt, what a part of hmmbench needs, saying what and why.
# Usage: harness/scripts/deps.sh [--no-install | --print] GROUP...
# Groups: build test vm plot compare fleet fleet-test
# --print lists the packages of the groups instead (tests/native puts them
# into its Debian image).
set -euo pipefail

say() { echo "hmmbench: $*" >&2; }
# shellcheck source=harness/scripts/apt.sh
. "$(dirname "${BASH_SOURCE[0]}")/apt.sh"

no_install=0 print=0
case "${1:-}" in
--no-install) no_install=1; shift ;;
--print) print=1; shift ;;
esac

declare -A why=(
	[build]="compile the harness and the module"
	[test]="run the unit tests and the guest tests"
	[vm]="boot Debian kernels under QEMU"
	[plot]="draw the plots"
	[compare]="cross-check with Google Benchmark's compare.py"
	[fleet]="run the suite on many hosts with Ansible (harness/fleet/)"
	[fleet-test]="test the fleet playbook on hosts in network namespaces"
)
declare -A pkgs=(
	[build]="gcc g++ make pkg-config pahole libbenchmark-dev libhwloc-dev hwloc libnuma-dev numactl libjansson-dev libgsl-dev kmod"
	[test]="libcmocka-dev qemu-system-x86 busybox-static cpio xz-utils zstd gnuplot-nox libbenchmark-tools python3-scipy file libxml2-utils"
	[vm]="qemu-system-x86 busybox-static cpio xz-utils zstd kmod"
	[plot]="gnuplot-nox"
	[compare]="libbenchmark-tools python3-scipy"
	[fleet]="ansible-core openssh-client git"
	[fleet-test]="openssh-server iproute2 util-linux acl"
)
# Services a group's packages start on installing that hmmbench does not
# want running: stopped and disabled again when this script installed them
# (a service that was there before is left as it was).
declare -A services=(
	[openssh-server]=ssh
)

missing=()
for group in "$@"; do
	if [[ -z "${pkgs[$group]:-}" ]]; then
		echo "deps.sh: unknown group '$group' (known: ${!pkgs[*]})" >&2
		exit 2
	fi
	for p in ${pkgs[$group]}; do
		if [[ $print -eq 1 ]]; then
			echo "$p"
		elif ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
			missing+=("$p")
		fi
	done
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
if [[ $no_install -eq 1 ]]; then
	echo "hmmbench: missing packages: ${missing[*]}" >&2
	echo "hmmbench: install them with: apt-get install ${missing[*]}" >&2
	exit 1
fi
apt_install "${why[$1]}${2:+ and more}" "${missing[@]}"

# stop_service NAME: stop NAME and keep it from starting at boot, with
# systemd or with the init script, whichever runs this machine.
stop_service() {
	if [[ -d /run/systemd/system ]]; then
		systemctl disable --now "$1.service" "$1.socket" >&2 2> /dev/null ||
			systemctl disable --now "$1.service" >&2
	else
		if [[ -x /etc/init.d/$1 ]]; then
			/etc/init.d/"$1" stop >&2 || true
		fi
		update-rc.d "$1" disable >&2 2> /dev/null || true
	fi
}
for p in "${missing[@]}"; do
	if [[ -n ${services[$p]:-} ]]; then
		say "stopping and disabling ${services[$p]}, which installing $p started (hmmbench only needs the program)"
		stop_service "${services[$p]}"
	fi
done
