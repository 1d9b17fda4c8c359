# shellcheck shell=bash
# shellcheck disable=SC2154,SC2034 # run.sh owns the options and the state these read and set
# Sourced by run.sh: can the running kernel take hmm_bench.ko, and its
# lifecycle there (headers, build, insmod, use of a module loaded before,
# rmmod). Reads the machine under $sysroot (tests/runsh/test_native.sh
# points it at a fake tree); needs say, die, no_install and module_ko.
# shellcheck source=harness/scripts/apt.sh
. "$(dirname "${BASH_SOURCE[0]}")/apt.sh"

module_loaded() {
	grep -q '^hmm_bench ' "$sysroot/proc/modules" 2> /dev/null
}

# Unload hmm_bench, which run.sh loaded; retried while its last user exits.
unload_module() {
	module_ours=0
	module_loaded || return 0
	for _ in 1 2 3; do
		if rmmod hmm_bench 2> /dev/null; then
			say "hmm_bench unloaded"
			return 0
		fi
		sleep 1
	done
	rmmod hmm_bench || true
	say "could not unload hmm_bench (still in use?): rmmod hmm_bench once its users have stopped"
	return 1
}

# kconfig NAME: "VALUE WHERE" for CONFIG_NAME of the running kernel (VALUE
# y, m or n for not set; WHERE the file it was read from), or nothing when
# no config of this kernel is found.
kconfig() {
	local name=CONFIG_$1 rel src val
	rel=$(uname -r)
	for src in "$sysroot/boot/config-$rel" "$sysroot/proc/config.gz" \
		"$sysroot/lib/modules/$rel/build/.config" \
		"$sysroot/lib/modules/$rel/build/include/config/auto.conf"; do
		[[ -r $src ]] || continue
		if [[ $src == *.gz ]]; then
			val=$(zcat "$src" 2> /dev/null | sed -n "s/^$name=//p") || continue
		else
			val=$(sed -n "s/^$name=//p" "$src") || continue
		fi
		echo "${val:-n} ${src#"$sysroot"}"
		return 0
	done
}

# The kernel's command line has WORD (nomodule, module.sig_enforce=1).
cmdline_has() {
	[[ " $(cat "$sysroot/proc/cmdline" 2> /dev/null) " == *" $1 "* ]]
}

# This tree's hmm_bench.ko carries a signature (sign-file was run on it).
module_signed() {
	[[ -f $module_ko ]] &&
		[[ -n $(modinfo -F signer "$module_ko" 2> /dev/null) ]]
}

# Why the kernel refuses an unsigned module, in one line, or nothing when
# it does not (or this tree's module is signed: insmod decides then).
signature_blocker() {
	local rel mode
	rel=$(uname -r)
	module_signed && return 0
	mode=$(sed -n 's/.*\[\(.*\)\].*/\1/p' "$sysroot/sys/kernel/security/lockdown" 2> /dev/null || true)
	if [[ $mode == integrity || $mode == confidentiality ]]; then
		echo "the kernel is locked down ($mode; Secure Boot?): it refuses unsigned modules; sign kmod/hmm_bench.ko with your MOK key (see README) or disable Secure Boot"
	elif [[ $(cat "$sysroot/sys/module/module/parameters/sig_enforce" 2> /dev/null) == Y ]] ||
		cmdline_has module.sig_enforce=1; then
		if [[ $(kconfig MODULE_SIG_FORCE) == y\ * ]]; then
			echo "kernel $rel enforces module signatures (CONFIG_MODULE_SIG_FORCE=y): it refuses the unsigned hmm_bench.ko; sign kmod/hmm_bench.ko with a key this kernel trusts (see README)"
		else
			echo "kernel $rel enforces module signatures (module.sig_enforce=1): it refuses the unsigned hmm_bench.ko; sign kmod/hmm_bench.ko with a key this kernel trusts (see README) or boot without module.sig_enforce=1"
		fi
	fi
}

