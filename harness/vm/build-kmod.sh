#!/bin/bash
# Build hmm_bench.ko for one kernel release; print the path of the .ko.
#
# Usage: build-kmod.sh RELEASE [KDIR]
#   KDIR defaults to the headers of RELEASE unpacked in the cache by
#   kernel.sh (downloaded if missing; no package is installed), built with
#   the compiler they name (kernel.sh cc-path).
#   Sources come from $HMMBENCH_KMOD_SRC (default: the repository's kmod/).
#
# Each release builds in its own copy, build/kmod/<release>/, so builds for
# several kernels never clobber each other or kmod/ itself. Nothing is
# rebuilt when neither the sources nor the headers changed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
src=${HMMBENCH_KMOD_SRC:-$repo/kmod}

say() { echo "build-kmod.sh: $*" >&2; }
die() { say "$*"; exit 1; }

[[ $# -ge 1 && $# -le 2 ]] || die "usage: build-kmod.sh RELEASE [KDIR]"
rel=$1
if [[ $# -eq 2 ]]; then
	kdir=$2
else
	kdir=$("$here/kernel.sh" headers "$rel") || die "cannot get the headers of $rel"
	ccdir=$("$here/kernel.sh" cc-path "$rel") || die "cannot get the compiler of the $rel headers"
	[[ -z $ccdir ]] || PATH=$ccdir:$PATH
fi
dst=$repo/build/kmod/$rel
ko=$dst/hmm_bench.ko

[[ -e $src/Kbuild ]] || die "no module sources in $src (no Kbuild)"
[[ -e $kdir/Makefile ]] || die "no kernel build tree in $kdir"

# What the module is built from: its sources, and the kernel's config and
# symbol versions (a rebuilt headers package keeps the release name).
sources() (
	cd "$src"
	{
		find . -maxdepth 1 -type f \( -name Kbuild -o -name Makefile -o -name '*.[ch]' \) ! -name '*.mod.c'
		[[ ! -d uapi ]] || find uapi -type f
	} | sort
)
fingerprint() {
	{
		echo "$src $kdir"
		(cd "$src" && sources | xargs sha256sum)
		sha256sum "$kdir/.config" "$kdir/Module.symvers" 2>/dev/null || true
	} | sha256sum | cut -d' ' -f1
}

mkdir -p "$dst"
exec 9>"$dst.lock"
flock 9 # one build per release at a time

sum=$(fingerprint)
if [[ -e $ko && "$(cat "$dst/.fingerprint" 2>/dev/null)" == "$sum" ]]; then
	echo "$ko"
	exit 0
fi

say "building hmm_bench.ko for $rel in ${dst#"$repo"/}"
# A fresh copy with fresh mtimes: a source older than its object (a file
# restored from git, say) must still be recompiled.
(cd "$dst" && rm -rf Kbuild Makefile ./*.[ch] uapi)
(cd "$src" && sources | xargs cp --parents -t "$dst")
rm -f "$dst/.fingerprint"
make -s -C "$kdir" M="$dst" modules >&2 || die "module build for $rel failed"
[[ -e $ko ]] || die "the build made no $ko"
echo "$sum" >"$dst/.fingerprint"
echo "$ko"
