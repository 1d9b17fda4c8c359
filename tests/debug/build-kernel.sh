#!/bin/bash
# Build the debug kernel of `make test-debug`: Debian's linux-source-6.12
# with KASAN, lockdep, DEBUG_VM, kmemleak and test_hmm; print the tree.
#
# Usage: tests/debug/build-kernel.sh [--print-config]
#   --print-config  print the wanted options (the fragment) and exit
#
# The tree is kept in
#   ${HMMBENCH_CACHE:-$HOME/.cache/hmmbench}/debug-kernel/<version>-<hash>/
# where <hash> covers the fragment below, the source package, the compiler
# and this recipe; a second run finds it built and does nothing. An
# interrupted build resumes (make is incremental). The last line on stdout
# is the tree's path; progress (phase, elapsed time) goes to stderr, the
# compiler's output to <tree>/.hmmbench-build.log.
#
# Besides bzImage and the modules, the tree holds vmlinux (booted through
# PVH), Module.symvers (out-of-tree modules build with make -C TREE M=...)
# and .hmmbench-modroot/lib/modules/<release>/ (modules_install + depmod, so
# a guest can modprobe test_hmm).
#
# Environment: HMMBENCH_CACHE, HMMBENCH_JOBS (default: nproc),
# HMMBENCH_KERNEL_SOURCE (default /usr/src/linux-source-6.12.tar.xz).
# About 12 to 15 minutes on 2 cores, 3 GB of disk.
set -euo pipefail

prog=build-kernel.sh
say() { echo "$prog: $*" >&2; }
die() { say "error: $*"; exit 1; }

# Recipe revision: bump when the steps below change what gets built.
recipe=1
tarball=${HMMBENCH_KERNEL_SOURCE:-/usr/src/linux-source-6.12.tar.xz}
cache=${HMMBENCH_CACHE:-$HOME/.cache/hmmbench}
jobs=${HMMBENCH_JOBS:-$(nproc)}

# Wanted options, applied with scripts/config on top of
# `make x86_64_defconfig kvm_guest.config`, then checked after olddefconfig.
# NAME=y|m|n|"string". Options that are only selected (HMM_MIRROR,
# MMU_NOTIFIER) are listed for the check.
fragment() {
	cat <<-'EOF'
		# KASAN: generic, inline instrumentation; vmalloc too (kvmalloc'd arrays)
		KASAN=y
		KASAN_GENERIC=y
		KASAN_INLINE=y
		KASAN_VMALLOC=y
		# lockdep and sleeping-in-atomic checks
		PROVE_LOCKING=y
		DEBUG_ATOMIC_SLEEP=y
		DEBUG_VM=y
		# kmemleak, on at boot (DEFAULT_OFF would need kmemleak=on), and
		# debugfs so the guest can `echo scan > /sys/kernel/debug/kmemleak`
		DEBUG_KMEMLEAK=y
		DEBUG_KMEMLEAK_DEFAULT_OFF=n
		DEBUG_FS=y
		DEBUG_FS_ALLOW_ALL=y
		# HMM: test_hmm needs device-private ZONE_DEVICE memory
		MEMORY_HOTPLUG=y
		MEMORY_HOTREMOVE=y
		ZONE_DEVICE=y
		DEVICE_PRIVATE=y
		TEST_HMM=m
		HMM_MIRROR=y
		MMU_NOTIFIER=y
		# the page states the suite builds
		NUMA=y
		TRANSPARENT_HUGEPAGE=y
		HUGETLBFS=y
		SWAP=y
		MIGRATION=y
		# what the VM runner relies on
		MODULES=y
		MODULE_UNLOAD=y
		DEVTMPFS=y
		BLK_DEV_INITRD=y
		PVH=y
		VIRTIO_PCI=y
		VIRTIO_BLK=y
		SERIAL_8250_CONSOLE=y
		IKCONFIG=y
		IKCONFIG_PROC=y
		# no debug info: a smaller, faster build
		DEBUG_INFO=n
		DEBUG_INFO_NONE=y
		LOCALVERSION="-hmmbench-debug"
		LOCALVERSION_AUTO=n
	EOF
}

if [[ ${1:-} == --print-config ]]; then
	fragment
	exit 0
