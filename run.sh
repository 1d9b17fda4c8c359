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
the results, plots and summary are. Where the running kernel cannot take
the module (no root, a container, modules disabled, Secure Boot lockdown,
no CONFIG_HMM_MIRROR) it says why and runs the same profile in a VM on
Debian's newest 6.12 kernel instead.

Options:
  --kernel SERIES   run in a QEMU VM on Debian kernel SERIES (5.10, 6.1,
                    6.12); repeat for several kernels. VM results are
                    labelled with the accelerator (kvm or tcg): emulated
                    times are for ratios, not for bare-metal claims.
  --no-vm           never fall back to a VM: fail instead
  --no-install      do not install packages; say what is missing and stop
  --vm-timeout S    give each VM at most S seconds (default 7200)
Every other option goes to hmmbench: --profile quick|standard|full,
--filter, --sizes, --states, --styles, --access, --window, --nodes,
--repetitions, --min-time, --out, --governor, --list (build/hmmbench --help).

Results: results/<host>/<kernel-release>/<timestamp>/ with hmmbench.json
(Google Benchmark), summary.txt, plots/, system/, hist/, skipped.tsv.
EOF
}

say() { echo "run.sh: $*" >&2; }
die() { say "$*"; exit 1; }

kernels=() hm_args=() no_vm=0 no_install=0 vm_timeout=7200 profile_given=0
out_root=results

# The subcommands are the analysis tool.
case "${1:-}" in
compare | report | plot)
	harness/deps.sh $([[ ${HMMBENCH_NO_INSTALL:-0} == 1 ]] && echo --no-install) build plot
	make -s build/hmmbench-report >&2
	exec build/hmmbench-report "$@"
	;;
-h | --help)
	usage
	exit 0
	;;
esac

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

deps() {
	harness/deps.sh $([[ $no_install -eq 1 ]] && echo --no-install) "$@"
}

build_userspace() {
	deps build plot
	say "building hmmbench"
	make -s -j"$(nproc)" build/hmmbench build/hmmbench-report >&2
	# Bad options or profiles fail here, before any module or VM.
	build/hmmbench "${hm_args[@]}" --list > /dev/null || exit 2
}

# Why this kernel cannot take the module, or nothing when it can.
native_blocker() {
	local rel
	rel=$(uname -r)
	if [[ $(id -u) -ne 0 ]]; then
		echo "not root: loading a kernel module needs root (sudo ./run.sh)"
		return
	fi
	if [[ -f /.dockerenv || -f /run/.containerenv ]] ||
	   grep -qa 'container=' /proc/1/environ 2>/dev/null; then
		echo "this is a container: it cannot load modules into the host's kernel"
		return
	fi
	if [[ $(cat /proc/sys/kernel/modules_disabled 2>/dev/null || echo 0) == 1 ]]; then
		echo "module loading is disabled (kernel.modules_disabled=1) until the next boot"
		return
	fi
	if grep -q '\[integrity\]\|\[confidentiality\]' /sys/kernel/security/lockdown 2>/dev/null; then
		echo "the kernel is locked down (Secure Boot?): it refuses unsigned modules; sign kmod/hmm_bench.ko with your MOK key (see README) or use a VM"
		return
	fi
	local config=/boot/config-$rel
	if [[ -r $config ]] && ! grep -q '^CONFIG_HMM_MIRROR=y' "$config"; then
		echo "kernel $rel has no CONFIG_HMM_MIRROR: hmm_range_fault() is not built in"
		return
	fi
	if [[ ! -d /lib/modules/$rel/build ]] &&
	   ! apt-cache show "linux-headers-$rel" > /dev/null 2>&1; then
		echo "no headers for kernel $rel (/lib/modules/$rel/build) and apt has no linux-headers-$rel"
		return
	fi
}

run_native() {
	local rel loaded=0 status=0
	rel=$(uname -r)
	build_userspace
	if [[ ! -d /lib/modules/$rel/build ]]; then
		[[ $no_install -eq 1 ]] && die "missing linux-headers-$rel; install it (apt-get install linux-headers-$rel) or drop --no-install"
		say "installing linux-headers-$rel (to build the module for the running kernel)"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q "linux-headers-$rel" >&2
	fi
	say "building hmm_bench.ko for $rel"
	make -s -C kmod >&2
	if lsmod | grep -q '^hmm_bench '; then
		say "hmm_bench is loaded already: replacing it with this tree's build"
		rmmod hmm_bench || die "cannot unload the loaded hmm_bench (in use?): stop its users first"
	fi
	insmod kmod/hmm_bench.ko || die "insmod kmod/hmm_bench.ko failed: see dmesg | tail"
	loaded=1
	# Unload on every way out, Ctrl-C and errors included.
	trap 'rm -f "$tmp_log"; if [[ $loaded -eq 1 ]]; then rmmod hmm_bench && say "hmm_bench unloaded"; fi' EXIT
	trap 'exit 130' INT TERM
	build/hmmbench "${hm_args[@]}" --out "$out_root" | tee "$tmp_log" || status=$?
	finish_run "$(sed -n 's/^Results: //p' "$tmp_log" | tail -1)"
	return "$status"
}

# Plots and the paths a reader wants, for a run folder.
finish_run() {
	local run=$1
	[[ -n $run && -f $run/COMPLETE ]] || { say "no complete result folder"; return 1; }
	build/hmmbench-report plot "$run" >&2 || say "plotting failed (see $run/plots/data/gnuplot.log)"
	echo
	echo "Results: $run"
	echo "  summary  $run/summary.txt"
	echo "  JSON     $run/hmmbench.json (Google Benchmark)"
	echo "  plots    $run/plots/"
	echo "  report   ./run.sh report $run"
}

run_vm() {
	local series=$1 vmdir status=0 run rel dest
	vmdir=$(mktemp -d /tmp/hmmbench-vm.XXXXXX)
	say "running in a VM on Debian $series (results are labelled as VM runs)"
	harness/vm/vm-run --kernel "$series" --out "$vmdir" --timeout "$vm_timeout" \
		--swap 512 \
		--include build/hmmbench:/work/build/hmmbench \
		--include bench/profiles:/work/bench/profiles \
		--include harness/vm/guest-hmmbench.sh:/work/guest-hmmbench.sh \
		-- /work/guest-hmmbench.sh "${hm_args[@]}" || status=$?
	for run in "$vmdir"/results/*/*/*; do
		[[ -d $run ]] || continue
		rel=$(basename "$(dirname "$run")")
		dest="$out_root/$(hostname)-vm/$rel/$(basename "$run")"
		mkdir -p "$(dirname "$dest")"
		cp "$vmdir/vm.env" "$vmdir/console.log" "$run/system/" 2>/dev/null || true
		mv "$run" "$dest"
		finish_run "$dest" || status=1
	done
	rm -rf "$vmdir"
	[[ $status -eq 0 ]] || say "the VM run on $series ended with status $status"
	return "$status"
}

tmp_log=$(mktemp)
trap 'rm -f "$tmp_log"' EXIT

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
	run_native
	exit $?
fi
say "cannot run natively: $blocker"
if [[ $no_vm -eq 1 ]]; then
	say "--no-vm given: stopping. Fix the above, or run ./run.sh --kernel 6.12 to measure in a VM"
	exit 1
fi
say "running the same profile in a VM on Debian's newest 6.12 kernel instead (--no-vm refuses)"
build_userspace
deps vm
run_vm 6.12
