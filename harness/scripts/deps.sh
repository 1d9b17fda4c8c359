#!/bin/bash
# Install, with apt, what a part of hmmbench needs, saying what and why.
# Usage: harness/scripts/deps.sh [--no-install] GROUP...
# Groups: build test vm plot compare
set -euo pipefail

no_install=0
if [[ "${1:-}" == "--no-install" ]]; then
	no_install=1
	shift
fi

declare -A why=(
	[build]="compile the harness and the module"
	[test]="run the unit tests and the guest tests"
	[vm]="boot Debian kernels under QEMU"
	[plot]="draw the plots"
	[compare]="cross-check with Google Benchmark's compare.py"
)
declare -A pkgs=(
	[build]="gcc g++ make pkg-config libbenchmark-dev libhwloc-dev hwloc libnuma-dev numactl libjansson-dev libgsl-dev kmod"
	[test]="libcmocka-dev qemu-system-x86 busybox-static cpio xz-utils zstd gnuplot-nox libbenchmark-tools python3-scipy file libxml2-utils"
	[vm]="qemu-system-x86 busybox-static cpio xz-utils zstd kmod"
	[plot]="gnuplot-nox"
	[compare]="libbenchmark-tools python3-scipy"
)

missing=()
for group in "$@"; do
	if [[ -z "${pkgs[$group]:-}" ]]; then
		echo "deps.sh: unknown group '$group' (known: ${!pkgs[*]})" >&2
		exit 2
	fi
	for p in ${pkgs[$group]}; do
		if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
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
if [[ $(id -u) -ne 0 ]]; then
	echo "hmmbench: missing packages: ${missing[*]}; run as root or: sudo apt-get install ${missing[*]}" >&2
	exit 1
fi
echo "hmmbench: installing ${missing[*]} (needed to ${why[$1]}${2:+ and more})" >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >&2; then
	apt-get update -q >&2
	apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi
