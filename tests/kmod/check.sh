#!/bin/bash
# Static checks of the module: checkpatch.pl --strict (from Debian's
# linux-source-6.12) finds nothing; against each Debian kernel's headers a
# W=1 build prints no warning (compiler or modpost) and kbuild's clean works
# (as dkms runs them); kmod/Makefile builds with KDIR=, installs under
# INSTALL_MOD_PATH with depmod, cleans, and refuses a kernel without HMM
# mirroring with a message that names it; dkms.conf and the module agree on
# the version. The fidelity lane's hmm_fidelity.ko (tests/fidelity/) gets
# the same checkpatch and W=1 checks. TAP on stdout.
# Usage: tests/kmod/check.sh SERIES...
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh

# The build's leftovers that clean must remove.
leftovers() {
	find "$1" -maxdepth 1 \( -name '*.o' -o -name '*.ko' -o -name '*.mod' \
		-o -name '*.mod.c' -o -name '.*.cmd' -o -name Module.symvers \
		-o -name modules.order \) -printf '%f '
}

cp_dir=build/checkpatch
if [[ ! -x $cp_dir/scripts/checkpatch.pl ]]; then
	harness/scripts/deps.sh build >&2
	if ! ls /usr/src/linux-source-6.12.tar.* >/dev/null 2>&1; then
		# shellcheck source=harness/scripts/apt.sh
		. harness/scripts/apt.sh
		say() { echo "# $*" >&2; }
		apt_install "get scripts/checkpatch.pl" linux-source-6.12
	fi
	mkdir -p "$cp_dir"
	tar -xf /usr/src/linux-source-6.12.tar.* -C "$cp_dir" --strip-components=1 \
		--wildcards '*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
