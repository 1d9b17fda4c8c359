#!/bin/bash
# Debian kernels for the VM runner: find, download and unpack them.
#
# Usage: kernel.sh resolve SERIES          newest release of 5.10 | 6.1 | 6.12
#        kernel.sh fetch SERIES|RELEASE    headers installed, image unpacked; prints its cache dir
#        kernel.sh headers RELEASE         install linux-headers-RELEASE (and its compiler)
#        kernel.sh modules RELEASE NAME... decompressed .ko files of NAME and their
#                                          dependencies, in load order (fetch first)
#        kernel.sh vmlinux RELEASE         (re)extract the PVH-bootable vmlinux
#        kernel.sh cache-dir               where downloads are kept
#
# A fresh Debian 12 machine knows only bookworm; 5.10 lives in bullseye, so
# that suite (pinned low so it never upgrades anything) and bookworm-backports
# are added on demand. Never trixie: it replaces core libraries.
set -euo pipefail

prog=kernel.sh
cache=${HMMBENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hmmbench}
sources=/etc/apt/sources.list.d/hmmbench-extra.sources
pin=/etc/apt/preferences.d/hmmbench-bullseye

say() { echo "$prog: $*" >&2; }
die() { say "$*"; exit 1; }

# Package-name pattern of the plain signed amd64 flavour of each series.
series_pattern() {
	case "$1" in
	5.10) echo '^linux-image-5\.10\.0-[0-9]+-amd64$' ;;
	6.1) echo '^linux-image-6\.1\.0-[0-9]+-amd64$' ;;
	6.12) echo '^linux-image-6\.12\.[0-9]+\+deb12(\.[0-9]+)?-amd64$' ;;
	*) die "unknown kernel series '$1' (known: 5.10 6.1 6.12)" ;;
	esac
}

is_release() { [[ $1 =~ ^[0-9]+\.[0-9]+\.[0-9]+.*-amd64$ ]]; }

need_root() {
	[[ $(id -u) -eq 0 ]] || die "need root to $1; run as root or do it by hand: $2"
}

apt_install() {
	local why=$1
	shift
	need_root "install $*" "apt-get install $*"
	say "installing $* ($why)"
	# Parallel vm-runs may both install: wait for apt's lock, do not fail.
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		-o DPkg::Lock::Timeout=600 "$@" >&2
}

# Add bullseye (pin 100) and bookworm-backports, once; then refresh the
# lists. Returns 1 when both were there already (callers then refresh
# possibly stale lists instead).
ensure_sources() {
	if [[ -e $sources && -e $pin ]]; then
		return 1
	fi
	need_root "add the bullseye and bookworm-backports apt suites" "see $0"
	say "adding apt suites bullseye (pinned to 100) and bookworm-backports in $sources: Debian's 5.10 kernels and gcc-10 live there"
	[[ -e $sources ]] || cat >"$sources" <<-'EOF'
		Types: deb
		URIs: http://deb.debian.org/debian
		Suites: bullseye bookworm-backports
		Components: main
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
	EOF
	[[ -e $pin ]] || cat >"$pin" <<-'EOF'
		Package: *
		Pin: release n=bullseye
		Pin-Priority: 100
	EOF
	apt_update
}

apt_update() {
	need_root "refresh the apt lists" "apt-get update"
	say "refreshing the apt package lists"
	apt-get update -q -o DPkg::Lock::Timeout=600 >&2
}

# Newest release of SERIES that has both an image and a headers package.
# One apt-cache call (about a second: this apt keeps no binary cache).
resolve_known() {
	local pat=$1
	apt-cache search --names-only '^linux-(image|headers)-[0-9]' | cut -d' ' -f1 |
		awk -v pat="$pat" '
			/^linux-headers-/ { h[substr($0, 15)] = 1 }
			$0 ~ pat { i[substr($0, 13)] = 1 }
			END { for (r in i) if (r in h) print r }' |
		sort -V | tail -1 | grep .
}

# The answer is kept until the apt lists change (vm-run asks many times).
resolve() {
	local series=$1 pat memo=$cache/kernels/.resolve-$1 rel
	is_release "$series" && { echo "$series"; return; }
	pat=$(series_pattern "$series")
	if [[ -s $memo && $memo -nt /var/lib/apt/lists ]]; then
		cat "$memo"
		return
	fi
	if ! rel=$(resolve_known "$pat"); then
		# Unknown to apt: add the suites (or refresh stale lists) and try again.
		ensure_sources || apt_update
		rel=$(resolve_known "$pat") || die "no Debian package for kernel series $series (looked for $pat)"
	fi
	mkdir -p "$cache/kernels"
	echo "$rel" >"$memo"
	echo "$rel"
}

# Headers for building the module, plus the compiler their kbuild names
# (.kernelvariables: gcc-10 for 5.10, gcc-12 for bookworm kernels).
headers() {
	local rel=$1 cc
	if [[ ! -e /usr/src/linux-headers-$rel/Makefile ]]; then
		apt-cache show --no-all-versions "linux-headers-$rel" >/dev/null 2>&1 || ensure_sources || apt_update
		apt_install "to build hmm_bench.ko for $rel" "linux-headers-$rel"
	fi
	cc=$(sed -n 's/^CC = .*)\(gcc-[0-9]*\)$/\1/p' "/usr/src/linux-headers-$rel/.kernelvariables" 2>/dev/null || true)
	if [[ -n $cc ]] && ! command -v "$cc" >/dev/null && ! command -v "x86_64-linux-gnu-$cc" >/dev/null; then
		apt_install "the compiler of the $rel headers" "$cc"
	fi
}

