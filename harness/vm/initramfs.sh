#!/bin/bash
# Pack the initramfs of an hmmbench guest (an uncompressed newc cpio).
#
# Usage: initramfs.sh --out FILE [--config FILE] [--ko FILE] [--kmod FILE]...
#                     [--include HOST[:GUEST]]...
#   --config FILE   the kernel's config-<release>, put at /boot/config-<release>
#                   so programs in the guest can record it
#   --ko FILE       hmm_bench.ko, put at /lib/modules/hmmbench/hmm_bench.ko
#   --kmod FILE     another module (plain .ko), loaded before hmm_bench.ko in
#                   the order given
#   --include HOST[:GUEST]  a file or directory; GUEST defaults to /work/HOST
#                   for a relative HOST (the guest's cwd is /work, so relative
#                   paths work as on the host) and to HOST itself otherwise.
#                   ELF files bring every shared library ldd lists, the
#                   dynamic loader included.
#
# The archive holds busybox (static), guest/init.sh as /init, and the above.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
say() { echo "initramfs.sh: $*" >&2; }
die() { say "$*"; exit 1; }

out='' config='' ko=''
kmods=() includes=()
while [[ $# -gt 0 ]]; do
	case "$1" in
	--out) out=$2; shift 2 ;;
	--config) config=$2; shift 2 ;;
	--ko) ko=$2; shift 2 ;;
	--kmod) kmods+=("$2"); shift 2 ;;
	--include) includes+=("$2"); shift 2 ;;
	*) die "unknown argument '$1' (see the top of $0)" ;;
	esac
done
[[ -n $out ]] || die "--out FILE is required"

root=$(mktemp -d "${TMPDIR:-/tmp}/hmmbench-initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,work,out,root,boot,etc/hmmbench}
mkdir -p "$root/lib/modules/hmmbench/extra"

declare -A libdirs=()
# Copy the shared libraries of an ELF file to the same paths in the guest.
add_libs() {
	local lib
	# "libc.so.6 => /lib/.../libc.so.6 (0x..)" or "/lib64/ld-linux-x86-64.so.2 (0x..)";
	# ldd fails on static files, which need nothing.
	while read -r lib; do
		[[ -e $root$lib ]] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
		libdirs[$(dirname "$lib")]=1
	done < <(ldd "$1" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*\) (0x.*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (0x.*/\1/p' || true)
}
is_elf() { [[ -f $1 && "$(head -c 4 "$1" | od -An -c | tr -d ' ')" == '177ELF' ]]; }

add() {
	local host=$1 guest=$2 f
	[[ -e $host ]] || die "--include: no such file or directory: $host"
	if [[ -d $host ]]; then
		mkdir -p "$root$guest"
		cp -a "$host/." "$root$guest/"
	else
		mkdir -p "$root$(dirname "$guest")"
		cp -a "$host" "$root$guest"
	fi
	while IFS= read -r -d '' f; do
		if is_elf "$f"; then add_libs "$f"; fi
	done < <(find -L "$host" -type f -print0)
}

add /bin/busybox /bin/busybox
cp "$here/guest/init.sh" "$root/init"
chmod 755 "$root/init"
echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
echo 'root:x:0:' >"$root/etc/group"
[[ -z $config ]] || cp -L "$config" "$root/boot/$(basename "$config")"
[[ -z $ko ]] || cp -L "$ko" "$root/lib/modules/hmmbench/hmm_bench.ko"
n=10
for k in "${kmods[@]}"; do
	cp -L "$k" "$root/lib/modules/hmmbench/extra/$n-$(basename "$k")"
	n=$((n + 1))
done
for inc in "${includes[@]}"; do
	host=${inc%%:*}
	guest=${inc#*:}
	if [[ $inc != *:* ]]; then
		case "$host" in
		/*) guest=$host ;;
		*) guest=/work/${host#./} ;;
		esac
	fi
	add "$host" "$guest"
done

# The loader finds libraries through ld.so.cache: build one for the guest
# (covers libraries that came from outside the default directories).
printf '%s\n' "${!libdirs[@]}" >"$root/etc/ld.so.conf"
ldconfig -r "$root" 2>/dev/null || say "ldconfig failed; the guest uses the loader's default paths"

(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$out.tmp"
mv "$out.tmp" "$out"