# What kind of container this is, or nothing. Marker files (/.dockerenv)
# and systemd-detect-virt --container only name the kind: a machine image
# built with docker keeps /.dockerenv when booted as a VM. Being one is
# judged by the PID namespace: only in the host's is PID 2 kthreadd.
container_kind() {
	local kind=''
	[[ -e $sysroot/proc/1 ]] || return 0
	[[ $(cat "$sysroot/proc/2/comm" 2> /dev/null) != kthreadd ]] || return 0
	if [[ -e $sysroot/.dockerenv ]]; then
		kind=docker
	elif [[ -e $sysroot/run/.containerenv ]]; then
		kind=podman
	elif ! kind=$(tr '\0' '\n' 2> /dev/null < "$sysroot/proc/1/environ" |
		sed -n 's/^container=//p' | head -1) || [[ -z $kind ]]; then
		kind=$(systemd-detect-virt --container 2> /dev/null) || kind=''
		[[ $kind != none ]] || kind=''
	fi
	echo "${kind:-unknown kind}"
}

# The process lacks CAP_SYS_MODULE (bit 16 of CapEff).
no_cap_sys_module() {
	local cap
	cap=$(sed -n 's/^CapEff:[[:space:]]*//p' "$sysroot/proc/self/status" 2> /dev/null)
	[[ -n $cap ]] && (((0x$cap >> 16 & 1) == 0))
}

apt_has() {
	apt-cache show "$1" > /dev/null 2>&1
}

# apt can install linux-headers-REL (after one apt-get update if needed).
headers_available() {
	local pkg=linux-headers-$1
	command -v apt-cache > /dev/null || return 1
	apt_has "$pkg" && return 0
	[[ $no_install -eq 0 && $(id -u) -eq 0 ]] || return 1
	say "apt knows no $pkg: updating the package lists"
	apt_update || return 1
	apt_has "$pkg"
}

# Why this kernel cannot take the module, in one line, or nothing when it
# can (or when hmm_bench is loaded already: run_native then uses it).
native_blocker() {
	local rel kind cfg sig also=''
	rel=$(uname -r)
	if [[ $(id -u) -ne 0 ]]; then
		echo "not root: loading a kernel module needs root; run sudo ./run.sh"
		return
	fi
	kind=$(container_kind)
	if [[ -n $kind ]]; then
		echo "this is a container ($kind; PID 2 is not kthreadd, so this is not the host's PID namespace): it cannot load modules into the host's kernel; run ./run.sh on the host"
		return
	fi
	if cmdline_has nomodule; then
		[[ -e $sysroot/proc/modules ]] || also=" and has no module support (no /proc/modules)"
		echo "kernel $rel was booted with nomodule (see /proc/cmdline)$also: it loads no modules; boot it without nomodule"
		return
	fi
	if [[ ! -e $sysroot/proc/modules ]]; then
		echo "kernel $rel has no module support (no /proc/modules: CONFIG_MODULES is off); boot a kernel built with CONFIG_MODULES=y"
		return
	fi
	module_loaded && return
	if [[ $(cat "$sysroot/proc/sys/kernel/modules_disabled" 2> /dev/null || echo 0) == 1 ]]; then
		echo "module loading is disabled (kernel.modules_disabled=1) until the next boot; reboot without setting it"
		return
	fi
	if no_cap_sys_module; then
		echo "this process has no CAP_SYS_MODULE (CapEff in /proc/self/status), so it may not load modules; run ./run.sh as root with all capabilities"
		return
	fi
	sig=$(signature_blocker)
	if [[ -n $sig ]]; then
		echo "$sig"
		return
	fi
	cfg=$(kconfig HMM_MIRROR)
	if [[ -n $cfg && $cfg != y\ * ]]; then
		echo "kernel $rel has no CONFIG_HMM_MIRROR (${cfg#* }): hmm_range_fault() is not built in; boot a kernel with CONFIG_HMM_MIRROR=y (Debian's have it)"
		return
	fi
	if [[ ! -d $sysroot/lib/modules/$rel/build ]] && ! headers_available "$rel"; then
		echo "no headers for kernel $rel (/lib/modules/$rel/build) and apt has no linux-headers-$rel; install this kernel's headers, or boot a Debian kernel"
		return
	fi
}

