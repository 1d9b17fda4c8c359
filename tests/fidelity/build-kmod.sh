#!/bin/bash
# Build hmm_fidelity.ko for one Debian kernel release, against the headers
# kernel.sh unpacks into the cache (nothing is installed); print its path.
# Usage: tests/fidelity/build-kmod.sh RELEASE [MAKE-ARGS...]
#   e.g. W=1 to have the compiler's extra warnings.
# The build goes to build/fidelity/kmod/<release>/, a fresh copy each time.
set -euo pipefail
cd "$(dirname "$0")/../.."

[[ $# -ge 1 ]] || { echo "usage: tests/fidelity/build-kmod.sh RELEASE [MAKE-ARGS...]" >&2; exit 2; }
rel=$1
shift
kdir=$(harness/vm/kernel.sh headers "$rel")
ccdir=$(harness/vm/kernel.sh cc-path "$rel")
[[ -z $ccdir ]] || PATH=$ccdir:$PATH
# The compiler the kernel was built with (5.10's headers name gcc-10).
cc=gcc
grep -q 'CONFIG_CC_VERSION_TEXT="gcc-10' "$kdir/.config" && cc=gcc-10
dst=build/fidelity/kmod/$rel
rm -rf "$dst"
mkdir -p "$dst"
cp tests/fidelity/kmod/Kbuild tests/fidelity/kmod/*.[ch] "$dst/"
make -s -C "$kdir" M="$PWD/$dst" CC="$cc" "$@" modules >&2
[[ -f $dst/hmm_fidelity.ko ]]
echo "$PWD/$dst/hmm_fidelity.ko"
