#!/bin/bash
# hmmbench: the one command. Measures what hmm_range_fault() costs with
# pre-filled pfn arrays and with default_flags, on this machine's kernel
# (bare metal, as root) or on Debian kernels under QEMU (--kernel).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here"

usage() {
	cat <<'EOF'
Usage: ./run.sh [OPTIONS] [HMMBENCH OPTIONS]   measure (default: profile standard)
       ./run.sh compare [--test welch|mwu] [--alpha A] RUN...   compare runs
       ./run.sh report RUN                                     patch-mail text
       ./run.sh --help

Measuring, natively: as root on bare metal, ./run.sh installs what is
missing (apt), builds hmm_bench.ko for the running kernel, loads it, runs
the profile, unloads the module (also on Ctrl-C or error), and prints where
the results, plots and summary are. A hmm_bench loaded before is used if it
speaks this tree's ABI and is left loaded; one of another ABI stops the
run (rmmod hmm_bench first). Where the running kernel cannot take the
module (no root, a container, no module support, modules disabled,
lockdown, enforced module signatures, no CONFIG_HMM_MIRROR, no headers) it
says why in one line and runs the same profile in a VM on Debian's newest
6.12 kernel instead (--no-vm: stop with status 1). Ctrl-C exits with
status 130, SIGTERM with 143; otherwise the status is hmmbench's.

Options:
  --kernel SERIES   run in a QEMU VM on Debian kernel SERIES (5.10, 6.1,
                    6.12); repeat for several kernels. VM results are
                    labelled with the accelerator (kvm or tcg): emulated
                    times are for ratios, not for bare-metal claims.
  --no-vm           never fall back to a VM: fail instead
  --no-install      do not install packages; say what is missing and stop
  --vm-timeout S    give each VM at most S seconds (default 7200)
  --resume DIR      finish a native run that was interrupted: DIR is the
                    .<timestamp>.partial folder it named; the cases it
                    finished are kept, the rest run with its options
Every other option goes to hmmbench: --profile quick|standard|full,
--filter, --sizes, --states, --styles, --access, --window, --nodes,
--repetitions, --min-time, --out, --governor, --list (build/hmmbench --help).

Results: results/<host>/<kernel-release>/<timestamp>/ with hmmbench.json
(Google Benchmark), summary.txt, plots/, system/, hist/, skipped.tsv.
EOF
}

say() { echo "run.sh: $*" >&2; }
die() { say "$*"; exit 1; }

# What run.sh reads and runs. tests/harness/test_native.sh sources
# this file and points these at a fake tree and fake programs.
sysroot=''			# prefix of /proc, /sys, /boot, /lib/modules
hmmbench_bin=build/hmmbench
report_bin=build/hmmbench-report
vm_run=harness/vm/vm-run
module_ko=kmod/hmm_bench.ko

# Cleanup state. Global: the traps that read it run at the top level, when
# the function that set it has long returned.
cleanup_paths=()	# temporary files and folders, removed on every way out
module_ours=0		# 1 while run.sh has hmm_bench loaded: unload on the way out
child_pid=''		# the program run.sh waits for (hmmbench or vm-run)

kernels=() hm_args=() no_vm=0 no_install=0 vm_timeout=7200 profile_given=0
resume_dir=''
out_root=results

