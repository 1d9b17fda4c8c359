#!/bin/bash
# Static checks of the module: checkpatch.pl --strict (from Debian's
# linux-source-6.12) finds nothing, and a W=1 build against each Debian
# kernel's headers prints no warning. TAP on stdout.
# Usage: tests/kmod/check.sh SERIES...
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/lib.sh

cp_dir=build/checkpatch
if [[ ! -x $cp_dir/scripts/checkpatch.pl ]]; then
	harness/deps.sh build >&2
	if ! ls /usr/src/linux-source-6.12.tar.* >/dev/null 2>&1; then
		echo "# installing linux-source-6.12 for scripts/checkpatch.pl" >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends linux-source-6.12 >&2
	fi
	mkdir -p "$cp_dir"
	tar -xf /usr/src/linux-source-6.12.tar.* -C "$cp_dir" --strip-components=1 \
		--wildcards '*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
fi
report=$("$cp_dir/scripts/checkpatch.pl" --no-tree --strict --terse --show-types -f \
	kmod/*.c kmod/*.h kmod/uapi/*.h 2>&1)
tap $([[ -z $report ]]; echo $?) "checkpatch.pl --strict reports nothing on kmod/"
[[ -n $report ]] && echo "$report" | sed 's/^/# /'

for series in "$@"; do
	release=$(harness/vm/kernel.sh resolve "$series")
	harness/vm/kernel.sh fetch "$series" > /dev/null
	dir=build/kmod-w1/$release
	rm -rf "$dir"
	mkdir -p "$dir"
	cp -r kmod/Kbuild kmod/*.c kmod/*.h kmod/uapi "$dir/"
	cc=gcc
	grep -q 'CONFIG_CC_VERSION_TEXT="gcc-10' "/usr/src/linux-headers-$release/.config" && cc=gcc-10
	log=$(make -C "/usr/src/linux-headers-$release" M="$PWD/$dir" CC=$cc W=1 modules 2>&1)
	status=$?
	warnings=$(echo "$log" | grep -E 'warning:|error:')
	tap $([[ $status -eq 0 && -z $warnings && -f $dir/hmm_bench.ko ]]; echo $?) \
		"W=1 build for $release without warnings"
	[[ -n $warnings ]] && echo "$warnings" | sed 's/^/# /'
done

tap $(grep -q 'BUILD_EXCLUSIVE_CONFIG="CONFIG_HMM_MIRROR CONFIG_MMU_NOTIFIER"' kmod/dkms.conf; echo $?) \
	"dkms.conf skips kernels without HMM mirroring"
tap_done
