#!/bin/bash
# Debian kernels for the VM runner: find, download and unpack them into the
# cache. Nothing is installed: no kernel image in /boot, no headers package,
# no initramfs or bootloader update, no apt source or pin in /etc.
#
# Usage: kernel.sh resolve SERIES          newest release of 5.10 | 6.1 | 6.12
#        kernel.sh fetch SERIES|RELEASE    image and headers unpacked; prints its cache dir
#        kernel.sh headers RELEASE         headers unpacked; prints the build tree (KDIR)
#        kernel.sh cc-path RELEASE         installs the tools those headers need and
#                                          prints a folder to put first on PATH for
#                                          the compiler they name (may be empty)
#        kernel.sh modules RELEASE NAME... decompressed .ko files of NAME and their
#                                          dependencies, in load order (fetch first)
#        kernel.sh vmlinux RELEASE         (re)extract the PVH-bootable vmlinux
#        kernel.sh cache-dir               where downloads are kept
#
# 6.1 and 6.12 come from the host's own lists (bookworm, bookworm-security).
# 5.10, and gcc-10 that its headers name, live in bullseye, which a Debian 12
# host does not list: that suite and bookworm-backports are read through a
# private apt state in the cache (its own source list, lists and package
# cache), so /etc/apt is never touched. The compiler of bookworm kernels
# (gcc-12) is an ordinary package and is installed with apt; gcc-10, which
# bookworm does not have, is unpacked into the cache instead.
set -euo pipefail

prog=kernel.sh
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${HMMBENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hmmbench}
papt=$cache/apt # the private apt state

say() { echo "$prog: $*" >&2; }
die() { say "$*"; exit 1; }
# shellcheck source=harness/scripts/apt.sh
. "$here/../scripts/apt.sh"

# Package-name pattern of the plain amd64 flavour of each series.
series_pattern() {
	case "$1" in
	5.10) echo '^linux-image-5\.10\.0-[0-9]+-amd64$' ;;
	6.1) echo '^linux-image-6\.1\.0-[0-9]+-amd64$' ;;
	6.12) echo '^linux-image-6\.12\.[0-9]+\+deb12(\.[0-9]+)?-amd64$' ;;
	*) die "unknown kernel series '$1' (known: 5.10 6.1 6.12)" ;;
	esac
}

is_release() { [[ $1 =~ ^[0-9]+\.[0-9]+\.[0-9]+.*-amd64$ ]]; }

# ---- apt, the host's lists or the private ones ------------------------------
# Root's apt downloads as _apt, which cannot write into root's cache.
common_opts=(-o APT::Sandbox::User=root -o DPkg::Lock::Timeout=600)
private_opts=(-o Dir::Etc::SourceList="$papt/sources.list" -o Dir::Etc::SourceParts="$papt/none"
	-o Dir::Etc::Preferences="$papt/none/preferences" -o Dir::Etc::PreferencesParts="$papt/none"
	-o Dir::State::Lists="$papt/lists" -o Dir::Cache="$papt/cache")
# apt_q host|private CMD ARGS...: apt-get or apt-cache on that set of lists.
apt_q() {
	local which=$1 tool=$2
	shift 2
	if [[ $which == private ]]; then
		"$tool" "${common_opts[@]}" "${private_opts[@]}" "$@"
	else
		"$tool" "${common_opts[@]}" "$@"
	fi
}

# The private lists, made (or refreshed when REFRESH=1) under a lock.
private_lists() {
	local refresh=${1:-0}
	mkdir -p "$papt/lists/partial" "$papt/cache/archives/partial" "$papt/none"
	exec 7>"$papt/.lock"
	flock 7
	if [[ $refresh == 1 || ! -e $papt/updated ]]; then
		cat >"$papt/sources.list" <<-'EOF'
			# hmmbench's private apt sources (the host's /etc/apt is not used for these)
			deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bullseye main
			deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm-backports main
		EOF
		say "reading the bullseye and bookworm-backports package lists into $papt (private apt state; /etc/apt is not touched)"
		apt_q private apt-get update -q >&2 || { exec 7>&-; return 1; }
		touch "$papt/updated"
	fi
	exec 7>&-
}