# Unload what run.sh loaded and remove its temporary files; the exit status
# stays the one run.sh was leaving with.
on_exit() {
	local rc=$?
	set +eu
	trap '' INT TERM HUP
	if [[ ${module_ours:-0} -eq 1 ]]; then
		unload_module
	fi
	if [[ ${#cleanup_paths[@]} -gt 0 ]]; then
		rm -rf -- "${cleanup_paths[@]}"
	fi
	exit "$rc"
}

# gone PID: the process has ended (exited, or a zombie not yet reaped).
gone() {
	local state
	kill -0 "$1" 2> /dev/null || return 0
	state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2> /dev/null)
	[[ -z $state || $state == Z ]]
}

# on_signal SIG STATUS: stop the child as Ctrl-C would, then exit with
# STATUS (128 + the signal's number). A Ctrl-C from the terminal reaches the
# child too: it gets 3 s to stop by itself before the signal is passed on
# (a kill aimed at run.sh alone reaches only run.sh), then a minute to end
# (hmmbench keeps its partial results, vm-run stops QEMU). No `wait` here:
# inside a trap, bash can lose track of a child it has reaped already.
on_signal() {
	local sig=$1 status=$2 i
	set +eu
	trap '' INT TERM HUP
	if [[ -n ${child_pid:-} ]]; then
		for ((i = 0; i < 30; i++)); do
			gone "$child_pid" && break
			sleep 0.1
		done
		if ! gone "$child_pid"; then
			kill -s "$sig" "$child_pid" 2> /dev/null
			for ((i = 0; i < 600; i++)); do
				gone "$child_pid" && break
				sleep 0.1
			done
			gone "$child_pid" || say "process $child_pid did not stop on SIG$sig; leaving it"
		fi
	fi
	exit "$status"
}

install_traps() {
	trap on_exit EXIT
	trap 'on_signal INT 130' INT
	trap 'on_signal TERM 143' TERM
	trap 'on_signal HUP 129' HUP
}

# run_child CMD...: run CMD with the signal handling of a foreground command
# (Ctrl-C reaches it) while run.sh's own traps stay able to run, and wait
# for it. Returns CMD's status.
run_child() {
	local rc=0
	(
		trap - INT QUIT
		exec "$@"
	) &
	child_pid=$!
	wait "$child_pid" || rc=$?
	child_pid=''
	return "$rc"
}

module_loaded() {
	grep -q '^hmm_bench ' "$sysroot/proc/modules" 2> /dev/null
}

# Unload hmm_bench, which run.sh loaded; retried while its last user exits.
unload_module() {
	local i
	module_ours=0
	module_loaded || return 0
	for i in 1 2 3; do
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

deps() {
	if [[ $no_install -eq 1 ]]; then
		harness/scripts/deps.sh --no-install "$@"
	else
		harness/scripts/deps.sh "$@"
	fi
}

build_userspace() {
	deps build plot
	say "building hmmbench"
	make -s -j"$(nproc)" build/hmmbench build/hmmbench-report >&2
	# Bad options or profiles fail here, before any module or VM (a
	# resumed run has the options it started with).
	[[ -n $resume_dir ]] ||
		"$hmmbench_bin" "${hm_args[@]}" --list > /dev/null || exit 2
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

# This tree's hmm_bench.ko carries a signature (sign-file was run on it).
module_signed() {
	[[ -f $module_ko ]] &&
		[[ -n $(modinfo -F signer "$module_ko" 2> /dev/null) ]]
}

# What kind of container this is, or nothing.
container_kind() {
	local kind
	if [[ -e $sysroot/.dockerenv ]]; then
		echo docker
	elif [[ -e $sysroot/run/.containerenv ]]; then
		echo podman
	elif kind=$(tr '\0' '\n' 2> /dev/null < "$sysroot/proc/1/environ" |
		sed -n 's/^container=//p' | head -1) && [[ -n $kind ]]; then
		echo "$kind"
	elif command -v systemd-detect-virt > /dev/null &&
		kind=$(systemd-detect-virt --container 2> /dev/null) &&
		[[ -n $kind && $kind != none ]]; then
		echo "$kind"
	fi
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
	say "apt knows no $pkg: updating the package lists (apt-get update)"
	apt-get update -q >&2 || return 1
	apt_has "$pkg"
}

# Why this kernel cannot take the module, in one line, or nothing when it
# can (or when hmm_bench is loaded already: run_native then uses it).
native_blocker() {
	local rel kind mode cfg
	rel=$(uname -r)
	if [[ $(id -u) -ne 0 ]]; then
		echo "not root: loading a kernel module needs root; run sudo ./run.sh"
		return
	fi
	kind=$(container_kind)
	if [[ -n $kind ]]; then
		echo "this is a container ($kind): it cannot load modules into the host's kernel; run ./run.sh on the host"
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
	mode=$(sed -n 's/.*\[\(.*\)\].*/\1/p' "$sysroot/sys/kernel/security/lockdown" 2> /dev/null || true)
	if [[ $mode == integrity || $mode == confidentiality ]] && ! module_signed; then
		echo "the kernel is locked down ($mode; Secure Boot?): it refuses unsigned modules; sign kmod/hmm_bench.ko with your MOK key (see README) or disable Secure Boot"
		return
	fi
	if [[ $(cat "$sysroot/sys/module/module/parameters/sig_enforce" 2> /dev/null) == Y ]] && ! module_signed; then
		if [[ $(kconfig MODULE_SIG_FORCE) == y\ * ]]; then
			echo "kernel $rel enforces module signatures (CONFIG_MODULE_SIG_FORCE=y): it refuses the unsigned hmm_bench.ko; sign kmod/hmm_bench.ko with a key this kernel trusts (see README)"
		else
			echo "kernel $rel enforces module signatures (module.sig_enforce=1): it refuses the unsigned hmm_bench.ko; sign kmod/hmm_bench.ko with a key this kernel trusts (see README) or boot without module.sig_enforce=1"
		fi
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

# Install this kernel's headers; apt-get update and one retry when apt
# cannot (its lists may predate the kernel), as harness/scripts/deps.sh does.
install_headers() {
	local rel=$1 pkg=linux-headers-$1
	[[ -d $sysroot/lib/modules/$rel/build ]] && return 0
	[[ $no_install -eq 1 ]] && die "missing $pkg; install it (apt-get install $pkg) or drop --no-install"
	say "installing $pkg (to build the module for the running kernel)"
	export DEBIAN_FRONTEND=noninteractive
	if ! apt-get install -y -q "$pkg" >&2; then
		say "apt-get could not install $pkg: updating the package lists and trying once more"
		apt-get update -q >&2 || true
		apt-get install -y -q "$pkg" >&2 ||
			die "cannot install $pkg; install this kernel's headers by hand (or make -C kmod KDIR=/path/to/tree)"
	fi
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
	local rel=$1 why='see dmesg | tail'
	install_headers "$rel"
	say "building hmm_bench.ko for $rel"
	make -s -C kmod >&2
	module_ours=1
	if ! insmod "$module_ko"; then
		module_ours=0
		if ! module_signed && { [[ $(cat "$sysroot/sys/module/module/parameters/sig_enforce" 2> /dev/null) == Y ]] ||
			grep -q '\[integrity\]\|\[confidentiality\]' "$sysroot/sys/kernel/security/lockdown" 2> /dev/null; }; then
			why="the kernel wants signed modules and this build is not signed (a rebuild drops the signature): sign it again (see README)"
		fi
		die "insmod $module_ko failed: $why"
	fi
	say "hmm_bench loaded; run.sh unloads it when it ends"
}

run_native() {
	local rel status=0 tmp tee_pid
	rel=$(uname -r)
	build_userspace
	if module_loaded; then
		use_loaded_module
	else
		load_module "$rel"
	fi
	# hmmbench's output on the terminal and in a log (for its Results:
	# line). tee ignores Ctrl-C, so that hmmbench's last words get out.
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/hmmbench-run.XXXXXX")
	cleanup_paths+=("$tmp")
	mkfifo "$tmp/out"
	tee -i "$tmp/log" < "$tmp/out" &
	tee_pid=$!
	if [[ -n $resume_dir ]]; then
		run_child "$hmmbench_bin" --resume "$resume_dir" > "$tmp/out" || status=$?
	else
		run_child "$hmmbench_bin" "${hm_args[@]}" --out "$out_root" > "$tmp/out" || status=$?
	fi
	wait "$tee_pid" || true
	if ! finish_run "$(sed -n 's/^Results: //p' "$tmp/log" | tail -1)"; then
		[[ $status -ne 0 ]] || status=1
	fi
	return "$status"
}

# Plots and the paths a reader wants, for a run folder.
finish_run() {
	local run=$1
	[[ -n $run && -f $run/COMPLETE ]] || { say "no complete result folder"; return 1; }
	"$report_bin" plot "$run" >&2 || say "plotting failed (see $run/plots/data/gnuplot.log)"
	echo
	echo "Results: $run"
	echo "  summary  $run/summary.txt"
	echo "  JSON     $run/hmmbench.json (Google Benchmark)"
	echo "  plots    $run/plots/"
	echo "  report   ./run.sh report $run"
}

run_vm() {
	local series=$1 vmdir status=0 run rel dest
	vmdir=$(mktemp -d "${TMPDIR:-/tmp}/hmmbench-vm.XXXXXX")
	cleanup_paths+=("$vmdir")
	say "running in a VM on Debian $series (results are labelled as VM runs)"
	run_child "$vm_run" --kernel "$series" --out "$vmdir" --timeout "$vm_timeout" \
		--swap 512 \
		--include build/hmmbench:/work/build/hmmbench \
		--include bench/profiles:/work/bench/profiles \
		--include harness/vm/guest/hmmbench.sh:/work/guest-hmmbench.sh \
		-- /work/guest-hmmbench.sh "${hm_args[@]}" || status=$?
	for run in "$vmdir"/results/*/*/*; do
		[[ -d $run ]] || continue
		rel=$(basename "$(dirname "$run")")
		dest="$out_root/$(hostname)-vm/$rel/$(basename "$run")"
		mkdir -p "$(dirname "$dest")"
		cp "$vmdir/vm.env" "$vmdir/console.log" "$run/system/" 2> /dev/null || true
		mv "$run" "$dest"
		finish_run "$dest" || status=1
	done
	rm -rf "$vmdir"
	[[ $status -eq 0 ]] || say "the VM run on $series ended with status $status"
	return "$status"
}

parse_args() {
	while [[ $# -gt 0 ]]; do
		case "$1" in
		--kernel)
			[[ $# -ge 2 ]] || die "--kernel needs a series: 5.10, 6.1 or 6.12"
			kernels+=("$2")
			shift 2
			;;
		--no-vm) no_vm=1; shift ;;
		--no-install) no_install=1; shift ;;
		--vm-timeout)
			[[ $# -ge 2 && $2 =~ ^[0-9]+$ ]] || die "--vm-timeout needs seconds"
			vm_timeout=$2
			shift 2
			;;
		--out)
			[[ $# -ge 2 ]] || die "--out needs a folder"
			out_root=$2
			shift 2
			;;
		--resume)
			[[ $# -ge 2 ]] || die "--resume needs the .<timestamp>.partial folder of the interrupted run"
			resume_dir=$2
			shift 2
			;;
		--profile | -p)
			profile_given=1
			hm_args+=("$1" "${2:-}")
			shift $(($# >= 2 ? 2 : 1))
			;;
		*)
			hm_args+=("$1")
			shift
			;;
		esac
	done
	[[ $profile_given -eq 1 ]] || hm_args=(--profile standard "${hm_args[@]}")
	if [[ -n $resume_dir ]]; then
		[[ ${#kernels[@]} -eq 0 ]] ||
			die "--resume finishes a native run; a VM run cannot be resumed (start it again)"
		[[ $profile_given -eq 0 && ${#hm_args[@]} -eq 2 ]] ||
			die "--resume takes no hmmbench option: the run goes on with the options it started with"
	fi
}

main() {
	local blocker status k

	# The subcommands are the analysis tool.
	case "${1:-}" in
	compare | report | plot)
		[[ ${HMMBENCH_NO_INSTALL:-0} == 1 ]] && no_install=1
		deps build plot
		make -s build/hmmbench-report >&2
		exec "$report_bin" "$@"
		;;
	-h | --help)
		usage
		exit 0
		;;
	esac

	install_traps
	parse_args "$@"

	if [[ ${#kernels[@]} -gt 0 ]]; then
		build_userspace
		deps vm
		status=0
		for k in "${kernels[@]}"; do
			run_vm "$k" || status=1
		done
		exit "$status"
	fi

	blocker=$(native_blocker)
	if [[ -z $blocker ]]; then
		# Called plainly, so that errexit holds inside; a non-zero
		# status (hmmbench's) exits through errexit with that status.
		run_native
		exit 0
	fi
	say "cannot run natively: $blocker"
	if [[ $no_vm -eq 1 ]]; then
		say "--no-vm given: stopping. Fix the above, or run ./run.sh --kernel 6.12 to measure in a VM"
		exit 1
	fi
	[[ -z $resume_dir ]] ||
		die "--resume needs this kernel to take the module, as the run it finishes did"
	say "running the same profile in a VM on Debian's newest 6.12 kernel instead (--no-vm refuses)"
	build_userspace
	deps vm
	status=0
	run_vm 6.12 || status=$?
	exit "$status"
}

# Sourced (by the tests), define the functions only.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	main "$@"
fi