# The ELF vmlinux inside the bzImage. QEMU boots it straight through its PVH
# entry point, which skips the decompressor: under TCG that saves about 3 s
# a boot for Debian's xz-compressed 5.10 and 6.1 images.
extract_vmlinux() {
	local img=$1 out=$2 magic tool off
	for magic in 'xz:\xfd7zXZ\x00' 'zstd:\x28\xb5\x2f\xfd'; do
		tool=${magic%%:*}
		# shellcheck disable=SC2013 # numbers, one a line
		for off in $(LC_ALL=C grep -obUaP "${magic#*:}" "$img" | cut -d: -f1); do
			tail -c +$((off + 1)) "$img" | "$tool" -qdc >"$out" 2>/dev/null || true
			# PVH entry = Xen ELF note type 18 (XEN_ELFNOTE_PHYS32_ENTRY).
			if readelf -n "$out" 2>/dev/null | grep -q 'Unknown note type: (0x00000012)'; then
				return 0
			fi
		done
	done
	rm -f "$out"
	return 1
}

# Unpack the image package into $dir/root and add short names at the top:
# vmlinuz, config-<release>, System.map, modules -> root/lib/modules/<release>.
unpack() {
	local rel=$1 dir=$2 pkg=linux-image-$1 tmp deb moddir
	tmp=$(mktemp -d "$cache/kernels/.fetch.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	say "downloading $pkg"
	# Root's apt downloads as _apt, which cannot write into our private dir.
	if ! (cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "$pkg" >&2); then
		apt_update # stale lists point at a file the mirror no longer has
		(cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "$pkg" >&2)
	fi
	deb=$(echo "$tmp"/*.deb)
	say "unpacking $(basename "$deb")"
	dpkg-deb -x "$deb" "$tmp/root"
	moddir=$(cd "$tmp/root" && find . -maxdepth 4 -type d -path "*/modules/$rel" | head -1)
	[[ -n $moddir ]] || die "$deb has no modules/$rel"
	# modules.dep is made by the package's postinst, which we do not run.
	depmod -b "$tmp/root" "$rel"
	ln -s "root/boot/vmlinuz-$rel" "$tmp/vmlinuz"
	ln -s "root/boot/config-$rel" "$tmp/config-$rel"
	ln -s "root/boot/System.map-$rel" "$tmp/System.map"
	ln -s "root/${moddir#./}" "$tmp/modules"
	extract_vmlinux "$tmp/vmlinuz" "$tmp/vmlinux" ||
		say "no PVH entry in $pkg's vmlinux; guests boot the bzImage (slower)"
	dpkg-deb -f "$deb" Version >"$tmp/version"
	rm -f "$deb"
	rm -rf "$dir"
	mv "$tmp" "$dir"
	chmod 755 "$dir"
	trap - EXIT
}

fetch() {
	local rel dir
	rel=$(resolve "$1")
	dir=$cache/kernels/$rel
	mkdir -p "$cache/kernels"
	headers "$rel"
	exec 9>"$cache/kernels/.$rel.lock"
	flock 9 # parallel runs share one download
	if [[ ! -e $dir/version ]]; then
		unpack "$rel" "$dir"
		# Warm the module cache with what --swap needs.
		modules "$rel" virtio_pci virtio_blk >/dev/null
	fi
	exec 9>&-
	echo "$dir"
}

# depmod -b / modprobe -d know the compressed paths and the order; the
# guest's busybox insmod needs plain .ko files, so decompress on the host
# into $dir/ko/ (kept).
modules() {
	local rel=$1 dir=$cache/kernels/$1 name line path ko
	shift
	[[ -e $dir/version ]] || die "kernel $rel is not fetched (kernel.sh fetch $rel)"
	declare -A seen=()
	for name in "$@"; do
		modprobe -d "$dir/root" -S "$rel" --show-depends "$name" >/dev/null ||
			die "no module $name in $rel"
		while read -r line; do
			[[ $line == insmod\ * ]] || continue # "builtin NAME": nothing to load
			path=${line#insmod }
			path=${path%% *}
			[[ -z ${seen[$path]:-} ]] || continue
			seen[$path]=1
			ko=$dir/ko/${path#"$dir/root/"}
			ko=${ko%.xz}
			ko=${ko%.zst}
			ko=${ko%.gz}
			if [[ ! -e $ko ]]; then
				mkdir -p "$(dirname "$ko")"
				case "$path" in
				*.xz) xz -dc "$path" >"$ko.tmp.$$" ;;
				*.zst) zstd -qdc "$path" >"$ko.tmp.$$" ;;
				*.gz) gzip -dc "$path" >"$ko.tmp.$$" ;;
				*) cp "$path" "$ko.tmp.$$" ;;
				esac
				mv "$ko.tmp.$$" "$ko"
			fi
			echo "$ko"
		done < <(modprobe -d "$dir/root" -S "$rel" --show-depends "$name")
	done
}

case "${1:-}" in
resolve) [[ $# -eq 2 ]] || die "usage: $prog resolve SERIES"; resolve "$2" ;;
fetch) [[ $# -eq 2 ]] || die "usage: $prog fetch SERIES|RELEASE"; fetch "$2" ;;
headers) [[ $# -eq 2 ]] || die "usage: $prog headers RELEASE"; headers "$2" ;;
modules) [[ $# -ge 3 ]] || die "usage: $prog modules RELEASE NAME..."; shift; modules "$@" ;;
vmlinux) [[ $# -eq 2 ]] || die "usage: $prog vmlinux RELEASE"; d=$cache/kernels/$2; extract_vmlinux "$d/vmlinuz" "$d/vmlinux" ;;
cache-dir) echo "$cache" ;;
*) sed -n '2,/^set -e/{/^set -e/d;s/^# \{0,1\}//;p}' "$0" >&2; exit 2 ;;
esac