fi
[[ $# -eq 0 ]] || die "usage: $prog [--print-config]"

t0=$SECONDS
elapsed() { printf '%dm%02ds' $(((SECONDS - t0) / 60)) $(((SECONDS - t0) % 60)); }
phase() { say "[$(elapsed)] $*"; }

# ---- tools: a fresh Debian 12 machine lacks the kernel build's own needs --
need=()
for p in gcc make flex bison bc libelf-dev libssl-dev xz-utils kmod cpio; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
[[ -e $tarball || -n ${HMMBENCH_KERNEL_SOURCE:-} ]] || need+=(linux-source-6.12)
if [[ ${#need[@]} -gt 0 ]]; then
	[[ $(id -u) -eq 0 ]] || die "missing packages: ${need[*]}; install them: apt-get install ${need[*]}"
	# flex/bison: Kconfig and dtc parsers; bc: timeconst.h; libelf-dev:
	# objtool; libssl-dev: sign-file and the certificate tools; the source
	# package: the kernel itself (bookworm-security has the 6.12 series).
	say "installing ${need[*]} (to build the debug kernel: Kconfig needs flex and bison, objtool libelf, sign-file libssl, timeconst bc)"
	export DEBIAN_FRONTEND=noninteractive
	if ! apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=600 "${need[@]}" >&2; then
		apt-get update -q -o DPkg::Lock::Timeout=600 >&2
		apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=600 "${need[@]}" >&2
	fi
fi
[[ -e $tarball ]] || die "no kernel source tarball at $tarball"

# ---- where: <version>-<hash> ------------------------------------------
# The version comes from the package that owns the tarball (no need to
# unpack 150 MB to learn it); a tarball of no package is named by its stem.
srcid=''
if pkg=$(dpkg-query -S "$(readlink -f "$tarball")" 2>/dev/null | cut -d: -f1); then
	srcid="$pkg $(dpkg-query -W -f='${Version}' "$pkg")"
	version=$(dpkg-query -W -f='${Version}' "$pkg" | sed -E 's/^[0-9]+://; s/-[^-]*$//')
else
	version=$(basename "$tarball" | sed -E 's/\.tar\.[a-z0-9]+$//; s/^linux-(source-)?//')
fi
srcid+=" $(stat -L -c '%s %Y' "$tarball")"
hash=$({
	echo "recipe $recipe"
	echo "source $srcid"
	gcc --version | head -1
	fragment
} | sha256sum | cut -c1-12)
base=$cache/debug-kernel
tree=$base/$version-$hash
mkdir -p "$base"

exec 9>"$base/.$version-$hash.lock"
if ! flock -n 9; then
	phase "another build of $tree is running; waiting for it"
	flock 9
fi

if [[ -e $tree/.hmmbench-built ]]; then
	phase "debug kernel $(cat "$tree/.hmmbench-built") is built already: $tree"
	echo "$tree"
	exit 0
fi

phase "building debug kernel $version ($hash) in $tree, with $jobs jobs; expect 12+ minutes on 2 cores"

# ---- unpack -----------------------------------------------------------
if [[ ! -e $tree/.hmmbench-unpacked ]]; then
	phase "unpack: $tarball"
	rm -rf "$tree" "$tree.partial"
	mkdir -p "$tree.partial"
	tar -xJf "$tarball" -C "$tree.partial" --strip-components=1
	touch "$tree.partial/.hmmbench-unpacked"
	mv "$tree.partial" "$tree"
	phase "unpacked"
fi
cd "$tree"

# ---- configure --------------------------------------------------------
# Each wanted option as scripts/config arguments.
config_args() {
	local line name val
	while IFS= read -r line; do
		[[ $line =~ ^[A-Z0-9_]+= ]] || continue
		name=${line%%=*} val=${line#*=}
		case "$val" in
		y) echo "--enable"; echo "$name" ;;
		m) echo "--module"; echo "$name" ;;
		n) echo "--disable"; echo "$name" ;;
		\"*\") echo "--set-str"; echo "$name"; val=${val#\"}; echo "${val%\"}" ;;
		*) echo "--set-val"; echo "$name"; echo "$val" ;;
		esac
	done < <(fragment)
}

# Options the .config lacks, one "NAME (wanted W, got G)" a line.
missing_options() {
	local line name val got
	while IFS= read -r line; do
		[[ $line =~ ^[A-Z0-9_]+= ]] || continue
		name=${line%%=*} val=${line#*=}
		got=$(sed -n "s/^CONFIG_$name=//p" .config)
		[[ -n $got ]] || got=n
		[[ $got == "$val" ]] || echo "CONFIG_$name (wanted $val, got $got)"
	done < <(fragment)
}

if [[ ! -e .hmmbench-configured ]]; then
	phase "configure: x86_64_defconfig kvm_guest.config + the debug fragment"
	make -s x86_64_defconfig kvm_guest.config >>.hmmbench-build.log 2>&1 ||
		die "make x86_64_defconfig kvm_guest.config failed (see $tree/.hmmbench-build.log)"
	mapfile -t args < <(config_args)
	scripts/config "${args[@]}"
	# Options that depend on others just enabled: a second pass after
	# olddefconfig has made the dependencies visible.
	make -s olddefconfig >>.hmmbench-build.log 2>&1 || die "make olddefconfig failed"
	scripts/config "${args[@]}"
	make -s olddefconfig >>.hmmbench-build.log 2>&1 || die "make olddefconfig failed"
	mapfile -t miss < <(missing_options)
	if [[ ${#miss[@]} -gt 0 ]]; then
		say "error: after make olddefconfig these options are not as wanted:"
		printf '  %s\n' "${miss[@]}" >&2
		die "the debug kernel config is incomplete ($tree/.config); fix the fragment in $0"
	fi
	touch .hmmbench-configured
	phase "configured: every wanted option is set"
else
	mapfile -t miss < <(missing_options)
	[[ ${#miss[@]} -eq 0 ]] || die "$tree/.config lost options: ${miss[*]}; delete $tree and run again"
	phase "configured already; resuming the build"
fi

# ---- build ------------------------------------------------------------
phase "build: make -j$jobs bzImage modules (log: $tree/.hmmbench-build.log)"
make -j"$jobs" bzImage modules >>.hmmbench-build.log 2>&1 &
make_pid=$!
trap 'kill $make_pid 2>/dev/null || true' EXIT
while kill -0 "$make_pid" 2>/dev/null; do
	for _ in $(seq 60); do
		sleep 1
		kill -0 "$make_pid" 2>/dev/null || break
	done
	kill -0 "$make_pid" 2>/dev/null || break
	last=$(grep -E '^  [A-Z]' .hmmbench-build.log | tail -1 | sed -E 's/^ +//; s/ +/ /g' || true)
	phase "build: $(grep -cE '^  CC ' .hmmbench-build.log || true) files compiled; last: ${last:-?}"
done
set +e
wait "$make_pid"
rc=$?
set -e
trap - EXIT
if [[ $rc -ne 0 ]]; then
	say "the last lines of the build log:"
	grep -v '^  [A-Z]' .hmmbench-build.log | tail -30 >&2
	die "make bzImage modules failed with status $rc (log: $tree/.hmmbench-build.log)"
fi
release=$(make -s kernelrelease)
[[ -e arch/x86/boot/bzImage && -e vmlinux && -e Module.symvers && -e lib/test_hmm.ko ]] ||
	die "the build made no bzImage, vmlinux, Module.symvers or lib/test_hmm.ko"

phase "modules_install into .hmmbench-modroot (for modprobe in the guest)"
rm -rf .hmmbench-modroot
make -s INSTALL_MOD_PATH="$tree/.hmmbench-modroot" INSTALL_MOD_STRIP=1 DEPMOD=/sbin/depmod \
	modules_install >>.hmmbench-build.log 2>&1 || die "make modules_install failed"
rm -f ".hmmbench-modroot/lib/modules/$release/build" ".hmmbench-modroot/lib/modules/$release/source"
[[ -n $(find ".hmmbench-modroot/lib/modules/$release" -name test_hmm.ko) ]] ||
	die "modules_install put no test_hmm.ko in .hmmbench-modroot"

echo "$release" >.hmmbench-built
phase "done: $release in $tree"
echo "$tree"