# The running kernel's headers (its image is installed already, since it
# runs), installed with apt when missing.
install_headers() {
	local rel=$1 pkg=linux-headers-$1
	[[ -d $sysroot/lib/modules/$rel/build ]] && return 0
	[[ $no_install -eq 1 ]] && die "missing $pkg; install it (apt-get install $pkg) or drop --no-install"
	apt_install "build the module for the running kernel" "$pkg" ||
		die "cannot install $pkg; install this kernel's headers by hand (or make -C kmod KDIR=/path/to/tree)"
}

# hmm_bench was loaded before run.sh started: use it when it speaks this
# tree's ABI and leave it loaded; stop when it speaks another. Never
# unload a module run.sh did not load.
use_loaded_module() {
	local ver src abi='' f tree_abi tree_ver
	ver=$(cat "$sysroot/sys/module/hmm_bench/version" 2> /dev/null || echo '(version unknown)')
	src=$(cat "$sysroot/sys/module/hmm_bench/srcversion" 2> /dev/null || true)
	tree_abi=$(sed -n 's/^#define HMM_BENCH_ABI_VERSION[[:space:]]*\([0-9]*\).*/\1/p' kmod/uapi/hmm_bench.h)
	tree_ver=$(sed -n 's/^#define HMM_BENCH_VERSION_STR[[:space:]]*"\(.*\)".*/\1/p' kmod/hmm_bench_priv.h)
	# Its ABI (modinfo "abi") is known when the file it came from is found:
	# this tree's build or the installed module, with the same srcversion.
	if [[ -n $src ]]; then
		for f in "$module_ko" "$(modinfo -n hmm_bench 2> /dev/null || true)"; do
			[[ -n $f && -f $f ]] || continue
			[[ $(modinfo -F srcversion "$f" 2> /dev/null) == "$src" ]] || continue
			abi=$(modinfo -F abi "$f" 2> /dev/null || true)
			break
		done
	fi
	if [[ -n $abi && $abi != "$tree_abi" ]]; then
		die "hmm_bench $ver (ABI $abi) is loaded already, not by run.sh, and this tree speaks ABI $tree_abi: run.sh leaves it alone; unload it (rmmod hmm_bench) and run ./run.sh again"
	fi
	if [[ -n $abi ]]; then
		say "hmm_bench $ver (ABI $abi) is loaded already, not by run.sh: using it, and leaving it loaded${tree_ver:+ (this tree builds $tree_ver)}"
	else
		say "hmm_bench $ver is loaded already, not by run.sh: using it if it speaks ABI $tree_abi (hmmbench checks), and leaving it loaded${tree_ver:+ (this tree builds $tree_ver)}"
	fi
}

load_module() {
	local rel=$1 why
	install_headers "$rel"
	say "building hmm_bench.ko for $rel"
	make -s -C kmod >&2
	module_ours=1
	if ! insmod "$module_ko"; then
		module_ours=0
		why=$(signature_blocker)
		[[ -z $why ]] || why="$why (a rebuild drops the signature)"
		die "insmod $module_ko failed: ${why:-see dmesg | tail}"
	fi
	say "hmm_bench loaded; run.sh unloads it when it ends"
}

# Where the module can be used: build, load, measure, unload (the traps
# unload on every other way out). Returns hmmbench's status.
run_native() {
	local rel status=0 result
	rel=$(uname -r)
	build_userspace
	[[ -n $resume_dir ]] || check_native_plan
	if module_loaded; then
		use_loaded_module
	else
		load_module "$rel"
	fi
	result=$(mktemp "${TMPDIR:-/tmp}/hmmbench-result.XXXXXX")
	cleanup_paths+=("$result")
	if [[ -n $resume_dir ]]; then
		run_child "$hmmbench_bin" --resume "$resume_dir" --result-file "$result" || status=$?
	else
		run_child "$hmmbench_bin" "${hm_args[@]}" --out "$out_root" --result-file "$result" || status=$?
	fi
	if ! finish_run "$(cat "$result")"; then
		[[ $status -ne 0 ]] || status=1
	fi
	return "$status"
}