fi
report=$("$cp_dir/scripts/checkpatch.pl" --no-tree --strict --terse --show-types -f \
	kmod/*.c kmod/*.h kmod/uapi/*.h tests/fidelity/kmod/*.[ch] 2>&1)
[[ -z $report ]]
tap $? "checkpatch.pl --strict reports nothing on kmod/ and tests/fidelity/kmod/"
[[ -n $report ]] && echo "# ${report//$'\n'/$'\n'# }"

for series in "$@"; do
	release=$(harness/vm/kernel.sh resolve "$series")
	harness/vm/kernel.sh fetch "$series" > /dev/null
	# The headers unpacked in the cache, and the compiler they name.
	kdir=$(harness/vm/kernel.sh headers "$release")
	ccdir=$(harness/vm/kernel.sh cc-path "$release")
	[[ -z $ccdir ]] || PATH=$ccdir:$PATH

	# Through Kbuild alone, as dkms builds and cleans.
	dir=build/kmod-w1/$release
	rm -rf "$dir"
	mkdir -p "$dir"
	cp -r kmod/Kbuild kmod/*.c kmod/*.h kmod/uapi "$dir/"
	cc=gcc
	grep -q 'CONFIG_CC_VERSION_TEXT="gcc-10' "$kdir/.config" && cc=gcc-10
	log=$(make -C "$kdir" M="$PWD/$dir" CC=$cc W=1 modules 2>&1)
	status=$?
	# modpost says WARNING:, the compiler warning:.
	warnings=$(echo "$log" | grep -iE 'warning:|error:')
	[[ $status -eq 0 && -z $warnings && -f $dir/hmm_bench.ko ]]
	tap $? "W=1 build for $release without warnings"
	[[ -n $warnings ]] && echo "# ${warnings//$'\n'/$'\n'# }"
	log=$(make -C "$kdir" M="$PWD/$dir" clean 2>&1)
	status=$?
	left=$(leftovers "$dir")
	[[ $status -eq 0 && -z $left ]]
	tap $? "kbuild clean (M=) for $release succeeds and removes the build"
	[[ $status -ne 0 ]] && echo "$log" | tail -5 | sed 's/^/# /'
	[[ -n $left ]] && echo "# left behind: $left"

	# The fidelity lane's independent module (tests/fidelity/).
	log=$(tests/fidelity/build-kmod.sh "$release" W=1 2>&1)
	status=$?
	warnings=$(echo "$log" | grep -iE 'warning:|error:')
	[[ $status -eq 0 && -z $warnings ]]
	tap $? "W=1 build of tests/fidelity's hmm_fidelity.ko for $release without warnings"
	[[ -n $warnings || $status -ne 0 ]] && echo "${warnings:-$log}" | tail -5 | sed 's/^/# /'

	# Through kmod/Makefile, as the README tells people to.
	dir=build/kmod-make/$release
	rm -rf "$dir"
	mkdir -p "$dir"
	cp -r kmod/. "$dir/"
	log=$(make -C "$dir" KDIR="$kdir" 2>&1)
	status=$?
	warnings=$(echo "$log" | grep -iE 'warning:|error:')
	[[ $status -eq 0 && -z $warnings && -f $dir/hmm_bench.ko ]]
	tap $? "make -C kmod KDIR=$kdir builds without warnings"
	[[ -n $warnings || $status -ne 0 ]] && echo "${warnings:-$log}" | tail -5 | sed 's/^/# /'

	root=$(mktemp -d)
	log=$(make -C "$dir" KDIR="$kdir" INSTALL_MOD_PATH="$root" install 2>&1)
	status=$?
	mods=$root/lib/modules
	installed=$(find "$mods" -mindepth 1 -maxdepth 1 -type d -printf '%f ' 2>/dev/null)
	[[ $status -eq 0 && "$installed" == "$release " ]] &&
		ls "$mods/$release"/extra/hmm_bench.ko* >/dev/null 2>&1 &&
		grep -qE '^extra/hmm_bench\.ko(\.[a-z]+)?:' "$mods/$release/modules.dep"
	tap $? "make install INSTALL_MOD_PATH= puts hmm_bench.ko in lib/modules/$release/extra and depmod indexes it"
	[[ $status -ne 0 ]] && echo "$log" | tail -5 | sed 's/^/# /'
	[[ "$installed" != "$release " ]] && echo "# lib/modules/ holds: ${installed:-nothing}"
	rm -rf "$root"

	log=$(make -C "$dir" KDIR="$kdir" clean 2>&1)
	status=$?
	left=$(leftovers "$dir")
	[[ $status -eq 0 && -z $left ]]
	tap $? "make -C kmod KDIR=$kdir clean succeeds and removes the build"
	[[ $status -ne 0 ]] && echo "$log" | tail -5 | sed 's/^/# /'
	[[ -n $left ]] && echo "# left behind: $left"

	# A kernel without HMM mirroring, as far as Kbuild can tell.
	log=$(make -C "$dir" KDIR="$kdir" CONFIG_HMM_MIRROR= modules 2>&1)
	status=$?
	[[ $status -ne 0 && ! -f $dir/hmm_bench.ko ]] &&
		grep -q "kernel $release is configured without CONFIG_HMM_MIRROR=y," <<<"$log" &&
		grep -q './run.sh --kernel' <<<"$log"
	tap $? "a $release configured without CONFIG_HMM_MIRROR is refused, naming the option and the way out"
	[[ $status -eq 0 ]] && echo "# the build went through"
	make -C "$dir" KDIR="$kdir" clean > /dev/null 2>&1
done

grep -q 'BUILD_EXCLUSIVE_CONFIG="CONFIG_HMM_MIRROR CONFIG_MMU_NOTIFIER"' kmod/dkms.conf
tap $? "dkms.conf skips kernels without HMM mirroring"
dkms_version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' kmod/dkms.conf)
priv=kmod/hmm_bench_priv.h
module_version=$(sed -n 's/^#define HMM_BENCH_VERSION_STR[[:space:]]*"\(.*\)"$/\1/p' $priv)
parts=$(for p in MAJOR MINOR PATCH; do
	sed -n "s/^#define HMM_BENCH_VERSION_${p}[[:space:]]*\([0-9]*\)$/\1/p" "$priv"
done | paste -sd.)
[[ -n $dkms_version && $dkms_version == "$module_version" && $module_version == "$parts" ]]
tap $? "dkms.conf PACKAGE_VERSION ($dkms_version) is the module's version ($module_version, $parts)"
tap_done
