#!/bin/bash
# The Debian 12 machine of tests/native: a disk image made with debootstrap,
# with Debian's 6.1 and 6.12 kernels and their headers installed as on a
# server (linux-image-*, linux-headers-*: /lib/modules/<release>/build is
# there), the packages ./run.sh builds and measures with (deps.sh build and
# plot), a user without privileges, and two virtio-9p mounts in its fstab:
# the tree to test (hmmtree, read-only) and a folder for what the tests
# write (hmmout). No bootloader: QEMU boots the image's own vmlinuz and
# initrd, which are copied next to it.
#
# Made once and cached in $cache/debian-image/<key>/ (the key hashes this
# script, the package list and the kernel releases, so a newer 6.12 or a
# changed list makes a new image and the old one is removed). Needs root
# (debootstrap, chroot); the chroot's mounts live in a mount namespace of
# their own, so nothing stays mounted on the host whatever happens.
#
# Usage: tests/native/image.sh    prints the image folder, which holds
#        root.img, vmlinuz-<release>, initrd.img-<release> and releases
#        (one release per line, 6.1's first).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
cache=${HMMBENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hmmbench}
mirror=http://deb.debian.org/debian
say() { echo "image.sh: $*" >&2; }
die() { say "$*"; exit 1; }

[[ $(id -u) -eq 0 ]] || die "making the Debian image needs root (debootstrap, chroot)"
if ! command -v debootstrap > /dev/null; then
	# shellcheck source=harness/scripts/apt.sh
	. "$top/harness/scripts/apt.sh"
	apt_install "make the Debian image of tests/native" debootstrap e2fsprogs ||
		die "cannot install debootstrap"
fi

# The newest release of each series, as apt sees it now.
rel61=$("$top/harness/vm/kernel.sh" resolve 6.1)
rel612=$("$top/harness/vm/kernel.sh" resolve 6.12)
mapfile -t pkgs < <("$top/harness/scripts/deps.sh" --print build plot | sort -u)
pkgs+=("linux-image-$rel61" "linux-headers-$rel61" "linux-image-$rel612"
	"linux-headers-$rel612" procps util-linux iproute2 ca-certificates)
key=$( { cat "${BASH_SOURCE[0]}"; printf '%s\n' "${pkgs[@]}"; } | sha256sum | cut -c1-16)
dir=$cache/debian-image/$key
mkdir -p "$cache/debian-image"

exec 9> "$cache/debian-image/.lock"
flock 9 # one maker at a time; the others wait and take its image
if [[ -f $dir/releases ]]; then
	echo "$dir"
	exit 0
fi

work=$(mktemp -d "$cache/debian-image/.make.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
start=$SECONDS
say "making the Debian 12 image for the native tests (once; a few minutes): debootstrap"
debootstrap --variant=minbase --include=systemd-sysv,udev,kmod bookworm "$root" "$mirror" \
	> "$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log" >&2; die "debootstrap failed"; }

cat > "$root/etc/apt/sources.list" << EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
EOF
echo hmmbench-native > "$root/etc/hostname"
cat > "$root/etc/fstab" << 'EOF'
LABEL=hmmroot      /                   ext4 defaults 0 1
hmmtree            /mnt/hmmbench-tree  9p   trans=virtio,version=9p2000.L,ro,nofail 0 0
hmmout             /mnt/hmmbench-out   9p   trans=virtio,version=9p2000.L,nofail 0 0
EOF
mkdir -p "$root/mnt/hmmbench-tree" "$root/mnt/hmmbench-out"
# What the kernel command line's systemd.run= starts: the tests come from
# the tree, mounted here in case systemd has not mounted it yet.
cat > "$root/usr/local/sbin/hmmbench-native-run" << 'END'
#!/bin/sh
for m in /mnt/hmmbench-tree /mnt/hmmbench-out; do
	mountpoint -q "$m" || mount "$m" || exit 1
done
exec /bin/bash /mnt/hmmbench-tree/tests/native/guest.sh
END
chmod 755 "$root/usr/local/sbin/hmmbench-native-run"

say "installing ${#pkgs[@]} packages into the image: the kernels $rel61 and $rel612 with their headers, and the suite's"
# A private mount namespace: /proc, /sys and /dev of the chroot vanish with it.
# shellcheck disable=SC2016 # expanded by the inner shell
unshare --mount --propagation private bash -euo pipefail -c '
	root=$1
	shift
	mount -t proc proc "$root/proc"
	mount -t sysfs sys "$root/sys"
	mount --rbind /dev "$root/dev"
	chroot "$root" apt-get update -q
	DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get install -y -q \
		--no-install-recommends "$@"
	chroot "$root" apt-get clean
	chroot "$root" useradd -m -s /bin/bash tester
	chroot "$root" passwd -d root
' _ "$root" "${pkgs[@]}" > "$work/install.log" 2>&1 ||
	{ tail -20 "$work/install.log" >&2; die "installing the packages into the image failed"; }

for rel in "$rel61" "$rel612"; do
	# build is an absolute link, to be followed inside the image.
	build=$(readlink "$root/lib/modules/$rel/build" || true)
	[[ -f $root/boot/vmlinuz-$rel && -f $root/boot/initrd.img-$rel && -n $build && -f $root$build/Makefile ]] ||
		die "the image has no kernel, initrd or headers of $rel"
	cp "$root/boot/vmlinuz-$rel" "$root/boot/initrd.img-$rel" "$work/"
done

# Room for the builds and results of the tests beyond what is installed.
size=$(( $(du -sxm "$root" | cut -f1) + 1536 ))
mkfs.ext4 -q -F -L hmmroot -d "$root" "$work/root.img" "${size}M" ||
	die "mkfs.ext4 could not make the image"
rm -rf "$root"
printf '%s\n' "$rel61" "$rel612" > "$work/releases"
rm -rf "$cache"/debian-image/[0-9a-f]*
mv "$work" "$dir"
trap - EXIT
say "image made in $((SECONDS - start)) s: $dir"
echo "$dir"