# Which lists have a version of package PKG to get: "host" or "private",
# or nothing.
has_candidate() {
	local policy
	policy=$(apt_q "$1" apt-cache policy "$2" 2>/dev/null) || return 1
	[[ $policy =~ Candidate:\ [^\(] ]]
}
known_in() {
	local pkg=$1
	if has_candidate host "$pkg"; then
		echo host
	elif [[ -e $papt/updated ]] && has_candidate private "$pkg"; then
		echo private
	fi
}

# where PKG: as known_in, refreshing (private lists first, then the host's
# when root) once when nobody knows it.
where() {
	local w
	w=$(known_in "$1")
	if [[ -z $w ]]; then
		private_lists 1 || true
		w=$(known_in "$1")
	fi
	if [[ -z $w && $(id -u) -eq 0 ]]; then
		apt_update || true
		w=$(known_in "$1")
	fi
	[[ -n $w ]] || return 1
	echo "$w"
}

# download DIR PKG...: the .deb files of PKG... into DIR (nothing installed).
download() {
	local dir=$1 pkg w
	shift
	for pkg in "$@"; do
		w=$(where "$pkg") || die "no Debian package $pkg in bookworm, bookworm-security, bookworm-backports or bullseye"
		say "downloading $pkg (into the cache; not installed)"
		if ! (cd "$dir" && apt_q "$w" apt-get download -q "$pkg" >&2); then
			# Stale lists point at a file the mirror no longer has.
			if [[ $w == private ]]; then private_lists 1; else apt_update; fi
			(cd "$dir" && apt_q "$w" apt-get download -q "$pkg" >&2) || die "cannot download $pkg"
		fi
	done
}

# ---- releases ---------------------------------------------------------------
# Newest release of SERIES that has both an image and a headers package.
resolve_known() {
	local pat=$1
	{
		apt_q host apt-cache search --names-only '^linux-(image|headers)-[0-9]'
		[[ ! -e $papt/updated ]] ||
			apt_q private apt-cache search --names-only '^linux-(image|headers)-[0-9]'
	} | cut -d' ' -f1 |
		awk -v pat="$pat" '
			/^linux-headers-/ { h[substr($0, 15)] = 1 }
			$0 ~ pat { i[substr($0, 13)] = 1 }
			END { for (r in i) if (r in h) print r }' |
		sort -V | tail -1 | grep .
}

# The answer is kept until the lists change (vm-run asks many times).
resolve() {
	local series=$1 pat memo=$cache/kernels/.resolve-$1 rel
	is_release "$series" && { echo "$series"; return; }
	pat=$(series_pattern "$series")
	if [[ -s $memo && $memo -nt /var/lib/apt/lists && (! -e $papt/lists || $memo -nt $papt/lists) ]]; then
		cat "$memo"
		return
	fi
	[[ $series != 5.10 ]] || private_lists # bullseye only
	if ! rel=$(resolve_known "$pat"); then
		private_lists 1 || true
		rel=$(resolve_known "$pat") || { [[ $(id -u) -ne 0 ]] || apt_update; rel=$(resolve_known "$pat"); } ||
			die "no Debian package for kernel series $series (looked for $pat)"
	fi
	mkdir -p "$cache/kernels"
	echo "$rel" >"$memo"
	echo "$rel"
}

# ---- headers and their compiler ---------------------------------------------
# The headers of RELEASE, unpacked with their -common and kbuild packages
# into one private root, $cache/kernels/RELEASE/headers/. Their Makefile is
# one line including the -common tree by its absolute /usr/src path; it is
# pointed into the root (scripts and tools are relative links already).
headers() {
	local rel=$1 dir=$cache/kernels/$1 root tmp deb dep kdir
	root=$dir/headers
	kdir=$root/usr/src/linux-headers-$rel
	mkdir -p "$dir"
	exec 9>"$cache/kernels/.$rel.headers.lock"
	flock 9
	if [[ ! -e $root/.done ]]; then
		tmp=$(mktemp -d "$cache/kernels/.headers.XXXXXX")
		trap 'rm -rf "$tmp"' EXIT
		download "$tmp" "linux-headers-$rel"
		# Its -common and kbuild packages, at the versions it depends on.
		for dep in $(dpkg-deb -f "$tmp"/linux-headers-*.deb Depends | tr ',' '\n' |
			sed -n 's/^ *\(linux-headers-[^ ]*-common\|linux-kbuild-[^ ]*\)\( .*\)\{0,1\}$/\1/p'); do
			download "$tmp" "$dep"
		done
		mkdir -p "$tmp/root"
		for deb in "$tmp"/*.deb; do
			dpkg-deb -x "$deb" "$tmp/root"
			# What the packages need besides each other (pahole, libelf1, ...).
			dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/|.*//; s/(.*//; s/ //g' |
				grep -v '^linux-\|^$' >>"$tmp/root/.depends" || true
		done
		sed -i "s#^include /usr/src/#include $root/usr/src/#" "$tmp/root/usr/src/linux-headers-$rel/Makefile"
		grep -q "^include $root/" "$tmp/root/usr/src/linux-headers-$rel/Makefile" ||
			die "linux-headers-$rel: its Makefile has no include line to point into the cache"
		[[ -e $tmp/root/usr/src/linux-headers-$rel/scripts/Makefile.build ]] ||
			die "linux-headers-$rel: no kbuild scripts after unpacking its packages"
		rm -f "$tmp"/*.deb
		rm -rf "$root"
		mv "$tmp/root" "$root"
		touch "$root/.done"
		rm -rf "$tmp"
		trap - EXIT
	fi
	exec 9>&-
	echo "$kdir"
}

# The compiler the headers' kbuild calls (.kernelvariables: CC = ...gcc-N).
headers_cc() {
	sed -n 's/^CC = .*)\(gcc-[0-9]*\)$/\1/p' "$1/.kernelvariables" 2>/dev/null || true
}

# The packages the headers depend on, other than the kernel's own and the
# compiler (cc_path's): installed with apt when missing, as installing the
# headers would have. One that bookworm lacks (5.10's libssl1.1, for
# sign-file) is not needed to build a module and is left out.
tools() {
	local rel=$1 root=$2 p missing=() cc
	cc=$(headers_cc "$root/usr/src/linux-headers-$rel")
	[[ -e $root/.depends ]] || return 0
	while read -r p; do
		[[ $p != "$cc" && $p != "${cc:-none}"-* ]] || continue
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' && continue
		if [[ $(known_in "$p") == host ]]; then
			missing+=("$p")
		else
			say "linux-headers-$rel wants $p, which bookworm does not have: not needed to build a module, left out"
		fi
	done < <(sort -u "$root/.depends")
	[[ ${#missing[@]} -eq 0 ]] || apt_install "build hmm_bench.ko for $rel" "${missing[@]}"
}

# cc-path RELEASE: make the headers' compiler available and print a folder
# to put first on PATH (empty when it is on PATH already). A package the
# host's lists have (gcc-12) is installed; one they do not have (gcc-10,
# bullseye only) is unpacked into $cache/toolchains/<cc>/ with the packages
# its cc1 needs that bookworm lacks. gcc finds cc1 and its headers relative
# to its own path, and binutils (as, ld) are bookworm's.
cc_path() {
	local rel=$1 kdir cc tc tmp
	kdir=$(headers "$rel")
	tools "$rel" "$kdir/../../.."
	cc=$(headers_cc "$kdir")
	[[ -n $cc ]] || return 0
	if command -v "$cc" >/dev/null; then
		return 0
	fi
	if [[ $(known_in "$cc") == host ]]; then
		apt_install "build hmm_bench.ko for $rel (its headers name $cc)" "$cc"
		return 0
	fi
	tc=$cache/toolchains/$cc
	mkdir -p "$cache/toolchains"
	exec 9>"$cache/toolchains/.$cc.lock"
	flock 9
	if [[ ! -x $tc/usr/bin/$cc ]]; then
		tmp=$(mktemp -d "$cache/toolchains/.$cc.XXXXXX")
		trap 'rm -rf "$tmp"' EXIT
		private_lists
		# gcc-N: the driver; cpp-N: cc1; libgcc-N-dev: its own headers
		# (stddef.h, ...); gcc-N-base: shared files.
		download "$tmp" "$cc" "cpp-${cc#gcc-}" "lib$cc-dev" "$cc-base"
		mkdir -p "$tmp/root"
		for deb in "$tmp"/*.deb; do dpkg-deb -x "$deb" "$tmp/root"; done
		rm -f "$tmp"/*.deb
		"$tmp/root/usr/bin/$cc" --version >/dev/null ||
			die "the unpacked $cc does not run on this host"
		rm -rf "$tc"
		mv "$tmp/root" "$tc"
		rm -rf "$tmp"
		trap - EXIT
		say "$cc unpacked into $tc (bookworm has no $cc; nothing installed)"
	fi
	exec 9>&-
	echo "$tc/usr/bin"
}

# ---- the image --------------------------------------------------------------
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
	download "$tmp" "$pkg"
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
	# Headers unpacked before keep their place.
	[[ ! -d $dir/headers ]] || mv "$dir/headers" "$tmp/headers"
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
	exec 9>"$cache/kernels/.$rel.lock"
	flock 9 # parallel runs share one download
	if [[ ! -e $dir/version ]]; then
		unpack "$rel" "$dir"
		# Warm the module cache with what vm-run loads (swap, the results share).
		modules "$rel" virtio_pci virtio_blk 9pnet_virtio 9p >/dev/null
	fi
	exec 9>&-
	headers "$rel" >/dev/null
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
headers) [[ $# -eq 2 ]] || die "usage: $prog headers RELEASE"; headers "$(resolve "$2")" ;;
cc-path) [[ $# -eq 2 ]] || die "usage: $prog cc-path RELEASE"; cc_path "$(resolve "$2")" ;;
modules) [[ $# -ge 3 ]] || die "usage: $prog modules RELEASE NAME..."; shift; modules "$@" ;;
vmlinux) [[ $# -eq 2 ]] || die "usage: $prog vmlinux RELEASE"; d=$cache/kernels/$2; extract_vmlinux "$d/vmlinuz" "$d/vmlinux" ;;
cache-dir) echo "$cache" ;;
*) sed -n '2,/^set -e/{/^set -e/d;s/^# \{0,1\}//;p}' "$0" >&2; exit 2 ;;
esac
